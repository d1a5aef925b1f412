/*
 * training-step@2 (kind 7) shared definitions (docs/proof-system.md,
 * "training-step@2"): the hidden witness V, every entry a byte, and the
 * linear relation system over it that the range proof's linear claim
 * will carry. Both are shared by the prover and the verifier so that the
 * rows the verifier weighs are exactly the rows the prover satisfies.
 *
 * Status: the layout, the rows and their integer checker are built; the
 * proofs are not (docs/proof-system.md, "Remaining work").
 */
#ifndef ZKR_ZK_TRAIN2_H
#define ZKR_ZK_TRAIN2_H

#include "zk/zk.h"

#define ZKR_TRAIN2_PROTOCOL "zkreg/training-step@2"
#define ZKR_KIND_TRAIN2 7u
#define ZKR_SEC_TRAIN2_WITNESS 16u
#define ZKR_SEC_TRAIN2_SUMCHECK 17u

/*
 * Slots of a hidden layer's group (each a 2^lb x 2^lm block of bytes; a
 * value of several bytes is little-endian over consecutive slots).
 */
enum {
    ZKR_T2H_R = 0,   /* forward remainder r, 2 bytes */
    ZKR_T2H_H = 2,   /* h = max(q, 0), 2 bytes */
    ZKR_T2H_N = 4,   /* n = max(-q, 0), 4 bytes */
    ZKR_T2H_M = 8,   /* ReLU mask m = [h > 0] */
    ZKR_T2H_MC = 9,  /* 128 m (a byte: m <= 1) */
    ZKR_T2H_S1 = 10, /* 65535 m - h, 2 bytes */
    ZKR_T2H_S2 = 12, /* (2^32 - 1)(1 - m) - n, 4 bytes */
    ZKR_T2H_S3 = 16, /* h - m, 2 bytes */
    ZKR_T2H_RB = 18, /* backward remainder rb, 2 bytes */
    ZKR_T2H_DQ = 20, /* dq + 2^23, 3 bytes */
    ZKR_T2H_DL = 23, /* delta + 2^23, 3 bytes */
    ZKR_T2H_T1 = 26, /* 2^23 m - delta, 4 bytes */
    ZKR_T2H_T2 = 30, /* 2^23 m + delta, 3 bytes */
    ZKR_T2H_T3 = 33, /* 2^24 (1 - m) - (delta - dq), 4 bytes */
    ZKR_T2H_T4 = 37, /* 2^24 (1 - m) + (delta - dq), 4 bytes */
    ZKR_T2H_USED = 41
};
#define ZKR_T2H_LOG 6u
/* Slots of the output layer's group. */
enum {
    ZKR_T2O_R = 0,  /* output remainder r, 2 bytes (r < 2^12) */
    ZKR_T2O_RC = 2, /* 16 r_hi (a byte: r_hi < 16) */
    ZKR_T2O_O = 3,  /* o + 2^23, 3 bytes */
    ZKR_T2O_T = 6,  /* the one-hot target bit T(b, j) = [j = label_b] */
    ZKR_T2O_TC = 7, /* 128 T */
    ZKR_T2O_USED = 8
};
#define ZKR_T2O_LOG 3u
/* Blocks of a layer's update (entry (j, k) at j 2^lk + k). */
enum {
    ZKR_T2U_RU = 0,  /* update remainder ru, 2 bytes (ru < 2^S) */
    ZKR_T2U_RUC = 2, /* 2^(16 - S) ru, 2 bytes (< 2^16) */
    ZKR_T2U_USED = 4
};
#define ZKR_T2U_LOG 2u

typedef struct {
    uint32_t n_layers, batch, lb;
    uint32_t lr, shift;
    uint32_t in[ZKR_TRAIN_MAX_LAYERS], out[ZKR_TRAIN_MAX_LAYERS];
    uint32_t lm[ZKR_TRAIN_MAX_LAYERS], lk[ZKR_TRAIN_MAX_LAYERS];
    uint64_t grp_off[ZKR_TRAIN_MAX_LAYERS]; /* the layer's slot group */
    uint64_t upd_off[ZKR_TRAIN_MAX_LAYERS]; /* the layer's update blocks */
    uint64_t rec_off;                       /* the records' copy: 2^lb x 2^lk0, label at in0 */
    unsigned n_v;                           /* V's variables */
} zkr_train2_shape;

/*
 * The layout of program dims[0] -> .. -> dims[n_layers] at batch, lr,
 * shift (training-step@1's limits: 2..8 layers, widths 1..4096, hidden
 * widths powers of two, batch 1..64, lr 1..65535, shift 1..16), V of at
 * most 2^max_vars bytes. ZKR_OK or ZKR_ERR_UNSUPPORTED naming the limit.
 */
zkr_err zkr_train2_shape_of(uint32_t n_layers, const uint32_t *dims, uint32_t batch, uint32_t lr,
                            uint32_t shift, unsigned max_vars, zkr_train2_shape *s,
                            zkr_diag *d) ZKR_WUR;

/* V's index of slot `slot` of layer l at batch row b, unit j (hidden or output group). */
uint64_t zkr_train2_gidx(const zkr_train2_shape *s, uint32_t l, unsigned slot, uint32_t b,
                         uint32_t j);
/* V's index of update slot `slot` of layer l at (j, k). */
uint64_t zkr_train2_uidx(const zkr_train2_shape *s, uint32_t l, unsigned slot, uint32_t j,
                         uint32_t k);
/* V's index of the records' copy at batch row b, byte k (k = dims[0] is the label). */
uint64_t zkr_train2_ridx(const zkr_train2_shape *s, uint32_t b, uint32_t k);

/*
 * The linear rows: each row is `sum coef V[var] + constant = 0` over the
 * integers. A sink receives every term (row, var, coef) and every row's
 * constant (row, c), rows numbered 0, 1, .. in emission order; a NULL
 * function is skipped. w[l] are the parent's weights of layer l (out_l x
 * (in_l + 1), bias last), the public coefficients of the forward and
 * backward rows. Returns the number of rows.
 */
typedef struct {
    void (*term)(void *ctx, uint64_t row, uint64_t var, int64_t coef);
    void (*constant)(void *ctx, uint64_t row, int64_t c);
    void *ctx;
} zkr_train2_sink;
uint64_t zkr_train2_rows(const zkr_train2_shape *s, const int32_t *const *w,
                         const zkr_train2_sink *sink);

/*
 * Checks every row over the integers on the byte witness v (2^n_v bytes)
 * and mod p, and that the row's terms cannot wrap: sum |coef| 255 +
 * |constant| < 2^62 for every row. *bad_row (may be NULL) gets the first
 * failing row. ZKR_OK, ZKR_ERR_VERIFY (a row is not 0), ZKR_ERR_INTERNAL
 * (a row's bound reaches 2^62: the integer argument would fail),
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_train2_check(const zkr_train2_shape *s, const int32_t *const *w, const uint8_t *v,
                         uint64_t *bad_row) ZKR_WUR;

#endif
