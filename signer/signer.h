/*
 * signer: keys, attestations (DSSE + in-toto Statement v1 + EIP-712),
 * attestation verification and the release gate.
 *
 * The verify-before-sign policy itself (running the verifier and checking
 * every binding rule of DESIGN.md section 4 against the registry) lives in
 * the attest glue, which fills a zkr_attest_facts from what it recomputed
 * and then calls zkr_attest_sign(). Nothing here trusts a digest that a
 * proof or a caller supplied without the glue having recomputed it.
 *
 * Key kinds (URIs):
 *   file:PATH          Ed25519 (libsodium) or secp256k1 (libsecp256k1) key,
 *                      sealed at rest with zkr_seal (Argon2id +
 *                      XChaCha20-Poly1305), held in sodium_malloc memory;
 *   pkcs11:...         a token key through the hsm/ helper (secp256k1,
 *                      P-256 or Ed25519);
 *   external:eip712    an offline hardware wallet: a signing request is
 *                      written, its signature imported and checked.
 *
 * Signatures (bytes in the envelope's "sig", base64):
 *   ed25519    64 bytes, Ed25519 over the DSSE PAE;
 *   secp256k1  64 bytes r||s, low-s, ECDSA over SHA-256(PAE);
 *   p256       64 bytes r||s, low-s, ECDSA over SHA-256(PAE);
 *   eth        65 bytes r||s||v, EIP-712 over the attestation's typed data
 *              (hardware wallets; the key is an Ethereum address).
 * secp256k1 signers also attach an EIP-712 companion signature.
 *
 * Thread safety: all functions are reentrant; a zkr_signer is used by one
 * thread at a time. sodium_init() must have been called.
 */
#ifndef ZKR_SIGNER_H
#define ZKR_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ------------------------------------------------------------------ */
/* Public keys                                                         */
/* ------------------------------------------------------------------ */

typedef enum {
    ZKR_KEY_ED25519 = 1,
    ZKR_KEY_SECP256K1 = 2,
    ZKR_KEY_P256 = 3,
    ZKR_KEY_ETH = 4, /* an Ethereum address (EIP-712 signatures only) */
} zkr_key_type;

#define ZKR_PUBKEY_MAX 65
#define ZKR_ETH_ADDR_BYTES 20
#define ZKR_SIG_BYTES 64
#define ZKR_ETH_SIG_BYTES 65
#define ZKR_KEYID_HEX 64

/*
 * A public key: ed25519 32 bytes; secp256k1 33 bytes (compressed);
 * p256 65 bytes (04||x||y); eth 20 bytes (the address).
 */
typedef struct {
    zkr_key_type type;
    uint8_t pub[ZKR_PUBKEY_MAX];
    size_t pub_len;
} zkr_pubkey;

/* "ed25519", "secp256k1", "p256", "eth"; "?" for anything else. */
const char *zkr_key_type_name(zkr_key_type t);

/*
 * Parses "TYPE:HEX" (ed25519:64 hex digits; secp256k1:66 (compressed) or
 * 130 (uncompressed, stored compressed); p256:130 hex digits of 04||x||y;
 * eth:0x + 40 hex digits). Points are checked to be on their curve.
 * Returns ZKR_OK or ZKR_ERR_MALFORMED naming `what`.
 */
zkr_err zkr_pubkey_parse(const char *s, const char *what, zkr_pubkey *out,
                         zkr_diag *d) ZKR_WUR;

/* Formats as zkr_pubkey_parse reads it (eth: EIP-55 checksummed). cap >= 140. */
zkr_err zkr_pubkey_format(const zkr_pubkey *k, char *out, size_t cap) ZKR_WUR;

/*
 * The key id: lowercase hex of SHA-256("zkreg/keyid/v1\0" || type name ||
 * 0x00 || public key) (for eth keys: of the 20 address bytes). A key id
 * only finds a key; it is never a reason to trust one.
 */
void zkr_pubkey_keyid(const zkr_pubkey *k, char out[ZKR_KEYID_HEX + 1]);

/*
 * The signer identity (common.h zkr_signer_identity) as lowercase hex: for
 * a secp256k1 key the key id of its eth:ADDRESS form, else the key id. Two
 * keys with one identity are one signer: thresholds count identities,
 * policies may not list one twice, a revocation of either form revokes
 * both. An unparsable key gets "" (which equals no identity).
 */
void zkr_pubkey_identity(const zkr_pubkey *k, char out[ZKR_KEYID_HEX + 1]);

/* The Ethereum address of a secp256k1 (or eth) key. ZKR_ERR_UNSUPPORTED otherwise. */
zkr_err zkr_pubkey_eth_address(const zkr_pubkey *k, uint8_t addr[ZKR_ETH_ADDR_BYTES]) ZKR_WUR;

/* "0x" + EIP-55 mixed-case hex into out[43]. */
void zkr_eth_address_format(const uint8_t addr[ZKR_ETH_ADDR_BYTES], char out[43]);

