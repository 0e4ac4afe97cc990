/* clone_flags: the flag and argument rules of clone(2) and clone3(2), one line
 * per rule with the errno it gave, then forks made through both calls.
 *
 * The rules are those of Linux's kernel/fork.c: copy_process's flag checks,
 * kernel_clone's CLONE_PIDFD/CLONE_PARENT_SETTID check, and clone3's
 * copy_clone_args_from_user and clone3_args_valid. All of them run before any
 * permission check, so native runs as root and as an unprivileged user give
 * the same output (expected/clone_flags.out is Linux 6.18's). Not here: a
 * plain CLONE_NEW* (reprise refuses it with EINVAL as namespaces do not exist
 * yet; Linux gives EPERM to a non-root caller and success to root) and
 * CLONE_PARENT from init (the test is pid 1 under reprise only).
 *
 * Every call goes through raw_clone below rather than syscall(): when a call
 * that should fail succeeds instead (a bug), the child may share the parent's
 * memory and stack, and a child that returned through C code would corrupt
 * the parent. raw_clone's child exits with status ChildCode straight from the
 * instruction after the system call, touching neither stack nor memory.
 *
 * A rule with another outcome prints a FAIL line after its own and the test
 * goes on, so one run lists every difference and fails at the end. */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#ifndef CLONE_ARGS_SIZE_VER0
#define CLONE_ARGS_SIZE_VER0 64
#endif
#ifndef CLONE_ARGS_SIZE_VER2
#define CLONE_ARGS_SIZE_VER2 88
#endif

enum { ChildCode = 42 };

/* A raw system call \p nr with five arguments; a child (return value 0) calls
 * exit(ChildCode) at once. Returns the kernel's value: a tid or -errno. */
static long raw_clone(long nr, long a0, long a1, long a2, long a3, long a4)
{
#if defined(__x86_64__)
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "mov %[exit_nr], %%eax\n\t"
                     "mov %[code], %%edi\n\t"
                     "syscall\n\t"
                     "hlt\n"
                     "1:"
                     : "=a"(ret)
                     : "0"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8),
                       [exit_nr] "i"(SYS_exit), [code] "i"(ChildCode)
                     : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a0;
    register long x1 __asm__("x1") = a1;
    register long x2 __asm__("x2") = a2;
    register long x3 __asm__("x3") = a3;
    register long x4 __asm__("x4") = a4;
    __asm__ volatile("svc #0\n\t"
                     "cbnz x0, 1f\n\t"
                     "mov x8, %[exit_nr]\n\t"
                     "mov x0, %[code]\n\t"
                     "svc #0\n\t"
                     "brk #0\n"
                     "1:"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4),
                       [exit_nr] "i"(SYS_exit), [code] "i"(ChildCode)
                     : "memory");
    return x0;
#else
#error "clone_flags: unknown architecture"
#endif
}

/* clone(flags, stack, parent_tid, child_tid, tls) with no new stack and no
 * tls, in the caller's arch order: x86-64 takes child_tid fourth and tls
 * fifth, arm64 the other way round. */
static long do_clone(unsigned long flags, void *parent_tid, void *child_tid)
{
#if defined(__x86_64__)
    return raw_clone(SYS_clone, (long)flags, 0, (long)parent_tid, (long)child_tid, 0);
#else
    return raw_clone(SYS_clone, (long)flags, 0, (long)parent_tid, 0, (long)child_tid);
#endif
}

/* clone3 with a struct of \p size bytes starting at \p args. */
static long do_clone3(const void *args, size_t size)
{
    return raw_clone(SYS_clone3, (long)args, (long)size, 0, 0, 0);
}

/* Room for a struct clone_args larger than a page, zero unless a test sets
 * something. */
static union {
    struct clone_args ca;
    unsigned char bytes[2 * 4096 + 64];
} buf;

static struct clone_args *fresh_args(void)
{
    memset(&buf, 0, sizeof buf);
    return &buf.ca;
}

/* Rules whose outcome differed from Linux's; each printed its line. */
static int mismatches;

/* What a call gave, in the words of the expected output. */
static const char *outcome(long r)
{
    static char text[64];
    if (r > 0)
        return "a child";
    if (r == 0)
        return "0";
    snprintf(text, sizeof text, "%s", errno_name((int)-r));
    return text;
}

/* A call that must fail with \p want: prints "rule -> ENAME" with what it
 * gave. A mismatch does not stop the test, so that one run shows every rule
 * that disagrees with Linux; main fails at the end. A child made by a call
 * that wrongly succeeded has already exited; it is reaped here. */
static void expect_fail(long r, int want, const char *rule)
{
    if (r > 0)
        waitpid((pid_t)r, NULL, __WALL);
    printf("%s -> %s\n", rule, outcome(r));
    if (r != -want) {
        printf("FAIL: %s: Linux gives %s\n", rule, errno_name(want));
        mismatches++;
    }
}

