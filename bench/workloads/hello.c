/* bench/workloads/hello.c - the "spawn" workload: a static hello world.
 *
 * The runner starts this program many times in a row; what is measured is
 * the cost of starting (loading, libc start-up, one write, exit).
 */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    printf("checksum: hello\n");
    return 0;
}
