/* LogUp by GKR over fractional sums, prover side (see zk/logup.c). */
#include <stdlib.h>
#include <string.h>

#include "prover/accel.h"
#include "prover/prover.h"
#include "zk/zk_int.h"
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
    zkr_ext alpha, alpha2; /* alpha2 = alpha^2 (the witness leaves' products) */
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
    if (j->k + 1 == f->n && !f->num) {
        /* Numerators 1: p = 2 alpha - (a + b) and q = (alpha - a)(alpha - b) =
         * alpha^2 - (a + b) alpha + a b, base products instead of an extension one
         * (the same field elements). */
        zkr_ext a2 = zkr_ext_add(f->alpha, f->alpha);
        for (size_t x = lo; x < hi; x++) {
            zkr_gl u = zkr_gl_add(f->val[x], f->val[x + h]), m = zkr_gl_mul(f->val[x], f->val[x + h]);
            zkr_ext q = zkr_ext_sub(f->alpha2, zkr_ext_mul_base(f->alpha, u));
            q.c[0] = zkr_gl_add(q.c[0], m);
            j->p[x] = zkr_ext_sub(a2, zkr_ext_from(u));
            j->q[x] = q;
        }
        return;
    }
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
    if (zkr_ext8_ok()) /* eight at a time (zk/ext8.c; the same values) */
        lo = zkr_ext8_frac(f->p[j->k + 1], f->p[j->k + 1] + h, f->q[j->k + 1], f->q[j->k + 1] + h,
                           j->p, j->q, lo, hi);
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
    f->alpha2 = zkr_ext_mul(alpha, alpha);
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
 * One GKR layer's sumcheck without an eq table (the eq-factorised round,
 * as zkr_open_round in pcs.c): round i's polynomial is
 *   h(X) = c_i eq(rho_i, X) q(X),  q(X) = sum_x' eq(rho_>i, x') G(X, x'),
 *   G = pL qR + pR qL + lambda qL qR  (pL = pR = 1 for the witness leaves),
 * c_i = prod_{j<i} eq(rho_j, r_j). q has degree 2; the prover sums q(0) and
 * q(2) against the half-size suffix table eq(rho_>i, .) and takes q(1)
 * from the round's claim, h(0) + h(1) = claim. h(0), h(2), h(3) are the
 * same field elements as zkr_prover_sumcheck's on the tables
 * (eq, pL, pR, qL, qR): the messages and the proof bytes do not change.
 */
typedef struct {
    const zkr_ext *s;          /* eq(rho_>i, .), half entries */
    const zkr_ext *pl, *pr;    /* NULL: numerators 1 */
    const zkr_ext *ql, *qr;
    zkr_ext lambda;
    int want_q1;               /* c_i rho_i == 0: sum q(1) too (no inverse) */
    zkr_ext acc[ZKR_PAR_MAX][3];
    /* Round 0 of the witness leaves, read as base values (ql = alpha - val[0..h),
     * qr = alpha - val[h..2h)): sums of s u and s w, u = a + b, w = a b. */
    const zkr_gl *val;
    size_t h;
    zkr_ext leaf[ZKR_PAR_MAX][6]; /* U0 W0 U1 W1 U2 W2 */
    zkr_ext *fl, *fr, r, alpha;   /* the round-0 fold: ql, qr at half size */
} zkr_gkr_job;

/* G at one X for the leaf layer (numerators 1): qL + qR + lambda qL qR. */
static inline zkr_ext zkr_gkr_g1(zkr_ext lambda, zkr_ext ql, zkr_ext qr)
{
    return zkr_ext_add(zkr_ext_add(ql, qr), zkr_ext_mul(lambda, zkr_ext_mul(ql, qr)));
}

/* G at one X: pL qR + pR qL + lambda qL qR = pL qR + qL (pR + lambda qR), three products. */
static inline zkr_ext zkr_gkr_g(zkr_ext lambda, zkr_ext pl, zkr_ext pr, zkr_ext ql, zkr_ext qr)
{
    return zkr_ext_add(zkr_ext_mul(pl, qr),
                       zkr_ext_mul(ql, zkr_ext_add(pr, zkr_ext_mul(lambda, qr))));
}

/* 2 t1 - t0: the line through (0, t0) and (1, t1) at X = 2. */
static inline zkr_ext zkr_gkr_at2(zkr_ext t0, zkr_ext t1)
{
    return zkr_ext_sub(zkr_ext_add(t1, t1), t0);
}

static void zkr_gkr_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_gkr_job *j = ctx;
    const zkr_ext *ql = j->ql, *qr = j->qr, *pl = j->pl, *pr = j->pr, *s = j->s;
    zkr_ext a0 = zkr_ext_from(0), a1 = zkr_ext_from(0), a2 = zkr_ext_from(0), lam = j->lambda;

    /* Eight pairs a step where AVX-512 runs (zk/ext8.c; the same sums). */
    if (!j->want_q1 && zkr_ext8_ok()) {
        zkr_ext q[2] = {zkr_ext_from(0), zkr_ext_from(0)};
        lo = zkr_ext8_gkr_sums(s, pl, pr, ql, qr, lam, lo, hi, q);
        a0 = q[0];
        a2 = q[1];
    }

    if (!pl) {
        for (size_t i = lo; i < hi; i++) {
            zkr_ext l0 = ql[2 * i], l1 = ql[2 * i + 1], r0 = qr[2 * i], r1 = qr[2 * i + 1];
            a0 = zkr_ext_add(a0, zkr_ext_mul(s[i], zkr_gkr_g1(lam, l0, r0)));
            a2 = zkr_ext_add(a2, zkr_ext_mul(s[i], zkr_gkr_g1(lam, zkr_gkr_at2(l0, l1),
                                                                zkr_gkr_at2(r0, r1))));
            if (j->want_q1)
                a1 = zkr_ext_add(a1, zkr_ext_mul(s[i], zkr_gkr_g1(lam, l1, r1)));
        }
    } else {
        for (size_t i = lo; i < hi; i++) {
            zkr_ext l0 = ql[2 * i], l1 = ql[2 * i + 1], r0 = qr[2 * i], r1 = qr[2 * i + 1];
            zkr_ext m0 = pl[2 * i], m1 = pl[2 * i + 1], n0 = pr[2 * i], n1 = pr[2 * i + 1];
            a0 = zkr_ext_add(a0, zkr_ext_mul(s[i], zkr_gkr_g(lam, m0, n0, l0, r0)));
            a2 = zkr_ext_add(a2, zkr_ext_mul(s[i], zkr_gkr_g(lam, zkr_gkr_at2(m0, m1),
                                                               zkr_gkr_at2(n0, n1),
                                                               zkr_gkr_at2(l0, l1),
                                                               zkr_gkr_at2(r0, r1))));
            if (j->want_q1)
                a1 = zkr_ext_add(a1, zkr_ext_mul(s[i], zkr_gkr_g(lam, m1, n1, l1, r1)));
        }
    }
    j->acc[w][0] = a0;
    j->acc[w][1] = a1;
    j->acc[w][2] = a2;
}

