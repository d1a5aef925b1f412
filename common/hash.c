#include <string.h>

#include <sodium.h>

#include "common.h"
#include "sha256_ni.h"

_Static_assert(ZKR_DIGEST_BYTES == crypto_hash_sha256_BYTES, "SHA-256 size");
_Static_assert(ZKR_DIGEST_BYTES <= crypto_generichash_BYTES_MAX, "BLAKE2b size");
_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((zkr_sha256_ctx *)0)->opaque),
               "zkr_sha256_ctx too small for libsodium's state");

/*
 * With SHA-NI (common/sha256_ni.c) the context holds this state instead of
 * libsodium's; which one is a property of the CPU, the same for every call
 * of a process.
 */
typedef struct {
    uint32_t h[8];
    uint64_t len; /* bytes absorbed */
    uint8_t buf[64];
} zkr_sha256_ni_state;
_Static_assert(sizeof(zkr_sha256_ni_state) <= sizeof(((zkr_sha256_ctx *)0)->opaque),
               "zkr_sha256_ctx too small for the SHA-NI state");

static void zkr_sha256_ni_init(zkr_sha256_ni_state *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
}

static void zkr_sha256_ni_update(zkr_sha256_ni_state *s, const uint8_t *p, size_t len)
{
    size_t have = (size_t)(s->len & 63);

    if (len == 0) /* p may be NULL (the empty message) */
        return;
    s->len += len;
    if (have) {
        size_t take = 64 - have < len ? 64 - have : len;
        memcpy(s->buf + have, p, take);
        p += take;
        len -= take;
        if (have + take < 64)
            return;
        zkr_sha256_ni_blocks(s->h, s->buf, 1);
    }
    if (len >= 64) {
        zkr_sha256_ni_blocks(s->h, p, len / 64);
        p += len & ~(size_t)63;
        len &= 63;
    }
    memcpy(s->buf, p, len);
}

static void zkr_sha256_ni_final(zkr_sha256_ni_state *s, uint8_t out[ZKR_DIGEST_BYTES])
{
    size_t have = (size_t)(s->len & 63);
    uint64_t bits = s->len * 8;

    s->buf[have++] = 0x80;
    if (have > 56) {
        memset(s->buf + have, 0, 64 - have);
        zkr_sha256_ni_blocks(s->h, s->buf, 1);
        have = 0;
    }
    memset(s->buf + have, 0, 56 - have);
    for (int i = 0; i < 8; i++)
        s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    zkr_sha256_ni_blocks(s->h, s->buf, 1);
    for (int i = 0; i < 8; i++)
        for (int b = 0; b < 4; b++)
            out[4 * i + b] = (uint8_t)(s->h[i] >> (24 - 8 * b));
}

void zkr_sha256(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES])
{
    if (zkr_sha256_ni_available()) {
        zkr_sha256_ni_state s;
        zkr_sha256_ni_init(&s);
        zkr_sha256_ni_update(&s, p, len);
        zkr_sha256_ni_final(&s, out);
        sodium_memzero(&s, sizeof s);
        return;
    }
    crypto_hash_sha256(out, p, len);
}

void zkr_blake2b256(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES])
{
    crypto_generichash(out, ZKR_DIGEST_BYTES, p, len, NULL, 0);
}

void zkr_sha256_init(zkr_sha256_ctx *c)
{
    if (zkr_sha256_ni_available()) {
        zkr_sha256_ni_init((zkr_sha256_ni_state *)(void *)c->opaque);
        return;
    }
    crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)c->opaque);
}

void zkr_sha256_update(zkr_sha256_ctx *c, const uint8_t *p, size_t len)
{
    if (zkr_sha256_ni_available()) {
        zkr_sha256_ni_update((zkr_sha256_ni_state *)(void *)c->opaque, p, len);
        return;
    }
    crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)c->opaque, p, len);
}

void zkr_sha256_final(zkr_sha256_ctx *c, uint8_t out[ZKR_DIGEST_BYTES])
{
    if (zkr_sha256_ni_available())
        zkr_sha256_ni_final((zkr_sha256_ni_state *)(void *)c->opaque, out);
    else
        crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)c->opaque, out);
    sodium_memzero(c, sizeof *c);
}

void zkr_sha256_tagged(const char *tag, const uint8_t *p, size_t len,
                       uint8_t out[ZKR_DIGEST_BYTES])
{
    zkr_sha256_ctx c;

    zkr_sha256_init(&c);
    zkr_sha256_update(&c, (const uint8_t *)tag, strlen(tag) + 1);
    zkr_sha256_update(&c, p, len);
    zkr_sha256_final(&c, out);
}
