/*
 * zk/cnn: the shared (verifier-side) definitions of the CNN relations
 * (docs/proof-system.md, "CNN relations"): window geometry of a
 * convolution or pooling, the separable selector that reduces the im2col
 * view to the input tensor, evaluation claims and the table MLEs the
 * verifier evaluates itself. The provers are in prover/cnn.c, the
 * verifiers in verifier/cnn.c.
 *
 * Tensor layout: a C x H x W tensor is a multilinear table of
 * lc + lh + lw variables (each axis padded to a power of two, padding 0),
 * entry (c, y, x) at (c << (lh + lw)) | (y << lw) | x: the x bits are the
 * low variables, then y, then c. A point on a tensor lists its x part,
 * then its y part, then its c part.
 */
#ifndef ZKR_ZK_CNN_H
#define ZKR_ZK_CNN_H

#include "zk/zk.h"

#define ZKR_CNN_MAX_DIM 4096u    /* channels, height, width */
#define ZKR_CNN_MAX_KERNEL 32u   /* kernel height / width (ml/graph.h's bounds) */
#define ZKR_CNN_MAX_STRIDE 32u   /* stride and dilation */
#define ZKR_CNN_MAX_VARS 26u     /* any table a relation proves over */
#define ZKR_CNN_MAX_PT 32u
#define ZKR_CNN_MAX_CLAIMS 16u
#define ZKR_CNN_BYTE_LOG 8u      /* the byte table 0..255 */
/*
 * Options bit (prover/cnn.h ZKR_CNN_OFF_*, verifier/cnn.h), honoured in
 * every build: CONV / DENSE / ADD requantization and MAXPOOL leave out
 * their byte-range LogUp because the caller range-checks the same column
 * in one LogUp of its own (graph-inference's "ginf-range"). It is no
 * weakening only where the caller does so; AVGPOOL and LOOKUP ignore it.
 */
#define ZKR_CNN_DEFER_RANGE 16u

/*
 * The geometry of a window operator over a c x h x w input: kernel
 * kh x kw, stride, dilation and zero padding (top, left, bottom, right).
 * Output position (oy, ox), kernel position (i, j) reads input
 * (oy sh + i dh - pt, ox sw + j dw - pl), zero outside the input.
 */
typedef struct {
    uint32_t c, h, w;
    uint32_t kh, kw, sh, sw, dh, dw;
    uint32_t pt, pl, pb, pr;
    uint32_t oh, ow;
    unsigned lc, lh, lw, lkh, lkw, loh, low;
} zkr_cnn_win;

/*
 * Fills g and the output size. ZKR_ERR_MALFORMED naming nothing (callers
 * name the node) when a size is 0 or over the bounds above, a padding is
 * not smaller than the dilated kernel extent, or the window does not fit.
 */
zkr_err zkr_cnn_win_init(zkr_cnn_win *g, uint32_t c, uint32_t h, uint32_t w, uint32_t kh,
                         uint32_t kw, uint32_t sh, uint32_t sw, uint32_t dh, uint32_t dw,
                         const uint32_t pads[4]) ZKR_WUR;
/* Variables of the input tensor, of the output tensor (c x oh x ow) and of the kernel. */
static inline unsigned zkr_cnn_in_vars(const zkr_cnn_win *g) { return g->lc + g->lh + g->lw; }
static inline unsigned zkr_cnn_out_vars(const zkr_cnn_win *g) { return g->lc + g->loh + g->low; }
static inline unsigned zkr_cnn_k_vars(const zkr_cnn_win *g) { return g->lkh + g->lkw; }

/*
 * One axis of the selector: A[y] = sum over kernel i < nk and output
 * o < no with o stride + i dil - pad = y of kw[i] ow[o], for y < 2^ly
 * (A is zero past n_in). kw NULL means weight 1 for every i < nk.
 */
