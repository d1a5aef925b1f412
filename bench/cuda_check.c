/*
 * cuda_check: the CUDA backend on a GPU machine (docs/bench.md, bench/cuda_check).
 *  1. every kernel against the CPU code on random inputs, bit for bit:
 *     LDE/NTT 2^10..2^max, Merkle trees, Basefold folds, sumcheck rounds
 *     (degree 2 and 3), LogUp layers;
 *  2. inference@1 (784-512-512-10) and a training step (784-128-10, batch
 *     16) proved with the CPU and with the CUDA backend: the bytes must be
 *     equal and both must verify;
 *  3. the seam's round and fold kernels (sumcheck rounds of multi-term
 *     degree-3 polys and their folds, Basefold coefficient/evaluation
 *     folds and eq rounds from base and extension inputs) against the CPU
 *     prover, and no call of a proof falling back to the CPU;
 *  4. an inference@1 proof (784-128-10) made in the confined prover-cuda
 *     worker (this program is its own worker binary, like zkreg): seccomp,
 *     Landlock and the device preparation as `zkreg prove --backend cuda`
 *     runs them; its bytes must equal the CPU's. With
 *     ZKR_TEST_SECCOMP_TRAP=1 a refused syscall is named instead of killed;
 *  5. a table of timings and speedups (CPU with 2 threads, the issue's
 *     2-core baseline, and with every core; GPU including transfers).
 * Exit 0 all equal, 1 a difference (named), 77 no usable device.
 * --host-bodies runs the same checks with the host build of the kernel
 * bodies instead of the device (a check of this program without a GPU);
 * --max-log N bounds the sizes (default 24).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "cuda/cuda.h"
#include "prover/accel.h"
#include "sandbox/sandbox.h"
#include "ml/graph.h"
#include "prover/prover.h"
#include "verifier/verifier.h"

typedef struct {
    void *dev;
    int host;
    unsigned cpu_threads;
    unsigned max_log;
    int failed;
    uint64_t rng;
} ck;

static uint64_t rnd(ck *c)
{
    uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rfe(ck *c) { return zkr_gl_canon(rnd(c)); }

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void check(ck *c, int ok, const char *what)
{
    printf("%-4s %s\n", ok ? "ok" : "FAIL", what);
    fflush(stdout);
    c->failed |= !ok;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "cuda_check: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

/* The device LDE (or its host twin), with the block steps zk/ derives. */
static int acc_lde(ck *c, const uint64_t *coef, unsigned log_n, unsigned lb, uint64_t *out)
{
    size_t nblk = (size_t)1 << lb;
    uint64_t *step = xmalloc(nblk * 8);
    zkr_gl wb = zkr_gl_root_of_unity(log_n + lb);
    int e;

    for (size_t t = 0; t < nblk; t++)
        step[t] = zkr_gl_pow(wb, zkr_bitrev(t, lb));
    e = c->host ? zkr_host_lde(coef, log_n, lb, step, zkr_gl_root_of_unity(log_n), out)
                : zkr_cuda_dev_lde(c->dev, coef, log_n, lb, step, zkr_gl_root_of_unity(log_n), out);
    free(step);
    return e;
}

static int acc_mtree(ck *c, const uint64_t *w, uint64_t nl, size_t lw, const uint8_t seed[32],
                     uint8_t (*nodes)[32])
{
    return c->host ? zkr_host_mtree(w, nl, lw, seed, nodes)
                   : zkr_cuda_dev_mtree(c->dev, w, nl, lw, seed, nodes);
}

typedef struct {
    const char *what;
    double cpu2, cpun, gpu;
} row;

static row rows[32];
static size_t n_rows;

