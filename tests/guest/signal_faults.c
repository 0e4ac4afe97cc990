/* signal_faults: hardware faults as signals, and abort().
 *
 * SIGSEGV for an unmapped read, a write to a read-only page, a write to a
 * PROT_NONE page, a jump to an unmapped address and a jump into a page
 * without PROT_EXEC: si_code, the exact si_addr, what the saved context says
 * about the access, and recovery with siglongjmp, several times over and in
 * a second thread. A fault whose signal is blocked or ignored still kills.
 * SIGILL from an undefined instruction, SIGFPE from an integer division by
 * zero (x86-64 only: arm64 division does not trap) and SIGTRAP from a
 * breakpoint instruction, each resumed after the instruction by a handler
 * that moves the saved PC. abort() kills with SIGABRT even when a handler
 * returns or the signal is blocked, without a core dump for a process that
 * made itself non-dumpable.
 *
 * Where Linux differs per arch (si_code of SIGILL and SIGTRAP, where the PC
 * of a breakpoint is left) the program checks the arch's own value and
 * prints the same text on both. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"
#include "sigutil.h"

/* f_ill: an undefined instruction at f_ill_insn, then ret.
 * f_trap: a breakpoint instruction at f_trap_insn, then ret.
 * f_div(a, b): a / b, the division at f_div_insn, then f_div_resume: ret. */
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl f_ill, f_ill_insn, f_trap, f_trap_insn, f_div, f_div_insn, f_div_resume\n"
        "f_ill:\n"
        "f_ill_insn:\n"
        "    ud2\n"
        "    ret\n"
        "f_trap:\n"
        "f_trap_insn:\n"
        "    int3\n"
        "    ret\n"
        "f_div:\n"
        "    movl %edi, %eax\n"
        "    cltd\n"
        "f_div_insn:\n"
        "    idivl %esi\n"
        "f_div_resume:\n"
        "    ret\n");
#define CTX_PC(uc) ((uc)->uc_mcontext.gregs[REG_RIP])
#define CTX_RESULT(uc) ((uc)->uc_mcontext.gregs[REG_RAX])
#define ILL_SIZE 2
#define LINUX_ILL_CODE ILL_ILLOPN
#define LINUX_TRAP_CODE SI_KERNEL
#define TRAP_PC_AFTER 1 /* int3 leaves the PC after itself */
static const uint8_t ret_insn[] = {0xc3};
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl f_ill, f_ill_insn, f_trap, f_trap_insn, f_div, f_div_insn, f_div_resume\n"
        "f_ill:\n"
        "f_ill_insn:\n"
        "    udf #0\n"
        "    ret\n"
        "f_trap:\n"
        "f_trap_insn:\n"
        "    brk #0\n"
        "    ret\n"
        "f_div:\n"
        "f_div_insn:\n"
        "    sdiv w0, w0, w1\n"
        "f_div_resume:\n"
        "    ret\n");
#define CTX_PC(uc) ((uc)->uc_mcontext.pc)
#define CTX_RESULT(uc) ((uc)->uc_mcontext.regs[0])
#define ILL_SIZE 4
#define LINUX_ILL_CODE ILL_ILLOPC
#define LINUX_TRAP_CODE TRAP_BRKPT
#define TRAP_PC_AFTER 0 /* brk leaves the PC on itself */
static const uint8_t ret_insn[] = {0xc0, 0x03, 0x5f, 0xd6};
#else
#error "unsupported architecture"
#endif

extern void f_ill(void), f_trap(void);
extern int f_div(int a, int b);
extern char f_ill_insn[], f_trap_insn[], f_div_insn[], f_div_resume[];

/* --- What the saved context says about a memory fault ------------------------- */

enum access { ACC_READ, ACC_WRITE, ACC_EXEC, ACC_UNKNOWN };
static const char *access_name(int a)
{
    static const char *n[] = {"read", "write", "exec", "unknown"};
    return n[a];
}

/* The hardware's own report, as Linux copies it into the frame. Whether it
 * calls the fault a protection or a translation fault depends on whether
 * the page table held the page yet, not on si_code, so only the kind of
 * access and the address are compared. */
struct fault_ctx {
    int access;         /* what the context says the access was */
    uintptr_t ctx_addr; /* the fault address in the context */
    int known;          /* the context describes a page fault */
};

