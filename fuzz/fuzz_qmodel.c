/*
 * Harness: the quantized-model, training-model and program decoders
 * (strict, canonical). A training model is what a round's worker hands
 * back, so an accepted one is also run through a forward pass and one SGD
 * step, which must either succeed or refuse with a bound error.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ml/ml.h"

static void check_tmodel(const uint8_t *data, size_t size)
{
    zkr_ml_tmodel *m = NULL;
    zkr_ml_tstep_params sp = {.lr = 3, .shift = 16};
    const int32_t *w[ZKR_ML_MAX_LAYERS];
    uint8_t x[2 * ZKR_ML_MAX_DIM], labels[2] = {0, 0};
    int64_t out[ZKR_ML_MAX_DIM];
    uint32_t argmax;
    zkr_buf e = {0}, child = {0};
    zkr_err r;

    if (zkr_ml_tmodel_decode(data, size, &m, NULL) != ZKR_OK)
        return;
    const zkr_ml_graph *g = zkr_ml_tmodel_graph(m);
    for (uint32_t l = 0; l < g->n_layers; l++)
        w[l] = zkr_ml_tmodel_weights(m, l);
    if (zkr_ml_tmodel_encode(g, w, &e, NULL) != ZKR_OK || e.len != size ||
        memcmp(e.p, data, size) != 0)
        __builtin_trap();
    memset(x, 0x5a, sizeof x);
    r = zkr_ml_tmodel_infer(m, x, g->input_dim, out, ZKR_ML_MAX_DIM, &argmax, NULL);
    if (r != ZKR_OK && r != ZKR_ERR_UNSUPPORTED)
        __builtin_trap();
    r = zkr_ml_train_step(m, x, 2 * (size_t)g->input_dim, labels, 2, &sp, &child, NULL, NULL);
    if (r != ZKR_OK && r != ZKR_ERR_UNSUPPORTED)
        __builtin_trap();
    zkr_buf_free(&child);
    zkr_buf_free(&e);
    zkr_ml_tmodel_free(m);
}

/* Graph programs and graph models (version 2): canonical, and an accepted model runs. */
static void check_graph(const uint8_t *data, size_t size)
{
    zkr_ml_gprog *g = malloc(sizeof *g);
    zkr_ml_gmodel *m = NULL;
    zkr_ml_gparams *p = NULL;
    zkr_ml_gtrace t = {0};
    zkr_buf e = {0};
    uint8_t *x = NULL;

    if (g != NULL && zkr_ml_gprog_decode(data, size, g, NULL) == ZKR_OK &&
        (zkr_ml_gprog_encode(g, &e, NULL) != ZKR_OK || e.len != size || memcmp(e.p, data, size) != 0))
        __builtin_trap();
    if (zkr_ml_gmodel_decode(data, size, &m, NULL) == ZKR_OK) {
        const zkr_ml_gprog *mg = zkr_ml_gmodel_prog(m);
        uint32_t n0 = zkr_ml_gprog_elems(mg, 0);
        if ((p = calloc(ZKR_ML_G_MAX_NODES, sizeof *p)) == NULL || (x = malloc(n0)) == NULL)
            goto out;
        for (uint32_t i = 1; i < mg->n_nodes; i++)
            if (zkr_ml_gmodel_params(m, i, &p[i]) != ZKR_OK)
                __builtin_trap();
        if (zkr_ml_gmodel_encode(mg, p, &e, NULL) != ZKR_OK || e.len != size ||
            memcmp(e.p, data, size) != 0)
            __builtin_trap();
        memset(x, 0xa5, n0);
        if (zkr_ml_gtrace_init(&t, mg) == ZKR_OK && zkr_ml_ginfer(m, x, n0, &t, NULL) != ZKR_OK)
            __builtin_trap();
    }
out:
    zkr_ml_gtrace_free(&t);
    zkr_ml_gmodel_free(m);
    zkr_buf_free(&e);
    free(p);
    free(x);
    free(g);
}

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
    check_tmodel(data, size);
    check_graph(data, size);
    return 0;
}
