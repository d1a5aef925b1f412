/*
 * Harness: the graph-inference@1 verifier end to end (verifier/ginfer.h)
 * on a graph model, P's commitment, an input, a public output and a proof,
 * all taken from the input (fuzz_ginfer_proof.h gives the layout). The
 * model file goes through the strict graph-model decoder and its public
 * parameters through zkr_ginf_from_gmodel, as in the "ginf-verify" worker
 * (which derives protocol version 3's requantization widths from the
 * weights, so a mutated weight byte also reaches another layout).
 * Seeds are valid tuples from the real prover (fuzz/gen_corpus.c), so
 * mutations reach the relations' sumchecks, the narrow requantization,
 * the 15-bit range LogUp and its recombination, the claim reductions and
 * the Basefold openings.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_ginfer_proof.h"
#include "ml/ml.h"
#include "prover/ginfer.h"
#include "verifier/ginfer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_verifier_ginf_statement st;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = NULL;
    zkr_ml_gmodel *gm = NULL;
    int64_t *store = NULL;
    int8_t y[ZKR_FUZZ_GINF_MAX_OUT];
    uint32_t model_len, input_len, output_len, n, am;
    size_t off = ZKR_FUZZ_GINF_HEADER;
    zkr_err r;

    if (size > ZKR_FUZZ_MAX_INPUT || size < ZKR_FUZZ_GINF_HEADER)
        return 0;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, data, 32);
    memcpy(st.model.root, data + 32, 32);
    st.model.n_vars = zkr_fuzz_ld32(data + 64);
    model_len = zkr_fuzz_ld32(data + 68);
    input_len = zkr_fuzz_ld32(data + 72);
    output_len = zkr_fuzz_ld32(data + 76);
    if (model_len > size - off || input_len > size - off - model_len ||
        output_len > size - off - model_len - input_len)
        return 0;
    if (zkr_ml_gmodel_decode(data + off, model_len, &gm, NULL) != ZKR_OK)
        return 0;
    off += model_len;
    if (zkr_infer_output_decode(data + off + input_len, output_len, y, ZKR_FUZZ_GINF_MAX_OUT, &n,
                                &am) != ZKR_OK ||
        (mp = calloc(1, sizeof *mp)) == NULL ||
        zkr_ginf_from_gmodel(gm, &in, mp, &store) != ZKR_OK)
        goto out;
    st.param_set = ZKR_PARAM_SET_128;
    st.g = zkr_ml_gmodel_prog(gm);
    st.mp = mp;
    st.input = data + off;
    st.input_len = input_len;
    st.output = y;
    st.output_n = n;
    off += input_len + output_len;
    r = zkr_verify_ginf(data + off, size - off, &st, NULL);
    if (!zkr_fuzz_documented(r))
        __builtin_trap();
out:
    free(store);
    free(mp);
    zkr_ml_gmodel_free(gm);
    return 0;
}
