/* graph-inference@1 prover (prover/ginfer.h). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "prover/evaluation_int.h"
#include "prover/geval.h"
#include "prover/ginfer.h"
#include "zkr_config.h"

struct zkr_ginf_model {
    zkr_ginf_model_in in;
    zkr_ginf_shape *s;
    zkr_pcs_poly *poly;
    zkr_pcs_commitment comm;
    zkr_gl *ptab; /* P's values (the convolutions read W from them) */
    /* A split weight block's padded table (zkr_ginf_shape.n_wsub); NULL: W lies whole in P. */
    zkr_gl *wtab[ZKR_ML_G_MAX_NODES];
    int cheat_p; /* test builds: P is another model's (zkr_ginf_model_cheat_swap_p) */
    zkr_buf prog;
};

/* Node i's padded weight table, as the convolution reads it. */
static const zkr_gl *zkr_pg_w(const zkr_ginf_model *m, uint32_t i)
{
    return m->wtab[i] ? m->wtab[i] : m->ptab + m->s->m[i][ZKR_GM_W].off;
}

/* ------------------------------------------------------------------ */
/* Native semantics (docs/quantization.md 7.1)                          */
/* ------------------------------------------------------------------ */

static int64_t zkr_pg_clamp(int64_t q, int64_t lo)
{
    return q > 127 ? 127 : q < lo ? lo : q;
}

static size_t zkr_pg_elems(const zkr_ml_gnode *n)
{
    return (size_t)n->c * n->h * n->w;
}

/* acc of a CONV / DENSE node (C x H x W, without requantization). */
static void zkr_pg_acc(const zkr_ginf_model_in *in, uint32_t i, const int16_t *x, int64_t *acc)
{
    const zkr_ml_gnode *n = &in->g->nodes[i], *xn = &in->g->nodes[n->in[0]];
    int dense = n->op == ZKR_ML_GOP_DENSE;
    uint32_t kh = dense ? xn->h : n->kh, kw = dense ? xn->w : n->kw;
    uint32_t sh = dense ? 1 : n->sh, sw = dense ? 1 : n->sw, dh = dense ? 1 : n->dh,
             dw = dense ? 1 : n->dw, pt = dense ? 0 : n->pt, pl = dense ? 0 : n->pl;
    uint32_t groups = dense ? 1 : n->groups, cpg = xn->c / groups, opg = n->c / groups;

    for (uint32_t o = 0; o < n->c; o++)
        for (uint32_t y = 0; y < n->h; y++)
            for (uint32_t z = 0; z < n->w; z++) {
                int64_t a = in->b[i][o];
                for (uint32_t ci = 0; ci < cpg; ci++)
                    for (uint32_t ky = 0; ky < kh; ky++)
                        for (uint32_t kx = 0; kx < kw; kx++) {
                            int64_t yy = (int64_t)y * sh - pt + (int64_t)ky * dh;
                            int64_t xx = (int64_t)z * sw - pl + (int64_t)kx * dw;
                            uint32_t c = (o / opg) * cpg + ci;
                            if (yy < 0 || xx < 0 || yy >= xn->h || xx >= xn->w)
                                continue;
                            a += (int64_t)in->w[i][(((size_t)o * cpg + ci) * kh + ky) * kw + kx] *
                                 x[((size_t)c * xn->h + (size_t)yy) * xn->w + (size_t)xx];
                        }
                acc[((size_t)o * n->h + y) * n->w + z] = a;
            }
}

static void zkr_pg_pool(const zkr_ml_gnode *n, const zkr_ml_gnode *xn, const int16_t *x,
                        int16_t *y)
{
    int64_t k = (int64_t)n->kh * n->kw;

    for (uint32_t c = 0; c < n->c; c++)
        for (uint32_t oy = 0; oy < n->h; oy++)
            for (uint32_t ox = 0; ox < n->w; ox++) {
                int64_t best = -128, sum = 0;
                for (uint32_t a = 0; a < n->kh; a++)
                    for (uint32_t b = 0; b < n->kw; b++) {
                        int64_t yy = (int64_t)oy * n->sh - n->pt + a;
                        int64_t xx = (int64_t)ox * n->sw - n->pl + b;
                        int64_t v = (yy < 0 || xx < 0 || yy >= xn->h || xx >= xn->w)
                                        ? (n->op == ZKR_ML_GOP_MAXPOOL ? -128 : 0)
                                        : x[((size_t)c * xn->h + yy) * xn->w + xx];
                        best = v > best ? v : best;
                        sum += v;
                    }
                sum += k / 2;
                y[((size_t)c * n->h + oy) * n->w + ox] =
                    (int16_t)(n->op == ZKR_ML_GOP_MAXPOOL
                                  ? best
                                  : (sum >= 0 ? sum / k : -((-sum + k - 1) / k)));
            }
}

/* Every node's tensor (t[i], C-major), and the accumulators of CONV / DENSE nodes. */
static zkr_err zkr_pg_eval(const zkr_ginf_model_in *in, const uint8_t *input, int16_t **t,
                           int64_t **acc)
{
    const zkr_ml_gprog *g = in->g;

    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        size_t ne = zkr_pg_elems(n);
        int relu = n->act == ZKR_ML_ACT_RELU;
        if (!(t[i] = malloc(ne * sizeof **t)))
            return ZKR_ERR_NOMEM;
        if (i == 0) {
            for (size_t k = 0; k < ne; k++)
                t[0][k] = input[k];
            continue;
        }
        switch (n->op) {
        case ZKR_ML_GOP_CONV:
        case ZKR_ML_GOP_DENSE:
            if (!(acc[i] = malloc(ne * sizeof **acc)))
                return ZKR_ERR_NOMEM;
            zkr_pg_acc(in, i, t[n->in[0]], acc[i]);
            for (size_t k = 0; k < ne; k++) {
                int64_t u = acc[i][k] * in->m[i][k / ((size_t)n->h * n->w)];
                int64_t q = (u + ((int64_t)1 << (in->mp->shift[i] - 1))) >> in->mp->shift[i];
                t[i][k] = (int16_t)zkr_pg_clamp(q, relu ? 0 : -128);
            }
            break;
        case ZKR_ML_GOP_MAXPOOL:
        case ZKR_ML_GOP_AVGPOOL:
            zkr_pg_pool(n, &g->nodes[n->in[0]], t[n->in[0]], t[i]);
            break;
        case ZKR_ML_GOP_LOOKUP:
            for (size_t k = 0; k < ne; k++)
                t[i][k] = in->mp->table[i][t[n->in[0]][k] + 128];
            break;
        case ZKR_ML_GOP_ADD:
            for (size_t k = 0; k < ne; k++) {
                int64_t u = t[n->in[0]][k] * in->mp->ma[i] + t[n->in[1]][k] * in->mp->mb[i];
                int64_t q = (u + ((int64_t)1 << (in->mp->shift[i] - 1))) >> in->mp->shift[i];
                t[i][k] = (int16_t)zkr_pg_clamp(q, relu ? 0 : -128);
            }
            break;
        case ZKR_ML_GOP_CONCAT: {
            /* C-major: the inputs' elements one after another. */
            size_t at = 0;
            for (uint32_t k = 0; k < n->n_in; k++) {
                size_t nk = zkr_pg_elems(&g->nodes[n->in[k]]);
                memcpy(t[i] + at, t[n->in[k]], nk * sizeof **t);
                at += nk;
            }
            break;
        }
        default:
            return ZKR_ERR_UNSUPPORTED;
        }
    }
    return ZKR_OK;
}

static void zkr_pg_free_tensors(uint32_t n, int16_t **t, int64_t **acc)
{
    for (uint32_t i = 0; i < n; i++) {
        free(t[i]);
        free(acc[i]);
    }
}

zkr_err zkr_ginf_native(const zkr_ginf_model_in *in, const uint8_t *input, int8_t *y, size_t cap)
{
    int16_t *t[ZKR_ML_G_MAX_NODES] = {0};
    int64_t *acc[ZKR_ML_G_MAX_NODES] = {0};
    uint32_t last = in->g->n_nodes - 1;
    size_t ne = zkr_pg_elems(&in->g->nodes[last]);
    zkr_err r = zkr_pg_eval(in, input, t, acc);

    if (r == ZKR_OK && ne > cap)
        r = ZKR_ERR_USAGE;
    for (size_t k = 0; r == ZKR_OK && k < ne; k++)
        y[k] = (int8_t)t[last][k];
    zkr_pg_free_tensors(in->g->n_nodes, t, acc);
    return r;
}

/* Bits of v (0 for 0). */
static unsigned zkr_pg_bits(uint64_t v)
{
    unsigned b = 0;

    while (v >> b)
        b++;
    return b;
}

