/* zk internals shared by the zk sources and prover/ (which writes the same bytes). */
#ifndef ZKR_ZK_INT_H
#define ZKR_ZK_INT_H

#include "zk/zk.h"

#define ZKR_PCS_MAX_COMMS 64u
#define ZKR_PCS_MAX_CLAIMS 4096u

/*
 * log2 |F_p^3|, the challenge field every soundness figure divides by.
 * One definition: the list-decoding figures are bound by it (their |D|^2 /
 * |F| batch term), so a larger challenge field changes it here only.
 */
#define ZKR_LOG2_EXT_FIELD (3.0 * 63.99999999966)
/* log2 |F_p^6|: a mixed opening's challenge field where p->mixed_ext6 (zk/ext6.c). */
#define ZKR_LOG2_EXT6_FIELD (6.0 * 63.99999999966)
/* The challenge field a hiding opening at p is counted over: F_p^6 for p->mixed_ext6. */
static inline double zkr_params_log2_field(const zkr_params *p)
{
    return p->mixed_ext6 ? ZKR_LOG2_EXT6_FIELD : ZKR_LOG2_EXT_FIELD;
}

/*
 * ZKR_NO_AVX512 (docs/proof-system.md, "Turning the AVX-512 paths off"): 1
 * where the process environment has it set to a non-empty value other than
 * "0", so that zkr_b2x8_ok, zkr_ext8_ok and a new NTT context choose the
 * scalar code. Read from the environment at each call (no cached global):
 * tests set it to prove a whole statement through the scalar paths on a CPU
 * that has AVX-512 and compare the bytes. The confined workers start with
 * an empty environment, so it never reaches them.
 */
int zkr_simd_env_off(void);

/*
 * Eight-lane BLAKE2b (zk/b2x8.c): zkr_b2x8_ok says which path this CPU
 * runs, ZKR_B2X8_AVX512 (AVX-512F: eight lanes a compression),
 * ZKR_B2X8_AVX2 (AVX2 without AVX-512F: four lanes, twice) or 0 (neither,
 * or ZKR_NO_AVX512 set: callers use libsodium and must not call these).
 * Callers ask once a job (one path for all of it) and pass that value
 * as path, never a boolean made of it. zkr_b2x8 writes out[l] = BLAKE2b-256
 * of msg[l][0..len) with no key, a zero salt and the 16-byte
 * personalization pers, the digest crypto_generichash_blake2b_salt_personal
 * gives, on either path.
 */
#define ZKR_B2X8_AVX2 1
#define ZKR_B2X8_AVX512 2
int zkr_b2x8_ok(void);
void zkr_b2x8(int path, const uint8_t pers[16], const uint8_t *const msg[8], size_t len,
              uint8_t out[8][ZKR_DIGEST_BYTES]);
/*
 * Proof-of-work scan on path (zkr_b2x8_ok's non-zero value): the first
 * nonce n in [lo, lo + 8 groups) whose digest BLAKE2b-256(pers;
 * prefix || le64(n)) has le64(digest[0..8)) & zero_mask == 0, or
 * UINT64_MAX. The same digests as zkr_b2x8 of those messages.
 */
uint64_t zkr_b2x8_pow(int path, const uint8_t pers[16], const uint8_t prefix[ZKR_DIGEST_BYTES],
                      uint64_t lo, uint64_t groups, uint64_t zero_mask);

/*
 * Merkle leaf hashes of n serialized leaves lying back to back, leaf_bytes
 * each (salt || words as le64: the message zkr_mtree_leaf_hash hashes, as a
 * proof carries it): out[j] is zkr_mtree_leaf_hash's digest of leaf j,
 * eight at a time where x8 (the caller's zkr_b2x8_ok: a verifier asks once
 * per opening, not per tree, so one opening takes one path).
 * zkr_mtree_verify_x8 is zkr_mtree_verify with that choice passed in
 * (each level's node hashes eight at a time where x8). For verifiers.
 */
