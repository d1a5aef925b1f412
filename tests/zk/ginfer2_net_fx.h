/*
 * Whole-network graph-inference@2 fixtures shared by zk-ginfer2-net,
 * soundness-ginfer2 and bench/ginfer2_bench: a small CNN (conv 3x3 ReLU ->
 * max pool 2x2 -> dense) and LeNet-5 (tests/zk/geval_fixture.h's program),
 * random int8 weights, per-channel M scaled to the fan-in and biases, a
 * native reference inference (ml/graph.h's integer semantics, written out
 * here independently of the prover), and the commitments: a hiding dataset
 * of G2N_FX_RECS records (inference@2's record commitments, the flat
 * layout with a label) and the model commitment (zk/ginfer2_mc.h).
 */
#ifndef ZKR_TESTS_ZK_GINFER2_NET_FX_H
#define ZKR_TESTS_ZK_GINFER2_NET_FX_H

#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "tests/zk/geval_fixture.h"
#include "verifier/ginfer2.h"

#define G2N_FX_MAX ZKR_GINF2_NET_MAX_NODES
#define G2N_FX_RECS 3u  /* records of the fixture's dataset */
#define G2N_FX_INDEX 1u /* the proven one */

typedef struct {
    zkr_ml_gprog g;
    zkr_ginf2_pub mp;
    zkr_ginf2_net net;
    int8_t *w[G2N_FX_MAX];
    int64_t *m[G2N_FX_MAX], *b[G2N_FX_MAX];
    /* the dataset: G2N_FX_RECS records of c h w bytes and a label; record = recs[G2N_FX_INDEX] */
    uint8_t *recs[G2N_FX_RECS];
    uint8_t *record;
    size_t record_len;
    int8_t logits[ZKR_ML_G_MAX_C];
    uint32_t n_logits;
    /* g2n_fx_commit: the hiding dataset (inference@2's), the record's opening, the model's */
    uint8_t rc[G2N_FX_RECS][ZKR_RECORD_COMMIT_BYTES], ro[ZKR_RECORD_OPENING_BYTES];
    uint8_t root[ZKR_DIGEST_BYTES], dsc[ZKR_DIGEST_BYTES];
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    size_t path_len;
    zkr_infer2_record rec;
    zkr_buf mc;
    uint8_t mcd[ZKR_DIGEST_BYTES];
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
        if (i == 0) /* the input bytes (the flat layout is C-major; the label after them) */
            for (size_t k = 0; k + 1 < f->record_len; k++)
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
 * The dataset's records (c h w input bytes and a label, random from *s;
 * f->record the proven one) and the statement id from seed. NOMEM.
 */
