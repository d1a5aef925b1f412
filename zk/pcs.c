/*
 * Basefold opening, verifier side (docs/proof-system.md, "Opening").
 * Phase 1 (only with several claims or commitments) reduces every claim to
 * one random point r by a degree-2 sumcheck; phase 2 proves g(r) for
 * g = sum_k beta^k f_k by a sumcheck whose challenges also fold the RS
 * codeword, FRI style, with Merkle-checked queries.
 */
#include <stdlib.h>
#include <string.h>

#include "zk/zk.h"
#include "zk/zk_int.h"

void zkr_pcs_proof_free(zkr_pcs_proof *pf)
{
    if (!pf)
        return;
    free(pf->batch_msgs);
    free(pf->batch_evals);
    free(pf->msgs);
    free(pf->final);
    free(pf->open);
    free(pf);
}

static zkr_err zkr_pcs_parse_open(zkr_dec *d, const zkr_params *p, size_t words, unsigned depth,
                                  zkr_pcs_open *o)
{
    zkr_err r;
    size_t leaf_bytes = ZKR_SALT_BYTES + 8 * words;

    if ((r = zkr_dec_u32(d, &o->n_open)) != ZKR_OK || (r = zkr_dec_u32(d, &o->n_sib)) != ZKR_OK)
        return r;
    /* Bounds come from the parameters, never from the file. */
    if (o->n_open == 0 || o->n_open > p->queries || o->n_sib > (size_t)p->queries * depth)
        return ZKR_ERR_MALFORMED;
    if ((r = zkr_dec_raw(d, (size_t)o->n_open * leaf_bytes, &o->leaves)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < o->n_open; i++)
        for (size_t w = 0; w < words; w++)
            if (zkr_load_le64(o->leaves + i * leaf_bytes + ZKR_SALT_BYTES + 8 * w) >= ZKR_GL_P)
                return ZKR_ERR_MALFORMED;
    return zkr_dec_raw(d, (size_t)o->n_sib * ZKR_DIGEST_BYTES, &o->sib);
}

zkr_err zkr_pcs_proof_parse(const zkr_params *p, unsigned n_vars, size_t n_comms,
                            size_t n_claims, zkr_dec *d, zkr_pcs_proof **out)
{
    zkr_pcs_proof *pf;
    zkr_err r = ZKR_ERR_NOMEM;
    const uint8_t *raw;
    size_t n_final;

    *out = NULL;
    if (zkr_params_check(p) != ZKR_OK)
        return ZKR_ERR_UNSUPPORTED;
    if (n_vars > p->max_vars || n_comms == 0 || n_comms > ZKR_PCS_MAX_COMMS || n_claims == 0 ||
        n_claims > ZKR_PCS_MAX_CLAIMS)
        return ZKR_ERR_TOO_LARGE;
    pf = calloc(1, sizeof *pf);
    if (!pf)
        return ZKR_ERR_NOMEM;
    zkr_pcs_layout_of(p, n_vars, &pf->l);
    pf->n_comms = n_comms;
    pf->n_claims = n_claims;
    pf->batched = zkr_pcs_is_batched(n_comms, n_claims);
    n_final = (size_t)1 << pf->l.final_vars;
    pf->batch_msgs = calloc((size_t)2 * n_vars + 1, sizeof *pf->batch_msgs);
    pf->batch_evals = calloc(n_comms, sizeof *pf->batch_evals);
    pf->msgs = calloc((size_t)2 * pf->l.folds_total + 1, sizeof *pf->msgs);
    pf->final = calloc(n_final, sizeof *pf->final);
    pf->open = calloc(n_comms + pf->l.n_layers, sizeof *pf->open);
    if (!pf->batch_msgs || !pf->batch_evals || !pf->msgs || !pf->final || !pf->open)
        goto out;
    if (pf->batched) {
        if ((r = zkr_dec_exts(d, pf->batch_msgs, (size_t)2 * n_vars)) != ZKR_OK ||
            (r = zkr_dec_exts(d, pf->batch_evals, n_comms)) != ZKR_OK)
            goto out;
    }
    if ((r = zkr_dec_exts(d, pf->msgs, (size_t)2 * pf->l.folds_total)) != ZKR_OK)
        goto out;
    for (unsigned l = 1; l < pf->l.n_layers; l++) {
        if ((r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw)) != ZKR_OK)
            goto out;
        memcpy(pf->roots[l], raw, ZKR_DIGEST_BYTES);
    }
    if ((r = zkr_dec_exts(d, pf->final, n_final)) != ZKR_OK ||
        (r = zkr_dec_u64(d, &pf->nonce)) != ZKR_OK)
        goto out;
    for (unsigned l = 0; l < pf->l.n_layers; l++) {
        size_t trees = l == 0 ? n_comms : 1;
        zkr_pcs_open *o = l == 0 ? pf->open : pf->open + n_comms + l - 1;
        unsigned depth = pf->l.log_len[l] - pf->l.folds[l];
        for (size_t k = 0; k < trees; k++)
            if ((r = zkr_pcs_parse_open(d, p, zkr_pcs_leaf_words(&pf->l, l), depth, o + k)) !=
                ZKR_OK)
                goto out;
    }
    *out = pf;
    pf = NULL;
    r = ZKR_OK;
out:
    zkr_pcs_proof_free(pf);
    return r;
}

