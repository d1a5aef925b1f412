/* training-step@2: the byte witness of one step (prover/training2.h). */
#include <math.h>
#include <string.h>

#include "prover/training2.h"

/* Writes value into n little-endian byte slots of a group; refuses what does not fit. */
static int put_g(const zkr_train2_shape *s, uint8_t *v, uint32_t l, unsigned slot, unsigned n,
                 uint32_t b, uint32_t j, int64_t value)
{
    if (value < 0 || (n < 8 && value >= ((int64_t)1 << (8 * n))))
        return 0;
    for (unsigned t = 0; t < n; t++)
        v[zkr_train2_gidx(s, l, slot + t, b, j)] = (uint8_t)(value >> (8 * t));
    return 1;
}

static int put_u(const zkr_train2_shape *s, uint8_t *v, uint32_t l, unsigned slot, uint32_t j,
                 uint32_t k, int64_t value)
{
    if (value < 0 || value >= 65536)
        return 0;
    v[zkr_train2_uidx(s, l, slot, j, k)] = (uint8_t)value;
    v[zkr_train2_uidx(s, l, slot + 1, j, k)] = (uint8_t)(value >> 8);
    return 1;
}

static int hidden(const zkr_train2_shape *s, const zkr_ml_tstep_trace *tr, uint8_t *v,
                  uint32_t l, uint32_t b, uint32_t j)
{
    const int64_t P23 = (int64_t)1 << 23, P24 = (int64_t)1 << 24;
    size_t e = (size_t)b * s->out[l] + j;
    int64_t h = tr->h[l][e], n = tr->n[l][e], m = tr->m[l][e];
    int64_t dq = tr->dq[l][e], dl = tr->delta[l][e];
    int ok = 1;

    if (m != 0 && m != 1)
        return 0;
    ok &= put_g(s, v, l, ZKR_T2H_R, 2, b, j, tr->r[l][e]);
    ok &= put_g(s, v, l, ZKR_T2H_H, 2, b, j, h);
    ok &= put_g(s, v, l, ZKR_T2H_N, 4, b, j, n);
    ok &= put_g(s, v, l, ZKR_T2H_M, 1, b, j, m);
    ok &= put_g(s, v, l, ZKR_T2H_MC, 1, b, j, 128 * m);
    ok &= put_g(s, v, l, ZKR_T2H_S1, 2, b, j, 65535 * m - h);
    ok &= put_g(s, v, l, ZKR_T2H_S2, 4, b, j, (((int64_t)1 << 32) - 1) * (1 - m) - n);
    ok &= put_g(s, v, l, ZKR_T2H_S3, 2, b, j, h - m);
    ok &= put_g(s, v, l, ZKR_T2H_RB, 2, b, j, tr->rb[l][e]);
    ok &= put_g(s, v, l, ZKR_T2H_DQ, 3, b, j, dq + P23);
    ok &= put_g(s, v, l, ZKR_T2H_DL, 3, b, j, dl + P23);
    ok &= put_g(s, v, l, ZKR_T2H_T1, 4, b, j, P23 * m - dl);
    ok &= put_g(s, v, l, ZKR_T2H_T2, 3, b, j, P23 * m + dl);
    ok &= put_g(s, v, l, ZKR_T2H_T3, 4, b, j, P24 * (1 - m) - (dl - dq));
    ok &= put_g(s, v, l, ZKR_T2H_T4, 4, b, j, P24 * (1 - m) + (dl - dq));
    return ok;
}

static int output(const zkr_train2_shape *s, const zkr_ml_tstep_trace *tr, uint8_t *v,
                  uint32_t b, uint32_t j, uint8_t label)
{
    uint32_t l = s->n_layers - 1;
    size_t e = (size_t)b * s->out[l] + j;
    int64_t r = tr->r[l][e], t = j == label;
    int ok = r < 4096;

    ok &= put_g(s, v, l, ZKR_T2O_R, 2, b, j, r);
    ok &= put_g(s, v, l, ZKR_T2O_RC, 1, b, j, 16 * (r >> 8));
    ok &= put_g(s, v, l, ZKR_T2O_O, 3, b, j, tr->q[l][e] + ((int64_t)1 << 23));
    ok &= put_g(s, v, l, ZKR_T2O_T, 1, b, j, t);
    ok &= put_g(s, v, l, ZKR_T2O_TC, 1, b, j, 128 * t);
    return ok;
}

zkr_err zkr_prover_train2_witness(const zkr_train2_shape *s, const zkr_ml_tstep_trace *tr,
                                  const uint8_t *records, uint8_t *v, zkr_diag *d)
{
    uint32_t L = s->n_layers, in0 = s->in[0];

    memset(v, 0, (size_t)1 << s->n_v);
    if (tr->n_layers != L || tr->batch != s->batch)
        return zkr_fail(d, ZKR_ERR_USAGE, "training-step@2: trace shape differs from the program");
    for (uint32_t l = 0; l < L; l++)
        if (tr->in_dim[l] != s->in[l] || tr->out_dim[l] != s->out[l] || !tr->ru[l])
            return zkr_fail(d, ZKR_ERR_USAGE, "training-step@2: trace layer %u differs", l);
    for (uint32_t b = 0; b < s->batch; b++) {
        const uint8_t *rec = records + (size_t)b * (in0 + 1);
        if (rec[in0] != tr->labels[b] || memcmp(rec, tr->input + (size_t)b * in0, in0) != 0)
            return zkr_fail(d, ZKR_ERR_USAGE, "training-step@2: batch row %u is not the trace's", b);
        for (uint32_t k = 0; k <= in0; k++)
            v[zkr_train2_ridx(s, b, k)] = rec[k];
        for (uint32_t l = 0; l + 1 < L; l++)
            for (uint32_t j = 0; j < s->out[l]; j++)
                if (!hidden(s, tr, v, l, b, j))
                    return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                    "training-step@2: layer %u row %u unit %u out of its bytes", l,
                                    b, j);
        for (uint32_t j = 0; j < s->out[L - 1]; j++)
            if (!output(s, tr, v, b, j, rec[in0]))
                return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                "training-step@2: output row %u unit %u out of its bytes", b, j);
    }
    for (uint32_t l = 0; l < L; l++)
        for (uint32_t j = 0; j < s->out[l]; j++)
            for (uint32_t k = 0; k <= s->in[l]; k++) {
                int64_t ru = tr->ru[l][(size_t)j * (s->in[l] + 1) + k];
                if (ru < 0 || ru >= ((int64_t)1 << s->shift) ||
                    !put_u(s, v, l, ZKR_T2U_RU, j, k, ru) ||
                    (s->shift < 16 && !put_u(s, v, l, ZKR_T2U_RUC, j, k, ru << (16 - s->shift))))
                    return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                    "training-step@2: update remainder of layer %u out of range", l);
            }
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* The proof                                                            */
/* ------------------------------------------------------------------ */

#include <sodium.h>
#include <stdlib.h>

#include "zk/infer2_int.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

#define T2_D ZKR_TRAIN2_DEGREE
#define T2_NB (1u << ZKR_TRAIN2_MAX_SC)
/* Libra's masks and the claim reduction are inference@2's (zk/infer2.c): the same degree. */
_Static_assert(ZKR_TRAIN2_DEGREE == ZKR_INFER2_DEGREE, "training-step@2 reuses inference@2's masks");
#define T2_MAXT (64u + ZKR_HPCS_MAX_BLIND_VARS)

typedef struct {
    const zkr_params *p; /* &pq: every commitment and opening of the proof */
    zkr_params pq;
    const zkr_train2_public *pub;
    const zkr_train2_shape *s;
    const zkr_train2_cheat *cheat;
    zkr_transcript t;
    zkr_zkrng rng;
    unsigned threads;
    zkr_hpcs_pool *pool; /* V's, the range proof's and the openings' large buffers, reused */
    uint8_t *vb;
    zkr_hpcs_poly *v, *c, *rec[ZKR_TRAIN_MAX_BATCH];
    zkr_err rec_r[ZKR_TRAIN_MAX_BATCH]; /* reopen_all's result for each batch position */
    zkr_train2_chal ch;
    zkr_train2_rowchal rc;
    zkr_ext rho, r[ZKR_TRAIN2_MAX_SC], *gco; /* g's 1 + 7 N coefficients, then g_A's 1 + 7 TA */
    size_t n_gco;
    zkr_ext rA[T2_MAXT], gA; /* the reduction's point (TA), g_A(rA) */
    zkr_ext u[ZKR_HPCS_MAX_MIXED]; /* version 5: V, h, phi, m, records 0..nm-1 at rA's suffixes */
    unsigned lc, ncols, vt; /* vt: V's n + e */
    unsigned TA, nm, rn, rtot; /* the reduction's variables, records joining it, their n and n + e */
    zkr_zkrange_defer zr;      /* version 5: the range proof's deferred claims and helpers */
    zkr_ext ta[ZKR_TRAIN2_MAX_COLS + 1][T2_NB], tb[ZKR_TRAIN2_MAX_COLS + 1][T2_NB];
    zkr_ext vals[ZKR_TRAIN2_MAX_COLS], recv[ZKR_TRAIN_MAX_BATCH], gr;
    zkr_buf *out;
} t2p;

