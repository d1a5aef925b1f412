/*
 * Hiding Basefold opening, verifier side (docs/proof-system.md,
 * "Zero-knowledge (hiding) layer"). The folding and query phases are the
 * same mathematics as zk/pcs.c's phase 2; what differs is what is folded:
 * G = F + rho Z, F the degree-blinded commitment (n + e variables, its
 * random part never touched by the claim at (z, 0^e)) and Z the prover's
 * fresh uniformly random extension-valued mask. Layer 0 opens F's tree
 * (base words) and Z's tree (extension words); the verifier combines them
 * with (1, rho) exactly as zk/pcs.c combines batched commitments with
 * (1, beta).
 */
#include <stdlib.h>
#include <string.h>

#include "zk/ldr.h"
#include "zk/zk.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

struct zkr_hpcs_proof {
    zkr_pcs_layout l;
    zkr_ext *msgs;                       /* folds_total * 2 */
    uint8_t roots[32][ZKR_DIGEST_BYTES]; /* layers 1.. */
    zkr_ext *final;                      /* 2^final_vars coefficients */
    uint64_t nonce;
    unsigned k;                          /* committed polynomials opened together (1: single) */
    unsigned f_ext[ZKR_HPCS_MAX_BATCH];  /* each F's layer-0 words: extension (1) or base */
    /* F (k = 1, base) and Z in one tree (zkr_hpcs_proof_parse_masked): open[1] a view of
     * open[0], its leaves Z's words after F's */
    int masked;
    /*
     * F (k = 1, base) member grp_i of a stacked group of grp_n (> 1;
     * zkr_hpcs_verify_batch_stacked): grp the group's layer-0 opening
     * (every member's words a leaf), open[0] a view of it at F's words
     */
    unsigned grp_n, grp_i;
    zkr_pcs_open grp;
    /* [0..k-1] the F's, [k] Z, [k + l] layer l >= 1 */
    zkr_pcs_open open[32 + ZKR_HPCS_MAX_BATCH];
};

/* Fixed point for the layout's expected sizes: 1.0 is 2^62. */
#define ZKR_H_ONE ((uint64_t)1 << 62)

static uint64_t zkr_h_fmul(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 62);
}

/* (1 - 2^-k)^q in fixed point: the chance that q uniform queries all miss one of 2^k nodes. */
static uint64_t zkr_h_miss(unsigned k, unsigned q)
{
    uint64_t base = k >= 62 ? ZKR_H_ONE : ZKR_H_ONE - (ZKR_H_ONE >> k), acc = ZKR_H_ONE;

    for (; q; q >>= 1, base = zkr_h_fmul(base, base))
        if (q & 1)
            acc = zkr_h_fmul(acc, base);
    return acc;
}

/* Tree depths the layout's costs reach (total_vars <= 32 plus the blowup). */
#define ZKR_H_MAX_DEPTH 64

/*
 * The per-depth figures of one query count, computed once per layout (the
 * schedule search prices every (size, arity) pair, and the soundness scans
 * run whole layouts thousands of times): miss[k] = zkr_h_miss(k, q), and
 * sib[d] = the sum over levels k = 1..d of P(a level-k node is hit and its
 * sibling is not) 2^k, the expected sibling count of a depth-d opening.
 */
typedef struct {
    uint64_t miss[ZKR_H_MAX_DEPTH + 1];
    unsigned __int128 sib[ZKR_H_MAX_DEPTH + 1];
} zkr_h_costs;

static void zkr_h_costs_of(unsigned q, zkr_h_costs *c)
{
    c->sib[0] = 0;
    c->miss[0] = zkr_h_miss(0, q);
    for (unsigned k = 1; k <= ZKR_H_MAX_DEPTH; k++) {
        uint64_t m = zkr_h_miss(k, q);
        c->miss[k] = m;
        c->sib[k] = c->sib[k - 1] + ((unsigned __int128)zkr_h_fmul(ZKR_H_ONE - m, m) << k);
    }
}

/*
 * Expected bytes (times 2^62) of one folded layer's tree opening: depth
 * levels under the root, leaves of leaf_bytes, c's query count. A node is
 * sent as a sibling when it is hit and its sibling is not (the pruned
 * multi-opening); plus the layer's root and the two counts.
 */
static unsigned __int128 zkr_h_layer_cost(const zkr_h_costs *c, unsigned depth,
                                          uint64_t leaf_bytes)
{
    uint64_t hit = ZKR_H_ONE - c->miss[depth];
    unsigned __int128 cost = ((unsigned __int128)hit << depth) * leaf_bytes;

    return cost + c->sib[depth] * ZKR_DIGEST_BYTES + ((unsigned __int128)(ZKR_DIGEST_BYTES + 8) << 62);
}

/*
 * The schedule with the folded layers' values eb bytes each (24: F_p^3;
 * 48: an F_p^6 mixed opening's), leaves within the Merkle word cap.
 */