/* Parses "0x" + 40 hex digits (any case; a mixed-case one must match EIP-55). */
zkr_err zkr_eth_address_parse(const char *s, uint8_t addr[ZKR_ETH_ADDR_BYTES]) ZKR_WUR;

/*
 * Verifies a signature over msg with k as the table above says (eth keys
 * take a 32-byte EIP-712 digest as msg). Strict: secp256k1 signatures must
 * be low-s; p256 accepts both s (other tools' signatures are not normalized).
 * Returns ZKR_OK, ZKR_ERR_SIGNATURE, ZKR_ERR_UNSUPPORTED (p256 without
 * libcrypto), ZKR_ERR_MALFORMED (wrong signature length).
 */
zkr_err zkr_sig_verify(const zkr_pubkey *k, const uint8_t *msg, size_t len, const uint8_t *sig,
                       size_t sig_len) ZKR_WUR;

/*
 * ECDSA on a prehashed 32-byte digest (secp256k1: strict low-s; p256: any s).
 * Returns as zkr_sig_verify.
 */
zkr_err zkr_ecdsa_verify_digest(const zkr_pubkey *k, const uint8_t digest[32],
                                const uint8_t sig[ZKR_SIG_BYTES]) ZKR_WUR;

/*
 * Puts an r||s signature on `t`'s curve (secp256k1 or p256) into low-s
 * form in place; *was_high says whether it changed. Rejects r or s of zero
 * or not below the order. Returns ZKR_OK, ZKR_ERR_SIGNATURE, ZKR_ERR_UNSUPPORTED.
 */
zkr_err zkr_ecdsa_normalize(zkr_key_type t, uint8_t sig[ZKR_SIG_BYTES], int *was_high) ZKR_WUR;

/*
 * Recovers the Ethereum address from a 65-byte r||s||v signature over a
 * digest; v must be 27 or 28 and s low. Returns ZKR_OK, ZKR_ERR_SIGNATURE.
 */
zkr_err zkr_eth_recover(const uint8_t digest[32], const uint8_t sig[ZKR_ETH_SIG_BYTES],
                        uint8_t addr[ZKR_ETH_ADDR_BYTES]) ZKR_WUR;

/*
 * Finds v for a low-s secp256k1 r||s over digest by trial recovery against
 * the expected public key (33 bytes compressed); writes r||s||v.
 * Returns ZKR_OK, ZKR_ERR_SIGNATURE (no recovery id gives the key).
 */
zkr_err zkr_eth_sig_from_rs(const uint8_t digest[32], const uint8_t rs[ZKR_SIG_BYTES],
                            const zkr_pubkey *k, uint8_t out[ZKR_ETH_SIG_BYTES]) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Key files (file: keys)                                              */
/* ------------------------------------------------------------------ */
/*
 * A key file is JSON, sorted keys, compact:
 *   {"format":"zkreg-key/v1","public":"TYPE:HEX","sealed":"BASE64"}
 * where sealed = zkr_seal(type byte || 32-byte secret, label
 * "zkreg/signing-key/v1"). On open, the public key derived from the secret
 * must equal "public", so a file whose public half was swapped is refused.
 */
#define ZKR_KEYFILE_MAX 8192

/*
 * Makes a fresh key of type t (ed25519 or secp256k1), sealed under pass
 * (`fast` selects Argon2id INTERACTIVE limits, for tests and benches).
 * out receives the file's bytes; pub the public key.
 * Returns ZKR_OK, ZKR_ERR_UNSUPPORTED (type), ZKR_ERR_NOMEM, ZKR_ERR_INTERNAL.
 * Secret: pass, and the key that never leaves sodium_malloc'ed memory.
 */
zkr_err zkr_keyfile_generate(zkr_key_type t, const uint8_t *pass, size_t pass_len, int fast,
                             zkr_buf *out, zkr_pubkey *pub, zkr_diag *d) ZKR_WUR;

