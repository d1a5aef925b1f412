/* Generic sumcheck prover for sums of products of multilinear tables. */
#include <stdlib.h>
#include <string.h>

#include "prover/accel.h"
#include "prover/prover.h"
#include "zk/zk_int.h"

typedef struct {
    const zkr_sc_poly *f;
    size_t half;
    zkr_ext acc[ZKR_PAR_MAX][ZKR_SC_MAX_DEGREE + 1];
    zkr_ext (*scratch[ZKR_PAR_MAX])[ZKR_SC_MAX_DEGREE + 1];
} zkr_sc_job;

static void zkr_sc_round_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_sc_job *j = ctx;
    const zkr_sc_poly *f = j->f;
    unsigned d = f->degree;
    zkr_ext (*v)[ZKR_SC_MAX_DEGREE + 1] = j->scratch[w];
    zkr_ext *acc = j->acc[w];
    zkr_ext tacc[ZKR_SC_MAX_TERMS][ZKR_SC_MAX_DEGREE + 1];

    for (unsigned x = 0; x <= d; x++)
        acc[x] = zkr_ext_from(0);
    for (size_t tm = 0; tm < f->n_terms; tm++)
        for (unsigned x = 0; x <= d; x++)
            tacc[tm][x] = zkr_ext_from(0);
    for (size_t i = lo; i < hi; i++) {
        /* Each table restricted to the line X -> t(X, i): t0 + X (t1 - t0). */
        for (size_t k = 0; k < f->n_tables; k++) {
            zkr_ext t0 = f->tables[k][2 * i], t1 = f->tables[k][2 * i + 1];
            zkr_ext df = zkr_ext_sub(t1, t0);
            v[k][0] = t0;
            v[k][1] = t1;
            for (unsigned x = 2; x <= d; x++)
                v[k][x] = zkr_ext_add(v[k][x - 1], df);
        }
        for (size_t tm = 0; tm < f->n_terms; tm++) {
            const zkr_sc_term *t = &f->terms[tm];
            for (unsigned x = 0; x <= d; x++) {
                if (x == 1)
                    continue; /* h(1) is implied by the claim */
                zkr_ext pr = v[t->idx[0]][x];
                for (unsigned q = 1; q < t->n_factors; q++)
                    pr = zkr_ext_mul(pr, v[t->idx[q]][x]);
                tacc[tm][x] = zkr_ext_add(tacc[tm][x], pr);
            }
        }
    }
    /* Coefficients multiply once per term and worker, not per point. */
    for (size_t tm = 0; tm < f->n_terms; tm++)
        for (unsigned x = 0; x <= d; x++)
            acc[x] = zkr_ext_add(acc[x], zkr_ext_mul(f->terms[tm].coef, tacc[tm][x]));
}

void zkr_prover_sc_round(const zkr_sc_poly *f, unsigned n_cur, unsigned threads, zkr_ext *msg)
{
    static const size_t min_chunk = 1024;
    zkr_sc_job local, *j = &local;
    unsigned d = f->degree;
    /* Per-worker scratch on the stack: n_tables <= ZKR_SC_MAX_TABLES. */
    zkr_ext scratch[ZKR_PAR_MAX > 8 ? 8 : ZKR_PAR_MAX][ZKR_SC_MAX_TABLES][ZKR_SC_MAX_DEGREE + 1];

    /* Misuse (sizes past the documented bounds) is a programming error. */
    if (f->n_tables > ZKR_SC_MAX_TABLES || f->n_terms > ZKR_SC_MAX_TERMS || d < 1 ||
        d > ZKR_SC_MAX_DEGREE || n_cur < 1)
        abort();
    memset(j, 0, sizeof *j);
    j->f = f;
    j->half = (size_t)1 << (n_cur - 1);
    for (unsigned w = 0; w < 8; w++)
        j->scratch[w] = scratch[w];
    if (threads > 8)
        threads = 8;
    zkr_par_for(threads, j->half, min_chunk, zkr_sc_round_chunk, j);
    for (unsigned x = 0; x <= d; x++) {
        zkr_ext s = zkr_ext_from(0);
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
            s = zkr_ext_add(s, j->acc[w][x]);
        if (x == 0)
            msg[0] = s;
        else if (x >= 2)
            msg[x - 1] = s;
    }
}

typedef struct {
    const zkr_ext *in;
    zkr_ext *out;
    zkr_ext r;
    int x8; /* zkr_ext8_ok */
} zkr_sc_fold_job;

static void zkr_sc_fold_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_sc_fold_job *j = ctx;

    (void)w;
    if (j->x8)
        lo = zkr_ext8_fold(j->in, j->out, lo, hi, j->r);
    for (size_t i = lo; i < hi; i++)
        j->out[i] = zkr_ext_add(j->in[2 * i],
                                zkr_ext_mul(j->r, zkr_ext_sub(j->in[2 * i + 1], j->in[2 * i])));
}

static void zkr_sc_copy_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_sc_fold_job *j = ctx;

    (void)w;
    memcpy(j->out + lo, j->in + lo, (hi - lo) * sizeof *j->out);
}

void zkr_prover_sc_fold(const zkr_sc_poly *f, unsigned n_cur, zkr_ext r, unsigned threads)
{
    size_t half = (size_t)1 << (n_cur - 1);
    zkr_ext *tmp = NULL;
    int x8 = zkr_ext8_ok();

    /* Large tables fold in parallel into scratch and copy back (in place a
     * chunk could overwrite entries a lower chunk still reads); small ones,
     * or when scratch is unavailable, fold in place sequentially. */
    if (threads > 1 && half >= ((size_t)1 << 14))
        tmp = f->scratch ? f->scratch : malloc(half * sizeof *tmp);
    for (size_t k = 0; k < f->n_tables; k++) {
        zkr_ext *t = f->tables[k];
        if (tmp) {
            zkr_sc_fold_job j = {t, tmp, r, x8};
            zkr_par_for(threads, half, 4096, zkr_sc_fold_chunk, &j);
            zkr_sc_fold_job c = {tmp, t, r, x8};
            zkr_par_for(threads, half, 1 << 14, zkr_sc_copy_chunk, &c);
        } else {
            zkr_sc_fold_job j = {t, t, r, x8};
            zkr_sc_fold_chunk(&j, 0, half, 0);
        }
    }
    if (tmp != f->scratch)
        free(tmp);
}

void zkr_prover_sumcheck_accel(const zkr_sc_poly *f, unsigned n, zkr_transcript *t,
                               unsigned threads, const zkr_accel *accel, zkr_ext *msgs, zkr_ext *r)
{
    for (unsigned i = 0; i < n; i++) {
        zkr_ext *msg = msgs + (size_t)i * f->degree;
        /* An accelerator's failure leaves msg and the tables as they were (accel.h). */
        if (!accel || !accel->sc_round || accel->sc_round(accel->ctx, f, n - i, msg) != ZKR_OK)
            zkr_prover_sc_round(f, n - i, threads, msg);
        zkr_ts_absorb_ext(t, "sc-round", msg, f->degree);
        r[i] = zkr_ts_challenge_ext(t, "sc-challenge");
        if (!accel || !accel->sc_fold || accel->sc_fold(accel->ctx, f, n - i, r[i]) != ZKR_OK)
            zkr_prover_sc_fold(f, n - i, r[i], threads);
    }
}

void zkr_prover_sumcheck(const zkr_sc_poly *f, unsigned n, zkr_transcript *t, unsigned threads,
                         zkr_ext *msgs, zkr_ext *r)
{
    zkr_prover_sumcheck_accel(f, n, t, threads, NULL, msgs, r);
}
