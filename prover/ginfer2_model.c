/*
 * graph-inference@2's model commitment, prover side (prover/ginfer2.h,
 * "the model commitment"; zk/ginfer2_mc.h): a quantized graph model's
 * weight commitments from one key, the encoding, and the reopening that
 * refuses anything not reproducing the commitment.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/ginfer2.h"
#include "zkr_config.h"

#define G2M_MAX ZKR_GINF2_NET_MAX_NODES

struct zkr_ginf2_model {
    const zkr_ml_gmodel *m;
    zkr_ginf2_pub mp;
    zkr_ginf2_net net;
    int64_t *mc_m[G2M_MAX], *mc_b[G2M_MAX]; /* CONV / DENSE public parameters, as int64 */
    int64_t add_m[G2M_MAX][2];              /* ADD: {Ma, Mb} */
    int64_t t[G2M_MAX][256];                /* LOOKUP: the model's table T[x + 128] */
    zkr_hpcs_poly *wp[G2M_MAX];
    zkr_hpcs_commitment wc[G2M_MAX];
    zkr_buf enc;
};

void zkr_ginf2_model_free(zkr_ginf2_model *gm)
{
    if (!gm)
        return;
    for (uint32_t i = 0; i < G2M_MAX; i++) {
        zkr_hpcs_poly_free(gm->wp[i]);
        free(gm->mc_m[i]), free(gm->mc_b[i]);
    }
    zkr_buf_free(&gm->enc);
    sodium_memzero(gm, sizeof *gm);
    free(gm);
}

/*
 * The public parameters of m's nodes with a model-commitment entry
 * (zkr_ginf2_mc_op_has_entry; int64 copies) and the layout.
 */
static zkr_err g2m_layout(zkr_ginf2_model *gm, zkr_diag *d)
{
    const zkr_ml_gprog *g = zkr_ml_gmodel_prog(gm->m);
    zkr_ml_gparams pr;
    zkr_err r;

    for (uint32_t i = 1; i < g->n_nodes; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        if (!zkr_ginf2_mc_op_has_entry(n->op))
            continue;
        if ((r = zkr_ml_gmodel_params(gm->m, i, &pr)) != ZKR_OK)
            return r;
        if (n->op == ZKR_ML_GOP_ADD) { /* ml/graph.h: Ma, Mb and one shift */
            gm->add_m[i][0] = pr.ma, gm->add_m[i][1] = pr.mb;
            gm->mp.m[i] = gm->add_m[i], gm->mp.shift[i] = pr.shift;
            continue;
        }
        if (n->op == ZKR_ML_GOP_LOOKUP) { /* ml/graph.h: 256 int8 entries */
            if (!pr.table)
                return ZKR_ERR_MALFORMED;
            for (unsigned k = 0; k < 256; k++)
                gm->t[i][k] = pr.table[k];
            gm->mp.t[i] = gm->t[i];
            continue;
        }
        gm->mc_m[i] = malloc(n->c * sizeof *gm->mc_m[i]);
        gm->mc_b[i] = malloc(n->c * sizeof *gm->mc_b[i]);
        if (!gm->mc_m[i] || !gm->mc_b[i])
            return ZKR_ERR_NOMEM;
        for (uint32_t c = 0; c < n->c; c++) {
            gm->mc_m[i][c] = pr.mult ? (int64_t)pr.mult[c] : 1;
            gm->mc_b[i][c] = pr.bias ? (int64_t)pr.bias[c] : 0;
        }
        gm->mp.m[i] = gm->mc_m[i], gm->mp.b[i] = gm->mc_b[i], gm->mp.shift[i] = pr.shift;
    }
    return zkr_ginf2_net_init(&gm->net, g, &gm->mp, d);
}

/* The encoding of gm's commitments. */
static zkr_err g2m_encode(zkr_ginf2_model *gm)
{
    const zkr_ml_gprog *g = zkr_ml_gmodel_prog(gm->m);
    zkr_ginf2_mc mc;

    memset(&mc, 0, sizeof mc); /* borrowed arrays: never cleared */
    zkr_ml_gmodel_program_digest(gm->m, mc.program_digest);
    mc.n_nodes = g->n_nodes;
    for (uint32_t i = 1; i < g->n_nodes; i++) {
        uint8_t op = g->nodes[i].op;
        if (!zkr_ginf2_mc_op_has_entry(op))
            continue;
        mc.op[i] = op;
        if (op == ZKR_ML_GOP_LOOKUP) {
            memcpy(mc.t[i], gm->t[i], sizeof mc.t[i]);
            continue;
        }
        mc.shift[i] = gm->mp.shift[i];
        if (op == ZKR_ML_GOP_ADD) {
            mc.add_m[i][0] = gm->add_m[i][0], mc.add_m[i][1] = gm->add_m[i][1];
            continue;
        }
        mc.cout[i] = g->nodes[i].c; /* CONV, DENSE */
        mc.m[i] = gm->mc_m[i], mc.b[i] = gm->mc_b[i];
        mc.w[i] = gm->wc[i];
    }
    return zkr_ginf2_mc_encode(&mc, &gm->enc);
}

