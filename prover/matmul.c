/*
 * matmul@1 prover: y = W x by Thaler's sumcheck.
 *   y~(rb, ri) = sum_j W~(ri, j) x~(j, rb)      (j over log K variables)
 * then one Basefold opening of W at (rj, ri).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "zkr_config.h"

zkr_err zkr_prover_matmul_commit(const zkr_params *p, const int64_t *w, uint32_t m, uint32_t k,
                                 unsigned threads, zkr_pcs_poly **poly, zkr_pcs_commitment *comm)
{
    unsigned lm = zkr_log2_ceil(m), lk = zkr_log2_ceil(k);
    size_t K = (size_t)1 << lk, len = (size_t)1 << (lm + lk);
    zkr_gl *ev;
    zkr_err r;

    *poly = NULL;
    memset(comm, 0, sizeof *comm);
    if ((r = zkr_matmul_check_dims(m, k, 1)) != ZKR_OK)
        return r;
    ev = calloc(len, sizeof *ev);
    if (!ev)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            ev[i * K + j] = zkr_gl_from_i64(w[i * k + j]);
    r = zkr_prover_commit(p, ev, lm + lk, threads, poly, comm);
    sodium_memzero(ev, len * sizeof *ev);
    free(ev);
    return r;
}

/* Exact integer check that y = W x before proving anything (rows in parallel). */
typedef struct {
    const zkr_matmul_public *pub;
    const int64_t *w;
    int narrow; /* |W| |x| k < 2^63: int64 sums are exact (and vectorise) */
    int bad[ZKR_PAR_MAX];
    int nomem[ZKR_PAR_MAX];
} zkr_mm_check_job;

static uint64_t zkr_mm_maxabs(const int64_t *v, size_t n)
{
    uint64_t m = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t a = v[i] < 0 ? (uint64_t)0 - (uint64_t)v[i] : (uint64_t)v[i];
        if (a > m)
            m = a;
    }
    return m;
}

static void zkr_mm_check_narrow(zkr_mm_check_job *j, size_t lo, size_t hi, unsigned wk,
                                int64_t *acc)
{
    const zkr_matmul_public *pub = j->pub;

    for (size_t i = lo; i < hi && !j->bad[wk]; i++) {
        memset(acc, 0, (size_t)pub->b * sizeof *acc);
        for (size_t jj = 0; jj < pub->k; jj++) {
            int64_t wij = j->w[i * pub->k + jj];
            const int64_t *xr = pub->x + jj * pub->b;
            for (size_t c = 0; c < pub->b; c++)
                acc[c] += wij * xr[c];
        }
        for (size_t c = 0; c < pub->b; c++)
            if (acc[c] != pub->y[i * pub->b + c])
                j->bad[wk] = 1;
    }
}

static void zkr_mm_check_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    zkr_mm_check_job *j = ctx;
    const zkr_matmul_public *pub = j->pub;
    __int128 *acc = malloc((size_t)pub->b * sizeof *acc);

    if (!acc) {
        j->nomem[wk] = 1;
        return;
    }
    if (j->narrow) {
        zkr_mm_check_narrow(j, lo, hi, wk, (int64_t *)(void *)acc);
        free(acc);
        return;
    }
    for (size_t i = lo; i < hi && !j->bad[wk]; i++) {
        memset(acc, 0, (size_t)pub->b * sizeof *acc);
        for (size_t jj = 0; jj < pub->k; jj++) {
            __int128 wij = j->w[i * pub->k + jj];
            const int64_t *xr = pub->x + jj * pub->b;
            for (size_t c = 0; c < pub->b; c++)
                acc[c] += wij * xr[c];
        }
        for (size_t c = 0; c < pub->b; c++)
            if (acc[c] != pub->y[i * pub->b + c])
                j->bad[wk] = 1;
    }
    free(acc);
}

static zkr_err zkr_matmul_product_ok(const zkr_matmul_public *pub, const int64_t *w,
                                     unsigned threads, int *ok)
{
    zkr_mm_check_job j;

    memset(&j, 0, sizeof j);
    j.pub = pub;
    j.w = w;
    {
        uint64_t mw = zkr_mm_maxabs(w, (size_t)pub->m * pub->k);
        uint64_t mx = zkr_mm_maxabs(pub->x, (size_t)pub->k * pub->b);
        unsigned __int128 prod = (unsigned __int128)mw * mx; /* < 2^126 */
        j.narrow = prod < ((unsigned __int128)1 << 63) &&
                   prod * pub->k < ((unsigned __int128)1 << 63);
    }
    zkr_par_for(threads, pub->m, 8, zkr_mm_check_chunk, &j);
    *ok = 1;
    for (unsigned i = 0; i < ZKR_PAR_MAX; i++) {
        if (j.nomem[i])
            return ZKR_ERR_NOMEM;
        if (j.bad[i])
            *ok = 0;
    }
    return ZKR_OK;
}