static void t2_free_wipe(void *p, size_t n)
{
    if (p) {
        sodium_memzero(p, n);
        free(p);
    }
}

/*
 * The eq weights of a point's non-boolean coordinates, kept between
 * sparse_eval2 calls: the batch's points differ in boolean coordinates only,
 * so one table serves every row of a column.
 */
typedef struct {
    unsigned nf, fr[64];
    zkr_ext zf[64];
    zkr_ext *eq;
    int x8; /* zkr_ext8_ok, asked once per cache (one path for all of it) */
} sp_cache;

/* Entries gathered per step of sparse_eval2's eight-at-a-time dot. */
#define SP_GATHER 256u

static void sp_cache_free(sp_cache *k)
{
    free(k->eq);
    k->eq = NULL;
}

/*
 * sparse_eval2's sums where x8: the subcube's entries gathered SP_GATHER at
 * a time, then dotted with the eq weights eight at a time (zkr_ext8_xdot:
 * exact field sums, so the same values as the scalar loop).
 */
static void sparse_dot8(const sp_cache *k, const zkr_gl *tab, uint64_t base, uint64_t mask,
                        uint64_t off2, zkr_ext *acc_a, zkr_ext *acc_b)
{
    zkr_gl ga[SP_GATHER], gb[SP_GATHER];
    size_t len = (size_t)1 << k->nf;
    uint64_t sub = 0;

    for (size_t a0 = 0; a0 < len; a0 += SP_GATHER) {
        size_t m = len - a0 < SP_GATHER ? len - a0 : SP_GATHER, i;
        for (i = 0; i < m; i++, sub = zkr_mle_subcube_next(sub, mask)) {
            ga[i] = tab[base | sub];
            gb[i] = tab[base | sub | off2];
        }
        i = zkr_ext8_xdot(k->eq + a0, NULL, ga, 0, m, acc_a);
        for (size_t t = i; t < m; t++)
            *acc_a = zkr_ext_add(*acc_a, zkr_ext_mul_base(k->eq[a0 + t], ga[t]));
        i = zkr_ext8_xdot(k->eq + a0, NULL, gb, 0, m, acc_b);
        for (size_t t = i; t < m; t++)
            *acc_b = zkr_ext_add(*acc_b, zkr_ext_mul_base(k->eq[a0 + t], gb[t]));
    }
    /* the gathers held entries of V and of the batch records */
    sodium_memzero(ga, sizeof ga);
    sodium_memzero(gb, sizeof gb);
}

/*
 * A base table's multilinear at pt (nv coordinates), at index offset 0 and
 * at the blinding slice `off2` (>= 2^nv): coordinates exactly 0 or 1
 * select, the others are summed with their eq weights.
 */
static zkr_err sparse_eval2(sp_cache *k, const zkr_gl *tab, unsigned nv, const zkr_ext *pt,
                            uint64_t off2, zkr_ext *out_a, zkr_ext *out_b)
{
    unsigned fr[64], nf;
    uint64_t base, mask, sub = 0;
    zkr_ext zf[64], acc_a = zkr_ext_from(0), acc_b = zkr_ext_from(0);

    nf = zkr_mle_split_point(pt, nv, zf, fr, &base);
    if (!k->eq || k->nf != nf || memcmp(k->fr, fr, nf * sizeof *fr) != 0 ||
        memcmp(k->zf, zf, nf * sizeof *zf) != 0) {
        sp_cache_free(k);
        if (!(k->eq = calloc((size_t)1 << nf, sizeof *k->eq)))
            return ZKR_ERR_NOMEM;
        zkr_mle_eq_table(zf, nf, k->eq);
        k->nf = nf;
        memcpy(k->fr, fr, nf * sizeof *fr);
        memcpy(k->zf, zf, nf * sizeof *zf);
    }
    mask = zkr_mle_subcube_mask(fr, nf);
    if (k->x8)
        sparse_dot8(k, tab, base, mask, off2, &acc_a, &acc_b);
    else
        for (size_t a = 0; a < ((size_t)1 << nf); a++, sub = zkr_mle_subcube_next(sub, mask)) {
            uint64_t idx = base | sub; /* zkr_mle_subcube_index(base, fr, nf, a) */
            acc_a = zkr_ext_add(acc_a, zkr_ext_mul_base(k->eq[a], tab[idx]));
            acc_b = zkr_ext_add(acc_b, zkr_ext_mul_base(k->eq[a], tab[idx | off2]));
        }
    *out_a = acc_a;
    *out_b = acc_b;
    return ZKR_OK;
}

/* Column col's slice tables at batch rows [b0, b1) (of 2^N), through k's eq table. */
static zkr_err col_rows(t2p *c, sp_cache *k, unsigned col, size_t b0, size_t b1)
{
    const zkr_train2_shape *s = c->s;
    const zkr_gl *F = zkr_hpcs_poly_base_evals(c->v);
    zkr_ext pt[64], rb[ZKR_TRAIN2_MAX_SC];
    zkr_err r = ZKR_OK;

    for (size_t b = b0; b < b1 && r == ZKR_OK; b++) {
        for (unsigned i = 0; i < s->lb; i++)
            rb[i] = zkr_ext_from((b >> i) & 1);
        zkr_train2_col_point(s, &c->ch, col, rb, pt);
        r = sparse_eval2(k, F, s->n_v, pt, (uint64_t)1 << s->n_v, &c->ta[col][b],
                         &c->tb[col][b]);
    }
    return r;
}

/*
 * Items of (column, row) = (q >> N, q mod 2^N): part p of `parts` covers
 * items [cut[p], cut[p + 1]), every item's two entries its own; part p's
 * first error in r[p].
 */
typedef struct {
    t2p *c;
    size_t cut[ZKR_PAR_MAX + 1];
    zkr_err r[ZKR_PAR_MAX];
} col_job;

static void col_chunk(void *ctx, size_t plo, size_t phi, unsigned w)
{
    col_job *j = ctx;
    unsigned N = j->c->ch.N;
    sp_cache k = {0};

    k.x8 = zkr_ext8_ok();
    (void)w;
    for (size_t p = plo; p < phi; p++) {
        j->r[p] = ZKR_OK;
        for (size_t q = j->cut[p]; q < j->cut[p + 1] && j->r[p] == ZKR_OK;) {
            size_t col = q >> N, end = (col + 1) << N;
            if (end > j->cut[p + 1])
                end = j->cut[p + 1];
            j->r[p] = col_rows(j->c, &k, (unsigned)col, q - (col << N), end - (col << N));
            q = end;
        }
    }
    sp_cache_free(&k);
}

/*
 * Every column's slice tables, the (column, row) items cut into one
 * contiguous run per thread of about equal cost: an item costs 2^nf, nf
 * its column point's free coordinates (the same for every row), and the
 * columns' nf differ widely, so equal item counts would not balance. A
 * run's rows of one column share one eq table.
 */
static zkr_err all_col_tables(t2p *c)
{
    const zkr_train2_shape *s = c->s;
    unsigned N = c->ch.N, parts = c->threads < ZKR_PAR_MAX ? c->threads : ZKR_PAR_MAX;
    size_t n_items = (size_t)c->ncols << N, q = 0;
    double cost[ZKR_TRAIN2_MAX_COLS], total = 0, acc = 0;
    col_job j;

    for (unsigned col = 0; col < c->ncols; col++) {
        zkr_ext pt[64], rb[ZKR_TRAIN2_MAX_SC], zf[64];
        unsigned fr[64];
        uint64_t base;
        for (unsigned i = 0; i < s->lb; i++)
            rb[i] = zkr_ext_from(0);
        zkr_train2_col_point(s, &c->ch, col, rb, pt);
        cost[col] = ldexp(1.0, (int)zkr_mle_split_point(pt, s->n_v, zf, fr, &base));
        total += cost[col] * (double)((size_t)1 << N);
    }
    j.c = c;
    j.cut[0] = 0;
    for (unsigned p = 1; p < parts; p++) {
        /* the first item past p / parts of the cost (a pure function of the shape and points) */
        while (q < n_items && acc + cost[q >> N] <= total * p / parts)
            acc += cost[q >> N], q++;
        j.cut[p] = q;
    }
    j.cut[parts] = n_items;
    zkr_par_for(parts, parts, 1, col_chunk, &j);
    for (unsigned p = 0; p < parts; p++)
        if (j.r[p] != ZKR_OK)
            return j.r[p];
    return ZKR_OK;
}

