/*
 * One bit-exact fixed-point SGD step (docs/training.md), recording every
 * value a training-step@1 prover commits to, and the forward pass alone
 * for inference and evaluation of training models. Single-threaded and
 * deterministic: every value is an exact integer, computed in int64 with
 * floor division that is exact for negative numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

#define TWO(s) ((int64_t)1 << (s))

/* floor(v / 2^s), exact for negative v (no reliance on >> of a negative value). */
static int64_t floor_shift(int64_t v, unsigned s)
{
    return v >= 0 ? v >> s : -((-(v + 1)) >> s) - 1;
}

/* The trace plus layer inputs as int32 (bytes for layer 0, h[l-1] after), for the inner loops. */
typedef struct {
    zkr_ml_tstep_trace t;
    int32_t *a[ZKR_ML_MAX_LAYERS]; /* B x in_dim(l) */
    int32_t *child[ZKR_ML_MAX_LAYERS];
    const char *what; /* "train" or "infer", for messages */
} step_ctx;

void zkr_ml_tstep_trace_free(zkr_ml_tstep_trace *t)
{
    if (t == NULL)
        return;
    free(t->input);
    free(t->labels);
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        int64_t *arrs[] = {t->z[l], t->q[l], t->r[l], t->h[l], t->n[l], t->m[l], t->p[l],
                           t->dq[l], t->rb[l], t->delta[l], t->g[l], t->u[l], t->ru[l]};
        for (size_t i = 0; i < sizeof arrs / sizeof arrs[0]; i++)
            free(arrs[i]);
    }
    memset(t, 0, sizeof *t);
}

static void ctx_free(step_ctx *c)
{
    zkr_ml_tstep_trace_free(&c->t);
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(c->a[l]);
        free(c->child[l]);
    }
    memset(c, 0, sizeof *c);
}

static int alloc64(int64_t **p, size_t n)
{
    return (*p = calloc(n, sizeof(int64_t))) != NULL;
}

/* Shapes the context for g and B records; `full` adds the backward pass and update arrays. */
static zkr_err ctx_alloc(step_ctx *c, const zkr_ml_graph *g, uint32_t B, int full)
{
    zkr_ml_tstep_trace *t = &c->t;
    uint32_t L = g->n_layers;

    t->n_layers = L;
    t->batch = B;
    if ((t->input = calloc((size_t)B * g->input_dim, 1)) == NULL ||
        (t->labels = calloc(B, 1)) == NULL)
        return ZKR_ERR_NOMEM;
    for (uint32_t l = 0; l < L; l++) {
        size_t bo = (size_t)B * g->layers[l].out_dim, w = zkr_ml_tlayer_size(&g->layers[l]);
        int hidden = l + 1 < L;

        t->in_dim[l] = g->layers[l].in_dim;
        t->out_dim[l] = g->layers[l].out_dim;
        if ((c->a[l] = calloc((size_t)B * t->in_dim[l], sizeof(int32_t))) == NULL ||
            !alloc64(&t->z[l], bo) || !alloc64(&t->q[l], bo) || !alloc64(&t->r[l], bo))
            return ZKR_ERR_NOMEM;
        if (hidden && (!alloc64(&t->h[l], bo) || !alloc64(&t->n[l], bo) || !alloc64(&t->m[l], bo)))
            return ZKR_ERR_NOMEM;
        if (!full)
            continue;
        if (!alloc64(&t->delta[l], bo) || !alloc64(&t->g[l], w) || !alloc64(&t->u[l], w) ||
            !alloc64(&t->ru[l], w) || (c->child[l] = calloc(w, sizeof(int32_t))) == NULL)
            return ZKR_ERR_NOMEM;
        if (hidden && (!alloc64(&t->p[l], bo) || !alloc64(&t->dq[l], bo) || !alloc64(&t->rb[l], bo)))
            return ZKR_ERR_NOMEM;
    }
    return ZKR_OK;
}

/* ---------------------------------------------------------------- */
/* Forward                                                           */
/* ---------------------------------------------------------------- */

/* z[b][j] = sum_k W[j][k] a[b][k] + W[j][in] * ONE; the W row stays in cache across the batch. */
static void dense_z(const int32_t *W, const int32_t *a, uint32_t B, uint32_t in, uint32_t out,
                    int64_t *z)
{
    size_t cols = (size_t)in + 1;

    for (uint32_t j = 0; j < out; j++) {
        const int32_t *row = W + j * cols;
        for (uint32_t b = 0; b < B; b++) {
            const int32_t *ab = a + (size_t)b * in;
            int64_t acc = (int64_t)row[in] * ZKR_ML_T_ONE;
            for (uint32_t k = 0; k < in; k++)
                acc += (int64_t)row[k] * (int64_t)ab[k];
            z[(size_t)b * out + j] = acc;
        }
    }
}

