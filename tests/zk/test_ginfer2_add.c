/*
 * zk-ginfer2-add: graph-inference@2's zero-knowledge residual ADD
 * (zk/ginfer2_add.h) and DAG programs.
 * The relation, on the tests' reduced set (tests/zk/ginfer2_add_fx.h): an
 * honest ADD (X a plain tensor, X2 block 1 of a 4-block table read as
 * entry - 128; ReLU and not) and an ADD of one node with itself verify, V's
 * slot 0 is the reference; a bit flip, a truncation, another V's
 * commitment, another Mb are refused.
 * The whole network: a residual CNN (1 x 6 x 6 -> conv 3x3 pad 1 ReLU (c1)
 * -> conv 3x3 pad 1 (c2) -> add(c2, c1) ReLU -> max pool 2x2 -> add(p, p)
 * -> dense 3), model and record random, the logits of native inference
 * (ml/ginfer.c). At the production parameters once: it verifies, the
 * logits equal native inference, a bit flip is refused, the soundness
 * figure is >= the target. On the reduced set: the same seeds give the
 * same bytes, bit flips, another model commitment, another expected output,
 * another Ma are refused.
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "ml/ml.h"
#include "tests/tap.h"
#include "tests/zk/ginfer2_add_fx.h"
#include "tests/zk/ginfer2_net_fx.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 add", NULL, 0);
}

static void relation(zkr_tap *t, int same, int relu)
{
    static const zkr_ginf2_popts o = {1, 0, 0, 0, 1, 0};
    g2afx f;
    zkr_zkrng g;
    zkr_buf pf = {0};
    int ok;

    ok = g2afx_init(&f, same, relu, 11u + (unsigned)same) == ZKR_OK && seeded(&g, 3) == ZKR_OK &&
         g2afx_commit(&f, &g) == ZKR_OK && g2afx_prove(&f, &o, &g, &pf) == ZKR_OK;
    zkr_tap_ok(t, ok && g2afx_verify(&f, NULL, NULL, 0, pf.p, pf.len) == ZKR_OK,
               "ADD (%s, %s) verifies", same ? "X + X" : "X + X2 (block 1, in_off -128)",
               relu ? "ReLU" : "no act");
    if (ok) {
        int eq = 1;
        for (uint32_t c = 0; c < G2AFX_C; c++)
            for (uint32_t y = 0; y < G2AFX_H; y++)
                for (uint32_t x = 0; x < G2AFX_W; x++)
                    eq &= zkr_ginf2_add_out(&f.a, f.vt, g2afx_p(&f, c, y, x)) ==
                          f.y[((size_t)c * G2AFX_H + y) * G2AFX_W + x];
        zkr_tap_ok(t, eq, "ADD's output slot equals the reference (docs/quantization.md 7.1)");
    }
    if (ok && !same && relu) {
        zkr_ginf2_add a2;
        zkr_ginf2_cin c1 = {0u, 0u, 0, -128}, c2 = {2u, 1u, -128, -128};
        pf.p[pf.len / 2] ^= 4;
        zkr_tap_ok(t, g2afx_verify(&f, NULL, NULL, 0, pf.p, pf.len) != ZKR_OK,
                   "ADD: a bit flip is refused");
        pf.p[pf.len / 2] ^= 4;
        zkr_tap_ok(t, g2afx_verify(&f, NULL, NULL, 0, pf.p, pf.len - 1) != ZKR_OK,
                   "ADD: a truncated proof is refused");
        zkr_tap_ok(t, zkr_ginf2_add_init(&a2, G2AFX_C, G2AFX_H, G2AFX_W, G2AFX_MA, G2AFX_MB + 1,
                                         G2AFX_SHIFT, relu, &c1, &c2) == ZKR_OK &&
                          g2afx_verify(&f, &a2, NULL, 0, pf.p, pf.len) == ZKR_ERR_VERIFY,
                   "ADD: another Mb is refused");
        {
            g2afx f2;
            zkr_zkrng g2;
            int ok2 = g2afx_init(&f2, 0, relu, 99) == ZKR_OK && seeded(&g2, 4) == ZKR_OK &&
                      g2afx_commit(&f2, &g2) == ZKR_OK;
            zkr_tap_ok(t, ok2 && g2afx_verify(&f, NULL, &f2.vc, 0, pf.p, pf.len) != ZKR_OK,
                       "ADD: another V's commitment is refused");
            g2afx_free(&f2);
        }
    }
    zkr_buf_free(&pf);
    g2afx_free(&f);
}

/* The residual CNN (header comment). */
static void residual_prog(zkr_ml_gprog *g)
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

