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

/*
 * Public tables of the batched sumcheck (ext, 2^N, zero-extended): eq(r0, .)
 * and eq(r2, .) (each times its selector), the table t, the selectors of the
 * n- and 8-variable regions, and the linear claim's weights.
 */
enum { ZR_E0, ZR_E2, ZR_T, ZR_SN, ZR_S8, ZR_EM, ZR_NT };
/* Hidden tables: the randomised extensions of a, h, phi, m (coupled, below). */
enum { ZR_HA, ZR_HH, ZR_HP, ZR_HM, ZR_NH };

typedef struct {
    const zkr_params *p;
    zkr_transcript *t;
    zkr_zkrng *rng;
    unsigned threads, n, N, lc;
    int x8;                      /* zkr_ext8_ok, asked once (one path for the whole job) */
    unsigned T, E;               /* the batch's n + e; coupled blinding coordinates */
    const zkr_zkrange_table *tab;
    const int64_t *vals; /* an explicit table (NULL: tab's interval) */
    int64_t sv[1u << 8]; /* vals sorted, with si their indices (explicit tables) */
    uint8_t si[1u << 8];
    const zkr_zkrange_lin *lin;  /* NULL: no linear claim */
    const zkr_zkrange_cheat *cheat; /* all zero when honest */
    const zkr_zkrange_link *link; /* NULL: no hidden term */
    zkr_zkrange_defer *df;       /* NULL: the range proof opens its own values and C */
    zkr_ext gdelta;              /* cheat fit_g: the verifier's running claim minus the true one */
    unsigned nb;                 /* b's variables (link) */
    zkr_ext *lb, *lu;            /* b's table coupled on variable 0 (2^(N+1)), u (2^N) */
    zkr_hpcs_poly *a, *m, *c, *h, *ph;
    zkr_zr_chal ch;
    zkr_ext r[64];
    zkr_ext *gco;                /* Libra mask coefficients (stride) */
    zkr_ext *tb[ZR_NT];
    size_t tlen[ZR_NT];          /* tb[k] is zero from tlen[k] on (public: the tables' shapes) */
    zkr_ext *hb[ZR_NH];
    size_t hb_len;
    zkr_hpcs_pool *pool;         /* a's (NULL: malloc): the helpers' buffers and the tables */
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

/* The table index of value v (-1: off the table); explicit tables by bisection of sv. */
static int64_t zkr_zr_index(const zkr_zr_ctx *z, int64_t v)
{
    uint32_t lo = 0, hi = 1u << ZR_TV;

    if (!z->vals) {
        int64_t j = v - z->tab->off;
        return j >= 0 && j < (int64_t)z->tab->count ? j : -1;
    }
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (z->sv[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < (1u << ZR_TV) && z->sv[lo] == v ? (int64_t)z->si[lo] : -1;
}

/*
 * Sorts an explicit table into sv/si; USAGE when two values repeat or one
 * is outside zkr_zr_signed's range (there, distinct integers are distinct
 * field elements, as the verifier's check requires).
 */
static zkr_err zkr_zr_sort_vals(zkr_zr_ctx *z)
{
    for (uint32_t j = 0; j < (1u << ZR_TV); j++)
        if (z->vals[j] < -(int64_t)(ZKR_GL_P / 2) || z->vals[j] > (int64_t)(ZKR_GL_P / 2))
            return ZKR_ERR_USAGE;
    for (uint32_t j = 0; j < (1u << ZR_TV); j++) {
        uint32_t k = j;
        while (k > 0 && z->sv[k - 1] > z->vals[j]) {
            z->sv[k] = z->sv[k - 1], z->si[k] = z->si[k - 1];
            k--;
        }
        z->sv[k] = z->vals[j], z->si[k] = (uint8_t)j;
    }
    for (uint32_t j = 1; j < (1u << ZR_TV); j++)
        if (z->sv[j] == z->sv[j - 1])
            return ZKR_ERR_USAGE;
    return ZKR_OK;
}

/* Multiplicities of av's 2^n entries (padding included); USAGE if one is off the table. */
static zkr_err zkr_zr_counts_of(const zkr_zr_ctx *z, const zkr_gl *av, zkr_gl *mult)
{
    memset(mult, 0, sizeof(zkr_gl) << ZR_TV);
    for (size_t i = 0; i < ((size_t)1 << z->n); i++) {
        int64_t j = zkr_zr_index(z, zkr_zr_signed(av[i]));
        if (j < 0) {
            if (!z->cheat->force)
                return ZKR_ERR_USAGE;
            continue; /* a cheat: the entry is counted nowhere */
        }
        mult[j] = zkr_gl_add(mult[j], 1);
    }
    return ZKR_OK;
}

static zkr_err zkr_zr_counts(const zkr_zr_ctx *z, zkr_gl *mult)
{
    return zkr_zr_counts_of(z, zkr_hpcs_poly_base_evals(z->a), mult);
}

zkr_err zkr_prover_zkrange_mult(const zkr_gl *a, unsigned n, const zkr_zkrange_table *tab,
                                const zkr_zkrange_cheat *cheat, zkr_gl *mult)
{
    zkr_zkrange_cheat honest;
    zkr_zr_ctx z;

    memset(&honest, 0, sizeof honest);
#if !ZKR_TEST_BUILD
    cheat = NULL;
#endif
    if (!a || !mult || !tab || tab->count == 0 || tab->count > 256 || n == 0 || n > 40)
        return ZKR_ERR_USAGE;
    memset(&z, 0, sizeof z);
    z.tab = tab, z.n = n, z.cheat = cheat ? cheat : &honest;
    memset(mult, 0, sizeof *mult << zkr_zkrange_sc_vars(n));
    return zkr_zr_counts_of(&z, a, mult);
}

/* m given by the caller (stacked with a): the counts it must hold, checked. */
static zkr_err zkr_zr_take_m(zkr_zr_ctx *z, const zkr_gl *mult, zkr_hpcs_commitment *mc)
{
    const zkr_gl *mv = zkr_hpcs_poly_base_evals(z->df->m_given);

    if (!mv || zkr_hpcs_poly_n_vars(z->df->m_given) != z->N ||
        zkr_hpcs_poly_total_vars(z->df->m_given) != z->T ||
        (!z->cheat->m_any && memcmp(mv, mult, sizeof *mult << z->N) != 0))
        return ZKR_ERR_USAGE;
    z->m = z->df->m_given;
    z->df->m_given = NULL;
    memset(mc, 0, sizeof *mc);
    zkr_hpcs_poly_root(z->m, mc->root);
    if (z->cheat->m_root_lie)
        mc->root[0] ^= 1;
    return ZKR_OK;
}

/*
 * m and phi live on the table's 2^8 rows, zero-extended to N variables:
 * their evaluations [2^8, 2^N) are zero by shape (public), which the
 * openings' combinations skip (zkr_hpcs_poly_set_zeros).
 */
static zkr_err zkr_zr_mark_zeros(const zkr_zr_ctx *z, zkr_hpcs_poly *f)
{
    if (z->N <= ZR_TV)
        return ZKR_OK;
    return zkr_hpcs_poly_set_zeros(f, (size_t)1 << ZR_TV, (size_t)1 << z->N);
}

/* m (zero-extended to N variables, blinded to the batch's size) and C: both fixed before X. */
static zkr_err zkr_zr_commit_m_c(zkr_zr_ctx *z)
{
    size_t stride = 1 + (size_t)ZR_D * z->N, clen = (size_t)1 << z->lc;
    size_t nlen = (size_t)1 << z->N;
    zkr_gl *cb = calloc(clen, sizeof *cb), *mult = zkr_hpcs_pool_get_zero(z->pool, nlen * sizeof *mult);
    zkr_hpcs_commitment mc, cc;
    zkr_err r = ZKR_ERR_NOMEM;

    z->gco = malloc(stride * sizeof *z->gco);
    if (!cb || !mult || !z->gco)
        goto out;
    if ((r = zkr_zr_counts(z, mult)) != ZKR_OK)
        goto out;
    if (z->df) {
        /* deferred: the caller drew g's coefficients and committed them in its own C */
        memcpy(z->gco, z->df->gco, stride * sizeof *z->gco);
        if (z->df->m_given)
            r = zkr_zr_take_m(z, mult, &mc);
        else if ((r = zkr_prover_hcommit_fit_pool(z->p, mult, z->N, z->T, 1, z->df->leaf_arity,
                                                  z->pool, z->rng, z->threads, &z->m, &mc)) ==
                 ZKR_OK)
            r = zkr_zr_mark_zeros(z, z->m);
        if (r != ZKR_OK)
            goto out;
        zkr_ts_absorb(z->t, "zr-m-root", mc.root, ZKR_DIGEST_BYTES);
        r = zkr_buf_append(z->out, mc.root, ZKR_DIGEST_BYTES);
        goto out;
    }
    for (size_t i = 0; i < stride; i++) {
        z->gco[i] = zkr_zkrng_ext(z->rng);
        for (unsigned k = 0; k < 3; k++)
            cb[k * stride + i] = z->gco[i].c[k];
    }
    if ((r = zkr_prover_hcommit_sized_pool(z->p, mult, z->N, z->T, 1, z->pool, z->rng,
                                           z->threads, &z->m, &mc)) != ZKR_OK ||
        (r = zkr_zr_mark_zeros(z, z->m)) != ZKR_OK ||
        (r = zkr_prover_hcommit(z->p, cb, z->lc, 1, z->rng, z->threads, &z->c, &cc)) != ZKR_OK)
        goto out;
    zkr_ts_absorb(z->t, "zr-m-root", mc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(z->t, "zr-c-root", cc.root, ZKR_DIGEST_BYTES);
    if ((r = zkr_buf_append(z->out, mc.root, ZKR_DIGEST_BYTES)) != ZKR_OK)
        goto out;
    r = zkr_buf_append(z->out, cc.root, ZKR_DIGEST_BYTES);
out:
    zkr_hpcs_pool_put(z->pool, mult, nlen * sizeof *mult, 1);
    zkr_zr_wipe_free(cb, cb ? clen * sizeof *cb : 0);
    return r;
}

/*
 * h[lo, hi) = 1/(X - a_i) from inv (1/(X - t_j) for the table's 2^8
 * entries): a_i on the table is t_j for j = its index, and inverses are
 * unique, so the lookup gives batch inversion's values; an entry off the
 * table (a cheat's) is inverted on its own. Worker w's result in r[w].
 */
typedef struct {
    const zkr_zr_ctx *z;
    const zkr_gl *av;
    const zkr_ext *inv;
    zkr_ext *h;
    zkr_err r[ZKR_PAR_MAX];
} zkr_zr_hfill_job;

static void zkr_zr_hfill_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_zr_hfill_job *j = ctx;

    for (size_t i = lo; i < hi; i++) {
        int64_t k = zkr_zr_index(j->z, zkr_zr_signed(j->av[i]));
        zkr_err r;
        if (k >= 0) {
            j->h[i] = j->inv[k];
            continue;
        }
        j->h[i] = j->z->ch.x;
        j->h[i].c[0] = zkr_gl_sub(j->h[i].c[0], j->av[i]);
        if ((r = zkr_ext_batch_inv(&j->h[i], 1)) != ZKR_OK)
            j->r[w] = r;
    }
}

/* h = 1/(X - a) and phi = m/(X - t), after X; both zero-extended to N variables. */
static zkr_err zkr_zr_commit_h_phi(zkr_zr_ctx *z)
{
    size_t len = (size_t)1 << z->n, nlen = (size_t)1 << z->N;
    const zkr_gl *av = zkr_hpcs_poly_base_evals(z->a), *mv = zkr_hpcs_poly_base_evals(z->m);
    /* h: its first 2^n entries written by the lookup below, only the tail zeroed */
    zkr_ext *h = zkr_hpcs_pool_get(z->pool, nlen * sizeof *h);
    zkr_ext *ph = zkr_hpcs_pool_get_zero(z->pool, nlen * sizeof *ph);
    zkr_hpcs_commitment hc, pc;
    unsigned fit = z->df ? z->df->leaf_arity : 0; /* deferred: the caller's mixed opening's */
    zkr_err r = ZKR_ERR_NOMEM;

    if (!h || !ph)
        goto out;
    memset(h + len, 0, (nlen - len) * sizeof *h);
    for (uint32_t j = 0; j < (1u << ZR_TV); j++) {
        ph[j] = z->ch.x;
        ph[j].c[0] = zkr_gl_sub(ph[j].c[0], zkr_gl_from_i64(zkr_zkrange_tval(z->tab, z->vals, j)));
    }
    /* X is a random extension element: X = a_i or t_j has probability ~2^-192. */
    if ((r = zkr_ext_batch_inv(ph, 1u << ZR_TV)) != ZKR_OK)
        goto out;
    {
        /*
         * a's 2^n entries take at most 2^8 values: h by lookup in the table's
         * inverses, not a batch inversion of every entry. inv is public (X and
         * the table); h is not, and goes back to the pool as a secret.
         */
        zkr_zr_hfill_job hj;
        hj.z = z, hj.av = av, hj.inv = ph, hj.h = h;
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
            hj.r[w] = ZKR_OK;
        zkr_par_for(z->threads, len, 1 << 14, zkr_zr_hfill_chunk, &hj);
        for (unsigned w = 0; w < ZKR_PAR_MAX && r == ZKR_OK; w++)
            r = hj.r[w];
        if (r != ZKR_OK)
            goto out;
    }
    for (uint32_t j = 0; j < (1u << ZR_TV); j++)
        ph[j] = zkr_ext_mul_base(ph[j], mv[j]);
    if (z->df && z->df->stack_h_phi) {
        /* one tree for both (the caller's mixed opening reads them together) */
        r = zkr_prover_hcommit_ext_pair_fit_pool(z->p, h, ph, z->N, z->T, 1, fit, z->pool, z->rng,
                                                 z->threads, &z->h, &z->ph, &hc);
        pc = hc;
    } else if ((r = zkr_prover_hcommit_ext_fit_pool(z->p, h, z->N, z->T, 1, fit, z->pool, z->rng,
                                                    z->threads, &z->h, &hc)) == ZKR_OK) {
        r = zkr_prover_hcommit_ext_fit_pool(z->p, ph, z->N, z->T, 1, fit, z->pool, z->rng,
                                            z->threads, &z->ph, &pc);
    }
    if (r != ZKR_OK || (r = zkr_zr_mark_zeros(z, z->ph)) != ZKR_OK)
        goto out;
    zkr_ts_absorb(z->t, "zr-h-root", hc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(z->t, "zr-phi-root", pc.root, ZKR_DIGEST_BYTES);
    if ((r = zkr_buf_append(z->out, hc.root, ZKR_DIGEST_BYTES)) == ZKR_OK)
        r = zkr_buf_append(z->out, pc.root, ZKR_DIGEST_BYTES);
out:
    zkr_hpcs_pool_put(z->pool, ph, nlen * sizeof *ph, 1);
    zkr_hpcs_pool_put(z->pool, h, nlen * sizeof *h, 1);
    return r;
}

/*
 * The coupled table of a blinded poly: its first 2^(N + E) entries (x the
 * low N coordinates, then the blinding coordinates u_0..u_{E-1} that the
 * randomised extension pairs with x_0..x_{E-1}; the later ones stay 0).
 * A cheat's off_slice reads a (only) with u_0 flipped.
 */
typedef struct {
    const zkr_gl *bv;
    const zkr_ext *ev;
    size_t flipbit;
    zkr_ext *out;
} zkr_zr_hidden_job;

static void zkr_zr_hidden_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_zr_hidden_job *j = ctx;

    (void)w;
    for (size_t i = lo; i < hi; i++) {
        size_t at = i ^ j->flipbit;
        j->out[i] = j->bv ? zkr_ext_from(j->bv[at]) : j->ev[at];
    }
}

static void zkr_zr_hidden(const zkr_zr_ctx *z, const zkr_hpcs_poly *f, int flip, zkr_ext *out)
{
    zkr_zr_hidden_job j = {zkr_hpcs_poly_base_evals(f), zkr_hpcs_poly_ext_evals(f),
                           flip ? (size_t)1 << z->N : 0, out};

    zkr_par_for(z->threads, z->hb_len, 1 << 14, zkr_zr_hidden_chunk, &j);
}

/*
 * The link's tables: u zero-extended to N variables, and b's randomised
 * extension on variable 0 as a coupled table (x the N low coordinates, b
 * replicated above its nb, then u_0), entry F_b(x mod 2^nb, u_0, 0..).
 */
static zkr_err zkr_zr_link_tables(zkr_zr_ctx *z)
{
    size_t len = (size_t)1 << z->N, blen = (size_t)1 << z->nb;
    const zkr_gl *bv = zkr_hpcs_poly_base_evals(z->link->b_poly);

    z->lu = calloc(len, sizeof(zkr_ext));
    z->lb = malloc(2 * len * sizeof(zkr_ext));
    if (!z->lu || !z->lb)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < blen; i++)
        z->lu[i] = z->link->weights[i];
    for (size_t u = 0; u < 2; u++)
        for (size_t i = 0; i < len; i++)
            z->lb[i + u * len] = zkr_ext_from(bv[(i & (blen - 1)) + u * blen]);
    return ZKR_OK;
}

/*
 * The public tables' entries [lo, hi) in one pass on the threads: SN's
 * ones and EM's weights on the first 2^n, E0's zero tail (E0's 2^n and
 * E2's, t's and S8's 2^8 head are written by zkr_zr_tables; those three
 * are only their head long, zkr_zr_tcap).
 */
static void zkr_zr_pub_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_zr_ctx *z = ctx;
    size_t nn = (size_t)1 << z->n;
    zkr_ext zero = zkr_ext_from(0), one = zkr_ext_from(1);

    (void)w;
    for (size_t i = lo; i < hi; i++) {
        int in = i < nn;
        if (!in)
            z->tb[ZR_E0][i] = zero;
        z->tb[ZR_SN][i] = in ? one : zero;
        z->tb[ZR_EM][i] = in && z->lin ? z->lin->weights[i] : zero;
    }
}

/*
 * Table k's length: E2, t and S8 are zero past the table's 2^8 rows
 * (tlen, which every read of them checks first, and their folds keep
 * within), so only those rows are stored; the others 2^N.
 */
static size_t zkr_zr_tcap(const zkr_zr_ctx *z, int k)
{
    int head = k == ZR_E2 || k == ZR_T || k == ZR_S8;

    return (size_t)1 << (head && z->N > ZR_TV ? ZR_TV : z->N);
}

static zkr_err zkr_zr_tables(zkr_zr_ctx *z)
{
    size_t len = (size_t)1 << z->N;
    const zkr_hpcs_poly *hp[ZR_NH] = {z->a, z->h, z->ph, z->m};

    for (int k = 0; k < ZR_NT; k++) {
        /* every entry written below (zkr_zr_pub_chunk and the heads) */
        z->tb[k] = zkr_hpcs_pool_get(z->pool, zkr_zr_tcap(z, k) * sizeof(zkr_ext));
        if (!z->tb[k])
            return ZKR_ERR_NOMEM;
    }
    z->hb_len = (size_t)1 << (z->N + z->E);
    for (int k = 0; k < ZR_NH; k++) {
        /* every entry written by zkr_zr_hidden */
        z->hb[k] = zkr_hpcs_pool_get(z->pool, z->hb_len * sizeof(zkr_ext));
        if (!z->hb[k])
            return ZKR_ERR_NOMEM;
        zkr_zr_hidden(z, hp[k], k == ZR_HA && z->cheat->off_slice, z->hb[k]);
    }
    /* the regions the tables below fill; the rest zero (zkr_zr_pub_chunk) */
    for (int k = 0; k < ZR_NT; k++)
        z->tlen[k] = k == ZR_E2 || k == ZR_T || k == ZR_S8 ? (size_t)1 << ZR_TV : (size_t)1 << z->n;
    zkr_par_for(z->threads, len, 1 << 14, zkr_zr_pub_chunk, z);
    zkr_mle_eq_table_mt(z->ch.r0, z->n, z->threads, z->tb[ZR_E0]);
    zkr_mle_eq_table(z->ch.r2, ZR_TV, z->tb[ZR_E2]);
    for (uint32_t j = 0; j < (1u << ZR_TV); j++) {
        z->tb[ZR_T][j] = zkr_ext_from(zkr_gl_from_i64(zkr_zkrange_tval(z->tab, z->vals, j)));
        z->tb[ZR_S8][j] = zkr_ext_from(1);
    }
    return z->link ? zkr_zr_link_tables(z) : ZKR_OK;
}

/* A coupled pair's value at (x_j, u_j) = (c, s(c)): F00 + c d1 + s d2 + c s d3. */
static zkr_ext zkr_zr_pair(const zkr_ext d[4], zkr_gl c, zkr_gl s)
{
    zkr_ext v = zkr_ext_add(d[0], zkr_ext_mul_base(d[1], c));
    v = zkr_ext_add(v, zkr_ext_mul_base(d[2], s));
    return zkr_ext_add(v, zkr_ext_mul_base(d[3], zkr_gl_mul(c, s)));
}

/* F00, F10 - F00, F01 - F00, F11 - F10 - F01 + F00 of a coupled table at pair i. */
static void zkr_zr_pair_diffs(const zkr_ext *t, size_t i, size_t ustride, zkr_ext d[4])
{
    zkr_ext f00 = t[2 * i], f10 = t[2 * i + 1], f01 = t[2 * i + ustride];
    zkr_ext f11 = t[2 * i + 1 + ustride];

    d[0] = f00;
    d[1] = zkr_ext_sub(f10, f00);
    d[2] = zkr_ext_sub(f01, f00);
    d[3] = zkr_ext_add(zkr_ext_sub(f11, f10), zkr_ext_sub(f00, f01));
}

/*
 * The link's term nu U B at c = 0, 2..7 for pair i of round j (B coupled
 * with u_0 in round 0 only, as zkr_zr_round's hidden polys).
 */
static void zkr_zr_link_round(const zkr_zr_ctx *z, unsigned j, size_t i, unsigned cm,
                              zkr_ext *acc)
{
    unsigned n_cur = z->N - j;
    zkr_ext u0 = z->lu[2 * i], du = zkr_ext_sub(z->lu[2 * i + 1], u0), bd[4];

    if (j == 0) {
        zkr_zr_pair_diffs(z->lb, i, (size_t)1 << n_cur, bd);
    } else {
        bd[0] = z->lb[2 * i];
        bd[1] = zkr_ext_sub(z->lb[2 * i + 1], bd[0]);
        bd[2] = bd[3] = zkr_ext_from(0);
    }
    for (unsigned c = 0; c <= cm; c++) {
        zkr_gl s = j == 0 ? zkr_gl_sub(c, zkr_gl_mul(c, c)) : 0;
        zkr_ext u, b;
        if (c == 1)
            continue;
        u = zkr_ext_add(u0, zkr_ext_mul_base(du, c));
        b = zkr_zr_pair(bd, c, s);
        acc[c] = zkr_ext_add(acc[c], zkr_ext_mul(z->ch.nu, zkr_ext_mul(u, b)));
    }
}

/*
 * A hidden poly's values at c = 0..7 for pair i. In a coupled round the
 * pair's value F00 + c d1 + s d2 + c s d3 with s = c (1 - c) is the cubic
 * d0 + (d1 + d2) c + (d3 - d2) c^2 - d3 c^3, stepped by forward
 * differences (Delta = d1, Delta^2 = -2 d2 - 4 d3, Delta^3 = -6 d3 at 0):
 * additions only, the same field values as evaluating it.
 */
static void zkr_zr_hvals(const zkr_ext *t, size_t i, size_t ustride, int coupled, unsigned cm,
                         zkr_ext out[ZR_D + 1])
{
    zkr_ext d[4], p, d1, d2 = zkr_ext_from(0), d3 = zkr_ext_from(0);

    if (coupled) {
        zkr_zr_pair_diffs(t, i, ustride, d);
        zkr_ext m3 = zkr_ext_sub(zkr_ext_from(0), d[3]), m3x2 = zkr_ext_add(m3, m3);
        zkr_ext m3x4 = zkr_ext_add(m3x2, m3x2);
        d2 = zkr_ext_sub(m3x4, zkr_ext_add(d[2], d[2])); /* -2 d2 - 4 d3 */
        d3 = zkr_ext_add(m3x4, m3x2);                     /* -6 d3 */
    } else {
        d[0] = t[2 * i];
        d[1] = zkr_ext_sub(t[2 * i + 1], d[0]);
    }
    p = d[0];
    d1 = d[1];
    out[0] = p;
    for (unsigned c = 1; c <= cm; c++) {
        p = zkr_ext_add(p, d1);
        out[c] = p;
        if (coupled) {
            d1 = zkr_ext_add(d1, d2);
            d2 = zkr_ext_add(d2, d3);
        }
    }
}

static int zkr_zr_is(zkr_ext v, zkr_gl c0)
{
    return v.c[0] == c0 && v.c[1] == 0 && v.c[2] == 0;
}

/* A public table's values at c = 0..cm for pair i (linear in c). */
static void zkr_zr_tvals(const zkr_ext *t, size_t i, unsigned cm, zkr_ext out[ZR_D + 1])
{
    zkr_ext d = zkr_ext_sub(t[2 * i + 1], t[2 * i]);

    out[0] = t[2 * i];
    for (unsigned c = 1; c <= cm; c++)
        out[c] = zkr_ext_add(out[c - 1], d);
}

/* The per-term sums of f's round message at c = 0..7 (c = 1 unused). */
typedef struct {
    zkr_ext e0[ZR_D + 1], lam[ZR_D + 1], mu[ZR_D + 1], nu[ZR_D + 1], link[ZR_D + 1];
} zkr_zr_acc;

/*
 * Pair i's contribution to each of f's terms (f = E0 (h (X - a) - 1) +
 * lam (SN h - S8 phi) + mu E2 (phi (X - t) - m) + nu EM a, split by its
 * challenge factor, which multiplies the sums once per round), first the
 * terms of a and h (zkr_zr_pair_main; eight pairs at a time in
 * zkr_ext8_zr_terms), then those of phi and m (zkr_zr_pair_rest). A term
 * whose public table is zero on the pair (E0 above 2^n, E2 and S8 above
 * 2^8) contributes nothing and is skipped; SN's all-ones region needs no
 * product.
 */
static void zkr_zr_pair_main(const zkr_zr_ctx *z, size_t i, size_t ustride, int coupled,
                             unsigned cm, zkr_zr_acc *acc)
{
    zkr_ext ha[ZR_D + 1], hh[ZR_D + 1], tv[ZR_D + 1];
    zkr_ext one = zkr_ext_from(1);
    const zkr_ext *const *tb = (const zkr_ext *const *)z->tb;

    zkr_zr_hvals(z->hb[ZR_HA], i, ustride, coupled, cm, ha);
    zkr_zr_hvals(z->hb[ZR_HH], i, ustride, coupled, cm, hh);
    if (!zkr_zr_is(tb[ZR_E0][2 * i], 0) || !zkr_zr_is(tb[ZR_E0][2 * i + 1], 0)) {
        zkr_zr_tvals(tb[ZR_E0], i, cm, tv);
        for (unsigned c = 0; c <= cm; c++) {
            zkr_ext q;
            if (c == 1)
                continue;
            q = zkr_ext_mul(hh[c], zkr_ext_sub(z->ch.x, ha[c]));
            acc->e0[c] = zkr_ext_add(acc->e0[c], zkr_ext_mul(tv[c], zkr_ext_sub(q, one)));
        }
    }
    if (zkr_zr_is(tb[ZR_SN][2 * i], 1) && zkr_zr_is(tb[ZR_SN][2 * i + 1], 1)) {
        for (unsigned c = 0; c <= cm; c++)
            acc->lam[c] = zkr_ext_add(acc->lam[c], hh[c]);
    } else if (!zkr_zr_is(tb[ZR_SN][2 * i], 0) || !zkr_zr_is(tb[ZR_SN][2 * i + 1], 0)) {
        zkr_zr_tvals(tb[ZR_SN], i, cm, tv);
        for (unsigned c = 0; c <= cm; c++)
            if (c != 1)
                acc->lam[c] = zkr_ext_add(acc->lam[c], zkr_ext_mul(tv[c], hh[c]));
    }
    if (z->lin && (!zkr_zr_is(tb[ZR_EM][2 * i], 0) || !zkr_zr_is(tb[ZR_EM][2 * i + 1], 0))) {
        zkr_zr_tvals(tb[ZR_EM], i, cm, tv);
        for (unsigned c = 0; c <= cm; c++)
            if (c != 1)
                acc->nu[c] = zkr_ext_add(acc->nu[c], zkr_ext_mul(tv[c], ha[c]));
    }
}

/*
 * Pair i's terms of phi and m (zero outside the table's 2^8 rows, where S8
 * and E2 are zero: skipped there, by their tlen, as they are stored only
 * up to it; a zero pair inside adds zero).
 */
static void zkr_zr_pair_rest(const zkr_zr_ctx *z, size_t i, size_t ustride, int coupled,
                             unsigned cm, zkr_zr_acc *acc)
{
    zkr_ext hp[ZR_D + 1], hm[ZR_D + 1], tv[ZR_D + 1], tv2[ZR_D + 1];
    const zkr_ext *const *tb = (const zkr_ext *const *)z->tb;
    int s8 = 2 * i < z->tlen[ZR_S8], e2 = 2 * i < z->tlen[ZR_E2];

    if (!s8 && !e2)
        return;
    zkr_zr_hvals(z->hb[ZR_HP], i, ustride, coupled, cm, hp);
    if (s8) {
        zkr_zr_tvals(tb[ZR_S8], i, cm, tv);
        for (unsigned c = 0; c <= cm; c++)
            if (c != 1)
                acc->lam[c] = zkr_ext_sub(acc->lam[c], zkr_ext_mul(tv[c], hp[c]));
    }
    if (e2) {
        zkr_zr_hvals(z->hb[ZR_HM], i, ustride, coupled, cm, hm);
        zkr_zr_tvals(tb[ZR_E2], i, cm, tv);
        zkr_zr_tvals(tb[ZR_T], i, cm, tv2);
        for (unsigned c = 0; c <= cm; c++) {
            zkr_ext q;
            if (c == 1)
                continue;
            q = zkr_ext_sub(zkr_ext_mul(hp[c], zkr_ext_sub(z->ch.x, tv2[c])), hm[c]);
            acc->mu[c] = zkr_ext_add(acc->mu[c], zkr_ext_mul(tv[c], q));
        }
    }
}

/*
 * zkr_zr_pair_main over pairs [lo, hi), eight at a time where x8: every
 * pair's terms computed, the zero ones too (adding zero, or multiplying
 * by an all-ones SN, changes no sum). Returns the first pair left.
 */
_Static_assert(ZR_D + 1 == 8, "zkr_ext8_zr_terms evaluates c = 0..7");
static size_t zkr_zr_main8(const zkr_zr_ctx *z, size_t lo, size_t hi, size_t ustride, int coupled,
                           unsigned cm, zkr_zr_acc *acc)
{
    /* c = 0..cm only: a cubic round's 5..7 are interpolated (zkr_zr_cubic_rest) */
    zkr_ext8_zr_in in = {z->tb[ZR_E0], z->tb[ZR_SN], z->lin ? z->tb[ZR_EM] : NULL,
                         z->hb[ZR_HA], z->hb[ZR_HH], ustride, coupled, z->ch.x, cm};

    return z->x8 ? zkr_ext8_zr_terms(&in, lo, hi, acc->e0, acc->lam, acc->nu) : lo;
}

/*
 * f's round message h(0), h(2..7) in round j (n_cur = N - j live
 * variables). In a coupled round (j < E) each hidden poly's value at c is
 * its pair's at (c, s(c)), s(c) = c (1 - c); the later pairs sit at u = 0
 * (s vanishes on {0, 1}), so the sum runs over the u = 0 half only.
 * The sums are exact field sums: regrouping them by term gives the same
 * message as summing f pair by pair.
 */
typedef struct {
    const zkr_zr_ctx *z;
    unsigned j;
    size_t ustride;
    int coupled;
    unsigned cm;     /* the last point c summed (zkr_zr_round) */
    zkr_zr_acc *acc; /* one per worker */
} zkr_zr_round_job;

static void zkr_zr_round_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_zr_round_job *rj = ctx;
    size_t m = zkr_zr_main8(rj->z, lo, hi, rj->ustride, rj->coupled, rj->cm, &rj->acc[w]);

    for (size_t i = lo; i < hi; i++) {
        if (i >= m)
            zkr_zr_pair_main(rj->z, i, rj->ustride, rj->coupled, rj->cm, &rj->acc[w]);
        zkr_zr_pair_rest(rj->z, i, rj->ustride, rj->coupled, rj->cm, &rj->acc[w]);
        if (rj->z->link)
            zkr_zr_link_round(rj->z, rj->j, i, rj->cm, rj->acc[w].link);
    }
}

