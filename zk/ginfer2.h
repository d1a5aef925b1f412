/*
 * graph-inference@2 (kind 11; docs/proof-system.md, "graph-inference@2"):
 * the CNN relations built on the hiding layer, so that a proof reveals
 * neither the weights nor the activations (prover/ginfer2.h,
 * verifier/ginfer2.h): convolution (with a chained or uint8 input),
 * requantization (per-channel public M and bias), max pooling (below) and
 * average pooling (zk/ginfer2_avg.h),
 * and the whole-network proof over chain programs of them (container
 * sections 30-32; "the whole network" at the end). No registry kind or CLI
 * path uses kind 11 yet.
 *
 * Zero-knowledge convolution (groups 1, or depthwise: zkr_ginf2_sc_vars;
 * no bias). The caller holds hiding
 * commitments to the input X (c x h x w int8, zk/cnn.h's tensor layout),
 * the weights W (cout x c x kh x kw, zkr_cnn_conv_w_vars's layout) and the
 * accumulator Y (cout x oh x ow, the field image of the integer sum), and
 * has bound them to the transcript. The relation proves
 *   Y(co, o) = sum_k W(co, k) U(k, o) over the integers, U = im2col(X),
 * with |W| <= 127 and U in -128..127, revealing nothing else:
 *  1. U (k = (j, i, ci) low, o = (ox, oy) high) and the Libra mask's
 *     coefficients C are committed fresh (hiding);
 *  2. after rco (lco) and ro (loh + low), a sumcheck over the lk kernel
 *     variables proves sum_k W^(rco, k) U^(k, ro) - 2^-lk Y^(ro, rco) = 0
 *     with randomised extensions P^(k) = F_P(.., s(k_0), 0..) on each
 *     commitment's first blinding coordinate (s(c) = c (1 - c)) and a Libra
 *     mask g (degree ZKR_GINF2_DEGREE in every variable): the sumcheck runs
 *     on f + rho g with claim rho gamma, gamma = sum g;
 *  3. the three revealed values W^(r), U^(r), Y^(r) are bound by one
 *     hiding opening each (zkr_prover_hopen_batch, k = 1), g(r) =
 *     <C, Lambda(r)> by the masked linear sumcheck and C's hiding opening;
 *  4. one hiding range proof shows |W| <= 127;
 *  5. after a point z on U, one hiding range proof shows every entry of U
 *     is in -128..127 and, as its linear claim with X as the hidden term,
 *     U~(z) - sum S_z X = 0 (S_z the view's selector, zk/cnn.h): U is the
 *     window view of X.
 */
#ifndef ZKR_ZK_GINFER2_H
#define ZKR_ZK_GINFER2_H

#include "ml/graph.h"
#include "zk/cnn.h"
#include "zk/ginfer2_avg.h"
#include "zk/ginfer2_lut.h"
#include "zk/zk.h"

#define ZKR_GINFER2_PROTOCOL "zkreg/graph-inference@2"
/*
 * 1: the relations alone (never in a container, never released).
 * 2: the conv's input description (zkr_ginf2_cin: the link over real
 *    channels, its offset claim, U padded), the per-channel requantization,
 *    and the whole-network container (sections 30-32), whose version word
 *    this is; a version 1 word is refused by name.
 * 3: the record is a registered hiding dataset's record commitment (the
 *    flat layout, zkr_ginf2_cin.flat), bound by its inclusion path; the
 *    proof carries the model commitment (zk/ginfer2_mc.h); section 31
 *    carries both (docs/formats.md). Versions 1 and 2 are refused by name.
 * 4: the verifier's factorisation check of every hiding opening's round
 *    messages; each opening's figure the better of UD and JBR
 *    (zkr_ldr_hsoundness, zk/ldr.h), so fewer extra grinding bits (the
 *    query count stays the set's). Versions 1 to 3 are refused by name.
 */
#define ZKR_GINFER2_VERSION 4u
#define ZKR_KIND_GINFER2 11u
/* Container sections reserved for kind 11 (no whole proof uses them yet). */
#define ZKR_SEC_GINF2_FIRST 30u
#define ZKR_SEC_GINF2_LAST 33u

#define ZKR_GINF2_DEGREE 6u    /* product sumcheck rounds: W^ 3 + U^ 3 in k_0 */
#define ZKR_GINF2_U_BUDGET 2u  /* U's openings: the range proof's batch, the product's */
#define ZKR_GINF2_CONV_OPENINGS 9u /* hiding openings of one conv relation proof */
/* Openings of X's, W's and Y's budgets one conv proof consumes. */
#define ZKR_GINF2_X_OPENINGS 1u
#define ZKR_GINF2_W_OPENINGS 2u
#define ZKR_GINF2_Y_OPENINGS 1u
/* U's range: int8. */
#define ZKR_GINF2_U_TABLE ((zkr_zkrange_table){-128, 256})

/*
 * Checks a proof may switch off (test builds only; elsewhere ZKR_ERR_USAGE),
 * absent from prover and verifier alike, so a test shows an attack passes
 * without the check and fails with it.
 */
#define ZKR_GINF2_OFF_RANGE 1u /* the range proofs of W and U */
#define ZKR_GINF2_OFF_LINK 2u  /* U = im2col(X) (the range proof of U stays) */
#define ZKR_GINF2_OFF_GRIND 4u /* the extra grinding: every opening at p->pow_bits only */
#define ZKR_GINF2_OFF_OUT 8u   /* the whole proof's output claim (the public logits) */
/* a depthwise conv's final check (the verifier's selector; as @1's ZKR_VC_OFF_DW_SEL) */
#define ZKR_GINF2_OFF_DW_SEL 128u
/*
 * Test builds, the prover only (in zkr_ginf2_popts.off): a depthwise conv's
 * selector maps (c, m) to m C + c, the output channels transposed (a
 * cheating prover for soundness-ginfer2). The verifier ignores it.
 */
