/*
 * zk-ginfer2-net-lut: the whole graph-inference@2 proof of a small CNN
 * with a zero-knowledge LOOKUP (1 x 6 x 6 record -> conv 3x3, no ReLU ->
 * LOOKUP (a tanh table) -> max pool 2x2/2 -> dense 3), at the production
 * parameters: the proof verifies, the proven logits equal native inference
 * (ml/ginfer.c on the same model encoded as a graph-model file), the
 * soundness figure (computed) is >= the target; a bit flip, a truncation,
 * another table in the model commitment (named: MISMATCH_MODEL; carried
 * and named: refused by the relations, version 3's LOOKUP entry) and
 * another expected output are refused;
 * a LOOKUP reading the record and a program ending in a LOOKUP are refused
 * (MALFORMED by the program check, UNSUPPORTED by the layout). On the
 * reduced set, conv -> LOOKUP -> LOOKUP -> dense verifies with the native
 * logits and another second table is refused; a DAG with LOOKUPs reading
 * and read by ADD and AVGPOOL nodes verifies, and so does its proof through
 * zkr_prover_ginfer2_commit (the LOOKUP entries taken from the graph
 * model file's tables). The production proof runs
 * with --production (zk-ginfer2-net-lut-prod, plain build only), the rest
 * in both builds.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_net_lut_fx.h"
#include "tests/zk/ginfer2_res_fx.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 net lut", NULL, 0);
}

static zkr_err verify(const g2nl_fx *x, const int8_t *logits, const uint8_t *pf, size_t len)
{
    zkr_verifier_ginf2_statement st;

    g2n_fx_statement(&x->f, &st);
    if (logits)
        st.output = logits;
    return zkr_verify_ginfer2(pf, len, &st, NULL, 0, NULL, NULL);
}

/*
 * pf verified against x's model commitment with LOOKUP node `node`'s table
 * entry `at` moved by one: named only (MISMATCH_MODEL expected) or carried
 * and named (the relations refuse it).
 */
static zkr_err verify_table(g2nl_fx *x, const zkr_buf *pf, uint32_t node, unsigned at,
                            int carried)
{
    const int64_t *keep = x->f.mp.t[node];
    int64_t t2[256];
    zkr_buf enc = {0};
    zkr_err r;

    memcpy(t2, keep, sizeof t2);
    t2[at] = t2[at] == 127 ? 126 : t2[at] + 1;
    x->f.mp.t[node] = t2;
    r = g2n_fx_mc(&x->f, NULL, &enc);
    x->f.mp.t[node] = keep;
    if (r == ZKR_OK)
        r = g2n_fx_verify_mc(&x->f, pf, &enc, carried);
    zkr_buf_free(&enc);
    return r;
}

static void refused_programs(zkr_tap *t, const g2nl_fx *x)
{
    for (int k = 0; k < 2; k++) {
        zkr_ml_gprog g;
        zkr_ginf2_net *net = malloc(sizeof *net);
        zkr_ginf2_pub mp;
        zkr_err e = ZKR_ERR_NOMEM;
        memset(&mp, 0, sizeof mp);
        g2nl_program(&g, k == 0 ? G2NL_FIRST : G2NL_LAST);
        for (uint32_t i = 1; i < g.n_nodes; i++) {
            mp.t[i] = x->t;
            mp.m[i] = x->f.m[k == 0 ? i - 1 : i], mp.b[i] = x->f.b[k == 0 ? i - 1 : i];
            mp.shift[i] = 16;
        }
        if (net && (e = zkr_ml_gprog_check(&g, NULL)) == ZKR_OK)
            e = zkr_ginf2_net_init(net, &g, &mp, NULL);
        /* a LOOKUP over the record's uint8 bytes: ml/graph.c's program check refuses it first */
        zkr_tap_ok(t, e == (k == 0 ? ZKR_ERR_MALFORMED : ZKR_ERR_UNSUPPORTED),
                   "a program %s is refused (%d)",
                   k == 0 ? "with a LOOKUP reading the record" : "ending in a LOOKUP", (int)e);
        free(net);
    }
}

/*
 * On the tests' reduced set (g2n_fx_reduce): conv -> LOOKUP -> LOOKUP ->
 * dense (a lookup and a dense reading a lookup's V) verifies with the
 * native logits; another second table is refused.
 */
