/* fault_jump: calling an address with nothing mapped there kills the process
 * with SIGSEGV (exit status 139 through a shell or reprise). The page is
 * unmapped first so the target is certainly empty. Nothing after the call
 * may run. */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>

#include "check.h"

int main(void)
{
    volatile uintptr_t target = 0xdead0000;
    CHECK_SYS(munmap((void *)target, 4096));
    printf("calling unmapped address 0xdead0000\n");
    fflush(stdout);
    ((void (*)(void))target)();
    printf("FAIL: returned from an unmapped address\n");
    return 1;
}
