/*
 * evaluation-fixed@1 prover (docs/proof-system.md, "evaluation-fixed@1"):
 * the forward pass of a FIXED training model (docs/training.md section 5)
 * over every record of a committed range, as training-step@1 proves it for
 * one batch (zero-check of the hidden requantization and ReLU, matmul
 * sumchecks against the committed weights, the output's limbs), then each
 * record's argmax by range-checked key differences (evaluation@1's keyed
 * trick over o's 24 bits), and the number correct as one sumcheck of the
 * one-hot argmax against the public labels. Every range-checked value is a
 * 16-bit limb of V (one LogUp against 0..65535); no integer is recovered
 * by a field inverse.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/evaluation_fixed.h"
#include "zkr_config.h"

#define MAX_CLAIMS ZKR_EVALF_MAX_CLAIMS
#define MAX_PT ZKR_EVALF_MAX_PT

typedef struct {
    unsigned poly; /* W_l = l, V = L, M = L + 1 */
    zkr_ext pt[MAX_PT];
    zkr_ext val;
} claim;

typedef struct {
    const zkr_params *p;
    zkr_transcript *t;
    unsigned threads;
    zkr_evalf_shape s;
    zkr_train_model_parts tm;
    const zkr_eval_batch *batch;
    zkr_gl *v, *mult;
    zkr_gl *A[ZKR_EVALF_MAX_LAYERS]; /* Bp x Kp_l: [a | ONE | 0] */
    uint64_t correct;
    int cheat;
    claim cl[MAX_CLAIMS], scratch;
    size_t n_cl;
    zkr_buf *body;
    zkr_err err;
} pctx;

static claim *new_claim(pctx *c, unsigned poly)
{
    claim *k;

    if (c->n_cl == MAX_CLAIMS) { /* a hard error: 3 L + 7 <= 31 */
        c->err = ZKR_ERR_INTERNAL;
        k = &c->scratch;
    } else {
        k = &c->cl[c->n_cl++];
    }
    memset(k, 0, sizeof *k);
    k->poly = poly;
    return k;
}

static unsigned vpoly_id(const pctx *c)
{
    return c->s.n_layers;
}

static size_t grp_n(const pctx *c, uint32_t l)
{
    return (size_t)1 << (c->s.lb + c->s.lm[l]);
}

static zkr_gl *slot(pctx *c, uint32_t l, unsigned sl)
{
    return c->v + c->s.grp_off[l] + (size_t)sl * grp_n(c, l);
}

static zkr_gl *am_slot(pctx *c, unsigned sl)
{
    return c->v + c->s.am_off + ((size_t)sl << (c->s.lb + c->s.c));
}

static zkr_gl *ka_slot(pctx *c, unsigned sl)
{
    return c->v + c->s.ka_off + ((size_t)sl << c->s.lb);
}

static void send(pctx *c, zkr_ext v)
{
    zkr_ts_absorb_ext(c->t, "ef-value", &v, 1);
    if (c->err == ZKR_OK)
        c->err = zkr_enc_ext(c->body, v);
}

/* Sends the MLE of a block slot (nb variables) at pt and claims it on V. */
static zkr_ext send_block_slot(pctx *c, const zkr_gl *tab, unsigned nb, uint64_t off,
                               unsigned blog, unsigned sl, const zkr_ext *pt)
{
    claim *k = new_claim(c, vpoly_id(c));
    zkr_ext v = zkr_ext_from(0);

    if (c->err == ZKR_OK)
        c->err = zkr_mle_eval_base(tab, nb, pt, &v);
    memcpy(k->pt, pt, nb * sizeof *pt);
    for (unsigned i = nb; i < blog; i++)
        k->pt[i] = zkr_ext_from((sl >> (i - nb)) & 1);
    zkr_evalf_block_point(&c->s, off, blog, k->pt);
    k->val = v;
    send(c, v);
    return v;
}

static zkr_ext send_slot(pctx *c, uint32_t l, unsigned sl, const zkr_ext *pt)
{
    return send_block_slot(c, slot(c, l, sl), c->s.lb + c->s.lm[l], c->s.grp_off[l],
                           c->s.grp_log[l], sl, pt);
}

/* Sends the used slots of a block at rho (nb variables) and one tau-combined claim on V. */
static void send_group(pctx *c, const zkr_gl *base, unsigned nb, unsigned sg, unsigned used,
                       uint64_t off, unsigned blog, const zkr_ext *rho)
{
    zkr_ext vals[16] = {0}, eqt[16], acc = zkr_ext_from(0);
    claim *k;

    for (unsigned sl = 0; sl < used; sl++) {
        if (c->err == ZKR_OK)
            c->err = zkr_mle_eval_base(base + ((size_t)sl << nb), nb, rho, &vals[sl]);
        send(c, vals[sl]);
    }
    k = new_claim(c, vpoly_id(c));
    memcpy(k->pt, rho, nb * sizeof *rho);
    zkr_ts_challenge_exts(c->t, "ef-tau", k->pt + nb, sg);
    zkr_mle_eq_table(k->pt + nb, sg, eqt);
    for (unsigned sl = 0; sl < (1u << sg); sl++)
        acc = zkr_ext_add(acc, zkr_ext_mul(eqt[sl], vals[sl]));
    k->val = acc;
    zkr_evalf_block_point(&c->s, off, blog, k->pt);
}

