/*
 * Mixed-size batched hiding opening, verifier side (docs/proof-system.md,
 * "3c. Mixed-size batched hiding opening"). Component 3b's opening with
 * members of different sizes: the full-size members and the mask Z (of the
 * largest size T) start the fold, as in 3b; a member of T_i < T variables,
 * read as a function of the last T_i coordinates, joins the fold at round
 * d_i = T - T_i with a fresh alpha_i, as zk/pcs.c's mixed opening joins
 * smaller polynomials (docs/proof-system.md, "Mixed-size opening"). The
 * query helpers are zk/hiding_pcs.c's (zkr_hpcs_x_*).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zk/ldr.h"
#include "zk/zk.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

zkr_err zkr_hpcs_mixed_plan_of(const zkr_params *p, const unsigned *totals, size_t k,
                               zkr_hpcs_mixed_plan *out)
{
    memset(out, 0, sizeof *out);
    if (k == 0 || k > ZKR_HPCS_MAX_MIXED)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < k; i++)
        if (totals[i] > out->total)
            out->total = totals[i];
    if (out->total > p->max_vars || out->total > 32)
        return ZKR_ERR_USAGE;
    zkr_hpcs_mixed_layout_of(p, out->total, &out->l);
    for (size_t i = 0; i < k; i++) {
        zkr_pcs_layout own;
        unsigned d = out->total - totals[i], start = 0, L = 0;
        out->d[i] = d;
        if (d == 0) {
            out->n_full++;
            continue;
        }
        /* joins in the fold: before the final polynomial is sent in the clear */
        if (d >= out->l.folds_total)
            return ZKR_ERR_USAGE;
        while (start + out->l.folds[L] <= d)
            start += out->l.folds[L++];
        zkr_pcs_layout_of(p, totals[i], &own);
        out->layer[i] = L;
        out->step[i] = d - start;
        out->arity[i] = own.folds[0];
        /* one of its leaves holds the 2^(a - step) values a query folds from there */
        if (out->l.folds[L] - out->step[i] > own.folds[0])
            return ZKR_ERR_USAGE;
    }
    return ZKR_OK;
}

/* The leaves member i's join reads whole: the layer's steps left, folds[0] full size. */
static unsigned zkr_hm_plan_arity(const zkr_hpcs_mixed_plan *pl, size_t i)
{
    return pl->d[i] ? pl->l.folds[pl->layer[i]] - pl->step[i] : pl->l.folds[0];
}

unsigned zkr_hpcs_mixed_fit_arity(const zkr_params *p, unsigned total, unsigned t_i)
{
    unsigned totals[2] = {total, t_i};
    zkr_hpcs_mixed_plan pl;

    if (t_i > total || zkr_hpcs_mixed_plan_of(p, totals, 2, &pl) != ZKR_OK)
        return 0;
    return zkr_hm_plan_arity(&pl, 1);
}

zkr_err zkr_hpcs_mixed_plan_fit(uint32_t fit, size_t k, zkr_hpcs_mixed_plan *pl)
{
    if (k < 32 && (fit >> k) != 0)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < k; i++) {
        if (!((fit >> i) & 1u))
            continue;
        /* 0: a layout with no fold (no leaf to fit) */
        if ((pl->arity[i] = zkr_hm_plan_arity(pl, i)) == 0)
            return ZKR_ERR_USAGE;
    }
    return ZKR_OK;
}

zkr_err zkr_hpcs_mixed_ok(const zkr_params *p, const unsigned *totals, size_t k)
{
    zkr_hpcs_mixed_plan pl;

    return zkr_hpcs_mixed_plan_of(p, totals, k, &pl);
}

unsigned zkr_hpcs_mixed_round_reveals(const zkr_params *p, const unsigned *totals, size_t k,
                                      size_t i)
{
    zkr_hpcs_mixed_plan pl;

    if (i >= k || zkr_hpcs_mixed_plan_of(p, totals, k, &pl) != ZKR_OK)
        return 0;
    /*
     * Over F_p^6 each round value is two F_p^3-linear forms of the members'
     * partial sums (its a and b parts), so each counts twice.
     */
    return (pl.d[i] < pl.l.folds[0] ? pl.l.folds[0] - pl.d[i] : 0) * (p->mixed_ext6 ? 2u : 1u);
}

double zkr_hpcs_mixed_error(const zkr_params *p, const unsigned *totals, size_t k)
{
    zkr_hpcs_mixed_plan pl;
    zkr_pcs_layout l;
    double lf = zkr_params_log2_field(p), dom, e;
    unsigned dmax = 0;

    if (zkr_hpcs_mixed_plan_of(p, totals, k, &pl) != ZKR_OK)
        return 0;
    /* plain Basefold's layout: its folds_total bounds the hiding layout's */
    zkr_pcs_layout_of(p, pl.total, &l);
    dom = ldexp(1.0, (int)l.log_len[0]);
    e = (double)l.folds_total * dom + 4.0 * pl.total + ((double)pl.n_full + 1.0) * dom + 2.0;
    for (size_t i = 0; i < k; i++)
        if (pl.d[i] > 0)
            e += ldexp(1.0, (int)(totals[i] + p->log_blowup)) + 1.0;
    /*
     * A join's claim term is alpha_i v_i times eq(z_<d, r_<d): it vanishes,
     * unbinding v_i, when one r_j (j < d_i) is eq(z_j, .)'s root, at most
     * one value each: max d_i / |F| for every join together.
     */
    for (size_t i = 0; i < k; i++)
        if (pl.d[i] > dmax)
            dmax = pl.d[i];
    return (e + (double)dmax) * exp2(-lf);
}

void zkr_hpcs_mixed_fig(const zkr_params *p, const unsigned *totals, size_t k, zkr_ldr_fig *out)
{
    zkr_hpcs_mixed_plan pl;
    zkr_ldr_join joins[ZKR_HPCS_MAX_MIXED];
    size_t nj = 0;

    memset(out, 0, sizeof *out);
    out->err = out->ud_err = out->jbr_err = 1.0;
    if (zkr_hpcs_mixed_plan_of(p, totals, k, &pl) != ZKR_OK)
        return;
    /* one join per smaller member, at its round, one word each */
    for (size_t i = 0; i < k; i++)
        if (pl.d[i] > 0)
            joins[nj++] = (zkr_ldr_join){pl.d[i], 1};
    zkr_ldr_open_mixed(p, pl.total, (unsigned)pl.n_full + 1, joins, nj,
                       zkr_hpcs_mixed_error(p, totals, k), out);
}

