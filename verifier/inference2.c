/*
 * inference@2 verification (docs/proof-system.md, "inference@2"): the
 * bindings against the registered statement first (each with its own
 * error), then the range proof of the hidden witness, the batched masked
 * sumcheck, the hiding openings of every revealed value and the Libra
 * mask's value. Every count comes from the program, the model commitment
 * and the parameter set, never from the file.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ml/graph.h"
#include "verifier/verifier.h"
#include "verifier/inference2_test.h"
#include "zk/infer2_int.h"
#include "zkr_config.h"

typedef struct {
    zkr_ml_graph g;
    zkr_infer2_shape sh;
    zkr_infer2_model_commitment mc;
    zkr_record_commitment rc;
    zkr_infer2_output_commitment oc;
    int8_t y[ZKR_INFER_MAX_DIM];
    uint32_t out_dim;
    zkr_hpcs_commitment v, c;
    const uint8_t *stmt;
    size_t stmt_len;
} zkr_v2_stmt;

static zkr_err zkr_v2_model(const zkr_params *p, zkr_dec *dec,
                            const zkr_verifier_inference2_statement *st, const uint8_t pd[32],
                            zkr_v2_stmt *s, zkr_diag *d)
{
    const uint8_t *enc;
    size_t len;
    uint8_t dg[ZKR_DIGEST_BYTES];
    uint32_t in[ZKR_INFER_MAX_LAYERS], out[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS];
    zkr_err r;

    if (zkr_dec_bytes(dec, ZKR_INFER2_MC_MAX_BYTES, &enc, &len) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: model commitment field malformed");
    zkr_infer2_mc_digest(enc, len, dg);
    if (sodium_memcmp(dg, st->model_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: model commitment differs from the registered model's");
    r = zkr_infer2_mc_decode(p, enc, len, &s->mc);
    if (r == ZKR_ERR_MISMATCH_PARAMS)
        return zkr_fail(d, r,
                        "proof: the registered model commitment was made at parameter set %s, "
                        "the statement's schema pins %s",
                        zkr_params_name(s->mc.param_set), zkr_params_name(p->id));
    if (r != ZKR_OK ||
        sodium_memcmp(s->mc.program_digest, pd, ZKR_DIGEST_BYTES) != 0 ||
        s->mc.n_layers != s->g.n_layers)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: the registered model commitment is not one for this program");
    for (uint32_t l = 0; l < s->g.n_layers; l++) {
        in[l] = s->g.layers[l].in_dim;
        out[l] = s->g.layers[l].out_dim;
        relu[l] = s->g.layers[l].act == ZKR_ML_ACT_RELU;
    }
    if (zkr_infer2_shape_init(&s->sh, s->g.input_dim, s->g.n_layers, in, out, relu,
                              s->mc.shifts) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "proof: committed shifts out of bounds");
    for (uint32_t l = 0; l < s->g.n_layers; l++)
        if (s->mc.w[l].n_vars != s->sh.s.layer[l].lk + s->sh.lm[l] || s->mc.w[l].ext)
            return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "proof: layer %u commitment size", l);
    return ZKR_OK;
}

static zkr_err zkr_v2_record(const zkr_params *p, zkr_dec *dec,
                             const zkr_verifier_inference2_statement *st, zkr_v2_stmt *s,
                             zkr_diag *d)
{
    uint64_t n, index;
    const uint8_t *root, *path, *rc;
    uint32_t path_len;
    uint8_t dc[ZKR_DIGEST_BYTES], leaf[ZKR_DIGEST_BYTES];

    if (zkr_dec_u64(dec, &n) != ZKR_OK || zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: dataset commitment truncated");
    zkr_infer2_dataset_commitment(n, root, dc);
    if (sodium_memcmp(dc, st->dataset_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                        "proof: dataset commitment differs from the registered dataset's");
    if (zkr_dec_u64(dec, &index) != ZKR_OK ||
        zkr_dec_raw(dec, ZKR_RECORD_COMMIT_BYTES, &rc) != ZKR_OK ||
        zkr_dec_u32(dec, &path_len) != ZKR_OK || path_len > ZKR_MERKLE_MAX_DEPTH ||
        zkr_dec_raw(dec, (size_t)path_len * ZKR_DIGEST_BYTES, &path) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: record section malformed");
    if (index != st->record_index)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: record %llu, the statement names %llu",
                        (unsigned long long)index, (unsigned long long)st->record_index);
    if (zkr_record_commitment_decode(p, rc, ZKR_RECORD_COMMIT_BYTES, &s->rc) != ZKR_OK ||
        s->rc.len != s->g.input_dim + 1)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: the record commitment is not one of "
                        "%u input bytes and a label", s->g.input_dim);
    zkr_infer2_record_leaf(rc, leaf);
    if (zkr_merkle_inclusion_verify(leaf, index, n, (const uint8_t(*)[ZKR_DIGEST_BYTES])path,
                                    path_len, root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof: the record commitment is not leaf %llu of the committed dataset",
                        (unsigned long long)index);
    return ZKR_OK;
}

static zkr_err zkr_v2_output(const zkr_params *p, zkr_dec *dec,
                             const zkr_verifier_inference2_statement *st, zkr_v2_stmt *s,
                             zkr_diag *d)
{
    const zkr_ml_layer_desc *last = &s->g.layers[s->g.n_layers - 1];
    const uint8_t *out;
    size_t out_len;
    uint8_t mode;
    uint32_t am;

    if (zkr_dec_u8(dec, &mode) != ZKR_OK ||
        zkr_dec_bytes(dec, 8 + ZKR_INFER_MAX_DIM, &out, &out_len) != ZKR_OK ||
        zkr_dec_finish(dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: output field malformed");
    if (mode > 1 || (int)mode != (st->public_output != 0))
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "proof: output mode differs from the schema's public_output");
    if (out_len != st->output_len || sodium_memcmp(out, st->output, out_len) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "proof: output differs from the statement's output");
    if (mode) {
        if (zkr_infer_output_decode(out, out_len, s->y, ZKR_INFER_MAX_DIM, &s->out_dim, &am) !=
                ZKR_OK ||
            s->out_dim != last->out_dim)
            return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                            "statement: output is not %u int8 logits and their argmax",
                            last->out_dim);
        for (uint32_t j = 0; j < s->out_dim; j++)
            if (last->act == ZKR_ML_ACT_RELU && s->y[j] < 0)
                return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                                "statement: logit %u is negative after ReLU", j);
    } else if (zkr_infer2_oc_decode(p, out, out_len, &s->oc) != ZKR_OK ||
               s->oc.out_dim != last->out_dim ||
               s->oc.comm.blind_vars != zkr_infer2_out_blind_vars(p, last->out_dim)) {
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement: not a commitment to %u int8 logits", last->out_dim);
    }
    return ZKR_OK;
}

static zkr_err zkr_v2_statement(const zkr_params *p, const zkr_proof_view *v,
                                const zkr_verifier_inference2_statement *st, zkr_v2_stmt *s,
                                zkr_diag *d)
{
    zkr_dec dec;
    const uint8_t *prog;
    size_t prog_len;
    uint8_t pd[ZKR_DIGEST_BYTES];
    zkr_err r;

    s->stmt = v->body[0];
    s->stmt_len = v->len[0];
    zkr_dec_init(&dec, v->body[0], v->len[0]);
    if (zkr_dec_bytes(&dec, ZKR_ML_GRAPH_MAX_BYTES, &prog, &prog_len) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: program field malformed");
    zkr_sha256(prog, prog_len, pd);
    if (sodium_memcmp(pd, st->program_digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "proof: program differs from the registered program");
    if ((r = zkr_ml_graph_decode(prog, prog_len, &s->g, d)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: program does not decode");
    if (s->g.arith != ZKR_ML_ARITH_INT8 || s->g.input_encoding != ZKR_ML_INPUT_U8_DIV255 ||
        s->g.n_layers < 1 || s->g.n_layers > ZKR_INFER_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: program not supported by inference@2");
    for (uint32_t l = 0; l < s->g.n_layers; l++)
        if (s->g.layers[l].op != ZKR_ML_OP_DENSE)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: layer %u is not dense", l);
    if ((r = zkr_v2_model(p, &dec, st, pd, s, d)) != ZKR_OK ||
        (r = zkr_v2_record(p, &dec, st, s, d)) != ZKR_OK)
        return r;
    return zkr_v2_output(p, &dec, st, s, d);
}

/* ------------------------------------------------------------------ */
/* Mathematics                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
    const zkr_params *p;  /* the raised query count (zkr_infer2_params) */
    const zkr_params *p0; /* the parameter set: the record's and the output's openings */
    zkr_params pc;        /* version 10: C's commitment and opening (zkr_infer2_c_params) */
    zkr_v2_stmt *s;
    zkr_transcript t;
    zkr_infer2_chal ch;
    zkr_ext r[ZKR_INFER_MAX_PT];
    zkr_ext vals[ZKR_INFER_MAX_LAYERS][ZKR_I2_NCOL];
    zkr_ext gr;
    int public_output;
    zkr_infer2_red red;
    zkr_zkrange_deferred zr; /* version 5: the range proof's deferred claims */
    zkr_ext tau[ZKR_INFER_MAX_LAYERS][ZKR_INFER_SLOTS_LOG];
    zkr_ext rA[ZKR_INFER_MAX_PT + ZKR_HPCS_MAX_BLIND_VARS + 8];
    zkr_ext gA;
} zkr_v2_ctx;