static void zkr_hpcs_layout_priced(const zkr_params *p, unsigned total_vars, unsigned eb,
                                   zkr_pcs_layout *l)
{
    /* best[v]: the least expected bytes from a folded layer of v variables on;
     * pick[v]: its arity, 0 to stop there (the final polynomial). */
    unsigned __int128 best[33];
    unsigned pick[33], fmin, fmax, v, layer = 1, ew = eb / 8;
    zkr_h_costs costs;

    zkr_pcs_layout_of(p, total_vars, l);
    if (l->folds[0] == 0 || total_vars > 32 || total_vars + p->log_blowup > ZKR_H_MAX_DEPTH)
        return; /* nothing folds: the plain schedule is the only one */
    zkr_h_costs_of(p->queries, &costs);
    fmin = l->final_vars;
    fmax = ZKR_HPCS_MAX_FINAL_VARS > fmin ? ZKR_HPCS_MAX_FINAL_VARS : fmin;
    for (v = fmin; v <= total_vars - l->folds[0]; v++) {
        pick[v] = 0;
        best[v] = v <= fmax ? ((unsigned __int128)eb << v) << 62 : ~(unsigned __int128)0;
        for (unsigned a = 1; a <= ZKR_PCS_MAX_FOLD_ARITY && a + fmin <= v &&
                             (ew << a) <= ZKR_MT_MAX_LEAF_WORDS;
             a++) {
            unsigned __int128 c;
            if (best[v - a] == ~(unsigned __int128)0)
                continue;
            /* a round messages (2 values each), the layer's opening, the rest */
            c = ((unsigned __int128)(2 * eb * a) << 62) +
                zkr_h_layer_cost(&costs, v + p->log_blowup - a,
                                 (uint64_t)ZKR_SALT_BYTES + ((uint64_t)eb << a)) +
                best[v - a];
            if (c < best[v]) {
                best[v] = c;
                pick[v] = a;
            }
        }
    }
    v = total_vars - l->folds[0];
    while (pick[v] != 0 && layer < 32) {
        l->folds[layer] = pick[v];
        l->log_len[layer + 1] = l->log_len[layer] - pick[v];
        v -= pick[v];
        layer++;
    }
    l->n_layers = layer;
    l->final_vars = v;
    l->folds_total = total_vars - v;
    for (unsigned i = layer; i < 32; i++) {
        l->folds[i] = 0;
        l->log_len[i + 1] = 0;
    }
}

void zkr_hpcs_layout_of(const zkr_params *p, unsigned total_vars, zkr_pcs_layout *l)
{
    zkr_hpcs_layout_priced(p, total_vars, ZKR_EXT_BYTES, l);
}

void zkr_hpcs_mixed_layout_of(const zkr_params *p, unsigned total_vars, zkr_pcs_layout *l)
{
    zkr_hpcs_layout_priced(p, total_vars, p->mixed_ext6 ? ZKR_EXT6_BYTES : ZKR_EXT_BYTES, l);
}

uint64_t zkr_hpcs_positions_per_open(const zkr_params *p, unsigned total_vars)
{
    zkr_pcs_layout l;

    zkr_pcs_layout_of(p, total_vars, &l);
    return (uint64_t)p->queries << l.folds[0];
}

unsigned zkr_hpcs_blind_vars(const zkr_params *p, unsigned n_vars, uint32_t budget)
{
    if (budget == 0 || budget > ZKR_HPCS_MAX_BUDGET)
        return 0;
    for (unsigned e = 1; e <= ZKR_HPCS_MAX_BLIND_VARS && n_vars + e <= p->max_vars; e++) {
        /* The random coefficients: 2^n (2^e - 1); they must outnumber every
         * layer-0 evaluation the budgeted openings reveal. */
        unsigned __int128 rnd = (((unsigned __int128)1 << e) - 1) << n_vars;
        /* + 1: an opening may also reveal one evaluation of F off the slice u = 0
         * (the hiding range proof's randomised extension). */
        unsigned __int128 need =
            (unsigned __int128)budget * (zkr_hpcs_positions_per_open(p, n_vars + e) + 1);
        if (rnd >= need)
            return e;
    }
    return 0;
}

void zkr_hpcs_proof_free(zkr_hpcs_proof *pf)
{
    if (!pf)
        return;
    free(pf->msgs);
    free(pf->final);
    free(pf);
}

