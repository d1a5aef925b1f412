/*
 * The prover's accelerator seam: the bulk steps of a Basefold commitment
 * (Reed-Solomon encoding and Merkle hashing) that a backend may run
 * elsewhere (the CUDA backend in cuda/, or its host build of the same
 * kernel bodies). The prover reaches one through zkr_params.accel; NULL is
 * the CPU code of zk/. Contract for every backend: the output is exactly
 * what the CPU functions named below produce for the same input, so that
 * proofs are byte-identical whatever the backend (tests/cuda checks the
 * host build; bench/cuda_check checks a device).
 */
#ifndef ZKR_PROVER_ACCEL_H
#define ZKR_PROVER_ACCEL_H

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
} zkr_accel;

#endif
