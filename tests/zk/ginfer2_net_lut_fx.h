/*
 * The small CNN with a zero-knowledge LOOKUP shared by zk-ginfer2-net-lut
 * and bench/ginfer2_bench ("lut"): 1 x 6 x 6 record -> conv 2 3x3 (no
 * ReLU) -> LOOKUP (a tanh table, T[j] = round(127 tanh((j - 128) / 32)))
 * -> max pool 2x2/2 -> dense 3, g2n_fx's model generator (a smaller dense
 * multiplier), the logits by native inference (ml/ginfer.c on the same
 * model encoded as a graph-model file).
 */
#ifndef ZKR_TESTS_ZK_GINFER2_NET_LUT_FX_H
#define ZKR_TESTS_ZK_GINFER2_NET_LUT_FX_H

#include <math.h>

#include "ml/ml.h"
#include "tests/zk/ginfer2_net_fx.h"

#define G2NL_LUT 2u /* the LOOKUP node */

/*
 * kind G2NL_MAIN: conv 2 3x3 (no ReLU) -> LOOKUP -> max pool 2x2/2 -> dense 3;
 * G2NL_TWICE: conv -> LOOKUP -> LOOKUP -> dense (a lookup and a dense each
 * reading a lookup); G2NL_FIRST: a LOOKUP first (reading the record), then
 * MAIN; G2NL_LAST: MAIN then a LOOKUP (the last node); G2NL_DAG: conv c1 ->
 * LOOKUP l2 -> ADD(c1, l2) -> LOOKUP l4 -> ADD(l4, l2) (l2 read twice) ->
 * AVGPOOL 2x2/2 -> LOOKUP -> dense 3 (a LOOKUP reading an ADD and an
 * AVGPOOL, read by an ADD, an AVGPOOL and a dense).
 */
enum { G2NL_MAIN = 0, G2NL_TWICE = 1, G2NL_FIRST = 2, G2NL_LAST = 3, G2NL_DAG = 4 };

static inline void g2nl_dag(zkr_ml_gprog *g)
{
    uint32_t c1, l2, a;

    c1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {0}, .c = 2, .kh = 3,
                                  .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    l2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {c1}});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .n_in = 2, .in = {c1, l2}});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .n_in = 2, .in = {a, l2}});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {a}, .kh = 2,
                                 .kw = 2, .sh = 2, .sw = 2});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {a}, .c = 3});
}
static inline void g2nl_program(zkr_ml_gprog *g, int kind)
{
    uint32_t a = 0;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 6, .w = 6};
    g->n_nodes = 1;
    if (kind == G2NL_DAG) {
        g2nl_dag(g);
        return;
    }
    if (kind == G2NL_FIRST)
        a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {a}, .c = 2, .kh = 3,
                                 .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    if (kind == G2NL_TWICE)
        a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    else
        a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {a}, .kh = 2,
                                     .kw = 2, .sh = 2, .sw = 2});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {a}, .c = 3});
    if (kind == G2NL_LAST)
        (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
}

typedef struct {
    g2n_fx f;
    int64_t t[256];
    int8_t t8[256];
} g2nl_fx;

/*
 * The model (as g2n_fx_init's; f->mp.t[i] a LOOKUP's table, the model
 * commitment's LOOKUP entry), the table, the dataset (g2n_fx_records);
 * the record's logits by ml/ginfer.c (the input bytes without the label).
 */