static zkr_err zkr_hpcs_parse_open(zkr_dec *d, const zkr_params *p, size_t words, unsigned depth,
                                   zkr_pcs_open *o)
{
    zkr_err r;
    size_t leaf_bytes = ZKR_SALT_BYTES + 8 * words;

    if ((r = zkr_dec_u32(d, &o->n_open)) != ZKR_OK || (r = zkr_dec_u32(d, &o->n_sib)) != ZKR_OK)
        return r;
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

zkr_err zkr_hpcs_proof_parse(const zkr_params *p, unsigned total_vars, zkr_dec *d,
                             zkr_hpcs_proof **out)
{
    return zkr_hpcs_proof_parse_f(p, total_vars, 0, d, out);
}

/*
 * k F trees at layer 0 (f_ext[i]: F_i's leaves hold extension words), then
 * Z's; masked (k 1, F base): one tree, each leaf F's words then Z's.
 */
static zkr_err zkr_hpcs_parse_k(const zkr_params *p, unsigned total_vars, size_t k,
                                const unsigned *f_ext, int masked, unsigned grp_n,
                                unsigned grp_i, zkr_dec *d, zkr_hpcs_proof **out);

zkr_err zkr_hpcs_proof_parse_f(const zkr_params *p, unsigned total_vars, unsigned f_ext,
                               zkr_dec *d, zkr_hpcs_proof **out)
{
    unsigned fe = f_ext ? 1 : 0;

    return zkr_hpcs_parse_k(p, total_vars, 1, &fe, 0, 0, 0, d, out);
}

zkr_err zkr_hpcs_proof_parse_masked(const zkr_params *p, unsigned total_vars, zkr_dec *d,
                                    zkr_hpcs_proof **out)
{
    unsigned fe = 0;

    return zkr_hpcs_parse_k(p, total_vars, 1, &fe, 1, 0, 0, d, out);
}

/* Layer 0's trees: the F's then Z's, or (masked) the one tree holding F and Z. */
static zkr_err zkr_hpcs_parse_layer0(zkr_dec *d, const zkr_params *p, zkr_hpcs_proof *pf,
                                     unsigned depth)
{
    size_t bw = (size_t)1 << pf->l.folds[0], ew = (size_t)3 << pf->l.folds[0];
    unsigned k = pf->k;
    zkr_err r;

    if (pf->masked) {
        if ((r = zkr_hpcs_parse_open(d, p, bw + ew, depth, &pf->open[0])) != ZKR_OK)
            return r;
        pf->open[1] = pf->open[0];
        pf->open[1].leaves += 8 * bw;
        return ZKR_OK;
    }
    if (pf->grp_n > 1) { /* the group's leaves, F's words at its place in them */
        if ((r = zkr_hpcs_parse_open(d, p, bw * pf->grp_n, depth, &pf->grp)) != ZKR_OK)
            return r;
        pf->open[0] = pf->grp;
        pf->open[0].leaves += 8 * bw * pf->grp_i;
        return zkr_hpcs_parse_open(d, p, ew, depth, &pf->open[1]);
    }
    for (unsigned i = 0; i < k; i++)
        if ((r = zkr_hpcs_parse_open(d, p, pf->f_ext[i] ? ew : bw, depth, &pf->open[i])) !=
            ZKR_OK)
            return r;
    return zkr_hpcs_parse_open(d, p, ew, depth, &pf->open[k]);
}

static zkr_err zkr_hpcs_parse_k(const zkr_params *p, unsigned total_vars, size_t k,
                                const unsigned *f_ext, int masked, unsigned grp_n,
                                unsigned grp_i, zkr_dec *d, zkr_hpcs_proof **out)
{
    zkr_hpcs_proof *pf;
    const uint8_t *raw;
    size_t n_final;
    zkr_err r = ZKR_ERR_NOMEM;

    *out = NULL;
    if (zkr_params_check(p) != ZKR_OK)
        return ZKR_ERR_UNSUPPORTED;
    if (total_vars > p->max_vars)
        return ZKR_ERR_TOO_LARGE;
    if (k == 0 || k > ZKR_HPCS_MAX_BATCH)
        return ZKR_ERR_USAGE;
    pf = calloc(1, sizeof *pf);
    if (!pf)
        return ZKR_ERR_NOMEM;
    zkr_hpcs_layout_of(p, total_vars, &pf->l);
    pf->k = (unsigned)k;
    pf->masked = masked && k == 1 && !f_ext[0];
    if (grp_n > 1) {
        /* a group member's leaves: base words, n of them a leaf within the tree's bound */
        if (k != 1 || f_ext[0] || masked || grp_i >= grp_n ||
            ((size_t)grp_n << pf->l.folds[0]) > ZKR_MT_MAX_LEAF_WORDS) {
            free(pf);
            return ZKR_ERR_USAGE;
        }
        pf->grp_n = grp_n;
        pf->grp_i = grp_i;
    }
    for (size_t i = 0; i < k; i++)
        pf->f_ext[i] = f_ext[i] ? 1 : 0;
    n_final = (size_t)1 << pf->l.final_vars;
    pf->msgs = calloc((size_t)2 * pf->l.folds_total + 1, sizeof *pf->msgs);
    pf->final = calloc(n_final, sizeof *pf->final);
    if (!pf->msgs || !pf->final)
        goto out;
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
        unsigned depth = pf->l.log_len[l] - pf->l.folds[l];
        size_t ext_words = (size_t)3 << pf->l.folds[l];
        if (l == 0) {
            if ((r = zkr_hpcs_parse_layer0(d, p, pf, depth)) != ZKR_OK)
                goto out;
        } else if ((r = zkr_hpcs_parse_open(d, p, ext_words, depth, &pf->open[k + l])) != ZKR_OK) {
            goto out;
        }
    }
    *out = pf;
    pf = NULL;
    r = ZKR_OK;
out:
    zkr_hpcs_proof_free(pf);
    return r;
}

/* Leaf hashes of one opened tree (its leaves' bytes as the proof holds
 * them: salt || words as le64, the hashed message), checked against root. */
static zkr_err zkr_hpcs_check_tree(const uint8_t root[ZKR_DIGEST_BYTES], unsigned depth,
                                   const uint64_t *idx, size_t n, const zkr_pcs_open *o,
                                   size_t words, int x8)
{
    uint8_t (*lh)[ZKR_DIGEST_BYTES];
    size_t leaf_bytes = ZKR_SALT_BYTES + 8 * words;
    zkr_err r;

    if (o->n_open != n || words > ZKR_MT_MAX_LEAF_WORDS)
        return ZKR_ERR_VERIFY;
    lh = malloc(n * sizeof *lh);
    if (!lh)
        return ZKR_ERR_NOMEM;
    zkr_mtree_leaf_hashes(o->leaves, leaf_bytes, n, x8, lh);
    r = zkr_mtree_verify_x8(root, depth, idx, (const uint8_t(*)[ZKR_DIGEST_BYTES])lh, n, o->sib,
                            o->n_sib, x8);
    free(lh);
    return r;
}

static size_t zkr_hpcs_find(const uint64_t *u, size_t n, uint64_t leaf)
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

