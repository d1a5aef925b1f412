/*
 * Graph models for the graph-inference@1 and evaluation-graph@1 tests and
 * bench: LeNet-5 and a small LeNet-shaped program for quick tests, random
 * weights with M scaled to the fan-in.
 */
#ifndef ZKR_TESTS_GEVAL_FIXTURE_H
#define ZKR_TESTS_GEVAL_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "prover/geval.h"
#include "verifier/geval.h"

typedef uint64_t (*gx_rnd_fn)(void *ctx);

static inline uint32_t gx_add(zkr_ml_gprog *g, zkr_ml_gnode n)
{
    uint32_t i = g->n_nodes++;

    g->nodes[i] = n;
    if (zkr_ml_gprog_set_shape(g, i, NULL) != ZKR_OK)
        g->nodes[i].c = 0;
    return i;
}

/* LeNet-5 (hw 28, c1 6, c2 16, dense 120-84-10) or its small twin (hw 12, c1 4, c2 8, dense 16-10). */
static inline void gx_lenet(zkr_ml_gprog *g, int small)
{
    uint32_t c1, p1, c2, p2, f1, f2;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = small ? 12 : 28,
                                 .w = small ? 12 : 28};
    g->n_nodes = 1;
    c1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .c = small ? 4 : 6, .kh = small ? 3 : 5, .kw = small ? 3 : 5,
                                  .sh = 1, .sw = 1, .pt = small ? 1 : 2, .pl = small ? 1 : 2,
                                  .pb = small ? 1 : 2, .pr = small ? 1 : 2, .dh = 1, .dw = 1,
                                  .groups = 1});
    p1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c1}, .kh = 2,
                                  .kw = 2, .sh = 2, .sw = 2});
    c2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .in = {p1}, .c = small ? 8 : 16, .kh = small ? 3 : 5,
                                  .kw = small ? 3 : 5, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
                                  .groups = 1});
    p2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c2}, .kh = 2,
                                  .kw = 2, .sh = 2, .sw = 2});
    f1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .in = {p2}, .c = small ? 16 : 120});
    f2 = f1;
    if (!small)
        f2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                      .in = {f1}, .c = 84});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {f2}, .c = 10});
}

/*
 * A residual program with every proven op: conv, depthwise dilated conv,
 * ADD, LOOKUP (when lookup; evaluation-graph@1 refuses it over a batch),
 * average pool, padded max pool, ADD of a tensor read twice, dense.
 */
static inline void gx_resid(zkr_ml_gprog *g, int lookup)
{
    uint32_t c1, c2, a, ap, mp, a2;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 2, .h = 8, .w = 8};
    g->n_nodes = 1;
    c1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .c = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                                  .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    c2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {c1}, .c = 4, .kh = 3,
                                  .kw = 3, .sh = 1, .sw = 1, .pt = 2, .pl = 2, .pb = 2, .pr = 2,
                                  .dh = 2, .dw = 2, .groups = 4});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .act = ZKR_ML_ACT_RELU, .n_in = 2,
                                 .in = {c1, c2}});
    if (lookup)
        a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    ap = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {a}, .kh = 2,
                                  .kw = 2, .sh = 2, .sw = 2});
    mp = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {ap}, .kh = 3,
                                  .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1});
    a2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .n_in = 2, .in = {mp, ap}});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {a2}, .c = 10});
}

/*
 * CONCAT on channels (Inception / DenseNet style): 2x8x8 input, conv 3@3x3
 * pad 1 ReLU (a), conv 5@1x1 (b), padded 3x3 max pool of a (p),
 * CONCAT(a, b, p) 11x8x8 (channel counts not powers of two), conv
 * 6@3x3 stride 2 ReLU (d), a 2x2 average pool of the concat (q) and a
 * depthwise 3x3 stride 2 ReLU conv of it with a channel multiplier of 3
 * (groups 11, 33 outputs: m), CONCAT(d, q, m) 50x4x4, then DENSE 10, or
 * (last_cat) DENSE 6 and DENSE 4
 * of it concatenated as the 10 outputs (a vector, as evaluation-graph@1
 * takes; the CONCAT is the last node).
 */