void zkr_cnn_axis(uint32_t n_in, unsigned ly, uint32_t nk, uint32_t no, uint32_t stride,
                  uint32_t dil, uint32_t pad, const zkr_ext *kw, const zkr_ext *ow, zkr_ext *a);

/* eq(r, i) for i < len (r of l variables, len <= 2^l). */
void zkr_cnn_eq_prefix(const zkr_ext *r, unsigned l, size_t len, zkr_ext *out);
/* sum_{i < len} v[i] eq(s, i): the MLE of v zero-padded to 2^l. Allocates; NOMEM. */
zkr_err zkr_cnn_eval_vec(const zkr_ext *v, size_t len, unsigned l, const zkr_ext *s,
                         zkr_ext *out) ZKR_WUR;
/* The MLE of the indicator [i < n] over l variables at s. */
zkr_ext zkr_cnn_prefix_eval(uint64_t n, unsigned l, const zkr_ext *s);
/*
 * Max pooling's validity at s, a point on the layout of its selector (the
 * kernel position (i, j) above the output position p = (c, oy, ox)):
 * [i < kh][j < kw][c < C][oy < oh][ox < ow] and the input position inside
 * the input (a padded position is never selected: it reads -128, below or
 * equal to every real element, and every window holds one). O(kh oh + kw ow).
 * Allocates; NOMEM.
 */
zkr_err zkr_cnn_pool_valid_eval(const zkr_cnn_win *g, const zkr_ext *s, zkr_ext *out) ZKR_WUR;
/* The MLE of [c < C][y < H][x < W] over a tensor layout at s. */
zkr_ext zkr_cnn_valid_eval(uint32_t c, uint32_t h, uint32_t w, unsigned lc, unsigned lh,
                           unsigned lw, const zkr_ext *s);

/*
 * A point on the window view V(c, i, j, oy, ox) (the im2col matrix of one
 * channel block): channel part (lc), kernel parts (lkh, lkw; NULL for a
 * plain sum over the kernel, as average pooling takes), output parts
 * (loh, low). The view's MLE at it is sum_{c,y,x} X(c, y, x) S(c, y, x)
 * with S = eq(pc, c) A_h(y) A_w(x) (zkr_cnn_axis).
 */
typedef struct {
    const zkr_ext *pc, *pi, *pj, *poy, *pox;
} zkr_cnn_view_pt;
/* The selector's axis tables A_h (2^lh) and A_w (2^lw). ZKR_OK, ZKR_ERR_NOMEM. */
zkr_err zkr_cnn_view_axes(const zkr_cnn_win *g, const zkr_cnn_view_pt *v, zkr_ext *ah,
                          zkr_ext *aw) ZKR_WUR;
/* S~(s) for s on the input tensor (lw + lh + lc values). Allocates; NOMEM. */
zkr_err zkr_cnn_view_selector_eval(const zkr_cnn_win *g, const zkr_cnn_view_pt *v,
                                   const zkr_ext *s, zkr_ext *out) ZKR_WUR;

/* Evaluation claims a relation leaves for its caller (the PCS, or a test). */
enum {
    ZKR_CNN_POLY_X,   /* input tensor */
    ZKR_CNN_POLY_W,   /* weights */
    ZKR_CNN_POLY_Y,   /* output tensor */
    ZKR_CNN_POLY_E,   /* max pooling selector */
    ZKR_CNN_POLY_D,   /* max pooling differences */
    ZKR_CNN_POLY_R,   /* average pooling remainder */
    ZKR_CNN_POLY_V,   /* ADD requantization slots */
    ZKR_CNN_POLY_B,   /* ADD second input */
    ZKR_CNN_POLY_M    /* LogUp multiplicities */
};
typedef struct {
    unsigned poly, n;
    zkr_ext pt[ZKR_CNN_MAX_PT];
    zkr_ext val;
} zkr_cnn_claim;
typedef struct {
    zkr_cnn_claim c[ZKR_CNN_MAX_CLAIMS];
    size_t n;
} zkr_cnn_claims;
/* Appends a claim. ZKR_ERR_INTERNAL when full or n > ZKR_CNN_MAX_PT (never dropped). */
zkr_err zkr_cnn_claim_add(zkr_cnn_claims *cs, unsigned poly, const zkr_ext *pt, unsigned n,
                          zkr_ext val) ZKR_WUR;

