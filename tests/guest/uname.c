/* uname: what the guest learns about the system from uname(2).
 *
 * sysname is "Linux"; nodename (and gethostname) equal argv[1], the host name
 * the test gave reprise with --hostname (natively: the host's own name);
 * machine is the one this program was built for ("x86_64" or "aarch64");
 * release starts with a kernel version of at least 3.2 (glibc's minimum). */
#define _GNU_SOURCE
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: uname EXPECTED-NODENAME");
    struct utsname u;
    CHECK_SYS(uname(&u));

    printf("sysname: %s\n", u.sysname);
    CHECK(strcmp(u.sysname, "Linux") == 0, "sysname is \"%s\"", u.sysname);

    CHECK(strcmp(u.nodename, argv[1]) == 0, "nodename \"%s\", expected \"%s\"", u.nodename, argv[1]);
    char host[256];
    CHECK_SYS(gethostname(host, sizeof host));
    CHECK(strcmp(host, u.nodename) == 0, "gethostname \"%s\" differs from nodename", host);
    printf("nodename and gethostname equal the expected name\n");

#if defined(__x86_64__)
    const char *machine = "x86_64";
#elif defined(__aarch64__)
    const char *machine = "aarch64";
#else
#error "unsupported architecture"
#endif
    CHECK(strcmp(u.machine, machine) == 0, "machine \"%s\", built for \"%s\"", u.machine, machine);
    printf("machine is the architecture the program was built for\n");

    int major = 0, minor = 0;
    CHECK(sscanf(u.release, "%d.%d", &major, &minor) == 2, "release \"%s\" is not N.N...", u.release);
    CHECK(major > 3 || (major == 3 && minor >= 2), "release \"%s\" is older than 3.2", u.release);
    printf("release is a kernel version >= 3.2\n");
    CHECK(u.version[0] != 0, "version is empty");
    printf("version is not empty\n");

    guest_ok("uname");
    return 0;
}
