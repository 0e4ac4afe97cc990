/* jobctl_orphan: job control in orphaned process groups.
 *
 * A process group is orphaned when no member has a parent in another group
 * of the same session. Linux then discards SIGTSTP, SIGTTIN and SIGTTOU
 * whose action is the default one (SIGSTOP still stops, a handler still
 * runs, a blocked one stays pending until it is unblocked), and when a
 * group becomes orphaned while a member is stopped, every member gets
 * SIGHUP and then SIGCONT.
 *
 * Every case starts in a session of its own (setsid), so nothing depends
 * on the session the test was started in. The main process is a child
 * subreaper, so orphans come back to it on any host; an alarm ends the test
 * with a message instead of hanging if a process stays stopped. What the
 * processes see is written to shared memory and printed by the main
 * process, in a fixed order. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sigutil.h"

/* What the processes of a case saw, shared with the main process. */
struct shared {
    volatile int hup, cont, tstp_handled;
    volatile int running_after_tstp, pending_while_blocked, running_after_unblock;
    volatile pid_t child;
};
static struct shared *sh;

static pid_t watched[8];
static int nwatched;

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL: timed out: a process stayed stopped\n";
    write(1, msg, sizeof msg - 1);
    for (int i = 0; i < nwatched; i++)
        kill(watched[i], SIGKILL);
    if (sh->child > 0)
        kill(sh->child, SIGKILL);
    _exit(1);
}

static void on_hup(int sig) { (void)sig; sh->hup = 1; }
static void on_cont(int sig) { (void)sig; sh->cont = 1; }
static void on_tstp(int sig) { (void)sig; sh->tstp_handled = 1; }

static void set_handler(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    CHECK_SYS(sigaction(sig, &sa, NULL));
}

static pid_t spawn(void)
{
    fflush(stdout);
    pid_t c = fork();
    CHECK_SYS(c);
    if (c > 0 && nwatched < 8)
        watched[nwatched++] = c;
    return c;
}

/* Waits for \p pid, printing each stop as "what: stopped by SIG" and
 * continuing it; returns the final wait status. */
static int reap(const char *what, pid_t pid)
{
    int st;
    for (;;) {
        CHECK(waitpid(pid, &st, WUNTRACED) == pid, "waitpid %s: %s", what, errno_name(errno));
        if (!WIFSTOPPED(st))
            return st;
        printf("%s: stopped by %s\n", what, sig_name(WSTOPSIG(st)));
        fflush(stdout);
        CHECK_SYS(kill(pid, SIGCONT));
    }
}

static const char *status(int st)
{
    static char buf[64];
    if (WIFEXITED(st))
        snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof buf, "killed by %s", sig_name(WTERMSIG(st)));
    else
        snprintf(buf, sizeof buf, "status %#x", st);
    return buf;
}

/* A session leader is alone in its group, and its parent is in another
 * session: the group is orphaned from the start. */
static void orphaned_group_ignores_terminal_stops(void)
{
    memset(sh, 0, sizeof *sh);
    pid_t s = spawn();
    if (s == 0) {
        CHECK_SYS(setsid());
        raise(SIGTSTP);
        raise(SIGTTIN);
        raise(SIGTTOU);
        sh->running_after_tstp = 1;
        set_handler(SIGTSTP, on_tstp);
        raise(SIGTSTP);
        set_handler(SIGTSTP, SIG_DFL);
        mask_one(SIG_BLOCK, SIGTSTP);
        raise(SIGTSTP);
        sh->pending_while_blocked = is_pending(SIGTSTP);
        mask_one(SIG_UNBLOCK, SIGTSTP);
        sh->running_after_unblock = !is_pending(SIGTSTP);
        raise(SIGSTOP); /* always stops: the main process continues it */
        _exit(0);
    }
    int st = reap("session leader", s);
    printf("orphaned group: still running after SIGTSTP, SIGTTIN, SIGTTOU=%d; a SIGTSTP "
           "handler ran=%d; a blocked SIGTSTP pending=%d and dropped when unblocked=%d\n",
           sh->running_after_tstp, sh->tstp_handled, sh->pending_while_blocked,
           sh->running_after_unblock);
    printf("session leader: %s\n", status(st));
}