static void kernels_ntt(ck *c, const zkr_accel *acc)
{
    zkr_ntt *ntt = NULL;

    if (zkr_ntt_new_mt(c->max_log + 2, c->cpu_threads, &ntt) != ZKR_OK)
        exit(1);
    for (unsigned log_n = 10; log_n <= c->max_log; log_n++) {
        size_t n = (size_t)1 << log_n;
        unsigned lb = 2;
        uint64_t *coef = xmalloc(n * 8), *a = xmalloc((n << lb) * 8), *b = xmalloc((n << lb) * 8);
        char what[96];
        double t0, t1, t2, t3;
        for (size_t i = 0; i < n; i++)
            coef[i] = rfe(c);
        t0 = now();
        if (zkr_ntt_lde(ntt, coef, log_n, 0, 1, 2, a) != ZKR_OK)
            exit(1);
        t1 = now();
        if (zkr_ntt_lde(ntt, coef, log_n, 0, 1, c->cpu_threads, a) != ZKR_OK)
            exit(1);
        t2 = now();
        int e = acc_lde(c, coef, log_n, 0, b);
        t3 = now();
        snprintf(what, sizeof what, "NTT 2^%u equals the CPU's", log_n);
        check(c, e == 0 && memcmp(a, b, n * 8) == 0, what);
        if (log_n == 20 || log_n == 22 || log_n == 24) {
            row *r = &rows[n_rows++];
            static char names[3][32];
            snprintf(names[(log_n - 20) / 2], 32, "NTT 2^%u", log_n);
            *r = (row){names[(log_n - 20) / 2], t1 - t0, t2 - t1, t3 - t2};
        }
        /* The coset LDE the commitments use (rate 1/4), through the accelerator. */
        snprintf(what, sizeof what, "coset LDE 2^%u x %u equals zkr_ntt_lde", log_n, 1u << lb);
        if (zkr_ntt_lde(ntt, coef, log_n, lb, 7, c->cpu_threads, a) != ZKR_OK)
            exit(1);
        check(c, acc->lde(acc->ctx, coef, log_n, lb, 7, b) == ZKR_OK &&
                     memcmp(a, b, (n << lb) * 8) == 0, what);
        free(coef);
        free(a);
        free(b);
    }
    zkr_ntt_free(ntt);
}

static void kernels_merkle(ck *c)
{
    uint8_t seed[32];

    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)rnd(c);
    for (unsigned ll = 10; ll <= c->max_log; ll += 2) {
        uint64_t nl = (uint64_t)1 << ll;
        size_t lw = 16; /* a layer-0 leaf: 2^fold_arity base words */
        uint64_t *w = xmalloc(nl * lw * 8);
        uint8_t(*nodes)[32] = xmalloc(2 * nl * 32);
        zkr_mtree a;
        char what[96];
        double t0, t1, t2, t3;
        for (size_t i = 0; i < nl * lw; i++)
            w[i] = rfe(c);
        t0 = now();
        if (zkr_mtree_build(w, nl, lw, seed, 2, &a) != ZKR_OK)
            exit(1);
        zkr_mtree_free(&a);
        t1 = now();
        if (zkr_mtree_build(w, nl, lw, seed, c->cpu_threads, &a) != ZKR_OK)
            exit(1);
        t2 = now();
        int e = acc_mtree(c, w, nl, lw, seed, nodes);
        t3 = now();
        snprintf(what, sizeof what, "Merkle tree of 2^%u leaves x %zu words: every node equal", ll,
                 lw);
        check(c, e == 0 && memcmp(a.nodes, nodes, 2 * nl * 32) == 0, what);
        if (ll == 20 || ll == 22 || ll == 24) {
            static char names[3][40];
            snprintf(names[(ll - 20) / 2], 40, "Merkle commit 2^%u leaves", ll);
            rows[n_rows++] = (row){names[(ll - 20) / 2], t1 - t0, t2 - t1, t3 - t2};
        }
        zkr_mtree_free(&a);
        free(w);
        free(nodes);
    }
}

