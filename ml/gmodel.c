/*
 * The canonical graph-model file (program version 2): one encoder, one
 * strict decoder. Its SHA-256 is the model digest, so every value has one
 * encoding and anything out of bounds or left over is refused.
 */
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

/* Weights of a CONV/DENSE node: c x fan-in. */
static size_t n_weights(const zkr_ml_gprog *g, uint32_t i)
{
    return (size_t)g->nodes[i].c * zkr_ml_gprog_fanin(g, i);
}

static int has_weights(uint8_t op)
{
    return op == ZKR_ML_GOP_CONV || op == ZKR_ML_GOP_DENSE;
}

static zkr_err check_shift(uint32_t i, uint32_t s, zkr_diag *d)
{
    if (s < ZKR_ML_SHIFT_MIN || s > ZKR_ML_SHIFT_MAX)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: node %u: shift %u not in %u..%u",
                        (unsigned)i, (unsigned)s, ZKR_ML_SHIFT_MIN, ZKR_ML_SHIFT_MAX);
    return ZKR_OK;
}

static zkr_err check_params(const zkr_ml_gprog *g, uint32_t i, const zkr_ml_gparams *q,
                            zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    size_t nw;
    zkr_err r;

    if (n->op == ZKR_ML_GOP_ADD) {
        if ((r = check_shift(i, q->shift, d)) != ZKR_OK)
            return r;
        if (q->ma >= ZKR_ML_MULT_LIMIT || q->mb >= ZKR_ML_MULT_LIMIT)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "model: node %u: add multiplier not below 2^31",
                            (unsigned)i);
        return ZKR_OK;
    }
    if (n->op == ZKR_ML_GOP_LOOKUP)
        return q->table != NULL ? ZKR_OK
                                : zkr_fail(d, ZKR_ERR_MALFORMED, "model: node %u: no table",
                                           (unsigned)i);
    if (!has_weights(n->op))
        return ZKR_OK;
    if (q->w == NULL || q->bias == NULL || q->mult == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: node %u: missing arrays", (unsigned)i);
    if ((r = check_shift(i, q->shift, d)) != ZKR_OK)
        return r;
    for (uint32_t j = 0; j < n->c; j++) {
        if (q->mult[j] >= ZKR_ML_MULT_LIMIT)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "model: node %u: multiplier %u is %u, not below 2^31", (unsigned)i,
                            (unsigned)j, (unsigned)q->mult[j]);
        if (q->bias[j] > ZKR_ML_BIAS_MAX || q->bias[j] < -ZKR_ML_BIAS_MAX)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "model: node %u: bias %u is %d, |bias| over 2^30",
                            (unsigned)i, (unsigned)j, (int)q->bias[j]);
    }
    nw = n_weights(g, i);
    for (size_t k = 0; k < nw; k++)
        if (q->w[k] < -ZKR_ML_WEIGHT_MAX)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "model: node %u: weight %zu is -128 (not symmetric)", (unsigned)i, k);
    return ZKR_OK;
}

static zkr_err encode_params(const zkr_ml_gprog *g, uint32_t i, const zkr_ml_gparams *q,
                             zkr_buf *out)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    zkr_err r;

    if (n->op == ZKR_ML_GOP_ADD)
        return (r = zkr_enc_u8(out, (uint8_t)q->shift)) != ZKR_OK ||
                       (r = zkr_enc_u32(out, q->ma)) != ZKR_OK
                   ? r
                   : zkr_enc_u32(out, q->mb);
    if (n->op == ZKR_ML_GOP_LOOKUP)
        return zkr_buf_append(out, q->table, ZKR_ML_G_TABLE_SIZE);
    if (!has_weights(n->op))
        return ZKR_OK;
    if ((r = zkr_enc_u8(out, (uint8_t)q->shift)) != ZKR_OK ||
        (r = zkr_buf_reserve(out, (size_t)n->c * 8 + n_weights(g, i))) != ZKR_OK)
        return r;
    for (uint32_t j = 0; j < n->c; j++)
        if ((r = zkr_enc_u32(out, q->mult[j])) != ZKR_OK)
            return r;
    for (uint32_t j = 0; j < n->c; j++)
        if ((r = zkr_enc_u32(out, (uint32_t)q->bias[j])) != ZKR_OK)
            return r;
    return zkr_buf_append(out, q->w, n_weights(g, i));
}

