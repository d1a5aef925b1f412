/* Passphrase-sealed secrets: Argon2id + XChaCha20-Poly1305 (libsodium). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common.h"
#include "zkr_config.h"

#define SEAL_MAGIC_BYTES 8
#define SEAL_SALT_BYTES crypto_pwhash_SALTBYTES
#define SEAL_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SEAL_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define SEAL_HEADER_BYTES (SEAL_MAGIC_BYTES + 8 + 8 + SEAL_SALT_BYTES + SEAL_NONCE_BYTES)

_Static_assert(sizeof(ZKR_SEAL_MAGIC) - 1 == SEAL_MAGIC_BYTES, "seal magic is 8 bytes");
_Static_assert(SEAL_SALT_BYTES == 16, "header layout assumes a 16-byte salt");
_Static_assert(SEAL_NONCE_BYTES == 24, "header layout assumes a 24-byte nonce");

/* The AD is the whole header plus the label, so every header byte is authenticated. */
static zkr_err seal_ad(const uint8_t header[SEAL_HEADER_BYTES], const char *label, zkr_buf *ad)
{
    zkr_err r;

    if ((r = zkr_buf_append(ad, header, SEAL_HEADER_BYTES)) != ZKR_OK)
        return r;
    return zkr_enc_str(ad, label);
}

static zkr_err derive_key(uint8_t key[SEAL_KEY_BYTES], const uint8_t *pass, size_t pass_len,
                          const uint8_t salt[SEAL_SALT_BYTES], uint64_t ops, uint64_t mem)
{
    if (crypto_pwhash(key, SEAL_KEY_BYTES, (const char *)pass, pass_len, salt, ops, (size_t)mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ZKR_ERR_NOMEM;
    return ZKR_OK;
}

/*
 * The Argon2id limits a new seal records in its header. Test builds only:
 * with $ZKREG_TEST_KDF_MIN set, the INTERACTIVE choice becomes libsodium's
 * minimum (1 pass, 8 KiB), because the command-line suites seal and unseal
 * keys thousands of times and spent about a quarter of their CPU in Argon2id.
 * The default (MODERATE) is never weakened, and release builds have no hook.
 */
static void seal_limits(int fast, uint64_t *ops, uint64_t *mem)
{
    *ops = fast ? crypto_pwhash_OPSLIMIT_INTERACTIVE : crypto_pwhash_OPSLIMIT_MODERATE;
    *mem = fast ? crypto_pwhash_MEMLIMIT_INTERACTIVE : crypto_pwhash_MEMLIMIT_MODERATE;
#if ZKR_TEST_BUILD
    if (fast && getenv("ZKREG_TEST_KDF_MIN") != NULL) {
        *ops = crypto_pwhash_OPSLIMIT_MIN;
        *mem = crypto_pwhash_MEMLIMIT_MIN;
    }
#endif
}

zkr_err zkr_seal(const uint8_t *secret, size_t secret_len, const uint8_t *pass, size_t pass_len,
                 const char *label, int fast, zkr_buf *out)
{
    uint8_t header[SEAL_HEADER_BYTES], *salt, *nonce;
    uint8_t *key = NULL;
    uint64_t ops, mem;
    unsigned long long clen = 0;
    zkr_buf ad = {0};
    zkr_err r;

    if (secret_len > ZKR_SEAL_MAX_SECRET || pass_len == 0 || label == NULL)
        return secret_len > ZKR_SEAL_MAX_SECRET ? ZKR_ERR_TOO_LARGE : ZKR_ERR_USAGE;
    seal_limits(fast, &ops, &mem);
    memcpy(header, ZKR_SEAL_MAGIC, SEAL_MAGIC_BYTES);
    zkr_store_be64(header + 8, ops);
    zkr_store_be64(header + 16, mem);
    salt = header + 24;
    nonce = salt + SEAL_SALT_BYTES;
    randombytes_buf(salt, SEAL_SALT_BYTES);
    randombytes_buf(nonce, SEAL_NONCE_BYTES);
    key = sodium_malloc(SEAL_KEY_BYTES);
    if (key == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = derive_key(key, pass, pass_len, salt, ops, mem)) != ZKR_OK ||
        (r = seal_ad(header, label, &ad)) != ZKR_OK ||
        (r = zkr_buf_append(out, header, sizeof header)) != ZKR_OK ||
        (r = zkr_buf_reserve(out, secret_len + SEAL_TAG_BYTES)) != ZKR_OK)
        goto out;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out->p + out->len, &clen, secret, secret_len, ad.p,
                                               ad.len, NULL, nonce, key);
    out->len += (size_t)clen;
out:
    sodium_free(key); /* sodium_free wipes before freeing */
    zkr_buf_free(&ad);
    return r;
}

zkr_err zkr_unseal(const uint8_t *blob, size_t blob_len, const uint8_t *pass, size_t pass_len,
                   const char *label, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t *key = NULL;
    uint64_t ops, mem;
    unsigned long long mlen = 0;
    size_t clen;
    zkr_buf ad = {0};
    zkr_err r;

    *out_len = 0;
    if (blob_len < SEAL_HEADER_BYTES + SEAL_TAG_BYTES ||
        memcmp(blob, ZKR_SEAL_MAGIC, SEAL_MAGIC_BYTES) != 0)
        return ZKR_ERR_MALFORMED;
    clen = blob_len - SEAL_HEADER_BYTES;
    if (clen - SEAL_TAG_BYTES > ZKR_SEAL_MAX_SECRET)
        return ZKR_ERR_MALFORMED;
    if (clen - SEAL_TAG_BYTES > cap)
        return ZKR_ERR_TOO_LARGE;
    ops = zkr_load_be64(blob + 8);
    mem = zkr_load_be64(blob + 16);
    /* Bounds stop a hostile file from asking for unbounded memory or time. */
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
        return ZKR_ERR_MALFORMED;
    key = sodium_malloc(SEAL_KEY_BYTES);
    if (key == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = derive_key(key, pass, pass_len, blob + 24, ops, mem)) != ZKR_OK ||
        (r = seal_ad(blob, label, &ad)) != ZKR_OK)
        goto out;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, blob + SEAL_HEADER_BYTES,
                                                   clen, ad.p, ad.len,
                                                   blob + 24 + SEAL_SALT_BYTES, key) != 0) {
        sodium_memzero(out, cap);
        r = ZKR_ERR_PASSPHRASE;
        goto out;
    }
    *out_len = (size_t)mlen;
    r = ZKR_OK;
out:
    sodium_free(key);
    zkr_buf_free(&ad);
    return r;
}
