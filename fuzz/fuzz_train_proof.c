/*
 * Harness: the training-step@1 verifier end to end, on a statement and a
 * proof both taken from the input (fuzz_train_proof.h gives the layout).
 * Seeds are valid (statement, proof) pairs from the real prover
 * (fuzz/make-corpus), so mutations reach the binding checks, the record
 * inclusion paths, the LogUp, the sumchecks and the Basefold openings.
 */
#include <string.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_train_proof.h"
#include "verifier/verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_train_statement st;
    uint64_t idx[ZKR_TRAIN_MAX_BATCH];
    zkr_params p;
    size_t off;
    zkr_err r;

    if (size > ZKR_FUZZ_MAX_INPUT || size < ZKR_FUZZ_TRAIN_HEADER ||
        zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 0;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, data, 32);
    memcpy(st.program_digest, data + 32, 32);
    memcpy(st.parent_commitment, data + 64, 32);
    memcpy(st.child_commitment, data + 96, 32);
    memcpy(st.dataset_commitment, data + 128, 32);
    st.lr = zkr_fuzz_ld32(data + 160);
    st.shift = zkr_fuzz_ld32(data + 164);
    st.steps = zkr_fuzz_ld32(data + 168);
    st.batch = zkr_fuzz_ld32(data + 172);
    /* The registry only holds statements with a batch of 1..64 indices. */
    if (st.batch == 0 || st.batch > ZKR_TRAIN_MAX_BATCH)
        return 0;
    off = ZKR_FUZZ_TRAIN_HEADER + 8 * (size_t)st.batch;
    if (size < off)
        return 0;
    for (uint32_t i = 0; i < st.batch; i++)
        idx[i] = zkr_load_le64(data + ZKR_FUZZ_TRAIN_HEADER + 8 * (size_t)i);
    st.indices = idx;
    r = zkr_verify_train_step(&p, &st, data + off, size - off, NULL);
    /* Only the documented errors; a crash or another code is a finding. */
    if (!zkr_fuzz_documented(r))
        __builtin_trap();
    return 0;
}