static struct fault_ctx read_fault_ctx(const ucontext_t *uc)
{
    struct fault_ctx f = {ACC_UNKNOWN, 0, 0};
#if defined(__x86_64__)
    /* Page-fault error code: bit 1 write, bit 4 instruction fetch. */
    long err = uc->uc_mcontext.gregs[REG_ERR];
    f.known = uc->uc_mcontext.gregs[REG_TRAPNO] == 14;
    f.access = (err & 16) ? ACC_EXEC : (err & 2) ? ACC_WRITE : ACC_READ;
    f.ctx_addr = (uintptr_t)uc->uc_mcontext.gregs[REG_CR2];
#else
    /* The esr_context record: EC 0x20 instruction abort, 0x24 data abort
     * with WnR (bit 6) set for a write. */
    f.ctx_addr = (uintptr_t)uc->uc_mcontext.fault_address;
    uint64_t esr;
    if (frame_esr(uc, &esr)) {
        unsigned ec = (unsigned)(esr >> 26) & 0x3f;
        f.known = ec == 0x20 || ec == 0x24;
        f.access = ec == 0x20 ? ACC_EXEC : (esr & (1u << 6)) ? ACC_WRITE : ACC_READ;
    }
#endif
    return f;
}

/* --- SIGSEGV -------------------------------------------------------------------- */

struct seen {
    int sig, code, tid;
    uintptr_t addr, pc;
    struct fault_ctx ctx;
};
static __thread sigjmp_buf *recover;
static __thread volatile struct seen last;

static void fault_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    last.sig = sig;
    last.code = si->si_code;
    last.addr = (uintptr_t)si->si_addr;
    last.pc = (uintptr_t)CTX_PC(uc);
    last.tid = gettid_raw();
    struct fault_ctx c = read_fault_ctx(uc);
    last.ctx = c;
    siglongjmp(*recover, 1);
}

/* Runs fn(arg) expecting a fault; returns what the handler saw. */
static struct seen expect_fault(void (*fn)(void *), void *arg)
{
    sigjmp_buf env;
    recover = &env;
    memset((void *)&last, 0, sizeof last);
    if (sigsetjmp(env, 1) == 0) {
        fn(arg);
        CHECK(0, "no fault");
    }
    struct seen s;
    memcpy(&s, (const void *)&last, sizeof s);
    return s;
}

static void do_read(void *p) { (void)*(volatile int *)p; }
static void do_write(void *p) { *(volatile int *)p = 1; }
static void do_call(void *p) { ((void (*)(void))p)(); }
static void do_raise(void *sig) { raise((int)(long)sig); }

static long page_size;
static char *unmapped, *readonly, *noaccess, *noexec;