void zkr_mtree_leaf_hashes(const uint8_t *leaves, size_t leaf_bytes, size_t n, int x8,
                           uint8_t (*out)[ZKR_DIGEST_BYTES]);
zkr_err zkr_mtree_verify_x8(const uint8_t root[ZKR_DIGEST_BYTES], unsigned depth,
                            const uint64_t *idx, const uint8_t (*leaf_hash)[ZKR_DIGEST_BYTES],
                            size_t n, const uint8_t *sib, size_t n_sib, int x8) ZKR_WUR;
/*
 * The verifier's side of zkr_mtree_open_to: climbs the sorted unique
 * leaves idx (< 2^depth, leaf_hash their digests) `height` levels with
 * exactly the n_sib digests of sib, and returns the *n_nodes sorted unique
 * nodes reached (node_idx, node: room for n each). ZKR_ERR_VERIFY (idx not
 * sorted unique below 2^depth, height over depth, a digest short or left
 * over), ZKR_ERR_NOMEM.
 */
zkr_err zkr_mtree_climb_x8(unsigned depth, unsigned height, const uint64_t *idx,
                           const uint8_t (*leaf_hash)[ZKR_DIGEST_BYTES], size_t n,
                           const uint8_t *sib, size_t n_sib, int x8, uint64_t *node_idx,
                           uint8_t (*node)[ZKR_DIGEST_BYTES], size_t *n_nodes) ZKR_WUR;

/*
 * Vector extension kernels (zk/ext8.c), eight elements a step with
 * AVX-512F, else four with AVX2 (zk/ext4.c), for a prefix of [lo, hi):
 * each returns the first index it left to the caller's scalar loop (lo
 * itself where the range is short); a range whose length is a multiple of
 * 8 is covered whole. They run vector instructions without checking the
 * CPU, so a caller asks zkr_ext8_ok once and calls them
 * only where it is 1; elsewhere they die of SIGILL. zkr_ext8_ok: AVX-512F
 * or AVX2 on this CPU and OS, and ZKR_NO_AVX512 not set.
 * The values are the scalar loop's. zkr_ext8_fold: out[i] = in[2i] +
 * r (in[2i+1] - in[2i]) (in place when out == in, in index order);
 * zkr_ext8_fold_coef: out[i] = in[2i] + r in[2i+1] (Basefold's coefficient
 * fold; in place too, as zkr_ext8_fold); zkr_ext8_eq_level: t[i + len] = t[i] z, t[i] -= t[i + len] (an eq
 * table's doubling; len >= 8, else nothing).
 */
int zkr_ext8_ok(void);
/* The elements a kernel takes a step here: 8 (AVX-512F), 4 (AVX2), 0 (none: zkr_ext8_ok 0). */
unsigned zkr_ext8_lanes(void);
size_t zkr_ext8_fold(const zkr_ext *in, zkr_ext *out, size_t lo, size_t hi, zkr_ext r);
size_t zkr_ext8_fold_coef(const zkr_ext *in, zkr_ext *out, size_t lo, size_t hi, zkr_ext r);
size_t zkr_ext8_eq_level(zkr_ext *t, size_t len, size_t lo, size_t hi, zkr_ext z);
/*
 * zkr_ext8_gkr_sums: a GKR layer's q[0] += sum s[i] G(0), q[1] += sum s[i]
 * G(2) over pairs i (prover/logup.c; pl, pr NULL: numerators 1).
 * zkr_ext8_dot: h[0] += sum w[2i] f[2i], h[1] += sum w2 f2 (the values at
 * 2 of each pair's line), f from fe (extension) or fb (base, fe NULL).
 * Both add to what q / h hold.
 */
size_t zkr_ext8_gkr_sums(const zkr_ext *s, const zkr_ext *pl, const zkr_ext *pr,
                         const zkr_ext *ql, const zkr_ext *qr, zkr_ext lambda, size_t lo,
                         size_t hi, zkr_ext q[2]);
size_t zkr_ext8_dot(const zkr_ext *w, const zkr_ext *fe, const zkr_gl *fb, size_t lo, size_t hi,
                    zkr_ext h[2]);