/*
 * The random-challenge soundness error of one relation, in bits
 * (-log2): `rounds` sumcheck rounds of degree <= `degree`, a random point
 * of `zc_vars` variables (Schwartz-Zippel), `batch` batching powers, and a
 * LogUp of 2^na witness and 2^nt table entries (na = 0: none):
 * (rounds degree + zc_vars + batch + 2^na + 2^nt + 3 (na^2 + nt^2)) / p^3.
 */
double zkr_cnn_relation_error_bits(unsigned rounds, unsigned degree, unsigned zc_vars,
                                   unsigned batch, unsigned na, unsigned nt);

/* ---------------- relation parameters ---------------- */
/*
 * Convolution: groups 1 (W: cout x c x kh x kw) or depthwise (groups = c,
 * cout = mult c with a channel multiplier mult >= 1: output channel
 * o = c' mult + m reads input channel c'; W: cout x kh x kw, ONNX order).
 */
typedef struct {
    zkr_cnn_win g;
    uint32_t cout;
    int depthwise;
    unsigned lco;
    uint32_t mult; /* depthwise: cout / c (1 without a multiplier); groups 1: 1 */
    unsigned lm;   /* log2ceil(mult) */
} zkr_cnn_conv;
/*
 * Weight tensor variables: j, i, ci, co bits from the lowest (depthwise:
 * j, i, c, then m, the multiplier's index, when mult > 1).
 */
static inline unsigned zkr_cnn_conv_w_vars(const zkr_cnn_conv *c)
{
    return c->g.lkw + c->g.lkh + c->g.lc + (c->depthwise ? c->lm : c->lco);
}
/* Output tensor variables (cout x oh x ow). */
static inline unsigned zkr_cnn_conv_y_vars(const zkr_cnn_conv *c)
{
    return c->g.low + c->g.loh + c->lco;
}
/*
 * Depthwise with a multiplier: the selector of the convolution sumcheck at
 * (sc, sm) (lc and lm values) for the output channel point rc (lco values):
 * sum_{c < C, m < mult} eq(sc, c) eq(sm, m) eq(rc, c mult + m), in
 * O(2^lco + 2^lc + 2^lm). ZKR_ERR_NOMEM.
 */
zkr_err zkr_cnn_dw_sel(const zkr_cnn_conv *c, const zkr_ext *rc, const zkr_ext *sc,
                       const zkr_ext *sm, zkr_ext *out) ZKR_WUR;
zkr_err zkr_cnn_conv_init(zkr_cnn_conv *c, const zkr_cnn_win *g, uint32_t cout,
                          int depthwise) ZKR_WUR;

/*
 * The lookup table of an activation: T[x + 128] for int8 x. Its LogUp
 * table has 512 entries: j + 256 (T[j] + 128) for j < 256 (the pairs), then
 * 2^32 + b for bytes b (the ranges of x and y, which make the pair's
 * decomposition unique).
 */
#define ZKR_CNN_LUT_LOG 9u
#define ZKR_CNN_LUT_BYTE_OFF (UINT64_C(1) << 32)
void zkr_cnn_lut_table(const int8_t t[256], zkr_gl out[1u << ZKR_CNN_LUT_LOG]);

/*
 * ADD (docs/quantization.md 7.1): y = clamp(floor((ma a + mb b + 2^(s-1)) /
 * 2^s), lo, 127) for int8 a, b, 0 <= ma, mb < 2^31, 1 <= s <= 48, lo -128
 * (or 0: a fused ReLU). Witness per element: 16 byte slots (below), a
 * table V of lp + 4 variables (slot s of element p at (s << lp) | p).
 * q = y + (hi - lo) g with g < 2^gbits, gbits = max(49 - s, 8):
 * |q| <= 2^(48 - s) bounds g.
 */
