/*
 * graph-inference@2's zero-knowledge LOOKUP prover (prover/ginfer2_lut.h;
 * zk/ginfer2_lut.h gives the rows). The verifier is verifier/ginfer2_lut.c.
 * Transcript: Z's root, z, RA (V's byte range proof linking X), z2, RB
 * (Z's lookup range proof linking V).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "prover/ginfer2_lut.h"
#include "zkr_config.h"

/* Z = Xc + 256 Yb (zkr_ginf2_lut_z), committed fresh for its one range proof. */
static zkr_err g2lp_commit_z(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_lut *q,
                             zkr_hpcs_poly *v, unsigned threads, zkr_zkrng *rng,
                             zkr_hpcs_poly **zp, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_lut_v_vars(q), ze = zkr_ginf2_lut_z_blind(p, q);
    size_t n = (size_t)1 << nv;
    zkr_gl *z = malloc(n * sizeof *z);
    zkr_hpcs_commitment comm;
    zkr_err r;

    if (!z)
        return ZKR_ERR_NOMEM;
    zkr_ginf2_lut_z(q, zkr_hpcs_poly_base_evals(v), z);
    r = ze == 0 ? ZKR_ERR_TOO_LARGE
                : zkr_prover_hcommit_sized(p, z, nv, nv + ze, 1, rng, threads, zp, &comm);
    sodium_memzero(z, n * sizeof *z);
    free(z);
    if (r != ZKR_OK)
        return r;
    zkr_ts_absorb(t, "g2l-z-root", comm.root, ZKR_DIGEST_BYTES);
    return zkr_buf_append(out, comm.root, ZKR_DIGEST_BYTES);
}

static zkr_err g2lp_check(const zkr_params *p, const zkr_ginf2_lut *q, zkr_hpcs_poly *x,
                          zkr_hpcs_poly *v, const zkr_ginf2_lopts *o)
{
    unsigned nv = zkr_ginf2_lut_v_vars(q), nx = zkr_ginf2_lut_x_vars(q);

    if ((!ZKR_TEST_BUILD && (o->off || o->force_range || o->fit_val)) ||
        (o->off & ~(ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND)) || o->fit_val > 4 ||
        !zkr_hpcs_poly_base_evals(x) || !zkr_hpcs_poly_base_evals(v) ||
        zkr_hpcs_poly_n_vars(x) != nx || zkr_hpcs_poly_n_vars(v) != nv ||
        zkr_hpcs_budget_left(x) < ZKR_GINF2_LUT_X_OPENINGS ||
        zkr_hpcs_budget_left(v) < ZKR_GINF2_LUT_V_OPENINGS)
        return ZKR_ERR_USAGE;
    (void)p;
    return ZKR_OK;
}

zkr_err zkr_prover_ginf2_lut(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_lut *q,
                             zkr_hpcs_poly *x, zkr_hpcs_poly *v, const zkr_ginf2_lopts *o,
                             zkr_zkrng *rng, zkr_buf *out)
{
    unsigned nv = zkr_ginf2_lut_v_vars(q), nx = zkr_ginf2_lut_x_vars(q);
    unsigned threads = o->threads ? o->threads : 1, ve, xe, g2x;
    size_t mark = out->len;
    zkr_ext z[ZKR_CNN_MAX_VARS], *wv = NULL, *wx = NULL, *wz = NULL;
    zkr_hpcs_poly *zp = NULL;
    zkr_zkrange_cheat cht;
    zkr_params pg;
    zkr_err r;

    if ((r = g2lp_check(p, q, x, v, o)) != ZKR_OK)
        return r;
    ve = zkr_hpcs_poly_total_vars(v) - nv, xe = zkr_hpcs_poly_total_vars(x) - nx;
    g2x = zkr_ginf2_lut_grind_bits(p, q, ve, xe, o->share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x, zkr_ginf2_lut_soundness_at(p, q, ve, xe, g2x), o->off,
                                    o->share, &pg)) != ZKR_OK)
        return r;
    p = &pg;
    memset(&cht, 0, sizeof cht);
    cht.force = ZKR_TEST_BUILD && o->force_range;
    r = ZKR_ERR_NOMEM;
    wv = malloc(((size_t)1 << nv) * sizeof *wv);
    wx = malloc(((size_t)1 << nx) * sizeof *wx);
    wz = malloc(((size_t)1 << nv) * sizeof *wz);
    if (!wv || !wx || !wz)
        goto out;
    if ((r = g2lp_commit_z(p, t, q, v, threads, rng, &zp, out)) != ZKR_OK)
        goto out;
    /* RA: Xc = X + 128 on real elements, with V's bytes */
    zkr_ts_challenge_exts(t, "g2l-z", z, q->lp);
    zkr_ginf2_lut_wtab(q, ZKR_G2L_WA_V, z, wv);
    zkr_ginf2_lut_wtab(q, ZKR_G2L_WA_X, z, wx);
    if (o->off & ZKR_GINF2_OFF_RANGE) {
        r = zkr_prover_ginf2_parts(p, t, "g2l-parts", v, wv, x, wx, rng, threads, out);
    } else {
        r = zkr_prover_ginf2_link(p, t, v, wv, zkr_ginf2_lut_claim(q, z), x, wx, o->force_range,
                                  rng, threads, out);
    }
    if (r != ZKR_OK)
        goto out;
    /* RB: Z = Xc + 256 Yb on real elements, Z in the lookup's table */
    zkr_ts_challenge_exts(t, "g2l-z2", z, q->lp);
    zkr_ginf2_lut_wtab(q, ZKR_G2L_WB_Z, z, wz);
    zkr_ginf2_lut_wtab(q, ZKR_G2L_WB_V, z, wv);
    if (o->off & ZKR_GINF2_OFF_RANGE) {
        r = zkr_prover_ginf2_parts(p, t, "g2l-parts", zp, wz, v, wv, rng, threads, out);
    } else {
        zkr_zkrange_lin lin = {zkr_ext_from(0), wz, NULL, NULL};
        zkr_zkrange_link link = {v, wv, NULL, NULL, NULL, 0, 0};
        int64_t zv[256];
        zkr_ginf2_lut_zv(q, zv);
        cht.fit_val = ZKR_TEST_BUILD ? o->fit_val : 0;
        r = zkr_prover_zkrange_link_vals(p, t, zp, zv, &lin, &link, &cht, rng, threads, out);
    }
out:
    if (r != ZKR_OK)
        out->len = mark;
    zkr_hpcs_poly_free(zp);
    free(wv), free(wx), free(wz);
    return r;
}