/* Hidden layer: z + 2^15 = q 2^16 + r, h = max(q, 0) < 2^16, n = max(-q, 0) < 2^32, m = [h > 0]. */
static zkr_err requant_hidden(step_ctx *c, uint32_t l, zkr_diag *d)
{
    zkr_ml_tstep_trace *t = &c->t;
    uint32_t out = t->out_dim[l];

    for (uint32_t b = 0; b < t->batch; b++)
        for (uint32_t j = 0; j < out; j++) {
            size_t i = (size_t)b * out + j;
            int64_t v = t->z[l][i] + TWO(ZKR_ML_T_HIDDEN_SHIFT - 1);
            int64_t q = floor_shift(v, ZKR_ML_T_HIDDEN_SHIFT);

            t->q[l][i] = q;
            t->r[l][i] = v - q * TWO(ZKR_ML_T_HIDDEN_SHIFT);
            t->h[l][i] = q > 0 ? q : 0;
            t->n[l][i] = q < 0 ? -q : 0;
            t->m[l][i] = q > 0;
            if (t->h[l][i] >= ZKR_ML_T_HIDDEN_BOUND)
                return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                "%s: layer %u: hidden activation h[record %u][unit %u] = %lld is not "
                                "below 2^16 (outside the fixed-point bounds)",
                                c->what, (unsigned)l, (unsigned)b, (unsigned)j, (long long)q);
            if (t->n[l][i] >= ZKR_ML_T_NEG_BOUND)
                return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                "%s: layer %u: negative part n[record %u][unit %u] = %lld is not "
                                "below 2^32 (outside the fixed-point bounds)",
                                c->what, (unsigned)l, (unsigned)b, (unsigned)j, (long long)-q);
            c->a[l + 1][i] = (int32_t)t->h[l][i];
        }
    return ZKR_OK;
}

/* Last layer: z + 2^11 = o 2^12 + r, -2^23 <= o < 2^23. */
static zkr_err requant_out(step_ctx *c, uint32_t l, zkr_diag *d)
{
    zkr_ml_tstep_trace *t = &c->t;
    size_t n = (size_t)t->batch * t->out_dim[l];

    for (size_t i = 0; i < n; i++) {
        int64_t v = t->z[l][i] + TWO(ZKR_ML_T_OUT_SHIFT - 1);
        int64_t q = floor_shift(v, ZKR_ML_T_OUT_SHIFT);

        t->q[l][i] = q;
        t->r[l][i] = v - q * TWO(ZKR_ML_T_OUT_SHIFT);
        if (q < -ZKR_ML_T_OUT_BOUND || q >= ZKR_ML_T_OUT_BOUND)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "%s: layer %u: output o[record %zu][unit %zu] = %lld is outside "
                            "[-2^23, 2^23) (outside the fixed-point bounds)",
                            c->what, (unsigned)l, i / t->out_dim[l], i % t->out_dim[l],
                            (long long)q);
    }
    return ZKR_OK;
}