/* Leaf hashes of one opened tree; checks the opening against root. */
static zkr_err zkr_pcs_check_tree(const uint8_t root[ZKR_DIGEST_BYTES], unsigned depth,
                                  const uint64_t *idx, size_t n, const zkr_pcs_open *o,
                                  size_t words)
{
    uint8_t (*lh)[ZKR_DIGEST_BYTES];
    uint64_t w[ZKR_MT_MAX_LEAF_WORDS];
    size_t leaf_bytes = ZKR_SALT_BYTES + 8 * words;
    zkr_err r;

    if (o->n_open != n || words > ZKR_MT_MAX_LEAF_WORDS)
        return ZKR_ERR_VERIFY;
    lh = malloc(n * sizeof *lh);
    if (!lh)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *leaf = o->leaves + i * leaf_bytes;
        for (size_t j = 0; j < words; j++)
            w[j] = zkr_load_le64(leaf + ZKR_SALT_BYTES + 8 * j);
        zkr_mtree_leaf_hash(leaf, w, words, lh[i]);
    }
    r = zkr_mtree_verify(root, depth, idx, (const uint8_t(*)[ZKR_DIGEST_BYTES])lh, n, o->sib,
                         o->n_sib);
    free(lh);
    return r;
}

/* Position of leaf `leaf` within the sorted unique list (it is present). */
static size_t zkr_pcs_find(const uint64_t *u, size_t n, uint64_t leaf)
{
    size_t lo = 0, hi = n;

    while (lo + 1 < hi) {
        size_t mid = (lo + hi) / 2;
        if (u[mid] <= leaf)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static zkr_ext zkr_pcs_elem(const zkr_pcs_open *o, size_t words, size_t pos, size_t u, int ext)
{
    const uint8_t *leaf = o->leaves + pos * (ZKR_SALT_BYTES + 8 * words) + ZKR_SALT_BYTES;
    if (!ext)
        return zkr_ext_from(zkr_load_le64(leaf + 8 * u));
    zkr_ext e = {{zkr_load_le64(leaf + 24 * u), zkr_load_le64(leaf + 24 * u + 8),
                  zkr_load_le64(leaf + 24 * u + 16)}};
    return e;
}

/*
 * Folds a leaf's 2^a values a times (leaf index L in a codeword of length
 * 2^log_len, bit-reversed order) with challenges r[0..a).
 */
static zkr_ext zkr_pcs_fold_leaf(zkr_ext *v, unsigned a, uint64_t L, unsigned log_len,
                                 const zkr_ext *r)
{
    zkr_gl inv2 = zkr_gl_inv(2);

    for (unsigned j = 0; j < a; j++) {
        unsigned ap = a - j, lN = log_len - j;
        /* x(2v) = w_N^bitrev(L) * w_{2^ap}^bitrev_ap(2v), so its inverse splits too. */
        zkr_gl base_inv = zkr_gl_pow(zkr_gl_inv(zkr_gl_root_of_unity(lN)),
                                     zkr_bitrev(L, lN - ap));
        zkr_gl small_inv = zkr_gl_inv(zkr_gl_root_of_unity(ap));
        for (size_t i = 0; i < ((size_t)1 << (ap - 1)); i++) {
            zkr_gl xinv = zkr_gl_mul(base_inv, zkr_gl_pow(small_inv, zkr_bitrev(2 * i, ap)));
            zkr_ext s = zkr_ext_add(v[2 * i], v[2 * i + 1]);
            zkr_ext df = zkr_ext_sub(v[2 * i], v[2 * i + 1]);
            df = zkr_ext_mul(r[j], zkr_ext_mul_base(df, xinv));
            v[i] = zkr_ext_mul_base(zkr_ext_add(s, df), inv2);
        }
    }
    return v[0];
}

typedef struct {
    const zkr_params *p;
    const zkr_pcs_proof *pf;
    const zkr_pcs_layout *l;
    const zkr_pcs_commitment *comms;
    zkr_ext beta_pow[ZKR_PCS_MAX_COMMS];
    zkr_ext r[64];
} zkr_pcs_vctx;

/* Phase 1: many claims on many commitments -> one point, one value. */
static zkr_err zkr_pcs_batch(zkr_pcs_vctx *c, zkr_transcript *t, const zkr_pcs_claim *claims,
                             zkr_ext *point, zkr_ext *value)
{
    const zkr_pcs_proof *pf = c->pf;
    unsigned n = c->l->n_vars;
    zkr_ext gamma, beta, w = zkr_ext_from(1), sum = zkr_ext_from(0), fin, expect = zkr_ext_from(0);
    zkr_ext *ek = calloc(pf->n_comms, sizeof *ek);

    if (!ek)
        return ZKR_ERR_NOMEM;
    gamma = zkr_ts_challenge_ext(t, "pcs-gamma");
    for (size_t i = 0; i < pf->n_claims; i++) {
        sum = zkr_ext_add(sum, zkr_ext_mul(w, claims[i].value));
        w = zkr_ext_mul(w, gamma);
    }
    zkr_sumcheck_verify(t, n, 2, sum, pf->batch_msgs, point, &fin);
    zkr_ts_absorb_ext(t, "pcs-batch-evals", pf->batch_evals, pf->n_comms);
    w = zkr_ext_from(1);
    for (size_t i = 0; i < pf->n_claims; i++) {
        zkr_ext e = zkr_mle_eq_eval(claims[i].point, point, n);
        ek[claims[i].comm] = zkr_ext_add(ek[claims[i].comm], zkr_ext_mul(w, e));
        w = zkr_ext_mul(w, gamma);
    }
    for (size_t k = 0; k < pf->n_comms; k++)
        expect = zkr_ext_add(expect, zkr_ext_mul(ek[k], pf->batch_evals[k]));
    free(ek);
    if (!zkr_ext_eq(expect, fin))
        return ZKR_ERR_VERIFY;
    /* beta only after the evaluations are bound: they cannot depend on it. */
    beta = zkr_ts_challenge_ext(t, "pcs-beta");
    for (size_t k = 1; k < pf->n_comms; k++)
        c->beta_pow[k] = zkr_ext_mul(c->beta_pow[k - 1], beta);
    *value = zkr_ext_from(0);
    for (size_t k = 0; k < pf->n_comms; k++)
        *value = zkr_ext_add(*value, zkr_ext_mul(c->beta_pow[k], pf->batch_evals[k]));
    return ZKR_OK;
}

/* Phase 2's sumcheck and final-polynomial check. */
static zkr_err zkr_pcs_fold_phase(zkr_pcs_vctx *c, zkr_transcript *t, const zkr_ext *z,
                                  zkr_ext value)
{
    const zkr_pcs_proof *pf = c->pf;
    const zkr_pcs_layout *l = c->l;
    zkr_ext claim = value, g_final, eqv;
    unsigned round = 0;

    zkr_ts_absorb_ext(t, "bf-claim", &value, 1);
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        for (unsigned j = 0; j < l->folds[layer]; j++, round++) {
            zkr_ts_absorb_ext(t, "sc-round", pf->msgs + 2 * round, 2);
            c->r[round] = zkr_ts_challenge_ext(t, "sc-challenge");
            claim = zkr_sumcheck_round_eval(pf->msgs + 2 * round, 2, claim, c->r[round]);
        }
        if (layer + 1 < l->n_layers)
            zkr_ts_absorb(t, "bf-root", pf->roots[layer + 1], ZKR_DIGEST_BYTES);
    }
    zkr_ts_absorb_ext(t, "bf-final", pf->final, (size_t)1 << l->final_vars);
    eqv = zkr_mle_eq_eval(z, c->r, l->folds_total);
    g_final = zkr_mle_eval_monomial(pf->final, l->final_vars, z + l->folds_total);
    if (!zkr_ext_eq(claim, zkr_ext_mul(eqv, g_final)))
        return ZKR_ERR_VERIFY;
    if (!zkr_ts_pow_check(t, c->p->pow_bits, pf->nonce))
        return ZKR_ERR_VERIFY;
    return ZKR_OK;
}

/* Value of the final polynomial's codeword at position pos (bit-reversed). */
static zkr_ext zkr_pcs_final_at(const zkr_pcs_proof *pf, unsigned log_len, uint64_t pos)
{
    zkr_gl x = zkr_gl_pow(zkr_gl_root_of_unity(log_len), zkr_bitrev(pos, log_len));
    size_t n = (size_t)1 << pf->l.final_vars;
    zkr_ext acc = zkr_ext_from(0);

    for (size_t i = n; i-- > 0;)
        acc = zkr_ext_add(zkr_ext_mul_base(acc, x), pf->final[i]);
    return acc;
}

/* Query phase: Merkle-check every opened leaf and the fold chain of each query. */
static zkr_err zkr_pcs_queries(zkr_pcs_vctx *c, zkr_transcript *t)
{
    const zkr_pcs_proof *pf = c->pf;
    const zkr_pcs_layout *l = c->l;
    unsigned q = c->p->queries, nl = l->n_layers, round = 0;
    uint64_t *pos = NULL, *leaf = NULL, *u = NULL;
    zkr_ext *expect = NULL, v[(size_t)1 << ZKR_PCS_MAX_FOLD_ARITY];
    zkr_err r = ZKR_ERR_NOMEM;

    pos = malloc(q * sizeof *pos);
    leaf = malloc(q * sizeof *leaf);
    u = malloc(q * sizeof *u);
    expect = malloc(q * sizeof *expect);
    if (!pos || !leaf || !u || !expect)
        goto out;
    for (unsigned i = 0; i < q; i++)
        leaf[i] = zkr_ts_challenge_index(t, "bf-query",
                                         (uint64_t)1 << (l->log_len[0] - l->folds[0]));
    for (unsigned layer = 0; layer < nl; layer++) {
        unsigned a = l->folds[layer], depth = l->log_len[layer] - a;
        size_t words = zkr_pcs_leaf_words(l, layer), nu;
        size_t trees = layer == 0 ? pf->n_comms : 1;
        const zkr_pcs_open *o = layer == 0 ? pf->open : pf->open + pf->n_comms + layer - 1;
        if (layer > 0)
            for (unsigned i = 0; i < q; i++)
                leaf[i] = pos[i] >> a;
        memcpy(u, leaf, q * sizeof *u);
        nu = zkr_idx_sort_unique(u, q);
        for (size_t k = 0; k < trees; k++) {
            const uint8_t *root = layer == 0 ? c->comms[k].root : pf->roots[layer];
            if ((r = zkr_pcs_check_tree(root, depth, u, nu, o + k, words)) != ZKR_OK)
                goto out;
        }
        for (unsigned i = 0; i < q; i++) {
            size_t at = zkr_pcs_find(u, nu, leaf[i]);
            for (size_t e = 0; e < ((size_t)1 << a); e++) {
                v[e] = zkr_ext_from(0);
                for (size_t k = 0; k < trees; k++)
                    v[e] = zkr_ext_add(v[e], zkr_ext_mul(c->beta_pow[k],
                                                         zkr_pcs_elem(o + k, words, at, e,
                                                                      layer != 0)));
            }
            /* The previous layer's fold must land on this leaf's element. */
            if (layer > 0 && !zkr_ext_eq(v[pos[i] & (((uint64_t)1 << a) - 1)], expect[i])) {
                r = ZKR_ERR_VERIFY;
                goto out;
            }
            expect[i] = zkr_pcs_fold_leaf(v, a, leaf[i], l->log_len[layer], c->r + round);
            pos[i] = leaf[i];
        }
        round += a;
    }
    for (unsigned i = 0; i < q; i++)
        if (!zkr_ext_eq(expect[i], zkr_pcs_final_at(pf, l->log_len[nl], pos[i]))) {
            r = ZKR_ERR_VERIFY;
            goto out;
        }
    r = ZKR_OK;
out:
    free(pos);
    free(leaf);
    free(u);
    free(expect);
    return r;
}

zkr_err zkr_pcs_verify(const zkr_params *p, zkr_transcript *t, const zkr_pcs_commitment *comms,
                       size_t n_comms, const zkr_pcs_claim *claims, size_t n_claims,
                       const zkr_pcs_proof *pf)
{
    zkr_pcs_vctx *c;
    zkr_ext *z = NULL, value;
    unsigned n;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!pf || pf->n_comms != n_comms || pf->n_claims != n_claims)
        return ZKR_ERR_USAGE;
    n = pf->l.n_vars;
    /* Mixed sizes need per-size join points in the fold (docs, "Designed
     * for inference@1"); not implemented yet. */
    for (size_t k = 0; k < n_comms; k++)
        if (comms[k].n_vars != n)
            return ZKR_ERR_UNSUPPORTED;
    for (size_t i = 0; i < n_claims; i++)
        if (claims[i].comm >= n_comms)
            return ZKR_ERR_USAGE;
    c = calloc(1, sizeof *c);
    z = calloc((size_t)n + 1, sizeof *z);
    if (!c || !z)
        goto out;
    c->p = p;
    c->pf = pf;
    c->l = &pf->l;
    c->comms = comms;
    for (size_t k = 0; k < n_comms; k++)
        zkr_ts_absorb(t, "pcs-comm", comms[k].root, ZKR_DIGEST_BYTES);
    for (size_t i = 0; i < n_claims; i++) {
        zkr_ts_absorb_u64(t, "pcs-claim-comm", claims[i].comm);
        zkr_ts_absorb_ext(t, "pcs-claim-point", claims[i].point, n);
        zkr_ts_absorb_ext(t, "pcs-claim-value", &claims[i].value, 1);
    }
    c->beta_pow[0] = zkr_ext_from(1);
    if (pf->batched) {
        if ((r = zkr_pcs_batch(c, t, claims, z, &value)) != ZKR_OK)
            goto out;
    } else {
        memcpy(z, claims[0].point, (size_t)n * sizeof *z);
        value = claims[0].value;
    }
    if ((r = zkr_pcs_fold_phase(c, t, z, value)) != ZKR_OK)
        goto out;
    r = zkr_pcs_queries(c, t);
out:
    free(c);
    free(z);
    return r;
}

