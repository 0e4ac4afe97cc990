/* memory: mmap, munmap, mprotect, mremap, madvise and brk.
 *
 * Anonymous mappings start zeroed and keep what is written; munmap frees the
 * range (MAP_FIXED_NOREPLACE can then take it back, and refuses a mapped
 * one); PROT_READ still reads; mremap grows and moves keeping the content;
 * MADV_DONTNEED zeroes private pages; sbrk grows and shrinks the heap; bad
 * arguments give EINVAL. Then the stress part: 10,000 separate mappings, and
 * 10,000 mprotect calls on alternating pages of one 20,000-page mapping. */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096UL

static void *map_anon(void *hint, size_t len, int prot, int extra)
{
    return mmap(hint, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
}

static void expect_einval(long r, const char *what)
{
    CHECK(r == -1 && errno == EINVAL, "%s: expected EINVAL, got %ld / %s", what, r,
          errno_name(errno));
    printf("%s -> EINVAL\n", what);
}

static void basic(void)
{
    size_t len = 256 * PAGE;
    unsigned char *p = map_anon(NULL, len, PROT_READ | PROT_WRITE, 0);
    CHECK(p != MAP_FAILED, "mmap: %s", errno_name(errno));
    CHECK(((uintptr_t)p & (PAGE - 1)) == 0, "mmap result not page aligned");
    for (size_t i = 0; i < len; i++)
        CHECK(p[i] == 0, "fresh mapping byte %zu is %u", i, p[i]);
    for (size_t i = 0; i < len; i++)
        p[i] = (unsigned char)(i * 7 + 3);
    for (size_t i = 0; i < len; i++)
        CHECK(p[i] == (unsigned char)(i * 7 + 3), "readback at %zu", i);
    printf("anonymous mmap of 256 pages: zero-filled, write/read ok\n");

    /* Punch a hole in the middle. */
    unsigned char *hole = p + 100 * PAGE;
    CHECK_SYS(munmap(hole, 10 * PAGE));
    CHECK(p[100 * PAGE - 1] == (unsigned char)((100 * PAGE - 1) * 7 + 3), "below the hole");
    CHECK(p[110 * PAGE] == (unsigned char)((110 * PAGE) * 7 + 3), "above the hole");
    void *again = map_anon(hole, 10 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE);
    CHECK(again == hole, "MAP_FIXED_NOREPLACE into the hole: %p (%s)", again, errno_name(errno));
    CHECK(hole[0] == 0 && hole[10 * PAGE - 1] == 0, "refilled hole not zero");
    void *clash = map_anon(p, PAGE, PROT_READ, MAP_FIXED_NOREPLACE);
    CHECK(clash == MAP_FAILED && errno == EEXIST,
          "MAP_FIXED_NOREPLACE over a mapped page: expected EEXIST, got %s", errno_name(errno));
    printf("munmap of a middle range: neighbours intact, range reusable; "
           "MAP_FIXED_NOREPLACE over a mapping -> EEXIST\n");

    /* MAP_FIXED replaces the old content with fresh zero pages. */
    void *fixed = map_anon(p + 5 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED);
    CHECK(fixed == p + 5 * PAGE, "MAP_FIXED moved");
    CHECK(p[5 * PAGE] == 0 && p[7 * PAGE - 1] == 0, "MAP_FIXED kept old content");
    CHECK(p[7 * PAGE] == (unsigned char)(7 * PAGE * 7 + 3), "MAP_FIXED clobbered a neighbour");
    printf("MAP_FIXED over existing pages: replaced with zeros\n");

    /* Read-only still reads; read-write again writes. */
    CHECK_SYS(mprotect(p, len, PROT_READ));
    unsigned sum = 0;
    for (size_t i = 0; i < len; i += 97)
        sum += p[i];
    CHECK(p[200 * PAGE + 1] == (unsigned char)((200 * PAGE + 1) * 7 + 3), "read-only read");
    CHECK_SYS(mprotect(p, len, PROT_READ | PROT_WRITE));
    p[200 * PAGE + 1] = 42;
    CHECK(p[200 * PAGE + 1] == 42, "write after restoring PROT_WRITE");
    printf("mprotect PROT_READ: reads ok; back to PROT_READ|PROT_WRITE: writes ok\n");
    (void)sum;

    /* MADV_DONTNEED on a private anonymous mapping gives zero pages back. */
    p[300] = 9;
    CHECK_SYS(madvise(p, PAGE, MADV_DONTNEED));
    CHECK(p[300] == 0, "after MADV_DONTNEED the page reads %u", p[300]);
    printf("madvise MADV_DONTNEED: page reads as zeros\n");
    CHECK_SYS(munmap(p, len));

    /* mremap: grow in place or by moving, shrink. */
    unsigned char *m = map_anon(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, 0);
    CHECK(m != MAP_FAILED, "mmap");
    for (size_t i = 0; i < 4 * PAGE; i++)
        m[i] = (unsigned char)(i ^ 0x5a);
    /* A neighbour right after it forces a grow to move (if the hint is honoured). */
    void *blocker = map_anon(m + 4 * PAGE, PAGE, PROT_READ, MAP_FIXED_NOREPLACE);
    unsigned char *g = mremap(m, 4 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
    CHECK(g != MAP_FAILED, "mremap grow: %s", errno_name(errno));
    for (size_t i = 0; i < 4 * PAGE; i++)
        CHECK(g[i] == (unsigned char)(i ^ 0x5a), "mremap lost byte %zu", i);
    for (size_t i = 4 * PAGE; i < 64 * PAGE; i++)
        CHECK(g[i] == 0, "grown part not zero at %zu", i);
    g[64 * PAGE - 1] = 1;
    if (blocker != MAP_FAILED) {
        CHECK(g != m, "mremap grew over the blocking mapping");
        CHECK_SYS(munmap(blocker, PAGE));
    }
    printf("mremap 4 -> 64 pages with MREMAP_MAYMOVE: content kept, new part zero\n");
    unsigned char *s = mremap(g, 64 * PAGE, 2 * PAGE, 0);
    CHECK(s == g, "mremap shrink moved or failed: %s", errno_name(errno));
    CHECK(s[PAGE + 5] == (unsigned char)((PAGE + 5) ^ 0x5a), "shrunk content");
    void *no_move = mremap(s, 2 * PAGE, 1 << 30, 0);
    if (no_move != MAP_FAILED) {
        /* Allowed only if it grew in place. */
        CHECK(no_move == s, "mremap without MAYMOVE moved");
        s = no_move;
        CHECK_SYS(munmap(s, 1 << 30));
    } else {
        CHECK(errno == ENOMEM, "mremap without MAYMOVE: %s", errno_name(errno));
        CHECK_SYS(munmap(s, 2 * PAGE));
    }
    printf("mremap shrink: in place, content kept\n");

    /* Bad arguments. */
    expect_einval((long)(intptr_t)map_anon(NULL, 0, PROT_READ, 0), "mmap of length 0");
    expect_einval((long)(intptr_t)mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0),
                  "mmap without MAP_PRIVATE or MAP_SHARED");
    expect_einval(munmap((void *)(uintptr_t)0x10001, PAGE), "munmap of an unaligned address");
    expect_einval(mprotect((void *)(uintptr_t)0x10001, PAGE, PROT_READ),
                  "mprotect of an unaligned address");
}

static void heap(void)
{
    void *start = sbrk(0);
    CHECK(start != (void *)-1, "sbrk(0)");
    CHECK((void *)syscall(SYS_brk, 0) == start, "brk(0) differs from sbrk(0)");
    char *grown = sbrk(1 << 20);
    CHECK(grown == start, "sbrk(1 MiB) returned %p, not the old break", (void *)grown);
    CHECK((char *)sbrk(0) == (char *)start + (1 << 20), "break did not move by 1 MiB");
    for (size_t i = 0; i < (1 << 20); i += 512)
        CHECK(grown[i] == 0, "new heap byte %zu not zero", i);
    memset(grown, 0xab, 1 << 20);
    CHECK(grown[(1 << 20) - 1] == (char)0xab, "heap write");
    CHECK(sbrk(-(1 << 19)) != (void *)-1, "sbrk shrink");
    CHECK((char *)sbrk(0) == (char *)start + (1 << 19), "break after shrinking");
    CHECK(grown[(1 << 19) - 1] == (char)0xab, "heap below the break kept");
    /* Asking the kernel for a break below the start leaves it unchanged. */
    CHECK((void *)syscall(SYS_brk, 1) == sbrk(0), "brk(1) changed the break");
    CHECK(sbrk(-(1 << 19)) != (void *)-1, "sbrk back");
    CHECK(sbrk(0) == start, "break not back at the start");
    printf("sbrk: +1 MiB zeroed and writable, shrink keeps the rest, invalid brk ignored\n");
}

static void many_mappings(void)
{
    enum { N = 10000 };
    static unsigned *maps[N];
    for (int i = 0; i < N; i++) {
        maps[i] = map_anon(NULL, PAGE, PROT_READ | PROT_WRITE, 0);
        CHECK(maps[i] != MAP_FAILED, "mmap #%d: %s", i, errno_name(errno));
        maps[i][i % 1024] = (unsigned)i + 1;
    }
    for (int i = 0; i < N; i++)
        CHECK(maps[i][i % 1024] == (unsigned)i + 1, "mapping #%d lost its value", i);
    for (int i = 0; i < N; i++)
        CHECK_SYS(munmap(maps[i], PAGE));
    printf("10000 one-page mmaps: all distinct and kept their values; all unmapped\n");
}

static void many_splits(void)
{
    enum { PAGES = 20000 };
    unsigned char *p = map_anon(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, 0);
    CHECK(p != MAP_FAILED, "mmap of %d pages: %s", PAGES, errno_name(errno));
    for (size_t i = 0; i < PAGES; i++)
        p[i * PAGE] = (unsigned char)i;
    int calls = 0;
    for (size_t i = 1; i < PAGES; i += 2) {
        CHECK_SYS(mprotect(p + i * PAGE, PAGE, PROT_READ));
        calls++;
    }
    for (size_t i = 0; i < PAGES; i++)
        CHECK(p[i * PAGE] == (unsigned char)i, "page %zu after the splits", i);
    for (size_t i = 0; i < PAGES; i += 2)
        p[i * PAGE + 1] = 1; /* the even pages are still writable */
    CHECK_SYS(mprotect(p, PAGES * PAGE, PROT_READ | PROT_WRITE));
    for (size_t i = 1; i < PAGES; i += 2)
        p[i * PAGE + 1] = 2;
    for (size_t i = 0; i < PAGES; i++)
        CHECK(p[i * PAGE + 1] == (i % 2 ? 2 : 1), "page %zu after re-merging", i);
    CHECK_SYS(munmap(p, PAGES * PAGE));
    printf("%d mprotect splits on alternating pages of a %d-page mapping: "
           "reads and writes as expected, re-merged and unmapped\n",
           calls, PAGES);
}

/* mincore: an anonymous page is resident once touched; a range with an
 * unmapped page gives ENOMEM, an unaligned start EINVAL. */
static void residency(void)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap");
    p[0] = 1;
    p[2 * page] = 1;
    unsigned char vec[4];
    CHECK_SYS(mincore(p, 4 * page, vec));
    printf("mincore after touching pages 0 and 2: %d %d %d %d\n", vec[0] & 1, vec[1] & 1,
           vec[2] & 1, vec[3] & 1);
    CHECK_SYS(munmap(p + 3 * page, page));
    expect_errno(mincore(p, 4 * page, vec), ENOMEM, "mincore over an unmapped page");
    expect_errno(mincore(p + 1, page, vec), EINVAL, "mincore of an unaligned address");
    CHECK_SYS(munmap(p, 3 * page));
}

int main(void)
{
    basic();
    heap();
    many_mappings();
    many_splits();
    residency();
    guest_ok("memory");
    return 0;
}
