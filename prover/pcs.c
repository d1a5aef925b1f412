/*
 * Basefold prover: commit = Merkle root of the rate-1/4 RS encoding of the
 * multilinear's monomial coefficients (bit-reversed order, 2^fold_arity
 * elements per leaf); open = sumcheck on eq(z, x) g(x) whose challenges
 * also fold the codeword, committing every fold_arity rounds.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/accel.h"
#include "prover/prover.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

_Static_assert(sizeof(zkr_ext) == 3 * sizeof(zkr_gl), "zkr_ext must be three packed words");

struct zkr_pcs_poly {
    unsigned n_vars;
    zkr_pcs_layout l;
    zkr_gl *evals;    /* 2^n */
    zkr_gl *coeffs;   /* 2^n monomial coefficients */
    zkr_gl *codeword; /* 2^(n + log_blowup), bit-reversed */
    zkr_mtree tree;
};

void zkr_pcs_poly_free(zkr_pcs_poly *poly)
{
    if (!poly)
        return;
    if (poly->evals)
        sodium_memzero(poly->evals, ((size_t)1 << poly->n_vars) * sizeof *poly->evals);
    free(poly->evals);
    if (poly->coeffs)
        sodium_memzero(poly->coeffs, ((size_t)1 << poly->n_vars) * sizeof *poly->coeffs);
    free(poly->coeffs);
    free(poly->codeword);
    zkr_mtree_free(&poly->tree);
    free(poly);
}

void zkr_pcs_poly_commitment(const zkr_pcs_poly *poly, zkr_pcs_commitment *out)
{
    zkr_mtree_root(&poly->tree, out->root);
    out->n_vars = poly->n_vars;
}

/* Merkle tree on the parameter set's backend (CPU when none). */
static zkr_err zkr_pcs_mtree(const zkr_params *p, const uint64_t *words, uint64_t n_leaves,
                             size_t leaf_words, const uint8_t seed[32], unsigned threads,
                             zkr_mtree *out)
{
    if (p->accel)
        return p->accel->mtree_build(p->accel->ctx, words, n_leaves, leaf_words, seed, out);
    return zkr_mtree_build(words, n_leaves, leaf_words, seed, threads, out);
}

/*
 * zkr_mle_to_monomial_base on threads: the per-variable butterflies commute
 * and each touches disjoint pairs, so the low variables run inside blocks
 * (cache-resident, one block per task) and each high variable over pairs.
 * The values are zkr_mle_to_monomial_base's exactly.
 */
#define ZKR_MONO_BLOCK_LOG 12u
typedef struct {
    zkr_gl *t;
    unsigned lo_vars; /* block: variables 0..lo_vars-1 */
    size_t bit;       /* pair pass: the variable's bit */
} zkr_mono_job;

static void zkr_mono_block_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_mono_job *j = ctx;

    (void)w;
    for (size_t b = lo; b < hi; b++)
        zkr_mle_to_monomial_base(j->t + (b << j->lo_vars), j->lo_vars);
}

static void zkr_mono_pair_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_mono_job *j = ctx;
    size_t bit = j->bit;

    (void)w;
    for (size_t k = lo; k < hi; k++) {
        /* pair k: the k-th index with `bit` clear, and its partner */
        size_t i = ((k & ~(bit - 1)) << 1) | (k & (bit - 1));
        j->t[i | bit] = zkr_gl_sub(j->t[i | bit], j->t[i]);
    }
}

static void zkr_mono_mt(zkr_gl *t, unsigned n, unsigned threads)
{
    zkr_mono_job j = {t, n < ZKR_MONO_BLOCK_LOG ? n : ZKR_MONO_BLOCK_LOG, 0};

    if (threads <= 1 || n <= ZKR_MONO_BLOCK_LOG) {
        zkr_mle_to_monomial_base(t, n);
        return;
    }
    zkr_par_for(threads, (size_t)1 << (n - j.lo_vars), 1, zkr_mono_block_chunk, &j);
    for (unsigned v = j.lo_vars; v < n; v++) {
        j.bit = (size_t)1 << v;
        zkr_par_for(threads, (size_t)1 << (n - 1), 1 << 14, zkr_mono_pair_chunk, &j);
    }
}

zkr_err zkr_prover_commit(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                          unsigned threads, zkr_pcs_poly **out, zkr_pcs_commitment *comm)
{
    zkr_pcs_poly *poly = NULL;
    zkr_ntt *ntt = NULL;
    zkr_gl *coef = NULL;
    size_t len = (size_t)1 << n_vars, big;
    uint8_t seed[32];
    zkr_err r = ZKR_ERR_NOMEM;

    *out = NULL;
    memset(comm, 0, sizeof *comm);
    if (n_vars > p->max_vars)
        return ZKR_ERR_TOO_LARGE;
    big = len << p->log_blowup;
    poly = calloc(1, sizeof *poly);
    if (!poly)
        goto out;
    poly->n_vars = n_vars;
    zkr_pcs_layout_of(p, n_vars, &poly->l);
    poly->evals = malloc(len * sizeof *poly->evals);
    poly->codeword = malloc(big * sizeof *poly->codeword);
    coef = malloc(len * sizeof *coef);
    if (!poly->evals || !poly->codeword || !coef)
        goto out;
    memcpy(poly->evals, evals, len * sizeof *evals);
    memcpy(coef, evals, len * sizeof *evals);
    zkr_mono_mt(coef, n_vars, threads);
    if (p->accel)
        r = p->accel->lde(p->accel->ctx, coef, n_vars, p->log_blowup, 1, poly->codeword);
    else if ((r = zkr_ntt_new_mt(n_vars + p->log_blowup > 0 ? n_vars + p->log_blowup : 1, threads,
                                 &ntt)) == ZKR_OK)
        r = zkr_ntt_lde(ntt, coef, n_vars, p->log_blowup, 1, threads, poly->codeword);
    if (r != ZKR_OK)
        goto out;
    /* Salts derived from the witness: reproducible; ZK will key this with a secret. */
    {
        crypto_generichash_blake2b_state h;
        uint8_t nv[8];
        zkr_store_le64(nv, n_vars);
        (void)crypto_generichash_blake2b_init(&h, NULL, 0, 32);
        (void)crypto_generichash_blake2b_update(&h, (const uint8_t *)"zkr/commit-salt", 15);
        (void)crypto_generichash_blake2b_update(&h, nv, 8);
        (void)crypto_generichash_blake2b_update(&h, (const uint8_t *)evals, len * sizeof *evals);
        (void)crypto_generichash_blake2b_final(&h, seed, 32);
    }
    r = zkr_pcs_mtree(p, poly->codeword, big >> poly->l.folds[0], (size_t)1 << poly->l.folds[0],
                      seed, threads, &poly->tree);
    if (r != ZKR_OK)
        goto out;
    zkr_pcs_poly_commitment(poly, comm);
    poly->coeffs = coef;
    coef = NULL;
    *out = poly;
    poly = NULL;
out:
    sodium_memzero(seed, sizeof seed);
    if (coef) {
        sodium_memzero(coef, len * sizeof *coef);
        free(coef);
    }
    zkr_ntt_free(ntt);
    zkr_pcs_poly_free(poly);
    return r;
}

/* ---------------- coefficient folding and re-encoding ---------------- */
/*
 * Folding the RS codeword of P with r gives the codeword (on the squared
 * domain) of P_e + r P_o, whose coefficients are c_2s + r c_2s+1. So the
 * prover folds the 2^n coefficients (cheap) and re-encodes only at the
 * committed layers, instead of folding the 4x longer codeword every round.
 */
