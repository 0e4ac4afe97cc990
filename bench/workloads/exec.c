/* bench/workloads/exec.c - fork + exec + wait of a small program.
 *
 * usage: exec COUNT PROGRAM [ARGS...]
 *
 * COUNT times: fork; the child sends its stdout to /dev/null and execs
 * PROGRAM with ARGS; the parent waits and checks for exit status 0.  The
 * runner passes the static hello world as PROGRAM (under qemu-user, the
 * qemu binary followed by hello: a host without binfmt_misc would not run a
 * foreign binary that a guest execs).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s COUNT PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    long count = strtol(argv[1], NULL, 10);
    if (count < 1) {
        fprintf(stderr, "exec: COUNT must be >= 1\n");
        return 2;
    }
    for (long i = 0; i < count; i++) {
        pid_t child = fork();
        if (child < 0) {
            perror("fork");
            return 1;
        }
        if (child == 0) {
            int null = open("/dev/null", O_WRONLY);
            if (null < 0 || dup2(null, 1) < 0)
                _exit(126);
            execv(argv[2], argv + 2);
            _exit(127);
        }
        int status;
        if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "exec: child %ld failed (status %#x)\n", i, status);
            return 1;
        }
    }
    printf("exec: %ld programs\n", count);
    printf("checksum: programs=%ld\n", count);
    return 0;
}