#define ZKR_GINF2_CHEAT_DW_T 256u

/*
 * Extra grinding (docs/soundness.md, "graph-inference@2"). Every hiding
 * opening of a relation proof grinds zkr_ginf2_*_grind_bits more
 * proof-of-work bits than the parameter set's, the fewest that lift the
 * relation's computed figure to target_bits + log2(share): `share` is the
 * number of relations proven on one transcript (1 alone, 3 for the chain
 * conv -> requant -> pool), so the union bound over them reaches the
 * target. Prover and verifier compute it from the parameters and the
 * public shapes (and the commitments' blinding variables); no proof
 * carries it. 0 reads as 1.
 */
#define ZKR_GINF2_MAX_EXTRA_POW 12u
/* p with pow_bits raised by extra (by nothing when off holds ZKR_GINF2_OFF_GRIND). */
void zkr_ginf2_open_params(const zkr_params *p, unsigned extra, unsigned off, zkr_params *out);
/* target_bits + log2(share) (share 0 reads as 1). */
double zkr_ginf2_share_target(const zkr_params *p, unsigned share);
/*
 * A relation's opening parameters, shared by its prover and verifier: out
 * = zkr_ginf2_open_params(p, extra, off) once bits (the relation's
 * soundness figure at `extra`, its zkr_ginf2_*_soundness_at) reaches
 * zkr_ginf2_share_target(p, share); off holding ZKR_GINF2_OFF_GRIND skips
 * the check (test builds). ZKR_OK, or ZKR_ERR_UNSUPPORTED when the grinding
 * cap cannot reach the target (never below it); out is then untouched.
 */
zkr_err zkr_ginf2_grind_params(const zkr_params *p, unsigned extra, double bits, unsigned off,
                               unsigned share, zkr_params *out) ZKR_WUR;
/*
 * The grinding boilerplate of a relation on two hiding commitments (its
 * bits function: the relation's soundness figure at parameters p for the
 * relation q and the commitments' ve, xe blinding variables).
 * zkr_ginf2_bits2_at: bits at p with pow_bits raised by extra (a
 * relation's zkr_ginf2_*_soundness_at); zkr_ginf2_bits2_grind: the fewest
 * extra bits (up to ZKR_GINF2_MAX_EXTRA_POW) reaching
 * zkr_ginf2_share_target(p, share) (its zkr_ginf2_*_grind_bits).
 */
typedef double (*zkr_ginf2_bits2_fn)(const zkr_params *p, const void *q, unsigned ve, unsigned xe);
double zkr_ginf2_bits2_at(zkr_ginf2_bits2_fn bits, const zkr_params *p, const void *q, unsigned ve,
                          unsigned xe, unsigned extra);
unsigned zkr_ginf2_bits2_grind(zkr_ginf2_bits2_fn bits, const zkr_params *p, const void *q,
                               unsigned ve, unsigned xe, unsigned share);

/* Variables of U (lk + loh + low) and of the kernel part k (lkw + lkh + lc). */
static inline unsigned zkr_ginf2_k_vars(const zkr_cnn_conv *c)
{
    return c->g.lkw + c->g.lkh + c->g.lc;
}
static inline unsigned zkr_ginf2_u_vars(const zkr_cnn_conv *c)
{
    return zkr_ginf2_k_vars(c) + c->g.loh + c->g.low;
}
/*
 * The product sumcheck's variables: U's kernel variables, and for a
 * depthwise conv (groups = c, cout = mult c) the multiplier's lm above
 * them (W's variables j, i, c, m; zkr_cnn_conv_w_vars). The verifier
 * evaluates the depthwise selector sum_{c, m real} eq(s_c, c) eq(s_m, m)
 * eq(rco, c mult + m) itself (zkr_cnn_dw_sel).
 */
static inline unsigned zkr_ginf2_sc_vars(const zkr_cnn_conv *c)
{
    return zkr_ginf2_k_vars(c) + (c->depthwise ? c->lm : 0);
}
/*
 * ZKR_OK when the conv fits the relation: groups 1 or depthwise (then a
 * kernel of at least 2 positions, lkw + lkh >= 1, so that the selector is
 * constant in the first round's variable and the round degree stays
 * ZKR_GINF2_DEGREE), lk >= 1, X's variables at most max(U's, 8) (the range
 * proof's hidden term). ZKR_ERR_MALFORMED else.
 */
zkr_err zkr_ginf2_conv_check(const zkr_cnn_conv *c) ZKR_WUR;

/*
 * The conv's input as its commitment holds it (the chain of relations of
 * a network; docs/proof-system.md, "Chained conv input"). The c x h x w
 * tensor is block `block` of 2^isl blocks above the tensor's own nx =
 * zkr_cnn_in_vars variables (entry p at (block << nx) | p), and its real
 * value at a real position is that entry + in_off: isl 0, block 0, in_off
 * 0 is a plain tensor commitment; a requantization's V is isl = its lsl,
 * block 0 (slot 0: y - lo), in_off = lo; a max pooling's V is isl = le +
 * lsl, block ZKR_G2P_YB << le (Yb = Y + 128 at e = 0), in_off = -128. The
 * real values are in u_lo..u_lo + 255: -128 (int8) or 0 (the record's
 * uint8 bytes, the first conv). Only real positions are read (channel <
 * c, row < h, column < w): the link's selector is zero elsewhere, so a
 * padded entry of X (which a chained witness may leave free) never reaches U.
 */