/* ---------------- mixed-size opening (docs/proof-system.md, "Mixed-size opening") ---------------- */

/* Commitment k joins the fold at round n - comm_vars[k] (0: it is of the top size). */
static unsigned zkr_pcs_join_round(const zkr_pcs_proof *pf, size_t k)
{
    return pf->l.n_vars - pf->comm_vars[k];
}

/* Whether commitment k joins inside the layer whose first round is r0 and that folds a times. */
static int zkr_pcs_joins_in(const zkr_pcs_proof *pf, size_t k, unsigned r0, unsigned a)
{
    unsigned d = zkr_pcs_join_round(pf, k);
    return d > 0 && d >= r0 && d < r0 + a;
}

zkr_err zkr_pcs_proof_parse_mixed(const zkr_params *p, const unsigned *n_vars, size_t n_comms,
                                  size_t n_claims, zkr_dec *d, zkr_pcs_proof **out)
{
    zkr_pcs_proof *pf;
    zkr_err r = ZKR_ERR_NOMEM;
    const uint8_t *raw;
    unsigned n = 0, r0 = 0;
    size_t n_final;

    *out = NULL;
    if (zkr_params_check(p) != ZKR_OK)
        return ZKR_ERR_UNSUPPORTED;
    if (n_comms == 0 || n_comms > ZKR_PCS_MAX_COMMS || n_claims == 0 ||
        n_claims > ZKR_PCS_MAX_CLAIMS)
        return ZKR_ERR_TOO_LARGE;
    for (size_t k = 0; k < n_comms; k++)
        if (n_vars[k] > n)
            n = n_vars[k];
    if (n > p->max_vars)
        return ZKR_ERR_TOO_LARGE;
    for (size_t k = 0; k < n_comms; k++)
        if (!zkr_pcs_mixed_ok(p, n, n_vars[k]))
            return ZKR_ERR_UNSUPPORTED;
    pf = calloc(1, sizeof *pf);
    if (!pf)
        return ZKR_ERR_NOMEM;
    zkr_pcs_layout_of(p, n, &pf->l);
    pf->n_comms = n_comms;
    pf->n_claims = n_claims;
    pf->batched = 1;
    pf->mixed = 1;
    memcpy(pf->comm_vars, n_vars, n_comms * sizeof *n_vars);
    n_final = (size_t)1 << pf->l.final_vars;
    pf->batch_msgs = calloc((size_t)2 * n + 1, sizeof *pf->batch_msgs);
    pf->batch_evals = calloc(n_comms, sizeof *pf->batch_evals);
    pf->msgs = calloc((size_t)2 * pf->l.folds_total + 1, sizeof *pf->msgs);
    pf->final = calloc(n_final, sizeof *pf->final);
    pf->open = calloc(n_comms + pf->l.n_layers, sizeof *pf->open);
    if (!pf->batch_msgs || !pf->batch_evals || !pf->msgs || !pf->final || !pf->open)
        goto out;
    if ((r = zkr_dec_exts(d, pf->batch_msgs, (size_t)2 * n)) != ZKR_OK ||
        (r = zkr_dec_exts(d, pf->batch_evals, n_comms)) != ZKR_OK ||
        (r = zkr_dec_exts(d, pf->msgs, (size_t)2 * pf->l.folds_total)) != ZKR_OK)
        goto out;
    for (unsigned l = 1; l < pf->l.n_layers; l++) {
        if ((r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw)) != ZKR_OK)
            goto out;
        memcpy(pf->roots[l], raw, ZKR_DIGEST_BYTES);
    }
    if ((r = zkr_dec_exts(d, pf->final, n_final)) != ZKR_OK ||
        (r = zkr_dec_u64(d, &pf->nonce)) != ZKR_OK)
        goto out;
    for (unsigned l = 0; l < pf->l.n_layers; l++) {
        unsigned a = pf->l.folds[l], depth = pf->l.log_len[l] - a;
        if (l == 0) {
            for (size_t k = 0; k < n_comms; k++)
                if (n_vars[k] == n &&
                    (r = zkr_pcs_parse_open(d, p, zkr_pcs_leaf_words(&pf->l, 0), depth,
                                            pf->open + k)) != ZKR_OK)
                    goto out;
        } else if ((r = zkr_pcs_parse_open(d, p, zkr_pcs_leaf_words(&pf->l, l), depth,
                                           pf->open + n_comms + l - 1)) != ZKR_OK) {
            goto out;
        }
        for (size_t k = 0; k < n_comms; k++) {
            zkr_pcs_layout jl;
            if (!zkr_pcs_joins_in(pf, k, r0, a))
                continue;
            zkr_pcs_layout_of(p, n_vars[k], &jl);
            if ((r = zkr_pcs_parse_open(d, p, zkr_pcs_leaf_words(&jl, 0),
                                        jl.log_len[0] - jl.folds[0], pf->open + k)) != ZKR_OK)
                goto out;
        }
        r0 += a;
    }
    *out = pf;
    pf = NULL;
    r = ZKR_OK;
