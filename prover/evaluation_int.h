/*
 * evaluation@1 prover internals shared with the kinds built on its
 * per-layer driver (prover/inference_batch.c). Not a public interface: the
 * layout and the contracts are those of prover/evaluation.c.
 */
#ifndef ZKR_PROVER_EVALUATION_INT_H
#define ZKR_PROVER_EVALUATION_INT_H

#include "prover/prover.h"

#define ZKR_EV_MAX_PT 64
#define ZKR_EV_MAX_ROUNDS 48

/* The batch witness: V_l (slot-major, rows j + 2^lm b), the accumulators, A and MU. */
typedef struct {
    zkr_eval_shape sh;
    zkr_gl *v[ZKR_INFER_MAX_LAYERS];
    int64_t *acc[ZKR_INFER_MAX_LAYERS];
    zkr_gl *a;
    zkr_gl *mu;
    zkr_gl *v0a, *v0b; /* split batch: V_0's committed chunks (copies of v[0]'s records) */
    uint64_t correct;
    uint64_t cheat_mask; /* test builds: layer 0's zero-check masks records >= this when set */
} zkr_ev_wit;

typedef struct {
    unsigned poly;
    zkr_ext pt[ZKR_EV_MAX_PT];
    zkr_ext val;
} zkr_ev_claim;

typedef struct {
    zkr_ev_claim c[ZKR_EVAL_MAX_CLAIMS];
    size_t n;
} zkr_ev_claims;

typedef struct {
    const zkr_infer_model_parts *mp;
    const zkr_ev_wit *w;
    const zkr_eval_batch *bt;
    zkr_transcript *t;
    unsigned threads;
    zkr_buf *sec;
    zkr_ev_claims *cl;
    int cheat;
} zkr_ev_ctx;

/* Frees every table of w and zeroes it (w itself is the caller's). */
void zkr_ev_wit_free(zkr_ev_wit *w);
/*
 * Builds evaluation@1's witness for the batch (the records of wit_records
 * when set, else bt's), checked against native inference; MU counts V_0..
 * V_{L-1} and A. ZKR_ERR_TOO_LARGE, ZKR_ERR_INTERNAL, ZKR_ERR_NOMEM.
 */
zkr_err zkr_ev_witness(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                       const uint8_t *wit_records, unsigned threads, zkr_ev_wit *w,
                       zkr_diag *d) ZKR_WUR;
/*
 * As zkr_ev_witness; split: the batch layout of format version 3
 * (zkr_eval_shape_split): V_0 zero past zkr_eval_v0_records, its chunks
 * copied into v0a / v0b and counted in MU.
 */
zkr_err zkr_ev_witness_split(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                             const uint8_t *wit_records, unsigned threads, int split,
                             zkr_ev_wit *w, zkr_diag *d) ZKR_WUR;
/* A new claim on poly, or NULL when the list is full (callers fail hard). */
zkr_ev_claim *zkr_ev_claim_new(zkr_ev_claims *cs, unsigned poly);
/* pt[0..bits) = the bits of v. */
void zkr_ev_bits(zkr_ext *pt, unsigned bits, uint64_t v);
/*
 * Layer l's requantization zero-check over (row, record); rho gets its
 * point (lm + lb values). Claims on V_l (id L + l) and W'_l (id l).
 */
zkr_err zkr_ev_zerocheck(zkr_ev_ctx *c, uint32_t l, zkr_ext *rho) ZKR_WUR;
/*
 * Layer l's matmul sumcheck from acc~(rho); claims on W'_l and, for l > 0,
 * V_{l-1}'s Y slot. wit_records: the layer-0 input records.
 */
zkr_err zkr_ev_matmul(zkr_ev_ctx *c, uint32_t l, const zkr_ext *rho,
                      const uint8_t *wit_records) ZKR_WUR;

#endif
