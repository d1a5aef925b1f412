/*
 * Harness: the evaluation-graph@1 verifier end to end (verifier/geval.h) on
 * a graph model, P's commitment, a dataset commitment, a record range and
 * its records, a public output and a proof, all taken from the input
 * (fuzz_geval_proof.h gives the layout). The model file goes through the
 * strict graph-model decoder and zkr_ginf_from_gmodel, as graph-inference@1's
 * harness. Seeds are valid tuples from the real prover (fuzz/gen_corpus.c),
 * so mutations reach the output section's decoder, the range root, the
 * count, the batch's relations and the opening.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_geval_proof.h"
#include "ml/ml.h"
#include "prover/ginfer.h"
#include "verifier/geval.h"

/* evaluation-graph@1 also answers USAGE (a missing proof or an empty batch). */
static int documented(zkr_err r)
{
    return zkr_fuzz_documented(r) || r == ZKR_ERR_USAGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_verifier_geval_statement st;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = NULL;
    zkr_ml_gmodel *gm = NULL;
    int64_t *store = NULL;
    uint32_t model_len, rec_len;
    size_t off = ZKR_FUZZ_GEVAL_HEADER;
    zkr_err r;

    if (size > ZKR_FUZZ_MAX_INPUT || size < ZKR_FUZZ_GEVAL_HEADER)
        return 0;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, data, 32);
    memcpy(st.model.root, data + 32, 32);
    st.model.n_vars = (unsigned)zkr_fuzz_ld(data + 64, 4);
    memcpy(st.dataset, data + 68, 32);
    st.first = zkr_fuzz_ld(data + 100, 8);
    st.count = zkr_fuzz_ld(data + 108, 8);
    st.mode = data[116];
    st.value = zkr_fuzz_ld(data + 117, 8);
    model_len = (uint32_t)zkr_fuzz_ld(data + 125, 4);
    rec_len = (uint32_t)zkr_fuzz_ld(data + 129, 4);
    if (model_len > size - off || rec_len > size - off - model_len)
        return 0;
    if (zkr_ml_gmodel_decode(data + off, model_len, &gm, NULL) != ZKR_OK)
        return 0;
    off += model_len;
    if ((mp = calloc(1, sizeof *mp)) == NULL || zkr_ginf_from_gmodel(gm, &in, mp, &store) != ZKR_OK)
        goto out;
    st.param_set = ZKR_PARAM_SET_128;
    st.g = zkr_ml_gmodel_prog(gm);
    st.mp = mp;
    st.records = data + off;
    st.records_len = rec_len;
    off += rec_len;
    r = zkr_verify_geval(data + off, size - off, &st, NULL);
    if (!documented(r))
        __builtin_trap();
out:
    free(store);
    free(mp);
    zkr_ml_gmodel_free(gm);
    return 0;
}
