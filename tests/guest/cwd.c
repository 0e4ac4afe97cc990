/* cwd: the working directory.
 *
 * chdir into argv[1] makes getcwd return its real path and relative paths
 * resolve there; fchdir returns to a saved directory; ".." at "/" stays at
 * "/"; chdir to a file gives ENOTDIR, to a missing path ENOENT; getcwd into a
 * too-small buffer gives ERANGE. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: cwd DIR");
    char real[PATH_MAX], cwd[PATH_MAX];
    CHECK(realpath(argv[1], real) != NULL, "realpath: %s", errno_name(errno));

    int start = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_SYS(start);
    char start_path[PATH_MAX];
    CHECK(getcwd(start_path, sizeof start_path) != NULL, "getcwd: %s", errno_name(errno));
    CHECK(start_path[0] == '/', "getcwd is not absolute");

    CHECK_SYS(chdir(argv[1]));
    CHECK(getcwd(cwd, sizeof cwd) != NULL, "getcwd: %s", errno_name(errno));
    CHECK(strcmp(cwd, real) == 0, "getcwd \"%s\" after chdir to \"%s\"", cwd, real);
    printf("after chdir(DIR), getcwd is DIR's real path\n");

    int fd = open("rel.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK_SYS(fd);
    CHECK_SYS(close(fd));
    char abs[PATH_MAX + 16];
    snprintf(abs, sizeof abs, "%s/rel.txt", real);
    struct stat st;
    CHECK(stat(abs, &st) == 0, "relative file not at the absolute path");
    CHECK_SYS(mkdir("sub", 0755));
    CHECK_SYS(chdir("sub"));
    CHECK(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
    snprintf(abs, sizeof abs, "%s/sub", real);
    CHECK(strcmp(cwd, abs) == 0, "getcwd in sub is \"%s\"", cwd);
    CHECK(stat("../rel.txt", &st) == 0, "../rel.txt from sub");
    printf("relative paths resolve against the working directory, \"..\" included\n");

    expect_errno(chdir("../rel.txt"), ENOTDIR, "chdir to a regular file");
    expect_errno(chdir("missing"), ENOENT, "chdir to a missing directory");
    char tiny[2];
    CHECK(getcwd(tiny, sizeof tiny) == NULL && errno == ERANGE, "getcwd into 2 bytes: %s",
          errno_name(errno));
    printf("getcwd into a 2-byte buffer -> ERANGE\n");

    CHECK_SYS(chdir("/"));
    CHECK_SYS(chdir(".."));
    CHECK(getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, "/") == 0, "\"..\" of \"/\" is \"%s\"", cwd);
    CHECK(stat("../../..", &st) == 0 && S_ISDIR(st.st_mode), "stat ../../.. from /");
    printf("\"..\" at \"/\" stays at \"/\"\n");

    CHECK_SYS(fchdir(start));
    CHECK(getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, start_path) == 0, "fchdir back: \"%s\"", cwd);
    printf("fchdir returns to the saved directory\n");

    snprintf(abs, sizeof abs, "%s/sub", real);
    CHECK_SYS(rmdir(abs));
    snprintf(abs, sizeof abs, "%s/rel.txt", real);
    CHECK_SYS(unlink(abs));
    guest_ok("cwd");
    return 0;
}
