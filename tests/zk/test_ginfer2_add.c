/*
 * zk-ginfer2-add: graph-inference@2's zero-knowledge residual ADD
 * (zk/ginfer2_add.h) and DAG programs, version 3 (the record one of a
 * hiding dataset, the model behind its commitment with ADD entries,
 * zk/ginfer2_mc.h).
 * The relation, on the tests' reduced set (tests/zk/ginfer2_add_fx.h): an
 * honest ADD (X a plain tensor, X2 block 1 of a 4-block table read as
 * entry - 128; ReLU and not) and an ADD of one node with itself verify, V's
 * slot 0 is the reference; a bit flip, a truncation, another V's
 * commitment, another Mb are refused.
 * The whole network: a residual CNN (1 x 6 x 6 -> conv 3x3 pad 1 ReLU (c1)
 * -> conv 3x3 pad 1 (c2) -> add(c2, c1) ReLU -> max pool 2x2 -> add(p, p)
 * -> dense 3), model and dataset random, the logits of native inference
 * (ml/ginfer.c). On the reduced set (both builds): it verifies, the same
 * seeds give the same bytes, bit flips, another model's commitment (named,
 * or carried and named), another expected output, another ADD Ma (named, or
 * carried and named: the transcript binds it) are refused; the DAG rules
 * refuse an ADD reading the record, an ADD over inputs of another shape
 * and a node reading itself; a graph model with ADD committed by
 * zkr_prover_ginfer2_commit carries its ADD entries (shift, Ma, Mb), which
 * decode strictly and fit the program (an entry missing, on another node,
 * Ma out of range, an op without entry are refused), and a proof made
 * through it verifies. With --production (zk-ginfer2-add-prod, plain build
 * only): at the production parameters once, it verifies, the logits equal
 * native inference, a bit flip is refused, the figure is >= the target.
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
        zkr_ginf2_cin c1 = {0u, 0u, 0, -128, 0u}, c2 = {2u, 1u, -128, -128, 0u};
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

static zkr_err verify(const g2n_fx *f, const uint8_t *pf, size_t len)
{
    zkr_verifier_ginf2_statement st;

    g2n_fx_statement(f, &st);
    return zkr_verify_ginfer2(pf, len, &st, NULL, 0, NULL, NULL);
}

/* Verifies pf with f's statement naming the model commitment digest mcd. */
static zkr_err verify_mcd(const g2n_fx *f, const uint8_t *pf, size_t len, const uint8_t *mcd,
                          zkr_diag *dg)
{
    zkr_verifier_ginf2_statement st;

    g2n_fx_statement(f, &st);
    st.model_commitment = mcd;
    zkr_diag_clear(dg);
    return zkr_verify_ginfer2(pf, len, &st, NULL, 0, NULL, dg);
}

static zkr_err commit_prove(g2n_fx *f, uint8_t tag, zkr_buf *pf, zkr_buf *out)
{
    zkr_zkrng g;
    zkr_err r;

    pf->len = out->len = 0;
    if ((r = seeded(&g, tag)) != ZKR_OK || (r = g2n_fx_commit(f, 1, &g)) != ZKR_OK)
        goto out;
    zkr_zkrng_wipe(&g);
    if ((r = seeded(&g, (uint8_t)(tag + 1))) == ZKR_OK)
        r = g2n_fx_prove(f, &g, pf, out);
out:
    zkr_zkrng_wipe(&g);
    return r;
}

/* The offset of the model commitment's encoding in pf's section 31 (0: none). */
static size_t mc_at(const zkr_buf *pf, size_t *mc_len)
{
    zkr_proof_view v;

    if (zkr_proof_parse(pf->p, pf->len, &v, NULL) != ZKR_OK)
        return 0;
    for (uint32_t k = 0; k < v.n_sections; k++)
        if (v.tag[k] == ZKR_SEC_GINF2_ROOTS && v.len[k] >= 8) {
            *mc_len = zkr_load_be32(v.body[k] + 4); /* after the version word */
            return (size_t)(v.body[k] - pf->p) + 8;
        }
    return 0;
}

