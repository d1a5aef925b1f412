/*
 * inference@2 pieces shared by the prover and the verifier (zk/zk.h,
 * zk/infer2_int.h): the version 2 model commitment, the output commitment,
 * the record leaf and dataset commitment, the witness layout, the
 * per-layer polynomial of the batched sumcheck and the soundness figure.
 */
#include <math.h>
#include <string.h>

#include "zk/infer2_int.h"
#include "zk/ldr.h"
#include "zk/zk_int.h"

#define I2_MC_MAGIC "ZKRMC2\0\0"

int zkr_infer2_mc_stack_fits(const zkr_params *p, uint32_t n_layers, unsigned total)
{
    zkr_pcs_layout l;

    if (n_layers < 2 || n_layers > ZKR_HPCS_MAX_STACK || total == 0 || total > p->max_vars)
        return 0;
    /* the group's leaf: every layer's 2^a0 entries (a0 the layout's, as the commitment's) */
    zkr_pcs_layout_of(p, total, &l);
    return ((size_t)n_layers << l.folds[0]) <= ZKR_MT_MAX_LEAF_WORDS;
}

/* Version 4's rules on a filled commitment: one size, one root, a group leaf that fits. */
static int zkr_i2_mc_stack_ok(const zkr_params *p, const zkr_infer2_model_commitment *mc)
{
    unsigned total = mc->w[0].n_vars + mc->w[0].blind_vars;

    for (uint32_t l = 1; l < mc->n_layers; l++)
        if (mc->w[l].n_vars + mc->w[l].blind_vars != total ||
            memcmp(mc->w[l].root, mc->w[0].root, ZKR_DIGEST_BYTES) != 0)
            return 0;
    return zkr_infer2_mc_stack_fits(p, mc->n_layers, total);
}

static zkr_err zkr_i2_mc_version(const zkr_infer2_model_commitment *mc, uint32_t set, uint32_t *v)
{
    if (mc->stacked) {
        zkr_params p;
        if (zkr_params_get(set, &p) != ZKR_OK || !zkr_i2_mc_stack_ok(&p, mc))
            return ZKR_ERR_USAGE;
        *v = ZKR_INFER2_MC_VERSION_STACK;
        return ZKR_OK;
    }
    /* Set 1 keeps version 2's bytes: commitments made before the sets existed stay valid. */
    *v = set == ZKR_PARAM_SET_128 ? ZKR_INFER2_MC_VERSION : ZKR_INFER2_MC_VERSION_SET;
    return ZKR_OK;
}

