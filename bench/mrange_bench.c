/*
 * mrange_bench: the private model's range proof (zk/model_range.h) for a
 * 784-128-10 dense int8 model committed as `zkreg model commit` does
 * (budget 64 + 1): prove, verify, size, soundness. Random weights in
 * -127..127, biases and multipliers of realistic size.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/mrange_bench
 *   ZKR_BENCH_CPU=1 ./build-rel/bench/mrange_bench [threads]     # default 1
 *   ZKR_BENCH_SET=1..4: the parameter set (default 1, goldilocks-128)
 *
 * Prove is one run (each opens W' once); verify is the best of 3. Times are
 * wall clock, or process CPU time (all threads) with ZKR_BENCH_CPU=1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "prover/model_range.h"

static int use_cpu;
static double now(void)
{
    struct timespec ts;
    clock_gettime(use_cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A 784-128-10 model (ReLU hidden layer, shift 24). */
static zkr_ml_model *make_model(void)
{
    static const uint32_t dims[3] = {784, 128, 10};
    static int8_t w0[784 * 128], w1[128 * 10];
    static int32_t b0[128], b1[10];
    static uint32_t m0[128], m1[10];
    int8_t *w[2] = {w0, w1};
    int32_t *b[2] = {b0, b1};
    uint32_t *m[2] = {m0, m1};
    zkr_ml_graph g;
    zkr_ml_qlayer q[2];
    zkr_buf enc = {0};
    zkr_ml_model *out = NULL;
    zkr_diag d = {0};

    memset(&g, 0, sizeof g);
    g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g.input_dim = 784;
    g.n_layers = 2;
    for (uint32_t l = 0; l < 2; l++) {
        g.layers[l].op = ZKR_ML_OP_DENSE;
        g.layers[l].act = l == 0 ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE;
        g.layers[l].in_dim = dims[l];
        g.layers[l].out_dim = dims[l + 1];
        for (size_t i = 0; i < (size_t)dims[l] * dims[l + 1]; i++)
            w[l][i] = (int8_t)((int)(rnd() % 255) - 127);
        for (uint32_t j = 0; j < dims[l + 1]; j++) {
            b[l][j] = (int32_t)(rnd() % 2000001) - 1000000;
            m[l][j] = 1000 + (uint32_t)(rnd() % 60000);
        }
        q[l].w = w[l];
        q[l].bias = b[l];
        q[l].mult = m[l];
        q[l].shift = 24;
    }
    if (zkr_ml_model_encode(&g, q, &enc, &d) != ZKR_OK ||
        zkr_ml_model_decode(enc.p, enc.len, &out, &d) != ZKR_OK)
        fprintf(stderr, "model: %s\n", d.msg);
    zkr_buf_free(&enc);
    return out;
}

int main(int argc, char **argv)
{
    unsigned threads = argc > 1 ? (unsigned)zkr_bench_arg("threads", argv[1], 1, 16) : 1;
    uint8_t open[ZKR_INFER2_OPENING_BYTES];
    zkr_hpcs_poly *w[2];
    zkr_infer2_model *im = NULL;
    zkr_infer2_model_commitment mc;
    zkr_mrange_dims dims = {2, {784, 128}, {128, 10}};
    zkr_buf enc = {0}, pf = {0};
    zkr_ml_model *m;
    zkr_params p;
    zkr_diag d = {0};
    zkr_soundness s;
    unsigned n_open = 0;
    uint32_t set = ZKR_PARAM_SET_128;
    double t, prove, verify = 1e9;
    int ok;

    use_cpu = getenv("ZKR_BENCH_CPU") != NULL;
    if (getenv("ZKR_BENCH_SET"))
        set = (uint32_t)zkr_bench_arg("ZKR_BENCH_SET", getenv("ZKR_BENCH_SET"), 1, 4);
    if (zkr_params_get(set, &p) != ZKR_OK || !(m = make_model()) ||
        zkr_prover_infer2_commit(&p, m, 65, NULL, 0, threads, &im, &enc, open, &d) != ZKR_OK ||
        zkr_infer2_mc_decode(&p, enc.p, enc.len, &mc) != ZKR_OK) {
        fprintf(stderr, "commit: %s\n", d.msg);
        return 1;
    }
    w[0] = zkr_infer2_model_layer_poly(im, 0);
    w[1] = zkr_infer2_model_layer_poly(im, 1);
    t = now();
    ok = zkr_prover_mrange(&p, enc.p, enc.len, &dims, w, NULL, 0, threads, &pf, &d) == ZKR_OK;
    prove = now() - t;
    for (int i = 0; ok && i < 3; i++) {
        t = now();
        ok = zkr_mrange_verify(&p, enc.p, enc.len, &dims, pf.p, pf.len, &d) == ZKR_OK;
        t = now() - t;
        verify = t < verify ? t : verify;
    }
    s = zkr_mrange_soundness(&p, &mc, &n_open);
    printf("| %-30s | %8s | %9s | %9s | %8s |\n", "784-128-10", "prove s", "verify ms",
           "proof KiB", "bits");
    printf("|---|---|---|---|---|\n");
    printf("| %-30s | %8.2f | %9.1f | %9.1f | %8.2f |%s\n", "model range proof (2 layers)",
           prove, verify * 1e3, (double)pf.len / 1024.0, s.provable_bits,
           ok ? "" : " FAILED");
    printf("(%u hiding openings, %.1f conjectured bits, %u thread(s), %s; set %u: %u queries, "
           "%u grinding bits a set-level opening)\n", n_open, s.conjectured_bits, threads,
           use_cpu ? "CPU time" : "wall clock", set, p.queries, p.pow_bits);
    if (!ok)
        fprintf(stderr, "%s\n", d.msg);
    zkr_buf_free(&pf);
    zkr_buf_free(&enc);
    zkr_infer2_model_free(im);
    zkr_ml_model_free(m);
    return ok ? 0 : 1;
}
