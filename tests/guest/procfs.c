/* procfs: what /proc tells a program about itself and the system.
 *
 * Checks relations that hold on Linux and under reprise alike (never values
 * that depend on the machine):
 *  - /proc/self/maps has Linux's format (names at column 74), holds this
 *    program's code, [stack] around a local, [heap] around a malloc'd block,
 *    and a mapped file with its path, offset and an inode;
 *  - /proc/self/stat has 52 fields, state R, our pid, ppid and thread count;
 *  - status Pid/PPid/Tgid/Threads, which follow a new thread, and task/
 *    lists both thread ids, each with its own stat and status;
 *  - environ, cmdline and auxv are what the program was started with;
 *  - fdinfo says the position and access mode of a seeked file;
 *  - cpuinfo names a processor and its flags agree with CPUID (x86-64) or
 *    AT_HWCAP (arm64); meminfo, uptime, mounts, sys/kernel agree with uname;
 *  - comm reads the name and takes a new one.
 * Usage: procfs TMPDIR */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "check.h"

extern char **environ;

/* Reads a whole file (binary safe); returns its length. */
static size_t slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "open %s: %s", path, errno_name(errno));
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        CHECK(r >= 0, "read %s: %s", path, errno_name(errno));
        if (r == 0)
            break;
        n += (size_t)r;
        CHECK(n < cap - 1, "%s: too big", path);
    }
    close(fd);
    buf[n] = 0;
    return n;
}

/* The value of "Key:\t..." (or "Key\t: ...") in a status-like text, or NULL. */
static const char *field(const char *text, const char *key)
{
    static char val[4096];
    size_t k = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t sp = k;
        while (p[sp] == '\t' || p[sp] == ' ') /* cpuinfo pads keys with tabs */
            sp++;
        if (strncmp(p, key, k) == 0 && p[sp] == ':') {
            p += sp + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            size_t n = strcspn(p, "\n");
            if (n >= sizeof val)
                n = sizeof val - 1;
            memcpy(val, p, n);
            val[n] = 0;
            return val;
        }
    }
    return NULL;
}

static long status_num(const char *path, const char *key)
{
    static char buf[8192];
    slurp(path, buf, sizeof buf);
    const char *v = field(buf, key);
    CHECK(v, "%s: no %s", path, key);
    return atol(v);
}