#define ZKR_CNN_ADD_SLOTS_LOG 4u
enum { ZKR_CNN_ADD_Y, ZKR_CNN_ADD_YC, ZKR_CNN_ADD_HI, ZKR_CNN_ADD_LO, ZKR_CNN_ADD_R0 };
typedef struct {
    int mul;                    /* 1: requantization acc M (CONV/DENSE), 0: ADD */
    int64_t ma, mb;
    uint32_t shift;
    int64_t lo;
    unsigned nr, ng;            /* byte limbs of r (shift bits) and g (gbits) */
    unsigned gbits;
    unsigned slot_rtc, slot_g0, slot_gtc;
    uint64_t c_r, c_g;          /* top-limb scales */
} zkr_cnn_add;
zkr_err zkr_cnn_add_init(zkr_cnn_add *a, int64_t ma, int64_t mb, uint32_t shift,
                         int relu) ZKR_WUR;

/*
 * Requantization of a CONV / DENSE accumulator with a per-channel
 * multiplier (inference@1's relation): acc M + 2^(s-1) = q 2^s + r,
 * y = clamp(q, lo, 127), |acc M + 2^(s-1)| < 2^62 + 2^47, 1 <= s <= 48,
 * g < 2^(63 - s). The same slots and proof as ADD with the accumulator
 * term acc * M (both tables claimed: acc as ZKR_CNN_POLY_X, the broadcast
 * M as ZKR_CNN_POLY_B).
 */
zkr_err zkr_cnn_requant_init(zkr_cnn_add *a, uint32_t shift, int relu) ZKR_WUR;

/*
 * Average pooling's remainder witness R (lp + 2 variables, slot s of
 * element p at (s << lp) | p): the byte limbs of r and of k - 1 - r
 * (k <= 2^14 < 2^16).
 */
#define ZKR_CNN_AP_MAX_K (1u << 14)
enum { ZKR_CNN_AP_R0, ZKR_CNN_AP_R1, ZKR_CNN_AP_C0, ZKR_CNN_AP_C1 };

/*
 * Narrow requantization (graph-inference protocol version 3; docs/
 * proof-system.md, "Narrow requantization"): y = clamp(floor((u +
 * 2^(s-1)) / 2^s), lo, 127) with u = acc M (mul) or Ma a + Mb b (ADD), and
 * y the node's own output tensor (not a witness slot). Witness per element:
 * the 15-bit limbs of r (s bits), of gh = max(q - 127, 0) (ghb bits) and of
 * gl = max(lo - q, 0) (glb bits), slot k of element p at (k << lp) | p, 2^lsl
 * slots (unused slots 0). Equations, at every p (zero-checked):
 *   u + 2^(s-1) = 2^s (y + gh - gl) + r,   gh (127 - y) = 0,   gl (y - lo) = 0.
 * The range entries (zkr_cnn_rqn_entry) are the caller's to check against
 * 0..2^15-1 (graph-inference's "ginf-range"). ghb, glb come from the
 * model's accumulator bound (zkr_ginf_params); s + gbits <= 63 keeps every
 * equation free of wrap mod p (docs/soundness.md).
 */
