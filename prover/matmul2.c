/*
 * matmul@2 prover: y = W x with W behind a hiding commitment, by a
 * zero-knowledge sumcheck whose mask is the u = 0 slice of a fresh random
 * extension-valued polynomial Z, and a hiding opening of G = W + rho Z
 * (docs/proof-system.md, "matmul@2").
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

static zkr_err zkr_mm2_sections(const zkr_mm2_job *j, const uint8_t zroot[ZKR_DIGEST_BYTES],
                                zkr_ext sigma, const zkr_ext *msgs, unsigned lk, zkr_ext v,
                                zkr_buf *stmt, zkr_buf *sc)
{
    const zkr_matmul2_public *pub = j->pub;
    uint8_t dx[ZKR_DIGEST_BYTES], dy[ZKR_DIGEST_BYTES];
    zkr_err r;

    zkr_matrix_digest(pub->x, (size_t)pub->k * pub->b, dx);
    zkr_matrix_digest(pub->y, (size_t)pub->m * pub->b, dy);
    if ((r = zkr_enc_u32(stmt, pub->m)) != ZKR_OK || (r = zkr_enc_u32(stmt, pub->k)) != ZKR_OK ||
        (r = zkr_enc_u32(stmt, pub->b)) != ZKR_OK ||
        (r = zkr_enc_u32(stmt, pub->w.n_vars)) != ZKR_OK ||
        (r = zkr_enc_u32(stmt, pub->w.blind_vars)) != ZKR_OK ||
        (r = zkr_buf_append(stmt, pub->w.root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(stmt, dx, sizeof dx)) != ZKR_OK ||
        (r = zkr_buf_append(stmt, dy, sizeof dy)) != ZKR_OK)
        return r;
    if ((r = zkr_buf_append(sc, zroot, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_ext(sc, sigma)) != ZKR_OK ||
        (r = zkr_enc_exts(sc, msgs, 2 * (size_t)lk)) != ZKR_OK)
        return r;
    return zkr_enc_ext(sc, v);
}

/* A(j) = sum_i eq(ri, i) W[i][j] and the mask's A_Z(j) on its slice u = 0. */
static void zkr_mm2_rows(const zkr_mm2_job *j, const zkr_ext *eq_i, const zkr_ext *zev,
                         unsigned lk, zkr_ext *aw, zkr_ext *az)
{
    const zkr_matmul2_public *pub = j->pub;
    size_t K = (size_t)1 << lk, M = (size_t)1 << zkr_log2_ceil(pub->m);

    for (size_t col = 0; col < K; col++) {
        zkr_ext a = zkr_ext_from(0), b = zkr_ext_from(0);
        for (size_t i = 0; i < M; i++) {
            if (col < pub->k && i < pub->m)
                a = zkr_ext_add(a, zkr_ext_mul_base(eq_i[i], zkr_gl_from_i64(j->w[i * pub->k + col])));
            b = zkr_ext_add(b, zkr_ext_mul(eq_i[i], zev[i * K + col]));
        }
        aw[col] = a;
        az[col] = b;
    }
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
    zkr_err r;

    if (zkr_matmul2_check_shape(j->p, j->pub) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_USAGE, "matmul@2: dimensions or commitment shape out of bounds");
    if (!j->cheat->skip_checks && (r = zkr_mm2_check(j->pub, j->w, d)) != ZKR_OK)
        return r;
    zkr_hpcs_poly_root(j->poly, root);
    if (sodium_memcmp(root, j->pub->w.root, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "matmul@2: W does not match the commitment");
    /* Two openings a proof: the matmul claim and the range proof's randomised extension. */
    if (zkr_hpcs_budget_left(j->poly) < ZKR_MATMUL2_OPENINGS ||
        zkr_hpcs_reveals_left(j->poly) == 0)
        return zkr_fail(d, ZKR_ERR_USAGE, "matmul@2: the commitment's opening budget is spent "
                        "(zero knowledge holds for that many proofs only)");
    return ZKR_OK;
}

/* What the masked sumcheck leaves for the opening and the proof sections. */
typedef struct {
    zkr_ext pt[64];  /* (rb, ri) */
    zkr_ext wpt[64]; /* (rj, ri): W's point */
    zkr_ext sigma, rho, v;
    zkr_ext *msgs;   /* 2 lk */
} zkr_mm2_sc;

/* The random point's tables: A_W, A_Z (mask slice u = 0) and Bx; sigma. */
static zkr_err zkr_mm2_tables(const zkr_mm2_job *j, const zkr_hpcs_poly *mask, zkr_mm2_sc *o,
                              zkr_ext *aw, zkr_ext *az, zkr_ext *bx)
{
    const zkr_matmul2_public *pub = j->pub;
    unsigned lm = zkr_log2_ceil(pub->m), lk = zkr_log2_ceil(pub->k), lb = zkr_log2_ceil(pub->b);
    zkr_ext *eq_i = malloc(((size_t)1 << lm) * sizeof *eq_i);
    zkr_ext *eq_b = malloc(((size_t)1 << lb) * sizeof *eq_b);

    if (!eq_i || !eq_b) {
        free(eq_i);
        free(eq_b);
        return ZKR_ERR_NOMEM;
    }
    zkr_mle_eq_table(o->pt + lb, lm, eq_i);
    zkr_mle_eq_table(o->pt, lb, eq_b);
    /* off_slice is a test cheat's (0 when honest): the mask's slice u = 0 */
    zkr_mm2_rows(j, eq_i,
                 zkr_hpcs_mask_evals(mask) + ((size_t)j->cheat->off_slice << pub->w.n_vars), lk,
                 aw, az);
    for (size_t jj = 0; jj < pub->k; jj++)
        for (size_t c = 0; c < pub->b; c++)
            bx[jj] = zkr_ext_add(bx[jj], zkr_ext_mul_base(eq_b[c],
                                 zkr_gl_from_i64(pub->x[jj * pub->b + c])));
    o->sigma = zkr_ext_from(0);
    for (size_t jj = 0; jj < ((size_t)1 << lk); jj++)
        o->sigma = zkr_ext_add(o->sigma, zkr_ext_mul(az[jj], bx[jj]));
    o->sigma.c[0] = zkr_gl_add(o->sigma.c[0], j->cheat->sigma_delta);
    free(eq_i);
    free(eq_b);
    return ZKR_OK;
}

/*
 * Steps 3-5 of docs/proof-system.md, "matmul@2 protocol": the point, the
 * mask's sum sigma, rho, the sumcheck of (A_W + rho A_Z) Bx and v.
 */
static zkr_err zkr_mm2_masked_sumcheck(const zkr_mm2_job *j, zkr_transcript *t,
                                       const zkr_hpcs_poly *mask, zkr_mm2_sc *o)
{
    const zkr_matmul2_public *pub = j->pub;
    unsigned lm = zkr_log2_ceil(pub->m), lk = zkr_log2_ceil(pub->k), lb = zkr_log2_ceil(pub->b);
    size_t K = (size_t)1 << lk;
    zkr_ext claim, *tab[2] = {NULL, NULL}, *az = malloc(K * sizeof *az);
    zkr_err r = ZKR_ERR_NOMEM;

    tab[0] = malloc(K * sizeof(zkr_ext));
    tab[1] = calloc(K, sizeof(zkr_ext));
    o->msgs = calloc(2 * (size_t)lk + 1, sizeof *o->msgs);
    if (!az || !tab[0] || !tab[1] || !o->msgs)
        goto out;
    zkr_ts_challenge_exts(t, "mm-rb", o->pt, lb);
    zkr_ts_challenge_exts(t, "mm-ri", o->pt + lb, lm);
    if ((r = zkr_mm2_eval(pub->y, pub->m, pub->b, lm, lb, o->pt, &claim)) != ZKR_OK ||
        (r = zkr_mm2_tables(j, mask, o, tab[0], az, tab[1])) != ZKR_OK)
        goto out;
    zkr_ts_absorb_ext(t, "mm2-sigma", &o->sigma, 1);
    o->rho = zkr_ts_challenge_ext(t, "mm2-rho");
    /* H = A_W + rho A_Z: uniformly random, so its sumcheck says nothing of W. */
    for (size_t jj = 0; jj < K; jj++)
        tab[0][jj] = zkr_ext_add(tab[0][jj], zkr_ext_mul(o->rho, az[jj]));
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly f = {tab, 2, &term, 1, 2, NULL};
        zkr_prover_sumcheck(&f, lk, t, j->threads, o->msgs, o->wpt);
    }
    o->v = tab[0][0];
    if (j->cheat->fit_v) {
        /* The verifier's reduced claim, divided by x~(rb, rj) (= tab[1][0]). */
        zkr_ext run = zkr_ext_add(claim, zkr_ext_mul(o->rho, o->sigma));
        for (unsigned i = 0; i < lk; i++)
            run = zkr_sumcheck_round_eval(o->msgs + 2 * i, 2, run, o->wpt[i]);
        o->v = zkr_ext_mul(run, zkr_ext_inv(tab[1][0]));
    }
    o->v.c[0] = zkr_gl_add(o->v.c[0], j->cheat->v_delta);
    zkr_ts_absorb_ext(t, "mm2-v", &o->v, 1);
    memcpy(o->wpt + lk, o->pt + lb, lm * sizeof *o->wpt);
    r = ZKR_OK;
out:
    if (az)
        sodium_memzero(az, K * sizeof *az);
    free(az);
    for (int i = 0; i < 2; i++) {
        if (tab[i])
            sodium_memzero(tab[i], K * sizeof(zkr_ext));
        free(tab[i]);
    }
    return r;
}