/*
 * Verifies a copy of pf0 carrying enc as its model commitment (same
 * length) and naming its digest.
 */
static zkr_err verify_carried(const g2n_fx *f, const zkr_buf *pf0, const zkr_buf *enc,
                              zkr_diag *dg)
{
    zkr_buf pf = {0};
    uint8_t dd[ZKR_DIGEST_BYTES];
    size_t at, len = 0;
    zkr_err r = ZKR_ERR_USAGE;

    if (zkr_buf_append(&pf, pf0->p, pf0->len) == ZKR_OK && (at = mc_at(&pf, &len)) != 0 &&
        len == enc->len) {
        memcpy(pf.p + at, enc->p, len);
        zkr_ginf2_mc_digest(enc->p, enc->len, dd);
        r = verify_mcd(f, pf.p, pf.len, dd, dg);
    }
    zkr_buf_free(&pf);
    return r;
}

/* The residual net at the production parameters (--production: zk-ginfer2-add-prod, plain build). */
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

    if (e == ZKR_OK) {
        clock_t c0 = clock();
        e = commit_prove(f, 60, &pf, &out);
        c1 = clock(), prove_s = (double)(c1 - c0) / CLOCKS_PER_SEC;
    }
    if (e == ZKR_OK) {
        g2n_fx_statement(f, &st);
        st.output = NULL;
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
        zkr_tap_ok(t, verify(f, pf.p, pf.len) != ZKR_OK, "production: a bit flip is refused");
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

/* The model's twins on the reduced proof pf of f: another model's W, another ADD Ma. */
static void model_twins(zkr_tap *t, const g2n_fx *f, const zkr_buf *pf)
{
    g2n_fx *f2 = calloc(1, sizeof *f2);
    const zkr_hpcs_commitment *over[G2N_FX_MAX] = {0};
    zkr_buf enc = {0};
    zkr_zkrng g;
    zkr_diag dg;
    zkr_err e = f2 ? g2n_fx_residual(f2, 10, 30000) : ZKR_ERR_NOMEM;

    /* another model: the same program, other weights (its commitment, and its W_1's) */
    if (e == ZKR_OK) {
        g2n_fx_reduce(f2);
        if ((e = seeded(&g, 71)) == ZKR_OK)
            e = g2n_fx_commit(f2, 1, &g);
        zkr_zkrng_wipe(&g);
    }
    zkr_tap_ok(t, e == ZKR_OK && verify_mcd(f, pf->p, pf->len, f2->mcd, &dg) ==
                                     ZKR_ERR_MISMATCH_MODEL,
               "another model's commitment named is refused (%s)", dg.msg);
    over[1] = &f2->wc[1];
    e = e == ZKR_OK ? g2n_fx_mc(f, over, &enc) : e;
    zkr_tap_ok(t, e == ZKR_OK && verify_carried(f, pf, &enc, &dg) == ZKR_ERR_VERIFY,
               "another W_1's commitment carried and named is refused by the relations (%s)",
               dg.msg);
    /* the ADDs' public Ma: 30001 instead of 30000 (same weights: the same seed) */
    g2n_fx_free(f2);
    e = g2n_fx_residual(f2, 9, 30001);
    over[1] = NULL;
    for (uint32_t i = 1; i < f->g.n_nodes; i++)
        f2->wc[i] = f->wc[i];
    if (e == ZKR_OK)
        e = g2n_fx_mc(f2, NULL, &enc);
    if (e == ZKR_OK)
        zkr_ginf2_mc_digest(enc.p, enc.len, f2->mcd);
    zkr_tap_ok(t, e == ZKR_OK && verify_mcd(f, pf->p, pf->len, f2->mcd, &dg) ==
                                     ZKR_ERR_MISMATCH_MODEL,
               "another ADD Ma named (the commitment's digest) is refused (%s)", dg.msg);
    zkr_tap_ok(t, e == ZKR_OK && verify_carried(f, pf, &enc, &dg) == ZKR_ERR_VERIFY,
               "another ADD Ma carried and named is refused by the relations (the transcript "
               "binds it) (%s)", dg.msg);
    zkr_buf_free(&enc);
    if (f2)
        g2n_fx_free(f2);
    free(f2);
}

static void reduced(zkr_tap *t)
{
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf pf = {0}, pf2 = {0}, out = {0}, out2 = {0};
    zkr_err e = f ? g2n_fx_residual(f, 9, 30000) : ZKR_ERR_NOMEM;

    zkr_tap_ok(t, e == ZKR_OK && f->net.n_rel == 9 && f->net.v_budget[1] == 3 &&
                      f->net.v_budget[2] == 2 && f->net.v_budget[3] == 3 &&
                      f->net.v_budget[4] == 3 && f->net.v_budget[5] == 3 &&
                      f->net.v_budget[6] == 2,
               "residual net: 9 relations; V budgets count readers (c1 2, pool 2 (one ADD "
               "twice), add1 1 plus own; the dense's the output claim)");
    if (e == ZKR_OK) {
        g2n_fx_reduce(f);
        e = commit_prove(f, 70, &pf, &out);
    }
    zkr_tap_ok(t, e == ZKR_OK && verify(f, pf.p, pf.len) == ZKR_OK,
               "residual net, reduced set: verifies (%d)", (int)e);
    if (e == ZKR_OK) {
        int flips = 1;
        zkr_verifier_ginf2_statement st;
        int8_t y2[ZKR_ML_G_MAX_C];
        e = commit_prove(f, 70, &pf2, &out2);
        zkr_tap_ok(t, e == ZKR_OK && pf2.len == pf.len && memcmp(pf.p, pf2.p, pf.len) == 0,
                   "same seeds, byte-identical proofs");
        for (size_t k = 0; k < 12; k++) {
            size_t at = (k * 7919u + 13u) % pf.len;
            pf.p[at] ^= (uint8_t)(1u << (k & 7));
            flips &= verify(f, pf.p, pf.len) != ZKR_OK;
            pf.p[at] ^= (uint8_t)(1u << (k & 7));
        }
        zkr_tap_ok(t, flips && verify(f, pf.p, pf.len - 1) == ZKR_ERR_MALFORMED,
                   "12 bit flips and a truncation are refused");
        g2n_fx_statement(f, &st);
        memcpy(y2, f->logits, f->n_logits);
        y2[0] = (int8_t)(y2[0] + 1);
        st.output = y2;
        zkr_tap_ok(t, zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) ==
                          ZKR_ERR_MISMATCH_OUTPUT,
                   "another expected output is refused");
        model_twins(t, f, &pf);
    }
    zkr_buf_free(&pf), zkr_buf_free(&pf2), zkr_buf_free(&out), zkr_buf_free(&out2);
    if (f)
        g2n_fx_free(f);
    free(f);
}

