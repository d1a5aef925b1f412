/*
 * training-step@1 workflow (app/train.c): training models at registration
 * (commitment, the store beside the registry), the dataset's batch records
 * with inclusion paths, the confined "train-prove" / "train-verify"
 * workers, and verification of a registered training statement. Shared by
 * `zkreg train`, `zkreg verify` and `zkreg round`.
 */
#ifndef ZKR_APP_TRAIN_H
#define ZKR_APP_TRAIN_H

#include "app/app.h"
#include "ml/ml.h"
#include "prover/prover.h"
#include "registry/registry.h"

/* The statement fields of a training-step@1 schema (docs/app.md). */
typedef struct {
    uint8_t child[ZKR_DIGEST_BYTES]; /* child_model: the child's artifact sha256 */
    uint64_t indices[ZKR_ML_T_MAX_BATCH];
    uint32_t batch, lr, shift, steps;
} zkr_app_train_params;

/* A dataset opened for training, with its record commitments' leaf hashes. */
typedef struct {
    zkr_dataset *ds;
    uint8_t (*leaves)[ZKR_DIGEST_BYTES];
    uint64_t n;
    uint8_t root[ZKR_DIGEST_BYTES];
    uint8_t commitment[ZKR_DIGEST_BYTES];
} zkr_app_train_data;

/* Commits a training model (zkr_prover_train_commit, parameter set 1); writes nothing. */
zkr_err zkr_app_train_commit(zkr_app *app, const zkr_ml_tmodel *m,
                             uint8_t commitment[ZKR_DIGEST_BYTES]) ZKR_WUR;

/*
 * Writes a training model's bytes to the model store beside the registry
 * (zkr_app_store_write: recorded while a store undo is under way).
 */
zkr_err zkr_app_train_store(zkr_app *app, const zkr_ml_tmodel *m) ZKR_WUR;

/*
 * Commits a training model (zkr_prover_train_commit, parameter set 1) and
 * writes its bytes to the model store beside the registry (zkr_app_train_store).
 */
zkr_err zkr_app_train_commit_store(zkr_app *app, const zkr_ml_tmodel *m,
                                   uint8_t commitment[ZKR_DIGEST_BYTES]) ZKR_WUR;

/*
 * register-model for a training-model file: decodes it strictly, checks
 * its program is program_ref, commits and stores it.
 */
zkr_err zkr_app_train_model_bytes(zkr_app *app, zkr_registry *reg, const char *file,
                                  const char *program_ref, const zkr_buf *data,
                                  uint8_t commitment[ZKR_DIGEST_BYTES]) ZKR_WUR;

/* Loads registered model `ref` (a training model) from the store, checked against its sha256. */
zkr_err zkr_app_train_load_model(zkr_app *app, zkr_registry *reg, const char *ref,
                                 zkr_artifact *a, zkr_ml_tmodel **m) ZKR_WUR;

/*
 * Opens registered dataset `ref` from its remembered file, checks it
 * against the registered sha256 and commitment, and keeps its leaf hashes
 * for inclusion paths. Free with zkr_app_train_data_free.
 */
zkr_err zkr_app_train_data_open(zkr_app *app, zkr_registry *reg, const char *ref,
                                zkr_artifact *a, zkr_app_train_data *out) ZKR_WUR;
void zkr_app_train_data_free(zkr_app_train_data *td);

/* Inputs and labels of the batch idx[0..batch) (input_dim bytes each). */
zkr_err zkr_app_train_batch(zkr_app *app, const zkr_app_train_data *td, uint32_t input_dim,
                            const uint64_t *idx, uint32_t batch, zkr_buf *inputs,
                            uint8_t *labels) ZKR_WUR;

/*
 * Whether training-step@1 can prove steps of m's program with `batch`
 * records (hidden widths powers of two, sizes within the parameter set):
 * checked before anything is written. ZKR_ERR_UNSUPPORTED naming why.
 */
zkr_err zkr_app_train_provable(zkr_app *app, const zkr_ml_tmodel *m, uint32_t batch) ZKR_WUR;

/*
 * The parameter `name` of statement st when it has that type; NULL when the
 * statement has no such field or it has another type.
 */
const zkr_param *zkr_app_stmt_param(const zkr_statement *st, const char *name,
                                    zkr_param_type type);

/*
 * The u64 parameter `name` of statement st, below 2^32, into *out; a
 * missing, mistyped or larger field is MISMATCH_SCHEMA naming the schema,
 * the statement's proof kind and the field.
 */
zkr_err zkr_app_stmt_u32(zkr_app *app, const zkr_statement *st, const char *name,
                         uint32_t *out) ZKR_WUR;

/* Reads and checks the training-step@1 fields of a statement. */
zkr_err zkr_app_train_params_of(zkr_app *app, const zkr_statement *st,
                                zkr_app_train_params *out) ZKR_WUR;

/*
 * Proves registered training statement st in the confined prover: parent
 * and child as registered, records from td. Writes the proof into proof.
 */
