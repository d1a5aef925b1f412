/*
 * matmul@2 prover (protocol version 3): y = W x with W behind a hiding
 * commitment. The claim y~(rb, ri) = sum_j W~(ri, j) x~(j, rb) is a linear
 * claim on W, proven inside the hiding range proof's batched sumcheck
 * (zkr_prover_zkrange_lin), so W is opened once per proof, in the range
 * proof's batched hiding opening (docs/proof-system.md, "matmul@2").
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "zkr_config.h"

/* The padded field image of W (2^lm rows of 2^lk), wiped by the caller. */
static zkr_gl *zkr_mm2_image(const int64_t *w, uint32_t m, uint32_t k)
{
    unsigned lm = zkr_log2_ceil(m), lk = zkr_log2_ceil(k);
    size_t K = (size_t)1 << lk;
    zkr_gl *ev = calloc((size_t)1 << (lm + lk), sizeof *ev);

    if (!ev)
        return NULL;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            ev[i * K + j] = zkr_gl_from_i64(w[i * k + j]);
    return ev;
}

/* Commits with rng already keyed (OS, seed, or the test hook's zeros). */
static zkr_err zkr_mm2_commit_with(const zkr_params *p, const int64_t *w, uint32_t m, uint32_t k,
                                   uint32_t budget, zkr_zkrng *rng, unsigned threads,
                                   zkr_hpcs_poly **poly, zkr_hpcs_commitment *comm)
{
    zkr_gl *ev;
    size_t len;
    zkr_err r;

    *poly = NULL;
    memset(comm, 0, sizeof *comm);
    if ((r = zkr_matmul_check_dims(m, k, 1)) != ZKR_OK)
        return r;
    len = (size_t)1 << (zkr_log2_ceil(m) + zkr_log2_ceil(k));
    if (!(ev = zkr_mm2_image(w, m, k)))
        return ZKR_ERR_NOMEM;
    r = zkr_prover_hcommit(p, ev, zkr_log2_ceil(m) + zkr_log2_ceil(k), budget, rng, threads, poly,
                           comm);
    sodium_memzero(ev, len * sizeof *ev);
    free(ev);
    return r;
}

zkr_err zkr_prover_matmul2_commit(const zkr_params *p, const int64_t *w, uint32_t m, uint32_t k,
                                  uint32_t budget, const uint8_t *seed, size_t seed_len,
                                  unsigned threads, zkr_hpcs_poly **poly,
                                  zkr_hpcs_commitment *comm)
{
    zkr_zkrng rng;
    zkr_err r;

    *poly = NULL;
    if ((r = zkr_matmul_check_dims(m, k, 1)) != ZKR_OK)
        return r;
    if (seed) {
        /* RFC 6979's idea: the secret seed keys a hash of what is committed. */
        uint8_t ctx[12 + ZKR_DIGEST_BYTES];
        zkr_store_be32(ctx, m);
        zkr_store_be32(ctx + 4, k);
        zkr_store_be32(ctx + 8, budget);
        zkr_matrix_digest(w, (size_t)m * k, ctx + 12);
        r = zkr_zkrng_seeded(&rng, seed, seed_len, "matmul@2 commit", ctx, sizeof ctx);
        sodium_memzero(ctx, sizeof ctx);
        if (r != ZKR_OK)
            return r;
    } else {
        zkr_zkrng_os(&rng);
    }
    r = zkr_mm2_commit_with(p, w, m, k, budget, &rng, threads, poly, comm);
    zkr_zkrng_wipe(&rng);
    return r;
}