/* Record b's polynomial (test builds: record 1's role played by record 0's, rec_swap). */
static zkr_hpcs_poly *recp(const t2p *c, uint32_t b)
{
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->rec_swap && b == 1)
        return c->rec[0];
#endif
    return c->rec[b];
}

/* The records' slice tables at the common point (rows past the batch are 0). */
static zkr_err rec_tables(t2p *c)
{
    const zkr_train2_shape *s = c->s;
    unsigned rc = c->ncols;
    sp_cache k = {0};
    zkr_err r = ZKR_OK;

    k.x8 = zkr_ext8_ok();
    for (size_t b = 0; b < ((size_t)1 << c->ch.N) && r == ZKR_OK; b++) {
        c->ta[rc][b] = c->tb[rc][b] = zkr_ext_from(0);
        if (b < s->batch) {
            const zkr_gl *F = zkr_hpcs_poly_base_evals(recp(c, (uint32_t)b));
            unsigned n = zkr_hpcs_poly_n_vars(recp(c, (uint32_t)b));
            r = sparse_eval2(&k, F, n, zkr_train2_rec_point(&c->ch), (uint64_t)1 << n,
                             &c->ta[rc][b], &c->tb[rc][b]);
        }
    }
    sp_cache_free(&k);
    return r;
}

/* A randomised column at x: A~(x) + s(x_0) (B~(x) - A~(x)). */
static zkr_ext col_at(const t2p *c, unsigned col, const zkr_ext *x)
{
    unsigned N = c->ch.N;
    zkr_ext a, b, s0 = zkr_ext_mul(x[0], zkr_ext_sub(zkr_ext_from(1), x[0]));

    if (zkr_mle_eval_ext(c->ta[col], N, x, &a) != ZKR_OK ||
        zkr_mle_eval_ext(c->tb[col], N, x, &b) != ZKR_OK)
        abort(); /* N >= 1 and the tables exist: cannot fail */
    return zkr_ext_add(a, zkr_ext_mul(s0, zkr_ext_sub(b, a)));
}

static zkr_ext total_at(const t2p *c, const zkr_ext *x)
{
    zkr_ext cols[ZKR_TRAIN2_MAX_COLS];

    for (unsigned q = 0; q < c->ncols; q++)
        cols[q] = col_at(c, q, x);
    return zkr_ext_add(zkr_train2_f(c->s, &c->ch, x, cols, col_at(c, c->ncols, x)),
                       zkr_ext_mul(c->rho, zkr_infer2_gat(c->gco, c->ch.N, x)));
}

/* The product sumcheck, every round by direct evaluation (N <= 6 variables). */
static zkr_err sumcheck(t2p *c)
{
    unsigned N = c->ch.N;
    zkr_err r;

    for (unsigned i = 0; i < N; i++) {
        zkr_ext msg[T2_D], x[ZKR_TRAIN2_MAX_SC];
        memcpy(x, c->r, i * sizeof *x);
        for (unsigned X = 0; X <= T2_D; X++) {
            zkr_ext h = zkr_ext_from(0);
            if (X == 1)
                continue;
            x[i] = zkr_ext_from(X);
            for (size_t y = 0; y < ((size_t)1 << (N - i - 1)); y++) {
                for (unsigned q = i + 1; q < N; q++)
                    x[q] = zkr_ext_from((y >> (q - i - 1)) & 1);
                h = zkr_ext_add(h, total_at(c, x));
            }
            msg[X == 0 ? 0 : X - 1] = h;
        }
        zkr_ts_absorb_ext(&c->t, "sc-round", msg, T2_D);
        c->r[i] = zkr_ts_challenge_ext(&c->t, "sc-challenge");
        if ((r = zkr_enc_exts(c->out, msg, T2_D)) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

#if ZKR_TEST_BUILD
/* A cheat: column 0's value + 1, g(r) refitted so that the product sumcheck's final check holds. */
static void fit_col(t2p *c)
{
    zkr_ext rec = zkr_ext_from(0), f0, f1;

    for (uint32_t b = 0; b < c->s->batch; b++) {
        zkr_ext e = zkr_ext_from(1);
        for (unsigned i = 0; i < c->ch.N; i++)
            e = zkr_ext_mul(e, ((b >> i) & 1) ? c->r[i] : zkr_ext_sub(zkr_ext_from(1), c->r[i]));
        rec = zkr_ext_add(rec, zkr_ext_mul(e, c->recv[b]));
    }
    f0 = zkr_train2_f(c->s, &c->ch, c->r, c->vals, rec);
    c->vals[0] = zkr_ext_add(c->vals[0], zkr_ext_from(1));
    f1 = zkr_train2_f(c->s, &c->ch, c->r, c->vals, rec);
    c->gr = zkr_ext_sub(c->gr, zkr_ext_mul(zkr_ext_sub(f1, f0), zkr_ext_inv(c->rho)));
}
#endif

static zkr_err values(t2p *c)
{
    const zkr_train2_shape *s = c->s;
    zkr_ext s0 = zkr_ext_mul(c->r[0], zkr_ext_sub(zkr_ext_from(1), c->r[0]));
    zkr_err r;

    for (unsigned q = 0; q < c->ncols; q++)
        c->vals[q] = col_at(c, q, c->r);
    for (uint32_t b = 0; b < s->batch; b++)
        c->recv[b] = zkr_ext_add(c->ta[c->ncols][b],
                                 zkr_ext_mul(s0, zkr_ext_sub(c->tb[c->ncols][b],
                                                             c->ta[c->ncols][b])));
    c->gr = zkr_infer2_gat(c->gco, c->ch.N, c->r);
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->reduce == 1)
        fit_col(c);
    if (c->cheat && c->cheat->shift_rec > 0 && (uint32_t)c->cheat->shift_rec < s->batch) {
        /* S_k -= eq(k-1, r) / eq(k, r): sum_b eq(b, r) S_b kept */
        uint32_t k = (uint32_t)c->cheat->shift_rec;
        zkr_ext e[2] = {zkr_ext_from(1), zkr_ext_from(1)};
        for (unsigned q = 0; q < 2; q++)
            for (unsigned i = 0; i < c->ch.N; i++)
                e[q] = zkr_ext_mul(e[q], (((k - 1 + q) >> i) & 1)
                                             ? c->r[i]
                                             : zkr_ext_sub(zkr_ext_from(1), c->r[i]));
        c->recv[k - 1] = zkr_ext_add(c->recv[k - 1], zkr_ext_from(1));
        c->recv[k] = zkr_ext_sub(c->recv[k], zkr_ext_mul(e[0], zkr_ext_inv(e[1])));
    }
    if (c->cheat && c->cheat->fit_rec) {
        /* rec rises by eq(r, 0); g(r) absorbs it so that the final check still holds */
        zkr_ext e0 = zkr_ext_from(1), ex, dlt;
        for (unsigned i = 0; i < c->ch.N; i++)
            e0 = zkr_ext_mul(e0, zkr_ext_sub(zkr_ext_from(1), c->r[i]));
        c->recv[0] = zkr_ext_add(c->recv[0], zkr_ext_from(1));
        {
            zkr_ext one = zkr_ext_from(1);
            ex = zkr_ext_from(1);
            for (unsigned i = 0; i < c->ch.N; i++) {
                zkr_ext a = c->ch.xi[s->lk[0] + i], b = c->r[i];
                ex = zkr_ext_mul(ex, zkr_ext_add(zkr_ext_mul(a, b),
                                                 zkr_ext_mul(zkr_ext_sub(one, a),
                                                             zkr_ext_sub(one, b))));
            }
        }
        dlt = zkr_ext_mul(zkr_ext_mul(ex, e0), zkr_ext_inv(c->rho));
        c->gr = zkr_ext_sub(c->gr, dlt);
    }
#endif
    zkr_ts_absorb_ext(&c->t, "t2-values", c->vals, c->ncols);
    zkr_ts_absorb_ext(&c->t, "t2-records", c->recv, s->batch);
    zkr_ts_absorb_ext(&c->t, "t2-gr", &c->gr, 1);
    if ((r = zkr_enc_exts(c->out, c->vals, c->ncols)) != ZKR_OK ||
        (r = zkr_enc_exts(c->out, c->recv, s->batch)) != ZKR_OK)
        return r;
    return zkr_enc_ext(c->out, c->gr);
}

/* E[base | sub_a] += beta eq[a] over a run of a (distinct entries: the workers share none). */
typedef struct {
    zkr_ext *E;
    const zkr_ext *eq;
    uint64_t base, mask;
    const unsigned *fr;
    unsigned nf;
    zkr_ext beta;
} add_eq_job;

static void add_eq_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const add_eq_job *j = ctx;
    uint64_t sub = lo ? zkr_mle_subcube_index(0, j->fr, j->nf, lo) : 0;

    (void)w;
    for (size_t a = lo; a < hi; a++, sub = zkr_mle_subcube_next(sub, j->mask)) {
        uint64_t idx = j->base | sub; /* zkr_mle_subcube_index(base, fr, nf, a) */
        j->E[idx] = zkr_ext_add(j->E[idx], zkr_ext_mul(j->beta, j->eq[a]));
    }
}

/*
 * Adds beta eq(z, .) to E (2^T entries), visiting only the subcube z
 * selects: coordinates exactly 0 or 1 fix their bit (every column point
 * fixes its block, slot and padding bits), the others are enumerated.
 */
static zkr_err add_eq(zkr_ext *E, const zkr_ext *z, unsigned T, zkr_ext beta, unsigned threads)
{
    unsigned fr[T2_MAXT], nf;
    uint64_t base;
    zkr_ext zf[T2_MAXT], *eq;
    add_eq_job j;

    nf = zkr_mle_split_point(z, T, zf, fr, &base);
    if (!(eq = malloc(((size_t)1 << nf) * sizeof *eq)))
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table_mt(zf, nf, threads, eq);
    j = (add_eq_job){E, eq, base, zkr_mle_subcube_mask(fr, nf), fr, nf, beta};
    zkr_par_for(threads, (size_t)1 << nf, (size_t)1 << 14, add_eq_chunk, &j);
    free(eq);
    return ZKR_OK;
}

/* E[x] += w eq[x] */
typedef struct {
    zkr_ext *E;
    const zkr_ext *eq;
    zkr_ext w;
    int x8; /* zkr_ext8_ok: eight at a time (zkr_ext8_axpy, the same values) */
} add_scaled_job;

static void add_scaled_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    const add_scaled_job *j = ctx;

    (void)wk;
    if (j->x8)
        lo = zkr_ext8_axpy(j->E, j->eq, NULL, lo, hi, j->w, 1);
    for (size_t x = lo; x < hi; x++)
        j->E[x] = zkr_ext_add(j->E[x], zkr_ext_mul(j->w, j->eq[x]));
}

