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
/*
 * Blocks of a layer's update (entry (j, k) at j 2^lk + k). The scaled copy
 * exists only when S < 16 (with S = 16 ru's two bytes are exactly ru <
 * 2^S): the update block has 2^ulog slots, ulog = 2, or 1 when S = 16.
 */
enum {
    ZKR_T2U_RU = 0,  /* update remainder ru, 2 bytes (ru < 2^S) */
    ZKR_T2U_RUC = 2, /* 2^(16 - S) ru, 2 bytes (< 2^16); S < 16 only */
    ZKR_T2U_USED = 4
};
#define ZKR_T2U_LOG 2u /* at most */

typedef struct {
    uint32_t n_layers, batch, lb;
    uint32_t lr, shift;
    uint32_t in[ZKR_TRAIN_MAX_LAYERS], out[ZKR_TRAIN_MAX_LAYERS];
    uint32_t lm[ZKR_TRAIN_MAX_LAYERS], lk[ZKR_TRAIN_MAX_LAYERS];
    uint64_t grp_off[ZKR_TRAIN_MAX_LAYERS]; /* the layer's slot group */
    uint64_t upd_off[ZKR_TRAIN_MAX_LAYERS]; /* the layer's update blocks */
    uint64_t rec_off;                       /* the records' copy: 2^lb x 2^lk0, label at in0 */
    unsigned n_v;                           /* V's variables */
    unsigned ulog;                          /* update slots: 2 (S < 16) or 1 (S = 16) */
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


/* ---------------- the proof (sections of one body) ---------------- */

/*
 * 2: the column values' claims on V are reduced to one point (one masked
 * sumcheck) and V is opened once there; every opening runs at the raised
 * query count of zkr_train2_params; the body starts with u32 version.
 * Version 1 and 2 bodies are refused.
 */
/* 3: hiding openings with the byte-optimised fold schedule; 4: the factorisation
 * check of the hiding openings' round messages, the query count from the better
 * of the UD and JBR figures (zk/ldr.h) */
/*
 * 5: the range proof deferred (its four claims join the claim reduction,
 * its Libra mask g_R is C's third block, it opens nothing of its own), the
 * records' claims join the reduction (each record a polynomial on the last
 * n + e coordinates of r_A), and one mixed hiding opening (component 3c)
 * binds V, h, phi, m and the joining records at r_A; records past
 * zkr_train2_mixed_recs keep version 4's batched openings. Version 6: the
 * mixed opening's mask Z depends on x_a0.. only (one value a layer-0 leaf;
 * docs/proof-system.md, 3c). Version 7: each opened leaf of the mixed
 * opening's folded layers leaves out the value its first query derives.
 */
#define ZKR_TRAIN2_VERSION 7u
#define ZKR_TRAIN2_DEGREE 7u /* per-round degree of the product sumcheck */
#define ZKR_TRAIN2_MAX_COLS (ZKR_TRAIN_MAX_LAYERS * 8u)
#define ZKR_TRAIN2_MAX_SC 6u /* product sumcheck variables: max(lb, 1) <= 6 */

/*
 * What the verifier knows: the program's shape (s, from the registered
 * program, batch, lr, shift), the parent's and child's public weights
 * (out_l x (in_l + 1) each), the hiding dataset commitment (n records
 * under root, hpc1) and the batch: each position's record index, the
 * record's 48-byte hiding commitment and its inclusion path.
 */
typedef struct {
    zkr_train2_shape s;
    const int32_t *parent[ZKR_TRAIN_MAX_LAYERS], *child[ZKR_TRAIN_MAX_LAYERS];
    uint64_t n_records;
    uint8_t root[ZKR_DIGEST_BYTES];
    const uint64_t *indices;                           /* batch */
    const uint8_t (*rec_commit)[ZKR_RECORD_COMMIT_BYTES]; /* batch */
    const uint8_t (*const *paths)[ZKR_DIGEST_BYTES];   /* batch paths */
    const size_t *path_len;                            /* batch */
} zkr_train2_public;

/* Binds the public inputs (weights by SHA-256 digest) to a fresh transcript. */
void zkr_train2_transcript(zkr_transcript *t, const zkr_params *p,
                           const uint8_t statement_id[ZKR_DIGEST_BYTES],
                           const zkr_train2_public *pub);

/* The product sumcheck's challenges (drawn after the range proof, in this order). */
typedef struct {
    unsigned N;                                                  /* max(lb, 1) */
    zkr_ext zeta[ZKR_TRAIN_MAX_LAYERS][ZKR_TRAIN_MAX_PT];        /* (k: lk, j: lm) per layer */
    zkr_ext xi[ZKR_TRAIN_MAX_PT];                                /* (k: lk0, b: N) */
    zkr_ext mu[ZKR_TRAIN_MAX_LAYERS];                            /* mu^l */
} zkr_train2_chal;
void zkr_train2_draw(zkr_transcript *t, const zkr_train2_shape *s, zkr_train2_chal *c);

/* Columns: per layer D (3 or 4), A (2), RU (2); then R0 at xi. */
unsigned zkr_train2_n_cols(const zkr_train2_shape *s);
unsigned zkr_train2_col_base(const zkr_train2_shape *s, uint32_t l);
/*
 * V's point of column c with the batch row coordinates rb (lb values):
 * n_v coordinates written to inner. Every non-batch coordinate is a
 * challenge or a fixed bit.
 */
void zkr_train2_col_point(const zkr_train2_shape *s, const zkr_train2_chal *ch, unsigned c,
                          const zkr_ext *rb, zkr_ext *inner);
/* The record commitments' common point (lk0 coordinates): xi's k part. */
const zkr_ext *zkr_train2_rec_point(const zkr_train2_chal *ch);

/*
 * The product polynomial at x (N coordinates) from the column values
 * cols (zkr_train2_n_cols) and the records' combined value rec (sum_b
 * eq(x, b) Rec_b at the common point):
 *   sum_l mu^l [lr Ib(x) D_l A_l - eq(0, x) RU_l] + eq(xi_b, x) (rec - R0x)
 * (R0x = R0~(xi), one value; times (1 - xi_b) when batch 1 gives N > lb)
 * (without the Libra mask).
 */
zkr_ext zkr_train2_f(const zkr_train2_shape *s, const zkr_train2_chal *ch, const zkr_ext *x,
                     const zkr_ext *cols, zkr_ext rec);
/* The claim: sum_l mu^l sum_{real (j,k)} eq(zeta_l, (j, k)) (2^S (W - W')(j, k) - 2^(S-1)). */
zkr_ext zkr_train2_claim(const zkr_train2_public *pub, const zkr_train2_chal *ch);

/* Row weights eq(z, row) of the linear claim and the constant side (claim = -sum w c). */
typedef struct {
    unsigned n_row_vars;
    zkr_ext z[40];
} zkr_train2_rowchal;
zkr_err zkr_train2_lin_claim(const zkr_train2_shape *s, const int32_t *const *w,
                             const zkr_train2_rowchal *rc, zkr_ext *claim) ZKR_WUR;
/* The linear claim's weights' extension at r (n_v coordinates). */
zkr_err zkr_train2_lin_eval(const zkr_train2_shape *s, const int32_t *const *w,
                            const zkr_train2_rowchal *rc, const zkr_ext *r, zkr_ext *out) ZKR_WUR;
/*
 * V's budget (fresh per proof, version 2): the range proof's opening
 * (version 5: charged with its value, which the mixed opening binds), the
 * claim reduction's (version 5: the mixed opening), and one covering the
 * n_cols column values the product sumcheck reveals (at most 65, far
 * below one opening's positions).
 */
static inline uint32_t zkr_train2_v_budget(const zkr_train2_shape *s)
{
    (void)s;
    return 3u;
}
/*
 * Libra coefficient table variables (version 5): g over the product
 * sumcheck's N variables, g_A over the claim reduction's TA and the range
 * proof's g_R over NR = zkr_zkrange_sc_vars(n_v), 1 + 7 n coefficients
 * each, three base blocks per mask (inference@2 version 5's layout,
 * zkr_infer2_lambda5).
 */
#define ZKR_TRAIN2_LC_VARS(N, TA, NR) \
    zkr_log2_ceil(3u * (3u + ZKR_TRAIN2_DEGREE * ((N) + (TA) + (NR))))
/* The linear claim's weights: out[var] = sum_rows eq(z, row) coef (2^n_v entries, zeroed first). */
zkr_err zkr_train2_lin_weights(const zkr_train2_shape *s, const int32_t *const *w,
                               const zkr_train2_rowchal *rc, zkr_ext *out) ZKR_WUR;
/*
 * zkr_train2_lin_weights and zkr_train2_lin_claim in one pass over the
 * rows (one row-weight table): the same out and claim. ZKR_ERR_NOMEM.
 */
zkr_err zkr_train2_lin_weights_claim(const zkr_train2_shape *s, const int32_t *const *w,
                                     const zkr_train2_rowchal *rc, zkr_ext *out,
                                     zkr_ext *claim) ZKR_WUR;
/* Row challenge variables: log2_ceil(rows). */
unsigned zkr_train2_row_vars(const zkr_train2_shape *s, const int32_t *const *w);
/* The common tail of both sides' linear claims: the eval callback's context. */
typedef struct {
    const zkr_train2_shape *s;
    const int32_t *const *w;
    const zkr_train2_rowchal *rc;
} zkr_train2_linctx;
zkr_err zkr_train2_lin_cb(const void *ctx, const zkr_ext *r, zkr_ext *out);

/* ---------------- version 2: claim reduction and soundness ---------------- */

/*
 * Column c's full point on V (vt = n_v + e coordinates): its inner point
 * at the product sumcheck's r, the blinding coordinate u_0 = s(r_0), then
 * 0.
 */
void zkr_train2_full_point(const zkr_train2_shape *s, const zkr_train2_chal *ch, unsigned c,
                           const zkr_ext *r, unsigned vt, zkr_ext *zf);
/* E(rA) = sum_c beta_c eq(z_c, rA) over the n_cols column points (vt coordinates). */
zkr_ext zkr_train2_red_weight(const zkr_train2_shape *s, const zkr_train2_chal *ch,
                              const zkr_ext *r, unsigned vt, const zkr_ext *beta,
                              const zkr_ext *rA);
/*
 * Version 5's mixed opening: V, h, phi, m (V's n + e = vt each), then
 * records 0..nm-1 (rec_total each). nm = min(batch, ZKR_HPCS_MAX_MIXED -
 * 4) when the mixed schedule takes those sizes at pq (zkr_hpcs_mixed_ok),
 * else 0 (every record then keeps version 4's batched opening). Both sides
 * derive it from public sizes.
 */
#define ZKR_TRAIN2_MIX_FIXED 4u
unsigned zkr_train2_mixed_recs(const zkr_params *pq, const zkr_train2_shape *s, unsigned vt,
                               unsigned rec_total);
/* The reduction's variables: max(vt, rec_total) when records join it (nm > 0), else vt. */
static inline unsigned zkr_train2_red_vars(unsigned vt, unsigned rec_total, unsigned nm)
{
    return nm && rec_total > vt ? rec_total : vt;
}
/*
 * A record commitment's full point (total = n + e coordinates): the
 * records' common point (its n coordinates), u_0 = s(r_0), then 0.
 */
void zkr_train2_rec_full_point(const zkr_train2_chal *ch, const zkr_ext *r, unsigned n,
                               unsigned total, zkr_ext *zf);
/*
 * Version 5's reduction, its claims in beta's order: the n_cols column
 * values on V, the range proof's a^, h^, phi^, m^ at its full point zr (on
 * V, h, phi, m), then records 0..nm-1's values at their full point.
 * Polynomials: V, h, phi, m (vt variables each), the nm records (rec_total
 * each), each on the last tv coordinates of rA (TA). Returns the final
 * value without the mask: sum_i 2^-(TA - tv_i) E_i(rA[TA - tv_i..)) u_i.
 */
zkr_ext zkr_train2_red_final(const zkr_train2_shape *s, const zkr_train2_chal *ch,
                             const zkr_ext *r, unsigned vt, const zkr_ext *zr, unsigned nm,
                             unsigned rec_n, unsigned rec_total, unsigned TA,
                             const zkr_ext *beta, const zkr_ext *rA, const zkr_ext *u);
/* Batched record openings per proof (records nm..batch-1): ceil((batch - nm) / 8). */
static inline unsigned zkr_train2_rec_groups(const zkr_train2_shape *s, unsigned nm)
{
    return (s->batch - nm + ZKR_HPCS_MAX_BATCH - 1) / ZKR_HPCS_MAX_BATCH;
}
/*
 * Provable bits of a version 5 proof (docs/soundness.md): a union bound
 * over its 2 + ceil((B - nm)/8) hiding openings (the mixed one of V, h,
 * phi, m and nm records at the reduction point, its whole figure the
 * better of UD and JBR (zkr_hpcs_mixed_fig); C's; the remaining records'
 * batches), all at the raised query count zkr_train2_params picks, plus
 * every algebraic term. rec_total: the record commitments' n + e.
 * n_openings (may be NULL) gets the opening count.
 */
zkr_soundness zkr_train2_soundness(const zkr_params *p, const zkr_train2_shape *s,
                                   unsigned rec_total, unsigned *n_openings);
/*
 * The parameters every opening of the proof runs at: p with the query
 * count raised (smallest q >= p's, below 2 p's) until
 * zkr_train2_soundness reaches p's target. V, C and the range proof's
 * helpers are committed for it; both sides derive it.
 */
void zkr_train2_params(const zkr_params *p, const zkr_train2_shape *s, unsigned rec_total,
                       zkr_params *out);
#endif
