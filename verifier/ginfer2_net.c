/*
 * graph-inference@2's whole-network verifier (verifier/ginfer2.h), in the
 * order of prover/ginfer2_net.c: the program, container, version, the model
 * commitment and the record's dataset binding (version 3), output,
 * statement binding, fresh roots, the relations node by node, the output claim.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verifier/ginfer2.h"
#include "verifier/ginfer2_avg.h"
#include "verifier/ginfer2_lut.h"
#include "zkr_config.h"

#define G2N_MAX ZKR_GINF2_NET_MAX_NODES

typedef struct {
    const zkr_params *p;
    const zkr_ginf2_net *net;
    const zkr_verifier_ginf2_statement *st;
    zkr_ginf2_mc mc;                 /* the model commitment section 31 carries */
    zkr_ginf2_pub mp;                /* its public parameters (into mc) */
    zkr_record_commitment rc;        /* the record's commitment section 31 carries */
    const uint8_t *bind;             /* section 31's binding bytes (the transcript's "g2n-bind") */
    size_t bind_len;
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
        const zkr_hpcs_commitment *x = j == 0 ? &s->rc.comm : &s->vc[j]; /* 0: flat record */
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
        if ((r = zkr_verify_ginf2_conv_in(s->p, t, &net->conv[i], &net->cin[i], x, &s->mc.w[i],
                                          &s->yc[i], off, sh, body)) == ZKR_OK)
            r = zkr_verify_ginf2_requant(s->p, t, &net->rq[i], &s->yc[i], &s->vc[i], rqoff, sh,
                                         body);
    }
    if (r != ZKR_OK || (s->st->off & ZKR_GINF2_OFF_OUT))
        return r;
    return g2nv_out_claim(s, t, body);
}

/*
 * The program alone (before any proof byte): zkr_ginf2_net_init's DAG
 * rules with neutral parameters (M 0, no bias, shift 1; an ADD's Ma = Mb
 * = 0, which zkr_ginf2_add_init accepts; a LOOKUP's identity table
 * T[x + 128] = x; depthwise convs and CONCATs need none; the model
 * commitment's replace them once read, zkr_ginf2_mc_fit).
 */
static zkr_err g2nv_program(const zkr_ml_gprog *g, zkr_ginf2_net *net, zkr_diag *d)
{
    static const int64_t zero[ZKR_CNN_MAX_DIM];
    int64_t ident[256];
    zkr_ginf2_pub mp;

    memset(&mp, 0, sizeof mp);
    for (unsigned k = 0; k < 256; k++)
        ident[k] = (int64_t)k - 128;
    for (uint32_t i = 1; i < g->n_nodes && i < G2N_MAX; i++)
        mp.m[i] = zero, mp.shift[i] = 1, mp.t[i] = ident;
    return zkr_ginf2_net_init(net, g, &mp, d);
}

