/*
 * Hiding Basefold, prover side (docs/proof-system.md, "Zero-knowledge
 * (hiding) layer"). Written alongside prover/pcs.c rather than through it:
 * the folding is the same mathematics, but every salt, every blinding
 * coefficient and the mask come from the prover's secret generator, and
 * only the combination G = F + rho Z is ever folded.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/hiding_int.h"
#include "prover/prover.h"
#include "zk/zk_int.h"
#include "zkr_config.h"


void zkr_hpcs_poly_free(zkr_hpcs_poly *poly)
{
    size_t len;

    if (!poly)
        return;
    /*
     * The other members of a stacked pair or group outlive it only as
     * parts of one (refused by every opening): the whole chain unlinked.
     */
    if (poly->stack_head || poly->stack_tail) {
        zkr_hpcs_poly *m = poly->stack_head ? poly->stack_head : poly;
        while (m) {
            zkr_hpcs_poly *next = m->stack_tail;
            m->stack_head = m->stack_tail = NULL;
            m = next;
        }
    }
    len = (size_t)1 << poly->total;
    zkr_hpcs_pool_put(poly->pool, poly->evb, len * sizeof *poly->evb, 1);
    zkr_hpcs_pool_put(poly->pool, poly->cb, len * sizeof *poly->cb, 1);
    zkr_hpcs_pool_put(poly->pool, poly->eve, len * sizeof *poly->eve, 1);
    zkr_hpcs_pool_put(poly->pool, poly->ce, len * sizeof *poly->ce, 1);
    zkr_hpcs_pool_put(poly->pool, poly->cw, poly->cw_words * sizeof *poly->cw, 1);
    if (poly->stack_cw) {
        sodium_memzero(poly->stack_cw, poly->stack_cw_words * sizeof *poly->stack_cw);
        free(poly->stack_cw);
    }
    zkr_mtree_free(&poly->tree);
    zkr_hpcs_poly_free(poly->nest);
    sodium_memzero(poly, sizeof *poly);
    free(poly);
}

void zkr_hpcs_poly_use_pool(zkr_hpcs_poly *poly, zkr_hpcs_pool *pool)
{
    poly->pool = pool;
}

zkr_hpcs_pool *zkr_hpcs_poly_pool(const zkr_hpcs_poly *poly)
{
    return poly->pool;
}

const zkr_ext *zkr_hpcs_mask_evals(const zkr_hpcs_poly *mask)
{
    return mask->ext ? mask->eve : NULL;
}

void zkr_hpcs_poly_root(const zkr_hpcs_poly *poly, uint8_t root[ZKR_DIGEST_BYTES])
{
    if (poly->stacked && !poly->stack_head && !poly->stack_tail) {
        memset(root, 0, ZKR_DIGEST_BYTES); /* a half pair: its tree went with its partner */
        return;
    }
    zkr_mtree_root(poly->stack_head ? &poly->stack_head->tree : &poly->tree, root);
}

uint32_t zkr_hpcs_budget_total(const zkr_hpcs_poly *f)
{
    return f->budget;
}

uint32_t zkr_hpcs_budget_left(const zkr_hpcs_poly *f)
{
    return f->budget > f->used ? f->budget - f->used : 0;
}

/*
 * Values of F at full points whose blinding coordinates are nonzero only
 * among the first eb (a randomised extension's evaluation) are linear
 * functionals of the 2^n (2^eb - 1) random entries of those slices; more
 * than that many would determine them and unmask f.
 */
static uint64_t zkr_h_reveal_cap(unsigned n_vars, unsigned eb)
{
    if (n_vars + eb >= 64)
        return UINT64_MAX;
    return (((uint64_t)1 << eb) - 1) << n_vars;
}

uint64_t zkr_hpcs_reveals_left(const zkr_hpcs_poly *f)
{
    uint64_t cap = zkr_h_reveal_cap(f->n_vars, f->total - f->n_vars);
    return cap > f->off_slice ? cap - f->off_slice : 0;
}

/*
 * Whether `add` more values at points mixing the first eb slices keep every
 * prefix within its dimension: values mixing only slices 1..j are linear
 * functionals of those slices' 2^n (2^j - 1) random entries, so for every
 * j >= eb the values at levels <= j (the new ones included) must not
 * outnumber them (a generic family in a flag of subspaces is independent
 * exactly then). Counts nothing (zkr_h_reveal_add does).
 */
static zkr_err zkr_h_reveal_fits(const zkr_hpcs_poly *f, unsigned eb, uint64_t add)
{
    unsigned e = f->total - f->n_vars;
    uint64_t below = 0;

    if (eb == 0 || eb > e || e > ZKR_HPCS_MAX_BLIND_VARS)
        return ZKR_ERR_USAGE;
    for (unsigned j = 1; j <= e; j++) {
        uint64_t cap = zkr_h_reveal_cap(f->n_vars, j);
        below += f->at_level[j];
        if (j >= eb && (below > cap || add > cap - below))
            return ZKR_ERR_USAGE;
    }
    return ZKR_OK;
}

/* zkr_h_reveal_fits, then counts them (nothing counted on a refusal). */
static zkr_err zkr_h_reveal_add(zkr_hpcs_poly *f, unsigned eb, uint64_t add)
{
    zkr_err r = zkr_h_reveal_fits(f, eb, add);

    if (r != ZKR_OK)
        return r;
    f->at_level[eb] += add;
    f->off_slice += add;
    return ZKR_OK;
}

uint64_t zkr_hpcs_first_slice_reveals(const zkr_hpcs_poly *f)
{
    return f->at_level[1];
}

zkr_err zkr_hpcs_charge(zkr_hpcs_poly *f, uint32_t openings, uint64_t reveals, unsigned eb)
{
    zkr_err r;

    if (eb == 0 || eb > f->total - f->n_vars || openings > zkr_hpcs_budget_left(f))
        return ZKR_ERR_USAGE;
    if ((r = zkr_h_reveal_add(f, eb, reveals)) != ZKR_OK)
        return r;
    f->used += openings;
    return ZKR_OK;
}

/*
 * Packed ext words to and from their three component planes, chunk by
 * chunk on the prover's threads (copies: any split gives the same words).
 */
typedef struct {
    zkr_ext *ext;
    zkr_gl *pl[3];
    int join; /* 1: ext from the planes; 0: the planes from ext */
} zkr_h_planes_job;

static void zkr_h_planes_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_h_planes_job *j = ctx;

    (void)w;
    if (j->join) {
        for (size_t i = lo; i < hi; i++)
            for (int k = 0; k < 3; k++)
                j->ext[i].c[k] = j->pl[k][i];
    } else {
        for (size_t i = lo; i < hi; i++)
            for (int k = 0; k < 3; k++)
                j->pl[k][i] = j->ext[i].c[k];
    }
}

static void zkr_h_planes(zkr_ext *ext, zkr_gl *pl, size_t n, int join, unsigned threads)
{
    zkr_h_planes_job j = {ext, {pl, pl + n, pl + 2 * n}, join};

    zkr_par_for(threads, n, 1 << 14, zkr_h_planes_chunk, &j);
}

/*
 * The codeword of three coefficient planes (in: 3 x 2^log_n) as packed ext
 * words, LDE block by LDE block: each block's three components go through
 * the scratch ev (3 x 2^log_n) and are written out in one sequential pass.
 */
static zkr_err zkr_h_lde_planes(const zkr_ntt *ntt, const zkr_gl *in, unsigned log_n,
                                unsigned lb, unsigned threads, zkr_gl *ev, zkr_ext *out)
{
    size_t n = (size_t)1 << log_n;
    zkr_err r;

    for (size_t t = 0; t < ((size_t)1 << lb); t++) {
        for (size_t k = 0; k < 3; k++)
            if ((r = zkr_ntt_lde_block(ntt, in + k * n, log_n, lb, 1, threads, t, ev + k * n)) !=
                ZKR_OK)
                return r;
        zkr_h_planes(out + t * n, ev, n, 1, threads);
    }
    return ZKR_OK;
}

/* RS-encodes 2^log_n ext coefficients into packed ext words (the planes' scratch from pool). */
zkr_err zkr_h_encode_ext(const zkr_ntt *ntt, zkr_ext *c, unsigned log_n, unsigned lb,
                                unsigned threads, zkr_hpcs_pool *pool, zkr_ext *out)
{
    size_t n = (size_t)1 << log_n, bytes = 3 * n * sizeof(zkr_gl);
    zkr_gl *in = zkr_hpcs_pool_get(pool, bytes), *ev = zkr_hpcs_pool_get(pool, bytes);
    zkr_err r = ZKR_ERR_NOMEM;

    if (in && ev) {
        zkr_h_planes(c, in, n, 0, threads);
        r = zkr_h_lde_planes(ntt, in, log_n, lb, threads, ev, out);
    }
    zkr_hpcs_pool_put(pool, in, bytes, 1);
    zkr_hpcs_pool_put(pool, ev, bytes, 1);
    return r;
}

/*
 * An extension poly's monomial coefficients (ce, from eve) and its
 * codeword: the evaluations split into planes once, each plane's Moebius
 * transform, ce joined from the planes, then their LDE (the values
 * zkr_h_encode_ext gives from ce).
 */
static zkr_err zkr_h_ext_coef_encode(const zkr_ntt *ntt, zkr_hpcs_poly *poly, unsigned lb,
                                     unsigned threads)
{
    size_t n = (size_t)1 << poly->total, bytes = 3 * n * sizeof(zkr_gl);
    zkr_hpcs_pool *pool = poly->pool;
    zkr_gl *in = zkr_hpcs_pool_get(pool, bytes), *ev = zkr_hpcs_pool_get(pool, bytes);
    zkr_err r = ZKR_ERR_NOMEM;

    if (in && ev) {
        zkr_h_planes(poly->eve, in, n, 0, threads);
        for (size_t k = 0; k < 3; k++)
            zkr_mle_to_monomial_base_mt(in + k * n, poly->total, threads);
        zkr_h_planes(poly->ce, in, n, 1, threads);
        r = zkr_h_lde_planes(ntt, in, poly->total, lb, threads, ev, (zkr_ext *)(void *)poly->cw);
    }
    zkr_hpcs_pool_put(pool, in, bytes, 1);
    zkr_hpcs_pool_put(pool, ev, bytes, 1);
    return r;
}

/* Codeword and salted tree of a filled poly (base: coefficients set; ext: evaluations set). */
/* The codeword (no tree): poly->cw, 2^(total + log_blowup) entries. */
static zkr_err zkr_h_encode(const zkr_params *p, zkr_hpcs_poly *poly, unsigned threads)
{
    size_t big = (size_t)1 << (poly->total + p->log_blowup), per = poly->ext ? 3 : 1;
    zkr_ntt *ntt = NULL;
    zkr_err r;

    poly->cw_words = big * per;
    poly->cw = zkr_hpcs_pool_get(poly->pool, poly->cw_words * sizeof *poly->cw);
    if (!poly->cw)
        return ZKR_ERR_NOMEM;
    /* the LDE's transforms are 2^total long: a twiddle table of that size (not the codeword's) */
    if ((r = zkr_ntt_new_mt(poly->total, threads, &ntt)) != ZKR_OK)
        return r;
    if (poly->ext)
        r = zkr_h_ext_coef_encode(ntt, poly, p->log_blowup, threads);
    else
        r = zkr_ntt_lde(ntt, poly->cb, poly->total, p->log_blowup, 1, threads, poly->cw);
    zkr_ntt_free(ntt);
    return r;
}

static zkr_err zkr_h_encode_commit(const zkr_params *p, zkr_hpcs_poly *poly, zkr_zkrng *rng,
                                   unsigned threads)
{
    size_t big = (size_t)1 << (poly->total + p->log_blowup), per = poly->ext ? 3 : 1;
    unsigned a = poly->leaf_a ? poly->leaf_a : poly->l.folds[0];
    uint8_t seed[32];
    zkr_err r;

    if ((r = zkr_h_encode(p, poly, threads)) != ZKR_OK)
        return r;
    poly->leaf_a = a;
    /* Fresh secret salts: the leaf hashes of unopened leaves hide their values. */
    zkr_zkrng_bytes(rng, seed, sizeof seed);
    r = zkr_mtree_build(poly->cw, big >> a, per << a, seed, threads, &poly->tree);
    sodium_memzero(seed, sizeof seed);
    return r;
}

/* Blinding variables for total_vars, or 0 when they do not cover `budget` openings. */
static unsigned zkr_h_sized_e(const zkr_params *p, unsigned n_vars, unsigned total_vars,
                              uint32_t budget)
{
    unsigned e_min = zkr_hpcs_blind_vars(p, n_vars, budget);

    if (e_min == 0 || total_vars < n_vars + e_min || total_vars > p->max_vars ||
        total_vars - n_vars > ZKR_HPCS_MAX_BLIND_VARS)
        return 0;
    return total_vars - n_vars;
}

zkr_err zkr_prover_hcommit(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                           uint32_t budget, zkr_zkrng *rng, unsigned threads, zkr_hpcs_poly **out,
                           zkr_hpcs_commitment *comm)
{
    unsigned e = zkr_hpcs_blind_vars(p, n_vars, budget);

    *out = NULL;
    memset(comm, 0, sizeof *comm);
    if (budget == 0 || budget > ZKR_HPCS_MAX_BUDGET)
        return ZKR_ERR_USAGE;
    if (e == 0)
        return ZKR_ERR_TOO_LARGE;
    return zkr_prover_hcommit_sized(p, evals, n_vars, n_vars + e, budget, rng, threads, out,
                                    comm);
}

