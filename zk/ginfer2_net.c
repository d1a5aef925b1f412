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
#include "zk/ldr.h"

/*
 * Node j's output as its commitment holds it, for any reader (a conv, a
 * pooling, an ADD, a CONCAT, a LOOKUP): the record, a pooling's Yb block,
 * slot 0 (y - lo) of a requantization's or an ADD's V, or slot 0 (value +
 * 128) of a CONCAT's or a LOOKUP's V.
 */
static zkr_ginf2_cin g2n_cin(const zkr_ginf2_net *net, uint32_t j)
{
    if (j == 0)
        return (zkr_ginf2_cin){0u, 0u, 0, 0, 1u}; /* the record's bytes, flat (version 3) */
    if (net->op[j] == ZKR_ML_GOP_MAXPOOL)
        return (zkr_ginf2_cin){net->pool[j].le + net->pool[j].lsl,
                               (uint32_t)ZKR_G2P_YB << net->pool[j].le, -128, -128, 0u};
    if (net->op[j] == ZKR_ML_GOP_AVGPOOL)
        return (zkr_ginf2_cin){net->avg[j].lsl, (uint32_t)ZKR_G2A_YB, -128, -128, 0u};
    if (net->op[j] == ZKR_ML_GOP_ADD)
        return (zkr_ginf2_cin){net->add[j].q.lsl, 0u, net->add[j].q.lo, -128, 0u};
    if (net->op[j] == ZKR_ML_GOP_CONCAT) /* slot 0: value + 128 */
        return (zkr_ginf2_cin){net->cat[j].lsl, 0u, -128, -128, 0u};
    if (net->op[j] == ZKR_ML_GOP_LOOKUP)
        return (zkr_ginf2_cin){net->lut[j].lsl, 0u, -128, -128, 0u}; /* slot 0: Yb = Y + 128 */
    return (zkr_ginf2_cin){net->rq[j].lsl, 0u, net->rq[j].lo, -128, 0u}; /* slot 0: y - lo */
}

/*
 * Node i's declared shape against the one its window computes: the next
 * node reads node i's commitment with the declared shape, and a position
 * beyond the window's output is a padded one its relation leaves free (a
 * pooling's; zkr_ml_gprog_check refuses such a program, checked here too
 * since the relations' soundness rests on it).
 */
static zkr_err g2n_shape(const zkr_ml_gnode *n, uint32_t i, uint32_t c, const zkr_cnn_win *w,
                         zkr_diag *d)
{
    if (n->c != c || n->h != w->oh || n->w != w->ow)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "node %u: shape %ux%ux%u, its window computes %ux%ux%u", i, n->c, n->h,
                        n->w, c, w->oh, w->ow);
    return ZKR_OK;
}

