/* graph-inference@1: the layout and claim routing both sides derive (zk/ginfer.h). */
#include <stdlib.h>
#include <string.h>

#include "zk/ginfer.h"
#include "zk/zk_int.h"

/*
 * Node i's narrow requantization, its RQ block and its range segments
 * (every entry spans the node's 2^lp elements).
 */
static zkr_err zkr_gi_rqn(zkr_ginf_shape *s, const zkr_ginf_params *mp, uint32_t i, int mul,
                          int relu)
{
    unsigned lp = zkr_ginf_lpb(s, i), ghb, glb;
    zkr_cnn_rqn *a = &s->rq[i];
    zkr_err r;

    if (mp->shift[i] < 1 || mp->shift[i] > 48)
        return ZKR_ERR_MALFORMED;
    ghb = mp->gbits_set[i] ? mp->ghb[i] : 63 - mp->shift[i];
    glb = mp->gbits_set[i] ? mp->glb[i] : 63 - mp->shift[i];
    if ((r = zkr_cnn_rqn_init(a, mul, mp->ma[i], mp->mb[i], mp->shift[i], relu, ghb, glb)) !=
        ZKR_OK)
        return r;
    s->v[i][ZKR_GB_RQ] = (zkr_gblock){1, lp + a->lsl, 0};
    for (unsigned k = 0; k < a->n_ent; k++) {
        const zkr_cnn_rqn_entry *e = &a->ent[k];
        zkr_gl sc = zkr_gl_from_i64((int64_t)e->scale * e->sign);
        s->seg[s->n_seg++] = (zkr_ginf_seg){i,
                                            e->src == ZKR_CNN_RQN_SRC_Y ? ZKR_GB_Y : ZKR_GB_RQ,
                                            e->src == ZKR_CNN_RQN_SRC_Y ? 0 : e->src, sc,
                                            zkr_gl_from_i64(e->cst), {1, lp, 0}};
    }
    return ZKR_OK;
}

