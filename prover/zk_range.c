/*
 * Hiding range proof (masked LogUp), prover side (docs/proof-system.md,
 * "Hiding range proof"; the verifier is zk/zk_range.c). Every helper is
 * committed with the hiding commitment, every value the verifier needs is a
 * randomised-extension evaluation (uniform: it mixes in a blinding slice),
 * and the batched sumcheck is masked by a Libra polynomial whose
 * coefficients are themselves hidden.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

#define ZR_TV ZKR_ZKRANGE_TABLE_VARS
#define ZR_D ZKR_ZKRANGE_DEGREE

/* Tables of the batched sumcheck (ext, 2^N, zero-extended). */
enum { ZR_E0, ZR_AH, ZR_BH, ZR_AW, ZR_BW, ZR_E2, ZR_AP, ZR_BP, ZR_AM, ZR_BM, ZR_T, ZR_NT };

typedef struct {
    const zkr_params *p;
    zkr_transcript *t;
    zkr_zkrng *rng;
    unsigned threads, n, N, lc;
    const zkr_zkrange_table *tab;
    int force;                   /* test cheat: prove whatever a holds */
    zkr_hpcs_poly *a, *m, *c, *h, *ph;
    zkr_ext x, lam, mu, rho;
    zkr_ext r0[64], r2[ZR_TV], r[64];
    zkr_ext *gco;                /* Libra mask coefficients (stride) */
    zkr_ext *tb[ZR_NT];
    zkr_buf *out;
} zkr_zr_ctx;

static void zkr_zr_wipe_free(void *p, size_t n)
{
    if (p)
        sodium_memzero(p, n);
    free(p);
}

