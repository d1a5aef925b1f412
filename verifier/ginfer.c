/*
 * graph-inference@1 verification (verifier/ginfer.h): the header and the
 * public output against the statement first, then the relations node by
 * node (the layout derived from the program and the model's parameters,
 * never from counts in the file), then the opening of V and P.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verifier/evaluation_int.h"
#include "verifier/geval.h"
#include "verifier/ginfer.h"
#include "zkr_config.h"

/* MAXPOOL leaves its D range to zkr_vg_range (as CONV / DENSE / ADD always do). */
static const zkr_cnn_vopts zkr_vg_defer = {ZKR_CNN_DEFER_RANGE};

typedef struct {
    const zkr_verifier_ginf_statement *st;
    const zkr_ginf_shape *s;
    zkr_transcript *t;
    zkr_dec *dec;
    zkr_ginf_claims *gc;
    int no_input; /* test builds (evaluation-graph@1's teeth): claims on the input dropped */
} zkr_vg_ctx;

static zkr_err zkr_vg_route(zkr_vg_ctx *c, uint32_t i, uint32_t x, uint32_t b, int rq,
                            const zkr_cnn_claims *cl, zkr_diag *d)
{
    zkr_err r = zkr_ginf_route(c->s, c->st->g, i, x, b, rq, cl, c->no_input ? NULL : c->st->input,
                               c->gc);

    if (r == ZKR_ERR_VERIFY)
        return zkr_fail(d, r, "proof: node %u: a claim on the input fails", i);
    if (r == ZKR_ERR_INTERNAL)
        return zkr_fail(d, r, "verify: more evaluation claims than the verifier holds");
    return r;
}

/*
 * "ginf-wsub" (version 5): a split node's weight claim must equal the
 * combination of its sub-blocks' values (zkr_ginf_wsub_sum), each then
 * claimed on P. zkr_ginf_route does not route such a claim.
 */
static zkr_err zkr_vg_wsub(zkr_vg_ctx *c, uint32_t i, const zkr_cnn_claims *cl, zkr_diag *d)
{
    const zkr_ginf_shape *s = c->s;
    zkr_ext vals[ZKR_GINF_MAX_WSUB];
    size_t nw = 0;

    if (!s->n_wsub[i])
        return ZKR_OK;
    for (size_t k = 0; k < cl->n; k++) {
        const zkr_cnn_claim *w = &cl->c[k];
        if (w->poly != ZKR_CNN_POLY_W)
            continue;
        nw++;
        for (unsigned j = 0; j < s->n_wsub[i]; j++)
            if (zkr_dec_ext(c->dec, &vals[j]) != ZKR_OK)
                return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: node %u split weight values truncated",
                                i);
        zkr_ts_absorb_ext(c->t, "ginf-wsub", vals, s->n_wsub[i]);
        if (zkr_ve_check_on(c->st->off, ZKR_GINF_OFF_WSUB) &&
            !zkr_ext_eq(zkr_ginf_wsub_sum(s, i, w->pt, vals), w->val))
            return zkr_fail(d, ZKR_ERR_VERIFY,
                            "proof: node %u: split weight values do not sum to its weight claim", i);
        if (zkr_ginf_wsub_claims(s, i, w->pt, vals, c->gc) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: claim list full");
    }
    if (nw != 1)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: node %u: %zu weight claims", i, nw);
    return ZKR_OK;
}