typedef struct {
    const zkr_gl *base_in; /* first fold of a single polynomial reads base values */
    const zkr_ext *in;
    zkr_ext *out;
    zkr_ext r;
} zkr_fold_job;

static void zkr_fold_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_fold_job *j = ctx;

    (void)w;
    if (!j->base_in && zkr_ext8_ok())
        lo = zkr_ext8_fold_coef(j->in, j->out, lo, hi, j->r);
    for (size_t v = lo; v < hi; v++) {
        if (j->base_in) {
            zkr_ext o = zkr_ext_mul_base(j->r, j->base_in[2 * v + 1]);
            o.c[0] = zkr_gl_add(o.c[0], j->base_in[2 * v]);
            j->out[v] = o;
        } else {
            j->out[v] = zkr_ext_add(j->in[2 * v], zkr_ext_mul(j->r, j->in[2 * v + 1]));
        }
    }
}

/* RS-encodes ext coefficients (2^log_n) at rate 2^-log_blowup, bit-reversed. */
static zkr_err zkr_encode_ext(const zkr_params *p, const zkr_ntt *ntt, const zkr_ext *c,
                              unsigned log_n, unsigned log_blowup, unsigned threads, zkr_ext *out)
{
    size_t n = (size_t)1 << log_n, big = n << log_blowup;
    zkr_gl *in = malloc(n * sizeof *in), *ev = malloc(big * sizeof *ev);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!in || !ev)
        goto out;
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < n; i++)
            in[i] = c[i].c[k];
        if (p->accel)
            r = p->accel->lde(p->accel->ctx, in, log_n, log_blowup, 1, ev);
        else
            r = zkr_ntt_lde(ntt, in, log_n, log_blowup, 1, threads, ev);
        if (r != ZKR_OK)
            goto out;
        for (size_t i = 0; i < big; i++)
            out[i].c[k] = ev[i];
    }
    r = ZKR_OK;
out:
    free(in);
    free(ev);
    return r;
}

/* ---------------- opening ---------------- */

typedef struct {
    const zkr_params *p;
    zkr_pcs_layout l;
    unsigned threads;
    zkr_buf head;             /* batch msgs/evals, round msgs, roots, final, nonce */
    zkr_buf roots;            /* layer roots, written after all round messages */
    zkr_ext *layer_cw[32];    /* committed codewords of layers >= 1 */
    zkr_mtree layer_tree[32];
    zkr_pcs_cheat cheat;      /* test builds: all 0 (honest) or the forgery */
} zkr_open_ctx;

/* Table fill and claim accumulation of zkr_open_batch, over [lo, hi). */
typedef struct {
    const zkr_gl *evals; /* fill: base values to lift, or NULL */
    const zkr_ext *eqt;  /* accumulate: w eq(point, .) */
    zkr_ext *e;
} zkr_batch_job;

static void zkr_batch_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    const zkr_batch_job *j = ctx;

    (void)wk;
    if (j->evals) {
        for (size_t i = lo; i < hi; i++)
            j->e[i] = zkr_ext_from(j->evals[i]);
        return;
    }
    for (size_t x = lo; x < hi; x++) /* eqt already carries the claim's weight */
        j->e[x] = zkr_ext_add(j->e[x], j->eqt[x]);
}

/*
 * A claim point whose low `a` and high `b` coordinates are bits (a slot, a
 * fixed column) has eq(point, x) = 0 off the subcube those bits select and
 * eq(middle, y) on it: the claim's term of e is accumulated over 2^(n-a-b)
 * entries instead of 2^n. Same sum, same field values.
 */
static int zkr_is_bit(zkr_ext v, uint64_t *bit)
{
    if (v.c[1] != 0 || v.c[2] != 0 || v.c[0] > 1)
        return 0;
    *bit = v.c[0];
    return 1;
}

typedef struct {
    const zkr_ext *eqt; /* w eq(point_mid, .) */
    zkr_ext *e;
    unsigned a;         /* low fixed bits */
    size_t fixed;       /* the fixed bits' contribution to the index */
} zkr_sparse_job;

static void zkr_sparse_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    const zkr_sparse_job *j = ctx;

    (void)wk;
    for (size_t y = lo; y < hi; y++) {
        size_t x = (y << j->a) | j->fixed;
        j->e[x] = zkr_ext_add(j->e[x], j->eqt[y]);
    }
}

/* e += w eq(point, .) over n variables; eqt: 2^n scratch. */
static void zkr_open_add_claim(zkr_open_ctx *c, const zkr_ext *point, unsigned n, zkr_ext w,
                               zkr_ext *eqt, zkr_ext *e)
{
    unsigned a = 0, b = 0;
    uint64_t bit;
    size_t fixed = 0;

    while (a < n && zkr_is_bit(point[a], &bit)) {
        fixed |= (size_t)bit << a;
        a++;
    }
    while (b < n - a && zkr_is_bit(point[n - 1 - b], &bit)) {
        fixed |= (size_t)bit << (n - 1 - b);
        b++;
    }
    {
        zkr_sparse_job j = {eqt, e, a, fixed};
        /* w eq(point, .) built directly: w times each entry is the same field
         * element as the unscaled table times w, one product fewer per entry. */
        zkr_mle_eq_table_scaled_mt(point + a, n - a - b, w, c->threads, eqt);
        if (a == 0 && b == 0) {
            zkr_batch_job bj = {NULL, eqt, e};
            zkr_par_for(c->threads, (size_t)1 << n, 1 << 14, zkr_batch_chunk, &bj);
        } else {
            zkr_par_for(c->threads, (size_t)1 << (n - a - b), 1 << 14, zkr_sparse_chunk, &j);
        }
    }
}

static zkr_err zkr_open_batch(zkr_open_ctx *c, zkr_transcript *t, zkr_pcs_poly *const *polys,
                              size_t k_n, const zkr_pcs_claim *claims, size_t n_claims,
                              zkr_ext *z, zkr_ext *value, zkr_ext *beta_pow)
{
    unsigned n = c->l.n_vars;
    size_t len = (size_t)1 << n;
    zkr_ext *tables[ZKR_SC_MAX_TABLES] = {0}, *eqt = NULL, gamma, w = zkr_ext_from(1), beta;
    zkr_ext *msgs = NULL, evals[ZKR_SC_MAX_TABLES / 2];
    zkr_sc_term terms[ZKR_SC_MAX_TABLES / 2];
    zkr_sc_poly f;
    zkr_err r = ZKR_ERR_NOMEM;

    if (k_n > ZKR_SC_MAX_TABLES / 2)
        return ZKR_ERR_TOO_LARGE;
    gamma = zkr_ts_challenge_ext(t, "pcs-gamma");
    eqt = malloc(len * sizeof *eqt);
    msgs = malloc((2 * (size_t)n + 1) * sizeof *msgs);
    if (!eqt || !msgs)
        goto out;
    for (size_t k = 0; k < k_n; k++) {
        tables[2 * k] = calloc(len, sizeof(zkr_ext));
        tables[2 * k + 1] = malloc(len * sizeof(zkr_ext));
        if (!tables[2 * k] || !tables[2 * k + 1])
            goto out;
        {
            zkr_batch_job j = {polys[k]->evals, NULL, tables[2 * k + 1]};
            zkr_par_for(c->threads, len, 1 << 14, zkr_batch_chunk, &j);
        }
        terms[k] = (zkr_sc_term){zkr_ext_from(1), 2, {(unsigned)(2 * k), (unsigned)(2 * k + 1)}};
    }
    for (size_t i = 0; i < n_claims; i++) {
        zkr_open_add_claim(c, claims[i].point, n, w, eqt, tables[2 * claims[i].comm]);
        w = zkr_ext_mul(w, gamma);
    }
    f = (zkr_sc_poly){tables, 2 * k_n, terms, k_n, 2, NULL};
    zkr_prover_sumcheck_accel(&f, n, t, c->threads, c->p->accel, msgs, z);
    for (size_t k = 0; k < k_n; k++)
        evals[k] = tables[2 * k + 1][0];
    zkr_ts_absorb_ext(t, "pcs-batch-evals", evals, k_n);
    beta = zkr_ts_challenge_ext(t, "pcs-beta");
    beta_pow[0] = zkr_ext_from(1);
    for (size_t k = 1; k < k_n; k++)
        beta_pow[k] = zkr_ext_mul(beta_pow[k - 1], beta);
    *value = zkr_ext_from(0);
    for (size_t k = 0; k < k_n; k++)
        *value = zkr_ext_add(*value, zkr_ext_mul(beta_pow[k], evals[k]));
    if ((r = zkr_enc_exts(&c->head, msgs, 2 * (size_t)n)) != ZKR_OK)
        goto out;
    r = zkr_enc_exts(&c->head, evals, k_n);
out:
    for (size_t k = 0; k < ZKR_SC_MAX_TABLES; k++)
        free(tables[k]);
    free(eqt);
    free(msgs);
    return r;
}