zkr_soundness zkr_hpcs_mixed_soundness(const zkr_params *p, const unsigned *totals, size_t k)
{
    zkr_soundness s = {0, 0, 0};
    zkr_hpcs_mixed_plan pl;
    /* the query phase of one opening (parameters only) */
    zkr_soundness one = zkr_params_soundness_open(p, 20, 2, 1, 0, 1);
    zkr_ldr_fig f;
    double alg;

    if (zkr_hpcs_mixed_plan_of(p, totals, k, &pl) != ZKR_OK)
        return s;
    alg = zkr_hpcs_mixed_error(p, totals, k);
    s.query_bits = one.query_bits;
    s.provable_bits = -log2(exp2(-one.query_bits) + alg);
    /* the better of that (UD) and [H24]'s list-decoding figure with its joins */
    zkr_hpcs_mixed_fig(p, totals, k, &f);
    if (-log2(f.jbr_err) > s.provable_bits)
        s.provable_bits = -log2(f.jbr_err);
    s.conjectured_bits =
        -log2(exp2(-(double)(p->queries * p->log_blowup + p->pow_bits)) + alg);
    return s;
}

/* The members, the point and values, the mask's root; its value b by the caller. */
static void zkr_hm_absorb_head(zkr_transcript *t, size_t k,
                               const uint8_t (*roots)[ZKR_DIGEST_BYTES], const unsigned *n_vars,
                               const unsigned *blind_vars, const unsigned *ext, const zkr_ext *z,
                               unsigned total, const zkr_ext *values,
                               const uint8_t mask_root[ZKR_DIGEST_BYTES])
{
    zkr_ts_absorb_u64(t, "hm-k", k);
    for (size_t i = 0; i < k; i++) {
        zkr_ts_absorb(t, "hm-f", roots[i], ZKR_DIGEST_BYTES);
        zkr_ts_absorb_u64(t, "hm-n", n_vars[i]);
        zkr_ts_absorb_u64(t, "hm-e", blind_vars[i]);
        zkr_ts_absorb_u64(t, "hm-ext", ext[i]);
    }
    zkr_ts_absorb_ext(t, "hm-point", z, total);
    zkr_ts_absorb_ext(t, "hm-values", values, k);
    zkr_ts_absorb(t, "hm-mask-root", mask_root, ZKR_DIGEST_BYTES);
}

void zkr_hpcs_mixed_absorb(zkr_transcript *t, size_t k, const uint8_t (*roots)[ZKR_DIGEST_BYTES],
                           const unsigned *n_vars, const unsigned *blind_vars,
                           const unsigned *ext, const zkr_ext *z, unsigned total,
                           const zkr_ext *values, const uint8_t mask_root[ZKR_DIGEST_BYTES],
                           zkr_ext b)
{
    zkr_hm_absorb_head(t, k, roots, n_vars, blind_vars, ext, z, total, values, mask_root);
    zkr_ts_absorb_ext(t, "hm-mask-val", &b, 1);
}

void zkr_hpcs_mixed_absorb6(zkr_transcript *t, size_t k, const uint8_t (*roots)[ZKR_DIGEST_BYTES],
                            const unsigned *n_vars, const unsigned *blind_vars,
                            const unsigned *ext, const zkr_ext *z, unsigned total,
                            const zkr_ext *values, const uint8_t mask_root[ZKR_DIGEST_BYTES],
                            zkr_ext6 b)
{
    zkr_hm_absorb_head(t, k, roots, n_vars, blind_vars, ext, z, total, values, mask_root);
    zkr_ts_absorb_ext6(t, "hm-mask-val", &b, 1);
}

/*
 * A parsed mixed opening (pointers into the proof bytes). Its field values
 * (b, the round messages, the final polynomial, Z's and the folded layers'
 * entries) are in the opening's field, deg words each: F_p^3 (deg 3), held
 * here in F_p^6 as its subfield (b = 0: the same sums and products), or
 * F_p^6 (deg 6, p->mixed_ext6). msgs3 / fin_a keep the wire form the
 * transcript absorbs.
 */
typedef struct {
    zkr_hpcs_mixed_plan pl;
    unsigned deg;
    const uint8_t *mask_root;
    zkr_ext6 b;
    zkr_ext6 *msgs, *final;
    zkr_ext *msgs3;        /* deg 3: the messages as sent */
    zkr_ext *fin_a, *fin_b; /* the final polynomial's a and b parts (fin_b: deg 6) */
    uint8_t roots[32][ZKR_DIGEST_BYTES]; /* layers 1.. */
    uint64_t nonce;
    /* [0..n_full-1] the full-size members (by index), [n_full] Z, [n_full + l] layer l >= 1 */
    zkr_pcs_open open[32 + ZKR_HPCS_MAX_MIXED];
    zkr_pcs_open jopen[ZKR_HPCS_MAX_MIXED]; /* joining member i's layer-0 opening */
    size_t full[ZKR_HPCS_MAX_MIXED];        /* member index of open[j], j < n_full */
    unsigned ext[ZKR_HPCS_MAX_MIXED];
    /*
     * Stacked groups (bit i: member i shares member i - 1's tree; a run of
     * set bits chains a group, each leaf one salt then every member's
     * entries in member order): head[i] is the group's first member (i
     * when unstacked), off[i] member i's first word in the group's leaf,
     * jw[i] the leaf's words (the stride of jopen[i] and of a full-size
     * member's open[]); a stacked member's opening is a view of its
     * head's past off[i] words.
     */
    uint32_t stack;
    size_t jw[ZKR_HPCS_MAX_MIXED];
    size_t head[ZKR_HPCS_MAX_MIXED];
    size_t off[ZKR_HPCS_MAX_MIXED];
    /*
     * Version 13's nested mask: nest (k: none) is the member whose tree's
     * leaves end in the roots of Z's subtrees nest_h levels high (Z's
     * opening climbs only to them; there is no mask root).
     */
    size_t nest;
    unsigned nest_h;
} zkr_hm_proof;

static void zkr_hm_free(zkr_hm_proof *m)
{
    free(m->msgs);
    free(m->final);
    free(m->msgs3);
    free(m->fin_a);
    free(m->fin_b);
}

static size_t zkr_hm_words(unsigned ext, unsigned a)
{
    return ext ? (size_t)3 << a : (size_t)1 << a;
}

/* Value u of a leaf of `words` words holding deg-word values (F_p^3 ones embedded). */
static zkr_ext6 zkr_hm_elem(const zkr_pcs_open *o, size_t words, size_t at, size_t u,
                            unsigned deg)
{
    zkr_ext6 v;

    if (deg == 3)
        return zkr_ext6_from_ext(zkr_hpcs_x_elem(o, words, at, u, 1));
    v.a = zkr_hpcs_x_elem(o, words, at, 2 * u, 1);
    v.b = zkr_hpcs_x_elem(o, words, at, 2 * u + 1, 1);
    return v;
}

