/*
 * graph-inference@2's whole-network prover (prover/ginfer2.h; zk/ginfer2.h,
 * "the whole network"; docs/proof-system.md, "The whole network"): the
 * program run natively on the record, every hidden tensor committed fresh,
 * the relations node by node on one transcript, then the public output's
 * claim. The verifier is verifier/ginfer2_net.c.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/cnn.h"
#include "prover/ginfer2.h"
#include "prover/ginfer2_avg.h"
#include "prover/ginfer2_lut.h"
#include "zkr_config.h"

#define G2N_MAX ZKR_GINF2_NET_MAX_NODES

typedef struct {
    const zkr_params *p;
    const zkr_prover_ginf2_in *in;
    const zkr_ginf2_net *net;
    zkr_zkrng *rng;
    unsigned threads;
    int avg_delta;              /* test builds: zkr_prover_ginf2_in's avg_delta, avg_node */
    uint32_t avg_node;
    int64_t *act[G2N_MAX];      /* each node's real output, C-major */
    zkr_gl *yt[G2N_MAX], *vt[G2N_MAX];
    zkr_hpcs_poly *yp[G2N_MAX], *vp[G2N_MAX];
    zkr_hpcs_commitment yc[G2N_MAX], vc[G2N_MAX];
} g2n_ctx;

static void g2n_wipe_free(void *p, size_t n)
{
    if (p)
        sodium_memzero(p, n);
    free(p);
}

zkr_err zkr_prover_ginf2_commit_model(const zkr_params *p, const zkr_ginf2_net *net,
                                      const int8_t *const *w, uint32_t proofs, zkr_zkrng *rng,
                                      zkr_hpcs_poly **wp, zkr_hpcs_commitment *wc)
{
    zkr_err r = ZKR_OK;

    for (uint32_t i = 1; i < net->n && r == ZKR_OK; i++) {
        const zkr_cnn_conv *c = &net->conv[i];
        size_t nw, fan = (size_t)(c->depthwise ? 1u : c->g.c) * c->g.kh * c->g.kw;
        unsigned n = zkr_cnn_conv_w_vars(c), e;
        zkr_gl *t;
        int64_t *w64;
        wp[i] = NULL;
        if (!zkr_ginf2_net_has_y(net, i))
            continue;
        nw = (size_t)c->cout * fan;
        e = zkr_ginf2_range_blind(p, n, ZKR_GINF2_W_OPENINGS * proofs);
        if (!w[i] || proofs < 1)
            return ZKR_ERR_USAGE;
        if (e == 0)
            return ZKR_ERR_TOO_LARGE;
        t = calloc((size_t)1 << n, sizeof *t);
        w64 = malloc(nw * sizeof *w64);
        r = ZKR_ERR_NOMEM;
        if (t && w64) {
            r = ZKR_OK;
            for (size_t k = 0; k < nw; k++) {
                w64[k] = w[i][k];
                if (w64[k] < -127) /* the relation proves |W| <= 127 */
                    r = ZKR_ERR_USAGE;
            }
            zkr_cnn_conv_w_table(c, w64, t);
            if (r == ZKR_OK)
                r = zkr_prover_hcommit_sized(p, t, n, n + e, ZKR_GINF2_W_OPENINGS * proofs, rng,
                                             1, &wp[i], &wc[i]);
        }
        g2n_wipe_free(t, t ? ((size_t)1 << n) * sizeof *t : 0);
        g2n_wipe_free(w64, w64 ? nw * sizeof *w64 : 0);
    }
    return r;
}

static zkr_gl g2n_gl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

/* The input channels output channel co reads: all (groups 1), or co / mult (depthwise). */
static uint32_t g2n_c0(const zkr_cnn_conv *c, uint32_t co)
{
    return c->depthwise ? co / c->mult : 0;
}
static uint32_t g2n_c1(const zkr_cnn_conv *c, uint32_t co)
{
    return c->depthwise ? co / c->mult + 1 : c->g.c;
}