/* The logits by native inference (ml/ginfer.c) on f's model, encoded and decoded. */
static zkr_err native(g2n_fx *f)
{
    zkr_ml_gparams prm[G2N_FX_MAX];
    int32_t bias[G2N_FX_MAX][8];
    uint32_t mult[G2N_FX_MAX][8];
    zkr_buf enc = {0};
    zkr_ml_gmodel *m = NULL;
    zkr_ml_gtrace tr;
    zkr_err r;

    memset(prm, 0, sizeof prm), memset(&tr, 0, sizeof tr);
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        const zkr_ml_gnode *n = &f->g.nodes[i];
        prm[i].shift = f->mp.shift[i];
        if (n->op == ZKR_ML_GOP_ADD)
            prm[i].ma = (uint32_t)f->m[i][0], prm[i].mb = (uint32_t)f->m[i][1];
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        for (uint32_t c = 0; c < n->c; c++)
            bias[i][c] = (int32_t)f->b[i][c], mult[i][c] = (uint32_t)f->m[i][c];
        prm[i].w = f->w[i], prm[i].bias = bias[i], prm[i].mult = mult[i];
    }
    if ((r = zkr_ml_gmodel_encode(&f->g, prm, &enc, NULL)) == ZKR_OK &&
        (r = zkr_ml_gmodel_decode(enc.p, enc.len, &m, NULL)) == ZKR_OK &&
        (r = zkr_ml_gtrace_init(&tr, &f->g)) == ZKR_OK &&
        (r = zkr_ml_ginfer(m, f->record, f->record_len, &tr, NULL)) == ZKR_OK) {
        f->n_logits = zkr_ml_gprog_elems(&f->g, f->g.n_nodes - 1);
        memcpy(f->logits, tr.y[f->g.n_nodes - 1], f->n_logits);
    }
    zkr_ml_gtrace_free(&tr);
    zkr_ml_gmodel_free(m);
    zkr_buf_free(&enc);
    return r;
}

static zkr_err residual_init(g2n_fx *f, uint64_t seed, int64_t ma)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 5;
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK)
        return r;
    residual_prog(&f->g);
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
    f->record_len = zkr_ml_gprog_elems(&f->g, 0);
    if (!(f->record = malloc(f->record_len)))
        return ZKR_ERR_NOMEM;
    for (size_t k = 0; k < f->record_len; k++)
        f->record[k] = (uint8_t)g2n_fx_rnd(&s);
    for (size_t k = 0; k < sizeof f->sid; k++)
        f->sid[k] = (uint8_t)(seed + 3 * k);
    {
        zkr_diag dg;
        zkr_diag_clear(&dg);
        if ((r = zkr_ginf2_net_init(&f->net, &f->g, &f->mp, &dg)) != ZKR_OK) {
            fprintf(stderr, "# net: %s\n", dg.msg);
            return r;
        }
    }
    return native(f);
}

static zkr_err verify(const g2n_fx *f, const zkr_hpcs_commitment *wc, const uint8_t *pf,
                      size_t len)
{
    zkr_verifier_ginf2_statement st;

    g2n_fx_statement(f, NULL, wc, &st);
    return zkr_verify_ginfer2(pf, len, &st, NULL, 0, NULL, NULL);
}

static zkr_err commit_prove(g2n_fx *f, uint8_t tag, zkr_buf *pf, zkr_buf *out)
{
    zkr_zkrng g;
    zkr_err r;

    if ((r = seeded(&g, tag)) != ZKR_OK || (r = g2n_fx_commit(f, 1, &g)) != ZKR_OK ||
        (r = seeded(&g, (uint8_t)(tag + 1))) != ZKR_OK)
        return r;
    return g2n_fx_prove(f, &g, pf, out);
}

static void production(zkr_tap *t)
{
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf pf = {0}, out = {0};
    zkr_verifier_ginf2_statement st;
    int8_t y[ZKR_ML_G_MAX_C];
    uint32_t ny = 0;
    clock_t c1 = 0;
    double prove_s = 0;
    zkr_err e = f ? residual_init(f, 7, 30000) : ZKR_ERR_NOMEM;

    zkr_tap_ok(t, e == ZKR_OK && f->net.n_rel == 9 && f->net.v_budget[1] == 3 &&
                      f->net.v_budget[2] == 2 && f->net.v_budget[3] == 3 &&
                      f->net.v_budget[4] == 3 && f->net.v_budget[5] == 3 &&
                      f->net.v_budget[6] == 2,
               "residual net: 9 relations; V budgets count readers (c1 2, pool 2 (one ADD "
               "twice), add1 1 plus own; the dense's the output claim)");
    if (e == ZKR_OK) {
        clock_t c0 = clock();
        e = commit_prove(f, 60, &pf, &out);
        c1 = clock(), prove_s = (double)(c1 - c0) / CLOCKS_PER_SEC;
    }
    g2n_fx_statement(f, NULL, NULL, &st);
    if (e == ZKR_OK) {
        e = zkr_verify_ginfer2(pf.p, pf.len, &st, y, sizeof y, &ny, NULL);
        printf("# residual net: commit + prove %.2f CPU-s, verify %.1f CPU-ms, proof %zu bytes, "
               "logits", prove_s, 1000.0 * (double)(clock() - c1) / CLOCKS_PER_SEC, pf.len);
        for (uint32_t k = 0; k < ny; k++)
            printf(" %d", y[k]);
        printf("\n");
    }
    zkr_tap_ok(t, e == ZKR_OK && ny == f->n_logits && memcmp(y, f->logits, ny) == 0,
               "residual net, production parameters: verifies, logits = native inference "
               "(%d; %zu bytes)", (int)e, pf.len);
    if (e == ZKR_OK) {
        unsigned we[G2N_FX_MAX] = {0};
        double bits;
        pf.p[pf.len - 40] ^= 1;
        zkr_tap_ok(t, verify(f, NULL, pf.p, pf.len) != ZKR_OK, "production: a bit flip is refused");
        for (uint32_t i = 1; i < f->net.n; i++)
            we[i] = f->wc[i].blind_vars;
        bits = zkr_ginf2_net_soundness(&f->p, &f->net, f->xc.blind_vars, we);
        zkr_tap_ok(t, bits >= (double)f->p.target_bits,
                   "residual net soundness %.2f bits >= %u (base %.2f)", bits, f->p.target_bits,
                   zkr_ginf2_net_soundness_base(&f->p, &f->net, f->xc.blind_vars, we));
    }
    zkr_buf_free(&pf), zkr_buf_free(&out);
    if (f)
        g2n_fx_free(f);
    free(f);
}

