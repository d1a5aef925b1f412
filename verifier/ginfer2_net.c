/*
 * graph-inference@2's whole-network verifier (verifier/ginfer2.h), in the
 * order of prover/ginfer2_net.c: container, version, output, statement
 * binding, fresh roots, the relations node by node, the output claim.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/ginfer2.h"
#include "verifier/ginfer2_avg.h"
#include "verifier/ginfer2_lut.h"
#include "zkr_config.h"

#define G2N_MAX ZKR_GINF2_NET_MAX_NODES

typedef struct {
    const zkr_params *p;
    const zkr_ginf2_net *net;
    const zkr_verifier_ginf2_statement *st;
    zkr_hpcs_commitment yc[G2N_MAX], vc[G2N_MAX];
    int8_t y[ZKR_ML_G_MAX_C];
    uint32_t ny;
} g2nv_ctx;

static zkr_err g2nv_version(const zkr_proof_view *v, zkr_dec *roots, zkr_diag *d)
{
    uint32_t ver;

    zkr_dec_init(roots, v->body[1], v->len[1]);
    if (zkr_dec_u32(roots, &ver) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: no graph-inference@2 version word");
    if (ver != ZKR_GINFER2_VERSION)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "graph-inference@2 version %u proof refused (this verifier reads version "
                        "%u only)", ver, ZKR_GINFER2_VERSION);
    return ZKR_OK;
}

/* The fresh roots, strictly: one per Y_i and V_i, sizes from the parameters. */
static zkr_err g2nv_roots(g2nv_ctx *s, zkr_dec *roots, zkr_diag *d)
{
    for (uint32_t i = 1; i < s->net->n; i++)
        for (unsigned k = 0; k < 2; k++) {
            zkr_hpcs_commitment *c = k ? &s->vc[i] : &s->yc[i];
            const uint8_t *raw;
            if (k == 0 && !zkr_ginf2_net_has_y(s->net, i))
                continue;
            unsigned total = zkr_ginf2_net_fresh_total(s->p, s->net, i, k);
            memset(c, 0, sizeof *c);
            c->n_vars = zkr_ginf2_net_fresh_vars(s->net, i, k);
            if (total <= c->n_vars) /* no blinding fits: the prover refuses it too */
                return zkr_fail(d, ZKR_ERR_TOO_LARGE, "program: node %u's tensors", i);
            c->blind_vars = total - c->n_vars;
            if (zkr_dec_raw(roots, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
                return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: truncated commitments");
            memcpy(c->root, raw, ZKR_DIGEST_BYTES);
        }
    if (zkr_dec_finish(roots) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes after the commitments");
    return ZKR_OK;
}

/* The output claim's value: sum over real p of eq(z, p) (y_p - lo). */
static zkr_err g2nv_out_claim(g2nv_ctx *s, zkr_transcript *t, zkr_dec *body)
{
    uint32_t last = s->net->n - 1;
    const zkr_ginf2_rq *q = &s->net->rq[last];
    size_t nv = (size_t)1 << zkr_ginf2_rq_v_vars(q);
    zkr_ext z[ZKR_CNN_MAX_VARS], *w = calloc(nv, sizeof *w), val = zkr_ext_from(0);
    zkr_params pg;
    zkr_err r;

    if (!w)
        return ZKR_ERR_NOMEM;
    zkr_ts_challenge_exts(t, "g2n-out-z", z, q->lp);
    zkr_mle_eq_table(z, q->lp, w);
    for (uint32_t c = 0; c < q->c; c++)
        for (uint32_t y = 0; y < q->h; y++)
            for (uint32_t x = 0; x < q->w; x++) {
                size_t p = ((size_t)c << (q->lh + q->lw)) | ((size_t)y << q->lw) | x;
                int64_t v = (int64_t)s->y[((size_t)c * q->h + y) * q->w + x] - q->lo;
                val = zkr_ext_add(val, zkr_ext_mul_base(w[p], zkr_gl_from_i64(v)));
            }
    zkr_ginf2_open_params(s->p, zkr_ginf2_out_grind_bits(s->p, s->net), 0, &pg);
    r = zkr_verify_ginf2_lin(&pg, t, &s->vc[last], w, val, body);
    free(w);
    return r;
}

static zkr_err g2nv_relations(g2nv_ctx *s, zkr_transcript *t, zkr_dec *body)
{
    const zkr_ginf2_net *net = s->net;
    unsigned sh = net->share;
    zkr_err r = ZKR_OK;

    unsigned off = s->st->off & ~ZKR_GINF2_OFF_OUT, rqoff = off & ~ZKR_GINF2_OFF_LINK;

    for (uint32_t i = 1; i < net->n && r == ZKR_OK; i++) {
        uint32_t j = net->src[i][0];
        const zkr_hpcs_commitment *x = j == 0 ? s->st->xc : &s->vc[j];
        if (net->op[i] == ZKR_ML_GOP_MAXPOOL) {
            r = zkr_verify_ginf2_pool(s->p, t, &net->pool[i], x, &s->vc[i], rqoff, sh, body);
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_ADD) {
            r = zkr_verify_ginf2_add(s->p, t, &net->add[i], x, &s->vc[net->src[i][1]], &s->vc[i],
                                     rqoff | (off & ZKR_GINF2_OFF_LINK), sh, body);
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_AVGPOOL) {
            r = zkr_verify_ginf2_avg(s->p, t, &net->avg[i], x, &s->vc[i], rqoff, sh, body);
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_CONCAT) {
            const zkr_hpcs_commitment *xs[ZKR_GINF2_CAT_MAX_IN];
            for (unsigned k = 0; k < net->cat[i].k; k++)
                xs[k] = &s->vc[net->src[i][k]];
            r = zkr_verify_ginf2_cat(s->p, t, &net->cat[i], xs, &s->vc[i],
                                     off & (ZKR_GINF2_OFF_LINK | ZKR_GINF2_OFF_GRIND), sh, body);
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_LOOKUP) {
            r = zkr_verify_ginf2_lut(s->p, t, &net->lut[i], x, &s->vc[i], rqoff, sh, body);
            continue;
        }
        if ((r = zkr_verify_ginf2_conv_in(s->p, t, &net->conv[i], &net->cin[i], x, s->st->wc[i],
                                          &s->yc[i], off, sh, body)) == ZKR_OK)
            r = zkr_verify_ginf2_requant(s->p, t, &net->rq[i], &s->yc[i], &s->vc[i], rqoff, sh,
                                         body);
    }
    if (r != ZKR_OK || (s->st->off & ZKR_GINF2_OFF_OUT))
        return r;
    return g2nv_out_claim(s, t, body);
}

/* The statement's commitments against the program's shapes. */
static zkr_err g2nv_statement(const zkr_verifier_ginf2_statement *st, const zkr_ginf2_net *net,
                              zkr_diag *d)
{
    if (st->xc->ext || st->xc->n_vars != net->x_vars || st->xc->blind_vars < 1)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "statement: record commitment of 2^%u values, "
                        "the program's record has 2^%u", st->xc->n_vars, net->x_vars);
    for (uint32_t i = 1; i < net->n; i++)
        if (zkr_ginf2_net_has_y(net, i) &&
            (!st->wc[i] || st->wc[i]->ext ||
             st->wc[i]->n_vars != zkr_cnn_conv_w_vars(&net->conv[i]) ||
             st->wc[i]->blind_vars < 1))
            return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "statement: node %u's weight commitment", i);
    return ZKR_OK;
}

static zkr_err g2nv_math(g2nv_ctx *s, const zkr_proof_view *v, zkr_dec *roots, zkr_diag *d)
{
    zkr_transcript t;
    zkr_dec body;
    zkr_err r;

    if ((r = g2nv_roots(s, roots, d)) != ZKR_OK ||
        (r = zkr_ginf2_net_transcript(s->p, s->st->g, s->net, s->st->statement_id, s->st->xc,
                                      s->st->wc, v->body[0], v->len[0], &t)) != ZKR_OK)
        return r;
    zkr_ts_absorb(&t, "g2n-roots", v->body[1] + 4, v->len[1] - 4);
    zkr_dec_init(&body, v->body[2], v->len[2]);
    if ((r = g2nv_relations(s, &t, &body)) != ZKR_OK)
        return zkr_fail(d, r, "proof: a graph-inference@2 relation does not verify");
    if (zkr_dec_finish(&body) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes in the body");
    return ZKR_OK;
}

zkr_err zkr_verify_ginfer2(const uint8_t *proof, size_t len,
                           const zkr_verifier_ginf2_statement *st, int8_t *y, uint32_t cap,
                           uint32_t *n, zkr_diag *d)
{
    static const uint32_t tags[3] = {ZKR_SEC_GINF2_OUTPUT, ZKR_SEC_GINF2_ROOTS,
                                     ZKR_SEC_GINF2_BODY};
    zkr_proof_view v;
    zkr_params p;
    zkr_ginf2_net *net = NULL;
    g2nv_ctx *s = NULL;
    zkr_dec roots;
    uint32_t last, want, argmax;
    zkr_err r;

    if (!proof || !st || !st->g || !st->mp || !st->xc || !st->statement_id ||
        (!ZKR_TEST_BUILD && (st->off || st->params)))
        return zkr_fail(d, ZKR_ERR_USAGE, "verify: missing proof or statement");
    if (zkr_params_get(st->param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "statement: unknown parameter set %u",
                        st->param_set);
    if (st->params)
        p = *st->params;
    net = malloc(sizeof *net), s = calloc(1, sizeof *s);
    r = ZKR_ERR_NOMEM;
    if (!net || !s)
        goto out;
    /* The program and the statement first: a refused one is refused before any proof byte. */
    if ((r = zkr_ginf2_net_init(net, st->g, st->mp, d)) != ZKR_OK ||
        (r = g2nv_statement(st, net, d)) != ZKR_OK ||
        (r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK ||
        (r = zkr_proof_view_bind(&v, st->param_set, ZKR_KIND_GINFER2, "graph-inference@2",
                                 st->statement_id, tags, 3, d)) != ZKR_OK ||
        (r = g2nv_version(&v, &roots, d)) != ZKR_OK)
        goto out;
    last = net->n - 1, want = net->c[last] * net->h[last] * net->w[last];
    s->p = &p, s->net = net, s->st = st;
    if (want > ZKR_ML_G_MAX_C ||
        zkr_infer_output_decode(v.body[0], v.len[0], s->y, ZKR_ML_G_MAX_C, &s->ny, &argmax) !=
            ZKR_OK ||
        s->ny != want) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: output section (want %u logits)", want);
        goto out;
    }
    if (st->output && (st->output_len != s->ny || memcmp(st->output, s->y, s->ny) != 0)) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, "statement: the proof's output is another");
        goto out;
    }
    if ((r = g2nv_math(s, &v, &roots, d)) != ZKR_OK)
        goto out;
    if (y) {
        if (cap < s->ny) {
            r = ZKR_ERR_USAGE;
            goto out;
        }
        memcpy(y, s->y, s->ny);
    }
    if (n)
        *n = s->ny;
out:
    free(net);
    free(s);
    return r;
}
