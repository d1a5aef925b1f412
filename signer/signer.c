/*
 * signer: signing keys by URI. File keys live in sodium_malloc'ed memory
 * that is made inaccessible (sodium_mprotect_noaccess) between signatures;
 * token keys stay in the token, reached through the hsm/ helper.
 */
#include <string.h>

#include <secp256k1.h>
#include <sodium.h>

#include "hsm/hsm.h"
#include "signer/signer_int.h"

enum { KIND_FILE = 1, KIND_PKCS11 = 2, KIND_EXTERNAL = 3 };

struct zkr_signer {
    int kind;
    zkr_pubkey pub;
    uint8_t *sk; /* file keys: Ed25519 64-byte secret key or secp256k1 scalar; noaccess */
    size_t sk_len;
    secp256k1_context *ctx; /* secp256k1 file keys: randomized signing context */
    zkr_hsm *hsm;
};

static zkr_err open_file(zkr_signer *s, const char *path, const zkr_signer_opts *o, zkr_diag *d)
{
    zkr_buf file = {0};
    zkr_secret pass = {0};
    uint8_t *secret = NULL, seed_rand[32];
    zkr_err r;

    if ((r = zkr_file_read(path, ZKR_KEYFILE_MAX, &file, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_keyfile_public(file.p, file.len, &s->pub, d)) != ZKR_OK)
        goto out;
    if (o != NULL && o->passphrase != NULL) {
        /* The caller's copy: borrowed, never freed here. */
        pass.p = o->passphrase->p;
        pass.len = o->passphrase->len;
    } else if ((r = zkr_passphrase_read(o != NULL ? o->passphrase_path : NULL, &pass, d)) !=
               ZKR_OK) {
        goto out;
    }
    secret = sodium_malloc(32);
    s->sk_len = s->pub.type == ZKR_KEY_ED25519 ? crypto_sign_SECRETKEYBYTES : 32;
    s->sk = sodium_malloc(s->sk_len);
    if (secret == NULL || s->sk == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_signer_keyfile_open(file.p, file.len, pass.p, pass.len, &s->pub, secret, d)) !=
        ZKR_OK)
        goto out;
    if (s->pub.type == ZKR_KEY_ED25519) {
        uint8_t pk[32];
        (void)crypto_sign_seed_keypair(pk, s->sk, secret);
    } else {
        memcpy(s->sk, secret, 32);
        s->ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        randombytes_buf(seed_rand, sizeof seed_rand);
        if (s->ctx == NULL || !secp256k1_context_randomize(s->ctx, seed_rand)) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
    }
    (void)sodium_mprotect_noaccess(s->sk);
out:
    sodium_memzero(seed_rand, sizeof seed_rand);
    sodium_free(secret);
    if (o == NULL || o->passphrase == NULL)
        zkr_secret_free(&pass);
    zkr_buf_free(&file);
    return r;
}

static zkr_err open_pkcs11(zkr_signer *s, const char *uri, const zkr_signer_opts *o, zkr_diag *d)
{
    zkr_hsm_uri u;
    const uint8_t *pk;
    size_t pk_len;
    secp256k1_pubkey sp;
    zkr_err r;

    if ((r = zkr_hsm_uri_parse(uri, &u, d)) != ZKR_OK)
        return r;
    if ((r = zkr_hsm_open(&u, o != NULL ? o->hsm_helper_path : NULL,
                          o != NULL ? o->registry_path : NULL, &s->hsm, d)) != ZKR_OK)
        return r;
    pk = zkr_hsm_public_key(s->hsm, &pk_len);
    switch (zkr_hsm_key_type_of(s->hsm)) {
    case ZKR_HSM_KEY_ED25519:
        s->pub.type = ZKR_KEY_ED25519;
        memcpy(s->pub.pub, pk, 32);
        s->pub.pub_len = 32;
        return ZKR_OK;
    case ZKR_HSM_KEY_SECP256K1:
        s->pub.type = ZKR_KEY_SECP256K1;
        s->pub.pub_len = 33;
        if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &sp, pk, pk_len) ||
            !secp256k1_ec_pubkey_serialize(secp256k1_context_static, s->pub.pub, &s->pub.pub_len,
                                           &sp, SECP256K1_EC_COMPRESSED))
            return zkr_fail(d, ZKR_ERR_HSM, "token key: its secp256k1 public key is not valid");
        return ZKR_OK;
    case ZKR_HSM_KEY_P256:
        s->pub.type = ZKR_KEY_P256;
        memcpy(s->pub.pub, pk, 65);
        s->pub.pub_len = 65;
        return ZKR_OK;
    }
    return zkr_fail(d, ZKR_ERR_HSM, "token key of an unsupported type");
}