static void kernels_fold_sc(ck *c)
{
    unsigned n = c->max_log < 20 ? c->max_log : 20;
    size_t len = (size_t)1 << n, half = len / 2;
    zkr_ext *in = xmalloc(len * sizeof *in), *out = xmalloc(half * sizeof *out), r;
    zkr_ext *tab[4], msg[8];
    uint64_t sums[24];
    int bad = 0;

    for (size_t i = 0; i < len; i++)
        for (int k = 0; k < 3; k++)
            in[i].c[k] = rfe(c);
    for (int k = 0; k < 3; k++)
        r.c[k] = rfe(c);
    if ((c->host ? zkr_host_fold(in[0].c, half, r.c, out[0].c)
                 : zkr_cuda_dev_fold(c->dev, in[0].c, half, r.c, out[0].c)) != 0)
        bad = 1;
    for (size_t v = 0; v < half && !bad; v++)
        bad |= !zkr_ext_eq(out[v], zkr_ext_add(in[2 * v], zkr_ext_mul(r, in[2 * v + 1])));
    check(c, !bad, "Basefold fold equals the prover's");
    for (unsigned deg = 2; deg <= 3; deg++) {
        const uint64_t *f[4];
        zkr_sc_term term = {zkr_ext_from(1), deg, {0, 1, 2, 3}};
        char what[80];
        for (unsigned k = 0; k < deg; k++) {
            tab[k] = xmalloc(len * sizeof(zkr_ext));
            for (size_t i = 0; i < len; i++)
                for (int q = 0; q < 3; q++)
                    tab[k][i].c[q] = rfe(c);
            f[k] = tab[k][0].c;
        }
        zkr_sc_poly sc = {tab, deg, &term, 1, deg, NULL};
        zkr_prover_sc_round(&sc, n, c->cpu_threads, msg);
        int e = c->host ? zkr_host_sc_term(f, deg, deg, half, sums)
                        : zkr_cuda_dev_sc_term(c->dev, f, deg, deg, half, sums);
        bad = e != 0;
        for (unsigned x = 0; x < deg && !bad; x++)
            bad |= memcmp(msg[x].c, sums + 3 * x, 24) != 0;
        snprintf(what, sizeof what, "sumcheck round, degree %u over 2^%u: the prover's message", deg, n);
        check(c, !bad, what);
        for (unsigned k = 0; k < deg; k++)
            free(tab[k]);
    }
    {
        zkr_ext *p = in, *q = xmalloc(len * sizeof *q), *po = out, *qo = xmalloc(half * sizeof *qo);
        for (size_t i = 0; i < len; i++)
            for (int k = 0; k < 3; k++)
                q[i].c[k] = rfe(c);
        int e = c->host ? zkr_host_frac_layer(p[0].c, q[0].c, half, po[0].c, qo[0].c)
                        : zkr_cuda_dev_frac_layer(c->dev, p[0].c, q[0].c, half, po[0].c, qo[0].c);
        bad = e != 0;
        for (size_t x = 0; x < half && !bad; x++)
            bad |= !zkr_ext_eq(po[x], zkr_ext_add(zkr_ext_mul(p[x], q[x + half]),
                                                  zkr_ext_mul(p[x + half], q[x]))) ||
                   !zkr_ext_eq(qo[x], zkr_ext_mul(q[x], q[x + half]));
        check(c, !bad, "LogUp fraction layer equals the prover's");
        free(q);
        free(qo);
    }
    free(in);
    free(out);
}

