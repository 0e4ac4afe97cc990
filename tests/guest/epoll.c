/* epoll: an epoll instance over pipes.
 *
 * Level-triggered entries report while data is there, with their datum;
 * EPOLLONESHOT reports once until EPOLL_CTL_MOD re-arms it; EPOLLET reports
 * when data arrives and not again while it stays; a write end reports
 * EPOLLOUT and, once the reader is gone, EPOLLERR; a wait with no ready entry
 * times out (epoll_wait, epoll_pwait) or blocks until a child writes; closing
 * the last descriptor of a file drops its entry. epoll_ctl refuses regular
 * files (EPERM), the instance itself, duplicates (EEXIST) and missing
 * entries (ENOENT); epoll_wait refuses maxevents 0 and a non-epoll fd. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* One wait: prints how many events and each one's events and datum. */
static int wait_print(const char *what, int ep, int timeout)
{
    struct epoll_event evs[8];
    int n = epoll_wait(ep, evs, 8, timeout);
    CHECK_SYS(n);
    printf("%s: %d", what, n);
    for (int i = 0; i < n; i++)
        printf(" [events %#x data %llu]", evs[i].events, (unsigned long long)evs[i].data.u64);
    printf("\n");
    return n;
}

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK_SYS(ep);
    CHECK(fcntl(ep, F_GETFD) == FD_CLOEXEC, "EPOLL_CLOEXEC");
    int a[2], b[2];
    CHECK_SYS(pipe(a));
    CHECK_SYS(pipe(b));

    CHECK_SYS(add(ep, a[0], EPOLLIN, 100));
    wait_print("empty pipe, timeout 0", ep, 0);
    CHECK(write(a[1], "xy", 2) == 2, "write");
    wait_print("after a write", ep, 0);
    wait_print("level-triggered, data still there", ep, 0);
    char buf[8];
    CHECK(read(a[0], buf, sizeof buf) == 2, "read");
    wait_print("after reading it all", ep, 0);

    /* One-shot. */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 200};
    CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_MOD, a[0], &ev));
    CHECK(write(a[1], "z", 1) == 1, "write");
    wait_print("one-shot, first wait", ep, 0);
    wait_print("one-shot, second wait", ep, 0);
    CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_MOD, a[0], &ev));
    wait_print("one-shot re-armed by MOD", ep, 0);
    CHECK(read(a[0], buf, sizeof buf) == 1, "read");

    /* Edge-triggered. */
    CHECK_SYS(add(ep, b[0], EPOLLIN | EPOLLET, 300));
    CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_DEL, a[0], NULL));
    CHECK(write(b[1], "e", 1) == 1, "write");
    wait_print("edge-triggered, data arrived", ep, 0);
    wait_print("edge-triggered, data still there", ep, 0);
    CHECK(read(b[0], buf, sizeof buf) == 1, "read");
    CHECK(write(b[1], "f", 1) == 1, "write");
    wait_print("edge-triggered, new data after draining", ep, 0);
    CHECK(read(b[0], buf, sizeof buf) == 1, "read");
    CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_DEL, b[0], NULL));

    /* A write end: room, then the reader gone. */
    CHECK_SYS(add(ep, a[1], EPOLLOUT, 400));
    wait_print("write end with room", ep, 0);
    close(a[0]);
    wait_print("write end, reader closed", ep, 0);
    CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_DEL, a[1], NULL));
    close(a[1]);

    /* Blocking until a child writes, and timeouts. */
    CHECK_SYS(add(ep, b[0], EPOLLIN, 500));
    struct epoll_event evs[4];
    sigset_t none;
    sigemptyset(&none);
    CHECK(epoll_pwait(ep, evs, 4, 20, &none) == 0, "epoll_pwait timed out with 0");
    printf("epoll_pwait with 20 ms and nothing ready: 0\n");
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        usleep(10000);
        if (write(b[1], "c", 1) != 1)
            _exit(1);
        _exit(0);
    }
    wait_print("blocking wait, woken by the child's write", ep, -1);
    int st;
    CHECK_SYS(waitpid(pid, &st, 0));
    CHECK(read(b[0], buf, sizeof buf) == 1, "read");

    /* Closing the last descriptor drops the entry. */
    CHECK(write(b[1], "d", 1) == 1, "write");
    close(b[0]);
    wait_print("after closing the watched descriptor", ep, 0);

    /* Errors. */
    int p[2];
    CHECK_SYS(pipe(p));
    char path[] = "/tmp/reprise-epoll-XXXXXX";
    int file = mkstemp(path);
    CHECK_SYS(file);
    unlink(path);
    expect_errno(add(ep, file, EPOLLIN, 0), EPERM, "epoll_ctl ADD of a regular file");
    expect_errno(add(ep, ep, EPOLLIN, 0), EINVAL, "epoll_ctl ADD of itself");
    CHECK_SYS(add(ep, p[0], EPOLLIN, 0));
    expect_errno(add(ep, p[0], EPOLLIN, 0), EEXIST, "epoll_ctl ADD twice");
    expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT, "epoll_ctl DEL of a stranger");
    expect_errno(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT, "epoll_ctl MOD of a stranger");
    expect_errno(epoll_ctl(ep, 99, p[0], &ev), EINVAL, "epoll_ctl with op 99");
    expect_errno(epoll_ctl(file, EPOLL_CTL_ADD, p[0], &ev), EINVAL, "epoll_ctl on a file");
    expect_errno(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev), EBADF, "epoll_ctl ADD of fd 99");
    expect_errno(epoll_wait(ep, evs, 0, 0), EINVAL, "epoll_wait with maxevents 0");
    expect_errno(epoll_wait(file, evs, 4, 0), EINVAL, "epoll_wait on a file");
    expect_errno(epoll_create(0), EINVAL, "epoll_create(0)");
    expect_errno(epoll_create1(1), EINVAL, "epoll_create1(1)");
    guest_ok("epoll");
    return 0;
}
