/*
 * graph-inference@2 provers (prover/ginfer2.h): the zero-knowledge
 * convolution. Transcript order and bytes are docs/proof-system.md's
 * ("graph-inference@2", "Zero-knowledge convolution"); the verifier is
 * verifier/ginfer2.c.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "zkr_config.h"

#define G2_D ZKR_GINF2_DEGREE

typedef struct {
    const zkr_params *p;
    zkr_transcript *t;
    const zkr_cnn_conv *c;
    const zkr_ginf2_popts *o;
    const zkr_ginf2_cin *in;
    zkr_zkrng *rng;
    zkr_buf *out;
    unsigned threads, lk, nu, nx, nw, ny, lo, lc;
    unsigned lku;       /* U's kernel variables (lk less a depthwise multiplier's lm) */
    unsigned lex;       /* U's zero variables above (k, o) (zkr_ginf2_u_pad); nu counts them */
    zkr_hpcs_poly *x, *w, *y, *u, *cp;
    zkr_ext z[64], rco[32], ro[32], r[32], rho;
    zkr_ext *gco;       /* Libra coefficients (stride) */
    zkr_ext *tb[3];     /* W^, U^, Y^ coupled on k_0: 2^(lk + 1) each */
    zkr_ext *sel;       /* depthwise: the public selector over (k, c, m), 2^lk; NULL else */
} g2c_ctx;

static void g2_wipe_free(void *p, size_t n)
{
    if (p)
        sodium_memzero(p, n);
    free(p);
}

/* A commitment's blinding variables (its total less the hidden polynomial's). */
static unsigned g2_blind(const zkr_hpcs_poly *f)
{
    return zkr_hpcs_poly_total_vars(f) - zkr_hpcs_poly_n_vars(f);
}