static void reduced(zkr_tap *t)
{
    g2n_fx *f = calloc(1, sizeof *f), *f2 = calloc(1, sizeof *f2);
    zkr_buf pf = {0}, pf2 = {0}, out = {0}, out2 = {0};
    zkr_err e = f && f2 ? residual_init(f, 9, 30000) : ZKR_ERR_NOMEM;

    if (e == ZKR_OK) {
        g2n_fx_reduce(f);
        e = commit_prove(f, 70, &pf, &out);
    }
    zkr_tap_ok(t, e == ZKR_OK && verify(f, NULL, pf.p, pf.len) == ZKR_OK,
               "residual net, reduced set: verifies (%d)", (int)e);
    if (e == ZKR_OK) {
        int flips = 1;
        zkr_verifier_ginf2_statement st;
        e = commit_prove(f, 70, &pf2, &out2);
        zkr_tap_ok(t, e == ZKR_OK && pf2.len == pf.len && memcmp(pf.p, pf2.p, pf.len) == 0,
                   "same seeds, byte-identical proofs");
        for (size_t k = 0; k < 12; k++) {
            size_t at = (k * 7919u + 13u) % pf.len;
            pf.p[at] ^= (uint8_t)(1u << (k & 7));
            flips &= verify(f, NULL, pf.p, pf.len) != ZKR_OK;
            pf.p[at] ^= (uint8_t)(1u << (k & 7));
        }
        zkr_tap_ok(t, flips, "12 bit flips are refused");
        /* another model: the same program, other weights (commitment of another W_1) */
        if (residual_init(f2, 10, 30000) == ZKR_OK) {
            zkr_zkrng g;
            g2n_fx_reduce(f2);
            int ok2 = seeded(&g, 71) == ZKR_OK && g2n_fx_commit(f2, 1, &g) == ZKR_OK;
            g2n_fx_statement(f, NULL, NULL, &st);
            st.wc[1] = &f2->wc[1];
            zkr_tap_ok(t, ok2 && zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) ==
                                     ZKR_ERR_VERIFY,
                       "another model's commitment (node 1's) is refused");
        } else {
            zkr_tap_ok(t, 0, "second model");
        }
        g2n_fx_statement(f, NULL, NULL, &st);
        st.output_len = f->n_logits;
        {
            int8_t y2[ZKR_ML_G_MAX_C];
            memcpy(y2, f->logits, f->n_logits);
            y2[0] = (int8_t)(y2[0] + 1);
            st.output = y2;
            zkr_tap_ok(t, zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) ==
                              ZKR_ERR_MISMATCH_OUTPUT,
                       "another expected output is refused");
        }
        {
            /* the ADD's public Ma changed in the statement */
            g2n_fx *f3 = f2;
            g2n_fx_free(f3);
            e = residual_init(f3, 9, 30001);
            g2n_fx_reduce(f3);
            g2n_fx_statement(f3, &f->xc, NULL, &st);
            for (uint32_t i = 1; i < f->g.n_nodes; i++)
                st.wc[i] = f->wc[i].n_vars ? &f->wc[i] : NULL;
            st.output = f->logits;
            zkr_tap_ok(t, e == ZKR_OK &&
                              zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) != ZKR_OK,
                       "another ADD multiplier Ma is refused");
        }
    }
    zkr_buf_free(&pf), zkr_buf_free(&pf2), zkr_buf_free(&out), zkr_buf_free(&out2);
    if (f)
        g2n_fx_free(f);
    if (f2)
        g2n_fx_free(f2);
    free(f), free(f2);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    relation(&t, 0, 1);
    relation(&t, 0, 0);
    relation(&t, 1, 1);
    reduced(&t);
    production(&t);
    return zkr_tap_done(&t);
}
