/*
 * inference-batch@1 verification: the bindings against the registered
 * statement first (each with its own error), then the mathematics
 * (ZKR_ERR_VERIFY). The per-layer checks and the record-range binding are
 * evaluation@1's (verifier/evaluation_int.h); the output binding is this
 * kind's. The layout comes from the program, the committed shifts and the
 * statement's record count, never from counts in the file. Relations and
 * integer bounds: docs/soundness.md, "inference-batch@1".
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verifier/evaluation_int.h"
#include "verifier/inference_batch.h"

typedef struct {
    zkr_ve_stmt s;
    const int8_t *y; /* the stated logits, count x out_dim (into st->output) */
} ib_stmt;

static zkr_err ib_program(zkr_dec *dec, const zkr_verifier_evaluation_statement *st,
                          zkr_ve_stmt *s, zkr_diag *d)
{
    const uint8_t *prog;
    size_t prog_len;
    uint8_t pd[ZKR_DIGEST_BYTES];

    if (zkr_dec_bytes(dec, ZKR_ML_GRAPH_MAX_BYTES, &prog, &prog_len) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: program field malformed");
    zkr_sha256(prog, prog_len, pd);
    if (sodium_memcmp(pd, st->program_digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "proof: program differs from the registered program");
    if (zkr_ml_graph_decode(prog, prog_len, &s->g, d) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: program does not decode");
    if (s->g.arith != ZKR_ML_ARITH_INT8 || s->g.input_encoding != ZKR_ML_INPUT_U8_DIV255 ||
        s->g.n_layers > ZKR_INFER_MAX_LAYERS || s->g.n_layers < 1)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "proof: program not supported by inference-batch@1");
    for (uint32_t l = 0; l < s->g.n_layers; l++)
        if (s->g.layers[l].op != ZKR_ML_OP_DENSE)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: layer %u is not dense", l);
    return ZKR_OK;
}

/* The proof's output bytes are the statement's, and they are a batch output for this range. */
static zkr_err ib_output_field(zkr_dec *dec, const zkr_verifier_evaluation_statement *st,
                               ib_stmt *s, zkr_diag *d)
{
    const uint8_t *out;
    size_t out_len;
    uint64_t first, count;
    uint32_t od;
    const zkr_eval_shape *sh = &s->s.sh;

    if (zkr_dec_bytes(dec, ZKR_IBATCH_OUTPUT_MAX, &out, &out_len) != ZKR_OK ||
        zkr_dec_finish(dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: output field malformed");
    if (out_len != st->output_len || sodium_memcmp(out, st->output, out_len) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "proof: public output differs from the statement's output");
    if (zkr_ibatch_output_decode(st->output, st->output_len, &first, &count, &od, &s->y) !=
        ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement: output is not a batch output (docs/formats.md)");
    if (first != st->first || count != st->count ||
        od != sh->inf.layer[sh->inf.n_layers - 1].out_dim)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement: output states records %llu..+%llu of %u logits, the "
                        "statement names %llu..+%llu and the program has %u",
                        (unsigned long long)first, (unsigned long long)count, od,
                        (unsigned long long)st->first, (unsigned long long)st->count,
                        sh->inf.layer[sh->inf.n_layers - 1].out_dim);
    return ZKR_OK;
}

static zkr_err ib_statement(const zkr_proof_view *v, const zkr_verifier_evaluation_statement *st,
                            ib_stmt *s, const zkr_params *p, zkr_diag *d)
{
    zkr_dec dec;
    zkr_err r;

    zkr_dec_init(&dec, v->body[0], v->len[0]);
    if ((r = ib_program(&dec, st, &s->s, d)) != ZKR_OK ||
        (r = zkr_ve_model(&dec, st, &s->s, p, d)) != ZKR_OK)
        return r;
    if (zkr_ibatch_shape_adjust(&s->s.sh, p->max_vars) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "statement: the batch exceeds the parameter set");
    if ((r = zkr_ve_dataset(&dec, st, &s->s, d)) != ZKR_OK)
        return r;
    return ib_output_field(&dec, st, s, d);
}

/* L LogUps (V_0..V_{L-1}) against 0..255, multiplicities in MU's blocks. */
static zkr_err ib_logups(zkr_ve_ctx *c, const uint8_t *lg, size_t lg_len, zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    uint32_t L = s->inf.n_layers;
    zkr_dec dec;
    zkr_err r = ZKR_OK;

    zkr_dec_init(&dec, lg, lg_len);
    for (uint32_t l = 0; l < L; l++) {
        unsigned na = zkr_ibatch_poly_vars(s, L + l);
        zkr_logup_proof *lp = NULL;
        zkr_logup_claims lc;
        zkr_ext tv = zkr_ext_from(0);
        zkr_ve_claim *ac, *mc;
        if ((r = zkr_logup_proof_parse(na, ZKR_INFER_TABLE_LOG, &dec, &lp)) != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                            "proof: LogUp %u malformed", l);
        r = zkr_logup_verify(c->t, na, ZKR_INFER_TABLE_LOG, lp, &lc);
        zkr_logup_proof_free(lp);
        if (r != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY,
                            "proof: range checks of layer %u fail", l);
        for (unsigned k = 0; k < ZKR_INFER_TABLE_LOG; k++)
            tv = zkr_ext_add(tv, zkr_ext_mul_base(lc.rt[k], (zkr_gl)1 << k));
        if (!zkr_ext_eq(tv, lc.t_at_rt))
            return zkr_fail(d, ZKR_ERR_VERIFY, "proof: LogUp %u table claim fails", l);
        ac = zkr_ve_claim_new(c->cl, L + l);
        mc = zkr_ve_claim_new(c->cl, 2 * L);
        if (!ac || !mc)
            return zkr_ve_full(d);
        memcpy(ac->pt, lc.ra, na * sizeof(zkr_ext));
        ac->val = lc.a_at_ra;
        memcpy(mc->pt, lc.rt, ZKR_INFER_TABLE_LOG * sizeof(zkr_ext));
        zkr_ve_bits(mc->pt + ZKR_INFER_TABLE_LOG, s->mu_log - ZKR_INFER_TABLE_LOG, l);
        mc->val = lc.m_at_rt;
    }
    if (zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes after the LogUps");
    return ZKR_OK;
}

/*
 * When claim is set, the claim sum_{b < count, j} eq(r, (j, b)) (ypub(j, b)
 * - lo), ypub 0 on the padding rows; when rho is, [eq(r, .) sel]~(rho) =
 * eq(r_j, rho_j) sum_{b < count} eq(r_b, b) eq(rho_b, b).
 */
static zkr_err ib_public(const ib_stmt *s, const zkr_ext *r, const zkr_ext *rho, zkr_ext *claim,
                         zkr_ext *sel_at)
{
    const zkr_eval_shape *sh = &s->s.sh;
    const zkr_infer_layer *LL = &sh->inf.layer[sh->inf.n_layers - 1];
    size_t J = (size_t)1 << sh->c, B = (size_t)1 << sh->lb;
    zkr_ext *ej = calloc(J, sizeof *ej), *eb = calloc(B, sizeof *eb), *ebr = calloc(B, sizeof *ebr);
    zkr_ext acc = zkr_ext_from(0), sel = zkr_ext_from(0), pad = zkr_ext_from(0);
    zkr_gl mlo = zkr_gl_from_i64(-LL->lo);
    zkr_err e = ZKR_OK;

    if (!ej || !eb || !ebr) {
        e = ZKR_ERR_NOMEM;
        goto out;
    }
    zkr_mle_eq_table(r, sh->c, ej);
    zkr_mle_eq_table(r + sh->c, sh->lb, eb);
    if (rho)
        zkr_mle_eq_table(rho + sh->c, sh->lb, ebr);
    for (size_t j = LL->out_dim; j < J; j++)
        pad = zkr_ext_add(pad, ej[j]); /* padding rows: ypub 0, Y = -lo */
    pad = zkr_ext_mul_base(pad, mlo);
    for (uint64_t b = 0; b < sh->count; b++) {
        const int8_t *y = s->y + b * LL->out_dim;
        zkr_ext row = pad;
        for (uint32_t j = 0; j < LL->out_dim; j++)
            row = zkr_ext_add(row, zkr_ext_mul_base(ej[j], zkr_gl_from_i64((int64_t)y[j] - LL->lo)));
        acc = zkr_ext_add(acc, zkr_ext_mul(eb[b], row));
        if (rho)
            sel = zkr_ext_add(sel, zkr_ext_mul(eb[b], ebr[b]));
    }
    if (claim)
        *claim = acc;
    if (rho)
        *sel_at = zkr_ext_mul(zkr_mle_eq_eval(r, rho, sh->c), sel);
out:
    free(ej);
    free(eb);
    free(ebr);
    return e;
}

static zkr_err ib_output(zkr_ve_ctx *c, const ib_stmt *s, zkr_diag *d)
{
    const zkr_eval_shape *sh = &s->s.sh;
    uint32_t L = sh->inf.n_layers;
    unsigned nv = sh->c + sh->lb;
    zkr_ext r[ZKR_VE_MAX_PT], rho[ZKR_VE_MAX_PT], msgs[2 * ZKR_VE_MAX_ROUNDS], yv, fin, claim,
        sel_at;
    zkr_ve_claim *yc;
    zkr_err e;

    if (zkr_dec_exts(c->dec, msgs, 2 * (size_t)nv) != ZKR_OK || zkr_dec_ext(c->dec, &yv) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: output section truncated");
    zkr_ts_challenge_exts(c->t, "ib-out-r", r, nv);
    /* The claim depends on r only: computed from the public logits before the rounds run. */
    if ((e = ib_public(s, r, NULL, &claim, NULL)) != ZKR_OK)
        return e;
    zkr_sumcheck_verify(c->t, nv, 2, claim, msgs, rho, &fin);
    zkr_ts_absorb_ext(c->t, "ib-out-y", &yv, 1);
    if ((e = ib_public(s, r, rho, NULL, &sel_at)) != ZKR_OK)
        return e;
    if (!zkr_ext_eq(fin, zkr_ext_mul(sel_at, yv)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: output binding check fails");
    if (!(yc = zkr_ve_claim_new(c->cl, L + L - 1)))
        return zkr_ve_full(d);
    memcpy(yc->pt, rho, nv * sizeof *rho);
    zkr_ve_bits(yc->pt + nv, ZKR_INFER_SLOTS_LOG, ZKR_INFER_SLOT_Y);
    yc->val = yv;
    return ZKR_OK;
}

static zkr_err ib_open(const zkr_params *p, zkr_ve_ctx *c, const uint8_t *roots,
                       const uint8_t *pcs, size_t pcs_len, zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    uint32_t L = s->inf.n_layers;
    zkr_eval_groups g;
    zkr_pcs_claim *cls;
    zkr_dec dec;
    zkr_err r = ZKR_OK;

    if (!(cls = calloc(ZKR_EVAL_MAX_CLAIMS, sizeof *cls)))
        return ZKR_ERR_NOMEM;
    zkr_ibatch_groups_of(s, &g);
    zkr_dec_init(&dec, pcs, pcs_len);
    for (unsigned gi = 0; gi < g.n_groups && r == ZKR_OK; gi++) {
        zkr_pcs_commitment comms[ZKR_EVAL_GROUP_MAX];
        zkr_pcs_proof *pf = NULL;
        size_t nc = 0;
        for (unsigned i = 0; i < g.n_polys[gi]; i++) {
            unsigned id = g.poly[gi][i];
            if (id < L) {
                comms[i] = c->s->comm[id];
            } else {
                memcpy(comms[i].root, roots + (size_t)(id - L) * ZKR_DIGEST_BYTES, ZKR_DIGEST_BYTES);
                comms[i].n_vars = zkr_ibatch_poly_vars(s, id);
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
        if (r != ZKR_OK) {
            r = zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                         "proof: opening %u malformed", gi);
            break;
        }
        r = zkr_pcs_verify(p, c->t, comms, g.n_polys[gi], cls, nc, pf);
        zkr_pcs_proof_free(pf);
        if (r != ZKR_OK)
            r = zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY,
                         "proof: opening %u (2^%u values) does not verify", gi, g.n_vars[gi]);
    }
    if (r == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes after the openings");
    free(cls);
    return r;
}

static zkr_err ib_math(const zkr_params *p, const zkr_proof_view *v,
                       const zkr_verifier_evaluation_statement *st, const ib_stmt *s, zkr_diag *d)
{
    uint32_t L = s->s.sh.inf.n_layers;
    zkr_transcript t;
    zkr_dec bdec;
    zkr_ve_claims *cl;
    zkr_err r;

    if (v->len[1] != (size_t)(L + 1) * ZKR_DIGEST_BYTES)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: roots section is not %u roots", L + 1);
    if (!(cl = calloc(1, sizeof *cl)))
        return ZKR_ERR_NOMEM;
    zkr_ibatch_transcript(&t, p, st->statement_id, v->body[0], v->len[0]);
    for (uint32_t i = 0; i <= L; i++)
        zkr_ts_absorb(&t, "ib-witness-root", v->body[1] + (size_t)i * ZKR_DIGEST_BYTES,
                      ZKR_DIGEST_BYTES);
    zkr_dec_init(&bdec, v->body[3], v->len[3]);
    {
        zkr_ve_ctx c = {&s->s, st, &t, &bdec, cl};
        if ((r = ib_logups(&c, v->body[2], v->len[2], d)) != ZKR_OK ||
            (r = ib_output(&c, s, d)) != ZKR_OK)
            goto out;
        for (uint32_t l = L; l-- > 0;) {
            zkr_ext rho[ZKR_VE_MAX_PT], acc_v;
            if ((r = zkr_ve_zerocheck(&c, l, rho, &acc_v, d)) != ZKR_OK ||
                (r = zkr_ve_matmul(&c, l, rho, acc_v, d)) != ZKR_OK)
                goto out;
        }
        if (zkr_dec_finish(&bdec) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes in the body section");
            goto out;
        }
        r = ib_open(p, &c, v->body[1], v->body[4], v->len[4], d);
    }
out:
    free(cl);
    return r;
}

zkr_err zkr_verify_inference_batch(const uint8_t *proof, size_t len,
                                   const zkr_verifier_evaluation_statement *st, zkr_diag *d)
{
    static const uint32_t tags[5] = {ZKR_SEC_STATEMENT, ZKR_SEC_IBATCH_ROOTS,
                                     ZKR_SEC_IBATCH_LOGUP, ZKR_SEC_IBATCH_BODY, ZKR_SEC_PCS};
    zkr_proof_view v;
    zkr_params p;
    ib_stmt *s;
    zkr_err r;

    if (!proof || !st || !st->output || (!st->records && st->count))
        return zkr_fail(d, ZKR_ERR_USAGE, "verify: missing proof or statement");
    if (st->count < 1 || st->count > ((uint64_t)1 << ZKR_EVAL_MAX_LB))
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "statement: %llu records outside 1..2^%u",
                        (unsigned long long)st->count, ZKR_EVAL_MAX_LB);
    if (zkr_params_get(st->param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "statement: unknown parameter set %u",
                        st->param_set);
    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK)
        return r;
    if ((r = zkr_proof_view_bind(&v, st->param_set, ZKR_KIND_INFERENCE_BATCH1, ZKR_IBATCH_NAME,
                                 st->statement_id, tags, 5, d)) != ZKR_OK)
        return r;
    if (!(s = calloc(1, sizeof *s)))
        return ZKR_ERR_NOMEM;
    if ((r = ib_statement(&v, st, s, &p, d)) == ZKR_OK)
        r = ib_math(&p, &v, st, s, d);
    free(s);
    return r;
}
