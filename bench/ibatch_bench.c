/*
 * ibatch_bench: inference-batch@1 of a 784-128-10 MLP over the first N
 * records of an IDX dataset (default Fashion-MNIST t10k): one proof for
 * all N records with every record's logits public; prove, verify, proof
 * size, peak RSS and the amortised proving time per inference, beside one
 * inference@1 proof of a single record with the same model (and EZKL's
 * published 2.66 s for one 784-56-10 inference, quoted in docs/bench.md).
 * The model is random with realistic quantization parameters (shift 24,
 * ReLU hidden layer), as eval_bench's; the model commitment
 * (register-model, once) is not in the prove time. Each row runs in its
 * own process so that its peak RSS is its own.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/ibatch_bench
 *   ./build-rel/bench/ibatch_bench [threads [N ... [--data IDX]]]   # default 2, 1000
 *
 * Wall clock; with ZKR_BENCH_CPU=1 process CPU time (all threads summed),
 * the stable figure when other work shares the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "prover/inference_batch.h"
#include "prover/prover.h"
#include "verifier/inference_batch.h"
#include "verifier/verifier.h"

static int use_cpu;
static double now(void)
{
    struct timespec ts;
    clock_gettime(use_cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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

static const uint32_t dims[] = {784, 128, 10};

static void print_row(const char *what, uint64_t count, double tc, double tp, double tv,
                      size_t proof_len)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    printf("| %s | %llu | %.2f | %.3f | %.1f | %.1f | %.0f | %.2f |\n", what,
           (unsigned long long)count, tc, tp, tv * 1e3, (double)proof_len / 1024.0,
           (double)ru.ru_maxrss / 1024.0, tp / (double)count * 1e3);
    fflush(stdout);
}

/* A batch row: one inference-batch@1 proof of records 0..count-1. */
static int row_batch(const char *data, uint64_t count, unsigned threads)
{
    zkr_params p;
    zkr_ml_model *m = make_model(dims, 2);
    zkr_infer_model *im = NULL;
    zkr_dataset *ds = NULL;
    zkr_eval_batch bt;
    uint8_t *records = NULL, bound[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES], root[32];
    zkr_verifier_evaluation_statement st;
    zkr_buf proof = {0}, out = {0};
    zkr_diag d = {0};
    double t0, tc, tp, tv;
    int rc = 1;

    memset(&st, 0, sizeof st);
    if (!m || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_dataset_open(data, &ds, &d) != ZKR_OK)
        goto fail;
    t0 = now();
    if (zkr_prover_infer_commit(&p, m, threads, &im, st.model_commitment, &d) != ZKR_OK)
        goto fail;
    tc = now() - t0;
    st.statement_id[0] = 0x42;
    st.param_set = ZKR_PARAM_SET_128;
    zkr_ml_model_program_digest(m, st.program_digest);
    if (zkr_infer_dataset_commit(ds, 0, root, st.dataset_commitment, NULL, NULL) != ZKR_OK ||
        zkr_eval_batch_of(ds, 0, count, &records, bound, &bt, &d) != ZKR_OK)
        goto fail;
    t0 = now();
    if (zkr_prover_inference_batch(&p, st.statement_id, im, &bt, threads, &proof, &out, &d) !=
        ZKR_OK)
        goto fail;
    tp = now() - t0;
    st.first = 0;
    st.count = count;
    st.records = records;
    st.rec_len = bt.rec_len;
    st.output = out.p;
    st.output_len = out.len;
    t0 = now();
    if (zkr_verify_inference_batch(proof.p, proof.len, &st, &d) != ZKR_OK)
        goto fail;
    tv = now() - t0;
    print_row("inference-batch@1", count, tc, tp, tv, proof.len);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "ibatch_bench %llu records: %s\n", (unsigned long long)count, d.msg);
out:
    free(records);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
    zkr_dataset_free(ds);
    return rc;
}

/* The single-record row: one inference@1 proof of record 0 with the same model. */
static int row_single(const char *data, unsigned threads)
{
    zkr_params p;
    zkr_ml_model *m = make_model(dims, 2);
    zkr_infer_model *im = NULL;
    zkr_dataset *ds = NULL;
    zkr_verifier_inference_statement st;
    zkr_buf proof = {0}, out = {0};
    zkr_diag d = {0};
    uint8_t root[32];
    double t0, tc, tp, tv;
    int rc = 1;

    memset(&st, 0, sizeof st);
    if (!m || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_dataset_open(data, &ds, &d) != ZKR_OK)
        goto fail;
    t0 = now();
    if (zkr_prover_infer_commit(&p, m, threads, &im, st.model_commitment, &d) != ZKR_OK)
        goto fail;
    tc = now() - t0;
    st.statement_id[0] = 0x43;
    st.param_set = ZKR_PARAM_SET_128;
    zkr_ml_model_program_digest(m, st.program_digest);
    if (zkr_infer_dataset_commit(ds, 0, root, st.dataset_commitment, NULL, NULL) != ZKR_OK)
        goto fail;
    t0 = now();
    if (zkr_prover_inference(&p, st.statement_id, im, ds, 0, threads, &proof, &out, &d) != ZKR_OK)
        goto fail;
    tp = now() - t0;
    st.record_index = 0;
    st.output = out.p;
    st.output_len = out.len;
    t0 = now();
    if (zkr_verify_inference(proof.p, proof.len, &st, &d) != ZKR_OK)
        goto fail;
    tv = now() - t0;
    print_row("inference@1", 1, tc, tp, tv, proof.len);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "ibatch_bench single: %s\n", d.msg);
out:
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
    zkr_dataset_free(ds);
    return rc;
}

static int run_child(int (*fn)(const char *, uint64_t, unsigned), const char *data, uint64_t n,
                     unsigned threads)
{
    pid_t pid = fork();
    int st = 0;

    if (pid == 0)
        _exit(fn(data, n, threads));
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int single_adapter(const char *data, uint64_t n, unsigned threads)
{
    (void)n;
    return row_single(data, threads);
}

int main(int argc, char **argv)
{
    const char *data = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    uint64_t counts[16];
    size_t n = 0;
    unsigned threads = 2;
    int rc = 0;

    use_cpu = getenv("ZKR_BENCH_CPU") != NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (i == 1)
            threads = (unsigned)zkr_bench_arg("threads", argv[i], 1, 16);
        else if (n < 16)
            counts[n++] = zkr_bench_arg("records", argv[i], 1, 1u << ZKR_EVAL_MAX_LB);
    }
    if (n == 0)
        counts[n++] = 1000;
    printf("inference-batch@1 vs inference@1, 784-128-10, %u threads, %s (%s)\n\n", threads, data,
           use_cpu ? "process CPU seconds" : "wall clock");
    printf("| kind | records | commit s (once) | prove s | verify ms | proof KiB | peak RSS MiB "
           "| prove ms / inference |\n|---|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    rc |= !run_child(single_adapter, data, 1, threads);
    for (size_t i = 0; i < n; i++)
        rc |= !run_child(row_batch, data, counts[i], threads);
    printf("\nEZKL (published): one 784-56-10 inference, 2.66 s to prove = 2660 ms / inference\n");
    return rc;
}
