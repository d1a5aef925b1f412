/*
 * The CUDA backend without a device (suite cuda, every CI run): the kernel
 * bodies of cuda/body.h, built for the host, must give exactly what the
 * CPU prover computes, and proofs made through the accelerator seam with
 * those bodies must equal the CPU prover's byte for byte:
 * - Goldilocks and extension arithmetic on random and edge values;
 * - NTT/LDE (every size 2^1..2^12, blowups 1..3, random shifts);
 * - ChaCha20 leaf salts, BLAKE2b-256 leaf and node hashes, whole trees
 *   (leaf widths 1..192 words);
 * - Basefold folds, eq tables, the Moebius transform;
 * - sumcheck round sums for degree-2 (matmul) and degree-3 products;
 * - LogUp fraction-tree layers;
 * - the seam's sumcheck round/fold, Basefold fold/eq-round and LogUp-layer
 *   functions against the prover's CPU code on the same inputs;
 * - Basefold commit+open, an inference@1 proof and a training-step@1 proof
 *   through the "host-bodies" accelerator: the same bytes as the CPU;
 * - the same inference proof made in a confined worker under the GPU
 *   variant's policy (prover-cuda), with the host bodies: the CPU's bytes;
 * - backend selection: --backend cuda with no device is refused, auto
 *   falls back to the CPU, a bad name is a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/body.h"
#include "cuda/cuda.h"
#include "ml/graph.h"
#include "prover/prover.h"
#include "sandbox/sandbox.h"
#include "tests/tap.h"

static uint64_t rfe(zkr_tap *t)
{
    static const uint64_t edge[] = {0, 1, 2, ZKR_GL_P - 1, ZKR_GL_P - 2, ZKR_GL_EPS,
                                    UINT64_C(1) << 32, (UINT64_C(1) << 32) + 1, UINT64_C(1) << 63,
                                    ZKR_GL_P >> 1};
    uint64_t r = zkr_tap_rand(t);

    if (r % 8 == 0)
        return edge[(r >> 8) % (sizeof edge / sizeof *edge)];
    return zkr_gl_canon(zkr_tap_rand(t));
}

static zkr_ext rext(zkr_tap *t)
{
    zkr_ext e = {{rfe(t), rfe(t), rfe(t)}};
    return e;
}

static zkr_b_ext bx(zkr_ext e)
{
    zkr_b_ext b = {{e.c[0], e.c[1], e.c[2]}};
    return b;
}

static int ext_eq_b(zkr_ext a, zkr_b_ext b)
{
    return a.c[0] == b.c[0] && a.c[1] == b.c[1] && a.c[2] == b.c[2];
}

static void test_field(zkr_tap *t)
{
    int bad = 0, bad_ext = 0;

    for (int i = 0; i < 200000; i++) {
        uint64_t a = rfe(t), b = rfe(t);
        bad += zkr_b_add(a, b) != zkr_gl_add(a, b);
        bad += zkr_b_sub(a, b) != zkr_gl_sub(a, b);
        bad += zkr_b_mul(a, b) != zkr_gl_mul(a, b);
    }
    for (int i = 0; i < 1000; i++) {
        uint64_t a = rfe(t), e = zkr_tap_rand(t);
        bad += zkr_b_pow(a, e) != zkr_gl_pow(a, e);
    }
    zkr_tap_ok(t, bad == 0, "Goldilocks add/sub/mul/pow bodies equal zk/ (%d differ)", bad);
    for (int i = 0; i < 100000; i++) {
        zkr_ext a = rext(t), b = rext(t);
        uint64_t s = rfe(t);
        bad_ext += !ext_eq_b(zkr_ext_mul(a, b), zkr_b_ext_mul(bx(a), bx(b)));
        bad_ext += !ext_eq_b(zkr_ext_add(a, b), zkr_b_ext_add(bx(a), bx(b)));
        bad_ext += !ext_eq_b(zkr_ext_sub(a, b), zkr_b_ext_sub(bx(a), bx(b)));
        bad_ext += !ext_eq_b(zkr_ext_mul_base(a, s), zkr_b_ext_mul_base(bx(a), s));
    }
    zkr_tap_ok(t, bad_ext == 0, "cubic extension bodies equal zk/ (%d differ)", bad_ext);
}

static void test_lde(zkr_tap *t, const zkr_accel *acc)
{
    int bad = 0, runs = 0, err = 0;
    zkr_ntt *ntt = NULL;

    if (zkr_ntt_new(15, &ntt) != ZKR_OK)
        abort();
    for (unsigned log_n = 0; log_n <= 12; log_n++)
        for (unsigned lb = 1; lb <= 3; lb++) {
            size_t n = (size_t)1 << log_n, big = n << lb;
            zkr_gl *c = malloc(n * sizeof *c), *a = malloc(big * sizeof *a);
            zkr_gl *b = malloc(big * sizeof *b), shift = lb == 2 ? 1 : rfe(t);
            if (!c || !a || !b)
                abort();
            for (size_t i = 0; i < n; i++)
                c[i] = rfe(t);
            err += zkr_ntt_lde(ntt, c, log_n, lb, shift, 2, a) != ZKR_OK;
            err += acc->lde(acc->ctx, c, log_n, lb, shift, b) != ZKR_OK;
            bad += memcmp(a, b, big * sizeof *a) != 0;
            runs++;
            free(c);
            free(a);
            free(b);
        }
    zkr_ntt_free(ntt);
    zkr_tap_ok(t, bad == 0 && err == 0,
               "LDE through the NTT butterfly bodies equals zkr_ntt_lde (%d sizes, %d differ)", runs,
               bad);
    {
        /* The DIT butterfly (inverse direction) against zkr_ntt_inverse. */
        unsigned log_n = 10;
        size_t n = (size_t)1 << log_n;
        uint64_t *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *tw = malloc(n / 2 * 8);
        zkr_gl w = zkr_gl_root_of_unity(log_n), inv_n = zkr_gl_inv(zkr_gl_pow(2, log_n));
        if (!x || !y || !tw || zkr_ntt_new(log_n, &ntt) != ZKR_OK)
            abort();
        for (size_t i = 0; i < n; i++)
            x[i] = y[i] = rfe(t);
        for (size_t j = 0; j < n / 2; j++)
            tw[j] = zkr_b_pow(w, j);
        for (size_t i = 0; i < n; i++) { /* bit-reversed input, as zkr_ntt_inverse arranges */
            size_t r = (size_t)zkr_bitrev(i, log_n);
            if (r > i) {
                uint64_t s = y[i];
                y[i] = y[r];
                y[r] = s;
            }
        }
        for (unsigned s = 0; s < log_n; s++)
            for (size_t k = 0; k < n / 2; k++)
                zkr_b_ntt_butterfly(y, tw, log_n, s, k, 0);
        for (size_t i = 0; i < n; i++)
            y[i] = zkr_b_mul(y[i], inv_n);
        if (zkr_ntt_inverse(ntt, x, log_n) != ZKR_OK)
            abort();
        zkr_tap_ok(t, memcmp(x, y, n * 8) == 0, "the DIT butterfly body equals zkr_ntt_inverse");
        zkr_ntt_free(ntt);
        free(x);
        free(y);
        free(tw);
    }
}