/* A challenge of the opening's field (an F_p^3 one embedded: the transcript's draw as before). */
static zkr_ext6 zkr_hm_challenge(zkr_transcript *t, const char *label, unsigned deg)
{
    return deg == 6 ? zkr_ts_challenge_ext6(t, label)
                    : zkr_ext6_from_ext(zkr_ts_challenge_ext(t, label));
}

/* Absorbs n values as sent: v3 (deg 3, the F_p^3 wire values) or v (deg 6). */
static void zkr_hm_absorb(zkr_transcript *t, const char *label, const zkr_ext6 *v,
                          const zkr_ext *v3, size_t n, unsigned deg)
{
    if (deg == 6)
        zkr_ts_absorb_ext6(t, label, v, n);
    else
        zkr_ts_absorb_ext(t, label, v3, n);
}

/* n values of the opening's field: v (F_p^6 form); v3 (deg 3) the wire values too. */
static zkr_err zkr_hm_dec(zkr_dec *d, zkr_ext6 *v, zkr_ext *v3, size_t n, unsigned deg)
{
    zkr_err r;

    if (deg == 6)
        return zkr_dec_ext6s(d, v, n);
    if ((r = zkr_dec_exts(d, v3, n)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n; i++)
        v[i] = zkr_ext6_from_ext(v3[i]);
    return ZKR_OK;
}

/* Layer layer's openings: its tree (layer 0: the full members, then Z), then its joiners'. */
static zkr_err zkr_hm_parse_layer(const zkr_params *p, zkr_hm_proof *m, size_t k, unsigned layer,
                                  zkr_dec *d)
{
    const zkr_pcs_layout *l = &m->pl.l;
    unsigned depth = l->log_len[layer] - l->folds[layer], nf = (unsigned)m->pl.n_full;
    size_t ew = (size_t)m->deg << l->folds[layer];
    zkr_err r;

    if (layer == 0) {
        for (unsigned j = 0; j < nf; j++) {
            size_t i = m->full[j];
            if ((m->stack >> i) & 1u) { /* its entries sit in its group head's leaves */
                unsigned jh = 0;
                while (m->full[jh] != m->head[i])
                    jh++; /* the head is full-size too, an earlier member: parsed already */
                m->open[j] = m->open[jh];
                m->open[j].leaves += 8 * m->off[i];
                continue;
            }
            if ((r = zkr_hpcs_x_parse_open(d, p, m->jw[i], depth, &m->open[j])) != ZKR_OK)
                return r;
        }
        /* Z's tree: one value a leaf (it is constant on the leaf's coset) */
        if ((r = zkr_hpcs_x_parse_open(d, p, m->deg, m->nest < k ? m->nest_h : depth,
                                       &m->open[nf])) != ZKR_OK)
            return r;
    } else if ((r = zkr_hpcs_x_parse_open(d, p, ew - m->deg, depth, &m->open[nf + layer])) !=
               ZKR_OK) {
        /* version 15: each leaf leaves out the value its first query derives (zkr_hm_derive) */
        return r;
    }
    for (size_t i = 0; i < k; i++) {
        unsigned a = m->pl.arity[i];
        if (m->pl.d[i] == 0 || m->pl.layer[i] != layer)
            continue;
        if ((m->stack >> i) & 1u) { /* its entries follow the group's earlier members' */
            m->jopen[i] = m->jopen[m->head[i]];
            m->jopen[i].leaves += 8 * m->off[i];
            continue;
        }
        if ((r = zkr_hpcs_x_parse_open(d, p, m->jw[i],
                                       (m->pl.total - m->pl.d[i]) + p->log_blowup - a,
                                       &m->jopen[i])) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/* The final polynomial: its F_p^6 form and its a and b parts (the query values' LDEs). */
static zkr_err zkr_hm_parse_final(zkr_hm_proof *m, size_t n_final, zkr_dec *d)
{
    zkr_err r;

    m->final = calloc(n_final, sizeof *m->final);
    m->fin_a = calloc(n_final, sizeof *m->fin_a);
    if (!m->final || !m->fin_a)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_hm_dec(d, m->final, m->fin_a, n_final, m->deg)) != ZKR_OK)
        return r;
    if (m->deg == 3)
        return ZKR_OK;
    if (!(m->fin_b = calloc(n_final, sizeof *m->fin_b)))
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < n_final; i++) {
        m->fin_a[i] = m->final[i].a;
        m->fin_b[i] = m->final[i].b;
    }
    return ZKR_OK;
}

static zkr_err zkr_hm_parse(const zkr_params *p, size_t k, zkr_dec *d, zkr_hm_proof *m)
{
    const zkr_pcs_layout *l = &m->pl.l;
    const uint8_t *raw;
    size_t n_final = (size_t)1 << l->final_vars, n_msgs = (size_t)2 * l->folds_total;
    zkr_ext b3;
    zkr_err r;

    /* a nested mask has no root of its own (its carrier's root binds it) */
    if ((m->nest == k && (r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &m->mask_root)) != ZKR_OK) ||
        (r = zkr_hm_dec(d, &m->b, &b3, 1, m->deg)) != ZKR_OK)
        return r;
    m->msgs = calloc(n_msgs + 1, sizeof *m->msgs);
    m->msgs3 = calloc(n_msgs + 1, sizeof *m->msgs3);
    if (!m->msgs || !m->msgs3)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_hm_dec(d, m->msgs, m->msgs3, n_msgs, m->deg)) != ZKR_OK)
        return r;
    for (unsigned layer = 1; layer < l->n_layers; layer++) {
        if ((r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw)) != ZKR_OK)
            return r;
        memcpy(m->roots[layer], raw, ZKR_DIGEST_BYTES);
    }
    if ((r = zkr_hm_parse_final(m, n_final, d)) != ZKR_OK ||
        (r = zkr_dec_u64(d, &m->nonce)) != ZKR_OK)
        return r;
    for (unsigned layer = 0; layer < l->n_layers; layer++)
        if ((r = zkr_hm_parse_layer(p, m, k, layer, d)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

/*
 * The folding sumcheck on eq(z, x) G(x), G growing by alpha_i F_i at round
 * d_i (alpha_i drawn there, the claim growing by eq(z_<d, r_<d) alpha_i
 * v_i), and the final-polynomial check. alpha[i] out for the queries.
 */
static zkr_err zkr_hm_fold_phase(const zkr_params *p, zkr_transcript *t, const zkr_hm_proof *m,
                                 size_t k, const zkr_ext *z, const zkr_ext *values,
                                 zkr_ext6 value, unsigned off, zkr_ext6 *r_all, zkr_ext6 *alpha)
{
    const zkr_pcs_layout *l = &m->pl.l;
    zkr_ext6 claim = value, eqv = zkr_ext6_from_ext(zkr_ext_from(1)), g_final;
    unsigned round = 0, deg = m->deg;

    zkr_hm_absorb(t, "bf-claim", &value, &value.a, 1, deg);
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        for (unsigned j = 0; j < l->folds[layer]; j++, round++) {
            const zkr_ext6 *msg = m->msgs + 2 * round;
            for (size_t i = 0; i < k; i++) {
                if (m->pl.d[i] != round || round == 0)
                    continue;
                alpha[i] = zkr_hm_challenge(t, "bf-join", deg);
                if (!(off & ZKR_HM_OFF_ALPHA))
                    claim = zkr_ext6_add(claim, zkr_ext6_mul(eqv, zkr_ext6_mul_ext(alpha[i],
                                                                                   values[i])));
            }
            /*
             * [H24]'s form L(X, z_d) Lambda(X), checked after the joins: a
             * member joining here is a function of x_d.. (the last T_i
             * coordinates), so eq(z, x) (G + alpha_i F_i) keeps the factor
             * eq(z_d, x_d), and the claim it sums to includes the join's
             * eq(z_<d, r_<d) alpha_i v_i (docs/soundness.md).
             */
            if (!(off & ZKR_HM_OFF_FACTOR) && !zkr_hpcs_round_factored6(msg, claim, z[round]))
                return ZKR_ERR_VERIFY;
            zkr_hm_absorb(t, "sc-round", msg, m->msgs3 + 2 * round, 2, deg);
            r_all[round] = zkr_hm_challenge(t, "sc-challenge", deg);
            claim = zkr_sumcheck_round_eval6(msg, 2, claim, r_all[round]);
            eqv = zkr_ext6_mul(eqv, zkr_mle_eq_eval6(z + round, r_all + round, 1));
        }
        if (layer + 1 < l->n_layers)
            zkr_ts_absorb(t, "bf-root", m->roots[layer + 1], ZKR_DIGEST_BYTES);
    }
    zkr_hm_absorb(t, "bf-final", m->final, m->fin_a, (size_t)1 << l->final_vars, deg);
    g_final = zkr_mle_eval_monomial6(m->final, l->final_vars, z + l->folds_total);
    if (!(off & ZKR_HM_OFF_FINAL) && !zkr_ext6_eq(claim, zkr_ext6_mul(eqv, g_final)))
        return ZKR_ERR_VERIFY;
    if (!zkr_ts_pow_check(t, p->pow_bits, m->nonce))
        return ZKR_ERR_VERIFY;
    return ZKR_OK;
}

/* Sorted unique leaves of member i's tree its join reads (from the layer's leaves). */
static size_t zkr_hm_join_leaves(const zkr_hm_proof *m, size_t i, const uint64_t *leaf,
                                 unsigned q, uint64_t *ui)
{
    unsigned a = m->pl.l.folds[m->pl.layer[i]], j = m->pl.step[i];

    for (unsigned s = 0; s < q; s++)
        ui[s] = (leaf[s] << (a - j)) >> m->pl.arity[i];
    return zkr_idx_sort_unique(ui, q);
}

/* The query loop's state (the layers' leaves and expected values carry between layers). */
typedef struct {
    const zkr_params *p;
    const zkr_hm_proof *m;
    size_t k;
    const uint8_t *const *roots; /* member i's root */
    const zkr_ext6 *coef;        /* [0..n_full-1] the betas, [n_full] rho */
    const zkr_ext6 *alpha;
    unsigned off;
    uint64_t *leaf, *pos, *u;
    uint64_t *ju[ZKR_HPCS_MAX_MIXED]; /* joiners' sorted leaves */
    size_t jn[ZKR_HPCS_MAX_MIXED];
    zkr_ext6 *expect;
    /* a nested mask's subtree roots its layer-0 leaves climb to (sorted unique, nzn of them) */
    uint64_t *zni;
    uint8_t (*zn)[ZKR_DIGEST_BYTES];
    size_t nzn;
    /* a folded layer's leaves as hashed (zkr_hm_derive): the sent words, the derived value put back */
    zkr_pcs_open lay;
    uint8_t *lay_buf;
    unsigned *first; /* per opened leaf: the query whose value it leaves out */
    int x8; /* zkr_b2x8_ok, asked once (one path for the whole job) */
    /* fold constants of the current layer, by steps folded (a - cur): built once a layer */
    zkr_hpcs_fold_tab ft[ZKR_PCS_MAX_FOLD_ARITY + 1];
    unsigned ft_ll[ZKR_PCS_MAX_FOLD_ARITY + 1];
} zkr_hm_q;

/* The layer's fold constants for a fold of `a` steps on a codeword of 2^ll (cached). */
static const zkr_hpcs_fold_tab *zkr_hm_tab(zkr_hm_q *c, unsigned a, unsigned ll)
{
    if (c->ft_ll[a] != ll) {
        zkr_hpcs_x_fold_tab_init(&c->ft[a], a, ll);
        c->ft_ll[a] = ll;
    }
    return &c->ft[a];
}

/* One query's 2^a layer values (layer 0: sum beta_j F_j + rho Z). */
static void zkr_hm_values(const zkr_hm_q *c, unsigned layer, size_t at, zkr_ext6 *v)
{
    const zkr_hm_proof *m = c->m;
    unsigned a = m->pl.l.folds[layer], nf = (unsigned)m->pl.n_full, deg = m->deg;
    size_t bw = (size_t)1 << a, ew = (size_t)deg << a;
    zkr_ext6 zv = zkr_ext6_from_ext(zkr_ext_from(0));

    if (layer == 0)
        zv = zkr_ext6_mul(c->coef[nf], zkr_hm_elem(&m->open[nf], deg, at, 0, deg));
    for (size_t e = 0; e < bw; e++) {
        if (layer > 0) {
            v[e] = zkr_hm_elem(&c->lay, ew, at, e, deg);
            continue;
        }
        v[e] = zv; /* rho Z, the same at every position of the coset */
        for (unsigned f = 0; f < nf; f++) {
            unsigned x = m->ext[m->full[f]];
            /* the stride is the leaf's (a stacked group's: every member's words) */
            zkr_ext fv = zkr_hpcs_x_elem(&m->open[f], m->jw[m->full[f]], at, e, (int)x);
            v[e] = zkr_ext6_add(v[e], zkr_ext6_mul_ext(c->coef[f], fv));
        }
    }
}

/*
 * Folds query s's layer values (v, 2^a of leaf L) through the layer, adding
 * alpha_i times member i's opened values before step step[i] of every
 * member joining here: after j steps v holds the 2^(a - j) positions
 * L 2^(a - j) + e of the round's codeword, which member i's leaf
 * (L << (a - j)) >> arity holds. Steps run as zkr_hpcs_x_fold_leaf_tab on
 * sub-leaves (a group of 2^(j1 - j0) values is leaf L 2^(a - j1) + g of
 * the round-j0 codeword): the same field operations as one fold.
 */
static zkr_err zkr_hm_fold_query(zkr_hm_q *c, unsigned layer, uint64_t L, zkr_ext6 *v,
                                 const zkr_ext6 *r, zkr_ext6 *out)
{
    const zkr_hm_proof *m = c->m;
    unsigned a = m->pl.l.folds[layer], ll = m->pl.l.log_len[layer], cur = 0;

    for (unsigned j = 0; j < a; j++) {
        int any = 0;
        for (size_t i = 0; i < c->k; i++)
            any |= m->pl.d[i] > 0 && m->pl.layer[i] == layer && m->pl.step[i] == j;
        if (!any)
            continue;
        if (j > cur) {
            for (uint64_t g = 0; g < ((uint64_t)1 << (a - j)); g++)
                v[g] = zkr_hpcs_x_fold_leaf_tab6(v + (g << (j - cur)),
                                                 zkr_hm_tab(c, j - cur, ll - cur),
                                                 (L << (a - j)) + g, r + cur);
            cur = j;
        }
        for (size_t i = 0; i < c->k; i++) {
            uint64_t base = L << (a - j), amask = ((uint64_t)1 << m->pl.arity[i]) - 1;
            size_t at, w = m->jw[i];
            if (m->pl.d[i] == 0 || m->pl.layer[i] != layer || m->pl.step[i] != j ||
                (c->off & ZKR_HM_OFF_ALPHA))
                continue;
            at = zkr_hpcs_x_find(c->ju[i], c->jn[i], base >> m->pl.arity[i]);
            if (c->ju[i][at] != base >> m->pl.arity[i])
                return ZKR_ERR_VERIFY;
            for (uint64_t e = 0; e < ((uint64_t)1 << (a - j)); e++) {
                zkr_ext fv = zkr_hpcs_x_elem(&m->jopen[i], w, at, (size_t)((base & amask) + e),
                                             (int)m->ext[i]);
                v[e] = zkr_ext6_add(v[e], zkr_ext6_mul_ext(c->alpha[i], fv));
            }
        }
    }
    *out = zkr_hpcs_x_fold_leaf_tab6(v, zkr_hm_tab(c, a - cur, ll - cur), L, r + cur);
    return ZKR_OK;
}

/* The nested mask's opened leaves (u, nu) climbed nest_h levels to its subtree roots. */
static zkr_err zkr_hm_climb_mask(zkr_hm_q *c, unsigned depth, size_t nu)
{
    const zkr_pcs_open *o = &c->m->open[c->m->pl.n_full];
    uint8_t (*lh)[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (o->n_open != nu)
        return ZKR_ERR_VERIFY;
    if (!(lh = malloc(nu * sizeof *lh)))
        return ZKR_ERR_NOMEM;
    zkr_mtree_leaf_hashes(o->leaves, ZKR_SALT_BYTES + 8 * 3, nu, c->x8, lh);
    r = zkr_mtree_climb_x8(depth, c->m->nest_h, c->u, (const uint8_t(*)[ZKR_DIGEST_BYTES])lh, nu,
                           o->sib, o->n_sib, c->x8, c->zni, c->zn, &c->nzn);
    free(lh);
    return r;
}

/*
 * The nested mask's carrier (member i): each opened leaf is its sent words
 * then the root of Z's subtree below it, which Z's climb gave for exactly
 * these leaves (a query's carrier leaf is L >> nest_h of its layer-0 leaf
 * L); hashed so, they must reach the carrier's root.
 */
static zkr_err zkr_hm_check_carrier(const zkr_hm_q *c, size_t i, const uint8_t *root,
                                    unsigned depth)
{
    const zkr_pcs_open *o = &c->m->jopen[i];
    size_t n = c->jn[i], sent = ZKR_SALT_BYTES + 8 * c->m->jw[i];
    size_t full = sent + ZKR_DIGEST_BYTES;
    uint8_t *buf = NULL, (*lh)[ZKR_DIGEST_BYTES] = NULL;
    zkr_err r = ZKR_ERR_VERIFY;

    if (o->n_open != n || c->nzn != n)
        return ZKR_ERR_VERIFY;
    for (size_t j = 0; j < n; j++)
        if (c->zni[j] != c->ju[i][j])
            return ZKR_ERR_VERIFY;
    buf = malloc(n * full);
    lh = malloc(n * sizeof *lh);
    if (!buf || !lh) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (size_t j = 0; j < n; j++) {
        memcpy(buf + j * full, o->leaves + j * sent, sent);
        memcpy(buf + j * full + sent, c->zn[j], ZKR_DIGEST_BYTES);
    }
    zkr_mtree_leaf_hashes(buf, full, n, c->x8, lh);
    r = zkr_mtree_verify_x8(root, depth, c->ju[i], (const uint8_t(*)[ZKR_DIGEST_BYTES])lh, n,
                            o->sib, o->n_sib, c->x8);
out:
    free(buf);
    free(lh);
    return r;
}

/*
 * A folded layer's opened leaves as its tree hashed them (c->lay). Since
 * version 15 the proof leaves out of each leaf the value at the slot of the
 * first query (in query order) that reads it: that value is the previous
 * layer's fold, c->expect, which the verifier has computed, so it is put
 * back here and the Merkle check binds it. A proof that sent it would have
 * been refused unless it equalled c->expect: the accepted proofs are the
 * same, less those bytes.
 */
static zkr_err zkr_hm_derive(zkr_hm_q *c, unsigned layer, size_t nu)
{
    const zkr_pcs_open *o = &c->m->open[c->m->pl.n_full + layer];
    unsigned a = c->m->pl.l.folds[layer], q = c->p->queries, deg = c->m->deg;
    size_t vb = 8 * (size_t)deg, bw = (size_t)1 << a, sent = ZKR_SALT_BYTES + vb * (bw - 1);
    size_t full = ZKR_SALT_BYTES + vb * bw;

    if (o->n_open != nu)
        return ZKR_ERR_VERIFY;
    free(c->lay_buf);
    if (!(c->lay_buf = malloc(nu * full)))
        return ZKR_ERR_NOMEM;
    zkr_hpcs_x_derive_first(c->leaf, q, c->u, nu, (c->off & ZKR_HM_OFF_DERIVE) != 0, c->first);
    for (size_t j = 0; j < nu; j++) {
        const uint8_t *src = o->leaves + j * sent;
        uint8_t *dst = c->lay_buf + j * full;
        size_t slot = (size_t)(c->pos[c->first[j]] & (bw - 1));
        memcpy(dst, src, ZKR_SALT_BYTES);
        src += ZKR_SALT_BYTES;
        dst += ZKR_SALT_BYTES;
        for (size_t e = 0; e < bw; e++, dst += vb) {
            if (e == slot) {
                /* a then b (deg 6); an F_p^3 opening's value is its a part */
                const zkr_ext6 *x = &c->expect[c->first[j]];
                for (unsigned w = 0; w < deg; w++)
                    zkr_store_le64(dst + 8 * w, w < 3 ? x->a.c[w] : x->b.c[w - 3]);
                continue;
            }
            memcpy(dst, src, vb);
            src += vb;
        }
    }
    c->lay = *o;
    c->lay.leaves = c->lay_buf;
    return ZKR_OK;
}

/* One layer's Merkle checks (its tree, then its joiners') and fold chain. */
static zkr_err zkr_hm_layer(zkr_hm_q *c, unsigned layer, const zkr_ext6 *r)
{
    const zkr_hm_proof *m = c->m;
    const zkr_pcs_layout *l = &m->pl.l;
    unsigned q = c->p->queries, a = l->folds[layer], depth = l->log_len[layer] - a;
    unsigned nf = (unsigned)m->pl.n_full;
    size_t nu, bw = (size_t)1 << a, ew = (size_t)m->deg << a;
    zkr_ext6 v[(size_t)1 << ZKR_PCS_MAX_FOLD_ARITY];
    zkr_err rc;

    if (layer > 0)
        for (unsigned s = 0; s < q; s++)
            c->leaf[s] = c->pos[s] >> a;
    memcpy(c->u, c->leaf, q * sizeof *c->u);
    nu = zkr_idx_sort_unique(c->u, q);
    if (layer == 0) {
        /* a stacked group's leaves are hashed whole, once, against its head's root */
        for (unsigned f = 0; f < nf; f++)
            if (!((m->stack >> m->full[f]) & 1u) &&
                (rc = zkr_hpcs_x_check_tree(c->roots[m->full[f]], depth, c->u, nu, &m->open[f],
                                            m->jw[m->full[f]], c->x8)) != ZKR_OK)
                return rc;
        if (!(c->off & ZKR_HM_OFF_MASKMT) && m->nest < c->k &&
            (rc = zkr_hm_climb_mask(c, depth, nu)) != ZKR_OK)
            return rc;
        if (!(c->off & ZKR_HM_OFF_MASKMT) && m->nest == c->k &&
            (rc = zkr_hpcs_x_check_tree(m->mask_root, depth, c->u, nu, &m->open[nf], m->deg,
                                        c->x8)) != ZKR_OK)
            return rc;
    } else if ((rc = zkr_hm_derive(c, layer, nu)) != ZKR_OK ||
               (rc = zkr_hpcs_x_check_tree(m->roots[layer], depth, c->u, nu, &c->lay, ew,
                                           c->x8)) != ZKR_OK) {
        return rc;
    }
    for (size_t i = 0; i < c->k; i++) {
        unsigned ai = m->pl.arity[i];
        if (m->pl.d[i] == 0 || m->pl.layer[i] != layer)
            continue;
        c->jn[i] = zkr_hm_join_leaves(m, i, c->leaf, q, c->ju[i]);
        if (i == m->nest) { /* test builds' MASKMT off: with Z's climb, the carrier's check */
            if (!(c->off & (ZKR_HM_OFF_JOINMT | ZKR_HM_OFF_MASKMT)) &&
                (rc = zkr_hm_check_carrier(c, i, c->roots[i],
                                           m->pl.total - m->pl.d[i] + c->p->log_blowup - ai)) !=
                    ZKR_OK)
                return rc;
            if ((c->off & (ZKR_HM_OFF_JOINMT | ZKR_HM_OFF_MASKMT)) && m->jopen[i].n_open != c->jn[i])
                return ZKR_ERR_VERIFY;
            continue;
        }
        /* a stacked pair's leaves are hashed whole, once, against the first's root */
        if (!(c->off & ZKR_HM_OFF_JOINMT) && !((m->stack >> i) & 1u) &&
            (rc = zkr_hpcs_x_check_tree(c->roots[i], m->pl.total - m->pl.d[i] +
                                                         c->p->log_blowup - ai,
                                        c->ju[i], c->jn[i], &m->jopen[i], m->jw[i],
                                        c->x8)) != ZKR_OK)
            return rc;
        if ((c->off & ZKR_HM_OFF_JOINMT) && m->jopen[i].n_open != c->jn[i])
            return ZKR_ERR_VERIFY;
    }
    for (unsigned s = 0; s < q; s++) {
        size_t at = zkr_hpcs_x_find(c->u, nu, c->leaf[s]);
        zkr_hm_values(c, layer, at, v);
        if (layer > 0 && !zkr_ext6_eq(v[c->pos[s] & (bw - 1)], c->expect[s]))
            return ZKR_ERR_VERIFY;
        if ((rc = zkr_hm_fold_query(c, layer, c->leaf[s], v, r, &c->expect[s])) != ZKR_OK)
            return rc;
        c->pos[s] = c->leaf[s];
    }
    return ZKR_OK;
}

/*
 * The final polynomial's values at the queries' last positions: its a and
 * b parts apart (the domain points are in F_p, so each part's LDE is the
 * value's part).
 */
static zkr_err zkr_hm_final_vals(const zkr_hm_q *c, unsigned log_len, zkr_ext6 *out)
{
    const zkr_hm_proof *m = c->m;
    unsigned q = c->p->queries, fv = m->pl.l.final_vars;
    zkr_ext *va = malloc(q * sizeof *va), *vb = malloc(q * sizeof *vb);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!va || !vb)
        goto out;
    if ((r = zkr_hpcs_x_final_vals(m->fin_a, fv, log_len, c->pos, q, va)) != ZKR_OK ||
        (m->deg == 6 && (r = zkr_hpcs_x_final_vals(m->fin_b, fv, log_len, c->pos, q, vb)) !=
                            ZKR_OK))
        goto out;
    for (unsigned s = 0; s < q; s++) {
        out[s].a = va[s];
        out[s].b = m->deg == 6 ? vb[s] : zkr_ext_from(0);
    }
out:
    free(va);
    free(vb);
    return r;
}

static zkr_err zkr_hm_queries(zkr_hm_q *c, zkr_transcript *t, const zkr_ext6 *r_all)
{
    const zkr_pcs_layout *l = &c->m->pl.l;
    unsigned q = c->p->queries, round = 0;
    zkr_ext6 *fin;
    zkr_err r = ZKR_ERR_NOMEM;

    c->x8 = zkr_b2x8_ok();
    for (unsigned a = 0; a <= ZKR_PCS_MAX_FOLD_ARITY; a++)
        c->ft_ll[a] = 0; /* no codeword has length 1: nothing cached */
    c->pos = malloc(q * sizeof *c->pos);
    c->leaf = malloc(q * sizeof *c->leaf);
    c->u = malloc(q * sizeof *c->u);
    c->expect = malloc(q * sizeof *c->expect);
    c->zni = malloc(q * sizeof *c->zni);
    c->zn = malloc(q * sizeof *c->zn);
    c->first = malloc(q * sizeof *c->first);
    if (!c->pos || !c->leaf || !c->u || !c->expect || !c->zni || !c->zn || !c->first)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < c->k; i++)
        if (c->m->pl.d[i] > 0 && !(c->ju[i] = malloc(q * sizeof *c->ju[i])))
            return ZKR_ERR_NOMEM;
    for (unsigned s = 0; s < q; s++)
        c->leaf[s] = zkr_ts_challenge_index(t, "bf-query",
                                            (uint64_t)1 << (l->log_len[0] - l->folds[0]));
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        if ((r = zkr_hm_layer(c, layer, r_all + round)) != ZKR_OK)
            return r;
        round += l->folds[layer];
    }
    /* the final polynomial's values at the queries: one LDE where it is cheaper */
    fin = malloc(q * sizeof *fin);
    if (!fin)
        return ZKR_ERR_NOMEM;
    r = zkr_hm_final_vals(c, l->log_len[l->n_layers], fin);
    for (unsigned s = 0; r == ZKR_OK && s < q; s++)
        if (!zkr_ext6_eq(c->expect[s], fin[s]))
            r = ZKR_ERR_VERIFY;
    free(fin);
    return r;
}