zkr_err zkr_prover_hcommit_sized(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                                 unsigned total_vars, uint32_t budget, zkr_zkrng *rng,
                                 unsigned threads, zkr_hpcs_poly **out,
                                 zkr_hpcs_commitment *comm)
{
    return zkr_prover_hcommit_sized_pool(p, evals, n_vars, total_vars, budget, NULL, rng,
                                         threads, out, comm);
}

/*
 * The tree's leaf arity: the layout's folds[0], or a mixed opening's fitted
 * arity (at least 1, a leaf within the codeword and the tree's leaf size).
 */
static zkr_err zkr_h_leaf_arity(const zkr_params *p, zkr_hpcs_poly *poly, unsigned leaf_arity)
{
    size_t per = poly->ext ? 3 : 1;

    poly->fitted = leaf_arity != 0;
    poly->leaf_a = leaf_arity ? leaf_arity : poly->l.folds[0];
    if (poly->fitted && (leaf_arity > ZKR_PCS_MAX_FOLD_ARITY ||
                         leaf_arity > poly->total + p->log_blowup ||
                         (per << leaf_arity) > ZKR_MT_MAX_LEAF_WORDS))
        return ZKR_ERR_USAGE;
    return ZKR_OK;
}

zkr_err zkr_prover_hcommit_sized_pool(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                                      unsigned total_vars, uint32_t budget, zkr_hpcs_pool *pool,
                                      zkr_zkrng *rng, unsigned threads, zkr_hpcs_poly **out,
                                      zkr_hpcs_commitment *comm)
{
    return zkr_prover_hcommit_fit_pool(p, evals, n_vars, total_vars, budget, 0, pool, rng,
                                       threads, out, comm);
}

/*
 * A hiding polynomial's shell: n_vars blinded up to total_vars for budget
 * openings (zkr_h_sized_e), its layout and leaf arity; no tables yet.
 */
static zkr_err zkr_h_shell(const zkr_params *p, unsigned n_vars, unsigned total_vars,
                           uint32_t budget, unsigned leaf_arity, zkr_hpcs_pool *pool, int ext,
                           zkr_hpcs_poly **out)
{
    zkr_hpcs_poly *poly;
    unsigned e;
    zkr_err r;

    *out = NULL;
    if (budget == 0 || budget > ZKR_HPCS_MAX_BUDGET)
        return ZKR_ERR_USAGE;
    if ((e = zkr_h_sized_e(p, n_vars, total_vars, budget)) == 0)
        return ZKR_ERR_TOO_LARGE;
    if (!(poly = calloc(1, sizeof *poly)))
        return ZKR_ERR_NOMEM;
    poly->ext = ext;
    poly->n_vars = n_vars;
    poly->total = n_vars + e;
    poly->budget = budget;
    poly->pool = pool;
    zkr_pcs_layout_of(p, poly->total, &poly->l);
    if ((r = zkr_h_leaf_arity(p, poly, leaf_arity)) != ZKR_OK)
        zkr_hpcs_poly_free(poly);
    else
        *out = poly;
    return r;
}

/*
 * A base-valued hiding polynomial, encoded; its tree built (with fresh
 * salts) unless `tree` is 0 (a stacked pair's, built over both).
 */
static zkr_err zkr_h_base_new(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                              unsigned total_vars, uint32_t budget, unsigned leaf_arity,
                              zkr_hpcs_pool *pool, zkr_zkrng *rng, unsigned threads, int tree,
                              zkr_hpcs_poly **out)
{
    zkr_hpcs_poly *poly = NULL;
    size_t len, small;
    zkr_err r;

    *out = NULL;
    if ((r = zkr_h_shell(p, n_vars, total_vars, budget, leaf_arity, pool, 0, &poly)) != ZKR_OK)
        return r;
    r = ZKR_ERR_NOMEM;
    len = (size_t)1 << poly->total;
    small = (size_t)1 << n_vars;
    poly->evb = zkr_hpcs_pool_get(pool, len * sizeof *poly->evb);
    poly->cb = zkr_hpcs_pool_get(pool, len * sizeof *poly->cb);
    if (!poly->evb || !poly->cb)
        goto out;
    memcpy(poly->evb, evals, small * sizeof *evals);
    /* Every entry off the slice u = 0^e is uniformly random: the blinding. */
    zkr_zkrng_gl_fill_mt(rng, poly->evb + small, len - small, threads);
    memcpy(poly->cb, poly->evb, len * sizeof *poly->cb);
    zkr_mle_to_monomial_base_mt(poly->cb, poly->total, threads);
    r = tree ? zkr_h_encode_commit(p, poly, rng, threads) : zkr_h_encode(p, poly, threads);
    if (r != ZKR_OK)
        goto out;
    *out = poly;
    poly = NULL;
out:
    zkr_hpcs_poly_free(poly);
    return r;
}

/* comm for poly (its root: its own tree's, or its stacked pair's) */
static void zkr_h_comm(const zkr_hpcs_poly *poly, zkr_hpcs_commitment *comm)
{
    memset(comm, 0, sizeof *comm);
    zkr_hpcs_poly_root(poly, comm->root);
    comm->n_vars = poly->n_vars;
    comm->blind_vars = poly->total - poly->n_vars;
    comm->ext = poly->ext;
}

zkr_err zkr_prover_hcommit_fit_pool(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                                    unsigned total_vars, uint32_t budget, unsigned leaf_arity,
                                    zkr_hpcs_pool *pool, zkr_zkrng *rng, unsigned threads,
                                    zkr_hpcs_poly **out, zkr_hpcs_commitment *comm)
{
    zkr_err r;

    memset(comm, 0, sizeof *comm);
    r = zkr_h_base_new(p, evals, n_vars, total_vars, budget, leaf_arity, pool, rng, threads, 1,
                       out);
    if (r == ZKR_OK)
        zkr_h_comm(*out, comm);
    return r;
}

zkr_err zkr_prover_hcommit_ext(const zkr_params *p, const zkr_ext *evals, unsigned n_vars,
                               uint32_t budget, zkr_zkrng *rng, unsigned threads,
                               zkr_hpcs_poly **out, zkr_hpcs_commitment *comm)
{
    unsigned e = zkr_hpcs_blind_vars(p, n_vars, budget);

    *out = NULL;
    memset(comm, 0, sizeof *comm);
    if (budget == 0 || budget > ZKR_HPCS_MAX_BUDGET)
        return ZKR_ERR_USAGE;
    if (e == 0)
        return ZKR_ERR_TOO_LARGE;
    return zkr_prover_hcommit_ext_sized(p, evals, n_vars, n_vars + e, budget, rng, threads, out,
                                        comm);
}

zkr_err zkr_prover_hcommit_ext_sized(const zkr_params *p, const zkr_ext *evals, unsigned n_vars,
                                     unsigned total_vars, uint32_t budget, zkr_zkrng *rng,
                                     unsigned threads, zkr_hpcs_poly **out,
                                     zkr_hpcs_commitment *comm)
{
    return zkr_prover_hcommit_ext_sized_pool(p, evals, n_vars, total_vars, budget, NULL, rng,
                                             threads, out, comm);
}

zkr_err zkr_prover_hcommit_ext_sized_pool(const zkr_params *p, const zkr_ext *evals,
                                          unsigned n_vars, unsigned total_vars, uint32_t budget,
                                          zkr_hpcs_pool *pool, zkr_zkrng *rng, unsigned threads,
                                          zkr_hpcs_poly **out, zkr_hpcs_commitment *comm)
{
    return zkr_prover_hcommit_ext_fit_pool(p, evals, n_vars, total_vars, budget, 0, pool, rng,
                                           threads, out, comm);
}

/*
 * An extension-valued hiding polynomial, encoded; its tree built (with
 * fresh salts) unless `tree` is 0 (a stacked pair's, built over both).
 */
static zkr_err zkr_h_ext_new(const zkr_params *p, const zkr_ext *evals, unsigned n_vars,
                             unsigned total_vars, uint32_t budget, unsigned leaf_arity,
                             zkr_hpcs_pool *pool, zkr_zkrng *rng, unsigned threads, int tree,
                             zkr_hpcs_poly **out)
{
    zkr_hpcs_poly *poly = NULL;
    size_t len, small;
    zkr_err r;

    *out = NULL;
    if ((r = zkr_h_shell(p, n_vars, total_vars, budget, leaf_arity, pool, 1, &poly)) != ZKR_OK)
        return r;
    r = ZKR_ERR_NOMEM;
    len = (size_t)1 << poly->total;
    small = (size_t)1 << n_vars;
    poly->eve = zkr_hpcs_pool_get(pool, len * sizeof *poly->eve);
    poly->ce = zkr_hpcs_pool_get(pool, len * sizeof *poly->ce);
    if (!poly->eve || !poly->ce)
        goto out;
    memcpy(poly->eve, evals, small * sizeof *evals);
    /* As for a base f: every entry off the slice u = 0^e is uniform (extension) noise. */
    zkr_zkrng_ext_fill_mt(rng, poly->eve + small, len - small, threads);
    r = tree ? zkr_h_encode_commit(p, poly, rng, threads) : zkr_h_encode(p, poly, threads);
    if (r != ZKR_OK)
        goto out;
    *out = poly;
    poly = NULL;
out:
    zkr_hpcs_poly_free(poly);
    return r;
}

zkr_err zkr_prover_hcommit_ext_fit_pool(const zkr_params *p, const zkr_ext *evals,
                                        unsigned n_vars, unsigned total_vars, uint32_t budget,
                                        unsigned leaf_arity, zkr_hpcs_pool *pool, zkr_zkrng *rng,
                                        unsigned threads, zkr_hpcs_poly **out,
                                        zkr_hpcs_commitment *comm)
{
    zkr_err r;

    memset(comm, 0, sizeof *comm);
    r = zkr_h_ext_new(p, evals, n_vars, total_vars, budget, leaf_arity, pool, rng, threads, 1,
                      out);
    if (r != ZKR_OK)
        return r;
    zkr_h_comm(*out, comm);
    return ZKR_OK;
}

/* The pair's tree: each leaf a's 2^a entries then b's (3 words an extension entry), fresh salts. */
zkr_err zkr_h_pair_tree(zkr_hpcs_poly *a, zkr_hpcs_poly *b, zkr_zkrng *rng,
                               unsigned threads)
{
    size_t wa = (size_t)(a->ext ? 3 : 1) << a->leaf_a, wb = (size_t)(b->ext ? 3 : 1) << b->leaf_a;
    size_t leaves = a->cw_words / wa;
    uint8_t seed[32];
    zkr_err r;

    if (b->cw_words / wb != leaves)
        return ZKR_ERR_INTERNAL;
    a->stack_cw_words = a->cw_words + b->cw_words;
    if (!(a->stack_cw = malloc(a->stack_cw_words * sizeof *a->stack_cw)))
        return ZKR_ERR_NOMEM;
    for (size_t L = 0; L < leaves; L++) {
        memcpy(a->stack_cw + (wa + wb) * L, a->cw + wa * L, wa * sizeof *a->cw);
        memcpy(a->stack_cw + (wa + wb) * L + wa, b->cw + wb * L, wb * sizeof *b->cw);
    }
    zkr_zkrng_bytes(rng, seed, sizeof seed);
    r = zkr_mtree_build(a->stack_cw, leaves, wa + wb, seed, threads, &a->tree);
    sodium_memzero(seed, sizeof seed);
    a->stack_tail = b;
    b->stack_head = a;
    a->stacked = b->stacked = 1;
    return r;
}

/* The pair's checks: a fitted arity whose two leaves fit in one tree leaf. */
static zkr_err zkr_h_pair_ok(unsigned leaf_arity, int ext_a, int ext_b)
{
    size_t words = ((size_t)(ext_a ? 3 : 1) + (ext_b ? 3 : 1)) << leaf_arity;

    return leaf_arity == 0 || leaf_arity > ZKR_PCS_MAX_FOLD_ARITY ||
                   words > ZKR_MT_MAX_LEAF_WORDS
               ? ZKR_ERR_USAGE
               : ZKR_OK;
}

zkr_err zkr_prover_hcommit_ext_pair_fit_pool(const zkr_params *p, const zkr_ext *ea,
                                             const zkr_ext *eb, unsigned n_vars,
                                             unsigned total_vars, uint32_t budget,
                                             unsigned leaf_arity, zkr_hpcs_pool *pool,
                                             zkr_zkrng *rng, unsigned threads,
                                             zkr_hpcs_poly **a, zkr_hpcs_poly **b,
                                             zkr_hpcs_commitment *comm)
{
    zkr_err r;

    *a = *b = NULL;
    memset(comm, 0, sizeof *comm);
    if ((r = zkr_h_pair_ok(leaf_arity, 1, 1)) != ZKR_OK)
        return r;
    if ((r = zkr_h_ext_new(p, ea, n_vars, total_vars, budget, leaf_arity, pool, rng, threads, 0,
                           a)) != ZKR_OK)
        return r;
    if ((r = zkr_h_ext_new(p, eb, n_vars, total_vars, budget, leaf_arity, pool, rng, threads, 0,
                           b)) != ZKR_OK ||
        (r = zkr_h_pair_tree(*a, *b, rng, threads)) != ZKR_OK)
        goto out;
    zkr_h_comm(*a, comm);
    return ZKR_OK;
out:
    zkr_hpcs_poly_free(*b);
    zkr_hpcs_poly_free(*a);
    *a = *b = NULL;
    return r;
}

