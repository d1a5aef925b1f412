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
    zkr_gl *col[ZKR_INFER_MAX_LAYERS + 2]; /* format version 4: LogUp i's range-entry column */
    uint64_t correct;
    uint64_t cheat_mask; /* test builds: layer 0's zero-check masks records >= this when set */
    unsigned skip_range; /* test builds, format version 4: LogUp skip_range - 1 left out (teeth) */
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
/*
 * Format version 4 (version >= 4): the narrow requantization's V_l for the
 * clamp widths the batch needs, A in 15-bit limbs, the LogUps' entry
 * columns and MU over 0..2^15-1; else as zkr_ev_witness_split. min_gbits
 * (test builds' cheating prover; 0 otherwise): the least clamp width declared.
 */
zkr_err zkr_ev_witness_v(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                         const uint8_t *wit_records, unsigned threads, unsigned version,
                         unsigned min_gbits, zkr_ev_wit *w, zkr_diag *d) ZKR_WUR;
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

/*
 * The argmax relation (docs/soundness.md, "evaluation@1"), shared with
 * evaluation-graph@1 (prover/ginfer.c). zkr_ev_am_row fills record b's
 * block of A (E one-hot at the first maximal y, D = KA - K(j) and KA as nd
 * limbs of zkr_eval_am_limb bits; A zeroed by the caller): 0 when a key does not fit (never for
 * int8 outputs above lo).
 */
int zkr_ev_am_row(const zkr_eval_am_dims *m, zkr_gl *a, size_t b, const int8_t *y);
/* What the argmax sumcheck leaves for the caller to claim on A and Y (zkr_ev_am_prove). */
typedef struct {
    zkr_ext rho[ZKR_EV_MAX_PT];          /* c + lb values */
    zkr_ext tau[ZKR_EVAL_ASLOTS_LOG];
    zkr_ext slots[ZKR_EVAL_ASLOTS], fold; /* A~(rho, s) and sum_s eq(tau, s) A~(rho, s) */
    zkr_ext yv;                          /* yl~(rho) */
    zkr_ext e_half, ka0[3];              /* A at zkr_eval_am_onehot_pt / zkr_eval_am_key_pt */
} zkr_ev_am_out;
/*
 * The argmax zero-check over A (slot-major, zkr_eval_am_dims) and yl (y -
 * lo, 2^(c + lb) values): transcript, then sec gets the rounds, slots, yv,
 * e_half and ka0. The caller claims A~(rho, tau) = fold, yl~(rho) = yv, and
 * e_half and ka0 at their points. ZKR_ERR_NOMEM, ZKR_ERR_INTERNAL.
 */
zkr_err zkr_ev_am_prove(const zkr_eval_am_dims *m, const zkr_gl *a, const zkr_gl *yl,
                        zkr_transcript *t, unsigned threads, zkr_buf *sec,
                        zkr_ev_am_out *o) ZKR_WUR;
/*
 * The count: sum_{j,b} E(j, b) Lm(j, b) with Lm record b's one-hot label
 * (labels[b stride]) for b < count and 0 on the padding. rs gets the point
 * (c + lb values), ev = E~(rs), for the caller to claim. ZKR_ERR_NOMEM,
 * ZKR_ERR_INTERNAL.
 */
zkr_err zkr_ev_count_prove(const zkr_eval_am_dims *m, const zkr_gl *a, const uint8_t *labels,
                           size_t stride, uint64_t count, zkr_transcript *t, unsigned threads,
                           zkr_buf *sec, zkr_ext *rs, zkr_ext *ev) ZKR_WUR;

#endif