static void map_pages(void)
{
    page_size = sysconf(_SC_PAGESIZE);
    readonly = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    noaccess = mmap(NULL, page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    noexec = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(readonly != MAP_FAILED && noaccess != MAP_FAILED && noexec != MAP_FAILED, "mmap");
    memcpy(noexec, ret_insn, sizeof ret_insn);
    /* A hole of one page between two mapped ones: later mappings (thread
     * stacks) are too big to land in it. */
    char *three = mmap(NULL, 3 * page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(three != MAP_FAILED, "mmap");
    unmapped = three + page_size;
    CHECK_SYS(munmap(unmapped, page_size));
}

/* Prints one kind of fault after checking that it repeats identically. */
static void fault_case(const char *what, void (*fn)(void *), char *base, int expect_access)
{
    struct seen s[5];
    for (int i = 0; i < 5; i++) {
        char *addr = base + (fn == do_call ? 0 : 8 * i);
        s[i] = expect_fault(fn, addr);
        CHECK(s[i].sig == SIGSEGV, "%s: %s", what, sig_name(s[i].sig));
        CHECK(s[i].addr == (uintptr_t)addr, "%s: si_addr %#lx, expected %p", what,
              (unsigned long)s[i].addr, (void *)addr);
        CHECK(s[i].code == s[0].code, "%s: si_code changed", what);
    }
    const struct fault_ctx *c = &s[0].ctx;
    printf("%s: SIGSEGV %s, si_addr exact 5 times, recovered 5 times; context: page fault at "
           "si_addr=%d, %s access=%d\n",
           what, code_name(SIGSEGV, s[0].code), c->known && c->ctx_addr == s[0].addr,
           access_name(c->access), c->access == expect_access);
}

static void *thread_fault(void *arg)
{
    (void)arg;
    struct seen s = expect_fault(do_read, unmapped);
    printf("fault in a second thread: handled in that thread=%d, %s at the exact address=%d\n",
           s.tid == gettid_raw() && s.tid != getpid(), code_name(SIGSEGV, s.code),
           s.addr == (uintptr_t)unmapped);
    return NULL;
}

static int fault_while(void *how)
{
    long h = (long)how;
    if (h == 0) {
        on_signal(SIGSEGV, fault_handler, 0, NULL);
        mask_one(SIG_BLOCK, SIGSEGV);
    } else {
        set_disposition(SIGSEGV, SIG_IGN);
    }
    do_write(readonly);
    return 0;
}

static void segv(void)
{
    map_pages();
    on_signal(SIGSEGV, fault_handler, 0, NULL);
    fault_case("read of an unmapped page", do_read, unmapped, ACC_READ);
    fault_case("write to an unmapped page", do_write, unmapped, ACC_WRITE);
    fault_case("read of a PROT_NONE page", do_read, noaccess, ACC_READ);
    fault_case("write to a read-only page", do_write, readonly, ACC_WRITE);
    fault_case("call into an unmapped page", do_call, unmapped, ACC_EXEC);
    fault_case("call into a page without PROT_EXEC", do_call, noexec, ACC_EXEC);
    struct seen s = expect_fault(do_read, NULL);
    printf("read of address 0: %s si_addr=%#lx\n", code_name(SIGSEGV, s.code),
           (unsigned long)s.addr);

    pthread_t t;
    CHECK(pthread_create(&t, NULL, thread_fault, NULL) == 0, "pthread_create");
    CHECK(pthread_join(t, NULL) == 0, "join");

    /* A fault is not held back by a mask or dropped by SIG_IGN. */
    const char *how[] = {"blocked", "ignored"};
    for (long h = 0; h < 2; h++) {
        fflush(stdout);
        pid_t c = fork();
        CHECK_SYS(c);
        if (c == 0)
            _exit(fault_while((void *)h));
        int st;
        CHECK(waitpid(c, &st, 0) == c, "waitpid");
        printf("fault with SIGSEGV %s: killed by %s\n", how[h],
               WIFSIGNALED(st) ? sig_name(WTERMSIG(st)) : "nothing");
    }

    /* SIGSEGV sent by kill is an ordinary signal: SI_USER, ignorable. */
    on_signal(SIGSEGV, fault_handler, 0, NULL);
    s = expect_fault(do_raise, (void *)(long)SIGSEGV);
    printf("raise(SIGSEGV) with a handler: si_code=%s\n", code_name(SIGSEGV, s.code));
    set_disposition(SIGSEGV, SIG_IGN);
    raise(SIGSEGV);
    printf("raise(SIGSEGV) while ignored: still running\n");
    set_disposition(SIGSEGV, SIG_DFL);
}

/* --- SIGILL, SIGFPE, SIGTRAP ---------------------------------------------------- */

static volatile int insn_sig, insn_code, insn_pc_ok, insn_addr_ok;

static void ill_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    insn_sig = sig;
    insn_code = si->si_code;
    insn_pc_ok = (uintptr_t)CTX_PC(uc) == (uintptr_t)f_ill_insn;
    insn_addr_ok = si->si_addr == (void *)f_ill_insn;
    CTX_PC(uc) += ILL_SIZE;
}

static void fpe_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    insn_sig = sig;
    insn_code = si->si_code;
    insn_pc_ok = (uintptr_t)CTX_PC(uc) == (uintptr_t)f_div_insn;
    insn_addr_ok = si->si_addr == (void *)f_div_insn;
    CTX_PC(uc) = (uintptr_t)f_div_resume;
    CTX_RESULT(uc) = (uint32_t)-7;
}

static void trap_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    insn_sig = sig;
    insn_code = si->si_code;
    insn_pc_ok = (uintptr_t)CTX_PC(uc) == (uintptr_t)f_trap_insn + TRAP_PC_AFTER;
    /* Linux gives the address of brk on arm64, nothing (SI_KERNEL) on x86. */
    insn_addr_ok = si->si_addr == (TRAP_PC_AFTER ? NULL : (void *)f_trap_insn);
    if (!TRAP_PC_AFTER)
        CTX_PC(uc) += 4;
}

