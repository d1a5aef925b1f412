/* Provers of the CNN relations (prover/cnn.h; docs/proof-system.md, "CNN relations"). */
#include <stdlib.h>
#include <string.h>

#include "prover/cnn.h"
#include "zkr_config.h"

#define ZKR_PC_T(cf, nf, a, b, c) {(cf), (nf), {(a), (b), (c), 0}}

static zkr_err zkr_pc_opts_ok(const zkr_cnn_popts *o)
{
#if ZKR_TEST_BUILD
    (void)o;
    return ZKR_OK;
#else
    return ((o->off & ~ZKR_CNN_DEFER_RANGE) || o->cheat) ? ZKR_ERR_USAGE : ZKR_OK;
#endif
}

static zkr_ext *zkr_pc_ext_tables(size_t n_tab, size_t len)
{
    return calloc(n_tab * len, sizeof(zkr_ext));
}

static void zkr_pc_lift(const zkr_gl *x, size_t len, zkr_ext *out)
{
    for (size_t i = 0; i < len; i++)
        out[i] = zkr_ext_from(x[i]);
}

/* Runs n rounds over the tables and appends the messages. r gets n challenges. */
static zkr_err zkr_pc_sumcheck(zkr_transcript *t, zkr_ext **tabs, size_t n_tab,
                               const zkr_sc_term *terms, size_t n_terms, unsigned deg, unsigned n,
                               unsigned threads, zkr_buf *out, zkr_ext *r)
{
    zkr_sc_poly f = {tabs, n_tab, terms, n_terms, deg, NULL};
    zkr_ext *msgs = malloc(((size_t)n * deg + 1) * sizeof *msgs);
    zkr_err rc;

    if (!msgs)
        return ZKR_ERR_NOMEM;
    zkr_prover_sumcheck(&f, n, t, threads ? threads : 1, msgs, r);
    rc = zkr_enc_exts(out, msgs, (size_t)n * deg);
    free(msgs);
    return rc;
}

/* Appends values and absorbs them under label, as the verifier reads them. */
static zkr_err zkr_pc_send(zkr_transcript *t, const char *label, const zkr_ext *v, size_t n,
                           zkr_buf *out)
{
    zkr_ts_absorb_ext(t, label, v, n);
    return zkr_enc_exts(out, v, n);
}

void zkr_cnn_tensor_table(uint32_t c, uint32_t h, uint32_t w, unsigned lc, unsigned lh,
                          unsigned lw, const int8_t *x, zkr_gl *out)
{
    memset(out, 0, ((size_t)1 << (lc + lh + lw)) * sizeof *out);
    for (uint32_t k = 0; k < c; k++)
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t z = 0; z < w; z++)
                out[((size_t)k << (lh + lw)) | ((size_t)y << lw) | z] =
                    zkr_gl_from_i64(x[((size_t)k * h + y) * w + z]);
}

void zkr_cnn_conv_w_table(const zkr_cnn_conv *c, const int64_t *w, zkr_gl *out)
{
    const zkr_cnn_win *g = &c->g;
    uint32_t nco = c->depthwise ? 1 : c->cout;
    size_t lk = g->lkh + g->lkw;

    memset(out, 0, ((size_t)1 << zkr_cnn_conv_w_vars(c)) * sizeof *out);
    if (c->depthwise && c->mult > 1) {
        /* W[o][0][i][j], o = c' mult + m, at (m, c', i, j). */
        for (uint32_t o = 0; o < c->cout; o++)
            for (uint32_t i = 0; i < g->kh; i++)
                for (uint32_t j = 0; j < g->kw; j++) {
                    size_t m = o % c->mult, ci = o / c->mult;
                    size_t dst = (((m << g->lc) | ci) << lk) | ((size_t)i << g->lkw) | j;
                    out[dst] = zkr_gl_from_i64(w[((size_t)o * g->kh + i) * g->kw + j]);
                }
        return;
    }
    for (uint32_t co = 0; co < nco; co++)
        for (uint32_t ci = 0; ci < g->c; ci++)
            for (uint32_t i = 0; i < g->kh; i++)
                for (uint32_t j = 0; j < g->kw; j++) {
                    size_t src = (((size_t)co * g->c + ci) * g->kh + i) * g->kw + j;
                    size_t dst = (((((size_t)co << g->lc) | ci) << lk) | ((size_t)i << g->lkw)) | j;
                    out[dst] = zkr_gl_from_i64(w[src]);
                }
}

/* x(ci, y, x) of the window at (oy, ox), kernel (i, j); 0 on the border. */
static int64_t zkr_pc_at(const zkr_cnn_win *g, const int8_t *x, uint32_t ci, uint32_t i,
                         uint32_t j, uint32_t oy, uint32_t ox)
{
    int64_t y = (int64_t)oy * g->sh + (int64_t)i * g->dh - g->pt;
    int64_t z = (int64_t)ox * g->sw + (int64_t)j * g->dw - g->pl;

    if (y < 0 || y >= g->h || z < 0 || z >= g->w)
        return 0;
    return x[((size_t)ci * g->h + (size_t)y) * g->w + (size_t)z];
}

static int zkr_pc_inside(const zkr_cnn_win *g, uint32_t i, uint32_t j, uint32_t oy, uint32_t ox)
{
    int64_t y = (int64_t)oy * g->sh + (int64_t)i * g->dh - g->pt;
    int64_t z = (int64_t)ox * g->sw + (int64_t)j * g->dw - g->pl;

    return y >= 0 && y < g->h && z >= 0 && z < g->w;
}

void zkr_cnn_conv_native(const zkr_cnn_conv *c, const int8_t *x, const int64_t *w, int64_t *y)
{
    const zkr_cnn_win *g = &c->g;

    for (uint32_t co = 0; co < c->cout; co++)
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++) {
                int64_t acc = 0;
                uint32_t c0 = c->depthwise ? co / c->mult : 0;
                uint32_t c1 = c->depthwise ? c0 + 1 : g->c;
                for (uint32_t ci = c0; ci < c1; ci++)
                    for (uint32_t i = 0; i < g->kh; i++)
                        for (uint32_t j = 0; j < g->kw; j++) {
                            size_t wi = c->depthwise
                                            ? ((size_t)co * g->kh + i) * g->kw + j
                                            : ((((size_t)co * g->c + ci) * g->kh + i) * g->kw + j);
                            acc += w[wi] * zkr_pc_at(g, x, ci, i, j, oy, ox);
                        }
                y[((size_t)co * g->oh + oy) * g->ow + ox] = acc;
            }
}

/* ------------------------------------------------------------------ */
/* The window view                                                      */
/* ------------------------------------------------------------------ */

/* x or (when x is NULL) xe: the input table over the base field or the extension. */
static zkr_err zkr_pc_view(zkr_transcript *t, const zkr_cnn_win *g, const zkr_cnn_view_pt *v,
                           const zkr_gl *x, const zkr_ext *xe, unsigned threads, zkr_buf *out,
                           zkr_cnn_claims *cl)
{
    unsigned n = zkr_cnn_in_vars(g);
    size_t len = (size_t)1 << n, H = (size_t)1 << g->lh, W = (size_t)1 << g->lw;
    zkr_ext *mem = zkr_pc_ext_tables(2, len), *ax = malloc((H + W + ((size_t)1 << g->lc)) *
                                                           sizeof *ax);
    zkr_ext *tabs[2], s[ZKR_CNN_MAX_PT], xv;
    static const zkr_sc_term term[1] = {{{{1, 0, 0}}, 2, {0, 1, 0, 0}}};
    zkr_err r = ZKR_ERR_NOMEM;

    if (!mem || !ax)
        goto out;
    {
        zkr_ext *ah = ax, *aw = ax + H, *gc = ax + H + W;
        if ((r = zkr_cnn_view_axes(g, v, ah, aw)) != ZKR_OK)
            goto out;
        zkr_mle_eq_table(v->pc, g->lc, gc);
        tabs[0] = mem;
        tabs[1] = mem + len;
        if (x)
            zkr_pc_lift(x, len, tabs[0]);
        else
            memcpy(tabs[0], xe, len * sizeof *xe);
        /* The selector S(c, y, x) = eq(pc, c) A_h(y) A_w(x): linear in |x|. */
        for (size_t c = 0; c < ((size_t)1 << g->lc); c++)
            for (size_t y = 0; y < H; y++) {
                zkr_ext cy = zkr_ext_mul(gc[c], ah[y]);
                for (size_t z = 0; z < W; z++)
                    tabs[1][(c << (g->lh + g->lw)) | (y << g->lw) | z] = zkr_ext_mul(cy, aw[z]);
            }
    }
    if ((r = zkr_pc_sumcheck(t, tabs, 2, term, 1, 2, n, threads, out, s)) != ZKR_OK)
        goto out;
    xv = tabs[0][0];
    if ((r = zkr_pc_send(t, "cnn-view-x", &xv, 1, out)) != ZKR_OK)
        goto out;
    r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, s, n, xv);