static void test_merkle(zkr_tap *t, const zkr_accel *acc)
{
    static const size_t widths[] = {1, 2, 3, 13, 14, 16, 17, 48, 96, 192};
    uint8_t seed[32], salt[ZKR_SALT_BYTES], h1[32], h2[32];
    int bad_salt = 0, bad_leaf = 0, bad_tree = 0, err = 0;
    uint64_t words[192];

    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)zkr_tap_rand(t);
    for (uint64_t i = 0; i < 1000; i++) {
        uint64_t s[2], idx = i < 500 ? i : zkr_tap_rand(t) >> 24;
        zkr_mtree_salt(seed, idx, salt);
        zkr_b_leaf_salt(seed, idx, s);
        bad_salt += zkr_load_le64(salt) != s[0] || zkr_load_le64(salt + 8) != s[1];
    }
    zkr_tap_ok(t, bad_salt == 0, "ChaCha20 salt body equals zkr_mtree_salt (%d differ)", bad_salt);
    for (size_t n = 1; n <= 192; n++) {
        uint64_t s[2] = {zkr_tap_rand(t), zkr_tap_rand(t)}, out[4];
        for (size_t i = 0; i < n; i++)
            words[i] = rfe(t);
        zkr_store_le64(salt, s[0]);
        zkr_store_le64(salt + 8, s[1]);
        zkr_mtree_leaf_hash(salt, words, n, h1);
        zkr_b_leaf_hash(s, words, n, out);
        for (int k = 0; k < 4; k++)
            zkr_store_le64(h2 + 8 * k, out[k]);
        bad_leaf += memcmp(h1, h2, 32) != 0;
    }
    zkr_tap_ok(t, bad_leaf == 0, "BLAKE2b-256 leaf body equals zkr_mtree_leaf_hash, 1..192 words");
    for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++)
        for (unsigned ll = 0; ll <= 8; ll += 2) {
            uint64_t nl = (uint64_t)1 << ll;
            size_t nw = nl * widths[wi];
            uint64_t *w = malloc(nw * sizeof *w);
            zkr_mtree a, b;
            if (!w)
                abort();
            for (size_t i = 0; i < nw; i++)
                w[i] = rfe(t);
            err += zkr_mtree_build(w, nl, widths[wi], seed, 2, &a) != ZKR_OK;
            err += acc->mtree_build(acc->ctx, w, nl, widths[wi], seed, &b) != ZKR_OK;
            if (!err)
                bad_tree += memcmp(a.nodes, b.nodes, 2 * nl * ZKR_DIGEST_BYTES) != 0 ||
                            a.depth != b.depth || a.leaf_words != b.leaf_words;
            zkr_mtree_free(&a);
            zkr_mtree_free(&b);
            free(w);
        }
    zkr_tap_ok(t, bad_tree == 0 && err == 0,
               "whole salted trees (node hash body) equal zkr_mtree_build, every node");
    {
        zkr_mtree m;
        uint64_t w[4] = {1, 2, 3, 4};
        zkr_tap_ok(t, acc->mtree_build(acc->ctx, w, 3, 1, seed, &m) == ZKR_ERR_USAGE &&
                          acc->mtree_build(acc->ctx, w, 2, 0, seed, &m) == ZKR_ERR_USAGE &&
                          acc->mtree_build(acc->ctx, w, 1, ZKR_MT_MAX_LEAF_WORDS + 1, seed, &m) ==
                              ZKR_ERR_USAGE,
                   "the accelerator refuses the trees zkr_mtree_build refuses");
    }
}

