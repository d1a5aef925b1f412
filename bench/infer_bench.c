/*
 * infer_bench: inference@1 on the MLPs (784-128-10 and
 * 784-512-512-10), one table in one run: native quantized inference, the
 * one-time model commitment (register-model), proving (the per-proof work:
 * re-deriving the committed layers' trees is counted separately as
 * "reload"), verifying, proof size and peak RSS. Models are random with
 * realistic quantization parameters (shift ~ 20, ReLU hidden layers);
 * records are random bytes in a temporary IDX file.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/infer_bench
 *   ./build-rel/bench/infer_bench [threads]       # default 2
 *
 * Times are the best of 5 runs (native: of 200), wall clock; with
 * ZKR_BENCH_CPU=1 process CPU time (all threads summed), which is the
 * stable figure when other work shares the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "prover/prover.h"
#include "verifier/verifier.h"
#include "bench_util.h"

/* Wall clock, or process CPU time (all threads) with ZKR_BENCH_CPU=1: on a
 * shared, overloaded machine the CPU time is the stable figure. */
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
    for (uint32_t l = 0; l < nl; l++) {
        free(w[l]);
        free(b[l]);
        free(m[l]);
    }
    zkr_buf_free(&enc);
    return out;
}

static zkr_dataset *make_dataset(const char *dir, uint32_t dim, uint32_t n)
{
    char ip[512], lp[512];
    uint8_t hdr[16];
    FILE *f;
    zkr_dataset *ds = NULL;
    zkr_diag d = {0};

    snprintf(ip, sizeof ip, "%s/b-images-idx3-ubyte", dir);
    snprintf(lp, sizeof lp, "%s/b-labels-idx1-ubyte", dir);
    if (!(f = fopen(ip, "wb")))
        return NULL;
    zkr_store_be32(hdr, 0x803);
    zkr_store_be32(hdr + 4, n);
    zkr_store_be32(hdr + 8, 28);
    zkr_store_be32(hdr + 12, dim / 28);
    fwrite(hdr, 1, 16, f);
    for (uint64_t i = 0; i < (uint64_t)n * dim; i++)
        fputc((int)(rnd() & 0xff), f);
    fclose(f);
    if (!(f = fopen(lp, "wb")))
        return NULL;
    zkr_store_be32(hdr, 0x801);
    zkr_store_be32(hdr + 4, n);
    fwrite(hdr, 1, 8, f);
    for (uint32_t i = 0; i < n; i++)
        fputc((int)(rnd() % 10), f);
    fclose(f);
    if (zkr_dataset_open(ip, &ds, &d) != ZKR_OK)
        fprintf(stderr, "dataset: %s\n", d.msg);
    unlink(ip);
    unlink(lp);
    return ds;
}