out:
    zkr_pcs_proof_free(pf);
    return r;
}

typedef struct {
    zkr_pcs_vctx v;
    zkr_ext alpha[ZKR_PCS_MAX_COMMS]; /* joined commitments' coefficients */
    size_t top[ZKR_PCS_MAX_COMMS], n_top;
} zkr_pcs_mctx;

/* Phase 1 over mixed sizes: z (n values) and the claim g's fold starts from. */
static zkr_err zkr_pcs_batch_mixed(zkr_pcs_mctx *m, zkr_transcript *t,
                                   const zkr_pcs_claim *claims, zkr_ext *z, zkr_ext *value)
{
    const zkr_pcs_proof *pf = m->v.pf;
    unsigned n = pf->l.n_vars;
    zkr_ext gamma, beta, w = zkr_ext_from(1), sum = zkr_ext_from(0), fin, expect = zkr_ext_from(0);
    zkr_ext ek[ZKR_PCS_MAX_COMMS], bp = zkr_ext_from(1);

    gamma = zkr_ts_challenge_ext(t, "pcs-gamma");
    for (size_t i = 0; i < pf->n_claims; i++) {
        sum = zkr_ext_add(sum, zkr_ext_mul(w, claims[i].value));
        w = zkr_ext_mul(w, gamma);
    }
    zkr_sumcheck_verify(t, n, 2, sum, pf->batch_msgs, z, &fin);
    zkr_ts_absorb_ext(t, "pcs-batch-evals", pf->batch_evals, pf->n_comms);
    for (size_t k = 0; k < pf->n_comms; k++)
        ek[k] = zkr_ext_from(0);
    w = zkr_ext_from(1);
    for (size_t i = 0; i < pf->n_claims; i++) {
        size_t k = claims[i].comm;
        unsigned dk = zkr_pcs_join_round(pf, k);
        zkr_ext e = zkr_mle_eq_eval(claims[i].point, z + dk, pf->comm_vars[k]);
        ek[k] = zkr_ext_add(ek[k], zkr_ext_mul(w, e));
        w = zkr_ext_mul(w, gamma);
    }
    for (size_t k = 0; k < pf->n_comms; k++) {
        zkr_ext pre = zkr_ext_from(1);
        for (unsigned j = 0; j < zkr_pcs_join_round(pf, k); j++)
            pre = zkr_ext_mul(pre, zkr_ext_sub(zkr_ext_from(1), z[j]));
        expect = zkr_ext_add(expect, zkr_ext_mul(zkr_ext_mul(pre, ek[k]), pf->batch_evals[k]));
    }
    if (!zkr_ext_eq(expect, fin))
        return ZKR_ERR_VERIFY;
    beta = zkr_ts_challenge_ext(t, "pcs-beta");
    *value = zkr_ext_from(0);
    m->n_top = 0;
    for (size_t k = 0; k < pf->n_comms; k++)
        if (pf->comm_vars[k] == n) {
            m->v.beta_pow[m->n_top] = bp;
            m->top[m->n_top++] = k;
            *value = zkr_ext_add(*value, zkr_ext_mul(bp, pf->batch_evals[k]));
            bp = zkr_ext_mul(bp, beta);
        }
    return m->n_top ? ZKR_OK : ZKR_ERR_VERIFY;
}

