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
    size_t off;
    zkr_err r;

    if (!zkr_fuzz_infer2_input(data, size, &st, &off))
        return 0;
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