zkr_err zkr_ml_gmodel_encode(const zkr_ml_gprog *g, const zkr_ml_gparams *params, zkr_buf *out,
                             zkr_diag *d)
{
    zkr_buf prog = {0};
    zkr_err r;

    if (g == NULL || params == NULL || out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "model: no program, parameters or output");
    out->len = 0;
    if ((r = zkr_ml_gprog_encode(g, &prog, d)) != ZKR_OK)
        goto out;
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if ((r = check_params(g, i, &params[i], d)) != ZKR_OK)
            goto out;
    if ((r = zkr_ml_file_encode_head(ZKR_ML_MODEL_MAGIC, ZKR_ML_MODEL_MAGIC_BYTES,
                                     ZKR_ML_GMODEL_VERSION, &prog, out)) != ZKR_OK)
        goto out;
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if ((r = encode_params(g, i, &params[i], out)) != ZKR_OK)
            goto out;
out:
    if (r != ZKR_OK && out != NULL)
        out->len = 0;
    zkr_buf_free(&prog);
    return r;
}

static int32_t as_i32(uint32_t u)
{
    return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1; /* two's complement */
}

/* Decodes node i's parameters; weights and tables point into the decoder's bytes. */
static zkr_err decode_params(zkr_dec *dc, zkr_ml_gmodel *m, uint32_t i, zkr_diag *d)
{
    const zkr_ml_gnode *n = &m->g.nodes[i];
    const uint8_t *raw;
    uint8_t shift;
    zkr_ml_gparams q = {0};
    size_t nw;

    if (n->op == ZKR_ML_GOP_ADD) {
        if (zkr_dec_u8(dc, &shift) != ZKR_OK || zkr_dec_u32(dc, &m->ma[i]) != ZKR_OK ||
            zkr_dec_u32(dc, &m->mb[i]) != ZKR_OK)
            goto trunc;
        m->shift[i] = shift;
        q = (zkr_ml_gparams){.shift = shift, .ma = m->ma[i], .mb = m->mb[i]};
        return check_params(&m->g, i, &q, d);
    }
    if (n->op == ZKR_ML_GOP_LOOKUP) {
        if (zkr_dec_raw(dc, ZKR_ML_G_TABLE_SIZE, &raw) != ZKR_OK)
            goto trunc;
        m->table[i] = (const int8_t *)raw;
        return ZKR_OK;
    }
    if (!has_weights(n->op))
        return ZKR_OK;
    nw = n_weights(&m->g, i);
    /* Allocate only what the input can fill, so a short hostile file cannot claim gigabytes. */
    if (dc->len - dc->pos < 1 + (size_t)n->c * 8 + nw)
        goto trunc;
    if ((m->bias[i] = calloc(n->c, sizeof(int32_t))) == NULL ||
        (m->mult[i] = calloc(n->c, sizeof(uint32_t))) == NULL)
        return ZKR_ERR_NOMEM;
    if (zkr_dec_u8(dc, &shift) != ZKR_OK)
        goto trunc;
    m->shift[i] = shift;
    for (uint32_t j = 0; j < n->c; j++)
        if (zkr_dec_u32(dc, &m->mult[i][j]) != ZKR_OK)
            goto trunc;
    for (uint32_t j = 0; j < n->c; j++) {
        uint32_t u;
        if (zkr_dec_u32(dc, &u) != ZKR_OK)
            goto trunc;
        m->bias[i][j] = as_i32(u);
    }
    if (zkr_dec_raw(dc, nw, &raw) != ZKR_OK)
        goto trunc;
    m->w[i] = (const int8_t *)raw;
    q = (zkr_ml_gparams){m->w[i], m->bias[i], m->mult[i], m->shift[i], 0, 0, NULL};
    return check_params(&m->g, i, &q, d);
trunc:
    return zkr_fail(d, ZKR_ERR_MALFORMED, "model: truncated in node %u", (unsigned)i);
}

