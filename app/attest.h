/*
 * The attest workflow (app/attest.c, app/attest_registry.c): verify-before-sign
 * registry, signer key registration, and the registry-backed checks that
 * `zkreg verify-attestation` and `zkreg gate` run (docs/signing.md).
 */
#ifndef ZKR_APP_ATTEST_H
#define ZKR_APP_ATTEST_H

#include "app/app.h"
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
void zkr_app_attest_registry(zkr_registry *reg, zkr_attest_registry *out);

/*
 * Looks up the registered signer key of k's signer identity (either name
 * of a secp256k1 key finds it). Returns ZKR_OK (*log_index set),
 * ZKR_ERR_NOT_FOUND, ZKR_ERR_REGISTRY.
 */
zkr_err zkr_app_key_lookup(zkr_registry *reg, const zkr_pubkey *k, uint64_t *log_index,
                           zkr_diag *d) ZKR_WUR;

/*
 * `zkreg key register`: records signer public key `k` (a "signer-key"
 * event and its signer_key row, in one transaction with the revocation
 * check) in the registry at app->registry_path, idempotent: a key already
 * registered comes back with row->existed set and its first log index.
 * Revoked with `zkreg revoke key KEYID`.
 * Returns ZKR_OK, ZKR_ERR_REVOKED (either name of the signer was revoked),
 * ZKR_ERR_CONFLICT (the signer is registered under its other name),
 * ZKR_ERR_MALFORMED, registry errors.
 */
zkr_err zkr_app_key_register(zkr_app *app, const zkr_pubkey *k, zkr_signer_key *row) ZKR_WUR;

/*
 * `zkreg revoke key REF`: the target a key revocation records, the signer
 * identity, so that revoking either name of a secp256k1 key revokes both.
 * REF is TYPE:HEX (any key), or a 64-hex key id or identity of a key
 * registered here (an unregistered key id cannot be mapped to its other
 * name, so it is refused rather than recorded half-way).
 * Returns ZKR_OK, ZKR_ERR_MALFORMED, ZKR_ERR_NOT_FOUND, ZKR_ERR_REGISTRY.
 */
zkr_err zkr_app_key_target(zkr_registry *reg, const char *ref, uint8_t target[ZKR_DIGEST_BYTES],
                           zkr_diag *d) ZKR_WUR;

/*
 * Verify-before-sign for one (statement, proof) pair, as `zkreg attest`
 * does it up to signing: revocations and registration of
 * each of the nkeys signing keys, the verifier pin, the proof header and the
 * proof in the confined worker; then the verification is recorded and a
 * checkpoint that includes it taken (registry passphrase from
 * reg_pass_file or $ZKREG_PASSPHRASE_FILE). Fills f. A refusal is logged as
 * an "attest-refusal" event. Used by `zkreg attest-root`. Returns ZKR_OK or
 * the exit-code error of the first failing step.
 */
zkr_err zkr_app_attest_facts(zkr_app *app, zkr_registry *reg, const char *statement,
                             const char *proof_path, const zkr_pubkey *keys, size_t nkeys,
                             const char *reg_pass_file, zkr_attest_facts *f) ZKR_WUR;

/*
 * Re-checks under the caller's write lock that `statement` still has
 * statement_id and that nothing it binds, nor any of the keys, is revoked
 * or unregistered (attest's registry rules). Returns ZKR_OK or the
 * refusal's error (ZKR_ERR_REVOKED, ZKR_ERR_KEY, ZKR_ERR_REGISTRY, ...).
 */
zkr_err zkr_app_attest_recheck(zkr_app *app, zkr_registry *reg, const char *statement,
                               const uint8_t statement_id[32], const zkr_pubkey *keys,
                               size_t nkeys) ZKR_WUR;

/*
 * The registry rules of DESIGN.md section 4 that need no proof: the
 * revocations (statement, artifacts, schema, verifier version and, when key
 * is non-NULL, the signing key), the key's registration and the verifier
 * pin. Returns ZKR_OK, ZKR_ERR_REVOKED, ZKR_ERR_KEY, ZKR_ERR_MISMATCH_VERIFIER
 * or a registry error.
 */
