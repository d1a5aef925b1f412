/*
 * Training models (docs/training.md): the FIXED-arithmetic program, the
 * canonical training-model file with its one encoder and strict decoder,
 * the seeded initial model and integer federated averaging.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

/* BLAKE2b personalisation of the per-layer init key (zero padded to 16 bytes). */
#define TINIT_PERSONAL "zkr/tinit"
_Static_assert(sizeof TINIT_PERSONAL <= crypto_generichash_blake2b_PERSONALBYTES, "personal");
_Static_assert(crypto_stream_chacha20_ietf_KEYBYTES == 32, "ChaCha20 key size");
/* Bytes of ChaCha20 stream generated at a time (a whole number of 64-byte blocks). */
#define TINIT_CHUNK 4096u

/* ---------------------------------------------------------------- */
/* Program                                                           */
/* ---------------------------------------------------------------- */

zkr_err zkr_ml_tprogram_check(const zkr_ml_graph *g, zkr_diag *d)
{
    zkr_err r;

    if ((r = zkr_ml_graph_check(g, d)) != ZKR_OK)
        return r;
    if (g->arith != ZKR_ML_ARITH_FIXED)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "training program: arithmetic is int8 (8/8), training needs fixed-point (32/16)");
    for (uint32_t l = 0; l < g->n_layers; l++) {
        uint8_t want = l + 1 < g->n_layers ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE;
        if (g->layers[l].act != want)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "training program: layer %u: activation %u, a %s layer must be %s",
                            (unsigned)l, (unsigned)g->layers[l].act,
                            want == ZKR_ML_ACT_RELU ? "hidden" : "last",
                            want == ZKR_ML_ACT_RELU ? "ReLU" : "none");
    }
    return ZKR_OK;
}

zkr_err zkr_ml_tprogram_make(const uint32_t *dims, size_t n, zkr_ml_graph *g, zkr_diag *d)
{
    if (g == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "training program: no output");
    memset(g, 0, sizeof *g);
    if (dims == NULL || n < 2 || n - 1 > ZKR_ML_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "training program: %zu widths, need 2..%u", n,
                        ZKR_ML_MAX_LAYERS + 1);
    for (size_t i = 0; i < n; i++)
        if (dims[i] == 0 || dims[i] > ZKR_ML_MAX_DIM)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "training program: width %zu is %u, not in 1..%u",
                            i, (unsigned)dims[i], ZKR_ML_MAX_DIM);
    g->arith = ZKR_ML_ARITH_FIXED;
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->input_dim = dims[0];
    g->n_layers = (uint32_t)(n - 1);
    for (uint32_t l = 0; l < g->n_layers; l++)
        g->layers[l] = (zkr_ml_layer_desc){ZKR_ML_OP_DENSE,
                                           l + 1 < g->n_layers ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE,
                                           dims[l], dims[l + 1]};
    return zkr_ml_tprogram_check(g, d);
}

/* ---------------------------------------------------------------- */
/* File format                                                       */
/* ---------------------------------------------------------------- */

size_t zkr_ml_tlayer_size(const zkr_ml_layer_desc *L)
{
    return (size_t)L->out_dim * ((size_t)L->in_dim + 1);
}

static zkr_err check_weights(const zkr_ml_layer_desc *L, uint32_t l, const int32_t *w,
                             const char *what, zkr_diag *d)
{
    uint32_t cols = L->in_dim + 1;

    for (size_t i = 0; i < zkr_ml_tlayer_size(L); i++)
        if (w[i] >= ZKR_ML_T_WEIGHT_BOUND || w[i] <= -ZKR_ML_T_WEIGHT_BOUND)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "%s: layer %u: weight row %zu column %zu is %ld, |w| must be below 2^20",
                            what, (unsigned)l, i / cols, i % cols, (long)w[i]);
    return ZKR_OK;
}

