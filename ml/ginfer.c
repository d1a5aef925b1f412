/*
 * Graph programs: exact integer inference with its trace, the float
 * reference forward pass, and evaluation (docs/quantization.md 7.1).
 * One window walker serves CONV and both pools in both arithmetics, so
 * the integer and float passes read exactly the same positions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

/* floor((v + 2^(s-1)) / 2^s) without shifting a negative value. */
static int64_t round_shift(int64_t v, uint32_t s)
{
    int64_t num = v + ((int64_t)1 << (s - 1)), den = (int64_t)1 << s;

    return num >= 0 ? num / den : -((-num + den - 1) / den);
}

static int8_t clamp8(int64_t q, uint8_t act)
{
    int64_t lo = act == ZKR_ML_ACT_RELU ? 0 : ZKR_ML_ACT_MIN;

    return (int8_t)(q < lo ? lo : q > ZKR_ML_ACT_MAX ? ZKR_ML_ACT_MAX : q);
}

/* ---------------------------------------------------------------- */
/* Trace                                                             */
/* ---------------------------------------------------------------- */

zkr_err zkr_ml_gtrace_init(zkr_ml_gtrace *t, const zkr_ml_gprog *g)
{
    if (t == NULL)
        return ZKR_ERR_INTERNAL;
    memset(t, 0, sizeof *t);
    if (zkr_ml_gprog_check(g, NULL) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    t->n_nodes = g->n_nodes;
    if ((t->input = calloc(zkr_ml_gprog_elems(g, 0), 1)) == NULL)
        goto nomem;
    for (uint32_t i = 1; i < g->n_nodes; i++) {
        size_t n = zkr_ml_gprog_elems(g, i);
        uint8_t op = g->nodes[i].op;
        if ((t->y[i] = calloc(n, 1)) == NULL)
            goto nomem;
        if ((op == ZKR_ML_GOP_CONV || op == ZKR_ML_GOP_DENSE) &&
            (t->acc[i] = calloc(n, sizeof(int32_t))) == NULL)
            goto nomem;
        if ((op == ZKR_ML_GOP_CONV || op == ZKR_ML_GOP_DENSE || op == ZKR_ML_GOP_ADD) &&
            (t->q[i] = calloc(n, sizeof(int64_t))) == NULL)
            goto nomem;
        if (op == ZKR_ML_GOP_AVGPOOL && (t->sum[i] = calloc(n, sizeof(int32_t))) == NULL)
            goto nomem;
    }
    return ZKR_OK;
nomem:
    zkr_ml_gtrace_free(t);
    return ZKR_ERR_NOMEM;
}

void zkr_ml_gtrace_free(zkr_ml_gtrace *t)
{
    if (t == NULL)
        return;
    free(t->input);
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        free(t->y[i]);
        free(t->acc[i]);
        free(t->q[i]);
        free(t->sum[i]);
    }
    memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------- */
/* Integer kernels (inputs widened to int32 once per node)           */
/* ---------------------------------------------------------------- */

/* Node i's values as int32 (the input's bytes or an int8 tensor). */
static const int8_t *node_i8(const zkr_ml_gtrace *t, uint32_t i)
{
    return t->y[i];
}

static void widen(const zkr_ml_gtrace *t, uint32_t i, uint32_t n, int32_t *out)
{
    if (i == 0)
        for (uint32_t k = 0; k < n; k++)
            out[k] = t->input[k];
    else
        for (uint32_t k = 0; k < n; k++)
            out[k] = t->y[i][k];
}

static void conv_i(const zkr_ml_gprog *g, const zkr_ml_gmodel *m, uint32_t i, const int32_t *x,
                   zkr_ml_gtrace *t)
{
    const zkr_ml_gnode *n = &g->nodes[i], *in = &g->nodes[n->in[0]];
    uint32_t cpg = in->c / n->groups, opg = n->c / n->groups;

    for (uint32_t o = 0; o < n->c; o++) {
        const int8_t *wo = m->w[i] + (size_t)o * cpg * n->kh * n->kw;
        uint32_t c0 = (o / opg) * cpg;
        for (uint32_t y = 0; y < n->h; y++)
            for (uint32_t xx = 0; xx < n->w; xx++) {
                int32_t acc = m->bias[i][o];
                for (uint32_t ci = 0; ci < cpg; ci++)
                    for (uint32_t ky = 0; ky < n->kh; ky++) {
                        int64_t iy = (int64_t)y * n->sh - n->pt + (int64_t)ky * n->dh;
                        if (iy < 0 || iy >= in->h)
                            continue;
                        for (uint32_t kx = 0; kx < n->kw; kx++) {
                            int64_t ix = (int64_t)xx * n->sw - n->pl + (int64_t)kx * n->dw;
                            if (ix < 0 || ix >= in->w)
                                continue;
                            acc += wo[((size_t)ci * n->kh + ky) * n->kw + kx] *
                                   x[((size_t)(c0 + ci) * in->h + (size_t)iy) * in->w + (size_t)ix];
                        }
                    }
                size_t at = ((size_t)o * n->h + y) * n->w + xx;
                t->acc[i][at] = acc;
                t->y[i][at] = zkr_ml_requant(acc, m->mult[i][o], m->shift[i], n->act, &t->q[i][at]);
            }
    }
}

static void dense_i(const zkr_ml_gprog *g, const zkr_ml_gmodel *m, uint32_t i, const int32_t *x,
                    zkr_ml_gtrace *t)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    uint32_t f = zkr_ml_gprog_fanin(g, i);

    for (uint32_t j = 0; j < n->c; j++) {
        const int8_t *wj = m->w[i] + (size_t)j * f;
        int32_t acc = m->bias[i][j];
        for (uint32_t k = 0; k < f; k++)
            acc += wj[k] * x[k];
        t->acc[i][j] = acc;
        t->y[i][j] = zkr_ml_requant(acc, m->mult[i][j], m->shift[i], n->act, &t->q[i][j]);
    }
}

