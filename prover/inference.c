/*
 * inference@1 prover (docs/proof-system.md, "inference@1"): witness,
 * LogUp range checks, per-layer zero-check and matmul sumchecks from the
 * output back to the input, and one batched Basefold opening per
 * polynomial size.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "zkr_config.h"

struct zkr_infer_model {
    const zkr_ml_model *m;
    zkr_params params;
    zkr_infer_shape shape;
    zkr_ml_qlayer ql[ZKR_INFER_MAX_LAYERS];
    zkr_pcs_poly *poly[ZKR_INFER_MAX_LAYERS];
    zkr_pcs_commitment comm[ZKR_INFER_MAX_LAYERS];
    uint32_t shifts[ZKR_INFER_MAX_LAYERS];
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    uint8_t commitment[ZKR_DIGEST_BYTES];
    zkr_buf program;
};

void zkr_infer_model_free(zkr_infer_model *im)
{
    if (!im)
        return;
    for (uint32_t l = 0; l < ZKR_INFER_MAX_LAYERS; l++)
        zkr_pcs_poly_free(im->poly[l]);
    zkr_buf_free(&im->program);
    free(im);
}

/* W' of layer l as field values: row j at j*2^lk, bias in column in_dim, M in in_dim+1. */
static zkr_err zkr_inf_layer_evals(const zkr_infer_layer *L, const zkr_ml_qlayer *q, zkr_gl **out)
{
    size_t K = (size_t)1 << L->lk, len = ((size_t)1 << L->lm) * K;
    zkr_gl *ev = calloc(len, sizeof *ev);

    *out = ev;
    if (!ev)
        return ZKR_ERR_NOMEM;
    for (size_t j = 0; j < L->out_dim; j++) {
        for (size_t k = 0; k < L->in_dim; k++)
            ev[j * K + k] = zkr_gl_from_i64(q->w[j * L->in_dim + k]);
        ev[j * K + L->in_dim] = zkr_gl_from_i64(q->bias[j]);
        ev[j * K + L->in_dim + 1] = (zkr_gl)q->mult[j];
    }
    return ZKR_OK;
}

static zkr_err zkr_inf_shape_of(const zkr_ml_model *m, zkr_ml_qlayer *ql, uint32_t *shifts,
                                zkr_infer_shape *s, zkr_diag *d)
{
    const zkr_ml_graph *g = zkr_ml_model_graph(m);
    uint32_t in[ZKR_INFER_MAX_LAYERS], out[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS];
    zkr_err r;

    if (g->n_layers < 1 || g->n_layers > ZKR_INFER_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: %u layers", g->n_layers);
    for (uint32_t l = 0; l < g->n_layers; l++) {
        if ((r = zkr_ml_model_layer(m, l, &ql[l])) != ZKR_OK)
            return zkr_fail(d, r, "model: layer %u unreadable", l);
        if (g->layers[l].op != ZKR_ML_OP_DENSE)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "model: layer %u is not dense", l);
        in[l] = g->layers[l].in_dim;
        out[l] = g->layers[l].out_dim;
        relu[l] = g->layers[l].act == ZKR_ML_ACT_RELU;
        shifts[l] = ql[l].shift;
    }
    if (zkr_infer_shape_init(s, g->input_dim, g->n_layers, in, out, relu, shifts) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: shapes outside the inference@1 bounds");
    return ZKR_OK;
}

zkr_err zkr_prover_infer_commit(const zkr_params *p, const zkr_ml_model *m, unsigned threads,
                                zkr_infer_model **out, uint8_t commitment[ZKR_DIGEST_BYTES],
                                zkr_diag *d)
{
    zkr_infer_model *im;
    zkr_err r;

    *out = NULL;
    memset(commitment, 0, ZKR_DIGEST_BYTES);
    im = calloc(1, sizeof *im);
    if (!im)
        return ZKR_ERR_NOMEM;
    im->m = m;
    im->params = *p;
    if ((r = zkr_inf_shape_of(m, im->ql, im->shifts, &im->shape, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_ml_graph_encode(zkr_ml_model_graph(m), &im->program, d)) != ZKR_OK)
        goto out;
    zkr_sha256(im->program.p, im->program.len, im->program_digest);
    if (im->shape.n_v > p->max_vars) {
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "model: witness of 2^%u values over the limit 2^%u",
                     im->shape.n_v, p->max_vars);
        goto out;
    }
    for (uint32_t l = 0; l < im->shape.n_layers; l++) {
        const zkr_infer_layer *L = &im->shape.layer[l];
        zkr_gl *ev;
        if (L->lm + L->lk > p->max_vars) {
            r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "model: layer %u has 2^%u weights, limit 2^%u", l,
                         L->lm + L->lk, p->max_vars);
            goto out;
        }
        if ((r = zkr_inf_layer_evals(L, &im->ql[l], &ev)) != ZKR_OK)
            goto out;
        r = zkr_prover_commit(p, ev, L->lm + L->lk, threads, &im->poly[l], &im->comm[l]);
        free(ev);
        if (r != ZKR_OK)
            goto out;
    }
    zkr_infer_model_commitment(im->program_digest, im->shape.n_layers, im->shifts, im->comm,
                               im->commitment);
    memcpy(commitment, im->commitment, ZKR_DIGEST_BYTES);
out:
    if (r != ZKR_OK)
        zkr_infer_model_free(im);
    else
        *out = im;
    return r;
}