/* The seam functions the prover now calls, on the backend under test, against the CPU code. */
static void kernels_seam(ck *c, const zkr_accel *acc)
{
    enum { NT = 6, NTERMS = 9 };
    unsigned n = c->max_log < 18 ? c->max_log : 18;
    size_t len = (size_t)1 << n, half = len / 2;
    zkr_ext *ta[NT], *tb[NT], ma[8], mb[8], *ev = xmalloc(len * sizeof *ev);
    zkr_ext *o = xmalloc(half * sizeof *o), *s = xmalloc(half * sizeof *s), q[2], qr[2], r;
    zkr_gl *gb = xmalloc(len * sizeof *gb);
    zkr_sc_term terms[NTERMS];
    char what[120];
    int bad = 0, e = 0;

    for (unsigned k = 0; k < NT; k++) {
        ta[k] = xmalloc(len * sizeof(zkr_ext));
        tb[k] = xmalloc(len * sizeof(zkr_ext));
        for (size_t i = 0; i < len; i++)
            for (int w = 0; w < 3; w++)
                ta[k][i].c[w] = rfe(c);
        memcpy(tb[k], ta[k], len * sizeof(zkr_ext));
    }
    for (unsigned k = 0; k < NTERMS; k++) {
        for (int w = 0; w < 3; w++)
            terms[k].coef.c[w] = rfe(c);
        terms[k].n_factors = k == 0 ? 3 : 1 + (unsigned)(rnd(c) % 3);
        for (unsigned f = 0; f < ZKR_SC_MAX_FACTORS; f++)
            terms[k].idx[f] = (unsigned)(rnd(c) % NT);
    }
    zkr_sc_poly fa = {ta, NT, terms, NTERMS, 3, NULL}, fb = {tb, NT, terms, NTERMS, 3, NULL};
    for (unsigned n_cur = n; n_cur >= 1; n_cur--) {
        for (int w = 0; w < 3; w++)
            r.c[w] = rfe(c);
        zkr_prover_sc_round(&fa, n_cur, c->cpu_threads, ma);
        e |= acc->sc_round(acc->ctx, &fb, n_cur, mb) != ZKR_OK;
        bad |= memcmp(ma, mb, 3 * sizeof *ma) != 0;
        zkr_prover_sc_fold(&fa, n_cur, r, c->cpu_threads);
        e |= acc->sc_fold(acc->ctx, &fb, n_cur, r) != ZKR_OK;
        for (unsigned k = 0; k < NT; k++)
            bad |= memcmp(ta[k], tb[k], ((size_t)1 << (n_cur - 1)) * sizeof(zkr_ext)) != 0;
    }
    snprintf(what, sizeof what, "sumcheck rounds and folds, 9 terms of degree <= 3, 2^%u..2^1: "
                                "the prover's", n);
    check(c, !e && !bad, what);
    for (size_t i = 0; i < len; i++) {
        gb[i] = rfe(c);
        for (int w = 0; w < 3; w++)
            ev[i].c[w] = rfe(c);
    }
    for (size_t i = 0; i < half; i++)
        s[i] = ev[i];
    for (int w = 0; w < 3; w++)
        r.c[w] = rfe(c);
    bad = e = 0;
    e |= acc->fold_coef(acc->ctx, gb, NULL, half, r, o) != ZKR_OK;
    for (size_t v = 0; v < half; v++) {
        zkr_ext x = zkr_ext_mul_base(r, gb[2 * v + 1]);
        x.c[0] = zkr_gl_add(x.c[0], gb[2 * v]);
        bad |= !zkr_ext_eq(x, o[v]);
    }
    e |= acc->fold_coef(acc->ctx, NULL, ev, half, r, o) != ZKR_OK;
    for (size_t v = 0; v < half; v++)
        bad |= !zkr_ext_eq(zkr_ext_add(ev[2 * v], zkr_ext_mul(r, ev[2 * v + 1])), o[v]);
    e |= acc->fold_eval(acc->ctx, gb, NULL, half, r, o) != ZKR_OK;
    for (size_t v = 0; v < half; v++) {
        zkr_ext x = zkr_ext_mul_base(r, zkr_gl_sub(gb[2 * v + 1], gb[2 * v]));
        x.c[0] = zkr_gl_add(x.c[0], gb[2 * v]);
        bad |= !zkr_ext_eq(x, o[v]);
    }
    e |= acc->fold_eval(acc->ctx, NULL, ev, half, r, o) != ZKR_OK;
    for (size_t v = 0; v < half; v++)
        bad |= !zkr_ext_eq(
            zkr_ext_add(ev[2 * v], zkr_ext_mul(r, zkr_ext_sub(ev[2 * v + 1], ev[2 * v]))), o[v]);
    snprintf(what, sizeof what, "Basefold coefficient and evaluation folds, base and extension, "
                                "2^%u: the prover's", n);
    check(c, !e && !bad, what);
    bad = e = 0;
    for (int base = 0; base < 2; base++) {
        qr[0] = qr[1] = zkr_ext_from(0);
        for (size_t i = 0; i < half; i++) {
            qr[0] = zkr_ext_add(qr[0], base ? zkr_ext_mul_base(s[i], gb[2 * i])
                                            : zkr_ext_mul(s[i], ev[2 * i]));
            qr[1] = zkr_ext_add(qr[1], base ? zkr_ext_mul_base(s[i], gb[2 * i + 1])
                                            : zkr_ext_mul(s[i], ev[2 * i + 1]));
        }
        e |= acc->eq_q(acc->ctx, s, base ? gb : NULL, base ? NULL : ev, half, q) != ZKR_OK;
        bad |= !zkr_ext_eq(q[0], qr[0]) || !zkr_ext_eq(q[1], qr[1]);
    }
    check(c, !e && !bad, "Basefold eq rounds, base and extension: the prover's sums");
    for (unsigned k = 0; k < NT; k++) {
        free(ta[k]);
        free(tb[k]);
    }
    free(ev);
    free(o);
    free(s);
    free(gb);
}

