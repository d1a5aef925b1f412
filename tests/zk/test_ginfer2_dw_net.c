/*
 * zk-ginfer2-dw-net: a whole graph-inference@2 proof of a small CNN with
 * depthwise convolutions and a CONCAT (zk/ginfer2.h, zkr_ginf2_net_init):
 *   record 2 x 6 x 6 -> [1] depthwise 3x3 pad 1, multiplier 2 (4 x 6 x 6),
 *   ReLU -> [2] max pool 2x2/2 (4 x 3 x 3) -> [3] depthwise 3x3 pad 1,
 *   multiplier 1 (4 x 3 x 3) -> [4] CONCAT(node 2, node 3) (8 x 3 x 3; the
 *   pooling's V read twice) -> [5] dense 3.
 * Random int8 weights, per-channel M and biases as tests/zk/ginfer2_net_fx.h;
 * the reference logits are ml/ginfer.c's (the model encoded, decoded and run
 * by zkr_ml_ginfer). One proof at the production parameters (--production,
 * the test zk-ginfer2-dw-net-prod, plain build only): it verifies,
 * the logits read back equal the reference, a bit flip is refused, the
 * computed figure >= the target. On the tests' reduced set (version 3:
 * the record one of a hiding dataset, the model behind its commitment,
 * a depthwise conv's entry the same CONV entry): byte-identical proofs
 * from the same seeds; another expected output, a truncation, the two
 * depthwise convs' W commitments (same size) swapped in the model
 * commitment (named: MISMATCH_MODEL; carried and named: refused by the
 * relations) are refused; a grouped conv that is not depthwise (groups 2 of 4 channels)
 * a 1 x 1 depthwise kernel and a CONCAT reading the record are refused
 * before the proof is read. A second DAG (g2n_fx_mix_prog) on the reduced set:
 * CONCATs reading an ADD, an AVGPOOL, a CONCAT and a depthwise conv verify,
 * each V's budget as g2n_budgets counts it; committed by
 * zkr_prover_ginfer2_commit (the depthwise conv's CONV entry), a proof
 * through it verifies.
 */
#include <time.h>

#include "ml/ml.h"
#include "tests/tap.h"
#include "tests/zk/ginfer2_net_fx.h"
#include "tests/zk/ginfer2_res_fx.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 dw net test", NULL, 0);
}

static void dw_prog(zkr_ml_gprog *g, uint32_t k2)
{
    uint32_t c1, p1, c2, k1;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 2, .h = 6, .w = 6};
    g->n_nodes = 1;
    c1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .c = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                                  .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 2});
    p1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c1}, .kh = 2,
                                  .kw = 2, .sh = 2, .sw = 2});
    c2 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {p1}, .c = 4, .kh = k2,
                                  .kw = k2, .sh = 1, .sw = 1, .pt = k2 / 2, .pl = k2 / 2,
                                  .pb = k2 / 2, .pr = k2 / 2, .dh = 1, .dw = 1, .groups = 4});
    k1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {p1, c2}});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {k1}, .c = 3});
}

/* The reference logits: the model encoded as a graph-model file and run by ml/ginfer.c. */
static zkr_err reference(g2n_fx *f)
{
    zkr_ml_gparams pr[G2N_FX_MAX];
    int32_t bias[G2N_FX_MAX][8];
    uint32_t mult[G2N_FX_MAX][8];
    zkr_buf qm = {0};
    zkr_ml_gmodel *gm = NULL;
    zkr_ml_gtrace tr;
    zkr_err r;

    memset(pr, 0, sizeof pr);
    memset(&tr, 0, sizeof tr);
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        if (!f->w[i])
            continue;
        for (uint32_t c = 0; c < f->g.nodes[i].c; c++)
            bias[i][c] = (int32_t)f->b[i][c], mult[i][c] = (uint32_t)f->m[i][c];
        pr[i] = (zkr_ml_gparams){f->w[i], bias[i], mult[i], f->mp.shift[i], 0, 0, NULL};
    }
    if ((r = zkr_ml_gmodel_encode(&f->g, pr, &qm, NULL)) != ZKR_OK ||
        (r = zkr_ml_gmodel_decode(qm.p, qm.len, &gm, NULL)) != ZKR_OK ||
        (r = zkr_ml_gtrace_init(&tr, &f->g)) != ZKR_OK ||
        (r = zkr_ml_ginfer(gm, f->record, f->record_len - 1, &tr, NULL)) != ZKR_OK)
        goto out;
    f->n_logits = zkr_ml_gprog_elems(&f->g, f->g.n_nodes - 1);
    memcpy(f->logits, tr.y[f->g.n_nodes - 1], f->n_logits);