zkr_err zkr_prover_hcommit_pair_fit_pool(const zkr_params *p, const zkr_hpcs_pair_member *ma,
                                         const zkr_hpcs_pair_member *mb, unsigned total_vars,
                                         unsigned leaf_arity, zkr_hpcs_pool *pool, zkr_zkrng *rng,
                                         unsigned threads, zkr_hpcs_poly **a, zkr_hpcs_poly **b,
                                         zkr_hpcs_commitment *ca, zkr_hpcs_commitment *cb)
{
    zkr_err r;

    *a = *b = NULL;
    memset(ca, 0, sizeof *ca);
    memset(cb, 0, sizeof *cb);
    if ((r = zkr_h_pair_ok(leaf_arity, 0, 0)) != ZKR_OK)
        return r;
    if (!ma->evals || !mb->evals)
        return ZKR_ERR_USAGE;
    if ((r = zkr_h_base_new(p, ma->evals, ma->n_vars, total_vars, ma->budget, leaf_arity, pool,
                            rng, threads, 0, a)) != ZKR_OK)
        return r;
    if ((r = zkr_h_base_new(p, mb->evals, mb->n_vars, total_vars, mb->budget, leaf_arity, pool,
                            rng, threads, 0, b)) != ZKR_OK)
        goto out;
    if ((r = zkr_h_pair_tree(*a, *b, rng, threads)) != ZKR_OK)
        goto out;
    zkr_h_comm(*a, ca);
    zkr_h_comm(*b, cb);
    return ZKR_OK;
out:
    zkr_hpcs_poly_free(*b);
    zkr_hpcs_poly_free(*a);
    *a = *b = NULL;
    return r;
}

/*
 * The group's tree: each leaf every member's 2^a entries in member order
 * (base-valued, one word an entry), fresh salts; the first owns it.
 */
static zkr_err zkr_h_stack_tree(zkr_hpcs_poly *const *m, size_t n, zkr_zkrng *rng,
                                unsigned threads)
{
    size_t wm = (size_t)1 << m[0]->leaf_a, w = wm * n, leaves = m[0]->cw_words / wm;
    zkr_hpcs_poly *a = m[0];
    uint8_t seed[32];
    zkr_err r;

    for (size_t i = 1; i < n; i++)
        if (m[i]->cw_words != m[0]->cw_words || m[i]->leaf_a != m[0]->leaf_a)
            return ZKR_ERR_INTERNAL;
    a->stack_cw_words = w * leaves;
    if (!(a->stack_cw = malloc(a->stack_cw_words * sizeof *a->stack_cw)))
        return ZKR_ERR_NOMEM;
    for (size_t L = 0; L < leaves; L++)
        for (size_t i = 0; i < n; i++)
            memcpy(a->stack_cw + w * L + wm * i, m[i]->cw + wm * L, wm * sizeof *a->cw);
    /*
     * The members' own codewords are never read again (the group opens
     * only through stack_cw): handed back now, wiped, so that a model of
     * L layers holds its codewords once, not twice.
     */
    for (size_t i = 0; i < n; i++) {
        zkr_hpcs_pool_put(m[i]->pool, m[i]->cw, m[i]->cw_words * sizeof *m[i]->cw, 1);
        m[i]->cw = NULL;
    }
    zkr_zkrng_bytes(rng, seed, sizeof seed);
    r = zkr_mtree_build(a->stack_cw, leaves, w, seed, threads, &a->tree);
    sodium_memzero(seed, sizeof seed);
    for (size_t i = 0; i < n; i++) {
        m[i]->stack_head = i ? a : NULL;
        m[i]->stack_tail = i + 1 < n ? m[i + 1] : NULL;
        m[i]->stacked = m[i]->group = 1;
    }
    return r;
}

zkr_err zkr_prover_hcommit_stack_pool(const zkr_params *p, const zkr_hpcs_pair_member *ms,
                                      size_t n, unsigned total_vars, zkr_hpcs_pool *pool,
                                      zkr_zkrng *rng, unsigned threads, zkr_hpcs_poly **out,
                                      zkr_hpcs_commitment *comms)
{
    zkr_pcs_layout l;
    zkr_err r = ZKR_OK;
    size_t i;

    if (n < 2 || n > ZKR_HPCS_MAX_STACK)
        return ZKR_ERR_USAGE;
    for (i = 0; i < n; i++) {
        out[i] = NULL;
        memset(&comms[i], 0, sizeof comms[i]);
    }
    for (i = 0; i < n; i++)
        if (!ms[i].evals)
            return ZKR_ERR_USAGE;
    if (total_vars > p->max_vars)
        return ZKR_ERR_TOO_LARGE;
    /* the layout's leaves (every member full-size in its mixed opening), n of them to a leaf */
    zkr_pcs_layout_of(p, total_vars, &l);
    if ((n << l.folds[0]) > ZKR_MT_MAX_LEAF_WORDS)
        return ZKR_ERR_USAGE;
    for (i = 0; i < n && r == ZKR_OK; i++)
        r = zkr_h_base_new(p, ms[i].evals, ms[i].n_vars, total_vars, ms[i].budget, 0, pool, rng,
                           threads, 0, &out[i]);
    if (r == ZKR_OK) {
        for (i = 0; i < n && r == ZKR_OK; i++)
            if (out[i]->total != total_vars)
                r = ZKR_ERR_TOO_LARGE; /* a member whose blinding would not reach total_vars */
    }
    if (r == ZKR_OK && (r = zkr_h_stack_tree(out, n, rng, threads)) == ZKR_OK) {
        for (i = 0; i < n; i++)
            zkr_h_comm(out[i], &comms[i]);
        return ZKR_OK;
    }
    for (i = n; i-- > 0;) {
        zkr_hpcs_poly_free(out[i]);
        out[i] = NULL;
    }
    for (i = 0; i < n; i++)
        memset(&comms[i], 0, sizeof comms[i]);
    return r;
}

const zkr_gl *zkr_hpcs_poly_base_evals(const zkr_hpcs_poly *poly)
{
    return poly->ext ? NULL : poly->evb;
}

const zkr_ext *zkr_hpcs_poly_ext_evals(const zkr_hpcs_poly *poly)
{
    return poly->ext ? poly->eve : NULL;
}

unsigned zkr_hpcs_poly_total_vars(const zkr_hpcs_poly *poly)
{
    return poly->total;
}

unsigned zkr_hpcs_poly_n_vars(const zkr_hpcs_poly *poly)
{
    return poly->n_vars;
}

zkr_err zkr_hpcs_poly_set_zeros(zkr_hpcs_poly *poly, size_t lo, size_t hi)
{
    if (lo > hi || hi > ((size_t)1 << poly->n_vars) || (!poly->evb && !poly->eve))
        return ZKR_ERR_USAGE;
#if ZKR_TEST_BUILD
    /* test builds check the caller's claim (a wrong one would change G's values) */
    for (size_t i = lo; i < hi; i++)
        if (poly->ext ? !zkr_ext_eq(poly->eve[i], zkr_ext_from(0)) : poly->evb[i] != 0)
            return ZKR_ERR_INTERNAL;
#endif
    poly->zero_lo = lo;
    poly->zero_hi = hi;
    return ZKR_OK;
}

/*
 * A fresh mask (zkr_prover_hmask), its buffers drawn from pool; its tree
 * built and root set unless root is NULL (a stacked pair's, built over both).
 */
static zkr_err zkr_h_mask_new(const zkr_params *p, unsigned total_vars, zkr_hpcs_pool *pool,
                              zkr_zkrng *rng, unsigned threads, zkr_hpcs_poly **out,
                              uint8_t root[ZKR_DIGEST_BYTES])
{
    zkr_hpcs_poly *poly = NULL;
    size_t len;
    zkr_err r = ZKR_ERR_NOMEM;

    *out = NULL;
    if (total_vars > p->max_vars)
        return ZKR_ERR_TOO_LARGE;
    poly = calloc(1, sizeof *poly);
    if (!poly)
        return ZKR_ERR_NOMEM;
    poly->ext = 1;
    poly->n_vars = poly->total = total_vars;
    poly->pool = pool;
    zkr_pcs_layout_of(p, total_vars, &poly->l);
    len = (size_t)1 << total_vars;
    poly->eve = zkr_hpcs_pool_get(pool, len * sizeof *poly->eve);
    poly->ce = zkr_hpcs_pool_get(pool, len * sizeof *poly->ce);
    if (!poly->eve || !poly->ce)
        goto out;
    zkr_zkrng_ext_fill_mt(rng, poly->eve, len, threads);
    if (!root) {
        poly->leaf_a = poly->l.folds[0];
        if ((r = zkr_h_encode(p, poly, threads)) != ZKR_OK)
            goto out;
    } else {
        if ((r = zkr_h_encode_commit(p, poly, rng, threads)) != ZKR_OK)
            goto out;
        zkr_mtree_root(&poly->tree, root);
    }
    *out = poly;
    poly = NULL;
out:
    zkr_hpcs_poly_free(poly);
    return r;
}

/*
 * A mixed opening's mask (component 3c): Z(x) = Z'(x_a0, ..) for a uniform
 * extension-valued Z' of total_vars - a0 variables, a0 the layer-0 arity.
 * Z's codeword is constant on every layer-0 leaf's coset (P_Z(X) =
 * P_Z'(X^(2^a0))), so its tree holds one value a leaf: Z''s own codeword,
 * leaf L = position L, 2^(total_vars + log_blowup - a0) leaves of 3 words.
 */
zkr_err zkr_h_mask_new_periodic(const zkr_params *p, unsigned total_vars, unsigned a0,
                                       zkr_hpcs_pool *pool, zkr_zkrng *rng, unsigned threads,
                                       zkr_hpcs_poly **out, uint8_t root[ZKR_DIGEST_BYTES])
{
    zkr_hpcs_poly *poly = NULL;
    zkr_ntt *ntt = NULL;
    uint8_t seed[32];
    size_t len, big;
    zkr_err r = ZKR_ERR_NOMEM;

    *out = NULL;
    if (total_vars > p->max_vars || a0 >= total_vars)
        return ZKR_ERR_USAGE;
    if (!(poly = calloc(1, sizeof *poly)))
        return ZKR_ERR_NOMEM;
    poly->ext = 1;
    poly->n_vars = poly->total = total_vars - a0;
    poly->pool = pool;
    zkr_pcs_layout_of(p, poly->total, &poly->l);
    len = (size_t)1 << poly->total;
    big = len << p->log_blowup;
    poly->cw_words = 3 * big;
    poly->eve = zkr_hpcs_pool_get(pool, len * sizeof *poly->eve);
    poly->ce = zkr_hpcs_pool_get(pool, len * sizeof *poly->ce);
    poly->cw = zkr_hpcs_pool_get(pool, poly->cw_words * sizeof *poly->cw);
    if (!poly->eve || !poly->ce || !poly->cw)
        goto out;
    zkr_zkrng_ext_fill_mt(rng, poly->eve, len, threads);
    if ((r = zkr_ntt_new_mt(poly->total, threads, &ntt)) != ZKR_OK ||
        (r = zkr_h_ext_coef_encode(ntt, poly, p->log_blowup, threads)) != ZKR_OK)
        goto out;
    if (root) { /* NULL: the caller builds the tree (an F_p^6 mask's pair, zkr_h6_mask) */
        zkr_zkrng_bytes(rng, seed, sizeof seed);
        r = zkr_mtree_build(poly->cw, big, 3, seed, threads, &poly->tree);
        sodium_memzero(seed, sizeof seed);
        if (r != ZKR_OK)
            goto out;
        zkr_mtree_root(&poly->tree, root);
    }
    *out = poly;
    poly = NULL;
out:
    zkr_ntt_free(ntt);
    zkr_hpcs_poly_free(poly);
    return r;
}

zkr_err zkr_prover_hmask(const zkr_params *p, unsigned total_vars, zkr_zkrng *rng,
                         unsigned threads, zkr_hpcs_poly **out, uint8_t root[ZKR_DIGEST_BYTES])
{
    if (!root)
        return ZKR_ERR_USAGE;
    return zkr_h_mask_new(p, total_vars, NULL, rng, threads, out, root);
}

/*
 * The pair's tree with the nested mask's subtree roots (nest_h levels up)
 * as each leaf's last ZKR_H_NEST_WORDS words: leaf L holds a's entries,
 * b's, then the root over mask leaves L 2^nest_h .. (L + 1) 2^nest_h - 1.
 */