/* out[col] = sum_row eq[row] T[row][col]  (T is 2^a x 2^cl, row-major). */
static void fold_rows(const zkr_gl *T, unsigned a, unsigned cl, const zkr_ext *eq, zkr_ext *out)
{
    size_t C = (size_t)1 << cl;

    for (size_t k = 0; k < C; k++)
        out[k] = zkr_ext_from(0);
    for (size_t r = 0; r < ((size_t)1 << a); r++)
        for (size_t k = 0; k < C; k++)
            if (T[r * C + k] != 0)
                out[k] = zkr_ext_add(out[k], zkr_ext_mul_base(eq[r], T[r * C + k]));
}

static void run_sumcheck(pctx *c, const zkr_sc_poly *f, unsigned n, zkr_ext *r)
{
    zkr_ext msgs[3 * MAX_PT];

    zkr_prover_sumcheck_accel(f, n, c->t, c->threads, c->p->accel, msgs, r);
    if (c->err == ZKR_OK)
        c->err = zkr_enc_exts(c->body, msgs, (size_t)f->degree * n);
}

/* A degree-2 sumcheck of sum_x f(x) g(x) over n variables. */
static void sc_product(pctx *c, zkr_ext *f, zkr_ext *g, unsigned n, zkr_ext *r)
{
    zkr_ext *tabs[2] = {f, g};
    zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
    zkr_sc_poly poly = {tabs, 2, &term, 1, 2, NULL};

    run_sumcheck(c, &poly, n, r);
}

/* Sends what the verifier needs for A~_l(kpt, bpt): nothing for l = 0 (public records). */
static void send_input(pctx *c, uint32_t l, const zkr_ext *kpt, const zkr_ext *bpt)
{
    zkr_ext pt[MAX_PT];
    unsigned lo;

    if (l == 0)
        return;
    lo = c->s.lm[l - 1];
    memcpy(pt, kpt, lo * sizeof *pt);
    memcpy(pt + lo, bpt, c->s.lb * sizeof *pt);
    send_slot(c, l - 1, ZKR_EF_H, pt);
}

/* z~_l(rho) = sum_k A~_l(k, rho_b) W~_l(k, rho_j), leaving claims on A and W. */
static zkr_err prove_forward(pctx *c, uint32_t l, const zkr_ext *rho)
{
    unsigned lk = c->s.lk[l], lm = c->s.lm[l], lb = c->s.lb;
    size_t Kp = (size_t)1 << lk;
    zkr_ext *eqj = calloc((size_t)1 << lm, sizeof(zkr_ext));
    zkr_ext *eqb = calloc((size_t)1 << lb, sizeof(zkr_ext));
    zkr_ext *a = calloc(Kp, sizeof(zkr_ext)), *w = calloc(Kp, sizeof(zkr_ext));
    zkr_ext kap[MAX_PT], pt[MAX_PT];
    zkr_err r = ZKR_ERR_NOMEM;

    if (!eqj || !eqb || !a || !w)
        goto out;
    zkr_mle_eq_table(rho, lm, eqj);
    zkr_mle_eq_table(rho + lm, lb, eqb);
    fold_rows(c->A[l], lb, lk, eqb, a);
    fold_rows(c->tm.w[l], lm, lk, eqj, w);
    sc_product(c, a, w, lk, kap);
    memcpy(pt, kap, lk * sizeof *pt);
    memcpy(pt + lk, rho, lm * sizeof *pt);
    {
        claim *k = new_claim(c, l);
        zkr_ext v = zkr_ext_from(0);
        if (c->err == ZKR_OK)
            c->err = zkr_mle_eval_base(c->tm.w[l], lk + lm, pt, &v);
        memcpy(k->pt, pt, (lk + lm) * sizeof *pt);
        k->val = v;
        send(c, v);
    }
    send_input(c, l, kap, rho + lm);
    r = c->err;
out:
    free(eqj);
    free(eqb);
    free(a);
    free(w);
    return r;
}

/* Copies base-field slot tables into ext tables. */
static void to_ext(const zkr_gl *src, size_t n, zkr_ext *dst)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = zkr_ext_from(src[i]);
}

/*
 * Hidden layer l: zero-check sum_x eq(z, x) [m^2 - m + lambda (h - m h) +
 * lambda^2 h n] = 0 (n from its two limbs), the group at rho, then the
 * forward product z~(rho) = 2^16 (h - n) + r - 2^15.
 */