out:
    zkr_ml_gtrace_free(&tr);
    zkr_ml_gmodel_free(gm);
    zkr_buf_free(&qm);
    return r;
}

/* As g2n_fx_init for dw_prog (weights, M scaled to the fan-in, biases, dataset). */
static zkr_err dw_init(g2n_fx *f, uint64_t seed)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 5;
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK)
        return r;
    dw_prog(&f->g, 3);
    if ((r = zkr_ml_gprog_check(&f->g, NULL)) != ZKR_OK)
        return r;
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        const zkr_ml_gnode *n = &f->g.nodes[i];
        uint32_t fan = zkr_ml_gprog_fanin(&f->g, i);
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
    if ((r = zkr_ginf2_net_init(&f->net, &f->g, &f->mp, NULL)) != ZKR_OK)
        return r;
    return reference(f);
}

static zkr_err commit_prove(g2n_fx *f, uint8_t tag, zkr_buf *pf, zkr_buf *out)
{
    zkr_zkrng g;
    zkr_err r;

    pf->len = out->len = 0;
    if ((r = seeded(&g, tag)) == ZKR_OK && (r = g2n_fx_commit(f, 1, &g)) == ZKR_OK) {
        zkr_zkrng_wipe(&g);
        if ((r = seeded(&g, (uint8_t)(tag + 1))) == ZKR_OK)
            r = g2n_fx_prove(f, &g, pf, out);
    }
    zkr_zkrng_wipe(&g);
    return r;
}

/* Verifies pf with f's statement, naming the model commitment digest mcd (NULL: f's). */
static zkr_err verify(const g2n_fx *f, const uint8_t *mcd, const uint8_t *pf, size_t len)
{
    zkr_verifier_ginf2_statement st;

    g2n_fx_statement(f, &st);
    if (mcd)
        st.model_commitment = mcd;
    return zkr_verify_ginfer2(pf, len, &st, NULL, 0, NULL, NULL);
}

/*
 * f's model commitment with nodes 1 and 3's W roots swapped: named only
 * (the proof carries f's) or carried and named (g2n_fx_verify_mc).
 */
static zkr_err verify_swapped(const g2n_fx *f, const zkr_buf *pf0, int carried)
{
    const zkr_hpcs_commitment *over[G2N_FX_MAX] = {0};
    zkr_buf enc = {0};
    zkr_err r;

    over[1] = &f->wc[3], over[3] = &f->wc[1];
    if ((r = g2n_fx_mc(f, over, &enc)) == ZKR_OK)
        r = g2n_fx_verify_mc(f, pf0, &enc, carried);
    zkr_buf_free(&enc);
    return r;
}