/*
 * Round 0 on the witness leaves without materializing them: with a, b the
 * leaf values at X, qL qR = alpha^2 - u alpha + w and qL + qR = 2 alpha - u,
 * so G = (2 alpha + lambda alpha^2) - u (1 + lambda alpha) + lambda w and
 * q(X) needs only sum s u and sum s w (sum s = 1), base-times-extension.
 */
static void zkr_gkr_leaf_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_gkr_job *j = ctx;
    const zkr_gl *va = j->val, *vb = j->val + j->h;
    const zkr_ext *s = j->s;
    zkr_ext acc[6];

    for (unsigned x = 0; x < 6; x++)
        acc[x] = zkr_ext_from(0);
    for (size_t i = lo; i < hi; i++) {
        zkr_gl a0 = va[2 * i], a1 = va[2 * i + 1], b0 = vb[2 * i], b1 = vb[2 * i + 1];
        zkr_gl a2 = zkr_gl_sub(zkr_gl_add(a1, a1), a0), b2 = zkr_gl_sub(zkr_gl_add(b1, b1), b0);
        acc[0] = zkr_ext_add(acc[0], zkr_ext_mul_base(s[i], zkr_gl_add(a0, b0)));
        acc[1] = zkr_ext_add(acc[1], zkr_ext_mul_base(s[i], zkr_gl_mul(a0, b0)));
        acc[4] = zkr_ext_add(acc[4], zkr_ext_mul_base(s[i], zkr_gl_add(a2, b2)));
        acc[5] = zkr_ext_add(acc[5], zkr_ext_mul_base(s[i], zkr_gl_mul(a2, b2)));
        if (j->want_q1) {
            acc[2] = zkr_ext_add(acc[2], zkr_ext_mul_base(s[i], zkr_gl_add(a1, b1)));
            acc[3] = zkr_ext_add(acc[3], zkr_ext_mul_base(s[i], zkr_gl_mul(a1, b1)));
        }
    }
    memcpy(j->leaf[w], acc, sizeof acc);
}