/*
 * zkr_ext8_sdot: q[0] += sum s[i] g[2i], q[1] += sum s[i] g[2i+1], g from
 * ge (extension) or gb (base, ge NULL). zkr_ext8_frac: a fraction tree's
 * layer p[i] = pl[i] qr[i] + pr[i] ql[i], q[i] = ql[i] qr[i].
 */
size_t zkr_ext8_sdot(const zkr_ext *s, const zkr_ext *ge, const zkr_gl *gb, size_t lo, size_t hi,
                     zkr_ext q[2]);
size_t zkr_ext8_frac(const zkr_ext *pl, const zkr_ext *pr, const zkr_ext *ql, const zkr_ext *qr,
                     zkr_ext *p, zkr_ext *q, size_t lo, size_t hi);
/*
 * zkr_ext8_pairs3: over pairs i, s[0] += sum e[2i] p[2i], s[1] += sum
 * e[2i+1] p[2i+1], s[2] += sum (e[2i+1] - e[2i]) (p[2i+1] - p[2i]) (a
 * degree-2 sumcheck round of e p: its values at 0 and 1 and its x^2
 * coefficient), p from pe (extension) or pb (base, pe NULL). Adds to what
 * s holds. zkr_ext8_fold_base: out[i] = b[2i] + r (b[2i+1] - b[2i]) (a
 * base table's first fold).
 */
size_t zkr_ext8_pairs3(const zkr_ext *e, const zkr_ext *pe, const zkr_gl *pb, size_t lo,
                       size_t hi, zkr_ext s[3]);
size_t zkr_ext8_fold_base(const zkr_gl *b, zkr_ext *out, size_t lo, size_t hi, zkr_ext r);
/* zkr_ext8_xdot: *s += sum x[i] y[i], y from ye (extension) or yb (base, ye NULL). */
size_t zkr_ext8_xdot(const zkr_ext *x, const zkr_ext *ye, const zkr_gl *yb, size_t lo, size_t hi,
                     zkr_ext *s);
/*
 * zkr_ext8_axpy: out[i] = (add ? out[i] : 0) + k x[i], x from xe
 * (extension) or xb (base, xe NULL).
 */
size_t zkr_ext8_axpy(zkr_ext *out, const zkr_ext *xe, const zkr_gl *xb, size_t lo, size_t hi,
                     zkr_ext k, int add);

/*
 * The hiding range proof's main round terms (prover/zk_range.c), summed
 * over pairs i of [lo, hi) at c = 0, 2..cm (entry 1 and those past cm left
 * alone; cm is 7, or 4 in a cubic round, whose 5..7 the caller
 * interpolates): the public
 * tables' pair values are linear in c (E0 e, SN s, EM m), the hidden
 * tables' (a, h) cubic in a coupled round (the pair at (c, c (1 - c)), its
 * second row ustride entries on) and linear otherwise; x the challenge:
 *   se0[c] += sum e(c) (h(c) (x - a(c)) - 1), slam[c] += sum s(c) h(c),
 *   snu[c] += sum m(c) a(c) (m NULL: snu untouched).
 * Exact field sums: the values of the scalar loop (zkr_zr_pair_terms).
 */
typedef struct {
    const zkr_ext *e, *s, *m, *a, *h;
    size_t ustride;
    int coupled;
    zkr_ext x;
    unsigned cm; /* 7 or 4 */
} zkr_ext8_zr_in;
size_t zkr_ext8_zr_terms(const zkr_ext8_zr_in *in, size_t lo, size_t hi, zkr_ext se0[8],
                         zkr_ext slam[8], zkr_ext snu[8]);
/*
 * The range proof's coupled fold (zkr_zr_fold_pair): out[i] = d0 + k0 d1 +
 * k1 d2 + k2 d3 over pairs [lo, hi), d0 = F00, d1 = F10 - F00, d2 = F01 -
 * F00, d3 = F11 - F10 - F01 + F00, F_x0 = t0[2i + x], F_x1 = t1[2i + x];
 * in place (out at or below t0) in index order.
 */