/* Phase 2 with joins: at round d_k, claim += prod eq(z_j, r_j) alpha_k v_k. */
static zkr_err zkr_pcs_fold_mixed(zkr_pcs_mctx *m, zkr_transcript *t, const zkr_ext *z,
                                  zkr_ext value)
{
    const zkr_pcs_proof *pf = m->v.pf;
    const zkr_pcs_layout *l = &pf->l;
    zkr_ext claim = value, g_final, cfac = zkr_ext_from(1);
    unsigned round = 0;

    zkr_ts_absorb_ext(t, "bf-claim", &value, 1);
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        for (unsigned j = 0; j < l->folds[layer]; j++, round++) {
            for (size_t k = 0; k < pf->n_comms; k++) {
                if (pf->comm_vars[k] == l->n_vars || zkr_pcs_join_round(pf, k) != round)
                    continue;
                m->alpha[k] = zkr_ts_challenge_ext(t, "bf-join");
                claim = zkr_ext_add(claim, zkr_ext_mul(cfac, zkr_ext_mul(m->alpha[k],
                                                                         pf->batch_evals[k])));
            }
            zkr_ts_absorb_ext(t, "sc-round", pf->msgs + 2 * round, 2);
            m->v.r[round] = zkr_ts_challenge_ext(t, "sc-challenge");
            claim = zkr_sumcheck_round_eval(pf->msgs + 2 * round, 2, claim, m->v.r[round]);
            cfac = zkr_ext_mul(cfac, zkr_mle_eq_eval(z + round, m->v.r + round, 1));
        }
        if (layer + 1 < l->n_layers)
            zkr_ts_absorb(t, "bf-root", pf->roots[layer + 1], ZKR_DIGEST_BYTES);
    }
    zkr_ts_absorb_ext(t, "bf-final", pf->final, (size_t)1 << l->final_vars);
    g_final = zkr_mle_eval_monomial(pf->final, l->final_vars, z + l->folds_total);
    if (!zkr_ext_eq(claim, zkr_ext_mul(cfac, g_final)))
        return ZKR_ERR_VERIFY;
    if (!zkr_ts_pow_check(t, m->v.p->pow_bits, pf->nonce))
        return ZKR_ERR_VERIFY;
    return ZKR_OK;
}

