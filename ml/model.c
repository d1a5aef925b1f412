/*
 * The canonical quantized-model file: one encoder, one strict decoder.
 * Its SHA-256 is the model digest, so every value has exactly one encoding
 * and anything out of bounds or left over is refused.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

static zkr_err check_layer(const zkr_ml_layer_desc *L, uint32_t l, const zkr_ml_qlayer *q,
                           zkr_diag *d)
{
    if (q->w == NULL || q->bias == NULL || q->mult == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: layer %u: missing arrays", (unsigned)l);
    if (q->shift < ZKR_ML_SHIFT_MIN || q->shift > ZKR_ML_SHIFT_MAX)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: layer %u: shift %u not in %u..%u", (unsigned)l,
                        (unsigned)q->shift, ZKR_ML_SHIFT_MIN, ZKR_ML_SHIFT_MAX);
    for (uint32_t j = 0; j < L->out_dim; j++) {
        if (q->mult[j] >= ZKR_ML_MULT_LIMIT)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "model: layer %u: multiplier %u is %u, not below 2^31",
                            (unsigned)l, (unsigned)j, (unsigned)q->mult[j]);
        if (q->bias[j] > ZKR_ML_BIAS_MAX || q->bias[j] < -ZKR_ML_BIAS_MAX)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "model: layer %u: bias %u is %d, |bias| over 2^30",
                            (unsigned)l, (unsigned)j, (int)q->bias[j]);
    }
    for (size_t i = 0; i < (size_t)L->out_dim * L->in_dim; i++)
        if (q->w[i] < -ZKR_ML_WEIGHT_MAX)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "model: layer %u: weight %zu is -128 (not symmetric)",
                            (unsigned)l, i);
    return ZKR_OK;
}

static zkr_err encode_layer(const zkr_ml_layer_desc *L, const zkr_ml_qlayer *q, zkr_buf *out)
{
    size_t nw = (size_t)L->out_dim * L->in_dim;
    zkr_err r;

    if ((r = zkr_enc_u8(out, (uint8_t)q->shift)) != ZKR_OK ||
        (r = zkr_buf_reserve(out, (size_t)L->out_dim * 8 + nw)) != ZKR_OK)
        return r;
    for (uint32_t j = 0; j < L->out_dim; j++)
        if ((r = zkr_enc_u32(out, q->mult[j])) != ZKR_OK)
            return r;
    for (uint32_t j = 0; j < L->out_dim; j++)
        if ((r = zkr_enc_u32(out, (uint32_t)q->bias[j])) != ZKR_OK)
            return r;
    return zkr_buf_append(out, q->w, nw);
}

zkr_err zkr_ml_model_encode(const zkr_ml_graph *g, const zkr_ml_qlayer *layers, zkr_buf *out,
                            zkr_diag *d)
{
    zkr_buf prog = {0};
    zkr_err r;

    if (g == NULL || layers == NULL || out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "model: no graph, layers or output");
    out->len = 0;
    if ((r = zkr_ml_graph_encode(g, &prog, d)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < g->n_layers; l++)
        if ((r = check_layer(&g->layers[l], l, &layers[l], d)) != ZKR_OK)
            goto out;
    if ((r = zkr_ml_file_encode_head(ZKR_ML_MODEL_MAGIC, ZKR_ML_MODEL_MAGIC_BYTES, ZKR_ML_MODEL_VERSION, &prog,
                                     out)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < g->n_layers; l++)
        if ((r = encode_layer(&g->layers[l], &layers[l], out)) != ZKR_OK)
            goto out;
out:
    if (r != ZKR_OK && out != NULL)
        out->len = 0;
    zkr_buf_free(&prog);
    return r;
}

/* The embedded program of a quantized model: an int8 program. */
static zkr_err model_program(const uint8_t *p, size_t len, zkr_ml_graph *g, zkr_diag *d)
{
    zkr_err r;

    if ((r = zkr_ml_graph_decode(p, len, g, d)) != ZKR_OK)
        return r;
    if (g->arith != ZKR_ML_ARITH_INT8)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "model: its program is a fixed-point training program, not int8");
    return ZKR_OK;
}