/* The forward pass of every record of t->input (already filled), layer by layer. */
static zkr_err forward(const zkr_ml_tmodel *m, step_ctx *c, zkr_diag *d)
{
    zkr_ml_tstep_trace *t = &c->t;
    zkr_err r;

    for (size_t i = 0; i < (size_t)t->batch * t->in_dim[0]; i++)
        c->a[0][i] = t->input[i];
    for (uint32_t l = 0; l < t->n_layers; l++) {
        dense_z(m->w[l], c->a[l], t->batch, t->in_dim[l], t->out_dim[l], t->z[l]);
        r = l + 1 < t->n_layers ? requant_hidden(c, l, d) : requant_out(c, l, d);
        if (r != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/* ---------------------------------------------------------------- */
/* Backward, gradient, update                                        */
/* ---------------------------------------------------------------- */

/* p[l] = delta[l+1] W_{l+1}[:, :in]; p + 2^15 = dq 2^16 + rb; delta[l] = dq * m[l]. */
static zkr_err backward_layer(const zkr_ml_tmodel *m, step_ctx *c, uint32_t l, zkr_diag *d)
{
    zkr_ml_tstep_trace *t = &c->t;
    uint32_t out = t->out_dim[l], next = t->out_dim[l + 1];
    size_t cols = (size_t)out + 1; /* W_{l+1} has in_dim(l+1) = out_dim(l) inputs plus the bias */

    for (uint32_t b = 0; b < t->batch; b++) {
        int64_t *prow = t->p[l] + (size_t)b * out;
        for (uint32_t j = 0; j < next; j++) {
            int64_t dl = t->delta[l + 1][(size_t)b * next + j];
            const int32_t *wrow = m->w[l + 1] + j * cols;
            if (dl == 0)
                continue;
            for (uint32_t k = 0; k < out; k++)
                prow[k] += dl * wrow[k];
        }
        for (uint32_t k = 0; k < out; k++) {
            size_t i = (size_t)b * out + k;
            int64_t v = prow[k] + TWO(ZKR_ML_T_BACK_SHIFT - 1);
            int64_t dq = floor_shift(v, ZKR_ML_T_BACK_SHIFT);

            t->dq[l][i] = dq;
            t->rb[l][i] = v - dq * TWO(ZKR_ML_T_BACK_SHIFT);
            if (dq < -ZKR_ML_T_DELTA_BOUND || dq >= ZKR_ML_T_DELTA_BOUND)
                return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                "train: layer %u: backward value dq[record %u][unit %u] = %lld is "
                                "outside [-2^23, 2^23) (the step is undefined; lower the learning rate)",
                                (unsigned)l, (unsigned)b, (unsigned)k, (long long)dq);
            t->delta[l][i] = dq * t->m[l][i];
        }
    }
    return ZKR_OK;
}

/* g[j][k] = sum_b delta[b][j] a[b][k] (k < in), g[j][in] = sum_b delta[b][j] * ONE. */
static void gradient(step_ctx *c, uint32_t l)
{
    zkr_ml_tstep_trace *t = &c->t;
    uint32_t in = t->in_dim[l], out = t->out_dim[l];
    size_t cols = (size_t)in + 1;

    for (uint32_t j = 0; j < out; j++) {
        int64_t *grow = t->g[l] + j * cols;
        for (uint32_t b = 0; b < t->batch; b++) {
            int64_t dl = t->delta[l][(size_t)b * out + j];
            const int32_t *ab = c->a[l] + (size_t)b * in;
            if (dl == 0)
                continue;
            for (uint32_t k = 0; k < in; k++)
                grow[k] += dl * ab[k];
            grow[in] += dl * ZKR_ML_T_ONE;
        }
    }
}

/* lr g + 2^(S-1) = u 2^S + ru, W' = W - u, |W'| < 2^20. */
static zkr_err update(const zkr_ml_tmodel *m, step_ctx *c, uint32_t l, const zkr_ml_tstep_params *sp,
                      zkr_diag *d)
{
    zkr_ml_tstep_trace *t = &c->t;
    size_t n = zkr_ml_tlayer_size(&m->g.layers[l]), cols = (size_t)t->in_dim[l] + 1;

    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)sp->lr * t->g[l][i] + TWO(sp->shift - 1);
        int64_t u = floor_shift(v, sp->shift);
        int64_t w = (int64_t)m->w[l][i] - u;

        t->u[l][i] = u;
        t->ru[l][i] = v - u * TWO(sp->shift);
        if (w >= ZKR_ML_T_WEIGHT_BOUND || w <= -ZKR_ML_T_WEIGHT_BOUND)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "train: layer %u: child weight W'[row %zu][column %zu] = %lld, |W'| must "
                            "be below 2^20 (the step is undefined; lower the learning rate)",
                            (unsigned)l, i / cols, i % cols, (long long)w);
        c->child[l][i] = (int32_t)w;
    }
    return ZKR_OK;
}

static zkr_err step_run(const zkr_ml_tmodel *m, step_ctx *c, const zkr_ml_tstep_params *sp,
                        zkr_buf *child, zkr_diag *d)
{
    zkr_ml_tstep_trace *t = &c->t;
    uint32_t L = t->n_layers, last = L - 1, od = t->out_dim[last];
    zkr_err r;

    if ((r = forward(m, c, d)) != ZKR_OK)
        return r;
    for (uint32_t b = 0; b < t->batch; b++)
        for (uint32_t j = 0; j < od; j++) {
            size_t i = (size_t)b * od + j;
            t->delta[last][i] = t->q[last][i] - (j == t->labels[b] ? ZKR_ML_T_TARGET : 0);
        }
    for (uint32_t l = last; l-- > 0;)
        if ((r = backward_layer(m, c, l, d)) != ZKR_OK)
            return r;
    for (uint32_t l = 0; l < L; l++) {
        gradient(c, l);
        if ((r = update(m, c, l, sp, d)) != ZKR_OK)
            return r;
    }
    return zkr_ml_tmodel_encode(&m->g, (const int32_t *const *)c->child, child, d);
}

