/*
 * The input layout of fuzz_matmul2 (shared with fuzz/gen_corpus.c). All
 * integers little-endian:
 *   statement_id[32] | param_set u32 | m u32 | k u32 | b u32 |
 *   w_root[32] | w_n_vars u32 | w_blind_vars u32 | x: k*b int64 |
 *   y: m*b int64 | proof file
 * i.e. what the signer takes from the registry for a matmul@2 statement,
 * then the untrusted proof.
 */
#ifndef ZKR_FUZZ_MATMUL2_H
#define ZKR_FUZZ_MATMUL2_H

#define ZKR_FUZZ_MATMUL2_HEADER (32 + 4 + 12 + 32 + 8)
#define ZKR_FUZZ_MATMUL2_MAX_DIM 16u
#define ZKR_FUZZ_MATMUL2_W_MAX 127u

#endif
