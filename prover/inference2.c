/*
 * inference@2 prover (docs/proof-system.md, "inference@2"): the hiding
 * model commitment, the witness V behind a fresh hiding commitment, the
 * range proof of V, one batched zero-knowledge sumcheck for every layer's
 * matmul and requantisation constraints (Libra's mask for the messages,
 * randomised extensions for the final values) and a hiding opening at the
 * full point for each revealed value.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "zk/infer2_int.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

#define I2_D ZKR_INFER2_DEGREE

struct zkr_infer2_model {
    const zkr_ml_model *m;
    zkr_params params;
    zkr_infer2_shape sh;
    zkr_ml_qlayer ql[ZKR_INFER_MAX_LAYERS];
    zkr_hpcs_poly *w[ZKR_INFER_MAX_LAYERS];
    zkr_infer2_model_commitment mc;
    zkr_buf enc;     /* the model commitment v2 bytes */
    zkr_buf program; /* the program bytes (public) */
    uint8_t digest[ZKR_DIGEST_BYTES]; /* zkr_infer2_mc_digest(enc) */
#if ZKR_TEST_BUILD
    int bd_on;    /* zkr_infer2_model_backdoor_for_test: last layer's row 0 is wrapped */
    __int128 bd_t; /* the integer that row's requantisation decomposes */
#endif
};

static void zkr_i2_wipe_free(void *p, size_t n)
{
    if (p)
        sodium_memzero(p, n);
    free(p);
}

void zkr_infer2_model_free(zkr_infer2_model *im)
{
    if (!im)
        return;
    for (uint32_t l = 0; l < ZKR_INFER_MAX_LAYERS; l++)
        zkr_hpcs_poly_free(im->w[l]);
    zkr_buf_free(&im->enc);
    zkr_buf_free(&im->program);
    sodium_memzero(im, sizeof *im);
    free(im);
}

uint32_t zkr_infer2_proofs_left(const zkr_infer2_model *im)
{
    uint64_t best = UINT32_MAX;

    /*
     * Per proof each W' is charged two openings and reveals W^ and M^ at
     * points mixing only its first blinding slice (2^n entries), and the
     * mixed opening's value and round messages (1 + at most 4) at r_A,
     * which mixes every slice (in slice 1 too only when e = 1). The prefix
     * rule of zkr_hpcs_charge bounds the proofs twice: slice 1's 2^n by
     * the first-slice values, the whole 2^n (2^e - 1) by all seven.
     */
    for (uint32_t l = 0; l < im->sh.s.n_layers; l++) {
        unsigned n = zkr_hpcs_poly_n_vars(im->w[l]), e = zkr_hpcs_poly_total_vars(im->w[l]) - n;
        uint64_t b = zkr_hpcs_budget_left(im->w[l]) / ZKR_INFER2_W_OPENINGS;
        uint64_t spent = zkr_hpcs_first_slice_reveals(im->w[l]);
        uint64_t cap1 = n >= 63 ? UINT64_MAX : (uint64_t)1 << n;
        uint64_t per1 = ZKR_INFER2_W_OPENINGS + (e == 1 ? 1 + 4 : 0);
        uint64_t v = cap1 > spent ? (cap1 - spent) / per1 : 0;
        uint64_t all = zkr_hpcs_reveals_left(im->w[l]) / (ZKR_INFER2_W_OPENINGS + 1 + 4);
        best = b < best ? b : best;
        best = v < best ? v : best;
        best = all < best ? all : best;
    }
    return (uint32_t)best;
}

zkr_hpcs_poly *zkr_infer2_model_layer_poly(zkr_infer2_model *im, uint32_t l)
{
    return l < im->sh.s.n_layers ? im->w[l] : NULL;
}

const uint8_t *zkr_infer2_model_commitment_bytes(const zkr_infer2_model *im, size_t *len)
{
    *len = im->enc.len;
    return im->enc.p;
}

/* W' = [W | b | M] of layer l (2^lm' rows of 2^lk; padding zero). Secret: wiped by the caller. */
static zkr_err zkr_i2_layer_evals(const zkr_infer2_shape *sh, uint32_t l, const zkr_ml_qlayer *q,
                                  zkr_gl **out)
{
    const zkr_infer_layer *L = &sh->s.layer[l];
    size_t K = (size_t)1 << L->lk, len = ((size_t)1 << sh->lm[l]) * K;
    zkr_gl *ev = calloc(len, sizeof *ev);

    *out = ev;
    if (!ev)
        return ZKR_ERR_NOMEM;
    for (size_t j = 0; j < L->out_dim; j++) {
        for (size_t k = 0; k < L->in_dim; k++)
            ev[j * K + k] = zkr_gl_from_i64(q->w[j * L->in_dim + k]);
        ev[j * K + L->in_dim] = zkr_gl_from_i64(q->bias[j]);
        ev[j * K + L->in_dim + 1] = (zkr_gl)q->mult[j];
    }
    return ZKR_OK;
}

static zkr_err zkr_i2_shape_of(zkr_infer2_model *im, zkr_diag *d)
{
    const zkr_ml_graph *g = zkr_ml_model_graph(im->m);
    uint32_t in[ZKR_INFER_MAX_LAYERS], out[ZKR_INFER_MAX_LAYERS], sh[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS];
    zkr_err r;

    if (g->n_layers < 1 || g->n_layers > ZKR_INFER_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: %u layers", g->n_layers);
    if (g->arith != ZKR_ML_ARITH_INT8 || g->input_encoding != ZKR_ML_INPUT_U8_DIV255)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "model: not an int8 program");
    for (uint32_t l = 0; l < g->n_layers; l++) {
        if ((r = zkr_ml_model_layer(im->m, l, &im->ql[l])) != ZKR_OK)
            return zkr_fail(d, r, "model: layer %u unreadable", l);
        if (g->layers[l].op != ZKR_ML_OP_DENSE)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "model: layer %u is not dense", l);
        in[l] = g->layers[l].in_dim;
        out[l] = g->layers[l].out_dim;
        relu[l] = g->layers[l].act == ZKR_ML_ACT_RELU;
        sh[l] = im->ql[l].shift;
    }
    if (zkr_infer2_shape_init(&im->sh, g->input_dim, g->n_layers, in, out, relu, sh) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model: shapes outside the inference@2 bounds");
    return ZKR_OK;
}

/*
 * W'_l's committed size: every layer blinded up to the largest n + e the
 * budget needs (zkr_prover_hcommit_sized), so that the claim reduction
 * opens all layers in one batched opening (one size class); a layer that
 * cannot grow that far (e above ZKR_HPCS_MAX_BLIND_VARS) keeps its own.
 */
static unsigned zkr_i2_w_total(const zkr_params *p, const zkr_infer2_shape *sh, uint32_t budget,
                               uint32_t l)
{
    unsigned T = 0, n = sh->s.layer[l].lk + sh->lm[l];

    for (uint32_t k = 0; k < sh->s.n_layers; k++) {
        unsigned nk = sh->s.layer[k].lk + sh->lm[k], e = zkr_hpcs_blind_vars(p, nk, budget);
        if (e && nk + e > T)
            T = nk + e;
    }
    if (T <= n || T - n > ZKR_HPCS_MAX_BLIND_VARS || T > p->max_vars)
        return n + zkr_hpcs_blind_vars(p, n, budget);
    return T;
}

/*
 * Version 4 (stacked, inference@2 version 14): whether every layer's W' can
 * be one group, blinded for budget + L - 1 openings (the model range
 * proof opens the group once a layer, and each such opening shows every
 * layer's codeword entries at its positions: docs/proof-system.md, "The
 * model commitment, version 4"), all of one size.
 */
static unsigned zkr_i2_stack_total(const zkr_params *p, const zkr_infer2_shape *sh,
                                   uint32_t budget)
{
    uint32_t L = sh->s.n_layers, b = budget + (L > 0 ? L - 1 : 0);
    unsigned T;

    if (L < 2 || b > ZKR_HPCS_MAX_BUDGET)
        return 0;
    T = zkr_i2_w_total(p, sh, b, 0);
    for (uint32_t l = 1; l < L; l++)
        if (zkr_i2_w_total(p, sh, b, l) != T)
            return 0;
    return zkr_infer2_mc_stack_fits(p, L, T) ? T : 0;
}

/*
 * Every layer's W' committed: one tree a layer (versions 2 and 3), or one
 * stacked group of total T (version 4; stack_T 0: not stacked). bd_layer
 * (n_layers: none) gets bd_delta added to entry bd_at of its table (the
 * test builds' backdoored model).
 */
static zkr_err zkr_i2_commit_w(const zkr_params *p, zkr_infer2_model *im, uint32_t budget,
                               unsigned stack_T, zkr_zkrng *rng, unsigned threads,
                               uint32_t bd_layer, size_t bd_at, zkr_gl bd_delta, zkr_diag *d)
{
    uint32_t L = im->sh.s.n_layers;
    zkr_gl *ev[ZKR_INFER_MAX_LAYERS] = {0};
    zkr_hpcs_pair_member ms[ZKR_INFER_MAX_LAYERS];
    zkr_err r = ZKR_OK;

    memset(ms, 0, sizeof ms);
    for (uint32_t l = 0; l < L && r == ZKR_OK; l++) {
        const zkr_infer_layer *Ly = &im->sh.s.layer[l];
        unsigned n = Ly->lk + im->sh.lm[l];
        im->mc.shifts[l] = Ly->shift;
        if ((r = zkr_i2_layer_evals(&im->sh, l, &im->ql[l], &ev[l])) != ZKR_OK)
            break;
        if (l == bd_layer)
            ev[l][bd_at] = zkr_gl_add(ev[l][bd_at], bd_delta);
        ms[l] = (zkr_hpcs_pair_member){ev[l], n, budget};
        if (stack_T)
            continue;
        r = zkr_prover_hcommit_sized(p, ev[l], n, zkr_i2_w_total(p, &im->sh, budget, l), budget,
                                     rng, threads ? threads : 1, &im->w[l], &im->mc.w[l]);
        if (r != ZKR_OK)
            r = zkr_fail(d, r, "model: layer %u does not fit a hiding commitment", l);
    }
    if (r == ZKR_OK && stack_T) {
        /* each layer blinded for the L - 1 model range openings of the others too */
        for (uint32_t l = 0; l < L; l++)
            ms[l].budget = budget + L - 1;
        r = zkr_prover_hcommit_stack_pool(p, ms, L, stack_T, NULL, rng, threads ? threads : 1,
                                          im->w, im->mc.w);
        if (r != ZKR_OK)
            r = zkr_fail(d, r, "model: the layers do not fit one stacked commitment");
        /*
         * ... and those L - 1 openings are spent at once, in every object
         * built (commit and reopen alike): the model range proof's other
         * layers' openings show this layer's entries whether or not this
         * object makes that proof, so the budget left (and
         * zkr_infer2_proofs_left, which the ledger reserves from) is the
         * caller's budget, as for versions 2 and 3.
         */
        for (uint32_t l = 0; l < L && r == ZKR_OK; l++)
            if (zkr_hpcs_charge(im->w[l], L - 1, 0, 1) != ZKR_OK)
                r = zkr_fail(d, ZKR_ERR_INTERNAL, "model: layer %u's stacked charge", l);
    }
    im->mc.stacked = stack_T != 0;
    for (uint32_t l = 0; l < L; l++)
        if (ev[l])
            zkr_i2_wipe_free(ev[l], ((size_t)1 << (im->sh.s.layer[l].lk + im->sh.lm[l])) *
                                        sizeof *ev[l]);
    return r;
}

/*
 * Builds every layer's hiding commitment under key (deterministic) and the
 * encoding: stacked (version 4) when `stack` and the layers can be one
 * group, else one tree a layer (versions 2 and 3).
 */
