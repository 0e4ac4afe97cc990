/* Write isolation: the file systems of --tmpfs, --bind and --overlay.
 *
 *   isolation tmpfs DIR [--reprise]
 *       POSIX file semantics in DIR (natively any directory; under reprise a
 *       --tmpfs mount): create, write, holes, append, mmap, rename, unlink
 *       with an open descriptor, symlinks, hard links, chmod, utimensat,
 *       rmdir, listings. --reprise adds what only reprise's tmpfs shows: its
 *       statfs type, its /proc/mounts line, EXDEV to the root, the listing's
 *       order and the size cap.
 *   isolation overlay DIR HOSTVIEW
 *       Under reprise --overlay with DIR bound (not overlaid) at HOSTVIEW:
 *       what is written through HOSTVIEW reaches the host and shows in DIR;
 *       what is written through DIR never reaches HOSTVIEW.
 *   isolation bind RO RW
 *       RO a read-only bind (every change EROFS), RW a writable one whose
 *       symlinks and ".." stay in the guest's tree.
 */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static char path_buf[8][4096];
static int path_next;

/* DIR/NAME in one of a few rotating buffers. */
static const char *at(const char *dir, const char *name)
{
    char *p = path_buf[path_next++ % 8];
    snprintf(p, 4096, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(fd);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s", path);
    CHECK_SYS(close(fd));
}

/* The whole file (at most 4095 bytes) as a string; "" with errno when it
 * cannot be opened. */
static const char *read_file(const char *path)
{
    static char buf[4096];
    buf[0] = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return "(absent)";
    ssize_t n = read(fd, buf, sizeof buf - 1);
    CHECK(n >= 0, "read %s", path);
    buf[n] = 0;
    close(fd);
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints DIR's entries (without . and ..), sorted unless \p raw (then in
 * getdents order, which only reprise keeps sorted). */
static void list(const char *label, const char *dir, int raw)
{
    DIR *d = opendir(dir);
    CHECK(d, "opendir %s: %s", dir, errno_name(errno));
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    if (!raw)
        qsort(names, n, sizeof *names, cmp_str);
    printf("%s:", label);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void tmpfs_mode(const char *dir, int reprise)
{
    struct stat st, st2;

    /* Create, write, read back; a hole reads as zeros. */
    write_file(at(dir, "a"), "alpha\n");
    printf("a: %s", read_file(at(dir, "a")));
    int fd = open(at(dir, "holes"), O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK_SYS(fd);
    expect_errno(open(at(dir, "holes"), O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST,
                 "open O_EXCL of an existing file");
    CHECK(pwrite(fd, "end", 3, 10000) == 3, "pwrite");
    CHECK_SYS(fstat(fd, &st));
    char buf[16];
    CHECK(pread(fd, buf, 4, 5000) == 4 && !memcmp(buf, "\0\0\0\0", 4), "hole");
    printf("holes: size %lld mode %o\n", (long long)st.st_size, st.st_mode & 07777);
    CHECK_SYS(ftruncate(fd, 3));
    CHECK_SYS(fstat(fd, &st));
    printf("truncated: size %lld\n", (long long)st.st_size);
    CHECK_SYS(close(fd));

    /* O_APPEND writes at the end whatever the position. */
    fd = open(at(dir, "a"), O_WRONLY | O_APPEND);
    CHECK_SYS(fd);
    CHECK_SYS(lseek(fd, 0, SEEK_SET));
    CHECK(write(fd, "beta\n", 5) == 5, "append");
    CHECK_SYS(close(fd));
    printf("appended: %s", read_file(at(dir, "a")));

    /* A shared mapping writes the file; a private one does not. */
    fd = open(at(dir, "mapped"), O_RDWR | O_CREAT, 0644);
    CHECK_SYS(fd);
    CHECK_SYS(ftruncate(fd, 4096));
    char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED, "mmap shared: %s", errno_name(errno));
    memcpy(m, "mapped!", 7);
    CHECK_SYS(msync(m, 4096, MS_SYNC));
    CHECK_SYS(munmap(m, 4096));
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(m != MAP_FAILED, "mmap private");
    memcpy(m, "private", 7);
    CHECK_SYS(munmap(m, 4096));
    CHECK(pread(fd, buf, 7, 0) == 7, "pread mapped");
    buf[7] = 0;
    printf("mapped: %s\n", buf);
    CHECK_SYS(close(fd));

    /* Rename over an existing file; the old name is gone. */
    write_file(at(dir, "b"), "bravo\n");
    CHECK_SYS(rename(at(dir, "b"), at(dir, "a")));
    printf("renamed: a=%s", read_file(at(dir, "a")));
    expect_errno(access(at(dir, "b"), F_OK), ENOENT, "old name after rename");

    /* Unlink with an open descriptor: the data lives on, nlink is 0. */
    fd = open(at(dir, "a"), O_RDWR);
    CHECK_SYS(fd);
    CHECK_SYS(unlink(at(dir, "a")));
    CHECK_SYS(fstat(fd, &st));
    CHECK(pread(fd, buf, 6, 0) == 6 && !memcmp(buf, "bravo\n", 6), "read unlinked");
    CHECK(write(fd, "x", 1) == 1, "write unlinked");
    printf("unlinked but open: nlink %ld\n", (long)st.st_nlink);
    CHECK_SYS(close(fd));

    /* Symlinks: relative and dangling. */
    CHECK_SYS(symlink("mapped", at(dir, "link")));
    CHECK_SYS(symlink("nowhere", at(dir, "dangling")));
    ssize_t n = readlink(at(dir, "link"), buf, sizeof buf);
    CHECK(n == 6, "readlink");
    CHECK_SYS(lstat(at(dir, "link"), &st));
    printf("symlink: -> %.*s, lstat size %lld, is link %d\n", (int)n, buf,
           (long long)st.st_size, S_ISLNK(st.st_mode));
    CHECK(!strncmp(read_file(at(dir, "link")), "mapped!", 7), "through the link");
    expect_errno(open(at(dir, "dangling"), O_RDONLY), ENOENT, "open dangling link");
    expect_errno(open(at(dir, "link"), O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a link");

    /* Hard links share the inode; nlink counts names. */
    CHECK_SYS(link(at(dir, "mapped"), at(dir, "hard")));
    CHECK_SYS(stat(at(dir, "mapped"), &st));
    CHECK_SYS(stat(at(dir, "hard"), &st2));
    printf("hard link: same inode %d, nlink %ld\n", st.st_ino == st2.st_ino,
           (long)st.st_nlink);
    CHECK_SYS(unlink(at(dir, "hard")));
    CHECK_SYS(stat(at(dir, "mapped"), &st));
    printf("after unlink: nlink %ld\n", (long)st.st_nlink);

    /* chmod and given times. */
    CHECK_SYS(chmod(at(dir, "mapped"), 0640));
    struct timespec ts[2] = {{1000000000, 5}, {1200000000, 7}};
    CHECK_SYS(utimensat(AT_FDCWD, at(dir, "mapped"), ts, 0));
    CHECK_SYS(stat(at(dir, "mapped"), &st));
    printf("chmod/utimensat: mode %o mtime %lld.%09ld\n", st.st_mode & 07777,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

    /* Directories. */
    CHECK_SYS(mkdir(at(dir, "d"), 0755));
    CHECK_SYS(mkdir(at(dir, "d/sub"), 0755));
    write_file(at(dir, "d/sub/f"), "f\n");
    CHECK_SYS(stat(at(dir, "d"), &st));
    printf("dir: nlink %ld\n", (long)st.st_nlink);
    expect_errno(rmdir(at(dir, "d/sub")), ENOTEMPTY, "rmdir of a non-empty dir");
    expect_errno(rename(at(dir, "d"), at(dir, "d/sub/into")), EINVAL,
                 "rename a dir into itself");
    expect_errno(link(at(dir, "d"), at(dir, "dirlink")), EPERM, "link to a dir");
    expect_errno(unlink(at(dir, "d")), EISDIR, "unlink of a dir");
    CHECK_SYS(rename(at(dir, "d/sub"), at(dir, "moved")));
    CHECK_SYS(stat(at(dir, "d"), &st));
    printf("dir after moving its subdir: nlink %ld\n", (long)st.st_nlink);
    printf("moved/f: %s", read_file(at(dir, "moved/f")));
    CHECK_SYS(unlink(at(dir, "moved/f")));
    CHECK_SYS(rmdir(at(dir, "moved")));
    for (int i = 5; i >= 0; i--) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i * 7 % 10);
        write_file(at(dir, name), name);
    }
    list("listing", dir, 0);

    if (!reprise) {
        printf("ok: isolation\n");
        return;
    }
    /* What only reprise's tmpfs shows. */
    list("getdents order", dir, 1);
    struct statfs sf;
    CHECK_SYS(statfs(dir, &sf));
    printf("statfs: tmpfs %d\n", sf.f_type == 0x01021994);
    const char *mounts = read_file("/proc/self/mounts");
    char want[4200];
    snprintf(want, sizeof want, "tmpfs %s tmpfs ", dir);
    printf("in /proc/self/mounts: %d\n", strstr(mounts, want) != NULL);
    expect_errno(rename(at(dir, "n0"), "/isolation-elsewhere"), EXDEV,
                 "rename out of the tmpfs");
    /* The size cap: a write far past it is ENOSPC, not a crash. */
    fd = open(at(dir, "big"), O_WRONLY | O_CREAT, 0644);
    CHECK_SYS(fd);
    expect_errno(pwrite(fd, "x", 1, (off_t)1 << 40), ENOSPC, "write past the tmpfs cap");
    expect_errno(ftruncate(fd, (off_t)1 << 40), ENOSPC, "truncate past the tmpfs cap");
    CHECK_SYS(close(fd));
    printf("ok: isolation\n");
}

static void overlay_mode(const char *dir, const char *host)
{
    struct stat st, st2;
    /* Made on the host (through the bind): seen through the overlay. */
    CHECK_SYS(mkdir(at(host, "lower"), 0755));
    CHECK_SYS(mkdir(at(host, "lower/sub"), 0755));
    write_file(at(host, "lower/keep"), "keep\n");
    write_file(at(host, "lower/edit"), "original\n");
    write_file(at(host, "lower/gone"), "gone\n");
    write_file(at(host, "lower/sub/inner"), "inner\n");
    CHECK_SYS(symlink("keep", at(host, "lower/ln")));
    const char *L = at(dir, "lower");
    char lower[4096];
    snprintf(lower, sizeof lower, "%s", L);
    list("merged at start", lower, 1);
    CHECK_SYS(stat(at(lower, "edit"), &st));

    /* A write copies up: the host keeps the original; the inode stays. */
    int fd = open(at(lower, "edit"), O_WRONLY | O_APPEND);
    CHECK_SYS(fd);
    CHECK(write(fd, "changed\n", 8) == 8, "write");
    CHECK_SYS(close(fd));
    CHECK_SYS(stat(at(lower, "edit"), &st2));
    printf("edit: guest %s", read_file(at(lower, "edit")));
    printf("edit: host %s", read_file(at(host, "lower/edit")));
    printf("edit: same inode after copy-up %d\n", st.st_ino == st2.st_ino);

    /* chmod, times and truncate copy up too. */
    CHECK_SYS(chmod(at(lower, "keep"), 0600));
    CHECK_SYS(stat(at(lower, "keep"), &st));
    CHECK_SYS(stat(at(host, "lower/keep"), &st2));
    printf("chmod: guest %o host %o\n", st.st_mode & 0777, st2.st_mode & 0777);
    CHECK_SYS(truncate(at(lower, "keep"), 2));
    printf("truncate: guest %s|\n", read_file(at(lower, "keep")));
    printf("truncate: host %s", read_file(at(host, "lower/keep")));

    /* Unlink leaves a whiteout; the host file stays. */
    CHECK_SYS(unlink(at(lower, "gone")));
    expect_errno(access(at(lower, "gone"), F_OK), ENOENT, "whited-out file");
    printf("gone: host %s", read_file(at(host, "lower/gone")));
    write_file(at(lower, "gone"), "again\n");
    printf("gone made again: guest %s", read_file(at(lower, "gone")));
    CHECK_SYS(unlink(at(lower, "gone")));

    /* New files, renames, links: all in the upper layer. */
    write_file(at(lower, "new"), "new\n");
    CHECK_SYS(rename(at(lower, "new"), at(lower, "renamed")));
    CHECK_SYS(rename(at(lower, "ln"), at(lower, "ln2")));
    CHECK_SYS(link(at(lower, "renamed"), at(lower, "hard")));
    CHECK_SYS(stat(at(lower, "hard"), &st));
    printf("hard link in the upper layer: nlink %ld\n", (long)st.st_nlink);
    printf("ln2 -> keep: %s|\n", read_file(at(lower, "ln2")));
    expect_errno(rename(at(lower, "sub"), at(lower, "sub2")), EXDEV,
                 "rename of a lower directory");

    /* A lower directory: not empty while the lower layer has entries. */
    expect_errno(rmdir(at(lower, "sub")), ENOTEMPTY, "rmdir of a lower dir with files");
    CHECK_SYS(unlink(at(lower, "sub/inner")));
    CHECK_SYS(rmdir(at(lower, "sub")));
    CHECK_SYS(mkdir(at(lower, "sub"), 0700));
    list("sub made again (opaque)", at(lower, "sub"), 1);
    list("merged at the end", lower, 1);
    list("host at the end", at(host, "lower"), 0);
    printf("sub/inner on the host: %s", read_file(at(host, "lower/sub/inner")));

    /* Through the bind the host is written; the overlay is not in the way. */
    struct statfs sf;
    CHECK_SYS(statfs(lower, &sf));
    printf("statfs: ext4 %d\n", sf.f_type == 0xef53);
    printf("root in /proc/self/mounts: %d\n",
           strstr(read_file("/proc/self/mounts"), "overlay / overlay ") != NULL);
    printf("ok: isolation\n");
}

static void bind_mode(const char *ro, const char *rw)
{
    struct stat st;
    write_file(at(rw, "file"), "through the rw bind\n");
    printf("rw: %s", read_file(at(rw, "file")));
    /* The ro bind is the same host directory: what rw wrote is there. */
    printf("ro: %s", read_file(at(ro, "file")));
    expect_errno(open(at(ro, "file"), O_WRONLY), EROFS, "open for write");
    expect_errno(open(at(ro, "file"), O_RDONLY | O_TRUNC), EROFS, "open O_TRUNC");
    expect_errno(open(at(ro, "new"), O_WRONLY | O_CREAT, 0644), EROFS, "create");
    expect_errno(mkdir(at(ro, "d"), 0755), EROFS, "mkdir");
    expect_errno(unlink(at(ro, "file")), EROFS, "unlink");
    expect_errno(rename(at(ro, "file"), at(ro, "file2")), EROFS, "rename");
    expect_errno(symlink("x", at(ro, "sl")), EROFS, "symlink");
    expect_errno(link(at(ro, "file"), at(ro, "hl")), EROFS, "link");
    expect_errno(chmod(at(ro, "file"), 0600), EROFS, "chmod");
    expect_errno(truncate(at(ro, "file"), 0), EROFS, "truncate");
    expect_errno(utimensat(AT_FDCWD, at(ro, "file"), NULL, 0), EROFS, "utimensat");
    expect_errno(rename(at(rw, "file"), at(ro, "moved")), EXDEV, "rename between binds");
    expect_errno(rename(at(rw, "file"), "/isolation-moved"), EXDEV,
                 "rename from a bind to the root");

    /* ".." and symlinks resolve in the guest's tree, never above the bind's
     * host directory: "/isolation-rw/.." is the guest's "/". */
    struct stat root, up;
    CHECK_SYS(stat("/", &root));
    CHECK_SYS(stat(at(rw, ".."), &up));
    printf("..: the guest root %d\n", root.st_ino == up.st_ino && root.st_dev == up.st_dev);
    CHECK_SYS(symlink("../../../../..", at(rw, "up")));
    CHECK_SYS(stat(at(rw, "up"), &up));
    printf("symlink up: the guest root %d\n",
           root.st_ino == up.st_ino && root.st_dev == up.st_dev);
    CHECK_SYS(symlink("/", at(rw, "abs")));
    CHECK_SYS(stat(at(rw, "abs"), &up));
    printf("absolute symlink: the guest root %d\n",
           root.st_ino == up.st_ino && root.st_dev == up.st_dev);
    CHECK_SYS(stat(rw, &st));
    CHECK_SYS(stat(ro, &up));
    printf("binds have their own devices: %d\n",
           st.st_dev != root.st_dev && up.st_dev != root.st_dev && st.st_dev != up.st_dev);
    const char *mounts = read_file("/proc/self/mounts");
    char want[4200];
    snprintf(want, sizeof want, " %s hostfs ro,", ro);
    printf("ro in /proc/self/mounts: %d\n", strstr(mounts, want) != NULL);
    printf("ok: isolation\n");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && !strcmp(argv[1], "tmpfs"))
        tmpfs_mode(argv[2], argc > 3 && !strcmp(argv[3], "--reprise"));
    else if (argc == 4 && !strcmp(argv[1], "overlay"))
        overlay_mode(argv[2], argv[3]);
    else if (argc == 4 && !strcmp(argv[1], "bind"))
        bind_mode(argv[2], argv[3]);
    else {
        printf("usage: isolation tmpfs DIR [--reprise] | overlay DIR HOSTVIEW | bind RO RW\n");
        return 2;
    }
    return 0;
}
