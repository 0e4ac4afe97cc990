/* fault_sigill: executing an undefined instruction (ud2 on x86-64, udf #0 on
 * arm64) kills the process with SIGILL (exit status 132). */
#define _GNU_SOURCE
#include "check.h"

int main(void)
{
    printf("executing an undefined instruction\n");
    fflush(stdout);
#if defined(__x86_64__)
    __asm__ volatile("ud2");
#elif defined(__aarch64__)
    __asm__ volatile("udf #0");
#else
#error "unsupported architecture"
#endif
    printf("FAIL: the undefined instruction did not fault\n");
    return 1;
}