static zkr_err zkr_vg_conv(zkr_vg_ctx *c, uint32_t i, zkr_diag *d)
{
    const zkr_ginf_shape *s = c->s;
    const zkr_ml_gnode *n = &c->st->g->nodes[i];
    unsigned lp = zkr_ginf_lpb(s, i), lhw = s->lh[i] + s->lw[i];
    zkr_cnn_claims cl = {0};
    zkr_ext rho[ZKR_CNN_MAX_PT], accv = zkr_ext_from(0), bv, valid;
    zkr_err r;

    if ((r = zkr_verify_cnn_rqn(c->t, &s->rq[i], lp, c->dec, &cl, d)) != ZKR_OK ||
        (r = zkr_vg_route(c, i, n->in[0], 0, 1, &cl, d)) != ZKR_OK)
        return r;
    for (size_t k = 0; k < cl.n; k++) {
        if (cl.c[k].poly == ZKR_CNN_POLY_X) {
            memcpy(rho, cl.c[k].pt, lp * sizeof *rho);
            accv = cl.c[k].val;
        } else if (cl.c[k].poly == ZKR_CNN_POLY_B &&
                   zkr_ginf_add(c->gc, s, 1, &s->m[i][ZKR_GM_M], cl.c[k].pt + lhw, cl.c[k].val) !=
                       ZKR_OK) {
            return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: claim list full");
        }
    }
    if (zkr_dec_ext(c->dec, &bv) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: node %u bias value truncated", i);
    zkr_ts_absorb_ext(c->t, "ginf-bias", &bv, 1);
    if (zkr_ginf_add(c->gc, s, 1, &s->m[i][ZKR_GM_B], rho + lhw, bv) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: claim list full");
    /* acc = conv + b on the real spatial positions (padding holds 0). */
    valid = zkr_ext_mul(zkr_cnn_prefix_eval(n->w, s->lw[i], rho),
                        zkr_cnn_prefix_eval(n->h, s->lh[i], rho + s->lw[i]));
    memset(&cl, 0, sizeof cl);
    if ((r = zkr_verify_cnn_conv(c->t, &s->conv[i], rho,
                                 zkr_ext_sub(accv, zkr_ext_mul(bv, valid)), c->dec, &cl, d)) !=
        ZKR_OK)
        return r;
    /* A batch: the relation's claims are on X folded at rho_b (prover/ginfer.c zkr_pg_conv_batch). */
    if (s->lb && zkr_geval_extend_x(&cl, zkr_ginf_lp(s, n->in[0]), rho + zkr_ginf_lp(s, i), s->lb) !=
                     ZKR_OK)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: node %u: claim of another size", i);
    if ((r = zkr_vg_wsub(c, i, &cl, d)) != ZKR_OK)
        return r;
    return zkr_vg_route(c, i, n->in[0], 0, 0, &cl, d);
}

static zkr_err zkr_vg_node(zkr_vg_ctx *c, uint32_t i, zkr_diag *d)
{
    const zkr_ginf_shape *s = c->s;
    const zkr_ml_gnode *n = &c->st->g->nodes[i];
    zkr_cnn_claims cl = {0};
    zkr_err r;

    switch (n->op) {
    case ZKR_ML_GOP_CONV:
    case ZKR_ML_GOP_DENSE:
        return zkr_vg_conv(c, i, d);
    case ZKR_ML_GOP_MAXPOOL:
        r = zkr_verify_cnn_maxpool(c->t, &s->win[i], &zkr_vg_defer, c->dec, &cl, d);
        break;
    case ZKR_ML_GOP_AVGPOOL:
        r = zkr_verify_cnn_avgpool(c->t, &s->win[i], NULL, c->dec, &cl, d);
        break;
    case ZKR_ML_GOP_LOOKUP:
        r = zkr_verify_cnn_lookup(c->t, n->c, n->h, n->w, c->st->mp->table[i], NULL, c->dec, &cl,
                                  d);
        break;
    case ZKR_ML_GOP_ADD:
        r = zkr_verify_cnn_rqn(c->t, &s->rq[i], zkr_ginf_lpb(s, i), c->dec, &cl, d);
        break;
    case ZKR_ML_GOP_CONCAT: {
        zkr_cnn_vopts o = {zkr_ve_check_on(c->st->off, ZKR_GINF_OFF_CAT) ? 0 : ZKR_CNN_OFF_CAT};
        r = zkr_verify_cnn_concat(c->t, &s->cat[i], &o, c->dec, &cl, d);
        break;
    }
    default:
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: node %u op %u", i, n->op);
    }
    if (r != ZKR_OK)
        return r;
    return zkr_vg_route(c, i, n->in[0], n->in[1], 0, &cl, d);
}

/*
 * One LogUp of a column (2^na values) against the table 0..2^nt-1: parsed,
 * verified, the table's claim t~(rt) checked (t(x) = x); lc gets the
 * column and multiplicity claims for the caller. `what` names it in the
 * messages.
 */
static zkr_err zkr_vg_logup(zkr_transcript *t, zkr_dec *dec, unsigned na, unsigned nt,
                            const char *what, zkr_logup_claims *lc, zkr_diag *d)
{
    zkr_logup_proof *lp = NULL;
    zkr_ext tv = zkr_ext_from(0);
    zkr_err r;

    if ((r = zkr_logup_proof_parse(na, nt, dec, &lp)) != ZKR_OK)
        return r == ZKR_ERR_NOMEM ? r : zkr_fail(d, ZKR_ERR_MALFORMED, "proof: %s truncated", what);
    r = zkr_logup_verify(t, na, nt, lp, lc);
    zkr_logup_proof_free(lp);
    if (r != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: %s fails", what);
    for (unsigned j = nt; j-- > 0;)
        tv = zkr_ext_add(zkr_ext_add(tv, tv), lc->rt[j]);
    if (!zkr_ext_eq(tv, lc->t_at_rt))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: %s table claim fails", what);
    return ZKR_OK;
}

/*
 * "ginf-range": the one LogUp of the range column against 0..2^15-1, its
 * table claim (the table's MLE at rt is sum_j 2^j rt_j), and the column's
 * claim recombined from the values it is made of, each then claimed on V.
 */
static zkr_err zkr_vg_range(zkr_vg_ctx *c, zkr_diag *d)
{
    const zkr_ginf_shape *s = c->s;
    size_t nvals = zkr_ginf_range_nvals(s);
    zkr_ext *vals = NULL, tau[4];
    zkr_logup_claims lc;
    zkr_err r;

    if (!s->n_r)
        return ZKR_OK;
    if ((r = zkr_vg_logup(c->t, c->dec, s->n_r, ZKR_GINF_RANGE_LOG, "range check", &lc, d)) !=
        ZKR_OK)
        return r;
    if (!(vals = malloc((nvals ? nvals : 1) * sizeof *vals)))
        return ZKR_ERR_NOMEM;
    if (zkr_dec_exts(c->dec, vals, nvals) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: range column values truncated");
        goto out;
    }
    zkr_ts_absorb_ext(c->t, "ginf-range-vals", vals, nvals);
    if (!zkr_ext_eq(zkr_ginf_range_combine(s, lc.ra, vals), lc.a_at_ra)) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: range column does not match its blocks");
        goto out;
    }
    zkr_ts_challenge_exts(c->t, "ginf-range-tau", tau, 4);
    if (zkr_ginf_range_claims(s, lc.ra, vals, tau, c->gc) != ZKR_OK ||
        zkr_ginf_add(c->gc, s, 0, &s->rmult, lc.rt, lc.m_at_rt) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_INTERNAL, "verify: claim list full");
out:
    free(vals);
    return r;
}

/* The opening (zk/ginfer.h zkr_ginf_one_opening): every claim on V and P, as the prover made it. */
static zkr_err zkr_vg_open(const zkr_params *p, const zkr_ginf_shape *s,
                           const zkr_ginf_claims *gc, const zkr_pcs_commitment comms[2],
                           zkr_transcript *t, zkr_dec *dec, zkr_diag *d)
{
    static const char *what[2] = {"witness", "model"};
    zkr_pcs_claim *cl = malloc((gc->n ? gc->n : 1) * sizeof *cl);
    zkr_pcs_proof *pf = NULL;
    unsigned nv[2] = {comms[0].n_vars, comms[1].n_vars};
    int one = zkr_ginf_one_opening(p, s);
    size_t k;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!cl)
        return ZKR_ERR_NOMEM;
    if (one) {
        k = zkr_ginf_pcs_claims(gc, 2, 1, cl);
        if ((r = zkr_pcs_proof_parse_mixed(p, nv, 2, k, dec, &pf)) != ZKR_OK) {
            r = zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                         "proof: the opening of witness and model is malformed");
            goto out;
        }
        if ((r = zkr_pcs_verify_mixed(p, t, comms, 2, cl, k, pf)) != ZKR_OK)
            r = zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY,
                         "proof: the opening of witness and model fails");
        goto out;
    }
    for (unsigned w = 0; w < 2; w++) {
        k = zkr_ginf_pcs_claims(gc, w, 0, cl);
        zkr_pcs_proof_free(pf);
        pf = NULL;
        if (k == 0 || (r = zkr_pcs_proof_parse(p, nv[w], 1, k, dec, &pf)) != ZKR_OK) {
            r = zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                         "proof: %s opening malformed", what[w]);
            goto out;
        }
        if ((r = zkr_pcs_verify(p, t, &comms[w], 1, cl, k, pf)) != ZKR_OK) {
            r = zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY, "proof: %s opening fails",
                         what[w]);
            goto out;
        }
    }