size_t zkr_ext8_fold_pair(const zkr_ext *t0, const zkr_ext *t1, zkr_ext *out, size_t lo, size_t hi,
                          const zkr_ext k[3]);

/*
 * AVX2 twins (zk/ext4.c): the zkr_ext8_* entry points' kernels where
 * AVX-512F is absent, four elements a step, the same contracts (fold:
 * coef 1 the coefficient fold; eq_level needs len >= 4). Called only
 * through zk/ext8.c.
 */
size_t zkr_ext4_zr_terms(const zkr_ext8_zr_in *in, size_t lo, size_t hi, zkr_ext se0[8],
                         zkr_ext slam[8], zkr_ext snu[8]);
size_t zkr_ext4_fold_pair(const zkr_ext *t0, const zkr_ext *t1, zkr_ext *out, size_t lo, size_t hi,
                          const zkr_ext k[3]);
size_t zkr_ext4_fold(const zkr_ext *in, zkr_ext *out, size_t lo, size_t hi, zkr_ext r, int coef);
size_t zkr_ext4_eq_level(zkr_ext *t, size_t len, size_t lo, size_t hi, zkr_ext z);
size_t zkr_ext4_gkr_sums(const zkr_ext *s, const zkr_ext *pl, const zkr_ext *pr,
                         const zkr_ext *ql, const zkr_ext *qr, zkr_ext lambda, size_t lo,
                         size_t hi, zkr_ext q[2]);
size_t zkr_ext4_dot(const zkr_ext *w, const zkr_ext *fe, const zkr_gl *fb, size_t lo, size_t hi,
                    zkr_ext h[2]);
size_t zkr_ext4_sdot(const zkr_ext *s, const zkr_ext *ge, const zkr_gl *gb, size_t lo, size_t hi,
                     zkr_ext q[2]);
size_t zkr_ext4_frac(const zkr_ext *pl, const zkr_ext *pr, const zkr_ext *ql, const zkr_ext *qr,
                     zkr_ext *p, zkr_ext *q, size_t lo, size_t hi);
size_t zkr_ext4_pairs3(const zkr_ext *e, const zkr_ext *pe, const zkr_gl *pb, size_t lo,
                       size_t hi, zkr_ext s[3]);
size_t zkr_ext4_xdot(const zkr_ext *x, const zkr_ext *ye, const zkr_gl *yb, size_t lo, size_t hi,
                     zkr_ext *s);
size_t zkr_ext4_fold_base(const zkr_gl *b, zkr_ext *out, size_t lo, size_t hi, zkr_ext r);
size_t zkr_ext4_axpy(zkr_ext *out, const zkr_ext *xe, const zkr_gl *xb, size_t lo, size_t hi,
                     zkr_ext k, int add);

/*
 * The first nonce in [lo, hi) that passes zkr_ts_pow_ok(t, bits, .), or
 * UINT64_MAX (eight at a time where zkr_b2x8_ok).
 */
uint64_t zkr_ts_pow_first(const zkr_transcript *t, unsigned bits, uint64_t lo, uint64_t hi);

/* One tree's opened leaves and siblings at one layer (pointers into the proof). */
typedef struct {
    uint32_t n_open, n_sib;
    const uint8_t *leaves; /* n_open * (salt + words * 8) */
    const uint8_t *sib;    /* n_sib * 32 */
} zkr_pcs_open;

struct zkr_pcs_proof {
    zkr_pcs_layout l;
    size_t n_comms, n_claims;
    int batched;
    zkr_ext *batch_msgs;  /* n_vars * 2 */
    zkr_ext *batch_evals; /* n_comms */
    zkr_ext *msgs;        /* folds_total * 2 */
    uint8_t roots[32][ZKR_DIGEST_BYTES]; /* layers 1.. */
    zkr_ext *final;       /* 2^final_vars monomial coefficients */
    uint64_t nonce;
    zkr_pcs_open *open;   /* layer 0: n_comms entries; then one per layer */
    /* Mixed-size openings: each commitment's size; joined ones' layer-0
     * entries hold their own tree's opening. */
    int mixed;
    unsigned comm_vars[ZKR_PCS_MAX_COMMS];
};

