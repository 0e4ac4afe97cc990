/* signal_bus: SIGBUS for a page of a file mapping that lies wholly past the
 * end of the file (the file's size rounded up to a page).
 *
 * A one-byte file mapped over two pages: page 0 reads the byte and then
 * zeros, page 1 gives SIGBUS with si_code BUS_ADRERR and si_addr the exact
 * address touched, for reads and writes, shared and private mappings, and
 * at a file offset, and for a call into such a page of an executable
 * mapping; the handler recovers with siglongjmp. The saved context describes
 * a fault of that kind at that address, on a page that is not there. The kernel's own copies from such
 * a page fail with EFAULT. A child without a handler dies of SIGBUS.
 *
 * With "--die" as the second argument the program touches such a page
 * without a handler, to show how the run ends (status 135). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"
#include "sigutil.h"

#define PAGE 4096

static sigjmp_buf recover;
static volatile int seen_sig, seen_code, ctx_ok;
static volatile uintptr_t seen_addr;

enum access { READ, WRITE, EXEC };
static volatile int touching; /* the access touch() makes */

/* Whether the frame's context holds a page fault at \p addr of the kind
 * touch() made, on a page not present (translation fault). */
static int context_says_fault_at(const ucontext_t *uc, uintptr_t addr)
{
#if defined(__x86_64__)
    /* Page-fault error code: bit 0 present, 1 write, 4 instruction fetch. */
    long err = uc->uc_mcontext.gregs[REG_ERR];
    return uc->uc_mcontext.gregs[REG_TRAPNO] == 14 &&
           (uintptr_t)uc->uc_mcontext.gregs[REG_CR2] == addr && !(err & 1) &&
           !!(err & 2) == (touching == WRITE) && !!(err & 16) == (touching == EXEC);
#elif defined(__aarch64__)
    /* The esr_context record: an instruction (EC 0x20) or data (0x24)
     * abort, WnR (bit 6) for a write, a translation fault (status 0b0001xx). */
    int esr_ok = 0;
    uint64_t esr;
    if (frame_esr(uc, &esr)) {
        unsigned ec = (unsigned)(esr >> 26) & 0x3f;
        esr_ok = ec == (touching == EXEC ? 0x20u : 0x24u) &&
                 !!(esr & (1u << 6)) == (touching == WRITE) && (esr & 0x3c) == 0x04;
    }
    return (uintptr_t)uc->uc_mcontext.fault_address == addr && esr_ok;
#else
#error "unsupported architecture"
#endif
}

static void on_bus(int sig, siginfo_t *si, void *ucv)
{
    seen_sig = sig;
    seen_code = si->si_code;
    seen_addr = (uintptr_t)si->si_addr;
    ctx_ok = context_says_fault_at(ucv, (uintptr_t)si->si_addr);
    siglongjmp(recover, 1);
}

static const char *bus_code(int code)
{
    switch (code) {
    case BUS_ADRALN: return "BUS_ADRALN";
    case BUS_ADRERR: return "BUS_ADRERR";
    case BUS_OBJERR: return "BUS_OBJERR";
    }
    return code_name(SIGBUS, code);
}

/* Touches \p p (a read, a write of 1 or a call) and reports what happened. */
static void touch(const char *what, volatile char *p, enum access how)
{
    seen_sig = seen_code = ctx_ok = 0;
    seen_addr = 0;
    touching = how;
    if (sigsetjmp(recover, 1) == 0) {
        if (how == WRITE)
            *p = 1;
        else if (how == EXEC)
            ((void (*)(void))(uintptr_t)p)();
        else
            (void)*p;
        printf("%s: no signal\n", what);
        return;
    }
    printf("%s: %s %s, si_addr is the address touched=%d, context: that access there=%d\n", what,
           sig_name(seen_sig), seen_sig == SIGBUS ? bus_code(seen_code) : code_name(seen_sig, seen_code),
           seen_addr == (uintptr_t)p, ctx_ok);
}

static int make_file(const char *dir, const char *name, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(fd);
    static char buf[2 * PAGE];
    memset(buf, 'x', sizeof buf);
    CHECK(size <= sizeof buf, "file too big");
    CHECK(write(fd, buf, size) == (ssize_t)size, "write");
    return fd;
}

