/*
 * The residual CNN of zk-ginfer2-add and bench/ginfer2_bench (residual),
 * the mixed CNN (depthwise, ADD, AVGPOOL, CONCAT) of zk-ginfer2-dw-net and
 * bench/ginfer2_bench (mixed):
 * graph-inference@2's DAG programs with ADD (zk/ginfer2_add.h), on
 * tests/zk/ginfer2_net_fx.h's fixture type, its logits by native inference
 * (ml/ginfer.c on the model encoded and decoded).
 */
#ifndef ZKR_TESTS_ZK_GINFER2_RES_FX_H
#define ZKR_TESTS_ZK_GINFER2_RES_FX_H

#include <stdio.h>

#include "ml/ml.h"
#include "tests/zk/ginfer2_net_fx.h"

/*
 * The residual CNN: 1 x 6 x 6 -> conv 3x3 pad 1 ReLU (c1) -> conv 3x3 pad 1
 * (c2) -> add(c2, c1) ReLU -> max pool 2x2 -> add(p, p) -> dense 3.
 */
static inline void g2n_fx_residual_prog(zkr_ml_gprog *g)
{
    uint32_t c1, c2, a1, p1, a2;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 6, .w = 6};
    g->n_nodes = 1;
    c1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .c = 2, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                                  .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    c2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {c1}, .c = 2, .kh = 3,
                                  .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1,
                                  .dh = 1, .dw = 1, .groups = 1});
    a1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .act = ZKR_ML_ACT_RELU, .n_in = 2,
                                  .in = {c2, c1}});
    p1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {a1}, .kh = 2,
                                  .kw = 2, .sh = 2, .sw = 2});
    a2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .n_in = 2, .in = {p1, p1}});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {a2}, .c = 3});
}

/*
 * f's graph model (ml/ml.h's file: CONV / DENSE weights, M, b, shift; ADD
 * Ma, Mb, shift; LOOKUP f->mp.t's table as int8), encoded and decoded.
 * NOMEM, or as zkr_ml_gmodel_encode.
 */
static inline zkr_err g2n_fx_gmodel(const g2n_fx *f, zkr_ml_gmodel **out)
{
    zkr_ml_gparams prm[G2N_FX_MAX];
    int32_t *bias[G2N_FX_MAX] = {0};
    uint32_t *mult[G2N_FX_MAX] = {0};
    int8_t tb[G2N_FX_MAX][256];
    zkr_buf enc = {0};
    zkr_err r = ZKR_OK;

    *out = NULL;
    memset(prm, 0, sizeof prm);
    for (uint32_t i = 1; i < f->g.n_nodes && r == ZKR_OK; i++) {
        const zkr_ml_gnode *n = &f->g.nodes[i];
        prm[i].shift = f->mp.shift[i];
        if (n->op == ZKR_ML_GOP_LOOKUP && f->mp.t[i]) {
            for (unsigned k = 0; k < 256; k++)
                tb[i][k] = (int8_t)f->mp.t[i][k];
            prm[i].table = tb[i], prm[i].shift = 0;
        }
        if (n->op == ZKR_ML_GOP_ADD)
            prm[i].ma = (uint32_t)f->m[i][0], prm[i].mb = (uint32_t)f->m[i][1];
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        bias[i] = malloc(n->c * sizeof *bias[i]), mult[i] = malloc(n->c * sizeof *mult[i]);
        if (!bias[i] || !mult[i]) {
            r = ZKR_ERR_NOMEM;
            break;
        }
        for (uint32_t c = 0; c < n->c; c++)
            bias[i][c] = (int32_t)f->b[i][c], mult[i][c] = (uint32_t)f->m[i][c];
        prm[i].w = f->w[i], prm[i].bias = bias[i], prm[i].mult = mult[i];
    }
    if (r == ZKR_OK && (r = zkr_ml_gmodel_encode(&f->g, prm, &enc, NULL)) == ZKR_OK)
        r = zkr_ml_gmodel_decode(enc.p, enc.len, out, NULL);
    for (uint32_t i = 0; i < G2N_FX_MAX; i++)
        free(bias[i]), free(mult[i]);
    zkr_buf_free(&enc);
    return r;
}

/*
 * f's model committed by zkr_prover_ginfer2_commit (the CLI's path, from
 * f's graph model file), a fresh dataset (g2n_fx_commit), a proof through
 * the committed model (reduced set: no grinding) verified against that
 * commitment's digest and f's logits. The verifier's verdict, or the
 * first error.
 */
static inline zkr_err g2n_fx_via_commit(g2n_fx *f, uint8_t tag)
{
    uint8_t seed[32], op[ZKR_GINF2_OPENING_BYTES], dg[ZKR_DIGEST_BYTES];
    zkr_ml_gmodel *m = NULL;
    zkr_ginf2_model *gm = NULL;
    zkr_buf enc = {0}, pf = {0}, out = {0};
    zkr_prover_ginf2_in in;
    zkr_verifier_ginf2_statement st;
    zkr_ginf2_popts o = {1, f->reduced ? ZKR_GINF2_OFF_GRIND : 0u, 0, 0, 0, 0};
    zkr_zkrng g;
    zkr_err r;

    memset(seed, tag, sizeof seed);
    memset(&g, 0, sizeof g);
    if ((r = g2n_fx_gmodel(f, &m)) != ZKR_OK ||
        (r = zkr_prover_ginfer2_commit(&f->p, m, 1, seed, sizeof seed, 1, &gm, &enc, op,
                                       NULL)) != ZKR_OK ||
        (r = zkr_zkrng_seeded(&g, seed, sizeof seed, "g2n via commit", NULL, 0)) != ZKR_OK ||
        (r = g2n_fx_commit(f, 1, &g)) != ZKR_OK)
        goto out;
    memset(&in, 0, sizeof in);
    zkr_ginf2_model_input(gm, &in);
    in.statement_id = f->sid, in.rec = &f->rec, in.x = f->xp;
    if ((r = zkr_prover_ginfer2(&f->p, &in, &o, &g, &pf, &out, NULL)) != ZKR_OK)
        goto out;
    zkr_ginf2_mc_digest(enc.p, enc.len, dg);
    g2n_fx_statement(f, &st);
    st.model_commitment = dg;
    r = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL);
