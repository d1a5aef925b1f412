/*
 * Fixture of the mixed-size batched hiding opening's tests (tests/zk/
 * test_zk_hmixed.c, tests/soundness/test_sound_hmixed.c): hiding
 * commitments of different sizes T_i = n_i + e_i, base- and
 * extension-valued, one point z of T = max T_i coordinates and each
 * member's value at z's last T_i coordinates.
 */
#ifndef ZKR_TEST_HMIXED_FIXTURE_H
#define ZKR_TEST_HMIXED_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "zk/zk.h"
#include "zkr_config.h"

#define HM_MAX 6

typedef struct {
    zkr_hpcs_poly *f[HM_MAX];
    zkr_hpcs_commitment c[HM_MAX];
    size_t k;
    unsigned total;
    zkr_ext z[32], v[HM_MAX];
} hm_fix;

/* f's value at the full point pt (its n + e coordinates). */
static zkr_ext hm_value(const zkr_hpcs_poly *f, const zkr_ext *pt)
{
    unsigned total = zkr_hpcs_poly_total_vars(f);
    const zkr_gl *bv = zkr_hpcs_poly_base_evals(f);
    const zkr_ext *ev = zkr_hpcs_poly_ext_evals(f);
    size_t len = (size_t)1 << total;
    zkr_ext *eq = malloc(len * sizeof *eq), acc = zkr_ext_from(0);

    if (!eq)
        return acc;
    zkr_mle_eq_table(pt, total, eq);
    for (size_t i = 0; i < len; i++)
        acc = zkr_ext_add(acc, bv ? zkr_ext_mul_base(eq[i], bv[i]) : zkr_ext_mul(eq[i], ev[i]));
    free(eq);
    return acc;
}

static void hm_free(hm_fix *x)
{
    for (size_t i = 0; i < HM_MAX; i++)
        zkr_hpcs_poly_free(x->f[i]);
    memset(x, 0, sizeof *x);
}

/*
 * k members: n[i] hidden variables, tot[i] = n + e, ext[i] extension-valued,
 * blinded for budget[i] openings, those with bit i of fit committed with
 * fitted leaves (zkr_hpcs_mixed_fit_arity); entries derived from seed (the same
 * seed gives the same commitments); z spread over
 * every coordinate (blinding ones included, as inference@2's points are).
 */
/* Member m's entries (seeded): extension-valued (1000 + 13 i + 7 m + seed). */
static zkr_ext *hm_ext_entries(size_t len, size_t m, unsigned seed)
{
    zkr_ext *e = malloc(len * sizeof *e);

    for (size_t i = 0; e && i < len; i++)
        e[i] = zkr_ext_from((zkr_gl)(1000 + 13 * i + 7 * m + seed));
    return e;
}

/* Member m's entries (seeded): base-valued, as hm_make_fs's unpaired base members. */
static zkr_gl *hm_base_entries(size_t len, size_t m, unsigned seed)
{
    zkr_gl *e = malloc(len * sizeof *e);

    for (size_t i = 0; e && i < len; i++)
        e[i] = zkr_gl_from_i64((int64_t)(i % 255) - 127 + (int64_t)(m + seed));
    return e;
}

/*
 * Members m and m + 1 (one total size) as one stacked pair: both
 * extension-valued (one n and budget, inference@2 version 9's h and phi)
 * or both base-valued (each its own n and budget, version 10's V and m).
 */
