/*
 * Statement schemas (registry/schema.c): the JSON document parser and the
 * strict canonical decoder. Whatever parses must re-encode and decode to
 * the same digest.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_schema s, back;
    zkr_buf b = {0};

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    if (zkr_schema_parse("fuzz", data, size, &s, NULL) == ZKR_OK) {
        if (zkr_schema_encode(&s, &b) != ZKR_OK ||
            zkr_schema_decode(b.p, b.len, &back, NULL) != ZKR_OK ||
            memcmp(back.digest, s.digest, sizeof s.digest) != 0)
            abort();
    }
    if (zkr_schema_decode(data, size, &s, NULL) == ZKR_OK) {
        b.len = 0;
        if (zkr_schema_encode(&s, &b) != ZKR_OK || b.len != size || memcmp(b.p, data, size) != 0)
            abort(); /* the decoder accepted a non-canonical encoding */
    }
    zkr_buf_free(&b);
    return 0;
}
