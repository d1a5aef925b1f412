/*
 * graph-inference@2 provers (zk/ginfer2.h; docs/proof-system.md,
 * "graph-inference@2"). Relations only: each appends its proof bytes to out
 * on a transcript that already binds the caller's commitments, and never
 * reveals a hidden value (every value sent is masked or a randomised
 * extension). Randomness comes from the caller's generator (zkr_zkrng), so
 * that a seeded generator gives byte-identical proofs.
 */
#ifndef ZKR_PROVER_GINFER2_H
#define ZKR_PROVER_GINFER2_H

#include "prover/prover.h"
#include "zk/ginfer2.h"

typedef struct {
    unsigned threads;
    unsigned off;    /* ZKR_GINF2_OFF_* (test builds only; USAGE elsewhere) */
    int force_range; /* test builds: W's range proof goes on over off-table entries */
    int64_t u_delta; /* test builds: U's entry 0 committed plus u_delta (U != im2col(X)) */
} zkr_ginf2_popts;

/*
 * The zero-knowledge convolution (zk/ginfer2.h): X (c x h x w), W and Y
 * hiding commitments of zkr_cnn_in_vars, zkr_cnn_conv_w_vars and
 * zkr_cnn_conv_y_vars variables, base-valued, whose slices u = 0 are the
 * tables prover/cnn.h builds (Y the field image of the integer
 * accumulator). Consumes ZKR_GINF2_X/W/Y_OPENINGS of their budgets.
 * A witness with Y != W * im2col(X) gives a proof the verifier refuses.
 * ZKR_ERR_MALFORMED (zkr_ginf2_conv_check), ZKR_ERR_USAGE (sizes differ,
 * a budget spent, an entry of W or U off its range, off outside test
 * builds), ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_ginf2_conv(const zkr_params *p, zkr_transcript *t, const zkr_cnn_conv *c,
                              zkr_hpcs_poly *x, zkr_hpcs_poly *w, zkr_hpcs_poly *y,
                              const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

#endif