/*
 * f's values at 5, 6, 7 from those at 0, 2, 3, 4 (Lagrange on those nodes):
 * exact for a cubic, which f is in every uncoupled round (each table
 * linear in the round's variable, every term a product of at most three).
 */
_Static_assert(ZR_D == 7, "zkr_zr_cubic_rest fills c = 5..7");
static void zkr_zr_cubic_rest(zkr_ext f[ZR_D + 1])
{
    /* 4 f(5) = -f0 + 10 f2 - 20 f3 + 15 f4; f(6) = -f0 + 9 f2 - 16 f3 + 9 f4;
     * 2 f(7) = -5 f0 + 42 f2 - 70 f3 + 35 f4 */
    static const int64_t w[3][4] = {{-1, 10, -20, 15}, {-1, 9, -16, 9}, {-5, 42, -70, 35}};
    const zkr_ext *p[4] = {&f[0], &f[2], &f[3], &f[4]};
    zkr_gl scale[3] = {zkr_gl_inv(4), 1, zkr_gl_inv(2)};

    for (unsigned k = 0; k < 3; k++) {
        zkr_ext v = zkr_ext_from(0);
        for (unsigned q = 0; q < 4; q++)
            v = zkr_ext_add(v, zkr_ext_mul_base(*p[q], zkr_gl_from_i64(w[k][q])));
        f[5 + k] = zkr_ext_mul_base(v, scale[k]);
    }
}

