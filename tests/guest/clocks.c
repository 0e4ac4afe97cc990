/* clocks: the guest's clocks move forward and sleeping takes time.
 *
 * Over a loop of reads CLOCK_MONOTONIC and CLOCK_REALTIME never go backwards
 * and MONOTONIC does advance; gettimeofday and time agree with REALTIME;
 * nanosleep and clock_nanosleep (relative and TIMER_ABSTIME) advance
 * MONOTONIC by at least what was asked; clock() never decreases; bad clock
 * ids and bad timespecs give EINVAL.
 *
 * With "--epoch N" it also checks that REALTIME starts within an hour after N
 * (for reprise's --epoch option). */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int64_t ns(clockid_t id)
{
    struct timespec ts;
    CHECK(clock_gettime(id, &ts) == 0, "clock_gettime(%d): %s", (int)id, errno_name(errno));
    CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000, "tv_nsec out of range: %ld", ts.tv_nsec);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void check_sleep(const char *what, int64_t want_ns, int64_t before)
{
    int64_t after = ns(CLOCK_MONOTONIC);
    CHECK(after - before >= want_ns, "%s: MONOTONIC advanced %lld ns, asked %lld", what,
          (long long)(after - before), (long long)want_ns);
    printf("%s: MONOTONIC advanced by at least %lld ms\n", what, (long long)(want_ns / 1000000));
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--epoch") == 0) {
        long long epoch = atoll(argv[2]);
        struct timespec ts;
        CHECK_SYS(clock_gettime(CLOCK_REALTIME, &ts));
        CHECK(ts.tv_sec >= epoch && ts.tv_sec < epoch + 3600,
              "REALTIME %lld is not within an hour after %lld", (long long)ts.tv_sec, epoch);
        printf("REALTIME starts within an hour after the epoch\n");
    }

    /* Monotonic and realtime never go backwards. */
    int64_t m0 = ns(CLOCK_MONOTONIC), r0 = ns(CLOCK_REALTIME);
    int64_t m = m0, r = r0;
    clock_t c = clock();
    CHECK(c != (clock_t)-1, "clock() failed");
    volatile uint64_t work = 1;
    for (int i = 0; i < 20000; i++) {
        for (int j = 0; j < 50; j++)
            work = work * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t m1 = ns(CLOCK_MONOTONIC), r1 = ns(CLOCK_REALTIME);
        CHECK(m1 >= m, "MONOTONIC went back by %lld ns at %d", (long long)(m - m1), i);
        CHECK(r1 >= r, "REALTIME went back by %lld ns at %d", (long long)(r - r1), i);
        m = m1;
        r = r1;
        clock_t c1 = clock();
        CHECK(c1 != (clock_t)-1 && c1 >= c, "clock() went back");
        c = c1;
    }
    CHECK(m > m0, "MONOTONIC did not advance over 20000 reads");
    printf("20000 reads: MONOTONIC and REALTIME never decrease, MONOTONIC advances; "
           "clock() never decreases\n");

    /* gettimeofday and time agree with REALTIME. */
    int64_t before = ns(CLOCK_REALTIME);
    struct timeval tv;
    CHECK_SYS(gettimeofday(&tv, NULL));
    time_t t = time(NULL);
    int64_t after = ns(CLOCK_REALTIME);
    int64_t tv_ns = (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
    CHECK(tv_ns >= before / 1000 * 1000 && tv_ns <= after, "gettimeofday outside REALTIME bounds");
    CHECK((int64_t)t >= before / 1000000000 && (int64_t)t <= after / 1000000000,
          "time() outside REALTIME bounds");
    printf("gettimeofday and time agree with REALTIME\n");

    struct timespec res;
    CHECK_SYS(clock_getres(CLOCK_MONOTONIC, &res));
    CHECK(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000,
          "MONOTONIC resolution %ld.%09ld", (long)res.tv_sec, res.tv_nsec);
    printf("clock_getres(MONOTONIC) is between 1 ns and 1 ms\n");

    /* Sleeping. */
    int64_t s = ns(CLOCK_MONOTONIC);
    struct timespec req = {0, 50 * 1000000};
    CHECK_SYS(nanosleep(&req, NULL));
    check_sleep("nanosleep 50 ms", 50 * 1000000, s);

    s = ns(CLOCK_MONOTONIC);
    req = (struct timespec){1, 0};
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0, "clock_nanosleep relative");
    check_sleep("clock_nanosleep 1 s relative", 1000000000, s);

    s = ns(CLOCK_MONOTONIC);
    int64_t target = s + 30 * 1000000;
    req = (struct timespec){(time_t)(target / 1000000000), (long)(target % 1000000000)};
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL) == 0,
          "clock_nanosleep absolute");
    check_sleep("clock_nanosleep TIMER_ABSTIME +30 ms", 30 * 1000000, s);

    /* Bad arguments. */
    struct timespec ts;
    CHECK(syscall(SYS_clock_gettime, 12345, &ts) == -1 && errno == EINVAL,
          "clock_gettime of an unknown clock: %s", errno_name(errno));
    printf("clock_gettime of an unknown clock -> EINVAL\n");
    req = (struct timespec){0, 1000000000};
    CHECK(nanosleep(&req, NULL) == -1 && errno == EINVAL, "nanosleep with tv_nsec = 1e9: %s",
          errno_name(errno));
    printf("nanosleep with tv_nsec = 1000000000 -> EINVAL\n");
    req = (struct timespec){-1, 0};
    CHECK(nanosleep(&req, NULL) == -1 && errno == EINVAL, "nanosleep with tv_sec = -1: %s",
          errno_name(errno));
    printf("nanosleep with tv_sec = -1 -> EINVAL\n");

    guest_ok("clocks");
    return 0;
}