/* The exact integer checks of matmul@1: domain, |W| bound, y = W x. */
static zkr_err zkr_mm2_check(const zkr_matmul2_public *pub, const int64_t *w, zkr_diag *d)
{
    zkr_matmul_public mp;
    const char *what;
    __int128 *acc = NULL;
    zkr_err r = ZKR_OK;

    memset(&mp, 0, sizeof mp);
    mp.m = pub->m, mp.k = pub->k, mp.b = pub->b, mp.x = pub->x, mp.y = pub->y;
    mp.w_max_abs = pub->w_max_abs;
    if (zkr_matmul_check_integer(&mp, &what) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_USAGE, "matmul@2: %s; refusing to prove", what);
    for (size_t i = 0; i < (size_t)pub->m * pub->k; i++)
        if (w[i] < -ZKR_MATMUL2_W_MAX || w[i] > ZKR_MATMUL2_W_MAX)
            return zkr_fail(d, ZKR_ERR_USAGE, "matmul@2: a W entry is outside -%d..%d (the "
                            "range proof covers int8 weights only); refusing to prove",
                            ZKR_MATMUL2_W_MAX, ZKR_MATMUL2_W_MAX);
    for (size_t i = 0; i < (size_t)pub->m * pub->k; i++)
        if ((w[i] < 0 ? (uint64_t)0 - (uint64_t)w[i] : (uint64_t)w[i]) > pub->w_max_abs)
            return zkr_fail(d, ZKR_ERR_USAGE, "matmul@2: a |W| entry is above the registered "
                            "bound; refusing to prove");
    acc = malloc((size_t)pub->b * sizeof *acc);
    if (!acc)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < pub->m && r == ZKR_OK; i++) {
        memset(acc, 0, (size_t)pub->b * sizeof *acc);
        for (size_t j = 0; j < pub->k; j++)
            for (size_t c = 0; c < pub->b; c++)
                acc[c] += (__int128)w[i * pub->k + j] * pub->x[j * pub->b + c];
        for (size_t c = 0; c < pub->b; c++)
            if (acc[c] != pub->y[i * pub->b + c])
                r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, "matmul@2: y is not W x; refusing to "
                             "prove");
    }
    sodium_memzero(acc, (size_t)pub->b * sizeof *acc);
    free(acc);
    return r;
}

/* A multilinear of a public rows x cols matrix (padded to 2^lr x 2^lc) at pt. */
static zkr_err zkr_mm2_eval(const int64_t *v, size_t rows, size_t cols, unsigned lr,
                            unsigned lc, const zkr_ext *pt, zkr_ext *out)
{
    size_t C = (size_t)1 << lc;
    zkr_gl *t = calloc(((size_t)1 << lr) * C, sizeof *t);
    zkr_err r;

    if (!t)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < cols; c++)
            t[i * C + c] = zkr_gl_from_i64(v[i * cols + c]);
    r = zkr_mle_eval_base(t, lr + lc, pt, out);
    free(t);
    return r;
}

typedef struct {
    const zkr_params *p;
    const zkr_matmul2_public *pub;
    const int64_t *w;
    zkr_hpcs_poly *poly;
    unsigned threads;
    const zkr_matmul2_cheat *cheat; /* all zero when honest */
} zkr_mm2_job;