static zkr_err open_external(zkr_signer *s, const char *uri, const zkr_signer_opts *o,
                             zkr_diag *d)
{
    if (strcmp(uri, "external:eip712") != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "key URI '%.80s': only external:eip712 is known",
                        uri);
    if (o == NULL || o->eth_address == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE,
                        "external:eip712 needs the registered signer address (--address 0x...)");
    if (zkr_eth_address_parse(o->eth_address, s->pub.pub) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "signer address '%.64s' is not 0x + 40 hex digits (EIP-55 if mixed case)",
                        o->eth_address);
    s->pub.type = ZKR_KEY_ETH;
    s->pub.pub_len = ZKR_ETH_ADDR_BYTES;
    return ZKR_OK;
}

zkr_err zkr_signer_open(const char *uri, const zkr_signer_opts *o, zkr_signer **out,
                        zkr_diag *d)
{
    zkr_signer *s;
    zkr_err r;

    *out = NULL;
    if (uri == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "no key URI given");
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return ZKR_ERR_NOMEM;
    if (strncmp(uri, "file:", 5) == 0) {
        s->kind = KIND_FILE;
        r = uri[5] == '\0' ? zkr_fail(d, ZKR_ERR_MALFORMED, "key URI 'file:' names no file")
                           : open_file(s, uri + 5, o, d);
    } else if (strncmp(uri, "pkcs11:", 7) == 0) {
        s->kind = KIND_PKCS11;
        r = open_pkcs11(s, uri, o, d);
    } else if (strncmp(uri, "external:", 9) == 0) {
        s->kind = KIND_EXTERNAL;
        r = open_external(s, uri, o, d);
    } else {
        r = zkr_fail(d, ZKR_ERR_MALFORMED,
                     "key URI '%.80s': expected file:PATH, pkcs11:... or external:eip712", uri);
    }
    if (r != ZKR_OK) {
        zkr_signer_free(s);
        return r;
    }
    *out = s;
    return ZKR_OK;
}

void zkr_signer_free(zkr_signer *s)
{
    if (s == NULL)
        return;
    sodium_free(s->sk); /* wipes, whatever its protection */
    if (s->ctx != NULL)
        secp256k1_context_destroy(s->ctx);
    zkr_hsm_free(s->hsm);
    sodium_memzero(s, sizeof *s);
    free(s);
}

const zkr_pubkey *zkr_signer_pubkey(const zkr_signer *s)
{
    return &s->pub;
}

int zkr_signer_is_external(const zkr_signer *s)
{
    return s->kind == KIND_EXTERNAL;
}

/* secp256k1 file key: RFC 6979 via libsecp256k1, which only emits low-s. */
static zkr_err file_ecdsa(zkr_signer *s, const uint8_t digest[32], uint8_t sig[64])
{
    secp256k1_ecdsa_signature es;
    int ok;

    (void)sodium_mprotect_readonly(s->sk);
    ok = secp256k1_ecdsa_sign(s->ctx, &es, digest, s->sk, NULL, NULL);
    (void)sodium_mprotect_noaccess(s->sk);
    if (!ok || !secp256k1_ecdsa_signature_serialize_compact(secp256k1_context_static, sig, &es))
        return ZKR_ERR_INTERNAL;
    return ZKR_OK;
}