/* Builds gm for m under key (deterministic): layout, weight commitments, encoding. */
static zkr_err g2m_build(const zkr_params *p, const zkr_ml_gmodel *m, uint32_t budget,
                         const uint8_t key[32], zkr_ginf2_model **out, zkr_diag *d)
{
    const zkr_ml_gprog *g = zkr_ml_gmodel_prog(m);
    const int8_t *w[G2M_MAX] = {0};
    zkr_ginf2_model *gm = calloc(1, sizeof *gm);
    zkr_zkrng rng;
    zkr_ml_gparams pr;
    zkr_err r;

    *out = NULL;
    if (!gm)
        return ZKR_ERR_NOMEM;
    gm->m = m;
    if ((r = g2m_layout(gm, d)) != ZKR_OK)
        goto out;
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if (gm->mc_m[i] && (r = zkr_ml_gmodel_params(m, i, &pr)) == ZKR_OK)
            w[i] = pr.w;
    zkr_zkrng_from_key(&rng, key);
    r = zkr_prover_ginf2_commit_model(p, &gm->net, w, budget, &rng, gm->wp, gm->wc);
    zkr_zkrng_wipe(&rng);
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, "model: its weight commitments");
        goto out;
    }
    r = g2m_encode(gm);
out:
    if (r == ZKR_OK)
        *out = gm;
    else
        zkr_ginf2_model_free(gm);
    return r;
}

static int g2m_budget_ok(uint32_t budget)
{
    return budget >= 1 && budget <= ZKR_HPCS_MAX_BUDGET / ZKR_GINF2_W_OPENINGS;
}

zkr_err zkr_prover_ginfer2_commit(const zkr_params *p, const zkr_ml_gmodel *m, uint32_t budget,
                                  const uint8_t *seed, size_t seed_len, unsigned threads,
                                  zkr_ginf2_model **out, zkr_buf *commitment,
                                  uint8_t opening[ZKR_GINF2_OPENING_BYTES], zkr_diag *d)
{
    uint8_t key[32], digest[ZKR_DIGEST_BYTES];
    zkr_err r;

    (void)threads;
    *out = NULL;
    if (!g2m_budget_ok(budget))
        return zkr_fail(d, ZKR_ERR_USAGE, "model: budget %u outside 1..%u proofs", budget,
                        ZKR_HPCS_MAX_BUDGET / ZKR_GINF2_W_OPENINGS);
    /* as inference@2's: the secret seed keys a hash of what is committed */
    zkr_ml_gmodel_digest(m, digest);
    if ((r = zkr_prover_model_key(seed, seed_len, "graph-inference@2 model", budget, digest, key,
                                  d)) != ZKR_OK)
        return r;
    r = g2m_build(p, m, budget, key, out, d);
    if (r == ZKR_OK && (r = zkr_buf_append(commitment, (*out)->enc.p, (*out)->enc.len)) != ZKR_OK) {
        zkr_ginf2_model_free(*out);
        *out = NULL;
    }
    if (r == ZKR_OK)
        zkr_prover_model_opening(opening, budget, key);
    sodium_memzero(key, sizeof key);
    return r;
}

zkr_err zkr_prover_ginfer2_reopen(const zkr_params *p, const zkr_ml_gmodel *m,
                                  const uint8_t *commitment, size_t commitment_len,
                                  const uint8_t opening[ZKR_GINF2_OPENING_BYTES],
                                  unsigned threads, zkr_ginf2_model **out, zkr_diag *d)
{
    zkr_ginf2_mc want;
    uint32_t budget;
    zkr_err r;

    (void)threads;
    *out = NULL;
    if ((r = zkr_ginf2_mc_decode(p, commitment, commitment_len, &want)) != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                        "model commitment: not a graph-inference@2 encoding");
    zkr_ginf2_mc_clear(&want);
    budget = zkr_load_be32(opening + 4);
    if (zkr_load_be32(opening) != 1 || !g2m_budget_ok(budget))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "model opening: bad version or budget");
    if ((r = g2m_build(p, m, budget, opening + 8, out, d)) != ZKR_OK)
        return r;
    if ((*out)->enc.len != commitment_len ||
        sodium_memcmp((*out)->enc.p, commitment, commitment_len) != 0) {
        zkr_ginf2_model_free(*out);
        *out = NULL;
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "model: the model and opening do not give this commitment");
    }
    return ZKR_OK;
}

const uint8_t *zkr_ginf2_model_commitment_bytes(const zkr_ginf2_model *gm, size_t *len)
{
    *len = gm->enc.len;
    return gm->enc.p;
}

uint32_t zkr_ginf2_model_proofs_left(const zkr_ginf2_model *gm)
{
    uint32_t best = UINT32_MAX;

    for (uint32_t i = 1; i < gm->net.n; i++)
        if (gm->wp[i]) {
            uint32_t b = zkr_hpcs_budget_left(gm->wp[i]) / ZKR_GINF2_W_OPENINGS;
            best = b < best ? b : best;
        }
    return best == UINT32_MAX ? 0 : best;
}

void zkr_ginf2_model_input(zkr_ginf2_model *gm, zkr_prover_ginf2_in *in)
{
    in->g = zkr_ml_gmodel_prog(gm->m);
    in->net = &gm->net;
    in->mc = gm->enc.p, in->mc_len = gm->enc.len;
    for (uint32_t i = 0; i < G2M_MAX; i++) {
        in->wp[i] = gm->wp[i];
        in->wc[i] = gm->wp[i] ? &gm->wc[i] : NULL;
    }
}