/* The padded public logits' multilinear at r_j. */
static zkr_err zkr_v2_ypub(const zkr_v2_stmt *s, unsigned lm, const zkr_ext *rj, zkr_ext *out)
{
    zkr_gl t[1u << 13] = {0};

    for (uint32_t j = 0; j < s->out_dim; j++)
        t[j] = zkr_gl_from_i64(s->y[j]);
    return zkr_mle_eval_base(t, lm, rj, out);
}

static zkr_err zkr_v2_sumcheck(zkr_v2_ctx *c, zkr_dec *dec, zkr_diag *d)
{
    const zkr_infer2_shape *sh = &c->s->sh;
    unsigned N = sh->N;
    zkr_ext gamma, rho, fin, f = zkr_ext_from(0);
    zkr_ext *msgs = calloc((size_t)N * ZKR_INFER2_DEGREE, sizeof *msgs);
    zkr_err r;

    if (!msgs)
        return ZKR_ERR_NOMEM;
    if (zkr_dec_ext(dec, &gamma) != ZKR_OK ||
        zkr_dec_exts(dec, msgs, (size_t)N * ZKR_INFER2_DEGREE) != ZKR_OK) {
        free(msgs);
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: sumcheck section truncated");
    }
    zkr_infer2_draw(&c->t, sh, &c->ch);
    zkr_ts_absorb_ext(&c->t, "inf2-gamma", &gamma, 1);
    rho = zkr_ts_challenge_ext(&c->t, "inf2-rho");
    zkr_sumcheck_verify(&c->t, N, ZKR_INFER2_DEGREE, zkr_ext_mul(rho, gamma), msgs, c->r, &fin);
    free(msgs);
    for (uint32_t l = 0; l < sh->s.n_layers; l++) {
        unsigned nv = zkr_infer2_n_values(sh, l, c->public_output);
        if (zkr_dec_exts(dec, c->vals[l], nv) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u values truncated", l);
        zkr_ts_absorb_ext(&c->t, "inf2-values", c->vals[l], nv);
    }
    if (zkr_dec_ext(dec, &c->vals[0][ZKR_I2_RV]) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: the record copy's value truncated");
    zkr_ts_absorb_ext(&c->t, "inf2-rec-copy", &c->vals[0][ZKR_I2_RV], 1);
    if (zkr_dec_ext(dec, &c->gr) != ZKR_OK || zkr_dec_finish(dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: sumcheck section length");
    zkr_ts_absorb_ext(&c->t, "inf2-gr", &c->gr, 1);
    for (uint32_t l = 0; l < sh->s.n_layers; l++) {
        const zkr_infer_layer *L = &sh->s.layer[l];
        unsigned nl = L->lk + sh->lm[l];
        zkr_infer2_pub pub;
        zkr_ext out = zkr_ext_from(0), sel = zkr_ext_from(1), fl;
        zkr_infer2_pub_at(sh, l, &c->ch, c->r, &pub);
        if (l + 1 == sh->s.n_layers) {
            if (!c->public_output)
                out = c->vals[l][ZKR_I2_O];
            else if ((r = zkr_v2_ypub(c->s, sh->lm[l], c->r + L->lk, &out)) != ZKR_OK)
                return r;
        }
        for (unsigned t = nl; t < N; t++)
            sel = zkr_ext_mul(sel, zkr_ext_sub(zkr_ext_from(1), c->r[t]));
        fl = zkr_infer2_layer_f(sh, l, &c->ch, &pub, c->vals[l], out);
        f = zkr_ext_add(f, zkr_ext_mul(c->ch.mu[l], zkr_ext_mul(sel, fl)));
    }
    /* version 3: the record equals V's range-proven copy (zero-check at zrec) */
    f = zkr_ext_add(f, zkr_infer2_rec_f(sh, &c->ch, c->r, c->vals[0]));
    if (!zkr_ext_eq(fin, zkr_ext_add(f, zkr_ext_mul(rho, c->gr))))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: the batched layer constraints fail");
    return ZKR_OK;
}

/* Polynomial i of the claim reduction: W'_i (i < L), V, the hidden output, h, phi, m. */
static const zkr_hpcs_commitment *zkr_v2_red_comm(const zkr_v2_ctx *c, unsigned i)
{
    uint32_t L = c->s->sh.s.n_layers;

    if (c->red.rec_poly && i == c->red.rec_poly)
        return &c->s->rc.comm;
    if (c->red.zr_poly && i >= c->red.zr_poly)
        return &c->zr.comm[1 + i - c->red.zr_poly];
    return i < L ? &c->s->mc.w[i] : i == L ? &c->s->v : &c->s->oc.comm;
}

/* The claim reduction's masked sumcheck: u[i] = F_i(r_A[0..T_i)) and g_A(r_A) checked. */
static zkr_err zkr_v2_reduce(zkr_v2_ctx *c, zkr_dec *dec, zkr_ext *u, zkr_diag *d)
{
    const zkr_infer2_red *red = &c->red;
    zkr_ext beta[ZKR_INFER2_RED_MAX_CLAIMS], gamma, rho, claim = zkr_ext_from(0), fin, want;
    zkr_ext msgs[(ZKR_INFER_MAX_PT + ZKR_HPCS_MAX_BLIND_VARS + 8) * ZKR_INFER2_DEGREE];

    zkr_ts_challenge_exts(&c->t, "inf2-red-beta", beta, red->n_claims);
    if (zkr_dec_ext(dec, &gamma) != ZKR_OK ||
        zkr_dec_exts(dec, msgs, (size_t)red->TA * ZKR_INFER2_DEGREE) != ZKR_OK ||
        zkr_dec_exts(dec, u, red->n_polys) != ZKR_OK || zkr_dec_ext(dec, &c->gA) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: claim reduction truncated");
    for (unsigned k = 0; k < red->n_claims; k++)
        claim = zkr_ext_add(claim, zkr_ext_mul(beta[k], zkr_infer2_red_value(red, k, c->vals,
                                                                            c->tau)));
    zkr_ts_absorb_ext(&c->t, "inf2-red-gamma", &gamma, 1);
    rho = zkr_ts_challenge_ext(&c->t, "inf2-red-rho");
    zkr_sumcheck_verify(&c->t, red->TA, ZKR_INFER2_DEGREE,
                        zkr_ext_add(claim, zkr_ext_mul(rho, gamma)), msgs, c->rA, &fin);
    zkr_ts_absorb_ext(&c->t, "inf2-red-values", u, red->n_polys);
    zkr_ts_absorb_ext(&c->t, "inf2-red-gr", &c->gA, 1);
    want = zkr_infer2_red_final(&c->s->sh, red, beta, c->r, c->tau, c->rA, u);
    if (!zkr_ext_eq(fin, zkr_ext_add(want, zkr_ext_mul(rho, c->gA))))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: the claim reduction fails");
    return ZKR_OK;
}

/*
 * Section 28 (version 6): the claim reduction (the record's claim in it),
 * then one mixed hiding opening of every reduction polynomial at the
 * suffixes of r_A.
 */
static zkr_err zkr_v2_openings(zkr_v2_ctx *c, zkr_dec *dec, zkr_diag *d)
{
    const zkr_infer2_shape *sh = &c->s->sh;
    zkr_ext u[ZKR_INFER2_RED_MAX_POLYS], uo[ZKR_INFER2_RED_MAX_POLYS];
    zkr_hpcs_commitment f[ZKR_HPCS_MAX_MIXED];
    unsigned order[ZKR_INFER2_RED_MAX_POLYS];
    zkr_err r;

    for (uint32_t l = 0; l < sh->s.n_layers; l++)
        zkr_ts_challenge_exts(&c->t, "inf2-tau", c->tau[l], ZKR_INFER_SLOTS_LOG);
    if ((r = zkr_v2_reduce(c, dec, u, d)) != ZKR_OK)
        return r;
    if (c->red.n_polys > ZKR_HPCS_MAX_MIXED)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "proof: too many polynomials for one opening");
    /* version 10: members in zkr_infer2_open_order's order (m right after V) */
    zkr_infer2_open_order(&c->red, sh->s.n_layers, order);
    for (unsigned j = 0; j < c->red.n_polys; j++) {
        f[j] = *zkr_v2_red_comm(c, order[j]);
        uo[j] = u[order[j]];
    }
    /* version 8: V and the range proof's helpers committed with fitted leaves */
    /*
     * version 9: h and phi one stacked pair; version 10: V and m one too
     * (the proof names the pair's root for both; zkr_hpcs_verify_mixed_fit
     * refuses a pair whose two roots differ)
     */
    /*
     * version 13: the mask Z nested under the V-m pair's leaves (zkr_infer2_nest_h);
     * version 14: a version 4 model commitment's W' one stacked group
     */
    r = zkr_hpcs_verify_mixed_nest(c->p, &c->t, f, c->red.n_polys,
                                   zkr_infer2_fit_mask(&c->red, sh->s.n_layers),
                                   zkr_infer2_stack_mask(c->p, &c->red, sh->s.n_layers) |
                                       zkr_infer2_w_stack_mask(&c->s->mc, &c->red),
                                   zkr_infer2_nest_member(c->p, &c->red, sh->s.n_layers), c->rA,
                                   uo, dec);
    if (r == ZKR_ERR_VERIFY || r == ZKR_ERR_USAGE)
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: the mixed hiding opening fails");
    if (r != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                        "proof: the mixed hiding opening is malformed");
    if (zkr_dec_finish(dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: openings section length");
    return ZKR_OK;
}

/* g(r) = <C, Lambda(r)> by the masked linear sumcheck and C's hiding opening. */
static zkr_err zkr_v2_coef(zkr_v2_ctx *c, zkr_dec *dec, zkr_diag *d)
{
    const zkr_hpcs_commitment *cc = &c->s->c;
    unsigned lc = cc->n_vars;
    zkr_ext csigma, cv, rho, fin, lv, rc[64], cmsgs[128], xi;
    zkr_ext *lam = NULL;
    zkr_hpcs_proof *pf = NULL;
    zkr_err r;

    /* version 11: C's mask is in C's tree (bound by inf2-c-root before any challenge) */
    if (2 * lc > 128 || zkr_dec_ext(dec, &csigma) != ZKR_OK ||
        zkr_dec_exts(dec, cmsgs, 2 * (size_t)lc) != ZKR_OK || zkr_dec_ext(dec, &cv) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: coefficient section truncated");
    if ((r = zkr_hpcs_proof_parse_masked(&c->pc, lc + cc->blind_vars, dec, &pf)) != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                        "proof: coefficient opening malformed");
    if (zkr_dec_finish(dec) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: coefficient section length");
        goto out;
    }
    if (!(lam = malloc(((size_t)1 << lc) * sizeof *lam))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    xi = zkr_ts_challenge_ext(&c->t, "inf2-xi");
    zkr_infer2_lambda5(c->r, c->s->sh.N, c->rA, c->red.TA, c->zr.r, c->zr.N, xi, lc, lam);
    zkr_ts_absorb_ext(&c->t, "inf2-csigma", &csigma, 1);
    rho = zkr_ts_challenge_ext(&c->t, "inf2-crho");
    /* version 5: g(r) + xi g_A(r_A) + xi^2 g_R(r_R), the range proof's mask third */
    zkr_sumcheck_verify(&c->t, lc, 2,
                        zkr_ext_add(zkr_ext_add(c->gr, zkr_ext_mul(xi, zkr_ext_add(c->gA,
                                    zkr_ext_mul(xi, c->zr.vals[4])))),
                                    zkr_ext_mul(rho, csigma)),
                        cmsgs, rc, &fin);
    if ((r = zkr_mle_eval_ext(lam, lc, rc, &lv)) != ZKR_OK)
        goto out;
    if (!zkr_ext_eq(fin, zkr_ext_mul(cv, lv))) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: the mask's linear sumcheck fails");
        goto out;
    }
    zkr_ts_absorb_ext(&c->t, "inf2-cv", &cv, 1);
    r = zkr_hpcs_verify_masked(&c->pc, &c->t, cc, rho, rc, cv, pf);
    if (r == ZKR_ERR_VERIFY || r == ZKR_ERR_USAGE)
        r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: the mask coefficients' opening fails");
out:
    free(lam);
    zkr_hpcs_proof_free(pf);
    return r;
}

static zkr_err zkr_v2_math(zkr_v2_ctx *c, const zkr_proof_view *v,
                           const zkr_verifier_inference2_statement *st, zkr_diag *d)
{
    zkr_v2_stmt *s = c->s;
    zkr_zkrange_table bytes = {0, 256};
    uint8_t pd[ZKR_DIGEST_BYTES];
    zkr_dec dec;
    const uint8_t *vr, *cr;
    unsigned wt[ZKR_INFER_MAX_LAYERS];
    uint32_t ver;
    zkr_err r;

    /* Version 1 (no version field: two roots, 64 bytes) had one opening per claim. */
    if (v->len[1] == 2 * ZKR_DIGEST_BYTES)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "proof: inference@2 version 1 proof refused (this verifier reads "
                        "version %u only; prove again)", ZKR_INFER2_VERSION);
    zkr_dec_init(&dec, v->body[1], v->len[1]);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: witness section length");
    if (ver != ZKR_INFER2_VERSION)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "proof: inference@2 version %u proof refused (this verifier reads "
                        "version %u only)", ver, ZKR_INFER2_VERSION);
    if (zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &vr) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &cr) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: witness section length");
    memcpy(s->v.root, vr, ZKR_DIGEST_BYTES);
    s->v.n_vars = s->sh.n_v;
    s->v.blind_vars = zkr_hpcs_blind_vars(c->p, s->sh.n_v, zkr_infer2_v_budget(s->sh.s.n_layers));
    memcpy(s->c.root, cr, ZKR_DIGEST_BYTES);
    if (!s->v.blind_vars)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "proof: witness over the parameter set's size");
    for (uint32_t l = 0; l < s->sh.s.n_layers; l++)
        wt[l] = s->mc.w[l].n_vars + s->mc.w[l].blind_vars;
    zkr_infer2_red_init(&s->sh, wt, s->v.n_vars + s->v.blind_vars,
                        c->public_output ? 0 : s->oc.comm.n_vars + s->oc.comm.blind_vars, &c->red);
    /* version 6: the record's claim joins the reduction (T_A may grow) */
    zkr_infer2_red_add_record(&c->red, s->rc.comm.n_vars + s->rc.comm.blind_vars);
    s->c.n_vars = zkr_infer2_lc_vars5(s->sh.N, c->red.TA, zkr_zkrange_sc_vars(s->sh.n_v));
    zkr_infer2_c_params(c->p0, s->c.n_vars, &c->pc);
    s->c.blind_vars = zkr_hpcs_blind_vars(&c->pc, s->c.n_vars, 1);
    if (!s->c.blind_vars || s->c.n_vars > 64)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "proof: witness over the parameter set's size");
    zkr_params_digest(c->p0, pd);
    zkr_ts_init(&c->t, ZKR_INFER2_PROTOCOL, ZKR_INFER2_VERSION, ZKR_PROOF_SYSTEM_ID, c->p0->id, pd,
                st->statement_id);
    zkr_ts_absorb(&c->t, "inf2-stmt", s->stmt, s->stmt_len);
    zkr_ts_absorb(&c->t, "inf2-v-root", s->v.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_u64(&c->t, "inf2-v-blind", s->v.blind_vars);
    zkr_ts_absorb(&c->t, "inf2-c-root", s->c.root, ZKR_DIGEST_BYTES);
    zkr_dec_init(&dec, v->body[2], v->len[2]);
    /* version 5: deferred, its four claims join the reduction, g_R(r_R) C's linear claim */
    r = zkr_zkrange_verify_defer(c->p, &c->t, &s->v, &bytes, &c->zr, &dec);
    if (r == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    if (r != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_USAGE ? ZKR_ERR_VERIFY : r,
                        "proof: the range proof of the witness fails");
    zkr_infer2_red_add_range(&c->red, s->sh.s.n_layers, c->zr.zf, c->zr.vals);
    zkr_dec_init(&dec, v->body[3], v->len[3]);
    if ((r = zkr_v2_sumcheck(c, &dec, d)) != ZKR_OK)
        return r;
    zkr_dec_init(&dec, v->body[4], v->len[4]);
    if ((r = zkr_v2_openings(c, &dec, d)) != ZKR_OK)
        return r;
    zkr_dec_init(&dec, v->body[5], v->len[5]);
    return zkr_v2_coef(c, &dec, d);
}

static zkr_err verify(const uint8_t *proof, size_t len,
                      const zkr_verifier_inference2_statement *st, zkr_infer2_vpoints *pts,
                      zkr_diag *d)
{
    static const uint32_t tags[6] = {ZKR_SEC_STATEMENT,     ZKR_SEC_INF2_WITNESS,
                                     ZKR_SEC_ZK_RANGE,      ZKR_SEC_INF2_SUMCHECK,
                                     ZKR_SEC_INF2_OPENINGS, ZKR_SEC_INF2_COEF};
    zkr_proof_view v;
    zkr_params p, pq;
    zkr_v2_stmt *s = NULL;
    zkr_v2_ctx *c = NULL;
    zkr_err r;

    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK)
        return r;
    if ((r = zkr_proof_view_bind(&v, st->param_set, ZKR_KIND_INFERENCE2, "inference@2",
                                 st->statement_id, tags, 6, d)) != ZKR_OK)
        return r;
    if (zkr_params_get(v.param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "proof: unknown parameter set");
    s = calloc(1, sizeof *s);
    c = calloc(1, sizeof *c);
    if (!s || !c) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_v2_statement(&p, &v, st, s, d)) != ZKR_OK)
        goto out;
    {
        uint32_t od[ZKR_INFER_MAX_LAYERS];
        for (uint32_t l = 0; l < s->sh.s.n_layers; l++)
            od[l] = s->sh.s.layer[l].out_dim;
        if (zkr_infer2_params(&p, &s->mc, s->sh.s.input_dim, od, st->public_output != 0,
                              s->rc.comm.n_vars + s->rc.comm.blind_vars, &pq) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS,
                         "proof: no query count up to %u reaches %u provable bits for this "
                         "model and record at parameter set %u",
                         pq.queries, p.target_bits, (unsigned)p.id);
            goto out;
        }
    }
    c->p = &pq;
    c->p0 = &p;
    c->s = s;
    c->public_output = st->public_output != 0;
    r = zkr_v2_math(c, &v, st, d);
    if (pts && r == ZKR_OK) {
        /* what the batched sumcheck's final check ran on */
        pts->sh = s->sh;
        memcpy(pts->r, c->r, sizeof pts->r);
        memcpy(pts->vals, c->vals, sizeof pts->vals);
        pts->v_total = s->v.n_vars + s->v.blind_vars;
        pts->public_output = c->public_output;
    }
out:
    free(s);
    free(c);
    return r;
}

zkr_err zkr_verify_inference2(const uint8_t *proof, size_t len,
                              const zkr_verifier_inference2_statement *st, zkr_diag *d)
{
    return verify(proof, len, st, NULL, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_verify_inference2_points(const uint8_t *proof, size_t len,
                                     const zkr_verifier_inference2_statement *st,
                                     zkr_infer2_vpoints *pts, zkr_diag *d)
{
    memset(pts, 0, sizeof *pts);
    return verify(proof, len, st, pts, d);
}
#endif