static int64_t g2_signed(zkr_gl v)
{
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

/*
 * U = im2col(X): entry (k = (j, i, ci), o = (ox, oy)) at k | o << lk, the
 * real value (X's block entry + in_off; zk/ginfer2.h, zkr_ginf2_cin).
 */
static void g2c_u_table(const g2c_ctx *s, const zkr_gl *xt, zkr_gl *u)
{
    const zkr_cnn_win *g = &s->c->g;

    memset(u, 0, ((size_t)1 << s->nu) * sizeof *u);
    for (uint32_t ci = 0; ci < g->c; ci++)
        for (uint32_t i = 0; i < g->kh; i++)
            for (uint32_t j = 0; j < g->kw; j++)
                for (uint32_t oy = 0; oy < g->oh; oy++)
                    for (uint32_t ox = 0; ox < g->ow; ox++) {
                        int64_t yy = (int64_t)oy * g->sh + (int64_t)i * g->dh - g->pt;
                        int64_t xx = (int64_t)ox * g->sw + (int64_t)j * g->dw - g->pl;
                        size_t k = j | ((size_t)i << g->lkw) | ((size_t)ci << (g->lkw + g->lkh));
                        size_t o = ox | ((size_t)oy << g->low);
                        if (yy < 0 || xx < 0 || yy >= g->h || xx >= g->w)
                            continue;
                        size_t at = zkr_ginf2_x_index(s->c, s->in, ci, (uint32_t)yy,
                                                      (uint32_t)xx);
                        u[k | (o << s->lku)] = zkr_gl_add(
                            xt[at], s->in->in_off < 0 ? ZKR_GL_P - (uint64_t)-s->in->in_off
                                                      : (uint64_t)s->in->in_off);
                    }
}

static zkr_err g2c_commit_u(g2c_ctx *s)
{
    size_t n = (size_t)1 << s->nu;
    zkr_gl *u = malloc(n * sizeof *u);
    zkr_hpcs_commitment comm;
    unsigned ue;
    zkr_err r;

    if (!u)
        return ZKR_ERR_NOMEM;
    g2c_u_table(s, zkr_hpcs_poly_base_evals(s->x), u);
#if ZKR_TEST_BUILD
    u[0] = zkr_gl_add(u[0], s->o->u_delta < 0 ? ZKR_GL_P - (uint64_t)-s->o->u_delta
                                              : (uint64_t)s->o->u_delta);
#endif
    for (size_t i = 0; i < n; i++) {
        int64_t v = g2_signed(u[i]);
        if (v < s->in->u_lo || v > s->in->u_lo + 255) { /* X's real entries: U's table */
            g2_wipe_free(u, n * sizeof *u);
            return ZKR_ERR_USAGE;
        }
    }
    ue = zkr_ginf2_range_blind(s->p, s->nu, ZKR_GINF2_U_BUDGET);
    r = ue == 0 ? ZKR_ERR_TOO_LARGE
                : zkr_prover_hcommit_sized(s->p, u, s->nu, s->nu + ue, ZKR_GINF2_U_BUDGET, s->rng,
                                           s->threads, &s->u, &comm);
    g2_wipe_free(u, n * sizeof *u);
    if (r != ZKR_OK)
        return r;
    zkr_ts_absorb(s->t, "g2c-u-root", comm.root, ZKR_DIGEST_BYTES);
    return zkr_buf_append(s->out, comm.root, ZKR_DIGEST_BYTES);
}

/* U's range proof with the link U~(z) = sum S_z X (or without it: OFF_LINK). */
static zkr_err g2c_link(g2c_ctx *s)
{
    const zkr_cnn_win *g = &s->c->g;
    size_t nu = (size_t)1 << s->nu, nx = (size_t)1 << s->nx, base = (size_t)s->in->block << s->nx;
    size_t nb = (size_t)1 << zkr_ginf2_conv_x_vars(s->c, s->in);
    zkr_ext *wa = calloc(nu, sizeof *wa), *ub = calloc(nb, sizeof *ub), *ec = NULL;
    zkr_ext *ah = NULL, ssum = zkr_ext_from(0), ez = zkr_ext_from(1);
    const zkr_ext *pz = s->z;
    zkr_cnn_view_pt v = {pz + g->lkw + g->lkh, pz + g->lkw, pz, pz + s->lku + g->low,
                         pz + s->lku};
    zkr_zkrange_table tab = {s->in->u_lo, 256};
    zkr_err r = ZKR_ERR_NOMEM;

    zkr_ts_challenge_exts(s->t, "g2c-z", s->z, s->nu);
    if (s->o->off & ZKR_GINF2_OFF_LINK) {
        r = zkr_prover_zkrange(s->p, s->t, s->u, &tab, s->rng, s->threads, s->out);
        goto out;
    }
    ec = malloc(((size_t)1 << g->lc) * sizeof *ec);
    ah = malloc((((size_t)1 << g->lh) + ((size_t)1 << g->lw)) * sizeof *ah);
    if (!wa || !ub || !ec || !ah)
        goto out;
    zkr_mle_eq_table(s->z, s->nu, wa);
    for (unsigned i = s->nu - s->lex; i < s->nu; i++) /* eq(z_ex, 0): U is view(X) at ex = 0 */
        ez = zkr_ext_mul(ez, zkr_ext_sub(zkr_ext_from(1), s->z[i]));
    zkr_mle_eq_table(v.pc, g->lc, ec);
    if ((r = zkr_cnn_view_axes(g, &v, ah, ah + ((size_t)1 << g->lh))) != ZKR_OK)
        goto out;
    if (s->in->flat) /* the record's flat layout: real positions only (never the label) */
        for (uint32_t cc = 0; cc < g->c; cc++)
            for (uint32_t yy = 0; yy < g->h; yy++)
                for (uint32_t xx = 0; xx < g->w; xx++) {
                    zkr_ext sv = zkr_ext_mul(
                        ez, zkr_ext_mul(ec[cc], zkr_ext_mul(ah[yy], ah[((size_t)1 << g->lh) + xx])));
                    ub[zkr_ginf2_x_index(s->c, s->in, cc, yy, xx)] =
                        zkr_ext_sub(zkr_ext_from(0), sv);
                    ssum = zkr_ext_add(ssum, sv);
                }
    for (size_t i = 0; i < nx && !s->in->flat; i++) {
        size_t xx = i & (((size_t)1 << g->lw) - 1), yy = (i >> g->lw) & (((size_t)1 << g->lh) - 1);
        size_t cc = i >> (g->lw + g->lh);
        zkr_ext sv;
        if (cc >= g->c) /* real channels only: a padded entry of X never reaches U */
            continue;
        sv = zkr_ext_mul(ez, zkr_ext_mul(ec[cc], zkr_ext_mul(ah[yy], ah[((size_t)1 << g->lh) + xx])));
        ub[base | i] = zkr_ext_sub(zkr_ext_from(0), sv);
        ssum = zkr_ext_add(ssum, sv);
    }
    {
        /* U~(z) - sum S_z X_block = in_off sum_real S_z (zk/ginfer2.h, zkr_ginf2_cin) */
        zkr_ext claim = zkr_ext_mul_base(ssum, s->in->in_off < 0
                                                   ? ZKR_GL_P - (uint64_t)-s->in->in_off
                                                   : (uint64_t)s->in->in_off);
        zkr_zkrange_lin lin = {claim, wa, NULL, NULL};
        zkr_zkrange_link link = {s->x, ub, NULL, NULL, NULL, 0, 0};
        r = zkr_prover_zkrange_link(s->p, s->t, s->u, &tab, &lin, &link, NULL, s->rng, s->threads,
                                    s->out);
    }
out:
    free(wa);
    free(ub);
    free(ec);
    free(ah);
    return r;
}

static zkr_err g2c_w_range(g2c_ctx *s)
{
    zkr_zkrange_table tab = ZKR_ZKRANGE_INT8;

    if (s->o->off & ZKR_GINF2_OFF_RANGE)
        return ZKR_OK;
#if ZKR_TEST_BUILD
    if (s->o->force_range)
        return zkr_prover_zkrange_force(s->p, s->t, s->w, &tab, s->rng, s->out);
#endif
    return zkr_prover_zkrange(s->p, s->t, s->w, &tab, s->rng, s->threads, s->out);
}

/* The Libra mask's coefficients and their hiding commitment C (budget 1). */
static zkr_err g2c_commit_c(g2c_ctx *s)
{
    size_t stride = zkr_ginf2_stride(s->lk), len = (size_t)1 << s->lc;
    zkr_gl *ct = calloc(len, sizeof *ct);
    zkr_hpcs_commitment comm;
    zkr_err r;

    s->gco = malloc(stride * sizeof *s->gco);
    if (!ct || !s->gco) {
        free(ct);
        return ZKR_ERR_NOMEM;
    }
    for (size_t i = 0; i < stride; i++) {
        s->gco[i] = zkr_zkrng_ext(s->rng);
        for (unsigned k = 0; k < 3; k++)
            ct[k * stride + i] = s->gco[i].c[k];
    }
    r = zkr_prover_hcommit(s->p, ct, s->lc, 1, s->rng, s->threads, &s->cp, &comm);
    g2_wipe_free(ct, len * sizeof *ct);
    if (r != ZKR_OK)
        return r;
    zkr_ts_absorb(s->t, "g2c-c-root", comm.root, ZKR_DIGEST_BYTES);
    return zkr_buf_append(s->out, comm.root, ZKR_DIGEST_BYTES);
}

/*
 * The coupled table of a hidden P: T[k | u << lk] = F_P(k_<low, hi, u, 0..)
 * for u in {0, 1}, hi fixed to the point pt (nh coordinates) above P's low
 * variables, broadcast over k's variables from low up (low 0: Y, constant
 * in k; low lku < lk: a depthwise U, constant in the multiplier's m).
 */
static zkr_err g2c_coupled(const g2c_ctx *s, const zkr_hpcs_poly *f, unsigned low,
                           const zkr_ext *pt, unsigned nh, zkr_ext *out)
{
    const zkr_gl *ft = zkr_hpcs_poly_base_evals(f);
    unsigned n = zkr_hpcs_poly_n_vars(f);
    size_t nl = (size_t)1 << low, nhi = (size_t)1 << nh, lk = (size_t)1 << s->lk;
    zkr_ext *eq = malloc(nhi * sizeof *eq);

    if (!eq)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(pt, nh, eq);
    for (size_t u = 0; u < 2; u++)
        for (size_t k = 0; k < nl; k++) {
            zkr_ext acc = zkr_ext_from(0);
            for (size_t h = 0; h < nhi; h++)
                acc = zkr_ext_add(acc, zkr_ext_mul_base(eq[h], ft[k | (h << low) | (u << n)]));
            for (size_t kk = 0; kk < (lk >> low); kk++)
                out[k | (kk << low) | (u * lk)] = acc;
        }
    free(eq);
    return ZKR_OK;
}

/*
 * The depthwise selector sel(k, c, m) = eq(rco, c mult + m) on real (c, m),
 * constant in the kernel position k (so in the first round's variable:
 * the round degree stays ZKR_GINF2_DEGREE). Test builds: ZKR_GINF2_CHEAT_DW_T maps
 * (c, m) to m C + c (the output channels transposed).
 */
static zkr_err g2c_sel_table(g2c_ctx *s)
{
    const zkr_cnn_conv *c = s->c;
    unsigned lsp = c->g.lkw + c->g.lkh;
    size_t nsp = (size_t)1 << lsp;
    zkr_ext *eqo = malloc(((size_t)1 << c->lco) * sizeof *eqo);
    int cheat = (s->o->off & ZKR_GINF2_CHEAT_DW_T) != 0; /* off is 0 outside test builds */

    if (!eqo || !(s->sel = calloc((size_t)1 << s->lk, sizeof *s->sel))) {
        free(eqo);
        return ZKR_ERR_NOMEM;
    }
    zkr_mle_eq_table(s->rco, c->lco, eqo);
    for (uint32_t m = 0; m < c->mult; m++)
        for (uint32_t ci = 0; ci < c->g.c; ci++) {
            zkr_ext e = eqo[cheat ? (size_t)m * c->g.c + ci : (size_t)ci * c->mult + m];
            size_t base = ((size_t)ci << lsp) | ((size_t)m << (lsp + c->g.lc));
            for (size_t k = 0; k < nsp; k++)
                s->sel[base | k] = e;
        }
    free(eqo);
    return ZKR_OK;
}

static zkr_err g2c_tables(g2c_ctx *s)
{
    size_t len = (size_t)2 << s->lk;
    zkr_ext yp[64];
    zkr_err r;

    for (int i = 0; i < 3; i++)
        if (!(s->tb[i] = malloc(len * sizeof(zkr_ext))))
            return ZKR_ERR_NOMEM;
    memcpy(yp, s->ro, (size_t)s->lo * sizeof *yp);
    memcpy(yp + s->lo, s->rco, (size_t)s->c->lco * sizeof *yp);
    {
        zkr_ext up[64]; /* (ro, 0..): U's own part at ex = 0 */
        memcpy(up, s->ro, (size_t)s->lo * sizeof *up);
        for (unsigned i = 0; i < s->lex; i++)
            up[s->lo + i] = zkr_ext_from(0);
        if ((r = g2c_coupled(s, s->w, s->lk, s->rco, s->c->depthwise ? 0 : s->c->lco,
                             s->tb[0])) != ZKR_OK ||
            (r = g2c_coupled(s, s->u, s->lku, up, s->lo + s->lex, s->tb[1])) != ZKR_OK)
            return r;
    }
    if ((r = g2c_coupled(s, s->y, 0, yp, s->ny, s->tb[2])) != ZKR_OK)
        return r;
    return s->c->depthwise ? g2c_sel_table(s) : ZKR_OK;
}

/* P at c for pair i: coupled (round 0: u = s(c)) or plain. */
static zkr_ext g2c_at(const zkr_ext *t, size_t i, size_t ustride, int coupled, zkr_ext c)
{
    zkr_ext a0 = zkr_ext_add(t[2 * i], zkr_ext_mul(c, zkr_ext_sub(t[2 * i + 1], t[2 * i])));
    zkr_ext a1;

    if (!coupled)
        return a0;
    a1 = zkr_ext_add(t[2 * i + ustride],
                     zkr_ext_mul(c, zkr_ext_sub(t[2 * i + 1 + ustride], t[2 * i + ustride])));
    return zkr_ext_add(a0, zkr_ext_mul(zkr_ginf2_s(c), zkr_ext_sub(a1, a0)));
}

/* Round i's message of f + rho g: h(0), h(2), .., h(D). */
static void g2c_round(const g2c_ctx *s, unsigned i, zkr_ext prefix, zkr_ext msg[G2_D])
{
    unsigned n_cur = s->lk - i;
    size_t half = (size_t)1 << (n_cur - 1), ustride = (size_t)1 << s->lk;
    zkr_gl inv2k = zkr_gl_inv(zkr_gl_pow(2, s->lk));
    zkr_ext suf = zkr_ext_from(0), base = zkr_ext_add(s->gco[0], prefix);

    for (unsigned k = i + 1; k < s->lk; k++)
        suf = zkr_ext_add(suf, zkr_ginf2_gi(s->gco, k, zkr_ext_from(1)));
    for (unsigned c = 0; c <= G2_D; c++) {
        zkr_ext cc = zkr_ext_from(c), acc = zkr_ext_from(0), g;
        if (c == 1)
            continue;
        for (size_t j = 0; j < half; j++) {
            zkr_ext pw = g2c_at(s->tb[0], j, ustride, i == 0, cc);
            zkr_ext pu = g2c_at(s->tb[1], j, ustride, i == 0, cc);
            zkr_ext py = g2c_at(s->tb[2], j, ustride, i == 0, cc);
            if (s->sel) /* public, not coupled: constant in k_0 (zkr_ginf2_conv_check) */
                pw = zkr_ext_mul(pw, g2c_at(s->sel, j, 0, 0, cc));
            acc = zkr_ext_add(acc, zkr_ext_sub(zkr_ext_mul(pw, pu), zkr_ext_mul_base(py, inv2k)));
        }
        g = zkr_ext_mul_base(zkr_ext_add(base, zkr_ginf2_gi(s->gco, i, cc)),
                             zkr_gl_pow(2, n_cur - 1));
        if (n_cur > 1)
            g = zkr_ext_add(g, zkr_ext_mul_base(suf, zkr_gl_pow(2, n_cur - 2)));
        msg[c ? c - 1 : 0] = zkr_ext_add(acc, zkr_ext_mul(s->rho, g));
    }
}

static void g2c_fold(g2c_ctx *s, unsigned i, zkr_ext ri)
{
    size_t half = (size_t)1 << (s->lk - i - 1), ustride = (size_t)1 << s->lk;

    for (int k = 0; k < 3; k++)
        for (size_t j = 0; j < half; j++)
            s->tb[k][j] = g2c_at(s->tb[k], j, ustride, i == 0, ri);
    for (size_t j = 0; s->sel && j < half; j++)
        s->sel[j] = g2c_at(s->sel, j, 0, 0, ri);
}

static zkr_err g2c_sumcheck(g2c_ctx *s)
{
    zkr_ext msg[G2_D], prefix = zkr_ext_from(0), gamma = zkr_ginf2_gsum(s->gco, s->lk);
    zkr_err r;

    zkr_ts_absorb_ext(s->t, "g2c-gamma", &gamma, 1);
    if ((r = zkr_enc_ext(s->out, gamma)) != ZKR_OK)
        return r;
    s->rho = zkr_ts_challenge_ext(s->t, "g2c-rho");
    for (unsigned i = 0; i < s->lk; i++) {
        g2c_round(s, i, prefix, msg);
        zkr_ts_absorb_ext(s->t, "sc-round", msg, G2_D);
        s->r[i] = zkr_ts_challenge_ext(s->t, "sc-challenge");
        if ((r = zkr_enc_exts(s->out, msg, G2_D)) != ZKR_OK)
            return r;
        g2c_fold(s, i, s->r[i]);
        prefix = zkr_ext_add(prefix, zkr_ginf2_gi(s->gco, i, s->r[i]));
    }
    return ZKR_OK;
}

/* One hiding opening (k = 1) of f at (pt, s(r_0), 0..). */
static zkr_err g2c_open(g2c_ctx *s, zkr_hpcs_poly *f, const zkr_ext *pt, zkr_ext v)
{
    zkr_ext zf[64];
    unsigned n = zkr_hpcs_poly_n_vars(f);

    zkr_ginf2_full_point(pt, n, s->r[0], zkr_hpcs_poly_total_vars(f), zf);
    return zkr_prover_hopen_batch(s->p, s->t, &f, 1, zf, &v, s->rng, s->threads, s->out);
}

static zkr_err g2c_values(g2c_ctx *s)
{
    zkr_ext vals[4] = {s->tb[0][0], s->tb[1][0], s->tb[2][0], zkr_ginf2_gat(s->gco, s->lk, s->r)};
    zkr_ext pt[64];
    zkr_err r;

    zkr_ts_absorb_ext(s->t, "g2c-values", vals, 4);
    if ((r = zkr_enc_exts(s->out, vals, 4)) != ZKR_OK)
        return r;
    memcpy(pt, s->r, (size_t)s->lk * sizeof *pt);
    if (!s->c->depthwise) /* depthwise: W's variables are the sumcheck's (j, i, c, m) */
        memcpy(pt + s->lk, s->rco, (size_t)s->c->lco * sizeof *pt);
    if ((r = g2c_open(s, s->w, pt, vals[0])) != ZKR_OK)
        return r;
    memcpy(pt + s->lku, s->ro, (size_t)s->lo * sizeof *pt); /* U: r's first lku, ro, 0.. */
    for (unsigned i = 0; i < s->lex; i++)
        pt[s->lku + s->lo + i] = zkr_ext_from(0);
    if ((r = g2c_open(s, s->u, pt, vals[1])) != ZKR_OK)
        return r;
    memcpy(pt, s->ro, (size_t)s->lo * sizeof *pt);
    memcpy(pt + s->lo, s->rco, (size_t)s->c->lco * sizeof *pt);
    return g2c_open(s, s->y, pt, vals[2]);
}

zkr_err zkr_prover_ginf2_lin(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *f,
                             const zkr_ext *weights, zkr_zkrng *rng, unsigned threads,
                             zkr_buf *out)
{
    unsigned n = zkr_hpcs_poly_n_vars(f);
    size_t len = (size_t)1 << n;
    zkr_hpcs_poly *mask = NULL;
    uint8_t root[ZKR_DIGEST_BYTES];
    zkr_ext *tab[2] = {calloc(len, sizeof(zkr_ext)), calloc(len, sizeof(zkr_ext))};
    zkr_ext *msgs = calloc(2 * (size_t)n + 1, sizeof *msgs), rc[64], sigma = zkr_ext_from(0);
    zkr_ext rho, v;
    const zkr_gl *cb = zkr_hpcs_poly_base_evals(f);
    const zkr_ext *zv;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!cb || n < 1 || n > 64)
        r = ZKR_ERR_USAGE;
    if (!cb || n < 1 || n > 64 || !tab[0] || !tab[1] || !msgs)
        goto out;
    if ((r = zkr_prover_hmask(p, zkr_hpcs_poly_total_vars(f), rng, threads, &mask, root)) !=
        ZKR_OK)
        goto out;
    zv = zkr_hpcs_mask_evals(mask);
    memcpy(tab[1], weights, len * sizeof *tab[1]);
    for (size_t j = 0; j < len; j++)
        sigma = zkr_ext_add(sigma, zkr_ext_mul(zv[j], tab[1][j]));
    zkr_ts_absorb(t, "g2-lmask-root", root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_ext(t, "g2-lsigma", &sigma, 1);
    rho = zkr_ts_challenge_ext(t, "g2-lrho");
    for (size_t j = 0; j < len; j++) {
        tab[0][j] = zkr_ext_mul(rho, zv[j]);
        tab[0][j].c[0] = zkr_gl_add(tab[0][j].c[0], cb[j]);
    }
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly fp = {tab, 2, &term, 1, 2, NULL};
        zkr_prover_sumcheck(&fp, n, t, threads, msgs, rc);
    }
    v = tab[0][0];
    zkr_ts_absorb_ext(t, "g2-lv", &v, 1);
    if ((r = zkr_buf_append(out, root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_ext(out, sigma)) != ZKR_OK ||
        (r = zkr_enc_exts(out, msgs, 2 * (size_t)n)) != ZKR_OK || (r = zkr_enc_ext(out, v)) != ZKR_OK)
        goto out;
    r = zkr_prover_hopen(p, t, f, mask, rho, rc, v, rng, threads, out);
out:
    zkr_hpcs_poly_free(mask);
    for (int i = 0; i < 2; i++)
        g2_wipe_free(tab[i], tab[i] ? len * sizeof(zkr_ext) : 0);
    free(msgs);
    return r;
}

/* g(r) = <C, Lambda(r)>: the masked linear sumcheck and C's hiding opening. */
static zkr_err g2c_coef(g2c_ctx *s)
{
    zkr_ext *lam = malloc(((size_t)1 << s->lc) * sizeof *lam);
    zkr_err r;

    if (!lam)
        return ZKR_ERR_NOMEM;
    zkr_ginf2_lambda(s->r, s->lk, lam);
    r = zkr_prover_ginf2_lin(s->p, s->t, s->cp, lam, s->rng, s->threads, s->out);
    free(lam);
    return r;
}

static zkr_err g2c_run(g2c_ctx *s)
{
    zkr_err r;

    if ((r = g2c_commit_u(s)) != ZKR_OK || (r = g2c_commit_c(s)) != ZKR_OK)
        return r;
    zkr_ts_challenge_exts(s->t, "g2c-rco", s->rco, s->c->lco);
    zkr_ts_challenge_exts(s->t, "g2c-ro", s->ro, s->lo);
    if ((r = g2c_tables(s)) != ZKR_OK || (r = g2c_sumcheck(s)) != ZKR_OK ||
        (r = g2c_values(s)) != ZKR_OK || (r = g2c_coef(s)) != ZKR_OK ||
        (r = g2c_w_range(s)) != ZKR_OK)
        return r;
    return g2c_link(s);
}

zkr_err zkr_prover_ginf2_conv(const zkr_params *p, zkr_transcript *t, const zkr_cnn_conv *c,
                              zkr_hpcs_poly *x, zkr_hpcs_poly *w, zkr_hpcs_poly *y,
                              const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *out)
{
    zkr_ginf2_cin in = ZKR_GINF2_CIN_PLAIN;

    return zkr_prover_ginf2_conv_in(p, t, c, &in, x, w, y, o, rng, out);
}

zkr_err zkr_prover_ginf2_conv_in(const zkr_params *p, zkr_transcript *t, const zkr_cnn_conv *c,
                                 const zkr_ginf2_cin *in, zkr_hpcs_poly *x, zkr_hpcs_poly *w,
                                 zkr_hpcs_poly *y, const zkr_ginf2_popts *o, zkr_zkrng *rng,
                                 zkr_buf *out)
{
    g2c_ctx s;
    zkr_params pg;
    unsigned g2x;
    size_t mark = out->len;
    zkr_err r;

    if ((r = zkr_ginf2_conv_check_in(c, in)) != ZKR_OK)
        return r;
    if ((!ZKR_TEST_BUILD && (o->off || o->force_range || o->u_delta)) || !zkr_hpcs_poly_base_evals(x) ||
        !zkr_hpcs_poly_base_evals(w) || !zkr_hpcs_poly_base_evals(y) ||
        zkr_hpcs_poly_n_vars(x) != zkr_ginf2_conv_x_vars(c, in) ||
        zkr_hpcs_poly_n_vars(w) != zkr_cnn_conv_w_vars(c) ||
        zkr_hpcs_poly_n_vars(y) != zkr_cnn_conv_y_vars(c) ||
        zkr_hpcs_budget_left(x) < ZKR_GINF2_X_OPENINGS ||
        zkr_hpcs_budget_left(w) < ZKR_GINF2_W_OPENINGS ||
        zkr_hpcs_budget_left(y) < ZKR_GINF2_Y_OPENINGS)
        return ZKR_ERR_USAGE;
    /* every opening grinds the relation's extra bits (the verifier computes the same) */
    g2x = zkr_ginf2_conv_grind_bits_in(p, c, in, g2_blind(x), g2_blind(w), g2_blind(y), o->share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_conv_soundness_in(p, c, in, g2_blind(x), g2_blind(w),
                                                                g2_blind(y), g2x),
                                    o->off, o->share, &pg)) != ZKR_OK)
        return r;
    p = &pg;
    memset(&s, 0, sizeof s);
    s.p = p, s.t = t, s.c = c, s.o = o, s.in = in, s.rng = rng, s.out = out;
    s.threads = o->threads ? o->threads : 1;
    s.x = x, s.w = w, s.y = y;
    s.lk = zkr_ginf2_sc_vars(c), s.lku = zkr_ginf2_k_vars(c);
    s.nu = zkr_ginf2_u_vars_in(c, in), s.nx = zkr_cnn_in_vars(&c->g);
    s.lex = zkr_ginf2_u_pad(c, in);
    s.nw = zkr_cnn_conv_w_vars(c), s.ny = zkr_cnn_conv_y_vars(c);
    s.lo = c->g.loh + c->g.low, s.lc = zkr_ginf2_coef_vars(s.lk);
    r = g2c_run(&s);
    if (r != ZKR_OK)
        out->len = mark;
    zkr_hpcs_poly_free(s.u);
    zkr_hpcs_poly_free(s.cp);
    g2_wipe_free(s.gco, s.gco ? zkr_ginf2_stride(s.lk) * sizeof *s.gco : 0);
    for (int i = 0; i < 3; i++)
        g2_wipe_free(s.tb[i], s.tb[i] ? ((size_t)2 << s.lk) * sizeof(zkr_ext) : 0);
    free(s.sel); /* public */
    sodium_memzero(&s, sizeof s);
    return r;
}

