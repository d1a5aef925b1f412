/*
 * evaluation@1 prover (docs/proof-system.md, "evaluation@1"): inference@1's
 * per-layer relations with a batch dimension (one zero-check and one matmul
 * sumcheck per layer cover every record), the argmax of every record proven
 * with range-checked key differences, and the number correct as one
 * sumcheck of the one-hot argmax against the public labels.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/cnn.h"
#include "prover/evaluation_int.h"
#include "prover/prover.h"
#include "zkr_config.h"

void zkr_ev_wit_free(zkr_ev_wit *w)
{
    for (uint32_t l = 0; l < ZKR_INFER_MAX_LAYERS; l++) {
        free(w->v[l]);
        free(w->acc[l]);
    }
    free(w->a);
    free(w->mu);
    free(w->v0a);
    free(w->v0b);
    for (uint32_t i = 0; i < ZKR_INFER_MAX_LAYERS + 2; i++)
        free(w->col[i]);
    memset(w, 0, sizeof *w);
}

/* ------------------------------------------------------------------ */
/* Batch extraction                                                     */
/* ------------------------------------------------------------------ */

zkr_err zkr_eval_batch_of(const zkr_dataset *ds, uint64_t first, uint64_t count,
                          uint8_t **records, uint8_t bound[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES],
                          zkr_eval_batch *batch, zkr_diag *d)
{
    uint64_t n = zkr_dataset_count(ds);
    uint8_t(*leaves)[ZKR_DIGEST_BYTES] = NULL;
    uint8_t *rec = NULL;
    size_t rec_len = 0;
    zkr_err r = ZKR_OK;

    *records = NULL;
    memset(batch, 0, sizeof *batch);
    if (count == 0 || first >= n || count > n - first)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND,
                        "dataset: records %llu..+%llu outside the %llu records",
                        (unsigned long long)first, (unsigned long long)count,
                        (unsigned long long)n);
    if (!(leaves = malloc((size_t)n * ZKR_DIGEST_BYTES)))
        return ZKR_ERR_NOMEM;
    for (uint64_t i = 0; i < n && r == ZKR_OK; i++) {
        const uint8_t *p;
        size_t len;
        if ((r = zkr_dataset_record(ds, i, &p, &len)) != ZKR_OK) {
            r = zkr_fail(d, r, "dataset: record %llu unreadable", (unsigned long long)i);
            break;
        }
        zkr_infer_record_commitment(p, len, leaves[i]);
        if (i < first || i >= first + count)
            continue;
        if (i == first) {
            rec_len = len;
            if (!(rec = malloc((size_t)count * len + 1))) {
                r = ZKR_ERR_NOMEM;
                break;
            }
        } else if (len != rec_len) {
            r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "dataset: record %llu has %zu bytes, not %zu",
                         (unsigned long long)i, len, rec_len);
            break;
        }
        memcpy(rec + (i - first) * rec_len, p, len);
    }
    if (r == ZKR_OK)
        r = zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, batch->root);
    if (r == ZKR_OK)
        r = zkr_eval_range_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, first, count,
                                 bound, &batch->n_bound);
    free(leaves);
    if (r != ZKR_OK) {
        free(rec);
        memset(batch, 0, sizeof *batch);
        return r;
    }
    batch->n_records = n;
    batch->first = first;
    batch->count = count;
    batch->records = rec;
    batch->rec_len = rec_len;
    batch->bound = (const uint8_t(*)[ZKR_DIGEST_BYTES])bound;
    *records = rec;
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Witness                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    const zkr_infer_model_parts *mp;
    zkr_ev_wit *w;
    const uint8_t *records; /* witness records, count x rec_len */
    size_t rec_len;
    int check_native;
    zkr_err err[ZKR_PAR_MAX];
} zkr_ev_wjob;

/* Slots of layer l's row (j, b): inference@1's decomposition (prover/inference.c). */
static int zkr_ev_row(const zkr_eval_shape *s, zkr_gl *v, uint32_t l, size_t row, int64_t acc,
                      uint32_t mult, int8_t *y_out)
{
    const zkr_infer_layer *L = &s->inf.layer[l];
    size_t n = (size_t)1 << (L->lm + s->lb);
    int64_t t = acc * (int64_t)mult + ((int64_t)1 << (L->shift - 1));
    uint64_t mask = ((uint64_t)1 << L->shift) - 1, r = (uint64_t)t & mask, g;
    int64_t q = (t - (int64_t)r) / ((int64_t)1 << L->shift);
    int64_t y = q > 127 ? 127 : q < L->lo ? L->lo : q;

    g = (uint64_t)(q > y ? q - y : y - q);
    v[ZKR_INFER_SLOT_Y * n + row] = (zkr_gl)(y - L->lo);
    v[ZKR_INFER_SLOT_YC * n + row] = (zkr_gl)(127 - y);
    v[ZKR_INFER_SLOT_HI * n + row] = q > 127;
    v[ZKR_INFER_SLOT_LO * n + row] = q < L->lo;
    for (unsigned i = 0; i < L->nr; i++)
        v[(ZKR_INFER_SLOT_R0 + i) * n + row] = (r >> (8 * i)) & 0xff;
    v[L->slot_rtc * n + row] = ((r >> (8 * (L->nr - 1))) & 0xff) * L->c_r;
    for (unsigned i = 0; i < L->ng; i++)
        v[(L->slot_g0 + i) * n + row] = (g >> (8 * i)) & 0xff;
    v[L->slot_gtc * n + row] = ((g >> (8 * (L->ng - 1))) & 0xff) * L->c_g;
    *y_out = (int8_t)y;
    return (r >> (8 * (L->nr - 1))) * L->c_r <= 255 && (g >> (8 * (L->ng - 1))) * L->c_g <= 255;
}

int zkr_ev_am_row(const zkr_eval_am_dims *m, zkr_gl *a, size_t b, const int8_t *y)
{
    size_t J = (size_t)1 << m->c, n = J << m->lb;
    unsigned lbits = zkr_eval_am_limb(m);
    uint64_t lmask = ((uint64_t)1 << lbits) - 1;
    uint32_t am = 0;
    uint64_t ka;

    for (uint32_t j = 1; j < m->out_dim; j++)
        if (y[j] > y[am])
            am = j;
    ka = ((uint64_t)(y[am] - m->lo) << m->c) + (J - 1 - am);
    a[ZKR_EVAL_ASLOT_E * n + b * J + am] = 1;
    for (size_t j = 0; j < J; j++) {
        uint64_t dj = 0;
        if (j < m->out_dim) {
            uint64_t kj = ((uint64_t)(y[j] - m->lo) << m->c) + (J - 1 - j);
            if (kj > ka)
                return 0;
            dj = ka - kj;
        }
        for (unsigned i = 0; i < m->nd; i++) {
            a[(ZKR_EVAL_ASLOT_D0 + i) * n + b * J + j] = (dj >> (lbits * i)) & lmask;
            a[(ZKR_EVAL_ASLOT_D0 + m->nd + i) * n + b * J + j] = (ka >> (lbits * i)) & lmask;
        }
    }
    return 1;
}

/* The argmax block's dimensions for evaluation@1's shape (its version's layout). */
static zkr_eval_am_dims zkr_ev_dims(const zkr_eval_shape *s)
{
    return zkr_eval_am_of(s);
}

/* Compares one record's layers with native inference (docs/quantization.md). */
static zkr_err zkr_ev_native(const zkr_infer_model_parts *mp, const zkr_ev_wit *w,
                             const uint8_t *input, size_t b, zkr_ml_trace *tr)
{
    const zkr_eval_shape *s = &w->sh;

    if (zkr_ml_infer(mp->m, input, s->inf.input_dim, tr, NULL) != ZKR_OK)
        return ZKR_ERR_INTERNAL;
    for (uint32_t l = 0; l < s->inf.n_layers; l++) {
        const zkr_infer_layer *L = &s->inf.layer[l];
        size_t n = (size_t)1 << (L->lm + s->lb);
        for (uint32_t j = 0; j < L->out_dim; j++) {
            size_t row = j + (b << L->lm);
            int64_t y = (int64_t)w->v[l][s->ysl[l] * n + row] + L->lo;
            if (w->acc[l][row] != tr->acc[l][j] || y != tr->y[l][j])
                return ZKR_ERR_INTERNAL;
        }
    }
    return ZKR_OK;
}

static void zkr_ev_wchunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    zkr_ev_wjob *job = ctx;
    const zkr_eval_shape *s = &job->w->sh;
    int64_t x[ZKR_INFER_MAX_DIM + 2];
    int8_t y[ZKR_INFER_MAX_DIM];
    zkr_ml_trace tr;
    zkr_err r = ZKR_OK;
    uint64_t v0_end = zkr_eval_v0_records(s);
    zkr_eval_am_dims am = zkr_ev_dims(s);

    memset(&tr, 0, sizeof tr);
    if (job->check_native && zkr_ml_trace_init(&tr, zkr_ml_model_graph(job->mp->m)) != ZKR_OK) {
        job->err[wk] = ZKR_ERR_NOMEM;
        return;
    }
    for (size_t b = lo; b < hi && r == ZKR_OK; b++) {
        const uint8_t *in = b < s->count ? job->records + b * job->rec_len : NULL;
        for (uint32_t k = 0; k < s->inf.input_dim; k++)
            x[k] = in ? in[k] : 0; /* padding records: all-zero input */
        for (uint32_t l = 0; l < s->inf.n_layers && r == ZKR_OK; l++) {
            const zkr_infer_layer *L = &s->inf.layer[l];
            const zkr_ml_qlayer *q = &job->mp->ql[l];
            /* Past a split batch's chunks V_0 is zero (Y = lo): the next layer reads lo. */
            int beyond = l == 0 && b >= v0_end;
            for (size_t j = 0; j < ((size_t)1 << L->lm); j++) {
                int64_t acc = 0;
                uint32_t mlt = 0;
                size_t row = j + (b << L->lm);
                /* Past the chunks V_0 is zero: Y = lo for the argmax, an all-zero input to layer 1. */
                int8_t yj = l + 1 < s->inf.n_layers ? 0 : (int8_t)L->lo;
                if (j < L->out_dim) {
                    const int8_t *wr = q->w + j * L->in_dim;
                    acc = q->bias[j];
                    for (size_t k = 0; k < L->in_dim; k++)
                        acc += (int64_t)wr[k] * x[k];
                    mlt = q->mult[j];
                }
                job->w->acc[l][row] = acc;
                if (!beyond && !zkr_ev_row(s, job->w->v[l], l, row, acc, mlt, &yj)) {
                    r = ZKR_ERR_INTERNAL;
                    break;
                }
                if (j < L->out_dim)
                    y[j] = yj;
            }
            for (size_t k = 0; k < L->out_dim; k++)
                x[k] = y[k];
        }
        if (r == ZKR_OK && !zkr_ev_am_row(&am, job->w->a, b, y))
            r = ZKR_ERR_INTERNAL;
        if (r == ZKR_OK && in && job->check_native)
            r = zkr_ev_native(job->mp, job->w, in, b, &tr);
    }
    zkr_ml_trace_free(&tr);
    if (r != ZKR_OK)
        job->err[wk] = r;
}

/* Sum over real records of E(label_b, b): the number correct. */
static uint64_t zkr_ev_count(const zkr_eval_shape *s, const zkr_gl *a, const uint8_t *records,
                             size_t rec_len)
{
    const zkr_infer_layer *L = &s->inf.layer[s->inf.n_layers - 1];
    size_t J = (size_t)1 << s->c;
    uint64_t c = 0;

    for (uint64_t b = 0; b < s->count; b++) {
        uint8_t label = records[b * rec_len + s->inf.input_dim];
        if (label < L->out_dim)
            c += a[ZKR_EVAL_ASLOT_E * (J << s->lb) + b * J + label];
    }
    return c;
}


