/* pipes: data through a pipe between processes, a large write that must
 * block until the reader drains it, EOF when the last writer closes, EPIPE
 * when no reader is left, O_NONBLOCK and pipe2 flags. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string.h>

#include "check.h"

int main(void)
{
    int fds[2];
    CHECK_SYS(pipe(fds));
    enum { Big = 1 << 20 };
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        close(fds[0]);
        static unsigned char buf[Big];
        for (int i = 0; i < Big; i++)
            buf[i] = (unsigned char)(i * 7);
        ssize_t w = write(fds[1], buf, Big); /* blocks until all is in */
        _exit(w == Big ? 0 : 1);
    }
    close(fds[1]);
    static unsigned char got[Big];
    size_t total = 0;
    ssize_t n;
    while ((n = read(fds[0], got + total, Big - total + 1)) > 0)
        total += (size_t)n;
    CHECK(n == 0, "read: %s", errno_name(errno));
    unsigned long sum = 0;
    for (size_t i = 0; i < total; i++)
        sum += got[i] * (i % 13);
    int st;
    CHECK(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 0, "writer failed");
    printf("1 MiB through a pipe: %zu bytes, checksum %lu, then EOF\n", total, sum);
    close(fds[0]);

    CHECK_SYS(pipe2(fds, O_NONBLOCK | O_CLOEXEC));
    char b[8];
    expect_errno(read(fds[0], b, sizeof b), EAGAIN, "non-blocking read of an empty pipe");
    CHECK((fcntl(fds[0], F_GETFD) & FD_CLOEXEC) && (fcntl(fds[1], F_GETFL) & O_NONBLOCK),
          "pipe2 flags");
    printf("pipe2 sets O_NONBLOCK and FD_CLOEXEC\n");
    static char fill[70000];
    ssize_t w = write(fds[1], fill, sizeof fill);
    printf("non-blocking write of 70000 bytes into an empty pipe wrote %zd\n", w);
    expect_errno(write(fds[1], "x", 1), EAGAIN, "non-blocking write into a full pipe");
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);
    expect_errno(write(fds[1], "x", 1), EPIPE, "write with no reader (SIGPIPE ignored)");
    close(fds[1]);
    expect_errno(pipe2(fds, O_APPEND), EINVAL, "pipe2 with an unknown flag");

    /* SIGPIPE's default action ends the writer. */
    CHECK_SYS(pipe(fds));
    close(fds[0]); /* no reader from the start */
    c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        signal(SIGPIPE, SIG_DFL);
        write(fds[1], "x", 1);
        _exit(0);
    }
    close(fds[1]);
    CHECK(waitpid(c, &st, 0) == c, "waitpid");
    printf("writer to a closed pipe: killed by %s\n", WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "nothing");

    /* A page shared copy-on-write with a live child, read by the parent
     * (so its translation is cached), then filled by read(2): the parent
     * sees the new bytes and the child keeps the old ones. */
    static char cow[8192] __attribute__((aligned(4096)));
    memset(cow, 'a', sizeof cow);
    int hold[2], data[2], report[2];
    CHECK_SYS(pipe(hold));
    CHECK_SYS(pipe(data));
    CHECK_SYS(pipe(report));
    c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        char b;
        close(hold[1]);
        read(hold[0], &b, 1); /* until the parent is done */
        write(report[1], cow, 1);
        _exit(0);
    }
    close(hold[0]);
    volatile char before = cow[0];
    CHECK(write(data[1], "zz", 2) == 2, "write");
    CHECK(read(data[0], cow, 2) == 2, "read");
    printf("copy-on-write page after read(2): was %c, parent sees %c%c\n", before, cow[0], cow[1]);
    close(hold[1]);
    char childs;
    CHECK(read(report[0], &childs, 1) == 1, "report");
    printf("the child still sees %c\n", childs);
    CHECK(waitpid(c, &st, 0) == c, "waitpid");
    guest_ok("pipes");
    return 0;
}
