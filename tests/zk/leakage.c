/*
 * Shared pieces of the zero-knowledge leakage tests (tests/zk/leakage.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/zk/leakage.h"
#include "zk/zk_int.h"

/* ---------------- statistics ---------------- */

/* Upper-tail standard normal quantile by bisection on erfc. */
static double z_upper(double alpha)
{
    double lo = 0, hi = 40;

    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(mid / sqrt(2.0)) > alpha)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

double leak_chi2_crit(double df, double alpha)
{
    double a = 2.0 / (9.0 * df), z = z_upper(alpha);
    double c = 1 - a + z * sqrt(a);
    return df * c * c * c;
}

double leak_chi2_uniform(const unsigned *h, unsigned bins, double n)
{
    double e = n / bins, s = 0;

    for (unsigned i = 0; i < bins; i++)
        s += (h[i] - e) * (h[i] - e) / e;
    return s;
}

double leak_chi2_two(const unsigned *a, const unsigned *b, unsigned bins, double na, double nb,
                     double *df)
{
    double s = 0, ka = sqrt(nb / na), kb = sqrt(na / nb);
    unsigned used = 0;

    for (unsigned i = 0; i < bins; i++)
        if (a[i] + b[i] > 0) {
            double d = (double)a[i] * ka - (double)b[i] * kb;
            s += d * d / (a[i] + b[i]);
            used++;
        }
    *df = used > 1 ? used - 1 : 1;
    return s;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int leak_position(const uint64_t *col, int n, unsigned shift, uint64_t *scratch, unsigned *h,
                  unsigned *pool)
{
    int distinct = 1;

    memcpy(scratch, col, (size_t)n * sizeof *scratch);
    qsort(scratch, (size_t)n, sizeof *scratch, cmp_u64);
    for (int i = 1; i < n; i++)
        distinct += scratch[i] != scratch[i - 1];
    for (int i = 0; i < n; i++) {
        /* top byte of a uniform element of [0, p): 0xff only for a sliver */
        h[scratch[i] >> shift]++;
        pool[scratch[i] >> 56]++;
    }
    return distinct;
}

int leak_indistinguishable(const uint64_t *a, int na, const uint64_t *b, int nb, size_t n_pos,
                           size_t stride, const char *what)
{
    size_t fails = 0;
    unsigned pa[256] = {0}, pb[256] = {0};
    double df, crit_pool, st;

    for (size_t k = 0; k < n_pos; k++) {
        unsigned ha[256] = {0}, hb[256] = {0};
        for (int i = 0; i < na; i++) {
            ha[a[k * stride + i] >> 56]++;
            pa[a[k * stride + i] >> 56]++;
        }
        for (int i = 0; i < nb; i++) {
            hb[b[k * stride + i] >> 56]++;
            pb[b[k * stride + i] >> 56]++;
        }
        st = leak_chi2_two(ha, hb, 256, na, nb, &df);
        fails += st > leak_chi2_crit(df, 0.001 / (double)n_pos);
    }
    st = leak_chi2_two(pa, pb, 256, (double)na * n_pos, (double)nb * n_pos, &df);
    crit_pool = leak_chi2_crit(df, 0.001);
    printf("# %s: %zu of %zu positions differ; pooled %.1f (crit %.1f)\n", what, fails, n_pos,
           st, crit_pool);
    return fails == 0 && st <= crit_pool;
}

/* ---------------- extraction ---------------- */

int leak_put(leak_vec *v, uint64_t x)
{
    if (v->n == v->cap)
        return 0;
    v->out[v->n++] = x;
    return 1;
}

int leak_put_exts(leak_vec *v, zkr_dec *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        zkr_ext e;
        if (zkr_dec_ext(d, &e) != ZKR_OK)
            return 0;
        for (int c = 0; c < 3; c++)
            if (!leak_put(v, e.c[c]))
                return 0;
    }
    return 1;
}

