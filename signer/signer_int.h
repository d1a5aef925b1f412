/* signer internals shared by the signer's files. */
#ifndef ZKR_SIGNER_INT_H
#define ZKR_SIGNER_INT_H

#include <jansson.h>

#include "signer/signer.h"

/* P-256 through libcrypto (p256.c); ZKR_ERR_UNSUPPORTED when built without it. */
zkr_err zkr_signer_p256_check_point(const uint8_t pub[65]) ZKR_WUR;
zkr_err zkr_signer_p256_verify(const uint8_t pub[65], const uint8_t digest[32],
                               const uint8_t sig[64]) ZKR_WUR;

/* Canonical JSON text of j (sorted keys, compact, no trailing newline). */
zkr_err zkr_signer_json_dump(const json_t *j, zkr_buf *out) ZKR_WUR;

/*
 * Object field access that refuses unknown fields: `allowed` is a
 * NULL-terminated list of names; returns ZKR_ERR_MALFORMED naming `what`.
 */
zkr_err zkr_signer_json_fields(const json_t *obj, const char *const *allowed, const char *what,
                               zkr_diag *d) ZKR_WUR;

/* A required string field of at most max bytes (UTF-8 checked). */
zkr_err zkr_signer_json_str(const json_t *obj, const char *key, size_t max, const char *what,
                            const char **out, zkr_diag *d) ZKR_WUR;

/* A required non-negative integer field. */
zkr_err zkr_signer_json_u64(const json_t *obj, const char *key, const char *what, uint64_t *out,
                            zkr_diag *d) ZKR_WUR;

/* A required 32-byte lowercase-hex field. */
zkr_err zkr_signer_json_hex32(const json_t *obj, const char *key, const char *what,
                              uint8_t out[32], zkr_diag *d) ZKR_WUR;

/* Parses JSON text strictly (no duplicates, one value, size-capped). */
zkr_err zkr_signer_json_load(const uint8_t *p, size_t len, size_t max, const char *what,
                             json_t **out, zkr_diag *d) ZKR_WUR;

/* Builds the attestation typed data as a jansson object (eip712.c). */
zkr_err zkr_signer_eip712_typed(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                                json_t **out, zkr_diag *d) ZKR_WUR;
/* Hashes a typed-data object (eip712.c). */
zkr_err zkr_signer_eip712_hash(const json_t *td, zkr_buf *encoded, uint8_t digest[32],
                               zkr_diag *d) ZKR_WUR;
/* Domain to/from the envelope's eip712 object fields. */
zkr_err zkr_signer_domain_json(const zkr_eip712_domain *dom, json_t *obj) ZKR_WUR;
zkr_err zkr_signer_domain_parse(const json_t *obj, const char *what, zkr_eip712_domain *out,
                                zkr_diag *d) ZKR_WUR;

#define ZKR_SIGNER_KEY_LABEL "zkreg/signing-key/v1"

/* The public key of a 32-byte secret (Ed25519 seed or secp256k1 scalar). */
zkr_err zkr_signer_pub_from_secret(zkr_key_type t, const uint8_t secret[32],
                                   zkr_pubkey *pub) ZKR_WUR;

/*
 * Unseals a key file into secret[32] (caller's sodium_malloc'ed memory)
 * after checking that its public key belongs to the secret.
 * Returns ZKR_ERR_PASSPHRASE, ZKR_ERR_KEY, ZKR_ERR_MALFORMED, ...
 */
zkr_err zkr_signer_keyfile_open(const uint8_t *file, size_t len, const uint8_t *pass,
                                size_t pass_len, zkr_pubkey *pub, uint8_t secret[32],
                                zkr_diag *d) ZKR_WUR;

/*
 * Parses an attestation and checks each signature against the trusted keys
 * (verify.c); res says which verified. Returns ZKR_OK when it parsed.
 */
zkr_err zkr_signer_verify_sigs(const uint8_t *att, size_t len, const zkr_pubkey *trusted,
                               size_t ntrusted, zkr_attest_result *res, zkr_diag *d) ZKR_WUR;

#endif /* ZKR_SIGNER_INT_H */
