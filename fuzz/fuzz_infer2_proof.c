/*
 * The inference@2 (hiding inference) verifier end to end: the registered
 * statement and a proof, both from the input (fuzz_infer2_proof.h). Seeds
 * are real (statement, proof) pairs from the prover (fuzz/gen_corpus.c),
 * so mutations reach the model commitment's decoder, the batched
 * sumcheck, the range proof and every hiding opening, not only the header.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_infer2_proof.h"
#include "verifier/verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_verifier_inference2_statement st;
    uint32_t po, out_len;
    size_t off;
    zkr_err r;

    if (size > ZKR_FUZZ_INFER2_MAX_INPUT || size < ZKR_FUZZ_INFER2_HEADER)
        return 0;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, data, 32);
    st.param_set = zkr_fuzz_ld32(data + 32);
    memcpy(st.program_digest, data + 36, 32);
    memcpy(st.model_commitment, data + 68, 32);
    memcpy(st.dataset_commitment, data + 100, 32);
    st.record_index = zkr_load_le64(data + 132);
    po = zkr_fuzz_ld32(data + 140);
    out_len = zkr_fuzz_ld32(data + 144);
    if (po > 1 || out_len > ZKR_FUZZ_INFER2_MAX_OUTPUT ||
        size - ZKR_FUZZ_INFER2_HEADER < out_len)
        return 0;
    st.public_output = (int)po;
    st.output = data + ZKR_FUZZ_INFER2_HEADER;
    st.output_len = out_len;
    off = ZKR_FUZZ_INFER2_HEADER + out_len;
    r = zkr_verify_inference2(data + off, size - off, &st, NULL);
    if (r != ZKR_OK && r != ZKR_ERR_MALFORMED && r != ZKR_ERR_TOO_LARGE &&
        r != ZKR_ERR_UNSUPPORTED && r != ZKR_ERR_MISMATCH_PARAMS &&
        r != ZKR_ERR_MISMATCH_STATEMENT && r != ZKR_ERR_MISMATCH_PROGRAM &&
        r != ZKR_ERR_MISMATCH_MODEL && r != ZKR_ERR_MISMATCH_DATASET &&
        r != ZKR_ERR_MISMATCH_INPUT && r != ZKR_ERR_MISMATCH_OUTPUT && r != ZKR_ERR_VERIFY &&
        r != ZKR_ERR_NOMEM)
        abort();
    return 0;
}