static zkr_err zkr_zr_round(const zkr_zr_ctx *z, unsigned j, zkr_ext msg[ZR_D])
{
    unsigned n_cur = z->N - j;
    size_t half = (size_t)1 << (n_cur - 1);
    /*
     * Past the coupled rounds (and the link's round 0) f is a cubic in c:
     * the pairs are summed at c = 0..4 only and 5..7 follow from them
     * (zkr_zr_cubic_rest: the same field values, about 3/7 fewer products).
     */
    int cubic = j >= z->E && j >= 1;
    zkr_zr_round_job rj = {z, j, (size_t)1 << n_cur, j < z->E, cubic ? 4 : ZR_D, NULL};
    zkr_zr_acc acc;
    zkr_ext f[ZR_D + 1];
    unsigned nw = z->threads < ZKR_PAR_MAX ? z->threads : ZKR_PAR_MAX;

    /* per-worker partial sums (exact field sums: any split gives the same message) */
    rj.acc = malloc(nw * sizeof *rj.acc);
    if (!rj.acc)
        return ZKR_ERR_NOMEM;
    for (unsigned w = 0; w < nw; w++)
        for (unsigned c = 0; c <= ZR_D; c++)
            rj.acc[w].e0[c] = rj.acc[w].lam[c] = rj.acc[w].mu[c] = rj.acc[w].nu[c] =
                rj.acc[w].link[c] = zkr_ext_from(0);
    zkr_par_for(nw, half, 1 << 12, zkr_zr_round_chunk, &rj);
    acc = rj.acc[0];
    for (unsigned w = 1; w < nw; w++)
        for (unsigned c = 0; c <= ZR_D; c++) {
            acc.e0[c] = zkr_ext_add(acc.e0[c], rj.acc[w].e0[c]);
            acc.lam[c] = zkr_ext_add(acc.lam[c], rj.acc[w].lam[c]);
            acc.mu[c] = zkr_ext_add(acc.mu[c], rj.acc[w].mu[c]);
            acc.nu[c] = zkr_ext_add(acc.nu[c], rj.acc[w].nu[c]);
            acc.link[c] = zkr_ext_add(acc.link[c], rj.acc[w].link[c]);
        }
    zkr_zr_wipe_free(rj.acc, nw * sizeof *rj.acc);
    for (unsigned c = 0; c <= rj.cm; c++) {
        f[c] = zkr_ext_add(acc.e0[c], zkr_ext_mul(z->ch.lam, acc.lam[c]));
        f[c] = zkr_ext_add(f[c], zkr_ext_mul(z->ch.mu, acc.mu[c]));
        if (z->lin)
            f[c] = zkr_ext_add(f[c], zkr_ext_mul(z->ch.nu, acc.nu[c]));
        f[c] = zkr_ext_add(f[c], acc.link[c]);
    }
    if (rj.cm < ZR_D)
        zkr_zr_cubic_rest(f);
    msg[0] = f[0];
    for (unsigned c = 2; c <= ZR_D; c++)
        msg[c - 1] = f[c];
    return ZKR_OK;
}

