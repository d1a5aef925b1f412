/*
 * The private model's range proof: shared definitions, the soundness
 * figure and the verifier (zk/model_range.h; the prover is
 * prover/model_range.c, in the transcript order written here).
 */
#include <math.h>
#include <string.h>

#include "zk/ldr.h"
#include "zk/model_range.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

void zkr_mrange_bounds(uint32_t in_dim, uint32_t out_dim, uint64_t k, uint64_t j, int64_t *lo,
                       int64_t *hi)
{
    *lo = *hi = 0; /* padding */
    if (j >= out_dim)
        return;
    if (k < in_dim) {
        *lo = -ZKR_MRANGE_W_MAX;
        *hi = ZKR_MRANGE_W_MAX;
    } else if (k == in_dim) {
        *lo = -ZKR_MRANGE_B_MAX;
        *hi = ZKR_MRANGE_B_MAX;
    } else if (k == (uint64_t)in_dim + 1) {
        *hi = ZKR_MRANGE_M_MAX;
    }
}

zkr_err zkr_mrange_layer_shape_of(const zkr_params *p, uint32_t in_dim, uint32_t out_dim,
                               zkr_mrange_layer_shape *s)
{
    unsigned e;

    memset(s, 0, sizeof *s);
    if (in_dim < 1 || out_dim < 1 || in_dim > ZKR_INFER_MAX_DIM || out_dim > ZKR_INFER_MAX_DIM)
        return ZKR_ERR_MALFORMED;
    s->lk = zkr_log2_ceil((uint64_t)in_dim + 2);
    s->lm = zkr_log2_ceil(out_dim);
    s->lm = s->lm ? s->lm : 1;
    s->n = s->lk + s->lm;
    s->nd = s->n + ZKR_MRANGE_LIMB_VARS;
    s->N = zkr_zkrange_sc_vars(s->nd);
    /* D is opened once (the range proof's batch): the smallest blinding that carries it. */
    e = zkr_hpcs_blind_vars(p, s->N, 1);
    if (e == 0 || s->N + e > p->max_vars)
        return ZKR_ERR_TOO_LARGE;
    s->td = s->N + e;
    return ZKR_OK;
}

void zkr_mrange_transcript(zkr_transcript *t, const zkr_params *p,
                           const uint8_t mc_digest[ZKR_DIGEST_BYTES], const uint8_t *mc_enc,
                           size_t mc_len)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_MRANGE_PROTOCOL, ZKR_MRANGE_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd,
                mc_digest);
    zkr_ts_absorb(t, "mr-commitment", mc_enc, mc_len);
}

zkr_ext zkr_mrange_limb_weight(unsigned l, zkr_ext lambda)
{
    zkr_gl w = (zkr_gl)1 << (8 * (l & 3));

    return l < 4 ? zkr_ext_from(w) : zkr_ext_mul_base(lambda, w);
}

/* [k < v]~ over `bits` coordinates r (most significant bit decides first). */
static zkr_ext zkr_mr_lt(uint64_t v, unsigned bits, const zkr_ext *r)
{
    zkr_ext one = zkr_ext_from(1), pre = one, acc = zkr_ext_from(0);

    if (bits < 64 && (v >> bits) != 0)
        return one; /* every k of the cube is below v */
    for (unsigned i = bits; i-- > 0;) {
        zkr_ext nr = zkr_ext_sub(one, r[i]);
        if ((v >> i) & 1) {
            acc = zkr_ext_add(acc, zkr_ext_mul(pre, nr));
            pre = zkr_ext_mul(pre, r[i]);
        } else {
            pre = zkr_ext_mul(pre, nr);
        }
    }
    return acc;
}

/* [k == v]~ over `bits` coordinates r. */
static zkr_ext zkr_mr_eqc(uint64_t v, unsigned bits, const zkr_ext *r)
{
    zkr_ext acc = zkr_ext_from(1);

    if (bits < 64 && (v >> bits) != 0)
        return zkr_ext_from(0);
    for (unsigned i = 0; i < bits; i++)
        acc = zkr_ext_mul(acc, ((v >> i) & 1) ? r[i] : zkr_ext_sub(zkr_ext_from(1), r[i]));
    return acc;
}

