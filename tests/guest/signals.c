/* signals: sending, queueing, masking and handler bookkeeping.
 *
 * Each section checks one rule of Linux signals and prints what it saw:
 * the siginfo of kill, tgkill, sigqueue, raise and another process's kill;
 * blocked signals staying pending and coming on unblock; standard signals
 * merging and real-time ones queueing in order; the thread queue taken
 * before the process queue; SA_RESETHAND, SA_NODEFER, sa_mask and the mask
 * put back after a handler; sigsuspend and sigtimedwait; the EPERM rules of
 * rt_sigqueueinfo; SIGKILL and SIGSTOP that cannot be caught; what exec,
 * fork and threads keep; which thread takes a process signal; SIGCHLD and
 * its auto-reaping; SIGPIPE. */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sigutil.h"

/* --- A log the handlers append to ------------------------------------------- */

struct event {
    int sig, signo, code, pid, uid, value, tid;
    int blocks_self, blocks_usr2; /* the mask while the handler runs */
    int status;                   /* si_status (SIGCHLD) */
};

#define MAX_EVENTS 64
/* volatile: the handlers change them behind the compiler's back. */
static volatile struct event events[MAX_EVENTS];
static volatile int nevents;

static void record(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    int i = __atomic_fetch_add((int *)&nevents, 1, __ATOMIC_SEQ_CST);
    if (i >= MAX_EVENTS)
        return;
    volatile struct event *e = &events[i];
    e->sig = sig;
    e->signo = si->si_signo;
    e->code = si->si_code;
    e->pid = si->si_pid;
    e->uid = (int)si->si_uid;
    e->value = si->si_value.sival_int;
    e->status = si->si_status;
    e->tid = gettid_raw();
    sigset_t m = current_mask();
    e->blocks_self = sigismember(&m, sig);
    e->blocks_usr2 = sigismember(&m, SIGUSR2);
}

static void reset_events(void)
{
    for (int i = 0; i < MAX_EVENTS; i++)
        events[i] = (struct event){0};
    nevents = 0;
}

/* A copy of event \p i. */
static struct event ev(int i) { return events[i]; }

/* "USR2 USR1" for the signals in the log, in order. */
static const char *event_order(void)
{
    static char buf[512];
    buf[0] = 0;
    for (int i = 0; i < nevents && i < MAX_EVENTS; i++) {
        if (i)
            strcat(buf, " ");
        strcat(buf, sig_name(events[i].sig));
        if (events[i].sig >= SIGRTMIN) {
            char v[16];
            snprintf(v, sizeof v, ":%d", events[i].value);
            strcat(buf, v);
        }
    }
    return buf;
}

/* Prints one event's origin fields, naming the expected sender \p who. */
static void print_origin(const char *what, const struct event *e, pid_t sender, const char *who)
{
    printf("%s: %s si_signo=%s si_code=%s si_pid=%s si_uid=%s", what, sig_name(e->sig),
           sig_name(e->signo), code_name(e->sig, e->code), e->pid == sender ? who : "other",
           e->uid == (int)getuid() ? "self" : "other");
    if (e->code == SI_QUEUE)
        printf(" si_value=%d", e->value);
    printf("\n");
}

/* Forks a child that runs \p fn and exits with its result. */
static pid_t spawn(int (*fn)(void *), void *arg)
{
    fflush(stdout);
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0)
        _exit(fn(arg));
    return c;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static int wait_exit(pid_t c)
{
    int st;
    CHECK(waitpid(c, &st, 0) == c, "waitpid %d: %s", c, errno_name(errno));
    return st;
}

/* --- Origins ------------------------------------------------------------------- */

static int kill_parent(void *arg)
{
    (void)arg;
    return kill(getppid(), SIGUSR1) == 0 ? 0 : 1;
}