/* Words per leaf of layer l (base words at layer 0, ext words after). */
static inline size_t zkr_pcs_leaf_words(const zkr_pcs_layout *l, unsigned layer)
{
    return ((size_t)1 << l->folds[layer]) * (layer == 0 ? 1 : 3);
}
/* Whether an opening with these counts batches (first reduces to one point). */
static inline int zkr_pcs_is_batched(size_t n_comms, size_t n_claims)
{
    return n_comms != 1 || n_claims != 1;
}

/*
 * Whether a poly of nk variables can join a mixed-size opening whose
 * largest poly has n: equal size, or one that joins the fold before the
 * final polynomial with leaves at least as wide as any layer's (so the
 * values a query needs at its join round lie in one of its leaves).
 */
static inline int zkr_pcs_mixed_ok(const zkr_params *p, unsigned n, unsigned nk)
{
    zkr_pcs_layout top, l;

    if (nk == n)
        return n <= p->max_vars;
    if (nk > n || nk < p->final_vars + p->fold_arity)
        return 0;
    zkr_pcs_layout_of(p, n, &top);
    zkr_pcs_layout_of(p, nk, &l);
    return n - nk < top.folds_total && l.folds[0] == p->fold_arity;
}

/* One block of a witness polynomial: its log size and where its offset is recorded. */
typedef struct {
    unsigned log;
    uint64_t *off;
} zkr_blk;
/*
 * Places n blocks by decreasing size (stable), each aligned to its size,
 * writing each offset; returns log2 of the total (rounded up). zk/train.c.
 */
unsigned zkr_blocks_place(zkr_blk *b, size_t n);

/* The range proof's challenges before its batched sumcheck (zk/zk_range.c). */
typedef struct {
    zkr_ext x, lam, mu, nu, rho;
    zkr_ext r0[64], r2[ZKR_ZKRANGE_TABLE_VARS];
} zkr_zr_chal;
/*
 * The batched polynomial f at the sumcheck's point r from the revealed
 * values vals[0..3] (a, h, phi, m) and em = the linear claim's weights'
 * extension at r (zero-extended: times the n-region selector; ignored
 * without lin): E0 (h (X - a) - 1) + lambda (S_n h - S_8 phi)
 * + mu E2 (phi (X - t) - m) + nu EM a.
 */
/* Entry j of the table: vals[j] when vals (an explicit table), else zkr_zkrange_value. */
static inline int64_t zkr_zkrange_tval(const zkr_zkrange_table *tab, const int64_t *vals,
                                       uint32_t j)
{
    return vals ? vals[j] : zkr_zkrange_value(tab, j);
}
/* The transcript's table binding: off and count, or (explicit) the 256 values. */
void zkr_zkrange_absorb_table(zkr_transcript *t, const zkr_zkrange_table *tab,
                              const int64_t *vals);
zkr_err zkr_zkrange_final(const zkr_zkrange_table *tab, const int64_t *tvals, unsigned n,
                          const zkr_zr_chal *c,
                          int lin, const zkr_ext *r, const zkr_ext *vals, zkr_ext em,
                          zkr_ext *out);

/*
 * Libra mask polynomial g(x) = a0 + sum_i g_i(x_i), g_i(x) = sum_{d=1..deg} c_id x^d, its
 * coefficients laid out as gco[0] = a0, gco[1 + deg*i + d-1] = c_id (zk/zk_range.c). One copy
 * for every relation that masks its sumcheck this way; each passes its own per-round degree.
 */
