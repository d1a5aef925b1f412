/*
 * prover: proof generation on the CPU (pthreads). Results are byte-identical
 * for any thread count: every parallel reduction is exact field arithmetic
 * combined in a fixed order, and all randomness comes from the transcript.
 *
 * Secrets: W (the model's weights) is the witness. The proofs are NOT yet
 * zero-knowledge (docs/proof-system.md); W's buffers are wiped on free.
 */
#ifndef ZKR_PROVER_H
#define ZKR_PROVER_H

#include "zk/zk.h"

/* ---------------- generic sumcheck over sums of products ---------------- */
#define ZKR_SC_MAX_FACTORS 4
#define ZKR_SC_MAX_DEGREE 8
#define ZKR_SC_MAX_TABLES 16
#define ZKR_SC_MAX_TERMS 16
typedef struct {
    zkr_ext coef;
    unsigned n_factors;               /* 1..ZKR_SC_MAX_FACTORS */
    unsigned idx[ZKR_SC_MAX_FACTORS]; /* table indices */
} zkr_sc_term;
/*
 * f(x) = sum_terms coef * prod_factors tables[idx](x), each table 2^n ext
 * values owned by the caller and folded in place round by round.
 * n_tables <= ZKR_SC_MAX_TABLES, n_terms <= ZKR_SC_MAX_TERMS; callers batch
 * more by pre-combining.
 */
typedef struct {
    zkr_ext **tables;
    size_t n_tables;
    const zkr_sc_term *terms;
    size_t n_terms;
    unsigned degree; /* max n_factors, 1..ZKR_SC_MAX_DEGREE */
    zkr_ext *scratch; /* optional: 2^(n-1) values reused by parallel folds */
} zkr_sc_poly;

/*
 * One round on a poly with n_cur >= 1 live variables: writes msg[0..degree).
 * Misuse (bounds above exceeded, n_cur == 0) aborts: it is a programming
 * error, never a property of untrusted input.
 */
void zkr_prover_sc_round(const zkr_sc_poly *f, unsigned n_cur, unsigned threads, zkr_ext *msg);
/* Fixes variable 0 of every table to r. */
void zkr_prover_sc_fold(const zkr_sc_poly *f, unsigned n_cur, zkr_ext r, unsigned threads);
/*
 * Runs all n rounds, absorbing/drawing exactly as zkr_sumcheck_verify does.
 * msgs gets n*degree values, r the n challenges; tables[k][0] end as the
 * tables' values at r. Never fails.
 */
void zkr_prover_sumcheck(const zkr_sc_poly *f, unsigned n, zkr_transcript *t, unsigned threads,
                         zkr_ext *msgs, zkr_ext *r);

/* ---------------- Basefold commitments and openings ---------------- */
typedef struct zkr_pcs_poly zkr_pcs_poly;
/*
 * Commits to the multilinear with evaluations evals[0..2^n_vars) (copied).
 * The salt seed is derived from the evaluations (deterministic).
 * Returns ZKR_ERR_TOO_LARGE (n_vars > params max), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_commit(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                          unsigned threads, zkr_pcs_poly **out, zkr_pcs_commitment *comm) ZKR_WUR;
/* Frees and wipes. Accepts NULL. */
void zkr_pcs_poly_free(zkr_pcs_poly *poly);
/* The commitment of a committed polynomial. */
void zkr_pcs_poly_commitment(const zkr_pcs_poly *poly, zkr_pcs_commitment *out);
/*
 * Proves claims on up to ZKR_SC_MAX_TABLES/2 polys of one size and appends
 * the opening's bytes to out, in the order zkr_pcs_proof_parse reads them.
 * The claimed values are not re-checked here: a wrong one yields a proof
 * the verifier rejects. ZKR_ERR_USAGE (bad counts or indices),
 * ZKR_ERR_UNSUPPORTED (polys of different sizes), ZKR_ERR_TOO_LARGE,
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_open(const zkr_params *p, zkr_transcript *t, zkr_pcs_poly *const *polys,
                        size_t n_polys, const zkr_pcs_claim *claims, size_t n_claims,
                        unsigned threads, zkr_buf *out) ZKR_WUR;

/* ---------------- LogUp (GKR fractional sums) ---------------- */
/*
 * Proves sum_i 1/(alpha - a_i) == sum_j m_j/(alpha - t_j) for the column a
 * (2^na values) and table t with multiplicities m (2^nt values), drawing
 * alpha from the transcript. Appends the proof to out and fills *claims
 * with the evaluation claims the caller must discharge (as the verifier
 * does). ZKR_ERR_USAGE if some a_i is not in the table with the given
 * multiplicities (the sums differ), ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_logup(zkr_transcript *t, const zkr_gl *a, unsigned na, const zkr_gl *table,
                         const zkr_gl *mult, unsigned nt, unsigned threads, zkr_buf *out,
                         zkr_logup_claims *claims) ZKR_WUR;
/* Multiplicities of a's values in table (table values distinct). ZKR_ERR_USAGE if absent. */
zkr_err zkr_prover_logup_mult(const zkr_gl *a, size_t na, const zkr_gl *table, size_t nt,
                              zkr_gl *mult) ZKR_WUR;

/* ---------------- matmul@1 ---------------- */
/*
 * Commits to W (m x k, row-major int64) zero-padded to powers of two. Done
 * once per model; the commitment is the model's identity.
 */
zkr_err zkr_prover_matmul_commit(const zkr_params *p, const int64_t *w, uint32_t m, uint32_t k,
                                 unsigned threads, zkr_pcs_poly **poly,
                                 zkr_pcs_commitment *comm) ZKR_WUR;
/*
 * Proves y = W x for the committed W (pub->w must be poly's commitment),
 * public x (k x b) and y (m x b). Writes the whole proof file to out.
 * Returns ZKR_ERR_MISMATCH_OUTPUT when y != W x (no proof is produced),
 * ZKR_ERR_MISMATCH_MODEL when pub->w is not poly's commitment,
 * ZKR_ERR_USAGE / ZKR_ERR_TOO_LARGE on bad dimensions, ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_matmul(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                          const zkr_matmul_public *pub, const int64_t *w,
                          const zkr_pcs_poly *poly, unsigned threads, zkr_buf *out,
                          zkr_diag *d) ZKR_WUR;

#endif