int leak_put_tree(leak_vec *v, zkr_dec *d, size_t words, uint32_t j)
{
    uint32_t n_open, n_sib;
    const uint8_t *raw;

    if (zkr_dec_u32(d, &n_open) != ZKR_OK || zkr_dec_u32(d, &n_sib) != ZKR_OK || n_open < j)
        return 0;
    for (uint32_t i = 0; i < n_open; i++) {
        if (zkr_dec_raw(d, ZKR_SALT_BYTES, &raw) != ZKR_OK ||
            zkr_dec_raw(d, 8 * words, &raw) != ZKR_OK)
            return 0;
        if (i < j)
            for (size_t w = 0; w < words; w++)
                if (!leak_put(v, zkr_load_le64(raw + 8 * w)))
                    return 0;
    }
    return zkr_dec_raw(d, (size_t)n_sib * ZKR_DIGEST_BYTES, &raw) == ZKR_OK;
}

static int leak_put_hpcs_run(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned total,
                             size_t k, const int *f_ext, uint32_t j, uint64_t ones, int masked);

int leak_put_hpcs(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned total, size_t k,
                  const int *f_ext, uint32_t j, uint64_t ones)
{
    return leak_put_hpcs_run(v, d, p, total, k, f_ext, j, ones, 0);
}

int leak_put_hpcs_masked(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned total,
                         uint32_t j)
{
    static const int base[1] = {0};

    return leak_put_hpcs_run(v, d, p, total, 1, base, j, 0, 1);
}

