/*
 * The mixed-size hiding opening over F_p^6 (p->mixed_ext6; docs/proof-system.md,
 * "Stop 52"), prover side. Component 3c's opening with its challenges,
 * mask, round messages, folded layers and final polynomial in F_p^6 =
 * F_p^3[y]/(y^2 - 7), verified by zk/hiding_mixed.c at six words a value.
 * The members and their trees are the F_p^3 opening's (prover/hiding_pcs.c
 * gates them and lists the joins); the mask is Z = Z_a + y Z_b for two
 * uniform periodic F_p^3 masks in one pair tree, each leaf Z_a's value then
 * Z_b's: the F_p^6 value's six words. Scalar code on one thread where the
 * F_p^3 opening has eight-lane kernels: the sets that use it carry no time
 * target (docs/bench.md gives the figures).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/hiding_int.h"
#include "zkr_config.h"

#define ZKR_H6_WORDS 6u /* words of one F_p^6 value */

typedef struct {
    const zkr_params *p;
    const zkr_pcs_layout *l;
    unsigned threads;
    zkr_zkrng *rng;
    zkr_hpcs_pool *pool;
    zkr_ext6 *g, *coef;      /* G's evaluations and monomial coefficients, folded in place */
    zkr_ext *sfx;            /* eq(z, .) of the rounds to come (the point is in F_p^3) */
    uint64_t *layer_cw[32];  /* folded layer l's codeword, six words a value */
    size_t layer_bytes[32];
    zkr_mtree layer_tree[32];
    zkr_buf head, roots;
    const zkr_h_join *joins;
    size_t n_joins;
    const zkr_hpcs_mixed_cheat *ch; /* tests only; NULL when honest */
} zkr_h6_ctx;

static zkr_ext6 zkr_h6_zero(void)
{
    return zkr_ext6_from_ext(zkr_ext_from(0));
}

/*
 * G = rho Z + sum_i beta_i F_i, evaluations and coefficients: Z(x) =
 * Z'(x >> shift) (a periodic mask's entries, its coefficients at every
 * 2^shift-th index), a member's evaluation term skipped on its zero run
 * (its entries there are zero by shape).
 */
static void zkr_h6_combine(zkr_h6_ctx *c, const zkr_hpcs_poly *za, const zkr_hpcs_poly *zb,
                           zkr_ext6 rho, const zkr_hpcs_poly *const *f, const zkr_ext6 *beta,
                           size_t k, size_t len, unsigned shift)
{
    for (size_t i = 0; i < len; i++) {
        size_t h = i >> shift;
        zkr_ext6 zv = {za->eve[h], zb->eve[h]}, g = zkr_ext6_mul(rho, zv), cf = zkr_h6_zero();
        if ((i & (((size_t)1 << shift) - 1)) == 0) {
            zkr_ext6 zc = {za->ce[h], zb->ce[h]};
            cf = zkr_ext6_mul(rho, zc);
        }
        for (size_t m = 0; m < k; m++) {
            const zkr_hpcs_poly *fm = f[m];
            int ev = i < fm->zero_lo || i >= fm->zero_hi;
            if (fm->ext) {
                if (ev)
                    g = zkr_ext6_add(g, zkr_ext6_mul_ext(beta[m], fm->eve[i]));
                cf = zkr_ext6_add(cf, zkr_ext6_mul_ext(beta[m], fm->ce[i]));
            } else {
                if (ev)
                    g = zkr_ext6_add(g, zkr_ext6_mul_base(beta[m], fm->evb[i]));
                cf = zkr_ext6_add(cf, zkr_ext6_mul_base(beta[m], fm->cb[i]));
            }
        }
        c->g[i] = g;
        c->coef[i] = cf;
    }
}