/* Saturating a * b for a, b >= 0, capped at 2^62 (which already needs the widest widths). */
static int64_t zkr_pg_satmul(int64_t a, int64_t b)
{
    const int64_t cap = (int64_t)1 << 62;

    if (a == 0 || b == 0)
        return 0;
    return a > cap / b ? cap : (a * b > cap ? cap : a * b);
}

/* Widens node i's widths to cover every q = floor((u + 2^(s-1)) / 2^s), |u| <= umax <= 2^62. */
static void zkr_pg_bound_q(zkr_ginf_params *mp, uint32_t i, int relu, int64_t umax)
{
    uint32_t s = mp->shift[i];
    int64_t half = (int64_t)1 << (s - 1), lo = relu ? 0 : -128;
    int64_t qmax = (umax + half) >> s, qmin = (half - umax) >> s; /* arithmetic: floor */
    uint64_t gh = qmax > 127 ? (uint64_t)(qmax - 127) : 0, gl = qmin < lo ? (uint64_t)(lo - qmin) : 0;
    unsigned cap = 63 - s, bh = zkr_pg_bits(gh), bl = zkr_pg_bits(gl);

    bh = bh > cap ? cap : bh;
    bl = bl > cap ? cap : bl;
    if (bh > mp->ghb[i])
        mp->ghb[i] = (uint8_t)bh;
    if (bl > mp->glb[i])
        mp->glb[i] = (uint8_t)bl;
}

void zkr_ginf_params_bound(const zkr_ginf_model_in *in, zkr_ginf_params *mp)
{
    const zkr_ml_gprog *g = in->g;

    for (uint32_t i = 1; i < g->n_nodes; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        int relu = n->act == ZKR_ML_ACT_RELU;
        /* |x| <= 255 for the input (bytes), 128 for every int8 tensor. */
        int64_t xa = n->in[0] == 0 ? 255 : 128, xb = n->in[1] == 0 ? 255 : 128;
        mp->gbits_set[i] = 0;
        mp->ghb[i] = mp->glb[i] = 0;
        if (mp->shift[i] < 1 || mp->shift[i] > 48)
            continue; /* refused by the layout */
        if (n->op == ZKR_ML_GOP_ADD) {
            zkr_pg_bound_q(mp, i, relu,
                           zkr_pg_satmul(xa, mp->ma[i] < 0 ? 0 : mp->ma[i]) +
                               zkr_pg_satmul(xb, mp->mb[i] < 0 ? 0 : mp->mb[i]));
        } else if (n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_DENSE) {
            size_t fan = zkr_ml_gprog_fanin(g, i);
            if (!in->w[i] || !in->b[i] || !in->m[i])
                continue;
            for (uint32_t c = 0; c < n->c; c++) {
                /* |b| <= 2^30 and fan-in * 255 * 128 stay far below 2^62 (ml/graph.h bounds). */
                int64_t a = in->b[i][c] < 0 ? -in->b[i][c] : in->b[i][c];
                a = a > ((int64_t)1 << 40) ? (int64_t)1 << 40 : a; /* over 2^30: refused at commit */
                for (size_t k = 0; k < fan; k++) {
                    int64_t wv = in->w[i][(size_t)c * fan + k];
                    a += xa * (wv < 0 ? -wv : wv);
                }
                zkr_pg_bound_q(mp, i, relu, zkr_pg_satmul(a, in->m[i][c] < 0 ? 0 : in->m[i][c]));
            }
        } else {
            continue;
        }
        mp->gbits_set[i] = 1;
    }
}

zkr_err zkr_ginf_from_gmodel(const zkr_ml_gmodel *gm, zkr_ginf_model_in *in,
                             zkr_ginf_params *mp, int64_t **store)
{
    const zkr_ml_gprog *g = zkr_ml_gmodel_prog(gm);
    size_t total = 0, off = 0;

    memset(in, 0, sizeof *in);
    memset(mp, 0, sizeof *mp);
    *store = NULL;
    for (uint32_t i = 1; i < g->n_nodes; i++)
        total += 2 * (size_t)g->nodes[i].c;
    if (!(*store = malloc((total ? total : 1) * sizeof **store)))
        return ZKR_ERR_NOMEM;
    in->g = g;
    in->mp = mp;
    for (uint32_t i = 1; i < g->n_nodes; i++) {
        zkr_ml_gparams q;
        const zkr_ml_gnode *n = &g->nodes[i];
        if (zkr_ml_gmodel_params(gm, i, &q) != ZKR_OK)
            return ZKR_ERR_INTERNAL;
        mp->shift[i] = q.shift;
        mp->ma[i] = q.ma;
        mp->mb[i] = q.mb;
        if (q.table)
            memcpy(mp->table[i], q.table, 256);
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        in->w[i] = q.w;
        in->b[i] = *store + off;
        in->m[i] = *store + off + n->c;
        for (uint32_t c = 0; c < n->c; c++) {
            (*store)[off + c] = q.bias[c];
            (*store)[off + n->c + c] = q.mult[c];
        }
        off += 2 * (size_t)n->c;
    }
    zkr_ginf_params_bound(in, mp);
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Commitment                                                           */
/* ------------------------------------------------------------------ */

static zkr_err zkr_pg_model_table(zkr_ginf_model *m, zkr_gl *pt)
{
    const zkr_ginf_shape *s = m->s;

    for (uint32_t i = 1; i < s->n_nodes; i++) {
        const zkr_ml_gnode *n = &m->in.g->nodes[i];
        const zkr_cnn_conv *cv = &s->conv[i];
        size_t nw;
        int64_t *w64;
        zkr_gl *wt = pt + s->m[i][ZKR_GM_W].off;
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        nw = (size_t)n->c * (cv->depthwise ? 1 : cv->g.c) * cv->g.kh * cv->g.kw;
        if (s->n_wsub[i] &&
            !(wt = m->wtab[i] = calloc((size_t)1 << s->m[i][ZKR_GM_W].log, sizeof *wt)))
            return ZKR_ERR_NOMEM;
        if (!(w64 = malloc(nw * sizeof *w64)))
            return ZKR_ERR_NOMEM;
        for (size_t k = 0; k < nw; k++)
            w64[k] = m->in.w[i][k];
        zkr_cnn_conv_w_table(cv, w64, wt);
        free(w64);
        /* A split block: its slices into P's sub-blocks. */
        for (unsigned k = 0; k < s->n_wsub[i]; k++)
            for (size_t j = 0; j < ((size_t)1 << s->wsub[i][k].log); j++)
                pt[s->wsub[i][k].off + j] = wt[zkr_ginf_wsub_index(s, i, k, j)];
        for (uint32_t c = 0; c < n->c; c++) {
            pt[s->m[i][ZKR_GM_B].off + c] = zkr_gl_from_i64(m->in.b[i][c]);
            pt[s->m[i][ZKR_GM_M].off + c] = zkr_gl_from_i64(m->in.m[i][c]);
        }
    }
    return ZKR_OK;
}

static zkr_err zkr_pg_check_model(const zkr_ginf_model_in *in, zkr_diag *d)
{
    for (uint32_t i = 1; i < in->g->n_nodes; i++) {
        const zkr_ml_gnode *n = &in->g->nodes[i];
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        if (!in->w[i] || !in->b[i] || !in->m[i])
            return zkr_fail(d, ZKR_ERR_MALFORMED, "model: node %u has no weights", i);
        for (uint32_t c = 0; c < n->c; c++)
            if (in->b[i][c] < -((int64_t)1 << 30) || in->b[i][c] > ((int64_t)1 << 30) ||
                in->m[i][c] < 0 || in->m[i][c] >= ((int64_t)1 << 31))
                return zkr_fail(d, ZKR_ERR_MALFORMED, "model: node %u channel %u bias or M", i, c);
        for (size_t k = 0; k < (size_t)n->c * zkr_ml_gprog_fanin(in->g, i); k++)
            if (in->w[i][k] < -127)
                return zkr_fail(d, ZKR_ERR_MALFORMED, "model: node %u weight -128", i);
    }
    return ZKR_OK;
}

zkr_err zkr_prover_ginf_commit(const zkr_params *p, const zkr_ginf_model_in *in, unsigned threads,
                               zkr_ginf_model **out, zkr_pcs_commitment *comm, zkr_diag *d)
{
    zkr_ginf_model *m = calloc(1, sizeof *m);
    zkr_gl *pt = NULL;
    zkr_err r;

    *out = NULL;
    if (!m || !(m->s = malloc(sizeof *m->s))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    m->in = *in;
    if ((r = zkr_ml_gprog_encode(in->g, &m->prog, d)) != ZKR_OK ||
        (r = zkr_pg_check_model(in, d)) != ZKR_OK ||
        (r = zkr_ginf_shape_init(m->s, in->g, in->mp, p->max_vars, d)) != ZKR_OK)
        goto out;
    if (!(pt = calloc((size_t)1 << m->s->n_m, sizeof *pt))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_pg_model_table(m, pt)) != ZKR_OK ||
        (r = zkr_prover_commit(p, pt, m->s->n_m, threads, &m->poly, &m->comm)) != ZKR_OK)
        goto out;
    m->ptab = pt;
    pt = NULL;
    *comm = m->comm;
    *out = m;
    m = NULL;
out:
    free(pt);
    zkr_ginf_model_free(m);
    return r;
}

const zkr_ginf_model_in *zkr_ginf_model_input(const zkr_ginf_model *m)
{
    return &m->in;
}

void zkr_ginf_model_free(zkr_ginf_model *m)
{
    if (!m)
        return;
    zkr_pcs_poly_free(m->poly);
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++)
        if (m->wtab[i]) {
            sodium_memzero(m->wtab[i], ((size_t)1 << m->s->m[i][ZKR_GM_W].log) * sizeof **m->wtab);
            free(m->wtab[i]);
        }
    if (m->ptab)
        sodium_memzero(m->ptab, ((size_t)1 << m->s->n_m) * sizeof *m->ptab);
    free(m->ptab);
    zkr_buf_free(&m->prog);
    free(m->s);
    free(m);
}