/* Reads only the program's fields: zk/ never links ml/. */
static zkr_err zkr_gi_node(zkr_ginf_shape *s, const zkr_ml_gprog *g, const zkr_ginf_params *mp,
                           uint32_t i, zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i], *x = &g->nodes[n->in[0]];
    unsigned lp = zkr_ginf_lpb(s, i);
    int relu = n->act == ZKR_ML_ACT_RELU;
    /* A batch's pooling window runs over every record's padded channels. */
    uint32_t xc = s->lb ? (uint32_t)1 << (s->lc[n->in[0]] + s->lb) : x->c;
    zkr_gblock *v = s->v[i], *m = s->m[i];

    v[ZKR_GB_Y] = (zkr_gblock){1, lp, 0};
    switch (n->op) {
    case ZKR_ML_GOP_CONV:
    case ZKR_ML_GOP_DENSE: {
        const uint32_t p0[4] = {0, 0, 0, 0}, pc[4] = {n->pt, n->pl, n->pb, n->pr};
        int dense = n->op == ZKR_ML_GOP_DENSE, dw = !dense && n->groups > 1;
        if ((dense ? zkr_cnn_win_init(&s->win[i], x->c, x->h, x->w, x->h, x->w, 1, 1, 1, 1, p0)
                   : zkr_cnn_win_init(&s->win[i], x->c, x->h, x->w, n->kh, n->kw, n->sh, n->sw,
                                      n->dh, n->dw, pc)) != ZKR_OK ||
            zkr_cnn_conv_init(&s->conv[i], &s->win[i], n->c, dw) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: window over the relation bounds", i);
        if (zkr_gi_rqn(s, mp, i, 1, relu) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: shift %u or its widths", i,
                            mp->shift[i]);
        m[ZKR_GM_W] = (zkr_gblock){1, zkr_cnn_conv_w_vars(&s->conv[i]), 0};
        m[ZKR_GM_B] = (zkr_gblock){1, s->lc[i], 0};
        m[ZKR_GM_M] = (zkr_gblock){1, s->lc[i], 0};
        return ZKR_OK;
    }
    case ZKR_ML_GOP_MAXPOOL:
    case ZKR_ML_GOP_AVGPOOL: {
        const uint32_t pc[4] = {n->pt, n->pl, n->pb, n->pr};
        if (s->lb && xc > ZKR_CNN_MAX_DIM)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: 2^%u records over this program's "
                            "batch bound (pooling over %u channels, at most %u)", i, s->lb, xc,
                            ZKR_CNN_MAX_DIM);
        if (zkr_cnn_win_init(&s->win[i], xc, x->h, x->w, n->kh, n->kw, n->sh, n->sw, 1, 1,
                             pc) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: window over the relation bounds", i);
        if (n->op == ZKR_ML_GOP_MAXPOOL) {
            unsigned ne = lp + zkr_cnn_k_vars(&s->win[i]);
            v[ZKR_GB_E] = (zkr_gblock){1, ne, 0};
            v[ZKR_GB_D] = (zkr_gblock){1, ne, 0};
            s->seg[s->n_seg++] = (zkr_ginf_seg){i, ZKR_GB_D, 0, 1, 0, {1, ne, 0}};
        } else {
            v[ZKR_GB_R] = (zkr_gblock){1, lp + 2, 0};
            v[ZKR_GB_MULT] = (zkr_gblock){1, ZKR_CNN_BYTE_LOG, 0};
        }
        return ZKR_OK;
    }
    case ZKR_ML_GOP_LOOKUP:
        if (s->lb)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: LOOKUP over a batch of records", i);
        v[ZKR_GB_MULT] = (zkr_gblock){1, ZKR_CNN_LUT_LOG, 0};
        return ZKR_OK;
    case ZKR_ML_GOP_ADD:
        if (zkr_gi_rqn(s, mp, i, 0, relu) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: ADD multipliers, shift or widths", i);
        return ZKR_OK;
    case ZKR_ML_GOP_CONCAT: {
        /* Y only: its channels are its inputs' (zkr_cnn_cat); the inputs' h and w are Y's. */
        uint32_t cs[ZKR_CNN_CAT_MAX_IN];
        for (uint32_t k = 0; k < n->n_in && k < ZKR_CNN_CAT_MAX_IN; k++) {
            const zkr_ml_gnode *xk = &g->nodes[n->in[k]];
            if (xk->h != n->h || xk->w != n->w)
                return zkr_fail(d, ZKR_ERR_MALFORMED, "node %u: concat input %u of another size",
                                i, k);
            cs[k] = xk->c;
        }
        if (n->n_in > ZKR_CNN_CAT_MAX_IN ||
            zkr_cnn_cat_init(&s->cat[i], n->n_in, cs, s->lh[i] + s->lw[i], s->lb) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: concat over the relation bounds", i);
        return ZKR_OK;
    }
    default:
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: op %u not proven yet", i, n->op);
    }
}

/* Packs blocks largest first: every offset is then aligned to its size. */
static unsigned zkr_gi_pack(zkr_gblock **bl, size_t n)
{
    uint64_t off = 0;

    for (unsigned lg = 64; lg-- > 0;)
        for (size_t k = 0; k < n; k++)
            if (bl[k]->log == lg) {
                bl[k]->off = off;
                off += (uint64_t)1 << lg;
            }
    return off <= 1 ? 1 : zkr_log2_ceil(off);
}

/*
 * Node i's weight axes from the lowest bit: kw, kh, c, cout (depthwise: no
 * cout; with a channel multiplier its index m instead).
 */
static unsigned zkr_gi_waxes(const zkr_cnn_conv *cv, unsigned lo[4], unsigned bits[4],
                             uint32_t len[4])
{
    const zkr_cnn_win *g = &cv->g;

    lo[0] = 0, bits[0] = g->lkw, len[0] = g->kw;
    lo[1] = g->lkw, bits[1] = g->lkh, len[1] = g->kh;
    lo[2] = g->lkw + g->lkh, bits[2] = g->lc, len[2] = g->c;
    if (cv->depthwise && cv->mult == 1)
        return 3;
    lo[3] = lo[2] + g->lc, bits[3] = cv->depthwise ? cv->lm : cv->lco;
    len[3] = cv->depthwise ? cv->mult : cv->cout;
    return 4;
}

/*
 * Splits node i's weight block along the axis whose dyadic cut holds the
 * fewest entries (ties: the lowest axis). 0 when no axis has padding.
 */
static int zkr_gi_split(zkr_ginf_shape *s, uint32_t i)
{
    unsigned lo[4], bits[4], best = 4, wv = s->m[i][ZKR_GM_W].log, n = 0;
    uint32_t len[4];
    unsigned na = zkr_gi_waxes(&s->conv[i], lo, bits, len);
    uint64_t cost = (uint64_t)1 << wv, at = 0;

    for (unsigned a = 0; a < na; a++) {
        uint64_t c = (uint64_t)len[a] << (wv - bits[a]);
        if (len[a] && c < cost && (unsigned)__builtin_popcount(len[a]) <= ZKR_GINF_MAX_WSUB)
            cost = c, best = a;
    }
    if (best == 4)
        return 0;
    s->wsd_lo[i] = lo[best], s->wsd_bits[i] = bits[best], s->wsd_n[i] = len[best];
    for (unsigned k = bits[best] + 1; k-- > 0;)
        if ((len[best] >> k) & 1) {
            s->wsub_at[i][n] = (uint32_t)at;
            s->wsub_k[i][n] = k;
            s->wsub[i][n] = (zkr_gblock){1, wv - bits[best] + k, 0};
            at += (uint64_t)1 << k;
            n++;
        }
    s->n_wsub[i] = n;
    s->m[i][ZKR_GM_W].used = 0;
    return 1;
}

static void zkr_gi_unsplit(zkr_ginf_shape *s, uint32_t i)
{
    s->n_wsub[i] = 0;
    s->m[i][ZKR_GM_W].used = 1;
}

/* Packs P's blocks (whole or split weight blocks, biases, multipliers): its variables. */
static unsigned zkr_gi_pack_m(zkr_ginf_shape *s)
{
    zkr_gblock *bm[ZKR_ML_G_MAX_NODES * (ZKR_GM_N + ZKR_GINF_MAX_WSUB)];
    size_t nm = 0;

    for (uint32_t i = 1; i < s->n_nodes; i++) {
        for (unsigned k = 0; k < ZKR_GM_N; k++)
            if (s->m[i][k].used)
                bm[nm++] = &s->m[i][k];
        for (unsigned k = 0; k < s->n_wsub[i]; k++)
            bm[nm++] = &s->wsub[i][k];
    }
    return nm ? zkr_gi_pack(bm, nm) : 1;
}

/*
 * P's layout (version 5): weight blocks, largest first, are split
 * (zkr_gi_split) when that shrinks P's variables, else kept whole.
 */
static unsigned zkr_gi_layout_m(zkr_ginf_shape *s)
{
    unsigned n_m = zkr_gi_pack_m(s);

    for (unsigned lg = 64; lg-- > 0;)
        for (uint32_t i = 1; i < s->n_nodes; i++) {
            unsigned t;
            if (!s->m[i][ZKR_GM_W].used || s->m[i][ZKR_GM_W].log != lg || !zkr_gi_split(s, i))
                continue;
            if ((t = zkr_gi_pack_m(s)) < n_m)
                n_m = t;
            else
                zkr_gi_unsplit(s, i);
        }
    return zkr_gi_pack_m(s);
}

size_t zkr_ginf_wsub_index(const zkr_ginf_shape *s, uint32_t i, unsigned k, size_t j)
{
    unsigned lo = s->wsd_lo[i], kk = s->wsub_k[i][k];
    size_t low = j & (((size_t)1 << lo) - 1), t = (j >> lo) & (((size_t)1 << kk) - 1);
    size_t hi = j >> (lo + kk);

    return low | ((s->wsub_at[i][k] + t) << lo) | (hi << (lo + s->wsd_bits[i]));
}

void zkr_ginf_wsub_point(const zkr_ginf_shape *s, uint32_t i, unsigned k, const zkr_ext *pt,
                         zkr_ext *out)
{
    unsigned lo = s->wsd_lo[i], kk = s->wsub_k[i][k], bits = s->wsd_bits[i];
    unsigned wv = s->m[i][ZKR_GM_W].log;

    memcpy(out, pt, (lo + kk) * sizeof *pt);
    memcpy(out + lo + kk, pt + lo + bits, (wv - lo - bits) * sizeof *pt);
}

zkr_ext zkr_ginf_wsub_sum(const zkr_ginf_shape *s, uint32_t i, const zkr_ext *pt,
                          const zkr_ext *vals)
{
    zkr_ext acc = zkr_ext_from(0), one = zkr_ext_from(1);
    unsigned lo = s->wsd_lo[i];

    for (unsigned k = 0; k < s->n_wsub[i]; k++) {
        zkr_ext e = one;
        for (unsigned b = s->wsub_k[i][k]; b < s->wsd_bits[i]; b++)
            e = zkr_ext_mul(e, ((s->wsub_at[i][k] >> b) & 1) ? pt[lo + b]
                                                             : zkr_ext_sub(one, pt[lo + b]));
        acc = zkr_ext_add(acc, zkr_ext_mul(e, vals[k]));
    }
    return acc;
}

zkr_err zkr_ginf_wsub_claims(const zkr_ginf_shape *s, uint32_t i, const zkr_ext *pt,
                             const zkr_ext *vals, zkr_ginf_claims *out)
{
    zkr_ext sp[ZKR_CNN_MAX_PT];
    zkr_err r;

    for (unsigned k = 0; k < s->n_wsub[i]; k++) {
        zkr_ginf_wsub_point(s, i, k, pt, sp);
        if ((r = zkr_ginf_add(out, s, 1, &s->wsub[i][k], sp, vals[k])) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/* evaluation-graph@1's argmax block over the last node's output vector. */
static zkr_err zkr_gi_am(zkr_ginf_shape *s, const zkr_ml_gprog *g, zkr_diag *d)
{
    uint32_t last = g->n_nodes - 1;
    unsigned c = s->lc[last];

    if (s->lh[last] || s->lw[last] || c < 1 || c > 7)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "program: evaluation-graph@1 needs a last node "
                        "of 2..128 x 1 x 1 outputs (it has %u x %u x %u)", g->nodes[last].c,
                        g->nodes[last].h, g->nodes[last].w);
    s->am_used = 1;
    s->amd = (zkr_eval_am_dims){c, s->lb, (c + 8 + 7) / 8, g->nodes[last].c, -128, 0, 0};
    s->am = (zkr_gblock){1, c + s->lb + ZKR_EVAL_ASLOTS_LOG, 0};
    s->amult = (zkr_gblock){1, ZKR_GINF_AM_RANGE_LOG, 0};
    return ZKR_OK;
}

static zkr_err zkr_gi_init(zkr_ginf_shape *s, const zkr_ml_gprog *g, const zkr_ginf_params *mp,
                           unsigned lb, int am, unsigned max_vars, zkr_diag *d);

zkr_err zkr_ginf_shape_init(zkr_ginf_shape *s, const zkr_ml_gprog *g, const zkr_ginf_params *mp,
                            unsigned max_vars, zkr_diag *d)
{
    return zkr_gi_init(s, g, mp, 0, 0, max_vars, d);
}

zkr_err zkr_ginf_shape_init_batch(zkr_ginf_shape *s, const zkr_ml_gprog *g,
                                  const zkr_ginf_params *mp, unsigned lb, unsigned max_vars,
                                  zkr_diag *d)
{
    return zkr_gi_init(s, g, mp, lb, 1, max_vars, d);
}

static zkr_err zkr_gi_init(zkr_ginf_shape *s, const zkr_ml_gprog *g, const zkr_ginf_params *mp,
                           unsigned lb, int am, unsigned max_vars, zkr_diag *d)
{
    zkr_gblock *bv[ZKR_ML_G_MAX_NODES * ZKR_GB_N + 3];
    zkr_gblock **br = NULL;
    size_t nv = 0;
    zkr_err r;

    memset(s, 0, sizeof *s);
    if (g->n_nodes < 2 || g->n_nodes > ZKR_ML_G_MAX_NODES)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: %u nodes", g->n_nodes);
    s->n_nodes = g->n_nodes;
    s->lb = lb;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        s->lc[i] = zkr_log2_ceil(g->nodes[i].c);
        s->lh[i] = zkr_log2_ceil(g->nodes[i].h);
        s->lw[i] = zkr_log2_ceil(g->nodes[i].w);
        if (zkr_ginf_lpb(s, i) + 4 > ZKR_CNN_MAX_VARS)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "node %u: tensor too large", i);
        if (i > 0 && (r = zkr_gi_node(s, g, mp, i, d)) != ZKR_OK)
            return r;
        for (unsigned k = 0; k < ZKR_GB_N; k++)
            if (s->v[i][k].used)
                bv[nv++] = &s->v[i][k];
    }
    if (s->n_seg) {
        if (!(br = malloc(s->n_seg * sizeof *br)))
            return ZKR_ERR_NOMEM;
        for (unsigned k = 0; k < s->n_seg; k++)
            br[k] = &s->seg[k].col;
        s->n_r = zkr_gi_pack(br, s->n_seg);
        free(br);
        s->rmult = (zkr_gblock){1, ZKR_GINF_RANGE_LOG, 0};
        bv[nv++] = &s->rmult;
        if (s->n_r > ZKR_CNN_MAX_VARS)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "program: range column of 2^%u values",
                            s->n_r);
    }
    if (am) {
        if ((r = zkr_gi_am(s, g, d)) != ZKR_OK)
            return r;
        bv[nv++] = &s->am;
        bv[nv++] = &s->amult;
    }
    s->n_v = zkr_gi_pack(bv, nv);
    s->n_m = zkr_gi_layout_m(s);
    if (s->n_v > max_vars || s->n_m > max_vars || s->n_v > ZKR_CNN_MAX_PT ||
        s->n_m > ZKR_CNN_MAX_PT)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "program: witness of 2^%u, model of 2^%u values",
                        s->n_v, s->n_m);
    return ZKR_OK;
}