static zkr_err zkr_i2_build(const zkr_params *p, const zkr_ml_model *m, uint32_t budget,
                            const uint8_t key[32], unsigned threads, int stack,
                            zkr_infer2_model **out, zkr_diag *d)
{
    zkr_infer2_model *im = calloc(1, sizeof *im);
    zkr_zkrng rng;
    zkr_err r;

    *out = NULL;
    if (!im)
        return ZKR_ERR_NOMEM;
    im->m = m;
    im->params = *p;
    zkr_zkrng_from_key(&rng, key);
    if ((r = zkr_i2_shape_of(im, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_ml_graph_encode(zkr_ml_model_graph(m), &im->program, d)) != ZKR_OK)
        goto out;
    zkr_sha256(im->program.p, im->program.len, im->mc.program_digest);
    im->mc.param_set = p->id;
    im->mc.n_layers = im->sh.s.n_layers;
    if ((r = zkr_i2_commit_w(p, im, budget, stack ? zkr_i2_stack_total(p, &im->sh, budget) : 0,
                             &rng, threads, im->sh.s.n_layers, 0, 0, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_infer2_mc_encode(&im->mc, &im->enc)) != ZKR_OK)
        goto out;
    zkr_infer2_mc_digest(im->enc.p, im->enc.len, im->digest);
    *out = im;
    im = NULL;
out:
    zkr_zkrng_wipe(&rng);
    zkr_infer2_model_free(im);
    return r;
}

static zkr_err zkr_i2_commit_run(const zkr_params *p, const zkr_ml_model *m, uint32_t budget,
                                 const uint8_t *seed, size_t seed_len, unsigned threads, int stack,
                                 zkr_infer2_model **out, zkr_buf *commitment,
                                 uint8_t opening[ZKR_INFER2_OPENING_BYTES], zkr_diag *d);

zkr_err zkr_prover_infer2_commit(const zkr_params *p, const zkr_ml_model *m, uint32_t budget,
                                 const uint8_t *seed, size_t seed_len, unsigned threads,
                                 zkr_infer2_model **out, zkr_buf *commitment,
                                 uint8_t opening[ZKR_INFER2_OPENING_BYTES], zkr_diag *d)
{
    return zkr_i2_commit_run(p, m, budget, seed, seed_len, threads, 1, out, commitment, opening,
                             d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_infer2_commit_unstacked_for_test(const zkr_params *p, const zkr_ml_model *m,
                                                    uint32_t budget, const uint8_t *seed,
                                                    size_t seed_len, zkr_infer2_model **out,
                                                    zkr_buf *commitment,
                                                    uint8_t opening[ZKR_INFER2_OPENING_BYTES],
                                                    zkr_diag *d)
{
    return zkr_i2_commit_run(p, m, budget, seed, seed_len, 1, 0, out, commitment, opening, d);
}
#endif

static zkr_err zkr_i2_commit_run(const zkr_params *p, const zkr_ml_model *m, uint32_t budget,
                                 const uint8_t *seed, size_t seed_len, unsigned threads, int stack,
                                 zkr_infer2_model **out, zkr_buf *commitment,
                                 uint8_t opening[ZKR_INFER2_OPENING_BYTES], zkr_diag *d)
{
    uint8_t key[32], digest[ZKR_DIGEST_BYTES];
    char label[48];
    zkr_err r;

    *out = NULL;
    if (budget < ZKR_INFER2_W_OPENINGS || budget > ZKR_HPCS_MAX_BUDGET)
        return zkr_fail(d, ZKR_ERR_USAGE, "model: budget %u outside %u..%u", budget,
                        ZKR_INFER2_W_OPENINGS, ZKR_HPCS_MAX_BUDGET);
    zkr_ml_model_digest(m, digest);
    /*
     * Each set other than 1 keys its own mask (set 1 keeps its bytes): one
     * seed at two sets would otherwise blind two commitments of one model,
     * each with its own ledger budget, with one mask (adversarial review).
     */
    zkr_prover_set_label("inference@2 model", p->id, label, sizeof label);
    if ((r = zkr_prover_model_key(seed, seed_len, label, budget, digest, key, d)) != ZKR_OK)
        return r;
    r = zkr_i2_build(p, m, budget, key, threads, stack, out, d);
    if (r == ZKR_OK && (r = zkr_buf_append(commitment, (*out)->enc.p, (*out)->enc.len)) != ZKR_OK) {
        zkr_infer2_model_free(*out);
        *out = NULL;
    }
    if (r == ZKR_OK)
        zkr_prover_model_opening(opening, budget, key);
    sodium_memzero(key, sizeof key);
    return r;
}

zkr_err zkr_prover_infer2_reopen(const zkr_params *p, const zkr_ml_model *m,
                                 const uint8_t *commitment, size_t commitment_len,
                                 const uint8_t opening[ZKR_INFER2_OPENING_BYTES], unsigned threads,
                                 zkr_infer2_model **out, zkr_diag *d)
{
    zkr_infer2_model_commitment want;
    uint32_t budget;
    zkr_err r;

    *out = NULL;
    r = zkr_infer2_mc_decode(p, commitment, commitment_len, &want);
    if (r == ZKR_ERR_MISMATCH_PARAMS)
        return zkr_fail(d, r, "model commitment made at parameter set %s, this proof runs at %s",
                        zkr_params_name(want.param_set), zkr_params_name(p->id));
    if (r != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "model commitment: not a version 2, 3 or 4 encoding");
    budget = zkr_load_be32(opening + 4);
    if (zkr_load_be32(opening) != 1 || budget < ZKR_INFER2_W_OPENINGS ||
        budget > ZKR_HPCS_MAX_BUDGET)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model opening: bad version or budget");
    /* the commitment's own version: registered version 2 and 3 commitments reopen unstacked */
    if ((r = zkr_i2_build(p, m, budget, opening + 8, threads, want.stacked != 0, out, d)) != ZKR_OK)
        return r;
    if ((*out)->enc.len != commitment_len ||
        sodium_memcmp((*out)->enc.p, commitment, commitment_len) != 0) {
        zkr_infer2_model_free(*out);
        *out = NULL;
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "model: the model and opening do not give this commitment");
    }
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Dataset of hiding record commitments                                  */
/* ------------------------------------------------------------------ */

zkr_err zkr_prover_infer2_dataset_commit(const zkr_params *p, const zkr_dataset *ds,
                                         uint32_t budget, const uint8_t *seed, size_t seed_len,
                                         unsigned threads, uint64_t index,
                                         uint8_t root[ZKR_DIGEST_BYTES],
                                         uint8_t commitment[ZKR_DIGEST_BYTES],
                                         uint8_t rec_commitment[ZKR_RECORD_COMMIT_BYTES],
                                         uint8_t rec_opening[ZKR_RECORD_OPENING_BYTES],
                                         uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                         size_t *path_len)
{
    uint64_t n = zkr_dataset_count(ds);
    uint8_t(*leaves)[ZKR_DIGEST_BYTES];
    zkr_err r = ZKR_OK;

    if (path_len)
        *path_len = 0;
    if (path && index >= n)
        return ZKR_ERR_NOT_FOUND;
    if (seed && (seed_len < ZKR_ZK_SEED_MIN || seed_len > ZKR_ZK_SEED_MAX))
        return ZKR_ERR_USAGE;
    leaves = malloc((size_t)(n ? n : 1) * ZKR_DIGEST_BYTES);
    if (!leaves)
        return ZKR_ERR_NOMEM;
    for (uint64_t i = 0; i < n && r == ZKR_OK; i++) {
        const uint8_t *rec;
        size_t len;
        uint8_t c[ZKR_RECORD_COMMIT_BYTES], o[ZKR_RECORD_OPENING_BYTES], rs[32];
        if ((r = zkr_dataset_record(ds, i, &rec, &len)) != ZKR_OK)
            break;
        if (seed) {
            /* Record i's own seed: equal records still get unrelated blinding. */
            uint8_t ib[8];
            zkr_store_be64(ib, i);
            crypto_generichash(rs, sizeof rs, ib, sizeof ib, seed, seed_len);
        }
        r = zkr_prover_record_commit(p, rec, len, budget, seed ? rs : NULL, sizeof rs, threads, c,
                                     o);
        sodium_memzero(rs, sizeof rs);
        if (r == ZKR_OK) {
            zkr_infer2_record_leaf(c, leaves[i]);
            if (i == index && rec_commitment && rec_opening) {
                memcpy(rec_commitment, c, sizeof c);
                memcpy(rec_opening, o, sizeof o);
            }
        }
        sodium_memzero(o, sizeof o);
    }
    if (r == ZKR_OK && (r = zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n,
                                            root)) == ZKR_OK) {
        zkr_infer2_dataset_commitment(n, root, commitment);
        if (path && path_len)
            r = zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, index,
                                           path, path_len);
    }
    free(leaves);
    return r;
}

/* ------------------------------------------------------------------ */
/* Witness                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    zkr_gl *v;                       /* V: 2^n_v byte values */
    int8_t y[ZKR_INFER_MAX_DIM];     /* the logits */
    uint32_t out_dim;
} zkr_i2_wit;

static void zkr_i2_wit_free(const zkr_infer2_shape *sh, zkr_i2_wit *w)
{
    zkr_i2_wipe_free(w->v, w->v ? ((size_t)1 << sh->n_v) * sizeof *w->v : 0);
    sodium_memzero(w, sizeof *w);
}

/* Layer l's slot sigma, row j, in V. */
static zkr_gl *zkr_i2_slot(const zkr_infer2_shape *sh, zkr_gl *v, uint32_t l, unsigned sigma)
{
    return v + sh->voff[l] + ((uint64_t)sigma << sh->lm[l]);
}

/* One row's slots (inference@1's decomposition). forge: the test cheats (0 honest). */
static zkr_err zkr_i2_row_t(const zkr_infer2_shape *sh, zkr_gl *v, uint32_t l, size_t j,
                            __int128 t, int8_t *y_out)
{
    const zkr_infer_layer *L = &sh->s.layer[l];
    size_t n = (size_t)1 << sh->lm[l];
    zkr_gl *col = zkr_i2_slot(sh, v, l, 0);
    uint64_t mask = ((uint64_t)1 << L->shift) - 1, r = (uint64_t)t & mask, g;
    int64_t q = (int64_t)((t - (__int128)r) / ((__int128)1 << L->shift));
    int64_t y = q > 127 ? 127 : q < L->lo ? L->lo : q;

    g = (uint64_t)(q > y ? q - y : y - q);
    col[ZKR_INFER_SLOT_Y * n + j] = (zkr_gl)(y - L->lo);
    col[ZKR_INFER_SLOT_YC * n + j] = (zkr_gl)(127 - y);
    col[ZKR_INFER_SLOT_HI * n + j] = q > 127;
    col[ZKR_INFER_SLOT_LO * n + j] = q < L->lo;
    for (unsigned i = 0; i < L->nr; i++)
        col[(ZKR_INFER_SLOT_R0 + i) * n + j] = (r >> (8 * i)) & 0xff;
    col[L->slot_rtc * n + j] = ((r >> (8 * (L->nr - 1))) & 0xff) * L->c_r;
    for (unsigned i = 0; i < L->ng; i++)
        col[(L->slot_g0 + i) * n + j] = (g >> (8 * i)) & 0xff;
    col[L->slot_gtc * n + j] = ((g >> (8 * (L->ng - 1))) & 0xff) * L->c_g;
    if ((r >> (8 * (L->nr - 1))) * L->c_r > 255 || (g >> (8 * (L->ng - 1))) * L->c_g > 255)
        return ZKR_ERR_INTERNAL; /* outside the proven bounds: not a valid model */
    *y_out = (int8_t)y;
    return ZKR_OK;
}

static zkr_err zkr_i2_row(const zkr_infer2_shape *sh, zkr_gl *v, uint32_t l, size_t j,
                          int64_t acc, uint32_t mult, int8_t *y_out)
{
    __int128 t = (__int128)acc * mult + ((__int128)1 << (sh->s.layer[l].shift - 1));

    return zkr_i2_row_t(sh, v, l, j, t, y_out);
}

#if ZKR_TEST_BUILD
/*
 * Test builds: layer 0's row j requantisation value on field inputs xf,
 * lifted to the integer in (-p/2, p/2), or with other the other preimage
 * (that integer -/+ p): what a data owner's non-byte record lets a prover
 * claim (zkr_infer2_cheat rec_x).
 */
static __int128 zkr_i2_t_of_field(const zkr_infer2_model *im, const zkr_gl *xf, size_t j,
                                  int other)
{
    const zkr_infer_layer *L = &im->sh.s.layer[0];
    const zkr_ml_qlayer *q = &im->ql[0];
    zkr_gl acc = 0, mlt = 0, t;
    __int128 v;

    if (j < L->out_dim) {
        acc = zkr_gl_from_i64(q->bias[j]);
        for (size_t k = 0; k < L->in_dim; k++)
            acc = zkr_gl_add(acc, zkr_gl_mul(zkr_gl_from_i64(q->w[j * L->in_dim + k]), xf[k]));
        mlt = (zkr_gl)q->mult[j];
    }
    t = zkr_gl_add(zkr_gl_mul(acc, mlt), (zkr_gl)1 << (L->shift - 1));
    v = t > ZKR_GL_P / 2 ? (__int128)t - (__int128)ZKR_GL_P : (__int128)t;
    if (other)
        v = v < 0 ? v + (__int128)ZKR_GL_P : v - (__int128)ZKR_GL_P;
    return v;
}
#endif

static zkr_err zkr_i2_witness_f(const zkr_infer2_model *im, const uint8_t *input,
                                const zkr_gl *xf, int twin, zkr_i2_wit *w);

static zkr_err zkr_i2_witness(const zkr_infer2_model *im, const uint8_t *input, zkr_i2_wit *w)
{
    return zkr_i2_witness_f(im, input, NULL, 0, w);
}

/* The witness of input; xf (test builds: zkr_infer2_cheat rec_x) replaces layer 0's input. */
static zkr_err zkr_i2_witness_f(const zkr_infer2_model *im, const uint8_t *input,
                                const zkr_gl *xf, int twin, zkr_i2_wit *w)
{
    const zkr_infer2_shape *sh = &im->sh;
    int64_t x[ZKR_INFER_MAX_DIM];
    int8_t y[ZKR_INFER_MAX_DIM];
    zkr_err r = ZKR_OK;

    (void)xf;
    (void)twin;
    memset(w, 0, sizeof *w);
    if (!(w->v = calloc((size_t)1 << sh->n_v, sizeof *w->v)))
        return ZKR_ERR_NOMEM;
    for (uint32_t k = 0; k < sh->s.input_dim; k++)
        x[k] = input[k];
    for (uint32_t l = 0; l < sh->s.n_layers && r == ZKR_OK; l++) {
        const zkr_infer_layer *L = &sh->s.layer[l];
        const zkr_ml_qlayer *q = &im->ql[l];
        for (size_t j = 0; j < ((size_t)1 << sh->lm[l]) && r == ZKR_OK; j++) {
            int64_t acc = 0;
            uint32_t mlt = 0;
            int8_t yj = 0;
            if (j < L->out_dim) {
                const int8_t *row = q->w + j * L->in_dim;
                acc = q->bias[j];
                for (size_t k = 0; k < L->in_dim; k++)
                    acc += (int64_t)row[k] * x[k];
                mlt = q->mult[j];
            }
            /* Padded rows (W', b, M zero) compute q = 0, y = 0. */
#if ZKR_TEST_BUILD
            if (xf && l == 0)
                r = zkr_i2_row_t(sh, w->v, l, j, zkr_i2_t_of_field(im, xf, j, twin && j == 0),
                                 &yj);
            else
#endif
                r = zkr_i2_row(sh, w->v, l, j, acc, mlt, &yj);
#if ZKR_TEST_BUILD
            if (r == ZKR_OK && im->bd_on && l + 1 == sh->s.n_layers && j == 0)
                r = zkr_i2_row_t(sh, w->v, l, j, im->bd_t, &yj);
#endif
            if (j < L->out_dim)
                y[j] = yj;
        }
        for (size_t k = 0; k < L->out_dim; k++)
            x[k] = y[k];
    }
    w->out_dim = sh->s.layer[sh->s.n_layers - 1].out_dim;
    memcpy(w->y, y, w->out_dim);
    sodium_memzero(x, sizeof x);
    sodium_memzero(y, sizeof y);
    if (r != ZKR_OK)
        zkr_i2_wit_free(sh, w);
    return r;
}

/* The output commitment of the logits y under key. */
static zkr_err zkr_i2_out_build(const zkr_params *p, const zkr_infer2_shape *sh, const int8_t *y,
                                uint32_t budget, const uint8_t key[32], unsigned threads,
                                zkr_hpcs_poly **poly, zkr_infer2_output_commitment *oc)
{
    uint32_t L = sh->s.n_layers - 1;
    unsigned n = sh->lm[L];
    zkr_gl ev[1u << 13] = {0};
    zkr_zkrng rng;
    zkr_err r;

    for (uint32_t j = 0; j < sh->s.layer[L].out_dim; j++)
        ev[j] = zkr_gl_from_i64(y[j]);
    zkr_zkrng_from_key(&rng, key);
    oc->out_dim = sh->s.layer[L].out_dim;
    r = zkr_prover_hcommit(p, ev, n, budget, &rng, threads ? threads : 1, poly, &oc->comm);
    zkr_zkrng_wipe(&rng);
    sodium_memzero(ev, sizeof ev);
    return r;
}

zkr_err zkr_prover_infer2_output(const zkr_params *p, const zkr_infer2_model *im,
                                 const zkr_infer2_record *rec, const uint8_t *seed,
                                 size_t seed_len, unsigned threads, zkr_buf *plain,
                                 uint8_t oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES],
                                 uint8_t oc_opening[ZKR_RECORD_OPENING_BYTES], zkr_diag *d)
{
    zkr_i2_wit w;
    uint8_t key[32];
    zkr_err r;

    if (!rec->record || rec->record_len != (size_t)im->sh.s.input_dim + 1)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "record: %zu bytes, the program wants %u and a "
                        "label", rec->record_len, im->sh.s.input_dim);
    if ((r = zkr_i2_witness(im, rec->record, &w)) != ZKR_OK)
        return zkr_fail(d, r, "witness: the model's values leave the proven bounds");
    if (plain && (r = zkr_infer_output_encode(w.y, w.out_dim, plain)) != ZKR_OK)
        goto out;
    if (oc && oc_opening) {
        zkr_hpcs_poly *poly = NULL;
        zkr_infer2_output_commitment c;
        if (seed) {
            uint8_t ctx[2 * ZKR_DIGEST_BYTES + ZKR_RECORD_COMMIT_BYTES], h[ZKR_DIGEST_BYTES];
            zkr_zkrng g;
            memcpy(ctx, im->digest, ZKR_DIGEST_BYTES);
            memset(ctx + ZKR_DIGEST_BYTES, 0, ZKR_RECORD_COMMIT_BYTES);
            if (rec->commitment)
                memcpy(ctx + ZKR_DIGEST_BYTES, rec->commitment, ZKR_RECORD_COMMIT_BYTES);
            crypto_generichash(h, sizeof h, (const uint8_t *)w.y, w.out_dim, NULL, 0);
            memcpy(ctx + ZKR_DIGEST_BYTES + ZKR_RECORD_COMMIT_BYTES, h, sizeof h);
            r = zkr_zkrng_seeded(&g, seed, seed_len, "inference@2 output", ctx, sizeof ctx);
            sodium_memzero(h, sizeof h);
            if (r != ZKR_OK)
                goto out;
            zkr_zkrng_bytes(&g, key, sizeof key);
            zkr_zkrng_wipe(&g);
        } else {
            randombytes_buf(key, sizeof key);
        }
        r = zkr_i2_out_build(p, &im->sh, w.y, ZKR_INFER2_OUTPUT_BUDGET, key, threads, &poly, &c);
        zkr_hpcs_poly_free(poly);
        if (r == ZKR_OK) {
            zkr_infer2_oc_encode(&c, oc);
            zkr_store_be32(oc_opening, 1);
            zkr_store_be32(oc_opening + 4, ZKR_INFER2_OUTPUT_BUDGET);
            memcpy(oc_opening + 8, key, sizeof key);
        }
        sodium_memzero(key, sizeof key);
    }
out:
    zkr_i2_wit_free(&im->sh, &w);
    return r;
}

zkr_err zkr_prover_infer2_output_check(const zkr_params *p, const zkr_infer2_model *im,
                                       const zkr_infer2_record *rec,
                                       const uint8_t oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES],
                                       const uint8_t oc_opening[ZKR_RECORD_OPENING_BYTES],
                                       unsigned threads, zkr_diag *d)
{
    zkr_infer2_output_commitment want, got;
    zkr_hpcs_poly *poly = NULL;
    zkr_i2_wit w;
    zkr_err r;

    if (!rec->record || rec->record_len != (size_t)im->sh.s.input_dim + 1)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "record: %zu bytes, the program wants %u and a "
                        "label", rec->record_len, im->sh.s.input_dim);
    if (zkr_infer2_oc_decode(p, oc, ZKR_INFER2_OUTPUT_COMMIT_BYTES, &want) != ZKR_OK ||
        zkr_load_be32(oc_opening) != 1 ||
        zkr_load_be32(oc_opening + 4) != ZKR_INFER2_OUTPUT_BUDGET)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "output commitment or opening malformed");
    if ((r = zkr_i2_witness(im, rec->record, &w)) != ZKR_OK)
        return zkr_fail(d, r, "witness: the model's values leave the proven bounds");
    r = zkr_i2_out_build(p, &im->sh, w.y, ZKR_INFER2_OUTPUT_BUDGET, oc_opening + 8, threads,
                         &poly, &got);
    zkr_hpcs_poly_free(poly);
    if (r == ZKR_OK && (got.out_dim != want.out_dim || got.comm.n_vars != want.comm.n_vars ||
                        got.comm.blind_vars != want.comm.blind_vars ||
                        sodium_memcmp(got.comm.root, want.comm.root, ZKR_DIGEST_BYTES) != 0))
        r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                     "the output commitment does not open to the model's output on record %llu",
                     (unsigned long long)rec->index);
    zkr_i2_wit_free(&im->sh, &w);
    return r;
}