/* ------------------------------------------------------------------ */
/* Witness                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    const zkr_ginf_model *m;
    const zkr_ginf_shape *s;
    int16_t *t[ZKR_ML_G_MAX_NODES];
    int64_t *acc[ZKR_ML_G_MAX_NODES];
    zkr_gl *v;                          /* 2^n_v */
    zkr_gl *accp[ZKR_ML_G_MAX_NODES];   /* padded acc (CONV / DENSE) */
    zkr_gl *mb[ZKR_ML_G_MAX_NODES];     /* broadcast M */
    zkr_gl *rcol;                       /* the range column (2^n_r), or NULL */
    int cheat;                          /* test builds: the witness was edited */
    zkr_ginf_cheat_fn commit_edit;      /* test builds: edits the committed copy of V only */
    void *commit_ctx;
    int geval;                          /* an evaluation-graph@1 proof (zk/geval.h) */
    uint8_t *labels;                    /* geval: 2^lb labels, the padding's 0 */
    uint64_t lm_count;                  /* geval: the records the count's Lm counts */
    int skip_am_range;                  /* test builds: A's LogUp left out */
} zkr_pg_wit;

static zkr_gl *zkr_pg_blk(zkr_pg_wit *w, uint32_t i, unsigned k)
{
    return w->v + w->s->v[i][k].off;
}

/* Node i's tensor in its padded layout at dst (zeroed). */
static void zkr_pg_place(const zkr_pg_wit *w, uint32_t i, const int16_t *src, zkr_gl *dst)
{
    const zkr_ml_gnode *n = &w->m->in.g->nodes[i];
    unsigned lh = w->s->lh[i], lw = w->s->lw[i], lp = zkr_ginf_lp(w->s, i);
    size_t ne = zkr_pg_elems(n);

    for (size_t b = 0; b < ((size_t)1 << w->s->lb); b++) /* evaluation-graph@1's records */
        for (uint32_t c = 0; c < n->c; c++)
            for (uint32_t y = 0; y < n->h; y++)
                for (uint32_t x = 0; x < n->w; x++)
                    dst[(b << lp) | ((size_t)c << (lh + lw)) | ((size_t)y << lw) | x] =
                        zkr_gl_from_i64(src[b * ne + ((size_t)c * n->h + y) * n->w + x]);
}

static zkr_err zkr_pg_int8(const zkr_pg_wit *w, uint32_t i, int8_t **out)
{
    const zkr_ml_gnode *n = &w->m->in.g->nodes[i];
    size_t ne = zkr_pg_elems(n), cp = (size_t)1 << w->s->lc[i], hw = (size_t)n->h * n->w;

    if (w->s->lb) {
        /* A batch: 2^(lc + lb) channels of h x w, record b's channel c at b 2^lc + c. */
        size_t nb = (size_t)1 << w->s->lb;
        if (!(*out = calloc(nb * cp * hw, 1)))
            return ZKR_ERR_NOMEM;
        for (size_t b = 0; b < nb; b++)
            for (size_t k = 0; k < ne; k++)
                (*out)[(b * cp + k / hw) * hw + k % hw] = (int8_t)w->t[i][b * ne + k];
        return ZKR_OK;
    }
    if (!(*out = malloc(ne ? ne : 1)))
        return ZKR_ERR_NOMEM;
    for (size_t k = 0; k < ne; k++)
        (*out)[k] = (int8_t)w->t[i][k];
    return ZKR_OK;
}

static zkr_err zkr_pg_wit_rq(zkr_pg_wit *w, uint32_t i)
{
    const zkr_ml_gnode *n = &w->m->in.g->nodes[i];
    const zkr_ginf_shape *s = w->s;
    unsigned lp = zkr_ginf_lpb(s, i), lr = zkr_ginf_lp(s, i), lhw = s->lh[i] + s->lw[i];
    size_t plen = (size_t)1 << lp, ne = zkr_pg_elems(n), cm = ((size_t)1 << s->lc[i]) - 1;
    int64_t *u = calloc(plen, sizeof *u);
    int8_t *y = malloc(plen);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!u || !y)
        goto out;
    /* rb: a record of the batch (evaluation-graph@1; only record 0 otherwise). */
    if (n->op == ZKR_ML_GOP_ADD) {
        for (size_t rb = 0; rb < ((size_t)1 << s->lb); rb++)
        for (uint32_t c = 0; c < n->c; c++)
            for (uint32_t a = 0; a < n->h; a++)
                for (uint32_t b = 0; b < n->w; b++) {
                    size_t k = rb * ne + ((size_t)c * n->h + a) * n->w + b;
                    u[(rb << lr) | ((size_t)c << lhw) | ((size_t)a << s->lw[i]) | b] =
                        w->t[n->in[0]][k] * s->rq[i].ma + w->t[n->in[1]][k] * s->rq[i].mb;
                }
    } else {
        if (!(w->accp[i] = calloc(plen, sizeof(zkr_gl))) ||
            !(w->mb[i] = calloc(plen, sizeof(zkr_gl))))
            goto out;
        for (size_t p = 0; p < plen; p++)
            if (((p >> lhw) & cm) < n->c)
                w->mb[i][p] = zkr_gl_from_i64(w->m->in.m[i][(p >> lhw) & cm]);
        for (size_t rb = 0; rb < ((size_t)1 << s->lb); rb++)
        for (uint32_t c = 0; c < n->c; c++)
            for (uint32_t a = 0; a < n->h; a++)
                for (uint32_t b = 0; b < n->w; b++) {
                    size_t k = rb * ne + ((size_t)c * n->h + a) * n->w + b;
                    size_t p = (rb << lr) | ((size_t)c << lhw) | ((size_t)a << s->lw[i]) | b;
                    u[p] = w->acc[i][k] * w->m->in.m[i][c];
                    w->accp[i][p] = zkr_gl_from_i64(w->acc[i][k]);
                }
    }
    /* USAGE: a clamp wider than the parameters' widths (they come from the model's bound). */
    if ((r = zkr_cnn_rqn_witness(&s->rq[i], lp, u, zkr_pg_blk(w, i, ZKR_GB_RQ), y)) != ZKR_OK) {
        r = r == ZKR_ERR_USAGE ? ZKR_ERR_INTERNAL : r;
        goto out;
    }
    /* The witness's outputs are native inference's. */
    for (size_t rb = 0; rb < ((size_t)1 << s->lb); rb++)
    for (uint32_t c = 0; c < n->c; c++)
        for (uint32_t a = 0; a < n->h; a++)
            for (uint32_t b = 0; b < n->w; b++)
                if (y[(rb << lr) | ((size_t)c << lhw) | ((size_t)a << s->lw[i]) | b] !=
                    w->t[i][rb * ne + ((size_t)c * n->h + a) * n->w + b])
                    r = ZKR_ERR_INTERNAL;
out:
    free(u);
    free(y);
    return r;
}

/*
 * CONCAT's Y block copied from its inputs' blocks, padding included (the
 * relation's Y: zkr_cnn_cat), record by record.
 */