out:
    zkr_pcs_proof_free(pf);
    free(cl);
    return r;
}

static zkr_err zkr_vg_output(const zkr_proof_view *v, const zkr_verifier_ginf_statement *st,
                             zkr_diag *d)
{
    const zkr_ml_gnode *last = &st->g->nodes[st->g->n_nodes - 1];
    zkr_buf want = {0};
    zkr_err r;

    if ((r = zkr_infer_output_encode(st->output, st->output_n, &want)) != ZKR_OK)
        return r;
    if (st->output_n != (size_t)last->c * last->h * last->w || v->len[0] != want.len ||
        sodium_memcmp(v->body[0], want.p, want.len) != 0)
        r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, "proof: public output differs from the statement's");
    zkr_buf_free(&want);
    return r;
}

/* evaluation-graph@1's count inputs (zkr_verify_ginf_batch). */
typedef struct {
    const uint8_t *labels;
    size_t stride;
    uint64_t count, correct;
    unsigned off;
} zkr_vg_geval;

/* off is 0 outside test builds (zkr_verify_ginf_batch). */
static int zkr_vg_geval_on(const zkr_vg_geval *ge, unsigned check)
{
    return !(ge->off & check);
}

/* A's byte LogUp ("geval-am-range"): every entry of A in 0..255; claims on A and its multiplicities. */
static zkr_err zkr_vg_am_range(const zkr_ginf_shape *s, zkr_transcript *t, zkr_dec *body,
                               zkr_ginf_claims *gc, zkr_diag *d)
{
    zkr_logup_claims lc;
    zkr_err r;

    if ((r = zkr_vg_logup(t, body, s->am.log, ZKR_GINF_AM_RANGE_LOG, "argmax range check", &lc,
                          d)) != ZKR_OK)
        return r;
    if (zkr_ginf_add(gc, s, 0, &s->am, lc.ra, lc.a_at_ra) != ZKR_OK ||
        zkr_ginf_add(gc, s, 0, &s->amult, lc.rt, lc.m_at_rt) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: claim list full");
    return ZKR_OK;
}

/*
 * evaluation-graph@1's argmax and count (evaluation@1's relations,
 * verifier/evaluation.c), then A's byte LogUp, as zkr_pg_argmax proves them.
 */
static zkr_err zkr_vg_argmax(const zkr_ginf_shape *s, const zkr_vg_geval *ge, zkr_transcript *t,
                             zkr_dec *body, zkr_ginf_claims *gc, zkr_diag *d)
{
    const zkr_eval_am_dims *m = &s->amd;
    uint32_t last = s->n_nodes - 1;
    unsigned nv = m->c + m->lb, amo = 0, full = 0;
    zkr_ve_am_out *o = malloc(sizeof *o);
    zkr_ext pt[ZKR_CNN_MAX_PT], rs[ZKR_VE_MAX_PT], ev;
    zkr_err r;

    if (!o)
        return ZKR_ERR_NOMEM;
    amo |= zkr_vg_geval_on(ge, ZKR_GEVAL_OFF_ARGMAX) ? 0 : ZKR_EVAL_AM_OFF_ARGMAX;
    amo |= zkr_vg_geval_on(ge, ZKR_GEVAL_OFF_ONEHOT) ? 0 : ZKR_EVAL_AM_OFF_ONEHOT;
    amo |= zkr_vg_geval_on(ge, ZKR_GEVAL_OFF_COUNT) ? 0 : ZKR_EVAL_AM_OFF_COUNT;
    if ((r = zkr_ve_am_verify(m, t, body, amo, o, d)) != ZKR_OK)
        goto out;
    memcpy(pt, o->rho, nv * sizeof *pt);
    memcpy(pt + nv, o->tau, ZKR_EVAL_ASLOTS_LOG * sizeof *pt);
    full |= zkr_ginf_add(gc, s, 0, &s->am, pt, o->fold) != ZKR_OK;
    full |= zkr_ginf_add(gc, s, 0, &s->v[last][ZKR_GB_Y], o->rho,
                         zkr_ext_sub(o->yv, zkr_ext_from((zkr_gl)(-m->lo)))) != ZKR_OK;
    zkr_eval_am_onehot_pt(m, o->rho, pt);
    full |= zkr_ginf_add(gc, s, 0, &s->am, pt, o->e_half) != ZKR_OK;
    for (unsigned k = 0; k < m->nd; k++) {
        zkr_eval_am_key_pt(m, o->rho, k, pt);
        full |= zkr_ginf_add(gc, s, 0, &s->am, pt, o->ka0[k]) != ZKR_OK;
    }
    if ((r = zkr_ve_count_verify(m, t, body, ge->labels, ge->stride, ge->count, ge->correct,
                                 amo, rs, &ev, d)) != ZKR_OK)
        goto out;
    memcpy(pt, rs, nv * sizeof *pt);
    for (unsigned i = 0; i < ZKR_EVAL_ASLOTS_LOG; i++)
        pt[nv + i] = zkr_ext_from((ZKR_EVAL_ASLOT_E >> i) & 1);
    full |= zkr_ginf_add(gc, s, 0, &s->am, pt, ev) != ZKR_OK;
    if (zkr_vg_geval_on(ge, ZKR_GEVAL_OFF_AMRANGE) && (r = zkr_vg_am_range(s, t, body, gc, d)) != ZKR_OK)
        goto out;
    r = full ? zkr_fail(d, ZKR_ERR_INTERNAL, "verify: claim list full") : ZKR_OK;
out:
    free(o);
    return r;
}

/*
 * The mathematics. ge: an evaluation-graph@1 proof (sections output,
 * body opening with the version and V's root, openings; st->input the
 * padded batch), else (NULL) graph-inference@1's.
 */
/*
 * The protocol version, section 26's (evaluation-graph@1: 35's) first word,
 * read before anything the layout decides (P's size among them), so an
 * older proof is refused by name.
 */
static zkr_err zkr_vg_version(const zkr_proof_view *v, int geval, zkr_diag *d)
{
    unsigned sb = geval ? 1 : 2;
    uint32_t ver, want = geval ? ZKR_GEVAL_VERSION : ZKR_GINF_VERSION;
    zkr_dec body;

    zkr_dec_init(&body, v->body[sb], v->len[sb]);
    if (zkr_dec_u32(&body, &ver) != ZKR_OK || ver != want)
        return zkr_fail(d, geval ? ZKR_ERR_UNSUPPORTED : ZKR_ERR_MALFORMED,
                        "proof: not %s protocol version %u proof (re-prove it)",
                        geval ? "an evaluation-graph@1" : "a graph-inference@1", want);
    return ZKR_OK;
}

static zkr_err zkr_vg_math(const zkr_params *p, const zkr_proof_view *v,
                           const zkr_verifier_ginf_statement *st, const zkr_ginf_shape *s,
                           const zkr_buf *prog, const zkr_vg_geval *ge, zkr_diag *d)
{
    int geval = ge != NULL, no_input = ge && !zkr_vg_geval_on(ge, ZKR_GEVAL_OFF_INPUT);
    uint32_t last = s->n_nodes - 1;
    unsigned sb = geval ? 1 : 2, sp = geval ? 2 : 3;
    zkr_transcript t;
    zkr_dec body, pcs;
    zkr_ginf_claims *gc = calloc(1, sizeof *gc);
    zkr_pcs_commitment vc[2];
    uint32_t ver;
    zkr_err r;

    if (!gc)
        return ZKR_ERR_NOMEM;
    zkr_dec_init(&body, v->body[sb], v->len[sb]);
    if ((r = zkr_vg_version(v, geval, d)) != ZKR_OK || (r = zkr_dec_u32(&body, &ver)) != ZKR_OK)
        goto out; /* the version word, checked */
    {
        const uint8_t *root = v->body[1];
        if (geval ? zkr_dec_raw(&body, ZKR_DIGEST_BYTES, &root) != ZKR_OK
                  : v->len[1] != ZKR_DIGEST_BYTES) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: witness section is not one root");
            goto out;
        }
        memcpy(vc[0].root, root, ZKR_DIGEST_BYTES);
    }
    vc[0].n_vars = s->n_v;
    vc[1] = st->model;
    zkr_ginf_transcript_proto(&t, geval ? ZKR_GEVAL_PROTOCOL : ZKR_GINF_PROTOCOL,
                              geval ? ZKR_GEVAL_VERSION : ZKR_GINF_VERSION, p, st->statement_id,
                              prog->p, prog->len, &st->model, st->mp, st->input, st->input_len,
                              v->body[0], v->len[0]);
    zkr_ts_absorb(&t, "ginf-witness", vc[0].root, ZKR_DIGEST_BYTES);
    if (geval) {
        if ((r = zkr_vg_argmax(s, ge, &t, &body, gc, d)) != ZKR_OK)
            goto out;
    } else {
        zkr_ext ro[ZKR_CNN_MAX_PT], val;
        zkr_ts_challenge_exts(&t, "ginf-out", ro, zkr_ginf_lpb(s, last));
        if ((r = zkr_ginf_tensor_eval(s, st->g, last, (const uint8_t *)st->output, 1, ro, &val)) !=
                ZKR_OK ||
            (r = zkr_ginf_add(gc, s, 0, &s->v[last][ZKR_GB_Y], ro, val)) != ZKR_OK)
            goto out;
    }
    {
        zkr_vg_ctx c = {st, s, &t, &body, gc, no_input};
        for (uint32_t i = last; i >= 1; i--)
            if ((r = zkr_vg_node(&c, i, d)) != ZKR_OK)
                goto out;
        if ((r = zkr_vg_range(&c, d)) != ZKR_OK)
            goto out;
        if (zkr_dec_finish(&body) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes in the body");
            goto out;
        }
        zkr_dec_init(&pcs, v->body[sp], v->len[sp]);
        if ((r = zkr_vg_open(p, s, gc, vc, &t, &pcs, d)) != ZKR_OK)
            goto out;
        if (zkr_dec_finish(&pcs) != ZKR_OK)
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes after the openings");
    }
out:
    free(gc);
    return r;
}

