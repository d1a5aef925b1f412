/* evaluation-graph@1: shared definitions (zk/geval.h). */
#include <string.h>

#include "zk/geval.h"
#include "zk/zk_int.h"

unsigned zkr_geval_lb(uint32_t n)
{
    return n <= 1 ? 0 : zkr_log2_ceil(n);
}

zkr_err zkr_geval_output_encode(const zkr_geval_binding *b, uint32_t bsz, uint32_t ne,
                                zkr_buf *out)
{
    zkr_err r;

    out->len = 0;
    if (b->n_bound > ZKR_EVAL_MAX_BOUNDARY)
        return ZKR_ERR_USAGE;
    if ((r = zkr_enc_u64(out, b->n)) != ZKR_OK ||
        (r = zkr_buf_append(out, b->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(out, b->first)) != ZKR_OK || (r = zkr_enc_u64(out, b->count)) != ZKR_OK ||
        (r = zkr_enc_u32(out, b->n_bound)) != ZKR_OK)
        return r;
    for (uint32_t k = 0; k < b->n_bound; k++)
        if ((r = zkr_buf_append(out, b->bound[k], ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    if ((r = zkr_enc_u8(out, b->mode)) != ZKR_OK || (r = zkr_enc_u64(out, b->value)) != ZKR_OK ||
        (r = zkr_enc_u64(out, b->correct)) != ZKR_OK || (r = zkr_enc_u32(out, bsz)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ne)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

zkr_err zkr_geval_output_decode(const uint8_t *p, size_t len, uint32_t want_ne,
                                zkr_geval_binding *b)
{
    zkr_dec d;
    const uint8_t *raw;
    uint32_t bsz, ne;

    memset(b, 0, sizeof *b);
    zkr_dec_init(&d, p, len);
    if (zkr_dec_u64(&d, &b->n) != ZKR_OK || zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(b->root, raw, ZKR_DIGEST_BYTES);
    if (zkr_dec_u64(&d, &b->first) != ZKR_OK || zkr_dec_u64(&d, &b->count) != ZKR_OK ||
        zkr_dec_u32(&d, &b->n_bound) != ZKR_OK || b->n_bound > ZKR_EVAL_MAX_BOUNDARY)
        return ZKR_ERR_MALFORMED;
    for (uint32_t k = 0; k < b->n_bound; k++) {
        if (zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        memcpy(b->bound[k], raw, ZKR_DIGEST_BYTES);
    }
    if (zkr_dec_u8(&d, &b->mode) != ZKR_OK || zkr_dec_u64(&d, &b->value) != ZKR_OK ||
        zkr_dec_u64(&d, &b->correct) != ZKR_OK || zkr_dec_u32(&d, &bsz) != ZKR_OK ||
        zkr_dec_u32(&d, &ne) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    if (b->count < 1 || b->count > ZKR_GEVAL_MAX_RECORDS || b->first > b->n ||
        b->count > b->n - b->first || b->mode > ZKR_EVAL_MODE_THRESHOLD ||
        b->value > b->count || b->correct > b->count ||
        (b->mode == ZKR_EVAL_MODE_EXACT && b->value != b->correct) ||
        bsz != (uint32_t)1 << zkr_geval_lb((uint32_t)b->count) || ne != want_ne ||
        zkr_dec_finish(&d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

uint32_t zkr_geval_argmax(const int8_t *y, uint32_t n)
{
    uint32_t best = 0;

    for (uint32_t k = 1; k < n; k++)
        if (y[k] > y[best])
            best = k;
    return best;
}

zkr_err zkr_geval_extend_x(zkr_cnn_claims *cl, unsigned lx, const zkr_ext *rb, unsigned lb)
{
    for (size_t k = 0; k < cl->n; k++) {
        zkr_cnn_claim *c = &cl->c[k];
        if (c->poly != ZKR_CNN_POLY_X)
            continue;
        if (c->n != lx || lx + lb > ZKR_CNN_MAX_PT)
            return ZKR_ERR_INTERNAL;
        for (unsigned j = 0; j < lb; j++)
            c->pt[lx + j] = rb[j];
        c->n = lx + lb;
    }
    return ZKR_OK;
}