/* The claim lo~(z) - lambda hi~(z) from the classes' indicator extensions. */
zkr_ext zkr_mrange_claim(const zkr_mrange_layer_shape *s, uint32_t in_dim, uint32_t out_dim,
                         const zkr_ext *z, zkr_ext lambda)
{
    zkr_ext rows = zkr_mr_lt(out_dim, s->lm, z + s->lk);
    zkr_ext w = zkr_ext_mul(zkr_mr_lt(in_dim, s->lk, z), rows);
    zkr_ext b = zkr_ext_mul(zkr_mr_eqc(in_dim, s->lk, z), rows);
    zkr_ext m = zkr_ext_mul(zkr_mr_eqc((uint64_t)in_dim + 1, s->lk, z), rows);
    zkr_ext lo, hi;

    lo = zkr_ext_add(zkr_ext_mul_base(w, zkr_gl_from_i64(-ZKR_MRANGE_W_MAX)),
                     zkr_ext_mul_base(b, zkr_gl_from_i64(-ZKR_MRANGE_B_MAX)));
    hi = zkr_ext_add(zkr_ext_mul_base(w, ZKR_MRANGE_W_MAX),
                     zkr_ext_mul_base(b, (zkr_gl)ZKR_MRANGE_B_MAX));
    hi = zkr_ext_add(hi, zkr_ext_mul_base(m, (zkr_gl)ZKR_MRANGE_M_MAX));
    return zkr_ext_sub(lo, zkr_ext_mul(lambda, hi));
}

/* The verifier's weights: -eq(z, x) c~(l) over D's nd coordinates, and (1 - lambda) eq(z, .). */
typedef struct {
    const zkr_mrange_layer_shape *s;
    const zkr_ext *z;
    zkr_ext lambda;
} zkr_mr_wctx;

static zkr_err zkr_mr_lin_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const zkr_mr_wctx *c = ctx;
    zkr_ext cl = zkr_ext_from(0), lw[1u << ZKR_MRANGE_LIMB_VARS];

    for (unsigned l = 0; l < (1u << ZKR_MRANGE_LIMB_VARS); l++)
        lw[l] = zkr_mrange_limb_weight(l, c->lambda);
    for (unsigned l = 0; l < (1u << ZKR_MRANGE_LIMB_VARS); l++)
        cl = zkr_ext_add(cl, zkr_ext_mul(lw[l], zkr_mr_eqc(l, ZKR_MRANGE_LIMB_VARS,
                                                            r + c->s->n)));
    *out = zkr_ext_sub(zkr_ext_from(0), zkr_ext_mul(zkr_mle_eq_eval(c->z, r, c->s->n), cl));
    return ZKR_OK;
}

static zkr_err zkr_mr_link_eval(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const zkr_mr_wctx *c = ctx;

    *out = zkr_ext_mul(zkr_ext_sub(zkr_ext_from(1), c->lambda), zkr_mle_eq_eval(c->z, r, c->s->n));
    return ZKR_OK;
}