size_t zkr_ginf_range_nvals(const zkr_ginf_shape *s)
{
    size_t k = 0;

    for (uint32_t i = 1; i < s->n_nodes; i++)
        if (s->v[i][ZKR_GB_RQ].used)
            k += 1 + s->rq[i].nsl;
        else if (s->v[i][ZKR_GB_D].used)
            k++;
    return k;
}

size_t zkr_ginf_range_val_index(const zkr_ginf_shape *s, unsigned k)
{
    const zkr_ginf_seg *g = &s->seg[k];
    size_t idx = 0;

    for (uint32_t i = 1; i < g->node; i++)
        if (s->v[i][ZKR_GB_RQ].used)
            idx += 1 + s->rq[i].nsl;
        else if (s->v[i][ZKR_GB_D].used)
            idx++;
    return g->kind == ZKR_GB_RQ ? idx + 1 + g->slot : idx;
}

zkr_ext zkr_ginf_range_combine(const zkr_ginf_shape *s, const zkr_ext *pt, const zkr_ext *vals)
{
    zkr_ext acc = zkr_ext_from(0), one = zkr_ext_from(1);
    size_t base = 0;
    uint32_t node = 0;

    for (unsigned k = 0; k < s->n_seg; k++) {
        const zkr_ginf_seg *g = &s->seg[k];
        zkr_ext e = one, v;
        /* Segments are listed node by node: the node's first value index. */
        if (g->node != node) {
            base = zkr_ginf_range_val_index(s, k) - (g->kind == ZKR_GB_RQ ? 1 + g->slot : 0);
            node = g->node;
        }
        for (unsigned j = g->col.log; j < s->n_r; j++)
            e = zkr_ext_mul(e, ((g->col.off >> j) & 1) ? pt[j] : zkr_ext_sub(one, pt[j]));
        v = vals[g->kind == ZKR_GB_RQ ? base + 1 + g->slot : base];
        v = zkr_ext_add(zkr_ext_mul_base(v, g->scale), zkr_ext_from(g->cst));
        acc = zkr_ext_add(acc, zkr_ext_mul(e, v));
    }
    return acc;
}

