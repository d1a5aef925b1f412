/* Parameter sets, the Basefold folding layout and the soundness figures. */
#include <math.h>
#include <string.h>

#include "zk/zk.h"
#include "zk/zk_int.h"


/* Provable per-query error in the unique-decoding regime: (1 + rho) / 2. */
static double zkr_query_bits(unsigned log_blowup)
{
    double rho = ldexp(1.0, -(int)log_blowup);
    return -log2((1.0 + rho) / 2.0);
}

/*
 * The sets differ in the rate and the largest polynomial: each keeps its
 * largest codeword at 2^28 entries (set 1's), so a higher blowup buys
 * fewer queries with a smaller max_vars, never more memory. Set 4, the
 * small-proof set, also grinds 22 bits instead of 16: each opening's
 * search costs about 0.1 CPU-s more (2^22 BLAKE2b tries) and inference@2's
 * mixed opening takes two queries fewer (docs/soundness.md, "Parameter
 * set goldilocks-128-r64").
 */
static const struct {
    uint32_t id;
    const char *name;
    unsigned log_blowup, max_vars, mixed_ext6, pow_bits;
} zkr_param_sets[] = {
    {ZKR_PARAM_SET_128, "goldilocks-128", 2, 26, 0, 16},
    {ZKR_PARAM_SET_128_R8, "goldilocks-128-r8", 3, 25, 0, 16},
    {ZKR_PARAM_SET_128_R16, "goldilocks-128-r16", 4, 24, 0, 16},
    {ZKR_PARAM_SET_128_R64, "goldilocks-128-r64", 6, 22, 1, 22},
};
#define ZKR_N_PARAM_SETS (sizeof zkr_param_sets / sizeof zkr_param_sets[0])

zkr_err zkr_params_get(uint32_t id, zkr_params *out)
{
    size_t i = 0;

    memset(out, 0, sizeof *out);
    while (i < ZKR_N_PARAM_SETS && zkr_param_sets[i].id != id)
        i++;
    if (i == ZKR_N_PARAM_SETS)
        return ZKR_ERR_MISMATCH_PARAMS;
    out->id = id;
    out->log_blowup = zkr_param_sets[i].log_blowup;
    out->fold_arity = 4;
    out->final_vars = 6;
    out->pow_bits = zkr_param_sets[i].pow_bits;
    out->target_bits = 128;
    out->max_vars = zkr_param_sets[i].max_vars;
    out->mixed_ext6 = zkr_param_sets[i].mixed_ext6;
    /* Query count from the target: grinding covers pow_bits, queries the rest. */
    out->queries = (unsigned)ceil((double)(out->target_bits - out->pow_bits) /
                                  zkr_query_bits(out->log_blowup));
    if (zkr_params_check(out) != ZKR_OK) { /* a set the code cannot carry is no set */
        memset(out, 0, sizeof *out);
        return ZKR_ERR_MISMATCH_PARAMS;
    }
    return ZKR_OK;
}

zkr_err zkr_params_id_of(const char *name, uint32_t *id)
{
    for (size_t i = 0; name != NULL && i < ZKR_N_PARAM_SETS; i++)
        if (strcmp(name, zkr_param_sets[i].name) == 0) {
            *id = zkr_param_sets[i].id;
            return ZKR_OK;
        }
    return ZKR_ERR_MISMATCH_PARAMS;
}

const char *zkr_params_name(uint32_t id)
{
    for (size_t i = 0; i < ZKR_N_PARAM_SETS; i++)
        if (zkr_param_sets[i].id == id)
            return zkr_param_sets[i].name;
    return NULL;
}

zkr_err zkr_params_check(const zkr_params *p)
{
    /* Every opened leaf must be hashed whole and folded in the verifier's
     * fixed buffers: at most 2^ZKR_PCS_MAX_FOLD_ARITY extension elements. */
    if (p->fold_arity < 1 || p->fold_arity > ZKR_PCS_MAX_FOLD_ARITY ||
        (3u << p->fold_arity) > ZKR_MT_MAX_LEAF_WORDS)
        return ZKR_ERR_UNSUPPORTED;
    if (p->log_blowup < 1 || p->log_blowup > 8 || p->queries < 1 || p->max_vars > 32 ||
        p->final_vars > p->max_vars || p->pow_bits > 32 || p->mixed_ext6 > 1)
        return ZKR_ERR_UNSUPPORTED;
    return ZKR_OK;
}

