/* creds: user and group ids (credentials(7)) as root changes and drops
 * them, in a child, with files made in the directory argv[1].
 *
 * setgroups/getgroups (sorted, counted with size 0); setresgid and
 * setresuid with the saved ids; an unprivileged caller moves only among the
 * ids it has (setuid to another id: EPERM; seteuid back to the saved 0:
 * allowed); setreuid's rule for the saved id; setfsuid returns the old id;
 * /proc/self/status shows real, effective, saved and file system ids and
 * the groups; capget follows the effective uid; a file made by the child
 * is owned by its file system ids; waitid's si_uid is the child's real uid;
 * an unprivileged process may not signal root's, but for SIGCONT within
 * its session.
 * Natively this needs root, as the test suite has. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char dir[4096];

static void show_res(const char *what)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;
    CHECK_SYS(getresuid(&r, &e, &s));
    CHECK_SYS(getresgid(&rg, &eg, &sg));
    printf("%s: uid %u/%u/%u gid %u/%u/%u (getuid %u geteuid %u)\n", what, r, e, s, rg, eg,
           sg, getuid(), geteuid());
}

static void show_status(const char *what)
{
    FILE *f = fopen("/proc/self/status", "r");
    CHECK(f != NULL, "open status: %s", errno_name(errno));
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Uid:", 4) == 0 || strncmp(line, "Gid:", 4) == 0 ||
            strncmp(line, "Groups:", 7) == 0) {
            /* Tabs as '|' and the trailing space visible. */
            for (char *p = line; *p; p++)
                if (*p == '\t')
                    *p = '|';
            printf("%s: %s", what, line);
        }
    }
    fclose(f);
}

static void show_caps(const char *what)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    CHECK_SYS(syscall(SYS_capget, &h, d));
    printf("%s: CAP_CHOWN %s, CAP_SETUID %s, CAP_SYS_ADMIN %s\n", what,
           (d[0].effective >> 0) & 1 ? "yes" : "no", (d[0].effective >> 7) & 1 ? "yes" : "no",
           (d[0].effective >> 21) & 1 ? "yes" : "no");
}

static void child(void)
{
    gid_t want[] = {30, 10, 20};
    CHECK_SYS(setgroups(3, want));
    gid_t got[8];
    int n = getgroups(0, NULL);
    printf("getgroups(0): %d\n", n);
    expect_errno(getgroups(1, got), EINVAL, "getgroups with room for 1");
    CHECK_SYS(n = getgroups(8, got));
    printf("groups:");
    for (int i = 0; i < n; i++)
        printf(" %u", got[i]);
    printf("\n");

    CHECK_SYS(setresgid(1000, 1001, 1002));
    CHECK_SYS(setresuid(1000, 1001, 0));
    show_res("after setresuid(1000, 1001, 0)");
    show_status("status");
    show_caps("caps, euid 1001");
    expect_errno(setgroups(0, NULL), EPERM, "setgroups unprivileged");
    expect_errno(setuid(1234), EPERM, "setuid(1234) unprivileged");
    expect_errno(setresuid(-1, 1234, -1), EPERM, "setresuid(-1, 1234, -1) unprivileged");

    /* A file made now belongs to the file system ids (1001:1001). */
    char path[4200];
    snprintf(path, sizeof path, "%s/made", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    CHECK_SYS(fd);
    close(fd);
    struct stat st;
    CHECK_SYS(stat(path, &st));
    printf("file made as fsuid 1001: owner %u:%u\n", st.st_uid, st.st_gid);

    /* setfsuid: the old id back; a change to an id the caller lacks is
     * ignored. */
    printf("setfsuid(1000) -> %d\n", setfsuid(1000));
    printf("setfsuid(4321) -> %d\n", setfsuid(4321));
    printf("setfsuid(-1) -> %d\n", setfsuid(-1));

    CHECK_SYS(seteuid(0));
    show_res("after seteuid(0)");
    show_caps("caps, euid 0");
    /* setreuid(-1, 1000): the effective id moves to the real one, so the
     * saved id stays 0. */
    CHECK_SYS(setreuid(-1, 1000));
    show_res("after setreuid(-1, 1000)");
    CHECK_SYS(seteuid(0));
    /* setreuid(1001, -1): setting the real id makes the saved id the
     * effective one. */
    CHECK_SYS(setreuid(1001, -1));
    show_res("after setreuid(1001, -1)");
    /* setuid as root changes all three. */
    CHECK_SYS(setuid(2000));
    show_res("after setuid(2000)");
    expect_errno(seteuid(0), EPERM, "seteuid(0) after setuid(2000)");
    show_status("status");
    /* Signals to a root parent: refused, but for SIGCONT in the session. */
    expect_errno(kill(getppid(), 0), EPERM, "kill(parent, 0) as uid 2000");
    expect_errno(kill(getppid(), SIGTERM), EPERM, "kill(parent, SIGTERM) as uid 2000");
    printf("kill(parent, SIGCONT) as uid 2000 -> %d\n", kill(getppid(), SIGCONT));
    printf("kill(own group, 0) as uid 2000 -> %d\n", kill(0, 0));
    fflush(stdout);
    _exit(7);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: creds DIR");
    snprintf(dir, sizeof dir, "%s", argv[1]);
    CHECK_SYS(chmod(dir, 0777));
    show_res("start");
    show_caps("caps, root");
    fflush(stdout);
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0)
        child();
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK_SYS(waitid(P_PID, pid, &si, WEXITED));
    printf("waitid: status %d, si_uid %u\n", si.si_status, si.si_uid);
    show_res("parent after");
    guest_ok("creds");
    return 0;
}
