/* fsmeta: file metadata and file system facts, in the directory argv[1].
 *
 * chmod/fchmod/fchmodat change the mode stat shows; link/linkat add names
 * (st_nlink counts them, a directory cannot get one: EPERM, an existing
 * name: EEXIST); copy_file_range copies between regular files, moving the
 * offsets it is given or else the files'; utimensat sets the mtime to a
 * given time, leaves it with UTIME_OMIT and works on a descriptor
 * (futimens); statfs/fstatfs answer for
 * files and fail for a missing path; fadvise accepts advice for a file and
 * refuses a pipe; getrusage/times account work; a socket call on a file
 * descriptor says ENOTSOCK. With --reprise it also checks what reprise
 * promises where Linux depends on the host: the root's statfs figures,
 * extended attributes (EOPNOTSUPP), socket() (EAFNOSUPPORT), and chown,
 * which natively would need root. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/times.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static char dir[4096];

static const char *in(const char *name)
{
    static char buf[2][4200];
    static int n;
    char *b = buf[n++ & 1];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    CHECK_SYS(stat(path, &st));
    return st.st_mode & 07777;
}

int main(int argc, char **argv)
{
    CHECK(argc >= 2, "usage: fsmeta DIR [--reprise]");
    snprintf(dir, sizeof dir, "%s", argv[1]);
    int reprise = argc > 2 && strcmp(argv[2], "--reprise") == 0;
    umask(022);

    /* Modes. */
    int fd = open(in("f"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(fd);
    CHECK(write(fd, "hello\n", 6) == 6, "write");
    CHECK_SYS(chmod(in("f"), 0600));
    printf("chmod 600: %o\n", mode_of(in("f")));
    CHECK_SYS(fchmod(fd, 04751));
    printf("fchmod 4751: %o\n", mode_of(in("f")));
    CHECK_SYS(fchmodat(AT_FDCWD, in("f"), 0640, 0));
    printf("fchmodat 640: %o\n", mode_of(in("f")));
    CHECK_SYS(mkdir(in("d"), 0755));
    CHECK_SYS(chmod(in("d"), 0700));
    printf("chmod of a directory 700: %o\n", mode_of(in("d")));
    CHECK_SYS(symlink("f", in("sl")));
    CHECK_SYS(chmod(in("sl"), 0604)); /* follows the link */
    printf("chmod through a symlink changes its target: %o\n", mode_of(in("f")));
    expect_errno(chmod(in("missing"), 0600), ENOENT, "chmod of a missing file");

    /* Hard links. */
    CHECK_SYS(link(in("f"), in("g")));
    struct stat st;
    CHECK_SYS(stat(in("f"), &st));
    printf("after link: nlink %lu\n", (unsigned long)st.st_nlink);
    CHECK_SYS(linkat(AT_FDCWD, in("sl"), AT_FDCWD, in("h"), AT_SYMLINK_FOLLOW));
    CHECK_SYS(stat(in("f"), &st));
    printf("after linkat AT_SYMLINK_FOLLOW: nlink %lu\n", (unsigned long)st.st_nlink);
    CHECK_SYS(linkat(AT_FDCWD, in("sl"), AT_FDCWD, in("sl2"), 0));
    CHECK_SYS(lstat(in("sl2"), &st));
    printf("linkat without it links the symlink: %s\n", S_ISLNK(st.st_mode) ? "yes" : "no");
    char buf[16] = {0};
    int g = open(in("g"), O_RDONLY);
    CHECK_SYS(g);
    CHECK(read(g, buf, sizeof buf - 1) == 6, "read g");
    close(g);
    printf("the new name reads %s", buf);
    expect_errno(link(in("d"), in("d2")), EPERM, "link of a directory");
    expect_errno(link(in("f"), in("g")), EEXIST, "link onto an existing name");
    expect_errno(link(in("missing"), in("m2")), ENOENT, "link of a missing file");
    CHECK_SYS(unlink(in("g")));
    CHECK_SYS(stat(in("f"), &st));
    printf("after unlink: nlink %lu\n", (unsigned long)st.st_nlink);

    /* copy_file_range: given offsets move, absent ones use the files'. */
    int src = open(in("src"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    int dst = open(in("dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(src);
    CHECK_SYS(dst);
    CHECK(write(src, "0123456789", 10) == 10, "write src");
    loff_t off = 2;
    CHECK(copy_file_range(src, &off, dst, NULL, 5, 0) == 5, "copy_file_range with an offset");
    CHECK(off == 7 && lseek(dst, 0, SEEK_CUR) == 5 && lseek(src, 0, SEEK_CUR) == 10,
          "copy_file_range offsets");
    CHECK(lseek(src, 8, SEEK_SET) == 8, "lseek");
    CHECK(copy_file_range(src, NULL, dst, NULL, 100, 0) == 2, "copy_file_range to EOF");
    CHECK(copy_file_range(src, NULL, dst, NULL, 100, 0) == 0, "copy_file_range at EOF");
    char copy[16] = {0};
    CHECK(pread(dst, copy, sizeof copy - 1, 0) == 7, "pread dst");
    printf("copy_file_range copied: %s\n", copy);
    expect_errno(copy_file_range(src, NULL, dst, NULL, 1, 1), EINVAL,
                 "copy_file_range with flags 1");
    int cp[2];
    CHECK_SYS(pipe(cp));
    expect_errno(copy_file_range(cp[0], NULL, dst, NULL, 1, 0), EINVAL,
                 "copy_file_range from a pipe");
    close(cp[0]);
    close(cp[1]);
    close(src);
    close(dst);

    /* Times. */
    struct timespec ts[2] = {{1000000000, 0}, {1234567890, 500}};
    CHECK_SYS(utimensat(AT_FDCWD, in("f"), ts, 0));
    CHECK_SYS(stat(in("f"), &st));
    printf("utimensat: mtime %lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    CHECK_SYS(utimensat(AT_FDCWD, in("f"), omit, 0));
    CHECK_SYS(stat(in("f"), &st));
    printf("UTIME_OMIT keeps it: %lld\n", (long long)st.st_mtim.tv_sec);
    struct timespec onfd[2] = {{1500000000, 0}, {1500000000, 0}};
    CHECK_SYS(futimens(fd, onfd));
    CHECK_SYS(stat(in("f"), &st));
    printf("futimens: %lld\n", (long long)st.st_mtim.tv_sec);
    CHECK_SYS(utimensat(AT_FDCWD, in("d"), ts, 0));
    CHECK_SYS(stat(in("d"), &st));
    printf("utimensat of a directory: %lld\n", (long long)st.st_mtim.tv_sec);
    CHECK_SYS(utimensat(AT_FDCWD, in("sl"), onfd, AT_SYMLINK_NOFOLLOW));
    CHECK_SYS(lstat(in("sl"), &st));
    printf("utimensat AT_SYMLINK_NOFOLLOW: %lld\n", (long long)st.st_mtim.tv_sec);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    expect_errno(utimensat(AT_FDCWD, in("f"), bad, 0), EINVAL, "utimensat with tv_nsec 1e9");
    expect_errno(utimensat(AT_FDCWD, in("missing"), ts, 0), ENOENT, "utimensat of a missing file");

    /* statfs. */
    struct statfs sf;
    CHECK_SYS(statfs(dir, &sf));
    CHECK(sf.f_bsize > 0 && sf.f_namelen == 255, "statfs: bsize %ld namelen %ld",
          (long)sf.f_bsize, (long)sf.f_namelen);
    struct statfs sf2;
    CHECK_SYS(fstatfs(fd, &sf2));
    CHECK(sf2.f_type == sf.f_type, "fstatfs and statfs disagree");
    printf("statfs and fstatfs agree; namelen 255\n");
    CHECK_SYS(statfs("/proc", &sf));
    printf("statfs /proc: %s\n", sf.f_type == 0x9fa0 ? "PROC_SUPER_MAGIC" : "other");
    expect_errno(statfs(in("missing"), &sf), ENOENT, "statfs of a missing path");
    expect_errno(fstatfs(-1, &sf), EBADF, "fstatfs(-1)");
    if (reprise) {
        CHECK_SYS(statfs(dir, &sf));
        printf("reprise: the root is ext4 (%lx), %llu blocks of %ld, %llu free\n",
               (unsigned long)sf.f_type, (unsigned long long)sf.f_blocks, (long)sf.f_bsize,
               (unsigned long long)sf.f_bfree);
    }

    /* fadvise. */
    int rc = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    printf("posix_fadvise SEQUENTIAL: %d\n", rc);
    int p[2];
    CHECK_SYS(pipe(p));
    printf("posix_fadvise on a pipe: %s\n", errno_name(posix_fadvise(p[0], 0, 0, 0)));
    printf("posix_fadvise with advice 99: %s\n", errno_name(posix_fadvise(fd, 0, 0, 99)));

    /* Accounting. Linux splits a process's run time by where its clock
     * ticks landed, so a short loop whose only tick came in the kernel shows
     * no user time: loop until some shows (one round is enough in reprise,
     * whose accounting is exact), within a bound. */
    volatile unsigned long x = 0;
    struct rusage ru;
    for (int round = 0;; round++) {
        for (unsigned long i = 0; i < 3000000; i++)
            x += i;
        CHECK_SYS(getrusage(RUSAGE_SELF, &ru));
        if (ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec > 0)
            break;
        CHECK(round < 1000, "no user time after a loop");
    }
    CHECK_SYS(getrusage(RUSAGE_CHILDREN, &ru));
    CHECK_SYS(getrusage(RUSAGE_THREAD, &ru));
    expect_errno(getrusage(7, &ru), EINVAL, "getrusage(7)");
    struct tms t;
    clock_t now = times(&t);
    CHECK(now != (clock_t)-1 && t.tms_cutime == 0, "times");
    printf("getrusage and times account the loop\n");

    /* Sockets: a file descriptor is not one. */
    expect_errno(getpeername(fd, NULL, NULL), ENOTSOCK, "getpeername of a file");
    expect_errno(shutdown(fd, SHUT_RDWR), ENOTSOCK, "shutdown of a file");
    expect_errno(getsockname(-1, NULL, NULL), EBADF, "getsockname(-1)");
    expect_errno(socket(AF_UNIX, 99, 0), EINVAL, "socket with type 99");
    expect_errno(socket(AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL, "socket with a bad flag");
    if (reprise) {
        expect_errno(socket(AF_INET, SOCK_STREAM, 0), EAFNOSUPPORT, "reprise: socket(AF_INET)");
        expect_errno(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0), EAFNOSUPPORT,
                     "reprise: socket(AF_NETLINK)");
        expect_errno(lgetxattr(in("f"), "user.x", buf, sizeof buf), EOPNOTSUPP,
                     "reprise: lgetxattr");
        expect_errno(listxattr(in("f"), buf, sizeof buf), EOPNOTSUPP, "reprise: listxattr");
        expect_errno(fsetxattr(fd, "user.x", "1", 1, 0), EOPNOTSUPP, "reprise: fsetxattr");
        expect_errno(getxattr(in("missing"), "user.x", buf, sizeof buf), ENOENT,
                     "reprise: getxattr of a missing file");

        /* chown as root (the guest's default uid); natively this would need
         * the test to run as root. */
        CHECK_SYS(chown(in("f"), 1234, 5678));
        CHECK_SYS(stat(in("f"), &st));
        printf("reprise: chown 1234:5678 -> %u:%u\n", st.st_uid, st.st_gid);
        CHECK_SYS(fchown(fd, -1, 42));
        CHECK_SYS(stat(in("f"), &st));
        printf("reprise: fchown -1:42 -> %u:%u\n", st.st_uid, st.st_gid);
        CHECK_SYS(lchown(in("sl"), 7, 7));
        CHECK_SYS(lstat(in("sl"), &st));
        struct stat target;
        CHECK_SYS(stat(in("sl"), &target));
        printf("reprise: lchown changes the link (%u) not its target (%u)\n", st.st_uid,
               target.st_uid);
        CHECK_SYS(chmod(in("f"), 06755));
        CHECK_SYS(fchownat(AT_FDCWD, in("f"), 0, 0, 0));
        printf("reprise: chown clears set-id bits: %o\n", mode_of(in("f")));
        expect_errno(chown(in("missing"), 0, 0), ENOENT, "reprise: chown of a missing file");
    }
    close(fd);
    printf("ok: fsmeta\n");
    return 0;
}
