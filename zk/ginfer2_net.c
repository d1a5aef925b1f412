/*
 * graph-inference@2's whole-network layout and soundness (zk/ginfer2.h,
 * "the whole network"): which relation each node is, how each reads its
 * predecessor's committed tensor (zkr_ginf2_cin, zkr_ginf2_pool_init_chained),
 * the fresh commitments' sizes, and the union of the relations' errors.
 * The prover is prover/ginfer2_net.c, the verifier verifier/ginfer2_net.c.
 */
#include <math.h>
#include <string.h>

#include "zk/ginfer2_mc.h"

/* The input description of a conv reading node j (the record, a requantization or a pooling). */
static zkr_ginf2_cin g2n_cin(const zkr_ginf2_net *net, uint32_t j)
{
    if (j == 0)
        return (zkr_ginf2_cin){0u, 0u, 0, 0, 1u}; /* the record's bytes, flat (version 3) */
    if (net->op[j] == ZKR_ML_GOP_MAXPOOL)
        return (zkr_ginf2_cin){net->pool[j].le + net->pool[j].lsl,
                               (uint32_t)ZKR_G2P_YB << net->pool[j].le, -128, -128, 0u};
    return (zkr_ginf2_cin){net->rq[j].lsl, 0u, net->rq[j].lo, -128, 0u}; /* slot 0: y - lo */
}

static zkr_err g2n_conv(zkr_ginf2_net *net, const zkr_ml_gprog *g, const zkr_ginf2_pub *mp,
                        uint32_t i, zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i], *in = &g->nodes[i - 1];
    static const uint32_t zero[4] = {0, 0, 0, 0};
    uint32_t pads[4] = {n->pt, n->pl, n->pb, n->pr};
    zkr_cnn_win w;
    zkr_err r;

    if (n->op == ZKR_ML_GOP_CONV && n->groups != 1)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: a grouped conv", i);
    r = n->op == ZKR_ML_GOP_DENSE
            ? zkr_cnn_win_init(&w, in->c, in->h, in->w, in->h, in->w, 1, 1, 1, 1, zero)
            : zkr_cnn_win_init(&w, in->c, in->h, in->w, n->kh, n->kw, n->sh, n->sw, n->dh, n->dw,
                               pads);
    if (r != ZKR_OK || (r = zkr_cnn_conv_init(&net->conv[i], &w, n->c, 0)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: window", i);
    net->cin[i] = g2n_cin(net, i - 1);
    if (zkr_ginf2_conv_check_in(&net->conv[i], &net->cin[i]) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: conv over 2^%u variables", i,
                        ZKR_CNN_MAX_VARS);
    if (!mp->m[i] ||
        zkr_ginf2_rq_init_ch(&net->rq[i], n->c, w.oh, w.ow, mp->m[i], mp->b[i], mp->shift[i],
                             n->act == ZKR_ML_ACT_RELU,
                             zkr_ginf2_conv_acc_bits_in(&net->conv[i], &net->cin[i])) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: requantization parameters", i);
    net->n_rel += 2;
    net->n_roots += 2;
    return ZKR_OK;
}

static zkr_err g2n_pool(zkr_ginf2_net *net, const zkr_ml_gprog *g, uint32_t i, zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i], *in = &g->nodes[i - 1];
    uint32_t pads[4] = {n->pt, n->pl, n->pb, n->pr};
    zkr_cnn_win w;

    if (in->op != ZKR_ML_GOP_CONV && in->op != ZKR_ML_GOP_DENSE)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: a max pooling reads a CONV / DENSE node",
                        i);
    if (zkr_cnn_win_init(&w, in->c, in->h, in->w, n->kh, n->kw, n->sh, n->sw, 1, 1, pads) !=
            ZKR_OK ||
        zkr_ginf2_pool_init_chained(&net->pool[i], &w, net->rq[i - 1].lsl, net->rq[i - 1].lo) !=
            ZKR_OK)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: max pooling window", i);
    net->n_rel += 1;
    net->n_roots += 1;
    return ZKR_OK;
}