/* Reads the (unauthenticated) public key of a key file without the passphrase. */
zkr_err zkr_keyfile_public(const uint8_t *file, size_t len, zkr_pubkey *pub,
                           zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Signers                                                             */
/* ------------------------------------------------------------------ */

typedef struct zkr_signer zkr_signer;

typedef struct {
    const zkr_secret *passphrase; /* file: keys; already read (e.g. from a descriptor), or NULL */
    const char *passphrase_path; /* file: keys; NULL: $ZKREG_PASSPHRASE_FILE, then the TTY */
    const char *hsm_helper_path; /* pkcs11: keys; NULL: zkr_hsm_helper_path() */
    const char *registry_path;   /* pkcs11: keys; the helper refuses paths exposing it */
    const char *eth_address;     /* external:eip712: the registered signer address */
} zkr_signer_opts;

/*
 * Opens a signing key by URI (file:PATH, pkcs11:..., external:eip712).
 * Returns ZKR_OK; ZKR_ERR_MALFORMED (URI, key file); ZKR_ERR_PASSPHRASE
 * (wrong passphrase or PIN, tampered file); ZKR_ERR_KEY (public half does
 * not match, unsupported type); ZKR_ERR_HSM; ZKR_ERR_NOT_FOUND; ZKR_ERR_IO;
 * ZKR_ERR_USAGE (no passphrase source, external without an address).
 * Secret: the key (sodium_malloc'ed, mprotect'ed noaccess between uses).
 */
zkr_err zkr_signer_open(const char *uri, const zkr_signer_opts *o, zkr_signer **out,
                        zkr_diag *d) ZKR_WUR;

/* Wipes and frees (stops an HSM helper). Accepts NULL. */
void zkr_signer_free(zkr_signer *s);

/* The signer's public key (eth type for external:eip712). */
const zkr_pubkey *zkr_signer_pubkey(const zkr_signer *s);

/* 1 for external:eip712 signers, which cannot sign here. */
int zkr_signer_is_external(const zkr_signer *s);

/*
 * Signs msg as the signature table says (ECDSA hashes with SHA-256 and
 * returns low-s). Returns ZKR_OK, ZKR_ERR_HSM, ZKR_ERR_PASSPHRASE,
 * ZKR_ERR_UNSUPPORTED (external signer), ZKR_ERR_INTERNAL.
 * `was_high` (may be NULL) tells whether the raw ECDSA signature was high-s.
 */
zkr_err zkr_signer_sign(zkr_signer *s, const uint8_t *msg, size_t len,
                        uint8_t sig[ZKR_SIG_BYTES], int *was_high, zkr_diag *d) ZKR_WUR;

/*
 * Signs a 32-byte digest for Ethereum (secp256k1 keys only): low-s r||s||v
 * with v in {27, 28} found by trial recovery. Returns as zkr_signer_sign,
 * and ZKR_ERR_UNSUPPORTED for other key types.
 */
zkr_err zkr_signer_sign_eth(zkr_signer *s, const uint8_t digest[32],
                            uint8_t sig[ZKR_ETH_SIG_BYTES], zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Attestation payload: in-toto Statement v1                           */
/* ------------------------------------------------------------------ */

#define ZKR_ATTEST_PREDICATE_TYPE "https://zkreg.dev/attestation/v1"
#define ZKR_ATTEST_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define ZKR_ATTEST_TEXT_MAX 128

/*
 * The facts the attest glue recomputed from the registry (never taken from
 * the proof or the caller). Strings are printable ASCII without '@' in the
 * schema name, at most ZKR_ATTEST_TEXT_MAX bytes.
 */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint8_t proof_sha256[ZKR_DIGEST_BYTES];
    uint8_t program_sha256[ZKR_DIGEST_BYTES];
    uint8_t model_sha256[ZKR_DIGEST_BYTES];
    uint8_t dataset_sha256[ZKR_DIGEST_BYTES];
    char schema_name[ZKR_ATTEST_TEXT_MAX + 1];
    char schema_version[ZKR_ATTEST_TEXT_MAX + 1];
    uint8_t schema_digest[ZKR_DIGEST_BYTES];
    char verifier_version[ZKR_ATTEST_TEXT_MAX + 1];
    int accepted; /* the verifier accepted the proof: must be 1 to sign */
    uint64_t log_index; /* index of the proof's verification entry in the log */
    char checkpoint_origin[ZKR_ATTEST_TEXT_MAX + 1];
    uint64_t checkpoint_size; /* a checkpoint that includes log_index */
    uint8_t checkpoint_root[ZKR_DIGEST_BYTES];
    int64_t time; /* seconds since the epoch, UTC; >= 0 */
} zkr_attest_facts;

/*
 * Checks facts for signing: text fields valid, accepted == 1, log_index <
 * checkpoint_size, time >= 0. Returns ZKR_OK, ZKR_ERR_MALFORMED naming the field,
 * ZKR_ERR_VERIFY (accepted != 1).
 */
zkr_err zkr_attest_facts_check(const zkr_attest_facts *f, zkr_diag *d) ZKR_WUR;

/*
 * The in-toto Statement v1 payload, canonical JSON (sorted keys, compact,
 * UTF-8): the same facts always give the same bytes.
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (facts), ZKR_ERR_NOMEM.
 */
zkr_err zkr_attest_payload(const zkr_attest_facts *f, zkr_buf *out, zkr_diag *d) ZKR_WUR;

/*
 * Parses a payload strictly: exactly the fields zkr_attest_payload writes,
 * the known predicate type, and byte-identical to its own re-encoding (so
 * there is exactly one accepted form of each set of facts).
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (naming the field), ZKR_ERR_UNSUPPORTED
 * (another predicate type or major version).
 */
zkr_err zkr_attest_payload_parse(const uint8_t *p, size_t len, zkr_attest_facts *out,
                                 zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* EIP-712                                                             */
/* ------------------------------------------------------------------ */

/*
 * The EIP-712 domain version, which names the ZkregAttestation struct:
 * version 2 added checkpointOrigin. Only this version is signed or verified.
 */
#define ZKR_EIP712_VERSION "2"

typedef struct {
    char name[ZKR_ATTEST_TEXT_MAX + 1];    /* default "zkreg" */
    char version[ZKR_ATTEST_TEXT_MAX + 1]; /* ZKR_EIP712_VERSION */
    uint64_t chain_id;
    uint8_t verifying_contract[ZKR_ETH_ADDR_BYTES];
} zkr_eip712_domain;

/*
 * Reads a domain config: {"chainId":N,"verifyingContract":"0x..",
 * "name":"..","version":".."} (name and version optional; a version other
 * than ZKR_EIP712_VERSION is refused). Unknown fields are refused.
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND, ZKR_ERR_IO, ZKR_ERR_MALFORMED,
 * ZKR_ERR_UNSUPPORTED (another domain version).
 */
zkr_err zkr_eip712_domain_load(const char *path, zkr_eip712_domain *out, zkr_diag *d) ZKR_WUR;

/*
 * Parses a domain object as written in attestations and batch files
 * ({"chainId","name","verifyingContract","version"}, all four, nothing
 * else; version ZKR_EIP712_VERSION). `what` names it in messages.
 * Returns ZKR_OK, ZKR_ERR_MALFORMED, ZKR_ERR_UNSUPPORTED (version).
 */
zkr_err zkr_eip712_domain_parse(const char *json, size_t len, const char *what,
                                zkr_eip712_domain *out, zkr_diag *d) ZKR_WUR;

/*
 * Generic EIP-712 hashing of eth_signTypedData_v4 JSON ({types, primaryType,
 * domain, message}; EIP712Domain may be absent, then it is derived from the
 * domain's keys). Supports structs, (multi-dimensional) arrays, bytesN,
 * (u)intN (JSON numbers or decimal/0x strings, range checked), bool,
 * address, string, bytes.
 * encoded (may be NULL) receives encodeData(primaryType, message).
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (naming the type/field), ZKR_ERR_TOO_LARGE.
 */
zkr_err zkr_eip712_hash_json(const char *json, size_t len, zkr_buf *encoded,
                             uint8_t digest[32], zkr_diag *d) ZKR_WUR;

/*
 * The attestation's typed data ("ZkregAttestation", with the binding fields
 * of zkr_attest_facts, checkpointOrigin included) as wallets expect it
 * (eth_signTypedData_v4), canonical JSON. Returns ZKR_OK, ZKR_ERR_MALFORMED
 * (facts), ZKR_ERR_UNSUPPORTED (domain version not ZKR_EIP712_VERSION),
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_attest_eip712_json(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                               zkr_buf *out, zkr_diag *d) ZKR_WUR;

/* The EIP-712 digest of that typed data. Returns as zkr_attest_eip712_json. */
zkr_err zkr_attest_eip712_digest(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                                 uint8_t digest[32], zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* DSSE envelope                                                       */
/* ------------------------------------------------------------------ */

#define ZKR_DSSE_MAX_SIGS 16
#define ZKR_DSSE_MAX_BYTES (1u << 20) /* an envelope file */

/* PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body. */
zkr_err zkr_dsse_pae(const char *type, size_t type_len, const uint8_t *body, size_t len,
                     zkr_buf *out) ZKR_WUR;

typedef struct {
    char keyid[ZKR_KEYID_HEX + 1];
    uint8_t sig[ZKR_ETH_SIG_BYTES]; /* 64 bytes, or 65 for eth keys */
    size_t sig_len;
    int has_eip712; /* an EIP-712 companion (secp256k1 and eth keys) */
    zkr_eip712_domain domain;
    uint8_t eth_sig[ZKR_ETH_SIG_BYTES];
    uint8_t eth_address[ZKR_ETH_ADDR_BYTES];
} zkr_dsse_sig;

typedef struct {
    char payload_type[64];
    zkr_buf payload;
    size_t nsigs;
    zkr_dsse_sig sigs[ZKR_DSSE_MAX_SIGS];
} zkr_envelope;

/*
 * Envelope JSON (sorted keys, compact):
 * {"payload":B64,"payloadType":T,"signatures":[{"keyid":K,"sig":B64
 *  [,"eip712":{"address":"0x..","chainId":N,"name":..,"signature":"0x..",
 *  "verifyingContract":"0x..","version":..}]}]}
 */
zkr_err zkr_envelope_encode(const zkr_envelope *e, zkr_buf *out) ZKR_WUR;

/*
 * Parses strictly: no unknown or duplicate fields, strict base64, 1 to
 * ZKR_DSSE_MAX_SIGS signatures, lengths checked. Returns ZKR_OK,
 * ZKR_ERR_MALFORMED (naming the field), ZKR_ERR_TOO_LARGE.
 */
zkr_err zkr_envelope_parse(const uint8_t *p, size_t len, zkr_envelope *out,
                           zkr_diag *d) ZKR_WUR;

/* Frees the payload; accepts NULL. */
void zkr_envelope_free(zkr_envelope *e);

/* ------------------------------------------------------------------ */
/* Signing attestations                                                */
/* ------------------------------------------------------------------ */

/*
 * Signs the facts' payload with s and writes the attestation (an envelope)
 * into out. For secp256k1 signers `dom` (may be NULL: no companion) adds
 * the EIP-712 companion signature. Call this only after every binding rule
 * held. Returns ZKR_OK, ZKR_ERR_MALFORMED/ZKR_ERR_VERIFY (facts),
 * ZKR_ERR_UNSUPPORTED (external signer: use the request functions), key errors.
 */
zkr_err zkr_attest_sign(zkr_signer *s, const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                        zkr_buf *out, zkr_diag *d) ZKR_WUR;

/*
 * Adds s's signature to an existing attestation (same payload, one more
 * signer). A key that already signed it is refused (ZKR_ERR_EXISTS).
 */
zkr_err zkr_attest_cosign(zkr_signer *s, const uint8_t *att, size_t att_len,
                          const zkr_eip712_domain *dom, zkr_buf *out, zkr_diag *d) ZKR_WUR;

/*
 * external:eip712, step 1: the signing request, JSON:
 * {"address":"0x..","format":"zkreg-eip712-request/v1","payload":B64,
 *  "typedData":{...}} where typedData is what the wallet signs.
 */
zkr_err zkr_attest_eip712_request(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                                  const uint8_t address[ZKR_ETH_ADDR_BYTES], zkr_buf *out,
                                  zkr_diag *d) ZKR_WUR;

/*
 * external:eip712, step 2: checks `sig_hex` (0x + 130 hex digits, r||s||v,
 * v 27/28 or 0/1) over the request's typed data (recomputed from its
 * payload, never taken from the request), requires ecrecover to give
 * `expected` (the registered signer address), and writes the attestation.
 * Returns ZKR_OK, ZKR_ERR_MALFORMED, ZKR_ERR_SIGNATURE (wrong signer,
 * high-s, bad v).
 */
zkr_err zkr_attest_import_signature(const uint8_t *request, size_t request_len,
                                    const char *sig_hex,
                                    const uint8_t expected[ZKR_ETH_ADDR_BYTES], zkr_buf *out,
                                    zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Verification and the gate                                           */
/* ------------------------------------------------------------------ */

/*
 * What only the registry (or an exported bundle) knows. The attest glue
 * fills this from the registry; zkr_evidence_load() fills it from an
 * offline evidence file. A NULL function means "cannot be checked here":
 * a rule that needs it then fails closed.
 * Each returns ZKR_OK, or the error of its class with the reason in d:
 *   statement: ZKR_ERR_NOT_FOUND, ZKR_ERR_MISMATCH_* (the registered
 *              statement differs from the facts);
 *   inclusion: ZKR_ERR_VERIFY (the facts' log entry/checkpoint is not
 *              consistent with the trusted log);
 *   revoked:   ZKR_ERR_REVOKED (the statement, an artifact or the key).
 */
/*
 * What an attested statement claims, for the gate's evaluation rule.
 * is_evaluation is 0 for statements of another proof kind (proof_kind
 * names it); the other fields are then 0.
 */
typedef struct zkr_eval_claim {
    char proof_kind[ZKR_ATTEST_TEXT_MAX + 1];
    int is_evaluation;
    uint64_t dataset_records; /* the bound dataset's record count */
    uint64_t first, count;    /* the statement's record range, count resolved */
    unsigned mode;            /* 0 exact count, 1 "correct >= value" */
    uint64_t out_count, value; /* the public output's record count and value */
} zkr_eval_claim;

typedef struct {
    void *ctx;
    zkr_err (*statement)(void *ctx, const zkr_attest_facts *f, zkr_diag *d);
    zkr_err (*inclusion)(void *ctx, const zkr_attest_facts *f, zkr_diag *d);
    zkr_err (*revoked)(void *ctx, const zkr_attest_facts *f, const zkr_pubkey *key,
                       zkr_diag *d);
    /*
     * evaluation: the claim of the attested statement (kind, record range,
     * public output), read from the registered statement after its row,
     * schema row and artifact rows were checked against the log leaves that
     * registered them. ZKR_ERR_NOT_FOUND, ZKR_ERR_MISMATCH_* (the statement
     * differs from the facts), ZKR_ERR_REGISTRY (a row disagrees with its leaf).
     */
    zkr_err (*evaluation)(void *ctx, const zkr_attest_facts *f, zkr_eval_claim *out,
                          zkr_diag *d);
} zkr_attest_registry;


/*
 * Offline evidence (`zkreg log evidence` writes it), JSON:
 * {"format":"zkreg-evidence/v2",
 *  "checkpoint":{"origin":S,"size":N,"root":HEX,        trusted checkpoint, with the
 *                "revocations":{"count":C,"digest":HEX}}, signed note's revocation set
 *  "consistency":[{"size":M,"root":HEX,"path":[HEX..]}], older checkpoints, each
 *                                                       proven consistent with it
 *  "inclusion":[zkreg-log-inclusion/v1 documents of "proof" log entries],
 *  "revocations":[{"index":I,"leaf":B64,"path":[HEX..]}], every revocation leaf
 *                                                       below the trusted size
 *  "note":TEXT}                                         the signed checkpoint note
 *                                                       (optional; see zkr_evidence_note)
 * revocations: each leaf must be included in the trusted tree and together
 * they must be exactly the committed set (count and zkr_revset digest), or
 * the file is refused (ZKR_ERR_VERIFY). Without the set (or with v1
 * evidence, whose "revoked" lists are never trusted) the revoked function
 * fails closed.
 * inclusion: the facts' checkpoint (origin, size, root) must be the trusted
 * one or a proven older one, and an inclusion document for (log_index, that
 * size) must decode to a "proof" leaf recording the facts' statement_id,
 * proof digest and verifier version, and verify against the facts'
 * checkpoint root. revoked: the key id, the statement, the five subjects'
 * and the schema's digests are looked up, and the facts' verifier version
 * against "verifiers" (zkr_verifier_revoked_in).
 * There is no statement function offline (it needs the registry).
 * Returns ZKR_OK, ZKR_ERR_MALFORMED, ZKR_ERR_VERIFY (a consistency proof
 * fails), ZKR_ERR_UNSUPPORTED (format), ZKR_ERR_NOMEM.
 */
typedef struct zkr_evidence zkr_evidence;
zkr_err zkr_evidence_load(const uint8_t *p, size_t len, zkr_evidence **out,
                          zkr_diag *d) ZKR_WUR;
void zkr_evidence_free(zkr_evidence *e);
/*
 * The signed checkpoint note the evidence carries ("note", written by
 * `zkreg log evidence`), or NULL (*len 0). The signer cannot check C2SP
 * notes; the caller verifies it with the trusted log key and then calls
 * zkr_evidence_match_checkpoint with what the note says.
 */
const uint8_t *zkr_evidence_note(const zkr_evidence *e, size_t *len);

/*
 * Whether the evidence's trusted checkpoint is exactly the given one (a
 * verified note's origin, size, root) and its proven-complete revocation
 * set is the one that note commits to. Returns ZKR_OK, ZKR_ERR_VERIFY.
 */
zkr_err zkr_evidence_match_checkpoint(const zkr_evidence *e, const char *origin, uint64_t size,
                                      const uint8_t root[32], int has_revocations,
                                      uint64_t revocation_count,
                                      const uint8_t revocation_digest[32], zkr_diag *d) ZKR_WUR;

/* Fills reg's inclusion and revoked functions from e (statement stays NULL). */
void zkr_evidence_registry(zkr_evidence *e, zkr_attest_registry *reg);

/* A signature's outcome in a verification. */
typedef struct {
    char keyid[ZKR_KEYID_HEX + 1];
    int trusted;    /* its key is one of the trusted keys */
    int valid;      /* its signature (and EIP-712 companion, if any) verified */
    int trusted_ix; /* index into the trusted keys, -1 if none */
    int signer_ix;  /* the first trusted key with the same signer identity, -1 if none */
} zkr_sig_outcome;

typedef struct {
    zkr_attest_facts facts;
    size_t nsigs;
    zkr_sig_outcome sigs[ZKR_DSSE_MAX_SIGS];
    size_t nvalid; /* distinct signer identities among valid signatures by trusted keys */
} zkr_attest_result;

/*
 * Verifies an attestation: the envelope and payload strictly, then every
 * signature against the trusted key its key id names; res->nvalid counts
 * signer identities (zkr_pubkey_identity), so one key's secp256k1 and eth
 * entries count once.
 * Returns ZKR_OK when at least one trusted key signed validly and no
 * signature by a trusted key failed; ZKR_ERR_SIGNATURE otherwise (tampered
 * payload, unknown key only); ZKR_ERR_MALFORMED; ZKR_ERR_UNSUPPORTED.
 * `reg` (may be NULL) adds its statement/revocation checks when present.
 */
zkr_err zkr_attest_verify(const uint8_t *att, size_t len, const zkr_pubkey *trusted,
                          size_t ntrusted, const zkr_attest_registry *reg,
                          zkr_attest_result *res, zkr_diag *d) ZKR_WUR;

#define ZKR_POLICY_MAX_KEYS 64
#define ZKR_POLICY_MAX_SCHEMAS 64
#define ZKR_POLICY_MAX_REVOKED_VERIFIERS 64

/*
 * A revoked verifier version as policies and evidence name it:
 * "KIND@VERSION", the kind holding its own '@' ("inference@1@0.1.0").
 * Checks the form (printable ASCII, a kind with one '@' and non-empty
 * parts, a version without '@') and copies the version out.
 * Returns ZKR_OK or ZKR_ERR_MALFORMED. Thread safe.
 */
zkr_err zkr_verifier_ref_parse(const char *ref, char version[ZKR_ATTEST_TEXT_MAX + 1]) ZKR_WUR;

/*
 * Whether an attestation under verifier `version` is refused by a list of
 * revoked "KIND@VERSION" entries. An attestation does not name its proof
 * kind, so an entry refuses every attestation of its VERSION (fail closed);
 * the registry-backed check, which knows the statement's kind, is exact.
 * Returns the index of the first matching entry, or -1.
 */
long zkr_verifier_revoked_in(const char (*list)[2 * ZKR_ATTEST_TEXT_MAX + 2], size_t n,
                             const char *version);

/*
 * A gate policy, JSON:
 * {"format":"zkreg-policy/v1","trusted_keys":["TYPE:HEX",..],"threshold":M,
 *  "schemas":["name@version" | "name@*",..],"max_age_seconds":N,
 *  "require_log_inclusion":true|false,"check_revocation":true|false}
 * Every field is required: a policy without max_age_seconds or
 * check_revocation is refused (ZKR_ERR_MALFORMED) rather than read as
 * "no limit" or "off". trusted_keys may not name one signer twice (a
 * secp256k1 key and its eth address are one signer, zkr_pubkey_identity).
 * "revoked_verifiers":["KIND@VERSION",..] (optional) lists verifier
 * versions the pipeline itself refuses, offline or not (exit 6; matched
 * on VERSION, see zkr_verifier_revoked_in).
 * "require_evaluation":{"dataset":"SHA256HEX","min_correct":K,
 * "record_first":F,"record_count":C} (optional; dataset and min_correct
 * >= 1 required, the range both or neither, count >= 1, unknown fields
 * refused) makes the gate require an evaluation@1 attestation
 * (zkr_gate_eval).
 */
typedef struct {
    zkr_pubkey keys[ZKR_POLICY_MAX_KEYS];
    size_t nkeys;
    uint32_t threshold;
    char schemas[ZKR_POLICY_MAX_SCHEMAS][2 * ZKR_ATTEST_TEXT_MAX + 2];
    size_t nschemas;
    int has_max_age;
    uint64_t max_age;
    int require_inclusion;
    int check_revocation;
    char revoked_verifiers[ZKR_POLICY_MAX_REVOKED_VERIFIERS][2 * ZKR_ATTEST_TEXT_MAX + 2];
    size_t nrevoked_verifiers;
    /* require_evaluation (optional): see zkr_gate_eval. */
    int require_evaluation;
    uint8_t eval_dataset[ZKR_DIGEST_BYTES]; /* the dataset's sha256 */
    uint64_t eval_min_correct;              /* >= 1 */
    int eval_has_range;                     /* 0: the whole dataset */
    uint64_t eval_first, eval_count;
} zkr_policy;

/* Parses strictly. Returns ZKR_OK, ZKR_ERR_MALFORMED naming the field. */
zkr_err zkr_policy_parse(const uint8_t *p, size_t len, zkr_policy *out, zkr_diag *d) ZKR_WUR;

/* The gate's rules, in the order they are checked. */
typedef enum {
    ZKR_GATE_FORMAT = 1,    /* every attestation parses (exit 3) */
    ZKR_GATE_SAME_STATEMENT, /* all attest the same statement and proof (exit 1) */
    ZKR_GATE_THRESHOLD,     /* >= M distinct trusted keys signed validly (exit 1) */
    ZKR_GATE_SCHEMA,        /* schema name@version allowed (exit 1) */
    ZKR_GATE_MAX_AGE,       /* every counted attestation young enough (exit 6) */
    ZKR_GATE_INCLUSION,     /* log inclusion proven (exit 1) */
    ZKR_GATE_REVOCATION,    /* nothing revoked (exit 6) */
    ZKR_GATE_STATEMENT,     /* registered statement matches (exit 1/4) */
    ZKR_GATE_EVALUATION,    /* the required evaluation claim holds (exit 1) */
} zkr_gate_rule;

/* "format", "same-statement", "threshold", ... */
const char *zkr_gate_rule_name(zkr_gate_rule r);

typedef struct {
    zkr_gate_rule failed_rule; /* 0 when the gate passed */
    zkr_err err;
    char message[ZKR_DIAG_BYTES];
    size_t nattestations;
    size_t distinct_keys; /* distinct trusted keys with a valid signature */
    uint32_t threshold;
    char keyids[ZKR_POLICY_MAX_KEYS][ZKR_KEYID_HEX + 1]; /* those keys */
    zkr_attest_facts facts; /* of the first attestation that parsed */
    int evaluated;          /* require_evaluation held: eval and eval_statement are set */
    zkr_eval_claim eval;
    uint8_t eval_statement[ZKR_DIGEST_BYTES];
} zkr_gate_report;

/*
 * Runs the gate over n attestations (file contents). `now` is the current
 * time in seconds. Returns ZKR_OK only when every rule holds; otherwise the
 * error of the first failing rule (report says which): ZKR_ERR_MALFORMED,
 * ZKR_ERR_POLICY, ZKR_ERR_MISMATCH_SCHEMA, ZKR_ERR_EXPIRED, ZKR_ERR_VERIFY,
 * ZKR_ERR_REVOKED, the statement function's error.
 */
zkr_err zkr_gate(const zkr_policy *pol, const zkr_buf *atts, size_t n, int64_t now,
                 const zkr_attest_registry *reg, zkr_gate_report *rep) ZKR_WUR;

/*
 * zkr_gate plus the policy's require_evaluation: the ne evaluation
 * attestations `evals` pass every rule above on their own (one statement,
 * threshold, schema, max-age, log-inclusion, revocation, statement), and
 * then (rule "evaluation", ZKR_ERR_POLICY unless said) their statement,
 * read through reg->evaluation (NULL: fails closed, ZKR_ERR_VERIFY), is an
 * evaluation@1 statement of the release attestations' model over the
 * policy's dataset and range (default: every record of the dataset) whose
 * proven claim implies >= min_correct correct (exact count >= K, or
 * "correct >= tau" with tau >= K). With require_evaluation and ne == 0 the
 * gate fails (rule "evaluation"); evaluation attestations without
 * require_evaluation are ZKR_ERR_USAGE (they would be ignored). zkr_gate is
 * zkr_gate_eval with ne == 0.
 */
zkr_err zkr_gate_eval(const zkr_policy *pol, const zkr_buf *atts, size_t n, const zkr_buf *evals,
                      size_t ne, int64_t now, const zkr_attest_registry *reg,
                      zkr_gate_report *rep) ZKR_WUR;

/* The report as canonical JSON (for --json). */
zkr_err zkr_gate_report_json(const zkr_gate_report *rep, zkr_buf *out) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* On chain (docs/onchain.md): ZkregAttestationRegistry's inputs       */
/* ------------------------------------------------------------------ */

#define ZKR_BATCH_MAX 65536      /* attestations in one batch */
#define ZKR_MERKLE_MAX_PATH 64   /* audit path length bound */

/*
 * hashStruct(ZkregAttestation) of facts f: the contract's
 * hashAttestation(a) and a batch tree's leaf content. dom only selects the
 * struct version (ZKR_EIP712_VERSION). Returns as zkr_attest_eip712_digest.
 */
zkr_err zkr_attest_struct_hash(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                               uint8_t out[32], zkr_diag *d) ZKR_WUR;

/* The batch zkreg attest-root signs: ZkregBatch(bytes32 root,uint64 count,uint64 time). */
typedef struct {
    uint8_t root[32];
    uint64_t count;
    uint64_t time;
} zkr_eth_batch;

/*
 * The EIP-712 digest of batch b under dom. Returns ZKR_OK,
 * ZKR_ERR_UNSUPPORTED (domain version), ZKR_ERR_NOMEM.
 */
zkr_err zkr_eth_batch_digest(const zkr_eth_batch *b, const zkr_eip712_domain *dom,
                             uint8_t digest[32], zkr_diag *d) ZKR_WUR;

/*
 * RFC 6962 Merkle tree hash with keccak256 over n >= 1 leaf contents
 * (leaf = keccak(0x00 || content), node = keccak(0x01 || l || r)).
 * Returns ZKR_OK, ZKR_ERR_USAGE (n == 0 or over ZKR_BATCH_MAX), ZKR_ERR_NOMEM.
 */
zkr_err zkr_eth_merkle_root(const uint8_t (*leaves)[32], size_t n, uint8_t root[32]) ZKR_WUR;

/*
 * The RFC 6962 audit path of leaf `index` among n leaves (at most
 * ZKR_MERKLE_MAX_PATH hashes into path, *len set). Returns as
 * zkr_eth_merkle_root, and ZKR_ERR_USAGE for index >= n.
 */
zkr_err zkr_eth_merkle_path(const uint8_t (*leaves)[32], size_t n, size_t index,
                            uint8_t path[ZKR_MERKLE_MAX_PATH][32], size_t *len) ZKR_WUR;

/*
 * ABI-encoded calls of ZkregAttestationRegistry (selector included):
 * submit(ZkregAttestation, bytes[] sigs) with nsigs 65-byte signatures;
 * submitBatch(ZkregBatch, bytes[] sigs);
 * proveIncluded(ZkregAttestation, bytes32 root, uint64 index, bytes32[] path).
 * out is replaced. Returns ZKR_OK, ZKR_ERR_MALFORMED (facts), ZKR_ERR_NOMEM,
 * ZKR_ERR_TOO_LARGE.
 */
zkr_err zkr_eth_calldata_submit(const zkr_attest_facts *f, const uint8_t (*sigs)[ZKR_ETH_SIG_BYTES],
                                size_t nsigs, zkr_buf *out, zkr_diag *d) ZKR_WUR;
zkr_err zkr_eth_calldata_submit_batch(const zkr_eth_batch *b,
                                      const uint8_t (*sigs)[ZKR_ETH_SIG_BYTES], size_t nsigs,
                                      zkr_buf *out, zkr_diag *d) ZKR_WUR;
zkr_err zkr_eth_calldata_prove_included(const zkr_attest_facts *f, const uint8_t root[32],
                                        uint64_t index, const uint8_t (*path)[32], size_t plen,
                                        zkr_buf *out, zkr_diag *d) ZKR_WUR;

#endif /* ZKR_SIGNER_H */