static void zkr_pg_cat_place(zkr_pg_wit *w, uint32_t i)
{
    const zkr_cnn_cat *a = &w->s->cat[i];
    const zkr_ml_gnode *n = &w->m->in.g->nodes[i];
    zkr_gl *y = zkr_pg_blk(w, i, ZKR_GB_Y);
    unsigned lp = zkr_ginf_lp(w->s, i);

    for (uint32_t k = 0; k < a->k; k++) {
        const zkr_gl *x = zkr_pg_blk(w, n->in[k], ZKR_GB_Y);
        size_t rec = (size_t)1 << (a->lc[k] + a->lhw), len = (size_t)a->c[k] << a->lhw;
        for (size_t b = 0; b < ((size_t)1 << a->lb); b++)
            memcpy(y + (b << lp) + ((size_t)a->off[k] << a->lhw), x + b * rec, len * sizeof *y);
    }
}

static zkr_err zkr_pg_wit_node(zkr_pg_wit *w, uint32_t i)
{
    const zkr_ml_gnode *n = &w->m->in.g->nodes[i];
    const zkr_ginf_shape *s = w->s;
    int8_t *x8 = NULL;
    zkr_err r = ZKR_OK;

    zkr_pg_place(w, i, w->t[i], zkr_pg_blk(w, i, ZKR_GB_Y));
    switch (n->op) {
    case ZKR_ML_GOP_CONV:
    case ZKR_ML_GOP_DENSE:
    case ZKR_ML_GOP_ADD:
        return zkr_pg_wit_rq(w, i);
    case ZKR_ML_GOP_MAXPOOL:
        if ((r = zkr_pg_int8(w, n->in[0], &x8)) != ZKR_OK)
            return r;
        r = zkr_cnn_maxpool_witness(&s->win[i], x8, zkr_pg_blk(w, i, ZKR_GB_Y),
                                    zkr_pg_blk(w, i, ZKR_GB_E), zkr_pg_blk(w, i, ZKR_GB_D));
        break;
    case ZKR_ML_GOP_AVGPOOL:
        if ((r = zkr_pg_int8(w, n->in[0], &x8)) != ZKR_OK)
            return r;
        if ((r = zkr_cnn_avgpool_witness(&s->win[i], x8, zkr_pg_blk(w, i, ZKR_GB_Y),
                                         zkr_pg_blk(w, i, ZKR_GB_R))) == ZKR_OK)
            r = zkr_cnn_avgpool_mult(&s->win[i], zkr_pg_blk(w, i, ZKR_GB_Y),
                                     zkr_pg_blk(w, i, ZKR_GB_R), zkr_pg_blk(w, i, ZKR_GB_MULT));
        break;
    case ZKR_ML_GOP_LOOKUP:
        r = zkr_cnn_lookup_mult(n->c, n->h, n->w, w->m->in.mp->table[i],
                                zkr_pg_blk(w, n->in[0], ZKR_GB_Y), zkr_pg_blk(w, i, ZKR_GB_Y),
                                zkr_pg_blk(w, i, ZKR_GB_MULT));
        break;
    case ZKR_ML_GOP_CONCAT:
        zkr_pg_cat_place(w, i);
        break;
    default:
        r = ZKR_ERR_UNSUPPORTED;
    }
    free(x8);
    return r == ZKR_ERR_USAGE ? ZKR_ERR_INTERNAL : r;
}

static void zkr_pg_wit_free(zkr_pg_wit *w)
{
    zkr_pg_free_tensors(w->s ? w->s->n_nodes : 0, w->t, w->acc);
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        free(w->accp[i]);
        free(w->mb[i]);
    }
    free(w->rcol);
    free(w->v);
    free(w->labels);
}

/* A segment's source: node k's V block, or one slot of its RQ block (2^col.log values). */
static const zkr_gl *zkr_pg_seg_src(const zkr_pg_wit *w, const zkr_ginf_seg *g)
{
    const zkr_gl *b = w->v + w->s->v[g->node][g->kind].off;

    return g->kind == ZKR_GB_RQ ? b + ((size_t)g->slot << g->col.log) : b;
}

/*
 * The range column from its segments (scale * source + cst), and its
 * multiplicities against 0..2^15-1 into V's rmult block (counted before V
 * is committed).
 */
static zkr_err zkr_pg_wit_range(zkr_pg_wit *w)
{
    const zkr_ginf_shape *s = w->s;
    size_t nt = (size_t)1 << ZKR_GINF_RANGE_LOG, nc;
    zkr_gl *mult = w->v + s->rmult.off;

    if (!s->n_r)
        return ZKR_OK;
    nc = (size_t)1 << s->n_r;
    if (!(w->rcol = calloc(nc, sizeof *w->rcol)))
        return ZKR_ERR_NOMEM;
    for (unsigned k = 0; k < s->n_seg; k++) {
        const zkr_ginf_seg *g = &s->seg[k];
        const zkr_gl *src = zkr_pg_seg_src(w, g);
        zkr_gl *dst = w->rcol + g->col.off;
        for (size_t x = 0; x < ((size_t)1 << g->col.log); x++)
            dst[x] = zkr_gl_add(zkr_gl_mul(g->scale, src[x]), g->cst);
    }
    memset(mult, 0, nt * sizeof *mult);
    for (size_t x = 0; x < nc; x++) {
        if (w->rcol[x] < nt)
            mult[w->rcol[x]]++;
        else if (!w->cheat) /* a cheating prover (test builds) counts the in-range entries only */
            return ZKR_ERR_INTERNAL; /* out of range: a witness bug */
    }
    return ZKR_OK;
}

/*
 * evaluation-graph@1's argmax block A (evaluation@1's rows, keys over y +
 * 128) for every record of the batch, the padding included.
 */
static zkr_err zkr_pg_wit_am(zkr_pg_wit *w)
{
    const zkr_ginf_shape *s = w->s;
    uint32_t last = s->n_nodes - 1;
    size_t ne = zkr_pg_elems(&w->m->in.g->nodes[last]);
    int8_t y[128];

    if (!s->am_used || ne > sizeof y)
        return s->am_used ? ZKR_ERR_INTERNAL : ZKR_OK;
    for (size_t b = 0; b < ((size_t)1 << s->lb); b++) {
        for (size_t j = 0; j < ne; j++)
            y[j] = (int8_t)w->t[last][b * ne + j];
        if (!zkr_ev_am_row(&s->amd, w->v + s->am.off, b, y))
            return ZKR_ERR_INTERNAL;
    }
    return ZKR_OK;
}

/* A's byte multiplicities (after a test build's cheat: in-range entries only). */
static zkr_err zkr_pg_wit_amult(zkr_pg_wit *w)
{
    const zkr_ginf_shape *s = w->s;
    const zkr_gl *a = w->v + s->am.off;
    zkr_gl *mult = w->v + s->amult.off;

    if (!s->am_used)
        return ZKR_OK;
    memset(mult, 0, ((size_t)1 << ZKR_GINF_AM_RANGE_LOG) * sizeof *mult);
    for (size_t x = 0; x < ((size_t)1 << s->am.log); x++) {
        if (a[x] < ((zkr_gl)1 << ZKR_GINF_AM_RANGE_LOG))
            mult[a[x]]++;
        else if (!w->cheat)
            return ZKR_ERR_INTERNAL;
    }
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Proof                                                                */
/* ------------------------------------------------------------------ */

typedef struct {
    zkr_pg_wit *w;
    zkr_transcript *t;
    zkr_buf *body;
    zkr_ginf_claims *gc;
    const zkr_gl *x0; /* the input's padded table */
    unsigned threads;
} zkr_pg_ctx;

/* A tensor's padded table: the input's, or node j's Y block. */
static const zkr_gl *zkr_pg_tensor(zkr_pg_ctx *c, uint32_t j)
{
    return j == 0 ? c->x0 : zkr_pg_blk(c->w, j, ZKR_GB_Y);
}

/*
 * evaluation-graph@1's convolution: conv is linear in its input, so
 * y~(rho, rho_b) is the convolution of X folded at rho_b (X~(., rho_b), an
 * extension table); the relation's claims on that fold are claims on X at
 * (pt, rho_b).
 */
static zkr_err zkr_pg_conv_batch(zkr_pg_ctx *c, uint32_t i, const zkr_ext *rb,
                                 zkr_cnn_claims *cl)
{
    const zkr_ginf_shape *s = c->w->s;
    uint32_t xi = c->w->m->in.g->nodes[i].in[0];
    unsigned lx = zkr_ginf_lp(s, xi);
    size_t len = (size_t)1 << lx, nb = (size_t)1 << s->lb;
    const zkr_gl *x = zkr_pg_tensor(c, xi);
    zkr_ext *xf = calloc(len, sizeof *xf), *eb = malloc(nb * sizeof *eb);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!xf || !eb)
        goto out;
    zkr_mle_eq_table(rb, s->lb, eb);
    for (size_t b = 0; b < nb; b++)
        for (size_t k = 0; k < len; k++)
            if (x[(b << lx) | k])
                xf[k] = zkr_ext_add(xf[k], zkr_ext_mul_base(eb[b], x[(b << lx) | k]));
    if ((r = zkr_prover_cnn_conv_ext(c->t, &s->conv[i], xf, zkr_pg_w(c->w->m, i),
                                     rb - zkr_ginf_lp(s, i), c->threads, c->body, cl)) != ZKR_OK)
        goto out;
    r = zkr_geval_extend_x(cl, lx, rb, s->lb);
out:
    free(xf);
    free(eb);
    return r;
}