typedef struct {
    unsigned isl;
    uint32_t block;
    int64_t in_off; /* -128..0 */
    int64_t u_lo;   /* -128 or 0 */
    /*
     * 1: X is the record commitment's flat layout (zk/ginfer2_mc.h): the
     * real position (c, y, x) is entry c H W + y W + x of log2_ceil(C H W
     * + 1) variables (the label and the padding above it never read);
     * isl 0, block 0, in_off 0, u_lo 0. 0: the tensor layout above.
     */
    unsigned flat;
} zkr_ginf2_cin;
/* A plain int8 tensor commitment (what zkr_prover_ginf2_conv takes). */
#define ZKR_GINF2_CIN_PLAIN ((zkr_ginf2_cin){0u, 0u, 0, -128, 0u})
/*
 * U's zero variables above (k, o): the fewest that let X's commitment be
 * the range proof's hidden term (X's variables at most max(U's, 8)), as a
 * dense layer (a 1 x 1 output) reading a pooling's V needs. U(k, o, ex) is
 * view(X)(k, o) at ex = 0 and 0 elsewhere; the link's X weights and claim
 * carry eq(z_ex, 0), the product opens U at ex = 0.
 */
unsigned zkr_ginf2_u_pad(const zkr_cnn_conv *c, const zkr_ginf2_cin *in);
/* U's committed variables: zkr_ginf2_u_vars + zkr_ginf2_u_pad. */
unsigned zkr_ginf2_u_vars_in(const zkr_cnn_conv *c, const zkr_ginf2_cin *in);
/* X's commitment's variables: the tensor's and isl. */
static inline unsigned zkr_ginf2_conv_x_vars(const zkr_cnn_conv *c, const zkr_ginf2_cin *in)
{
    if (in->flat)
        return zkr_log2_ceil(c->g.c * c->g.h * c->g.w + 1u);
    return zkr_cnn_in_vars(&c->g) + in->isl;
}
/* The index in X's table of the real position (ci, y, x) (the block's, or the flat layout's). */
static inline size_t zkr_ginf2_x_index(const zkr_cnn_conv *c, const zkr_ginf2_cin *in,
                                       uint32_t ci, uint32_t y, uint32_t x)
{
    if (in->flat)
        return ((size_t)ci * c->g.h + y) * c->g.w + x;
    return ((size_t)in->block << zkr_cnn_in_vars(&c->g)) |
           ((size_t)ci << (c->g.lh + c->g.lw)) | ((size_t)y << c->g.lw) | (size_t)x;
}
/*
 * zkr_ginf2_conv_check (but X may exceed U: U is padded, zkr_ginf2_u_pad)
 * and the input: isl <= ZKR_GINF2_MAX_ISL (16: a global average pooling's
 * V has the slot variables of its input's whole window, zk/ginfer2_avg.h),
 * block < 2^isl, in_off in -128..0, u_lo -128 or 0, U's padded variables
 * at most ZKR_CNN_MAX_VARS; flat only with isl 0, block 0, in_off 0, u_lo
 * 0. ZKR_ERR_MALFORMED else.
 */
#define ZKR_GINF2_MAX_ISL 16u
zkr_err zkr_ginf2_conv_check_in(const zkr_cnn_conv *c, const zkr_ginf2_cin *in) ZKR_WUR;

/*
 * The blinding variables e of a commitment of n variables that must serve
 * `budget` openings and carry a hiding range proof (zkr_zkrange_batch_shape:
 * n + e >= max(n, 8) + zkr_hpcs_blind_vars(max(n, 8), 1)); 0 when none
 * fits. U is committed with it; a caller commits W so (hcommit_sized).
 */
unsigned zkr_ginf2_range_blind(const zkr_params *p, unsigned n, uint32_t budget);

/*
 * The accumulator bound the conv proves: the smallest b with
 * K 127 128 < 2^b, K = c kh kw its fan-in (|W| <= 127, U in -128..127). A
 * requantization of the conv's Y takes it as acc_bits.
 */
unsigned zkr_ginf2_conv_acc_bits(const zkr_cnn_conv *c);
/* The same for U in u_lo..u_lo + 255: K 127 max(|u_lo|, |u_lo + 255|) < 2^b (255 for the record). */
unsigned zkr_ginf2_conv_acc_bits_in(const zkr_cnn_conv *c, const zkr_ginf2_cin *in);

/* s(x) = x (1 - x), the randomised extension's weight. */
static inline zkr_ext zkr_ginf2_s(zkr_ext x)
{
    return zkr_ext_mul(x, zkr_ext_sub(zkr_ext_from(1), x));
}
/*
 * The full point (first n coordinates from pt, then s(r0), then zeros) of a
 * commitment of total variables. out has total entries.
 */
void zkr_ginf2_full_point(const zkr_ext *pt, unsigned n, zkr_ext r0, unsigned total,
                          zkr_ext *out);

/* ---------------- the Libra mask g (degree ZKR_GINF2_DEGREE) ---------------- */
/* Extension coefficients: a0, then ZKR_GINF2_DEGREE per variable. */
static inline size_t zkr_ginf2_stride(unsigned n)
{
    return 1u + (size_t)ZKR_GINF2_DEGREE * n;
}
/* C's variables (its 3 stride base components, zero-padded). */
static inline unsigned zkr_ginf2_coef_vars(unsigned n)
{
    return zkr_log2_ceil(3u * zkr_ginf2_stride(n));
}
/* g_i(x) = sum_{d=1..D} c_id x^d. */
zkr_ext zkr_ginf2_gi(const zkr_ext *gco, unsigned i, zkr_ext x);
/* sum of g over {0,1}^n. */
zkr_ext zkr_ginf2_gsum(const zkr_ext *gco, unsigned n);
/* g(r). */
zkr_ext zkr_ginf2_gat(const zkr_ext *gco, unsigned n, const zkr_ext *r);
/* The weights Lambda(r) with <C, Lambda(r)> = g(r) (2^coef_vars entries). */
void zkr_ginf2_lambda(const zkr_ext *r, unsigned n, zkr_ext *out);

/* The three randomised tables' final value check: W U - 2^-lk Y + rho g. */
zkr_ext zkr_ginf2_conv_final(unsigned lk, zkr_ext vw, zkr_ext vu, zkr_ext vy, zkr_ext rho,
                             zkr_ext gr);

