/* The namespaces a process is in, as /proc/PID/ns shows them: one link per
 * kind whose target is "kind:[id]", pid_for_children and time_for_children
 * the same as pid and time, every kind's id different, and a forked child
 * in its parent's namespaces. Ids themselves differ between hosts, so only
 * these relations are printed. */
#define _GNU_SOURCE
#include "check.h"

#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *kinds[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* The id in /proc/PID/ns/NAME (PID 0: self), checking the target's form. */
static unsigned long long ns_id(int pid, const char *name, const char *kind)
{
    char path[64], target[128];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, name);
    else
        snprintf(path, sizeof path, "/proc/self/ns/%s", name);
    ssize_t n = readlink(path, target, sizeof target - 1);
    CHECK(n > 0, "readlink %s: %s", path, errno_name(errno));
    target[n] = '\0';
    size_t k = strlen(kind);
    CHECK(strncmp(target, kind, k) == 0 && target[k] == ':' && target[k + 1] == '[' &&
              target[n - 1] == ']',
          "%s points at %s", path, target);
    char *end;
    unsigned long long id = strtoull(target + k + 2, &end, 10);
    CHECK(end == target + n - 1 && id != 0, "%s: bad id in %s", path, target);
    return id;
}

int main(void)
{
    unsigned long long ids[NKINDS];
    for (size_t i = 0; i < NKINDS; ++i) {
        ids[i] = ns_id(0, kinds[i], kinds[i]);
        printf("%s: kind:[id]\n", kinds[i]);
    }
    for (size_t i = 0; i < NKINDS; ++i)
        for (size_t j = i + 1; j < NKINDS; ++j)
            CHECK(ids[i] != ids[j], "%s and %s have the same id", kinds[i], kinds[j]);
    printf("ids differ between kinds: yes\n");
    int same_pid = ns_id(0, "pid_for_children", "pid") == ids[4];
    printf("pid_for_children is pid: %s\n", same_pid ? "yes" : "no");
    int same_time = ns_id(0, "time_for_children", "time") == ids[5];
    printf("time_for_children is time: %s\n", same_time ? "yes" : "no");

    /* A forked child reads its own links and reports whether they match. */
    int up[2], down[2];
    CHECK_SYS(pipe(up));
    CHECK_SYS(pipe(down));
    pid_t child = fork();
    CHECK_SYS(child);
    if (child == 0) {
        char same = 'y';
        for (size_t i = 0; i < NKINDS; ++i)
            if (ns_id(0, kinds[i], kinds[i]) != ids[i])
                same = 'n';
        if (write(up[1], &same, 1) != 1)
            _exit(2);
        char wait_byte;
        /* Stay alive until the parent has looked at /proc/CHILD/ns. */
        if (read(down[0], &wait_byte, 1) != 1)
            _exit(3);
        _exit(0);
    }
    char same;
    CHECK(read(up[0], &same, 1) == 1, "read from the child");
    printf("child in its parent's namespaces: %s\n", same == 'y' ? "yes" : "no");
    int seen_same = 1;
    for (size_t i = 0; i < NKINDS; ++i)
        if (ns_id(child, kinds[i], kinds[i]) != ids[i])
            seen_same = 0;
    printf("parent sees the same in /proc/CHILD/ns: %s\n", seen_same ? "yes" : "no");
    CHECK(write(down[1], "x", 1) == 1, "release the child");
    int status;
    CHECK_SYS(waitpid(child, &status, 0));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
    printf("ok: namespaces\n");
    return 0;
}
