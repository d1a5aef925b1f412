/*
 * Quantization: the requantization primitive and the float-to-integer
 * conversion with calibration (docs/quantization.md is the specification;
 * tests/ml/test_quant.c checks its test vectors).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

/* Multipliers are normalised below 2^MULT_BITS; the shift is chosen to match. */
#define MULT_BITS 16
#define CALIB_MAX_RECORDS ((uint64_t)1 << 20)

/* floor(v / 2^s) without relying on the implementation-defined >> of negatives. */
static int64_t floor_shift(int64_t v, uint32_t s)
{
    if (v >= 0)
        return v >> s;
    return -(int64_t)(((uint64_t)(-v) + (((uint64_t)1 << s) - 1)) >> s);
}

int8_t zkr_ml_requant(int32_t acc, uint32_t mult, uint32_t shift, uint8_t act, int64_t *q_out)
{
    int64_t v, q, lo = act == ZKR_ML_ACT_RELU ? 0 : ZKR_ML_ACT_MIN;

    /* Out-of-contract arguments are forced into range so that nothing is undefined. */
    if (shift < ZKR_ML_SHIFT_MIN)
        shift = ZKR_ML_SHIFT_MIN;
    if (shift > ZKR_ML_SHIFT_MAX)
        shift = ZKR_ML_SHIFT_MAX;
    mult &= ZKR_ML_MULT_LIMIT - 1;
    v = (int64_t)acc * (int64_t)mult + ((int64_t)1 << (shift - 1));
    q = floor_shift(v, shift);
    if (q_out != NULL)
        *q_out = q;
    if (q < lo)
        return (int8_t)lo;
    if (q > ZKR_ML_ACT_MAX)
        return (int8_t)ZKR_ML_ACT_MAX;
    return (int8_t)q;
}

/* Round half away from zero: deterministic and independent of the FPU rounding mode. */
static double round_away(double x)
{
    return x >= 0 ? floor(x + 0.5) : -floor(-x + 0.5);
}

/* Where calibration inputs come from: a byte array or dataset records. */
typedef struct {
    const uint8_t *inputs; /* n x input_dim, or NULL for a dataset */
    const zkr_dataset *ds;
    uint64_t first;
    uint64_t n;
} calib_src;

static zkr_err calib_input(const calib_src *src, uint32_t input_dim, uint64_t i,
                           const uint8_t **x, zkr_diag *d)
{
    uint8_t label;

    if (src->inputs != NULL) {
        *x = src->inputs + (size_t)i * input_dim;
        return ZKR_OK;
    }
    return zkr_ml_record_input(src->ds, src->first + i, input_dim, x, &label, d);
}

/* Per-layer maximum |activation| over the calibration set (float model). */
static zkr_err calibrate(const zkr_ml_fmodel *f, const calib_src *src, double amax[ZKR_ML_MAX_LAYERS],
                         zkr_diag *d)
{
    double *outs[ZKR_ML_MAX_LAYERS] = {0};
    zkr_err r = ZKR_OK;

    for (uint32_t l = 0; l < f->g.n_layers; l++) {
        amax[l] = 0;
        if ((outs[l] = calloc(f->g.layers[l].out_dim, sizeof(double))) == NULL) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
    }
    for (uint64_t i = 0; i < src->n; i++) {
        const uint8_t *x;
        if ((r = calib_input(src, f->g.input_dim, i, &x, d)) != ZKR_OK)
            goto out;
        zkr_ml_fmodel_forward(f, x, outs);
        for (uint32_t l = 0; l < f->g.n_layers; l++)
            for (uint32_t j = 0; j < f->g.layers[l].out_dim; j++)
                if (fabs(outs[l][j]) > amax[l])
                    amax[l] = fabs(outs[l][j]);
    }
out:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++)
        free(outs[l]);
    return r;
}

/* Quantized parameters of one layer under construction. */
typedef struct {
    int8_t *w;
    int32_t *bias;
    uint32_t *mult;
    double *ratio;
    uint32_t shift;
} qbuild;

/* Weights per output channel, biases at scale sw * s_in, and the real multipliers. */
static zkr_err quantize_weights(const zkr_ml_fmodel *f, uint32_t l, double s_in, double s_out,
                                qbuild *q, zkr_diag *d)
{
    const zkr_ml_layer_desc *L = &f->g.layers[l];

    for (uint32_t j = 0; j < L->out_dim; j++) {
        const float *row = f->w[l] + (size_t)j * L->in_dim;
        double wmax = 0, sw, bq;

        for (uint32_t k = 0; k < L->in_dim; k++)
            if (fabs((double)row[k]) > wmax)
                wmax = fabs((double)row[k]);
        sw = wmax > 0 ? wmax / ZKR_ML_WEIGHT_MAX : 1.0;
        for (uint32_t k = 0; k < L->in_dim; k++) {
            double v = round_away((double)row[k] / sw);
            v = v > ZKR_ML_WEIGHT_MAX ? ZKR_ML_WEIGHT_MAX : v < -ZKR_ML_WEIGHT_MAX ? -ZKR_ML_WEIGHT_MAX : v;
            q->w[(size_t)j * L->in_dim + k] = (int8_t)v;
        }
        bq = round_away((double)f->b[l][j] / (sw * s_in));
        if (!(fabs(bq) <= (double)ZKR_ML_BIAS_MAX))
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "quantize: layer %u channel %u: bias %g is %g weight steps, over 2^30",
                            (unsigned)l, (unsigned)j, (double)f->b[l][j], bq);
        q->bias[j] = (int32_t)bq;
        q->ratio[j] = sw * s_in / s_out;
    }
    return ZKR_OK;
}

