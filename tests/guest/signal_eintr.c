/* signal_eintr: a handler interrupting a blocked system call.
 *
 * The parent blocks in a call; a child sleeps 50 ms, sends SIGUSR1 to it,
 * and (for the restart cases) sleeps another 50 ms and then does what ends
 * the call. Without SA_RESTART read, write, wait4, waitid and FUTEX_WAIT fail
 * with EINTR; with it they are restarted and finish normally. nanosleep,
 * clock_nanosleep, a timed FUTEX_WAIT and pause end with EINTR either way;
 * the relative sleeps report the time left. A write that moved bytes
 * returns their count. A signal that is ignored, ignored by default or
 * blocked does not interrupt anything; a SIGCHLD handler does not make
 * wait4 miss the exit that raised it; pthread_cond_wait rides through a
 * handler. Under reprise the sleeps run on the virtual clock, so the order
 * of events is fixed; natively 50 ms leaves ample time. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sigutil.h"

static volatile int handled;

static void on_usr1(int sig) { (void)sig; handled++; }

/* SIGUSR1's handler, with or without SA_RESTART. */
static void set_restart(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));
    handled = 0;
}

static const char *flags_name(int restart) { return restart ? "SA_RESTART" : "no SA_RESTART"; }

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Forks a child that sleeps 50 ms, sends \p sig to the parent and, when
 * \p then is given, sleeps 50 ms more and calls then(arg). */
static pid_t signaller(int sig, void (*then)(void *), void *arg)
{
    fflush(stdout);
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        sleep_ms(50);
        kill(getppid(), sig);
        if (then) {
            sleep_ms(50);
            then(arg);
        }
        _exit(0);
    }
    return c;
}