static void bench(const char *name, const uint32_t *dims, uint32_t nl, zkr_dataset *ds,
                  unsigned threads)
{
    zkr_params p;
    zkr_ml_model *m = make_model(dims, nl);
    zkr_infer_model *im = NULL;
    zkr_ml_trace tr;
    zkr_infer_record rec;
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES], dcomm[ZKR_DIGEST_BYTES];
    zkr_verifier_inference_statement st;
    zkr_buf proof = {0}, out = {0};
    zkr_diag d = {0};
    double t, native = 1e9, commit = 1e9, prove = 1e9, verify = 1e9, dscommit = 1e9;
    int ok = 1;

    if (!m || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_ml_trace_init(&tr, zkr_ml_model_graph(m)) != ZKR_OK)
        return;
    memset(&rec, 0, sizeof rec);
    memset(&st, 0, sizeof st);
    rec.index = 3;
    rec.n_records = zkr_dataset_count(ds);
    t = now();
    ok &= zkr_infer_dataset_commit(ds, rec.index, rec.root, dcomm, path, &rec.path_len) == ZKR_OK;
    dscommit = now() - t;
    rec.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    ok &= zkr_dataset_record(ds, rec.index, &rec.record, &rec.record_len) == ZKR_OK;
    for (int i = 0; i < 200; i++) {
        t = now();
        ok &= zkr_ml_infer(m, rec.record, dims[0], &tr, &d) == ZKR_OK;
        t = now() - t;
        native = t < native ? t : native;
    }
    for (int i = 0; i < 5; i++) {
        zkr_infer_model_free(im);
        im = NULL;
        t = now();
        ok &= zkr_prover_infer_commit(&p, m, threads, &im, st.model_commitment, &d) == ZKR_OK;
        t = now() - t;
        commit = t < commit ? t : commit;
    }
    memset(st.statement_id, 0x5a, sizeof st.statement_id);
    st.param_set = p.id;
    zkr_ml_model_program_digest(m, st.program_digest);
    memcpy(st.dataset_commitment, dcomm, ZKR_DIGEST_BYTES);
    st.record_index = rec.index;
    for (int i = 0; i < 5; i++) {
        t = now();
        ok &= zkr_prover_inference_record(&p, st.statement_id, im, &rec, threads, &proof, &out,
                                          &d) == ZKR_OK;
        t = now() - t;
        prove = t < prove ? t : prove;
    }
    st.output = out.p;
    st.output_len = out.len;
    for (int i = 0; i < 5; i++) {
        zkr_err r;
        t = now();
        r = zkr_verify_inference(proof.p, proof.len, &st, &d);
        t = now() - t;
        ok &= r == ZKR_OK;
        verify = t < verify ? t : verify;
    }
    if (!ok)
        fprintf(stderr, "%s: FAILED: %s\n", name, d.msg);
    printf("| %-15s | %8.3f | %9.1f | %8.1f | %9.1f | %8.2f | %9.1f | %8ld | %9.0f |\n", name,
           native * 1e3, commit * 1e3, (prove + commit) * 1e3, prove * 1e3, verify * 1e3,
           (double)proof.len / 1024.0, peak_kib() / 1024, prove / native);
    fprintf(stderr, "# %s: dataset commitment of %llu records: %.1f ms\n", name,
            (unsigned long long)rec.n_records, dscommit * 1e3);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    zkr_ml_trace_free(&tr);
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
}

int main(int argc, char **argv)
{
    static const uint32_t small[] = {784, 128, 10}, big[] = {784, 512, 512, 10};
    unsigned threads = argc > 1 ? (unsigned)zkr_bench_arg("threads", argv[1], 1, 64) : 2;
    char dir[] = "/tmp/zkr-infer-bench-XXXXXX";
    zkr_dataset *ds;

    use_cpu = getenv("ZKR_BENCH_CPU") && strcmp(getenv("ZKR_BENCH_CPU"), "1") == 0;
    if (threads < 1 || threads > 64 || !mkdtemp(dir))
        return 2;
    ds = make_dataset(dir, 784, 10000);
    rmdir(dir);
    if (!ds)
        return 1;
    printf("inference@1, %u threads, %s, best of 5 (native: of 200); times in ms, sizes in KiB,\n"
           "RSS in MiB (peak of the process so far); prove = per proof, reload = prove + the\n"
           "model's layer trees rebuilt (a prover that keeps them pays only prove)\n\n",
           threads, use_cpu ? "process CPU time (ZKR_BENCH_CPU=1)" : "wall clock");
    printf("| %-15s | %8s | %9s | %8s | %9s | %8s | %9s | %8s | %9s |\n", "model", "native",
           "commit", "reload", "prove", "verify", "proof", "peak RSS", "prove/nat");
    printf("|-----------------|----------|-----------|----------|-----------|----------|-----------|----------|-----------|\n");
    bench("784-128-10", small, 2, ds, threads);
    bench("784-512-512-10", big, 3, ds, threads);
    zkr_dataset_free(ds);
    return 0;
}
