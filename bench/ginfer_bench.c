/*
 * ginfer_bench: graph-inference@1 (proof kind 10) on LeNet-5 (1x28x28, conv
 * 6@5x5 pad 2, max pool, conv 16@5x5, max pool, dense 120-84-10, ReLU),
 * CNN-264k (DeepProve's shape: 1x28x28, conv 32@3x3, pool, conv 64@3x3,
 * pool, conv 64@3x3, dense 64-64-10, 261,322 parameters) and VGG-16 with
 * CIFAR-10 shapes (3x32x32, 13 3x3 convs, 5 max pools, dense 512-512-10,
 * 15,245,130 parameters): native inference, the one-time model
 * commitment, prove (per proof, the model committed once), verify, proof
 * size, peak RSS and prove including the commitment (commit + prove: a
 * model proven once). Random int8 weights from a fixed seed (M scaled to
 * the fan-in, shift 20) and a random input; prove time does not depend on
 * accuracy. Each (network, threads) runs in its own child process, so
 * peak RSS is that run's.
 *
 *   meson setup build-rel --buildtype=release -Dtest_hooks=false
 *   ninja -C build-rel bench/ginfer_bench
 *   ./build-rel/bench/ginfer_bench [THREADS|all] [lenet5|cnn264k|vgg16|all]
 *
 * Defaults: 1 thread, LeNet-5; "all" threads is 1 then 2. Every time is
 * given twice: process CPU time (all threads summed; the stable figure on
 * a shared machine) and wall clock. Best of 5 runs (LeNet-5, CNN-264k) or
 * of 1 (VGG-16); verify is the best of 5 for every network. Run VGG-16
 * under `ulimit -v $((16 << 20))` to hold it to the 16 GiB.
 * ZKR_BENCH_DIGEST=1 also prints the first 8 bytes of the last proof's
 * SHA-256 (on stderr): a prover-only optimization must keep them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench/bench_util.h"
#include "prover/ginfer.h"
#include "verifier/ginfer.h"

#include "bench/gnets.h"

#include <sys/wait.h>
#include <unistd.h>

/* A point in time on both clocks. */
typedef struct {
    double cpu, wall;
} tick;

static double clk(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static tick now(void)
{
    return (tick){clk(CLOCK_PROCESS_CPUTIME_ID), clk(CLOCK_MONOTONIC)};
}

/* Keeps the smaller of best and the time since t0 (per clock). */
static void best_of(tick *best, tick t0)
{
    tick t1 = now();
    if (t1.cpu - t0.cpu < best->cpu)
        best->cpu = t1.cpu - t0.cpu;
    if (t1.wall - t0.wall < best->wall)
        best->wall = t1.wall - t0.wall;
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

static void lenet(zkr_ml_gprog *g)
{
    uint32_t c1, p1, c2, p2, f1, f2;

    gn_input(g, 1, 28);
    c1 = gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                    .c = 6, .kh = 5, .kw = 5, .sh = 1, .sw = 1, .pt = 2, .pl = 2,
                                    .pb = 2, .pr = 2, .dh = 1, .dw = 1, .groups = 1});
    p1 = gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c1}, .kh = 2,
                                    .kw = 2, .sh = 2, .sw = 2});
    c2 = gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                    .in = {p1}, .c = 16, .kh = 5, .kw = 5, .sh = 1, .sw = 1,
                                    .dh = 1, .dw = 1, .groups = 1});
    p2 = gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c2}, .kh = 2,
                                    .kw = 2, .sh = 2, .sw = 2});
    f1 = gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                    .in = {p2}, .c = 120});
    f2 = gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                    .in = {f1}, .c = 84});
    (void)gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {f2}, .c = 10});
}

typedef struct {
    const char *name;
    void (*build)(zkr_ml_gprog *g);
    int reps;
} net;

static const net nets[] = {
    {"LeNet-5", lenet, 5}, {"CNN-264k", gn_cnn264k, 5}, {"VGG-16", gn_vgg16, 1}};

