/* fork_bomb: a fork bomb held by reprise's --max-tasks cap. Run only under
 * reprise (never natively), as `fork_bomb CAP` with `--max-tasks CAP`.
 *
 * Every process forks until fork fails; the original process yields between
 * its forks so that its children and theirs fork too, and counts the forks
 * that failed with EAGAIN. A process whose fork failed blocks on the "hold"
 * pipe. Nobody exits while the original process holds the pipes open, so
 * once the cap is reached no fork succeeds: all CAP tasks are alive.
 *
 * Cleanup closes the write ends of two pipes, which only the original process
 * holds: the blocked processes read EOF on "hold" and exit. Their exits free
 * slots, so a process that was still about to fork could succeed again, and
 * each new child would fork in turn, for ever. So before every fork a process
 * reads the non-blocking "gate" pipe: EOF there means stop and exit. Each
 * process thus makes at most one fork after the cleanup, and its child stops
 * at once. If the original process dies early its write ends close with it
 * and everything ends the same way: nothing here can hang. Signals are not
 * used (reprise delivers none to handlers yet). The original process is a
 * subreaper, so every descendant comes back to it to be reaped. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int gate[2], hold[2];

/* A descendant: fork until refused or told to stop, then wait for EOF. */
static __attribute__((noreturn)) void descendant(void)
{
    /* Only the original process may keep the pipes open. */
    close(gate[1]);
    close(hold[1]);
    for (;;) {
        char b;
        if (read(gate[0], &b, 1) == 0) /* EOF: the bomb is being cleared */
            _exit(0);
        if (fork() < 0) /* parent and new child both go round again */
            break;
    }
    char b;
    while (read(hold[0], &b, 1) > 0)
        ;
    _exit(0);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: fork_bomb CAP (the --max-tasks value)");
    long cap = strtol(argv[1], NULL, 10);
    CHECK(cap >= 2, "CAP must be at least 2");

    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    CHECK_SYS(pipe2(gate, O_NONBLOCK));
    CHECK_SYS(pipe(hold));

    /* Fork until the cap refuses us a few times, letting the others run in
     * between. Bounded, so a cap that never bites fails the test instead of
     * looping. */
    long forks = 0, eagain = 0;
    for (long tries = 0; tries < 100000 && eagain < 3; tries++) {
        pid_t c = fork();
        if (c == 0)
            descendant();
        if (c > 0)
            forks++;
        else if (errno == EAGAIN)
            eagain++;
        else
            CHECK(0, "fork: %s", errno_name(errno));
        sched_yield();
    }
    CHECK(eagain > 0, "no fork failed with EAGAIN after %ld forks", forks);
    printf("fork returned EAGAIN at least once: yes\n");

    /* Every slot is taken: stop the bomb and reap it. */
    CHECK_SYS(close(gate[1]));
    CHECK_SYS(close(hold[1]));
    long reaped = 0;
    int st;
    pid_t w;
    while ((w = wait(&st)) > 0) {
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "descendant %d ended with status %#x", w, st);
        reaped++;
    }
    CHECK(errno == ECHILD, "wait: %s", errno_name(errno));
    /* All CAP - 1 others were alive at the cleanup; a few more may have been
     * made after it, which depends on the scheduler. */
    CHECK(reaped >= cap - 1, "reaped %ld descendants, %ld were alive", reaped, cap - 1);
    printf("at least CAP - 1 descendants reaped: yes\n");
    printf("fork bomb contained\n");
    guest_ok("fork_bomb");
    return 0;
}
