/*
 * inference@2 through the product (app/infer2.c): `zkreg prove` of a
 * statement over a private model and a version 3 dataset, with the
 * owners' sealed secrets, counted in the registry's reveal-budget ledger; and
 * `zkreg output commit`, the hidden output's commitment and its sealed
 * opening, made before a hidden-output statement is registered.
 */
#ifndef ZKR_APP_INFER2_H
#define ZKR_APP_INFER2_H

#include "app/app.h"
#include "app/proof.h"
#include "zk/zk.h"

typedef struct {
    const char *out;             /* the proof file (0644, atomic) */
    const char *model_file;      /* the quantized model (the model owner's) */
    const char *model_secrets;   /* its sealed opening; counted by commitment */
    const char *dataset_file;    /* the records (the data owner's) */
    const char *dataset_secrets; /* the sealed v3 seed; counted by commitment */
    const char *output_secrets;  /* a hidden output's sealed opening; counted by commitment */
    const zkr_secret *pass;      /* unseals every secrets file */
    const uint8_t *zk_seed;      /* NULL: the OS CSPRNG */
    size_t zk_seed_len;
    uint32_t threads;
    int no_sandbox;
} zkr_app_infer2_opts;

/*
 * Proves inference@2 statement st (record `index`): unseals both secrets,
 * checks the model file, its secrets and the stored commitment against the
 * registered private model, rebuilds the record's commitment and path from
 * the data and the seed and checks them against the registered version 3
 * dataset, checks the model's output against the statement's (before any
 * reservation), reserves one proof of the model's and the record's
 * commitment in the registry's ledger (zkr_app_ledger_path, keyed by
 * commitment; the secrets' old ledgers imported; zkr_zkledger_reserve),
 * then proves in the confined "infer2-prove" worker and writes the proof.
 * A hidden output (schema public_output false) needs o->output_secrets
 * (zkr_app_output_commit's): they must be for the statement's model,
 * dataset, record and output commitment, and their opening must open that
 * commitment to the model's output (checked before the reservation); the
 * reservation then takes one opening of the output commitment too.
 * A refusal before the reservation spends nothing; nothing is written
 * unless the proof is complete. Returns ZKR_OK, ZKR_ERR_USAGE (a file
 * missing, output secrets missing or given for a public output),
 * ZKR_ERR_PASSPHRASE, ZKR_ERR_KEY (a secrets file open to group or others),
 * ZKR_ERR_MISMATCH_MODEL / _DATASET / _INPUT / _OUTPUT, ZKR_ERR_EXPIRED (a
 * budget spent), ZKR_ERR_MALFORMED (a damaged ledger or secrets file),
 * sandbox and I/O errors.
 */
zkr_err zkr_app_infer2_prove(zkr_app *app, const zkr_statement *st, uint64_t index,
                             const zkr_app_infer2_opts *o, zkr_app_prove_result *res) ZKR_WUR;

/*
 * A hidden output's secrets (docs/formats.md, "Output secrets"): the
 * sealed payload, big-endian, u32 version 1 | opening[40] | output
 * commitment[48] | model commitment digest[32] | dataset commitment
 * digest[32] | u64 record index, sealed with zkr_seal under
 * ZKR_OUTPUT_SECRETS_LABEL.
 */
#define ZKR_OUTPUT_SECRETS_LABEL "zkreg/output-secrets/v1"
#define ZKR_OUTPUT_SECRETS_VERSION 1u
#define ZKR_OUTPUT_SECRETS_BYTES 164u
/* The ledger kind of an output commitment (zkr_zkledger_id). */
#define ZKR_OUTPUT_LEDGER_KIND "output@1"

/* Unsealed output secrets; opening is sodium_malloc'ed (free with zkr_app_output_secrets_free). */
typedef struct {
    uint8_t *opening; /* ZKR_RECORD_OPENING_BYTES: u32 1 | u32 budget | key[32], secret */
    uint8_t oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES];
    uint8_t model_commitment[ZKR_DIGEST_BYTES]; /* the private model's (zkr_infer2_mc_digest) */
    uint8_t dataset[ZKR_DIGEST_BYTES];          /* the version 3 dataset's commitment digest */
    uint64_t record;
} zkr_app_output_secrets;