/* MAXPOOL (padding reads -128) and AVGPOOL (padding reads 0, counted). */
static void pool_i(const zkr_ml_gprog *g, uint32_t i, zkr_ml_gtrace *t)
{
    const zkr_ml_gnode *n = &g->nodes[i], *in = &g->nodes[n->in[0]];
    const int8_t *x = node_i8(t, n->in[0]);
    int maxp = n->op == ZKR_ML_GOP_MAXPOOL;
    int32_t k = (int32_t)(n->kh * n->kw);

    for (uint32_t c = 0; c < n->c; c++)
        for (uint32_t y = 0; y < n->h; y++)
            for (uint32_t xx = 0; xx < n->w; xx++) {
                int32_t best = ZKR_ML_ACT_MIN, sum = 0;
                for (uint32_t ky = 0; ky < n->kh; ky++) {
                    int64_t iy = (int64_t)y * n->sh - n->pt + ky;
                    for (uint32_t kx = 0; kx < n->kw; kx++) {
                        int64_t ix = (int64_t)xx * n->sw - n->pl + kx;
                        int32_t v = maxp ? ZKR_ML_ACT_MIN : 0;
                        if (iy >= 0 && iy < in->h && ix >= 0 && ix < in->w)
                            v = x[((size_t)c * in->h + (size_t)iy) * in->w + (size_t)ix];
                        best = v > best ? v : best;
                        sum += v;
                    }
                }
                size_t at = ((size_t)c * n->h + y) * n->w + xx;
                if (maxp) {
                    t->y[i][at] = (int8_t)best;
                } else {
                    int32_t num = sum + k / 2;
                    t->sum[i][at] = sum;
                    t->y[i][at] = (int8_t)(num >= 0 ? num / k : -((-num + k - 1) / k));
                }
            }
}