/*
 * "ginf-wsub" (version 5): a split node's weight claim answered by its
 * sub-blocks' values, read from P (zkr_ginf_wsub_claims).
 */
static zkr_err zkr_pg_wsub(zkr_pg_ctx *c, uint32_t i, const zkr_cnn_claims *cl)
{
    const zkr_ginf_shape *s = c->w->s;
    zkr_ext vals[ZKR_GINF_MAX_WSUB], sp[ZKR_CNN_MAX_PT];
    zkr_err r;

    if (!s->n_wsub[i])
        return ZKR_OK;
    for (size_t k = 0; k < cl->n; k++) {
        const zkr_cnn_claim *w = &cl->c[k];
        if (w->poly != ZKR_CNN_POLY_W)
            continue;
        for (unsigned j = 0; j < s->n_wsub[i]; j++) {
            zkr_ginf_wsub_point(s, i, j, w->pt, sp);
            if ((r = zkr_mle_eval_base(c->w->m->ptab + s->wsub[i][j].off, s->wsub[i][j].log, sp,
                                       &vals[j])) != ZKR_OK ||
                (r = zkr_enc_ext(c->body, vals[j])) != ZKR_OK)
                return r;
        }
        zkr_ts_absorb_ext(c->t, "ginf-wsub", vals, s->n_wsub[i]);
        /* A mismatch: the relation's W is not P's (a bug, or a test build's cheater). */
        if (!zkr_ext_eq(zkr_ginf_wsub_sum(s, i, w->pt, vals), w->val) && !c->w->m->cheat_p)
            return ZKR_ERR_INTERNAL;
        if ((r = zkr_ginf_wsub_claims(s, i, w->pt, vals, c->gc)) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

static zkr_err zkr_pg_conv(zkr_pg_ctx *c, uint32_t i, zkr_cnn_popts *o)
{
    const zkr_ginf_shape *s = c->w->s;
    const zkr_ml_gprog *g = c->w->m->in.g;
    const zkr_ml_gnode *n = &g->nodes[i];
    unsigned lp = zkr_ginf_lpb(s, i), lhw = s->lh[i] + s->lw[i];
    zkr_cnn_claims cl = {0};
    zkr_ext rho[ZKR_CNN_MAX_PT], bv;
    zkr_err r;

    (void)o;
    if ((r = zkr_prover_cnn_rqn(c->t, &s->rq[i], lp, c->w->accp[i], c->w->mb[i],
                                zkr_pg_blk(c->w, i, ZKR_GB_Y), zkr_pg_blk(c->w, i, ZKR_GB_RQ),
                                c->threads, c->body, &cl)) != ZKR_OK ||
        (r = zkr_ginf_route(s, g, i, n->in[0], 0, 1, &cl, NULL, c->gc)) != ZKR_OK)
        return r;
    /* The accumulator's point rho (the convolution proves acc~(rho) - b~(rho_c) valid~(rho))
     * and the broadcast M claim (on P's M block at rho_c). */
    for (size_t k = 0; k < cl.n; k++) {
        if (cl.c[k].poly == ZKR_CNN_POLY_X) {
            memcpy(rho, cl.c[k].pt, lp * sizeof *rho);
        } else if (cl.c[k].poly == ZKR_CNN_POLY_B &&
                   (r = zkr_ginf_add(c->gc, s, 1, &s->m[i][ZKR_GM_M], cl.c[k].pt + lhw,
                                     cl.c[k].val)) != ZKR_OK) {
            return r;
        }
    }
    {
        /* The bias: acc = conv + b valid_spatial. */
        zkr_gl *bt = calloc((size_t)1 << s->lc[i], sizeof *bt);
        if (!bt)
            return ZKR_ERR_NOMEM;
        for (uint32_t k = 0; k < n->c; k++)
            bt[k] = zkr_gl_from_i64(c->w->m->in.b[i][k]);
        r = zkr_mle_eval_base(bt, s->lc[i], rho + lhw, &bv);
        free(bt);
        if (r != ZKR_OK)
            return r;
        zkr_ts_absorb_ext(c->t, "ginf-bias", &bv, 1);
        if ((r = zkr_enc_ext(c->body, bv)) != ZKR_OK ||
            (r = zkr_ginf_add(c->gc, s, 1, &s->m[i][ZKR_GM_B], rho + lhw, bv)) != ZKR_OK)
            return r;
    }
    /* W's padded table is P's W block, built once at commit time. */
    memset(&cl, 0, sizeof cl);
    if (s->lb)
        r = zkr_pg_conv_batch(c, i, rho + zkr_ginf_lp(s, i), &cl);
    else
        r = zkr_prover_cnn_conv(c->t, &s->conv[i], zkr_pg_tensor(c, n->in[0]),
                                zkr_pg_w(c->w->m, i), rho, c->threads, c->body,
                                &cl);
    if (r != ZKR_OK || (r = zkr_pg_wsub(c, i, &cl)) != ZKR_OK)
        return r;
    return zkr_ginf_route(s, g, i, n->in[0], 0, 0, &cl, NULL, c->gc);
}

static zkr_err zkr_pg_node(zkr_pg_ctx *c, uint32_t i)
{
    const zkr_ginf_shape *s = c->w->s;
    const zkr_ml_gprog *g = c->w->m->in.g;
    const zkr_ml_gnode *n = &g->nodes[i];
    zkr_cnn_popts o = {c->threads, ZKR_CNN_DEFER_RANGE, 0}; /* zkr_pg_range checks them */
    zkr_cnn_claims cl = {0};
    zkr_err r;

    switch (n->op) {
    case ZKR_ML_GOP_CONV:
    case ZKR_ML_GOP_DENSE:
        return zkr_pg_conv(c, i, &o);
    case ZKR_ML_GOP_MAXPOOL:
        r = zkr_prover_cnn_maxpool(c->t, &s->win[i], zkr_pg_tensor(c, n->in[0]),
                                   zkr_pg_blk(c->w, i, ZKR_GB_Y), zkr_pg_blk(c->w, i, ZKR_GB_E),
                                   zkr_pg_blk(c->w, i, ZKR_GB_D), &o, c->body, NULL, &cl);
        break;
    case ZKR_ML_GOP_AVGPOOL:
        r = zkr_prover_cnn_avgpool(c->t, &s->win[i], zkr_pg_tensor(c, n->in[0]),
                                   zkr_pg_blk(c->w, i, ZKR_GB_Y), zkr_pg_blk(c->w, i, ZKR_GB_R), &o,
                                   c->body, zkr_pg_blk(c->w, i, ZKR_GB_MULT), &cl);
        break;
    case ZKR_ML_GOP_LOOKUP:
        r = zkr_prover_cnn_lookup(c->t, n->c, n->h, n->w, c->w->m->in.mp->table[i],
                                  zkr_pg_tensor(c, n->in[0]), zkr_pg_blk(c->w, i, ZKR_GB_Y), &o,
                                  c->body, zkr_pg_blk(c->w, i, ZKR_GB_MULT), &cl);
        break;
    case ZKR_ML_GOP_ADD:
        r = zkr_prover_cnn_rqn(c->t, &s->rq[i], zkr_ginf_lpb(s, i), zkr_pg_tensor(c, n->in[0]),
                               zkr_pg_tensor(c, n->in[1]), zkr_pg_blk(c->w, i, ZKR_GB_Y),
                               zkr_pg_blk(c->w, i, ZKR_GB_RQ), c->threads, c->body, &cl);
        break;
    case ZKR_ML_GOP_CONCAT: {
        const zkr_gl *xs[ZKR_CNN_CAT_MAX_IN];
        for (uint32_t k = 0; k < s->cat[i].k; k++)
            xs[k] = zkr_pg_tensor(c, n->in[k]);
        r = zkr_prover_cnn_concat(c->t, &s->cat[i], xs, zkr_pg_blk(c->w, i, ZKR_GB_Y), c->threads,
                                  c->body, &cl);
        break;
    }
    default:
        return ZKR_ERR_UNSUPPORTED;
    }
    if (r != ZKR_OK)
        return r;
    return zkr_ginf_route(s, g, i, n->in[0], n->in[1], 0, &cl, NULL, c->gc);
}

/*
 * "ginf-range": one LogUp of the range column against 0..2^15-1, then the
 * values the column is made of at the LogUp's point (zkr_ginf_range_nvals
 * order), from which the verifier recombines the column's claim. Each is
 * claimed on V: Y and D blocks at the point, an RQ block's slots as one
 * claim at the point and a drawn slot challenge ("ginf-range-tau").
 */
static zkr_err zkr_pg_range(zkr_pg_ctx *c)
{
    const zkr_ginf_shape *s = c->w->s;
    size_t nvals = zkr_ginf_range_nvals(s), k = 0;
    zkr_ext *vals = NULL, tau[4];
    zkr_gl *tab = NULL;
    zkr_logup_claims lc;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!s->n_r)
        return ZKR_OK;
    if (!(tab = malloc(((size_t)1 << ZKR_GINF_RANGE_LOG) * sizeof *tab)) ||
        !(vals = malloc((nvals ? nvals : 1) * sizeof *vals)))
        goto out;
    for (size_t j = 0; j < ((size_t)1 << ZKR_GINF_RANGE_LOG); j++)
        tab[j] = j;
#if ZKR_TEST_BUILD
    if (c->w->cheat)
        r = zkr_prover_logup_cheat(c->t, c->w->rcol, s->n_r, tab, c->w->v + s->rmult.off,
                                   ZKR_GINF_RANGE_LOG, c->threads, c->body, &lc);
    else
#endif
        r = zkr_prover_logup(c->t, c->w->rcol, s->n_r, tab, c->w->v + s->rmult.off,
                             ZKR_GINF_RANGE_LOG, c->threads, c->body, &lc);
    if (r != ZKR_OK) {
        r = r == ZKR_ERR_USAGE ? ZKR_ERR_INTERNAL : r;
        goto out;
    }
    for (uint32_t i = 1; i < s->n_nodes; i++) {
        unsigned lp = zkr_ginf_lpb(s, i);
        if (s->v[i][ZKR_GB_RQ].used) {
            const zkr_gl *rq = zkr_pg_blk(c->w, i, ZKR_GB_RQ);
            if ((r = zkr_mle_eval_base(zkr_pg_blk(c->w, i, ZKR_GB_Y), lp, lc.ra, &vals[k++])) !=
                ZKR_OK)
                goto out;
            for (unsigned j = 0; j < s->rq[i].nsl; j++)
                if ((r = zkr_mle_eval_base(rq + ((size_t)j << lp), lp, lc.ra, &vals[k++])) !=
                    ZKR_OK)
                    goto out;
        } else if (s->v[i][ZKR_GB_D].used &&
                   (r = zkr_mle_eval_base(zkr_pg_blk(c->w, i, ZKR_GB_D), s->v[i][ZKR_GB_D].log,
                                          lc.ra, &vals[k++])) != ZKR_OK) {
            goto out;
        }
    }
    zkr_ts_absorb_ext(c->t, "ginf-range-vals", vals, k);
    if ((r = zkr_enc_exts(c->body, vals, k)) != ZKR_OK)
        goto out;
    zkr_ts_challenge_exts(c->t, "ginf-range-tau", tau, 4);
    r = zkr_ginf_range_claims(s, lc.ra, vals, tau, c->gc);
    if (r == ZKR_OK)
        r = zkr_ginf_add(c->gc, s, 0, &s->rmult, lc.rt, lc.m_at_rt);
out:
    free(tab);
    free(vals);
    return r;
}

/* A's byte LogUp ("geval-am-range") against 0..255: claims on A and its multiplicities. */
static zkr_err zkr_pg_am_range(zkr_pg_wit *w, zkr_transcript *t, zkr_buf *body,
                               zkr_ginf_claims *gc, unsigned threads)
{
    const zkr_ginf_shape *s = w->s;
    const zkr_gl *a = w->v + s->am.off;
    zkr_gl tab[1u << ZKR_GINF_AM_RANGE_LOG];
    zkr_logup_claims lc;
    zkr_err r;

    for (size_t j = 0; j < ((size_t)1 << ZKR_GINF_AM_RANGE_LOG); j++)
        tab[j] = j;
#if ZKR_TEST_BUILD
    if (w->skip_am_range)
        return ZKR_OK;
    if (w->cheat)
        r = zkr_prover_logup_cheat(t, a, s->am.log, tab, w->v + s->amult.off,
                                   ZKR_GINF_AM_RANGE_LOG, threads, body, &lc);
    else
#endif
        r = zkr_prover_logup(t, a, s->am.log, tab, w->v + s->amult.off, ZKR_GINF_AM_RANGE_LOG,
                             threads, body, &lc);
    if (r != ZKR_OK)
        return r == ZKR_ERR_USAGE ? ZKR_ERR_INTERNAL : r;
    if ((r = zkr_ginf_add(gc, s, 0, &s->am, lc.ra, lc.a_at_ra)) != ZKR_OK)
        return r;
    return zkr_ginf_add(gc, s, 0, &s->amult, lc.rt, lc.m_at_rt);
}

/*
 * evaluation-graph@1's argmax and count (evaluation@1's relations,
 * prover/evaluation.c) over A and the last node's Y block (yl = Y + 128),
 * then A's byte LogUp ("geval-am-range"): claims on A, Y and A's
 * multiplicities, opened with the rest of V.
 */
static zkr_err zkr_pg_argmax(zkr_pg_wit *w, zkr_transcript *t, zkr_buf *body,
                             zkr_ginf_claims *gc, unsigned threads)
{
    const zkr_ginf_shape *s = w->s;
    const zkr_eval_am_dims *m = &s->amd;
    uint32_t last = s->n_nodes - 1;
    unsigned nv = m->c + m->lb;
    size_t n = (size_t)1 << nv;
    const zkr_gl *a = w->v + s->am.off, *y = zkr_pg_blk(w, last, ZKR_GB_Y);
    zkr_gl *yl = malloc(n * sizeof *yl);
    zkr_ev_am_out *o = malloc(sizeof *o);
    zkr_ext pt[ZKR_CNN_MAX_PT], rs[ZKR_EV_MAX_PT], ev;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!yl || !o)
        goto out;
    for (size_t i = 0; i < n; i++)
        yl[i] = zkr_gl_add(y[i], (zkr_gl)(-m->lo));
    if ((r = zkr_ev_am_prove(m, a, yl, t, threads, body, o)) != ZKR_OK)
        goto out;
    memcpy(pt, o->rho, nv * sizeof *pt);
    memcpy(pt + nv, o->tau, ZKR_EVAL_ASLOTS_LOG * sizeof *pt);
    if ((r = zkr_ginf_add(gc, s, 0, &s->am, pt, o->fold)) != ZKR_OK ||
        (r = zkr_ginf_add(gc, s, 0, &s->v[last][ZKR_GB_Y], o->rho,
                          zkr_ext_sub(o->yv, zkr_ext_from((zkr_gl)(-m->lo))))) != ZKR_OK)
        goto out;
    zkr_eval_am_onehot_pt(m, o->rho, pt);
    if ((r = zkr_ginf_add(gc, s, 0, &s->am, pt, o->e_half)) != ZKR_OK)
        goto out;
    for (unsigned k = 0; k < m->nd; k++) {
        zkr_eval_am_key_pt(m, o->rho, k, pt);
        if ((r = zkr_ginf_add(gc, s, 0, &s->am, pt, o->ka0[k])) != ZKR_OK)
            goto out;
    }
    if ((r = zkr_ev_count_prove(m, a, w->labels, 1, w->lm_count, t, threads, body, rs, &ev)) !=
        ZKR_OK)
        goto out;
    memcpy(pt, rs, nv * sizeof *pt);
    zkr_ev_bits(pt + nv, ZKR_EVAL_ASLOTS_LOG, ZKR_EVAL_ASLOT_E);
    if ((r = zkr_ginf_add(gc, s, 0, &s->am, pt, ev)) != ZKR_OK)
        goto out;
    r = zkr_pg_am_range(w, t, body, gc, threads);
out:
    free(yl);
    free(o);
    return r;
}

/*
 * The openings (zk/ginfer.h zkr_ginf_one_opening): every claim on V and P
 * straight into one mixed-size opening, or two plain ones. The PCS's
 * batching builds each claim's eq table over its block only (the block's
 * position bits are 0/1), so no reduction sumcheck runs before it.
 */
static zkr_err zkr_pg_open(const zkr_params *p, zkr_transcript *t, zkr_pcs_poly *vpoly,
                           zkr_pcs_poly *mpoly, const zkr_ginf_shape *s,
                           const zkr_ginf_claims *gc, unsigned threads, zkr_buf *out)
{
    zkr_pcs_claim *cl = malloc((gc->n ? gc->n : 1) * sizeof *cl);
    zkr_pcs_poly *polys[2] = {vpoly, mpoly};
    int one = zkr_ginf_one_opening(p, s);
    size_t k;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!cl)
        goto out;
    if (one) {
        k = zkr_ginf_pcs_claims(gc, 2, 1, cl);
        r = zkr_prover_open_mixed(p, t, polys, 2, cl, k, threads, out);
        goto out;
    }
    for (unsigned w = 0; w < 2; w++) {
        k = zkr_ginf_pcs_claims(gc, w, 0, cl);
        if (k == 0) {
            r = ZKR_ERR_INTERNAL; /* V has the output claim, P every weight claim */
            goto out;
        }
        if ((r = zkr_prover_open(p, t, &polys[w], 1, cl, k, threads, out)) != ZKR_OK)
            goto out;
    }
out:
    free(cl);
    return r;
}

