/* training-step@2: the byte witness layout and its linear relation system (zk/train2.h). */
#include <stdlib.h>
#include <string.h>

#include "zk/train2.h"
#include "zk/zk_int.h"

zkr_err zkr_train2_shape_of(uint32_t n_layers, const uint32_t *dims, uint32_t batch, uint32_t lr,
                            uint32_t shift, unsigned max_vars, zkr_train2_shape *s, zkr_diag *d)
{
    zkr_blk b[2 * ZKR_TRAIN_MAX_LAYERS + 1];
    size_t nb = 0;

    memset(s, 0, sizeof *s);
    if (n_layers < 2 || n_layers > ZKR_TRAIN_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@2: %u layers, supported 2..%u",
                        n_layers, ZKR_TRAIN_MAX_LAYERS);
    if (batch == 0 || batch > ZKR_TRAIN_MAX_BATCH)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@2: batch %u, supported 1..%u",
                        batch, ZKR_TRAIN_MAX_BATCH);
    if (lr == 0 || lr > 65535 || shift == 0 || shift > 16)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@2: lr %u or shift %u out of range",
                        lr, shift);
    s->n_layers = n_layers;
    s->batch = batch;
    s->lb = zkr_log2_ceil(batch);
    s->lr = lr;
    s->shift = shift;
    for (uint32_t l = 0; l < n_layers; l++) {
        int hidden = l + 1 < n_layers;
        if (dims[l] == 0 || dims[l + 1] == 0 || dims[l] > 4096 || dims[l + 1] > 4096)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@2: layer %u width", l);
        if (hidden && (dims[l + 1] & (dims[l + 1] - 1)) != 0)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "training-step@2: hidden width %u of layer %u is not a power of two",
                            dims[l + 1], l);
        s->in[l] = dims[l];
        s->out[l] = dims[l + 1];
        s->lm[l] = zkr_log2_ceil(dims[l + 1]);
        s->lk[l] = zkr_log2_ceil((uint64_t)dims[l] + 1);
        if (s->lb + s->lm[l] + ZKR_T2H_LOG > max_vars || s->lm[l] + s->lk[l] + ZKR_T2U_LOG > max_vars)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@2: layer %u too large", l);
        b[nb++] = (zkr_blk){s->lb + s->lm[l] + (hidden ? ZKR_T2H_LOG : ZKR_T2O_LOG),
                            &s->grp_off[l]};
        b[nb++] = (zkr_blk){s->lm[l] + s->lk[l] + ZKR_T2U_LOG, &s->upd_off[l]};
    }
    b[nb++] = (zkr_blk){s->lb + s->lk[0], &s->rec_off};
    s->n_v = zkr_blocks_place(b, nb);
    if (s->n_v > max_vars)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "training-step@2: witness of 2^%u bytes, at most 2^%u", s->n_v, max_vars);
    return ZKR_OK;
}

uint64_t zkr_train2_gidx(const zkr_train2_shape *s, uint32_t l, unsigned slot, uint32_t b,
                         uint32_t j)
{
    unsigned blog = s->lb + s->lm[l];

    return s->grp_off[l] + ((uint64_t)slot << blog) + ((uint64_t)b << s->lm[l]) + j;
}

uint64_t zkr_train2_uidx(const zkr_train2_shape *s, uint32_t l, unsigned slot, uint32_t j,
                         uint32_t k)
{
    unsigned blog = s->lm[l] + s->lk[l];

    return s->upd_off[l] + ((uint64_t)slot << blog) + ((uint64_t)j << s->lk[l]) + k;
}

uint64_t zkr_train2_ridx(const zkr_train2_shape *s, uint32_t b, uint32_t k)
{
    return s->rec_off + ((uint64_t)b << s->lk[0]) + k;
}

/* Row emission: the sink plus the running row number. */
typedef struct {
    const zkr_train2_sink *k;
    uint64_t row;
} em;

static void term(em *e, uint64_t var, int64_t coef)
{
    if (e->k && e->k->term && coef != 0)
        e->k->term(e->k->ctx, e->row, var, coef);
}