static void origins(void)
{
    pid_t self = getpid();
    struct event e0;
    on_signal(SIGUSR1, record, 0, NULL);

    reset_events();
    CHECK_SYS(kill(self, SIGUSR1));
    CHECK(nevents == 1, "kill: %d handler runs before kill returned", nevents);
    e0 = ev(0);
    print_origin("kill", &e0, self, "self");

    reset_events();
    CHECK_SYS(tgkill_raw(self, gettid_raw(), SIGUSR1));
    CHECK(nevents == 1, "tgkill: %d handler runs", nevents);
    e0 = ev(0);
    print_origin("tgkill", &e0, self, "self");

    reset_events();
    CHECK_SYS(sigqueue(self, SIGUSR1, (union sigval){.sival_int = 42}));
    CHECK(nevents == 1, "sigqueue: %d handler runs", nevents);
    e0 = ev(0);
    print_origin("sigqueue", &e0, self, "self");

    reset_events();
    CHECK(raise(SIGUSR1) == 0, "raise");
    CHECK(nevents == 1, "raise: %d handler runs", nevents);
    e0 = ev(0);
    print_origin("raise", &e0, self, "self");

    /* Another process's kill, taken with sigwaitinfo while blocked. */
    mask_one(SIG_BLOCK, SIGUSR1);
    pid_t c = spawn(kill_parent, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    siginfo_t si;
    CHECK(sigwaitinfo(&set, &si) == SIGUSR1, "sigwaitinfo: %s", errno_name(errno));
    struct event e = {.sig = SIGUSR1, .signo = si.si_signo, .code = si.si_code,
                      .pid = si.si_pid, .uid = (int)si.si_uid};
    print_origin("a child's kill (sigwaitinfo)", &e, c, "child");
    CHECK(WIFEXITED(wait_exit(c)), "child");
    mask_one(SIG_UNBLOCK, SIGUSR1);

    /* rt_sigqueueinfo to itself: the kernel sets si_signo from its argument
     * and passes the rest (even a forged si_pid or a kernel si_code) on. */
    reset_events();
    siginfo_t forged;
    memset(&forged, 0, sizeof forged);
    forged.si_signo = SIGUSR2;
    forged.si_code = SI_KERNEL;
    forged.si_pid = 12345;
    forged.si_uid = 777;
    CHECK_SYS(syscall(SYS_rt_sigqueueinfo, self, SIGUSR1, &forged));
    CHECK(nevents == 1, "rt_sigqueueinfo: %d handler runs", nevents);
    printf("rt_sigqueueinfo to itself: si_signo=%s si_code=%s si_pid=%d si_uid=%d\n",
           sig_name(events[0].signo), code_name(SIGUSR1, events[0].code), events[0].pid,
           events[0].uid);
}

/* --- Masks and queues ----------------------------------------------------------- */

static void masks_and_queues(void)
{
    pid_t self = getpid();
    int all[] = {SIGUSR1, SIGUSR2, 0};
    on_signal(SIGUSR1, record, 0, NULL);
    on_signal(SIGUSR2, record, 0, NULL);

    /* A blocked signal waits in sigpending and comes when unblocked. */
    reset_events();
    mask_one(SIG_BLOCK, SIGUSR1);
    CHECK_SYS(kill(self, SIGUSR1));
    CHECK(nevents == 0, "a blocked signal ran its handler");
    printf("blocked SIGUSR1: pending=%d handler runs=%d\n", is_pending(SIGUSR1), nevents);
    mask_one(SIG_UNBLOCK, SIGUSR1);
    printf("after unblocking: handler runs=%d pending=%d\n", nevents, is_pending(SIGUSR1));

    /* Standard signals merge: three kills while blocked, one delivery. */
    reset_events();
    mask_one(SIG_BLOCK, SIGUSR1);
    for (int i = 0; i < 3; i++)
        CHECK_SYS(kill(self, SIGUSR1));
    mask_one(SIG_UNBLOCK, SIGUSR1);
    printf("SIGUSR1 sent 3 times while blocked: handler runs=%d\n", nevents);

    /* Real-time signals queue every instance; the lowest number first, each
     * number in the order sent. A full sa_mask makes the handlers run one
     * after another instead of nesting. */
    int rt0 = SIGRTMIN, rt1 = SIGRTMIN + 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = record;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    CHECK_SYS(sigaction(rt0, &sa, NULL));
    CHECK_SYS(sigaction(rt1, &sa, NULL));
    reset_events();
    sigset_t rts, old;
    sigemptyset(&rts);
    sigaddset(&rts, rt0);
    sigaddset(&rts, rt1);
    CHECK_SYS(sigprocmask(SIG_BLOCK, &rts, &old));
    int order[][2] = {{1, 1}, {0, 2}, {0, 3}, {1, 4}, {0, 5}};
    for (int i = 0; i < 5; i++)
        CHECK_SYS(sigqueue(self, SIGRTMIN + order[i][0],
                           (union sigval){.sival_int = order[i][1]}));
    CHECK_SYS(sigprocmask(SIG_SETMASK, &old, NULL));
    printf("real-time signals sent RTMIN+1:1 RTMIN:2 RTMIN:3 RTMIN+1:4 RTMIN:5, ran: %s\n",
           event_order());

    /* Without a mask, each newly set-up frame lands on top of the last one:
     * the handler of the signal taken last runs first. */
    reset_events();
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    CHECK_SYS(sigprocmask(SIG_BLOCK, &both, &old));
    CHECK_SYS(kill(self, SIGUSR2));
    CHECK_SYS(kill(self, SIGUSR1));
    CHECK_SYS(sigprocmask(SIG_SETMASK, &old, NULL));
    printf("USR1 and USR2 unblocked together, no sa_mask: handlers ran %s\n", event_order());

    /* The thread's own queue is taken before the process's: SIGUSR2 by
     * tgkill is taken before SIGUSR1 by kill, although its number is higher. */
    on_signal(SIGUSR1, record, 0, all);
    on_signal(SIGUSR2, record, 0, all);
    reset_events();
    CHECK_SYS(sigprocmask(SIG_BLOCK, &both, &old));
    CHECK_SYS(kill(self, SIGUSR1));
    CHECK_SYS(tgkill_raw(self, gettid_raw(), SIGUSR2));
    CHECK_SYS(sigprocmask(SIG_SETMASK, &old, NULL));
    printf("USR1 by kill and USR2 by tgkill unblocked together: handlers ran %s\n",
           event_order());
    CHECK_SYS(sigprocmask(SIG_BLOCK, &both, &old));
    CHECK_SYS(kill(self, SIGUSR1));
    CHECK_SYS(tgkill_raw(self, gettid_raw(), SIGUSR2));
    int first = sigwaitinfo(&both, NULL), second = sigwaitinfo(&both, NULL);
    CHECK_SYS(sigprocmask(SIG_SETMASK, &old, NULL));
    printf("the same taken by sigwaitinfo: %s then %s\n", sig_name(first), sig_name(second));

    /* A blocked ignored signal is still queued; making a pending signal
     * ignored discards it. */
    set_disposition(SIGUSR2, SIG_IGN);
    mask_one(SIG_BLOCK, SIGUSR2);
    CHECK_SYS(kill(self, SIGUSR2));
    printf("blocked and ignored SIGUSR2 sent: pending=%d\n", is_pending(SIGUSR2));
    mask_one(SIG_UNBLOCK, SIGUSR2);
    CHECK(!is_pending(SIGUSR2), "an ignored signal stayed pending after unblocking");
    mask_one(SIG_BLOCK, SIGUSR1);
    CHECK_SYS(kill(self, SIGUSR1));
    set_disposition(SIGUSR1, SIG_IGN);
    printf("pending SIGUSR1 made ignored: pending=%d\n", is_pending(SIGUSR1));
    mask_one(SIG_UNBLOCK, SIGUSR1);
    set_disposition(SIGUSR1, SIG_DFL);
    set_disposition(SIGUSR2, SIG_DFL);
}

/* --- Handler flags and masks --------------------------------------------------- */

static volatile int depth, max_depth, runs;

static void nesting(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    (void)uc;
    runs++;
    if (++depth > max_depth)
        max_depth = depth;
    if (runs == 1)
        raise(sig); /* again, from inside the handler */
    depth--;
}

static void usr1_raises_usr2(int sig, siginfo_t *si, void *uc)
{
    record(sig, si, uc);
    raise(SIGUSR2); /* blocked by sa_mask: comes after this handler returns */
    /* A mask change inside the handler is undone by sigreturn. */
    mask_one(SIG_BLOCK, SIGRTMIN + 2);
}

static void resethand_child_handler(int sig)
{
    (void)sig;
    static const char msg[] = "SA_RESETHAND child: handler ran once\n";
    write(1, msg, sizeof msg - 1);
}

static int resethand_child(void *arg)
{
    (void)arg;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = resethand_child_handler;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));
    raise(SIGUSR1);
    raise(SIGUSR1); /* now SIG_DFL: terminates */
    return 3;
}