static void elementwise_i(const zkr_ml_gprog *g, const zkr_ml_gmodel *m, uint32_t i,
                          zkr_ml_gtrace *t)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    uint32_t cnt = zkr_ml_gprog_elems(g, i);

    if (n->op == ZKR_ML_GOP_ADD) {
        const int8_t *a = t->y[n->in[0]], *b = t->y[n->in[1]];
        for (uint32_t k = 0; k < cnt; k++) {
            int64_t q = round_shift((int64_t)a[k] * m->ma[i] + (int64_t)b[k] * m->mb[i],
                                    m->shift[i]);
            t->q[i][k] = q;
            t->y[i][k] = clamp8(q, n->act);
        }
    } else if (n->op == ZKR_ML_GOP_LOOKUP) {
        const int8_t *a = t->y[n->in[0]];
        for (uint32_t k = 0; k < cnt; k++)
            t->y[i][k] = m->table[i][a[k] + 128];
    } else { /* CONCAT */
        size_t at = 0;
        for (uint32_t k = 0; k < n->n_in; k++) {
            size_t len = zkr_ml_gprog_elems(g, n->in[k]);
            memcpy(t->y[i] + at, t->y[n->in[k]], len);
            at += len;
        }
    }
}

static int gshaped_for(const zkr_ml_gtrace *t, const zkr_ml_gprog *g)
{
    if (t->n_nodes != g->n_nodes || t->input == NULL)
        return 0;
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if (t->y[i] == NULL)
            return 0;
    return 1;
}

zkr_err zkr_ml_ginfer(const zkr_ml_gmodel *m, const uint8_t *input, size_t input_len,
                      zkr_ml_gtrace *t, zkr_diag *d)
{
    const zkr_ml_gprog *g;
    int32_t *x = NULL;
    uint32_t last;
    zkr_err r = ZKR_OK;

    if (m == NULL || t == NULL || (input == NULL && input_len != 0))
        return zkr_fail(d, ZKR_ERR_INTERNAL, "infer: no model, input or trace");
    g = &m->g;
    if (input_len != zkr_ml_gprog_elems(g, 0))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer: input has %zu bytes, the model takes %u",
                        input_len, (unsigned)zkr_ml_gprog_elems(g, 0));
    if (!gshaped_for(t, g))
        return zkr_fail(d, ZKR_ERR_USAGE, "infer: trace shaped for another program");
    memcpy(t->input, input, input_len);
    for (uint32_t i = 1; i < g->n_nodes; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        if (n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_DENSE) {
            uint32_t cnt = zkr_ml_gprog_elems(g, n->in[0]);
            if ((x = malloc((size_t)cnt * sizeof *x)) == NULL) {
                r = ZKR_ERR_NOMEM;
                goto out;
            }
            widen(t, n->in[0], cnt, x);
            if (n->op == ZKR_ML_GOP_CONV)
                conv_i(g, m, i, x, t);
            else
                dense_i(g, m, i, x, t);
            free(x);
            x = NULL;
        } else if (n->op == ZKR_ML_GOP_MAXPOOL || n->op == ZKR_ML_GOP_AVGPOOL) {
            pool_i(g, i, t);
        } else {
            elementwise_i(g, m, i, t);
        }
    }
    last = g->n_nodes - 1;
    t->argmax = zkr_ml_argmax_i8(t->y[last], zkr_ml_gprog_elems(g, last));
out:
    free(x);
    return r;
}

/* ---------------------------------------------------------------- */
/* Float reference                                                   */
/* ---------------------------------------------------------------- */