/* The offset of node i's ADD entry (node | op | shift | Ma | Mb) in enc, 0 if none. */
static size_t add_entry_at(const zkr_buf *enc, uint32_t i, uint32_t shift)
{
    uint8_t pat[12];

    zkr_store_be32(pat, i), zkr_store_be32(pat + 4, ZKR_ML_GOP_ADD), zkr_store_be32(pat + 8, shift);
    for (size_t at = 52; at + 20 <= enc->len; at++)
        if (memcmp(enc->p + at, pat, sizeof pat) == 0)
            return at;
    return 0;
}

/* Re-encodes mc changed by change(mc) and fits it to g: the fit's result. */
static zkr_err refit(const zkr_params *p, const zkr_ml_gprog *g, const zkr_buf *enc,
                     void (*change)(zkr_ginf2_mc *), zkr_diag *dg)
{
    zkr_ginf2_mc mc, mc2;
    zkr_ginf2_pub mp;
    zkr_buf e2 = {0};
    zkr_err r;

    zkr_diag_clear(dg);
    if ((r = zkr_ginf2_mc_decode(p, enc->p, enc->len, &mc)) != ZKR_OK)
        return r;
    change(&mc);
    if ((r = zkr_ginf2_mc_encode(&mc, &e2)) == ZKR_OK &&
        (r = zkr_ginf2_mc_decode(p, e2.p, e2.len, &mc2)) == ZKR_OK) {
        r = zkr_ginf2_mc_fit(g, &mc2, &mp, dg);
        zkr_ginf2_mc_clear(&mc2);
    }
    zkr_ginf2_mc_clear(&mc);
    zkr_buf_free(&e2);
    return r;
}