/* Magic, version, the embedded program and its digest. */
static zkr_err decode_head(zkr_dec *dc, zkr_ml_gmodel *m, zkr_diag *d)
{
    const uint8_t *magic, *digest, *prog;
    uint8_t want[ZKR_DIGEST_BYTES];
    size_t prog_len;
    uint32_t version;
    zkr_err r;

    if (zkr_dec_raw(dc, ZKR_ML_MODEL_MAGIC_BYTES, &magic) != ZKR_OK ||
        memcmp(magic, ZKR_ML_MODEL_MAGIC, ZKR_ML_MODEL_MAGIC_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: bad magic (not a zkreg quantized model)");
    if (zkr_dec_u32(dc, &version) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: truncated in version");
    if (version != ZKR_ML_GMODEL_VERSION)
        return zkr_fail(d, version > ZKR_ML_GMODEL_VERSION ? ZKR_ERR_UNSUPPORTED : ZKR_ERR_MALFORMED,
                        "model: version %u is not a graph model (version %u)", (unsigned)version,
                        ZKR_ML_GMODEL_VERSION);
    if (zkr_dec_raw(dc, ZKR_DIGEST_BYTES, &digest) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: truncated in program_digest");
    if ((r = zkr_dec_bytes(dc, ZKR_ML_GPROG_MAX_BYTES, &prog, &prog_len)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: program %s",
                        r == ZKR_ERR_TOO_LARGE ? "longer than its bound" : "truncated");
    if ((r = zkr_ml_gprog_decode(prog, prog_len, &m->g, d)) != ZKR_OK)
        return r;
    zkr_sha256(prog, prog_len, want);
    if (memcmp(want, digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "model: program_digest does not match the embedded program");
    memcpy(m->program_digest, digest, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

zkr_err zkr_ml_gmodel_decode(const uint8_t *p, size_t len, zkr_ml_gmodel **out, zkr_diag *d)
{
    zkr_ml_gmodel *m;
    zkr_dec dc;
    zkr_err r;

    if (out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "model: no output");
    *out = NULL;
    if (p == NULL && len != 0)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "model: no input");
    if (len > ZKR_ML_MODEL_MAX_BYTES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "model: %zu bytes, at most %zu", len,
                        ZKR_ML_MODEL_MAX_BYTES);
    if ((m = calloc(1, sizeof *m)) == NULL)
        return ZKR_ERR_NOMEM;
    /* Keep the bytes first: weights and tables point into this copy. */
    if ((r = zkr_buf_append(&m->bytes, p, len)) != ZKR_OK)
        goto out;
    zkr_dec_init(&dc, m->bytes.p, len);
    if ((r = decode_head(&dc, m, d)) != ZKR_OK)
        goto out;
    for (uint32_t i = 1; i < m->g.n_nodes; i++)
        if ((r = decode_params(&dc, m, i, d)) != ZKR_OK)
            goto out;
    if (zkr_dec_finish(&dc) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "model: %zu trailing bytes", len - dc.pos);
        goto out;
    }
    zkr_sha256(p, len, m->digest);
    *out = m;
    m = NULL;
out:
    zkr_ml_gmodel_free(m);
    return r;
}

zkr_err zkr_ml_gmodel_read_file(const char *path, zkr_ml_gmodel **out, zkr_diag *d)
{
    zkr_buf b = {0};
    zkr_diag inner;
    zkr_err r;

    zkr_diag_clear(&inner);
    if (out == NULL || path == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "model: no path or output");
    *out = NULL;
    if ((r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, &b, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_ml_gmodel_decode(b.p, b.len, out, &inner)) != ZKR_OK)
        (void)zkr_fail(d, r, "%s: %s", path, inner.msg);
out:
    zkr_buf_free(&b);
    return r;
}

void zkr_ml_gmodel_free(zkr_ml_gmodel *m)
{
    if (m == NULL)
        return;
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        free(m->bias[i]);
        free(m->mult[i]);
    }
    zkr_buf_free(&m->bytes);
    free(m);
}

const zkr_ml_gprog *zkr_ml_gmodel_prog(const zkr_ml_gmodel *m)
{
    return &m->g;
}

zkr_err zkr_ml_gmodel_params(const zkr_ml_gmodel *m, uint32_t i, zkr_ml_gparams *out)
{
    if (m == NULL || out == NULL || i == 0 || i >= m->g.n_nodes)
        return ZKR_ERR_USAGE;
    *out = (zkr_ml_gparams){m->w[i], m->bias[i], m->mult[i], m->shift[i],
                            m->ma[i], m->mb[i], m->table[i]};
    return ZKR_OK;
}

void zkr_ml_gmodel_digest(const zkr_ml_gmodel *m, uint8_t out[ZKR_DIGEST_BYTES])
{
    memcpy(out, m->digest, ZKR_DIGEST_BYTES);
}

void zkr_ml_gmodel_program_digest(const zkr_ml_gmodel *m, uint8_t out[ZKR_DIGEST_BYTES])
{
    memcpy(out, m->program_digest, ZKR_DIGEST_BYTES);
}

void zkr_ml_gmodel_bytes(const zkr_ml_gmodel *m, const uint8_t **p, size_t *len)
{
    *p = m->bytes.p;
    *len = m->bytes.len;
}

uint32_t zkr_ml_model_file_version(const uint8_t *p, size_t len)
{
    uint32_t v;

    if (p == NULL || len < ZKR_ML_MODEL_MAGIC_BYTES + 4 ||
        memcmp(p, ZKR_ML_MODEL_MAGIC, ZKR_ML_MODEL_MAGIC_BYTES) != 0)
        return 0;
    p += ZKR_ML_MODEL_MAGIC_BYTES;
    v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return v == ZKR_ML_MODEL_VERSION || v == ZKR_ML_GMODEL_VERSION ? v : 0;
}