/* The maps line whose range holds addr, or NULL. */
static const char *maps_line(const char *maps, uintptr_t addr)
{
    static char line[1024];
    for (const char *p = maps; *p;) {
        size_t n = strcspn(p, "\n");
        unsigned long lo, hi;
        if (sscanf(p, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi) {
            memcpy(line, p, n);
            line[n] = 0;
            return line;
        }
        p += n + (p[n] == '\n');
    }
    return NULL;
}

/* The name of a maps line ("" for none). */
static const char *maps_name(const char *line)
{
    int name = 0;
    char perms[5];
    unsigned long lo, hi, ino;
    unsigned long long off;
    unsigned maj, min;
    int n = sscanf(line, "%lx-%lx %4s %llx %x:%x %lu %n", &lo, &hi, perms, &off, &maj, &min,
                   &ino, &name);
    CHECK(n == 7, "bad maps line: %s", line);
    return line + name;
}

static void check_maps(const char *tmpdir)
{
    static char maps[1 << 16];
    slurp("/proc/self/maps", maps, sizeof maps);
    /* The format of every line: fields, and a name at column 74 (after
     * padding to 72 and one space) unless the fields are longer. */
    int lines = 0;
    for (const char *p = maps; *p; lines++) {
        size_t n = strcspn(p, "\n");
        char line[1024];
        CHECK(n < sizeof line, "maps line too long");
        memcpy(line, p, n);
        line[n] = 0;
        char r, w, x, s;
        unsigned long lo, hi, ino;
        unsigned long long off;
        unsigned maj, min;
        int end = 0;
        CHECK(sscanf(line, "%lx-%lx %c%c%c%c %llx %x:%x %lu %n", &lo, &hi, &r, &w, &x, &s, &off,
                     &maj, &min, &ino, &end) == 10,
              "bad maps line: %s", line);
        CHECK(lo < hi && (lo & 4095) == 0 && (hi & 4095) == 0, "bad range: %s", line);
        CHECK(strchr("r-", r) && strchr("w-", w) && strchr("x-", x) && strchr("ps", s),
              "bad perms: %s", line);
        const char *name = line + end;
        if (*name) {
            if (end <= 73)
                CHECK(end == 73, "name at column %d, not 74: %s", end + 1, line);
        } else {
            CHECK(n > 0 && line[n - 1] == ' ', "an unnamed line ends in a space: '%s'", line);
        }
        p += n + (p[n] == '\n');
    }
    printf("maps: %s\n", lines > 3 ? "Linux's format" : "too few lines");

    /* This program's code is a mapping of its own file, executable. */
    char exe[PATH_MAX];
    ssize_t e = readlink("/proc/self/exe", exe, sizeof exe - 1);
    CHECK(e > 0, "readlink /proc/self/exe");
    exe[e] = 0;
    const char *l = maps_line(maps, (uintptr_t)&check_maps);
    CHECK(l, "no mapping holds the code");
    CHECK(strcmp(maps_name(l), exe) == 0, "code mapped from '%s', exe is '%s'", maps_name(l), exe);
    CHECK(strstr(l, "r-xp"), "code not r-xp: %s", l);
    printf("maps: code is r-xp of /proc/self/exe\n");

    int local = 0;
    l = maps_line(maps, (uintptr_t)&local);
    CHECK(l && strcmp(maps_name(l), "[stack]") == 0, "local not in [stack]: %s", l ? l : "-");
    printf("maps: a local is in [stack]\n");

    /* A small block from a fresh brk heap (read maps again: it may be new). */
    char *block = malloc(1000);
    CHECK(block, "malloc");
    slurp("/proc/self/maps", maps, sizeof maps);
    l = maps_line(maps, (uintptr_t)block);
    CHECK(l && strcmp(maps_name(l), "[heap]") == 0, "malloc'd block not in [heap]: %s",
          l ? l : "-");
    printf("maps: malloc'd memory is in [heap]\n");
    free(block);

    /* A file mapped at an offset shows its path and that offset. */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/procfs.map", tmpdir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(fd);
    char page[4096];
    for (int i = 0; i < 3; i++) {
        memset(page, 'a' + i, sizeof page);
        CHECK(write(fd, page, sizeof page) == (ssize_t)sizeof page, "write");
    }
    char *m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 4096);
    CHECK(m != MAP_FAILED, "mmap: %s", errno_name(errno));
    CHECK(m[0] == 'b', "mapped the wrong page");
    char real[PATH_MAX];
    CHECK(realpath(path, real), "realpath");
    slurp("/proc/self/maps", maps, sizeof maps);
    l = maps_line(maps, (uintptr_t)m);
    CHECK(l, "the file mapping is missing");
    CHECK(strcmp(maps_name(l), real) == 0, "file mapping named '%s', not '%s'", maps_name(l), real);
    unsigned long long off = 0;
    unsigned long ino = 0;
    CHECK(sscanf(l, "%*x-%*x %*s %llx %*x:%*x %lu", &off, &ino) == 2, "bad line %s", l);
    CHECK(off == 4096 && ino != 0, "offset %llx inode %lu: %s", off, ino, l);
    CHECK(strstr(l, " r--p "), "file mapping not r--p: %s", l);
    printf("maps: a file mapped at offset 4096 shows its path, offset and inode\n");
    munmap(m, 8192);
    close(fd);
    unlink(path);
}