static void handler_flags(void)
{
    /* SA_RESETHAND: one run, then SIG_DFL; the signal is still blocked
     * during that run; the other flags and the mask stay. */
    reset_events();
    int usr2[] = {SIGUSR2, 0};
    on_signal(SIGUSR1, record, SA_RESETHAND, usr2);
    CHECK_SYS(raise(SIGUSR1));
    struct sigaction now;
    CHECK_SYS(sigaction(SIGUSR1, NULL, &now));
    printf("SA_RESETHAND: runs=%d, signal blocked in the handler=%d, then handler is %s\n",
           nevents, events[0].blocks_self,
           now.sa_handler == SIG_DFL ? "SIG_DFL" : "still set");
    printf("SA_RESETHAND: after the reset sa_flags keep SA_SIGINFO=%d SA_RESETHAND=%d, "
           "sa_mask keeps USR2=%d\n",
           !!(now.sa_flags & SA_SIGINFO), !!(now.sa_flags & SA_RESETHAND),
           sigismember(&now.sa_mask, SIGUSR2));
    pid_t c = spawn(resethand_child, NULL);
    int st = wait_exit(c);
    printf("SA_RESETHAND child raising twice: killed by %s\n",
           WIFSIGNALED(st) ? sig_name(WTERMSIG(st)) : "nothing");

    /* Default: the signal is blocked in its own handler, so raising it
     * there runs the handler again only after the first run returns. */
    on_signal(SIGUSR1, nesting, 0, NULL);
    runs = depth = max_depth = 0;
    raise(SIGUSR1);
    printf("raise inside the handler, default flags: runs=%d max nesting=%d\n", runs,
           max_depth);
    on_signal(SIGUSR1, nesting, SA_NODEFER, NULL);
    runs = depth = max_depth = 0;
    raise(SIGUSR1);
    printf("raise inside the handler, SA_NODEFER: runs=%d max nesting=%d\n", runs, max_depth);

    /* sa_mask: SIGUSR2 is blocked while the SIGUSR1 handler runs; a SIGUSR2
     * raised there comes after it. The mask before the signal comes back. */
    reset_events();
    on_signal(SIGUSR1, usr1_raises_usr2, 0, usr2);
    on_signal(SIGUSR2, record, 0, NULL);
    sigset_t before = current_mask();
    raise(SIGUSR1);
    sigset_t after = current_mask();
    printf("sa_mask={USR2}: USR2 blocked in the USR1 handler=%d, handlers ran %s\n",
           events[0].blocks_usr2, event_order());
    printf("mask after the handler returned: same as before=%d, RTMIN+2 (blocked inside) "
           "blocked=%d\n",
           sigismember(&before, SIGUSR1) == sigismember(&after, SIGUSR1) &&
               sigismember(&before, SIGUSR2) == sigismember(&after, SIGUSR2) &&
               sigismember(&before, SIGRTMIN + 2) == sigismember(&after, SIGRTMIN + 2),
           sigismember(&after, SIGRTMIN + 2));
    set_disposition(SIGUSR1, SIG_DFL);
    set_disposition(SIGUSR2, SIG_DFL);
}