/*
 * The conv relation's soundness in bits, from the parameters: its algebraic
 * terms (the link point z, the two range proofs' algebra, rco and ro, the
 * lk degree-6 rounds, rho, C's linear sumcheck) plus the query and commit
 * phases of each of its ZKR_GINF2_CONV_OPENINGS openings (union bound), for
 * X, W, Y committed with xe, we, ye blinding variables, at the extra
 * grinding of zkr_ginf2_conv_grind_bits (share 1).
 */
double zkr_ginf2_conv_soundness_bits(const zkr_params *p, const zkr_cnn_conv *c, unsigned xe,
                                     unsigned we, unsigned ye);
/* The same figure with every opening grinding `extra` more bits. */
double zkr_ginf2_conv_soundness_at(const zkr_params *p, const zkr_cnn_conv *c, unsigned xe,
                                   unsigned we, unsigned ye, unsigned extra);
/* The conv's extra grinding bits for `share` relations on one transcript (above). */
unsigned zkr_ginf2_conv_grind_bits(const zkr_params *p, const zkr_cnn_conv *c, unsigned xe,
                                   unsigned we, unsigned ye, unsigned share);
/* The same two for a chained input (X's opening over its isl slot variables too). */
double zkr_ginf2_conv_soundness_in(const zkr_params *p, const zkr_cnn_conv *c,
                                   const zkr_ginf2_cin *in, unsigned xe, unsigned we, unsigned ye,
                                   unsigned extra);
unsigned zkr_ginf2_conv_grind_bits_in(const zkr_params *p, const zkr_cnn_conv *c,
                                      const zkr_ginf2_cin *in, unsigned xe, unsigned we,
                                      unsigned ye, unsigned share);
/*
 * The link's selector (zk/cnn.h's S_z, restricted to real positions: c <
 * C) at s (the tensor's nx coordinates), and its sum over the real
 * positions (sum == NULL: skipped). v is the view point of z. NOMEM.
 */
zkr_err zkr_ginf2_conv_sel_eval(const zkr_cnn_win *g, const zkr_cnn_view_pt *v, const zkr_ext *s,
                                zkr_ext *out, zkr_ext *sum) ZKR_WUR;


/* ---------------- zero-knowledge requantization ---------------- */
/*
 * y = clamp(floor((M acc + 2^(s-1)) / 2^s), lo, 127) on every element of a
 * c x h x w tensor (zk/cnn.h's layout, lp = lc + lh + lw variables), acc
 * hidden (a hiding commitment; |acc| < 2^acc_bits, its producer's bound),
 * M (0..2^31-1), s (1..48) and lo (-128, or 0: a fused ReLU) public.
 * The witness V (lp + lsl variables, slot j of element p at (j << lp) | p)
 * holds bytes only; every relation is a linear row over V and acc with
 * public coefficients (ZKR_GINF2_RQ_ROWS rows; docs/soundness.md,
 * "graph-inference@2"). One hiding range proof shows every entry of V is a
 * byte and carries, as its linear claim with acc as the hidden term, the
 * rows combined by eq(z, p) and powers of lambda. y - lo is V's slot 0.
 */
enum { ZKR_G2RQ_Y = 0, ZKR_G2RQ_YC = 1, ZKR_G2RQ_R0 = 2 };
#define ZKR_GINF2_RQ_ROWS 9u
#define ZKR_GINF2_RQ_MAX_SLOTS 64u
#define ZKR_GINF2_RQ_TABLE ((zkr_zkrange_table){0, 256})
typedef struct {
    uint32_t c, h, w;
    unsigned lc, lh, lw, lp;
    int64_t m, lo;
    uint32_t shift;
    unsigned acc_bits, gbits;
    unsigned nr, ng;                        /* byte limbs of r (and rs), of gh, gl, sh1, sl1 */
    unsigned s_rs, s_gh, s_gl, s_mh, s_mhc, s_ml, s_mlc, s_sh1, s_sh2, s_sl1, s_sl2;
    unsigned nsl, lsl;                      /* slots used, log2 of the slot block */
    zkr_gl coef[ZKR_GINF2_RQ_ROWS][ZKR_GINF2_RQ_MAX_SLOTS];
    zkr_gl acc_coef[ZKR_GINF2_RQ_ROWS];     /* 1 in row 0: times M(c) (zkr_ginf2_rq_mc) */
    zkr_gl cst[ZKR_GINF2_RQ_ROWS];          /* on real elements only (row 0: less M(c) b(c)) */
    /*
     * Per channel (zkr_ginf2_rq_init_ch; NULL: M = m everywhere, no bias):
     * the public multipliers and biases, c entries each, the caller's
     * arrays (they must outlive q). A padded channel has M 0 and bias 0.
     */
    const int64_t *mc, *bc;
} zkr_ginf2_rq;
/*
 * ZKR_ERR_MALFORMED: a size 0 or over ZKR_CNN_MAX_DIM, shift outside
 * 1..48, M outside 0..2^31-1, acc_bits + bits(M) over 59 (the rows' integer
 * bound), slots over ZKR_GINF2_RQ_MAX_SLOTS or V over ZKR_CNN_MAX_VARS.
 */
zkr_err zkr_ginf2_rq_init(zkr_ginf2_rq *q, uint32_t c, uint32_t h, uint32_t w, int64_t m,
                          uint32_t shift, int relu, unsigned acc_bits) ZKR_WUR;
static inline unsigned zkr_ginf2_rq_v_vars(const zkr_ginf2_rq *q) { return q->lp + q->lsl; }
/*
 * The requantization of a CONV / DENSE node (ml/graph.h): per output
 * channel c a public multiplier mc[c] (0..2^31-1) and a public bias bc[c]
 * (|b| <= 2^30; bc NULL: none), y = clamp(floor((M_c (acc + b_c) +
 * 2^(s-1)) / 2^s), lo, 127), acc the bias-free accumulator (|acc| <
 * 2^acc_bits). Row 0 becomes M_c acc + M_c b_c + 2^(s-1) - 2^s (yb + lo +
 * gh - gl) - r = 0; its integer bound takes acc_bits' = bits(2^acc_bits +
 * max |b|) and max M (acc_bits' + bits(max M) <= 59, else MALFORMED).
 * mc and bc are kept by pointer.
 */