/* zkr_load_le64 in line (the query loop reads every opened word): the compiler makes it one load. */
static inline uint64_t zkr_hpcs_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static zkr_ext zkr_hpcs_elem(const zkr_pcs_open *o, size_t words, size_t pos, size_t u, int ext)
{
    const uint8_t *leaf = o->leaves + pos * (ZKR_SALT_BYTES + 8 * words) + ZKR_SALT_BYTES;
    if (!ext)
        return zkr_ext_from(zkr_hpcs_le64(leaf + 8 * u));
    zkr_ext e = {{zkr_hpcs_le64(leaf + 24 * u), zkr_hpcs_le64(leaf + 24 * u + 8),
                  zkr_hpcs_le64(leaf + 24 * u + 16)}};
    return e;
}

/*
 * One layer's fold constants, shared by every query (the values the
 * per-query powers gave: field arithmetic is exact). With lN = log_len - j
 * and ap = a - j, fold step j of leaf L needs x^-1 = w_lN^-bitrev(L, lN - ap)
 * w_ap^-bitrev(2i, ap). lN - ap = log_len - a = depth for every j, and
 * w_lN = w_log_len^(2^j), so the leaf's part is b^(2^j) with
 * b = w_log_len^-bitrev(L, depth) (pw[t] = w_log_len^-(2^t) builds b from
 * its bits); the rest is tw[j][i].
 */

static void zkr_hpcs_fold_tab_init(zkr_hpcs_fold_tab *ft, unsigned a, unsigned log_len)
{
    ft->a = a;
    ft->depth = log_len - a;
    ft->inv2 = zkr_gl_inv(2);
    ft->pw[0] = zkr_gl_inv(zkr_gl_root_of_unity(log_len));
    for (unsigned t = 1; t < ft->depth && t < 64; t++)
        ft->pw[t] = zkr_gl_mul(ft->pw[t - 1], ft->pw[t - 1]);
    for (unsigned j = 0; j < a; j++) {
        unsigned ap = a - j;
        zkr_gl small_inv = zkr_gl_inv(zkr_gl_root_of_unity(ap));
        for (size_t i = 0; i < ((size_t)1 << (ap - 1)); i++)
            ft->tw[j][i] = zkr_gl_pow(small_inv, zkr_bitrev(2 * i, ap));
    }
}

/* Leaf L's part of fold step 0's x^-1: w_log_len^-bitrev(L, depth), from pw's powers. */
static zkr_gl zkr_hpcs_leaf_base_inv(const zkr_hpcs_fold_tab *ft, uint64_t L)
{
    uint64_t e = zkr_bitrev(L, ft->depth);
    zkr_gl base_inv = 1;

    for (unsigned t = 0; e; t++, e >>= 1)
        if (e & 1)
            base_inv = zkr_gl_mul(base_inv, ft->pw[t]);
    return base_inv;
}

/* Folds a leaf's 2^a values a times (leaf L of a bit-reversed codeword of length 2^log_len). */
static zkr_ext zkr_hpcs_fold_leaf(zkr_ext *v, const zkr_hpcs_fold_tab *ft, uint64_t L,
                                  const zkr_ext *r)
{
    zkr_gl base_inv = zkr_hpcs_leaf_base_inv(ft, L);

    for (unsigned j = 0; j < ft->a; j++, base_inv = zkr_gl_mul(base_inv, base_inv)) {
        unsigned ap = ft->a - j;
        for (size_t i = 0; i < ((size_t)1 << (ap - 1)); i++) {
            zkr_gl xinv = zkr_gl_mul(base_inv, ft->tw[j][i]);
            zkr_ext s = zkr_ext_add(v[2 * i], v[2 * i + 1]);
            zkr_ext df = zkr_ext_sub(v[2 * i], v[2 * i + 1]);
            df = zkr_ext_mul(r[j], zkr_ext_mul_base(df, xinv));
            v[i] = zkr_ext_mul_base(zkr_ext_add(s, df), ft->inv2);
        }
    }
    return v[0];
}

/*
 * The final polynomial at w^bitrev(pos[k]) for the q queries (w of order
 * 2^log_len): its whole codeword, one low-degree extension per component
 * (zkr_ntt_lde, shift 1: the evaluations in bit-reversed order, the
 * prover's layout, so entry pos[k] is the query's) where that costs less
 * than q Horner evaluations, else Horner at powers built from a table.
 * The values are the same either way (exact arithmetic).
 */
