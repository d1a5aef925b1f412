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


/* ================================================================== */
/* Graph programs (program version 2): DAGs of CNN operators           */
/* ================================================================== */
/*
 * A graph program is a DAG of nodes in topological order over int8
 * tensors of shape C x H x W, stored C-major: element (c, h, w) of a node
 * with shape C x H x W sits at index c*H*W + h*W + w. Node 0 is the input
 * (op ZKR_ML_GOP_INPUT, uint8 record bytes 0..255 in that same order;
 * input_dim = C*H*W); every other node names its inputs by index, and
 * every input index is smaller than the node's own. The output of the
 * program is the last node's tensor, flattened; the predicted class is its
 * argmax, the lowest index among equal maxima. Every node except the last
 * is read by at least one later node (no dead nodes).
 *
 * Version 1 programs (zkr_ml_graph above) are unchanged, byte for byte.
 * A graph program uses the same magic with version 2; zkr_ml_graph_decode
 * refuses it as a newer version (ZKR_ERR_UNSUPPORTED), zkr_ml_gprog_decode
 * refuses version 1.
 *
 * Bit-exact integer semantics (docs/quantization.md, section 7, is the
 * normative text; this is the summary a prover needs). X is the input
 * tensor (X2 the second input), Y the output, Cin x Hin x Win the input
 * shape, C x H x W the output shape; floor rounds toward minus infinity;
 * clamp(q, lo) = min(127, max(lo, q)) with lo = 0 when act is
 * ZKR_ML_ACT_RELU and -128 otherwise. Model parameters (ml/ml.h) per node:
 * weights W (int8 in [-127, 127]), bias b (|b| <= 2^30), multipliers
 * M (0 <= M < 2^31), shift s (1..48), table T (256 int8).
 *
 * CONV (1 input; X may be node 0): groups G (1, or G = Cin: depthwise),
 *   cpg = Cin / G input channels per group, opg = C / G outputs per group,
 *   W[o][ci][ky][kx] for o < C, ci < cpg, ky < kh, kx < kw (ONNX layout):
 *     acc[o][y][x] = b[o] + sum_{ci, ky, kx} W[o][ci][ky][kx] *
 *                    X[(o / opg) * cpg + ci][y*sh - pt + ky*dh][x*sw - pl + kx*dw]
 *   where X outside 0..Hin-1 x 0..Win-1 reads 0 (zero padding; the zero
 *   point is 0, so this is the real value 0), and
 *     q = floor((acc * M[o] + 2^(s-1)) / 2^s),   Y[o][y][x] = clamp(q, lo).
 *   H = floor((Hin + pt + pb - dh*(kh-1) - 1) / sh) + 1, W likewise with
 *   pl, pr, dw, kw, sw; both must be >= 1.
 * DENSE (1 input; X may be node 0): on the flattened input x (C-major,
 *   n = Cin*Hin*Win), output shape C x 1 x 1, W[j][k] row-major:
 *     acc[j] = b[j] + sum_k W[j][k] * x[k],  q as CONV, Y[j] = clamp(q, lo).
 * MAXPOOL (1 int8 input): window kh x kw, stride sh x sw, pads pt/pl/pb/pr,
 *   no dilation; H, W as CONV with dh = dw = 1:
 *     Y[c][y][x] = max over ky < kh, kx < kw of X[c][y*sh-pt+ky][x*sw-pl+kx]
 *   where padded positions read -128. Every pad is < its kernel size, so
 *   every window holds at least one real element, and since every real
 *   value is >= -128 this equals the max over the real elements alone
 *   (ONNX's -inf padding). The output keeps the input's scale.
 * AVGPOOL (1 int8 input): window, stride, pads and H, W as MAXPOOL; padded
 *   positions read 0 and count (count_include_pad), k = kh * kw:
 *     sum = sum over the window of X (padding 0)
 *     Y[c][y][x] = floor((sum + floor(k/2)) / k)      (round half up)
 *   proven as sum + floor(k/2) = Y * k + r with 0 <= r < k. Y stays in
 *   [-128, 127] with no clamp (the mean of int8 values rounded). Global
 *   average pooling is kh = Hin, kw = Win, stride 1, no pads. The output
 *   keeps the input's scale.
 * ADD (2 int8 inputs of equal shape, act NONE or RELU): multipliers Ma, Mb
 *   and one shift s (from the model) bring both to the output scale:
 *     q = floor((X[i] * Ma + X2[i] * Mb + 2^(s-1)) / 2^s),  Y[i] = clamp(q, lo).
 *   Both inputs may be the same node.
 * LOOKUP (1 int8 input, act NONE): Y[i] = T[X[i] + 128]; the table (any
 *   unary activation evaluated at calibration, docs/quantization.md) is in
 *   the model.
 * CONCAT (2..ZKR_ML_G_MAX_IN int8 inputs, equal H and W, act NONE): the
 *   channels of the inputs in order, values copied unchanged (the quantizer
 *   gives the inputs one common scale). C = sum of the inputs' C.
 * Only CONV and DENSE may read node 0 (the uint8 input); every other op
 * reads int8 nodes.
 *
 * Bounds (why every value embeds into the Goldilocks field, p = 2^64 -
 * 2^32 + 1, without wraparound; all are checked by zkr_ml_gprog_check and
 * the model decoder):
 *   fan-in F (CONV: cpg*kh*kw; DENSE: Cin*Hin*Win) <= 2^14, so
 *     |acc| <= 2^14 * 127 * 255 + 2^30 < 1.61e9 < 2^31 (an int32),
 *     |acc * M + 2^(s-1)| < 2^62 + 2^47 < p/2;
 *   ADD: |X*Ma + X2*Mb + 2^(s-1)| <= 2 * 128 * 2^31 + 2^47 < 2^48;
 *   AVGPOOL: k <= 2^14, |sum + floor(k/2)| <= 2^21 + 2^13 < 2^22;
 *   MAXPOOL: each Y - X in [0, 255]; LOOKUP: index X + 128 in [0, 255].
 */

