/*
 * inference@2 internals shared by zk/infer2.c, prover/inference2.c and
 * verifier/inference2.c (docs/proof-system.md, "inference@2"): the layout
 * of the hidden witness V, the columns of the batched sumcheck, the
 * challenges both sides draw and the per-layer polynomial at a point.
 */
#ifndef ZKR_ZK_INFER2_INT_H
#define ZKR_ZK_INFER2_INT_H

#include "zk/zk.h"

/*
 * Layout. Layer l's variables in the batched sumcheck: k (lk, low) then j
 * (lm, high); N_l = lk + lm; the sumcheck runs over N = max N_l variables,
 * layer l zero-extended. lm is at least 1 (a one-logit layer gets a zero
 * padding row), so every layer has a j variable to randomise on.
 */
typedef struct {
    zkr_infer_shape s;                /* dims, shifts, slots (v_off, n_l, n_v unused) */
    unsigned lm[ZKR_INFER_MAX_LAYERS]; /* max(1, s.layer[l].lm) */
    uint64_t voff[ZKR_INFER_MAX_LAYERS]; /* layer l's block in V: 2^(lm + 4) entries, aligned */
    unsigned n_v;                      /* V's variables */
    unsigned n_rec;                    /* the record's: log2_ceil(input_dim + 1) */
    uint64_t roff;                     /* the record's copy in V (version 3): 2^n_rec, aligned */
    unsigned N;                        /* the batched sumcheck's */
} zkr_infer2_shape;

zkr_err zkr_infer2_shape_init(zkr_infer2_shape *sh, uint32_t input_dim, uint32_t n_layers,
                              const uint32_t *in_dims, const uint32_t *out_dims, const int *relu,
                              const uint32_t *shifts) ZKR_WUR;

/* Hidden columns of layer l (each revealed as its randomised extension at r). */
enum {
    ZKR_I2_W,       /* W'(k, j), randomised on variable 0 */
    ZKR_I2_M,       /* M(j) = W'(in_dim + 1, j), randomised on variable lk */
    ZKR_I2_S,       /* the input: record byte k (l = 0) or y_{l-1} - lo_{l-1} (V), on var 0 */
    ZKR_I2_T0,      /* 16 slots of V's block l at row j, on variable lk */
    ZKR_I2_O = ZKR_I2_T0 + ZKR_INFER_SLOTS, /* the hidden output (last layer only), on lk */
    ZKR_I2_RV,      /* layer 0 only: V's copy of the record at r[0..n_rec), on var 0 (not in vals' count) */
    ZKR_I2_NCOL
};
/*
 * Values revealed for layer l: every column up to T15, and O on the hidden
 * output's layer. RV is revealed once, after every layer's values.
 */
unsigned zkr_infer2_n_values(const zkr_infer2_shape *sh, uint32_t l, int public_output);

/* The verifier's challenges before the sumcheck (both sides draw them in this order). */
typedef struct {
    zkr_ext z[ZKR_INFER_MAX_LAYERS][ZKR_INFER_MAX_PT];
    zkr_ext lam[9];  /* lam[i] = lambda^i */
    zkr_ext mu[ZKR_INFER_MAX_LAYERS]; /* mu^l */
    zkr_ext zrec[ZKR_INFER_MAX_PT];   /* version 3: the record link's zero-check point (n_rec) */
    zkr_ext murec;                    /* ... and its weight in the batched sumcheck */
} zkr_infer2_chal;
void zkr_infer2_draw(zkr_transcript *t, const zkr_infer2_shape *sh, zkr_infer2_chal *c);

/*
 * The constraint bracket of layer l at one point from the slot values T
 * (16) and the output value out (hidden O or the public logits' multilinear;
 * used on the last layer only):
 *   2^(s-1) - (Y + lo + (HI - LO) G) 2^s - R
 *   + l1 (HI^2 - HI) + l2 (LO^2 - LO) + l3 HI YC + l4 LO Y
 *   + l5 (YC + Y - (127 - lo)) + l6 (RTC - c_r R_top) + l7 (GTC - c_g G_top)
 *   [+ l8 (Y + lo - out), last layer]
 */
