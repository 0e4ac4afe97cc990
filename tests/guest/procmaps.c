/* procmaps: /proc/self/maps for a known set of mappings, exactly.
 *
 * Makes anonymous mappings at fixed addresses (one split in three by
 * mprotect, one PROT_NONE), a private and a shared mapping of a file at an
 * offset, and one anonymous mapping placed by the kernel, then prints the
 * maps lines of those and of the kernel's own: [vvar] and [vdso] (the
 * placed mapping goes right below them) and [stack]. Under reprise the
 * layout is a function of the program and the seed, so the expected output
 * is exact (per arch:
 * the stack top and the kernel's placement differ). Two things vary with
 * the machine and are replaced after being checked: the temporary
 * directory's path (TMPDIR) and the file's inode number (INO), whose
 * replacement is padded as Linux pads, names at column 74.
 * Usage: procmaps TMPDIR (under reprise only). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define BASE 0x10000000UL
#define PAGE 4096UL

static void fixed(unsigned long addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p = mmap((void *)addr, len, prot, flags | MAP_FIXED, fd, off);
    CHECK(p == (void *)addr, "mmap at %#lx: %s", addr, errno_name(errno));
}

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: procmaps TMPDIR");
    char path[PATH_MAX], real[PATH_MAX];
    snprintf(path, sizeof path, "%s/procmaps.data", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(fd);
    CHECK(ftruncate(fd, 4 * PAGE) == 0, "ftruncate");
    CHECK(realpath(path, real), "realpath");

    /* Three pages, the middle one made read-only: three mappings. */
    fixed(BASE, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(mprotect((void *)(BASE + PAGE), PAGE, PROT_READ) == 0, "mprotect");
    fixed(BASE + 0x10000, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fixed(BASE + 0x20000, 2 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 2 * PAGE);
    fixed(BASE + 0x30000, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *placed = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    CHECK(placed != MAP_FAILED, "mmap: %s", errno_name(errno));

    static char maps[1 << 16];
    int mfd = open("/proc/self/maps", O_RDONLY);
    CHECK_SYS(mfd);
    size_t n = 0;
    for (ssize_t r; (r = read(mfd, maps + n, sizeof maps - 1 - n)) > 0;)
        n += (size_t)r;
    maps[n] = 0;
    close(mfd);

    for (char *line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long lo, hi, ino;
        int ino_at = 0, ino_end = 0, name_at = 0;
        CHECK(sscanf(line, "%lx-%lx %*4s %*x %*x:%*x %n%lu%n %n", &lo, &hi, &ino_at, &ino,
                     &ino_end, &name_at) == 3,
              "bad line: %s", line);
        const char *name = line + name_at;
        int ours = (lo >= BASE && lo < BASE + 0x40000) || lo == (uintptr_t)placed;
        int kernels = strcmp(name, "[stack]") == 0 || strcmp(name, "[vdso]") == 0 ||
                      strcmp(name, "[vvar]") == 0;
        if (!ours && !kernels)
            continue;
        if (!*name) {
            printf("%s\n", line); /* anonymous: verbatim, trailing space included */
            continue;
        }
        CHECK(name_at == 73 || (name_at > 73 && ino_end + 1 == name_at),
              "name at column %d: %s", name_at + 1, line);
        if (strcmp(name, real) != 0) {
            printf("%s\n", line);
            continue;
        }
        CHECK(ino != 0, "file mapping without an inode: %s", line);
        /* The same line with INO and TMPDIR, padded as Linux pads. */
        char out[1024];
        int len = snprintf(out, sizeof out, "%.*sINO ", ino_at, line);
        printf("%s%*sTMPDIR/procmaps.data\n", out, len < 73 ? 73 - len : 0, "");
    }
    close(fd);
    unlink(path);
    printf("ok: procmaps\n");
    return 0;
}
