/*
 * graph-inference@2's zero-knowledge average pooling prover (zk/ginfer2_avg.h
 * gives the rows; the verifier is verifier/ginfer2_avg.h).
 */
#ifndef ZKR_PROVER_GINFER2_AVG_H
#define ZKR_PROVER_GINFER2_AVG_H

#include "prover/ginfer2.h"

/*
 * X (zkr_ginf2_avg_x_vars) and V (zkr_ginf2_avg_v_vars, zkr_ginf2_avg_witness's
 * table, or a cheating one) hiding commitments bound by the caller; one
 * opening of each. o as for zkr_prover_ginf2_pool (ZKR_GINF2_OFF_RANGE in
 * test builds: the rows by two masked linear sumchecks, V's and X's parts
 * in the clear; ZKR_GINF2_OFF_GRIND), grinding zkr_ginf2_avg_grind_bits.
 * A V whose rows fail gives a proof the verifier refuses; an entry of V
 * off the byte table is USAGE (unless o->force_range in test builds).
 * ZKR_ERR_UNSUPPORTED (the grinding cap cannot reach the target), NOMEM.
 */
zkr_err zkr_prover_ginf2_avg(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_avg *q,
                             zkr_hpcs_poly *x, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                             zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

#endif
