/*
 * Hiding range proof (masked LogUp), the shared definitions and the
 * verifier (docs/proof-system.md, "Hiding range proof"). The prover is
 * prover/zk_range.c; both follow the transcript order written there.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zk/zk.h"
#include "zk/zk_int.h"

int64_t zkr_zkrange_value(const zkr_zkrange_table *tab, uint32_t j)
{
    return tab->off + (j < tab->count ? (int64_t)j : 0);
}

unsigned zkr_zkrange_sc_vars(unsigned n_vars)
{
    return n_vars > ZKR_ZKRANGE_TABLE_VARS ? n_vars : ZKR_ZKRANGE_TABLE_VARS;
}

/* Ext coefficients of the Libra mask: a0, then 7 per variable (no constant terms). */
static size_t zkr_zr_stride(unsigned sc_vars)
{
    return 1 + (size_t)ZKR_ZKRANGE_DEGREE * sc_vars;
}

unsigned zkr_zkrange_coef_vars(unsigned n_vars)
{
    return zkr_log2_ceil(3 * zkr_zr_stride(zkr_zkrange_sc_vars(n_vars)));
}

zkr_ext zkr_mask_gi(const zkr_ext *gco, unsigned deg, unsigned i, zkr_ext x)
{
    zkr_ext acc = zkr_ext_from(0), pw = x;

    for (unsigned d = 0; d < deg; d++) {
        acc = zkr_ext_add(acc, zkr_ext_mul(gco[1 + (size_t)deg * i + d], pw));
        pw = zkr_ext_mul(pw, x);
    }
    return acc;
}

zkr_ext zkr_mask_gsum(const zkr_ext *gco, unsigned deg, unsigned n)
{
    zkr_ext s = zkr_ext_from(0);

    /* sum over {0,1}^n of a0 + sum_i g_i(x_i): g_i(0) = 0, each g_i(1) counted 2^(n-1) times */
    for (unsigned k = 0; k < n; k++)
        s = zkr_ext_add(s, zkr_mask_gi(gco, deg, k, zkr_ext_from(1)));
    if (n == 0)
        return gco[0];
    return zkr_ext_add(zkr_ext_mul_base(gco[0], zkr_gl_pow(2, n)),
                       zkr_ext_mul_base(s, zkr_gl_pow(2, n - 1)));
}

zkr_ext zkr_mask_gat(const zkr_ext *gco, unsigned deg, unsigned n, const zkr_ext *r)
{
    zkr_ext g = gco[0];

    for (unsigned i = 0; i < n; i++)
        g = zkr_ext_add(g, zkr_mask_gi(gco, deg, i, r[i]));
    return g;
}

void zkr_mask_lambda(const zkr_ext *r, unsigned n, unsigned deg, zkr_ext *out)
{
    size_t stride = 1 + (size_t)deg * n, len = (size_t)1 << zkr_log2_ceil(3 * stride);

    for (size_t i = 0; i < len; i++)
        out[i] = zkr_ext_from(0);
    /* C holds the three base components of each coefficient: weight basis_k r_i^j. */
    for (unsigned k = 0; k < 3; k++) {
        zkr_ext bk = zkr_ext_from(0);
        bk.c[k] = 1;
        out[k * stride] = bk;
        for (unsigned i = 0; i < n; i++) {
            zkr_ext pw = r[i];
            for (unsigned j = 0; j < deg; j++) {
                out[k * stride + 1 + (size_t)deg * i + j] = zkr_ext_mul(bk, pw);
                pw = zkr_ext_mul(pw, r[i]);
            }
        }
    }
}

void zkr_zkrange_lambda(const zkr_ext *r, unsigned sc_vars, zkr_ext *out)
{
    zkr_mask_lambda(r, sc_vars, ZKR_ZKRANGE_DEGREE, out);
}

