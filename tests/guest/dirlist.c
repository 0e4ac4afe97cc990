/* dirlist: listing a directory the program fills itself (inside argv[1]).
 *
 * Lists it twice — through readdir() and through raw getdents64 with a tiny
 * buffer, so the listing is spread over many calls — checks both give the
 * same set with the right d_type, that "." and ".." appear exactly once, that
 * rewinddir and seekdir/telldir resume correctly, and that a buffer too small
 * for one entry gives EINVAL. It prints the names sorted by the program
 * itself, so the output does not depend on the file system's order.
 *
 * With --expect-sorted (reprise only: a real file system returns entries in
 * hash or creation order) it also checks that the raw order is already sorted
 * byte-wise, as reprise promises. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define MAX_ENTRIES 512

struct entry {
    char name[256];
    unsigned char type;
};

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static const char *type_name(unsigned char t)
{
    switch (t) {
    case DT_REG: return "file";
    case DT_DIR: return "dir";
    case DT_LNK: return "link";
    case DT_UNKNOWN: return "unknown";
    default: return "other";
    }
}

/* Reads the whole directory with getdents64 and a buffer of bufsize bytes. */
static int list_raw(const char *dir, size_t bufsize, struct entry *out)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK_SYS(fd);
    /* The buffer is bigger than what the kernel is told, so nothing reads past it. */
    static char buf[8192] __attribute__((aligned(8)));
    CHECK(bufsize <= sizeof buf, "bufsize too big");
    int n = 0, calls = 0;
    for (;;) {
        long got = syscall(SYS_getdents64, fd, buf, bufsize);
        CHECK(got >= 0, "getdents64: %s", errno_name(errno));
        if (got == 0)
            break;
        calls++;
        for (long off = 0; off < got;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            CHECK(d->d_reclen > 0 && off + d->d_reclen <= got, "bad d_reclen %u", d->d_reclen);
            CHECK(d->d_ino != 0, "d_ino of %s is 0", d->d_name);
            CHECK(n < MAX_ENTRIES, "too many entries");
            CHECK(strlen(d->d_name) < sizeof out[n].name, "name too long");
            strcpy(out[n].name, d->d_name);
            out[n].type = d->d_type;
            n++;
            off += d->d_reclen;
        }
    }
    CHECK(calls > 1 || bufsize > 4096, "a %zu-byte buffer took only %d call(s)", bufsize, calls);
    CHECK_SYS(close(fd));
    return n;
}

int main(int argc, char **argv)
{
    CHECK(argc >= 2, "usage: dirlist DIR [--expect-sorted]");
    int expect_sorted = argc > 2 && strcmp(argv[2], "--expect-sorted") == 0;

    char dir[4096], p[8192];
    snprintf(dir, sizeof dir, "%s/listing", argv[1]);
    CHECK_SYS(mkdir(dir, 0755));
    static const char *files[] = {"zeta", "alpha", "Mid", "beta.txt", "_under", ".hidden"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
        CHECK_SYS(fd);
        CHECK_SYS(close(fd));
    }
    /* Enough numbered files that the listing spans many getdents64 calls. */
    for (int i = 0; i < 100; i++) {
        snprintf(p, sizeof p, "%s/n%03d", dir, (i * 37) % 100);
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
        CHECK_SYS(fd);
        CHECK_SYS(close(fd));
    }
    snprintf(p, sizeof p, "%s/subdir", dir);
    CHECK_SYS(mkdir(p, 0755));

    /* readdir() */
    static struct entry a[MAX_ENTRIES], b[MAX_ENTRIES];
    DIR *d = opendir(dir);
    CHECK(d != NULL, "opendir: %s", errno_name(errno));
    int na = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        CHECK(na < MAX_ENTRIES, "too many entries");
        snprintf(a[na].name, sizeof a[na].name, "%s", de->d_name);
        a[na].type = de->d_type;
        na++;
    }

    /* rewinddir gives the same sequence again. */
    rewinddir(d);
    for (int i = 0; i < na; i++) {
        de = readdir(d);
        CHECK(de != NULL && strcmp(de->d_name, a[i].name) == 0, "rewinddir: entry %d differs", i);
    }
    CHECK(readdir(d) == NULL, "rewinddir: extra entries");

    /* telldir/seekdir resume at the remembered entry. */
    rewinddir(d);
    for (int i = 0; i < 50; i++)
        CHECK(readdir(d) != NULL, "readdir");
    long pos = telldir(d);
    de = readdir(d);
    CHECK(de != NULL, "readdir at 50");
    char at50[256];
    snprintf(at50, sizeof at50, "%s", de->d_name);
    for (int i = 0; i < 20; i++)
        CHECK(readdir(d) != NULL, "readdir");
    seekdir(d, pos);
    de = readdir(d);
    CHECK(de != NULL && strcmp(de->d_name, at50) == 0, "seekdir did not return to %s", at50);
    closedir(d);
    printf("readdir: %d entries; rewinddir and seekdir/telldir consistent\n", na);

    /* raw getdents64 with a small buffer */
    int nb = list_raw(dir, 96, b);
    CHECK(nb == na, "getdents64 found %d entries, readdir %d", nb, na);

    if (expect_sorted) {
        for (int i = 1; i < nb; i++)
            CHECK(strcmp(b[i - 1].name, b[i].name) < 0, "raw order not sorted: \"%s\" before \"%s\"",
                  b[i - 1].name, b[i].name);
        printf("raw getdents64 order is sorted\n");
    }

    qsort(a, (size_t)na, sizeof a[0], cmp_entry);
    qsort(b, (size_t)nb, sizeof b[0], cmp_entry);
    int dots = 0, dotdots = 0;
    for (int i = 0; i < na; i++) {
        CHECK(strcmp(a[i].name, b[i].name) == 0 && a[i].type == b[i].type,
              "readdir and getdents64 differ at %d: %s/%s", i, a[i].name, b[i].name);
        dots += strcmp(a[i].name, ".") == 0;
        dotdots += strcmp(a[i].name, "..") == 0;
    }
    CHECK(dots == 1 && dotdots == 1, "\".\" seen %d times, \"..\" %d times", dots, dotdots);
    printf("getdents64 with a 96-byte buffer: same %d entries and types\n", nb);

    /* A buffer too small for any entry. */
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK_SYS(fd);
    char tiny[8];
    CHECK(syscall(SYS_getdents64, fd, tiny, sizeof tiny) == -1 && errno == EINVAL,
          "getdents64 with an 8-byte buffer: expected EINVAL, got %s", errno_name(errno));
    printf("getdents64 with an 8-byte buffer -> EINVAL\n");
    CHECK_SYS(close(fd));

    /* Print the sorted listing, skipping the 100 numbered files after checking them. */
    int numbered = 0;
    for (int i = 0; i < na; i++) {
        if (a[i].name[0] == 'n' && strlen(a[i].name) == 4) {
            CHECK(a[i].type == DT_REG, "%s is not a regular file", a[i].name);
            numbered++;
            continue;
        }
        printf("%-10s %s\n", a[i].name, type_name(a[i].type));
    }
    printf("numbered files n000..n099: %d\n", numbered);

    guest_ok("dirlist");
    return 0;
}