static void cnst(em *e, int64_t c)
{
    if (e->k && e->k->constant && c != 0)
        e->k->constant(e->k->ctx, e->row, c);
}

/* coef times the little-endian bytes value starting at slot `slot` of a group. */
static void bytes_g(em *e, const zkr_train2_shape *s, uint32_t l, unsigned slot, unsigned n,
                    uint32_t b, uint32_t j, int64_t coef)
{
    for (unsigned t = 0; t < n; t++)
        term(e, zkr_train2_gidx(s, l, slot + t, b, j), coef * ((int64_t)1 << (8 * t)));
}

/* coef times the activation a_l(b, k), k < in_l: a record byte, or h_{l-1}. */
static void act(em *e, const zkr_train2_shape *s, uint32_t l, uint32_t b, uint32_t k,
                int64_t coef)
{
    if (l == 0)
        term(e, zkr_train2_ridx(s, b, k), coef);
    else
        bytes_g(e, s, l - 1, ZKR_T2H_H, 2, b, k, coef);
}

/* coef times the layer's pre-activation z(b, j) = sum_k W a + 256 W(j, in). */
static void preact(em *e, const zkr_train2_shape *s, const int32_t *const *w, uint32_t l,
                   uint32_t b, uint32_t j, int64_t coef)
{
    const int32_t *row = w[l] + (size_t)j * (s->in[l] + 1);

    for (uint32_t k = 0; k < s->in[l]; k++)
        act(e, s, l, b, k, coef * row[k]);
    cnst(e, coef * 256 * (int64_t)row[s->in[l]]);
}

/*
 * coef times delta_l(b, j): the hidden delta's bytes minus 2^23, or for
 * the output layer e = o - 4096 T with o its bytes minus 2^23.
 */
static void delta(em *e, const zkr_train2_shape *s, uint32_t l, uint32_t b, uint32_t j,
                  int64_t coef)
{
    if (l + 1 < s->n_layers) {
        bytes_g(e, s, l, ZKR_T2H_DL, 3, b, j, coef);
    } else {
        bytes_g(e, s, l, ZKR_T2O_O, 3, b, j, coef);
        term(e, zkr_train2_gidx(s, l, ZKR_T2O_T, b, j), -4096 * coef);
    }
    cnst(e, -coef * ((int64_t)1 << 23));
}