static void zkr_hm_q_free(zkr_hm_q *c)
{
    free(c->pos);
    free(c->leaf);
    free(c->u);
    free(c->expect);
    free(c->zni);
    free(c->zn);
    free(c->first);
    free(c->lay_buf);
    for (size_t i = 0; i < ZKR_HPCS_MAX_MIXED; i++)
        free(c->ju[i]);
}

/*
 * The stacked groups of m (bit i: member i in member i - 1's tree, a run of
 * set bits one group, as zkr_prover_hcommit_stack_pool and the pairs of
 * zkr_prover_hcommit_pair_fit_pool build them): every member of a group of
 * its head's size and leaf arity (all full-size, or all joining at one
 * round), under one root; the group's leaf (every member's words) at most
 * ZKR_MT_MAX_LEAF_WORDS words. USAGE else.
 */
static zkr_err zkr_hm_stack(const zkr_hpcs_commitment *f, size_t k, uint32_t stack,
                            zkr_hm_proof *m)
{
    if ((stack & 1u) || (k < 32 && (stack >> k) != 0))
        return ZKR_ERR_USAGE;
    m->stack = stack;
    for (size_t i = 0; i < k; i++) {
        size_t h;
        unsigned a = m->pl.d[i] ? m->pl.arity[i] : m->pl.l.folds[0];
        m->head[i] = i;
        m->off[i] = 0;
        m->jw[i] = zkr_hm_words(m->ext[i], a);
        if (!((stack >> i) & 1u))
            continue;
        h = m->head[i - 1];
        /* full-size members stack only as a base-valued group (zkr_prover_hcommit_stack_pool) */
        if (m->pl.d[i] != m->pl.d[h] || (m->pl.d[i] > 0 && m->pl.arity[i] != m->pl.arity[h]) ||
            (m->pl.d[i] == 0 && (m->ext[i] || m->ext[h])) ||
            memcmp(f[i].root, f[h].root, ZKR_DIGEST_BYTES) != 0)
            return ZKR_ERR_USAGE;
        m->head[i] = h;
        m->off[i] = m->jw[h];
        m->jw[h] += m->jw[i];
        if (m->jw[h] > ZKR_MT_MAX_LEAF_WORDS)
            return ZKR_ERR_USAGE;
    }
    for (size_t i = 0; i < k; i++)
        m->jw[i] = m->jw[m->head[i]];
    return ZKR_OK;
}