/* --- sigsuspend and sigtimedwait ------------------------------------------------ */

static int kill_parent_later(void *arg)
{
    sleep_ms(50);
    return kill(getppid(), (int)(long)arg) == 0 ? 0 : 1;
}

static void waiting_for_signals(void)
{
    pid_t self = getpid();
    on_signal(SIGUSR1, record, 0, NULL);

    /* sigsuspend with a pending signal: the handler runs under the
     * temporary mask (plus the signal itself), then EINTR, then the old
     * mask is back. */
    reset_events();
    sigset_t orig, tmp;
    CHECK_SYS(sigprocmask(SIG_SETMASK, NULL, &orig));
    mask_one(SIG_BLOCK, SIGUSR1);
    CHECK_SYS(kill(self, SIGUSR1));
    sigemptyset(&tmp);
    sigaddset(&tmp, SIGUSR2);
    int r = sigsuspend(&tmp);
    int e = errno;
    printf("sigsuspend with SIGUSR1 pending: returned %d %s, handler runs=%d, "
           "in the handler USR2 blocked=%d USR1 blocked=%d\n",
           r, errno_name(e), nevents, events[0].blocks_usr2, events[0].blocks_self);
    printf("after sigsuspend: USR1 blocked=%d USR2 blocked=%d\n", is_blocked(SIGUSR1),
           is_blocked(SIGUSR2));

    /* sigsuspend waiting for another process's signal. */
    reset_events();
    pid_t c = spawn(kill_parent_later, (void *)(long)SIGUSR1);
    sigemptyset(&tmp);
    r = sigsuspend(&tmp);
    e = errno;
    printf("sigsuspend until a child's SIGUSR1: %d %s, si_pid=%s\n", r, errno_name(e),
           events[0].pid == c ? "child" : "other");
    CHECK(WIFEXITED(wait_exit(c)), "child");

    /* sigtimedwait: EAGAIN after its timeout, at once with a zero one,
     * the signal and its siginfo when one is pending. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    struct timespec ts = {0, 20 * 1000000};
    expect_errno(sigtimedwait(&set, NULL, &ts), EAGAIN, "sigtimedwait 20 ms, nothing pending");
    struct timespec zero = {0, 0};
    expect_errno(sigtimedwait(&set, NULL, &zero), EAGAIN, "sigtimedwait 0 s, nothing pending");
    CHECK_SYS(sigqueue(self, SIGUSR1, (union sigval){.sival_int = 9}));
    siginfo_t si;
    r = sigtimedwait(&set, &si, &ts);
    printf("sigtimedwait with SIGUSR1 pending: %s si_code=%s si_value=%d, pending after=%d\n",
           sig_name(r), code_name(r, si.si_code), si.si_value.sival_int, is_pending(SIGUSR1));
    struct timespec bad = {0, 1000000000};
    expect_errno(sigtimedwait(&set, NULL, &bad), EINVAL, "sigtimedwait tv_nsec=1e9");
    CHECK_SYS(kill(self, SIGUSR1));
    expect_errno(sigtimedwait(&set, NULL, &bad),
                 EINVAL, "sigtimedwait tv_nsec=1e9 with the signal pending");
    printf("the signal stays pending after EINVAL=%d\n", is_pending(SIGUSR1));
    CHECK(sigtimedwait(&set, NULL, &zero) == SIGUSR1, "drain SIGUSR1");

    /* A handled signal outside the set ends the wait with EINTR. */
    reset_events();
    on_signal(SIGUSR2, record, 0, NULL);
    c = spawn(kill_parent_later, (void *)(long)SIGUSR2);
    struct timespec long_ts = {30, 0};
    expect_errno(sigtimedwait(&set, NULL, &long_ts), EINTR,
                 "sigtimedwait for USR1 when a handled USR2 comes");
    printf("the USR2 handler ran %d time(s)\n", nevents);
    CHECK(WIFEXITED(wait_exit(c)), "child");
    mask_one(SIG_UNBLOCK, SIGUSR1);
    set_disposition(SIGUSR1, SIG_DFL);
    set_disposition(SIGUSR2, SIG_DFL);
}

/* --- rt_sigqueueinfo permissions ---------------------------------------------- */

