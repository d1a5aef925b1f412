/*
 * The attest glue (cli/cmd_attest.c): verify-before-sign against the
 * registry, signer key registration, and the registry-backed checks that
 * `zkreg verify-attestation` and `zkreg gate` run (docs/signing.md).
 */
#ifndef ZKR_CLI_ATTEST_GLUE_H
#define ZKR_CLI_ATTEST_GLUE_H

#include "cli.h"
#include "registry/registry.h"
#include "signer/signer.h"

/* Log event types this glue appends (registry event_append). */
#define ZKR_EVENT_KEY ZKR_EVENT_SIGNER_KEY    /* a registered signer public key (registry) */
#define ZKR_EVENT_ATTESTATION "attestation"   /* a signed attestation */
#define ZKR_EVENT_REFUSAL "attest-refusal"    /* a refused attempt: who, what, why */

/*
 * Fills `out` with callbacks that check attestation facts against the open
 * registry `reg` (which must outlive the callbacks): the statement as
 * registered (NOT_FOUND, MISMATCH_*), log inclusion (the facts' checkpoint
 * is a prefix of this registry's log, the entry at logIndex is the proof's
 * verification record and its audit path leads to the checkpoint root:
 * ZKR_ERR_VERIFY), and revocation of the statement, its artifacts, schema
 * and the signing key (ZKR_ERR_REVOKED).
 */
void zkr_cli_attest_registry(zkr_registry *reg, zkr_attest_registry *out);

/*
 * Looks up the registered signer key of k's signer identity (either name
 * of a secp256k1 key finds it). Returns ZKR_OK (*log_index set),
 * ZKR_ERR_NOT_FOUND, ZKR_ERR_REGISTRY.
 */
zkr_err zkr_cli_key_lookup(zkr_registry *reg, const zkr_pubkey *k, uint64_t *log_index,
                           zkr_diag *d) ZKR_WUR;

/*
 * `zkreg key register`: records signer public key `k` (a "signer-key"
 * event and its signer_key row, in one transaction with the revocation
 * check), idempotent: a key already registered is reported with its first
 * log index. Revoked with `zkreg revoke key KEYID`.
 * Returns ZKR_OK, ZKR_ERR_REVOKED (either name of the signer was revoked),
 * ZKR_ERR_CONFLICT (the signer is registered under its other name),
 * registry errors.
 */
zkr_err zkr_cli_key_register(zkr_cli *cli, const zkr_pubkey *k) ZKR_WUR;

/*
 * `zkreg revoke key REF`: the target a key revocation records, the signer
 * identity, so that revoking either name of a secp256k1 key revokes both.
 * REF is TYPE:HEX (any key), or a 64-hex key id or identity of a key
 * registered here (an unregistered key id cannot be mapped to its other
 * name, so it is refused rather than recorded half-way).
 * Returns ZKR_OK, ZKR_ERR_MALFORMED, ZKR_ERR_NOT_FOUND, ZKR_ERR_REGISTRY.
 */
zkr_err zkr_cli_key_target(zkr_registry *reg, const char *ref, uint8_t target[ZKR_DIGEST_BYTES],
                           zkr_diag *d) ZKR_WUR;

/*
 * Reads a passphrase from descriptor fd (its first line) into sodium_malloc'ed
 * memory (--passphrase-fd) and closes fd (cli/cmd_sign.c). Returns ZKR_OK,
 * ZKR_ERR_IO, ZKR_ERR_TOO_LARGE, ZKR_ERR_MALFORMED (empty), ZKR_ERR_NOMEM.
 */
zkr_err zkr_cli_read_pass_fd(zkr_cli *cli, int fd, zkr_secret *out) ZKR_WUR;

/*
 * A --trusted-key argument: TYPE:HEX (zkr_pubkey_parse) or file:KEYFILE
 * (the key file's public half). Returns ZKR_OK, ZKR_ERR_MALFORMED, or the
 * file's read error.
 */
zkr_err zkr_cli_trusted_key(zkr_cli *cli, const char *arg, zkr_pubkey *k) ZKR_WUR;

/*
 * Verify-before-sign for one (statement, proof) pair, as `zkreg attest`
 * does it up to signing (cli/cmd_attest.c): revocations and registration of
 * each of the nkeys signing keys, the verifier pin, the proof header and the
 * proof in the confined worker; then the verification is recorded and a
 * checkpoint that includes it taken (registry passphrase from
 * reg_pass_file or $ZKREG_PASSPHRASE_FILE). Fills f. A refusal is logged as
 * an "attest-refusal" event. Used by `zkreg attest-root`. Returns ZKR_OK or
 * the exit-code error of the first failing step.
 */
zkr_err zkr_cli_attest_facts(zkr_cli *cli, zkr_registry *reg, const char *statement,
                             const char *proof_path, const zkr_pubkey *keys, size_t nkeys,
                             const char *reg_pass_file, zkr_attest_facts *f) ZKR_WUR;

/*
 * Re-checks under the caller's write lock that `statement` still has
 * statement_id and that nothing it binds, nor any of the keys, is revoked
 * or unregistered (attest's registry rules). Returns ZKR_OK or the
 * refusal's error (ZKR_ERR_REVOKED, ZKR_ERR_KEY, ZKR_ERR_REGISTRY, ...).
 */
zkr_err zkr_cli_attest_recheck(zkr_cli *cli, zkr_registry *reg, const char *statement,
                               const uint8_t statement_id[32], const zkr_pubkey *keys,
                               size_t nkeys) ZKR_WUR;

#endif
