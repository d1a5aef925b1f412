/* The program: graph invariants and its canonical, strictly decoded encoding. */
#include <string.h>

#include "ml/graph.h"

/* (weight_bits, act_bits) per arithmetic, indexed by ZKR_ML_ARITH_*. */
static const uint8_t arith_bits[2][2] = {{8, 8}, {32, 16}};

zkr_err zkr_ml_graph_check(const zkr_ml_graph *g, zkr_diag *d)
{
    if (g == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: no graph");
    if (g->arith != ZKR_ML_ARITH_INT8 && g->arith != ZKR_ML_ARITH_FIXED)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: unknown arithmetic %u", (unsigned)g->arith);
    if (g->input_encoding != ZKR_ML_INPUT_U8_DIV255)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: unknown input_encoding %u",
                        (unsigned)g->input_encoding);
    if (g->input_dim == 0 || g->input_dim > ZKR_ML_MAX_DIM)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: input_dim %u not in 1..%u",
                        (unsigned)g->input_dim, ZKR_ML_MAX_DIM);
    if (g->n_layers == 0 || g->n_layers > ZKR_ML_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: n_layers %u not in 1..%u",
                        (unsigned)g->n_layers, ZKR_ML_MAX_LAYERS);
    for (uint32_t l = 0; l < g->n_layers; l++) {
        const zkr_ml_layer_desc *L = &g->layers[l];
        uint32_t want_in = l == 0 ? g->input_dim : g->layers[l - 1].out_dim;

        if (L->op != ZKR_ML_OP_DENSE)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: layer %u: unknown op %u",
                            (unsigned)l, (unsigned)L->op);
        if (L->act != ZKR_ML_ACT_NONE && L->act != ZKR_ML_ACT_RELU)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: layer %u: unknown act %u",
                            (unsigned)l, (unsigned)L->act);
        if (L->in_dim != want_in)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "program: layer %u: in_dim %u does not match the previous width %u",
                            (unsigned)l, (unsigned)L->in_dim, (unsigned)want_in);
        if (L->out_dim == 0 || L->out_dim > ZKR_ML_MAX_DIM)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: layer %u: out_dim %u not in 1..%u",
                            (unsigned)l, (unsigned)L->out_dim, ZKR_ML_MAX_DIM);
    }
    return ZKR_OK;
}