/*
 * Commits V. Test builds: a cheater's commit_edit changes the committed
 * copy only, so every relation runs on the honest V and each claim holds
 * for it, not for the committed polynomial (the opening must refuse).
 */
static zkr_err zkr_pg_commit_v(const zkr_params *p, zkr_pg_wit *w, unsigned threads,
                               zkr_pcs_poly **vpoly, zkr_pcs_commitment *vc)
{
#if ZKR_TEST_BUILD
    if (w->commit_edit) {
        size_t len = (size_t)1 << w->s->n_v;
        zkr_gl *copy = malloc(len * sizeof *copy);
        zkr_ginf_cheat_view cv = {copy, w->s, NULL, 0, NULL, 0, 0};
        zkr_err r;
        if (!copy)
            return ZKR_ERR_NOMEM;
        memcpy(copy, w->v, len * sizeof *copy);
        w->commit_edit(w->commit_ctx, &cv);
        r = zkr_prover_commit(p, copy, w->s->n_v, threads, vpoly, vc);
        free(copy);
        return r;
    }
#endif
    return zkr_prover_commit(p, w->v, w->s->n_v, threads, vpoly, vc);
}

static zkr_err zkr_pg_prove(const zkr_params *p, const uint8_t *sid, zkr_pg_wit *w,
                            const uint8_t *input, size_t input_len, unsigned threads,
                            const zkr_buf *output, zkr_buf *proof)
{
    const zkr_ginf_shape *s = w->s;
    uint32_t last = s->n_nodes - 1;
    zkr_transcript t;
    zkr_pcs_poly *vpoly = NULL;
    zkr_pcs_commitment vc;
    zkr_ginf_claims *gc = calloc(1, sizeof *gc);
    zkr_buf body = {0}, pcs = {0};
    zkr_gl *x0 = calloc((size_t)1 << zkr_ginf_lpb(s, 0), sizeof *x0);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!gc || !x0)
        goto out;
    zkr_pg_place(w, 0, w->t[0], x0);
    if ((r = zkr_pg_commit_v(p, w, threads, &vpoly, &vc)) != ZKR_OK)
        goto out;
    zkr_ginf_transcript_proto(&t, w->geval ? ZKR_GEVAL_PROTOCOL : ZKR_GINF_PROTOCOL,
                              w->geval ? ZKR_GEVAL_VERSION : ZKR_GINF_VERSION, p, sid,
                              w->m->prog.p, w->m->prog.len, &w->m->comm, w->m->in.mp, input,
                              input_len, output->p, output->len);
    zkr_ts_absorb(&t, "ginf-witness", vc.root, ZKR_DIGEST_BYTES);
    /* The body opens with the protocol version: another version's proof is refused as such. */
    if ((r = zkr_enc_u32(&body, w->geval ? ZKR_GEVAL_VERSION : ZKR_GINF_VERSION)) != ZKR_OK ||
        (w->geval && (r = zkr_buf_append(&body, vc.root, ZKR_DIGEST_BYTES)) != ZKR_OK))
        goto out;
    if (w->geval) {
        /* The outputs stay in V: their argmax and the count are proven. */
        if ((r = zkr_pg_argmax(w, &t, &body, gc, threads)) != ZKR_OK)
            goto out;
    } else {
        /* The committed output is the public one. */
        zkr_ext ro[ZKR_CNN_MAX_PT], v;
        unsigned lo = zkr_ginf_lpb(s, last);
        zkr_ts_challenge_exts(&t, "ginf-out", ro, lo);
        if ((r = zkr_mle_eval_base(zkr_pg_blk(w, last, ZKR_GB_Y), lo, ro, &v)) != ZKR_OK ||
            (r = zkr_ginf_add(gc, s, 0, &s->v[last][ZKR_GB_Y], ro, v)) != ZKR_OK)
            goto out;
    }
    {
        zkr_pg_ctx c = {w, &t, &body, gc, x0, threads};
        for (uint32_t i = last; i >= 1; i--)
            if ((r = zkr_pg_node(&c, i)) != ZKR_OK)
                goto out;
        if ((r = zkr_pg_range(&c)) != ZKR_OK)
            goto out;
    }
    if ((r = zkr_pg_open(p, &t, vpoly, w->m->poly, s, gc, threads, &pcs)) != ZKR_OK)
        goto out;
    if (w->geval) {
        if ((r = zkr_proof_begin(proof, p->id, ZKR_KIND_GEVAL1, sid, 3)) != ZKR_OK ||
            (r = zkr_proof_add_section(proof, ZKR_SEC_GEVAL_OUTPUT, output->p, output->len)) !=
                ZKR_OK ||
            (r = zkr_proof_add_section(proof, ZKR_SEC_GEVAL_BODY, body.p, body.len)) != ZKR_OK)
            goto out;
        r = zkr_proof_add_section(proof, ZKR_SEC_GEVAL_PCS, pcs.p, pcs.len);
        goto out;
    }
    if ((r = zkr_proof_begin(proof, p->id, ZKR_KIND_GINFER1, sid, 4)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_GINF_OUTPUT, output->p, output->len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_GINF_WITNESS, vc.root, ZKR_DIGEST_BYTES)) !=
            ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_GINF_BODY, body.p, body.len)) != ZKR_OK)
        goto out;
    r = zkr_proof_add_section(proof, ZKR_SEC_GINF_PCS, pcs.p, pcs.len);