/* ---------------- whole proofs ---------------- */
static zkr_ml_model *rand_model(ck *c, const uint32_t *dims, uint32_t nl)
{
    zkr_ml_graph g;
    zkr_ml_qlayer q[4];
    int8_t *w[4];
    int32_t *bias[4];
    uint32_t *mult[4];
    zkr_buf b = {0};
    zkr_ml_model *m = NULL;

    memset(&g, 0, sizeof g);
    g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g.input_dim = dims[0];
    g.n_layers = nl;
    for (uint32_t l = 0; l < nl; l++) {
        zkr_ml_layer_desc *L = &g.layers[l];
        L->op = ZKR_ML_OP_DENSE;
        L->act = (uint8_t)(l + 1 < nl);
        L->in_dim = dims[l];
        L->out_dim = dims[l + 1];
        w[l] = xmalloc((size_t)L->in_dim * L->out_dim);
        bias[l] = xmalloc(L->out_dim * 4);
        mult[l] = xmalloc(L->out_dim * 4);
        for (size_t i = 0; i < (size_t)L->in_dim * L->out_dim; i++)
            w[l][i] = (int8_t)((int)(rnd(c) % 255) - 127);
        for (uint32_t j = 0; j < L->out_dim; j++) {
            bias[l][j] = (int32_t)(rnd(c) % 40001) - 20000;
            mult[l][j] = (uint32_t)(rnd(c) % (((uint64_t)1 << 14) / L->in_dim + 1));
        }
        q[l] = (zkr_ml_qlayer){w[l], bias[l], mult[l], 20};
    }
    if (zkr_ml_model_encode(&g, q, &b, NULL) != ZKR_OK ||
        zkr_ml_model_decode(b.p, b.len, &m, NULL) != ZKR_OK)
        m = NULL;
    for (uint32_t l = 0; l < nl; l++) {
        free(w[l]);
        free(bias[l]);
        free(mult[l]);
    }
    zkr_buf_free(&b);
    return m;
}

enum { NREC = 64 };

typedef struct {
    size_t rec_len;
    uint8_t *recs[NREC];
    uint8_t leaves[NREC][32], root[32], dcomm[32];
    uint8_t paths[NREC][ZKR_MERKLE_MAX_DEPTH][32];
    zkr_infer_record r[NREC];
} dataset;

static void dataset_make(ck *c, dataset *ds, uint32_t in, uint32_t classes)
{
    ds->rec_len = in + 1;
    for (int i = 0; i < NREC; i++) {
        ds->recs[i] = xmalloc(in + 1);
        for (uint32_t k = 0; k < in; k++)
            ds->recs[i][k] = (uint8_t)rnd(c);
        ds->recs[i][in] = (uint8_t)(rnd(c) % classes);
        zkr_infer_record_commitment(ds->recs[i], in + 1, ds->leaves[i]);
    }
    if (zkr_merkle_root((const uint8_t(*)[32])ds->leaves, NREC, ds->root) != ZKR_OK)
        exit(1);
    zkr_infer_dataset_commitment(NREC, ds->root, ds->dcomm);
    for (int i = 0; i < NREC; i++) {
        size_t pl = 0;
        if (zkr_merkle_inclusion_proof((const uint8_t(*)[32])ds->leaves, NREC, (uint64_t)i,
                                       ds->paths[i], &pl) != ZKR_OK)
            exit(1);
        ds->r[i] = (zkr_infer_record){(uint64_t)i, NREC, {0}, ds->recs[i], ds->rec_len,
                                      (const uint8_t(*)[32])ds->paths[i], pl};
        memcpy(ds->r[i].root, ds->root, 32);
    }
}

static void dataset_free(dataset *ds)
{
    for (int i = 0; i < NREC; i++)
        free(ds->recs[i]);
}

static double prove_inf(const zkr_params *p, const zkr_ml_model *m, const dataset *ds,
                        const uint8_t sid[32], unsigned threads, zkr_buf *proof, zkr_buf *out,
                        uint8_t comm[32])
{
    zkr_infer_model *im = NULL;
    zkr_diag d = {0};
    double t0 = now();

    if (zkr_prover_infer_commit(p, m, threads, &im, comm, &d) != ZKR_OK ||
        zkr_prover_inference_record(p, sid, im, &ds->r[5], threads, proof, out, &d) != ZKR_OK) {
        fprintf(stderr, "cuda_check: inference proof failed: %s\n", d.msg);
        exit(1);
    }
    t0 = now() - t0;
    zkr_infer_model_free(im);
    return t0;
}

