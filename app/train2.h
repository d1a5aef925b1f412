/*
 * training-step@2 through the product (app/train2.c): `zkreg prove` of a
 * hiding training step on a private shard (a version 3 dataset: hiding
 * record commitments) with the data owner's file and sealed secrets, and
 * its verification in the confined "train2-verify" worker for `zkreg
 * verify`, `attest` and `round accept`, every binding from the registry.
 *
 * The weights are public by decision (docs/proof-system.md,
 * "training-step@2", "Decision: public weights, private shard"): the
 * statement binds registered training models (parent, and the child by
 * sha256) exactly as training-step@1 does; only the batch is hidden.
 */
#ifndef ZKR_APP_TRAIN2_H
#define ZKR_APP_TRAIN2_H

#include "app/app.h"
#include "app/proof.h"
#include "app/train.h"
#include "registry/registry.h"

#define ZKR_APP_TRAIN2_KIND "training-step@2"

/*
 * Reads and checks the training-step@2 fields of a statement (the names
 * and types of training-step@1: child_model digest, record_indices
 * u64-list of 1..64 distinct entries, lr, shift, steps = 1). Returns
 * ZKR_OK or ZKR_ERR_MISMATCH_SCHEMA naming the field.
 */
zkr_err zkr_app_train2_params_of(zkr_app *app, const zkr_statement *st,
                                 zkr_app_train_params *out) ZKR_WUR;

/*
 * Whether training-step@2 can prove steps of m's program with `batch`
 * records at lr and shift (zkr_train2_shape_of at parameter set 1):
 * checked before a round opens. ZKR_ERR_UNSUPPORTED naming the limit.
 */
zkr_err zkr_app_train2_provable(zkr_app *app, const zkr_ml_tmodel *m, uint32_t batch, uint32_t lr,
                                uint32_t shift) ZKR_WUR;

typedef struct {
    const char *out;             /* the proof file (0644, atomic) */
    const char *dataset_file;    /* the shard's records (the data owner's) */
    const char *dataset_secrets; /* its sealed v3 secrets; the ledger is beside it */
    const zkr_secret *pass;      /* unseals the secrets */
    const uint8_t *zk_seed;      /* NULL: the OS CSPRNG */
    size_t zk_seed_len;
    uint32_t threads;
    int no_sandbox;
} zkr_app_train2_opts;

/*
 * Proves training-step@2 statement st: loads the registered parent from
 * the store (sha256 checked), unseals the dataset secrets, rebuilds every
 * record commitment of the shard from the records and the secrets and
 * checks the root against the registered version 3 dataset, runs the
 * step natively on the statement's batch and checks that it gives the
 * statement's child (sha256), all before anything is reserved; then
 * reserves one opening of each batch record's commitment in the ledger
 * beside the secrets (zkr_zkledger_reserve, all or none) and proves in
 * the confined "train2-prove" worker. The proof file (docs/formats.md,
 * "training-step@2 proof") is written only when complete. The appliance
 * never stores a record: they travel from the owner's file to the worker.
 * Returns ZKR_OK, ZKR_ERR_USAGE (a file missing), ZKR_ERR_PASSPHRASE,
 * ZKR_ERR_KEY, ZKR_ERR_MISMATCH_MODEL (the step gives another child),
 * ZKR_ERR_MISMATCH_DATASET, ZKR_ERR_MISMATCH_SCHEMA, ZKR_ERR_UNSUPPORTED
 * (a shape or a step the protocol cannot prove), ZKR_ERR_EXPIRED (a
 * record's budget spent), ZKR_ERR_MALFORMED, sandbox and I/O errors.
 */
zkr_err zkr_app_train2_prove(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                             const zkr_app_train2_opts *o, zkr_app_prove_result *res) ZKR_WUR;

/*
 * The train2-verify worker's request for statement st: every binding from
 * the registry (the program digest, the parent's and the child's sha256
 * and bytes from the store, the version 3 dataset's digest, count and
 * root, lr, shift, steps, the batch indices), never from the proof; the
 * child must be registered and not revoked. child / child_len, when
 * child is non-NULL, are the bytes of a child not registered yet (a
 * round's submission; its sha256 must be the statement's child_model).
 * Returns ZKR_OK, ZKR_ERR_MISMATCH_* naming the binding, ZKR_ERR_REVOKED,
 * ZKR_ERR_NOT_FOUND, I/O and registry errors.
 */
zkr_err zkr_app_train2_verify_request(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                                      const uint8_t *child, size_t child_len,
                                      const uint8_t *proof, size_t proof_len,
                                      zkr_buf *req) ZKR_WUR;

/*
 * Verifies proof against training-step@2 statement st in the confined
 * "train2-verify" worker (request as zkr_app_train2_verify_request).
 * Returns ZKR_OK, ZKR_ERR_VERIFY, ZKR_ERR_MALFORMED, ZKR_ERR_MISMATCH_*,
 * ZKR_ERR_REVOKED, sandbox, I/O and registry errors.
 */
zkr_err zkr_app_train2_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                              const uint8_t *child, size_t child_len, const uint8_t *proof,
                              size_t proof_len, int no_sandbox) ZKR_WUR;

/* The confined workers (app/workers.c "train2-prove", "train2-verify"). */
zkr_err zkr_app_worker_train2_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d) ZKR_WUR;
zkr_err zkr_app_worker_train2_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                     zkr_diag *d) ZKR_WUR;

#endif
