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

/*
 * One fraction tree: layer n = the leaves (num_i or 1) / (alpha - val_i),
 * never stored (for a 2^25-entry witness they would be 1.6 GB of extension
 * elements); layers n-1..0 are built from it, layer 0 = the root. The
 * descent frees each layer once its sumcheck has consumed it.
 */
typedef struct {
    unsigned n;
    const zkr_gl *num, *val;
    zkr_ext alpha;
    zkr_ext *p[31], *q[31];
} zkr_ftree;

static void zkr_ftree_free(zkr_ftree *f)
{
    for (unsigned k = 0; k < 31; k++) {
        free(f->p[k]);
        free(f->q[k]);
        f->p[k] = f->q[k] = NULL;
    }
}

typedef struct {
    const zkr_ftree *f;
    unsigned k; /* the layer written */
    zkr_ext *p, *q;
} zkr_ftree_job;

/* Layer k from layer k + 1 (the leaves when k + 1 == n). */
static void zkr_ftree_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_ftree_job *j = ctx;
    const zkr_ftree *f = j->f;
    size_t h = (size_t)1 << j->k;

    (void)w;
    if (j->k + 1 == f->n) {
        for (size_t x = lo; x < hi; x++) {
            zkr_ext ql = zkr_ext_sub(f->alpha, zkr_ext_from(f->val[x]));
            zkr_ext qr = zkr_ext_sub(f->alpha, zkr_ext_from(f->val[x + h]));
            if (f->num)
                j->p[x] = zkr_ext_add(zkr_ext_mul_base(qr, f->num[x]),
                                      zkr_ext_mul_base(ql, f->num[x + h]));
            else
                j->p[x] = zkr_ext_add(qr, ql);
            j->q[x] = zkr_ext_mul(ql, qr);
        }
        return;
    }
    for (size_t x = lo; x < hi; x++) {
        zkr_ext pl = f->p[j->k + 1][x], pr = f->p[j->k + 1][x + h];
        zkr_ext ql = f->q[j->k + 1][x], qr = f->q[j->k + 1][x + h];
        j->p[x] = zkr_ext_add(zkr_ext_mul(pl, qr), zkr_ext_mul(pr, ql));
        j->q[x] = zkr_ext_mul(ql, qr);
    }
}

/* The leaves of [lo, hi) into p (when not NULL) and q. */
typedef struct {
    const zkr_ftree *f;
    zkr_ext *p, *q;
} zkr_leaf_job;

static void zkr_leaf_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_leaf_job *j = ctx;
    const zkr_ftree *f = j->f;

    (void)w;
    for (size_t x = lo; x < hi; x++) {
        if (j->p) /* NULL: numerators all 1, not stored */
            j->p[x] = zkr_ext_from(f->num ? f->num[x] : 1);
        j->q[x] = zkr_ext_sub(f->alpha, zkr_ext_from(f->val[x]));
    }
}

static zkr_err zkr_ftree_build(zkr_ftree *f, unsigned n, const zkr_gl *num, const zkr_gl *val,
                               zkr_ext alpha, unsigned threads, const zkr_accel *accel)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    f->num = num;
    f->val = val;
    f->alpha = alpha;
    if (n == 0) {
        /* The root is the single leaf. */
        zkr_leaf_job lj = {f, NULL, NULL};
        if (!(f->p[0] = malloc(sizeof(zkr_ext))) || !(f->q[0] = malloc(sizeof(zkr_ext))))
            return ZKR_ERR_NOMEM;
        lj.p = f->p[0];
        lj.q = f->q[0];
        zkr_leaf_chunk(&lj, 0, 1, 0);
        return ZKR_OK;
    }
    for (unsigned k = n; k-- > 0;) {
        size_t h = (size_t)1 << k;
        zkr_ftree_job j = {f, k, NULL, NULL};
        f->p[k] = malloc(h * sizeof(zkr_ext));
        f->q[k] = malloc(h * sizeof(zkr_ext));
        if (!f->p[k] || !f->q[k])
            return ZKR_ERR_NOMEM;
        if (k + 1 < n && accel && accel->frac_layer &&
            accel->frac_layer(accel->ctx, f->p[k + 1], f->q[k + 1], h, f->p[k], f->q[k]) == ZKR_OK)
            continue;
        j.p = f->p[k];
        j.q = f->q[k];
        zkr_par_for(threads, h, 4096, zkr_ftree_chunk, &j);
    }
    return ZKR_OK;
}