out:
    free(mem);
    free(ax);
    return r;
}

zkr_err zkr_prover_cnn_view(zkr_transcript *t, const zkr_cnn_win *g, const zkr_cnn_view_pt *v,
                            const zkr_gl *x, unsigned threads, zkr_buf *out, zkr_cnn_claims *cl)
{
    return zkr_pc_view(t, g, v, x, NULL, threads, out, cl);
}

/* ------------------------------------------------------------------ */
/* Convolution                                                          */
/* ------------------------------------------------------------------ */

/* Ur[k] = sum_{oy, ox} eq(rho_oy, oy) eq(rho_ox, ox) V(ci, i, j, oy, ox): the im2col size. */
static zkr_err zkr_pc_conv_ur(const zkr_cnn_win *g, const zkr_gl *x, const zkr_ext *xe,
                              const zkr_ext *rho, zkr_ext *ur)
{
    zkr_ext *eo = malloc(((size_t)g->oh + g->ow) * sizeof *eo), *ex;
    unsigned lk = g->lkh + g->lkw;

    if (!eo)
        return ZKR_ERR_NOMEM;
    ex = eo + g->oh;
    zkr_cnn_eq_prefix(rho + g->low, g->loh, g->oh, eo);
    zkr_cnn_eq_prefix(rho, g->low, g->ow, ex);
    for (uint32_t ci = 0; ci < g->c; ci++)
        for (uint32_t i = 0; i < g->kh; i++)
            for (uint32_t j = 0; j < g->kw; j++) {
                zkr_ext acc = zkr_ext_from(0);
                for (uint32_t oy = 0; oy < g->oh; oy++) {
                    int64_t y = (int64_t)oy * g->sh + (int64_t)i * g->dh - g->pt;
                    zkr_ext row = zkr_ext_from(0);
                    if (y < 0 || y >= g->h)
                        continue;
                    for (uint32_t ox = 0; ox < g->ow; ox++) {
                        int64_t z = (int64_t)ox * g->sw + (int64_t)j * g->dw - g->pl;
                        if (z < 0 || z >= g->w)
                            continue;
                        size_t at = ((size_t)ci << (g->lh + g->lw)) | ((size_t)y << g->lw) |
                                    (size_t)z;
                        row = zkr_ext_add(row, x ? zkr_ext_mul_base(ex[ox], x[at])
                                                 : zkr_ext_mul(ex[ox], xe[at]));
                    }
                    acc = zkr_ext_add(acc, zkr_ext_mul(eo[oy], row));
                }
                ur[((size_t)ci << lk) | ((size_t)i << g->lkw) | j] = acc;
            }
    free(eo);
    return ZKR_OK;
}

static zkr_err zkr_pc_conv(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_gl *x,
                           const zkr_ext *xe, const zkr_gl *w, const zkr_ext *rho,
                           unsigned threads, int cheat, zkr_buf *out, zkr_cnn_claims *cl)
{
    const zkr_cnn_win *g = &c->g;
    unsigned lk = g->lkh + g->lkw, nk = lk + g->lc + (c->depthwise ? c->lm : 0);
    size_t len = (size_t)1 << nk, lu = (size_t)1 << (lk + g->lc);
    const zkr_ext *rc = rho + g->low + g->loh; /* the output channel part */
    zkr_ext *mem = zkr_pc_ext_tables(3, len), *tabs[3], s[ZKR_CNN_MAX_PT], vals[2];
    zkr_ext *eqc = NULL;
    static const zkr_sc_term t2[1] = {{{{1, 0, 0}}, 2, {0, 1, 0, 0}}};
    static const zkr_sc_term t3[1] = {{{{1, 0, 0}}, 3, {0, 1, 2, 0}}};
    zkr_err r = ZKR_ERR_NOMEM;

    if (!mem)
        goto out;
    for (unsigned k = 0; k < 3; k++)
        tabs[k] = mem + k * len;
    if ((r = zkr_pc_conv_ur(g, x, xe, rho, tabs[1])) != ZKR_OK)
        goto out;
    r = ZKR_ERR_NOMEM;
    if (!c->depthwise) {
        /* Wr[k] = sum_co eq(rho_co, co) W(co, k). */
        if (!(eqc = malloc(((size_t)1 << c->lco) * sizeof *eqc)))
            goto out;
        zkr_mle_eq_table(rc, c->lco, eqc);
        for (size_t co = 0; co < c->cout; co++)
            for (size_t k = 0; k < len; k++)
                tabs[0][k] = zkr_ext_add(tabs[0][k], zkr_ext_mul_base(eqc[co], w[(co << nk) | k]));
        r = zkr_pc_sumcheck(t, tabs, 2, t2, 1, 2, nk, threads, out, s);
    } else if (c->mult == 1) {
        if (!(eqc = malloc(((size_t)1 << g->lc) * sizeof *eqc)))
            goto out;
        zkr_mle_eq_table(rc, g->lc, eqc);
        zkr_pc_lift(w, len, tabs[0]);
        for (size_t k = 0; k < len; k++)
            tabs[2][k] = eqc[k >> lk];
        r = zkr_pc_sumcheck(t, tabs, 3, t3, 1, 3, nk, threads, out, s);
    } else {
        /*
         * A channel multiplier: over (m, c, k), U constant in m and the
         * selector eq(rho_o, c mult + m) on real (c, m), 0 elsewhere.
         */
        if (!(eqc = malloc(((size_t)1 << c->lco) * sizeof *eqc)))
            goto out;
        zkr_mle_eq_table(rc, c->lco, eqc);
        zkr_pc_lift(w, len, tabs[0]);
        for (size_t m = 1; m < ((size_t)1 << c->lm); m++)
            memcpy(tabs[1] + m * lu, tabs[1], lu * sizeof *tabs[1]);
        for (size_t m = 0; m < c->mult; m++)
            for (size_t ci = 0; ci < g->c; ci++)
                for (size_t k = 0; k < ((size_t)1 << lk); k++)
                    tabs[2][m * lu + (ci << lk) + k] =
                        eqc[cheat ? m * g->c + ci : ci * c->mult + m];
        r = zkr_pc_sumcheck(t, tabs, 3, t3, 1, 3, nk, threads, out, s);
    }
    if (r != ZKR_OK)
        goto out;
    vals[0] = tabs[0][0];
    vals[1] = tabs[1][0];
    if ((r = zkr_pc_send(t, "cnn-conv-wu", vals, 2, out)) != ZKR_OK)
        goto out;
    {
        zkr_ext wpt[ZKR_CNN_MAX_PT];
        memcpy(wpt, s, nk * sizeof *s);
        if (!c->depthwise)
            memcpy(wpt + nk, rc, c->lco * sizeof *rc);
        if ((r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_W, wpt, zkr_cnn_conv_w_vars(c), vals[0])) !=
            ZKR_OK)
            goto out;
    }
    {
        zkr_cnn_view_pt v = {s + lk, s + g->lkw, s, rho + g->low, rho};
        r = zkr_pc_view(t, g, &v, x, xe, threads, out, cl);
    }
out:
    free(mem);
    free(eqc);
    return r;
}

zkr_err zkr_prover_cnn_conv(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_gl *x,
                            const zkr_gl *w, const zkr_ext *rho, unsigned threads, zkr_buf *out,
                            zkr_cnn_claims *cl)
{
    return zkr_pc_conv(t, c, x, NULL, w, rho, threads, 0, out, cl);
}

zkr_err zkr_prover_cnn_conv_opts(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_gl *x,
                                 const zkr_gl *w, const zkr_ext *rho, const zkr_cnn_popts *o,
                                 zkr_buf *out, zkr_cnn_claims *cl)
{
    zkr_err r = zkr_pc_opts_ok(o);

    if (r != ZKR_OK)
        return r;
    return zkr_pc_conv(t, c, x, NULL, w, rho, o->threads, o->cheat, out, cl);
}

zkr_err zkr_prover_cnn_conv_ext(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_ext *x,
                                const zkr_gl *w, const zkr_ext *rho, unsigned threads,
                                zkr_buf *out, zkr_cnn_claims *cl)
{
    return zkr_pc_conv(t, c, NULL, x, w, rho, threads, 0, out, cl);
}

/* ------------------------------------------------------------------ */
/* LogUp range and table checks                                         */
/* ------------------------------------------------------------------ */

/* Multiplicities; in test builds a cheating prover counts only in-table values. */
static zkr_err zkr_pc_mult(const zkr_gl *col, size_t n, const zkr_gl *table, size_t nt,
                           const zkr_cnn_popts *o, zkr_gl *mult)
{
    zkr_err r = zkr_prover_logup_mult(col, n, table, nt, mult);

    if (r != ZKR_ERR_USAGE || !o->cheat)
        return r;
    memset(mult, 0, nt * sizeof *mult);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < nt; j++)
            if (table[j] == col[i]) {
                mult[j]++;
                break;
            }
    return ZKR_OK;
}