/* One fold step of a query's leaf values (2^ap of them, leaf L at depth log_len - a). */
static void zkr_pcs_fold_step(zkr_ext *v, unsigned ap, uint64_t L, unsigned lN, zkr_ext r)
{
    zkr_gl inv2 = zkr_gl_inv(2);
    zkr_gl base_inv = zkr_gl_pow(zkr_gl_inv(zkr_gl_root_of_unity(lN)), zkr_bitrev(L, lN - ap));
    zkr_gl small_inv = zkr_gl_inv(zkr_gl_root_of_unity(ap));

    for (size_t i = 0; i < ((size_t)1 << (ap - 1)); i++) {
        zkr_gl xinv = zkr_gl_mul(base_inv, zkr_gl_pow(small_inv, zkr_bitrev(2 * i, ap)));
        zkr_ext s = zkr_ext_add(v[2 * i], v[2 * i + 1]);
        zkr_ext df = zkr_ext_sub(v[2 * i], v[2 * i + 1]);
        df = zkr_ext_mul(r, zkr_ext_mul_base(df, xinv));
        v[i] = zkr_ext_mul_base(zkr_ext_add(s, df), inv2);
    }
}

/* Merkle-checks the leaves commitment k opens for a join in this layer; jl its layout. */
static zkr_err zkr_pcs_join_check(const zkr_pcs_mctx *m, size_t k, const zkr_pcs_layout *jl,
                                  const uint64_t *leaf, unsigned a, unsigned j, uint64_t *u,
                                  size_t *nu)
{
    unsigned q = m->v.p->queries;

    for (unsigned i = 0; i < q; i++)
        u[i] = (leaf[i] << (a - j)) >> jl->folds[0];
    *nu = zkr_idx_sort_unique(u, q);
    return zkr_pcs_check_tree(m->v.comms[k].root, jl->log_len[0] - jl->folds[0], u, *nu,
                              m->v.pf->open + k, zkr_pcs_leaf_words(jl, 0));
}

