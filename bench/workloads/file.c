/* bench/workloads/file.c - file system read paths.
 *
 * usage: file DIR FILES PASSES LARGE_PASSES
 *
 * DIR is prepared by the runner (creation is not timed):
 *   DIR/small/00000 ... DIR/small/<FILES-1>   small files of varying size
 *   DIR/large                                 one large file
 * The program PASSES times opens, reads to the end and closes every small
 * file, then LARGE_PASSES times reads DIR/large sequentially in 128 KiB
 * chunks.  It only reads.  The checksum covers every byte read, so all ways
 * of running it must agree.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (128u << 10)

static uint8_t buffer[CHUNK];

/* Mixes 8 bytes at a time: cheap enough that the run is dominated by the
 * system calls, yet sensitive to every byte and to its position. */
static uint64_t mix(uint64_t h, const uint8_t *data, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, data + i, 8);
        h = (h ^ word) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ data[i]) * 0x100000001b3ull;
    return h;
}

/* Reads a whole file; returns the number of bytes, or -1 on error. */
static long read_file(const char *path, uint64_t *h)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror(path);
        return -1;
    }
    long total = 0;
    for (;;) {
        ssize_t got = read(fd, buffer, CHUNK);
        if (got < 0) {
            perror(path);
            close(fd);
            return -1;
        }
        if (got == 0)
            break;
        *h = mix(*h, buffer, (size_t)got);
        total += got;
    }
    if (close(fd) != 0) {
        perror(path);
        return -1;
    }
    return total;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s DIR FILES PASSES LARGE_PASSES\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    long files = strtol(argv[2], NULL, 10);
    long passes = strtol(argv[3], NULL, 10);
    long large_passes = strtol(argv[4], NULL, 10);
    if (files < 0 || passes < 0 || large_passes < 0) {
        fprintf(stderr, "file: counts must be >= 0\n");
        return 2;
    }
    char path[4096];
    uint64_t small_hash = 0xcbf29ce484222325ull, large_hash = small_hash;
    long small_bytes = 0, large_bytes = 0;
    for (long pass = 0; pass < passes; pass++) {
        for (long i = 0; i < files; i++) {
            snprintf(path, sizeof path, "%s/small/%05ld", dir, i);
            long got = read_file(path, &small_hash);
            if (got < 0)
                return 1;
            small_bytes += got;
        }
    }
    snprintf(path, sizeof path, "%s/large", dir);
    for (long pass = 0; pass < large_passes; pass++) {
        long got = read_file(path, &large_hash);
        if (got < 0)
            return 1;
        large_bytes += got;
    }
    printf("file: %ld small-file reads (%ld bytes), %ld large-file reads (%ld bytes)\n",
           files * passes, small_bytes, large_passes, large_bytes);
    printf("checksum: %016llx %016llx %ld %ld\n", (unsigned long long)small_hash,
           (unsigned long long)large_hash, small_bytes, large_bytes);
    return 0;
}
