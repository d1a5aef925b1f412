/*
 * graph-inference@2's zero-knowledge LOOKUP prover (zk/ginfer2_lut.h; the
 * verifier is verifier/ginfer2_lut.h).
 */
#ifndef ZKR_PROVER_GINFER2_LUT_H
#define ZKR_PROVER_GINFER2_LUT_H

#include "prover/ginfer2.h"
#include "zk/ginfer2_lut.h"

typedef struct {
    unsigned threads;
    unsigned off;     /* ZKR_GINF2_OFF_RANGE / _GRIND (test builds only; USAGE elsewhere) */
    int force_range;  /* test builds: both range proofs go on over off-table entries */
    unsigned fit_val; /* test builds: Z's range proof sends value fit_val (4: m) plus 1 */
    unsigned share;   /* relations on this transcript (zk/ginfer2.h, "Extra grinding"); 0: 1 */
} zkr_ginf2_lopts;

/*
 * Proves the lookup V = LOOKUP_T(X) (zk/ginfer2_lut.h): X (zkr_ginf2_lut_x_vars)
 * and V (zkr_ginf2_lut_v_vars, zkr_ginf2_lut_witness's table, or a cheating
 * one) hiding base commitments bound by the caller; consumes
 * ZKR_GINF2_LUT_X_OPENINGS of X's budget and ZKR_GINF2_LUT_V_OPENINGS of
 * V's. Commits Z itself (its root first in out). An entry of V off the
 * bytes or of Z off the table is USAGE (unless o->force_range, test
 * builds); rows that fail give a proof the verifier refuses. o->off may
 * hold ZKR_GINF2_OFF_RANGE (test builds): RA and RB are then proven by
 * masked linear sumchecks with the parts sent in the clear (no range
 * proof). Every opening grinds zkr_ginf2_lut_grind_bits(o->share) extra
 * bits. ZKR_ERR_USAGE, ZKR_ERR_UNSUPPORTED (the target unreachable),
 * ZKR_ERR_TOO_LARGE, NOMEM.
 */
zkr_err zkr_prover_ginf2_lut(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_lut *q,
                             zkr_hpcs_poly *x, zkr_hpcs_poly *v, const zkr_ginf2_lopts *o,
                             zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

#endif