static void test_fold_sc(zkr_tap *t)
{
    unsigned n = 11;
    size_t len = (size_t)1 << n, half = len / 2;
    zkr_ext *in = malloc(len * sizeof *in), *out = malloc(half * sizeof *out), r = rext(t);
    zkr_ext *tabs[4], *cp[4], msg[8], *eq = malloc(len * sizeof *eq), z[11];
    zkr_gl *ev = malloc(len * sizeof *ev), *ev2 = malloc(len * sizeof *ev2);
    int bad = 0;

    if (!in || !out || !eq || !ev || !ev2)
        abort();
    for (size_t i = 0; i < len; i++)
        in[i] = rext(t);
    if (zkr_host_fold(in[0].c, half, r.c, out[0].c) != 0)
        abort();
    for (size_t v = 0; v < half; v++) {
        bad += !zkr_ext_eq(out[v], zkr_ext_add(in[2 * v], zkr_ext_mul(r, in[2 * v + 1])));
        bad += !ext_eq_b(zkr_ext_add(in[2 * v], zkr_ext_mul(r, zkr_ext_sub(in[2 * v + 1], in[2 * v]))),
                         zkr_b_fold_eval(bx(r), bx(in[2 * v]), bx(in[2 * v + 1])));
        zkr_ext o = zkr_ext_mul_base(r, in[2 * v + 1].c[0]);
        o.c[0] = zkr_gl_add(o.c[0], in[2 * v].c[0]);
        bad += !ext_eq_b(o, zkr_b_fold_coef_base(bx(r), in[2 * v].c[0], in[2 * v + 1].c[0]));
    }
    zkr_tap_ok(t, bad == 0, "Basefold coefficient/evaluation fold bodies equal the prover's");
    /* eq table and Moebius against zk/mle.c */
    bad = 0;
    for (unsigned i = 0; i < n; i++)
        z[i] = rext(t);
    zkr_mle_eq_table(z, n, eq);
    {
        zkr_b_ext *e = (zkr_b_ext *)(void *)out; /* half entries are enough for n - 1 */
        zkr_ext *ref = malloc(half * sizeof *ref);
        if (!ref)
            abort();
        zkr_mle_eq_table(z, n - 1, ref);
        e[0] = zkr_b_ext_from(1);
        for (unsigned v = 0, l = 1; v < n - 1; v++, l *= 2)
            for (size_t i = 0; i < l; i++)
                zkr_b_eq_split(e, l, bx(z[v]), i);
        for (size_t i = 0; i < half; i++)
            bad += !ext_eq_b(ref[i], e[i]);
        free(ref);
    }
    for (size_t i = 0; i < len; i++)
        ev[i] = ev2[i] = rfe(t);
    zkr_mle_to_monomial_base(ev, n);
    for (unsigned v = 0; v < n; v++)
        for (size_t i = 0; i < len; i++)
            zkr_b_moebius(ev2, (size_t)1 << v, i);
    bad += memcmp(ev, ev2, len * sizeof *ev) != 0;
    zkr_tap_ok(t, bad == 0, "eq-table and Moebius bodies equal zk/mle.c");
    /* Sumcheck rounds: degree 2 (matmul, Basefold batching) and 3 (LogUp, selectors). */
    for (unsigned deg = 1; deg <= 4; deg++) {
        uint64_t sums[3 * 8];
        const uint64_t *f[4];
        zkr_sc_term term = {zkr_ext_from(1), deg, {0, 1, 2, 3}};
        int bad_sc = 0;
        for (unsigned k = 0; k < deg; k++) {
            tabs[k] = malloc(len * sizeof(zkr_ext));
            cp[k] = tabs[k];
            if (!tabs[k])
                abort();
            for (size_t i = 0; i < len; i++)
                tabs[k][i] = rext(t);
            f[k] = tabs[k][0].c;
        }
        zkr_sc_poly sc = {cp, deg, &term, 1, deg, NULL};
        zkr_prover_sc_round(&sc, n, 2, msg);
        if (zkr_host_sc_term(f, deg, deg, half, sums) != 0)
            abort();
        for (unsigned x = 0; x < deg; x++)
            bad_sc += msg[x].c[0] != sums[3 * x] || msg[x].c[1] != sums[3 * x + 1] ||
                      msg[x].c[2] != sums[3 * x + 2];
        zkr_tap_ok(t, bad_sc == 0, "sumcheck round body, product of %u tables: zkr_prover_sc_round's message",
                   deg);
        for (unsigned k = 0; k < deg; k++)
            free(tabs[k]);
    }
    /* LogUp layer */
    {
        size_t h = half;
        zkr_ext *p = malloc(len * sizeof *p), *q = malloc(len * sizeof *q);
        zkr_ext *po = malloc(h * sizeof *po), *qo = malloc(h * sizeof *qo), alpha = rext(t);
        int bad_l = 0;
        if (!p || !q || !po || !qo)
            abort();
        for (size_t i = 0; i < len; i++) {
            zkr_b_ext bp, bq;
            uint64_t v = rfe(t), m = rfe(t);
            zkr_b_frac_leaf(bx(alpha), m, v, &bp, &bq);
            bad_l += !ext_eq_b(zkr_ext_from(m), bp) ||
                     !ext_eq_b(zkr_ext_sub(alpha, zkr_ext_from(v)), bq);
            p[i] = rext(t);
            q[i] = rext(t);
        }
        if (zkr_host_frac_layer(p[0].c, q[0].c, h, po[0].c, qo[0].c) != 0)
            abort();
        for (size_t x = 0; x < h; x++) {
            bad_l += !zkr_ext_eq(po[x], zkr_ext_add(zkr_ext_mul(p[x], q[x + h]),
                                                    zkr_ext_mul(p[x + h], q[x])));
            bad_l += !zkr_ext_eq(qo[x], zkr_ext_mul(q[x], q[x + h]));
        }
        zkr_tap_ok(t, bad_l == 0, "LogUp fraction-tree leaf and layer bodies equal the prover's");
        free(p);
        free(q);
        free(po);
        free(qo);
    }
    free(in);
    free(out);
    free(eq);
    free(ev);
    free(ev2);
}

/* Random tables for a sum of product terms like inference's (repeated tables, degree 3). */
static void make_poly(zkr_tap *t, unsigned n, unsigned deg, zkr_ext **tabs, unsigned n_tabs,
                      zkr_sc_term *terms, unsigned n_terms)
{
    size_t len = (size_t)1 << n;

    for (unsigned k = 0; k < n_tabs; k++)
        for (size_t i = 0; i < len; i++)
            tabs[k][i] = rext(t);
    for (unsigned k = 0; k < n_terms; k++) {
        terms[k].coef = rext(t);
        terms[k].n_factors = 1 + (unsigned)(zkr_tap_rand(t) % deg);
        for (unsigned q = 0; q < ZKR_SC_MAX_FACTORS; q++)
            terms[k].idx[q] = (unsigned)(zkr_tap_rand(t) % n_tabs);
    }
    terms[0].n_factors = deg; /* the poly's degree is reached */
}

/*
 * The seam's round, fold and layer functions against the prover's CPU code
 * on the same inputs: sumcheck rounds and folds of multi-term polys of
 * degree 1..4 (matmul 2, selectors and LogUp 3), Basefold coefficient and
 * evaluation folds and eq rounds from base and extension inputs, LogUp
 * layers; then the refusals (outputs untouched, counted as fallbacks).
 */