static zkr_err prove_hidden(pctx *c, uint32_t l)
{
    enum { T_EQ, T_M, T_H, T_NLO, T_NHI, T_N };
    unsigned nb = c->s.lb + c->s.lm[l];
    size_t n = (size_t)1 << nb;
    zkr_ext *tab[T_N] = {0}, z[MAX_PT], rho[MAX_PT], lam[3];
    zkr_err r = ZKR_ERR_NOMEM;

    for (unsigned k = 0; k < T_N; k++)
        if (!(tab[k] = calloc(n, sizeof(zkr_ext))))
            goto out;
    zkr_ts_challenge_exts(c->t, "ef-z", z, nb);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(c->t, "ef-lambda");
    lam[2] = zkr_ext_mul(lam[1], lam[1]);
    zkr_mle_eq_table(z, nb, tab[T_EQ]);
    to_ext(slot(c, l, ZKR_EF_M), n, tab[T_M]);
    to_ext(slot(c, l, ZKR_EF_H), n, tab[T_H]);
    to_ext(slot(c, l, ZKR_EF_NLO), n, tab[T_NLO]);
    to_ext(slot(c, l, ZKR_EF_NHI), n, tab[T_NHI]);
    {
        zkr_ext one = zkr_ext_from(1), mone = zkr_ext_from(zkr_gl_neg(1));
        zkr_sc_term terms[] = {
            {one, 3, {T_EQ, T_M, T_M}},
            {mone, 2, {T_EQ, T_M}},
            {lam[1], 2, {T_EQ, T_H}},
            {zkr_ext_mul(lam[1], mone), 3, {T_EQ, T_M, T_H}},
            {lam[2], 3, {T_EQ, T_H, T_NLO}},
            {zkr_ext_mul_base(lam[2], zkr_train_pow2(16)), 3, {T_EQ, T_H, T_NHI}},
        };
        zkr_sc_poly f = {tab, T_N, terms, sizeof terms / sizeof terms[0], 3, NULL};
        run_sumcheck(c, &f, nb, rho);
    }
    send_group(c, slot(c, l, 0), nb, ZKR_EF_HIDDEN_LOG, ZKR_EF_HIDDEN_USED, c->s.grp_off[l],
               c->s.grp_log[l], rho);
    r = c->err == ZKR_OK ? prove_forward(c, l, rho) : c->err;
out:
    for (unsigned k = 0; k < T_N; k++)
        free(tab[k]);
    return r;
}

/* Output layer: z + 2^11 = o 2^12 + r at a random point, then the forward product. */
static zkr_err prove_output(pctx *c)
{
    uint32_t l = c->s.n_layers - 1;
    unsigned nb = c->s.lb + c->s.lm[l];
    zkr_ext rho[MAX_PT];

    zkr_ts_challenge_exts(c->t, "ef-rho", rho, nb);
    send_group(c, slot(c, l, 0), nb, ZKR_EF_OUT_LOG, ZKR_TS_OUT_USED, c->s.grp_off[l],
               c->s.grp_log[l], rho);
    return c->err == ZKR_OK ? prove_forward(c, l, rho) : c->err;
}

/*
 * Argmax: zero-check over (record b, output j) of
 *   E^2 - E + lambda E (1 - sel) + lambda^2 E (KA - K) + lambda^3 (sel (KA - K) - D)
 * with K = 2^c (o + 2^23) + (2^c - 1 - j) from o's limbs, KA and D from
 * theirs; then the one-hot sum_j E(j, b) = 1 at rho_b and the count.
 */
