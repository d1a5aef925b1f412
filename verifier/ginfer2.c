/*
 * graph-inference@2 verifiers (verifier/ginfer2.h): the zero-knowledge
 * convolution, in the order of prover/ginfer2.c.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/ginfer2.h"
#include "zkr_config.h"

typedef struct {
    const zkr_params *p;
    zkr_transcript *t;
    const zkr_cnn_conv *c;
    const zkr_ginf2_cin *in;
    const zkr_hpcs_commitment *x, *w, *y;
    unsigned off, lk, nu, lo, lc, lex; /* nu: U's variables with its lex zero ones */
    unsigned lku;                      /* U's kernel variables (lk less a depthwise lm) */
    zkr_hpcs_commitment u, cc;
    zkr_ext z[64], rco[32], ro[32], r[32], rho, vals[4];
    zkr_dec *d;
} g2v_ctx;

/* The linear claim's weights on U at r: eq(z, r). */
static zkr_err g2v_lin_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2v_ctx *s = ctx;

    *out = zkr_mle_eq_eval(s->z, r, s->nu);
    return ZKR_OK;
}

static zkr_cnn_view_pt g2v_view(const g2v_ctx *s)
{
    const zkr_cnn_win *g = &s->c->g;
    const zkr_ext *pz = s->z;

    return (zkr_cnn_view_pt){pz + g->lkw + g->lkh, pz + g->lkw, pz, pz + s->lku + g->low,
                             pz + s->lku};
}

/* eq(z_ex, 0) over U's zero variables (zkr_ginf2_u_pad). */
static zkr_ext g2v_ez(const g2v_ctx *s)
{
    zkr_ext ez = zkr_ext_from(1);

    for (unsigned i = s->nu - s->lex; i < s->nu; i++)
        ez = zkr_ext_mul(ez, zkr_ext_sub(zkr_ext_from(1), s->z[i]));
    return ez;
}

/*
 * The flat link's weights' MLE at r (zkr_ginf2_cin.flat): the table of
 * S_z over the record's flat layout, real positions only (the label and
 * the padding weigh 0), evaluated at r: O(2^n_rec).
 */
static zkr_err g2v_flat_eval(const g2v_ctx *s, const zkr_ext *r, zkr_ext *out)
{
    const zkr_cnn_win *g = &s->c->g;
    unsigned nb = zkr_ginf2_conv_x_vars(s->c, s->in);
    size_t n = (size_t)1 << nb, nh = (size_t)1 << g->lh;
    zkr_ext *eq = malloc(n * sizeof *eq), *ec = malloc(((size_t)1 << g->lc) * sizeof *ec);
    zkr_ext *ah = malloc((nh + ((size_t)1 << g->lw)) * sizeof *ah), acc = zkr_ext_from(0);
    zkr_cnn_view_pt v = g2v_view(s);
    zkr_err e = ZKR_ERR_NOMEM;

    if (!eq || !ec || !ah)
        goto out;
    zkr_mle_eq_table(r, nb, eq);
    zkr_mle_eq_table(v.pc, g->lc, ec);
    if ((e = zkr_cnn_view_axes(g, &v, ah, ah + nh)) != ZKR_OK)
        goto out;
    for (uint32_t c = 0; c < g->c; c++)
        for (uint32_t y = 0; y < g->h; y++) {
            zkr_ext cy = zkr_ext_mul(ec[c], ah[y]), row = zkr_ext_from(0);
            for (uint32_t x = 0; x < g->w; x++)
                row = zkr_ext_add(row, zkr_ext_mul(ah[nh + x],
                                                   eq[zkr_ginf2_x_index(s->c, s->in, c, y, x)]));
            acc = zkr_ext_add(acc, zkr_ext_mul(cy, row));
        }
    *out = zkr_ext_sub(zkr_ext_from(0), zkr_ext_mul(acc, g2v_ez(s)));
out:
    free(eq);
    free(ec);
    free(ah);
    return e;
}