/* The fields of a stat line, split after the command name in parentheses. */
static int stat_fields(const char *path, char fields[64][32], char *comm, size_t commsz)
{
    static char buf[4096];
    slurp(path, buf, sizeof buf);
    char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
    CHECK(open_paren && close_paren, "%s: no (comm)", path);
    snprintf(comm, commsz, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
    int n = 0;
    snprintf(fields[n++], 32, "%.*s", (int)(open_paren - buf - 1), buf);
    snprintf(fields[n++], 32, "(comm)");
    for (char *tok = strtok(close_paren + 1, " \n"); tok && n < 64; tok = strtok(NULL, " \n"))
        snprintf(fields[n++], 32, "%s", tok);
    return n;
}

static void check_stat(void)
{
    char f[64][32], comm[64];
    int n = stat_fields("/proc/self/stat", f, comm, sizeof comm);
    CHECK(n == 52, "stat has %d fields", n);
    CHECK(strcmp(f[2], "R") == 0, "state %s", f[2]);
    CHECK(atol(f[0]) == getpid(), "pid %s", f[0]);
    CHECK(atol(f[3]) == getppid(), "ppid %s", f[3]);
    CHECK(atol(f[4]) == getpgrp(), "pgrp %s", f[4]);
    CHECK(atol(f[5]) == getsid(0), "session %s", f[5]);
    CHECK(atol(f[19]) == 1, "num_threads %s", f[19]);
    CHECK(strcmp(comm, "procfs") == 0, "comm %s", comm);
    /* Started after boot, and not after now. */
    static char up[128];
    slurp("/proc/uptime", up, sizeof up);
    double uptime = atof(up);
    CHECK(atof(f[21]) / 100 <= uptime + 1, "starttime %s after uptime %s", f[21], up);
    printf("stat: 52 fields, state R, pid, ppid, pgrp, session, 1 thread, comm\n");
}

static int go_fd[2], done_fd[2];
static pid_t thread_tid;

static void *thread_main(void *arg)
{
    (void)arg;
    thread_tid = (pid_t)syscall(SYS_gettid);
    char c = 1;
    CHECK(write(go_fd[1], &c, 1) == 1, "write");
    CHECK(read(done_fd[0], &c, 1) == 1, "read");
    return NULL;
}

static void check_status_and_threads(void)
{
    CHECK(status_num("/proc/self/status", "Pid") == getpid(), "status Pid");
    CHECK(status_num("/proc/self/status", "Tgid") == getpid(), "status Tgid");
    CHECK(status_num("/proc/self/status", "PPid") == getppid(), "status PPid");
    CHECK(status_num("/proc/self/status", "Threads") == 1, "status Threads");
    static char buf[8192];
    slurp("/proc/self/status", buf, sizeof buf);
    CHECK(field(buf, "VmRSS") && atol(field(buf, "VmRSS")) > 0, "VmRSS");
    CHECK(field(buf, "VmSize") && atol(field(buf, "VmSize")) >= atol(field(buf, "VmRSS")),
          "VmSize < VmRSS");
    CHECK(strncmp(field(buf, "State"), "R", 1) == 0, "State %s", field(buf, "State"));
    CHECK(field(buf, "SigBlk") && strlen(field(buf, "SigBlk")) == 16, "SigBlk");
    printf("status: Pid, Tgid, PPid, Threads, State, VmSize >= VmRSS > 0\n");

    CHECK(pipe(go_fd) == 0 && pipe(done_fd) == 0, "pipe");
    pthread_t th;
    CHECK(pthread_create(&th, NULL, thread_main, NULL) == 0, "pthread_create");
    char c;
    CHECK(read(go_fd[0], &c, 1) == 1, "read");
    CHECK(status_num("/proc/self/status", "Threads") == 2, "Threads with a thread");
    char f[64][32], comm[64];
    CHECK(stat_fields("/proc/self/stat", f, comm, sizeof comm) == 52, "stat");
    CHECK(atol(f[19]) == 2, "num_threads %s", f[19]);

    /* task/ lists both threads, each with its own ids. */
    DIR *d = opendir("/proc/self/task");
    CHECK(d, "opendir task");
    int seen_main = 0, seen_thread = 0, others = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        pid_t t = atoi(de->d_name);
        if (t == getpid())
            seen_main++;
        else if (t == thread_tid)
            seen_thread++;
        else
            others++;
    }
    closedir(d);
    CHECK(seen_main == 1 && seen_thread == 1 && others == 0, "task/: main %d thread %d others %d",
          seen_main, seen_thread, others);
    char path[128];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", thread_tid);
    CHECK(status_num(path, "Pid") == thread_tid, "thread's Pid");
    CHECK(status_num(path, "Tgid") == getpid(), "thread's Tgid");
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", thread_tid);
    CHECK(stat_fields(path, f, comm, sizeof comm) == 52, "thread stat");
    CHECK(atol(f[0]) == thread_tid, "thread stat pid %s", f[0]);
    /* A thread's directory is found by its tid, though not listed. */
    snprintf(path, sizeof path, "/proc/%d/status", thread_tid);
    CHECK(status_num(path, "Pid") == thread_tid, "/proc/TID");
    printf("threads: Threads 2, task/ lists both tids, each with its stat and status\n");

    CHECK(write(done_fd[1], &c, 1) == 1, "write");
    CHECK(pthread_join(th, NULL) == 0, "join");
    /* Linux wakes the joiner (clearing the thread's tid) before it takes the
     * thread out of the group's count, so on a loaded machine the count can
     * still say 2 for a moment after the join: give it up to two seconds. */
    long threads = 0;
    for (int tries = 0; tries < 2000; tries++) {
        threads = status_num("/proc/self/status", "Threads");
        if (threads == 1)
            break;
        usleep(1000);
    }
    CHECK(threads == 1, "Threads after join: %ld", threads);
    printf("threads: Threads 1 after join\n");
}