/* ------------------------------------------------------------------ */
/* Witness                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    zkr_gl *v;                        /* 2^n_v */
    int64_t *acc[ZKR_INFER_MAX_LAYERS]; /* 2^lm, zero padded */
    int8_t out[ZKR_INFER_MAX_DIM];
    uint32_t out_dim;
} zkr_inf_wit;

static void zkr_inf_wit_free(zkr_inf_wit *w)
{
    free(w->v);
    for (uint32_t l = 0; l < ZKR_INFER_MAX_LAYERS; l++)
        free(w->acc[l]);
    memset(w, 0, sizeof *w);
}

static zkr_gl *zkr_inf_slot(const zkr_infer_shape *s, zkr_gl *v, uint32_t l, unsigned slot)
{
    const zkr_infer_layer *L = &s->layer[l];
    return v + L->v_off + ((uint64_t)slot << L->lm);
}

/* Decomposes one output row into its slots (docs/proof-system.md). */
static zkr_err zkr_inf_row(const zkr_infer_shape *s, zkr_gl *v, uint32_t l, size_t j,
                           int64_t acc, uint32_t mult, int8_t *y_out)
{
    const zkr_infer_layer *L = &s->layer[l];
    size_t n = (size_t)1 << L->lm;
    zkr_gl *col = zkr_inf_slot(s, v, l, 0);
    int64_t t = acc * (int64_t)mult + ((int64_t)1 << (L->shift - 1));
    uint64_t mask = ((uint64_t)1 << L->shift) - 1, r = (uint64_t)t & mask, g;
    int64_t q = (t - (int64_t)r) / ((int64_t)1 << L->shift);
    int64_t y = q > 127 ? 127 : q < L->lo ? L->lo : q;

    g = (uint64_t)(q > y ? q - y : y - q);
    col[ZKR_INFER_SLOT_Y * n + j] = (zkr_gl)(y - L->lo);
    col[ZKR_INFER_SLOT_YC * n + j] = (zkr_gl)(127 - y);
    col[ZKR_INFER_SLOT_HI * n + j] = q > 127;
    col[ZKR_INFER_SLOT_LO * n + j] = q < L->lo;
    for (unsigned i = 0; i < L->nr; i++)
        col[(ZKR_INFER_SLOT_R0 + i) * n + j] = (r >> (8 * i)) & 0xff;
    col[L->slot_rtc * n + j] = ((r >> (8 * (L->nr - 1))) & 0xff) * L->c_r;
    for (unsigned i = 0; i < L->ng; i++)
        col[(L->slot_g0 + i) * n + j] = (g >> (8 * i)) & 0xff;
    col[L->slot_gtc * n + j] = ((g >> (8 * (L->ng - 1))) & 0xff) * L->c_g;
    if ((r >> (8 * (L->nr - 1))) * L->c_r > 255 || (g >> (8 * (L->ng - 1))) * L->c_g > 255)
        return ZKR_ERR_INTERNAL; /* outside the proven bounds: cannot happen for valid models */
    *y_out = (int8_t)y;
    return ZKR_OK;
}

/* The multiplicities of V's range-checked half, into the second half. */
static zkr_err zkr_inf_mult(const zkr_infer_shape *s, zkr_gl *v)
{
    uint64_t mult[256] = {0};
    size_t nl = (size_t)1 << s->n_l;

    for (size_t i = 0; i < nl; i++) {
        if (v[i] > 255)
            return ZKR_ERR_INTERNAL;
        mult[v[i]]++;
    }
    for (size_t i = 0; i < 256; i++)
        v[nl + i] = mult[i];
    return ZKR_OK;
}

static zkr_err zkr_inf_witness(const zkr_infer_model *im, const uint8_t *input, zkr_inf_wit *w)
{
    const zkr_infer_shape *s = &im->shape;
    int64_t *x = NULL;
    int8_t *y = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    memset(w, 0, sizeof *w);
    w->v = calloc((size_t)1 << s->n_v, sizeof *w->v);
    x = calloc(ZKR_INFER_MAX_DIM, sizeof *x);
    y = calloc(ZKR_INFER_MAX_DIM, sizeof *y);
    if (!w->v || !x || !y)
        goto out;
    for (uint32_t k = 0; k < s->input_dim; k++)
        x[k] = input[k];
    for (uint32_t l = 0; l < s->n_layers; l++) {
        const zkr_infer_layer *L = &s->layer[l];
        const zkr_ml_qlayer *q = &im->ql[l];
        size_t n = (size_t)1 << L->lm;
        if (!(w->acc[l] = calloc(n, sizeof *w->acc[l])))
            goto out;
        for (size_t j = 0; j < n; j++) {
            int64_t acc = 0;
            uint32_t mlt = 0;
            if (j < L->out_dim) {
                const int8_t *row = q->w + j * L->in_dim;
                acc = q->bias[j];
                for (size_t k = 0; k < L->in_dim; k++)
                    acc += (int64_t)row[k] * x[k];
                mlt = q->mult[j];
            }
            int8_t yj;
            w->acc[l][j] = acc;
            /* Padded rows (W', b, M zero) compute q = 0, y = 0 like the proof demands. */
            if ((r = zkr_inf_row(s, w->v, l, j, acc, mlt, &yj)) != ZKR_OK)
                goto out;
            if (j < L->out_dim)
                y[j] = yj;
        }
        for (size_t k = 0; k < L->out_dim; k++)
            x[k] = y[k];
    }
    w->out_dim = s->layer[s->n_layers - 1].out_dim;
    memcpy(w->out, y, w->out_dim);
    r = zkr_inf_mult(s, w->v);
out:
    free(x);
    free(y);
    if (r != ZKR_OK)
        zkr_inf_wit_free(w);
    return r;
}

