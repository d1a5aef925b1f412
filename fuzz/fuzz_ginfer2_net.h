/*
 * The input layout of fuzz_ginfer2_net (shared with fuzz/gen_corpus.c,
 * which writes its seeds). Integers little-endian:
 *   statement_id[32] | the record's commitment | W_1's | W_3's | the proof
 * each commitment root[32] | n_vars u32 | blind_vars u32. The program and
 * its public parameters are fixed: zk-ginfer2-net's small CNN
 * (tests/zk/ginfer2_net_fx.h, seed 1: 1 x 6 x 6 -> conv 3x3 ReLU -> max
 * pool 2x2 -> dense 3; CONV node 1 and DENSE node 3 carry weights), on the
 * 128-bit parameter set; the expected output is not given (the verifier
 * reads it back). The proof is a whole kind 11 container.
 */
#ifndef ZKR_FUZZ_GINFER2_NET_H
#define ZKR_FUZZ_GINFER2_NET_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define ZKR_FUZZ_G2N_HEADER (32 + 3 * (32 + 8))

/*
 * Reads one input and runs zkr_verify_ginfer2 (fuzz/ginfer2_net_input.c).
 * *skip: 1 when the input is shorter than the header or a commitment's
 * sizes are past the caps (ZKR_OK then), else 0 and the verifier's result.
 */
zkr_err zkr_fuzz_ginfer2_net_verify(const uint8_t *data, size_t size, int *skip) ZKR_WUR;

#endif