zkr_err zkr_ginf_range_claims(const zkr_ginf_shape *s, const zkr_ext *pt, const zkr_ext *vals,
                              const zkr_ext tau[4], zkr_ginf_claims *out)
{
    size_t k = 0;
    zkr_err r = ZKR_OK;

    for (uint32_t i = 1; i < s->n_nodes && r == ZKR_OK; i++) {
        unsigned lp = zkr_ginf_lpb(s, i);
        if (s->v[i][ZKR_GB_RQ].used) {
            const zkr_cnn_rqn *a = &s->rq[i];
            zkr_ext p2[ZKR_CNN_MAX_PT + 4], eqt[ZKR_CNN_RQN_MAX_SLOTS], sv = zkr_ext_from(0);
            if ((r = zkr_ginf_add(out, s, 0, &s->v[i][ZKR_GB_Y], pt, vals[k++])) != ZKR_OK)
                break;
            zkr_mle_eq_table(tau, a->lsl, eqt);
            for (unsigned j = 0; j < a->nsl; j++)
                sv = zkr_ext_add(sv, zkr_ext_mul(eqt[j], vals[k++]));
            memcpy(p2, pt, lp * sizeof *pt);
            memcpy(p2 + lp, tau, a->lsl * sizeof *tau);
            r = zkr_ginf_add(out, s, 0, &s->v[i][ZKR_GB_RQ], p2, sv);
        } else if (s->v[i][ZKR_GB_D].used) {
            r = zkr_ginf_add(out, s, 0, &s->v[i][ZKR_GB_D], pt, vals[k++]);
        }
    }
    return r;
}