/* ------------------------------------------------------------------ */
/* Proof                                                                */
/* ------------------------------------------------------------------ */

/* Per-layer state of the batched sumcheck (docs/proof-system.md, "inference@2"). */
typedef struct {
    unsigned lk, lm, nl;
    /* k phase (2^lk): sum_j ez M W (split A + s B), the source X, indicator tables */
    zkr_ext *aw, *bw, *sa, *sb, *ti, *te, *e0;
    zkr_ext beta;  /* sum_j ez(j) bracket(j) on the hypercube */
    /* j phase (2^lm) */
    zkr_ext *ez, *ma, *mb, *wj, *ta[ZKR_INFER_SLOTS], *tb[ZKR_INFER_SLOTS], *oa, *ob;
    zkr_ext xr, e0r, val, pre;
    zkr_gl coff;
} zkr_i2_lst;

/*
 * Version 3's record link in the batched sumcheck: eq(zrec, k) times
 * rec~(k) - RV~(k) over the record's n_rec variables (the difference of
 * both randomised extensions split da + s(x_0) db), then zero-extended.
 */
typedef struct {
    unsigned n;
    zkr_ext *ez, *da, *db;
    zkr_ext val, pre;
} zkr_i2_rlink;

typedef struct {
    const zkr_params *p;  /* pq: V, C, the range proof and the reduction's openings */
    const zkr_params *p0; /* the parameter set: the record's and the output's openings */
    zkr_params pq;
    zkr_params pc;        /* version 10: C's commitment and opening (zkr_infer2_c_params) */
    zkr_infer2_model *im;
    const zkr_infer2_shape *sh;
    zkr_transcript t;
    zkr_zkrng rng;
    unsigned threads;
    int public_output;
    const zkr_infer2_cheat *cheat;
    zkr_i2_wit w;
    zkr_hpcs_poly *rec, *out, *v, *c;
    zkr_hpcs_poly *cmask; /* C's opening's mask, in C's tree (version 11) */
    zkr_hpcs_poly *cmask2; /* test builds' cheat c_mask: the mask G folds instead */
    zkr_hpcs_pool *pool; /* the proof's large buffers (V's, the reduction's, the mixed opening's) */
    zkr_infer2_chal ch;
    zkr_ext rho, r[ZKR_INFER_MAX_PT];
    zkr_ext *gco; /* Libra coefficients: g's 1 + 7 N, g_A's 1 + 7 T_A, g_R's 1 + 7 N_R */
    size_t n_gco;
    unsigned lc;
    zkr_infer2_red red;
    zkr_zkrange_defer zr; /* version 5: the range proof's deferred claims and helpers */
    zkr_ext tau[ZKR_INFER_MAX_LAYERS][ZKR_INFER_SLOTS_LOG];
    zkr_ext rA[ZKR_INFER_MAX_PT + ZKR_HPCS_MAX_BLIND_VARS + 8];
    zkr_ext gA; /* g_A(r_A) */
    zkr_i2_lst ls[ZKR_INFER_MAX_LAYERS];
    zkr_i2_rlink rl;
    zkr_ext vals[ZKR_INFER_MAX_LAYERS][ZKR_I2_NCOL];
    zkr_buf stmt, sec[6];
    zkr_diag *d; /* the caller's (NULL: none): the reason a refusal inside the proof names */
} zkr_i2_ctx;

static void zkr_i2_lst_free(zkr_i2_lst *s)
{
    size_t K = (size_t)1 << s->lk, J = (size_t)1 << s->lm;
    zkr_ext **kt[] = {&s->aw, &s->bw, &s->sa, &s->sb, &s->ti, &s->te, &s->e0};
    zkr_ext **jt[] = {&s->ez, &s->ma, &s->mb, &s->wj, &s->oa, &s->ob};

    for (size_t i = 0; i < sizeof kt / sizeof *kt; i++) {
        zkr_i2_wipe_free(*kt[i], *kt[i] ? K * sizeof(zkr_ext) : 0);
        *kt[i] = NULL;
    }
    for (size_t i = 0; i < sizeof jt / sizeof *jt; i++) {
        zkr_i2_wipe_free(*jt[i], *jt[i] ? J * sizeof(zkr_ext) : 0);
        *jt[i] = NULL;
    }
    for (unsigned i = 0; i < ZKR_INFER_SLOTS; i++) {
        zkr_i2_wipe_free(s->ta[i], s->ta[i] ? J * sizeof(zkr_ext) : 0);
        zkr_i2_wipe_free(s->tb[i], s->tb[i] ? J * sizeof(zkr_ext) : 0);
        s->ta[i] = s->tb[i] = NULL;
    }
}

static zkr_ext *zkr_i2_alloc(size_t n)
{
    return calloc(n ? n : 1, sizeof(zkr_ext));
}