static void twice(zkr_tap *t)
{
    g2nl_fx *x = calloc(1, sizeof *x);
    zkr_buf pf = {0}, out = {0};
    zkr_zkrng g;
    zkr_err e = ZKR_ERR_NOMEM;

    if (x && (e = g2nl_init(x, 4, G2NL_TWICE)) == ZKR_OK) {
        g2n_fx_reduce(&x->f);
        if ((e = seeded(&g, 5)) == ZKR_OK && (e = g2n_fx_commit(&x->f, 1, &g)) == ZKR_OK)
            e = g2n_fx_prove(&x->f, &g, &pf, &out);
    }
    zkr_tap_ok(t, e == ZKR_OK && x->f.net.n_rel == 6, "reduced set: conv -> LOOKUP -> LOOKUP -> "
               "dense proven (%d, %zu bytes)", (int)e, pf.len);
    if (e == ZKR_OK) {
        e = verify(x, NULL, pf.p, pf.len);
        zkr_tap_ok(t, e == ZKR_OK, "verifies with the native logits (%d: %d %d %d)", (int)e,
                   x->f.logits[0], x->f.logits[1], x->f.logits[2]);
        /* the second lookup's table */
        zkr_tap_ok(t, verify_table(x, &pf, 3, 200, 0) == ZKR_ERR_MISMATCH_MODEL,
                   "another table for the second lookup, named: MISMATCH_MODEL");
        zkr_tap_ok(t, verify_table(x, &pf, 3, 200, 1) == ZKR_ERR_VERIFY,
                   "another table for the second lookup, carried and named: refused");
    }
    zkr_buf_free(&pf), zkr_buf_free(&out);
    if (x)
        g2n_fx_free(&x->f);
    free(x);
}

/*
 * On the reduced set, a DAG (G2NL_DAG): a LOOKUP reading an ADD and an
 * AVGPOOL, read by two ADDs (its V's budget counted: 2 own + 2 readers),
 * an AVGPOOL and a dense; verifies with the native logits; a bit flip
 * and another table are refused.
 */
static void dag(zkr_tap *t)
{
    g2nl_fx *x = calloc(1, sizeof *x);
    zkr_buf pf = {0}, out = {0};
    zkr_zkrng g;
    zkr_err e = ZKR_ERR_NOMEM;

    if (x && (e = g2nl_init(x, 6, G2NL_DAG)) == ZKR_OK) {
        g2n_fx_reduce(&x->f);
        if ((e = seeded(&g, 6)) == ZKR_OK && (e = g2n_fx_commit(&x->f, 1, &g)) == ZKR_OK)
            e = g2n_fx_prove(&x->f, &g, &pf, &out);
    }
    zkr_tap_ok(t, e == ZKR_OK && x->f.net.v_budget[2] == ZKR_GINF2_LUT_V_OPENINGS + 2 &&
                      x->f.net.v_budget[4] == ZKR_GINF2_LUT_V_OPENINGS + 1,
               "reduced set: DAG conv -> LOOKUP -> ADD -> LOOKUP -> ADD -> AVGPOOL -> LOOKUP -> "
               "dense proven (%d, %zu bytes; the first LOOKUP's V budget %u)", (int)e, pf.len,
               x ? x->f.net.v_budget[2] : 0);
    if (e == ZKR_OK) {
        e = verify(x, NULL, pf.p, pf.len);
        zkr_tap_ok(t, e == ZKR_OK, "verifies with the native logits (%d: %d %d %d)", (int)e,
                   x->f.logits[0], x->f.logits[1], x->f.logits[2]);
        pf.p[pf.len / 2] ^= 4;
        zkr_tap_ok(t, verify(x, NULL, pf.p, pf.len) != ZKR_OK, "a bit flip is refused");
        pf.p[pf.len / 2] ^= 4;
        /* the LOOKUP after the average pooling */
        zkr_tap_ok(t, verify_table(x, &pf, 7, 100, 0) == ZKR_ERR_MISMATCH_MODEL,
                   "another table for the last lookup, named: MISMATCH_MODEL");
        zkr_tap_ok(t, verify_table(x, &pf, 7, 100, 1) == ZKR_ERR_VERIFY,
                   "another table for the last lookup, carried and named: refused");
        e = g2n_fx_via_commit(&x->f, 61);
        zkr_tap_ok(t, e == ZKR_OK,
                   "committed by zkr_prover_ginfer2_commit (its LOOKUP entries from the graph "
                   "model's tables): a proof through it verifies (%d)", (int)e);
    }
    zkr_buf_free(&pf), zkr_buf_free(&out);
    if (x)
        g2n_fx_free(&x->f);
    free(x);
}

