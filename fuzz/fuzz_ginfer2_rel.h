/*
 * The input layout of fuzz_ginfer2_rel (shared with fuzz/gen_corpus.c,
 * which writes its seeds). Integers little-endian:
 *   relation u8 (0 conv, 1 requant, 2 maxpool, 3 avgpool) | share u8 | queries u32 |
 *   pow_bits u32 | statement_id[32] | ZKR_FUZZ_GINF2_SHAPE_WORDS x u32 |
 *   3 x (root[32] | n_vars u32 | blind_vars u32) | the relation's proof
 * The shape words are, by relation:
 *   conv:    c h w kh kw sh sw dh dw pad[4] cout
 *   requant: c h w M shift relu acc_bits (the rest unused)
 *   maxpool, avgpool: c h w kh kw sh sw dh dw pad[4] (the last unused;
 *            avgpool's X a plain int8 tensor, zk/ginfer2_avg.h isl 0)
 * The commitments are conv's X, W, Y; requant's acc, V; maxpool's and
 * avgpool's X, V
 * (unused ones still present). A graph-inference@2 relation proof does
 * not carry its commitments (the caller binds them to the transcript), so
 * the input does, with the parameter set's query count and grinding bits
 * (at most the 128-bit set's, as fuzz_train2_proof; the seeds use the set's
 * own, since below them the relations' capped extra grinding cannot reach
 * the target and the verifier answers UNSUPPORTED).
 */
#ifndef ZKR_FUZZ_GINFER2_REL_H
#define ZKR_FUZZ_GINFER2_REL_H

#define ZKR_FUZZ_GINF2_SHAPE_WORDS 14u
#define ZKR_FUZZ_GINF2_HEADER (1 + 1 + 4 + 4 + 32 + 4 * ZKR_FUZZ_GINF2_SHAPE_WORDS + 3 * (32 + 8))
#define ZKR_FUZZ_GINF2_MAX_DIM 16u   /* c, h, w, cout */
#define ZKR_FUZZ_GINF2_MAX_KERNEL 5u /* kh, kw; stride, dilation and padding at most 4 */
#define ZKR_FUZZ_GINF2_MAX_SHARE 3u  /* the chain conv -> requant -> pool */
#define ZKR_FUZZ_GINF2_MAX_INPUT ((size_t)1 << 21)

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/*
 * Reads one input and runs its relation's verifier, then checks the proof
 * is consumed whole (fuzz/ginfer2_rel_input.c). *skip: 1 when the input
 * is outside the harness's caps or its shape is refused before any proof
 * byte is read (ZKR_OK then), else 0 and the verifier's result.
 */
zkr_err zkr_fuzz_ginfer2_rel_verify(const uint8_t *data, size_t size, int *skip) ZKR_WUR;

#endif
