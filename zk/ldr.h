/*
 * List-decoding (Johnson bound) soundness of the hiding openings
 * (docs/soundness.md, "Hiding openings in the list-decoding regime").
 *
 * The bound is taken from the statements of Haböck, "Basefold in the List
 * Decoding Regime", ePrint 2024/1571 [H24], Theorem 1 (batch Basefold,
 * Protocol 2) and Theorem 4 (weighted correlated agreement for subcodes),
 * for a Reed-Solomon code of rate rho on |D| points over the challenge
 * field F (here F_p^3), proximity theta = 1 - sqrt(rho) (1 + 1/(2m)),
 * integer m >= 3:
 *
 *   eps(C, M, B) = (M / |F|) ((m + 1/2) / sqrt(rho))
 *                  * max((m + 1/2)^6 / (3 rho) |D|^2, 2 (B |D| + 1))
 *
 *   eps_open <= eps(C_0, M, 1) + sum_{i=1..n} (1/|F| + eps(C_i, 1, 2^i))
 *               + (1 - theta)^s 2^-pow_bits
 *
 * with M + 1 the words the opening combines (k committed polynomials and
 * the mask Z), n its folding rounds, s its queries. Each opening's figure
 * is the better of this bound and the unique-decoding one (both proven);
 * zkr_ldr_fig says which. The JBR bound needs the verifier's factorisation
 * check of every round message (zkr_hpcs_round_factored).
 */
#ifndef ZKR_ZK_LDR_H
#define ZKR_ZK_LDR_H

#include <stddef.h>

#include "zk/zk.h"

/* The smallest and largest Johnson multiplicity m the scan tries. */
#define ZKR_LDR_M_MIN 3u
#define ZKR_LDR_M_MAX 64u

typedef enum { ZKR_LDR_UD = 0, ZKR_LDR_JBR = 1 } zkr_ldr_regime;

/*
 * A member joining an opening at fold round `round` (1 <= round <= the
 * opening's folds): its codeword, on the round's domain D_round, enters the
 * folded word with a fresh uniform coefficient drawn after its root and
 * value are bound; `words` such members join there.
 */
typedef struct {
    unsigned round;
    unsigned words;
} zkr_ldr_join;

/* One opening's figure. Errors are probabilities (not bits). */
typedef struct {
    double err;             /* the better of ud_err and jbr_err */
    zkr_ldr_regime regime;  /* which bound err is */
    double ud_err;          /* UD: the caller's commit terms + ((1 + rho)/2)^s 2^-pow */
    double jbr_err;         /* the JBR bound at the best m (1 when none applies) */
    unsigned m;             /* that m (0: none) */
    double t_batch;         /* eps(C_0, M, 1) */
    double t_folds;         /* sum_i (1/|F| + eps(C_i, 1, 2^i)) */
    double t_joins;         /* sum over joins of words (1/|F| + eps(C_d, 1, 2^d)) */
    double t_query;         /* (1 - theta)^s 2^-pow_bits */
    double t_alg;           /* the folding sumcheck's and the value's scalars, as the UD figure */
} zkr_ldr_fig;

/* eps(C, M, B) above for |D| = 2^log_dom, rho = 2^-log_blowup, at m (>= 3). */
double zkr_ldr_eps(unsigned log_dom, unsigned log_blowup, double M, double B, unsigned m);

/* -log2(1 - theta) = -log2(sqrt(rho) (1 + 1/(2m))): one query's bits at m. */
double zkr_ldr_query_bits(unsigned log_blowup, unsigned m);

/*
 * The figure of one hiding opening of total_vars variables (the fold
 * schedule zkr_hpcs_layout_of(p, total_vars)), combining `words` (>= 1)
 * words at layer 0 (k committed polynomials + the mask: k + 1), at
 * p->queries queries and p->pow_bits grinding; joins (n_joins of them,
 * NULL when none) as above. ud_commit is the unique-decoding figure's
 * error without its query term (the caller's, e.g. zkr_infer2_open_err);
 * the query term ((1 + rho)/2)^s 2^-pow is added here. Scans m in
 * [ZKR_LDR_M_MIN, ZKR_LDR_M_MAX] for the smallest JBR error.
 */
