/* Helpers shared by the signal guest tests: names of signals and si_codes
 * that read the same on x86-64 and arm64, and small wrappers around the raw
 * system calls glibc does not expose. */
#ifndef REPRISE_GUEST_SIGUTIL_H
#define REPRISE_GUEST_SIGUTIL_H

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

/* "USR1", "RTMIN+2", ... (glibc's SIGRTMIN is 34 on both arches). */
static inline const char *sig_name(int sig)
{
    static char buf[4][24];
    static int next;
    char *b = buf[next++ & 3];
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        if (sig == SIGRTMIN)
            return "RTMIN";
        snprintf(b, 24, "RTMIN+%d", sig - SIGRTMIN);
        return b;
    }
    const char *n = sigabbrev_np(sig);
    if (n)
        return n;
    snprintf(b, 24, "SIG?%d", sig);
    return b;
}

/* The symbolic name of si_code \p code of signal \p sig. */
static inline const char *code_name(int sig, int code)
{
    static char buf[24];
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_KERNEL: return "SI_KERNEL";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TIMER: return "SI_TIMER";
    case SI_MESGQ: return "SI_MESGQ";
    case SI_ASYNCIO: return "SI_ASYNCIO";
    case SI_SIGIO: return "SI_SIGIO";
    case SI_TKILL: return "SI_TKILL";
    }
    if (sig == SIGCHLD) {
        switch (code) {
        case CLD_EXITED: return "CLD_EXITED";
        case CLD_KILLED: return "CLD_KILLED";
        case CLD_DUMPED: return "CLD_DUMPED";
        case CLD_TRAPPED: return "CLD_TRAPPED";
        case CLD_STOPPED: return "CLD_STOPPED";
        case CLD_CONTINUED: return "CLD_CONTINUED";
        }
    } else if (sig == SIGSEGV) {
        switch (code) {
        case SEGV_MAPERR: return "SEGV_MAPERR";
        case SEGV_ACCERR: return "SEGV_ACCERR";
        }
    } else if (sig == SIGILL) {
        switch (code) {
        case ILL_ILLOPC: return "ILL_ILLOPC";
        case ILL_ILLOPN: return "ILL_ILLOPN";
        case ILL_ILLADR: return "ILL_ILLADR";
        case ILL_ILLTRP: return "ILL_ILLTRP";
        case ILL_PRVOPC: return "ILL_PRVOPC";
        }
    } else if (sig == SIGFPE) {
        switch (code) {
        case FPE_INTDIV: return "FPE_INTDIV";
        case FPE_INTOVF: return "FPE_INTOVF";
        case FPE_FLTDIV: return "FPE_FLTDIV";
        }
    } else if (sig == SIGTRAP) {
        switch (code) {
        case TRAP_BRKPT: return "TRAP_BRKPT";
        case TRAP_TRACE: return "TRAP_TRACE";
        }
    }
    snprintf(buf, sizeof buf, "code?%d", code);
    return buf;
}

/* Installs \p fn as an SA_SIGINFO handler of \p sig with \p flags and a
 * mask holding the signals of \p mask (a 0-terminated list, may be NULL). */
static inline void on_signal(int sig, void (*fn)(int, siginfo_t *, void *), int flags,
                             const int *mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    for (; mask && *mask; mask++)
        sigaddset(&sa.sa_mask, *mask);
    CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction %s: %s", sig_name(sig), errno_name(errno));
}

/* Sets \p sig's disposition to SIG_DFL or SIG_IGN. */
static inline void set_disposition(int sig, void (*h)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction %s: %s", sig_name(sig), errno_name(errno));
}

/* Blocks (how = SIG_BLOCK) or unblocks (SIG_UNBLOCK) one signal. */
static inline void mask_one(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    CHECK(sigprocmask(how, &s, NULL) == 0, "sigprocmask: %s", errno_name(errno));
}

/* The calling thread's signal mask. */
static inline sigset_t current_mask(void)
{
    sigset_t s;
    sigprocmask(SIG_SETMASK, NULL, &s);
    return s;
}

/* Whether the calling thread blocks \p sig. */
static inline int is_blocked(int sig)
{
    sigset_t s = current_mask();
    return sigismember(&s, sig);
}

/* Whether \p sig is pending for the calling thread. */
static inline int is_pending(int sig)
{
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, sig);
}

static inline pid_t gettid_raw(void) { return (pid_t)syscall(SYS_gettid); }

static inline long tgkill_raw(pid_t tgid, pid_t tid, int sig)
{
    return syscall(SYS_tgkill, tgid, tid, sig);
}

#ifdef __aarch64__
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

/* The ESR of the esr_context record of an arm64 signal frame (the last one,
 * should there be several): 1 with it in *esr, or 0 when the frame has none. */
static inline int frame_esr(const ucontext_t *uc, uint64_t *esr)
{
    int found = 0;
    const uint8_t *p = uc->uc_mcontext.__reserved;
    for (size_t off = 0; off + 8 <= sizeof uc->uc_mcontext.__reserved;) {
        uint32_t magic, size;
        memcpy(&magic, p + off, 4);
        memcpy(&size, p + off + 4, 4);
        if (magic == 0 || size < 8)
            break;
        if (magic == 0x45535201) { /* ESR_MAGIC */
            memcpy(esr, p + off + 8, 8);
            found = 1;
        }
        off += size;
    }
    return found;
}
#endif

#endif