/* In-table multiplicities of a column against 0..2^tlog-1; bad set for an entry outside. */
static void zkr_ev_count_tab(const zkr_gl *v, size_t n, unsigned tlog, zkr_gl *m, int *bad)
{
    for (size_t k = 0; k < n; k++) {
        if (v[k] >> tlog) {
            *bad = 1;
            continue;
        }
        m[v[k]]++;
    }
}

/* LogUp i's committed polynomial (V_0 or its first chunk, .., V_{L-1}, A, the second chunk) and id. */
static const zkr_gl *zkr_ev_lu_poly(const zkr_ev_wit *w, uint32_t i, unsigned *pid)
{
    const zkr_eval_shape *s = &w->sh;
    uint32_t L = s->inf.n_layers;

    *pid = i <= L ? L + i : 2 * L + 2;
    if (i < L)
        return i == 0 && s->split ? w->v0a : w->v[i];
    return i == L ? w->a : w->v0b;
}

/* LogUp i's slot variables: V_l's (a chunk of V_0: V_0's) or A's. */
static unsigned zkr_ev_lu_slog(const zkr_eval_shape *s, uint32_t i)
{
    uint32_t L = s->inf.n_layers;

    return i == L ? s->alog : s->vlog[i < L ? i : 0];
}

/*
 * Format version 4: LogUp i's column of range entries (zkr_eval_entries),
 * entry e of element p at (e << nvp) | p, the entries past n_ent 0.
 */
static zkr_err zkr_ev_column(zkr_ev_wit *w, uint32_t i, unsigned *na)
{
    const zkr_eval_shape *s = &w->sh;
    zkr_eval_entry ent[ZKR_EVAL_MAX_ENTRIES];
    unsigned pid, elog, ne = zkr_eval_entries(s, i, ent, &elog);
    const zkr_gl *v = zkr_ev_lu_poly(w, i, &pid);
    unsigned nvp = zkr_eval_poly_vars(s, pid) - zkr_ev_lu_slog(s, i);
    size_t n = (size_t)1 << nvp;
    zkr_gl *col;

    *na = nvp + elog;
    free(w->col[i]);
    if (!(col = w->col[i] = calloc(n << elog, sizeof *col)))
        return ZKR_ERR_NOMEM;
    for (unsigned e = 0; e < ne; e++) {
        const zkr_gl *src = v + ((size_t)ent[e].src << nvp);
        for (size_t p = 0; p < n; p++)
            col[((size_t)e << nvp) | p] = zkr_gl_add(zkr_gl_mul(ent[e].coef, src[p]), ent[e].cst);
    }
    return ZKR_OK;
}


/* Format version 4's MU: the entry columns, built here, counted block by block. */
static zkr_err zkr_ev_mult4(zkr_ev_wit *w, int strict)
{
    const zkr_eval_shape *s = &w->sh;
    uint32_t L = s->inf.n_layers;
    int bad = 0;
    zkr_err r;

    memset(w->mu, 0, ((size_t)1 << s->mu_log) * sizeof *w->mu);
    for (uint32_t i = 0; i <= L + (s->split ? 1 : 0); i++) {
        unsigned na;
        if ((r = zkr_ev_column(w, i, &na)) != ZKR_OK)
            return r;
        zkr_ev_count_tab(w->col[i], (size_t)1 << na, s->tlog, w->mu + ((size_t)i << s->tlog),
                         &bad);
    }
    return bad && strict ? ZKR_ERR_INTERNAL : ZKR_OK;
}

/*
 * MU block i: the multiplicities of polynomial L + i's entries (in-table
 * ones only); a split batch's second V_0 chunk is block L + 1.
 */
static zkr_err zkr_ev_mult(zkr_ev_wit *w, int strict)
{
    const zkr_eval_shape *s = &w->sh;
    uint32_t L = s->inf.n_layers;
    int bad = 0;

    if (s->version >= 4)
        return zkr_ev_mult4(w, strict);
    memset(w->mu, 0, ((size_t)1 << s->mu_log) * sizeof *w->mu);
    for (uint32_t i = 0; i <= L; i++) {
        const zkr_gl *v = i < L ? (i == 0 && s->split ? w->v0a : w->v[i]) : w->a;
        size_t n = (size_t)1 << zkr_eval_poly_vars(s, L + i);
        zkr_ev_count_tab(v, n, ZKR_INFER_TABLE_LOG, w->mu + 256 * (size_t)i, &bad);
    }
    if (s->split)
        zkr_ev_count_tab(w->v0b, (size_t)1 << zkr_eval_poly_vars(s, 2 * L + 2),
                         ZKR_INFER_TABLE_LOG, w->mu + 256 * ((size_t)L + 1), &bad);
    return bad && strict ? ZKR_ERR_INTERNAL : ZKR_OK;
}

/* A split batch: V_0's chunks copied out of v[0], slot by slot. */
static zkr_err zkr_ev_split_copy(zkr_ev_wit *w)
{
    const zkr_eval_shape *s = &w->sh;
    unsigned lm = s->inf.layer[0].lm;
    size_t n = (size_t)1 << (lm + s->lb), na = n >> 1, nb = (size_t)1 << (lm + s->lb_b);
    size_t ns = (size_t)1 << s->vlog[0];

    if (!s->split)
        return ZKR_OK;
    if (!w->v0a)
        w->v0a = malloc(ns * na * sizeof *w->v0a);
    if (!w->v0b)
        w->v0b = malloc(ns * nb * sizeof *w->v0b);
    if (!w->v0a || !w->v0b)
        return ZKR_ERR_NOMEM;
    for (size_t sl = 0; sl < ns; sl++) {
        memcpy(w->v0a + sl * na, w->v[0] + sl * n, na * sizeof *w->v0a);
        memcpy(w->v0b + sl * nb, w->v[0] + sl * n + na, nb * sizeof *w->v0b);
    }
    return ZKR_OK;
}

/* ---- format version 4: the narrow requantization's witness ---- */

typedef struct {
    const zkr_infer_model_parts *mp;
    zkr_ev_wit *w;
    const uint8_t *records; /* witness records, count x rec_len */
    size_t rec_len;
    zkr_cnn_rqn rq[ZKR_INFER_MAX_LAYERS]; /* pass 1: widths 63 - s; pass 2: the declared ones */
    uint64_t gmax[ZKR_PAR_MAX][ZKR_INFER_MAX_LAYERS][2];
    zkr_err err[ZKR_PAR_MAX];
} zkr_ev4_job;

/*
 * Pass 1 over records lo..hi: the accumulators, the outputs that feed the
 * next layer, the largest gh and gl per layer (the widths to declare).
 */
static void zkr_ev4_pass1(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    zkr_ev4_job *job = ctx;
    const zkr_eval_shape *s = &job->w->sh;
    int64_t x[ZKR_INFER_MAX_DIM + 2];
    int8_t y[ZKR_INFER_MAX_DIM];
    uint64_t v0_end = zkr_eval_v0_records(s);

    for (size_t b = lo; b < hi; b++) {
        const uint8_t *in = b < s->count ? job->records + b * job->rec_len : NULL;
        for (uint32_t k = 0; k < s->inf.input_dim; k++)
            x[k] = in ? in[k] : 0; /* padding records: all-zero input */
        for (uint32_t l = 0; l < s->inf.n_layers; l++) {
            const zkr_infer_layer *L = &s->inf.layer[l];
            const zkr_ml_qlayer *q = &job->mp->ql[l];
            /* Past a split batch's chunks V_0 is zero (Y = 0: y = lo): layer 1 reads 0. */
            int beyond = l == 0 && b >= v0_end;
            for (size_t j = 0; j < L->out_dim; j++) {
                const int8_t *wr = q->w + j * L->in_dim;
                int64_t acc = q->bias[j];
                uint64_t g[2];
                int8_t yj = l + 1 < s->inf.n_layers ? 0 : (int8_t)L->lo;
                for (size_t k = 0; k < L->in_dim; k++)
                    acc += (int64_t)wr[k] * x[k];
                job->w->acc[l][j + (b << L->lm)] = acc;
                if (!beyond) {
                    if (zkr_cnn_rqn_elem(&job->rq[l], acc * (int64_t)q->mult[j], NULL, 0, 0, &yj,
                                         g) != ZKR_OK) {
                        job->err[wk] = ZKR_ERR_INTERNAL; /* over 63 - s: not provable */
                        return;
                    }
                    for (unsigned k = 0; k < 2; k++)
                        if (g[k] > job->gmax[wk][l][k])
                            job->gmax[wk][l][k] = g[k];
                }
                y[j] = yj;
            }
            for (size_t k = 0; k < L->out_dim; k++)
                x[k] = y[k];
        }
    }
}

/* Pass 2 over records lo..hi: V_l's slots for the declared widths, A, the native check. */
static void zkr_ev4_pass2(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    zkr_ev4_job *job = ctx;
    const zkr_eval_shape *s = &job->w->sh;
    int8_t y[ZKR_INFER_MAX_DIM];
    zkr_ml_trace tr;
    zkr_err r = ZKR_OK;
    uint64_t v0_end = zkr_eval_v0_records(s);
    zkr_eval_am_dims am = zkr_ev_dims(s);

    memset(&tr, 0, sizeof tr);
    if (zkr_ml_trace_init(&tr, zkr_ml_model_graph(job->mp->m)) != ZKR_OK) {
        job->err[wk] = ZKR_ERR_NOMEM;
        return;
    }
    for (size_t b = lo; b < hi && r == ZKR_OK; b++) {
        for (uint32_t l = 0; l < s->inf.n_layers && r == ZKR_OK; l++) {
            const zkr_infer_layer *L = &s->inf.layer[l];
            size_t n = (size_t)1 << (L->lm + s->lb);
            for (size_t j = 0; j < ((size_t)1 << L->lm); j++) {
                size_t row = j + (b << L->lm);
                int64_t u = j < L->out_dim ? job->w->acc[l][row] * (int64_t)job->mp->ql[l].mult[j]
                                           : 0;
                int8_t yj = (int8_t)L->lo;
                if (!(l == 0 && b >= v0_end)) {
                    if (zkr_cnn_rqn_elem(&job->rq[l], u, job->w->v[l], n, row, &yj, NULL) !=
                        ZKR_OK) {
                        r = ZKR_ERR_INTERNAL;
                        break;
                    }
                    job->w->v[l][s->ysl[l] * n + row] = (zkr_gl)(yj - L->lo);
                }
                if (j < L->out_dim)
                    y[j] = yj;
            }
        }
        if (r == ZKR_OK && !zkr_ev_am_row(&am, job->w->a, b, y))
            r = ZKR_ERR_INTERNAL;
        if (r == ZKR_OK && b < s->count)
            r = zkr_ev_native(job->mp, job->w, job->records + b * job->rec_len, b, &tr);
    }
    zkr_ml_trace_free(&tr);
    if (r != ZKR_OK)
        job->err[wk] = r;
}

