/*
 * graph-inference@2's zero-knowledge residual ADD (docs/quantization.md 7.1;
 * docs/proof-system.md and docs/soundness.md, "graph-inference@2", "ADD").
 * Included by zk/ginfer2.h (it needs zkr_ginf2_rq and zkr_ginf2_cin); the
 * prover is prover/ginfer2_add.c, the verifier verifier/ginfer2_add.c.
 *
 * q = floor((X Ma + X2 Mb + 2^(s-1)) / 2^s), Y = clamp(q, lo, 127) on every
 * element of a c x h x w tensor, X and X2 hidden tensors of earlier nodes
 * read at their commitments' blocks (zkr_ginf2_cin: entry + in_off on real
 * positions; both may be one node), Ma, Mb (0..2^31-1) and s (1..48)
 * public. The byte witness V is a requantization's (zkr_ginf2_rq with M = 1,
 * slot 0 = y - lo, so every reader reads it as it reads a requantization's)
 * with two more slots, A = X + 128 and B = X2 + 128. Rows over V:
 *   rows 0..8: the requantization's, row 0's acc being Ma A + Mb B - 128 (Ma + Mb);
 *   L1: A - X(p) - 128 - in_off = 0 on real p (X's block: the hidden term);
 *   L2: B - X2(p) - 128 - in_off2 = 0 on real p.
 * Two hiding range proofs of V (bytes): the first carries rows 0..8 and L1
 * (eq(z, p), powers of lambda) with X as its hidden term, the second L2
 * (eq(z2, p)) with X2 as its hidden term.
 */
#ifndef ZKR_ZK_GINFER2_ADD_H
#define ZKR_ZK_GINFER2_ADD_H

#define ZKR_GINF2_ADD_ROWS (ZKR_GINF2_RQ_ROWS + 1u) /* rows 0..8 and L1 in the first proof */
#define ZKR_GINF2_ADD_V_OPENINGS 2u                /* V's own: the two range proofs */

typedef struct {
    zkr_ginf2_rq q;      /* rows 0..8 (M = 1, no acc term), lsl raised for the links */
    zkr_ginf2_cin in[2]; /* X, X2 as their commitments hold them (u_lo unused) */
    int64_t ma, mb;
    unsigned s_a, s_b;   /* V's slots of A = X + 128 and B = X2 + 128 */
} zkr_ginf2_add;

/*
 * ZKR_ERR_MALFORMED: a size or shift the requantization refuses, Ma or Mb
 * outside 0..2^31-1, an input's isl over 8, block past 2^isl or in_off
 * outside -128..0, V over ZKR_GINF2_RQ_MAX_SLOTS slots or ZKR_CNN_MAX_VARS.
 * V's slot variables are raised so each input's commitment (lp + isl) fits
 * the range proof's hidden term (at most max(V's, 8) variables).
 */
zkr_err zkr_ginf2_add_init(zkr_ginf2_add *a, uint32_t c, uint32_t h, uint32_t w, int64_t ma,
                           int64_t mb, uint32_t shift, int relu, const zkr_ginf2_cin *x1,
                           const zkr_ginf2_cin *x2) ZKR_WUR;
static inline unsigned zkr_ginf2_add_v_vars(const zkr_ginf2_add *a) { return a->q.lp + a->q.lsl; }
/* Input k's commitment's variables (lp + its isl). */
static inline unsigned zkr_ginf2_add_x_vars(const zkr_ginf2_add *a, unsigned k)
{
    return a->q.lp + a->in[k].isl;
}
/*
 * The honest witness V (2^v_vars base entries) from the inputs' tables
 * (2^x_vars each, field images; x1 == x2 allowed). ZKR_ERR_USAGE when a
 * real input value is off -128..127.
 */
zkr_err zkr_ginf2_add_witness(const zkr_ginf2_add *a, const zkr_gl *x1, const zkr_gl *x2,
                              zkr_gl *v) ZKR_WUR;
/* The output's real value at element p from V (slot 0 + lo). */
int64_t zkr_ginf2_add_out(const zkr_ginf2_add *a, const zkr_gl *v, size_t p);
/*
 * Range proof k's weight tables (k 0: rows 0..8 and L1 at z, lambda; k 1:
 * L2 at z, lambda unused), link 0 or 1 (0: the L row and its hidden term
 * dropped, test builds' ZKR_GINF2_OFF_LINK): wv on V (2^v_vars), wx on input
 * k (2^x_vars(k)). NOMEM.
 */
zkr_err zkr_ginf2_add_weights(const zkr_ginf2_add *a, unsigned k, const zkr_ext *z,
                              zkr_ext lambda, int link, zkr_ext *wv, zkr_ext *wx) ZKR_WUR;
/* Range proof k's linear claim. */
zkr_ext zkr_ginf2_add_claim(const zkr_ginf2_add *a, unsigned k, const zkr_ext *z, zkr_ext lambda,
                            int link);
/* The MLEs of wv (at r: v_vars values) and wx (at r: x_vars(k) values). */
zkr_ext zkr_ginf2_add_w_eval(const zkr_ginf2_add *a, unsigned k, const zkr_ext *z,
                             zkr_ext lambda, int link, const zkr_ext *r);
zkr_ext zkr_ginf2_add_x_eval(const zkr_ginf2_add *a, unsigned k, const zkr_ext *z,
                             zkr_ext lambda, int link, const zkr_ext *r);
/*
 * Soundness bits of the ADD relation (V, X, X2 committed with ve, x1e, x2e
 * blinding variables): z, z2, lambda, the two range proofs' algebra and
 * their openings (V's batch, C's, the hidden term's), at `extra` grinding;
 * the grinding for `share` relations on one transcript; _bits at share 1.
 */
double zkr_ginf2_add_soundness_at(const zkr_params *p, const zkr_ginf2_add *a, unsigned ve,
                                  unsigned x1e, unsigned x2e, unsigned extra);
unsigned zkr_ginf2_add_grind_bits(const zkr_params *p, const zkr_ginf2_add *a, unsigned ve,
                                  unsigned x1e, unsigned x2e, unsigned share);
double zkr_ginf2_add_soundness_bits(const zkr_params *p, const zkr_ginf2_add *a, unsigned ve,
                                    unsigned x1e, unsigned x2e);

#endif
