/*
 * ginfer_bench: graph-inference@1 (proof kind 10) on LeNet-5 (1x28x28, conv
 * 6@5x5 pad 2, max pool, conv 16@5x5, max pool, dense 120-84-10, ReLU):
 * native inference, the one-time model commitment, prove, verify, proof
 * size and peak RSS. Random int8 weights (M scaled to the fan-in, shift 20)
 * and a random input; prove time does not depend on accuracy.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/ginfer_bench
 *   ./build-rel/bench/ginfer_bench [threads]       # default 1
 *
 * Times are the best of 5 runs, wall clock; with ZKR_BENCH_CPU=1 process
 * CPU time (all threads summed), the stable figure on a shared machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "prover/ginfer.h"
#include "verifier/ginfer.h"

static int use_cpu;
static double now(void)
{
    struct timespec ts;
    clock_gettime(use_cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static uint64_t rng = 0x1234567;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint32_t add_node(zkr_ml_gprog *g, zkr_ml_gnode n)
{
    uint32_t i = g->n_nodes++;

    g->nodes[i] = n;
    if (zkr_ml_gprog_set_shape(g, i, NULL) != ZKR_OK)
        abort();
    return i;
}

static void lenet(zkr_ml_gprog *g)
{
    uint32_t c1, p1, c2, p2, f1, f2;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 28, .w = 28};
    g->n_nodes = 1;
    c1 = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                    .c = 6, .kh = 5, .kw = 5, .sh = 1, .sw = 1, .pt = 2, .pl = 2,
                                    .pb = 2, .pr = 2, .dh = 1, .dw = 1, .groups = 1});
    p1 = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c1}, .kh = 2,
                                    .kw = 2, .sh = 2, .sw = 2});
    c2 = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                    .in = {p1}, .c = 16, .kh = 5, .kw = 5, .sh = 1, .sw = 1,
                                    .dh = 1, .dw = 1, .groups = 1});
    p2 = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c2}, .kh = 2,
                                    .kw = 2, .sh = 2, .sw = 2});
    f1 = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                    .in = {p2}, .c = 120});
    f2 = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                    .in = {f1}, .c = 84});
    (void)add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {f2}, .c = 10});
}

int main(int argc, char **argv)
{
    static zkr_ml_gprog g;
    static zkr_ginf_params mp;
    zkr_ginf_model_in in;
    int8_t *w[ZKR_ML_G_MAX_NODES] = {0};
    int64_t *b[ZKR_ML_G_MAX_NODES] = {0}, *m[ZKR_ML_G_MAX_NODES] = {0};
    unsigned long threads = 1;
    char *end = NULL;
    zkr_params p;
    zkr_ginf_model *gm = NULL;
    zkr_pcs_commitment comm;
    zkr_verifier_ginf_statement st;
    zkr_buf proof = {0}, out = {0};
    uint8_t input[784], sid[ZKR_DIGEST_BYTES] = {1};
    int8_t y[10];
    double t0, native = 1e9, commit, prove = 1e9, verify = 1e9;
    int rc = 1;

    use_cpu = getenv("ZKR_BENCH_CPU") && strcmp(getenv("ZKR_BENCH_CPU"), "1") == 0;
    if (argc > 1) {
        threads = strtoul(argv[1], &end, 10);
        if (end == argv[1] || *end != '\0' || threads < 1 || threads > 16) {
            fprintf(stderr, "usage: ginfer_bench [THREADS 1..16]\n");
            return 2;
        }
    }
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 2;
    lenet(&g);
    memset(&in, 0, sizeof in);
    for (uint32_t i = 1; i < g.n_nodes; i++) {
        const zkr_ml_gnode *n = &g.nodes[i];
        uint32_t fan = zkr_ml_gprog_fanin(&g, i);
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        w[i] = malloc((size_t)n->c * fan);
        b[i] = malloc(n->c * sizeof **b);
        m[i] = malloc(n->c * sizeof **m);
        for (size_t k = 0; k < (size_t)n->c * fan; k++)
            w[i][k] = (int8_t)((int)(rnd() % 255) - 127);
        for (uint32_t c = 0; c < n->c; c++) {
            b[i][c] = (int64_t)(rnd() % 20001) - 10000;
            m[i][c] = (int64_t)((1u << 20) / (fan * 40u) + rnd() % 64);
        }
        mp.shift[i] = 20;
        in.w[i] = w[i], in.b[i] = b[i], in.m[i] = m[i];
    }
    in.g = &g;
    in.mp = &mp;
    for (size_t k = 0; k < sizeof input; k++)
        input[k] = (uint8_t)rnd();
    for (int r = 0; r < 5; r++) {
        t0 = now();
        if (zkr_ginf_native(&in, input, y, 10) != ZKR_OK)
            goto out;
        native = now() - t0 < native ? now() - t0 : native;
    }
    t0 = now();
    if (zkr_prover_ginf_commit(&p, &in, threads, &gm, &comm, NULL) != ZKR_OK)
        goto out;
    commit = now() - t0;
    for (int r = 0; r < 5; r++) {
        double dt;
        t0 = now();
        if (zkr_prover_ginf(&p, sid, gm, input, sizeof input, threads, &proof, &out, NULL) != ZKR_OK)
            goto out;
        dt = now() - t0;
        prove = dt < prove ? dt : prove;
    }
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = &g;
    st.mp = &mp;
    st.model = comm;
    st.input = input;
    st.input_len = sizeof input;
    st.output = y;
    st.output_n = 10;
    for (int r = 0; r < 5; r++) {
        double dt;
        t0 = now();
        if (zkr_verify_ginf(proof.p, proof.len, &st, NULL) != ZKR_OK)
            goto out;
        dt = now() - t0;
        verify = dt < verify ? dt : verify;
    }
    printf("| network | threads | native | commit (once) | prove | verify | proof | peak RSS |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    printf("| LeNet-5 (%s) | %lu | %.2f ms | %.3f s | %.3f s | %.1f ms | %.0f KiB | %.0f MiB |\n",
           use_cpu ? "CPU time" : "wall", threads, native * 1e3, commit, prove, verify * 1e3,
           proof.len / 1024.0, peak_kib() / 1024.0);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "ginfer_bench: failed\n");
    zkr_ginf_model_free(gm);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        free(w[i]);
        free(b[i]);
        free(m[i]);
    }
    return rc;
}