zkr_ext zkr_mask_gi(const zkr_ext *gco, unsigned deg, unsigned i, zkr_ext x);
/* sum of g over {0,1}^n (a0 when n = 0). */
zkr_ext zkr_mask_gsum(const zkr_ext *gco, unsigned deg, unsigned n);
/* g at r[0..n). */
zkr_ext zkr_mask_gat(const zkr_ext *gco, unsigned deg, unsigned n, const zkr_ext *r);
/*
 * The weights lambda with <lambda, C> = g(r) for C holding the three base components of each
 * coefficient (stride 1 + deg*n each, zero-padded to 2^log2_ceil(3 * stride) entries, all of
 * which out must hold).
 */
void zkr_mask_lambda(const zkr_ext *r, unsigned n, unsigned deg, zkr_ext *out);

/*
 * A point's subcube (zk/mle.c): of pt's n (<= 64) coordinates, those exactly 0 or 1 fix
 * their bit in *base; the others are copied to zf and their positions to fr (n entries each
 * at most). Returns their count nf: eq(pt, .) is nonzero only on the 2^nf indices
 * zkr_mle_subcube_index(base, fr, nf, a), where it equals eq(zf, a).
 */
unsigned zkr_mle_split_point(const zkr_ext *pt, unsigned n, zkr_ext *zf, unsigned *fr,
                             uint64_t *base);

/*
 * The free bits' mask (bit fr[q] for q < nf). With fr increasing (as
 * zkr_mle_split_point gives it), the subcube's entries a = 0, 1, .. sit at
 * base | s_a, s_0 = 0 and s_(a+1) = zkr_mle_subcube_next(s_a, mask): the
 * same indices as zkr_mle_subcube_index, one step each.
 */
static inline uint64_t zkr_mle_subcube_mask(const unsigned *fr, unsigned nf)
{
    uint64_t m = 0;

    for (unsigned q = 0; q < nf; q++)
        m |= (uint64_t)1 << fr[q];
    return m;
}

static inline uint64_t zkr_mle_subcube_next(uint64_t s, uint64_t mask)
{
    return ((s | ~mask) + 1) & mask;
}

/* The hypercube index of subcube entry a: base with bit q of a placed at bit fr[q]. */
static inline uint64_t zkr_mle_subcube_index(uint64_t base, const unsigned *fr, unsigned nf,
                                             size_t a)
{
    for (unsigned q = 0; q < nf; q++)
        base |= (uint64_t)((a >> q) & 1) << fr[q];
    return base;
}

/* 1 when this CPU and OS run AVX-512F code and ZKR_NO_AVX512 is not set (zk/cpu.c: libgcc's
 * CPU model, read from memory, and the environment; no CPUID, which a hypervisor traps). */
int zkr_cpu_avx512f(void);
/* The same for AVX2 (the OS saving the YMM state); ZKR_NO_AVX512 turns it off too. */
int zkr_cpu_avx2(void);

/*
 * Mixed-size batched hiding opening (zk/hiding_mixed.c, prover/hiding_pcs.c;
 * docs/proof-system.md, "3c. Mixed-size batched hiding opening").
 * zkr_hpcs_mixed_plan_of lays out members of sizes totals[0..k-1] (n + e
 * each): total = the largest, l = zkr_hpcs_layout_of(total); member i
 * joins the fold at round d[i] = total - totals[i] (0: a full-size member,
 * combined by a beta at round 0), inside layer layer[i] at step step[i]
 * (d[i] = that layer's first round + step[i]), its own layer-0 leaves of
 * 2^arity[i] values (zkr_pcs_layout_of(totals[i]).folds[0]). A join must
 * come before the final polynomial (d < folds_total) and its leaves must
 * hold every value one query needs there (folds[layer] - step <= arity).
 * ZKR_ERR_USAGE otherwise, or k outside 1..ZKR_HPCS_MAX_MIXED.
 */
typedef struct {
    unsigned total;
    size_t n_full;
    zkr_pcs_layout l;
    unsigned d[ZKR_HPCS_MAX_MIXED], layer[ZKR_HPCS_MAX_MIXED], step[ZKR_HPCS_MAX_MIXED];
    unsigned arity[ZKR_HPCS_MAX_MIXED];
} zkr_hpcs_mixed_plan;
zkr_err zkr_hpcs_mixed_plan_of(const zkr_params *p, const unsigned *totals, size_t k,
                               zkr_hpcs_mixed_plan *out) ZKR_WUR;