/* Sizes, roots and kinds of the members; the plan (fit: the members with fitted leaves). */
static zkr_err zkr_hm_members(const zkr_params *p, const zkr_hpcs_commitment *f, size_t k,
                              uint32_t fit, zkr_hm_proof *m, unsigned *nv, unsigned *bv,
                              uint8_t (*roots)[ZKR_DIGEST_BYTES])
{
    unsigned totals[ZKR_HPCS_MAX_MIXED];

    if (k == 0 || k > ZKR_HPCS_MAX_MIXED)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < k; i++) {
        if (f[i].blind_vars == 0 || f[i].blind_vars > ZKR_HPCS_MAX_BLIND_VARS ||
            f[i].n_vars > p->max_vars)
            return ZKR_ERR_USAGE;
        totals[i] = f[i].n_vars + f[i].blind_vars;
        nv[i] = f[i].n_vars;
        bv[i] = f[i].blind_vars;
        m->ext[i] = f[i].ext ? 1 : 0;
        memcpy(roots[i], f[i].root, ZKR_DIGEST_BYTES);
    }
    if (zkr_hpcs_mixed_plan_of(p, totals, k, &m->pl) != ZKR_OK ||
        zkr_hpcs_mixed_plan_fit(fit, k, &m->pl) != ZKR_OK)
        return ZKR_ERR_USAGE;
    for (size_t i = 0, j = 0; i < k; i++)
        if (m->pl.d[i] == 0)
            m->full[j++] = i;
    return ZKR_OK;
}

