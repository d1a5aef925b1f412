/*
 * Keccak-256 with the original 0x01 padding (Ethereum), written from the
 * Keccak reference specification. Rate 1088 bits = 136 bytes.
 */
#include <string.h>

#include "common.h"

#define KECCAK_RATE 136

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static const unsigned rotations[25] = {
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

static uint64_t rotl(uint64_t x, unsigned n)
{
    return n == 0 ? x : (x << n) | (x >> (64 - n));
}

static void keccak_f1600(uint64_t a[25])
{
    uint64_t c[5], d[5], b[25];

    for (int round = 0; round < 24; round++) {
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++)
            d[x] = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
        for (int i = 0; i < 25; i++)
            a[i] ^= d[i % 5];
        /* rho and pi: B[y, 2x+3y] = rot(A[x, y], r[x, y]) */
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], rotations[x + 5 * y]);
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
        a[0] ^= round_constants[round];
    }
}

static void absorb_byte(zkr_keccak_ctx *c, uint8_t v)
{
    c->st[c->pos / 8] ^= (uint64_t)v << (8 * (c->pos % 8));
    if (++c->pos == KECCAK_RATE) {
        keccak_f1600(c->st);
        c->pos = 0;
    }
}

void zkr_keccak256_init(zkr_keccak_ctx *c)
{
    memset(c, 0, sizeof *c);
}

void zkr_keccak256_update(zkr_keccak_ctx *c, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        absorb_byte(c, p[i]);
}

void zkr_keccak256_final(zkr_keccak_ctx *c, uint8_t out[ZKR_DIGEST_BYTES])
{
    c->st[c->pos / 8] ^= (uint64_t)0x01 << (8 * (c->pos % 8));
    c->st[(KECCAK_RATE - 1) / 8] ^= (uint64_t)0x80 << (8 * ((KECCAK_RATE - 1) % 8));
    keccak_f1600(c->st);
    for (int i = 0; i < ZKR_DIGEST_BYTES; i++)
        out[i] = (uint8_t)(c->st[i / 8] >> (8 * (i % 8)));
    memset(c, 0, sizeof *c);
}

void zkr_keccak256(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES])
{
    zkr_keccak_ctx c;

    zkr_keccak256_init(&c);
    zkr_keccak256_update(&c, p, len);
    zkr_keccak256_final(&c, out);
}
