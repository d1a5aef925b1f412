/*
 * Hiding dataset commitments (version 2): salted per-record leaves under an
 * RFC 6962 root, the public commitment file, the sealed secrets file and
 * record openings. docs/formats.md ("Dataset commitments, version 2") is
 * the byte-level contract; this file is its one implementation.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common.h"
#include "zkr_config.h"

#define DSC_BODY_BYTES 53 /* magic .. root: what the digest covers */
#define SEC_HEADER_BYTES 56 /* magic, version, digest, count, sealed_len */
#define SEC_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define SEC_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEC_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
/* zkr_seal of a 32-byte key: header (64) + key + tag; the file must hold exactly that. */
#define SEC_SEALED_KEY_BYTES (64 + SEC_KEY_BYTES + SEC_TAG_BYTES)

_Static_assert(sizeof(ZKR_DSCOMMIT_MAGIC) - 1 == 8, "commitment magic is 8 bytes");
_Static_assert(sizeof(ZKR_DSCOMMIT_SECRETS_MAGIC) - 1 == 8, "secrets magic is 8 bytes");
_Static_assert(DSC_BODY_BYTES + ZKR_DIGEST_BYTES == ZKR_DSCOMMIT_FILE_BYTES, "file layout");
_Static_assert(SEC_KEY_BYTES == 32 && SEC_NONCE_BYTES == 24 && SEC_TAG_BYTES == 16,
               "secrets layout assumes XChaCha20-Poly1305's sizes");

void zkr_dscommit_leaf(const uint8_t *record, size_t len,
                       const uint8_t salt[ZKR_DSCOMMIT_SALT_BYTES], uint8_t out[ZKR_DIGEST_BYTES])
{
    static const uint8_t prefix = 0x00;
    zkr_sha256_ctx c;
    uint8_t be[4];

    zkr_store_be32(be, (uint32_t)len); /* records are at most 1 MiB (dataset.c) */
    zkr_sha256_init(&c);
    zkr_sha256_update(&c, &prefix, 1);
    zkr_sha256_update(&c, (const uint8_t *)ZKR_DSCOMMIT_LEAF_TAG, sizeof ZKR_DSCOMMIT_LEAF_TAG);
    zkr_sha256_update(&c, be, 4);
    zkr_sha256_update(&c, record, len);
    zkr_sha256_update(&c, salt, ZKR_DSCOMMIT_SALT_BYTES);
    zkr_sha256_final(&c, out);
    sodium_memzero(&c, sizeof c); /* the state held the salt */
}

static int format_ok(zkr_dataset_format f)
{
    return f == ZKR_DATASET_IDX || f == ZKR_DATASET_LINES;
}

static void encode_body(const zkr_dscommit *c, uint8_t out[DSC_BODY_BYTES])
{
    memcpy(out, ZKR_DSCOMMIT_MAGIC, 8);
    zkr_store_be32(out + 8, c->version);
    out[12] = (uint8_t)c->format;
    zkr_store_be64(out + 13, c->count);
    memcpy(out + 21, c->root, ZKR_DIGEST_BYTES);
}

zkr_err zkr_dscommit_digest(const zkr_dscommit *c, uint8_t out[ZKR_DIGEST_BYTES])
{
    uint8_t body[DSC_BODY_BYTES];

    if ((c->version != ZKR_DSCOMMIT_VERSION && c->version != ZKR_DSCOMMIT_VERSION_HPC) ||
        !format_ok(c->format))
        return ZKR_ERR_USAGE;
    encode_body(c, body); /* the version is in the body: a v2 and a v3 digest never coincide */
    zkr_sha256_tagged(ZKR_DSCOMMIT_DIGEST_TAG, body, sizeof body, out);
    return ZKR_OK;
}