static void proofs_inference(ck *c, const zkr_accel *acc)
{
    static const uint32_t dims[] = {784, 512, 512, 10};
    zkr_ml_model *m = rand_model(c, dims, 3);
    dataset ds;
    zkr_params p, pa;
    zkr_buf a = {0}, b = {0}, oa = {0}, ob = {0};
    uint8_t sid[32], ca[32], cb[32];
    zkr_verifier_inference_statement st;
    double t2, tn, tg;

    if (!m || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        exit(1);
    pa = p;
    pa.accel = acc;
    memset(sid, 0x11, 32);
    dataset_make(c, &ds, 784, 10);
    t2 = prove_inf(&p, m, &ds, sid, 2, &a, &oa, ca);
    a.len = oa.len = 0;
    tn = prove_inf(&p, m, &ds, sid, c->cpu_threads, &a, &oa, ca);
    tg = prove_inf(&pa, m, &ds, sid, c->cpu_threads, &b, &ob, cb);
    check(c, memcmp(ca, cb, 32) == 0, "inference@1 784-512-512-10: model commitments equal");
    check(c, a.len == b.len && memcmp(a.p, b.p, a.len) == 0,
          "inference@1 784-512-512-10: proofs byte-identical");
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, 32);
    st.param_set = ZKR_PARAM_SET_128;
    zkr_ml_model_program_digest(m, st.program_digest);
    memcpy(st.model_commitment, cb, 32);
    memcpy(st.dataset_commitment, ds.dcomm, 32);
    st.record_index = 5;
    st.output = ob.p;
    st.output_len = ob.len;
    check(c, zkr_verify_inference(b.p, b.len, &st, NULL) == ZKR_OK,
          "inference@1: the accelerated proof verifies");
    rows[n_rows++] = (row){"inference@1 784-512-512-10 (commit+prove)", t2, tn, tg};
    zkr_buf_free(&a);
    zkr_buf_free(&b);
    zkr_buf_free(&oa);
    zkr_buf_free(&ob);
    zkr_ml_model_free(m);
    dataset_free(&ds);
}

static double prove_train(const zkr_params *p, const zkr_ml_tmodel *par, const zkr_ml_tmodel *chi,
                          const zkr_infer_record *recs, uint32_t batch,
                          const zkr_ml_tstep_params *sp, const uint8_t sid[32], unsigned threads,
                          zkr_buf *proof, uint8_t pc[32], uint8_t cc[32])
{
    zkr_train_model *tp = NULL, *tc = NULL;
    zkr_diag d = {0};
    double t0 = now();

    if (zkr_prover_train_commit(p, par, threads, &tp, pc, &d) != ZKR_OK ||
        zkr_prover_train_commit(p, chi, threads, &tc, cc, &d) != ZKR_OK ||
        zkr_prover_train_step(p, sid, tp, tc, recs, batch, sp, threads, proof, &d) != ZKR_OK) {
        fprintf(stderr, "cuda_check: training proof failed: %s\n", d.msg);
        exit(1);
    }
    t0 = now() - t0;
    zkr_train_model_free(tp);
    zkr_train_model_free(tc);
    return t0;
}

static void proofs_training(ck *c, const zkr_accel *acc)
{
    static const uint32_t dims[] = {784, 128, 10};
    enum { BATCH = 16 };
    dataset ds;
    zkr_ml_graph g;
    zkr_buf b = {0}, x = {0}, y = {0};
    zkr_ml_tmodel *par = NULL, *chi = NULL;
    zkr_ml_tstep_params sp = {4, 16};
    uint8_t seed[32] = {3}, sid[32], inputs[BATCH * 784], labels[BATCH], pc[32], cc[32], pc2[32],
            cc2[32];
    uint64_t idx[BATCH];
    zkr_infer_record recs[BATCH];
    zkr_params p, pa;
    zkr_train_statement st;
    zkr_diag d = {0};
    double t2, tn, tg;

    dataset_make(c, &ds, 784, 10);
    for (int i = 0; i < BATCH; i++) {
        idx[i] = (uint64_t)(3 * i + 1) % NREC;
        recs[i] = ds.r[idx[i]];
        memcpy(inputs + i * 784, ds.recs[idx[i]], 784);
        labels[i] = ds.recs[idx[i]][784];
    }
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_ml_tprogram_make(dims, 3, &g, &d) != ZKR_OK ||
        zkr_ml_tmodel_init(&g, seed, &b, &d) != ZKR_OK ||
        zkr_ml_tmodel_decode(b.p, b.len, &par, &d) != ZKR_OK ||
        zkr_ml_train_step(par, inputs, sizeof inputs, labels, BATCH, &sp, &b, NULL, &d) != ZKR_OK ||
        zkr_ml_tmodel_decode(b.p, b.len, &chi, &d) != ZKR_OK) {
        fprintf(stderr, "cuda_check: training fixture: %s\n", d.msg);
        exit(1);
    }
    pa = p;
    pa.accel = acc;
    memset(sid, 0x22, 32);
    t2 = prove_train(&p, par, chi, recs, BATCH, &sp, sid, 2, &x, pc, cc);
    x.len = 0;
    tn = prove_train(&p, par, chi, recs, BATCH, &sp, sid, c->cpu_threads, &x, pc, cc);
    tg = prove_train(&pa, par, chi, recs, BATCH, &sp, sid, c->cpu_threads, &y, pc2, cc2);
    check(c, memcmp(pc, pc2, 32) == 0 && memcmp(cc, cc2, 32) == 0,
          "training-step@1 784-128-10 batch 16: commitments equal");
    check(c, x.len == y.len && memcmp(x.p, y.p, x.len) == 0,
          "training-step@1 784-128-10 batch 16: proofs byte-identical");
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, 32);
    zkr_ml_tmodel_program_digest(par, st.program_digest);
    memcpy(st.parent_commitment, pc2, 32);
    memcpy(st.child_commitment, cc2, 32);
    memcpy(st.dataset_commitment, ds.dcomm, 32);
    st.indices = idx;
    st.batch = BATCH;
    st.lr = sp.lr;
    st.shift = sp.shift;
    st.steps = 1;
    check(c, zkr_verify_train_step(&p, &st, y.p, y.len, NULL) == ZKR_OK,
          "training-step@1: the accelerated proof verifies");
    rows[n_rows++] = (row){"training step 784-128-10 b16 (commit+prove)", t2, tn, tg};
    check(c, zkr_accel_fallbacks(acc) == 0,
          "no seam call of the proofs fell back to the CPU (every one ran on the backend)");
    zkr_buf_free(&b);
    zkr_buf_free(&x);
    zkr_buf_free(&y);
    zkr_ml_tmodel_free(par);
    zkr_ml_tmodel_free(chi);
    dataset_free(&ds);
}