/* P[x] = F_V(x) as extension elements. */
typedef struct {
    zkr_ext *P;
    const zkr_gl *fb;
} lift_job;

static void lift_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const lift_job *j = ctx;

    (void)w;
    for (size_t x = lo; x < hi; x++)
        j->P[x] = zkr_ext_from(j->fb[x]);
}

/* Reduction polynomial i (version 5): V, h, phi, m, then records 0..nm-1. */
static zkr_hpcs_poly *red_poly(const t2p *c, unsigned i)
{
    zkr_hpcs_poly *f[ZKR_TRAIN2_MIX_FIXED] = {c->v, c->zr.h, c->zr.ph, c->zr.m};

    return i < ZKR_TRAIN2_MIX_FIXED ? f[i] : recp(c, i - ZKR_TRAIN2_MIX_FIXED);
}

/* P[x] = F_V(x) as extension elements. */
static void v_lift(const t2p *c, zkr_ext *P)
{
    lift_job lj = {P, zkr_hpcs_poly_base_evals(c->v)};

    zkr_par_for(c->threads, (size_t)1 << c->vt, (size_t)1 << 14, lift_chunk, &lj);
}

/*
 * P[x] = sum_k w_k F_k(x) over h, phi, m (w = beta's three), and (dot) the
 * three dot products with eq: the range helpers' combined table and their
 * values at r_A. phi and m are zero on [z0, z1) by the range proof's
 * shapes (public: phi = m / (X - t) and m's counts live on the table's
 * 2^8 rows, zero-extended to N variables on the slice u = 0), so their
 * terms are skipped there: adding zero changes no sum.
 */
typedef struct {
    zkr_ext *P;
    const zkr_ext *eq, *h, *ph;
    const zkr_gl *m;
    zkr_ext w[3];
    zkr_ext acc[ZKR_PAR_MAX][3];
    size_t z0, z1;
    size_t half; /* 2^(vt - 1): the workers' split (hpm_comb_chunk) */
    int x8;      /* zkr_ext8_ok: eight at a time (zk/ext8.c, the same values) */
} hpm_job;

/* [lo, hi) cut at [z0, z1): *mid_lo, *mid_hi bound the part inside it (empty if none). */
static void hpm_split(const hpm_job *j, size_t lo, size_t hi, size_t *mid_lo, size_t *mid_hi)
{
    *mid_lo = j->z0 > lo ? (j->z0 < hi ? j->z0 : hi) : lo;
    *mid_hi = j->z1 < hi ? (j->z1 > *mid_lo ? j->z1 : *mid_lo) : hi;
}

static void hpm_comb_run(hpm_job *j, size_t lo, size_t hi)
{
    size_t ml, mh;

    if (j->x8) {
        size_t e = zkr_ext8_axpy(j->P, j->h, NULL, lo, hi, j->w[0], 0);
        zkr_ext8_axpy(j->P, j->ph, NULL, lo, e, j->w[1], 1);
        zkr_ext8_axpy(j->P, NULL, j->m, lo, e, j->w[2], 1);
        lo = e;
    }
    hpm_split(j, lo, hi, &ml, &mh);
    for (size_t x = lo; x < hi; x++) {
        if (x == ml)
            for (; x < mh; x++) /* phi and m zero */
                j->P[x] = zkr_ext_mul(j->w[0], j->h[x]);
        if (x == hi)
            break;
        j->P[x] = zkr_ext_add(zkr_ext_add(zkr_ext_mul(j->w[0], j->h[x]),
                                          zkr_ext_mul(j->w[1], j->ph[x])),
                              zkr_ext_mul_base(j->w[2], j->m[x]));
    }
}

static void hpm_dot_run(hpm_job *j, size_t lo, size_t hi, unsigned wk)
{
    zkr_ext a = zkr_ext_from(0), b = zkr_ext_from(0), m = zkr_ext_from(0);
    size_t ml, mh;

    if (j->x8) {
        size_t e = zkr_ext8_xdot(j->eq, j->h, NULL, lo, hi, &a);
        zkr_ext8_xdot(j->eq, j->ph, NULL, lo, e, &b);
        zkr_ext8_xdot(j->eq, NULL, j->m, lo, e, &m);
        lo = e;
    }
    hpm_split(j, lo, hi, &ml, &mh);
    for (size_t x = lo; x < hi; x++) {
        if (x == ml)
            for (; x < mh; x++) /* phi and m zero */
                a = zkr_ext_add(a, zkr_ext_mul(j->eq[x], j->h[x]));
        if (x == hi)
            break;
        a = zkr_ext_add(a, zkr_ext_mul(j->eq[x], j->h[x]));
        b = zkr_ext_add(b, zkr_ext_mul(j->eq[x], j->ph[x]));
        m = zkr_ext_add(m, zkr_ext_mul_base(j->eq[x], j->m[x]));
    }
    j->acc[wk][0] = zkr_ext_add(j->acc[wk][0], a);
    j->acc[wk][1] = zkr_ext_add(j->acc[wk][1], b);
    j->acc[wk][2] = zkr_ext_add(j->acc[wk][2], m);
}

/*
 * The workers take [lo, hi) of each half of the table (half = 2^(vt - 1)
 * entries): phi's and m's zeros all lie in the first half, and split this
 * way each worker gets its share of them (contiguous chunks would leave
 * the first worker idle for most of the pass).
 */
static void hpm_comb_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    hpm_job *j = ctx;

    (void)wk;
    hpm_comb_run(j, lo, hi);
    hpm_comb_run(j, j->half + lo, j->half + hi);
}

static void hpm_dot_chunk(void *ctx, size_t lo, size_t hi, unsigned wk)
{
    hpm_job *j = ctx;

    hpm_dot_run(j, lo, hi, wk);
    hpm_dot_run(j, j->half + lo, j->half + hi, wk);
}