/* One layer: D's root, then z and lambda, then the linked range proof. */
static zkr_err zkr_mr_verify_layer(const zkr_params *p, zkr_transcript *t, uint32_t l,
                                   const zkr_hpcs_commitment *w, uint32_t grp_n, uint32_t in_dim,
                                   uint32_t out_dim, const uint8_t droot[ZKR_DIGEST_BYTES],
                                   const uint8_t *pf, size_t pf_len, zkr_diag *d)
{
    zkr_mrange_layer_shape s;
    zkr_hpcs_commitment dc;
    zkr_ext z[64];
    zkr_mr_wctx wc;
    zkr_zkrange_lin lin;
    zkr_zkrange_link link;
    zkr_dec dec;
    zkr_err r;

    if ((r = zkr_mrange_layer_shape_of(p, in_dim, out_dim, &s)) != ZKR_OK)
        return zkr_fail(d, r, "model range proof: layer %u of %ux%u does not fit", l, out_dim,
                        in_dim);
    if (w->n_vars != s.n || w->ext)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "model range proof: layer %u's W' has %u variables, the program's "
                        "%ux%u layer needs %u", l, w->n_vars, out_dim, in_dim, s.n);
    memset(&dc, 0, sizeof dc);
    memcpy(dc.root, droot, ZKR_DIGEST_BYTES);
    dc.n_vars = s.nd;
    dc.blind_vars = s.td - s.nd;
    zkr_ts_absorb_u64(t, "mr-layer", l);
    zkr_ts_absorb_u64(t, "mr-in-dim", in_dim);
    zkr_ts_absorb_u64(t, "mr-out-dim", out_dim);
    zkr_ts_absorb(t, "mr-w-root", w->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "mr-d-root", droot, ZKR_DIGEST_BYTES);
    zkr_ts_challenge_exts(t, "mr-z", z, s.n);
    wc.s = &s;
    wc.z = z;
    wc.lambda = zkr_ts_challenge_ext(t, "mr-lambda");
    memset(&lin, 0, sizeof lin);
    memset(&link, 0, sizeof link);
    lin.claim = zkr_mrange_claim(&s, in_dim, out_dim, z, wc.lambda);
    lin.eval = zkr_mr_lin_eval;
    lin.ctx = &wc;
    link.b = w;
    /* version 4 commitments: W'_l is layer l of the one stacked group (its leaves every layer's) */
    link.grp_n = grp_n;
    link.grp_i = grp_n ? l : 0;
    link.eval = zkr_mr_link_eval;
    link.ctx = &wc;
    zkr_dec_init(&dec, pf, pf_len);
    r = zkr_zkrange_verify_link(p, t, &dc, &(zkr_zkrange_table){0, 256}, &lin, &link, &dec);
    if (r == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    if (r == ZKR_ERR_VERIFY)
        return zkr_fail(d, r, "model range proof: layer %u: the range proof of W', b, M "
                              "(limbs in 0..255, W' = lo + A = hi - B) does not verify", l);
    if (r != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                        "model range proof: layer %u's proof is malformed (%s)", l,
                        zkr_strerror(r));
    return ZKR_OK;
}

/*
 * The file's header: magic, version (an older version refused by name),
 * parameter set, digest, layer count.
 */
static zkr_err zkr_mr_header(const zkr_params *p, zkr_dec *dec, const uint8_t **dg, uint32_t *nl,
                             zkr_diag *d)
{
    const uint8_t *raw;
    uint32_t v, ps = 0;

    if (zkr_dec_raw(dec, 8, &raw) != ZKR_OK || memcmp(raw, ZKR_MRANGE_MAGIC, 8) != 0 ||
        zkr_dec_u32(dec, &v) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "not a model range proof (magic %.7s; truncated or another file)",
                        ZKR_MRANGE_MAGIC);
    if (v >= 1 && v < ZKR_MRANGE_VERSION)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "model range proof version %u proof refused (this verifier reads version "
                        "%u only; run `zkreg model commit` again for a new range proof)", v,
                        ZKR_MRANGE_VERSION);
    if (v == ZKR_MRANGE_VERSION && zkr_dec_u32(dec, &ps) == ZKR_OK && ps != p->id &&
        zkr_params_name(ps) != NULL)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS,
                        "a model range proof at parameter set %s, the model commitment's is %s",
                        zkr_params_name(ps), zkr_params_name(p->id));
    if (v != ZKR_MRANGE_VERSION || ps != p->id ||
        zkr_dec_raw(dec, ZKR_DIGEST_BYTES, dg) != ZKR_OK || zkr_dec_u32(dec, nl) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "not a model range proof version %u for parameter set %u (magic %.7s; "
                        "truncated, altered or another version: register the model again)",
                        ZKR_MRANGE_VERSION, p->id, ZKR_MRANGE_MAGIC);
    return ZKR_OK;
}

