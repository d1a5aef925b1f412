/*
 * Harness: the inference-batch@1 verifier end to end, on a statement, the
 * range's records, the statement's batch public output and a proof, all
 * taken from the input (fuzz_eval_proof.h's layout, with an output of up
 * to ZKR_FUZZ_BATCH_MAX_OUTPUT bytes). Seeds are valid quadruples from the
 * real prover (fuzz/gen_corpus.c), so mutations reach the output decoder,
 * the binding checks, the range proof, the LogUps, the output-binding
 * sumcheck, the layer sumchecks and the Basefold openings.
 */
#include <string.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_eval_proof.h"
#include "verifier/inference_batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_verifier_evaluation_statement st;
    size_t off, rec_bytes;
    zkr_err r;

    if (size > ZKR_FUZZ_MAX_INPUT || size < ZKR_FUZZ_EVAL_HEADER)
        return 0;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, data, 32);
    memcpy(st.program_digest, data + 32, 32);
    memcpy(st.model_commitment, data + 64, 32);
    memcpy(st.dataset_commitment, data + 96, 32);
    st.param_set = ZKR_PARAM_SET_128;
    st.first = zkr_load_le64(data + 128);
    st.count = zkr_fuzz_ld32(data + 136);
    st.rec_len = zkr_fuzz_ld32(data + 140);
    st.output_len = zkr_fuzz_ld32(data + 144);
    if (st.count == 0 || st.count > ZKR_FUZZ_EVAL_MAX_COUNT || st.rec_len == 0 ||
        st.rec_len > ZKR_FUZZ_EVAL_MAX_REC || st.output_len > ZKR_FUZZ_BATCH_MAX_OUTPUT)
        return 0;
    rec_bytes = (size_t)st.count * st.rec_len;
    off = ZKR_FUZZ_EVAL_HEADER;
    if (size < off + rec_bytes + st.output_len)
        return 0;
    st.records = data + off;
    st.output = data + off + rec_bytes;
    off += rec_bytes + st.output_len;
    r = zkr_verify_inference_batch(data + off, size - off, &st, NULL);
    /* Only the documented errors; a crash or another code is a finding. */
    if (!zkr_fuzz_documented(r))
        __builtin_trap();
    /* An accepted proof's output decodes and names exactly the statement's range. */
    if (r == ZKR_OK) {
        uint64_t first, count;
        uint32_t od;
        const int8_t *y;
        if (zkr_ibatch_output_decode(st.output, st.output_len, &first, &count, &od, &y) !=
                ZKR_OK ||
            first != st.first || count != st.count)
            __builtin_trap();
    }
    return 0;
}
