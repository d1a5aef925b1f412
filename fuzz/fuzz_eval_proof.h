/*
 * The input layout of fuzz_eval_proof (shared with fuzz/gen_corpus.c,
 * which writes its seeds). Integers little-endian:
 *   statement_id[32] | program_digest[32] | model_commitment[32] |
 *   dataset_commitment[32] | first u64 | count u32 | rec_len u32 |
 *   output_len u32 | count x rec_len record bytes | output | proof file
 * i.e. what `zkreg verify` takes from the registry (and the dataset file)
 * for an evaluation@1 statement (fuzz_batch_proof: an inference-batch@1
 * statement), then the untrusted proof.
 */
#ifndef ZKR_FUZZ_EVAL_PROOF_H
#define ZKR_FUZZ_EVAL_PROOF_H

#define ZKR_FUZZ_EVAL_HEADER (4 * 32 + 8 + 3 * 4)
/* Bounds of the harness (the registry's are larger; the parser's are the same code). */
#define ZKR_FUZZ_EVAL_MAX_COUNT 64u
#define ZKR_FUZZ_EVAL_MAX_REC 4097u
/* fuzz_batch_proof: the same layout, a batch public output of up to this many bytes. */
#define ZKR_FUZZ_BATCH_MAX_OUTPUT 4096u

#endif