static zkr_err g2n_conv(zkr_ginf2_net *net, const zkr_ml_gprog *g, const zkr_ginf2_pub *mp,
                        uint32_t i, zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i], *in = &g->nodes[net->src[i][0]];
    static const uint32_t zero[4] = {0, 0, 0, 0};
    uint32_t pads[4] = {n->pt, n->pl, n->pb, n->pr};
    zkr_cnn_win w;
    zkr_err r;
    /* groups 1 or depthwise (groups = C_in, C_out = mult C_in; zkr_ginf2_sc_vars) */
    int dw = n->op == ZKR_ML_GOP_CONV && n->groups != 1;

    if (dw && (n->groups != in->c || n->c % in->c != 0))
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: a grouped conv (not depthwise)", i);
    if (dw && n->kh * n->kw < 2) /* zkr_ginf2_conv_check: the selector constant in round 0 */
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: a 1 x 1 depthwise conv", i);
    r = n->op == ZKR_ML_GOP_DENSE
            ? zkr_cnn_win_init(&w, in->c, in->h, in->w, in->h, in->w, 1, 1, 1, 1, zero)
            : zkr_cnn_win_init(&w, in->c, in->h, in->w, n->kh, n->kw, n->sh, n->sw, n->dh, n->dw,
                               pads);
    if (r != ZKR_OK || (r = zkr_cnn_conv_init(&net->conv[i], &w, n->c, dw)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: window", i);
    if ((r = g2n_shape(n, i, n->c, &w, d)) != ZKR_OK)
        return r;
    net->cin[i] = g2n_cin(net, net->src[i][0]);
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
    uint32_t j = net->src[i][0];
    const zkr_ml_gnode *n = &g->nodes[i], *in = &g->nodes[j];
    uint32_t pads[4] = {n->pt, n->pl, n->pb, n->pr};
    zkr_ginf2_cin x = g2n_cin(net, j);
    zkr_cnn_win w;

    /* the pooling reads block 0 of its input's commitment: slot 0 of a requantization, ADD or
     * LOOKUP */
    if (in->op != ZKR_ML_GOP_CONV && in->op != ZKR_ML_GOP_DENSE && in->op != ZKR_ML_GOP_ADD &&
        in->op != ZKR_ML_GOP_LOOKUP)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "node %u: a max pooling reads a CONV / DENSE / ADD / LOOKUP node", i);
    if (zkr_cnn_win_init(&w, in->c, in->h, in->w, n->kh, n->kw, n->sh, n->sw, 1, 1, pads) !=
            ZKR_OK ||
        zkr_ginf2_pool_init_chained(&net->pool[i], &w, x.isl, x.in_off) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: max pooling window", i);
    if (g2n_shape(n, i, in->c, &w, d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    net->n_rel += 1;
    net->n_roots += 1;
    return ZKR_OK;
}

static zkr_err g2n_avg(zkr_ginf2_net *net, const zkr_ml_gprog *g, uint32_t i, zkr_diag *d)
{
    uint32_t j = net->src[i][0];
    const zkr_ml_gnode *n = &g->nodes[i], *in = &g->nodes[j];
    uint32_t pads[4] = {n->pt, n->pl, n->pb, n->pr};
    zkr_ginf2_cin c;
    zkr_cnn_win w;

    if (j == 0)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: an average pooling over the record", i);
    c = g2n_cin(net, j); /* the reader's view of node j's V */
    if (zkr_cnn_win_init(&w, in->c, in->h, in->w, n->kh, n->kw, n->sh, n->sw, 1, 1, pads) !=
            ZKR_OK ||
        zkr_ginf2_avg_init(&net->avg[i], &w, c.isl, c.block, c.in_off) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: average pooling window", i);
    if (g2n_shape(n, i, in->c, &w, d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    net->n_rel += 1;
    net->n_roots += 1;
    return ZKR_OK;
}

static zkr_err g2n_add(zkr_ginf2_net *net, const zkr_ml_gprog *g, const zkr_ginf2_pub *mp,
                       uint32_t i, zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    const zkr_ml_gnode *a = &g->nodes[net->src[i][0]], *b = &g->nodes[net->src[i][1]];
    zkr_ginf2_cin x1 = g2n_cin(net, net->src[i][0]), x2 = g2n_cin(net, net->src[i][1]);

    /* both inputs' tensors have the ADD's shape (the links read them on its layout) */
    if (a->c != n->c || a->h != n->h || a->w != n->w || b->c != n->c || b->h != n->h ||
        b->w != n->w)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: ADD inputs of another shape", i);
    if (!mp->m[i] || zkr_ginf2_add_init(&net->add[i], n->c, n->h, n->w, mp->m[i][0], mp->m[i][1],
                                        mp->shift[i], n->act == ZKR_ML_ACT_RELU, &x1,
                                        &x2) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: ADD parameters or shape", i);
    net->n_rel += 1;
    net->n_roots += 1;
    return ZKR_OK;
}

/*
 * A CONCAT node (2..4 non-record nodes of its h x w, channels
 * concatenated): each input read at its block and offset (g2n_cin). Its
 * declared channels must be the inputs' sum: a reader reads V with the
 * declared shape, and V's channels past the sum are free bytes (no link
 * reads them; zkr_ml_gprog_check refuses such a program, checked here
 * since the verifier does not run it; adv-dwcat).
 */
static zkr_err g2n_cat(zkr_ginf2_net *net, const zkr_ml_gprog *g, uint32_t i, zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    zkr_ginf2_cin in[ZKR_GINF2_CAT_MAX_IN];
    uint32_t c[ZKR_GINF2_CAT_MAX_IN];
    uint64_t sum = 0;

    for (unsigned j = 0; j < net->n_src[i]; j++) {
        uint32_t a = net->src[i][j];
        if (g->nodes[a].h != n->h || g->nodes[a].w != n->w)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: CONCAT input %u of another h x w",
                            i, a);
        in[j] = g2n_cin(net, a);
        c[j] = g->nodes[a].c;
        sum += c[j];
    }
    if (sum != n->c)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "node %u: CONCAT declares %u channels, its inputs hold %llu", i, n->c,
                        (unsigned long long)sum);
    if (zkr_ginf2_cat_init(&net->cat[i], net->n_src[i], c, in, n->h, n->w) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: CONCAT shape", i);
    net->n_rel += 1;
    net->n_roots += 1;
    return ZKR_OK;
}

/* LOOKUP reading any node's V but the record's (g2n_cin: its view of that V). */
static zkr_err g2n_lut(zkr_ginf2_net *net, const zkr_ml_gprog *g, const zkr_ginf2_pub *mp,
                       uint32_t i, zkr_diag *d)
{
    uint32_t j = net->src[i][0];
    const zkr_ml_gnode *in = &g->nodes[j];
    zkr_ginf2_cin c;

    if (j == 0)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: a LOOKUP reads the record", i);
    /* its readers read V with the declared shape: its input's (as g2n_shape; adv-dwcat) */
    if (g->nodes[i].c != in->c || g->nodes[i].h != in->h || g->nodes[i].w != in->w)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: LOOKUP of another shape than its input",
                        i);
    c = g2n_cin(net, j);
    if (!mp->t[i] || zkr_ginf2_lut_init(&net->lut[i], in->c, in->h, in->w, mp->t[i], c.isl,
                                        c.block, c.in_off) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: lookup table or shape", i);
    net->n_rel += 1;
    net->n_roots += 1;
    return ZKR_OK;
}

/* Node i's own range proofs on V_i: an ADD's 2, a CONCAT's one per input, else 1. */
static uint32_t g2n_own_openings(const zkr_ginf2_net *net, uint32_t i)
{
    if (net->op[i] == ZKR_ML_GOP_ADD)
        return ZKR_GINF2_ADD_V_OPENINGS;
    if (net->op[i] == ZKR_ML_GOP_LOOKUP)
        return ZKR_GINF2_LUT_V_OPENINGS;
    return net->op[i] == ZKR_ML_GOP_CONCAT ? net->cat[i].k : 1u;
}

/* V_j's openings: its own range proofs, one per read by a later node, the output claim's. */
static zkr_err g2n_budgets(zkr_ginf2_net *net, zkr_diag *d)
{
    uint32_t reads0 = 0;

    for (uint32_t i = 1; i < net->n; i++)
        net->v_budget[i] = g2n_own_openings(net, i);
    net->v_budget[net->n - 1] += 1;
    for (uint32_t i = 1; i < net->n; i++)
        for (unsigned k = 0; k < net->n_src[i]; k++) {
            if (net->src[i][k] == 0)
                reads0++;
            else
                net->v_budget[net->src[i][k]] += 1;
        }
    if (reads0 != 1) /* the record's commitment serves ZKR_GINF2_X_OPENINGS a proof */
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "program: the record is read by %u nodes (1)",
                        reads0);
    return ZKR_OK;
}

/*
 * Node i's sources (a DAG: every input an earlier node, zkr_ml_gprog_check):
 * an ADD reads two non-record nodes (one twice too), a CONCAT 2..4
 * non-record nodes, the others one node.
 */
static zkr_err g2n_sources(zkr_ginf2_net *net, const zkr_ml_gnode *n, uint32_t i, zkr_diag *d)
{
    unsigned want = n->op == ZKR_ML_GOP_ADD ? 2u : 1u;
    int ok = n->op == ZKR_ML_GOP_CONCAT ? n->n_in >= 2 && n->n_in <= ZKR_GINF2_NET_MAX_IN
                                        : n->n_in == want;

    for (unsigned k = 0; ok && k < n->n_in; k++)
        ok = n->in[k] < i && (n->in[k] != 0 || n->n_in == 1);
    if (!ok)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: reads %u nodes (node %u first)", i,
                        n->n_in, n->in[0]);
    net->n_src[i] = n->n_in;
    for (unsigned k = 0; k < n->n_in; k++)
        net->src[i][k] = n->in[k];
    if (n->n_in == 1) /* as an ADD reading one node twice */
        net->src[i][1] = n->in[0];
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
        if ((r = g2n_sources(net, n, i, d)) != ZKR_OK)
            return r;
        net->op[i] = n->op;
        net->c[i] = n->c, net->h[i] = n->h, net->w[i] = n->w;
        if (n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_DENSE)
            r = g2n_conv(net, g, mp, i, d);
        else if (n->op == ZKR_ML_GOP_MAXPOOL)
            r = g2n_pool(net, g, i, d);
        else if (n->op == ZKR_ML_GOP_AVGPOOL)
            r = g2n_avg(net, g, i, d);
        else if (n->op == ZKR_ML_GOP_ADD)
            r = g2n_add(net, g, mp, i, d);
        else if (n->op == ZKR_ML_GOP_CONCAT)
            r = g2n_cat(net, g, i, d);
        else if (n->op == ZKR_ML_GOP_LOOKUP)
            r = g2n_lut(net, g, mp, i, d);
        else
            r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: op %u has no zero-knowledge relation",
                         i, n->op);
        if (r != ZKR_OK)
            return r;
    }
    if (!zkr_ginf2_net_has_y(net, net->n - 1))
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "program: the last node is not CONV / DENSE");
    net->share = net->n_rel + 1;
    return g2n_budgets(net, d);
}

unsigned zkr_ginf2_net_fresh_vars(const zkr_ginf2_net *net, uint32_t i, unsigned kind)
{
    if (net->op[i] == ZKR_ML_GOP_MAXPOOL)
        return zkr_ginf2_pool_v_vars(&net->pool[i]);
    if (net->op[i] == ZKR_ML_GOP_AVGPOOL)
        return zkr_ginf2_avg_v_vars(&net->avg[i]);
    if (net->op[i] == ZKR_ML_GOP_ADD)
        return zkr_ginf2_add_v_vars(&net->add[i]);
    if (net->op[i] == ZKR_ML_GOP_CONCAT)
        return zkr_ginf2_cat_v_vars(&net->cat[i]);
    if (net->op[i] == ZKR_ML_GOP_LOOKUP)
        return zkr_ginf2_lut_v_vars(&net->lut[i]);
    return kind == 0 ? zkr_cnn_conv_y_vars(&net->conv[i]) : zkr_ginf2_rq_v_vars(&net->rq[i]);
}

unsigned zkr_ginf2_net_fresh_total(const zkr_params *p, const zkr_ginf2_net *net, uint32_t i,
                                   unsigned kind)
{
    unsigned n = zkr_ginf2_net_fresh_vars(net, i, kind), e;

    if (kind == 0 && zkr_ginf2_net_has_y(net, i))
        e = zkr_hpcs_blind_vars(p, n, ZKR_GINF2_Y_BUDGET);
    else
        e = zkr_ginf2_range_blind(p, n, net->v_budget[i]);
    return e ? n + e : 0;
}

unsigned zkr_ginf2_net_out_vars(const zkr_ginf2_net *net, uint32_t i)
{
    if (i == 0)
        return net->x_vars;
    if (net->op[i] == ZKR_ML_GOP_MAXPOOL)
        return net->pool[i].lp;
    if (net->op[i] == ZKR_ML_GOP_AVGPOOL)
        return net->avg[i].lp;
    if (net->op[i] == ZKR_ML_GOP_ADD)
        return net->add[i].q.lp;
    if (net->op[i] == ZKR_ML_GOP_CONCAT)
        return net->cat[i].lco + net->cat[i].lh + net->cat[i].lw;
    if (net->op[i] == ZKR_ML_GOP_LOOKUP)
        return net->lut[i].lp;
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
    err += pow(2.0, -zkr_ldr_hsoundness(&pg, total, 0, 0).provable_bits);
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
        unsigned xb = g2n_in_blind(p, net, net->src[i][0], xe);
        unsigned vb = zkr_ginf2_net_fresh_total(p, net, i, 1) - zkr_ginf2_net_fresh_vars(net, i, 1);
        if (net->op[i] == ZKR_ML_GOP_ADD) {
            unsigned x2b = g2n_in_blind(p, net, net->src[i][1], xe);
            e = ground ? zkr_ginf2_add_grind_bits(p, &net->add[i], vb, xb, x2b, s) : 0;
            err += pow(2.0, -zkr_ginf2_add_soundness_at(p, &net->add[i], vb, xb, x2b, e));
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_AVGPOOL) {
            e = ground ? zkr_ginf2_avg_grind_bits(p, &net->avg[i], vb, xb, s) : 0;
            err += pow(2.0, -zkr_ginf2_avg_soundness_at(p, &net->avg[i], vb, xb, e));
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_LOOKUP) {
            e = ground ? zkr_ginf2_lut_grind_bits(p, &net->lut[i], vb, xb, s) : 0;
            err += pow(2.0, -zkr_ginf2_lut_soundness_at(p, &net->lut[i], vb, xb, e));
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_MAXPOOL) {
            e = ground ? zkr_ginf2_pool_grind_bits(p, &net->pool[i], vb, xb, s) : 0;
            err += pow(2.0, -zkr_ginf2_pool_soundness_at(p, &net->pool[i], vb, xb, e));
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_CONCAT) {
            const zkr_ginf2_cat *q = &net->cat[i];
            unsigned xbs[ZKR_GINF2_CAT_MAX_IN];
            for (unsigned j = 0; j < q->k; j++)
                xbs[j] = g2n_in_blind(p, net, net->src[i][j], xe);
            e = ground ? zkr_ginf2_cat_grind_bits(p, q, vb, xbs, s) : 0;
            err += pow(2.0, -zkr_ginf2_cat_soundness_at(p, q, vb, xbs, e));
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
        if (net->op[i] == ZKR_ML_GOP_ADD) { /* shift, Ma, Mb; no model root */
            const zkr_ginf2_add *a = &net->add[i];
            uint64_t v3[3] = {a->q.shift, (uint64_t)a->ma, (uint64_t)a->mb};
            for (unsigned k = 0; k < 3; k++) {
                for (unsigned j = 0; j < 8; j++)
                    b[j] = (uint8_t)(v3[k] >> (8 * j));
                zkr_ts_absorb(t, "g2n-params", b, sizeof b);
            }
            continue;
        }
        if (net->op[i] == ZKR_ML_GOP_LOOKUP) /* the public table, T[0..255] */
            for (uint32_t j = 0; j < 256; j++) {
                for (unsigned k = 0; k < 8; k++)
                    b[k] = (uint8_t)((uint64_t)(int64_t)net->lut[i].t[j] >> (8 * k));
                zkr_ts_absorb(t, "g2n-table", b, sizeof b);
            }
        if (!zkr_ginf2_net_has_y(net, i)) /* poolings, lookups: no parameters */
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