/* W's table index (zkr_cnn_conv_w_table): (j, i, c, co), or depthwise (j, i, c, m). */
static size_t g2n_w_at(const zkr_cnn_conv *c, uint32_t co, uint32_t ci, uint32_t ky, uint32_t kx)
{
    const zkr_cnn_win *g = &c->g;
    size_t k = kx | ((size_t)ky << g->lkw) | ((size_t)ci << (g->lkw + g->lkh));

    if (c->depthwise)
        return k | ((size_t)(co % c->mult) << zkr_ginf2_k_vars(c));
    return k | ((size_t)co << zkr_ginf2_k_vars(c));
}

/* Node i (CONV / DENSE): the accumulator (no bias) from its input node's real output. */
static zkr_err g2n_run_conv(g2n_ctx *s, uint32_t i)
{
    const zkr_ginf2_net *net = s->net;
    const zkr_cnn_win *g = &net->conv[i].g;
    const zkr_ginf2_rq *q = &net->rq[i];
    const int64_t *x = s->act[net->src[i][0]];
    const zkr_gl *wt = zkr_hpcs_poly_base_evals(s->in->wp[i]); /* the committed W */
    size_t np = (size_t)1 << q->lp, nv = (size_t)1 << zkr_ginf2_rq_v_vars(q);
    int64_t *acc = calloc(np, sizeof *acc);
    zkr_err r = ZKR_ERR_NOMEM;

    s->yt[i] = calloc(np, sizeof *s->yt[i]);
    s->vt[i] = calloc(nv, sizeof *s->vt[i]);
    s->act[i] = calloc((size_t)net->c[i] * net->h[i] * net->w[i], sizeof *s->act[i]);
    if (!acc || !s->yt[i] || !s->vt[i] || !s->act[i])
        goto out;
    for (uint32_t co = 0; co < net->conv[i].cout; co++)
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++) {
                int64_t a = 0;
                for (uint32_t ci = g2n_c0(&net->conv[i], co); ci < g2n_c1(&net->conv[i], co);
                     ci++)
                    for (uint32_t ky = 0; ky < g->kh; ky++)
                        for (uint32_t kx = 0; kx < g->kw; kx++) {
                            int64_t yy = (int64_t)oy * g->sh + (int64_t)ky * g->dh - g->pt;
                            int64_t xx = (int64_t)ox * g->sw + (int64_t)kx * g->dw - g->pl;
                            if (yy < 0 || xx < 0 || yy >= g->h || xx >= g->w)
                                continue;
                            zkr_gl wv = wt[g2n_w_at(&net->conv[i], co, ci, ky, kx)];
                            a += (wv > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - wv) : (int64_t)wv) *
                                 x[((size_t)ci * g->h + (size_t)yy) * g->w + (size_t)xx];
                        }
                size_t p = ((size_t)co << (q->lh + q->lw)) | ((size_t)oy << q->lw) | ox;
                acc[p] = a;
                s->yt[i][p] = g2n_gl(a);
            }
    if ((r = zkr_ginf2_rq_witness(q, acc, s->vt[i])) != ZKR_OK)
        goto out;
    for (uint32_t co = 0; co < q->c; co++)
        for (uint32_t oy = 0; oy < q->h; oy++)
            for (uint32_t ox = 0; ox < q->w; ox++)
                s->act[i][((size_t)co * q->h + oy) * q->w + ox] =
                    (int64_t)s->vt[i][((size_t)co << (q->lh + q->lw)) | ((size_t)oy << q->lw) | ox] +
                    q->lo;
out:
    g2n_wipe_free(acc, acc ? np * sizeof *acc : 0);
    return r;
}