/*
 * Unseals the output secrets file `path` under pass (zkr_app_secrets_read:
 * a file open to group or others is ZKR_ERR_KEY). Decoded strictly: the
 * exact file size, the seal's magic, the payload's size and version, and
 * an output commitment zkr_infer2_oc_decode accepts. Returns ZKR_OK,
 * ZKR_ERR_NOT_FOUND, ZKR_ERR_KEY, ZKR_ERR_MALFORMED (truncated, trailing
 * bytes, not output secrets), ZKR_ERR_PASSPHRASE (wrong passphrase,
 * altered, sealed for another purpose), ZKR_ERR_NOMEM. s is empty on
 * failure.
 */
zkr_err zkr_app_output_secrets_load(zkr_app *app, const char *path, const zkr_secret *pass,
                                    zkr_app_output_secrets *s) ZKR_WUR;
void zkr_app_output_secrets_free(zkr_app_output_secrets *s);

typedef struct {
    const char *model, *dataset; /* registered private model and version 3 dataset (id or sha256) */
    uint64_t record;             /* the record_index the statement will bind */
    const char *model_file, *model_secrets, *dataset_file, *dataset_secrets;
    const char *out;     /* the output commitment (public, 0644, never replaced) */
    const char *secrets; /* the output secrets (0600, never replaced) */
    const zkr_secret *pass; /* unseals the owners' secrets and the seed, seals the output's */
    int fast;               /* the weaker KDF for the seal (tests only) */
    const uint8_t *zk_seed; /* NULL: the OS CSPRNG */
    size_t zk_seed_len;
} zkr_app_output_commit_opts;

typedef struct {
    uint8_t oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES];
    int64_t model_id, dataset_id;
    uint32_t out_dim;
} zkr_app_output_commit_info;

/*
 * `zkreg output commit`, by the party that holds the private model and the
 * record: checks the owners' files against the registered private model
 * and version 3 dataset exactly as a proof would (the model file is the
 * committed one, the records under the dataset secrets rebuild the
 * registered commitment), runs the model natively on `record`, commits its
 * logits with a fresh hiding output commitment (zkr_prover_infer2_output;
 * key from the OS CSPRNG, or with zk_seed derived from the seed, the model
 * commitment, the record's commitment and the logits: the same inputs give
 * the same commitment) and writes the secrets (0600, first) and the
 * commitment (0644). Neither file is ever replaced (ZKR_ERR_EXISTS, nothing
 * written); the registry is only read. The logits are never printed or
 * written in the clear. Returns ZKR_OK, ZKR_ERR_USAGE, ZKR_ERR_EXISTS,
 * ZKR_ERR_NOT_FOUND, ZKR_ERR_KEY, ZKR_ERR_PASSPHRASE, ZKR_ERR_MALFORMED,
 * ZKR_ERR_MISMATCH_MODEL / _DATASET / _INPUT, ZKR_ERR_IO, ZKR_ERR_NOMEM.
 */
zkr_err zkr_app_output_commit(zkr_app *app, const zkr_app_output_commit_opts *o,
                              zkr_app_output_commit_info *info) ZKR_WUR;

/* The confined worker (app/workers.c "infer2-prove"). */
zkr_err zkr_app_worker_infer2_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d) ZKR_WUR;

/*
 * The infer2-verify worker's request for statement st (record `index`) at
 * the schema's parameter set `set` (zkr_app_param_set_any):
 * every binding from the registry (program digest, the private model's
 * commitment digest, zkr_infer2_dataset_commitment of the version 3
 * dataset's count and root, the output or its commitment), never from the
 * proof. Returns ZKR_OK, ZKR_ERR_NOMEM, ZKR_ERR_INTERNAL.
 */
zkr_err zkr_app_infer2_verify_request(const zkr_statement *st, uint32_t set, uint64_t index,
                                      const uint8_t *proof, size_t proof_len,
                                      zkr_buf *req) ZKR_WUR;
zkr_err zkr_app_worker_infer2_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                     zkr_diag *d) ZKR_WUR;

#endif