/* Record b's table as extension elements (small: the records' n + e). */
static void rec_lift(const t2p *c, uint32_t b, zkr_ext *P)
{
    const zkr_gl *fb = zkr_hpcs_poly_base_evals(recp(c, b));

    for (size_t x = 0; x < ((size_t)1 << c->rtot); x++)
        P[x] = zkr_ext_from(fb[x]);
}

#if ZKR_TEST_BUILD
/*
 * A cheat: P changed so that sum_x E[x] P[x] is kept (P[x] + 1 where E[x]
 * = 0, else P[x] + E[y], P[y] - E[x]): its reduced value is false.
 */
static void shift_keep(zkr_ext *P, const zkr_ext *E, size_t len)
{
    size_t x = len - 1, y = x - 1;

    if (zkr_ext_eq(E[x], zkr_ext_from(0))) {
        P[x] = zkr_ext_add(P[x], zkr_ext_from(1));
    } else {
        P[x] = zkr_ext_add(P[x], E[y]);
        P[y] = zkr_ext_sub(P[y], E[x]);
    }
}
#endif

/* The reduction's tables of the records' combination (E = eq(z_rec, .)); R0: record 0's. */
static void rec_comb(t2p *c, const zkr_ext *beta, zkr_ext *E, zkr_ext *P, zkr_ext *R0,
                     zkr_ext *T)
{
    zkr_ext z[T2_MAXT];
    size_t len = (size_t)1 << c->rtot;

    zkr_train2_rec_full_point(&c->ch, c->r, c->rn, c->rtot, z);
    zkr_mle_eq_table(z, c->rtot, E);
    for (uint32_t b = 0; b < c->nm; b++) {
        zkr_ext *tb = b ? T : R0; /* record 0's kept: a cheat may change it */
        rec_lift(c, b, tb);
#if ZKR_TEST_BUILD
        if (b == 0 && c->cheat && c->cheat->reduce == 3)
            shift_keep(tb, E, len);
#endif
        for (size_t x = 0; x < len; x++)
            P[x] = zkr_ext_add(b ? P[x] : zkr_ext_from(0), zkr_ext_mul(beta[b], tb[x]));
    }
}

/*
 * The tables of the reduction's three polynomials: V's (E: the column
 * claims and a^'s), the helpers' combination (E = eq(zr, .)) and the
 * records' (E[2], P[2]; R0 gets record 0's table, T is scratch).
 */
static zkr_err red_tables(t2p *c, const zkr_ext *beta, zkr_ext **E, zkr_ext **P, hpm_job *hj,
                          zkr_ext *R0, zkr_ext *T)
{
    const zkr_train2_shape *s = c->s;
    unsigned nc = c->ncols;
    zkr_ext z[T2_MAXT];
    zkr_err r = ZKR_OK;

    v_lift(c, P[0]);
    for (unsigned q = 0; q < nc && r == ZKR_OK; q++) {
        zkr_train2_full_point(s, &c->ch, q, c->r, c->vt, z);
        r = add_eq(E[0], z, c->vt, beta[q], c->threads);
    }
    if (r != ZKR_OK)
        return r;
    /* h, phi, m: one table eq(zr, .) (also V's range claim a^'s) and their beta-combination */
    zkr_mle_eq_table_mt(c->zr.zf, c->vt, c->threads, E[1]);
    {
        add_scaled_job aj = {E[0], E[1], beta[nc], hj->x8};
        zkr_par_for(c->threads, (size_t)1 << c->vt, (size_t)1 << 14, add_scaled_chunk, &aj);
    }
    hj->P = P[1];
    hj->h = zkr_hpcs_poly_ext_evals(c->zr.h);
    hj->ph = zkr_hpcs_poly_ext_evals(c->zr.ph);
    hj->m = zkr_hpcs_poly_base_evals(c->zr.m);
    hj->z0 = (size_t)1 << ZKR_ZKRANGE_TABLE_VARS;
    hj->z1 = (size_t)1 << c->zr.N;
    if (hj->z1 < hj->z0)
        hj->z1 = hj->z0;
    for (unsigned k = 0; k < 3; k++)
        hj->w[k] = beta[nc + 1 + k];
    hj->half = (size_t)1 << (c->vt - 1);
    zkr_par_for(c->threads, hj->half, (size_t)1 << 13, hpm_comb_chunk, hj);
    if (c->nm)
        rec_comb(c, beta + nc + 4, E[2], P[2], R0, T);
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->reduce == 2)
        shift_keep(P[0], E[0], (size_t)1 << c->vt);
#endif
    return ZKR_OK;
}

/*
 * Every member's u_i after the rounds: V's from them (ur[0]); h, phi, m
 * by one eq table at r_A (in eqbuf) and a dot product each; the records'
 * directly. Each combination's beta-sum must be the rounds' value.
 */
static zkr_err red_values(t2p *c, const zkr_ext *beta, const zkr_ext *ur, hpm_job *hj,
                          zkr_ext *eqbuf, const zkr_ext *R0)
{
    unsigned nc = c->ncols, dv = c->TA - c->vt, dr = c->TA - c->rtot;
    zkr_ext sum = zkr_ext_from(0);
    zkr_err r = ZKR_OK;

    c->u[0] = ur[0];
    zkr_mle_eq_table_mt(c->rA + dv, c->vt, c->threads, eqbuf);
    hj->eq = eqbuf;
    zkr_par_for(c->threads, hj->half, (size_t)1 << 13, hpm_dot_chunk, hj);
    for (unsigned k = 0; k < 3; k++) {
        c->u[1 + k] = zkr_ext_from(0);
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
            c->u[1 + k] = zkr_ext_add(c->u[1 + k], hj->acc[w][k]);
        sum = zkr_ext_add(sum, zkr_ext_mul(hj->w[k], c->u[1 + k]));
    }
    if (!zkr_ext_eq(sum, ur[1]))
        return ZKR_ERR_INTERNAL; /* the combination must hold: a bug, never a proof */
    sum = zkr_ext_from(0);
    for (uint32_t b = 0; b < c->nm && r == ZKR_OK; b++) {
        zkr_ext *u = &c->u[ZKR_TRAIN2_MIX_FIXED + b];
        r = b ? zkr_mle_eval_base(zkr_hpcs_poly_base_evals(recp(c, b)), c->rtot, c->rA + dr, u)
              : zkr_mle_eval_ext(R0, c->rtot, c->rA + dr, u);
        sum = zkr_ext_add(sum, zkr_ext_mul(beta[nc + 4 + b], *u));
    }
    if (r != ZKR_OK)
        return r;
    return c->nm && !zkr_ext_eq(sum, ur[2]) ? ZKR_ERR_INTERNAL : ZKR_OK;
}

/*
 * The claim reduction (version 5): after fresh betas one masked sumcheck
 * (inference@2's rounds) over TA variables of sum_i 2^-(TA - T_i) E_i F_i
 * + rho_A g_A, polynomial i on the last T_i coordinates, with the claims
 * (in beta's order) of the n_cols column values on V, the range proof's
 * a^, h^, phi^, m^ at its full point (V, h, phi, m) and records 0..nm-1's
 * values at their full point; leaves u_i = F_i(rA[TA - T_i..)), which the
 * one mixed opening binds.
 *
 * h, phi and m share one claim point (E_i = beta_i eq(zr, .)), and so do
 * the records: sum_i E_i F_i = eq (sum_i beta_i F_i), so the rounds run on
 * three tables (V; h, phi, m combined; the records combined), the messages
 * exactly those of the separate polynomials, and each member's u_i is
 * evaluated directly at r_A (their beta-sum is the combined table's).
 */