zkr_err zkr_ginf2_net_init(zkr_ginf2_net *net, const zkr_ml_gprog *g, const zkr_ginf2_pub *mp,
                           zkr_diag *d)
{
    zkr_err r;

    memset(net, 0, sizeof *net);
    if (g->n_nodes < 2 || g->n_nodes > ZKR_GINF2_NET_MAX_NODES)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "program: %u nodes (2..%u)", g->n_nodes,
                        ZKR_GINF2_NET_MAX_NODES);
    net->n = g->n_nodes;
    net->c[0] = g->nodes[0].c, net->h[0] = g->nodes[0].h, net->w[0] = g->nodes[0].w;
    /* the record commitment's variables: c h w input bytes and the label (zk/ginfer2_mc.h) */
    net->x_vars = zkr_log2_ceil(zkr_ginf2_record_len(g));
    for (uint32_t i = 1; i < g->n_nodes; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        if (n->n_in != 1 || n->in[0] != i - 1)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: not a chain (reads node %u)", i,
                            n->in[0]);
        net->op[i] = n->op;
        net->c[i] = n->c, net->h[i] = n->h, net->w[i] = n->w;
        if (n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_DENSE)
            r = g2n_conv(net, g, mp, i, d);
        else if (n->op == ZKR_ML_GOP_MAXPOOL)
            r = g2n_pool(net, g, i, d);
        else
            r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: op %u has no zero-knowledge relation",
                         i, n->op);
        if (r != ZKR_OK)
            return r;
    }
    if (net->op[net->n - 1] == ZKR_ML_GOP_MAXPOOL)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "program: the last node is a max pooling");
    net->share = net->n_rel + 1;
    return ZKR_OK;
}

unsigned zkr_ginf2_net_fresh_vars(const zkr_ginf2_net *net, uint32_t i, unsigned kind)
{
    if (net->op[i] == ZKR_ML_GOP_MAXPOOL)
        return zkr_ginf2_pool_v_vars(&net->pool[i]);
    return kind == 0 ? zkr_cnn_conv_y_vars(&net->conv[i]) : zkr_ginf2_rq_v_vars(&net->rq[i]);
}

unsigned zkr_ginf2_net_fresh_total(const zkr_params *p, const zkr_ginf2_net *net, uint32_t i,
                                   unsigned kind)
{
    unsigned n = zkr_ginf2_net_fresh_vars(net, i, kind), e;

    if (kind == 0 && net->op[i] != ZKR_ML_GOP_MAXPOOL)
        e = zkr_hpcs_blind_vars(p, n, ZKR_GINF2_Y_BUDGET);
    else
        e = zkr_ginf2_range_blind(p, n, ZKR_GINF2_V_BUDGET);
    return e ? n + e : 0;
}

unsigned zkr_ginf2_net_out_vars(const zkr_ginf2_net *net, uint32_t i)
{
    if (i == 0)
        return net->x_vars;
    if (net->op[i] == ZKR_ML_GOP_MAXPOOL)
        return net->pool[i].lp;
    return net->rq[i].lp;
}

/* The output claim: z (lp), the masked linear sumcheck over V_last (2 nv + 1), one opening. */
double zkr_ginf2_out_soundness_at(const zkr_params *p, const zkr_ginf2_net *net, unsigned extra)
{
    uint32_t last = net->n - 1;
    unsigned nv = zkr_ginf2_net_fresh_vars(net, last, 1);
    unsigned total = zkr_ginf2_net_fresh_total(p, net, last, 1);
    zkr_params pg;
    double err;

    zkr_ginf2_open_params(p, extra, 0, &pg);
    err = pow(2.0, -zkr_cnn_relation_error_bits(0, 0, net->rq[last].lp + 2 * nv + 1, 0, 0, 0));
    err += pow(2.0, -zkr_params_soundness(&pg, total, 0, 0).provable_bits);
    return -log2(err);
}

typedef struct {
    const zkr_params *p;
    const zkr_ginf2_net *net;
} g2n_out_grind;

static double g2n_out_at(const void *ctx, unsigned extra)
{
    const g2n_out_grind *g = ctx;

    return zkr_ginf2_out_soundness_at(g->p, g->net, extra);
}

unsigned zkr_ginf2_out_grind_bits(const zkr_params *p, const zkr_ginf2_net *net)
{
    g2n_out_grind g = {p, net};

    return zkr_params_grind_bits(p, zkr_ginf2_share_target(p, net->share),
                                 ZKR_GINF2_MAX_EXTRA_POW, g2n_out_at, &g);
}