/* Reaps \p c, whatever signals come meanwhile. */
static void reap(pid_t c)
{
    int st;
    pid_t r;
    while ((r = waitpid(c, &st, 0)) == -1 && errno == EINTR)
        ;
    CHECK(r == c, "waitpid %d: %s", c, errno_name(errno));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

/* Prints a call's outcome: "<r>" or "-1 ENAME". */
static const char *outcome(long r, int err)
{
    static char buf[64];
    if (r == -1)
        snprintf(buf, sizeof buf, "-1 %s", errno_name(err));
    else
        snprintf(buf, sizeof buf, "%ld", r);
    return buf;
}

/* --- Pipes ---------------------------------------------------------------------- */

static void write_x(void *fd) { write((int)(long)fd, "x", 1); }

static void drain(void *fd)
{
    static char buf[65536];
    int f = (int)(long)fd;
    fcntl(f, F_SETFL, O_NONBLOCK);
    while (read(f, buf, sizeof buf) > 0)
        ;
}

/* Fills the pipe's buffer; returns how many bytes it took. */
static long fill(int fd)
{
    static char buf[4096];
    long total = 0;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    for (;;) {
        long n = write(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        total += n;
    }
    fcntl(fd, F_SETFL, 0);
    return total;
}

static void pipes(void)
{
    for (int restart = 0; restart < 2; restart++) {
        int p[2];
        CHECK_SYS(pipe(p));
        set_restart(restart);
        pid_t c = signaller(SIGUSR1, restart ? write_x : NULL, (void *)(long)p[1]);
        char b = 0;
        long r = read(p[0], &b, 1);
        int e = errno;
        printf("read from an empty pipe, %s: %s%s, handler ran %d\n", flags_name(restart),
               outcome(r, e), r == 1 ? (b == 'x' ? " (the byte written after)" : " (?)") : "",
               handled);
        reap(c);
        close(p[0]);
        close(p[1]);
    }

    for (int restart = 0; restart < 2; restart++) {
        int p[2];
        CHECK_SYS(pipe(p));
        long cap = fill(p[1]);
        set_restart(restart);
        pid_t c = signaller(SIGUSR1, restart ? drain : NULL, (void *)(long)p[0]);
        long r = write(p[1], "y", 1);
        int e = errno;
        printf("write of 1 byte to a full pipe (%ld bytes), %s: %s, handler ran %d\n", cap,
               flags_name(restart), outcome(r, e), handled);
        reap(c);
        close(p[0]);
        close(p[1]);
    }

    /* A write that filled the pipe before the signal returns what it wrote. */
    for (int restart = 0; restart < 2; restart++) {
        int p[2];
        CHECK_SYS(pipe(p));
        set_restart(restart);
        static char big[65536 + 4096];
        pid_t c = signaller(SIGUSR1, NULL, NULL);
        long r = write(p[1], big, sizeof big);
        int e = errno;
        printf("write of %zu bytes to an empty pipe, %s: %s, handler ran %d\n", sizeof big,
               flags_name(restart), outcome(r, e), handled);
        reap(c);
        close(p[0]);
        close(p[1]);
    }

    /* Signals that do not run a handler do not interrupt. */
    int p[2];
    CHECK_SYS(pipe(p));
    set_restart(0);
    pid_t c = signaller(SIGWINCH, write_x, (void *)(long)p[1]);
    char b;
    long r = read(p[0], &b, 1);
    printf("read while SIGWINCH (ignored by default) comes: %s\n", outcome(r, errno));
    reap(c);
    set_disposition(SIGUSR2, SIG_IGN);
    c = signaller(SIGUSR2, write_x, (void *)(long)p[1]);
    r = read(p[0], &b, 1);
    printf("read while SIGUSR2 (SIG_IGN) comes: %s\n", outcome(r, errno));
    reap(c);
    set_disposition(SIGUSR2, SIG_DFL);
    mask_one(SIG_BLOCK, SIGUSR1);
    c = signaller(SIGUSR1, write_x, (void *)(long)p[1]);
    r = read(p[0], &b, 1);
    printf("read while SIGUSR1 (blocked, handled) comes: %s, handler ran %d", outcome(r, errno),
           handled);
    mask_one(SIG_UNBLOCK, SIGUSR1);
    printf(", %d after unblocking\n", handled);
    reap(c);
    close(p[0]);
    close(p[1]);
}

/* --- wait4 and waitid --------------------------------------------------------------- */

static void waits(void)
{
    for (int restart = 0; restart < 2; restart++) {
        set_restart(restart);
        fflush(stdout);
        pid_t c = fork();
        CHECK_SYS(c);
        if (c == 0) {
            sleep_ms(50);
            kill(getppid(), SIGUSR1);
            sleep_ms(50);
            _exit(0);
        }
        int st;
        long r = wait4(c, &st, 0, NULL);
        int e = errno;
        printf("wait4 for a child that signals, then exits, %s: %s, handler ran %d\n",
               flags_name(restart), r == c ? "the child's pid" : outcome(r, e), handled);
        if (r != c)
            reap(c);
    }

    for (int restart = 0; restart < 2; restart++) {
        set_restart(restart);
        fflush(stdout);
        pid_t c = fork();
        CHECK_SYS(c);
        if (c == 0) {
            sleep_ms(50);
            kill(getppid(), SIGUSR1);
            sleep_ms(50);
            _exit(0);
        }
        siginfo_t si;
        memset(&si, 0, sizeof si);
        long r = waitid(P_PID, c, &si, WEXITED);
        int e = errno;
        printf("waitid for a child that signals, then exits, %s: %s, handler ran %d\n",
               flags_name(restart), r == 0 && si.si_pid == c ? "0 with its pid" : outcome(r, e),
               handled);
        if (r != 0)
            reap(c);
    }

    /* The exit that raises a SIGCHLD handler is still reported by wait4,
     * even without SA_RESTART. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    CHECK_SYS(sigaction(SIGCHLD, &sa, NULL));
    handled = 0;
    fflush(stdout);
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        sleep_ms(50);
        _exit(0);
    }
    int st;
    long r = wait4(c, &st, 0, NULL);
    int e = errno;
    printf("wait4 for a child whose exit runs a SIGCHLD handler (no SA_RESTART): %s, "
           "handler ran %d\n",
           r == c ? "the child's pid" : outcome(r, e), handled);
    if (r != c)
        reap(c);
    set_disposition(SIGCHLD, SIG_DFL);
}

/* --- Sleeps ------------------------------------------------------------------------ */

static void sleeps(void)
{
    for (int restart = 0; restart < 2; restart++) {
        set_restart(restart);
        pid_t c = signaller(SIGUSR1, NULL, NULL);
        struct timespec req = {2, 0}, rem = {-1, -1};
        long r = nanosleep(&req, &rem);
        int e = errno;
        int rem_ok = rem.tv_sec >= 1 && rem.tv_sec < 2 && rem.tv_nsec >= 500000000 &&
                     rem.tv_nsec < 1000000000;
        printf("nanosleep 2 s, %s: %s, handler ran %d, time left filled in (1.5 s..2 s)=%d\n",
               flags_name(restart), outcome(r, e), handled, rem_ok);
        reap(c);
    }

    set_restart(1);
    pid_t c = signaller(SIGUSR1, NULL, NULL);
    struct timespec req = {2, 0}, rem = {-1, -1};
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
    printf("clock_nanosleep relative 2 s, SA_RESTART: returns %s, time left filled in=%d\n",
           r == EINTR ? "EINTR" : errno_name(r),
           rem.tv_sec >= 1 && rem.tv_sec < 2 && rem.tv_nsec >= 500000000);
    reap(c);

    c = signaller(SIGUSR1, NULL, NULL);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    req = (struct timespec){now.tv_sec + 2, now.tv_nsec};
    rem = (struct timespec){-1, -1};
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, &rem);
    printf("clock_nanosleep absolute, SA_RESTART: returns %s, remainder untouched=%d\n",
           r == EINTR ? "EINTR" : errno_name(r), rem.tv_sec == -1 && rem.tv_nsec == -1);
    reap(c);

    /* A child's exit (SIGCHLD, ignored by default) does not end a sleep. */
    fflush(stdout);
    c = fork();
    CHECK_SYS(c);
    if (c == 0)
        _exit(0);
    req = (struct timespec){0, 100 * 1000000};
    long rr = nanosleep(&req, NULL);
    printf("nanosleep 100 ms while a child exits (SIGCHLD default): %s\n", outcome(rr, errno));
    reap(c);

    set_restart(1);
    c = signaller(SIGUSR1, NULL, NULL);
    rr = pause();
    printf("pause, SA_RESTART: %s, handler ran %d\n", outcome(rr, errno), handled);
    reap(c);
}

/* --- Futexes ------------------------------------------------------------------------ */

static uint32_t *word;

static long futex_wait(uint32_t *addr, uint32_t val, const struct timespec *ts)
{
    return syscall(SYS_futex, addr, FUTEX_WAIT, val, ts, NULL, 0);
}

static void wake_word(void *arg)
{
    (void)arg;
    __atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready;
static pid_t main_tid;

static void *cond_signaller(void *arg)
{
    (void)arg;
    sleep_ms(50);
    tgkill_raw(getpid(), main_tid, SIGUSR1);
    sleep_ms(50);
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void futexes(void)
{
    /* Shared memory and a shared (not private) futex, so that a child can
     * wake the parent. */
    word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(word != MAP_FAILED, "mmap");
    for (int restart = 0; restart < 2; restart++) {
        *word = 0;
        set_restart(restart);
        pid_t c = signaller(SIGUSR1, restart ? wake_word : NULL, NULL);
        long r = futex_wait(word, 0, NULL);
        int e = errno;
        printf("FUTEX_WAIT without a timeout, %s: %s%s, handler ran %d\n", flags_name(restart),
               outcome(r, e), r == 0 && *word == 1 ? " (woken after the handler)" : "",
               handled);
        reap(c);
    }

    *word = 0;
    set_restart(1);
    pid_t c = signaller(SIGUSR1, NULL, NULL);
    struct timespec ts = {5, 0};
    long r = futex_wait(word, 0, &ts);
    printf("FUTEX_WAIT with a 5 s timeout, SA_RESTART: %s, handler ran %d\n", outcome(r, errno),
           handled);
    reap(c);

    /* pthread_cond_wait rides through a handler. */
    set_restart(0);
    main_tid = gettid_raw();
    pthread_t t;
    CHECK(pthread_create(&t, NULL, cond_signaller, NULL) == 0, "pthread_create");
    pthread_mutex_lock(&lock);
    int wakeups = 0;
    while (!ready) {
        CHECK(pthread_cond_wait(&cond, &lock) == 0, "pthread_cond_wait");
        wakeups++;
    }
    pthread_mutex_unlock(&lock);
    CHECK(pthread_join(t, NULL) == 0, "join");
    printf("pthread_cond_wait with a signal in the middle (no SA_RESTART): returned once the "
           "condition held, handler ran %d\n",
           handled);
    (void)wakeups;
}

int main(void)
{
    pipes();
    waits();
    sleeps();
    futexes();
    guest_ok("signal_eintr");
    return 0;
}