static void check_environ_cmdline_auxv(int argc, char **argv)
{
    static char buf[1 << 16], want[1 << 16];
    size_t n = slurp("/proc/self/environ", buf, sizeof buf), w = 0;
    for (char **e = environ; *e; e++) {
        size_t l = strlen(*e) + 1;
        memcpy(want + w, *e, l);
        w += l;
    }
    CHECK(n == w && memcmp(buf, want, n) == 0, "environ differs (%zu vs %zu bytes)", n, w);
    printf("environ: the environment\n");

    n = slurp("/proc/self/cmdline", buf, sizeof buf);
    w = 0;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        memcpy(want + w, argv[i], l);
        w += l;
    }
    CHECK(n == w && memcmp(buf, want, n) == 0, "cmdline differs");
    printf("cmdline: the arguments\n");

    n = slurp("/proc/self/auxv", buf, sizeof buf);
    CHECK(n % sizeof(ElfW(auxv_t)) == 0 && n > 0, "auxv size %zu", n);
    const ElfW(auxv_t) *av = (const ElfW(auxv_t) *)buf;
    size_t count = n / sizeof *av;
    CHECK(av[count - 1].a_type == AT_NULL, "auxv does not end in AT_NULL");
    int pagesz = 0, entry = 0;
    for (size_t i = 0; i < count; i++) {
        if (av[i].a_type == AT_PAGESZ)
            pagesz = av[i].a_un.a_val == 4096;
        if (av[i].a_type == AT_ENTRY)
            entry = av[i].a_un.a_val == getauxval(AT_ENTRY);
    }
    CHECK(pagesz && entry, "auxv: AT_PAGESZ %d AT_ENTRY %d", pagesz, entry);
    printf("auxv: AT_PAGESZ 4096, AT_ENTRY as getauxval\n");
}

static void check_fdinfo(const char *tmpdir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/procfs.fdinfo", tmpdir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CHECK_SYS(fd);
    CHECK(write(fd, "0123456789", 10) == 10, "write");
    CHECK(lseek(fd, 7, SEEK_SET) == 7, "lseek");
    char info[64], buf[1024];
    snprintf(info, sizeof info, "/proc/self/fdinfo/%d", fd);
    slurp(info, buf, sizeof buf);
    CHECK(field(buf, "pos") && strcmp(field(buf, "pos"), "7") == 0, "fdinfo pos: %s", buf);
    const char *fl = field(buf, "flags");
    CHECK(fl && fl[0] == '0', "fdinfo flags: %s", buf);
    long flags = strtol(fl, NULL, 8);
    CHECK((flags & O_ACCMODE) == O_RDWR && (flags & O_CLOEXEC), "fdinfo flags %s", fl);
    CHECK(field(buf, "mnt_id"), "fdinfo mnt_id");
    printf("fdinfo: pos 7, O_RDWR|O_CLOEXEC in octal, mnt_id\n");

    char link[64], target[PATH_MAX], real[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t t = readlink(link, target, sizeof target - 1);
    CHECK(t > 0, "readlink fd");
    target[t] = 0;
    CHECK(realpath(path, real) && strcmp(target, real) == 0, "fd link %s", target);
    printf("fd: the link names the file\n");
    close(fd);
    unlink(path);
}

static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
            return 1;
    return 0;
}

