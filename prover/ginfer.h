/*
 * prover/ginfer: graph-inference@1 proofs (zk/ginfer.h; docs/proof-system.md,
 * "graph-inference@1"). Not zero-knowledge: the proof reveals evaluations
 * of the witness (every intermediate tensor) and of the model.
 */
#ifndef ZKR_PROVER_GINFER_H
#define ZKR_PROVER_GINFER_H

#include "prover/cnn.h"
#include "zk/ginfer.h"

/*
 * A quantized graph model: the program, its public parameters, and per
 * CONV / DENSE node i the int8 weights w[i] (CONV: C x cpg x kh x kw;
 * DENSE: C x F, ml/graph.h), biases b[i] (C, |b| <= 2^30) and multipliers
 * m[i] (C, 0 <= M < 2^31). The arrays must outlive the committed model.
 */
typedef struct {
    const zkr_ml_gprog *g;
    const zkr_ginf_params *mp;
    const int8_t *w[ZKR_ML_G_MAX_NODES];
    const int64_t *b[ZKR_ML_G_MAX_NODES];
    const int64_t *m[ZKR_ML_G_MAX_NODES];
} zkr_ginf_model_in;

typedef struct zkr_ginf_model zkr_ginf_model;

/*
 * Sets mp's requantization widths (gbits_set, ghb, glb) for every CONV /
 * DENSE / ADD node from the model's bound on its accumulator: |x| <= 255 on
 * the input, 128 elsewhere; |acc| <= |b_c| + sum_k |W_ck| |x|; u = acc M_c
 * (or Ma a + Mb b); each width capped at 63 - shift. mp's shifts and ADD
 * multipliers must be set. zkr_ginf_from_gmodel calls it; callers that fill
 * zkr_ginf_params by hand call it (or leave the widths unset: 63 - shift).
 */
void zkr_ginf_params_bound(const zkr_ginf_model_in *in, zkr_ginf_params *mp);
/*
 * The proof's view of a decoded graph-model file (ml/ml.h, ZKRQMOD v2):
 * fills in and mp (zeroed first) and copies the biases and multipliers into
 * *store (one allocation the caller frees after the committed model).
 * Weights point into gm, which must outlive the committed model.
 * ZKR_OK, ZKR_ERR_NOMEM.
 */
zkr_err zkr_ginf_from_gmodel(const zkr_ml_gmodel *gm, zkr_ginf_model_in *in,
                             zkr_ginf_params *mp, int64_t **store) ZKR_WUR;

/*
 * Checks the program, lays the model out and commits to P. Deterministic.
 * ZKR_OK, ZKR_ERR_MALFORMED (program or a parameter out of bounds),
 * ZKR_ERR_UNSUPPORTED (zkr_ginf_shape_init), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_ginf_commit(const zkr_params *p, const zkr_ginf_model_in *in, unsigned threads,
                               zkr_ginf_model **out, zkr_pcs_commitment *comm,
                               zkr_diag *d) ZKR_WUR;
void zkr_ginf_model_free(zkr_ginf_model *m);
/* The model a committed model was made from (its arrays are the caller's). */
const zkr_ginf_model_in *zkr_ginf_model_input(const zkr_ginf_model *m);

/*
 * Proves one inference on input (C x H x W bytes of node 0): writes the
 * proof file to proof and the int8 output (the last node, flattened) to
 * output (cleared first; zkr_infer_output_encode). ZKR_ERR_MISMATCH_INPUT
 * (input of another length), ZKR_ERR_INTERNAL (a witness outside its
 * tables: never expected), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_ginf(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                        const zkr_ginf_model *m, const uint8_t *input, size_t input_len,
                        unsigned threads, zkr_buf *proof, zkr_buf *output, zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (defined under ZKR_TEST_BUILD; never called by zkreg):
 * as zkr_prover_ginf, with fn editing the honest witness before it is
 * committed (V's values in s's layout, and the int8 output tensor the
 * output section is encoded from); the range column is then proven with
 * LogUp going on over out-of-table values (zkr_prover_logup_cheat).
 */
typedef struct {
    zkr_gl *v;                 /* V: 2^s->n_v values */
    const zkr_ginf_shape *s;
    int16_t *out;              /* the last node's tensor, C x H x W */
    size_t out_n;
    /*
     * evaluation-graph@1: the labels the count sumcheck's table Lm is built
     * from (2^s->lb of them, writable; the padding's are 0) and how many
     * records it counts (the binding's count): a cheater may count padding.
     */
    uint8_t *labels;
    uint64_t lm_count;
    int skip_am_range; /* 1: no LogUp of A (verified with ZKR_GEVAL_OFF_AMRANGE only) */
} zkr_ginf_cheat_view;
typedef void (*zkr_ginf_cheat_fn)(void *ctx, zkr_ginf_cheat_view *w);
zkr_err zkr_prover_ginf_cheat(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              const zkr_ginf_model *m, const uint8_t *input, size_t input_len,
                              zkr_ginf_cheat_fn fn, void *ctx, zkr_buf *proof, zkr_buf *output,
                              zkr_diag *d) ZKR_WUR;
/*
 * Test builds only: fn edits a copy of V that is committed in V's place
 * (its view's out is NULL); every relation runs on the honest V, so each
 * claim holds for it and not for the committed polynomial: the cheat that
 * only the opening of V and P can refuse.
 */
zkr_err zkr_prover_ginf_cheat_commit(const zkr_params *p,
                                     const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                     const zkr_ginf_model *m, const uint8_t *input,
                                     size_t input_len, zkr_ginf_cheat_fn fn, void *ctx,
                                     zkr_buf *proof, zkr_buf *output, zkr_diag *d) ZKR_WUR;

/*
 * Test builds only: swaps the committed P (its table, Merkle tree and
 * commitment) of two models of one program, leaving each its weights:
 * each then proves its own weights' relations against the other's P
 * (the "ginf-wsub" cheat, tests/soundness/test_sound_cnn.c).
 */
void zkr_ginf_model_cheat_swap_p(zkr_ginf_model *a, zkr_ginf_model *b);

/* Native inference (docs/quantization.md 7.1) of the model: y gets the last node's elements. */
zkr_err zkr_ginf_native(const zkr_ginf_model_in *in, const uint8_t *input, int8_t *y,
                        size_t cap) ZKR_WUR;

#endif
