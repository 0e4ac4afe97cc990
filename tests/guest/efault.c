/* efault: system calls given bad user pointers fail with EFAULT, and the
 * process carries on.
 *
 * Each call goes through syscall(2) so no libc wrapper looks at the pointer
 * first. The bad pointers are: 1, 0xdead0000 (unmapped), a kernel address,
 * 2^47 (non-canonical on x86-64), a PROT_NONE page, and — for calls that
 * write to user memory — a read-only page. Prints one line per call with the
 * errno name and fails unless every one is EFAULT. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int failures;

static void expect_efault(const char *what, long r)
{
    int e = errno;
    if (r == -1) {
        printf("%-40s %s\n", what, errno_name(e));
        if (e != EFAULT)
            failures++;
    } else {
        printf("%-40s returned %ld\n", what, r);
        failures++;
    }
}

#define CALL(what, ...) expect_efault(what, syscall(__VA_ARGS__))

int main(int argc, char **argv)
{
    (void)argc;
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(none != MAP_FAILED && ro != MAP_FAILED, "mmap");
    void *const unmapped = (void *)(uintptr_t)0xdead0000;
    CHECK_SYS(munmap(unmapped, 4096));
    /* 2^47: past the end of user space on x86-64, plain unmapped memory on
     * arm64 (where munmap makes sure of that; on x86-64 it fails, harmlessly). */
    void *const high = (void *)(uintptr_t)0x0000800000000000ULL;
    munmap(high, 4096);

    struct {
        const char *name;
        void *p;
    } bad[] = {
        {"1", (void *)1},
        {"0xdead0000", unmapped},
        {"kernel", (void *)(uintptr_t)0xffff800000001000ULL},
        {"0x800000000000", high},
        {"PROT_NONE", none},
    };
    int file = open(argv[0], O_RDONLY);
    CHECK_SYS(file);
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    CHECK_SYS(dir);
    char line[128];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *p = bad[i].p;
        printf("-- pointer: %s\n", bad[i].name);
#define W(fmt) (snprintf(line, sizeof line, fmt, bad[i].name), line)
        CALL(W("read(file, %s, 16)"), SYS_read, file, p, 16);
        CALL(W("pread64(file, %s, 16, 0)"), SYS_pread64, file, p, 16, 0);
        CALL(W("write(1, %s, 16)"), SYS_write, 1, p, 16);
        CALL(W("readv(file, iov=%s, 1)"), SYS_readv, file, p, 1);
        struct iovec iov = {p, 16};
        CALL(W("readv(file, {%s, 16}, 1)"), SYS_readv, file, &iov, 1);
        CALL(W("writev(1, iov=%s, 1)"), SYS_writev, 1, p, 1);
        CALL(W("writev(1, {%s, 16}, 1)"), SYS_writev, 1, &iov, 1);
        CALL(W("openat(AT_FDCWD, %s, O_RDONLY)"), SYS_openat, AT_FDCWD, p, O_RDONLY);
        CALL(W("newfstatat(AT_FDCWD, %s, &st, 0)"), SYS_newfstatat, AT_FDCWD, p, line + 64, 0);
        CALL(W("newfstatat(AT_FDCWD, \"/\", %s, 0)"), SYS_newfstatat, AT_FDCWD, "/", p, 0);
        CALL(W("fstat(file, %s)"), SYS_fstat, file, p);
        CALL(W("statx(AT_FDCWD, \"/\", 0, ALL, %s)"), SYS_statx, AT_FDCWD, "/", 0, 0xfff, p);
        CALL(W("readlinkat(AT_FDCWD, %s, buf, 64)"), SYS_readlinkat, AT_FDCWD, p, line, 64);
        CALL(W("readlinkat(/proc/self/exe, %s, 64)"), SYS_readlinkat, AT_FDCWD, "/proc/self/exe", p, 64);
        CALL(W("getcwd(%s, 4096)"), SYS_getcwd, p, 4096);
        CALL(W("chdir(%s)"), SYS_chdir, p);
        CALL(W("faccessat(AT_FDCWD, %s, F_OK)"), SYS_faccessat, AT_FDCWD, p, F_OK);
        CALL(W("mkdirat(AT_FDCWD, %s, 0755)"), SYS_mkdirat, AT_FDCWD, p, 0755);
        CALL(W("unlinkat(AT_FDCWD, %s, 0)"), SYS_unlinkat, AT_FDCWD, p, 0);
        CALL(W("renameat2(AT_FDCWD, %s, ..., \"x\")"), SYS_renameat2, AT_FDCWD, p, AT_FDCWD, "x", 0);
        CALL(W("getdents64(dir, %s, 4096)"), SYS_getdents64, dir, p, 4096);
        CALL(W("clock_gettime(MONOTONIC, %s)"), SYS_clock_gettime, CLOCK_MONOTONIC, p);
        CALL(W("clock_getres(MONOTONIC, %s)"), SYS_clock_getres, CLOCK_MONOTONIC, p);
        CALL(W("gettimeofday(%s, NULL)"), SYS_gettimeofday, p, NULL);
        CALL(W("nanosleep(%s, NULL)"), SYS_nanosleep, p, NULL);
        CALL(W("clock_nanosleep(MONOTONIC, 0, %s)"), SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, p, NULL);
        CALL(W("getrandom(%s, 16, 0)"), SYS_getrandom, p, 16, 0);
        CALL(W("uname(%s)"), SYS_uname, p);
        CALL(W("sysinfo(%s)"), SYS_sysinfo, p);
        CALL(W("rt_sigaction(SIGUSR1, %s, NULL)"), SYS_rt_sigaction, SIGUSR1, p, NULL, 8);
        CALL(W("rt_sigprocmask(SIG_BLOCK, %s, NULL)"), SYS_rt_sigprocmask, SIG_BLOCK, p, NULL, 8);
        CALL(W("prlimit64(0, NOFILE, NULL, %s)"), SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, p);
        CALL(W("sched_getaffinity(0, 128, %s)"), SYS_sched_getaffinity, 0, 128, p);
#undef W
    }

    /* Calls that write to user memory must also refuse a read-only page. */
    printf("-- pointer: read-only page\n");
    CALL("read(file, ro, 16)", SYS_read, file, ro, 16);
    CALL("fstat(file, ro)", SYS_fstat, file, ro);
    CALL("getcwd(ro, 4096)", SYS_getcwd, ro, 4096);
    CALL("getdents64(dir, ro, 4096)", SYS_getdents64, dir, ro, 4096);
    CALL("clock_gettime(MONOTONIC, ro)", SYS_clock_gettime, CLOCK_MONOTONIC, ro);
    CALL("getrandom(ro, 16, 0)", SYS_getrandom, ro, 16, 0);
    CALL("uname(ro)", SYS_uname, ro);
    CALL("readlinkat(/proc/self/exe, ro, 64)", SYS_readlinkat, AT_FDCWD, "/proc/self/exe", ro, 64);

    CHECK(failures == 0, "%d call(s) did not fail with EFAULT", failures);
    guest_ok("efault");
    return 0;
}