static zkr_err hm_pair(const zkr_params *p, hm_fix *x, const unsigned *n, const unsigned *tot,
                       const unsigned *ext, const uint32_t *budget, size_t m, unsigned a,
                       unsigned seed, zkr_zkrng *g)
{
    zkr_err r = ZKR_ERR_NOMEM;

    if (tot[m] != tot[m + 1] || ext[m] != ext[m + 1])
        return ZKR_ERR_USAGE;
    if (ext[m]) {
        size_t len = (size_t)1 << n[m];
        zkr_ext *e0 = hm_ext_entries(len, m, seed), *e1 = hm_ext_entries(len, m + 1, seed);
        if (e0 && e1 && n[m] == n[m + 1])
            r = zkr_prover_hcommit_ext_pair_fit_pool(p, e0, e1, n[m], tot[m], budget[m], a,
                                                     NULL, g, 1, &x->f[m], &x->f[m + 1],
                                                     &x->c[m]);
        x->c[m + 1] = x->c[m];
        free(e0);
        free(e1);
    } else {
        zkr_gl *b0 = hm_base_entries((size_t)1 << n[m], m, seed);
        zkr_gl *b1 = hm_base_entries((size_t)1 << n[m + 1], m + 1, seed);
        zkr_hpcs_pair_member ma = {b0, n[m], budget[m]}, mb = {b1, n[m + 1], budget[m + 1]};
        if (b0 && b1)
            r = zkr_prover_hcommit_pair_fit_pool(p, &ma, &mb, tot[m], a, NULL, g, 1, &x->f[m],
                                                 &x->f[m + 1], &x->c[m], &x->c[m + 1]);
        free(b0);
        free(b1);
    }
    return r;
}

static zkr_err hm_make_fs(const zkr_params *p, hm_fix *x, const unsigned *n,
                          const unsigned *tot, const unsigned *ext, size_t k,
                          const uint32_t *budget, unsigned seed, uint32_t fit, uint32_t stack);

static zkr_err hm_make_fit(const zkr_params *p, hm_fix *x, const unsigned *n,
                           const unsigned *tot, const unsigned *ext, size_t k,
                           const uint32_t *budget, unsigned seed, uint32_t fit)
{
    return hm_make_fs(p, x, n, tot, ext, k, budget, seed, fit, 0);
}

/*
 * hm_make_fit, members m and m + 1 with bit m + 1 of stack set committed
 * as one stacked pair (both fitted, both extension- or both base-valued).
 */
static zkr_err hm_make_fs(const zkr_params *p, hm_fix *x, const unsigned *n,
                          const unsigned *tot, const unsigned *ext, size_t k,
                          const uint32_t *budget, unsigned seed, uint32_t fit, uint32_t stack)
{
    uint8_t key[32];
    zkr_zkrng g;
    zkr_err r = ZKR_OK;

    memset(x, 0, sizeof *x);
    x->k = k;
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 5 + seed);
    zkr_zkrng_from_key(&g, key);
    for (size_t m = 0; m < k; m++)
        if (tot[m] > x->total)
            x->total = tot[m];
    for (size_t m = 0; m < k && r == ZKR_OK; m++) {
        size_t len = (size_t)1 << n[m];
        /* a fitted member: the leaves its join reads (inference@2 version 8's V, h, phi, m) */
        unsigned a = (fit >> m) & 1u ? zkr_hpcs_mixed_fit_arity(p, x->total, tot[m]) : 0;
        if ((fit >> m) & 1u && a == 0) {
            r = ZKR_ERR_USAGE;
            break;
        }
        if (m + 1 < k && ((stack >> (m + 1)) & 1u)) {
            r = hm_pair(p, x, n, tot, ext, budget, m, a, seed, &g);
            m++;
            continue;
        }
        if (ext[m]) {
            zkr_ext *e = malloc(len * sizeof *e);
            if (!e) {
                r = ZKR_ERR_NOMEM;
                break;
            }
            for (size_t i = 0; i < len; i++)
                e[i] = zkr_ext_from((zkr_gl)(1000 + 13 * i + 7 * m + seed));
            r = zkr_prover_hcommit_ext_fit_pool(p, e, n[m], tot[m], budget[m], a, NULL, &g, 1,
                                                &x->f[m], &x->c[m]);
            free(e);
        } else {
            zkr_gl *b = malloc(len * sizeof *b);
            if (!b) {
                r = ZKR_ERR_NOMEM;
                break;
            }
            for (size_t i = 0; i < len; i++)
                b[i] = zkr_gl_from_i64((int64_t)(i % 255) - 127 + (int64_t)(m + seed));
            r = zkr_prover_hcommit_fit_pool(p, b, n[m], tot[m], budget[m], a, NULL, &g, 1,
                                            &x->f[m], &x->c[m]);
            free(b);
        }
    }
    zkr_zkrng_wipe(&g);
    if (r != ZKR_OK)
        return r;
    for (unsigned i = 0; i < x->total; i++)
        x->z[i] = zkr_ext_from((zkr_gl)(12345 + 977 * i + seed));
    for (size_t m = 0; m < k; m++)
        x->v[m] = hm_value(x->f[m], x->z + (x->total - zkr_hpcs_poly_total_vars(x->f[m])));
    return ZKR_OK;
}