/*
 * GKR descent of one tree, mirroring zkr_logup_descend. Layer k + 1's two
 * halves are the sumcheck's tables of step k, folded in place (the layer
 * is not needed afterwards); the leaves are materialized for the last step
 * only.
 */
static zkr_err zkr_ftree_prove(zkr_transcript *t, zkr_ftree *f, unsigned threads,
                               const zkr_accel *accel, zkr_buf *out, zkr_ext *rho,
                               zkr_ext *leaf_p, zkr_ext *leaf_q)
{
    zkr_ext r[32], msgs[3 * 32];
    zkr_ext *eq = NULL, *lp = NULL, *lq = NULL;
    zkr_err r_ = ZKR_OK;

    *leaf_p = f->p[0][0];
    *leaf_q = f->q[0][0];
    for (unsigned k = 0; k < f->n; k++) {
        size_t h = (size_t)1 << k;
        zkr_ext lambda = zkr_ts_challenge_ext(t, "logup-lambda"), e[4], mu;
        zkr_ext *tab[5];
        if (!(eq = malloc(h * sizeof(zkr_ext)))) {
            r_ = ZKR_ERR_NOMEM;
            goto out;
        }
        if (k + 1 == f->n) {
            /* Witness-side numerators are all 1 and stay 1 when folded: no table. */
            zkr_leaf_job lj = {f, NULL, NULL};
            lp = f->num ? malloc(2 * h * sizeof(zkr_ext)) : NULL;
            lq = malloc(2 * h * sizeof(zkr_ext));
            if ((f->num && !lp) || !lq) {
                r_ = ZKR_ERR_NOMEM;
                goto out;
            }
            lj.p = lp;
            lj.q = lq;
            zkr_par_for(threads, 2 * h, 4096, zkr_leaf_chunk, &lj);
        } else {
            lp = f->p[k + 1];
            lq = f->q[k + 1];
            f->p[k + 1] = f->q[k + 1] = NULL;
        }
        zkr_mle_eq_table_mt(rho, k, threads, eq);
        tab[0] = eq;
        if (lp) {
            tab[1] = lp;
            tab[2] = lp + h;
            tab[3] = lq;
            tab[4] = lq + h;
            zkr_sc_term terms[3] = {{zkr_ext_from(1), 3, {0, 1, 4}},
                                    {zkr_ext_from(1), 3, {0, 2, 3}},
                                    {lambda, 3, {0, 3, 4}}};
            zkr_sc_poly sc = {tab, 5, terms, 3, 3, NULL};
            zkr_prover_sumcheck_accel(&sc, k, t, threads, accel, msgs, r);
            e[0] = tab[1][0], e[1] = tab[2][0], e[2] = tab[3][0], e[3] = tab[4][0];
        } else {
            /* The same polynomial with the constant-1 numerators multiplied out:
             * the same round messages, a third fewer products. */
            tab[1] = lq;
            tab[2] = lq + h;
            zkr_sc_term terms[3] = {{zkr_ext_from(1), 2, {0, 2}},
                                    {zkr_ext_from(1), 2, {0, 1}},
                                    {lambda, 3, {0, 1, 2}}};
            zkr_sc_poly sc = {tab, 3, terms, 3, 3, NULL};
            zkr_prover_sumcheck_accel(&sc, k, t, threads, accel, msgs, r);
            e[0] = e[1] = zkr_ext_from(1);
            e[2] = tab[1][0], e[3] = tab[2][0];
        }
        free(eq);
        free(lp);
        free(lq);
        eq = lp = lq = NULL;
        if ((r_ = zkr_enc_exts(out, msgs, (size_t)3 * k)) != ZKR_OK ||
            (r_ = zkr_enc_exts(out, e, 4)) != ZKR_OK)
            goto out;
        zkr_ts_absorb_ext(t, "logup-layer-evals", e, 4);
        mu = zkr_ts_challenge_ext(t, "logup-mu");
        *leaf_p = zkr_ext_add(e[0], zkr_ext_mul(mu, zkr_ext_sub(e[1], e[0])));
        *leaf_q = zkr_ext_add(e[2], zkr_ext_mul(mu, zkr_ext_sub(e[3], e[2])));
        memcpy(rho, r, k * sizeof *rho);
        rho[k] = mu;
    }
out:
    free(eq);
    free(lp);
    free(lq);
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
    if ((r = zkr_ftree_build(&fw, na, NULL, a, alpha, threads, accel)) != ZKR_OK ||
        (r = zkr_ftree_build(&ft, nt, mult, table, alpha, threads, accel)) != ZKR_OK)
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