/* Section 31's model commitment: the statement's digest, for this program, no shared root. */
static zkr_err g2nv_model(g2nv_ctx *s, zkr_dec *dec, zkr_ginf2_net *net, zkr_diag *d)
{
    const uint8_t *enc;
    size_t len;
    uint8_t dg[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (zkr_dec_bytes(dec, ZKR_GINFER2_MC_MAX_BYTES, &enc, &len) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: model commitment field malformed");
    zkr_ginf2_mc_digest(enc, len, dg);
    if (sodium_memcmp(dg, s->st->model_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: model commitment differs from the registered model's");
    if ((r = zkr_ginf2_mc_decode(s->p, enc, len, &s->mc)) != ZKR_OK)
        return r == ZKR_ERR_NOMEM ? r
                                  : zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                                             "proof: the registered model commitment does not "
                                             "decode (or names one root for two nodes)");
    if ((r = zkr_ginf2_mc_fit(s->st->g, &s->mc, &s->mp, d)) != ZKR_OK)
        return r;
    if (zkr_ginf2_net_init(net, s->st->g, &s->mp, d) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "proof: the model's parameters do not fit");
    return ZKR_OK;
}

/* Section 31's record binding (inference@2's): dataset, index, commitment, inclusion path. */
static zkr_err g2nv_record(g2nv_ctx *s, zkr_dec *dec, zkr_diag *d)
{
    uint64_t n, index;
    const uint8_t *root, *path, *rc;
    uint32_t path_len;
    uint8_t dc[ZKR_DIGEST_BYTES], leaf[ZKR_DIGEST_BYTES];

    if (zkr_dec_u64(dec, &n) != ZKR_OK || zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: dataset commitment truncated");
    zkr_infer2_dataset_commitment(n, root, dc);
    if (sodium_memcmp(dc, s->st->dataset_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                        "proof: dataset commitment differs from the registered dataset's");
    if (zkr_dec_u64(dec, &index) != ZKR_OK ||
        zkr_dec_raw(dec, ZKR_RECORD_COMMIT_BYTES, &rc) != ZKR_OK ||
        zkr_dec_u32(dec, &path_len) != ZKR_OK || path_len > ZKR_MERKLE_MAX_DEPTH ||
        zkr_dec_raw(dec, (size_t)path_len * ZKR_DIGEST_BYTES, &path) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: record binding malformed");
    if (index != s->st->record_index)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: record %llu, the statement names %llu",
                        (unsigned long long)index, (unsigned long long)s->st->record_index);
    if (zkr_record_commitment_decode(s->p, rc, ZKR_RECORD_COMMIT_BYTES, &s->rc) != ZKR_OK ||
        s->rc.len != zkr_ginf2_record_len(s->st->g) || s->rc.comm.n_vars != s->net->x_vars)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: the record commitment is not one of "
                        "%u input bytes and a label", zkr_ginf2_record_len(s->st->g) - 1);
    zkr_infer2_record_leaf(rc, leaf);
    if (zkr_merkle_inclusion_verify(leaf, index, n, (const uint8_t(*)[ZKR_DIGEST_BYTES])path,
                                    path_len, root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof: the record commitment is not leaf %llu of the committed dataset",
                        (unsigned long long)index);
    return ZKR_OK;
}

/* Section 31 after the version word: the model commitment, the record; bind the bytes read. */
static zkr_err g2nv_bind(g2nv_ctx *s, zkr_dec *dec, zkr_ginf2_net *net, zkr_diag *d)
{
    size_t at = dec->pos;
    zkr_err r;

    if ((r = g2nv_model(s, dec, net, d)) != ZKR_OK || (r = g2nv_record(s, dec, d)) != ZKR_OK)
        return r;
    s->bind = dec->p + at, s->bind_len = dec->pos - at;
    return ZKR_OK;
}

static zkr_err g2nv_math(g2nv_ctx *s, const zkr_proof_view *v, zkr_dec *roots, zkr_diag *d)
{
    zkr_transcript t;
    zkr_dec body;
    zkr_err r;

    const zkr_hpcs_commitment *wc[G2N_MAX] = {0};
    size_t at = roots->pos;

    for (uint32_t i = 1; i < s->net->n; i++)
        wc[i] = zkr_ginf2_mc_has_w(&s->mc, i) ? &s->mc.w[i] : NULL;
    if ((r = g2nv_roots(s, roots, d)) != ZKR_OK ||
        (r = zkr_ginf2_net_transcript(s->p, s->st->g, s->net, s->st->statement_id, s->bind,
                                      s->bind_len, wc, v->body[0], v->len[0], &t)) != ZKR_OK)
        return r;
    zkr_ts_absorb(&t, "g2n-roots", roots->p + at, roots->len - at);
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

    if (!proof || !st || !st->g || !st->model_commitment || !st->dataset_commitment ||
        !st->statement_id ||
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
    s->p = &p, s->net = net, s->st = st;
    if ((r = g2nv_program(st->g, net, d)) != ZKR_OK ||
        (r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK ||
        (r = zkr_proof_view_bind(&v, st->param_set, ZKR_KIND_GINFER2, "graph-inference@2",
                                 st->statement_id, tags, 3, d)) != ZKR_OK ||
        (r = g2nv_version(&v, &roots, d)) != ZKR_OK || (r = g2nv_bind(s, &roots, net, d)) != ZKR_OK)
        goto out;
    last = net->n - 1, want = net->c[last] * net->h[last] * net->w[last];
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
    if (s)
        zkr_ginf2_mc_clear(&s->mc);
    free(net);
    free(s);
    return r;
}