typedef struct {
    const int64_t *w;
    const zkr_matmul_public *pub;
    const zkr_ext *eq_i;
    zkr_ext *a; /* A(j) = sum_i eq(ri, i) W[i][j] */
} zkr_mm_job;

static void zkr_mm_a_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_mm_job *j = ctx;
    size_t k = j->pub->k;

    (void)w;
    for (size_t col = lo; col < hi; col++) {
        zkr_ext acc = zkr_ext_from(0);
        for (size_t i = 0; i < j->pub->m; i++)
            acc = zkr_ext_add(acc, zkr_ext_mul_base(j->eq_i[i], zkr_gl_from_i64(j->w[i * k + col])));
        j->a[col] = acc;
    }
}

/* y~ at (rb low, ri high) from the public y. */
static zkr_err zkr_mm_y_eval(const zkr_matmul_public *pub, unsigned lm, unsigned lb,
                             const zkr_ext *pt, zkr_ext *out)
{
    size_t B = (size_t)1 << lb, len = ((size_t)1 << lm) * B;
    zkr_gl *t = calloc(len, sizeof *t);
    zkr_err r;

    if (!t)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < pub->m; i++)
        for (size_t c = 0; c < pub->b; c++)
            t[i * B + c] = zkr_gl_from_i64(pub->y[i * pub->b + c]);
    r = zkr_mle_eval_base(t, lm + lb, pt, out);
    free(t);
    return r;
}

/*
 * cheat (test builds only): skip the integer checks (domain, W bound,
 * y = W x exactly) and prove the field relation for whatever pub says.
 */
