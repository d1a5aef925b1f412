/*
 * The input layout of fuzz_ginfer2_net (shared with fuzz/gen_corpus.c,
 * which writes its seeds). Integers little-endian:
 *   statement_id[32] | model_commitment[32] | dataset_commitment[32] |
 *   record_index u64 | the proof
 * (graph-inference@2 version 3's statement: the model commitment's and the
 * hiding dataset's digests, the record's index). The program is fixed:
 * zk-ginfer2-net's small CNN (tests/zk/ginfer2_net_fx.h, seed 1: 1 x 6 x
 * 6 -> conv 3x3 ReLU -> max pool 2x2 -> dense 3), on the 128-bit parameter
 * set; its public parameters come from the model commitment the proof
 * carries; the expected output is not given (the verifier reads it back).
 * The proof is a whole kind 11 container.
 */
#ifndef ZKR_FUZZ_GINFER2_NET_H
#define ZKR_FUZZ_GINFER2_NET_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define ZKR_FUZZ_G2N_HEADER (3 * 32 + 8)

/*
 * Reads one input and runs zkr_verify_ginfer2 (fuzz/ginfer2_net_input.c).
 * *skip: 1 when the input is shorter than the header (ZKR_OK then), else
 * 0 and the verifier's result.
 */
zkr_err zkr_fuzz_ginfer2_net_verify(const uint8_t *data, size_t size, int *skip) ZKR_WUR;

#endif