/* Graph-program bounds. */
#define ZKR_ML_GRAPH_VERSION_G 2u
#define ZKR_ML_G_MAX_NODES 128u  /* including node 0, the input */
#define ZKR_ML_G_MAX_IN 4u       /* inputs per node (CONCAT: 2..4) */
#define ZKR_ML_G_MAX_C 4096u     /* channels (DENSE: outputs) */
#define ZKR_ML_G_MAX_HW 1024u    /* height and width */
#define ZKR_ML_G_MAX_ELEMS ((uint32_t)1 << 20) /* C*H*W of any tensor */
#define ZKR_ML_G_MAX_FANIN ((uint32_t)1 << 14) /* CONV cpg*kh*kw, DENSE n, pool kh*kw */
#define ZKR_ML_G_MAX_KERNEL 32u  /* CONV kh, kw (pools: kh*kw <= MAX_FANIN) */
#define ZKR_ML_G_MAX_STRIDE 32u  /* stride and dilation, >= 1 */
#define ZKR_ML_G_MAX_PAD 32u     /* each CONV pad; pool pads also < kernel */
#define ZKR_ML_G_TABLE_SIZE 256u /* LOOKUP: T[x + 128] */
/* Largest encoding: header + (ZKR_ML_G_MAX_NODES - 1) node records. */
#define ZKR_ML_G_HEADER_BYTES 31u
#define ZKR_ML_G_NODE_BYTES 75u
#define ZKR_ML_GPROG_MAX_BYTES \
    (ZKR_ML_G_HEADER_BYTES + (ZKR_ML_G_MAX_NODES - 1u) * ZKR_ML_G_NODE_BYTES)

/* Node operations (DENSE keeps its version 1 code). */
#define ZKR_ML_GOP_INPUT 0u /* node 0 only; never encoded */
#define ZKR_ML_GOP_DENSE 1u
#define ZKR_ML_GOP_CONV 2u
#define ZKR_ML_GOP_MAXPOOL 3u
#define ZKR_ML_GOP_AVGPOOL 4u
#define ZKR_ML_GOP_ADD 5u
#define ZKR_ML_GOP_LOOKUP 6u
#define ZKR_ML_GOP_CONCAT 7u

/*
 * One node. Fields an op does not use are zero (canonical encoding):
 * kh..pr for CONV, MAXPOOL, AVGPOOL; dh, dw, groups for CONV only.
 */