int main(int argc, char **argv)
{
    CHECK(argc >= 2, "usage: signal_bus DIR [--die]");
    int one = make_file(argv[1], "one-byte", 1);

    if (argc > 2 && strcmp(argv[2], "--die") == 0) {
        char *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, one, 0);
        CHECK(p != MAP_FAILED, "mmap: %s", errno_name(errno));
        printf("reading past the end of the file without a handler\n");
        fflush(stdout);
        (void)*(volatile char *)(p + PAGE + 16);
        printf("FAIL: still running\n");
        return 1;
    }

    on_signal(SIGBUS, on_bus, 0, NULL);

    const int types[] = {MAP_SHARED, MAP_PRIVATE};
    for (int i = 0; i < 2; i++) {
        const char *type = types[i] == MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE";
        char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, types[i], one, 0);
        CHECK(p != MAP_FAILED, "mmap: %s", errno_name(errno));
        int zeros = 1;
        for (int k = 1; k < PAGE; k++)
            zeros &= p[k] == 0;
        printf("%s of a 1-byte file over 2 pages: page 0 reads the byte=%d and zeros after it=%d\n",
               type, p[0] == 'x', zeros);
        char what[128];
        snprintf(what, sizeof what, "%s: read of page 1", type);
        touch(what, p + PAGE + 24, READ);
        snprintf(what, sizeof what, "%s: write to page 1", type);
        touch(what, p + PAGE + 100, WRITE);
        snprintf(what, sizeof what, "%s: read of page 1, again", type);
        touch(what, p + PAGE, READ);
        /* The kernel's copy from that page fails instead. */
        int pfd[2];
        CHECK_SYS(pipe(pfd));
        expect_errno(write(pfd[1], p + PAGE, 1), EFAULT, "write(2) from page 1");
        close(pfd[0]);
        close(pfd[1]);
        CHECK_SYS(munmap(p, 2 * PAGE));
    }

    /* A file of a page and a bit: two pages hold it, the third is past it;
     * mapped from its second page, the second page of the mapping is. */
    int more = make_file(argv[1], "page-and-a-bit", PAGE + 10);
    char *p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, more, 0);
    CHECK(p != MAP_FAILED, "mmap: %s", errno_name(errno));
    printf("file of 4106 bytes over 3 pages: page 1 reads the bytes=%d\n",
           p[PAGE] == 'x' && p[PAGE + 9] == 'x' && p[PAGE + 10] == 0);
    touch("read of page 2", p + 2 * PAGE + 8, READ);
    CHECK_SYS(munmap(p, 3 * PAGE));
    p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, more, PAGE);
    CHECK(p != MAP_FAILED, "mmap at offset: %s", errno_name(errno));
    printf("the same file mapped from offset 4096: page 0 reads its last bytes=%d\n",
           p[0] == 'x' && p[9] == 'x' && p[10] == 0);
    touch("read of page 1 of that mapping", p + PAGE + 2, READ);
    CHECK_SYS(munmap(p, 2 * PAGE));

    /* An instruction fetch from such a page. */
    p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, one, 0);
    CHECK(p != MAP_FAILED, "mmap exec: %s", errno_name(errno));
    touch("call into page 1 of an executable mapping", p + PAGE, EXEC);
    CHECK_SYS(munmap(p, 2 * PAGE));

    /* Without a handler the process dies of it. */
    fflush(stdout);
    pid_t c = fork();
    CHECK_SYS(c);
    if (c == 0) {
        set_disposition(SIGBUS, SIG_DFL);
        char *q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, one, 0);
        if (q == MAP_FAILED)
            _exit(2);
        (void)*(volatile char *)(q + PAGE);
        _exit(0);
    }
    int st;
    CHECK(waitpid(c, &st, 0) == c, "waitpid");
    printf("a child without a handler: killed by %s\n",
           WIFSIGNALED(st) ? sig_name(WTERMSIG(st)) : "nothing");
    guest_ok("signal_bus");
    return 0;
}
