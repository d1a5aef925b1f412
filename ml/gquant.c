/*
 * Quantization of graph models (docs/quantization.md 7.5): calibrated
 * activation scales, per-channel int8 weights, ADD multipliers and
 * activation tables, all in IEEE double precision and deterministic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

#define MULT_BITS 16
#define CALIB_MAX_RECORDS ((uint64_t)1 << 20)

static double round_away(double x)
{
    return x >= 0 ? floor(x + 0.5) : -floor(-x + 0.5);
}

typedef struct {
    const uint8_t *inputs; /* n x input elements, or NULL for a dataset */
    const zkr_dataset *ds;
    uint64_t first, n;
} gcalib_src;

/* Per-node max |value| of the float model over the calibration records. */
static zkr_err calibrate(const zkr_ml_gfmodel *f, const gcalib_src *src, double *amax,
                         zkr_diag *d)
{
    const zkr_ml_gprog *g = &f->g;
    uint32_t n0 = zkr_ml_gprog_elems(g, 0);
    double *vals[ZKR_ML_G_MAX_NODES] = {0};
    zkr_err r = ZKR_OK;

    for (uint32_t i = 0; i < g->n_nodes; i++)
        if ((vals[i] = calloc(zkr_ml_gprog_elems(g, i), sizeof(double))) == NULL) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
    for (uint64_t k = 0; k < src->n; k++) {
        const uint8_t *x;
        uint8_t label;
        if (src->inputs != NULL)
            x = src->inputs + (size_t)k * n0;
        else if ((r = zkr_ml_record_input(src->ds, src->first + k, n0, &x, &label, d)) != ZKR_OK)
            goto out;
        zkr_ml_gfmodel_forward(f, x, vals);
        for (uint32_t i = 1; i < g->n_nodes; i++) {
            uint32_t cnt = zkr_ml_gprog_elems(g, i);
            for (uint32_t j = 0; j < cnt; j++)
                if (fabs(vals[i][j]) > amax[i])
                    amax[i] = fabs(vals[i][j]);
        }
    }
out:
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++)
        free(vals[i]);
    return r;
}

static int requantizes(uint8_t op)
{
    return op == ZKR_ML_GOP_CONV || op == ZKR_ML_GOP_DENSE || op == ZKR_ML_GOP_ADD ||
           op == ZKR_ML_GOP_LOOKUP;
}

static uint32_t find(uint32_t *parent, uint32_t i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

/*
 * Node scales: node 0 is 1/255; CONV, DENSE, ADD and LOOKUP take
 * amax/127 (1.0 when amax is 0); MAXPOOL, AVGPOOL and CONCAT share their
 * inputs' scale, so each group joined by them gets the largest amax of
 * its requantizing members.
 */
static zkr_err node_scales(const zkr_ml_gprog *g, const double *amax, double *scale, zkr_diag *d)
{
    uint32_t parent[ZKR_ML_G_MAX_NODES];
    double gmax[ZKR_ML_G_MAX_NODES] = {0};

    for (uint32_t i = 0; i < g->n_nodes; i++)
        parent[i] = i;
    for (uint32_t i = 1; i < g->n_nodes; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        if (requantizes(n->op))
            continue;
        for (uint32_t k = 0; k < n->n_in; k++)
            parent[find(parent, n->in[k])] = find(parent, i);
    }
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if (requantizes(g->nodes[i].op) && amax[i] > gmax[find(parent, i)])
            gmax[find(parent, i)] = amax[i];
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        uint32_t root = find(parent, i);
        if (root == find(parent, 0)) {
            if (i != 0)
                return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                "quantize: node %u shares the input's scale", (unsigned)i);
            scale[i] = 1.0 / 255.0;
            continue;
        }
        scale[i] = gmax[root] > 0 ? gmax[root] / ZKR_ML_ACT_MAX : 1.0;
    }
    return ZKR_OK;
}