/*
 * CONCAT of four inputs of 1, 4, 1 and 2 channels (two with no channel
 * variable: a sumcheck of no rounds), 2x4x4 input, then DENSE 5.
 */
static inline void gx_concat4(zkr_ml_gprog *g)
{
    uint32_t a, b, p, d, k;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 2, .h = 4, .w = 4};
    g->n_nodes = 1;
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                 .c = 1, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                                 .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    b = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 4, .kh = 1, .kw = 1,
                                 .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    p = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {a}, .kh = 3, .kw = 3,
                                 .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1});
    d = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {b}, .c = 2, .kh = 3,
                                 .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1,
                                 .dh = 1, .dw = 1, .groups = 1});
    k = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 4, .in = {a, b, p, d}});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {k}, .c = 5});
}

static inline void gx_concat(zkr_ml_gprog *g, int last_cat)
{
    uint32_t a, b, p, k, dn, q, dm, k2, f1, f2;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 2, .h = 8, .w = 8};
    g->n_nodes = 1;
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                 .c = 3, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                                 .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    b = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .c = 5, .kh = 1, .kw = 1,
                                 .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    p = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {a}, .kh = 3, .kw = 3,
                                 .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1});
    k = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 3, .in = {a, b, p}});
    dn = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .in = {k}, .c = 6, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pt = 1,
                                  .pl = 1, .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    q = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {k}, .kh = 2, .kw = 2,
                                 .sh = 2, .sw = 2});
    dm = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .in = {k}, .c = 33, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pt = 1,
                                  .pl = 1, .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 11});
    k2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 3, .in = {dn, q, dm}});
    if (!last_cat) {
        (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {k2}, .c = 10});
        return;
    }
    f1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {k2}, .c = 6});
    f2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {k2}, .c = 4});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {f1, f2}});
}

typedef struct {
    zkr_ml_gprog g;
    zkr_ginf_params mp;
    zkr_ginf_model_in in;
    int8_t *w[ZKR_ML_G_MAX_NODES];
    int64_t *b[ZKR_ML_G_MAX_NODES], *m[ZKR_ML_G_MAX_NODES];
} gx_model;

/*
 * Random weights (rnd(ctx) drawn in node order); M scaled to the fan-in so
 * that activations stay in range; a LOOKUP node gets a LeakyReLU-like
 * table with T(0) != 0. The parameters' bounds are left unset.
 */
static inline void gx_model_fill(gx_model *md, gx_rnd_fn rnd, void *ctx)
{
    memset(&md->mp, 0, sizeof md->mp);
    memset(&md->in, 0, sizeof md->in);
    for (uint32_t i = 1; i < md->g.n_nodes; i++) {
        const zkr_ml_gnode *n = &md->g.nodes[i];
        uint32_t fan = zkr_ml_gprog_fanin(&md->g, i);
        md->w[i] = NULL, md->b[i] = md->m[i] = NULL;
        if (n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_DENSE) {
            size_t nw = (size_t)n->c * fan;
            md->w[i] = malloc(nw);
            md->b[i] = malloc(n->c * sizeof(int64_t));
            md->m[i] = malloc(n->c * sizeof(int64_t));
            if (!md->w[i] || !md->b[i] || !md->m[i])
                abort();
            for (size_t k = 0; k < nw; k++)
                md->w[i][k] = (int8_t)((int)(rnd(ctx) % 255) - 127);
            for (uint32_t c = 0; c < n->c; c++) {
                md->b[i][c] = (int64_t)(rnd(ctx) % 20001) - 10000;
                md->m[i][c] = (int64_t)((1u << 20) / (fan * 40u) + rnd(ctx) % 64);
            }
            md->mp.shift[i] = 20;
        } else if (n->op == ZKR_ML_GOP_ADD) {
            md->mp.ma[i] = 3 << 14;
            md->mp.mb[i] = 5 << 13;
            md->mp.shift[i] = 16;
        } else if (n->op == ZKR_ML_GOP_LOOKUP) {
            for (int k = 0; k < 256; k++) {
                int v = (k - 128) * 3 / 4 + 7;
                md->mp.table[i][k] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
            }
        }
        md->in.w[i] = md->w[i], md->in.b[i] = md->b[i], md->in.m[i] = md->m[i];
    }
    md->in.g = &md->g;
    md->in.mp = &md->mp;
}

