/*
 * prover: proof generation on the CPU (pthreads). Results are byte-identical
 * for any thread count: every parallel reduction is exact field arithmetic
 * combined in a fixed order. The @1 kinds take all randomness from the
 * transcript; matmul@2 also draws the prover's secret randomness
 * (zkr_zkrng: OS CSPRNG, or a secret seed with the statement).
 *
 * Secrets: W (the model's weights) is the witness. matmul@1, inference@1
 * and training-step@1 proofs are NOT zero-knowledge; matmul@2 proofs are
 * (docs/proof-system.md, "Zero-knowledge (hiding) layer"). W's buffers,
 * masks and keys are wiped on free.
 */
#ifndef ZKR_PROVER_H
#define ZKR_PROVER_H

#include "zk/zk.h"

/* ---------------- generic sumcheck over sums of products ---------------- */
#define ZKR_SC_MAX_FACTORS 4
#define ZKR_SC_MAX_DEGREE 8
#define ZKR_SC_MAX_TABLES 16
#define ZKR_SC_MAX_TERMS 16
typedef struct {
    zkr_ext coef;
    unsigned n_factors;               /* 1..ZKR_SC_MAX_FACTORS */
    unsigned idx[ZKR_SC_MAX_FACTORS]; /* table indices */
} zkr_sc_term;
/*
 * f(x) = sum_terms coef * prod_factors tables[idx](x), each table 2^n ext
 * values owned by the caller and folded in place round by round.
 * n_tables <= ZKR_SC_MAX_TABLES, n_terms <= ZKR_SC_MAX_TERMS; callers batch
 * more by pre-combining.
 */
typedef struct {
    zkr_ext **tables;
    size_t n_tables;
    const zkr_sc_term *terms;
    size_t n_terms;
    unsigned degree; /* max n_factors, 1..ZKR_SC_MAX_DEGREE */
    zkr_ext *scratch; /* optional: 2^(n-1) values reused by parallel folds */
} zkr_sc_poly;

/*
 * One round on a poly with n_cur >= 1 live variables: writes msg[0..degree).
 * Misuse (bounds above exceeded, n_cur == 0) aborts: it is a programming
 * error, never a property of untrusted input.
 */
void zkr_prover_sc_round(const zkr_sc_poly *f, unsigned n_cur, unsigned threads, zkr_ext *msg);
/* Fixes variable 0 of every table to r. */
void zkr_prover_sc_fold(const zkr_sc_poly *f, unsigned n_cur, zkr_ext r, unsigned threads);
/*
 * Runs all n rounds, absorbing/drawing exactly as zkr_sumcheck_verify does.
 * msgs gets n*degree values, r the n challenges; tables[k][0] end as the
 * tables' values at r. Never fails.
 */
void zkr_prover_sumcheck(const zkr_sc_poly *f, unsigned n, zkr_transcript *t, unsigned threads,
                         zkr_ext *msgs, zkr_ext *r);
/*
 * The same through an accelerator (prover/accel.h; NULL: the CPU): rounds
 * and folds run in accel->sc_round / sc_fold when it has them, with the
 * same messages and tables as the CPU code (which runs a call the
 * accelerator fails).
 */
void zkr_prover_sumcheck_accel(const zkr_sc_poly *f, unsigned n, zkr_transcript *t,
                               unsigned threads, const struct zkr_accel *accel, zkr_ext *msgs,
                               zkr_ext *r);

/* ---------------- Basefold commitments and openings ---------------- */
typedef struct zkr_pcs_poly zkr_pcs_poly;
/*
 * Commits to the multilinear with evaluations evals[0..2^n_vars) (copied).
 * The salt seed is derived from the evaluations (deterministic).
 * Returns ZKR_ERR_TOO_LARGE (n_vars > params max), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_commit(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                          unsigned threads, zkr_pcs_poly **out, zkr_pcs_commitment *comm) ZKR_WUR;
/* Frees and wipes. Accepts NULL. */
void zkr_pcs_poly_free(zkr_pcs_poly *poly);
/* The commitment of a committed polynomial. */
void zkr_pcs_poly_commitment(const zkr_pcs_poly *poly, zkr_pcs_commitment *out);
/*
 * Proves claims on up to ZKR_SC_MAX_TABLES/2 polys of one size and appends
 * the opening's bytes to out, in the order zkr_pcs_proof_parse reads them.
 * The claimed values are not re-checked here: a wrong one yields a proof
 * the verifier rejects. ZKR_ERR_USAGE (bad counts or indices),
 * ZKR_ERR_UNSUPPORTED (polys of different sizes), ZKR_ERR_TOO_LARGE,
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_open(const zkr_params *p, zkr_transcript *t, zkr_pcs_poly *const *polys,
                        size_t n_polys, const zkr_pcs_claim *claims, size_t n_claims,
                        unsigned threads, zkr_buf *out) ZKR_WUR;
/*
 * One opening for polys of different sizes (docs/proof-system.md,
 * "Mixed-size opening"): up to ZKR_PCS_MAX_COMMS polys, each either of the
 * largest size n or small enough to join the fold (zkr_pcs_mixed_ok);
 * claims name their poly and carry points of its own size. Bytes in the
 * order zkr_pcs_proof_parse_mixed reads them. ZKR_ERR_USAGE,
 * ZKR_ERR_UNSUPPORTED (a size that cannot join), ZKR_ERR_NOMEM.
 */
/*
 * Test builds only: a cheating prover's polynomial that absorbs `root` (of
 * another commitment) in place of its own tree's root, so that its
 * openings are consistent with everything but the Merkle check.
 */
void zkr_pcs_poly_set_root_for_test(zkr_pcs_poly *poly, const uint8_t root[ZKR_DIGEST_BYTES]);
zkr_err zkr_prover_open_mixed(const zkr_params *p, zkr_transcript *t,
                              zkr_pcs_poly *const *polys, size_t n_polys,
                              const zkr_pcs_claim *claims, size_t n_claims, unsigned threads,
                              zkr_buf *out) ZKR_WUR;

/*
 * Test builds only (ZKR_TEST_BUILD): a cheating opening for tests
 * (single-threaded). shift_layer (1 <= it < number of layers, 0 = off):
 * at the commit of that layer the folded polynomial is shifted by the
 * constant that makes the running sumcheck claim true, so that with a
 * false claimed value the later rounds, the final polynomial and the
 * layer's root and Merkle openings are mutually consistent.
 * drop_layer (1-based: layer drop_layer - 1; 0 = off): that layer's
 * opening leaves out one leaf that two queries share (the smallest such),
 * with a valid pruned Merkle opening of the others. ZKR_ERR_USAGE for a
 * layer out of range, ZKR_ERR_NOT_FOUND when no leaf is shared.
 */
typedef struct {
    unsigned shift_layer;
    unsigned drop_layer;
} zkr_pcs_cheat;
zkr_err zkr_prover_open_cheat(const zkr_params *p, zkr_transcript *t, zkr_pcs_poly *const *polys,
                              size_t n_polys, const zkr_pcs_claim *claims, size_t n_claims,
                              const zkr_pcs_cheat *cheat, zkr_buf *out) ZKR_WUR;

/* ---------------- LogUp (GKR fractional sums) ---------------- */
/*
 * Proves sum_i 1/(alpha - a_i) == sum_j m_j/(alpha - t_j) for the column a
 * (2^na values) and table t with multiplicities m (2^nt values), drawing
 * alpha from the transcript. Appends the proof to out and fills *claims
 * with the evaluation claims the caller must discharge (as the verifier
 * does). ZKR_ERR_USAGE if some a_i is not in the table with the given
 * multiplicities (the sums differ), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_logup(zkr_transcript *t, const zkr_gl *a, unsigned na, const zkr_gl *table,
                         const zkr_gl *mult, unsigned nt, unsigned threads, zkr_buf *out,
                         zkr_logup_claims *claims) ZKR_WUR;
/*
 * Test builds only: as zkr_prover_logup, but a cheating prover's: unequal
 * sums do not stop it; the table side's root numerator is rewritten so the
 * root equation holds and the proof goes on (the verifier must refuse).
 */
zkr_err zkr_prover_logup_cheat(zkr_transcript *t, const zkr_gl *a, unsigned na,
                               const zkr_gl *table, const zkr_gl *mult, unsigned nt,
                               unsigned threads, zkr_buf *out, zkr_logup_claims *claims) ZKR_WUR;
/*
 * As zkr_prover_logup and zkr_prover_logup_cheat, the fraction-tree layers
 * and the GKR sumchecks through an accelerator (prover/accel.h; NULL: the
 * CPU), with the same proof bytes.
 */
zkr_err zkr_prover_logup_accel(zkr_transcript *t, const zkr_gl *a, unsigned na,
                               const zkr_gl *table, const zkr_gl *mult, unsigned nt,
                               unsigned threads, const struct zkr_accel *accel, zkr_buf *out,
                               zkr_logup_claims *claims) ZKR_WUR;
zkr_err zkr_prover_logup_cheat_accel(zkr_transcript *t, const zkr_gl *a, unsigned na,
                                     const zkr_gl *table, const zkr_gl *mult, unsigned nt,
                                     unsigned threads, const struct zkr_accel *accel,
                                     zkr_buf *out, zkr_logup_claims *claims) ZKR_WUR;
/* Multiplicities of a's values in table (table values distinct). ZKR_ERR_USAGE if absent. */
zkr_err zkr_prover_logup_mult(const zkr_gl *a, size_t na, const zkr_gl *table, size_t nt,
                              zkr_gl *mult) ZKR_WUR;

/* ---------------- matmul@1 ---------------- */
/*
 * Commits to W (m x k, row-major int64) zero-padded to powers of two. Done
 * once per model; the commitment is the model's identity.
 */
zkr_err zkr_prover_matmul_commit(const zkr_params *p, const int64_t *w, uint32_t m, uint32_t k,
                                 unsigned threads, zkr_pcs_poly **poly,
                                 zkr_pcs_commitment *comm) ZKR_WUR;
/*
 * Proves y = W x for the committed W (pub->w must be poly's commitment),
 * public x (k x b) and y (m x b). Writes the whole proof file to out.
 * Returns ZKR_ERR_MISMATCH_OUTPUT when y != W x (no proof is produced),
 * ZKR_ERR_MISMATCH_MODEL when pub->w is not poly's commitment,
 * ZKR_ERR_USAGE / ZKR_ERR_TOO_LARGE on bad dimensions, ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_matmul(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                          const zkr_matmul_public *pub, const int64_t *w,
                          const zkr_pcs_poly *poly, unsigned threads, zkr_buf *out,
                          zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): a cheating
 * matmul prover. It skips every integer check (x and y in +-(p-1)/2, W
 * within pub->w_max_abs, y = W x exactly) and proves y = W x mod p for
 * whatever pub says, so tests can check that the verifier's statement
 * checks refuse a relation that holds mod p but not over the integers.
 */
zkr_err zkr_prover_matmul_cheat(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                const zkr_matmul_public *pub, const int64_t *w,
                                const zkr_pcs_poly *poly, zkr_buf *out, zkr_diag *d) ZKR_WUR;

/* ================================================================== */
/* inference@1 (prover/inference.c; infer engineer)                     */
/* ================================================================== */
#include "ml/ml.h"

/* A quantized model with its per-layer W' = [W | b | M] commitments. */
typedef struct zkr_infer_model zkr_infer_model;

