/*
 * inference@2 through the product (app/infer2.c): `zkreg prove` of a
 * statement over a private model and a version 3 dataset, with the
 * owners' sealed secrets and the reveal-budget ledgers beside them.
 */
#ifndef ZKR_APP_INFER2_H
#define ZKR_APP_INFER2_H

#include "app/app.h"
#include "app/proof.h"

typedef struct {
    const char *out;             /* the proof file (0644, atomic) */
    const char *model_file;      /* the quantized model (the model owner's) */
    const char *model_secrets;   /* its sealed opening; the ledger is beside it */
    const char *dataset_file;    /* the records (the data owner's) */
    const char *dataset_secrets; /* the sealed v3 seed; the ledger is beside it */
    const zkr_secret *pass;      /* unseals both secrets files */
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
 * reservation), reserves one proof in both ledgers (zkr_zkledger_reserve),
 * then proves in the confined "infer2-prove" worker and writes the proof.
 * A refusal before the reservation spends nothing; nothing is written
 * unless the proof is complete. Returns ZKR_OK, ZKR_ERR_USAGE (a file
 * missing), ZKR_ERR_UNSUPPORTED (a hidden output), ZKR_ERR_PASSPHRASE,
 * ZKR_ERR_MISMATCH_MODEL / _DATASET / _INPUT / _OUTPUT, ZKR_ERR_EXPIRED (a
 * budget spent), ZKR_ERR_MALFORMED (a damaged ledger or secrets file),
 * sandbox and I/O errors.
 */
zkr_err zkr_app_infer2_prove(zkr_app *app, const zkr_statement *st, uint64_t index,
                             const zkr_app_infer2_opts *o, zkr_app_prove_result *res) ZKR_WUR;

/* The confined worker (app/workers.c "infer2-prove"). */
zkr_err zkr_app_worker_infer2_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d) ZKR_WUR;

/*
 * The infer2-verify worker's request for statement st (record `index`):
 * every binding from the registry (program digest, the private model's
 * commitment digest, zkr_infer2_dataset_commitment of the version 3
 * dataset's count and root, the output or its commitment), never from the
 * proof. Returns ZKR_OK, ZKR_ERR_NOMEM, ZKR_ERR_INTERNAL.
 */
zkr_err zkr_app_infer2_verify_request(const zkr_statement *st, uint64_t index, const uint8_t *proof,
                                      size_t proof_len, zkr_buf *req) ZKR_WUR;
zkr_err zkr_app_worker_infer2_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                     zkr_diag *d) ZKR_WUR;

#endif
