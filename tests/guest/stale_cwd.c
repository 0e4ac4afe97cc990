/* stale_cwd: a working directory is the directory, not the path to it.
 *
 * In argv[1]: make "secret/marker" and "jail", chdir into jail, rename jail
 * to "jail.old" and put a symlink named "jail" pointing at the absolute path
 * of "secret" in its place. Relative lookups must still happen in the renamed
 * (empty) directory: "marker" is not found and "." is jail.old. Under reprise
 * with --root this is what keeps a guest from following a symlink to a host
 * path out of its root; the expected text is Linux's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: stale_cwd DIR");
    char real[PATH_MAX], path[PATH_MAX + 64], secret[PATH_MAX + 32];
    CHECK(realpath(argv[1], real) != NULL, "realpath: %s", errno_name(errno));

    snprintf(secret, sizeof secret, "%s/secret", real);
    CHECK_SYS(mkdir(secret, 0755));
    snprintf(path, sizeof path, "%s/marker", secret);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK_SYS(fd);
    CHECK_SYS(close(fd));

    snprintf(path, sizeof path, "%s/jail", real);
    CHECK_SYS(mkdir(path, 0755));
    CHECK_SYS(chdir(path));
    int jail = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_SYS(jail);
    struct stat before, after, dot;
    CHECK_SYS(fstat(jail, &before));

    char old[PATH_MAX + 32];
    snprintf(old, sizeof old, "%s/jail.old", real);
    CHECK_SYS(rename(path, old));
    CHECK_SYS(symlink(secret, path));
    printf("jail renamed to jail.old, jail is now a symlink to secret\n");

    expect_errno(open("marker", O_RDONLY), ENOENT, "open(\"marker\") in the working directory");
    expect_errno(openat(jail, "marker", O_RDONLY), ENOENT,
                 "openat(saved jail descriptor, \"marker\")");
    CHECK_SYS(stat(".", &dot));
    CHECK_SYS(stat(old, &after));
    CHECK(dot.st_ino == before.st_ino && after.st_ino == before.st_ino,
          "\".\" is no longer the renamed directory");
    printf("\".\" is still the renamed directory\n");

    /* Creating a file relative to the working directory lands in jail.old. */
    fd = open("new", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK_SYS(fd);
    CHECK_SYS(close(fd));
    snprintf(path, sizeof path, "%s/new", old);
    struct stat st;
    CHECK(stat(path, &st) == 0, "\"new\" is not in jail.old");
    snprintf(path, sizeof path, "%s/new", secret);
    CHECK(stat(path, &st) != 0, "\"new\" was created through the symlink");
    printf("a relative create lands in the renamed directory\n");

    CHECK_SYS(close(jail));
    guest_ok("stale_cwd");
    return 0;
}