zkr_err zkr_hpcs_x_final_vals(const zkr_ext *final, unsigned final_vars, unsigned log_len,
                              const uint64_t *pos, unsigned q, zkr_ext *out)
{
    size_t n_coef = (size_t)1 << final_vars, n;
    zkr_ntt *ntt = NULL;
    zkr_gl *a = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    if (final_vars < 1 || log_len > 30 || log_len < final_vars ||
        ((size_t)1 << (log_len - 1)) * (log_len + 2) >= (size_t)q * n_coef) {
        zkr_gl pw[64];
        pw[0] = zkr_gl_root_of_unity(log_len);
        for (unsigned t = 1; t < log_len && t < 64; t++)
            pw[t] = zkr_gl_mul(pw[t - 1], pw[t - 1]);
        for (unsigned k = 0; k < q; k++) {
            uint64_t e = zkr_bitrev(pos[k], log_len);
            zkr_gl x = 1;
            zkr_ext acc = zkr_ext_from(0);
            for (unsigned t = 0; e; t++, e >>= 1)
                if (e & 1)
                    x = zkr_gl_mul(x, pw[t]);
            for (size_t i = n_coef; i-- > 0;)
                acc = zkr_ext_add(zkr_ext_mul_base(acc, x), final[i]);
            out[k] = acc;
        }
        return ZKR_OK;
    }
    n = (size_t)1 << log_len;
    a = malloc((n + n_coef) * sizeof *a);
    if (!a || (r = zkr_ntt_new(final_vars, &ntt)) != ZKR_OK)
        goto out;
    for (unsigned c = 0; c < 3; c++) {
        for (size_t i = 0; i < n_coef; i++)
            a[n + i] = final[i].c[c];
        if ((r = zkr_ntt_lde(ntt, a + n, final_vars, log_len - final_vars, 1, 1, a)) !=
            ZKR_OK)
            goto out;
        for (unsigned k = 0; k < q; k++)
            out[k].c[c] = a[pos[k]];
    }
    r = ZKR_OK;
out:
    zkr_ntt_free(ntt);
    free(a);
    return r;
}

static zkr_err zkr_hpcs_final_vals(const zkr_hpcs_proof *pf, unsigned log_len, const uint64_t *pos,
                                   unsigned q, zkr_ext *out)
{
    return zkr_hpcs_x_final_vals(pf->final, pf->l.final_vars, log_len, pos, q, out);
}

/* The folding sumcheck on eq(zf, x) G(x) and the final-polynomial check. */
/* off: test builds' ZKR_HM_OFF_FACTOR / ZKR_HM_OFF_FINAL (0 on every production path). */
static zkr_err zkr_hpcs_fold_phase(const zkr_params *p, zkr_transcript *t,
                                   const zkr_hpcs_proof *pf, const zkr_ext *zf, zkr_ext value,
                                   unsigned off, zkr_ext *r_all)
{
    const zkr_pcs_layout *l = &pf->l;
    zkr_ext claim = value, g_final, eqv;
    unsigned round = 0;

    zkr_ts_absorb_ext(t, "bf-claim", &value, 1);
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        for (unsigned j = 0; j < l->folds[layer]; j++, round++) {
            /* [H24]'s round message is L(X, z) Lambda(X): the list-decoding
             * figure (zk/ldr.h) needs it (docs/soundness.md). */
            if (!(off & ZKR_HM_OFF_FACTOR) &&
                !zkr_hpcs_round_factored(pf->msgs + 2 * round, claim, zf[round]))
                return ZKR_ERR_VERIFY;
            zkr_ts_absorb_ext(t, "sc-round", pf->msgs + 2 * round, 2);
            r_all[round] = zkr_ts_challenge_ext(t, "sc-challenge");
            claim = zkr_sumcheck_round_eval(pf->msgs + 2 * round, 2, claim, r_all[round]);
        }
        if (layer + 1 < l->n_layers)
            zkr_ts_absorb(t, "bf-root", pf->roots[layer + 1], ZKR_DIGEST_BYTES);
    }
    zkr_ts_absorb_ext(t, "bf-final", pf->final, (size_t)1 << l->final_vars);
    eqv = zkr_mle_eq_eval(zf, r_all, l->folds_total);
    g_final = zkr_mle_eval_monomial(pf->final, l->final_vars, zf + l->folds_total);
    if (!(off & ZKR_HM_OFF_FINAL) && !zkr_ext_eq(claim, zkr_ext_mul(eqv, g_final)))
        return ZKR_ERR_VERIFY;
    if (!zkr_ts_pow_check(t, p->pow_bits, pf->nonce))
        return ZKR_ERR_VERIFY;
    return ZKR_OK;
}

/* One layer's Merkle checks and fold chain; expect/pos carry between layers. */
/*
 * roots[0..k-1] the F's, roots[k] Z's; coef[0..k-1] the F's weights (1 for a
 * single opening, the betas for a batch), coef[k] = rho.
 */
