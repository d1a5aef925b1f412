/* evaluation-graph@1 prover (prover/geval.h): the binding, then the batch prover. */
#include <stdlib.h>
#include <string.h>

#include "prover/geval.h"

zkr_err zkr_geval_count(const zkr_ginf_model_in *in, const uint8_t *records, size_t rec_len,
                        uint64_t count, uint64_t *correct)
{
    const zkr_ml_gprog *g = in->g;
    size_t ne0 = zkr_ml_gprog_elems(g, 0), ne = zkr_ml_gprog_elems(g, g->n_nodes - 1);
    int8_t *y = malloc(ne ? ne : 1);
    zkr_err r = ZKR_OK;

    *correct = 0;
    if (!y)
        return ZKR_ERR_NOMEM;
    if (rec_len != count * (ne0 + 1))
        r = ZKR_ERR_MISMATCH_INPUT;
    for (uint64_t k = 0; r == ZKR_OK && k < count; k++) {
        const uint8_t *rec = records + k * (ne0 + 1);
        if ((r = zkr_ginf_native(in, rec, y, ne)) == ZKR_OK &&
            zkr_geval_argmax(y, (uint32_t)ne) == rec[ne0])
            (*correct)++;
    }
    free(y);
    return r;
}

zkr_err zkr_prover_geval(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                         const zkr_ginf_model *m, zkr_geval_binding *b, const uint8_t *records,
                         size_t rec_len, unsigned threads, zkr_buf *proof, zkr_diag *d)
{
    const zkr_ginf_model_in *in = zkr_ginf_model_input(m);
    size_t ne0 = zkr_ml_gprog_elems(in->g, 0);
    uint8_t *inputs = NULL, *labels = NULL;
    zkr_err r;

    proof->len = 0;
    if (b->count == 0 || b->count > ZKR_GEVAL_MAX_RECORDS)
        return zkr_fail(d, b->count ? ZKR_ERR_TOO_LARGE : ZKR_ERR_USAGE,
                        "records: %llu, evaluation-graph@1 proves 1..%u records",
                        (unsigned long long)b->count, ZKR_GEVAL_MAX_RECORDS);
    if ((r = zkr_geval_count(in, records, rec_len, b->count, &b->correct)) != ZKR_OK)
        return zkr_fail(d, r, "records: %zu bytes for %llu records of %zu", rec_len,
                        (unsigned long long)b->count, ne0 + 1);
    if (b->mode == ZKR_EVAL_MODE_EXACT)
        b->value = b->correct;
    else if (b->value > b->correct)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, "statement: threshold %llu above the %llu "
                        "correct", (unsigned long long)b->value, (unsigned long long)b->correct);
    if (!(inputs = malloc(b->count * ne0)) || !(labels = malloc(b->count))) {
        free(inputs);
        return ZKR_ERR_NOMEM;
    }
    for (uint64_t k = 0; k < b->count; k++) {
        memcpy(inputs + k * ne0, records + k * (ne0 + 1), ne0);
        labels[k] = records[k * (ne0 + 1) + ne0];
    }
    r = zkr_prover_ginf_batch(p, statement_id, m, b, inputs, labels, b->count * ne0, threads, NULL,
                              NULL, proof, d);
    free(inputs);
    free(labels);
    return r;
}