zkr_ext zkr_infer2_bracket(const zkr_infer2_shape *sh, uint32_t l, const zkr_infer2_chal *c,
                           const zkr_ext *T, zkr_ext out);

/* Public columns of layer l at a point, as the verifier evaluates them. */
typedef struct {
    zkr_ext ez;  /* eq(z_l, r_j) */
    zkr_ext e0;  /* eq(0, r_k) */
    zkr_ext ind; /* [k < in_dim]~(r_k) */
    zkr_ext ein; /* [k == in_dim]~(r_k) */
} zkr_infer2_pub;
void zkr_infer2_pub_at(const zkr_infer2_shape *sh, uint32_t l, const zkr_infer2_chal *c,
                       const zkr_ext *r, zkr_infer2_pub *out);

/*
 * f_l at the point: ez (M W X + e0 bracket), X = (S + c_off) ind + ein with
 * c_off = 0 for layer 0, lo_{l-1} otherwise.
 */
zkr_ext zkr_infer2_layer_f(const zkr_infer2_shape *sh, uint32_t l, const zkr_infer2_chal *c,
                           const zkr_infer2_pub *pub, const zkr_ext *vals, zkr_ext out);

/*
 * Version 3's record link at the point: murec eq(zrec, r[..n_rec))
 * (S~(r) - RV~(r)) prod_{t >= n_rec} (1 - r_t), the zero-check of
 * sum_k eq(zrec, k) (rec(k) - V(roff + k)) = 0 zero-extended to N
 * variables (vals: layer 0's values, RV included).
 */
zkr_ext zkr_infer2_rec_f(const zkr_infer2_shape *sh, const zkr_infer2_chal *c, const zkr_ext *r,
                         const zkr_ext *vals0);

/* The source offset c_off of layer l. */
zkr_gl zkr_infer2_src_off(const zkr_infer2_shape *sh, uint32_t l);

/*
 * The full point (hidden coordinates, then the blinding ones (s, 0, ...))
 * of each revealed column; total = n + e of the commitment it opens.
 * which: ZKR_I2_W, ZKR_I2_M, ZKR_I2_S, ZKR_I2_T0 (the V point of the slot
 * fold: the 4 slot coordinates from tau), ZKR_I2_O, ZKR_I2_RV (layer 0:
 * the record's copy in V, at r[0..n_rec) and roff's block bits).
 */
void zkr_infer2_point(const zkr_infer2_shape *sh, uint32_t l, unsigned which, const zkr_ext *r,
                      const zkr_ext tau[ZKR_INFER_SLOTS_LOG], unsigned total, zkr_ext *out);

/* s(x) = x (1 - x), the randomiser's weight. */
static inline zkr_ext zkr_infer2_s(zkr_ext x)
{
    return zkr_ext_mul(x, zkr_ext_sub(zkr_ext_from(1), x));
}

/*
 * Libra masks (version 2): g over the batched sumcheck's N variables and g_A
 * over the claim reduction's T_A, each 1 + 7 n extension coefficients; C
 * holds their base components, g's three blocks then g_A's.
 */
static inline size_t zkr_infer2_stride(unsigned n) { return 1u + (size_t)ZKR_INFER2_DEGREE * n; }
static inline unsigned zkr_infer2_lc_vars(unsigned N, unsigned TA)
{
    return zkr_log2_ceil(3u * (zkr_infer2_stride(N) + zkr_infer2_stride(TA)));
}
/*
 * Version 5: C also holds the range proof's mask g_R (1 + 7 NR coefficients,
 * NR = zkr_zkrange_sc_vars(n_v)) after g_A's blocks; its weights xi^2
 * Lambda_R(rR) join the linear claim g(r) + xi g_A(rA) + xi^2 g_R(rR).
 */