/* Bits of v: 0 for 0. */
static unsigned zkr_ev_bitlen(uint64_t v)
{
    unsigned n = 0;

    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

/* Format version 4's witness (zkr_ev_witness_v); w->sh is initialized (and split), acc allocated. */
static zkr_err zkr_ev_witness4(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                               const uint8_t *records, unsigned threads, unsigned min_gbits,
                               zkr_ev_wit *w, zkr_diag *d)
{
    uint32_t L = w->sh.inf.n_layers;
    unsigned ghb[ZKR_INFER_MAX_LAYERS], glb[ZKR_INFER_MAX_LAYERS];
    zkr_ev4_job *job = calloc(1, sizeof *job);
    zkr_err r = ZKR_OK;

    if (!job)
        return ZKR_ERR_NOMEM;
    job->mp = mp;
    job->w = w;
    job->records = records;
    job->rec_len = bt->rec_len;
    for (uint32_t l = 0; l < L && r == ZKR_OK; l++) {
        const zkr_infer_layer *Ly = &w->sh.inf.layer[l];
        r = zkr_cnn_rqn_init(&job->rq[l], 1, 0, 0, Ly->shift, Ly->relu, 63 - Ly->shift,
                             63 - Ly->shift);
    }
    if (r != ZKR_OK)
        goto out;
    zkr_par_for(threads, (size_t)1 << w->sh.lb, 16, zkr_ev4_pass1, job);
    for (unsigned i = 0; i < ZKR_PAR_MAX; i++)
        if (job->err[i] != ZKR_OK) {
            r = zkr_fail(d, job->err[i], "prover: an accumulator over the requantization's bound");
            goto out;
        }
    for (uint32_t l = 0; l < L; l++) {
        uint64_t gh = 0, gl = 0;
        for (unsigned i = 0; i < ZKR_PAR_MAX; i++) {
            gh = job->gmax[i][l][0] > gh ? job->gmax[i][l][0] : gh;
            gl = job->gmax[i][l][1] > gl ? job->gmax[i][l][1] : gl;
        }
        ghb[l] = zkr_ev_bitlen(gh);
        glb[l] = zkr_ev_bitlen(gl);
        /* Test builds' cheating prover: at least min_gbits declared (a limb to edit). */
        if (ghb[l] < min_gbits && min_gbits + w->sh.inf.layer[l].shift <= 63)
            ghb[l] = min_gbits;
        if (glb[l] < min_gbits && min_gbits + w->sh.inf.layer[l].shift <= 63)
            glb[l] = min_gbits;
    }
    if ((r = zkr_eval_shape_v4(&w->sh, ghb, glb, mp->params->max_vars)) != ZKR_OK) {
        r = zkr_fail(d, r, "prover: %llu records of this model exceed the parameter set",
                     (unsigned long long)bt->count);
        goto out;
    }
    for (uint32_t l = 0; l < L && r == ZKR_OK; l++) {
        r = zkr_eval_rqn(&w->sh, l, &job->rq[l]);
        /* The whole V_l (a split batch's V_0 too: its chunks are copied out of it). */
        if (r == ZKR_OK && !(w->v[l] = calloc((size_t)1 << (w->sh.inf.layer[l].lm + w->sh.lb +
                                                             w->sh.vlog[l]),
                                              sizeof(zkr_gl))))
            r = ZKR_ERR_NOMEM;
    }
    if (r != ZKR_OK)
        goto out;
    w->a = calloc((size_t)1 << zkr_eval_poly_vars(&w->sh, 2 * L), sizeof(zkr_gl));
    w->mu = calloc((size_t)1 << w->sh.mu_log, sizeof(zkr_gl));
    if (!w->a || !w->mu) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    memset(job->err, 0, sizeof job->err);
    zkr_par_for(threads, (size_t)1 << w->sh.lb, 16, zkr_ev4_pass2, job);
    for (unsigned i = 0; i < ZKR_PAR_MAX; i++)
        if (job->err[i] != ZKR_OK) {
            r = zkr_fail(d, job->err[i], "prover: witness differs from native inference");
            goto out;
        }
    w->correct = zkr_ev_count(&w->sh, w->a, records, bt->rec_len);
    if ((r = zkr_ev_split_copy(w)) == ZKR_OK)
        r = zkr_ev_mult(w, 1);
out:
    free(job);
    return r;
}

zkr_err zkr_ev_witness(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                       const uint8_t *wit_records, unsigned threads, zkr_ev_wit *w,
                       zkr_diag *d)
{
    return zkr_ev_witness_split(mp, bt, wit_records, threads, 0, w, d);
}

zkr_err zkr_ev_witness_split(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                             const uint8_t *wit_records, unsigned threads, int split,
                             zkr_ev_wit *w, zkr_diag *d)
{
    return zkr_ev_witness_v(mp, bt, wit_records, threads, split ? 3 : 2, 0, w, d);
}

zkr_err zkr_ev_witness_v(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                         const uint8_t *wit_records, unsigned threads, unsigned version,
                         unsigned min_gbits, zkr_ev_wit *w, zkr_diag *d)
{
    int split = version >= 3;
    const zkr_infer_shape *is = mp->shape;
    uint32_t in[ZKR_INFER_MAX_LAYERS], out[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS];
    zkr_ev_wjob job;
    zkr_err r;

    memset(w, 0, sizeof *w);
    for (uint32_t l = 0; l < is->n_layers; l++) {
        in[l] = is->layer[l].in_dim;
        out[l] = is->layer[l].out_dim;
        relu[l] = is->layer[l].relu;
    }
    r = zkr_eval_shape_init(&w->sh, is->input_dim, is->n_layers, in, out, relu, mp->shifts,
                            bt->count, mp->params->max_vars);
    if (r == ZKR_OK && split)
        r = zkr_eval_shape_split(&w->sh, mp->params->max_vars);
    if (r != ZKR_OK)
        return zkr_fail(d, r, "prover: %llu records of this model exceed the parameter set",
                        (unsigned long long)bt->count);
    if (version >= 4) {
        for (uint32_t l = 0; l < is->n_layers; l++)
            if (!(w->acc[l] = calloc((size_t)1 << (w->sh.inf.layer[l].lm + w->sh.lb),
                                     sizeof(int64_t))))
                goto nomem;
        if ((r = zkr_ev_witness4(mp, bt, wit_records ? wit_records : bt->records, threads,
                                 min_gbits, w, d)) != ZKR_OK)
            zkr_ev_wit_free(w);
        return r;
    }
    for (uint32_t l = 0; l < is->n_layers; l++) {
        const zkr_infer_layer *L = &w->sh.inf.layer[l];
        w->v[l] = calloc((size_t)1 << (L->lm + w->sh.lb + ZKR_INFER_SLOTS_LOG), sizeof(zkr_gl));
        w->acc[l] = calloc((size_t)1 << (L->lm + w->sh.lb), sizeof(int64_t));
        if (!w->v[l] || !w->acc[l])
            goto nomem;
    }
    w->a = calloc((size_t)1 << zkr_eval_poly_vars(&w->sh, 2 * is->n_layers), sizeof(zkr_gl));
    w->mu = calloc((size_t)1 << w->sh.mu_log, sizeof(zkr_gl));
    if (!w->a || !w->mu)
        goto nomem;
    memset(&job, 0, sizeof job);
    job.mp = mp;
    job.w = w;
    job.records = wit_records ? wit_records : bt->records;
    job.rec_len = bt->rec_len;
    job.check_native = 1;
    zkr_par_for(threads, (size_t)1 << w->sh.lb, 16, zkr_ev_wchunk, &job);
    for (unsigned i = 0; i < ZKR_PAR_MAX; i++)
        if (job.err[i] != ZKR_OK) {
            zkr_ev_wit_free(w);
            return zkr_fail(d, job.err[i], "prover: witness differs from native inference");
        }
    w->correct = zkr_ev_count(&w->sh, w->a, job.records, bt->rec_len);
    if (zkr_ev_split_copy(w) != ZKR_OK)
        goto nomem;
    return zkr_ev_mult(w, 1);
nomem:
    zkr_ev_wit_free(w);
    return ZKR_ERR_NOMEM;
}

/* ------------------------------------------------------------------ */
/* Claims                                                               */
/* ------------------------------------------------------------------ */

zkr_ev_claim *zkr_ev_claim_new(zkr_ev_claims *cs, unsigned poly)
{
    zkr_ev_claim *c;

    if (cs->n >= ZKR_EVAL_MAX_CLAIMS)
        return NULL;
    c = &cs->c[cs->n++];
    memset(c, 0, sizeof *c);
    c->poly = poly;
    return c;
}

/* Claims on V_l: a split batch's V_0 is virtual until the split step. */
static unsigned zkr_ev_vid(const zkr_eval_shape *s, uint32_t l)
{
    return l == 0 && s->split ? ZKR_EVAL_POLY_V0 : s->inf.n_layers + l;
}

/* pt[off..off+bits) = the bits of v. */
void zkr_ev_bits(zkr_ext *pt, unsigned bits, uint64_t v)
{
    for (unsigned i = 0; i < bits; i++)
        pt[i] = zkr_ext_from((v >> i) & 1);
}

static zkr_err zkr_ev_alloc_tabs(zkr_ext **tab, unsigned n_tab, size_t n)
{
    for (unsigned k = 0; k < n_tab; k++)
        if (!(tab[k] = calloc(n, sizeof(zkr_ext))))
            return ZKR_ERR_NOMEM;
    return ZKR_OK;
}

static void zkr_ev_free_tabs(zkr_ext **tab, unsigned n_tab)
{
    for (unsigned k = 0; k < n_tab; k++)
        free(tab[k]);
}

typedef struct {
    const zkr_gl *v;
    const zkr_ext *eq;
    unsigned nvars, n_slots;
    zkr_ext acc[ZKR_PAR_MAX][16];
} zkr_ev_slots_job;

static void zkr_ev_slots_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    zkr_ev_slots_job *j = ctx;

    for (unsigned sl = 0; sl < j->n_slots; sl++) {
        const zkr_gl *v = j->v + ((size_t)sl << j->nvars);
        zkr_ext a = zkr_ext_from(0);
        for (size_t i = lo; i < hi; i++)
            a = zkr_ext_add(a, zkr_ext_mul_base(j->eq[i], v[i]));
        j->acc[wk][sl] = a;
    }
}

/*
 * Slot values of a (slot-major) block at rho, absorbed by the caller: one
 * eq table for all slots, each slot one pass (a field identity, so the
 * values are those of zkr_mle_eval_base whatever the thread count).
 */
static zkr_err zkr_ev_slots_at(const zkr_gl *v, unsigned nvars, unsigned n_slots,
                               const zkr_ext *rho, unsigned threads, zkr_ext *out)
{
    size_t n = (size_t)1 << nvars;
    zkr_ev_slots_job *j;
    zkr_ext *eq;

    if (n_slots > 16)
        return ZKR_ERR_INTERNAL;
    j = calloc(1, sizeof *j);
    eq = malloc(n * sizeof *eq);
    if (!j || !eq) {
        free(j);
        free(eq);
        return ZKR_ERR_NOMEM;
    }
    zkr_mle_eq_table_mt(rho, nvars, threads, eq);
    j->v = v;
    j->eq = eq;
    j->nvars = nvars;
    j->n_slots = n_slots;
    zkr_par_for(threads, n, 1 << 12, zkr_ev_slots_chunk, j);
    for (unsigned sl = 0; sl < n_slots; sl++) {
        out[sl] = zkr_ext_from(0);
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
            out[sl] = zkr_ext_add(out[sl], j->acc[w][sl]);
    }
    free(eq);
    free(j);
    return ZKR_OK;
}