static void instruction_faults(void)
{
    on_signal(SIGILL, ill_handler, 0, NULL);
    for (int i = 0; i < 3; i++) {
        insn_sig = 0;
        f_ill();
        CHECK(insn_sig == SIGILL, "undefined instruction: %s", sig_name(insn_sig));
    }
    printf("undefined instruction (3 times): SIGILL with Linux's si_code for the arch "
           "(ILL_ILLOPN x86-64, ILL_ILLOPC arm64)=%d, pc and si_addr at it=%d, "
           "resumed after it\n",
           insn_code == LINUX_ILL_CODE, insn_pc_ok && insn_addr_ok);
    set_disposition(SIGILL, SIG_DFL);


    on_signal(SIGTRAP, trap_handler, 0, NULL);
    insn_sig = 0;
    f_trap();
    CHECK(insn_sig == SIGTRAP, "breakpoint: %s", sig_name(insn_sig));
    printf("breakpoint instruction: SIGTRAP with Linux's si_code for the arch "
           "(SI_KERNEL x86-64, TRAP_BRKPT arm64)=%d, pc and si_addr as Linux leaves them=%d, "
           "resumed after it\n",
           insn_code == LINUX_TRAP_CODE, insn_pc_ok && insn_addr_ok);
    set_disposition(SIGTRAP, SIG_DFL);
}

/* Last, because it is the case reprise got wrong: a second divide fault
 * killed the guest with "unexpected CPU exception 8". */
static void division(void)
{
    on_signal(SIGFPE, fpe_handler, 0, NULL);
#if defined(__x86_64__)
    insn_sig = 0;
    int r = f_div(10, 0);
    CHECK(insn_sig == SIGFPE, "division by zero: %s", sig_name(insn_sig));
    int ok = insn_code == FPE_INTDIV && insn_pc_ok && insn_addr_ok && r == -7;
    insn_sig = 0;
    r = f_div(INT32_MIN, -1);
    CHECK(insn_sig == SIGFPE, "INT_MIN / -1: %s", sig_name(insn_sig));
    ok &= insn_code == FPE_INTDIV && insn_pc_ok && r == -7;
#else
    /* sdiv by zero gives 0 and INT_MIN / -1 gives INT_MIN, without a trap. */
    insn_sig = 0;
    int ok = f_div(10, 0) == 0 && f_div(INT32_MIN, -1) == INT32_MIN && insn_sig == 0;
#endif
    printf("integer division by zero and INT_MIN/-1: as Linux on the arch "
           "(x86-64: SIGFPE FPE_INTDIV at the idiv, resumed by the handler; "
           "arm64: no trap)=%d\n",
           ok);
    set_disposition(SIGFPE, SIG_DFL);
}

/* --- abort ------------------------------------------------------------------------ */

static void abrt_handler(int sig)
{
    (void)sig;
    static const char msg[] = "abort child: SIGABRT handler ran and returned\n";
    write(1, msg, sizeof msg - 1);
}

static void abort_child(int how)
{
    if (how == 0) {
        CHECK_SYS(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
        printf("abort child: PR_GET_DUMPABLE after PR_SET_DUMPABLE 0 -> %d\n",
               prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
        fflush(stdout);
    } else if (how == 1) {
        CHECK_SYS(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
        set_disposition(SIGABRT, abrt_handler);
    } else {
        CHECK_SYS(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
        mask_one(SIG_BLOCK, SIGABRT);
    }
    abort();
}

static void aborts(void)
{
    const char *what[] = {"abort()", "abort() with a handler that returns",
                          "abort() with SIGABRT blocked"};
    for (int how = 0; how < 3; how++) {
        fflush(stdout);
        pid_t c = fork();
        CHECK_SYS(c);
        if (c == 0)
            abort_child(how);
        siginfo_t si;
        memset(&si, 0, sizeof si);
        CHECK_SYS(waitid(P_PID, c, &si, WEXITED | WNOWAIT));
        int st;
        CHECK(waitpid(c, &st, 0) == c, "waitpid");
        printf("%s in a non-dumpable child: signaled=%d by %s, WCOREDUMP=%d, "
               "waitid si_code=%s\n",
               what[how], WIFSIGNALED(st), WIFSIGNALED(st) ? sig_name(WTERMSIG(st)) : "-",
               !!WCOREDUMP(st), code_name(SIGCHLD, si.si_code));
    }
}

int main(void)
{
    segv();
    instruction_faults();
    aborts();
    division();
    guest_ok("signal_faults");
    return 0;
}