/* The statement section: what the verifier compares with the registry's values. */
static zkr_err zkr_i2_statement(zkr_i2_ctx *c, const zkr_infer2_record *rec, const uint8_t *outb,
                                size_t out_len)
{
    zkr_buf *b = &c->stmt;
    zkr_err r;

    if ((r = zkr_enc_bytes(b, c->im->program.p, c->im->program.len)) != ZKR_OK ||
        (r = zkr_enc_bytes(b, c->im->enc.p, c->im->enc.len)) != ZKR_OK ||
        (r = zkr_enc_u64(b, rec->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(b, rec->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(b, rec->index)) != ZKR_OK ||
        (r = zkr_buf_append(b, rec->commitment, ZKR_RECORD_COMMIT_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(b, (uint32_t)rec->path_len)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < rec->path_len; i++)
        if ((r = zkr_buf_append(b, rec->path[i], ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    if ((r = zkr_enc_u8(b, c->public_output ? 1 : 0)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(b, outb, out_len);
}

/*
 * Full evaluation of a blinded polynomial's first two slices at (pt, s):
 * F(pt, s, 0...). eq(z, x) = eq(z_lo, x_lo) eq(z_hi, x_hi): two tables of
 * about 2^(m/2) entries instead of one of 2^m, the same field value.
 */
static zkr_err zkr_i2_eval_at(const zkr_hpcs_poly *f, const zkr_ext *zfull, int x8, zkr_ext *out)
{
    unsigned m = zkr_hpcs_poly_total_vars(f), lo, hi;
    size_t nlo, nhi;
    const zkr_gl *bv = zkr_hpcs_poly_base_evals(f);
    const zkr_ext *ev = bv ? NULL : zkr_hpcs_poly_ext_evals(f);
    zkr_ext *elo, *ehi, acc = zkr_ext_from(0);

    /* Trailing zero coordinates select the entries with those bits 0: a prefix. */
    while (m > 0 && zkr_ext_eq(zfull[m - 1], zkr_ext_from(0)))
        m--;
    lo = m / 2, hi = m - lo;
    nlo = (size_t)1 << lo, nhi = (size_t)1 << hi;
    elo = zkr_i2_alloc(nlo), ehi = zkr_i2_alloc(nhi);
    if (!elo || !ehi) {
        free(elo);
        free(ehi);
        return ZKR_ERR_NOMEM;
    }
    if (!bv && !ev)
        ev = zkr_hpcs_mask_evals(f);
    zkr_mle_eq_table(zfull, lo, elo);
    zkr_mle_eq_table(zfull + lo, hi, ehi);
    for (size_t h = 0; h < nhi; h++) {
        zkr_ext s = zkr_ext_from(0);
        size_t l = x8 ? zkr_ext8_xdot(elo, bv ? NULL : ev + h * nlo, bv ? bv + h * nlo : NULL, 0,
                                      nlo, &s)
                      : 0;
        for (; l < nlo; l++)
            s = zkr_ext_add(s, bv ? zkr_ext_mul_base(elo[l], bv[h * nlo + l])
                                  : zkr_ext_mul(elo[l], ev[h * nlo + l]));
        acc = zkr_ext_add(acc, zkr_ext_mul(ehi[h], s));
    }
    free(elo);
    free(ehi);
    *out = acc;
    return ZKR_OK;
}

/* --- Libra's masks g(x) = a0 + sum_i sum_{d=1..7} c_id x_i^d (zk/infer2.c) --- */

/* Adds rho times the mask's round message at variable i of n (prefix = sum_{t<i} g_t(r_t)). */
static void zkr_i2_mask_round(const zkr_ext *gco, unsigned n, zkr_ext rho, unsigned i,
                              zkr_ext prefix, zkr_ext *h)
{
    zkr_ext suf = zkr_ext_from(0), base = zkr_ext_add(gco[0], prefix);

    for (unsigned k = i + 1; k < n; k++)
        suf = zkr_ext_add(suf, zkr_infer2_gi(gco, k, zkr_ext_from(1)));
    for (unsigned x = 0; x <= I2_D; x++) {
        zkr_ext g = zkr_ext_mul_base(zkr_ext_add(base, zkr_infer2_gi(gco, i, zkr_ext_from(x))),
                                     zkr_gl_pow(2, n - 1 - i));
        if (i + 1 < n)
            g = zkr_ext_add(g, zkr_ext_mul_base(suf, zkr_gl_pow(2, n - 2 - i)));
        h[x] = zkr_ext_add(h[x], zkr_ext_mul(rho, g));
    }
}

/* --- the batched sumcheck's tables --- */

/* k-phase tables of layer l (the j sum folded into aw, bw with the true M). */
static zkr_err zkr_i2_ktables(zkr_i2_ctx *c, uint32_t l)
{
    const zkr_infer2_shape *sh = c->sh;
    const zkr_infer_layer *L = &sh->s.layer[l];
    zkr_i2_lst *s = &c->ls[l];
    size_t K = (size_t)1 << s->lk, J = (size_t)1 << s->lm, n = K * J;
    const zkr_gl *fw = zkr_hpcs_poly_base_evals(c->im->w[l]);
    zkr_ext *ezm = zkr_i2_alloc(J);
    const zkr_gl *src;
    size_t smask, soff, sn;
    zkr_err r = ZKR_ERR_NOMEM;

    s->aw = zkr_i2_alloc(K), s->bw = zkr_i2_alloc(K), s->sa = zkr_i2_alloc(K);
    s->sb = zkr_i2_alloc(K), s->ti = zkr_i2_alloc(K), s->te = zkr_i2_alloc(K);
    s->e0 = zkr_i2_alloc(K);
    s->ez = zkr_i2_alloc(J);
    if (!ezm || !s->aw || !s->bw || !s->sa || !s->sb || !s->ti || !s->te || !s->e0 || !s->ez)
        goto out;
    zkr_mle_eq_table(c->ch.z[l], s->lm, s->ez);
    for (size_t j = 0; j < J; j++)
        ezm[j] = zkr_ext_mul_base(s->ez[j], fw[j * K + L->in_dim + 1]);
    for (size_t j = 0; j < J; j++)
        for (size_t k = 0; k < K; k++) {
            zkr_gl a = fw[j * K + k], b = zkr_gl_sub(fw[n + j * K + k], a);
            s->aw[k] = zkr_ext_add(s->aw[k], zkr_ext_mul_base(ezm[j], a));
            s->bw[k] = zkr_ext_add(s->bw[k], zkr_ext_mul_base(ezm[j], b));
        }
    if (l == 0) {
        src = zkr_hpcs_poly_base_evals(c->rec);
        sn = (size_t)1 << sh->n_rec;
        soff = 0;
    } else {
        src = zkr_hpcs_poly_base_evals(c->v);
        sn = (size_t)1 << sh->n_v;
        soff = sh->voff[l - 1];
    }
    smask = (l == 0 ? ((size_t)1 << sh->n_rec) : ((size_t)1 << sh->lm[l - 1])) - 1;
    for (size_t k = 0; k < K; k++) {
        size_t i = soff + (k & smask);
        s->sa[k] = zkr_ext_from(src[i]);
        s->sb[k] = zkr_ext_from(zkr_gl_sub(src[sn + i], src[i]));
        s->ti[k] = zkr_ext_from(k < L->in_dim);
        s->te[k] = zkr_ext_from(k == L->in_dim);
        s->e0[k] = zkr_ext_from(k == 0);
    }
    s->coff = zkr_infer2_src_off(sh, l);
    /* beta: the bracket summed over the rows with the true slot values */
    s->beta = zkr_ext_from(0);
    {
        const zkr_gl *vv = zkr_hpcs_poly_base_evals(c->v);
        for (size_t j = 0; j < J; j++) {
            zkr_ext T[ZKR_INFER_SLOTS], out = zkr_ext_from(0);
            for (unsigned q = 0; q < ZKR_INFER_SLOTS; q++)
                T[q] = zkr_ext_from(vv[sh->voff[l] + ((size_t)q << s->lm) + j]);
            if (l + 1 == sh->s.n_layers && j < c->w.out_dim)
                out = zkr_ext_from(zkr_gl_from_i64(c->w.y[j]));
            s->beta = zkr_ext_add(s->beta, zkr_ext_mul(s->ez[j], zkr_infer2_bracket(sh, l, &c->ch,
                                                                                    T, out)));
        }
    }
    r = ZKR_OK;
out:
    zkr_i2_wipe_free(ezm, ezm ? J * sizeof *ezm : 0);
    return r;
}

/* j-phase tables of layer l, once r_k is fixed (the k tables are folded to one entry). */
static zkr_err zkr_i2_jtables(zkr_i2_ctx *c, uint32_t l)
{
    const zkr_infer2_shape *sh = c->sh;
    const zkr_infer_layer *L = &sh->s.layer[l];
    zkr_i2_lst *s = &c->ls[l];
    size_t K = (size_t)1 << s->lk, J = (size_t)1 << s->lm, n = K * J;
    const zkr_gl *fw = zkr_hpcs_poly_base_evals(c->im->w[l]);
    const zkr_gl *vv = zkr_hpcs_poly_base_evals(c->v);
    size_t nv = (size_t)1 << sh->n_v;
    zkr_ext *eqk = zkr_i2_alloc(K), s0 = zkr_infer2_s(c->r[0]);

    if (!eqk)
        return ZKR_ERR_NOMEM;
    s->ma = zkr_i2_alloc(J), s->mb = zkr_i2_alloc(J), s->wj = zkr_i2_alloc(J);
    for (unsigned q = 0; q < ZKR_INFER_SLOTS; q++)
        s->ta[q] = zkr_i2_alloc(J), s->tb[q] = zkr_i2_alloc(J);
    if (l + 1 == sh->s.n_layers)
        s->oa = zkr_i2_alloc(J), s->ob = zkr_i2_alloc(J);
    if (!s->ma || !s->mb || !s->wj || (l + 1 == sh->s.n_layers && (!s->oa || !s->ob))) {
        free(eqk);
        return ZKR_ERR_NOMEM;
    }
    for (unsigned q = 0; q < ZKR_INFER_SLOTS; q++)
        if (!s->ta[q] || !s->tb[q]) {
            free(eqk);
            return ZKR_ERR_NOMEM;
        }
    zkr_mle_eq_table(c->r, s->lk, eqk);
    for (size_t j = 0; j < J; j++) {
        zkr_ext acc = zkr_ext_from(0);
        for (size_t k = 0; k < K; k++) {
            zkr_gl a = fw[j * K + k], b = zkr_gl_sub(fw[n + j * K + k], a);
            zkr_ext w = zkr_ext_add(zkr_ext_from(a), zkr_ext_mul_base(s0, b));
            acc = zkr_ext_add(acc, zkr_ext_mul(eqk[k], w));
        }
        s->wj[j] = acc;
        s->ma[j] = zkr_ext_from(fw[j * K + L->in_dim + 1]);
        s->mb[j] = zkr_ext_from(zkr_gl_sub(fw[n + j * K + L->in_dim + 1], fw[j * K + L->in_dim + 1]));
        for (unsigned q = 0; q < ZKR_INFER_SLOTS; q++) {
            size_t i = sh->voff[l] + ((size_t)q << s->lm) + j;
            s->ta[q][j] = zkr_ext_from(vv[i]);
            s->tb[q][j] = zkr_ext_from(zkr_gl_sub(vv[nv + i], vv[i]));
        }
    }
    zkr_i2_wipe_free(eqk, K * sizeof *eqk);
    if (l + 1 == sh->s.n_layers) {
        if (c->public_output) {
            for (size_t j = 0; j < J; j++)
                s->oa[j] = zkr_ext_from(j < c->w.out_dim ? zkr_gl_from_i64(c->w.y[j]) : 0);
        } else {
            const zkr_gl *ov = zkr_hpcs_poly_base_evals(c->out);
            for (size_t j = 0; j < J; j++) {
                s->oa[j] = zkr_ext_from(ov[j]);
                s->ob[j] = zkr_ext_from(zkr_gl_sub(ov[J + j], ov[j]));
            }
        }
    }
    /* X(r_k) and eq(0, r_k): the folded k tables (s(r_0) already folded in) */
    s->xr = zkr_ext_add(s->sa[0], zkr_ext_from(s->coff));
    s->xr = zkr_ext_add(zkr_ext_mul(s->xr, s->ti[0]), s->te[0]);
    s->e0r = s->e0[0];
    return ZKR_OK;
}

/* Layer l's round message at its k variable t (h[0..7]). */
static void zkr_i2_kround(const zkr_i2_lst *s, unsigned t, zkr_ext *h)
{
    size_t half = (size_t)1 << (s->lk - t - 1);
    zkr_ext *tb[7] = {s->aw, s->bw, s->sa, s->sb, s->ti, s->te, s->e0};

    for (size_t i = 0; i < half; i++) {
        zkr_ext v0[7], dv[7];
        for (int q = 0; q < 7; q++) {
            v0[q] = tb[q][2 * i];
            dv[q] = zkr_ext_sub(tb[q][2 * i + 1], v0[q]);
        }
        for (unsigned x = 0; x <= I2_D; x++) {
            zkr_ext v[7], w, xs;
            zkr_gl sx = t == 0 ? zkr_gl_sub(x, zkr_gl_mul(x, x)) : 0;
            if (x == 1)
                continue;
            for (int q = 0; q < 7; q++)
                v[q] = zkr_ext_add(v0[q], zkr_ext_mul_base(dv[q], x));
            w = zkr_ext_add(v[0], zkr_ext_mul_base(v[1], sx));
            xs = zkr_ext_add(v[2], zkr_ext_mul_base(v[3], sx));
            xs.c[0] = zkr_gl_add(xs.c[0], s->coff);
            xs = zkr_ext_add(zkr_ext_mul(xs, v[4]), v[5]);
            h[x] = zkr_ext_add(h[x], zkr_ext_add(zkr_ext_mul(w, xs), zkr_ext_mul(v[6], s->beta)));
        }
    }
}

/* Layer l's round message at its j variable u. */
static void zkr_i2_jround(const zkr_i2_ctx *c, uint32_t l, unsigned u, zkr_ext *h)
{
    const zkr_i2_lst *s = &c->ls[l];
    size_t half = (size_t)1 << (s->lm - u - 1);
    int last = l + 1 == c->sh->s.n_layers, hid = last && !c->public_output;

    for (size_t i = 0; i < half; i++) {
        for (unsigned x = 0; x <= I2_D; x++) {
            zkr_ext T[ZKR_INFER_SLOTS], ez, m, w, o = zkr_ext_from(0), f;
            zkr_gl sx = u == 0 ? zkr_gl_sub(x, zkr_gl_mul(x, x)) : 0;
#define I2_AT(tab) zkr_ext_add((tab)[2 * i], zkr_ext_mul_base(zkr_ext_sub((tab)[2 * i + 1], (tab)[2 * i]), x))
            if (x == 1)
                continue;
            ez = I2_AT(s->ez);
            m = zkr_ext_add(I2_AT(s->ma), zkr_ext_mul_base(I2_AT(s->mb), sx));
            w = I2_AT(s->wj);
            for (unsigned q = 0; q < ZKR_INFER_SLOTS; q++)
                T[q] = zkr_ext_add(I2_AT(s->ta[q]), zkr_ext_mul_base(I2_AT(s->tb[q]), sx));
            if (last) {
                o = I2_AT(s->oa);
                if (hid)
                    o = zkr_ext_add(o, zkr_ext_mul_base(I2_AT(s->ob), sx));
            }
#undef I2_AT
            f = zkr_ext_mul(zkr_ext_mul(m, w), s->xr);
            f = zkr_ext_add(f, zkr_ext_mul(s->e0r, zkr_infer2_bracket(c->sh, l, &c->ch, T, o)));
            h[x] = zkr_ext_add(h[x], zkr_ext_mul(ez, f));
        }
    }
}

/* Folds table t (2^n entries) at r, and when rnd adds s(r) times table b (folded too). */
static void zkr_i2_fold(zkr_ext *t, zkr_ext *b, unsigned n, zkr_ext r, int rnd)
{
    zkr_mle_fix_first(t, n, r);
    if (b) {
        zkr_mle_fix_first(b, n, r);
        if (rnd) {
            zkr_ext s = zkr_infer2_s(r);
            for (size_t i = 0; i < ((size_t)1 << (n - 1)); i++) {
                t[i] = zkr_ext_add(t[i], zkr_ext_mul(s, b[i]));
                b[i] = zkr_ext_from(0);
            }
        }
    }
}

static void zkr_i2_fix(zkr_i2_ctx *c, uint32_t l, unsigned t, zkr_ext r)
{
    zkr_i2_lst *s = &c->ls[l];

    if (t < s->lk) {
        unsigned n = s->lk - t;
        zkr_i2_fold(s->aw, s->bw, n, r, t == 0);
        zkr_i2_fold(s->sa, s->sb, n, r, t == 0);
        zkr_i2_fold(s->ti, NULL, n, r, 0);
        zkr_i2_fold(s->te, NULL, n, r, 0);
        zkr_i2_fold(s->e0, NULL, n, r, 0);
    } else if (t < s->nl) {
        unsigned u = t - s->lk, n = s->lm - u;
        zkr_i2_fold(s->ez, NULL, n, r, 0);
        zkr_i2_fold(s->ma, s->mb, n, r, u == 0);
        zkr_i2_fold(s->wj, NULL, n, r, 0);
        for (unsigned q = 0; q < ZKR_INFER_SLOTS; q++)
            zkr_i2_fold(s->ta[q], s->tb[q], n, r, u == 0);
        if (s->oa)
            zkr_i2_fold(s->oa, s->ob, n, r, u == 0 && !c->public_output);
        if (t + 1 == s->nl) {
            zkr_ext T[ZKR_INFER_SLOTS], f;
            for (unsigned q = 0; q < ZKR_INFER_SLOTS; q++)
                T[q] = s->ta[q][0];
            f = zkr_ext_mul(zkr_ext_mul(s->ma[0], s->wj[0]), s->xr);
            f = zkr_ext_add(f, zkr_ext_mul(s->e0r, zkr_infer2_bracket(c->sh, l, &c->ch, T,
                                                                      s->oa ? s->oa[0]
                                                                            : zkr_ext_from(0))));
            s->val = zkr_ext_mul(s->ez[0], f);
            s->pre = zkr_ext_from(1);
        }
    } else {
        s->pre = zkr_ext_mul(s->pre, zkr_ext_sub(zkr_ext_from(1), r));
    }
}

static void zkr_i2_rlink_free(zkr_i2_rlink *k)
{
    size_t len = (size_t)1 << k->n;

    zkr_i2_wipe_free(k->ez, k->ez ? len * sizeof(zkr_ext) : 0);
    zkr_i2_wipe_free(k->da, k->da ? len * sizeof(zkr_ext) : 0);
    zkr_i2_wipe_free(k->db, k->db ? len * sizeof(zkr_ext) : 0);
    k->ez = k->da = k->db = NULL;
}

/* The link's tables: the record's first two slices against V's at roff. */
static zkr_err zkr_i2_rlink_tables(zkr_i2_ctx *c)
{
    const zkr_infer2_shape *sh = c->sh;
    zkr_i2_rlink *k = &c->rl;
    size_t len = (size_t)1 << sh->n_rec, nv = (size_t)1 << sh->n_v;
    const zkr_gl *rb = zkr_hpcs_poly_base_evals(c->rec), *vb = zkr_hpcs_poly_base_evals(c->v);

    k->n = sh->n_rec;
    k->ez = zkr_i2_alloc(len), k->da = zkr_i2_alloc(len), k->db = zkr_i2_alloc(len);
    if (!k->ez || !k->da || !k->db)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(c->ch.zrec, sh->n_rec, k->ez);
    for (size_t i = 0; i < len; i++) {
        size_t vi = sh->roff + i;
        zkr_gl d0 = zkr_gl_sub(rb[i], vb[vi]);
        zkr_gl d1 = zkr_gl_sub(zkr_gl_sub(rb[len + i], rb[i]), zkr_gl_sub(vb[nv + vi], vb[vi]));
        k->da[i] = zkr_ext_from(d0);
        k->db[i] = zkr_ext_from(d1);
    }
    return ZKR_OK;
}

/* The link's round message at variable t (before the scaling by murec). */
static void zkr_i2_rlink_round(const zkr_i2_rlink *k, unsigned t, zkr_ext *h)
{
    if (t >= k->n) {
        for (unsigned x = 0; x <= I2_D; x++)
            h[x] = zkr_ext_mul(zkr_ext_mul(k->val, k->pre),
                               zkr_ext_sub(zkr_ext_from(1), zkr_ext_from(x)));
        return;
    }
    for (size_t i = 0; i < ((size_t)1 << (k->n - t - 1)); i++)
        for (unsigned x = 0; x <= I2_D; x++) {
            zkr_gl sx = t == 0 ? zkr_gl_sub(x, zkr_gl_mul(x, x)) : 0;
            zkr_ext e, a, b;
            if (x == 1)
                continue;
            e = zkr_ext_add(k->ez[2 * i],
                            zkr_ext_mul_base(zkr_ext_sub(k->ez[2 * i + 1], k->ez[2 * i]), x));
            a = zkr_ext_add(k->da[2 * i],
                            zkr_ext_mul_base(zkr_ext_sub(k->da[2 * i + 1], k->da[2 * i]), x));
            b = zkr_ext_add(k->db[2 * i],
                            zkr_ext_mul_base(zkr_ext_sub(k->db[2 * i + 1], k->db[2 * i]), x));
            h[x] = zkr_ext_add(h[x], zkr_ext_mul(e, zkr_ext_add(a, zkr_ext_mul_base(b, sx))));
        }
}

static void zkr_i2_rlink_fix(zkr_i2_rlink *k, unsigned t, zkr_ext r)
{
    if (t < k->n) {
        unsigned n = k->n - t;
        zkr_i2_fold(k->ez, NULL, n, r, 0);
        zkr_i2_fold(k->da, k->db, n, r, t == 0);
        if (t + 1 == k->n) {
            k->val = zkr_ext_mul(k->ez[0], k->da[0]);
            k->pre = zkr_ext_from(1);
        }
    } else {
        k->pre = zkr_ext_mul(k->pre, zkr_ext_sub(zkr_ext_from(1), r));
    }
}

/* The batched sumcheck of sum_l mu^l f_l + murec link + rho g (claim rho gamma). */
static zkr_err zkr_i2_sumcheck(zkr_i2_ctx *c)
{
    const zkr_infer2_shape *sh = c->sh;
    zkr_buf *sec = &c->sec[3];
    zkr_ext prefix = zkr_ext_from(0);
    zkr_err r;

    for (uint32_t l = 0; l < sh->s.n_layers; l++) {
        zkr_i2_lst *s = &c->ls[l];
        s->lk = sh->s.layer[l].lk;
        s->lm = sh->lm[l];
        s->nl = s->lk + s->lm;
        if ((r = zkr_i2_ktables(c, l)) != ZKR_OK)
            return r;
    }
    if ((r = zkr_i2_rlink_tables(c)) != ZKR_OK)
        return r;
    for (unsigned t = 0; t < sh->N; t++) {
        zkr_ext h[I2_D + 1], msg[I2_D];
        for (unsigned x = 0; x <= I2_D; x++)
            h[x] = zkr_ext_from(0);
        for (uint32_t l = 0; l < sh->s.n_layers; l++) {
            zkr_i2_lst *s = &c->ls[l];
            zkr_ext hl[I2_D + 1];
            for (unsigned x = 0; x <= I2_D; x++)
                hl[x] = zkr_ext_from(0);
            if (t == s->lk && (r = zkr_i2_jtables(c, l)) != ZKR_OK)
                return r;
            if (t < s->lk)
                zkr_i2_kround(s, t, hl);
            else if (t < s->nl)
                zkr_i2_jround(c, l, t - s->lk, hl);
            else
                for (unsigned x = 0; x <= I2_D; x++)
                    hl[x] = zkr_ext_mul(zkr_ext_mul(s->val, s->pre),
                                        zkr_ext_sub(zkr_ext_from(1), zkr_ext_from(x)));
            for (unsigned x = 0; x <= I2_D; x++)
                h[x] = zkr_ext_add(h[x], zkr_ext_mul(c->ch.mu[l], hl[x]));
        }
        {
            zkr_ext hk[I2_D + 1];
            for (unsigned x = 0; x <= I2_D; x++)
                hk[x] = zkr_ext_from(0);
            zkr_i2_rlink_round(&c->rl, t, hk);
            for (unsigned x = 0; x <= I2_D; x++)
                h[x] = zkr_ext_add(h[x], zkr_ext_mul(c->ch.murec, hk[x]));
        }
        zkr_i2_mask_round(c->gco, sh->N, c->rho, t, prefix, h);
        msg[0] = h[0];
        for (unsigned x = 2; x <= I2_D; x++)
            msg[x - 1] = h[x];
        zkr_ts_absorb_ext(&c->t, "sc-round", msg, I2_D);
        c->r[t] = zkr_ts_challenge_ext(&c->t, "sc-challenge");
        if ((r = zkr_enc_exts(sec, msg, I2_D)) != ZKR_OK)
            return r;
        for (uint32_t l = 0; l < sh->s.n_layers; l++)
            zkr_i2_fix(c, l, t, c->r[t]);
        zkr_i2_rlink_fix(&c->rl, t, c->r[t]);
        prefix = zkr_ext_add(prefix, zkr_infer2_gi(c->gco, t, c->r[t]));
    }
    return ZKR_OK;
}

/* The committed polynomial column `which` of layer l opens. */
static zkr_hpcs_poly *zkr_i2_poly_of(zkr_i2_ctx *c, uint32_t l, unsigned which)
{
    switch (which) {
    case ZKR_I2_W:
    case ZKR_I2_M:
        return c->im->w[l];
    case ZKR_I2_S:
        return l == 0 ? c->rec : c->v;
    case ZKR_I2_T0:
        return c->v;
    default:
        return c->out;
    }
}

/* The revealed values at r: each column's randomised extension, from the committed tables. */
static zkr_err zkr_i2_values(zkr_i2_ctx *c)
{
    const zkr_infer2_shape *sh = c->sh;
    int x8 = zkr_ext8_ok(); /* once: one path for the whole job */
    zkr_ext g;
    zkr_err r;

    for (uint32_t l = 0; l < sh->s.n_layers; l++) {
        unsigned nv = zkr_infer2_n_values(sh, l, c->public_output);
        for (unsigned q = 0; q < nv; q++) {
            zkr_ext zf[ZKR_INFER_MAX_PT + ZKR_HPCS_MAX_BLIND_VARS + 8], tau[4];
            unsigned which = q < ZKR_I2_T0 ? q : q == ZKR_I2_O ? ZKR_I2_O : ZKR_I2_T0;
            zkr_hpcs_poly *f = zkr_i2_poly_of(c, l, which);
            if (which == ZKR_I2_T0)
                for (unsigned b = 0; b < 4; b++)
                    tau[b] = zkr_ext_from(((q - ZKR_I2_T0) >> b) & 1);
            zkr_infer2_point(sh, l, which, c->r, tau, zkr_hpcs_poly_total_vars(f), zf);
            if ((r = zkr_i2_eval_at(f, zf, x8, &c->vals[l][q])) != ZKR_OK)
                return r;
        }
        zkr_ts_absorb_ext(&c->t, "inf2-values", c->vals[l], nv);
        if ((r = zkr_enc_exts(&c->sec[3], c->vals[l], nv)) != ZKR_OK)
            return r;
    }
    {
        /* version 3: V's copy of the record at (r[..n_rec), roff), randomised on r_0 */
        zkr_ext zf[ZKR_INFER_MAX_PT + ZKR_HPCS_MAX_BLIND_VARS + 8];
        zkr_infer2_point(sh, 0, ZKR_I2_RV, c->r, NULL, zkr_hpcs_poly_total_vars(c->v), zf);
        if ((r = zkr_i2_eval_at(c->v, zf, x8, &c->vals[0][ZKR_I2_RV])) != ZKR_OK)
            return r;
        zkr_ts_absorb_ext(&c->t, "inf2-rec-copy", &c->vals[0][ZKR_I2_RV], 1);
        if ((r = zkr_enc_ext(&c->sec[3], c->vals[0][ZKR_I2_RV])) != ZKR_OK)
            return r;
    }
    g = zkr_infer2_gat(c->gco, sh->N, c->r);
    zkr_ts_absorb_ext(&c->t, "inf2-gr", &g, 1);
    return zkr_enc_ext(&c->sec[3], g);
}

/* Polynomial i of the claim reduction: W'_i (i < L), V, the hidden output, h, phi, m. */
static zkr_hpcs_poly *zkr_i2_red_poly(zkr_i2_ctx *c, unsigned i)
{
    zkr_hpcs_poly *zr[3] = {c->zr.h, c->zr.ph, c->zr.m};

    if (c->red.rec_poly && i == c->red.rec_poly)
        return c->rec;
    if (i >= c->red.zr_poly && c->red.zr_poly)
        return zr[i - c->red.zr_poly];
    return i < c->sh->s.n_layers ? c->im->w[i] : i == c->sh->s.n_layers ? c->v : c->out;
}

/* Polynomial i's tables: E (written on its first en entries), P (pn entries), F's base values. */
typedef struct {
    zkr_ext *E, *P;
    size_t en, pn;
    const zkr_gl *pb; /* a base F: P is written by the first fold (pn = 2^(tv - 1)) */
} zkr_i2_red_tab;

/*
 * E_i = sum over claims c on polynomial i of beta_c eq(z_c, .), and F_i's
 * table, both 2^T_i. A claim's trailing zero coordinates (a blinded
 * polynomial's unused slices) keep its eq table on a prefix: only that
 * prefix is built (the rest of E_i stays zero).
 */
static zkr_err zkr_i2_red_tables(zkr_i2_ctx *c, unsigned i, const zkr_ext *beta,
                                 zkr_i2_red_tab *tb)
{
    const zkr_infer2_red *red = &c->red;
    size_t len = (size_t)1 << red->tv[i];
    const zkr_gl *fb = zkr_hpcs_poly_base_evals(zkr_i2_red_poly(c, i));
    const zkr_ext *fe = zkr_hpcs_poly_ext_evals(zkr_i2_red_poly(c, i));
    zkr_ext *eq = NULL;
    int first = 1;

    /* a base F stays in its table until its first fold writes P (half its size) */
    tb->pb = fb && len > 1 ? fb : NULL;
    tb->pn = tb->pb ? len / 2 : len;
    tb->en = 1;
    tb->E = zkr_hpcs_pool_get_zero(c->pool, len * sizeof *tb->E);
    tb->P = tb->pb ? zkr_hpcs_pool_get(c->pool, tb->pn * sizeof *tb->P)
                   : zkr_hpcs_pool_get_zero(c->pool, len * sizeof *tb->P);
    if (!tb->E || !tb->P)
        return ZKR_ERR_NOMEM;
    for (size_t x = 0; !tb->pb && x < len; x++)
        tb->P[x] = fb ? zkr_ext_from(fb[x]) : fe[x]; /* h and phi are extension-valued */
    for (unsigned k = 0; k < red->n_claims; k++) {
        zkr_ext z[ZKR_INFER_MAX_PT + ZKR_HPCS_MAX_BLIND_VARS + 8];
        unsigned m = red->tv[i];
        if (red->poly[k] != i)
            continue;
        zkr_infer2_red_point(c->sh, red, k, c->r, c->tau, z);
        while (m > 0 && zkr_ext_eq(z[m - 1], zkr_ext_from(0)))
            m--;
        if (((size_t)1 << m) > tb->en)
            tb->en = (size_t)1 << m;
        if (first) {
            zkr_mle_eq_table_scaled_mt(z, m, beta[k], c->threads, tb->E);
            first = 0;
            continue;
        }
        if (!eq && !(eq = zkr_i2_alloc(len)))
            return ZKR_ERR_NOMEM;
        zkr_mle_eq_table_scaled_mt(z, m, beta[k], c->threads, eq);
        for (size_t x = 0; x < ((size_t)1 << m); x++)
            tb->E[x] = zkr_ext_add(tb->E[x], eq[x]);
    }
    free(eq);
    return ZKR_OK;
}

/*
 * The reduction's sums, shared out between the prover's threads (zk/par.c):
 * worker w adds its chunk's terms into s[w]; the partial sums are then
 * added in worker order. Field sums are exact, so the result never depends
 * on the thread count (nor on the AVX-512 path).
 */
#define I2_RED_MIN_CHUNK ((size_t)1 << 12)
typedef struct {
    unsigned threads;
    int x8;       /* zkr_ext8_ok, asked once (one path for the whole job) */
    zkr_ext *scr; /* a parallel fold's scratch, or NULL */
} zkr_i2_red_env;

typedef struct {
    const zkr_ext *E, *P;
    const zkr_gl *Pb; /* P's base values (P NULL) */
    int x8;           /* zkr_ext8_ok */
    zkr_ext s[ZKR_PAR_MAX][3];
} zkr_i2_red_sum_job;

/* Pairs [lo, hi): E P's values at 0 and 1 and the x^2 coefficient (zkr_ext8_pairs3). */
static void zkr_i2_red_sum_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_i2_red_sum_job *j = ctx;
    zkr_ext s[3] = {zkr_ext_from(0), zkr_ext_from(0), zkr_ext_from(0)};

    if (j->x8)
        lo = zkr_ext8_pairs3(j->E, j->P, j->Pb, lo, hi, s);
    for (size_t y = lo; y < hi; y++) {
        zkr_ext e0 = j->E[2 * y], e1 = j->E[2 * y + 1], p0, p1;
        p0 = j->P ? j->P[2 * y] : zkr_ext_from(j->Pb[2 * y]);
        p1 = j->P ? j->P[2 * y + 1] : zkr_ext_from(j->Pb[2 * y + 1]);
        s[0] = zkr_ext_add(s[0], zkr_ext_mul(e0, p0));
        s[1] = zkr_ext_add(s[1], zkr_ext_mul(e1, p1));
        s[2] = zkr_ext_add(s[2], zkr_ext_mul(zkr_ext_sub(e1, e0), zkr_ext_sub(p1, p0)));
    }
    j->s[w][0] = s[0], j->s[w][1] = s[1], j->s[w][2] = s[2];
}

/* a[0..3) = zkr_ext8_pairs3's three sums over n pairs (E, P or Pb: 2n entries). */
static void zkr_i2_red_pairs(const zkr_ext *E, const zkr_ext *P, const zkr_gl *Pb, size_t n,
                             const zkr_i2_red_env *env, zkr_ext a[3])
{
    zkr_i2_red_sum_job j;

    j.E = E, j.P = Pb ? NULL : P, j.Pb = Pb, j.x8 = env->x8;
    for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
        j.s[w][0] = j.s[w][1] = j.s[w][2] = zkr_ext_from(0);
    zkr_par_for(env->threads, n, I2_RED_MIN_CHUNK, zkr_i2_red_sum_chunk, &j);
    a[0] = a[1] = a[2] = zkr_ext_from(0);
    for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
        for (unsigned k = 0; k < 3; k++)
            a[k] = zkr_ext_add(a[k], j.s[w][k]);
}

/* sum_y E[y] P[y] (P or Pb) over a table of len entries whose E is zero from sup on. */
static zkr_ext zkr_i2_red_dot(const zkr_ext *E, const zkr_ext *P, const zkr_gl *Pb, size_t len,
                              size_t sup, const zkr_i2_red_env *env)
{
    zkr_ext a[3];

    if (len < 2)
        return zkr_ext_mul(E[0], Pb ? zkr_ext_from(Pb[0]) : P[0]);
    zkr_i2_red_pairs(E, P, Pb, (sup + 1) / 2, env, a);
    return zkr_ext_add(a[0], a[1]);
}

/*
 * Polynomial i's state in the rounds: E_i is zero from sup on (a claim's
 * trailing zero coordinates; each fold halves it), S its whole sum while
 * its variables wait (version 6, the first T_A - T_i rounds).
 */
typedef struct {
    size_t sup;
    zkr_ext S;
    const zkr_gl *pb; /* P's base values until its first fold writes P; else NULL */
} zkr_i2_red_st;

/* Adds polynomial i's share of round t (degree 2 in the round's variable) to h. */
static void zkr_i2_red_round(const zkr_infer2_red *red, unsigned i, unsigned t, const zkr_ext *E,
                             const zkr_ext *P, const zkr_i2_red_st *st,
                             const zkr_i2_red_env *env, zkr_ext *h)
{
    zkr_ext a[3], s1, sc = zkr_ext_from(1);
    unsigned d = red->TA - red->tv[i];
    size_t n;

    if (red->suffix && d > 0) {
        /* version 6: on the last tv[i] variables; constant in the first d */
        zkr_gl inv2 = zkr_gl_inv(2);
        if (t < d) {
            /* 2^-(t+1) S_i, S_i = sum E_i F_i over its whole table (still unfolded) */
            zkr_ext v = st->S;
            for (unsigned k = 0; k <= t; k++)
                v = zkr_ext_mul_base(v, inv2);
            for (unsigned x = 0; x <= I2_D; x++)
                h[x] = zkr_ext_add(h[x], v);
            return;
        }
        for (unsigned k = 0; k < d; k++)
            sc = zkr_ext_mul_base(sc, inv2);
        t -= d; /* its own round, scaled by 2^-d */
    }
    if (t >= red->tv[i]) {
        /* past its variables: E_i(rA) F_i(rA) 2^-(T_A - T_i) on each of 2^(T_A - 1 - t) points */
        zkr_ext v = zkr_ext_mul(E[0], st->pb ? zkr_ext_from(st->pb[0]) : P[0]);
        zkr_gl inv2 = zkr_gl_inv(2);
        for (unsigned k = red->tv[i]; k <= t; k++)
            v = zkr_ext_mul_base(v, inv2);
        for (unsigned x = 0; x <= I2_D; x++)
            h[x] = zkr_ext_add(h[x], v);
        return;
    }
    /* the pairs past E_i's support add nothing */
    n = (size_t)1 << (red->tv[i] - t - 1);
    zkr_i2_red_pairs(E, P, st->pb, (st->sup + 1) / 2 < n ? (st->sup + 1) / 2 : n, env, a);
    s1 = zkr_ext_sub(zkr_ext_sub(a[1], a[0]), a[2]); /* s(1) = s0 + s1 + s2 */
    for (unsigned x = 0; x <= I2_D; x++) {
        zkr_ext X = zkr_ext_from(x);
        h[x] = zkr_ext_add(h[x], zkr_ext_mul(sc, zkr_ext_add(a[0], zkr_ext_mul(X, zkr_ext_add(s1,
                                                                          zkr_ext_mul(X, a[2]))))));
    }
}

/* T[y] = T[2y] + r (T[2y+1] - T[2y]), written to dst (y in the chunk), or copied back src -> dst. */
typedef struct {
    const zkr_ext *src;
    const zkr_gl *bsrc; /* a base source (src NULL): the first fold of a base F */
    zkr_ext *dst;
    zkr_ext r;
    int copy, x8;
} zkr_i2_red_fix_job;

static void zkr_i2_red_fix_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_i2_red_fix_job *j = ctx;

    (void)w;
    if (j->copy) {
        memcpy(j->dst + lo, j->src + lo, (hi - lo) * sizeof *j->dst);
        return;
    }
    if (j->bsrc) {
        const zkr_gl *b = j->bsrc;
        if (j->x8)
            lo = zkr_ext8_fold_base(b, j->dst, lo, hi, j->r);
        for (size_t y = lo; y < hi; y++)
            j->dst[y] = zkr_ext_add(zkr_ext_from(b[2 * y]),
                                    zkr_ext_mul_base(j->r, zkr_gl_sub(b[2 * y + 1], b[2 * y])));
        return;
    }
    if (j->x8)
        lo = zkr_ext8_fold(j->src, j->dst, lo, hi, j->r); /* in place: in index order */
    for (size_t y = lo; y < hi; y++)
        j->dst[y] = zkr_ext_add(j->src[2 * y],
                                zkr_ext_mul(j->r, zkr_ext_sub(j->src[2 * y + 1], j->src[2 * y])));
}

/*
 * Folds T's first 2 n entries in place at r (n new entries). With threads
 * > 1 (and a table worth sharing) the chunks write scr (n entries) and are
 * then copied back: an in-place fold's chunks would read entries that
 * others write.
 */
static void zkr_i2_red_fix(zkr_ext *T, size_t n, zkr_ext r, const zkr_i2_red_env *env)
{
    zkr_i2_red_fix_job j = {T, NULL, T, r, 0, env->x8};

    if (!env->scr || env->threads < 2 || n < 2 * I2_RED_MIN_CHUNK) {
        zkr_i2_red_fix_chunk(&j, 0, n, 0); /* y <= 2y: in place, in order */
        return;
    }
    j.dst = env->scr;
    zkr_par_for(env->threads, n, I2_RED_MIN_CHUNK, zkr_i2_red_fix_chunk, &j);
    j.src = env->scr, j.dst = T, j.copy = 1;
    zkr_par_for(env->threads, n, I2_RED_MIN_CHUNK, zkr_i2_red_fix_chunk, &j);
}

/* Folds E (zero from st->sup on) and P (2 half entries) at r; st->sup follows. */
static void zkr_i2_red_fold(zkr_ext *E, zkr_ext *P, size_t half, zkr_ext r, zkr_i2_red_st *st,
                            const zkr_i2_red_env *env)
{
    size_t ns = (st->sup + 1) / 2, old = st->sup < half ? st->sup : half;

    if (ns > half)
        ns = half;
    zkr_i2_red_fix(E, ns, r, env);
    if (old > ns)
        memset(E + ns, 0, (old - ns) * sizeof *E); /* still held the unfolded values */
    st->sup = ns ? ns : 1;
    if (st->pb) {
        /* P (half entries) from the base table: no overlap, the chunks share it out */
        zkr_i2_red_fix_job j = {NULL, st->pb, P, r, 0, env->x8};
        zkr_par_for(env->threads, half, I2_RED_MIN_CHUNK, zkr_i2_red_fix_chunk, &j);
        st->pb = NULL;
        return;
    }
    zkr_i2_red_fix(P, half, r, env);
}

/* Each polynomial's state before the rounds: E_i's support and (version 6) its whole sum. */
static void zkr_i2_red_start(const zkr_infer2_red *red, zkr_ext *const *E, zkr_ext *const *P,
                             const zkr_gl *const *Pb, const zkr_i2_red_env *env,
                             zkr_i2_red_st *st)
{
    for (unsigned i = 0; i < red->n_polys; i++) {
        size_t len = (size_t)1 << red->tv[i], sup = len;
        while (sup > 1 && zkr_ext_eq(E[i][sup - 1], zkr_ext_from(0)))
            sup--;
        st[i].sup = sup;
        st[i].pb = Pb ? Pb[i] : NULL;
        st[i].S = zkr_ext_from(0);
        if (red->suffix && red->TA > red->tv[i])
            st[i].S = zkr_i2_red_dot(E[i], P[i], st[i].pb, len, sup, env);
    }
}

/*
 * zkr_prover_infer2_red_rounds with Pb (NULL, or per polynomial NULL or
 * its base values: then P[i] holds 2^(tv[i] - 1) entries, written by the
 * first fold from Pb[i], tv[i] >= 1).
 */
static zkr_err zkr_i2_red_rounds(zkr_transcript *t, const zkr_infer2_red *red, const zkr_ext *ga,
                                 zkr_ext **E, zkr_ext **P, const zkr_gl *const *Pb, zkr_ext *rA,
                                 zkr_ext *u, zkr_ext *rho_out, unsigned threads, zkr_buf *out)
{
    zkr_ext gamma = zkr_infer2_gsum(ga, red->TA), rho, prefix = zkr_ext_from(0), *scr = NULL;
    zkr_i2_red_st st[ZKR_INFER2_RED_MAX_POLYS];
    zkr_i2_red_env env;
    size_t scr_len = 0;
    zkr_err r;

    if (threads < 1)
        threads = 1;
    for (unsigned i = 0; i < red->n_polys && threads > 1; i++)
        if (red->tv[i] >= 1 && ((size_t)1 << (red->tv[i] - 1)) > scr_len)
            scr_len = (size_t)1 << (red->tv[i] - 1);
    if (scr_len >= 2 * I2_RED_MIN_CHUNK && !(scr = malloc(scr_len * sizeof *scr)))
        return ZKR_ERR_NOMEM;
    zkr_ts_absorb_ext(t, "inf2-red-gamma", &gamma, 1);
    rho = zkr_ts_challenge_ext(t, "inf2-red-rho");
    if (rho_out)
        *rho_out = rho;
    if ((r = zkr_enc_ext(out, gamma)) != ZKR_OK)
        goto out;
    env.threads = threads, env.x8 = zkr_ext8_ok(), env.scr = scr;
    zkr_i2_red_start(red, E, P, Pb, &env, st);
    for (unsigned k = 0; k < red->TA; k++) {
        zkr_ext h[I2_D + 1], msg[I2_D];
        for (unsigned x = 0; x <= I2_D; x++)
            h[x] = zkr_ext_from(0);
        for (unsigned i = 0; i < red->n_polys; i++)
            zkr_i2_red_round(red, i, k, E[i], P[i], &st[i], &env, h);
        zkr_i2_mask_round(ga, red->TA, rho, k, prefix, h);
        msg[0] = h[0];
        for (unsigned x = 2; x <= I2_D; x++)
            msg[x - 1] = h[x];
        zkr_ts_absorb_ext(t, "sc-round", msg, I2_D);
        rA[k] = zkr_ts_challenge_ext(t, "sc-challenge");
        if ((r = zkr_enc_exts(out, msg, I2_D)) != ZKR_OK)
            goto out;
        for (unsigned i = 0; i < red->n_polys; i++) {
            /* version 6: polynomial i's own rounds start at TA - tv[i] */
            unsigned d = red->suffix ? red->TA - red->tv[i] : 0;
            if (k >= d && k - d < red->tv[i]) {
                size_t half = (size_t)1 << (red->tv[i] - (k - d) - 1);
                zkr_i2_red_fold(E[i], P[i], half, rA[k], &st[i], &env);
            }
        }
        prefix = zkr_ext_add(prefix, zkr_infer2_gi(ga, k, rA[k]));
    }
    for (unsigned i = 0; i < red->n_polys; i++)
        u[i] = st[i].pb ? zkr_ext_from(st[i].pb[0]) : P[i][0];
out:
    zkr_i2_wipe_free(scr, scr ? scr_len * sizeof *scr : 0); /* held P's folds */
    return r;
}

zkr_err zkr_prover_infer2_red_rounds(zkr_transcript *t, const zkr_infer2_red *red,
                                     const zkr_ext *ga, zkr_ext **E, zkr_ext **P, zkr_ext *rA,
                                     zkr_ext *u, zkr_ext *rho_out, unsigned threads, zkr_buf *out)
{
    return zkr_i2_red_rounds(t, red, ga, E, P, NULL, rA, u, rho_out, threads, out);
}

/*
 * The claim reduction's masked sumcheck over T_A variables of
 * sum_i 2^-(T_A - T_i) E_i F_i + rho_A g_A; u[i] = F_i(r_A[0..T_i)).
 */
static zkr_err zkr_i2_red_sumcheck(zkr_i2_ctx *c, zkr_ext **E, zkr_ext **P,
                                   const zkr_gl *const *Pb, zkr_ext *u)
{
    const zkr_infer2_red *red = &c->red;
    const zkr_ext *ga = c->gco + zkr_infer2_stride(c->sh->N);
    zkr_buf *sec = &c->sec[4];
    zkr_err r;

    if ((r = zkr_i2_red_rounds(&c->t, red, ga, E, P, Pb, c->rA, u, NULL, c->threads, sec)) !=
        ZKR_OK)
        return r;
    c->gA = zkr_infer2_gat(ga, red->TA, c->rA);
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->reduce == 1)
        u[0] = zkr_ext_add(u[0], zkr_ext_from(1));
    if (c->cheat && c->cheat->reduce == 3)
        c->gA = zkr_ext_add(c->gA, zkr_ext_from(1));
#endif
    zkr_ts_absorb_ext(&c->t, "inf2-red-values", u, red->n_polys);
    zkr_ts_absorb_ext(&c->t, "inf2-red-gr", &c->gA, 1);
    if ((r = zkr_enc_exts(sec, u, red->n_polys)) != ZKR_OK)
        return r;
    return zkr_enc_ext(sec, c->gA);
}

/*
 * Whether member i's random part covers `budget` proofs at this opening's
 * query count: q' 2^a positions, `values` values and the mixed opening's
 * round-message values (zkr_hpcs_mixed_round_reveals) per proof.
 */
static int zkr_i2_covers(const zkr_i2_ctx *c, const zkr_hpcs_poly *f, const unsigned *totals,
                         unsigned i, uint64_t budget, unsigned values)
{
    unsigned n = zkr_hpcs_poly_n_vars(f), t = zkr_hpcs_poly_total_vars(f);
    unsigned __int128 rnd = (((unsigned __int128)1 << (t - n)) - 1) << n;
    uint64_t per = zkr_hpcs_positions_per_open(c->p, t) + values +
                   zkr_hpcs_mixed_round_reveals(c->p, totals, c->red.n_polys, i);

    return rnd >= (unsigned __int128)budget * per;
}

/*
 * The mixed opening of the reduction. Each W' reveals W^ and M^ at points
 * mixing only its first blinding slice and, in the mixed opening, F(r_A)
 * and up to 4 round-message values (zkr_hpcs_mixed_round_reveals) at r_A;
 * it is opened once: its second budgeted opening and the two values are
 * charged explicitly (ZKR_INFER2_W_OPENINGS; the raised query count stays
 * below twice the set's, so q' 2^a + 3 + 4 <= 2 (q 2^a + 1)). A hidden
 * output reveals out^, F(r_A) and its round values: its commitment
 * (budget ZKR_INFER2_OUTPUT_BUDGET) must cover that many per proof at q'.
 */
static zkr_err zkr_i2_red_open(zkr_i2_ctx *c, const zkr_ext *u)
{
    zkr_hpcs_poly *f[ZKR_HPCS_MAX_MIXED], *fo[ZKR_HPCS_MAX_MIXED];
    unsigned totals[ZKR_HPCS_MAX_MIXED], order[ZKR_INFER2_RED_MAX_POLYS];
    zkr_ext v[ZKR_HPCS_MAX_MIXED], vo[ZKR_HPCS_MAX_MIXED];
    zkr_err r;

    if (c->red.n_polys > ZKR_HPCS_MAX_MIXED)
        return ZKR_ERR_TOO_LARGE;
    for (unsigned i = 0; i < c->red.n_polys; i++) {
        f[i] = zkr_i2_red_poly(c, i);
        totals[i] = zkr_hpcs_poly_total_vars(f[i]);
    }
    for (uint32_t l = 0; l < c->sh->s.n_layers; l++) {
        /* the two charged openings (blinded at the set's q) cover q' 2^a + 3 + its round values */
        unsigned t = zkr_hpcs_poly_total_vars(c->im->w[l]);
        uint64_t per = zkr_hpcs_positions_per_open(c->p, t) + 3 +
                       zkr_hpcs_mixed_round_reveals(c->p, totals, c->red.n_polys, l);
        if (per > 2 * (zkr_hpcs_positions_per_open(c->p0, t) + 1))
            return zkr_fail(c->d, ZKR_ERR_USAGE, "prove: layer %u's weights: %u queries reveal "
                            "more than its two charged openings are blinded for", l,
                            c->p->queries);
        if ((r = zkr_hpcs_charge(c->im->w[l], ZKR_INFER2_W_OPENINGS - 1, 2, 1)) != ZKR_OK)
            return zkr_fail(c->d, r, "prove: layer %u's weights: the model commitment's "
                            "opening budget is spent", l);
    }
    if (!c->public_output &&
        (!zkr_i2_covers(c, c->out, totals, c->sh->s.n_layers + 1, ZKR_INFER2_OUTPUT_BUDGET, 2) ||
         (r = zkr_hpcs_charge(c->out, 0, 1, 1)) != ZKR_OK))
        return zkr_fail(c->d, ZKR_ERR_USAGE, "prove: the output commitment's blinding does not "
                        "cover %u proofs at %u queries", ZKR_INFER2_OUTPUT_BUDGET,
                        c->p->queries);
    /*
     * Version 6 on: the record is opened here, at q' (its owner blinded it
     * for `budget` proofs at the parameter set's q): its random part must
     * cover budget (q' 2^a + 2 + its round values) per proof, S^ and u_rec
     * its two values.
     */
    if (!zkr_i2_covers(c, c->rec, totals, c->red.rec_poly, zkr_hpcs_budget_total(c->rec), 2) ||
        (r = zkr_hpcs_charge(c->rec, 0, 1, 1)) != ZKR_OK)
        return zkr_fail(c->d, ZKR_ERR_USAGE, "prove: the record commitment's blinding does not "
                        "cover its budget of %u proofs at %u queries (commit the record with a "
                        "smaller budget)", zkr_hpcs_budget_total(c->rec), c->p->queries);
    for (unsigned i = 0; i < c->red.n_polys; i++) {
        v[i] = u[i];
#if ZKR_TEST_BUILD
        if (c->cheat && ((c->cheat->reduce == 2 && i == 0) ||
                         (c->cheat->reduce == 5 && i == c->red.rec_poly) ||
                         (c->cheat->reduce == 6 && i == c->sh->s.n_layers) ||
                         (c->cheat->reduce == 7 && !c->public_output &&
                          i == c->sh->s.n_layers + 1)))
            v[i] = zkr_ext_add(v[i], zkr_ext_from(1));
#endif
    }
    /*
     * every u_i is F_i at the last T_i coordinates of r_A: one mixed opening,
     * members in zkr_infer2_open_order's order (version 10: m beside V)
     */
    zkr_infer2_open_order(&c->red, c->sh->s.n_layers, order);
    for (unsigned j = 0; j < c->red.n_polys; j++) {
        fo[j] = f[order[j]];
        vo[j] = v[order[j]];
    }
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->mix_mask) { /* Z2 for the nested Z, b + 1, or the control */
        zkr_hpcs_pmask_cheat pm = {c->cheat->mix_mask == 2 ? 1u : 0u, c->cheat->mix_mask == 1,
                                   0, 0};
        if (!zkr_infer2_nest_h(c->p, &c->red, c->sh->s.n_layers))
            return ZKR_ERR_USAGE; /* a shape whose Z keeps its own tree: nothing nested to attack */
        return zkr_prover_hopen_mixed_pmask_cheat(c->p, &c->t, fo, c->red.n_polys, c->rA, vo,
                                                  &pm, &c->rng, &c->sec[4]);
    }
#endif
    return zkr_prover_hopen_mixed(c->p, &c->t, fo, c->red.n_polys, c->rA, vo, &c->rng,
                                  c->threads, &c->sec[4]);
}

/*
 * Section 28 (version 6): the claim reduction of W', V, the output, h, phi,
 * m and the record to r_A, then their one mixed hiding opening.
 */
static zkr_err zkr_i2_openings(zkr_i2_ctx *c)
{
    const zkr_infer2_shape *sh = c->sh;
    const zkr_infer2_red *red = &c->red;
    zkr_ext beta[ZKR_INFER2_RED_MAX_CLAIMS], u[ZKR_INFER2_RED_MAX_POLYS];
    zkr_ext *E[ZKR_INFER2_RED_MAX_POLYS] = {0}, *P[ZKR_INFER2_RED_MAX_POLYS] = {0};
    const zkr_gl *Pb[ZKR_INFER2_RED_MAX_POLYS] = {0};
    zkr_i2_red_tab tb[ZKR_INFER2_RED_MAX_POLYS];
    zkr_err r = ZKR_OK;

    memset(tb, 0, sizeof tb);
    for (uint32_t l = 0; l < sh->s.n_layers; l++)
        zkr_ts_challenge_exts(&c->t, "inf2-tau", c->tau[l], ZKR_INFER_SLOTS_LOG);
    zkr_ts_challenge_exts(&c->t, "inf2-red-beta", beta, red->n_claims);
    for (unsigned i = 0; i < red->n_polys && r == ZKR_OK; i++) {
        r = zkr_i2_red_tables(c, i, beta, &tb[i]);
        E[i] = tb[i].E, P[i] = tb[i].P, Pb[i] = tb[i].pb;
    }
    if (r == ZKR_OK)
        r = zkr_i2_red_sumcheck(c, E, P, Pb, u);
    for (unsigned i = 0; i < red->n_polys; i++) {
        /* back to the pool (the mask's tables take them): E wiped over its written prefix */
        size_t len = (size_t)1 << red->tv[i];
        if (tb[i].E)
            sodium_memzero(tb[i].E, tb[i].en * sizeof(zkr_ext));
        zkr_hpcs_pool_put(c->pool, tb[i].E, len * sizeof(zkr_ext), 0);
        zkr_hpcs_pool_put(c->pool, tb[i].P, tb[i].pn * sizeof(zkr_ext), 1);
    }
    if (r != ZKR_OK)
        return r;
    return zkr_i2_red_open(c, u);
}

#if ZKR_TEST_BUILD
/*
 * Cheat c_mask (version 11, adversarial review): G of C's opening folds a
 * mask Z2 other than the Z the pair's leaves hold, made after rho. 1: Z2
 * has Z's slice values (every sent value honest); 2: Z2 is Z with one slice
 * entry moved so that <C + rho Z2, Lambda> is the verifier's claim (with
 * range_lie 2's false g_R(r_R) that claim is false: the linear sumcheck
 * then holds, and v is G's); 3: Z2 = Z through the same path (control).
 * tab[0] becomes C + rho Z2 on the slice.
 */
static zkr_err zkr_i2_cmask_cheat(zkr_i2_ctx *c, zkr_ext xi, zkr_ext rho, zkr_ext sigma,
                                  zkr_ext *const *tab)
{
    size_t len = (size_t)1 << c->lc, j = 0;
    const zkr_ext *zv = zkr_hpcs_mask_evals(c->cmask);
    zkr_ext *z2, want, have = zkr_ext_from(0);
    zkr_hpcs_commitment cc;
    zkr_err r;

    if (c->cheat->c_mask == 3)
        return ZKR_OK;
    if (!(z2 = zkr_i2_alloc(len)))
        return ZKR_ERR_NOMEM;
    memcpy(z2, zv, len * sizeof *z2);
    if (c->cheat->c_mask == 2) {
        /* the verifier's claim: g(r) + xi (g_A + xi g_R(r_R) as sent) + rho sigma */
        want = zkr_ext_add(zkr_infer2_gat(c->gco, c->sh->N, c->r),
                           zkr_ext_mul(xi, zkr_ext_add(c->gA, zkr_ext_mul(xi, c->zr.vals[4]))));
        want = zkr_ext_add(want, zkr_ext_mul(rho, sigma));
        for (size_t i = 0; i < len; i++)
            have = zkr_ext_add(have, zkr_ext_mul(tab[0][i], tab[1][i]));
        while (j + 1 < len && zkr_ext_eq(tab[1][j], zkr_ext_from(0)))
            j++;
        /* Z2[j] = Z[j] + (want - have) / (rho Lambda[j]) */
        z2[j] = zkr_ext_add(z2[j], zkr_ext_mul(zkr_ext_sub(want, have),
                                               zkr_ext_inv(zkr_ext_mul(rho, tab[1][j]))));
        tab[0][j] = zkr_ext_add(tab[0][j], zkr_ext_mul(rho, zkr_ext_sub(z2[j], zv[j])));
    }
    r = zkr_prover_hcommit_ext_sized(&c->pc, z2, c->lc, zkr_hpcs_poly_total_vars(c->c), 1,
                                     &c->rng, c->threads, &c->cmask2, &cc);
    zkr_i2_wipe_free(z2, len * sizeof *z2);
    return r;
}
#endif

/* g(r) = <C, Lambda(r)>: the masked linear sumcheck and C's opening (prover/zk_range.c's). */
static zkr_err zkr_i2_coef(zkr_i2_ctx *c)
{
    size_t len = (size_t)1 << c->lc;
    zkr_ext *tab[2] = {zkr_i2_alloc(len), zkr_i2_alloc(len)};
    zkr_ext *msgs = zkr_i2_alloc(2 * (size_t)c->lc + 1), rc[64], sigma = zkr_ext_from(0);
    zkr_ext rho, v, xi;
    const zkr_gl *cb = zkr_hpcs_poly_base_evals(c->c);
    const zkr_ext *zv;
    zkr_buf *sec = &c->sec[5];
    zkr_err r = ZKR_ERR_NOMEM;

    if (!tab[0] || !tab[1] || !msgs)
        goto out;
    /* version 11: the mask was committed in C's tree (zkr_prover_hcommit_masked) */
    zv = zkr_hpcs_mask_evals(c->cmask);
    /* one linear claim for the three masks (version 5): g(r) + xi g_A(r_A) + xi^2 g_R(r_R) */
    xi = zkr_ts_challenge_ext(&c->t, "inf2-xi");
    zkr_infer2_lambda5(c->r, c->sh->N, c->rA, c->red.TA, c->zr.r, c->zr.N, xi, c->lc, tab[1]);
    for (size_t j = 0; j < len; j++)
        sigma = zkr_ext_add(sigma, zkr_ext_mul(zv[j], tab[1][j]));
    zkr_ts_absorb_ext(&c->t, "inf2-csigma", &sigma, 1);
    rho = zkr_ts_challenge_ext(&c->t, "inf2-crho");
    for (size_t j = 0; j < len; j++) {
        tab[0][j] = zkr_ext_mul(rho, zv[j]);
        tab[0][j].c[0] = zkr_gl_add(tab[0][j].c[0], cb[j]);
    }
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->c_mask && (r = zkr_i2_cmask_cheat(c, xi, rho, sigma, tab)) != ZKR_OK)
        goto out;
#endif
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly f = {tab, 2, &term, 1, 2, NULL};
        zkr_prover_sumcheck(&f, c->lc, &c->t, c->threads, msgs, rc);
    }
    v = tab[0][0];
    zkr_ts_absorb_ext(&c->t, "inf2-cv", &v, 1);
    if ((r = zkr_enc_ext(sec, sigma)) != ZKR_OK ||
        (r = zkr_enc_exts(sec, msgs, 2 * (size_t)c->lc)) != ZKR_OK ||
        (r = zkr_enc_ext(sec, v)) != ZKR_OK)
        goto out;
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->c_mask) {
        /* the pair's one tree opens (its leaves hold Z), G folds c->cmask2 */
        r = zkr_prover_hopen_cheat(&c->pc, &c->t, c->c, c->cmask,
                                   c->cmask2 ? c->cmask2 : c->cmask, rho, rc, 0, v, &c->rng, sec);
        goto out;
    }
#endif
    r = zkr_prover_hopen(&c->pc, &c->t, c->c, c->cmask, rho, rc, v, &c->rng, c->threads, sec);
out:
    for (int i = 0; i < 2; i++)
        zkr_i2_wipe_free(tab[i], tab[i] ? len * sizeof(zkr_ext) : 0);
    free(msgs);
    return r;
}

#if ZKR_TEST_BUILD
/*
 * Cheat range_lie 3 to 5: one count of the byte table's most frequent entry
 * moved to the next entry (m's sum unchanged; m no longer V's counts).
 */
static void zkr_i2_cheat_move_count(zkr_gl *mult)
{
    unsigned top = 0;

    for (unsigned j = 1; j < 256; j++)
        if (mult[j] > mult[top])
            top = j;
    mult[top] -= 1;
    mult[(top + 1) % 256] += 1;
}
#endif

/*
 * V (fitted leaves) alone, or (version 10, zkr_infer2_stacks_v_m) with the
 * range proof's multiplicities m as one stacked pair: m is V's counts
 * over the byte table, fixed by V and bound before X as the range proof
 * needs; the range proof takes it from c->zr.m_given.
 */
static zkr_err zkr_i2_commit_v(zkr_i2_ctx *c, uint32_t budget, unsigned total, unsigned fit,
                               zkr_hpcs_commitment *vc)
{
    const zkr_infer2_shape *sh = c->sh;
    const zkr_zkrange_table bytes = {0, 256};
    unsigned nm = zkr_zkrange_sc_vars(sh->n_v);
    size_t mlen = (size_t)1 << nm;
    zkr_hpcs_pair_member mv = {c->w.v, sh->n_v, budget}, mm = {NULL, nm, 1};
    zkr_zkrange_cheat zc;
    zkr_hpcs_commitment mc;
    zkr_gl *mult;
    unsigned nest_h;
    zkr_err r;

    if (!zkr_infer2_stacks_v_m(c->p, &c->red, sh->s.n_layers))
        return zkr_prover_hcommit_fit_pool(c->p, c->w.v, sh->n_v, total, budget, fit, NULL,
                                           &c->rng, c->threads, &c->v, vc);
    if (!(mult = calloc(mlen, sizeof *mult)))
        return ZKR_ERR_NOMEM;
    memset(&zc, 0, sizeof zc);
#if ZKR_TEST_BUILD
    zc.force = c->cheat && (c->cheat->forge || c->cheat->rec_x); /* as zkr_i2_run's */
#endif
    mm.evals = mult;
    r = zkr_prover_zkrange_mult(c->w.v, sh->n_v, &bytes, &zc, mult);
#if ZKR_TEST_BUILD
    if (r == ZKR_OK && c->cheat && c->cheat->range_lie >= 3 && c->cheat->range_lie <= 5)
        zkr_i2_cheat_move_count(mult);
#endif
    /* version 13: the mixed opening's mask Z drawn now, nested under the pair's leaves */
    if (r == ZKR_OK && (nest_h = zkr_infer2_nest_h(c->p, &c->red, sh->s.n_layers)) != 0)
        r = zkr_prover_hcommit_pair_nest_pool(c->p, &mv, &mm, total, fit, c->red.TA, nest_h, NULL,
                                              &c->rng, c->threads, &c->v, &c->zr.m_given, vc,
                                              &mc);
    else if (r == ZKR_OK)
        r = zkr_prover_hcommit_pair_fit_pool(c->p, &mv, &mm, total, fit, NULL, &c->rng,
                                             c->threads, &c->v, &c->zr.m_given, vc, &mc);
    zkr_i2_wipe_free(mult, mlen * sizeof *mult);
    return r;
}

/*
 * V and the Libra coefficients C (both masks' sizes follow from V's and
 * the model's): committed before any challenge of the sumcheck.
 */
static zkr_err zkr_i2_commit_v_c(zkr_i2_ctx *c)
{
    const zkr_infer2_shape *sh = c->sh;
    size_t sm = zkr_infer2_stride(sh->N), sa, sr, clen;
    unsigned wt[ZKR_INFER_MAX_LAYERS];
    zkr_hpcs_commitment vc, cc;
    uint32_t budget = zkr_infer2_v_budget(sh->s.n_layers);
    unsigned ve = zkr_hpcs_blind_vars(c->p, sh->n_v, budget), fit;
    zkr_gl *cb;
    zkr_err r;

    if (ve == 0)
        return ZKR_ERR_TOO_LARGE;
    if ((r = zkr_hpcs_pool_new(&c->pool, c->threads)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < sh->s.n_layers; l++)
        wt[l] = zkr_hpcs_poly_total_vars(c->im->w[l]);
    zkr_infer2_red_init(sh, wt, sh->n_v + ve,
                        c->public_output ? 0 : zkr_hpcs_poly_total_vars(c->out), &c->red);
    /* version 6: the record's claim joins the reduction (T_A may grow) */
    zkr_infer2_red_add_record(&c->red, zkr_hpcs_poly_total_vars(c->rec));
    /*
     * Version 8: V and the range proof's helpers (all of V's size) are
     * committed with fitted leaves, the values their join in the mixed
     * opening reads (zkr_infer2_fit_arity: from the sizes alone).
     */
    if ((fit = zkr_infer2_fit_arity(c->p, &c->red, sh->s.n_layers)) == 0)
        return ZKR_ERR_USAGE;
    c->zr.leaf_arity = fit;
    /* version 9: h and phi in one tree where their leaves fit together */
    c->zr.stack_h_phi = zkr_infer2_stacks_h_phi(c->p, &c->red, sh->s.n_layers);
    /* version 10: V and the range proof's m (fixed by V) likewise */
    if ((r = zkr_i2_commit_v(c, budget, sh->n_v + ve, fit, &vc)) != ZKR_OK)
        return r;
    /* V's pool: the range proof's helpers, the reduction and the mixed opening draw from it */
    zkr_hpcs_poly_use_pool(c->v, c->pool);
    sa = zkr_infer2_stride(c->red.TA);
    sr = zkr_infer2_stride(zkr_zkrange_sc_vars(sh->n_v));
    c->lc = zkr_infer2_lc_vars5(sh->N, c->red.TA, zkr_zkrange_sc_vars(sh->n_v));
    clen = (size_t)1 << c->lc;
    c->n_gco = sm + sa + sr;
    c->gco = zkr_i2_alloc(c->n_gco);
    cb = calloc(clen, sizeof *cb);
    if (!c->gco || !cb) {
        free(cb);
        return ZKR_ERR_NOMEM;
    }
    for (size_t i = 0; i < c->n_gco; i++) {
        c->gco[i] = zkr_zkrng_ext(&c->rng);
        for (unsigned k = 0; k < 3; k++)
            cb[i < sm        ? k * sm + i
               : i < sm + sa ? 3 * sm + k * sa + (i - sm)
                             : 3 * (sm + sa) + k * sr + (i - sm - sa)] = c->gco[i].c[k];
    }
    /* version 10: C at its own rate (zkr_infer2_c_params from the set, as the figure's) */
    zkr_infer2_c_params(c->p0, c->lc, &c->pc);
#if ZKR_TEST_BUILD
    if (c->cheat && c->cheat->c_params == 1)
        c->pc = *c->p; /* version 9's C at the mixed opening's rate and q' */
    else if (c->cheat && c->cheat->c_params == 2)
        c->pc.queries--; /* one query fewer than C's own count */
    else if (c->cheat && c->cheat->c_params == 3)
        c->pc.fold_arity = c->p0->fold_arity; /* version 11's 16-value leaves */
    else if (c->cheat && c->cheat->c_params == 4)
        c->pc.fold_arity = ZKR_INFER2_C_FOLD_ARITY - 1; /* 4-value leaves */
#endif
    r = zkr_prover_hcommit_masked(&c->pc, cb, c->lc, 1, &c->rng, c->threads, &c->c, &c->cmask,
                                  &cc);
    zkr_i2_wipe_free(cb, clen * sizeof *cb);
    if (r != ZKR_OK)
        return r;
    zkr_ts_absorb(&c->t, "inf2-v-root", vc.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_u64(&c->t, "inf2-v-blind", vc.blind_vars);
    zkr_ts_absorb(&c->t, "inf2-c-root", cc.root, ZKR_DIGEST_BYTES);
    if ((r = zkr_enc_u32(&c->sec[1], ZKR_INFER2_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(&c->sec[1], vc.root, ZKR_DIGEST_BYTES)) != ZKR_OK)
        return r;
    return zkr_buf_append(&c->sec[1], cc.root, ZKR_DIGEST_BYTES);
}

static zkr_err zkr_i2_run(zkr_i2_ctx *c)
{
    const zkr_infer2_shape *sh = c->sh;
    zkr_zkrange_table bytes = {0, 256};
    zkr_zkrange_cheat zc;
    zkr_ext gamma;
    zkr_err r;

    if ((r = zkr_i2_commit_v_c(c)) != ZKR_OK)
        return r;
    memset(&zc, 0, sizeof zc);
#if ZKR_TEST_BUILD
    zc.force = c->cheat && (c->cheat->forge || c->cheat->rec_x);
    zc.shift_h = c->cheat && c->cheat->range_lie == 1;
    zc.fit_g = c->cheat && (c->cheat->range_lie == 2 || c->cheat->range_lie == 4);
    zc.m_any = c->cheat && (c->cheat->range_lie == 3 || c->cheat->range_lie == 4);
    zc.m_root_lie = c->cheat && c->cheat->range_lie == 6;
#endif
    /* version 5: deferred, its claims join the reduction and g_R is C's third block */
    c->zr.gco = c->gco + zkr_infer2_stride(sh->N) + zkr_infer2_stride(c->red.TA);
    r = zkr_prover_zkrange_defer(c->p, &c->t, c->v, &bytes, &zc, &c->zr, &c->rng, c->threads,
                                 &c->sec[2]);
    if (r != ZKR_OK)
        return r;
    /*
     * V: the range proof's opening and value are charged (the value is bound
     * by the reduction's opening now); h, phi, m: one more value each (at the
     * range point; their opening is the reduction's, at r_A).
     */
    if ((r = zkr_hpcs_charge(c->v, 1, 1, c->zr.E)) != ZKR_OK ||
        (r = zkr_hpcs_charge(c->zr.h, 0, 1, c->zr.E)) != ZKR_OK ||
        (r = zkr_hpcs_charge(c->zr.ph, 0, 1, c->zr.E)) != ZKR_OK ||
        (r = zkr_hpcs_charge(c->zr.m, 0, 1, c->zr.E)) != ZKR_OK)
        return r;
    zkr_infer2_red_add_range(&c->red, sh->s.n_layers, c->zr.zf, c->zr.vals);
    zkr_infer2_draw(&c->t, sh, &c->ch);
    gamma = zkr_infer2_gsum(c->gco, sh->N);
    zkr_ts_absorb_ext(&c->t, "inf2-gamma", &gamma, 1);
    c->rho = zkr_ts_challenge_ext(&c->t, "inf2-rho");
    if ((r = zkr_enc_ext(&c->sec[3], gamma)) != ZKR_OK || (r = zkr_i2_sumcheck(c)) != ZKR_OK ||
        (r = zkr_i2_values(c)) != ZKR_OK || (r = zkr_i2_openings(c)) != ZKR_OK)
        return r;
    return zkr_i2_coef(c);
}

/* Test builds: the forged witnesses of zkr_infer2_cheat (docs/soundness.md, inference@2). */
static zkr_err zkr_i2_forge(zkr_i2_ctx *c, unsigned forge, zkr_buf *outb)
{
    const zkr_infer2_shape *sh = c->sh;
    const zkr_infer_layer *L0 = &sh->s.layer[0];
    size_t n0 = (size_t)1 << sh->lm[0];
    zkr_gl *col = zkr_i2_slot(sh, c->w.v, 0, 0);

    switch (forge) {
    case 1: {
        /*
         * y + 1 on row 0 of layer 0 with r - 2^s: the requantisation holds
         * mod p, but r's limbs now carry a field element near p.
         */
        zkr_gl rr = 0, y = col[ZKR_INFER_SLOT_Y * n0];
        for (unsigned i = L0->nr; i-- > 0;)
            rr = rr * 256 + col[(ZKR_INFER_SLOT_R0 + i) * n0];
        rr = zkr_gl_sub(rr, (zkr_gl)1 << L0->shift);
        col[ZKR_INFER_SLOT_Y * n0] = zkr_gl_add(y, 1);
        col[ZKR_INFER_SLOT_YC * n0] = zkr_gl_sub(col[ZKR_INFER_SLOT_YC * n0], 1);
        for (unsigned i = 0; i + 1 < L0->nr; i++) {
            col[(ZKR_INFER_SLOT_R0 + i) * n0] = rr & 0xff;
            rr >>= 8;
        }
        col[(ZKR_INFER_SLOT_R0 + L0->nr - 1) * n0] = rr; /* the rest: far off the byte table */
        col[L0->slot_rtc * n0] = zkr_gl_mul(rr, L0->c_r);
        return ZKR_OK;
    }
    case 2: {
        /* A wrapped limb: r_0 + 256 with r_1 - 1 (the same integer r) on the first row with r_1 >= 1. */
        for (uint32_t l = 0; l < sh->s.n_layers; l++) {
            const zkr_infer_layer *L = &sh->s.layer[l];
            size_t n = (size_t)1 << sh->lm[l];
            zkr_gl *cl = zkr_i2_slot(sh, c->w.v, l, 0);
            if (L->nr < 2)
                continue;
            for (size_t j = 0; j < n; j++)
                if (cl[(ZKR_INFER_SLOT_R0 + 1) * n + j] >= 1) {
                    cl[ZKR_INFER_SLOT_R0 * n + j] += 256;
                    cl[(ZKR_INFER_SLOT_R0 + 1) * n + j] -= 1;
                    if (L->nr == 2) /* limb 1 is the top one: keep its scaled copy consistent */
                        cl[L->slot_rtc * n + j] -= L->c_r;
                    return ZKR_OK;
                }
        }
        return ZKR_ERR_USAGE;
    }
    case 3:
        /* A clamp flag of 2 on row 0 of layer 0 (no wrap: HI^2 - HI = 2 over the field too). */
        col[ZKR_INFER_SLOT_HI * n0] = 2;
        return ZKR_OK;
    case 5:
        return ZKR_OK; /* the witness was built on another input */
    case 6:
        return c->public_output ? ZKR_ERR_USAGE : ZKR_OK; /* the output commitment's logits differ */
    case 7:
        /* V's copy of the record off by one in entry 0 (a byte still): the link must fail */
        c->w.v[sh->roff] ^= 1;
        return ZKR_OK;
    case 4: {
        /* The last logit + 1 in the witness and in the public output. */
        uint32_t l = sh->s.n_layers - 1;
        size_t n = (size_t)1 << sh->lm[l];
        zkr_gl *cl = zkr_i2_slot(sh, c->w.v, l, 0);
        uint32_t j = c->w.out_dim - 1;
        if (c->w.y[j] == 127)
            return ZKR_ERR_USAGE;
        cl[ZKR_INFER_SLOT_Y * n + j] += 1;
        cl[ZKR_INFER_SLOT_YC * n + j] -= 1;
        c->w.y[j]++;
        outb->len = 0;
        return zkr_infer_output_encode(c->w.y, c->w.out_dim, outb);
    }
    default:
        return ZKR_ERR_USAGE;
    }
}

/* zkr_infer2_params over im's shapes; the refusal names the cap and the target. */
static zkr_err i2_queries(const zkr_params *p, const zkr_infer2_model *im, unsigned rec_total,
                          int public_output, zkr_params *pq, zkr_diag *d)
{
    uint32_t od[ZKR_INFER_MAX_LAYERS];

    for (uint32_t l = 0; l < im->sh.s.n_layers; l++)
        od[l] = im->sh.s.layer[l].out_dim;
    if (zkr_infer2_params(p, &im->mc, im->sh.s.input_dim, od, public_output != 0, rec_total,
                          pq) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS,
                        "prove: no query count up to %u reaches %u provable bits for this "
                        "model and record at parameter set %u",
                        pq->queries, p->target_bits, (unsigned)p->id);
    return ZKR_OK;
}

zkr_err zkr_prover_infer2_queries(const zkr_params *p, const zkr_infer2_model *im,
                                  const zkr_infer2_record *rec, int public_output,
                                  zkr_params *pq, zkr_diag *d)
{
    zkr_record_commitment rc;

    if (rec->commitment == NULL ||
        zkr_record_commitment_decode(p, rec->commitment, ZKR_RECORD_COMMIT_BYTES, &rc) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "record commitment malformed at parameter set %u",
                        (unsigned)p->id);
    return i2_queries(p, im, rc.comm.n_vars + rc.comm.blind_vars, public_output, pq, d);
}

static zkr_err zkr_i2_prove(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                            zkr_infer2_model *im, const zkr_infer2_record *rec, int public_output,
                            const uint8_t *oc, const uint8_t *oc_opening, const uint8_t *seed,
                            size_t seed_len, unsigned threads, const zkr_infer2_cheat *cheat,
                            zkr_buf *proof, zkr_diag *d)
{
    static const uint32_t tags[6] = {ZKR_SEC_STATEMENT,     ZKR_SEC_INF2_WITNESS,
                                     ZKR_SEC_ZK_RANGE,      ZKR_SEC_INF2_SUMCHECK,
                                     ZKR_SEC_INF2_OPENINGS, ZKR_SEC_INF2_COEF};
    zkr_i2_ctx *c = calloc(1, sizeof *c);
    zkr_buf outb = {0};
    uint8_t pd[ZKR_DIGEST_BYTES];
    zkr_err r;

    proof->len = 0;
    if (!c)
        return ZKR_ERR_NOMEM;
    c->p0 = p, c->im = im, c->sh = &im->sh, c->threads = threads ? threads : 1, c->d = d;
    c->public_output = public_output != 0, c->cheat = cheat;
    zkr_params_digest(p, pd);
    if (!rec->record || rec->record_len != (size_t)im->sh.s.input_dim + 1 || !rec->commitment ||
        !rec->opening) {
        r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "record: %zu bytes, the program wants %u and a label",
                     rec->record_len, im->sh.s.input_dim);
        goto out;
    }
    if (!public_output && (!oc || !oc_opening)) {
        r = zkr_fail(d, ZKR_ERR_USAGE, "prove: a hidden output needs its commitment and opening");
        goto out;
    }
    if (zkr_infer2_proofs_left(im) < 1) {
        r = zkr_fail(d, ZKR_ERR_USAGE, "prove: the model commitment's opening budget is spent");
        goto out;
    }
#if ZKR_TEST_BUILD
    if (cheat && cheat->rec_x)
        r = zkr_prover_record_commit_gl_for_test(p, cheat->rec_x, rec->record_len,
                                                 zkr_load_be32(rec->opening + 4), rec->opening + 8,
                                                 c->threads, &c->rec, NULL);
    else
#endif
        r = zkr_prover_record_reopen(p, rec->record, rec->record_len, rec->commitment,
                                     rec->opening, c->threads, &c->rec);
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, "prove: the record and its opening do not give its commitment");
        goto out;
    }
    /* version 6: q' from the shapes and the record's size (it joins the mixed opening) */
    if ((r = i2_queries(p, im, zkr_hpcs_poly_total_vars(c->rec), c->public_output, &c->pq, d)) !=
        ZKR_OK)
        goto out;
    c->p = &c->pq;
    {
        uint8_t other[ZKR_INFER_MAX_RECORD];
        const uint8_t *input = rec->record;
        const zkr_gl *xf = NULL;
        int twin = 0;
#if ZKR_TEST_BUILD
        if (cheat && cheat->forge == 5) {
            /* the witness of another input: the record's first byte changed */
            memcpy(other, rec->record, rec->record_len);
            other[0] ^= 1;
            input = other;
        }
        if (cheat)
            xf = cheat->rec_x, twin = cheat->rec_twin;
#endif
        r = zkr_i2_witness_f(im, input, xf, twin, &c->w);
        sodium_memzero(other, sizeof other);
    }
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, "witness: the model's values leave the proven bounds");
        goto out;
    }
    /* Version 3: V's copy of the committed record (input and label), range-proven with V. */
    for (size_t i = 0; i < rec->record_len; i++)
        c->w.v[im->sh.roff + i] = rec->record[i];
#if ZKR_TEST_BUILD
    if (cheat && cheat->rec_x)
        for (size_t i = 0; i < rec->record_len; i++)
            c->w.v[im->sh.roff + i] =
                cheat->rec_copy_bytes ? cheat->rec_x[i] & 0xff : cheat->rec_x[i];
#endif
    if ((r = zkr_infer_output_encode(c->w.y, c->w.out_dim, &outb)) != ZKR_OK)
        goto out;
#if ZKR_TEST_BUILD
    if (cheat && cheat->forge && (r = zkr_i2_forge(c, cheat->forge, &outb)) != ZKR_OK) {
        r = zkr_fail(d, r, "cheat: forge %u does not apply to this model", cheat->forge);
        goto out;
    }
#else
    (void)zkr_i2_forge;
#endif
    if (!public_output) {
        zkr_infer2_output_commitment want, got;
        if (zkr_infer2_oc_decode(p, oc, ZKR_INFER2_OUTPUT_COMMIT_BYTES, &want) != ZKR_OK ||
            zkr_load_be32(oc_opening) != 1 ||
            zkr_load_be32(oc_opening + 4) != ZKR_INFER2_OUTPUT_BUDGET) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "prove: output commitment or opening malformed");
            goto out;
        }
        const int8_t *yo = c->w.y;
