/* cpu_features: every CPU feature the guest is told about must work.
 *
 * x86-64: reads CPUID leaves 1, 7 and 0x80000001 and, for each advertised
 * feature in the list below, executes one instruction of it (inline asm, so
 * no -m flags are needed) and checks its result where that is cheap. AVX-family
 * features are only run when the OS enables their state (OSXSAVE + XCR0), as
 * real programs do; FSGSBASE only when AT_HWCAP2 says the kernel allows it.
 *
 * arm64: reads AT_HWCAP / AT_HWCAP2 and does the same per advertised bit.
 *
 * The printed list depends on the CPU model, so the driver only checks the
 * final "ok" line and the exit status. */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static int n_run, n_absent, n_skipped;

/* Runs one feature's test if the feature is advertised. */
static void feature(const char *name, int advertised, int (*test)(void))
{
    if (!advertised) {
        printf("%-12s not advertised\n", name);
        n_absent++;
        return;
    }
    /* Flushed first, so a fault names the feature that caused it. */
    printf("%-12s ", name);
    fflush(stdout);
    CHECK(test(), "%s is advertised but its instruction gave a wrong result", name);
    printf("executed\n");
    n_run++;
}

__attribute__((unused)) static void skipped(const char *name, const char *why)
{
    printf("%-12s advertised, skipped: %s\n", name, why);
    n_skipped++;
}

#if defined(__x86_64__)
#include <cpuid.h>

typedef float v4sf __attribute__((vector_size(16)));
typedef int v4si __attribute__((vector_size(16)));
typedef long long v2di __attribute__((vector_size(16)));
typedef unsigned char v16qi __attribute__((vector_size(16)));

#define SAME(a, b) (memcmp(&(a), &(b), sizeof(a)) == 0)

static int t_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return 1;
}

static int t_cx8(void)
{
    uint64_t mem = 0x1111111122222222ULL;
    uint32_t lo = 0x22222222, hi = 0x11111111;
    unsigned char ok;
    __asm__ volatile("lock cmpxchg8b %0; sete %1"
                     : "+m"(mem), "=q"(ok), "+a"(lo), "+d"(hi)
                     : "b"(0x44444444), "c"(0x33333333)
                     : "cc");
    return ok && mem == 0x3333333344444444ULL;
}

static int t_cmov(void)
{
    uint64_t r = 1, v = 7, z = 0;
    __asm__("test %2, %2; cmovz %1, %0" : "+r"(r) : "r"(v), "r"(z) : "cc");
    return r == 7;
}

static int t_clflush(void)
{
    static volatile int x = 5;
    __asm__ volatile("clflush %0" : "+m"(x));
    return x == 5;
}

static int t_mmx(void)
{
    uint64_t v = 0x0001000200030004ULL, out;
    __asm__ volatile("movq %1, %%mm0; paddw %%mm0, %%mm0; movq %%mm0, %0; emms"
                     : "=r"(out)
                     : "r"(v)
                     : "mm0", "st");
    return out == 0x0002000400060008ULL;
}

static int t_fxsr(void)
{
    static unsigned char area[512] __attribute__((aligned(16)));
    memset(area, 0xee, sizeof area);
    __asm__ volatile("fxsave %0" : "=m"(area));
    uint16_t fcw = (uint16_t)(area[0] | area[1] << 8);
    uint32_t mxcsr = (uint32_t)(area[24] | area[25] << 8 | area[26] << 16 | (uint32_t)area[27] << 24);
    /* The x87 control word and MXCSR a Linux process starts with. */
    return fcw == 0x037f && (mxcsr & 0xffff) == 0x1f80;
}

static int t_sse(void)
{
    v4sf a = {1, 2, 3, 4}, b = {10, 20, 30, 40}, e = {11, 22, 33, 44};
    __asm__("addps %1, %0" : "+x"(a) : "x"(b));
    return SAME(a, e);
}

static int t_sse2(void)
{
    v2di a = {1, 2}, b = {3, 40}, e = {4, 42};
    __asm__("paddq %1, %0" : "+x"(a) : "x"(b));
    return SAME(a, e);
}

static int t_sse3(void)
{
    v4sf a = {1, 2, 3, 4}, e = {3, 7, 3, 7};
    __asm__("haddps %0, %0" : "+x"(a));
    return SAME(a, e);
}

