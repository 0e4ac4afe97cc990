/* fault_write_ro: writing to a page made read-only with mprotect kills the
 * process with SIGSEGV (exit status 139). The read before it must work. */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "check.h"

int main(void)
{
    volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap: %s", errno_name(errno));
    p[10] = 'x';
    CHECK_SYS(mprotect((void *)p, 4096, PROT_READ));
    printf("read-only page still reads '%c'\n", p[10]);
    printf("writing to the read-only page\n");
    fflush(stdout);
    p[10] = 'y';
    printf("FAIL: the write to a read-only page succeeded\n");
    return 1;
}
