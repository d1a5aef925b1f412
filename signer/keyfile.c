/*
 * signer: file: keys. The secret (type byte || 32 bytes) is sealed with
 * zkr_seal under the label below; the file also carries the public key in
 * the clear so `key public` needs no passphrase. Opening a key re-derives
 * the public key from the secret and refuses a file whose public half
 * differs, so the clear copy can never redirect trust.
 */
#include <string.h>

#include <secp256k1.h>
#include <sodium.h>

#include "signer/signer_int.h"

#define KEYFILE_FORMAT "zkreg-key/v1"
#define KEYFILE_SECRET_BYTES 33

zkr_err zkr_signer_pub_from_secret(zkr_key_type t, const uint8_t secret[32], zkr_pubkey *pub)
{
    memset(pub, 0, sizeof *pub);
    if (t == ZKR_KEY_ED25519) {
        uint8_t *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
        if (sk == NULL)
            return ZKR_ERR_NOMEM;
        (void)crypto_sign_seed_keypair(pub->pub, sk, secret);
        sodium_free(sk);
        pub->pub_len = 32;
    } else if (t == ZKR_KEY_SECP256K1) {
        /* Key generation needs a context with its generator tables (not the static one). */
        secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        secp256k1_pubkey pk;
        size_t n = 33;
        int ok;
        if (ctx == NULL)
            return ZKR_ERR_NOMEM;
        ok = secp256k1_ec_pubkey_create(ctx, &pk, secret);
        secp256k1_context_destroy(ctx);
        if (!ok)
            return ZKR_ERR_KEY;
        (void)!secp256k1_ec_pubkey_serialize(secp256k1_context_static, pub->pub, &n, &pk,
                                             SECP256K1_EC_COMPRESSED);
        pub->pub_len = 33;
    } else {
        return ZKR_ERR_UNSUPPORTED;
    }
    pub->type = t;
    return ZKR_OK;
}

static zkr_err write_file(const zkr_pubkey *pub, const zkr_buf *sealed, zkr_buf *out)
{
    char pubs[160];
    zkr_buf b64 = {0};
    json_t *j = NULL;
    zkr_err r;

    if ((r = zkr_pubkey_format(pub, pubs, sizeof pubs)) != ZKR_OK ||
        (r = zkr_base64_encode(sealed->p, sealed->len, &b64)) != ZKR_OK)
        goto out;
    j = json_pack("{s:s, s:s, s:s}", "format", KEYFILE_FORMAT, "public", pubs, "sealed",
                  (const char *)b64.p);
    if (j == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_signer_json_dump(j, out)) == ZKR_OK)
        r = zkr_buf_append(out, "\n", 1);
out:
    json_decref(j);
    zkr_buf_free(&b64);
    return r;
}

zkr_err zkr_keyfile_generate(zkr_key_type t, const uint8_t *pass, size_t pass_len, int fast,
                             zkr_buf *out, zkr_pubkey *pub, zkr_diag *d)
{
    uint8_t *secret = NULL;
    zkr_buf sealed = {0};
    zkr_err r;

    memset(pub, 0, sizeof *pub);
    if (t != ZKR_KEY_ED25519 && t != ZKR_KEY_SECP256K1)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "key type %s cannot be generated as a file key",
                        zkr_key_type_name(t));
    secret = sodium_malloc(KEYFILE_SECRET_BYTES);
    if (secret == NULL)
        return ZKR_ERR_NOMEM;
    secret[0] = (uint8_t)t;
    do {
        randombytes_buf(secret + 1, 32);
        r = zkr_signer_pub_from_secret(t, secret + 1, pub);
    } while (r == ZKR_ERR_KEY); /* secp256k1: out of range, probability ~2^-128 */
    if (r != ZKR_OK)
        goto out;
    if ((r = zkr_seal(secret, KEYFILE_SECRET_BYTES, pass, pass_len, ZKR_SIGNER_KEY_LABEL, fast,
                      &sealed)) != ZKR_OK) {
        r = zkr_fail(d, r, "sealing the new key failed");
        goto out;
    }
    r = write_file(pub, &sealed, out);