/* zkr_mrange_verify with the openings at `extra` grinding bits (-1: zkr_mrange_grind_bits). */
static zkr_err zkr_mr_verify(const zkr_params *p, int extra, const uint8_t *mc_enc, size_t mc_len,
                             const zkr_mrange_dims *dims, const uint8_t *proof, size_t proof_len,
                             zkr_diag *d)
{
    zkr_infer2_model_commitment mc;
    zkr_params po;
    uint8_t digest[ZKR_DIGEST_BYTES];
    const uint8_t *dg, *roots[ZKR_INFER_MAX_LAYERS], *pfs[ZKR_INFER_MAX_LAYERS];
    uint32_t nl, lens[ZKR_INFER_MAX_LAYERS];
    zkr_transcript t;
    zkr_dec dec;
    zkr_err r;

    if ((r = zkr_infer2_mc_decode(p, mc_enc, mc_len, &mc)) == ZKR_ERR_MISMATCH_PARAMS)
        return zkr_fail(d, r, "model range proof: a model commitment of parameter set %s, not %s",
                        zkr_params_name(mc.param_set), zkr_params_name(p->id));
    if (r != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "model range proof: not a model commitment version 2 or 3");
    zkr_infer2_mc_digest(mc_enc, mc_len, digest);
    if (!proof)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model range proof: no file");
    zkr_dec_init(&dec, proof, proof_len);
    if ((r = zkr_mr_header(p, &dec, &dg, &nl, d)) != ZKR_OK)
        return r;
    if (memcmp(dg, digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "the model range proof is for another model commitment");
    if (nl != mc.n_layers || dims->n_layers != mc.n_layers)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "model range proof: %u layers, the commitment %u, the program %u", nl,
                        mc.n_layers, dims->n_layers);
    for (uint32_t l = 0; l < nl; l++)
        if (zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &roots[l]) != ZKR_OK ||
            zkr_dec_u32(&dec, &lens[l]) != ZKR_OK ||
            zkr_dec_raw(&dec, lens[l], &pfs[l]) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "model range proof: layer %u truncated", l);
    if (zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model range proof: trailing bytes");
    zkr_mrange_open_params(p, &mc, &po);
    if (extra >= 0)
        po.pow_bits = p->pow_bits + (unsigned)extra;
    zkr_mrange_transcript(&t, p, digest, mc_enc, mc_len);
    for (uint32_t l = 0; l < nl; l++)
        if ((r = zkr_mr_verify_layer(&po, &t, l, &mc.w[l], mc.stacked ? mc.n_layers : 0,
                                     dims->in_dim[l], dims->out_dim[l],
                                     roots[l], pfs[l], lens[l], d)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

zkr_err zkr_mrange_verify(const zkr_params *p, const uint8_t *mc_enc, size_t mc_len,
                          const zkr_mrange_dims *dims, const uint8_t *proof, size_t proof_len,
                          zkr_diag *d)
{
    return zkr_mr_verify(p, -1, mc_enc, mc_len, dims, proof, proof_len, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_mrange_verify_at(const zkr_params *p, unsigned extra, const uint8_t *mc_enc,
                             size_t mc_len, const zkr_mrange_dims *dims, const uint8_t *proof,
                             size_t proof_len, zkr_diag *d)
{
    if (extra > ZKR_MRANGE_MAX_EXTRA_POW)
        return ZKR_ERR_USAGE;
    return zkr_mr_verify(p, (int)extra, mc_enc, mc_len, dims, proof, proof_len, d);
}
#endif

/* Commit-phase and algebraic terms of one hiding opening of `total` variables and `words` polys. */
static double zkr_mr_open_err(const zkr_params *p, unsigned total, double words)
{
    zkr_pcs_layout l;
    double lf = ZKR_LOG2_EXT_FIELD, dom;

    zkr_pcs_layout_of(p, total, &l);
    dom = ldexp(1.0, (int)l.log_len[0]);
    return ((double)l.folds_total * dom + 4.0 * total + words * dom + 1.0 + 1.0) * exp2(-lf);
}

/*
 * The figure with every opening at p's queries and p->pow_bits + extra
 * grinding; version 4: each opening's whole figure (commit phase, batching,
 * query phase) the better of UD and JBR (zk/ldr.h), the union bound over
 * the 3 L openings.
 */
static zkr_soundness zkr_mr_sound(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                                  unsigned extra, unsigned *n_openings)
{
    zkr_soundness s = {0, 0, 0};
    zkr_params pg = *p;
    zkr_soundness one;
    double lf = ZKR_LOG2_EXT_FIELD, alg = 0, ops = 0;
    unsigned n_open = 0;

    pg.pow_bits = p->pow_bits + extra;
    one = zkr_params_soundness_open(&pg, 20, 2, 1, 0, 1);
    for (uint32_t l = 0; l < mc->n_layers; l++) {
        unsigned n = mc->w[l].n_vars, nd = n + ZKR_MRANGE_LIMB_VARS;
        unsigned N = zkr_zkrange_sc_vars(nd), e = zkr_hpcs_blind_vars(p, N, 1);
        unsigned tw = mc->w[l].n_vars + mc->w[l].blind_vars;
        /* LogUp, the range proof's sumcheck and its two openings */
        alg += zkr_zkrange_alg_error(p, nd, N + e - nd);
        ops += zkr_ldr_zkrange_err(&pg, nd, N + e - nd);
        /*
         * The link: z (the zero-check of both decompositions over the n
         * variables of W'), lambda (degree 1), W''s opening (beta, rho and
         * its commit phase, one word).
         */
        alg += (n + 1.0 + 2.0) * exp2(-lf);
        ops += zkr_ldr_open_err(&pg, tw, 2, zkr_mr_open_err(p, tw, 1.0));
        n_open += ZKR_MRANGE_OPENINGS_PER_LAYER;
    }
    s.query_bits = one.query_bits;
    s.provable_bits = -log2(ops + alg);
    s.conjectured_bits =
        -log2((double)n_open * exp2(-(double)(p->queries * p->log_blowup + pg.pow_bits)) + alg);
    if (n_openings)
        *n_openings = n_open;
    return s;
}

/* Version 4: the smallest count >= zkr_ldr_q_start(p) reaching the target unground (else p's). */
static unsigned zkr_mr_queries(const zkr_params *p, const zkr_infer2_model_commitment *mc)
{
    zkr_params pq = *p;

    for (pq.queries = zkr_ldr_q_start(p); pq.queries < p->queries; pq.queries++)
        if (zkr_mr_sound(&pq, mc, 0, NULL).provable_bits >= (double)p->target_bits)
            break;
    return pq.queries;
}

zkr_soundness zkr_mrange_soundness_at(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                                      unsigned extra, unsigned *n_openings)
{
    zkr_params pq = *p;

    pq.queries = zkr_mr_queries(p, mc);
    return zkr_mr_sound(&pq, mc, extra, n_openings);
}

typedef struct {
    const zkr_params *p;
    const zkr_infer2_model_commitment *mc;
} zkr_mr_grind_ctx;

static double zkr_mr_bits_at(const void *ctx, unsigned extra)
{
    const zkr_mr_grind_ctx *c = ctx;

    return zkr_mr_sound(c->p, c->mc, extra, NULL).provable_bits;
}

unsigned zkr_mrange_grind_bits(const zkr_params *p, const zkr_infer2_model_commitment *mc)
{
    zkr_params pq = *p;
    zkr_mr_grind_ctx c = {&pq, mc};

    pq.queries = zkr_mr_queries(p, mc);

    return zkr_params_grind_bits(p, (double)p->target_bits, ZKR_MRANGE_MAX_EXTRA_POW,
                                 zkr_mr_bits_at, &c);
}

void zkr_mrange_open_params(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                            zkr_params *out)
{
    *out = *p;
    out->queries = zkr_mr_queries(p, mc); /* version 4 */
    out->pow_bits = p->pow_bits + zkr_mrange_grind_bits(p, mc);
}

zkr_soundness zkr_mrange_soundness(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                                   unsigned *n_openings)
{
    return zkr_mrange_soundness_at(p, mc, zkr_mrange_grind_bits(p, mc), n_openings);
}
