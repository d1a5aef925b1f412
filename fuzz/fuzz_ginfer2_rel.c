/*
 * Harness: the graph-inference@2 relation verifiers (verifier/ginfer2.h):
 * zkr_verify_ginf2_conv, _requant and _pool on a public shape, the
 * commitments and a proof, all taken from the input (fuzz_ginfer2_rel.h
 * gives the layout; fuzz/ginfer2_rel_input.c reads it), on the transcript
 * the relation tests bind (tests/zk/ginfer2_fx.h: protocol, parameters,
 * statement id, the roots). Seeds are honest proofs from the real prover
 * at tiny shapes (fuzz/gen_corpus.c, which checks each verifies through
 * the same reader), so mutations reach the masked sumchecks, the range
 * proofs, the link and the hiding openings' parsers and checks.
 */
#include "common/common.h"
#include "fuzz.h"
#include "fuzz_ginfer2_rel.h"

/* The relation verifiers also answer USAGE (commitment sizes that do not fit the shape). */
static int documented(zkr_err r)
{
    return zkr_fuzz_documented(r) || r == ZKR_ERR_USAGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int skip;

    if (!documented(zkr_fuzz_ginfer2_rel_verify(data, size, &skip)))
        __builtin_trap();
    return 0;
}