static zkr_err zkr_hpcs_layer(const zkr_params *p, const zkr_hpcs_proof *pf, unsigned layer,
                              const uint8_t *const *roots, const zkr_ext *coef, const zkr_ext *r,
                              int x8, uint64_t *leaf, uint64_t *u, uint64_t *pos, zkr_ext *expect)
{
    const zkr_pcs_layout *l = &pf->l;
    unsigned q = p->queries, a = l->folds[layer], depth = l->log_len[layer] - a, k = pf->k;
    size_t nu, bw = (size_t)1 << a, ew = (size_t)3 << a;
    zkr_ext v[(size_t)1 << ZKR_PCS_MAX_FOLD_ARITY];
    zkr_hpcs_fold_tab ft;
    zkr_err rc;

    if (layer > 0)
        for (unsigned i = 0; i < q; i++)
            leaf[i] = pos[i] >> a;
    memcpy(u, leaf, q * sizeof *u);
    nu = zkr_idx_sort_unique(u, q);
    if (layer == 0 && pf->masked) {
        /* F's and Z's words hashed together, once, against F's root */
        if ((rc = zkr_hpcs_check_tree(roots[0], depth, u, nu, &pf->open[0], bw + ew, x8)) !=
            ZKR_OK)
            return rc;
    } else if (layer == 0) {
        /* a group member: the group's whole leaves hashed against the group's root */
        for (unsigned f = 0; f < k; f++)
            if ((rc = zkr_hpcs_check_tree(roots[f], depth, u, nu,
                                          pf->grp_n > 1 ? &pf->grp : &pf->open[f],
                                          pf->grp_n > 1 ? bw * pf->grp_n
                                                        : pf->f_ext[f] ? ew : bw,
                                          x8)) != ZKR_OK)
                return rc;
        if ((rc = zkr_hpcs_check_tree(roots[k], depth, u, nu, &pf->open[k], ew, x8)) != ZKR_OK)
            return rc;
    } else if ((rc = zkr_hpcs_check_tree(pf->roots[layer], depth, u, nu, &pf->open[k + layer],
                                         ew, x8)) != ZKR_OK) {
        return rc;
    }
    zkr_hpcs_fold_tab_init(&ft, a, l->log_len[layer]);
    for (unsigned i = 0; i < q; i++) {
        size_t at = zkr_hpcs_find(u, nu, leaf[i]);
        for (size_t e = 0; e < bw; e++) {
            if (layer == 0) {
                /* a masked tree's leaves are bw + ew words long (the stride of both views) */
                v[e] = zkr_ext_mul(coef[k], zkr_hpcs_elem(&pf->open[k], pf->masked ? bw + ew : ew,
                                                          at, e, 1));
                for (unsigned f = 0; f < k; f++) {
                    size_t stride = pf->masked      ? bw + ew
                                    : pf->grp_n > 1 ? bw * pf->grp_n
                                    : pf->f_ext[f]  ? ew
                                                    : bw;
                    zkr_ext fv = zkr_hpcs_elem(&pf->open[f], stride, at, e, (int)pf->f_ext[f]);
                    /* a base word times coef: zkr_ext_mul's value at a third of the products */
                    fv = pf->f_ext[f] ? zkr_ext_mul(coef[f], fv) : zkr_ext_mul_base(coef[f], fv.c[0]);
                    v[e] = zkr_ext_add(fv, v[e]);
                }
            } else {
                v[e] = zkr_hpcs_elem(&pf->open[k + layer], ew, at, e, 1);
            }
        }
        if (layer > 0 && !zkr_ext_eq(v[pos[i] & (bw - 1)], expect[i]))
            return ZKR_ERR_VERIFY;
        expect[i] = zkr_hpcs_fold_leaf(v, &ft, leaf[i], r);
        pos[i] = leaf[i];
    }
    return ZKR_OK;
}

static zkr_err zkr_hpcs_queries(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_proof *pf,
                                const uint8_t *const *roots, const zkr_ext *coef,
                                const zkr_ext *r_all)
{
    const zkr_pcs_layout *l = &pf->l;
    unsigned q = p->queries, round = 0;
    int x8 = zkr_b2x8_ok(); /* once: one path for the whole job */
    uint64_t *pos = malloc(q * sizeof *pos), *leaf = malloc(q * sizeof *leaf);
    uint64_t *u = malloc(q * sizeof *u);
    zkr_ext *expect = malloc(q * sizeof *expect), *fin = malloc(q * sizeof *fin);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!pos || !leaf || !u || !expect || !fin)
        goto out;
    for (unsigned i = 0; i < q; i++)
        leaf[i] = zkr_ts_challenge_index(t, "bf-query",
                                         (uint64_t)1 << (l->log_len[0] - l->folds[0]));
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        r = zkr_hpcs_layer(p, pf, layer, roots, coef, r_all + round, x8, leaf, u, pos, expect);
        if (r != ZKR_OK)
            goto out;
        round += l->folds[layer];
    }
    if ((r = zkr_hpcs_final_vals(pf, l->log_len[l->n_layers], pos, q, fin)) != ZKR_OK)
        goto out;
    for (unsigned i = 0; i < q; i++)
        if (!zkr_ext_eq(expect[i], fin[i]))
            r = ZKR_ERR_VERIFY;
out:
    free(pos);
    free(leaf);
    free(u);
    free(expect);
    free(fin);
    return r;
}

/* u NULL: the slice u = 0^e and z absorbed (zkr_hpcs_verify); else z is the full point. */
static zkr_err zkr_hpcs_verify_run(const zkr_params *p, zkr_transcript *t,
                                   const zkr_hpcs_commitment *f,
                                   const uint8_t mask_root[ZKR_DIGEST_BYTES], zkr_ext rho,
                                   const zkr_ext *z, int full, zkr_ext value,
                                   const zkr_hpcs_proof *pf, int masked)
{
    unsigned total;
    zkr_ext *zf = NULL, *r_all = NULL;
    const uint8_t *roots[2] = {f->root, mask_root};
    zkr_ext coef[2] = {zkr_ext_from(1), rho};
    zkr_err r = ZKR_ERR_NOMEM;

    /* a masked proof's one tree is read only where the caller's protocol says so */
    if (!pf || pf->k != 1 || f->blind_vars == 0 || f->blind_vars > ZKR_HPCS_MAX_BLIND_VARS ||
        pf->f_ext[0] != (f->ext ? 1u : 0u) || pf->masked != masked)
        return ZKR_ERR_USAGE;
    total = f->n_vars + f->blind_vars;
    if (pf->l.n_vars != total)
        return ZKR_ERR_USAGE;
    zf = calloc((size_t)total + 1, sizeof *zf);
    r_all = calloc((size_t)total + 1, sizeof *r_all);
    if (!zf || !r_all)
        goto out;
    /* The claim sits on the slice u = 0^e (F's random part never enters it)
     * unless the caller's protocol fixes the blinding coordinates itself. */
    memcpy(zf, z, (size_t)(full ? total : f->n_vars) * sizeof *zf);
    zkr_ts_absorb(t, "hpcs-f", f->root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "hpcs-z", mask_root, ZKR_DIGEST_BYTES);
    if (full)
        zkr_ts_absorb_ext(t, "hpcs-point-full", zf, total);
    else
        zkr_ts_absorb_ext(t, "hpcs-point", z, f->n_vars);
    if ((r = zkr_hpcs_fold_phase(p, t, pf, zf, value, 0, r_all)) != ZKR_OK)
        goto out;
    r = zkr_hpcs_queries(p, t, pf, roots, coef, r_all);
out:
    free(zf);
    free(r_all);
    return r;
}