static void check_cpuinfo(void)
{
    static char buf[1 << 16];
    slurp("/proc/cpuinfo", buf, sizeof buf);
    CHECK(strncmp(buf, "processor\t: 0\n", 14) == 0, "cpuinfo does not start with processor 0");
#if defined(__x86_64__)
    const char *flags = field(buf, "flags");
    CHECK(flags, "no flags line");
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    struct { const char *name; unsigned reg, bit; } known[] = {
        {"fpu", 3, 0}, {"tsc", 3, 4}, {"cx8", 3, 8}, {"cmov", 3, 15}, {"mmx", 3, 23},
        {"sse", 3, 25}, {"sse2", 3, 26}, {"pni", 2, 0}, {"ssse3", 2, 9}, {"cx16", 2, 13},
        {"sse4_1", 2, 19}, {"sse4_2", 2, 20}, {"popcnt", 2, 23}, {"aes", 2, 25},
        {"avx", 2, 28},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        unsigned reg = known[i].reg == 3 ? d : c;
        int cpu = (reg >> known[i].bit) & 1;
        CHECK(cpu == has_word(flags, known[i].name), "%s: CPUID %d, cpuinfo %d", known[i].name,
              cpu, has_word(flags, known[i].name));
    }
#elif defined(__aarch64__)
    const char *features = field(buf, "Features");
    CHECK(features, "no Features line");
    unsigned long hw = getauxval(AT_HWCAP);
    const char *names[] = {"fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32",
                           "atomics", "fphp", "asimdhp", "cpuid"};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        if (i == 2) /* evtstrm: the kernel's event stream, not in every HWCAP */
            continue;
        CHECK((int)((hw >> i) & 1) == has_word(features, names[i]), "%s: HWCAP %lu", names[i],
              (hw >> i) & 1);
    }
#endif
    printf("cpuinfo: processor 0, flags agree with the CPU's\n");
}