/* The largest shift in range that keeps every multiplier below 2^MULT_BITS. */
static zkr_err choose_multipliers(uint32_t l, uint32_t out_dim, qbuild *q, zkr_diag *d)
{
    double rmax = 0;
    uint32_t s;

    for (uint32_t j = 0; j < out_dim; j++)
        if (q->ratio[j] > rmax)
            rmax = q->ratio[j];
    for (s = ZKR_ML_SHIFT_MAX; s > ZKR_ML_SHIFT_MIN; s--)
        if (round_away(ldexp(rmax, (int)s)) < ldexp(1.0, MULT_BITS))
            break;
    q->shift = s;
    for (uint32_t j = 0; j < out_dim; j++) {
        double m = round_away(ldexp(q->ratio[j], (int)s));
        if (!(m >= 0 && m < (double)ZKR_ML_MULT_LIMIT))
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "quantize: layer %u channel %u: scale ratio %g does not fit a multiplier",
                            (unsigned)l, (unsigned)j, q->ratio[j]);
        q->mult[j] = (uint32_t)m;
    }
    return ZKR_OK;
}

static zkr_err quantize(const zkr_ml_fmodel *f, const calib_src *src, zkr_buf *out, zkr_diag *d)
{
    qbuild qb[ZKR_ML_MAX_LAYERS];
    zkr_ml_qlayer ql[ZKR_ML_MAX_LAYERS];
    double amax[ZKR_ML_MAX_LAYERS], s_in = 1.0 / 255.0;
    zkr_err r;

    memset(qb, 0, sizeof qb);
    memset(ql, 0, sizeof ql);
    if ((r = calibrate(f, src, amax, d)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < f->g.n_layers; l++) {
        const zkr_ml_layer_desc *L = &f->g.layers[l];
        /* A layer that never fires in calibration gets a unit scale: its outputs stay 0. */
        double s_out = amax[l] > 0 ? amax[l] / ZKR_ML_ACT_MAX : 1.0;

        if ((qb[l].w = calloc((size_t)L->in_dim * L->out_dim, 1)) == NULL ||
            (qb[l].bias = calloc(L->out_dim, sizeof(int32_t))) == NULL ||
            (qb[l].mult = calloc(L->out_dim, sizeof(uint32_t))) == NULL ||
            (qb[l].ratio = calloc(L->out_dim, sizeof(double))) == NULL) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
        if ((r = quantize_weights(f, l, s_in, s_out, &qb[l], d)) != ZKR_OK ||
            (r = choose_multipliers(l, L->out_dim, &qb[l], d)) != ZKR_OK)
            goto out;
        ql[l] = (zkr_ml_qlayer){qb[l].w, qb[l].bias, qb[l].mult, qb[l].shift};
        s_in = s_out;
    }
    r = zkr_ml_model_encode(&f->g, ql, out, d);
out:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(qb[l].w);
        free(qb[l].bias);
        free(qb[l].mult);
        free(qb[l].ratio);
    }
    return r;
}

zkr_err zkr_ml_quantize_inputs(const zkr_ml_fmodel *f, const uint8_t *inputs, size_t inputs_len,
                               size_t n, zkr_buf *out, zkr_diag *d)
{
    calib_src src = {inputs, NULL, 0, n};

    if (f == NULL || out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "quantize: no model or output");
    out->len = 0;
    if (n == 0 || inputs == NULL || n > CALIB_MAX_RECORDS ||
        inputs_len != n * (size_t)f->g.input_dim)
        return zkr_fail(d, ZKR_ERR_USAGE,
                        "quantize: %zu calibration bytes for %zu records of %u bytes (1..%llu records)",
                        inputs_len, n, (unsigned)f->g.input_dim, (unsigned long long)CALIB_MAX_RECORDS);
    return quantize(f, &src, out, d);
}

zkr_err zkr_ml_quantize(const zkr_ml_fmodel *f, const zkr_dataset *calib, uint64_t first,
                        uint64_t count, zkr_buf *out, zkr_diag *d)
{
    calib_src src = {NULL, calib, first, count};

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
    return quantize(f, &src, out, d);
}

zkr_err zkr_ml_record_input(const zkr_dataset *ds, uint64_t i, uint32_t input_dim,
                            const uint8_t **input, uint8_t *label, zkr_diag *d)
{
    const uint8_t *p;
    size_t len;
    zkr_err r;

    *input = NULL;
    *label = 0;
    if (ds == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "dataset: none given");
    if (zkr_dataset_format_of(ds) != ZKR_DATASET_IDX)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "dataset: models take IDX image records, not line records");
    if ((r = zkr_dataset_record(ds, i, &p, &len)) != ZKR_OK)
        return zkr_fail(d, r, "dataset: record %llu not found (%llu records)", (unsigned long long)i,
                        (unsigned long long)zkr_dataset_count(ds));
    if (len != (size_t)input_dim + 1)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "dataset: record %llu has %zu image bytes, the model takes %u",
                        (unsigned long long)i, len - 1, (unsigned)input_dim);
    *input = p;
    *label = p[input_dim];
    return ZKR_OK;
}
