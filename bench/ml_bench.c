/*
 * ml_bench: native quantized inference time (one record, one thread) for
 * the MLP shapes of the main job, with seeded random int8 models of the
 * same shapes as trained ones (inference time does not depend on the
 * values). Prints a table; no assertions. The command (docs/bench.md):
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/ml_bench
 *   ./build-rel/bench/ml_bench [--seed N] [--min-seconds S]
 *
 * With --onnx M.onnx --dataset-file IDX it also times quantized and float
 * evaluation over the dataset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_util.h"
#include "ml/ml.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A seeded random model with the given widths (dims[0] is the input). */
static zkr_err make_model(const uint32_t *dims, uint32_t n_layers, uint64_t seed, zkr_ml_model **m)
{
    zkr_ml_graph g;
    zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
    int8_t *w[ZKR_ML_MAX_LAYERS] = {0};
    int32_t *b[ZKR_ML_MAX_LAYERS] = {0};
    uint32_t *mu[ZKR_ML_MAX_LAYERS] = {0};
    zkr_buf file = {0};
    zkr_err r = ZKR_ERR_NOMEM;

    memset(&g, 0, sizeof g);
    g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g.input_dim = dims[0];
    g.n_layers = n_layers;
    for (uint32_t l = 0; l < n_layers; l++) {
        size_t nw = (size_t)dims[l] * dims[l + 1];
        g.layers[l] = (zkr_ml_layer_desc){ZKR_ML_OP_DENSE,
                                          l + 1 < n_layers ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE,
                                          dims[l], dims[l + 1]};
        if ((w[l] = malloc(nw)) == NULL || (b[l] = calloc(dims[l + 1], 4)) == NULL ||
            (mu[l] = calloc(dims[l + 1], 4)) == NULL)
            goto out;
        for (size_t i = 0; i < nw; i++)
            w[l][i] = (int8_t)((int)(next(&seed) % 255) - 127);
        for (uint32_t j = 0; j < dims[l + 1]; j++) {
            b[l][j] = (int32_t)(next(&seed) % 20001) - 10000;
            mu[l][j] = 32768 + (uint32_t)(next(&seed) % 32768);
        }
        q[l] = (zkr_ml_qlayer){w[l], b[l], mu[l], 24};
    }
    if ((r = zkr_ml_model_encode(&g, q, &file, NULL)) == ZKR_OK)
        r = zkr_ml_model_decode(file.p, file.len, m, NULL);
out:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(w[l]);
        free(b[l]);
        free(mu[l]);
    }
    zkr_buf_free(&file);
    return r;
}

/* Mean seconds per inference, repeating for at least min_s seconds. */
static double time_infer(const zkr_ml_model *m, uint64_t seed, double min_s, uint64_t *runs)
{
    const zkr_ml_graph *g = zkr_ml_model_graph(m);
    uint8_t x[ZKR_ML_MAX_DIM];
    zkr_ml_trace t;
    double t0, el;
    uint64_t n = 0;

    for (uint32_t k = 0; k < g->input_dim; k++)
        x[k] = (uint8_t)next(&seed);
    if (zkr_ml_trace_init(&t, g) != ZKR_OK)
        return -1;
    t0 = now();
    do {
        for (int i = 0; i < 16; i++, n++)
            if (zkr_ml_infer(m, x, g->input_dim, &t, NULL) != ZKR_OK) {
                zkr_ml_trace_free(&t);
                return -1;
            }
        el = now() - t0;
    } while (el < min_s);
    zkr_ml_trace_free(&t);
    *runs = n;
    return el / (double)n;
}

static void bench_eval(const char *onnx, const char *ds_path)
{
    zkr_ml_fmodel *f = NULL;
    zkr_ml_model *m = NULL;
    zkr_dataset *ds = NULL;
    zkr_buf q = {0};
    zkr_ml_eval_result res;
    zkr_diag d;
    double t0, tq, tf;

    zkr_diag_clear(&d);
    if (zkr_ml_onnx_import_file(onnx, &f, &d) != ZKR_OK || zkr_dataset_open(ds_path, &ds, &d) != ZKR_OK ||
        zkr_ml_quantize(f, ds, 0, 1000, &q, &d) != ZKR_OK ||
        zkr_ml_model_decode(q.p, q.len, &m, &d) != ZKR_OK) {
        fprintf(stderr, "ml_bench: %s\n", d.msg);
        goto out;
    }
    t0 = now();
    if (zkr_ml_eval(NULL, m, ds, 0, 0, &res, &d) != ZKR_OK)
        goto out;
    tq = now() - t0;
    t0 = now();
    if (zkr_ml_eval(f, m, ds, 0, 0, &res, &d) != ZKR_OK)
        goto out;
    tf = now() - t0 - tq;
    printf("\n%s over %llu records of %s (calibrated on its first 1000):\n", onnx,
           (unsigned long long)res.n, ds_path);
    printf("  quantized: %.2f %% in %.3f s (%.1f us/record)\n",
           100.0 * (double)res.quant_correct / (double)res.n, tq, 1e6 * tq / (double)res.n);
    printf("  float:     %.2f %% in %.3f s (%.1f us/record), agreement %.2f %%\n",
           100.0 * (double)res.float_correct / (double)res.n, tf, 1e6 * tf / (double)res.n,
           100.0 * (double)res.agree / (double)res.n);
out:
    zkr_ml_model_free(m);
    zkr_ml_fmodel_free(f);
    zkr_dataset_free(ds);
    zkr_buf_free(&q);
}

int main(int argc, char **argv)
{
    static const uint32_t a[] = {784, 128, 10}, b[] = {784, 512, 512, 10};
    static const struct { const char *name; const uint32_t *dims; uint32_t n; } shapes[] = {
        {"784-128-10", a, 2}, {"784-512-512-10", b, 3}};
    const char *onnx = NULL, *ds = NULL;
    uint64_t seed = 1;
    double min_s = 1.0;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--min-seconds") == 0)
            min_s = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--onnx") == 0)
            onnx = argv[i + 1];
        else if (strcmp(argv[i], "--dataset-file") == 0)
            ds = argv[i + 1];
    }
    printf("native quantized inference, one record, one thread (seed %llu)\n",
           (unsigned long long)seed);
    printf("%-16s %10s %8s %12s %14s\n", "model", "weights", "layers", "runs", "us/inference");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        zkr_ml_model *m = NULL;
        uint64_t runs = 0, nw = 0;
        double per;

        for (uint32_t l = 0; l < shapes[s].n; l++)
            nw += (uint64_t)shapes[s].dims[l] * shapes[s].dims[l + 1];
        if (make_model(shapes[s].dims, shapes[s].n, seed, &m) != ZKR_OK) {
            fprintf(stderr, "ml_bench: cannot build %s\n", shapes[s].name);
            return 10;
        }
        per = time_infer(m, seed, min_s, &runs);
        printf("%-16s %10llu %8u %12llu %14.1f\n", shapes[s].name, (unsigned long long)nw,
               shapes[s].n, (unsigned long long)runs, per * 1e6);
        zkr_ml_model_free(m);
    }
    if (onnx != NULL && ds != NULL)
        bench_eval(onnx, ds);
    return 0;
}