out:
    zkr_pcs_poly_free(vpoly);
    zkr_buf_free(&body);
    zkr_buf_free(&pcs);
    free(gc);
    free(x0);
    return r;
}

/* evaluation-graph@1's batch: its layout and real records (the input holds 2^bs->lb). */
typedef struct {
    const zkr_ginf_shape *bs;
    const zkr_geval_binding *bind;
    const uint8_t *wit_in; /* test builds: the witness's inputs, not the transcript's (else NULL) */
    const uint8_t *labels; /* the records' labels (bind->count) */
} zkr_pg_batch;

/* Every record's tensors, record after record (t[i] + b ne_i), from the padded batch. */
static zkr_err zkr_pg_eval_batch(const zkr_ginf_model_in *in, const uint8_t *input, size_t nb,
                                 int16_t **t, int64_t **acc)
{
    const zkr_ml_gprog *g = in->g;
    size_t ne0 = zkr_pg_elems(&g->nodes[0]);
    zkr_err r = ZKR_OK;

    if (nb == 1)
        return zkr_pg_eval(in, input, t, acc);
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        size_t ne = zkr_pg_elems(&g->nodes[i]);
        if (!(t[i] = malloc(nb * ne * sizeof **t)) ||
            ((g->nodes[i].op == ZKR_ML_GOP_CONV || g->nodes[i].op == ZKR_ML_GOP_DENSE) && i &&
             !(acc[i] = malloc(nb * ne * sizeof **acc))))
            return ZKR_ERR_NOMEM;
    }
    for (size_t b = 0; b < nb && r == ZKR_OK; b++) {
        int16_t *tb[ZKR_ML_G_MAX_NODES] = {0};
        int64_t *ab[ZKR_ML_G_MAX_NODES] = {0};
        r = zkr_pg_eval(in, input + b * ne0, tb, ab);
        for (uint32_t i = 0; i < g->n_nodes && r == ZKR_OK; i++) {
            size_t ne = zkr_pg_elems(&g->nodes[i]);
            memcpy(t[i] + b * ne, tb[i], ne * sizeof **t);
            if (acc[i])
                memcpy(acc[i] + b * ne, ab[i], ne * sizeof **acc);
        }
        zkr_pg_free_tensors(g->n_nodes, tb, ab);
    }
    return r;
}