/* sum_i w[i] f[i] over f's 2^n_vars base entries. */
static zkr_ext g2p_dot(const zkr_hpcs_poly *f, const zkr_ext *w)
{
    const zkr_gl *ft = zkr_hpcs_poly_base_evals(f);
    zkr_ext acc = zkr_ext_from(0);

    for (size_t i = 0; i < ((size_t)1 << zkr_hpcs_poly_n_vars(f)); i++)
        acc = zkr_ext_add(acc, zkr_ext_mul_base(w[i], ft[i]));
    return acc;
}

zkr_err zkr_prover_ginf2_parts(const zkr_params *p, zkr_transcript *t, const char *label,
                               zkr_hpcs_poly *a, const zkr_ext *wa, zkr_hpcs_poly *b,
                               const zkr_ext *wb, zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    zkr_ext parts[2] = {g2p_dot(a, wa), g2p_dot(b, wb)};
    zkr_err r;

    zkr_ts_absorb_ext(t, label, parts, 2);
    if ((r = zkr_enc_exts(out, parts, 2)) != ZKR_OK ||
        (r = zkr_prover_ginf2_lin(p, t, a, wa, rng, threads, out)) != ZKR_OK)
        return r;
    return zkr_prover_ginf2_lin(p, t, b, wb, rng, threads, out);
}