#if ZKR_TEST_BUILD
        int8_t y6[ZKR_INFER_MAX_DIM];
        if (cheat && cheat->forge == 6) {
            /* the committed output: other logits than the (honest) witness's */
            memcpy(y6, c->w.y, c->w.out_dim);
            y6[c->w.out_dim - 1] = (int8_t)(y6[c->w.out_dim - 1] == 127 ? 126 : y6[c->w.out_dim - 1] + 1);
            yo = y6;
        }
#endif
        if ((r = zkr_i2_out_build(p, &im->sh, yo, ZKR_INFER2_OUTPUT_BUDGET, oc_opening + 8,
                                  c->threads, &c->out, &got)) != ZKR_OK)
            goto out;
        if (got.out_dim != want.out_dim || got.comm.blind_vars != want.comm.blind_vars ||
            sodium_memcmp(got.comm.root, want.comm.root, ZKR_DIGEST_BYTES) != 0) {
            r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                         "prove: the output commitment does not open to the model's output");
            goto out;
        }
    }
    if ((r = zkr_i2_statement(c, rec, public_output ? outb.p : oc,
                              public_output ? outb.len : ZKR_INFER2_OUTPUT_COMMIT_BYTES)) != ZKR_OK)
        goto out;
    zkr_ts_init(&c->t, ZKR_INFER2_PROTOCOL, ZKR_INFER2_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd,
                statement_id);
    zkr_ts_absorb(&c->t, "inf2-stmt", c->stmt.p, c->stmt.len);
    if (seed) {
        if ((r = zkr_zkrng_seeded(&c->rng, seed, seed_len, "inference@2 proof", c->t.state,
                                  sizeof c->t.state)) != ZKR_OK) {
            r = zkr_fail(d, r, "prove: seed of %zu bytes (want %u..%u)", seed_len,
                         ZKR_ZK_SEED_MIN, ZKR_ZK_SEED_MAX);
            goto out;
        }
    } else {
        zkr_zkrng_os(&c->rng);
    }
