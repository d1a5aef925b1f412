/* training-step@2: the byte witness layout and its linear relation system (zk/train2.h). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "zk/train2.h"
#include "common/common.h"
#include "zk/infer2_int.h"
#include "zk/ldr.h"
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
    s->ulog = shift < 16 ? 2u : 1u;
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
        if (s->lb + s->lm[l] + ZKR_T2H_LOG > max_vars || s->lm[l] + s->lk[l] + s->ulog > max_vars)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@2: layer %u too large", l);
        b[nb++] = (zkr_blk){s->lb + s->lm[l] + (hidden ? ZKR_T2H_LOG : ZKR_T2O_LOG),
                            &s->grp_off[l]};
        b[nb++] = (zkr_blk){s->lm[l] + s->lk[l] + s->ulog, &s->upd_off[l]};
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

/*
 * A pre-activation's terms as one call (lin_eval's fast path): ph(ctx, row,
 * l, b, j, coef) stands for the terms preact() would emit, its constant
 * aside. Internal: zkr_train2_rows passes none.
 */
typedef void (*zkr_t2_preact_fn)(void *ctx, uint64_t row, uint32_t l, uint32_t b, uint32_t j,
                                 int64_t coef);

/* Row emission: the sink plus the running row number. */
typedef struct {
    const zkr_train2_sink *k;
    uint64_t row;
    zkr_t2_preact_fn ph; /* NULL: every term through k->term */
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

    if (e->ph)
        e->ph(e->k->ctx, e->row, l, b, j, coef);
    else if (e->k && e->k->term) /* no term sink (row counts, constants): nothing to emit */
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

static uint64_t rows_run(const zkr_train2_shape *s, const int32_t *const *w,
                         const zkr_train2_sink *sink, zkr_t2_preact_fn ph)
{
    em e = {sink, 0, ph};
    uint32_t L = s->n_layers;

    for (uint32_t l = 0; l + 1 < L; l++)
        for (uint32_t b = 0; b < s->batch; b++)
            for (uint32_t j = 0; j < s->out[l]; j++)
                hidden_rows(&e, s, w, l, b, j);
    for (uint32_t b = 0; b < s->batch; b++)
        output_rows(&e, s, w, b);
    /* ruc = 2^(16 - S) ru (S < 16: with S = 16 ru's two bytes bound it) */
    for (uint32_t l = 0; l < L && s->shift < 16; l++)
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
    /*
     * Padding the product sumcheck reads is 0: the output layer's o and T
     * bytes past out (real rows), every update remainder byte off (j < out,
     * k <= in). Other padding enters no relation.
     */
    for (uint32_t b = 0; b < s->batch; b++)
        for (uint32_t j = s->out[L - 1]; j < (1u << s->lm[L - 1]); j++)
            for (unsigned q = ZKR_T2O_O; q <= ZKR_T2O_T; q++) {
                term(&e, zkr_train2_gidx(s, L - 1, q, b, j), 1);
                e.row++;
            }
    for (uint32_t l = 0; l < L; l++)
        for (uint32_t j = 0; j < (1u << s->lm[l]); j++)
            for (uint32_t k = 0; k < (1u << s->lk[l]); k++)
                if (j >= s->out[l] || k > s->in[l])
                    for (unsigned q = ZKR_T2U_RU; q < ZKR_T2U_RU + 2; q++) {
                        term(&e, zkr_train2_uidx(s, l, q, j, k), 1);
                        e.row++;
                    }
    return e.row;
}

uint64_t zkr_train2_rows(const zkr_train2_shape *s, const int32_t *const *w,
                         const zkr_train2_sink *sink)
{
    return rows_run(s, w, sink, NULL);
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

/* ------------------------------------------------------------------ */
/* The proof's shared pieces                                            */
/* ------------------------------------------------------------------ */

static void absorb_weights(zkr_transcript *t, const char *label, const zkr_train2_shape *s,
                           const int32_t *const *w)
{
    uint8_t dg[ZKR_DIGEST_BYTES], b4[4];
    zkr_sha256_ctx c;

    zkr_sha256_init(&c);
    for (uint32_t l = 0; l < s->n_layers; l++)
        for (size_t i = 0; i < (size_t)s->out[l] * (s->in[l] + 1); i++) {
            zkr_store_be32(b4, (uint32_t)w[l][i]);
            zkr_sha256_update(&c, b4, 4);
        }
    zkr_sha256_final(&c, dg);
    zkr_ts_absorb(t, label, dg, sizeof dg);
}

void zkr_train2_transcript(zkr_transcript *t, const zkr_params *p,
                           const uint8_t statement_id[ZKR_DIGEST_BYTES],
                           const zkr_train2_public *pub)
{
    const zkr_train2_shape *s = &pub->s;
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_TRAIN2_PROTOCOL, ZKR_TRAIN2_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd,
                statement_id);
    zkr_ts_absorb_u64(t, "t2-layers", s->n_layers);
    for (uint32_t l = 0; l < s->n_layers; l++) {
        zkr_ts_absorb_u64(t, "t2-in", s->in[l]);
        zkr_ts_absorb_u64(t, "t2-out", s->out[l]);
    }
    zkr_ts_absorb_u64(t, "t2-batch", s->batch);
    zkr_ts_absorb_u64(t, "t2-lr", s->lr);
    zkr_ts_absorb_u64(t, "t2-shift", s->shift);
    absorb_weights(t, "t2-parent", s, pub->parent);
    absorb_weights(t, "t2-child", s, pub->child);
    zkr_ts_absorb_u64(t, "t2-n", pub->n_records);
    zkr_ts_absorb(t, "t2-root", pub->root, ZKR_DIGEST_BYTES);
    for (uint32_t b = 0; b < s->batch; b++) {
        zkr_ts_absorb_u64(t, "t2-index", pub->indices[b]);
        zkr_ts_absorb(t, "t2-record", pub->rec_commit[b], ZKR_RECORD_COMMIT_BYTES);
    }
}

void zkr_train2_draw(zkr_transcript *t, const zkr_train2_shape *s, zkr_train2_chal *c)
{
    memset(c, 0, sizeof *c);
    c->N = s->lb ? s->lb : 1;
    for (uint32_t l = 0; l < s->n_layers; l++)
        zkr_ts_challenge_exts(t, "t2-zeta", c->zeta[l], s->lk[l] + s->lm[l]);
    zkr_ts_challenge_exts(t, "t2-xi", c->xi, s->lk[0] + c->N);
    c->mu[0] = zkr_ext_from(1);
    if (s->n_layers > 1) {
        zkr_ext m = zkr_ts_challenge_ext(t, "t2-mu");
        for (uint32_t l = 1; l < s->n_layers; l++)
            c->mu[l] = zkr_ext_mul(c->mu[l - 1], m);
    }
}

static unsigned n_dcols(const zkr_train2_shape *s, uint32_t l)
{
    return l + 1 < s->n_layers ? 3u : 4u;
}

unsigned zkr_train2_col_base(const zkr_train2_shape *s, uint32_t l)
{
    unsigned b = 0;

    for (uint32_t i = 0; i < l; i++)
        b += n_dcols(s, i) + 4;
    return b;
}

unsigned zkr_train2_n_cols(const zkr_train2_shape *s)
{
    return zkr_train2_col_base(s, s->n_layers) + 1;
}

const zkr_ext *zkr_train2_rec_point(const zkr_train2_chal *ch)
{
    return ch->xi;
}

/* Writes the bits of v into pt[at .. at + n). */
static void bits(zkr_ext *pt, unsigned at, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        pt[at + i] = zkr_ext_from((v >> i) & 1);
}

/* A group column: j coordinates jc, batch rb, the slot, the block's bits. */
static void gpoint(const zkr_train2_shape *s, uint32_t l, unsigned slot, const zkr_ext *jc,
                   const zkr_ext *rb, zkr_ext *pt)
{
    unsigned lm = s->lm[l], sl = l + 1 < s->n_layers ? ZKR_T2H_LOG : ZKR_T2O_LOG;
    unsigned glog = s->lb + lm + sl;

    memcpy(pt, jc, lm * sizeof *pt);
    memcpy(pt + lm, rb, s->lb * sizeof *pt);
    bits(pt, lm + s->lb, sl, slot);
    bits(pt, glog, s->n_v - glog, s->grp_off[l] >> glog);
}

void zkr_train2_col_point(const zkr_train2_shape *s, const zkr_train2_chal *ch, unsigned c,
                          const zkr_ext *rb, zkr_ext *pt)
{
    uint32_t L = s->n_layers;

    for (uint32_t l = 0; l < L; l++) {
        unsigned base = zkr_train2_col_base(s, l), nd = n_dcols(s, l), q;
        const zkr_ext *zk = ch->zeta[l], *zj = ch->zeta[l] + s->lk[l];
        if (c < base || c >= base + nd + 4)
            continue;
        q = c - base;
        if (q < nd) { /* D: delta's bytes (hidden) or o's bytes and T (output) */
            unsigned slot = l + 1 < L ? ZKR_T2H_DL + q : ZKR_T2O_O + q;
            gpoint(s, l, slot, zj, rb, pt);
        } else if (q < nd + 2) { /* A */
            if (l == 0) {
                unsigned rlog = s->lb + s->lk[0];
                if (q == nd)
                    memcpy(pt, zk, s->lk[0] * sizeof *pt);
                else
                    bits(pt, 0, s->lk[0], s->in[0]); /* the label byte */
                memcpy(pt + s->lk[0], rb, s->lb * sizeof *pt);
                bits(pt, rlog, s->n_v - rlog, s->rec_off >> rlog);
            } else {
                gpoint(s, l - 1, ZKR_T2H_H + (q - nd), zk, rb, pt);
            }
        } else { /* RU: the update block at zeta */
            unsigned ulog = s->lm[l] + s->lk[l] + s->ulog;
            memcpy(pt, zk, s->lk[l] * sizeof *pt);
            memcpy(pt + s->lk[l], zj, s->lm[l] * sizeof *pt);
            bits(pt, s->lk[l] + s->lm[l], s->ulog, ZKR_T2U_RU + (q - nd - 2));
            bits(pt, ulog, s->n_v - ulog, s->upd_off[l] >> ulog);
        }
        return;
    }
    { /* R0 at xi: the records' copy */
        unsigned rlog = s->lb + s->lk[0];
        memcpy(pt, ch->xi, s->lk[0] * sizeof *pt);
        memcpy(pt + s->lk[0], ch->xi + s->lk[0], s->lb * sizeof *pt);
        bits(pt, rlog, s->n_v - rlog, s->rec_off >> rlog);
    }
}

/* eq(a, b) over n coordinates. */
static zkr_ext eqv(const zkr_ext *a, const zkr_ext *b, unsigned n)
{
    zkr_ext e = zkr_ext_from(1), one = zkr_ext_from(1);

    for (unsigned i = 0; i < n; i++) {
        zkr_ext ab = zkr_ext_mul(a[i], b[i]);
        zkr_ext t = zkr_ext_add(ab, zkr_ext_mul(zkr_ext_sub(one, a[i]), zkr_ext_sub(one, b[i])));
        e = zkr_ext_mul(e, t);
    }
    return e;
}

/* eq(x, v) for the integer v's bits. */
static zkr_ext eqbits(const zkr_ext *x, unsigned n, uint64_t v)
{
    zkr_ext e = zkr_ext_from(1), one = zkr_ext_from(1);

    for (unsigned i = 0; i < n; i++)
        e = zkr_ext_mul(e, ((v >> i) & 1) ? x[i] : zkr_ext_sub(one, x[i]));
    return e;
}

/* sum_{v < bound} eq(x, v) over n coordinates. */
static zkr_ext eq_below(const zkr_ext *x, unsigned n, uint64_t bound)
{
    zkr_ext s = zkr_ext_from(0);

    for (uint64_t v = 0; v < bound && v < ((uint64_t)1 << n); v++)
        s = zkr_ext_add(s, eqbits(x, n, v));
    return s;
}

static zkr_ext bytes3(const zkr_ext *c)
{
    zkr_ext v = c[0];

    v = zkr_ext_add(v, zkr_ext_mul_base(c[1], 256));
    return zkr_ext_add(v, zkr_ext_mul_base(c[2], 65536));
}

zkr_ext zkr_train2_f(const zkr_train2_shape *s, const zkr_train2_chal *ch, const zkr_ext *x,
                     const zkr_ext *cols, zkr_ext rec)
{
    uint32_t L = s->n_layers;
    unsigned N = ch->N;
    zkr_ext f = zkr_ext_from(0), ib = eq_below(x, N, s->batch), e0 = eqbits(x, N, 0);
    zkr_ext lr = zkr_ext_from(s->lr), p23 = zkr_ext_from((uint64_t)1 << 23);

    for (uint32_t l = 0; l < L; l++) {
        const zkr_ext *c = cols + zkr_train2_col_base(s, l), *zk = ch->zeta[l];
        const zkr_ext *zj = ch->zeta[l] + s->lk[l];
        unsigned nd = n_dcols(s, l);
        zkr_ext D, A, RU, ein = eqbits(zk, s->lk[l], s->in[l]);
        if (l + 1 < L) {
            D = zkr_ext_sub(bytes3(c), p23);
        } else {
            D = zkr_ext_sub(bytes3(c), zkr_ext_mul_base(c[3], 4096));
            D = zkr_ext_sub(D, zkr_ext_mul(p23, eq_below(zj, s->lm[l], s->out[l])));
        }
        if (l == 0) {
            A = zkr_ext_sub(c[nd], zkr_ext_mul(ein, c[nd + 1]));
        } else {
            zkr_ext h = zkr_ext_add(c[nd], zkr_ext_mul_base(c[nd + 1], 256));
            A = zkr_ext_mul(zkr_ext_sub(zkr_ext_from(1), zk[s->lk[l] - 1]), h);
        }
        A = zkr_ext_add(A, zkr_ext_mul_base(ein, 256));
        RU = zkr_ext_add(c[nd + 2], zkr_ext_mul_base(c[nd + 3], 256));
        {
            zkr_ext t = zkr_ext_mul(zkr_ext_mul(lr, ib), zkr_ext_mul(D, A));
            t = zkr_ext_sub(t, zkr_ext_mul(e0, RU));
            f = zkr_ext_add(f, zkr_ext_mul(ch->mu[l], t));
        }
    }
    {
        zkr_ext r0x = cols[zkr_train2_col_base(s, L)];
        zkr_ext ex = eqv(ch->xi + s->lk[0], x, N);
        /*
         * R0x = R0~(xi_k, xi_b) is one value (constant in x): the link is
         * Rec~(xi) = R0~(xi), summed against eq(xi_b, x) (whose sum is 1).
         * With batch 1 the sumcheck has a b variable V lacks (N > lb): R0's
         * row 1 is 0, so R0~ carries the factor (1 - xi_b) there.
         */
        for (unsigned i = s->lb; i < N; i++)
            r0x = zkr_ext_mul(r0x, zkr_ext_sub(zkr_ext_from(1), ch->xi[s->lk[0] + i]));
        f = zkr_ext_add(f, zkr_ext_mul(ex, zkr_ext_sub(rec, r0x)));
    }
    return f;
}

zkr_ext zkr_train2_claim(const zkr_train2_public *pub, const zkr_train2_chal *ch)
{
    const zkr_train2_shape *s = &pub->s;
    zkr_ext total = zkr_ext_from(0);
    int64_t half = (int64_t)1 << (s->shift - 1);

    for (uint32_t l = 0; l < s->n_layers; l++) {
        const zkr_ext *zk = ch->zeta[l], *zj = ch->zeta[l] + s->lk[l];
        zkr_ext acc = zkr_ext_from(0);
        /* eq(zk, k) for every k once (the values eqbits gives: the same
         * factors, exact arithmetic); eqbits per term if the table is refused */
        zkr_ext *ek = malloc(((size_t)1 << s->lk[l]) * sizeof *ek);
        if (ek)
            zkr_mle_eq_table(zk, s->lk[l], ek);
        for (uint32_t j = 0; j < s->out[l]; j++) {
            zkr_ext ej = eqbits(zj, s->lm[l], j), row = zkr_ext_from(0);
            for (uint32_t k = 0; k <= s->in[l]; k++) {
                size_t i = (size_t)j * (s->in[l] + 1) + k;
                int64_t u = (int64_t)pub->parent[l][i] - pub->child[l][i];
                zkr_gl v = zkr_gl_from_i64(u * ((int64_t)1 << s->shift) - half);
                row = zkr_ext_add(row, zkr_ext_mul_base(ek ? ek[k] : eqbits(zk, s->lk[l], k), v));
            }
            acc = zkr_ext_add(acc, zkr_ext_mul(ej, row));
        }
        free(ek);
        total = zkr_ext_add(total, zkr_ext_mul(ch->mu[l], acc));
    }
    return total;
}

/* Linear claim: row weights and the constant side. */
typedef struct {
    const zkr_ext *wrow;
    zkr_ext acc;
    const zkr_ext *eqr; /* lin_eval: eq(r, var) */
    const zkr_train2_shape *s;
    const int32_t *const *w;
    uint64_t cur_row; /* lin_term: the row whose terms cur sums (rows come in order) */
    zkr_ext cur;
} linacc;

static void lin_const(void *ctx, uint64_t row, int64_t c)
{
    linacc *a = ctx;

    a->acc = zkr_ext_sub(a->acc, zkr_ext_mul_base(a->wrow[row], zkr_gl_from_i64(c)));
}

/* acc += wrow[cur_row] cur: a row's terms weighted once, not term by term (the same sum). */
static void lin_flush(linacc *a)
{
    a->acc = zkr_ext_add(a->acc, zkr_ext_mul(a->wrow[a->cur_row], a->cur));
    a->cur = zkr_ext_from(0);
}

static void lin_term(void *ctx, uint64_t row, uint64_t var, int64_t coef)
{
    linacc *a = ctx;

    if (row != a->cur_row) {
        lin_flush(a);
        a->cur_row = row;
    }
    a->cur = zkr_ext_add(a->cur, zkr_ext_mul_base(a->eqr[var], zkr_gl_from_i64(coef)));
}

/*
 * sum_k w[k] e[k] over k < n, exact: each component's signed products
 * (|w| < 2^31, e < 2^64) summed in 128 bits (n <= 4096: |sum| < 2^107)
 * and reduced once; the field value the terms' sum gives.
 */
/* A signed 128-bit sum (|acc| < 2^127) as the field element it stands for. */
static zkr_gl lin_gl128(__int128 acc)
{
    unsigned __int128 m = acc < 0 ? (unsigned __int128)-acc : (unsigned __int128)acc;
    zkr_gl v = zkr_gl_reduce128((uint64_t)m, (uint64_t)(m >> 64));

    return acc < 0 ? zkr_gl_neg(v) : v;
}

static zkr_ext lin_dot(const int32_t *w, const zkr_ext *e, uint32_t n)
{
    zkr_ext out;

    for (unsigned c = 0; c < 3; c++) {
        __int128 acc = 0;
        for (uint32_t k = 0; k < n; k++)
            acc += (__int128)w[k] * (__int128)e[k].c[c];
        out.c[c] = lin_gl128(acc);
    }
    return out;
}

/*
 * lin_term's sum over one pre-activation's terms, sum_k coef W(j, k) eq(r,
 * a(b, k)), as wrow coef (sum_k W(j, k) E[k]): a(b, k) is a record byte
 * (l = 0) or h's two bytes (E0 + 256 E1), each run contiguous in k. The
 * same field value (coef W(j, k) 2^8t stays far inside int64).
 */
static void lin_preact(void *ctx, uint64_t row, uint32_t l, uint32_t b, uint32_t j, int64_t coef)
{
    linacc *a = ctx;
    const zkr_train2_shape *s = a->s;
    const int32_t *wr = a->w[l] + (size_t)j * (s->in[l] + 1);
    zkr_ext d;

    if (l == 0) {
        d = lin_dot(wr, a->eqr + zkr_train2_ridx(s, b, 0), s->in[0]);
    } else {
        zkr_ext d1 = lin_dot(wr, a->eqr + zkr_train2_gidx(s, l - 1, ZKR_T2H_H + 1, b, 0), s->in[l]);
        d = lin_dot(wr, a->eqr + zkr_train2_gidx(s, l - 1, ZKR_T2H_H, b, 0), s->in[l]);
        d = zkr_ext_add(d, zkr_ext_mul_base(d1, 256));
    }
    a->acc = zkr_ext_add(a->acc, zkr_ext_mul(zkr_ext_mul_base(a->wrow[row], zkr_gl_from_i64(coef)), d));
}

static zkr_ext *row_weights(const zkr_train2_shape *s, const int32_t *const *w,
                            const zkr_train2_rowchal *rc)
{
    uint64_t n = zkr_train2_rows(s, w, NULL);
    zkr_ext *t;

    if (rc->n_row_vars > 40 || ((uint64_t)1 << rc->n_row_vars) < n)
        return NULL;
    /* malloc, not calloc: the eq table writes every entry (no zeroing pass over it) */
    if (!(t = malloc(((size_t)1 << rc->n_row_vars) * sizeof *t)))
        return NULL;
    zkr_mle_eq_table_mt(rc->z, rc->n_row_vars, 1, t); /* zkr_mle_eq_table's values */
    return t;
}

zkr_err zkr_train2_lin_claim(const zkr_train2_shape *s, const int32_t *const *w,
                             const zkr_train2_rowchal *rc, zkr_ext *claim)
{
    linacc a = {row_weights(s, w, rc), zkr_ext_from(0), NULL, s, w, 0, zkr_ext_from(0)};
    zkr_train2_sink k = {NULL, lin_const, &a};

    if (!a.wrow)
        return ZKR_ERR_NOMEM;
    zkr_train2_rows(s, w, &k);
    *claim = a.acc;
    free((void *)a.wrow);
    return ZKR_OK;
}

zkr_err zkr_train2_lin_eval(const zkr_train2_shape *s, const int32_t *const *w,
                            const zkr_train2_rowchal *rc, const zkr_ext *r, zkr_ext *out)
{
    zkr_ext *eqr = malloc(((size_t)1 << s->n_v) * sizeof *eqr); /* every entry written below */
    linacc a = {row_weights(s, w, rc), zkr_ext_from(0), eqr, s, w, 0, zkr_ext_from(0)};
    zkr_train2_sink k = {lin_term, NULL, &a};
    zkr_err r0 = ZKR_ERR_NOMEM;

    if (a.wrow && eqr) {
        zkr_mle_eq_table_mt(r, s->n_v, 1, eqr);
        rows_run(s, w, &k, lin_preact);
        lin_flush(&a);
        *out = a.acc;
        r0 = ZKR_OK;
    }
    free((void *)a.wrow);
    free(eqr);
    return r0;
}

static void wt_term(void *ctx, uint64_t row, uint64_t var, int64_t coef)
{
    linacc *a = ctx;
    zkr_ext *out = (zkr_ext *)a->eqr;

    out[var] = zkr_ext_add(out[var], zkr_ext_mul_base(a->wrow[row], zkr_gl_from_i64(coef)));
}

/*
 * The weights' pre-activations, gathered: wt_preact stands for preact()'s
 * terms out[a(b, k)] += wrow[row] coef W(j, k) and only adds om(l, b, j) =
 * wrow[row] coef; wt_preacts then adds sum_j om(l, b, j) W(j, k) to each
 * activation's var, one exact 128-bit sum per component (om < 2^64, |W| <
 * 2^31, at most WT_J rows a sum: under 2^107) and one reduction, not a
 * field product per term. The same field values (field sums in any order).
 */
#define WT_J 4096u

typedef struct {
    linacc a;
    zkr_ext *om;                          /* om(l, b, j) at off[l] + b out[l] + j */
    size_t off[ZKR_TRAIN_MAX_LAYERS + 1];
    __int128 *acc;                        /* 3 max(in) sums (wt_preacts' scratch) */
} wtacc;

static void wt_preact(void *ctx, uint64_t row, uint32_t l, uint32_t b, uint32_t j, int64_t coef)
{
    wtacc *t = ctx;
    zkr_ext *o = &t->om[t->off[l] + (size_t)b * t->a.s->out[l] + j];

    *o = zkr_ext_add(*o, zkr_ext_mul_base(t->a.wrow[row], zkr_gl_from_i64(coef)));
}

/* out[var] += f v for the activation a_l(b, k) (a record byte, or h_{l-1}'s two bytes). */
static void wt_act_add(const zkr_train2_shape *s, zkr_ext *out, uint32_t l, uint32_t b,
                       uint32_t k, zkr_ext v)
{
    uint64_t i;

    if (l == 0) {
        i = zkr_train2_ridx(s, b, k);
        out[i] = zkr_ext_add(out[i], v);
        return;
    }
    i = zkr_train2_gidx(s, l - 1, ZKR_T2H_H, b, k);
    out[i] = zkr_ext_add(out[i], v);
    i = zkr_train2_gidx(s, l - 1, ZKR_T2H_H + 1, b, k);
    out[i] = zkr_ext_add(out[i], zkr_ext_mul_base(v, 256));
}

static void wt_preacts(const wtacc *t, const int32_t *const *w, zkr_ext *out)
{
    const zkr_train2_shape *s = t->a.s;

    for (uint32_t l = 0; l < s->n_layers; l++)
        for (uint32_t b = 0; b < s->batch; b++)
            for (uint32_t j0 = 0; j0 < s->out[l]; j0 += WT_J) {
                uint32_t j1 = s->out[l] - j0 < WT_J ? s->out[l] : j0 + WT_J, n = s->in[l];
                const zkr_ext *om = t->om + t->off[l] + (size_t)b * s->out[l];
                memset(t->acc, 0, 3 * (size_t)n * sizeof *t->acc);
                for (uint32_t j = j0; j < j1; j++) {
                    const int32_t *wr = w[l] + (size_t)j * (n + 1);
                    __int128 o0 = om[j].c[0], o1 = om[j].c[1], o2 = om[j].c[2];
                    for (uint32_t k = 0; k < n; k++) {
                        t->acc[3 * k] += wr[k] * o0;
                        t->acc[3 * k + 1] += wr[k] * o1;
                        t->acc[3 * k + 2] += wr[k] * o2;
                    }
                }
                for (uint32_t k = 0; k < n; k++) {
                    zkr_ext v;
                    for (unsigned c = 0; c < 3; c++)
                        v.c[c] = lin_gl128(t->acc[3 * k + c]);
                    wt_act_add(s, out, l, b, k, v);
                }
            }
}

/* The weights into out and, with claim, the constant side too: one pass over the rows. */
static zkr_err lin_weights_run(const zkr_train2_shape *s, const int32_t *const *w,
                               const zkr_train2_rowchal *rc, zkr_ext *out, zkr_ext *claim)
{
    wtacc t = {{row_weights(s, w, rc), zkr_ext_from(0), out, s, w, 0, zkr_ext_from(0)},
               NULL, {0}, NULL};
    /* the two sinks' callbacks touch apart; the pre-activations gathered in t.om */
    zkr_train2_sink k = {wt_term, claim ? lin_const : NULL, &t};
    uint32_t in_max = 0;
    zkr_err r = ZKR_ERR_NOMEM;

    _Static_assert(offsetof(wtacc, a) == 0, "the sink's callbacks read t as its linacc");
    for (uint32_t l = 0; l < s->n_layers; l++) {
        t.off[l + 1] = t.off[l] + (size_t)s->batch * s->out[l];
        in_max = s->in[l] > in_max ? s->in[l] : in_max;
    }
    t.om = calloc(t.off[s->n_layers] + 1, sizeof *t.om);
    t.acc = malloc(3 * ((size_t)in_max + 1) * sizeof *t.acc);
    if (!t.a.wrow || !t.om || !t.acc)
        goto out;
    for (size_t i = 0; i < ((size_t)1 << s->n_v); i++)
        out[i] = zkr_ext_from(0);
    rows_run(s, w, &k, wt_preact);
    wt_preacts(&t, w, out);
    if (claim)
        *claim = t.a.acc;
    r = ZKR_OK;
out:
    free((void *)t.a.wrow);
    free(t.om);
    free(t.acc);
    return r;
}

zkr_err zkr_train2_lin_weights(const zkr_train2_shape *s, const int32_t *const *w,
                               const zkr_train2_rowchal *rc, zkr_ext *out)
{
    return lin_weights_run(s, w, rc, out, NULL);
}

zkr_err zkr_train2_lin_weights_claim(const zkr_train2_shape *s, const int32_t *const *w,
                                     const zkr_train2_rowchal *rc, zkr_ext *out, zkr_ext *claim)
{
    return lin_weights_run(s, w, rc, out, claim);
}

unsigned zkr_train2_row_vars(const zkr_train2_shape *s, const int32_t *const *w)
{
    return zkr_log2_ceil(zkr_train2_rows(s, w, NULL));
}

zkr_err zkr_train2_lin_cb(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const zkr_train2_linctx *c = ctx;

    return zkr_train2_lin_eval(c->s, c->w, c->rc, r, out);
}

/* ------------------------------------------------------------------ */
/* Version 2: claim reduction and soundness                             */
/* ------------------------------------------------------------------ */

void zkr_train2_full_point(const zkr_train2_shape *s, const zkr_train2_chal *ch, unsigned c,
                           const zkr_ext *r, unsigned vt, zkr_ext *zf)
{
    zkr_train2_col_point(s, ch, c, r, zf);
    for (unsigned i = s->n_v; i < vt; i++)
        zf[i] = zkr_ext_from(0);
    if (vt > s->n_v)
        zf[s->n_v] = zkr_ext_mul(r[0], zkr_ext_sub(zkr_ext_from(1), r[0]));
}

zkr_ext zkr_train2_red_weight(const zkr_train2_shape *s, const zkr_train2_chal *ch,
                              const zkr_ext *r, unsigned vt, const zkr_ext *beta,
                              const zkr_ext *rA)
{
    zkr_ext e = zkr_ext_from(0), z[64 + ZKR_HPCS_MAX_BLIND_VARS];

    for (unsigned c = 0; c < zkr_train2_n_cols(s); c++) {
        zkr_train2_full_point(s, ch, c, r, vt, z);
        e = zkr_ext_add(e, zkr_ext_mul(beta[c], eqv(z, rA, vt)));
    }
    return e;
}

void zkr_train2_rec_full_point(const zkr_train2_chal *ch, const zkr_ext *r, unsigned n,
                               unsigned total, zkr_ext *zf)
{
    memcpy(zf, zkr_train2_rec_point(ch), n * sizeof *zf);
    for (unsigned i = n; i < total; i++)
        zf[i] = zkr_ext_from(0);
    if (total > n)
        zf[n] = zkr_ext_mul(r[0], zkr_ext_sub(zkr_ext_from(1), r[0]));
}

/* x 2^-d */
static zkr_ext halve(zkr_ext x, unsigned d)
{
    zkr_gl inv2 = zkr_gl_inv(2);

    for (unsigned k = 0; k < d; k++)
        x = zkr_ext_mul_base(x, inv2);
    return x;
}

zkr_ext zkr_train2_red_final(const zkr_train2_shape *s, const zkr_train2_chal *ch,
                             const zkr_ext *r, unsigned vt, const zkr_ext *zr, unsigned nm,
                             unsigned rec_n, unsigned rec_total, unsigned TA,
                             const zkr_ext *beta, const zkr_ext *rA, const zkr_ext *u)
{
    unsigned nc = zkr_train2_n_cols(s), dv = TA - vt, dr = TA - rec_total;
    zkr_ext z[64 + ZKR_HPCS_MAX_BLIND_VARS], ezr = eqv(zr, rA + dv, vt), acc, e;

    /* V: the column claims and the range proof's a^ */
    e = zkr_ext_add(zkr_train2_red_weight(s, ch, r, vt, beta, rA + dv),
                    zkr_ext_mul(beta[nc], ezr));
    acc = halve(zkr_ext_mul(e, u[0]), dv);
    for (unsigned i = 1; i < ZKR_TRAIN2_MIX_FIXED; i++) /* h, phi, m */
        acc = zkr_ext_add(acc, halve(zkr_ext_mul(zkr_ext_mul(beta[nc + i], ezr), u[i]), dv));
    if (nm) {
        zkr_train2_rec_full_point(ch, r, rec_n, rec_total, z);
        e = eqv(z, rA + dr, rec_total);
        for (unsigned b = 0; b < nm; b++)
            acc = zkr_ext_add(acc, halve(zkr_ext_mul(zkr_ext_mul(beta[nc + 4 + b], e),
                                                     u[ZKR_TRAIN2_MIX_FIXED + b]),
                                         dr));
    }
    return acc;
}

unsigned zkr_train2_mixed_recs(const zkr_params *pq, const zkr_train2_shape *s, unsigned vt,
                               unsigned rec_total)
{
    unsigned totals[ZKR_HPCS_MAX_MIXED];
    unsigned nm = s->batch < ZKR_HPCS_MAX_MIXED - ZKR_TRAIN2_MIX_FIXED
                      ? s->batch
                      : ZKR_HPCS_MAX_MIXED - ZKR_TRAIN2_MIX_FIXED;

    for (unsigned i = 0; i < ZKR_TRAIN2_MIX_FIXED + nm; i++)
        totals[i] = i < ZKR_TRAIN2_MIX_FIXED ? vt : rec_total;
    return zkr_hpcs_mixed_ok(pq, totals, ZKR_TRAIN2_MIX_FIXED + nm) == ZKR_OK ? nm : 0;
}

/*
 * The proof's figure with every opening at q queries (V, C, the range
 * helpers committed for q; the records for their owner's set, checked by
 * the prover to cover the raised count).
 */
static zkr_soundness t2_sound_q(const zkr_params *p, unsigned q, const zkr_train2_shape *s,
                                unsigned rec_total, unsigned *n_openings)
{
    zkr_soundness out = {0, 0, 0}, oneq;
    zkr_params pq = *p;
    double lf = ZKR_LOG2_EXT_FIELD, alg = 0, ops = 0;
    unsigned N = s->lb ? s->lb : 1, ve, vt, ta, lc, n_q, nm;
    unsigned totals[ZKR_HPCS_MAX_MIXED];
    zkr_ldr_fig fig;

    pq.queries = q;
    oneq = zkr_params_soundness_open(&pq, 20, 2, 1, 0, 1);
    ve = zkr_hpcs_blind_vars(&pq, s->n_v, zkr_train2_v_budget(s));
    if (ve == 0)
        return out;
    vt = s->n_v + ve;
    nm = zkr_train2_mixed_recs(&pq, s, vt, rec_total);
    ta = zkr_train2_red_vars(vt, rec_total, nm);
    lc = ZKR_TRAIN2_LC_VARS(N, ta, zkr_zkrange_sc_vars(s->n_v));
    n_q = 1 + 1 + zkr_train2_rec_groups(s, nm);
    /*
     * Each opening's whole figure (commit phase, batching, joins, query
     * phase), the better of UD and JBR (zk/ldr.h): the mixed one of V, h,
     * phi, m and the nm records (version 5), C's, the other records'
     * batches.
     */
    for (unsigned i = 0; i < ZKR_TRAIN2_MIX_FIXED + nm; i++)
        totals[i] = i < ZKR_TRAIN2_MIX_FIXED ? vt : rec_total;
    zkr_hpcs_mixed_fig(&pq, totals, ZKR_TRAIN2_MIX_FIXED + nm, &fig);
    ops += fig.err;
    {
        unsigned tc = lc + zkr_hpcs_blind_vars(&pq, lc, 1);
        ops += zkr_ldr_open_err(&pq, tc, 2, zkr_infer2_open_err(&pq, tc, 1));
    }
    for (uint32_t b0 = nm; b0 < s->batch; b0 += ZKR_HPCS_MAX_BATCH) {
        unsigned k = s->batch - b0 < ZKR_HPCS_MAX_BATCH ? s->batch - b0 : ZKR_HPCS_MAX_BATCH;
        ops += zkr_ldr_open_err(&pq, rec_total, k + 1, zkr_infer2_open_err(&pq, rec_total, k));
    }
    {
        /*
         * The scalar terms, each (degree)/|F|: the rows' combination (a
         * multilinear in at most 40 row variables), zeta (the gradient
         * multilinears, lk + lm per layer), xi (lk0 + N), mu (degree L - 1),
         * rho, the product sumcheck (7 N), the reduction's betas (linear),
         * rho_A and its 7 TA rounds, xi_C (version 5: degree 2, g + xi g_A
         * + xi^2 g_R) and the linear sumcheck (2 lc); the range proof's
         * algebra (zkr_zkrange_alg_error still counts the commit phases of
         * the two openings it no longer makes: an upper bound).
         */
        double sc = 40.0 + s->lk[0] + N + (s->n_layers - 1) + 1 + 7.0 * N + 1 + 1 + 7.0 * ta +
                    2 + 2.0 * lc;
        for (uint32_t l = 0; l < s->n_layers; l++)
            sc += s->lk[l] + s->lm[l];
        alg += sc;
    }
    alg *= exp2(-lf);
    alg += zkr_zkrange_alg_error(&pq, s->n_v, ve);
    out.query_bits = oneq.query_bits;
    out.provable_bits = -log2(ops + alg);
    out.conjectured_bits =
        -log2((double)n_q * exp2(-(double)(q * p->log_blowup + p->pow_bits)) + alg);
    if (n_openings)
        *n_openings = n_q;
    return out;
}

static unsigned t2_queries(const zkr_params *p, const zkr_train2_shape *s, unsigned rec_total)
{
    unsigned q = zkr_ldr_q_start(p); /* version 4: JBR may need fewer than p's */

    while (q < 2 * p->queries &&
           t2_sound_q(p, q, s, rec_total, NULL).provable_bits < (double)p->target_bits)
        q++;
    return q;
}

void zkr_train2_params(const zkr_params *p, const zkr_train2_shape *s, unsigned rec_total,
                       zkr_params *out)
{
    *out = *p;
    out->queries = t2_queries(p, s, rec_total);
}

zkr_soundness zkr_train2_soundness(const zkr_params *p, const zkr_train2_shape *s,
                                   unsigned rec_total, unsigned *n_openings)
{
    return t2_sound_q(p, t2_queries(p, s, rec_total), s, rec_total, n_openings);
}