zkr_err zkr_prover_ginf2_link(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *v,
                              const zkr_ext *wv, zkr_ext claim, zkr_hpcs_poly *x,
                              const zkr_ext *wx, int force, zkr_zkrng *rng, unsigned threads,
                              zkr_buf *out)
{
    zkr_zkrange_table tab = ZKR_GINF2_RQ_TABLE;
    zkr_zkrange_lin lin = {claim, wv, NULL, NULL};
    zkr_zkrange_link link = {x, wx, NULL, NULL, NULL, 0, 0};
    zkr_zkrange_cheat cht;

    memset(&cht, 0, sizeof cht);
    cht.force = ZKR_TEST_BUILD && force;
    return zkr_prover_zkrange_link(p, t, v, &tab, &lin, &link, &cht, rng, threads, out);
}

zkr_err zkr_prover_ginf2_pair(const zkr_params *p, zkr_transcript *t, const char *label,
                              zkr_hpcs_poly *v, const zkr_ext *wv, zkr_ext claim,
                              zkr_hpcs_poly *x, const zkr_ext *wx, const zkr_ginf2_popts *o,
                              zkr_zkrng *rng, zkr_buf *out)
{
    unsigned threads = o->threads ? o->threads : 1;

    if (o->off & ZKR_GINF2_OFF_RANGE)
        return zkr_prover_ginf2_parts(p, t, label, v, wv, x, wx, rng, threads, out);
    return zkr_prover_ginf2_link(p, t, v, wv, claim, x, wx, o->force_range, rng, threads, out);
}

zkr_err zkr_prover_ginf2_check2(const zkr_ginf2_popts *o, zkr_hpcs_poly *x, unsigned nx,
                                zkr_hpcs_poly *v, unsigned nv)
{
    if ((!ZKR_TEST_BUILD && (o->off || o->force_range)) ||
        (o->off & ~(ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND)) || !zkr_hpcs_poly_base_evals(x) ||
        !zkr_hpcs_poly_base_evals(v) || zkr_hpcs_poly_n_vars(x) != nx ||
        zkr_hpcs_poly_n_vars(v) != nv || zkr_hpcs_budget_left(x) < 1 ||
        zkr_hpcs_budget_left(v) < 1)
        return ZKR_ERR_USAGE;
    return ZKR_OK;
}