static zkr_err prove_argmax(pctx *c)
{
    enum { T_EQ, T_E, T_D, T_KA, T_K, T_SEL, T_N };
    uint32_t L = c->s.n_layers;
    unsigned nb = c->s.lb + c->s.c, cb = c->s.c;
    size_t n = (size_t)1 << nb, J = (size_t)1 << cb;
    zkr_ext *tab[T_N] = {0}, z[MAX_PT], rho[MAX_PT], lam[4];
    zkr_gl two16 = zkr_train_pow2(16), two32 = zkr_train_pow2(32);
    zkr_err r = ZKR_ERR_NOMEM;

    for (unsigned k = 0; k < T_N; k++)
        if (!(tab[k] = calloc(n, sizeof(zkr_ext))))
            goto out;
    zkr_ts_challenge_exts(c->t, "ef-am-z", z, nb);
    lam[1] = zkr_ts_challenge_ext(c->t, "ef-am-lambda");
    lam[2] = zkr_ext_mul(lam[1], lam[1]);
    lam[3] = zkr_ext_mul(lam[2], lam[1]);
    zkr_mle_eq_table(z, nb, tab[T_EQ]);
    for (size_t i = 0; i < n; i++) {
        size_t j = i & (J - 1), b = i >> cb;
        zkr_gl d = zkr_gl_add(am_slot(c, ZKR_EF_D0)[i],
                              zkr_gl_add(zkr_gl_mul(am_slot(c, ZKR_EF_D1)[i], two16),
                                         zkr_gl_mul(am_slot(c, ZKR_EF_D2)[i], two32)));
        zkr_gl ka = zkr_gl_add(ka_slot(c, 0)[b], zkr_gl_add(zkr_gl_mul(ka_slot(c, 1)[b], two16),
                                                           zkr_gl_mul(ka_slot(c, 2)[b], two32)));
        zkr_gl o = zkr_gl_add(slot(c, L - 1, ZKR_TS_OLO)[i],
                              zkr_gl_mul(slot(c, L - 1, ZKR_TS_OHI)[i], two16));
        zkr_gl k = zkr_gl_add(zkr_gl_mul(o, zkr_train_pow2(cb)), (zkr_gl)(J - 1 - j));
        tab[T_E][i] = zkr_ext_from(am_slot(c, ZKR_EF_E)[i]);
        tab[T_D][i] = zkr_ext_from(d);
        tab[T_KA][i] = zkr_ext_from(ka);
        tab[T_K][i] = zkr_ext_from(k);
        tab[T_SEL][i] = zkr_ext_from(j < c->s.out[L - 1]);
    }
    {
        zkr_ext one = zkr_ext_from(1), mone = zkr_ext_from(zkr_gl_neg(1));
        zkr_sc_term terms[] = {
            {one, 3, {T_EQ, T_E, T_E}},
            {mone, 2, {T_EQ, T_E}},
            {lam[1], 2, {T_EQ, T_E}},
            {zkr_ext_mul(lam[1], mone), 3, {T_EQ, T_E, T_SEL}},
            {lam[2], 3, {T_EQ, T_E, T_KA}},
            {zkr_ext_mul(lam[2], mone), 3, {T_EQ, T_E, T_K}},
            {lam[3], 3, {T_EQ, T_SEL, T_KA}},
            {zkr_ext_mul(lam[3], mone), 3, {T_EQ, T_SEL, T_K}},
            {zkr_ext_mul(lam[3], mone), 2, {T_EQ, T_D}},
        };
        zkr_sc_poly f = {tab, T_N, terms, sizeof terms / sizeof terms[0], 3, NULL};
        run_sumcheck(c, &f, nb, rho);
    }
    send_group(c, am_slot(c, 0), nb, ZKR_EF_AM_LOG, ZKR_EF_AM_USED, c->s.am_off, c->s.am_log,
               rho);
    send_slot(c, L - 1, ZKR_TS_OLO, rho);
    send_slot(c, L - 1, ZKR_TS_OHI, rho);
    send_group(c, ka_slot(c, 0), c->s.lb, ZKR_EF_KA_LOG, ZKR_EF_KA_USED, c->s.ka_off, c->s.ka_log,
               rho + cb);
    {
        /* One-hot: 2^c E~(1/2, .., 1/2, rho_b) = 1, i.e. sum_j E(j, b) = 1 for every b. */
        zkr_ext pt[MAX_PT], half = zkr_ext_from(zkr_gl_inv(2));
        for (unsigned i = 0; i < cb; i++)
            pt[i] = half;
        memcpy(pt + cb, rho + cb, c->s.lb * sizeof *pt);
        send_block_slot(c, am_slot(c, ZKR_EF_E), nb, c->s.am_off, c->s.am_log, ZKR_EF_E, pt);
    }
    /* Count: sum_{b, j} E(j, b) Lm(j, b) = correct, Lm the one-hot labels of the range. */
    {
        zkr_ext beta[MAX_PT];
        const zkr_eval_batch *bt = c->batch;
        to_ext(am_slot(c, ZKR_EF_E), n, tab[T_E]);
        memset(tab[T_D], 0, n * sizeof(zkr_ext));
        for (uint64_t b = 0; b < bt->count; b++) {
            uint8_t lab = bt->records[b * bt->rec_len + bt->rec_len - 1];
            if (lab < J)
                tab[T_D][(b << cb) | lab] = zkr_ext_from(1);
        }
        sc_product(c, tab[T_E], tab[T_D], nb, beta);
        send_block_slot(c, am_slot(c, ZKR_EF_E), nb, c->s.am_off, c->s.am_log, ZKR_EF_E, beta);
    }
    r = c->err;
out:
    for (unsigned k = 0; k < T_N; k++)
        free(tab[k]);
    return r;
}

/* ------------------------------------------------------------------ */
/* Witness                                                              */
/* ------------------------------------------------------------------ */