static zkr_err zkr_pcs_queries_mixed(zkr_pcs_mctx *m, zkr_transcript *t)
{
    const zkr_pcs_proof *pf = m->v.pf;
    const zkr_pcs_layout *l = &pf->l;
    unsigned q = m->v.p->queries, nl = l->n_layers, round = 0;
    uint64_t *pos = NULL, *leaf = NULL, *u = NULL, *ju = NULL;
    size_t jnu[ZKR_PCS_MAX_COMMS];
    zkr_pcs_layout *jl = NULL;
    zkr_ext *expect = NULL, v[(size_t)1 << ZKR_PCS_MAX_FOLD_ARITY];
    zkr_err r = ZKR_ERR_NOMEM;

    pos = malloc(q * sizeof *pos);
    leaf = malloc(q * sizeof *leaf);
    u = malloc(q * sizeof *u);
    expect = malloc(q * sizeof *expect);
    ju = malloc((size_t)q * pf->n_comms * sizeof *ju);
    jl = calloc(pf->n_comms, sizeof *jl);
    if (!pos || !leaf || !u || !expect || !ju || !jl)
        goto out;
    for (unsigned i = 0; i < q; i++)
        leaf[i] = zkr_ts_challenge_index(t, "bf-query",
                                         (uint64_t)1 << (l->log_len[0] - l->folds[0]));
    for (unsigned layer = 0; layer < nl; layer++) {
        unsigned a = l->folds[layer], depth = l->log_len[layer] - a;
        size_t words = zkr_pcs_leaf_words(l, layer), nu;
        const zkr_pcs_open *o = layer == 0 ? pf->open : pf->open + pf->n_comms + layer - 1;
        if (layer > 0)
            for (unsigned i = 0; i < q; i++)
                leaf[i] = pos[i] >> a;
        memcpy(u, leaf, q * sizeof *u);
        nu = zkr_idx_sort_unique(u, q);
        if (layer == 0) {
            for (size_t ti = 0; ti < m->n_top; ti++)
                if ((r = zkr_pcs_check_tree(m->v.comms[m->top[ti]].root, depth, u, nu,
                                            o + m->top[ti], words)) != ZKR_OK)
                    goto out;
        } else if ((r = zkr_pcs_check_tree(pf->roots[layer], depth, u, nu, o, words)) != ZKR_OK) {
            goto out;
        }
        for (size_t k = 0; k < pf->n_comms; k++) {
            if (!zkr_pcs_joins_in(pf, k, round, a))
                continue;
            zkr_pcs_layout_of(m->v.p, pf->comm_vars[k], &jl[k]);
            if ((r = zkr_pcs_join_check(m, k, &jl[k], leaf, a, zkr_pcs_join_round(pf, k) - round,
                                        ju + (size_t)q * k, &jnu[k])) != ZKR_OK)
                goto out;
        }
        for (unsigned i = 0; i < q; i++) {
            size_t at = zkr_pcs_find(u, nu, leaf[i]);
            for (size_t e = 0; e < ((size_t)1 << a); e++) {
                if (layer == 0) {
                    v[e] = zkr_ext_from(0);
                    for (size_t ti = 0; ti < m->n_top; ti++)
                        v[e] = zkr_ext_add(v[e], zkr_ext_mul(m->v.beta_pow[ti],
                                                             zkr_pcs_elem(o + m->top[ti], words,
                                                                          at, e, 0)));
                } else {
                    v[e] = zkr_pcs_elem(o, words, at, e, 1);
                }
            }
            if (layer > 0 && !zkr_ext_eq(v[pos[i] & (((uint64_t)1 << a) - 1)], expect[i])) {
                r = ZKR_ERR_VERIFY;
                goto out;
            }
            for (unsigned j = 0; j < a; j++) {
                for (size_t k = 0; k < pf->n_comms; k++) {
                    uint64_t p0;
                    size_t jat, jw;
                    if (!zkr_pcs_joins_in(pf, k, round, a) ||
                        zkr_pcs_join_round(pf, k) != round + j)
                        continue;
                    /* This leaf's 2^(a-j) values after j folds: positions p0.. of k's codeword. */
                    p0 = leaf[i] << (a - j);
                    jw = zkr_pcs_leaf_words(&jl[k], 0);
                    jat = zkr_pcs_find(ju + (size_t)q * k, jnu[k], p0 >> jl[k].folds[0]);
                    for (size_t e = 0; e < ((size_t)1 << (a - j)); e++) {
                        size_t off = (size_t)((p0 + e) & (((uint64_t)1 << jl[k].folds[0]) - 1));
                        v[e] = zkr_ext_add(v[e], zkr_ext_mul(m->alpha[k],
                                                             zkr_pcs_elem(pf->open + k, jw, jat,
                                                                          off, 0)));
                    }
                }
                zkr_pcs_fold_step(v, a - j, leaf[i], l->log_len[layer] - j, m->v.r[round + j]);
            }
            expect[i] = v[0];
            pos[i] = leaf[i];
        }
        round += a;
    }
    for (unsigned i = 0; i < q; i++)
        if (!zkr_ext_eq(expect[i], zkr_pcs_final_at(pf, l->log_len[nl], pos[i]))) {
            r = ZKR_ERR_VERIFY;
            goto out;
        }
    r = ZKR_OK;
out:
    free(pos);
    free(leaf);
    free(u);
    free(expect);
    free(ju);
    free(jl);
    return r;
}