void zkr_ginf_block_point(const zkr_gblock *b, unsigned n, const zkr_ext *pt, zkr_ext *out)
{
    memmove(out, pt, b->log * sizeof *pt);
    for (unsigned i = b->log; i < n; i++)
        out[i] = zkr_ext_from((b->off >> i) & 1);
}

void zkr_ginf_transcript(zkr_transcript *t, const zkr_params *p,
                         const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *prog,
                         size_t prog_len, const zkr_pcs_commitment *model,
                         const zkr_ginf_params *mp, const uint8_t *input, size_t input_len,
                         const uint8_t *output, size_t output_len)
{
    zkr_ginf_transcript_proto(t, ZKR_GINF_PROTOCOL, ZKR_GINF_VERSION, p, statement_id, prog,
                              prog_len, model, mp, input, input_len, output, output_len);
}

void zkr_ginf_transcript_proto(zkr_transcript *t, const char *proto, uint32_t version,
                               const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                               const uint8_t *prog, size_t prog_len,
                               const zkr_pcs_commitment *model, const zkr_ginf_params *mp,
                               const uint8_t *input, size_t input_len, const uint8_t *output,
                               size_t output_len)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, proto, version, ZKR_PROOF_SYSTEM_ID, p->id, pd, statement_id);
    zkr_ts_absorb(t, "ginf-program", prog, prog_len);
    zkr_ts_absorb(t, "ginf-model", model->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_u64(t, "ginf-model-vars", model->n_vars);
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        zkr_ts_absorb_u64(t, "ginf-shift", mp->shift[i]);
        zkr_ts_absorb_u64(t, "ginf-ma", (uint64_t)mp->ma[i]);
        zkr_ts_absorb_u64(t, "ginf-mb", (uint64_t)mp->mb[i]);
    }
    zkr_ts_absorb(t, "ginf-tables", (const uint8_t *)mp->table, sizeof mp->table);
    zkr_ts_absorb(t, "ginf-gbits-set", mp->gbits_set, sizeof mp->gbits_set);
    zkr_ts_absorb(t, "ginf-ghb", mp->ghb, sizeof mp->ghb);
    zkr_ts_absorb(t, "ginf-glb", mp->glb, sizeof mp->glb);
    zkr_ts_absorb(t, "ginf-input", input, input_len);
    zkr_ts_absorb(t, "ginf-output", output, output_len);
}