/* A call that must create a child: reaps it and prints how it ended. */
static void expect_child(long r, int wait_flags, const char *what)
{
    if (r <= 0) {
        printf("%s -> %s\n", what, outcome(r));
        printf("FAIL: %s: Linux creates a child\n", what);
        mismatches++;
        return;
    }
    int st;
    pid_t w = waitpid((pid_t)r, &st, wait_flags);
    CHECK(w == r, "%s: waitpid gave %d / %s", what, w, errno_name(errno));
    CHECK(WIFEXITED(st), "%s: child did not exit normally (status %#x)", what, st);
    printf("%s -> child exited with %d\n", what, WEXITSTATUS(st));
}

static void legacy_rules(void)
{
    int tid = 0;
    expect_fail(do_clone(CLONE_SIGHAND | SIGCHLD, NULL, NULL), EINVAL,
                "clone: CLONE_SIGHAND without CLONE_VM");
    expect_fail(do_clone(CLONE_THREAD | CLONE_VM, NULL, NULL), EINVAL,
                "clone: CLONE_THREAD without CLONE_SIGHAND");
    expect_fail(do_clone(CLONE_NEWNS | CLONE_FS | SIGCHLD, NULL, NULL), EINVAL,
                "clone: CLONE_NEWNS|CLONE_FS");
    expect_fail(do_clone(CLONE_NEWUSER | CLONE_FS | SIGCHLD, NULL, NULL), EINVAL,
                "clone: CLONE_NEWUSER|CLONE_FS");
    expect_fail(do_clone(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWUSER, NULL, NULL),
                EINVAL, "clone: CLONE_THREAD|CLONE_NEWUSER");
    expect_fail(do_clone(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID, NULL, NULL),
                EINVAL, "clone: CLONE_THREAD|CLONE_NEWPID");
    expect_fail(do_clone(CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, &tid, NULL), EINVAL,
                "clone: CLONE_PIDFD|CLONE_DETACHED");
    /* Old clone returns the pidfd through parent_tid, so the two flags would
     * write the same word. */
    expect_fail(do_clone(CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, &tid, NULL), EINVAL,
                "clone: CLONE_PIDFD|CLONE_PARENT_SETTID (one pointer)");
}

static void clone3_rules(void)
{
    struct clone_args *ca = fresh_args();
    ca->exit_signal = SIGCHLD;
    expect_fail(do_clone3(ca, CLONE_ARGS_SIZE_VER0 - 8), EINVAL,
                "clone3: size below CLONE_ARGS_SIZE_VER0");
    expect_fail(do_clone3(ca, 0), EINVAL, "clone3: size 0");
    expect_fail(do_clone3(ca, (size_t)getpagesize() + 8), E2BIG,
                "clone3: size above a page");

    ca = fresh_args();
    ca->exit_signal = SIGCHLD;
    buf.bytes[CLONE_ARGS_SIZE_VER2 + 3] = 1;
    expect_fail(do_clone3(ca, CLONE_ARGS_SIZE_VER2 + 8), E2BIG,
                "clone3: nonzero byte past the known struct");

    ca = fresh_args();
    ca->exit_signal = 0x100 | SIGCHLD;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: exit_signal bit above CSIGNAL");
    ca->exit_signal = (1ull << 32) | SIGCHLD;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: exit_signal bit 32");
    ca->exit_signal = 65;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: exit_signal 65");

    ca = fresh_args();
    ca->exit_signal = SIGCHLD;
    ca->flags = CLONE_DETACHED;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: CLONE_DETACHED");
    ca->flags = SIGCHLD; /* the CSIGNAL byte is not for flags in clone3 */
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: CSIGNAL bits in flags");
    ca->flags = 1ull << 40;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: unknown flag bit 40");
    ca->flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: CLONE_SIGHAND|CLONE_CLEAR_SIGHAND");
    ca->flags = CLONE_SIGHAND;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: CLONE_SIGHAND without CLONE_VM");
    /* A thread or a sibling signals nobody at exit: exit_signal must be 0. */
    ca->flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: CLONE_THREAD with an exit_signal");
    ca->flags = CLONE_INTO_CGROUP;
    expect_fail(do_clone3(ca, CLONE_ARGS_SIZE_VER0), EINVAL,
                "clone3: CLONE_INTO_CGROUP in a VER0-size struct");

    pid_t tids[2] = {0, 0};
    ca = fresh_args();
    ca->exit_signal = SIGCHLD;
    ca->set_tid_size = 33;
    ca->set_tid = (uintptr_t)tids;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: set_tid_size 33");
    ca->set_tid_size = 0;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: set_tid without set_tid_size");
    ca->set_tid = 0;
    ca->set_tid_size = 1;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: set_tid_size without set_tid");

    static char stack[16384] __attribute__((aligned(16)));
    ca = fresh_args();
    ca->exit_signal = SIGCHLD;
    ca->stack = (uintptr_t)stack;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: stack without stack_size");
    ca->stack = 0;
    ca->stack_size = sizeof stack;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: stack_size without stack");
    /* access_ok() on [stack, stack + stack_size). */
    ca->stack = 0xffff800000000000ull; /* the kernel's half of the address space */
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL, "clone3: stack outside user space");

    pid_t ptid = 0;
    ca = fresh_args();
    ca->exit_signal = SIGCHLD;
    ca->flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
    ca->pidfd = (uintptr_t)&ptid;
    ca->parent_tid = (uintptr_t)&ptid;
    expect_fail(do_clone3(ca, sizeof *ca), EINVAL,
                "clone3: CLONE_PIDFD|CLONE_PARENT_SETTID (one pointer)");
}

