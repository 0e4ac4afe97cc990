/* signal_context: the saved context of a handler and the alternate stack.
 *
 * A handler reads and edits the ucontext_t of its frame and rt_sigreturn
 * resumes from what it finds there: a new PC past a faulting load, a new
 * value in the result register, a new PC for a signal taken after a system
 * call, an extra signal in uc_sigmask. The vector registers and the
 * rounding mode of the interrupted code survive a handler that clobbers
 * them. On the alternate stack: SA_ONSTACK frames, SS_ONSTACK reported
 * inside, EPERM while on it, ENOMEM and EINVAL, SS_AUTODISARM, nesting, and
 * recovering from a stack overflow with siglongjmp.
 *
 * The register names differ per arch (REG_RIP/REG_RAX on x86-64,
 * uc_mcontext.pc/regs[0] on arm64); the printed text does not. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"
#include "sigutil.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* linux/signal.h; glibc does not define it */
#endif

/* --- Assembly helpers ----------------------------------------------------------
 *
 * ctx_load(p): loads 32 bits from p; the label ctx_load_insn is the load,
 *   ctx_load_resume the return after it.
 * ctx_tgkill(pid, tid, sig): the tgkill system call, returning its result
 *   register; ctx_alt_return returns 555. */
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl ctx_load, ctx_load_insn, ctx_load_resume, ctx_tgkill, ctx_alt_return\n"
        "ctx_load:\n"
        "ctx_load_insn:\n"
        "    movl (%rdi), %eax\n"
        "ctx_load_resume:\n"
        "    ret\n"
        "ctx_tgkill:\n"
        "    movl $234, %eax\n"
        "    syscall\n"
        "    ret\n"
        "ctx_alt_return:\n"
        "    movl $555, %eax\n"
        "    ret\n");
#define CTX_PC(uc) ((uc)->uc_mcontext.gregs[REG_RIP])
#define CTX_RESULT(uc) ((uc)->uc_mcontext.gregs[REG_RAX])
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl ctx_load, ctx_load_insn, ctx_load_resume, ctx_tgkill, ctx_alt_return\n"
        "ctx_load:\n"
        "ctx_load_insn:\n"
        "    ldr w0, [x0]\n"
        "ctx_load_resume:\n"
        "    ret\n"
        "ctx_tgkill:\n"
        "    mov x8, #131\n"
        "    svc #0\n"
        "    ret\n"
        "ctx_alt_return:\n"
        "    mov x0, #555\n"
        "    ret\n");
#define CTX_PC(uc) ((uc)->uc_mcontext.pc)
#define CTX_RESULT(uc) ((uc)->uc_mcontext.regs[0])
#else
#error "unsupported architecture"
#endif

extern int ctx_load(const int *p);
extern char ctx_load_insn[], ctx_load_resume[], ctx_alt_return[];
extern long ctx_tgkill(long pid, long tid, long sig);

static long send_self(int sig) { return ctx_tgkill(getpid(), gettid_raw(), sig); }

/* --- Editing the context ------------------------------------------------------- */

static volatile int segv_seen;
static volatile uintptr_t segv_pc, segv_addr;

/* SIGSEGV at ctx_load: resume at its return with 1234 as the result. */
static void skip_load(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    segv_seen++;
    segv_pc = (uintptr_t)CTX_PC(uc);
    segv_addr = (uintptr_t)si->si_addr;
    if (segv_pc != (uintptr_t)ctx_load_insn)
        return; /* not ours: dies again at once */
    CTX_PC(uc) = (uintptr_t)ctx_load_resume;
    CTX_RESULT(uc) = 1234;
}

static volatile int edit_mode;
static volatile uintptr_t usr1_pc;

static void edit_after_syscall(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    usr1_pc = (uintptr_t)CTX_PC(uc);
    if (edit_mode == 1)
        CTX_RESULT(uc) = 777;
    else if (edit_mode == 2)
        CTX_PC(uc) = (uintptr_t)ctx_alt_return;
    else if (edit_mode == 3)
        sigaddset(&uc->uc_sigmask, SIGUSR2);
}

