/*
 * eval_bench: evaluation@1 of a 784-128-10 MLP over the first N records of
 * an IDX dataset (default Fashion-MNIST t10k): proving (one proof for all N
 * records), verifying, proof size, peak RSS, and the amortized proving time
 * per inference. The model is random with realistic quantization
 * parameters (shift 24, ReLU hidden layer); the model commitment
 * (register-model, once) is not in the prove time. Each row runs in its own
 * process so that its peak RSS is its own.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/eval_bench
 *   ./build-rel/bench/eval_bench [threads [N ... [--data IDX]]]   # default 1,2  1000 10000
 *
 * threads is one count or a comma-separated list (default "1,2": every
 * record count is proven once with 1 thread and once with 2).
 *
 * Wall clock and process CPU time (all threads summed; the stable figure
 * when other work shares the machine) side by side. ZKR_BENCH_DIGEST=1
 * prints the start of each proof's SHA-256 on stderr (a prover optimization
 * must keep the bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "prover/prover.h"
#include "verifier/verifier.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall and process CPU seconds (all threads) together: on a shared machine
 * the CPU figure is the stable one, the wall figure says what a user waits. */
typedef struct {
    double wall, cpu;
} bench_t;

static bench_t now(void)
{
    bench_t b = {clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID)};
    return b;
}

static bench_t since(bench_t t0)
{
    bench_t b = now();
    b.wall -= t0.wall;
    b.cpu -= t0.cpu;
    return b;
}