zkr_err zkr_ginf2_rq_init_ch(zkr_ginf2_rq *q, uint32_t c, uint32_t h, uint32_t w,
                             const int64_t *mc, const int64_t *bc, uint32_t shift, int relu,
                             unsigned acc_bits) ZKR_WUR;
/* M of channel c (m without per-channel multipliers; 0 on a padded channel with them). */
int64_t zkr_ginf2_rq_mc(const zkr_ginf2_rq *q, uint32_t c);
/* The bias of channel c (0 without biases or on a padded channel). */
int64_t zkr_ginf2_rq_bc(const zkr_ginf2_rq *q, uint32_t c);
/* acc's weights' MLE at r (lp values): a sum_p eq(r, p) eq(z, p) M(c(p)). */
zkr_ext zkr_ginf2_rq_a_eval(const zkr_ginf2_rq *q, const zkr_ext *z, zkr_ext a, const zkr_ext *r);
/*
 * The honest witness V (2^(lp + lsl) base entries) from acc (2^lp signed
 * values, padding 0). ZKR_ERR_USAGE when an |acc| reaches 2^acc_bits.
 */
zkr_err zkr_ginf2_rq_witness(const zkr_ginf2_rq *q, const int64_t *acc, zkr_gl *v) ZKR_WUR;
/* Row weights folded by lambda: C_j = sum_t lambda^t coef[t][j]; A = sum_t lambda^t acc_coef[t]. */
void zkr_ginf2_rq_fold(const zkr_ginf2_rq *q, zkr_ext lambda, zkr_ext *cj, zkr_ext *a);
/* The combined claim -valid~(z) sum_t lambda^t cst_t. */
zkr_ext zkr_ginf2_rq_claim(const zkr_ginf2_rq *q, const zkr_ext *z, zkr_ext lambda);
/* The weights' MLE on V at r (lp + lsl values): eq(z, r_<lp) sum_j eq(r_>=lp, j) C_j. */
zkr_ext zkr_ginf2_rq_w_eval(const zkr_ginf2_rq *q, const zkr_ext *z, const zkr_ext *cj,
                            const zkr_ext *r);
/*
 * Soundness bits of the requantization relation (V, acc committed with ve,
 * ae blinding vars), at zkr_ginf2_rq_grind_bits (share 1); _at: at `extra`.
 */
double zkr_ginf2_rq_soundness_bits(const zkr_params *p, const zkr_ginf2_rq *q, unsigned ve,
                                   unsigned ae);
double zkr_ginf2_rq_soundness_at(const zkr_params *p, const zkr_ginf2_rq *q, unsigned ve,
                                 unsigned ae, unsigned extra);
unsigned zkr_ginf2_rq_grind_bits(const zkr_params *p, const zkr_ginf2_rq *q, unsigned ve,
                                 unsigned ae, unsigned share);

/* ---------------- zero-knowledge max pooling ---------------- */
/*
 * Y(c, oy, ox) = max of X over its window (zk/cnn.h's window; positions
 * outside the input are never selected), X hidden (a hiding commitment of
 * int8 entries, its producer's range), Y hidden in the witness V. V (le + lp
 * + 3 variables: element q = p | e << lp, e = (j, i) the kernel position,
 * p = (ox, oy, c) the output position; slot k at (k << (le + lp)) | q) holds
 * bytes: D = Y - X(q) (valid q), E the selector bit, Ec = 1 - E, S = 255 Ec
 * - D, and Yb = Y + 128 on every e (the output: the e = 0 block). Rows:
 *   R0  D - valid Yb + X(view(q)) + 128 valid = 0
 *   R1  E + Ec - valid = 0
 *   R2  D + S - 255 Ec = 0
 *   R3  sum_e E(e, p) = [p real]            (at a second point zo)
 *   R4  Yb(e, p) - Yb(0, p) = 0
 * combined by eq(z, q), eq(zo, p) and powers of lambda into one linear claim
 * carried by V's byte range proof with X as the hidden term.
 */
enum { ZKR_G2P_D = 0, ZKR_G2P_E = 1, ZKR_G2P_EC = 2, ZKR_G2P_S = 3, ZKR_G2P_YB = 4 };
#define ZKR_G2P_SLOTS_LOG 3u /* at least */
#define ZKR_G2P_MAX_SLOTS_LOG 6u
typedef struct {
    zkr_cnn_win g;
    unsigned le, lp;   /* kernel position and output position variables */
    unsigned lsl;      /* V's slot variables (>= 3; more when the input needs them) */
    unsigned isl;      /* the input's slot variables: X is block 0 of them (0: plain) */
    int64_t in_off;    /* X(real position) = that block's entry + in_off */
} zkr_ginf2_pool;
/* ZKR_ERR_MALFORMED when V would exceed ZKR_CNN_MAX_VARS or X exceed max(V's, 8). */
zkr_err zkr_ginf2_pool_init(zkr_ginf2_pool *q, const zkr_cnn_win *g) ZKR_WUR;
/*
 * As zkr_ginf2_pool_init for an input that is slot 0 of a larger committed
 * table (isl slot variables above the tensor's, as a requantization's V
 * holds y - lo), read as entry + in_off on real positions: the chain
 * requant -> pool with in_off = lo. V gets the slot variables the link
 * needs (X's n + isl <= V's). ZKR_ERR_MALFORMED as above, or isl over 8.
 */
zkr_err zkr_ginf2_pool_init_chained(zkr_ginf2_pool *q, const zkr_cnn_win *g, unsigned isl,
                                    int64_t in_off) ZKR_WUR;
