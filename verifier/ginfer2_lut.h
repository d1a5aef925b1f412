/*
 * graph-inference@2's zero-knowledge LOOKUP verifier (zk/ginfer2_lut.h),
 * in the order of prover/ginfer2_lut.c.
 */
#ifndef ZKR_VERIFIER_GINFER2_LUT_H
#define ZKR_VERIFIER_GINFER2_LUT_H

#include "verifier/ginfer2.h"
#include "zk/ginfer2_lut.h"

/*
 * Verifies that the hidden V is LOOKUP_T(X) for the hidden X (commitments
 * x, v bound by the caller), reading Z's root and the two range proofs
 * from d; off (test builds): ZKR_GINF2_OFF_RANGE / _GRIND as the prover's;
 * share as zkr_ginf2_lut_grind_bits'. ZKR_OK, ZKR_ERR_VERIFY,
 * ZKR_ERR_MALFORMED, ZKR_ERR_USAGE, ZKR_ERR_UNSUPPORTED, NOMEM.
 */
zkr_err zkr_verify_ginf2_lut(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_lut *q,
                             const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                             unsigned off, unsigned share, zkr_dec *d) ZKR_WUR;

#endif