/* Node i (MAXPOOL): its witness from its input's witness (a requantization's or an ADD's). */
static zkr_err g2n_run_pool(g2n_ctx *s, uint32_t i)
{
    const zkr_ginf2_net *net = s->net;
    const zkr_ginf2_pool *q = &net->pool[i];
    size_t nv = (size_t)1 << zkr_ginf2_pool_v_vars(q), nq = (size_t)1 << (q->le + q->lp);

    s->vt[i] = calloc(nv, sizeof *s->vt[i]);
    s->act[i] = calloc((size_t)net->c[i] * net->h[i] * net->w[i], sizeof *s->act[i]);
    if (!s->vt[i] || !s->act[i])
        return ZKR_ERR_NOMEM;
    zkr_ginf2_pool_witness(q, s->vt[net->src[i][0]], s->vt[i]);
    for (uint32_t c = 0; c < q->g.c; c++)
        for (uint32_t oy = 0; oy < q->g.oh; oy++)
            for (uint32_t ox = 0; ox < q->g.ow; ox++)
                s->act[i][((size_t)c * q->g.oh + oy) * q->g.ow + ox] =
                    (int64_t)s->vt[i][(size_t)ZKR_G2P_YB * nq |
                                      ((size_t)c << (q->g.loh + q->g.low)) |
                                      ((size_t)oy << q->g.low) | ox] -
                    128;
    return ZKR_OK;
}

#if ZKR_TEST_BUILD
static zkr_gl g2n_avg_gl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

/*
 * soundness-ginfer2-avg's whole-network cheat: every real output whose Yb +
 * delta stays a byte moved by delta, r by -delta k and rc by +delta k, so
 * A0 and A1 still hold in the field (a negative value wraps in its low limb).
 */
static void g2n_avg_cheat(const zkr_ginf2_avg *q, int delta, zkr_gl *v)
{
    int64_t k = q->k;

    for (size_t p = 0; p < ((size_t)1 << q->lp); p++) {
#define G2N_AT(slot) (&v[((size_t)(slot) << q->lp) | p])
        zkr_gl *yb = G2N_AT(ZKR_G2A_YB), *r0 = G2N_AT(ZKR_G2A_R0), *r1 = G2N_AT(ZKR_G2A_R1);
        zkr_gl *c0 = G2N_AT(ZKR_G2A_RC0), *c1 = G2N_AT(ZKR_G2A_RC1);
#undef G2N_AT
        int64_t y = (int64_t)*yb + delta, r = (int64_t)(*r0 + 256 * *r1) - delta * k;
        int64_t rc = (int64_t)(*c0 + 256 * *c1) + delta * k;
        if (!zkr_ginf2_avg_real(q, p) || y < 0 || y > 255)
            continue;
        *yb = (zkr_gl)y;
        *r0 = r < 0 ? g2n_avg_gl(r) : (zkr_gl)(r & 255), *r1 = r < 0 ? 0 : (zkr_gl)(r >> 8);
        *c0 = rc < 0 ? g2n_avg_gl(rc) : (zkr_gl)(rc & 255), *c1 = rc < 0 ? 0 : (zkr_gl)(rc >> 8);
    }
}
#endif

/* Node i (CONCAT): its witness from its inputs' witnesses, its output the channels in order. */
static zkr_err g2n_run_cat(g2n_ctx *s, uint32_t i)
{
    const zkr_ginf2_net *net = s->net;
    const zkr_ginf2_cat *q = &net->cat[i];
    const zkr_gl *xs[ZKR_GINF2_CAT_MAX_IN];
    size_t at = 0;

    s->vt[i] = calloc((size_t)1 << zkr_ginf2_cat_v_vars(q), sizeof *s->vt[i]);
    s->act[i] = calloc((size_t)net->c[i] * net->h[i] * net->w[i], sizeof *s->act[i]);
    if (!s->vt[i] || !s->act[i])
        return ZKR_ERR_NOMEM;
    for (unsigned j = 0; j < q->k; j++) {
        uint32_t a = net->src[i][j];
        size_t n = (size_t)net->c[a] * net->h[a] * net->w[a];
        xs[j] = s->vt[a];
        memcpy(s->act[i] + at, s->act[a], n * sizeof *s->act[i]);
        at += n;
    }
    zkr_ginf2_cat_witness(q, xs, s->vt[i]);
    return ZKR_OK;
}

