/* evaluation-graph@1: shared definitions (zk/geval.h). */
#include "zk/geval.h"
#include "zk/zk_int.h"

unsigned zkr_geval_lb(uint32_t n)
{
    return n <= 1 ? 0 : zkr_log2_ceil(n);
}

zkr_err zkr_geval_output_encode(uint32_t n, uint32_t bsz, uint32_t ne, const int8_t *y,
                                zkr_buf *out)
{
    zkr_err r;

    out->len = 0;
    if ((r = zkr_enc_u32(out, n)) != ZKR_OK || (r = zkr_enc_u32(out, bsz)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ne)) != ZKR_OK)
        return r;
    return y ? zkr_buf_append(out, (const uint8_t *)y, (size_t)bsz * ne) : ZKR_OK;
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
