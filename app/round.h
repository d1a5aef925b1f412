/*
 * Federated training rounds (app/round.c): open, a worker's step, accept
 * and audit. A round lives in the log only: "round-open" (its id is that
 * leaf's index; its payload carries a fresh nonce and the registry's
 * origin, so its digest names it everywhere), one "round-outcome" per
 * worker and one "round-close", all written with the accepted children and
 * their average in one transaction that re-checks the round is still open
 * (zkr_registry_round_close). Payloads and their codecs are the
 * registry's (docs/formats.md, docs/training.md).
 */
#ifndef ZKR_APP_ROUND_H
#define ZKR_APP_ROUND_H

#include "app/app.h"
#include "ml/ml.h"

/* A round as the log shows it, with its step parameters. */
typedef struct {
    zkr_round_state st;
    zkr_ml_tstep_params sp;
} zkr_app_round_info;

/*
 * Reads round `id` (the index of its round-open leaf) and every event
 * naming it from reg (read-only is enough). Refuses a round with two
 * closes, two outcomes of a worker or a twin open. Returns ZKR_OK,
 * ZKR_ERR_NOT_FOUND, ZKR_ERR_REGISTRY.
 */
zkr_err zkr_app_round_load(zkr_app *app, zkr_registry *reg, uint64_t id,
                           zkr_app_round_info *ri) ZKR_WUR;

typedef struct {
    const char *model, *dataset, *schema; /* parent training model, dataset, training-step@1 schema */
    uint64_t workers, first, per, lr, shift;
    /*
     * The evaluation gate (all three or none): an update is accepted only
     * with an evaluation-fixed@1 proof that its child gets at least
     * min_correct of every record of eval_dataset right, for the statement
     * the round derives (eval_schema: an evaluation-fixed@1 schema).
     */
    const char *eval_dataset, *eval_schema;
    uint64_t min_correct;
} zkr_app_round_open_opts;

typedef struct {
    uint64_t round;                  /* the round's id */
    uint8_t digest[ZKR_DIGEST_BYTES]; /* the round-open payload's digest */
    int64_t model_id, dataset_id;    /* the parent's and the dataset's rows */
} zkr_app_round_opened;

/*
 * Publishes a round: N = workers shards of `per` records from `first`,
 * lr and shift; checks the parent is provable with that batch, the schema
 * is training-step@1 and the shards lie inside the dataset.
 * Returns ZKR_OK, ZKR_ERR_USAGE (bounds: workers <= 64, per <= 64, lr,
 * shift, no wrap past record 2^64-1), ZKR_ERR_NOT_FOUND,
 * ZKR_ERR_MISMATCH_SCHEMA, ZKR_ERR_UNSUPPORTED, registry errors.
 */
zkr_err zkr_app_round_open(zkr_app *app, const zkr_app_round_open_opts *o,
                           zkr_app_round_opened *res) ZKR_WUR;

typedef struct {
    uint64_t round;
    uint32_t worker;
    const char *out_dir; /* DIR/worker-I.zkrtm and DIR/worker-I.zkp are written */
    int no_sandbox;
    /*
     * A training-step@2 round (private shards): the worker's own shard
     * file and its sealed version 3 secrets (the data owner's), the
     * passphrase that unseals them, and an optional --zk-seed; unused by a
     * training-step@1 round.
     */
    const char *dataset_file, *dataset_secrets;
    const zkr_secret *pass;
    const uint8_t *zk_seed;
    size_t zk_seed_len;
} zkr_app_round_work_opts;

typedef struct {
    char model_path[4096], proof_path[4096];
    size_t proof_bytes;
    char eval_proof_path[4096]; /* gated rounds: DIR/worker-I.eval.zkp */
    size_t eval_proof_bytes;
    uint64_t eval_correct;      /* gated rounds: the child's number correct */
    uint8_t statement_id[ZKR_DIGEST_BYTES]; /* registered; the child is not (accept decides) */
} zkr_app_round_work_result;

/*
 * Worker I's step of an open round: one SGD step of the round's model on
 * its shard, the round's statement registered, the step proved in the
 * confined prover, the child and the proof written to o->out_dir. A
 * training-step@2 round reads the shard from o->dataset_file under
 * o->dataset_secrets (zkr_app_train2_prove: the records must rebuild the
 * registered version 3 commitment; one opening of each record is
 * reserved in the ledger beside the secrets).
 * Returns ZKR_OK, ZKR_ERR_CONFLICT (round closed), ZKR_ERR_USAGE (no such
 * worker; a private round without the shard's files), the training and
 * prover errors.
 */
