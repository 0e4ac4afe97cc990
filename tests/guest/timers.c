/* timers: alarm, setitimer (REAL and VIRTUAL), POSIX timers and signalfd.
 * Under reprise they run on virtual time, so the counts are exact; the
 * program only prints what is the same on every run natively too. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t alrm, vt;
static volatile int rt_value, rt_code;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (sig == SIGALRM)
        alrm++;
    else if (sig == SIGVTALRM)
        vt++;
    else {
        rt_value = si->si_value.sival_int;
        rt_code = si->si_code;
    }
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    CHECK_SYS(sigaction(SIGALRM, &sa, NULL));
    CHECK_SYS(sigaction(SIGVTALRM, &sa, NULL));
    CHECK_SYS(sigaction(SIGRTMIN, &sa, NULL));

    printf("alarm(5) returns %u\n", alarm(5));
    printf("alarm(0) returns %u (the previous alarm's seconds)\n", alarm(0));
    alarm(1);
    pause();
    printf("after alarm(1) and pause: SIGALRM %d time(s)\n", (int)alrm);

    struct itimerval iv = {{0, 10000}, {0, 10000}};
    CHECK_SYS(setitimer(ITIMER_REAL, &iv, NULL));
    while (alrm < 4)
        pause();
    struct itimerval cur;
    CHECK_SYS(getitimer(ITIMER_REAL, &cur));
    printf("ITIMER_REAL every 10 ms: interval %ld us, armed %d\n", (long)cur.it_interval.tv_usec,
           cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0);
    iv = (struct itimerval){0};
    CHECK_SYS(setitimer(ITIMER_REAL, &iv, NULL));
    CHECK_SYS(getitimer(ITIMER_REAL, &cur));
    printf("disarmed: %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

    struct itimerval v = {{0, 1000}, {0, 1000}};
    CHECK_SYS(setitimer(ITIMER_VIRTUAL, &v, NULL));
    volatile unsigned long spin = 0;
    while (vt < 3)
        spin++;
    v = (struct itimerval){0};
    CHECK_SYS(setitimer(ITIMER_VIRTUAL, &v, NULL));
    printf("ITIMER_VIRTUAL fired while the process worked: %d\n", vt >= 3);
    expect_errno(setitimer(7, &v, NULL), EINVAL, "setitimer(7)");

    timer_t t;
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN;
    ev.sigev_value.sival_int = 77;
    CHECK_SYS(timer_create(CLOCK_MONOTONIC, &ev, &t));
    struct itimerspec its = {{0, 0}, {0, 5000000}};
    CHECK_SYS(timer_settime(t, 0, &its, NULL));
    struct timespec ts = {1, 0};
    int r = nanosleep(&ts, &ts);
    printf("nanosleep interrupted by the POSIX timer: %d %s, rem < 1 s: %d\n", r,
           r ? errno_name(errno) : "", ts.tv_sec == 0);
    printf("timer signal: value %d, code %s\n", rt_value, rt_code == SI_TIMER ? "SI_TIMER" : "other");
    struct itimerspec left;
    CHECK_SYS(timer_gettime(t, &left));
    printf("one-shot timer disarmed after firing: %d\n", left.it_value.tv_sec == 0 && left.it_value.tv_nsec == 0);
    CHECK_SYS(timer_delete(t));
    expect_errno(timer_delete(t), EINVAL, "timer_delete twice");

    /* signalfd: a blocked signal read as a record. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_SYS(sigprocmask(SIG_BLOCK, &set, NULL));
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    CHECK_SYS(fd);
    struct signalfd_siginfo rec;
    expect_errno(read(fd, &rec, sizeof rec), EAGAIN, "signalfd read with nothing pending");
    CHECK_SYS(kill(getpid(), SIGUSR1));
    CHECK(read(fd, &rec, sizeof rec) == sizeof rec, "signalfd read");
    printf("signalfd: signo %s, code %s, pid is ours %d\n", sigabbrev_np((int)rec.ssi_signo),
           rec.ssi_code == SI_USER ? "SI_USER" : "other", rec.ssi_pid == (uint32_t)getpid());
    sigset_t pending;
    CHECK_SYS(sigpending(&pending));
    printf("the read took it off the queue: %d\n", !sigismember(&pending, SIGUSR1));
    close(fd);
    guest_ok("timers");
    return 0;
}