/*
 * The folding sumcheck proves sum_x eq(z, x) g(x). eq factorises, so round
 * i's polynomial is h(X) = c_i eq(z_i, X) q(X) with
 *   q(X) = sum_x' eq(z_>i, x') g(r_<i, X, x'),   c_i = prod_{j<i} eq(z_j, r_j).
 * q is linear, so the prover needs only q(0), q(1) against the suffix table
 * eq(z_>i, .) of half size: the full eq table is never built or folded.
 * The messages h(0), h(2) are the same values as with the plain product.
 */
typedef struct {
    const zkr_ext *s;  /* eq(z_>i, .), 2^(n_cur-1) */
    const zkr_gl *gb;  /* g in the base field (round 0 of one polynomial) or NULL */
    const zkr_ext *g;  /* g in the extension */
    zkr_ext *g_out;    /* fold target */
    zkr_ext r;
    zkr_ext acc[ZKR_PAR_MAX][2];
} zkr_q_job;

static void zkr_q_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_q_job *j = ctx;
    zkr_ext q0 = zkr_ext_from(0), q1 = zkr_ext_from(0);

    if (zkr_ext8_ok()) { /* eight pairs a step (zk/ext8.c; the same sums) */
        zkr_ext q[2] = {q0, q1};
        lo = zkr_ext8_sdot(j->s, j->gb ? NULL : j->g, j->gb, lo, hi, q);
        q0 = q[0];
        q1 = q[1];
    }
    for (size_t i = lo; i < hi; i++) {
        if (j->gb) {
            q0 = zkr_ext_add(q0, zkr_ext_mul_base(j->s[i], j->gb[2 * i]));
            q1 = zkr_ext_add(q1, zkr_ext_mul_base(j->s[i], j->gb[2 * i + 1]));
        } else {
            q0 = zkr_ext_add(q0, zkr_ext_mul(j->s[i], j->g[2 * i]));
            q1 = zkr_ext_add(q1, zkr_ext_mul(j->s[i], j->g[2 * i + 1]));
        }
    }
    j->acc[w][0] = q0;
    j->acc[w][1] = q1;
}

static void zkr_g_fold(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_q_job *j = ctx;

    (void)w;
    if (!j->gb && zkr_ext8_ok())
        lo = zkr_ext8_fold(j->g, j->g_out, lo, hi, j->r);
    for (size_t i = lo; i < hi; i++) {
        if (j->gb) {
            zkr_ext o = zkr_ext_mul_base(j->r, zkr_gl_sub(j->gb[2 * i + 1], j->gb[2 * i]));
            o.c[0] = zkr_gl_add(o.c[0], j->gb[2 * i]);
            j->g_out[i] = o;
        } else {
            j->g_out[i] = zkr_ext_add(j->g[2 * i],
                                      zkr_ext_mul(j->r, zkr_ext_sub(j->g[2 * i + 1], j->g[2 * i])));
        }
    }
}

/* One round: message (h(0), h(2)) from g (n_cur variables), z_i and c_i. */
static void zkr_eq_round(zkr_q_job *j, size_t half, unsigned threads, const zkr_accel *accel,
                         zkr_ext zi, zkr_ext c, zkr_ext msg[2])
{
    zkr_ext q0 = zkr_ext_from(0), q1 = zkr_ext_from(0), one = zkr_ext_from(1), q[2];

    if (accel && accel->eq_q && accel->eq_q(accel->ctx, j->s, j->gb, j->g, half, q) == ZKR_OK) {
        q0 = q[0];
        q1 = q[1];
    } else {
        memset(j->acc, 0, sizeof j->acc);
        zkr_par_for(threads, half, 4096, zkr_q_chunk, j);
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++) {
            q0 = zkr_ext_add(q0, j->acc[w][0]);
            q1 = zkr_ext_add(q1, j->acc[w][1]);
        }
    }
    /* eq(z_i, 0) = 1 - z_i; eq(z_i, 2) = 3 z_i - 1; q(2) = 2 q1 - q0. */
    zkr_ext e0 = zkr_ext_sub(one, zi);
    zkr_ext e2 = zkr_ext_sub(zkr_ext_mul_base(zi, 3), one);
    zkr_ext q2 = zkr_ext_sub(zkr_ext_add(q1, q1), q0);
    msg[0] = zkr_ext_mul(c, zkr_ext_mul(e0, q0));
    msg[1] = zkr_ext_mul(c, zkr_ext_mul(e2, q2));
}

#if ZKR_TEST_BUILD
/*
 * A cheating prover's move at a layer boundary (tests only): with a false
 * opening value, the running claim is not cfac * sum_x eq(z, x) g(x).
 * Shifting g by a constant (its constant coefficient, and every
 * evaluation) closes the gap, so every later round, the final polynomial
 * and the new layer's Merkle openings are consistent with each other; only
 * the query phase (the previous layer's fold landing on this layer's
 * leaves) can tell.
 */
static zkr_err zkr_open_cheat_shift(const zkr_open_ctx *c, const zkr_ext *z, unsigned n_cur,
                                    zkr_ext cfac, zkr_ext claim, zkr_ext *g, zkr_ext *coef)
{
    size_t len = (size_t)1 << n_cur;
    zkr_ext *eq = malloc(len * sizeof *eq), sum = zkr_ext_from(0), delta;

    if (!eq)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table_mt(z, n_cur, c->threads, eq);
    for (size_t x = 0; x < len; x++)
        sum = zkr_ext_add(sum, zkr_ext_mul(eq[x], g[x]));
    free(eq);
    delta = zkr_ext_sub(zkr_ext_mul(claim, zkr_ext_inv(cfac)), sum);
    for (size_t x = 0; x < len; x++)
        g[x] = zkr_ext_add(g[x], delta);
    coef[0] = zkr_ext_add(coef[0], delta);
    return ZKR_OK;
}
#endif

