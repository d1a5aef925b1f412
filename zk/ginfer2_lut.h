/*
 * graph-inference@2's zero-knowledge LOOKUP activation (docs/quantization.md
 * 7.1 and 7.5: Y[i] = T[X[i] + 128], one mechanism for LeakyRelu, Sigmoid,
 * Tanh, HardSigmoid, HardSwish, Gelu, Clip). X hidden (an earlier node's
 * witness read at its block, as zkr_ginf2_cin describes), Y hidden in a
 * fresh byte witness V, the 256-entry int8 table T public (a node
 * parameter, like M and the bias of this kind: it reveals the activation,
 * not the weights). docs/proof-system.md, "graph-inference@2", "LOOKUP".
 *
 * V (lp + lsl variables, zk/cnn.h's tensor layout, slot k of element p at
 * (k << lp) | p) holds bytes: Yb = Y + 128 (slot 0, what a reader reads:
 * isl = lsl, block 0, in_off = -128) and Xc = X + 128 (slot 1). A fresh
 * Z (lp + lsl variables, committed inside the proof) holds Z = Xc + 256 Yb
 * at real elements and zv[0] elsewhere. Rows, on real elements p only:
 *   RA  Xc(p) - X(block, p) - (in_off + 128) = 0
 *   RB  Z(p) - Xc(p) - 256 Yb(p) = 0
 * RA (combined by eq(z, p)) is the linear claim of V's byte range proof
 * with X as its hidden term; RB (by eq(z2, p)) the linear claim of Z's
 * range proof against the explicit table zv[j] = j + 256 (T[j] + 128)
 * (zkr_zkrange_verify_link_vals) with V as its hidden term.
 */
#ifndef ZKR_ZK_GINFER2_LUT_H
#define ZKR_ZK_GINFER2_LUT_H

#include "zk/cnn.h"
#include "zk/zk.h"

enum { ZKR_G2L_YB = 0, ZKR_G2L_XC = 1 };
#define ZKR_GINF2_LUT_V_OPENINGS 2u /* V's: its range proof's batch, Z's link */
#define ZKR_GINF2_LUT_X_OPENINGS 1u
typedef struct {
    uint32_t c, h, w;
    unsigned lc, lh, lw, lp;
    unsigned lsl;    /* V's and Z's slot variables: max(1, isl) */
    unsigned isl;    /* X: block `block` of 2^isl above its lp tensor variables */
    uint32_t block;
    int64_t in_off;  /* X(real p) = that block's entry + in_off, -128..0 */
    int8_t t[256];   /* T[j] for input j - 128 */
} zkr_ginf2_lut;

/*
 * ZKR_ERR_MALFORMED: a size 0 or over ZKR_CNN_MAX_DIM, an entry of t
 * outside -128..127, isl over 8, block >= 2^isl, in_off outside -128..0,
 * V over ZKR_CNN_MAX_VARS.
 */
zkr_err zkr_ginf2_lut_init(zkr_ginf2_lut *q, uint32_t c, uint32_t h, uint32_t w,
                           const int64_t t[256], unsigned isl, uint32_t block,
                           int64_t in_off) ZKR_WUR;
static inline unsigned zkr_ginf2_lut_v_vars(const zkr_ginf2_lut *q) { return q->lp + q->lsl; }
static inline unsigned zkr_ginf2_lut_x_vars(const zkr_ginf2_lut *q) { return q->lp + q->isl; }
/* [p real] for p < 2^lp. */
int zkr_ginf2_lut_real(const zkr_ginf2_lut *q, size_t p);
/*
 * The honest V (2^lv base entries) from X's table (2^(lp + isl) field
 * images). ZKR_ERR_USAGE when a real input leaves -128..127.
 */
zkr_err zkr_ginf2_lut_witness(const zkr_ginf2_lut *q, const zkr_gl *x, zkr_gl *v) ZKR_WUR;
/* The lookup's table zv[j] = j + 256 (T[j] + 128): distinct, 0..65535. */
void zkr_ginf2_lut_zv(const zkr_ginf2_lut *q, int64_t zv[256]);
/* Z from V (2^lv entries each): Xc + 256 Yb on real elements, zv[0] elsewhere. */
void zkr_ginf2_lut_z(const zkr_ginf2_lut *q, const zkr_gl *v, zkr_gl *z);
/* sum_p eq(r, p) eq(z, p) [p real] over the lp coordinates (z NULL: eq(r, p) alone). */
zkr_ext zkr_ginf2_lut_re(const zkr_ginf2_lut *q, const zkr_ext *r, const zkr_ext *z);
/* RA's claim: (in_off + 128) valid~(z). */
zkr_ext zkr_ginf2_lut_claim(const zkr_ginf2_lut *q, const zkr_ext *z);
/* RA's weights' MLEs: on V at r (lv coordinates), on X at r (lp + isl). */
zkr_ext zkr_ginf2_lut_wa_v(const zkr_ginf2_lut *q, const zkr_ext *z, const zkr_ext *r);
zkr_ext zkr_ginf2_lut_wa_x(const zkr_ginf2_lut *q, const zkr_ext *z, const zkr_ext *r);
/* RB's weights' MLEs: on Z at r, on V at r (lv coordinates each). */
zkr_ext zkr_ginf2_lut_wb_z(const zkr_ginf2_lut *q, const zkr_ext *z2, const zkr_ext *r);
zkr_ext zkr_ginf2_lut_wb_v(const zkr_ginf2_lut *q, const zkr_ext *z2, const zkr_ext *r);
/*
 * The same four weights as tables over the hypercube (the prover's, and
 * the verifier's off path): kind ZKR_G2L_WA_V (2^lv), ZKR_G2L_WA_X
 * (2^(lp + isl)), ZKR_G2L_WB_Z, ZKR_G2L_WB_V (2^lv); pt is z (RA) or z2.
 */
enum { ZKR_G2L_WA_V = 0, ZKR_G2L_WA_X = 1, ZKR_G2L_WB_Z = 2, ZKR_G2L_WB_V = 3 };
void zkr_ginf2_lut_wtab(const zkr_ginf2_lut *q, unsigned kind, const zkr_ext *pt, zkr_ext *w);
/* Z's blinding variables (budget 1, one range proof). */
unsigned zkr_ginf2_lut_z_blind(const zkr_params *p, const zkr_ginf2_lut *q);
/*
 * Soundness bits of the lookup relation (V, X committed with ve, xe
 * blinding variables; Z with zkr_ginf2_lut_z_blind), at
 * zkr_ginf2_lut_grind_bits (share 1); _at: at `extra`.
 */
double zkr_ginf2_lut_soundness_bits(const zkr_params *p, const zkr_ginf2_lut *q, unsigned ve,
                                    unsigned xe);
double zkr_ginf2_lut_soundness_at(const zkr_params *p, const zkr_ginf2_lut *q, unsigned ve,
                                  unsigned xe, unsigned extra);
unsigned zkr_ginf2_lut_grind_bits(const zkr_params *p, const zkr_ginf2_lut *q, unsigned ve,
                                  unsigned xe, unsigned share);

#endif
