/*
 * prover/ internals of the hiding commitments and openings, shared by
 * prover/hiding_pcs.c and the F_p^6 mixed opening (prover/hiding_mixed6.c).
 */
#ifndef ZKR_PROVER_HIDING_INT_H
#define ZKR_PROVER_HIDING_INT_H

#include "prover/prover.h"
#include "zk/zk_int.h"

struct zkr_hpcs_poly {
    unsigned n_vars, total; /* hidden variables, with the blinding ones */
    zkr_pcs_layout l;
    int ext;                /* 1: an extension-valued mask */
    zkr_gl *evb, *cb;       /* base: evaluations, monomial coefficients (2^total) */
    zkr_ext *eve, *ce;      /* ext: the same */
    uint64_t *cw;           /* codeword words (bit-reversed; 3 per entry when ext) */
    size_t cw_words;
    zkr_mtree tree;
    uint32_t budget, used;
    unsigned leaf_a; /* the tree's leaves hold 2^leaf_a entries */
    int fitted;      /* leaf_a is a mixed opening's fitted arity (zkr_prover_hcommit_fit_pool) */
    /*
     * A stacked pair (zkr_prover_hcommit_pair_fit_pool and its extension
     * twin) or group (zkr_prover_hcommit_stack_pool): the first (stack_tail
     * set, stack_head NULL) owns the group's tree over stack_cw, each leaf
     * every member's entries in order; each later member (stack_head: the
     * first) has no tree, stack_tail chaining to the next. stacked stays
     * set when a member is freed (which unlinks the whole group), so that
     * no opening takes a part of one.
     */
    struct zkr_hpcs_poly *stack_tail, *stack_head;
    int stacked;
    int group; /* a member of a zkr_prover_hcommit_stack_pool group (full-size, base) */
    /*
     * a group member opened alone (zkr_prover_hopen_batch, k 1) once: its
     * opening showed every other member's entries, which their callers
     * pre-charge for one such opening of each member (inference@2's L - 1),
     * so a second is refused
     */
    int lone_opened;
    uint64_t *stack_cw;
    size_t stack_cw_words;
    /*
     * A nested mask (inference@2 version 13, zkr_prover_hcommit_pair_nest_pool):
     * the pair's first owns nest, a mixed opening's periodic mask whose
     * subtree roots nest_h levels up are the last nest_words words of the
     * pair's leaves (never sent: the verifier recomputes them); nest_h is
     * set on the mask, nest_spent once an opening used it.
     */
    struct zkr_hpcs_poly *nest;
    size_t nest_words;
    unsigned nest_h;
    int nest_spent;
    uint64_t off_slice; /* values revealed at points off u = 0^e, in all */
    size_t zero_lo, zero_hi; /* evaluations [zero_lo, zero_hi) are zero by shape (public) */
    /* of them, those whose points mix in the first eb blinding slices exactly, by eb */
    uint64_t at_level[ZKR_HPCS_MAX_BLIND_VARS + 1];
    zkr_hpcs_pool *pool; /* where the buffers go back (NULL: free) */
};

/*
 * A member of a mixed opening that joins the fold (zkr_prover_hopen_mixed):
 * alpha f is added to G at the start of round `round`, inside layer
 * `layer` at step `step`; arity is f's layer-0 leaf size (log). omit: a
 * test cheat's join without the term.
 */
typedef struct {
    const zkr_hpcs_poly *f;
    unsigned round, layer, step, arity;
    int omit;
} zkr_h_join;

/* RS-encodes 2^log_n ext coefficients into packed ext words (the planes' scratch from pool). */
zkr_err zkr_h_encode_ext(const zkr_ntt *ntt, zkr_ext *c, unsigned log_n, unsigned lb,
                         unsigned threads, zkr_hpcs_pool *pool, zkr_ext *out) ZKR_WUR;
/* a and b (same leaves) as one stacked pair's tree: each leaf a's entries, then b's. */
zkr_err zkr_h_pair_tree(zkr_hpcs_poly *a, zkr_hpcs_poly *b, zkr_zkrng *rng,
                        unsigned threads) ZKR_WUR;
/*
 * A mixed opening's periodic mask of total_vars - a0 variables, its
 * codeword one value a leaf; its tree and root when root is not NULL (else
 * the caller builds the tree).
 */
zkr_err zkr_h_mask_new_periodic(const zkr_params *p, unsigned total_vars, unsigned a0,
                                zkr_hpcs_pool *pool, zkr_zkrng *rng, unsigned threads,
                                zkr_hpcs_poly **out, uint8_t root[ZKR_DIGEST_BYTES]) ZKR_WUR;
/* The mask's multilinear at z (its own variables). */
zkr_err zkr_h_mask_eval(const zkr_hpcs_poly *mask, const zkr_ext *z, unsigned threads,
                        zkr_ext *out) ZKR_WUR;
/*
 * What a hiding opening's query phase opens: the folded layers' trees and
 * words (vw words a value), the derived-value rule (0: every value sent;
 * 1: each leaf leaves out its first query's; 2: its last query's, a test
 * cheat) and a mixed opening's joins.
 */
typedef struct {
    const zkr_params *p;
    const zkr_pcs_layout *l;
    const zkr_mtree *layer_tree; /* [32] */
    const uint64_t *layer_words[32];
    unsigned vw;
    int derive;
    const zkr_h_join *joins;
    size_t n_joins;
} zkr_h_qphase;
/*
 * Draws the queries (`bf-query`) and writes every layer's openings: layer
 * 0 opens trees[0..n_trees-1] at the same leaves, each folded layer its
 * tree, each layer its joiners'. ZKR_ERR_NOMEM.
 */
zkr_err zkr_h_query_phase(const zkr_h_qphase *qp, zkr_transcript *t,
                          const zkr_hpcs_poly *const *trees, size_t n_trees,
                          zkr_buf *out) ZKR_WUR;
/*
 * The mixed opening over F_p^6 (p->mixed_ext6), from the point where the
 * F_p^3 one commits its mask: the plan and gate done, the members' roots,
 * sizes and kinds (roots, nv, bv, ext), the full-size members (full, nf),
 * layer 0's trees (otrees, no: a stacked group once), the joins (nj).
 * Commits the F_p^6 mask (two periodic F_p^3 masks as one pair tree),
 * appends its root and b, binds as zkr_hpcs_mixed_absorb6, and appends the
 * opening. ch, pm: test builds' cheats (NULL when honest; refused in
 * release builds), as zkr_prover_hopen_mixed_cheat's and
 * _pmask_cheat's (full_mask excepted: USAGE). ZKR_ERR_NOMEM, ZKR_ERR_USAGE.
 */
zkr_err zkr_h6_open(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_mixed_plan *pl,
                    size_t k, const uint8_t (*roots)[ZKR_DIGEST_BYTES], const unsigned *nv,
                    const unsigned *bv, const unsigned *ext, const zkr_hpcs_poly *const *full,
                    size_t nf, const zkr_hpcs_poly *const *otrees, size_t no,
                    const zkr_h_join *joins, size_t nj, const zkr_ext *z, const zkr_ext *values,
                    const zkr_hpcs_mixed_cheat *ch, const zkr_hpcs_pmask_cheat *pm,
                    zkr_zkrng *rng, unsigned threads, zkr_hpcs_pool *pool,
                    zkr_buf *out) ZKR_WUR;

#endif