zkr_err zkr_verify_ginf(const uint8_t *proof, size_t len, const zkr_verifier_ginf_statement *st,
                        zkr_diag *d)
{
    static const uint32_t tags[4] = {ZKR_SEC_GINF_OUTPUT, ZKR_SEC_GINF_WITNESS, ZKR_SEC_GINF_BODY,
                                     ZKR_SEC_GINF_PCS};
    zkr_proof_view v;
    zkr_params p;
    zkr_ginf_shape *s = NULL;
    zkr_buf prog = {0};
    zkr_err r;

    if (!proof || !st || !st->g || !st->mp || !st->input || !st->output)
        return zkr_fail(d, ZKR_ERR_USAGE, "verify: missing proof or statement");
    if (zkr_params_get(st->param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "statement: unknown parameter set %u",
                        st->param_set);
    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK ||
        (r = zkr_proof_view_bind(&v, st->param_set, ZKR_KIND_GINFER1, "graph-inference@1",
                                 st->statement_id, tags, 4, d)) != ZKR_OK)
        return r;
    if ((r = zkr_vg_version(&v, 0, d)) != ZKR_OK)
        return r;
    if (!(s = malloc(sizeof *s)))
        return ZKR_ERR_NOMEM;
    if ((r = zkr_ml_gprog_encode(st->g, &prog, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_ginf_shape_init(s, st->g, st->mp, p.max_vars, d)) != ZKR_OK)
        goto out;
    if (st->model.n_vars != s->n_m) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "statement: model commitment of 2^%u values, the "
                     "program's model has 2^%u", st->model.n_vars, s->n_m);
        goto out;
    }
    if (st->input_len != (size_t)st->g->nodes[0].c * st->g->nodes[0].h * st->g->nodes[0].w) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "statement: input of %zu bytes", st->input_len);
        goto out;
    }
    if ((r = zkr_vg_output(&v, st, d)) != ZKR_OK)
        goto out;
    r = zkr_vg_math(&p, &v, st, s, &prog, NULL, d);
