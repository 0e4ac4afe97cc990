/* pidfd: descriptors for processes. pidfd_open, CLONE_PIDFD (clone and
 * clone3), pidfd_send_signal and waitid(P_PIDFD), with the errors each gives
 * for bad arguments, and what a zombie and a reaped process look like
 * through them. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

static int pidfd_open(pid_t pid, unsigned flags)
{
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
    return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

/* A child that waits until the parent closes the pipe, then exits 0. */
static pid_t sleeper(int *release_fd)
{
    int fds[2];
    CHECK_SYS(pipe(fds));
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        char b;
        close(fds[1]);
        while (read(fds[0], &b, 1) > 0)
            ;
        _exit(0);
    }
    close(fds[0]);
    *release_fd = fds[1];
    return c;
}

static void show_wait(const char *what, int fd, pid_t expect)
{
    siginfo_t si = {0};
    CHECK_SYS(waitid(P_PIDFD, fd, &si, WEXITED));
    CHECK(si.si_pid == expect, "%s: si_pid %d, want %d", what, si.si_pid, expect);
    printf("%s: code %s status %d\n", what,
           si.si_code == CLD_EXITED ? "CLD_EXITED" :
           si.si_code == CLD_KILLED ? "CLD_KILLED" : "other",
           si.si_status);
}

/* Sends its tid through fds[1], then waits for a byte on fds[0]. */
static void *idle_thread(void *arg)
{
    int *fds = arg;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    char b;
    if (write(fds[1], &tid, sizeof tid) != sizeof tid)
        return NULL;
    read(fds[0], &b, 1);
    return NULL;
}

