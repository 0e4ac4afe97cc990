/* sysmisc: calls with little to do in reprise that programs still make,
 * in the directory argv[1]: fsync/fdatasync/syncfs/sync_file_range and
 * readahead (files yes, pipes no), fallocate's argument checks, preadv/
 * pwritev/preadv2/pwritev2, utimes/futimesat (x86-64), mlock family,
 * membarrier, getcpu, getpriority/setpriority and the sched_* policy calls.
 * Output that depends on the host (the CPU number, fallocate's support by
 * the file system) is reduced to what both must agree on. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char path[4200];

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: sysmisc DIR");
    snprintf(path, sizeof path, "%s/f", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(fd);
    int p[2];
    CHECK_SYS(pipe(p));

    /* Syncing. */
    int s1 = fsync(fd), s2 = fdatasync(fd), s3 = syncfs(fd);
    printf("fsync file %d, fdatasync file %d, syncfs %d\n", s1, s2, s3);
    expect_errno(fsync(p[0]), EINVAL, "fsync(pipe)");
    expect_errno(fsync(-1), EBADF, "fsync(-1)");
    sync();
    printf("sync_file_range %d\n", sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
    expect_errno(sync_file_range(fd, -1, 0, 0), EINVAL, "sync_file_range at -1");
    expect_errno(sync_file_range(fd, 0, 0, 8), EINVAL, "sync_file_range flag 8");
    expect_errno(sync_file_range(p[1], 0, 0, 0), ESPIPE, "sync_file_range(pipe)");
    printf("readahead %ld\n", (long)readahead(fd, 0, 4096));
    expect_errno(readahead(p[0], 0, 4096), EINVAL, "readahead(pipe)");

    /* fallocate: the argument checks come first everywhere. */
    expect_errno(fallocate(fd, 0, -1, 10), EINVAL, "fallocate at -1");
    expect_errno(fallocate(fd, 0, 0, 0), EINVAL, "fallocate of 0 bytes");
    expect_errno(fallocate(p[1], 0, 0, 10), ESPIPE, "fallocate(pipe)");
    int ro = open(path, O_RDONLY);
    CHECK_SYS(ro);
    expect_errno(fallocate(ro, 0, 0, 10), EBADF, "fallocate on a read-only fd");
    /* posix_fallocate works either way (glibc writes the range itself
     * when the file system cannot reserve it). */
    printf("posix_fallocate %d\n", posix_fallocate(fd, 0, 100));
    struct stat st;
    CHECK_SYS(fstat(fd, &st));
    printf("size after posix_fallocate: %ld\n", (long)st.st_size);

    /* Vectored I/O at offsets. */
    struct iovec w[2] = {{(void *)"hello ", 6}, {(void *)"world", 5}};
    printf("pwritev %zd\n", pwritev(fd, w, 2, 10));
    char a[4] = {0}, b[8] = {0};
    struct iovec r[2] = {{a, 3}, {b, 7}};
    ssize_t n = preadv(fd, r, 2, 11);
    printf("preadv %zd: \"%s\" \"%s\"\n", n, a, b);
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    memset(a, 0, sizeof a);
    ssize_t got = preadv2(fd, r, 1, -1, 0);
    printf("preadv2 at -1 (position) %zd, position now %ld\n", got,
           (long)lseek(fd, 0, SEEK_CUR));
    printf("pwritev2 RWF_DSYNC %zd\n", pwritev2(fd, w, 1, 50, RWF_DSYNC));
    expect_errno(preadv2(fd, r, 1, 0, 0x100000), EOPNOTSUPP, "preadv2 with an unknown flag");
    expect_errno(preadv(p[0], r, 1, 0), ESPIPE, "preadv(pipe)");
    expect_errno(preadv(fd, r, 1, -5), EINVAL, "preadv at -5");

#ifdef __x86_64__
    struct timeval tv[2] = {{1000000000, 5}, {1200000000, 999999}};
    CHECK_SYS(utimes(path, tv));
    CHECK_SYS(stat(path, &st));
    printf("utimes: mtime %ld.%09ld\n", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    tv[1].tv_usec = 1000000;
    expect_errno(utimes(path, tv), EINVAL, "utimes with 1000000 us");
    tv[1].tv_usec = 7;
    CHECK_SYS(syscall(SYS_futimesat, AT_FDCWD, path, tv));
    CHECK_SYS(stat(path, &st));
    printf("futimesat: mtime %ld.%09ld\n", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
#else
    /* Not on arm64: the same lines from utimensat, so the output agrees. */
    struct timespec ts[2] = {{1000000000, 5000}, {1200000000, 999999000}};
    CHECK_SYS(utimensat(AT_FDCWD, path, ts, 0));
    CHECK_SYS(stat(path, &st));
    printf("utimes: mtime %ld.%09ld\n", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    printf("utimes with 1000000 us -> EINVAL\n");
    ts[1].tv_nsec = 7000;
    CHECK_SYS(utimensat(AT_FDCWD, path, ts, 0));
    CHECK_SYS(stat(path, &st));
    printf("futimesat: mtime %ld.%09ld\n", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
#endif

    /* mlock family. */
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap");
    CHECK_SYS(munmap(m + 4096, 4096));
    int l1 = mlock(m + 10, 100), l2 = munlock(m, 4096);
    printf("mlock first page %d, munlock %d\n", l1, l2);
    expect_errno(mlock(m, 3 * 4096), ENOMEM, "mlock across a hole");
    printf("mlock2 MLOCK_ONFAULT %ld\n", (long)syscall(SYS_mlock2, m, 4096, 1));
    expect_errno(syscall(SYS_mlock2, m, 4096, 2), EINVAL, "mlock2 flag 2");
    int a1 = mlockall(MCL_CURRENT), a2 = munlockall();
    printf("mlockall(MCL_CURRENT) %d, munlockall %d\n", a1, a2);
    expect_errno(mlockall(0), EINVAL, "mlockall(0)");
    expect_errno(mlockall(MCL_ONFAULT), EINVAL, "mlockall(MCL_ONFAULT) alone");

    /* membarrier. */
    long q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    printf("membarrier query: private expedited %s, global %s\n",
           (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) ? "yes" : "no",
           (q & MEMBARRIER_CMD_GLOBAL) ? "yes" : "no");
    expect_errno(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), EPERM,
                 "private expedited before registering");
    long reg = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
    long bar = syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    printf("register %ld, private expedited %ld\n", reg, bar);
    expect_errno(syscall(SYS_membarrier, 12345, 0, 0), EINVAL, "membarrier command 12345");

    /* getcpu: a CPU the process may run on. */
    unsigned cpu = 99999, node = 99999;
    CHECK_SYS(syscall(SYS_getcpu, &cpu, &node, NULL));
    cpu_set_t set;
    CHECK_SYS(sched_getaffinity(0, sizeof set, &set));
    printf("getcpu: cpu in the affinity mask %s, node %u\n", CPU_ISSET(cpu, &set) ? "yes" : "no",
           node);

    /* Priorities, in a child that drops root for the unprivileged rules. */
    fflush(stdout);
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        errno = 0;
        printf("nice at start %d\n", getpriority(PRIO_PROCESS, 0));
        CHECK_SYS(setpriority(PRIO_PROCESS, 0, 5));
        printf("after setpriority 5: %d\n", getpriority(PRIO_PROCESS, 0));
        CHECK_SYS(setpriority(PRIO_PROCESS, 0, 50));
        printf("after setpriority 50 (clamped): %d\n", getpriority(PRIO_PROCESS, 0));
        expect_errno(getpriority(99, 0), EINVAL, "getpriority(which 99)");
        CHECK_SYS(setuid(1000));
        expect_errno(setpriority(PRIO_PROCESS, 0, 0), EACCES, "unprivileged nice 19 -> 0");
        expect_errno(setpriority(PRIO_PROCESS, getppid(), 1), EPERM,
                     "unprivileged setpriority of root's parent");
        struct sched_param sp = {0};
        printf("sched_getscheduler %d (SCHED_OTHER %d)\n", sched_getscheduler(0), SCHED_OTHER);
        sp.sched_priority = 10;
        expect_errno(sched_setscheduler(0, SCHED_FIFO, &sp), EPERM, "unprivileged SCHED_FIFO");
        sp.sched_priority = 0;
        int set = sched_setscheduler(0, SCHED_BATCH, &sp);
        printf("SCHED_BATCH %d -> policy %d\n", set, sched_getscheduler(0));
        expect_errno(sched_setscheduler(0, SCHED_BATCH | 0x1000, &sp), EINVAL,
                     "sched_setscheduler with a bad policy");
        fflush(stdout);
        _exit(0);
    }
    int status;
    CHECK_SYS(waitpid(pid, &status, 0));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
    struct sched_param sp = {.sched_priority = 42};
    CHECK_SYS(sched_setscheduler(0, SCHED_RR, &sp));
    sp.sched_priority = 0;
    CHECK_SYS(sched_getparam(0, &sp));
    printf("root SCHED_RR 42: policy %d priority %d\n", sched_getscheduler(0), sp.sched_priority);
    struct timespec rr;
    CHECK_SYS(sched_rr_get_interval(0, &rr));
    printf("rr interval positive: %s\n", rr.tv_sec > 0 || rr.tv_nsec > 0 ? "yes" : "no");
    sp.sched_priority = 0;
    CHECK_SYS(sched_setscheduler(0, SCHED_OTHER, &sp));
    int fmin = sched_get_priority_min(SCHED_FIFO), fmax = sched_get_priority_max(SCHED_FIFO);
    int omin = sched_get_priority_min(SCHED_OTHER), omax = sched_get_priority_max(SCHED_OTHER);
    printf("priority ranges: FIFO %d..%d, OTHER %d..%d\n", fmin, fmax, omin, omax);
    expect_errno(sched_get_priority_max(42), EINVAL, "sched_get_priority_max(42)");
    guest_ok("sysmisc");
    return 0;
}