static inline unsigned zkr_ginf2_pool_v_vars(const zkr_ginf2_pool *q)
{
    return q->le + q->lp + q->lsl;
}
/* The input commitment's variables: the tensor's and the slot variables. */
static inline unsigned zkr_ginf2_pool_x_vars(const zkr_ginf2_pool *q)
{
    return zkr_cnn_in_vars(&q->g) + q->isl;
}
/* The honest witness V from X's table (2^lx field images of int8). */
void zkr_ginf2_pool_witness(const zkr_ginf2_pool *q, const zkr_gl *x, zkr_gl *v);
/* valid(q) for q < 2^(le + lp): inside the kernel, the output and the input. */
int zkr_ginf2_pool_valid(const zkr_ginf2_pool *q, size_t qi);
/* sum_q eq(r, q) eq(z, q) valid(q) (z NULL: valid~(r)). Allocates; NOMEM. */
zkr_err zkr_ginf2_pool_vw(const zkr_ginf2_pool *q, const zkr_ext *r, const zkr_ext *z,
                          zkr_ext *out) ZKR_WUR;
/* The challenges: z (le + lp), zo (lp), lambda. */
typedef struct {
    zkr_ext z[ZKR_CNN_MAX_VARS], zo[ZKR_CNN_MAX_VARS], lambda;
} zkr_ginf2_pool_chal;
void zkr_ginf2_pool_draw(zkr_transcript *t, const zkr_ginf2_pool *q, zkr_ginf2_pool_chal *c);
/* The combined claim (lambda - 128 - in_off) valid~(z) + lambda^3 [p real]~(zo). NOMEM. */
zkr_err zkr_ginf2_pool_claim(const zkr_ginf2_pool *q, const zkr_ginf2_pool_chal *c,
                             zkr_ext *out) ZKR_WUR;
/* The weights' MLE on V at r (le + lp + 3 values). NOMEM. */
zkr_err zkr_ginf2_pool_w_eval(const zkr_ginf2_pool *q, const zkr_ginf2_pool_chal *c,
                              const zkr_ext *r, zkr_ext *out) ZKR_WUR;
/* The view of z on the input tensor: pc, pi, pj, poy, pox from z. */
zkr_cnn_view_pt zkr_ginf2_pool_view(const zkr_ginf2_pool *q, const zkr_ginf2_pool_chal *c);
/*
 * Soundness bits of the max pooling relation (V, X committed with ve, xe
 * blinding vars), at zkr_ginf2_pool_grind_bits (share 1); _at: at `extra`.
 */
double zkr_ginf2_pool_soundness_bits(const zkr_params *p, const zkr_ginf2_pool *q, unsigned ve,
                                     unsigned xe);
double zkr_ginf2_pool_soundness_at(const zkr_params *p, const zkr_ginf2_pool *q, unsigned ve,
                                   unsigned xe, unsigned extra);
unsigned zkr_ginf2_pool_grind_bits(const zkr_params *p, const zkr_ginf2_pool *q, unsigned ve,
                                   unsigned xe, unsigned share);

/* ---------------- zero-knowledge CONCAT on channels (zk/ginfer2_cat.c) ---------------- */
/*
 * V = concat_c(X_0, .., X_{k-1}) (2..4 inputs of c_j channels each, the
 * same h x w; docs/proof-system.md, "CONCAT"): a fresh hiding commitment V
 * (lco + lh + lw + lsl variables, slot 0 the tensor in zk/cnn.h's layout,
 * entry V(c, y, x) = value + 128, a byte; other slots 0) and, per input j,
 * one hiding range proof of V against 0..255 whose linear claim carries
 * X_j as the hidden term:
 *   sum_{c' < c_j, y < h, x < w} eq(z_j, (off_j + c', y, x, 0))
 *       (V(off_j + c', y, x, 0) - X_j(block_j, c', y, x)) = (in_off_j + 128) S_j
 * (S_j the sum of those eq weights, z_j fresh over V's variables; X_j read
 * as its input description zkr_ginf2_cin says: block, in_off). At a random
 * z_j this is V = X_j + in_off_j + 128 on input j's whole region. A reader
 * reads V as zkr_ginf2_cin {lsl, 0, -128, -128}.
 */
#define ZKR_GINF2_CAT_MAX_IN 4u
typedef struct {
    unsigned k;
    uint32_t c[ZKR_GINF2_CAT_MAX_IN], off[ZKR_GINF2_CAT_MAX_IN];
    zkr_ginf2_cin in[ZKR_GINF2_CAT_MAX_IN]; /* each input's commitment (u_lo unused) */
    uint32_t h, w;
    unsigned lh, lw, lco, lc[ZKR_GINF2_CAT_MAX_IN];
    unsigned lsl; /* V's slot variables: each X_j's variables at most V's */
} zkr_ginf2_cat;
/*
 * ZKR_ERR_MALFORMED: k outside 2..4, a c[j] 0, h or w 0, the channels over
 * ZKR_CNN_MAX_DIM, an input description outside zkr_ginf2_conv_check_in's
 * bounds, V over ZKR_CNN_MAX_VARS.
 */
zkr_err zkr_ginf2_cat_init(zkr_ginf2_cat *q, unsigned k, const uint32_t *c,
                           const zkr_ginf2_cin *in, uint32_t h, uint32_t w) ZKR_WUR;
static inline unsigned zkr_ginf2_cat_v_vars(const zkr_ginf2_cat *q)
{
    return q->lco + q->lh + q->lw + q->lsl;
}
/* Input j's commitment variables: its tensor's and its slot variables. */
static inline unsigned zkr_ginf2_cat_x_vars(const zkr_ginf2_cat *q, unsigned j)
{
    return q->lc[j] + q->lh + q->lw + q->in[j].isl;
}
/* The honest V (2^v_vars entries) from the inputs' tables (entry + in_off + 128). */
void zkr_ginf2_cat_witness(const zkr_ginf2_cat *q, const zkr_gl *const *x, zkr_gl *v);
/*
 * Input j's claim and the weights' MLEs (z over V's variables): the claim
 * (in_off_j + 128) S_j; V's weights at r (v_vars values); X_j's at r
 * (x_vars values, the minus sign included); NULL r: the tables (2^n
 * entries out). NOMEM.
 */