static void hidden_rows(em *e, const zkr_train2_shape *s, const int32_t *const *w, uint32_t l,
                        uint32_t b, uint32_t j)
{
    const int64_t P23 = (int64_t)1 << 23, P24 = (int64_t)1 << 24, P32m = ((int64_t)1 << 32) - 1;
    uint64_t m = zkr_train2_gidx(s, l, ZKR_T2H_M, b, j);

    /* z + 2^15 = (h - n) 2^16 + r */
    preact(e, s, w, l, b, j, 1);
    cnst(e, (int64_t)1 << 15);
    bytes_g(e, s, l, ZKR_T2H_H, 2, b, j, -((int64_t)1 << 16));
    bytes_g(e, s, l, ZKR_T2H_N, 4, b, j, (int64_t)1 << 16);
    bytes_g(e, s, l, ZKR_T2H_R, 2, b, j, -1);
    e->row++;
    /* s1 + h - 65535 m = 0 */
    bytes_g(e, s, l, ZKR_T2H_S1, 2, b, j, 1);
    bytes_g(e, s, l, ZKR_T2H_H, 2, b, j, 1);
    term(e, m, -65535);
    e->row++;
    /* s2 + n - (2^32 - 1)(1 - m) = 0 */
    bytes_g(e, s, l, ZKR_T2H_S2, 4, b, j, 1);
    bytes_g(e, s, l, ZKR_T2H_N, 4, b, j, 1);
    term(e, m, P32m);
    cnst(e, -P32m);
    e->row++;
    /* s3 - h + m = 0 */
    bytes_g(e, s, l, ZKR_T2H_S3, 2, b, j, 1);
    bytes_g(e, s, l, ZKR_T2H_H, 2, b, j, -1);
    term(e, m, 1);
    e->row++;
    /* mc - 128 m = 0 */
    term(e, zkr_train2_gidx(s, l, ZKR_T2H_MC, b, j), 1);
    term(e, m, -128);
    e->row++;
    /* p + 2^15 = dq 2^16 + rb, p = sum_j' delta_{l+1}(b, j') W_{l+1}(j', j) */
    for (uint32_t jp = 0; jp < s->out[l + 1]; jp++)
        delta(e, s, l + 1, b, jp, w[l + 1][(size_t)jp * (s->in[l + 1] + 1) + j]);
    cnst(e, ((int64_t)1 << 15) + ((int64_t)1 << 39));
    bytes_g(e, s, l, ZKR_T2H_DQ, 3, b, j, -((int64_t)1 << 16));
    bytes_g(e, s, l, ZKR_T2H_RB, 2, b, j, -1);
    e->row++;
    /* delta = dq m by big-M: t1 = 2^23 m - delta, t2 = 2^23 m + delta */
    bytes_g(e, s, l, ZKR_T2H_T1, 4, b, j, 1);
    term(e, m, -P23);
    delta(e, s, l, b, j, 1);
    e->row++;
    bytes_g(e, s, l, ZKR_T2H_T2, 3, b, j, 1);
    term(e, m, -P23);
    delta(e, s, l, b, j, -1);
    e->row++;
    /* t3 = 2^24 (1 - m) - (delta - dq), t4 = 2^24 (1 - m) + (delta - dq) */
    bytes_g(e, s, l, ZKR_T2H_T3, 4, b, j, 1);
    cnst(e, -P24);
    term(e, m, P24);
    bytes_g(e, s, l, ZKR_T2H_DL, 3, b, j, 1);
    bytes_g(e, s, l, ZKR_T2H_DQ, 3, b, j, -1);
    e->row++;
    bytes_g(e, s, l, ZKR_T2H_T4, 4, b, j, 1);
    cnst(e, -P24);
    term(e, m, P24);
    bytes_g(e, s, l, ZKR_T2H_DL, 3, b, j, -1);
    bytes_g(e, s, l, ZKR_T2H_DQ, 3, b, j, 1);
    e->row++;
}

static void output_rows(em *e, const zkr_train2_shape *s, const int32_t *const *w, uint32_t b)
{
    uint32_t l = s->n_layers - 1;

    for (uint32_t j = 0; j < s->out[l]; j++) {
        uint64_t t = zkr_train2_gidx(s, l, ZKR_T2O_T, b, j);
        /* z + 2^11 = o 2^12 + r, o = bytes - 2^23 */
        preact(e, s, w, l, b, j, 1);
        cnst(e, ((int64_t)1 << 11) + ((int64_t)1 << 35));
        bytes_g(e, s, l, ZKR_T2O_O, 3, b, j, -((int64_t)1 << 12));
        bytes_g(e, s, l, ZKR_T2O_R, 2, b, j, -1);
        e->row++;
        /* rc - 16 r_hi = 0 */
        term(e, zkr_train2_gidx(s, l, ZKR_T2O_RC, b, j), 1);
        term(e, zkr_train2_gidx(s, l, ZKR_T2O_R + 1, b, j), -16);
        e->row++;
        /* tc - 128 T = 0 */
        term(e, zkr_train2_gidx(s, l, ZKR_T2O_TC, b, j), 1);
        term(e, t, -128);
        e->row++;
    }
    /* sum_j T = 1 and sum_j j T = label: T is the label's one-hot row */
    for (uint32_t j = 0; j < s->out[l]; j++)
        term(e, zkr_train2_gidx(s, l, ZKR_T2O_T, b, j), 1);
    cnst(e, -1);
    e->row++;
    for (uint32_t j = 0; j < s->out[l]; j++)
        term(e, zkr_train2_gidx(s, l, ZKR_T2O_T, b, j), (int64_t)j);
    term(e, zkr_train2_ridx(s, b, s->in[0]), -1);
    e->row++;
}