/* ---------------- a proof in the confined prover-cuda worker ---------------- */
static void inf_fixture(uint64_t seed, zkr_ml_model **m, dataset *ds)
{
    static const uint32_t dims[] = {784, 128, 10};
    ck c;

    memset(&c, 0, sizeof c);
    c.rng = seed;
    *m = rand_model(&c, dims, 2);
    dataset_make(&c, ds, 784, 10);
    if (*m == NULL)
        exit(1);
}

/*
 * The worker kinds: request = mode byte (1 cuda, 0 host bodies) || u64 seed;
 * reply = the proof || u64 fallbacks. The cuda kind's preparation is the
 * one zkreg's prove-cuda worker runs (zkr_cuda_prepare).
 */
static zkr_err chk_worker_prove(const uint8_t *req, size_t len, zkr_buf *reply, zkr_diag *d)
{
    zkr_ml_model *m = NULL;
    zkr_accel *acc = NULL;
    dataset ds;
    zkr_params p;
    zkr_buf proof = {0}, out = {0};
    uint8_t sid[32], comm[32], fb[8];
    zkr_err r;

    if (len != 9 || req[0] > 1)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "cuda_check worker: bad request");
    r = req[0] ? zkr_accel_open(ZKR_BACKEND_CUDA, &acc, d) : zkr_accel_host_new(&acc);
    if (r != ZKR_OK)
        return r;
    inf_fixture(zkr_load_be64(req + 1), &m, &ds);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        exit(1);
    p.accel = acc;
    memset(sid, 0x33, 32);
    (void)prove_inf(&p, m, &ds, sid, 2, &proof, &out, comm);
    zkr_store_be64(fb, zkr_accel_fallbacks(acc));
    if ((r = zkr_buf_append(reply, proof.p, proof.len)) == ZKR_OK)
        r = zkr_buf_append(reply, fb, 8);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    zkr_ml_model_free(m);
    dataset_free(&ds);
    zkr_accel_free(acc);
    return r;
}

static zkr_err chk_prepare(zkr_diag *d) { return zkr_cuda_prepare(d); }

static const zkr_worker_kind chk_workers[] = {
    {"chk-prove-cuda", ZKR_SANDBOX_POLICY_PROVER_CUDA, chk_worker_prove,
     "cuda_check: an inference proof on the GPU, confined", chk_prepare},
    {"chk-prove-host", ZKR_SANDBOX_POLICY_PROVER_CUDA, chk_worker_prove,
     "cuda_check: the same with the host bodies, under the same policy", NULL},
    {NULL, 0, NULL, NULL, NULL},
};

