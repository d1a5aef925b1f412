/*
 * Quantization of graph models (docs/quantization.md 7.5): activation
 * scales from MSE-optimal clipping over the calibration records, per-channel
 * int8 weights with bias correction, ADD multipliers and activation tables,
 * all in IEEE double precision and deterministic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

#define MULT_BITS 16
#define CALIB_MAX_RECORDS ((uint64_t)1 << 20)
#define CLIP_BINS 2048u

static double round_away(double x)
{
    return x >= 0 ? floor(x + 0.5) : -floor(-x + 0.5);
}

typedef struct {
    const uint8_t *inputs; /* n x input elements, or NULL for a dataset */
    const zkr_dataset *ds;
    uint64_t first, n;
} gcalib_src;

/* What calibration keeps per node over the calibration records (freed by stats_free). */
typedef struct {
    double amax[ZKR_ML_G_MAX_NODES]; /* max |value| */
    double *sum[ZKR_ML_G_MAX_NODES];  /* per element, the sum of its values */
    uint64_t *hist[ZKR_ML_G_MAX_NODES]; /* CLIP_BINS counts of the nonzero |value| in [0, amax] */
    uint64_t n;                       /* records seen */
} gq_stats;

static void stats_free(gq_stats *st)
{
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        free(st->sum[i]);
        free(st->hist[i]);
    }
}

static zkr_err stats_alloc(const zkr_ml_gprog *g, gq_stats *st)
{
    memset(st, 0, sizeof *st);
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if ((st->sum[i] = calloc(zkr_ml_gprog_elems(g, i), sizeof(double))) == NULL ||
            (st->hist[i] = calloc(CLIP_BINS, sizeof(uint64_t))) == NULL)
            return ZKR_ERR_NOMEM;
    return ZKR_OK;
}

/*
 * Pass 0 records amax and the element sums, pass 1 the histogram of
 * |value| over [0, amax] (exact zeros, which quantize without error, are
 * left out). Sums run in record order, so the result is deterministic.
 */
static void observe(const zkr_ml_gprog *g, double *const *vals, int pass, gq_stats *st)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        uint32_t cnt = zkr_ml_gprog_elems(g, i);
        for (uint32_t j = 0; j < cnt; j++) {
            double a = fabs(vals[i][j]);
            if (pass == 0) {
                st->amax[i] = a > st->amax[i] ? a : st->amax[i];
                st->sum[i][j] += vals[i][j];
            } else if (a > 0) {
                double b = floor(a / st->amax[i] * CLIP_BINS);
                st->hist[i][b >= CLIP_BINS ? CLIP_BINS - 1 : (uint32_t)b]++;
            }
        }
    }
}

/* Runs the float model over the calibration records; see observe for the passes. */
static zkr_err calibrate(const zkr_ml_gfmodel *f, const gcalib_src *src, int pass, gq_stats *st,
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
        observe(g, vals, pass, st);
    }
    st->n = src->n;
out:
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++)
        free(vals[i]);
    return r;
}

/*
 * The clipping threshold c in [amax/8, amax] (a multiple of amax/CLIP_BINS)
 * minimising the expected squared error of quantizing the histogram's values
 * to steps of c/127: a value v >= c costs (v - c)^2, a smaller one v^2 when it
 * rounds to 0 (v < step/2) and step^2/12 otherwise (uniform rounding error).
 * Ties keep the larger c.
 */
static double mse_clip(const uint64_t *h, double amax)
{
    double best = amax, best_err = HUGE_VAL;

    for (uint32_t k = CLIP_BINS; k >= CLIP_BINS / 8; k--) {
        double c = amax * k / CLIP_BINS, step = c / ZKR_ML_ACT_MAX, err = 0;
        for (uint32_t b = 0; b < CLIP_BINS; b++) {
            double v = (b + 0.5) * amax / CLIP_BINS, e2;
            if (h[b] == 0)
                continue;
            e2 = v >= c ? (v - c) * (v - c) : v < step / 2 ? v * v : step * step / 12;
            err += (double)h[b] * e2;
        }
        if (err < best_err) {
            best_err = err;
            best = c;
        }
    }
    return best;
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
 * range/127 (1.0 when range is 0); MAXPOOL, AVGPOOL and CONCAT share their
 * inputs' scale, so each group joined by them gets the largest range of
 * its members.
 */
static zkr_err node_scales(const zkr_ml_gprog *g, const double *range, double *scale,
                           zkr_diag *d)
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
        if (range[i] > gmax[find(parent, i)])
            gmax[find(parent, i)] = range[i];
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

/*
 * The mean input each weight of node i meets over the calibration records:
 * per input element for DENSE, per input channel for CONV (fi entries,
 * indexed like a weight row of channel group 0; mean_at shifts the group).
 */
static zkr_err input_means(const zkr_ml_gprog *g, uint32_t i, const gq_stats *st, double **out)
{
    const zkr_ml_gnode *n = &g->nodes[i], *in = &g->nodes[n->in[0]];
    uint32_t cnt = zkr_ml_gprog_elems(g, n->in[0]);
    uint32_t per = n->op == ZKR_ML_GOP_CONV ? in->h * in->w : 1;
    double *m;

    if ((m = calloc(cnt / per, sizeof(double))) == NULL)
        return ZKR_ERR_NOMEM;
    for (uint32_t j = 0; j < cnt; j++)
        m[j / per] += st->sum[n->in[0]][j];
    for (uint32_t j = 0; j < cnt / per; j++)
        m[j] /= (double)st->n * per;
    *out = m;
    return ZKR_OK;
}

/* The mean input weight k of output channel o of node i multiplies. */
static double mean_at(const zkr_ml_gprog *g, uint32_t i, uint32_t o, uint32_t k, const double *m)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    uint32_t cpg, opg;

    if (n->op != ZKR_ML_GOP_CONV)
        return m[k];
    cpg = g->nodes[n->in[0]].c / n->groups;
    opg = n->c / n->groups;
    return m[(o / opg) * cpg + k / (n->kh * n->kw)];
}