uint64_t zkr_train2_rows(const zkr_train2_shape *s, const int32_t *const *w,
                         const zkr_train2_sink *sink)
{
    em e = {sink, 0};
    uint32_t L = s->n_layers;

    for (uint32_t l = 0; l + 1 < L; l++)
        for (uint32_t b = 0; b < s->batch; b++)
            for (uint32_t j = 0; j < s->out[l]; j++)
                hidden_rows(&e, s, w, l, b, j);
    for (uint32_t b = 0; b < s->batch; b++)
        output_rows(&e, s, w, b);
    /* ruc = 2^(16 - S) ru */
    for (uint32_t l = 0; l < L; l++)
        for (uint32_t j = 0; j < s->out[l]; j++)
            for (uint32_t k = 0; k <= s->in[l]; k++) {
                term(&e, zkr_train2_uidx(s, l, ZKR_T2U_RUC, j, k), 1);
                term(&e, zkr_train2_uidx(s, l, ZKR_T2U_RUC + 1, j, k), 256);
                term(&e, zkr_train2_uidx(s, l, ZKR_T2U_RU, j, k),
                     -((int64_t)1 << (16 - s->shift)));
                term(&e, zkr_train2_uidx(s, l, ZKR_T2U_RU + 1, j, k),
                     -((int64_t)256 << (16 - s->shift)));
                e.row++;
            }
    return e.row;
}

/* The checker's accumulators: the integer value, the value mod p, the no-wrap bound. */
typedef struct {
    const uint8_t *v;
    __int128 *acc, *bound;
    zkr_gl *fe;
} chk;

static void chk_term(void *ctx, uint64_t row, uint64_t var, int64_t coef)
{
    chk *c = ctx;
    __int128 a = coef < 0 ? -(__int128)coef : (__int128)coef;

    c->acc[row] += (__int128)coef * c->v[var];
    c->bound[row] += a * 255;
    c->fe[row] = zkr_gl_add(c->fe[row], zkr_gl_mul(zkr_gl_from_i64(coef), c->v[var]));
}

static void chk_const(void *ctx, uint64_t row, int64_t k)
{
    chk *c = ctx;

    c->acc[row] += k;
    c->bound[row] += k < 0 ? -(__int128)k : (__int128)k;
    c->fe[row] = zkr_gl_add(c->fe[row], zkr_gl_from_i64(k));
}

zkr_err zkr_train2_check(const zkr_train2_shape *s, const int32_t *const *w, const uint8_t *v,
                         uint64_t *bad_row)
{
    uint64_t n = zkr_train2_rows(s, w, NULL);
    chk c = {v, calloc(n ? n : 1, sizeof(__int128)), calloc(n ? n : 1, sizeof(__int128)),
             calloc(n ? n : 1, sizeof(zkr_gl))};
    zkr_train2_sink sink = {chk_term, chk_const, &c};
    zkr_err r = ZKR_ERR_NOMEM;

    if (bad_row)
        *bad_row = 0;
    if (!c.acc || !c.bound || !c.fe)
        goto out;
    zkr_train2_rows(s, w, &sink);
    r = ZKR_OK;
    /* Every row's bound first: a bound past 2^62 is a flaw of the rows, whatever v holds. */
    for (uint64_t i = 0; i < n && r == ZKR_OK; i++)
        if (c.bound[i] >= ((__int128)1 << 62)) {
            r = ZKR_ERR_INTERNAL;
            if (bad_row)
                *bad_row = i;
        }
    for (uint64_t i = 0; i < n && r == ZKR_OK; i++)
        if (c.acc[i] != 0 || c.fe[i] != 0) {
            r = ZKR_ERR_VERIFY;
            if (bad_row)
                *bad_row = i;
        }
out:
    free(c.acc);
    free(c.bound);
    free(c.fe);
    return r;
}