/* Step 6: the hiding opening of W + rho Z (a cheat may fold another mask or rho). */
static zkr_err zkr_mm2_open(const zkr_mm2_job *j, zkr_transcript *t, const zkr_hpcs_poly *mask,
                            const zkr_mm2_sc *o, zkr_zkrng *rng, zkr_buf *pcs)
{
    zkr_ext rho = o->rho;
    zkr_err r = ZKR_ERR_USAGE;

    rho.c[0] = zkr_gl_add(rho.c[0], j->cheat->rho_delta);
    if (!j->cheat->swap_mask && !j->cheat->off_slice)
        return zkr_prover_hopen(j->p, t, j->poly, mask, rho, o->wpt, o->v, rng, j->threads, pcs);
#if ZKR_TEST_BUILD
    {
        zkr_hpcs_poly *mask2 = NULL;
        uint8_t root2[ZKR_DIGEST_BYTES];
        r = ZKR_OK;
        if (j->cheat->swap_mask)
            r = zkr_prover_hmask(j->p, j->pub->w.n_vars + j->pub->w.blind_vars, rng, 1, &mask2,
                                 root2);
        if (r == ZKR_OK)
            r = zkr_prover_hopen_cheat(j->p, t, j->poly, mask, mask2 ? mask2 : mask, rho, o->wpt,
                                       j->cheat->off_slice, o->v, rng, pcs);
        zkr_hpcs_poly_free(mask2);
    }
#else
    (void)t, (void)mask, (void)o, (void)rng, (void)pcs;
#endif
    return r;
}