zkr_err zkr_ginf_add(zkr_ginf_claims *out, const zkr_ginf_shape *s, unsigned poly,
                     const zkr_gblock *b, const zkr_ext *pt, zkr_ext val)
{
    zkr_ginf_claim *c;
    unsigned n = poly ? s->n_m : s->n_v;

    if (out->n >= ZKR_GINF_MAX_CLAIMS || !b->used || n > ZKR_CNN_MAX_PT)
        return ZKR_ERR_INTERNAL;
    c = &out->c[out->n++];
    memset(c, 0, sizeof *c);
    c->poly = poly;
    c->lg = b->log;
    c->off = b->off;
    zkr_ginf_block_point(b, n, pt, c->pt);
    c->val = val;
    return ZKR_OK;
}

zkr_err zkr_ginf_tensor_eval(const zkr_ginf_shape *s, const zkr_ml_gprog *g, uint32_t i,
                             const uint8_t *bytes, int is_signed, const zkr_ext *pt, zkr_ext *out)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    unsigned lp = zkr_ginf_lp(s, i);
    size_t ne = (size_t)n->c * n->h * n->w;
    zkr_gl *t = calloc((size_t)1 << (lp + s->lb), sizeof *t);
    zkr_err r;

    if (!t)
        return ZKR_ERR_NOMEM;
    for (size_t b = 0; b < ((size_t)1 << s->lb); b++)
        for (uint32_t c = 0; c < n->c; c++)
            for (uint32_t y = 0; y < n->h; y++)
                for (uint32_t x = 0; x < n->w; x++) {
                    uint8_t v = bytes[b * ne + ((size_t)c * n->h + y) * n->w + x];
                    t[(b << lp) | ((size_t)c << (s->lh[i] + s->lw[i])) | ((size_t)y << s->lw[i]) |
                      x] = is_signed ? zkr_gl_from_i64((int8_t)v) : v;
                }
    r = zkr_mle_eval_base(t, lp + s->lb, pt, out);
    free(t);
    return r;
}