void zkr_params_digest(const zkr_params *p, uint8_t out[ZKR_DIGEST_BYTES])
{
    uint8_t b[4 * 9];
    uint32_t v[9] = {p->id,       p->log_blowup, p->fold_arity,  p->final_vars, p->pow_bits,
                     p->queries, p->target_bits, p->max_vars, p->mixed_ext6};
    /* the F_p^6 flag only where set: every F_p^3 set keeps its digest (and its proofs' bytes) */
    size_t n = p->mixed_ext6 ? 9 : 8;

    for (size_t i = 0; i < n; i++)
        zkr_store_be32(b + 4 * i, v[i]);
    zkr_blake2b256(b, 4 * n, out);
}

void zkr_pcs_layout_of(const zkr_params *p, unsigned n_vars, zkr_pcs_layout *l)
{
    unsigned left;

    memset(l, 0, sizeof *l);
    l->n_vars = n_vars;
    l->final_vars = n_vars < p->final_vars ? n_vars : p->final_vars;
    l->folds_total = n_vars - l->final_vars;
    left = l->folds_total;
    l->log_len[0] = n_vars + p->log_blowup;
    /* Layer 0 is the commitment itself; with no folds it still has one layer
     * of single-element leaves, checked directly against the final poly. */
    do {
        unsigned f = left < p->fold_arity ? left : p->fold_arity;
        l->folds[l->n_layers] = f;
        l->log_len[l->n_layers + 1] = l->log_len[l->n_layers] - f;
        l->n_layers++;
        left -= f;
    } while (left > 0 && l->n_layers < 32);
}

unsigned zkr_params_grind_bits(const zkr_params *p, double target, unsigned max_extra,
                               double (*bits_at)(const void *ctx, unsigned extra),
                               const void *ctx)
{
    unsigned g = 0;

    while (g < max_extra && p->pow_bits + g < 32 && bits_at(ctx, g) < target)
        g++;
    return g;
}

zkr_soundness zkr_params_soundness_open(const zkr_params *p, unsigned n_vars, size_t n_comms,
                                        size_t n_claims, unsigned extra_rounds,
                                        unsigned max_degree)
{
    zkr_soundness s;
    zkr_pcs_layout l;
    double lf = ZKR_LOG2_EXT_FIELD, e_prov, e_conj, q, dom;

    zkr_pcs_layout_of(p, n_vars, &l);
    dom = ldexp(1.0, (int)l.log_len[0]); /* |D|, the layer-0 evaluation domain */
    /* Query phase: each query misses a far word w.p. <= (1+rho)/2. */
    q = (double)p->queries * zkr_query_bits(p->log_blowup) + p->pow_bits;
    /* Commit phase: each fold keeps a far word close w.p. <= |D|/|F|. */
    e_prov = (double)l.folds_total * dom * exp2(-lf);
    /* Sumchecks: degree-2 Basefold rounds, batching sumcheck, caller's rounds. */
    e_prov += (2.0 * (2.0 * n_vars) + (double)extra_rounds * max_degree) * exp2(-lf);
    /*
     * Random linear combinations: beta combines n_comms codewords with its
     * powers, so a combination is close while one codeword is far with
     * probability <= (n_comms - 1) |D| / |F| (correlated agreement for
     * powers), counted as n_comms |D| / |F|; gamma combines n_claims claims
     * into one polynomial identity of degree < n_claims: n_claims / |F|.
     */
    e_prov += ((double)n_comms * dom + (double)n_claims) * exp2(-lf);
    e_conj = e_prov + exp2(-((double)p->queries * p->log_blowup + p->pow_bits));
    e_prov += exp2(-q);
    s.provable_bits = -log2(e_prov);
    s.conjectured_bits = -log2(e_conj);
    s.query_bits = q;
    return s;
}

zkr_soundness zkr_params_soundness(const zkr_params *p, unsigned n_vars, unsigned extra_rounds,
                                   unsigned max_degree)
{
    /* The worst case an opening may carry (zk_int.h's bounds). */
    return zkr_params_soundness_open(p, n_vars, ZKR_PCS_MAX_COMMS, ZKR_PCS_MAX_CLAIMS,
                                     extra_rounds, max_degree);
}