static zkr_err zkr_pc_logup(zkr_transcript *t, const zkr_gl *col, unsigned na,
                            const zkr_gl *table, unsigned nt, const zkr_cnn_popts *o,
                            zkr_buf *out, zkr_gl *mult, zkr_logup_claims *lc)
{
    zkr_err r = zkr_pc_mult(col, (size_t)1 << na, table, (size_t)1 << nt, o, mult);

    if (r != ZKR_OK)
        return r;
#if ZKR_TEST_BUILD
    if (o->cheat)
        return zkr_prover_logup_cheat(t, col, na, table, mult, nt, o->threads ? o->threads : 1,
                                      out, lc);
#endif
    return zkr_prover_logup(t, col, na, table, mult, nt, o->threads ? o->threads : 1, out, lc);
}

static void zkr_pc_byte_table(zkr_gl *tab)
{
    for (unsigned j = 0; j < 256; j++)
        tab[j] = j;
}

/* ------------------------------------------------------------------ */
/* Max pooling                                                          */
/* ------------------------------------------------------------------ */

zkr_err zkr_cnn_maxpool_witness(const zkr_cnn_win *g, const int8_t *x, zkr_gl *out, zkr_gl *e,
                                zkr_gl *d)
{
    unsigned lp = zkr_cnn_out_vars(g), n = lp + zkr_cnn_k_vars(g);

    memset(out, 0, ((size_t)1 << lp) * sizeof *out);
    memset(e, 0, ((size_t)1 << n) * sizeof *e);
    memset(d, 0, ((size_t)1 << n) * sizeof *d);
    for (uint32_t c = 0; c < g->c; c++)
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++) {
                size_t p = ((size_t)c << (g->loh + g->low)) | ((size_t)oy << g->low) | ox;
                int64_t best = -129;
                size_t arg = 0;
                /* Padded positions are never selected nor compared (they read -128). */
                for (uint32_t i = 0; i < g->kh; i++)
                    for (uint32_t j = 0; j < g->kw; j++) {
                        int64_t v = zkr_pc_at(g, x, c, i, j, oy, ox);
                        if (zkr_pc_inside(g, i, j, oy, ox) && v > best)
                            best = v, arg = ((size_t)i << g->lkw) | j;
                    }
                if (best < -128)
                    return ZKR_ERR_MALFORMED; /* a window of padding only */
                out[p] = zkr_gl_from_i64(best);
                e[(arg << lp) | p] = 1;
                for (uint32_t i = 0; i < g->kh; i++)
                    for (uint32_t j = 0; j < g->kw; j++)
                        if (zkr_pc_inside(g, i, j, oy, ox))
                            d[((((size_t)i << g->lkw) | j) << lp) | p] =
                                (zkr_gl)(best - zkr_pc_at(g, x, c, i, j, oy, ox));
            }
    return ZKR_OK;
}

/* The window view laid out as e (i, j) above p (c, oy, ox), and its validity. */
static void zkr_pc_pool_view(const zkr_cnn_win *g, const zkr_gl *x, zkr_ext *vw, zkr_ext *val)
{
    unsigned lp = zkr_cnn_out_vars(g);

    for (uint32_t i = 0; i < g->kh; i++)
        for (uint32_t j = 0; j < g->kw; j++)
            for (uint32_t c = 0; c < g->c; c++)
                for (uint32_t oy = 0; oy < g->oh; oy++)
                    for (uint32_t ox = 0; ox < g->ow; ox++) {
                        size_t p = ((size_t)c << (g->loh + g->low)) | ((size_t)oy << g->low) | ox;
                        size_t k = ((((size_t)i << g->lkw) | j) << lp) | p;
                        int64_t y = (int64_t)oy * g->sh + (int64_t)i * g->dh - g->pt;
                        int64_t z = (int64_t)ox * g->sw + (int64_t)j * g->dw - g->pl;
                        if (y >= 0 && y < g->h && z >= 0 && z < g->w)
                            val[k] = zkr_ext_from(1), vw[k] = zkr_ext_from(x[((size_t)c << (g->lh + g->lw)) |
                                                   ((size_t)y << g->lw) | (size_t)z]);
                    }
}

/*
 * Max pooling's sumcheck with its rounds written out: over the tables
 * 0 eq, 1 E, 2 D, 3 valid, 4 out, 5 Wv, 6 Lc, 7 G (zkr_prover_cnn_maxpool),
 *   h(X) = sum eq (E (s E + Lc) + b^2 (D + valid Wv)) + G E
 * at X = 0, 2, 3: five products a point where the generic engine's five
 * terms take eight. The same polynomial, so the same messages; the same
 * labels, challenges and folds as zkr_pc_sumcheck (out is folded for its
 * final value only).
 */
typedef struct {
    zkr_ext *const *t;
    int sel_bit; /* s: 1, or 0 when a test build drops E^2 - E */
    zkr_ext b2;
    zkr_ext acc[ZKR_PAR_MAX][3];
} zkr_pc_mp_job;

static void zkr_pc_mp_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    static const unsigned use[7] = {0, 1, 2, 3, 5, 6, 7};
    zkr_pc_mp_job *j = ctx;
    zkr_ext a[3] = {zkr_ext_from(0), zkr_ext_from(0), zkr_ext_from(0)};

    for (size_t i = lo; i < hi; i++) {
        zkr_ext v[8][3]; /* each table on the line, at X = 0, 2, 3 */
        for (unsigned u = 0; u < 7; u++) {
            const zkr_ext *tb = j->t[use[u]];
            zkr_ext d = zkr_ext_sub(tb[2 * i + 1], tb[2 * i]);
            v[use[u]][0] = tb[2 * i];
            v[use[u]][1] = zkr_ext_add(tb[2 * i + 1], d);
            v[use[u]][2] = zkr_ext_add(v[use[u]][1], d);
        }
        for (unsigned x = 0; x < 3; x++) {
            zkr_ext e = v[1][x], in = j->sel_bit ? zkr_ext_add(e, v[6][x]) : v[6][x];
            zkr_ext p = zkr_ext_add(zkr_ext_mul(e, in),
                                    zkr_ext_mul(j->b2, zkr_ext_add(v[2][x],
                                                                   zkr_ext_mul(v[3][x], v[5][x]))));
            a[x] = zkr_ext_add(a[x], zkr_ext_add(zkr_ext_mul(v[0][x], p), zkr_ext_mul(v[7][x], e)));
        }
    }
    memcpy(j->acc[w], a, sizeof a);
}

static zkr_err zkr_pc_mp_sumcheck(zkr_transcript *t, zkr_ext **tabs, int sel_bit, zkr_ext b2,
                                  unsigned n, unsigned threads, zkr_buf *out, zkr_ext *r)
{
    zkr_sc_poly f = {tabs, 8, NULL, 0, 3, NULL};
    zkr_ext *msgs = malloc(((size_t)n * 3 + 1) * sizeof *msgs);
    zkr_pc_mp_job *j = calloc(1, sizeof *j);
    zkr_err rc = ZKR_ERR_NOMEM;

    if (!msgs || !j)
        goto out;
    j->t = tabs;
    j->sel_bit = sel_bit;
    j->b2 = b2;
    threads = threads ? threads : 1;
    for (unsigned i = 0; i < n; i++) {
        zkr_ext *msg = msgs + (size_t)3 * i;
        memset(j->acc, 0, sizeof j->acc);
        zkr_par_for(threads > 8 ? 8 : threads, (size_t)1 << (n - 1 - i), 1024, zkr_pc_mp_chunk, j);
        for (unsigned x = 0; x < 3; x++) {
            msg[x] = zkr_ext_from(0);
            for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
                msg[x] = zkr_ext_add(msg[x], j->acc[w][x]);
        }
        zkr_ts_absorb_ext(t, "sc-round", msg, 3);
        r[i] = zkr_ts_challenge_ext(t, "sc-challenge");
        zkr_prover_sc_fold(&f, n - i, r[i], threads);
    }
    rc = zkr_enc_exts(out, msgs, (size_t)n * 3);
out:
    free(msgs);
    free(j);
    return rc;
}