void zkr_infer_values_free(zkr_infer_values *v)
{
    if (!v)
        return;
    for (uint32_t l = 0; l < ZKR_INFER_MAX_LAYERS; l++) {
        free(v->acc[l]);
        free(v->q[l]);
        free(v->r[l]);
        free(v->y[l]);
    }
    memset(v, 0, sizeof *v);
}

/* Reads the committed slots back as integers. */
static void zkr_inf_decode_row(const zkr_infer_shape *s, zkr_gl *v, uint32_t l, size_t j,
                               int64_t *q, int64_t *rr, int64_t *y)
{
    const zkr_infer_layer *L = &s->layer[l];
    size_t n = (size_t)1 << L->lm;
    const zkr_gl *col = zkr_inf_slot(s, v, l, 0);
    uint64_t r = 0, g = 0;

    for (unsigned i = 0; i < L->nr; i++)
        r |= col[(ZKR_INFER_SLOT_R0 + i) * n + j] << (8 * i);
    for (unsigned i = 0; i < L->ng; i++)
        g |= col[(L->slot_g0 + i) * n + j] << (8 * i);
    *y = (int64_t)col[ZKR_INFER_SLOT_Y * n + j] + L->lo;
    *rr = (int64_t)r;
    *q = *y + ((int64_t)col[ZKR_INFER_SLOT_HI * n + j] - (int64_t)col[ZKR_INFER_SLOT_LO * n + j]) *
                  (int64_t)g;
}

zkr_err zkr_prover_infer_values(const zkr_infer_model *im, const uint8_t *input, size_t len,
                                zkr_infer_values *out, zkr_diag *d)
{
    const zkr_infer_shape *s = &im->shape;
    zkr_inf_wit w;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (len != s->input_dim)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "input: %zu bytes, the model wants %u", len,
                        s->input_dim);
    if ((r = zkr_inf_witness(im, input, &w)) != ZKR_OK)
        return r;
    out->n_layers = s->n_layers;
    r = ZKR_ERR_NOMEM;
    for (uint32_t l = 0; l < s->n_layers; l++) {
        uint32_t n = s->layer[l].out_dim;
        out->acc[l] = calloc(n, sizeof(int64_t));
        out->q[l] = calloc(n, sizeof(int64_t));
        out->r[l] = calloc(n, sizeof(int64_t));
        out->y[l] = calloc(n, sizeof(int64_t));
        if (!out->acc[l] || !out->q[l] || !out->r[l] || !out->y[l])
            goto out;
        for (uint32_t j = 0; j < n; j++) {
            out->acc[l][j] = w.acc[l][j];
            zkr_inf_decode_row(s, w.v, l, j, &out->q[l][j], &out->r[l][j], &out->y[l][j]);
        }
    }
    r = ZKR_OK;
out:
    zkr_inf_wit_free(&w);
    if (r != ZKR_OK)
        zkr_infer_values_free(out);
    return r;
}