/* Phase 2: sumcheck on eq(z, x) g(x), folding g's coefficients alongside. */
/*
 * Polynomials that join the fold (mixed-size openings): poly[i] of
 * n - round[i] variables enters at the start of fold round round[i] with a
 * fresh coefficient (drawn then) and its phase-1 value val[i].
 */
typedef struct {
    zkr_pcs_poly *const *poly;
    const unsigned *round;
    const zkr_ext *val;
    size_t n;
} zkr_open_joins;

/* g += a f and coef += a c over 2^n_cur entries: poly jp joins the fold. */
static void zkr_open_join(const zkr_pcs_poly *jp, zkr_ext a, size_t len, zkr_ext *g, zkr_ext *coef)
{
    for (size_t i = 0; i < len; i++) {
        g[i] = zkr_ext_add(g[i], zkr_ext_mul_base(a, jp->evals[i]));
        coef[i] = zkr_ext_add(coef[i], zkr_ext_mul_base(a, jp->coeffs[i]));
    }
}

/*
 * sum_k beta^k P_k over the polys' evaluations (or coefficients), in one
 * pass: the sum zkr_open_fold's callers get, with beta^0 = 1 taken as the
 * lift it is (the same field elements as adding every product to zero).
 */
typedef struct {
    zkr_pcs_poly *const *polys;
    size_t k_n;
    const zkr_ext *beta_pow;
    int coeffs; /* read the coefficients, not the evaluations */
    zkr_ext *out;
} zkr_comb_job;

static void zkr_comb_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_comb_job *j = ctx;
    int one = zkr_ext_eq(j->beta_pow[0], zkr_ext_from(1));

    (void)w;
    for (size_t i = lo; i < hi; i++) {
        const zkr_gl *v0 = j->coeffs ? j->polys[0]->coeffs : j->polys[0]->evals;
        zkr_ext acc = one ? zkr_ext_from(zkr_gl_canon(v0[i])) : zkr_ext_mul_base(j->beta_pow[0], v0[i]);
        for (size_t k = 1; k < j->k_n; k++) {
            const zkr_gl *v = j->coeffs ? j->polys[k]->coeffs : j->polys[k]->evals;
            acc = zkr_ext_add(acc, zkr_ext_mul_base(j->beta_pow[k], v[i]));
        }
        j->out[i] = acc;
    }
}

static zkr_err zkr_open_fold(zkr_open_ctx *c, zkr_transcript *t, zkr_pcs_poly *const *polys,
                             size_t k_n, const zkr_ext *beta_pow, const zkr_ext *z,
                             zkr_ext value, const zkr_open_joins *joins, zkr_ext *r_all)
{
    const zkr_pcs_layout *l = &c->l;
    unsigned n = l->n_vars, round = 0, lb = c->p->log_blowup;
    size_t len = (size_t)1 << n;
    zkr_ext *g0 = NULL, *gbuf[2] = {NULL, NULL}, *g = NULL, *sfx = NULL, *sfx2 = NULL;
    zkr_ext *full = NULL, *coef = NULL, *buf[2] = {NULL, NULL}, msg[2], cfac = zkr_ext_from(1);
    zkr_ext claim = value; /* the verifier's running claim (a cheat needs it) */
    const zkr_accel *accel = c->p->accel;
    zkr_ntt *ntt = NULL;
    zkr_q_job *qj = NULL;
    zkr_err r = ZKR_ERR_NOMEM;
    size_t n_final = (size_t)1 << l->final_vars;

    qj = calloc(1, sizeof *qj);
    sfx = malloc((len / 2 + 1) * sizeof(zkr_ext));
    sfx2 = malloc((len / 4 + 1) * sizeof(zkr_ext));
    gbuf[0] = malloc((len / 2 + 1) * sizeof(zkr_ext));
    gbuf[1] = malloc((len / 4 + 1) * sizeof(zkr_ext));
    buf[0] = malloc((len / 2 + 1) * sizeof(zkr_ext));
    buf[1] = malloc((len / 2 + 1) * sizeof(zkr_ext));
    if (!qj || !sfx || !sfx2 || !gbuf[0] || !gbuf[1] || !buf[0] || !buf[1])
        goto out;
    /* One polynomial keeps g in the base field until the first fold. */
    if (k_n > 1) {
        zkr_comb_job cj = {polys, k_n, beta_pow, 0, NULL};
        if (!(g0 = malloc(len * sizeof *g0)))
            goto out;
        cj.out = g0;
        zkr_par_for(c->threads, len, 1 << 13, zkr_comb_chunk, &cj);
        g = g0;
    }
    if (l->n_layers > 1 && !c->p->accel &&
        (r = zkr_ntt_new_mt(l->log_len[1] > 0 ? l->log_len[1] : 1, c->threads, &ntt)) != ZKR_OK)
        goto out;
    r = ZKR_ERR_NOMEM;
    if (k_n > 1 || l->folds_total == 0) { /* combined coefficients in ext form */
        zkr_comb_job cj = {polys, k_n, beta_pow, 1, NULL};
        if (!(full = malloc(len * sizeof *full)))
            goto out;
        cj.out = full;
        zkr_par_for(c->threads, len, 1 << 13, zkr_comb_chunk, &cj);
        coef = full;
    }
    zkr_ts_absorb_ext(t, "bf-claim", &value, 1);
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        for (unsigned j = 0; j < l->folds[layer]; j++, round++) {
            unsigned n_cur = n - round;
            size_t half = (size_t)1 << (n_cur - 1);
            zkr_ext *dst = coef == buf[0] ? buf[1] : buf[0];
            /* g halves every round: gbuf[0] holds sizes len/2, len/8, ...;
             * gbuf[1] holds len/4, len/16, ... */
            zkr_ext *gdst = g == gbuf[0] ? gbuf[1] : gbuf[0];
            for (size_t ji = 0; joins && ji < joins->n; ji++) {
                zkr_ext a;
                if (joins->round[ji] != round)
                    continue;
                if (round == 0 || !g || !coef) {
                    r = ZKR_ERR_INTERNAL;
                    goto out;
                }
                a = zkr_ts_challenge_ext(t, "bf-join");
                claim = zkr_ext_add(claim, zkr_ext_mul(cfac, zkr_ext_mul(a, joins->val[ji])));
                zkr_open_join(joins->poly[ji], a, (size_t)1 << n_cur, g, coef);
            }
            if (round == 0) {
                zkr_mle_eq_table_mt(z + 1, n_cur - 1, c->threads, sfx);
            } else {
                /* eq(z_>round, .) from the last round's table: one addition an entry. */
                zkr_ext *tmp = sfx;
                zkr_mle_sum_first_mt(sfx, n_cur, c->threads, sfx2);
                sfx = sfx2;
                sfx2 = tmp;
            }
            qj->s = sfx;
            qj->gb = g ? NULL : polys[0]->evals;
            qj->g = g;
            qj->g_out = gdst;
            zkr_eq_round(qj, half, c->threads, accel, z[round], cfac, msg);
            zkr_ts_absorb_ext(t, "sc-round", msg, 2);
            r_all[round] = zkr_ts_challenge_ext(t, "sc-challenge");
            claim = zkr_sumcheck_round_eval(msg, 2, claim, r_all[round]);
            if ((r = zkr_enc_exts(&c->head, msg, 2)) != ZKR_OK)
                goto out;
            r = ZKR_ERR_NOMEM;
            qj->r = r_all[round];
            if (!accel || !accel->fold_eval ||
                accel->fold_eval(accel->ctx, qj->gb, qj->g, half, qj->r, gdst) != ZKR_OK)
                zkr_par_for(c->threads, half, 4096, zkr_g_fold, qj);
            g = gdst;
            cfac = zkr_ext_mul(cfac, zkr_mle_eq_eval(z + round, r_all + round, 1));
            zkr_fold_job fj = {coef ? NULL : polys[0]->coeffs, coef, dst, r_all[round]};
            if (!accel || !accel->fold_coef ||
                accel->fold_coef(accel->ctx, fj.base_in, fj.in, half, fj.r, dst) != ZKR_OK)
                zkr_par_for(c->threads, half, 4096, zkr_fold_chunk, &fj);
            coef = dst;
        }
        if (layer + 1 < l->n_layers) {
            uint8_t seed[32], root[ZKR_DIGEST_BYTES];
            unsigned a = l->folds[layer + 1], lcw = l->log_len[layer + 1];
            size_t cw_len = (size_t)1 << lcw;
            zkr_ext *cw = malloc(cw_len * sizeof *cw);
            if (!cw)
                goto out;
            c->layer_cw[layer + 1] = cw;
#if ZKR_TEST_BUILD
            if (c->cheat.shift_layer == layer + 1 &&
                (r = zkr_open_cheat_shift(c, z + round, n - round, cfac, claim, g, coef)) != ZKR_OK)
                goto out;
#endif
            if ((r = zkr_encode_ext(c->p, ntt, coef, n - round, lb, c->threads, cw)) != ZKR_OK)
                goto out;
            /* Layer salts come from the transcript state: deterministic. */
            zkr_blake2b256(t->state, sizeof t->state, seed);
            r = zkr_pcs_mtree(c->p, (const uint64_t *)(const void *)cw, cw_len >> a,
                              3 * ((size_t)1 << a), seed, c->threads, &c->layer_tree[layer + 1]);
            if (r != ZKR_OK)
                goto out;
            zkr_mtree_root(&c->layer_tree[layer + 1], root);
            zkr_ts_absorb(t, "bf-root", root, ZKR_DIGEST_BYTES);
            if ((r = zkr_buf_append(&c->roots, root, ZKR_DIGEST_BYTES)) != ZKR_OK)
                goto out;
        }
    }
    /* What is left of the coefficients is the final polynomial. */
    zkr_ts_absorb_ext(t, "bf-final", coef, n_final);
    if ((r = zkr_buf_append(&c->head, c->roots.p, c->roots.len)) != ZKR_OK ||
        (r = zkr_enc_exts(&c->head, coef, n_final)) != ZKR_OK)
        goto out;
    r = ZKR_OK;