zkr_err zkr_dscommit_encode(const zkr_dscommit *c, uint8_t out[ZKR_DSCOMMIT_FILE_BYTES])
{
    uint8_t dig[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_dscommit_digest(c, dig)) != ZKR_OK)
        return r;
    if (memcmp(dig, c->digest, ZKR_DIGEST_BYTES) != 0)
        return ZKR_ERR_USAGE;
    encode_body(c, out);
    memcpy(out + DSC_BODY_BYTES, c->digest, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

zkr_err zkr_dscommit_decode(const uint8_t *p, size_t len, const char *what, zkr_dscommit *c,
                            zkr_diag *d)
{
    uint8_t dig[ZKR_DIGEST_BYTES];

    memset(c, 0, sizeof *c);
    if (len < 12 || memcmp(p, ZKR_DSCOMMIT_MAGIC, 8) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: not a dataset commitment file (magic %s expected)", what,
                        ZKR_DSCOMMIT_MAGIC);
    c->version = zkr_load_be32(p + 8);
    if (c->version != ZKR_DSCOMMIT_VERSION && c->version != ZKR_DSCOMMIT_VERSION_HPC)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "%s: commitment version %u is not supported (only %d and %d; version 1 "
                        "datasets are registered from their files)",
                        what, c->version, ZKR_DSCOMMIT_VERSION, ZKR_DSCOMMIT_VERSION_HPC);
    if (len != ZKR_DSCOMMIT_FILE_BYTES)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: %zu bytes, a version %u commitment is exactly %d%s",
                        what, len, c->version, ZKR_DSCOMMIT_FILE_BYTES,
                        len < ZKR_DSCOMMIT_FILE_BYTES ? " (truncated)" : " (trailing bytes)");
    c->format = (zkr_dataset_format)p[12];
    c->count = zkr_load_be64(p + 13);
    memcpy(c->root, p + 21, ZKR_DIGEST_BYTES);
    memcpy(c->digest, p + DSC_BODY_BYTES, ZKR_DIGEST_BYTES);
    if (!format_ok(c->format))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: record format %u unknown (1 idx, 2 lines)",
                        what, p[12]);
    if (c->count == 0 || c->count > ZKR_DATASET_MAX_RECORDS)
        return zkr_fail(d, c->count ? ZKR_ERR_TOO_LARGE : ZKR_ERR_MALFORMED,
                        "%s: record count %llu outside 1..%llu", what,
                        (unsigned long long)c->count, (unsigned long long)ZKR_DATASET_MAX_RECORDS);
    if (zkr_dscommit_digest(c, dig) != ZKR_OK || memcmp(dig, c->digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: the dataset digest does not match the commitment's fields "
                        "(altered file)", what);
    return ZKR_OK;
}

void zkr_dscommit_secrets_free(zkr_dscommit_secrets *s)
{
    if (s == NULL)
        return;
    if (s->salts != NULL) {
        sodium_memzero(s->salts, (size_t)s->count * ZKR_DSCOMMIT_SALT_BYTES);
        free(s->salts);
    }
    memset(s, 0, sizeof *s);
}

static zkr_err salts_alloc(zkr_dscommit_secrets *s, uint64_t count)
{
    if (count == 0 || count > ZKR_DATASET_MAX_RECORDS)
        return ZKR_ERR_TOO_LARGE;
    s->salts = calloc((size_t)count, ZKR_DSCOMMIT_SALT_BYTES);
    if (s->salts == NULL)
        return ZKR_ERR_NOMEM;
    s->count = count;
    return ZKR_OK;
}

/*
 * Test builds only: $ZKREG_TEST_DATASET_SALTS (any text) fixes the salts to
 * BLAKE2b-256(text || u64be i), so tests can check that the commitment is a
 * function of the data and the salts. Release builds always draw them.
 */
static void draw_salts(zkr_dscommit_secrets *s)
{
#if ZKR_TEST_BUILD
    const char *fixed = getenv("ZKREG_TEST_DATASET_SALTS");
    if (fixed != NULL) {
        for (uint64_t i = 0; i < s->count; i++) {
            crypto_generichash_state st;
            uint8_t be[8];
            zkr_store_be64(be, i);
            crypto_generichash_init(&st, NULL, 0, ZKR_DSCOMMIT_SALT_BYTES);
            crypto_generichash_update(&st, (const uint8_t *)fixed, strlen(fixed));
            crypto_generichash_update(&st, be, 8);
            crypto_generichash_final(&st, s->salts[i], ZKR_DSCOMMIT_SALT_BYTES);
        }
        return;
    }
#endif
    randombytes_buf(s->salts, (size_t)s->count * ZKR_DSCOMMIT_SALT_BYTES);
}