static long queueinfo(pid_t pid, int sig, int code)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = code;
    si.si_pid = getpid();
    si.si_uid = getuid();
    return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static long tgqueueinfo(pid_t tgid, pid_t tid, int sig, int code)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = code;
    return syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, &si);
}

__attribute__((noreturn)) static int pause_child(void *arg)
{
    (void)arg;
    for (;;)
        pause();
}

static void queueinfo_rules(void)
{
    /* Only a caller signalling itself may claim a code >= 0 (kill, kernel)
     * or SI_TKILL; negative codes (SI_QUEUE...) may go anywhere. */
    pid_t c = spawn(pause_child, NULL);
    expect_errno(queueinfo(c, 0, SI_USER), EPERM, "rt_sigqueueinfo(child, 0, SI_USER)");
    expect_errno(queueinfo(c, 0, SI_KERNEL), EPERM, "rt_sigqueueinfo(child, 0, SI_KERNEL)");
    expect_errno(queueinfo(c, 0, SI_TKILL), EPERM, "rt_sigqueueinfo(child, 0, SI_TKILL)");
    expect_errno(queueinfo(c, 0, 1), EPERM, "rt_sigqueueinfo(child, 0, code 1)");
    CHECK_SYS(queueinfo(c, 0, SI_QUEUE));
    printf("rt_sigqueueinfo(child, 0, SI_QUEUE) -> 0\n");
    CHECK_SYS(queueinfo(c, 0, SI_MESGQ));
    printf("rt_sigqueueinfo(child, 0, SI_MESGQ) -> 0\n");
    CHECK_SYS(kill(c, SIGKILL));
    wait_exit(c);
    /* The permission check comes before the lookup of the target. */
    expect_errno(queueinfo(c, 0, SI_USER), EPERM, "rt_sigqueueinfo(reaped pid, 0, SI_USER)");
    expect_errno(queueinfo(c, 0, SI_QUEUE), ESRCH, "rt_sigqueueinfo(reaped pid, 0, SI_QUEUE)");
    expect_errno(queueinfo(getpid(), 65, SI_QUEUE), EINVAL, "rt_sigqueueinfo(self, 65, SI_QUEUE)");
    CHECK_SYS(queueinfo(getpid(), 0, SI_USER));
    printf("rt_sigqueueinfo(self, 0, SI_USER) -> 0\n");
    expect_errno(tgqueueinfo(0, gettid_raw(), 0, SI_QUEUE), EINVAL,
                 "rt_tgsigqueueinfo(0, tid, 0, SI_QUEUE)");
    expect_errno(tgqueueinfo(getpid(), -1, 0, SI_QUEUE), EINVAL,
                 "rt_tgsigqueueinfo(pid, -1, 0, SI_QUEUE)");
    CHECK_SYS(tgqueueinfo(getpid(), gettid_raw(), 0, SI_TKILL));
    printf("rt_tgsigqueueinfo(self, self, 0, SI_TKILL) -> 0\n");
}

/* --- What cannot be caught ------------------------------------------------------ */

static void uncatchable(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    expect_errno(sigaction(SIGKILL, &sa, NULL), EINVAL, "sigaction(SIGKILL, SIG_IGN)");
    sa.sa_handler = resethand_child_handler;
    expect_errno(sigaction(SIGSTOP, &sa, NULL), EINVAL, "sigaction(SIGSTOP, handler)");
    sa.sa_handler = SIG_DFL;
    expect_errno(sigaction(SIGKILL, &sa, NULL), EINVAL, "sigaction(SIGKILL, SIG_DFL)");
    struct sigaction old;
    CHECK_SYS(sigaction(SIGKILL, NULL, &old));
    printf("sigaction(SIGKILL, NULL, &old) -> 0, handler %s\n",
           old.sa_handler == SIG_DFL ? "SIG_DFL" : "?");
    expect_errno(syscall(SYS_rt_sigaction, 0, NULL, &old, 8), EINVAL, "rt_sigaction(0)");
    expect_errno(syscall(SYS_rt_sigaction, 65, NULL, &old, 8), EINVAL, "rt_sigaction(65)");
    expect_errno(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4), EINVAL,
                 "rt_sigaction with sigsetsize 4");

    /* SIGKILL and SIGSTOP drop out of masks silently. */
    sigset_t all, got;
    sigfillset(&all);
    sigset_t old_mask;
    CHECK_SYS(sigprocmask(SIG_SETMASK, NULL, &old_mask));
    CHECK_SYS(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 8));
    CHECK_SYS(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &got, 8));
    CHECK_SYS(sigprocmask(SIG_SETMASK, &old_mask, NULL));
    printf("block everything: KILL blocked=%d STOP blocked=%d USR1 blocked=%d\n",
           sigismember(&got, SIGKILL), sigismember(&got, SIGSTOP), sigismember(&got, SIGUSR1));
    expect_errno(syscall(SYS_rt_sigprocmask, 99, &all, NULL, 8), EINVAL,
                 "rt_sigprocmask(how=99)");
    CHECK_SYS(syscall(SYS_rt_sigprocmask, 99, NULL, &got, 8));
    printf("rt_sigprocmask(how=99) without a set -> 0\n");

    sigfillset(&sa.sa_mask);
    sa.sa_handler = resethand_child_handler;
    sa.sa_flags = 0;
    CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));
    CHECK_SYS(sigaction(SIGUSR1, NULL, &old));
    printf("sa_mask of everything reads back without KILL=%d STOP=%d, with USR2=%d\n",
           !sigismember(&old.sa_mask, SIGKILL), !sigismember(&old.sa_mask, SIGSTOP),
           sigismember(&old.sa_mask, SIGUSR2));
    set_disposition(SIGUSR1, SIG_DFL);
}

