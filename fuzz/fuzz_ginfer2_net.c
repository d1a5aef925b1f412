/*
 * Harness: the whole graph-inference@2 verifier (zkr_verify_ginfer2) on
 * the fixed small CNN of zk-ginfer2-net, the statement id, the record's
 * and the model's commitments and a kind 11 container from the input
 * (fuzz_ginfer2_net.h). Seeds are honest proofs from the real prover
 * (fuzz/gen_corpus.c, checked to verify through the same reader), so
 * mutations reach the container parser, the version word, the output
 * codec, the roots and every relation's and the output claim's checks.
 */
#include "common/common.h"
#include "fuzz.h"
#include "fuzz_ginfer2_net.h"

/* The verifier also answers USAGE (commitment sizes that do not fit the program). */
static int documented(zkr_err r)
{
    return zkr_fuzz_documented(r) || r == ZKR_ERR_USAGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int skip;

    if (!documented(zkr_fuzz_ginfer2_net_verify(data, size, &skip)))
        __builtin_trap();
    return 0;
}