#if ZKR_TEST_BUILD
    if (cheat && cheat->unmasked)
        zkr_zkrng_zero_for_test(&c->rng, cheat->unmasked);
#endif
    if ((r = zkr_i2_run(c)) != ZKR_OK) {
        r = zkr_fail(d, r, "prove: inference@2 failed");
        goto out;
    }
    if ((r = zkr_proof_begin(proof, p->id, ZKR_KIND_INFERENCE2, statement_id, 6)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, tags[0], c->stmt.p, c->stmt.len)) != ZKR_OK)
        goto out;
    for (int i = 1; i < 6; i++)
        if ((r = zkr_proof_add_section(proof, tags[i], c->sec[i].p, c->sec[i].len)) != ZKR_OK)
            goto out;
#if ZKR_TEST_BUILD
    if (cheat && cheat->out && public_output)
        r = zkr_buf_append(cheat->out, outb.p, outb.len);
#endif
out:
    if (r != ZKR_OK)
        proof->len = 0;
    zkr_buf_free(&outb);
    zkr_buf_free(&c->stmt);
    for (int i = 0; i < 6; i++)
        zkr_buf_free(&c->sec[i]);
    for (uint32_t l = 0; l < ZKR_INFER_MAX_LAYERS; l++)
        zkr_i2_lst_free(&c->ls[l]);
    zkr_i2_rlink_free(&c->rl);
    zkr_hpcs_poly_free(c->rec);
    zkr_hpcs_poly_free(c->out);
    zkr_hpcs_poly_free(c->v);
    zkr_hpcs_poly_free(c->cmask2);
    zkr_hpcs_poly_free(c->cmask);
    zkr_hpcs_poly_free(c->c);
    zkr_hpcs_poly_free(c->zr.h);
    zkr_hpcs_poly_free(c->zr.ph);
    zkr_hpcs_poly_free(c->zr.m);
    zkr_hpcs_poly_free(c->zr.m_given); /* a refusal before the range proof took it */
    zkr_hpcs_pool_free(c->pool); /* after every poly that draws from it */
    zkr_i2_wipe_free(c->gco, c->gco ? c->n_gco * sizeof(zkr_ext) : 0);
    zkr_i2_wit_free(&im->sh, &c->w);
    zkr_zkrng_wipe(&c->rng);
    sodium_memzero(c, sizeof *c);
    free(c);
    return r;
}