/* kind G2NL_MAIN, G2NL_TWICE or G2NL_DAG (ADD: Ma = 16384 + i, Mb = 12000, shift 15). */
static inline zkr_err g2nl_init(g2nl_fx *x, uint64_t seed, int kind)
{
    g2n_fx *f = &x->f;
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 5;
    zkr_ml_gparams prm[ZKR_ML_G_MAX_NODES];
    uint32_t mu[ZKR_ML_G_MAX_NODES][4];
    int32_t bi[ZKR_ML_G_MAX_NODES][4];
    zkr_ml_gmodel *gm = NULL;
    zkr_ml_gtrace tr;
    zkr_buf mb = {0};
    zkr_err r;

    memset(x, 0, sizeof *x);
    memset(prm, 0, sizeof prm);
    memset(&tr, 0, sizeof tr);
    for (int j = 0; j < 256; j++) {
        x->t[j] = lround(127.0 * tanh((j - 128) / 32.0));
        x->t8[j] = (int8_t)x->t[j];
    }
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK)
        return r;
    g2nl_program(&f->g, kind);
    if ((r = zkr_ml_gprog_check(&f->g, NULL)) != ZKR_OK)
        return r;
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        const zkr_ml_gnode *n = &f->g.nodes[i];
        uint32_t fan = zkr_ml_gprog_fanin(&f->g, i);
        if (n->op == ZKR_ML_GOP_LOOKUP) {
            f->mp.t[i] = x->t, prm[i].table = x->t8;
            continue;
        }
        if (n->op == ZKR_ML_GOP_ADD) {
            if (!(f->m[i] = malloc(2 * sizeof *f->m[i])))
                return ZKR_ERR_NOMEM;
            f->m[i][0] = 16384 + i, f->m[i][1] = 12000;
            f->mp.m[i] = f->m[i], f->mp.shift[i] = 15;
            prm[i].ma = (uint32_t)f->m[i][0], prm[i].mb = (uint32_t)f->m[i][1], prm[i].shift = 15;
            continue;
        }
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        f->w[i] = malloc((size_t)n->c * fan);
        f->m[i] = malloc(n->c * sizeof *f->m[i]);
        f->b[i] = malloc(n->c * sizeof *f->b[i]);
        if (!f->w[i] || !f->m[i] || !f->b[i])
            return ZKR_ERR_NOMEM;
        for (size_t k = 0; k < (size_t)n->c * fan; k++)
            f->w[i][k] = (int8_t)((int)(g2n_fx_rnd(&s) % 255u) - 127);
        for (uint32_t c = 0; c < n->c; c++) {
            /* the dense reads saturated tanh values: a smaller multiplier keeps logits inside */
            f->m[i][c] = (int64_t)((1u << 16) / (fan * (n->op == ZKR_ML_GOP_DENSE ? 512u : 24u)) +
                                   1u + c);
            f->b[i][c] = (int64_t)(g2n_fx_rnd(&s) % 4096u) - 2048;
            mu[i][c] = (uint32_t)f->m[i][c], bi[i][c] = (int32_t)f->b[i][c];
        }
        f->mp.m[i] = f->m[i], f->mp.b[i] = f->b[i], f->mp.shift[i] = 16;
        prm[i].w = f->w[i], prm[i].mult = mu[i], prm[i].bias = bi[i], prm[i].shift = 16;
    }
    if ((r = g2n_fx_records(f, &s, seed)) != ZKR_OK) /* the dataset (version 3) */
        return r;
    if ((r = zkr_ginf2_net_init(&f->net, &f->g, &f->mp, NULL)) != ZKR_OK)
        return r;
    /* native inference: ml/ginfer.c on the encoded graph model */
    if ((r = zkr_ml_gmodel_encode(&f->g, prm, &mb, NULL)) == ZKR_OK &&
        (r = zkr_ml_gmodel_decode(mb.p, mb.len, &gm, NULL)) == ZKR_OK &&
        (r = zkr_ml_gtrace_init(&tr, &f->g)) == ZKR_OK &&
        (r = zkr_ml_ginfer(gm, f->record, f->record_len - 1, &tr, NULL)) == ZKR_OK) {
        uint32_t last = f->g.n_nodes - 1;
        f->n_logits = zkr_ml_gprog_elems(&f->g, last);
        memcpy(f->logits, tr.y[last], f->n_logits);
    }
    zkr_ml_gtrace_free(&tr);
    zkr_ml_gmodel_free(gm);
    zkr_buf_free(&mb);
    return r;
}


#endif