static inline zkr_err g2n_fx_records(g2n_fx *f, uint64_t *s, uint64_t seed)
{
    f->record_len = zkr_ginf2_record_len(&f->g);
    for (uint32_t k = 0; k < G2N_FX_RECS; k++) {
        if (!(f->recs[k] = malloc(f->record_len)))
            return ZKR_ERR_NOMEM;
        for (size_t j = 0; j < f->record_len; j++)
            f->recs[k][j] = (uint8_t)g2n_fx_rnd(s);
        f->recs[k][f->record_len - 1] %= 10u; /* the label */
    }
    f->record = f->recs[G2N_FX_INDEX];
    for (size_t k = 0; k < sizeof f->sid; k++)
        f->sid[k] = (uint8_t)(seed + 3 * k);
    return ZKR_OK;
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
    if ((r = g2n_fx_records(f, &s, seed)) != ZKR_OK)
        return r;
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

/*
 * The dataset's hiding record commitments (inference@2's: each record
 * committed for `proofs` proofs, keys from a seed drawn from rng), its root,
 * commitment and the proven record's path and prover state.
 */
static inline zkr_err g2n_fx_dataset(g2n_fx *f, uint32_t proofs, zkr_zkrng *rng)
{
    uint8_t seed[32], leaves[G2N_FX_RECS][ZKR_DIGEST_BYTES], ro[ZKR_RECORD_OPENING_BYTES];
    zkr_record_commitment rc;
    zkr_err r = ZKR_OK;

    zkr_zkrng_bytes(rng, seed, sizeof seed);
    for (uint32_t k = 0; k < G2N_FX_RECS && r == ZKR_OK; k++) {
        seed[0] ^= (uint8_t)k; /* one seed per record */
        r = zkr_prover_record_commit(&f->p, f->recs[k], f->record_len,
                                     ZKR_GINF2_X_OPENINGS * proofs, seed, sizeof seed, 1,
                                     f->rc[k], k == G2N_FX_INDEX ? f->ro : ro);
        zkr_infer2_record_leaf(f->rc[k], leaves[k]);
    }
    if (r != ZKR_OK ||
        (r = zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, G2N_FX_RECS, f->root)) !=
            ZKR_OK ||
        (r = zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, G2N_FX_RECS,
                                        G2N_FX_INDEX, f->path, &f->path_len)) != ZKR_OK ||
        (r = zkr_record_commitment_decode(&f->p, f->rc[G2N_FX_INDEX], ZKR_RECORD_COMMIT_BYTES,
                                          &rc)) != ZKR_OK ||
        (r = zkr_prover_record_reopen(&f->p, f->record, f->record_len, f->rc[G2N_FX_INDEX], f->ro,
                                      1, &f->xp)) != ZKR_OK)
        return r;
    f->xc = rc.comm;
    zkr_infer2_dataset_commitment(G2N_FX_RECS, f->root, f->dsc);
    memset(&f->rec, 0, sizeof f->rec);
    f->rec.index = G2N_FX_INDEX, f->rec.n_records = G2N_FX_RECS;
    memcpy(f->rec.root, f->root, ZKR_DIGEST_BYTES);
    f->rec.record = f->record, f->rec.record_len = f->record_len;
    f->rec.commitment = f->rc[G2N_FX_INDEX], f->rec.opening = f->ro;
    f->rec.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])f->path, f->rec.path_len = f->path_len;
    return ZKR_OK;
}

/* The model commitment's encoding of f's weight commitments (roots[i] overrides node i's). */
static inline zkr_err g2n_fx_mc(const g2n_fx *f, const zkr_hpcs_commitment *const *over,
                                zkr_buf *out)
{
    zkr_ginf2_mc mc;

    memset(&mc, 0, sizeof mc); /* borrowed arrays: never cleared */
    if (zkr_ml_gprog_digest(&f->g, mc.program_digest, NULL) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    mc.n_nodes = f->g.n_nodes;
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        uint8_t op = f->g.nodes[i].op;
        if (!zkr_ginf2_mc_op_has_entry(op))
            continue;
        mc.op[i] = op, mc.shift[i] = f->mp.shift[i];
        if (op == ZKR_ML_GOP_LOOKUP) { /* f->mp.t[i]: the table */
            memcpy(mc.t[i], f->mp.t[i], sizeof mc.t[i]);
            mc.shift[i] = 0;
            continue;
        }
        if (op == ZKR_ML_GOP_ADD) { /* f->m[i] = {Ma, Mb} */
            mc.add_m[i][0] = f->m[i][0], mc.add_m[i][1] = f->m[i][1];
            continue;
        }
        mc.cout[i] = f->g.nodes[i].c;
        mc.m[i] = f->m[i], mc.b[i] = f->b[i];
        mc.w[i] = over && over[i] ? *over[i] : f->wc[i];
    }
    out->len = 0;
    return zkr_ginf2_mc_encode(&mc, out);
}