/*
 * Fixes (x_j, u_j) = (r, s(r)) in a coupled table of n_cur x-bits and ub
 * u-bits (in place; eight pairs a step where x8, the same values).
 */
static void zkr_zr_fold_pair(zkr_ext *t, unsigned n_cur, unsigned ub, zkr_ext r, int x8)
{
    size_t half = (size_t)1 << (n_cur - 1), ustride = (size_t)1 << n_cur;
    size_t nu = (size_t)1 << (ub - 1);
    zkr_ext s = zkr_ext_mul(r, zkr_ext_sub(zkr_ext_from(1), r)), k[3] = {r, s, zkr_ext_mul(r, s)};

    for (size_t u = 0; u < nu; u++) {
        zkr_ext *row = t + 2 * u * ustride;
        /* reads at >= the write index: in place is safe */
        size_t i = x8 ? zkr_ext8_fold_pair(row, row + ustride, t + u * half, 0, half, k) : 0;
        for (; i < half; i++) {
            zkr_ext d[4], v;
            zkr_zr_pair_diffs(row, i, ustride, d);
            v = zkr_ext_add(d[0], zkr_ext_mul(d[1], k[0]));
            v = zkr_ext_add(v, zkr_ext_mul(d[2], k[1]));
            t[i + u * half] = zkr_ext_add(v, zkr_ext_mul(d[3], k[2]));
        }
    }
}