zkr_err zkr_prover_cnn_maxpool(zkr_transcript *t, const zkr_cnn_win *g, const zkr_gl *x,
                               const zkr_gl *out, const zkr_gl *e, const zkr_gl *d,
                               const zkr_cnn_popts *o, zkr_buf *buf, zkr_gl *mult,
                               zkr_cnn_claims *cl)
{
    unsigned lp = zkr_cnn_out_vars(g), n = lp + zkr_cnn_k_vars(g);
    size_t len = (size_t)1 << n, plen = (size_t)1 << lp;
    zkr_ext *mem = NULL, *tabs[8], z[ZKR_CNN_MAX_PT], rp[ZKR_CNN_MAX_PT], s[ZKR_CNN_MAX_PT];
    zkr_ext beta, gam, b2, b3, one = zkr_ext_from(1), vals[4];
    zkr_err r;

    if ((r = zkr_pc_opts_ok(o)) != ZKR_OK)
        return r;
    if (n > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_UNSUPPORTED;
    if (!(mem = zkr_pc_ext_tables(8, len)))
        return ZKR_ERR_NOMEM;
    for (unsigned k = 0; k < 8; k++)
        tabs[k] = mem + k * len;
    zkr_ts_challenge_exts(t, "cnn-mp-z", z, n);
    zkr_ts_challenge_exts(t, "cnn-mp-rp", rp, lp);
    beta = zkr_ts_challenge_ext(t, "cnn-mp-beta");
    gam = zkr_ts_challenge_ext(t, "cnn-mp-gamma");
    b2 = zkr_ext_mul(beta, beta);
    b3 = zkr_ext_mul(b2, beta);
    {
        /*
         * E^2 - E + b^3 (1 - valid) E + b E D + b^2 (D - valid (out - view))
         * with eq(z, .), plus gamma eq(rp, p) E (one selected element per
         * window), summed as
         *   eq (E (s E + Lc) + b^2 D + b^2 valid Wv) + G E
         * over the tables 0 eq(z), 1 E, 2 D, 3 valid, 4 out (broadcast over
         * e), 5 Wv = view - out, 6 Lc = ce + b D - b^3 valid, 7 G = gamma
         * eq(rp) (broadcast): the same polynomial as the eight terms it
         * expands to (the same round messages and proof bytes) with fewer
         * products. Lc, Wv and G are linear in the tables, so they fold as
         * they do; the view's value is Wv + out at the end.
         */
        int sel_bit = !(o->off & ZKR_CNN_OFF_SEL_BIT), sel_valid = !(o->off & ZKR_CNN_OFF_SEL_VALID);
        int sel_sum = !(o->off & ZKR_CNN_OFF_SEL_SUM);
        zkr_ext z0 = zkr_ext_from(0);
        zkr_ext ce = zkr_ext_sub(sel_valid ? b3 : z0, sel_bit ? one : z0);
        zkr_ext nb3 = zkr_ext_sub(z0, sel_valid ? b3 : z0);
        zkr_ext *view = tabs[5];
        zkr_mle_eq_table(z, n, tabs[0]);
        zkr_pc_lift(e, len, tabs[1]);
        zkr_pc_lift(d, len, tabs[2]);
        zkr_pc_pool_view(g, x, view, tabs[3]);
        zkr_mle_eq_table_scaled_mt(rp, lp, sel_sum ? gam : z0, 1, tabs[7]);
        for (size_t k = 0; k < len; k++) {
            tabs[4][k] = zkr_ext_from(out[k & (plen - 1)]);
            tabs[7][k] = tabs[7][k & (plen - 1)];
            view[k] = zkr_ext_sub(view[k], tabs[4][k]);
            tabs[6][k] = zkr_ext_add(zkr_ext_add(ce, zkr_ext_mul_base(beta, d[k])),
                                     zkr_ext_mul_base(nb3, tabs[3][k].c[0]));
        }
        if ((r = zkr_pc_mp_sumcheck(t, tabs, sel_bit, b2, n, o->threads, buf, s)) != ZKR_OK)
            goto out;
    }
    tabs[5][0] = zkr_ext_add(tabs[5][0], tabs[4][0]); /* the view */
    vals[0] = tabs[1][0], vals[1] = tabs[2][0], vals[2] = tabs[4][0], vals[3] = tabs[5][0];
    if ((r = zkr_pc_send(t, "cnn-mp-vals", vals, 4, buf)) != ZKR_OK ||
        (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_E, s, n, vals[0])) != ZKR_OK ||
        (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_D, s, n, vals[1])) != ZKR_OK ||
        (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, s, lp, vals[2])) != ZKR_OK)
        goto out;
    {
        zkr_cnn_view_pt v = {s + g->low + g->loh, s + lp + g->lkw, s + lp, s + g->low, s};
        if ((r = zkr_prover_cnn_view(t, g, &v, x, o->threads, buf, cl)) != ZKR_OK)
            goto out;
    }
    if (!(o->off & (ZKR_CNN_OFF_RANGE | ZKR_CNN_DEFER_RANGE))) {
        zkr_gl tab[256];
        zkr_logup_claims lc;
        zkr_pc_byte_table(tab);
        if ((r = zkr_pc_logup(t, d, n, tab, ZKR_CNN_BYTE_LOG, o, buf, mult, &lc)) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_D, lc.ra, n, lc.a_at_ra)) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_M, lc.rt, ZKR_CNN_BYTE_LOG, lc.m_at_rt)) !=
                ZKR_OK)
            goto out;
    }
out:
    free(mem);
    return r;
}

/* ------------------------------------------------------------------ */
/* Average pooling                                                      */
/* ------------------------------------------------------------------ */

zkr_err zkr_cnn_avgpool_witness(const zkr_cnn_win *g, const int8_t *x, zkr_gl *q, zkr_gl *rw)
{
    unsigned lp = zkr_cnn_out_vars(g);
    size_t plen = (size_t)1 << lp;
    int64_t k = (int64_t)g->kh * g->kw;

    memset(q, 0, plen * sizeof *q);
    memset(rw, 0, 4 * plen * sizeof *rw);
    if (k > ZKR_CNN_AP_MAX_K)
        return ZKR_ERR_UNSUPPORTED;
    for (uint32_t c = 0; c < g->c; c++)
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++) {
                size_t p = ((size_t)c << (g->loh + g->low)) | ((size_t)oy << g->low) | ox;
                int64_t sum = k / 2, qq, rr;
                for (uint32_t i = 0; i < g->kh; i++)
                    for (uint32_t j = 0; j < g->kw; j++)
                        sum += zkr_pc_at(g, x, c, i, j, oy, ox);
                /* floor division: the remainder in [0, k) */
                qq = sum >= 0 ? sum / k : -((-sum + k - 1) / k);
                rr = sum - qq * k;
                q[p] = zkr_gl_from_i64(qq);
                rw[ZKR_CNN_AP_R0 * plen + p] = (zkr_gl)(rr & 0xff);
                rw[ZKR_CNN_AP_R1 * plen + p] = (zkr_gl)(rr >> 8);
                rw[ZKR_CNN_AP_C0 * plen + p] = (zkr_gl)((k - 1 - rr) & 0xff);
                rw[ZKR_CNN_AP_C1 * plen + p] = (zkr_gl)((k - 1 - rr) >> 8);
            }
    return ZKR_OK;
}

/* The range column: R's four limb slots, q + 128 on valid elements, three zero slots. */
static zkr_gl *zkr_pc_ap_column(const zkr_cnn_win *g, const zkr_gl *q, const zkr_gl *rw)
{
    size_t plen = (size_t)1 << zkr_cnn_out_vars(g);
    zkr_gl *col = calloc(8 * plen, sizeof *col);

    if (!col)
        return NULL;
    memcpy(col, rw, 4 * plen * sizeof *col);
    for (uint32_t c = 0; c < g->c; c++)
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++) {
                size_t p = ((size_t)c << (g->loh + g->low)) | ((size_t)oy << g->low) | ox;
                col[4 * plen + p] = zkr_gl_add(q[p], 128);
            }
    return col;
}

