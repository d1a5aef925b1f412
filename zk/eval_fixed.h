/*
 * evaluation-fixed@1 (proof kind 9): the accuracy of a FIXED-arithmetic
 * training model (docs/training.md) on a contiguous record range of a
 * registered dataset, proven with the model's own forward arithmetic
 * (docs/proof-system.md, "evaluation-fixed@1"; docs/soundness.md). Shared
 * by prover/evaluation_fixed.c and verifier/evaluation_fixed.c.
 *
 * The witness V holds, as 16-bit limbs checked by one LogUp against
 * 0..65535 (multiplicities in M), per record b and unit j:
 *   hidden layer l: r, h, n (two limbs), the ReLU mask m and h - m;
 *   output layer:   r, 16 r, o + 2^23 (16 + 8 bits) and 2^8 times the top;
 *   argmax block:   the one-hot E, D = KA - K (three limbs);
 *   key block:      KA (three limbs), one per record.
 * The records are public inputs the verifier reads from the dataset.
 */
#ifndef ZKR_ZK_EVAL_FIXED_H
#define ZKR_ZK_EVAL_FIXED_H

#include "zk/zk.h"

#define ZKR_EVALF_PROTOCOL "zkreg/evaluation-fixed@1"
#define ZKR_EVALF_VERSION 1u
#define ZKR_KIND_EVAL_FIXED 9u
#define ZKR_EVALF_NAME "evaluation-fixed@1"
/* Section tags (21..23 allocated to this kind; 22 and 23 reserved). */
#define ZKR_SEC_EVALF_BODY 21u
/* The largest range: 2^ZKR_EVALF_MAX_LB records after padding. */
#define ZKR_EVALF_MAX_LB 20u
#define ZKR_EVALF_MAX_LAYERS ZKR_TRAIN_MAX_LAYERS
#define ZKR_EVALF_MAX_PT 48u
#define ZKR_EVALF_MAX_CLAIMS 64u
#define ZKR_EVALF_GROUP_MAX 8u

/* Slots of a hidden layer's group (lb + lm_l variables each, entry b 2^lm + j). */
enum {
    ZKR_EF_R,   /* remainder of z + 2^15, 16 bits */
    ZKR_EF_H,   /* h = max(q, 0), 16 bits */
    ZKR_EF_NLO, /* n = max(-q, 0), low 16 bits */
    ZKR_EF_NHI, /* n, high 16 bits */
    ZKR_EF_M,   /* ReLU mask [h > 0] */
    ZKR_EF_HM,  /* h - m (>= 0: m = 1 forces h >= 1) */
    ZKR_EF_HIDDEN_USED
};
#define ZKR_EF_HIDDEN_LOG 3u
/* The output layer's group uses training-step@1's ZKR_TS_OR .. ZKR_TS_OHS (5 slots). */
#define ZKR_EF_OUT_LOG 3u
/* The argmax group (lb + c variables, c = lm of the last layer, entry b 2^c + j). */
enum {
    ZKR_EF_E,  /* the one-hot argmax */
    ZKR_EF_D0, /* D = KA - K, three 16-bit limbs */
    ZKR_EF_D1,
    ZKR_EF_D2,
    ZKR_EF_AM_USED
};
#define ZKR_EF_AM_LOG 2u
/* The key block (lb variables per slot, entry b): KA, three 16-bit limbs. */
#define ZKR_EF_KA_USED 3u
#define ZKR_EF_KA_LOG 2u

typedef struct {
    uint32_t n_layers;
    uint64_t count;    /* records in the range */
    unsigned lb;       /* log2 of the padded batch */
    unsigned c;        /* lm of the last layer: the key's tie-break bits */
    uint32_t in[ZKR_EVALF_MAX_LAYERS], out[ZKR_EVALF_MAX_LAYERS];
    unsigned lm[ZKR_EVALF_MAX_LAYERS], lk[ZKR_EVALF_MAX_LAYERS];
    uint64_t grp_off[ZKR_EVALF_MAX_LAYERS];
    unsigned grp_log[ZKR_EVALF_MAX_LAYERS];
    uint64_t am_off, ka_off;
    unsigned am_log, ka_log;
    unsigned n_v; /* log2 |V|, at least ZKR_TRAIN_TABLE_LOG */
} zkr_evalf_shape;

/*
 * The layout for the training program dims[0] -> .. -> dims[n_layers] and
 * `count` records: n_layers 2..ZKR_EVALF_MAX_LAYERS, widths 1..4096, hidden
 * widths powers of two (training-step@1's restriction: the next layer's
 * bias column lies past h), 1 <= count <= 2^ZKR_EVALF_MAX_LB, |V| <=
 * 2^max_vars. ZKR_ERR_UNSUPPORTED / ZKR_ERR_TOO_LARGE naming what.
 */
zkr_err zkr_evalf_shape_of(uint32_t n_layers, const uint32_t *dims, uint64_t count,
                           unsigned max_vars, zkr_evalf_shape *s, zkr_diag *d) ZKR_WUR;
/* Completes pt (blog coordinates inside the block at V offset off) to n_v coordinates. */
void zkr_evalf_block_point(const zkr_evalf_shape *s, uint64_t off, unsigned blog, zkr_ext *pt);
/* Polynomials: W_l = l, V = L, M = L + 1. */
#define ZKR_EVALF_N_POLYS(L) ((L) + 2u)
unsigned zkr_evalf_poly_vars(const zkr_evalf_shape *s, unsigned id);
/* Evaluation claims of one proof: 3 L + 7 (docs/soundness.md, evaluation-fixed@1). */
size_t zkr_evalf_n_claims(const zkr_evalf_shape *s);
/* Seeds the transcript and absorbs the statement section. */
void zkr_evalf_transcript(zkr_transcript *t, const zkr_params *p,
                          const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                          size_t stmt_len);

#endif