/* ql, qr folded at r straight from the base leaves: alpha - (a0 + r (a1 - a0)). */
static void zkr_gkr_leaf_fold(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_gkr_job *j = ctx;
    const zkr_gl *va = j->val, *vb = j->val + j->h;

    (void)w;
    for (size_t i = lo; i < hi; i++) {
        zkr_ext a = zkr_ext_mul_base(j->r, zkr_gl_sub(va[2 * i + 1], va[2 * i]));
        zkr_ext b = zkr_ext_mul_base(j->r, zkr_gl_sub(vb[2 * i + 1], vb[2 * i]));
        a.c[0] = zkr_gl_add(a.c[0], va[2 * i]);
        b.c[0] = zkr_gl_add(b.c[0], vb[2 * i]);
        j->fl[i] = zkr_ext_sub(j->alpha, a);
        j->fr[i] = zkr_ext_sub(j->alpha, b);
    }
}

/* q(0), q(1) (when want_q1), q(2) of round 0 on the base leaves. */
static void zkr_gkr_leaf_sums(zkr_gkr_job *j, size_t half, unsigned threads, zkr_ext q[3])
{
    zkr_ext tot[6], a2 = zkr_ext_mul(j->alpha, j->alpha);
    zkr_ext c0 = zkr_ext_add(zkr_ext_add(j->alpha, j->alpha), zkr_ext_mul(j->lambda, a2));
    zkr_ext c1 = zkr_ext_add(zkr_ext_from(1), zkr_ext_mul(j->lambda, j->alpha));

    memset(j->leaf, 0, sizeof j->leaf);
    zkr_par_for(threads, half, 1024, zkr_gkr_leaf_chunk, j);
    for (unsigned x = 0; x < 6; x++) {
        tot[x] = zkr_ext_from(0);
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
            tot[x] = zkr_ext_add(tot[x], j->leaf[w][x]);
    }
    for (unsigned x = 0; x < 3; x++)
        q[x] = zkr_ext_add(zkr_ext_sub(c0, zkr_ext_mul(c1, tot[2 * x])),
                           zkr_ext_mul(j->lambda, tot[2 * x + 1]));
}

/* q(0), q(1) (when want_q1) and q(2) over `half` pairs. */
static void zkr_gkr_sums(zkr_gkr_job *j, size_t half, unsigned threads, zkr_ext q[3])
{
    memset(j->acc, 0, sizeof j->acc);
    zkr_par_for(threads, half, 1024, zkr_gkr_chunk, j);
    for (unsigned x = 0; x < 3; x++) {
        q[x] = zkr_ext_from(0);
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
            q[x] = zkr_ext_add(q[x], j->acc[w][x]);
    }
}

/*
 * The k rounds of layer k's sumcheck on tab = (unused, pL, pR, qL, qR) or
 * (unused, qL, qR) (n_tab 5 or 3), claim = p + lambda q of the layer above.
 * Folds the tables in place; msgs and r as zkr_prover_sumcheck's.
 */
