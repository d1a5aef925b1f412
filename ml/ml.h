/*
 * ml: ONNX import (float model), quantization into the canonical
 * quantized-model file, bit-exact integer inference with its intermediate
 * values (what a prover commits to), float inference and evaluation.
 *
 * The program (graph) lives in ml/graph.h; the verifier includes only that.
 * The integer arithmetic is specified in docs/quantization.md.
 *
 * Thread safety: objects are immutable after construction and may be read
 * from several threads; a zkr_ml_trace belongs to one thread at a time.
 * Nothing here is secret (weights are not treated as secrets yet).
 */
#ifndef ZKR_ML_H
#define ZKR_ML_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "ml/graph.h"

/* An ONNX file larger than this is refused before parsing. */
#define ZKR_ML_ONNX_MAX_BYTES ((size_t)256 << 20)

/* ------------------------------------------------------------------ */
/* Float model (ONNX import)                                           */
/* ------------------------------------------------------------------ */

typedef struct zkr_ml_fmodel zkr_ml_fmodel;

/*
 * Parses an ONNX ModelProto (protobuf) and folds it into dense layers.
 * Supported (default domain, opset 11..17): Gemm (alpha, beta, transA,
 * transB), MatMul, Add (a bias after Gemm/MatMul), Relu, Flatten, Reshape
 * and Identity (Constant as a source of Reshape shapes), with float32
 * initializers; the one graph input must have a fixed shape, and every
 * Gemm/MatMul must see a single row (a batch of one record).
 * `name` names the input in messages (a path, or "model.onnx").
 * Returns ZKR_OK;
 *   ZKR_ERR_MALFORMED: not a protobuf ModelProto (truncated, corrupt), a
 *     dangling tensor name, initializer size not matching its dims,
 *     NaN/Inf weights, mismatched dims between nodes;
 *   ZKR_ERR_UNSUPPORTED: an operator outside the list (the diag names the
 *     op_type and node position), another opset, dynamic or unknown shapes,
 *     non-float32 data, external data, a graph that is not a chain of
 *     dense layers;
 *   ZKR_ERR_TOO_LARGE: over ZKR_ML_ONNX_MAX_BYTES or a dim over ZKR_ML_MAX_DIM;
 *   ZKR_ERR_NOMEM.
 * *out is NULL on failure.
 */
zkr_err zkr_ml_onnx_import(const uint8_t *p, size_t len, const char *name, zkr_ml_fmodel **out,
                           zkr_diag *d) ZKR_WUR;

/* Reads `path` (at most ZKR_ML_ONNX_MAX_BYTES) and imports it; also ZKR_ERR_NOT_FOUND, ZKR_ERR_IO. */
zkr_err zkr_ml_onnx_import_file(const char *path, zkr_ml_fmodel **out, zkr_diag *d) ZKR_WUR;

/* Frees. Accepts NULL. */
void zkr_ml_fmodel_free(zkr_ml_fmodel *f);

/* The program the float model folds into (valid while f lives). */
const zkr_ml_graph *zkr_ml_fmodel_graph(const zkr_ml_fmodel *f);

/*
 * Float inference on one record's input bytes (x = byte / 255), in double
 * precision. Writes the graph's out_dim logits into out (cap entries).
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (input_len != input_dim),
 * ZKR_ERR_USAGE (cap too small), ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_fmodel_infer(const zkr_ml_fmodel *f, const uint8_t *input, size_t input_len,
                            double *out, size_t cap, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Quantized model (canonical file)                                    */
/* ------------------------------------------------------------------ */

/* One layer's quantized parameters (sizes from the program). */
typedef struct {
    const int8_t *w;      /* out_dim x in_dim, row-major: w[j * in_dim + k], in [-127, 127] */
    const int32_t *bias;  /* out_dim, |bias| <= 2^30 */
    const uint32_t *mult; /* out_dim, < 2^31 */
    uint32_t shift;       /* ZKR_ML_SHIFT_MIN..ZKR_ML_SHIFT_MAX */
} zkr_ml_qlayer;