static void edit_context(void)
{
    on_signal(SIGSEGV, skip_load, 0, NULL);
    int r = ctx_load((const int *)8);
    printf("load from address 8: handler saw pc at the load=%d si_addr=%#lx, "
           "resumed past it with result %d\n",
           segv_pc == (uintptr_t)ctx_load_insn, (unsigned long)segv_addr, r);
    set_disposition(SIGSEGV, SIG_DFL);

    on_signal(SIGUSR1, edit_after_syscall, 0, NULL);
    edit_mode = 0;
    long v = send_self(SIGUSR1);
    printf("tgkill to itself, handler leaves the context: returns %ld\n", v);
    edit_mode = 1;
    v = send_self(SIGUSR1);
    printf("handler sets the result register to 777: tgkill returns %ld\n", v);
    edit_mode = 2;
    v = send_self(SIGUSR1);
    printf("handler sets the pc to another function: the call returns %ld\n", v);
    edit_mode = 3;
    mask_one(SIG_UNBLOCK, SIGUSR2);
    send_self(SIGUSR1);
    printf("handler adds USR2 to uc_sigmask: USR2 blocked after return=%d\n",
           is_blocked(SIGUSR2));
    mask_one(SIG_UNBLOCK, SIGUSR2);
    set_disposition(SIGUSR1, SIG_DFL);
}

/* --- Vector registers and the rounding mode -------------------------------------- */

/* The SSE / FPCR rounding mode, read and set directly (no libm). */
enum rounding { ROUND_NEAREST, ROUND_DOWN, ROUND_UP, ROUND_ZERO };
#if defined(__x86_64__)
static enum rounding get_rounding(void)
{
    uint32_t csr;
    __asm__ volatile("stmxcsr %0" : "=m"(csr));
    static const enum rounding rc[] = {ROUND_NEAREST, ROUND_DOWN, ROUND_UP, ROUND_ZERO};
    return rc[(csr >> 13) & 3];
}
static void set_rounding(enum rounding r)
{
    static const uint32_t rc[] = {0, 1, 2, 3};
    uint32_t csr;
    __asm__ volatile("stmxcsr %0" : "=m"(csr));
    csr = (csr & ~(3u << 13)) | rc[r] << 13;
    __asm__ volatile("ldmxcsr %0" : : "m"(csr));
}
#else
static enum rounding get_rounding(void)
{
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    static const enum rounding rm[] = {ROUND_NEAREST, ROUND_UP, ROUND_DOWN, ROUND_ZERO};
    return rm[(fpcr >> 22) & 3];
}
static void set_rounding(enum rounding r)
{
    static const uint64_t rm[] = {0, 2, 1, 3};
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    fpcr = (fpcr & ~(3ull << 22)) | rm[r] << 22;
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}
#endif

static volatile int fp_handler_mode;
static volatile double fp_handler_result;