/* One claim for all slots of a block: tau drawn over the slot variables. */
static zkr_err zkr_ev_fold_claim(zkr_ev_ctx *c, unsigned poly, const zkr_ext *rho, unsigned nvars,
                                 unsigned slog, const zkr_ext *slots)
{
    zkr_ev_claim *vc = zkr_ev_claim_new(c->cl, poly);
    zkr_ext eqt[16], acc = zkr_ext_from(0);

    if (!vc)
        return ZKR_ERR_INTERNAL;
    memcpy(vc->pt, rho, nvars * sizeof *rho);
    zkr_ts_challenge_exts(c->t, "ev-tau", vc->pt + nvars, slog);
    zkr_mle_eq_table(vc->pt + nvars, slog, eqt);
    for (unsigned sl = 0; sl < (1u << slog); sl++)
        acc = zkr_ext_add(acc, zkr_ext_mul(eqt[sl], slots[sl]));
    vc->val = acc;
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Argmax and count                                                     */
/* ------------------------------------------------------------------ */

enum { A_EQ, A_E, A_KA, A_Y, A_SEL, A_CJ, A_D, A_N };

zkr_err zkr_ev_am_prove(const zkr_eval_am_dims *m, const zkr_gl *a, const zkr_gl *yl,
                        zkr_transcript *t, unsigned threads, zkr_buf *sec, zkr_ev_am_out *o)
{
    unsigned nv = m->c + m->lb;
    size_t J = (size_t)1 << m->c, n = (size_t)1 << nv;
    zkr_ext *tab[A_N] = {0}, z[ZKR_EV_MAX_PT], msgs[3 * ZKR_EV_MAX_ROUNDS];
    zkr_ext lam[4], pt[ZKR_EV_MAX_PT], eqt[ZKR_EVAL_ASLOTS];
    zkr_gl two_c = (zkr_gl)1 << m->c, base = (zkr_gl)1 << zkr_eval_am_limb(m);
    unsigned slog = zkr_eval_am_slog(m), nsl = 1u << slog;
    zkr_err r;

    if (m->nd > 3 || nv + slog > ZKR_EV_MAX_PT || nv > ZKR_EV_MAX_ROUNDS ||
        slog > ZKR_EVAL_ASLOTS_LOG || 1 + 2 * m->nd > nsl)
        return ZKR_ERR_INTERNAL;
    if ((r = zkr_ev_alloc_tabs(tab, A_N, n)) != ZKR_OK)
        goto out;
    zkr_ts_challenge_exts(t, "ev-am-z", z, nv);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(t, "ev-am-lambda");
    lam[2] = zkr_ext_mul(lam[1], lam[1]);
    lam[3] = zkr_ext_mul(lam[2], lam[1]);
    zkr_mle_eq_table_mt(z, nv, threads, tab[A_EQ]);
    for (size_t i = 0; i < n; i++) {
        size_t j = i & (J - 1);
        zkr_gl ka = 0, dd = 0;
        for (unsigned k = m->nd; k-- > 0;) {
            dd = zkr_gl_add(zkr_gl_mul(dd, base), a[(ZKR_EVAL_ASLOT_D0 + k) * n + i]);
            ka = zkr_gl_add(zkr_gl_mul(ka, base), a[(ZKR_EVAL_ASLOT_D0 + m->nd + k) * n + i]);
        }
        tab[A_E][i] = zkr_ext_from(a[ZKR_EVAL_ASLOT_E * n + i]);
        tab[A_KA][i] = zkr_ext_from(ka);
        tab[A_Y][i] = zkr_ext_from(yl[i]);
        tab[A_SEL][i] = zkr_ext_from(j < m->out_dim);
        tab[A_CJ][i] = zkr_ext_from(j < m->out_dim ? J - 1 - j : 0);
        tab[A_D][i] = zkr_ext_from(dd);
    }
    {
        /* (E^2 - E) + l (1 - sel) E + l^2 E (KA - 2^c Y - cj) + l^3 sel (KA - 2^c Y - cj - D) */
        zkr_ext one = zkr_ext_from(1), mone = zkr_ext_from(zkr_gl_neg(1));
        zkr_ext l2c = zkr_ext_mul_base(lam[2], zkr_gl_neg(two_c));
        zkr_ext l3c = zkr_ext_mul_base(lam[3], zkr_gl_neg(two_c));
        zkr_sc_term terms[10] = {
            {one, 3, {A_EQ, A_E, A_E}},
            {zkr_ext_add(lam[1], mone), 2, {A_EQ, A_E}},
            {zkr_ext_mul(lam[1], mone), 3, {A_EQ, A_SEL, A_E}},
            {lam[2], 3, {A_EQ, A_E, A_KA}},
            {l2c, 3, {A_EQ, A_E, A_Y}},
            {zkr_ext_mul(lam[2], mone), 3, {A_EQ, A_E, A_CJ}},
            {lam[3], 3, {A_EQ, A_SEL, A_KA}},
            {l3c, 3, {A_EQ, A_SEL, A_Y}},
            {zkr_ext_mul(lam[3], mone), 3, {A_EQ, A_SEL, A_CJ}},
            {zkr_ext_mul(lam[3], mone), 3, {A_EQ, A_SEL, A_D}},
        };
        zkr_sc_poly f = {tab, A_N, terms, 10, 3, NULL};
        zkr_prover_sumcheck(&f, nv, t, threads, msgs, o->rho);
    }
    if ((r = zkr_ev_slots_at(a, nv, nsl, o->rho, threads, o->slots)) != ZKR_OK ||
        (r = zkr_mle_eval_base(yl, nv, o->rho, &o->yv)) != ZKR_OK)
        goto out;
    zkr_ts_absorb_ext(t, "ev-am-slots", o->slots, nsl);
    zkr_ts_absorb_ext(t, "ev-am-y", &o->yv, 1);
    if ((r = zkr_enc_exts(sec, msgs, 3 * (size_t)nv)) != ZKR_OK ||
        (r = zkr_enc_exts(sec, o->slots, nsl)) != ZKR_OK || (r = zkr_enc_ext(sec, o->yv)) != ZKR_OK)
        goto out;
    /* One claim for all slots: tau drawn over the slot variables. */
    zkr_ts_challenge_exts(t, "ev-tau", o->tau, slog);
    zkr_mle_eq_table(o->tau, slog, eqt);
    o->fold = zkr_ext_from(0);
    for (unsigned sl = 0; sl < nsl; sl++)
        o->fold = zkr_ext_add(o->fold, zkr_ext_mul(eqt[sl], o->slots[sl]));
    /* One-hot: E~(1/2, .., 1/2, rho_b) = 2^-c; KA broadcast: KA~(0, rho_b) = KA~(rho). */
    zkr_eval_am_onehot_pt(m, o->rho, pt);
    if ((r = zkr_mle_eval_base(a, nv + slog, pt, &o->e_half)) != ZKR_OK)
        goto out;
    for (unsigned k = 0; k < m->nd; k++) {
        zkr_eval_am_key_pt(m, o->rho, k, pt);
        if ((r = zkr_mle_eval_base(a, nv + slog, pt, &o->ka0[k])) != ZKR_OK)
            goto out;
    }
    zkr_ts_absorb_ext(t, "ev-am-onehot", &o->e_half, 1);
    zkr_ts_absorb_ext(t, "ev-am-ka0", o->ka0, m->nd);
    if ((r = zkr_enc_ext(sec, o->e_half)) != ZKR_OK ||
        (r = zkr_enc_exts(sec, o->ka0, m->nd)) != ZKR_OK)
        goto out;
    r = ZKR_OK;
out:
    zkr_ev_free_tabs(tab, A_N);
    return r;
}

static zkr_err zkr_ev_argmax(zkr_ev_ctx *c)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint32_t L = s->inf.n_layers;
    zkr_eval_am_dims m = zkr_ev_dims(s);
    unsigned nv = s->c + s->lb;
    size_t n = (size_t)1 << nv;
    zkr_ev_am_out o;
    zkr_ev_claim *cl;
    zkr_err r;

    if ((r = zkr_ev_am_prove(&m, c->w->a, c->w->v[L - 1] + s->ysl[L - 1] * n, c->t, c->threads,
                             c->sec, &o)) != ZKR_OK)
        return r;
    if (!(cl = zkr_ev_claim_new(c->cl, 2 * L)))
        return ZKR_ERR_INTERNAL;
    memcpy(cl->pt, o.rho, nv * sizeof *o.rho);
    memcpy(cl->pt + nv, o.tau, s->alog * sizeof *o.tau);
    cl->val = o.fold;
    if (!(cl = zkr_ev_claim_new(c->cl, zkr_ev_vid(s, L - 1))))
        return ZKR_ERR_INTERNAL;
    memcpy(cl->pt, o.rho, nv * sizeof *o.rho);
    zkr_ev_bits(cl->pt + nv, s->vlog[L - 1], s->ysl[L - 1]);
    cl->val = o.yv;
    if (!(cl = zkr_ev_claim_new(c->cl, 2 * L)))
        return ZKR_ERR_INTERNAL;
    zkr_eval_am_onehot_pt(&m, o.rho, cl->pt);
    cl->val = o.e_half;
    for (unsigned k = 0; k < s->nd; k++) {
        if (!(cl = zkr_ev_claim_new(c->cl, 2 * L)))
            return ZKR_ERR_INTERNAL;
        zkr_eval_am_key_pt(&m, o.rho, k, cl->pt);
        cl->val = o.ka0[k];
    }
    return ZKR_OK;
}