static void production(zkr_tap *t)
{
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf pf = {0}, out = {0};
    zkr_verifier_ginf2_statement st;
    unsigned we[ZKR_GINF2_NET_MAX_NODES] = {0};
    int8_t y[16];
    uint32_t ny = 0;
    zkr_err e = ZKR_ERR_NOMEM;
    clock_t c0 = clock(), c1 = c0, c2;

    if (f && (e = dw_init(f, 1)) == ZKR_OK) {
        e = commit_prove(f, 1, &pf, &out);
        c1 = clock();
    }
    zkr_tap_ok(t, e == ZKR_OK && f->net.n_rel == 8 && f->net.conv[1].depthwise &&
                      f->net.conv[1].mult == 2 && f->net.conv[3].depthwise &&
                      f->net.conv[3].mult == 1 && f->net.v_budget[2] == 3 && f->net.cat[4].k == 2,
               "production parameters: the depthwise + CONCAT CNN proven (%d, %zu bytes; 8 "
               "relations)",
               (int)e, pf.len);
    if (e != ZKR_OK)
        goto out;
    g2n_fx_statement(f, &st);
    st.output = NULL;
    e = zkr_verify_ginfer2(pf.p, pf.len, &st, y, sizeof y, &ny, NULL);
    c2 = clock();
    zkr_tap_diag("commit + prove %.2f CPU-s, verify %.0f CPU-ms (this build)",
                 (double)(c1 - c0) / CLOCKS_PER_SEC, 1e3 * (double)(c2 - c1) / CLOCKS_PER_SEC);
    zkr_tap_ok(t, e == ZKR_OK && ny == f->n_logits && memcmp(y, f->logits, ny) == 0,
               "verifies; the proven logits equal ml/ginfer.c's (%d: %d %d %d)", (int)e, y[0],
               y[1], y[2]);
    pf.p[pf.len / 3] ^= 16;
    zkr_tap_ok(t, verify(f, NULL, pf.p, pf.len) != ZKR_OK, "a bit flip is refused");
    for (uint32_t i = 1; i < f->net.n; i++)
        we[i] = f->wc[i].blind_vars;
    {
        double bits = zkr_ginf2_net_soundness(&f->p, &f->net, f->xc.blind_vars, we);
        double base = zkr_ginf2_net_soundness_base(&f->p, &f->net, f->xc.blind_vars, we);
        zkr_tap_ok(t, bits >= (double)f->p.target_bits,
                   "soundness %.2f bits (union of %u relations and the output claim; %.2f "
                   "without the extra grinding)", bits, f->net.n_rel, base);
    }
out:
    zkr_buf_free(&pf), zkr_buf_free(&out);
    if (f)
        g2n_fx_free(f);
    free(f);
}

static void refused_first(zkr_tap *t, const g2n_fx *f)
{
    static const uint8_t junk[3] = {1, 2, 3};
    zkr_verifier_ginf2_statement st;
    zkr_ml_gprog g;
    zkr_diag dg = {0};
    zkr_err e;

    g = f->g;
    g.nodes[3].groups = 2; /* 4 channels in groups of 2: grouped, not depthwise */
    g2n_fx_statement(f, &st);
    st.g = &g;
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "not depthwise"),
               "a grouped conv (not depthwise) is refused before the proof is read (%d: %s)",
               (int)e, dg.msg);
    dw_prog(&g, 1);
    zkr_diag_clear(&dg);
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "1 x 1 depthwise"),
               "a 1 x 1 depthwise kernel is refused before the proof is read (%d: %s)", (int)e,
               dg.msg);
    dw_prog(&g, 3);
    g.nodes[4].in[0] = 0; /* CONCAT(record, node 3): shapes differ too */
    zkr_diag_clear(&dg);
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "reads 2 nodes (node 0 first)"),
               "a CONCAT reading the record is refused before the proof is read (%d: %s)", (int)e,
               dg.msg);
}

