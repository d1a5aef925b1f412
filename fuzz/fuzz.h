/*
 * fuzz: every harness defines only LLVMFuzzerTestOneInput, so one source
 * builds for libFuzzer, AFL++ (persistent mode through its libFuzzer
 * driver) and the replay main() in replay_main.c that CI runs.
 * Harnesses create and free their own context per input, cap the input
 * size, and are deterministic.
 */
#ifndef ZKR_FUZZ_H
#define ZKR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* Inputs larger than this are ignored by every harness. */
#define ZKR_FUZZ_MAX_INPUT ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The n (<= 8) bytes at p, little-endian. */
static inline uint64_t zkr_fuzz_ld(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned k = n; k-- > 0;)
        v = v << 8 | p[k];
    return v;
}

static inline uint32_t zkr_fuzz_ld32(const uint8_t *p)
{
    return (uint32_t)zkr_fuzz_ld(p, 4);
}

/*
 * The errors a proof verifier documents for a hostile input (ZKR_OK among them);
 * a crash or any other code is a finding.
 */
static inline int zkr_fuzz_documented(zkr_err r)
{
    return r == ZKR_OK || r == ZKR_ERR_VERIFY || r == ZKR_ERR_MALFORMED ||
           r == ZKR_ERR_TOO_LARGE || r == ZKR_ERR_UNSUPPORTED || r == ZKR_ERR_NOMEM ||
           (r <= ZKR_ERR_MISMATCH_STATEMENT && r >= ZKR_ERR_MISMATCH_PARAMS);
}

#endif
