/* poll: poll(2) and ppoll(2) on pipes (data, room, hang-up, error, a wait
 * that a writer ends, a timeout on the monotonic clock), with no descriptors
 * (a sleep), on a file that is always ready, on negative and closed
 * descriptors, and their errors.
 * (glibc's poll() is the poll system call on x86-64 and ppoll on arm64.) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char *events(short ev)
{
    static char bufs[4][96]; /* up to four results in one printf */
    static int next;
    char *buf = bufs[next++ % 4];
    static const struct {
        short bit;
        const char *name;
    } names[] = {{POLLIN, "IN"},         {POLLOUT, "OUT"},     {POLLERR, "ERR"},
                 {POLLHUP, "HUP"},       {POLLNVAL, "NVAL"},   {POLLRDNORM, "RDNORM"},
                 {POLLWRNORM, "WRNORM"}, {POLLPRI, "PRI"}};
    buf[0] = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (ev & names[i].bit) {
            if (buf[0])
                strcat(buf, "|");
            strcat(buf, names[i].name);
            ev &= (short)~names[i].bit;
        }
    }
    if (ev)
        snprintf(buf + strlen(buf), 16, "%s%#x", buf[0] ? "|" : "", ev);
    return buf[0] ? buf : "0";
}

static long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long raw_ppoll(struct pollfd *fds, unsigned long n, struct timespec *ts,
                      const sigset_t *mask, unsigned long masksize)
{
    return syscall(SYS_ppoll, fds, n, ts, mask, masksize);
}

int main(void)
{
    int p[2];
    CHECK_SYS(pipe(p));
    struct pollfd fds[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};
    int n = poll(fds, 2, 0);
    printf("empty pipe: poll -> %d, read end %s, write end %s\n", n, events(fds[0].revents),
           events(fds[1].revents));

    CHECK_SYS(write(p[1], "abc", 3));
    fds[0].events = POLLIN | POLLRDNORM;
    n = poll(fds, 1, -1);
    printf("3 bytes in: poll -> %d, read end %s\n", n, events(fds[0].revents));
    char buf[8];
    CHECK(read(p[0], buf, sizeof buf) == 3, "read back");

    long t0 = monotonic_ms();
    fds[0].events = POLLIN;
    n = poll(fds, 1, 50);
    long waited = monotonic_ms() - t0;
    CHECK(n == 0 && waited >= 50, "timeout: %d after %ld ms", n, waited);
    printf("empty pipe, 50 ms timeout: poll -> 0 after at least 50 ms\n");

    /* No descriptors at all: a plain sleep, a common idiom. */
    t0 = monotonic_ms();
    n = poll(NULL, 0, 30);
    waited = monotonic_ms() - t0;
    CHECK(n == 0 && waited >= 30, "poll(NULL, 0, 30): %d after %ld ms", n, waited);
    printf("no descriptors, 30 ms timeout: poll -> 0 after at least 30 ms\n");

    /* A wait without timeout that a writer in another process ends. */
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        struct timespec d = {0, 20 * 1000 * 1000};
        nanosleep(&d, NULL);
        _exit(write(p[1], "x", 1) == 1 ? 0 : 1);
    }
    n = poll(fds, 1, -1);
    printf("child writes after 20 ms: poll -> %d, read end %s\n", n, events(fds[0].revents));
    int st;
    CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer");
    CHECK(read(p[0], buf, 1) == 1, "read the byte");

    /* The last writer goes away: hang-up, without data. */
    c = fork();
    CHECK_SYS(c);
    if (c == 0)
        _exit(0);
    close(p[1]);
    n = poll(fds, 1, -1);
    printf("no writer left: poll -> %d, read end %s\n", n, events(fds[0].revents));
    CHECK(waitpid(c, &st, 0) == c, "waitpid");
    close(p[0]);

    /* No reader left: the write end reports an error (and room). */
    CHECK_SYS(pipe(p));
    close(p[0]);
    fds[0] = (struct pollfd){.fd = p[1], .events = POLLOUT};
    n = poll(fds, 1, 0);
    printf("no reader left: poll -> %d, write end %s\n", n, events(fds[0].revents));
    close(p[1]);

    /* A full pipe has no room until the reader takes some. */
    CHECK_SYS(pipe2(p, O_NONBLOCK));
    static char fill[1 << 16];
    while (write(p[1], fill, sizeof fill) > 0)
        ;
    fds[0] = (struct pollfd){.fd = p[1], .events = POLLOUT};
    n = poll(fds, 1, 0);
    printf("full pipe: poll -> %d, write end %s\n", n, events(fds[0].revents));
    CHECK(read(p[0], fill, sizeof fill) > 4096, "drain");
    n = poll(fds, 1, 0);
    printf("drained pipe: poll -> %d, write end %s\n", n, events(fds[0].revents));
    close(p[0]);
    close(p[1]);

    /* Files without a poll operation of their own are always ready; negative
     * descriptors are skipped; closed ones are reported invalid. */
    int null = open("/dev/null", O_RDWR);
    CHECK_SYS(null);
    struct pollfd mix[3] = {{.fd = null, .events = POLLIN | POLLOUT},
                            {.fd = -1, .events = POLLIN, .revents = 77},
                            {.fd = 999, .events = POLLIN}};
    n = poll(mix, 3, -1);
    printf("/dev/null, -1, closed 999: poll -> %d, %s, %s, %s\n", n, events(mix[0].revents),
           events(mix[1].revents), events(mix[2].revents));
    close(null);

    /* ppoll: a timespec timeout, written back with the time left. */
    CHECK_SYS(pipe(p));
    fds[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
    struct timespec ts = {0, 30 * 1000 * 1000};
    sigset_t mask;
    sigemptyset(&mask);
    long r = raw_ppoll(fds, 1, &ts, &mask, 8);
    printf("ppoll, empty pipe, 30 ms: -> %ld, time left %ld.%09ld\n", r, (long)ts.tv_sec,
           ts.tv_nsec);
    CHECK_SYS(write(p[1], "y", 1));
    ts = (struct timespec){5, 0};
    r = raw_ppoll(fds, 1, &ts, NULL, 0);
    CHECK(r == 1 && ts.tv_sec <= 5 && (ts.tv_sec < 5 || ts.tv_nsec == 0), "ppoll with data");
    printf("ppoll, data ready, 5 s: -> %ld, read end %s, time left at most 5 s\n", r,
           events(fds[0].revents));
    r = raw_ppoll(fds, 1, NULL, NULL, 0);
    printf("ppoll without timeout, data ready: -> %ld\n", r);

    expect_errno(raw_ppoll(fds, 1, NULL, &mask, 4), EINVAL, "ppoll with a 4-byte sigset");
    ts = (struct timespec){0, 1000000000};
    expect_errno(raw_ppoll(fds, 1, &ts, NULL, 0), EINVAL, "ppoll with tv_nsec 1e9");
    struct pollfd *volatile bad = (struct pollfd *)8; /* unmapped */
    expect_errno(raw_ppoll(bad, 1, NULL, NULL, 0), EFAULT, "ppoll with a bad array");
    expect_errno(raw_ppoll(fds, 1u << 30, NULL, NULL, 0), EINVAL,
                 "ppoll with nfds over RLIMIT_NOFILE");
    expect_errno(poll(bad, 1, 0), EFAULT, "poll with a bad array");
    close(p[0]);
    close(p[1]);
    guest_ok("poll");
    return 0;
}
