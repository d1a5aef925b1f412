/*
 * inference-batch@1 (proof kind 8): inference@1 over a contiguous record
 * range of a registered dataset in one proof, with every record's int8
 * logits public (docs/proof-system.md, "inference-batch@1";
 * docs/soundness.md). Shared by prover/inference_batch.c and
 * verifier/inference_batch.c.
 *
 * The per-layer relations and the record-range binding are evaluation@1's
 * (zk/eval.c): V_l holds inference@1's 16 byte slots of layer l for every
 * (record, row), one zero-check and one matmul sumcheck per layer cover
 * the batch. In place of evaluation@1's argmax block and count, the last
 * layer's Y slot is bound to the public outputs by one degree-2 sumcheck
 *   sum_x eq(r, x) sel(x) Y(x) = sum_x eq(r, x) sel(x) (ypub(x) - lo)
 * over x = (row j, record b), sel(x) = [b < count], ypub(j, b) the
 * statement's output for j < out_dim and 0 (what a zero row computes) for
 * the padding rows; padding records (b >= count) are forced by the layers
 * themselves (all-zero input).
 */
#ifndef ZKR_ZK_INFER_BATCH_H
#define ZKR_ZK_INFER_BATCH_H

#include "zk/zk.h"

#define ZKR_IBATCH_PROTOCOL "zkreg/inference-batch@1"
#define ZKR_IBATCH_VERSION 1u
#define ZKR_KIND_INFERENCE_BATCH1 8u
#define ZKR_IBATCH_NAME "inference-batch@1"
/* Section tags (18..20 allocated to this kind), after ZKR_SEC_STATEMENT. */
#define ZKR_SEC_IBATCH_ROOTS 18u /* witness roots: V_0..V_{L-1}, MU */
#define ZKR_SEC_IBATCH_LOGUP 19u /* L LogUp proofs */
#define ZKR_SEC_IBATCH_BODY 20u  /* output binding and per-layer sumchecks */
/* Poly ids: W'_0..W'_{L-1}, V_0..V_{L-1}, MU. */
#define ZKR_IBATCH_N_POLYS(L) (2u * (L) + 1u)

/*
 * The batch public output (docs/formats.md): magic "ZKIB" | u8 version 1 |
 * u64 first | u64 count | u32 out_dim | count x out_dim int8 logits
 * (record-major), big-endian. 1 <= count <= 2^ZKR_EVAL_MAX_LB,
 * 1 <= out_dim <= ZKR_INFER_MAX_DIM, first + count without overflow, at
 * most ZKR_IBATCH_OUTPUT_MAX bytes in all (about 104,000 records of 10
 * logits).
 */
#define ZKR_IBATCH_OUTPUT_MAGIC "ZKIB"
#define ZKR_IBATCH_OUTPUT_VERSION 1u
#define ZKR_IBATCH_OUTPUT_HEADER 25u
/* The largest encoding: a statement's public output bound (registry ZKR_PUBLIC_OUTPUT_MAX). */
#define ZKR_IBATCH_OUTPUT_MAX ((size_t)1 << 20)

/* Appends the encoding of y (count x out_dim, record-major). ZKR_ERR_USAGE on bad counts. */
zkr_err zkr_ibatch_output_encode(uint64_t first, uint64_t count, uint32_t out_dim,
                                 const int8_t *y, zkr_buf *out) ZKR_WUR;
/*
 * Strict decode of exactly len bytes: *y points into p. ZKR_OK or
 * ZKR_ERR_MALFORMED (magic, version, a count or out_dim out of bounds, a
 * range that overflows, a length other than the header's).
 */
zkr_err zkr_ibatch_output_decode(const uint8_t *p, size_t len, uint64_t *first, uint64_t *count,
                                 uint32_t *out_dim, const int8_t **y) ZKR_WUR;

/*
 * The layout: evaluation@1's (zkr_eval_shape_init) with MU resized for L
 * LogUps (8 + ceil(log2 L) variables, grown to the smallest V_l or W'_l at
 * least that large). The argmax fields (nd, A) are unused.
 */
zkr_err zkr_ibatch_shape_init(zkr_eval_shape *s, uint32_t input_dim, uint32_t n_layers,
                              const uint32_t *in_dims, const uint32_t *out_dims, const int *relu,
                              const uint32_t *shifts, uint64_t count, unsigned max_vars) ZKR_WUR;
/* The MU resizing alone, on a shape zkr_eval_shape_init made (ZKR_ERR_TOO_LARGE). */
zkr_err zkr_ibatch_shape_adjust(zkr_eval_shape *s, unsigned max_vars) ZKR_WUR;
/* Variables of poly id (ZKR_IBATCH_N_POLYS ids). */
unsigned zkr_ibatch_poly_vars(const zkr_eval_shape *s, unsigned id);
/* Openings: ids grouped by size, ascending, at most ZKR_EVAL_GROUP_MAX per opening. */
void zkr_ibatch_groups_of(const zkr_eval_shape *s, zkr_eval_groups *g);

/* Seeds an inference-batch@1 transcript and absorbs the statement section. */
void zkr_ibatch_transcript(zkr_transcript *t, const zkr_params *p,
                           const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                           size_t stmt_len);

#endif
