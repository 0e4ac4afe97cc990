/* bench/tools/benchexec.c - the launcher bench/run measures every run with.
 *
 * usage: benchexec -o RESULT [-n STARTS] [-t SECONDS] -- PROGRAM [ARGS...]
 *
 * Starts PROGRAM STARTS times, one after the other (stopping at the first
 * start that fails), and writes one line to RESULT:
 *
 *   starts=K wall_ns=T maxrss_kb=M status=exit:N|signal:N|timeout|spawn:ERRNO
 *
 * where T is the wall time of all K starts together (from just before the
 * spawn to the return of wait4) and M is the largest ru_maxrss that wait4
 * reported for any of them.
 *
 * Why not measure from Python directly: Linux carries the peak RSS of the
 * memory image a process replaces at exec into that process's ru_maxrss, and
 * a child of the Python runner starts out as an image of the runner (or
 * shares it, with vfork), so a 0.5 MiB static program would report the
 * runner's ~14 MiB.  This launcher is a small static program, so the floor
 * it adds is its own few hundred KiB, the same for every mode.
 *
 * Each start runs in its own process group; when the time limit expires the
 * whole group is killed, including any processes the program started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t expired;

static void on_alarm(int sig)
{
    (void)sig;
    expired = 1;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(void)
{
    fprintf(stderr, "usage: benchexec -o RESULT [-n STARTS] [-t SECONDS] -- PROGRAM [ARGS...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *result_path = NULL;
    long starts = 1;
    unsigned timeout = 0;
    int opt;
    while ((opt = getopt(argc, argv, "+o:n:t:")) != -1) {
        switch (opt) {
        case 'o':
            result_path = optarg;
            break;
        case 'n':
            starts = strtol(optarg, NULL, 10);
            break;
        case 't':
            timeout = (unsigned)strtoul(optarg, NULL, 10);
            break;
        default:
            usage();
        }
    }
    if (!result_path || starts < 1 || optind >= argc)
        usage();
    char **program = argv + optind;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 must return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);

    char status[64] = "exit:0";
    long done = 0, max_rss = 0;
    long long total_ns = 0;
    if (timeout)
        alarm(timeout);
    for (long i = 0; i < starts; i++) {
        if (expired) {
            snprintf(status, sizeof status, "timeout");
            break;
        }
        long long begin = now_ns();
        pid_t pid;
        int err = posix_spawnp(&pid, program[0], NULL, &attr, program, environ);
        if (err != 0) {
            fprintf(stderr, "benchexec: cannot start %s: %s\n", program[0], strerror(err));
            snprintf(status, sizeof status, "spawn:%s", strerrorname_np(err));
            break;
        }
        int wstatus = 0;
        struct rusage usage;
        int killed = 0;
        for (;;) {
            /* The alarm may also have gone off before wait4 started. */
            if (expired && !killed) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                killed = 1;
            }
            pid_t got = wait4(pid, &wstatus, 0, &usage);
            if (got == pid)
                break;
            if (got < 0 && errno != EINTR) {
                perror("benchexec: wait4");
                return 1;
            }
        }
        total_ns += now_ns() - begin;
        done++;
        if (usage.ru_maxrss > max_rss)
            max_rss = usage.ru_maxrss;
        if (killed) {
            snprintf(status, sizeof status, "timeout");
            break;
        }
        if (WIFSIGNALED(wstatus)) {
            snprintf(status, sizeof status, "signal:%d", WTERMSIG(wstatus));
            break;
        }
        if (WEXITSTATUS(wstatus) != 0) {
            snprintf(status, sizeof status, "exit:%d", WEXITSTATUS(wstatus));
            break;
        }
    }
    alarm(0);

    FILE *out = fopen(result_path, "w");
    if (!out) {
        perror(result_path);
        return 1;
    }
    fprintf(out, "starts=%ld wall_ns=%lld maxrss_kb=%ld status=%s\n", done, total_ns, max_rss,
            status);
    return fclose(out) == 0 ? 0 : 1;
}