/* gx_model_fill, then the parameters' bounds (zkr_ginf_params_bound). */
static inline void gx_model_init(gx_model *md, gx_rnd_fn rnd, void *ctx)
{
    gx_model_fill(md, rnd, ctx);
    zkr_ginf_params_bound(&md->in, &md->mp);
}

static inline void gx_model_free(gx_model *md)
{
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        free(md->w[i]);
        free(md->b[i]);
        free(md->m[i]);
        md->w[i] = NULL, md->b[i] = md->m[i] = NULL;
    }
}

/*
 * A dataset of n records (input bytes, then a label): every third
 * record's label is its native argmax, the others' are random (so a count
 * is neither 0 nor n). *out is malloc'ed (n (ne0 + 1) bytes).
 */
static inline uint8_t *gx_dataset(const gx_model *md, gx_rnd_fn rnd, void *ctx, uint64_t n)
{
    size_t ne0 = zkr_ml_gprog_elems(&md->g, 0), ne = zkr_ml_gprog_elems(&md->g, md->g.n_nodes - 1);
    uint8_t *ds = malloc(n * (ne0 + 1));
    int8_t y[256];

    if (!ds || ne > sizeof y)
        abort();
    for (uint64_t k = 0; k < n; k++) {
        uint8_t *rec = ds + k * (ne0 + 1);
        for (size_t j = 0; j < ne0; j++)
            rec[j] = (uint8_t)rnd(ctx);
        if (zkr_ginf_native(&md->in, rec, y, ne) != ZKR_OK)
            abort();
        rec[ne0] = k % 3 == 0 ? (uint8_t)zkr_geval_argmax(y, (uint32_t)ne) : (uint8_t)(rnd(ctx) % ne);
    }
    return ds;
}

/*
 * The binding of records [first, first + count) of the dataset (mode and
 * value set, correct 0) and the dataset commitment.
 */
static inline void gx_binding(const gx_model *md, const uint8_t *ds, uint64_t n, uint64_t first,
                       uint64_t count, uint8_t mode, uint64_t value, zkr_geval_binding *b,
                       uint8_t dc[ZKR_DIGEST_BYTES])
{
    size_t rl = zkr_ml_gprog_elems(&md->g, 0) + 1, nb = 0;
    uint8_t (*leaves)[ZKR_DIGEST_BYTES] = malloc(n * sizeof *leaves);

    if (!leaves)
        abort();
    memset(b, 0, sizeof *b);
    for (uint64_t k = 0; k < n; k++)
        zkr_infer_record_commitment(ds + k * rl, rl, leaves[k]);
    if (zkr_eval_range_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, 0, n, NULL, 0,
                            b->root) != ZKR_OK ||
        zkr_eval_range_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, first, count, b->bound,
                             &nb) != ZKR_OK)
        abort();
    b->n = n;
    b->first = first;
    b->count = count;
    b->n_bound = (uint32_t)nb;
    b->mode = mode;
    b->value = value;
    zkr_infer_dataset_commitment(n, b->root, dc);
    free(leaves);
}

/*
 * The verifier's statement: binding b of the dataset committed as dc, its
 * records recs (rl bytes each), md committed as comm, statement id sid.
 */
static inline void gx_statement(const gx_model *md, const uint8_t sid[ZKR_DIGEST_BYTES],
                                const zkr_pcs_commitment *comm,
                                const uint8_t dc[ZKR_DIGEST_BYTES], const zkr_geval_binding *b,
                                const uint8_t *recs, size_t rl, zkr_verifier_geval_statement *st)
{
    memset(st, 0, sizeof *st);
    memcpy(st->statement_id, sid, ZKR_DIGEST_BYTES);
    st->param_set = ZKR_PARAM_SET_128;
    st->g = &md->g;
    st->mp = &md->mp;
    st->model = *comm;
    memcpy(st->dataset, dc, ZKR_DIGEST_BYTES);
    st->first = b->first;
    st->count = b->count;
    st->records = recs;
    st->records_len = b->count * rl;
    st->mode = b->mode;
    st->value = b->value;
}

#endif
