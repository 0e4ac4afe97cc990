/* fileio: a file I/O round trip inside the directory given as argv[1].
 *
 * Creates, writes, reads back with read/pread/pwrite/readv/writev, seeks,
 * checks sizes with fstat/stat/statx, truncates, renames, unlinks and makes and
 * removes directories, using both the plain libc calls and the *at / renameat2
 * forms. Every expected error is checked by errno name. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

static char base[4096];

static const char *path(const char *name)
{
    static char buf[2][8192];
    static int which;
    which ^= 1;
    snprintf(buf[which], sizeof buf[which], "%s/%s", base, name);
    return buf[which];
}

static off_t size_of_fd(int fd)
{
    struct stat st;
    CHECK_SYS(fstat(fd, &st));
    return st.st_size;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: fileio DIR");
    snprintf(base, sizeof base, "%s", argv[1]);
    umask(022);

    /* Create and write. */
    int fd = open(path("a.txt"), O_RDWR | O_CREAT | O_EXCL, 0666);
    CHECK_SYS(fd);
    CHECK(write(fd, "hello, file\n", 12) == 12, "write");
    printf("created a.txt, wrote 12 bytes, size %lld\n", (long long)size_of_fd(fd));
    expect_errno(open(path("a.txt"), O_RDWR | O_CREAT | O_EXCL, 0666), EEXIST,
                 "open(O_CREAT|O_EXCL) on an existing file");

    struct stat st;
    CHECK_SYS(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode), "a.txt is not a regular file");
    printf("mode %04o (umask 022 applied to 0666)\n", (unsigned)(st.st_mode & 07777));

    /* lseek and read back. */
    CHECK(lseek(fd, 0, SEEK_CUR) == 12, "SEEK_CUR after write");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "SEEK_SET");
    char buf[256] = {0};
    CHECK(read(fd, buf, sizeof buf) == 12, "read back");
    CHECK(memcmp(buf, "hello, file\n", 12) == 0, "read back content");
    CHECK(read(fd, buf, sizeof buf) == 0, "read at EOF is not 0");
    CHECK(lseek(fd, -5, SEEK_END) == 7, "SEEK_END");
    CHECK(read(fd, buf, 4) == 4 && memcmp(buf, "file", 4) == 0, "read after SEEK_END");
    expect_errno(lseek(fd, -100, SEEK_SET), EINVAL, "lseek to a negative offset");
    printf("read back after lseek: ok\n");

    /* pwrite past the end makes a hole that reads as zeros; the offset stays. */
    off_t before = lseek(fd, 0, SEEK_CUR);
    CHECK(pwrite(fd, "TAIL", 4, 100) == 4, "pwrite");
    CHECK(lseek(fd, 0, SEEK_CUR) == before, "pwrite moved the file offset");
    printf("pwrite at 100: size %lld\n", (long long)size_of_fd(fd));
    CHECK(pread(fd, buf, sizeof buf, 0) == 104, "pread whole file");
    for (int i = 12; i < 100; i++)
        CHECK(buf[i] == 0, "hole byte %d is %d", i, buf[i]);
    CHECK(memcmp(buf + 100, "TAIL", 4) == 0, "pread tail");
    CHECK(pread(fd, buf, 10, 1000) == 0, "pread past EOF");
    printf("pread: hole reads as zeros, tail intact\n");

    /* writev / readv. */
    struct iovec wv[3] = {{"one,", 4}, {"two,", 4}, {"three", 5}};
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "rewind");
    CHECK(writev(fd, wv, 3) == 13, "writev");
    char r1[5], r2[8];
    struct iovec rv[2] = {{r1, sizeof r1}, {r2, sizeof r2}};
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "rewind");
    CHECK(readv(fd, rv, 2) == 13, "readv");
    CHECK(memcmp(r1, "one,t", 5) == 0 && memcmp(r2, "wo,three", 8) == 0, "readv content");
    printf("writev/readv: ok\n");

    /* ftruncate down and up. */
    CHECK_SYS(ftruncate(fd, 3));
    printf("ftruncate 3: size %lld\n", (long long)size_of_fd(fd));
    CHECK(pread(fd, buf, sizeof buf, 0) == 3 && memcmp(buf, "one", 3) == 0, "after truncate");
    CHECK_SYS(ftruncate(fd, 8192));
    printf("ftruncate 8192: size %lld\n", (long long)size_of_fd(fd));
    CHECK(pread(fd, buf, 8, 3) == 8, "read extended part");
    for (int i = 0; i < 8; i++)
        CHECK(buf[i] == 0, "extended byte %d not zero", i);
    expect_errno(ftruncate(fd, -1), EINVAL, "ftruncate to -1");
    CHECK_SYS(close(fd));

    /* O_APPEND writes go to the end whatever the offset. */
    fd = open(path("a.txt"), O_WRONLY | O_APPEND);
    CHECK_SYS(fd);
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "seek on O_APPEND");
    CHECK(write(fd, "END", 3) == 3, "append write");
    printf("O_APPEND write: size %lld\n", (long long)size_of_fd(fd));
    CHECK_SYS(close(fd));
    expect_errno(close(fd), EBADF, "close of a closed fd");

    /* stat and statx by path. */
    CHECK_SYS(stat(path("a.txt"), &st));
    printf("stat size %lld, nlink %lu\n", (long long)st.st_size, (unsigned long)st.st_nlink);
    struct statx sx;
    CHECK_SYS(statx(AT_FDCWD, path("a.txt"), 0, STATX_BASIC_STATS, &sx));
    CHECK(sx.stx_size == (unsigned long long)st.st_size, "statx size differs from stat");
    CHECK(sx.stx_ino == st.st_ino, "statx inode differs from stat");
    printf("statx agrees with stat\n");

    /* O_TRUNC. */
    fd = open(path("a.txt"), O_RDWR | O_TRUNC);
    CHECK_SYS(fd);
    printf("O_TRUNC: size %lld\n", (long long)size_of_fd(fd));
    CHECK(write(fd, "renamed content", 15) == 15, "write");
    CHECK_SYS(close(fd));

    /* rename, then the old name is gone and the new one has the content. */
    CHECK_SYS(rename(path("a.txt"), path("b.txt")));
    expect_errno(stat(path("a.txt"), &st), ENOENT, "stat of the old name after rename");
    fd = open(path("b.txt"), O_RDONLY);
    CHECK_SYS(fd);
    memset(buf, 0, sizeof buf);
    CHECK(read(fd, buf, sizeof buf) == 15, "read renamed");
    printf("after rename b.txt holds \"%s\"\n", buf);
    CHECK_SYS(close(fd));

    /* renameat2 with RENAME_NOREPLACE refuses to overwrite. */
    fd = open(path("c.txt"), O_WRONLY | O_CREAT, 0600);
    CHECK_SYS(fd);
    CHECK_SYS(close(fd));
    expect_errno(syscall(SYS_renameat2, AT_FDCWD, path("c.txt"), AT_FDCWD, path("b.txt"),
                         RENAME_NOREPLACE),
                 EEXIST, "renameat2(RENAME_NOREPLACE) onto an existing file");
    /* Plain rename replaces. */
    CHECK_SYS(rename(path("c.txt"), path("b.txt")));
    CHECK_SYS(stat(path("b.txt"), &st));
    printf("rename over b.txt: size %lld, mode %04o\n", (long long)st.st_size,
           (unsigned)(st.st_mode & 07777));

    /* Directories: mkdir, files inside, rmdir refuses non-empty ones. */
    CHECK_SYS(mkdir(path("sub"), 0755));
    expect_errno(mkdir(path("sub"), 0755), EEXIST, "mkdir of an existing directory");
    int dfd = open(path("sub"), O_RDONLY | O_DIRECTORY);
    CHECK_SYS(dfd);
    CHECK_SYS(mkdirat(dfd, "inner", 0700));
    fd = openat(dfd, "inner/f", O_WRONLY | O_CREAT, 0644);
    CHECK_SYS(fd);
    CHECK(write(fd, "x", 1) == 1, "write inner/f");
    CHECK_SYS(close(fd));
    CHECK_SYS(fstatat(dfd, "inner/f", &st, 0));
    printf("sub/inner/f size %lld\n", (long long)st.st_size);
    CHECK_SYS(fstatat(dfd, "inner", &st, 0));
    CHECK(S_ISDIR(st.st_mode), "inner is not a directory");
    printf("sub/inner is a directory, mode %04o\n", (unsigned)(st.st_mode & 07777));
    expect_errno(rmdir(path("sub")), ENOTEMPTY, "rmdir of a non-empty directory");
    expect_errno(unlinkat(dfd, "inner", 0), EISDIR, "unlinkat of a directory without AT_REMOVEDIR");
    expect_errno(open(path("sub/inner/f/x"), O_RDONLY), ENOTDIR, "open through a regular file");
    expect_errno(open(path("sub/missing"), O_RDONLY), ENOENT, "open of a missing file");
    CHECK_SYS(unlinkat(dfd, "inner/f", 0));
    CHECK_SYS(unlinkat(dfd, "inner", AT_REMOVEDIR));
    CHECK_SYS(close(dfd));
    CHECK_SYS(rmdir(path("sub")));
    expect_errno(stat(path("sub"), &st), ENOENT, "stat of a removed directory");

    /* unlink, and the directory is empty again. */
    CHECK_SYS(unlink(path("b.txt")));
    expect_errno(unlink(path("b.txt")), ENOENT, "unlink of a removed file");
    CHECK_SYS(rmdir(base) == 0 ? mkdir(base, 0700) : -1);
    printf("the directory is empty again\n");

    guest_ok("fileio");
    return 0;
}