zkr_err zkr_prover_cnn_avgpool(zkr_transcript *t, const zkr_cnn_win *g, const zkr_gl *x,
                               const zkr_gl *q, const zkr_gl *rw, const zkr_cnn_popts *o,
                               zkr_buf *buf, zkr_gl *mult, zkr_cnn_claims *cl)
{
    unsigned lp = zkr_cnn_out_vars(g);
    size_t plen = (size_t)1 << lp;
    zkr_ext z[ZKR_CNN_MAX_PT + 3], vals[5], tau[2], eqt[4], rv = zkr_ext_from(0);
    uint64_t k = (uint64_t)g->kh * g->kw;
    zkr_gl *col = NULL;
    zkr_err rc;

    if ((rc = zkr_pc_opts_ok(o)) != ZKR_OK)
        return rc;
    if (k > ZKR_CNN_AP_MAX_K || lp + 3 > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_UNSUPPORTED;
    /* The division is linear: one random point checks it for every element. */
    zkr_ts_challenge_exts(t, "cnn-ap-z", z, lp);
    if ((rc = zkr_mle_eval_base(q, lp, z, &vals[0])) != ZKR_OK)
        return rc;
    for (unsigned s = 0; s < 4; s++)
        if ((rc = zkr_mle_eval_base(rw + s * plen, lp, z, &vals[1 + s])) != ZKR_OK)
            return rc;
    if ((rc = zkr_pc_send(t, "cnn-ap-qr", vals, 5, buf)) != ZKR_OK)
        return rc;
    zkr_ts_challenge_exts(t, "cnn-ap-tau", tau, 2);
    zkr_mle_eq_table(tau, 2, eqt);
    for (unsigned s = 0; s < 4; s++)
        rv = zkr_ext_add(rv, zkr_ext_mul(eqt[s], vals[1 + s]));
    memcpy(z + lp, tau, sizeof tau);
    if ((rc = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, z, lp, vals[0])) != ZKR_OK ||
        (rc = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_R, z, lp + 2, rv)) != ZKR_OK)
        return rc;
    {
        zkr_cnn_view_pt v = {z + g->low + g->loh, NULL, NULL, z + g->low, z};
        if ((rc = zkr_prover_cnn_view(t, g, &v, x, o->threads, buf, cl)) != ZKR_OK)
            return rc;
    }
    if (o->off & ZKR_CNN_OFF_RANGE)
        return ZKR_OK;
    if (!(col = zkr_pc_ap_column(g, q, rw)))
        return ZKR_ERR_NOMEM;
    {
        zkr_gl tab[256];
        zkr_logup_claims lc;
        zkr_pc_byte_table(tab);
        if ((rc = zkr_pc_logup(t, col, lp + 3, tab, ZKR_CNN_BYTE_LOG, o, buf, mult, &lc)) !=
                ZKR_OK ||
            (rc = zkr_mle_eval_base(rw, lp + 2, lc.ra, &vals[0])) != ZKR_OK ||
            (rc = zkr_mle_eval_base(q, lp, lc.ra, &vals[1])) != ZKR_OK ||
            (rc = zkr_pc_send(t, "cnn-ap-rho", vals, 2, buf)) != ZKR_OK ||
            (rc = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_R, lc.ra, lp + 2, vals[0])) != ZKR_OK ||
            (rc = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, lc.ra, lp, vals[1])) != ZKR_OK ||
            (rc = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_M, lc.rt, ZKR_CNN_BYTE_LOG, lc.m_at_rt)) !=
                ZKR_OK)
            goto out;
    }
out:
    free(col);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Lookup activations                                                   */
/* ------------------------------------------------------------------ */

/*
 * The lookup column: slot 0 (x + 128) + 256 (y + 128), the pair; slots 1
 * and 2: 2^32 + y + 128 and 2^32 + x + 128, both ranges; slot 3: 2^32 (the
 * byte 0). Padding (x = y = 0) is the pair of x = 0 and the byte 128.
 */
static zkr_gl *zkr_pc_lut_column(uint32_t c, uint32_t h, uint32_t w, const int8_t tab[256],
                                 const zkr_gl *x, const zkr_gl *y)
{
    unsigned lc = zkr_log2_ceil(c), lh = zkr_log2_ceil(h), lw = zkr_log2_ceil(w);
    size_t len = (size_t)1 << (lc + lh + lw);
    zkr_gl pad = 256u * (zkr_gl)(tab[128] + 128) + 128u, *col = calloc(4 * len, sizeof *col);

    if (!col)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        col[i] = pad;
        col[len + i] = zkr_gl_add(y[i], ZKR_CNN_LUT_BYTE_OFF + 128);
        col[2 * len + i] = zkr_gl_add(x[i], ZKR_CNN_LUT_BYTE_OFF + 128);
        col[3 * len + i] = ZKR_CNN_LUT_BYTE_OFF;
    }
    for (uint32_t k = 0; k < c; k++)
        for (uint32_t a = 0; a < h; a++)
            for (uint32_t b = 0; b < w; b++) {
                size_t i = ((size_t)k << (lh + lw)) | ((size_t)a << lw) | b;
                col[i] = zkr_gl_add(zkr_gl_add(x[i], zkr_gl_mul(256, y[i])), 32896);
            }
    return col;
}

zkr_err zkr_cnn_lookup_mult(uint32_t c, uint32_t h, uint32_t w, const int8_t tab[256],
                            const zkr_gl *x, const zkr_gl *y, zkr_gl *mult)
{
    size_t len = (size_t)4 << (zkr_log2_ceil(c) + zkr_log2_ceil(h) + zkr_log2_ceil(w));
    zkr_gl table[1u << ZKR_CNN_LUT_LOG], *col = zkr_pc_lut_column(c, h, w, tab, x, y);
    zkr_err r;

    if (!col)
        return ZKR_ERR_NOMEM;
    zkr_cnn_lut_table(tab, table);
    r = zkr_prover_logup_mult(col, len, table, 1u << ZKR_CNN_LUT_LOG, mult);
    free(col);
    return r;
}

zkr_err zkr_prover_cnn_lookup(zkr_transcript *t, uint32_t c, uint32_t h, uint32_t w,
                              const int8_t tab[256], const zkr_gl *x, const zkr_gl *y,
                              const zkr_cnn_popts *o, zkr_buf *buf, zkr_gl *mult,
                              zkr_cnn_claims *cl)
{
    unsigned lc = zkr_log2_ceil(c), lh = zkr_log2_ceil(h), lw = zkr_log2_ceil(w);
    unsigned n = lc + lh + lw;
    zkr_gl table[1u << ZKR_CNN_LUT_LOG], *col = NULL;
    zkr_ext vals[2];
    zkr_logup_claims lc_;
    zkr_err r;

    if ((r = zkr_pc_opts_ok(o)) != ZKR_OK)
        return r;
    if (n + 2 > ZKR_CNN_MAX_VARS || c > ZKR_CNN_MAX_DIM || h > ZKR_CNN_MAX_DIM ||
        w > ZKR_CNN_MAX_DIM)
        return ZKR_ERR_UNSUPPORTED;
    if (o->off & ZKR_CNN_OFF_RANGE)
        return ZKR_OK;
    if (!(col = zkr_pc_lut_column(c, h, w, tab, x, y)))
        return ZKR_ERR_NOMEM;
    zkr_cnn_lut_table(tab, table);
    if ((r = zkr_pc_logup(t, col, n + 2, table, ZKR_CNN_LUT_LOG, o, buf, mult, &lc_)) != ZKR_OK ||
        (r = zkr_mle_eval_base(x, n, lc_.ra, &vals[0])) != ZKR_OK ||
        (r = zkr_mle_eval_base(y, n, lc_.ra, &vals[1])) != ZKR_OK ||
        (r = zkr_pc_send(t, "cnn-lut-xy", vals, 2, buf)) != ZKR_OK ||
        (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, lc_.ra, n, vals[0])) != ZKR_OK ||
        (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, lc_.ra, n, vals[1])) != ZKR_OK ||
        (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_M, lc_.rt, ZKR_CNN_LUT_LOG, lc_.m_at_rt)) !=
            ZKR_OK)
        goto out;
out:
    free(col);
    return r;
}

/* ------------------------------------------------------------------ */
/* Residual ADD                                                         */
/* ------------------------------------------------------------------ */

static void zkr_pc_limbs(zkr_gl *v, size_t plen, size_t p, unsigned first, unsigned n,
                         uint64_t val)
{
    for (unsigned i = 0; i < n; i++)
        v[((size_t)(first + i) * plen) | p] = (val >> (8 * i)) & 0xff;
}