static zkr_err zkr_mm_prove(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                            const zkr_matmul_public *pub, const int64_t *w,
                            const zkr_pcs_poly *poly, unsigned threads, int cheat, zkr_buf *out,
                            zkr_diag *d)
{
    unsigned lm, lk, lb;
    size_t M, K, B;
    zkr_transcript t;
    zkr_pcs_commitment pc;
    zkr_ext *pt = NULL, *eq_i = NULL, *eq_b = NULL, *tab[2] = {NULL, NULL}, *msgs = NULL;
    zkr_ext claim, *rj = NULL, a_final;
    zkr_buf stmt = {0}, sc = {0}, pcs = {0};
    size_t mark = out->len;
    zkr_err r;

    if ((r = zkr_matmul_check_dims(pub->m, pub->k, pub->b)) != ZKR_OK)
        return zkr_fail(d, r, "matmul: dimensions %ux%u, b=%u out of bounds", pub->m, pub->k,
                        pub->b);
    if (!cheat) {
        const char *what;
        if (zkr_matmul_check_integer(pub, &what) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_USAGE, "matmul: %s; refusing to prove", what);
        for (size_t i = 0; i < (size_t)pub->m * pub->k; i++)
            if ((w[i] < 0 ? (uint64_t)0 - (uint64_t)w[i] : (uint64_t)w[i]) > pub->w_max_abs)
                return zkr_fail(d, ZKR_ERR_USAGE, "matmul: |W| entry %zu above the registered "
                                "bound %llu; refusing to prove", i,
                                (unsigned long long)pub->w_max_abs);
    }
    lm = zkr_log2_ceil(pub->m);
    lk = zkr_log2_ceil(pub->k);
    lb = zkr_log2_ceil(pub->b);
    M = (size_t)1 << lm;
    K = (size_t)1 << lk;
    B = (size_t)1 << lb;
    zkr_pcs_poly_commitment(poly, &pc);
    if (pc.n_vars != lm + lk || memcmp(pc.root, pub->w.root, ZKR_DIGEST_BYTES) != 0 ||
        pub->w.n_vars != pc.n_vars)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "matmul: W does not match the commitment");
    if (!cheat) {
        int ok;
        if ((r = zkr_matmul_product_ok(pub, w, threads, &ok)) != ZKR_OK)
            return r;
        if (!ok)
            return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, "matmul: y is not W x; refusing to prove");
    }
    r = ZKR_ERR_NOMEM;
    pt = calloc(lm + lk + lb + 1, sizeof *pt);
    eq_i = malloc(M * sizeof *eq_i);
    eq_b = malloc(B * sizeof *eq_b);
    tab[0] = calloc(K, sizeof(zkr_ext));
    tab[1] = calloc(K, sizeof(zkr_ext));
    msgs = calloc(2 * (size_t)lk + 1, sizeof *msgs);
    if (!pt || !eq_i || !eq_b || !tab[0] || !tab[1] || !msgs)
        goto out;
    zkr_matmul_transcript(&t, p, statement_id, pub);
    /* pt = (rb, ri) for y; W is opened at (rj, ri), so ri sits after rj. */
    zkr_ts_challenge_exts(&t, "mm-rb", pt, lb);
    zkr_ts_challenge_exts(&t, "mm-ri", pt + lb, lm);
    if ((r = zkr_mm_y_eval(pub, lm, lb, pt, &claim)) != ZKR_OK)
        goto out;
    zkr_mle_eq_table(pt + lb, lm, eq_i);
    zkr_mle_eq_table(pt, lb, eq_b);
    {
        zkr_mm_job j = {w, pub, eq_i, tab[0]};
        zkr_par_for(threads, pub->k, 16, zkr_mm_a_chunk, &j);
    }
    for (size_t j = 0; j < pub->k; j++) {
        zkr_ext acc = zkr_ext_from(0);
        for (size_t c = 0; c < pub->b; c++)
            acc = zkr_ext_add(acc, zkr_ext_mul_base(eq_b[c], zkr_gl_from_i64(pub->x[j * pub->b + c])));
        tab[1][j] = acc;
    }
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly f = {tab, 2, &term, 1, 2, NULL};
        /* rj goes where W's point wants it: before ri. Reuse eq_b's slot order. */
        rj = calloc(lk + lm + 1, sizeof *rj);
        if (!rj) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
        zkr_prover_sumcheck_accel(&f, lk, &t, threads, p->accel, msgs, rj);
        a_final = tab[0][0];
        memcpy(rj + lk, pt + lb, lm * sizeof *rj);
    }
    zkr_ts_absorb_ext(&t, "mm-a-final", &a_final, 1);
    (void)claim;
    /* Sections: statement echo, sumcheck, opening. */
    {
        uint8_t dx[ZKR_DIGEST_BYTES], dy[ZKR_DIGEST_BYTES];
        zkr_matrix_digest(pub->x, (size_t)pub->k * pub->b, dx);
        zkr_matrix_digest(pub->y, (size_t)pub->m * pub->b, dy);
        if ((r = zkr_enc_u32(&stmt, pub->m)) != ZKR_OK || (r = zkr_enc_u32(&stmt, pub->k)) != ZKR_OK ||
            (r = zkr_enc_u32(&stmt, pub->b)) != ZKR_OK ||
            (r = zkr_enc_u32(&stmt, pc.n_vars)) != ZKR_OK ||
            (r = zkr_buf_append(&stmt, pc.root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
            (r = zkr_buf_append(&stmt, dx, sizeof dx)) != ZKR_OK ||
            (r = zkr_buf_append(&stmt, dy, sizeof dy)) != ZKR_OK)
            goto out;
    }
    if ((r = zkr_enc_exts(&sc, msgs, 2 * (size_t)lk)) != ZKR_OK ||
        (r = zkr_enc_ext(&sc, a_final)) != ZKR_OK)
        goto out;
    {
        zkr_pcs_claim cl = {0, rj, a_final};
        zkr_pcs_poly *pp = (zkr_pcs_poly *)(uintptr_t)poly;
        if ((r = zkr_prover_open(p, &t, &pp, 1, &cl, 1, threads, &pcs)) != ZKR_OK)
            goto out;
    }
    if ((r = zkr_proof_begin(out, p->id, ZKR_KIND_MATMUL1, statement_id, 3)) != ZKR_OK ||
        (r = zkr_proof_add_section(out, ZKR_SEC_STATEMENT, stmt.p, stmt.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(out, ZKR_SEC_SUMCHECK, sc.p, sc.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(out, ZKR_SEC_PCS, pcs.p, pcs.len)) != ZKR_OK)
        goto out;
out:
    if (r != ZKR_OK)
        out->len = mark; /* no partial proof on failure */
    free(rj);
    free(pt);
    free(eq_i);
    free(eq_b);
    free(tab[0]);
    free(tab[1]);
    free(msgs);
    zkr_buf_free(&stmt);
    zkr_buf_free(&sc);
    zkr_buf_free(&pcs);
    return r;
}

zkr_err zkr_prover_matmul(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                          const zkr_matmul_public *pub, const int64_t *w,
                          const zkr_pcs_poly *poly, unsigned threads, zkr_buf *out, zkr_diag *d)
{
    return zkr_mm_prove(p, statement_id, pub, w, poly, threads, 0, out, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_matmul_cheat(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                const zkr_matmul_public *pub, const int64_t *w,
                                const zkr_pcs_poly *poly, zkr_buf *out, zkr_diag *d)
{
    return zkr_mm_prove(p, statement_id, pub, w, poly, 1, 1, out, d);
}
#endif