static void proofs_sandboxed(ck *c)
{
    const uint64_t seed = 0x5a17;
    uint8_t req[9], sid[32], comm[32];
    zkr_ml_model *m = NULL;
    dataset ds;
    zkr_params p;
    zkr_buf cpu = {0}, out = {0}, reply = {0};
    zkr_sandbox_result res;
    zkr_diag d = {0};
    char conf[200];
    zkr_err r;

    req[0] = c->host ? 0 : 1;
    zkr_store_be64(req + 1, seed);
    inf_fixture(seed, &m, &ds);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        exit(1);
    memset(sid, 0x33, 32);
    (void)prove_inf(&p, m, &ds, sid, 2, &cpu, &out, comm);
    r = zkr_sandbox_call(chk_workers, c->host ? "chk-prove-host" : "chk-prove-cuda", NULL, req,
                         sizeof req, &reply, &res, &d);
    zkr_sandbox_confinement_str(res.confinement, conf, sizeof conf);
    printf("     confined worker (policy prover-cuda): %s; confinement %s\n",
           r == ZKR_OK ? "replied" : d.msg, conf);
    if (r != ZKR_OK && res.log[0])
        printf("     its log: %s\n", res.log);
    check(c, r == ZKR_OK && reply.len == cpu.len + 8 && memcmp(reply.p, cpu.p, cpu.len) == 0 &&
                 zkr_load_be64(reply.p + cpu.len) == 0 &&
                 (res.confinement & ZKR_SANDBOX_C_SECCOMP) &&
                 (res.confinement & ZKR_SANDBOX_C_LANDLOCK),
          "inference@1 784-128-10 proved in the confined prover-cuda worker: the CPU's bytes, "
          "no fallback, seccomp and Landlock on");
    zkr_buf_free(&cpu);
    zkr_buf_free(&out);
    zkr_buf_free(&reply);
    zkr_ml_model_free(m);
    dataset_free(&ds);
}

int main(int argc, char **argv)
{
    ck c;
    zkr_cuda_info info;
    zkr_accel *acc = NULL;
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);

    if (argc > 1 && strcmp(argv[1], ZKR_SANDBOX_WORKER_ARG) == 0)
        zkr_sandbox_worker_main(chk_workers, argc - 1, argv + 1);
    memset(&c, 0, sizeof c);
    c.max_log = 24;
    c.rng = 0x5eed;
    c.cpu_threads = nproc > 1 ? (unsigned)(nproc > 64 ? 64 : nproc) : 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host-bodies") == 0)
            c.host = 1;
        else if (strcmp(argv[i], "--max-log") == 0 && i + 1 < argc)
            c.max_log = (unsigned)zkr_bench_arg("--max-log", argv[++i], 10, 26);
        else {
            fprintf(stderr, "usage: cuda_check [--host-bodies] [--max-log N]\n");
            return 2;
        }
    }
    zkr_cuda_probe(&info);
    printf("cuda: built %d, runtime %d, driver %d, devices %d %s (sm_%d%d, %llu MiB)%s%s\n",
           info.built, info.runtime_version, info.driver_version, info.n_devices, info.name,
           info.cc_major, info.cc_minor, (unsigned long long)(info.mem_total >> 20),
           info.why[0] ? ": " : "", info.why);
    if (!c.host) {
        if (zkr_cuda_dev_open(&c.dev) != 0 || zkr_accel_open(ZKR_BACKEND_CUDA, &acc, NULL) != ZKR_OK) {
            printf("no usable CUDA device: nothing checked (--host-bodies checks this program); "
                   "exit 77\n");
            return 77;
        }
    } else if (zkr_accel_host_new(&acc) != ZKR_OK) {
        return 1;
    }
    printf("backend under test: %s; CPU baseline threads 2 and %u\n", acc->name, c.cpu_threads);
    kernels_ntt(&c, acc);
    kernels_merkle(&c);
    kernels_fold_sc(&c);
    kernels_seam(&c, acc);
    proofs_inference(&c, acc);
    proofs_training(&c, acc);
    proofs_sandboxed(&c);
    printf("\n%-46s %12s %12s %12s %9s %9s\n", "seconds", "CPU 2 thr", "CPU all", acc->name,
           "x vs 2", "x vs all");
    for (size_t i = 0; i < n_rows; i++)
        printf("%-46s %12.4f %12.4f %12.4f %9.1f %9.1f\n", rows[i].what, rows[i].cpu2,
               rows[i].cpun, rows[i].gpu, rows[i].cpu2 / rows[i].gpu, rows[i].cpun / rows[i].gpu);
    zkr_accel_free(acc);
    zkr_cuda_dev_close(c.dev);
    printf("\n%s\n", c.failed ? "cuda_check: DIFFERENCES FOUND" : "cuda_check: all bit-identical");
    return c.failed ? 1 : 0;
}