static void test_seam_ops(zkr_tap *t, const zkr_accel *acc)
{
    enum { NT = 6, NTERMS = 9, N = 10 };
    size_t len = (size_t)1 << N, half = len / 2;
    zkr_ext *a[NT], *b[NT], msg_a[8], msg_b[8], *o1, *o2, *ev, *s, q[2], q_ref[2];
    zkr_gl *gb = malloc(len * sizeof *gb);
    zkr_sc_term terms[NTERMS];
    int bad_r = 0, bad_f = 0, bad_bf = 0, bad_eq = 0, bad_l = 0, err = 0;
    unsigned long fb0 = zkr_accel_fallbacks(acc);

    o1 = malloc(len * sizeof *o1);
    o2 = malloc(len * sizeof *o2);
    ev = malloc(len * sizeof *ev);
    s = malloc(half * sizeof *s);
    if (!gb || !o1 || !o2 || !ev || !s)
        abort();
    for (unsigned k = 0; k < NT; k++)
        if (!(a[k] = malloc(len * sizeof(zkr_ext))) || !(b[k] = malloc(len * sizeof(zkr_ext))))
            abort();
    for (unsigned deg = 1; deg <= 4; deg++) {
        make_poly(t, N, deg, a, NT, terms, NTERMS);
        for (unsigned k = 0; k < NT; k++)
            memcpy(b[k], a[k], len * sizeof(zkr_ext));
        zkr_sc_poly fa = {a, NT, terms, NTERMS, deg, NULL}, fb = {b, NT, terms, NTERMS, deg, NULL};
        for (unsigned n_cur = N; n_cur >= 1; n_cur--) {
            zkr_ext r = rext(t);
            zkr_prover_sc_round(&fa, n_cur, 2, msg_a);
            err += acc->sc_round(acc->ctx, &fb, n_cur, msg_b) != ZKR_OK;
            bad_r += memcmp(msg_a, msg_b, deg * sizeof *msg_a) != 0;
            zkr_prover_sc_fold(&fa, n_cur, r, 2);
            err += acc->sc_fold(acc->ctx, &fb, n_cur, r) != ZKR_OK;
            for (unsigned k = 0; k < NT; k++)
                bad_f += memcmp(a[k], b[k], ((size_t)1 << (n_cur - 1)) * sizeof(zkr_ext)) != 0;
        }
    }
    zkr_tap_ok(t, bad_r == 0 && bad_f == 0 && err == 0,
               "seam: sumcheck rounds and folds of 9-term polys, degree 1..4, 2^10..2^1: the CPU "
               "prover's messages and tables (%d %d %d)", bad_r, bad_f, err);
    /* Basefold folds (prover/pcs.c's formulas) and eq rounds, base and extension input. */
    for (size_t i = 0; i < len; i++) {
        gb[i] = rfe(t);
        ev[i] = rext(t);
    }
    for (size_t i = 0; i < half; i++)
        s[i] = rext(t);
    {
        zkr_ext r = rext(t);
        err += acc->fold_coef(acc->ctx, gb, NULL, half, r, o1) != ZKR_OK;
        for (size_t v = 0; v < half; v++) {
            zkr_ext o = zkr_ext_mul_base(r, gb[2 * v + 1]);
            o.c[0] = zkr_gl_add(o.c[0], gb[2 * v]);
            bad_bf += !zkr_ext_eq(o, o1[v]);
        }
        err += acc->fold_coef(acc->ctx, NULL, ev, half, r, o1) != ZKR_OK;
        for (size_t v = 0; v < half; v++)
            bad_bf += !zkr_ext_eq(zkr_ext_add(ev[2 * v], zkr_ext_mul(r, ev[2 * v + 1])), o1[v]);
        err += acc->fold_eval(acc->ctx, gb, NULL, half, r, o1) != ZKR_OK;
        for (size_t v = 0; v < half; v++) {
            zkr_ext o = zkr_ext_mul_base(r, zkr_gl_sub(gb[2 * v + 1], gb[2 * v]));
            o.c[0] = zkr_gl_add(o.c[0], gb[2 * v]);
            bad_bf += !zkr_ext_eq(o, o1[v]);
        }
        err += acc->fold_eval(acc->ctx, NULL, ev, half, r, o1) != ZKR_OK;
        for (size_t v = 0; v < half; v++)
            bad_bf += !zkr_ext_eq(
                zkr_ext_add(ev[2 * v], zkr_ext_mul(r, zkr_ext_sub(ev[2 * v + 1], ev[2 * v]))), o1[v]);
    }
    zkr_tap_ok(t, bad_bf == 0 && err == 0,
               "seam: Basefold coefficient and evaluation folds, base and extension: pcs.c's "
               "values (%d)", bad_bf);
    for (int base = 0; base < 2; base++) {
        q_ref[0] = q_ref[1] = zkr_ext_from(0);
        for (size_t i = 0; i < half; i++) {
            q_ref[0] = zkr_ext_add(q_ref[0], base ? zkr_ext_mul_base(s[i], gb[2 * i])
                                                  : zkr_ext_mul(s[i], ev[2 * i]));
            q_ref[1] = zkr_ext_add(q_ref[1], base ? zkr_ext_mul_base(s[i], gb[2 * i + 1])
                                                  : zkr_ext_mul(s[i], ev[2 * i + 1]));
        }
        err += acc->eq_q(acc->ctx, s, base ? gb : NULL, base ? NULL : ev, half, q) != ZKR_OK;
        bad_eq += !zkr_ext_eq(q[0], q_ref[0]) || !zkr_ext_eq(q[1], q_ref[1]);
    }
    zkr_tap_ok(t, bad_eq == 0 && err == 0, "seam: Basefold eq rounds, base and extension g");
    err += acc->frac_layer(acc->ctx, ev, o2 /* any values */, half, o1, s) != ZKR_OK;
    for (size_t x = 0; x < half; x++) {
        bad_l += !zkr_ext_eq(o1[x], zkr_ext_add(zkr_ext_mul(ev[x], o2[x + half]),
                                                zkr_ext_mul(ev[x + half], o2[x])));
        bad_l += !zkr_ext_eq(s[x], zkr_ext_mul(o2[x], o2[x + half]));
    }
    zkr_tap_ok(t, bad_l == 0 && err == 0, "seam: LogUp fraction-tree layer");
    zkr_tap_ok(t, zkr_accel_fallbacks(acc) == fb0, "seam: no call fell back to the CPU");
    {
        zkr_ext keep = q[0];
        zkr_sc_term big = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly bad_poly = {a, NT, &big, 1, ZKR_SC_MAX_DEGREE + 1, NULL};
        int refused = acc->eq_q(acc->ctx, s, gb, ev, half, q) == ZKR_ERR_USAGE &&
                      zkr_ext_eq(q[0], keep) &&
                      acc->fold_coef(acc->ctx, NULL, NULL, half, keep, o1) == ZKR_ERR_USAGE &&
                      acc->sc_round(acc->ctx, &bad_poly, 3, msg_b) == ZKR_ERR_USAGE;
        zkr_tap_ok(t, refused && zkr_accel_fallbacks(acc) == fb0 + 3,
                   "seam: misuse is refused with outputs untouched, and counted (%lu)",
                   zkr_accel_fallbacks(acc) - fb0);
    }
    for (unsigned k = 0; k < NT; k++) {
        free(a[k]);
        free(b[k]);
    }
    free(gb);
    free(o1);
    free(o2);
    free(ev);
    free(s);
}

