/* ml internals shared by the .c files of ml/; not for other modules. */
#ifndef ZKR_ML_INT_H
#define ZKR_ML_INT_H

#include "ml/ml.h"

/* The float model: dense layers folded from the ONNX graph. */
struct zkr_ml_fmodel {
    zkr_ml_graph g;
    float *w[ZKR_ML_MAX_LAYERS]; /* out_dim x in_dim, row-major, alpha folded in */
    float *b[ZKR_ML_MAX_LAYERS]; /* out_dim, beta * C and every Add folded in */
};

/* The decoded quantized model; the arrays point into `bytes` or own copies. */
struct zkr_ml_model {
    zkr_ml_graph g;
    uint8_t digest[ZKR_DIGEST_BYTES];
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    zkr_buf bytes;
    int8_t *w[ZKR_ML_MAX_LAYERS];
    int32_t *bias[ZKR_ML_MAX_LAYERS];
    uint32_t *mult[ZKR_ML_MAX_LAYERS];
    uint32_t shift[ZKR_ML_MAX_LAYERS];
};

/* The decoded training model; w[l] is out_dim x (in_dim + 1), the bias in the last column. */
struct zkr_ml_tmodel {
    zkr_ml_graph g;
    uint8_t digest[ZKR_DIGEST_BYTES];
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    zkr_buf bytes;
    int32_t *w[ZKR_ML_MAX_LAYERS];
};

/* Entries of a training layer's weight matrix: out_dim * (in_dim + 1). */
size_t zkr_ml_tlayer_size(const zkr_ml_layer_desc *L);

/* floor(sqrt(x)) exactly (the init bound, docs/training.md). */
uint64_t zkr_ml_isqrt(uint64_t x);

/* Allocates an empty float model for g's shapes (weights zero). */
zkr_err zkr_ml_fmodel_alloc(const zkr_ml_graph *g, zkr_ml_fmodel **out) ZKR_WUR;

/* Float forward pass into per-layer outputs (each layer's out_dim doubles), x = byte / 255. */
void zkr_ml_fmodel_forward(const zkr_ml_fmodel *f, const uint8_t *input,
                           double *layer_out[ZKR_ML_MAX_LAYERS]);

/* Index of the first maximum. */
uint32_t zkr_ml_argmax_i8(const int8_t *v, uint32_t n);
uint32_t zkr_ml_argmax_f64(const double *v, uint32_t n);

#endif /* ZKR_ML_INT_H */
