/* mmap_file: file-backed mappings of a file the program writes in argv[1].
 *
 * A private read-only mapping shows the file; a mapping at a page offset shows
 * that part; the tail of the last page past end-of-file reads as zeros;
 * writes to a MAP_PRIVATE mapping stay private; writes to a MAP_SHARED
 * mapping are in the file once it is synced and unmapped; mapping a file
 * opened write-only, or at an unaligned offset, is refused. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096

static unsigned char expected_byte(size_t i) { return (unsigned char)((i * 131) >> 3); }

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: mmap_file DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/data.bin", argv[1]);

    /* Three and a half pages of known bytes. */
    const size_t size = 3 * PAGE + PAGE / 2;
    static unsigned char buf[4 * PAGE];
    for (size_t i = 0; i < size; i++)
        buf[i] = expected_byte(i);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(fd);
    CHECK(write(fd, buf, size) == (ssize_t)size, "write");

    /* Whole file, private, read-only. */
    unsigned char *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED, "mmap: %s", errno_name(errno));
    for (size_t i = 0; i < size; i++)
        CHECK(p[i] == expected_byte(i), "byte %zu", i);
    for (size_t i = size; i < 4 * PAGE; i++)
        CHECK(p[i] == 0, "byte %zu past EOF is %u", i, p[i]);
    CHECK_SYS(munmap(p, size));
    printf("MAP_PRIVATE PROT_READ: file content, zeros past EOF in the last page\n");

    /* At an offset of two pages. */
    p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
    CHECK(p != MAP_FAILED, "mmap at offset: %s", errno_name(errno));
    for (size_t i = 0; i < PAGE; i++)
        CHECK(p[i] == expected_byte(2 * PAGE + i), "offset byte %zu", i);
    CHECK_SYS(munmap(p, PAGE));
    printf("mapping at offset 2 pages: shows that part\n");

    /* Private writes stay private. */
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED, "mmap private rw: %s", errno_name(errno));
    memset(p, 'P', 100);
    CHECK_SYS(munmap(p, size));
    unsigned char first[100];
    CHECK(pread(fd, first, sizeof first, 0) == 100, "pread");
    for (size_t i = 0; i < 100; i++)
        CHECK(first[i] == expected_byte(i), "private write reached the file at %zu", i);
    printf("MAP_PRIVATE writes do not reach the file\n");

    /* Shared writes reach the file. */
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED, "mmap shared: %s", errno_name(errno));
    memcpy(p + PAGE + 10, "shared write", 12);
    CHECK_SYS(msync(p, size, MS_SYNC));
    CHECK_SYS(munmap(p, size));
    char back[12];
    CHECK(pread(fd, back, sizeof back, PAGE + 10) == 12, "pread");
    CHECK(memcmp(back, "shared write", 12) == 0, "MAP_SHARED write not in the file");
    printf("MAP_SHARED writes are in the file after msync and munmap\n");
    CHECK_SYS(close(fd));

    /* Refusals. */
    fd = open(path, O_WRONLY);
    CHECK_SYS(fd);
    p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(p == MAP_FAILED && errno == EACCES, "mmap of a write-only fd: %s", errno_name(errno));
    printf("mmap of a write-only fd -> EACCES\n");
    CHECK_SYS(close(fd));
    fd = open(path, O_RDONLY);
    CHECK_SYS(fd);
    p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100);
    CHECK(p == MAP_FAILED && errno == EINVAL, "mmap at an unaligned offset: %s", errno_name(errno));
    printf("mmap at an unaligned offset -> EINVAL\n");
    p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p == MAP_FAILED && errno == EACCES, "shared writable mmap of a read-only fd: %s",
          errno_name(errno));
    printf("MAP_SHARED PROT_WRITE of a read-only fd -> EACCES\n");
    CHECK_SYS(close(fd));
    CHECK_SYS(unlink(path));

    guest_ok("mmap_file");
    return 0;
}