static inline unsigned zkr_infer2_lc_vars5(unsigned N, unsigned TA, unsigned NR)
{
    return zkr_log2_ceil(3u * (zkr_infer2_stride(N) + zkr_infer2_stride(TA) +
                               zkr_infer2_stride(NR)));
}
void zkr_infer2_lambda5(const zkr_ext *r, unsigned N, const zkr_ext *rA, unsigned TA,
                        const zkr_ext *rR, unsigned NR, zkr_ext xi, unsigned lc, zkr_ext *out);
/* The weights of g(r) + xi g_A(rA) on C's 2^lc entries (the rest zero). */
void zkr_infer2_lambda(const zkr_ext *r, unsigned N, const zkr_ext *rA, unsigned TA, zkr_ext xi,
                       unsigned lc, zkr_ext *out);
/* A Libra mask's univariate part g_i(x) = sum_d c_id x^d, its sum over {0,1}^n and g at r. */
zkr_ext zkr_infer2_gi(const zkr_ext *gco, unsigned i, zkr_ext x);
zkr_ext zkr_infer2_gsum(const zkr_ext *gco, unsigned n);
zkr_ext zkr_infer2_gat(const zkr_ext *gco, unsigned n, const zkr_ext *r);

/*
 * V's budget (fresh per proof, version 2): the range proof's batched
 * opening (version 5: its value, charged, the opening joined the
 * reduction's), the claim reduction's and one for the 17 L values the batched
 * sumcheck reveals (16 slots per layer, S for l > 0 and the record's copy
 * RV: at most 17 * 16 <= q 2^a positions' worth).
 */
static inline uint32_t zkr_infer2_v_budget(uint32_t n_layers)
{
    (void)n_layers;
    return 3u;
}

/*
 * The claim reduction (version 2): the claims on the model's W'_l (two per
 * layer) and on V (the slot fold per layer, the source for l > 0) are
 * reduced by one masked sumcheck over T_A = max total variables to one
 * point r_A, polynomial i evaluated at r_A[0..T_i) (version 6: at the last
 * T_i coordinates): polynomial i < L is W'_i, polynomial L is V,
 * polynomial L + 1 a hidden output. Version 5: the record kept its own
 * opening at the batched sumcheck's point; version 6: its claim joins
 * (zkr_infer2_red_add_record).
 */
/*
 * W, M, T0 per layer, S for l > 0, RV and O: 4 L + 1; version 5 adds the
 * range proof's four (a = V, h, phi, m at its full point).
 */
#define ZKR_INFER2_RED_MAX_CLAIMS (4u * ZKR_INFER_MAX_LAYERS + 6u)
/* W'_0..W'_{L-1}, V, [the hidden output], then (version 5) h, phi, m, (version 6) the record */
#define ZKR_INFER2_RED_MAX_POLYS (ZKR_INFER_MAX_LAYERS + 6u)
/* Claim column of the range proof's deferred claims (layer: 0 a, 1 h, 2 phi, 3 m). */
#define ZKR_I2_ZR 0x100u
typedef struct {
    unsigned n_polys;                          /* L + 1, L + 2 with a hidden output; + 3 */
    unsigned tv[ZKR_INFER2_RED_MAX_POLYS];     /* each polynomial's n + e */
    unsigned zr_poly;                          /* version 5: h's index (phi, m follow) */
    zkr_ext zr_pt[64];                         /* ... the range proof's full point */
    zkr_ext zr_val[4];                         /* ... and its values a^, h^, phi^, m^ */
    unsigned TA;                               /* max tv */
    unsigned rec_poly;                         /* version 6: the record's index (0: none) */
    int suffix;                                /* version 6: polynomial i on the LAST tv[i] */
    unsigned n_claims;
    unsigned poly[ZKR_INFER2_RED_MAX_CLAIMS];  /* claim c's polynomial */
    unsigned layer[ZKR_INFER2_RED_MAX_CLAIMS]; /* ... its layer and column (ZKR_I2_*) */
    unsigned which[ZKR_INFER2_RED_MAX_CLAIMS];
} zkr_infer2_red;
/*
 * w_total[l]: W'_l's n + e; v_total: V's; o_total: the hidden output's (0:
 * public output). Claims per layer: W, M, [S for l > 0], T0; then RV
 * (version 3: V's copy of the record), then O.
 */