static zkr_err decode_layer(zkr_dec *dc, void *mv, uint32_t l, zkr_diag *d)
{
    zkr_ml_model *m = mv;
    const zkr_ml_layer_desc *L = &m->g.layers[l];
    size_t nw = (size_t)L->out_dim * L->in_dim;
    const uint8_t *w;
    uint8_t shift;
    zkr_ml_qlayer q;

    /* Allocate only what the input can fill, so a short hostile file cannot claim gigabytes. */
    if (dc->len - dc->pos < 1 + (size_t)L->out_dim * 8 + nw)
        goto trunc;
    if ((m->bias[l] = calloc(L->out_dim, sizeof(int32_t))) == NULL ||
        (m->mult[l] = calloc(L->out_dim, sizeof(uint32_t))) == NULL ||
        (m->w[l] = malloc(nw)) == NULL)
        return ZKR_ERR_NOMEM;
    if (zkr_dec_u8(dc, &shift) != ZKR_OK)
        goto trunc;
    m->shift[l] = shift;
    for (uint32_t j = 0; j < L->out_dim; j++)
        if (zkr_dec_u32(dc, &m->mult[l][j]) != ZKR_OK)
            goto trunc;
    for (uint32_t j = 0; j < L->out_dim; j++) {
        uint32_t u;
        if (zkr_dec_u32(dc, &u) != ZKR_OK)
            goto trunc;
        m->bias[l][j] = u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1; /* two's complement */
    }
    if (zkr_dec_raw(dc, nw, &w) != ZKR_OK)
        goto trunc;
    memcpy(m->w[l], w, nw);
    q = (zkr_ml_qlayer){m->w[l], m->bias[l], m->mult[l], m->shift[l]};
    return check_layer(L, l, &q, d);
trunc:
    return zkr_fail(d, ZKR_ERR_MALFORMED, "model: truncated in layer %u", (unsigned)l);
}

static void free_any(void *m)
{
    zkr_ml_model_free(m);
}

static const zkr_ml_file_format file_format = {
    .what = "model",
    .kind = "quantized model",
    .magic = ZKR_ML_MODEL_MAGIC,
    .magic_bytes = ZKR_ML_MODEL_MAGIC_BYTES,
    .version = ZKR_ML_MODEL_VERSION,
    .size = sizeof(zkr_ml_model),
    .graph_at = offsetof(zkr_ml_model, g),
    .program_digest_at = offsetof(zkr_ml_model, program_digest),
    .bytes_at = offsetof(zkr_ml_model, bytes),
    .digest_at = offsetof(zkr_ml_model, digest),
    .program = model_program,
    .layer = decode_layer,
    .free = free_any,
};

zkr_err zkr_ml_model_decode(const uint8_t *p, size_t len, zkr_ml_model **out, zkr_diag *d)
{
    return zkr_ml_file_decode(&file_format, p, len, (void **)out, d);
}

zkr_err zkr_ml_model_read_file(const char *path, zkr_ml_model **out, zkr_diag *d)
{
    return zkr_ml_file_read(&file_format, path, (void **)out, d);
}

void zkr_ml_model_free(zkr_ml_model *m)
{
    if (m == NULL)
        return;
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(m->w[l]);
        free(m->bias[l]);
        free(m->mult[l]);
    }
    zkr_buf_free(&m->bytes);
    free(m);
}

const zkr_ml_graph *zkr_ml_model_graph(const zkr_ml_model *m)
{
    return &m->g;
}

zkr_err zkr_ml_model_layer(const zkr_ml_model *m, uint32_t l, zkr_ml_qlayer *out)
{
    if (m == NULL || out == NULL || l >= m->g.n_layers)
        return ZKR_ERR_USAGE;
    *out = (zkr_ml_qlayer){m->w[l], m->bias[l], m->mult[l], m->shift[l]};
    return ZKR_OK;
}

void zkr_ml_model_digest(const zkr_ml_model *m, uint8_t out[ZKR_DIGEST_BYTES])
{
    memcpy(out, m->digest, ZKR_DIGEST_BYTES);
}

void zkr_ml_model_program_digest(const zkr_ml_model *m, uint8_t out[ZKR_DIGEST_BYTES])
{
    memcpy(out, m->program_digest, ZKR_DIGEST_BYTES);
}

void zkr_ml_model_bytes(const zkr_ml_model *m, const uint8_t **p, size_t *len)
{
    *p = m->bytes.p;
    *len = m->bytes.len;
}