static void limbs24(int64_t v, zkr_gl *lo, zkr_gl *hi, zkr_gl *hs)
{
    uint64_t u = (uint64_t)(v + ((int64_t)1 << 23));

    *lo = u & 0xffff;
    *hi = u >> 16;
    *hs = (u >> 16) << 8;
}

static void fill_hidden(pctx *c, const zkr_ml_tstep_trace *tr, uint32_t l)
{
    size_t Mp = (size_t)1 << c->s.lm[l], n = grp_n(c, l);
    uint32_t out = c->s.out[l];

    for (size_t i = 0; i < n; i++) {
        size_t b = i / Mp, j = i % Mp;
        int real = b < tr->batch && j < out;
        size_t e = b * out + j;
        int64_t r = real ? tr->r[l][e] : 1 << 15, h = real ? tr->h[l][e] : 0;
        int64_t nn = real ? tr->n[l][e] : 0, m = real ? tr->m[l][e] : 0;

        slot(c, l, ZKR_EF_R)[i] = zkr_gl_from_i64(r);
        slot(c, l, ZKR_EF_H)[i] = zkr_gl_from_i64(h);
        slot(c, l, ZKR_EF_NLO)[i] = (zkr_gl)((uint64_t)nn & 0xffff);
        slot(c, l, ZKR_EF_NHI)[i] = (zkr_gl)((uint64_t)nn >> 16);
        slot(c, l, ZKR_EF_M)[i] = zkr_gl_from_i64(m);
        slot(c, l, ZKR_EF_HM)[i] = zkr_gl_from_i64(h - m);
    }
}

static void fill_output(pctx *c, const zkr_ml_tstep_trace *tr, uint32_t l)
{
    size_t Mp = (size_t)1 << c->s.lm[l], n = grp_n(c, l);
    uint32_t out = c->s.out[l];

    for (size_t i = 0; i < n; i++) {
        size_t b = i / Mp, j = i % Mp;
        int real = b < tr->batch && j < out;
        size_t e = b * out + j;
        int64_t r = real ? tr->r[l][e] : 1 << 11, o = real ? tr->q[l][e] : 0;

        slot(c, l, ZKR_TS_OR)[i] = zkr_gl_from_i64(r);
        slot(c, l, ZKR_TS_OR16)[i] = zkr_gl_mul(zkr_gl_from_i64(r), 16);
        limbs24(o, &slot(c, l, ZKR_TS_OLO)[i], &slot(c, l, ZKR_TS_OHI)[i],
                &slot(c, l, ZKR_TS_OHS)[i]);
    }
}

/* Record b's keys K_j = 2^c (o_j + 2^23) + 2^c - 1 - j, the one-hot of the largest, KA and D. */
static void fill_argmax(pctx *c, const zkr_ml_tstep_trace *tr)
{
    uint32_t L = c->s.n_layers, out = c->s.out[L - 1];
    unsigned cb = c->s.c;
    uint64_t J = (uint64_t)1 << cb;

    for (size_t b = 0; b < ((size_t)1 << c->s.lb); b++) {
        uint64_t key[4096] = {0}, ka;
        uint32_t am = 0;
        for (uint32_t j = 0; j < out; j++) {
            int64_t o = b < tr->batch ? tr->q[L - 1][b * out + j] : 0;
            key[j] = ((uint64_t)(o + ((int64_t)1 << 23)) << cb) + (J - 1 - j);
            if (key[j] > key[am])
                am = j;
        }
        ka = key[am];
        am_slot(c, ZKR_EF_E)[(b << cb) | am] = 1;
        for (uint32_t j = 0; j < out; j++) {
            uint64_t dj = ka - key[j];
            for (unsigned i = 0; i < 3; i++)
                am_slot(c, ZKR_EF_D0 + i)[(b << cb) | j] = (dj >> (16 * i)) & 0xffff;
        }
        for (unsigned i = 0; i < 3; i++)
            ka_slot(c, i)[b] = (ka >> (16 * i)) & 0xffff;
    }
}

/* A_l = [a_l | ONE] read back from V (l > 0) or the witness records (l = 0). */
static void derive_tables(pctx *c, const uint8_t *wit)
{
    const zkr_eval_batch *bt = c->batch;
    size_t Bp = (size_t)1 << c->s.lb;

    for (uint32_t l = 0; l < c->s.n_layers; l++) {
        size_t Kp = (size_t)1 << c->s.lk[l];
        uint32_t in = c->s.in[l];
        for (size_t b = 0; b < Bp; b++) {
            for (size_t k = 0; k < in; k++)
                c->A[l][b * Kp + k] = l == 0 ? (b < bt->count ? (zkr_gl)wit[b * bt->rec_len + k] : 0)
                                             : slot(c, l - 1, ZKR_EF_H)[b * in + k];
            c->A[l][b * Kp + in] = b < bt->count ? ZKR_ML_T_ONE : 0;
        }
    }
}

