/* timers: alarm, setitimer (REAL, VIRTUAL and PROF), POSIX timers and
 * signalfd. Under reprise they run on virtual time, so the counts are exact;
 * the program only prints what is the same on every run natively too.
 *
 * With --exact (reprise only) it checks what only virtual time makes
 * exact: a CPU-time itimer counts the work its process did in the slice
 * still running, when it is set and when it is read. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t alrm, vt, prof;
static volatile int rt_value, rt_code;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (sig == SIGALRM)
        alrm++;
    else if (sig == SIGVTALRM)
        vt++;
    else if (sig == SIGPROF)
        prof++;
    else {
        rt_value = si->si_value.sival_int;
        rt_code = si->si_code;
    }
}

static long long us_of(struct timeval v) { return v.tv_sec * 1000000ll + v.tv_usec; }

static long long cpu_ns(void)
{
    struct timespec t;
    CHECK_SYS(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t));
    return t.tv_sec * 1000000000ll + t.tv_nsec;
}

/* ITIMER_PROF: SIGPROF while the process works, and a value that goes
 * down with that work. Linux counts a CPU-time itimer in ticks (and adds
 * one to the value set), so only the direction is compared. */
static void prof_timer(void)
{
    struct itimerval p = {{0, 1000}, {0, 1000}};
    CHECK_SYS(setitimer(ITIMER_PROF, &p, NULL));
    volatile unsigned long spin = 0;
    while (prof < 3)
        spin++;
    struct itimerval cur;
    CHECK_SYS(getitimer(ITIMER_PROF, &cur));
    printf("ITIMER_PROF every 1 ms fired while the process worked: %d, interval %ld us\n",
           prof >= 3, (long)cur.it_interval.tv_usec);

    struct itimerval once = {{0, 0}, {100, 0}};
    CHECK_SYS(setitimer(ITIMER_PROF, &once, NULL));
    struct itimerval a, b;
    CHECK_SYS(getitimer(ITIMER_PROF, &a));
    b = a;
    for (int round = 0; round < 100000 && us_of(b.it_value) >= us_of(a.it_value); round++) {
        for (int k = 0; k < 10000; k++)
            spin++;
        CHECK_SYS(getitimer(ITIMER_PROF, &b));
    }
    printf("getitimer(ITIMER_PROF) goes down as the process works: %d, still armed: %d, "
           "about 100 s left: %d\n",
           us_of(b.it_value) < us_of(a.it_value), us_of(b.it_value) > 0,
           b.it_value.tv_sec >= 99 && b.it_value.tv_sec <= 100);
    struct itimerval off = {{0, 0}, {0, 0}};
    CHECK_SYS(setitimer(ITIMER_PROF, &off, &b));
    CHECK_SYS(getitimer(ITIMER_PROF, &a));
    printf("disarmed: %d (setitimer gave the old value: %d)\n",
           us_of(a.it_value) == 0, us_of(b.it_value) > 0);
}

/* Reprise only: a slice's work counts at once. sched_yield starts a new
 * slice; some work follows in the same slice, then the timer is set. The
 * timer must not fire before the process did its value of work, and two
 * reads with work between them in one slice must differ. */
static void prof_timer_exact(void)
{
    volatile unsigned long spin = 0;
    sched_yield();
    for (int k = 0; k < 5000; k++)
        spin++;
    struct itimerval p = {{0, 0}, {0, 1000}};
    CHECK_SYS(setitimer(ITIMER_PROF, &p, NULL));
    long long t0 = cpu_ns();
    while (!prof)
        spin++;
    long long used = cpu_ns() - t0;
    printf("exact: SIGPROF of a 1 ms ITIMER_PROF came after 1 ms of work or more: %d\n",
           used >= 1000000);

    struct itimerval once = {{0, 0}, {100, 0}}, a, b;
    CHECK_SYS(setitimer(ITIMER_PROF, &once, NULL));
    sched_yield();
    CHECK_SYS(getitimer(ITIMER_PROF, &a));
    for (int k = 0; k < 1000; k++)
        spin++;
    CHECK_SYS(getitimer(ITIMER_PROF, &b));
    printf("exact: getitimer(ITIMER_PROF) counts the running slice's work: %d\n",
           us_of(b.it_value) < us_of(a.it_value));
    struct itimerval off = {{0, 0}, {0, 0}};
    CHECK_SYS(setitimer(ITIMER_PROF, &off, NULL));
}

int main(int argc, char **argv)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    CHECK_SYS(sigaction(SIGALRM, &sa, NULL));
    CHECK_SYS(sigaction(SIGVTALRM, &sa, NULL));
    CHECK_SYS(sigaction(SIGPROF, &sa, NULL));
    CHECK_SYS(sigaction(SIGRTMIN, &sa, NULL));
    if (argc > 1 && strcmp(argv[1], "--exact") == 0) {
        prof_timer_exact();
        guest_ok("timers");
        return 0;
    }

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
    prof_timer();
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
