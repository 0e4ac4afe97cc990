/* eventfd: the counter of eventfd(2)/eventfd2(2).
 *
 * A read takes the whole count (one with EFD_SEMAPHORE) and fails with
 * EAGAIN at zero when non-blocking; writes add, EINVAL for 2^64-1 and for
 * buffers under 8 bytes, EAGAIN where the sum would pass 2^64-2; poll and
 * epoll see POLLIN while the count is not zero and POLLOUT while there is
 * room; a blocking read waits for a child's write; the descriptor is an
 * anonymous inode named anon_inode:[eventfd]. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static uint64_t take(int fd)
{
    uint64_t v = 0;
    CHECK(read(fd, &v, sizeof v) == 8, "read: %s", errno_name(errno));
    return v;
}

static void put(int fd, uint64_t v)
{
    CHECK(write(fd, &v, sizeof v) == 8, "write: %s", errno_name(errno));
}

static short ready(int fd)
{
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    CHECK(poll(&p, 1, 0) >= 0, "poll");
    return p.revents;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    int fd = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK_SYS(fd);
    printf("initial poll: IN %d OUT %d\n", !!(ready(fd) & POLLIN), !!(ready(fd) & POLLOUT));
    printf("read: %llu\n", (unsigned long long)take(fd));
    uint64_t v;
    expect_errno(read(fd, &v, sizeof v), EAGAIN, "read at zero");
    printf("poll at zero: IN %d OUT %d\n", !!(ready(fd) & POLLIN), !!(ready(fd) & POLLOUT));
    put(fd, 5);
    put(fd, 2);
    printf("read after 5 + 2: %llu\n", (unsigned long long)take(fd));
    expect_errno(read(fd, &v, 4), EINVAL, "read of 4 bytes");
    expect_errno(write(fd, &v, 4), EINVAL, "write of 4 bytes");
    v = UINT64_MAX;
    expect_errno(write(fd, &v, 8), EINVAL, "write of 2^64-1");
    put(fd, UINT64_MAX - 1);
    printf("full poll: IN %d OUT %d\n", !!(ready(fd) & POLLIN), !!(ready(fd) & POLLOUT));
    v = 1;
    expect_errno(write(fd, &v, 8), EAGAIN, "write past the largest count");
    put(fd, 0);
    printf("read of the largest count is 2^64-2: %s\n", take(fd) == UINT64_MAX - 1 ? "yes" : "no");
    printf("lseek: %lld\n", (long long)lseek(fd, 100, SEEK_SET));

    struct stat st;
    CHECK_SYS(fstat(fd, &st));
    printf("fstat mode %o\n", (unsigned)st.st_mode);
    char link[64] = {0}, path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    CHECK(readlink(path, link, sizeof link - 1) > 0, "readlink");
    printf("link: %s\n", link);
    printf("close-on-exec: %s\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
    CHECK_SYS(close(fd));

    int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    CHECK_SYS(sem);
    uint64_t a = take(sem);
    uint64_t b = take(sem);
    printf("semaphore reads: %llu %llu\n", (unsigned long long)a, (unsigned long long)b);
    expect_errno(read(sem, &v, 8), EAGAIN, "semaphore read at zero");
    CHECK_SYS(close(sem));
    expect_errno(eventfd(0, 0x100), EINVAL, "eventfd with an unknown flag");

    /* A blocking read waits for a child's write; epoll sees it too. */
    int blk = eventfd(0, 0);
    CHECK_SYS(blk);
    int ep = epoll_create1(0);
    CHECK_SYS(ep);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 42};
    CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_ADD, blk, &ev));
    pid_t child = fork();
    CHECK_SYS(child);
    if (child == 0) {
        usleep(10000);
        put(blk, 9);
        _exit(0);
    }
    struct epoll_event out;
    int n = epoll_wait(ep, &out, 1, -1);
    printf("epoll_wait: %d event, data %llu, EPOLLIN %d\n", n, (unsigned long long)out.data.u64,
           !!(out.events & EPOLLIN));
    printf("blocking read: %llu\n", (unsigned long long)take(blk));
    int status;
    CHECK_SYS(waitpid(child, &status, 0));
    child = fork();
    CHECK_SYS(child);
    if (child == 0) {
        usleep(10000);
        put(blk, 4);
        _exit(0);
    }
    printf("read that waited: %llu\n", (unsigned long long)take(blk));
    CHECK_SYS(waitpid(child, &status, 0));
    CHECK_SYS(close(ep));
    CHECK_SYS(close(blk));
    printf("ok: eventfd\n");
    return 0;
}
