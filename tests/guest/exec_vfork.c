/* exec_vfork: vfork suspends the parent until the child execs or exits and
 * the child's writes are visible; execve replaces the image (argv, envp,
 * close-on-exec); errors from execve; a "#!" script with an argument. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* Creates \p path with \p mode and \p text. */
static void make_file(const char *path, mode_t mode, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    CHECK_SYS(fd);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s", path);
    CHECK_SYS(close(fd));
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "exec-child") == 0) {
        /* The exec'd image: report argv, the environment and descriptor 5. */
        printf("exec'd image: argv[2]=%s env REPRISE_T=%s fd 5 %s, fd 6 %s\n", argv[2],
               getenv("REPRISE_T"), fcntl(5, F_GETFD) == -1 ? "closed" : "open",
               fcntl(6, F_GETFD) == -1 ? "closed" : "open");
        return 42;
    }
    if (argc >= 2 && strcmp(argv[1], "script-child") == 0) {
        /* argv: the interpreter, its argument from the "#!" line, the script. */
        CHECK(argc == 3, "script argc %d", argc);
        printf("script ran with interpreter argument %s and script %s\n", argv[1],
               strrchr(argv[2], '/') + 1);
        return 0;
    }
    CHECK(argc == 2, "usage: exec_vfork DIR");

    volatile int shared = 0;
    pid_t c = vfork();
    CHECK_SYS(c);
    if (c == 0) {
        shared = 1234; /* vfork shares memory until exit */
        _exit(5);
    }
    int st;
    CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 5, "vfork child status");
    printf("vfork child's write seen by the parent: %d\n", shared);

    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    CHECK_SYS(n);
    self[n] = 0;

    /* fork + exec with argv, envp, and a close-on-exec descriptor. */
    int keep = open("/dev/null", O_RDONLY), drop = open("/dev/null", O_RDONLY | O_CLOEXEC);
    CHECK_SYS(dup2(keep, 5));
    CHECK_SYS(dup2(drop, 6));
    CHECK_SYS(fcntl(6, F_SETFD, FD_CLOEXEC));
    fflush(stdout);
    c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        char *args[] = {self, "exec-child", "second", NULL};
        char *env[] = {"REPRISE_T=yes", NULL};
        execve(self, args, env);
        _exit(127);
    }
    CHECK(waitpid(c, &st, 0) == c, "waitpid exec");
    printf("exec'd child exited with %d\n", WEXITSTATUS(st));

    /* vfork + exec: the parent resumes once the child has exec'd. */
    fflush(stdout);
    c = vfork();
    CHECK_SYS(c);
    if (c == 0) {
        char *args[] = {self, "exec-child", "vforked", NULL};
        char *env[] = {"REPRISE_T=vfork", NULL};
        execve(self, args, env);
        _exit(127);
    }
    CHECK(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 42, "vfork+exec status");
    printf("vfork+exec child exited with %d\n", WEXITSTATUS(st));

    /* A "#!" script naming this program with one argument. */
    char script[PATH_MAX + 16];
    snprintf(script, sizeof script, "%s/script", argv[1]);
    char line[PATH_MAX + 32];
    snprintf(line, sizeof line, "#!%s script-child\n", self);
    make_file(script, 0755, line);
    fflush(stdout);
    c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        char *args[] = {script, NULL};
        execve(script, args, NULL);
        _exit(127);
    }
    CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "script status");

    char *none[] = {"x", NULL};
    expect_errno(execve("/no/such/program", none, NULL), ENOENT, "execve of a missing file");
    expect_errno(execve(argv[1], none, NULL), EACCES, "execve of a directory");
    snprintf(script, sizeof script, "%s/plain", argv[1]);
    make_file(script, 0755, "not a program\n");
    expect_errno(execve(script, none, NULL), ENOEXEC, "execve of a file that is no program");
    unlink(script);
    make_file(script, 0644, "#!/bin/sh\n");
    expect_errno(execve(script, none, NULL), EACCES, "execve without execute permission");
    unlink(script);
    snprintf(script, sizeof script, "%s/script", argv[1]);
    unlink(script);
    guest_ok("exec_vfork");
    return 0;
}
