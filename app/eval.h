/*
 * evaluation@1 glue (app/eval.c): `zkreg prove` / `zkreg verify` /
 * `zkreg attest` for evaluation@1 statements and the confined
 * "eval-prove" / "eval-verify" workers. Every binding value comes from the
 * registry; the records come from the registered dataset's file, whose
 * commitment is recomputed and compared before anything is proven or
 * verified.
 *
 * Statement parameters (schema fields, both optional): record_first (u64,
 * default 0) and record_count (u64, default: to the last record). The
 * public output is the 17-byte evaluation output (docs/formats.md).
 */
#ifndef ZKR_APP_EVAL_H
#define ZKR_APP_EVAL_H

#include "app/app.h"
#include "app/proof.h"
#include "prover/prover.h"
#include "registry/registry.h"

/*
 * 1 when statement ref exists and its schema's kind is evaluation@1,
 * evaluation-fixed@1 or inference-batch@1 (then loaded into *st). The kind the schema names
 * picks the prover, the worker and the verifier: an evaluation@1 schema
 * takes only int8 models and kind 4 proofs, an evaluation-fixed@1 schema
 * only FIXED training models and kind 9 proofs.
 */
int zkr_app_eval_is(zkr_registry *reg, const char *ref, zkr_statement *st);
/* 1 when kind is "evaluation@1", "evaluation-fixed@1" or "inference-batch@1". */
int zkr_app_eval_kind_is(const char *kind);

/* Why a threshold of 0 is refused, on every path that states one (exit 2). */
#define ZKR_APP_EVAL_VACUOUS "threshold 0 claims nothing (correct >= 0)"

/*
 * The schema of an evaluation kind (evaluation@1, evaluation-fixed@1,
 * inference-batch@1, evaluation-graph@1) as prove and verify read it: a
 * public output ("public_output": true) and record_first / record_count,
 * when declared, typed u64. ZKR_ERR_MISMATCH_SCHEMA naming the schema and
 * the field otherwise.
 */
zkr_err zkr_app_eval_schema_check(zkr_app *app, const zkr_schema *sc) ZKR_WUR;

/*
 * register-statement of an evaluation kind (others: ZKR_OK, nothing
 * read): zkr_app_eval_schema_check, then a public output po (non-NULL;
 * `what` names it in messages) stating a threshold of 0 is refused
 * (ZKR_ERR_USAGE, ZKR_APP_EVAL_VACUOUS), as --threshold 0 is.
 */
zkr_err zkr_app_eval_statement_check(zkr_app *app, zkr_registry *reg, const char *schema,
                                     const uint8_t *po, size_t po_len, const char *what) ZKR_WUR;

/*
 * Proves registered evaluation statement st in the confined prover and
 * writes the proof to out; *res gets its digest, size, time, the records
 * and the number correct (res->evaluation = 1). dataset_file overrides the
 * remembered path. ZKR_ERR_MISMATCH_OUTPUT when the model's count is not
 * the statement's (exact) or is below tau (threshold): no proof written.
 */
zkr_err zkr_app_eval_prove(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                           const char *dataset_file, uint32_t threads, int no_sandbox,
                           const char *out, zkr_app_prove_result *res) ZKR_WUR;

/*
 * Verifies proof against registered evaluation statement st in the
 * confined verifier (schema kind, pinned verifier version, parameter set,
 * revocations, program, model and dataset commitments, the record range,
 * the records read from the dataset file, the public output). *correct
 * gets the proven number correct.
 */
zkr_err zkr_app_eval_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                            const uint8_t *proof, size_t len, int no_sandbox,
                            uint64_t *correct) ZKR_WUR;

/*
 * A statement the caller derived and did not register (a gated round's
 * evaluation of a child, app/round.c): the same checks and confined
 * workers as above, without the registry's statement row (the caller
 * checks revocations of what it binds). zkr_app_eval_prove_model proves
 * for the given model bytes (st->model's sha256 and commitment must be
 * theirs: the worker recomputes the commitment) into *proof;
 * ZKR_ERR_MISMATCH_OUTPUT when the model's count does not meet the
 * statement's output (no proof). zkr_app_eval_verify_derived verifies.
 */