/* The largest shift in 1..48 keeping every multiplier below 2^16 (as version 1). */
static zkr_err choose_mults(uint32_t i, const double *ratio, uint32_t n, uint32_t *mult,
                           uint32_t *shift, zkr_diag *d)
{
    double rmax = 0;
    uint32_t s;

    for (uint32_t j = 0; j < n; j++)
        if (ratio[j] > rmax)
            rmax = ratio[j];
    for (s = ZKR_ML_SHIFT_MAX; s > ZKR_ML_SHIFT_MIN; s--)
        if (round_away(ldexp(rmax, (int)s)) < ldexp(1.0, MULT_BITS))
            break;
    *shift = s;
    for (uint32_t j = 0; j < n; j++) {
        double m = round_away(ldexp(ratio[j], (int)s));
        if (!(m >= 0 && m < (double)ZKR_ML_MULT_LIMIT))
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "quantize: node %u channel %u: scale ratio %g does not fit a multiplier",
                            (unsigned)i, (unsigned)j, ratio[j]);
        mult[j] = (uint32_t)m;
    }
    return ZKR_OK;
}

/* Everything built for one node; freed together. */
typedef struct {
    int8_t *w;
    int32_t *bias;
    uint32_t *mult;
    double *ratio;
    int8_t table[ZKR_ML_G_TABLE_SIZE];
} gq_node;

static zkr_err quantize_weights(const zkr_ml_gfmodel *f, uint32_t i, double s_in, double s_out,
                                gq_node *q, zkr_ml_gparams *p, zkr_diag *d)
{
    const zkr_ml_gnode *n = &f->g.nodes[i];
    uint32_t fi = zkr_ml_gprog_fanin(&f->g, i);

    if ((q->w = calloc((size_t)n->c * fi, 1)) == NULL ||
        (q->bias = calloc(n->c, sizeof(int32_t))) == NULL ||
        (q->mult = calloc(n->c, sizeof(uint32_t))) == NULL ||
        (q->ratio = calloc(n->c, sizeof(double))) == NULL)
        return ZKR_ERR_NOMEM;
    for (uint32_t o = 0; o < n->c; o++) {
        const double *row = f->w[i] + (size_t)o * fi;
        double wmax = 0, sw, bq;
        for (uint32_t k = 0; k < fi; k++)
            wmax = fabs(row[k]) > wmax ? fabs(row[k]) : wmax;
        sw = wmax > 0 ? wmax / ZKR_ML_WEIGHT_MAX : 1.0;
        for (uint32_t k = 0; k < fi; k++) {
            double v = round_away(row[k] / sw);
            v = v > ZKR_ML_WEIGHT_MAX ? ZKR_ML_WEIGHT_MAX : v < -ZKR_ML_WEIGHT_MAX ? -ZKR_ML_WEIGHT_MAX : v;
            q->w[(size_t)o * fi + k] = (int8_t)v;
        }
        bq = round_away(f->b[i][o] / (sw * s_in));
        if (!(fabs(bq) <= (double)ZKR_ML_BIAS_MAX))
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "quantize: node %u channel %u: bias %g is %g weight steps, over 2^30",
                            (unsigned)i, (unsigned)o, f->b[i][o], bq);
        q->bias[o] = (int32_t)bq;
        q->ratio[o] = sw * s_in / s_out;
    }
    *p = (zkr_ml_gparams){.w = q->w, .bias = q->bias, .mult = q->mult};
    return choose_mults(i, q->ratio, n->c, q->mult, &p->shift, d);
}

/* T[x + 128] = clamp(round(f(x * s_in) / s_out), -128, 127). */
static void make_table(const zkr_ml_gfmodel *f, uint32_t i, double s_in, double s_out, int8_t *t)
{
    for (int x = ZKR_ML_ACT_MIN; x <= ZKR_ML_ACT_MAX; x++) {
        double v = round_away(zkr_ml_fn_apply(f->fn[i], f->alpha[i], f->beta[i], x * s_in) / s_out);
        v = v > ZKR_ML_ACT_MAX ? ZKR_ML_ACT_MAX : v < ZKR_ML_ACT_MIN ? ZKR_ML_ACT_MIN : v;
        t[x + 128] = (int8_t)v;
    }
}

