/*
 * Inference: the bit-exact integer forward pass that records every
 * intermediate value (the prover's witness), and the float forward pass
 * used for calibration and the float-vs-quantized comparison.
 */
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

uint32_t zkr_ml_argmax_i8(const int8_t *v, uint32_t n)
{
    uint32_t best = 0;

    for (uint32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

uint32_t zkr_ml_argmax_f64(const double *v, uint32_t n)
{
    uint32_t best = 0;

    for (uint32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

zkr_err zkr_ml_trace_init(zkr_ml_trace *t, const zkr_ml_graph *g)
{
    zkr_err r;

    if (t == NULL)
        return ZKR_ERR_INTERNAL;
    memset(t, 0, sizeof *t);
    if ((r = zkr_ml_graph_check(g, NULL)) != ZKR_OK)
        return r;
    t->n_layers = g->n_layers;
    t->input_dim = g->input_dim;
    if ((t->input = calloc(g->input_dim, 1)) == NULL)
        goto nomem;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        uint32_t n = g->layers[l].out_dim;
        t->dims[l] = n;
        if ((t->acc[l] = calloc(n, sizeof(int32_t))) == NULL ||
            (t->q[l] = calloc(n, sizeof(int64_t))) == NULL ||
            (t->y[l] = calloc(n, sizeof(int8_t))) == NULL)
            goto nomem;
    }
    return ZKR_OK;
nomem:
    zkr_ml_trace_free(t);
    return ZKR_ERR_NOMEM;
}

void zkr_ml_trace_free(zkr_ml_trace *t)
{
    if (t == NULL)
        return;
    free(t->input);
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(t->acc[l]);
        free(t->q[l]);
        free(t->y[l]);
    }
    memset(t, 0, sizeof *t);
}

/*
 * acc[j] = bias[j] + sum_k w[j][k] * x[k]. Each product is below 2^15 in
 * absolute value and in_dim <= 4096, so with |bias| <= 2^30 the int32 sum
 * cannot overflow (docs/quantization.md, "Bounds").
 */
static void dense_acc(const int8_t *w, const int32_t *bias, const int16_t *x, uint32_t in,
                      uint32_t out, int32_t *acc)
{
    for (uint32_t j = 0; j < out; j++) {
        const int8_t *row = w + (size_t)j * in;
        int32_t s = 0;
        for (uint32_t k = 0; k < in; k++)
            s += (int32_t)row[k] * (int32_t)x[k];
        acc[j] = bias[j] + s;
    }
}

static int shaped_for(const zkr_ml_trace *t, const zkr_ml_graph *g)
{
    if (t->n_layers != g->n_layers || t->input_dim != g->input_dim || t->input == NULL)
        return 0;
    for (uint32_t l = 0; l < g->n_layers; l++)
        if (t->dims[l] != g->layers[l].out_dim || t->acc[l] == NULL)
            return 0;
    return 1;
}

zkr_err zkr_ml_infer(const zkr_ml_model *m, const uint8_t *input, size_t input_len,
                     zkr_ml_trace *t, zkr_diag *d)
{
    int16_t *x = NULL;
    zkr_err r = ZKR_OK;

    if (m == NULL || t == NULL || (input == NULL && input_len != 0))
        return zkr_fail(d, ZKR_ERR_INTERNAL, "infer: no model, trace or input");
    if (!shaped_for(t, &m->g))
        return zkr_fail(d, ZKR_ERR_USAGE, "infer: the trace is shaped for another program");
    if (input_len != m->g.input_dim)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer: input has %zu bytes, the model takes %u",
                        input_len, (unsigned)m->g.input_dim);
    /* One scratch vector wide enough for any layer's input. */
    if ((x = calloc(ZKR_ML_MAX_DIM, sizeof *x)) == NULL)
        return ZKR_ERR_NOMEM;
    memcpy(t->input, input, input_len);
    for (uint32_t k = 0; k < m->g.input_dim; k++)
        x[k] = input[k];
    for (uint32_t l = 0; l < m->g.n_layers; l++) {
        const zkr_ml_layer_desc *L = &m->g.layers[l];

        dense_acc(m->w[l], m->bias[l], x, L->in_dim, L->out_dim, t->acc[l]);
        for (uint32_t j = 0; j < L->out_dim; j++) {
            t->y[l][j] = zkr_ml_requant(t->acc[l][j], m->mult[l][j], m->shift[l], L->act, &t->q[l][j]);
            x[j] = t->y[l][j];
        }
    }
    t->argmax = zkr_ml_argmax_i8(t->y[m->g.n_layers - 1], zkr_ml_graph_out_dim(&m->g));
    free(x);
    return r;
}

/* ---------------------------------------------------------------- */
/* Float model                                                       */
/* ---------------------------------------------------------------- */

zkr_err zkr_ml_fmodel_alloc(const zkr_ml_graph *g, zkr_ml_fmodel **out)
{
    zkr_ml_fmodel *f;

    *out = NULL;
    if (zkr_ml_graph_check(g, NULL) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    if ((f = calloc(1, sizeof *f)) == NULL)
        return ZKR_ERR_NOMEM;
    f->g = *g;
    for (uint32_t l = 0; l < g->n_layers; l++)
        if ((f->w[l] = calloc((size_t)g->layers[l].in_dim * g->layers[l].out_dim, sizeof(float))) ==
                NULL ||
            (f->b[l] = calloc(g->layers[l].out_dim, sizeof(float))) == NULL) {
            zkr_ml_fmodel_free(f);
            return ZKR_ERR_NOMEM;
        }
    *out = f;
    return ZKR_OK;
}

void zkr_ml_fmodel_free(zkr_ml_fmodel *f)
{
    if (f == NULL)
        return;
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(f->w[l]);
        free(f->b[l]);
    }
    free(f);
}

const zkr_ml_graph *zkr_ml_fmodel_graph(const zkr_ml_fmodel *f)
{
    return &f->g;
}

void zkr_ml_fmodel_forward(const zkr_ml_fmodel *f, const uint8_t *input,
                           double *layer_out[ZKR_ML_MAX_LAYERS])
{
    for (uint32_t l = 0; l < f->g.n_layers; l++) {
        const zkr_ml_layer_desc *L = &f->g.layers[l];
        const double *prev = l > 0 ? layer_out[l - 1] : NULL;

        for (uint32_t j = 0; j < L->out_dim; j++) {
            const float *row = f->w[l] + (size_t)j * L->in_dim;
            double s = f->b[l][j];
            for (uint32_t k = 0; k < L->in_dim; k++)
                s += (double)row[k] * (prev ? prev[k] : input[k] / 255.0);
            layer_out[l][j] = L->act == ZKR_ML_ACT_RELU && s < 0 ? 0 : s;
        }
    }
}

zkr_err zkr_ml_fmodel_infer(const zkr_ml_fmodel *f, const uint8_t *input, size_t input_len,
                            double *out, size_t cap, zkr_diag *d)
{
    double *outs[ZKR_ML_MAX_LAYERS] = {0};
    uint32_t last;
    zkr_err r = ZKR_OK;

    if (f == NULL || out == NULL || (input == NULL && input_len != 0))
        return zkr_fail(d, ZKR_ERR_INTERNAL, "float infer: no model, input or output");
    last = f->g.n_layers - 1;
    if (input_len != f->g.input_dim)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "float infer: input has %zu bytes, the model takes %u",
                        input_len, (unsigned)f->g.input_dim);
    if (cap < f->g.layers[last].out_dim)
        return zkr_fail(d, ZKR_ERR_USAGE, "float infer: room for %zu outputs, need %u", cap,
                        (unsigned)f->g.layers[last].out_dim);
    for (uint32_t l = 0; l < f->g.n_layers; l++)
        if ((outs[l] = calloc(f->g.layers[l].out_dim, sizeof(double))) == NULL) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
    zkr_ml_fmodel_forward(f, input, outs);
    memcpy(out, outs[last], f->g.layers[last].out_dim * sizeof(double));
out:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++)
        free(outs[l]);
    return r;
}
