/*
 * The prover's accelerator seam: the bulk steps a backend may run
 * elsewhere (the CUDA backend in cuda/, or its host build of the same
 * kernel bodies). The prover reaches one explicitly: through
 * zkr_params.accel (Basefold commitments and openings, LogUp) and
 * zkr_sc_poly.accel (sumcheck rounds); NULL is the CPU code of zk/ and
 * prover/. Contract for every backend: the output is exactly what the CPU
 * code named below produces for the same input, so that proofs are
 * byte-identical whatever the backend (tests/cuda checks the host build;
 * bench/cuda_check checks a device).
 *
 * Every function returns ZKR_OK, or a failure after which its outputs are
 * untouched: ZKR_ERR_USAGE (sizes out of range), ZKR_ERR_NOMEM,
 * ZKR_ERR_INTERNAL (a device error). lde and mtree_build failures fail the
 * proof; a failure of the other (optional, NULL allowed) functions makes
 * the prover run its CPU code for that call, which gives the same values,
 * and is counted by the backend (zkr_accel_fallbacks, cuda/cuda.h).
 */
#ifndef ZKR_PROVER_ACCEL_H
#define ZKR_PROVER_ACCEL_H

#include "prover/prover.h"
#include "zk/zk.h"

typedef struct zkr_accel {
    const char *name; /* "cuda", "host-bodies" */
    void *ctx;
    /*
     * As zkr_ntt_lde: 2^log_n coefficients to the 2^(log_n+log_blowup)
     * coset evaluations in bit-reversed order. ZKR_ERR_USAGE (sizes over
     * 2^ZKR_GL_TWO_ADICITY), ZKR_ERR_NOMEM, ZKR_ERR_INTERNAL (device error).
     */
    zkr_err (*lde)(void *ctx, const zkr_gl *coeffs, unsigned log_n, unsigned log_blowup,
                   zkr_gl shift, zkr_gl *out);
    /* As zkr_mtree_build (same errors, plus ZKR_ERR_INTERNAL for a device error). */
    zkr_err (*mtree_build)(void *ctx, const uint64_t *words, uint64_t n_leaves, size_t leaf_words,
                           const uint8_t salt_seed[32], zkr_mtree *out);
    /* As zkr_prover_sc_round: msg[0..f->degree) (h(0), h(2), .., h(d)). */
    zkr_err (*sc_round)(void *ctx, const zkr_sc_poly *f, unsigned n_cur, zkr_ext *msg);
    /* As zkr_prover_sc_fold: every table of f folded in place at r (all or none). */
    zkr_err (*sc_fold)(void *ctx, const zkr_sc_poly *f, unsigned n_cur, zkr_ext r);
    /*
     * Basefold's coefficient fold (prover/pcs.c): out[v] = c[2v] + r c[2v+1]
     * for v < half, from base (base_in) or extension (in) coefficients:
     * exactly one of base_in and in is non-NULL.
     */
    zkr_err (*fold_coef)(void *ctx, const zkr_gl *base_in, const zkr_ext *in, size_t half,
                         zkr_ext r, zkr_ext *out);
    /* Basefold's evaluation fold: out[i] = g[2i] + r (g[2i+1] - g[2i]); as fold_coef. */
    zkr_err (*fold_eval)(void *ctx, const zkr_gl *base_in, const zkr_ext *in, size_t half,
                         zkr_ext r, zkr_ext *out);
    /* Basefold's eq round: q[0] = sum_i s[i] g[2i], q[1] = sum_i s[i] g[2i+1], i < half. */
    zkr_err (*eq_q)(void *ctx, const zkr_ext *s, const zkr_gl *gb, const zkr_ext *g, size_t half,
                    zkr_ext q[2]);
    /*
     * One LogUp fraction-tree layer (prover/logup.c): for x < h,
     * po[x] = p[x] q[x+h] + p[x+h] q[x], qo[x] = q[x] q[x+h].
     */
    zkr_err (*frac_layer)(void *ctx, const zkr_ext *p, const zkr_ext *q, size_t h, zkr_ext *po,
                          zkr_ext *qo);
} zkr_accel;

#endif
