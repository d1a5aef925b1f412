/*
 * inference@1 verification: the bindings against the registered statement
 * first (each with its own error), then the mathematics (ZKR_ERR_VERIFY).
 * The layout is derived from the program and the committed shifts, never
 * from counts in the file.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ml/graph.h"
#include "verifier/verifier.h"


/* The statement section, parsed. Pointers into the proof. */
typedef struct {
    zkr_ml_graph g;
    zkr_infer_shape shape;
    zkr_pcs_commitment comm[ZKR_INFER_MAX_LAYERS];
    uint32_t shifts[ZKR_INFER_MAX_LAYERS];
    const uint8_t *rec;
    size_t rec_len;
    int8_t y[ZKR_INFER_MAX_DIM];
    uint32_t out_dim;
} zkr_vi_stmt;

static zkr_err zkr_vi_claims_full(zkr_diag *d)
{
    return zkr_fail(d, ZKR_ERR_INTERNAL,
                    "verify: more evaluation claims than the verifier holds (%u)",
                    (unsigned)ZKR_INFER_MAX_CLAIMS);
}

static zkr_err zkr_vi_header(const zkr_proof_view *v, const zkr_verifier_inference_statement *st,
                             zkr_diag *d)
{
    static const uint32_t tags[5] = {ZKR_SEC_STATEMENT, ZKR_SEC_INF_WITNESS, ZKR_SEC_INF_LOGUP,
                                     ZKR_SEC_INF_LAYERS, ZKR_SEC_PCS};

    return zkr_proof_view_bind(v, st->param_set, ZKR_KIND_INFERENCE1, "inference@1", st->statement_id,
                               tags, 5, d);
}

