/*
 * The input layout of fuzz_ginfer_proof (shared with fuzz/gen_corpus.c,
 * which writes its seeds). Integers little-endian:
 *   statement_id[32] | P root[32] | P n_vars u32 | model_len u32 |
 *   input_len u32 | output_len u32 | model (a ZKRQMOD v2 graph-model file) |
 *   input (node 0's bytes) | output (zkr_infer_output_encode) | proof file
 * i.e. what the confined "ginf-verify" worker takes from the registry, the
 * store and the dataset for a graph-inference@1 statement, then the
 * untrusted proof.
 */
#ifndef ZKR_FUZZ_GINFER_PROOF_H
#define ZKR_FUZZ_GINFER_PROOF_H

#define ZKR_FUZZ_GINF_HEADER (2 * 32 + 4 * 4)
#define ZKR_FUZZ_GINF_MAX_OUT 4096u

#endif
