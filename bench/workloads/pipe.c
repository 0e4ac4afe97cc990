/* bench/workloads/pipe.c - two processes ping-pong a byte through pipes.
 *
 * usage: pipe ROUNDS
 *
 * The parent writes a byte to the child, the child adds one and writes it
 * back, ROUNDS times; every round is two blocking reads and two context
 * switches.  The checksum is the final byte and the round count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s ROUNDS\n", argv[0]);
        return 2;
    }
    long rounds = strtol(argv[1], NULL, 10);
    if (rounds < 1) {
        fprintf(stderr, "pipe: ROUNDS must be >= 1\n");
        return 2;
    }
    int down[2], up[2];
    if (pipe(down) || pipe(up)) {
        perror("pipe");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        close(down[1]);
        close(up[0]);
        unsigned char byte;
        while (read(down[0], &byte, 1) == 1) {
            byte++;
            if (write(up[1], &byte, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    unsigned char byte = 0;
    for (long i = 0; i < rounds; i++) {
        if (write(down[1], &byte, 1) != 1 || read(up[0], &byte, 1) != 1) {
            fprintf(stderr, "pipe: round %ld failed\n", i);
            return 1;
        }
        byte++;
    }
    close(down[1]);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "pipe: child failed\n");
        return 1;
    }
    printf("pipe: %ld round trips\n", rounds);
    printf("checksum: rounds=%ld byte=%u\n", rounds, byte);
    return 0;
}