/* Node i (AVGPOOL): its witness from its input's witness (zk/ginfer2_avg.h). */
static zkr_err g2n_run_avg(g2n_ctx *s, uint32_t i)
{
    const zkr_ginf2_net *net = s->net;
    const zkr_ginf2_avg *q = &net->avg[i];
    const zkr_cnn_win *g = &q->g;

    s->vt[i] = calloc((size_t)1 << zkr_ginf2_avg_v_vars(q), sizeof *s->vt[i]);
    s->act[i] = calloc((size_t)net->c[i] * net->h[i] * net->w[i], sizeof *s->act[i]);
    if (!s->vt[i] || !s->act[i])
        return ZKR_ERR_NOMEM;
    zkr_ginf2_avg_witness(q, s->vt[net->src[i][0]], s->vt[i]);
#if ZKR_TEST_BUILD
    if (s->avg_delta && (s->avg_node == 0 || s->avg_node == i))
        g2n_avg_cheat(q, s->avg_delta, s->vt[i]);
#endif
    for (uint32_t c = 0; c < g->c; c++)
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++)
                s->act[i][((size_t)c * g->oh + oy) * g->ow + ox] =
                    (int64_t)s->vt[i][((size_t)ZKR_G2A_YB << q->lp) |
                                      ((size_t)c << (g->loh + g->low)) | ((size_t)oy << g->low) |
                                      ox] -
                    128;
    return ZKR_OK;
}

/* Node i (LOOKUP): its witness from its input's witness (the block the lookup reads). */
static zkr_err g2n_run_lut(g2n_ctx *s, uint32_t i)
{
    const zkr_ginf2_net *net = s->net;
    const zkr_ginf2_lut *q = &net->lut[i];
    size_t nv = (size_t)1 << zkr_ginf2_lut_v_vars(q);
    zkr_err r;

    s->vt[i] = calloc(nv, sizeof *s->vt[i]);
    s->act[i] = calloc((size_t)q->c * q->h * q->w, sizeof *s->act[i]);
    if (!s->vt[i] || !s->act[i])
        return ZKR_ERR_NOMEM;
    if ((r = zkr_ginf2_lut_witness(q, s->vt[net->src[i][0]], s->vt[i])) != ZKR_OK)
        return r;
    for (uint32_t c = 0; c < q->c; c++)
        for (uint32_t y = 0; y < q->h; y++)
            for (uint32_t x = 0; x < q->w; x++)
                s->act[i][((size_t)c * q->h + y) * q->w + x] =
                    (int64_t)s->vt[i][((size_t)c << (q->lh + q->lw)) | ((size_t)y << q->lw) | x] -
                    128;
    return ZKR_OK;
}

/* Node i (ADD): its witness from its inputs' witnesses (zk/ginfer2_add.h). */
static zkr_err g2n_run_add(g2n_ctx *s, uint32_t i)
{
    const zkr_ginf2_net *net = s->net;
    const zkr_ginf2_add *a = &net->add[i];
    const zkr_ginf2_rq *q = &a->q;
    zkr_err r;

    s->vt[i] = calloc((size_t)1 << zkr_ginf2_add_v_vars(a), sizeof *s->vt[i]);
    s->act[i] = calloc((size_t)net->c[i] * net->h[i] * net->w[i], sizeof *s->act[i]);
    if (!s->vt[i] || !s->act[i])
        return ZKR_ERR_NOMEM;
    if ((r = zkr_ginf2_add_witness(a, s->vt[net->src[i][0]], s->vt[net->src[i][1]], s->vt[i])) !=
        ZKR_OK)
        return r;
    for (uint32_t c = 0; c < q->c; c++)
        for (uint32_t oy = 0; oy < q->h; oy++)
            for (uint32_t ox = 0; ox < q->w; ox++)
                s->act[i][((size_t)c * q->h + oy) * q->w + ox] = zkr_ginf2_add_out(
                    a, s->vt[i], ((size_t)c << (q->lh + q->lw)) | ((size_t)oy << q->lw) | ox);
    return ZKR_OK;
}

