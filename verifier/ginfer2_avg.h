/*
 * graph-inference@2's zero-knowledge average pooling verifier
 * (zk/ginfer2_avg.h; the prover is prover/ginfer2_avg.h).
 */
#ifndef ZKR_VERIFIER_GINFER2_AVG_H
#define ZKR_VERIFIER_GINFER2_AVG_H

#include "verifier/ginfer2.h"

/*
 * Verifies the average pooling of the hidden X into the hidden V; off and
 * share as for zkr_verify_ginf2_pool (openings at zkr_ginf2_avg_grind_bits).
 * ZKR_OK, ZKR_ERR_VERIFY, ZKR_ERR_MALFORMED, ZKR_ERR_USAGE (shapes, off
 * outside test builds), ZKR_ERR_UNSUPPORTED, NOMEM.
 */
zkr_err zkr_verify_ginf2_avg(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_avg *q,
                             const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                             unsigned off, unsigned share, zkr_dec *d) ZKR_WUR;

#endif
