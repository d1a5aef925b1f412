/*
 * The input layout of fuzz_train2_proof (shared with fuzz/gen_corpus.c).
 * Integers little-endian:
 *   queries u32 | pow_bits u32 | statement_id[32] | L u32 | (L + 1) x dims u32 |
 *   batch u32 | lr u32 | shift u32 | parent weights i32 | child weights i32 |
 *   n u64 | root[32] | batch x (index u64 | record commitment[48] |
 *   path_len u32 | path_len x digest[32]) | the proof body
 * i.e. the public inputs of a training-step@2 proof (zkr_train2_public; the
 * parameter set's query count and grinding bits, so that seeds made with
 * the tests' fast set verify), then the untrusted body.
 */
#ifndef ZKR_FUZZ_TRAIN2_PROOF_H
#define ZKR_FUZZ_TRAIN2_PROOF_H

#define ZKR_FUZZ_TRAIN2_MAX_LAYERS 3u
#define ZKR_FUZZ_TRAIN2_MAX_DIM 16u
#define ZKR_FUZZ_TRAIN2_MAX_BATCH 4u
#define ZKR_FUZZ_TRAIN2_MAX_PATH 16u
#define ZKR_FUZZ_TRAIN2_MAX_INPUT ((size_t)1 << 23)

#endif