static void clobber_fp(int sig)
{
    (void)sig;
    fp_handler_mode = get_rounding();
    set_rounding(ROUND_UP);
    volatile double a = 1.0, b = 3.0;
    double s = 0;
    for (int i = 1; i <= 50; i++)
        s += a / (b * i);
    fp_handler_result = s;
#if defined(__x86_64__)
    __asm__ volatile("pxor %%xmm0, %%xmm0\n pxor %%xmm1, %%xmm1\n pxor %%xmm2, %%xmm2\n"
                     "pxor %%xmm3, %%xmm3\n pxor %%xmm4, %%xmm4\n pxor %%xmm5, %%xmm5\n"
                     "pxor %%xmm6, %%xmm6\n pxor %%xmm7, %%xmm7\n pxor %%xmm8, %%xmm8\n"
                     "pxor %%xmm9, %%xmm9\n pxor %%xmm10, %%xmm10\n pxor %%xmm11, %%xmm11\n"
                     "pxor %%xmm12, %%xmm12\n pxor %%xmm13, %%xmm13\n"
                     "pxor %%xmm14, %%xmm14\n pxor %%xmm15, %%xmm15\n"
                     ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                     "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
#else
    __asm__ volatile("movi v0.16b, #0\n movi v1.16b, #0\n movi v2.16b, #0\n movi v3.16b, #0\n"
                     "movi v4.16b, #0\n movi v5.16b, #0\n movi v6.16b, #0\n movi v7.16b, #0\n"
                     "movi v8.16b, #0\n movi v9.16b, #0\n movi v10.16b, #0\n"
                     "movi v11.16b, #0\n movi v12.16b, #0\n movi v13.16b, #0\n"
                     "movi v14.16b, #0\n movi v15.16b, #0\n movi v16.16b, #0\n"
                     "movi v17.16b, #0\n movi v18.16b, #0\n movi v19.16b, #0\n"
                     "movi v20.16b, #0\n movi v21.16b, #0\n movi v22.16b, #0\n"
                     "movi v23.16b, #0\n movi v24.16b, #0\n movi v25.16b, #0\n"
                     "movi v26.16b, #0\n movi v27.16b, #0\n movi v28.16b, #0\n"
                     "movi v29.16b, #0\n movi v30.16b, #0\n movi v31.16b, #0\n"
                     ::: "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",
                     "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20",
                     "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30",
                     "v31");
#endif
}

#if defined(__x86_64__)
#define NVEC 16
/* Loads every vector register from in, signals itself with tgkill, and
 * stores them to out, with nothing in between that touches them. */
static void vectors_across_signal(const uint8_t in[NVEC][16], uint8_t out[NVEC][16], int sig)
{
    long pid = getpid(), tid = gettid_raw();
#define L(n) "movdqu " #n "*16(%[in]), %%xmm" #n "\n"
#define S(n) "movdqu %%xmm" #n ", " #n "*16(%[out])\n"
    __asm__ volatile(L(0) L(1) L(2) L(3) L(4) L(5) L(6) L(7) L(8) L(9) L(10) L(11) L(12) L(13)
                     L(14) L(15)
                     "movl $234, %%eax\n"
                     "syscall\n"
                     S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8) S(9) S(10) S(11) S(12) S(13)
                     S(14) S(15)
                     : "+D"(pid), "+S"(tid)
                     : [in] "r"(in), [out] "r"(out), "d"((long)sig)
                     : "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
                       "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
                       "xmm13", "xmm14", "xmm15");
#undef L
#undef S
}
#else
#define NVEC 32
static void vectors_across_signal(const uint8_t in[NVEC][16], uint8_t out[NVEC][16], int sig)
{
    register long x0 __asm__("x0") = getpid();
    register long x1 __asm__("x1") = gettid_raw();
    register long x2 __asm__("x2") = sig;
    register long x8 __asm__("x8") = 131;
#define L(n) "ldr q" #n ", [%[in], #" #n "*16]\n"
#define S(n) "str q" #n ", [%[out], #" #n "*16]\n"
    __asm__ volatile(L(0) L(1) L(2) L(3) L(4) L(5) L(6) L(7) L(8) L(9) L(10) L(11) L(12) L(13)
                     L(14) L(15) L(16) L(17) L(18) L(19) L(20) L(21) L(22) L(23) L(24) L(25)
                     L(26) L(27) L(28) L(29) L(30) L(31)
                     "svc #0\n"
                     S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8) S(9) S(10) S(11) S(12) S(13)
                     S(14) S(15) S(16) S(17) S(18) S(19) S(20) S(21) S(22) S(23) S(24) S(25)
                     S(26) S(27) S(28) S(29) S(30) S(31)
                     : "+r"(x0)
                     : "r"(x1), "r"(x2), "r"(x8), [in] "r"(in), [out] "r"(out)
                     : "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",
                       "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19",
                       "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29",
                       "v30", "v31");
#undef L
#undef S
}
#endif

static void fp_state(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = clobber_fp;
    sigemptyset(&sa.sa_mask);
    CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));

    static uint8_t in[NVEC][16], out[NVEC][16];
    for (int r = 0; r < NVEC; r++)
        for (int b = 0; b < 16; b++)
            in[r][b] = (uint8_t)(r * 16 + b + 1);
    vectors_across_signal(in, out, SIGUSR1);
    int same = 0;
    for (int r = 0; r < NVEC; r++)
        same += memcmp(in[r], out[r], 16) == 0;
    CHECK(fp_handler_result > 1.0, "the handler ran (%f)", fp_handler_result);
    printf("vector registers held across a handler that zeroes them: all intact=%d\n",
           same == NVEC);

    /* Doubles computed before and after, with the interrupted rounding mode
     * kept although the handler changes its own. */
    volatile double x = 2.0, y = 3.0;
    double before = x / y;
    set_rounding(ROUND_DOWN);
    double down = x / y;
    raise(SIGUSR1);
    int mode_after = get_rounding();
    double down_again = x / y;
    set_rounding(ROUND_NEAREST);
    double after = x / y;
    printf("rounding mode after the handler: %s, 2/3 rounded down the same=%d, "
           "to nearest the same=%d\n",
           mode_after == ROUND_DOWN ? "downward" : "changed", down == down_again,
           before == after);