static int leak_put_hpcs_run(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned total,
                             size_t k, const int *f_ext, uint32_t j, uint64_t ones, int masked)
{
    zkr_pcs_layout l;
    const uint8_t *raw;
    uint64_t nonce;

    zkr_hpcs_layout_of(p, total, &l);
    for (unsigned i = 0; i < l.folds_total; i++) {
        zkr_ext h0;
        if ((ones >> i) & 1) {
            if (zkr_dec_ext(d, &h0) != ZKR_OK || !leak_put_exts(v, d, 1))
                return 0;
        } else if (!leak_put_exts(v, d, 2)) {
            return 0;
        }
    }
    if (l.n_layers > 1 &&
        zkr_dec_raw(d, (size_t)(l.n_layers - 1) * ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return 0;
    if (!leak_put_exts(v, d, (size_t)1 << l.final_vars) || zkr_dec_u64(d, &nonce) != ZKR_OK)
        return 0;
    for (unsigned layer = 0; layer < l.n_layers; layer++) {
        if (layer == 0 && masked) { /* F's base words and Z's extension words, one tree */
            if (!leak_put_tree(v, d, (size_t)4 << l.folds[0], j))
                return 0;
            continue;
        }
        for (size_t i = 0; layer == 0 && i < k; i++)
            if (!leak_put_tree(v, d, (size_t)(f_ext[i] ? 3 : 1) << l.folds[0], j))
                return 0;
        if (!leak_put_tree(v, d, (size_t)3 << l.folds[layer], j))
            return 0;
    }
    return 1;
}

int leak_put_hmixed(leak_vec *v, zkr_dec *d, const zkr_params *p, const unsigned *totals,
                    const int *f_ext, size_t k, uint32_t fit, uint32_t stack, int nested,
                    uint32_t j)
{
    zkr_hpcs_mixed_plan pl;
    const zkr_pcs_layout *l = &pl.l;
    const uint8_t *raw;
    uint64_t nonce;
    /* the opening's own values (b, messages, final polynomial, Z's and the folded layers'
     * entries): F_p^3, or F_p^6 (two F_p^3 halves, each sampled) where p->mixed_ext6 */
    size_t hv = p->mixed_ext6 ? 2 : 1;

    if (zkr_hpcs_mixed_plan_of(p, totals, k, &pl) != ZKR_OK ||
        zkr_hpcs_mixed_plan_fit(fit, k, &pl) != ZKR_OK ||
        (!nested && zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK) ||
        !leak_put_exts(v, d, hv) || !leak_put_exts(v, d, hv * 2 * (size_t)l->folds_total))
        return 0;
    if (l->n_layers > 1 &&
        zkr_dec_raw(d, (size_t)(l->n_layers - 1) * ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return 0;
    if (!leak_put_exts(v, d, hv << l->final_vars) || zkr_dec_u64(d, &nonce) != ZKR_OK)
        return 0;
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        for (size_t i = 0; layer == 0 && i < k; i++) {
            size_t w = (size_t)(f_ext[i] ? 3 : 1) << l->folds[0];
            if (pl.d[i] != 0 || ((stack >> i) & 1u))
                continue; /* a stacked group's members are in its first member's leaves */
            for (size_t g = i + 1; g < k && ((stack >> g) & 1u); g++)
                w += (size_t)(f_ext[g] ? 3 : 1) << l->folds[0];
            if (!leak_put_tree(v, d, w, j))
                return 0;
        }
        /* layer 0: Z's tree, one extension value a leaf (the periodic mask, since inference@2
         * version 7 / training-step@2 version 6); later layers: the folded layer's, each leaf
         * less the value its first query derives (inference@2 15, training-step@2 7) */
        if (!leak_put_tree(v, d, hv * (layer == 0 ? 3 : ((size_t)3 << l->folds[layer]) - 3), j))
            return 0;
        for (size_t i = 0; i < k; i++) {
            size_t w = (size_t)(f_ext[i] ? 3 : 1) << pl.arity[i];
            if (pl.d[i] == 0 || pl.layer[i] != layer || ((stack >> i) & 1u))
                continue; /* a stacked member's values are in the previous member's leaves */
            for (size_t g = i + 1; g < k && ((stack >> g) & 1u); g++)
                w += (size_t)(f_ext[g] ? 3 : 1) << pl.arity[g];
            if (!leak_put_tree(v, d, w, j))
                return 0;
        }
    }
    return 1;
}

int leak_put_range(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned n, unsigned e,
                   uint32_t j_batch, uint32_t j_c)
{
    static const int batch_ext[4] = {0, 1, 1, 0};
    static const int c_ext[1] = {0};
    unsigned N = zkr_zkrange_sc_vars(n), lc = zkr_zkrange_coef_vars(n);
    const uint8_t *raw;

    if (zkr_dec_raw(d, 4 * ZKR_DIGEST_BYTES, &raw) != ZKR_OK ||
        !leak_put_exts(v, d, 1 + (size_t)N * ZKR_ZKRANGE_DEGREE + 5) ||
        zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK || !leak_put_exts(v, d, 1) ||
        !leak_put_hpcs(v, d, p, n + e, 4, batch_ext, j_batch, 0))
        return 0;
    if (zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK ||
        !leak_put_exts(v, d, 2 + 2 * (size_t)lc))
        return 0;
    return leak_put_hpcs(v, d, p, lc + zkr_hpcs_blind_vars(p, lc, 1), 1, c_ext, j_c, 0);
}

int leak_put_range_link(leak_vec *v, zkr_dec *d, const zkr_params *p, unsigned n, unsigned e,
                        unsigned b_total, uint32_t j_batch, uint32_t j_c)
{
    static const int batch_ext[4] = {0, 1, 1, 0};
    static const int base1[1] = {0};
    unsigned N = zkr_zkrange_sc_vars(n), lc = zkr_zkrange_coef_vars(n);
    const uint8_t *raw;

    if (zkr_dec_raw(d, 4 * ZKR_DIGEST_BYTES, &raw) != ZKR_OK ||
        !leak_put_exts(v, d, 1 + (size_t)N * ZKR_ZKRANGE_DEGREE + 5 + 1) ||
        zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK || !leak_put_exts(v, d, 1) ||
        !leak_put_hpcs(v, d, p, n + e, 4, batch_ext, j_batch, 0))
        return 0;
    if (zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK || !leak_put_exts(v, d, 1) ||
        !leak_put_hpcs(v, d, p, b_total, 1, base1, j_batch, 0))
        return 0;
    if (zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK ||
        !leak_put_exts(v, d, 2 + 2 * (size_t)lc))
        return 0;
    return leak_put_hpcs(v, d, p, lc + zkr_hpcs_blind_vars(p, lc, 1), 1, base1, j_c, 0);
}

int leak_find(const zkr_buf *pf, const uint8_t *pat, size_t n)
{
    /* memmem, not a memcmp at every offset: the scan runs for every
     * pattern of every proof and was a sixth of the suite's time. */
    return n == 0 || memmem(pf->p, pf->len, pat, n) != NULL;
}

/* ---------------- one sample set against uniform ---------------- */

int leak_uniform_top_byte(const uint64_t *v, int n, size_t n_pos, size_t stride, int need,
                          const char *what, leak_uniform_verdict *vd)
{
    double crit = leak_chi2_crit(255, 0.001 / (double)(n_pos ? n_pos : 1));
    double pcrit = leak_chi2_crit(255, 0.001);
    unsigned *pool = calloc(256, sizeof *pool);
    uint64_t *sorted = malloc((size_t)(n > 0 ? n : 1) * sizeof *sorted);
    uint64_t *col = malloc((size_t)(n > 0 ? n : 1) * sizeof *col);

    memset(vd, 0, sizeof *vd);
    vd->n_pos = n_pos;
    for (size_t k = 0; k < n_pos && pool && sorted && col; k++) {
        unsigned h[256] = {0};
        int distinct;
        for (int i = 0; i < n; i++)
            col[i] = v[k * stride + (size_t)i];
        distinct = leak_position(col, n, 56, sorted, h, pool);
        vd->few_distinct += distinct < need;
        vd->chi_fail += leak_chi2_uniform(h, 256, n) > crit;
    }
    vd->pooled_fail = !pool || !sorted || !col ||
                      leak_chi2_uniform(pool, 256, (double)n_pos * n) > pcrit;
    printf("# %s: %d proofs, %zu positions: %zu with < %d distinct values, %zu failing the "
           "top-byte chi-square (crit %.1f), pooled %s\n",
           what, n, n_pos, vd->few_distinct, need, vd->chi_fail, crit,
           vd->pooled_fail ? "FAIL" : "ok");
    free(pool);
    free(sorted);
    free(col);
    return !vd->few_distinct && !vd->chi_fail && !vd->pooled_fail && n_pos > 0;
}

/* ---------------- conditioned on the transcript ---------------- */

int leak_mle_bytes(const uint8_t *v, unsigned n, const zkr_ext *pt, zkr_ext *out)
{
    unsigned fr[64], nf;
    uint64_t base;
    zkr_ext zf[64], *eq, acc = zkr_ext_from(0);

    if (n > 64)
        return 0;
    nf = zkr_mle_split_point(pt, n, zf, fr, &base);
    if (nf > 24 || !(eq = calloc((size_t)1 << nf, sizeof *eq)))
        return 0;
    zkr_mle_eq_table(zf, nf, eq);
    for (size_t a = 0; a < ((size_t)1 << nf); a++) {
        uint64_t idx = zkr_mle_subcube_index(base, fr, nf, a);
        acc = zkr_ext_add(acc, zkr_ext_mul_base(eq[a], v[idx]));
    }
    free(eq);
    *out = acc;
    return 1;
}

void leak_cond_add(leak_cond_tally *t, const zkr_ext *revealed, const zkr_ext *pred0,
                   const zkr_ext *pred1, size_t n, int truth)
{
    size_t m[2] = {0, 0};

    for (size_t i = 0; i < n; i++) {
        if (zkr_ext_eq(pred0[i], pred1[i]))
            continue;
        t->informative++;
        m[0] += zkr_ext_eq(revealed[i], pred0[i]);
        m[1] += zkr_ext_eq(revealed[i], pred1[i]);
    }
    t->proofs++;
    t->match_true += m[truth != 0];
    t->match_other += m[truth == 0];
    t->told += m[truth != 0] > m[truth == 0];
}

int leak_cond_blind(const leak_cond_tally *t, const char *what)
{
    printf("# %s: %zu proofs, %zu informative revealed values: %zu equal the true secret's "
           "prediction, %zu the other's; the secret told in %zu proofs\n",
           what, t->proofs, t->informative, t->match_true, t->match_other, t->told);
    return t->proofs > 0 && t->informative >= t->proofs && t->match_true == 0 &&
           t->match_other == 0;
}
