/* bench/workloads/syscall.c - cost of a trivial system call.
 *
 * usage: syscall CALLS
 *
 * Calls getppid through syscall() CALLS times in a tight loop.  The value
 * returned differs between a native run and an emulated one (reprise has its
 * own process ids), so the checksum line only records how many calls were
 * made and whether every call returned the same value as the first.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CALLS\n", argv[0]);
        return 2;
    }
    long calls = strtol(argv[1], NULL, 10);
    if (calls < 1) {
        fprintf(stderr, "syscall: CALLS must be >= 1\n");
        return 2;
    }
    long first = syscall(SYS_getppid);
    long differing = 0;
    for (long i = 1; i < calls; i++) {
        if (syscall(SYS_getppid) != first)
            differing++;
    }
    printf("syscall: %ld getppid calls\n", calls);
    printf("checksum: calls=%ld differing=%ld\n", calls, differing);
    return differing == 0 ? 0 : 1;
}
