/* bench/workloads/fork.c - process creation and reaping.
 *
 * usage: fork COUNT
 *
 * COUNT times: fork; the child touches one page of a 1 MiB heap buffer (so
 * a copy-on-write fault is part of the cost) and _exits with a status taken
 * from the loop counter; the parent waits for it.  The checksum covers every
 * exit status the parent saw.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s COUNT\n", argv[0]);
        return 2;
    }
    long count = strtol(argv[1], NULL, 10);
    if (count < 1) {
        fprintf(stderr, "fork: COUNT must be >= 1\n");
        return 2;
    }
    size_t size = 1u << 20;
    unsigned char *heap = malloc(size);
    if (!heap)
        return 1;
    memset(heap, 1, size);
    uint64_t sum = 0;
    for (long i = 0; i < count; i++) {
        pid_t child = fork();
        if (child < 0) {
            perror("fork");
            return 1;
        }
        if (child == 0) {
            heap[(size_t)(i * 4096) % size] = (unsigned char)i;
            _exit((int)(i & 0x7f));
        }
        int status;
        if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) {
            fprintf(stderr, "fork: bad wait for child %ld\n", i);
            return 1;
        }
        sum = sum * 31 + (uint64_t)WEXITSTATUS(status);
    }
    printf("fork: %ld children\n", count);
    printf("checksum: children=%ld statuses=%016llx\n", count, (unsigned long long)sum);
    return 0;
}
