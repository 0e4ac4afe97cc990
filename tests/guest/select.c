/* select: select(2) and pselect6(2) on pipes (glibc's select is pselect6
 * on arm64).
 *
 * An empty pipe is writable but not readable; a byte makes it readable; a
 * timeout of 0 polls; a timed-out select returns 0 with the time left (0)
 * written back; a closed descriptor in a set is EBADF, a negative count
 * EINVAL; a select without timeout waits for a child's write; pselect's
 * mask lets a blocked signal in for the wait only (EINTR, handler run). */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

int main(void)
{
    int p[2];
    CHECK_SYS(pipe(p));
    fd_set r, w;
    struct timeval tv = {0, 0};

    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    int n = select(p[1] + 1, &r, &w, NULL, &tv);
    printf("empty pipe: %d ready, read end %s, write end %s\n", n,
           FD_ISSET(p[0], &r) ? "readable" : "not readable",
           FD_ISSET(p[1], &w) ? "writable" : "not writable");

    CHECK(write(p[1], "x", 1) == 1, "write");
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    n = select(p[1] + 1, &r, &w, NULL, &tv);
    printf("one byte: %d ready, read end %s\n", n, FD_ISSET(p[0], &r) ? "readable" : "not readable");
    char c;
    CHECK(read(p[0], &c, 1) == 1, "read");

    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 0;
    tv.tv_usec = 30000;
    n = select(p[0] + 1, &r, NULL, NULL, &tv);
    printf("timed out: %d ready, read end %s, time left %ld.%06ld\n", n,
           FD_ISSET(p[0], &r) ? "set" : "cleared", (long)tv.tv_sec, (long)tv.tv_usec);

    int q[2];
    CHECK_SYS(pipe(q));
    CHECK_SYS(close(q[0]));
    FD_ZERO(&r);
    FD_SET(q[0], &r);
    tv.tv_usec = 0;
    expect_errno(select(q[0] + 1, &r, NULL, NULL, &tv), EBADF, "select on a closed fd");
    expect_errno(select(-1, NULL, NULL, NULL, &tv), EINVAL, "select with nfds -1");
    tv.tv_usec = -1;
    FD_ZERO(&r);
    expect_errno(select(1, &r, NULL, NULL, &tv), EINVAL, "select with -1 us");

    /* Waiting without timeout for a child's write. */
    fflush(stdout);
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
        CHECK(write(p[1], "y", 1) == 1, "child write");
        _exit(0);
    }
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    n = select(p[0] + 1, &r, NULL, NULL, NULL);
    printf("after the child's write: %d ready, read end %s\n", n,
           FD_ISSET(p[0], &r) ? "readable" : "not readable");
    CHECK(read(p[0], &c, 1) == 1 && c == 'y', "read the child's byte");
    CHECK_SYS(waitpid(pid, NULL, 0));

    /* pselect: SIGUSR1 is blocked but for the wait. */
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));
    sigset_t block, during;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    CHECK_SYS(sigprocmask(SIG_BLOCK, &block, NULL));
    sigemptyset(&during);
    fflush(stdout);
    pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timespec five = {5, 0};
    n = pselect(p[0] + 1, &r, NULL, NULL, &five, &during);
    int e = errno;
    printf("pselect: %d (%s), handler %s\n", n, n < 0 ? errno_name(e) : "-",
           got_usr1 ? "ran" : "did not run");
    sigset_t now;
    CHECK_SYS(sigprocmask(SIG_BLOCK, NULL, &now));
    printf("SIGUSR1 blocked again after pselect: %s\n", sigismember(&now, SIGUSR1) ? "yes" : "no");
    CHECK_SYS(waitpid(pid, NULL, 0));
    struct timespec zero = {0, 0};
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    printf("pselect polling a writable pipe: %d\n", pselect(p[1] + 1, NULL, &w, NULL, &zero, NULL));
    guest_ok("select");
    return 0;
}