void zkr_infer2_red_init(const zkr_infer2_shape *sh, const unsigned *w_total, unsigned v_total,
                         unsigned o_total, zkr_infer2_red *red);
/*
 * Version 5: the deferred range proof's claims (V, h, phi, m at zf with
 * vals[0..3]; zf has V's total coordinates) join red: h, phi, m become
 * polynomials of V's size after the others. Call once, after red_init.
 */
void zkr_infer2_red_add_range(zkr_infer2_red *red, uint32_t n_layers, const zkr_ext *zf,
                              const zkr_ext *vals);
/*
 * Version 8: the leaf arity at which V (member n_layers) and the range
 * proof's helpers h, phi, m (V's size) are committed, fitted to their join
 * in the mixed opening over T_A (zkr_hpcs_mixed_fit_arity; 0: they cannot
 * join), and the mask of those members (V's bit, and the helpers' once
 * zkr_infer2_red_add_range placed them; member bits in
 * zkr_infer2_open_order's order) for zkr_hpcs_verify_mixed_fit.
 */
unsigned zkr_infer2_fit_arity(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers);
uint32_t zkr_infer2_fit_mask(const zkr_infer2_red *red, uint32_t n_layers);
/*
 * Version 9: whether h and phi are committed as one stacked pair (their
 * fitted leaves together within ZKR_MT_MAX_LEAF_WORDS words: arity <= 5;
 * and V smaller than T_A, since only joiners stack), from the sizes alone;
 * and the stack mask for zkr_hpcs_verify_mixed_fit (phi's member bit and,
 * version 10, m's where zkr_infer2_stacks_v_m, once
 * zkr_infer2_red_add_range placed the helpers; 0 else).
 */
int zkr_infer2_stacks_h_phi(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers);
/*
 * Version 10: whether V and the range proof's m (both base-valued, of V's
 * size, fixed before X) are one stacked pair: V a joiner (smaller than
 * T_A) and both fitted leaves within ZKR_MT_MAX_LEAF_WORDS words.
 */
int zkr_infer2_stacks_v_m(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers);
/*
 * Version 13: the height at which the mixed opening's mask Z nests under
 * the V-m pair's leaves (zkr_prover_hcommit_pair_nest_pool: each V-m leaf
 * ends in the root of Z's 2^h leaves below it, Z drawn with V): folds[1]
 * of T_A's layout, where V and m stack and V joins at layer 1 with room
 * for the root in its leaves; 0 where Z keeps its own tree (version 12's
 * layout). From the sizes alone. zkr_infer2_nest_member: V's member index
 * in zkr_infer2_open_order's order once zkr_infer2_red_add_range placed
 * the helpers, for zkr_hpcs_verify_mixed_nest (n_polys where Z does not
 * nest).
 */
unsigned zkr_infer2_nest_h(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers);
size_t zkr_infer2_nest_member(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers);
/*
 * Version 10: the mixed opening's members, order[j] the reduction
 * polynomial at member j (n_polys entries): the reduction's order with m
 * moved right after V once zkr_infer2_red_add_range placed it (so that the
 * pair is adjacent), identity before. zkr_infer2_fit_mask and
 * zkr_infer2_stack_mask are over members in this order.
 */
void zkr_infer2_open_order(const zkr_infer2_red *red, uint32_t n_layers, unsigned *order);
/*
 * Version 14: the stack mask's bits for a version 4 (stacked) model
 * commitment's W'_1..W'_{L-1} (each in W'_0's tree, one group; members
 * 0..L-1 in zkr_infer2_open_order's order); 0 for versions 2 and 3. The
 * verifier ORs it with zkr_infer2_stack_mask.
 */