zkr_err zkr_infer2_mc_encode(const zkr_infer2_model_commitment *mc, zkr_buf *out)
{
    uint32_t set = mc->param_set ? mc->param_set : ZKR_PARAM_SET_128, v = 0;
    zkr_err r;

    if (mc->n_layers < 1 || mc->n_layers > ZKR_INFER_MAX_LAYERS || zkr_params_name(set) == NULL)
        return ZKR_ERR_USAGE;
    if ((r = zkr_i2_mc_version(mc, set, &v)) != ZKR_OK)
        return r;
    if ((r = zkr_buf_append(out, I2_MC_MAGIC, 8)) != ZKR_OK ||
        (r = zkr_enc_u32(out, v)) != ZKR_OK ||
        (v != ZKR_INFER2_MC_VERSION && (r = zkr_enc_u32(out, set)) != ZKR_OK) ||
        (r = zkr_buf_append(out, mc->program_digest, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(out, mc->n_layers)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < mc->n_layers; l++)
        if ((r = zkr_enc_u32(out, mc->shifts[l])) != ZKR_OK ||
            (r = zkr_enc_u32(out, mc->w[l].n_vars)) != ZKR_OK ||
            (r = zkr_enc_u32(out, mc->w[l].blind_vars)) != ZKR_OK ||
            (!mc->stacked && (r = zkr_buf_append(out, mc->w[l].root, ZKR_DIGEST_BYTES)) != ZKR_OK))
            return r;
    /* version 4: the group's one root, after every layer's sizes */
    if (mc->stacked && (r = zkr_buf_append(out, mc->w[0].root, ZKR_DIGEST_BYTES)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

/* The magic and version; *set the set they name (version 2: set 1), *stacked version 4. */
static zkr_err zkr_i2_mc_head(zkr_dec *d, uint32_t *set, uint32_t *stacked)
{
    const uint8_t *raw;
    uint32_t v;

    *stacked = 0;
    if (zkr_dec_raw(d, 8, &raw) != ZKR_OK || memcmp(raw, I2_MC_MAGIC, 8) != 0 ||
        zkr_dec_u32(d, &v) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    if (v == ZKR_INFER2_MC_VERSION) {
        *set = ZKR_PARAM_SET_128;
        return ZKR_OK;
    }
    /* Version 3 names a set other than 1: set 1 has one encoding only. Version 4 names any. */
    if ((v != ZKR_INFER2_MC_VERSION_SET && v != ZKR_INFER2_MC_VERSION_STACK) ||
        zkr_dec_u32(d, set) != ZKR_OK ||
        (v == ZKR_INFER2_MC_VERSION_SET && *set == ZKR_PARAM_SET_128) ||
        zkr_params_name(*set) == NULL)
        return ZKR_ERR_MALFORMED;
    *stacked = v == ZKR_INFER2_MC_VERSION_STACK;
    return ZKR_OK;
}

zkr_err zkr_infer2_mc_param_set(const uint8_t *in, size_t len, uint32_t *set)
{
    zkr_dec d;

    uint32_t stacked;

    *set = 0;
    if (!in)
        return ZKR_ERR_MALFORMED;
    zkr_dec_init(&d, in, len);
    return zkr_i2_mc_head(&d, set, &stacked);
}

zkr_err zkr_infer2_mc_decode(const zkr_params *p, const uint8_t *in, size_t len,
                             zkr_infer2_model_commitment *out)
{
    zkr_dec d;
    const uint8_t *raw;

    memset(out, 0, sizeof *out);
    if (!in)
        return ZKR_ERR_MALFORMED;
    zkr_dec_init(&d, in, len);
    if (zkr_i2_mc_head(&d, &out->param_set, &out->stacked) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    if (out->param_set != p->id)
        return ZKR_ERR_MISMATCH_PARAMS;
    if (zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(out->program_digest, raw, ZKR_DIGEST_BYTES);
    if (zkr_dec_u32(&d, &out->n_layers) != ZKR_OK || out->n_layers < 1 ||
        out->n_layers > ZKR_INFER_MAX_LAYERS)
        return ZKR_ERR_MALFORMED;
    for (uint32_t l = 0; l < out->n_layers; l++) {
        zkr_hpcs_commitment *c = &out->w[l];
        if (zkr_dec_u32(&d, &out->shifts[l]) != ZKR_OK || zkr_dec_u32(&d, &c->n_vars) != ZKR_OK ||
            zkr_dec_u32(&d, &c->blind_vars) != ZKR_OK ||
            (!out->stacked && zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK))
            return ZKR_ERR_MALFORMED;
        if (!out->stacked)
            memcpy(c->root, raw, ZKR_DIGEST_BYTES);
        if (out->shifts[l] < 1 || out->shifts[l] > 48 || c->blind_vars < 1 ||
            c->blind_vars > ZKR_HPCS_MAX_BLIND_VARS || c->n_vars > p->max_vars ||
            c->n_vars + c->blind_vars > p->max_vars)
            return ZKR_ERR_MALFORMED;
    }
    if (out->stacked) {
        /* one root for the group; every layer of one size, the group's leaf within bounds */
        if (zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        for (uint32_t l = 0; l < out->n_layers; l++)
            memcpy(out->w[l].root, raw, ZKR_DIGEST_BYTES);
        if (!zkr_i2_mc_stack_ok(p, out))
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
    uint64_t offs[ZKR_INFER_MAX_LAYERS + 1];
    zkr_blk blk[ZKR_INFER_MAX_LAYERS + 1];
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
    /*
     * Version 3: the record's copy (input and label, zero-padded) is one
     * more block of V, so V's range proof covers the record's bytes; it
     * comes last, so that it follows the layers' blocks of its size.
     */
    sh->n_rec = zkr_log2_ceil((uint64_t)input_dim + 1);
    blk[n_layers].log = sh->n_rec;
    blk[n_layers].off = &offs[n_layers];
    sh->n_v = zkr_blocks_place(blk, n_layers + 1);
    for (uint32_t l = 0; l < n_layers; l++)
        sh->voff[l] = offs[l];
    sh->roff = offs[n_layers];
    if (sh->N + 1 > ZKR_INFER_MAX_PT)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

unsigned zkr_infer2_n_values(const zkr_infer2_shape *sh, uint32_t l, int public_output)
{
    return (!public_output && l + 1 == sh->s.n_layers) ? ZKR_I2_O + 1 : ZKR_I2_O;
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
    zkr_ts_challenge_exts(t, "inf2-z-rec", c->zrec, sh->n_rec);
    c->murec = zkr_ts_challenge_ext(t, "inf2-mu-rec");
}

zkr_ext zkr_infer2_rec_f(const zkr_infer2_shape *sh, const zkr_infer2_chal *c, const zkr_ext *r,
                         const zkr_ext *vals0)
{
    zkr_ext f = zkr_ext_mul(c->murec, zkr_mle_eq_eval(c->zrec, r, sh->n_rec));

    f = zkr_ext_mul(f, zkr_ext_sub(vals0[ZKR_I2_S], vals0[ZKR_I2_RV]));
    for (unsigned t = sh->n_rec; t < sh->N; t++)
        f = zkr_ext_mul(f, zkr_ext_sub(zkr_ext_from(1), r[t]));
    return f;
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
    case ZKR_I2_RV:
        for (unsigned i = 0; i < sh->n_rec; i++)
            out[n++] = r[i];
        blk = sh->roff >> sh->n_rec;
        for (unsigned i = sh->n_rec; i < sh->n_v; i++)
            out[n++] = zkr_ext_from((blk >> (i - sh->n_rec)) & 1);
        s = zkr_infer2_s(r[0]);
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
/* Libra masks and the claim reduction (version 2)                      */
/* ------------------------------------------------------------------ */

zkr_ext zkr_infer2_gi(const zkr_ext *gco, unsigned i, zkr_ext x)
{
    return zkr_mask_gi(gco, ZKR_INFER2_DEGREE, i, x);
}

zkr_ext zkr_infer2_gsum(const zkr_ext *gco, unsigned n)
{
    return zkr_mask_gsum(gco, ZKR_INFER2_DEGREE, n);
}

zkr_ext zkr_infer2_gat(const zkr_ext *gco, unsigned n, const zkr_ext *r)
{
    return zkr_mask_gat(gco, ZKR_INFER2_DEGREE, n, r);
}

/* One mask's weights basis_k r_i^(j+1) (scaled by xi) at C's offset off, block stride st. */
static void zkr_i2_lambda_part(const zkr_ext *r, unsigned n, zkr_ext xi, size_t off,
                               zkr_ext *out)
{
    size_t st = zkr_infer2_stride(n);

    for (unsigned k = 0; k < 3; k++) {
        zkr_ext bk = zkr_ext_from(0);
        bk.c[k] = 1;
        bk = zkr_ext_mul(bk, xi);
        out[off + k * st] = bk;
        for (unsigned i = 0; i < n; i++) {
            zkr_ext pw = r[i];
            for (unsigned j = 0; j < ZKR_INFER2_DEGREE; j++) {
                out[off + k * st + 1 + (size_t)ZKR_INFER2_DEGREE * i + j] = zkr_ext_mul(bk, pw);
                pw = zkr_ext_mul(pw, r[i]);
            }
        }
    }
}

void zkr_infer2_lambda(const zkr_ext *r, unsigned N, const zkr_ext *rA, unsigned TA, zkr_ext xi,
                       unsigned lc, zkr_ext *out)
{
    for (size_t i = 0; i < ((size_t)1 << lc); i++)
        out[i] = zkr_ext_from(0);
    zkr_i2_lambda_part(r, N, zkr_ext_from(1), 0, out);
    zkr_i2_lambda_part(rA, TA, xi, 3 * zkr_infer2_stride(N), out);
}

void zkr_infer2_lambda5(const zkr_ext *r, unsigned N, const zkr_ext *rA, unsigned TA,
                        const zkr_ext *rR, unsigned NR, zkr_ext xi, unsigned lc, zkr_ext *out)
{
    zkr_infer2_lambda(r, N, rA, TA, xi, lc, out);
    zkr_i2_lambda_part(rR, NR, zkr_ext_mul(xi, xi),
                       3 * (zkr_infer2_stride(N) + zkr_infer2_stride(TA)), out);
}

void zkr_infer2_red_add_range(zkr_infer2_red *red, uint32_t n_layers, const zkr_ext *zf,
                              const zkr_ext *vals)
{
    unsigned tv = red->tv[n_layers];

    red->zr_poly = red->n_polys;
    for (unsigned i = 0; i < 3; i++)
        red->tv[red->n_polys++] = tv;
    memcpy(red->zr_pt, zf, (size_t)tv * sizeof *zf);
    for (unsigned i = 0; i < 4; i++) {
        unsigned c = red->n_claims++;
        red->zr_val[i] = vals[i];
        red->poly[c] = i == 0 ? n_layers : red->zr_poly + i - 1;
        red->layer[c] = i;
        red->which[c] = ZKR_I2_ZR;
    }
}

unsigned zkr_infer2_fit_arity(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers)
{
    return zkr_hpcs_mixed_fit_arity(p, red->TA, red->tv[n_layers]);
}

int zkr_infer2_stacks_h_phi(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers)
{
    unsigned a = zkr_infer2_fit_arity(p, red, n_layers);

    /*
     * The mixed opening stacks joiners only (zkr_hpcs_verify_mixed_fit):
     * where V, so h and phi, is of T_A's size they are full-size members,
     * committed in two trees as in version 8 (adversarial review).
     */
    return a > 0 && red->tv[n_layers] < red->TA && ((size_t)6 << a) <= ZKR_MT_MAX_LEAF_WORDS;
}

int zkr_infer2_stacks_v_m(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers)
{
    unsigned a = zkr_infer2_fit_arity(p, red, n_layers);

    /* as h and phi: joiners only; two base leaves of 2^a values */
    return a > 0 && red->tv[n_layers] < red->TA && ((size_t)2 << a) <= ZKR_MT_MAX_LEAF_WORDS;
}

unsigned zkr_infer2_nest_h(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers)
{
    unsigned totals[2] = {red->TA, red->tv[n_layers]};
    zkr_hpcs_mixed_plan pl;
    unsigned a = zkr_infer2_fit_arity(p, red, n_layers);

    /* V's fitted leaf is folds[1] - step values: a leaf covers 2^folds[1] of Z's;
     * an F_p^6 opening's mask keeps a tree of its own (zk/hiding_mixed.c) */
    if (p->mixed_ext6 || !zkr_infer2_stacks_v_m(p, red, n_layers) ||
        zkr_hpcs_mixed_plan_of(p, totals, 2, &pl) != ZKR_OK || pl.layer[1] != 1 ||
        ((size_t)2 << a) + ZKR_DIGEST_BYTES / 8 > ZKR_MT_MAX_LEAF_WORDS)
        return 0;
    return pl.l.folds[1];
}

void zkr_infer2_open_order(const zkr_infer2_red *red, uint32_t n_layers, unsigned *order)
{
    unsigned j = 0, m = red->zr_poly ? red->zr_poly + 2 : 0;

    for (unsigned i = 0; i < red->n_polys; i++) {
        if (m && i == m)
            continue;
        order[j++] = i;
        if (m && i == n_layers)
            order[j++] = m; /* version 10: m right after V, to stack on it */
    }
}

/* Member j's bit where reduction polynomial i sits in order (zkr_infer2_open_order's). */
static uint32_t zkr_i2_member_bit(const zkr_infer2_red *red, const unsigned *order, unsigned i)
{
    for (unsigned j = 0; j < red->n_polys && j < 32; j++)
        if (order[j] == i)
            return (uint32_t)1 << j;
    return 0;
}

uint32_t zkr_infer2_stack_mask(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers)
{
    unsigned order[ZKR_INFER2_RED_MAX_POLYS];
    uint32_t stack = 0;

    if (!red->zr_poly)
        return 0;
    zkr_infer2_open_order(red, n_layers, order);
    if (zkr_infer2_stacks_h_phi(p, red, n_layers))
        stack |= zkr_i2_member_bit(red, order, red->zr_poly + 1);
    if (zkr_infer2_stacks_v_m(p, red, n_layers))
        stack |= zkr_i2_member_bit(red, order, red->zr_poly + 2);
    return stack;
}

uint32_t zkr_infer2_w_stack_mask(const zkr_infer2_model_commitment *mc,
                                 const zkr_infer2_red *red)
{
    unsigned order[ZKR_INFER2_RED_MAX_POLYS];
    uint32_t stack = 0;

    if (!mc->stacked)
        return 0;
    zkr_infer2_open_order(red, mc->n_layers, order);
    /* W'_1..W'_{L-1} each in W'_0's tree (members 0..L-1 of the order, adjacent) */
    for (uint32_t l = 1; l < mc->n_layers; l++)
        stack |= zkr_i2_member_bit(red, order, l);
    return stack;
}

size_t zkr_infer2_nest_member(const zkr_params *p, const zkr_infer2_red *red, uint32_t n_layers)
{
    unsigned order[ZKR_INFER2_RED_MAX_POLYS];

    if (!red->zr_poly || !zkr_infer2_nest_h(p, red, n_layers))
        return red->n_polys;
    zkr_infer2_open_order(red, n_layers, order);
    for (unsigned j = 0; j < red->n_polys; j++)
        if (order[j] == n_layers)
            return j;
    return red->n_polys;
}

uint32_t zkr_infer2_fit_mask(const zkr_infer2_red *red, uint32_t n_layers)
{
    unsigned order[ZKR_INFER2_RED_MAX_POLYS];
    uint32_t fit;

    zkr_infer2_open_order(red, n_layers, order);
    fit = zkr_i2_member_bit(red, order, n_layers);
    for (unsigned i = 0; red->zr_poly && i < 3; i++)
        fit |= zkr_i2_member_bit(red, order, red->zr_poly + i);
    return fit;
}

void zkr_infer2_red_add_record(zkr_infer2_red *red, unsigned rec_total)
{
    unsigned c = red->n_claims++;

    red->rec_poly = red->n_polys;
    red->tv[red->n_polys++] = rec_total;
    if (rec_total > red->TA)
        red->TA = rec_total;
    red->poly[c] = red->rec_poly;
    red->layer[c] = 0;
    red->which[c] = ZKR_I2_S;
    red->suffix = 1;
}

void zkr_infer2_red_point(const zkr_infer2_shape *sh, const zkr_infer2_red *red, unsigned c,
                          const zkr_ext *r, const zkr_ext tau[][ZKR_INFER_SLOTS_LOG],
                          zkr_ext *z)
{
    unsigned tv = red->tv[red->poly[c]];

    if (red->which[c] == ZKR_I2_ZR)
        memcpy(z, red->zr_pt, (size_t)tv * sizeof *z);
    else
        zkr_infer2_point(sh, red->layer[c], red->which[c], r, tau[red->layer[c]], tv, z);
}

void zkr_infer2_red_init(const zkr_infer2_shape *sh, const unsigned *w_total, unsigned v_total,
                         unsigned o_total, zkr_infer2_red *red)
{
    uint32_t L = sh->s.n_layers;

    memset(red, 0, sizeof *red);
    red->n_polys = o_total ? L + 2 : L + 1;
    for (uint32_t l = 0; l < L; l++)
        red->tv[l] = w_total[l];
    red->tv[L] = v_total;
    if (o_total)
        red->tv[L + 1] = o_total;
    for (unsigned i = 0; i < red->n_polys; i++)
        if (red->tv[i] > red->TA)
            red->TA = red->tv[i];
    for (uint32_t l = 0; l < L; l++) {
        static const unsigned cols[4] = {ZKR_I2_W, ZKR_I2_M, ZKR_I2_S, ZKR_I2_T0};
        for (unsigned i = 0; i < 4; i++) {
            unsigned c = red->n_claims;
            if (cols[i] == ZKR_I2_S && l == 0)
                continue; /* the record: its claim joins through zkr_infer2_red_add_record */
            red->poly[c] = cols[i] == ZKR_I2_W || cols[i] == ZKR_I2_M ? l : L;
            red->layer[c] = l;
            red->which[c] = cols[i];
            red->n_claims++;
        }
    }
    red->poly[red->n_claims] = L; /* version 3: V's copy of the record */
    red->layer[red->n_claims] = 0;
    red->which[red->n_claims] = ZKR_I2_RV;
    red->n_claims++;
    if (o_total) {
        red->poly[red->n_claims] = L + 1;
        red->layer[red->n_claims] = L - 1;
        red->which[red->n_claims] = ZKR_I2_O;
        red->n_claims++;
    }
}

unsigned zkr_infer2_out_blind_vars(const zkr_params *p, uint32_t out_dim)
{
    return zkr_hpcs_blind_vars(p, zkr_i2_out_vars(out_dim), ZKR_INFER2_OUTPUT_BUDGET);
}

zkr_ext zkr_infer2_red_value(const zkr_infer2_red *red, unsigned c,
                             const zkr_ext vals[][ZKR_I2_NCOL],
                             const zkr_ext tau[][ZKR_INFER_SLOTS_LOG])
{
    unsigned l = red->layer[c];
    zkr_ext eq[ZKR_INFER_SLOTS], v = zkr_ext_from(0);

    if (red->which[c] == ZKR_I2_ZR)
        return red->zr_val[l];
    if (red->which[c] != ZKR_I2_T0)
        return vals[l][red->which[c]];
    zkr_mle_eq_table(tau[l], ZKR_INFER_SLOTS_LOG, eq);
    for (unsigned q = 0; q < ZKR_INFER_SLOTS; q++)
        v = zkr_ext_add(v, zkr_ext_mul(eq[q], vals[l][ZKR_I2_T0 + q]));
    return v;
}

zkr_ext zkr_infer2_red_final(const zkr_infer2_shape *sh, const zkr_infer2_red *red,
                             const zkr_ext *beta, const zkr_ext *r,
                             const zkr_ext tau[][ZKR_INFER_SLOTS_LOG], const zkr_ext *rA,
                             const zkr_ext *u)
{
    zkr_ext acc = zkr_ext_from(0), inv2 = zkr_ext_from(zkr_gl_inv(2));

    for (unsigned i = 0; i < red->n_polys; i++) {
        zkr_ext e = zkr_ext_from(0), sc = zkr_ext_from(1);
        for (unsigned c = 0; c < red->n_claims; c++) {
            zkr_ext z[ZKR_INFER_MAX_PT + ZKR_HPCS_MAX_BLIND_VARS + 8];
            if (red->poly[c] != i)
                continue;
            zkr_infer2_red_point(sh, red, c, r, tau, z);
            e = zkr_ext_add(e, zkr_ext_mul(beta[c],
                                           zkr_mle_eq_eval(z, rA + (red->suffix ? red->TA -
                                                                                      red->tv[i]
                                                                                : 0),
                                                           red->tv[i])));
        }
        for (unsigned t = red->tv[i]; t < red->TA; t++)
            sc = zkr_ext_mul(sc, inv2);
        acc = zkr_ext_add(acc, zkr_ext_mul(zkr_ext_mul(sc, e), u[i]));
    }
    return acc;
}

double zkr_infer2_mixed_err(const zkr_params *p, const zkr_infer2_red *red, unsigned rec_lo,
                            unsigned rec_hi)
{
    unsigned totals[ZKR_INFER2_RED_MAX_POLYS];
    double rho = ldexp(1.0, -(int)p->log_blowup), worst = -1.0, e;
    size_t k = red->n_polys;
    zkr_ldr_fig f;

    if (k + 1 > ZKR_INFER2_RED_MAX_POLYS)
        return 1.0;
    memcpy(totals, red->tv, k * sizeof *totals);
    /*
     * The record as member k: the worst figure over its sizes rec_lo..rec_hi
     * (one when the caller knows it). A size the schedule refuses is refused
     * by prover and verifier alike.
     */
    for (unsigned rt = rec_lo; rt <= rec_hi; rt++) {
        totals[k] = rt;
        if (zkr_hpcs_mixed_ok(p, totals, k + 1) != ZKR_OK)
            continue;
        zkr_hpcs_mixed_fig(p, totals, k + 1, &f);
        if (f.err > worst)
            worst = f.err;
    }
    if (worst >= 0)
        return worst;
    /* no record size fits (test parameters): version 6's UD bound, query phase included */
    e = zkr_hpcs_mixed_error(p, red->tv, k);
    if (e == 0)
        e = zkr_infer2_open_err(p, red->TA, red->n_polys) * 2.0;
    return e + zkr_infer2_open_err(p, p->max_vars, 1) +
           exp2(-((double)p->queries * -log2((1.0 + rho) / 2.0) + p->pow_bits));
}

void zkr_infer2_groups_of(const zkr_infer2_red *red, zkr_infer2_groups *g)
{
    unsigned done[ZKR_INFER2_RED_MAX_POLYS] = {0};

    memset(g, 0, sizeof *g);
    for (;;) {
        unsigned best = 0, found = 0;
        for (unsigned i = 0; i < red->n_polys; i++)
            if (!done[i] && (!found || red->tv[i] > best))
                best = red->tv[i], found = 1;
        if (!found)
            return;
        for (unsigned i = 0; i < red->n_polys; i++) {
            if (done[i] || red->tv[i] != best)
                continue;
            if (g->n_members[g->n_groups] == ZKR_HPCS_MAX_BATCH)
                g->n_groups++;
            g->members[g->n_groups][g->n_members[g->n_groups]++] = i;
            done[i] = 1;
        }
        g->n_groups++;
    }
}

/* ------------------------------------------------------------------ */
/* Soundness                                                            */
/* ------------------------------------------------------------------ */

/*
 * The commit-phase and algebraic terms of one hiding opening of total
 * variables combining k committed words with the mask: the folds, the
 * folding sumcheck (2 per round), the batching scalars ((k + 1) |D|), and
 * beta and rho (1 each).
 */
double zkr_infer2_open_err(const zkr_params *p, unsigned total, unsigned k)
{
    zkr_pcs_layout l;
    double lf = ZKR_LOG2_EXT_FIELD, dom;

    zkr_pcs_layout_of(p, total, &l);
    dom = ldexp(1.0, (int)l.log_len[0]);
    return ((double)l.folds_total * dom + 4.0 * total + (k + 1.0) * dom + 1.0 + 1.0) * exp2(-lf);
}

double zkr_infer2_c_err(const zkr_params *pc, unsigned lc)
{
    unsigned e = zkr_hpcs_blind_vars(pc, lc, 1), tc = lc + e;

    if (e == 0 || tc > pc->max_vars)
        return 1.0;
    return zkr_ldr_open_err(pc, tc, 2, zkr_infer2_open_err(pc, tc, 1));
}

/*
 * t: p at log blowup b (p's longest codeword kept) at the fewest queries
 * below `below` reaching want; 0 where none does.
 */
static int zkr_i2_c_at(const zkr_params *p, unsigned lc, unsigned b, double want,
                       unsigned below, zkr_params *t)
{
    *t = *p;
    t->fold_arity = ZKR_INFER2_C_FOLD_ARITY;
    t->mixed_ext6 = 0; /* C's opening is component 3's, over F_p^3 at every set */
    if (b > p->log_blowup) {
        if (p->max_vars <= b - p->log_blowup)
            return 0;
        t->max_vars = p->max_vars - (b - p->log_blowup);
        t->log_blowup = b;
    }
    /* from the count either regime needs at least; C's blinding grows with it: a scan */
    for (t->queries = zkr_ldr_q_floor(t); t->queries < below; t->queries++)
        if (zkr_infer2_c_err(t, lc) <= want)
            return 1;
    return 0;
}

void zkr_infer2_c_params(const zkr_params *p, unsigned lc, zkr_params *pc)
{
    double want = exp2(-((double)p->target_bits + ZKR_INFER2_C_MARGIN_BITS));
    unsigned top = p->log_blowup > ZKR_INFER2_C_LOG_BLOWUP ? p->log_blowup
                                                             : ZKR_INFER2_C_LOG_BLOWUP;
    zkr_params t;

    /* none reaching it: p's rate at twice p's count (the figure falls short, refused) */
    *pc = *p;
    pc->fold_arity = ZKR_INFER2_C_FOLD_ARITY;
    pc->mixed_ext6 = 0;
    pc->queries = 2 * p->queries;
    /*
     * The fewest queries over the rates from p's to 2^-top: a longer
     * codeword gives more bits a query, until the list-decoding figure's
     * |D|^2 / |F| term (a floor that grows with the length) binds. Ties go
     * to the shorter codeword.
     */
    for (unsigned b = p->log_blowup; b <= top; b++)
        if (zkr_i2_c_at(p, lc, b, want, pc->queries, &t))
            *pc = t;
}

/* C's parameters (zkr_infer2_c_params) for lc variables; lc 0: none yet. */
typedef struct {
    zkr_params p;
    unsigned lc;
} zkr_i2_cpar;

/*
 * The proof's shape and claim reduction at pq (its query count sizes V's
 * blinding ve; the output's is p's), the range proof's claims placed: what the prover's and
 * verifier's reductions hold before the record joins. 0 where the shapes
 * do not make a proof.
 */
static int zkr_i2_red_at(const zkr_params *p, const zkr_params *pq,
                         const zkr_infer2_model_commitment *mc,
                         uint32_t input_dim, const uint32_t *out_dims, int public_output,
                         zkr_infer2_shape *sh, zkr_infer2_red *red, unsigned *nv, unsigned *ve)
{
    static const zkr_ext zz[64], zv[4]; /* the range proof's point and values do not matter */
    unsigned L = mc->n_layers, wt[ZKR_INFER_MAX_LAYERS], ot = 0;
    uint32_t in_d[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS] = {0};

    for (uint32_t l = 0; l < L; l++) {
        in_d[l] = l == 0 ? input_dim : out_dims[l - 1];
        wt[l] = mc->w[l].n_vars + mc->w[l].blind_vars;
    }
    if (zkr_infer2_shape_init(sh, input_dim, L, in_d, out_dims, relu, mc->shifts) != ZKR_OK)
        return 0;
    *nv = sh->n_v;
    *ve = zkr_hpcs_blind_vars(pq, *nv, zkr_infer2_v_budget(L));
    if (!public_output)
        ot = zkr_i2_out_vars(out_dims[L - 1]) + zkr_infer2_out_blind_vars(p, out_dims[L - 1]);
    zkr_infer2_red_init(sh, wt, *nv + *ve, ot, red);
    /* version 5: the range proof's claims */
    zkr_infer2_red_add_range(red, L, zz, zv);
    return 1;
}

/*
 * The figure with the openings of V, W', C and the range proof at q
 * queries (V, C and the range proof's helpers committed for q), the
 * record's and the output's at p's.
 */
static zkr_soundness zkr_i2_sound_q(const zkr_params *p, unsigned q,
                                    const zkr_infer2_model_commitment *mc, uint32_t input_dim,
                                    const uint32_t *out_dims, int public_output,
                                    unsigned rec_total, zkr_i2_cpar *pc, unsigned *n_openings)
{
    zkr_soundness s = {0, 0, 0};
    zkr_params pq = *p;
    zkr_soundness oneq;
    double lf = ZKR_LOG2_EXT_FIELD, alg = 0, ops = 0;
    unsigned L = mc->n_layers, n_q = 0, n_p = 0, nv, ve, lc;
    zkr_infer2_shape sh;
    zkr_infer2_red red;

    pq.queries = q;
    oneq = zkr_params_soundness_open(&pq, 20, 2, 1, 0, 1);
    if (!zkr_i2_red_at(p, &pq, mc, input_dim, out_dims, public_output, &sh, &red, &nv, &ve))
        return s;
    for (uint32_t l = 0; l < L; l++)
        alg += sh.lm[l]; /* the zero-check point z_l */
    /*
     * version 6: one mixed opening of every reduction polynomial, the
     * record's included, at q', its whole figure the better of UD and JBR
     * with its joins. The record's size n_rec + e: rec_total when the
     * caller knows it, else the worst over every e a record commitment may
     * carry (T_A bounded with it).
     */
    {
        unsigned lo = rec_total ? rec_total : sh.n_rec + 1;
        unsigned hi = rec_total ? rec_total : p->max_vars;
        ops += zkr_infer2_mixed_err(&pq, &red, lo, hi);
        if (red.TA < hi)
            red.TA = hi;
    }
    n_q += 1;
    /* C's opening (version 5: the range proof opens nothing of its own) */
    n_q += 1;
    lc = zkr_infer2_lc_vars5(sh.N, red.TA, zkr_zkrange_sc_vars(nv));
    /*
     * version 10: at its own rate and count (zkr_infer2_c_params). pc: the
     * caller's, kept while lc is: V's blinding, so T_A and lc, may change
     * with q during the search (adversarial review: C was counted at the
     * first count's lc throughout).
     */
    if (pc->lc != lc) {
        zkr_infer2_c_params(p, lc, &pc->p);
        pc->lc = lc;
    }
    ops += zkr_infer2_c_err(&pc->p, lc);
    /*
     * lambda (degree 8 in the bracket), mu (L - 1 layers), Libra's rho,
     * tau (4 per layer, the slot fold), the batched sumcheck (7 N), the
     * reduction (its betas: the claim is linear in them, 1; rho_A, 1; its
     * 7 T_A rounds), xi (version 5: degree 2, g + xi g_A + xi^2 g_R) and
     * the linear sumcheck (2 lc), and the range proof's algebra
     * (zkr_zkrange_alg_error still counts the commit phases of the two
     * openings it no longer makes: an upper bound).
     */
    alg += 8.0 + L + 1 + 4.0 * L + 7.0 * sh.N + 1 + 1 + 7.0 * red.TA + 2 + 2.0 * lc;
    /* version 3's record link: its zero-check point (n_rec) and weight (1) */
    alg += sh.n_rec + 1.0;
    alg *= exp2(-lf);
    alg += zkr_zkrange_alg_error(&pq, nv, ve);
    /* union bound over every opening (each its better regime) */
    s.query_bits = oneq.query_bits;
    s.provable_bits = -log2(ops + alg);
    s.conjectured_bits =
        -log2((double)n_q * exp2(-(double)(q * p->log_blowup + p->pow_bits)) +
              (double)n_p * exp2(-(double)(p->queries * p->log_blowup + p->pow_bits)) + alg);
    if (n_openings)
        *n_openings = n_q + n_p;
    return s;
}

/*
 * The smallest count >= zkr_ldr_q_start(p) that reaches the target, capped
 * at twice p's (the code's limits); *reached says whether the count
 * returned reaches it.
 */
static unsigned zkr_i2_queries(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                               uint32_t input_dim, const uint32_t *out_dims, int public_output,
                               unsigned rec_total, int *reached)
{
    /* version 6: from the floor either regime needs (JBR may need fewer than p's) */
    unsigned q = zkr_ldr_q_start(p);
    zkr_i2_cpar pc = {.lc = 0};

    for (;;) {
        double bits = zkr_i2_sound_q(p, q, mc, input_dim, out_dims, public_output, rec_total,
                                     &pc, NULL)
                          .provable_bits;
        *reached = bits >= (double)p->target_bits;
        if (*reached || q >= 2 * p->queries)
            return q;
        q++;
    }
}

zkr_err zkr_infer2_params(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                          uint32_t input_dim, const uint32_t *out_dims, int public_output,
                          unsigned rec_total, zkr_params *out)
{
    int reached;

    *out = *p;
    out->queries = zkr_i2_queries(p, mc, input_dim, out_dims, public_output, rec_total, &reached);
    return reached ? ZKR_OK : ZKR_ERR_MISMATCH_PARAMS;
}

zkr_err zkr_infer2_c_opening(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                             uint32_t input_dim, const uint32_t *out_dims, int public_output,
                             unsigned rec_total, zkr_params *pc)
{
    zkr_i2_cpar found = {.lc = 0};
    int reached;
    /* at the final count q' (V's blinding, so C's size, may move with it) */
    unsigned q = zkr_i2_queries(p, mc, input_dim, out_dims, public_output, rec_total, &reached);

    (void)zkr_i2_sound_q(p, q, mc, input_dim, out_dims, public_output, rec_total, &found, NULL);
    *pc = found.p;
    return found.lc ? ZKR_OK : ZKR_ERR_MISMATCH_PARAMS;
}

zkr_soundness zkr_infer2_soundness(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                                   uint32_t input_dim, const uint32_t *out_dims,
                                   int public_output, unsigned rec_total, unsigned *n_openings)
{
    int reached;
    unsigned q = zkr_i2_queries(p, mc, input_dim, out_dims, public_output, rec_total, &reached);
    zkr_i2_cpar pc = {.lc = 0};

    return zkr_i2_sound_q(p, q, mc, input_dim, out_dims, public_output, rec_total, &pc,
                          n_openings);
}

unsigned zkr_infer2_nest_of(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                            uint32_t input_dim, const uint32_t *out_dims, int public_output,
                            unsigned rec_total)
{
    int reached;
    unsigned nv, ve;
    zkr_params pq = *p;
    zkr_infer2_shape sh;
    zkr_infer2_red red;

    pq.queries = zkr_i2_queries(p, mc, input_dim, out_dims, public_output, rec_total, &reached);
    if (!reached || rec_total == 0 ||
        !zkr_i2_red_at(p, &pq, mc, input_dim, out_dims, public_output, &sh, &red, &nv, &ve))
        return 0;
    zkr_infer2_red_add_record(&red, rec_total);
    return zkr_infer2_nest_h(&pq, &red, mc->n_layers);
}