zkr_err zkr_zkrange_batch_shape(const zkr_params *p, unsigned n_vars, unsigned total,
                                unsigned *coupled)
{
    unsigned N = zkr_zkrange_sc_vars(n_vars), e_min = zkr_hpcs_blind_vars(p, N, 1);

    *coupled = 0;
    if (e_min == 0 || total < N + e_min || total > p->max_vars ||
        total - N > ZKR_HPCS_MAX_BLIND_VARS)
        return ZKR_ERR_TOO_LARGE;
    *coupled = total - N < N ? total - N : N;
    return ZKR_OK;
}

zkr_err zkr_zkrange_defer_shape(const zkr_params *p, unsigned n_vars, unsigned total)
{
    unsigned N = zkr_zkrange_sc_vars(n_vars), E;
    zkr_err r = zkr_zkrange_batch_shape(p, n_vars, total, &E);
    unsigned __int128 rnd;

    if (r != ZKR_OK)
        return r;
    rnd = (((unsigned __int128)1 << (total - N)) - 1) << N;
    /* + 4: a full-size member's round values in the caller's mixed opening (at most a0 = 4) */
    return rnd < (unsigned __int128)zkr_hpcs_positions_per_open(p, total) + 2 + 4
               ? ZKR_ERR_TOO_LARGE
               : ZKR_OK;
}

/* A helper commitment of the batch: N variables blinded up to the batch's total. */
static void zkr_zr_helper(const uint8_t *root, unsigned N, unsigned total, unsigned ext,
                          zkr_hpcs_commitment *c)
{
    memset(c, 0, sizeof *c);
    memcpy(c->root, root, ZKR_DIGEST_BYTES);
    c->n_vars = N;
    c->blind_vars = total - N;
    c->ext = ext;
}

double zkr_zkrange_alg_error(const zkr_params *p, unsigned n_vars, unsigned a_blind_vars)
{
    unsigned N = zkr_zkrange_sc_vars(n_vars), lc = zkr_zkrange_coef_vars(n_vars);
    unsigned totals[2];
    double lf = ZKR_LOG2_EXT_FIELD, e;
    double words[2] = {5.0, 2.0};

    totals[0] = n_vars + a_blind_vars;
    totals[1] = lc + zkr_hpcs_blind_vars(p, lc, 1);
    /*
     * LogUp's X: the cleared rational identity has degree < 2^n + 256; the
     * two zero-check points (n and 8 variables); lambda, mu and nu (the
     * linear claim); Libra's rho; 7 N for the degree-7 rounds; the batch's
     * beta (the combined claim is linear in the betas: 1) and rho (1); the
     * linear sumcheck (2 lc) and its rho_c.
     */
    e = (ldexp(1.0, (int)n_vars) + 256.0 + n_vars + 8 + 3 + 1 + 7.0 * N + 2 + 2.0 * lc + 1) *
        exp2(-lf);
    for (int i = 0; i < 2; i++) {
        zkr_pcs_layout l;
        double dom;
        zkr_pcs_layout_of(p, totals[i], &l);
        dom = ldexp(1.0, (int)l.log_len[0]);
        /*
         * zkr_params_soundness_open's commit-phase terms for `words` committed
         * words combined by independent random scalars (the batching term
         * words |D| / |F|), one claim.
         */
        e += ((double)l.folds_total * dom + 4.0 * totals[i] + words[i] * dom + 1.0) * exp2(-lf);
    }
    return e;
}

typedef struct {
    const uint8_t *mroot, *croot, *hroot, *proot;
    zkr_ext gamma, vals[5], bval; /* bval: the link's B(r) */
    zkr_ext *msgs;
    const uint8_t *czroot;
    zkr_ext csigma, cv;
    zkr_ext *cmsgs;
    zkr_hpcs_proof *cpf;
    zkr_hpcs_commitment comm[5]; /* a, h, phi, m (the batch), C */
} zkr_zr_parsed;

static void zkr_zr_parsed_free(zkr_zr_parsed *o)
{
    zkr_hpcs_proof_free(o->cpf);
    free(o->msgs);
    free(o->cmsgs);
}