static zkr_err zkr_mm2_statement(const zkr_matmul2_public *pub, zkr_buf *stmt)
{
    uint8_t dx[ZKR_DIGEST_BYTES], dy[ZKR_DIGEST_BYTES];
    zkr_err r;

    zkr_matrix_digest(pub->x, (size_t)pub->k * pub->b, dx);
    zkr_matrix_digest(pub->y, (size_t)pub->m * pub->b, dy);
    if ((r = zkr_enc_u32(stmt, pub->m)) != ZKR_OK || (r = zkr_enc_u32(stmt, pub->k)) != ZKR_OK ||
        (r = zkr_enc_u32(stmt, pub->b)) != ZKR_OK ||
        (r = zkr_enc_u32(stmt, pub->w.n_vars)) != ZKR_OK ||
        (r = zkr_enc_u32(stmt, pub->w.blind_vars)) != ZKR_OK ||
        (r = zkr_buf_append(stmt, pub->w.root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(stmt, dx, sizeof dx)) != ZKR_OK)
        return r;
    return zkr_buf_append(stmt, dy, sizeof dy);
}

static zkr_err zkr_mm2_keyed_rng(const zkr_mm2_job *j, const zkr_transcript *t,
                                 const uint8_t *seed, size_t seed_len, zkr_zkrng *rng)
{
    if (j->cheat->unmasked) {
#if ZKR_TEST_BUILD
        zkr_zkrng_zero_for_test(rng, j->cheat->unmasked);
        return ZKR_OK;
#else
        return ZKR_ERR_USAGE;
#endif
    }
    if (!seed) {
        zkr_zkrng_os(rng);
        return ZKR_OK;
    }
    /* Bound to the whole statement: the transcript after it is absorbed. */
    return zkr_zkrng_seeded(rng, seed, seed_len, "matmul@2 proof", t->state, sizeof t->state);
}

/* The honest prover's refusals: shape, integer statement, commitment and budget. */
static zkr_err zkr_mm2_refuse(const zkr_mm2_job *j, zkr_diag *d)
{
    uint8_t root[ZKR_DIGEST_BYTES];
    unsigned coupled;
    zkr_err r;

    if (zkr_matmul2_check_shape(j->p, j->pub) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_USAGE, "matmul@2: dimensions or commitment shape out of bounds");
    if (zkr_zkrange_batch_shape(j->p, j->pub->w.n_vars,
                                j->pub->w.n_vars + j->pub->w.blind_vars, &coupled) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_USAGE, "matmul@2: W's commitment has too few blinding "
                        "variables for the range proof's batched opening");
    if (!j->cheat->skip_checks && (r = zkr_mm2_check(j->pub, j->w, d)) != ZKR_OK)
        return r;
    zkr_hpcs_poly_root(j->poly, root);
    if (sodium_memcmp(root, j->pub->w.root, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "matmul@2: W does not match the commitment");
    /* One opening a proof: the range proof's batch, which also carries y = W x. */
    if (zkr_hpcs_budget_left(j->poly) < ZKR_MATMUL2_OPENINGS ||
        zkr_hpcs_reveals_left(j->poly) == 0)
        return zkr_fail(d, ZKR_ERR_USAGE, "matmul@2: the commitment's opening budget is spent "
                        "(zero knowledge holds for that many proofs only)");
    return ZKR_OK;
}

/*
 * The linear claim on W: weights eq(ri, i) Bx(j) at W's index (i, j)
 * (Bx(j) = sum_c eq(rb, c) x[j][c]) and claim y~(rb, ri).
 */
static zkr_err zkr_mm2_lin(const zkr_mm2_job *j, zkr_transcript *t, zkr_ext *weights,
                           zkr_zkrange_lin *lin)
{
    const zkr_matmul2_public *pub = j->pub;
    unsigned lm = zkr_log2_ceil(pub->m), lk = zkr_log2_ceil(pub->k), lb = zkr_log2_ceil(pub->b);
    size_t K = (size_t)1 << lk, M = (size_t)1 << lm;
    zkr_ext pt[64], *eq_i = malloc(M * sizeof *eq_i), *eq_b = malloc(((size_t)1 << lb) *
                                                                      sizeof *eq_b);
    zkr_ext *bx = calloc(K, sizeof *bx);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!eq_i || !eq_b || !bx)
        goto out;
    zkr_ts_challenge_exts(t, "mm-rb", pt, lb);
    zkr_ts_challenge_exts(t, "mm-ri", pt + lb, lm);
    memset(lin, 0, sizeof *lin);
    if ((r = zkr_mm2_eval(pub->y, pub->m, pub->b, lm, lb, pt, &lin->claim)) != ZKR_OK)
        goto out;
    zkr_mle_eq_table(pt + lb, lm, eq_i);
    zkr_mle_eq_table(pt, lb, eq_b);
    for (size_t jj = 0; jj < pub->k; jj++)
        for (size_t c = 0; c < pub->b; c++)
            bx[jj] = zkr_ext_add(bx[jj], zkr_ext_mul_base(eq_b[c],
                                 zkr_gl_from_i64(pub->x[jj * pub->b + c])));
    for (size_t i = 0; i < M; i++)
        for (size_t jj = 0; jj < K; jj++)
            weights[i * K + jj] = zkr_ext_mul(eq_i[i], bx[jj]);
    lin->weights = weights;
out:
    free(eq_i);
    free(eq_b);
    free(bx);
    return r;
}

/* The hiding range proof of W against -127..127 carrying y = W x (a cheat deviates in it). */
static zkr_err zkr_mm2_range(const zkr_mm2_job *j, zkr_transcript *t,
                             const zkr_zkrange_lin *lin, zkr_zkrng *rng, zkr_buf *out)
{
    const zkr_zkrange_table tab = ZKR_ZKRANGE_INT8;
    static const zkr_zkrange_cheat none;

    if (j->cheat->skip_checks || memcmp(&j->cheat->range, &none, sizeof none) != 0) {
#if ZKR_TEST_BUILD
        zkr_zkrange_cheat ch = j->cheat->range;
        ch.force |= j->cheat->skip_checks;
        return zkr_prover_zkrange_cheat(j->p, t, j->poly, &tab, lin, &ch, rng, out);
#else
        return ZKR_ERR_USAGE;
#endif
    }
    return zkr_prover_zkrange_lin(j->p, t, j->poly, &tab, lin, rng, j->threads, out);
}

static zkr_err zkr_mm2_prove(const zkr_mm2_job *j, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                             const uint8_t *seed, size_t seed_len, zkr_buf *out, zkr_diag *d)
{
    const zkr_matmul2_public *pub = j->pub;
    size_t wlen = (size_t)1 << pub->w.n_vars, mark = out->len;
    zkr_transcript t;
    zkr_zkrng rng;
    zkr_zkrange_lin lin;
    zkr_ext *weights = NULL;
    zkr_buf stmt = {0}, rng_sec = {0};
    zkr_err r;

    memset(&rng, 0, sizeof rng);
    if ((r = zkr_mm2_refuse(j, d)) != ZKR_OK)
        return r;
    zkr_matmul2_transcript(&t, j->p, statement_id, pub);
    if ((r = zkr_mm2_keyed_rng(j, &t, seed, seed_len, &rng)) != ZKR_OK)
        goto out;
    if (!(weights = malloc(wlen * sizeof *weights))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_mm2_lin(j, &t, weights, &lin)) != ZKR_OK ||
        (r = zkr_mm2_range(j, &t, &lin, &rng, &rng_sec)) != ZKR_OK ||
        (r = zkr_mm2_statement(pub, &stmt)) != ZKR_OK)
        goto out;
    if ((r = zkr_proof_begin(out, j->p->id, ZKR_KIND_MATMUL2, statement_id, 2)) != ZKR_OK ||
        (r = zkr_proof_add_section(out, ZKR_SEC_STATEMENT, stmt.p, stmt.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(out, ZKR_SEC_ZK_RANGE, rng_sec.p, rng_sec.len)) != ZKR_OK)
        goto out;
out:
    if (r != ZKR_OK)
        out->len = mark;
    zkr_zkrng_wipe(&rng);
    free(weights);
    zkr_buf_free(&stmt);
    zkr_buf_free(&rng_sec);
    return r;
}

zkr_err zkr_prover_matmul2(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                           const zkr_matmul2_public *pub, const int64_t *w, zkr_hpcs_poly *poly,
                           const uint8_t *seed, size_t seed_len, unsigned threads, zkr_buf *out,
                           zkr_diag *d)
{
    zkr_matmul2_cheat honest;
    zkr_params pq;
    zkr_mm2_job j = {&pq, pub, w, poly, threads ? threads : 1, &honest};

    memset(&honest, 0, sizeof honest);
    /* version 5: every opening at the shape's query count */
    zkr_matmul2_params(p, pub->m, pub->k, pub->b, pub->w.blind_vars, &pq);
    return zkr_mm2_prove(&j, statement_id, seed, seed_len, out, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_matmul2_cheat(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                 const zkr_matmul2_public *pub, const int64_t *w,
                                 zkr_hpcs_poly *poly, const uint8_t *seed, size_t seed_len,
                                 const zkr_matmul2_cheat *cheat, zkr_buf *out, zkr_diag *d)
{
    zkr_params pq;
    zkr_mm2_job j = {&pq, pub, w, poly, 1, cheat};

    if (pub->w.blind_vars > ZKR_HPCS_MAX_BLIND_VARS)
        return ZKR_ERR_USAGE;
    zkr_matmul2_params(p, pub->m, pub->k, pub->b, pub->w.blind_vars, &pq);
    if (cheat->queries)
        pq.queries = cheat->queries;
    return zkr_mm2_prove(&j, statement_id, seed, seed_len, out, d);
}

zkr_err zkr_prover_matmul2_commit_unmasked(const zkr_params *p, const int64_t *w, uint32_t m,
                                           uint32_t k, uint32_t budget, int mode,
                                           zkr_hpcs_poly **poly, zkr_hpcs_commitment *comm)
{
    zkr_zkrng rng;
    zkr_err r;

    zkr_zkrng_zero_for_test(&rng, mode);
    r = zkr_mm2_commit_with(p, w, m, k, budget, &rng, 1, poly, comm);
    zkr_zkrng_wipe(&rng);
    return r;
}
#endif
