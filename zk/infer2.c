/*
 * inference@2 pieces shared by the prover and the verifier (zk/zk.h,
 * zk/infer2_int.h): the version 2 model commitment, the output commitment,
 * the record leaf and dataset commitment, the witness layout, the
 * per-layer polynomial of the batched sumcheck and the soundness figure.
 */
#include <math.h>
#include <string.h>

#include "zk/infer2_int.h"
#include "zk/zk_int.h"

#define I2_MC_MAGIC "ZKRMC2\0\0"

zkr_err zkr_infer2_mc_encode(const zkr_infer2_model_commitment *mc, zkr_buf *out)
{
    zkr_err r;

    if (mc->n_layers < 1 || mc->n_layers > ZKR_INFER_MAX_LAYERS)
        return ZKR_ERR_USAGE;
    if ((r = zkr_buf_append(out, I2_MC_MAGIC, 8)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ZKR_INFER2_MC_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(out, mc->program_digest, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(out, mc->n_layers)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < mc->n_layers; l++)
        if ((r = zkr_enc_u32(out, mc->shifts[l])) != ZKR_OK ||
            (r = zkr_enc_u32(out, mc->w[l].n_vars)) != ZKR_OK ||
            (r = zkr_enc_u32(out, mc->w[l].blind_vars)) != ZKR_OK ||
            (r = zkr_buf_append(out, mc->w[l].root, ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

zkr_err zkr_infer2_mc_decode(const zkr_params *p, const uint8_t *in, size_t len,
                             zkr_infer2_model_commitment *out)
{
    zkr_dec d;
    const uint8_t *raw;
    uint32_t v;

    memset(out, 0, sizeof *out);
    zkr_dec_init(&d, in, len);
    if (!in || zkr_dec_raw(&d, 8, &raw) != ZKR_OK || memcmp(raw, I2_MC_MAGIC, 8) != 0 ||
        zkr_dec_u32(&d, &v) != ZKR_OK || v != ZKR_INFER2_MC_VERSION ||
        zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(out->program_digest, raw, ZKR_DIGEST_BYTES);
    if (zkr_dec_u32(&d, &out->n_layers) != ZKR_OK || out->n_layers < 1 ||
        out->n_layers > ZKR_INFER_MAX_LAYERS)
        return ZKR_ERR_MALFORMED;
    for (uint32_t l = 0; l < out->n_layers; l++) {
        zkr_hpcs_commitment *c = &out->w[l];
        if (zkr_dec_u32(&d, &out->shifts[l]) != ZKR_OK || zkr_dec_u32(&d, &c->n_vars) != ZKR_OK ||
            zkr_dec_u32(&d, &c->blind_vars) != ZKR_OK ||
            zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        memcpy(c->root, raw, ZKR_DIGEST_BYTES);
        if (out->shifts[l] < 1 || out->shifts[l] > 48 || c->blind_vars < 1 ||
            c->blind_vars > ZKR_HPCS_MAX_BLIND_VARS || c->n_vars > p->max_vars ||
            c->n_vars + c->blind_vars > p->max_vars)
            return ZKR_ERR_MALFORMED;
    }
    return zkr_dec_finish(&d) == ZKR_OK ? ZKR_OK : ZKR_ERR_MALFORMED;
}

void zkr_infer2_mc_digest(const uint8_t *enc, size_t len, uint8_t out[ZKR_DIGEST_BYTES])
{
    zkr_sha256_tagged("zkreg/model-commitment/v2", enc, len, out);
}

static unsigned zkr_i2_out_vars(uint32_t out_dim)
{
    unsigned n = zkr_log2_ceil(out_dim);
    return n ? n : 1;
}

void zkr_infer2_oc_encode(const zkr_infer2_output_commitment *oc,
                          uint8_t out[ZKR_INFER2_OUTPUT_COMMIT_BYTES])
{
    zkr_store_be32(out, 1);
    zkr_store_be32(out + 4, oc->out_dim);
    zkr_store_be32(out + 8, oc->comm.n_vars);
    zkr_store_be32(out + 12, oc->comm.blind_vars);
    memcpy(out + 16, oc->comm.root, ZKR_DIGEST_BYTES);
}

zkr_err zkr_infer2_oc_decode(const zkr_params *p, const uint8_t *in, size_t len,
                             zkr_infer2_output_commitment *out)
{
    uint32_t od, n, e;

    memset(out, 0, sizeof *out);
    if (!in || len != ZKR_INFER2_OUTPUT_COMMIT_BYTES || zkr_load_be32(in) != 1)
        return ZKR_ERR_MALFORMED;
    od = zkr_load_be32(in + 4);
    n = zkr_load_be32(in + 8);
    e = zkr_load_be32(in + 12);
    if (od < 1 || od > ZKR_INFER_MAX_DIM || n != zkr_i2_out_vars(od) || e < 1 ||
        e > ZKR_HPCS_MAX_BLIND_VARS || n + e > p->max_vars)
        return ZKR_ERR_MALFORMED;
    out->out_dim = od;
    out->comm.n_vars = n;
    out->comm.blind_vars = e;
    memcpy(out->comm.root, in + 16, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

void zkr_infer2_record_leaf(const uint8_t c[ZKR_RECORD_COMMIT_BYTES], uint8_t out[ZKR_DIGEST_BYTES])
{
    static const char tag[] = "zkreg/dataset-record/hpc1";
    uint8_t b[sizeof tag + ZKR_RECORD_COMMIT_BYTES];

    memcpy(b, tag, sizeof tag); /* the tag and its NUL */
    memcpy(b + sizeof tag, c, ZKR_RECORD_COMMIT_BYTES);
    zkr_merkle_leaf_hash(b, sizeof b, out);
}

void zkr_infer2_dataset_commitment(uint64_t n, const uint8_t root[ZKR_DIGEST_BYTES],
                                   uint8_t out[ZKR_DIGEST_BYTES])
{
    uint8_t b[8 + ZKR_DIGEST_BYTES];

    zkr_store_be64(b, n);
    memcpy(b + 8, root, ZKR_DIGEST_BYTES);
    zkr_sha256_tagged("zkreg/dataset-commitment/hpc1", b, sizeof b, out);
}

/* ------------------------------------------------------------------ */
/* Layout                                                               */
/* ------------------------------------------------------------------ */

zkr_err zkr_infer2_shape_init(zkr_infer2_shape *sh, uint32_t input_dim, uint32_t n_layers,
                              const uint32_t *in_dims, const uint32_t *out_dims, const int *relu,
                              const uint32_t *shifts)
{
    uint64_t offs[ZKR_INFER_MAX_LAYERS];
    zkr_blk blk[ZKR_INFER_MAX_LAYERS];
    zkr_err r;

    memset(sh, 0, sizeof *sh);
    if ((r = zkr_infer_shape_init(&sh->s, input_dim, n_layers, in_dims, out_dims, relu, shifts)) !=
        ZKR_OK)
        return r;
    for (uint32_t l = 0; l < n_layers; l++) {
        const zkr_infer_layer *L = &sh->s.layer[l];
        unsigned nl;
        sh->lm[l] = L->lm ? L->lm : 1;
        nl = L->lk + sh->lm[l];
        if (nl > sh->N)
            sh->N = nl;
        blk[l].log = sh->lm[l] + ZKR_INFER_SLOTS_LOG;
        blk[l].off = &offs[l];
    }
    sh->n_v = zkr_blocks_place(blk, n_layers);
    for (uint32_t l = 0; l < n_layers; l++)
        sh->voff[l] = offs[l];
    sh->n_rec = zkr_log2_ceil((uint64_t)input_dim + 1);
    if (sh->N + 1 > ZKR_INFER_MAX_PT)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

unsigned zkr_infer2_n_values(const zkr_infer2_shape *sh, uint32_t l, int public_output)
{
    return (!public_output && l + 1 == sh->s.n_layers) ? ZKR_I2_NCOL : ZKR_I2_O;
}

void zkr_infer2_draw(zkr_transcript *t, const zkr_infer2_shape *sh, zkr_infer2_chal *c)
{
    memset(c, 0, sizeof *c);
    for (uint32_t l = 0; l < sh->s.n_layers; l++)
        zkr_ts_challenge_exts(t, "inf2-z", c->z[l], sh->lm[l]);
    c->lam[0] = zkr_ext_from(1);
    c->lam[1] = zkr_ts_challenge_ext(t, "inf2-lambda");
    for (unsigned i = 2; i < 9; i++)
        c->lam[i] = zkr_ext_mul(c->lam[i - 1], c->lam[1]);
    c->mu[0] = zkr_ext_from(1);
    if (sh->s.n_layers > 1) {
        zkr_ext m = zkr_ts_challenge_ext(t, "inf2-mu");
        for (uint32_t l = 1; l < sh->s.n_layers; l++)
            c->mu[l] = zkr_ext_mul(c->mu[l - 1], m);
    }
}

static zkr_ext zkr_i2_limbs(const zkr_ext *T, unsigned first, unsigned n)
{
    zkr_ext acc = zkr_ext_from(0);

    for (unsigned i = n; i-- > 0;)
        acc = zkr_ext_add(zkr_ext_mul_base(acc, 256), T[first + i]);
    return acc;
}

zkr_ext zkr_infer2_bracket(const zkr_infer2_shape *sh, uint32_t l, const zkr_infer2_chal *c,
                           const zkr_ext *T, zkr_ext out)
{
    const zkr_infer_layer *L = &sh->s.layer[l];
    zkr_ext Y = T[ZKR_INFER_SLOT_Y], YC = T[ZKR_INFER_SLOT_YC];
    zkr_ext HI = T[ZKR_INFER_SLOT_HI], LO = T[ZKR_INFER_SLOT_LO];
    zkr_ext lo = zkr_ext_from(zkr_gl_from_i64(L->lo));
    zkr_ext R = zkr_i2_limbs(T, ZKR_INFER_SLOT_R0, L->nr), G = zkr_i2_limbs(T, L->slot_g0, L->ng);
    zkr_ext y = zkr_ext_add(Y, lo), q, b, t;

    q = zkr_ext_add(y, zkr_ext_mul(zkr_ext_sub(HI, LO), G));
    b = zkr_ext_sub(zkr_ext_from((zkr_gl)1 << (L->shift - 1)),
                    zkr_ext_add(zkr_ext_mul_base(q, (zkr_gl)1 << L->shift), R));
    b = zkr_ext_add(b, zkr_ext_mul(c->lam[1], zkr_ext_sub(zkr_ext_mul(HI, HI), HI)));
    b = zkr_ext_add(b, zkr_ext_mul(c->lam[2], zkr_ext_sub(zkr_ext_mul(LO, LO), LO)));
    b = zkr_ext_add(b, zkr_ext_mul(c->lam[3], zkr_ext_mul(HI, YC)));
    b = zkr_ext_add(b, zkr_ext_mul(c->lam[4], zkr_ext_mul(LO, Y)));
    t = zkr_ext_sub(zkr_ext_add(YC, Y), zkr_ext_from(zkr_gl_from_i64(127 - L->lo)));
    b = zkr_ext_add(b, zkr_ext_mul(c->lam[5], t));
    t = zkr_ext_sub(T[L->slot_rtc], zkr_ext_mul_base(T[ZKR_INFER_SLOT_R0 + L->nr - 1], L->c_r));
    b = zkr_ext_add(b, zkr_ext_mul(c->lam[6], t));
    t = zkr_ext_sub(T[L->slot_gtc], zkr_ext_mul_base(T[L->slot_g0 + L->ng - 1], L->c_g));
    b = zkr_ext_add(b, zkr_ext_mul(c->lam[7], t));
    if (l + 1 == sh->s.n_layers)
        b = zkr_ext_add(b, zkr_ext_mul(c->lam[8], zkr_ext_sub(y, out)));
    return b;
}

zkr_gl zkr_infer2_src_off(const zkr_infer2_shape *sh, uint32_t l)
{
    return l == 0 ? 0 : zkr_gl_from_i64(sh->s.layer[l - 1].lo);
}

void zkr_infer2_pub_at(const zkr_infer2_shape *sh, uint32_t l, const zkr_infer2_chal *c,
                       const zkr_ext *r, zkr_infer2_pub *out)
{
    const zkr_infer_layer *L = &sh->s.layer[l];
    zkr_ext one = zkr_ext_from(1), pre = one;

    out->ez = zkr_mle_eq_eval(c->z[l], r + L->lk, sh->lm[l]);
    out->e0 = one;
    out->ein = one;
    for (unsigned i = 0; i < L->lk; i++) {
        zkr_ext ri = r[i], nr = zkr_ext_sub(one, ri);
        out->e0 = zkr_ext_mul(out->e0, nr);
        out->ein = zkr_ext_mul(out->ein, ((L->in_dim >> i) & 1) ? ri : nr);
    }
    /*
     * [k < in_dim] by its bits, most significant first: k < v iff at the
     * first bit where they differ v has 1. ind = sum over bits b of v that
     * are 1 of eq(higher bits) * (1 - k_b).
     */
    out->ind = zkr_ext_from(0);
    for (unsigned i = L->lk; i-- > 0;) {
        zkr_ext ri = r[i], nr = zkr_ext_sub(one, ri);
        if ((L->in_dim >> i) & 1) {
            out->ind = zkr_ext_add(out->ind, zkr_ext_mul(pre, nr));
            pre = zkr_ext_mul(pre, ri);
        } else {
            pre = zkr_ext_mul(pre, nr);
        }
    }
}

zkr_ext zkr_infer2_layer_f(const zkr_infer2_shape *sh, uint32_t l, const zkr_infer2_chal *c,
                           const zkr_infer2_pub *pub, const zkr_ext *vals, zkr_ext out)
{
    zkr_ext x, mm;

    x = vals[ZKR_I2_S];
    x.c[0] = zkr_gl_add(x.c[0], zkr_infer2_src_off(sh, l));
    x = zkr_ext_add(zkr_ext_mul(x, pub->ind), pub->ein);
    mm = zkr_ext_mul(zkr_ext_mul(vals[ZKR_I2_M], vals[ZKR_I2_W]), x);
    mm = zkr_ext_add(mm, zkr_ext_mul(pub->e0, zkr_infer2_bracket(sh, l, c, vals + ZKR_I2_T0, out)));
    return zkr_ext_mul(pub->ez, mm);
}

void zkr_infer2_point(const zkr_infer2_shape *sh, uint32_t l, unsigned which, const zkr_ext *r,
                      const zkr_ext tau[ZKR_INFER_SLOTS_LOG], unsigned total, zkr_ext *out)
{
    const zkr_infer_layer *L = &sh->s.layer[l];
    unsigned n = 0, lm = sh->lm[l];
    zkr_ext s;
    uint64_t blk;

    switch (which) {
    case ZKR_I2_W:
        for (unsigned i = 0; i < L->lk + lm; i++)
            out[n++] = r[i];
        s = zkr_infer2_s(r[0]);
        break;
    case ZKR_I2_M:
        for (unsigned i = 0; i < L->lk; i++)
            out[n++] = zkr_ext_from(((uint64_t)(L->in_dim + 1) >> i) & 1);
        for (unsigned i = 0; i < lm; i++)
            out[n++] = r[L->lk + i];
        s = zkr_infer2_s(r[L->lk]);
        break;
    case ZKR_I2_S:
        if (l == 0) {
            for (unsigned i = 0; i < sh->n_rec; i++)
                out[n++] = r[i];
        } else {
            unsigned pm = sh->lm[l - 1];
            for (unsigned i = 0; i < pm; i++)
                out[n++] = r[i];
            for (unsigned i = 0; i < ZKR_INFER_SLOTS_LOG; i++)
                out[n++] = zkr_ext_from(0); /* slot 0: y - lo */
            blk = sh->voff[l - 1] >> (pm + ZKR_INFER_SLOTS_LOG);
            for (unsigned i = pm + ZKR_INFER_SLOTS_LOG; i < sh->n_v; i++)
                out[n++] = zkr_ext_from((blk >> (i - pm - ZKR_INFER_SLOTS_LOG)) & 1);
        }
        s = zkr_infer2_s(r[0]);
        break;
    case ZKR_I2_T0:
        for (unsigned i = 0; i < lm; i++)
            out[n++] = r[L->lk + i];
        for (unsigned i = 0; i < ZKR_INFER_SLOTS_LOG; i++)
            out[n++] = tau[i];
        blk = sh->voff[l] >> (lm + ZKR_INFER_SLOTS_LOG);
        for (unsigned i = lm + ZKR_INFER_SLOTS_LOG; i < sh->n_v; i++)
            out[n++] = zkr_ext_from((blk >> (i - lm - ZKR_INFER_SLOTS_LOG)) & 1);
        s = zkr_infer2_s(r[L->lk]);
        break;
    default: /* ZKR_I2_O */
        for (unsigned i = 0; i < lm; i++)
            out[n++] = r[L->lk + i];
        s = zkr_infer2_s(r[L->lk]);
        break;
    }
    if (n < total)
        out[n++] = s;
    while (n < total)
        out[n++] = zkr_ext_from(0);
}

/* ------------------------------------------------------------------ */
/* Soundness                                                            */
/* ------------------------------------------------------------------ */

/* The commit-phase and algebraic terms of one hiding opening of total variables. */
static double zkr_i2_open_err(const zkr_params *p, unsigned total)
{
    zkr_pcs_layout l;
    double lf = 3.0 * 63.99999999966, dom;

    zkr_pcs_layout_of(p, total, &l);
    dom = ldexp(1.0, (int)l.log_len[0]);
    return ((double)l.folds_total * dom + 4.0 * total + 2.0 * dom + 1.0 + 1.0) * exp2(-lf);
}

zkr_soundness zkr_infer2_soundness(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                                   uint32_t input_dim, const uint32_t *out_dims,
                                   int public_output, unsigned *n_openings)
{
    zkr_soundness s = {0, 0, 0};
    zkr_soundness one = zkr_params_soundness_open(p, 20, 2, 1, 0, 1);
    double lf = 3.0 * 63.99999999966, alg = 0;
    unsigned L = mc->n_layers, n_open = 0, N = 0, nv, lc;
    uint64_t vsize = 0;
    uint32_t in = input_dim;

    for (uint32_t l = 0; l < L; l++) {
        unsigned lm = zkr_log2_ceil(out_dims[l]), lk = zkr_log2_ceil((uint64_t)in + 2);
        lm = lm ? lm : 1;
        if (lk + lm > N)
            N = lk + lm;
        vsize += (uint64_t)1 << (lm + ZKR_INFER_SLOTS_LOG);
        alg += lm; /* the zero-check point z_l */
        /* W' twice, V (slot fold, and the source for l > 0) */
        alg += 2 * zkr_i2_open_err(p, mc->w[l].n_vars + mc->w[l].blind_vars);
        n_open += 2 + 1 + 1;
        in = out_dims[l];
    }
    nv = zkr_log2_ceil(vsize);
    /* the record's opening is counted like one of V's (at most the same size class) */
    if (!public_output)
        n_open++;
    n_open += ZKR_ZKRANGE_OPENINGS + 1; /* the range proof of V, and C */
    lc = ZKR_INFER2_LC_VARS(N);
    alg += (double)n_open * zkr_i2_open_err(p, nv + zkr_hpcs_blind_vars(p, nv, 2 * L));
    alg += zkr_i2_open_err(p, lc + zkr_hpcs_blind_vars(p, lc, 1));
    /*
     * lambda (degree 8 in the bracket), mu (L - 1 layers), Libra's rho,
     * tau (4 per layer, the slot fold), each opening's rho_P, the batched
     * sumcheck (7 N) and the linear one (2 lc), and the range proof's algebra.
     */
    alg += 8.0 + L + 1 + 4.0 * L + n_open + 7.0 * N + 2.0 * lc;
    alg *= exp2(-lf);
    alg += zkr_zkrange_alg_error(p, nv, zkr_hpcs_blind_vars(p, nv, 2 * L));
    /* union bound over every opening's query phase */
    s.query_bits = one.query_bits;
    s.provable_bits = -log2((double)n_open * exp2(-one.query_bits) + alg);
    s.conjectured_bits =
        -log2((double)n_open * exp2(-(double)(p->queries * p->log_blowup + p->pow_bits)) + alg);
    if (n_openings)
        *n_openings = n_open;
    return s;
}