static zkr_err step_args(const zkr_ml_tmodel *m, size_t input_len, const uint8_t *labels,
                         uint32_t batch, const zkr_ml_tstep_params *sp, zkr_diag *d)
{
    uint32_t od = zkr_ml_graph_out_dim(&m->g);

    if (batch == 0 || batch > ZKR_ML_T_MAX_BATCH)
        return zkr_fail(d, ZKR_ERR_USAGE, "train: batch size %u not in 1..%u", (unsigned)batch,
                        ZKR_ML_T_MAX_BATCH);
    if (sp->lr == 0 || sp->lr > ZKR_ML_T_LR_MAX)
        return zkr_fail(d, ZKR_ERR_USAGE, "train: lr %u not in 1..%u", (unsigned)sp->lr,
                        ZKR_ML_T_LR_MAX);
    if (sp->shift < ZKR_ML_T_SHIFT_MIN || sp->shift > ZKR_ML_T_SHIFT_MAX)
        return zkr_fail(d, ZKR_ERR_USAGE, "train: shift %u not in %u..%u", (unsigned)sp->shift,
                        ZKR_ML_T_SHIFT_MIN, ZKR_ML_T_SHIFT_MAX);
    if (input_len != (size_t)batch * m->g.input_dim)
        return zkr_fail(d, ZKR_ERR_USAGE, "train: input has %zu bytes, %u records of %u need %zu",
                        input_len, (unsigned)batch, (unsigned)m->g.input_dim,
                        (size_t)batch * m->g.input_dim);
    for (uint32_t b = 0; b < batch; b++)
        if (labels[b] >= od)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "train: label %u of batch record %u is not below the output width %u",
                            (unsigned)labels[b], (unsigned)b, (unsigned)od);
    return ZKR_OK;
}

zkr_err zkr_ml_train_step(const zkr_ml_tmodel *m, const uint8_t *input, size_t input_len,
                          const uint8_t *labels, uint32_t batch, const zkr_ml_tstep_params *sp,
                          zkr_buf *child, zkr_ml_tstep_trace *t, zkr_diag *d)
{
    step_ctx c;
    zkr_err r;

    memset(&c, 0, sizeof c);
    c.what = "train";
    zkr_ml_tstep_trace_free(t);
    if (m == NULL || sp == NULL || child == NULL || (input == NULL && input_len != 0) ||
        (labels == NULL && batch != 0))
        return zkr_fail(d, ZKR_ERR_INTERNAL, "train: no model, parameters, input or output");
    child->len = 0;
    if ((r = step_args(m, input_len, labels, batch, sp, d)) != ZKR_OK)
        goto out;
    if ((r = ctx_alloc(&c, &m->g, batch, 1)) != ZKR_OK)
        goto out;
    memcpy(c.t.input, input, input_len);
    memcpy(c.t.labels, labels, batch);
    if ((r = step_run(m, &c, sp, child, d)) != ZKR_OK)
        goto out;
    if (t != NULL) {
        *t = c.t;
        memset(&c.t, 0, sizeof c.t);
    }
out:
    if (r != ZKR_OK)
        child->len = 0;
    ctx_free(&c);
    return r;
}

zkr_err zkr_ml_train_batch_indices(uint64_t first, uint64_t step, uint32_t batch, uint64_t n,
                                   uint64_t *idx)
{
    uint64_t base, s, b;

    if (n == 0 || (idx == NULL && batch != 0))
        return ZKR_ERR_USAGE;
    /* (first + step * batch) mod n without overflow: step * batch mod n by doubling. */
    s = step % n;
    b = batch % n;
    base = first % n;
    while (b != 0) {
        if (b & 1)
            base = base >= n - s ? base - (n - s) : base + s;
        s = s >= n - s ? s - (n - s) : s + s;
        b >>= 1;
    }
    for (uint32_t i = 0; i < batch; i++) {
        idx[i] = base;
        base = base + 1 == n ? 0 : base + 1;
    }
    return ZKR_OK;
}

/* ---------------------------------------------------------------- */
/* Inference and evaluation                                          */
/* ---------------------------------------------------------------- */