uint32_t zkr_infer2_w_stack_mask(const zkr_infer2_model_commitment *mc,
                                 const zkr_infer2_red *red);
uint32_t zkr_infer2_stack_mask(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers);
/*
 * Version 6: the record (rec_total = its n + e) becomes polynomial
 * n_polys with one claim, S^ at layer 0's point, and every polynomial sits
 * on the LAST tv[i] variables of r_A (red->suffix), so that every u_i is
 * an evaluation at a suffix of r_A (one mixed hiding opening binds them
 * all). Call right after red_init (T_A may grow).
 */
void zkr_infer2_red_add_record(zkr_infer2_red *red, unsigned rec_total);
/* Claim c's full point (the range proof's for ZKR_I2_ZR) over its polynomial's tv. */
void zkr_infer2_red_point(const zkr_infer2_shape *sh, const zkr_infer2_red *red, unsigned c,
                          const zkr_ext *r, const zkr_ext tau[][ZKR_INFER_SLOTS_LOG],
                          zkr_ext *z);
/* The output commitment's e as zkr_prover_infer2_output makes it (the only one accepted). */
unsigned zkr_infer2_out_blind_vars(const zkr_params *p, uint32_t out_dim);
/* Claim c's value from the revealed values (the slot fold by tau for T0). */
zkr_ext zkr_infer2_red_value(const zkr_infer2_red *red, unsigned c,
                             const zkr_ext vals[][ZKR_I2_NCOL],
                             const zkr_ext tau[][ZKR_INFER_SLOTS_LOG]);
/*
 * The reduction's final value without the mask: sum_i 2^-(TA - T_i)
 * E_i(rA) u_i, E_i(y) = sum over claims c on i of beta_c eq(z_c, y), at
 * rA[..T_i) or (red->suffix) at rA[TA - T_i..).
 */
zkr_ext zkr_infer2_red_final(const zkr_infer2_shape *sh, const zkr_infer2_red *red,
                             const zkr_ext *beta, const zkr_ext *r,
                             const zkr_ext tau[][ZKR_INFER_SLOTS_LOG], const zkr_ext *rA,
                             const zkr_ext *u);
/*
 * Prover side (prover/inference2.c; training-step@2 reuses it with one
 * polynomial): the reduction's masked rounds over red->TA variables of
 * sum_i 2^-(TA - T_i) E_i F_i + rho_A g_A (ga: g_A's 1 + 7 TA
 * coefficients). Absorbs gamma_A ("inf2-red-gamma"), draws rho_A, appends
 * gamma_A and the TA rounds of 7 values ("sc-round" / "sc-challenge") to
 * out, folds E[i] and P[i] (ext, 2^tv[i] each) in place, and writes the
 * challenges rA (TA), u[i] = F_i(rA[..tv[i])) and rho_A (rho, may be
 * NULL). The caller absorbs and sends the u_i and g_A(rA). The sums and
 * folds are shared out between `threads` (the bytes never depend on it).
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_infer2_red_rounds(zkr_transcript *t, const zkr_infer2_red *red,
                                     const zkr_ext *ga, zkr_ext **E, zkr_ext **P, zkr_ext *rA,
                                     zkr_ext *u, zkr_ext *rho, unsigned threads,
                                     zkr_buf *out) ZKR_WUR;
/*
 * One hiding opening's commit-phase and algebraic error (total variables,
 * k committed words batched with the mask): the folds, the folding
 * sumcheck, the batching scalars, beta and rho.
 */