/* Blinding variables of node j's output commitment (the record's: xe). */
static unsigned g2n_in_blind(const zkr_params *p, const zkr_ginf2_net *net, uint32_t j,
                             unsigned xe)
{
    return j == 0 ? xe
                  : zkr_ginf2_net_fresh_total(p, net, j, 1) - zkr_ginf2_net_fresh_vars(net, j, 1);
}

/* The error of every relation (and the output claim), at their grinding (ground) or none. */
static double g2n_err(const zkr_params *p, const zkr_ginf2_net *net, unsigned xe,
                      const unsigned *we, int ground)
{
    double err = 0;
    unsigned s = net->share, e;

    for (uint32_t i = 1; i < net->n; i++) {
        unsigned xb = g2n_in_blind(p, net, i - 1, xe);
        unsigned vb = zkr_ginf2_net_fresh_total(p, net, i, 1) - zkr_ginf2_net_fresh_vars(net, i, 1);
        if (net->op[i] == ZKR_ML_GOP_MAXPOOL) {
            e = ground ? zkr_ginf2_pool_grind_bits(p, &net->pool[i], vb, xb, s) : 0;
            err += pow(2.0, -zkr_ginf2_pool_soundness_at(p, &net->pool[i], vb, xb, e));
            continue;
        }
        {
            unsigned yb = zkr_ginf2_net_fresh_total(p, net, i, 0) -
                          zkr_ginf2_net_fresh_vars(net, i, 0);
            e = ground ? zkr_ginf2_conv_grind_bits_in(p, &net->conv[i], &net->cin[i], xb, we[i],
                                                      yb, s)
                       : 0;
            err += pow(2.0, -zkr_ginf2_conv_soundness_in(p, &net->conv[i], &net->cin[i], xb,
                                                         we[i], yb, e));
            e = ground ? zkr_ginf2_rq_grind_bits(p, &net->rq[i], vb, yb, s) : 0;
            err += pow(2.0, -zkr_ginf2_rq_soundness_at(p, &net->rq[i], vb, yb, e));
        }
    }
    e = ground ? zkr_ginf2_out_grind_bits(p, net) : 0;
    err += pow(2.0, -zkr_ginf2_out_soundness_at(p, net, e));
    return -log2(err);
}

double zkr_ginf2_net_soundness(const zkr_params *p, const zkr_ginf2_net *net, unsigned xe,
                               const unsigned *we)
{
    return g2n_err(p, net, xe, we, 1);
}

double zkr_ginf2_net_soundness_base(const zkr_params *p, const zkr_ginf2_net *net, unsigned xe,
                                    const unsigned *we)
{
    return g2n_err(p, net, xe, we, 0);
}

zkr_err zkr_ginf2_net_transcript(const zkr_params *p, const zkr_ml_gprog *g,
                                 const zkr_ginf2_net *net, const uint8_t *statement_id,
                                 const uint8_t *bind, size_t bind_len,
                                 const zkr_hpcs_commitment *const *wc, const uint8_t *out,
                                 size_t out_len, zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES], gd[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_ml_gprog_digest(g, gd, NULL)) != ZKR_OK)
        return r;
    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd,
                statement_id);
    zkr_ts_absorb(t, "g2n-program", gd, ZKR_DIGEST_BYTES);
    for (uint32_t i = 1; i < net->n; i++) {
        const zkr_ginf2_rq *q = &net->rq[i];
        uint8_t b[8];
        if (net->op[i] == ZKR_ML_GOP_MAXPOOL)
            continue;
        for (uint32_t c = 0; c <= q->c; c++) { /* shift, then (M, b) per channel */
            for (unsigned k = 0; k < 2 && (c < q->c || k == 0); k++) {
                uint64_t v = c == q->c ? q->shift
                             : k == 0  ? (uint64_t)zkr_ginf2_rq_mc(q, c)
                                       : (uint64_t)zkr_ginf2_rq_bc(q, c);
                for (unsigned j = 0; j < 8; j++)
                    b[j] = (uint8_t)(v >> (8 * j));
                zkr_ts_absorb(t, "g2n-params", b, sizeof b);
            }
        }
        zkr_ts_absorb(t, "g2n-model", wc[i]->root, ZKR_DIGEST_BYTES);
    }
    zkr_ts_absorb(t, "g2n-bind", bind, bind_len);
    zkr_ts_absorb(t, "g2n-output", out, out_len);
    return ZKR_OK;
}