/*
 * Fitted leaves (inference@2 version 8): member i with bit i of fit set was
 * committed with leaves of exactly the 2^(folds[layer] - step) values its
 * join reads (zkr_hpcs_mixed_fit_arity), so pl->arity[i] becomes that. A
 * full-size member's fitted arity is folds[0], its layer-0 leaf (the plan
 * holds its layout: nothing else is needed). ZKR_OK, or ZKR_ERR_USAGE when
 * fit names a member past k, or the layout has no fold (no leaf to fit).
 */
zkr_err zkr_hpcs_mixed_plan_fit(uint32_t fit, size_t k, zkr_hpcs_mixed_plan *pl) ZKR_WUR;
/*
 * The mixed opening's transcript up to its challenges (prover and
 * verifier): k, each member's root, n, e and kind, the point (total
 * coordinates), the values, the mask's root and b.
 */
void zkr_hpcs_mixed_absorb(zkr_transcript *t, size_t k, const uint8_t (*roots)[ZKR_DIGEST_BYTES],
                           const unsigned *n_vars, const unsigned *blind_vars,
                           const unsigned *ext, const zkr_ext *z, unsigned total,
                           const zkr_ext *values, const uint8_t mask_root[ZKR_DIGEST_BYTES],
                           zkr_ext b);
/* The same for an opening over F_p^6 (p->mixed_ext6): b absorbed as an F_p^6 value. */
void zkr_hpcs_mixed_absorb6(zkr_transcript *t, size_t k, const uint8_t (*roots)[ZKR_DIGEST_BYTES],
                            const unsigned *n_vars, const unsigned *blind_vars,
                            const unsigned *ext, const zkr_ext *z, unsigned total,
                            const zkr_ext *values, const uint8_t mask_root[ZKR_DIGEST_BYTES],
                            zkr_ext6 b);
/* Test builds' switches for zkr_hpcs_verify_mixed_off (the soundness tests' teeth). */
#define ZKR_HM_OFF_FINAL 1u  /* the folding sumcheck's final equation */
#define ZKR_HM_OFF_JOINMT 2u /* the joining members' Merkle checks */
#define ZKR_HM_OFF_ALPHA 4u  /* every alpha term (claim and queries) left out */
#define ZKR_HM_OFF_FACTOR 8u /* the round messages' factorisation check ([H24]) */
#define ZKR_HM_OFF_MASKMT 16u /* the mask Z's layer-0 Merkle check (its one-value leaves) */
/* the folded layers' derived value put back at the slot of a leaf's last query, not its first's
 * (the rule zkr_hpcs_mixed_cheat's ZKR_HPCS_DERIVE_LAST proves with) */
#define ZKR_HM_OFF_DERIVE 32u
zkr_err zkr_hpcs_verify_mixed_off(const zkr_params *p, zkr_transcript *t,
                                  const zkr_hpcs_commitment *f, size_t k, const zkr_ext *z,
                                  const zkr_ext *values, unsigned off, zkr_dec *d) ZKR_WUR;
/* The same with fitted and stacked members (zkr_hpcs_verify_mixed_fit's masks). */
zkr_err zkr_hpcs_verify_mixed_fit_off(const zkr_params *p, zkr_transcript *t,
                                      const zkr_hpcs_commitment *f, size_t k, uint32_t fit,
                                      uint32_t stack, const zkr_ext *z, const zkr_ext *values,
                                      unsigned off, zkr_dec *d) ZKR_WUR;
/*
 * The same with a nested mask (zkr_hpcs_verify_mixed_nest). With a nested
 * mask, ZKR_HM_OFF_MASKMT leaves out Z's climb and its carrier's Merkle
 * check (the carrier's leaves cannot be hashed without the roots).
 */
