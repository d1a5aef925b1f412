/* Fuzz target: gate policies and offline evidence files (user-supplied JSON). */
#include <stdlib.h>

#include "fuzz/fuzz.h"
#include "signer/signer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_policy *p;
    zkr_evidence *e = NULL;

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    p = malloc(sizeof *p);
    if (p == NULL)
        return 0;
    (void)!zkr_policy_parse(data, size, p, NULL);
    if (zkr_evidence_load(data, size, &e, NULL) == ZKR_OK)
        zkr_evidence_free(e);
    free(p);
    return 0;
}
