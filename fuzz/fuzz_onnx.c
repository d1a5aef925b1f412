/* Harness: ONNX import (protobuf-c parse and folding into dense layers). */
#include <stdlib.h>

#include "fuzz.h"
#include "ml/ml.h"

/* The graph (CNN) importer: an accepted model is a valid graph program and runs. */
static void check_graph(const uint8_t *data, size_t size)
{
    zkr_ml_gfmodel *f = NULL;
    double *out = NULL;
    uint8_t *x = NULL;
    zkr_diag d;

    zkr_diag_clear(&d);
    if (zkr_ml_onnx_gimport(data, size, "fuzz.onnx", &f, &d) == ZKR_OK) {
        const zkr_ml_gprog *g = zkr_ml_gfmodel_prog(f);
        uint32_t n0 = zkr_ml_gprog_elems(g, 0), no = zkr_ml_gprog_elems(g, g->n_nodes - 1);
        if (zkr_ml_gprog_check(g, NULL) != ZKR_OK || (x = calloc(n0, 1)) == NULL ||
            (out = calloc(no, sizeof *out)) == NULL ||
            zkr_ml_gfmodel_infer(f, x, n0, out, no, NULL) != ZKR_OK)
            __builtin_trap();
    } else if (d.msg[0] == '\0') {
        __builtin_trap(); /* every refusal says why */
    }
    free(out);
    free(x);
    zkr_ml_gfmodel_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_ml_fmodel *f = NULL;
    zkr_diag d;

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    zkr_diag_clear(&d);
    if (zkr_ml_onnx_import(data, size, "fuzz.onnx", &f, &d) == ZKR_OK) {
        /* An accepted model must fold to a valid program and run. */
        const zkr_ml_graph *g = zkr_ml_fmodel_graph(f);
        uint8_t x[ZKR_ML_MAX_DIM] = {0};
        double out[ZKR_ML_MAX_DIM];
        if (zkr_ml_graph_check(g, NULL) != ZKR_OK ||
            zkr_ml_fmodel_infer(f, x, g->input_dim, out, ZKR_ML_MAX_DIM, NULL) != ZKR_OK)
            __builtin_trap();
    } else if (d.msg[0] == '\0') {
        __builtin_trap(); /* every refusal says why */
    }
    zkr_ml_fmodel_free(f);
    check_graph(data, size);
    return 0;
}