/* Round message (h(0), h(2)) of sum_x eq(zf, x) G(x) at round `round` (cfac: the past rounds'). */
static void zkr_h6_round(zkr_h6_ctx *c, const zkr_ext *zf, unsigned round, zkr_ext6 cfac,
                         zkr_ext6 msg[2])
{
    unsigned n_cur = c->l->n_vars - round;
    size_t half = (size_t)1 << (n_cur - 1);
    zkr_ext6 q0 = zkr_h6_zero(), q1 = zkr_h6_zero();
    zkr_ext one = zkr_ext_from(1), zi = zf[round];

    if (round == 0) {
        zkr_mle_eq_table_mt(zf + 1, n_cur - 1, c->threads, c->sfx);
    } else {
        /* eq(z, 0) + eq(z, 1) = 1 sums the last round's first variable out (in place) */
        for (size_t i = 0; i < half; i++)
            c->sfx[i] = zkr_ext_add(c->sfx[2 * i], c->sfx[2 * i + 1]);
    }
    for (size_t i = 0; i < half; i++) {
        q0 = zkr_ext6_add(q0, zkr_ext6_mul_ext(c->g[2 * i], c->sfx[i]));
        q1 = zkr_ext6_add(q1, zkr_ext6_mul_ext(c->g[2 * i + 1], c->sfx[i]));
    }
    /* eq(z_i, X) at X = 0 and 2: 1 - z_i and 3 z_i - 1; the sum's line at 2: 2 q1 - q0 */
    msg[0] = zkr_ext6_mul(cfac, zkr_ext6_mul_ext(q0, zkr_ext_sub(one, zi)));
    msg[1] = zkr_ext6_mul(cfac, zkr_ext6_mul_ext(zkr_ext6_sub(zkr_ext6_add(q1, q1), q0),
                                                 zkr_ext_sub(zkr_ext_mul_base(zi, 3), one)));
}

/* Fixes the first variable to r, in place (each read at or above the write). */
static void zkr_h6_fold(zkr_h6_ctx *c, unsigned n_cur, zkr_ext6 r)
{
    size_t half = (size_t)1 << (n_cur - 1);

    for (size_t i = 0; i < half; i++) {
        c->g[i] = zkr_ext6_add(c->g[2 * i],
                               zkr_ext6_mul(r, zkr_ext6_sub(c->g[2 * i + 1], c->g[2 * i])));
        c->coef[i] = zkr_ext6_add(c->coef[2 * i], zkr_ext6_mul(r, c->coef[2 * i + 1]));
    }
}

/* The codeword of G's 2^n_cur coefficients: its a and b parts encoded apart, interleaved. */
static zkr_err zkr_h6_encode(zkr_h6_ctx *c, unsigned n_cur, uint64_t *words)
{
    size_t n = (size_t)1 << n_cur, cw = n << c->p->log_blowup;
    zkr_ext *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
    zkr_ext *wa = malloc(cw * sizeof *wa), *wb = malloc(cw * sizeof *wb);
    zkr_ntt *ntt = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    if (!pa || !pb || !wa || !wb)
        goto out;
    for (size_t i = 0; i < n; i++) {
        pa[i] = c->coef[i].a;
        pb[i] = c->coef[i].b;
    }
    if ((r = zkr_ntt_new_mt(n_cur > 0 ? n_cur : 1, c->threads, &ntt)) != ZKR_OK ||
        (r = zkr_h_encode_ext(ntt, pa, n_cur, c->p->log_blowup, c->threads, c->pool, wa)) !=
            ZKR_OK ||
        (r = zkr_h_encode_ext(ntt, pb, n_cur, c->p->log_blowup, c->threads, c->pool, wb)) !=
            ZKR_OK)
        goto out;
    for (size_t x = 0; x < cw; x++)
        for (unsigned w = 0; w < 3; w++) {
            words[ZKR_H6_WORDS * x + w] = wa[x].c[w];
            words[ZKR_H6_WORDS * x + 3 + w] = wb[x].c[w];
        }
out:
    zkr_ntt_free(ntt);
    /* G's coefficients (masked): wiped as the F_p^3 opening wipes its scratch */
    if (pa)
        sodium_memzero(pa, n * sizeof *pa);
    if (pb)
        sodium_memzero(pb, n * sizeof *pb);
    free(pa);
    free(pb);
    free(wa);
    free(wb);
    return r;
}

/* Commits the folded polynomial as layer `layer` (n_cur variables left). */
static zkr_err zkr_h6_commit_layer(zkr_h6_ctx *c, zkr_transcript *t, unsigned layer,
                                   unsigned n_cur)
{
    unsigned a = c->l->folds[layer];
    size_t cw = (size_t)1 << c->l->log_len[layer];
    uint8_t seed[32], root[ZKR_DIGEST_BYTES];
    zkr_err r;

    c->layer_bytes[layer] = cw * ZKR_H6_WORDS * sizeof(uint64_t);
    if (!(c->layer_cw[layer] = malloc(c->layer_bytes[layer])))
        return ZKR_ERR_NOMEM;
    if ((r = zkr_h6_encode(c, n_cur, c->layer_cw[layer])) != ZKR_OK)
        return r;
    zkr_zkrng_bytes(c->rng, seed, sizeof seed);
    r = zkr_mtree_build(c->layer_cw[layer], cw >> a, (size_t)ZKR_H6_WORDS << a, seed, c->threads,
                        &c->layer_tree[layer]);
    sodium_memzero(seed, sizeof seed);
    if (r != ZKR_OK)
        return r;
    zkr_mtree_root(&c->layer_tree[layer], root);
    zkr_ts_absorb(t, "bf-root", root, ZKR_DIGEST_BYTES);
    return zkr_buf_append(&c->roots, root, ZKR_DIGEST_BYTES);
}