/*
 * At the production parameters: conv -> LOOKUP -> pool -> dense verifies
 * with the native logits; tampered proofs, another table and another
 * output are refused; the soundness figure reaches the target.
 */
static void production(zkr_tap *t, g2nl_fx *x)
{
    zkr_buf pf = {0}, out = {0};
    zkr_verifier_ginf2_statement st;
    unsigned we[ZKR_GINF2_NET_MAX_NODES] = {0};
    int8_t y[16];
    uint32_t ny = 0;
    zkr_zkrng g;
    zkr_err e;

    if ((e = seeded(&g, 1)) == ZKR_OK && (e = g2n_fx_commit(&x->f, 1, &g)) == ZKR_OK)
        e = g2n_fx_prove(&x->f, &g, &pf, &out);
    zkr_tap_ok(t, e == ZKR_OK && x->f.net.n_rel == 6 && x->f.net.share == 7,
               "production parameters: conv -> LOOKUP -> pool -> dense proven (%d, %zu bytes; "
               "conv, requant, lookup, pool, dense, requant)", (int)e, pf.len);
    if (e != ZKR_OK)
        goto out;
    g2n_fx_statement(&x->f, &st);
    st.output = NULL;
    e = zkr_verify_ginfer2(pf.p, pf.len, &st, y, sizeof y, &ny, NULL);
    zkr_tap_ok(t, e == ZKR_OK && ny == x->f.n_logits && memcmp(y, x->f.logits, ny) == 0,
               "verifies; the proven logits equal native inference (ml/ginfer.c) (%d: %d %d %d)",
               (int)e, y[0], y[1], y[2]);
    pf.p[pf.len - 333] ^= 8;
    zkr_tap_ok(t, verify(x, NULL, pf.p, pf.len) != ZKR_OK, "a bit flip is refused");
    pf.p[pf.len - 333] ^= 8;
    zkr_tap_ok(t, verify(x, NULL, pf.p, pf.len - 1) != ZKR_OK, "a truncation is refused");
    /* the table at input 0 */
    zkr_tap_ok(t, verify_table(x, &pf, G2NL_LUT, 128, 0) == ZKR_ERR_MISMATCH_MODEL,
               "another table in the model commitment, named: MISMATCH_MODEL");
    zkr_tap_ok(t, verify_table(x, &pf, G2NL_LUT, 128, 1) == ZKR_ERR_VERIFY,
               "another table in the model commitment, carried and named: refused");
    {
        int8_t l2[16];
        memcpy(l2, x->f.logits, x->f.n_logits);
        l2[1] = (int8_t)(l2[1] + 1);
        zkr_tap_ok(t, verify(x, l2, pf.p, pf.len) != ZKR_OK,
                   "another expected output is refused");
    }
    for (uint32_t i = 1; i < x->f.net.n; i++)
        we[i] = x->f.wc[i].blind_vars;
    {
        double bits = zkr_ginf2_net_soundness(&x->f.p, &x->f.net, x->f.xc.blind_vars, we);
        double base = zkr_ginf2_net_soundness_base(&x->f.p, &x->f.net, x->f.xc.blind_vars, we);
        zkr_tap_ok(t, bits >= (double)x->f.p.target_bits,
                   "soundness %.2f bits (union of %u relations and the output claim; %.2f "
                   "without the extra grinding)", bits, x->f.net.n_rel, base);
    }
out:
    zkr_buf_free(&pf), zkr_buf_free(&out);
}

/*
 * --production (zk-ginfer2-net-lut-prod, plain build only,
 * tests/zk/meson.build): the production proof alone; else the program
 * refusals and the reduced-set proofs (both builds).
 */
int main(int argc, char **argv)
{
    g2nl_fx *x = calloc(1, sizeof *x);
    int prod = zkr_tap_flag(argc, argv, "--production");
    zkr_tap t;
    zkr_err e = ZKR_ERR_NOMEM;

    zkr_tap_init(&t, argc, argv);
    if (x)
        e = g2nl_init(x, 3, G2NL_MAIN);
    zkr_tap_ok(&t, e == ZKR_OK, "fixture: conv -> LOOKUP -> pool -> dense (%d)", (int)e);
    if (e != ZKR_OK)
        goto out;
    if (prod) {
        production(&t, x);
        goto out;
    }
    refused_programs(&t, x);
    twice(&t);
    dag(&t);
out:
    if (x)
        g2n_fx_free(&x->f);
    free(x);
    return zkr_tap_done(&t);
}
