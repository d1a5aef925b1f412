/*
 * The owners' side of the private-model proofs, shared by inference@2
 * (app/infer2.c) and graph-inference@2 (app/ginfer2.c): the model owner's
 * file and sealed secrets against the registered private model, the data
 * owner's records and sealed seed against the registered version 3
 * dataset, and the reveal-budget reservation in the registry's ledger.
 */
#ifndef ZKR_APP_INFER2_INT_H
#define ZKR_APP_INFER2_INT_H

#include "app/app.h"
#include "app/dataset.h"
#include "app/model.h"
#include "prover/prover.h"
#include "zk/zk.h"

/* The owners' files (a proof's or an output commitment's). */
typedef struct {
    const char *model_file, *model_secrets, *dataset_file, *dataset_secrets;
} zkr_app_owner_files;

/*
 * The owners' unsealed secrets and the record's commitment, opening and
 * path, as a proof needs them (one cleanup for every prover).
 */
typedef struct {
    zkr_app_model_secrets ms;
    zkr_app_dscommit3_secrets dsec;
    zkr_dataset *ds;
    uint8_t rc[ZKR_RECORD_COMMIT_BYTES];
    uint8_t *ro; /* ZKR_RECORD_OPENING_BYTES, sodium_malloc'ed, secret */
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
} zkr_app_owner_keys;

/* Empties k and allocates its opening. ZKR_OK, ZKR_ERR_NOMEM. */
zkr_err zkr_app_owner_keys_init(zkr_app_owner_keys *k) ZKR_WUR;
/* Unseals both owners' secrets files under pass into k. zkr_app_*_secrets_load's errors. */
zkr_err zkr_app_owner_keys_load(zkr_app *app, const zkr_app_owner_files *o, const zkr_secret *pass,
                                zkr_app_owner_keys *k) ZKR_WUR;
/* Wipes and frees everything k holds, and the worker request req (it carried the secrets). */
void zkr_app_owner_keys_free(zkr_app_owner_keys *k, zkr_buf *req);

/*
 * Reads o->model_file into *file and checks it is the file the secrets ms
 * were made from, that ms are the registered private model's, and that the
 * store's commitment bytes (read into *enc, at most enc_max bytes) hash to
 * the registered sha256 and, by `digest`, to the registered commitment.
 * ZKR_OK, ZKR_ERR_MISMATCH_MODEL, ZKR_ERR_REGISTRY (the store differs),
 * I/O errors. The caller frees file and enc.
 */
zkr_err zkr_app_owner_model_load(zkr_app *app, const zkr_artifact *model,
                                 const zkr_app_owner_files *o, const zkr_app_model_secrets *ms,
                                 size_t enc_max,
                                 void (*digest)(const uint8_t *, size_t, uint8_t *),
                                 zkr_buf *file, zkr_buf *enc) ZKR_WUR;

/*
 * Record `index` of the data owner's file under the sealed seed dsec,
 * rebuilt at parameter set `set` (zkr_prover_infer2_dataset_commit: its
 * record commitments' codewords have the set's rate) and checked against the
 * registered version 3 dataset: *rec points into *ds (the caller frees
 * it), rc, ro (secret) and path. ZKR_OK, ZKR_ERR_MISMATCH_DATASET,
 * ZKR_ERR_MISMATCH_INPUT (past the end), I/O and dataset errors.
 */
zkr_err zkr_app_owner_record_load(zkr_app *app, const zkr_artifact *dataset, uint64_t index,
                                  uint32_t set, const zkr_app_owner_files *o,
                                  const zkr_app_dscommit3_secrets *dsec, zkr_dataset **ds,
                                  uint8_t *rc, uint8_t *ro,
                                  uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                  zkr_infer2_record *rec) ZKR_WUR;

/*
 * Reserves one proof of the private model's commitment enc (ledger kind
 * model_kind, model_proofs its cap) and one opening of rec's commitment
 * (record_budget) in the registry's ledger (zkr_app_ledger_path), the
 * secrets' old ledgers imported. ZKR_ERR_EXPIRED (a budget spent), the
 * ledger's errors; nothing is reserved on failure.
 */
zkr_err zkr_app_owner_reserve(zkr_app *app, const zkr_app_owner_files *o, const char *model_kind,
                              const zkr_buf *enc, uint32_t model_proofs,
                              const zkr_infer2_record *rec, uint32_t record_budget) ZKR_WUR;

#endif