/* zkr_mle_fix_first, eight pairs a step where x8 (zk/ext8.c: the same values; in place). */
static void zkr_zr_fix_first(zkr_ext *t, unsigned n_cur, zkr_ext r, int x8)
{
    size_t half = (size_t)1 << (n_cur - 1), i = x8 ? zkr_ext8_fold(t, t, 0, half, r) : 0;

    for (; i < half; i++)
        t[i] = zkr_ext_add(t[2 * i], zkr_ext_mul(r, zkr_ext_sub(t[2 * i + 1], t[2 * i])));
}

/*
 * zkr_zr_fix_first of a public table that is zero from *len on: the
 * entries folded from zeros are zero, so only the first ceil(len / 2) are
 * computed and the stale ones behind them cleared (the same table);
 * *len follows.
 */
static void zkr_zr_fix_public(zkr_ext *t, unsigned n_cur, zkr_ext r, int x8, size_t *len)
{
    size_t half = (size_t)1 << (n_cur - 1), nl = (*len + 1) / 2, old = *len, i;

    if (nl > half)
        nl = half;
    i = x8 ? zkr_ext8_fold(t, t, 0, nl, r) : 0;
    for (; i < nl; i++)
        t[i] = zkr_ext_add(t[2 * i], zkr_ext_mul(r, zkr_ext_sub(t[2 * i + 1], t[2 * i])));
    if (old > half)
        old = half;
    for (i = nl; i < old; i++)
        t[i] = zkr_ext_from(0);
    *len = nl;
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
        msg[c ? c - 1 : 0] = zkr_ext_add(msg[c ? c - 1 : 0], zkr_ext_mul(z->ch.rho, g));
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

/*
 * Cheat fit_g (test builds): with an entry off the table counted nowhere,
 * the sum of f is lambda (sum h - sum phi) != 0 (the zero-checks vanish:
 * h and phi are exact), and the verifier's claim (rho gamma) is off by its
 * negation. The honest rounds carry that difference, times the Lagrange
 * basis of node 1 at each challenge (the verifier derives h(1) from its
 * claim), to the final value, where g(r) absorbs it.
 */
static zkr_ext zkr_zr_cheat_delta0(const zkr_zr_ctx *z)
{
    zkr_ext s = zkr_ext_from(0);

    for (size_t i = 0; i < ((size_t)1 << z->N); i++)
        s = zkr_ext_add(s, zkr_ext_sub(z->hb[ZR_HH][i], z->hb[ZR_HP][i]));
    return zkr_ext_sub(zkr_ext_from(0), zkr_ext_mul(z->ch.lam, s));
}

static zkr_ext zkr_zr_l1(zkr_ext x)
{
    zkr_ext v = x;

    for (unsigned k = 2; k <= ZR_D; k++)
        v = zkr_ext_mul(v, zkr_ext_sub(x, zkr_ext_from(k)));
    return zkr_ext_mul_base(v, zkr_gl_inv(720)); /* prod_{k != 1} (1 - k) = 720 */
}

typedef struct {
    zkr_zr_ctx *z;
    unsigned i; /* the round whose challenge r_i is fixed */
} zkr_zr_fold_job;

/*
 * The order in which the fold's workers take the tables: the hidden ones
 * (2^E times longer) spread between the public ones, so that contiguous
 * runs of it carry about equal work (every table is folded on its own, so
 * the order changes no value).
 */
static const unsigned char zkr_zr_fold_order[ZR_NT + ZR_NH] = {
    ZR_NT + ZR_HA, ZR_E0, ZR_E2, ZR_NT + ZR_HH, ZR_T,
    ZR_SN, ZR_NT + ZR_HP, ZR_S8, ZR_EM, ZR_NT + ZR_HM};
_Static_assert(ZR_NT + ZR_NH == 10, "zkr_zr_fold_order lists every table once");

/* Fixes r_i in tables [lo, hi) (in zkr_zr_fold_order, then the link's u and b; each table
 * on its own: the workers share none). */
static void zkr_zr_fold_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_zr_fold_job *fj = ctx;
    zkr_zr_ctx *z = fj->z;
    unsigned i = fj->i, n_cur = z->N - i;

    (void)w;
    for (size_t q = lo; q < hi; q++) {
        size_t k = q < ZR_NT + ZR_NH ? zkr_zr_fold_order[q] : q;
        if (k < ZR_NT) {
            zkr_zr_fix_public(z->tb[k], n_cur, z->r[i], z->x8, &z->tlen[k]);
        } else if (k < ZR_NT + ZR_NH) {
            zkr_ext *t = z->hb[k - ZR_NT];
            if (i < z->E)
                zkr_zr_fold_pair(t, n_cur, z->E - i, z->r[i], z->x8);
            else
                zkr_zr_fix_first(t, n_cur, z->r[i], z->x8);
        } else if (k == ZR_NT + ZR_NH) {
            zkr_zr_fix_first(z->lu, n_cur, z->r[i], z->x8);
        } else if (i == 0) {
            zkr_zr_fold_pair(z->lb, n_cur, 1, z->r[i], z->x8);
        } else {
            zkr_zr_fix_first(z->lb, n_cur, z->r[i], z->x8);
        }
    }
}