static uint64_t rng = 0x1234567;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static zkr_ml_model *make_model(const uint32_t *dims, uint32_t nl)
{
    zkr_ml_graph g;
    zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
    int8_t *w[ZKR_ML_MAX_LAYERS] = {0};
    int32_t *b[ZKR_ML_MAX_LAYERS] = {0};
    uint32_t *m[ZKR_ML_MAX_LAYERS] = {0};
    zkr_buf enc = {0};
    zkr_ml_model *out = NULL;
    zkr_diag d = {0};

    memset(&g, 0, sizeof g);
    memset(q, 0, sizeof q);
    g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g.input_dim = dims[0];
    g.n_layers = nl;
    for (uint32_t l = 0; l < nl; l++) {
        g.layers[l].op = ZKR_ML_OP_DENSE;
        g.layers[l].act = l + 1 < nl ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE;
        g.layers[l].in_dim = dims[l];
        g.layers[l].out_dim = dims[l + 1];
        w[l] = malloc((size_t)dims[l] * dims[l + 1]);
        b[l] = malloc(dims[l + 1] * sizeof(int32_t));
        m[l] = malloc(dims[l + 1] * sizeof(uint32_t));
        if (!w[l] || !b[l] || !m[l])
            goto out;
        for (size_t i = 0; i < (size_t)dims[l] * dims[l + 1]; i++)
            w[l][i] = (int8_t)((int)(rnd() % 255) - 127);
        for (uint32_t j = 0; j < dims[l + 1]; j++) {
            b[l][j] = (int32_t)(rnd() % 20001) - 10000;
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
out:
    for (uint32_t l = 0; l < nl; l++) {
        free(w[l]);
        free(b[l]);
        free(m[l]);
    }
    zkr_buf_free(&enc);
    return out;
}

/* One row, in a child process: batch, prove, verify, print. */
static int row(const char *data, uint64_t count, unsigned threads)
{
    static const uint32_t dims[] = {784, 128, 10};
    zkr_params p;
    zkr_ml_model *m = make_model(dims, 2);
    zkr_infer_model *im = NULL;
    zkr_dataset *ds = NULL;
    zkr_eval_batch bt;
    uint8_t *records = NULL, bound[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES], root[32];
    zkr_verifier_evaluation_statement st;
    zkr_buf proof = {0}, out = {0};
    zkr_diag d = {0};
    uint64_t correct = 0, vcorrect = 0;
    bench_t t0, tc, tp, tv;
    struct rusage ru;
    int rc = 1;

    memset(&st, 0, sizeof st);
    if (!m || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_dataset_open(data, &ds, &d) != ZKR_OK) {
        fprintf(stderr, "setup: %s\n", d.msg);
        goto out;
    }
    t0 = now();
    if (zkr_prover_infer_commit(&p, m, threads, &im, st.model_commitment, &d) != ZKR_OK)
        goto fail;
    tc = since(t0);
    st.statement_id[0] = 0x42;
    st.param_set = ZKR_PARAM_SET_128;
    zkr_ml_model_program_digest(m, st.program_digest);
    if (zkr_infer_dataset_commit(ds, 0, root, st.dataset_commitment, NULL, NULL) != ZKR_OK ||
        zkr_eval_batch_of(ds, 0, count, &records, bound, &bt, &d) != ZKR_OK)
        goto fail;
    t0 = now();
    if (zkr_prover_evaluation(&p, st.statement_id, im, &bt, ZKR_EVAL_MODE_EXACT, 0, threads,
                              &proof, &out, &correct, &d) != ZKR_OK)
        goto fail;
    tp = since(t0);
    st.first = 0;
    st.count = count;
    st.records = records;
    st.rec_len = bt.rec_len;
    st.output = out.p;
    st.output_len = out.len;
    t0 = now();
    if (zkr_verify_evaluation(proof.p, proof.len, &st, &vcorrect, &d) != ZKR_OK ||
        vcorrect != correct)
        goto fail;
    tv = since(t0);
    if (getenv("ZKR_BENCH_DIGEST")) {
        uint8_t h[32];
        zkr_sha256(proof.p, proof.len, h);
        /* The first 8 bytes: enough to see that an optimization kept the proof's bytes. */
        fprintf(stderr, "%llu records: proof sha256 %02x%02x%02x%02x%02x%02x%02x%02x...\n",
                (unsigned long long)count, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
    }
    getrusage(RUSAGE_SELF, &ru);
    /* EZKL's published 2.66 s for one 784-56-10 inference: how many times less per inference. */
    printf("| %llu | %u | %llu | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %.0f | %.2f | %.2f | "
           "%.0fx |\n",
           (unsigned long long)count, threads, (unsigned long long)correct, tc.cpu, tp.wall,
           tp.cpu, tv.wall * 1e3, tv.cpu * 1e3, (double)proof.len / 1024.0,
           (double)ru.ru_maxrss / 1024.0, tp.wall / (double)count * 1e3,
           tp.cpu / (double)count * 1e3, 2.66 / (tp.wall / (double)count));
    fflush(stdout);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "eval_bench %llu records: %s\n", (unsigned long long)count, d.msg);
out:
    free(records);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
    zkr_dataset_free(ds);
    return rc;
}

int main(int argc, char **argv)
{
    const char *data = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    uint64_t counts[16];
    size_t n = 0, nt = 0;
    unsigned tlist[8] = {1, 2};
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (i == 1) {
            char buf[64], *save = NULL;
            snprintf(buf, sizeof buf, "%s", argv[i]);
            for (char *tok = strtok_r(buf, ",", &save); tok && nt < 8;
                 tok = strtok_r(NULL, ",", &save))
                tlist[nt++] = (unsigned)zkr_bench_arg("threads", tok, 1, 16);
        } else if (n < 16)
            counts[n++] = zkr_bench_arg("records", argv[i], 1, 1u << ZKR_EVAL_MAX_LB);
    }
    if (n == 0) {
        counts[n++] = 1000;
        counts[n++] = 10000;
    }
    if (nt == 0)
        nt = 2;
    printf("evaluation@1 (format version %u), 784-128-10, %s (wall and process CPU seconds; "
           "EZKL: 2.66 s for one 784-56-10 inference, published)\n\n",
           ZKR_EVAL_VERSION, data);
    printf("| records | threads | correct | commit CPU s (once) | prove wall s | prove CPU s "
           "| verify wall ms | verify CPU ms | proof KiB | peak RSS MiB "
           "| prove wall ms / inference | prove CPU ms / inference | EZKL 2.66 s / ours (wall) "
           "|\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < nt; k++) {
            pid_t pid = fork();
            int st = 0;
            if (pid == 0)
                _exit(row(data, counts[i], tlist[k]));
            if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
                WEXITSTATUS(st) != 0)
                rc = 1;
        }
    return rc;
}
