/*
 * evaluation-fixed@1 prover (prover/evaluation_fixed.c): the accuracy of a
 * FIXED-arithmetic training model on a record range, proven with the
 * model's own forward arithmetic (docs/proof-system.md).
 */
#ifndef ZKR_PROVER_EVALUATION_FIXED_H
#define ZKR_PROVER_EVALUATION_FIXED_H

#include "prover/prover.h"
#include "zk/eval_fixed.h"

/* Read-only view of a committed training model (valid while tm lives). */
typedef struct {
    const zkr_ml_tmodel *m;
    uint32_t n_layers;
    const uint32_t *dims;             /* n_layers + 1 */
    const uint32_t *lm, *lk;
    const zkr_gl *const *w;           /* W_l, 2^(lm + lk), entry (j, k) at j 2^lk + k */
    zkr_pcs_poly *const *poly;
    const zkr_pcs_commitment *comm;
    const uint8_t *program_digest;    /* 32 bytes */
    const uint8_t *commitment;        /* the training-model commitment, 32 bytes */
} zkr_train_model_parts;
/* prover/training.c. */
void zkr_train_model_parts_of(const zkr_train_model *tm, zkr_train_model_parts *out);

/*
 * Proves evaluation-fixed@1: tm's forward pass (docs/training.md section 5)
 * over every record of the batch (records input_dim bytes plus a label),
 * each record's argmax (ties to the lowest index) against its label, and
 * the number correct. mode ZKR_EVAL_MODE_EXACT writes (mode, count,
 * correct) to *output; ZKR_EVAL_MODE_THRESHOLD writes (mode, count, tau)
 * and succeeds only when correct >= tau (else ZKR_ERR_MISMATCH_OUTPUT, no
 * proof). *correct (may be NULL) gets the number correct. Deterministic
 * for any thread count. Errors: ZKR_ERR_UNSUPPORTED (records of another
 * length, a shape the circuit does not take, a forward bound broken),
 * ZKR_ERR_TOO_LARGE (the range over the parameter set), ZKR_ERR_USAGE,
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_evaluation_fixed(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_train_model *tm, const zkr_eval_batch *batch,
                                    unsigned mode, uint64_t tau, unsigned threads,
                                    zkr_buf *proof, zkr_buf *output, uint64_t *correct,
                                    zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): the cheating
 * prover of tests/soundness. The honest witness V is built (from
 * wit_records when set: other records than the batch's) and handed to
 * edit, which may overwrite any entry with any field element. The prover
 * then derives the layer inputs from V, counts multiplicities of the
 * in-table entries only, takes the claimed number correct from V's E and
 * the labels (unless edit sets set_correct) and proves as an honest one.
 */
typedef struct {
    const zkr_evalf_shape *s;
    zkr_gl *v;        /* 2^s->n_v entries */
    uint64_t correct;
    int set_correct;
} zkr_evalf_cheat_view;
typedef zkr_err (*zkr_evalf_cheat_fn)(void *ctx, zkr_evalf_cheat_view *w);
zkr_err zkr_prover_evaluation_fixed_cheat(const zkr_params *p,
                                          const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                          const zkr_train_model *tm, const zkr_eval_batch *batch,
                                          const uint8_t *wit_records, unsigned mode, uint64_t tau,
                                          zkr_evalf_cheat_fn edit, void *ctx, zkr_buf *proof,
                                          zkr_buf *output, zkr_diag *d) ZKR_WUR;

#endif
