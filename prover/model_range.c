/*
 * The private model's range proof, prover side (zk/model_range.h; the
 * verifier is zk/model_range.c). Per layer: D, the byte limbs of v - lo
 * and hi - v of every W' entry, behind a fresh hiding commitment; then the
 * linked hiding range proof of D (zkr_prover_zkrange_link) with W' as the
 * hidden term of the zero-check of both decompositions.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/model_range.h"
#include "zkr_config.h"

#define MR_LIMBS (1u << ZKR_MRANGE_LIMB_VARS)

typedef struct {
    const zkr_params *p;
    zkr_params po; /* the openings': p grinding zkr_mrange_grind_bits more */
    zkr_transcript t;
    zkr_zkrng rng;
    unsigned threads;
    const zkr_mrange_cheat *cheat; /* all zero when honest */
    zkr_diag *d;
} zkr_mr_ctx;

static void zkr_mr_wipe_free(void *p, size_t n)
{
    if (p)
        sodium_memzero(p, n);
    free(p);
}

/* The signed integer whose field image x is, for |value| < p / 2. */
static __int128 zkr_mr_signed(zkr_gl x)
{
    return x <= (ZKR_GL_P - 1) / 2 ? (__int128)x : (__int128)x - (__int128)ZKR_GL_P;
}

/*
 * The four limbs of a (field) value whose integer is `a` (0 <= a < 2^32
 * honest). A cheat's force keeps the low three bytes and puts the field
 * remainder in the top limb; clip takes the nearest value in range.
 */
static int zkr_mr_limbs(const zkr_mr_ctx *c, __int128 a, zkr_gl af, zkr_gl *limb, size_t stride)
{
    int in = a >= 0 && a <= (__int128)UINT32_MAX;

    if (!in && c->cheat->force) {
        zkr_gl low = af & 0xffffff;
        for (unsigned i = 0; i < 3; i++)
            limb[i * stride] = (af >> (8 * i)) & 0xff;
        limb[3 * stride] = zkr_gl_mul(zkr_gl_sub(af, low), zkr_gl_inv((zkr_gl)1 << 24));
        return 1;
    }
    if (!in && !c->cheat->clip)
        return 0;
    a = a < 0 ? 0 : (a > (__int128)UINT32_MAX ? (__int128)UINT32_MAX : a);
    for (unsigned i = 0; i < 4; i++)
        limb[i * stride] = (zkr_gl)((uint64_t)a >> (8 * i)) & 0xff;
    return 1;
}

/* D(x, l) = limb l of W'(x) - lo (l < 4) and of hi - W'(x) (l >= 4). */
static zkr_err zkr_mr_limb_table(const zkr_mr_ctx *c, uint32_t layer, const zkr_gl *wv,
                                 const zkr_mrange_layer_shape *s, uint32_t in_dim,
                                 uint32_t out_dim, zkr_gl *dv)
{
    size_t K = (size_t)1 << s->lk, len = (size_t)1 << s->n;

    for (size_t x = 0; x < len; x++) {
        int64_t lo, hi;
        __int128 v = zkr_mr_signed(wv[x]);
        zkr_gl a, b;
        zkr_mrange_bounds(in_dim, out_dim, x & (K - 1), x >> s->lk, &lo, &hi);
        a = zkr_gl_sub(wv[x], zkr_gl_from_i64(lo));
        b = zkr_gl_sub(zkr_gl_from_i64(hi), wv[x]);
        if (!zkr_mr_limbs(c, v - lo, a, dv + x, len) ||
            !zkr_mr_limbs(c, (__int128)hi - v, b, dv + x + 4 * len, len))
            return zkr_fail(c->d, ZKR_ERR_USAGE,
                            "model range proof: layer %u's W'(k %zu, row %zu) is outside "
                            "%lld..%lld; no range proof is possible", layer, x & (K - 1),
                            x >> s->lk, (long long)lo, (long long)hi);
    }
    return ZKR_OK;
}

/* The public weights: lin over D's (x, l), link (W') over x. */
static zkr_err zkr_mr_weights(const zkr_mrange_layer_shape *s, const zkr_ext *z, zkr_ext lambda,
                              zkr_ext **lw, zkr_ext **uw)
{
    size_t len = (size_t)1 << s->n;
    zkr_ext oml = zkr_ext_sub(zkr_ext_from(1), lambda);

    *lw = malloc(len * MR_LIMBS * sizeof **lw);
    *uw = malloc(len * sizeof **uw);
    if (!*lw || !*uw)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(z, s->n, *uw);
    for (unsigned l = 0; l < MR_LIMBS; l++) {
        zkr_ext cl = zkr_ext_sub(zkr_ext_from(0), zkr_mrange_limb_weight(l, lambda));
        for (size_t x = 0; x < len; x++)
            (*lw)[x + l * len] = zkr_ext_mul((*uw)[x], cl);
    }
    for (size_t x = 0; x < len; x++)
        (*uw)[x] = zkr_ext_mul((*uw)[x], oml);
    return ZKR_OK;
}