double zkr_ml_fn_apply(uint8_t fn, double alpha, double beta, double v)
{
    switch (fn) {
    case ZKR_ML_FN_RELU: return v > 0 ? v : 0;
    case ZKR_ML_FN_LEAKY: return v >= 0 ? v : alpha * v;
    case ZKR_ML_FN_SIGMOID: return 1.0 / (1.0 + exp(-v));
    case ZKR_ML_FN_TANH: return tanh(v);
    case ZKR_ML_FN_HSIGMOID: return fmax(0.0, fmin(1.0, alpha * v + beta));
    case ZKR_ML_FN_HSWISH: return v * fmax(0.0, fmin(1.0, v / 6.0 + 0.5));
    case ZKR_ML_FN_GELU: return 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
    default: return fmin(beta, fmax(alpha, v)); /* CLIP */
    }
}

zkr_err zkr_ml_gfmodel_alloc(const zkr_ml_gprog *g, zkr_ml_gfmodel **out)
{
    zkr_ml_gfmodel *f;

    *out = NULL;
    if ((f = calloc(1, sizeof *f)) == NULL)
        return ZKR_ERR_NOMEM;
    f->g = *g;
    for (uint32_t i = 1; i < g->n_nodes; i++) {
        size_t nw = (size_t)g->nodes[i].c * zkr_ml_gprog_fanin(g, i);
        if (nw == 0)
            continue;
        if ((f->w[i] = calloc(nw, sizeof(double))) == NULL ||
            (f->b[i] = calloc(g->nodes[i].c, sizeof(double))) == NULL) {
            zkr_ml_gfmodel_free(f);
            return ZKR_ERR_NOMEM;
        }
    }
    *out = f;
    return ZKR_OK;
}

void zkr_ml_gfmodel_free(zkr_ml_gfmodel *f)
{
    if (f == NULL)
        return;
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        free(f->w[i]);
        free(f->b[i]);
    }
    free(f);
}

const zkr_ml_gprog *zkr_ml_gfmodel_prog(const zkr_ml_gfmodel *f)
{
    return &f->g;
}

static void conv_f(const zkr_ml_gfmodel *f, uint32_t i, const double *x, double *out)
{
    const zkr_ml_gnode *n = &f->g.nodes[i], *in = &f->g.nodes[n->in[0]];
    uint32_t cpg = in->c / n->groups, opg = n->c / n->groups;

    for (uint32_t o = 0; o < n->c; o++) {
        const double *wo = f->w[i] + (size_t)o * cpg * n->kh * n->kw;
        uint32_t c0 = (o / opg) * cpg;
        for (uint32_t y = 0; y < n->h; y++)
            for (uint32_t xx = 0; xx < n->w; xx++) {
                double acc = f->b[i][o];
                for (uint32_t ci = 0; ci < cpg; ci++)
                    for (uint32_t ky = 0; ky < n->kh; ky++) {
                        int64_t iy = (int64_t)y * n->sh - n->pt + (int64_t)ky * n->dh;
                        if (iy < 0 || iy >= in->h)
                            continue;
                        for (uint32_t kx = 0; kx < n->kw; kx++) {
                            int64_t ix = (int64_t)xx * n->sw - n->pl + (int64_t)kx * n->dw;
                            if (ix < 0 || ix >= in->w)
                                continue;
                            acc += wo[((size_t)ci * n->kh + ky) * n->kw + kx] *
                                   x[((size_t)(c0 + ci) * in->h + (size_t)iy) * in->w + (size_t)ix];
                        }
                    }
                out[((size_t)o * n->h + y) * n->w + xx] =
                    n->act == ZKR_ML_ACT_RELU && acc < 0 ? 0 : acc;
            }
    }
}

