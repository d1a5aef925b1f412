/*
 * Shared pieces of the zero-knowledge leakage tests (zk-leakage,
 * zk-leakage-infer2, zk-leakage-train2; docs/proof-system.md, "Leakage
 * test"): the structural extraction of the field elements a proof
 * reveals, the per-position sample statistics and the chi-square tests.
 * Each test keeps its own proof layout, sample sets and verdicts.
 */
#ifndef ZKR_TESTS_ZK_LEAKAGE_H
#define ZKR_TESTS_ZK_LEAKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "zk/zk.h"

/* ---------------- statistics ---------------- */

/* Chi-square critical value at upper-tail alpha for df degrees (Wilson-Hilferty). */
double leak_chi2_crit(double df, double alpha);

/* Goodness of fit of the bins-bin histogram h (n values in all) against uniform. */
double leak_chi2_uniform(const unsigned *h, unsigned bins, double n);

/*
 * Two-sample (homogeneity) statistic of histograms a and b over sample
 * sizes na and nb; *df gets its degrees of freedom (bins used - 1, >= 1).
 */
double leak_chi2_two(const unsigned *a, const unsigned *b, unsigned bins, double na, double nb,
                     double *df);

/*
 * One position's n samples col[0..n): sorted into scratch (n entries), the
 * number of distinct values returned; h[x >> shift] and pool[x >> 56] are
 * counted for every sample x (h has 1 << (64 - shift) bins, pool 256).
 */
int leak_position(const uint64_t *col, int n, unsigned shift, uint64_t *scratch, unsigned *h,
                  unsigned *pool);

/*
 * Per-position two-sample tests of the top bytes of two sample sets
 * (position k's samples at a[k * stride], na of them, and likewise b) at
 * family significance 0.001 (Bonferroni), and the pooled one at 0.001.
 * Prints a line naming `what`; 1 when none tells them apart.
 */
int leak_indistinguishable(const uint64_t *a, int na, const uint64_t *b, int nb, size_t n_pos,
                           size_t stride, const char *what);

/* ---------------- extraction ---------------- */

/* The revealed field elements of one proof, in position order (cap of them at most). */
typedef struct {
    uint64_t *out;
    size_t n, cap;
} leak_vec;

/* Appends x; 0 when the vector is full. */
int leak_put(leak_vec *v, uint64_t x);

/* Decodes n extension elements and appends their base-field coordinates; 0 on failure. */
int leak_put_exts(leak_vec *v, zkr_dec *d, size_t n);

/* One tree's opening of `words`-word leaves: the first j leaves' words; the rest skipped. */
int leak_put_tree(leak_vec *v, zkr_dec *d, size_t words, uint32_t j);

/*
 * A (batched, k members) hiding opening of a total-variable commitment:
 * the folding messages (round i's h(0) skipped where bit i of `ones` is
 * set: a public 1 coordinate makes it 0 for every G), the final
 * polynomial, then the first j leaves of the k F trees (f_ext[i]:
 * extension-valued) and of every Z tree. Roots, the nonce and salts skipped.
 */
int leak_put_hpcs(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned total, size_t k,
                  const int *f_ext, uint32_t j, uint64_t ones);
/*
 * The same for a base F committed with its mask in one tree (inference@2
 * version 11's C): layer 0's one tree, F's words then Z's in each leaf.
 */
int leak_put_hpcs_masked(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned total,
                         uint32_t j);

/*
 * A mixed-size batched hiding opening (component 3c) of k members of
 * totals[i] variables (f_ext[i]: extension-valued): the mask's value b, the
 * folding messages, the final polynomial, then per layer the first j
 * leaves of its trees (layer 0: the full-size members' and Z's, one value a
 * leaf) and of the trees of the members joining there. Z's root, the layers' roots, the
 * nonce and salts skipped. nested: Z nests under a member's leaves
 * (inference@2 version 13, zkr_infer2_nest_h), so no Z root is sent and
 * Z's opening climbs only to its subtree roots; its opened leaves are read
 * as any other's. 0 on failure or sizes the schedule refuses.
 */
