/* fd_ops: file descriptor table operations on a file in argv[1].
 *
 * New descriptors take the lowest free number; dup/dup2/dup3/F_DUPFD share
 * the file offset and status flags but not FD_CLOEXEC; separately opened
 * descriptors have their own offset; F_SETFL changes O_APPEND/O_NONBLOCK;
 * bad descriptors give EBADF and dup3 onto itself gives EINVAL. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/close_range.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: fd_ops DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/fd.txt", argv[1]);

    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(fd);
    CHECK(fd == 3, "first free descriptor is %d, not 3", fd);
    printf("first open returns 3\n");
    CHECK(write(fd, "0123456789", 10) == 10, "write");

    /* dup shares the offset. */
    int d = dup(fd);
    CHECK(d == 4, "dup returned %d", d);
    CHECK(lseek(fd, 2, SEEK_SET) == 2, "lseek");
    CHECK(lseek(d, 0, SEEK_CUR) == 2, "dup does not share the offset");
    char c;
    CHECK(read(d, &c, 1) == 1 && c == '2', "read through the dup");
    CHECK(lseek(fd, 0, SEEK_CUR) == 3, "offset not shared after read");
    printf("dup returns 4 and shares the file offset\n");

    /* A second open has its own offset. */
    int other = open(path, O_RDONLY);
    CHECK(other == 5, "second open returned %d", other);
    CHECK(read(other, &c, 1) == 1 && c == '0', "independent offset");
    printf("a separate open has its own offset\n");

    /* Lowest free number is reused. */
    CHECK_SYS(close(d));
    d = open(path, O_RDONLY);
    CHECK(d == 4, "after closing 4, open returned %d", d);
    CHECK_SYS(close(d));
    printf("closing 4 makes it the next descriptor again\n");

    /* dup2 / dup3 / F_DUPFD. */
    CHECK(dup2(fd, 10) == 10, "dup2 to 10");
    CHECK(dup2(fd, fd) == fd, "dup2 onto itself");
    CHECK(dup3(fd, 11, O_CLOEXEC) == 11, "dup3 to 11");
    expect_errno(dup3(fd, fd, 0), EINVAL, "dup3 onto itself");
    int f = fcntl(fd, F_DUPFD, 7);
    CHECK(f == 7, "F_DUPFD 7 returned %d", f);
    int g = fcntl(fd, F_DUPFD_CLOEXEC, 7);
    CHECK(g == 8, "F_DUPFD_CLOEXEC 7 returned %d", g);
    printf("dup2 -> 10, dup3 -> 11, F_DUPFD(7) -> 7, F_DUPFD_CLOEXEC(7) -> 8\n");
    printf("FD_CLOEXEC: fd %d, dup2 %d, dup3 %d, F_DUPFD %d, F_DUPFD_CLOEXEC %d\n",
           fcntl(fd, F_GETFD), fcntl(10, F_GETFD), fcntl(11, F_GETFD), fcntl(7, F_GETFD),
           fcntl(8, F_GETFD));
    CHECK_SYS(fcntl(10, F_SETFD, FD_CLOEXEC));
    CHECK(fcntl(10, F_GETFD) == FD_CLOEXEC && fcntl(fd, F_GETFD) == 0, "F_SETFD is per descriptor");
    printf("F_SETFD on one descriptor leaves its duplicates alone\n");

    /* Status flags are shared between duplicates. */
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "access mode");
    CHECK_SYS(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
    int fl = fcntl(10, F_GETFL);
    CHECK((fl & O_APPEND) && (fl & O_NONBLOCK), "F_SETFL not seen through a duplicate");
    CHECK(lseek(10, 0, SEEK_SET) == 0, "lseek");
    CHECK(write(10, "A", 1) == 1, "append write");
    CHECK(lseek(fd, 0, SEEK_CUR) == 11, "O_APPEND write did not go to the end");
    CHECK_SYS(fcntl(fd, F_SETFL, 0));
    CHECK((fcntl(10, F_GETFL) & (O_APPEND | O_NONBLOCK)) == 0, "flags not cleared");
    printf("F_SETFL O_APPEND|O_NONBLOCK is shared by duplicates and makes writes append\n");

    /* Bad descriptors. */
    expect_errno(close(99), EBADF, "close(99)");
    expect_errno(read(99, &c, 1), EBADF, "read(99)");
    expect_errno(dup(99), EBADF, "dup(99)");
    expect_errno(fcntl(99, F_GETFD), EBADF, "fcntl(99, F_GETFD)");
    expect_errno(dup2(fd, -1), EBADF, "dup2(fd, -1)");
    int ro = open(path, O_RDONLY);
    CHECK_SYS(ro);
    expect_errno(write(ro, "x", 1), EBADF, "write to an O_RDONLY descriptor");
    int wo = open(path, O_WRONLY);
    CHECK_SYS(wo);
    expect_errno(read(wo, &c, 1), EBADF, "read from an O_WRONLY descriptor");

    for (int i = 3; i <= 11; i++)
        close(i);

    /* close_range: CLOEXEC marks, a plain call closes, both only in range. */
    for (int i = 0; i < 4; i++)
        CHECK(open(path, O_RDONLY) == 3 + i, "descriptors 3..6");
    CHECK_SYS(close_range(4, 5, CLOSE_RANGE_CLOEXEC));
    CHECK(fcntl(3, F_GETFD) == 0 && fcntl(4, F_GETFD) == FD_CLOEXEC &&
              fcntl(5, F_GETFD) == FD_CLOEXEC && fcntl(6, F_GETFD) == 0,
          "close_range CLOEXEC marked the wrong descriptors");
    printf("close_range(4, 5, CLOEXEC) marks 4 and 5 only\n");
    CHECK_SYS(close_range(4, ~0U, 0));
    CHECK(fcntl(3, F_GETFD) == 0, "close_range closed 3");
    expect_errno(fcntl(4, F_GETFD), EBADF, "fcntl(4) after close_range(4, ~0)");
    expect_errno(fcntl(6, F_GETFD), EBADF, "fcntl(6) after close_range(4, ~0)");
    expect_errno(close_range(5, 4, 0), EINVAL, "close_range(5, 4)");
    expect_errno(close_range(3, 3, 1), EINVAL, "close_range with flag 1");
    CHECK_SYS(close_range(3, 3, CLOSE_RANGE_UNSHARE));
    expect_errno(fcntl(3, F_GETFD), EBADF, "fcntl(3) after close_range UNSHARE");
    CHECK_SYS(unlink(path));
    guest_ok("fd_ops");
    return 0;
}