/* Every hiding leaf of ds under the salts, into a malloc'ed array of count digests. */
static zkr_err all_leaves(const zkr_dataset *ds, const uint8_t (*salts)[ZKR_DSCOMMIT_SALT_BYTES],
                          uint8_t (**leaves)[ZKR_DIGEST_BYTES])
{
    uint64_t n = zkr_dataset_count(ds);
    zkr_err r;

    *leaves = calloc((size_t)n, ZKR_DIGEST_BYTES);
    if (*leaves == NULL)
        return ZKR_ERR_NOMEM;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *rec;
        size_t len;
        if ((r = zkr_dataset_record(ds, i, &rec, &len)) != ZKR_OK)
            return r;
        zkr_dscommit_leaf(rec, len, salts[i], (*leaves)[i]);
    }
    return ZKR_OK;
}

/* c from the leaves: version, format, count, root and digest. */
static zkr_err fill_commitment(const zkr_dataset *ds, const uint8_t (*leaves)[ZKR_DIGEST_BYTES],
                               zkr_dscommit *c)
{
    zkr_err r;

    c->version = ZKR_DSCOMMIT_VERSION;
    c->format = zkr_dataset_format_of(ds);
    c->count = zkr_dataset_count(ds);
    if ((r = zkr_merkle_root(leaves, c->count, c->root)) != ZKR_OK)
        return r;
    return zkr_dscommit_digest(c, c->digest);
}

zkr_err zkr_dscommit_build(const zkr_dataset *ds, zkr_dscommit *c, zkr_dscommit_secrets *s,
                           zkr_diag *d)
{
    uint8_t (*leaves)[ZKR_DIGEST_BYTES] = NULL;
    zkr_err r;

    memset(c, 0, sizeof *c);
    memset(s, 0, sizeof *s);
    if ((r = salts_alloc(s, zkr_dataset_count(ds))) != ZKR_OK) {
        r = zkr_fail(d, r, "cannot hold the salts of %llu records",
                     (unsigned long long)zkr_dataset_count(ds));
        goto out;
    }
    draw_salts(s);
    if ((r = all_leaves(ds, (const uint8_t(*)[ZKR_DSCOMMIT_SALT_BYTES])s->salts, &leaves)) !=
            ZKR_OK ||
        (r = fill_commitment(ds, (const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, c)) != ZKR_OK)
        goto out;
    memcpy(s->digest, c->digest, ZKR_DIGEST_BYTES);
out:
    free(leaves); /* public: each leaf is hiding */
    if (r != ZKR_OK) {
        zkr_dscommit_secrets_free(s);
        memset(c, 0, sizeof *c);
    }
    return r;
}

/* The secrets file header: magic, version, digest, count, sealed key length. */
static void secrets_header(const zkr_dscommit_secrets *s, uint32_t sealed_len,
                           uint8_t out[SEC_HEADER_BYTES])
{
    memcpy(out, ZKR_DSCOMMIT_SECRETS_MAGIC, 8);
    zkr_store_be32(out + 8, ZKR_DSCOMMIT_VERSION);
    memcpy(out + 12, s->digest, ZKR_DIGEST_BYTES);
    zkr_store_be64(out + 44, s->count);
    zkr_store_be32(out + 52, sealed_len);
}

zkr_err zkr_dscommit_secrets_seal(const zkr_dscommit_secrets *s, const uint8_t *pass,
                                  size_t pass_len, int fast, zkr_buf *out)
{
    uint8_t hdr[SEC_HEADER_BYTES], nonce[SEC_NONCE_BYTES];
    uint8_t *key = NULL;
    zkr_buf sealed = {0};
    size_t start = out->len, plain_len, ad_len;
    unsigned long long clen = 0;
    zkr_err r;

    if (s->salts == NULL || s->count == 0 || s->count > ZKR_DATASET_MAX_RECORDS)
        return ZKR_ERR_USAGE;
    plain_len = (size_t)s->count * ZKR_DSCOMMIT_SALT_BYTES;
    key = sodium_malloc(SEC_KEY_BYTES);
    if (key == NULL)
        return ZKR_ERR_NOMEM;
    randombytes_buf(key, SEC_KEY_BYTES);
    randombytes_buf(nonce, sizeof nonce);
    /* The passphrase part is zkr_seal's (Argon2id + XChaCha20-Poly1305), as for key files. */
    if ((r = zkr_seal(key, SEC_KEY_BYTES, pass, pass_len, ZKR_DSCOMMIT_SECRETS_LABEL, fast,
                      &sealed)) != ZKR_OK)
        goto out;
    if (sealed.len != SEC_SEALED_KEY_BYTES) {
        r = ZKR_ERR_INTERNAL;
        goto out;
    }
    secrets_header(s, (uint32_t)sealed.len, hdr);
    if ((r = zkr_buf_append(out, hdr, sizeof hdr)) != ZKR_OK ||
        (r = zkr_buf_append(out, sealed.p, sealed.len)) != ZKR_OK ||
        (r = zkr_buf_append(out, nonce, sizeof nonce)) != ZKR_OK ||
        (r = zkr_buf_reserve(out, plain_len + SEC_TAG_BYTES)) != ZKR_OK)
        goto out;
    /* Associated data: every byte before the nonce (header and sealed key). */
    ad_len = sizeof hdr + sealed.len;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out->p + out->len, &clen,
                                               (const uint8_t *)s->salts, plain_len,
                                               out->p + start, ad_len, NULL, nonce, key);
    out->len += (size_t)clen;
out:
    sodium_free(key); /* wipes */
    zkr_buf_free(&sealed);
    if (r != ZKR_OK && out->len > start) {
        sodium_memzero(out->p + start, out->len - start);
        out->len = start;
    }
    return r;
}