zkr_err zkr_pcs_verify_mixed(const zkr_params *p, zkr_transcript *t,
                             const zkr_pcs_commitment *comms, size_t n_comms,
                             const zkr_pcs_claim *claims, size_t n_claims,
                             const zkr_pcs_proof *pf)
{
    zkr_pcs_mctx *m;
    zkr_ext *z = NULL, value;
    unsigned n;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!pf || !pf->mixed || pf->n_comms != n_comms || pf->n_claims != n_claims)
        return ZKR_ERR_USAGE;
    n = pf->l.n_vars;
    for (size_t k = 0; k < n_comms; k++)
        if (comms[k].n_vars != pf->comm_vars[k])
            return ZKR_ERR_USAGE;
    for (size_t i = 0; i < n_claims; i++)
        if (claims[i].comm >= n_comms)
            return ZKR_ERR_USAGE;
    m = calloc(1, sizeof *m);
    z = calloc((size_t)n + 1, sizeof *z);
    if (!m || !z)
        goto out;
    m->v.p = p;
    m->v.pf = pf;
    m->v.l = &pf->l;
    m->v.comms = comms;
    zkr_ts_absorb_u64(t, "pcs-mixed", n_comms);
    for (size_t k = 0; k < n_comms; k++) {
        zkr_ts_absorb(t, "pcs-comm", comms[k].root, ZKR_DIGEST_BYTES);
        zkr_ts_absorb_u64(t, "pcs-comm-vars", comms[k].n_vars);
    }
    for (size_t i = 0; i < n_claims; i++) {
        zkr_ts_absorb_u64(t, "pcs-claim-comm", claims[i].comm);
        zkr_ts_absorb_ext(t, "pcs-claim-point", claims[i].point, comms[claims[i].comm].n_vars);
        zkr_ts_absorb_ext(t, "pcs-claim-value", &claims[i].value, 1);
    }
    if ((r = zkr_pcs_batch_mixed(m, t, claims, z, &value)) != ZKR_OK ||
        (r = zkr_pcs_fold_mixed(m, t, z, value)) != ZKR_OK)
        goto out;
    r = zkr_pcs_queries_mixed(m, t);
out:
    free(m);
    free(z);
    return r;
}
