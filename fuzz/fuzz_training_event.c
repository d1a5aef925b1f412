/*
 * The training events a bundle carries (registry/training.c): the first
 * byte picks the decoder (lineage, round-open, round-outcome, round-close),
 * the rest is the payload. Everything a decoder accepts must be within its
 * bounds and, except a version-1 round-open (read, never written),
 * re-encode to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "registry/registry.h"

static void check_same(zkr_err enc, const zkr_buf *b, const uint8_t *p, size_t len)
{
    if (enc != ZKR_OK || b->len != len || (len > 0 && memcmp(b->p, p, len) != 0))
        abort(); /* a decoder accepted what its encoder would not write */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_buf b = {0};
    const uint8_t *p = data + 1;
    size_t n = size ? size - 1 : 0;

    if (size == 0 || size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    switch (data[0] & 3) {
    case 0: {
        zkr_lineage l;
        if (zkr_lineage_decode(p, n, &l) == ZKR_OK)
            check_same(zkr_lineage_encode(&l, &b), &b, p, n);
        break;
    }
    case 1: {
        zkr_round_open o;
        if (zkr_round_open_decode(p, n, &o) == ZKR_OK) {
            if (o.workers < 1 || o.workers > ZKR_ROUND_MAX_WORKERS ||
                o.first + (uint64_t)o.workers * o.per_worker - 1 < o.first)
                abort(); /* a shard range that wraps */
            if (o.version == 2)
                check_same(zkr_round_open_encode(&o, &b), &b, p, n);
        }
        break;
    }
    case 2: {
        zkr_round_outcome o;
        if (zkr_round_outcome_decode(p, n, &o) == ZKR_OK)
            check_same(zkr_round_outcome_encode(&o, &b), &b, p, n);
        break;
    }
    default: {
        zkr_round_close c;
        if (zkr_round_close_decode(p, n, &c) == ZKR_OK)
            check_same(zkr_round_close_encode(&c, &b), &b, p, n);
        break;
    }
    }
    zkr_buf_free(&b);
    return 0;
}
