/*
 * training-step@1 prover (docs/proof-system.md): one fixed-point SGD step
 * of a committed parent giving a committed child on committed records.
 * The witness V holds every value of the step that needs a range check as
 * 16-bit limbs (checked by one LogUp against 0..65535 with multiplicities
 * in M); products are reduced by sumchecks to claims on V, on the parent's
 * and child's layer polynomials and on the public records; everything is
 * discharged by batched Basefold openings.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/evaluation_fixed.h"
#include "prover/prover.h"
#include "zkr_config.h"

#define MAX_CLAIMS ZKR_TRAIN_MAX_CLAIMS

struct zkr_train_model {
    zkr_params params;
    const zkr_ml_tmodel *m;
    uint32_t n_layers;
    uint32_t dims[ZKR_TRAIN_MAX_LAYERS + 1];
    uint32_t lm[ZKR_TRAIN_MAX_LAYERS], lk[ZKR_TRAIN_MAX_LAYERS];
    zkr_gl *w[ZKR_TRAIN_MAX_LAYERS];
    zkr_pcs_poly *poly[ZKR_TRAIN_MAX_LAYERS];
    zkr_pcs_commitment comm[ZKR_TRAIN_MAX_LAYERS];
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    uint8_t commitment[ZKR_DIGEST_BYTES];
};

void zkr_train_model_free(zkr_train_model *tm)
{
    if (tm == NULL)
        return;
    for (uint32_t l = 0; l < tm->n_layers; l++) {
        zkr_pcs_poly_free(tm->poly[l]);
        if (tm->w[l]) {
            sodium_memzero(tm->w[l], sizeof(zkr_gl) << (tm->lm[l] + tm->lk[l]));
            free(tm->w[l]);
        }
    }
    free(tm);
}

/* Commits layer l: m's weights, or (test builds) the raw field elements given. */
static zkr_err commit_layer(zkr_train_model *tm, uint32_t l, const zkr_gl *raw, unsigned threads)
{
    uint32_t in = tm->dims[l], out = tm->dims[l + 1];
    size_t Kp = (size_t)1 << tm->lk[l], n = (size_t)1 << (tm->lm[l] + tm->lk[l]);
    const int32_t *w = zkr_ml_tmodel_weights(tm->m, l);

    tm->w[l] = calloc(n, sizeof(zkr_gl));
    if (tm->w[l] == NULL || w == NULL)
        return ZKR_ERR_NOMEM;
    if (raw != NULL)
        memcpy(tm->w[l], raw, n * sizeof(zkr_gl));
    else
        for (size_t j = 0; j < out; j++)
            for (size_t k = 0; k <= in; k++)
                tm->w[l][j * Kp + k] = zkr_gl_from_i64(w[j * (in + 1) + k]);
    return zkr_prover_commit(&tm->params, tm->w[l], tm->lm[l] + tm->lk[l], threads, &tm->poly[l],
                             &tm->comm[l]);
}

static zkr_err train_commit(const zkr_params *p, const zkr_ml_tmodel *m, const zkr_gl *const *raw,
                            unsigned threads, zkr_train_model **out,
                            uint8_t commitment[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    const zkr_ml_graph *g = zkr_ml_tmodel_graph(m);
    zkr_train_model *tm;
    zkr_err r = ZKR_OK;

    *out = NULL;
    memset(commitment, 0, ZKR_DIGEST_BYTES);
    if (g->n_layers > ZKR_TRAIN_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training model: %u layers, at most %u",
                        g->n_layers, ZKR_TRAIN_MAX_LAYERS);
    if ((tm = calloc(1, sizeof *tm)) == NULL)
        return ZKR_ERR_NOMEM;
    tm->params = *p;
    tm->m = m;
    tm->n_layers = g->n_layers;
    tm->dims[0] = g->input_dim;
    for (uint32_t l = 0; l < g->n_layers && r == ZKR_OK; l++) {
        tm->dims[l + 1] = g->layers[l].out_dim;
        tm->lm[l] = zkr_log2_ceil(tm->dims[l + 1]);
        tm->lk[l] = zkr_log2_ceil((uint64_t)tm->dims[l] + 1);
        if (tm->lm[l] + tm->lk[l] > p->max_vars)
            r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "training model: layer %u over 2^%u entries", l,
                         p->max_vars);
        else
            r = commit_layer(tm, l, raw ? raw[l] : NULL, threads);
    }
    if (r != ZKR_OK) {
        zkr_train_model_free(tm);
        return r;
    }
    zkr_ml_tmodel_program_digest(m, tm->program_digest);
    zkr_train_model_commitment(tm->program_digest, tm->n_layers, tm->comm, tm->commitment);
    memcpy(commitment, tm->commitment, ZKR_DIGEST_BYTES);
    *out = tm;
    return ZKR_OK;
}