/*
 * Commits to every layer of m (docs/proof-system.md, inference@1) and
 * computes the model commitment (the registry's commitment column). m must
 * outlive *out. Deterministic. Returns ZKR_OK, ZKR_ERR_TOO_LARGE (a layer
 * over the parameter set's max_vars), ZKR_ERR_MALFORMED, ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_infer_commit(const zkr_params *p, const zkr_ml_model *m, unsigned threads,
                                zkr_infer_model **out, uint8_t commitment[ZKR_DIGEST_BYTES],
                                zkr_diag *d) ZKR_WUR;
/* Frees (wipes the committed polynomials). Accepts NULL. */
void zkr_infer_model_free(zkr_infer_model *im);

/*
 * The values the prover commits to, decoded back from its witness vector:
 * per layer the accumulators, q = y + (hi - lo) g and y (out_dim each).
 */
typedef struct {
    uint32_t n_layers;
    int64_t *acc[ZKR_INFER_MAX_LAYERS];
    int64_t *q[ZKR_INFER_MAX_LAYERS];
    int64_t *r[ZKR_INFER_MAX_LAYERS];
    int64_t *y[ZKR_INFER_MAX_LAYERS];
} zkr_infer_values;
/* Builds the witness for input (input_dim bytes) and decodes it. ZKR_ERR_MALFORMED, NOMEM. */
zkr_err zkr_prover_infer_values(const zkr_infer_model *im, const uint8_t *input, size_t len,
                                zkr_infer_values *out, zkr_diag *d) ZKR_WUR;
void zkr_infer_values_free(zkr_infer_values *v);

/*
 * Proves that running im's model on record `index` of ds gives the output
 * written to *output (zkr_infer_output_encode) and writes the whole proof
 * file to proof (both cleared first). statement_id seeds the transcript.
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND (index past the end), ZKR_ERR_UNSUPPORTED
 * (records are not input_dim bytes plus a label), ZKR_ERR_INTERNAL (the
 * witness disagrees with native inference: never expected), ZKR_ERR_NOMEM.
 */
/* Record index of a committed dataset of n_records: its bytes and inclusion path. */
typedef struct {
    uint64_t index, n_records;
    uint8_t root[ZKR_DIGEST_BYTES]; /* RFC 6962 root over the record commitments */
    const uint8_t *record;
    size_t record_len;
    const uint8_t (*path)[ZKR_DIGEST_BYTES];
    size_t path_len;
} zkr_infer_record;

/*
 * As zkr_prover_inference with the record and its path already extracted
 * (zkr_infer_dataset_commit), so that a confined worker needs O(record)
 * bytes, not the dataset. The path is not checked here (the verifier does).
 */