/* The same signal in a group whose leader's parent is in another group of
 * the same session: the group is not orphaned, SIGTSTP stops it. */
static void linked_group_stops(void)
{
    pid_t s = spawn();
    if (s == 0) {
        CHECK_SYS(setsid());
        fflush(stdout);
        pid_t c = fork();
        CHECK_SYS(c);
        if (c == 0) {
            CHECK_SYS(setpgid(0, 0));
            raise(SIGTSTP);
            _exit(0);
        }
        setpgid(c, c); /* both sides, whichever runs first */
        int st = reap("child in its own group, parent in the session", c);
        printf("child in its own group, parent in the session: %s\n", status(st));
        fflush(stdout);
        _exit(0);
    }
    int st = reap("session leader", s);
    printf("session leader: %s\n", status(st));
}

/* A group {M, C} in the session of S: M's parent S links it. C stops; M
 * exits; C goes to the main process, in another session, and the group is
 * orphaned with a stopped member: C gets SIGHUP and SIGCONT. With
 * \p handle_hup C catches SIGHUP and goes on; without, it dies of it. */
static void group_orphaned_while_stopped(int handle_hup)
{
    memset(sh, 0, sizeof *sh);
    pid_t s = spawn();
    if (s == 0) {
        CHECK_SYS(setsid());
        fflush(stdout);
        pid_t m = fork();
        CHECK_SYS(m);
        if (m == 0) {
            CHECK_SYS(setpgid(0, 0));
            pid_t c = fork();
            CHECK_SYS(c);
            if (c == 0) {
                if (handle_hup)
                    set_handler(SIGHUP, on_hup);
                set_handler(SIGCONT, on_cont);
                raise(SIGTSTP); /* the group is not orphaned yet: this stops */
                _exit(0);
            }
            int st;
            CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st), "the child did not stop");
            sh->child = c;
            _exit(0); /* the group's last link to the session goes */
        }
        setpgid(m, m);
        int st;
        CHECK(waitpid(m, &st, 0) == m, "waitpid");
        _exit(0);
    }
    int st = reap("session leader", s);
    CHECK(st == 0, "session leader: %s", status(st));
    CHECK(sh->child > 0, "no child pid");
    /* The stopped child is now the main process's (a subreaper). */
    st = reap("orphaned child", sh->child);
    if (handle_hup)
        printf("group orphaned with a stopped member: its SIGHUP handler ran=%d, its SIGCONT "
               "handler ran=%d, then it %s\n",
               sh->hup, sh->cont, status(st));
    else
        printf("group orphaned with a stopped member, SIGHUP not handled: the member is %s\n",
               status(st));
}

/* The classic case: a stopped child in a group of its own loses its parent,
 * the group's only link to the session. */
static void parent_of_stopped_child_exits(void)
{
    memset(sh, 0, sizeof *sh);
    pid_t s = spawn();
    if (s == 0) {
        CHECK_SYS(setsid());
        pid_t c = fork();
        CHECK_SYS(c);
        if (c == 0) {
            CHECK_SYS(setpgid(0, 0));
            raise(SIGTSTP);
            _exit(0);
        }
        setpgid(c, c);
        int st;
        CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st), "the child did not stop");
        sh->child = c;
        _exit(0);
    }
    int st = reap("session leader", s);
    CHECK(st == 0, "session leader: %s", status(st));
    st = reap("orphaned child", sh->child);
    printf("parent of a stopped child in its own group exits: the child is %s\n", status(st));
}

int main(void)
{
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(sh != MAP_FAILED, "mmap");
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    set_handler(SIGALRM, on_alarm);
    alarm(20);

    orphaned_group_ignores_terminal_stops();
    linked_group_stops();
    group_orphaned_while_stopped(1);
    group_orphaned_while_stopped(0);
    parent_of_stopped_child_exits();

    alarm(0);
    guest_ok("jobctl_orphan");
    return 0;
}