#define ZKR_H_NEST_WORDS (ZKR_DIGEST_BYTES / 8)
static zkr_err zkr_h_pair_nest_tree(zkr_hpcs_poly *a, zkr_hpcs_poly *b, zkr_hpcs_poly *z,
                                    zkr_zkrng *rng, unsigned threads)
{
    size_t wa = (size_t)(a->ext ? 3 : 1) << a->leaf_a, wb = (size_t)(b->ext ? 3 : 1) << b->leaf_a;
    size_t w = wa + wb + ZKR_H_NEST_WORDS, leaves = a->cw_words / wa;
    uint64_t zl = z->tree.n_leaves;
    uint8_t seed[32];
    zkr_err r;

    if (b->cw_words / wb != leaves || (zl >> z->nest_h) != leaves || w > ZKR_MT_MAX_LEAF_WORDS)
        return ZKR_ERR_USAGE;
    a->stack_cw_words = w * leaves;
    if (!(a->stack_cw = malloc(a->stack_cw_words * sizeof *a->stack_cw)))
        return ZKR_ERR_NOMEM;
    for (size_t L = 0; L < leaves; L++) {
        uint64_t *leaf = a->stack_cw + w * L;
        const uint8_t *node = z->tree.nodes[(zl >> z->nest_h) + L];
        memcpy(leaf, a->cw + wa * L, wa * sizeof *a->cw);
        memcpy(leaf + wa, b->cw + wb * L, wb * sizeof *b->cw);
        for (size_t k = 0; k < ZKR_H_NEST_WORDS; k++)
            leaf[wa + wb + k] = zkr_load_le64(node + 8 * k);
    }
    zkr_zkrng_bytes(rng, seed, sizeof seed);
    r = zkr_mtree_build(a->stack_cw, leaves, w, seed, threads, &a->tree);
    sodium_memzero(seed, sizeof seed);
    a->stack_tail = b;
    b->stack_head = a;
    a->stacked = b->stacked = 1;
    if (r == ZKR_OK) { /* a owns the mask from here (the caller frees it otherwise) */
        a->nest = z;
        a->nest_words = ZKR_H_NEST_WORDS;
    }
    return r;
}

zkr_err zkr_prover_hcommit_pair_nest_pool(const zkr_params *p, const zkr_hpcs_pair_member *ma,
                                          const zkr_hpcs_pair_member *mb, unsigned total_vars,
                                          unsigned leaf_arity, unsigned mix_total,
                                          unsigned nest_h, zkr_hpcs_pool *pool, zkr_zkrng *rng,
                                          unsigned threads, zkr_hpcs_poly **a, zkr_hpcs_poly **b,
                                          zkr_hpcs_commitment *ca, zkr_hpcs_commitment *cb)
{
    zkr_hpcs_poly *z = NULL;
    zkr_pcs_layout ml;
    uint8_t zroot[ZKR_DIGEST_BYTES];
    zkr_err r;

    *a = *b = NULL;
    memset(ca, 0, sizeof *ca);
    memset(cb, 0, sizeof *cb);
    if ((r = zkr_h_pair_ok(leaf_arity, 0, 0)) != ZKR_OK)
        return r;
    if (!ma->evals || !mb->evals || mix_total > p->max_vars || nest_h == 0 ||
        nest_h > ZKR_PCS_MAX_FOLD_ARITY)
        return ZKR_ERR_USAGE;
    zkr_hpcs_layout_of(p, mix_total, &ml);
    if ((r = zkr_h_base_new(p, ma->evals, ma->n_vars, total_vars, ma->budget, leaf_arity, pool,
                            rng, threads, 0, a)) != ZKR_OK)
        return r;
    if ((r = zkr_h_base_new(p, mb->evals, mb->n_vars, total_vars, mb->budget, leaf_arity, pool,
                            rng, threads, 0, b)) != ZKR_OK ||
        (r = zkr_h_mask_new_periodic(p, mix_total, ml.folds[0], pool, rng, threads, &z, zroot)) !=
            ZKR_OK)
        goto out;
    z->nest_h = nest_h;
    if ((r = zkr_h_pair_nest_tree(*a, *b, z, rng, threads)) != ZKR_OK)
        goto out;
    z = NULL; /* a owns it */
    zkr_h_comm(*a, ca);
    zkr_h_comm(*b, cb);
    r = ZKR_OK;
out:
    sodium_memzero(zroot, sizeof zroot);
    if (r != ZKR_OK) {
        zkr_hpcs_poly_free(z);
        zkr_hpcs_poly_free(*b);
        zkr_hpcs_poly_free(*a);
        *a = *b = NULL;
    }
    return r;
}

zkr_err zkr_prover_hcommit_masked(const zkr_params *p, const zkr_gl *evals, unsigned n_vars,
                                  uint32_t budget, zkr_zkrng *rng, unsigned threads,
                                  zkr_hpcs_poly **f, zkr_hpcs_poly **z, zkr_hpcs_commitment *comm)
{
    unsigned e = zkr_hpcs_blind_vars(p, n_vars, budget);
    zkr_err r;

    *f = *z = NULL;
    memset(comm, 0, sizeof *comm);
    /*
     * One opening only: the pair holds one mask, and a second opening's
     * G' = f + rho' z beside G = f + rho z gives f's hidden values away
     * ((rho' v - rho v') / (rho' - rho) at a shared point).
     */
    if (budget != 1 || !evals)
        return ZKR_ERR_USAGE;
    if (e == 0)
        return ZKR_ERR_TOO_LARGE;
    if ((r = zkr_h_base_new(p, evals, n_vars, n_vars + e, budget, 0, NULL, rng, threads, 0, f)) !=
        ZKR_OK)
        return r;
    if ((r = zkr_h_pair_ok((*f)->leaf_a, 0, 1)) != ZKR_OK ||
        (r = zkr_h_mask_new(p, (*f)->total, NULL, rng, threads, z, NULL)) != ZKR_OK ||
        (r = zkr_h_pair_tree(*f, *z, rng, threads)) != ZKR_OK)
        goto out;
    zkr_h_comm(*f, comm);
    return ZKR_OK;
out:
    zkr_hpcs_poly_free(*z);
    zkr_hpcs_poly_free(*f);
    *f = *z = NULL;
    return r;
}

/* ---------------- opening ---------------- */


typedef struct {
    const zkr_params *p;
    const zkr_pcs_layout *l;
    unsigned threads;
    zkr_zkrng *rng;
    zkr_hpcs_pool *pool;        /* the scratch (NULL: malloc) */
    zkr_ext *g, *coef;          /* G's evaluations and coefficients, folded (zkr_h_fold) */
    zkr_ext *gb[2], *cb[2];     /* the caller's g, coef; the scratch g, coef (half size) */
    zkr_ext *sfx;               /* the rounds' eq tables (2^(n - 1); round r + 1's from round r's) */
    int x8;                     /* zkr_ext8_ok, asked once (one path for the whole job) */
    zkr_ext *layer_cw[32];
    zkr_mtree layer_tree[32];
    zkr_buf head;               /* round messages */
    zkr_buf roots;
    const zkr_h_join *joins;    /* a mixed opening's joining members (else none) */
    size_t n_joins;
    /* a mixed opening: its folded layers' leaves leave out each first query's value (1; 2: the
     * last query's, a test cheat) */
    int derive;
    const zkr_hpcs_batch_cheat *ch; /* tests only; NULL when honest */
} zkr_hopen_ctx;

/* The round's two sums over pairs, per worker (exact field sums: any split gives the same). */
typedef struct {
    const zkr_ext *sfx, *g;
    int x8; /* zkr_ext8_ok */
    zkr_ext q[ZKR_PAR_MAX][2];
} zkr_h_qsum_job;

static void zkr_h_qsum_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_h_qsum_job *j = ctx;
    zkr_ext q0 = zkr_ext_from(0), q1 = zkr_ext_from(0);

    if (j->x8) {
        zkr_ext q[2] = {q0, q1};
        lo = zkr_ext8_sdot(j->sfx, j->g, NULL, lo, hi, q);
        q0 = q[0], q1 = q[1];
    }
    for (size_t i = lo; i < hi; i++) {
        q0 = zkr_ext_add(q0, zkr_ext_mul(j->sfx[i], j->g[2 * i]));
        q1 = zkr_ext_add(q1, zkr_ext_mul(j->sfx[i], j->g[2 * i + 1]));
    }
    j->q[w][0] = q0;
    j->q[w][1] = q1;
}

/* Round message (h(0), h(2)) of sum_x eq(zf, x) g(x) at round `round`. */
static zkr_err zkr_h_round(zkr_hopen_ctx *c, const zkr_ext *zf, unsigned round, zkr_ext cfac,
                           zkr_ext msg[2])
{
    unsigned n_cur = c->l->n_vars - round;
    size_t half = (size_t)1 << (n_cur - 1);
    zkr_ext *sfx = c->sfx, q0 = zkr_ext_from(0), q1 = zkr_ext_from(0);
    zkr_ext one = zkr_ext_from(1), zi = zf[round];

    zkr_h_qsum_job qj;
    unsigned nw = c->threads < ZKR_PAR_MAX ? c->threads : ZKR_PAR_MAX;

    if (round == 0) {
        zkr_mle_eq_table_mt(zf + 1, n_cur - 1, c->threads, sfx);
    } else {
        /* eq(zf[round+1..], .) from the last round's table: eq(z, 0) + eq(z, 1) = 1 sums out
         * its first variable (additions only; in place, reads at >= the write index) */
        for (size_t i = 0; i < half; i++)
            sfx[i] = zkr_ext_add(sfx[2 * i], sfx[2 * i + 1]);
    }
    qj.sfx = sfx;
    qj.g = c->g;
    qj.x8 = c->x8;
    for (unsigned w = 0; w < nw; w++)
        qj.q[w][0] = qj.q[w][1] = zkr_ext_from(0);
    zkr_par_for(nw, half, 1 << 14, zkr_h_qsum_chunk, &qj);
    for (unsigned w = 0; w < nw; w++) {
        q0 = zkr_ext_add(q0, qj.q[w][0]);
        q1 = zkr_ext_add(q1, qj.q[w][1]);
    }
    msg[0] = zkr_ext_mul(cfac, zkr_ext_mul(zkr_ext_sub(one, zi), q0));
    msg[1] = zkr_ext_mul(cfac, zkr_ext_mul(zkr_ext_sub(zkr_ext_mul_base(zi, 3), one),
                                           zkr_ext_sub(zkr_ext_add(q1, q1), q0)));
    return ZKR_OK;
}

/* One fold round from (g, coef) into the other buffer pair, chunk by chunk on the threads. */
typedef struct {
    const zkr_ext *g, *coef;
    zkr_ext *g2, *coef2, r;
    int x8; /* zkr_ext8_ok */
} zkr_h_fold_job;

static void zkr_h_fold_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_h_fold_job *j = ctx;

    (void)w;
    if (j->x8) {
        /* the AVX-512 folds (in place too: each step reads before it writes, in index order) */
        size_t m = zkr_ext8_fold(j->g, j->g2, lo, hi, j->r);
        lo = zkr_ext8_fold_coef(j->coef, j->coef2, lo, m, j->r);
    }
    for (size_t i = lo; i < hi; i++) {
        j->g2[i] = zkr_ext_add(j->g[2 * i],
                               zkr_ext_mul(j->r, zkr_ext_sub(j->g[2 * i + 1], j->g[2 * i])));
        j->coef2[i] = zkr_ext_add(j->coef[2 * i], zkr_ext_mul(j->r, j->coef[2 * i + 1]));
    }
}

/*
 * Fixes the first variable to r. On threads the halves land in the other
 * buffer pair (the caller's g, coef and the scratch of half their size take
 * turns), so that no worker reads what another one writes; on one thread
 * (no scratch) in place, in index order (each read at or above the write).
 * The same values either way.
 */
static void zkr_h_fold(zkr_hopen_ctx *c, unsigned n_cur, zkr_ext r)
{
    int to = c->g == c->gb[0] ? 1 : 0;
    size_t half = (size_t)1 << (n_cur - 1);
    zkr_h_fold_job j = {c->g, c->coef, c->g, c->coef, r, c->x8};

    if (!c->gb[1]) {
        zkr_h_fold_chunk(&j, 0, half, 0);
        return;
    }
    j.g2 = c->gb[to];
    j.coef2 = c->cb[to];
    zkr_par_for(c->threads, half, 1 << 13, zkr_h_fold_chunk, &j);
    c->g = c->gb[to];
    c->coef = c->cb[to];
}

/* Commits the folded polynomial as layer `layer` (n_cur variables left). */
static zkr_err zkr_h_commit_layer(zkr_hopen_ctx *c, zkr_transcript *t, unsigned layer,
                                  unsigned n_cur)
{
    unsigned a = c->l->folds[layer], lcw = c->l->log_len[layer];
    size_t cw_len = (size_t)1 << lcw;
    uint8_t seed[32], root[ZKR_DIGEST_BYTES];
    zkr_ntt *ntt = NULL;
    zkr_err r;

    c->layer_cw[layer] = zkr_hpcs_pool_get(c->pool, cw_len * sizeof(zkr_ext));
    if (!c->layer_cw[layer])
        return ZKR_ERR_NOMEM;
    if ((r = zkr_ntt_new_mt(n_cur > 0 ? n_cur : 1, c->threads, &ntt)) != ZKR_OK)
        return r;
    r = zkr_h_encode_ext(ntt, c->coef, n_cur, c->p->log_blowup, c->threads, c->pool,
                         c->layer_cw[layer]);
    zkr_ntt_free(ntt);
    if (r != ZKR_OK)
        return r;
    zkr_zkrng_bytes(c->rng, seed, sizeof seed);
    r = zkr_mtree_build((const uint64_t *)(const void *)c->layer_cw[layer], cw_len >> a,
                        (size_t)3 << a, seed, c->threads, &c->layer_tree[layer]);
    sodium_memzero(seed, sizeof seed);
    if (r != ZKR_OK)
        return r;
    zkr_mtree_root(&c->layer_tree[layer], root);
    zkr_ts_absorb(t, "bf-root", root, ZKR_DIGEST_BYTES);
    return zkr_buf_append(&c->roots, root, ZKR_DIGEST_BYTES);
}

/*
 * A mixed opening's joins at round `round` (members in index order): alpha
 * drawn (`bf-join`), G += alpha f over f's 2^T_i evaluations and
 * coefficients (f reads the last T_i variables: G's remaining ones).
 */