static void drop_add3(zkr_ginf2_mc *mc)
{
    mc->op[3] = 0;
}

static void add_on_pool(zkr_ginf2_mc *mc)
{
    mc->op[4] = ZKR_ML_GOP_ADD, mc->shift[4] = 15, mc->add_m[4][0] = 1, mc->add_m[4][1] = 1;
}

/* The ADD entries' strict decoding and fit, on enc (committed for f's program). */
static void add_entries(zkr_tap *t, const g2n_fx *f, zkr_buf *enc)
{
    size_t at = add_entry_at(enc, 3, 15);
    zkr_ginf2_mc mc;
    zkr_diag dg;
    int strict = at != 0;

    if (at) {
        enc->p[at + 12] ^= 0x80; /* Ma >= 2^31 */
        strict &= zkr_ginf2_mc_decode(&f->p, enc->p, enc->len, &mc) == ZKR_ERR_MALFORMED;
        enc->p[at + 12] ^= 0x80;
        enc->p[at + 16] ^= 0x80; /* Mb >= 2^31 */
        strict &= zkr_ginf2_mc_decode(&f->p, enc->p, enc->len, &mc) == ZKR_ERR_MALFORMED;
        enc->p[at + 16] ^= 0x80;
        enc->p[at + 7] = ZKR_ML_GOP_MAXPOOL; /* an op without entry */
        strict &= zkr_ginf2_mc_decode(&f->p, enc->p, enc->len, &mc) == ZKR_ERR_MALFORMED;
        enc->p[at + 7] = ZKR_ML_GOP_ADD;
        enc->p[at + 11] = 49; /* shift 49 */
        strict &= zkr_ginf2_mc_decode(&f->p, enc->p, enc->len, &mc) == ZKR_ERR_MALFORMED;
        enc->p[at + 11] = 15;
        strict &= zkr_ginf2_mc_decode(&f->p, enc->p, enc->len, &mc) == ZKR_OK;
        if (strict)
            zkr_ginf2_mc_clear(&mc);
    }
    zkr_tap_ok(t, strict, "ADD entry: Ma or Mb >= 2^31, an op without entry, shift 49 are "
                          "refused by the decoder");
    zkr_tap_ok(t, refit(&f->p, &f->g, enc, drop_add3, &dg) == ZKR_ERR_MISMATCH_MODEL,
               "an ADD node without its entry does not fit the program (%s)", dg.msg);
    zkr_tap_ok(t, refit(&f->p, &f->g, enc, add_on_pool, &dg) == ZKR_ERR_MISMATCH_MODEL,
               "an ADD entry on the max pooling node does not fit the program (%s)", dg.msg);
}

/*
 * A graph model with ADD committed by zkr_prover_ginfer2_commit: its
 * entries, their fit, a proof through it (reduced set) verifies.
 */