/* Basefold commit + open, CPU vs accelerator. */
static void test_pcs(zkr_tap *t, const zkr_accel *acc)
{
    zkr_params pc, pa;
    int bad = 0, err = 0;

    if (zkr_params_get(ZKR_PARAM_SET_128, &pc) != ZKR_OK)
        abort();
    pa = pc;
    pa.accel = acc;
    for (unsigned n = 1; n <= 16; n += 3) {
        size_t len = (size_t)1 << n;
        zkr_gl *ev = malloc(len * sizeof *ev);
        zkr_ext pt[16];
        zkr_pcs_poly *a = NULL, *b = NULL;
        zkr_pcs_commitment ca, cb;
        zkr_transcript ta, tb;
        zkr_buf oa = {0}, ob = {0};
        uint8_t zero[32] = {0};
        if (!ev)
            abort();
        for (size_t i = 0; i < len; i++)
            ev[i] = rfe(t);
        for (unsigned i = 0; i < n; i++)
            pt[i] = rext(t);
        err += zkr_prover_commit(&pc, ev, n, 2, &a, &ca) != ZKR_OK;
        err += zkr_prover_commit(&pa, ev, n, 2, &b, &cb) != ZKR_OK;
        if (!err) {
            zkr_pcs_claim cl = {0, pt, zkr_ext_from(0)};
            zkr_pcs_poly *pp[1];
            bad += memcmp(&ca, &cb, sizeof ca) != 0;
            err += zkr_mle_eval_base(ev, n, pt, &cl.value) != ZKR_OK;
            zkr_ts_init(&ta, "test", 1, 1, 1, zero, zero);
            tb = ta;
            pp[0] = a;
            err += zkr_prover_open(&pc, &ta, pp, 1, &cl, 1, 2, &oa) != ZKR_OK;
            pp[0] = b;
            err += zkr_prover_open(&pa, &tb, pp, 1, &cl, 1, 2, &ob) != ZKR_OK;
            bad += oa.len != ob.len || memcmp(oa.p, ob.p, oa.len) != 0;
        }
        zkr_pcs_poly_free(a);
        zkr_pcs_poly_free(b);
        zkr_buf_free(&oa);
        zkr_buf_free(&ob);
        free(ev);
    }
    zkr_tap_ok(t, bad == 0 && err == 0,
               "Basefold commitments and openings (2^1..2^16) through the seam: same bytes");
}

/* A random dense model dims[0] -> ... (inference@1). */
static zkr_ml_model *make_model(zkr_tap *t, const uint32_t *dims, uint32_t nl, int8_t **w,
                                int32_t **bias, uint32_t **mult)
{
    zkr_ml_graph g;
    zkr_ml_qlayer q[4];
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
        w[l] = malloc((size_t)L->in_dim * L->out_dim);
        bias[l] = malloc(L->out_dim * sizeof(int32_t));
        mult[l] = malloc(L->out_dim * sizeof(uint32_t));
        if (!w[l] || !bias[l] || !mult[l])
            abort();
        for (size_t i = 0; i < (size_t)L->in_dim * L->out_dim; i++)
            w[l][i] = (int8_t)((int)(zkr_tap_rand(t) % 255) - 127);
        q[l].shift = 20;
        for (uint32_t j = 0; j < L->out_dim; j++) {
            bias[l][j] = (int32_t)(zkr_tap_rand(t) % 40001) - 20000;
            mult[l][j] = (uint32_t)(zkr_tap_rand(t) % (((uint64_t)1 << 14) / L->in_dim + 1));
        }
        q[l].w = w[l];
        q[l].bias = bias[l];
        q[l].mult = mult[l];
    }
    if (zkr_ml_model_encode(&g, q, &b, NULL) != ZKR_OK ||
        zkr_ml_model_decode(b.p, b.len, &m, NULL) != ZKR_OK)
        m = NULL;
    zkr_buf_free(&b);
    return m;
}

static zkr_err prove_inference(const zkr_params *p, const zkr_ml_model *m, const uint8_t *rec,
                               size_t rec_len, zkr_buf *proof)
{
    zkr_infer_model *im = NULL;
    uint8_t comm[32], sid[32];
    zkr_infer_record r;
    zkr_buf out = {0};
    zkr_err e;

    memset(&r, 0, sizeof r);
    memset(sid, 0x5a, sizeof sid);
    r.index = 0;
    r.n_records = 1;
    zkr_infer_record_commitment(rec, rec_len, r.root);
    r.record = rec;
    r.record_len = rec_len;
    if ((e = zkr_prover_infer_commit(p, m, 2, &im, comm, NULL)) == ZKR_OK)
        e = zkr_prover_inference_record(p, sid, im, &r, 2, proof, &out, NULL);
    if (e == ZKR_OK)
        e = zkr_buf_append(proof, comm, sizeof comm); /* the commitments must agree too */
    zkr_infer_model_free(im);
    zkr_buf_free(&out);
    return e;
}

