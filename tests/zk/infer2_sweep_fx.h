/*
 * The member sizes of one one-layer inference@2 mixed opening, for the
 * sweeps over every size that check the prover's layout rules against the
 * verifier's (zk-infer2's stack sweep, soundness-nest's carrier sweep).
 */
#ifndef ZKR_TEST_INFER2_SWEEP_FX_H
#define ZKR_TEST_INFER2_SWEEP_FX_H

#include <string.h>

#include "zk/infer2_int.h"
#include "zk/zk.h"

/*
 * W' (tw variables), V (tv), the record (tr) and a hidden output of 4
 * (out) or none, the range proof's helpers placed: red, and the mixed
 * opening's members in zkr_infer2_open_order's order (order[j] the
 * reduction polynomial at member j), f[j] its size (n_vars + 1 blinding
 * variable), its extension flag and its root's first byte naming its tree
 * (each stacked pair one root: phi's h's, m's V's, polynomial 1), totals[j]
 * (may be NULL) its total. 0 where the fit has no arity or the members
 * exceed ZKR_HPCS_MAX_MIXED: no such proof.
 */
static inline int i2sweep_members(const zkr_params *p, unsigned tw, unsigned tv, unsigned tr,
                                  int out, zkr_infer2_red *red, unsigned *order,
                                  zkr_hpcs_commitment *f, unsigned *totals)
{
    static const zkr_ext zz[64], zv[4];
    zkr_infer2_shape sh;

    memset(&sh, 0, sizeof sh);
    sh.s.n_layers = 1;
    zkr_infer2_red_init(&sh, &tw, tv, out ? 4 : 0, red);
    zkr_infer2_red_add_record(red, tr);
    zkr_infer2_red_add_range(red, 1, zz, zv);
    if (zkr_infer2_fit_arity(p, red, 1) == 0 || red->n_polys > ZKR_HPCS_MAX_MIXED)
        return 0;
    memset(f, 0, sizeof *f * red->n_polys);
    zkr_infer2_open_order(red, 1, order);
    for (unsigned j = 0; j < red->n_polys; j++) {
        unsigned i = order[j];
        if (totals)
            totals[j] = red->tv[i];
        f[j].n_vars = red->tv[i] - 1;
        f[j].blind_vars = 1;
        f[j].ext = i == red->zr_poly || i == red->zr_poly + 1;
        f[j].root[0] = (uint8_t)(i == red->zr_poly + 1   ? red->zr_poly
                                 : i == red->zr_poly + 2 ? 1
                                                         : i);
    }
    return 1;
}

#endif