static zkr_err reduce(t2p *c)
{
    unsigned np = ZKR_TRAIN2_MIX_FIXED + c->nm, nr = c->nm ? 3 : 2;
    zkr_ext beta[ZKR_TRAIN2_MAX_COLS + ZKR_HPCS_MAX_MIXED], ur[3];
    zkr_ext *E[3] = {0}, *P[3] = {0}, *R0 = NULL, *T = NULL;
    size_t len[3], rlen = ((size_t)1 << c->rtot) * sizeof(zkr_ext);
    hpm_job *hj = calloc(1, sizeof *hj);
    zkr_infer2_red red;
    zkr_err r = ZKR_OK;

    if (hj)
        hj->x8 = zkr_ext8_ok(); /* once: one path for the whole job */
    memset(&red, 0, sizeof red);
    red.n_polys = nr;
    red.TA = c->TA;
    red.suffix = 1;
    for (unsigned i = 0; i < nr && r == ZKR_OK; i++) {
        red.tv[i] = i < 2 ? c->vt : c->rtot;
        len[i] = ((size_t)1 << red.tv[i]) * sizeof(zkr_ext);
        E[i] = i == 1 ? zkr_hpcs_pool_get(c->pool, len[i]) /* written whole */
                      : zkr_hpcs_pool_get_zero(c->pool, len[i]);
        P[i] = zkr_hpcs_pool_get(c->pool, len[i]);
        if (!E[i] || !P[i])
            r = ZKR_ERR_NOMEM;
    }
    if (r != ZKR_OK || !hj || (c->nm && (!(R0 = calloc(1, rlen)) || !(T = calloc(1, rlen))))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    zkr_ts_challenge_exts(&c->t, "t2-red-beta", beta, c->ncols + np);
    if ((r = red_tables(c, beta, E, P, hj, R0, T)) != ZKR_OK ||
        (r = zkr_prover_infer2_red_rounds(&c->t, &red, c->gco + zkr_infer2_stride(c->ch.N), E,
                                          P, c->rA, ur, NULL, c->threads, c->out)) != ZKR_OK ||
        (r = red_values(c, beta, ur, hj, E[1], R0)) != ZKR_OK) /* E[1]: folded, reused */
        goto out;
    c->gA = zkr_infer2_gat(c->gco + zkr_infer2_stride(c->ch.N), c->TA, c->rA);
    zkr_ts_absorb_ext(&c->t, "t2-red-values", c->u, np);
    zkr_ts_absorb_ext(&c->t, "t2-red-gr", &c->gA, 1);
    if ((r = zkr_enc_exts(c->out, c->u, np)) == ZKR_OK)
        r = zkr_enc_ext(c->out, c->gA);
out:
    /*
     * wiped and freed, not pooled: nothing later asks for their sizes, and
     * the pool would keep them resident through the mixed opening (peak RSS)
     */
    for (unsigned i = 0; i < nr; i++) {
        zkr_hpcs_pool_put(NULL, E[i], E[i] ? len[i] : 0, 1);
        zkr_hpcs_pool_put(NULL, P[i], P[i] ? len[i] : 0, 1);
    }
    if (R0)
        t2_free_wipe(R0, rlen);
    if (T)
        t2_free_wipe(T, rlen);
    if (hj)
        t2_free_wipe(hj, sizeof *hj);
    return r;
}

/*
 * Version 5: one mixed opening at rA of V (its budget's second; the third
 * covers the n_cols column values, which mix in only the blinding slice u_0
 * = 1, the first the range proof's, charged there), h, phi, m and records
 * 0..nm-1 (each record's value at its full point charged: s(r_0) mixes in
 * its first blinding slice); then records nm.. in version 4's batched
 * openings at their full point.
 */
static zkr_err openings(t2p *c)
{
    const zkr_train2_shape *s = c->s;
    unsigned np = ZKR_TRAIN2_MIX_FIXED + c->nm;
    zkr_hpcs_poly *f[ZKR_HPCS_MAX_MIXED];
    unsigned totals[ZKR_HPCS_MAX_MIXED];
    zkr_ext zf[T2_MAXT];
    zkr_err r;

    if ((r = zkr_hpcs_charge(c->v, 1, c->ncols, 1)) != ZKR_OK)
        return r;
    for (unsigned i = 0; i < np; i++) {
        f[i] = i < ZKR_TRAIN2_MIX_FIXED ? red_poly(c, i) : c->rec[i - ZKR_TRAIN2_MIX_FIXED];
        totals[i] = zkr_hpcs_poly_total_vars(f[i]);
    }
    for (unsigned i = ZKR_TRAIN2_MIX_FIXED; i < np; i++) {
        /*
         * A record joining inside layer 0 also reveals round-message values
         * (zkr_hpcs_mixed_round_reveals): its random part must cover them
         * on top of raise_queries' two values a proof.
         */
        unsigned x = zkr_hpcs_mixed_round_reveals(c->p, totals, np, i);
        unsigned n = zkr_hpcs_poly_n_vars(f[i]);
        unsigned __int128 rnd = (((unsigned __int128)1 << (totals[i] - n)) - 1) << n;
        if (x && rnd < (unsigned __int128)zkr_hpcs_budget_left(f[i]) *
                           (zkr_hpcs_positions_per_open(c->p, totals[i]) + 2 + x))
            return ZKR_ERR_USAGE;
        if ((r = zkr_hpcs_charge(f[i], 0, 1, 1)) != ZKR_OK)
            return r;
    }
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->rec_swap && c->nm > 1) {
        /* record 1's member folded and opened with record 0's polynomial and leaves */
        zkr_hpcs_mixed_cheat mc;
        memset(&mc, 0, sizeof mc);
        mc.member = ZKR_TRAIN2_MIX_FIXED + 1;
        mc.other = c->rec[0];
        r = zkr_prover_hopen_mixed_cheat(c->p, &c->t, f, np, c->rA, c->u, &mc, &c->rng, c->out);
    } else
#endif
        r = zkr_prover_hopen_mixed(c->p, &c->t, f, np, c->rA, c->u, &c->rng, c->threads, c->out);
    if (r != ZKR_OK)
        return r;
    for (uint32_t b0 = c->nm; b0 < s->batch; b0 += ZKR_HPCS_MAX_BATCH) {
        size_t k = s->batch - b0 < ZKR_HPCS_MAX_BATCH ? s->batch - b0 : ZKR_HPCS_MAX_BATCH;
        zkr_train2_rec_full_point(&c->ch, c->r, c->rn, c->rtot, zf);
        if ((r = zkr_prover_hopen_batch(c->p, &c->t, c->rec + b0, k, zf, c->recv + b0, &c->rng,
                                        c->threads, c->out)) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/* g(r) = <C, Lambda(r)>: the masked linear sumcheck and C's opening (as inference@2's). */
static zkr_err coef(t2p *c)
{
    size_t len = (size_t)1 << c->lc;
    zkr_hpcs_poly *mask = NULL;
    uint8_t root[ZKR_DIGEST_BYTES];
    zkr_ext *tab[2] = {calloc(len, sizeof(zkr_ext)), calloc(len, sizeof(zkr_ext))};
    zkr_ext *msgs = calloc(2 * (size_t)c->lc + 1, sizeof(zkr_ext)), rcv[64];
    zkr_ext sigma = zkr_ext_from(0), rho, v, xi;
    const zkr_gl *cb = zkr_hpcs_poly_base_evals(c->c);
    const zkr_ext *zv;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!tab[0] || !tab[1] || !msgs)
        goto out;
    if ((r = zkr_prover_hmask(c->p, zkr_hpcs_poly_total_vars(c->c), &c->rng, c->threads, &mask,
                              root)) != ZKR_OK)
        goto out;
    zv = zkr_hpcs_mask_evals(mask);
    /* one linear claim for the three masks (version 5): g(r) + xi g_A(rA) + xi^2 g_R(rR) */
    xi = zkr_ts_challenge_ext(&c->t, "t2-xi-c");
    zkr_infer2_lambda5(c->r, c->ch.N, c->rA, c->TA, c->zr.r, c->zr.N, xi, c->lc, tab[1]);
    for (size_t j = 0; j < len; j++)
        sigma = zkr_ext_add(sigma, zkr_ext_mul(zv[j], tab[1][j]));
    zkr_ts_absorb(&c->t, "t2-cmask-root", root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_ext(&c->t, "t2-csigma", &sigma, 1);
    rho = zkr_ts_challenge_ext(&c->t, "t2-crho");
    for (size_t j = 0; j < len; j++) {
        tab[0][j] = zkr_ext_mul(rho, zv[j]);
        tab[0][j].c[0] = zkr_gl_add(tab[0][j].c[0], cb[j]);
    }
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly f = {tab, 2, &term, 1, 2, NULL};
        zkr_prover_sumcheck(&f, c->lc, &c->t, c->threads, msgs, rcv);
    }
    v = tab[0][0];
    zkr_ts_absorb_ext(&c->t, "t2-cv", &v, 1);
    if ((r = zkr_buf_append(c->out, root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_ext(c->out, sigma)) != ZKR_OK ||
        (r = zkr_enc_exts(c->out, msgs, 2 * (size_t)c->lc)) != ZKR_OK ||
        (r = zkr_enc_ext(c->out, v)) != ZKR_OK)
        goto out;
    r = zkr_prover_hopen(c->p, &c->t, c->c, mask, rho, rcv, v, &c->rng, c->threads, c->out);
out:
    zkr_hpcs_poly_free(mask);
    for (int i = 0; i < 2; i++)
        t2_free_wipe(tab[i], tab[i] ? len * sizeof(zkr_ext) : 0);
    free(msgs);
    return r;
}

/*
 * V (bytes as field elements) and Libra's coefficients C (g's over the
 * product sumcheck's N variables, g_A's over V's n + e), before any
 * challenge.
 */
static zkr_err commit_v_c(t2p *c)
{
    const zkr_train2_shape *s = c->s;
    size_t nv = (size_t)1 << s->n_v, sm = zkr_infer2_stride(c->ch.N), sa, sr, clen = 0;
    zkr_hpcs_commitment vc, cc;
    zkr_gl *vg = calloc(nv, sizeof *vg), *cb = NULL;
    zkr_err r;

    if (!vg)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < nv; i++)
        vg[i] = c->vb[i];
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->range_off)
        vg[nv - 1] = 256;
#endif
    r = zkr_prover_hcommit(c->p, vg, s->n_v, zkr_train2_v_budget(s), &c->rng, c->threads, &c->v,
                           &vc);
    t2_free_wipe(vg, nv * sizeof *vg);
    if (r != ZKR_OK)
        return r;
    zkr_hpcs_poly_use_pool(c->v, c->pool); /* the range proof and V's opening draw from it */
    c->vt = zkr_hpcs_poly_total_vars(c->v);
    /* version 5: the records' sizes (known before any challenge) fix the reduction's */
    c->rn = zkr_hpcs_poly_n_vars(c->rec[0]);
    c->rtot = zkr_hpcs_poly_total_vars(c->rec[0]);
    c->nm = zkr_train2_mixed_recs(c->p, s, c->vt, c->rtot);
    c->TA = zkr_train2_red_vars(c->vt, c->rtot, c->nm);
    if (c->TA > T2_MAXT)
        return ZKR_ERR_TOO_LARGE;
    c->lc = ZKR_TRAIN2_LC_VARS(c->ch.N, c->TA, zkr_zkrange_sc_vars(s->n_v));
    sa = zkr_infer2_stride(c->TA);
    sr = zkr_infer2_stride(zkr_zkrange_sc_vars(s->n_v));
    clen = (size_t)1 << c->lc;
    c->n_gco = sm + sa + sr;
    c->gco = calloc(c->n_gco, sizeof(zkr_ext));
    cb = calloc(clen, sizeof *cb);
    if (!c->gco || !cb) {
        free(cb);
        return ZKR_ERR_NOMEM;
    }
    /* C: g's three base blocks, then g_A's, then g_R's (zkr_infer2_lambda5's layout) */
    for (size_t i = 0; i < c->n_gco; i++) {
        c->gco[i] = zkr_zkrng_ext(&c->rng);
        for (unsigned k = 0; k < 3; k++)
            cb[i < sm        ? k * sm + i
               : i < sm + sa ? 3 * sm + k * sa + (i - sm)
                             : 3 * (sm + sa) + k * sr + (i - sm - sa)] = c->gco[i].c[k];
    }
    r = zkr_prover_hcommit(c->p, cb, c->lc, 1, &c->rng, c->threads, &c->c, &cc);
    t2_free_wipe(cb, clen * sizeof *cb);
    if (r != ZKR_OK)
        return r;
    zkr_ts_absorb(&c->t, "t2-v-root", vc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_u64(&c->t, "t2-v-blind", vc.blind_vars);
    zkr_ts_absorb(&c->t, "t2-c-root", cc.root, ZKR_DIGEST_BYTES);
    if ((r = zkr_enc_u32(c->out, ZKR_TRAIN2_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(c->out, vc.root, ZKR_DIGEST_BYTES)) != ZKR_OK)
        return r;
    return zkr_buf_append(c->out, cc.root, ZKR_DIGEST_BYTES);
}

/* The range proof of V with every linear row as its linear claim. */
static zkr_err range_lin(t2p *c)
{
    const zkr_train2_shape *s = c->s;
    const int32_t *const *w = c->pub->parent;
    zkr_zkrange_table bytes = {0, 256};
    size_t wlen = ((size_t)1 << s->n_v) * sizeof(zkr_ext);
    zkr_ext *wt = zkr_hpcs_pool_get(c->pool, wlen); /* written whole below */
    zkr_train2_linctx lctx = {s, w, &c->rc};
    zkr_zkrange_lin lin = {zkr_ext_from(0), wt, zkr_train2_lin_cb, &lctx};
    zkr_err r = ZKR_ERR_NOMEM;

    if (!wt)
        return r;
    c->rc.n_row_vars = zkr_train2_row_vars(s, w);
    if (c->rc.n_row_vars > 40) {
        zkr_hpcs_pool_put(c->pool, wt, wlen, 0);
        return ZKR_ERR_TOO_LARGE;
    }
    zkr_ts_challenge_exts(&c->t, "t2-rows", c->rc.z, c->rc.n_row_vars);
    r = zkr_train2_lin_weights_claim(s, w, &c->rc, wt, &lin.claim);
    {
        /* version 5: deferred, its claims join the reduction and g_R is C's third block */
        zkr_zkrange_cheat zc;
        memset(&zc, 0, sizeof zc);
#if ZKR_TEST_BUILD
        zc.shift_h = c->cheat && c->cheat->range_lie;
        zc.force = zc.fit_g = c->cheat && c->cheat->range_off;
#endif
        c->zr.gco = c->gco + zkr_infer2_stride(c->ch.N) + zkr_infer2_stride(c->TA);
        if (r == ZKR_OK)
            r = zkr_prover_zkrange_defer_lin(c->p, &c->t, c->v, &bytes, &lin, &zc, &c->zr,
                                             &c->rng, c->threads, c->out);
    }
    zkr_hpcs_pool_put(c->pool, wt, wlen, 0); /* public weights */
    /*
     * V: the range proof's opening and value are charged (the value is bound
     * by the mixed opening now); h, phi, m: one more value each (at the
     * range point; their opening is the mixed one, at rA).
     */
    if (r == ZKR_OK && ((r = zkr_hpcs_charge(c->v, 1, 1, c->zr.E)) != ZKR_OK ||
                        (r = zkr_hpcs_charge(c->zr.h, 0, 1, c->zr.E)) != ZKR_OK ||
                        (r = zkr_hpcs_charge(c->zr.ph, 0, 1, c->zr.E)) != ZKR_OK))
        return r;
    if (r == ZKR_OK)
        r = zkr_hpcs_charge(c->zr.m, 0, 1, c->zr.E);
    return r;
}

static zkr_err run(t2p *c)
{
    zkr_ext gamma = zkr_ext_from(0);
    unsigned N;
    zkr_err r;

    c->ch.N = c->s->lb ? c->s->lb : 1;
    if ((r = commit_v_c(c)) != ZKR_OK || (r = range_lin(c)) != ZKR_OK)
        return r;
    zkr_train2_draw(&c->t, c->s, &c->ch);
    N = c->ch.N;
    c->ncols = zkr_train2_n_cols(c->s);
    if ((r = all_col_tables(c)) != ZKR_OK || (r = rec_tables(c)) != ZKR_OK)
        return r;
    gamma = zkr_infer2_gsum(c->gco, N);
    zkr_ts_absorb_ext(&c->t, "t2-gamma", &gamma, 1);
    c->rho = zkr_ts_challenge_ext(&c->t, "t2-rho");
    if ((r = zkr_enc_ext(c->out, gamma)) != ZKR_OK || (r = sumcheck(c)) != ZKR_OK ||
        (r = values(c)) != ZKR_OK || (r = reduce(c)) != ZKR_OK || (r = openings(c)) != ZKR_OK)
        return r;
    return coef(c);
}

static zkr_err native(const zkr_train2_public *pub, const zkr_train2_secret *sec,
                      const uint8_t *records, const zkr_train2_cheat *cheat,
                      zkr_ml_tstep_trace *tr, zkr_diag *d)
{
    const zkr_train2_shape *s = &pub->s;
    uint32_t in0 = s->in[0];
    zkr_ml_tstep_params sp = {.lr = s->lr, .shift = s->shift};
    uint8_t *in = malloc((size_t)s->batch * in0 + 1), lab[ZKR_TRAIN_MAX_BATCH];
    zkr_ml_tmodel *child = NULL;
    zkr_buf cb = {0};
    zkr_err r = ZKR_ERR_NOMEM;

    if (!in)
        return r;
    for (uint32_t b = 0; b < s->batch; b++) {
        memcpy(in + (size_t)b * in0, records + (size_t)b * (in0 + 1), in0);
        lab[b] = records[(size_t)b * (in0 + 1) + in0];
    }
    r = zkr_ml_train_step(sec->parent, in, (size_t)s->batch * in0, lab, s->batch, &sp, &cb, tr,
                          d);
    if (r == ZKR_OK && (r = zkr_ml_tmodel_decode(cb.p, cb.len, &child, d)) == ZKR_OK) {
        for (uint32_t l = 0; l < s->n_layers && r == ZKR_OK; l++) {
            size_t n = (size_t)s->out[l] * (s->in[l] + 1);
            const int32_t *w = zkr_ml_tmodel_weights(child, l);
            const int32_t *pw = zkr_ml_tmodel_weights(sec->parent, l);
            if (memcmp(pw, pub->parent[l], n * sizeof *pw) != 0)
                r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "prove: the parent's layer %u is not the "
                             "statement's", l);
            else if (memcmp(w, pub->child[l], n * sizeof *w) != 0 && !(cheat && cheat->skip_child))
                r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "prove: the step's child differs from the "
                             "statement's at layer %u", l);
        }
    }
    zkr_ml_tmodel_free(child);
    sodium_memzero(in, (size_t)s->batch * in0);
    free(in);
    sodium_memzero(lab, sizeof lab);
    zkr_buf_free(&cb);
    return r;
}

/*
 * Every opening of the proof runs at zkr_train2_params' raised query count.
 * The records' commitments were blinded by their owner for the set's:
 * refuse (the owner's privacy, not soundness) unless each record's random
 * entries still cover its whole budget at the raised count, two values per
 * proof (version 5: its value at the records' point and at r_A).
 */
static zkr_err raise_queries(t2p *c, const zkr_params *p, zkr_diag *d)
{
    unsigned total = zkr_hpcs_poly_total_vars(c->rec[0]), n = zkr_hpcs_poly_n_vars(c->rec[0]);

    zkr_train2_params(p, c->s, total, &c->pq);
    c->p = &c->pq;
    for (uint32_t b = 0; b < c->s->batch; b++) {
        unsigned __int128 rnd = (((unsigned __int128)1 << (total - n)) - 1) << n;
        unsigned __int128 need = (unsigned __int128)zkr_hpcs_budget_left(c->rec[b]) *
                                 (zkr_hpcs_positions_per_open(c->p, total) + 2);
        if (rnd < need)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "prove: batch position %u: the record "
                            "commitment's blinding does not cover its budget at %u queries "
                            "(commit the record with a smaller budget)", b, c->pq.queries);
    }
    return ZKR_OK;
}