#define ZKR_CNN_RQN_LIMB 15u          /* limb width and the range table's log */
#define ZKR_CNN_RQN_MAX_SLOTS 16u
#define ZKR_CNN_RQN_MAX_ENTRIES 24u
/* One range entry: scale * src + cst, src a witness slot (0..) or y (ZKR_CNN_RQN_SRC_Y). */
#define ZKR_CNN_RQN_SRC_Y 255u
typedef struct {
    unsigned src;
    uint64_t scale; /* 1 or a power of two (a scaled top limb) */
    int64_t sign;   /* +1 or -1: scale * sign * src + cst */
    int64_t cst;
} zkr_cnn_rqn_entry;
typedef struct {
    int mul;
    int64_t ma, mb;
    uint32_t shift;
    int64_t lo;
    unsigned ghb, glb;          /* bits of gh, gl (0: that side never clamps) */
    unsigned nr, ngh, ngl;      /* 15-bit limbs of r, gh, gl */
    unsigned slot_gh, slot_gl;  /* first limb slots (r's is 0) */
    unsigned nsl, lsl;          /* slots used, log2 of the slot block */
    zkr_cnn_rqn_entry ent[ZKR_CNN_RQN_MAX_ENTRIES];
    unsigned n_ent;
} zkr_cnn_rqn;
/*
 * ghb / glb: the widths the model's bound gives, each <= 63 - shift (a wider
 * one is MALFORMED); widened to whole limbs where that stays <= 63 - shift.
 * ZKR_ERR_MALFORMED: shift outside 1..48, a multiplier outside 0..2^31-1.
 */
zkr_err zkr_cnn_rqn_init(zkr_cnn_rqn *a, int mul, int64_t ma, int64_t mb, uint32_t shift,
                         int relu, unsigned ghb, unsigned glb) ZKR_WUR;
/*
 * evaluation@1 format version 4 (zk/eval.c): layer l's narrow
 * requantization (u = acc M) for the shape's declared widths.
 * ZKR_ERR_MALFORMED as zkr_cnn_rqn_init.
 */
zkr_err zkr_eval_rqn(const zkr_eval_shape *s, uint32_t l, zkr_cnn_rqn *a) ZKR_WUR;

/*
 * CONCAT on channels (graph-inference@1, docs/proof-system.md "CONCAT"):
 * k = 2..ZKR_CNN_CAT_MAX_IN inputs of c[j] channels each, equal h and w,
 * the output's channel c = off_j + c' holding input j's channel c'
 * (off_j = c[0] + .. + c[j-1]). A point on input j or on the output is
 * (hw part: lhw variables, channel part, lb record variables on top:
 * evaluation-graph@1's batch, else 0); the hw and record parts pass
 * through unchanged.
 */
#define ZKR_CNN_CAT_MAX_IN 4u
/*
 * Test builds only (verifier/cnn.h's vopts; ZKR_ERR_USAGE elsewhere): the
 * verifier skips CONCAT's one identity Y~(z) = sum_j v_j (the teeth of
 * tests/soundness/test_sound_cnn.c's CONCAT attacks). The prover ignores it.
 */
#define ZKR_CNN_OFF_CAT 32u
typedef struct {
    unsigned k;
    uint32_t c[ZKR_CNN_CAT_MAX_IN], off[ZKR_CNN_CAT_MAX_IN];
    unsigned lc[ZKR_CNN_CAT_MAX_IN]; /* each input's channel variables */
    unsigned lco;                    /* the output's channel variables */
    unsigned lhw, lb;
} zkr_cnn_cat;
/*
 * ZKR_ERR_MALFORMED when k is outside 2..ZKR_CNN_CAT_MAX_IN, a c[j] is 0,
 * the channels sum over ZKR_CNN_MAX_DIM or a tensor over ZKR_CNN_MAX_VARS.
 */
zkr_err zkr_cnn_cat_init(zkr_cnn_cat *a, unsigned k, const uint32_t *c, unsigned lhw,
                         unsigned lb) ZKR_WUR;
/*
 * Input j's selector at (zc, s): S_j~ = sum_{c' < c[j]} eq(zc, off_j + c')
 * eq(s, c'), zc the lco channel coordinates of the output's point, s lc[j]
 * values; O(2^lco + 2^lc[j]). ZKR_ERR_NOMEM.
 */
zkr_err zkr_cnn_cat_sel(const zkr_cnn_cat *a, unsigned j, const zkr_ext *zc, const zkr_ext *s,
                        zkr_ext *out) ZKR_WUR;

#endif
