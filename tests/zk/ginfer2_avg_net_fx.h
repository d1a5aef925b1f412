/*
 * The whole-network fixture with average pooling shared by
 * zk-ginfer2-avg-net and bench/ginfer2_bench (avg): 1 x 8 x 8 record ->
 * conv 4 3x3 pad 1 ReLU -> max pool 2x2/2 -> average pool 3x3/1 pad 1 ->
 * conv 4 3x3 pad 1 -> global average pool 4x4 -> dense 3, the model and
 * record drawn as g2n_fx_init's, the reference logits by native inference
 * (ml/ginfer.c's zkr_ml_ginfer on the encoded model).
 */
#ifndef ZKR_TESTS_ZK_GINFER2_AVG_NET_FX_H
#define ZKR_TESTS_ZK_GINFER2_AVG_NET_FX_H

#include "ml/ml.h"
#include "tests/zk/ginfer2_net_fx.h"

static inline void g2an_fx_prog(zkr_ml_gprog *g)
{
    uint32_t c1, p1, a1, c2, a2;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 8, .w = 8};
    g->n_nodes = 1;
    c1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .c = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
                                  .pt = 1, .pl = 1, .pb = 1, .pr = 1, .groups = 1});
    p1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c1}, .kh = 2,
                                  .kw = 2, .sh = 2, .sw = 2});
    a1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {p1}, .kh = 3,
                                  .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1});
    c2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {a1}, .c = 4, .kh = 3,
                                  .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .pt = 1, .pl = 1,
                                  .pb = 1, .pr = 1, .groups = 1});
    a2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {c2}, .kh = 4,
                                  .kw = 4, .sh = 1, .sw = 1});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {a2}, .c = 3});
}

/*
 * An AVGPOOL reading an AVGPOOL (soundness-ginfer2-avg): 1 x 8 x 8 record ->
 * conv 4 3x3 pad 1 ReLU -> average pool 2x2/2 (reading the requantization,
 * in_off 0) -> global average pool 4x4 (reading that pooling's V) -> dense 3.
 */
static inline void g2an_fx_prog_avg2(zkr_ml_gprog *g)
{
    uint32_t c1, a1, a2;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 8, .w = 8};
    g->n_nodes = 1;
    c1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .c = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
                                  .pt = 1, .pl = 1, .pb = 1, .pr = 1, .groups = 1});
    a1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {c1}, .kh = 2,
                                  .kw = 2, .sh = 2, .sw = 2});
    a2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {a1}, .kh = 4,
                                  .kw = 4, .sh = 1, .sw = 1});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {a2}, .c = 3});
}

static inline zkr_err g2an_fx_init_g(g2n_fx *f, uint64_t seed, void (*prog)(zkr_ml_gprog *));

/*
 * g2n_fx_init's model and dataset (g2n_fx_records) for avg_prog; the
 * record's logits by zkr_ml_ginfer (the input bytes without the label).
 */
static inline zkr_err g2an_fx_init(g2n_fx *f, uint64_t seed)
{
    return g2an_fx_init_g(f, seed, g2an_fx_prog);
}

/* The same for the program prog writes. */
static inline zkr_err g2an_fx_init_g(g2n_fx *f, uint64_t seed, void (*prog)(zkr_ml_gprog *))
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 5;
    zkr_ml_gparams prm[ZKR_GINF2_NET_MAX_NODES];
    int32_t *bias[ZKR_GINF2_NET_MAX_NODES] = {0};
    uint32_t *mult[ZKR_GINF2_NET_MAX_NODES] = {0};
    zkr_ml_gmodel *m = NULL;
    zkr_ml_gtrace tr;
    zkr_buf enc = {0};
    zkr_err r;

    memset(f, 0, sizeof *f), memset(prm, 0, sizeof prm), memset(&tr, 0, sizeof tr);
    prog(&f->g);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK ||
        (r = zkr_ml_gprog_check(&f->g, NULL)) != ZKR_OK)
        return r;
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        const zkr_ml_gnode *n = &f->g.nodes[i];
        uint32_t fan = zkr_ml_gprog_fanin(&f->g, i);
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        f->w[i] = malloc((size_t)n->c * fan);
        f->m[i] = malloc(n->c * sizeof *f->m[i]), f->b[i] = malloc(n->c * sizeof *f->b[i]);
        bias[i] = malloc(n->c * sizeof *bias[i]), mult[i] = malloc(n->c * sizeof *mult[i]);
        r = ZKR_ERR_NOMEM;
        if (!f->w[i] || !f->m[i] || !f->b[i] || !bias[i] || !mult[i])
            goto out;
        for (size_t k = 0; k < (size_t)n->c * fan; k++)
            f->w[i][k] = (int8_t)((int)(g2n_fx_rnd(&s) % 255u) - 127);
        for (uint32_t c = 0; c < n->c; c++) {
            f->m[i][c] = (int64_t)((1u << 16) / (fan * 24u) + 1u + c);
            f->b[i][c] = (int64_t)(g2n_fx_rnd(&s) % 4096u) - 2048;
            mult[i][c] = (uint32_t)f->m[i][c], bias[i][c] = (int32_t)f->b[i][c];
        }
        f->mp.m[i] = f->m[i], f->mp.b[i] = f->b[i], f->mp.shift[i] = 16;
        prm[i] = (zkr_ml_gparams){.w = f->w[i], .bias = bias[i], .mult = mult[i], .shift = 16};
    }
    if ((r = g2n_fx_records(f, &s, seed)) != ZKR_OK ||
        (r = zkr_ginf2_net_init(&f->net, &f->g, &f->mp, NULL)) != ZKR_OK ||
        (r = zkr_ml_gmodel_encode(&f->g, prm, &enc, NULL)) != ZKR_OK ||
        (r = zkr_ml_gmodel_decode(enc.p, enc.len, &m, NULL)) != ZKR_OK ||
        (r = zkr_ml_gtrace_init(&tr, &f->g)) != ZKR_OK ||
        (r = zkr_ml_ginfer(m, f->record, f->record_len - 1, &tr, NULL)) != ZKR_OK)
        goto out;
    f->n_logits = zkr_ml_gprog_elems(&f->g, f->g.n_nodes - 1);
    memcpy(f->logits, tr.y[f->g.n_nodes - 1], f->n_logits);
out:
    for (uint32_t i = 0; i < ZKR_GINF2_NET_MAX_NODES; i++)
        free(bias[i]), free(mult[i]);
    zkr_ml_gtrace_free(&tr);
    zkr_ml_gmodel_free(m);
    zkr_buf_free(&enc);
    return r;
}

#endif