/* ECDSA over a digest with any backend; low-s on return. */
static zkr_err sign_digest(zkr_signer *s, const uint8_t digest[32], uint8_t sig[64],
                           int *was_high, zkr_diag *d)
{
    zkr_err r;

    if (s->kind == KIND_FILE)
        return file_ecdsa(s, digest, sig);
    if ((r = zkr_hsm_sign(s->hsm, digest, 32, sig, d)) != ZKR_OK)
        return r;
    /* Tokens (SoftHSM among them) return high-s about half the time. */
    if (zkr_ecdsa_normalize(s->pub.type, sig, was_high) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_HSM, "the token returned an invalid ECDSA signature");
    return ZKR_OK;
}

/*
 * A token's signature is checked against the key it reported before anyone
 * sees it: a hostile module can sign, with the real key, a message other
 * than the one asked for, and a signature zkreg publishes is a channel out
 * of the helper's confinement. Without libcrypto a P-256 signature cannot
 * be checked and is refused.
 */
static zkr_err token_sig_check(const zkr_signer *s, const uint8_t *msg, size_t len,
                               const uint8_t sig[ZKR_SIG_BYTES], zkr_diag *d)
{
    zkr_err r = zkr_sig_verify(&s->pub, msg, len, sig, ZKR_SIG_BYTES);

    if (r == ZKR_OK)
        return ZKR_OK;
    return zkr_fail(d, ZKR_ERR_HSM,
                    "the token's %s signature %s the message zkreg asked it to sign; "
                    "the module is faulty or hostile, nothing was written",
                    zkr_key_type_name(s->pub.type),
                    r == ZKR_ERR_UNSUPPORTED ? "cannot be checked here (no libcrypto) against"
                                             : "does not verify over");
}

zkr_err zkr_signer_sign(zkr_signer *s, const uint8_t *msg, size_t len,
                        uint8_t sig[ZKR_SIG_BYTES], int *was_high, zkr_diag *d)
{
    uint8_t digest[32];
    zkr_err r;

    memset(sig, 0, ZKR_SIG_BYTES);
    if (was_high != NULL)
        *was_high = 0;
    if (s->kind == KIND_EXTERNAL)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "external:eip712 keys sign offline: write a request, then import");
    if (s->pub.type == ZKR_KEY_ED25519) {
        if (s->kind == KIND_PKCS11) {
            if ((r = zkr_hsm_sign(s->hsm, msg, len, sig, d)) == ZKR_OK)
                r = token_sig_check(s, msg, len, sig, d);
            if (r != ZKR_OK)
                memset(sig, 0, ZKR_SIG_BYTES);
            return r;
        }
        (void)sodium_mprotect_readonly(s->sk);
        r = crypto_sign_detached(sig, NULL, msg, len, s->sk) == 0 ? ZKR_OK : ZKR_ERR_INTERNAL;
        (void)sodium_mprotect_noaccess(s->sk);
        return r;
    }
    zkr_sha256(msg, len, digest);
    r = sign_digest(s, digest, sig, was_high, d);
    if (r == ZKR_OK && s->kind == KIND_PKCS11)
        r = token_sig_check(s, msg, len, sig, d);
    if (r != ZKR_OK)
        memset(sig, 0, ZKR_SIG_BYTES);
    /* Public here (a digest of the payload); wiped for hygiene only. */
    sodium_memzero(digest, sizeof digest);
    return r;
}

zkr_err zkr_signer_sign_eth(zkr_signer *s, const uint8_t digest[32],
                            uint8_t sig[ZKR_ETH_SIG_BYTES], zkr_diag *d)
{
    uint8_t rs[64];
    zkr_err r;

    memset(sig, 0, ZKR_ETH_SIG_BYTES);
    if (s->kind == KIND_EXTERNAL || s->pub.type != ZKR_KEY_SECP256K1)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "EIP-712 signing needs a secp256k1 key here");
    if ((r = sign_digest(s, digest, rs, NULL, d)) != ZKR_OK)
        return r;
    if ((r = zkr_eth_sig_from_rs(digest, rs, &s->pub, sig)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_KEY, "no recovery id reproduces the signer's key");
    return ZKR_OK;
}
