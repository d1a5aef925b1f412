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

/*
 * model_file.c. Appends a model file's head to out: magic, u32 version,
 * the SHA-256 of the program encoding prog, and prog length-prefixed.
 */
zkr_err zkr_ml_file_encode_head(const char *magic, size_t magic_bytes, uint32_t version,
                                const zkr_buf *prog, zkr_buf *out) ZKR_WUR;

/* A model file format, for the decoder both formats share. */
typedef struct {
    const char *what;           /* "model", "training model": messages start with it */
    const char *kind;           /* "quantized model", "training model": bad magic names it */
    const char *magic;          /* magic_bytes bytes */
    size_t magic_bytes;
    uint32_t version;           /* the only version this build reads */
    size_t size;                /* the decoded object (calloc'ed) */
    size_t graph_at, program_digest_at, bytes_at, digest_at; /* offsetof its fields */
    /* Decodes the embedded program into g and checks it is this format's kind. */
    zkr_err (*program)(const uint8_t *p, size_t len, zkr_ml_graph *g, zkr_diag *d);
    zkr_err (*layer)(zkr_dec *dc, void *m, uint32_t l, zkr_diag *d); /* layer l of g */
    void (*free)(void *m);
} zkr_ml_file_format;

/*
 * Decodes a model file of format f strictly: at most ZKR_ML_MODEL_MAX_BYTES,
 * magic, version, the embedded program matching its digest, every layer,
 * no trailing byte; the bytes and their SHA-256 kept. *out (the caller's typed pointer, passed as void **) is the new
 * object (free with f->free) or NULL on failure.
 */
zkr_err zkr_ml_file_decode(const zkr_ml_file_format *f, const uint8_t *p, size_t len,
                           void **out, zkr_diag *d) ZKR_WUR;

/* As zkr_ml_file_decode, from file path; a decoding error is named "PATH: why". */
zkr_err zkr_ml_file_read(const zkr_ml_file_format *f, const char *path, void **out,
                         zkr_diag *d) ZKR_WUR;

/* LOOKUP functions of the float graph model (the table is made at quantization). */
#define ZKR_ML_FN_RELU 1u
#define ZKR_ML_FN_LEAKY 2u    /* alpha */
#define ZKR_ML_FN_SIGMOID 3u
#define ZKR_ML_FN_TANH 4u
#define ZKR_ML_FN_HSIGMOID 5u /* alpha, beta */
#define ZKR_ML_FN_HSWISH 6u
#define ZKR_ML_FN_GELU 7u
#define ZKR_ML_FN_CLIP 8u     /* alpha = min, beta = max */

/* The float graph model: CONV/DENSE weights and biases (batch norm folded), LOOKUP functions. */
struct zkr_ml_gfmodel {
    zkr_ml_gprog g;
    double *w[ZKR_ML_G_MAX_NODES]; /* CONV: c x cpg x kh x kw; DENSE: c x fan-in */
    double *b[ZKR_ML_G_MAX_NODES]; /* c entries */
    uint8_t fn[ZKR_ML_G_MAX_NODES];
    double alpha[ZKR_ML_G_MAX_NODES], beta[ZKR_ML_G_MAX_NODES];
};

/* The decoded graph model; weights point into `bytes`, the rest are owned arrays. */
struct zkr_ml_gmodel {
    zkr_ml_gprog g;
    uint8_t digest[ZKR_DIGEST_BYTES];
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    zkr_buf bytes;
    const int8_t *w[ZKR_ML_G_MAX_NODES];
    int32_t *bias[ZKR_ML_G_MAX_NODES];
    uint32_t *mult[ZKR_ML_G_MAX_NODES];
    uint32_t shift[ZKR_ML_G_MAX_NODES], ma[ZKR_ML_G_MAX_NODES], mb[ZKR_ML_G_MAX_NODES];
    const int8_t *table[ZKR_ML_G_MAX_NODES];
};

/* The float activation of a LOOKUP node (fn with its alpha, beta) at v. */
double zkr_ml_fn_apply(uint8_t fn, double alpha, double beta, double v);

/* Allocates an empty float graph model for g (weights zero). ZKR_OK, NOMEM. */
zkr_err zkr_ml_gfmodel_alloc(const zkr_ml_gprog *g, zkr_ml_gfmodel **out) ZKR_WUR;

/*
 * Float forward pass: vals[i] (zkr_ml_gprog_elems(g, i) doubles each, the
 * caller allocates) receives node i's real values, vals[0] = byte / 255.
 */
void zkr_ml_gfmodel_forward(const zkr_ml_gfmodel *f, const uint8_t *input, double **vals);

#endif /* ZKR_ML_INT_H */
