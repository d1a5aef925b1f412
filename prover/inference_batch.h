/*
 * inference-batch@1 prover (prover/inference_batch.c): inference@1 over a
 * record range in one proof, every record's logits public
 * (docs/proof-system.md, "inference-batch@1").
 */
#ifndef ZKR_PROVER_INFERENCE_BATCH_H
#define ZKR_PROVER_INFERENCE_BATCH_H

#include "prover/prover.h"
#include "zk/infer_batch.h"

/*
 * Proves inference-batch@1: im's model on every record of the batch
 * (records input_dim bytes plus a label, as evaluation@1 takes them).
 * *output gets the batch public output (zkr_ibatch_output_encode: the
 * batch's first and count, the last layer's int8 logits of every record).
 * Deterministic for any thread count. Errors: ZKR_ERR_MISMATCH_PARAMS (im
 * committed under another set), ZKR_ERR_UNSUPPORTED (records of another
 * length), ZKR_ERR_TOO_LARGE (the batch over the parameter set, or an
 * output over ZKR_IBATCH_OUTPUT_MAX), ZKR_ERR_INTERNAL (witness differs
 * from native inference: never expected), ZKR_ERR_NOMEM. Thread safe for
 * distinct outputs; nothing secret.
 */
zkr_err zkr_prover_inference_batch(const zkr_params *p,
                                   const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                   const zkr_infer_model *im, const zkr_eval_batch *batch,
                                   unsigned threads, zkr_buf *proof, zkr_buf *output,
                                   zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): the cheating
 * prover of tests/soundness. The honest witness is built (from
 * wit_records when set) and handed to edit, which may overwrite any entry
 * of V_l (field elements), the accumulators and the public logits y the
 * proof states (count x out_dim, record-major). Unless keep_mult, MU is
 * recounted over the in-table values. The proof is then produced as the
 * honest prover would (LogUp with the cheating variant).
 */
typedef struct {
    const zkr_eval_shape *shape;
    zkr_gl *v[ZKR_INFER_MAX_LAYERS];    /* slot s, row j, record b at ((s << lb) + b) << lm | j */
    int64_t *acc[ZKR_INFER_MAX_LAYERS]; /* 2^(lm + lb), row j + 2^lm b */
    int8_t *y;                          /* the stated logits */
    int keep_mult;
} zkr_ibatch_cheat_view;
typedef zkr_err (*zkr_ibatch_cheat_fn)(void *ctx, zkr_ibatch_cheat_view *w);
zkr_err zkr_prover_inference_batch_cheat(const zkr_params *p,
                                         const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                         const zkr_infer_model *im, const zkr_eval_batch *batch,
                                         const uint8_t *wit_records, zkr_ibatch_cheat_fn edit,
                                         void *ctx, zkr_buf *proof, zkr_buf *output,
                                         zkr_diag *d) ZKR_WUR;

#endif