static void pool_f(const zkr_ml_gfmodel *f, uint32_t i, const double *x, double *out)
{
    const zkr_ml_gnode *n = &f->g.nodes[i], *in = &f->g.nodes[n->in[0]];
    int maxp = n->op == ZKR_ML_GOP_MAXPOOL;

    for (uint32_t c = 0; c < n->c; c++)
        for (uint32_t y = 0; y < n->h; y++)
            for (uint32_t xx = 0; xx < n->w; xx++) {
                double best = -HUGE_VAL, sum = 0;
                for (uint32_t ky = 0; ky < n->kh; ky++) {
                    int64_t iy = (int64_t)y * n->sh - n->pt + ky;
                    for (uint32_t kx = 0; kx < n->kw; kx++) {
                        int64_t ix = (int64_t)xx * n->sw - n->pl + kx;
                        double v;
                        if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w)
                            continue; /* max: excluded; average: adds 0 */
                        v = x[((size_t)c * in->h + (size_t)iy) * in->w + (size_t)ix];
                        best = v > best ? v : best;
                        sum += v;
                    }
                }
                out[((size_t)c * n->h + y) * n->w + xx] =
                    maxp ? best : sum / (double)(n->kh * n->kw);
            }
}

static void node_f(const zkr_ml_gfmodel *f, uint32_t i, double **vals)
{
    const zkr_ml_gnode *n = &f->g.nodes[i];
    const double *x = vals[n->in[0]];
    double *out = vals[i];
    uint32_t cnt = zkr_ml_gprog_elems(&f->g, i);

    switch (n->op) {
    case ZKR_ML_GOP_CONV: conv_f(f, i, x, out); break;
    case ZKR_ML_GOP_DENSE: {
        uint32_t fi = zkr_ml_gprog_fanin(&f->g, i);
        for (uint32_t j = 0; j < n->c; j++) {
            double acc = f->b[i][j];
            for (uint32_t k = 0; k < fi; k++)
                acc += f->w[i][(size_t)j * fi + k] * x[k];
            out[j] = n->act == ZKR_ML_ACT_RELU && acc < 0 ? 0 : acc;
        }
        break;
    }
    case ZKR_ML_GOP_MAXPOOL:
    case ZKR_ML_GOP_AVGPOOL: pool_f(f, i, x, out); break;
    case ZKR_ML_GOP_ADD:
        for (uint32_t k = 0; k < cnt; k++) {
            double v = x[k] + vals[n->in[1]][k];
            out[k] = n->act == ZKR_ML_ACT_RELU && v < 0 ? 0 : v;
        }
        break;
    case ZKR_ML_GOP_LOOKUP:
        for (uint32_t k = 0; k < cnt; k++)
            out[k] = zkr_ml_fn_apply(f->fn[i], f->alpha[i], f->beta[i], x[k]);
        break;
    default: { /* CONCAT */
        size_t at = 0;
        for (uint32_t k = 0; k < n->n_in; k++) {
            size_t len = zkr_ml_gprog_elems(&f->g, n->in[k]);
            memcpy(out + at, vals[n->in[k]], len * sizeof(double));
            at += len;
        }
    }
    }
}

void zkr_ml_gfmodel_forward(const zkr_ml_gfmodel *f, const uint8_t *input, double **vals)
{
    uint32_t n0 = zkr_ml_gprog_elems(&f->g, 0);

    for (uint32_t k = 0; k < n0; k++)
        vals[0][k] = input[k] / 255.0;
    for (uint32_t i = 1; i < f->g.n_nodes; i++)
        node_f(f, i, vals);
}

/* Allocates one double array per node of g (freed with free_vals). */
static zkr_err alloc_vals(const zkr_ml_gprog *g, double **vals)
{
    memset(vals, 0, ZKR_ML_G_MAX_NODES * sizeof *vals);
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if ((vals[i] = calloc(zkr_ml_gprog_elems(g, i), sizeof(double))) == NULL)
            return ZKR_ERR_NOMEM;
    return ZKR_OK;
}

static void free_vals(double **vals)
{
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++)
        free(vals[i]);
}

