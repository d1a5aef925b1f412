/* Evaluation: float vs quantized accuracy and agreement over dataset records. */
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

static zkr_err eval_range(const zkr_ml_fmodel *f, const zkr_ml_model *m, const zkr_dataset *ds,
                          uint64_t first, uint64_t count, zkr_ml_eval_result *res, zkr_diag *d)
{
    double *outs[ZKR_ML_MAX_LAYERS] = {0};
    const zkr_ml_graph *g = &m->g;
    uint32_t last = g->n_layers - 1;
    zkr_ml_trace t;
    zkr_err r;

    if ((r = zkr_ml_trace_init(&t, g)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; f != NULL && l < g->n_layers; l++)
        if ((outs[l] = calloc(g->layers[l].out_dim, sizeof(double))) == NULL) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
    for (uint64_t i = first; i < first + count; i++) {
        const uint8_t *x;
        uint8_t label;

        if ((r = zkr_ml_record_input(ds, i, g->input_dim, &x, &label, d)) != ZKR_OK ||
            (r = zkr_ml_infer(m, x, g->input_dim, &t, d)) != ZKR_OK)
            goto out;
        res->quant_correct += t.argmax == label;
        if (f != NULL) {
            uint32_t fa;
            zkr_ml_fmodel_forward(f, x, outs);
            fa = zkr_ml_argmax_f64(outs[last], g->layers[last].out_dim);
            res->float_correct += fa == label;
            res->agree += fa == t.argmax;
        }
        res->n++;
    }
out:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++)
        free(outs[l]);
    zkr_ml_trace_free(&t);
    return r;
}

zkr_err zkr_ml_eval(const zkr_ml_fmodel *f, const zkr_ml_model *m, const zkr_dataset *ds,
                    uint64_t first, uint64_t count, zkr_ml_eval_result *res, zkr_diag *d)
{
    uint64_t total;
    uint8_t a[ZKR_DIGEST_BYTES], b[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (res == NULL || m == NULL || ds == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "eval: no model, dataset or result");
    memset(res, 0, sizeof *res);
    if (f != NULL) {
        if ((r = zkr_ml_graph_digest(&f->g, a, d)) != ZKR_OK)
            return r;
        zkr_ml_model_program_digest(m, b);
        if (memcmp(a, b, sizeof a) != 0)
            return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                            "eval: the float model's program differs from the quantized model's");
    }
    total = zkr_dataset_count(ds);
    if (first > total || (count != 0 && count > total - first))
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "eval: records %llu..+%llu past the dataset's %llu",
                        (unsigned long long)first, (unsigned long long)count,
                        (unsigned long long)total);
    if (count == 0)
        count = total - first;
    r = eval_range(f, m, ds, first, count, res, d);
    if (r != ZKR_OK)
        memset(res, 0, sizeof *res);
    return r;
}