out:
    zkr_ntt_free(ntt);
    free(qj);
    free(sfx);
    free(sfx2);
    free(g0);
    free(gbuf[0]);
    free(gbuf[1]);
    free(full);
    free(buf[0]);
    free(buf[1]);
    return r;
}

typedef struct {
    const zkr_transcript *t;
    unsigned bits;
    uint64_t base;
    uint64_t found[ZKR_PAR_MAX];
} zkr_pow_job;

static void zkr_pow_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_pow_job *j = ctx;

    j->found[w] = zkr_ts_pow_first(j->t, j->bits, j->base + lo, j->base + hi);
}

/* The smallest nonce that passes, whatever the thread count. */
static uint64_t zkr_pow_search(const zkr_transcript *t, unsigned bits, unsigned threads)
{
    zkr_pow_job j;
    const size_t batch = 1 << 13;

    memset(&j, 0, sizeof j);
    j.t = t;
    j.bits = bits;
    for (j.base = 0;; j.base += batch) {
        uint64_t best = UINT64_MAX;
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
            j.found[w] = UINT64_MAX;
        zkr_par_for(threads, batch, 256, zkr_pow_chunk, &j);
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
            if (j.found[w] < best)
                best = j.found[w];
        if (best != UINT64_MAX)
            return best;
    }
}

/* Writes one tree's opening: counts, leaves (salt || words) and siblings. */
static zkr_err zkr_open_tree(zkr_buf *b, const zkr_mtree *tree, const uint64_t *words,
                             const uint64_t *u, size_t nu)
{
    zkr_buf sib = {0};
    zkr_err r;
    size_t w = tree->leaf_words;

    if ((r = zkr_mtree_open(tree, u, nu, &sib)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u32(b, (uint32_t)nu)) != ZKR_OK ||
        (r = zkr_enc_u32(b, (uint32_t)(sib.len / ZKR_DIGEST_BYTES))) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < nu; i++) {
        uint8_t salt[ZKR_SALT_BYTES];
        zkr_mtree_salt(tree->salt_seed, u[i], salt);
        if ((r = zkr_buf_append(b, salt, sizeof salt)) != ZKR_OK)
            goto out;
        for (size_t k = 0; k < w; k++)
            if ((r = zkr_enc_gl(b, words[u[i] * w + k])) != ZKR_OK)
                goto out;
    }
    r = zkr_buf_append(b, sib.p, sib.len);
out:
    zkr_buf_free(&sib);
    return r;
}

#if ZKR_TEST_BUILD
/* Leaves out of u the smallest leaf that two queries share (tests only). */
static zkr_err zkr_open_cheat_drop(const uint64_t *leaf, unsigned q, uint64_t *u, size_t *nu)
{
    for (size_t k = 0; k < *nu; k++) {
        unsigned hits = 0;
        for (unsigned i = 0; i < q; i++)
            hits += leaf[i] == u[k];
        if (hits >= 2) {
            memmove(u + k, u + k + 1, (*nu - k - 1) * sizeof *u);
            (*nu)--;
            return ZKR_OK;
        }
    }
    return ZKR_ERR_NOT_FOUND;
}
#endif

static zkr_err zkr_open_queries(zkr_open_ctx *c, zkr_transcript *t, zkr_pcs_poly *const *polys,
                                size_t k_n, zkr_buf *out)
{
    const zkr_pcs_layout *l = &c->l;
    unsigned q = c->p->queries;
    uint64_t *leaf = malloc(q * sizeof *leaf), *u = malloc(q * sizeof *u);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!leaf || !u)
        goto out;
    for (unsigned i = 0; i < q; i++)
        leaf[i] = zkr_ts_challenge_index(t, "bf-query",
                                         (uint64_t)1 << (l->log_len[0] - l->folds[0]));
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        size_t nu;
        if (layer > 0)
            for (unsigned i = 0; i < q; i++)
                leaf[i] >>= l->folds[layer];
        memcpy(u, leaf, q * sizeof *u);
        nu = zkr_idx_sort_unique(u, q);
#if ZKR_TEST_BUILD
        if (c->cheat.drop_layer == layer + 1 && (r = zkr_open_cheat_drop(leaf, q, u, &nu)) != ZKR_OK)
            goto out;
#endif
        if (layer == 0) {
            for (size_t k = 0; k < k_n; k++)
                if ((r = zkr_open_tree(out, &polys[k]->tree, polys[k]->codeword, u, nu)) != ZKR_OK)
                    goto out;
        } else {
            r = zkr_open_tree(out, &c->layer_tree[layer],
                              (const uint64_t *)(const void *)c->layer_cw[layer], u, nu);
            if (r != ZKR_OK)
                goto out;
        }
    }
    r = ZKR_OK;
out:
    free(leaf);
    free(u);
    return r;
}