zkr_err zkr_cnn_rq_witness(const zkr_cnn_add *a, unsigned lp, const int64_t *u, zkr_gl *v,
                           int8_t *y)
{
    size_t plen = (size_t)1 << lp;

    if (lp + ZKR_CNN_ADD_SLOTS_LOG > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_UNSUPPORTED;
    memset(v, 0, (plen << ZKR_CNN_ADD_SLOTS_LOG) * sizeof *v);
    for (size_t p = 0; p < plen; p++) {
        int64_t tt = u[p] + ((int64_t)1 << (a->shift - 1));
        int64_t q = tt >> a->shift; /* arithmetic: floor */
        int64_t rr = tt - q * ((int64_t)1 << a->shift);
        int64_t yy = q > 127 ? 127 : q < a->lo ? a->lo : q;
        int64_t g = q > 127 ? q - 127 : q < a->lo ? a->lo - q : 0;
        uint64_t top_r = (uint64_t)rr >> (8 * (a->nr - 1));
        uint64_t top_g = (uint64_t)g >> (8 * (a->ng - 1));
        if (y)
            y[p] = (int8_t)yy;
        v[((size_t)ZKR_CNN_ADD_Y * plen) | p] = (zkr_gl)(yy - a->lo);
        v[((size_t)ZKR_CNN_ADD_YC * plen) | p] = (zkr_gl)(127 - yy);
        v[((size_t)ZKR_CNN_ADD_HI * plen) | p] = q > 127;
        v[((size_t)ZKR_CNN_ADD_LO * plen) | p] = q < a->lo;
        zkr_pc_limbs(v, plen, p, ZKR_CNN_ADD_R0, a->nr, (uint64_t)rr);
        zkr_pc_limbs(v, plen, p, a->slot_g0, a->ng, (uint64_t)g);
        v[((size_t)a->slot_rtc * plen) | p] = top_r * a->c_r;
        v[((size_t)a->slot_gtc * plen) | p] = top_g * a->c_g;
    }
    return ZKR_OK;
}

zkr_err zkr_cnn_add_witness(const zkr_cnn_add *a, unsigned lp, size_t n, const int8_t *xa,
                            const int8_t *xb, zkr_gl *v, int8_t *y)
{
    size_t plen = (size_t)1 << lp;
    int64_t *u;
    int8_t *yy;
    zkr_err r;

    if (n > plen || lp + ZKR_CNN_ADD_SLOTS_LOG > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_UNSUPPORTED;
    u = calloc(plen, sizeof *u);
    yy = malloc(plen);
    if (!u || !yy) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (size_t p = 0; p < n; p++)
        u[p] = a->ma * xa[p] + a->mb * xb[p];
    if ((r = zkr_cnn_rq_witness(a, lp, u, v, yy)) == ZKR_OK)
        memcpy(y, yy, n);
out:
    free(u);
    free(yy);
    return r;
}

/* sum_i 256^i v[slot first + i] over one element block. */
static void zkr_pc_combine_limbs(const zkr_gl *v, size_t plen, unsigned first, unsigned n,
                                 zkr_ext *out)
{
    for (size_t p = 0; p < plen; p++) {
        zkr_gl acc = 0;
        for (unsigned i = n; i-- > 0;)
            acc = zkr_gl_add(zkr_gl_mul(acc, 256), v[((size_t)(first + i) * plen) | p]);
        out[p] = zkr_ext_from(acc);
    }
}

zkr_err zkr_prover_cnn_add(zkr_transcript *t, const zkr_cnn_add *a, unsigned lp, const zkr_gl *xa,
                           const zkr_gl *xb, const zkr_gl *v, const zkr_cnn_popts *o,
                           zkr_buf *buf, zkr_gl *mult, zkr_cnn_claims *cl)
{
    size_t plen = (size_t)1 << lp;
    unsigned nv = lp + ZKR_CNN_ADD_SLOTS_LOG;
    zkr_ext *mem = NULL, *tabs[8], z[ZKR_CNN_MAX_PT], rho[ZKR_CNN_MAX_PT + 4];
    zkr_ext slots[1u << ZKR_CNN_ADD_SLOTS_LOG], ab[2], lam[5], tau[ZKR_CNN_ADD_SLOTS_LOG];
    zkr_err r;

    if ((r = zkr_pc_opts_ok(o)) != ZKR_OK)
        return r;
    if (nv > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_UNSUPPORTED;
    if (!(mem = zkr_pc_ext_tables(8, plen)))
        return ZKR_ERR_NOMEM;
    for (unsigned k = 0; k < 8; k++)
        tabs[k] = mem + k * plen;
    zkr_ts_challenge_exts(t, "cnn-add-z", z, lp);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(t, "cnn-add-lambda");
    for (unsigned i = 2; i < 5; i++)
        lam[i] = zkr_ext_mul(lam[i - 1], lam[1]);
    /* Tables: 0 eq(z), 1 a, 2 b, 3 Y, 4 hi, 5 lo, 6 g, 7 r. */
    zkr_mle_eq_table(z, lp, tabs[0]);
    zkr_pc_lift(xa, plen, tabs[1]);
    zkr_pc_lift(xb, plen, tabs[2]);
    zkr_pc_lift(v + ZKR_CNN_ADD_Y * plen, plen, tabs[3]);
    zkr_pc_lift(v + ZKR_CNN_ADD_HI * plen, plen, tabs[4]);
    zkr_pc_lift(v + ZKR_CNN_ADD_LO * plen, plen, tabs[5]);
    zkr_pc_combine_limbs(v, plen, a->slot_g0, a->ng, tabs[6]);
    zkr_pc_combine_limbs(v, plen, ZKR_CNN_ADD_R0, a->nr, tabs[7]);
    {
        zkr_ext z0 = zkr_ext_from(0), two_s = zkr_ext_from((zkr_gl)1 << a->shift);
        zkr_ext ntwo_s = zkr_ext_sub(z0, two_s), lo_l = zkr_ext_from(zkr_gl_from_i64(a->lo));
        zkr_ext cst = zkr_ext_sub(zkr_ext_from((zkr_gl)1 << (a->shift - 1)),
                                  zkr_ext_mul(two_s, lo_l));
        zkr_ext top = zkr_ext_from(zkr_gl_from_i64(127 - a->lo));
        /* The accumulator: Ma a + Mb b (ADD), or acc M (requantization, degree 3). */
        zkr_sc_term terms[13] = {
            a->mul ? (zkr_sc_term)ZKR_PC_T(zkr_ext_from(1), 3, 0, 1, 2)
                   : (zkr_sc_term)ZKR_PC_T(zkr_ext_from(zkr_gl_from_i64(a->ma)), 2, 0, 1, 0),
            ZKR_PC_T(a->mul ? z0 : zkr_ext_from(zkr_gl_from_i64(a->mb)), 2, 0, 2, 0),
            ZKR_PC_T(cst, 1, 0, 0, 0), ZKR_PC_T(ntwo_s, 2, 0, 3, 0),
            ZKR_PC_T(ntwo_s, 3, 0, 4, 6), ZKR_PC_T(two_s, 3, 0, 5, 6),
            ZKR_PC_T(zkr_ext_sub(z0, lam[0]), 2, 0, 7, 0),
            ZKR_PC_T(lam[1], 3, 0, 4, 4),
            ZKR_PC_T(zkr_ext_sub(zkr_ext_mul(lam[3], top), lam[1]), 2, 0, 4, 0),
            ZKR_PC_T(lam[2], 3, 0, 5, 5), ZKR_PC_T(zkr_ext_sub(z0, lam[2]), 2, 0, 5, 0),
            ZKR_PC_T(zkr_ext_sub(z0, lam[3]), 3, 0, 4, 3), ZKR_PC_T(lam[4], 3, 0, 5, 3)};
        if ((r = zkr_pc_sumcheck(t, tabs, 8, terms, 13, 3, lp, o->threads, buf, rho)) != ZKR_OK)
            goto out;
    }
    for (unsigned s = 0; s < (1u << ZKR_CNN_ADD_SLOTS_LOG); s++)
        if ((r = zkr_mle_eval_base(v + (size_t)s * plen, lp, rho, &slots[s])) != ZKR_OK)
            goto out;
    ab[0] = tabs[1][0], ab[1] = tabs[2][0];
    if ((r = zkr_pc_send(t, "cnn-add-slots", slots, 1u << ZKR_CNN_ADD_SLOTS_LOG, buf)) != ZKR_OK ||
        (r = zkr_pc_send(t, "cnn-add-ab", ab, 2, buf)) != ZKR_OK)
        goto out;
    zkr_ts_challenge_exts(t, "cnn-add-tau", tau, ZKR_CNN_ADD_SLOTS_LOG);
    {
        zkr_ext eqt[1u << ZKR_CNN_ADD_SLOTS_LOG], sv = zkr_ext_from(0);
        zkr_mle_eq_table(tau, ZKR_CNN_ADD_SLOTS_LOG, eqt);
        for (unsigned s = 0; s < (1u << ZKR_CNN_ADD_SLOTS_LOG); s++)
            sv = zkr_ext_add(sv, zkr_ext_mul(eqt[s], slots[s]));
        memcpy(rho + lp, tau, sizeof tau);
        if ((r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_V, rho, nv, sv)) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, rho, lp, ab[0])) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_B, rho, lp, ab[1])) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, rho, lp,
                                   zkr_ext_add(slots[ZKR_CNN_ADD_Y],
                                               zkr_ext_from(zkr_gl_from_i64(a->lo))))) != ZKR_OK)
            goto out;
    }
    if (!(o->off & (ZKR_CNN_OFF_RANGE | ZKR_CNN_DEFER_RANGE))) {
        zkr_gl tab[256];
        zkr_logup_claims lc;
        zkr_pc_byte_table(tab);
        if ((r = zkr_pc_logup(t, v, nv, tab, ZKR_CNN_BYTE_LOG, o, buf, mult, &lc)) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_V, lc.ra, nv, lc.a_at_ra)) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_M, lc.rt, ZKR_CNN_BYTE_LOG, lc.m_at_rt)) !=
                ZKR_OK)
            goto out;
    }
out:
    free(mem);
    return r;
}

/* ------------------------------------------------------------------ */
/* Narrow requantization (graph-inference v3)                           */
/* ------------------------------------------------------------------ */