typedef struct {
    uint8_t op;                   /* ZKR_ML_GOP_* */
    uint8_t act;                  /* ZKR_ML_ACT_RELU allowed on CONV, DENSE, ADD */
    uint8_t n_in;                 /* number of inputs (0 for node 0) */
    uint32_t in[ZKR_ML_G_MAX_IN]; /* input node indices, each < this node's */
    uint32_t c, h, w;             /* output shape */
    uint32_t kh, kw;              /* kernel / window */
    uint32_t sh, sw;              /* strides */
    uint32_t pt, pl, pb, pr;      /* pads: top, left, bottom, right */
    uint32_t dh, dw;              /* CONV dilations */
    uint32_t groups;              /* CONV: 1 or Cin (depthwise) */
} zkr_ml_gnode;

typedef struct {
    uint8_t input_encoding; /* ZKR_ML_INPUT_U8_DIV255 */
    uint32_t n_nodes;       /* 2..ZKR_ML_G_MAX_NODES, node 0 included */
    zkr_ml_gnode nodes[ZKR_ML_G_MAX_NODES]; /* nodes[0]: op INPUT, shape of the record */
} zkr_ml_gprog;

/*
 * Checks every invariant stated above: op codes and their input counts,
 * topological input indices, no dead node, shapes (each output shape must
 * equal the one the op computes from its inputs), every bound, unused
 * fields zero. ZKR_OK or ZKR_ERR_MALFORMED naming the node and field.
 */
zkr_err zkr_ml_gprog_check(const zkr_ml_gprog *g, zkr_diag *d) ZKR_WUR;

/*
 * Appends the canonical encoding of g to out (docs/quantization.md 7.3),
 * big-endian:
 *   magic(8) "ZKRPROG\x01" | u32 version = 2 | u8 input_encoding |
 *   u32 C | u32 H | u32 W | u8 weight_bits = 8 | u8 act_bits = 8 |
 *   u32 n_nodes | (n_nodes - 1) node records, nodes 1.. in order:
 *     u8 op | u8 act | u8 n_in | 4 x u32 in (unused 0) | u32 c | u32 h |
 *     u32 w | u32 kh | u32 kw | u32 sh | u32 sw | u32 pt | u32 pl |
 *     u32 pb | u32 pr | u32 dh | u32 dw | u32 groups       (75 bytes)
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (g fails the check), ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_gprog_encode(const zkr_ml_gprog *g, zkr_buf *out, zkr_diag *d) ZKR_WUR;

/*
 * Strictly decodes exactly (p, len): wrong magic, a version other than 2
 * (ZKR_ERR_UNSUPPORTED above 2), truncation, trailing bytes and anything
 * zkr_ml_gprog_check refuses are ZKR_ERR_MALFORMED; over
 * ZKR_ML_GPROG_MAX_BYTES is ZKR_ERR_TOO_LARGE. *g is zeroed on entry and
 * on failure.
 */
zkr_err zkr_ml_gprog_decode(const uint8_t *p, size_t len, zkr_ml_gprog *g, zkr_diag *d) ZKR_WUR;

/* The program digest: SHA-256 of the canonical encoding. Returns as encode. */
zkr_err zkr_ml_gprog_digest(const zkr_ml_gprog *g, uint8_t out[ZKR_DIGEST_BYTES],
                            zkr_diag *d) ZKR_WUR;

/*
 * The program version of encoded bytes: 1 or 2 when they start with the
 * program magic and that version, 0 otherwise. Decides nothing else.
 */
uint32_t zkr_ml_program_version(const uint8_t *p, size_t len);

/*
 * Builder aid: sets node i's output shape (c, h, w) from its op fields and
 * inputs (c is kept for CONV and DENSE, where it is the output channel
 * count). Checks what zkr_ml_gprog_check checks for that node except
 * dead nodes. ZKR_OK, ZKR_ERR_MALFORMED naming the field, ZKR_ERR_USAGE
 * (i out of range).
 */
zkr_err zkr_ml_gprog_set_shape(zkr_ml_gprog *g, uint32_t i, zkr_diag *d) ZKR_WUR;

/* Elements of node i's tensor (c*h*w); 0 when i is out of range. */
uint32_t zkr_ml_gprog_elems(const zkr_ml_gprog *g, uint32_t i);

/* Fan-in of a CONV or DENSE node (weights per output channel); 0 for other ops. */
uint32_t zkr_ml_gprog_fanin(const zkr_ml_gprog *g, uint32_t i);

#endif /* ZKR_ML_GRAPH_H */