zkr_err zkr_app_attest_rules(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                             const zkr_pubkey *key) ZKR_WUR;

/*
 * Rules 1-3: the proof header (system, parameter set, kind and the
 * statement it names, a laundered proof refused with the binding it
 * differs in), then the proof in the confined "verify" worker.
 */
zkr_err zkr_app_attest_check_proof(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                    const zkr_buf *proof) ZKR_WUR;

/*
 * Appends an "attest-refusal" event (key id, statement reference and id,
 * proof digest, the error `why` and app->diag's message); a failure to log
 * is reported on stderr, not returned. Does nothing when reg is NULL.
 */
void zkr_app_attest_log_refusal(zkr_app *app, zkr_registry *reg, const zkr_pubkey *key, const char *stmt_ref,
                 const zkr_statement *st, const zkr_buf *proof, zkr_err why);

/* The attestation time: now, or $ZKREG_ATTEST_TIME in test builds. ZKR_ERR_USAGE if malformed. */
zkr_err zkr_app_attest_time(zkr_app *app, int64_t *t) ZKR_WUR;

/* Test builds: waits on the $ZKREG_TEST_ATTEST_PAUSE FIFO (race tests); else ZKR_OK at once. */
zkr_err zkr_app_attest_test_pause(zkr_app *app) ZKR_WUR;

/*
 * Opens the appliance key (passphrase from pass_file, else
 * $ZKREG_PASSPHRASE_FILE, else the TTY) when recording this proof needs a
 * new checkpoint; *key stays NULL when the record exists and a checkpoint
 * covers it. Free with zkr_appliance_key_free.
 */
zkr_err zkr_app_attest_appliance_key(zkr_app *app, zkr_registry *reg, const char *pass_file,
                      const zkr_statement *st, const zkr_buf *proof,
                      zkr_appliance_key **key) ZKR_WUR;

/*
 * Inside the caller's write transaction: records the verification of
 * proof, takes a checkpoint that covers it (signed with key when needed)
 * and fills the attestation facts f.
 */
zkr_err zkr_app_attest_fill_facts(zkr_app *app, zkr_registry *reg, const zkr_appliance_key *key,
                   const zkr_statement *st, const zkr_buf *proof, zkr_attest_facts *f) ZKR_WUR;

/* Appends the "attestation" event for attestation bytes att signed by key; *idx its index. */
zkr_err zkr_app_attest_log(zkr_app *app, zkr_registry *reg, const zkr_pubkey *key,
                        const zkr_attest_facts *f, const zkr_buf *att, uint64_t *idx) ZKR_WUR;

/* `zkreg attest`'s inputs (docs/signing.md; the options of the same names). */
typedef struct {
    const char *statement, *proof; /* the statement reference and the proof file */
    const char *key;               /* signer URI; NULL with eip712_json (nobody signs) */
    const char *out;               /* the attestation / request file; NULL or "-": stdout */
    const char *pass_file;         /* the key's passphrase file (else pass_fd, env, TTY) */
    const char *reg_pass_file;     /* the registry passphrase, for a new checkpoint */
    const char *domain;            /* EIP-712 domain file */
    const char *address;           /* external:eip712: the wallet's address */
    const char *import_sig;        /* --import-signature 0xSIG: complete `request` */
    const char *request;           /* the signing request this appliance wrote */
    int pass_fd;                   /* descriptor with the key's passphrase, or -1 */
    int eip712_json;               /* make the typed data a wallet signs, sign nothing */
} zkr_app_attest_opts;

/* What attest made: handed out only once the transaction that logged it commits. */
typedef struct {
    zkr_buf out;        /* the bytes made (attestation, request or typed data) */
    const char *what;   /* "attestation", "request", or NULL for typed data */
    uint64_t att_idx;   /* the attestation's log entry, when logged */
    int logged;         /* an attestation event was appended */
    int written;        /* opts->out was written (removed again when nothing committed) */
    int has_prev;       /* the file opts->out replaced is kept (hard link) at prev */
    char prev[4200];    /* put back when nothing committed, unlinked when it did */
    int committed;      /* the transaction committed: the fields below are set */
    int has_key;        /* key is the signer's (not set for typed data) */
    zkr_pubkey key;
    uint64_t proof_idx; /* the verification's log entry */
} zkr_app_attest_made;