/* A claim on node j's tensor: V's Y block, or the public input for node 0. */
static zkr_err zkr_gi_tensor(const zkr_ginf_shape *s, const zkr_ml_gprog *g, uint32_t j,
                             const zkr_cnn_claim *c, const uint8_t *input, zkr_ginf_claims *out)
{
    zkr_ext v;
    zkr_err r;

    if (j != 0)
        return c->n == s->v[j][ZKR_GB_Y].log ? zkr_ginf_add(out, s, 0, &s->v[j][ZKR_GB_Y], c->pt, c->val)
                                             : ZKR_ERR_INTERNAL;
    if (!input)
        return ZKR_OK;
    if ((r = zkr_ginf_tensor_eval(s, g, 0, input, 0, c->pt, &v)) != ZKR_OK)
        return r;
    return zkr_ext_eq(v, c->val) ? ZKR_OK : ZKR_ERR_VERIFY;
}

zkr_err zkr_ginf_route(const zkr_ginf_shape *s, const zkr_ml_gprog *g, uint32_t i, uint32_t x,
                       uint32_t b, int rq_acc, const zkr_cnn_claims *cl, const uint8_t *input,
                       zkr_ginf_claims *out)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    uint32_t nx = 0;
    zkr_err r = ZKR_OK;

    for (size_t k = 0; k < cl->n && r == ZKR_OK; k++) {
        const zkr_cnn_claim *c = &cl->c[k];
        const zkr_gblock *bl = NULL;
        switch (c->poly) {
        case ZKR_CNN_POLY_X:
            /* CONCAT: one claim per input, in input order. */
            if (n->op == ZKR_ML_GOP_CONCAT)
                r = nx < n->n_in ? zkr_gi_tensor(s, g, n->in[nx++], c, input, out)
                                 : ZKR_ERR_INTERNAL;
            else if (!rq_acc)
                r = zkr_gi_tensor(s, g, x, c, input, out);
            continue;
        case ZKR_CNN_POLY_B:
            if (!rq_acc)
                r = zkr_gi_tensor(s, g, b, c, input, out);
            continue;
        case ZKR_CNN_POLY_W:
            if (s->n_wsub[i])
                continue; /* answered by the caller (zkr_ginf_wsub_claims) */
            r = zkr_ginf_add(out, s, 1, &s->m[i][ZKR_GM_W], c->pt, c->val);
            continue;
        case ZKR_CNN_POLY_Y: bl = &s->v[i][ZKR_GB_Y]; break;
        case ZKR_CNN_POLY_E: bl = &s->v[i][ZKR_GB_E]; break;
        case ZKR_CNN_POLY_D: bl = &s->v[i][ZKR_GB_D]; break;
        case ZKR_CNN_POLY_R: bl = &s->v[i][ZKR_GB_R]; break;
        case ZKR_CNN_POLY_V: bl = &s->v[i][ZKR_GB_RQ]; break;
        case ZKR_CNN_POLY_M: bl = &s->v[i][ZKR_GB_MULT]; break;
        default: return ZKR_ERR_INTERNAL;
        }
        r = c->n == bl->log ? zkr_ginf_add(out, s, 0, bl, c->pt, c->val) : ZKR_ERR_INTERNAL;
    }
    return r;
}

int zkr_ginf_one_opening(const zkr_params *p, const zkr_ginf_shape *s)
{
    unsigned n = s->n_v > s->n_m ? s->n_v : s->n_m;

    return zkr_pcs_mixed_ok(p, n, s->n_v) && zkr_pcs_mixed_ok(p, n, s->n_m);
}

size_t zkr_ginf_pcs_claims(const zkr_ginf_claims *gc, unsigned which, int one_opening,
                           zkr_pcs_claim *out)
{
    size_t k = 0;

    for (size_t i = 0; i < gc->n; i++) {
        if (which != 2 && gc->c[i].poly != which)
            continue;
        out[k].comm = one_opening ? gc->c[i].poly : 0;
        out[k].point = gc->c[i].pt;
        out[k].value = gc->c[i].val;
        k++;
    }
    return k;
}
