/* determinism: prints everything a program could use to tell two runs apart.
 *
 * Wall and monotonic time, getrandom bytes, AT_RANDOM, the addresses of an
 * mmap, of small and large mallocs, of a stack variable and of the program
 * break, the pid, and the time-stamp counter read directly by an instruction
 * (rdtsc and rdtscp on x86-64, CNTVCT_EL0 on arm64), plus the hardware random
 * number instructions when the CPU advertises them (RDRAND/RDSEED, RNDR).
 * Natively all of this changes from run to run; under reprise the driver
 * checks that two runs with the same --seed print the same bytes and that
 * another seed changes the output. */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#if defined(__x86_64__)
#include <cpuid.h>

static void counters(void)
{
    uint32_t lo, hi, aux;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t t1 = (uint64_t)hi << 32 | lo;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t t2 = (uint64_t)hi << 32 | lo;
    CHECK(t2 >= t1, "rdtsc went backwards");
    printf("rdtsc: %llu then %llu\n", (unsigned long long)t1, (unsigned long long)t2);

    unsigned a, b, c, d;
    if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (d & (1u << 27))) {
        __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
        printf("rdtscp: %llu (aux %u)\n", (unsigned long long)((uint64_t)hi << 32 | lo), aux);
    }
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 30))) {
        uint64_t v;
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
        printf("rdrand: ok=%u value %016llx\n", ok, (unsigned long long)v);
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 18))) {
        uint64_t v;
        unsigned char ok;
        __asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
        printf("rdseed: ok=%u value %016llx\n", ok, (unsigned long long)v);
    }
}
#elif defined(__aarch64__)
#ifndef HWCAP2_RNG
#define HWCAP2_RNG (1UL << 16)
#endif

static void counters(void)
{
    uint64_t t1, t2, freq;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t1));
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t2));
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    CHECK(t2 >= t1, "CNTVCT_EL0 went backwards");
    printf("cntvct_el0: %llu then %llu (cntfrq_el0 %llu)\n", (unsigned long long)t1,
           (unsigned long long)t2, (unsigned long long)freq);
    if (getauxval(AT_HWCAP2) & HWCAP2_RNG) {
        uint64_t v, nzcv;
        /* RNDR is s3_3_c2_c4_0; spelled out so no -march flag is needed. */
        __asm__ volatile("mrs %0, s3_3_c2_c4_0; mrs %1, nzcv" : "=r"(v), "=r"(nzcv));
        printf("rndr: nzcv %llx value %016llx\n", (unsigned long long)nzcv,
               (unsigned long long)v);
    }
}
#else
#error "unsupported architecture"
#endif

static void print_hex(const char *label, const unsigned char *b, size_t n)
{
    printf("%s: ", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

int main(void)
{
    struct timespec rt, mono;
    CHECK_SYS(clock_gettime(CLOCK_REALTIME, &rt));
    CHECK_SYS(clock_gettime(CLOCK_MONOTONIC, &mono));
    printf("realtime: %lld.%09ld\n", (long long)rt.tv_sec, rt.tv_nsec);
    printf("monotonic: %lld.%09ld\n", (long long)mono.tv_sec, mono.tv_nsec);
    printf("time(): %lld\n", (long long)time(NULL));

    unsigned char r[16];
    CHECK(getrandom(r, sizeof r, 0) == (ssize_t)sizeof r, "getrandom");
    print_hex("getrandom", r, sizeof r);
    print_hex("AT_RANDOM", (const unsigned char *)getauxval(AT_RANDOM), 16);

    void *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap");
    void *small = malloc(100), *large = malloc(4 << 20);
    CHECK(small && large, "malloc");
    int local = 0;
    printf("mmap: %p\n", m);
    printf("malloc(100): %p\n", small);
    printf("malloc(4 MiB): %p\n", large);
    printf("stack variable: %p\n", (void *)&local);
    printf("program break: %p\n", sbrk(0));
    printf("pid: %d\n", (int)getpid());

    counters();
    guest_ok("determinism");
    return 0;
}