/* The hidden term's weights on X at r: -S_z~(r_<nx) eq(r_>=nx, block) (real positions only). */
static zkr_err g2v_tensor_eval(const g2v_ctx *s, const zkr_ext *r, zkr_ext *out)
{
    const zkr_cnn_win *g = &s->c->g;
    unsigned nx = zkr_cnn_in_vars(g);
    zkr_cnn_view_pt v = g2v_view(s);
    zkr_ext sv, bsel = g2v_ez(s);
    zkr_err e = zkr_ginf2_conv_sel_eval(g, &v, r, &sv, NULL);

    for (unsigned i = 0; i < s->in->isl; i++) {
        zkr_ext ri = r[nx + i];
        bsel = zkr_ext_mul(bsel, (s->in->block >> i) & 1u ? ri
                                                         : zkr_ext_sub(zkr_ext_from(1), ri));
    }
    *out = zkr_ext_sub(zkr_ext_from(0), zkr_ext_mul(sv, bsel));
    return e;
}

static zkr_err g2v_link_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const g2v_ctx *s = ctx;

    return s->in->flat ? g2v_flat_eval(s, r, out) : g2v_tensor_eval(s, r, out);
}

static zkr_err g2v_root(g2v_ctx *s, const char *label, zkr_hpcs_commitment *cm, unsigned n,
                        unsigned e)
{
    const uint8_t *root;
    zkr_err r;

    memset(cm, 0, sizeof *cm);
    cm->n_vars = n;
    cm->blind_vars = e;
    if (cm->blind_vars == 0)
        return ZKR_ERR_TOO_LARGE;
    if ((r = zkr_dec_raw(s->d, ZKR_DIGEST_BYTES, &root)) != ZKR_OK)
        return r;
    memcpy(cm->root, root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(s->t, label, cm->root, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

/* W's range proof, then U's with the link U~(z) = sum S_z X (the prover's order). */
static zkr_err g2v_ranges(g2v_ctx *s)
{
    zkr_zkrange_table tu = {s->in->u_lo, 256}, tw = ZKR_ZKRANGE_INT8;
    zkr_cnn_view_pt v;
    zkr_ext sv, ssum;
    zkr_err r;

    if (!(s->off & ZKR_GINF2_OFF_RANGE) &&
        (r = zkr_zkrange_verify(s->p, s->t, s->w, &tw, s->d)) != ZKR_OK)
        return r;
    zkr_ts_challenge_exts(s->t, "g2c-z", s->z, s->nu);
    if (s->off & ZKR_GINF2_OFF_LINK)
        return zkr_zkrange_verify(s->p, s->t, &s->u, &tu, s->d);
    /* the claim in_off sum_real S_z (zk/ginfer2.h, zkr_ginf2_cin); sv is unused here */
    v = g2v_view(s);
    if ((r = zkr_ginf2_conv_sel_eval(&s->c->g, &v, s->z, &sv, &ssum)) != ZKR_OK)
        return r;
    {
        zkr_ext claim = zkr_ext_mul_base(zkr_ext_mul(ssum, g2v_ez(s)), s->in->in_off < 0
                                                   ? ZKR_GL_P - (uint64_t)-s->in->in_off
                                                   : (uint64_t)s->in->in_off);
        zkr_zkrange_lin lin = {claim, NULL, g2v_lin_eval, s};
        zkr_zkrange_link link = {NULL, NULL, s->x, g2v_link_eval, s, 0, 0};
        return zkr_zkrange_verify_link(s->p, s->t, &s->u, &tu, &lin, &link, s->d);
    }
}

/* One hiding opening (k = 1) of f at (pt, s(r_0), 0..). */
static zkr_err g2v_open(g2v_ctx *s, const zkr_hpcs_commitment *f, const zkr_ext *pt, zkr_ext v)
{
    zkr_ext zf[64];

    if (f->n_vars + f->blind_vars > 64)
        return ZKR_ERR_USAGE;
    zkr_ginf2_full_point(pt, f->n_vars, s->r[0], f->n_vars + f->blind_vars, zf);
    return zkr_hpcs_verify_batch(s->p, s->t, f, 1, zf, &v, s->d);
}

/*
 * The final value W^ U^ sel - 2^-lk Y^ + rho g(r); sel, a depthwise conv's
 * selector, evaluated here from the public shape (zkr_cnn_dw_sel), 1 for
 * groups 1. ZKR_GINF2_OFF_DW_SEL (test builds) skips a depthwise check.
 */
static zkr_err g2v_final(const g2v_ctx *s, zkr_ext fin)
{
    const zkr_cnn_conv *c = s->c;
    unsigned lsp = c->g.lkw + c->g.lkh;
    zkr_ext vw = s->vals[0];
    zkr_err r;

    if (c->depthwise) {
        zkr_ext sel;
        if ((r = zkr_cnn_dw_sel(c, s->rco, s->r + lsp, s->r + lsp + c->g.lc, &sel)) != ZKR_OK)
            return r;
        if (s->off & ZKR_GINF2_OFF_DW_SEL)
            return ZKR_OK;
        vw = zkr_ext_mul(vw, sel);
    }
    return zkr_ext_eq(fin, zkr_ginf2_conv_final(s->lk, vw, s->vals[1], s->vals[2], s->rho,
                                                s->vals[3]))
               ? ZKR_OK
               : ZKR_ERR_VERIFY;
}

static zkr_err g2v_product(g2v_ctx *s)
{
    zkr_ext gamma, fin, *msgs = malloc((size_t)s->lk * ZKR_GINF2_DEGREE * sizeof *msgs), pt[64];
    zkr_err r;

    if (!msgs)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_dec_ext(s->d, &gamma)) != ZKR_OK)
        goto out;
    zkr_ts_absorb_ext(s->t, "g2c-gamma", &gamma, 1);
    s->rho = zkr_ts_challenge_ext(s->t, "g2c-rho");
    if ((r = zkr_dec_exts(s->d, msgs, (size_t)s->lk * ZKR_GINF2_DEGREE)) != ZKR_OK)
        goto out;
    zkr_sumcheck_verify(s->t, s->lk, ZKR_GINF2_DEGREE, zkr_ext_mul(s->rho, gamma), msgs, s->r,
                        &fin);
    if ((r = zkr_dec_exts(s->d, s->vals, 4)) != ZKR_OK)
        goto out;
    zkr_ts_absorb_ext(s->t, "g2c-values", s->vals, 4);
    if ((r = g2v_final(s, fin)) != ZKR_OK)
        goto out;
    memcpy(pt, s->r, (size_t)s->lk * sizeof *pt);
    if (!s->c->depthwise) /* depthwise: W's variables are the sumcheck's (j, i, c, m) */
        memcpy(pt + s->lk, s->rco, (size_t)s->c->lco * sizeof *pt);
    if ((r = g2v_open(s, s->w, pt, s->vals[0])) != ZKR_OK)
        goto out;
    memcpy(pt + s->lku, s->ro, (size_t)s->lo * sizeof *pt); /* U: r's first lku, ro, 0.. */
    for (unsigned i = 0; i < s->lex; i++) /* U at ex = 0 */
        pt[s->lku + s->lo + i] = zkr_ext_from(0);
    if ((r = g2v_open(s, &s->u, pt, s->vals[1])) != ZKR_OK)
        goto out;
    memcpy(pt, s->ro, (size_t)s->lo * sizeof *pt);
    memcpy(pt + s->lo, s->rco, (size_t)s->c->lco * sizeof *pt);
    r = g2v_open(s, s->y, pt, s->vals[2]);
out:
    free(msgs);
    return r;
}

zkr_err zkr_verify_ginf2_lin(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *f,
                             const zkr_ext *weights, zkr_ext value, zkr_dec *d)
{
    unsigned n = f->n_vars;
    zkr_ext *msgs = malloc((2 * (size_t)n + 1) * sizeof *msgs);
    zkr_ext rc[64], fin, lv, rho, sigma, cv;
    const uint8_t *root;
    zkr_hpcs_proof *pf = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    if (n < 1 || n > 64 || f->ext) {
        free(msgs);
        return ZKR_ERR_USAGE;
    }
    if (!msgs)
        goto out;
    if ((r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &root)) != ZKR_OK ||
        (r = zkr_dec_ext(d, &sigma)) != ZKR_OK ||
        (r = zkr_dec_exts(d, msgs, 2 * (size_t)n)) != ZKR_OK ||
        (r = zkr_dec_ext(d, &cv)) != ZKR_OK ||
        (r = zkr_hpcs_proof_parse(p, n + f->blind_vars, d, &pf)) != ZKR_OK)
        goto out;
    zkr_ts_absorb(t, "g2-lmask-root", root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_ext(t, "g2-lsigma", &sigma, 1);
    rho = zkr_ts_challenge_ext(t, "g2-lrho");
    zkr_sumcheck_verify(t, n, 2, zkr_ext_add(value, zkr_ext_mul(rho, sigma)), msgs, rc, &fin);
    if ((r = zkr_mle_eval_ext(weights, n, rc, &lv)) != ZKR_OK)
        goto out;
    r = ZKR_ERR_VERIFY;
    if (!zkr_ext_eq(fin, zkr_ext_mul(cv, lv)))
        goto out;
    zkr_ts_absorb_ext(t, "g2-lv", &cv, 1);
    r = zkr_hpcs_verify(p, t, f, root, rho, rc, cv, pf);
out:
    zkr_hpcs_proof_free(pf);
    free(msgs);
    return r;
}

/* g(r) = <C, Lambda(r)> by the masked linear sumcheck and C's hiding opening. */
static zkr_err g2v_coef(g2v_ctx *s)
{
    zkr_ext *lam = malloc(((size_t)1 << s->lc) * sizeof *lam);
    zkr_err r;

    if (!lam)
        return ZKR_ERR_NOMEM;
    zkr_ginf2_lambda(s->r, s->lk, lam);
    r = zkr_verify_ginf2_lin(s->p, s->t, &s->cc, lam, s->vals[3], s->d);
    free(lam);
    return r;
}

zkr_err zkr_verify_ginf2_conv(const zkr_params *p, zkr_transcript *t, const zkr_cnn_conv *c,
                              const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *w,
                              const zkr_hpcs_commitment *y, unsigned off, unsigned share,
                              zkr_dec *d)
{
    zkr_ginf2_cin in = ZKR_GINF2_CIN_PLAIN;

    return zkr_verify_ginf2_conv_in(p, t, c, &in, x, w, y, off, share, d);
}

zkr_err zkr_verify_ginf2_conv_in(const zkr_params *p, zkr_transcript *t, const zkr_cnn_conv *c,
                                 const zkr_ginf2_cin *in, const zkr_hpcs_commitment *x,
                                 const zkr_hpcs_commitment *w, const zkr_hpcs_commitment *y,
                                 unsigned off, unsigned share, zkr_dec *d)
{
    g2v_ctx s;
    zkr_params pg;
    unsigned g2x;
    zkr_err r;

    if ((r = zkr_ginf2_conv_check_in(c, in)) != ZKR_OK)
        return r;
    if ((!ZKR_TEST_BUILD && off) || x->ext || w->ext || y->ext ||
        x->n_vars != zkr_ginf2_conv_x_vars(c, in) || w->n_vars != zkr_cnn_conv_w_vars(c) ||
        y->n_vars != zkr_cnn_conv_y_vars(c) || x->blind_vars < 1 || w->blind_vars < 1 ||
        y->blind_vars < 1)
        return ZKR_ERR_USAGE;
    /* every opening grinds the relation's extra bits (computed, not read) */
    g2x = zkr_ginf2_conv_grind_bits_in(p, c, in, x->blind_vars, w->blind_vars, y->blind_vars,
                                       share);
    /* opening parameters at the extra bits, never below the target */
    if ((r = zkr_ginf2_grind_params(p, g2x,
                                    zkr_ginf2_conv_soundness_in(p, c, in, x->blind_vars,
                                                                w->blind_vars, y->blind_vars, g2x),
                                    off, share, &pg)) != ZKR_OK)
        return r;
    p = &pg;
    memset(&s, 0, sizeof s);
    s.p = p, s.t = t, s.c = c, s.in = in, s.x = x, s.w = w, s.y = y, s.off = off, s.d = d;
    s.lk = zkr_ginf2_sc_vars(c), s.lku = zkr_ginf2_k_vars(c);
    s.nu = zkr_ginf2_u_vars_in(c, in), s.lex = zkr_ginf2_u_pad(c, in);
    s.lo = c->g.loh + c->g.low, s.lc = zkr_ginf2_coef_vars(s.lk);
    if ((r = g2v_root(&s, "g2c-u-root", &s.u, s.nu,
                       zkr_ginf2_range_blind(p, s.nu, ZKR_GINF2_U_BUDGET))) != ZKR_OK ||
        (r = g2v_root(&s, "g2c-c-root", &s.cc, s.lc, zkr_hpcs_blind_vars(p, s.lc, 1))) != ZKR_OK)
        return r;
    zkr_ts_challenge_exts(t, "g2c-rco", s.rco, c->lco);
    zkr_ts_challenge_exts(t, "g2c-ro", s.ro, s.lo);
    if ((r = g2v_product(&s)) != ZKR_OK || (r = g2v_coef(&s)) != ZKR_OK)
        return r;
    return g2v_ranges(&s);
}

zkr_err zkr_verify_ginf2_parts(const zkr_params *p, zkr_transcript *t, const char *label,
                               const zkr_hpcs_commitment *a, const zkr_ext *wa,
                               const zkr_hpcs_commitment *b, const zkr_ext *wb, zkr_ext claim,
                               zkr_dec *d)
{
    zkr_ext parts[2];
    zkr_err r;

    if ((r = zkr_dec_exts(d, parts, 2)) != ZKR_OK)
        return r;
    zkr_ts_absorb_ext(t, label, parts, 2);
    if (!zkr_ext_eq(zkr_ext_add(parts[0], parts[1]), claim))
        return ZKR_ERR_VERIFY;
    if ((r = zkr_verify_ginf2_lin(p, t, a, wa, parts[0], d)) != ZKR_OK)
        return r;
    return zkr_verify_ginf2_lin(p, t, b, wb, parts[1], d);
}

zkr_err zkr_verify_ginf2_link(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *v,
                              zkr_ext claim,
                              zkr_err (*v_eval)(const void *, const zkr_ext *, zkr_ext *),
                              const zkr_hpcs_commitment *x,
                              zkr_err (*x_eval)(const void *, const zkr_ext *, zkr_ext *),
                              const void *ctx, zkr_dec *d)
{
    zkr_zkrange_table tab = ZKR_GINF2_RQ_TABLE;
    zkr_zkrange_lin lin = {claim, NULL, v_eval, ctx};
    zkr_zkrange_link link = {NULL, NULL, x, x_eval, ctx, 0, 0};

    return zkr_zkrange_verify_link(p, t, v, &tab, &lin, &link, d);
}

/* w[i] = f(ctx, i's bits) over the n-variable hypercube (an MLE callback's table). */
static zkr_err g2v_wtable(unsigned n, zkr_err (*f)(const void *, const zkr_ext *, zkr_ext *),
                          const void *ctx, zkr_ext *w)
{
    zkr_ext pt[64];
    zkr_err r;

    if (n > 64)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < ((size_t)1 << n); i++) {
        for (unsigned b = 0; b < n; b++)
            pt[b] = zkr_ext_from((i >> b) & 1);
        if ((r = f(ctx, pt, &w[i])) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

zkr_err zkr_verify_ginf2_off(const zkr_params *p, zkr_transcript *t, const char *label,
                             const zkr_hpcs_commitment *v, zkr_ext claim,
                             zkr_err (*v_eval)(const void *, const zkr_ext *, zkr_ext *),
                             const zkr_hpcs_commitment *x,
                             zkr_err (*x_eval)(const void *, const zkr_ext *, zkr_ext *),
                             const void *ctx, zkr_dec *d)
{
    zkr_ext *wv = malloc(((size_t)1 << v->n_vars) * sizeof *wv);
    zkr_ext *wx = malloc(((size_t)1 << x->n_vars) * sizeof *wx);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!wv || !wx)
        goto out;
    if ((r = g2v_wtable(v->n_vars, v_eval, ctx, wv)) == ZKR_OK &&
        (r = g2v_wtable(x->n_vars, x_eval, ctx, wx)) == ZKR_OK)
        r = zkr_verify_ginf2_parts(p, t, label, v, wv, x, wx, claim, d);
out:
    free(wv);
    free(wx);
    return r;
}

zkr_err zkr_verify_ginf2_check2(unsigned off, const zkr_hpcs_commitment *x, unsigned nx,
                                const zkr_hpcs_commitment *v, unsigned nv)
{
    if ((!ZKR_TEST_BUILD && off) || (off & ~(ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND)) ||
        x->ext || v->ext || x->n_vars != nx || v->n_vars != nv || x->blind_vars < 1 ||
        v->blind_vars < 1)
        return ZKR_ERR_USAGE;
    return ZKR_OK;
}