static zkr_err build_params(const zkr_ml_gfmodel *f, const double *scale, gq_node *q,
                            zkr_ml_gparams *p, zkr_diag *d)
{
    const zkr_ml_gprog *g = &f->g;
    zkr_err r;

    for (uint32_t i = 1; i < g->n_nodes; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        double s_in = scale[n->in[0]];
        if (n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_DENSE) {
            if ((r = quantize_weights(f, i, s_in, scale[i], &q[i], &p[i], d)) != ZKR_OK)
                return r;
        } else if (n->op == ZKR_ML_GOP_ADD) {
            double ratio[2] = {s_in / scale[i], scale[n->in[1]] / scale[i]};
            uint32_t mult[2];
            if ((r = choose_mults(i, ratio, 2, mult, &p[i].shift, d)) != ZKR_OK)
                return r;
            p[i].ma = mult[0];
            p[i].mb = mult[1];
        } else if (n->op == ZKR_ML_GOP_LOOKUP) {
            make_table(f, i, s_in, scale[i], q[i].table);
            p[i].table = q[i].table;
        }
    }
    return ZKR_OK;
}

static zkr_err gquantize(const zkr_ml_gfmodel *f, const gcalib_src *src, zkr_buf *out,
                         zkr_diag *d)
{
    double amax[ZKR_ML_G_MAX_NODES] = {0}, scale[ZKR_ML_G_MAX_NODES] = {0};
    gq_node *q = NULL;
    zkr_ml_gparams *p = NULL;
    zkr_err r;

    if ((q = calloc(ZKR_ML_G_MAX_NODES, sizeof *q)) == NULL ||
        (p = calloc(ZKR_ML_G_MAX_NODES, sizeof *p)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = calibrate(f, src, amax, d)) != ZKR_OK ||
        (r = node_scales(&f->g, amax, scale, d)) != ZKR_OK ||
        (r = build_params(f, scale, q, p, d)) != ZKR_OK)
        goto out;
    r = zkr_ml_gmodel_encode(&f->g, p, out, d);
out:
    for (uint32_t i = 0; q != NULL && i < ZKR_ML_G_MAX_NODES; i++) {
        free(q[i].w);
        free(q[i].bias);
        free(q[i].mult);
        free(q[i].ratio);
    }
    free(q);
    free(p);
    return r;
}

zkr_err zkr_ml_gquantize_inputs(const zkr_ml_gfmodel *f, const uint8_t *inputs,
                                size_t inputs_len, size_t n, zkr_buf *out, zkr_diag *d)
{
    gcalib_src src = {inputs, NULL, 0, n};

    if (f == NULL || out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "quantize: no model or output");
    out->len = 0;
    if (n == 0 || inputs == NULL || n > CALIB_MAX_RECORDS ||
        inputs_len != n * (size_t)zkr_ml_gprog_elems(&f->g, 0))
        return zkr_fail(d, ZKR_ERR_USAGE,
                        "quantize: %zu calibration bytes for %zu records of %u bytes", inputs_len,
                        n, (unsigned)zkr_ml_gprog_elems(&f->g, 0));
    return gquantize(f, &src, out, d);
}

zkr_err zkr_ml_gquantize(const zkr_ml_gfmodel *f, const zkr_dataset *calib, uint64_t first,
                         uint64_t count, zkr_buf *out, zkr_diag *d)
{
    gcalib_src src = {NULL, calib, first, count};

    if (f == NULL || out == NULL || calib == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "quantize: no model, dataset or output");
    out->len = 0;
    if (count == 0 || count > CALIB_MAX_RECORDS)
        return zkr_fail(d, ZKR_ERR_USAGE, "quantize: %llu calibration records (1..%llu)",
                        (unsigned long long)count, (unsigned long long)CALIB_MAX_RECORDS);
    if (first > zkr_dataset_count(calib) || count > zkr_dataset_count(calib) - first)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND,
                        "quantize: calibration records %llu..%llu past the dataset's %llu records",
                        (unsigned long long)first, (unsigned long long)(first + count - 1),
                        (unsigned long long)zkr_dataset_count(calib));
    return gquantize(f, &src, out, d);
}