zkr_err zkr_app_round_work(zkr_app *app, const zkr_app_round_work_opts *o,
                           zkr_app_round_work_result *res) ZKR_WUR;

typedef struct {
    uint64_t round;
    const char *sub[ZKR_ROUND_MAX_WORKERS]; /* "MODEL_FILE[,PROOF_FILE[,EVAL_PROOF_FILE]]", or NULL */
    int no_sandbox;
} zkr_app_round_accept_opts;

typedef struct {
    int closed;       /* this accept closed the round: the fields below are set */
    uint64_t round;
    uint32_t workers;
    size_t k;         /* accepted updates */
    zkr_artifact result; /* the averaged model's row (k > 0) */
    int accepted[ZKR_ROUND_MAX_WORKERS];
    char reason[ZKR_ROUND_MAX_WORKERS][ZKR_ROUND_REASON_MAX + 1];
} zkr_app_round_accept_result;

/*
 * Judges every worker's submission (decodes, the parent's program, a proof
 * that verifies in the confined verifier for the statement the round
 * derives for that shard), then writes the outcomes, the accepted
 * children, their average and the close in one transaction.
 * Returns ZKR_OK (res->closed, k > 0), ZKR_ERR_VERIFY (closed, none
 * accepted), ZKR_ERR_CONFLICT (already closed, or closed concurrently:
 * nothing written), ZKR_ERR_USAGE (a submission for no such worker),
 * registry errors. res is large: allocate it on the heap.
 */
zkr_err zkr_app_round_accept(zkr_app *app, const zkr_app_round_accept_opts *o,
                             zkr_app_round_accept_result *res) ZKR_WUR;

typedef struct {
    uint32_t k;        /* accepted children */
    uint8_t avg_sha[ZKR_DIGEST_BYTES]; /* their average's sha256 (k > 0) */
    uint32_t workers;
    int gated;         /* the round requires evaluation proofs: eval_ok and eval are set */
    int accepted[ZKR_ROUND_MAX_WORKERS];
    int eval_ok[ZKR_ROUND_MAX_WORKERS]; /* accepted worker's kept evaluation proof re-verified */
    char eval[ZKR_ROUND_MAX_WORKERS][ZKR_ROUND_REASON_MAX + 1]; /* its outcome, in words */
} zkr_app_round_audit_result;

/*
 * Cross-checks closed round `round` in reg (read-only is enough): each
 * accepted outcome's statement and child row, then the children's average
 * against the close's result, its commitment and its row. In a gated
 * round it then re-verifies, in the confined verifier (unless no_sandbox),
 * the evaluation proof round accept kept for every accepted child
 * (REGISTRY.d/round-eval/) against the statement the round derives for
 * it, and reports each in res->eval (set for every accepted worker, also
 * when some fail). res is large: allocate it on the heap.
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND (not closed), ZKR_ERR_VERIFY (a
 * mismatch, or an evaluation proof missing or not verifying, named),
 * registry errors. Writes nothing.
 */
zkr_err zkr_app_round_audit(zkr_app *app, zkr_registry *reg, uint64_t round, int no_sandbox,
                            zkr_app_round_audit_result *res) ZKR_WUR;

/* Where accept (and import) keep a gated round's evaluation proofs: REGISTRY.d/round-eval/HEX(sid).zkp. */
#define ZKR_APP_ROUND_EVAL_STORE "round-eval"

/*
 * The evaluation statement gated round `open` (digest `digest`) derives
 * for a child (sha256, commitment): the one round accept verified, audit
 * re-verifies and a bundle's carried proof must prove (docs/formats.md,
 * "round-open", version 3). Never registered. st is freed with
 * zkr_statement_free. Returns ZKR_OK, ZKR_ERR_VERIFY (the round is not
 * gated), ZKR_ERR_MISMATCH_OUTPUT (K above the evaluation dataset's
 * records), registry errors (its schema, datasets or parent not held).
 */
zkr_err zkr_app_round_gate_statement(zkr_app *app, zkr_registry *reg, const zkr_round_open *open,
                                     const uint8_t digest[ZKR_DIGEST_BYTES],
                                     const uint8_t child_sha[ZKR_DIGEST_BYTES],
                                     const uint8_t child_comm[ZKR_DIGEST_BYTES],
                                     zkr_statement *st) ZKR_WUR;

#endif
