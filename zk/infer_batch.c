/*
 * inference-batch@1 pieces shared by the prover and the verifier: the
 * batch public output codec, the layout (evaluation@1's without the argmax
 * block), the opening groups and the transcript seed
 * (docs/proof-system.md, "inference-batch@1").
 */
#include <string.h>

#include "zk/infer_batch.h"

zkr_err zkr_ibatch_output_encode(uint64_t first, uint64_t count, uint32_t out_dim,
                                 const int8_t *y, zkr_buf *out)
{
    zkr_err r;

    if (count < 1 || count > ((uint64_t)1 << ZKR_EVAL_MAX_LB) || out_dim < 1 ||
        out_dim > ZKR_INFER_MAX_DIM || first > UINT64_MAX - count || !y ||
        count * out_dim > ZKR_IBATCH_OUTPUT_MAX - ZKR_IBATCH_OUTPUT_HEADER)
        return ZKR_ERR_USAGE;
    if ((r = zkr_buf_append(out, (const uint8_t *)ZKR_IBATCH_OUTPUT_MAGIC, 4)) != ZKR_OK ||
        (r = zkr_enc_u8(out, ZKR_IBATCH_OUTPUT_VERSION)) != ZKR_OK ||
        (r = zkr_enc_u64(out, first)) != ZKR_OK || (r = zkr_enc_u64(out, count)) != ZKR_OK ||
        (r = zkr_enc_u32(out, out_dim)) != ZKR_OK)
        return r;
    return zkr_buf_append(out, (const uint8_t *)y, (size_t)count * out_dim);
}

zkr_err zkr_ibatch_output_decode(const uint8_t *p, size_t len, uint64_t *first, uint64_t *count,
                                 uint32_t *out_dim, const int8_t **y)
{
    zkr_dec d;
    const uint8_t *magic, *body;
    uint8_t ver;
    uint64_t f, c;
    uint32_t od;

    *first = 0;
    *count = 0;
    *out_dim = 0;
    *y = NULL;
    zkr_dec_init(&d, p, len);
    if (zkr_dec_raw(&d, 4, &magic) != ZKR_OK ||
        memcmp(magic, ZKR_IBATCH_OUTPUT_MAGIC, 4) != 0 || zkr_dec_u8(&d, &ver) != ZKR_OK ||
        ver != ZKR_IBATCH_OUTPUT_VERSION || zkr_dec_u64(&d, &f) != ZKR_OK ||
        zkr_dec_u64(&d, &c) != ZKR_OK || zkr_dec_u32(&d, &od) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    /* Bounds before the multiplication: count * out_dim < 2^32, no overflow. */
    if (c < 1 || c > ((uint64_t)1 << ZKR_EVAL_MAX_LB) || od < 1 || od > ZKR_INFER_MAX_DIM ||
        f > UINT64_MAX - c || c * od > ZKR_IBATCH_OUTPUT_MAX - ZKR_IBATCH_OUTPUT_HEADER ||
        zkr_dec_raw(&d, (size_t)c * od, &body) != ZKR_OK ||
        zkr_dec_finish(&d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    *first = f;
    *count = c;
    *out_dim = od;
    *y = (const int8_t *)body;
    return ZKR_OK;
}

unsigned zkr_ibatch_poly_vars(const zkr_eval_shape *s, unsigned id)
{
    uint32_t L = s->inf.n_layers;

    if (id < 2 * L)
        return zkr_eval_poly_vars(s, id); /* W'_l, then V_l: evaluation@1's */
    return s->mu_log;
}

zkr_err zkr_ibatch_shape_adjust(zkr_eval_shape *s, unsigned max_vars)
{
    uint32_t L = s->inf.n_layers;
    unsigned best = 0;

    s->mu_log = ZKR_INFER_TABLE_LOG + zkr_log2_ceil(L);
    /* One opening fewer: MU grows to the next size some other polynomial has. */
    for (unsigned id = 0; id < 2 * L; id++) {
        unsigned v = zkr_eval_poly_vars(s, id);
        if (v >= s->mu_log && (best == 0 || v < best))
            best = v;
    }
    if (best)
        s->mu_log = best;
    return s->mu_log > max_vars ? ZKR_ERR_TOO_LARGE : ZKR_OK;
}

zkr_err zkr_ibatch_shape_init(zkr_eval_shape *s, uint32_t input_dim, uint32_t n_layers,
                              const uint32_t *in_dims, const uint32_t *out_dims, const int *relu,
                              const uint32_t *shifts, uint64_t count, unsigned max_vars)
{
    zkr_err r;

    if ((r = zkr_eval_shape_init(s, input_dim, n_layers, in_dims, out_dims, relu, shifts, count,
                                 max_vars)) != ZKR_OK)
        return r;
    return zkr_ibatch_shape_adjust(s, max_vars);
}

void zkr_ibatch_groups_of(const zkr_eval_shape *s, zkr_eval_groups *g)
{
    unsigned n = ZKR_IBATCH_N_POLYS(s->inf.n_layers);

    memset(g, 0, sizeof *g);
    for (unsigned v = 0; v <= 64; v++)
        for (unsigned id = 0; id < n; id++) {
            unsigned k;
            if (zkr_ibatch_poly_vars(s, id) != v)
                continue;
            k = g->n_groups;
            if (k == 0 || g->n_vars[k - 1] != v || g->n_polys[k - 1] == ZKR_EVAL_GROUP_MAX) {
                g->n_vars[k] = v;
                g->n_groups++;
            } else {
                k--;
            }
            g->poly[k][g->n_polys[k]++] = id;
        }
}

void zkr_ibatch_transcript(zkr_transcript *t, const zkr_params *p,
                           const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                           size_t stmt_len)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_IBATCH_PROTOCOL, ZKR_IBATCH_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd,
                statement_id);
    zkr_ts_absorb(t, "ib-statement", stmt, stmt_len);
}