static zkr_err zkr_open_run(const zkr_params *p, zkr_transcript *t, zkr_pcs_poly *const *polys,
                            size_t n_polys, const zkr_pcs_claim *claims, size_t n_claims,
                            unsigned threads, const zkr_pcs_cheat *cheat, zkr_buf *out)
{
    zkr_open_ctx *c = NULL;
    zkr_ext *z = NULL, *r_all = NULL, value, beta_pow[ZKR_SC_MAX_TABLES / 2];
    unsigned n;
    uint64_t nonce;
    zkr_err r = ZKR_ERR_NOMEM;

    if (n_polys == 0 || n_claims == 0 || n_polys > ZKR_SC_MAX_TABLES / 2)
        return ZKR_ERR_USAGE;
    n = polys[0]->n_vars;
    for (size_t k = 0; k < n_polys; k++)
        if (polys[k]->n_vars != n)
            return ZKR_ERR_UNSUPPORTED; /* mixed sizes: see zkr_pcs_verify */
    for (size_t i = 0; i < n_claims; i++)
        if (claims[i].comm >= n_polys)
            return ZKR_ERR_USAGE;
    c = calloc(1, sizeof *c);
    z = calloc((size_t)n + 1, sizeof *z);
    r_all = calloc((size_t)n + 1, sizeof *r_all);
    if (!c || !z || !r_all)
        goto out;
    c->p = p;
    c->threads = threads;
    c->l = polys[0]->l;
    if (cheat)
        c->cheat = *cheat;
    for (size_t k = 0; k < n_polys; k++)
        zkr_ts_absorb(t, "pcs-comm", polys[k]->tree.nodes[1], ZKR_DIGEST_BYTES);
    for (size_t i = 0; i < n_claims; i++) {
        zkr_ts_absorb_u64(t, "pcs-claim-comm", claims[i].comm);
        zkr_ts_absorb_ext(t, "pcs-claim-point", claims[i].point, n);
        zkr_ts_absorb_ext(t, "pcs-claim-value", &claims[i].value, 1);
    }
    beta_pow[0] = zkr_ext_from(1);
    if (zkr_pcs_is_batched(n_polys, n_claims)) {
        r = zkr_open_batch(c, t, polys, n_polys, claims, n_claims, z, &value, beta_pow);
        if (r != ZKR_OK)
            goto out;
    } else {
        memcpy(z, claims[0].point, (size_t)n * sizeof *z);
        value = claims[0].value;
    }
    if ((r = zkr_open_fold(c, t, polys, n_polys, beta_pow, z, value, NULL, r_all)) != ZKR_OK)
        goto out;
    nonce = zkr_pow_search(t, p->pow_bits, threads);
    (void)zkr_ts_pow_check(t, p->pow_bits, nonce);
    if ((r = zkr_enc_u64(&c->head, nonce)) != ZKR_OK)
        goto out;
    if ((r = zkr_buf_append(out, c->head.p, c->head.len)) != ZKR_OK)
        goto out;
    r = zkr_open_queries(c, t, polys, n_polys, out);
out:
    if (c) {
        for (unsigned i = 0; i < 32; i++) {
            free(c->layer_cw[i]);
            zkr_mtree_free(&c->layer_tree[i]);
        }
        zkr_buf_free(&c->head);
        zkr_buf_free(&c->roots);
        free(c);
    }
    free(z);
    free(r_all);
    return r;
}

zkr_err zkr_prover_open(const zkr_params *p, zkr_transcript *t, zkr_pcs_poly *const *polys,
                        size_t n_polys, const zkr_pcs_claim *claims, size_t n_claims,
                        unsigned threads, zkr_buf *out)
{
    return zkr_open_run(p, t, polys, n_polys, claims, n_claims, threads, NULL, out);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_open_cheat(const zkr_params *p, zkr_transcript *t, zkr_pcs_poly *const *polys,
                              size_t n_polys, const zkr_pcs_claim *claims, size_t n_claims,
                              const zkr_pcs_cheat *cheat, zkr_buf *out)
{
    unsigned nl = n_polys ? polys[0]->l.n_layers : 0;

    if (!cheat || cheat->shift_layer >= nl || cheat->drop_layer > nl)
        return ZKR_ERR_USAGE;
    return zkr_open_run(p, t, polys, n_polys, claims, n_claims, 1, cheat, out);
}
#endif

/* ---------------- mixed-size opening (docs/proof-system.md, "Mixed sizes") ---------------- */

/*
 * One poly's product sumcheck F W in the mixed batch: F stays in the base
 * field (its committed evaluations) until its first fold, so that round's
 * message and fold take base-by-extension products, and no lifted copy of
 * F is made; later rounds fold into half-size buffers. The messages are
 * the generic degree-2 sumcheck's (zkr_prover_sc_round) exactly.
 */
typedef struct {
    const zkr_gl *fb;      /* F before its first fold, else NULL */
    const zkr_ext *f, *w;  /* F (after the first fold) and W, current size */
    zkr_ext *fo, *wo;      /* fold targets (half size) */
    zkr_ext r;
    zkr_ext acc[ZKR_PAR_MAX][2];
} zkr_bm_job;

static void zkr_bm_msg_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    zkr_bm_job *j = ctx;
    zkr_ext h0 = zkr_ext_from(0), h2 = zkr_ext_from(0);

    if (zkr_ext8_ok()) { /* eight pairs a step (zk/ext8.c; the same sums) */
        zkr_ext h[2] = {h0, h2};
        lo = zkr_ext8_dot(j->w, j->fb ? NULL : j->f, j->fb, lo, hi, h);
        h0 = h[0];
        h2 = h[1];
    }

    for (size_t i = lo; i < hi; i++) {
        zkr_ext w0 = j->w[2 * i];
        zkr_ext w2 = zkr_ext_sub(zkr_ext_add(j->w[2 * i + 1], j->w[2 * i + 1]), w0);
        if (j->fb) {
            zkr_gl f0 = j->fb[2 * i];
            zkr_gl f2 = zkr_gl_sub(zkr_gl_add(j->fb[2 * i + 1], j->fb[2 * i + 1]), f0);
            h0 = zkr_ext_add(h0, zkr_ext_mul_base(w0, f0));
            h2 = zkr_ext_add(h2, zkr_ext_mul_base(w2, f2));
        } else {
            zkr_ext f0 = j->f[2 * i];
            zkr_ext f2 = zkr_ext_sub(zkr_ext_add(j->f[2 * i + 1], j->f[2 * i + 1]), f0);
            h0 = zkr_ext_add(h0, zkr_ext_mul(w0, f0));
            h2 = zkr_ext_add(h2, zkr_ext_mul(w2, f2));
        }
    }
    j->acc[wk][0] = h0;
    j->acc[wk][1] = h2;
}

static void zkr_bm_fold_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    zkr_bm_job *j = ctx;

    (void)wk;
    if (zkr_ext8_ok()) {
        /* W's fold eight at a time (zk/ext8.c); F's too, or its base values' below. */
        size_t m = zkr_ext8_fold(j->w, j->wo, lo, hi, j->r);
        if (!j->fb)
            (void)zkr_ext8_fold(j->f, j->fo, lo, m, j->r);
        else
            for (size_t i = lo; i < m; i++) {
                zkr_gl f0 = j->fb[2 * i];
                zkr_ext o = zkr_ext_mul_base(j->r, zkr_gl_sub(j->fb[2 * i + 1], f0));
                o.c[0] = zkr_gl_add(o.c[0], f0);
                j->fo[i] = o;
            }
        lo = m;
    }
    for (size_t i = lo; i < hi; i++) {
        if (j->fb) {
            zkr_gl f0 = j->fb[2 * i];
            zkr_ext o = zkr_ext_mul_base(j->r, zkr_gl_sub(j->fb[2 * i + 1], f0));
            o.c[0] = zkr_gl_add(o.c[0], f0);
            j->fo[i] = o;
        } else {
            j->fo[i] = zkr_ext_add(j->f[2 * i],
                                   zkr_ext_mul(j->r, zkr_ext_sub(j->f[2 * i + 1], j->f[2 * i])));
        }
        j->wo[i] = zkr_ext_add(j->w[2 * i],
                               zkr_ext_mul(j->r, zkr_ext_sub(j->w[2 * i + 1], j->w[2 * i])));
    }
}