/* The batched sumcheck of f + rho g (claim nu lin + rho gamma); r out. */
static zkr_err zkr_zr_sumcheck(zkr_zr_ctx *z)
{
    zkr_ext msg[ZR_D], prefix = zkr_ext_from(0);
    zkr_err r;

    if (z->cheat->fit_g)
        z->gdelta = zkr_zr_cheat_delta0(z);
    for (unsigned i = 0; i < z->N; i++) {
        if ((r = zkr_zr_round(z, i, msg)) != ZKR_OK)
            return r;
        zkr_zr_mask_round(z, i, prefix, msg);
        zkr_ts_absorb_ext(z->t, "sc-round", msg, ZR_D);
        z->r[i] = zkr_ts_challenge_ext(z->t, "sc-challenge");
        if (z->cheat->fit_g)
            z->gdelta = zkr_ext_mul(z->gdelta, zkr_zr_l1(z->r[i]));
        if ((r = zkr_enc_exts(z->out, msg, ZR_D)) != ZKR_OK)
            return r;
        {
            zkr_zr_fold_job fj = {z, i};
            zkr_par_for(z->threads, ZR_NT + ZR_NH + (z->link ? 2 : 0), 1, zkr_zr_fold_chunk,
                        &fj);
        }
        prefix = zkr_ext_add(prefix, zkr_zr_gi(z->gco, i, z->r[i]));
    }
    return ZKR_OK;
}

/*
 * The batch's full point (r_<N, s(r_0), .., s(r_{E-1}), 0, ..): every
 * committed poly of the batch has T = N + (T - N) coordinates.
 */
static void zkr_zr_full_point(const zkr_zr_ctx *z, zkr_ext *zf)
{
    memcpy(zf, z->r, (size_t)z->N * sizeof *zf);
    for (unsigned b = z->N; b < z->T; b++) {
        unsigned j = b - z->N;
        zf[b] = j < z->E ? zkr_ext_mul(z->r[j], zkr_ext_sub(zkr_ext_from(1), z->r[j]))
                         : zkr_ext_from(0);
    }
}