/* The header fields, with every length checked against the file's size. */
static zkr_err secrets_parse(const uint8_t *f, size_t len, const char *what,
                             zkr_dscommit_secrets *s, zkr_diag *d)
{
    uint32_t version, sealed_len;
    uint64_t count, want;

    if (len < 12 || memcmp(f, ZKR_DSCOMMIT_SECRETS_MAGIC, 8) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: not a dataset secrets file (magic %s expected)",
                        what, ZKR_DSCOMMIT_SECRETS_MAGIC);
    version = zkr_load_be32(f + 8);
    if (version != ZKR_DSCOMMIT_VERSION)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "%s: secrets version %u is not supported (only %d)",
                        what, version, ZKR_DSCOMMIT_VERSION);
    if (len < SEC_HEADER_BYTES)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: truncated (%zu bytes)", what, len);
    memcpy(s->digest, f + 12, ZKR_DIGEST_BYTES);
    count = zkr_load_be64(f + 44);
    sealed_len = zkr_load_be32(f + 52);
    if (count == 0 || count > ZKR_DATASET_MAX_RECORDS || sealed_len != SEC_SEALED_KEY_BYTES)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: record count %llu or sealed key length %u out "
                        "of range", what, (unsigned long long)count, sealed_len);
    want = SEC_HEADER_BYTES + (uint64_t)sealed_len + SEC_NONCE_BYTES +
           count * ZKR_DSCOMMIT_SALT_BYTES + SEC_TAG_BYTES;
    if ((uint64_t)len != want)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: %zu bytes, %llu expected for %llu records%s",
                        what, len, (unsigned long long)want, (unsigned long long)count,
                        (uint64_t)len < want ? " (truncated)" : " (trailing bytes)");
    s->count = count;
    return ZKR_OK;
}