/*
 * The nested mask's carrier (nest; k: none): a joiner at layer 1 that is
 * not a stacked pair's second, whose tree has 2^nest_h times fewer leaves
 * than Z's, nest_h = its arity + step (its leaf for layer-0 leaf L is then
 * L >> nest_h), with room for the subtree root in its leaves. USAGE else.
 */
static zkr_err zkr_hm_nest(const zkr_params *p, size_t k, size_t nest, zkr_hm_proof *m)
{
    const zkr_hpcs_mixed_plan *pl = &m->pl;
    unsigned h, cdepth;

    m->nest = k;
    if (nest >= k)
        return nest == k ? ZKR_OK : ZKR_ERR_USAGE;
    if (pl->d[nest] == 0 || pl->layer[nest] != 1 || ((m->stack >> nest) & 1u))
        return ZKR_ERR_USAGE;
    h = pl->arity[nest] + pl->step[nest];
    cdepth = pl->total - pl->d[nest] + p->log_blowup - pl->arity[nest];
    if (h == 0 || h > ZKR_PCS_MAX_FOLD_ARITY ||
        m->jw[nest] + ZKR_DIGEST_BYTES / 8 > ZKR_MT_MAX_LEAF_WORDS ||
        cdepth + h != pl->l.log_len[0] - pl->l.folds[0])
        return ZKR_ERR_USAGE;
    m->nest = nest;
    m->nest_h = h;
    return ZKR_OK;
}

