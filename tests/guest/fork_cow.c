/* fork_cow: after fork, each process sees only its own writes to a private
 * page, in every part of the page. The parent reads the four 1 KiB quarters
 * of a page it shares with the child, writes one quarter (getting its own
 * copy of the page), then lets the child write the other three: the parent
 * must still read its own copy there. (Under reprise's arm64 engine a TLB
 * entry covers 1 KiB, and the entries the reads had left for the other
 * quarters went on reading the child's frame.) */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

enum { Page = 4096, Quarter = 1024 };

/* Initialised, so the page comes from the file and is populated before the
 * fork. */
static volatile unsigned char page[Page] __attribute__((aligned(Page))) = {1};

int main(void)
{
    for (int q = 0; q < 4; q++)
        page[q * Quarter] = (unsigned char)(10 + q);
    int go[2], done[2];
    CHECK_SYS(pipe(go));
    CHECK_SYS(pipe(done));
    /* Pages the kernel writes into below (read(2)'s buffer) are made the
     * parent's own before, so that no kernel write breaks copy-on-write
     * there and drops the engine's translations. */
    volatile char c = 0;
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        c = 0;
        CHECK(read(go[0], (char *)&c, 1) == 1, "child: read go: %s", errno_name(errno));
        for (int q = 0; q < 4; q++)
            CHECK(page[q * Quarter] == 10 + q, "child: quarter %d reads %d before its writes", q,
                  page[q * Quarter]);
        for (int q = 0; q < 4; q++)
            if (q != 2)
                page[q * Quarter] = (unsigned char)(50 + q);
        CHECK(write(done[1], "d", 1) == 1, "child: write done: %s", errno_name(errno));
        _exit(0);
    }
    c = 0;
    /* Read every quarter while the page is shared, then write one. */
    int before = 0;
    for (int q = 0; q < 4; q++)
        before += page[q * Quarter];
    page[2 * Quarter] = 99;
    CHECK(write(go[1], "g", 1) == 1, "write go: %s", errno_name(errno));
    CHECK(read(done[0], (char *)&c, 1) == 1, "read done: %s", errno_name(errno));
    printf("parent read the shared page: sum %d\n", before);
    for (int q = 0; q < 4; q++) {
        int want = q == 2 ? 99 : 10 + q;
        CHECK(page[q * Quarter] == want, "parent: quarter %d reads %d, want %d (the child's write?)",
              q, page[q * Quarter], want);
    }
    printf("parent keeps its own copy after the child writes\n");
    int st;
    CHECK(waitpid(pid, &st, 0) == pid, "waitpid: %s", errno_name(errno));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child failed: status %#x", st);
    printf("child saw the page as it was at fork\n");
    guest_ok("fork_cow");
    return 0;
}