out:
    sodium_free(secret);
    zkr_buf_free(&sealed);
    return r;
}

static zkr_err parse_file(const uint8_t *file, size_t len, zkr_pubkey *pub, zkr_buf *sealed,
                          zkr_diag *d)
{
    static const char *const fields[] = {"format", "public", "sealed", NULL};
    const char *fmt, *pubs, *b64;
    json_t *j = NULL;
    zkr_err r;

    if ((r = zkr_signer_json_load(file, len, ZKR_KEYFILE_MAX, "key file", &j, d)) != ZKR_OK ||
        (r = zkr_signer_json_fields(j, fields, "key file", d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "format", 64, "key file", &fmt, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "public", 200, "key file", &pubs, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "sealed", ZKR_KEYFILE_MAX, "key file", &b64, d)) != ZKR_OK)
        goto out;
    if (strcmp(fmt, KEYFILE_FORMAT) != 0) {
        r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "key file: format '%.64s' is not %s", fmt,
                     KEYFILE_FORMAT);
        goto out;
    }
    if ((r = zkr_pubkey_parse(pubs, "key file field 'public'", pub, d)) != ZKR_OK)
        goto out;
    if (pub->type != ZKR_KEY_ED25519 && pub->type != ZKR_KEY_SECP256K1) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "key file: type %s is not a file key type",
                     zkr_key_type_name(pub->type));
        goto out;
    }
    if (sealed != NULL && zkr_base64_decode(b64, strlen(b64), sealed) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "key file: field 'sealed' is not valid base64");
out:
    json_decref(j);
    return r;
}

zkr_err zkr_keyfile_public(const uint8_t *file, size_t len, zkr_pubkey *pub, zkr_diag *d)
{
    zkr_err r = parse_file(file, len, pub, NULL, d);

    if (r != ZKR_OK)
        memset(pub, 0, sizeof *pub);
    return r;
}

zkr_err zkr_signer_keyfile_open(const uint8_t *file, size_t len, const uint8_t *pass,
                                size_t pass_len, zkr_pubkey *pub, uint8_t secret[32],
                                zkr_diag *d)
{
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    zkr_buf sealed = {0};
    zkr_pubkey derived;
    zkr_err r;

    memset(secret, 0, 32);
    if ((r = parse_file(file, len, pub, &sealed, d)) != ZKR_OK)
        goto out;
    plain = sodium_malloc(ZKR_SEAL_MAX_SECRET);
    if (plain == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    r = zkr_unseal(sealed.p, sealed.len, pass, pass_len, ZKR_SIGNER_KEY_LABEL, plain,
                   ZKR_SEAL_MAX_SECRET, &plain_len);
    if (r == ZKR_ERR_PASSPHRASE) {
        r = zkr_fail(d, r, "key file: wrong passphrase, or the file was altered");
        goto out;
    }
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, "key file: sealed key is damaged (%s)", zkr_strerror(r));
        goto out;
    }
    if (plain_len != KEYFILE_SECRET_BYTES || plain[0] != (uint8_t)pub->type) {
        r = zkr_fail(d, ZKR_ERR_KEY, "key file: sealed key is not a %s key",
                     zkr_key_type_name(pub->type));
        goto out;
    }
    if ((r = zkr_signer_pub_from_secret(pub->type, plain + 1, &derived)) != ZKR_OK)
        goto out;
    if (derived.pub_len != pub->pub_len || memcmp(derived.pub, pub->pub, pub->pub_len) != 0) {
        r = zkr_fail(d, ZKR_ERR_KEY,
                     "key file: its public key does not belong to its sealed secret (altered)");
        goto out;
    }
    memcpy(secret, plain + 1, 32);
out:
    sodium_free(plain);
    zkr_buf_free(&sealed);
    if (r != ZKR_OK)
        sodium_memzero(secret, 32);
    return r;
}