static void zkr_pc_limbs16(zkr_gl *v, size_t plen, size_t p, unsigned first, unsigned n,
                           uint64_t val)
{
    for (unsigned i = 0; i < n; i++)
        v[((size_t)(first + i) * plen) | p] = (val >> (ZKR_CNN_RQN_LIMB * i)) &
                                              (((uint64_t)1 << ZKR_CNN_RQN_LIMB) - 1);
}

zkr_err zkr_cnn_rqn_elem(const zkr_cnn_rqn *a, int64_t u, zkr_gl *v, size_t plen, size_t p,
                         int8_t *y, uint64_t g[2])
{
    int64_t tt = u + ((int64_t)1 << (a->shift - 1));
    int64_t q = tt >> a->shift; /* arithmetic: floor */
    int64_t rr = tt - q * ((int64_t)1 << a->shift);
    int64_t yy = q > 127 ? 127 : q < a->lo ? a->lo : q;
    uint64_t gh = q > 127 ? (uint64_t)(q - 127) : 0, gl = q < a->lo ? (uint64_t)(a->lo - q) : 0;

    *y = (int8_t)yy;
    if (g)
        g[0] = gh, g[1] = gl;
    /* Over the model's bound: the caller's parameters do not fit this accumulator. */
    if ((a->ghb < 64 && (gh >> a->ghb) != 0) || (a->glb < 64 && (gl >> a->glb) != 0))
        return ZKR_ERR_USAGE;
    if (v) {
        zkr_pc_limbs16(v, plen, p, 0, a->nr, (uint64_t)rr);
        zkr_pc_limbs16(v, plen, p, a->slot_gh, a->ngh, gh);
        zkr_pc_limbs16(v, plen, p, a->slot_gl, a->ngl, gl);
    }
    return ZKR_OK;
}

zkr_err zkr_cnn_rqn_witness(const zkr_cnn_rqn *a, unsigned lp, const int64_t *u, zkr_gl *v,
                            int8_t *y)
{
    size_t plen = (size_t)1 << lp;
    zkr_err r;

    if (lp + a->lsl > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_UNSUPPORTED;
    memset(v, 0, (plen << a->lsl) * sizeof *v);
    for (size_t p = 0; p < plen; p++)
        if ((r = zkr_cnn_rqn_elem(a, u[p], v, plen, p, &y[p], NULL)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

/* sum_i 2^(15 i) v[slot first + i] at element p of one element block. */
static zkr_gl zkr_pc_combine16_at(const zkr_gl *v, size_t plen, unsigned first, unsigned n,
                                  size_t p)
{
    zkr_gl acc = 0;

    for (unsigned i = n; i-- > 0;)
        acc = zkr_gl_add(zkr_gl_mul(acc, (zkr_gl)1 << ZKR_CNN_RQN_LIMB),
                         v[((size_t)(first + i) * plen) | p]);
    return acc;
}

zkr_err zkr_prover_cnn_rqn(zkr_transcript *t, const zkr_cnn_rqn *a, unsigned lp, const zkr_gl *xa,
                           const zkr_gl *xb, const zkr_gl *y, const zkr_gl *v, unsigned threads,
                           zkr_buf *buf, zkr_cnn_claims *cl)
{
    size_t plen = (size_t)1 << lp;
    unsigned nv = lp + a->lsl;
    zkr_ext *mem = NULL, *tabs[6], z[ZKR_CNN_MAX_PT], rho[ZKR_CNN_MAX_PT + 4];
    zkr_ext sl[ZKR_CNN_RQN_MAX_SLOTS], aby[3], lam[3], tau[4];
    zkr_err r;

    if (nv > ZKR_CNN_MAX_VARS || a->lsl > 4)
        return ZKR_ERR_UNSUPPORTED;
    if (!(mem = zkr_pc_ext_tables(6, plen)))
        return ZKR_ERR_NOMEM;
    for (unsigned k = 0; k < 6; k++)
        tabs[k] = mem + k * plen;
    zkr_ts_challenge_exts(t, "cnn-rqn-z", z, lp);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(t, "cnn-rqn-lambda");
    lam[2] = zkr_ext_mul(lam[1], lam[1]);
    /*
     * The relation, eq [u + 2^(s-1) - 2^s (y + gh - gl) - r + lam gh (127 - y)
     * + lam^2 gl (y - lo)], u = a b (the accumulator times the broadcast M) or
     * Ma a + Mb b, is summed as eq (u + L + y Mq) over the tables
     *   0 eq(z), 1 a, 2 b, 3 y, 4 L, 5 Mq,
     *   L = 2^(s-1) - 2^s y + (lam 127 - 2^s) gh + (2^s - lam^2 lo) gl - r
     *       (+ Ma a + Mb b for ADD),   Mq = lam^2 gl - lam gh:
     * the same polynomial as the eleven terms it expands to (so the same
     * round messages and proof bytes), with a third of the products. L and
     * Mq are linear in the tables, so they fold as the tables do; gh, gl
     * and r are read only through them.
     */
    zkr_mle_eq_table(z, lp, tabs[0]);
    zkr_pc_lift(xa, plen, tabs[1]);
    zkr_pc_lift(xb, plen, tabs[2]);
    zkr_pc_lift(y, plen, tabs[3]);
    {
        zkr_gl two_s = (zkr_gl)1 << a->shift, half = (zkr_gl)1 << (a->shift - 1);
        zkr_ext cgh = zkr_ext_sub(zkr_ext_mul(lam[1], zkr_ext_from(127)), zkr_ext_from(two_s));
        zkr_ext cgl = zkr_ext_sub(zkr_ext_from(two_s),
                                  zkr_ext_mul(lam[2], zkr_ext_from(zkr_gl_from_i64(a->lo))));
        zkr_gl ma = zkr_gl_from_i64(a->ma), mb = zkr_gl_from_i64(a->mb);
        for (size_t p = 0; p < plen; p++) {
            zkr_gl gh = zkr_pc_combine16_at(v, plen, a->slot_gh, a->ngh, p);
            zkr_gl gl = zkr_pc_combine16_at(v, plen, a->slot_gl, a->ngl, p);
            zkr_gl rr = zkr_pc_combine16_at(v, plen, 0, a->nr, p);
            zkr_gl base = zkr_gl_sub(zkr_gl_sub(half, zkr_gl_mul(two_s, y[p])), rr);
            zkr_ext l = zkr_ext_add(zkr_ext_mul_base(cgh, gh), zkr_ext_mul_base(cgl, gl));
            if (!a->mul)
                base = zkr_gl_add(base, zkr_gl_add(zkr_gl_mul(ma, xa[p]), zkr_gl_mul(mb, xb[p])));
            l.c[0] = zkr_gl_add(l.c[0], base);
            tabs[4][p] = l;
            tabs[5][p] = zkr_ext_sub(zkr_ext_mul_base(lam[2], gl), zkr_ext_mul_base(lam[1], gh));
        }
    }
    {
        zkr_ext one = zkr_ext_from(1);
        zkr_sc_term terms[3] = {ZKR_PC_T(one, 2, 0, 4, 0), ZKR_PC_T(one, 3, 0, 3, 5),
                                ZKR_PC_T(a->mul ? one : zkr_ext_from(0), 3, 0, 1, 2)};
        if ((r = zkr_pc_sumcheck(t, tabs, 6, terms, a->mul ? 3 : 2, 3, lp, threads, buf, rho)) !=
            ZKR_OK)
            goto out;
    }
    for (unsigned k = 0; k < a->nsl; k++)
        if ((r = zkr_mle_eval_base(v + (size_t)k * plen, lp, rho, &sl[k])) != ZKR_OK)
            goto out;
    aby[0] = tabs[1][0], aby[1] = tabs[2][0], aby[2] = tabs[3][0];
    if ((r = zkr_pc_send(t, "cnn-rqn-slots", sl, a->nsl, buf)) != ZKR_OK ||
        (r = zkr_pc_send(t, "cnn-rqn-aby", aby, 3, buf)) != ZKR_OK)
        goto out;
    zkr_ts_challenge_exts(t, "cnn-rqn-tau", tau, a->lsl);
    {
        zkr_ext eqt[ZKR_CNN_RQN_MAX_SLOTS], sv = zkr_ext_from(0);
        zkr_mle_eq_table(tau, a->lsl, eqt);
        for (unsigned k = 0; k < a->nsl; k++)
            sv = zkr_ext_add(sv, zkr_ext_mul(eqt[k], sl[k]));
        memcpy(rho + lp, tau, a->lsl * sizeof *tau);
        if ((r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_V, rho, nv, sv)) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, rho, lp, aby[0])) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_B, rho, lp, aby[1])) != ZKR_OK ||
            (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, rho, lp, aby[2])) != ZKR_OK)
            goto out;
    }
out:
    free(mem);
    return r;
}