static void zkr_h_join_round(zkr_hopen_ctx *c, zkr_transcript *t, unsigned round)
{
    for (size_t i = 0; i < c->n_joins; i++) {
        const zkr_hpcs_poly *f = c->joins[i].f;
        size_t len = (size_t)1 << f->total, x0;
        zkr_ext alpha;
        if (c->joins[i].round != round)
            continue;
        alpha = zkr_ts_challenge_ext(t, "bf-join");
        if (c->joins[i].omit)
            continue;
        x0 = 0;
        if (c->x8) {
            /* eight at a time (zk/ext8.c; the same values), the scalar loop for the rest */
            size_t m = zkr_ext8_axpy(c->g, f->ext ? f->eve : NULL, f->ext ? NULL : f->evb, 0,
                                     len, alpha, 1);
            x0 = zkr_ext8_axpy(c->coef, f->ext ? f->ce : NULL, f->ext ? NULL : f->cb, 0, m,
                               alpha, 1);
        }
        for (size_t x = x0; x < len; x++) {
            if (f->ext) {
                c->g[x] = zkr_ext_add(c->g[x], zkr_ext_mul(alpha, f->eve[x]));
                c->coef[x] = zkr_ext_add(c->coef[x], zkr_ext_mul(alpha, f->ce[x]));
            } else {
                c->g[x] = zkr_ext_add(c->g[x], zkr_ext_mul_base(alpha, f->evb[x]));
                c->coef[x] = zkr_ext_add(c->coef[x], zkr_ext_mul_base(alpha, f->cb[x]));
            }
        }
    }
}

static zkr_err zkr_h_fold_phase(zkr_hopen_ctx *c, zkr_transcript *t, const zkr_ext *zf,
                                zkr_ext value)
{
    const zkr_pcs_layout *l = c->l;
    zkr_ext cfac = zkr_ext_from(1), msg[2], rr;
    unsigned round = 0;
    zkr_err r;

    zkr_ts_absorb_ext(t, "bf-claim", &value, 1);
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        for (unsigned j = 0; j < l->folds[layer]; j++, round++) {
            if (c->n_joins)
                zkr_h_join_round(c, t, round);
            if ((r = zkr_h_round(c, zf, round, cfac, msg)) != ZKR_OK)
                return r;
            if (c->ch && (c->ch->shift_c || c->ch->shift_d) && c->ch->shift_round == round) {
                /* q + c (1 - 2X) + d X (X - 1): the same q(0) + q(1), off the form L Lambda */
                msg[0].c[0] = zkr_gl_add(msg[0].c[0], c->ch->shift_c);
                msg[1].c[0] = zkr_gl_add(msg[1].c[0], zkr_gl_sub(zkr_gl_add(c->ch->shift_d,
                                                                              c->ch->shift_d),
                                                                   zkr_gl_mul(3, c->ch->shift_c)));
            }
            zkr_ts_absorb_ext(t, "sc-round", msg, 2);
            rr = zkr_ts_challenge_ext(t, "sc-challenge");
            if ((r = zkr_enc_exts(&c->head, msg, 2)) != ZKR_OK)
                return r;
            zkr_h_fold(c, l->n_vars - round, rr);
            cfac = zkr_ext_mul(cfac, zkr_mle_eq_eval(zf + round, &rr, 1));
        }
        if (layer + 1 < l->n_layers &&
            (r = zkr_h_commit_layer(c, t, layer + 1, l->n_vars - round)) != ZKR_OK)
            return r;
    }
    zkr_ts_absorb_ext(t, "bf-final", c->coef, (size_t)1 << l->final_vars);
    return ZKR_OK;
}

/*
 * Writes one tree's opening: counts, leaves (salt || their first `send`
 * words) and the siblings up to `height` levels (the tree's depth, or a
 * nested mask's: its subtree roots are another tree's leaf words). skip
 * (NULL: none): leaf i's extension value skip[i] (words 3 skip[i] .. + 2)
 * is left out, the one the verifier derives (a mixed opening's folded
 * layers, zkr_h_derive_slots).
 */
static zkr_err zkr_h_open_tree(zkr_buf *b, const zkr_mtree *tree, const uint64_t *words,
                        const uint64_t *u, size_t nu, size_t send, unsigned height,
                        const size_t *skip, unsigned vw)
{
    zkr_buf sib = {0};
    size_t w = tree->leaf_words;
    zkr_err r;

    if ((r = zkr_mtree_open_to(tree, u, nu, height, &sib)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u32(b, (uint32_t)nu)) != ZKR_OK ||
        (r = zkr_enc_u32(b, (uint32_t)(sib.len / ZKR_DIGEST_BYTES))) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < nu; i++) {
        uint8_t salt[ZKR_SALT_BYTES];
        zkr_mtree_salt(tree->salt_seed, u[i], salt);
        r = zkr_buf_append(b, salt, sizeof salt);
        sodium_memzero(salt, sizeof salt);
        if (r != ZKR_OK)
            goto out;
        for (size_t k = 0; k < send; k++)
            if ((!skip || k / vw != skip[i]) && (r = zkr_enc_gl(b, words[u[i] * w + k])) != ZKR_OK)
                goto out;
    }
    r = zkr_buf_append(b, sib.p, sib.len);
out:
    zkr_buf_free(&sib);
    return r;
}

/* A committed polynomial's layer-0 opening: its tree (a pair's, or a nested mask's subtrees). */
static zkr_err zkr_h_open_poly(zkr_buf *b, const zkr_hpcs_poly *f, const uint64_t *u, size_t nu)
{
    const zkr_mtree *tree = &f->tree;

    return zkr_h_open_tree(b, tree, f->stack_cw ? f->stack_cw : f->cw, u, nu,
                           tree->leaf_words - f->nest_words, f->nest_h ? f->nest_h : tree->depth,
                           NULL, 3);
}

/*
 * A mixed opening's members joining in layer `layer` (index order): each
 * opens its own layer-0 tree at the leaves holding the values a query folds
 * from its join step on (leaf L of the layer: (L << (a - step)) >> arity).
 */
