/*
 * ml/graph.h: the program, i.e. the quantized model's graph. This is the
 * one part of ml/ that the verifier may include: layer types, shapes and
 * the fixed quantization scheme, with a canonical encoding whose SHA-256
 * is the program digest. It holds no weights.
 *
 * The arithmetic a program denotes is specified bit-exactly in
 * docs/quantization.md; in short, for each dense layer l with input x
 * (uint8 record bytes for layer 0, int8 afterwards):
 *   acc[j] = bias[j] + sum_k W[j][k] * x[k]            (|acc| < 2^31)
 *   q[j]   = floor((acc[j] * M[j] + 2^(s-1)) / 2^s)     (exact in int64)
 *   y[j]   = clamp(q[j], lo, 127), lo = 0 with ReLU, else -128
 * W (int8 in [-127, 127]), bias (|bias| <= 2^30), M (0 <= M < 2^31) and
 * s (1..48) live in the model (ml/ml.h); the program fixes the shapes and
 * which layers clamp at 0. All values stay below 2^62 + 2^47 in absolute
 * value, far from p/2 for the Goldilocks prime p = 2^64 - 2^32 + 1, so
 * signed values embed into the field without wraparound.
 *
 * Everything here is pure and thread safe; nothing is secret.
 */
#ifndef ZKR_ML_GRAPH_H
#define ZKR_ML_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* Bounds that keep every intermediate far below p/2 (see above). */
#define ZKR_ML_MAX_LAYERS 16u
#define ZKR_ML_MAX_DIM 4096u
#define ZKR_ML_WEIGHT_MAX 127    /* weights are in [-127, 127] (symmetric) */
#define ZKR_ML_BIAS_MAX (1 << 30) /* |bias| <= 2^30 */
#define ZKR_ML_MULT_LIMIT ((uint32_t)1 << 31) /* 0 <= M < 2^31 */
#define ZKR_ML_SHIFT_MIN 1u
#define ZKR_ML_SHIFT_MAX 48u
#define ZKR_ML_ACT_MIN (-128)
#define ZKR_ML_ACT_MAX 127

/* The canonical program encoding: magic, then the fields below. */
#define ZKR_ML_GRAPH_MAGIC "ZKRPROG\x01"
#define ZKR_ML_GRAPH_MAGIC_BYTES 8
#define ZKR_ML_GRAPH_VERSION 1u
/* Largest encoding: header + ZKR_ML_MAX_LAYERS layers. */
#define ZKR_ML_GRAPH_MAX_BYTES 512u

/* How a record's bytes become the float input: x = byte / 255 (layer 0 sees the bytes). */
#define ZKR_ML_INPUT_U8_DIV255 1u

/*
 * The arithmetic a program denotes (encoded as the header's weight_bits /
 * act_bits bytes, so the two kinds have distinct program digests):
 *   INT8  (8 / 8):  int8 weights, per-channel multiplier and shift
 *                   (docs/quantization.md), for inference@1;
 *   FIXED (32 / 16): fixed-point int32 weights (16 fractional bits) with the
 *                   training arithmetic of docs/training.md, for
 *                   training-step@1 (hidden layers ReLU, the last none).
 */
#define ZKR_ML_ARITH_INT8 0u
#define ZKR_ML_ARITH_FIXED 1u

/*
 * Constants of the FIXED arithmetic (docs/training.md specifies every
 * operation). Real values: weight W / 2^16, activation (input byte or
 * hidden) a / 2^8, output o / 2^12, delta / 2^12. Layer l's input carries a
 * constant ZKR_ML_T_ONE in column in_dim, so W_l is out_dim x (in_dim + 1)
 * with the bias in the last column.
 * The bounds keep every intermediate below 2^62 in absolute value, so
 * signed values embed into the Goldilocks field without wraparound.
 */