/* Signed value of a field element (the table's entries are small integers). */
static int64_t zkr_zr_signed(zkr_gl v)
{
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

/* Multiplicities of a's 2^n entries (padding included); USAGE if one is off the table. */
static zkr_err zkr_zr_counts(const zkr_zr_ctx *z, zkr_gl *mult)
{
    const zkr_gl *av = zkr_hpcs_poly_base_evals(z->a);

    memset(mult, 0, sizeof(zkr_gl) << ZR_TV);
    for (size_t i = 0; i < ((size_t)1 << z->n); i++) {
        int64_t j = zkr_zr_signed(av[i]) - z->tab->off;
        if (j < 0 || j >= (int64_t)z->tab->count) {
            if (!z->force)
                return ZKR_ERR_USAGE;
            continue; /* a cheat: the entry is counted nowhere */
        }
        mult[j] = zkr_gl_add(mult[j], 1);
    }
    return ZKR_OK;
}

/* m and the Libra coefficients C: both fixed before X. */
static zkr_err zkr_zr_commit_m_c(zkr_zr_ctx *z)
{
    size_t stride = 1 + (size_t)ZR_D * z->N, clen = (size_t)1 << z->lc;
    zkr_gl mult[1u << ZR_TV], *cb = calloc(clen, sizeof *cb);
    zkr_hpcs_commitment mc, cc;
    zkr_err r;

    z->gco = malloc(stride * sizeof *z->gco);
    if (!cb || !z->gco) {
        free(cb);
        return ZKR_ERR_NOMEM;
    }
    if ((r = zkr_zr_counts(z, mult)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < stride; i++) {
        z->gco[i] = zkr_zkrng_ext(z->rng);
        for (unsigned k = 0; k < 3; k++)
            cb[k * stride + i] = z->gco[i].c[k];
    }
    if ((r = zkr_prover_hcommit(z->p, mult, ZR_TV, 1, z->rng, z->threads, &z->m, &mc)) !=
            ZKR_OK ||
        (r = zkr_prover_hcommit(z->p, cb, z->lc, 1, z->rng, z->threads, &z->c, &cc)) != ZKR_OK)
        goto out;
    zkr_ts_absorb(z->t, "zr-m-root", mc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(z->t, "zr-c-root", cc.root, ZKR_DIGEST_BYTES);
    if ((r = zkr_buf_append(z->out, mc.root, ZKR_DIGEST_BYTES)) != ZKR_OK)
        goto out;
    r = zkr_buf_append(z->out, cc.root, ZKR_DIGEST_BYTES);
out:
    sodium_memzero(mult, sizeof mult);
    zkr_zr_wipe_free(cb, clen * sizeof *cb);
    return r;
}

/* h = 1/(X - a) and phi = m/(X - t), after X. */
static zkr_err zkr_zr_commit_h_phi(zkr_zr_ctx *z)
{
    size_t len = (size_t)1 << z->n;
    const zkr_gl *av = zkr_hpcs_poly_base_evals(z->a), *mv = zkr_hpcs_poly_base_evals(z->m);
    zkr_ext *h = malloc(len * sizeof *h), ph[1u << ZR_TV];
    zkr_hpcs_commitment hc, pc;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!h)
        return r;
    for (size_t i = 0; i < len; i++) {
        h[i] = z->x;
        h[i].c[0] = zkr_gl_sub(h[i].c[0], av[i]);
    }
    for (uint32_t j = 0; j < (1u << ZR_TV); j++) {
        ph[j] = z->x;
        ph[j].c[0] = zkr_gl_sub(ph[j].c[0], zkr_gl_from_i64(zkr_zkrange_value(z->tab, j)));
    }
    /* X is a random extension element: X = a_i or t_j has probability ~2^-192. */
    if ((r = zkr_ext_batch_inv(h, len)) != ZKR_OK ||
        (r = zkr_ext_batch_inv(ph, 1u << ZR_TV)) != ZKR_OK)
        goto out;
    for (uint32_t j = 0; j < (1u << ZR_TV); j++)
        ph[j] = zkr_ext_mul_base(ph[j], mv[j]);
    if ((r = zkr_prover_hcommit_ext(z->p, h, z->n, 1, z->rng, z->threads, &z->h, &hc)) !=
            ZKR_OK ||
        (r = zkr_prover_hcommit_ext(z->p, ph, ZR_TV, 1, z->rng, z->threads, &z->ph, &pc)) !=
            ZKR_OK)
        goto out;
    zkr_ts_absorb(z->t, "zr-h-root", hc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(z->t, "zr-phi-root", pc.root, ZKR_DIGEST_BYTES);
    if ((r = zkr_buf_append(z->out, hc.root, ZKR_DIGEST_BYTES)) == ZKR_OK)
        r = zkr_buf_append(z->out, pc.root, ZKR_DIGEST_BYTES);
out:
    sodium_memzero(ph, sizeof ph);
    zkr_zr_wipe_free(h, len * sizeof *h);
    return r;
}

/* A = F(., 0^e) and B = F(., e_1) - F(., 0^e) of a blinded poly, zero-extended into ta, tb. */
static void zkr_zr_ab(const zkr_hpcs_poly *f, unsigned n, zkr_ext *ta, zkr_ext *tb)
{
    const zkr_gl *bv = zkr_hpcs_poly_base_evals(f);
    const zkr_ext *ev = zkr_hpcs_poly_ext_evals(f);
    size_t len = (size_t)1 << n;

    for (size_t i = 0; i < len; i++) {
        zkr_ext a0 = bv ? zkr_ext_from(bv[i]) : ev[i];
        zkr_ext a1 = bv ? zkr_ext_from(bv[len + i]) : ev[len + i];
        ta[i] = a0;
        tb[i] = zkr_ext_sub(a1, a0);
    }
}

static zkr_err zkr_zr_tables(zkr_zr_ctx *z)
{
    size_t len = (size_t)1 << z->N;

    for (int k = 0; k < ZR_NT; k++) {
        z->tb[k] = calloc(len, sizeof(zkr_ext));
        if (!z->tb[k])
            return ZKR_ERR_NOMEM;
    }
    zkr_mle_eq_table(z->r0, z->n, z->tb[ZR_E0]);
    zkr_mle_eq_table(z->r2, ZR_TV, z->tb[ZR_E2]);
    zkr_zr_ab(z->h, z->n, z->tb[ZR_AH], z->tb[ZR_BH]);
    zkr_zr_ab(z->a, z->n, z->tb[ZR_AW], z->tb[ZR_BW]);
    zkr_zr_ab(z->ph, ZR_TV, z->tb[ZR_AP], z->tb[ZR_BP]);
    zkr_zr_ab(z->m, ZR_TV, z->tb[ZR_AM], z->tb[ZR_BM]);
    for (uint32_t j = 0; j < (1u << ZR_TV); j++)
        z->tb[ZR_T][j] = zkr_ext_from(zkr_gl_from_i64(zkr_zkrange_value(z->tab, j)));
    return ZKR_OK;
}

/*
 * f's round message h(0), h(2..7) with n_cur live variables. In round 0 the
 * randomised extensions carry s(c) = c (1 - c); afterwards s(r_0) is folded
 * into the A tables and the B tables are dead.
 */
static void zkr_zr_round(const zkr_zr_ctx *z, unsigned n_cur, int first, zkr_ext msg[ZR_D])
{
    size_t half = (size_t)1 << (n_cur - 1);
    zkr_ext acc[ZR_D + 1], one = zkr_ext_from(1);

    for (unsigned c = 0; c <= ZR_D; c++)
        acc[c] = zkr_ext_from(0);
    for (size_t i = 0; i < half; i++) {
        zkr_ext v0[ZR_NT], dv[ZR_NT];
        for (int k = 0; k < ZR_NT; k++) {
            v0[k] = z->tb[k][2 * i];
            dv[k] = zkr_ext_sub(z->tb[k][2 * i + 1], v0[k]);
        }
        for (unsigned c = 0; c <= ZR_D; c++) {
            zkr_ext v[ZR_NT], h, w, ph, m, f;
            zkr_gl s = first ? zkr_gl_sub(c, zkr_gl_mul(c, c)) : 0;
            if (c == 1)
                continue;
            for (int k = 0; k < ZR_NT; k++)
                v[k] = zkr_ext_add(v0[k], zkr_ext_mul_base(dv[k], c));
            h = zkr_ext_add(v[ZR_AH], zkr_ext_mul_base(v[ZR_BH], s));
            w = zkr_ext_add(v[ZR_AW], zkr_ext_mul_base(v[ZR_BW], s));
            ph = zkr_ext_add(v[ZR_AP], zkr_ext_mul_base(v[ZR_BP], s));
            m = zkr_ext_add(v[ZR_AM], zkr_ext_mul_base(v[ZR_BM], s));
            f = zkr_ext_mul(v[ZR_E0], zkr_ext_sub(zkr_ext_mul(h, zkr_ext_sub(z->x, w)), one));
            f = zkr_ext_add(f, zkr_ext_mul(z->lam, zkr_ext_sub(h, ph)));
            f = zkr_ext_add(f, zkr_ext_mul(z->mu, zkr_ext_mul(v[ZR_E2], zkr_ext_sub(
                                  zkr_ext_mul(ph, zkr_ext_sub(z->x, v[ZR_T])), m))));
            acc[c] = zkr_ext_add(acc[c], f);
        }
    }
    msg[0] = acc[0];
    for (unsigned c = 2; c <= ZR_D; c++)
        msg[c - 1] = acc[c];
}

/* g_i(c) = sum_{j=1..7} c_ij c^j. */
static zkr_ext zkr_zr_gi(const zkr_ext *gco, unsigned i, zkr_ext c)
{
    zkr_ext acc = zkr_ext_from(0), pw = c;

    for (unsigned j = 0; j < ZR_D; j++) {
        acc = zkr_ext_add(acc, zkr_ext_mul(gco[1 + (size_t)ZR_D * i + j], pw));
        pw = zkr_ext_mul(pw, c);
    }
    return acc;
}

/* 2^k as a field element (k < 64). */
static zkr_gl zkr_zr_pow2(unsigned k)
{
    return zkr_gl_pow(2, k);
}

/* Adds rho times the Libra mask's round message (closed form: g is a sum of univariates). */
static void zkr_zr_mask_round(const zkr_zr_ctx *z, unsigned i, zkr_ext prefix, zkr_ext msg[ZR_D])
{
    zkr_ext suf = zkr_ext_from(0), base = zkr_ext_add(z->gco[0], prefix);
    unsigned N = z->N;

    for (unsigned k = i + 1; k < N; k++)
        suf = zkr_ext_add(suf, zkr_zr_gi(z->gco, k, zkr_ext_from(1)));
    for (unsigned c = 0; c <= ZR_D; c++) {
        zkr_ext g;
        if (c == 1)
            continue;
        g = zkr_ext_mul_base(zkr_ext_add(base, zkr_zr_gi(z->gco, i, zkr_ext_from(c))),
                             zkr_zr_pow2(N - 1 - i));
        if (i + 1 < N)
            g = zkr_ext_add(g, zkr_ext_mul_base(suf, zkr_zr_pow2(N - 2 - i)));
        msg[c ? c - 1 : 0] = zkr_ext_add(msg[c ? c - 1 : 0], zkr_ext_mul(z->rho, g));
    }
}

static zkr_ext zkr_zr_gamma(const zkr_zr_ctx *z)
{
    zkr_ext s = zkr_ext_from(0);

    for (unsigned k = 0; k < z->N; k++)
        s = zkr_ext_add(s, zkr_zr_gi(z->gco, k, zkr_ext_from(1)));
    return zkr_ext_add(zkr_ext_mul_base(z->gco[0], zkr_zr_pow2(z->N)),
                       zkr_ext_mul_base(s, zkr_zr_pow2(z->N - 1)));
}

/* The batched sumcheck of f + rho g (claim rho gamma); r out. */
static zkr_err zkr_zr_sumcheck(zkr_zr_ctx *z)
{
    zkr_ext msg[ZR_D], prefix = zkr_ext_from(0);
    zkr_err r;

    for (unsigned i = 0; i < z->N; i++) {
        unsigned n_cur = z->N - i;
        zkr_zr_round(z, n_cur, i == 0, msg);
        zkr_zr_mask_round(z, i, prefix, msg);
        zkr_ts_absorb_ext(z->t, "sc-round", msg, ZR_D);
        z->r[i] = zkr_ts_challenge_ext(z->t, "sc-challenge");
        if ((r = zkr_enc_exts(z->out, msg, ZR_D)) != ZKR_OK)
            return r;
        for (int k = 0; k < ZR_NT; k++)
            zkr_mle_fix_first(z->tb[k], n_cur, z->r[i]);
        if (i == 0) {
            /* s(r_0) now a constant: fold it into the A tables. */
            zkr_gl one = 1;
            zkr_ext s = zkr_ext_mul(z->r[0], zkr_ext_sub(zkr_ext_from(one), z->r[0]));
            static const int ab[4][2] = {{ZR_AH, ZR_BH}, {ZR_AW, ZR_BW}, {ZR_AP, ZR_BP},
                                         {ZR_AM, ZR_BM}};
            for (int q = 0; q < 4; q++)
                for (size_t j = 0; j < ((size_t)1 << (n_cur - 1)); j++) {
                    z->tb[ab[q][0]][j] = zkr_ext_add(z->tb[ab[q][0]][j],
                                                     zkr_ext_mul(s, z->tb[ab[q][1]][j]));
                    z->tb[ab[q][1]][j] = zkr_ext_from(0);
                }
        }
        prefix = zkr_ext_add(prefix, zkr_zr_gi(z->gco, i, z->r[i]));
    }
    return ZKR_OK;
}

/*
 * sum_i eq(z, i) v_i for base (bv) or extension (ev) evaluations: only the
 * public eq table is allocated, so no partial fold of a secret table is
 * left unwiped (zkr_mle_eval_* fold a copy).
 */
static zkr_err zkr_zr_eval(const zkr_gl *bv, const zkr_ext *ev, unsigned vars, const zkr_ext *z,
                           zkr_ext *out)
{
    size_t len = (size_t)1 << vars;
    zkr_ext *eq = malloc(len * sizeof *eq), acc = zkr_ext_from(0);

    if (!eq)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(z, vars, eq);
    for (size_t i = 0; i < len; i++)
        acc = zkr_ext_add(acc, bv ? zkr_ext_mul_base(eq[i], bv[i]) : zkr_ext_mul(eq[i], ev[i]));
    free(eq);
    *out = acc;
    return ZKR_OK;
}

/* A blinded poly's full point (r_<n, s, 0...) and its value there. */
static zkr_err zkr_zr_value(const zkr_hpcs_poly *f, unsigned n, const zkr_ext *r, zkr_ext s,
                            zkr_ext *zf, zkr_ext *val)
{
    unsigned total = zkr_hpcs_poly_total_vars(f);
    const zkr_gl *bv = zkr_hpcs_poly_base_evals(f);

    memcpy(zf, r, (size_t)n * sizeof *zf);
    zf[n] = s;
    for (unsigned b = n + 1; b < total; b++)
        zf[b] = zkr_ext_from(0);
    return zkr_zr_eval(bv, zkr_hpcs_poly_ext_evals(f), total, zf, val);
}

/* The revealed values and, for each, a mask Z_P, Z_P's value b and P + rho_P Z_P's opening. */
static zkr_err zkr_zr_open_values(zkr_zr_ctx *z, zkr_ext gr)
{
    zkr_hpcs_poly *polys[4] = {z->a, z->h, z->ph, z->m};
    unsigned nv[4] = {z->n, z->n, ZR_TV, ZR_TV};
    zkr_ext s = zkr_ext_mul(z->r[0], zkr_ext_sub(zkr_ext_from(1), z->r[0]));
    zkr_ext vals[5], zf[4][64];
    zkr_err r;

    for (int i = 0; i < 4; i++)
        if ((r = zkr_zr_value(polys[i], nv[i], z->r, s, zf[i], &vals[i])) != ZKR_OK)
            return r;
    vals[4] = gr;
    zkr_ts_absorb_ext(z->t, "zr-values", vals, 5);
    if ((r = zkr_enc_exts(z->out, vals, 5)) != ZKR_OK)
        return r;
    for (int i = 0; i < 4; i++) {
        zkr_hpcs_poly *mask = NULL;
        uint8_t root[ZKR_DIGEST_BYTES];
        unsigned total = zkr_hpcs_poly_total_vars(polys[i]);
        zkr_ext b, rho;
        r = zkr_prover_hmask(z->p, total, z->rng, z->threads, &mask, root);
        if (r == ZKR_OK)
            r = zkr_zr_eval(NULL, zkr_hpcs_mask_evals(mask), total, zf[i], &b);
        if (r == ZKR_OK) {
            zkr_ts_absorb(z->t, "zr-mask-root", root, ZKR_DIGEST_BYTES);
            zkr_ts_absorb_ext(z->t, "zr-mask-val", &b, 1);
            rho = zkr_ts_challenge_ext(z->t, "zr-open-rho");
            if ((r = zkr_buf_append(z->out, root, ZKR_DIGEST_BYTES)) == ZKR_OK &&
                (r = zkr_enc_ext(z->out, b)) == ZKR_OK)
                r = zkr_prover_hopen_at(z->p, z->t, polys[i], mask, rho, zf[i],
                                        zkr_ext_add(vals[i], zkr_ext_mul(rho, b)), z->rng,
                                        z->threads, z->out);
        }
        zkr_hpcs_poly_free(mask);
        if (r != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/* g(r) = <C, Lambda(r)>: the masked linear sumcheck (matmul@2's pattern) and C's opening. */
static zkr_err zkr_zr_coef(zkr_zr_ctx *z)
{
    size_t len = (size_t)1 << z->lc;
    zkr_hpcs_poly *mask = NULL;
    uint8_t root[ZKR_DIGEST_BYTES];
    zkr_ext *tab[2] = {calloc(len, sizeof(zkr_ext)), calloc(len, sizeof(zkr_ext))};
    zkr_ext *msgs = calloc(2 * (size_t)z->lc + 1, sizeof *msgs), rc[64], sigma = zkr_ext_from(0);
    zkr_ext rho, v;
    const zkr_gl *cb = zkr_hpcs_poly_base_evals(z->c);
    const zkr_ext *zv;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!tab[0] || !tab[1] || !msgs)
        goto out;
    if ((r = zkr_prover_hmask(z->p, zkr_hpcs_poly_total_vars(z->c), z->rng, z->threads, &mask,
                              root)) != ZKR_OK)
        goto out;
    zv = zkr_hpcs_mask_evals(mask);
    zkr_zkrange_lambda(z->r, z->N, tab[1]);
    for (size_t j = 0; j < len; j++)
        sigma = zkr_ext_add(sigma, zkr_ext_mul(zv[j], tab[1][j]));
    zkr_ts_absorb(z->t, "zr-cmask-root", root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_ext(z->t, "zr-csigma", &sigma, 1);
    rho = zkr_ts_challenge_ext(z->t, "zr-crho");
    for (size_t j = 0; j < len; j++) {
        tab[0][j] = zkr_ext_mul(rho, zv[j]);
        tab[0][j].c[0] = zkr_gl_add(tab[0][j].c[0], cb[j]);
    }
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly f = {tab, 2, &term, 1, 2, NULL};
        zkr_prover_sumcheck(&f, z->lc, z->t, z->threads, msgs, rc);
    }
    v = tab[0][0];
    zkr_ts_absorb_ext(z->t, "zr-cv", &v, 1);
    if ((r = zkr_buf_append(z->out, root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_ext(z->out, sigma)) != ZKR_OK ||
        (r = zkr_enc_exts(z->out, msgs, 2 * (size_t)z->lc)) != ZKR_OK ||
        (r = zkr_enc_ext(z->out, v)) != ZKR_OK)
        goto out;
    r = zkr_prover_hopen(z->p, z->t, z->c, mask, rho, rc, v, z->rng, z->threads, z->out);
out:
    zkr_hpcs_poly_free(mask);
    for (int i = 0; i < 2; i++)
        zkr_zr_wipe_free(tab[i], tab[i] ? len * sizeof(zkr_ext) : 0);
    free(msgs);
    return r;
}

static zkr_err zkr_zr_run(zkr_zr_ctx *z)
{
    zkr_ext gamma, gr;
    zkr_err r;

    zkr_ts_absorb_u64(z->t, "zr-table-off", (uint64_t)z->tab->off);
    zkr_ts_absorb_u64(z->t, "zr-table-count", z->tab->count);
    {
        uint8_t root[ZKR_DIGEST_BYTES];
        zkr_hpcs_poly_root(z->a, root);
        zkr_ts_absorb(z->t, "zr-a-root", root, ZKR_DIGEST_BYTES);
    }
    if ((r = zkr_zr_commit_m_c(z)) != ZKR_OK)
        return r;
    z->x = zkr_ts_challenge_ext(z->t, "zr-x");
    if ((r = zkr_zr_commit_h_phi(z)) != ZKR_OK)
        return r;
    zkr_ts_challenge_exts(z->t, "zr-r0", z->r0, z->n);
    zkr_ts_challenge_exts(z->t, "zr-r2", z->r2, ZR_TV);
    z->lam = zkr_ts_challenge_ext(z->t, "zr-lambda");
    z->mu = zkr_ts_challenge_ext(z->t, "zr-mu");
    gamma = zkr_zr_gamma(z);
    zkr_ts_absorb_ext(z->t, "zr-gamma", &gamma, 1);
    z->rho = zkr_ts_challenge_ext(z->t, "zr-rho");
    if ((r = zkr_enc_ext(z->out, gamma)) != ZKR_OK || (r = zkr_zr_tables(z)) != ZKR_OK ||
        (r = zkr_zr_sumcheck(z)) != ZKR_OK)
        return r;
    gr = z->gco[0];
    for (unsigned i = 0; i < z->N; i++)
        gr = zkr_ext_add(gr, zkr_zr_gi(z->gco, i, z->r[i]));
    if ((r = zkr_zr_open_values(z, gr)) != ZKR_OK)
        return r;
    return zkr_zr_coef(z);
}

static zkr_err zkr_zr_prove(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                            const zkr_zkrange_table *tab, int force, zkr_zkrng *rng,
                            unsigned threads, zkr_buf *out)
{
    zkr_zr_ctx z;
    size_t mark = out->len;
    zkr_err r;

    if (!zkr_hpcs_poly_base_evals(a) || tab->count == 0 || tab->count > 256)
        return ZKR_ERR_USAGE;
    memset(&z, 0, sizeof z);
    z.p = p, z.t = t, z.rng = rng, z.threads = threads ? threads : 1, z.tab = tab;
    z.force = force, z.a = a, z.out = out;
    z.n = zkr_hpcs_poly_n_vars(a);
    z.N = zkr_zkrange_sc_vars(z.n);
    z.lc = zkr_zkrange_coef_vars(z.n);
    r = zkr_zr_run(&z);
    if (r != ZKR_OK)
        out->len = mark;
    zkr_hpcs_poly_free(z.m);
    zkr_hpcs_poly_free(z.c);
    zkr_hpcs_poly_free(z.h);
    zkr_hpcs_poly_free(z.ph);
    zkr_zr_wipe_free(z.gco, z.gco ? (1 + (size_t)ZR_D * z.N) * sizeof *z.gco : 0);
    for (int k = 0; k < ZR_NT; k++)
        zkr_zr_wipe_free(z.tb[k], z.tb[k] ? ((size_t)1 << z.N) * sizeof(zkr_ext) : 0);
    return r;
}

zkr_err zkr_prover_zkrange(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                           const zkr_zkrange_table *tab, zkr_zkrng *rng, unsigned threads,
                           zkr_buf *out)
{
    return zkr_zr_prove(p, t, a, tab, 0, rng, threads, out);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_zkrange_force(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                 const zkr_zkrange_table *tab, zkr_zkrng *rng, zkr_buf *out)
{
    return zkr_zr_prove(p, t, a, tab, 1, rng, 1, out);
}
#endif