/* Up to the revealed values; the batch and C's part are read where they are verified. */
static zkr_err zkr_zr_parse(const zkr_params *p, const zkr_hpcs_commitment *a, int defer,
                            zkr_dec *d, zkr_zr_parsed *o)
{
    unsigned n = a->n_vars, N = zkr_zkrange_sc_vars(n), lc = zkr_zkrange_coef_vars(n);
    unsigned total = a->n_vars + a->blind_vars, E;
    zkr_err r;

    if ((r = zkr_zkrange_batch_shape(p, n, total, &E)) != ZKR_OK)
        return r;
    o->msgs = calloc((size_t)N * ZKR_ZKRANGE_DEGREE, sizeof *o->msgs);
    o->cmsgs = calloc(2 * (size_t)lc, sizeof *o->cmsgs);
    if (!o->msgs || !o->cmsgs)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &o->mroot)) != ZKR_OK ||
        (!defer && (r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &o->croot)) != ZKR_OK) ||
        (r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &o->hroot)) != ZKR_OK ||
        (r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &o->proot)) != ZKR_OK ||
        (r = zkr_dec_ext(d, &o->gamma)) != ZKR_OK ||
        (r = zkr_dec_exts(d, o->msgs, (size_t)N * ZKR_ZKRANGE_DEGREE)) != ZKR_OK ||
        (r = zkr_dec_exts(d, o->vals, 5)) != ZKR_OK)
        return r;
    o->comm[0] = *a;
    zkr_zr_helper(o->hroot, N, total, 1, &o->comm[1]);
    zkr_zr_helper(o->proot, N, total, 1, &o->comm[2]);
    zkr_zr_helper(o->mroot, N, total, 0, &o->comm[3]);
    memset(&o->comm[4], 0, sizeof o->comm[4]);
    if (defer)
        return ZKR_OK; /* no C of its own */
    memcpy(o->comm[4].root, o->croot, ZKR_DIGEST_BYTES);
    o->comm[4].n_vars = lc;
    o->comm[4].blind_vars = zkr_hpcs_blind_vars(p, lc, 1);
    return o->comm[4].blind_vars ? ZKR_OK : ZKR_ERR_TOO_LARGE;
}

/* C's part: mask root, sigma_C, the linear sumcheck, v_C and C's opening. */
static zkr_err zkr_zr_parse_c(const zkr_params *p, zkr_dec *d, zkr_zr_parsed *o)
{
    unsigned lc = o->comm[4].n_vars;
    zkr_err r;

    if ((r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &o->czroot)) != ZKR_OK ||
        (r = zkr_dec_ext(d, &o->csigma)) != ZKR_OK ||
        (r = zkr_dec_exts(d, o->cmsgs, 2 * (size_t)lc)) != ZKR_OK ||
        (r = zkr_dec_ext(d, &o->cv)) != ZKR_OK)
        return r;
    return zkr_hpcs_proof_parse_f(p, lc + o->comm[4].blind_vars, 0, d, &o->cpf);
}

void zkr_zkrange_absorb_table(zkr_transcript *t, const zkr_zkrange_table *tab,
                              const int64_t *vals)
{
    if (!vals) {
        zkr_ts_absorb_u64(t, "zr-table-off", (uint64_t)tab->off);
        zkr_ts_absorb_u64(t, "zr-table-count", tab->count);
        return;
    }
    for (uint32_t j = 0; j < (1u << ZKR_ZKRANGE_TABLE_VARS); j++)
        zkr_ts_absorb_u64(t, "zr-table-value", (uint64_t)vals[j]);
}