/*
 * Per output channel o: sw_o = max|w_o|/127, W = round(w/sw_o); bias
 * correction: the mean error the weight rounding adds over the calibration
 * records, sum_k (W[k]*sw_o - w[k]) * mean input, is taken off the bias
 * before it is rounded to b = round(bias'/(sw_o * s_in)).
 */
static zkr_err quantize_weights(const zkr_ml_gfmodel *f, uint32_t i, double s_in, double s_out,
                                const gq_stats *st, gq_node *q,
                                zkr_ml_gparams *p, zkr_diag *d)
{
    const zkr_ml_gnode *n = &f->g.nodes[i];
    uint32_t fi = zkr_ml_gprog_fanin(&f->g, i);
    double *mean = NULL;
    zkr_err r;

    if ((q->w = calloc((size_t)n->c * fi, 1)) == NULL ||
        (q->bias = calloc(n->c, sizeof(int32_t))) == NULL ||
        (q->mult = calloc(n->c, sizeof(uint32_t))) == NULL ||
        (q->ratio = calloc(n->c, sizeof(double))) == NULL)
        return ZKR_ERR_NOMEM;
    if ((r = input_means(&f->g, i, st, &mean)) != ZKR_OK)
        return r;
    for (uint32_t o = 0; o < n->c; o++) {
        const double *row = f->w[i] + (size_t)o * fi;
        double wmax = 0, sw, bq, corr = 0;
        for (uint32_t k = 0; k < fi; k++)
            wmax = fabs(row[k]) > wmax ? fabs(row[k]) : wmax;
        sw = wmax > 0 ? wmax / ZKR_ML_WEIGHT_MAX : 1.0;
        for (uint32_t k = 0; k < fi; k++) {
            double v = round_away(row[k] / sw);
            v = v > ZKR_ML_WEIGHT_MAX ? ZKR_ML_WEIGHT_MAX : v < -ZKR_ML_WEIGHT_MAX ? -ZKR_ML_WEIGHT_MAX : v;
            q->w[(size_t)o * fi + k] = (int8_t)v;
            corr += (v * sw - row[k]) * mean_at(&f->g, i, o, k, mean);
        }
        bq = round_away((f->b[i][o] - corr) / (sw * s_in));
        if (!(fabs(bq) <= (double)ZKR_ML_BIAS_MAX)) {
            free(mean);
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "quantize: node %u channel %u: bias %g is %g weight steps, over 2^30",
                            (unsigned)i, (unsigned)o, f->b[i][o], bq);
        }
        q->bias[o] = (int32_t)bq;
        q->ratio[o] = sw * s_in / s_out;
    }
    free(mean);
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

static zkr_err build_params(const zkr_ml_gfmodel *f, const double *scale, const gq_stats *st,
                            gq_node *q, zkr_ml_gparams *p, zkr_diag *d)
{
    const zkr_ml_gprog *g = &f->g;
    zkr_err r;

    for (uint32_t i = 1; i < g->n_nodes; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        double s_in = scale[n->in[0]];
        if (n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_DENSE) {
            if ((r = quantize_weights(f, i, s_in, scale[i], st, &q[i], &p[i], d)) != ZKR_OK)
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

/*
 * Each node's range: the MSE clip, except for the output node, whose int8
 * logits keep amax so that clipping cannot make new ties for the argmax.
 */
static void node_ranges(const zkr_ml_gprog *g, const gq_stats *st, double *range)
{
    for (uint32_t i = 1; i < g->n_nodes; i++)
        range[i] = i + 1 < g->n_nodes && st->amax[i] > 0
                       ? mse_clip(st->hist[i], st->amax[i])
                       : st->amax[i];
}

static zkr_err gquantize(const zkr_ml_gfmodel *f, const gcalib_src *src, zkr_buf *out,
                         zkr_diag *d)
{
    double range[ZKR_ML_G_MAX_NODES] = {0}, scale[ZKR_ML_G_MAX_NODES] = {0};
    gq_stats *st = NULL;
    gq_node *q = NULL;
    zkr_ml_gparams *p = NULL;
    zkr_err r;

    if ((q = calloc(ZKR_ML_G_MAX_NODES, sizeof *q)) == NULL ||
        (p = calloc(ZKR_ML_G_MAX_NODES, sizeof *p)) == NULL ||
        (st = malloc(sizeof *st)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = stats_alloc(&f->g, st)) != ZKR_OK ||
        (r = calibrate(f, src, 0, st, d)) != ZKR_OK ||
        (r = calibrate(f, src, 1, st, d)) != ZKR_OK)
        goto out;
    node_ranges(&f->g, st, range);
    if ((r = node_scales(&f->g, range, scale, d)) != ZKR_OK ||
        (r = build_params(f, scale, st, q, p, d)) != ZKR_OK)
        goto out;
    r = zkr_ml_gmodel_encode(&f->g, p, out, d);
out:
    for (uint32_t i = 0; q != NULL && i < ZKR_ML_G_MAX_NODES; i++) {
        free(q[i].w);
        free(q[i].bias);
        free(q[i].mult);
        free(q[i].ratio);
    }
    if (st != NULL)
        stats_free(st);
    free(st);
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