zkr_err zkr_dscommit_secrets_open(const uint8_t *file, size_t len, const uint8_t *pass,
                                  size_t pass_len, const char *what, zkr_dscommit_secrets *s,
                                  zkr_diag *d)
{
    const size_t ad_len = SEC_HEADER_BYTES + SEC_SEALED_KEY_BYTES;
    uint8_t *key = NULL;
    size_t key_len = 0, plain_len;
    unsigned long long mlen = 0;
    uint64_t count;
    zkr_err r;

    memset(s, 0, sizeof *s);
    if ((r = secrets_parse(file, len, what, s, d)) != ZKR_OK)
        goto out;
    count = s->count;
    s->count = 0;
    key = sodium_malloc(SEC_KEY_BYTES);
    if (key == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    r = zkr_unseal(file + SEC_HEADER_BYTES, SEC_SEALED_KEY_BYTES, pass, pass_len,
                   ZKR_DSCOMMIT_SECRETS_LABEL, key, SEC_KEY_BYTES, &key_len);
    if (r == ZKR_OK && key_len != SEC_KEY_BYTES)
        r = ZKR_ERR_MALFORMED;
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, r == ZKR_ERR_PASSPHRASE
                               ? "%s: wrong passphrase, or the file was altered"
                               : "%s: the sealed key is damaged", what);
        goto out;
    }
    if ((r = salts_alloc(s, count)) != ZKR_OK)
        goto out;
    plain_len = (size_t)count * ZKR_DSCOMMIT_SALT_BYTES;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (uint8_t *)s->salts, &mlen, NULL, file + ad_len + SEC_NONCE_BYTES,
            plain_len + SEC_TAG_BYTES, file, ad_len, file + ad_len, key) != 0 ||
        mlen != plain_len) {
        r = zkr_fail(d, ZKR_ERR_PASSPHRASE, "%s: the salts do not authenticate (altered file)",
                     what);
        goto out;
    }
out:
    sodium_free(key);
    if (r != ZKR_OK)
        zkr_dscommit_secrets_free(s);
    return r;
}

zkr_err zkr_dscommit_open_record(const zkr_dataset *ds, const zkr_dscommit_secrets *s,
                                 uint64_t index, zkr_dscommit *c, zkr_dscommit_opening *o,
                                 zkr_diag *d)
{
    uint8_t (*leaves)[ZKR_DIGEST_BYTES] = NULL;
    uint64_t n = zkr_dataset_count(ds);
    zkr_err r;

    memset(c, 0, sizeof *c);
    memset(o, 0, sizeof *o);
    if (s->count != n)
        return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                        "the secrets hold %llu salts but the dataset has %llu records "
                        "(secrets of another dataset?)",
                        (unsigned long long)s->count, (unsigned long long)n);
    if (index >= n)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "the dataset has %llu records; index %llu is past "
                        "the end", (unsigned long long)n, (unsigned long long)index);
    if ((r = all_leaves(ds, (const uint8_t(*)[ZKR_DSCOMMIT_SALT_BYTES])s->salts, &leaves)) !=
            ZKR_OK ||
        (r = fill_commitment(ds, (const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, c)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(c->digest, s->digest, ZKR_DIGEST_BYTES) != 0) {
        char want[65], got[65];
        if (zkr_hex_encode(s->digest, ZKR_DIGEST_BYTES, want, sizeof want) != ZKR_OK)
            want[0] = 0;
        if (zkr_hex_encode(c->digest, ZKR_DIGEST_BYTES, got, sizeof got) != ZKR_OK)
            got[0] = 0;
        r = zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                     "the secrets belong to dataset %s, but this data with them commits to %s "
                     "(another dataset, or the data changed)", want, got);
        goto out;
    }
    if ((r = zkr_dataset_record(ds, index, &o->record, &o->record_len)) != ZKR_OK ||
        (r = zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, index,
                                        o->path, &o->path_len)) != ZKR_OK)
        goto out;
    o->index = index;
    memcpy(o->salt, s->salts[index], ZKR_DSCOMMIT_SALT_BYTES);
    memcpy(o->leaf, leaves[index], ZKR_DIGEST_BYTES);
out:
    free(leaves); /* public: each leaf is hiding */
    if (r != ZKR_OK) {
        sodium_memzero(o, sizeof *o);
        memset(c, 0, sizeof *c);
    }
    return r;
}

zkr_err zkr_dscommit_verify_record(const uint8_t root[ZKR_DIGEST_BYTES], uint64_t count,
                                   uint64_t index, const uint8_t *record, size_t record_len,
                                   const uint8_t salt[ZKR_DSCOMMIT_SALT_BYTES],
                                   const uint8_t (*path)[ZKR_DIGEST_BYTES], size_t path_len)
{
    uint8_t leaf[ZKR_DIGEST_BYTES];

    if (record_len > UINT32_MAX)
        return ZKR_ERR_MALFORMED;
    zkr_dscommit_leaf(record, record_len, salt, leaf);
    return zkr_merkle_inclusion_verify(leaf, index, count, path, path_len, root);
}