/* The message (h(0), h(2)) over 2^n_cur entries. */
static void zkr_bm_msg(zkr_bm_job *j, unsigned n_cur, unsigned threads, zkr_ext m[2])
{
    memset(j->acc, 0, sizeof j->acc);
    zkr_par_for(threads, (size_t)1 << (n_cur - 1), 4096, zkr_bm_msg_chunk, j);
    m[0] = m[1] = zkr_ext_from(0);
    for (unsigned w = 0; w < ZKR_PAR_MAX; w++) {
        m[0] = zkr_ext_add(m[0], j->acc[w][0]);
        m[1] = zkr_ext_add(m[1], j->acc[w][1]);
    }
}

/*
 * Folds F and W at r into the buffers not being read: F's go to fb2[0]
 * (2^(n-1)) and fb2[1] (2^(n-2)) in turn, W's to wb2[1] (2^(n-1)) and back
 * into W's own table (2^n) in turn.
 */
static void zkr_bm_fold(zkr_bm_job *j, unsigned n_cur, zkr_ext r, zkr_ext *fb2[2],
                        zkr_ext *wb2[2], unsigned threads)
{
    j->r = r;
    j->fo = j->f == fb2[0] ? fb2[1] : fb2[0];
    j->wo = j->w == wb2[1] ? wb2[0] : wb2[1];
    zkr_par_for(threads, (size_t)1 << (n_cur - 1), 4096, zkr_bm_fold_chunk, j);
    j->fb = NULL;
    j->f = j->fo;
    j->w = j->wo;
}

/*
 * Phase 1 over polys of different sizes: poly k (n_k variables, d_k = n -
 * n_k) lives on the last n_k of the n variables and its claim weights carry
 * eq(x_<d_k, 0), so while round i < d_k its term of the round polynomial
 * is (prod_{j<i} (1 - r_j)) (1 - X) S_k (S_k its whole sum), and from round
 * d_k on it is an ordinary product sumcheck on its own tables scaled by
 * prod_{j<d_k} (1 - r_j). Every poly ends at the suffix of one point z.
 */
static zkr_err zkr_open_batch_mixed(zkr_open_ctx *c, zkr_transcript *t,
                                    zkr_pcs_poly *const *polys, size_t k_n,
                                    const zkr_pcs_claim *claims, size_t n_claims, unsigned n,
                                    zkr_ext *z, zkr_ext *evals)
{
    /* Per poly: W (full size), then F's and W's fold buffers. */
    zkr_ext *wt[ZKR_PCS_MAX_COMMS], *fb2[ZKR_PCS_MAX_COMMS][2], *wb2[ZKR_PCS_MAX_COMMS][2];
    zkr_ext *eqt = NULL, gamma, w = zkr_ext_from(1);
    zkr_ext sum[ZKR_PCS_MAX_COMMS], scale[ZKR_PCS_MAX_COMMS], pre = zkr_ext_from(1), msg[2];
    zkr_bm_job *jb = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    memset(wt, 0, sizeof wt);
    memset(fb2, 0, sizeof fb2);
    memset(wb2, 0, sizeof wb2);
    gamma = zkr_ts_challenge_ext(t, "pcs-gamma");
    if (!(eqt = malloc(((size_t)1 << n) * sizeof *eqt)) || !(jb = calloc(k_n, sizeof *jb)))
        goto out;
    for (size_t k = 0; k < k_n; k++) {
        size_t len = (size_t)1 << polys[k]->n_vars;
        wt[k] = calloc(len, sizeof(zkr_ext));
        fb2[k][0] = malloc((len / 2 + 1) * sizeof(zkr_ext));
        fb2[k][1] = malloc((len / 4 + 1) * sizeof(zkr_ext));
        wb2[k][0] = wt[k];
        wb2[k][1] = malloc((len / 2 + 1) * sizeof(zkr_ext));
        if (!wt[k] || !fb2[k][0] || !fb2[k][1] || !wb2[k][1])
            goto out;
        jb[k].fb = polys[k]->evals;
        jb[k].w = wt[k];
    }
    for (size_t i = 0; i < n_claims; i++) {
        size_t k = claims[i].comm;
        zkr_open_add_claim(c, claims[i].point, polys[k]->n_vars, w, eqt, wt[k]);
        w = zkr_ext_mul(w, gamma);
    }
    for (size_t k = 0; k < k_n; k++) {
        sum[k] = zkr_ext_from(0);
        scale[k] = zkr_ext_from(1);
        if (polys[k]->n_vars < n)
            for (size_t x = 0; x < ((size_t)1 << polys[k]->n_vars); x++)
                sum[k] = zkr_ext_add(sum[k], zkr_ext_mul_base(wt[k][x], polys[k]->evals[x]));
    }
    for (unsigned i = 0; i < n; i++) {
        zkr_ext h0 = zkr_ext_from(0), h2 = zkr_ext_from(0), one_r;
        for (size_t k = 0; k < k_n; k++) {
            unsigned dk = n - polys[k]->n_vars;
            if (i < dk) {
                zkr_ext v = zkr_ext_mul(pre, sum[k]);
                h0 = zkr_ext_add(h0, v);
                h2 = zkr_ext_sub(h2, v);
            } else {
                zkr_ext m[2];
                zkr_bm_msg(&jb[k], n - i, c->threads, m);
                h0 = zkr_ext_add(h0, zkr_ext_mul(scale[k], m[0]));
                h2 = zkr_ext_add(h2, zkr_ext_mul(scale[k], m[1]));
            }
        }
        msg[0] = h0;
        msg[1] = h2;
        zkr_ts_absorb_ext(t, "sc-round", msg, 2);
        z[i] = zkr_ts_challenge_ext(t, "sc-challenge");
        if ((r = zkr_enc_exts(&c->head, msg, 2)) != ZKR_OK)
            goto out;
        r = ZKR_ERR_NOMEM;
        one_r = zkr_ext_sub(zkr_ext_from(1), z[i]);
        pre = zkr_ext_mul(pre, one_r);
        for (size_t k = 0; k < k_n; k++) {
            unsigned dk = n - polys[k]->n_vars;
            if (i >= dk)
                zkr_bm_fold(&jb[k], n - i, z[i], fb2[k], wb2[k], c->threads);
            else if (i + 1 == dk)
                scale[k] = pre;
        }
    }
    for (size_t k = 0; k < k_n; k++)
        evals[k] = polys[k]->n_vars ? jb[k].f[0] : zkr_ext_from(polys[k]->evals[0]);
    zkr_ts_absorb_ext(t, "pcs-batch-evals", evals, k_n);
    r = zkr_enc_exts(&c->head, evals, k_n);
out:
    for (size_t k = 0; k < k_n; k++) {
        free(wt[k]);
        free(fb2[k][0]);
        free(fb2[k][1]);
        free(wb2[k][1]);
    }
    free(jb);
    free(eqt);
    return r;
}

