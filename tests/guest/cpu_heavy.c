/* cpu_heavy: a few million instructions of plain integer work, with results
 * that do not depend on the architecture.
 *
 * - SHA-256 (FIPS 180-4, written out here) of 4 MiB of bytes from a fixed
 *   linear congruential generator, and of the string "abc" (a known vector);
 * - a sieve of Eratosthenes up to 4,000,000: prime count and sum;
 * - 64-bit multiply/divide/modulo and 128-bit multiply checksums. */
#define _GNU_SOURCE
#include <stdint.h>

#include "check.h"

struct sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char block[64];
    size_t used;
};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(struct sha256 *s, const unsigned char *b)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], bb = s->h[1], c = s->h[2], d = s->h[3];
    uint32_t e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = bb;
        bb = a;
        a = t1 + t2;
    }
    s->h[0] += a;
    s->h[1] += bb;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
    s->h[5] += f;
    s->h[6] += g;
    s->h[7] += h;
}

static void sha256_init(struct sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->used = 0;
}

static void sha256_update(struct sha256 *s, const unsigned char *p, size_t n)
{
    s->len += n;
    while (n > 0) {
        size_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->block + s->used, p, take);
        s->used += take;
        p += take;
        n -= take;
        if (s->used == 64) {
            sha256_block(s, s->block);
            s->used = 0;
        }
    }
}

static void sha256_hex(struct sha256 *s, char out[65])
{
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80, zero = 0, lenbuf[8];
    sha256_update(s, &pad, 1);
    while (s->used != 56)
        sha256_update(s, &zero, 1);
    for (int i = 0; i < 8; i++)
        lenbuf[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(s, lenbuf, 8);
    for (int i = 0; i < 8; i++)
        snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

int main(void)
{
    struct sha256 s;
    char hex[65];

    sha256_init(&s);
    sha256_update(&s, (const unsigned char *)"abc", 3);
    sha256_hex(&s, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
          "SHA-256(\"abc\") is %s", hex);
    printf("sha256(\"abc\") = %s\n", hex);

    enum { DATA = 4 << 20 };
    unsigned char *data = malloc(DATA);
    CHECK(data != NULL, "malloc");
    uint32_t x = 12345;
    for (size_t i = 0; i < DATA; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (unsigned char)(x >> 16);
    }
    sha256_init(&s);
    sha256_update(&s, data, DATA);
    sha256_hex(&s, hex);
    printf("sha256(4 MiB of LCG bytes) = %s\n", hex);
    free(data);

    enum { LIMIT = 4000000 };
    unsigned char *composite = calloc(LIMIT + 1, 1);
    CHECK(composite != NULL, "calloc");
    uint64_t count = 0, sum = 0;
    for (uint64_t i = 2; i <= LIMIT; i++) {
        if (composite[i])
            continue;
        count++;
        sum += i;
        for (uint64_t j = i * i; j <= LIMIT; j += i)
            composite[j] = 1;
    }
    free(composite);
    CHECK(count == 283146, "prime count below 4e6 is %llu", (unsigned long long)count);
    printf("primes up to %d: count %llu, sum %llu\n", LIMIT, (unsigned long long)count,
           (unsigned long long)sum);

    uint64_t acc = 0x9e3779b97f4a7c15ULL;
    unsigned __int128 wide = 1;
    for (uint64_t i = 1; i <= 1000000; i++) {
        uint64_t v = acc * 0xff51afd7ed558ccdULL + i;
        acc ^= v / (i | 1) + v % (i + 7);
        acc = (acc << 13) | (acc >> 51);
        wide = wide * (v | 1) + (wide >> 64);
    }
    printf("mul/div/mod checksum %016llx, 128-bit checksum %016llx%016llx\n",
           (unsigned long long)acc, (unsigned long long)(uint64_t)(wide >> 64),
           (unsigned long long)(uint64_t)wide);

    guest_ok("cpu_heavy");
    return 0;
}