static zkr_err zkr_gkr_sumcheck(zkr_transcript *t, zkr_ext **tab, unsigned n_tab, unsigned k,
                                const zkr_ext *rho, zkr_ext lambda, zkr_ext claim,
                                const zkr_gl *val, zkr_ext alpha, unsigned threads,
                                zkr_ext *msgs, zkr_ext *r)
{
    zkr_ext *s = NULL, *s2 = NULL, c = zkr_ext_from(1), one = zkr_ext_from(1);
    zkr_gkr_job *j = NULL;
    zkr_err e = ZKR_OK;

    if (k == 0)
        return ZKR_OK;
    s = malloc(((size_t)1 << (k - 1)) * sizeof *s);
    s2 = k >= 2 ? malloc(((size_t)1 << (k - 2)) * sizeof *s2) : NULL;
    j = calloc(1, sizeof *j);
    if (!s || !j || (k >= 2 && !s2)) {
        e = ZKR_ERR_NOMEM;
        goto out;
    }
    j->s = s;
    j->lambda = lambda;
    /* val: round 0 reads the witness leaves alpha - val (2^(k+1) of them) and
     * writes its fold into tab[1], tab[2] (2^(k-1) entries each). */
    j->val = val;
    j->h = (size_t)1 << k;
    j->alpha = alpha;
    j->fl = tab[1];
    j->fr = tab[2];
    for (unsigned i = 0; i < k; i++) {
        size_t half = (size_t)1 << (k - 1 - i);
        zkr_ext q[3], *msg = msgs + (size_t)3 * i, ri = rho[i], cr = zkr_ext_mul(c, ri);
        zkr_ext e0 = zkr_ext_sub(one, ri);                                  /* eq(rho_i, 0) */
        zkr_ext e2 = zkr_ext_sub(zkr_ext_mul_base(ri, 3), one);             /* eq(rho_i, 2) */
        zkr_ext e3 = zkr_ext_sub(zkr_ext_mul_base(ri, 5), zkr_ext_from(2)); /* eq(rho_i, 3) */
        zkr_sc_poly f = {tab + 1, n_tab - 1, NULL, 0, 3, NULL};
        if (i == 0) {
            zkr_mle_eq_table_mt(rho + 1, k - 1, threads, s);
        } else {
            /* Round i's suffix table from round i-1's: one addition an entry. */
            zkr_ext *tmp = s;
            zkr_mle_sum_first_mt(s, k - i, threads, s2);
            s = s2;
            s2 = tmp;
        }
        j->s = s;
        if (n_tab == 5) {
            j->pl = tab[1], j->pr = tab[2], j->ql = tab[3], j->qr = tab[4];
        } else {
            j->pl = j->pr = NULL, j->ql = tab[1], j->qr = tab[2];
        }
        j->want_q1 = zkr_ext_eq(cr, zkr_ext_from(0));
        if (i == 0 && val)
            zkr_gkr_leaf_sums(j, half, threads, q);
        else
            zkr_gkr_sums(j, half, threads, q);
        msg[0] = zkr_ext_mul(c, zkr_ext_mul(e0, q[0]));
        if (!j->want_q1) /* h(1) = claim - h(0) = c rho_i q(1) */
            q[1] = zkr_ext_mul(zkr_ext_sub(claim, msg[0]), zkr_ext_inv(cr));
        {
            /* q quadratic: q(3) = q(0) - 3 q(1) + 3 q(2). */
            zkr_ext q3 = zkr_ext_add(q[0], zkr_ext_mul_base(zkr_ext_sub(q[2], q[1]), 3));
            msg[1] = zkr_ext_mul(c, zkr_ext_mul(e2, q[2]));
            msg[2] = zkr_ext_mul(c, zkr_ext_mul(e3, q3));
        }
        zkr_ts_absorb_ext(t, "sc-round", msg, 3);
        r[i] = zkr_ts_challenge_ext(t, "sc-challenge");
        claim = zkr_sumcheck_round_eval(msg, 3, claim, r[i]);
        /* c_{i+1} = c_i eq(rho_i, r_i) */
        c = zkr_ext_mul(c, zkr_ext_add(zkr_ext_mul(e0, zkr_ext_sub(one, r[i])),
                                       zkr_ext_mul(ri, r[i])));
        if (i == 0 && val) {
            j->r = r[0];
            zkr_par_for(threads, half, 4096, zkr_gkr_leaf_fold, j);
        } else {
            zkr_prover_sc_fold(&f, k - i, r[i], threads);
        }
    }
out:
    free(s);
    free(s2);
    free(j);
    return e;
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
        zkr_ext claim = zkr_ext_add(*leaf_p, zkr_ext_mul(lambda, *leaf_q));
        zkr_ext *tab[5];
        /* An accelerator's sumcheck runs on the generic tables (eq built). */
        int generic = accel && accel->sc_round, base_leaves;
        if (generic && !(eq = malloc(h * sizeof(zkr_ext)))) {
            r_ = ZKR_ERR_NOMEM;
            goto out;
        }
        /* The witness leaves (numerators 1) of a layer with rounds: round 0
         * reads them as base values, only its fold (half size) is stored. */
        base_leaves = k + 1 == f->n && !f->num && !generic && k > 0;
        if (base_leaves) {
            if (!(lq = malloc(h * sizeof(zkr_ext)))) {
                r_ = ZKR_ERR_NOMEM;
                goto out;
            }
        } else if (k + 1 == f->n) {
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
        if (generic)
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
            if (generic)
                zkr_prover_sumcheck_accel(&sc, k, t, threads, accel, msgs, r);
            else if ((r_ = zkr_gkr_sumcheck(t, tab, 5, k, rho, lambda, claim, NULL, f->alpha,
                                            threads, msgs, r)) != ZKR_OK)
                goto out;
            e[0] = tab[1][0], e[1] = tab[2][0], e[2] = tab[3][0], e[3] = tab[4][0];
        } else {
            /* The same polynomial with the constant-1 numerators multiplied out:
             * the same round messages, a third fewer products. */
            tab[1] = lq;
            tab[2] = lq + (base_leaves ? h / 2 : h);
            zkr_sc_term terms[3] = {{zkr_ext_from(1), 2, {0, 2}},
                                    {zkr_ext_from(1), 2, {0, 1}},
                                    {lambda, 3, {0, 1, 2}}};
            zkr_sc_poly sc = {tab, 3, terms, 3, 3, NULL};
            if (generic)
                zkr_prover_sumcheck_accel(&sc, k, t, threads, accel, msgs, r);
            else if ((r_ = zkr_gkr_sumcheck(t, tab, 3, k, rho, lambda, claim,
                                            base_leaves ? f->val : NULL, f->alpha, threads,
                                            msgs, r)) != ZKR_OK)
                goto out;
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
