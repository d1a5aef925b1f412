/*
 * ml internals shared by the two ONNX importers: the dense-chain importer
 * (onnx_import.c, program version 1) and the graph importer (onnx_graph.c,
 * program version 2). Not for other modules.
 */
#ifndef ZKR_ML_ONNX_INT_H
#define ZKR_ML_ONNX_INT_H

#include "ml/ml_int.h"
#include "onnx.pb-c.h"

#define ZKR_ONNX_MAX_RANK 8u

/* A float32 tensor (float_data or raw little-endian) copied out, NaN/Inf refused; dims too. */
zkr_err zkr_onnx_load_floats(const Onnx__TensorProto *t, const char *file, uint32_t *rank,
                             int64_t dims[ZKR_ONNX_MAX_RANK], float **out, zkr_diag *d) ZKR_WUR;

/* A 1-D int64 tensor of at most ZKR_ONNX_MAX_RANK entries (shapes, pads). */
zkr_err zkr_onnx_load_int64s(const Onnx__TensorProto *t, const char *file, size_t node,
                             const char *op, int64_t v[ZKR_ONNX_MAX_RANK], uint32_t *n,
                             zkr_diag *d) ZKR_WUR;

/* A graph value's fixed float32 shape; dynamic dims refused. */
zkr_err zkr_onnx_value_shape(const Onnx__ValueInfoProto *v, const char *file, uint32_t *rank,
                             int64_t dims[ZKR_ONNX_MAX_RANK], zkr_diag *d) ZKR_WUR;

/* The graph importer proper (onnx_graph.c): gp passed the opset and initializer checks. */
zkr_err zkr_onnx_graph_import(const Onnx__GraphProto *gp, const char *file,
                              zkr_ml_gfmodel **out, zkr_diag *d) ZKR_WUR;

#endif /* ZKR_ML_ONNX_INT_H */