static zkr_err zkr_mr_layer(zkr_mr_ctx *c, uint32_t l, zkr_hpcs_poly *w, uint32_t in_dim,
                            uint32_t out_dim, zkr_buf *out)
{
    zkr_mrange_layer_shape s;
    zkr_hpcs_commitment dc;
    zkr_hpcs_poly *dp = NULL;
    zkr_gl *dv = NULL;
    zkr_ext z[64], *lw = NULL, *uw = NULL;
    zkr_zkrange_lin lin;
    zkr_zkrange_link link;
    zkr_zkrange_cheat zc;
    zkr_buf pf = {0};
    uint8_t wroot[ZKR_DIGEST_BYTES];
    size_t dlen = 0;
    zkr_err r;

    if ((r = zkr_mrange_layer_shape_of(&c->po, in_dim, out_dim, &s)) != ZKR_OK ||
        zkr_hpcs_poly_n_vars(w) != s.n || !zkr_hpcs_poly_base_evals(w))
        return zkr_fail(c->d, r != ZKR_OK ? r : ZKR_ERR_MISMATCH_PROGRAM,
                        "model range proof: layer %u's W' does not fit its %ux%u shape", l,
                        out_dim, in_dim);
    dlen = ((size_t)1 << s.nd);
    if (!(dv = calloc(dlen, sizeof *dv))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_mr_limb_table(c, l, zkr_hpcs_poly_base_evals(w), &s, in_dim, out_dim, dv)) !=
            ZKR_OK ||
        (r = zkr_prover_hcommit_sized(&c->po, dv, s.nd, s.td, 1, &c->rng, c->threads, &dp, &dc)) !=
            ZKR_OK)
        goto out;
    zkr_hpcs_poly_root(w, wroot);
    zkr_ts_absorb_u64(&c->t, "mr-layer", l);
    zkr_ts_absorb_u64(&c->t, "mr-in-dim", in_dim);
    zkr_ts_absorb_u64(&c->t, "mr-out-dim", out_dim);
    zkr_ts_absorb(&c->t, "mr-w-root", wroot, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(&c->t, "mr-d-root", dc.root, ZKR_DIGEST_BYTES);
    zkr_ts_challenge_exts(&c->t, "mr-z", z, s.n);
    memset(&lin, 0, sizeof lin);
    memset(&link, 0, sizeof link);
    memset(&zc, 0, sizeof zc);
    zc.force = c->cheat->force;
    {
        zkr_ext lambda = zkr_ts_challenge_ext(&c->t, "mr-lambda");
        if ((r = zkr_mr_weights(&s, z, lambda, &lw, &uw)) != ZKR_OK)
            goto out;
        lin.claim = zkr_mrange_claim(&s, in_dim, out_dim, z, lambda);
    }
    lin.weights = lw;
    link.b_poly = w;
    link.weights = uw;
    if ((r = zkr_prover_zkrange_link(&c->po, &c->t, dp, &(zkr_zkrange_table){0, 256}, &lin, &link,
                                     &zc, &c->rng, c->threads, &pf)) != ZKR_OK) {
        r = zkr_fail(c->d, r, "model range proof: layer %u: the range prover failed (%s)", l,
                     zkr_strerror(r));
        goto out;
    }
    if (pf.len > UINT32_MAX) {
        r = ZKR_ERR_TOO_LARGE;
        goto out;
    }
    if ((r = zkr_buf_append(out, dc.root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(out, (uint32_t)pf.len)) != ZKR_OK)
        goto out;
    r = zkr_buf_append(out, pf.p, pf.len);
out:
    zkr_hpcs_poly_free(dp);
    zkr_mr_wipe_free(dv, dv ? dlen * sizeof *dv : 0);
    zkr_mr_wipe_free(lw, lw ? (dlen ? dlen : 1) * sizeof *lw : 0);
    free(uw);
    zkr_buf_free(&pf);
    return r;
}

static zkr_err zkr_mr_prove(zkr_mr_ctx *c, const uint8_t *mc_enc, size_t mc_len,
                            const zkr_mrange_dims *dims, zkr_hpcs_poly *const *w, zkr_buf *out)
{
    zkr_infer2_model_commitment mc;
    uint8_t digest[ZKR_DIGEST_BYTES];
    size_t mark = out->len;
    zkr_err r;

    if ((r = zkr_infer2_mc_decode(c->p, mc_enc, mc_len, &mc)) == ZKR_ERR_MISMATCH_PARAMS)
        return zkr_fail(c->d, r, "model range proof: a model commitment of parameter set %s, not %s",
                        zkr_params_name(mc.param_set), zkr_params_name(c->p->id));
    if (r != ZKR_OK)
        return zkr_fail(c->d, ZKR_ERR_MALFORMED,
                        "model range proof: not a model commitment version 2, 3 or 4");
    if (dims->n_layers != mc.n_layers)
        return zkr_fail(c->d, ZKR_ERR_MISMATCH_PROGRAM,
                        "model range proof: %u layers committed, %u in the program", mc.n_layers,
                        dims->n_layers);
    zkr_infer2_mc_digest(mc_enc, mc_len, digest);
    zkr_mrange_open_params(c->p, &mc, &c->po);
    if (c->cheat->grind_short)
        c->po.pow_bits = c->p->pow_bits; /* version 2's grinding */
    zkr_mrange_transcript(&c->t, c->p, digest, mc_enc, mc_len);
    if ((r = zkr_buf_append(out, ZKR_MRANGE_MAGIC, 8)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ZKR_MRANGE_VERSION)) != ZKR_OK ||
        (r = zkr_enc_u32(out, c->p->id)) != ZKR_OK ||
        (r = zkr_buf_append(out, digest, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(out, mc.n_layers)) != ZKR_OK)
        goto out;
    /*
     * Version 4 (stacked): each layer's opening below opens the group's
     * tree, showing every layer's codeword entries at its positions. The
     * other L - 1 openings of each layer were charged when the model object
     * was built (zkr_prover_infer2_commit / _reopen: blinded for budget +
     * L - 1, L - 1 spent at once; docs/proof-system.md, "The model
     * commitment, version 4"); here each layer spends its own one, as for
     * versions 2 and 3.
     */
    for (uint32_t l = 0; l < mc.n_layers; l++) {
        uint8_t root[ZKR_DIGEST_BYTES];
        zkr_hpcs_poly_root(w[l], root);
        if (sodium_memcmp(root, mc.w[l].root, ZKR_DIGEST_BYTES) != 0) {
            r = zkr_fail(c->d, ZKR_ERR_MISMATCH_MODEL,
                         "model range proof: layer %u's polynomial is not the committed one", l);
            goto out;
        }
        if ((r = zkr_mr_layer(c, l, w[l], dims->in_dim[l], dims->out_dim[l], out)) != ZKR_OK)
            goto out;
    }
out:
    if (r != ZKR_OK)
        out->len = mark;
    return r;
}

static zkr_err zkr_mr_run(const zkr_params *p, const uint8_t *mc_enc, size_t mc_len,
                          const zkr_mrange_dims *dims, zkr_hpcs_poly *const *w,
                          const zkr_mrange_cheat *cheat, const uint8_t *seed, size_t seed_len,
                          unsigned threads, zkr_buf *out, zkr_diag *d)
{
    zkr_mr_ctx c;
    zkr_err r;

    memset(&c, 0, sizeof c);
    c.p = p;
    c.threads = threads ? threads : 1;
    c.cheat = cheat;
    c.d = d;
    if (seed) {
        uint8_t digest[ZKR_DIGEST_BYTES];
        zkr_infer2_mc_digest(mc_enc, mc_len, digest);
        if ((r = zkr_zkrng_seeded(&c.rng, seed, seed_len, "model range proof", digest,
                                  sizeof digest)) != ZKR_OK)
            return zkr_fail(d, r, "model range proof: seed of %zu bytes (want %u..%u)", seed_len,
                            ZKR_ZK_SEED_MIN, ZKR_ZK_SEED_MAX);
    } else {
        zkr_zkrng_os(&c.rng);
    }
    r = zkr_mr_prove(&c, mc_enc, mc_len, dims, w, out);
    zkr_zkrng_wipe(&c.rng);
    return r;
}

zkr_err zkr_prover_mrange(const zkr_params *p, const uint8_t *mc_enc, size_t mc_len,
                          const zkr_mrange_dims *dims, zkr_hpcs_poly *const *w,
                          const uint8_t *seed, size_t seed_len, unsigned threads, zkr_buf *out,
                          zkr_diag *d)
{
    static const zkr_mrange_cheat honest = {0, 0, 0, NULL, 0};

    return zkr_mr_run(p, mc_enc, mc_len, dims, w, &honest, seed, seed_len, threads, out, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_mrange_cheat(const zkr_params *p, const uint8_t *mc_enc, size_t mc_len,
                                const zkr_mrange_dims *dims, zkr_hpcs_poly *const *w,
                                const zkr_mrange_cheat *cheat, zkr_buf *out, zkr_diag *d)
{
    return zkr_mr_run(p, mc_enc, mc_len, dims, w, cheat, cheat->seed,
                      cheat->seed ? cheat->seed_len : 0, 1, out, d);
}
#endif
