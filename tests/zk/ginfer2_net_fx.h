/*
 * Whole-network graph-inference@2 fixtures shared by zk-ginfer2-net,
 * soundness-ginfer2 and bench/ginfer2_bench: a small CNN (conv 3x3 ReLU ->
 * max pool 2x2 -> dense) and LeNet-5 (tests/zk/geval_fixture.h's program),
 * random int8 weights, per-channel M scaled to the fan-in and biases, a
 * native reference inference (ml/graph.h's integer semantics, written out
 * here independently of the prover), and the commitments.
 */
#ifndef ZKR_TESTS_ZK_GINFER2_NET_FX_H
#define ZKR_TESTS_ZK_GINFER2_NET_FX_H

#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "tests/zk/geval_fixture.h"
#include "verifier/ginfer2.h"

#define G2N_FX_MAX ZKR_GINF2_NET_MAX_NODES

typedef struct {
    zkr_ml_gprog g;
    zkr_ginf2_pub mp;
    zkr_ginf2_net net;
    int8_t *w[G2N_FX_MAX];
    int64_t *m[G2N_FX_MAX], *b[G2N_FX_MAX];
    uint8_t *record;
    size_t record_len;
    int8_t logits[ZKR_ML_G_MAX_C];
    uint32_t n_logits;
    zkr_hpcs_poly *xp, *wp[G2N_FX_MAX];
    zkr_hpcs_commitment xc, wc[G2N_FX_MAX];
    uint8_t sid[ZKR_DIGEST_BYTES];
    zkr_params p;
    int reduced; /* g2n_fx_reduce: prover and verifier on the reduced set */
} g2n_fx;

static inline uint64_t g2n_fx_rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* The small CNN: 1 x 6 x 6 -> conv 2 3x3 ReLU -> max pool 2x2/2 -> dense 3. */
static inline void g2n_fx_small(zkr_ml_gprog *g)
{
    uint32_t c1, p1;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 6, .w = 6};
    g->n_nodes = 1;
    c1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                  .c = 2, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
                                  .groups = 1});
    p1 = gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c1}, .kh = 2,
                                  .kw = 2, .sh = 2, .sw = 2});
    (void)gx_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {p1}, .c = 3});
}

/* The reference inference (ml/graph.h): x the input's values, out node i's (C-major). */
static inline void g2n_fx_native_node(const g2n_fx *f, uint32_t i, const int64_t *x, int64_t *out)
{
    const zkr_ml_gnode *n = &f->g.nodes[i], *in = &f->g.nodes[n->in[0]];
    int dense = n->op == ZKR_ML_GOP_DENSE, s = (int)f->mp.shift[i];
    uint32_t kh = dense ? in->h : n->kh, kw = dense ? in->w : n->kw;
    uint32_t sh = dense ? 1 : n->sh, sw = dense ? 1 : n->sw, pt = dense ? 0 : n->pt;
    uint32_t pl = dense ? 0 : n->pl, dh = dense || !n->dh ? 1 : n->dh, dw = dense || !n->dw ? 1 : n->dw;

    for (uint32_t co = 0; co < n->c; co++)
        for (uint32_t oy = 0; oy < n->h; oy++)
            for (uint32_t ox = 0; ox < n->w; ox++) {
                int64_t best = -1000, a = 0, u, q;
                uint32_t cis = n->op == ZKR_ML_GOP_MAXPOOL ? 1 : in->c;
                for (uint32_t cc = 0; cc < cis; cc++)
                    for (uint32_t ky = 0; ky < kh; ky++)
                        for (uint32_t kx = 0; kx < kw; kx++) {
                            int64_t yy = (int64_t)oy * sh + (int64_t)ky * dh - pt;
                            int64_t xx = (int64_t)ox * sw + (int64_t)kx * dw - pl;
                            uint32_t ci = n->op == ZKR_ML_GOP_MAXPOOL ? co : cc;
                            int64_t v;
                            if (yy < 0 || xx < 0 || yy >= in->h || xx >= in->w) {
                                best = best > -128 ? best : -128;
                                continue;
                            }
                            v = x[((size_t)ci * in->h + (size_t)yy) * in->w + (size_t)xx];
                            best = v > best ? v : best;
                            if (n->op != ZKR_ML_GOP_MAXPOOL)
                                a += f->w[i][((co * in->c + ci) * kh + ky) * kw + kx] * v;
                        }
                if (n->op == ZKR_ML_GOP_MAXPOOL) {
                    out[((size_t)co * n->h + oy) * n->w + ox] = best;
                    continue;
                }
                u = (a + f->b[i][co]) * f->m[i][co] + ((int64_t)1 << (s - 1));
                q = u >= 0 ? u >> s : -((-u + ((int64_t)1 << s) - 1) >> s);
                q = q > 127 ? 127 : q < (n->act == ZKR_ML_ACT_RELU ? 0 : -128)
                                        ? (n->act == ZKR_ML_ACT_RELU ? 0 : -128)
                                        : q;
                out[((size_t)co * n->h + oy) * n->w + ox] = q;
            }
}