static zkr_err zkr_hm_verify(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *f,
                             size_t k, uint32_t fit, uint32_t stack, size_t nest,
                             const zkr_ext *z, const zkr_ext *values, unsigned off, zkr_dec *d)
{
    uint8_t roots[ZKR_HPCS_MAX_MIXED][ZKR_DIGEST_BYTES];
    const uint8_t *rp[ZKR_HPCS_MAX_MIXED];
    unsigned nv[ZKR_HPCS_MAX_MIXED], bv[ZKR_HPCS_MAX_MIXED];
    zkr_ext6 coef[ZKR_HPCS_MAX_MIXED + 1], alpha[ZKR_HPCS_MAX_MIXED];
    zkr_ext6 value = zkr_ext6_from_ext(zkr_ext_from(0));
    zkr_ext6 *r_all = NULL;
    zkr_hm_proof *m = calloc(1, sizeof *m);
    zkr_hm_q c;
    size_t nf;
    zkr_err r;

    memset(&c, 0, sizeof c);
    /*
     * The ZKR_HM_OFF_* switches are the soundness tests' teeth: a release
     * build (test_hooks false) ignores them, so no caller of the exported
     * *_off entry points can switch a check off there (its callers all
     * pass 0 and sit behind ZKR_TEST_BUILD; this makes it so by
     * construction, as verifier/ginfer.c and verifier/evaluation.c do).
     */
    if (!ZKR_TEST_BUILD)
        off = 0;
    if (!m)
        return ZKR_ERR_NOMEM;
    if (zkr_params_check(p) != ZKR_OK) {
        r = ZKR_ERR_UNSUPPORTED;
        goto out;
    }
    m->deg = p->mixed_ext6 ? 6 : 3;
    /* an F_p^6 opening's mask has a tree of its own (the nested form carries F_p^3 values) */
    if (m->deg == 6 && nest < k) {
        r = ZKR_ERR_USAGE;
        goto out;
    }
    if ((r = zkr_hm_members(p, f, k, fit, m, nv, bv, roots)) != ZKR_OK ||
        (r = zkr_hm_stack(f, k, stack, m)) != ZKR_OK || (r = zkr_hm_nest(p, k, nest, m)) != ZKR_OK ||
        (r = zkr_hm_parse(p, k, d, m)) != ZKR_OK)
        goto out;
    nf = m->pl.n_full;
    for (size_t i = 0; i < k; i++) {
        rp[i] = roots[i];
        alpha[i] = zkr_ext6_from_ext(zkr_ext_from(0));
    }
    /* a nested mask's root: its carrier's (the prover absorbs the same) */
    if (m->deg == 6)
        zkr_hpcs_mixed_absorb6(t, k, (const uint8_t(*)[ZKR_DIGEST_BYTES])roots, nv, bv, m->ext,
                               z, m->pl.total, values, m->mask_root, m->b);
    else
        zkr_hpcs_mixed_absorb(t, k, (const uint8_t(*)[ZKR_DIGEST_BYTES])roots, nv, bv, m->ext,
                              z, m->pl.total, values,
                              m->nest < k ? roots[m->nest] : m->mask_root, m->b.a);
    /* Fresh batching challenges, drawn after every value and the mask are bound. */
    for (size_t j = 0; j < nf; j++)
        coef[j] = zkr_hm_challenge(t, "hm-beta", m->deg);
    coef[nf] = zkr_hm_challenge(t, "hm-rho", m->deg);
    for (size_t j = 0; j < nf; j++)
        value = zkr_ext6_add(value, zkr_ext6_mul_ext(coef[j], values[m->full[j]]));
    value = zkr_ext6_add(value, zkr_ext6_mul(coef[nf], m->b));
    if (!(r_all = calloc((size_t)m->pl.total + 1, sizeof *r_all))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_hm_fold_phase(p, t, m, k, z, values, value, off, r_all, alpha)) != ZKR_OK)
        goto out;
    c.p = p;
    c.m = m;
    c.k = k;
    c.roots = rp;
    c.coef = coef;
    c.alpha = alpha;
    c.off = off;
    r = zkr_hm_queries(&c, t, r_all);
