/*
 * The input layout of fuzz_verifier (shared with fuzz/gen_corpus.c, which
 * writes its seeds). All integers little-endian:
 *   statement_id[32] | param_set u32 | m u32 | k u32 | b u32 |
 *   w_root[32] | w_n_vars u32 | x: k*b int64 | y: m*b int64 | proof file
 * i.e. exactly what the signer takes from the registry (the statement's
 * id, the schema's parameter set, the model's commitment, the inputs and
 * outputs) followed by the untrusted proof.
 */
#ifndef ZKR_FUZZ_VERIFIER_H
#define ZKR_FUZZ_VERIFIER_H

#define ZKR_FUZZ_VERIFIER_HEADER (32 + 4 + 12 + 32 + 4)
/* Statements above this many rows/columns/batch are ignored (harness cost). */
#define ZKR_FUZZ_VERIFIER_MAX_DIM 64u
/* The registered |W| bound the harness assumes (the seeds' W are int8). */
#define ZKR_FUZZ_VERIFIER_W_MAX 127u

#endif
