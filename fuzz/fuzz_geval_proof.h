/*
 * The input layout of fuzz_geval_proof (shared with fuzz/gen_corpus.c,
 * which writes its seeds). Integers little-endian:
 *   statement_id[32] | P root[32] | P n_vars u32 | dataset commitment[32] |
 *   first u64 | count u64 | mode u8 | value u64 | model_len u32 |
 *   records_len u32 | model (a ZKRQMOD v2 graph-model file) | records (count
 *   x (input bytes, label)) | proof file
 * i.e. what an evaluation-graph@1 verifier takes from the registry, the
 * store and the dataset, then the untrusted proof.
 */
#ifndef ZKR_FUZZ_GEVAL_PROOF_H
#define ZKR_FUZZ_GEVAL_PROOF_H

#define ZKR_FUZZ_GEVAL_HEADER (32 + 32 + 4 + 32 + 8 + 8 + 1 + 8 + 4 + 4)

#endif