static void check_system(void)
{
    static char buf[1 << 16];
    slurp("/proc/meminfo", buf, sizeof buf);
    CHECK(field(buf, "MemTotal") && atol(field(buf, "MemTotal")) > 0, "MemTotal");
    CHECK(field(buf, "MemFree") && atol(field(buf, "MemFree")) <= atol(field(buf, "MemTotal")),
          "MemFree");
    printf("meminfo: MemTotal >= MemFree\n");

    slurp("/proc/uptime", buf, sizeof buf);
    double up, idle;
    CHECK(sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0 && idle >= 0, "uptime: %s", buf);
    printf("uptime: two numbers\n");

    slurp("/proc/loadavg", buf, sizeof buf);
    double l1, l5, l15;
    int run, all, last;
    CHECK(sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &all, &last) == 6 &&
              run >= 1 && all >= run,
          "loadavg: %s", buf);
    printf("loadavg: parses\n");

    struct utsname u;
    CHECK(uname(&u) == 0, "uname");
    slurp("/proc/sys/kernel/osrelease", buf, sizeof buf);
    CHECK(strlen(buf) > 0 && buf[strlen(buf) - 1] == '\n', "osrelease: no newline");
    buf[strlen(buf) - 1] = 0;
    CHECK(strcmp(buf, u.release) == 0, "osrelease %s, uname %s", buf, u.release);
    slurp("/proc/sys/kernel/ostype", buf, sizeof buf);
    CHECK(strcmp(buf, "Linux\n") == 0, "ostype %s", buf);
    slurp("/proc/sys/kernel/hostname", buf, sizeof buf);
    buf[strcspn(buf, "\n")] = 0;
    CHECK(strcmp(buf, u.nodename) == 0, "hostname %s, uname %s", buf, u.nodename);
    slurp("/proc/version", buf, sizeof buf);
    CHECK(strncmp(buf, "Linux version ", 14) == 0 && strstr(buf, u.release), "version: %s", buf);
    printf("sys/kernel: osrelease, ostype, hostname, version agree with uname\n");

    char id1[64], id2[64];
    slurp("/proc/sys/kernel/random/boot_id", id1, sizeof id1);
    slurp("/proc/sys/kernel/random/boot_id", id2, sizeof id2);
    CHECK(strlen(id1) == 37 && strcmp(id1, id2) == 0, "boot_id %s / %s", id1, id2);
    slurp("/proc/sys/kernel/random/uuid", id1, sizeof id1);
    slurp("/proc/sys/kernel/random/uuid", id2, sizeof id2);
    CHECK(strlen(id1) == 37 && id1[14] == '4' && strcmp(id1, id2) != 0, "uuid %s / %s", id1, id2);
    slurp("/proc/sys/kernel/pid_max", buf, sizeof buf);
    CHECK(atol(buf) > 0, "pid_max");
    printf("random: boot_id stable, uuid v4 and new each time\n");

    slurp("/proc/mounts", buf, sizeof buf);
    int root = 0, proc = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char src[256], dir[256], type[64];
        CHECK(sscanf(line, "%255s %255s %63s", src, dir, type) == 3, "mounts: %s", line);
        root |= strcmp(dir, "/") == 0;
        proc |= strcmp(dir, "/proc") == 0 && strcmp(type, "proc") == 0;
    }
    CHECK(root && proc, "mounts: root %d proc %d", root, proc);
    slurp("/proc/self/mountinfo", buf, sizeof buf);
    CHECK(strstr(buf, " - proc "), "mountinfo has no proc");
    printf("mounts: / and /proc; mountinfo has proc\n");

    slurp("/proc/filesystems", buf, sizeof buf);
    CHECK(strstr(buf, "\tproc\n"), "filesystems: no proc");
    slurp("/proc/stat", buf, sizeof buf);
    CHECK(strncmp(buf, "cpu ", 4) == 0 && strstr(buf, "\nbtime "), "stat: %s", buf);
    printf("filesystems, stat: proc, cpu and btime\n");

    char cwd[PATH_MAX], link[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd), "getcwd");
    ssize_t n = readlink("/proc/self/cwd", link, sizeof link - 1);
    CHECK(n > 0, "readlink cwd");
    link[n] = 0;
    CHECK(strcmp(cwd, link) == 0, "cwd %s, link %s", cwd, link);
    n = readlink("/proc/self/root", link, sizeof link - 1);
    CHECK(n > 0, "readlink root");
    printf("cwd, root: links\n");
}

static void check_comm(void)
{
    char buf[64];
    slurp("/proc/self/comm", buf, sizeof buf);
    CHECK(strcmp(buf, "procfs\n") == 0, "comm %s", buf);
    int fd = open("/proc/self/comm", O_WRONLY);
    CHECK_SYS(fd);
    /* The bytes written are the name, a newline included if there is one. */
    CHECK(write(fd, "renamed", 7) == 7, "write comm: %s", errno_name(errno));
    close(fd);
    char name[17] = {0};
    CHECK(prctl(PR_GET_NAME, name) == 0 && strcmp(name, "renamed") == 0, "PR_GET_NAME %s", name);
    slurp("/proc/self/comm", buf, sizeof buf);
    CHECK(strcmp(buf, "renamed\n") == 0, "comm after write %s", buf);
    printf("comm: reads the name, takes a new one\n");
}

int main(int argc, char **argv)
{
    CHECK(argc >= 2, "usage: procfs TMPDIR");
    setvbuf(stdout, NULL, _IONBF, 0);
    check_maps(argv[1]);
    check_stat();
    check_status_and_threads();
    check_environ_cmdline_auxv(argc, argv);
    check_fdinfo(argv[1]);
    check_cpuinfo();
    check_system();
    check_comm();
    printf("ok: procfs\n");
    return 0;
}
