#include <string.h>

#include <sodium.h>

#include "common.h"

_Static_assert(ZKR_DIGEST_BYTES == crypto_hash_sha256_BYTES, "SHA-256 size");
_Static_assert(ZKR_DIGEST_BYTES <= crypto_generichash_BYTES_MAX, "BLAKE2b size");
_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((zkr_sha256_ctx *)0)->opaque),
               "zkr_sha256_ctx too small for libsodium's state");

void zkr_sha256(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES])
{
    crypto_hash_sha256(out, p, len);
}

void zkr_blake2b256(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES])
{
    crypto_generichash(out, ZKR_DIGEST_BYTES, p, len, NULL, 0);
}

void zkr_sha256_init(zkr_sha256_ctx *c)
{
    crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)c->opaque);
}

void zkr_sha256_update(zkr_sha256_ctx *c, const uint8_t *p, size_t len)
{
    crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)c->opaque, p, len);
}

void zkr_sha256_final(zkr_sha256_ctx *c, uint8_t out[ZKR_DIGEST_BYTES])
{
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
