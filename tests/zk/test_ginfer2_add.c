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
 * another Ma are refused. The DAG rules refuse an ADD reading the record,
 * an ADD over inputs of another shape and a node reading itself.
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "ml/ml.h"
#include "tests/tap.h"
#include "tests/zk/ginfer2_add_fx.h"
#include "tests/zk/ginfer2_res_fx.h"

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
    zkr_err e = f ? g2n_fx_residual(f, 7, 30000) : ZKR_ERR_NOMEM;

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
    zkr_err e = f && f2 ? g2n_fx_residual(f, 9, 30000) : ZKR_ERR_NOMEM;

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
        if (g2n_fx_residual(f2, 10, 30000) == ZKR_OK) {
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
            e = g2n_fx_residual(f3, 9, 30001);
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

/* Programs the DAG rules refuse, before any proof byte (zkr_ginf2_net_init). */
static void refused(zkr_tap *t)
{
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_ginf2_net *net = malloc(sizeof *net);
    zkr_ml_gprog g;
    zkr_diag dg;
    zkr_err e = f && net ? g2n_fx_residual(f, 9, 30000) : ZKR_ERR_NOMEM;

    if (e == ZKR_OK) {
        g = f->g;
        g.nodes[3].in[1] = 0; /* add(c2, record) */
        zkr_diag_clear(&dg);
        e = zkr_ginf2_net_init(net, &g, &f->mp, &dg);
        zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED, "an ADD reading the record is refused (%s)",
                   dg.msg);
        g = f->g;
        g.nodes[5].in[1] = 3; /* add(pool, add1): 2 x 3 x 3 and 2 x 6 x 6 */
        zkr_diag_clear(&dg);
        e = zkr_ginf2_net_init(net, &g, &f->mp, &dg);
        zkr_tap_ok(t, e == ZKR_ERR_MALFORMED && strstr(dg.msg, "another shape"),
                   "an ADD over inputs of another shape is refused (%s)", dg.msg);
        g = f->g;
        g.nodes[6].in[0] = 6; /* the dense reads itself */
        zkr_diag_clear(&dg);
        e = zkr_ginf2_net_init(net, &g, &f->mp, &dg);
        zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED, "a node reading itself is refused (%s)", dg.msg);
    } else {
        zkr_tap_ok(t, 0, "residual fixture");
    }
    if (f)
        g2n_fx_free(f);
    free(f), free(net);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    relation(&t, 0, 1);
    relation(&t, 0, 0);
    relation(&t, 1, 1);
    refused(&t);
    reduced(&t);
    production(&t);
    return zkr_tap_done(&t);
}