#if defined(__x86_64__)
    /* x86-64 Linux starts a handler with a fresh FPU state (MXCSR 0x1f80). */
    int handler_mode_ok = fp_handler_mode == ROUND_NEAREST;
#else
    /* arm64 Linux leaves FPCR as the interrupted code had it. */
    int handler_mode_ok = fp_handler_mode == ROUND_DOWN;
#endif
    printf("the handler started with the rounding mode Linux gives on this arch=%d\n",
           handler_mode_ok);
    set_disposition(SIGUSR1, SIG_DFL);
}

/* --- The alternate stack ------------------------------------------------------------ */

static char *alt_base;
static size_t alt_size;

static int on_alt(const void *p)
{
    return (const char *)p >= alt_base && (const char *)p < alt_base + alt_size;
}

struct alt_report {
    int local_on_alt, flags, eperm, uc_flags, uc_sp_ok;
    uintptr_t local;
};
static volatile struct alt_report rep[2];
static volatile int alt_depth;

static void alt_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)si;
    ucontext_t *uc = ucv;
    char local;
    int d = alt_depth++;
    if (d < 2) {
        stack_t cur, bad = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
        sigaltstack(NULL, &cur);
        long r = sigaltstack(&bad, NULL);
        rep[d].local_on_alt = on_alt(&local);
        rep[d].local = (uintptr_t)&local;
        rep[d].flags = cur.ss_flags;
        rep[d].eperm = r == -1 && errno == EPERM;
        rep[d].uc_flags = uc->uc_stack.ss_flags;
        rep[d].uc_sp_ok = uc->uc_stack.ss_sp == alt_base && uc->uc_stack.ss_size == alt_size;
    }
    if (d == 0 && sig == SIGUSR2)
        raise(SIGUSR2); /* SA_NODEFER: nests, on the same alternate stack */
    alt_depth--;
}

static volatile int autodisarm_flags = -1;

static void autodisarm_handler(int sig)
{
    (void)sig;
    stack_t cur;
    sigaltstack(NULL, &cur);
    autodisarm_flags = cur.ss_flags;
}

static const char *ss_flags_name(int f)
{
    switch (f) {
    case 0: return "0";
    case SS_ONSTACK: return "SS_ONSTACK";
    case SS_DISABLE: return "SS_DISABLE";
    case SS_AUTODISARM: return "SS_AUTODISARM";
    case SS_DISABLE | SS_AUTODISARM: return "SS_DISABLE|SS_AUTODISARM";
    case SS_ONSTACK | SS_AUTODISARM: return "SS_ONSTACK|SS_AUTODISARM";
    }
    return "?";
}

static sigjmp_buf overflow_env;
static volatile int overflow_on_alt, overflow_code;

static void overflow_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    char local;
    overflow_on_alt = on_alt(&local);
    overflow_code = si->si_code;
    siglongjmp(overflow_env, 1);
}

static volatile int recursion_limit = -1;

__attribute__((noinline)) static int recurse(int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    if (n == recursion_limit)
        return 0;
    return recurse(n + 1) + frame[0];
}