static void test_inference(zkr_tap *t, const zkr_accel *acc)
{
    static const uint32_t dims[] = {64, 32, 16, 10};
    int8_t *w[4] = {0};
    int32_t *bias[4] = {0};
    uint32_t *mult[4] = {0};
    zkr_ml_model *m = make_model(t, dims, 3, w, bias, mult);
    zkr_params pc, pa;
    zkr_buf a = {0}, b = {0};
    uint8_t rec[65];
    zkr_err ea = ZKR_ERR_INTERNAL, eb = ZKR_ERR_INTERNAL;

    for (size_t i = 0; i < sizeof rec; i++)
        rec[i] = (uint8_t)zkr_tap_rand(t);
    rec[64] %= 10;
    if (m && zkr_params_get(ZKR_PARAM_SET_128, &pc) == ZKR_OK) {
        pa = pc;
        pa.accel = acc;
        ea = prove_inference(&pc, m, rec, sizeof rec, &a);
        eb = prove_inference(&pa, m, rec, sizeof rec, &b);
    }
    zkr_tap_ok(t, ea == ZKR_OK && eb == ZKR_OK && a.len == b.len && a.len > 0 &&
                      memcmp(a.p, b.p, a.len) == 0,
               "inference@1 64-32-16-10 through the seam: model commitment and proof byte-identical "
               "(%zu bytes)", a.len);
    zkr_buf_free(&a);
    zkr_buf_free(&b);
    zkr_ml_model_free(m);
    for (int l = 0; l < 4; l++) {
        free(w[l]);
        free(bias[l]);
        free(mult[l]);
    }
}

static zkr_err prove_training(const zkr_params *p, const zkr_ml_tmodel *parent,
                              const zkr_ml_tmodel *child, const zkr_infer_record *recs,
                              uint32_t batch, const zkr_ml_tstep_params *sp, zkr_buf *proof)
{
    zkr_train_model *tp = NULL, *tc = NULL;
    uint8_t pc[32], cc[32], sid[32];
    zkr_err e;

    memset(sid, 0x3c, sizeof sid);
    if ((e = zkr_prover_train_commit(p, parent, 2, &tp, pc, NULL)) == ZKR_OK &&
        (e = zkr_prover_train_commit(p, child, 2, &tc, cc, NULL)) == ZKR_OK &&
        (e = zkr_prover_train_step(p, sid, tp, tc, recs, batch, sp, 2, proof, NULL)) == ZKR_OK &&
        (e = zkr_buf_append(proof, pc, 32)) == ZKR_OK)
        e = zkr_buf_append(proof, cc, 32);
    zkr_train_model_free(tp);
    zkr_train_model_free(tc);
    return e;
}

static void test_training(zkr_tap *t, const zkr_accel *acc)
{
    enum { NREC = 8, IN = 16, BATCH = 4 };
    static const uint32_t dims[] = {IN, 8, 4};
    uint8_t recs[NREC][IN + 1], leaves[NREC][32], root[32], seed[32] = {9};
    uint8_t paths[BATCH][ZKR_MERKLE_MAX_DEPTH][32], inputs[BATCH * IN], labels[BATCH];
    zkr_infer_record r[BATCH];
    zkr_ml_graph g;
    zkr_ml_tmodel *parent = NULL, *child = NULL;
    zkr_ml_tstep_params sp = {4, 16}; /* small steps: every seed stays in bounds */
    zkr_params pc, pa;
    zkr_buf b = {0}, x = {0}, y = {0};
    zkr_err ea = ZKR_ERR_INTERNAL, eb = ZKR_ERR_INTERNAL;
    zkr_diag d = {0};
    int ok = 1;

    for (int i = 0; i < NREC; i++) {
        for (int k = 0; k < IN; k++)
            recs[i][k] = (uint8_t)zkr_tap_rand(t);
        recs[i][IN] = (uint8_t)(zkr_tap_rand(t) % 4);
        zkr_infer_record_commitment(recs[i], IN + 1, leaves[i]);
    }
    ok &= zkr_merkle_root((const uint8_t(*)[32])leaves, NREC, root) == ZKR_OK;
    for (int i = 0; i < BATCH; i++) {
        size_t pl = 0;
        uint64_t idx = (uint64_t)(1 + 2 * i);
        ok &= zkr_merkle_inclusion_proof((const uint8_t(*)[32])leaves, NREC, idx, paths[i], &pl) ==
              ZKR_OK;
        memset(&r[i], 0, sizeof r[i]);
        r[i].index = idx;
        r[i].n_records = NREC;
        memcpy(r[i].root, root, 32);
        r[i].record = recs[idx];
        r[i].record_len = IN + 1;
        r[i].path = (const uint8_t(*)[32])paths[i];
        r[i].path_len = pl;
        memcpy(inputs + i * IN, recs[idx], IN);
        labels[i] = recs[idx][IN];
    }
    ok &= zkr_ml_tprogram_make(dims, 3, &g, &d) == ZKR_OK;
    ok &= ok && zkr_ml_tmodel_init(&g, seed, &b, &d) == ZKR_OK;
    ok &= ok && zkr_ml_tmodel_decode(b.p, b.len, &parent, &d) == ZKR_OK;
    ok &= ok && zkr_ml_train_step(parent, inputs, sizeof inputs, labels, BATCH, &sp, &b, NULL,
                                  &d) == ZKR_OK;
    ok &= ok && zkr_ml_tmodel_decode(b.p, b.len, &child, &d) == ZKR_OK;
    if (!ok)
        zkr_tap_diag("training fixture: %s", d.msg);
    if (ok && zkr_params_get(ZKR_PARAM_SET_128, &pc) == ZKR_OK) {
        pa = pc;
        pa.accel = acc;
        ea = prove_training(&pc, parent, child, r, BATCH, &sp, &x);
        eb = prove_training(&pa, parent, child, r, BATCH, &sp, &y);
    }
    zkr_tap_ok(t, ea == ZKR_OK && eb == ZKR_OK && x.len == y.len && x.len > 0 &&
                      memcmp(x.p, y.p, x.len) == 0,
               "training-step@1 16-8-4 batch 4 through the seam: commitments and proof "
               "byte-identical (%zu bytes; %d %d)", x.len, (int)ea, (int)eb);
    zkr_buf_free(&b);
    zkr_buf_free(&x);
    zkr_buf_free(&y);
    zkr_ml_tmodel_free(parent);
    zkr_ml_tmodel_free(child);
}