static zkr_err zkr_vi_model(zkr_dec *dec, const zkr_verifier_inference_statement *st,
                            zkr_vi_stmt *s, zkr_diag *d)
{
    uint32_t n, in[ZKR_INFER_MAX_LAYERS], out[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS];
    uint8_t mc[ZKR_DIGEST_BYTES];

    if (zkr_dec_u32(dec, &n) != ZKR_OK || n != s->g.n_layers)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer count differs from the program");
    for (uint32_t l = 0; l < n; l++) {
        const uint8_t *root;
        if (zkr_dec_u32(dec, &s->shifts[l]) != ZKR_OK ||
            zkr_dec_u32(dec, &s->comm[l].n_vars) != ZKR_OK ||
            zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u commitment truncated", l);
        memcpy(s->comm[l].root, root, ZKR_DIGEST_BYTES);
        in[l] = s->g.layers[l].in_dim;
        out[l] = s->g.layers[l].out_dim;
        relu[l] = s->g.layers[l].act == ZKR_ML_ACT_RELU;
    }
    zkr_infer_model_commitment(st->program_digest, n, s->shifts, s->comm, mc);
    if (sodium_memcmp(mc, st->model_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: model commitment differs from the registered model's");
    if (zkr_infer_shape_init(&s->shape, s->g.input_dim, n, in, out, relu, s->shifts) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: committed shifts out of bounds");
    for (uint32_t l = 0; l < n; l++)
        if (s->comm[l].n_vars != s->shape.layer[l].lm + s->shape.layer[l].lk)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u commitment size", l);
    return ZKR_OK;
}

static zkr_err zkr_vi_record(zkr_dec *dec, const zkr_verifier_inference_statement *st,
                             zkr_vi_stmt *s, zkr_diag *d)
{
    uint64_t n, index;
    const uint8_t *root, *path;
    uint32_t path_len;
    uint8_t dc[ZKR_DIGEST_BYTES], rc[ZKR_DIGEST_BYTES];

    if (zkr_dec_u64(dec, &n) != ZKR_OK || zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: dataset commitment truncated");
    zkr_infer_dataset_commitment(n, root, dc);
    if (sodium_memcmp(dc, st->dataset_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                        "proof: dataset commitment differs from the registered dataset's");
    if (zkr_dec_u64(dec, &index) != ZKR_OK ||
        zkr_dec_bytes(dec, ZKR_INFER_MAX_RECORD, &s->rec, &s->rec_len) != ZKR_OK ||
        zkr_dec_u32(dec, &path_len) != ZKR_OK || path_len > ZKR_MERKLE_MAX_DEPTH ||
        zkr_dec_raw(dec, (size_t)path_len * ZKR_DIGEST_BYTES, &path) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: record section malformed");
    if (index != st->record_index)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: record %llu, the statement names %llu",
                        (unsigned long long)index, (unsigned long long)st->record_index);
    if (s->rec_len != (size_t)s->g.input_dim + 1)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: record of %zu bytes, the program "
                        "wants %u input bytes and a label", s->rec_len, s->g.input_dim);
    zkr_infer_record_commitment(s->rec, s->rec_len, rc);
    if (zkr_merkle_inclusion_verify(rc, index, n, (const uint8_t(*)[ZKR_DIGEST_BYTES])path,
                                    path_len, root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof: the input is not record %llu of the committed dataset",
                        (unsigned long long)index);
    return ZKR_OK;
}

static zkr_err zkr_vi_output(zkr_dec *dec, const zkr_verifier_inference_statement *st,
                             zkr_vi_stmt *s, zkr_diag *d)
{
    const uint8_t *out;
    size_t out_len;
    uint32_t am;
    const zkr_ml_layer_desc *last = &s->g.layers[s->g.n_layers - 1];

    if (zkr_dec_bytes(dec, 8 + ZKR_INFER_MAX_DIM, &out, &out_len) != ZKR_OK ||
        zkr_dec_finish(dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: output field malformed");
    if (out_len != st->output_len || sodium_memcmp(out, st->output, out_len) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "proof: public output differs from the statement's output");
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
    return ZKR_OK;
}

static zkr_err zkr_vi_statement(const zkr_proof_view *v, const zkr_verifier_inference_statement *st,
                                zkr_vi_stmt *s, zkr_diag *d)
{
    zkr_dec dec;
    const uint8_t *prog;
    size_t prog_len;
    uint8_t pd[ZKR_DIGEST_BYTES];
    zkr_err r;

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
        s->g.n_layers > ZKR_INFER_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: program not supported by inference@1");
    for (uint32_t l = 0; l < s->g.n_layers; l++)
        if (s->g.layers[l].op != ZKR_ML_OP_DENSE)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: layer %u is not dense", l);
    if ((r = zkr_vi_model(&dec, st, s, d)) != ZKR_OK || (r = zkr_vi_record(&dec, st, s, d)) != ZKR_OK)
        return r;
    return zkr_vi_output(&dec, st, s, d);
}

/* ------------------------------------------------------------------ */
/* Mathematics                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
    const zkr_vi_stmt *s;
    zkr_transcript *t;
    zkr_dec *dec;     /* layers section */
    zkr_infer_claims *cl;
} zkr_vi_ctx;

static zkr_ext zkr_vi_limbs(const zkr_ext *slots, unsigned first, unsigned n)
{
    zkr_ext acc = zkr_ext_from(0);

    for (unsigned i = n; i-- > 0;)
        acc = zkr_ext_add(zkr_ext_mul_base(acc, 256), slots[first + i]);
    return acc;
}

/* The padded public output y~(rho). */
static zkr_err zkr_vi_y_eval(const zkr_vi_stmt *s, unsigned lm, const zkr_ext *rho, zkr_ext *out)
{
    size_t n = (size_t)1 << lm;
    zkr_gl *t = calloc(n, sizeof *t);
    zkr_err r;

    if (!t)
        return ZKR_ERR_NOMEM;
    for (uint32_t j = 0; j < s->out_dim; j++)
        t[j] = zkr_gl_from_i64(s->y[j]);
    r = zkr_mle_eval_base(t, lm, rho, out);
    free(t);
    return r;
}

static zkr_err zkr_vi_zerocheck(zkr_vi_ctx *c, uint32_t l, zkr_ext *rho, zkr_ext *acc_v,
                                zkr_diag *d)
{
    const zkr_infer_shape *s = &c->s->shape;
    const zkr_infer_layer *L = &s->layer[l];
    zkr_ext z[ZKR_INFER_MAX_PT], msgs[3 * 16], slots[ZKR_INFER_SLOTS], lam[5], m_v, fin, want;
    zkr_ext one = zkr_ext_from(1), hi, lo, Y, g, rr, two_s;
    zkr_err r;

    if (zkr_dec_exts(c->dec, msgs, 3 * (size_t)L->lm) != ZKR_OK ||
        zkr_dec_exts(c->dec, slots, ZKR_INFER_SLOTS) != ZKR_OK ||
        zkr_dec_ext(c->dec, acc_v) != ZKR_OK || zkr_dec_ext(c->dec, &m_v) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u section truncated", l);
    zkr_ts_challenge_exts(c->t, "inf-z", z, L->lm);
    lam[0] = one;
    lam[1] = zkr_ts_challenge_ext(c->t, "inf-lambda");
    for (unsigned i = 2; i < 5; i++)
        lam[i] = zkr_ext_mul(lam[i - 1], lam[1]);
    zkr_sumcheck_verify(c->t, L->lm, 3, zkr_ext_from(0), msgs, rho, &fin);
    Y = slots[ZKR_INFER_SLOT_Y];
    hi = slots[ZKR_INFER_SLOT_HI];
    lo = slots[ZKR_INFER_SLOT_LO];
    rr = zkr_vi_limbs(slots, ZKR_INFER_SLOT_R0, L->nr);
    g = zkr_vi_limbs(slots, L->slot_g0, L->ng);
    two_s = zkr_ext_from((zkr_gl)1 << L->shift);
    {
        zkr_ext lo_l = zkr_ext_from(zkr_gl_from_i64(L->lo));
        zkr_ext q = zkr_ext_add(zkr_ext_add(Y, lo_l), zkr_ext_mul(zkr_ext_sub(hi, lo), g));
        zkr_ext cst = zkr_ext_sub(zkr_ext_add(zkr_ext_mul(*acc_v, m_v),
                                              zkr_ext_from((zkr_gl)1 << (L->shift - 1))),
                                  zkr_ext_add(zkr_ext_mul(q, two_s), rr));
        zkr_ext c1 = zkr_ext_sub(zkr_ext_mul(hi, hi), hi);
        zkr_ext c2 = zkr_ext_sub(zkr_ext_mul(lo, lo), lo);
        zkr_ext c3 = zkr_ext_mul(hi, zkr_ext_sub(zkr_ext_from(zkr_gl_from_i64(127 - L->lo)), Y));
        zkr_ext c4 = zkr_ext_mul(lo, Y);
        want = zkr_ext_add(cst, zkr_ext_add(zkr_ext_mul(lam[1], c1),
                                            zkr_ext_add(zkr_ext_mul(lam[2], c2),
                                                        zkr_ext_add(zkr_ext_mul(lam[3], c3),
                                                                    zkr_ext_mul(lam[4], c4)))));
        want = zkr_ext_mul(want, zkr_mle_eq_eval(z, rho, L->lm));
    }
    if (!zkr_ext_eq(fin, want))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: layer %u requantization check fails", l);
    /* Linear relations between slots (top-limb scaling, the int8 bound of y). */
    if (!zkr_ext_eq(slots[ZKR_INFER_SLOT_YC],
                    zkr_ext_sub(zkr_ext_from(zkr_gl_from_i64(127 - L->lo)), Y)) ||
        !zkr_ext_eq(slots[L->slot_rtc],
                    zkr_ext_mul_base(slots[ZKR_INFER_SLOT_R0 + L->nr - 1], L->c_r)) ||
        !zkr_ext_eq(slots[L->slot_gtc], zkr_ext_mul_base(slots[L->slot_g0 + L->ng - 1], L->c_g)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: layer %u range decomposition fails", l);
    if (l + 1 == s->n_layers) {
        zkr_ext yv;
        if ((r = zkr_vi_y_eval(c->s, L->lm, rho, &yv)) != ZKR_OK)
            return r;
        if (!zkr_ext_eq(zkr_ext_add(Y, zkr_ext_from(zkr_gl_from_i64(L->lo))), yv))
            return zkr_fail(d, ZKR_ERR_VERIFY, "proof: committed output is not the public output");
    }
    zkr_ts_absorb_ext(c->t, "inf-slots", slots, ZKR_INFER_SLOTS);
    zkr_ts_absorb_ext(c->t, "inf-acc-m", acc_v, 1);
    zkr_ts_absorb_ext(c->t, "inf-acc-m", &m_v, 1);
    {
        zkr_infer_claim *vc = zkr_infer_claim_new(c->cl, s->n_layers);
        if (!vc)
            return zkr_vi_claims_full(d);
        zkr_infer_slot_claim(c->t, s, l, rho, slots, vc);
    }
    {
        zkr_infer_claim *mc = zkr_infer_claim_new(c->cl, l);
        if (!mc)
            return zkr_vi_claims_full(d);
        for (unsigned i = 0; i < L->lk; i++)
            mc->pt[i] = zkr_ext_from(((uint64_t)(L->in_dim + 1) >> i) & 1);
        memcpy(mc->pt + L->lk, rho, L->lm * sizeof *rho);
        mc->val = m_v;
    }
    return ZKR_OK;
}

/* x'~(rk) for layer 0: the record's input bytes, then 1 (the bias column). */
static zkr_err zkr_vi_x0(const zkr_vi_stmt *s, const zkr_infer_layer *L, const zkr_ext *rk,
                         zkr_ext *out)
{
    size_t K = (size_t)1 << L->lk;
    zkr_gl *t = calloc(K, sizeof *t);
    zkr_err r;

    if (!t)
        return ZKR_ERR_NOMEM;
    for (size_t k = 0; k < L->in_dim; k++)
        t[k] = s->rec[k];
    t[L->in_dim] = 1;
    r = zkr_mle_eval_base(t, L->lk, rk, out);
    free(t);
    return r;
}

/* eq(r, bits(v)) over n variables. */
static zkr_ext zkr_vi_eq_bits(const zkr_ext *r, unsigned n, uint64_t v)
{
    zkr_ext acc = zkr_ext_from(1), one = zkr_ext_from(1);

    for (unsigned i = 0; i < n; i++)
        acc = zkr_ext_mul(acc, ((v >> i) & 1) ? r[i] : zkr_ext_sub(one, r[i]));
    return acc;
}

static zkr_err zkr_vi_matmul(zkr_vi_ctx *c, uint32_t l, const zkr_ext *rho, zkr_ext acc_v,
                             zkr_diag *d)
{
    const zkr_infer_shape *s = &c->s->shape;
    const zkr_infer_layer *L = &s->layer[l];
    zkr_ext msgs[2 * 16], rk[ZKR_INFER_MAX_PT], fin, wv, xv, yprev;
    zkr_err r;

    if (zkr_dec_exts(c->dec, msgs, 2 * (size_t)L->lk) != ZKR_OK || zkr_dec_ext(c->dec, &wv) != ZKR_OK ||
        (l > 0 && zkr_dec_ext(c->dec, &yprev) != ZKR_OK))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u matmul section truncated", l);
    zkr_sumcheck_verify(c->t, L->lk, 2, acc_v, msgs, rk, &fin);
    zkr_ts_absorb_ext(c->t, "inf-mm-w", &wv, 1);
    if (l == 0) {
        if ((r = zkr_vi_x0(c->s, L, rk, &xv)) != ZKR_OK)
            return r;
    } else {
        const zkr_infer_layer *P = &s->layer[l - 1];
        zkr_ext hi0 = zkr_ext_from(1), one = zkr_ext_from(1);
        for (unsigned i = P->lm; i < L->lk; i++)
            hi0 = zkr_ext_mul(hi0, zkr_ext_sub(one, rk[i]));
        zkr_ts_absorb_ext(c->t, "inf-mm-y", &yprev, 1);
        xv = zkr_ext_add(zkr_ext_mul(hi0, zkr_ext_add(yprev, zkr_ext_from(zkr_gl_from_i64(P->lo)))),
                         zkr_vi_eq_bits(rk, L->lk, L->in_dim));
        {
            zkr_infer_claim *yc = zkr_infer_claim_new(c->cl, s->n_layers);
            if (!yc)
                return zkr_vi_claims_full(d);
            memcpy(yc->pt, rk, P->lm * sizeof *rk);
            for (unsigned i = 0; i < ZKR_INFER_SLOTS_LOG; i++)
                yc->pt[P->lm + i] = zkr_ext_from((ZKR_INFER_SLOT_Y >> i) & 1);
            zkr_infer_block_point(s, l - 1, yc->pt);
            yc->val = yprev;
        }
    }
    if (!zkr_ext_eq(fin, zkr_ext_mul(wv, xv)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: layer %u matmul sumcheck fails", l);
    {
        /* The W' claim joins the list before the y claim, as the prover orders them. */
        zkr_infer_claim wc;
        memset(&wc, 0, sizeof wc);
        wc.poly = l;
        memcpy(wc.pt, rk, L->lk * sizeof *rk);
        memcpy(wc.pt + L->lk, rho, L->lm * sizeof *rho);
        wc.val = wv;
        if (c->cl->n >= ZKR_INFER_MAX_CLAIMS)
            return zkr_vi_claims_full(d);
        if (l > 0) {
            c->cl->c[c->cl->n] = c->cl->c[c->cl->n - 1];
            c->cl->c[c->cl->n - 1] = wc;
            c->cl->n++;
        } else {
            c->cl->c[c->cl->n++] = wc;
        }
    }
    return ZKR_OK;
}

static zkr_err zkr_vi_open(const zkr_params *p, zkr_vi_ctx *c, const uint8_t *vroot,
                           const uint8_t *pcs, size_t pcs_len, zkr_diag *d)
{
    const zkr_infer_shape *s = &c->s->shape;
    zkr_infer_groups g;
    zkr_dec dec;
    zkr_err r = ZKR_OK;

    zkr_infer_groups_of(s, &g);
    zkr_dec_init(&dec, pcs, pcs_len);
    for (unsigned gi = 0; gi < g.n_groups; gi++) {
        zkr_pcs_commitment comms[ZKR_INFER_MAX_LAYERS + 1];
        zkr_pcs_claim cls[ZKR_INFER_MAX_CLAIMS];
        zkr_pcs_proof *pf = NULL;
        size_t nc = 0;
        for (unsigned i = 0; i < g.n_polys[gi]; i++) {
            unsigned id = g.poly[gi][i];
            if (id == s->n_layers) {
                memcpy(comms[i].root, vroot, ZKR_DIGEST_BYTES);
                comms[i].n_vars = s->n_v;
            } else {
                comms[i] = c->s->comm[id];
            }
            for (size_t k = 0; k < c->cl->n; k++)
                if (c->cl->c[k].poly == id) {
                    cls[nc].comm = i;
                    cls[nc].point = c->cl->c[k].pt;
                    cls[nc].value = c->cl->c[k].val;
                    nc++;
                }
        }
        r = zkr_pcs_proof_parse(p, g.n_vars[gi], g.n_polys[gi], nc, &dec, &pf);
        if (r != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                            "proof: opening %u malformed", gi);
        r = zkr_pcs_verify(p, c->t, comms, g.n_polys[gi], cls, nc, pf);
        zkr_pcs_proof_free(pf);
        if (r != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY,
                            "proof: opening %u (2^%u values) does not verify", gi, g.n_vars[gi]);
    }
    if (zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes after the openings");
    return ZKR_OK;
}

static zkr_err zkr_vi_math(const zkr_params *p, const zkr_proof_view *v,
                           const zkr_verifier_inference_statement *st, const zkr_vi_stmt *s,
                           zkr_diag *d)
{
    const zkr_infer_shape *sh = &s->shape;
    zkr_transcript t;
    zkr_dec dec, ldec;
    zkr_logup_proof *lp = NULL;
    zkr_logup_claims lc;
    zkr_infer_claims *cl = calloc(1, sizeof *cl);
    zkr_err r;

    if (!cl)
        return ZKR_ERR_NOMEM;
    if (v->len[1] != ZKR_DIGEST_BYTES) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: witness section is not one root");
        goto out;
    }
    zkr_dec_init(&dec, v->body[2], v->len[2]);
    r = zkr_logup_proof_parse(sh->n_l, ZKR_INFER_TABLE_LOG, &dec, &lp);
    if (r == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    if (r != ZKR_OK) {
        r = zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED, "proof: LogUp section malformed");
        goto out;
    }
    zkr_infer_transcript(&t, p, st->statement_id, v->body[0], v->len[0]);
    zkr_ts_absorb(&t, "inf-witness-root", v->body[1], ZKR_DIGEST_BYTES);
    if ((r = zkr_logup_verify(&t, sh->n_l, ZKR_INFER_TABLE_LOG, lp, &lc)) != ZKR_OK) {
        r = zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY, "proof: range checks fail");
        goto out;
    }
    {
        /* The byte table t_j = j: t~(rt) = sum_i 2^i rt_i. */
        zkr_ext tv = zkr_ext_from(0);
        for (unsigned i = 0; i < ZKR_INFER_TABLE_LOG; i++)
            tv = zkr_ext_add(tv, zkr_ext_mul_base(lc.rt[i], (zkr_gl)1 << i));
        if (!zkr_ext_eq(tv, lc.t_at_rt)) {
            r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: LogUp table claim fails");
            goto out;
        }
    }
    {
        zkr_infer_claim *a = zkr_infer_claim_new(cl, sh->n_layers);
        zkr_infer_claim *m = zkr_infer_claim_new(cl, sh->n_layers);
        if (!a || !m) {
            r = zkr_vi_claims_full(d);
            goto out;
        }
        memcpy(a->pt, lc.ra, sh->n_l * sizeof(zkr_ext));
        a->val = lc.a_at_ra;
        memcpy(m->pt, lc.rt, ZKR_INFER_TABLE_LOG * sizeof(zkr_ext));
        m->pt[sh->n_l] = zkr_ext_from(1);
        m->val = lc.m_at_rt;
    }
    zkr_dec_init(&ldec, v->body[3], v->len[3]);
    {
        zkr_vi_ctx c = {s, &t, &ldec, cl};
        for (uint32_t l = sh->n_layers; l-- > 0;) {
            zkr_ext rho[ZKR_INFER_MAX_PT], acc_v;
            if ((r = zkr_vi_zerocheck(&c, l, rho, &acc_v, d)) != ZKR_OK ||
                (r = zkr_vi_matmul(&c, l, rho, acc_v, d)) != ZKR_OK)
                goto out;
        }
        if (zkr_dec_finish(&ldec) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes in the layers section");
            goto out;
        }
        r = zkr_vi_open(p, &c, v->body[1], v->body[4], v->len[4], d);
    }
out:
    zkr_logup_proof_free(lp);
    free(cl);
    return r;
}

zkr_err zkr_verify_inference(const uint8_t *proof, size_t len,
                             const zkr_verifier_inference_statement *st, zkr_diag *d)
{
    zkr_proof_view v;
    zkr_params p;
    zkr_vi_stmt *s;
    zkr_err r;

    if (!proof || !st || (!st->output && st->output_len))
        return zkr_fail(d, ZKR_ERR_USAGE, "verify: missing proof or statement");
    if (zkr_params_get(st->param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "statement: unknown parameter set %u",
                        st->param_set);
    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK)
        return r;
    if ((r = zkr_vi_header(&v, st, d)) != ZKR_OK)
        return r;
    if (!(s = calloc(1, sizeof *s)))
        return ZKR_ERR_NOMEM;
    if ((r = zkr_vi_statement(&v, st, s, d)) == ZKR_OK)
        r = zkr_vi_math(&p, &v, st, s, d);
    free(s);
    return r;
}