static void alternate_stack(void)
{
    stack_t ss, old;
    CHECK_SYS(sigaltstack(NULL, &old));
    printf("initially: ss_flags=%s\n", ss_flags_name(old.ss_flags));

    alt_size = 256 * 1024;
    alt_base = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(alt_base != MAP_FAILED, "mmap");

    ss = (stack_t){.ss_sp = alt_base, .ss_size = 1024, .ss_flags = 0};
    expect_errno(sigaltstack(&ss, NULL), ENOMEM, "sigaltstack of 1024 bytes");
    ss = (stack_t){.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 3};
    expect_errno(sigaltstack(&ss, NULL), EINVAL, "sigaltstack with ss_flags 3");
    ss = (stack_t){.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0x100};
    expect_errno(sigaltstack(&ss, NULL), EINVAL, "sigaltstack with ss_flags 0x100");
    ss = (stack_t){.ss_sp = alt_base, .ss_size = 16, .ss_flags = SS_DISABLE};
    CHECK_SYS(sigaltstack(&ss, NULL));
    printf("SS_DISABLE with a 16-byte size -> 0\n");

    ss = (stack_t){.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    CHECK_SYS(sigaltstack(&ss, NULL));
    CHECK_SYS(sigaltstack(NULL, &old));
    printf("set: ss_flags=%s, ss_sp and ss_size read back=%d\n", ss_flags_name(old.ss_flags),
           old.ss_sp == alt_base && old.ss_size == alt_size);

    /* Without SA_ONSTACK the handler stays on the normal stack. */
    on_signal(SIGUSR1, alt_handler, 0, NULL);
    alt_depth = 0;
    raise(SIGUSR1);
    printf("no SA_ONSTACK: handler on the alternate stack=%d, sigaltstack says %s\n",
           rep[0].local_on_alt, ss_flags_name(rep[0].flags));

    /* With SA_ONSTACK: on it, SS_ONSTACK, EPERM to change it, uc_stack
     * describes it with the flags of the interrupted code. */
    on_signal(SIGUSR1, alt_handler, SA_ONSTACK, NULL);
    memset((void *)rep, 0, sizeof rep);
    raise(SIGUSR1);
    printf("SA_ONSTACK: handler on the alternate stack=%d, sigaltstack says %s, "
           "changing it -> EPERM=%d\n",
           rep[0].local_on_alt, ss_flags_name(rep[0].flags), rep[0].eperm);
    printf("SA_ONSTACK: uc_stack names the alternate stack=%d with ss_flags=%s\n",
           rep[0].uc_sp_ok, ss_flags_name(rep[0].uc_flags));
    CHECK_SYS(sigaltstack(NULL, &old));
    printf("after the handler: ss_flags=%s\n", ss_flags_name(old.ss_flags));

    /* A nested signal while on it goes below the running frame there. */
    on_signal(SIGUSR2, alt_handler, SA_ONSTACK | SA_NODEFER, NULL);
    memset((void *)rep, 0, sizeof rep);
    alt_depth = 0;
    raise(SIGUSR2);
    printf("nested SA_ONSTACK handler: on the alternate stack=%d, below the outer one=%d, "
           "its uc_stack ss_flags=%s\n",
           rep[1].local_on_alt, rep[1].local < rep[0].local, ss_flags_name(rep[1].uc_flags));

    /* SS_AUTODISARM: disabled while the handler runs, back afterwards. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = autodisarm_handler;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));
    ss = (stack_t){.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = SS_AUTODISARM};
    CHECK_SYS(sigaltstack(&ss, NULL));
    raise(SIGUSR1);
    CHECK_SYS(sigaltstack(NULL, &old));
    printf("SS_AUTODISARM: inside the handler %s, afterwards %s and the same stack=%d\n",
           ss_flags_name(autodisarm_flags), ss_flags_name(old.ss_flags),
           old.ss_sp == alt_base && old.ss_size == alt_size);
    ss = (stack_t){.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    CHECK_SYS(sigaltstack(&ss, NULL));

    /* A stack overflow: the SIGSEGV handler can only run on the alternate
     * stack; siglongjmp leaves it. Twice, to show the stack is usable again. */
    on_signal(SIGSEGV, overflow_handler, SA_ONSTACK, NULL);
    for (int i = 0; i < 2; i++) {
        overflow_on_alt = 0;
        if (sigsetjmp(overflow_env, 1) == 0) {
            recurse(0);
            CHECK(0, "the recursion returned");
        }
        CHECK_SYS(sigaltstack(NULL, &old));
        printf("stack overflow %d: SIGSEGV handled on the alternate stack=%d si_code=%s, "
               "after siglongjmp ss_flags=%s, SEGV blocked=%d\n",
               i + 1, overflow_on_alt, code_name(SIGSEGV, overflow_code),
               ss_flags_name(old.ss_flags), is_blocked(SIGSEGV));
    }
    set_disposition(SIGSEGV, SIG_DFL);
    set_disposition(SIGUSR1, SIG_DFL);
    set_disposition(SIGUSR2, SIG_DFL);
    ss = (stack_t){.ss_flags = SS_DISABLE};
    CHECK_SYS(sigaltstack(&ss, NULL));
    CHECK_SYS(sigaltstack(NULL, &old));
    printf("disabled again: ss_flags=%s\n", ss_flags_name(old.ss_flags));
}

int main(void)
{
    edit_context();
    fp_state();
    alternate_stack();
    guest_ok("signal_context");
    return 0;
}