static zkr_err zkr_pg_run(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                          const zkr_ginf_model *m, const zkr_pg_batch *bt, const uint8_t *input,
                          size_t input_len, unsigned threads, zkr_ginf_cheat_fn cheat, void *ctx,
                          zkr_ginf_cheat_fn commit_edit, zkr_buf *proof, zkr_buf *output,
                          zkr_diag *d)
{
    zkr_pg_wit w;
    const zkr_ml_gprog *g = m->in.g;
    uint32_t last = g->n_nodes - 1;
    size_t nb = bt ? (size_t)1 << bt->bs->lb : 1;
    zkr_err r;

    memset(&w, 0, sizeof w);
    proof->len = 0;
    output->len = 0;
    if (input_len != nb * zkr_pg_elems(&g->nodes[0]))
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "input: %zu bytes, the program takes %zu",
                        input_len, nb * zkr_pg_elems(&g->nodes[0]));
    w.m = m;
    w.s = bt ? bt->bs : m->s;
    w.geval = bt != NULL;
    w.commit_edit = commit_edit;
    w.commit_ctx = ctx;
    if ((r = zkr_pg_eval_batch(&m->in, bt && bt->wit_in ? bt->wit_in : input, nb, w.t, w.acc)) !=
        ZKR_OK)
        goto out;
    if (!(w.v = calloc((size_t)1 << w.s->n_v, sizeof *w.v))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (uint32_t i = 1; i <= last; i++)
        if ((r = zkr_pg_wit_node(&w, i)) != ZKR_OK) {
            r = zkr_fail(d, r, "prove: node %u witness", i);
            goto out;
        }
    if (bt) {
        if (!(w.labels = calloc(nb, 1))) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
        memcpy(w.labels, bt->labels, bt->bind->count);
        w.lm_count = bt->bind->count;
        if ((r = zkr_pg_wit_am(&w)) != ZKR_OK) {
            r = zkr_fail(d, r, "prove: argmax block");
            goto out;
        }
    }
    if (cheat) {
        zkr_ginf_cheat_view cv = {w.v, w.s, w.t[last], nb * zkr_pg_elems(&g->nodes[last]),
                                  w.labels, w.lm_count, 0};
        w.cheat = 1;
        cheat(ctx, &cv);
        w.lm_count = cv.lm_count <= nb ? cv.lm_count : nb;
        w.skip_am_range = cv.skip_am_range;
    }
    if ((r = zkr_pg_wit_range(&w)) != ZKR_OK || (r = zkr_pg_wit_amult(&w)) != ZKR_OK) {
        r = zkr_fail(d, r, "prove: range column");
        goto out;
    }
    if (bt) {
        /* The outputs are not published: the section ends with B and ne. */
        r = zkr_geval_output_encode(bt->bind, (uint32_t)nb, (uint32_t)zkr_pg_elems(&g->nodes[last]),
                                    output);
        if (r != ZKR_OK)
            goto out;
    } else {
        int8_t *y = NULL;
        if ((r = zkr_pg_int8(&w, last, &y)) != ZKR_OK)
            goto out;
        r = zkr_infer_output_encode(y, (uint32_t)zkr_pg_elems(&g->nodes[last]), output);
        free(y);
        if (r != ZKR_OK)
            goto out;
    }
    r = zkr_pg_prove(p, statement_id, &w, input, input_len, threads, output, proof);
out:
    zkr_pg_wit_free(&w);
    return r;
}

zkr_err zkr_prover_ginf(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                        const zkr_ginf_model *m, const uint8_t *input, size_t input_len,
                        unsigned threads, zkr_buf *proof, zkr_buf *output, zkr_diag *d)
{
    return zkr_pg_run(p, statement_id, m, NULL, input, input_len, threads, NULL, NULL, NULL, proof,
                      output, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_ginf_cheat(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              const zkr_ginf_model *m, const uint8_t *input, size_t input_len,
                              zkr_ginf_cheat_fn fn, void *ctx, zkr_buf *proof, zkr_buf *output,
                              zkr_diag *d)
{
    return zkr_pg_run(p, statement_id, m, NULL, input, input_len, 1, fn, ctx, NULL, proof, output, d);
}

zkr_err zkr_prover_ginf_cheat_commit(const zkr_params *p,
                                     const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                     const zkr_ginf_model *m, const uint8_t *input,
                                     size_t input_len, zkr_ginf_cheat_fn fn, void *ctx,
                                     zkr_buf *proof, zkr_buf *output, zkr_diag *d)
{
    return zkr_pg_run(p, statement_id, m, NULL, input, input_len, 1, NULL, ctx, fn, proof, output, d);
}
#endif

static zkr_err zkr_pg_batch_run(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                const zkr_ginf_model *m, const zkr_geval_binding *bind,
                                const uint8_t *inputs, const uint8_t *labels,
                                const uint8_t *wit_inputs, size_t in_len,
                                unsigned threads, zkr_ginf_cheat_fn cheat, void *ctx,
                                zkr_buf *proof, zkr_diag *d)
{
    size_t ne0 = zkr_pg_elems(&m->in.g->nodes[0]), nb;
    uint64_t n = bind->count;
    zkr_ginf_shape *bs = NULL;
    uint8_t *in = NULL, *win = NULL;
    zkr_buf output = {0};
    zkr_pg_batch bt;
    zkr_err r;

    proof->len = 0;
#if !ZKR_TEST_BUILD
    if (cheat)
        return zkr_fail(d, ZKR_ERR_USAGE, "prove: cheating provers are test builds' only");
#endif
    if (n == 0 || n > ZKR_GEVAL_MAX_RECORDS)
        return zkr_fail(d, n ? ZKR_ERR_TOO_LARGE : ZKR_ERR_USAGE,
                        "records: %llu, evaluation-graph@1 proves 1..%u records",
                        (unsigned long long)n, ZKR_GEVAL_MAX_RECORDS);
    if (in_len != n * ne0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "input: %zu bytes, %llu records take %zu",
                        in_len, (unsigned long long)n, (size_t)n * ne0);
    nb = (size_t)1 << zkr_geval_lb((uint32_t)n);
    if (!(bs = malloc(sizeof *bs)) || !(in = calloc(nb * ne0, 1)) ||
        (wit_inputs && !(win = calloc(nb * ne0, 1)))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_ginf_shape_init_batch(bs, m->in.g, m->in.mp, zkr_geval_lb((uint32_t)n),
                                       p->max_vars, d)) != ZKR_OK)
        goto out;
    memcpy(in, inputs, in_len); /* records n..nb-1: the all-zero padding */
    if (win)
        memcpy(win, wit_inputs, in_len);
    bt.bs = bs;
    bt.bind = bind;
    bt.wit_in = win;
    bt.labels = labels;
    r = zkr_pg_run(p, statement_id, m, &bt, in, nb * ne0, threads, cheat, ctx, NULL, proof,
                   &output, d);
out:
    zkr_buf_free(&output);
    free(bs);
    free(in);
    free(win);
    return r;
}

zkr_err zkr_prover_ginf_batch(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                             const zkr_ginf_model *m, const zkr_geval_binding *bind,
                             const uint8_t *inputs, const uint8_t *labels, size_t in_len,
                             unsigned threads, zkr_ginf_cheat_fn cheat, void *ctx, zkr_buf *proof,
                             zkr_diag *d)
{
    return zkr_pg_batch_run(p, statement_id, m, bind, inputs, labels, NULL, in_len, threads, cheat,
                            ctx, proof, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_ginf_batch_cheat_input(const zkr_params *p,
                                          const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                          const zkr_ginf_model *m, const zkr_geval_binding *bind,
                                          const uint8_t *inputs, const uint8_t *labels,
                                          const uint8_t *wit_inputs, size_t in_len,
                                          zkr_buf *proof, zkr_diag *d)
{
    return zkr_pg_batch_run(p, statement_id, m, bind, inputs, labels, wit_inputs, in_len, 1, NULL,
                            NULL, proof, d);
}
#endif

#if ZKR_TEST_BUILD
void zkr_ginf_model_cheat_swap_p(zkr_ginf_model *a, zkr_ginf_model *b)
{
    zkr_pcs_poly *poly = a->poly;
    zkr_pcs_commitment comm = a->comm;
    zkr_gl *pt = a->ptab;

    a->poly = b->poly, a->comm = b->comm, a->ptab = b->ptab;
    b->poly = poly, b->comm = comm, b->ptab = pt;
    a->cheat_p = b->cheat_p = 1;
}
#endif
