/*
 * zk-ginfer2-net-lut: the whole graph-inference@2 proof of a small CNN
 * with a zero-knowledge LOOKUP (1 x 6 x 6 record -> conv 3x3, no ReLU ->
 * LOOKUP (a tanh table) -> max pool 2x2/2 -> dense 3), at the production
 * parameters: the proof verifies, the proven logits equal native inference
 * (ml/ginfer.c on the same model encoded as a graph-model file), the
 * soundness figure (computed) is >= the target; a bit flip, a truncation,
 * another table in the statement and another expected output are refused;
 * a LOOKUP reading the record and a program ending in a LOOKUP are refused
 * (UNSUPPORTED).
 */
#include <math.h>

#include "ml/ml.h"
#include "tests/tap.h"
#include "tests/zk/ginfer2_net_fx.h"

#define G2NL_LUT 2u /* the LOOKUP node */

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 net lut", NULL, 0);
}

/* conv 2 3x3 (no ReLU) -> LOOKUP -> max pool 2x2/2 -> dense 3 (lut_first: LOOKUP first). */
static void program(zkr_ml_gprog *g, int lut_first, int lut_last)
{
    uint32_t a = 0;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 6, .w = 6};
    g->n_nodes = 1;
    if (lut_first)
        a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {a}, .c = 2, .kh = 3,
                                 .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {a}, .kh = 2, .kw = 2,
                                 .sh = 2, .sw = 2});
    a = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {a}, .c = 3});
    if (lut_last)
        (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
}

typedef struct {
    g2n_fx f;
    int64_t t[256];
    int8_t t8[256];
} fx;

/* The model (as g2n_fx_init's), the table, the record; logits by ml/ginfer.c. */
static zkr_err init(fx *x, uint64_t seed)
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
    program(&f->g, 0, 0);
    if ((r = zkr_ml_gprog_check(&f->g, NULL)) != ZKR_OK)
        return r;
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        const zkr_ml_gnode *n = &f->g.nodes[i];
        uint32_t fan = zkr_ml_gprog_fanin(&f->g, i);
        if (n->op == ZKR_ML_GOP_LOOKUP) {
            f->mp.t[i] = x->t, prm[i].table = x->t8;
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
    f->record_len = zkr_ml_gprog_elems(&f->g, 0);
    if (!(f->record = malloc(f->record_len)))
        return ZKR_ERR_NOMEM;
    for (size_t k = 0; k < f->record_len; k++)
        f->record[k] = (uint8_t)g2n_fx_rnd(&s);
    for (size_t k = 0; k < sizeof f->sid; k++)
        f->sid[k] = (uint8_t)(seed + 3 * k);
    if ((r = zkr_ginf2_net_init(&f->net, &f->g, &f->mp, NULL)) != ZKR_OK)
        return r;
    /* native inference: ml/ginfer.c on the encoded graph model */
    if ((r = zkr_ml_gmodel_encode(&f->g, prm, &mb, NULL)) == ZKR_OK &&
        (r = zkr_ml_gmodel_decode(mb.p, mb.len, &gm, NULL)) == ZKR_OK &&
        (r = zkr_ml_gtrace_init(&tr, &f->g)) == ZKR_OK &&
        (r = zkr_ml_ginfer(gm, f->record, f->record_len, &tr, NULL)) == ZKR_OK) {
        uint32_t last = f->g.n_nodes - 1;
        f->n_logits = zkr_ml_gprog_elems(&f->g, last);
        memcpy(f->logits, tr.y[last], f->n_logits);
    }
    zkr_ml_gtrace_free(&tr);
    zkr_ml_gmodel_free(gm);
    zkr_buf_free(&mb);
    return r;
}

static zkr_err verify(const fx *x, const zkr_ginf2_pub *mp, const int8_t *logits,
                      const uint8_t *pf, size_t len)
{
    zkr_verifier_ginf2_statement st;

    g2n_fx_statement(&x->f, NULL, NULL, &st);
    if (mp)
        st.mp = mp;
    if (logits)
        st.output = logits;
    return zkr_verify_ginfer2(pf, len, &st, NULL, 0, NULL, NULL);
}