/* hm_make_fit with no fitted member. */
static zkr_err hm_make(const zkr_params *p, hm_fix *x, const unsigned *n, const unsigned *tot,
                       const unsigned *ext, size_t k, const uint32_t *budget, unsigned seed)
{
    return hm_make_fit(p, x, n, tot, ext, k, budget, seed, 0);
}

/* A transcript both sides start from. */
static void hm_ts(const zkr_params *p, zkr_transcript *t)
{
    uint8_t sid[ZKR_DIGEST_BYTES], pd[ZKR_DIGEST_BYTES];

    memset(sid, 0x24, sizeof sid);
    zkr_params_digest(p, pd);
    zkr_ts_init(t, "zkreg/test-hmixed", 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
}

/* Where one tree's opening lies in a mixed opening's bytes: its header, leaves and siblings. */
typedef struct {
    size_t at, leaves, sib, end; /* byte offsets */
    uint32_t n_open, n_sib;
    size_t leaf_bytes;
} hm_open;

/* The opening at byte `at` of b (len), `words` words a leaf: ZKR_OK, or MALFORMED past len. */
static inline zkr_err hm_open_at(const uint8_t *b, size_t len, size_t at, size_t words,
                                 hm_open *o)
{
    if (at + 8 > len)
        return ZKR_ERR_MALFORMED;
    o->at = at;
    o->n_open = zkr_load_be32(b + at);
    o->n_sib = zkr_load_be32(b + at + 4);
    o->leaf_bytes = ZKR_SALT_BYTES + 8 * words;
    o->leaves = at + 8;
    o->sib = o->leaves + (size_t)o->n_open * o->leaf_bytes;
    o->end = o->sib + (size_t)o->n_sib * ZKR_DIGEST_BYTES;
    return o->end <= len ? ZKR_OK : ZKR_ERR_MALFORMED;
}

#if ZKR_TEST_BUILD
/*
 * A mixed opening of x's members at x's point, pv its values (the honest
 * ones, or a cheat's), from a fixed key: honest when ch and pm are NULL,
 * else the cheat ch (or the periodic-mask cheat pm); *tv the verifier's
 * transcript before the opening, its bytes in pf.
 */
static inline zkr_err hm_prove(const zkr_params *p, hm_fix *x, const zkr_hpcs_mixed_cheat *ch,
                               const zkr_hpcs_pmask_cheat *pm, const zkr_ext *pv,
                               zkr_transcript *tv, zkr_buf *pf)
{
    zkr_transcript tp;
    uint8_t key[32];
    zkr_zkrng g;
    zkr_err r;

    memset(key, 0x5a, sizeof key);
    hm_ts(p, &tp);
    *tv = tp;
    zkr_zkrng_from_key(&g, key);
    if (ch)
        r = zkr_prover_hopen_mixed_cheat(p, &tp, x->f, x->k, x->z, pv, ch, &g, pf);
    else if (pm)
        r = zkr_prover_hopen_mixed_pmask_cheat(p, &tp, x->f, x->k, x->z, pv, pm, &g, pf);
    else
        r = zkr_prover_hopen_mixed(p, &tp, x->f, x->k, x->z, pv, &g, 1, pf);
    zkr_zkrng_wipe(&g);
    return r;
}
#endif

#endif