zkr_err zkr_app_eval_prove_model(zkr_app *app, const zkr_statement *st, const uint8_t *model,
                                 size_t model_len, uint32_t threads, int no_sandbox,
                                 zkr_buf *proof, uint64_t *correct) ZKR_WUR;
zkr_err zkr_app_eval_verify_derived(zkr_app *app, const zkr_statement *st, const uint8_t *proof,
                                    size_t len, int no_sandbox, uint64_t *correct) ZKR_WUR;

/*
 * The statement's record range: its parameters record_first and
 * record_count (u64, each 0 when absent: from record 0, to the last
 * record). ZKR_ERR_MISMATCH_SCHEMA when one is not a u64 (the message
 * names kind), ZKR_ERR_MISMATCH_INPUT for a record_count of 0.
 */
zkr_err zkr_app_eval_range(zkr_app *app, const zkr_statement *st, const char *kind,
                           uint64_t *first, uint64_t *count) ZKR_WUR;

/*
 * The records first..+count of a registered statement's dataset, read
 * from its file, as the evaluation kinds (evaluation@1 and its siblings,
 * evaluation-graph@1) hand them to their workers; records and bound are
 * owned, bt points into them.
 */
typedef struct {
    zkr_dataset *ds;
    uint8_t *records;
    uint8_t bound[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES];
    zkr_eval_batch bt;
} zkr_app_eval_data;

/* A kind's own limit on a range, checked once the range is known; fails naming it. */
typedef zkr_err (*zkr_app_eval_limit_fn)(zkr_app *app, uint64_t first, uint64_t count);

/*
 * Opens st's dataset from file (NULL: the file remembered at
 * register-dataset; ZKR_ERR_NOT_FOUND, ZKR_ERR_IO or ZKR_ERR_TOO_LARGE
 * saying "pass --dataset-file PATH" when that cannot be read), resolves
 * count (0: to the last record) and refuses a range outside the dataset
 * (ZKR_ERR_MISMATCH_INPUT), then limit (when non-NULL), extracts the
 * batch into *e and compares the dataset commitment with st's
 * (ZKR_ERR_MISMATCH_DATASET naming the file). *count_out gets the
 * resolved count. *e is zeroed first; release it with
 * zkr_app_eval_data_free, on failure too.
 */
zkr_err zkr_app_eval_data_open(zkr_app *app, const zkr_statement *st, const char *file,
                               uint64_t first, uint64_t count, zkr_app_eval_limit_fn limit,
                               zkr_app_eval_data *e, uint64_t *count_out) ZKR_WUR;
/* Frees what zkr_app_eval_data_open allocated and zeroes *e (a zeroed *e is fine). */
void zkr_app_eval_data_free(zkr_app_eval_data *e);

/* The "eval-verify" worker's request for st and proof (for `zkreg attest`). */
zkr_err zkr_app_eval_verify_request(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                                    const zkr_buf *proof, zkr_buf *req) ZKR_WUR;

/* Worker entry points ("eval-prove", "eval-verify"); see app/workers.c. */
zkr_err zkr_app_worker_eval_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                  zkr_diag *d) ZKR_WUR;
zkr_err zkr_app_worker_eval_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d) ZKR_WUR;
/* "evalf-prove" / "evalf-verify": the same requests, evaluation-fixed@1 (FIXED training models). */
zkr_err zkr_app_worker_evalf_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d) ZKR_WUR;
zkr_err zkr_app_worker_evalf_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d) ZKR_WUR;

/*
 * "ibatch-prove" / "ibatch-verify": the same requests for inference-batch@1
 * (an int8 model, kind 8 proofs, the batch public output); the verifier's
 * reply carries a count of 0.
 */
zkr_err zkr_app_worker_ibatch_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d) ZKR_WUR;
zkr_err zkr_app_worker_ibatch_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                     zkr_diag *d) ZKR_WUR;

#endif