/*
 * `zkreg attest`: verify-before-sign. Verifies the proof in the confined
 * verifier, checks every binding of DESIGN.md section 4 from the registry,
 * then, under the write lock, checks them again, records the verification
 * (and a checkpoint covering it), signs and logs the attestation, and
 * commits. A refusal is logged ("attest-refusal") and writes nothing.
 * With import_sig, completes a wallet's signing request instead. When out
 * is NULL or "-", nothing is written: made->out holds the bytes for the
 * caller to hand out after the commit. Free made with
 * zkr_app_attest_made_free, whatever the result.
 * Returns ZKR_OK (made->committed), ZKR_ERR_USAGE, the refusal's error
 * (ZKR_ERR_VERIFY, ZKR_ERR_MISMATCH_*, ZKR_ERR_REVOKED, ZKR_ERR_KEY, ...),
 * signer, I/O and registry errors.
 */
zkr_err zkr_app_attest(zkr_app *app, const zkr_app_attest_opts *o,
                       zkr_app_attest_made *made) ZKR_WUR;
void zkr_app_attest_made_free(zkr_app_attest_made *made);

/*
 * `zkreg attest --batch FILE`: one verify-before-sign per line of FILE
 * (JSON lines {"statement": REF, "proof": PATH[, "out": PATH]}; without
 * "out" the attestation goes to OUT_DIR/attestation-LINE.json), with ONE
 * opening of the signing key (passphrase read once) and, when a new
 * checkpoint is needed, one opening of the appliance key. Each proof is
 * verified in a FRESH confined worker (docs/sandbox.md says why no worker
 * is reused); every check of `zkreg attest` runs per line, and each line
 * commits on its own. A line that `attest` would refuse (unknown
 * statement, missing or malformed proof, binding mismatch, laundered or
 * tampered proof, revocation, unregistered key, ...) is logged as an
 * "attest-refusal" event and skipped; the batch goes on.
 * Returns ZKR_OK when every line was attested; ZKR_ERR_VERIFY (exit 1)
 * when any was refused (the others are attested); ZKR_ERR_MALFORMED /
 * ZKR_ERR_USAGE for a batch file that does not parse (nothing done); key,
 * registry and I/O errors that are not a line's refusal stop the batch
 * (lines before stay attested). on_line (may be NULL) hears each line's
 * outcome as it happens.
 */
typedef struct {
    uint64_t line;
    const char *statement;  /* as written in the file */
    const char *out;        /* the attestation file (attested) */
    int attested;
    zkr_err why;            /* refused: the error attest would have exited with */
    char message[512];      /* refused: the reason */
    uint64_t proof_idx;     /* attested: the verification's log entry */
    uint64_t att_idx;       /* attested: the attestation's log entry */
} zkr_app_attest_line;

typedef void (*zkr_app_attest_line_fn)(void *ctx, const zkr_app_attest_line *l, size_t done,
                                       size_t total);

typedef struct {
    const char *batch;         /* the JSON-lines file */
    const char *out_dir;       /* default directory of the attestations */
    const char *key;           /* signer URI (not external:, which signs nothing here) */
    const char *pass_file;     /* the key's passphrase file (else pass_fd, env, TTY) */
    const char *reg_pass_file; /* the registry passphrase, for new checkpoints */
    const char *domain;        /* EIP-712 domain file, or NULL */
    int pass_fd;               /* descriptor with the key's passphrase, or -1 */
    zkr_app_attest_line_fn on_line;
    void *ctx;
} zkr_app_attest_batch_opts;

typedef struct {
    size_t lines, attested, refused;
} zkr_app_attest_batch_result;

zkr_err zkr_app_attest_batch(zkr_app *app, const zkr_app_attest_batch_opts *o,
                             zkr_app_attest_batch_result *res) ZKR_WUR;

#endif