zkr_err zkr_app_train_prove(zkr_app *app, const zkr_statement *st, const zkr_ml_tmodel *parent,
                            const zkr_ml_tmodel *child, const zkr_app_train_data *td,
                            const zkr_app_train_params *tp, int no_sandbox,
                            zkr_buf *proof) ZKR_WUR;

/*
 * Verifies proof against registered training statement st in the confined
 * verifier, every binding value from the registry: the schema's proof
 * kind, verifier version and parameter set, revocations, the parent's and
 * the child's registered commitments, the dataset's commitment, indices,
 * lr, shift and steps. child_commitment, when non-NULL, is the commitment
 * the caller computed itself for a child that is not registered yet (a
 * round's submission); else the child's registered row supplies it.
 * Returns ZKR_OK or the verifier's error.
 */
zkr_err zkr_app_train_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                             const uint8_t *child_commitment, const uint8_t *proof,
                             size_t proof_len, int no_sandbox) ZKR_WUR;

/* The workers (app/workers.c table). */
zkr_err zkr_app_worker_train_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d) ZKR_WUR;
zkr_err zkr_app_worker_train_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d) ZKR_WUR;

/* The "lineage" event payload of one step (docs/formats.md), written into out (cleared). */
zkr_err zkr_app_lineage_payload(const zkr_artifact *parent, const uint8_t child_sha[32],
                                const uint8_t child_comm[32], const zkr_artifact *dataset,
                                const zkr_ml_tstep_params *sp, const uint64_t *idx,
                                uint32_t batch, zkr_buf *out) ZKR_WUR;

/*
 * Registers the training-step@1 statement for one step of parent on
 * dataset producing the child with sha256 child_sha (fields child_model,
 * lr, record_indices, shift, steps = 1). st must be freed with
 * zkr_statement_free even on failure.
 */
zkr_err zkr_app_train_statement(zkr_app *app, zkr_registry *reg, const char *schema,
                                const zkr_artifact *parent, const zkr_artifact *dataset,
                                const uint8_t child_sha[32], const zkr_ml_tstep_params *sp,
                                const uint64_t *idx, uint32_t batch, zkr_statement *st) ZKR_WUR;

/*
 * Told about each child as it is registered (step counts from 0);
 * bytes_kept says whether its bytes were written to the store.
 */
typedef void (*zkr_app_train_step_fn)(void *ctx, uint32_t step, const zkr_artifact *child,
                                      const zkr_artifact *parent, int bytes_kept);
/* Told about each step's proof once it is written. */
typedef void (*zkr_app_train_proof_fn)(void *ctx, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                       const char *path, size_t bytes);

typedef struct {
    const char *model, *dataset; /* the parent training model and the registered dataset */
    const char *schema;          /* with prove: the training-step@1 schema NAME@VER */
    const char *out_dir;         /* with prove: DIR/step-T.zkp are written (DIR created) */
    const char *eval;            /* NULL, or a dataset the last model is evaluated on */
    uint32_t batch, steps;       /* batch <= 64 distinct records per step */
    uint64_t first;              /* step t uses records (first + t*batch + i) mod n */
    const char *name;            /* NULL, or the children's base name (else the parent's) */
    uint32_t keep_every;         /* without prove: keep the bytes of every K-th child; 0: the last */
    zkr_ml_tstep_params sp;      /* lr and shift */
    int prove, no_sandbox;
    zkr_app_train_step_fn on_step;   /* may be NULL */
    zkr_app_train_proof_fn on_proof; /* may be NULL */
    void *ctx;                       /* handed to on_step and on_proof */
} zkr_app_train_opts;

typedef struct {
    zkr_artifact last;         /* the last child registered */
    int evaluated;             /* eval was given and ran: eval and eval_dataset_id are set */
    zkr_ml_eval_result eval;
    int64_t eval_dataset_id;
} zkr_app_train_result;

/*
 * `zkreg train`: o->steps fixed-point SGD steps from registered training
 * model o->model on o->dataset (docs/training.md). Each child is
 * committed and registered with its lineage event in one transaction that
 * also checks the parent and the dataset are not revoked, under the name
 * "BASE-step-D" (BASE: o->name, else the parent's name without its own
 * "-step-N" suffix; D: the child's lineage depth). Its bytes are written
 * to the store (before that transaction) for every child with o->prove,
 * else for every o->keep_every-th step and always the last (keep_every 0:
 * only the last); the others can be recomputed by replaying the recorded
 * steps from the nearest kept ancestor. With o->prove, each step's
 * training-step@1 statement is registered and proved in the confined
 * prover. A failure stops at that step; the steps before it stay
 * registered.
 * Returns ZKR_OK, ZKR_ERR_USAGE (batch larger than the dataset),
 * ZKR_ERR_UNSUPPORTED (not provable with this batch), ZKR_ERR_REVOKED,
 * training, prover, I/O and registry errors.
 */
zkr_err zkr_app_train_run(zkr_app *app, const zkr_app_train_opts *o,
                          zkr_app_train_result *res) ZKR_WUR;

#endif