int main(void)
{
    /* pidfd_open's arguments. */
    expect_errno(pidfd_open(-1, 0), EINVAL, "pidfd_open(-1)");
    expect_errno(pidfd_open(0, 0), EINVAL, "pidfd_open(0)");
    expect_errno(pidfd_open(getpid(), 1), EINVAL, "pidfd_open with unknown flags");
    expect_errno(pidfd_open(4000000, 0), ESRCH, "pidfd_open of no process");

    /* A descriptor for oneself: close-on-exec, reads nothing; not one's own
     * child, so waitid through it finds no child. */
    int self = pidfd_open(getpid(), PIDFD_NONBLOCK);
    CHECK_SYS(self);
    int fdflags = fcntl(self, F_GETFD);
    printf("pidfd close-on-exec: %s\n", (fdflags & FD_CLOEXEC) ? "yes" : "no");
    printf("pidfd O_NONBLOCK: %s\n", (fcntl(self, F_GETFL) & O_NONBLOCK) ? "yes" : "no");
    char buf[8];
    expect_errno((int)read(self, buf, sizeof buf), EINVAL, "read of a pidfd");
    siginfo_t si;
    expect_errno(waitid(P_PIDFD, self, &si, WEXITED | WNOHANG), ECHILD,
                 "waitid(P_PIDFD) of oneself");
    CHECK(pidfd_send_signal(self, 0, NULL, 0) == 0, "signal 0 to oneself");
    printf("signal 0 through a pidfd to oneself: ok\n");
    close(self);

    /* A thread that does not lead a process has no pidfd. */
    int down[2], up[2], tp[2];
    CHECK_SYS(pipe(down));
    CHECK_SYS(pipe(up));
    int thread_fds[2] = {down[0], up[1]};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, idle_thread, thread_fds) == 0, "pthread_create");
    pid_t tid = 0;
    CHECK(read(up[0], &tid, sizeof tid) == sizeof tid, "the thread sent no tid");
    /* Linux 6.1 (the release reprise reports) says EINVAL; newer kernels
     * say ENOENT. */
    int r0 = pidfd_open(tid, 0);
    CHECK(r0 == -1 && (errno == EINVAL || errno == ENOENT),
          "pidfd_open of a non-leader thread: %d / %s", r0, errno_name(errno));
    printf("pidfd_open of a non-leader thread -> refused\n");
    CHECK(write(down[1], "x", 1) == 1, "write");
    pthread_join(th, NULL);
    tp[0] = down[0];
    tp[1] = down[1];

    /* Bad descriptors and flags for pidfd_send_signal. */
    expect_errno(pidfd_send_signal(tp[0], SIGTERM, NULL, 0), EBADF,
                 "pidfd_send_signal on a pipe");
    expect_errno(pidfd_send_signal(999, SIGTERM, NULL, 0), EBADF,
                 "pidfd_send_signal on a closed descriptor");

    /* pidfd_open + pidfd_send_signal(SIGKILL) + waitid(P_PIDFD). */
    int release;
    pid_t c = sleeper(&release);
    int fd = pidfd_open(c, 0);
    CHECK_SYS(fd);
    expect_errno(pidfd_send_signal(fd, SIGTERM, NULL, 0x100), EINVAL,
                 "pidfd_send_signal with flags");
    expect_errno(pidfd_send_signal(fd, 65, NULL, 0), EINVAL,
                 "pidfd_send_signal of signal 65");
    siginfo_t forged = {0};
    forged.si_signo = SIGTERM;
    forged.si_code = SI_USER;
    expect_errno(pidfd_send_signal(fd, SIGTERM, &forged, 0), EPERM,
                 "a forged SI_USER siginfo for another process");
    forged.si_signo = SIGINT;
    expect_errno(pidfd_send_signal(fd, SIGTERM, &forged, 0), EINVAL,
                 "a siginfo for another signal");
    CHECK(pidfd_send_signal(fd, 0, NULL, 0) == 0, "signal 0 to a live child");
    CHECK(pidfd_send_signal(fd, SIGKILL, NULL, 0) == 0, "SIGKILL through a pidfd");
    show_wait("killed through its pidfd", fd, c);
    expect_errno(pidfd_send_signal(fd, SIGTERM, NULL, 0), ESRCH,
                 "pidfd_send_signal after the child was reaped");
    expect_errno(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG), ECHILD,
                 "waitid(P_PIDFD) after the child was reaped");
    close(fd);
    close(release);

    /* A non-blocking pidfd makes waitid fail with EAGAIN while the child
     * runs; the zombie can still be signalled (nothing happens). */
    c = sleeper(&release);
    fd = pidfd_open(c, PIDFD_NONBLOCK);
    CHECK_SYS(fd);
    expect_errno(waitid(P_PIDFD, fd, &si, WEXITED), EAGAIN,
                 "waitid on a non-blocking pidfd of a running child");
    close(release);
    siginfo_t peek = {0};
    int fd_block = pidfd_open(c, 0);
    CHECK_SYS(fd_block);
    CHECK_SYS(waitid(P_PIDFD, fd_block, &peek, WEXITED | WNOWAIT));
    CHECK(kill(c, 0) == 0, "kill(zombie, 0): %s", errno_name(errno));
    CHECK(pidfd_send_signal(fd, SIGTERM, NULL, 0) == 0, "signal to a zombie");
    printf("a zombie can be signalled: ok\n");
    show_wait("released", fd, c);
    close(fd);
    close(fd_block);

    /* CLONE_PIDFD through clone3. */
    int cfd = -1;
    struct clone_args args = {0};
    args.flags = CLONE_PIDFD;
    args.pidfd = (uintptr_t)&cfd;
    args.exit_signal = SIGCHLD;
    long r = syscall(SYS_clone3, &args, sizeof args);
    CHECK_SYS(r);
    if (r == 0)
        _exit(7);
    CHECK(cfd >= 0, "clone3 wrote no pidfd");
    printf("clone3 CLONE_PIDFD: close-on-exec %s\n",
           (fcntl(cfd, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
    show_wait("clone3 child", cfd, (pid_t)r);
    close(cfd);

    /* CLONE_PIDFD through clone: the descriptor lands in parent_tid. */
    cfd = -1;
    r = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &cfd, 0, 0);
    CHECK_SYS(r);
    if (r == 0)
        _exit(9);
    CHECK(cfd >= 0, "clone wrote no pidfd");
    show_wait("clone child", cfd, (pid_t)r);
    close(cfd);
    expect_errno(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &cfd, 0, 0),
                 EINVAL, "CLONE_PIDFD with CLONE_PARENT_SETTID");

    printf("ok: pidfd\n");
    return 0;
}