/* The witness must equal native inference (docs/quantization.md) bit for bit. */
static zkr_err zkr_inf_check_native(const zkr_infer_model *im, const uint8_t *input,
                                    const zkr_inf_wit *w, zkr_diag *d)
{
    const zkr_infer_shape *s = &im->shape;
    zkr_ml_trace tr;
    zkr_err r;

    if ((r = zkr_ml_trace_init(&tr, zkr_ml_model_graph(im->m))) != ZKR_OK)
        return r;
    if ((r = zkr_ml_infer(im->m, input, s->input_dim, &tr, d)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < s->n_layers && r == ZKR_OK; l++)
        for (uint32_t j = 0; j < s->layer[l].out_dim; j++) {
            int64_t q, rr, y;
            zkr_inf_decode_row(s, w->v, l, j, &q, &rr, &y);
            if (w->acc[l][j] != tr.acc[l][j] || q != tr.q[l][j] || y != tr.y[l][j]) {
                r = zkr_fail(d, ZKR_ERR_INTERNAL,
                             "prover: witness differs from native inference at layer %u row %u",
                             l, j);
                break;
            }
        }
out:
    zkr_ml_trace_free(&tr);
    return r;
}

/* ------------------------------------------------------------------ */
/* Proof                                                                */
/* ------------------------------------------------------------------ */

_Static_assert(ZKR_INFER_GROUP_MAX <= ZKR_SC_MAX_TABLES / 2,
               "one opening carries at most ZKR_SC_MAX_TABLES / 2 polynomials");

/* Encodes the statement section (docs/proof-system.md). */
static zkr_err zkr_inf_statement(const zkr_infer_model *im, const zkr_infer_record *rec,
                                 const zkr_buf *output, zkr_buf *b)
{
    zkr_err r;

    if ((r = zkr_enc_bytes(b, im->program.p, im->program.len)) != ZKR_OK ||
        (r = zkr_enc_u32(b, im->shape.n_layers)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < im->shape.n_layers; l++)
        if ((r = zkr_enc_u32(b, im->shifts[l])) != ZKR_OK ||
            (r = zkr_enc_u32(b, im->comm[l].n_vars)) != ZKR_OK ||
            (r = zkr_buf_append(b, im->comm[l].root, ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    if ((r = zkr_enc_u64(b, rec->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(b, rec->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(b, rec->index)) != ZKR_OK ||
        (r = zkr_enc_bytes(b, rec->record, rec->record_len)) != ZKR_OK ||
        (r = zkr_enc_u32(b, (uint32_t)rec->path_len)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < rec->path_len; i++)
        if ((r = zkr_buf_append(b, rec->path[i], ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    return zkr_enc_bytes(b, output->p, output->len);
}

typedef struct {
    const zkr_infer_model *im;
    const zkr_inf_wit *w;
    const uint8_t *input;
    zkr_transcript *t;
    unsigned threads;
    zkr_buf *sec;         /* the layers section */
    zkr_infer_claims *cl;
    int cheat;            /* test builds: LogUp goes on with unequal sums */
} zkr_inf_ctx;

/* Zero-check of layer l's requantization/clamp constraints; fills rho and the slot values. */
static zkr_err zkr_inf_zerocheck(zkr_inf_ctx *c, uint32_t l, zkr_ext *rho, zkr_ext *acc_v,
                                 zkr_ext *m_v)
{
    const zkr_infer_shape *s = &c->im->shape;
    const zkr_infer_layer *L = &s->layer[l];
    const zkr_ml_qlayer *q = &c->im->ql[l];
    size_t n = (size_t)1 << L->lm;
    enum { T_EQ, T_ACC, T_M, T_Y, T_HI, T_LO, T_G, T_R, T_N };
    zkr_ext *tab[T_N] = {0}, z[ZKR_INFER_MAX_PT], msgs[3 * 16], slots[ZKR_INFER_SLOTS], lam[5];
    zkr_gl *v = zkr_inf_slot(s, c->w->v, l, 0);
    zkr_gl two_s = (zkr_gl)1 << L->shift;
    zkr_err r = ZKR_ERR_NOMEM;

    for (unsigned k = 0; k < T_N; k++)
        if (!(tab[k] = calloc(n, sizeof(zkr_ext))))
            goto out;
    zkr_ts_challenge_exts(c->t, "inf-z", z, L->lm);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(c->t, "inf-lambda");
    for (unsigned i = 2; i < 5; i++)
        lam[i] = zkr_ext_mul(lam[i - 1], lam[1]);
    zkr_mle_eq_table(z, L->lm, tab[T_EQ]);
    for (size_t j = 0; j < n; j++) {
        uint64_t rr = 0, g = 0;
        for (unsigned i = 0; i < L->nr; i++)
            rr += v[(ZKR_INFER_SLOT_R0 + i) * n + j] << (8 * i);
        for (unsigned i = 0; i < L->ng; i++)
            g += v[(L->slot_g0 + i) * n + j] << (8 * i);
        tab[T_ACC][j] = zkr_ext_from(zkr_gl_from_i64(c->w->acc[l][j]));
        tab[T_M][j] = zkr_ext_from(j < L->out_dim ? q->mult[j] : 0);
        tab[T_Y][j] = zkr_ext_from(v[ZKR_INFER_SLOT_Y * n + j]);
        tab[T_HI][j] = zkr_ext_from(v[ZKR_INFER_SLOT_HI * n + j]);
        tab[T_LO][j] = zkr_ext_from(v[ZKR_INFER_SLOT_LO * n + j]);
        tab[T_G][j] = zkr_ext_from(zkr_gl_canon(g));
        tab[T_R][j] = zkr_ext_from(rr);
    }
    {
        /* C = acc M + 2^(s-1) - (Y + lo) 2^s - (hi - lo) g 2^s - r, then booleans and clamps. */
        zkr_gl c0 = zkr_gl_sub((zkr_gl)1 << (L->shift - 1), zkr_gl_mul(zkr_gl_from_i64(L->lo), two_s));
        zkr_ext one = zkr_ext_from(1), mone = zkr_ext_from(zkr_gl_neg(1));
        zkr_ext m2s = zkr_ext_from(zkr_gl_neg(two_s)), p2s = zkr_ext_from(two_s);
        zkr_sc_term terms[12] = {
            {one, 3, {T_EQ, T_ACC, T_M}},
            {zkr_ext_from(c0), 1, {T_EQ}},
            {m2s, 2, {T_EQ, T_Y}},
            {m2s, 3, {T_EQ, T_HI, T_G}},
            {p2s, 3, {T_EQ, T_LO, T_G}},
            {mone, 2, {T_EQ, T_R}},
            {lam[1], 3, {T_EQ, T_HI, T_HI}},
            {zkr_ext_mul(lam[1], mone), 2, {T_EQ, T_HI}},
            {lam[2], 3, {T_EQ, T_LO, T_LO}},
            {zkr_ext_mul(lam[2], mone), 2, {T_EQ, T_LO}},
            {zkr_ext_mul_base(lam[3], zkr_gl_from_i64(127 - L->lo)), 2, {T_EQ, T_HI}},
            {zkr_ext_mul(lam[3], mone), 3, {T_EQ, T_HI, T_Y}},
        };
        zkr_sc_term t13 = {lam[4], 3, {T_EQ, T_LO, T_Y}};
        zkr_sc_term all[13];
        memcpy(all, terms, sizeof terms);
        all[12] = t13;
        zkr_sc_poly f = {tab, T_N, all, 13, 3, NULL};
        zkr_prover_sumcheck(&f, L->lm, c->t, c->threads, msgs, rho);
    }
    for (unsigned sl = 0; sl < ZKR_INFER_SLOTS; sl++)
        if ((r = zkr_mle_eval_base(v + sl * n, L->lm, rho, &slots[sl])) != ZKR_OK)
            goto out;
    *acc_v = tab[T_ACC][0];
    *m_v = tab[T_M][0];
    zkr_ts_absorb_ext(c->t, "inf-slots", slots, ZKR_INFER_SLOTS);
    zkr_ts_absorb_ext(c->t, "inf-acc-m", acc_v, 1);
    zkr_ts_absorb_ext(c->t, "inf-acc-m", m_v, 1);
    if ((r = zkr_enc_exts(c->sec, msgs, 3 * (size_t)L->lm)) != ZKR_OK ||
        (r = zkr_enc_exts(c->sec, slots, ZKR_INFER_SLOTS)) != ZKR_OK ||
        (r = zkr_enc_ext(c->sec, *acc_v)) != ZKR_OK || (r = zkr_enc_ext(c->sec, *m_v)) != ZKR_OK)
        goto out;
    {
        /* One claim on V for all 16 slots: V~(rho, tau, block) = sum_s eq(tau, s) slot_s. */
        zkr_infer_claim *vc = zkr_infer_claim_new(c->cl, s->n_layers);
        if (!vc) {
            r = ZKR_ERR_INTERNAL;
            goto out;
        }
        zkr_infer_slot_claim(c->t, s, l, rho, slots, vc);
    }
    {
        zkr_infer_claim *mc = zkr_infer_claim_new(c->cl, l);
        if (!mc) {
            r = ZKR_ERR_INTERNAL;
            goto out;
        }
        for (unsigned i = 0; i < L->lk; i++)
            mc->pt[i] = zkr_ext_from(((uint64_t)(L->in_dim + 1) >> i) & 1);
        memcpy(mc->pt + L->lk, rho, L->lm * sizeof *rho);
        mc->val = *m_v;
    }
    r = ZKR_OK;
out:
    for (unsigned k = 0; k < T_N; k++)
        free(tab[k]);
    return r;
}

typedef struct {
    const zkr_infer_layer *L;
    const zkr_ml_qlayer *q;
    const zkr_ext *eq;
    zkr_ext *a;
} zkr_inf_a_job;

static void zkr_inf_a_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_inf_a_job *j = ctx;
    const zkr_infer_layer *L = j->L;

    (void)w;
    for (size_t k = lo; k < hi; k++) {
        zkr_ext acc = zkr_ext_from(0);
        for (size_t r = 0; r < L->out_dim; r++) {
            zkr_gl wv = k < L->in_dim ? zkr_gl_from_i64(j->q->w[r * L->in_dim + k])
                        : k == L->in_dim ? zkr_gl_from_i64(j->q->bias[r])
                                         : (zkr_gl)j->q->mult[r];
            acc = zkr_ext_add(acc, zkr_ext_mul_base(j->eq[r], wv));
        }
        j->a[k] = acc;
    }
}

/* Matmul sumcheck acc~(rho) = sum_k W'~(rho, k) x'~(k), then the claims it leaves. */
static zkr_err zkr_inf_matmul(zkr_inf_ctx *c, uint32_t l, const zkr_ext *rho, zkr_ext acc_v)
{
    const zkr_infer_shape *s = &c->im->shape;
    const zkr_infer_layer *L = &s->layer[l];
    size_t K = (size_t)1 << L->lk, n = (size_t)1 << L->lm;
    zkr_ext *tab[2] = {NULL, NULL}, *eq = NULL, msgs[2 * 16], rk[ZKR_INFER_MAX_PT], wv, yprev;
    zkr_err r = ZKR_ERR_NOMEM;

    (void)acc_v;
    tab[0] = calloc(K, sizeof(zkr_ext));
    tab[1] = calloc(K, sizeof(zkr_ext));
    eq = calloc(n, sizeof *eq);
    if (!tab[0] || !tab[1] || !eq)
        goto out;
    zkr_mle_eq_table(rho, L->lm, eq);
    {
        zkr_inf_a_job j = {L, &c->im->ql[l], eq, tab[0]};
        zkr_par_for(c->threads, L->in_dim + 2, 64, zkr_inf_a_chunk, &j);
    }
    if (l == 0) {
        for (size_t k = 0; k < L->in_dim; k++)
            tab[1][k] = zkr_ext_from(c->input[k]);
    } else {
        const zkr_gl *py = zkr_inf_slot(s, c->w->v, l - 1, ZKR_INFER_SLOT_Y);
        for (size_t k = 0; k < L->in_dim; k++)
            tab[1][k] = zkr_ext_from(zkr_gl_add(py[k], zkr_gl_from_i64(s->layer[l - 1].lo)));
    }
    tab[1][L->in_dim] = zkr_ext_from(1);
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly f = {tab, 2, &term, 1, 2, NULL};
        zkr_prover_sumcheck(&f, L->lk, c->t, c->threads, msgs, rk);
    }
    wv = tab[0][0];
    zkr_ts_absorb_ext(c->t, "inf-mm-w", &wv, 1);
    if ((r = zkr_enc_exts(c->sec, msgs, 2 * (size_t)L->lk)) != ZKR_OK ||
        (r = zkr_enc_ext(c->sec, wv)) != ZKR_OK)
        goto out;
    {
        zkr_infer_claim *wc = zkr_infer_claim_new(c->cl, l);
        if (!wc) {
            r = ZKR_ERR_INTERNAL;
            goto out;
        }
        memcpy(wc->pt, rk, L->lk * sizeof *rk);
        memcpy(wc->pt + L->lk, rho, L->lm * sizeof *rho);
        wc->val = wv;
    }
    if (l > 0) {
        const zkr_infer_layer *P = &s->layer[l - 1];
        const zkr_gl *py = zkr_inf_slot(s, c->w->v, l - 1, ZKR_INFER_SLOT_Y);
        zkr_infer_claim *yc;
        if ((r = zkr_mle_eval_base(py, P->lm, rk, &yprev)) != ZKR_OK)
            goto out;
        zkr_ts_absorb_ext(c->t, "inf-mm-y", &yprev, 1);
        if ((r = zkr_enc_ext(c->sec, yprev)) != ZKR_OK)
            goto out;
        if (!(yc = zkr_infer_claim_new(c->cl, s->n_layers))) {
            r = ZKR_ERR_INTERNAL;
            goto out;
        }
        memcpy(yc->pt, rk, P->lm * sizeof *rk);
        for (unsigned i = 0; i < ZKR_INFER_SLOTS_LOG; i++)
            yc->pt[P->lm + i] = zkr_ext_from((ZKR_INFER_SLOT_Y >> i) & 1);
        zkr_infer_block_point(s, l - 1, yc->pt);
        yc->val = yprev;
    }
    r = ZKR_OK;
out:
    free(tab[0]);
    free(tab[1]);
    free(eq);
    return r;
}

/* One batched opening per polynomial size (zkr_infer_groups_of). */
static zkr_err zkr_inf_open(zkr_inf_ctx *c, zkr_pcs_poly *vpoly, zkr_buf *out)
{
    const zkr_infer_shape *s = &c->im->shape;
    zkr_infer_groups g;
    zkr_err r = ZKR_OK;

    zkr_infer_groups_of(s, &g);
    for (unsigned gi = 0; gi < g.n_groups && r == ZKR_OK; gi++) {
        zkr_pcs_poly *polys[ZKR_INFER_MAX_LAYERS + 1];
        zkr_pcs_claim cls[ZKR_INFER_MAX_CLAIMS];
        size_t nc = 0;
        for (unsigned i = 0; i < g.n_polys[gi]; i++) {
            unsigned id = g.poly[gi][i];
            polys[i] = id == s->n_layers ? vpoly : c->im->poly[id];
            for (size_t k = 0; k < c->cl->n; k++)
                if (c->cl->c[k].poly == id) {
                    cls[nc].comm = i;
                    cls[nc].point = c->cl->c[k].pt;
                    cls[nc].value = c->cl->c[k].val;
                    nc++;
                }
        }
        r = zkr_prover_open(&c->im->params, c->t, polys, g.n_polys[gi], cls, nc, c->threads, out);
    }
    return r;
}

static zkr_err zkr_inf_body(zkr_inf_ctx *c, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                            const zkr_buf *stmt, zkr_buf *proof)
{
    const zkr_infer_shape *s = &c->im->shape;
    zkr_pcs_poly *vpoly = NULL;
    zkr_pcs_commitment vc;
    zkr_buf wit = {0}, lg = {0}, pcs = {0};
    zkr_logup_claims lc;
    zkr_gl table[256];
    zkr_err r;

    zkr_infer_transcript(c->t, &c->im->params, statement_id, stmt->p, stmt->len);
    if ((r = zkr_prover_commit(&c->im->params, c->w->v, s->n_v, c->threads, &vpoly, &vc)) != ZKR_OK)
        goto out;
    zkr_ts_absorb(c->t, "inf-witness-root", vc.root, ZKR_DIGEST_BYTES);
    if ((r = zkr_buf_append(&wit, vc.root, ZKR_DIGEST_BYTES)) != ZKR_OK)
        goto out;
    for (unsigned i = 0; i < 256; i++)
        table[i] = i;
#if ZKR_TEST_BUILD
    if (c->cheat)
        r = zkr_prover_logup_cheat(c->t, c->w->v, s->n_l, table, c->w->v + ((size_t)1 << s->n_l),
                                   ZKR_INFER_TABLE_LOG, c->threads, &lg, &lc);
    else
#endif
        r = zkr_prover_logup(c->t, c->w->v, s->n_l, table, c->w->v + ((size_t)1 << s->n_l),
                             ZKR_INFER_TABLE_LOG, c->threads, &lg, &lc);
    if (r != ZKR_OK)
        goto out;
    {
        zkr_infer_claim *a = zkr_infer_claim_new(c->cl, s->n_layers);
        zkr_infer_claim *m = zkr_infer_claim_new(c->cl, s->n_layers);
        if (!a || !m) {
            r = ZKR_ERR_INTERNAL;
            goto out;
        }
        memcpy(a->pt, lc.ra, s->n_l * sizeof(zkr_ext));
        a->pt[s->n_l] = zkr_ext_from(0);
        a->val = lc.a_at_ra;
        memcpy(m->pt, lc.rt, ZKR_INFER_TABLE_LOG * sizeof(zkr_ext));
        m->pt[s->n_l] = zkr_ext_from(1);
        m->val = lc.m_at_rt;
    }
    for (uint32_t l = s->n_layers; l-- > 0;) {
        zkr_ext rho[ZKR_INFER_MAX_PT], acc_v, m_v;
        if ((r = zkr_inf_zerocheck(c, l, rho, &acc_v, &m_v)) != ZKR_OK ||
            (r = zkr_inf_matmul(c, l, rho, acc_v)) != ZKR_OK)
            goto out;
    }
    if ((r = zkr_inf_open(c, vpoly, &pcs)) != ZKR_OK)
        goto out;
    if ((r = zkr_proof_begin(proof, c->im->params.id, ZKR_KIND_INFERENCE1, statement_id, 5)) !=
            ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_STATEMENT, stmt->p, stmt->len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_INF_WITNESS, wit.p, wit.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_INF_LOGUP, lg.p, lg.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_INF_LAYERS, c->sec->p, c->sec->len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_PCS, pcs.p, pcs.len)) != ZKR_OK)
        goto out;
out:
    zkr_pcs_poly_free(vpoly);
    zkr_buf_free(&wit);
    zkr_buf_free(&lg);
    zkr_buf_free(&pcs);
    return r;
}

/* Test builds: corrupts an honest witness the way a cheating prover would (tests only). */
static zkr_err zkr_inf_forge(const zkr_infer_model *im, zkr_inf_wit *w, unsigned forge)
{
    const zkr_infer_shape *s = &im->shape;

    if (forge == 1) { /* last layer, row 0: another y (and output), same r and g */
        const zkr_infer_layer *L = &s->layer[s->n_layers - 1];
        zkr_gl *col = zkr_inf_slot(s, w->v, s->n_layers - 1, 0);
        size_t n = (size_t)1 << L->lm;
        int8_t y = w->out[0] == 127 ? 126 : (int8_t)(w->out[0] + 1);
        if (y < L->lo)
            y = (int8_t)L->lo;
        w->out[0] = y;
        col[ZKR_INFER_SLOT_Y * n] = (zkr_gl)(y - L->lo);
        col[ZKR_INFER_SLOT_YC * n] = (zkr_gl)(127 - y);
    } else if (forge == 2) { /* layer 0, row 0: acc + 1, requantized consistently */
        int8_t y;
        zkr_err r = zkr_inf_row(s, w->v, 0, 0, w->acc[0][0] + 1, im->ql[0].mult[0], &y);
        if (r != ZKR_OK)
            return r;
        w->acc[0][0] += 1;
        if (s->n_layers == 1)
            w->out[0] = y;
    }
    return zkr_inf_mult(s, w->v);
}

typedef struct {
    zkr_infer_cheat_fn fn;
    void *ctx;
} zkr_inf_cheat;

#if ZKR_TEST_BUILD
/* Multiplicities over the in-table values only (a cheat's out-of-table values are not counted). */
static void zkr_inf_mult_in_table(const zkr_infer_shape *s, zkr_gl *v)
{
    uint64_t mult[256] = {0};
    size_t nl = (size_t)1 << s->n_l;

    for (size_t i = 0; i < nl; i++)
        if (v[i] < 256)
            mult[v[i]]++;
    for (size_t i = 0; i < 256; i++)
        v[nl + i] = mult[i];
}

static zkr_err zkr_inf_apply_cheat(const zkr_infer_model *im, zkr_inf_wit *w,
                                   const zkr_inf_cheat *ch)
{
    zkr_infer_cheat_view view;
    zkr_err r;

    memset(&view, 0, sizeof view);
    view.shape = &im->shape;
    view.v = w->v;
    for (uint32_t l = 0; l < im->shape.n_layers; l++)
        view.acc[l] = w->acc[l];
    view.out = w->out;
    view.out_dim = w->out_dim;
    if ((r = ch->fn(ch->ctx, &view)) != ZKR_OK)
        return r;
    if (!view.keep_mult)
        zkr_inf_mult_in_table(&im->shape, w->v);
    return ZKR_OK;
}
#endif

static zkr_err zkr_inf_prove(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                             const zkr_infer_model *im, const zkr_infer_record *rec,
                             unsigned threads, unsigned forge, const zkr_inf_cheat *cheat,
                             zkr_buf *proof, zkr_buf *output, zkr_diag *d)
{
    uint8_t input[ZKR_INFER_MAX_RECORD];
    zkr_inf_wit w;
    zkr_infer_claims *cl = NULL;
    zkr_buf stmt = {0}, sec = {0};
    zkr_transcript t;
    zkr_err r;

    proof->len = 0;
    output->len = 0;
    memset(&w, 0, sizeof w);
    if (p->id != im->params.id)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "prover: model committed under set %u, not %u",
                        im->params.id, p->id);
    if (rec->record_len != (size_t)im->shape.input_dim + 1 || rec->path_len > ZKR_MERKLE_MAX_DEPTH)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "dataset: record %llu has %zu bytes, the model wants %u input bytes + label",
                        (unsigned long long)rec->index, rec->record_len, im->shape.input_dim);
    memcpy(input, rec->record, rec->record_len);
    if (forge == 3)
        input[0] ^= 1; /* the witness is for another input than the committed record */
    if ((r = zkr_inf_witness(im, input, &w)) != ZKR_OK)
        return zkr_fail(d, r, "prover: witness generation failed");
    if ((r = zkr_inf_check_native(im, input, &w, d)) != ZKR_OK)
        goto out;
    if (forge && (r = zkr_inf_forge(im, &w, forge)) != ZKR_OK)
        goto out;
#if ZKR_TEST_BUILD
    if (cheat && (r = zkr_inf_apply_cheat(im, &w, cheat)) != ZKR_OK)
        goto out;
#endif
    if ((r = zkr_infer_output_encode(w.out, w.out_dim, output)) != ZKR_OK)
        goto out;
    if ((r = zkr_inf_statement(im, rec, output, &stmt)) != ZKR_OK)
        goto out;
    if (!(cl = calloc(1, sizeof *cl))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    {
        zkr_inf_ctx c = {im, &w, input, &t, threads ? threads : 1, &sec, cl, cheat != NULL};
        r = zkr_inf_body(&c, statement_id, &stmt, proof);
    }
out:
    if (r != ZKR_OK) {
        proof->len = 0;
        output->len = 0;
    }
    zkr_inf_wit_free(&w);
    free(cl);
    zkr_buf_free(&stmt);
    zkr_buf_free(&sec);
    return r;
}

zkr_err zkr_prover_inference_record(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_infer_model *im, const zkr_infer_record *rec,
                                    unsigned threads, zkr_buf *proof, zkr_buf *output,
                                    zkr_diag *d)
{
    return zkr_inf_prove(p, statement_id, im, rec, threads, 0, NULL, proof, output, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_inference_forged(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_infer_model *im, const zkr_infer_record *rec,
                                    unsigned forge, zkr_buf *proof, zkr_buf *output, zkr_diag *d)
{
    if (forge < 1 || forge > 3)
        return ZKR_ERR_USAGE;
    return zkr_inf_prove(p, statement_id, im, rec, 1, forge, NULL, proof, output, d);
}

zkr_err zkr_prover_inference_cheat(const zkr_params *p,
                                   const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                   const zkr_infer_model *im, const zkr_infer_record *rec,
                                   zkr_infer_cheat_fn edit, void *ctx, zkr_buf *proof,
                                   zkr_buf *output, zkr_diag *d)
{
    zkr_inf_cheat ch = {edit, ctx};

    if (!edit)
        return ZKR_ERR_USAGE;
    return zkr_inf_prove(p, statement_id, im, rec, 1, 0, &ch, proof, output, d);
}
#endif

zkr_err zkr_prover_inference(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                             const zkr_infer_model *im, const zkr_dataset *ds, uint64_t index,
                             unsigned threads, zkr_buf *proof, zkr_buf *output, zkr_diag *d)
{
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES], comm[ZKR_DIGEST_BYTES];
    zkr_infer_record rec;
    zkr_err r;

    proof->len = 0;
    output->len = 0;
    memset(&rec, 0, sizeof rec);
    rec.index = index;
    rec.n_records = zkr_dataset_count(ds);
    if (index >= rec.n_records)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "dataset: record %llu past the end (%llu records)",
                        (unsigned long long)index, (unsigned long long)rec.n_records);
    if ((r = zkr_dataset_record(ds, index, &rec.record, &rec.record_len)) != ZKR_OK)
        return zkr_fail(d, r, "dataset: record %llu unreadable", (unsigned long long)index);
    if ((r = zkr_infer_dataset_commit(ds, index, rec.root, comm, path, &rec.path_len)) != ZKR_OK)
        return zkr_fail(d, r, "dataset: commitment failed");
    rec.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    return zkr_prover_inference_record(p, statement_id, im, &rec, threads, proof, output, d);
}