zkr_err zkr_ginf2_cat_claim(const zkr_ginf2_cat *q, unsigned j, const zkr_ext *z,
                            zkr_ext *out) ZKR_WUR;
zkr_err zkr_ginf2_cat_wv(const zkr_ginf2_cat *q, unsigned j, const zkr_ext *z, const zkr_ext *r,
                         zkr_ext *out) ZKR_WUR;
zkr_err zkr_ginf2_cat_wx(const zkr_ginf2_cat *q, unsigned j, const zkr_ext *z, const zkr_ext *r,
                         zkr_ext *out) ZKR_WUR;
/*
 * Soundness bits of the CONCAT relation (V with ve blinding variables, X_j
 * with xe[j]): the union over the k range proofs (z_j, the range proof's
 * algebra, V's batch, X_j's link and C's openings), at
 * zkr_ginf2_cat_grind_bits (share 1); _at: at `extra`.
 */
double zkr_ginf2_cat_soundness_bits(const zkr_params *p, const zkr_ginf2_cat *q, unsigned ve,
                                    const unsigned *xe);
double zkr_ginf2_cat_soundness_at(const zkr_params *p, const zkr_ginf2_cat *q, unsigned ve,
                                  const unsigned *xe, unsigned extra);
unsigned zkr_ginf2_cat_grind_bits(const zkr_params *p, const zkr_ginf2_cat *q, unsigned ve,
                                  const unsigned *xe, unsigned share);

/* ---------------- zero-knowledge residual ADD ---------------- */
#include "zk/ginfer2_add.h"

/* ---------------- the whole network (graph-inference@2 proofs) ---------------- */
/*
 * One inference of a graph program (ml/graph.h) on a hidden record with a
 * hidden model, its logits public (docs/proof-system.md, "graph-inference@2",
 * "The whole network"). Supported programs: a DAG (each node reads earlier
 * nodes, net->src) of CONV (groups 1, or depthwise with kh kw >= 2) and
 * DENSE nodes (a conv whose kernel is the whole input, a 1 x 1 output),
 * each with its requantization (ReLU or not; per-channel public M and bias,
 * the shift public), MAXPOOL nodes that read a CONV / DENSE / ADD node,
 * AVGPOOL nodes (global average pooling too; zk/ginfer2_avg.h) that read
 * any node but the record (their witness V is a fresh commitment as a
 * MAXPOOL's), ADD nodes (zk/ginfer2_add.h) that read two non-record nodes
 * (or one twice), CONCAT nodes (2..4 non-record nodes of its h x w,
 * channels concatenated) and LOOKUP nodes (zk/ginfer2_lut.h; the public
 * table mp->t) that read any node but the record; exactly one node reads the record (uint8), the
 * last is CONV or DENSE. At most ZKR_GINF2_NET_MAX_NODES nodes.
 *
 * Commitments: the record X (version 3: the record commitment of a
 * registered hiding dataset, its c h w input bytes in the flat layout and
 * the label, zk/ginfer2_mc.h; ZKR_GINF2_X_OPENINGS openings per proof out
 * of the data owner's budget), one
 * hiding commitment per weight tensor W_i (zkr_cnn_conv_w_vars, committed
 * over zkr_ginf2_range_blind(n, ZKR_GINF2_W_OPENINGS * proofs): the model's
 * budget, ZKR_GINF2_W_OPENINGS openings a proof), and per proof fresh
 * hiding commitments of every hidden tensor: a CONV / DENSE node's
 * accumulator Y_i (2 openings: its conv, its requantization) and
 * requantization witness V_i, a MAXPOOL, AVGPOOL, ADD, CONCAT or LOOKUP
 * node's witness V_i (each V net->v_budget[i] openings: its own range
 * proofs (an ADD's 2, a CONCAT's one per input, a LOOKUP's 2: its range
 * proof and its Z's link), one per read by a later node, the output
 * claim's; 2 in a chain, a LOOKUP's 3).
 */
#define ZKR_GINF2_NET_MAX_NODES 16u
#define ZKR_GINF2_NET_MAX_IN ZKR_GINF2_CAT_MAX_IN /* a node's inputs (a CONCAT's most) */
#define ZKR_SEC_GINF2_OUTPUT 30u /* the public output (zkr_infer_output_encode) */
/*
 * Section 31: u32 ZKR_GINFER2_VERSION, the binding (the model commitment's
 * encoding and the record's dataset binding, zk/ginfer2_mc.h), then the
 * fresh roots.
 */
#define ZKR_SEC_GINF2_ROOTS 31u
#define ZKR_SEC_GINF2_BODY 32u   /* the relations, node by node, then the output claim */
/* Section 33 stays reserved. */
#define ZKR_GINF2_Y_BUDGET 2u    /* a fresh accumulator's openings */
#define ZKR_GINF2_V_BUDGET 2u    /* a chain's witness openings (net->v_budget counts) */

/* The public model parameters per node (CONV / DENSE, ADD; others unused). */
typedef struct {
    const int64_t *m[ZKR_GINF2_NET_MAX_NODES]; /* c entries, 0..2^31-1 (ADD: {Ma, Mb}) */
    const int64_t *b[ZKR_GINF2_NET_MAX_NODES]; /* c entries, |b| <= 2^30 (ADD: unused) */
    uint32_t shift[ZKR_GINF2_NET_MAX_NODES];   /* 1..48 */
    const int64_t *t[ZKR_GINF2_NET_MAX_NODES]; /* LOOKUP: T[x + 128], 256 entries in -128..127 */
} zkr_ginf2_pub;

