/*
 * Statement canonical encodings (registry/statement.c, DESIGN.md sections
 * 3-4): the bytes statement_id hashes, carried in log leaves and import
 * bundles. A decoder that accepts two encodings of one statement would let
 * two statement_ids name the same claim, so whatever decodes must
 * re-encode to exactly the input, with its parameters in strictly
 * increasing name order (the order registration writes them in).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "registry/registry_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_statement s;
    zkr_buf b = {0};

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    if (zkr_statement_decode_canonical(data, size, &s) != ZKR_OK)
        return 0; /* decode frees what it allocated on failure */
    if (zkr_statement_encode(&s, &b) == ZKR_OK &&
        (b.len != size || memcmp(b.p, data, size) != 0))
        abort(); /* accepted a non-canonical encoding */
    for (size_t i = 1; i < s.n_params; i++)
        if (strcmp(s.params[i - 1].name, s.params[i].name) >= 0)
            abort(); /* unsorted or repeated parameter: another encoding of one claim */
    zkr_buf_free(&b);
    zkr_statement_free(&s);
    return 0;
}