zkr_err zkr_ml_tmodel_encode(const zkr_ml_graph *g, const int32_t *const *w, zkr_buf *out,
                             zkr_diag *d)
{
    zkr_buf prog = {0};
    zkr_err r;

    if (g == NULL || w == NULL || out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "training model: no program, weights or output");
    out->len = 0;
    if ((r = zkr_ml_tprogram_check(g, d)) != ZKR_OK ||
        (r = zkr_ml_graph_encode(g, &prog, d)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        if (w[l] == NULL) {
            r = zkr_fail(d, ZKR_ERR_INTERNAL, "training model: layer %u: no weights", (unsigned)l);
            goto out;
        }
        if ((r = check_weights(&g->layers[l], l, w[l], "training model", d)) != ZKR_OK)
            goto out;
    }
    if ((r = zkr_ml_file_encode_head(ZKR_ML_TMODEL_MAGIC, ZKR_ML_TMODEL_MAGIC_BYTES, ZKR_ML_TMODEL_VERSION, &prog,
                                     out)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        size_t n = zkr_ml_tlayer_size(&g->layers[l]);
        if ((r = zkr_buf_reserve(out, n * 4)) != ZKR_OK)
            goto out;
        for (size_t i = 0; i < n; i++)
            if ((r = zkr_enc_u32(out, (uint32_t)w[l][i])) != ZKR_OK) /* two's complement */
                goto out;
    }
out:
    if (r != ZKR_OK && out != NULL)
        out->len = 0;
    zkr_buf_free(&prog);
    return r;
}

/* The embedded program of a training model: a fixed-point training program. */
static zkr_err tmodel_program(const uint8_t *p, size_t len, zkr_ml_graph *g, zkr_diag *d)
{
    zkr_err r;

    if ((r = zkr_ml_graph_decode(p, len, g, d)) != ZKR_OK ||
        (r = zkr_ml_tprogram_check(g, d)) != ZKR_OK)
        return r == ZKR_ERR_UNSUPPORTED ? r : ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

static zkr_err decode_layer(zkr_dec *dc, void *mv, uint32_t l, zkr_diag *d)
{
    zkr_ml_tmodel *m = mv;
    const zkr_ml_layer_desc *L = &m->g.layers[l];
    size_t n = zkr_ml_tlayer_size(L);
    const uint8_t *p;

    /* Allocate only what the input can fill, so a short hostile file cannot claim gigabytes. */
    if (zkr_dec_raw(dc, n * 4, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "training model: truncated in layer %u", (unsigned)l);
    if ((m->w[l] = malloc(n * sizeof(int32_t))) == NULL)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
                     (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
        m->w[l][i] = u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1; /* two's complement */
    }
    return check_weights(L, l, m->w[l], "training model", d);
}

static void free_any(void *m)
{
    zkr_ml_tmodel_free(m);
}

static const zkr_ml_file_format file_format = {
    .what = "training model",
    .kind = "training model",
    .magic = ZKR_ML_TMODEL_MAGIC,
    .magic_bytes = ZKR_ML_TMODEL_MAGIC_BYTES,
    .version = ZKR_ML_TMODEL_VERSION,
    .size = sizeof(zkr_ml_tmodel),
    .graph_at = offsetof(zkr_ml_tmodel, g),
    .program_digest_at = offsetof(zkr_ml_tmodel, program_digest),
    .bytes_at = offsetof(zkr_ml_tmodel, bytes),
    .digest_at = offsetof(zkr_ml_tmodel, digest),
    .program = tmodel_program,
    .layer = decode_layer,
    .free = free_any,
};

zkr_err zkr_ml_tmodel_decode(const uint8_t *p, size_t len, zkr_ml_tmodel **out, zkr_diag *d)
{
    return zkr_ml_file_decode(&file_format, p, len, (void **)out, d);
}

zkr_err zkr_ml_tmodel_read_file(const char *path, zkr_ml_tmodel **out, zkr_diag *d)
{
    return zkr_ml_file_read(&file_format, path, (void **)out, d);
}

void zkr_ml_tmodel_free(zkr_ml_tmodel *m)
{
    if (m == NULL)
        return;
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++)
        free(m->w[l]);
    zkr_buf_free(&m->bytes);
    free(m);
}

const zkr_ml_graph *zkr_ml_tmodel_graph(const zkr_ml_tmodel *m)
{
    return &m->g;
}

const int32_t *zkr_ml_tmodel_weights(const zkr_ml_tmodel *m, uint32_t l)
{
    if (m == NULL || l >= m->g.n_layers)
        return NULL;
    return m->w[l];
}

void zkr_ml_tmodel_digest(const zkr_ml_tmodel *m, uint8_t out[ZKR_DIGEST_BYTES])
{
    memcpy(out, m->digest, ZKR_DIGEST_BYTES);
}

void zkr_ml_tmodel_program_digest(const zkr_ml_tmodel *m, uint8_t out[ZKR_DIGEST_BYTES])
{
    memcpy(out, m->program_digest, ZKR_DIGEST_BYTES);
}

void zkr_ml_tmodel_bytes(const zkr_ml_tmodel *m, const uint8_t **p, size_t *len)
{
    *p = m->bytes.p;
    *len = m->bytes.len;
}

/* ---------------------------------------------------------------- */
/* Initial model                                                     */
/* ---------------------------------------------------------------- */

/* floor(sqrt(x)), exactly, digit by digit. */
uint64_t zkr_ml_isqrt(uint64_t x)
{
    uint64_t res = 0, bit = (uint64_t)1 << 62;

    while (bit > x)
        bit >>= 2;
    while (bit != 0) {
        if (x >= res + bit) {
            x -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return res;
}

/* The ChaCha20 stream of one layer, consumed four bytes (one big-endian u32) at a time. */
typedef struct {
    uint8_t key[crypto_stream_chacha20_ietf_KEYBYTES];
    uint8_t buf[TINIT_CHUNK];
    uint32_t block; /* next block counter */
    size_t pos;
} init_stream;

static void stream_open(init_stream *s, const uint8_t seed[32], uint32_t layer)
{
    uint8_t in[36], personal[crypto_generichash_blake2b_PERSONALBYTES] = {0};

    memcpy(personal, TINIT_PERSONAL, sizeof TINIT_PERSONAL - 1);
    memcpy(in, seed, 32);
    in[32] = (uint8_t)(layer >> 24);
    in[33] = (uint8_t)(layer >> 16);
    in[34] = (uint8_t)(layer >> 8);
    in[35] = (uint8_t)layer;
    /* Returns -1 only for out-of-range sizes, which are constants here. */
    (void)crypto_generichash_blake2b_salt_personal(s->key, sizeof s->key, in, sizeof in, NULL, 0,
                                                   NULL, personal);
    s->block = 0;
    s->pos = sizeof s->buf;
}

static uint32_t stream_u32(init_stream *s)
{
    static const uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {0};
    const uint8_t *p;

    if (s->pos == sizeof s->buf) {
        memset(s->buf, 0, sizeof s->buf);
        (void)crypto_stream_chacha20_ietf_xor_ic(s->buf, s->buf, sizeof s->buf, nonce, s->block,
                                                 s->key);
        s->block += TINIT_CHUNK / 64;
        s->pos = 0;
    }
    p = s->buf + s->pos;
    s->pos += 4;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Uniform in [-A, A] by rejection: accept x < 2^32 - (2^32 mod (2A+1)), take x mod (2A+1) - A. */
static void init_layer(const zkr_ml_layer_desc *L, uint32_t l, const uint8_t seed[32], int32_t *w)
{
    uint64_t a = zkr_ml_isqrt(((uint64_t)6 << 32) / L->in_dim);
    uint64_t n = 2 * a + 1, limit = ((uint64_t)1 << 32) - (((uint64_t)1 << 32) % n);
    uint32_t cols = L->in_dim + 1;
    init_stream s;

    stream_open(&s, seed, l);
    for (uint32_t j = 0; j < L->out_dim; j++) {
        for (uint32_t k = 0; k < L->in_dim; k++) {
            uint64_t x;
            do
                x = stream_u32(&s);
            while (x >= limit);
            w[(size_t)j * cols + k] = (int32_t)((int64_t)(x % n) - (int64_t)a);
        }
        w[(size_t)j * cols + L->in_dim] = 0;
    }
    sodium_memzero(&s, sizeof s); /* not secret; wiped only to leave no stream copies around */
}

zkr_err zkr_ml_tmodel_init(const zkr_ml_graph *g, const uint8_t seed[32], zkr_buf *out,
                           zkr_diag *d)
{
    int32_t *w[ZKR_ML_MAX_LAYERS] = {0};
    zkr_err r;

    if (g == NULL || seed == NULL || out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "training init: no program, seed or output");
    out->len = 0;
    if ((r = zkr_ml_tprogram_check(g, d)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        if ((w[l] = malloc(zkr_ml_tlayer_size(&g->layers[l]) * sizeof(int32_t))) == NULL) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
        init_layer(&g->layers[l], l, seed, w[l]);
    }
    r = zkr_ml_tmodel_encode(g, (const int32_t *const *)w, out, d);
out:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++)
        free(w[l]);
    return r;
}

/* ---------------------------------------------------------------- */
/* Federated averaging                                               */
/* ---------------------------------------------------------------- */

/* Most children one average takes: keeps 2 * sum + k far inside int64. */
#define FEDAVG_MAX_CHILDREN ((size_t)1 << 32)

/* floor(a / b) for b > 0, exact for negative a. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static zkr_err fedavg_check(const zkr_ml_tmodel *const *children, size_t k, zkr_diag *d)
{
    if (k == 0 || k > FEDAVG_MAX_CHILDREN)
        return zkr_fail(d, ZKR_ERR_USAGE, "fedavg: %zu children, need 1..2^32", k);
    for (size_t i = 0; i < k; i++) {
        if (children[i] == NULL)
            return zkr_fail(d, ZKR_ERR_INTERNAL, "fedavg: child %zu missing", i);
        if (memcmp(children[i]->program_digest, children[0]->program_digest, ZKR_DIGEST_BYTES) != 0)
            return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                            "fedavg: child %zu has another program than child 0", i);
    }
    return ZKR_OK;
}

zkr_err zkr_ml_fedavg(const zkr_ml_tmodel *const *children, size_t k, zkr_buf *out, zkr_diag *d)
{
    int32_t *w[ZKR_ML_MAX_LAYERS] = {0};
    const zkr_ml_graph *g;
    zkr_err r;

    if (children == NULL || out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "fedavg: no children or output");
    out->len = 0;
    if ((r = fedavg_check(children, k, d)) != ZKR_OK)
        goto out;
    g = &children[0]->g;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        size_t n = zkr_ml_tlayer_size(&g->layers[l]);
        if ((w[l] = malloc(n * sizeof(int32_t))) == NULL) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            int64_t sum = 0;
            for (size_t c = 0; c < k; c++)
                sum += children[c]->w[l][i];
            /* Each |w| < 2^20, so the average stays inside the bound. */
            w[l][i] = (int32_t)floor_div(2 * sum + (int64_t)k, 2 * (int64_t)k);
        }
    }
    r = zkr_ml_tmodel_encode(g, (const int32_t *const *)w, out, d);
out:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++)
        free(w[l]);
    return r;
}