typedef struct {
    uint32_t n;                              /* nodes, node 0 the record */
    uint8_t op[ZKR_GINF2_NET_MAX_NODES];
    uint32_t c[ZKR_GINF2_NET_MAX_NODES], h[ZKR_GINF2_NET_MAX_NODES], w[ZKR_GINF2_NET_MAX_NODES];
    zkr_cnn_conv conv[ZKR_GINF2_NET_MAX_NODES]; /* CONV / DENSE */
    zkr_ginf2_cin cin[ZKR_GINF2_NET_MAX_NODES];
    zkr_ginf2_rq rq[ZKR_GINF2_NET_MAX_NODES];   /* CONV / DENSE */
    zkr_ginf2_pool pool[ZKR_GINF2_NET_MAX_NODES]; /* MAXPOOL */
    zkr_ginf2_avg avg[ZKR_GINF2_NET_MAX_NODES];   /* AVGPOOL (zk/ginfer2_avg.h) */
    zkr_ginf2_add add[ZKR_GINF2_NET_MAX_NODES];   /* ADD */
    zkr_ginf2_cat cat[ZKR_GINF2_NET_MAX_NODES];   /* CONCAT */
    zkr_ginf2_lut lut[ZKR_GINF2_NET_MAX_NODES];   /* LOOKUP (zk/ginfer2_lut.h) */
    /* the nodes each reads, n_src[i] of them (ADD's X2 src[i][1], CONCAT's inputs in order) */
    uint32_t src[ZKR_GINF2_NET_MAX_NODES][ZKR_GINF2_NET_MAX_IN];
    unsigned n_src[ZKR_GINF2_NET_MAX_NODES];
    uint32_t v_budget[ZKR_GINF2_NET_MAX_NODES];   /* V_i's openings: own, readers', output's */
    unsigned x_vars;                         /* the record commitment's: log2_ceil(c h w + 1) (flat) */
    unsigned n_rel, share;                   /* relations; share = n_rel + 1 (the output claim) */
    unsigned n_roots;                        /* fresh roots a proof carries */
} zkr_ginf2_net;

/*
 * The layout of program g (zkr_ml_gprog_check passed) with the public
 * parameters mp (kept by pointer in net's requantizations: they must
 * outlive net). ZKR_ERR_UNSUPPORTED (an op, a grouped conv not depthwise, a
 * 1 x 1 depthwise conv, a node reading a later node or the wrong number of
 * nodes, an ADD, AVGPOOL or CONCAT reading the record, the record read by
 * two nodes, a max pool not after CONV / DENSE / ADD / LOOKUP, a LOOKUP
 * reading the record, a last node not CONV / DENSE, too many nodes),
 * ZKR_ERR_MALFORMED (a shape or parameter the relations refuse, a LOOKUP
 * without its table; a CONV / DENSE / MAXPOOL / AVGPOOL node whose declared
 * shape is not its window's output, which zkr_ml_gprog_check refuses too:
 * checked here, since a reader would read a pooling's free padded outputs).
 */
zkr_err zkr_ginf2_net_init(zkr_ginf2_net *net, const zkr_ml_gprog *g, const zkr_ginf2_pub *mp,
                           zkr_diag *d) ZKR_WUR;
/* Whether node i has an accumulator Y_i (CONV / DENSE) and weights W_i. */
static inline int zkr_ginf2_net_has_y(const zkr_ginf2_net *net, uint32_t i)
{
    return net->op[i] == ZKR_ML_GOP_CONV || net->op[i] == ZKR_ML_GOP_DENSE;
}
/* A fresh commitment's variables and total (with blinding) for node i: kind 0 Y_i, 1 V_i. */
unsigned zkr_ginf2_net_fresh_vars(const zkr_ginf2_net *net, uint32_t i, unsigned kind);
unsigned zkr_ginf2_net_fresh_total(const zkr_params *p, const zkr_ginf2_net *net, uint32_t i,
                                   unsigned kind);
/* Node i's output tensor's variables (its witness's block) and elements. */
unsigned zkr_ginf2_net_out_vars(const zkr_ginf2_net *net, uint32_t i);
/* The output claim's extra grinding bits and its soundness at them (V_last: ve blinding vars). */
unsigned zkr_ginf2_out_grind_bits(const zkr_params *p, const zkr_ginf2_net *net);
double zkr_ginf2_out_soundness_at(const zkr_params *p, const zkr_ginf2_net *net, unsigned extra);
/*
 * The whole proof's soundness in bits: the union of every relation's error
 * at its extra grinding for net->share and the output claim's; xe, we[i]:
 * the record's and each weight commitment's blinding variables.
 */
double zkr_ginf2_net_soundness(const zkr_params *p, const zkr_ginf2_net *net, unsigned xe,
                               const unsigned *we);
/*
 * The statement binding every graph-inference@2 proof's transcript starts
 * with (before any commitment of the proof and any challenge): protocol,
 * version, parameters, statement id, then the program digest ("g2n-program"),
 * the public parameters (each CONV / DENSE node's shift, M and bias,
 * "g2n-params"), the model's roots in node order ("g2n-model"), section
 * 31's binding bytes (the model commitment's encoding and the record's
 * dataset binding, "g2n-bind"; version 3) and the public output's encoding
 * ("g2n-output"). ZKR_ERR_MALFORMED (g), NOMEM.
 */
zkr_err zkr_ginf2_net_transcript(const zkr_params *p, const zkr_ml_gprog *g,
                                 const zkr_ginf2_net *net, const uint8_t *statement_id,
                                 const uint8_t *bind, size_t bind_len,
                                 const zkr_hpcs_commitment *const *wc, const uint8_t *out,
                                 size_t out_len, zkr_transcript *t) ZKR_WUR;
/* The same without the extra grinding (the figure the grinding lifts). */
double zkr_ginf2_net_soundness_base(const zkr_params *p, const zkr_ginf2_net *net, unsigned xe,
                                    const unsigned *we);

#endif