zkr_err zkr_ml_gfmodel_infer(const zkr_ml_gfmodel *f, const uint8_t *input, size_t input_len,
                             double *out, size_t cap, zkr_diag *d)
{
    double *vals[ZKR_ML_G_MAX_NODES];
    uint32_t last;
    zkr_err r;

    if (f == NULL || out == NULL || (input == NULL && input_len != 0))
        return zkr_fail(d, ZKR_ERR_INTERNAL, "infer: no model, input or output");
    last = f->g.n_nodes - 1;
    if (input_len != zkr_ml_gprog_elems(&f->g, 0))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "infer: input has %zu bytes, the model takes %u",
                        input_len, (unsigned)zkr_ml_gprog_elems(&f->g, 0));
    if (cap < zkr_ml_gprog_elems(&f->g, last))
        return zkr_fail(d, ZKR_ERR_USAGE, "infer: room for %zu outputs, the model has %u", cap,
                        (unsigned)zkr_ml_gprog_elems(&f->g, last));
    if ((r = alloc_vals(&f->g, vals)) == ZKR_OK) {
        zkr_ml_gfmodel_forward(f, input, vals);
        memcpy(out, vals[last], zkr_ml_gprog_elems(&f->g, last) * sizeof(double));
    }
    free_vals(vals);
    return r;
}

/* ---------------------------------------------------------------- */
/* Evaluation                                                        */
/* ---------------------------------------------------------------- */

static zkr_err geval_range(const zkr_ml_gfmodel *f, const zkr_ml_gmodel *m, const zkr_dataset *ds,
                           uint64_t first, uint64_t count, zkr_ml_eval_result *res, zkr_diag *d)
{
    const zkr_ml_gprog *g = &m->g;
    uint32_t last = g->n_nodes - 1, n_out = zkr_ml_gprog_elems(g, last);
    double *vals[ZKR_ML_G_MAX_NODES] = {0};
    zkr_ml_gtrace t = {0};
    zkr_err r;

    if ((r = zkr_ml_gtrace_init(&t, g)) != ZKR_OK || (f && (r = alloc_vals(g, vals)) != ZKR_OK))
        goto out;
    for (uint64_t i = first; i < first + count; i++) {
        const uint8_t *in;
        uint8_t label;
        if ((r = zkr_ml_record_input(ds, i, zkr_ml_gprog_elems(g, 0), &in, &label, d)) != ZKR_OK ||
            (r = zkr_ml_ginfer(m, in, zkr_ml_gprog_elems(g, 0), &t, d)) != ZKR_OK)
            goto out;
        res->n++;
        res->quant_correct += t.argmax == label;
        if (f != NULL) {
            uint32_t fa;
            zkr_ml_gfmodel_forward(f, in, vals);
            fa = zkr_ml_argmax_f64(vals[last], n_out);
            res->float_correct += fa == label;
            res->agree += fa == t.argmax;
        }
    }
out:
    free_vals(vals);
    zkr_ml_gtrace_free(&t);
    return r;
}

zkr_err zkr_ml_geval(const zkr_ml_gfmodel *f, const zkr_ml_gmodel *m, const zkr_dataset *ds,
                     uint64_t first, uint64_t count, zkr_ml_eval_result *res, zkr_diag *d)
{
    uint64_t n;

    if (m == NULL || ds == NULL || res == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "eval: no model, dataset or result");
    memset(res, 0, sizeof *res);
    if (f != NULL) {
        uint8_t a[ZKR_DIGEST_BYTES];
        zkr_err r;
        if ((r = zkr_ml_gprog_digest(&f->g, a, d)) != ZKR_OK)
            return r;
        if (memcmp(a, m->program_digest, ZKR_DIGEST_BYTES) != 0)
            return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                            "eval: the ONNX model folds to another program than the model's");
    }
    n = zkr_dataset_count(ds);
    if (first >= n || (count != 0 && count > n - first))
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "eval: records %llu.. past the %llu in the dataset",
                        (unsigned long long)first, (unsigned long long)n);
    return geval_range(f, m, ds, first, count ? count : n - first, res, d);
}