int leak_put_hmixed(leak_vec *v, zkr_dec *d, const zkr_params *p, const unsigned *totals,
                    const int *f_ext, size_t k, uint32_t fit, uint32_t stack, int nested,
                    uint32_t j);

/*
 * A range proof section (the batched layout since matmul@2 version 3) over
 * an n-variable committed vector with e blinding variables: gamma, the
 * degree-7 messages, the five revealed values, the mask's value b and the
 * batched opening of a, h, phi, m (j_batch leaves a tree), the linear
 * sumcheck's sigma, messages and final value and C's opening (j_c leaves a
 * tree). Roots skipped; the decoder is left after the section.
 */
int leak_put_range(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned n, unsigned e,
                   uint32_t j_batch, uint32_t j_c);

/*
 * A range proof section carrying a linear claim with a hidden term
 * (zkr_prover_zkrange_link): as leak_put_range, plus the hidden term's
 * value after the five values and its own opening (k = 1, b_total
 * variables, base-valued, j_batch leaves a tree) after the batch.
 */
int leak_put_range_link(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned n, unsigned e,
                        unsigned b_total, uint32_t j_batch, uint32_t j_c);

/* Is the n-byte pattern pat anywhere in the proof? */
int leak_find(const zkr_buf *pf, const uint8_t *pat, size_t n);

/* ---------------- one sample set against uniform ---------------- */

/* What leak_uniform_top_byte found. */
typedef struct {
    size_t n_pos;        /* positions tested */
    size_t few_distinct; /* positions with fewer than `need` distinct values */
    size_t chi_fail;     /* positions whose top byte fails the chi-square */
    int pooled_fail;     /* the pooled top bytes fail */
} leak_uniform_verdict;

/*
 * Per-position checks of one sample set (position k's n samples at
 * v[k * stride]): at least `need` distinct values, and the top byte
 * against uniform by chi-square at family significance 0.001
 * (Bonferroni over n_pos); the pooled top bytes at 0.001. Prints a line
 * naming `what`; 1 when no check fails.
 */
int leak_uniform_top_byte(const uint64_t *v, int n, size_t n_pos, size_t stride, int need,
                          const char *what, leak_uniform_verdict *vd);

/* ---------------- conditioned on the transcript ---------------- */

/*
 * The multilinear extension of the 2^n byte table v at pt (n coordinates):
 * coordinates exactly 0 or 1 select, the others are summed with their eq
 * weights (a column point of a witness has few free coordinates).
 * 0 on NOMEM or more than 24 free coordinates.
 */
int leak_mle_bytes(const uint8_t *v, unsigned n, const zkr_ext *pt, zkr_ext *out);

/*
 * A distinguisher that knows both candidate secrets: for each proof, each
 * revealed value is compared with what each candidate's witness gives at
 * the points the verifier derived from that proof's transcript (pred[0],
 * pred[1]: the values an unmasked prover would reveal). Values both
 * candidates predict alike are not counted (they carry nothing about
 * which secret it is).
 */
typedef struct {
    size_t proofs;      /* proofs tallied */
    size_t informative; /* revealed values the two candidates predict differently */
    size_t match_true;  /* ... equal to the true secret's prediction */
    size_t match_other; /* ... equal to the other secret's prediction */
    size_t told;        /* proofs in which the true secret matches more values than the other */
} leak_cond_tally;

/* Tallies one proof's n revealed values against pred0 and pred1; truth: 0 or 1. */
void leak_cond_add(leak_cond_tally *t, const zkr_ext *revealed, const zkr_ext *pred0,
                   const zkr_ext *pred1, size_t n, int truth);

/*
 * Prints a line naming `what`; 1 when no revealed value equals either
 * candidate's prediction (by chance each equality has probability
 * about 2^-192) and at least one value per proof is informative.
 */
int leak_cond_blind(const leak_cond_tally *t, const char *what);

#endif