/* ------------------------------------------------------------------ */
/* Claims on a tensor consumed twice                                    */
/* ------------------------------------------------------------------ */

zkr_err zkr_prover_cnn_combine(zkr_transcript *t, const zkr_gl *x, unsigned n,
                               const zkr_cnn_claim *cs, size_t k, unsigned threads, zkr_buf *buf,
                               zkr_cnn_claim *res)
{
    size_t len = (size_t)1 << n;
    zkr_ext *mem = NULL, *eq = NULL, *tabs[2], s[ZKR_CNN_MAX_PT], alpha = zkr_ext_from(1), xv;
    static const zkr_sc_term term[1] = {{{{1, 0, 0}}, 2, {0, 1, 0, 0}}};
    zkr_err r = ZKR_ERR_NOMEM;

    if (k < 1 || k > ZKR_CNN_MAX_CLAIMS || n > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < k; i++)
        if (cs[i].n != n)
            return ZKR_ERR_USAGE;
    if (!(mem = zkr_pc_ext_tables(2, len)) || !(eq = malloc(len * sizeof *eq)))
        goto out;
    tabs[0] = mem, tabs[1] = mem + len;
    zkr_pc_lift(x, len, tabs[0]);
    for (size_t i = 0; i < k; i++) {
        if (i > 0)
            alpha = zkr_ts_challenge_ext(t, "cnn-comb-alpha");
        zkr_mle_eq_table(cs[i].pt, n, eq);
        for (size_t j = 0; j < len; j++)
            tabs[1][j] = zkr_ext_add(tabs[1][j], zkr_ext_mul(alpha, eq[j]));
    }
    if ((r = zkr_pc_sumcheck(t, tabs, 2, term, 1, 2, n, threads, buf, s)) != ZKR_OK)
        goto out;
    xv = tabs[0][0];
    if ((r = zkr_pc_send(t, "cnn-comb-x", &xv, 1, buf)) != ZKR_OK)
        goto out;
    memset(res, 0, sizeof *res);
    res->poly = cs[0].poly;
    res->n = n;
    memcpy(res->pt, s, n * sizeof *s);
    res->val = xv;
out:
    free(mem);
    free(eq);
    return r;
}

/* ------------------------------------------------------------------ */
/* Multiplicities before the witness is committed                       */
/* ------------------------------------------------------------------ */

static zkr_err zkr_pc_byte_mult(const zkr_gl *col, size_t n, zkr_gl *mult)
{
    zkr_gl tab[256];

    zkr_pc_byte_table(tab);
    return zkr_prover_logup_mult(col, n, tab, 256, mult);
}

zkr_err zkr_cnn_maxpool_mult(const zkr_cnn_win *g, const zkr_gl *d, zkr_gl *mult)
{
    return zkr_pc_byte_mult(d, (size_t)1 << (zkr_cnn_out_vars(g) + zkr_cnn_k_vars(g)), mult);
}

zkr_err zkr_cnn_avgpool_mult(const zkr_cnn_win *g, const zkr_gl *q, const zkr_gl *rw,
                             zkr_gl *mult)
{
    zkr_gl *col = zkr_pc_ap_column(g, q, rw);
    zkr_err r;

    if (!col)
        return ZKR_ERR_NOMEM;
    r = zkr_pc_byte_mult(col, (size_t)8 << zkr_cnn_out_vars(g), mult);
    free(col);
    return r;
}

zkr_err zkr_cnn_add_mult(unsigned lp, const zkr_gl *v, zkr_gl *mult)
{
    return zkr_pc_byte_mult(v, (size_t)1 << (lp + ZKR_CNN_ADD_SLOTS_LOG), mult);
}

/* ------------------------------------------------------------------ */
/* CONCAT on channels                                                   */
/* ------------------------------------------------------------------ */

/*
 * Input j folded at the output's point z on its pass-through variables:
 * xz[c'] = sum_{b, hw} eq(z_b, b) eq(z_hw, hw) X_j(b, c', hw).
 */
static void zkr_pc_cat_fold(const zkr_cnn_cat *a, unsigned j, const zkr_gl *x,
                            const zkr_ext *ehw, const zkr_ext *eb, zkr_ext *xz)
{
    size_t nhw = (size_t)1 << a->lhw, nc = (size_t)1 << a->lc[j], nb = (size_t)1 << a->lb;

    for (size_t c = 0; c < nc; c++) {
        zkr_ext acc = zkr_ext_from(0);
        for (size_t b = 0; b < nb; b++) {
            const zkr_gl *row = x + ((((b << a->lc[j]) | c)) << a->lhw);
            zkr_ext rb = zkr_ext_from(0);
            for (size_t h = 0; h < nhw; h++)
                if (row[h])
                    rb = zkr_ext_add(rb, zkr_ext_mul_base(ehw[h], row[h]));
            acc = zkr_ext_add(acc, zkr_ext_mul(eb[b], rb));
        }
        xz[c] = acc;
    }
}

zkr_err zkr_prover_cnn_concat(zkr_transcript *t, const zkr_cnn_cat *a, const zkr_gl *const *x,
                              const zkr_gl *y, unsigned threads, zkr_buf *buf, zkr_cnn_claims *cl)
{
    static const zkr_sc_term term[1] = {{{{1, 0, 0}}, 2, {0, 1, 0, 0}}};
    unsigned nz = a->lhw + a->lco + a->lb;
    size_t nhw = (size_t)1 << a->lhw, nb = (size_t)1 << a->lb, nco = (size_t)1 << a->lco;
    size_t mc = 1;
    zkr_ext z[ZKR_CNN_MAX_PT], yv[1 + ZKR_CNN_CAT_MAX_IN], s[ZKR_CNN_MAX_PT], pt[ZKR_CNN_MAX_PT];
    zkr_ext *ehw = NULL, *eb = NULL, *ec = NULL, *mem = NULL, *tabs[2];
    zkr_err r = ZKR_ERR_NOMEM;

    if (a->k < 2 || a->k > ZKR_CNN_CAT_MAX_IN || nz > ZKR_CNN_MAX_VARS)
        return ZKR_ERR_USAGE;
    for (unsigned j = 0; j < a->k; j++)
        if (((size_t)1 << a->lc[j]) > mc)
            mc = (size_t)1 << a->lc[j];
    if (!(ehw = malloc((nhw + nb + nco) * sizeof *ehw)) ||
        !(mem = zkr_pc_ext_tables(2 * a->k, mc)))
        goto out;
    eb = ehw + nhw, ec = eb + nb;
    zkr_ts_challenge_exts(t, "cnn-cat-z", z, nz);
    zkr_mle_eq_table(z, a->lhw, ehw);
    zkr_mle_eq_table(z + a->lhw, a->lco, ec);
    zkr_mle_eq_table(z + a->lhw + a->lco, a->lb, eb);
    if ((r = zkr_mle_eval_base(y, nz, z, &yv[0])) != ZKR_OK)
        goto out;
    /* Tables per input: X_j folded at z (2j), its selector eq(z_c, off_j + c') (2j + 1). */
    for (unsigned j = 0; j < a->k; j++) {
        zkr_ext *xz = mem + 2 * j * mc, *sel = xz + mc;
        zkr_pc_cat_fold(a, j, x[j], ehw, eb, xz);
        yv[1 + j] = zkr_ext_from(0);
        for (uint32_t c = 0; c < a->c[j]; c++) {
            sel[c] = ec[a->off[j] + c];
            yv[1 + j] = zkr_ext_add(yv[1 + j], zkr_ext_mul(sel[c], xz[c]));
        }
    }
    if ((r = zkr_pc_send(t, "cnn-cat-yv", yv, 1 + a->k, buf)) != ZKR_OK ||
        (r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_Y, z, nz, yv[0])) != ZKR_OK)
        goto out;
    for (unsigned j = 0; j < a->k; j++) {
        zkr_ext xv;
        tabs[0] = mem + 2 * j * mc, tabs[1] = tabs[0] + mc;
        if ((r = zkr_pc_sumcheck(t, tabs, 2, term, 1, 2, a->lc[j], threads, buf, s)) != ZKR_OK)
            goto out;
        xv = tabs[0][0];
        if ((r = zkr_pc_send(t, "cnn-cat-x", &xv, 1, buf)) != ZKR_OK)
            goto out;
        memcpy(pt, z, a->lhw * sizeof *pt);
        memcpy(pt + a->lhw, s, a->lc[j] * sizeof *pt);
        memcpy(pt + a->lhw + a->lc[j], z + a->lhw + a->lco, a->lb * sizeof *pt);
        if ((r = zkr_cnn_claim_add(cl, ZKR_CNN_POLY_X, pt, a->lhw + a->lc[j] + a->lb, xv)) !=
            ZKR_OK)
            goto out;
    }
out:
    free(ehw);
    free(mem);
    return r;
}
