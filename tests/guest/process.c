/* process: fork, exit status, wait4/waitid, copy-on-write memory, getppid,
 * kill with default actions, process groups, orphans and ECHILD. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int global = 1;

int main(void)
{
    pid_t self = getpid();

    /* Exit codes of several children, reaped by pid in reverse order. */
    pid_t kids[5];
    for (int i = 0; i < 5; i++) {
        kids[i] = fork();
        CHECK_SYS(kids[i]);
        if (kids[i] == 0) {
            global = 100 + i; /* the parent must not see this */
            _exit(getppid() == self ? 10 + i : 99);
        }
    }
    for (int i = 4; i >= 0; i--) {
        int st;
        CHECK(waitpid(kids[i], &st, 0) == kids[i], "waitpid: %s", errno_name(errno));
        CHECK(WIFEXITED(st), "child %d did not exit normally", i);
        printf("child %d exited with %d\n", i, WEXITSTATUS(st));
    }
    CHECK(global == 1, "a child's write reached the parent");
    printf("children's writes stay in the children\n");
    expect_errno(wait(NULL), ECHILD, "wait with no children");

    /* Shared anonymous memory stays shared across fork. */
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(shared != MAP_FAILED, "mmap shared");
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        *shared = 4242;
        _exit(0);
    }
    CHECK(waitpid(c, NULL, 0) == c, "waitpid shared");
    printf("MAP_SHARED write seen by the parent: %d\n", *shared);

    /* A child that blocks forever, killed by SIGKILL and by SIGTERM. */
    int sigs[] = {SIGKILL, SIGTERM};
    for (int i = 0; i < 2; i++) {
        int fds[2];
        CHECK_SYS(pipe(fds));
        c = fork();
        CHECK_SYS(c);
        if (c == 0) {
            char b;
            close(fds[1]);
            read(fds[0], &b, 1); /* never returns: the parent keeps fds[1] */
            _exit(0);
        }
        CHECK_SYS(kill(c, sigs[i]));
        int st;
        CHECK(waitpid(c, &st, 0) == c, "waitpid killed");
        printf("child killed: signaled=%d signal=%s\n", WIFSIGNALED(st), sigabbrev_np(WTERMSIG(st)));
        close(fds[0]);
        close(fds[1]);
    }

    /* WNOHANG on a running child gives 0; waitid reports the exit. */
    int go[2];
    CHECK_SYS(pipe(go));
    c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        char b;
        close(go[1]);
        read(go[0], &b, 1);
        _exit(3);
    }
    close(go[0]);
    CHECK(waitpid(c, NULL, WNOHANG) == 0, "WNOHANG on a running child");
    printf("WNOHANG on a running child -> 0\n");
    close(go[1]); /* EOF lets the child go on */
    siginfo_t si = {0};
    CHECK_SYS(waitid(P_PID, c, &si, WEXITED));
    printf("waitid: code=%s status=%d pid ok=%d\n", si.si_code == CLD_EXITED ? "CLD_EXITED" : "?",
           si.si_status, si.si_pid == c);

    /* Process groups: a child in its own group, found by kill(-pgid). */
    c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        CHECK_SYS(setpgid(0, 0));
        pause();
        _exit(0);
    }
    CHECK_SYS(setpgid(c, c)); /* races with the child's own call: both agree */
    CHECK(getpgid(c) == c, "getpgid of the child");
    CHECK_SYS(kill(-c, SIGKILL));
    int st;
    CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st), "group kill");
    printf("setpgid, getpgid and kill(-pgid) work\n");
    expect_errno(kill(c, 0), ESRCH, "kill(reaped pid, 0)");
    expect_errno(kill(self, 65), EINVAL, "kill with signal 65");

    /* rusage of a reaped child is returned. */
    c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        volatile unsigned long x = 0;
        for (int i = 0; i < 1000000; i++)
            x += i;
        _exit(0);
    }
    struct rusage ru;
    CHECK(wait4(c, &st, 0, &ru) == c, "wait4");
    printf("wait4 filled rusage: %d\n", ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0);
    /* CPU affinity: setting the mask getaffinity reports works, an empty
     * one is refused. */
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CHECK_SYS(sched_getaffinity(0, sizeof cpus, &cpus));
    CHECK(CPU_COUNT(&cpus) >= 1, "no CPU in the affinity mask");
    CHECK_SYS(sched_setaffinity(0, sizeof cpus, &cpus));
    printf("sched_setaffinity to the mask sched_getaffinity gave: ok\n");
    CPU_ZERO(&cpus);
    expect_errno(sched_setaffinity(0, sizeof cpus, &cpus), EINVAL, "sched_setaffinity with no CPU");
    guest_ok("process");
    return 0;
}