void zkr_ldr_open(const zkr_params *p, unsigned total_vars, unsigned words,
                  const zkr_ldr_join *joins, size_t n_joins, double ud_commit, zkr_ldr_fig *out);

/*
 * zkr_ldr_open for the mixed opening (component 3c): its schedule
 * (zkr_hpcs_mixed_layout_of) and its challenge field, F_p^6 where
 * p->mixed_ext6 (zkr_params_log2_field). Every other opening is counted by
 * zkr_ldr_open, over F_p^3, whatever the flag.
 */
void zkr_ldr_open_mixed(const zkr_params *p, unsigned total_vars, unsigned words,
                        const zkr_ldr_join *joins, size_t n_joins, double ud_commit,
                        zkr_ldr_fig *out);

/* zkr_ldr_open's err, no joins. */
double zkr_ldr_open_err(const zkr_params *p, unsigned total_vars, unsigned words,
                        double ud_commit);

/*
 * A lower bound on the queries any opening of p needs to reach
 * p->target_bits in either regime: ceil((target - pow) / -log2 sqrt(rho))
 * (each query gives less than -log2 sqrt(rho) bits in both). The kinds'
 * query searches start here.
 */
unsigned zkr_ldr_q_floor(const zkr_params *p);
/*
 * The hiding range proof's two openings (zkr_zkrange_verify: the batch of
 * a, h, phi, m and the mask, n_vars + a_blind_vars variables; C's), each
 * its zkr_ldr_open_err, summed; the UD commit terms as
 * zkr_zkrange_alg_error's.
 */
double zkr_ldr_zkrange_err(const zkr_params *p, unsigned n_vars, unsigned a_blind_vars);

/*
 * zkr_params_soundness's figure for one hiding opening of n_vars variables
 * (any of them: up to ZKR_HPCS_MAX_BATCH words and the mask), its
 * provable_bits the better of that UD figure and the JBR bound (at most
 * ZKR_HPCS_MAX_BATCH + 1 words, plus the caller's extra_rounds of
 * max_degree). graph-inference@2's relations (version 4) count their
 * openings with it.
 */
zkr_soundness zkr_ldr_hsoundness(const zkr_params *p, unsigned n_vars, unsigned extra_rounds,
                                 unsigned max_degree);

/*
 * The mixed-size hiding opening's figure (zk/hiding_mixed.c, members of
 * totals[0..k-1] variables): zkr_ldr_open over the largest size, its
 * full-size members and the mask combined at layer 0 (n_full + 1 words),
 * one join of one word per smaller member at its round T - T_i, the UD
 * commit terms zkr_hpcs_mixed_error. err = ud_err = jbr_err = 1 when
 * zkr_hpcs_mixed_ok refuses the sizes.
 */
void zkr_hpcs_mixed_fig(const zkr_params *p, const unsigned *totals, size_t k, zkr_ldr_fig *out);

/* Where a kind's search for its q' starts: min(zkr_ldr_q_floor(p), p->queries). */
unsigned zkr_ldr_q_start(const zkr_params *p);

/*
 * The hiding openings' factorisation check (zk/hiding_pcs.c's fold phase):
 * nonzero when the round message msg = (q(0), q(2)) of a folding round
 * with running claim `claim` (q(1) = claim - q(0)) and point coordinate z
 * has the form L(X, z) Lambda(X), L(X, z) = (1 - X)(1 - z) + X z, Lambda of
 * degree <= 1: q vanishes at the root X0 = (1 - z)/(1 - 2z) of L, or, when
 * 2z = 1 (L constant), q has degree <= 1. Computed without an inverse.
 */
int zkr_hpcs_round_factored(const zkr_ext msg[2], zkr_ext claim, zkr_ext z);
/* The same check for a round message over F_p^6 (the point z in F_p^3). */
int zkr_hpcs_round_factored6(const zkr_ext6 msg[2], zkr_ext6 claim, zkr_ext z);

#endif