/* The canonical quantized-model file. */
#define ZKR_ML_MODEL_MAGIC "ZKRQMOD\x01"
#define ZKR_ML_MODEL_MAGIC_BYTES 8
#define ZKR_ML_MODEL_VERSION 1u
/* A model larger than this is refused (bounded by the graph bounds anyway). */
#define ZKR_ML_MODEL_MAX_BYTES ((size_t)1 << 30)

/*
 * Writes the canonical quantized-model file for graph g with layers[0..n)
 * into out (cleared first). Byte layout (docs/quantization.md):
 *   magic(8) | u32 version | program_digest(32) | u32 len | program |
 *   per layer: u8 shift | out_dim x u32 mult | out_dim x i32 bias |
 *              out_dim*in_dim x i8 weights
 * all big-endian, signed values in two's complement.
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (g invalid or a value out of bounds,
 * naming layer and index), ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_model_encode(const zkr_ml_graph *g, const zkr_ml_qlayer *layers, zkr_buf *out,
                            zkr_diag *d) ZKR_WUR;

typedef struct zkr_ml_model zkr_ml_model;

/*
 * Strictly decodes a quantized-model file (exactly (p, len); it keeps a
 * copy). Bad magic, version, program digest not matching the embedded
 * program, any value out of bounds, truncation or trailing bytes are
 * ZKR_ERR_MALFORMED (newer version: ZKR_ERR_UNSUPPORTED); over
 * ZKR_ML_MODEL_MAX_BYTES: ZKR_ERR_TOO_LARGE; ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_model_decode(const uint8_t *p, size_t len, zkr_ml_model **out,
                            zkr_diag *d) ZKR_WUR;

/* Reads and decodes a model file; also ZKR_ERR_NOT_FOUND, ZKR_ERR_IO. */
zkr_err zkr_ml_model_read_file(const char *path, zkr_ml_model **out, zkr_diag *d) ZKR_WUR;

/* Frees. Accepts NULL. */
void zkr_ml_model_free(zkr_ml_model *m);

const zkr_ml_graph *zkr_ml_model_graph(const zkr_ml_model *m);
/* Layer l's parameters (pointers valid while m lives); l < n_layers or ZKR_ERR_USAGE. */
zkr_err zkr_ml_model_layer(const zkr_ml_model *m, uint32_t l, zkr_ml_qlayer *out) ZKR_WUR;
/* The model digest: SHA-256 of the canonical file. */
void zkr_ml_model_digest(const zkr_ml_model *m, uint8_t out[ZKR_DIGEST_BYTES]);
/* The program digest embedded in (and checked against) the file. */
void zkr_ml_model_program_digest(const zkr_ml_model *m, uint8_t out[ZKR_DIGEST_BYTES]);
/* The canonical bytes (valid while m lives). */
void zkr_ml_model_bytes(const zkr_ml_model *m, const uint8_t **p, size_t *len);

/* ------------------------------------------------------------------ */
/* Quantization (docs/quantization.md)                                 */
/* ------------------------------------------------------------------ */

/*
 * One requantization step: q = floor((acc * mult + 2^(shift-1)) / 2^shift),
 * returns clamp(q, act == ZKR_ML_ACT_RELU ? 0 : -128, 127) and writes q to
 * *q_out when non-NULL. Preconditions (checked by the model decoder):
 * |acc| < 2^31, mult < 2^31, shift in 1..48; outside them the result is
 * clamped but meaningless.
 */
int8_t zkr_ml_requant(int32_t acc, uint32_t mult, uint32_t shift, uint8_t act, int64_t *q_out);

/*
 * Quantizes f with calibration inputs: `inputs` holds n records of
 * input_dim bytes back to back. Weights per output channel symmetric
 * (scale max|w|/127), activation scales from the maximum over the
 * calibration set, multipliers and shifts as docs/quantization.md says.
 * Writes the canonical model file into out (cleared first).
 * Returns ZKR_OK, ZKR_ERR_USAGE (n == 0 or wrong length),
 * ZKR_ERR_UNSUPPORTED (a bias or scale ratio that does not fit the
 * bounds, naming the layer and channel), ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_quantize_inputs(const zkr_ml_fmodel *f, const uint8_t *inputs, size_t inputs_len,
                               size_t n, zkr_buf *out, zkr_diag *d) ZKR_WUR;

/*
 * As zkr_ml_quantize_inputs with records first..first+count-1 of an IDX
 * dataset (zkr_dataset_* from common/). Also ZKR_ERR_UNSUPPORTED for a
 * dataset whose records are not input_dim image bytes plus a label, and
 * ZKR_ERR_NOT_FOUND for a range past the end.
 */