/* --- exec and fork --------------------------------------------------------------- */

static int exec_child(const char *self_exe)
{
    /* Handled USR1, ignored USR2 (with flags and a mask), TERM blocked and
     * pending, an alternate stack. */
    on_signal(SIGUSR1, record, SA_RESTART, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    CHECK_SYS(sigaction(SIGUSR2, &sa, NULL));
    mask_one(SIG_BLOCK, SIGTERM);
    CHECK_SYS(kill(getpid(), SIGTERM));
    static char alt[65536];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    CHECK_SYS(sigaltstack(&ss, NULL));
    char *args[] = {(char *)self_exe, "after-exec", NULL};
    execv(self_exe, args);
    printf("FAIL: exec %s: %s\n", self_exe, errno_name(errno));
    return 1;
}

static int after_exec(void)
{
    struct sigaction a1, a2;
    CHECK_SYS(sigaction(SIGUSR1, NULL, &a1));
    CHECK_SYS(sigaction(SIGUSR2, NULL, &a2));
    printf("after exec: USR1 (was handled) is %s\n",
           a1.sa_handler == SIG_DFL ? "SIG_DFL" : "still handled");
    printf("after exec: USR2 (was ignored) is %s, SA_RESTART kept=%d, sa_mask has INT=%d\n",
           a2.sa_handler == SIG_IGN ? "SIG_IGN" : "not ignored", !!(a2.sa_flags & SA_RESTART),
           sigismember(&a2.sa_mask, SIGINT));
    printf("after exec: TERM blocked=%d pending=%d\n", is_blocked(SIGTERM), is_pending(SIGTERM));
    stack_t ss;
    CHECK_SYS(sigaltstack(NULL, &ss));
    printf("after exec: alternate stack %s\n", ss.ss_flags == SS_DISABLE ? "disabled" : "kept");
    fflush(stdout);
    return 0;
}

static int fork_child(void *arg)
{
    (void)arg;
    struct sigaction a;
    CHECK_SYS(sigaction(SIGUSR1, NULL, &a));
    printf("fork child: USR1 handler inherited=%d, USR2 blocked=%d, USR2 pending=%d\n",
           a.sa_sigaction == record, is_blocked(SIGUSR2), is_pending(SIGUSR2));
    reset_events();
    raise(SIGUSR1);
    printf("fork child: inherited handler ran %d time(s)\n", nevents);
    fflush(stdout);
    return 0;
}

static void exec_and_fork(void)
{
    char self_exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    CHECK_SYS(n);
    self_exe[n] = 0;
    fflush(stdout);
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0)
        _exit(exec_child(self_exe));
    int st = wait_exit(c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec'd child status %#x", st);

    /* fork: handlers and the mask are copied, pending signals are not. */
    on_signal(SIGUSR1, record, 0, NULL);
    mask_one(SIG_BLOCK, SIGUSR2);
    CHECK_SYS(kill(getpid(), SIGUSR2));
    c = spawn(fork_child, NULL);
    st = wait_exit(c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork child status %#x", st);
    printf("parent after fork: USR2 still pending=%d\n", is_pending(SIGUSR2));
    set_disposition(SIGUSR2, SIG_IGN); /* discards it */
    mask_one(SIG_UNBLOCK, SIGUSR2);
    set_disposition(SIGUSR2, SIG_DFL);
    set_disposition(SIGUSR1, SIG_DFL);
}

/* --- Threads ---------------------------------------------------------------------- */

static volatile int worker_tid;
static volatile int worker_go;

static void *handler_installer(void *arg)
{
    (void)arg;
    on_signal(SIGUSR2, record, 0, NULL);
    sigset_t m = current_mask();
    return (void *)(long)(sigismember(&m, SIGRTMIN + 3) ? 1 : 0);
}

static void *spinning_worker(void *arg)
{
    (void)arg;
    worker_tid = gettid_raw();
    /* Runs until its handler has run (the only thread not blocking USR1). */
    while (!nevents)
        sched_yield();
    return NULL;
}

static volatile int spin_stop;

static void *spinner(void *arg)
{
    (void)arg;
    worker_tid = gettid_raw();
    unsigned long x = 1;
    while (!spin_stop)
        x = x * 3 + 1;
    return (void *)(x & 1);
}

static void *pending_worker(void *arg)
{
    (void)arg;
    worker_tid = gettid_raw();
    while (worker_go == 0)
        sched_yield();
    int own = is_pending(SIGUSR1), shared = is_pending(SIGUSR2);
    long r1 = queueinfo(getpid(), 0, SI_USER);
    int e1 = errno;
    long r2 = queueinfo(getpid(), 0, SI_QUEUE);
    printf("worker thread: sees its USR1 (tgkill) pending=%d, the process's USR2 pending=%d\n",
           own, shared);
    printf("worker thread: rt_sigqueueinfo(own pid, 0, SI_USER) -> %s, SI_QUEUE -> %ld\n",
           r1 == -1 ? errno_name(e1) : "0", r2);
    /* Drop the pending ones before the thread goes. */
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    struct timespec zero = {0, 0};
    int a = sigtimedwait(&both, NULL, &zero), b = sigtimedwait(&both, NULL, &zero);
    printf("worker thread took %s then %s\n", sig_name(a), sig_name(b));
    return NULL;
}

static void threads(void)
{
    pthread_t t;
    void *r;

    /* A thread starts with its creator's mask, and handlers are shared. */
    reset_events();
    mask_one(SIG_BLOCK, SIGRTMIN + 3);
    CHECK(pthread_create(&t, NULL, handler_installer, NULL) == 0, "pthread_create");
    CHECK(pthread_join(t, &r) == 0, "join");
    mask_one(SIG_UNBLOCK, SIGRTMIN + 3);
    raise(SIGUSR2);
    printf("new thread inherited the mask=%ld; its handler runs in the main thread=%d\n",
           (long)r, nevents == 1 && events[0].tid == getpid());

    /* A process signal goes to the main thread when it does not block it,
     * even with another thread running that does not block it either (the
     * sender is running, so Linux picks it and it takes the signal on its
     * way back from kill). */
    on_signal(SIGUSR1, record, 0, NULL);
    reset_events();
    CHECK_SYS(kill(getpid(), SIGUSR1));
    printf("kill(getpid()) with no thread blocking: taken by the main thread=%d\n",
           nevents == 1 && events[0].tid == getpid());
    worker_tid = 0;
    spin_stop = 0;
    CHECK(pthread_create(&t, NULL, spinner, NULL) == 0, "pthread_create");
    while (!worker_tid)
        sched_yield();
    reset_events();
    int by_main = 0;
    for (int i = 0; i < 20; i++) {
        int before = nevents;
        CHECK_SYS(kill(getpid(), SIGUSR1));
        by_main += nevents == before + 1 && events[before].tid == getpid();
    }
    spin_stop = 1;
    CHECK(pthread_join(t, NULL) == 0, "join");
    printf("kill(getpid()) x20 while another thread spins, none blocking: handled at once by "
           "the main thread %d times, %d handler runs in all\n",
           by_main, nevents);

    /* ...and to a thread that does not when the main thread blocks it. */
    reset_events();
    worker_tid = 0;
    CHECK(pthread_create(&t, NULL, spinning_worker, NULL) == 0, "pthread_create");
    mask_one(SIG_BLOCK, SIGUSR1);
    while (!worker_tid)
        sched_yield();
    CHECK_SYS(kill(getpid(), SIGUSR1));
    CHECK(pthread_join(t, NULL) == 0, "join");
    printf("kill(getpid()) with the main thread blocking: taken by the worker=%d\n",
           nevents == 1 && events[0].tid == worker_tid);
    CHECK(!is_pending(SIGUSR1), "USR1 still pending in the main thread");

    /* A thread's own pending signals are its own; the process's are
     * everyone's. Both block USR1 and USR2 (inherited mask). */
    mask_one(SIG_BLOCK, SIGUSR2);
    worker_tid = 0;
    worker_go = 0;
    CHECK(pthread_create(&t, NULL, pending_worker, NULL) == 0, "pthread_create");
    while (!worker_tid)
        sched_yield();
    CHECK_SYS(tgkill_raw(getpid(), worker_tid, SIGUSR1));
    CHECK_SYS(kill(getpid(), SIGUSR2));
    printf("main thread: the worker's USR1 pending=%d, the process's USR2 pending=%d\n",
           is_pending(SIGUSR1), is_pending(SIGUSR2));
    expect_errno(tgqueueinfo(getpid(), worker_tid, 0, SI_USER), EPERM,
                 "rt_tgsigqueueinfo(pid, worker, 0, SI_USER) from the main thread");
    CHECK_SYS(tgqueueinfo(getpid(), worker_tid, 0, SI_QUEUE));
    printf("rt_tgsigqueueinfo(pid, worker, 0, SI_QUEUE) from the main thread -> 0\n");
    fflush(stdout);
    worker_go = 1;
    CHECK(pthread_join(t, NULL) == 0, "join");
    fflush(stdout);
    printf("main thread after the worker took both: USR2 pending=%d\n", is_pending(SIGUSR2));
    mask_one(SIG_UNBLOCK, SIGUSR1);
    mask_one(SIG_UNBLOCK, SIGUSR2);
    set_disposition(SIGUSR1, SIG_DFL);
    set_disposition(SIGUSR2, SIG_DFL);
}

/* --- SIGCHLD ----------------------------------------------------------------------- */

static int exit_seven(void *arg)
{
    (void)arg;
    return 7;
}

static void sigchld(void)
{
    sigset_t chld, none;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigemptyset(&none);
    on_signal(SIGCHLD, record, 0, NULL);

    /* Exit: CLD_EXITED with the child's pid and exit code. */
    reset_events();
    CHECK_SYS(sigprocmask(SIG_BLOCK, &chld, NULL));
    pid_t c = spawn(exit_seven, NULL);
    sigsuspend(&none);
    printf("SIGCHLD for an exit: si_code=%s si_pid=%s si_status=%d si_uid=%s\n",
           code_name(SIGCHLD, events[0].code), events[0].pid == c ? "child" : "other",
           events[0].status, events[0].uid == (int)getuid() ? "self" : "other");
    wait_exit(c);

    /* Killed: CLD_KILLED with the signal. */
    reset_events();
    c = spawn(pause_child, NULL);
    CHECK_SYS(kill(c, SIGKILL));
    sigsuspend(&none);
    printf("SIGCHLD for a kill: si_code=%s si_pid=%s si_status=%s\n",
           code_name(SIGCHLD, events[0].code), events[0].pid == c ? "child" : "other",
           sig_name(events[0].status));
    wait_exit(c);

    /* SA_NOCLDWAIT: the handler still runs, but the child is reaped. */
    reset_events();
    on_signal(SIGCHLD, record, SA_NOCLDWAIT, NULL);
    c = spawn(exit_seven, NULL);
    sigsuspend(&none);
    printf("SA_NOCLDWAIT: handler ran=%d si_code=%s\n", nevents,
           code_name(SIGCHLD, events[0].code));
    expect_errno(waitpid(c, NULL, 0), ECHILD, "SA_NOCLDWAIT: waitpid(child)");
    CHECK_SYS(sigprocmask(SIG_UNBLOCK, &chld, NULL));

    /* SIG_IGN: no signal, reaped; wait waits for the exit, then ECHILD. */
    set_disposition(SIGCHLD, SIG_IGN);
    c = spawn(kill_parent_later, (void *)0L);
    expect_errno(wait(NULL), ECHILD, "SIGCHLD ignored: wait()");
    expect_errno(kill(c, 0), ESRCH, "SIGCHLD ignored: kill(child, 0) after wait");

    /* Auto-reaping is for children whose exit signal is SIGCHLD: a child
     * that exits with SIGUSR1 signals it and stays to be waited for. */
    mask_one(SIG_BLOCK, SIGUSR1);
    fflush(stdout);
    long k = syscall(SYS_clone, (long)SIGUSR1, 0L, 0L, 0L, 0L);
    CHECK_SYS(k);
    if (k == 0)
        _exit(5);
    int st;
    CHECK(waitpid((pid_t)k, &st, __WALL) == (pid_t)k, "waitpid __WALL: %s", errno_name(errno));
    printf("SIGCHLD ignored, child with exit signal USR1: waitpid(__WALL) reaped it with "
           "status %d, USR1 pending=%d\n",
           WEXITSTATUS(st), is_pending(SIGUSR1));
    set_disposition(SIGUSR1, SIG_IGN);
    mask_one(SIG_UNBLOCK, SIGUSR1);
    set_disposition(SIGUSR1, SIG_DFL);
    set_disposition(SIGCHLD, SIG_DFL);
}

/* --- SIGPIPE ------------------------------------------------------------------------ */

static int write_to_closed_pipe(void *arg)
{
    int fd = (int)(long)arg;
    write(fd, "x", 1);
    return 9; /* not reached: SIGPIPE kills */
}

static void sigpipe(void)
{
    int p[2];
    CHECK_SYS(pipe(p));
    close(p[0]);
    pid_t c = spawn(write_to_closed_pipe, (void *)(long)p[1]);
    int st = wait_exit(c);
    printf("write to a pipe with no reader, SIGPIPE default: killed by %s\n",
           WIFSIGNALED(st) ? sig_name(WTERMSIG(st)) : "nothing");

    set_disposition(SIGPIPE, SIG_IGN);
    expect_errno(write(p[1], "x", 1), EPIPE, "write to a pipe with no reader, SIGPIPE ignored");

    reset_events();
    on_signal(SIGPIPE, record, 0, NULL);
    long r = write(p[1], "x", 1);
    int e = errno;
    printf("write with a SIGPIPE handler: %ld %s, handler ran=%d si_code=%s si_pid=%s\n", r,
           errno_name(e), nevents, code_name(SIGPIPE, events[0].code),
           events[0].pid == getpid() ? "self" : "other");
    set_disposition(SIGPIPE, SIG_DFL);
    close(p[1]);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "after-exec") == 0)
        return after_exec();
    origins();
    masks_and_queues();
    handler_flags();
    waiting_for_signals();
    queueinfo_rules();
    uncatchable();
    exec_and_fork();
    threads();
    sigchld();
    sigpipe();
    guest_ok("signals");
    return 0;
}
