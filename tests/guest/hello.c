/* hello: the smallest guest program. Writes through stdio (buffered, flushed
 * at exit) and through a raw write(2), then exits 0. */
#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
    printf("hello, world\n");
    fflush(stdout);
    static const char raw[] = "hello again, from write(2)\n";
    CHECK(write(1, raw, strlen(raw)) == (ssize_t)strlen(raw), "short write");
    guest_ok("hello");
    return 0;
}