/* One (network, threads) run: prints its table row. Returns 0 or 1. */
static int bench(const net *nt, unsigned threads)
{
    static zkr_ml_gprog g;
    static zkr_ginf_params mp;
    zkr_ginf_model_in in;
    int8_t *w[ZKR_ML_G_MAX_NODES] = {0};
    int64_t *b[ZKR_ML_G_MAX_NODES] = {0}, *m[ZKR_ML_G_MAX_NODES] = {0};
    zkr_params p;
    zkr_ginf_model *gm = NULL;
    zkr_pcs_commitment comm;
    zkr_verifier_ginf_statement st;
    zkr_diag d;
    zkr_buf proof = {0}, out = {0};
    uint8_t *x = NULL, sid[ZKR_DIGEST_BYTES] = {1};
    int8_t *y = NULL;
    size_t nx, ny;
    uint64_t params = 0;
    tick t0, native = {1e9, 1e9}, commit = {1e9, 1e9}, prove = {1e9, 1e9}, verify = {1e9, 1e9};
    int rc = 1;

    memset(&d, 0, sizeof d);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    nt->build(&g);
    memset(&in, 0, sizeof in);
    memset(&mp, 0, sizeof mp);
    for (uint32_t i = 1; i < g.n_nodes; i++) {
        const zkr_ml_gnode *n = &g.nodes[i];
        uint32_t fan = zkr_ml_gprog_fanin(&g, i);
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        w[i] = malloc((size_t)n->c * fan);
        b[i] = malloc(n->c * sizeof **b);
        m[i] = malloc(n->c * sizeof **m);
        if (!w[i] || !b[i] || !m[i])
            goto out;
        for (size_t k = 0; k < (size_t)n->c * fan; k++)
            w[i][k] = (int8_t)((int)(rnd() % 255) - 127);
        for (uint32_t c = 0; c < n->c; c++) {
            b[i][c] = (int64_t)(rnd() % 20001) - 10000;
            m[i][c] = (int64_t)((1u << 20) / (fan * 40u) + rnd() % 64);
        }
        params += (uint64_t)n->c * (fan + 1);
        mp.shift[i] = 20;
        in.w[i] = w[i], in.b[i] = b[i], in.m[i] = m[i];
    }
    in.g = &g;
    in.mp = &mp;
    zkr_ginf_params_bound(&in, &mp); /* the widths register-model derives from the model */
    nx = (size_t)g.nodes[0].c * g.nodes[0].h * g.nodes[0].w;
    ny = (size_t)g.nodes[g.n_nodes - 1].c * g.nodes[g.n_nodes - 1].h * g.nodes[g.n_nodes - 1].w;
    if (!(x = malloc(nx)) || !(y = malloc(ny)))
        goto out;
    for (size_t k = 0; k < nx; k++)
        x[k] = (uint8_t)rnd();
    for (int r = 0; r < nt->reps; r++) {
        t0 = now();
        if (zkr_ginf_native(&in, x, y, ny) != ZKR_OK)
            goto out;
        best_of(&native, t0);
    }
    t0 = now();
    if (zkr_prover_ginf_commit(&p, &in, threads, &gm, &comm, &d) != ZKR_OK)
        goto out;
    best_of(&commit, t0);
    for (int r = 0; r < nt->reps; r++) {
        t0 = now();
        if (zkr_prover_ginf(&p, sid, gm, x, nx, threads, &proof, &out, &d) != ZKR_OK)
            goto out;
        best_of(&prove, t0);
    }
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = &g;
    st.mp = &mp;
    st.model = comm;
    st.input = x;
    st.input_len = nx;
    st.output = y;
    st.output_n = (uint32_t)ny;
    for (int r = 0; r < 5; r++) {
        t0 = now();
        if (zkr_verify_ginf(proof.p, proof.len, &st, &d) != ZKR_OK)
            goto out;
        best_of(&verify, t0);
    }
    if (getenv("ZKR_BENCH_DIGEST")) {
        uint8_t h[32];
        zkr_sha256(proof.p, proof.len, h);
        fprintf(stderr, "%s, %u threads: proof sha256 %02x%02x%02x%02x%02x%02x%02x%02x...\n",
                nt->name, threads, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
    }
    printf("| %s (%.2fM) | %u | %.2f / %.2f ms | %.2f / %.2f s | %.3f / %.3f s | "
           "%.1f / %.1f ms | %.0f KiB | %.0f MiB | %.3f / %.3f s |\n",
           nt->name, params / 1e6, threads, native.cpu * 1e3, native.wall * 1e3, commit.cpu,
           commit.wall, prove.cpu, prove.wall, verify.cpu * 1e3, verify.wall * 1e3,
           proof.len / 1024.0, peak_kib() / 1024.0, commit.cpu + prove.cpu,
           commit.wall + prove.wall);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "ginfer_bench: %s with %u threads failed: %s\n", nt->name, threads,
                d.msg[0] ? d.msg : "see the code");
    zkr_ginf_model_free(gm);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    free(x);
    free(y);
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        free(w[i]);
        free(b[i]);
        free(m[i]);
    }
    return rc;
}

int main(int argc, char **argv)
{
    unsigned long t_lo = 1, t_hi = 1;
    size_t n_lo = 0, n_hi = 0;
    char *end = NULL;
    int rc = 0;

    if (argc > 1 && strcmp(argv[1], "all") == 0) {
        t_hi = 2;
    } else if (argc > 1) {
        t_lo = t_hi = strtoul(argv[1], &end, 10);
        if (end == argv[1] || *end != '\0' || t_lo < 1 || t_lo > 16)
            goto usage;
    }
    if (argc > 2) {
        if (strcmp(argv[2], "all") == 0) {
            n_hi = sizeof nets / sizeof *nets - 1;
        } else {
            for (n_lo = 0; n_lo < sizeof nets / sizeof *nets; n_lo++)
                if (strcmp(argv[2], (const char *[]){"lenet5", "cnn264k", "vgg16"}[n_lo]) == 0)
                    break;
            if (n_lo == sizeof nets / sizeof *nets)
                goto usage;
            n_hi = n_lo;
        }
    }
    if (argc > 3)
        goto usage;
    printf("| network (params) | threads | native (CPU / wall) | commit, once (CPU / wall) | "
           "prove (CPU / wall) | verify (CPU / wall) | proof | peak RSS | "
           "prove incl. commit (CPU / wall) |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    for (size_t k = n_lo; k <= n_hi; k++)
        for (unsigned long t = t_lo; t <= t_hi; t++) {
            /* A child per run: its peak RSS is this run's alone. */
            int st = 0;
            pid_t pid = fork();
            if (pid < 0)
                return 1;
            if (pid == 0) {
                int r = bench(&nets[k], (unsigned)t);
                fflush(stdout);
                _exit(r);
            }
            if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "ginfer_bench: %s with %lu threads: no result (status %d)\n",
                        nets[k].name, t, st);
                rc = 1;
            }
        }
    return rc;
usage:
    fprintf(stderr, "usage: ginfer_bench [THREADS 1..16 | all] [lenet5 | cnn264k | vgg16 | all]\n");
    return 2;
}