#define ZKR_ML_T_WEIGHT_FRAC 16u
#define ZKR_ML_T_ONE 256                /* 1.0 in activation scale (2^8) */
#define ZKR_ML_T_TARGET 4096            /* 1.0 in output scale (2^12): the one-hot target */
#define ZKR_ML_T_HIDDEN_SHIFT 16u       /* z (2^-24) -> hidden activation (2^-8) */
#define ZKR_ML_T_OUT_SHIFT 12u          /* z (2^-24) -> output (2^-12) */
#define ZKR_ML_T_BACK_SHIFT 16u         /* delta*W (2^-28) -> delta (2^-12) */
#define ZKR_ML_T_WEIGHT_BOUND (1 << 20) /* |W| < 2^20 (parent and child) */
#define ZKR_ML_T_HIDDEN_BOUND (1 << 16) /* 0 <= h < 2^16 */
#define ZKR_ML_T_NEG_BOUND ((int64_t)1 << 32) /* 0 <= n = max(0, -q) < 2^32 */
#define ZKR_ML_T_OUT_BOUND (1 << 23)    /* -2^23 <= o < 2^23 */
#define ZKR_ML_T_DELTA_BOUND (1 << 23)  /* -2^23 <= d < 2^23 (hidden deltas) */
#define ZKR_ML_T_MAX_BATCH 64u          /* records per step */
#define ZKR_ML_T_LR_MAX 65535u          /* 1 <= lr (eta) <= 65535 */
#define ZKR_ML_T_SHIFT_MIN 1u           /* 1 <= shift (S) <= 16 */
#define ZKR_ML_T_SHIFT_MAX 16u

/* Layer operations; only dense (Gemm/MatMul [+ Add] [+ Relu]) for now. */
#define ZKR_ML_OP_DENSE 1u

/* Activation applied by the clamp after requantization. */
#define ZKR_ML_ACT_NONE 0u /* clamp to [-128, 127] */
#define ZKR_ML_ACT_RELU 1u /* clamp to [0, 127] */

typedef struct {
    uint8_t op;       /* ZKR_ML_OP_DENSE */
    uint8_t act;      /* ZKR_ML_ACT_NONE or ZKR_ML_ACT_RELU */
    uint32_t in_dim;  /* 1..ZKR_ML_MAX_DIM; equals the previous out_dim */
    uint32_t out_dim; /* 1..ZKR_ML_MAX_DIM */
} zkr_ml_layer_desc;

typedef struct {
    uint8_t arith;          /* ZKR_ML_ARITH_INT8 or ZKR_ML_ARITH_FIXED */
    uint8_t input_encoding; /* ZKR_ML_INPUT_U8_DIV255 */
    uint32_t input_dim;     /* bytes of input per record (784 for 28x28) */
    uint32_t n_layers;      /* 1..ZKR_ML_MAX_LAYERS */
    zkr_ml_layer_desc layers[ZKR_ML_MAX_LAYERS];
} zkr_ml_graph;

/*
 * Checks a graph's invariants (bounds, chained dims, known op/act codes).
 * Returns ZKR_OK or ZKR_ERR_MALFORMED with the layer and field in the diag.
 */
zkr_err zkr_ml_graph_check(const zkr_ml_graph *g, zkr_diag *d) ZKR_WUR;

/*
 * Appends the canonical encoding of g to out (out is not cleared, so a
 * caller may embed it). Byte layout (big-endian, docs/quantization.md):
 *   magic(8) | u32 version | u8 input_encoding | u32 input_dim |
 *   u8 weight_bits | u8 act_bits | u32 n_layers |   (8/8 INT8, 32/16 FIXED)
 *   n_layers x (u8 op | u8 act | u32 in_dim | u32 out_dim)
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (g fails zkr_ml_graph_check), ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_graph_encode(const zkr_ml_graph *g, zkr_buf *out, zkr_diag *d) ZKR_WUR;

/*
 * Strictly decodes exactly (p, len) into *g: wrong magic, unknown version,
 * any field out of bounds, dims that do not chain, truncation or trailing
 * bytes are ZKR_ERR_MALFORMED (ZKR_ERR_UNSUPPORTED for a newer version),
 * with the field named in the diag. *g is zeroed on entry and on failure.
 */
zkr_err zkr_ml_graph_decode(const uint8_t *p, size_t len, zkr_ml_graph *g, zkr_diag *d) ZKR_WUR;

/* The program digest: SHA-256 of the canonical encoding. Returns as encode. */
zkr_err zkr_ml_graph_digest(const zkr_ml_graph *g, uint8_t out[ZKR_DIGEST_BYTES],
                            zkr_diag *d) ZKR_WUR;

/* Output width of the graph (the last layer's out_dim); 0 for an empty graph. */
uint32_t zkr_ml_graph_out_dim(const zkr_ml_graph *g);

#endif /* ZKR_ML_GRAPH_H */