/* The logits of the record by the reference inference. NOMEM. */
static inline zkr_err g2n_fx_native(g2n_fx *f)
{
    int64_t *a[G2N_FX_MAX] = {0};
    zkr_err r = ZKR_OK;

    for (uint32_t i = 0; i < f->g.n_nodes && r == ZKR_OK; i++) {
        a[i] = malloc((size_t)zkr_ml_gprog_elems(&f->g, i) * sizeof *a[i]);
        if (!a[i]) {
            r = ZKR_ERR_NOMEM;
            break;
        }
        if (i == 0)
            for (size_t k = 0; k < f->record_len; k++)
                a[0][k] = f->record[k];
        else
            g2n_fx_native_node(f, i, a[i - 1], a[i]);
    }
    if (r == ZKR_OK) {
        uint32_t last = f->g.n_nodes - 1;
        f->n_logits = zkr_ml_gprog_elems(&f->g, last);
        for (uint32_t k = 0; k < f->n_logits; k++)
            f->logits[k] = (int8_t)a[last][k];
    }
    for (uint32_t i = 0; i < f->g.n_nodes; i++)
        free(a[i]);
    return r;
}

/*
 * The model (weights in -127..127, M_c = 2^s / (fan-in 24) + c, shift 16,
 * |b| < 2^11) and record from seed, the layout, the reference logits.
 */
static inline zkr_err g2n_fx_init(g2n_fx *f, int lenet, uint64_t seed)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 5;
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK)
        return r;
    if (lenet)
        gx_lenet(&f->g, 0);
    else
        g2n_fx_small(&f->g);
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
    f->record_len = zkr_ml_gprog_elems(&f->g, 0);
    if (!(f->record = malloc(f->record_len)))
        return ZKR_ERR_NOMEM;
    for (size_t k = 0; k < f->record_len; k++)
        f->record[k] = (uint8_t)g2n_fx_rnd(&s);
    for (size_t k = 0; k < sizeof f->sid; k++)
        f->sid[k] = (uint8_t)(seed + 3 * k);
    if ((r = zkr_ginf2_net_init(&f->net, &f->g, &f->mp, NULL)) != ZKR_OK)
        return r;
    return g2n_fx_native(f);
}

/*
 * The reduced parameter set of the tests (as zk-leakage-ginfer2's): no
 * grinding (the set's nor the relations' extra, ZKR_GINF2_OFF_GRIND on
 * both sides; the output claim keeps its few extra bits),
 * 16 queries, rate 1/2. The checks run are the production code's; only
 * the figure drops (far below the target). Call before g2n_fx_commit
 * (the blinding budgets follow the query count).
 */
static inline void g2n_fx_reduce(g2n_fx *f)
{
    f->p.pow_bits = 0;
    f->p.queries = 16;
    f->p.log_blowup = 1;
    f->reduced = 1;
}

/* The record's and the model's commitments for `proofs` proofs, from rng. */
static inline zkr_err g2n_fx_commit(g2n_fx *f, uint32_t proofs, zkr_zkrng *rng)
{
    zkr_err r;

    zkr_hpcs_poly_free(f->xp);
    f->xp = NULL;
    for (uint32_t i = 0; i < G2N_FX_MAX; i++)
        zkr_hpcs_poly_free(f->wp[i]), f->wp[i] = NULL;
    if ((r = zkr_prover_ginf2_commit_record(&f->p, &f->net, f->record, f->record_len, proofs,
                                            rng, &f->xp, &f->xc)) != ZKR_OK)
        return r;
    return zkr_prover_ginf2_commit_model(&f->p, &f->net, (const int8_t *const *)f->w, proofs, rng,
                                         f->wp, f->wc);
}

static inline zkr_err g2n_fx_prove_o(g2n_fx *f, const zkr_ginf2_popts *po, zkr_zkrng *rng,
                                     zkr_buf *proof, zkr_buf *out)
{
    zkr_prover_ginf2_in in;
    zkr_ginf2_popts o = *po;

    if (f->reduced)
        o.off |= ZKR_GINF2_OFF_GRIND;
    memset(&in, 0, sizeof in);
    in.g = &f->g, in.net = &f->net, in.statement_id = f->sid;
    in.record = f->record, in.record_len = f->record_len, in.x = f->xp, in.xc = &f->xc;
    for (uint32_t i = 1; i < f->g.n_nodes; i++)
        in.wp[i] = f->wp[i], in.wc[i] = &f->wc[i];
    return zkr_prover_ginfer2(&f->p, &in, &o, rng, proof, out, NULL);
}

static inline zkr_err g2n_fx_prove(g2n_fx *f, zkr_zkrng *rng, zkr_buf *proof, zkr_buf *out)
{
    zkr_ginf2_popts o = {1, 0, 0, 0, 0, 0};

    return g2n_fx_prove_o(f, &o, rng, proof, out);
}

/* The statement over f's commitments (xc, wc override them when not NULL). */
static inline void g2n_fx_statement(const g2n_fx *f, const zkr_hpcs_commitment *xc,
                                    const zkr_hpcs_commitment *wc,
                                    zkr_verifier_ginf2_statement *st)
{
    memset(st, 0, sizeof *st);
    st->param_set = ZKR_PARAM_SET_128;
    st->statement_id = f->sid;
    st->g = &f->g, st->mp = &f->mp;
    st->xc = xc ? xc : &f->xc;
    for (uint32_t i = 1; i < f->g.n_nodes; i++)
        st->wc[i] = f->wc[i].n_vars ? (wc ? wc : &f->wc[i]) : NULL;
    st->output = f->logits, st->output_len = f->n_logits;
    if (f->reduced)
        st->params = &f->p, st->off = ZKR_GINF2_OFF_GRIND;
}

static inline void g2n_fx_free(g2n_fx *f)
{
    zkr_hpcs_poly_free(f->xp);
    for (uint32_t i = 0; i < G2N_FX_MAX; i++) {
        zkr_hpcs_poly_free(f->wp[i]);
        free(f->w[i]), free(f->m[i]), free(f->b[i]);
    }
    free(f->record);
}

#endif