static zkr_err zkr_h_open_joins(const zkr_h_qphase *qp, unsigned layer, const uint64_t *leaf,
                                uint64_t *u, zkr_buf *out)
{
    unsigned q = qp->p->queries, a = qp->l->folds[layer];

    for (size_t i = 0; i < qp->n_joins; i++) {
        const zkr_h_join *j = &qp->joins[i];
        size_t nu;
        zkr_err r;
        if (j->layer != layer)
            continue;
        if (j->f->stack_head)
            continue; /* opened with the pair's first member, in its leaves */
        for (unsigned s = 0; s < q; s++)
            u[s] = (leaf[s] << (a - j->step)) >> j->arity;
        nu = zkr_idx_sort_unique(u, q);
        if ((r = zkr_h_open_poly(out, j->f, u, nu)) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/*
 * A mixed opening's folded layer: for each opened leaf u[j], the slot of
 * the value it leaves out (zkr_hpcs_x_derive_first's query, the rule the
 * verifier's zkr_hm_derive reads); pos[s] is query s's position in the
 * layer's codeword, leaf[s] = pos[s] >> a; first is scratch of q entries.
 */
static void zkr_h_derive_slots(const uint64_t *pos, const uint64_t *leaf, unsigned q, unsigned a,
                               const uint64_t *u, size_t nu, int last, unsigned *first,
                               size_t *slot)
{
    zkr_hpcs_x_derive_first(leaf, q, u, nu, last, first);
    for (size_t j = 0; j < nu; j++)
        slot[j] = (size_t)(pos[first[j]] & (((size_t)1 << a) - 1));
}

zkr_err zkr_h_query_phase(const zkr_h_qphase *qp, zkr_transcript *t,
                          const zkr_hpcs_poly *const *trees, size_t n_trees, zkr_buf *out)
{
    const zkr_pcs_layout *l = qp->l;
    unsigned q = qp->p->queries;
    uint64_t *leaf = malloc(q * sizeof *leaf), *u = malloc(q * sizeof *u);
    uint64_t *pos = malloc(q * sizeof *pos);
    size_t *slot = malloc(q * sizeof *slot);
    unsigned *first = malloc(q * sizeof *first);
    zkr_err r = ZKR_ERR_NOMEM;

    if (!leaf || !u || !pos || !slot || !first)
        goto out;
    for (unsigned i = 0; i < q; i++)
        leaf[i] = zkr_ts_challenge_index(t, "bf-query",
                                         (uint64_t)1 << (l->log_len[0] - l->folds[0]));
    for (unsigned layer = 0; layer < l->n_layers; layer++) {
        size_t nu;
        if (layer > 0) {
            memcpy(pos, leaf, q * sizeof *pos);
            for (unsigned i = 0; i < q; i++)
                leaf[i] >>= l->folds[layer];
        }
        memcpy(u, leaf, q * sizeof *u);
        nu = zkr_idx_sort_unique(u, q);
        if (layer > 0 && qp->derive)
            zkr_h_derive_slots(pos, leaf, q, l->folds[layer], u, nu, qp->derive == 2, first,
                               slot);
        if (layer == 0) {
            for (size_t k = 0; k < n_trees; k++)
                if ((r = zkr_h_open_poly(out, trees[k], u, nu)) != ZKR_OK)
                    goto out;
        } else if ((r = zkr_h_open_tree(out, &qp->layer_tree[layer], qp->layer_words[layer], u,
                                        nu, qp->layer_tree[layer].leaf_words,
                                        qp->layer_tree[layer].depth, qp->derive ? slot : NULL,
                                        qp->vw)) != ZKR_OK) {
            goto out;
        }
        if (qp->n_joins && (r = zkr_h_open_joins(qp, layer, leaf, u, out)) != ZKR_OK)
            goto out;
    }
    r = ZKR_OK;
out:
    free(leaf);
    free(u);
    free(pos);
    free(slot);
    free(first);
    return r;
}

/* The query phase of c's opening: its folded layers three words a value. */
static zkr_err zkr_h_queries(zkr_hopen_ctx *c, zkr_transcript *t,
                             const zkr_hpcs_poly *const *trees, size_t n_trees, zkr_buf *out)
{
    zkr_h_qphase qp = {c->p, c->l, c->layer_tree, {NULL}, 3, c->derive, c->joins, c->n_joins};

    for (unsigned i = 0; i < 32; i++)
        qp.layer_words[i] = (const uint64_t *)(const void *)c->layer_cw[i];
    return zkr_h_query_phase(&qp, t, trees, n_trees, out);
}

/* The smallest nonce that passes (the grinding is public work, no secret). */
static uint64_t zkr_h_pow(const zkr_transcript *t, unsigned bits)
{
    return zkr_ts_pow_search(t, bits);
}

/*
 * G = rho Z + sum_i beta_i F_i (evaluations and coefficients) in one pass
 * over the tables, chunk by chunk on the prover's threads: the same field
 * values as adding each term in turn (field sums are exact).
 */
typedef struct {
    zkr_ext *g, *coef;
    const zkr_hpcs_poly *z; /* the mask */
    zkr_ext rho;
    const zkr_hpcs_poly *const *f;
    const zkr_ext *beta;
    size_t k;
    int x8;         /* zkr_ext8_ok */
    unsigned shift; /* a periodic mask's a0 (Z(x) = Z'(x >> a0)); 0: a full-size mask */
    size_t half;    /* len / 2 (zkr_h_comb_halves) */
} zkr_h_comb_job;

static void zkr_h_comb_chunk(void *ctx, size_t lo, size_t hi, unsigned w);

/* [lo, hi) term by term with the AVX-512 kernels, in blocks that stay in the cache. */
/* A periodic mask's rho Z'(i >> shift) on [lo, hi): every entry's value, every 2^shift-th coefficient. */
static void zkr_h_comb_periodic(const zkr_h_comb_job *j, size_t lo, size_t hi)
{
    size_t per = (size_t)1 << j->shift;

    for (size_t i = lo; i < hi;) {
        size_t h = i >> j->shift, end = (h + 1) << j->shift;
        zkr_ext zv = zkr_ext_mul(j->rho, j->z->eve[h]);
        if (end > hi)
            end = hi;
        if ((i & (per - 1)) == 0)
            j->coef[i] = zkr_ext_add(j->coef[i], zkr_ext_mul(j->rho, j->z->ce[h]));
        for (; i < end; i++)
            j->g[i] = zkr_ext_add(j->g[i], zv);
    }
}

static void zkr_h_comb_x8(const zkr_h_comb_job *j, size_t lo, size_t hi)
{
    for (size_t b = lo; b < hi; b += 512) {
        size_t e = hi - b < 512 ? hi : b + 512, m = e;
        int acc = 0;
        if (!j->shift) {
            m = zkr_ext8_axpy(j->g, j->z->eve, NULL, b, m, j->rho, 0);
            m = zkr_ext8_axpy(j->coef, j->z->ce, NULL, b, m, j->rho, 0);
            acc = 1;
        }
        for (size_t t = 0; t < j->k; t++, acc = 1) {
            const zkr_hpcs_poly *f = j->f[t];
            m = zkr_ext8_axpy(j->g, f->ext ? f->eve : NULL, f->ext ? NULL : f->evb, b, m,
                              j->beta[t], acc);
            m = zkr_ext8_axpy(j->coef, f->ext ? f->ce : NULL, f->ext ? NULL : f->cb, b, m,
                              j->beta[t], acc);
        }
        if (j->shift && m > b)
            zkr_h_comb_periodic(j, b, m);
        if (m != e) {
            zkr_h_comb_job one = *j;
            one.x8 = 0;
            zkr_h_comb_chunk(&one, m, e, 0);
        }
    }
}

/*
 * The scalar pass over [lo, hi): a periodic mask's rho Z'(h) is computed
 * once per run of 2^shift entries, and a member's evaluation term is
 * skipped on its zero run (zkr_hpcs_poly_set_zeros): the same sums.
 */
static void zkr_h_comb_range(const zkr_h_comb_job *j, size_t lo, size_t hi)
{
    size_t zh = SIZE_MAX;
    zkr_ext zv = zkr_ext_from(0);

    for (size_t i = lo; i < hi; i++) {
        size_t h = i >> j->shift;
        int coef_row = (i & (((size_t)1 << j->shift) - 1)) == 0;
        zkr_ext g, c = coef_row ? zkr_ext_mul(j->rho, j->z->ce[h]) : zkr_ext_from(0);
        if (h != zh) {
            zv = zkr_ext_mul(j->rho, j->z->eve[h]);
            zh = h;
        }
        g = zv;
        for (size_t m = 0; m < j->k; m++) {
            const zkr_hpcs_poly *f = j->f[m];
            int ev = i < f->zero_lo || i >= f->zero_hi;
            if (f->ext) {
                if (ev)
                    g = zkr_ext_add(g, zkr_ext_mul(j->beta[m], f->eve[i]));
                c = zkr_ext_add(c, zkr_ext_mul(j->beta[m], f->ce[i]));
            } else {
                if (ev)
                    g = zkr_ext_add(g, zkr_ext_mul_base(j->beta[m], f->evb[i]));
                c = zkr_ext_add(c, zkr_ext_mul_base(j->beta[m], f->cb[i]));
            }
        }
        j->g[i] = g;
        j->coef[i] = c;
    }
}

static void zkr_h_comb_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_h_comb_job *j = ctx;

    (void)w;
    if (j->x8)
        zkr_h_comb_x8(j, lo, hi);
    else
        zkr_h_comb_range(j, lo, hi);
}

/*
 * Worker chunks: [lo, hi) of each half of the table. Members' zero runs
 * lie in the first half (the slice u = 0), so contiguous chunks would give
 * the first worker less work than the others.
 */
static void zkr_h_comb_halves(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_h_comb_job *j = ctx;

    zkr_h_comb_chunk(ctx, lo, hi, w);
    zkr_h_comb_chunk(ctx, j->half + lo, j->half + hi, w);
}

static void zkr_h_combine(zkr_ext *g, zkr_ext *coef, const zkr_hpcs_poly *z, zkr_ext rho,
                          const zkr_hpcs_poly *const *f, const zkr_ext *beta, size_t k,
                          size_t len, unsigned threads)
{
    /* a mask smaller than G is a periodic one (zkr_h_mask_new_periodic) */
    unsigned shift = k > 0 ? f[0]->total - z->total : 0;
    zkr_h_comb_job j = {g, coef, z, rho, f, beta, k, zkr_ext8_ok(), shift, len / 2};

    if (len < 2)
        zkr_h_comb_chunk(&j, 0, len, 0);
    else
        zkr_par_for(threads, len / 2, 1 << 13, zkr_h_comb_halves, &j);
}

/*
 * The folding and query phases of G (evaluations g, coefficients coef,
 * both folded in place; the caller wipes them) at the full point zf, the
 * claim `value` absorbed first; layer 0 opens trees[0..n_trees-1].
 */
static zkr_err zkr_hopen_core(const zkr_params *p, zkr_transcript *t, unsigned total,
                              const zkr_hpcs_batch_cheat *ch,
                              zkr_ext *g, zkr_ext *coef, const zkr_ext *zf, zkr_ext value,
                              const zkr_hpcs_poly *const *trees, size_t n_trees,
                              const zkr_h_join *joins, size_t n_joins, zkr_zkrng *rng,
                              unsigned threads, zkr_hpcs_pool *pool, zkr_buf *out)
{
    zkr_hopen_ctx c;
    zkr_pcs_layout hl;
    const zkr_pcs_layout *l = &hl;
    uint64_t nonce;
    zkr_err r;

    memset(&c, 0, sizeof c);
    /* The opening's own schedule (its query count): layer 0 is the committed tree's.
     * plain (a test cheat only): the previous version's schedule. */
    if (ch && ch->plain_layout)
        zkr_pcs_layout_of(p, total, &hl);
    else
        zkr_hpcs_layout_of(p, total, &hl);
    c.p = p;
    c.l = l;
    c.ch = ch;
    c.threads = threads;
    c.rng = rng;
    c.pool = pool;
    c.joins = joins;
    c.n_joins = n_joins;
    c.derive = joins != NULL; /* only the mixed opening passes a joins array (maybe empty) */
    if (c.derive && ch && ch->derive)
        c.derive = ch->derive == ZKR_HPCS_DERIVE_SENT ? 0 : 2;
    c.x8 = zkr_ext8_ok();
    c.g = c.gb[0] = g;
    c.coef = c.cb[0] = coef;
    if (threads > 1) {
        c.gb[1] = zkr_hpcs_pool_get(pool, ((size_t)1 << (l->n_vars - 1)) * sizeof(zkr_ext));
        c.cb[1] = zkr_hpcs_pool_get(pool, ((size_t)1 << (l->n_vars - 1)) * sizeof(zkr_ext));
        if (!c.gb[1] || !c.cb[1]) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
    }
    /* public (eq weights of the public point): handed back unwiped, as before */
    if (!(c.sfx = zkr_hpcs_pool_get(pool, ((size_t)1 << (l->n_vars - 1)) * sizeof *c.sfx))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_h_fold_phase(&c, t, zf, value)) != ZKR_OK)
        goto out;
    nonce = zkr_h_pow(t, p->pow_bits);
    (void)zkr_ts_pow_check(t, p->pow_bits, nonce);
    if ((r = zkr_buf_append(out, c.head.p, c.head.len)) != ZKR_OK ||
        (r = zkr_buf_append(out, c.roots.p, c.roots.len)) != ZKR_OK ||
        (r = zkr_enc_exts(out, c.coef, (size_t)1 << l->final_vars)) != ZKR_OK ||
        (r = zkr_enc_u64(out, nonce)) != ZKR_OK)
        goto out;
    r = zkr_h_queries(&c, t, trees, n_trees, out);
out:
    zkr_hpcs_pool_put(pool, c.sfx, ((size_t)1 << (l->n_vars - 1)) * sizeof *c.sfx, 0);
    for (int i = 0; i < 2; i++) /* G's folds: wiped as the caller's g and coef are */
        zkr_hpcs_pool_put(pool, i ? c.cb[1] : c.gb[1],
                          ((size_t)1 << (l->n_vars - 1)) * sizeof(zkr_ext), 1);
    for (unsigned i = 0; i < 32; i++) {
        /* G's layers (G is masked): handed back unwiped, as they were freed before */
        if (c.layer_cw[i])
            zkr_hpcs_pool_put(pool, c.layer_cw[i], ((size_t)1 << l->log_len[i]) * sizeof(zkr_ext),
                              0);
        zkr_mtree_free(&c.layer_tree[i]);
    }
    zkr_buf_free(&c.head);
    zkr_buf_free(&c.roots);
    return r;
}

/*
 * g_mask is the mask folded into G; tree_mask the one whose tree is opened.
 * They differ only in a cheating prover's run (tests), as does slice: the
 * blinding coordinates u of the point the folding sumcheck runs at (0 when
 * honest; a cheat opens off the slice u = 0 the verifier fixes).
 * u, when not NULL, gives the e blinding coordinates of the point (the
 * randomised extension's evaluation of the hiding range proof); the whole
 * point is then absorbed. NULL: the slice bits (0 when honest), z absorbed.
 */
static zkr_err zkr_hopen_run(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *f,
                             const zkr_hpcs_poly *tree_mask, const zkr_hpcs_poly *g_mask,
                             zkr_ext rho, const zkr_ext *z, const zkr_ext *u, uint64_t slice,
                             zkr_ext value, zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    const zkr_hpcs_poly *trees[2] = {f, tree_mask};
    /* f with its own mask in one tree (zkr_prover_hcommit_masked): that tree alone opens.
     * g_mask is tree_mask on every production path; only zkr_prover_hopen_cheat (tests)
     * folds another, unstacked mask into G over the pair's leaves. */
    int masked = f->stacked && f->stack_tail == tree_mask && tree_mask->stack_head == f;
    uint8_t zroot[ZKR_DIGEST_BYTES];
    zkr_ext *zf = NULL, *g = NULL, *coef = NULL;
    size_t len;
    zkr_err r = ZKR_ERR_NOMEM;

    /* a fitted tree's leaves are a mixed opening's join reads, not this layout's; any other
     * stacked half is a pair this opening does not read */
    if (f->n_vars >= f->total || f->fitted ||
        ((f->stacked || tree_mask->stacked) && !masked) ||
        (g_mask->stacked && g_mask != tree_mask) ||
        !tree_mask->ext || !g_mask->ext ||
        tree_mask->total != f->total || g_mask->total != f->total)
        return ZKR_ERR_USAGE;
    if (f->used >= f->budget)
        return ZKR_ERR_USAGE; /* blinding covers only `budget` openings */
    f->used++;
    len = (size_t)1 << f->total;
    zf = calloc((size_t)f->total + 1, sizeof *zf);
    g = zkr_hpcs_pool_get(f->pool, len * sizeof *g);
    coef = zkr_hpcs_pool_get(f->pool, len * sizeof *coef);
    if (!zf || !g || !coef)
        goto out;
    memcpy(zf, z, (size_t)f->n_vars * sizeof *zf);
    for (unsigned b = 0; b < f->total - f->n_vars; b++)
        zf[f->n_vars + b] = u ? u[b] : zkr_ext_from((slice >> b) & 1);
    {
        const zkr_hpcs_poly *fs[1] = {f};
        zkr_ext one = zkr_ext_from(1);
        zkr_h_combine(g, coef, g_mask, rho, fs, &one, 1, len, threads);
    }
    zkr_hpcs_poly_root(tree_mask, zroot);
    zkr_ts_absorb(t, "hpcs-f", f->tree.nodes[1], ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "hpcs-z", zroot, ZKR_DIGEST_BYTES);
    if (u)
        zkr_ts_absorb_ext(t, "hpcs-point-full", zf, f->total);
    else
        zkr_ts_absorb_ext(t, "hpcs-point", z, f->n_vars);
    r = zkr_hopen_core(p, t, f->total, NULL, g, coef, zf, value, trees, masked ? 1 : 2, NULL, 0,
                       rng, threads, f->pool, out);
out:
    zkr_hpcs_pool_put(f->pool, g, len * sizeof *g, 1);
    zkr_hpcs_pool_put(f->pool, coef, len * sizeof *coef, 1);
    free(zf);
    return r;
}

zkr_err zkr_prover_hopen(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *f,
                         const zkr_hpcs_poly *mask, zkr_ext rho, const zkr_ext *z, zkr_ext value,
                         zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    return zkr_hopen_run(p, t, f, mask, mask, rho, z, NULL, 0, value, rng, threads, out);
}

/* The level of zfull's blinding coordinates (0: on the slice u = 0). */
static unsigned zkr_h_reveal_level(const zkr_hpcs_poly *f, const zkr_ext *zfull)
{
    unsigned eb = 0;

    for (unsigned b = f->n_vars; b < f->total; b++)
        if (!zkr_ext_eq(zfull[b], zkr_ext_from(0)))
            eb = b - f->n_vars + 1;
    return eb;
}

/* Whether zkr_h_reveal_gate_n(f, zfull, extra) would count them (nothing counted). */
static zkr_err zkr_h_reveal_gate_fits(const zkr_hpcs_poly *f, const zkr_ext *zfull,
                                      unsigned extra)
{
    unsigned eb = zkr_h_reveal_level(f, zfull);

    if (eb == 0) /* on the slice u = 0: the value is the hidden f's, masked by the caller */
        return extra ? ZKR_ERR_USAGE : ZKR_OK;
    return zkr_h_reveal_fits(f, eb, 1u + (uint64_t)extra);
}

/*
 * Counts 1 + extra revealed values of f at points sharing zfull's blinding
 * coordinates, refusing past the cap of the slices they mix in. extra > 0
 * (a mixed opening's round messages, zkr_hpcs_mixed_round_reveals) needs
 * zfull off the slice u = 0: on it those values would be f's own.
 */
static zkr_err zkr_h_reveal_gate_n(zkr_hpcs_poly *f, const zkr_ext *zfull, unsigned extra)
{
    unsigned eb = zkr_h_reveal_level(f, zfull);

    if (eb == 0) /* on the slice u = 0: the value is the hidden f's, masked by the caller */
        return extra ? ZKR_ERR_USAGE : ZKR_OK;
    return zkr_h_reveal_add(f, eb, 1u + (uint64_t)extra);
}

/* Counts one revealed value of f at zfull (zkr_h_reveal_gate_n without extra). */
static zkr_err zkr_h_reveal_gate(zkr_hpcs_poly *f, const zkr_ext *zfull)
{
    return zkr_h_reveal_gate_n(f, zfull, 0);
}

zkr_err zkr_prover_hopen_at(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *f,
                            const zkr_hpcs_poly *mask, zkr_ext rho, const zkr_ext *zfull,
                            zkr_ext value, zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    /*
     * A stacked half opens only on the slice u = 0 (a masked pair's one tree:
     * no verifier reads it at a full point); refused before anything is counted.
     * The caller reveals F at this point: one more linear functional of the
     * blinding slices its coordinates mix in (zkr_h_reveal_cap).
     */
    if (f->stacked || zkr_h_reveal_gate(f, zfull) != ZKR_OK)
        return ZKR_ERR_USAGE;
    return zkr_hopen_run(p, t, f, mask, mask, rho, zfull, zfull + f->n_vars, 0, value, rng,
                         threads, out);
}

/*
 * sum_x eq(z, x) Z(x) for a mask's extension table, with eq split over the
 * low and high halves of x (eq(z, x) = eq(z_lo, x_lo) eq(z_hi, x_hi)): two
 * public tables of 2^(total/2) entries instead of one of 2^total, the
 * same field value.
 */
typedef struct {
    const zkr_ext *eve, *elo, *ehi;
    size_t nlo;
    int x8;                   /* zkr_ext8_ok */
    zkr_ext acc[ZKR_PAR_MAX]; /* per worker; summed in worker order (exact field sums) */
} zkr_h_meval_job;

static void zkr_h_meval_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_h_meval_job *j = ctx;
    zkr_ext acc = zkr_ext_from(0);

    for (size_t h = lo; h < hi; h++) {
        const zkr_ext *row = j->eve + h * j->nlo;
        zkr_ext s = zkr_ext_from(0);
        size_t l = j->x8 ? zkr_ext8_xdot(j->elo, row, NULL, 0, j->nlo, &s) : 0;
        for (; l < j->nlo; l++)
            s = zkr_ext_add(s, zkr_ext_mul(j->elo[l], row[l]));
        acc = zkr_ext_add(acc, zkr_ext_mul(j->ehi[h], s));
    }
    j->acc[w] = acc;
}