/* Runs the program and commits every fresh tensor (node order: Y_i, V_i). */
static zkr_err g2n_witness(g2n_ctx *s, zkr_buf *roots)
{
    const zkr_ginf2_net *net = s->net;
    size_t n0 = (size_t)net->c[0] * net->h[0] * net->w[0];
    zkr_err r;

    if (!(s->act[0] = malloc(n0 * sizeof *s->act[0])))
        return ZKR_ERR_NOMEM;
    for (size_t k = 0; k < n0; k++)
        s->act[0][k] = s->in->rec->record[k]; /* the flat input bytes (the label after them) */
    for (uint32_t i = 1; i < net->n; i++) {
        int pool = !zkr_ginf2_net_has_y(net, i); /* V_i only */
        r = net->op[i] == ZKR_ML_GOP_MAXPOOL   ? g2n_run_pool(s, i)
            : net->op[i] == ZKR_ML_GOP_AVGPOOL ? g2n_run_avg(s, i)
            : net->op[i] == ZKR_ML_GOP_ADD     ? g2n_run_add(s, i)
            : net->op[i] == ZKR_ML_GOP_CONCAT  ? g2n_run_cat(s, i)
            : net->op[i] == ZKR_ML_GOP_LOOKUP  ? g2n_run_lut(s, i)
                                               : g2n_run_conv(s, i);
        if (r != ZKR_OK)
            return r;
        if (!pool &&
            ((r = zkr_prover_hcommit_sized(s->p, s->yt[i], zkr_ginf2_net_fresh_vars(net, i, 0),
                                           zkr_ginf2_net_fresh_total(s->p, net, i, 0),
                                           ZKR_GINF2_Y_BUDGET, s->rng, s->threads, &s->yp[i],
                                           &s->yc[i])) != ZKR_OK ||
             (r = zkr_buf_append(roots, s->yc[i].root, ZKR_DIGEST_BYTES)) != ZKR_OK))
            return r;
        if ((r = zkr_prover_hcommit_sized(s->p, s->vt[i], zkr_ginf2_net_fresh_vars(net, i, 1),
                                          zkr_ginf2_net_fresh_total(s->p, net, i, 1),
                                          net->v_budget[i], s->rng, s->threads, &s->vp[i],
                                          &s->vc[i])) != ZKR_OK ||
            (r = zkr_buf_append(roots, s->vc[i].root, ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/* The public output: the last node's real tensor, C-major. */
static zkr_err g2n_output(const g2n_ctx *s, const zkr_ginf2_popts *o, zkr_buf *output)
{
    uint32_t last = s->net->n - 1;
    uint32_t n = s->net->c[last] * s->net->h[last] * s->net->w[last];
    int8_t *y = malloc(n);
    zkr_err r;

    if (!y)
        return ZKR_ERR_NOMEM;
    for (uint32_t k = 0; k < n; k++)
        y[k] = (int8_t)s->act[last][k];
#if ZKR_TEST_BUILD
    y[0] = (int8_t)(y[0] + o->out_delta); /* a wrong public output (soundness-ginfer2) */
#else
    (void)o;
#endif
    r = zkr_infer_output_encode(y, n, output);
    free(y);
    return r;
}

/* The output claim: sum_p eq(z, p) V_last(slot 0, p), the verifier's from the public output. */
static zkr_err g2n_out_claim(g2n_ctx *s, zkr_transcript *t, zkr_buf *body)
{
    uint32_t last = s->net->n - 1;
    const zkr_ginf2_rq *q = &s->net->rq[last];
    size_t nv = (size_t)1 << zkr_ginf2_rq_v_vars(q);
    zkr_ext z[ZKR_CNN_MAX_VARS], *w = calloc(nv, sizeof *w);
    zkr_params pg;
    zkr_err r;

    if (!w)
        return ZKR_ERR_NOMEM;
    zkr_ts_challenge_exts(t, "g2n-out-z", z, q->lp);
    zkr_mle_eq_table(z, q->lp, w); /* slot 0: the block at the low lp variables */
    zkr_ginf2_open_params(s->p, zkr_ginf2_out_grind_bits(s->p, s->net), 0, &pg);
    r = zkr_prover_ginf2_lin(&pg, t, s->vp[last], w, s->rng, s->threads, body);
    free(w);
    return r;
}

static zkr_err g2n_relations(g2n_ctx *s, const zkr_ginf2_popts *o, zkr_transcript *t,
                             zkr_buf *body)
{
    const zkr_ginf2_net *net = s->net;
    zkr_ginf2_popts on = *o, orq;
    zkr_err r = ZKR_OK;

    on.share = net->share;
    on.off &= ~ZKR_GINF2_OFF_OUT;
    orq = on; /* the requantizations and poolings take OFF_RANGE, OFF_GRIND only */
    orq.off &= ~ZKR_GINF2_OFF_LINK;
    for (uint32_t i = 1; i < net->n && r == ZKR_OK; i++) {
        uint32_t j = net->src[i][0];
        zkr_hpcs_poly *x = j == 0 ? s->in->x : s->vp[j]; /* 0: the record, flat */
        if (net->op[i] == ZKR_ML_GOP_MAXPOOL) {
            r = zkr_prover_ginf2_pool(s->p, t, &net->pool[i], x, s->vp[i], &orq, s->rng, body);
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_ADD) { /* the link switch reaches it (its L rows) */
            zkr_ginf2_popts oa = orq;
            oa.off |= on.off & ZKR_GINF2_OFF_LINK;
            r = zkr_prover_ginf2_add(s->p, t, &net->add[i], x, s->vp[net->src[i][1]], s->vp[i],
                                     &oa, s->rng, body);
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_AVGPOOL) {
            r = zkr_prover_ginf2_avg(s->p, t, &net->avg[i], x, s->vp[i], &orq, s->rng, body);
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_CONCAT) {
            zkr_hpcs_poly *xs[ZKR_GINF2_CAT_MAX_IN];
            zkr_ginf2_popts oc = on;
            oc.off &= ZKR_GINF2_OFF_LINK | ZKR_GINF2_OFF_GRIND;
            for (unsigned k = 0; k < net->cat[i].k; k++)
                xs[k] = s->vp[net->src[i][k]];
            r = zkr_prover_ginf2_cat(s->p, t, &net->cat[i], xs, s->vp[i], &oc, s->rng, body);
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_LOOKUP) {
            zkr_ginf2_lopts lo = {s->threads, orq.off, orq.force_range, 0, net->share};
            r = zkr_prover_ginf2_lut(s->p, t, &net->lut[i], x, s->vp[i], &lo, s->rng, body);
            continue;
        }
        if ((r = zkr_prover_ginf2_conv_in(s->p, t, &net->conv[i], &net->cin[i], x, s->in->wp[i],
                                          s->yp[i], &on, s->rng, body)) == ZKR_OK)
            r = zkr_prover_ginf2_requant(s->p, t, &net->rq[i], s->yp[i], s->vp[i], &orq, s->rng,
                                         body);
    }
    if (r != ZKR_OK || (o->off & ZKR_GINF2_OFF_OUT))
        return r;
    return g2n_out_claim(s, t, body);
}

/* The model commitment's encoding names exactly in's weight commitments, for in's program. */
static zkr_err g2n_check_mc(const zkr_params *p, const zkr_prover_ginf2_in *in, zkr_diag *d)
{
    zkr_ginf2_mc mc;
    zkr_ginf2_pub mp;
    zkr_err r;

    if ((r = zkr_ginf2_mc_decode(p, in->mc, in->mc_len, &mc)) != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_USAGE, "prove: the model commitment");
    r = zkr_ginf2_mc_fit(in->g, &mc, &mp, d);
    for (uint32_t i = 1; i < in->net->n && r == ZKR_OK; i++) {
        const zkr_ginf2_add *a = &in->net->add[i];
        if (zkr_ginf2_mc_has_w(&mc, i) &&
            (!in->wc[i] || mc.w[i].n_vars != in->wc[i]->n_vars ||
             mc.w[i].blind_vars != in->wc[i]->blind_vars ||
             memcmp(mc.w[i].root, in->wc[i]->root, ZKR_DIGEST_BYTES) != 0))
            r = zkr_fail(d, ZKR_ERR_USAGE, "prove: node %u's weights are not the commitment's", i);
        /* the ADD's public parameters the transcript binds are the commitment's */
        if (mc.op[i] == ZKR_ML_GOP_ADD && (a->ma != mc.add_m[i][0] || a->mb != mc.add_m[i][1] ||
                                           a->q.shift != mc.shift[i]))
            r = zkr_fail(d, ZKR_ERR_USAGE, "prove: node %u's ADD parameters are not the "
                                           "commitment's", i);
    }
    zkr_ginf2_mc_clear(&mc);
    return r == ZKR_OK ? ZKR_OK : ZKR_ERR_USAGE;
}

/* The record: c h w + 1 bytes, its commitment is x's, its path under the dataset's root. */
static zkr_err g2n_check_rec(const zkr_params *p, const zkr_prover_ginf2_in *in, zkr_diag *d)
{
    const zkr_infer2_record *rec = in->rec;
    zkr_record_commitment rc;
    uint8_t root[ZKR_DIGEST_BYTES], leaf[ZKR_DIGEST_BYTES];

    if (!rec || !rec->record || !rec->commitment || !in->x ||
        rec->record_len != zkr_ginf2_record_len(in->g) ||
        (rec->path_len && !rec->path) || rec->path_len > ZKR_MERKLE_MAX_DEPTH ||
        zkr_record_commitment_decode(p, rec->commitment, ZKR_RECORD_COMMIT_BYTES, &rc) != ZKR_OK ||
        rc.len != rec->record_len || zkr_hpcs_poly_n_vars(in->x) != in->net->x_vars ||
        rc.comm.n_vars != in->net->x_vars ||
        zkr_hpcs_poly_total_vars(in->x) != rc.comm.n_vars + rc.comm.blind_vars)
        return zkr_fail(d, ZKR_ERR_USAGE, "prove: record or its commitment");
    zkr_hpcs_poly_root(in->x, root);
    zkr_infer2_record_leaf(rec->commitment, leaf);
    if (memcmp(root, rc.comm.root, ZKR_DIGEST_BYTES) != 0 ||
        zkr_merkle_inclusion_verify(leaf, rec->index, rec->n_records, rec->path, rec->path_len,
                                    rec->root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_USAGE, "prove: the record commitment is not the dataset's");
    return ZKR_OK;
}

static zkr_err g2n_check(const zkr_params *p, const zkr_prover_ginf2_in *in, zkr_diag *d)
{
    const zkr_ginf2_net *net = in->net;
    zkr_err r;

    if (!in->g || !net || !in->statement_id || !in->mc)
        return zkr_fail(d, ZKR_ERR_USAGE, "prove: program, statement or model commitment");
    if ((r = g2n_check_rec(p, in, d)) != ZKR_OK)
        return r;
    for (uint32_t i = 1; i < net->n; i++)
        if (zkr_ginf2_net_has_y(net, i) &&
            (!in->wp[i] || !in->wc[i] || !zkr_hpcs_poly_base_evals(in->wp[i]) ||
             zkr_hpcs_poly_n_vars(in->wp[i]) != zkr_cnn_conv_w_vars(&net->conv[i])))
            return zkr_fail(d, ZKR_ERR_USAGE, "prove: node %u's weights", i);
    if ((r = g2n_check_mc(p, in, d)) != ZKR_OK)
        return r;
    for (uint32_t i = 1; i < net->n; i++)
        if (zkr_ginf2_net_fresh_total(p, net, i, 1) == 0 ||
            (zkr_ginf2_net_has_y(net, i) && zkr_ginf2_net_fresh_total(p, net, i, 0) == 0))
            return zkr_fail(d, ZKR_ERR_TOO_LARGE, "prove: node %u's tensors", i);
    return ZKR_OK;
}

/* Section 31's binding (after the version word): the model commitment, the record's binding. */
static zkr_err g2n_bind(const zkr_prover_ginf2_in *in, zkr_buf *b)
{
    const zkr_infer2_record *rec = in->rec;
    zkr_err r;

    if ((r = zkr_enc_u32(b, (uint32_t)in->mc_len)) != ZKR_OK ||
        (r = zkr_buf_append(b, in->mc, in->mc_len)) != ZKR_OK ||
        (r = zkr_enc_u64(b, rec->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(b, rec->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(b, rec->index)) != ZKR_OK ||
        (r = zkr_buf_append(b, rec->commitment, ZKR_RECORD_COMMIT_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(b, (uint32_t)rec->path_len)) != ZKR_OK)
        return r;
    for (size_t k = 0; k < rec->path_len && r == ZKR_OK; k++)
        r = zkr_buf_append(b, rec->path[k], ZKR_DIGEST_BYTES);
    return r;
}

zkr_err zkr_prover_ginfer2(const zkr_params *p, const zkr_prover_ginf2_in *in,
                           const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *proof,
                           zkr_buf *output, zkr_diag *d)
{
    g2n_ctx s;
    zkr_buf roots = {0}, body = {0}, bind = {0}, sec = {0};
    zkr_transcript t;
    zkr_err r;

    if ((r = g2n_check(p, in, d)) != ZKR_OK)
        return r;
    if (!ZKR_TEST_BUILD &&
        (o->off || o->force_range || o->u_delta || o->out_delta || in->avg_delta))
        return zkr_fail(d, ZKR_ERR_USAGE, "prove: test switches outside a test build");
    memset(&s, 0, sizeof s);
    s.p = p, s.in = in, s.net = in->net, s.rng = rng, s.threads = o->threads ? o->threads : 1;
    s.avg_delta = in->avg_delta, s.avg_node = in->avg_node;
    if ((r = g2n_bind(in, &bind)) != ZKR_OK || (r = g2n_witness(&s, &roots)) != ZKR_OK ||
        (r = g2n_output(&s, o, output)) != ZKR_OK ||
        (r = zkr_ginf2_net_transcript(p, in->g, in->net, in->statement_id, bind.p, bind.len,
                                      in->wc, output->p, output->len, &t)) != ZKR_OK)
        goto out;
    zkr_ts_absorb(&t, "g2n-roots", roots.p, roots.len);
    if ((r = zkr_enc_u32(&sec, ZKR_GINFER2_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(&sec, bind.p, bind.len)) != ZKR_OK ||
        (r = zkr_buf_append(&sec, roots.p, roots.len)) != ZKR_OK)
        goto out;
    if ((r = g2n_relations(&s, o, &t, &body)) != ZKR_OK)
        goto out;
    if ((r = zkr_proof_begin(proof, p->id, ZKR_KIND_GINFER2, in->statement_id, 3)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_GINF2_OUTPUT, output->p, output->len)) !=
            ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_GINF2_ROOTS, sec.p, sec.len)) != ZKR_OK)
        goto out;
    r = zkr_proof_add_section(proof, ZKR_SEC_GINF2_BODY, body.p, body.len);
out:
    for (uint32_t i = 0; i < G2N_MAX; i++) {
        size_t na = i < s.net->n ? (size_t)s.net->c[i] * s.net->h[i] * s.net->w[i] : 0;
        g2n_wipe_free(s.act[i], s.act[i] ? na * sizeof *s.act[i] : 0);
        zkr_hpcs_poly_free(s.yp[i]), zkr_hpcs_poly_free(s.vp[i]);
        if (i >= 1 && i < s.net->n) {
            g2n_wipe_free(s.yt[i], s.yt[i] ? ((size_t)1 << s.net->rq[i].lp) * sizeof(zkr_gl) : 0);
            g2n_wipe_free(s.vt[i], s.vt[i] ? ((size_t)1 << zkr_ginf2_net_fresh_vars(s.net, i, 1)) *
                                                 sizeof(zkr_gl)
                                           : 0);
        }
    }
    zkr_buf_free(&roots);
    zkr_buf_free(&body);
    zkr_buf_free(&bind);
    zkr_buf_free(&sec);
    sodium_memzero(&s, sizeof s);
    return r;
}
