/*
 * The input layout of fuzz_infer2_proof (shared with fuzz/gen_corpus.c).
 * Integers little-endian:
 *   statement_id[32] | param_set u32 | program_digest[32] |
 *   model_commitment[32] | dataset_commitment[32] | record_index u64 |
 *   public_output u32 (0 or 1) | output_len u32 | output | proof file
 * i.e. what zkreg takes from the registry for an inference@2 statement,
 * then the untrusted proof.
 */
#ifndef ZKR_FUZZ_INFER2_PROOF_H
#define ZKR_FUZZ_INFER2_PROOF_H

#define ZKR_FUZZ_INFER2_HEADER (32 + 4 + 32 + 32 + 32 + 8 + 4 + 4)
#define ZKR_FUZZ_INFER2_MAX_OUTPUT 4096u
/* A proof of even the smallest model is a few MB (hiding openings): over fuzz.h's 1 MiB. */
#define ZKR_FUZZ_INFER2_MAX_INPUT ((size_t)1 << 23)

#endif