static uint32_t argmax_i64(const int64_t *v, uint32_t n)
{
    uint32_t best = 0;

    for (uint32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

zkr_err zkr_ml_tmodel_infer(const zkr_ml_tmodel *m, const uint8_t *input, size_t input_len,
                            int64_t *out, size_t cap, uint32_t *argmax, zkr_diag *d)
{
    uint32_t od, last;
    step_ctx c;
    zkr_err r;

    memset(&c, 0, sizeof c);
    c.what = "infer";
    if (m == NULL || out == NULL || argmax == NULL || (input == NULL && input_len != 0))
        return zkr_fail(d, ZKR_ERR_INTERNAL, "infer: no model, input or output");
    *argmax = 0;
    od = zkr_ml_graph_out_dim(&m->g);
    last = m->g.n_layers - 1;
    if (input_len != m->g.input_dim)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer: input has %zu bytes, the model takes %u",
                        input_len, (unsigned)m->g.input_dim);
    if (cap < od)
        return zkr_fail(d, ZKR_ERR_USAGE, "infer: room for %zu outputs, need %u", cap, (unsigned)od);
    if ((r = ctx_alloc(&c, &m->g, 1, 0)) != ZKR_OK)
        goto out;
    memcpy(c.t.input, input, input_len);
    if ((r = forward(m, &c, d)) != ZKR_OK)
        goto out;
    memcpy(out, c.t.q[last], od * sizeof(int64_t));
    *argmax = argmax_i64(c.t.q[last], od);
out:
    ctx_free(&c);
    return r;
}

zkr_err zkr_ml_tmodel_forward(const zkr_ml_tmodel *m, const uint8_t *input, size_t input_len,
                              uint32_t batch, zkr_ml_tstep_trace *t, zkr_diag *d)
{
    step_ctx c;
    zkr_err r;

    memset(&c, 0, sizeof c);
    c.what = "eval";
    zkr_ml_tstep_trace_free(t);
    if (m == NULL || input == NULL || batch == 0 ||
        input_len != (size_t)batch * m->g.input_dim)
        return zkr_fail(d, ZKR_ERR_USAGE, "forward: %u records of %u bytes, got %zu bytes", batch,
                        m ? (unsigned)m->g.input_dim : 0u, input_len);
    if ((r = ctx_alloc(&c, &m->g, batch, 0)) != ZKR_OK)
        goto out;
    memcpy(c.t.input, input, input_len);
    if ((r = forward(m, &c, d)) != ZKR_OK)
        goto out;
    *t = c.t;
    memset(&c.t, 0, sizeof c.t);
out:
    ctx_free(&c);
    return r;
}

static zkr_err eval_range(const zkr_ml_tmodel *m, const zkr_dataset *ds, uint64_t first,
                          uint64_t count, zkr_ml_eval_result *res, zkr_diag *d)
{
    uint32_t in = m->g.input_dim, od = zkr_ml_graph_out_dim(&m->g), last = m->g.n_layers - 1;
    step_ctx c;
    zkr_err r;

    memset(&c, 0, sizeof c);
    c.what = "eval";
    if ((r = ctx_alloc(&c, &m->g, ZKR_ML_T_MAX_BATCH, 0)) != ZKR_OK)
        goto out;
    for (uint64_t i = 0; i < count; i += ZKR_ML_T_MAX_BATCH) {
        uint32_t B = count - i < ZKR_ML_T_MAX_BATCH ? (uint32_t)(count - i) : ZKR_ML_T_MAX_BATCH;

        for (uint32_t b = 0; b < B; b++) {
            const uint8_t *x;
            if ((r = zkr_ml_record_input(ds, first + i + b, in, &x, &c.t.labels[b], d)) != ZKR_OK)
                goto out;
            memcpy(c.t.input + (size_t)b * in, x, in);
        }
        c.t.batch = B; /* the arrays hold ZKR_ML_T_MAX_BATCH records; use the first B */
        if ((r = forward(m, &c, d)) != ZKR_OK)
            goto out;
        for (uint32_t b = 0; b < B; b++)
            res->quant_correct += argmax_i64(c.t.q[last] + (size_t)b * od, od) == c.t.labels[b];
        res->n += B;
    }
out:
    ctx_free(&c);
    return r;
}

zkr_err zkr_ml_tmodel_eval(const zkr_ml_tmodel *m, const zkr_dataset *ds, uint64_t first,
                           uint64_t count, zkr_ml_eval_result *res, zkr_diag *d)
{
    uint64_t total;
    zkr_err r;

    if (res == NULL || m == NULL || ds == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "eval: no model, dataset or result");
    memset(res, 0, sizeof *res);
    total = zkr_dataset_count(ds);
    if (first > total || (count != 0 && count > total - first))
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "eval: records %llu..+%llu past the dataset's %llu",
                        (unsigned long long)first, (unsigned long long)count,
                        (unsigned long long)total);
    if (count == 0)
        count = total - first;
    r = eval_range(m, ds, first, count, res, d);
    if (r != ZKR_OK)
        memset(res, 0, sizeof *res);
    return r;
}
