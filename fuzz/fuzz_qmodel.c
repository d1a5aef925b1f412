/* Harness: the quantized-model file and program decoders (strict, canonical). */
#include <string.h>

#include "fuzz.h"
#include "ml/ml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_ml_model *m = NULL;
    zkr_ml_graph g;
    zkr_buf e = {0};

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    if (zkr_ml_graph_decode(data, size, &g, NULL) == ZKR_OK) {
        /* canonical: an accepted program re-encodes to the same bytes */
        if (zkr_ml_graph_encode(&g, &e, NULL) != ZKR_OK || e.len != size || memcmp(e.p, data, size) != 0)
            __builtin_trap();
    }
    if (zkr_ml_model_decode(data, size, &m, NULL) == ZKR_OK) {
        const zkr_ml_graph *mg = zkr_ml_model_graph(m);
        zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
        zkr_ml_trace t;
        uint8_t x[ZKR_ML_MAX_DIM];

        for (uint32_t l = 0; l < mg->n_layers; l++)
            if (zkr_ml_model_layer(m, l, &q[l]) != ZKR_OK)
                __builtin_trap();
        if (zkr_ml_model_encode(mg, q, &e, NULL) != ZKR_OK || e.len != size ||
            memcmp(e.p, data, size) != 0)
            __builtin_trap();
        memset(x, 0xa5, sizeof x);
        if (zkr_ml_trace_init(&t, mg) != ZKR_OK || zkr_ml_infer(m, x, mg->input_dim, &t, NULL) != ZKR_OK)
            __builtin_trap();
        zkr_ml_trace_free(&t);
    }
    zkr_ml_model_free(m);
    zkr_buf_free(&e);
    return 0;
}