zkr_err zkr_zkrange_final(const zkr_zkrange_table *tab, const int64_t *tvals, unsigned n,
                          const zkr_zr_chal *c,
                          int lin, const zkr_ext *r, const zkr_ext *vals, zkr_ext em,
                          zkr_ext *out)
{
    unsigned N = zkr_zkrange_sc_vars(n);
    zkr_ext one = zkr_ext_from(1), seln = one, sel8 = one, e0, e2, tv, f;
    zkr_ext w = vals[0], h = vals[1], ph = vals[2], m = vals[3];
    zkr_gl tt[1u << ZKR_ZKRANGE_TABLE_VARS];
    zkr_err rc;

    for (unsigned k = n; k < N; k++)
        seln = zkr_ext_mul(seln, zkr_ext_sub(one, r[k]));
    for (unsigned k = ZKR_ZKRANGE_TABLE_VARS; k < N; k++)
        sel8 = zkr_ext_mul(sel8, zkr_ext_sub(one, r[k]));
    for (uint32_t j = 0; j < (1u << ZKR_ZKRANGE_TABLE_VARS); j++)
        tt[j] = zkr_gl_from_i64(zkr_zkrange_tval(tab, tvals, j));
    if ((rc = zkr_mle_eval_base(tt, ZKR_ZKRANGE_TABLE_VARS, r, &tv)) != ZKR_OK)
        return rc;
    e0 = zkr_ext_mul(zkr_mle_eq_eval(c->r0, r, n), seln);
    e2 = zkr_ext_mul(zkr_mle_eq_eval(c->r2, r, ZKR_ZKRANGE_TABLE_VARS), sel8);
    tv = zkr_ext_mul(tv, sel8);
    f = zkr_ext_mul(e0, zkr_ext_sub(zkr_ext_mul(h, zkr_ext_sub(c->x, w)), one));
    f = zkr_ext_add(f, zkr_ext_mul(c->lam, zkr_ext_sub(zkr_ext_mul(seln, h),
                                                       zkr_ext_mul(sel8, ph))));
    f = zkr_ext_add(f, zkr_ext_mul(c->mu, zkr_ext_mul(e2, zkr_ext_sub(zkr_ext_mul(ph,
                                   zkr_ext_sub(c->x, tv)), m))));
    if (lin)
        f = zkr_ext_add(f, zkr_ext_mul(c->nu, zkr_ext_mul(em, w)));
    *out = f;
    return ZKR_OK;
}

/* The batch's full point (r_<N, s(r_0), .., s(r_{E-1}), 0, ..) over total coordinates. */
static void zkr_zr_point(const zkr_ext *r, unsigned N, unsigned E, unsigned total, zkr_ext *zf)
{
    memcpy(zf, r, (size_t)N * sizeof *zf);
    for (unsigned b = N; b < total; b++) {
        unsigned j = b - N;
        zf[b] = j < E ? zkr_ext_mul(r[j], zkr_ext_sub(zkr_ext_from(1), r[j])) : zkr_ext_from(0);
    }
}

