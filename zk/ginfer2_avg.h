/*
 * graph-inference@2's zero-knowledge average pooling (docs/proof-system.md,
 * "graph-inference@2", "Average pooling"; docs/quantization.md 7.1):
 *   Y(c, oy, ox) = floor((sum + floor(k/2)) / k),  k = kh kw,
 * sum over the window of X's real values, a padded position reading 0 and
 * counting in k (count_include_pad); global average pooling is kh = H,
 * kw = W. X is hidden: block `block` of the input commitment's 2^isl
 * blocks, its real value entry + in_off (zkr_ginf2_cin's convention; a
 * requantization's V: block 0, in_off lo; a max pooling's V: block Yb <<
 * le, in_off -128). The witness V (lp + lsl variables, slot s of output p
 * at (s << lp) | p) holds bytes: Yb = Y + 128, r = r0 + 256 r1 and
 * rc = k - 1 - r = rc0 + 256 rc1. Rows on every real output p:
 *   A0  sum_win entry + in_off n(p) + floor(k/2) + 128 k - k Yb - r0 - 256 r1 = 0
 *   A1  r0 + 256 r1 + rc0 + 256 rc1 - (k - 1) = 0
 * (n(p) the window's real positions), combined by eq(z, p) and lambda into
 * one linear claim carried by V's byte range proof with X as the hidden
 * term (the window sum is the view of X with a plain kernel sum, zk/cnn.h).
 * k <= 2^16 (two byte limbs); zk/cnn.h's kernel bound (32 x 32) keeps k <= 1024
 * and ml/graph.h's keeps k <= 2^14.
 */
#ifndef ZKR_ZK_GINFER2_AVG_H
#define ZKR_ZK_GINFER2_AVG_H

#include "zk/cnn.h"
#include "zk/zk.h"

enum { ZKR_G2A_YB = 0, ZKR_G2A_R0 = 1, ZKR_G2A_R1 = 2, ZKR_G2A_RC0 = 3, ZKR_G2A_RC1 = 4 };
#define ZKR_G2A_SLOTS 5u
#define ZKR_G2A_SLOTS_LOG 3u  /* at least */
#define ZKR_G2A_MAX_K 65536u  /* r and k - 1 - r in two byte limbs */
typedef struct {
    zkr_cnn_win g;
    unsigned lp;      /* output position variables (lc + loh + low) */
    unsigned lsl;     /* V's slot variables (>= 3; more when X needs them) */
    unsigned isl;     /* the input's slot variables */
    uint32_t block;   /* X's block among them */
    int64_t in_off;   /* X(real position) = that block's entry + in_off, -128..0 */
    uint32_t k;       /* kh kw */
} zkr_ginf2_avg;

/*
 * The average pooling of g (dilation 1) over an input as described above.
 * ZKR_ERR_MALFORMED: a dilation, k over ZKR_G2A_MAX_K, isl over ZKR_GINF2_MAX_ISL, block
 * >= 2^isl, in_off outside -128..0, V over ZKR_CNN_MAX_VARS.
 */
zkr_err zkr_ginf2_avg_init(zkr_ginf2_avg *q, const zkr_cnn_win *g, unsigned isl, uint32_t block,
                           int64_t in_off) ZKR_WUR;
static inline unsigned zkr_ginf2_avg_v_vars(const zkr_ginf2_avg *q) { return q->lp + q->lsl; }
static inline unsigned zkr_ginf2_avg_x_vars(const zkr_ginf2_avg *q)
{
    return zkr_cnn_in_vars(&q->g) + q->isl;
}
/* [p real] for p < 2^lp. */
int zkr_ginf2_avg_real(const zkr_ginf2_avg *q, size_t p);
/* The honest witness V (2^v_vars entries) from X's table (2^x_vars entries). */
void zkr_ginf2_avg_witness(const zkr_ginf2_avg *q, const zkr_gl *x, zkr_gl *v);
/* The challenges: z (lp), lambda. */
typedef struct {
    zkr_ext z[ZKR_CNN_MAX_VARS], lambda;
} zkr_ginf2_avg_chal;
void zkr_ginf2_avg_draw(zkr_transcript *t, const zkr_ginf2_avg *q, zkr_ginf2_avg_chal *c);
/* The view point of z: the output coordinates, a plain kernel sum (pi = pj = NULL). */
zkr_cnn_view_pt zkr_ginf2_avg_view(const zkr_ginf2_avg *q, const zkr_ginf2_avg_chal *c);
/* The slot weights c_s (s < ZKR_G2A_SLOTS) of the combined rows A0 + lambda A1. */
void zkr_ginf2_avg_slot_w(const zkr_ginf2_avg *q, zkr_ext lambda, zkr_ext *cs);
/*
 * The combined claim: -(in_off N(z) + (floor(k/2) + 128 k) R(z)) + lambda
 * (k - 1) R(z), R(z) = sum_{p real} eq(z, p), N(z) = sum_{p real} eq(z, p)
 * n(p). NOMEM.
 */
zkr_err zkr_ginf2_avg_claim(const zkr_ginf2_avg *q, const zkr_ginf2_avg_chal *c,
                            zkr_ext *out) ZKR_WUR;
/* The weights' MLE on V at r (lp + lsl values): R(z, r) sum_s eq(r_sl, s) c_s. NOMEM. */
zkr_err zkr_ginf2_avg_w_eval(const zkr_ginf2_avg *q, const zkr_ginf2_avg_chal *c,
                             const zkr_ext *r, zkr_ext *out) ZKR_WUR;
/* The weights' MLE on X at r (x_vars values): the selector times eq(block, r_sl). NOMEM. */
zkr_err zkr_ginf2_avg_x_eval(const zkr_ginf2_avg *q, const zkr_ginf2_avg_chal *c,
                             const zkr_ext *r, zkr_ext *out) ZKR_WUR;
/*
 * Soundness bits (V, X committed with ve, xe blinding variables), at
 * zkr_ginf2_avg_grind_bits (share 1); _at: at `extra`.
 */
double zkr_ginf2_avg_soundness_bits(const zkr_params *p, const zkr_ginf2_avg *q, unsigned ve,
                                    unsigned xe);
double zkr_ginf2_avg_soundness_at(const zkr_params *p, const zkr_ginf2_avg *q, unsigned ve,
                                  unsigned xe, unsigned extra);
unsigned zkr_ginf2_avg_grind_bits(const zkr_params *p, const zkr_ginf2_avg *q, unsigned ve,
                                  unsigned xe, unsigned share);

#endif