/* The joins at round `round` (index order): alpha drawn (`bf-join`), G += alpha f. */
static void zkr_h6_join_round(zkr_h6_ctx *c, zkr_transcript *t, unsigned round)
{
    for (size_t i = 0; i < c->n_joins; i++) {
        const zkr_hpcs_poly *f = c->joins[i].f;
        size_t len = (size_t)1 << f->total;
        zkr_ext6 alpha;
        if (c->joins[i].round != round)
            continue;
        alpha = zkr_ts_challenge_ext6(t, "bf-join");
        if (c->joins[i].omit)
            continue; /* a test cheat's join without its term */
        for (size_t x = 0; x < len; x++) {
            if (f->ext) {
                c->g[x] = zkr_ext6_add(c->g[x], zkr_ext6_mul_ext(alpha, f->eve[x]));
                c->coef[x] = zkr_ext6_add(c->coef[x], zkr_ext6_mul_ext(alpha, f->ce[x]));
            } else {
                c->g[x] = zkr_ext6_add(c->g[x], zkr_ext6_mul_base(alpha, f->evb[x]));
                c->coef[x] = zkr_ext6_add(c->coef[x], zkr_ext6_mul_base(alpha, f->cb[x]));
            }
        }
    }
}

static zkr_err zkr_h6_fold_phase(zkr_h6_ctx *c, zkr_transcript *t, const zkr_ext *zf,
                                 zkr_ext6 value)
{
    const zkr_pcs_layout *l = c->l;
    zkr_ext6 cfac = zkr_ext6_from_ext(zkr_ext_from(1)), msg[2], rr;
    unsigned round = 0;
    zkr_err r;

    zkr_ts_absorb_ext6(t, "bf-claim", &value, 1);
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        for (unsigned j = 0; j < l->folds[layer]; j++, round++) {
            zkr_h6_join_round(c, t, round);
            zkr_h6_round(c, zf, round, cfac, msg);
            if (c->ch && (c->ch->shift_c || c->ch->shift_d) && c->ch->shift_round == round) {
                /* a test cheat: q + c (1 - 2X) + d X (X - 1), the same q(0) + q(1) */
                msg[0].a.c[0] = zkr_gl_add(msg[0].a.c[0], c->ch->shift_c);
                msg[1].a.c[0] = zkr_gl_add(msg[1].a.c[0],
                                           zkr_gl_sub(zkr_gl_add(c->ch->shift_d, c->ch->shift_d),
                                                      zkr_gl_mul(3, c->ch->shift_c)));
            }
            zkr_ts_absorb_ext6(t, "sc-round", msg, 2);
            rr = zkr_ts_challenge_ext6(t, "sc-challenge");
            if ((r = zkr_enc_ext6s(&c->head, msg, 2)) != ZKR_OK)
                return r;
            zkr_h6_fold(c, l->n_vars - round, rr);
            cfac = zkr_ext6_mul(cfac, zkr_mle_eq_eval6(zf + round, &rr, 1));
        }
        if (layer + 1 < l->n_layers &&
            (r = zkr_h6_commit_layer(c, t, layer + 1, l->n_vars - round)) != ZKR_OK)
            return r;
    }
    zkr_ts_absorb_ext6(t, "bf-final", c->coef, (size_t)1 << l->final_vars);
    return ZKR_OK;
}

/* The query phase: folded layers six words a value; test cheats' derive rules. */
static zkr_err zkr_h6_queries(zkr_h6_ctx *c, zkr_transcript *t, const zkr_hpcs_poly *const *trees,
                              size_t n_trees, zkr_buf *out)
{
    unsigned dv = c->ch ? c->ch->derive : 0;
    zkr_h_qphase qp = {c->p, c->l, c->layer_tree, {NULL}, ZKR_H6_WORDS, 1, c->joins, c->n_joins};

    /* each folded leaf leaves out the value its first query derives (zkr_hm_derive);
     * test cheats: every value sent, or the last query's left out */
    if (dv == ZKR_HPCS_DERIVE_SENT)
        qp.derive = 0;
    else if (dv == ZKR_HPCS_DERIVE_LAST)
        qp.derive = 2;
    for (unsigned i = 0; i < 32; i++)
        qp.layer_words[i] = c->layer_cw[i];
    return zkr_h_query_phase(&qp, t, trees, n_trees, out);
}