static int t_ssse3(void)
{
    v16qi a = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    v16qi m = {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    v16qi e = {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    __asm__("pshufb %1, %0" : "+x"(a) : "x"(m));
    return SAME(a, e);
}

static int t_sse41(void)
{
    v4si a = {1, 2, 3, 4}, b = {5, 6, 7, -1}, e = {5, 12, 21, -4};
    __asm__("pmulld %1, %0" : "+x"(a) : "x"(b));
    return SAME(a, e);
}

static int t_sse42(void)
{
    /* CRC-32C of "123456789" is 0xe3069283. */
    uint32_t crc = 0xffffffff;
    for (const char *p = "123456789"; *p; p++)
        __asm__("crc32b %1, %0" : "+r"(crc) : "rm"(*p));
    return (crc ^ 0xffffffff) == 0xe3069283;
}

static int t_popcnt(void)
{
    uint64_t v = 0xf0f0f0f0f0f0f0f0ULL, r;
    __asm__("popcnt %1, %0" : "=r"(r) : "r"(v) : "cc");
    return r == 32;
}

static int t_pclmul(void)
{
    v2di a = {0x87, 0}, b = {3, 0}, e = {0x189, 0};
    __asm__("pclmulqdq $0, %1, %0" : "+x"(a) : "x"(b));
    return SAME(a, e);
}

static int t_aes(void)
{
    /* One AES round of an all-zero state with an all-zero key: SubBytes gives
     * 0x63 everywhere, and ShiftRows/MixColumns keep a uniform state. */
    v2di s = {0, 0}, k = {0, 0};
    v2di e = {0x6363636363636363LL, 0x6363636363636363LL};
    __asm__("aesenc %1, %0" : "+x"(s) : "x"(k));
    return SAME(s, e);
}

static int t_movbe(void)
{
    uint32_t v = 0x11223344, r;
    __asm__("movbe %1, %0" : "=r"(r) : "m"(v));
    return r == 0x44332211;
}

static int t_cx16(void)
{
    static uint64_t mem[2] __attribute__((aligned(16))) = {1, 2};
    uint64_t lo = 1, hi = 2;
    unsigned char ok;
    __asm__ volatile("lock cmpxchg16b %0; sete %1"
                     : "+m"(mem), "=q"(ok), "+a"(lo), "+d"(hi)
                     : "b"((uint64_t)3), "c"((uint64_t)4)
                     : "cc");
    return ok && mem[0] == 3 && mem[1] == 4;
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

static int t_osxsave(void) { return (xgetbv0() & 3) == 3; /* x87 and SSE state */ }

static int t_avx(void)
{
    float a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r[8];
    __asm__ volatile("vmovups %1, %%ymm0; vaddps %%ymm0, %%ymm0, %%ymm0; vmovups %%ymm0, %0; vzeroupper"
                     : "=m"(r)
                     : "m"(a)
                     : "xmm0");
    for (int i = 0; i < 8; i++)
        if (r[i] != 2 * a[i])
            return 0;
    return 1;
}

static int t_f16c(void)
{
    uint16_t h[4] = {0x3c00, 0x4000, 0xc000, 0x3800}; /* 1, 2, -2, 0.5 */
    float r[4];
    __asm__ volatile("vcvtph2ps %1, %%xmm0; vmovups %%xmm0, %0" : "=m"(r) : "m"(h) : "xmm0");
    return r[0] == 1.0f && r[1] == 2.0f && r[2] == -2.0f && r[3] == 0.5f;
}

static int t_fma(void)
{
    v4sf a = {1, 2, 3, 4}, b = {2, 2, 2, 2}, c = {10, 20, 30, 40}, e = {12, 24, 36, 48};
    __asm__("vfmadd231ps %1, %2, %0" : "+x"(c) : "x"(a), "x"(b));
    return SAME(c, e);
}

static int t_avx2(void)
{
    int a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r[8];
    __asm__ volatile("vmovdqu %1, %%ymm0; vpaddd %%ymm0, %%ymm0, %%ymm0; vmovdqu %%ymm0, %0; vzeroupper"
                     : "=m"(r)
                     : "m"(a)
                     : "xmm0");
    for (int i = 0; i < 8; i++)
        if (r[i] != 2 * a[i])
            return 0;
    return 1;
}

static int t_avx512f(void)
{
    int a[16], r[16];
    for (int i = 0; i < 16; i++)
        a[i] = i * 3;
    __asm__ volatile("vmovdqu32 %1, %%zmm0; vpaddd %%zmm0, %%zmm0, %%zmm0; vmovdqu32 %%zmm0, %0; vzeroupper"
                     : "=m"(r)
                     : "m"(a)
                     : "xmm0");
    for (int i = 0; i < 16; i++)
        if (r[i] != 2 * a[i])
            return 0;
    return 1;
}

static int t_bmi1(void)
{
    uint64_t a = 0xff00, b = 0x0ff0, andn, tz, blsr;
    __asm__("andn %2, %1, %0" : "=r"(andn) : "r"(a), "r"(b) : "cc");
    __asm__("tzcnt %1, %0" : "=r"(tz) : "r"((uint64_t)8) : "cc");
    __asm__("blsr %1, %0" : "=r"(blsr) : "r"((uint64_t)0x28) : "cc");
    return andn == 0x00f0 && tz == 3 && blsr == 0x20;
}

static int t_bmi2(void)
{
    uint64_t ext, dep, hi, lo, shl;
    __asm__("pext %2, %1, %0" : "=r"(ext) : "r"((uint64_t)0xabcd), "r"((uint64_t)0x0ff0));
    __asm__("pdep %2, %1, %0" : "=r"(dep) : "r"((uint64_t)0x5), "r"((uint64_t)0xf0));
    __asm__("mulx %3, %1, %0" : "=r"(hi), "=r"(lo) : "d"((uint64_t)1 << 63), "r"((uint64_t)6));
    __asm__("shlx %2, %1, %0" : "=r"(shl) : "r"((uint64_t)3), "r"((uint64_t)4));
    return ext == 0xbc && dep == 0x50 && hi == 3 && lo == 0 && shl == 48;
}

static int t_adx(void)
{
    uint64_t a = ~0ULL, b = 1, c = 5, d = 0;
    /* a + b carries; adcx then adds that carry into c + d. */
    __asm__("clc; adcx %2, %0; adcx %3, %1" : "+r"(a), "+r"(c) : "r"(b), "r"(d) : "cc");
    return a == 0 && c == 6;
}

static int t_sha(void)
{
    /* sha1nexte: dest[127:96] = src[127:96] + rol(dest[127:96], 30), the rest from src. */
    v4si d = {0, 0, 0, 0x40000000}, s = {1, 2, 3, 4}, e = {1, 2, 3, 0x10000004};
    __asm__("sha1nexte %1, %0" : "+x"(d) : "x"(s));
    return SAME(d, e);
}

static int t_gfni(void)
{
    /* Multiplication in GF(2^8) modulo x^8+x^4+x^3+x+1. */
    v16qi a = {2, 0x80, 3, 0x53}, b = {2, 2, 3, 0xca}, e = {4, 0x1b, 5, 1};
    __asm__("gf2p8mulb %1, %0" : "+x"(a) : "x"(b));
    return SAME(a, e);
}

static int t_rdrand(void)
{
    uint64_t v;
    unsigned char ok = 0;
    for (int i = 0; i < 10 && !ok; i++)
        __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
    return ok;
}

static int t_rdseed(void)
{
    uint64_t v;
    unsigned char ok = 0;
    for (int i = 0; i < 100 && !ok; i++)
        __asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
    return ok;
}

static int t_fsgsbase(void)
{
    uint64_t via_insn, via_syscall = 0;
    __asm__ volatile("rdfsbase %0" : "=r"(via_insn));
    CHECK_SYS(syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &via_syscall));
    return via_insn == via_syscall && via_insn != 0;
}

static int t_clflushopt(void)
{
    static volatile int x = 5;
    __asm__ volatile("clflushopt %0" : "+m"(x));
    return x == 5;
}

static int t_lahf(void)
{
    uint64_t rax;
    /* xor sets ZF, which lahf copies to bit 6 of AH; sahf writes it back. */
    __asm__ volatile("xor %%eax, %%eax; lahf; sahf" : "=a"(rax) : : "cc");
    return ((rax >> 8) & 0x40) != 0;
}

static int t_lzcnt(void)
{
    uint64_t r;
    __asm__("lzcnt %1, %0" : "=r"(r) : "r"((uint64_t)1) : "cc");
    return r == 63;
}

static int t_prefetchw(void)
{
    static int x = 3;
    __asm__ volatile("prefetchw %0" : : "m"(x));
    return x == 3;
}

static int t_rdtscp(void)
{
    uint32_t lo, hi, aux;
    __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
    return 1;
}

static int t_rdpid(void)
{
    uint64_t id;
    __asm__ volatile("rdpid %0" : "=r"(id));
    return 1;
}

int main(void)
{
    unsigned a1, b1, c1, d1, a7 = 0, b7 = 0, c7 = 0, d7 = 0, ae, be, ce = 0, de = 0, max;
    CHECK(__get_cpuid(0, &max, &b1, &c1, &d1), "no CPUID");
    __cpuid(1, a1, b1, c1, d1);
    if (max >= 7)
        __cpuid_count(7, 0, a7, b7, c7, d7);
    if (__get_cpuid(0x80000001, &ae, &be, &ce, &de) == 0)
        ce = de = 0;
#define BIT(r, n) (((r) >> (n)) & 1)
    CHECK(BIT(d1, 25) && BIT(d1, 26), "SSE and SSE2 (x86-64 baseline) not advertised");

    feature("TSC", BIT(d1, 4), t_tsc);
    feature("CX8", BIT(d1, 8), t_cx8);
    feature("CMOV", BIT(d1, 15), t_cmov);
    feature("CLFSH", BIT(d1, 19), t_clflush);
    feature("MMX", BIT(d1, 23), t_mmx);
    feature("FXSR", BIT(d1, 24), t_fxsr);
    feature("SSE", BIT(d1, 25), t_sse);
    feature("SSE2", BIT(d1, 26), t_sse2);
    feature("SSE3", BIT(c1, 0), t_sse3);
    feature("PCLMULQDQ", BIT(c1, 1), t_pclmul);
    feature("SSSE3", BIT(c1, 9), t_ssse3);
    feature("CX16", BIT(c1, 13), t_cx16);
    feature("SSE4.1", BIT(c1, 19), t_sse41);
    feature("SSE4.2", BIT(c1, 20), t_sse42);
    feature("MOVBE", BIT(c1, 22), t_movbe);
    feature("POPCNT", BIT(c1, 23), t_popcnt);
    feature("AES", BIT(c1, 25), t_aes);
    feature("OSXSAVE", BIT(c1, 27), t_osxsave);
    feature("RDRAND", BIT(c1, 30), t_rdrand);
    feature("BMI1", BIT(b7, 3), t_bmi1);
    feature("BMI2", BIT(b7, 8), t_bmi2);
    feature("RDSEED", BIT(b7, 18), t_rdseed);
    feature("ADX", BIT(b7, 19), t_adx);
    feature("CLFLUSHOPT", BIT(b7, 23), t_clflushopt);
    feature("SHA", BIT(b7, 29), t_sha);
    feature("GFNI", BIT(c7, 8), t_gfni);
    feature("RDPID", BIT(c7, 22), t_rdpid);
    feature("LAHF_LM", BIT(ce, 0), t_lahf);
    feature("LZCNT", BIT(ce, 5), t_lzcnt);
    feature("PREFETCHW", BIT(ce, 8), t_prefetchw);
    feature("RDTSCP", BIT(de, 27), t_rdtscp);

    /* FSGSBASE instructions work in user mode only if the kernel enabled them. */
    if (BIT(b7, 0) && !(getauxval(AT_HWCAP2) & 2))
        skipped("FSGSBASE", "AT_HWCAP2 does not enable it");
    else
        feature("FSGSBASE", BIT(b7, 0), t_fsgsbase);

    /* AVX-family registers are usable only if the OS enabled their state. */
    uint64_t xcr0 = BIT(c1, 27) ? xgetbv0() : 0;
    int ymm_ok = (xcr0 & 6) == 6, zmm_ok = (xcr0 & 0xe6) == 0xe6;
    struct {
        const char *name;
        int advertised, enabled;
        int (*test)(void);
    } vex[] = {
        {"AVX", BIT(c1, 28), ymm_ok, t_avx},     {"F16C", BIT(c1, 29), ymm_ok, t_f16c},
        {"FMA", BIT(c1, 12), ymm_ok, t_fma},     {"AVX2", BIT(b7, 5), ymm_ok, t_avx2},
        {"AVX512F", BIT(b7, 16), zmm_ok, t_avx512f},
    };
    for (size_t i = 0; i < sizeof vex / sizeof vex[0]; i++) {
        if (vex[i].advertised && !vex[i].enabled)
            skipped(vex[i].name, "register state not enabled in XCR0");
        else
            feature(vex[i].name, vex[i].advertised, vex[i].test);
    }

    printf("executed %d, not advertised %d, skipped %d\n", n_run, n_absent, n_skipped);
    guest_ok("cpu_features");
    return 0;
}

#elif defined(__aarch64__)

typedef unsigned char u8x16 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));