/* Records [lo, hi) reopened (each alone on its worker: the commitment is deterministic). */
typedef struct {
    t2p *c;
    const zkr_params *p;
    const zkr_train2_public *pub;
    const zkr_train2_secret *sec;
} reopen_job;

static void reopen_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const reopen_job *j = ctx;
    size_t rl = (size_t)j->pub->s.in[0] + 1;

    (void)w;
    for (size_t b = lo; b < hi; b++)
        j->c->rec_r[b] = zkr_prover_record_reopen(j->p, j->sec->records + b * rl, rl,
                                                  j->pub->rec_commit[b], j->sec->openings[b], 1,
                                                  &j->c->rec[b]);
}

/*
 * Every batch record's commitment rebuilt from its opening, records spread
 * over the threads: each is small (a few par_for calls of a few thousand
 * leaves), so one thread a record beats two threads on each in turn.
 */
static void reopen_all(t2p *c, const zkr_params *p, const zkr_train2_public *pub,
                       const zkr_train2_secret *sec)
{
    reopen_job j = {c, p, pub, sec};

    zkr_par_for(c->threads, pub->s.batch, 1, reopen_chunk, &j);
}

static zkr_err prove(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                     const zkr_train2_public *pub, const zkr_train2_secret *sec,
                     const zkr_train2_cheat *cheat, const uint8_t *seed, size_t seed_len,
                     unsigned threads, zkr_buf *out, zkr_diag *d)
{
    const zkr_train2_shape *s = &pub->s;
    t2p *c = calloc(1, sizeof *c);
    zkr_ml_tstep_trace tr;
    const uint8_t *wrec = sec->records;
    zkr_err r;

    memset(&tr, 0, sizeof tr);
#if ZKR_TEST_BUILD
    if (cheat && cheat->witness_records)
        wrec = cheat->witness_records;
#endif
    out->len = 0;
    if (!c)
        return ZKR_ERR_NOMEM;
    c->p = p, c->pub = pub, c->s = s, c->cheat = cheat, c->threads = threads ? threads : 1;
    c->out = out;
    if ((r = zkr_hpcs_pool_new(&c->pool, c->threads)) != ZKR_OK)
        goto out;
    zkr_train2_transcript(&c->t, p, statement_id, pub);
    if (seed)
        r = zkr_zkrng_seeded(&c->rng, seed, seed_len, "training-step@2 proof", c->t.state,
                             sizeof c->t.state);
    else
        zkr_zkrng_os(&c->rng), r = ZKR_OK;
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, "prove: the zk seed must be %u..%u bytes", ZKR_ZK_SEED_MIN,
                     ZKR_ZK_SEED_MAX);
        goto out;
    }
