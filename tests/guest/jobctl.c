/* jobctl: job control. SIGSTOP and SIGTSTP stop a child where it is (here
 * blocked reading a pipe), waitpid/waitid report the stop once, SIGCONT
 * resumes it and is reported once with WCONTINUED, a stopped child can be
 * killed, and SA_NOCLDSTOP keeps stops from sending SIGCHLD. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t chld;
static void on_chld(int sig) { (void)sig; chld++; }

/* A child that reads the pipe until it is closed, then exits 3. It leads
 * its own process group: Linux drops SIGTSTP sent to an orphaned process
 * group, and the test's own group may be one (when a driver started it in
 * a new session); a group whose leader's parent is in another group of the
 * same session is not. */
static pid_t reader(int *wfd)
{
    int p[2];
    CHECK_SYS(pipe(p));
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        char b;
        setpgid(0, 0);
        close(p[1]);
        while (read(p[0], &b, 1) > 0)
            ;
        _exit(3);
    }
    setpgid(c, c); /* both sides, whichever runs first */
    close(p[0]);
    *wfd = p[1];
    return c;
}

int main(void)
{
    int w, st;
    pid_t c = reader(&w);
    CHECK_SYS(kill(c, SIGSTOP));
    CHECK(waitpid(c, &st, WUNTRACED) == c, "waitpid WUNTRACED");
    printf("SIGSTOP: stopped=%d by %s\n", WIFSTOPPED(st), sigabbrev_np(WSTOPSIG(st)));
    CHECK(waitpid(c, &st, WUNTRACED | WNOHANG) == 0, "a stop is reported once");
    printf("the stop is reported once\n");
    CHECK_SYS(kill(c, SIGCONT));
    CHECK(waitpid(c, &st, WCONTINUED) == c, "waitpid WCONTINUED");
    printf("SIGCONT: continued=%d\n", WIFCONTINUED(st));
    CHECK(waitpid(c, &st, WCONTINUED | WNOHANG) == 0, "a continue is reported once");

    CHECK_SYS(kill(c, SIGTSTP));
    siginfo_t si = {0};
    CHECK_SYS(waitid(P_PID, c, &si, WSTOPPED));
    printf("SIGTSTP: waitid code=%s status=%s\n",
           si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other", sigabbrev_np(si.si_status));
    CHECK_SYS(kill(c, SIGCONT));
    si = (siginfo_t){0};
    CHECK_SYS(waitid(P_PID, c, &si, WCONTINUED));
    printf("SIGCONT: waitid code=%s status=%s\n",
           si.si_code == CLD_CONTINUED ? "CLD_CONTINUED" : "other", sigabbrev_np(si.si_status));
    close(w);
    CHECK(waitpid(c, &st, 0) == c, "waitpid");
    printf("then it reads EOF and exits %d\n", WEXITSTATUS(st));

    /* A stopped child dies of SIGKILL. */
    c = reader(&w);
    CHECK_SYS(kill(c, SIGSTOP));
    CHECK(waitpid(c, &st, WUNTRACED) == c, "waitpid stop");
    CHECK_SYS(kill(c, SIGKILL));
    CHECK(waitpid(c, &st, 0) == c, "waitpid kill");
    printf("SIGKILL while stopped: signaled=%d by %s\n", WIFSIGNALED(st), sigabbrev_np(WTERMSIG(st)));
    close(w);

    /* SA_NOCLDSTOP: no SIGCHLD for the stop, one for the exit. */
    struct sigaction sa = {0};
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    CHECK_SYS(sigaction(SIGCHLD, &sa, NULL));
    c = reader(&w);
    CHECK_SYS(kill(c, SIGSTOP));
    CHECK(waitpid(c, &st, WUNTRACED) == c, "waitpid stop");
    printf("SA_NOCLDSTOP: SIGCHLD after the stop: %d\n", (int)chld);
    CHECK_SYS(kill(c, SIGCONT));
    CHECK(waitpid(c, &st, WCONTINUED) == c, "waitpid continue");
    close(w);
    CHECK(waitpid(c, &st, 0) == c, "waitpid exit");
    printf("SA_NOCLDSTOP: SIGCHLD after the exit: %d\n", (int)chld);
    guest_ok("jobctl");
    return 0;
}
