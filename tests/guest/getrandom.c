/* getrandom: the guest's sources of randomness.
 *
 * Prints, in hex, bytes from getrandom(2) (two calls, with and without
 * flags), /dev/urandom, /dev/random and AT_RANDOM. Under reprise all of them
 * come from --seed, so the driver runs this twice with the same seed (output
 * must be byte-identical) and once with another seed (output must differ).
 * The program itself checks what holds everywhere: full-length results,
 * successive reads differ, unknown flags give EINVAL. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static void print_hex(const char *label, const unsigned char *b, size_t n)
{
    printf("%s: ", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

static void read_device(const char *dev, unsigned char *b, size_t n)
{
    int fd = open(dev, O_RDONLY);
    CHECK(fd >= 0, "open %s: %s", dev, errno_name(errno));
    CHECK(read(fd, b, n) == (ssize_t)n, "short read from %s", dev);
    CHECK_SYS(close(fd));
}

int main(void)
{
    unsigned char a[32], b[32], big[4096], u[16], r[16];

    CHECK(getrandom(a, sizeof a, 0) == (ssize_t)sizeof a, "getrandom 32");
    CHECK(getrandom(b, sizeof b, GRND_NONBLOCK) == (ssize_t)sizeof b, "getrandom NONBLOCK");
    CHECK(memcmp(a, b, sizeof a) != 0, "two getrandom calls returned the same bytes");
    CHECK(getrandom(big, sizeof big, 0) == (ssize_t)sizeof big, "getrandom 4096");
    CHECK(getrandom(big, 0, 0) == 0, "getrandom of 0 bytes");
    CHECK(syscall(SYS_getrandom, a, 8, 0x100) == -1 && errno == EINVAL,
          "getrandom with an unknown flag: %s", errno_name(errno));
    read_device("/dev/urandom", u, sizeof u);
    read_device("/dev/random", r, sizeof r);
    CHECK(memcmp(u, r, sizeof u) != 0, "/dev/urandom and /dev/random gave the same bytes");

    print_hex("getrandom", a, sizeof a);
    print_hex("getrandom(GRND_NONBLOCK)", b, sizeof b);
    unsigned h = 2166136261u;
    for (size_t i = 0; i < sizeof big; i++)
        h = (h ^ big[i]) * 16777619u;
    printf("getrandom 4096 bytes, FNV-1a: %08x\n", h);
    print_hex("/dev/urandom", u, sizeof u);
    print_hex("/dev/random", r, sizeof r);
    print_hex("AT_RANDOM", (const unsigned char *)getauxval(AT_RANDOM), 16);
    guest_ok("getrandom");
    return 0;
}