zkr_err zkr_hpcs_verify(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *f,
                        const uint8_t mask_root[ZKR_DIGEST_BYTES], zkr_ext rho, const zkr_ext *z,
                        zkr_ext value, const zkr_hpcs_proof *pf)
{
    return zkr_hpcs_verify_run(p, t, f, mask_root, rho, z, 0, value, pf, 0);
}

zkr_err zkr_hpcs_verify_masked(const zkr_params *p, zkr_transcript *t,
                               const zkr_hpcs_commitment *f, zkr_ext rho, const zkr_ext *z,
                               zkr_ext value, const zkr_hpcs_proof *pf)
{
    if (f->ext)
        return ZKR_ERR_USAGE;
    return zkr_hpcs_verify_run(p, t, f, f->root, rho, z, 0, value, pf, 1);
}

zkr_err zkr_hpcs_verify_at(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *f,
                           const uint8_t mask_root[ZKR_DIGEST_BYTES], zkr_ext rho,
                           const zkr_ext *zfull, zkr_ext value, const zkr_hpcs_proof *pf)
{
    return zkr_hpcs_verify_run(p, t, f, mask_root, rho, zfull, 1, value, pf, 0);
}

/* The batch's transcript before its challenges (prover and verifier, same order). */
void zkr_hpcs_batch_absorb(zkr_transcript *t, size_t k, const uint8_t (*roots)[ZKR_DIGEST_BYTES],
                           const zkr_ext *zfull, unsigned total, const zkr_ext *values,
                           const uint8_t mask_root[ZKR_DIGEST_BYTES], zkr_ext b)
{
    zkr_ts_absorb_u64(t, "hb-k", k);
    for (size_t i = 0; i < k; i++)
        zkr_ts_absorb(t, "hb-f", roots[i], ZKR_DIGEST_BYTES);
    zkr_ts_absorb_ext(t, "hb-point", zfull, total);
    zkr_ts_absorb_ext(t, "hb-values", values, k);
    zkr_ts_absorb(t, "hb-mask-root", mask_root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_ext(t, "hb-mask-val", &b, 1);
}

zkr_err zkr_hpcs_verify_batch(const zkr_params *p, zkr_transcript *t,
                              const zkr_hpcs_commitment *f, size_t k, const zkr_ext *zfull,
                              const zkr_ext *values, zkr_dec *d)
{
    return zkr_hpcs_verify_batch_off(p, t, f, k, zfull, values, 0, d);
}

static zkr_err zkr_hpcs_verify_batch_run(const zkr_params *p, zkr_transcript *t,
                                         const zkr_hpcs_commitment *f, size_t k,
                                         const zkr_ext *zfull, const zkr_ext *values,
                                         unsigned off, unsigned grp_n, unsigned grp_i,
                                         zkr_dec *d);

zkr_err zkr_hpcs_verify_batch_off(const zkr_params *p, zkr_transcript *t,
                                  const zkr_hpcs_commitment *f, size_t k, const zkr_ext *zfull,
                                  const zkr_ext *values, unsigned off, zkr_dec *d)
{
    /* the switches are the soundness tests' teeth: a release build (test_hooks false) ignores
     * them, as zkr_hpcs_verify_mixed_off does, so no caller can switch a check off there */
    return zkr_hpcs_verify_batch_run(p, t, f, k, zfull, values, ZKR_TEST_BUILD ? off : 0, 0, 0,
                                     d);
}

zkr_err zkr_hpcs_verify_batch_stacked(const zkr_params *p, zkr_transcript *t,
                                      const zkr_hpcs_commitment *f, const zkr_ext *zfull,
                                      zkr_ext value, unsigned grp_n, unsigned grp_i, zkr_dec *d)
{
    if (grp_n < 2 || grp_n > ZKR_HPCS_MAX_STACK || grp_i >= grp_n || f->ext)
        return ZKR_ERR_USAGE;
    return zkr_hpcs_verify_batch_run(p, t, f, 1, zfull, &value, 0, grp_n, grp_i, d);
}

static zkr_err zkr_hpcs_verify_batch_run(const zkr_params *p, zkr_transcript *t,
                                         const zkr_hpcs_commitment *f, size_t k,
                                         const zkr_ext *zfull, const zkr_ext *values,
                                         unsigned off, unsigned grp_n, unsigned grp_i,
                                         zkr_dec *d)
{
    uint8_t roots[ZKR_HPCS_MAX_BATCH][ZKR_DIGEST_BYTES];
    const uint8_t *rp[ZKR_HPCS_MAX_BATCH + 1], *mask_root;
    unsigned f_ext[ZKR_HPCS_MAX_BATCH], total;
    zkr_ext coef[ZKR_HPCS_MAX_BATCH + 1], b, value = zkr_ext_from(0);
    zkr_ext *r_all = NULL;
    zkr_hpcs_proof *pf = NULL;
    zkr_err r;

    if (k == 0 || k > ZKR_HPCS_MAX_BATCH)
        return ZKR_ERR_USAGE;
    total = f[0].n_vars + f[0].blind_vars;
    /* Grouped by size: every member has the same n + e (the caller arranges it). */
    for (size_t i = 0; i < k; i++) {
        if (f[i].blind_vars == 0 || f[i].blind_vars > ZKR_HPCS_MAX_BLIND_VARS ||
            f[i].n_vars + f[i].blind_vars != total)
            return ZKR_ERR_USAGE;
        memcpy(roots[i], f[i].root, ZKR_DIGEST_BYTES);
        rp[i] = f[i].root;
        f_ext[i] = f[i].ext ? 1 : 0;
    }
    if ((r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &mask_root)) != ZKR_OK ||
        (r = zkr_dec_ext(d, &b)) != ZKR_OK ||
        (r = zkr_hpcs_parse_k(p, total, k, f_ext, 0, grp_n, grp_i, d, &pf)) != ZKR_OK)
        return r;
    rp[k] = mask_root;
    zkr_hpcs_batch_absorb(t, k, (const uint8_t(*)[ZKR_DIGEST_BYTES])roots, zfull, total, values,
                          mask_root, b);
    /* Fresh batching challenges, drawn after every value and the mask are bound. */
    zkr_ts_challenge_exts(t, "hb-beta", coef, k);
    coef[k] = zkr_ts_challenge_ext(t, "hb-rho");
    for (size_t i = 0; i < k; i++)
        value = zkr_ext_add(value, zkr_ext_mul(coef[i], values[i]));
    value = zkr_ext_add(value, zkr_ext_mul(coef[k], b));
    r_all = calloc((size_t)total + 1, sizeof *r_all);
    if (!r_all) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_hpcs_fold_phase(p, t, pf, zfull, value, off, r_all)) != ZKR_OK)
        goto out;
    r = zkr_hpcs_queries(p, t, pf, rp, coef, r_all);