/*
 * The prover under the GPU worker's policy: this program is its own worker
 * binary (like zkreg); the kind proves inference@1 with the host-bodies
 * accelerator under prover-cuda (seccomp, required Landlock, the GPU
 * variant's limits), and the proof must be the CPU's. The request is the
 * record; the model is rebuilt from a fixed seed on both sides.
 */
static const uint32_t gpu_dims[] = {64, 32, 16, 10};

static zkr_ml_model *gpu_model(int8_t **w, int32_t **bias, uint32_t **mult)
{
    zkr_tap seeded; /* not zkr_tap_init: a worker's stdout is its reply pipe */

    memset(&seeded, 0, sizeof seeded);
    seeded.rng = 77;
    return make_model(&seeded, gpu_dims, 3, w, bias, mult);
}

static void gpu_model_free(zkr_ml_model *m, int8_t **w, int32_t **bias, uint32_t **mult)
{
    zkr_ml_model_free(m);
    for (int l = 0; l < 4; l++) {
        free(w[l]);
        free(bias[l]);
        free(mult[l]);
    }
}

static zkr_err worker_prove_host(const uint8_t *req, size_t len, zkr_buf *reply, zkr_diag *d)
{
    int8_t *w[4] = {0};
    int32_t *bias[4] = {0};
    uint32_t *mult[4] = {0};
    zkr_ml_model *m = gpu_model(w, bias, mult);
    zkr_accel *acc = NULL;
    zkr_params p;
    zkr_err r = ZKR_ERR_INTERNAL;

    if (len != 65 || !m)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "test_cuda worker: bad request");
    else if ((r = zkr_accel_host_new(&acc)) == ZKR_OK &&
             (r = zkr_params_get(ZKR_PARAM_SET_128, &p)) == ZKR_OK) {
        p.accel = acc;
        r = prove_inference(&p, m, req, len, reply);
    }
    zkr_accel_free(acc);
    gpu_model_free(m, w, bias, mult);
    return r;
}

static const zkr_worker_kind gpu_workers[] = {
    {"prove-host-gpu-policy", ZKR_SANDBOX_POLICY_PROVER_CUDA, worker_prove_host,
     "test: inference@1 through the host bodies under prover-cuda", NULL},
    {NULL, 0, NULL, NULL, NULL},
};

static void test_gpu_policy_proof(zkr_tap *t)
{
    int8_t *w[4] = {0};
    int32_t *bias[4] = {0};
    uint32_t *mult[4] = {0};
    zkr_ml_model *m = gpu_model(w, bias, mult);
    uint8_t rec[65];
    zkr_params p;
    zkr_buf cpu = {0}, reply = {0};
    zkr_sandbox_result res;
    zkr_diag d = {0};
    zkr_err r = ZKR_ERR_INTERNAL;

    for (size_t i = 0; i < sizeof rec; i++)
        rec[i] = (uint8_t)zkr_tap_rand(t);
    rec[64] %= 10;
    if (m && zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
        prove_inference(&p, m, rec, sizeof rec, &cpu) == ZKR_OK)
        r = zkr_sandbox_call(gpu_workers, "prove-host-gpu-policy", NULL, rec, sizeof rec, &reply,
                             &res, &d);
    zkr_tap_ok(t, r == ZKR_OK && reply.len == cpu.len && cpu.len > 0 &&
                      memcmp(reply.p, cpu.p, cpu.len) == 0 &&
                      (res.confinement & ZKR_SANDBOX_C_SECCOMP) &&
                      (res.confinement & ZKR_SANDBOX_C_LANDLOCK),
               "inference@1 through the host bodies in a worker under prover-cuda: the CPU's "
               "bytes (%s%s)", r == ZKR_OK ? "ok" : d.msg, r == ZKR_OK ? "" : res.log);
    zkr_buf_free(&cpu);
    zkr_buf_free(&reply);
    gpu_model_free(m, w, bias, mult);
}

static void test_select(zkr_tap *t)
{
    zkr_backend b;
    zkr_accel *a = (zkr_accel *)&b;
    zkr_diag d = {0};
    zkr_cuda_info info;
    zkr_err r;

    zkr_cuda_probe(&info);
    zkr_tap_diag("CUDA backend built: %d, runtime %d, driver %d, devices %d (%s)", info.built,
                 info.runtime_version, info.driver_version, info.n_devices, info.why);
    zkr_tap_ok(t, zkr_backend_parse("auto", &b, NULL) == ZKR_OK && b == ZKR_BACKEND_AUTO &&
                      zkr_backend_parse("cpu", &b, NULL) == ZKR_OK && b == ZKR_BACKEND_CPU &&
                      zkr_backend_parse("cuda", &b, NULL) == ZKR_OK && b == ZKR_BACKEND_CUDA,
               "backend names parse");
    r = zkr_backend_parse("gpu", &b, &d);
    zkr_tap_ok(t, r == ZKR_ERR_USAGE && strstr(d.msg, "gpu") != NULL,
               "an unknown backend is a usage error naming it (%s)", d.msg);
    zkr_tap_ok(t, zkr_accel_open(ZKR_BACKEND_CPU, &a, NULL) == ZKR_OK && a == NULL,
               "--backend cpu: no accelerator");
    if (info.n_devices > 0) {
        /* A GPU machine: bench/cuda_check covers the device; here only the shape. */
        r = zkr_accel_open(ZKR_BACKEND_CUDA, &a, NULL);
        zkr_tap_ok(t, r == ZKR_OK && a != NULL, "a device is present: --backend cuda opens it");
        zkr_accel_free(a);
        return;
    }
    a = (zkr_accel *)&b;
    zkr_tap_ok(t, zkr_accel_open(ZKR_BACKEND_AUTO, &a, NULL) == ZKR_OK && a == NULL,
               "no device: --backend auto falls back to the CPU silently");
    memset(&d, 0, sizeof d);
    a = (zkr_accel *)&b;
    r = zkr_accel_open(ZKR_BACKEND_CUDA, &a, &d);
    zkr_tap_ok(t, r == ZKR_ERR_UNSUPPORTED && a == NULL && strstr(d.msg, "no usable CUDA device"),
               "no device: --backend cuda is refused (%s)", d.msg);
}