/* The dataset's and the model's commitments for `proofs` proofs, from rng. */
static inline zkr_err g2n_fx_commit(g2n_fx *f, uint32_t proofs, zkr_zkrng *rng)
{
    zkr_err r;

    zkr_hpcs_poly_free(f->xp);
    f->xp = NULL;
    for (uint32_t i = 0; i < G2N_FX_MAX; i++)
        zkr_hpcs_poly_free(f->wp[i]), f->wp[i] = NULL;
    if ((r = g2n_fx_dataset(f, proofs, rng)) != ZKR_OK ||
        (r = zkr_prover_ginf2_commit_model(&f->p, &f->net, (const int8_t *const *)f->w, proofs,
                                           rng, f->wp, f->wc)) != ZKR_OK ||
        (r = g2n_fx_mc(f, NULL, &f->mc)) != ZKR_OK)
        return r;
    zkr_ginf2_mc_digest(f->mc.p, f->mc.len, f->mcd);
    return ZKR_OK;
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
    in.rec = &f->rec, in.x = f->xp, in.mc = f->mc.p, in.mc_len = f->mc.len;
    for (uint32_t i = 1; i < f->g.n_nodes; i++)
        in.wp[i] = f->wp[i], in.wc[i] = &f->wc[i];
    return zkr_prover_ginfer2(&f->p, &in, &o, rng, proof, out, NULL);
}

static inline zkr_err g2n_fx_prove(g2n_fx *f, zkr_zkrng *rng, zkr_buf *proof, zkr_buf *out)
{
    zkr_ginf2_popts o = {1, 0, 0, 0, 0, 0};

    return g2n_fx_prove_o(f, &o, rng, proof, out);
}

/* The statement over f's model commitment, dataset and record index. */
static inline void g2n_fx_statement(const g2n_fx *f, zkr_verifier_ginf2_statement *st)
{
    memset(st, 0, sizeof *st);
    st->param_set = ZKR_PARAM_SET_128;
    st->statement_id = f->sid;
    st->g = &f->g;
    st->model_commitment = f->mcd;
    st->dataset_commitment = f->dsc;
    st->record_index = G2N_FX_INDEX;
    st->output = f->logits, st->output_len = f->n_logits;
    if (f->reduced)
        st->params = &f->p, st->off = ZKR_GINF2_OFF_GRIND;
}

/* The offset of the model commitment's encoding in a proof's section 31 (0: none). */
static inline size_t g2n_fx_mc_at(const uint8_t *pf, size_t len, size_t *mc_len)
{
    zkr_proof_view v;

    if (zkr_proof_parse(pf, len, &v, NULL) != ZKR_OK)
        return 0;
    for (uint32_t k = 0; k < v.n_sections; k++)
        if (v.tag[k] == ZKR_SEC_GINF2_ROOTS && v.len[k] >= 8) {
            *mc_len = zkr_load_be32(v.body[k] + 4); /* after the version word */
            return (size_t)(v.body[k] - pf) + 8;
        }
    return 0;
}

/*
 * Verifies pf0 (f's proof) under f's statement naming enc's digest as the
 * model commitment; carried: a copy of pf0 carrying enc in place of its
 * own (same length). ZKR_ERR_USAGE when enc does not fit in place.
 */
static inline zkr_err g2n_fx_verify_mc(const g2n_fx *f, const zkr_buf *pf0, const zkr_buf *enc,
                                       int carried)
{
    zkr_verifier_ginf2_statement st;
    zkr_buf pf = {0};
    uint8_t dd[ZKR_DIGEST_BYTES];
    size_t at, len = 0;
    zkr_err r = ZKR_ERR_USAGE;

    if (zkr_buf_append(&pf, pf0->p, pf0->len) == ZKR_OK &&
        (at = g2n_fx_mc_at(pf.p, pf.len, &len)) != 0 && len == enc->len) {
        if (carried)
            memcpy(pf.p + at, enc->p, len);
        zkr_ginf2_mc_digest(enc->p, enc->len, dd);
        g2n_fx_statement(f, &st);
        st.model_commitment = dd;
        r = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL);
    }
    zkr_buf_free(&pf);
    return r;
}

static inline void g2n_fx_free(g2n_fx *f)
{
    zkr_hpcs_poly_free(f->xp);
    for (uint32_t i = 0; i < G2N_FX_MAX; i++) {
        zkr_hpcs_poly_free(f->wp[i]);
        free(f->w[i]), free(f->m[i]), free(f->b[i]);
    }
    for (uint32_t k = 0; k < G2N_FX_RECS; k++)
        free(f->recs[k]);
    zkr_buf_free(&f->mc);
}

#endif