out:
    free(r_all);
    zkr_hpcs_proof_free(pf);
    return r;
}

/*
 * The query/path helpers above, for the mixed-size opening
 * (zk/hiding_mixed.c): the same functions, exported unchanged.
 */
zkr_err zkr_hpcs_x_parse_open(zkr_dec *d, const zkr_params *p, size_t words, unsigned depth,
                              zkr_pcs_open *o)
{
    return zkr_hpcs_parse_open(d, p, words, depth, o);
}

zkr_err zkr_hpcs_x_check_tree(const uint8_t root[ZKR_DIGEST_BYTES], unsigned depth,
                              const uint64_t *idx, size_t n, const zkr_pcs_open *o, size_t words,
                              int x8)
{
    return zkr_hpcs_check_tree(root, depth, idx, n, o, words, x8);
}

size_t zkr_hpcs_x_find(const uint64_t *u, size_t n, uint64_t leaf)
{
    return zkr_hpcs_find(u, n, leaf);
}

void zkr_hpcs_x_derive_first(const uint64_t *leaf, unsigned q, const uint64_t *u, size_t nu,
                             int last, unsigned *first)
{
    for (size_t j = 0; j < nu; j++)
        first[j] = q; /* none yet: every opened leaf is some query's */
    for (unsigned i = 0; i < q; i++) {
        unsigned s = last ? q - 1 - i : i;
        size_t at = zkr_hpcs_find(u, nu, leaf[s]);
        if (first[at] == q)
            first[at] = s;
    }
}

zkr_ext zkr_hpcs_x_elem(const zkr_pcs_open *o, size_t words, size_t pos, size_t u, int ext)
{
    return zkr_hpcs_elem(o, words, pos, u, ext);
}

void zkr_hpcs_x_fold_tab_init(zkr_hpcs_fold_tab *ft, unsigned a, unsigned log_len)
{
    zkr_hpcs_fold_tab_init(ft, a, log_len);
}

zkr_ext zkr_hpcs_x_fold_leaf_tab(zkr_ext *v, const zkr_hpcs_fold_tab *ft, uint64_t L,
                                 const zkr_ext *r)
{
    return zkr_hpcs_fold_leaf(v, ft, L, r);
}

zkr_ext6 zkr_hpcs_x_fold_leaf_tab6(zkr_ext6 *v, const zkr_hpcs_fold_tab *ft, uint64_t L,
                                   const zkr_ext6 *r)
{
    /* zkr_hpcs_fold_leaf's steps with values and challenges in F_p^6 (the x^-1 are in F_p) */
    zkr_gl base_inv = zkr_hpcs_leaf_base_inv(ft, L);

    for (unsigned j = 0; j < ft->a; j++, base_inv = zkr_gl_mul(base_inv, base_inv)) {
        unsigned ap = ft->a - j;
        for (size_t i = 0; i < ((size_t)1 << (ap - 1)); i++) {
            zkr_gl xinv = zkr_gl_mul(base_inv, ft->tw[j][i]);
            zkr_ext6 s = zkr_ext6_add(v[2 * i], v[2 * i + 1]);
            zkr_ext6 df = zkr_ext6_sub(v[2 * i], v[2 * i + 1]);
            df = zkr_ext6_mul(r[j], zkr_ext6_mul_base(df, xinv));
            v[i] = zkr_ext6_mul_base(zkr_ext6_add(s, df), ft->inv2);
        }
    }
    return v[0];
}