static void model_commit(zkr_tap *t)
{
    static const uint8_t seed[32] = {9, 8, 7};
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_ml_gmodel *m = NULL;
    zkr_ginf2_model *gm = NULL;
    zkr_buf enc = {0}, pf = {0}, out = {0};
    uint8_t op[ZKR_GINF2_OPENING_BYTES], dg[ZKR_DIGEST_BYTES];
    zkr_ginf2_mc mc;
    zkr_ginf2_pub mp;
    zkr_zkrng g;
    zkr_err e = f ? g2n_fx_residual(f, 9, 30000) : ZKR_ERR_NOMEM;

    if (e == ZKR_OK) {
        g2n_fx_reduce(f);
        e = g2n_fx_gmodel(f, &m);
    }
    if (e == ZKR_OK)
        e = zkr_prover_ginfer2_commit(&f->p, m, 1, seed, sizeof seed, 1, &gm, &enc, op, NULL);
    if (e == ZKR_OK && (e = zkr_ginf2_mc_decode(&f->p, enc.p, enc.len, &mc)) == ZKR_OK) {
        e = zkr_ginf2_mc_fit(&f->g, &mc, &mp, NULL);
        zkr_tap_ok(t, e == ZKR_OK && mc.op[3] == ZKR_ML_GOP_ADD && mc.op[5] == ZKR_ML_GOP_ADD &&
                          !mc.op[4] && mp.m[3][0] == 30000 && mp.m[3][1] == 21003 &&
                          mp.m[5][1] == 21005 && mp.shift[3] == 15 && mp.shift[5] == 15 &&
                          zkr_ginf2_mc_has_w(&mc, 6),
                   "a graph model with ADD: its commitment carries the ADDs' shift, Ma, Mb and "
                   "fits the program (%d)", (int)e);
        zkr_ginf2_mc_clear(&mc);
    } else {
        zkr_tap_ok(t, 0, "a graph model with ADD committed (%d)", (int)e);
    }
    if (e != ZKR_OK)
        goto out;
    add_entries(t, f, &enc);
    {
        zkr_prover_ginf2_in in;
        zkr_verifier_ginf2_statement st;
        zkr_ginf2_popts o = {1, ZKR_GINF2_OFF_GRIND, 0, 0, 0, 0};
        /* the dataset (and the fixture's own model commitment, unused here) */
        if ((e = seeded(&g, 80)) == ZKR_OK)
            e = g2n_fx_commit(f, 1, &g);
        zkr_zkrng_wipe(&g);
        memset(&in, 0, sizeof in);
        zkr_ginf2_model_input(gm, &in);
        in.statement_id = f->sid, in.rec = &f->rec, in.x = f->xp;
        if (e == ZKR_OK && (e = seeded(&g, 81)) == ZKR_OK)
            e = zkr_prover_ginfer2(&f->p, &in, &o, &g, &pf, &out, NULL);
        zkr_zkrng_wipe(&g);
        zkr_ginf2_mc_digest(enc.p, enc.len, dg);
        g2n_fx_statement(f, &st);
        st.model_commitment = dg;
        if (e == ZKR_OK)
            e = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL);
        zkr_tap_ok(t, e == ZKR_OK && zkr_ginf2_model_proofs_left(gm) == 0,
                   "a proof through the committed graph model with ADD verifies against its "
                   "digest and native inference's logits (%d)", (int)e);
    }
out:
    zkr_ginf2_model_free(gm);
    zkr_ml_gmodel_free(m);
    zkr_buf_free(&enc), zkr_buf_free(&pf), zkr_buf_free(&out);
    if (f)
        g2n_fx_free(f);
    free(f);
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
        g = f->g;
        g.nodes[2].in[0] = 0; /* c2 reads the record too (2 x 6 x 6 either way) */
        zkr_diag_clear(&dg);
        e = zkr_ginf2_net_init(net, &g, &f->mp, &dg);
        zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "record is read by 2"),
                   "a record read by two nodes is refused (%s)", dg.msg);
        g = f->g;
        g.nodes[3].n_in = 1, g.nodes[3].in[1] = 0; /* an ADD of one input */
        zkr_diag_clear(&dg);
        e = zkr_ginf2_net_init(net, &g, &f->mp, &dg);
        zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED, "an ADD reading one node is refused (%s)",
                   dg.msg);
        g = f->g;
        g.nodes[5].in[1] = 5; /* add(pool, itself) */
        zkr_diag_clear(&dg);
        e = zkr_ginf2_net_init(net, &g, &f->mp, &dg);
        zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED, "an ADD reading itself (second input) is "
                   "refused (%s)", dg.msg);
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
    if (zkr_tap_flag(argc, argv, "--production")) { /* zk-ginfer2-add-prod, plain build only */
        production(&t);
        return zkr_tap_done(&t);
    }
    relation(&t, 0, 1);
    relation(&t, 0, 0);
    relation(&t, 1, 1);
    refused(&t);
    reduced(&t);
    model_commit(&t);
    return zkr_tap_done(&t);
}