/* B(r) by b's own hiding opening at (r_<nb, s(r_0), 0..). */
static zkr_err zkr_zr_link_open(zkr_zr_ctx *z)
{
    zkr_hpcs_poly *b = z->link->b_poly;
    unsigned tb = zkr_hpcs_poly_total_vars(b);
    zkr_ext zf[64], bval = z->lb[0];

    memcpy(zf, z->r, (size_t)z->nb * sizeof *zf);
    zf[z->nb] = zkr_ext_mul(z->r[0], zkr_ext_sub(zkr_ext_from(1), z->r[0]));
    for (unsigned i = z->nb + 1; i < tb; i++)
        zf[i] = zkr_ext_from(0);
    return zkr_prover_hopen_batch(z->p, z->t, &b, 1, zf, &bval, z->rng, z->threads, z->out);
}

/*
 * Hands the sumcheck's tables back (the hidden ones wiped), for the
 * openings that follow to reuse; the link's b and u stay.
 */
static void zkr_zr_tables_release(zkr_zr_ctx *z)
{
    for (int k = 0; k < ZR_NT; k++) {
        zkr_hpcs_pool_put(z->pool, z->tb[k], zkr_zr_tcap(z, k) * sizeof(zkr_ext), 1);
        z->tb[k] = NULL;
    }
    for (int k = 0; k < ZR_NH; k++) {
        zkr_hpcs_pool_put(z->pool, z->hb[k], z->hb_len * sizeof(zkr_ext), 1);
        z->hb[k] = NULL;
    }
}

/*
 * The revealed values (the coupled tables folded to one entry) and their
 * batched hiding opening at the full point. A cheat's fit_val moves one
 * value by 1 and refits g(r) so that the sumcheck's final check passes;
 * off_slice opens a at the point with u_0 = 1 - s(r_0) it proved about.
 */
static zkr_err zkr_zr_open_values(zkr_zr_ctx *z, zkr_ext gr)
{
    zkr_hpcs_poly *polys[ZR_NH] = {z->a, z->h, z->ph, z->m};
    zkr_ext vals[5], zf[64];
    zkr_err r;

    for (int i = 0; i < ZR_NH; i++)
        vals[i] = z->hb[i][0];
    vals[4] = gr;
    zkr_zr_full_point(z, zf);
    if (z->cheat->fit_val) {
        zkr_ext f0, f1, em = z->tb[ZR_EM][0];
        if ((r = zkr_zkrange_final(z->tab, z->vals, z->n, &z->ch, z->lin != NULL, z->r, vals, em, &f0)) !=
            ZKR_OK)
            return r;
        vals[z->cheat->fit_val - 1].c[0] = zkr_gl_add(vals[z->cheat->fit_val - 1].c[0], 1);
        if ((r = zkr_zkrange_final(z->tab, z->vals, z->n, &z->ch, z->lin != NULL, z->r, vals, em, &f1)) !=
            ZKR_OK)
            return r;
        vals[4] = zkr_ext_add(gr, zkr_ext_mul(zkr_ext_sub(f0, f1), zkr_ext_inv(z->ch.rho)));
    }
    zkr_ts_absorb_ext(z->t, "zr-values", vals, 5);
    if ((r = zkr_enc_exts(z->out, vals, 5)) != ZKR_OK)
        return r;
    if (z->cheat->off_slice)
        zf[z->N] = zkr_ext_sub(zkr_ext_from(1), zf[z->N]);
    if (z->link) {
        zkr_ext bval = z->lb[0];
        zkr_ts_absorb_ext(z->t, "zr-link-value", &bval, 1);
        if ((r = zkr_enc_ext(z->out, bval)) != ZKR_OK)
            return r;
    }
    zkr_zr_tables_release(z);
#if ZKR_TEST_BUILD
    if (z->cheat->batch.beta_delta || z->cheat->batch.rho_delta || z->cheat->batch.b_delta ||
        z->cheat->batch.swap_mask || z->cheat->batch.plain_layout)
        r = zkr_prover_hopen_batch_cheat(z->p, z->t, polys, ZR_NH, zf, vals, &z->cheat->batch,
                                         z->rng, z->out);
    else
#endif
        r = zkr_prover_hopen_batch(z->p, z->t, polys, ZR_NH, zf, vals, z->rng, z->threads,
                                   z->out);
    return r != ZKR_OK || !z->link ? r : zkr_zr_link_open(z);
}

/*
 * Deferred (inference@2 version 5): the revealed values are sent and
 * handed to the caller with the full point and the helpers, which its
 * claim reduction and batched openings bind; nothing is opened here. A
 * cheat's shift_h sends h^ + 1 and m^ moved so that the final check still
 * holds (g(r) honest): only the caller's reduction can refuse.
 */
static zkr_err zkr_zr_defer_values(zkr_zr_ctx *z, zkr_ext gr)
{
    zkr_zkrange_defer *df = z->df;
    zkr_ext vals[5];
    zkr_err r;

    for (int i = 0; i < ZR_NH; i++)
        vals[i] = z->hb[i][0];
    vals[4] = gr;
    if (z->cheat->shift_h) {
        zkr_ext f0, f1, em = z->tb[ZR_EM][0], dm;
        if ((r = zkr_zkrange_final(z->tab, z->vals, z->n, &z->ch, z->lin != NULL, z->r, vals, em, &f0)) !=
            ZKR_OK)
            return r;
        vals[ZR_HH].c[0] = zkr_gl_add(vals[ZR_HH].c[0], 1);
        if ((r = zkr_zkrange_final(z->tab, z->vals, z->n, &z->ch, z->lin != NULL, z->r, vals, em, &f1)) !=
            ZKR_OK)
            return r;
        /* f is affine in m^ with slope -mu E2(r) S_8(r): pull m^ back onto f0 */
        vals[ZR_HM] = zkr_ext_add(vals[ZR_HM], zkr_ext_from(1));
        if ((r = zkr_zkrange_final(z->tab, z->vals, z->n, &z->ch, z->lin != NULL, z->r, vals, em, &dm)) !=
            ZKR_OK)
            return r;
        dm = zkr_ext_sub(dm, f1); /* f's change per unit of m^ */
        vals[ZR_HM] = zkr_ext_sub(vals[ZR_HM], zkr_ext_from(1));
        vals[ZR_HM] = zkr_ext_add(vals[ZR_HM], zkr_ext_mul(zkr_ext_sub(f0, f1), zkr_ext_inv(dm)));
    }
    zkr_ts_absorb_ext(z->t, "zr-values", vals, 5);
    if ((r = zkr_enc_exts(z->out, vals, 5)) != ZKR_OK)
        return r;
    memcpy(df->vals, vals, sizeof vals);
    memcpy(df->r, z->r, (size_t)z->N * sizeof *z->r);
    zkr_zr_full_point(z, df->zf);
    df->N = z->N;
    df->E = z->E;
    df->T = z->T;
    df->h = z->h, df->ph = z->ph, df->m = z->m;
    z->h = z->ph = z->m = NULL;
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

    zkr_zkrange_absorb_table(z->t, z->tab, z->vals);
    {
        uint8_t root[ZKR_DIGEST_BYTES];
        zkr_hpcs_poly_root(z->a, root);
        zkr_ts_absorb(z->t, "zr-a-root", root, ZKR_DIGEST_BYTES);
    }
    if (z->lin)
        zkr_ts_absorb_ext(z->t, "zr-lin-claim", &z->lin->claim, 1);
    if ((r = zkr_zr_commit_m_c(z)) != ZKR_OK)
        return r;
    z->ch.x = zkr_ts_challenge_ext(z->t, "zr-x");
    if ((r = zkr_zr_commit_h_phi(z)) != ZKR_OK)
        return r;
    zkr_ts_challenge_exts(z->t, "zr-r0", z->ch.r0, z->n);
    zkr_ts_challenge_exts(z->t, "zr-r2", z->ch.r2, ZR_TV);
    z->ch.lam = zkr_ts_challenge_ext(z->t, "zr-lambda");
    z->ch.mu = zkr_ts_challenge_ext(z->t, "zr-mu");
    if (z->lin)
        z->ch.nu = zkr_ts_challenge_ext(z->t, "zr-nu");
    gamma = zkr_zr_gamma(z);
    zkr_ts_absorb_ext(z->t, "zr-gamma", &gamma, 1);
    z->ch.rho = zkr_ts_challenge_ext(z->t, "zr-rho");
    if ((r = zkr_enc_ext(z->out, gamma)) != ZKR_OK || (r = zkr_zr_tables(z)) != ZKR_OK ||
        (r = zkr_zr_sumcheck(z)) != ZKR_OK)
        return r;
    gr = z->gco[0];
    for (unsigned i = 0; i < z->N; i++)
        gr = zkr_ext_add(gr, zkr_zr_gi(z->gco, i, z->r[i]));
    if (z->cheat->fit_g)
        gr = zkr_ext_add(gr, zkr_ext_mul(z->gdelta, zkr_ext_inv(z->ch.rho)));
    if (z->df)
        return zkr_zr_defer_values(z, gr);
    if ((r = zkr_zr_open_values(z, gr)) != ZKR_OK)
        return r;
    return zkr_zr_coef(z);
}