zkr_err zkr_ml_quantize(const zkr_ml_fmodel *f, const zkr_dataset *calib, uint64_t first,
                        uint64_t count, zkr_buf *out, zkr_diag *d) ZKR_WUR;

/*
 * Splits dataset record i into the model input (input_dim image bytes)
 * and its label (the last byte). Returns ZKR_OK, ZKR_ERR_NOT_FOUND past
 * the end, ZKR_ERR_UNSUPPORTED (not an IDX dataset or another record
 * size, naming both sizes).
 */
zkr_err zkr_ml_record_input(const zkr_dataset *ds, uint64_t i, uint32_t input_dim,
                            const uint8_t **input, uint8_t *label, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Integer inference and its trace                                     */
/* ------------------------------------------------------------------ */

/*
 * Every value native inference computes, in the order it computes them,
 * so that a prover commits to exactly these (docs/quantization.md):
 *   x[0] = input (bytes, 0..255); x[l+1] = y[l] (int8)
 *   acc[l][j] = bias[l][j] + sum_k w[l][j][k] * x[l][k]
 *   q[l][j]   = floor((acc[l][j] * mult[l][j] + 2^(s_l-1)) / 2^s_l)
 *   y[l][j]   = clamp(q[l][j], lo_l, 127)
 * The output is y[n_layers-1]; argmax is its first maximal index.
 */
typedef struct {
    uint32_t n_layers;
    uint32_t input_dim;
    uint32_t dims[ZKR_ML_MAX_LAYERS]; /* out_dim of each layer */
    uint8_t *input;                   /* input_dim */
    int32_t *acc[ZKR_ML_MAX_LAYERS];  /* dims[l] each */
    int64_t *q[ZKR_ML_MAX_LAYERS];    /* dims[l] each, before the clamp */
    int8_t *y[ZKR_ML_MAX_LAYERS];     /* dims[l] each */
    uint32_t argmax;
} zkr_ml_trace;

/* Allocates a trace shaped for g (zeroed). Returns ZKR_OK, ZKR_ERR_MALFORMED, ZKR_ERR_NOMEM. */
zkr_err zkr_ml_trace_init(zkr_ml_trace *t, const zkr_ml_graph *g) ZKR_WUR;
/* Frees the arrays and zeroes t. Accepts NULL and a zeroed trace. */
void zkr_ml_trace_free(zkr_ml_trace *t);

/*
 * Runs the quantized model on one input (input_dim bytes), filling t
 * (which zkr_ml_trace_init shaped for this model's graph). Deterministic
 * and exact: the same model and input give the same trace on every
 * platform. Returns ZKR_OK, ZKR_ERR_MALFORMED (input_len != input_dim),
 * ZKR_ERR_USAGE (t shaped for another graph).
 */
zkr_err zkr_ml_infer(const zkr_ml_model *m, const uint8_t *input, size_t input_len,
                     zkr_ml_trace *t, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Evaluation                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
    uint64_t n;             /* records evaluated */
    uint64_t float_correct; /* float argmax == label (0 when no float model) */
    uint64_t quant_correct; /* quantized argmax == label */
    uint64_t agree;         /* float argmax == quantized argmax */
} zkr_ml_eval_result;

/*
 * Evaluates records first..first+count-1 (count 0: to the end) of an IDX
 * dataset with the quantized model and, when f is non-NULL, the float
 * model (which must fold to the same program). Argmax ties go to the
 * lowest index. Returns ZKR_OK, ZKR_ERR_MISMATCH_PROGRAM (f and m differ),
 * ZKR_ERR_NOT_FOUND (range past the end), ZKR_ERR_UNSUPPORTED (records
 * are not input_dim bytes plus a label), ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_eval(const zkr_ml_fmodel *f, const zkr_ml_model *m, const zkr_dataset *ds,
                    uint64_t first, uint64_t count, zkr_ml_eval_result *res, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Fixed-point training (docs/training.md)                             */
/* ------------------------------------------------------------------ */

/*
 * A training model: a FIXED-arithmetic program (ml/graph.h: every hidden
 * layer ReLU, the last none, input ZKR_ML_INPUT_U8_DIV255) and, per layer
 * l, W_l as out_dim x (in_dim + 1) int32 values, row-major, the bias in
 * column in_dim, each |w| < ZKR_ML_T_WEIGHT_BOUND.
 *
 * The canonical training-model file (big-endian):
 *   magic "ZKRTMOD\x01" | u32 version=1 | program_digest(32) | u32 len |
 *   program | per layer: out_dim*(in_dim+1) x i32
 */
#define ZKR_ML_TMODEL_MAGIC "ZKRTMOD\x01"
#define ZKR_ML_TMODEL_MAGIC_BYTES 8
#define ZKR_ML_TMODEL_VERSION 1u

typedef struct zkr_ml_tmodel zkr_ml_tmodel;

/*
 * Checks that g is a valid training program (FIXED arithmetic, hidden layers
 * ReLU, last layer none). ZKR_OK or ZKR_ERR_MALFORMED naming the layer.
 */
zkr_err zkr_ml_tprogram_check(const zkr_ml_graph *g, zkr_diag *d) ZKR_WUR;

/*
 * Builds the program for dims[0] -> dims[1] -> ... -> dims[n-1] (n >= 2).
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (a dim out of 1..ZKR_ML_MAX_DIM, too
 * many layers).
 */
zkr_err zkr_ml_tprogram_make(const uint32_t *dims, size_t n, zkr_ml_graph *g,
                             zkr_diag *d) ZKR_WUR;

/*
 * Writes the deterministic initial model for program g from a 32-byte seed
 * (docs/training.md: uniform integers in +-floor(2^16 sqrt(6 / in_dim))
 * drawn from the ChaCha20 stream keyed by BLAKE2b(seed, layer), biases 0)
 * into out (cleared first). ZKR_ERR_MALFORMED (g not a training program),
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_tmodel_init(const zkr_ml_graph *g, const uint8_t seed[32], zkr_buf *out,
                           zkr_diag *d) ZKR_WUR;

/*
 * Strictly decodes a training-model file (keeps a copy): wrong magic,
 * version, program digest, a non-training program, a weight out of bound
 * (naming layer, row and column), truncation or trailing bytes are
 * ZKR_ERR_MALFORMED; ZKR_ERR_TOO_LARGE over ZKR_ML_MODEL_MAX_BYTES;
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_tmodel_decode(const uint8_t *p, size_t len, zkr_ml_tmodel **out,
                             zkr_diag *d) ZKR_WUR;
/* Reads and decodes; also ZKR_ERR_NOT_FOUND, ZKR_ERR_IO. */
zkr_err zkr_ml_tmodel_read_file(const char *path, zkr_ml_tmodel **out, zkr_diag *d) ZKR_WUR;
/* Encodes program g with weights w[l] (out_dim*(in_dim+1) each) into out (cleared). */
zkr_err zkr_ml_tmodel_encode(const zkr_ml_graph *g, const int32_t *const *w, zkr_buf *out,
                             zkr_diag *d) ZKR_WUR;
void zkr_ml_tmodel_free(zkr_ml_tmodel *m);
const zkr_ml_graph *zkr_ml_tmodel_graph(const zkr_ml_tmodel *m);
/* Layer l's weights (out_dim*(in_dim+1), valid while m lives); NULL if l is out of range. */
const int32_t *zkr_ml_tmodel_weights(const zkr_ml_tmodel *m, uint32_t l);
/* SHA-256 of the canonical file; the program digest; the canonical bytes. */
void zkr_ml_tmodel_digest(const zkr_ml_tmodel *m, uint8_t out[ZKR_DIGEST_BYTES]);
void zkr_ml_tmodel_program_digest(const zkr_ml_tmodel *m, uint8_t out[ZKR_DIGEST_BYTES]);
void zkr_ml_tmodel_bytes(const zkr_ml_tmodel *m, const uint8_t **p, size_t *len);

/* The step parameters: learning rate eta and its shift S (real lr = eta / 2^(S-4)). */
typedef struct {
    uint32_t lr;    /* 1..ZKR_ML_T_LR_MAX */
    uint32_t shift; /* ZKR_ML_T_SHIFT_MIN..ZKR_ML_T_SHIFT_MAX */
} zkr_ml_tstep_params;

/*
 * Every value one SGD step computes (docs/training.md), batch-major
 * (entry [b][j] at b * dim + j), B = batch records:
 *   a[0]    = the records' bytes, B x in_dim(0); a[l] = h[l-1] for l >= 1
 *             (the constant ZKR_ML_T_ONE column is implicit)
 *   z[l]    = a[l] W_l^T incl. bias                      B x out_l
 *   q[l], r[l]: z + 2^(s-1) = q 2^s + r, 0 <= r < 2^s   (s hidden 16, last 12)
 *   h[l]    = max(q, 0) (hidden), n[l] = max(-q, 0), m[l] = [h > 0]
 *   o       = q[L-1] (the output), e = o - target (delta of the last layer)
 *   p[l]    = delta[l+1] W_{l+1}[:, :in]  (l < L-1)      B x out_l
 *   dq[l], rb[l]: p + 2^15 = dq 2^16 + rb
 *   delta[l]= dq * m (hidden), delta[L-1] = e
 *   g[l]    = delta[l]^T [a[l] | ONE]                    out_l x (in_l + 1)
 *   u[l], ru[l]: lr g + 2^(S-1) = u 2^S + ru, 0 <= ru < 2^S
 *   child W_l = W_l - u[l]
 * Arrays for l = L-1 that do not exist (p, dq, rb, m, n, h) are NULL.
 */
typedef struct {
    uint32_t n_layers, batch;
    uint32_t in_dim[ZKR_ML_MAX_LAYERS], out_dim[ZKR_ML_MAX_LAYERS];
    uint8_t *input;  /* B x in_dim(0) */
    uint8_t *labels; /* B */
    int64_t *z[ZKR_ML_MAX_LAYERS], *q[ZKR_ML_MAX_LAYERS], *r[ZKR_ML_MAX_LAYERS];
    int64_t *h[ZKR_ML_MAX_LAYERS], *n[ZKR_ML_MAX_LAYERS], *m[ZKR_ML_MAX_LAYERS];
    int64_t *p[ZKR_ML_MAX_LAYERS], *dq[ZKR_ML_MAX_LAYERS], *rb[ZKR_ML_MAX_LAYERS];
    int64_t *delta[ZKR_ML_MAX_LAYERS];
    int64_t *g[ZKR_ML_MAX_LAYERS], *u[ZKR_ML_MAX_LAYERS], *ru[ZKR_ML_MAX_LAYERS];
} zkr_ml_tstep_trace;

/* Frees the arrays and zeroes t. Accepts NULL and a zeroed trace. */
void zkr_ml_tstep_trace_free(zkr_ml_tstep_trace *t);

/*
 * One SGD step of m on `batch` records: input holds batch x input_dim
 * bytes, labels batch class indices. Writes the child model file into
 * child (cleared first) and, when t is non-NULL, fills t (freed first).
 * Deterministic and exact on every platform.
 * Returns ZKR_OK; ZKR_ERR_USAGE (batch 0 or over ZKR_ML_T_MAX_BATCH, lr or
 * shift out of range, wrong input length); ZKR_ERR_MALFORMED (a label not
 * below the output width); ZKR_ERR_UNSUPPORTED when a value leaves its
 * bound (graph.h ZKR_ML_T_*), naming the value, layer and entry (the step
 * is not defined then: lower the learning rate); ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_train_step(const zkr_ml_tmodel *m, const uint8_t *input, size_t input_len,
                          const uint8_t *labels, uint32_t batch, const zkr_ml_tstep_params *sp,
                          zkr_buf *child, zkr_ml_tstep_trace *t, zkr_diag *d) ZKR_WUR;

/*
 * The batch of step `step` (0-based) in a run starting at record `first`
 * of a dataset of n records: records (first + step*batch + i) mod n for
 * i < batch, written to idx[0..batch). ZKR_ERR_USAGE on n == 0.
 */
zkr_err zkr_ml_train_batch_indices(uint64_t first, uint64_t step, uint32_t batch, uint64_t n,
                                   uint64_t *idx) ZKR_WUR;

/*
 * Integer forward pass of a training model on one input (input_dim
 * bytes): writes the out_dim outputs o (scale 2^-12) to out (cap entries)
 * and the argmax (first maximal index) to *argmax.
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (input length), ZKR_ERR_USAGE (cap),
 * ZKR_ERR_UNSUPPORTED (a bound exceeded, as in zkr_ml_train_step), NOMEM.
 */
zkr_err zkr_ml_tmodel_infer(const zkr_ml_tmodel *m, const uint8_t *input, size_t input_len,
                            int64_t *out, size_t cap, uint32_t *argmax, zkr_diag *d) ZKR_WUR;

/*
 * The forward pass of docs/training.md section 5 over `batch` records
 * (input: batch x input_dim bytes, batch >= 1): fills t (freed first) with
 * z, q, r and, for hidden layers, h, n, m (labels zero; the backward and
 * update arrays stay NULL). For the evaluation-fixed@1 prover.
 * Returns ZKR_OK, ZKR_ERR_USAGE (batch 0, wrong input length),
 * ZKR_ERR_UNSUPPORTED (a bound exceeded, as zkr_ml_tmodel_infer), NOMEM.
 */
zkr_err zkr_ml_tmodel_forward(const zkr_ml_tmodel *m, const uint8_t *input, size_t input_len,
                              uint32_t batch, zkr_ml_tstep_trace *t, zkr_diag *d) ZKR_WUR;

/*
 * Quantized native evaluation of a training model on records
 * first..first+count-1 (count 0: to the end) of an IDX dataset: n and
 * quant_correct of *res are set (the float fields stay 0). Errors as
 * zkr_ml_eval.
 */
zkr_err zkr_ml_tmodel_eval(const zkr_ml_tmodel *m, const zkr_dataset *ds, uint64_t first,
                           uint64_t count, zkr_ml_eval_result *res, zkr_diag *d) ZKR_WUR;

/*
 * Integer federated averaging (docs/training.md): children[0..k) share one
 * program; each averaged weight is floor((2 * sum + k) / (2 * k)) (round
 * half up) computed in int64. Writes the averaged model file into out.
 * ZKR_ERR_USAGE (k == 0), ZKR_ERR_MISMATCH_PROGRAM (programs differ),
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_fedavg(const zkr_ml_tmodel *const *children, size_t k, zkr_buf *out,
                      zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Graph models (program version 2: CNNs; docs/quantization.md 7)      */
/* ------------------------------------------------------------------ */

/* Float graph model (ONNX import of convolutional / residual networks). */
typedef struct zkr_ml_gfmodel zkr_ml_gfmodel;

/*
 * Parses an ONNX ModelProto (opsets 11..17, as torch.onnx.export writes
 * them) into a graph program and float parameters: Conv (2-D; groups 1 or
 * depthwise), MaxPool, AveragePool, GlobalAveragePool, ReduceMean over the
 * spatial axes, BatchNormalization folded into the preceding Conv/Gemm,
 * Gemm/MatMul (+ bias Add), Add of two tensors, Concat on channels,
 * Flatten/Reshape/Transpose that only relabel, constant-zero Pad folded
 * into the next Conv or AveragePool, Relu (folded into the clamp where it
 * can be) and the unary activations LeakyRelu, Sigmoid, Tanh, HardSigmoid,
 * HardSwish, Clip, Gelu (Erf form) as tables, Softmax as the last node
 * (dropped: the program's output is the logits before it), Identity and
 * Constant. Everything else is refused naming the node, its index and the
 * reason. Errors as zkr_ml_onnx_import. *out is NULL on failure.
 */
zkr_err zkr_ml_onnx_gimport(const uint8_t *p, size_t len, const char *name,
                            zkr_ml_gfmodel **out, zkr_diag *d) ZKR_WUR;

/*
 * Imports either kind: a model the version 1 importer accepts (a chain of
 * dense layers) becomes *f, exactly as zkr_ml_onnx_import; any other model
 * the graph importer accepts becomes *gf. Exactly one is set on success;
 * both are NULL on failure (the graph importer's reason when the file holds
 * an operator only graphs support, else the version 1 importer's).
 */
zkr_err zkr_ml_onnx_import_any(const uint8_t *p, size_t len, const char *name,
                               zkr_ml_fmodel **f, zkr_ml_gfmodel **gf, zkr_diag *d) ZKR_WUR;

void zkr_ml_gfmodel_free(zkr_ml_gfmodel *f);
const zkr_ml_gprog *zkr_ml_gfmodel_prog(const zkr_ml_gfmodel *f);

/*
 * Float (double precision) inference of the graph on one record's bytes
 * (x = byte / 255): writes the last node's c*h*w values into out (cap).
 * ZKR_OK, ZKR_ERR_MALFORMED (input length), ZKR_ERR_USAGE (cap), NOMEM.
 */
zkr_err zkr_ml_gfmodel_infer(const zkr_ml_gfmodel *f, const uint8_t *input, size_t input_len,
                             double *out, size_t cap, zkr_diag *d) ZKR_WUR;

/* Quantized graph model file: "ZKRQMOD\x01", version 2 (docs/quantization.md 7.4). */
#define ZKR_ML_GMODEL_VERSION 2u

/* One node's parameters; the pointers a node's op does not use are NULL. */
typedef struct {
    const int8_t *w;      /* CONV: c x cpg x kh x kw; DENSE: c x fan-in; in [-127, 127] */
    const int32_t *bias;  /* CONV, DENSE: c entries, |bias| <= 2^30 */
    const uint32_t *mult; /* CONV, DENSE: c entries, < 2^31 */
    uint32_t shift;       /* CONV, DENSE, ADD: 1..48 */
    uint32_t ma, mb;      /* ADD: < 2^31 */
    const int8_t *table;  /* LOOKUP: 256 entries, T[x + 128] */
} zkr_ml_gparams;

/*
 * Writes the canonical graph-model file for g with params[1..n_nodes)
 * (params[0] unused) into out (cleared first), big-endian:
 *   magic(8) | u32 version = 2 | program_digest(32) | u32 len | program |
 *   per node 1..: CONV/DENSE: u8 shift | c x u32 mult | c x i32 bias |
 *                 weights (i8); ADD: u8 shift | u32 ma | u32 mb;
 *                 LOOKUP: 256 x i8; other ops: nothing.
 * ZKR_OK, ZKR_ERR_MALFORMED (g invalid or a value out of bounds, naming
 * node and index), ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_gmodel_encode(const zkr_ml_gprog *g, const zkr_ml_gparams *params, zkr_buf *out,
                             zkr_diag *d) ZKR_WUR;

typedef struct zkr_ml_gmodel zkr_ml_gmodel;

/*
 * Strictly decodes a graph-model file (keeps a copy): bad magic, version
 * other than 2 (above: ZKR_ERR_UNSUPPORTED), program digest mismatch, any
 * bound, truncation, trailing bytes: ZKR_ERR_MALFORMED; ZKR_ERR_TOO_LARGE
 * over ZKR_ML_MODEL_MAX_BYTES; ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_gmodel_decode(const uint8_t *p, size_t len, zkr_ml_gmodel **out,
                             zkr_diag *d) ZKR_WUR;
/* Reads and decodes; also ZKR_ERR_NOT_FOUND, ZKR_ERR_IO. */
zkr_err zkr_ml_gmodel_read_file(const char *path, zkr_ml_gmodel **out, zkr_diag *d) ZKR_WUR;
void zkr_ml_gmodel_free(zkr_ml_gmodel *m);
const zkr_ml_gprog *zkr_ml_gmodel_prog(const zkr_ml_gmodel *m);
/* Node i's parameters (valid while m lives); 1 <= i < n_nodes or ZKR_ERR_USAGE. */
zkr_err zkr_ml_gmodel_params(const zkr_ml_gmodel *m, uint32_t i, zkr_ml_gparams *out) ZKR_WUR;
void zkr_ml_gmodel_digest(const zkr_ml_gmodel *m, uint8_t out[ZKR_DIGEST_BYTES]);
void zkr_ml_gmodel_program_digest(const zkr_ml_gmodel *m, uint8_t out[ZKR_DIGEST_BYTES]);
void zkr_ml_gmodel_bytes(const zkr_ml_gmodel *m, const uint8_t **p, size_t *len);

/* The version of a quantized-model file's bytes: 1, 2, or 0 (not one). */
uint32_t zkr_ml_model_file_version(const uint8_t *p, size_t len);

/*
 * Quantizes a graph model (docs/quantization.md 7.5) with calibration
 * records first..first+count-1 of an IDX dataset, or n records of raw
 * input bytes. Writes the graph-model file into out (cleared first).
 * ZKR_OK, ZKR_ERR_USAGE (no records), ZKR_ERR_UNSUPPORTED (a value that
 * does not fit the bounds, naming node and channel; CONCAT inputs whose
 * scales cannot be made common), ZKR_ERR_NOT_FOUND, ZKR_ERR_NOMEM.
 */
zkr_err zkr_ml_gquantize(const zkr_ml_gfmodel *f, const zkr_dataset *calib, uint64_t first,
                         uint64_t count, zkr_buf *out, zkr_diag *d) ZKR_WUR;
zkr_err zkr_ml_gquantize_inputs(const zkr_ml_gfmodel *f, const uint8_t *inputs,
                                size_t inputs_len, size_t n, zkr_buf *out,
                                zkr_diag *d) ZKR_WUR;

/*
 * Every value native graph inference computes (docs/quantization.md 7.1),
 * per node i (arrays of zkr_ml_gprog_elems(g, i) entries, C-major):
 *   input      node 0's bytes
 *   y[i]       node i's int8 output (i >= 1)
 *   acc[i]     CONV/DENSE accumulators (int32), else NULL
 *   q[i]       CONV/DENSE/ADD values before the clamp, else NULL
 *   sum[i]     AVGPOOL window sums (padding 0), else NULL
 * The output is y[n_nodes-1]; argmax is its first maximal index.
 */
typedef struct {
    uint32_t n_nodes;
    uint8_t *input;
    int8_t *y[ZKR_ML_G_MAX_NODES];
    int32_t *acc[ZKR_ML_G_MAX_NODES];
    int64_t *q[ZKR_ML_G_MAX_NODES];
    int32_t *sum[ZKR_ML_G_MAX_NODES];
    uint32_t argmax;
} zkr_ml_gtrace;

/* Allocates a trace shaped for g. ZKR_OK, ZKR_ERR_MALFORMED, ZKR_ERR_NOMEM. */
zkr_err zkr_ml_gtrace_init(zkr_ml_gtrace *t, const zkr_ml_gprog *g) ZKR_WUR;
/* Frees the arrays and zeroes t. Accepts NULL and a zeroed trace. */
void zkr_ml_gtrace_free(zkr_ml_gtrace *t);

/*
 * Runs the quantized graph model on one input (the input node's c*h*w
 * bytes), filling t (shaped by zkr_ml_gtrace_init for this program).
 * Exact and deterministic. ZKR_OK, ZKR_ERR_MALFORMED (input length),
 * ZKR_ERR_USAGE (t shaped for another program).
 */
zkr_err zkr_ml_ginfer(const zkr_ml_gmodel *m, const uint8_t *input, size_t input_len,
                      zkr_ml_gtrace *t, zkr_diag *d) ZKR_WUR;

/*
 * Evaluates records first..first+count-1 (count 0: to the end) with the
 * quantized graph model and, when f is non-NULL, the float one (same
 * program). Errors as zkr_ml_eval.
 */
zkr_err zkr_ml_geval(const zkr_ml_gfmodel *f, const zkr_ml_gmodel *m, const zkr_dataset *ds,
                     uint64_t first, uint64_t count, zkr_ml_eval_result *res,
                     zkr_diag *d) ZKR_WUR;

#endif /* ZKR_ML_H */
