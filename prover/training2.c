/* training-step@2: the byte witness of one step (prover/training2.h). */
#include <string.h>

#include "prover/training2.h"

/* Writes value into n little-endian byte slots of a group; refuses what does not fit. */
static int put_g(const zkr_train2_shape *s, uint8_t *v, uint32_t l, unsigned slot, unsigned n,
                 uint32_t b, uint32_t j, int64_t value)
{
    if (value < 0 || (n < 8 && value >= ((int64_t)1 << (8 * n))))
        return 0;
    for (unsigned t = 0; t < n; t++)
        v[zkr_train2_gidx(s, l, slot + t, b, j)] = (uint8_t)(value >> (8 * t));
    return 1;
}

static int put_u(const zkr_train2_shape *s, uint8_t *v, uint32_t l, unsigned slot, uint32_t j,
                 uint32_t k, int64_t value)
{
    if (value < 0 || value >= 65536)
        return 0;
    v[zkr_train2_uidx(s, l, slot, j, k)] = (uint8_t)value;
    v[zkr_train2_uidx(s, l, slot + 1, j, k)] = (uint8_t)(value >> 8);
    return 1;
}

static int hidden(const zkr_train2_shape *s, const zkr_ml_tstep_trace *tr, uint8_t *v,
                  uint32_t l, uint32_t b, uint32_t j)
{
    const int64_t P23 = (int64_t)1 << 23, P24 = (int64_t)1 << 24;
    size_t e = (size_t)b * s->out[l] + j;
    int64_t h = tr->h[l][e], n = tr->n[l][e], m = tr->m[l][e];
    int64_t dq = tr->dq[l][e], dl = tr->delta[l][e];
    int ok = 1;

    if (m != 0 && m != 1)
        return 0;
    ok &= put_g(s, v, l, ZKR_T2H_R, 2, b, j, tr->r[l][e]);
    ok &= put_g(s, v, l, ZKR_T2H_H, 2, b, j, h);
    ok &= put_g(s, v, l, ZKR_T2H_N, 4, b, j, n);
    ok &= put_g(s, v, l, ZKR_T2H_M, 1, b, j, m);
    ok &= put_g(s, v, l, ZKR_T2H_MC, 1, b, j, 128 * m);
    ok &= put_g(s, v, l, ZKR_T2H_S1, 2, b, j, 65535 * m - h);
    ok &= put_g(s, v, l, ZKR_T2H_S2, 4, b, j, (((int64_t)1 << 32) - 1) * (1 - m) - n);
    ok &= put_g(s, v, l, ZKR_T2H_S3, 2, b, j, h - m);
    ok &= put_g(s, v, l, ZKR_T2H_RB, 2, b, j, tr->rb[l][e]);
    ok &= put_g(s, v, l, ZKR_T2H_DQ, 3, b, j, dq + P23);
    ok &= put_g(s, v, l, ZKR_T2H_DL, 3, b, j, dl + P23);
    ok &= put_g(s, v, l, ZKR_T2H_T1, 4, b, j, P23 * m - dl);
    ok &= put_g(s, v, l, ZKR_T2H_T2, 3, b, j, P23 * m + dl);
    ok &= put_g(s, v, l, ZKR_T2H_T3, 4, b, j, P24 * (1 - m) - (dl - dq));
    ok &= put_g(s, v, l, ZKR_T2H_T4, 4, b, j, P24 * (1 - m) + (dl - dq));
    return ok;
}

static int output(const zkr_train2_shape *s, const zkr_ml_tstep_trace *tr, uint8_t *v,
                  uint32_t b, uint32_t j, uint8_t label)
{
    uint32_t l = s->n_layers - 1;
    size_t e = (size_t)b * s->out[l] + j;
    int64_t r = tr->r[l][e], t = j == label;
    int ok = r < 4096;

    ok &= put_g(s, v, l, ZKR_T2O_R, 2, b, j, r);
    ok &= put_g(s, v, l, ZKR_T2O_RC, 1, b, j, 16 * (r >> 8));
    ok &= put_g(s, v, l, ZKR_T2O_O, 3, b, j, tr->q[l][e] + ((int64_t)1 << 23));
    ok &= put_g(s, v, l, ZKR_T2O_T, 1, b, j, t);
    ok &= put_g(s, v, l, ZKR_T2O_TC, 1, b, j, 128 * t);
    return ok;
}

zkr_err zkr_prover_train2_witness(const zkr_train2_shape *s, const zkr_ml_tstep_trace *tr,
                                  const uint8_t *records, uint8_t *v, zkr_diag *d)
{
    uint32_t L = s->n_layers, in0 = s->in[0];

    memset(v, 0, (size_t)1 << s->n_v);
    if (tr->n_layers != L || tr->batch != s->batch)
        return zkr_fail(d, ZKR_ERR_USAGE, "training-step@2: trace shape differs from the program");
    for (uint32_t l = 0; l < L; l++)
        if (tr->in_dim[l] != s->in[l] || tr->out_dim[l] != s->out[l] || !tr->ru[l])
            return zkr_fail(d, ZKR_ERR_USAGE, "training-step@2: trace layer %u differs", l);
    for (uint32_t b = 0; b < s->batch; b++) {
        const uint8_t *rec = records + (size_t)b * (in0 + 1);
        if (rec[in0] != tr->labels[b] || memcmp(rec, tr->input + (size_t)b * in0, in0) != 0)
            return zkr_fail(d, ZKR_ERR_USAGE, "training-step@2: batch row %u is not the trace's", b);
        for (uint32_t k = 0; k <= in0; k++)
            v[zkr_train2_ridx(s, b, k)] = rec[k];
        for (uint32_t l = 0; l + 1 < L; l++)
            for (uint32_t j = 0; j < s->out[l]; j++)
                if (!hidden(s, tr, v, l, b, j))
                    return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                    "training-step@2: layer %u row %u unit %u out of its bytes", l,
                                    b, j);
        for (uint32_t j = 0; j < s->out[L - 1]; j++)
            if (!output(s, tr, v, b, j, rec[in0]))
                return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                "training-step@2: output row %u unit %u out of its bytes", b, j);
    }
    for (uint32_t l = 0; l < L; l++)
        for (uint32_t j = 0; j < s->out[l]; j++)
            for (uint32_t k = 0; k <= s->in[l]; k++) {
                int64_t ru = tr->ru[l][(size_t)j * (s->in[l] + 1) + k];
                if (ru < 0 || ru >= ((int64_t)1 << s->shift) ||
                    !put_u(s, v, l, ZKR_T2U_RU, j, k, ru) ||
                    !put_u(s, v, l, ZKR_T2U_RUC, j, k, ru << (16 - s->shift)))
                    return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                    "training-step@2: update remainder of layer %u out of range", l);
            }
    return ZKR_OK;
}