out:
    zkr_hm_q_free(&c);
    free(r_all);
    if (m)
        zkr_hm_free(m);
    free(m);
    return r;
}

zkr_err zkr_hpcs_verify_mixed_off(const zkr_params *p, zkr_transcript *t,
                                  const zkr_hpcs_commitment *f, size_t k, const zkr_ext *z,
                                  const zkr_ext *values, unsigned off, zkr_dec *d)
{
    return zkr_hm_verify(p, t, f, k, 0, 0, k, z, values, off, d);
}

zkr_err zkr_hpcs_verify_mixed_fit_off(const zkr_params *p, zkr_transcript *t,
                                      const zkr_hpcs_commitment *f, size_t k, uint32_t fit,
                                      uint32_t stack, const zkr_ext *z, const zkr_ext *values,
                                      unsigned off, zkr_dec *d)
{
    return zkr_hm_verify(p, t, f, k, fit, stack, k, z, values, off, d);
}

zkr_err zkr_hpcs_verify_mixed(const zkr_params *p, zkr_transcript *t,
                              const zkr_hpcs_commitment *f, size_t k, const zkr_ext *z,
                              const zkr_ext *values, zkr_dec *d)
{
    return zkr_hm_verify(p, t, f, k, 0, 0, k, z, values, 0, d);
}

zkr_err zkr_hpcs_verify_mixed_fit(const zkr_params *p, zkr_transcript *t,
                                  const zkr_hpcs_commitment *f, size_t k, uint32_t fit,
                                  uint32_t stack, const zkr_ext *z, const zkr_ext *values,
                                  zkr_dec *d)
{
    return zkr_hm_verify(p, t, f, k, fit, stack, k, z, values, 0, d);
}

zkr_err zkr_hpcs_verify_mixed_nest_off(const zkr_params *p, zkr_transcript *t,
                                       const zkr_hpcs_commitment *f, size_t k, uint32_t fit,
                                       uint32_t stack, size_t nest, const zkr_ext *z,
                                       const zkr_ext *values, unsigned off, zkr_dec *d)
{
    return zkr_hm_verify(p, t, f, k, fit, stack, nest, z, values, off, d);
}

zkr_err zkr_hpcs_verify_mixed_nest(const zkr_params *p, zkr_transcript *t,
                                   const zkr_hpcs_commitment *f, size_t k, uint32_t fit,
                                   uint32_t stack, size_t nest, const zkr_ext *z,
                                   const zkr_ext *values, zkr_dec *d)
{
    return zkr_hm_verify(p, t, f, k, fit, stack, nest, z, values, 0, d);
}