/* g(r) = <C, Lambda(r)> by the masked linear sumcheck and C's hiding opening. */
static zkr_err zkr_zr_coef(const zkr_params *p, zkr_transcript *t, const zkr_zr_parsed *o,
                           const zkr_ext *r, unsigned N)
{
    unsigned lc = o->comm[4].n_vars;
    zkr_ext *lam = malloc(((size_t)1 << lc) * sizeof *lam), rc[64], fin, lv, rho;
    zkr_err e;

    if (!lam)
        return ZKR_ERR_NOMEM;
    zkr_zkrange_lambda(r, N, lam);
    zkr_ts_absorb(t, "zr-cmask-root", o->czroot, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_ext(t, "zr-csigma", &o->csigma, 1);
    rho = zkr_ts_challenge_ext(t, "zr-crho");
    zkr_sumcheck_verify(t, lc, 2, zkr_ext_add(o->vals[4], zkr_ext_mul(rho, o->csigma)), o->cmsgs,
                        rc, &fin);
    e = zkr_mle_eval_ext(lam, lc, rc, &lv);
    free(lam);
    if (e != ZKR_OK)
        return e;
    if (!zkr_ext_eq(fin, zkr_ext_mul(o->cv, lv)))
        return ZKR_ERR_VERIFY;
    zkr_ts_absorb_ext(t, "zr-cv", &o->cv, 1);
    return zkr_hpcs_verify(p, t, &o->comm[4], o->czroot, rho, rc, o->cv, o->cpf);
}

/* The sumcheck's challenges, in the prover's order. */
static void zkr_zr_challenges(zkr_transcript *t, const zkr_hpcs_commitment *a,
                              const zkr_zkrange_table *tab, const int64_t *vals,
                              const zkr_zkrange_lin *lin, const zkr_zr_parsed *o, zkr_zr_chal *c)
{
    zkr_zkrange_absorb_table(t, tab, vals);
    zkr_ts_absorb(t, "zr-a-root", a->root, ZKR_DIGEST_BYTES);
    if (lin)
        zkr_ts_absorb_ext(t, "zr-lin-claim", &lin->claim, 1);
    zkr_ts_absorb(t, "zr-m-root", o->mroot, ZKR_DIGEST_BYTES);
    if (o->croot)
        zkr_ts_absorb(t, "zr-c-root", o->croot, ZKR_DIGEST_BYTES);
    c->x = zkr_ts_challenge_ext(t, "zr-x");
    zkr_ts_absorb(t, "zr-h-root", o->hroot, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "zr-phi-root", o->proot, ZKR_DIGEST_BYTES);
    zkr_ts_challenge_exts(t, "zr-r0", c->r0, a->n_vars);
    zkr_ts_challenge_exts(t, "zr-r2", c->r2, ZKR_ZKRANGE_TABLE_VARS);
    c->lam = zkr_ts_challenge_ext(t, "zr-lambda");
    c->mu = zkr_ts_challenge_ext(t, "zr-mu");
    c->nu = lin ? zkr_ts_challenge_ext(t, "zr-nu") : zkr_ext_from(0);
    zkr_ts_absorb_ext(t, "zr-gamma", &o->gamma, 1);
    c->rho = zkr_ts_challenge_ext(t, "zr-rho");
}

/* The linear claim's weights at r, zero-extended to N variables. */
static zkr_err zkr_zr_em(const zkr_zkrange_lin *lin, unsigned n, const zkr_ext *r, zkr_ext *em)
{
    unsigned N = zkr_zkrange_sc_vars(n);
    zkr_err rc;

    *em = zkr_ext_from(0);
    if (!lin)
        return ZKR_OK;
    if ((rc = lin->eval(lin->ctx, r, em)) != ZKR_OK)
        return rc;
    for (unsigned k = n; k < N; k++)
        *em = zkr_ext_mul(*em, zkr_ext_sub(zkr_ext_from(1), r[k]));
    return ZKR_OK;
}

/* b's full point (r_<nb, s(r_0), 0..) over nb + e_b coordinates. */
static void zkr_zr_link_point(const zkr_hpcs_commitment *b, const zkr_ext *r, zkr_ext *zf)
{
    unsigned nb = b->n_vars, tb = nb + b->blind_vars;

    memcpy(zf, r, (size_t)nb * sizeof *zf);
    zf[nb] = zkr_ext_mul(r[0], zkr_ext_sub(zkr_ext_from(1), r[0]));
    for (unsigned i = nb + 1; i < tb; i++)
        zf[i] = zkr_ext_from(0);
}

/* The link's term at r: U(r) B(r), U zero-extended above nb (B replicated there). */
static zkr_err zkr_zr_link_term(const zkr_zkrange_link *link, unsigned N, const zkr_ext *r,
                                zkr_ext bval, zkr_ext *out)
{
    zkr_ext u;
    zkr_err rc;

    if ((rc = link->eval(link->ctx, r, &u)) != ZKR_OK)
        return rc;
    for (unsigned k = link->b->n_vars; k < N; k++)
        u = zkr_ext_mul(u, zkr_ext_sub(zkr_ext_from(1), r[k]));
    *out = zkr_ext_mul(u, bval);
    return ZKR_OK;
}

static zkr_err zkr_zr_verify(const zkr_params *p, zkr_transcript *t,
                             const zkr_hpcs_commitment *a, const zkr_zkrange_table *tab,
                             const int64_t *vals, const zkr_zkrange_lin *lin, const zkr_zkrange_link *link,
                             zkr_zkrange_deferred *df, zkr_dec *d)
{
    unsigned n = a->n_vars, N = zkr_zkrange_sc_vars(n), total = n + a->blind_vars, E;
    zkr_zr_parsed o;
    zkr_zr_chal c;
    zkr_ext r[64], zf[64], fin, f, em, claim;
    zkr_err rc;

    memset(&o, 0, sizeof o);
    if (a->ext || a->blind_vars == 0 || n + 1 > 64 || total > 64 || tab->count == 0 ||
        tab->count > 256 || (lin && !lin->eval))
        return ZKR_ERR_USAGE;
    if (link && (!lin || !link->eval || !link->b || link->b->ext || link->b->blind_vars == 0 ||
                 link->b->n_vars < 1 || link->b->n_vars > N ||
                 link->b->n_vars + link->b->blind_vars > 64))
        return ZKR_ERR_USAGE;
    if ((df && (link || (rc = zkr_zkrange_defer_shape(p, n, total)) != ZKR_OK)) ||
        (rc = zkr_zr_parse(p, a, df != NULL, d, &o)) != ZKR_OK ||
        (rc = zkr_zkrange_batch_shape(p, n, total, &E)) != ZKR_OK) {
        if (df && link)
            rc = ZKR_ERR_USAGE;
        goto out;
    }
    zkr_zr_challenges(t, a, tab, vals, lin, &o, &c);
    /* The batched claim: nu times the linear claim (0 without one), plus Libra's rho gamma. */
    claim = zkr_ext_mul(c.rho, o.gamma);
    if (lin)
        claim = zkr_ext_add(claim, zkr_ext_mul(c.nu, lin->claim));
    zkr_sumcheck_verify(t, N, ZKR_ZKRANGE_DEGREE, claim, o.msgs, r, &fin);
    zkr_ts_absorb_ext(t, "zr-values", o.vals, 5);
    if (link) {
        zkr_ext lt;
        if ((rc = zkr_dec_ext(d, &o.bval)) != ZKR_OK)
            goto out;
        zkr_ts_absorb_ext(t, "zr-link-value", &o.bval, 1);
        if ((rc = zkr_zr_link_term(link, N, r, o.bval, &lt)) != ZKR_OK)
            goto out;
        fin = zkr_ext_sub(fin, zkr_ext_mul(c.nu, lt));
    }
    if ((rc = zkr_zr_em(lin, n, r, &em)) != ZKR_OK ||
        (rc = zkr_zkrange_final(tab, vals, n, &c, lin != NULL, r, o.vals, em, &f)) != ZKR_OK)
        goto out;
    if (!zkr_ext_eq(fin, zkr_ext_add(f, zkr_ext_mul(c.rho, o.vals[4])))) {
        rc = ZKR_ERR_VERIFY;
        goto out;
    }
    /* a, h, phi, m: one batched hiding opening at the full point the verifier builds. */
    zkr_zr_point(r, N, E, total, zf);
    if (df) {
        /* deferred: the caller binds the values at zf and g(r) */
        memcpy(df->comm, o.comm, sizeof df->comm);
        memcpy(df->r, r, (size_t)N * sizeof *r);
        memcpy(df->zf, zf, (size_t)total * sizeof *zf);
        memcpy(df->vals, o.vals, sizeof df->vals);
        df->N = N;
        df->T = total;
        rc = ZKR_OK;
        goto out;
    }
    if ((rc = zkr_hpcs_verify_batch(p, t, o.comm, 4, zf, o.vals, d)) != ZKR_OK)
        goto out;
    if (link) {
        /* B(r) by b's own hiding opening at the point the verifier builds. */
        zkr_zr_link_point(link->b, r, zf);
        rc = link->grp_n > 1 ? zkr_hpcs_verify_batch_stacked(p, t, link->b, zf, o.bval,
                                                             link->grp_n, link->grp_i, d)
                             : zkr_hpcs_verify_batch(p, t, link->b, 1, zf, &o.bval, d);
        if (rc != ZKR_OK)
            goto out;
    }
    if ((rc = zkr_zr_parse_c(p, d, &o)) != ZKR_OK)
        goto out;
    rc = zkr_zr_coef(p, t, &o, r, N);
out:
    zkr_zr_parsed_free(&o);
    return rc;
}

zkr_err zkr_zkrange_verify_lin(const zkr_params *p, zkr_transcript *t,
                               const zkr_hpcs_commitment *a, const zkr_zkrange_table *tab,
                               const zkr_zkrange_lin *lin, zkr_dec *d)
{
    return zkr_zr_verify(p, t, a, tab, NULL, lin, NULL, NULL, d);
}

zkr_err zkr_zkrange_verify_link(const zkr_params *p, zkr_transcript *t,
                                const zkr_hpcs_commitment *a, const zkr_zkrange_table *tab,
                                const zkr_zkrange_lin *lin, const zkr_zkrange_link *link,
                                zkr_dec *d)
{
    if (!link)
        return ZKR_ERR_USAGE;
    return zkr_zr_verify(p, t, a, tab, NULL, lin, link, NULL, d);
}

/* 1 when the 256 values are distinct field elements (the prover's contract too). */
static int zkr_zr_vals_distinct(const int64_t *vals)
{
    for (uint32_t j = 1; j < (1u << ZKR_ZKRANGE_TABLE_VARS); j++)
        for (uint32_t k = 0; k < j; k++)
            if (zkr_gl_from_i64(vals[j]) == zkr_gl_from_i64(vals[k]))
                return 0;
    return 1;
}

zkr_err zkr_zkrange_verify_link_vals(const zkr_params *p, zkr_transcript *t,
                                     const zkr_hpcs_commitment *a, const int64_t *vals,
                                     const zkr_zkrange_lin *lin, const zkr_zkrange_link *link,
                                     zkr_dec *d)
{
    const zkr_zkrange_table tab = {0, 256};

    /* a repeated value would leave LogUp sound (membership), but the contract says distinct */
    if (!link || !vals || !zkr_zr_vals_distinct(vals))
        return ZKR_ERR_USAGE;
    return zkr_zr_verify(p, t, a, &tab, vals, lin, link, NULL, d);
}

zkr_err zkr_zkrange_verify(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *a,
                           const zkr_zkrange_table *tab, zkr_dec *d)
{
    return zkr_zkrange_verify_lin(p, t, a, tab, NULL, d);
}

zkr_err zkr_zkrange_verify_defer(const zkr_params *p, zkr_transcript *t,
                                 const zkr_hpcs_commitment *a, const zkr_zkrange_table *tab,
                                 zkr_zkrange_deferred *out, zkr_dec *d)
{
    if (!out)
        return ZKR_ERR_USAGE;
    return zkr_zr_verify(p, t, a, tab, NULL, NULL, NULL, out, d);
}

zkr_err zkr_zkrange_verify_defer_lin(const zkr_params *p, zkr_transcript *t,
                                     const zkr_hpcs_commitment *a, const zkr_zkrange_table *tab,
                                     const zkr_zkrange_lin *lin, zkr_zkrange_deferred *out,
                                     zkr_dec *d)
{
    if (!out || !lin)
        return ZKR_ERR_USAGE;
    return zkr_zr_verify(p, t, a, tab, NULL, lin, NULL, out, d);
}
