/* host_signal: a signal from outside, sent to the program by the test
 * driver (to reprise, which passes it on to the guest's first process)
 * once the program has said it waits.
 *
 *   host_signal           waits; the signal's default action ends it
 *   host_signal blocked   blocks SIGTERM and waits until it is pending,
 *                         then unblocks it: the default action ends it then
 *   host_signal handled   catches SIGINT, says so and exits 0
 *   host_signal init      (reprise only, where the program is pid 1) a
 *                         child sends it SIGKILL, SIGTERM and SIGSTOP, which
 *                         do nothing, and SIGUSR1, which its handler takes
 *
 * Under reprise the program is its namespace's init, which is shielded
 * from signals it has no handler for when they come from inside its
 * namespace; a signal from the host is from outside, so it is not. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sigutil.h"

static volatile sig_atomic_t got;
static void on_signal_simple(int sig) { got = sig; }

/* Work that takes long enough for the driver's signal to arrive, without a
 * system call the signal would interrupt. */
static void spin_until(volatile sig_atomic_t *flag, int (*done)(void))
{
    for (volatile unsigned long i = 0;; i++) {
        if ((flag && *flag) || (done && done()))
            return;
        if (i == 1000000000000ul)
            break;
    }
    printf("FAIL: no signal came\n");
    exit(1);
}

static int sigterm_pending(void) { return is_pending(SIGTERM); }

/* A namespace's init is shielded from signals sent from inside it that it
 * has no handler for, SIGKILL and SIGSTOP too. */
static int init_shielded(void)
{
    CHECK(getpid() == 1, "not pid 1 but %d", (int)getpid());
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal_simple;
    sa.sa_flags = SA_RESTART;
    CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));
    fflush(stdout);
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        const int sigs[] = {SIGKILL, SIGTERM, SIGSTOP, SIGUSR1};
        for (int i = 0; i < 4; i++)
            if (kill(1, sigs[i]) != 0)
                _exit(10 + i);
        _exit(0);
    }
    int st;
    CHECK(waitpid(c, &st, 0) == c, "waitpid");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "kill failed in the child: %#x", st);
    printf("pid 1 after its child sent SIGKILL, SIGTERM, SIGSTOP and SIGUSR1: still running, "
           "its SIGUSR1 handler ran=%d\n", got == SIGUSR1);
    CHECK(kill(0, SIGKILL) == 0, "kill(0, SIGKILL)");
    printf("and after SIGKILL to its own process group: still running\n");
    guest_ok("host_signal");
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "default";
    if (strcmp(mode, "init") == 0)
        return init_shielded();
    if (strcmp(mode, "handled") == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal_simple;
        CHECK_SYS(sigaction(SIGINT, &sa, NULL));
        printf("waiting for SIGINT\n");
        fflush(stdout);
        spin_until(&got, NULL);
        printf("the handler ran for %s\n", sig_name(got));
        guest_ok("host_signal");
        return 0;
    }
    if (strcmp(mode, "blocked") == 0) {
        mask_one(SIG_BLOCK, SIGTERM);
        printf("waiting for SIGTERM, blocked\n");
        fflush(stdout);
        spin_until(NULL, sigterm_pending);
        printf("SIGTERM is pending; unblocking it\n");
        fflush(stdout);
        mask_one(SIG_UNBLOCK, SIGTERM);
        printf("FAIL: still running after SIGTERM was unblocked\n");
        return 1;
    }
    printf("waiting for SIGTERM\n");
    fflush(stdout);
    spin_until(NULL, NULL);
    return 1;
}