/* The number of records whose E is set at their label (from V, as the verifier's sum reads it). */
static uint64_t count_correct(pctx *c)
{
    const zkr_eval_batch *bt = c->batch;
    uint64_t n = 0;

    for (uint64_t b = 0; b < bt->count; b++) {
        uint8_t lab = bt->records[b * bt->rec_len + bt->rec_len - 1];
        if (lab < ((uint64_t)1 << c->s.c))
            n += am_slot(c, ZKR_EF_E)[(b << c->s.c) | lab] == 1;
    }
    return n;
}

static zkr_err count_mult(pctx *c, int lax)
{
    memset(c->mult, 0, sizeof(zkr_gl) << ZKR_TRAIN_TABLE_LOG);
    for (size_t i = 0; i < ((size_t)1 << c->s.n_v); i++) {
        if (c->v[i] >= ((zkr_gl)1 << ZKR_TRAIN_TABLE_LOG)) {
            if (lax)
                continue;
            return ZKR_ERR_INTERNAL; /* a limb out of range: never from a native trace */
        }
        c->mult[c->v[i]]++;
    }
    return ZKR_OK;
}

static zkr_err build_witness(pctx *c, const uint8_t *wit, zkr_evalf_cheat_fn edit, void *ctx,
                             zkr_diag *d)
{
    const zkr_eval_batch *bt = c->batch;
    uint32_t in0 = c->s.in[0], L = c->s.n_layers;
    uint8_t *input = malloc((size_t)bt->count * in0);
    zkr_ml_tstep_trace tr;
    zkr_err r;

    memset(&tr, 0, sizeof tr);
    if (input == NULL)
        return ZKR_ERR_NOMEM;
    for (uint64_t b = 0; b < bt->count; b++)
        memcpy(input + b * in0, wit + b * bt->rec_len, in0);
    r = zkr_ml_tmodel_forward(c->tm.m, input, (size_t)bt->count * in0, (uint32_t)bt->count, &tr,
                              d);
    free(input);
    if (r != ZKR_OK)
        goto out;
    r = ZKR_ERR_NOMEM;
    if ((c->v = calloc((size_t)1 << c->s.n_v, sizeof(zkr_gl))) == NULL ||
        (c->mult = calloc((size_t)1 << ZKR_TRAIN_TABLE_LOG, sizeof(zkr_gl))) == NULL)
        goto out;
    for (uint32_t l = 0; l < L; l++) {
        if ((c->A[l] = calloc((size_t)1 << (c->s.lb + c->s.lk[l]), sizeof(zkr_gl))) == NULL)
            goto out;
        if (l + 1 < L)
            fill_hidden(c, &tr, l);
        else
            fill_output(c, &tr, l);
    }
    fill_argmax(c, &tr);
    c->correct = count_correct(c);
    c->cheat = edit != NULL;
#if ZKR_TEST_BUILD
    if (edit != NULL) {
        zkr_evalf_cheat_view w = {&c->s, c->v, c->correct, 0};
        if ((r = edit(ctx, &w)) != ZKR_OK)
            goto out;
        c->correct = w.set_correct ? w.correct : count_correct(c);
    }
#else
    (void)ctx;
#endif
    derive_tables(c, wit);
    r = count_mult(c, edit != NULL);
out:
    zkr_ml_tstep_trace_free(&tr);
    return r;
}

static void ctx_free(pctx *c)
{
    free(c->v);
    free(c->mult);
    for (uint32_t l = 0; l < ZKR_EVALF_MAX_LAYERS; l++)
        free(c->A[l]);
}

/* ------------------------------------------------------------------ */
/* Statement, openings, the proof                                       */
/* ------------------------------------------------------------------ */

/*
 * u32 L | bytes program | per layer: u32 n_vars | root | u64 n_records |
 * dataset root | u64 first | u64 count | u32 n_bound | boundary hashes |
 * bytes output | u64 correct.
 */
