/*
 * cnn_bench: native figures of a graph (CNN) model from ONNX: import,
 * calibration + quantization, and int8 inference per record, with the
 * parameter count and the graph-model file size. Inputs are seeded random
 * bytes of the model's input shape (no CIFAR data is available offline;
 * inference time does not depend on the values).
 *
 *   cnn_bench MODEL.onnx [CALIB_RECORDS [RUNS]]      (defaults 16, 3)
 *   ZKR_BENCH_CPU=1 cnn_bench ...                    process CPU seconds instead of wall
 *
 * e.g. with ml/train_cnn.py --arch vgg16 -o vgg16.onnx (3x32x32, random weights).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"
#include "ml/ml.h"

/* Process CPU seconds with ZKR_BENCH_CPU=1 (a loaded machine), else wall seconds. */
static double now(void)
{
    struct timespec ts;

    clock_gettime(getenv("ZKR_BENCH_CPU") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64: reproducible input bytes. */
static uint8_t next_byte(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint8_t)(*s >> 56);
}

int main(int argc, char **argv)
{
    zkr_ml_gfmodel *f = NULL;
    zkr_ml_gmodel *m = NULL;
    zkr_ml_gtrace t = {0};
    zkr_buf onnx = {0}, q = {0};
    zkr_diag d;
    uint8_t *in = NULL;
    uint64_t seed = 0x9e3779b97f4a7c15ull, params = 0;
    unsigned long calib, runs;
    const zkr_ml_gprog *g;
    uint32_t n0;
    double t0, t_import, t_quant, t_inf;
    int rc = 1;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: cnn_bench MODEL.onnx [CALIB_RECORDS [RUNS]]\n");
        return 2;
    }
    calib = argc > 2 ? zkr_bench_arg("CALIB_RECORDS", argv[2], 1, 100000) : 16;
    runs = argc > 3 ? zkr_bench_arg("RUNS", argv[3], 1, 100000) : 3;
    zkr_diag_clear(&d);
    t0 = now();
    if (zkr_file_read(argv[1], ZKR_ML_ONNX_MAX_BYTES, &onnx, &d) != ZKR_OK ||
        zkr_ml_onnx_gimport(onnx.p, onnx.len, argv[1], &f, &d) != ZKR_OK)
        goto out;
    t_import = now() - t0;
    g = zkr_ml_gfmodel_prog(f);
    n0 = zkr_ml_gprog_elems(g, 0);
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if (zkr_ml_gprog_fanin(g, i))
            params += (uint64_t)g->nodes[i].c * (zkr_ml_gprog_fanin(g, i) + 1);
    if ((in = malloc((size_t)n0 * calib)) == NULL)
        goto out;
    for (size_t i = 0; i < (size_t)n0 * calib; i++)
        in[i] = next_byte(&seed);
    t0 = now();
    if (zkr_ml_gquantize_inputs(f, in, (size_t)n0 * calib, calib, &q, &d) != ZKR_OK ||
        zkr_ml_gmodel_decode(q.p, q.len, &m, &d) != ZKR_OK)
        goto out;
    t_quant = now() - t0;
    if (zkr_ml_gtrace_init(&t, g) != ZKR_OK)
        goto out;
    t0 = now();
    for (unsigned long r = 0; r < runs; r++)
        if (zkr_ml_ginfer(m, in + (size_t)n0 * (r % calib), n0, &t, &d) != ZKR_OK)
            goto out;
    t_inf = (now() - t0) / (double)runs;
    printf("model            %s\n", argv[1]);
    printf("nodes            %u (input %ux%ux%u)\n", (unsigned)g->n_nodes,
           (unsigned)g->nodes[0].c, (unsigned)g->nodes[0].h, (unsigned)g->nodes[0].w);
    printf("parameters       %llu\n", (unsigned long long)params);
    printf("model file       %zu bytes\n", q.len);
    printf("import           %.3f s\n", t_import);
    printf("quantize         %.3f s (%lu calibration records, float)\n", t_quant, calib);
    printf("int8 inference   %.4f s per record (%lu runs, 1 thread)\n", t_inf, runs);
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "cnn_bench: %s\n", d.msg[0] ? d.msg : "failed");
    zkr_ml_gtrace_free(&t);
    zkr_ml_gmodel_free(m);
    zkr_ml_gfmodel_free(f);
    zkr_buf_free(&q);
    zkr_buf_free(&onnx);
    free(in);
    return rc;
}