/*
 * The folding and query phases of G (c->g, c->coef: 2^T entries, folded in
 * place) at z, the claim `value`; layer 0 opens trees[0..n_trees-1].
 */
static zkr_err zkr_h6_core(zkr_h6_ctx *c, zkr_transcript *t, const zkr_ext *z, zkr_ext6 value,
                           const zkr_hpcs_poly *const *trees, size_t n_trees, zkr_buf *out)
{
    const zkr_pcs_layout *l = c->l;
    size_t sfx_len = (size_t)1 << (l->n_vars - 1);
    uint64_t nonce;
    zkr_err r;

    /* public (eq weights of the public point) */
    if (!(c->sfx = malloc(sfx_len * sizeof *c->sfx)))
        return ZKR_ERR_NOMEM;
    if ((r = zkr_h6_fold_phase(c, t, z, value)) != ZKR_OK)
        return r;
    nonce = zkr_ts_pow_search(t, c->p->pow_bits);
    (void)zkr_ts_pow_check(t, c->p->pow_bits, nonce);
    if ((r = zkr_buf_append(out, c->head.p, c->head.len)) != ZKR_OK ||
        (r = zkr_buf_append(out, c->roots.p, c->roots.len)) != ZKR_OK ||
        (r = zkr_enc_ext6s(out, c->coef, (size_t)1 << l->final_vars)) != ZKR_OK ||
        (r = zkr_enc_u64(out, nonce)) != ZKR_OK)
        return r;
    return zkr_h6_queries(c, t, trees, n_trees, out);
}

/* Two periodic F_p^3 masks (T - a0 variables) under one pair tree: Z = Z_a + y Z_b. */
static zkr_err zkr_h6_mask_pair(const zkr_params *p, const zkr_hpcs_mixed_plan *pl,
                                zkr_zkrng *rng, unsigned threads, zkr_hpcs_pool *pool,
                                zkr_hpcs_poly **za, zkr_hpcs_poly **zb)
{
    unsigned a0 = pl->l.folds[0];
    zkr_err r;

    if ((r = zkr_h_mask_new_periodic(p, pl->total, a0, pool, rng, threads, za, NULL)) != ZKR_OK ||
        (r = zkr_h_mask_new_periodic(p, pl->total, a0, pool, rng, threads, zb, NULL)) != ZKR_OK)
        return r;
    return zkr_h_pair_tree(*za, *zb, rng, threads);
}

/*
 * The F_p^6 mask and b = Z(z); its root. pm (test builds; NULL when honest):
 * b sent plus b_delta; swap_mask: G, b and Z's leaves from a second pair
 * (zg) while the first pair's root is sent. zg is the pair G folds and
 * layer 0 opens (the sent one when honest).
 */
static zkr_err zkr_h6_mask(const zkr_params *p, const zkr_hpcs_mixed_plan *pl, const zkr_ext *z,
                           const zkr_hpcs_pmask_cheat *pm, zkr_zkrng *rng, unsigned threads,
                           zkr_hpcs_pool *pool, zkr_hpcs_poly *zs[4],
                           uint8_t root[ZKR_DIGEST_BYTES], zkr_ext6 *b)
{
    unsigned a0 = pl->l.folds[0];
    zkr_hpcs_poly **zg = zs;
    zkr_err r;

    if ((r = zkr_h6_mask_pair(p, pl, rng, threads, pool, &zs[0], &zs[1])) != ZKR_OK)
        return r;
    zkr_mtree_root(&zs[0]->tree, root);
    if (pm && pm->swap_mask) {
        if ((r = zkr_h6_mask_pair(p, pl, rng, threads, pool, &zs[2], &zs[3])) != ZKR_OK)
            return r;
        zg = zs + 2;
    }
    if ((r = zkr_h_mask_eval(zg[0], z + a0, threads, &b->a)) != ZKR_OK ||
        (r = zkr_h_mask_eval(zg[1], z + a0, threads, &b->b)) != ZKR_OK)
        return r;
    if (pm)
        b->a.c[0] = zkr_gl_add(b->a.c[0], pm->b_delta);
    return ZKR_OK;
}

