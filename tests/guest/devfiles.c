/* devfiles: the /dev and /proc/self files a guest may rely on.
 *
 * /dev/null reads as end-of-file and swallows writes; /dev/zero reads zeros;
 * /dev/urandom gives bytes; each is a character device with Linux's numbers
 * (1:3, 1:5, 1:9). /proc/self/exe names this program, /proc/self/fd/N names
 * the file open on N, and listing /proc/self/fd shows 0, 1, 2 and N. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"

static void check_chardev(const char *path, unsigned maj, unsigned min)
{
    struct stat st;
    CHECK(stat(path, &st) == 0, "stat %s: %s", path, errno_name(errno));
    CHECK(S_ISCHR(st.st_mode), "%s is not a character device", path);
    CHECK(major(st.st_rdev) == maj && minor(st.st_rdev) == min, "%s is %u:%u, expected %u:%u", path,
          major(st.st_rdev), minor(st.st_rdev), maj, min);
    printf("%s: character device %u:%u\n", path, maj, min);
}

int main(int argc, char **argv)
{
    (void)argc;
    char buf[4096];

    check_chardev("/dev/null", 1, 3);
    check_chardev("/dev/zero", 1, 5);
    check_chardev("/dev/urandom", 1, 9);

    int fd = open("/dev/null", O_RDWR);
    CHECK_SYS(fd);
    CHECK(read(fd, buf, sizeof buf) == 0, "/dev/null read is not EOF");
    CHECK(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf, "/dev/null write");
    CHECK_SYS(close(fd));
    printf("/dev/null: read gives EOF, write of 4096 bytes returns 4096\n");

    fd = open("/dev/zero", O_RDONLY);
    CHECK_SYS(fd);
    memset(buf, 0xff, sizeof buf);
    CHECK(read(fd, buf, sizeof buf) == (ssize_t)sizeof buf, "/dev/zero read");
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK(buf[i] == 0, "/dev/zero byte %zu is %d", i, buf[i]);
    CHECK_SYS(close(fd));
    printf("/dev/zero: 4096 zero bytes\n");

    fd = open("/dev/urandom", O_RDONLY);
    CHECK_SYS(fd);
    CHECK(read(fd, buf, 64) == 64, "/dev/urandom read");
    int nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += buf[i] != 0;
    CHECK(nonzero > 0, "/dev/urandom gave 64 zero bytes");
    CHECK_SYS(close(fd));
    printf("/dev/urandom: 64 bytes, not all zero\n");

    /* /proc/self/exe is this program. */
    char exe[PATH_MAX], real[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    CHECK(n > 0, "readlink /proc/self/exe: %s", errno_name(errno));
    exe[n] = 0;
    CHECK(realpath(argv[0], real) != NULL, "realpath(argv[0]): %s", errno_name(errno));
    CHECK(strcmp(exe, real) == 0, "/proc/self/exe is \"%s\", argv[0] resolves to \"%s\"", exe, real);
    printf("/proc/self/exe: this program\n");

    /* /proc/self/fd/N names the open file. */
    fd = open(argv[0], O_RDONLY);
    CHECK_SYS(fd);
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof target - 1);
    CHECK(n > 0, "readlink %s: %s", link, errno_name(errno));
    target[n] = 0;
    CHECK(strcmp(target, real) == 0, "%s is \"%s\"", link, target);
    printf("/proc/self/fd/N: names the file open on N\n");

    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL, "opendir /proc/self/fd: %s", errno_name(errno));
    int seen[4] = {0};
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        int num = atoi(de->d_name);
        for (int i = 0; i < 3; i++)
            seen[i] |= num == i;
        seen[3] |= num == fd;
    }
    closedir(d);
    CHECK(seen[0] && seen[1] && seen[2] && seen[3], "/proc/self/fd lacks one of 0, 1, 2, %d", fd);
    printf("/proc/self/fd lists 0, 1, 2 and N\n");
    CHECK_SYS(close(fd));

    guest_ok("devfiles");
    return 0;
}