zkr_err zkr_prover_inference_record(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_infer_model *im, const zkr_infer_record *rec,
                                    unsigned threads, zkr_buf *proof, zkr_buf *output,
                                    zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (zkr_config.h ZKR_TEST_BUILD; declared for tests, never
 * called by zkreg): proves with a deliberately wrong witness, as a cheating
 * prover would, so tests can check the verifier rejects it. forge 1: the
 * last layer's first output (and the public output) changed; 2: layer 0's
 * first accumulator + 1, requantized consistently; 3: the witness computed
 * on another input than the record. ZKR_ERR_USAGE for another forge.
 */
zkr_err zkr_prover_inference_forged(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_infer_model *im, const zkr_infer_record *rec,
                                    unsigned forge, zkr_buf *proof, zkr_buf *output,
                                    zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): the cheating
 * prover of tests/soundness. The honest witness of rec's input is built
 * and checked against native inference, then handed to edit, which may
 * substitute any slot of V (as field elements), any accumulator the
 * zero-check uses and the public output. Unless edit sets keep_mult, the
 * multiplicities (V's second half) are recounted over the in-table values
 * of the first half (an out-of-table value has no table entry to count).
 * The proof is then produced from the edited witness exactly as the
 * honest prover would (LogUp with zkr_prover_logup_cheat, so unequal sums
 * do not stop it). ZKR_ERR_USAGE without edit; edit's error is returned.
 */
typedef struct {
    const zkr_infer_shape *shape;
    zkr_gl *v;                            /* V, 2^n_v values */
    int64_t *acc[ZKR_INFER_MAX_LAYERS];   /* 2^lm each, as the zero-check reads them */
    int8_t *out;                          /* the public output's logits */
    uint32_t out_dim;
    int keep_mult;
} zkr_infer_cheat_view;
typedef zkr_err (*zkr_infer_cheat_fn)(void *ctx, zkr_infer_cheat_view *w);
zkr_err zkr_prover_inference_cheat(const zkr_params *p,
                                   const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                   const zkr_infer_model *im, const zkr_infer_record *rec,
                                   zkr_infer_cheat_fn edit, void *ctx, zkr_buf *proof,
                                   zkr_buf *output, zkr_diag *d) ZKR_WUR;

zkr_err zkr_prover_inference(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                             const zkr_infer_model *im, const zkr_dataset *ds, uint64_t index,
                             unsigned threads, zkr_buf *proof, zkr_buf *output,
                             zkr_diag *d) ZKR_WUR;

/*
 * Read-only views of a committed model's parts, for the proof kinds built
 * on inference@1 (prover/evaluation.c). Valid while im lives.
 */
typedef struct {
    const zkr_ml_model *m;
    const zkr_params *params;
    const zkr_infer_shape *shape;
    const zkr_ml_qlayer *ql;          /* shape->n_layers */
    zkr_pcs_poly *const *poly;        /* W'_l, committed */
    const zkr_pcs_commitment *comm;   /* their commitments */
    const uint32_t *shifts;
    const uint8_t *program;           /* the encoded program */
    size_t program_len;
    const uint8_t *program_digest;    /* 32 bytes */
    const uint8_t *commitment;        /* the model commitment, 32 bytes */
} zkr_infer_model_parts;
void zkr_infer_model_parts_of(const zkr_infer_model *im, zkr_infer_model_parts *out);

/* ================================================================== */
/* evaluation@1 (prover/evaluation.c)                                   */
/* ================================================================== */
/*
 * The record range of an evaluation: the dataset's n and RFC 6962 root, the
 * range [first, first + count), the range's records (count x rec_len bytes,
 * contiguous: input bytes then the label) and the range proof's boundary
 * hashes (zkr_eval_range_proof). A confined worker needs only these.
 */
typedef struct {
    uint64_t n_records;
    uint8_t root[ZKR_DIGEST_BYTES];
    uint64_t first, count;
    const uint8_t *records;
    size_t rec_len;
    const uint8_t (*bound)[ZKR_DIGEST_BYTES];
    size_t n_bound;
} zkr_eval_batch;
/*
 * Extracts a batch from a dataset: *records gets count x rec_len bytes
 * (caller frees), bound (caller's array) the boundary hashes, and batch
 * points at both. ZKR_ERR_NOT_FOUND (range past the end or empty),
 * ZKR_ERR_UNSUPPORTED (records of different lengths), ZKR_ERR_NOMEM.
 */
zkr_err zkr_eval_batch_of(const zkr_dataset *ds, uint64_t first, uint64_t count,
                          uint8_t **records, uint8_t bound[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES],
                          zkr_eval_batch *batch, zkr_diag *d) ZKR_WUR;
/*
 * Proves evaluation@1: im's model over the batch, each record's argmax
 * against its label, and the number correct. mode ZKR_EVAL_MODE_EXACT
 * writes (mode, count, correct) to *output; ZKR_EVAL_MODE_THRESHOLD writes
 * (mode, count, tau) and succeeds only when correct >= tau (else
 * ZKR_ERR_MISMATCH_OUTPUT, no proof). *correct (may be NULL) gets the
 * number correct. Deterministic for any thread count. ZKR_ERR_UNSUPPORTED
 * (records not input_dim bytes plus a label), ZKR_ERR_TOO_LARGE (the batch
 * over the parameter set), ZKR_ERR_INTERNAL (witness differs from native
 * inference: never expected), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_evaluation(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              const zkr_infer_model *im, const zkr_eval_batch *batch,
                              unsigned mode, uint64_t tau, unsigned threads, zkr_buf *proof,
                              zkr_buf *output, uint64_t *correct, zkr_diag *d) ZKR_WUR;
/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): the cheating
 * prover of tests/soundness. The honest witness is built (from
 * wit_records when set: another input than the statement's records) and
 * handed to edit, which may overwrite any entry of V_l, A (field
 * elements), the accumulators and the claimed number correct. Unless
 * keep_mult, MU is recounted over in-table values; unless set_correct, the
 * claim is recomputed from the edited A and the labels. The proof is then
 * produced as the honest prover would (LogUp with the cheating variant).
 */
typedef struct {
    const zkr_eval_shape *shape;
    zkr_gl *v[ZKR_INFER_MAX_LAYERS];   /* V_l: slot s, row j, record b at ((s << lb) + b) << lm | j */
    int64_t *acc[ZKR_INFER_MAX_LAYERS]; /* 2^(lm + lb), row j + 2^lm b */
    zkr_gl *a;                          /* A: slot s at ((s << lb) + b) << c | j */
    uint64_t correct;
    int set_correct, keep_mult;
    uint64_t mask_records; /* nonzero: layer 0's zero-check weights only records below it */
    int chunks_only;       /* a split batch: the edit of V_0 reaches its committed chunks only,
                            * the sumchecks read the honest V_0 */
    unsigned skip_range;   /* format version 4, nonzero: LogUp skip_range - 1 (0..L-1: V_l, L:
                            * A) left out, the teeth of a range attack (verified with
                            * zkr_verify_evaluation_off's ZKR_EVAL_OFF_RANGE0 << i only) */
    int clamp_columns;     /* format version 4: each LogUp proves its entry column with the
                            * out-of-table entries replaced by 0 (MU counted on that column),
                            * not the column of V's slots (ZKR_EVAL_OFF_ENTRIES' teeth) */
} zkr_eval_cheat_view;
typedef zkr_err (*zkr_eval_cheat_fn)(void *ctx, zkr_eval_cheat_view *w);
zkr_err zkr_prover_evaluation_cheat(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_infer_model *im, const zkr_eval_batch *batch,
                                    const uint8_t *wit_records, unsigned mode, uint64_t tau,
                                    zkr_eval_cheat_fn edit, void *ctx, zkr_buf *proof,
                                    zkr_buf *output, zkr_diag *d) ZKR_WUR;
/*
 * The same in a given format version (1..ZKR_EVAL_VERSION; the view's
 * layout is that version's); version 4: min_gbits is the least clamp width
 * declared per side (so a gh / gl limb exists to edit), 0 for the honest ones.
 */
zkr_err zkr_prover_evaluation_cheat_version(const zkr_params *p,
                                            const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                            const zkr_infer_model *im,
                                            const zkr_eval_batch *batch,
                                            const uint8_t *wit_records, unsigned mode,
                                            uint64_t tau, unsigned version, unsigned min_gbits,
                                            zkr_eval_cheat_fn edit, void *ctx, zkr_buf *proof,
                                            zkr_buf *output, zkr_diag *d) ZKR_WUR;
/*
 * Test builds: an honest proof in format version 1..4 (older proofs
 * must keep verifying: registry exports and bundles may hold them).
 */
zkr_err zkr_prover_evaluation_version(const zkr_params *p,
                                      const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                      const zkr_infer_model *im, const zkr_eval_batch *batch,
                                      unsigned mode, uint64_t tau, unsigned threads,
                                      unsigned version, zkr_buf *proof, zkr_buf *output,
                                      zkr_diag *d) ZKR_WUR;

/* ================================================================== */
/* training-step@1 (prover/training.c)                                  */
/* ================================================================== */

/* A training model with its per-layer commitments (docs/proof-system.md). */
typedef struct zkr_train_model zkr_train_model;

/*
 * Commits to every layer of training model m (W_l as 2^lm x 2^lk, entry
 * (j, k) at j 2^lk + k, zero padded) and computes the training-model
 * commitment (the registry's commitment column). m must outlive *out.
 * Deterministic. Returns ZKR_OK, ZKR_ERR_TOO_LARGE, ZKR_ERR_UNSUPPORTED
 * (over ZKR_TRAIN_MAX_LAYERS layers), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_train_commit(const zkr_params *p, const zkr_ml_tmodel *m, unsigned threads,
                                zkr_train_model **out, uint8_t commitment[ZKR_DIGEST_BYTES],
                                zkr_diag *d) ZKR_WUR;
/* Frees (wipes the weights). Accepts NULL. */
void zkr_train_model_free(zkr_train_model *tm);

/*
 * Proves that child is exactly one SGD step (docs/training.md) of parent
 * on records[0..batch) with sp, for statement_id. records[i] carries the
 * record's index, bytes and inclusion path in the dataset (n_records,
 * root). Writes the whole proof file (cleared first).
 * Returns ZKR_OK; ZKR_ERR_MISMATCH_MODEL when child is not that step's
 * result (no proof); ZKR_ERR_MISMATCH_PROGRAM; ZKR_ERR_USAGE (batch size,
 * a record index given twice: a batch is distinct records); ZKR_ERR_UNSUPPORTED (a
 * hidden width that is not a power of two, batch, layer count, a bound
 * broken by the step); ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_train_step(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              const zkr_train_model *parent, const zkr_train_model *child,
                              const zkr_infer_record *records, uint32_t batch,
                              const zkr_ml_tstep_params *sp, unsigned threads, zkr_buf *proof,
                              zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): a cheating
 * prover, so tests can check the verifier rejects it. forge 1: proves for
 * a child that is not the step's result (the check is skipped; the
 * witness is the honest step's); 2: one ReLU mask of the witness flipped
 * (limbs kept in range). ZKR_ERR_USAGE for another forge.
 */
zkr_err zkr_prover_train_step_forged(const zkr_params *p,
                                     const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                     const zkr_train_model *parent, const zkr_train_model *child,
                                     const zkr_infer_record *records, uint32_t batch,
                                     const zkr_ml_tstep_params *sp, unsigned forge,
                                     zkr_buf *proof, zkr_diag *d) ZKR_WUR;

/*
 * Test builds only: the cheating-prover framework of tests/soundness/training.
 * The witness V of one step as the cheat callback sees it: it may overwrite
 * any entry of v with any field element (slot layout: zk/zk.h, ZKR_TS_* and
 * ZKR_TU_*; offsets in *s). Afterwards the prover derives everything else
 * from V exactly as an honest one would (delta and the layer inputs for the
 * sumchecks, the range multiplicities, where entries outside 0..65535 are
 * left uncounted, the commitments) and proves.
 */
typedef struct {
    const zkr_train_shape *s;
    zkr_gl *v;                     /* 2^s->n_v entries */
    const zkr_ml_tstep_trace *tr;  /* the trace V was filled from */
    uint32_t lr, shift;
} zkr_train_witness;
typedef zkr_err (*zkr_train_cheat_fn)(zkr_train_witness *w, void *arg);
/*
 * Proves parent -> child on records with V filled from tr (NULL: the native
 * step's trace; a step native training refuses needs tr) and then passed to
 * cheat (NULL: no substitution). The child's equality with the step is not
 * checked. Returns what zkr_prover_train_step does, or cheat's error.
 */
zkr_err zkr_prover_train_step_cheat(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_train_model *parent, const zkr_train_model *child,
                                    const zkr_infer_record *records, uint32_t batch,
                                    const zkr_ml_tstep_params *sp, const zkr_ml_tstep_trace *tr,
                                    zkr_train_cheat_fn cheat, void *arg, zkr_buf *proof,
                                    zkr_diag *d) ZKR_WUR;
/*
 * Commits a "model" of m's program whose layer l is the raw field elements
 * w[l] (2^(lm + lk) entries, entry (j, k) at j 2^lk + k), e.g. a child
 * weight outside |W| < 2^20. m must outlive *out.
 */
zkr_err zkr_prover_train_commit_raw(const zkr_params *p, const zkr_ml_tmodel *m,
                                    const zkr_gl *const *w, zkr_train_model **out,
                                    uint8_t commitment[ZKR_DIGEST_BYTES], zkr_diag *d) ZKR_WUR;


/* ================================================================== */
/* Zero-knowledge randomness, hiding commitments, matmul@2              */
/* (prover/zk_rand.c, prover/hiding_pcs.c, prover/matmul2.c)             */
/* ================================================================== */
/*
 * The prover's secret randomness (masks, blinding, Merkle salts): a
 * ChaCha20 keystream under a 32-byte key that is either fresh from the OS
 * CSPRNG (randombytes_buf; proofs differ per run) or derived, RFC 6979
 * style, from a secret seed and the public statement (same seed and
 * statement give byte-identical proofs). Never derived from the witness
 * alone. Wipe with zkr_zkrng_wipe.
 */
typedef struct {
    uint8_t key[32];
    uint32_t block;      /* next ChaCha20 block */
    uint8_t buf[64];
    unsigned pos;        /* bytes of buf used */
    int zero;            /* test builds only: 1 every draw 0, 2 field draws 0 (masking off) */
} zkr_zkrng;
#define ZKR_ZK_SEED_MIN 16u
#define ZKR_ZK_SEED_MAX 64u
/* Keys g from the OS CSPRNG. */
void zkr_zkrng_os(zkr_zkrng *g);
/*
 * Keys g with BLAKE2b-256 keyed by seed (ZKR_ZK_SEED_MIN..MAX bytes) over
 * "zkr/zk-rng/v1\0" || le64 |label| || label || ctx: label names the use
 * (a proof kind, a commitment), ctx the public statement it serves (for a
 * proof: the transcript state after the statement is bound). ZKR_OK or
 * ZKR_ERR_USAGE (seed length).
 */
zkr_err zkr_zkrng_seeded(zkr_zkrng *g, const uint8_t *seed, size_t seed_len, const char *label,
                         const uint8_t *ctx, size_t ctx_len) ZKR_WUR;
/*
 * The zkr_zkrng_seeded label of a commitment at parameter set `set`: `base`
 * itself at set 1 (the bytes of every commitment made before the sets), else
 * "base/set N", so that one seed never keys one mask at two sets (each
 * commitment its own reveal budget). Truncated to cap - 1 bytes.
 */
void zkr_prover_set_label(const char *base, uint32_t set, char *out, size_t cap);
void zkr_zkrng_bytes(zkr_zkrng *g, uint8_t *out, size_t n);
/* Keys g with a raw 32-byte key (a stored secret opening's). */
void zkr_zkrng_from_key(zkr_zkrng *g, const uint8_t key[32]);
/* Uniform in [0, p) (rejection, no bias). */
zkr_gl zkr_zkrng_gl(zkr_zkrng *g);
zkr_ext zkr_zkrng_ext(zkr_zkrng *g);
/*
 * n draws at once: the same values, in the same order, and g left in the
 * same state as n calls of zkr_zkrng_gl (zkr_zkrng_ext), the keystream
 * generated in multi-block chunks (the cost of blinding tables).
 */
void zkr_zkrng_gl_fill(zkr_zkrng *g, zkr_gl *out, size_t n);
void zkr_zkrng_ext_fill(zkr_zkrng *g, zkr_ext *out, size_t n);
/* As zkr_zkrng_gl_fill / _ext_fill (the same draws and state after), the keystream on `threads` workers. */
void zkr_zkrng_gl_fill_mt(zkr_zkrng *g, zkr_gl *out, size_t n, unsigned threads);
void zkr_zkrng_ext_fill_mt(zkr_zkrng *g, zkr_ext *out, size_t n, unsigned threads);
/* Wipes the key and buffer. */
void zkr_zkrng_wipe(zkr_zkrng *g);
/*
 * Test builds only (defined under ZKR_TEST_BUILD): a broken generator. mode
 * 1: every draw is 0 (masks, blinding and salts); mode 2: every field
 * element is 0 but salt bytes stay random (the masks alone are off).
 */
void zkr_zkrng_zero_for_test(zkr_zkrng *g, int mode);

/*
 * A hiding commitment's prover state (docs/proof-system.md, "Zero-knowledge
 * (hiding) layer"): F over n + e variables (F(x, 0^e) = f(x), the rest
 * random), its codeword and Merkle tree with random salts. Also used for the
 * extension-valued masks Z. Wiped on free.
 */
typedef struct zkr_hpcs_poly zkr_hpcs_poly;
/*
 * A proof's pool of large scratch buffers (prover/hpool.c): a buffer handed
 * back is given out again for the next request of exactly its size, so that
 * the kernel does not fault in and zero fresh pages for every commitment
 * and opening. One thread uses a pool at a time; it must outlive every poly
 * that draws from it (zkr_hpcs_poly_use_pool). NULL everywhere means plain
 * malloc / free. Large buffers are zeroed (get_zero) and wiped (put of a
 * secret) by `threads` threads (0 means 1); the contents never depend on it.
 */
typedef struct zkr_hpcs_pool zkr_hpcs_pool;
zkr_err zkr_hpcs_pool_new(zkr_hpcs_pool **out, unsigned threads) ZKR_WUR;
/* Frees the pool and the buffers it holds, each wiped first (sodium_memzero); accepts NULL. */
void zkr_hpcs_pool_free(zkr_hpcs_pool *pool);
/*
 * `bytes` of unspecified content (a reused buffer, which may hold an earlier
 * buffer's contents of the same proof, or malloc's); NULL: no memory.
 */
void *zkr_hpcs_pool_get(zkr_hpcs_pool *pool, size_t bytes);
/* As zkr_hpcs_pool_get, zero-filled (calloc's contract). */
void *zkr_hpcs_pool_get_zero(zkr_hpcs_pool *pool, size_t bytes);
/*
 * Hands p (`bytes` long, from zkr_hpcs_pool_get or malloc; NULL ignored)
 * back. A `secret` buffer is wiped with sodium_memzero before its memory
 * leaves the pool: at once when the pool is NULL or full (then it is
 * freed), else when zkr_hpcs_pool_free wipes and frees every buffer it
 * holds (a reuse within the proof overwrites it or zeroes it).
 */
void zkr_hpcs_pool_put(zkr_hpcs_pool *pool, void *p, size_t bytes, int secret);
/*
 * Makes poly's buffers go back to pool when it is freed, and the openings of
 * poly (the first member of a batch) draw their scratch and masks from it.
 */
void zkr_hpcs_poly_use_pool(zkr_hpcs_poly *poly, zkr_hpcs_pool *pool);
/* The pool poly uses (NULL: none). */
zkr_hpcs_pool *zkr_hpcs_poly_pool(const zkr_hpcs_poly *poly);
/*
 * Commits to f (2^n_vars base evaluations, copied) blinded for `budget`
 * openings (zkr_hpcs_blind_vars). ZKR_ERR_USAGE (budget 0 or above
 * ZKR_HPCS_MAX_BUDGET), ZKR_ERR_TOO_LARGE (no e fits max_vars), NOMEM.
 */
zkr_err zkr_prover_hcommit(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                           uint32_t budget, zkr_zkrng *rng, unsigned threads, zkr_hpcs_poly **out,
                           zkr_hpcs_commitment *comm) ZKR_WUR;
/*
 * As zkr_prover_hcommit for an extension-valued f (comm->ext = 1): the
 * blinding entries are uniform extension elements. Same errors.
 */
zkr_err zkr_prover_hcommit_ext(const zkr_params *p, const zkr_ext *evals, unsigned n_vars,
                               uint32_t budget, zkr_zkrng *rng, unsigned threads,
                               zkr_hpcs_poly **out, zkr_hpcs_commitment *comm) ZKR_WUR;
/*
 * As zkr_prover_hcommit / _ext with more blinding than the budget needs:
 * e = total_vars - n_vars (at least zkr_hpcs_blind_vars(n_vars, budget)),
 * so that commitments of different sizes can share a batched opening.
 * ZKR_ERR_TOO_LARGE when total_vars is below that, above max_vars or e above
 * ZKR_HPCS_MAX_BLIND_VARS; else as zkr_prover_hcommit.
 */
zkr_err zkr_prover_hcommit_sized(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                                 unsigned total_vars, uint32_t budget, zkr_zkrng *rng,
                                 unsigned threads, zkr_hpcs_poly **out,
                                 zkr_hpcs_commitment *comm) ZKR_WUR;
zkr_err zkr_prover_hcommit_ext_sized(const zkr_params *p, const zkr_ext *evals, unsigned n_vars,
                                     unsigned total_vars, uint32_t budget, zkr_zkrng *rng,
                                     unsigned threads, zkr_hpcs_poly **out,
                                     zkr_hpcs_commitment *comm) ZKR_WUR;
/* As zkr_prover_hcommit_sized / _ext_sized, the buffers drawn from pool (used as zkr_hpcs_poly_use_pool). */
zkr_err zkr_prover_hcommit_sized_pool(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                                      unsigned total_vars, uint32_t budget, zkr_hpcs_pool *pool,
                                      zkr_zkrng *rng, unsigned threads, zkr_hpcs_poly **out,
                                      zkr_hpcs_commitment *comm) ZKR_WUR;
zkr_err zkr_prover_hcommit_ext_sized_pool(const zkr_params *p, const zkr_ext *evals,
                                          unsigned n_vars, unsigned total_vars, uint32_t budget,
                                          zkr_hpcs_pool *pool, zkr_zkrng *rng, unsigned threads,
                                          zkr_hpcs_poly **out, zkr_hpcs_commitment *comm) ZKR_WUR;
/*
 * As zkr_prover_hcommit_sized_pool / _ext_sized_pool, the tree's leaves
 * holding 2^leaf_arity entries (0: the layout's): a mixed opening's fitted
 * member (zkr_hpcs_mixed_fit_arity: the leaves its join reads, nothing
 * more; inference@2 version 8). Such a polynomial is opened only by
 * zkr_prover_hopen_mixed, whose gate refuses it (ZKR_ERR_USAGE) unless
 * leaf_arity is its fitted arity there; every other opening refuses it.
 * ZKR_ERR_USAGE also for an arity past ZKR_PCS_MAX_FOLD_ARITY or the tree's
 * leaf size.
 */
zkr_err zkr_prover_hcommit_fit_pool(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                                    unsigned total_vars, uint32_t budget, unsigned leaf_arity,
                                    zkr_hpcs_pool *pool, zkr_zkrng *rng, unsigned threads,
                                    zkr_hpcs_poly **out, zkr_hpcs_commitment *comm) ZKR_WUR;
zkr_err zkr_prover_hcommit_ext_fit_pool(const zkr_params *p, const zkr_ext *evals,
                                        unsigned n_vars, unsigned total_vars, uint32_t budget,
                                        unsigned leaf_arity, zkr_hpcs_pool *pool, zkr_zkrng *rng,
                                        unsigned threads, zkr_hpcs_poly **out,
                                        zkr_hpcs_commitment *comm) ZKR_WUR;
/*
 * Two extension-valued polynomials of one size committed as a stacked pair
 * under one root (comm, the pair's): each leaf of the tree holds a's
 * 2^leaf_arity entries then b's (inference@2 version 9's h and phi). Both
 * are opened together, only by zkr_prover_hopen_mixed, with b right after
 * a among the members and both joining (zkr_hpcs_verify_mixed_fit's stack
 * mask: b's bit); every other opening refuses either (ZKR_ERR_USAGE), as
 * does a leaf_arity of 0 or a pair's leaf over ZKR_MT_MAX_LEAF_WORDS
 * words. a owns the pair's tree: b's root (zkr_hpcs_poly_root) is read
 * from it. Freeing either leaves the other a half pair: every opening
 * refuses it (ZKR_ERR_USAGE) and its root reads as zeros.
 */
zkr_err zkr_prover_hcommit_ext_pair_fit_pool(const zkr_params *p, const zkr_ext *ea,
                                             const zkr_ext *eb, unsigned n_vars,
                                             unsigned total_vars, uint32_t budget,
                                             unsigned leaf_arity, zkr_hpcs_pool *pool,
                                             zkr_zkrng *rng, unsigned threads,
                                             zkr_hpcs_poly **a, zkr_hpcs_poly **b,
                                             zkr_hpcs_commitment *comm) ZKR_WUR;
/* One member of a base-valued stacked pair: 2^n_vars entries, blinded for budget openings. */
typedef struct {
    const zkr_gl *evals;
    unsigned n_vars;
    uint32_t budget;
} zkr_hpcs_pair_member;
/*
 * Two base-valued polynomials blinded up to one size (total_vars) committed
 * as a stacked pair, as zkr_prover_hcommit_ext_pair_fit_pool does for two
 * extension-valued ones (inference@2 version 10's V and the range proof's
 * m): each leaf holds a's 2^leaf_arity entries then b's; ca and cb carry
 * each member's sizes and the pair's one root. Each member keeps its own
 * budget. The same rules: opened together only by zkr_prover_hopen_mixed,
 * b right after a, both joining; a owns the tree. ZKR_ERR_USAGE for a
 * leaf_arity of 0 or a leaf over ZKR_MT_MAX_LEAF_WORDS words, NULL
 * entries or a budget outside 1..ZKR_HPCS_MAX_BUDGET; ZKR_ERR_TOO_LARGE
 * where total_vars cannot blind a member for its budget; ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_hcommit_pair_fit_pool(const zkr_params *p, const zkr_hpcs_pair_member *ma,
                                         const zkr_hpcs_pair_member *mb, unsigned total_vars,
                                         unsigned leaf_arity, zkr_hpcs_pool *pool, zkr_zkrng *rng,
                                         unsigned threads, zkr_hpcs_poly **a, zkr_hpcs_poly **b,
                                         zkr_hpcs_commitment *ca, zkr_hpcs_commitment *cb) ZKR_WUR;
/*
 * n (2..ZKR_HPCS_MAX_STACK) base-valued polynomials ms[0..n-1], each blinded
 * for its own budget up to one size total_vars, committed as one stacked
 * group under one root (inference@2 version 14's W'_0..W'_{n-1}): each
 * leaf holds one fresh salt, then member 0's 2^a0 codeword entries, member
 * 1's, ... (a0 the layout's folds[0]: every member is a full-size member
 * of the mixed opening that opens them). out[i] and comms[i] are member
 * i's (every root the group's); out[0] owns the tree. The group opens only
 * whole, by zkr_prover_hopen_mixed with its members adjacent in this
 * order and full-size (zkr_hpcs_verify_mixed_fit's stack mask: bits
 * 1..n-1 of the run); every other opening refuses any member (USAGE), and
 * freeing one member leaves the others refused likewise. ZKR_ERR_USAGE (n,
 * NULL evals, a budget outside 1..ZKR_HPCS_MAX_BUDGET, n 2^a0 over
 * ZKR_MT_MAX_LEAF_WORDS), ZKR_ERR_TOO_LARGE (total_vars over max_vars, or
 * one that cannot blind a member for its budget), NOMEM; on error every
 * out[i] is NULL. Deterministic in rng: the members' blinding in order,
 * then the tree's salt seed.
 */
zkr_err zkr_prover_hcommit_stack_pool(const zkr_params *p, const zkr_hpcs_pair_member *ms,
                                      size_t n, unsigned total_vars, zkr_hpcs_pool *pool,
                                      zkr_zkrng *rng, unsigned threads, zkr_hpcs_poly **out,
                                      zkr_hpcs_commitment *comms) ZKR_WUR;
/*
 * zkr_prover_hcommit_pair_fit_pool with a nested mask (inference@2 version
 * 13): beside the pair, the periodic mask Z of the mixed opening it will
 * join (of mix_total - a0 variables, a0 = zkr_hpcs_layout_of(mix_total)'s
 * first layer arity; its own salts) is drawn and committed, and each pair
 * leaf L carries, as its last 4 words, the root over Z's leaves L 2^nest_h
 * .. (L + 1) 2^nest_h - 1, so the pair's root binds Z. The pair's first
 * (a) owns Z; zkr_prover_hopen_mixed takes it as the opening's mask
 * (sending no mask root, and Z's leaves with the siblings up to those
 * subtree roots only) and refuses a second opening with it. The pair must
 * have 2^nest_h times fewer leaves than Z has (ZKR_ERR_USAGE else, or
 * nest_h outside 1..ZKR_PCS_MAX_FOLD_ARITY, mix_total over max_vars), and
 * the rest as zkr_prover_hcommit_pair_fit_pool.
 */
zkr_err zkr_prover_hcommit_pair_nest_pool(const zkr_params *p, const zkr_hpcs_pair_member *ma,
                                          const zkr_hpcs_pair_member *mb, unsigned total_vars,
                                          unsigned leaf_arity, unsigned mix_total,
                                          unsigned nest_h, zkr_hpcs_pool *pool, zkr_zkrng *rng,
                                          unsigned threads, zkr_hpcs_poly **a, zkr_hpcs_poly **b,
                                          zkr_hpcs_commitment *ca, zkr_hpcs_commitment *cb) ZKR_WUR;
/* The full blinded table F (2^(n + e) entries, slice u = 0 first); NULL for the other kind. */
const zkr_gl *zkr_hpcs_poly_base_evals(const zkr_hpcs_poly *poly);
const zkr_ext *zkr_hpcs_poly_ext_evals(const zkr_hpcs_poly *poly);
/* n + e (a mask: its variables). */
unsigned zkr_hpcs_poly_total_vars(const zkr_hpcs_poly *poly);
/* n, the hidden polynomial's variables (a mask: all of them). */
unsigned zkr_hpcs_poly_n_vars(const zkr_hpcs_poly *poly);
/*
 * Declares poly's evaluations [lo, hi) (within the slice u = 0, hi <= 2^n)
 * zero by their shape, which is public (never by inspecting secret
 * values): the mixed opening's combination skips them. ZKR_ERR_USAGE (a
 * range outside 2^n, a poly without evaluations); test builds check the
 * claim (ZKR_ERR_INTERNAL if an entry is not zero). Not thread safe.
 */
zkr_err zkr_hpcs_poly_set_zeros(zkr_hpcs_poly *poly, size_t lo, size_t hi) ZKR_WUR;
/*
 * f committed as zkr_prover_hcommit does (n_vars blinded for one opening:
 * budget must be 1, the pair's one mask serves one opening only; the
 * layout's layer-0 leaves) together with the mask its opening
 * uses, in one tree (inference@2 version 11, C's opening): z is a fresh
 * uniformly random extension-valued multilinear of f's n + e variables, and
 * each tree leaf holds a fresh salt, f's 2^a0 values, then z's 2^a0
 * extension values. comm is f's; its root covers both. The pair opens only
 * as zkr_prover_hopen(p, t, f, z, ...) with this z (one tree opened at
 * layer 0; the transcript's mask root is that root); every other opening
 * refuses either half. ZKR_ERR_USAGE (budget other than 1, NULL evals), TOO_LARGE,
 * NOMEM; on error *f and *z are NULL.
 */
zkr_err zkr_prover_hcommit_masked(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                                  uint32_t budget, zkr_zkrng *rng, unsigned threads,
                                  zkr_hpcs_poly **f, zkr_hpcs_poly **z,
                                  zkr_hpcs_commitment *comm) ZKR_WUR;
/* A fresh uniformly random extension-valued mask of total_vars variables; root out. */
zkr_err zkr_prover_hmask(const zkr_params *p, unsigned total_vars, zkr_zkrng *rng,
                         unsigned threads, zkr_hpcs_poly **out,
                         uint8_t root[ZKR_DIGEST_BYTES]) ZKR_WUR;
void zkr_hpcs_poly_free(zkr_hpcs_poly *poly);
/* Evaluations of a mask (2^total_vars extension values; NULL for a base commitment). */
const zkr_ext *zkr_hpcs_mask_evals(const zkr_hpcs_poly *mask);
/* The Merkle root of a hiding commitment or mask. */
void zkr_hpcs_poly_root(const zkr_hpcs_poly *poly, uint8_t root[ZKR_DIGEST_BYTES]);
/* Openings f was blinded for (its budget; the used count aside). */
uint32_t zkr_hpcs_budget_total(const zkr_hpcs_poly *f);
/* Openings left in f's budget (the count lives in this object only, not across processes). */
uint32_t zkr_hpcs_budget_left(const zkr_hpcs_poly *f);
/*
 * Values revealed at full points off the slice u = 0 (zkr_prover_hopen_at,
 * zkr_prover_hopen_batch, zkr_prover_hopen_mixed) left: 2^n (2^e - 1) in
 * all, the random entries such values mix in when their point spreads over
 * every blinding coordinate (a value whose point sets only the first e'
 * coordinates is refused when the values at levels <= e' would pass
 * 2^n (2^e' - 1); zkr_hpcs_charge); counted in this object only.
 */
uint64_t zkr_hpcs_reveals_left(const zkr_hpcs_poly *f);
/*
 * Of the values zkr_hpcs_reveals_left counts, those revealed at points
 * that mix in only the first blinding slice (each such value is a
 * functional of that slice's 2^n random entries; zkr_hpcs_charge refuses
 * more than 2^n of them).
 */
uint64_t zkr_hpcs_first_slice_reveals(const zkr_hpcs_poly *f);
/*
 * Charges f's budget with openings and its reveal count with reveals values
 * whose points mix in only the first eb blinding slices (a protocol that
 * reveals more of f per proof than its openings count: inference@2's W').
 * The cap is per prefix: for every j >= eb, the values counted at levels
 * <= j (a value's level: the last blinding slice its point mixes in) must
 * not outnumber the 2^n (2^j - 1) random entries of slices 1..j.
 * ZKR_ERR_USAGE (eb 0 or above e, budget or cap short; nothing charged).
 */
zkr_err zkr_hpcs_charge(zkr_hpcs_poly *f, uint32_t openings, uint64_t reveals,
                        unsigned eb) ZKR_WUR;
/*
 * Proves G(z, 0^e) = value for G = f + rho mask (what zkr_hpcs_verify
 * checks) and appends the bytes. Consumes one opening of f's budget. f and
 * mask from one zkr_prover_hcommit_masked: their one tree is opened (what
 * zkr_hpcs_verify_masked checks). ZKR_ERR_USAGE (sizes differ, budget
 * exhausted, a stacked half of any other pair), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_hopen(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *f,
                         const zkr_hpcs_poly *mask, zkr_ext rho, const zkr_ext *z, zkr_ext value,
                         zkr_zkrng *rng, unsigned threads, zkr_buf *out) ZKR_WUR;

/*
 * As zkr_prover_hopen at a point zfull of all n + e variables (blinding
 * coordinates included: what zkr_hpcs_verify_at checks). Same errors, and
 * ZKR_ERR_USAGE past zkr_hpcs_reveals_left.
 */
zkr_err zkr_prover_hopen_at(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *f,
                            const zkr_hpcs_poly *mask, zkr_ext rho, const zkr_ext *zfull,
                            zkr_ext value, zkr_zkrng *rng, unsigned threads,
                            zkr_buf *out) ZKR_WUR;

/*
 * Batched hiding opening (verified by zkr_hpcs_verify_batch; docs/
 * proof-system.md, "Batched hiding opening"): f[0..k-1] (k <= ZKR_HPCS_MAX_BATCH,
 * distinct, all of the same n + e, base- or extension-valued) take
 * values[0..k-1] at the full point zfull (n + e coordinates). Commits a
 * fresh extension-valued mask Z, appends its root and b = Z(zfull), binds
 * the roots, the point, the values, Z's root and b, draws beta_0..beta_{k-1}
 * and rho, and appends the opening of sum beta_i F_i + rho Z. The caller
 * sends the values. Consumes one opening of each member's budget, and one
 * revealed value of each whose point is off the slice u = 0
 * (zkr_hpcs_reveals_left). A member of a zkr_prover_hcommit_stack_pool
 * group opens only alone (k = 1): the group's tree is opened, its leaves
 * every member's words (verified by zkr_hpcs_verify_batch_stacked), and
 * the caller charges the other members for the positions it shows (the
 * model range proof); each member opens so at most once an object (the
 * caller's charge covers one such opening of each). ZKR_ERR_USAGE (k,
 * sizes differ, a member twice, a budget or reveal cap spent, any other
 * stacked member, a group member's second lone opening), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_hopen_batch(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *const *f,
                               size_t k, const zkr_ext *zfull, const zkr_ext *values,
                               zkr_zkrng *rng, unsigned threads, zkr_buf *out) ZKR_WUR;
/*
 * A cheating batched opening's deviations (test builds; zero when honest):
 * G formed with beta_0 + beta_delta or rho + rho_delta, the mask's value
 * sent plus b_delta, G folded from a mask other than the committed one, or
 * the folded layers laid out on plain Basefold's schedule instead of
 * zkr_hpcs_layout_of's (a proof of the previous version's shape).
 */
typedef struct {
    zkr_gl beta_delta, rho_delta, b_delta;
    int swap_mask;
    int plain_layout; /* the folded layers on zkr_pcs_layout_of's schedule (the old version's) */
    /* fold round shift_round's message q replaced by q + c (1 - 2X) + d X (X - 1) (c, d the
     * shifts; none when both are 0): q(0) + q(1) kept, the form L(X, z) Lambda(X) broken */
    unsigned shift_round;
    zkr_gl shift_c, shift_d;
    unsigned derive; /* a mixed opening's: zkr_hpcs_mixed_cheat's */
} zkr_hpcs_batch_cheat;
/* Test builds only (ZKR_TEST_BUILD): zkr_prover_hopen_batch with the deviations of ch. */
zkr_err zkr_prover_hopen_batch_cheat(const zkr_params *p, zkr_transcript *t,
                                     zkr_hpcs_poly *const *f, size_t k, const zkr_ext *zfull,
                                     const zkr_ext *values, const zkr_hpcs_batch_cheat *ch,
                                     zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

/*
 * Mixed-size batched hiding opening (verified by zkr_hpcs_verify_mixed;
 * docs/proof-system.md, "3c. Mixed-size batched hiding opening"):
 * f[0..k-1] (k <= ZKR_HPCS_MAX_MIXED, distinct, base- or extension-valued,
 * of sizes T_i = n_i + e_i that zkr_hpcs_mixed_ok accepts), z of T = max
 * T_i coordinates, member i taking values[i] at z's last T_i coordinates.
 * Commits a fresh extension-valued mask Z of T variables that depends on
 * its last T - a0 only (a0 = the layer-0 arity; its tree holds one value a
 * layer-0 leaf), appends its root and b = Z(z), binds the roots, sizes, z,
 * the values, Z's root and b, draws beta (one per full-size member) and
 * rho, and appends the opening of G = sum beta_i F_i + rho Z, each smaller
 * member joining as alpha_i F_i at round T - T_i (alpha_i drawn there) with
 * its own layer-0 leaves opened at the join's query positions. The caller
 * sends the values. Consumes one opening of each member's budget, and 1 +
 * zkr_hpcs_mixed_round_reveals revealed values of each whose point is off
 * its slice u = 0 (zkr_hpcs_reveals_left; the periodic mask leaves the
 * first a0 round messages unmasked), at its point's level; a member that
 * would reveal round values on its slice is refused. All or nothing: a
 * refused opening charges no member and writes nothing. The caller's to
 * check: those extra values are NOT covered by a member's blinding as
 * zkr_hpcs_blind_vars sizes it (q 2^a + 1 per budgeted opening; the counts
 * here bound values, not positions), so a member opened in up to its whole
 * budget of mixed openings needs budget (q' 2^a_i + 1 + x) random entries
 * (inference@2: zkr_i2_covers and the W' charge; training-step@2:
 * openings()). ZKR_ERR_USAGE (k, a size the schedule cannot take, a member
 * twice, a budget or reveal cap spent, round values on a slice),
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_hopen_mixed(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *const *f,
                               size_t k, const zkr_ext *z, const zkr_ext *values,
                               zkr_zkrng *rng, unsigned threads, zkr_buf *out) ZKR_WUR;
/*
 * A cheating mixed opening's deviations (test builds): G formed without
 * any joining member's alpha term (omit_alpha), or with `other` (same size
 * and kind as the joining member `member`) folded and opened in its place
 * (when `member` is a stacked pair's first and `other` one too: the other
 * pair whole), or one round message shifted off the form L(X, z) Lambda(X).
 */
typedef struct {
    size_t member;
    int omit_alpha;
    const zkr_hpcs_poly *other;
    /* fold round shift_round's message shifted as zkr_hpcs_batch_cheat's (none when both 0) */
    unsigned shift_round;
    zkr_gl shift_c, shift_d;
    /* the folded layers' derived values: 0 left out as the verifier derives them (honest);
     * ZKR_HPCS_DERIVE_SENT every value sent (version 14's layout); ZKR_HPCS_DERIVE_LAST the
     * last query's value left out of a leaf, not the first's */
    unsigned derive;
} zkr_hpcs_mixed_cheat;
#define ZKR_HPCS_DERIVE_SENT 1u
#define ZKR_HPCS_DERIVE_LAST 2u
/* Test builds only (ZKR_TEST_BUILD): zkr_prover_hopen_mixed with the deviations of ch. */
zkr_err zkr_prover_hopen_mixed_cheat(const zkr_params *p, zkr_transcript *t,
                                     zkr_hpcs_poly *const *f, size_t k, const zkr_ext *z,
                                     const zkr_ext *values, const zkr_hpcs_mixed_cheat *ch,
                                     zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

/*
 * A cheating mixed opening's deviations around its periodic mask (test
 * builds; component 3c since inference@2 version 7, training-step@2
 * version 6; zero when honest): b sent (and claimed) plus b_delta; G
 * folded from, and Z's leaves opened from, another mask than the one whose
 * root is sent (swap_mask; with a nested mask, version 13: another mask
 * Z2 opened to its own subtree roots in place of the Z the carrier's root
 * binds); version 6's full-size mask of T variables,
 * b = Z(z), full-width leaves (full_mask); the reveal gate's refusals
 * skipped, each member's opening still counted (no_gate: the proof a
 * prover without zkr_hpcs_mixed_round_reveals' charge or its on-slice
 * refusal would send).
 */
typedef struct {
    zkr_gl b_delta;
    int swap_mask, full_mask, no_gate;
} zkr_hpcs_pmask_cheat;
/* Test builds only (ZKR_TEST_BUILD): zkr_prover_hopen_mixed with the deviations of pm. */
zkr_err zkr_prover_hopen_mixed_pmask_cheat(const zkr_params *p, zkr_transcript *t,
                                           zkr_hpcs_poly *const *f, size_t k, const zkr_ext *z,
                                           const zkr_ext *values, const zkr_hpcs_pmask_cheat *pm,
                                           zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

/*
 * Test builds only (defined under ZKR_TEST_BUILD): as zkr_prover_hopen, but
 * G is formed with g_mask while tree_mask's tree is the one opened (a
 * blinded codeword inconsistent with the committed one). For a pair from
 * zkr_prover_hcommit_masked (tree_mask its z) the pair's one tree opens,
 * its leaves holding z, while G folds g_mask (an unstacked mask).
 */
zkr_err zkr_prover_hopen_cheat(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *f,
                               const zkr_hpcs_poly *tree_mask, const zkr_hpcs_poly *g_mask,
                               zkr_ext rho, const zkr_ext *z, uint64_t slice, zkr_ext value,
                               zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;
/*
 * Test builds only: a "hiding" commitment of a caller-chosen full table
 * (2^(n_vars + blind_vars) entries, slice u = 0 first), so that a cheating
 * committer can hide a second matrix in the blinding slices. Errors as
 * zkr_prover_hcommit.
 */
zkr_err zkr_prover_hcommit_table_for_test(const zkr_params *p, const zkr_gl *table,
                                          unsigned n_vars, unsigned blind_vars, uint32_t budget,
                                          zkr_zkrng *rng, zkr_hpcs_poly **out,
                                          zkr_hpcs_commitment *comm) ZKR_WUR;

/*
 * Hiding range proof (docs/proof-system.md, "Hiding range proof"; verified
 * by zkr_zkrange_verify): appends a proof that every one of the 2^n entries
 * of a's hidden base polynomial (padding included) is in tab, revealing
 * nothing else about them. Consumes one opening of a's budget (the caller
 * checks it is there); every other commitment is fresh. The transcript must
 * already bind a's commitment. ZKR_ERR_USAGE (an entry off the table, a not
 * base-valued, budget spent), ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_zkrange(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                           const zkr_zkrange_table *tab, zkr_zkrng *rng, unsigned threads,
                           zkr_buf *out) ZKR_WUR;
/*
 * Test builds only (ZKR_TEST_BUILD): the same without the table check, an
 * entry off the table counted in no multiplicity (a cheating prover's best
 * honest-looking attempt).
 */
zkr_err zkr_prover_zkrange_force(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                 const zkr_zkrange_table *tab, zkr_zkrng *rng,
                                 zkr_buf *out) ZKR_WUR;

/*
 * As zkr_prover_zkrange, and in the same batched sumcheck a linear claim
 * sum_x lin->weights[x] a(x) = lin->claim over a's 2^n entries (the public
 * weights; matmul@2 puts y = W x here, so that W is opened once).
 * Verified by zkr_zkrange_verify_lin. Same errors.
 */
zkr_err zkr_prover_zkrange_lin(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                               const zkr_zkrange_table *tab, const zkr_zkrange_lin *lin,
                               zkr_zkrng *rng, unsigned threads, zkr_buf *out) ZKR_WUR;
/*
 * A cheating range prover's deviations (test builds; all zero when honest):
 * force: an entry off the table counted in no multiplicity; fit_val (1..4):
 * the revealed value of a, h, phi or m sent plus 1 with g(r) refitted so
 * that the sumcheck's final check passes (only the batched opening can
 * refuse); off_slice: a's randomised extension read with u_0 flipped and
 * opened at the point it was proved about; batch: the batched opening's.
 */
typedef struct {
    int force;
    unsigned fit_val;
    int off_slice;
    zkr_hpcs_batch_cheat batch;
    int shift_h; /* deferred only: h^ + 1, m^ moved to keep the final check (g(r) honest) */
    int fit_g;   /* with force: the rounds honest on the false sum, g(r) absorbs the gap */
    int m_any;   /* deferred, m given (df->m_given): taken without the count check */
    int m_root_lie; /* deferred, m given: another root named (and absorbed) for m */
} zkr_zkrange_cheat;
/*
 * The range proof with its final claims deferred to the caller (inference@2
 * version 5; docs/proof-system.md, "inference@2"): gco (in) holds the Libra
 * mask's 1 + 7 N extension coefficients, drawn and committed by the caller
 * before any challenge (its own coefficient table); the rest is out: the
 * helpers h, phi, m (the caller binds their values at zf with one of its
 * openings and frees them), the sumcheck's point r (N), the full point zf
 * (T coordinates, shared by a and the helpers) and the values a^, h^, phi^,
 * m^ at zf with g(r) (which the caller proves against its coefficients).
 */
typedef struct {
    const zkr_ext *gco;
    unsigned leaf_arity; /* in: 0, or the helpers' fitted leaf arity in the caller's mixed
                          * opening (zkr_prover_hcommit_fit_pool; inference@2 version 8) */
    int stack_h_phi;     /* in: h and phi as one stacked pair (inference@2 version 9; the
                          * proof names the pair's root twice) */
    /*
     * in: NULL, or m committed by the caller (inference@2 version 10: one
     * stacked pair with a, zkr_prover_hcommit_pair_fit_pool), holding
     * zkr_prover_zkrange_mult's counts (else ZKR_ERR_USAGE). The range
     * proof takes it (m_given NULL) as it binds m's root, which the proof
     * names as before; on an earlier refusal the caller still owns it.
     */
    zkr_hpcs_poly *m_given;
    zkr_hpcs_poly *h, *ph, *m;
    zkr_ext r[64], zf[64], vals[5];
    unsigned N, E, T;
} zkr_zkrange_defer;
/*
 * The range proof's multiplicities m over a table of interval tab (count
 * 1..256): mult[j] (2^N entries, N = zkr_zkrange_sc_vars(n); zero past the
 * table) the number of a's 2^n entries equal to tab->off + j, what
 * zkr_prover_zkrange_defer commits as m (a caller commits it beside a with
 * zkr_prover_hcommit_pair_fit_pool, df->m_given). cheat (test builds, NULL
 * honest) with force set counts an entry off the table nowhere.
 * ZKR_ERR_USAGE for an entry off the table (honest), a bad table or n.
 */
zkr_err zkr_prover_zkrange_mult(const zkr_gl *a, unsigned n, const zkr_zkrange_table *tab,
                                const zkr_zkrange_cheat *cheat, zkr_gl *mult) ZKR_WUR;
/*
 * As zkr_prover_zkrange (no linear claim), deferred: appends m's, h's and
 * phi's roots, gamma, the rounds and the five values, and opens nothing.
 * a's commitment must carry the helpers' blinding for one opening and two
 * revealed values (zkr_zkrange_defer_shape, else ZKR_ERR_TOO_LARGE). cheat
 * (NULL: honest) is honoured in test builds only. Same errors as
 * zkr_prover_zkrange; on error df holds no helper.
 */
zkr_err zkr_prover_zkrange_defer(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                 const zkr_zkrange_table *tab, const zkr_zkrange_cheat *cheat,
                                 zkr_zkrange_defer *df, zkr_zkrng *rng, unsigned threads,
                                 zkr_buf *out) ZKR_WUR;
/*
 * As zkr_prover_zkrange_defer with lin's public linear claim in the same
 * batched sumcheck (training-step@2 version 5; verified by
 * zkr_zkrange_verify_defer_lin). Same contract and errors; ZKR_ERR_USAGE
 * without lin or df.
 */
zkr_err zkr_prover_zkrange_defer_lin(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                     const zkr_zkrange_table *tab, const zkr_zkrange_lin *lin,
                                     const zkr_zkrange_cheat *cheat, zkr_zkrange_defer *df,
                                     zkr_zkrng *rng, unsigned threads, zkr_buf *out) ZKR_WUR;
/*
 * As zkr_prover_zkrange_lin with a hidden term in the linear claim
 * (zkr_zkrange_link: link->b_poly, link->weights; verified by
 * zkr_zkrange_verify_link). Consumes one opening of b's budget too. cheat
 * (NULL: honest) is honoured in test builds only. Same errors.
 */
zkr_err zkr_prover_zkrange_link(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                const zkr_zkrange_table *tab, const zkr_zkrange_lin *lin,
                                const zkr_zkrange_link *link, const zkr_zkrange_cheat *cheat,
                                zkr_zkrng *rng, unsigned threads, zkr_buf *out) ZKR_WUR;
/*
 * As zkr_prover_zkrange_link against an explicit table of 256 distinct
 * public values (zkr_zkrange_verify_link_vals), each in
 * -(p-1)/2..(p-1)/2. USAGE when two repeat, one is outside that range, or
 * an entry of a is off the table (unless cheat->force, test builds).
 */
zkr_err zkr_prover_zkrange_link_vals(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                     const int64_t *vals, const zkr_zkrange_lin *lin,
                                     const zkr_zkrange_link *link, const zkr_zkrange_cheat *cheat,
                                     zkr_zkrng *rng, unsigned threads, zkr_buf *out) ZKR_WUR;
/* Test builds only (ZKR_TEST_BUILD): the range prover with cheat's deviations. */
zkr_err zkr_prover_zkrange_cheat(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                 const zkr_zkrange_table *tab, const zkr_zkrange_lin *lin,
                                 const zkr_zkrange_cheat *cheat, zkr_zkrng *rng,
                                 zkr_buf *out) ZKR_WUR;

/*
 * Hiding record commitment (zk/zk.h, "hiding record commitment"). The
 * secret opening is what the prover keeps to open it later: u32 version (1)
 * | u32 budget | key[32] (the generator key that made every blinding entry
 * and salt). Whoever holds it and the record can rebuild the commitment;
 * it reveals the record's blinding, so it is a secret like the record
 * (seal it as a key; wipe with sodium_memzero).
 */
#define ZKR_RECORD_OPENING_BYTES 40u
/*
 * Commits rec (len bytes, 1..ZKR_RECORD_MAX_LEN) blinded for `budget`
 * openings. seed NULL: the key comes from the OS CSPRNG (a fresh
 * commitment each call); else (ZKR_ZK_SEED_MIN..MAX bytes) it is derived
 * from the seed, len, budget and the record's digest (reproducible, secret
 * while the seed is). Writes the public commitment bytes and the secret
 * opening. ZKR_ERR_USAGE (len, budget, seed length), TOO_LARGE, NOMEM.
 */
zkr_err zkr_prover_record_commit(const zkr_params *p, const uint8_t *rec, size_t len,
                                 uint32_t budget, const uint8_t *seed, size_t seed_len,
                                 unsigned threads, uint8_t commitment[ZKR_RECORD_COMMIT_BYTES],
                                 uint8_t opening[ZKR_RECORD_OPENING_BYTES]) ZKR_WUR;
/*
 * Rebuilds the prover state of a record commitment from the record and its
 * secret opening, for a proof to open it (budget as committed, counted
 * from zero in this object). ZKR_ERR_MISMATCH_INPUT when rec and opening do
 * not give exactly `commitment`; ZKR_ERR_MALFORMED (commitment or opening
 * bytes), NOMEM.
 */
/*
 * Test builds only (defined under ZKR_TEST_BUILD): the hiding record commitment of len field elements ev
 * (non-bytes allowed, what a dishonest data owner can commit) under key,
 * as zkr_prover_record_commit builds it; poly and commitment may be NULL.
 */
zkr_err zkr_prover_record_commit_gl_for_test(const zkr_params *p, const zkr_gl *ev, size_t len,
                                             uint32_t budget, const uint8_t key[32],
                                             unsigned threads, zkr_hpcs_poly **poly,
                                             uint8_t commitment[ZKR_RECORD_COMMIT_BYTES]) ZKR_WUR;
zkr_err zkr_prover_record_reopen(const zkr_params *p, const uint8_t *rec, size_t len,
                                 const uint8_t commitment[ZKR_RECORD_COMMIT_BYTES],
                                 const uint8_t opening[ZKR_RECORD_OPENING_BYTES],
                                 unsigned threads, zkr_hpcs_poly **poly) ZKR_WUR;

/*
 * matmul@2: commits W (m x k int64, zero-padded) behind a hiding
 * commitment blinded for `budget` proofs. With seed (ZKR_ZK_SEED_MIN..MAX
 * bytes) the randomness is derived from it, the dimensions, the budget and
 * W's digest (reproducible, secret while the seed is); seed NULL: OS
 * CSPRNG.
 */
zkr_err zkr_prover_matmul2_commit(const zkr_params *p, const int64_t *w, uint32_t m, uint32_t k,
                                  uint32_t budget, const uint8_t *seed, size_t seed_len,
                                  unsigned threads, zkr_hpcs_poly **poly,
                                  zkr_hpcs_commitment *comm) ZKR_WUR;
/*
 * Proves y = W x (matmul@2) for W behind pub->w (poly), revealing nothing
 * about W beyond the statement (docs/proof-system.md). seed as above (NULL:
 * OS CSPRNG; else derived from seed and the bound statement). Errors as
 * zkr_prover_matmul, plus ZKR_ERR_USAGE when poly's opening budget is spent.
 */
zkr_err zkr_prover_matmul2(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                           const zkr_matmul2_public *pub, const int64_t *w, zkr_hpcs_poly *poly,
                           const uint8_t *seed, size_t seed_len, unsigned threads, zkr_buf *out,
                           zkr_diag *d) ZKR_WUR;
/*
 * Test builds only (defined under ZKR_TEST_BUILD; never called by zkreg):
 * the matmul@2 prover with a deviation. unmasked: every random draw is 0
 * (no mask, no blinding beyond poly's, zero salts: the leakage test's broken
 * build; zkr_zkrng_zero_for_test's modes, 0 honest). skip_checks: prove
 * whatever pub says (the range proof forced). range: the range proof's and
 * its batched opening's deviations (zkr_zkrange_cheat). queries: every
 * opening at this query count instead of zkr_matmul2_params' q' (0: q'),
 * e.g. q' - 1 or version 4's 166 under version 5's label.
 */
typedef struct {
    int unmasked, skip_checks;
    zkr_zkrange_cheat range;
    unsigned queries;
} zkr_matmul2_cheat;
zkr_err zkr_prover_matmul2_cheat(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                 const zkr_matmul2_public *pub, const int64_t *w,
                                 zkr_hpcs_poly *poly, const uint8_t *seed, size_t seed_len,
                                 const zkr_matmul2_cheat *cheat, zkr_buf *out,
                                 zkr_diag *d) ZKR_WUR;
/* As zkr_prover_matmul2_commit with a broken generator (mode as above: no blinding). */
zkr_err zkr_prover_matmul2_commit_unmasked(const zkr_params *p, const int64_t *w, uint32_t m,
                                           uint32_t k, uint32_t budget, int mode,
                                           zkr_hpcs_poly **poly,
                                           zkr_hpcs_commitment *comm) ZKR_WUR;


/* ================================================================== */
/* inference@2: hiding inference (prover/inference2.c)                  */
/* ================================================================== */
/*
 * docs/proof-system.md, "inference@2". A quantized model behind the
 * version 2 (hiding) model commitment: per layer W' = [W | b | M] (as
 * inference@1 lays it out) behind a hiding commitment blinded for `budget`
 * openings. Each proof consumes ZKR_INFER2_W_OPENINGS openings of every
 * layer's W' (and as many of its revealed values): the object counts them
 * and refuses a proof past the budget (ZKR_ERR_USAGE). The count lives in
 * this object only; across processes it is the caller's to keep.
 */
typedef struct zkr_infer2_model zkr_infer2_model;
/* The model's secret opening: u32 version 1 | u32 budget | key[32] (seal it as a key). */
#define ZKR_INFER2_OPENING_BYTES 40u
/*
 * Commits to m's layers (m must outlive *out) blinded for `budget` openings
 * per layer (ZKR_INFER2_W_OPENINGS per proof). seed NULL: the key comes
 * from the OS CSPRNG; else (ZKR_ZK_SEED_MIN..MAX bytes) it is derived from
 * the seed, the budget and the model's digest (same model, seed and budget:
 * the same bytes). Appends the model commitment encoding (zkr_infer2_mc_encode;
 * the registry binds zkr_infer2_mc_digest of it) to commitment and writes
 * the secret opening: version 4 (every W' in one stacked group, each
 * blinded for budget + L - 1 openings: the model range proof's L openings
 * of the group show every layer) where the layers can stack
 * (zkr_infer2_mc_stack_fits on one size T), else version 2 / 3.
 * zkr_prover_infer2_reopen rebuilds whichever version it is given. ZKR_ERR_USAGE (budget, seed
 * length), ZKR_ERR_UNSUPPORTED (a layer that is not dense int8),
 * ZKR_ERR_MALFORMED (shapes), ZKR_ERR_TOO_LARGE (a layer over max_vars),
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_infer2_commit(const zkr_params *p, const zkr_ml_model *m, uint32_t budget,
                                 const uint8_t *seed, size_t seed_len, unsigned threads,
                                 zkr_infer2_model **out, zkr_buf *commitment,
                                 uint8_t opening[ZKR_INFER2_OPENING_BYTES], zkr_diag *d) ZKR_WUR;
/*
 * Test builds only (ZKR_TEST_BUILD): zkr_prover_infer2_commit making a
 * version 2 / 3 commitment (one tree a layer, as before version 4), the
 * registered models whose proofs must still verify (one thread).
 */
zkr_err zkr_prover_infer2_commit_unstacked_for_test(const zkr_params *p, const zkr_ml_model *m,
                                                    uint32_t budget, const uint8_t *seed,
                                                    size_t seed_len, zkr_infer2_model **out,
                                                    zkr_buf *commitment,
                                                    uint8_t opening[ZKR_INFER2_OPENING_BYTES],
                                                    zkr_diag *d) ZKR_WUR;
/*
 * The hiding model key and opening inference@2 and graph-inference@2
 * share. zkr_prover_model_key: seed NULL, 32 bytes from the OS CSPRNG;
 * else the secret seed keys a hash (zkr_zkrng_seeded under `label`, the
 * context u32 budget | digest, the committed model's digest) of what is
 * committed. ZKR_OK or ZKR_ERR_USAGE (the seed's length, reported in d).
 * zkr_prover_model_opening: opening = u32 1 | u32 budget | key (40 bytes).
 */
zkr_err zkr_prover_model_key(const uint8_t *seed, size_t seed_len, const char *label,
                             uint32_t budget, const uint8_t digest[ZKR_DIGEST_BYTES],
                             uint8_t key[32], zkr_diag *d) ZKR_WUR;
void zkr_prover_model_opening(uint8_t opening[40], uint32_t budget, const uint8_t key[32]);
/*
 * Rebuilds the prover state from the model, its commitment bytes and the
 * secret opening (budget counted from zero in the new object).
 * ZKR_ERR_MISMATCH_MODEL when they do not reproduce exactly `commitment`;
 * ZKR_ERR_MALFORMED (commitment or opening bytes), other errors as commit.
 */
zkr_err zkr_prover_infer2_reopen(const zkr_params *p, const zkr_ml_model *m,
                                 const uint8_t *commitment, size_t commitment_len,
                                 const uint8_t opening[ZKR_INFER2_OPENING_BYTES], unsigned threads,
                                 zkr_infer2_model **out, zkr_diag *d) ZKR_WUR;
/* Wipes and frees. Accepts NULL. */
void zkr_infer2_model_free(zkr_infer2_model *im);
/* Proofs the object can still make (the smallest over its layers' budgets and reveal caps). */
uint32_t zkr_infer2_proofs_left(const zkr_infer2_model *im);
/* The model commitment v2 bytes of im (points into im). */
const uint8_t *zkr_infer2_model_commitment_bytes(const zkr_infer2_model *im, size_t *len);
/*
 * Layer l's W' polynomial with its blinding (the committer's; the model
 * range proof opens it once), NULL past the last layer.
 */
zkr_hpcs_poly *zkr_infer2_model_layer_poly(zkr_infer2_model *im, uint32_t l);

/*
 * The prover's witness for one record of a dataset committed with hiding
 * record commitments (zkr_infer2_dataset_commitment): the record (secret),
 * its 48-byte commitment (public, in the proof), its 40-byte secret opening
 * (zkr_prover_record_commit) and its inclusion path under root.
 */
typedef struct {
    uint64_t index, n_records;
    uint8_t root[ZKR_DIGEST_BYTES];
    const uint8_t *record;
    size_t record_len;
    const uint8_t *commitment; /* ZKR_RECORD_COMMIT_BYTES */
    const uint8_t *opening;    /* ZKR_RECORD_OPENING_BYTES, secret */
    const uint8_t (*path)[ZKR_DIGEST_BYTES];
    size_t path_len;
} zkr_infer2_record;

/*
 * Commits every record of ds (each with its own hiding record commitment
 * blinded for `budget` openings, i.e. proofs about it) and the dataset
 * commitment over them. seed NULL: OS CSPRNG; else record i's key is
 * derived from the seed and i (reproducible). Writes root and commitment;
 * when index < count also record index's commitment, opening and path.
 * O(dataset) hiding commitments: a one-time cost of the data owner.
 * ZKR_ERR_USAGE, ZKR_ERR_NOT_FOUND (index past the end with path given),
 * TOO_LARGE, NOMEM.
 */
zkr_err zkr_prover_infer2_dataset_commit(const zkr_params *p, const zkr_dataset *ds,
                                         uint32_t budget, const uint8_t *seed, size_t seed_len,
                                         unsigned threads, uint64_t index,
                                         uint8_t root[ZKR_DIGEST_BYTES],
                                         uint8_t commitment[ZKR_DIGEST_BYTES],
                                         uint8_t rec_commitment[ZKR_RECORD_COMMIT_BYTES],
                                         uint8_t rec_opening[ZKR_RECORD_OPENING_BYTES],
                                         uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                         size_t *path_len) ZKR_WUR;

/*
 * Runs im's model on rec's record (input_dim bytes and a label) and writes
 * the statement's output before any proof: the public output encoding
 * (zkr_infer_output_encode) to plain, and, with oc/oc_opening non-NULL, a
 * fresh hiding commitment to the int8 logits (zkr_infer2_oc_encode) and its
 * secret opening. seed as for the model (NULL: OS CSPRNG; else derived from
 * the seed, the model commitment, the record commitment and the logits).
 * ZKR_ERR_UNSUPPORTED (record length), USAGE, NOMEM.
 */
zkr_err zkr_prover_infer2_output(const zkr_params *p, const zkr_infer2_model *im,
                                 const zkr_infer2_record *rec, const uint8_t *seed,
                                 size_t seed_len, unsigned threads, zkr_buf *plain,
                                 uint8_t oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES],
                                 uint8_t oc_opening[ZKR_RECORD_OPENING_BYTES],
                                 zkr_diag *d) ZKR_WUR;

/*
 * The query count q' every opening of a proof of im's model over rec's
 * record runs at (zkr_infer2_params: the shapes, the output's mode and the
 * record commitment's n + e), the same search zkr_prover_inference2 and
 * the verifier make. ZKR_OK and *pq; ZKR_ERR_MISMATCH_PARAMS when no count
 * up to twice p's reaches p's target (no proof of that shape is made or
 * accepted); ZKR_ERR_MALFORMED (rec's commitment bytes). For callers that
 * must refuse before anything is spent (zkreg prove's reveal-budget ledger).
 */
zkr_err zkr_prover_infer2_queries(const zkr_params *p, const zkr_infer2_model *im,
                                  const zkr_infer2_record *rec, int public_output,
                                  zkr_params *pq, zkr_diag *d) ZKR_WUR;

/*
 * Checks, before any proof, that oc_opening opens the output commitment oc
 * (zkr_prover_infer2_output's pair) to the logits of im's model on rec's
 * record: the commitment is rebuilt from the model's output and the
 * opening's key and compared. Nothing is revealed. ZKR_OK,
 * ZKR_ERR_MISMATCH_OUTPUT (it opens to another output, or is another
 * commitment), ZKR_ERR_MALFORMED (oc or opening bytes),
 * ZKR_ERR_UNSUPPORTED (record length), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_infer2_output_check(const zkr_params *p, const zkr_infer2_model *im,
                                       const zkr_infer2_record *rec,
                                       const uint8_t oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES],
                                       const uint8_t oc_opening[ZKR_RECORD_OPENING_BYTES],
                                       unsigned threads, zkr_diag *d) ZKR_WUR;

/*
 * Proves the inference@2 statement (statement_id; im's model commitment;
 * the dataset (rec->n_records, rec->root); rec->index; the output) and
 * writes the proof file to proof (cleared first). public_output: the
 * statement's output is the plain encoding (zkr_prover_infer2_output's
 * plain bytes); else oc and oc_opening (both required) are the output
 * commitment and its opening. Hidden: W', the record, every intermediate
 * value and, unless public, the output. seed NULL: OS CSPRNG (two proofs
 * differ); else derived from the seed and the bound statement (the same
 * seed and statement: byte-identical proofs). Consumes
 * ZKR_INFER2_W_OPENINGS of every layer's budget.
 * ZKR_ERR_USAGE (a budget spent, seed length, oc missing),
 * ZKR_ERR_MISMATCH_INPUT (record and opening do not give its commitment),
 * ZKR_ERR_MISMATCH_OUTPUT (oc does not open to the model's output),
 * ZKR_ERR_UNSUPPORTED (record length), ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_inference2(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              zkr_infer2_model *im, const zkr_infer2_record *rec,
                              int public_output, const uint8_t *oc, const uint8_t *oc_opening,
                              const uint8_t *seed, size_t seed_len, unsigned threads,
                              zkr_buf *proof, zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): the prover
 * with a deviation, for the soundness and leakage tests. forge 1: layer
 * 0's row 0 claims y + 1 with r - 2^s (the requantisation holds mod p, r's
 * top limb is a field element near p, off the byte table); 2: a byte limb
 * of 256 with the next limb - 1 (the same integer, a wrapped range); 3: a
 * clamp flag of 2; (forges 1-3 prove the range with the entries off the
 * table counted nowhere, zkr_prover_zkrange_force);
 * 4: the last output logit + 1 with the public output changed to match;
 * 5: the witness computed on another input than the committed record (the
 * record's first byte flipped), the public output that input's;
 * 6 (hidden output only): the honest witness, but the output commitment's
 * polynomial is built (under oc_opening's key) from the logits with the
 * last one + 1 (126 for 127), so oc must commit to those.
 * unmasked: zkr_zkrng_zero_for_test's mode for every draw (0: honest).
 * reduce (version 2's claim reduction): 1: W'_0's u sent (and opened) + 1;
 * 2: u honest in the reduction, W'_0's value in the (version 6: mixed)
 * opening + 1; 3: g_A(r_A) sent + 1 (the linear claim on C follows it);
 * 5 (version 6): u honest, the record's value in the mixed opening + 1 (a
 * joining member); 6: the same for V's; 7 (hidden output only): the same
 * for the output commitment's.
 * forge 7 (version 3's record link): V's copy of the record differs from
 * the committed record in entry 0 (still a byte).
 * rec_x (a data owner's non-byte record): the record's input_dim + 1
 * entries as field elements; rec->opening's key and budget commit them
 * (zkr_prover_record_commit_gl_for_test; rec->record's bytes are ignored),
 * layer 0 requantises the centred lift of each row's field value (rec_twin:
 * row 0 the other preimage, that lift -/+ p), V's copy holds rec_x
 * (rec_copy_bytes: each entry mod 256, so the range proof passes and the
 * link must fail); V's range proof is forced. out: receives the public
 * output encoding the witness gives. range_lie (version 5's deferred range
 * claims): 1: the range proof sends h^ + 1 with m^ moved so that its final
 * check holds and g_R(r_R) honest, only the claim reduction can refuse;
 * 2 (with forge 2, an entry off the byte table counted nowhere): the range
 * proof's rounds are honest on the false sum and g_R(r_R) is sent off by
 * what makes its final check hold, only C's linear claim can refuse;
 * 3 (version 10, where V and m stack): V honest, the stacked m one count
 * moved from V's most frequent byte to the next table entry (m's sum
 * unchanged, so m is not V's counts), taken by the range proof unchecked
 * (zkr_zkrange_cheat m_any), its rounds honest on the false LogUp sum;
 * 4: 3 with g_R(r_R) fitted as 2 does, only C's linear claim can refuse;
 * 5: that m offered to the range proof as the honest prover does (its
 * count check refuses it: ZKR_ERR_USAGE, no proof); 6: V and m honest,
 * but section 13 names (and the transcript absorbs) another root than the
 * pair's for m.
 * c_params (version 10's C opening, adversarial review): 1: C committed
 * and opened at the mixed opening's parameters (p's rate and q', version
 * 9's layout) instead of zkr_infer2_c_params'; 2: at C's own rate with one
 * query fewer (blinded for that count); 3 (version 12, adversarial
 * review): at C's own rate and count but version 11's fold arity (the
 * set's, leaves of 16 values) under a version 12 header; 4: at arity
 * ZKR_INFER2_C_FOLD_ARITY - 1 (leaves of 4 values). The verifier derives
 * C's parameters from the sizes and must refuse all four.
 * c_mask (version 11, adversarial review): C's opening's G folds a mask Z2
 * made after rho instead of the Z in C's tree, whose leaves are opened
 * (zkr_prover_hopen_cheat): 1, Z2 with Z's slice values (every sent value
 * true); 2, Z2 = Z with one slice entry moved so that the linear sumcheck
 * holds on the verifier's claim (with range_lie 2 and forge 2, a false
 * one); 3, Z2 = Z through the same path (control). The leaves bind Z, so
 * the opening must refuse 1 and 2.
 * mix_mask (version 13, adversarial review): the mixed opening through
 * zkr_prover_hopen_mixed_pmask_cheat: 1, G, b and Z's leaves from another
 * mask Z2 (swap_mask) while the V-m pair's leaves commit Z; 2, b + 1 sent
 * and claimed; 3, no deviation (control); ZKR_ERR_USAGE where the shape
 * does not nest Z (zkr_infer2_nest_h 0).
 */
typedef struct {
    unsigned forge;
    int unmasked;
    unsigned reduce;
    const zkr_gl *rec_x;
    int rec_twin;
    int rec_copy_bytes;
    zkr_buf *out;
    unsigned range_lie; /* version 5's deferred range claims (above): 1 or 2; 3 to 6 (version 10) */
    unsigned c_params;  /* version 10: C's opening at other parameters (above): 1 to 4 */
    unsigned c_mask;    /* version 11: G of C's opening folds another mask (below): 1 to 3 */
    unsigned mix_mask;  /* version 13: the mixed opening's nested mask (above): 1 to 3 */
} zkr_infer2_cheat;
zkr_err zkr_prover_inference2_cheat(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    zkr_infer2_model *im, const zkr_infer2_record *rec,
                                    int public_output, const uint8_t *oc,
                                    const uint8_t *oc_opening, const uint8_t *seed,
                                    size_t seed_len, const zkr_infer2_cheat *cheat,
                                    zkr_buf *proof, zkr_diag *d) ZKR_WUR;

/*
 * Test builds: the KNOWN GAP of docs/soundness.md (inference@2), executed.
 * Commits m (under key, deterministic) with the last layer's bias entry of
 * row 0 moved by a field element chosen so that, on `input`, that row's
 * requantisation value L has two in-range integer preimages t and t + p
 * (lowest low-clamped q, R = 0). low != 0: the witness uses t (logit lo);
 * low == 0: t + p (logit 127). The commitment is the same for both.
 * Returns ZKR_OK; ZKR_ERR_USAGE when row 0's M is 0; others as commit.
 */
zkr_err zkr_infer2_model_backdoor_for_test(const zkr_params *p, const zkr_ml_model *m,
                                           uint32_t budget, const uint8_t key[32],
                                           const uint8_t *input, int low,
                                           zkr_infer2_model **out, zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (defined under ZKR_TEST_BUILD; never called by zkreg):
 * the byte witness V (2^n_v entries, the record's copy included) an
 * honest inference@2 prover builds for rec under im, for the leakage
 * test's transcript-conditioned distinguisher. The caller frees *v.
 * ZKR_ERR_USAGE (a record longer than its block), NOMEM, the witness's errors.
 */
zkr_err zkr_prover_infer2_witness_for_test(const zkr_infer2_model *im,
                                           const zkr_infer2_record *rec, zkr_gl **v,
                                           unsigned *n_v) ZKR_WUR;

#endif