zkr_err zkr_ml_graph_encode(const zkr_ml_graph *g, zkr_buf *out, zkr_diag *d)
{
    zkr_err r;

    if ((r = zkr_ml_graph_check(g, d)) != ZKR_OK)
        return r;
    if ((r = zkr_buf_append(out, ZKR_ML_GRAPH_MAGIC, ZKR_ML_GRAPH_MAGIC_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ZKR_ML_GRAPH_VERSION)) != ZKR_OK ||
        (r = zkr_enc_u8(out, g->input_encoding)) != ZKR_OK ||
        (r = zkr_enc_u32(out, g->input_dim)) != ZKR_OK ||
        (r = zkr_enc_u8(out, arith_bits[g->arith][0])) != ZKR_OK ||
        (r = zkr_enc_u8(out, arith_bits[g->arith][1])) != ZKR_OK ||
        (r = zkr_enc_u32(out, g->n_layers)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        const zkr_ml_layer_desc *L = &g->layers[l];

        if ((r = zkr_enc_u8(out, L->op)) != ZKR_OK || (r = zkr_enc_u8(out, L->act)) != ZKR_OK ||
            (r = zkr_enc_u32(out, L->in_dim)) != ZKR_OK ||
            (r = zkr_enc_u32(out, L->out_dim)) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/* Reads the fixed header; the layer count is checked before any layer is read. */
static zkr_err decode_header(zkr_dec *dc, zkr_ml_graph *g, zkr_diag *d)
{
    const uint8_t *magic;
    uint32_t version;
    uint8_t wbits, abits;

    if (zkr_dec_raw(dc, ZKR_ML_GRAPH_MAGIC_BYTES, &magic) != ZKR_OK ||
        memcmp(magic, ZKR_ML_GRAPH_MAGIC, ZKR_ML_GRAPH_MAGIC_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: bad magic (not a zkreg program)");
    if (zkr_dec_u32(dc, &version) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: truncated in version");
    if (version != ZKR_ML_GRAPH_VERSION)
        return zkr_fail(d, version > ZKR_ML_GRAPH_VERSION ? ZKR_ERR_UNSUPPORTED : ZKR_ERR_MALFORMED,
                        "program: version %u, this build reads %u", (unsigned)version,
                        ZKR_ML_GRAPH_VERSION);
    if (zkr_dec_u8(dc, &g->input_encoding) != ZKR_OK || zkr_dec_u32(dc, &g->input_dim) != ZKR_OK ||
        zkr_dec_u8(dc, &wbits) != ZKR_OK || zkr_dec_u8(dc, &abits) != ZKR_OK ||
        zkr_dec_u32(dc, &g->n_layers) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: truncated header");
    if (wbits == arith_bits[ZKR_ML_ARITH_INT8][0] && abits == arith_bits[ZKR_ML_ARITH_INT8][1])
        g->arith = ZKR_ML_ARITH_INT8;
    else if (wbits == arith_bits[ZKR_ML_ARITH_FIXED][0] &&
             abits == arith_bits[ZKR_ML_ARITH_FIXED][1])
        g->arith = ZKR_ML_ARITH_FIXED;
    else
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "program: weight_bits %u / act_bits %u, expected 8/8 or 32/16",
                        (unsigned)wbits, (unsigned)abits);
    if (g->n_layers == 0 || g->n_layers > ZKR_ML_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: n_layers %u not in 1..%u",
                        (unsigned)g->n_layers, ZKR_ML_MAX_LAYERS);
    return ZKR_OK;
}

static zkr_err graph_decode(const uint8_t *p, size_t len, zkr_ml_graph *g, zkr_diag *d)
{
    zkr_dec dc;
    zkr_err r;

    zkr_dec_init(&dc, p, len);
    if ((r = decode_header(&dc, g, d)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        zkr_ml_layer_desc *L = &g->layers[l];

        if (zkr_dec_u8(&dc, &L->op) != ZKR_OK || zkr_dec_u8(&dc, &L->act) != ZKR_OK ||
            zkr_dec_u32(&dc, &L->in_dim) != ZKR_OK || zkr_dec_u32(&dc, &L->out_dim) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: truncated in layer %u", (unsigned)l);
    }
    if (zkr_dec_finish(&dc) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: %zu trailing bytes", len - dc.pos);
    return zkr_ml_graph_check(g, d);
}

zkr_err zkr_ml_graph_decode(const uint8_t *p, size_t len, zkr_ml_graph *g, zkr_diag *d)
{
    zkr_err r;

    if (g == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "program: no output");
    memset(g, 0, sizeof *g);
    if (p == NULL && len != 0)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "program: no input");
    if (len > ZKR_ML_GRAPH_MAX_BYTES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "program: %zu bytes, at most %u", len,
                        ZKR_ML_GRAPH_MAX_BYTES);
    r = graph_decode(p, len, g, d);
    if (r != ZKR_OK)
        memset(g, 0, sizeof *g);
    return r;
}

zkr_err zkr_ml_graph_digest(const zkr_ml_graph *g, uint8_t out[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_buf b = {0};
    zkr_err r;

    memset(out, 0, ZKR_DIGEST_BYTES);
    if ((r = zkr_ml_graph_encode(g, &b, d)) != ZKR_OK)
        goto out;
    zkr_sha256(b.p, b.len, out);
out:
    zkr_buf_free(&b);
    return r;
}

uint32_t zkr_ml_graph_out_dim(const zkr_ml_graph *g)
{
    if (g == NULL || g->n_layers == 0 || g->n_layers > ZKR_ML_MAX_LAYERS)
        return 0;
    return g->layers[g->n_layers - 1].out_dim;
}