zkr_err zkr_ev_count_prove(const zkr_eval_am_dims *m, const zkr_gl *a, const uint8_t *labels,
                           size_t stride, uint64_t count, zkr_transcript *t, unsigned threads,
                           zkr_buf *sec, zkr_ext *rs, zkr_ext *ev)
{
    unsigned nv = m->c + m->lb;
    size_t J = (size_t)1 << m->c, n = (size_t)1 << nv;
    zkr_ext *tab[2] = {0}, msgs[2 * ZKR_EV_MAX_ROUNDS];
    zkr_err r;

    if (nv > ZKR_EV_MAX_ROUNDS || count > ((uint64_t)1 << m->lb))
        return ZKR_ERR_INTERNAL;
    if ((r = zkr_ev_alloc_tabs(tab, 2, n)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        tab[0][i] = zkr_ext_from(a[ZKR_EVAL_ASLOT_E * n + i]);
    /* Records count.. (the padding) have no label: they are never counted. */
    for (uint64_t b = 0; b < count; b++) {
        uint8_t label = labels[b * stride];
        if (label < m->out_dim)
            tab[1][b * J + label] = zkr_ext_from(1);
    }
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly f = {tab, 2, &term, 1, 2, NULL};
        zkr_prover_sumcheck(&f, nv, t, threads, msgs, rs);
    }
    *ev = tab[0][0];
    zkr_ts_absorb_ext(t, "ev-count-e", ev, 1);
    if ((r = zkr_enc_exts(sec, msgs, 2 * (size_t)nv)) != ZKR_OK)
        goto out;
    r = zkr_enc_ext(sec, *ev);
out:
    zkr_ev_free_tabs(tab, 2);
    return r;
}

/* sum_{j,b} E(j, b) Lm(j, b) = correct, Lm the real records' one-hot labels. */
static zkr_err zkr_ev_count_sc(zkr_ev_ctx *c, const uint8_t *labels_from)
{
    const zkr_eval_shape *s = &c->w->sh;
    zkr_eval_am_dims m = zkr_ev_dims(s);
    unsigned nv = s->c + s->lb;
    zkr_ext rs[ZKR_EV_MAX_PT], ev;
    zkr_ev_claim *ec;
    zkr_err r;

    if ((r = zkr_ev_count_prove(&m, c->w->a, labels_from + s->inf.input_dim, c->bt->rec_len,
                                s->count, c->t, c->threads, c->sec, rs, &ev)) != ZKR_OK)
        return r;
    if (!(ec = zkr_ev_claim_new(c->cl, 2 * s->inf.n_layers)))
        return ZKR_ERR_INTERNAL;
    memcpy(ec->pt, rs, nv * sizeof *rs);
    zkr_ev_bits(ec->pt + nv, s->alog, ZKR_EVAL_ASLOT_E);
    ec->val = ev;
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Layers                                                               */
/* ------------------------------------------------------------------ */

enum { T_EQ, T_ACC, T_M, T_Y, T_HI, T_LO, T_G, T_R, T_N };

/* Base monomials of the zero-check's bracket (each term's factors but eq). */
enum { ZM_ONE, ZM_AM, ZM_Y, ZM_HG, ZM_LG, ZM_R, ZM_HH, ZM_H, ZM_LL, ZM_L, ZM_HY, ZM_LY, ZM_N };

typedef struct {
    const zkr_infer_layer *L;
    const zkr_ml_qlayer *q;
    const zkr_cnn_rqn *rq; /* format version 4: the narrow requantization's slots; else NULL */
    unsigned ysl;
    const zkr_gl *v;
    const int64_t *acc;
    const zkr_ext *eq; /* full size: round 0's eq(z, .) */
    zkr_ext **tab;     /* half size: the tables after round 0's fold */
    size_t n;
    zkr_ext r;                         /* round 0's challenge (fold) */
    zkr_ext s[ZKR_PAR_MAX][3][ZM_N];   /* sum eq_X m_k at X = 0, 2, 3 */
} zkr_ev_zc_job;

/* sum_k 2^(15 k) v[slot first + k] at row i, in F (a cheater's limbs may be any field element). */
static zkr_gl zkr_ev_limbs15(const zkr_gl *v, size_t n, size_t i, unsigned first, unsigned nl)
{
    zkr_gl acc = 0;

    for (unsigned k = nl; k-- > 0;)
        acc = zkr_gl_add(zkr_gl_mul(acc, (zkr_gl)1 << ZKR_CNN_RQN_LIMB), v[(first + k) * n + i]);
    return acc;
}

/*
 * Row i's base values (the tables' entries before any fold): acc, M, Y, HI,
 * LO, G, R; format version 4: acc, M, Y, GH, GL, 0, R.
 */
static void zkr_ev_zc_row(const zkr_ev_zc_job *jb, size_t i, zkr_gl out[7])
{
    const zkr_infer_layer *L = jb->L;
    const zkr_gl *v = jb->v;
    size_t n = jb->n, J = (size_t)1 << L->lm, j = i & (J - 1);
    uint64_t rr = 0, g = 0;

    if (jb->rq) {
        const zkr_cnn_rqn *a = jb->rq;
        out[0] = zkr_gl_from_i64(jb->acc[i]);
        out[1] = j < L->out_dim ? jb->q->mult[j] : 0;
        out[2] = v[jb->ysl * n + i];
        out[3] = zkr_ev_limbs15(v, n, i, a->slot_gh, a->ngh);
        out[4] = zkr_ev_limbs15(v, n, i, a->slot_gl, a->ngl);
        out[5] = 0;
        out[6] = zkr_ev_limbs15(v, n, i, 0, a->nr);
        return;
    }

    for (unsigned k = 0; k < L->nr; k++)
        rr += v[(ZKR_INFER_SLOT_R0 + k) * n + i] << (8 * k);
    for (unsigned k = 0; k < L->ng; k++)
        g += v[(L->slot_g0 + k) * n + i] << (8 * k);
    out[0] = zkr_gl_from_i64(jb->acc[i]);
    out[1] = j < L->out_dim ? jb->q->mult[j] : 0;
    out[2] = v[ZKR_INFER_SLOT_Y * n + i];
    out[3] = v[ZKR_INFER_SLOT_HI * n + i];
    out[4] = v[ZKR_INFER_SLOT_LO * n + i];
    out[5] = zkr_gl_canon(g);
    out[6] = zkr_gl_canon(rr);
}

/*
 * Round 0 on the base rows: each table on the line through rows 2i, 2i+1 at
 * X = 0, 2, 3 (base values), the bracket's monomials in the base field,
 * times eq's line (extension). The same field elements as the generic
 * round on the lifted tables, without lifting them.
 */
static void zkr_ev_zc_round0(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    zkr_ev_zc_job *jb = ctx;
    zkr_ext acc[3][ZM_N];

    memset(acc, 0, sizeof acc);
    for (size_t i = lo; i < hi; i++) {
        zkr_gl a[7], b[7];
        zkr_ext e0 = jb->eq[2 * i], de = zkr_ext_sub(jb->eq[2 * i + 1], e0);
        zkr_ext e2 = zkr_ext_add(jb->eq[2 * i + 1], de);
        zkr_ext ex[3] = {e0, e2, zkr_ext_add(e2, de)};
        zkr_ev_zc_row(jb, 2 * i, a);
        zkr_ev_zc_row(jb, 2 * i + 1, b);
        for (unsigned x = 0; x < 3; x++) {
            zkr_gl t[7], m[ZM_N];
            for (unsigned k = 0; k < 7; k++) {
                zkr_gl d = zkr_gl_sub(b[k], a[k]);
                /* x = 0, 1, 2 stand for X = 0, 2, 3: a, 2b - a, 3b - 2a */
                t[k] = x == 0 ? a[k] : zkr_gl_add(zkr_gl_add(b[k], d), x == 1 ? 0 : d);
            }
            m[ZM_ONE] = 1;
            m[ZM_AM] = zkr_gl_mul(t[0], t[1]);
            m[ZM_Y] = t[2];
            m[ZM_HG] = zkr_gl_mul(t[3], t[5]);
            m[ZM_LG] = zkr_gl_mul(t[4], t[5]);
            m[ZM_R] = t[6];
            m[ZM_HH] = zkr_gl_mul(t[3], t[3]);
            m[ZM_H] = t[3];
            m[ZM_LL] = zkr_gl_mul(t[4], t[4]);
            m[ZM_L] = t[4];
            m[ZM_HY] = zkr_gl_mul(t[3], t[2]);
            m[ZM_LY] = zkr_gl_mul(t[4], t[2]);
            acc[x][ZM_ONE] = zkr_ext_add(acc[x][ZM_ONE], ex[x]);
            for (unsigned k = 1; k < ZM_N; k++)
                acc[x][k] = zkr_ext_add(acc[x][k], zkr_ext_mul_base(ex[x], m[k]));
        }
    }
    memcpy(jb->s[wk], acc, sizeof acc);
}

/* The tables after round 0's fold at r, straight from the base rows: t0 + r (t1 - t0). */
static void zkr_ev_zc_fold0(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    const zkr_ev_zc_job *jb = ctx;
    static const unsigned tabs[7] = {T_ACC, T_M, T_Y, T_HI, T_LO, T_G, T_R};

    (void)wk;
    for (size_t i = lo; i < hi; i++) {
        zkr_gl a[7], b[7];
        zkr_ev_zc_row(jb, 2 * i, a);
        zkr_ev_zc_row(jb, 2 * i + 1, b);
        for (unsigned k = 0; k < 7; k++) {
            zkr_ext f = zkr_ext_mul_base(jb->r, zkr_gl_sub(b[k], a[k]));
            f.c[0] = zkr_gl_add(f.c[0], a[k]);
            jb->tab[tabs[k]][i] = f;
        }
        jb->tab[T_EQ][i] = zkr_ext_add(jb->eq[2 * i],
                                       zkr_ext_mul(jb->r, zkr_ext_sub(jb->eq[2 * i + 1],
                                                                      jb->eq[2 * i])));
    }
}

zkr_err zkr_ev_zerocheck(zkr_ev_ctx *c, uint32_t l, zkr_ext *rho)
{
    const zkr_eval_shape *s = &c->w->sh;
    const zkr_infer_layer *L = &s->inf.layer[l];
    const zkr_ml_qlayer *q = &c->mp->ql[l];
    unsigned nv = L->lm + s->lb;
    size_t n = (size_t)1 << nv, half = n > 1 ? n / 2 : 1;
    zkr_ext *tab[T_N] = {0}, *eq = NULL, z[ZKR_EV_MAX_PT], msgs[3 * ZKR_EV_MAX_ROUNDS];
    zkr_ext slots[16], lam[5];
    zkr_ext acc_v, m_v;
    const zkr_gl *v = c->w->v[l];
    zkr_gl two_s = (zkr_gl)1 << L->shift;
    zkr_ev_zc_job *jb = NULL;
    zkr_cnn_rqn rq;
    int v4 = s->version >= 4;
    unsigned nu = v4 ? s->nsl[l] : ZKR_INFER_SLOTS;
    zkr_err r;

    if (v4 && zkr_eval_rqn(s, l, &rq) != ZKR_OK)
        return ZKR_ERR_INTERNAL;
    memset(slots, 0, sizeof slots);
    /* Round 0 reads the witness rows; the tables start at half size, folded. */
    if ((r = zkr_ev_alloc_tabs(tab, T_N, half)) != ZKR_OK)
        goto out;
    if (!(eq = malloc(n * sizeof *eq)) || !(jb = calloc(1, sizeof *jb))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    zkr_ts_challenge_exts(c->t, "ev-z", z, nv);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(c->t, "ev-lambda");
    for (unsigned i = 2; i < 5; i++)
        lam[i] = zkr_ext_mul(lam[i - 1], lam[1]);
    zkr_mle_eq_table_mt(z, nv, c->threads, eq);
    if (l == 0) {
        /* The rows past V_0's records (a split batch) are masked out (zkr_eval_v0_masked_eq). */
        uint64_t keep = zkr_eval_v0_records(s);
#if ZKR_TEST_BUILD
        if (c->w->cheat_mask)
            keep = c->w->cheat_mask;
#endif
        if (keep < ((uint64_t)1 << s->lb))
            memset(eq + (keep << L->lm), 0, (n - ((size_t)keep << L->lm)) * sizeof *eq);
    }
    jb->L = L;
    jb->q = q;
    jb->rq = v4 ? &rq : NULL;
    jb->ysl = s->ysl[l];
    jb->v = v;
    jb->acc = c->w->acc[l];
    jb->eq = eq;
    jb->tab = tab;
    jb->n = n;
    {
        zkr_gl c0 =
            zkr_gl_sub((zkr_gl)1 << (L->shift - 1), zkr_gl_mul(zkr_gl_from_i64(L->lo), two_s));
        zkr_ext one = zkr_ext_from(1), mone = zkr_ext_from(zkr_gl_neg(1));
        zkr_ext m2s = zkr_ext_from(zkr_gl_neg(two_s)), p2s = zkr_ext_from(two_s);
        /* eq times: acc M + c0 - 2^s Y - 2^s HI G + 2^s LO G - R + lam (HI^2 - HI)
         * + lam^2 (LO^2 - LO) + lam^3 HI (127 - lo - Y) + lam^4 LO Y. */
        zkr_sc_term terms[13] = {
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
            {lam[4], 3, {T_EQ, T_LO, T_Y}},
        };
        /* Term t's base monomial (its factors but eq), for round 0. */
        static const unsigned mono3[13] = {ZM_AM, ZM_ONE, ZM_Y,  ZM_HG, ZM_LG, ZM_R, ZM_HH,
                                           ZM_H,  ZM_LL,  ZM_L,  ZM_H,  ZM_HY, ZM_LY};
        /*
         * Format version 4 (T_HI, T_LO hold gh, gl): eq times acc M + c0 - 2^s Y - 2^s GH
         * + 2^s GL - R + lam GH (127 - lo - Y) + lam^2 GL Y.
         */
        zkr_sc_term terms4[9] = {
            {one, 3, {T_EQ, T_ACC, T_M}},
            {zkr_ext_from(c0), 1, {T_EQ}},
            {m2s, 2, {T_EQ, T_Y}},
            {m2s, 2, {T_EQ, T_HI}},
            {p2s, 2, {T_EQ, T_LO}},
            {mone, 2, {T_EQ, T_R}},
            {zkr_ext_mul_base(lam[1], zkr_gl_from_i64(127 - L->lo)), 2, {T_EQ, T_HI}},
            {zkr_ext_mul(lam[1], mone), 3, {T_EQ, T_HI, T_Y}},
            {lam[2], 3, {T_EQ, T_LO, T_Y}},
        };
        static const unsigned mono4[9] = {ZM_AM, ZM_ONE, ZM_Y, ZM_H, ZM_L, ZM_R, ZM_H, ZM_HY, ZM_LY};
        const unsigned *mono = v4 ? mono4 : mono3;
        unsigned nt = v4 ? 9 : 13;
        zkr_sc_poly f = {tab, T_N, v4 ? terms4 : terms, nt, 3, NULL};
        if (nv == 0) {
            /* One row: no rounds; the tables are the row itself. */
            zkr_gl row[7];
            zkr_ev_zc_row(jb, 0, row);
            for (unsigned k = 0; k < 7; k++)
                tab[T_ACC + k][0] = zkr_ext_from(row[k]);
            tab[T_EQ][0] = eq[0];
        } else {
            zkr_ext *msg = msgs;
            zkr_par_for(c->threads, half, 1 << 11, zkr_ev_zc_round0, jb);
            for (unsigned x = 0; x < 3; x++) {
                zkr_ext sm[ZM_N];
                for (unsigned k = 0; k < ZM_N; k++) {
                    sm[k] = zkr_ext_from(0);
                    for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
                        sm[k] = zkr_ext_add(sm[k], jb->s[w][x][k]);
                }
                msg[x] = zkr_ext_from(0);
                for (unsigned t = 0; t < nt; t++)
                    msg[x] = zkr_ext_add(msg[x], zkr_ext_mul(f.terms[t].coef, sm[mono[t]]));
            }
            zkr_ts_absorb_ext(c->t, "sc-round", msg, 3);
            rho[0] = zkr_ts_challenge_ext(c->t, "sc-challenge");
            jb->r = rho[0];
            zkr_par_for(c->threads, half, 1 << 12, zkr_ev_zc_fold0, jb);
            zkr_prover_sumcheck(&f, nv - 1, c->t, c->threads, msgs + 3, rho + 1);
        }
    }
    if ((r = zkr_ev_slots_at(v, nv, nu, rho, c->threads, slots)) != ZKR_OK)
        goto out;
    acc_v = tab[T_ACC][0];
    m_v = tab[T_M][0];
    zkr_ts_absorb_ext(c->t, "ev-slots", slots, nu);
    zkr_ts_absorb_ext(c->t, "ev-acc-m", &acc_v, 1);
    zkr_ts_absorb_ext(c->t, "ev-acc-m", &m_v, 1);
    if ((r = zkr_enc_exts(c->sec, msgs, 3 * (size_t)nv)) != ZKR_OK ||
        (r = zkr_enc_exts(c->sec, slots, nu)) != ZKR_OK ||
        (r = zkr_enc_ext(c->sec, acc_v)) != ZKR_OK || (r = zkr_enc_ext(c->sec, m_v)) != ZKR_OK)
        goto out;
    if ((r = zkr_ev_fold_claim(c, zkr_ev_vid(s, l), rho, nv, s->vlog[l], slots)) != ZKR_OK)
        goto out;
    {
        /* M~(rho_j) on W'_l, column in_dim + 1 (M is the same for every record). */
        zkr_ev_claim *mc = zkr_ev_claim_new(c->cl, l);
        if (!mc) {
            r = ZKR_ERR_INTERNAL;
            goto out;
        }
        zkr_ev_bits(mc->pt, L->lk, (uint64_t)L->in_dim + 1);
        memcpy(mc->pt + L->lk, rho, L->lm * sizeof *rho);
        mc->val = m_v;
    }
out:
    zkr_ev_free_tabs(tab, T_N);
    free(eq);
    free(jb);
    return r;
}

typedef struct {
    const zkr_infer_layer *L;
    const zkr_ml_qlayer *q;
    const zkr_ext *eqj, *eqb;
    const zkr_gl *yprev; /* l > 0: V_{l-1} slot Y, rows k + 2^lm_prev b */
    int64_t lo_prev;
    unsigned lm_prev;
    const uint8_t *records;
    size_t rec_len;
    uint64_t count, nb;
    uint64_t y_end; /* records whose Y holds an input (layer 1 of a split batch: V_0's) */
    zkr_ext *a, *x;
} zkr_ev_mm_job;

static void zkr_ev_mm_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    zkr_ev_mm_job *j = ctx;
    const zkr_infer_layer *L = j->L;

    (void)wk;
    for (size_t k = lo; k < hi; k++) {
        zkr_ext acc = zkr_ext_from(0), xs = zkr_ext_from(0);
        for (size_t r = 0; r < L->out_dim; r++) {
            zkr_gl wv = k < L->in_dim ? zkr_gl_from_i64(j->q->w[r * L->in_dim + k])
                        : k == L->in_dim ? zkr_gl_from_i64(j->q->bias[r])
                                         : (zkr_gl)j->q->mult[r];
            acc = zkr_ext_add(acc, zkr_ext_mul_base(j->eqj[r], wv));
        }
        j->a[k] = acc;
        if (k < L->in_dim) {
            if (j->yprev) {
                zkr_gl plo = zkr_gl_from_i64(j->lo_prev);
                for (uint64_t b = 0; b < j->y_end; b++)
                    xs = zkr_ext_add(xs, zkr_ext_mul_base(j->eqb[b],
                                                          zkr_gl_add(j->yprev[k + (b << j->lm_prev)], plo)));
            } else {
                for (uint64_t b = 0; b < j->count; b++)
                    xs = zkr_ext_add(xs, zkr_ext_mul_base(j->eqb[b], j->records[b * j->rec_len + k]));
            }
        } else if (k == L->in_dim) {
            xs = zkr_ext_from(1); /* the bias column: 1 for every record, sum_b eq(rho_b, b) = 1 */
        }
        j->x[k] = xs;
    }
}

/* acc~(rho_j, rho_b) = sum_k W'~(rho_j, k) x'~(k, rho_b). */
zkr_err zkr_ev_matmul(zkr_ev_ctx *c, uint32_t l, const zkr_ext *rho,
                             const uint8_t *wit_records)
{
    const zkr_eval_shape *s = &c->w->sh;
    const zkr_infer_layer *L = &s->inf.layer[l];
    size_t K = (size_t)1 << L->lk, nb = (size_t)1 << s->lb;
    zkr_ext *tab[2] = {0}, *eqj = NULL, *eqb = NULL, msgs[2 * ZKR_EV_MAX_ROUNDS],
            rk[ZKR_EV_MAX_PT], wv, yprev;
    zkr_ev_claim *wc;
    zkr_err r;

    if ((r = zkr_ev_alloc_tabs(tab, 2, K)) != ZKR_OK)
        goto out;
    eqj = calloc((size_t)1 << L->lm, sizeof *eqj);
    eqb = calloc(nb, sizeof *eqb);
    if (!eqj || !eqb) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    zkr_mle_eq_table(rho, L->lm, eqj);
    zkr_mle_eq_table_mt(rho + L->lm, s->lb, c->threads, eqb);
    {
        zkr_ev_mm_job j;
        memset(&j, 0, sizeof j);
        j.L = L;
        j.q = &c->mp->ql[l];
        j.eqj = eqj;
        j.eqb = eqb;
        if (l > 0) {
            const zkr_infer_layer *P = &s->inf.layer[l - 1];
            j.yprev = c->w->v[l - 1] + s->ysl[l - 1] * ((size_t)1 << (P->lm + s->lb));
            j.lo_prev = P->lo;
            j.lm_prev = P->lm;
        }
        j.records = wit_records;
        j.rec_len = c->bt->rec_len;
        j.count = s->count;
        j.nb = nb;
        j.y_end = l == 1 ? zkr_eval_v0_records(s) : nb;
        j.a = tab[0];
        j.x = tab[1];
        zkr_par_for(c->threads, L->in_dim + 2, 8, zkr_ev_mm_chunk, &j);
    }
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly f = {tab, 2, &term, 1, 2, NULL};
        zkr_prover_sumcheck(&f, L->lk, c->t, c->threads, msgs, rk);
    }
    wv = tab[0][0];
    zkr_ts_absorb_ext(c->t, "ev-mm-w", &wv, 1);
    if ((r = zkr_enc_exts(c->sec, msgs, 2 * (size_t)L->lk)) != ZKR_OK ||
        (r = zkr_enc_ext(c->sec, wv)) != ZKR_OK)
        goto out;
    if (!(wc = zkr_ev_claim_new(c->cl, l))) {
        r = ZKR_ERR_INTERNAL;
        goto out;
    }
    memcpy(wc->pt, rk, L->lk * sizeof *rk);
    memcpy(wc->pt + L->lk, rho, L->lm * sizeof *rho);
    wc->val = wv;
    if (l > 0) {
        const zkr_infer_layer *P = &s->inf.layer[l - 1];
        unsigned pv = P->lm + s->lb;
        zkr_ext pt[ZKR_EV_MAX_PT];
        zkr_ev_claim *yc;
        memcpy(pt, rk, P->lm * sizeof *rk);
        memcpy(pt + P->lm, rho + L->lm, s->lb * sizeof *rho);
        if ((r = zkr_mle_eval_base(c->w->v[l - 1] + s->ysl[l - 1] * ((size_t)1 << pv), pv, pt,
                                   &yprev)) != ZKR_OK)
            goto out;
        zkr_ts_absorb_ext(c->t, "ev-mm-y", &yprev, 1);
        if ((r = zkr_enc_ext(c->sec, yprev)) != ZKR_OK)
            goto out;
        if (!(yc = zkr_ev_claim_new(c->cl, zkr_ev_vid(s, l - 1)))) {
            r = ZKR_ERR_INTERNAL;
            goto out;
        }
        memcpy(yc->pt, pt, pv * sizeof *pt);
        zkr_ev_bits(yc->pt + pv, s->vlog[l - 1], s->ysl[l - 1]);
        yc->val = yprev;
    }
out:
    zkr_ev_free_tabs(tab, 2);
    free(eqj);
    free(eqb);
    return r;
}

/* ------------------------------------------------------------------ */
/* Proof                                                                */
/* ------------------------------------------------------------------ */

/* The statement section (docs/proof-system.md, evaluation@1). */
static zkr_err zkr_ev_statement(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                                const zkr_buf *output, uint64_t correct, zkr_buf *b)
{
    const zkr_infer_shape *is = mp->shape;
    zkr_err r;

    if ((r = zkr_enc_bytes(b, mp->program, mp->program_len)) != ZKR_OK ||
        (r = zkr_enc_u32(b, is->n_layers)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < is->n_layers; l++)
        if ((r = zkr_enc_u32(b, mp->shifts[l])) != ZKR_OK ||
            (r = zkr_enc_u32(b, mp->comm[l].n_vars)) != ZKR_OK ||
            (r = zkr_buf_append(b, mp->comm[l].root, ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    if ((r = zkr_enc_u64(b, bt->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(b, bt->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(b, bt->first)) != ZKR_OK || (r = zkr_enc_u64(b, bt->count)) != ZKR_OK ||
        (r = zkr_enc_u32(b, (uint32_t)bt->n_bound)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < bt->n_bound; i++)
        if ((r = zkr_buf_append(b, bt->bound[i], ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    if ((r = zkr_enc_bytes(b, output->p, output->len)) != ZKR_OK)
        return r;
    return zkr_enc_u64(b, correct);
}

/*
 * A split batch: every claim on the virtual V_0 becomes claims on its two
 * chunks, the chunk values sent and absorbed (zkr_eval_v0_split_point).
 */
static zkr_err zkr_ev_split_step(zkr_ev_ctx *c)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint32_t L = s->inf.n_layers;
    unsigned na = zkr_eval_poly_vars(s, L), nb = zkr_eval_poly_vars(s, 2 * L + 2);
    size_t n0 = c->cl->n;
    zkr_err r;

    if (!s->split)
        return ZKR_OK;
    for (size_t k = 0; k < n0; k++) {
        zkr_ev_claim *ca = &c->cl->c[k], *cb;
        zkr_ext pa[ZKR_EV_MAX_PT], pb[ZKR_EV_MAX_PT], wa, wb, v[2];
        if (ca->poly != ZKR_EVAL_POLY_V0)
            continue;
        zkr_eval_v0_split_point(s, ca->pt, pa, pb, &wa, &wb);
        if ((r = zkr_mle_eval_base(c->w->v0a, na, pa, &v[0])) != ZKR_OK ||
            (r = zkr_mle_eval_base(c->w->v0b, nb, pb, &v[1])) != ZKR_OK)
            return r;
        zkr_ts_absorb_ext(c->t, "ev-v0-split", v, 2);
        if ((r = zkr_enc_exts(c->sec, v, 2)) != ZKR_OK)
            return r;
        if (!(cb = zkr_ev_claim_new(c->cl, 2 * L + 2)))
            return ZKR_ERR_INTERNAL;
        ca = &c->cl->c[k];
        ca->poly = L;
        memcpy(ca->pt, pa, na * sizeof *pa);
        ca->val = v[0];
        memcpy(cb->pt, pb, nb * sizeof *pb);
        cb->val = v[1];
    }
    return ZKR_OK;
}

/* The committed polynomial of id: the model's W'_l, else the witness's. */
static zkr_pcs_poly *zkr_ev_poly(const zkr_ev_ctx *c, zkr_pcs_poly **wpoly, unsigned id)
{
    uint32_t L = c->w->sh.inf.n_layers;

    return id < L ? c->mp->poly[id] : wpoly[id - L];
}

static zkr_err zkr_ev_open(zkr_ev_ctx *c, zkr_pcs_poly **wpoly, zkr_buf *out)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint32_t L = s->inf.n_layers;
    zkr_eval_groups g;
    zkr_err r = ZKR_OK;

    zkr_eval_groups_of(s, &g);
    for (unsigned gi = 0; gi < g.n_groups && r == ZKR_OK; gi++) {
        zkr_pcs_poly *polys[ZKR_EVAL_GROUP_MAX];
        zkr_pcs_claim cls[ZKR_EVAL_MAX_CLAIMS];
        size_t nc = 0;
        for (unsigned i = 0; i < g.n_polys[gi]; i++) {
            unsigned id = g.poly[gi][i];
            polys[i] = id < L ? c->mp->poly[id] : wpoly[id - L];
            for (size_t k = 0; k < c->cl->n; k++)
                if (c->cl->c[k].poly == id) {
                    cls[nc].comm = i;
                    cls[nc].point = c->cl->c[k].pt;
                    cls[nc].value = c->cl->c[k].val;
                    nc++;
                }
        }
        r = zkr_prover_open(c->mp->params, c->t, polys, g.n_polys[gi], cls, nc, c->threads, out);
    }
    return r;
}

/* Format version 2: the mixed-size opening of zkr_eval_open_plan, then its size groups. */
static zkr_err zkr_ev_open2(zkr_ev_ctx *c, zkr_pcs_poly **wpoly, zkr_buf *out)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint8_t mixed[ZKR_EVAL_MAX_POLYS];
    zkr_eval_groups g;
    zkr_pcs_poly *polys[ZKR_EVAL_MAX_POLYS];
    zkr_pcs_claim cls[ZKR_EVAL_MAX_CLAIMS];
    size_t np = 0, nc = 0;
    zkr_err r;

    zkr_eval_open_plan(s, c->mp->params, mixed, &g);
    for (unsigned id = 0; id < zkr_eval_n_polys(s); id++) {
        if (!mixed[id])
            continue;
        for (size_t k = 0; k < c->cl->n; k++)
            if (c->cl->c[k].poly == id) {
                cls[nc].comm = np;
                cls[nc].point = c->cl->c[k].pt;
                cls[nc].value = c->cl->c[k].val;
                nc++;
            }
        polys[np++] = zkr_ev_poly(c, wpoly, id);
    }
    if ((r = zkr_prover_open_mixed(c->mp->params, c->t, polys, np, cls, nc, c->threads, out)) !=
        ZKR_OK)
        return r;
    for (unsigned gi = 0; gi < g.n_groups && r == ZKR_OK; gi++) {
        nc = 0;
        for (unsigned i = 0; i < g.n_polys[gi]; i++) {
            unsigned id = g.poly[gi][i];
            polys[i] = zkr_ev_poly(c, wpoly, id);
            for (size_t k = 0; k < c->cl->n; k++)
                if (c->cl->c[k].poly == id) {
                    cls[nc].comm = i;
                    cls[nc].point = c->cl->c[k].pt;
                    cls[nc].value = c->cl->c[k].val;
                    nc++;
                }
        }
        r = zkr_prover_open(c->mp->params, c->t, polys, g.n_polys[gi], cls, nc, c->threads, out);
    }
    return r;
}

/*
 * Format version 4's LogUps: each entry column (zkr_ev_column) against
 * 0..2^15-1, then the used slots of its polynomial at the LogUp's element
 * point (sent, absorbed), folded by tau into one claim on it.
 */
static zkr_err zkr_ev_logups4(zkr_ev_ctx *c, zkr_buf *lg)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint32_t L = s->inf.n_layers;
    size_t nt = (size_t)1 << s->tlog;
    zkr_gl *table = malloc(nt * sizeof *table);
    zkr_err r = ZKR_OK;

    if (!table)
        return ZKR_ERR_NOMEM;
    for (size_t k = 0; k < nt; k++)
        table[k] = k;
    for (uint32_t i = 0; i <= L + (s->split ? 1 : 0) && r == ZKR_OK; i++) {
        zkr_eval_entry ent[ZKR_EVAL_MAX_ENTRIES];
#if ZKR_TEST_BUILD
        if (c->w->skip_range == i + 1)
            continue; /* the teeth of a range attack: this LogUp left out */
#endif
        unsigned pid, elog, slog = zkr_ev_lu_slog(s, i), nvp, nu;
        const zkr_gl *v = zkr_ev_lu_poly(c->w, i, &pid);
        zkr_ext vals[ZKR_EVAL_ASLOTS];
        zkr_logup_claims lc;
        zkr_ev_claim *mc;
        (void)zkr_eval_entries(s, i, ent, &elog);
        nvp = zkr_eval_poly_vars(s, pid) - slog;
        nu = i == L ? s->anu : s->nsl[i < L ? i : 0];
#if ZKR_TEST_BUILD
        if (c->cheat)
            r = zkr_prover_logup_cheat(c->t, c->w->col[i], nvp + elog, table,
                                       c->w->mu + ((size_t)i << s->tlog), s->tlog, c->threads, lg,
                                       &lc);
        else
#endif
            r = zkr_prover_logup(c->t, c->w->col[i], nvp + elog, table,
                                 c->w->mu + ((size_t)i << s->tlog), s->tlog, c->threads, lg, &lc);
        if (r != ZKR_OK)
            break;
        memset(vals, 0, sizeof vals);
        if ((r = zkr_ev_slots_at(v, nvp, nu, lc.ra, c->threads, vals)) != ZKR_OK)
            break;
        zkr_ts_absorb_ext(c->t, "ev-lu-slots", vals, nu);
        if ((r = zkr_enc_exts(lg, vals, nu)) != ZKR_OK ||
            (r = zkr_ev_fold_claim(c, pid, lc.ra, nvp, slog, vals)) != ZKR_OK)
            break;
        if (!(mc = zkr_ev_claim_new(c->cl, 2 * L + 1))) {
            r = ZKR_ERR_INTERNAL;
            break;
        }
        memcpy(mc->pt, lc.rt, s->tlog * sizeof(zkr_ext));
        zkr_ev_bits(mc->pt + s->tlog, s->mu_log - s->tlog, i);
        mc->val = lc.m_at_rt;
    }
    free(table);
    return r;
}

static zkr_err zkr_ev_body(zkr_ev_ctx *c, unsigned version,
                           const uint8_t statement_id[ZKR_DIGEST_BYTES], const zkr_buf *stmt,
                           const uint8_t *wit_records, zkr_buf *proof)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint32_t L = s->inf.n_layers;
    zkr_pcs_poly *wpoly[ZKR_INFER_MAX_LAYERS + 3] = {0};
    uint32_t n_wit = L + 2 + (s->split ? 1 : 0);
    zkr_pcs_commitment wc;
    zkr_buf roots = {0}, lg = {0}, pcs = {0};
    zkr_gl table[256];
    zkr_err r = ZKR_OK;

    zkr_eval_transcript_v(c->t, c->mp->params, version, statement_id, stmt->p, stmt->len);
    if (version >= 2 && (r = zkr_enc_u32(&roots, version)) != ZKR_OK)
        goto out;
    /* Format version 4: the declared clamp widths (u32 ghb, u32 glb per layer), absorbed. */
    for (uint32_t l = 0; version >= 4 && l < L && r == ZKR_OK; l++)
        if ((r = zkr_enc_u32(&roots, s->ghb[l])) == ZKR_OK)
            r = zkr_enc_u32(&roots, s->glb[l]);
    if (r != ZKR_OK)
        goto out;
    if (version >= 4)
        zkr_ts_absorb(c->t, "ev-widths", roots.p + 4, roots.len - 4);
    for (uint32_t i = 0; i < n_wit && r == ZKR_OK; i++) {
        const zkr_gl *v = i < L ? (i == 0 && s->split ? c->w->v0a : c->w->v[i])
                          : i == L ? c->w->a : i == L + 1 ? c->w->mu : c->w->v0b;
        if ((r = zkr_prover_commit(c->mp->params, v, zkr_eval_poly_vars(s, L + i), c->threads,
                                   &wpoly[i], &wc)) != ZKR_OK)
            break;
        zkr_ts_absorb(c->t, "ev-witness-root", wc.root, ZKR_DIGEST_BYTES);
        r = zkr_buf_append(&roots, wc.root, ZKR_DIGEST_BYTES);
    }
    if (r != ZKR_OK)
        goto out;
    for (unsigned i = 0; i < 256; i++)
        table[i] = i;
    if (version >= 4 && (r = zkr_ev_logups4(c, &lg)) != ZKR_OK)
        goto out;
    /* LogUps: V_0 (a split batch: its first chunk), .., V_{L-1}, A, then the second chunk. */
    for (uint32_t i = 0; version < 4 && i <= L + (s->split ? 1 : 0); i++) {
        const zkr_gl *v = i < L ? (i == 0 && s->split ? c->w->v0a : c->w->v[i])
                          : i == L ? c->w->a : c->w->v0b;
        unsigned pid = i <= L ? L + i : 2 * L + 2, na = zkr_eval_poly_vars(s, pid);
        zkr_logup_claims lc;
        zkr_ev_claim *ac, *mc;
#if ZKR_TEST_BUILD
        if (c->cheat)
            r = zkr_prover_logup_cheat(c->t, v, na, table, c->w->mu + 256 * (size_t)i,
                                       ZKR_INFER_TABLE_LOG, c->threads, &lg, &lc);
        else
#endif
            r = zkr_prover_logup(c->t, v, na, table, c->w->mu + 256 * (size_t)i,
                                 ZKR_INFER_TABLE_LOG, c->threads, &lg, &lc);
        if (r != ZKR_OK)
            goto out;
        ac = zkr_ev_claim_new(c->cl, pid);
        mc = zkr_ev_claim_new(c->cl, 2 * L + 1);
        if (!ac || !mc) {
            r = ZKR_ERR_INTERNAL;
            goto out;
        }
        memcpy(ac->pt, lc.ra, na * sizeof(zkr_ext));
        ac->val = lc.a_at_ra;
        memcpy(mc->pt, lc.rt, ZKR_INFER_TABLE_LOG * sizeof(zkr_ext));
        zkr_ev_bits(mc->pt + ZKR_INFER_TABLE_LOG, s->mu_log - ZKR_INFER_TABLE_LOG, i);
        mc->val = lc.m_at_rt;
    }
    if ((r = zkr_ev_argmax(c)) != ZKR_OK || (r = zkr_ev_count_sc(c, wit_records)) != ZKR_OK)
        goto out;
    for (uint32_t l = L; l-- > 0;) {
        zkr_ext rho[ZKR_EV_MAX_PT];
        if ((r = zkr_ev_zerocheck(c, l, rho)) != ZKR_OK ||
            (r = zkr_ev_matmul(c, l, rho, wit_records)) != ZKR_OK)
            goto out;
    }
    if ((r = zkr_ev_split_step(c)) != ZKR_OK)
        goto out;
    if ((r = version >= 2 ? zkr_ev_open2(c, wpoly, &pcs) : zkr_ev_open(c, wpoly, &pcs)) != ZKR_OK)
        goto out;
    if ((r = zkr_proof_begin(proof, c->mp->params->id, ZKR_KIND_EVALUATION1, statement_id, 5)) !=
            ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_STATEMENT, stmt->p, stmt->len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_EVAL_ROOTS, roots.p, roots.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_EVAL_LOGUP, lg.p, lg.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_EVAL_BODY, c->sec->p, c->sec->len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_PCS, pcs.p, pcs.len)) != ZKR_OK)
        goto out;
out:
    for (uint32_t i = 0; i < n_wit; i++)
        zkr_pcs_poly_free(wpoly[i]);
    zkr_buf_free(&roots);
    zkr_buf_free(&lg);
    zkr_buf_free(&pcs);
    return r;
}

typedef struct {
    zkr_eval_cheat_fn fn;
    void *ctx;
    unsigned min_gbits;
} zkr_ev_cheat;

#if ZKR_TEST_BUILD
/* Test builds: every entry column with its out-of-table entries set to 0, MU counted on it. */
static zkr_err zkr_ev_clamp_columns(zkr_ev_wit *w)
{
    const zkr_eval_shape *s = &w->sh;
    int bad = 0;
    zkr_err r;

    memset(w->mu, 0, ((size_t)1 << s->mu_log) * sizeof *w->mu);
    for (uint32_t i = 0; i <= s->inf.n_layers + (s->split ? 1 : 0); i++) {
        unsigned na;
        if ((r = zkr_ev_column(w, i, &na)) != ZKR_OK)
            return r;
        for (size_t k = 0; k < (size_t)1 << na; k++)
            if (w->col[i][k] >> s->tlog)
                w->col[i][k] = 0;
        zkr_ev_count_tab(w->col[i], (size_t)1 << na, s->tlog, w->mu + ((size_t)i << s->tlog),
                         &bad);
    }
    return ZKR_OK;
}

static zkr_err zkr_ev_apply_cheat(zkr_ev_wit *w, const uint8_t *labels, size_t rec_len,
                                  const zkr_ev_cheat *ch)
{
    zkr_eval_cheat_view view;
    size_t n0 = (size_t)1 << (w->sh.inf.layer[0].lm + w->sh.lb + w->sh.vlog[0]);
    zkr_gl *honest = malloc(n0 * sizeof *honest);
    zkr_err r;

    if (!honest)
        return ZKR_ERR_NOMEM;
    memcpy(honest, w->v[0], n0 * sizeof *honest);
    memset(&view, 0, sizeof view);
    view.shape = &w->sh;
    for (uint32_t l = 0; l < w->sh.inf.n_layers; l++) {
        view.v[l] = w->v[l];
        view.acc[l] = w->acc[l];
    }
    view.a = w->a;
    view.correct = w->correct;
    if ((r = ch->fn(ch->ctx, &view)) != ZKR_OK)
        goto out;
    w->correct = view.set_correct ? view.correct : zkr_ev_count(&w->sh, w->a, labels, rec_len);
    w->cheat_mask = view.mask_records;
    w->skip_range = view.skip_range;
    if ((r = zkr_ev_split_copy(w)) != ZKR_OK)
        goto out;
    if (view.chunks_only)
        memcpy(w->v[0], honest, n0 * sizeof *honest);
    if (!view.keep_mult) {
        (void)zkr_ev_mult(w, 0);
    } else if (w->sh.version >= 4) {
        /* MU kept; the entry columns still follow the edited witness. */
        for (uint32_t i = 0; i <= w->sh.inf.n_layers + (w->sh.split ? 1 : 0) && r == ZKR_OK; i++) {
            unsigned na;
            r = zkr_ev_column(w, i, &na);
        }
    }
    if (r == ZKR_OK && view.clamp_columns && w->sh.version >= 4)
        r = zkr_ev_clamp_columns(w);
out:
    free(honest);
    return r;
}
#endif

static zkr_err zkr_ev_prove(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                            const zkr_infer_model *im, const zkr_eval_batch *bt,
                            const uint8_t *wit_records, unsigned mode, uint64_t tau,
                            unsigned threads, const zkr_ev_cheat *cheat, unsigned version,
                            zkr_buf *proof, zkr_buf *output, uint64_t *correct, zkr_diag *d)
{
    zkr_infer_model_parts mp;
    zkr_ev_wit w;
    zkr_ev_claims *cl = NULL;
    zkr_buf stmt = {0}, sec = {0};
    zkr_transcript t;
    const uint8_t *wr = wit_records ? wit_records : bt->records;
    zkr_err r;

    proof->len = 0;
    output->len = 0;
    if (correct)
        *correct = 0;
    memset(&w, 0, sizeof w);
    zkr_infer_model_parts_of(im, &mp);
    if (p->id != mp.params->id)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "prover: model committed under set %u, not %u",
                        mp.params->id, p->id);
    if (mode > ZKR_EVAL_MODE_THRESHOLD)
        return zkr_fail(d, ZKR_ERR_USAGE, "prover: unknown output mode %u", mode);
    if (bt->rec_len != (size_t)mp.shape->input_dim + 1 || bt->n_bound > ZKR_EVAL_MAX_BOUNDARY ||
        !bt->records)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "dataset: records of %zu bytes, the model wants %u input bytes + label",
                        bt->rec_len, mp.shape->input_dim);
    if ((r = zkr_ev_witness_v(&mp, bt, wit_records, threads ? threads : 1, version,
                              cheat ? cheat->min_gbits : 0, &w, d)) != ZKR_OK)
        return r;
#if ZKR_TEST_BUILD
    if (cheat && (r = zkr_ev_apply_cheat(&w, wr, bt->rec_len, cheat)) != ZKR_OK)
        goto out;
#else
    (void)cheat;
#endif
    if (mode == ZKR_EVAL_MODE_THRESHOLD && w.correct < tau && !cheat) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                     "prover: %llu of %llu correct, below the threshold %llu",
                     (unsigned long long)w.correct, (unsigned long long)bt->count,
                     (unsigned long long)tau);
        goto out;
    }
    if ((r = zkr_eval_output_encode(mode, bt->count,
                                    mode == ZKR_EVAL_MODE_EXACT ? w.correct : tau, output)) !=
        ZKR_OK) {
        r = zkr_fail(d, r == ZKR_ERR_USAGE ? ZKR_ERR_MISMATCH_OUTPUT : r,
                     "prover: output not encodable (threshold above the record count?)");
        goto out;
    }
    if ((r = zkr_ev_statement(&mp, bt, output, w.correct, &stmt)) != ZKR_OK)
        goto out;
    if (!(cl = calloc(1, sizeof *cl))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    {
        zkr_ev_ctx c = {&mp, &w, bt, &t, threads ? threads : 1, &sec, cl, cheat != NULL};
        r = zkr_ev_body(&c, version, statement_id, &stmt, wr, proof);
    }
    if (r == ZKR_OK && correct)
        *correct = w.correct;
out:
    if (r != ZKR_OK) {
        proof->len = 0;
        output->len = 0;
    }
    zkr_ev_wit_free(&w);
    free(cl);
    zkr_buf_free(&stmt);
    zkr_buf_free(&sec);
    return r;
}

zkr_err zkr_prover_evaluation(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              const zkr_infer_model *im, const zkr_eval_batch *batch,
                              unsigned mode, uint64_t tau, unsigned threads, zkr_buf *proof,
                              zkr_buf *output, uint64_t *correct, zkr_diag *d)
{
    return zkr_ev_prove(p, statement_id, im, batch, NULL, mode, tau, threads, NULL,
                        ZKR_EVAL_VERSION, proof, output, correct, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_evaluation_version(const zkr_params *p,
                                      const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                      const zkr_infer_model *im, const zkr_eval_batch *batch,
                                      unsigned mode, uint64_t tau, unsigned threads,
                                      unsigned version, zkr_buf *proof, zkr_buf *output,
                                      zkr_diag *d)
{
    if (version < 1 || version > ZKR_EVAL_VERSION)
        return ZKR_ERR_USAGE;
    return zkr_ev_prove(p, statement_id, im, batch, NULL, mode, tau, threads, NULL, version,
                        proof, output, NULL, d);
}
#endif

#if ZKR_TEST_BUILD
zkr_err zkr_prover_evaluation_cheat(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    const zkr_infer_model *im, const zkr_eval_batch *batch,
                                    const uint8_t *wit_records, unsigned mode, uint64_t tau,
                                    zkr_eval_cheat_fn edit, void *ctx, zkr_buf *proof,
                                    zkr_buf *output, zkr_diag *d)
{
    return zkr_prover_evaluation_cheat_version(p, statement_id, im, batch, wit_records, mode, tau,
                                               ZKR_EVAL_VERSION, 0, edit, ctx, proof, output, d);
}

zkr_err zkr_prover_evaluation_cheat_version(const zkr_params *p,
                                            const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                            const zkr_infer_model *im,
                                            const zkr_eval_batch *batch,
                                            const uint8_t *wit_records, unsigned mode,
                                            uint64_t tau, unsigned version, unsigned min_gbits,
                                            zkr_eval_cheat_fn edit, void *ctx, zkr_buf *proof,
                                            zkr_buf *output, zkr_diag *d)
{
    zkr_ev_cheat ch = {edit, ctx, min_gbits};

    if (!edit || version < 1 || version > ZKR_EVAL_VERSION)
        return ZKR_ERR_USAGE;
    return zkr_ev_prove(p, statement_id, im, batch, wit_records, mode, tau, 1, &ch, version,
                        proof, output, NULL, d);
}
#endif