zkr_err zkr_h_mask_eval(const zkr_hpcs_poly *mask, const zkr_ext *z, unsigned threads,
                               zkr_ext *out)
{
    unsigned lo = mask->total / 2, hi = mask->total - lo;
    size_t nlo = (size_t)1 << lo, nhi = (size_t)1 << hi;
    zkr_ext *elo = malloc(nlo * sizeof *elo), *ehi = malloc(nhi * sizeof *ehi);
    zkr_h_meval_job j;

    if (!elo || !ehi) {
        free(elo);
        free(ehi);
        return ZKR_ERR_NOMEM;
    }
    zkr_mle_eq_table(z, lo, elo);
    zkr_mle_eq_table(z + lo, hi, ehi);
    j.eve = mask->eve, j.elo = elo, j.ehi = ehi, j.nlo = nlo, j.x8 = zkr_ext8_ok();
    for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
        j.acc[w] = zkr_ext_from(0);
    zkr_par_for(threads, nhi, 16, zkr_h_meval_chunk, &j);
    *out = zkr_ext_from(0);
    for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
        *out = zkr_ext_add(*out, j.acc[w]);
    free(elo);
    free(ehi);
    return ZKR_OK;
}

/* Size, budget and reveal checks of a batch; counts one opening (and reveal) of each member. */
static zkr_err zkr_h_batch_gate(zkr_hpcs_poly *const *f, size_t k, const zkr_ext *zfull)
{
    if (k == 0 || k > ZKR_HPCS_MAX_BATCH)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < k; i++) {
        /*
         * a stacked half or part refused, but for one whole group's member
         * opened alone (k 1: the group's tree opens, every member's words a
         * leaf; zkr_hpcs_verify_batch_stacked), whose caller charges the
         * other members for what it shows of them (the model range proof:
         * one such opening of each member an object, pre-charged; a second
         * would show the others past what they were charged)
         */
        int lone = k == 1 && f[i]->group && (f[i]->stack_head || f[i]->stack_tail);
        if (f[i]->n_vars >= f[i]->total || f[i]->total != f[0]->total || f[i]->fitted ||
            (f[i]->stacked && !lone) || (lone && f[i]->lone_opened) ||
            f[i]->used >= f[i]->budget)
            return ZKR_ERR_USAGE;
        for (size_t j = 0; j < i; j++)
            if (f[j] == f[i])
                return ZKR_ERR_USAGE; /* one opening of a polynomial per batch */
    }
    /* all or nothing, as zkr_h_mixed_gate: every member checked before any is counted */
    for (size_t i = 0; i < k; i++)
        if (zkr_h_reveal_gate_fits(f[i], zfull, 0) != ZKR_OK)
            return ZKR_ERR_USAGE;
    for (size_t i = 0; i < k; i++) {
        zkr_err r = zkr_h_reveal_gate(f[i], zfull);
        if (r != ZKR_OK)
            return ZKR_ERR_INTERNAL; /* checked above */
        f[i]->used++;
        if (k == 1 && f[i]->group)
            f[i]->lone_opened = 1;
    }
    return ZKR_OK;
}

/*
 * The batched opening; ch (test builds' cheats, NULL when honest) moves
 * beta_0 or rho in G only, or the mask's value b, or folds G from a mask
 * other than the committed one.
 */
static zkr_err zkr_hopen_batch_run(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *const *f,
                                   size_t k, const zkr_ext *zfull, const zkr_ext *values,
                                   const zkr_hpcs_batch_cheat *ch, zkr_zkrng *rng,
                                   unsigned threads, zkr_buf *out)
{
    const zkr_hpcs_poly *trees[ZKR_HPCS_MAX_BATCH + 1];
    uint8_t roots[ZKR_HPCS_MAX_BATCH][ZKR_DIGEST_BYTES], mroot[ZKR_DIGEST_BYTES];
    zkr_hpcs_poly *mask = NULL, *mask2 = NULL;
    zkr_ext coef[ZKR_HPCS_MAX_BATCH + 1], b, value = zkr_ext_from(0), *g = NULL, *cf = NULL;
    zkr_hpcs_pool *pool = k > 0 ? f[0]->pool : NULL;
    unsigned total;
    size_t len = 0;
    zkr_err r;

    if ((r = zkr_h_batch_gate(f, k, zfull)) != ZKR_OK)
        return r;
    total = f[0]->total;
    for (size_t i = 0; i < k; i++) {
        zkr_hpcs_poly_root(f[i], roots[i]);
        trees[i] = f[i]->stack_head ? f[i]->stack_head : f[i]; /* a group member: its tree */
    }
    /* The mask is fixed (committed) before any challenge that combines it. */
    if ((r = zkr_h_mask_new(p, total, pool, rng, threads, &mask, mroot)) != ZKR_OK ||
        (r = zkr_h_mask_eval(mask, zfull, threads, &b)) != ZKR_OK)
        goto out;
    if (ch && ch->swap_mask) {
        uint8_t scratch[ZKR_DIGEST_BYTES];
        if ((r = zkr_prover_hmask(p, total, rng, threads, &mask2, scratch)) != ZKR_OK)
            goto out;
    }
    trees[k] = mask;
    if (ch)
        b.c[0] = zkr_gl_add(b.c[0], ch->b_delta);
    zkr_hpcs_batch_absorb(t, k, (const uint8_t(*)[ZKR_DIGEST_BYTES])roots, zfull, total, values,
                          mroot, b);
    zkr_ts_challenge_exts(t, "hb-beta", coef, k);
    coef[k] = zkr_ts_challenge_ext(t, "hb-rho");
    for (size_t i = 0; i < k; i++)
        value = zkr_ext_add(value, zkr_ext_mul(coef[i], values[i]));
    value = zkr_ext_add(value, zkr_ext_mul(coef[k], b));
    if (ch) {
        coef[0].c[0] = zkr_gl_add(coef[0].c[0], ch->beta_delta);
        coef[k].c[0] = zkr_gl_add(coef[k].c[0], ch->rho_delta);
    }
    if ((r = zkr_buf_append(out, mroot, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_ext(out, b)) != ZKR_OK)
        goto out;
    len = (size_t)1 << total;
    /* every entry is written by zkr_h_combine: no zero fill */
    g = zkr_hpcs_pool_get(pool, len * sizeof *g);
    cf = zkr_hpcs_pool_get(pool, len * sizeof *cf);
    if (!g || !cf) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    zkr_h_combine(g, cf, mask2 ? mask2 : mask, coef[k], (const zkr_hpcs_poly *const *)f, coef, k,
                  len, threads);
    r = zkr_hopen_core(p, t, f[0]->total, ch, g, cf, zfull, value, trees, k + 1, NULL, 0, rng,
                       threads, pool, out);
out:
    zkr_hpcs_pool_put(pool, g, len * sizeof *g, 1);
    zkr_hpcs_pool_put(pool, cf, len * sizeof *cf, 1);
    zkr_hpcs_poly_free(mask);
    zkr_hpcs_poly_free(mask2);
    return r;
}

zkr_err zkr_prover_hopen_batch(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *const *f,
                               size_t k, const zkr_ext *zfull, const zkr_ext *values,
                               zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    return zkr_hopen_batch_run(p, t, f, k, zfull, values, NULL, rng, threads, out);
}

/* Plan, size, budget and reveal checks of a mixed opening; counts one opening (and reveal) each. */
static zkr_err zkr_h_mixed_gate(const zkr_params *p, zkr_hpcs_poly *const *f, size_t k,
                                const zkr_ext *z, int ungated, zkr_hpcs_mixed_plan *pl)
{
    unsigned totals[ZKR_HPCS_MAX_MIXED];
    uint32_t fit = 0;

    if (k == 0 || k > ZKR_HPCS_MAX_MIXED)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < k; i++) {
        if (f[i]->n_vars >= f[i]->total || f[i]->used >= f[i]->budget)
            return ZKR_ERR_USAGE;
        for (size_t j = 0; j < i; j++)
            if (f[j] == f[i])
                return ZKR_ERR_USAGE; /* one opening of a polynomial per batch */
        totals[i] = f[i]->total;
    }
    if (zkr_hpcs_mixed_plan_of(p, totals, k, pl) != ZKR_OK)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < k; i++)
        fit |= f[i]->fitted ? (uint32_t)1 << i : 0;
    /* a fitted member's tree has the leaves its join reads, exactly */
    if (zkr_hpcs_mixed_plan_fit(fit, k, pl) != ZKR_OK)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < k; i++) {
        if (f[i]->leaf_a != (pl->d[i] ? pl->arity[i] : pl->l.folds[0]))
            return ZKR_ERR_USAGE;
        /*
         * a stacked pair or group: adjacent members in its order, all of one
         * size (the layout's leaves: the group's); no part of one. Full-size
         * members stack only as a base-valued group (zkr_prover_hcommit_stack_pool).
         */
        if ((f[i]->stack_tail && (i + 1 == k || f[i + 1] != f[i]->stack_tail)) ||
            (f[i]->stack_head && (i == 0 || f[i - 1]->stack_tail != f[i])) ||
            (f[i]->stacked && !f[i]->stack_head && !f[i]->stack_tail) ||
            (f[i]->stacked && pl->d[i] == 0 && f[i]->ext))
            return ZKR_ERR_USAGE;
    }
    /*
     * All or nothing: every member's values are checked before any is
     * counted (the members are distinct, so one's count never moves
     * another's check), so a refused opening leaves every budget and reveal
     * count as it was (counting earlier members' before a later one's
     * refusal spent what no proof revealed). ungated: test builds' cheat
     * (no_gate) only.
     */
    for (size_t i = 0; i < k && !ungated; i++) {
        /* member i's own point: the last T_i coordinates of z; the layer-0 round messages */
        zkr_err r = zkr_h_reveal_gate_fits(f[i], z + pl->d[i],
                                           zkr_hpcs_mixed_round_reveals(p, totals, k, i));
        if (r != ZKR_OK)
            return r;
    }
    for (size_t i = 0; i < k; i++) {
        zkr_err r = zkr_h_reveal_gate_n(f[i], z + pl->d[i],
                                        zkr_hpcs_mixed_round_reveals(p, totals, k, i));
        if (r != ZKR_OK && !ungated)
            return ZKR_ERR_INTERNAL; /* checked above */
        f[i]->used++;
    }
    return ZKR_OK;
}

/*
 * The mixed opening's periodic mask (zkr_h_mask_new_periodic: T - a0
 * variables) and b = Z(z) = Z'(z_a0..). pm (test builds' cheats, NULL when
 * honest): version 6's full-size mask, a mask other than the one whose root
 * is sent, b shifted.
 */
static zkr_err zkr_h_mixed_mask(const zkr_params *p, const zkr_hpcs_mixed_plan *pl,
                                const zkr_ext *z, const zkr_hpcs_pmask_cheat *pm,
                                zkr_hpcs_pool *pool, zkr_zkrng *rng, unsigned threads,
                                zkr_hpcs_poly **mask, uint8_t root[ZKR_DIGEST_BYTES], zkr_ext *b)
{
    unsigned a0 = pl->l.folds[0];
#if ZKR_TEST_BUILD
    uint8_t own[ZKR_DIGEST_BYTES]; /* swap_mask: the opened mask's own root (not sent) */
#endif
    zkr_err r;

#if ZKR_TEST_BUILD
    if (pm && pm->full_mask) { /* version 6's mask: T variables, full-width leaves, b = Z(z) */
        if ((r = zkr_h_mask_new(p, pl->total, pool, rng, threads, mask, root)) == ZKR_OK)
            r = zkr_h_mask_eval(*mask, z, threads, b);
        return r;
    }
    if (pm && pm->swap_mask) { /* the sent root is another mask's */
        if ((r = zkr_h_mask_new_periodic(p, pl->total, a0, pool, rng, threads, mask, root)) !=
            ZKR_OK)
            return r;
        zkr_hpcs_poly_free(*mask);
        *mask = NULL;
        root = own;
    }
#else
    (void)pm; /* the periodic mask's cheats exist in test builds only */
#endif
    if ((r = zkr_h_mask_new_periodic(p, pl->total, a0, pool, rng, threads, mask, root)) !=
            ZKR_OK ||
        (r = zkr_h_mask_eval(*mask, z + a0, threads, b)) != ZKR_OK)
        return r;
#if ZKR_TEST_BUILD
    if (pm)
        b->c[0] = zkr_gl_add(b->c[0], pm->b_delta);
#endif
    return ZKR_OK;
}

