/* bench/workloads/cpu.c - compute kernel with many loads and stores.
 *
 * usage: cpu PASSES
 *
 * Builds a 4 MiB text-like buffer, then PASSES times: mutates a few bytes,
 * compresses the buffer with a small LZ77 coder (a 64 Ki-entry hash table of
 * positions, byte-wise literal and match output), decompresses it again,
 * checks the round trip and folds the compressed bytes into a checksum.
 *
 * Every value is computed with fixed-width unsigned integers and explicit
 * little-endian loads, so x86-64 and arm64 print the same checksum.
 * The program makes no system calls inside the loop.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INPUT_SIZE (4u << 20)
#define OUTPUT_CAP (INPUT_SIZE + INPUT_SIZE / 64 + 64)
#define HASH_BITS 16
#define MIN_MATCH 4
#define MAX_MATCH (MIN_MATCH + 254)
#define END_MARK 255

static uint8_t input[INPUT_SIZE];
static uint8_t packed[OUTPUT_CAP];
static uint8_t unpacked[INPUT_SIZE];
static uint32_t positions[1u << HASH_BITS];

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    /* xorshift64* */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Text-like input: words drawn from a small random vocabulary, so that the
 * coder finds plenty of matches but not only trivial ones. */
static void make_input(void)
{
    static uint8_t vocabulary[256][12];
    static uint8_t lengths[256];
    for (unsigned w = 0; w < 256; w++) {
        lengths[w] = (uint8_t)(2 + next_random() % 10);
        for (unsigned i = 0; i < lengths[w]; i++)
            vocabulary[w][i] = (uint8_t)('a' + next_random() % 26);
    }
    uint32_t at = 0;
    while (at < INPUT_SIZE) {
        uint64_t r = next_random();
        unsigned w = (unsigned)(r & 255);
        /* Skew towards the first words, like natural text. */
        if (r & 0x100)
            w &= 31;
        for (unsigned i = 0; i < lengths[w] && at < INPUT_SIZE; i++)
            input[at++] = vocabulary[w][i];
        if (at < INPUT_SIZE)
            input[at++] = (r >> 9) % 13 == 0 ? '\n' : ' ';
    }
}

static uint32_t put_varint(uint8_t *out, uint32_t op, uint32_t value)
{
    while (value >= 0x80) {
        out[op++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    out[op++] = (uint8_t)value;
    return op;
}

/* Stream format: repeated [varint literal count][literals][m], where m is
 * END_MARK at the end of the stream, otherwise a match of m + MIN_MATCH bytes
 * followed by a 16-bit little-endian distance. */
static uint32_t compress(const uint8_t *in, uint32_t n, uint8_t *out)
{
    memset(positions, 0, sizeof positions);
    uint32_t ip = 1, anchor = 0, op = 0;
    while (ip + MAX_MATCH + 8 < n) {
        uint32_t sequence = load32(in + ip);
        uint32_t slot = (sequence * 2654435761u) >> (32 - HASH_BITS);
        uint32_t candidate = positions[slot];
        positions[slot] = ip;
        uint32_t distance = ip - candidate;
        if (candidate == 0 || distance > 0xffff || load32(in + candidate) != sequence) {
            ip++;
            continue;
        }
        uint32_t length = MIN_MATCH;
        while (length < MAX_MATCH && in[candidate + length] == in[ip + length])
            length++;
        op = put_varint(out, op, ip - anchor);
        for (uint32_t i = anchor; i < ip; i++)
            out[op++] = in[i];
        out[op++] = (uint8_t)(length - MIN_MATCH);
        out[op++] = (uint8_t)distance;
        out[op++] = (uint8_t)(distance >> 8);
        ip += length;
        anchor = ip;
    }
    op = put_varint(out, op, n - anchor);
    for (uint32_t i = anchor; i < n; i++)
        out[op++] = in[i];
    out[op++] = END_MARK;
    return op;
}

static uint32_t decompress(const uint8_t *in, uint32_t n, uint8_t *out, uint32_t cap)
{
    uint32_t ip = 0, op = 0;
    while (ip < n) {
        uint32_t literals = 0, shift = 0;
        uint8_t byte;
        do {
            byte = in[ip++];
            literals |= (uint32_t)(byte & 0x7f) << shift;
            shift += 7;
        } while (byte & 0x80);
        if (op + literals > cap)
            return UINT32_MAX;
        for (uint32_t i = 0; i < literals; i++)
            out[op++] = in[ip++];
        uint8_t mark = in[ip++];
        if (mark == END_MARK)
            break;
        uint32_t length = (uint32_t)mark + MIN_MATCH;
        uint32_t distance = (uint32_t)in[ip] | (uint32_t)in[ip + 1] << 8;
        ip += 2;
        if (distance == 0 || distance > op || op + length > cap)
            return UINT32_MAX;
        /* Byte by byte: source and destination may overlap. */
        for (uint32_t i = 0; i < length; i++, op++)
            out[op] = out[op - distance];
    }
    return op;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PASSES\n", argv[0]);
        return 2;
    }
    long passes = strtol(argv[1], NULL, 10);
    if (passes < 1) {
        fprintf(stderr, "cpu: PASSES must be >= 1\n");
        return 2;
    }
    make_input();
    uint64_t checksum = 0xcbf29ce484222325ull;
    uint64_t total_packed = 0;
    for (long pass = 0; pass < passes; pass++) {
        for (int i = 0; i < 64; i++)
            input[next_random() % INPUT_SIZE] = (uint8_t)('a' + next_random() % 26);
        uint32_t size = compress(input, INPUT_SIZE, packed);
        uint32_t back = decompress(packed, size, unpacked, INPUT_SIZE);
        if (back != INPUT_SIZE || memcmp(unpacked, input, INPUT_SIZE) != 0) {
            fprintf(stderr, "cpu: round trip failed in pass %ld\n", pass);
            return 1;
        }
        total_packed += size;
        /* FNV-1a over a stride of the compressed stream plus its size. */
        for (uint32_t i = 0; i < size; i += 61)
            checksum = (checksum ^ packed[i]) * 0x100000001b3ull;
        checksum = (checksum ^ size) * 0x100000001b3ull;
    }
    printf("cpu: %ld passes over %u bytes, %llu bytes compressed\n", passes, INPUT_SIZE,
           (unsigned long long)total_packed);
    printf("checksum: %016llx\n", (unsigned long long)checksum);
    return 0;
}
