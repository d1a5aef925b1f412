/* evaluation-graph@1: shared definitions (zk/geval.h). */
#include <math.h>
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

/* 2^-bits of one relation's random challenges (zk/cnn.h zkr_cnn_relation_error_bits). */
static double zkr_ge_err(unsigned rounds, unsigned deg, unsigned zc, unsigned batch, unsigned na,
                         unsigned nt)
{
    return exp2(-zkr_cnn_relation_error_bits(rounds, deg, zc, batch, na, nt));
}

/* Narrow requantization over lp variables: a degree-3 zero-check (z), lambda and lambda^2, tau over the slots. */
static double zkr_ge_rqn_err(const zkr_cnn_rqn *a, unsigned lp)
{
    return zkr_ge_err(lp, 3, lp + a->lsl, 2, 0, 0);
}

/* A window view's reduction: a degree-2 sumcheck over the input's variables. */
static double zkr_ge_view_err(const zkr_cnn_win *g)
{
    return zkr_ge_err(zkr_cnn_in_vars(g), 2, 0, 0, 0, 0);
}

/* Node i's relations as verifier/ginfer.c runs them over the batch (s->lb in lpb and the windows). */
static double zkr_ge_node_err(const zkr_ginf_shape *s, const zkr_ml_gprog *g, uint32_t i)
{
    const zkr_cnn_win *w = &s->win[i];
    unsigned lp = zkr_cnn_out_vars(w), n = lp + zkr_cnn_k_vars(w);

    switch (g->nodes[i].op) {
    case ZKR_ML_GOP_CONV:
    case ZKR_ML_GOP_DENSE: {
        /* requantization over the batch, then one record's convolution on X folded at rho_b */
        const zkr_cnn_conv *c = &s->conv[i];
        return zkr_ge_rqn_err(&s->rq[i], zkr_ginf_lpb(s, i)) +
               zkr_ge_err(zkr_cnn_k_vars(&c->g) + c->g.lc + (c->depthwise ? c->lm : 0),
                          c->depthwise ? 3 : 2, 0, 0, 0, 0) +
               zkr_ge_view_err(&c->g);
    }
    case ZKR_ML_GOP_MAXPOOL:
        /* degree-3 zero-check (z over n, rp over lp), beta^1..3 and gamma; its range is "ginf-range" */
        return zkr_ge_err(n, 3, n + lp, 4, 0, 0) + zkr_ge_view_err(w);
    case ZKR_ML_GOP_AVGPOOL:
        /* the claims at z (lp) and tau (2), the view, the byte LogUp over lp + 3 */
        return zkr_ge_err(0, 0, lp + 2, 0, lp + 3, ZKR_CNN_BYTE_LOG) + zkr_ge_view_err(w);
    case ZKR_ML_GOP_LOOKUP:
        return zkr_ge_err(0, 0, 0, 0, zkr_ginf_lpb(s, i) + 2, ZKR_CNN_LUT_LOG);
    case ZKR_ML_GOP_ADD:
        return zkr_ge_rqn_err(&s->rq[i], zkr_ginf_lpb(s, i));
    case ZKR_ML_GOP_CONCAT: {
        /* the random point z on Y (lpb), then per input lc_j degree-2 rounds */
        const zkr_cnn_cat *a = &s->cat[i];
        unsigned rounds = 0;
        for (unsigned j = 0; j < a->k; j++)
            rounds += a->lc[j];
        return zkr_ge_err(rounds, 2, zkr_ginf_lpb(s, i), 0, 0, 0);
    }
    default:
        return 0.0;
    }
}

/* The argmax block: evaluation@1's zero-check, one-hot and broadcast, count sumcheck, A's byte LogUp. */
static double zkr_ge_argmax_err(const zkr_ginf_shape *s)
{
    unsigned nv = s->amd.c + s->amd.lb;

    /* zero-check: nv degree-3 rounds, z (nv), lambda^1..3, tau (4); one-hot at rho_b (lb), broadcast (nv) */
    return zkr_ge_err(nv, 3, nv + ZKR_EVAL_ASLOTS_LOG + s->amd.lb + nv, 3, 0, 0) +
           zkr_ge_err(nv, 2, 0, 0, 0, 0) +
           zkr_ge_err(0, 0, 0, 0, s->am.log, ZKR_GINF_AM_RANGE_LOG);
}

zkr_soundness zkr_geval_soundness(const zkr_params *p, const zkr_ginf_shape *s,
                                  const zkr_ml_gprog *g)
{
    zkr_soundness o, r;
    double rel = zkr_ge_argmax_err(s), prov, conj;

    for (uint32_t i = 1; i < s->n_nodes; i++)
        rel += zkr_ge_node_err(s, g, i);
    /* "ginf-range": the LogUp over n_r variables against 0..2^15-1, tau (4) for its values */
    if (s->n_r)
        rel += zkr_ge_err(0, 0, 4, 0, s->n_r, ZKR_GINF_RANGE_LOG);
    if (zkr_ginf_one_opening(p, s)) {
        /* V and P in one mixed opening: each counted twice among the commitments (its join) */
        o = zkr_params_soundness_open(p, s->n_v > s->n_m ? s->n_v : s->n_m, 4,
                                      ZKR_GINF_MAX_CLAIMS, 0, 2);
        prov = exp2(-o.provable_bits);
        conj = exp2(-o.conjectured_bits);
    } else {
        zkr_soundness om = zkr_params_soundness_open(p, s->n_m, 1, ZKR_GINF_MAX_CLAIMS, 0, 2);
        o = zkr_params_soundness_open(p, s->n_v, 1, ZKR_GINF_MAX_CLAIMS, 0, 2);
        prov = exp2(-o.provable_bits) + exp2(-om.provable_bits);
        conj = exp2(-o.conjectured_bits) + exp2(-om.conjectured_bits);
        o.query_bits = o.query_bits < om.query_bits ? o.query_bits : om.query_bits;
    }
    r.provable_bits = -log2(prov + rel);
    r.conjectured_bits = -log2(conj + rel);
    r.query_bits = o.query_bits;
    return r;
}