static zkr_err zkr_zr_prove(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                            const zkr_zkrange_table *tab, const int64_t *vals,
                            const zkr_zkrange_lin *lin,
                            const zkr_zkrange_link *link, zkr_zkrange_defer *df,
                            const zkr_zkrange_cheat *cheat, zkr_zkrng *rng, unsigned threads,
                            zkr_buf *out)
{
    zkr_zkrange_cheat honest;
    zkr_zr_ctx z;
    size_t mark = out->len;
    zkr_err r;

    /* NULL is the honest prover; deviations exist in test builds only */
    memset(&honest, 0, sizeof honest);
#if !ZKR_TEST_BUILD
    cheat = NULL;
#endif
    if (!cheat)
        cheat = &honest;

    if (!zkr_hpcs_poly_base_evals(a) || tab->count == 0 || tab->count > 256 ||
        (lin && !lin->weights))
        return ZKR_ERR_USAGE;
    memset(&z, 0, sizeof z);
    z.p = p, z.t = t, z.rng = rng, z.threads = threads ? threads : 1, z.tab = tab;
    z.lin = lin, z.cheat = cheat, z.a = a, z.out = out, z.df = df, z.vals = vals;
    z.pool = zkr_hpcs_poly_pool(a);
    z.x8 = zkr_ext8_ok();
    if (vals && (r = zkr_zr_sort_vals(&z)) != ZKR_OK)
        return r;
    z.n = zkr_hpcs_poly_n_vars(a);
    z.N = zkr_zkrange_sc_vars(z.n);
    z.lc = zkr_zkrange_coef_vars(z.n);
    z.T = zkr_hpcs_poly_total_vars(a);
    if ((r = zkr_zkrange_batch_shape(p, z.n, z.T, &z.E)) != ZKR_OK)
        return r;
    if (df && (link || !df->gco || (r = zkr_zkrange_defer_shape(p, z.n, z.T)) != ZKR_OK))
        return link || !df->gco ? ZKR_ERR_USAGE : r;
    if (link) {
        z.link = link;
        z.nb = link->b_poly ? zkr_hpcs_poly_n_vars(link->b_poly) : 0;
        if (!lin || !link->b_poly || !link->weights || !zkr_hpcs_poly_base_evals(link->b_poly) ||
            z.nb < 1 || z.nb > z.N || zkr_hpcs_poly_total_vars(link->b_poly) <= z.nb ||
            zkr_hpcs_poly_total_vars(link->b_poly) > 64)
            return ZKR_ERR_USAGE;
    }
    r = zkr_zr_run(&z);
    if (r != ZKR_OK) {
        out->len = mark;
        if (df) {
            zkr_hpcs_poly_free(df->h), zkr_hpcs_poly_free(df->ph), zkr_hpcs_poly_free(df->m);
            df->h = df->ph = df->m = NULL;
        }
    }
    zkr_hpcs_poly_free(z.m);
    zkr_hpcs_poly_free(z.c);
    zkr_hpcs_poly_free(z.h);
    zkr_hpcs_poly_free(z.ph);
    zkr_zr_wipe_free(z.gco, z.gco ? (1 + (size_t)ZR_D * z.N) * sizeof *z.gco : 0);
    zkr_zr_tables_release(&z);
    zkr_zr_wipe_free(z.lb, z.lb ? ((size_t)2 << z.N) * sizeof(zkr_ext) : 0);
    zkr_zr_wipe_free(z.lu, z.lu ? ((size_t)1 << z.N) * sizeof(zkr_ext) : 0);
    return r;
}

zkr_err zkr_prover_zkrange(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                           const zkr_zkrange_table *tab, zkr_zkrng *rng, unsigned threads,
                           zkr_buf *out)
{
    return zkr_zr_prove(p, t, a, tab, NULL, NULL, NULL, NULL, NULL, rng, threads, out);
}

zkr_err zkr_prover_zkrange_lin(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                               const zkr_zkrange_table *tab, const zkr_zkrange_lin *lin,
                               zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    return zkr_zr_prove(p, t, a, tab, NULL, lin, NULL, NULL, NULL, rng, threads, out);
}

zkr_err zkr_prover_zkrange_link(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                const zkr_zkrange_table *tab, const zkr_zkrange_lin *lin,
                                const zkr_zkrange_link *link, const zkr_zkrange_cheat *cheat,
                                zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    if (!link)
        return ZKR_ERR_USAGE;
    return zkr_zr_prove(p, t, a, tab, NULL, lin, link, NULL, cheat, rng, threads, out);
}

zkr_err zkr_prover_zkrange_link_vals(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                     const int64_t *vals, const zkr_zkrange_lin *lin,
                                     const zkr_zkrange_link *link, const zkr_zkrange_cheat *cheat,
                                     zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    const zkr_zkrange_table tab = {0, 256};

    if (!link || !vals)
        return ZKR_ERR_USAGE;
    return zkr_zr_prove(p, t, a, &tab, vals, lin, link, NULL, cheat, rng, threads, out);
}

zkr_err zkr_prover_zkrange_defer(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                 const zkr_zkrange_table *tab, const zkr_zkrange_cheat *cheat,
                                 zkr_zkrange_defer *df, zkr_zkrng *rng, unsigned threads,
                                 zkr_buf *out)
{
    if (!df)
        return ZKR_ERR_USAGE;
    df->h = df->ph = df->m = NULL;
    return zkr_zr_prove(p, t, a, tab, NULL, NULL, NULL, df, cheat, rng, threads, out);
}

zkr_err zkr_prover_zkrange_defer_lin(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                     const zkr_zkrange_table *tab, const zkr_zkrange_lin *lin,
                                     const zkr_zkrange_cheat *cheat, zkr_zkrange_defer *df,
                                     zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    if (!df || !lin)
        return ZKR_ERR_USAGE;
    df->h = df->ph = df->m = NULL;
    return zkr_zr_prove(p, t, a, tab, NULL, lin, NULL, df, cheat, rng, threads, out);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_zkrange_force(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                 const zkr_zkrange_table *tab, zkr_zkrng *rng, zkr_buf *out)
{
    zkr_zkrange_cheat force;

    memset(&force, 0, sizeof force);
    force.force = 1;
    return zkr_zr_prove(p, t, a, tab, NULL, NULL, NULL, NULL, &force, rng, 1, out);
}

zkr_err zkr_prover_zkrange_cheat(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *a,
                                 const zkr_zkrange_table *tab, const zkr_zkrange_lin *lin,
                                 const zkr_zkrange_cheat *cheat, zkr_zkrng *rng, zkr_buf *out)
{
    if (cheat->fit_val > 4)
        return ZKR_ERR_USAGE;
    return zkr_zr_prove(p, t, a, tab, NULL, lin, NULL, NULL, cheat, rng, 1, out);
}
#endif