out:
    zkr_buf_free(&prog);
    free(s);
    return r;
}

zkr_err zkr_verify_ginf_batch(const zkr_params *p, const zkr_proof_view *v,
                              const zkr_verifier_ginf_statement *gs, uint32_t count,
                              const uint8_t *labels, size_t stride, uint64_t correct,
                              unsigned off, zkr_diag *d)
{
    zkr_vg_geval ge = {labels, stride, count, correct, ZKR_TEST_BUILD ? off : 0};
    zkr_ginf_shape *s = malloc(sizeof *s);
    zkr_buf prog = {0};
    zkr_err r;

    if (!s)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_vg_version(v, 1, d)) != ZKR_OK ||
        (r = zkr_ml_gprog_encode(gs->g, &prog, d)) != ZKR_OK ||
        (r = zkr_ginf_shape_init_batch(s, gs->g, gs->mp, zkr_geval_lb(count), p->max_vars, d)) !=
            ZKR_OK)
        goto out;
    if (gs->model.n_vars != s->n_m) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "statement: model commitment of 2^%u values, the "
                     "program's model has 2^%u", gs->model.n_vars, s->n_m);
        goto out;
    }
    r = zkr_vg_math(p, v, gs, s, &prog, &ge, d);
out:
    zkr_buf_free(&prog);
    free(s);
    return r;
}