double zkr_infer2_open_err(const zkr_params *p, unsigned total, unsigned k);
/*
 * Version 10: C's hiding opening runs at its own rate and count (C is
 * small: a longer codeword costs little, and each query gives more bits):
 * the fewest queries, over the rates from p's to 2^-ZKR_INFER2_C_LOG_BLOWUP
 * (ties to the shorter codeword), whose whole error (zkr_infer2_c_err) is at
 * most 2^-(target + ZKR_INFER2_C_MARGIN_BITS), a fixed 1/64 of the
 * target's error, so the mixed opening's q' takes the rest. p: the
 * parameter set as zkr_params_get gives it (its query count bounds the
 * scan, below twice it; adversarial review: prover and verifier passed p
 * at q', the figure the set's p, which agree only while C's count stays
 * below 2 q'), so prover, verifier and zkr_infer2_soundness pass the
 * set's p. pc: p with that rate, the longest codeword kept (max_vars
 * lowered) and that count; where no rate reaches it, p's rate at twice
 * p's count (its error, above the margin, still counted by the figure).
 * Version 12: pc folds ZKR_INFER2_C_FOLD_ARITY rounds a committed layer
 * (leaves of 8 values, not p's 16): C's layer-0 leaf holds C's and its
 * mask's values (4 words each), so halving the leaf saves more than the
 * one sibling a query it adds (784-128-10 at r16: section 29 35 -> 28 KiB;
 * arity 2: 30 KiB). Depends on p's set and lc (C's variables) only.
 */
#define ZKR_INFER2_C_LOG_BLOWUP 6u
#define ZKR_INFER2_C_FOLD_ARITY 3u
#define ZKR_INFER2_C_MARGIN_BITS 6.0
void zkr_infer2_c_params(const zkr_params *p, unsigned lc, zkr_params *pc);
/* C's opening's error at pc (lc variables, blinded for one opening at pc). */
double zkr_infer2_c_err(const zkr_params *pc, unsigned lc);

/*
 * Version 6's mixed opening of every reduction polynomial (W'_l, V, the
 * hidden output, h, phi, m, the record, in index order): its whole error
 * (commit phase, batching, joins, queries), the better of UD and JBR
 * (zkr_hpcs_mixed_fig), the worst over the record's sizes rec_lo..rec_hi
 * that the schedule takes.
 */
double zkr_infer2_mixed_err(const zkr_params *p, const zkr_infer2_red *red_without_record,
                            unsigned rec_lo, unsigned rec_hi);
/*
 * The batched openings of the reduction, by total variables descending, at
 * most ZKR_HPCS_MAX_BATCH members each: group g has n_members[g] polynomial
 * indices members[g][..], all of tv T_g.
 */
typedef struct {
    unsigned n_groups;
    unsigned n_members[ZKR_INFER2_RED_MAX_POLYS];
    unsigned members[ZKR_INFER2_RED_MAX_POLYS][ZKR_HPCS_MAX_BATCH];
} zkr_infer2_groups;
void zkr_infer2_groups_of(const zkr_infer2_red *red, zkr_infer2_groups *g);

/*
 * The parameters of the openings (version 6: the mixed one, the record's
 * included, and C's): params with the query count q' searched from
 * zkr_ldr_q_start until zkr_infer2_soundness (same rec_total: the record
 * commitment's n + e, 0 for the worst) reaches the target. Returns ZKR_OK,
 * or ZKR_ERR_MISMATCH_PARAMS when no count up to twice p's reaches it (out
 * then holds the cap): no proof of that shape is made or accepted, since
 * its provable bits would fall short of the set's target.
 */
zkr_err zkr_infer2_params(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                          uint32_t input_dim, const uint32_t *out_dims, int public_output,
                          unsigned rec_total, zkr_params *out) ZKR_WUR;
/*
 * Version 10: C's opening's parameters for the same shape
 * (zkr_infer2_c_params over C's variables, as zkr_infer2_soundness counts
 * them; for reports). ZKR_ERR_MISMATCH_PARAMS for a shape with no figure.
 */
zkr_err zkr_infer2_c_opening(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                             uint32_t input_dim, const uint32_t *out_dims, int public_output,
                             unsigned rec_total, zkr_params *pc) ZKR_WUR;

#endif