/* Step 7: the hiding range proof of W against -127..127 (a cheat skips the table check). */
static zkr_err zkr_mm2_range(const zkr_mm2_job *j, zkr_transcript *t, zkr_zkrng *rng,
                             zkr_buf *out)
{
    const zkr_zkrange_table tab = ZKR_ZKRANGE_INT8;

    if (j->cheat->skip_checks) {
#if ZKR_TEST_BUILD
        return zkr_prover_zkrange_force(j->p, t, j->poly, &tab, rng, out);
#else
        return ZKR_ERR_USAGE;
#endif
    }
    return zkr_prover_zkrange(j->p, t, j->poly, &tab, rng, j->threads, out);
}

static zkr_err zkr_mm2_prove(const zkr_mm2_job *j, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                             const uint8_t *seed, size_t seed_len, zkr_buf *out, zkr_diag *d)
{
    const zkr_matmul2_public *pub = j->pub;
    zkr_transcript t;
    zkr_zkrng rng;
    zkr_hpcs_poly *mask = NULL;
    uint8_t zroot[ZKR_DIGEST_BYTES];
    zkr_mm2_sc o;
    zkr_buf stmt = {0}, sc = {0}, pcs = {0}, rng_sec = {0};
    size_t mark = out->len;
    zkr_err r;

    memset(&rng, 0, sizeof rng);
    memset(&o, 0, sizeof o);
    if ((r = zkr_mm2_refuse(j, d)) != ZKR_OK)
        return r;
    zkr_matmul2_transcript(&t, j->p, statement_id, pub);
    if ((r = zkr_mm2_keyed_rng(j, &t, seed, seed_len, &rng)) != ZKR_OK)
        goto out;
    /* The mask is fixed (committed) before any challenge it must not see. */
    if ((r = zkr_prover_hmask(j->p, pub->w.n_vars + pub->w.blind_vars, &rng, j->threads, &mask,
                              zroot)) != ZKR_OK)
        goto out;
    zkr_ts_absorb(&t, "mm2-mask-root", zroot, ZKR_DIGEST_BYTES);
    if ((r = zkr_mm2_masked_sumcheck(j, &t, mask, &o)) != ZKR_OK ||
        (r = zkr_mm2_open(j, &t, mask, &o, &rng, &pcs)) != ZKR_OK ||
        (r = zkr_mm2_range(j, &t, &rng, &rng_sec)) != ZKR_OK ||
        (r = zkr_mm2_sections(j, zroot, o.sigma, o.msgs, zkr_log2_ceil(pub->k), o.v, &stmt,
                              &sc)) != ZKR_OK)
        goto out;
    if ((r = zkr_proof_begin(out, j->p->id, ZKR_KIND_MATMUL2, statement_id, 4)) != ZKR_OK ||
        (r = zkr_proof_add_section(out, ZKR_SEC_STATEMENT, stmt.p, stmt.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(out, ZKR_SEC_ZK_SUMCHECK, sc.p, sc.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(out, ZKR_SEC_HPCS, pcs.p, pcs.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(out, ZKR_SEC_ZK_RANGE, rng_sec.p, rng_sec.len)) != ZKR_OK)
        goto out;
out:
    if (r != ZKR_OK)
        out->len = mark;
    zkr_zkrng_wipe(&rng);
    zkr_hpcs_poly_free(mask);
    free(o.msgs);
    zkr_buf_free(&stmt);
    zkr_buf_free(&sc);
    zkr_buf_free(&pcs);
    zkr_buf_free(&rng_sec);
    return r;
}

zkr_err zkr_prover_matmul2(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                           const zkr_matmul2_public *pub, const int64_t *w, zkr_hpcs_poly *poly,
                           const uint8_t *seed, size_t seed_len, unsigned threads, zkr_buf *out,
                           zkr_diag *d)
{
    zkr_matmul2_cheat honest;
    zkr_mm2_job j = {p, pub, w, poly, threads ? threads : 1, &honest};

    memset(&honest, 0, sizeof honest);
    return zkr_mm2_prove(&j, statement_id, seed, seed_len, out, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_matmul2_cheat(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                 const zkr_matmul2_public *pub, const int64_t *w,
                                 zkr_hpcs_poly *poly, const uint8_t *seed, size_t seed_len,
                                 const zkr_matmul2_cheat *cheat, zkr_buf *out, zkr_diag *d)
{
    zkr_mm2_job j = {p, pub, w, poly, 1, cheat};

    if (pub->w.blind_vars > ZKR_HPCS_MAX_BLIND_VARS ||
        cheat->off_slice >= ((uint64_t)1 << pub->w.blind_vars))
        return ZKR_ERR_USAGE;
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