#define SAME(a, b) (memcmp(&(a), &(b), sizeof(a)) == 0)

static uint32_t ror32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
static uint64_t ror64(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

static int t_fp(void)
{
    double a = 1.5, b = 2.25, r;
    __asm__("fadd %d0, %d1, %d2" : "=w"(r) : "w"(a), "w"(b));
    return r == 3.75;
}

static int t_asimd(void)
{
    u32x4 a = {1, 2, 3, 4}, b = {10, 20, 30, 40}, e = {11, 22, 33, 44};
    __asm__("add %0.4s, %0.4s, %1.4s" : "+w"(a) : "w"(b));
    return SAME(a, e);
}

static int t_aes(void)
{
    /* AddRoundKey(0) then SubBytes: 0x63 everywhere; ShiftRows and
     * MixColumns keep a uniform state uniform. */
    u8x16 s = {0}, k = {0}, e;
    memset(&e, 0x63, sizeof e);
    __asm__(".arch_extension aes\n\taese %0.16b, %1.16b\n\taesmc %0.16b, %0.16b" : "+w"(s) : "w"(k));
    return SAME(s, e);
}

static int t_pmull(void)
{
    u64x2 a = {0x87, 0}, b = {3, 0}, r, e = {0x189, 0};
    __asm__(".arch_extension aes\n\tpmull %0.1q, %1.1d, %2.1d" : "=w"(r) : "w"(a), "w"(b));
    return SAME(r, e);
}

static int t_sha1(void)
{
    uint32_t x = 0x40000000, r;
    __asm__(".arch_extension sha2\n\tsha1h %s0, %s1" : "=w"(r) : "w"(x));
    return r == 0x10000000;
}

static int t_sha2(void)
{
    u32x4 d = {0x11111111, 0x22222222, 0x33333333, 0x44444444};
    u32x4 n = {0x55555555, 0x66666666, 0x77777777, 0x88888888};
    u32x4 e;
    /* sha256su0: d[i] + sigma0(t[i]) where t = {d[1], d[2], d[3], n[0]}. */
    uint32_t t[4] = {d[1], d[2], d[3], n[0]};
    for (int i = 0; i < 4; i++)
        e[i] = d[i] + (ror32(t[i], 7) ^ ror32(t[i], 18) ^ (t[i] >> 3));
    __asm__(".arch_extension sha2\n\tsha256su0 %0.4s, %1.4s" : "+w"(d) : "w"(n));
    return SAME(d, e);
}

static int t_crc32(void)
{
    uint32_t crc = 0xffffffff, crcc = 0xffffffff;
    for (const char *p = "123456789"; *p; p++) {
        uint32_t byte = (unsigned char)*p;
        __asm__(".arch_extension crc\n\tcrc32b %w0, %w0, %w1" : "+r"(crc) : "r"(byte));
        __asm__(".arch_extension crc\n\tcrc32cb %w0, %w0, %w1" : "+r"(crcc) : "r"(byte));
    }
    return (crc ^ 0xffffffff) == 0xcbf43926 && (crcc ^ 0xffffffff) == 0xe3069283;
}

static int t_atomics(void)
{
    static uint32_t mem = 40;
    uint32_t old, expect = 42;
    __asm__ volatile(".arch_extension lse\n\tldadd %w2, %w0, %1" : "=r"(old), "+Q"(mem) : "r"(2));
    __asm__ volatile(".arch_extension lse\n\tcas %w0, %w2, %1" : "+r"(expect), "+Q"(mem) : "r"(7));
    return old == 40 && expect == 42 && mem == 7;
}

static int t_fphp(void)
{
    uint16_t r;
    __asm__(".arch_extension fp16\n\tfmov h1, #1.0\n\tfadd h0, h1, h1\n\tumov %w0, v0.h[0]"
            : "=r"(r)
            :
            : "v0", "v1");
    return r == 0x4000;
}

static int t_asimdhp(void)
{
    u16x8 a, e;
    for (int i = 0; i < 8; i++) {
        a[i] = 0x3c00; /* 1.0 */
        e[i] = 0x4000; /* 2.0 */
    }
    __asm__(".arch_extension fp16\n\tfadd %0.8h, %0.8h, %0.8h" : "+w"(a));
    return SAME(a, e);
}

static int t_cpuid(void)
{
    uint64_t midr;
    __asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
    return 1;
}

static int t_asimdrdm(void)
{
    /* 0.5 * 0.5 in Q31, accumulated onto 0. */
    u32x4 acc = {0}, a = {0x40000000, 0, 0, 0}, b = {0x40000000, 0, 0, 0}, e = {0x20000000, 0, 0, 0};
    __asm__(".arch_extension rdma\n\tsqrdmlah %0.4s, %1.4s, %2.4s" : "+w"(acc) : "w"(a), "w"(b));
    return SAME(acc, e);
}

static int t_jscvt(void)
{
    double d = -3.75;
    int32_t r;
    __asm__(".arch armv8.3-a\n\tfjcvtzs %w0, %d1" : "=r"(r) : "w"(d) : "cc");
    return r == -3;
}

static int t_fcma(void)
{
    /* rotation 0: d.re += n.re * m.re, d.im += n.re * m.im */
    f32x4 d = {0, 0, 0, 0}, n = {1, 2, 5, 6}, m = {3, 4, 7, 8}, e = {3, 4, 35, 40};
    __asm__(".arch armv8.3-a\n\tfcmla %0.4s, %1.4s, %2.4s, #0" : "+w"(d) : "w"(n), "w"(m));
    return SAME(d, e);
}

static int t_lrcpc(void)
{
    static uint64_t v = 0x1234;
    uint64_t r;
    __asm__ volatile(".arch_extension rcpc\n\tldapr %0, %1" : "=r"(r) : "Q"(v));
    return r == 0x1234;
}

static int t_dcpop(void)
{
    static uint64_t v = 1;
    __asm__ volatile(".arch armv8.2-a\n\tdc cvap, %0" : : "r"(&v) : "memory");
    return v == 1;
}

static int t_sha3(void)
{
    u64x2 a = {0xf0, 1}, b = {0x0f, 2}, c = {0x100, 4}, r, e = {0x1ff, 7};
    __asm__(".arch_extension sha3\n\teor3 %0.16b, %1.16b, %2.16b, %3.16b" : "=w"(r) : "w"(a), "w"(b), "w"(c));
    return SAME(r, e);
}

static int t_sm3(void)
{
    /* sm3ss1: lane 3 = rol(rol(n3, 12) + m3 + a3, 7), other lanes zero. */
    u32x4 n = {0, 0, 0, 1}, m = {0, 0, 0, 0}, a = {0, 0, 0, 0}, r, e = {0, 0, 0, 1u << 19};
    __asm__(".arch_extension sm4\n\tsm3ss1 %0.4s, %1.4s, %2.4s, %3.4s" : "=w"(r) : "w"(n), "w"(m), "w"(a));
    return SAME(r, e);
}

static int t_sm4(void)
{
    u32x4 d = {1, 2, 3, 4}, k = {5, 6, 7, 8}, before = d;
    __asm__(".arch_extension sm4\n\tsm4e %0.4s, %1.4s" : "+w"(d) : "w"(k));
    return !SAME(d, before);
}

static int t_asimddp(void)
{
    u8x16 a, b;
    memset(&a, 1, sizeof a);
    memset(&b, 2, sizeof b);
    u32x4 acc = {1, 1, 1, 1}, e = {9, 9, 9, 9};
    __asm__(".arch_extension dotprod\n\tudot %0.4s, %1.16b, %2.16b" : "+w"(acc) : "w"(a), "w"(b));
    return SAME(acc, e);
}

static int t_sha512(void)
{
    u64x2 d = {0x0123456789abcdefULL, 0xfedcba9876543210ULL}, n = {0x1111111122222222ULL, 7}, e;
    /* sha512su0: e[0] = d[0] + sigma0(d[1]); e[1] = d[1] + sigma0(n[0]). */
    uint64_t t[2] = {d[1], n[0]};
    for (int i = 0; i < 2; i++)
        e[i] = d[i] + (ror64(t[i], 1) ^ ror64(t[i], 8) ^ (t[i] >> 7));
    __asm__(".arch_extension sha3\n\tsha512su0 %0.2d, %1.2d" : "+w"(d) : "w"(n));
    return SAME(d, e);
}

static int t_sve(void)
{
    uint64_t vl;
    __asm__(".arch_extension sve\n\tcntb %0" : "=r"(vl));
    return vl >= 16 && vl <= 256 && vl % 16 == 0;
}

static int t_asimdfhm(void)
{
    u16x8 a = {0x3c00, 0x4000}, b = {0x4000, 0x4200}; /* 1*2, 2*3 in lanes 0 and 1 */
    f32x4 acc = {0.5f, 0, 0, 0}, e = {2.5f, 6, 0, 0};
    __asm__(".arch_extension fp16fml\n\tfmlal %0.4s, %1.4h, %2.4h" : "+w"(acc) : "w"(a), "w"(b));
    return SAME(acc, e);
}

static int t_dit(void)
{
    uint64_t on, off;
    __asm__ volatile(".arch armv8.4-a\n\tmsr dit, #1\n\tmrs %0, dit\n\tmsr dit, #0\n\tmrs %1, dit"
                     : "=r"(on), "=r"(off));
    return (on & (1u << 24)) && !(off & (1u << 24));
}

static int t_uscat(void)
{
    /* A 4-byte atomic at offset 1 of a 16-byte granule. */
    static unsigned char buf[32] __attribute__((aligned(16)));
    uint32_t old, want = 5;
    memcpy(buf + 1, &want, 4);
    __asm__ volatile(".arch_extension lse\n\tldadd %w1, %w0, [%2]" : "=r"(old) : "r"(3), "r"(buf + 1) : "memory");
    uint32_t now;
    memcpy(&now, buf + 1, 4);
    return old == 5 && now == 8;
}

static int t_ilrcpc(void)
{
    static uint64_t v[2] = {1, 0x5678};
    uint64_t r;
    __asm__ volatile(".arch armv8.4-a\n\tldapur %0, [%1, #8]" : "=r"(r) : "r"(v) : "memory");
    return r == 0x5678;
}

static int t_flagm(void)
{
    uint64_t before, after;
    __asm__ volatile(".arch armv8.4-a\n\tcmp xzr, xzr\n\tmrs %0, nzcv\n\tcfinv\n\tmrs %1, nzcv"
                     : "=r"(before), "=r"(after)
                     :
                     : "cc");
    return (before & (1u << 29)) && !(after & (1u << 29)); /* C flipped from 1 to 0 */
}

static int t_ssbs(void)
{
    __asm__ volatile(".arch armv8.5-a\n\tmsr ssbs, #0\n\tmsr ssbs, #1" ::: "memory");
    return 1;
}

static int t_sb(void)
{
    __asm__ volatile(".arch armv8.5-a\n\tsb" ::: "memory");
    return 1;
}

static int t_paca(void)
{
    /* pacia1716 / autia1716 are HINT-space instructions: sign x17 with x16 as
     * the modifier, then authenticate it back to the original pointer. */
    register uint64_t x17 __asm__("x17") = (uint64_t)(uintptr_t)&n_run;
    register uint64_t x16 __asm__("x16") = 0x1234;
    uint64_t orig = x17, mid;
    __asm__ volatile("hint #8\n\tmov %0, x17\n\thint #12" : "=&r"(mid), "+r"(x17) : "r"(x16));
    (void)mid;
    return x17 == orig;
}

static int t_pacg(void)
{
    uint64_t r;
    __asm__ volatile(".arch armv8.3-a\n\tpacga %0, %1, %2" : "=r"(r) : "r"((uint64_t)1), "r"((uint64_t)2));
    return (r & 0xffffffff) == 0; /* the code is in the upper 32 bits */
}

static int t_dcpodp(void)
{
    static uint64_t v = 1;
    __asm__ volatile(".arch armv8.5-a\n\tdc cvadp, %0" : : "r"(&v) : "memory");
    return v == 1;
}

static int t_sve2(void)
{
    uint64_t a = 0xf0, b = 0x0f, c = 0x100, r;
    __asm__(".arch_extension sve2\n\t"
            "dup z0.d, %1\n\tdup z1.d, %2\n\tdup z2.d, %3\n\t"
            "eor3 z0.d, z0.d, z1.d, z2.d\n\t"
            "fmov %0, d0"
            : "=r"(r)
            : "r"(a), "r"(b), "r"(c)
            : "v0", "v1", "v2");
    return r == 0x1ff;
}

static int t_flagm2(void)
{
    __asm__ volatile(".arch armv8.5-a\n\taxflag\n\txaflag" ::: "cc");
    return 1;
}

static int t_frint(void)
{
    double a = 2.5, r;
    __asm__(".arch armv8.5-a\n\tfrint32x %d0, %d1" : "=w"(r) : "w"(a));
    return r == 2.0; /* round to nearest, ties to even */
}

static int t_i8mm(void)
{
    u8x16 a, b;
    memset(&a, 1, sizeof a);
    memset(&b, 1, sizeof b);
    u32x4 acc = {0}, e = {8, 8, 8, 8};
    __asm__(".arch_extension i8mm\n\tummla %0.4s, %1.16b, %2.16b" : "+w"(acc) : "w"(a), "w"(b));
    return SAME(acc, e);
}

static int t_bf16(void)
{
    u16x8 a, b;
    for (int i = 0; i < 8; i++)
        a[i] = b[i] = 0x3f80; /* bfloat16 1.0 */
    f32x4 acc = {0}, e = {2, 2, 2, 2};
    __asm__(".arch_extension bf16\n\tbfdot %0.4s, %1.8h, %2.8h" : "+w"(acc) : "w"(a), "w"(b));
    return SAME(acc, e);
}

static int t_rng(void)
{
    uint64_t v, nzcv;
    /* RNDR is s3_3_c2_c4_0; it sets NZCV to 0 on success. */
    for (int i = 0; i < 10; i++) {
        __asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tmrs %1, nzcv" : "=r"(v), "=r"(nzcv) : : "cc");
        if (nzcv == 0)
            return 1;
    }
    return 0;
}

static int t_bti(void)
{
    __asm__ volatile("hint #34" ::: "memory"); /* bti c */
    return 1;
}

int main(void)
{
    unsigned long h = getauxval(AT_HWCAP), h2 = getauxval(AT_HWCAP2);
#define HW(n) (((h) >> (n)) & 1)
#define HW2(n) (((h2) >> (n)) & 1)
    CHECK(HW(0) && HW(1), "FP and ASIMD (required by the ABI) not advertised");

    feature("FP", HW(0), t_fp);
    feature("ASIMD", HW(1), t_asimd);
    feature("AES", HW(3), t_aes);
    feature("PMULL", HW(4), t_pmull);
    feature("SHA1", HW(5), t_sha1);
    feature("SHA2", HW(6), t_sha2);
    feature("CRC32", HW(7), t_crc32);
    feature("ATOMICS", HW(8), t_atomics);
    feature("FPHP", HW(9), t_fphp);
    feature("ASIMDHP", HW(10), t_asimdhp);
    feature("CPUID", HW(11), t_cpuid);
    feature("ASIMDRDM", HW(12), t_asimdrdm);
    feature("JSCVT", HW(13), t_jscvt);
    feature("FCMA", HW(14), t_fcma);
    feature("LRCPC", HW(15), t_lrcpc);
    feature("DCPOP", HW(16), t_dcpop);
    feature("SHA3", HW(17), t_sha3);
    feature("SM3", HW(18), t_sm3);
    feature("SM4", HW(19), t_sm4);
    feature("ASIMDDP", HW(20), t_asimddp);
    feature("SHA512", HW(21), t_sha512);
    feature("SVE", HW(22), t_sve);
    feature("ASIMDFHM", HW(23), t_asimdfhm);
    feature("DIT", HW(24), t_dit);
    feature("USCAT", HW(25), t_uscat);
    feature("ILRCPC", HW(26), t_ilrcpc);
    feature("FLAGM", HW(27), t_flagm);
    feature("SSBS", HW(28), t_ssbs);
    feature("SB", HW(29), t_sb);
    feature("PACA", HW(30), t_paca);
    feature("PACG", HW(31), t_pacg);
    feature("DCPODP", HW2(0), t_dcpodp);
    feature("SVE2", HW2(1), t_sve2);
    feature("FLAGM2", HW2(7), t_flagm2);
    feature("FRINT", HW2(8), t_frint);
    feature("I8MM", HW2(13), t_i8mm);
    feature("BF16", HW2(14), t_bf16);
    feature("RNG", HW2(16), t_rng);
    feature("BTI", HW2(17), t_bti);

    printf("executed %d, not advertised %d, skipped %d\n", n_run, n_absent, n_skipped);
    guest_ok("cpu_features");
    return 0;
}

#else
#error "unsupported architecture"
#endif