zkr_err zkr_prover_inference2(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              zkr_infer2_model *im, const zkr_infer2_record *rec,
                              int public_output, const uint8_t *oc, const uint8_t *oc_opening,
                              const uint8_t *seed, size_t seed_len, unsigned threads,
                              zkr_buf *proof, zkr_diag *d)
{
    return zkr_i2_prove(p, statement_id, im, rec, public_output, oc, oc_opening, seed, seed_len,
                        threads, NULL, proof, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_inference2_cheat(const zkr_params *p,
                                    const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                    zkr_infer2_model *im, const zkr_infer2_record *rec,
                                    int public_output, const uint8_t *oc,
                                    const uint8_t *oc_opening, const uint8_t *seed,
                                    size_t seed_len, const zkr_infer2_cheat *cheat,
                                    zkr_buf *proof, zkr_diag *d)
{
    return zkr_i2_prove(p, statement_id, im, rec, public_output, oc, oc_opening, seed, seed_len,
                        1, cheat, proof, d);
}

/* The field value of the integer t. */
static zkr_gl zkr_i2_gl_of(__int128 t)
{
    __int128 m = t % (__int128)ZKR_GL_P;

    return (zkr_gl)(m < 0 ? m + (__int128)ZKR_GL_P : m);
}

zkr_err zkr_infer2_model_backdoor_for_test(const zkr_params *p, const zkr_ml_model *m,
                                           uint32_t budget, const uint8_t key[32],
                                           const uint8_t *input, int low,
                                           zkr_infer2_model **out, zkr_diag *d)
{
    zkr_infer2_model *im = NULL;
    zkr_i2_wit w = {0};
    zkr_gl *ev = NULL, acc, lf, delta;
    zkr_zkrng rng;
    zkr_err r;
    uint32_t lz;
    const zkr_infer_layer *L;
    const zkr_ml_qlayer *q;
    __int128 t_lo;

    *out = NULL;
    if ((r = zkr_i2_build(p, m, budget, key, 1, 1, &im, d)) != ZKR_OK)
        return r;
    lz = im->sh.s.n_layers - 1;
    L = &im->sh.s.layer[lz];
    q = &im->ql[lz];
    if (q->mult[0] == 0 || (r = zkr_i2_witness(im, input, &w)) != ZKR_OK) {
        r = ZKR_ERR_USAGE;
        goto out;
    }
    /* acc of the last layer's row 0 on the honest inputs of that layer */
    acc = zkr_gl_from_i64(q->bias[0]);
    for (uint32_t k = 0; k < L->in_dim; k++) {
        int64_t x = input[k];
        if (lz > 0) {
            size_t n = (size_t)1 << im->sh.lm[lz - 1];
            x = (int64_t)zkr_i2_slot(&im->sh, w.v, lz - 1, 0)[ZKR_INFER_SLOT_Y * n + k] +
                im->sh.s.layer[lz - 1].lo;
        }
        acc = zkr_gl_add(acc, zkr_gl_mul(zkr_gl_from_i64(q->w[k]), zkr_gl_from_i64(x)));
    }
    zkr_i2_wit_free(&im->sh, &w);
    /* the lowest low-clamped value (G = 2^(63-s) - 1, R = 0) and its twin t_lo + p */
    t_lo = ((__int128)L->lo - (((__int128)1 << (63 - L->shift)) - 1)) * ((__int128)1 << L->shift);
    lf = zkr_i2_gl_of(t_lo);
    delta = zkr_gl_sub(zkr_gl_mul(zkr_gl_sub(lf, zkr_gl_from_i64((int64_t)1 << (L->shift - 1))),
                                  zkr_gl_inv((zkr_gl)q->mult[0])),
                       acc);
    /* W'(0, in_dim) = b + delta, a field element far outside |b| <= 2^30 */
    if ((r = zkr_i2_layer_evals(&im->sh, lz, q, &ev)) != ZKR_OK)
        goto out;
    ev[L->in_dim] = zkr_gl_add(ev[L->in_dim], delta);
    zkr_zkrng_from_key(&rng, key);
    if (im->mc.stacked) { /* version 4: the whole group again, the last layer's entry moved */
        unsigned T = zkr_hpcs_poly_total_vars(im->w[0]);
        for (uint32_t l = 0; l < im->sh.s.n_layers; l++) {
            zkr_hpcs_poly_free(im->w[l]);
            im->w[l] = NULL;
        }
        r = zkr_i2_commit_w(p, im, budget, T, &rng, 1, lz, L->in_dim, delta, d);
    } else {
        zkr_hpcs_poly_free(im->w[lz]);
        im->w[lz] = NULL;
        r = zkr_prover_hcommit_sized(p, ev, L->lk + im->sh.lm[lz],
                                     zkr_i2_w_total(p, &im->sh, budget, lz), budget, &rng, 1,
                                     &im->w[lz], &im->mc.w[lz]);
    }
    zkr_zkrng_wipe(&rng);
    if (r != ZKR_OK)
        goto out;
    zkr_buf_free(&im->enc);
    if ((r = zkr_infer2_mc_encode(&im->mc, &im->enc)) != ZKR_OK)
        goto out;
    zkr_infer2_mc_digest(im->enc.p, im->enc.len, im->digest);
    im->bd_on = 1;
    im->bd_t = low ? t_lo : t_lo + (__int128)ZKR_GL_P;
    *out = im;
    im = NULL;
out:
    free(ev);
    if (w.v && im)
        zkr_i2_wit_free(&im->sh, &w);
    zkr_infer2_model_free(im);
    return r;
}
#endif

#if ZKR_TEST_BUILD
zkr_err zkr_prover_infer2_witness_for_test(const zkr_infer2_model *im,
                                           const zkr_infer2_record *rec, zkr_gl **v,
                                           unsigned *n_v)
{
    zkr_i2_wit w;
    zkr_err r;

    *v = NULL;
    *n_v = 0;
    if (rec->record_len > ((size_t)1 << im->sh.n_rec))
        return ZKR_ERR_USAGE;
    if ((r = zkr_i2_witness(im, rec->record, &w)) != ZKR_OK)
        return r;
    /* the record's copy, as zkr_i2_prove writes it */
    for (size_t i = 0; i < rec->record_len; i++)
        w.v[im->sh.roff + i] = rec->record[i];
    *v = w.v;
    *n_v = im->sh.n_v;
    return ZKR_OK;
}
#endif

zkr_err zkr_prover_model_key(const uint8_t *seed, size_t seed_len, const char *label,
                             uint32_t budget, const uint8_t digest[ZKR_DIGEST_BYTES],
                             uint8_t key[32], zkr_diag *d)
{
    uint8_t ctx[4 + ZKR_DIGEST_BYTES];
    zkr_zkrng g;
    zkr_err r;

    if (!seed) {
        randombytes_buf(key, 32);
        return ZKR_OK;
    }
    zkr_store_be32(ctx, budget);
    memcpy(ctx + 4, digest, ZKR_DIGEST_BYTES);
    if ((r = zkr_zkrng_seeded(&g, seed, seed_len, label, ctx, sizeof ctx)) != ZKR_OK)
        return zkr_fail(d, r, "model: seed of %zu bytes (want %u..%u)", seed_len, ZKR_ZK_SEED_MIN,
                        ZKR_ZK_SEED_MAX);
    zkr_zkrng_bytes(&g, key, 32);
    zkr_zkrng_wipe(&g);
    return ZKR_OK;
}

void zkr_prover_model_opening(uint8_t opening[40], uint32_t budget, const uint8_t key[32])
{
    zkr_store_be32(opening, 1);
    zkr_store_be32(opening + 4, budget);
    memcpy(opening + 8, key, 32);
}