static zkr_err encode_statement(const pctx *c, const zkr_buf *output, zkr_buf *out, zkr_diag *d)
{
    const zkr_eval_batch *bt = c->batch;
    zkr_buf prog = {0};
    zkr_err r;

    if ((r = zkr_ml_graph_encode(zkr_ml_tmodel_graph(c->tm.m), &prog, d)) != ZKR_OK ||
        (r = zkr_enc_u32(out, c->tm.n_layers)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, prog.p, prog.len)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < c->tm.n_layers; l++)
        if ((r = zkr_enc_u32(out, c->tm.comm[l].n_vars)) != ZKR_OK ||
            (r = zkr_buf_append(out, c->tm.comm[l].root, ZKR_DIGEST_BYTES)) != ZKR_OK)
            goto out;
    if ((r = zkr_enc_u64(out, bt->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(out, bt->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(out, bt->first)) != ZKR_OK || (r = zkr_enc_u64(out, bt->count)) != ZKR_OK ||
        (r = zkr_enc_u32(out, (uint32_t)bt->n_bound)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < bt->n_bound; i++)
        if ((r = zkr_buf_append(out, bt->bound[i], ZKR_DIGEST_BYTES)) != ZKR_OK)
            goto out;
    if ((r = zkr_enc_bytes(out, output->p, output->len)) != ZKR_OK)
        goto out;
    r = zkr_enc_u64(out, c->correct);
out:
    zkr_buf_free(&prog);
    return r;
}

static zkr_err open_all(pctx *c, zkr_pcs_poly *vpoly, zkr_pcs_poly *mpoly, zkr_buf *out)
{
    uint32_t L = c->s.n_layers;
    unsigned nid = ZKR_EVALF_N_POLYS(L);
    zkr_err r = ZKR_OK;

    for (unsigned v = 0; v <= 64 && r == ZKR_OK; v++) {
        unsigned ids[ZKR_EVALF_N_POLYS(ZKR_EVALF_MAX_LAYERS)], n_ids = 0;
        for (unsigned id = 0; id < nid; id++)
            if (zkr_evalf_poly_vars(&c->s, id) == v)
                ids[n_ids++] = id;
        for (unsigned at = 0; at < n_ids && r == ZKR_OK; at += ZKR_EVALF_GROUP_MAX) {
            zkr_pcs_poly *polys[ZKR_EVALF_GROUP_MAX];
            zkr_pcs_claim cls[MAX_CLAIMS];
            size_t np = 0, nc = 0;
            for (unsigned i = at; i < n_ids && i < at + ZKR_EVALF_GROUP_MAX; i++) {
                unsigned id = ids[i];
                polys[np] = id < L ? c->tm.poly[id] : id == L ? vpoly : mpoly;
                for (size_t k = 0; k < c->n_cl; k++)
                    if (c->cl[k].poly == id) {
                        cls[nc].comm = np;
                        cls[nc].point = c->cl[k].pt;
                        cls[nc].value = c->cl[k].val;
                        nc++;
                    }
                np++;
            }
            r = zkr_prover_open(c->p, c->t, polys, np, cls, nc, c->threads, out);
        }
    }
    return r;
}

static zkr_err prove_body(pctx *c, zkr_buf *body)
{
    zkr_pcs_poly *vpoly = NULL, *mpoly = NULL;
    zkr_pcs_commitment vc, mc;
    zkr_logup_claims lc;
    zkr_gl *table = NULL;
    zkr_err r;

    c->body = body;
    if ((r = zkr_prover_commit(c->p, c->v, c->s.n_v, c->threads, &vpoly, &vc)) != ZKR_OK ||
        (r = zkr_prover_commit(c->p, c->mult, ZKR_TRAIN_TABLE_LOG, c->threads, &mpoly, &mc)) !=
            ZKR_OK)
        goto out;
    zkr_ts_absorb(c->t, "ef-witness-root", vc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(c->t, "ef-mult-root", mc.root, ZKR_DIGEST_BYTES);
    if ((r = zkr_buf_append(body, vc.root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(body, mc.root, ZKR_DIGEST_BYTES)) != ZKR_OK)
        goto out;
    if ((table = malloc(sizeof(zkr_gl) << ZKR_TRAIN_TABLE_LOG)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < ((size_t)1 << ZKR_TRAIN_TABLE_LOG); i++)
        table[i] = i;
#if ZKR_TEST_BUILD
    if (c->cheat)
        r = zkr_prover_logup_cheat_accel(c->t, c->v, c->s.n_v, table, c->mult,
                                         ZKR_TRAIN_TABLE_LOG, c->threads, c->p->accel, body, &lc);
    else
#endif
        r = zkr_prover_logup_accel(c->t, c->v, c->s.n_v, table, c->mult, ZKR_TRAIN_TABLE_LOG,
                                   c->threads, c->p->accel, body, &lc);
    if (r != ZKR_OK)
        goto out;
    {
        claim *a = new_claim(c, vpoly_id(c)), *m = new_claim(c, vpoly_id(c) + 1);
        memcpy(a->pt, lc.ra, c->s.n_v * sizeof(zkr_ext));
        a->val = lc.a_at_ra;
        memcpy(m->pt, lc.rt, ZKR_TRAIN_TABLE_LOG * sizeof(zkr_ext));
        m->val = lc.m_at_rt;
    }
    for (uint32_t l = 0; l + 1 < c->s.n_layers && r == ZKR_OK; l++)
        r = prove_hidden(c, l);
    if (r == ZKR_OK)
        r = prove_output(c);
    if (r == ZKR_OK)
        r = prove_argmax(c);
    if (r == ZKR_OK)
        r = c->err;
    if (r == ZKR_OK && c->n_cl != zkr_evalf_n_claims(&c->s))
        r = ZKR_ERR_INTERNAL; /* the verifier would refuse the proof */
    if (r == ZKR_OK)
        r = open_all(c, vpoly, mpoly, body);
out:
    free(table);
    zkr_pcs_poly_free(vpoly);
    zkr_pcs_poly_free(mpoly);
    return r;
}

static zkr_err evaluation_fixed(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                const zkr_train_model *tmod, const zkr_eval_batch *batch,
                                const uint8_t *wit, unsigned mode, uint64_t tau, unsigned threads,
                                zkr_evalf_cheat_fn edit, void *ctx, zkr_buf *proof,
                                zkr_buf *output, uint64_t *correct, zkr_diag *d)
{
    pctx *c;
    zkr_transcript t;
    zkr_buf stmt = {0}, body = {0};
    zkr_err r;

    proof->len = 0;
    output->len = 0;
    if (mode > ZKR_EVAL_MODE_THRESHOLD)
        return zkr_fail(d, ZKR_ERR_USAGE, ZKR_EVALF_NAME ": output mode %u", mode);
    if ((c = calloc(1, sizeof *c)) == NULL)
        return ZKR_ERR_NOMEM;
    zkr_train_model_parts_of(tmod, &c->tm);
    if ((r = zkr_evalf_shape_of(c->tm.n_layers, c->tm.dims, batch->count, p->max_vars, &c->s,
                                d)) != ZKR_OK)
        goto out;
    if (batch->rec_len != (size_t)c->s.in[0] + 1) {
        r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, ZKR_EVALF_NAME ": records of %zu bytes, the model "
                     "takes %u input bytes and a label", batch->rec_len, c->s.in[0]);
        goto out;
    }
    c->p = p;
    c->t = &t;
    c->threads = threads ? threads : 1;
    c->batch = batch;
    if ((r = build_witness(c, wit ? wit : batch->records, edit, ctx, d)) != ZKR_OK) {
        r = zkr_fail(d, r, ZKR_EVALF_NAME ": cannot build the witness");
        goto out;
    }
    if (mode == ZKR_EVAL_MODE_THRESHOLD && c->correct < tau && edit == NULL) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, ZKR_EVALF_NAME ": %llu correct, below the "
                     "threshold %llu (no proof made)", (unsigned long long)c->correct,
                     (unsigned long long)tau);
        goto out;
    }
    if ((r = zkr_eval_output_encode(mode, batch->count,
                                    mode == ZKR_EVAL_MODE_EXACT ? c->correct : tau, output)) !=
        ZKR_OK) {
        r = zkr_fail(d, r, ZKR_EVALF_NAME ": threshold %llu above the %llu records",
                     (unsigned long long)tau, (unsigned long long)batch->count);
        goto out;
    }
    if ((r = encode_statement(c, output, &stmt, d)) != ZKR_OK)
        goto out;
    zkr_evalf_transcript(&t, p, statement_id, stmt.p, stmt.len);
    if ((r = prove_body(c, &body)) != ZKR_OK)
        goto out;
    if ((r = zkr_proof_begin(proof, p->id, ZKR_KIND_EVAL_FIXED, statement_id, 2)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_STATEMENT, stmt.p, stmt.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_EVALF_BODY, body.p, body.len)) != ZKR_OK)
        goto out;
    if (correct)
        *correct = c->correct;
out:
    if (r != ZKR_OK) {
        proof->len = 0;
        output->len = 0;
    }
    ctx_free(c);
    free(c);
    zkr_buf_free(&stmt);
    zkr_buf_free(&body);
    return r;
}

zkr_err zkr_prover_evaluation_fixed(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_train_model *tm, const zkr_eval_batch *batch,
                                    unsigned mode, uint64_t tau, unsigned threads,
                                    zkr_buf *proof, zkr_buf *output, uint64_t *correct,
                                    zkr_diag *d)
{
    return evaluation_fixed(p, statement_id, tm, batch, NULL, mode, tau, threads, NULL, NULL,
                            proof, output, correct, d);
}

#if ZKR_TEST_BUILD
static zkr_err edit_none(void *ctx, zkr_evalf_cheat_view *w)
{
    (void)ctx;
    (void)w;
    return ZKR_OK;
}

zkr_err zkr_prover_evaluation_fixed_cheat(const zkr_params *p,
                                          const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                          const zkr_train_model *tm, const zkr_eval_batch *batch,
                                          const uint8_t *wit_records, unsigned mode, uint64_t tau,
                                          zkr_evalf_cheat_fn edit, void *ctx, zkr_buf *proof,
                                          zkr_buf *output, zkr_diag *d)
{
    return evaluation_fixed(p, statement_id, tm, batch, wit_records, mode, tau, 1,
                            edit ? edit : edit_none, ctx, proof, output, NULL, d);
}
#endif
