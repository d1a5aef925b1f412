/*
 * The input layout of fuzz_train_proof (shared with fuzz/gen_corpus.c,
 * which writes its seeds). Integers little-endian:
 *   statement_id[32] | program_digest[32] | parent_commitment[32] |
 *   child_commitment[32] | dataset_commitment[32] | lr u32 | shift u32 |
 *   steps u32 | batch u32 | batch x u64 record index | proof file
 * i.e. what `zkreg verify` and `zkreg round accept` take from the registry
 * for a training-step@1 statement, then the untrusted proof.
 */
#ifndef ZKR_FUZZ_TRAIN_PROOF_H
#define ZKR_FUZZ_TRAIN_PROOF_H

#define ZKR_FUZZ_TRAIN_HEADER (5 * 32 + 4 * 4)

#endif