static void zkr_h6_free(zkr_h6_ctx *c)
{
    for (unsigned i = 0; i < 32; i++) {
        /* G's layers (G is masked): freed unwiped, as the F_p^3 opening hands them back */
        free(c->layer_cw[i]);
        zkr_mtree_free(&c->layer_tree[i]);
    }
    free(c->sfx);
    zkr_buf_free(&c->head);
    zkr_buf_free(&c->roots);
}

zkr_err zkr_h6_open(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_mixed_plan *pl,
                    size_t k, const uint8_t (*roots)[ZKR_DIGEST_BYTES], const unsigned *nv,
                    const unsigned *bv, const unsigned *ext, const zkr_hpcs_poly *const *full,
                    size_t nf, const zkr_hpcs_poly *const *otrees, size_t no,
                    const zkr_h_join *joins, size_t nj, const zkr_ext *z, const zkr_ext *values,
                    const zkr_hpcs_mixed_cheat *ch, const zkr_hpcs_pmask_cheat *pm,
                    zkr_zkrng *rng, unsigned threads, zkr_hpcs_pool *pool, zkr_buf *out)
{
    const zkr_hpcs_poly *trees[ZKR_HPCS_MAX_MIXED + 1];
    zkr_hpcs_poly *zs[4] = {NULL, NULL, NULL, NULL}, *const *zg;
    uint8_t mroot[ZKR_DIGEST_BYTES];
    zkr_ext6 coef[ZKR_HPCS_MAX_MIXED + 1], b, value = zkr_h6_zero();
    size_t len = (size_t)1 << pl->total;
    zkr_h6_ctx c;
    zkr_err r;

    memset(&c, 0, sizeof c);
    if (!p->mixed_ext6 || no > ZKR_HPCS_MAX_MIXED || nf > ZKR_HPCS_MAX_MIXED)
        return ZKR_ERR_USAGE;
    /* test cheats exist in test builds only; version 6's full-size mask never over F_p^6 */
    if ((!ZKR_TEST_BUILD && (ch || pm)) || (pm && pm->full_mask))
        return ZKR_ERR_USAGE;
    c.p = p;
    c.l = &pl->l;
    c.threads = threads;
    c.rng = rng;
    c.pool = pool;
    c.joins = joins;
    c.n_joins = nj;
    c.ch = ch;
    /* the mask is fixed before any challenge that combines it */
    if ((r = zkr_h6_mask(p, pl, z, pm, rng, threads, pool, zs, mroot, &b)) != ZKR_OK)
        goto out;
    zg = zs[2] ? zs + 2 : zs; /* the pair G folds and layer 0 opens (a swap cheat's second) */
    zkr_hpcs_mixed_absorb6(t, k, roots, nv, bv, ext, z, pl->total, values, mroot, b);
    for (size_t j = 0; j < nf; j++)
        coef[j] = zkr_ts_challenge_ext6(t, "hm-beta");
    coef[nf] = zkr_ts_challenge_ext6(t, "hm-rho");
    for (size_t i = 0, j = 0; i < k; i++)
        if (pl->d[i] == 0)
            value = zkr_ext6_add(value, zkr_ext6_mul_ext(coef[j++], values[i]));
    value = zkr_ext6_add(value, zkr_ext6_mul(coef[nf], b));
    if ((r = zkr_buf_append(out, mroot, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_ext6s(out, &b, 1)) != ZKR_OK)
        goto out;
    c.g = malloc(len * sizeof *c.g);
    c.coef = malloc(len * sizeof *c.coef);
    if (!c.g || !c.coef) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    zkr_h6_combine(&c, zg[0], zg[1], coef[nf], full, coef, nf, len, pl->l.folds[0]);
    memcpy(trees, otrees, no * sizeof *trees);
    trees[no] = zg[0]; /* the pair's tree: Z_a's value then Z_b's, a leaf */
    r = zkr_h6_core(&c, t, z, value, trees, no + 1, out);
out:
    /* G's tables (the witness, masked): wiped */
    if (c.g)
        sodium_memzero(c.g, len * sizeof *c.g);
    if (c.coef)
        sodium_memzero(c.coef, len * sizeof *c.coef);
    free(c.g);
    free(c.coef);
    zkr_h6_free(&c);
    for (int i = 3; i >= 0; i--)
        zkr_hpcs_poly_free(zs[i]);
    return r;
}
