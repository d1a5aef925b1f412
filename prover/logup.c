/* LogUp by GKR over fractional sums, prover side (see zk/logup.c). */
#include <stdlib.h>
#include <string.h>

#include "prover/accel.h"
#include "prover/prover.h"
#include "zkr_config.h"

zkr_err zkr_prover_logup_mult(const zkr_gl *a, size_t na, const zkr_gl *table, size_t nt,
                              zkr_gl *mult)
{
    /* Sorted index of the table for O(log nt) lookups. */
    size_t *ord = malloc((nt ? nt : 1) * sizeof *ord);
    zkr_err r = ZKR_OK;

    if (!ord)
        return ZKR_ERR_NOMEM;
    for (size_t j = 0; j < nt; j++) {
        ord[j] = j;
        mult[j] = 0;
    }
    /* insertion into sorted order by value (tables are small or pre-sorted) */
    for (size_t j = 1; j < nt; j++) {
        size_t v = ord[j], i = j;
        while (i > 0 && table[ord[i - 1]] > table[v]) {
            ord[i] = ord[i - 1];
            i--;
        }
        ord[i] = v;
    }
    for (size_t i = 0; i < na && r == ZKR_OK; i++) {
        size_t lo = 0, hi = nt;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (table[ord[mid]] < a[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == nt || table[ord[lo]] != a[i])
            r = ZKR_ERR_USAGE;
        else
            mult[ord[lo]] = zkr_gl_add(mult[ord[lo]], 1);
    }
    free(ord);
    return r;
}

/* All layers of one fraction tree: layer n = leaves, layer 0 = root. */
typedef struct {
    unsigned n;
    zkr_ext *p[31], *q[31];
} zkr_ftree;

static void zkr_ftree_free(zkr_ftree *f)
{
    for (unsigned k = 0; k <= f->n && k < 31; k++) {
        free(f->p[k]);
        free(f->q[k]);
    }
}

static zkr_err zkr_ftree_build(zkr_ftree *f, unsigned n, const zkr_gl *num, const zkr_gl *val,
                               zkr_ext alpha, const zkr_accel *accel)
{
    size_t len = (size_t)1 << n;

    memset(f, 0, sizeof *f);
    f->n = n;
    for (unsigned k = 0; k <= n; k++) {
        f->p[k] = malloc(((size_t)1 << k) * sizeof(zkr_ext));
        f->q[k] = malloc(((size_t)1 << k) * sizeof(zkr_ext));
        if (!f->p[k] || !f->q[k])
            return ZKR_ERR_NOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        f->p[n][i] = zkr_ext_from(num ? num[i] : 1);
        f->q[n][i] = zkr_ext_sub(alpha, zkr_ext_from(val[i]));
    }
    for (unsigned k = n; k-- > 0;) {
        size_t h = (size_t)1 << k;
        if (accel && accel->frac_layer &&
            accel->frac_layer(accel->ctx, f->p[k + 1], f->q[k + 1], h, f->p[k], f->q[k]) == ZKR_OK)
            continue;
        for (size_t x = 0; x < h; x++) {
            zkr_ext pl = f->p[k + 1][x], pr = f->p[k + 1][x + h];
            zkr_ext ql = f->q[k + 1][x], qr = f->q[k + 1][x + h];
            f->p[k][x] = zkr_ext_add(zkr_ext_mul(pl, qr), zkr_ext_mul(pr, ql));
            f->q[k][x] = zkr_ext_mul(ql, qr);
        }
    }
    return ZKR_OK;
}

/* GKR descent of one tree, mirroring zkr_logup_descend. */
static zkr_err zkr_ftree_prove(zkr_transcript *t, const zkr_ftree *f, unsigned threads,
                               const zkr_accel *accel, zkr_buf *out, zkr_ext *rho,
                               zkr_ext *leaf_p, zkr_ext *leaf_q)
{
    zkr_ext r[32], msgs[3 * 32];
    zkr_ext *tab[5] = {NULL, NULL, NULL, NULL, NULL};
    zkr_err r_ = ZKR_OK;

    *leaf_p = f->p[0][0];
    *leaf_q = f->q[0][0];
    for (unsigned k = 0; k < f->n; k++) {
        size_t h = (size_t)1 << k;
        zkr_ext lambda = zkr_ts_challenge_ext(t, "logup-lambda"), e[4], mu;
        for (int i = 0; i < 5; i++) {
            tab[i] = malloc(h * sizeof(zkr_ext));
            if (!tab[i]) {
                r_ = ZKR_ERR_NOMEM;
                goto out;
            }
        }
        zkr_mle_eq_table(rho, k, tab[0]);
        memcpy(tab[1], f->p[k + 1], h * sizeof(zkr_ext));
        memcpy(tab[2], f->p[k + 1] + h, h * sizeof(zkr_ext));
        memcpy(tab[3], f->q[k + 1], h * sizeof(zkr_ext));
        memcpy(tab[4], f->q[k + 1] + h, h * sizeof(zkr_ext));
        zkr_sc_term terms[3] = {{zkr_ext_from(1), 3, {0, 1, 4}},
                                {zkr_ext_from(1), 3, {0, 2, 3}},
                                {lambda, 3, {0, 3, 4}}};
        zkr_sc_poly sc = {tab, 5, terms, 3, 3, NULL};
        zkr_prover_sumcheck_accel(&sc, k, t, threads, accel, msgs, r);
        e[0] = tab[1][0], e[1] = tab[2][0], e[2] = tab[3][0], e[3] = tab[4][0];
        if ((r_ = zkr_enc_exts(out, msgs, (size_t)3 * k)) != ZKR_OK ||
            (r_ = zkr_enc_exts(out, e, 4)) != ZKR_OK)
            goto out;
        zkr_ts_absorb_ext(t, "logup-layer-evals", e, 4);
        mu = zkr_ts_challenge_ext(t, "logup-mu");
        *leaf_p = zkr_ext_add(e[0], zkr_ext_mul(mu, zkr_ext_sub(e[1], e[0])));
        *leaf_q = zkr_ext_add(e[2], zkr_ext_mul(mu, zkr_ext_sub(e[3], e[2])));
        memcpy(rho, r, k * sizeof *rho);
        rho[k] = mu;
        for (int i = 0; i < 5; i++) {
            free(tab[i]);
            tab[i] = NULL;
        }
    }
out:
    for (int i = 0; i < 5; i++)
        free(tab[i]);
    return r_;
}

/*
 * cheat (test builds only): instead of refusing unequal sums, rewrite the
 * table side's root numerator so that the root equation holds, the best a
 * cheating prover can do; the first GKR layer must then catch it.
 */
static zkr_err zkr_logup_run(zkr_transcript *t, const zkr_gl *a, unsigned na, const zkr_gl *table,
                             const zkr_gl *mult, unsigned nt, unsigned threads,
                             const zkr_accel *accel, int cheat, zkr_buf *out,
                             zkr_logup_claims *claims)
{
    zkr_ftree fw, ft;
    zkr_ext alpha;
    zkr_err r;
    size_t mark = out->len;

    memset(claims, 0, sizeof *claims);
    memset(&fw, 0, sizeof fw);
    memset(&ft, 0, sizeof ft);
    if (na > 30 || nt > 30)
        return ZKR_ERR_TOO_LARGE;
    alpha = zkr_ts_challenge_ext(t, "logup-alpha");
    if ((r = zkr_ftree_build(&fw, na, NULL, a, alpha, accel)) != ZKR_OK ||
        (r = zkr_ftree_build(&ft, nt, mult, table, alpha, accel)) != ZKR_OK)
        goto out;
    if (cheat)
        ft.p[0][0] = zkr_ext_mul(zkr_ext_mul(fw.p[0][0], ft.q[0][0]), zkr_ext_inv(fw.q[0][0]));
    /* The honest prover refuses unequal sums instead of emitting a bad proof. */
    if (!zkr_ext_eq(zkr_ext_mul(fw.p[0][0], ft.q[0][0]), zkr_ext_mul(ft.p[0][0], fw.q[0][0]))) {
        r = ZKR_ERR_USAGE;
        goto out;
    }
    zkr_ext roots[4] = {fw.p[0][0], fw.q[0][0], ft.p[0][0], ft.q[0][0]};
    for (int i = 0; i < 4; i++)
        zkr_ts_absorb_ext(t, "logup-roots", &roots[i], 1);
    zkr_ext pw, qw, pt, qt;
    if ((r = zkr_enc_exts(out, roots, 2)) != ZKR_OK ||
        (r = zkr_ftree_prove(t, &fw, threads, accel, out, claims->ra, &pw, &qw)) != ZKR_OK ||
        (r = zkr_enc_exts(out, roots + 2, 2)) != ZKR_OK ||
        (r = zkr_ftree_prove(t, &ft, threads, accel, out, claims->rt, &pt, &qt)) != ZKR_OK)
        goto out;
    claims->alpha = alpha;
    claims->a_at_ra = zkr_ext_sub(alpha, qw);
    claims->m_at_rt = pt;
    claims->t_at_rt = zkr_ext_sub(alpha, qt);
out:
    if (r != ZKR_OK)
        out->len = mark;
    zkr_ftree_free(&fw);
    zkr_ftree_free(&ft);
    return r;
}

zkr_err zkr_prover_logup_accel(zkr_transcript *t, const zkr_gl *a, unsigned na,
                               const zkr_gl *table, const zkr_gl *mult, unsigned nt,
                               unsigned threads, const zkr_accel *accel, zkr_buf *out,
                               zkr_logup_claims *claims)
{
    return zkr_logup_run(t, a, na, table, mult, nt, threads, accel, 0, out, claims);
}

zkr_err zkr_prover_logup(zkr_transcript *t, const zkr_gl *a, unsigned na, const zkr_gl *table,
                         const zkr_gl *mult, unsigned nt, unsigned threads, zkr_buf *out,
                         zkr_logup_claims *claims)
{
    return zkr_logup_run(t, a, na, table, mult, nt, threads, NULL, 0, out, claims);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_logup_cheat_accel(zkr_transcript *t, const zkr_gl *a, unsigned na,
                                     const zkr_gl *table, const zkr_gl *mult, unsigned nt,
                                     unsigned threads, const zkr_accel *accel, zkr_buf *out,
                                     zkr_logup_claims *claims)
{
    return zkr_logup_run(t, a, na, table, mult, nt, threads, accel, 1, out, claims);
}

zkr_err zkr_prover_logup_cheat(zkr_transcript *t, const zkr_gl *a, unsigned na,
                               const zkr_gl *table, const zkr_gl *mult, unsigned nt,
                               unsigned threads, zkr_buf *out, zkr_logup_claims *claims)
{
    return zkr_logup_run(t, a, na, table, mult, nt, threads, NULL, 1, out, claims);
}
#endif