/* Leaf of a joining poly's tree that a query's layer leaf L needs (j folds into the layer). */
static uint64_t zkr_join_leaf(uint64_t L, unsigned a, unsigned j, unsigned jfolds)
{
    return (L << (a - j)) >> jfolds;
}

static zkr_err zkr_open_queries_mixed(zkr_open_ctx *c, zkr_transcript *t,
                                      zkr_pcs_poly *const *top, size_t n_top,
                                      const zkr_open_joins *jn, zkr_buf *out)
{
    const zkr_pcs_layout *l = &c->l;
    unsigned q = c->p->queries, round = 0;
    uint64_t *leaf = malloc(q * sizeof *leaf), *u = malloc(q * sizeof *u);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!leaf || !u)
        goto out;
    for (unsigned i = 0; i < q; i++)
        leaf[i] = zkr_ts_challenge_index(t, "bf-query",
                                         (uint64_t)1 << (l->log_len[0] - l->folds[0]));
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        unsigned a = l->folds[layer];
        size_t nu;
        if (layer > 0)
            for (unsigned i = 0; i < q; i++)
                leaf[i] >>= a;
        memcpy(u, leaf, q * sizeof *u);
        nu = zkr_idx_sort_unique(u, q);
        if (layer == 0) {
            for (size_t k = 0; k < n_top; k++)
                if ((r = zkr_open_tree(out, &top[k]->tree, top[k]->codeword, u, nu)) != ZKR_OK)
                    goto out;
        } else {
            r = zkr_open_tree(out, &c->layer_tree[layer],
                              (const uint64_t *)(const void *)c->layer_cw[layer], u, nu);
            if (r != ZKR_OK)
                goto out;
        }
        for (size_t ji = 0; ji < jn->n; ji++) {
            const zkr_pcs_poly *jp = jn->poly[ji];
            unsigned j = jn->round[ji] - round;
            if (jn->round[ji] < round || j >= a)
                continue;
            for (unsigned i = 0; i < q; i++)
                u[i] = zkr_join_leaf(leaf[i], a, j, jp->l.folds[0]);
            nu = zkr_idx_sort_unique(u, q);
            if ((r = zkr_open_tree(out, &jp->tree, jp->codeword, u, nu)) != ZKR_OK)
                goto out;
        }
        round += a;
    }
    r = ZKR_OK;
out:
    free(leaf);
    free(u);
    return r;
}

zkr_err zkr_prover_open_mixed(const zkr_params *p, zkr_transcript *t,
                              zkr_pcs_poly *const *polys, size_t n_polys,
                              const zkr_pcs_claim *claims, size_t n_claims, unsigned threads,
                              zkr_buf *out)
{
    zkr_open_ctx *c = NULL;
    zkr_pcs_poly *top[ZKR_PCS_MAX_COMMS], *jpoly[ZKR_PCS_MAX_COMMS];
    unsigned jround[ZKR_PCS_MAX_COMMS], n = 0;
    zkr_ext *z = NULL, *r_all = NULL, *evals = NULL, jval[ZKR_PCS_MAX_COMMS], value;
    zkr_ext beta, bp = zkr_ext_from(1), beta_pow[ZKR_PCS_MAX_COMMS];
    size_t n_top = 0, n_j = 0;
    uint64_t nonce;
    zkr_err r = ZKR_ERR_NOMEM;

    if (n_polys == 0 || n_claims == 0 || n_polys > ZKR_PCS_MAX_COMMS ||
        n_claims > ZKR_PCS_MAX_CLAIMS)
        return ZKR_ERR_USAGE;
    for (size_t k = 0; k < n_polys; k++)
        if (polys[k]->n_vars > n)
            n = polys[k]->n_vars;
    for (size_t i = 0; i < n_claims; i++)
        if (claims[i].comm >= n_polys)
            return ZKR_ERR_USAGE;
    c = calloc(1, sizeof *c);
    z = calloc((size_t)n + 1, sizeof *z);
    r_all = calloc((size_t)n + 1, sizeof *r_all);
    evals = calloc(n_polys, sizeof *evals);
    if (!c || !z || !r_all || !evals)
        goto out;
    c->p = p;
    c->threads = threads;
    for (size_t k = 0; k < n_polys; k++)
        if (polys[k]->n_vars == n) {
            c->l = polys[k]->l;
            break;
        }
    for (size_t k = 0; k < n_polys; k++)
        if (!zkr_pcs_mixed_ok(p, n, polys[k]->n_vars)) {
            r = ZKR_ERR_UNSUPPORTED;
            goto out;
        }
    zkr_ts_absorb_u64(t, "pcs-mixed", n_polys);
    for (size_t k = 0; k < n_polys; k++) {
        zkr_ts_absorb(t, "pcs-comm", polys[k]->tree.nodes[1], ZKR_DIGEST_BYTES);
        zkr_ts_absorb_u64(t, "pcs-comm-vars", polys[k]->n_vars);
    }
    for (size_t i = 0; i < n_claims; i++) {
        zkr_ts_absorb_u64(t, "pcs-claim-comm", claims[i].comm);
        zkr_ts_absorb_ext(t, "pcs-claim-point", claims[i].point, polys[claims[i].comm]->n_vars);
        zkr_ts_absorb_ext(t, "pcs-claim-value", &claims[i].value, 1);
    }
    if ((r = zkr_open_batch_mixed(c, t, polys, n_polys, claims, n_claims, n, z, evals)) != ZKR_OK)
        goto out;
    beta = zkr_ts_challenge_ext(t, "pcs-beta");
    value = zkr_ext_from(0);
    for (size_t k = 0; k < n_polys; k++) {
        if (polys[k]->n_vars == n) {
            beta_pow[n_top] = bp;
            value = zkr_ext_add(value, zkr_ext_mul(bp, evals[k]));
            bp = zkr_ext_mul(bp, beta);
            top[n_top++] = polys[k];
        } else {
            jpoly[n_j] = polys[k];
            jround[n_j] = n - polys[k]->n_vars;
            jval[n_j++] = evals[k];
        }
    }
    {
        zkr_open_joins jn = {jpoly, jround, jval, n_j};
        if ((r = zkr_open_fold(c, t, top, n_top, beta_pow, z, value, &jn, r_all)) != ZKR_OK)
            goto out;
        nonce = zkr_pow_search(t, p->pow_bits, threads);
        (void)zkr_ts_pow_check(t, p->pow_bits, nonce);
        if ((r = zkr_enc_u64(&c->head, nonce)) != ZKR_OK ||
            (r = zkr_buf_append(out, c->head.p, c->head.len)) != ZKR_OK)
            goto out;
        r = zkr_open_queries_mixed(c, t, top, n_top, &jn, out);
    }
out:
    if (c) {
        for (unsigned i = 0; i < 32; i++) {
            free(c->layer_cw[i]);
            zkr_mtree_free(&c->layer_tree[i]);
        }
        zkr_buf_free(&c->head);
        zkr_buf_free(&c->roots);
        free(c);
    }
    free(z);
    free(r_all);
    free(evals);
    return r;
}

#if ZKR_TEST_BUILD
void zkr_pcs_poly_set_root_for_test(zkr_pcs_poly *poly, const uint8_t root[ZKR_DIGEST_BYTES])
{
    memcpy(poly->tree.nodes[1], root, ZKR_DIGEST_BYTES);
}
#endif
