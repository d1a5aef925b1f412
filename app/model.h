/*
 * Private models: the model owner's workflow (app/model.c) without the
 * command line. `model commit` runs on the owner's machine with no
 * registry: it commits the quantized weights with the version 2 (hiding)
 * model commitment (zk/zk.h, "inference@2") and seals the opening; the
 * appliance registers only the public commitment (`register-model
 * --commitment`), so its registry row never needs a weight.
 */
#ifndef ZKR_APP_MODEL_H
#define ZKR_APP_MODEL_H

#include "app/app.h"

#define ZKR_MODEL_SECRETS_LABEL "zkreg/model-secrets/v1"
#define ZKR_MODEL_SECRETS_VERSION 1u
/* The sealed payload: u32 version | opening[40] | model sha256[32] | commitment digest[32]. */
#define ZKR_MODEL_SECRETS_BYTES 108u
/* Proofs a private model's commitment is blinded for by default (zkr_prover_infer2_commit). */
#define ZKR_MODEL_BUDGET_DEFAULT 64u
#define ZKR_MODEL_BUDGET_MAX 4096u

/* What `model commit` made (all public). */
typedef struct {
    uint8_t model_sha256[ZKR_DIGEST_BYTES]; /* of the quantized model file */
    uint8_t commitment[ZKR_DIGEST_BYTES];   /* zkr_infer2_mc_digest: what the registry binds */
    uint8_t program[ZKR_DIGEST_BYTES];      /* the program digest inside the commitment */
    uint32_t n_layers, budget, proofs;       /* proofs: what the budget allows */
    size_t range_len;                       /* bytes of the model range proof file */
    size_t commitment_len;                  /* bytes of the commitment file */
} zkr_app_model_commit_info;

/*
 * model commit: decodes the quantized model file `model` (ZKRQMOD; anything
 * else is ZKR_ERR_MALFORMED naming what is expected), commits it blinded
 * for floor(budget / 2) proofs' openings per layer plus the range proof's
 * one (`budget | 1`, 1..ZKR_MODEL_BUDGET_MAX; seed NULL: OS CSPRNG, else
 * derived from the seed, so the same model, seed and budget give the same
 * commitment, range proof and ledger entry), proves the model range proof
 * (zk/model_range.h; an entry out of range is ZKR_ERR_MALFORMED naming it)
 * and writes the commitment (0644), the range proof to range_path (0644)
 * and the opening sealed under pass (0600; `fast`: the weaker KDF, tests
 * only). No file is ever replaced (ZKR_ERR_EXISTS, nothing written); the
 * secrets, then the range proof are written first and removed again when
 * the commitment cannot be. No registry is opened. Secret: pass, seed, the
 * opening (wiped). A dense model's codewords (and its range proof) are
 * made at parameter set `set`: set 1 writes a version 2 commitment, the
 * rate-1/8 and 1/16 sets version 3 (naming the set; inference@2 schemas at
 * that set prove with it). A graph model takes set 1 only (USAGE
 * otherwise). Returns ZKR_OK, ZKR_ERR_USAGE, ZKR_ERR_EXISTS,
 * ZKR_ERR_NOT_FOUND, ZKR_ERR_MALFORMED, ZKR_ERR_UNSUPPORTED, ZKR_ERR_IO,
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_app_model_commit(zkr_app *app, const char *model, const char *commitment_path,
                             const char *secrets_path, const char *range_path,
                             const zkr_secret *pass, int fast, const zkr_secret *seed,
                             uint32_t budget, uint32_t set,
                             zkr_app_model_commit_info *info) ZKR_WUR;

/*
 * Reads and strictly decodes a model commitment file (zkr_infer2_mc_decode)
 * into enc (cleared first) and its digest. Returns ZKR_OK,
 * ZKR_ERR_NOT_FOUND, ZKR_ERR_IO, ZKR_ERR_MALFORMED (truncated, trailing
 * bytes, altered, another version), ZKR_ERR_NOMEM; the diag names the file.
 */
zkr_err zkr_app_model_commitment_read(zkr_app *app, const char *path, zkr_buf *enc,
                                      uint8_t digest[ZKR_DIGEST_BYTES]) ZKR_WUR;

/*
 * register-model --commitment FILE --program ID: checks FILE completely
 * (zkr_app_model_commitment_read) and against the registered program (its
 * digest and every layer's dimensions, ZKR_ERR_MISMATCH_PROGRAM) before
 * anything is written, keeps the commitment bytes in the store beside the
 * registry and registers the private model (zkr_registry_model_add_private;
 * a revoked program is ZKR_ERR_REVOKED, checked in the write transaction).
 * range_path (NULL: none, the caller's --no-range-proof) names the model
 * range proof, verified after those checks in the confined "mrange-verify"
 * worker and kept beside the commitment (ZKR_APP_MRANGE_SUFFIX): missing
 * is ZKR_ERR_NOT_FOUND, malformed ZKR_ERR_MALFORMED, another commitment's
 * ZKR_ERR_MISMATCH_MODEL, not verifying ZKR_ERR_VERIFY. A refusal leaves
 * the registry and its store unchanged.
 */
zkr_err zkr_app_register_model_commitment(zkr_app *app, zkr_registry *reg, const char *file,
                                          const char *range_path, const char *name,
                                          const char *program_ref, zkr_artifact *out) ZKR_WUR;

/* The stored model range proof beside the commitment: REGISTRY.d/models/HEX(sha).mrange. */
#define ZKR_APP_MRANGE_SUFFIX ".mrange"

/*
 * attest of inference@2: the private model of st must have a stored range
 * proof (zk/model_range.h) that verifies, now, in the confined
 * "mrange-verify" worker against the stored commitment (checked against
 * the registered digest) and the registered program's dimensions. Never a
 * registry flag. ZKR_OK; ZKR_ERR_UNSUPPORTED (no range proof, or one that
 * does not verify: the message says which), ZKR_ERR_REGISTRY (the stored
 * commitment differs), ZKR_ERR_SANDBOX, ZKR_ERR_TIMEOUT, NOMEM, IO.
 */
zkr_err zkr_app_model_range_check(zkr_app *app, const zkr_statement *st) ZKR_WUR;

/* The "mrange-verify" worker (sandboxed, verifier policy): zkr_mrange_verify on the request. */
zkr_err zkr_app_worker_mrange_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                     zkr_diag *d);

/* A private model's secrets, unsealed (sodium_malloc'ed; free with zkr_app_model_secrets_free). */
typedef struct {
    uint8_t *opening; /* ZKR_INFER2_OPENING_BYTES, secret */
    uint8_t model_sha256[ZKR_DIGEST_BYTES];
    uint8_t commitment[ZKR_DIGEST_BYTES];
} zkr_app_model_secrets;

/*
 * Unseals the secrets file `path` under pass. Returns ZKR_OK,
 * ZKR_ERR_NOT_FOUND, ZKR_ERR_MALFORMED (not model secrets: size, magic,
 * version), ZKR_ERR_PASSPHRASE (wrong passphrase, altered, sealed for
 * another purpose), ZKR_ERR_NOMEM. s is empty on failure.
 */
zkr_err zkr_app_model_secrets_load(zkr_app *app, const char *path, const zkr_secret *pass,
                                   zkr_app_model_secrets *s) ZKR_WUR;
void zkr_app_model_secrets_free(zkr_app_model_secrets *s);

#endif
