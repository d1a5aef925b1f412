/*
 * prover/geval: evaluation-graph@1 proofs (zk/geval.h; docs/proof-system.md,
 * "evaluation-graph@1"). The model is graph-inference@1's committed model
 * (prover/ginfer.h): the same commitment serves both kinds. The outputs
 * are not in the proof (their argmax and the count are proven), but the
 * proof is not zero-knowledge either: its claims are on unmasked V.
 */
#ifndef ZKR_PROVER_GEVAL_H
#define ZKR_PROVER_GEVAL_H

#include "prover/ginfer.h"
#include "zk/geval.h"

/*
 * Native evaluation: the records (count of them, each the input's C H W
 * bytes then a label byte) whose argmax (zkr_geval_argmax of the native
 * output) equals their label. ZKR_ERR_MISMATCH_INPUT (rec_len), NOMEM.
 */
zkr_err zkr_geval_count(const zkr_ginf_model_in *in, const uint8_t *records, size_t rec_len,
                        uint64_t count, uint64_t *correct) ZKR_WUR;

/*
 * Proves the program on each record of the range b describes (records:
 * b->count records of C H W input bytes and a label, as the dataset holds
 * them), the batch padded to 2^zkr_geval_lb(count) all-zero inputs.
 * b is the caller's: the dataset size and root, the range and its
 * boundary hashes (zkr_eval_range_proof), the mode and value (tau for a
 * threshold); b->correct is set here from native evaluation (and, exact
 * mode, b->value). ZKR_ERR_USAGE (count 0), ZKR_ERR_TOO_LARGE (count over
 * ZKR_GEVAL_MAX_RECORDS), ZKR_ERR_MISMATCH_INPUT (rec_len),
 * ZKR_ERR_MISMATCH_OUTPUT (a threshold above the count),
 * ZKR_ERR_UNSUPPORTED (a LOOKUP node, or the batch's witness over
 * max_vars), ZKR_ERR_NOMEM. Deterministic.
 */
zkr_err zkr_prover_geval(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                         const zkr_ginf_model *m, zkr_geval_binding *b, const uint8_t *records,
                         size_t rec_len, unsigned threads, zkr_buf *proof, zkr_diag *d) ZKR_WUR;

/*
 * The batch prover under zkr_prover_geval (prover/ginfer.c): b taken as it
 * is (its count proven against labels: b->count bytes), inputs without
 * labels (b->count x C H W bytes). cheat (test builds only, else
 * ZKR_ERR_USAGE) edits the witness as zkr_prover_ginf_cheat's, the argmax
 * block A included, and may change the count's labels (zkr_ginf_cheat_view).
 */
zkr_err zkr_prover_ginf_batch(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                             const zkr_ginf_model *m, const zkr_geval_binding *b,
                             const uint8_t *inputs, const uint8_t *labels, size_t in_len,
                             unsigned threads, zkr_ginf_cheat_fn cheat, void *ctx, zkr_buf *proof,
                             zkr_diag *d) ZKR_WUR;
/*
 * Test builds only: as zkr_prover_ginf_batch with the witness computed
 * from wit_inputs while the transcript absorbs inputs (both in_len bytes):
 * a proof whose only tie to the records is the relations' claims on them.
 */
zkr_err zkr_prover_ginf_batch_cheat_input(const zkr_params *p,
                                          const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                          const zkr_ginf_model *m, const zkr_geval_binding *b,
                                          const uint8_t *inputs, const uint8_t *labels,
                                          const uint8_t *wit_inputs, size_t in_len,
                                          zkr_buf *proof, zkr_diag *d) ZKR_WUR;

#endif