static void refused_programs(zkr_tap *t, const fx *x)
{
    for (int k = 0; k < 2; k++) {
        zkr_ml_gprog g;
        zkr_ginf2_net *net = malloc(sizeof *net);
        zkr_ginf2_pub mp;
        zkr_err e = ZKR_ERR_NOMEM;
        memset(&mp, 0, sizeof mp);
        program(&g, k == 0, k == 1);
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

int main(int argc, char **argv)
{
    fx *x = calloc(1, sizeof *x);
    zkr_buf pf = {0}, out = {0};
    zkr_verifier_ginf2_statement st;
    unsigned we[ZKR_GINF2_NET_MAX_NODES] = {0};
    int8_t y[16];
    uint32_t ny = 0;
    zkr_zkrng g;
    zkr_tap t;
    zkr_err e = ZKR_ERR_NOMEM;

    zkr_tap_init(&t, argc, argv);
    if (x && (e = init(x, 3)) == ZKR_OK && (e = seeded(&g, 1)) == ZKR_OK &&
        (e = g2n_fx_commit(&x->f, 1, &g)) == ZKR_OK)
        e = g2n_fx_prove(&x->f, &g, &pf, &out);
    zkr_tap_ok(&t, e == ZKR_OK && x->f.net.n_rel == 6 && x->f.net.share == 7,
               "production parameters: conv -> LOOKUP -> pool -> dense proven (%d, %zu bytes; "
               "conv, requant, lookup, pool, dense, requant)", (int)e, pf.len);
    if (e != ZKR_OK)
        goto out;
    g2n_fx_statement(&x->f, NULL, NULL, &st);
    st.output = NULL;
    e = zkr_verify_ginfer2(pf.p, pf.len, &st, y, sizeof y, &ny, NULL);
    zkr_tap_ok(&t, e == ZKR_OK && ny == x->f.n_logits && memcmp(y, x->f.logits, ny) == 0,
               "verifies; the proven logits equal native inference (ml/ginfer.c) (%d: %d %d %d)",
               (int)e, y[0], y[1], y[2]);
    pf.p[pf.len - 333] ^= 8;
    zkr_tap_ok(&t, verify(x, NULL, NULL, pf.p, pf.len) != ZKR_OK, "a bit flip is refused");
    pf.p[pf.len - 333] ^= 8;
    zkr_tap_ok(&t, verify(x, NULL, NULL, pf.p, pf.len - 1) != ZKR_OK, "a truncation is refused");
    {
        zkr_ginf2_pub mp2 = x->f.mp;
        int64_t t2[256];
        memcpy(t2, x->t, sizeof t2);
        t2[128] += 1; /* the table at input 0 */
        mp2.t[G2NL_LUT] = t2;
        zkr_tap_ok(&t, verify(x, &mp2, NULL, pf.p, pf.len) != ZKR_OK,
                   "another table in the statement is refused");
    }
    {
        int8_t l2[16];
        memcpy(l2, x->f.logits, x->f.n_logits);
        l2[1] = (int8_t)(l2[1] + 1);
        zkr_tap_ok(&t, verify(x, NULL, l2, pf.p, pf.len) != ZKR_OK,
                   "another expected output is refused");
    }
    for (uint32_t i = 1; i < x->f.net.n; i++)
        we[i] = x->f.wc[i].blind_vars;
    {
        double bits = zkr_ginf2_net_soundness(&x->f.p, &x->f.net, x->f.xc.blind_vars, we);
        double base = zkr_ginf2_net_soundness_base(&x->f.p, &x->f.net, x->f.xc.blind_vars, we);
        zkr_tap_ok(&t, bits >= (double)x->f.p.target_bits,
                   "soundness %.2f bits (union of %u relations and the output claim; %.2f "
                   "without the extra grinding)", bits, x->f.net.n_rel, base);
    }
    refused_programs(&t, x);
out:
    zkr_buf_free(&pf), zkr_buf_free(&out);
    if (x)
        g2n_fx_free(&x->f);
    free(x);
    return zkr_tap_done(&t);
}