zkr_err zkr_prover_train_commit(const zkr_params *p, const zkr_ml_tmodel *m, unsigned threads,
                                zkr_train_model **out, uint8_t commitment[ZKR_DIGEST_BYTES],
                                zkr_diag *d)
{
    return train_commit(p, m, NULL, threads, out, commitment, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_train_commit_raw(const zkr_params *p, const zkr_ml_tmodel *m,
                                    const zkr_gl *const *w, zkr_train_model **out,
                                    uint8_t commitment[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    return train_commit(p, m, w, 1, out, commitment, d);
}
#endif

/* ------------------------------------------------------------------ */
/* Proving context and claims                                           */
/* ------------------------------------------------------------------ */

/* Claim targets: W_l = l, W'_l = L + l, V = 2L, M = 2L + 1. */
typedef struct {
    unsigned poly;
    zkr_ext pt[ZKR_TRAIN_MAX_PT];
    zkr_ext val;
} claim;

typedef struct {
    const zkr_params *p;
    zkr_transcript *t;
    unsigned threads;
    zkr_train_shape s;
    const zkr_train_model *par, *chd;
    const zkr_infer_record *rec;
    zkr_gl *v, *mult;
    uint32_t lr;
    int cheat; /* test builds: a cheating prover (its LogUp does not stop at unequal sums) */
    zkr_gl *A[ZKR_TRAIN_MAX_LAYERS]; /* Bp x Kp_l: [a | ONE | 0] */
    zkr_gl *D[ZKR_TRAIN_MAX_LAYERS]; /* Bp x Mp_l: delta_l */
    claim cl[MAX_CLAIMS], scratch;
    size_t n_cl;
    zkr_buf *body;
    zkr_err err;
} pctx;

static claim *new_claim(pctx *c, unsigned poly)
{
    claim *k;

    if (c->n_cl == MAX_CLAIMS) { /* a hard error: zkr_train_shape_of bounds the count */
        c->err = ZKR_ERR_INTERNAL;
        k = &c->scratch;
    } else {
        k = &c->cl[c->n_cl++];
    }
    memset(k, 0, sizeof *k);
    k->poly = poly;
    return k;
}

static size_t blk_n(const pctx *c, uint32_t l)
{
    return (size_t)1 << (c->s.lb + c->s.lm[l]);
}

static zkr_gl *slot(pctx *c, uint32_t l, unsigned sl)
{
    return c->v + c->s.grp_off[l] + (size_t)sl * blk_n(c, l);
}

static unsigned slots_log(const pctx *c, uint32_t l)
{
    return l + 1 < c->s.n_layers ? ZKR_TS_HIDDEN_LOG : ZKR_TS_OUT_LOG;
}

/* Sends a value: absorbed under `label` and appended to the body. */
static void send(pctx *c, const char *label, zkr_ext v)
{
    zkr_ts_absorb_ext(c->t, label, &v, 1);
    if (c->err == ZKR_OK)
        c->err = zkr_enc_ext(c->body, v);
}

/* Evaluates slot sl of layer l at pt (lm + lb values), sends it and claims it on V. */
static zkr_ext send_slot(pctx *c, uint32_t l, unsigned sl, const zkr_ext *pt)
{
    unsigned nb = c->s.lb + c->s.lm[l], sg = slots_log(c, l);
    claim *k = new_claim(c, 2 * c->s.n_layers);
    zkr_ext v = zkr_ext_from(0);

    if (c->err == ZKR_OK)
        c->err = zkr_mle_eval_base(slot(c, l, sl), nb, pt, &v);
    memcpy(k->pt, pt, nb * sizeof *pt);
    for (unsigned i = 0; i < sg; i++)
        k->pt[nb + i] = zkr_ext_from((sl >> i) & 1);
    zkr_train_block_point(&c->s, c->s.grp_off[l], c->s.grp_log[l], k->pt);
    k->val = v;
    send(c, "tr-value", v);
    return v;
}

/* Sends W~_l (or W'~_l) at pt (lk + lm values) and claims it. */
static zkr_ext send_weight(pctx *c, const zkr_train_model *tm, unsigned poly, uint32_t l,
                           const zkr_ext *pt)
{
    unsigned n = c->s.lk[l] + c->s.lm[l];
    claim *k = new_claim(c, poly);
    zkr_ext v = zkr_ext_from(0);

    if (c->err == ZKR_OK)
        c->err = zkr_mle_eval_base(tm->w[l], n, pt, &v);
    memcpy(k->pt, pt, n * sizeof *pt);
    k->val = v;
    send(c, "tr-value", v);
    return v;
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

/* out[row] = sum_col eq[col] T[row][col]. */
static void fold_cols(const zkr_gl *T, unsigned a, unsigned cl, const zkr_ext *eq, zkr_ext *out)
{
    size_t C = (size_t)1 << cl;

    for (size_t r = 0; r < ((size_t)1 << a); r++) {
        zkr_ext acc = zkr_ext_from(0);
        for (size_t k = 0; k < C; k++)
            if (T[r * C + k] != 0)
                acc = zkr_ext_add(acc, zkr_ext_mul_base(eq[k], T[r * C + k]));
        out[r] = acc;
    }
}

/* A degree-2 sumcheck of sum_x f(x) g(x) over n variables; the tables end folded at r. */
static void sc_product(pctx *c, zkr_ext *f, zkr_ext *g, unsigned n, zkr_ext *r)
{
    zkr_ext *tabs[2] = {f, g};
    zkr_ext msgs[2 * ZKR_TRAIN_MAX_PT];
    zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
    zkr_sc_poly poly = {tabs, 2, &term, 1, 2, NULL};

    zkr_prover_sumcheck_accel(&poly, n, c->t, c->threads, c->p->accel, msgs, r);
    if (c->err == ZKR_OK)
        c->err = zkr_enc_exts(c->body, msgs, 2 * (size_t)n);
}

/* Sends the limbs of delta_l at pt (hidden: dl slots; output: o slots). */
static void send_delta(pctx *c, uint32_t l, const zkr_ext *pt)
{
    int out = l + 1 == c->s.n_layers;

    send_slot(c, l, out ? ZKR_TS_OLO : ZKR_TS_DLLO, pt);
    send_slot(c, l, out ? ZKR_TS_OHI : ZKR_TS_DLHI, pt);
}

/* Sends what the verifier needs for A~_l(kpt, bpt) (nothing for l = 0: the records are public). */
static void send_input(pctx *c, uint32_t l, const zkr_ext *kpt, const zkr_ext *bpt)
{
    zkr_ext pt[ZKR_TRAIN_MAX_PT];
    unsigned lo;

    if (l == 0)
        return;
    lo = c->s.lm[l - 1];
    memcpy(pt, kpt, lo * sizeof *pt);
    memcpy(pt + lo, bpt, c->s.lb * sizeof *pt);
    send_slot(c, l - 1, ZKR_TS_H, pt);
}

/* ------------------------------------------------------------------ */
/* The protocol's parts                                                 */
/* ------------------------------------------------------------------ */

/*
 * Update of layer l: W~, W'~ and the update blocks at zeta, then a sumcheck
 * over b of lr delta~ A~ proving lr g~(zeta) = 2^S (W - W') + ru - 2^(S-1).
 */
static zkr_err prove_update(pctx *c, uint32_t l)
{
    unsigned lk = c->s.lk[l], lm = c->s.lm[l], lb = c->s.lb;
    zkr_ext zeta[ZKR_TRAIN_MAX_PT], beta[ZKR_TRAIN_MAX_PT], pt[ZKR_TRAIN_MAX_PT];
    size_t Bp = (size_t)1 << lb;
    zkr_ext *eqr = calloc((size_t)1 << lm, sizeof(zkr_ext));
    zkr_ext *eqc = calloc((size_t)1 << lk, sizeof(zkr_ext));
    zkr_ext *f = calloc(Bp, sizeof(zkr_ext)), *a = calloc(Bp, sizeof(zkr_ext));
    zkr_err r = ZKR_ERR_NOMEM;
    claim *k;

    if (!eqr || !eqc || !f || !a)
        goto out;
    zkr_ts_challenge_exts(c->t, "tr-zeta", zeta, lk + lm);
    send_weight(c, c->par, l, l, zeta);
    send_weight(c, c->chd, c->s.n_layers + l, l, zeta);
    for (unsigned b = 0; b < ZKR_TU_N; b++) {
        k = new_claim(c, 2 * c->s.n_layers);
        memcpy(k->pt, zeta, (lk + lm) * sizeof *zeta);
        zkr_train_block_point(&c->s, c->s.upd_off[l][b], lk + lm, k->pt);
        if ((r = zkr_mle_eval_base(c->v + c->s.upd_off[l][b], lk + lm, zeta, &k->val)) != ZKR_OK)
            goto out;
        send(c, "tr-value", k->val);
    }
    zkr_mle_eq_table(zeta + lk, lm, eqr);
    zkr_mle_eq_table(zeta, lk, eqc);
    fold_cols(c->D[l], lb, lm, eqr, f);
    for (size_t b = 0; b < Bp; b++)
        f[b] = zkr_ext_mul_base(f[b], c->lr); /* the sum is lr g: nothing is divided */
    fold_cols(c->A[l], lb, lk, eqc, a);
    sc_product(c, f, a, lb, beta);
    memcpy(pt, zeta + lk, lm * sizeof *pt);
    memcpy(pt + lm, beta, lb * sizeof *pt);
    send_delta(c, l, pt);
    send_input(c, l, zeta, beta);
    r = c->err;
out:
    free(eqr);
    free(eqc);
    free(f);
    free(a);
    return r;
}

/* z~_l(rho) = sum_k A~_l(k, rho_b) W~_l(k, rho_j) (Thaler), leaving claims on A and W. */
static zkr_err prove_forward(pctx *c, uint32_t l, const zkr_ext *rho)
{
    unsigned lk = c->s.lk[l], lm = c->s.lm[l], lb = c->s.lb;
    size_t Kp = (size_t)1 << lk;
    zkr_ext *eqj = calloc((size_t)1 << lm, sizeof(zkr_ext));
    zkr_ext *eqb = calloc((size_t)1 << lb, sizeof(zkr_ext));
    zkr_ext *a = calloc(Kp, sizeof(zkr_ext)), *w = calloc(Kp, sizeof(zkr_ext));
    zkr_ext kap[ZKR_TRAIN_MAX_PT], pt[ZKR_TRAIN_MAX_PT];
    zkr_err r = ZKR_ERR_NOMEM;

    if (!eqj || !eqb || !a || !w)
        goto out;
    zkr_mle_eq_table(rho, lm, eqj);
    zkr_mle_eq_table(rho + lm, lb, eqb);
    fold_rows(c->A[l], lb, lk, eqb, a);
    fold_rows(c->par->w[l], lm, lk, eqj, w);
    sc_product(c, a, w, lk, kap);
    memcpy(pt, kap, lk * sizeof *pt);
    memcpy(pt + lk, rho, lm * sizeof *pt);
    send_weight(c, c->par, l, l, pt);
    send_input(c, l, kap, rho + lm);
    r = c->err;
out:
    free(eqj);
    free(eqb);
    free(a);
    free(w);
    return r;
}

/* p~_l(rho) = sum_j delta~_{l+1}(j, rho_b) W~_{l+1}((rho_k, 0), j), leaving claims. */
static zkr_err prove_backward(pctx *c, uint32_t l, const zkr_ext *rho)
{
    uint32_t n1 = l + 1;
    unsigned lm = c->s.lm[l], lb = c->s.lb, lk1 = c->s.lk[n1], lm1 = c->s.lm[n1];
    size_t Mp1 = (size_t)1 << lm1;
    zkr_ext *eqk = calloc((size_t)1 << lk1, sizeof(zkr_ext));
    zkr_ext *eqb = calloc((size_t)1 << lb, sizeof(zkr_ext));
    zkr_ext *dv = calloc(Mp1, sizeof(zkr_ext)), *w = calloc(Mp1, sizeof(zkr_ext));
    zkr_ext kpt[ZKR_TRAIN_MAX_PT], mu[ZKR_TRAIN_MAX_PT], pt[ZKR_TRAIN_MAX_PT];
    zkr_err r = ZKR_ERR_NOMEM;

    if (!eqk || !eqb || !dv || !w)
        goto out;
    memcpy(kpt, rho, lm * sizeof *kpt);
    kpt[lm] = zkr_ext_from(0);
    zkr_mle_eq_table(kpt, lk1, eqk);
    zkr_mle_eq_table(rho + lm, lb, eqb);
    fold_rows(c->D[n1], lb, lm1, eqb, dv);
    fold_cols(c->par->w[n1], lm1, lk1, eqk, w);
    sc_product(c, dv, w, lm1, mu);
    memcpy(pt, mu, lm1 * sizeof *pt);
    memcpy(pt + lm1, rho + lm, lb * sizeof *pt);
    send_delta(c, n1, pt);
    memcpy(pt, kpt, lk1 * sizeof *pt);
    memcpy(pt + lk1, mu, lm1 * sizeof *pt);
    send_weight(c, c->par, n1, n1, pt);
    r = c->err;
out:
    free(eqk);
    free(eqb);
    free(dv);
    free(w);
    return r;
}

/* Sends every used slot of layer l at rho and claims the group on V with one tau-combined value. */
static void send_group(pctx *c, uint32_t l, const zkr_ext *rho, unsigned used)
{
    unsigned nb = c->s.lb + c->s.lm[l], sg = slots_log(c, l);
    zkr_ext vals[16] = {0}, eqt[16], acc = zkr_ext_from(0);
    claim *k;

    for (unsigned sl = 0; sl < used; sl++) {
        if (c->err == ZKR_OK)
            c->err = zkr_mle_eval_base(slot(c, l, sl), nb, rho, &vals[sl]);
        send(c, "tr-value", vals[sl]);
    }
    for (unsigned sl = used; sl < (1u << sg); sl++)
        vals[sl] = zkr_ext_from(0);
    k = new_claim(c, 2 * c->s.n_layers);
    memcpy(k->pt, rho, nb * sizeof *rho);
    zkr_ts_challenge_exts(c->t, "tr-tau", k->pt + nb, sg);
    zkr_mle_eq_table(k->pt + nb, sg, eqt);
    for (unsigned sl = 0; sl < (1u << sg); sl++)
        acc = zkr_ext_add(acc, zkr_ext_mul(eqt[sl], vals[sl]));
    k->val = acc;
    zkr_train_block_point(&c->s, c->s.grp_off[l], c->s.grp_log[l], k->pt);
}

/*
 * Zero-check of hidden layer l: sum_x eq(z, x) [delta - dq m + lambda (m^2 - m) +
 * lambda^2 (h - m h) + lambda^3 h n] = 0 with every value from its limbs.
 */
static zkr_err prove_hidden(pctx *c, uint32_t l)
{
    enum { T_EQ, T_DLLO, T_DLHI, T_DQLO, T_DQHI, T_M, T_H, T_NLO, T_NHI, T_N };
    static const unsigned src[T_N] = {0,         ZKR_TS_DLLO, ZKR_TS_DLHI, ZKR_TS_DQLO, ZKR_TS_DQHI,
                                      ZKR_TS_M,  ZKR_TS_H,    ZKR_TS_NLO,  ZKR_TS_NHI};
    unsigned nb = c->s.lb + c->s.lm[l];
    size_t n = (size_t)1 << nb;
    zkr_ext *tab[T_N] = {0}, z[ZKR_TRAIN_MAX_PT], rho[ZKR_TRAIN_MAX_PT], lam[4];
    zkr_ext msgs[3 * ZKR_TRAIN_MAX_PT];
    zkr_err r = ZKR_ERR_NOMEM;

    for (unsigned k = 0; k < T_N; k++)
        if (!(tab[k] = calloc(n, sizeof(zkr_ext))))
            goto out;
    zkr_ts_challenge_exts(c->t, "tr-z", z, nb);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(c->t, "tr-lambda");
    lam[2] = zkr_ext_mul(lam[1], lam[1]);
    lam[3] = zkr_ext_mul(lam[2], lam[1]);
    zkr_mle_eq_table(z, nb, tab[T_EQ]);
    for (unsigned k = 1; k < T_N; k++) {
        const zkr_gl *sp = slot(c, l, src[k]);
        for (size_t i = 0; i < n; i++)
            tab[k][i] = zkr_ext_from(sp[i]);
    }
    {
        zkr_ext one = zkr_ext_from(1), mone = zkr_ext_from(zkr_gl_neg(1));
        zkr_ext p16 = zkr_ext_from(zkr_train_pow2(16)), m16 = zkr_ext_from(zkr_gl_neg(zkr_train_pow2(16)));
        zkr_ext p23 = zkr_ext_from(zkr_train_pow2(23)), m23 = zkr_ext_from(zkr_gl_neg(zkr_train_pow2(23)));
        zkr_sc_term terms[] = {
            {one, 2, {T_EQ, T_DLLO}},
            {p16, 2, {T_EQ, T_DLHI}},
            {m23, 1, {T_EQ}},
            {mone, 3, {T_EQ, T_DQLO, T_M}},
            {m16, 3, {T_EQ, T_DQHI, T_M}},
            {p23, 2, {T_EQ, T_M}},
            {lam[1], 3, {T_EQ, T_M, T_M}},
            {zkr_ext_mul(lam[1], mone), 2, {T_EQ, T_M}},
            {lam[2], 2, {T_EQ, T_H}},
            {zkr_ext_mul(lam[2], mone), 3, {T_EQ, T_M, T_H}},
            {lam[3], 3, {T_EQ, T_H, T_NLO}},
            {zkr_ext_mul_base(lam[3], zkr_train_pow2(16)), 3, {T_EQ, T_H, T_NHI}},
        };
        zkr_sc_poly f = {tab, T_N, terms, sizeof terms / sizeof terms[0], 3, NULL};
        zkr_prover_sumcheck_accel(&f, nb, c->t, c->threads, c->p->accel, msgs, rho);
    }
    if ((r = zkr_enc_exts(c->body, msgs, 3 * (size_t)nb)) != ZKR_OK)
        goto out;
    send_group(c, l, rho, ZKR_TS_HIDDEN_USED);
    if ((r = c->err) != ZKR_OK || (r = prove_forward(c, l, rho)) != ZKR_OK ||
        (r = prove_backward(c, l, rho)) != ZKR_OK)
        goto out;
out:
    for (unsigned k = 0; k < T_N; k++)
        free(tab[k]);
    return r;
}

/* Output layer: z + 2^11 = o 2^12 + r at a random point, then the forward matmul. */
static zkr_err prove_output(pctx *c)
{
    uint32_t l = c->s.n_layers - 1;
    unsigned nb = c->s.lb + c->s.lm[l];
    zkr_ext rho[ZKR_TRAIN_MAX_PT];

    zkr_ts_challenge_exts(c->t, "tr-rho", rho, nb);
    send_group(c, l, rho, ZKR_TS_OUT_USED);
    if (c->err != ZKR_OK)
        return c->err;
    return prove_forward(c, l, rho);
}

/* ------------------------------------------------------------------ */
/* Witness from the native step's trace                                 */
/* ------------------------------------------------------------------ */

/* Writes v + 2^23 as its low 16 bits, its high 8 bits and those scaled by 2^8. */
static void limbs24(int64_t v, zkr_gl *lo, zkr_gl *hi, zkr_gl *hs)
{
    uint64_t u = (uint64_t)(v + ((int64_t)1 << 23));

    *lo = u & 0xffff;
    *hi = u >> 16;
    *hs = (u >> 16) << 8;
}

static void fill_hidden(pctx *c, const zkr_ml_tstep_trace *tr, uint32_t l)
{
    size_t Mp = (size_t)1 << c->s.lm[l], n = blk_n(c, l);
    uint32_t out = c->s.out[l];

    for (size_t i = 0; i < n; i++) {
        size_t b = i / Mp, j = i % Mp;
        int real = b < tr->batch && j < out;
        size_t e = b * out + j;
        int64_t r = real ? tr->r[l][e] : 1 << 15, h = real ? tr->h[l][e] : 0;
        int64_t nn = real ? tr->n[l][e] : 0, m = real ? tr->m[l][e] : 0;
        int64_t rb = real ? tr->rb[l][e] : 1 << 15, dq = real ? tr->dq[l][e] : 0;
        int64_t dl = real ? tr->delta[l][e] : 0;

        slot(c, l, ZKR_TS_R)[i] = zkr_gl_from_i64(r);
        slot(c, l, ZKR_TS_H)[i] = zkr_gl_from_i64(h);
        slot(c, l, ZKR_TS_NLO)[i] = (zkr_gl)((uint64_t)nn & 0xffff);
        slot(c, l, ZKR_TS_NHI)[i] = (zkr_gl)((uint64_t)nn >> 16);
        slot(c, l, ZKR_TS_M)[i] = zkr_gl_from_i64(m);
        slot(c, l, ZKR_TS_HM)[i] = zkr_gl_from_i64(h - m);
        slot(c, l, ZKR_TS_RB)[i] = zkr_gl_from_i64(rb);
        limbs24(dq, &slot(c, l, ZKR_TS_DQLO)[i], &slot(c, l, ZKR_TS_DQHI)[i],
                &slot(c, l, ZKR_TS_DQHS)[i]);
        limbs24(dl, &slot(c, l, ZKR_TS_DLLO)[i], &slot(c, l, ZKR_TS_DLHI)[i],
                &slot(c, l, ZKR_TS_DLHS)[i]);
    }
}

static void fill_output(pctx *c, const zkr_ml_tstep_trace *tr, uint32_t l)
{
    size_t Mp = (size_t)1 << c->s.lm[l], n = blk_n(c, l);
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

/* ru and its copy scaled by 2^(16-S); the child's W' + 2^20 as 16 + 5 bits and the 5 scaled by 2^11. */
static void fill_update(pctx *c, const zkr_ml_tstep_trace *tr, uint32_t l, unsigned shift)
{
    size_t Kp = (size_t)1 << c->s.lk[l], Mp = (size_t)1 << c->s.lm[l];
    uint32_t in = c->s.in[l], out = c->s.out[l];
    zkr_gl *blk[ZKR_TU_N];

    for (unsigned u = 0; u < ZKR_TU_N; u++)
        blk[u] = c->v + c->s.upd_off[l][u];
    for (size_t j = 0; j < Mp; j++)
        for (size_t k = 0; k < Kp; k++) {
            int real = j < out && k <= in;
            size_t i = j * Kp + k;
            int64_t ru = real ? tr->ru[l][j * (in + 1) + k] : (int64_t)1 << (shift - 1);
            uint64_t w = zkr_gl_add(c->chd->w[l][i], zkr_train_pow2(20));

            blk[ZKR_TU_RU][i] = zkr_gl_from_i64(ru);
            blk[ZKR_TU_RUS][i] = zkr_gl_mul(zkr_gl_from_i64(ru), zkr_train_pow2(16 - shift));
            blk[ZKR_TU_WLO][i] = w & 0xffff;
            blk[ZKR_TU_WHI][i] = w >> 16;
            blk[ZKR_TU_WHS][i] = zkr_gl_mul(w >> 16, zkr_train_pow2(11));
        }
}

/*
 * A_l = [a_l | ONE] and delta_l as the sumchecks use them, read back from V
 * (a cheating prover's substitutions in V reach them the same way): h_{l-1}
 * from its slot, delta from its limbs, the output's delta as o - 4096 [j =
 * label] from o's limbs.
 */
static void derive_tables(pctx *c, uint32_t batch)
{
    uint32_t L = c->s.n_layers, in0 = c->s.in[0];
    zkr_gl two16 = zkr_train_pow2(16), off = zkr_train_pow2(23);

    for (uint32_t l = 0; l < L; l++) {
        size_t Kp = (size_t)1 << c->s.lk[l], Mp = (size_t)1 << c->s.lm[l], n = blk_n(c, l);
        uint32_t in = c->s.in[l];
        int out_layer = l + 1 == L;
        const zkr_gl *lo = slot(c, l, out_layer ? ZKR_TS_OLO : ZKR_TS_DLLO);
        const zkr_gl *hi = slot(c, l, out_layer ? ZKR_TS_OHI : ZKR_TS_DLHI);

        for (size_t b = 0; b < batch; b++) {
            for (size_t k = 0; k < in; k++)
                c->A[l][b * Kp + k] = l == 0 ? (zkr_gl)c->rec[b].record[k]
                                             : slot(c, l - 1, ZKR_TS_H)[b * in + k];
            c->A[l][b * Kp + in] = ZKR_ML_T_ONE;
        }
        for (size_t b = batch; l > 0 && b < ((size_t)1 << c->s.lb); b++)
            for (size_t k = 0; k < in; k++)
                c->A[l][b * Kp + k] = slot(c, l - 1, ZKR_TS_H)[b * in + k];
        for (size_t i = 0; i < n; i++) {
            size_t b = i / Mp, j = i % Mp;
            zkr_gl v = zkr_gl_sub(zkr_gl_add(lo[i], zkr_gl_mul(hi[i], two16)), off);
            if (out_layer && b < batch && j == c->rec[b].record[in0])
                v = zkr_gl_sub(v, ZKR_ML_T_TARGET);
            c->D[l][i] = v;
        }
    }
}

/*
 * Range-table multiplicities of V. An entry outside 0..65535 is a broken
 * bound (ZKR_ERR_INTERNAL) unless `lax` (a test build's cheating prover,
 * whose out-of-range entries are simply not counted: the LogUp must fail).
 */
static zkr_err count_mult(pctx *c, int lax)
{
    memset(c->mult, 0, sizeof(zkr_gl) << ZKR_TRAIN_TABLE_LOG);
    for (size_t i = 0; i < ((size_t)1 << c->s.n_v); i++) {
        if (c->v[i] >= ((zkr_gl)1 << ZKR_TRAIN_TABLE_LOG)) {
            if (lax)
                continue;
            return ZKR_ERR_INTERNAL; /* a limb out of range: the trace broke a bound */
        }
        c->mult[c->v[i]]++;
    }
    return ZKR_OK;
}

static zkr_err build_witness(pctx *c, const zkr_ml_tstep_trace *tr, unsigned shift,
                             zkr_train_cheat_fn cheat, void *arg)
{
    uint32_t L = c->s.n_layers;
    zkr_err r;

    if ((c->v = calloc((size_t)1 << c->s.n_v, sizeof(zkr_gl))) == NULL ||
        (c->mult = calloc((size_t)1 << ZKR_TRAIN_TABLE_LOG, sizeof(zkr_gl))) == NULL)
        return ZKR_ERR_NOMEM;
    for (uint32_t l = 0; l < L; l++) {
        c->A[l] = calloc((size_t)1 << (c->s.lb + c->s.lk[l]), sizeof(zkr_gl));
        c->D[l] = calloc(blk_n(c, l), sizeof(zkr_gl));
        if (!c->A[l] || !c->D[l])
            return ZKR_ERR_NOMEM;
        if (l + 1 < L)
            fill_hidden(c, tr, l);
        else
            fill_output(c, tr, l);
        fill_update(c, tr, l, shift);
    }
    c->cheat = cheat != NULL;
    if (cheat != NULL) {
        zkr_train_witness w = {&c->s, c->v, tr, c->lr, shift};
        if ((r = cheat(&w, arg)) != ZKR_OK)
            return r;
    }
    derive_tables(c, c->s.batch);
    return count_mult(c, cheat != NULL);
}

static void ctx_free(pctx *c)
{
    if (c->v) {
        sodium_memzero(c->v, sizeof(zkr_gl) << c->s.n_v);
        free(c->v);
    }
    free(c->mult);
    for (uint32_t l = 0; l < ZKR_TRAIN_MAX_LAYERS; l++) {
        free(c->A[l]);
        free(c->D[l]);
    }
}

/* ------------------------------------------------------------------ */
/* Statement section, openings, the whole proof                         */
/* ------------------------------------------------------------------ */

static zkr_err encode_statement(const zkr_train_model *par, const zkr_train_model *chd,
                                const zkr_infer_record *rec, uint32_t batch,
                                const zkr_ml_tstep_params *sp, zkr_buf *out, zkr_diag *d)
{
    zkr_buf prog = {0};
    zkr_err r;

    if ((r = zkr_ml_graph_encode(zkr_ml_tmodel_graph(par->m), &prog, d)) != ZKR_OK ||
        (r = zkr_enc_u32(out, par->n_layers)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, prog.p, prog.len)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < par->n_layers; l++)
        if ((r = zkr_enc_u32(out, par->comm[l].n_vars)) != ZKR_OK ||
            (r = zkr_buf_append(out, par->comm[l].root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
            (r = zkr_buf_append(out, chd->comm[l].root, ZKR_DIGEST_BYTES)) != ZKR_OK)
            goto out;
    if ((r = zkr_enc_u64(out, rec[0].n_records)) != ZKR_OK ||
        (r = zkr_buf_append(out, rec[0].root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(out, batch)) != ZKR_OK)
        goto out;
    for (uint32_t i = 0; i < batch; i++) {
        if ((r = zkr_enc_u64(out, rec[i].index)) != ZKR_OK ||
            (r = zkr_enc_bytes(out, rec[i].record, rec[i].record_len)) != ZKR_OK ||
            (r = zkr_enc_u32(out, (uint32_t)rec[i].path_len)) != ZKR_OK)
            goto out;
        for (size_t k = 0; k < rec[i].path_len; k++)
            if ((r = zkr_buf_append(out, rec[i].path[k], ZKR_DIGEST_BYTES)) != ZKR_OK)
                goto out;
    }
    if ((r = zkr_enc_u32(out, sp->lr)) != ZKR_OK || (r = zkr_enc_u32(out, sp->shift)) != ZKR_OK)
        goto out;
    r = zkr_enc_u32(out, 1); /* steps */
out:
    zkr_buf_free(&prog);
    return r;
}

/*
 * One batched opening per polynomial size, ascending; within a size W_l,
 * W'_l, V, M by id, in openings of at most ZKR_TRAIN_GROUP_MAX polynomials.
 */
static zkr_err open_all(pctx *c, zkr_pcs_poly *vpoly, zkr_pcs_poly *mpoly, zkr_buf *out)
{
    uint32_t L = c->s.n_layers;
    unsigned nid = ZKR_TRAIN_N_POLYS(L);
    zkr_err r = ZKR_OK;

    for (unsigned v = 0; v <= 64 && r == ZKR_OK; v++) {
        unsigned ids[2 * ZKR_TRAIN_MAX_LAYERS + 2], n_ids = 0;
        for (unsigned id = 0; id < nid; id++)
            if (zkr_train_poly_vars(&c->s, id) == v)
                ids[n_ids++] = id;
        for (unsigned at = 0; at < n_ids && r == ZKR_OK; at += ZKR_TRAIN_GROUP_MAX) {
            zkr_pcs_poly *polys[ZKR_TRAIN_GROUP_MAX];
            zkr_pcs_claim cls[MAX_CLAIMS];
            size_t np = 0, nc = 0;
            for (unsigned i = at; i < n_ids && i < at + ZKR_TRAIN_GROUP_MAX; i++) {
                unsigned id = ids[i];
                polys[np] = id < L ? c->par->poly[id] : id < 2 * L ? c->chd->poly[id - L]
                            : id == 2 * L ? vpoly : mpoly;
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
    zkr_ts_absorb(c->t, "tr-witness-root", vc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(c->t, "tr-mult-root", mc.root, ZKR_DIGEST_BYTES);
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
        claim *a = new_claim(c, 2 * c->s.n_layers), *m = new_claim(c, 2 * c->s.n_layers + 1);
        memcpy(a->pt, lc.ra, c->s.n_v * sizeof(zkr_ext));
        a->val = lc.a_at_ra;
        memcpy(m->pt, lc.rt, ZKR_TRAIN_TABLE_LOG * sizeof(zkr_ext));
        m->val = lc.m_at_rt;
    }
    for (uint32_t l = 0; l < c->s.n_layers && r == ZKR_OK; l++)
        r = prove_update(c, l);
    for (uint32_t l = 0; l + 1 < c->s.n_layers && r == ZKR_OK; l++)
        r = prove_hidden(c, l);
    if (r == ZKR_OK)
        r = prove_output(c);
    if (r == ZKR_OK)
        r = c->err;
    if (r == ZKR_OK && c->n_cl != zkr_train_n_claims(&c->s))
        r = ZKR_ERR_INTERNAL; /* the verifier would refuse the proof */
    if (r == ZKR_OK)
        r = open_all(c, vpoly, mpoly, body);
out:
    free(table);
    zkr_pcs_poly_free(vpoly);
    zkr_pcs_poly_free(mpoly);
    return r;
}

/* Runs the native step on the records and checks the child is its result. */
static zkr_err native_step(const zkr_train_model *parent, const zkr_train_model *child,
                           const zkr_infer_record *rec, uint32_t batch,
                           const zkr_ml_tstep_params *sp, zkr_ml_tstep_trace *tr, zkr_diag *d)
{
    uint32_t in = parent->dims[0], nout = parent->dims[parent->n_layers];
    uint8_t *inputs = malloc((size_t)batch * in), labels[ZKR_TRAIN_MAX_BATCH];
    zkr_buf cb = {0};
    const uint8_t *want;
    size_t want_len;
    zkr_err r = ZKR_OK;

    if (inputs == NULL)
        return ZKR_ERR_NOMEM;
    for (uint32_t i = 0; i < batch && r == ZKR_OK; i++) {
        if (rec[i].record_len != (size_t)in + 1 || rec[i].record[in] >= nout)
            r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "batch record %u: not %u input bytes and a "
                         "label below %u", i, in, nout);
        else {
            memcpy(inputs + (size_t)i * in, rec[i].record, in);
            labels[i] = rec[i].record[in];
        }
    }
    if (r == ZKR_OK)
        r = zkr_ml_train_step(parent->m, inputs, (size_t)batch * in, labels, batch, sp, &cb, tr, d);
    if (r == ZKR_OK) {
        zkr_ml_tmodel_bytes(child->m, &want, &want_len);
        if (cb.len != want_len || memcmp(cb.p, want, want_len) != 0)
            r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "the child is not the result of this step "
                         "from the parent on these records (no proof made)");
    }
    free(inputs);
    zkr_buf_free(&cb);
    return r;
}

/*
 * The step from a trace: the native step's (given NULL) or, in test builds,
 * a caller's. With `cheat` (test builds only) the child's equality with the
 * step is not checked and cheat may substitute any entries of V before the
 * prover derives everything else from it.
 */
static zkr_err train_step(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                          const zkr_train_model *parent, const zkr_train_model *child,
                          const zkr_infer_record *records, uint32_t batch,
                          const zkr_ml_tstep_params *sp, unsigned threads,
                          const zkr_ml_tstep_trace *given, zkr_train_cheat_fn cheat, void *arg,
                          zkr_buf *proof, zkr_diag *d)
{
    pctx c;
    zkr_transcript t;
    zkr_ml_tstep_trace tr;
    zkr_buf stmt = {0}, body = {0};
    zkr_err r;

    memset(&c, 0, sizeof c);
    memset(&tr, 0, sizeof tr);
    proof->len = 0;
    if (batch == 0 || batch > ZKR_TRAIN_MAX_BATCH)
        return zkr_fail(d, ZKR_ERR_USAGE, "batch %u not in 1..%u", batch, ZKR_TRAIN_MAX_BATCH);
    if (memcmp(parent->program_digest, child->program_digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM, "parent and child have different programs");
    for (uint32_t i = 0; i < batch; i++)
        for (uint32_t j = 0; j < i; j++)
            if (records[i].index == records[j].index)
                return zkr_fail(d, ZKR_ERR_USAGE, "batch positions %u and %u are both record "
                                "%llu (a batch is distinct records)", j, i,
                                (unsigned long long)records[i].index);
    if ((r = zkr_train_shape_of(parent->n_layers, parent->dims, batch, p->max_vars, &c.s, d)) !=
        ZKR_OK)
        goto out;
    if (given == NULL && (r = native_step(parent, child, records, batch, sp, &tr, d)) != ZKR_OK) {
        if (!(cheat != NULL && r == ZKR_ERR_MISMATCH_MODEL))
            goto out;
        r = ZKR_OK; /* a cheating prover proves for a child that is not the step's result */
    }
    c.p = p;
    c.lr = sp->lr;
    c.t = &t;
    c.threads = threads ? threads : 1;
    c.par = parent;
    c.chd = child;
    c.rec = records;
    if ((r = build_witness(&c, given ? given : &tr, sp->shift, cheat, arg)) != ZKR_OK) {
        r = zkr_fail(d, r, "training-step@1: cannot build the witness");
        goto out;
    }
    if ((r = encode_statement(parent, child, records, batch, sp, &stmt, d)) != ZKR_OK)
        goto out;
    zkr_train_transcript(&t, p, statement_id, stmt.p, stmt.len);
    if ((r = prove_body(&c, &body)) != ZKR_OK)
        goto out;
    if ((r = zkr_proof_begin(proof, p->id, ZKR_KIND_TRAIN_STEP, statement_id, 2)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_STATEMENT, stmt.p, stmt.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_TRAIN_BODY, body.p, body.len)) != ZKR_OK)
        goto out;
out:
    if (r != ZKR_OK)
        proof->len = 0;
    zkr_ml_tstep_trace_free(&tr);
    ctx_free(&c);
    zkr_buf_free(&stmt);
    zkr_buf_free(&body);
    return r;
}

zkr_err zkr_prover_train_step(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              const zkr_train_model *parent, const zkr_train_model *child,
                              const zkr_infer_record *records, uint32_t batch,
                              const zkr_ml_tstep_params *sp, unsigned threads, zkr_buf *proof,
                              zkr_diag *d)
{
    return train_step(p, statement_id, parent, child, records, batch, sp, threads, NULL, NULL,
                      NULL, proof, d);
}

#if ZKR_TEST_BUILD
/* Nothing substituted: the honest witness for whatever child is claimed. */
static zkr_err cheat_none(zkr_train_witness *w, void *arg)
{
    (void)w;
    (void)arg;
    return ZKR_OK;
}

/* Flips the mask of the first active unit of hidden layer 0, keeping h - m in range. */
static zkr_err cheat_mask(zkr_train_witness *w, void *arg)
{
    size_t n = (size_t)1 << (w->s->lb + w->s->lm[0]);
    zkr_gl *m = w->v + w->s->grp_off[0] + (size_t)ZKR_TS_M * n;
    zkr_gl *hm = w->v + w->s->grp_off[0] + (size_t)ZKR_TS_HM * n;

    (void)arg;
    for (size_t i = 0; i < n; i++)
        if (m[i] == 1) {
            m[i] = 0;
            hm[i] += 1;
            return ZKR_OK;
        }
    return ZKR_OK;
}

zkr_err zkr_prover_train_step_forged(const zkr_params *p,
                                     const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                     const zkr_train_model *parent, const zkr_train_model *child,
                                     const zkr_infer_record *records, uint32_t batch,
                                     const zkr_ml_tstep_params *sp, unsigned forge,
                                     zkr_buf *proof, zkr_diag *d)
{
    if (forge != 1 && forge != 2)
        return ZKR_ERR_USAGE;
    return train_step(p, statement_id, parent, child, records, batch, sp, 1, NULL,
                      forge == 1 ? cheat_none : cheat_mask, NULL, proof, d);
}

zkr_err zkr_prover_train_step_cheat(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_train_model *parent, const zkr_train_model *child,
                                    const zkr_infer_record *records, uint32_t batch,
                                    const zkr_ml_tstep_params *sp, const zkr_ml_tstep_trace *tr,
                                    zkr_train_cheat_fn cheat, void *arg, zkr_buf *proof,
                                    zkr_diag *d)
{
    if (tr != NULL && (tr->batch != batch || tr->n_layers != parent->n_layers))
        return zkr_fail(d, ZKR_ERR_USAGE, "cheat: the trace's batch or depth differs");
    return train_step(p, statement_id, parent, child, records, batch, sp, 1, tr,
                      cheat ? cheat : cheat_none, arg, proof, d);
}
#endif

void zkr_train_model_parts_of(const zkr_train_model *tm, zkr_train_model_parts *out)
{
    out->m = tm->m;
    out->n_layers = tm->n_layers;
    out->dims = tm->dims;
    out->lm = tm->lm;
    out->lk = tm->lk;
    out->w = (const zkr_gl *const *)tm->w;
    out->poly = tm->poly;
    out->comm = tm->comm;
    out->program_digest = tm->program_digest;
    out->commitment = tm->commitment;
}