/* CLONE_PARENT with an exit_signal, from a process that is not init (the
 * test's pid 1 under reprise may not use CLONE_PARENT at all). */
static void clone3_parent_rule(void)
{
    fflush(stdout);
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        mismatches = 0; /* the child reports only its own */
        struct clone_args *ca = fresh_args();
        ca->flags = CLONE_PARENT;
        ca->exit_signal = SIGCHLD;
        expect_fail(do_clone3(ca, sizeof *ca), EINVAL,
                    "clone3: CLONE_PARENT with an exit_signal");
        fflush(stdout);
        _exit(mismatches);
    }
    int st;
    CHECK(waitpid(c, &st, 0) == c, "waitpid");
    CHECK(WIFEXITED(st), "the child checking CLONE_PARENT did not exit");
    mismatches += WEXITSTATUS(st);
}

static void forks(void)
{
    long r;
    expect_child(do_clone(SIGCHLD, NULL, NULL), 0, "clone(SIGCHLD)");
    /* Old clone reads only the low 32 bits of flags, and ignores
     * CLONE_DETACHED. */
    expect_child(do_clone((1ul << 40) | SIGCHLD, NULL, NULL), 0, "clone with flag bit 40");
    expect_child(do_clone(CLONE_DETACHED | SIGCHLD, NULL, NULL), 0, "clone(CLONE_DETACHED|SIGCHLD)");
    /* Old clone takes any exit signal in its low byte: unlike clone3 it does
     * not check valid_signal(), and a child whose exit signal is past 64
     * signals nobody when it exits (do_notify_parent sends only valid ones).
     * Such a child is a "clone" child, seen by wait with __WALL. */
    expect_child(do_clone(65, NULL, NULL), __WALL, "clone with exit signal 65");
    expect_child(do_clone(255, NULL, NULL), __WALL, "clone with exit signal 255");

    struct clone_args *ca = fresh_args();
    ca->exit_signal = SIGCHLD;
    expect_child(do_clone3(ca, CLONE_ARGS_SIZE_VER0), 0, "clone3 VER0, exit_signal SIGCHLD");
    expect_child(do_clone3(ca, sizeof *ca), 0, "clone3 full size, exit_signal SIGCHLD");
    expect_child(do_clone3(ca, CLONE_ARGS_SIZE_VER2 + 64), 0,
                 "clone3 with zero bytes past the known struct");
    ca->exit_signal = 0;
    expect_child(do_clone3(ca, sizeof *ca), __WALL, "clone3, exit_signal 0, waited with __WALL");

    static char stack[16384] __attribute__((aligned(16)));
    ca = fresh_args();
    ca->exit_signal = SIGCHLD;
    ca->stack = (uintptr_t)stack;
    ca->stack_size = sizeof stack;
    expect_child(do_clone3(ca, sizeof *ca), 0, "clone3 with its own stack");

    /* The child writes its tid into memory it shares with its parent, which
     * vfork holds until the child has exited. */
    static volatile pid_t ctid;
    r = do_clone(CLONE_VM | CLONE_VFORK | CLONE_CHILD_SETTID | SIGCHLD, NULL, (void *)&ctid);
    CHECK(r <= 0 || ctid == r, "CLONE_CHILD_SETTID: clone gave %ld, child_tid %d", r, ctid);
    expect_child(r, 0, "clone(CLONE_VM|CLONE_VFORK|CLONE_CHILD_SETTID) wrote the tid and");

    pid_t ptid = 0;
    ca = fresh_args();
    ca->exit_signal = SIGCHLD;
    ca->flags = CLONE_PARENT_SETTID;
    ca->parent_tid = (uintptr_t)&ptid;
    r = do_clone3(ca, sizeof *ca);
    CHECK(r <= 0 || ptid == r, "CLONE_PARENT_SETTID: clone3 gave %ld, parent_tid %d", r, ptid);
    expect_child(r, 0, "clone3 CLONE_PARENT_SETTID wrote the tid and");
}

int main(void)
{
    legacy_rules();
    clone3_rules();
    clone3_parent_rule();
    forks();
    CHECK(mismatches == 0, "%d outcome(s) differ from Linux's (lines above)", mismatches);
    guest_ok("clone_flags");
    return 0;
}