out:
    zkr_zkrng_wipe(&g);
    zkr_ginf2_model_free(gm);
    zkr_ml_gmodel_free(m);
    zkr_buf_free(&enc), zkr_buf_free(&pf), zkr_buf_free(&out);
    return r;
}

/* The record's logits by native inference (ml/ginfer.c) on f's model, encoded and decoded. */
static inline zkr_err g2n_fx_residual_native(g2n_fx *f)
{
    zkr_ml_gmodel *m = NULL;
    zkr_ml_gtrace tr;
    zkr_err r;

    memset(&tr, 0, sizeof tr);
    if ((r = g2n_fx_gmodel(f, &m)) == ZKR_OK && (r = zkr_ml_gtrace_init(&tr, &f->g)) == ZKR_OK &&
        (r = zkr_ml_ginfer(m, f->record, f->record_len - 1, &tr, NULL)) == ZKR_OK) {
        f->n_logits = zkr_ml_gprog_elems(&f->g, f->g.n_nodes - 1);
        memcpy(f->logits, tr.y[f->g.n_nodes - 1], f->n_logits);
    }
    zkr_ml_gtrace_free(&tr);
    zkr_ml_gmodel_free(m);
    return r;
}

/*
 * f's model for the DAG program prog builds (CONV / DENSE as
 * g2n_fx_init's; ADD: Ma = ma, Mb = 21000 + i, shift 15; f->m[i] = {Ma,
 * Mb}, the model commitment's ADD entry) and dataset (g2n_fx_records)
 * from seed, the layout, the record's logits by native inference
 * (ml/ginfer.c, the input bytes without the label).
 */
static inline zkr_err g2n_fx_dag(g2n_fx *f, uint64_t seed, int64_t ma,
                                 void (*prog)(zkr_ml_gprog *))
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 5;
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK)
        return r;
    prog(&f->g);
    if ((r = zkr_ml_gprog_check(&f->g, NULL)) != ZKR_OK) {
        fprintf(stderr, "# program refused\n");
        return r;
    }
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        const zkr_ml_gnode *n = &f->g.nodes[i];
        uint32_t fan = zkr_ml_gprog_fanin(&f->g, i);
        if (n->op == ZKR_ML_GOP_ADD) {
            if (!(f->m[i] = malloc(2 * sizeof *f->m[i])))
                return ZKR_ERR_NOMEM;
            f->m[i][0] = ma, f->m[i][1] = 21000 + i;
            f->mp.m[i] = f->m[i], f->mp.shift[i] = 15;
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
            f->m[i][c] = (int64_t)((1u << 16) / (fan * 24u) + 1u + c);
            f->b[i][c] = (int64_t)(g2n_fx_rnd(&s) % 4096u) - 2048;
        }
        f->mp.m[i] = f->m[i], f->mp.b[i] = f->b[i], f->mp.shift[i] = 16;
    }
    if ((r = g2n_fx_records(f, &s, seed)) != ZKR_OK)
        return r;
    {
        zkr_diag dg;
        zkr_diag_clear(&dg);
        if ((r = zkr_ginf2_net_init(&f->net, &f->g, &f->mp, &dg)) != ZKR_OK) {
            fprintf(stderr, "# DAG net: %s\n", dg.msg);
            return r;
        }
    }
    return g2n_fx_residual_native(f);
}

/*
 * The mixed CNN of zk-ginfer2-dw-net and bench/ginfer2_bench (mixed): record 1 x 6 x 6 -> [1] conv 3x3 pad 1
 * ReLU (2) -> [2] depthwise 3x3 pad 1 (2) -> [3] ADD(2, 1) ReLU -> [4]
 * AVGPOOL 3x3/1 pad 1 of [3] -> [5] CONCAT(3, 4) -> [6] CONCAT(5, 2) (6 x
 * 6 x 6) -> [7] dense 3: CONCAT reads an ADD's V, an AVGPOOL's Yb block,
 * a CONCAT's V and a requantization's V.
 */
static inline void g2n_fx_mix_prog(zkr_ml_gprog *g)
{
    uint32_t c1, d2, a3, p4, k5, k6;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 6, .w = 6};
    g->n_nodes = 1;
    c1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .c = 2, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                                  .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    d2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {c1}, .c = 2, .kh = 3,
                                  .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1,
                                  .dh = 1, .dw = 1, .groups = 2});
    a3 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .act = ZKR_ML_ACT_RELU, .n_in = 2,
                                  .in = {d2, c1}});
    p4 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {a3}, .kh = 3,
                                  .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1});
    k5 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {a3, p4}});
    k6 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {k5, d2}});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {k6}, .c = 3});
}

/* g2n_fx_dag on the residual CNN. */
static inline zkr_err g2n_fx_residual(g2n_fx *f, uint64_t seed, int64_t ma)
{
    return g2n_fx_dag(f, seed, ma, g2n_fx_residual_prog);
}

#endif