/*
 * The host-bodies accelerator behind a counter, so that the proof tests
 * also show the prover really went through the seam (equal bytes alone
 * would pass if it ignored the accelerator): every function must be used.
 */
typedef struct {
    const zkr_accel *inner;
    unsigned long n[8];
    unsigned long fallbacks; /* the inner accelerator's count at the last check */
} counting;

enum { C_LDE, C_MTREE, C_SC_ROUND, C_SC_FOLD, C_FOLD_COEF, C_FOLD_EVAL, C_EQ_Q, C_FRAC };
static const char *const count_names[8] = {"encodings", "trees", "sumcheck rounds",
                                           "sumcheck folds", "coefficient folds",
                                           "evaluation folds", "eq rounds", "LogUp layers"};

static zkr_err count_lde(void *ctx, const zkr_gl *c, unsigned log_n, unsigned lb, zkr_gl shift,
                         zkr_gl *out)
{
    counting *k = ctx;
    k->n[C_LDE]++;
    return k->inner->lde(k->inner->ctx, c, log_n, lb, shift, out);
}

static zkr_err count_mtree(void *ctx, const uint64_t *w, uint64_t nl, size_t lw,
                           const uint8_t seed[32], zkr_mtree *out)
{
    counting *k = ctx;
    k->n[C_MTREE]++;
    return k->inner->mtree_build(k->inner->ctx, w, nl, lw, seed, out);
}

static zkr_err count_sc_round(void *ctx, const zkr_sc_poly *f, unsigned n_cur, zkr_ext *msg)
{
    counting *k = ctx;
    k->n[C_SC_ROUND]++;
    return k->inner->sc_round(k->inner->ctx, f, n_cur, msg);
}

static zkr_err count_sc_fold(void *ctx, const zkr_sc_poly *f, unsigned n_cur, zkr_ext r)
{
    counting *k = ctx;
    k->n[C_SC_FOLD]++;
    return k->inner->sc_fold(k->inner->ctx, f, n_cur, r);
}

static zkr_err count_fold_coef(void *ctx, const zkr_gl *b, const zkr_ext *in, size_t half,
                               zkr_ext r, zkr_ext *out)
{
    counting *k = ctx;
    k->n[C_FOLD_COEF]++;
    return k->inner->fold_coef(k->inner->ctx, b, in, half, r, out);
}

static zkr_err count_fold_eval(void *ctx, const zkr_gl *b, const zkr_ext *in, size_t half,
                               zkr_ext r, zkr_ext *out)
{
    counting *k = ctx;
    k->n[C_FOLD_EVAL]++;
    return k->inner->fold_eval(k->inner->ctx, b, in, half, r, out);
}

static zkr_err count_eq_q(void *ctx, const zkr_ext *s, const zkr_gl *gb, const zkr_ext *g,
                          size_t half, zkr_ext q[2])
{
    counting *k = ctx;
    k->n[C_EQ_Q]++;
    return k->inner->eq_q(k->inner->ctx, s, gb, g, half, q);
}

static zkr_err count_frac(void *ctx, const zkr_ext *p, const zkr_ext *q, size_t h, zkr_ext *po,
                          zkr_ext *qo)
{
    counting *k = ctx;
    k->n[C_FRAC]++;
    return k->inner->frac_layer(k->inner->ctx, p, q, h, po, qo);
}

/* want: bit i set when function i must have been called (LogUp is not in Basefold alone). */
static void seam_used(zkr_tap *t, counting *k, const char *what, unsigned want)
{
    char line[400];
    size_t used = 0;
    int ok = zkr_accel_fallbacks(k->inner) == k->fallbacks;

    line[0] = '\0';
    for (int i = 0; i < 8; i++) {
        int n = snprintf(line + used, sizeof line - used, "%s%lu %s", i ? ", " : "", k->n[i],
                         count_names[i]);
        if (n > 0 && (size_t)n < sizeof line - used)
            used += (size_t)n;
        if ((want >> i) & 1u)
            ok &= k->n[i] > 0;
    }
    zkr_tap_ok(t, ok, "%s went through every seam function it uses, no fallback (%s)", what, line);
    memset(k->n, 0, sizeof k->n);
    k->fallbacks = zkr_accel_fallbacks(k->inner);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_accel *host = NULL, cacc, *acc = &cacc;
    counting cnt = {0};

    if (argc > 1 && strcmp(argv[1], ZKR_SANDBOX_WORKER_ARG) == 0)
        zkr_sandbox_worker_main(gpu_workers, argc - 1, argv + 1);
    zkr_tap_init(&t, argc, argv);
    if (zkr_accel_host_new(&host) != ZKR_OK)
        abort();
    cnt.inner = host;
    cacc = (zkr_accel){"counting host-bodies", &cnt,  count_lde,       count_mtree,
                       count_sc_round,         count_sc_fold, count_fold_coef, count_fold_eval,
                       count_eq_q,             count_frac};
    test_field(&t);
    test_lde(&t, acc);
    test_merkle(&t, acc);
    test_fold_sc(&t);
    test_seam_ops(&t, host);
    memset(cnt.n, 0, sizeof cnt.n);
    cnt.fallbacks = zkr_accel_fallbacks(host);
    test_pcs(&t, acc);
    /* one claim on one polynomial: no batching sumcheck, no LogUp */
    seam_used(&t, &cnt, "Basefold commit+open", 0x73u);
    test_inference(&t, acc);
    seam_used(&t, &cnt, "inference@1", 0xffu);
    test_training(&t, acc);
    seam_used(&t, &cnt, "training-step@1", 0xffu);
    test_gpu_policy_proof(&t);
    test_select(&t);
    zkr_accel_free(host);
    return zkr_tap_done(&t);
}