#if ZKR_TEST_BUILD
    if (cheat && cheat->unmasked)
        zkr_zkrng_zero_for_test(&c->rng, cheat->unmasked);
#endif
    if ((r = native(pub, sec, wrec, cheat, &tr, d)) != ZKR_OK)
        goto out;
    reopen_all(c, p, pub, sec);
    for (uint32_t b = 0; b < s->batch && r == ZKR_OK; b++) {
        if ((r = c->rec_r[b]) != ZKR_OK)
            r = zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MISMATCH_INPUT,
                         "prove: batch position %u: the record and its opening do not give its "
                         "commitment", b);
        else if (zkr_hpcs_poly_total_vars(c->rec[b]) != zkr_hpcs_poly_total_vars(c->rec[0]))
            r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "prove: batch records committed with different "
                         "blinding");
    }
    if (r != ZKR_OK || (r = raise_queries(c, p, d)) != ZKR_OK)
        goto out;
    if (!(c->vb = malloc((size_t)1 << s->n_v))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_prover_train2_witness(s, &tr, wrec, c->vb, d)) != ZKR_OK)
        goto out;
#if ZKR_TEST_BUILD
    if (cheat && cheat->tamper)
        cheat->tamper(s, c->vb, cheat->arg);
#endif
    r = run(c);
out:
    zkr_ml_tstep_trace_free(&tr);
    if (c->vb)
        t2_free_wipe(c->vb, (size_t)1 << s->n_v);
    zkr_hpcs_poly_free(c->zr.h);
    zkr_hpcs_poly_free(c->zr.ph);
    zkr_hpcs_poly_free(c->zr.m);
    zkr_hpcs_poly_free(c->v);
    zkr_hpcs_poly_free(c->c);
    for (uint32_t b = 0; b < ZKR_TRAIN_MAX_BATCH; b++)
        zkr_hpcs_poly_free(c->rec[b]);
    if (c->gco)
        t2_free_wipe(c->gco, c->n_gco * sizeof(zkr_ext));
    zkr_hpcs_pool_free(c->pool); /* after every poly that draws from it */
    zkr_zkrng_wipe(&c->rng);
    sodium_memzero(c, sizeof *c);
    free(c);
    if (r != ZKR_OK)
        out->len = 0;
    return r;
}

zkr_err zkr_prover_train2(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                          const zkr_train2_public *pub, const zkr_train2_secret *sec,
                          const uint8_t *seed, size_t seed_len, unsigned threads, zkr_buf *out,
                          zkr_diag *d)
{
    /* analysed over F_p^3 only: a set whose mixed opening runs over F_p^6 is inference@2's */
    if (p->mixed_ext6)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "training-step@2: parameter set %s runs "
                        "inference@2 only (its mixed opening over F_p^6)",
                        zkr_params_name(p->id) ? zkr_params_name(p->id) : "?");
    return prove(p, statement_id, pub, sec, NULL, seed, seed_len, threads, out, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_train2_cheat(const zkr_params *p,
                                const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                const zkr_train2_public *pub, const zkr_train2_secret *sec,
                                const zkr_train2_cheat *cheat, const uint8_t *seed,
                                size_t seed_len, zkr_buf *out, zkr_diag *d)
{
    return prove(p, statement_id, pub, sec, cheat, seed, seed_len, 1, out, d);
}
#endif