zkr_err zkr_hpcs_verify_mixed_nest_off(const zkr_params *p, zkr_transcript *t,
                                       const zkr_hpcs_commitment *f, size_t k, uint32_t fit,
                                       uint32_t stack, size_t nest, const zkr_ext *z,
                                       const zkr_ext *values, unsigned off, zkr_dec *d) ZKR_WUR;
/*
 * zkr_hpcs_verify_batch with test builds' switches off: ZKR_HM_OFF_FACTOR
 * and ZKR_HM_OFF_FINAL only (the batched opening's claim checks; the
 * soundness tests' teeth). zkr_hpcs_verify_batch is this with off = 0.
 */
zkr_err zkr_hpcs_verify_batch_off(const zkr_params *p, zkr_transcript *t,
                                  const zkr_hpcs_commitment *f, size_t k, const zkr_ext *zfull,
                                  const zkr_ext *values, unsigned off, zkr_dec *d) ZKR_WUR;
/* zk/hiding_pcs.c's query/path helpers, exported for zk/hiding_mixed.c (same contracts). */
zkr_err zkr_hpcs_x_parse_open(zkr_dec *d, const zkr_params *p, size_t words, unsigned depth,
                              zkr_pcs_open *o) ZKR_WUR;
zkr_err zkr_hpcs_x_check_tree(const uint8_t root[ZKR_DIGEST_BYTES], unsigned depth,
                              const uint64_t *idx, size_t n, const zkr_pcs_open *o,
                              size_t words, int x8) ZKR_WUR;
size_t zkr_hpcs_x_find(const uint64_t *u, size_t n, uint64_t leaf);
/*
 * A mixed opening's folded layer (inference@2 version 15, training-step@2
 * version 7): for each opened leaf u[j] (u the sorted unique set of
 * leaf[0..q-1]), first[j] = the first query s, in query order, with
 * leaf[s] = u[j] (last: the last such query, the test cheat's and the
 * teeth's rule). That query's value is the one the leaf leaves out: the
 * prover and the verifier both take the rule from here.
 */
void zkr_hpcs_x_derive_first(const uint64_t *leaf, unsigned q, const uint64_t *u, size_t nu,
                             int last, unsigned *first);
zkr_ext zkr_hpcs_x_elem(const zkr_pcs_open *o, size_t words, size_t pos, size_t u, int ext);
/*
 * One layer's fold constants (x^-1 per fold step, built once and shared by
 * every query of the layer): a fold of arity a on a codeword of length
 * 2^log_len; zkr_hpcs_x_fold_leaf_tab folds leaf L's 2^a values with them.
 */
typedef struct {
    zkr_gl pw[64];
    zkr_gl tw[ZKR_PCS_MAX_FOLD_ARITY][(size_t)1 << (ZKR_PCS_MAX_FOLD_ARITY - 1)];
    zkr_gl inv2;
    unsigned a, depth;
} zkr_hpcs_fold_tab;
void zkr_hpcs_x_fold_tab_init(zkr_hpcs_fold_tab *ft, unsigned a, unsigned log_len);
zkr_ext zkr_hpcs_x_fold_leaf_tab(zkr_ext *v, const zkr_hpcs_fold_tab *ft, uint64_t L,
                                 const zkr_ext *r);
/* The same fold over F_p^6 (a mixed opening at p->mixed_ext6): values and challenges there. */
zkr_ext6 zkr_hpcs_x_fold_leaf_tab6(zkr_ext6 *v, const zkr_hpcs_fold_tab *ft, uint64_t L,
                                   const zkr_ext6 *r);
/*
 * The final polynomial (2^final_vars extension coefficients) at
 * w^bitrev(pos[k]), w of order 2^log_len, for k < q: one low-degree
 * extension or Horner, whichever costs less (the same values).
 */
zkr_err zkr_hpcs_x_final_vals(const zkr_ext *final, unsigned final_vars, unsigned log_len,
                              const uint64_t *pos, unsigned q, zkr_ext *out) ZKR_WUR;

#endif