/*
 * A nested mask (version 13): the one member that carries it, which must
 * join at layer 1 with leaves of 2^nest_h mask leaves each (its leaf for a
 * query at layer-0 leaf L is L >> (arity + step)), the mask of the plan's
 * T - a0 variables and not used before. *ni = k when no member carries one.
 */
static zkr_err zkr_h_mixed_nest(const zkr_hpcs_mixed_plan *pl, zkr_hpcs_poly *const *f, size_t k,
                                size_t *ni)
{
    *ni = k;
    for (size_t i = 0; i < k; i++) {
        const zkr_hpcs_poly *z = f[i]->nest;
        if (!z)
            continue;
        if (*ni != k || pl->d[i] == 0 || pl->layer[i] != 1 ||
            z->nest_h != pl->arity[i] + pl->step[i] || z->total != pl->total - pl->l.folds[0] ||
            z->nest_spent)
            return ZKR_ERR_USAGE;
        *ni = i;
    }
    return ZKR_OK;
}

/*
 * The mixed opening; ch (test builds' cheats, NULL when honest) leaves the
 * joining members' alpha terms out of G, or folds and opens another
 * polynomial in one's place, or shifts one round message; pm (test builds'
 * cheats on the periodic mask and the reveal gate, NULL when honest).
 */
static zkr_err zkr_hopen_mixed_run(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *const *f,
                                   size_t k, const zkr_ext *z, const zkr_ext *values,
                                   const zkr_hpcs_mixed_cheat *ch,
                                   const zkr_hpcs_pmask_cheat *pm, zkr_zkrng *rng,
                                   unsigned threads, zkr_buf *out)
{
    const zkr_hpcs_poly *trees[ZKR_HPCS_MAX_MIXED + 1], *full[ZKR_HPCS_MAX_MIXED];
    const zkr_hpcs_poly *otrees[ZKR_HPCS_MAX_MIXED + 1]; /* layer 0's trees: groups once */
    uint8_t roots[ZKR_HPCS_MAX_MIXED][ZKR_DIGEST_BYTES], mroot[ZKR_DIGEST_BYTES];
    unsigned nv[ZKR_HPCS_MAX_MIXED], bv[ZKR_HPCS_MAX_MIXED], ext[ZKR_HPCS_MAX_MIXED];
    zkr_h_join joins[ZKR_HPCS_MAX_MIXED];
    zkr_hpcs_batch_cheat bc; /* the round-message shift only */
    zkr_hpcs_mixed_plan pl;
    zkr_hpcs_poly *mask = NULL;
    zkr_hpcs_pool *pool = NULL, *own = NULL;
    zkr_ext coef[ZKR_HPCS_MAX_MIXED + 1], b, value = zkr_ext_from(0), *g = NULL, *cf = NULL;
    size_t len = 0, nf = 0, nj = 0, ni = k, no = 0;
    int ungated = 0; /* test builds' no_gate only */
    zkr_err r;

    memset(&bc, 0, sizeof bc);
#if ZKR_TEST_BUILD
    ungated = pm && pm->no_gate;
#endif
    if ((r = zkr_h_mixed_gate(p, f, k, z, ungated, &pl)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < k; i++) {
        zkr_hpcs_poly_root(f[i], roots[i]);
        nv[i] = f[i]->n_vars;
        bv[i] = f[i]->total - f[i]->n_vars;
        ext[i] = f[i]->ext ? 1 : 0;
        if (pl.d[i] == 0) {
            trees[nf] = f[i];
            full[nf++] = f[i];
            if (!f[i]->stack_head) /* a stacked group opens once, in its first's tree */
                otrees[no++] = f[i];
            continue;
        }
        joins[nj].f = ch && ch->member == i && ch->other ? ch->other : f[i];
        /* the cheat's other stacked pair replaces a pair whole (its second with it) */
        if (ch && ch->other && ch->other->stack_tail && ch->member + 1 == i && f[i]->stack_head)
            joins[nj].f = ch->other->stack_tail;
        joins[nj].round = pl.d[i];
        joins[nj].layer = pl.layer[i];
        joins[nj].step = pl.step[i];
        joins[nj].arity = pl.arity[i];
        joins[nj].omit = ch && ch->omit_alpha;
        if (joins[nj].f->total != f[i]->total || joins[nj].f->ext != f[i]->ext)
            return ZKR_ERR_USAGE;
        nj++;
    }
    /*
     * The mask (of the largest size) is fixed before any challenge that
     * combines it. Its buffers come from a member's pool (the caller's
     * proof: what the caller handed back is already faulted in) or the
     * opening's own; the mask encoding's scratch comes back (wiped) as G's
     * tables.
     */
    for (size_t i = 0; i < k && !pool; i++)
        pool = f[i]->pool; /* a member's pool (the caller's proof), else its own */
    if (!pool && (r = zkr_hpcs_pool_new(&own, threads)) != ZKR_OK)
        goto out;
    if (own)
        pool = own;
    if ((r = zkr_h_mixed_nest(&pl, f, k, &ni)) != ZKR_OK)
        goto out;
    if (p->mixed_ext6) {
        /* over F_p^6 (prover/hiding_mixed6.c): its mask has a tree of its own */
        if (ni < k) {
            r = ZKR_ERR_USAGE;
            goto out;
        }
        r = zkr_h6_open(p, t, &pl, k, (const uint8_t(*)[ZKR_DIGEST_BYTES])roots, nv, bv, ext,
                        full, nf, otrees, no, joins, nj, z, values, ch, pm, rng, threads, pool,
                        out);
        goto out;
    }
    if (ni < k) { /* drawn with its carrier: one opening only, b at this opening's point */
        f[ni]->nest->nest_spent = 1;
        zkr_hpcs_poly_root(f[ni], mroot);
#if ZKR_TEST_BUILD
        if (pm && pm->swap_mask) { /* G, b and Z's leaves from Z2, not the carrier's Z */
            uint8_t z2root[ZKR_DIGEST_BYTES];
            if ((r = zkr_h_mask_new_periodic(p, pl.total, pl.l.folds[0], pool, rng, threads,
                                             &mask, z2root)) != ZKR_OK)
                goto out;
            mask->nest_h = f[ni]->nest->nest_h; /* opened to its own subtree roots */
        }
#endif
        if ((r = zkr_h_mask_eval(mask ? mask : f[ni]->nest, z + pl.l.folds[0], threads, &b)) !=
            ZKR_OK)
            goto out;
#if ZKR_TEST_BUILD
        if (pm)
            b.c[0] = zkr_gl_add(b.c[0], pm->b_delta);
#endif
    } else if ((r = zkr_h_mixed_mask(p, &pl, z, pm, pool, rng, threads, &mask, mroot, &b)) !=
               ZKR_OK) {
        goto out;
    }
    trees[nf] = ni < k && !mask ? f[ni]->nest : mask;
    otrees[no] = trees[nf];
    zkr_hpcs_mixed_absorb(t, k, (const uint8_t(*)[ZKR_DIGEST_BYTES])roots, nv, bv, ext, z,
                          pl.total, values, mroot, b);
    zkr_ts_challenge_exts(t, "hm-beta", coef, nf);
    coef[nf] = zkr_ts_challenge_ext(t, "hm-rho");
    for (size_t i = 0, j = 0; i < k; i++)
        if (pl.d[i] == 0)
            value = zkr_ext_add(value, zkr_ext_mul(coef[j++], values[i]));
    value = zkr_ext_add(value, zkr_ext_mul(coef[nf], b));
    /* a nested mask's root is its carrier's (bound with the members' roots): not sent */
    if ((ni == k && (r = zkr_buf_append(out, mroot, ZKR_DIGEST_BYTES)) != ZKR_OK) ||
        (r = zkr_enc_ext(out, b)) != ZKR_OK)
        goto out;
    len = (size_t)1 << pl.total;
    /* every entry is written by zkr_h_combine: no zero fill */
    g = zkr_hpcs_pool_get(pool, len * sizeof *g);
    cf = zkr_hpcs_pool_get(pool, len * sizeof *cf);
    if (!g || !cf) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    zkr_h_combine(g, cf, trees[nf], coef[nf], full, coef, nf, len, threads);
    if (ch && (ch->shift_c || ch->shift_d || ch->derive)) {
        bc.shift_round = ch->shift_round;
        bc.shift_c = ch->shift_c;
        bc.shift_d = ch->shift_d;
        bc.derive = ch->derive;
    }
    r = zkr_hopen_core(p, t, pl.total, ch && (ch->shift_c || ch->shift_d || ch->derive) ? &bc : NULL,
                       g, cf, z, value, otrees, no + 1, joins, nj, rng, threads, pool, out);
out:
    zkr_hpcs_pool_put(pool, g, len * sizeof *g, 1);
    zkr_hpcs_pool_put(pool, cf, len * sizeof *cf, 1);
    zkr_hpcs_poly_free(mask); /* its buffers back to the pool, wiped */
    zkr_hpcs_pool_free(own);
    return r;
}

zkr_err zkr_prover_hopen_mixed(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *const *f,
                               size_t k, const zkr_ext *z, const zkr_ext *values,
                               zkr_zkrng *rng, unsigned threads, zkr_buf *out)
{
    return zkr_hopen_mixed_run(p, t, f, k, z, values, NULL, NULL, rng, threads, out);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_hopen_mixed_cheat(const zkr_params *p, zkr_transcript *t,
                                     zkr_hpcs_poly *const *f, size_t k, const zkr_ext *z,
                                     const zkr_ext *values, const zkr_hpcs_mixed_cheat *ch,
                                     zkr_zkrng *rng, zkr_buf *out)
{
    return zkr_hopen_mixed_run(p, t, f, k, z, values, ch, NULL, rng, 1, out);
}

zkr_err zkr_prover_hopen_mixed_pmask_cheat(const zkr_params *p, zkr_transcript *t,
                                           zkr_hpcs_poly *const *f, size_t k, const zkr_ext *z,
                                           const zkr_ext *values, const zkr_hpcs_pmask_cheat *pm,
                                           zkr_zkrng *rng, zkr_buf *out)
{
    return zkr_hopen_mixed_run(p, t, f, k, z, values, NULL, pm, rng, 1, out);
}
#endif

#if ZKR_TEST_BUILD
zkr_err zkr_prover_hopen_batch_cheat(const zkr_params *p, zkr_transcript *t,
                                     zkr_hpcs_poly *const *f, size_t k, const zkr_ext *zfull,
                                     const zkr_ext *values, const zkr_hpcs_batch_cheat *ch,
                                     zkr_zkrng *rng, zkr_buf *out)
{
    return zkr_hopen_batch_run(p, t, f, k, zfull, values, ch, rng, 1, out);
}

zkr_err zkr_prover_hopen_cheat(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *f,
                               const zkr_hpcs_poly *tree_mask, const zkr_hpcs_poly *g_mask,
                               zkr_ext rho, const zkr_ext *z, uint64_t slice, zkr_ext value,
                               zkr_zkrng *rng, zkr_buf *out)
{
    return zkr_hopen_run(p, t, f, tree_mask, g_mask, rho, z, NULL, slice, value, rng, 1, out);
}

zkr_err zkr_prover_hcommit_table_for_test(const zkr_params *p, const zkr_gl *table,
                                          unsigned n_vars, unsigned blind_vars, uint32_t budget,
                                          zkr_zkrng *rng, zkr_hpcs_poly **out,
                                          zkr_hpcs_commitment *comm)
{
    zkr_hpcs_poly *poly = NULL;
    size_t len;
    zkr_err r = ZKR_ERR_NOMEM;

    *out = NULL;
    memset(comm, 0, sizeof *comm);
    if (blind_vars == 0 || n_vars + blind_vars > p->max_vars || budget == 0)
        return ZKR_ERR_USAGE;
    poly = calloc(1, sizeof *poly);
    if (!poly)
        return ZKR_ERR_NOMEM;
    poly->n_vars = n_vars;
    poly->total = n_vars + blind_vars;
    poly->budget = budget;
    zkr_pcs_layout_of(p, poly->total, &poly->l);
    len = (size_t)1 << poly->total;
    poly->evb = malloc(len * sizeof *poly->evb);
    poly->cb = malloc(len * sizeof *poly->cb);
    if (!poly->evb || !poly->cb)
        goto out;
    memcpy(poly->evb, table, len * sizeof *table);
    memcpy(poly->cb, table, len * sizeof *table);
    zkr_mle_to_monomial_base(poly->cb, poly->total);
    if ((r = zkr_h_encode_commit(p, poly, rng, 1)) != ZKR_OK)
        goto out;
    zkr_mtree_root(&poly->tree, comm->root);
    comm->n_vars = n_vars;
    comm->blind_vars = blind_vars;
    *out = poly;
    poly = NULL;
out:
    zkr_hpcs_poly_free(poly);
    return r;
}
#endif
