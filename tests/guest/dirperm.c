/* dirperm: permission checks on directories follow their mode as it
 * changes, for a user that is not root, in the directory argv[1].
 *
 * A directory without search (x) permission hides its entries from open,
 * stat and access; one with search but no read permission can be walked
 * through but not listed; each chmod takes effect on the next call, also
 * for a path walked many times before. Natively the program drops root
 * first (root passes these checks); under reprise it is started with
 * --uid/--gid 1000. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char dir[4096];

static const char *in(const char *name)
{
    static char buf[2][4200];
    static int n;
    char *b = buf[n++ & 1];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

/* Opens, stats and checks d/f, and lists d, printing each outcome. */
static void probe(const char *when)
{
    /* Walk the same path a few times: a cached answer must not outlive a
     * change of mode. */
    int fd = -1;
    for (int i = 0; i < 3; i++) {
        if (fd >= 0)
            close(fd);
        fd = open(in("d/f"), O_RDONLY);
    }
    printf("%s: open d/f %s", when, fd >= 0 ? "ok" : errno_name(errno));
    if (fd >= 0)
        close(fd);
    struct stat st;
    printf(", stat d/f %s", stat(in("d/f"), &st) == 0 ? "ok" : errno_name(errno));
    printf(", access d/f %s", access(in("d/f"), R_OK) == 0 ? "ok" : errno_name(errno));
    DIR *d = opendir(in("d"));
    printf(", list d %s", d ? "ok" : errno_name(errno));
    if (d)
        closedir(d);
    printf(", open d/sub/g %s\n",
           (fd = open(in("d/sub/g"), O_RDONLY)) >= 0 ? "ok" : errno_name(errno));
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: dirperm DIR");
    snprintf(dir, sizeof dir, "%s", argv[1]);
    if (geteuid() == 0) {
        CHECK_SYS(chmod(dir, 0777));
        CHECK_SYS(setgid(1000));
        CHECK_SYS(setuid(1000));
    }
    printf("uid %u gid %u\n", (unsigned)geteuid(), (unsigned)getegid());
    umask(022);
    CHECK_SYS(mkdir(in("d"), 0755));
    CHECK_SYS(mkdir(in("d/sub"), 0755));
    int fd = open(in("d/f"), O_WRONLY | O_CREAT, 0644);
    CHECK_SYS(fd);
    close(fd);
    CHECK_SYS(fd = open(in("d/sub/g"), O_WRONLY | O_CREAT, 0644));
    close(fd);

    probe("755");
    CHECK_SYS(chmod(in("d"), 0));
    probe("000");
    CHECK_SYS(chmod(in("d"), 0100));
    probe("100");
    CHECK_SYS(chmod(in("d"), 0400));
    probe("400");
    CHECK_SYS(chmod(in("d"), 0700));
    probe("700");
    CHECK_SYS(chmod(in("d/sub"), 0600));
    probe("700, sub 600");
    /* Through a descriptor of the directory, too. */
    int dfd = open(in("d"), O_RDONLY | O_DIRECTORY);
    CHECK_SYS(dfd);
    CHECK_SYS(fchmod(dfd, 0));
    expect_errno(openat(dfd, "f", O_RDONLY), EACCES, "fchmod 000: openat(d, f)");
    CHECK_SYS(fchmod(dfd, 0500));
    fd = openat(dfd, "f", O_RDONLY);
    printf("fchmod 500: openat(d, f) %s\n", fd >= 0 ? "ok" : errno_name(errno));
    if (fd >= 0)
        close(fd);
    close(dfd);
    guest_ok("dirperm");
    return 0;
}