/* g2n_fx_mix_prog on the reduced set: proven, verifies, budgets as counted, tampering refused. */
static void mixed(zkr_tap *t)
{
    static const uint32_t bud[8] = {0, 3, 3, 4, 2, 3, 3, 2};
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf pf = {0}, out = {0}, pf2 = {0}, out2 = {0};
    zkr_err e = ZKR_ERR_NOMEM;
    int budgets = 1;

    if (f && (e = g2n_fx_dag(f, 4, 19000, g2n_fx_mix_prog)) == ZKR_OK) {
        g2n_fx_reduce(f);
        e = commit_prove(f, 7, &pf, &out);
    }
    for (uint32_t i = 1; f && e == ZKR_OK && i < 8; i++)
        budgets &= f->net.v_budget[i] == bud[i];
    zkr_tap_ok(t, e == ZKR_OK && budgets && f->net.n_rel == 10 && f->net.cat[6].k == 2 &&
                      verify(f, NULL, pf.p, pf.len) == ZKR_OK,
               "reduced set: CONCAT of an ADD, an AVGPOOL, a CONCAT and a depthwise conv's V "
               "proven, verifies against ml/ginfer.c's logits (%d, %zu bytes)",
               (int)e, pf.len);
    if (e == ZKR_OK) {
        e = commit_prove(f, 7, &pf2, &out2);
        zkr_tap_ok(t, e == ZKR_OK && pf2.len == pf.len && memcmp(pf.p, pf2.p, pf.len) == 0,
                   "mixed DAG: byte-identical proofs from the same seeds");
        pf.p[pf.len / 2] ^= 8;
        zkr_tap_ok(t, verify(f, NULL, pf.p, pf.len) != ZKR_OK, "mixed DAG: a bit flip is refused");
        pf.p[pf.len / 2] ^= 8;
        f->logits[1] ^= 1;
        zkr_tap_ok(t, verify(f, NULL, pf.p, pf.len) != ZKR_OK,
                   "mixed DAG: another expected output is refused");
        f->logits[1] ^= 1;
        e = g2n_fx_via_commit(f, 71);
        zkr_tap_ok(t, e == ZKR_OK,
                   "mixed DAG committed by zkr_prover_ginfer2_commit (the depthwise conv's CONV "
                   "entry): a proof through it verifies (%d)", (int)e);
    }
    zkr_buf_free(&pf), zkr_buf_free(&out), zkr_buf_free(&pf2), zkr_buf_free(&out2);
    if (f)
        g2n_fx_free(f);
    free(f);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf pf = {0}, out = {0}, pf2 = {0}, out2 = {0};
    zkr_err e = ZKR_ERR_NOMEM;

    zkr_tap_init(&t, argc, argv);
    if (zkr_tap_flag(argc, argv, "--production")) { /* zk-ginfer2-dw-net-prod, plain build */
        production(&t);
        return zkr_tap_done(&t);
    }
    if (!f || dw_init(f, 2) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), free(f), zkr_tap_done(&t);
    g2n_fx_reduce(f);
    e = commit_prove(f, 3, &pf, &out);
    zkr_tap_ok(&t, e == ZKR_OK && verify(f, NULL, pf.p, pf.len) == ZKR_OK,
               "reduced set: proven and verifies against ml/ginfer.c's logits (%d, %zu bytes)",
               (int)e, pf.len);
    e = commit_prove(f, 3, &pf2, &out2);
    zkr_tap_ok(&t, e == ZKR_OK && pf2.len == pf.len && memcmp(pf.p, pf2.p, pf.len) == 0,
               "the same seeds give byte-identical proofs");
    zkr_tap_ok(&t, verify(f, NULL, pf.p, pf.len - 1) == ZKR_ERR_MALFORMED,
               "a truncated proof is refused (malformed)");
    f->logits[0] ^= 1;
    zkr_tap_ok(&t, verify(f, NULL, pf.p, pf.len) != ZKR_OK, "another expected output is refused");
    f->logits[0] ^= 1;
    zkr_tap_ok(&t, f->wc[1].n_vars == f->wc[3].n_vars &&
                       verify_swapped(f, &pf, 0) == ZKR_ERR_MISMATCH_MODEL,
               "the depthwise convs' W commitments swapped, named only: MISMATCH_MODEL");
    zkr_tap_ok(&t, verify_swapped(f, &pf, 1) == ZKR_ERR_VERIFY,
               "the depthwise convs' W commitments swapped, carried and named: refused by the "
               "relations");
    refused_first(&t, f);
    mixed(&t);
    zkr_buf_free(&pf), zkr_buf_free(&out), zkr_buf_free(&pf2), zkr_buf_free(&out2);
    g2n_fx_free(f);
    free(f);
    return zkr_tap_done(&t);
}
