/*
 * graph-inference@1 (proof kind 10): one inference of a graph program
 * (ml/graph.h, program version 2) on a public input, shared definitions
 * (docs/proof-system.md, "graph-inference@1"). Every node's output tensor
 * and every relation's witness lie in blocks of one committed witness
 * polynomial V; the model's weights, biases and multipliers in blocks of
 * one committed model polynomial P. Each node's relations (zk/cnn.h)
 * leave claims on blocks, all opened at the end (one opening of V, one of
 * P); claims on the input (node 0) are evaluated by the verifier. Not
 * zero-knowledge.
 */
#ifndef ZKR_ZK_GINFER_H
#define ZKR_ZK_GINFER_H

#include "ml/graph.h"
#include "zk/cnn.h"

#define ZKR_GINF_PROTOCOL "zkreg/graph-inference@1"
/*
 * 2: one byte-range LogUp over all CONV / DENSE / ADD / MAXPOOL columns ("ginf-range").
 * 3: the narrow requantization (zk/cnn.h zkr_cnn_rqn, 15-bit limbs sized to the
 *    model's accumulator bound, y read from the output tensor) and a 15-bit range table.
 * 4: every claim on V and P goes straight into one mixed-size Basefold opening of
 *    both (zkr_ginf_one_opening), without the per-polynomial reduction sumchecks.
 * 5: split weight blocks: a CONV / DENSE weight block whose padding would
 *    double P is held in P as dyadic sub-blocks along one of its axes
 *    (zkr_ginf_shape.n_wsub), the relation's weight claim answered by the
 *    sub-blocks' values ("ginf-wsub", zkr_ginf_wsub_claims).
 */
#define ZKR_GINF_VERSION 5u
#define ZKR_KIND_GINFER1 10u
#define ZKR_SEC_GINF_OUTPUT 24u  /* the public output (zkr_infer_output_encode) */
#define ZKR_SEC_GINF_WITNESS 25u /* V's root */
#define ZKR_SEC_GINF_BODY 26u    /* u32 ZKR_GINF_VERSION, then the relations, node by node */
#define ZKR_SEC_GINF_PCS 27u     /* the opening of V and P (zkr_ginf_one_opening) */
#define ZKR_GINF_MAX_CLAIMS 2048u

/* Blocks of V per node, and of P per CONV / DENSE node. */
enum { ZKR_GB_Y, ZKR_GB_RQ, ZKR_GB_E, ZKR_GB_D, ZKR_GB_R, ZKR_GB_MULT, ZKR_GB_N };
enum { ZKR_GM_W, ZKR_GM_B, ZKR_GM_M, ZKR_GM_N };
typedef struct {
    int used;
    unsigned log;
    uint64_t off; /* aligned to 2^log */
} zkr_gblock;

/* The model's public parameters (registered with the model commitment). */
typedef struct {
    uint32_t shift[ZKR_ML_G_MAX_NODES];          /* CONV, DENSE, ADD */
    int64_t ma[ZKR_ML_G_MAX_NODES], mb[ZKR_ML_G_MAX_NODES]; /* ADD */
    int8_t table[ZKR_ML_G_MAX_NODES][256];       /* LOOKUP */
    /*
     * CONV / DENSE / ADD: the bits of max(q - 127, 0) and max(lo - q, 0)
     * over every input the model can see (zkr_ginf_params_bound), when
     * gbits_set; otherwise 63 - shift for both. Widths only: soundness holds
     * for any width <= 63 - shift, a too narrow one only fails to prove.
     */
    uint8_t gbits_set[ZKR_ML_G_MAX_NODES];
    uint8_t ghb[ZKR_ML_G_MAX_NODES], glb[ZKR_ML_G_MAX_NODES];
} zkr_ginf_params;

/* One segment of the range column (zkr_ginf_shape). */
typedef struct {
    uint32_t node;
    unsigned kind;   /* ZKR_GB_Y, ZKR_GB_RQ or ZKR_GB_D */
    unsigned slot;   /* ZKR_GB_RQ: the slot */
    zkr_gl scale, cst;
    zkr_gblock col;  /* its place in the column (log: the source block's, per slot) */
} zkr_ginf_seg;
#define ZKR_GINF_MAX_SEGS (ZKR_ML_G_MAX_NODES * ZKR_CNN_RQN_MAX_ENTRIES)
#define ZKR_GINF_RANGE_LOG ZKR_CNN_RQN_LIMB /* the range table: 0..2^15-1 */
#define ZKR_GINF_AM_RANGE_LOG 8u /* evaluation-graph@1's argmax block: bytes */

/* At most this many sub-blocks of one split weight block (the set bits of one axis's length). */
#define ZKR_GINF_MAX_WSUB 16u

typedef struct {
    uint32_t n_nodes;
    unsigned lc[ZKR_ML_G_MAX_NODES], lh[ZKR_ML_G_MAX_NODES], lw[ZKR_ML_G_MAX_NODES];
    zkr_cnn_win win[ZKR_ML_G_MAX_NODES];  /* CONV, DENSE (a kernel over the whole input), pools */
    zkr_cnn_conv conv[ZKR_ML_G_MAX_NODES];
    zkr_cnn_rqn rq[ZKR_ML_G_MAX_NODES];   /* CONV / DENSE requantization, ADD */
    zkr_cnn_cat cat[ZKR_ML_G_MAX_NODES];  /* CONCAT (its Y block only in V) */
    zkr_gblock v[ZKR_ML_G_MAX_NODES][ZKR_GB_N];
    zkr_gblock m[ZKR_ML_G_MAX_NODES][ZKR_GM_N];
    unsigned n_v, n_m; /* variables of V and P */
    /*
     * Split weight blocks (version 5). n_wsub[i] > 0: node i's weight
     * block m[i][ZKR_GM_W] (log: the whole padded W's variables) is not in
     * P (its used is 0, its off meaningless); axis bits [wsd_lo, wsd_lo +
     * wsd_bits) of W, holding wsd_n real values, are cut into dyadic
     * intervals [wsub_at[i][k], + 2^wsub_k) whose slices of W are the
     * blocks wsub[i][k] of P (variables: W's, less that axis's top
     * wsd_bits - wsub_k). Never read P at m[i][ZKR_GM_W].off for such a node.
     */
    unsigned n_wsub[ZKR_ML_G_MAX_NODES], wsd_lo[ZKR_ML_G_MAX_NODES], wsd_bits[ZKR_ML_G_MAX_NODES];
    uint32_t wsd_n[ZKR_ML_G_MAX_NODES];
    uint32_t wsub_at[ZKR_ML_G_MAX_NODES][ZKR_GINF_MAX_WSUB];
    unsigned wsub_k[ZKR_ML_G_MAX_NODES][ZKR_GINF_MAX_WSUB];
    zkr_gblock wsub[ZKR_ML_G_MAX_NODES][ZKR_GINF_MAX_WSUB];
    /*
     * The range column: segments, each scale * (a block of V, or one slot
     * of an RQ block) + cst over the whole block: every CONV / DENSE / ADD
     * node's range entries (zkr_cnn_rqn.ent) and every MAXPOOL node's D
     * block; packed like V (largest first, aligned), zero elsewhere; one
     * LogUp against 0..2^15-1 checks it all. rmult is the LogUp's
     * multiplicities (a block of V), n_r the column's variables (0: none).
     */
    zkr_ginf_seg seg[ZKR_GINF_MAX_SEGS];
    unsigned n_seg;
    zkr_gblock rmult;
    unsigned n_r;
    /*
     * evaluation-graph@1 (zk/geval.h): log2 of the batch of records (0 for
     * graph-inference@1). Each tensor block then holds 2^lb records, record b
     * at the top variables ((b << lp) | p); lc/lh/lw stay per record.
     */
    unsigned lb;
    /*
     * evaluation-graph@1 only (zkr_ginf_shape_init_batch): the argmax block A
     * (evaluation@1's relation, zk/zk.h zkr_eval_am_dims, over the last
     * node's output vector: c = its lc, 2^lb records, keys over y + 128)
     * and the multiplicities of its byte LogUp (2^8 entries), both in V.
     */
    int am_used;
    zkr_eval_am_dims amd;
    zkr_gblock am, amult;
} zkr_ginf_shape;

/* Variables of node i's output tensor. */
static inline unsigned zkr_ginf_lp(const zkr_ginf_shape *s, uint32_t i)
{
    return s->lc[i] + s->lh[i] + s->lw[i];
}

/*
 * The layout for program g (checked by the caller with zkr_ml_gprog_check)
 * and the model's parameters. ZKR_ERR_UNSUPPORTED naming the node (a
 * table over the relation bounds, V or P over max_vars), ZKR_ERR_MALFORMED (a shift or multiplier
 * out of bounds).
 */
zkr_err zkr_ginf_shape_init(zkr_ginf_shape *s, const zkr_ml_gprog *g, const zkr_ginf_params *mp,
                            unsigned max_vars, zkr_diag *d) ZKR_WUR;
/*
 * As zkr_ginf_shape_init for a batch of 2^lb records (evaluation-graph@1):
 * every V block grows by lb variables, pooling windows run over 2^(lc + lb)
 * channels (a record's padded channels are real zero channels), P's
 * layout is graph-inference@1's; V also holds the argmax block A and its
 * byte multiplicities (am_used, any lb). LOOKUP is ZKR_ERR_UNSUPPORTED with
 * lb > 0 (a padded element would read T[0]); so is a last node whose output
 * is not a vector (h or w over 1).
 */
zkr_err zkr_ginf_shape_init_batch(zkr_ginf_shape *s, const zkr_ml_gprog *g,
                                  const zkr_ginf_params *mp, unsigned lb, unsigned max_vars,
                                  zkr_diag *d) ZKR_WUR;
/* Variables of node i's block of the whole batch (zkr_ginf_lp + lb). */
static inline unsigned zkr_ginf_lpb(const zkr_ginf_shape *s, uint32_t i)
{
    return s->lc[i] + s->lh[i] + s->lw[i] + s->lb;
}
/*
 * The values the range column is made of, at the LogUp's point (each its
 * low variables): per node in ascending order, CONV / DENSE / ADD: y then
 * the nsl slots; MAXPOOL: D. zkr_ginf_range_nvals counts them;
 * zkr_ginf_range_val_index is segment k's value.
 */
size_t zkr_ginf_range_nvals(const zkr_ginf_shape *s);
size_t zkr_ginf_range_val_index(const zkr_ginf_shape *s, unsigned k);
/*
 * The range column's MLE at pt (n_r values) from those values:
 * sum_k eq(pt[lg_k..n_r), seg_k's position bits) (scale_k vals[idx_k] + cst_k).
 */
zkr_ext zkr_ginf_range_combine(const zkr_ginf_shape *s, const zkr_ext *pt, const zkr_ext *vals);
/* out = pt (b->log values) then the block's position bits: n values in all. */
void zkr_ginf_block_point(const zkr_gblock *b, unsigned n, const zkr_ext *pt, zkr_ext *out);

/*
 * Split weight block k of node i: the index in W's padded table of its
 * entry j (0..2^wsub[i][k].log), and its point from a point pt on W (W's
 * coordinates less the axis's top bits, n = wsub[i][k].log values).
 */
size_t zkr_ginf_wsub_index(const zkr_ginf_shape *s, uint32_t i, unsigned k, size_t j);
void zkr_ginf_wsub_point(const zkr_ginf_shape *s, uint32_t i, unsigned k, const zkr_ext *pt,
                         zkr_ext *out);

/* A claim on V (poly 0) or P (poly 1) at a full point. */
typedef struct {
    unsigned poly;
    unsigned lg;  /* the block's variables: pt[lg..) are the block's position bits */
    uint64_t off; /* the block's offset */
    zkr_ext pt[ZKR_CNN_MAX_PT];
    zkr_ext val;
} zkr_ginf_claim;
typedef struct {
    zkr_ginf_claim c[ZKR_GINF_MAX_CLAIMS];
    size_t n;
} zkr_ginf_claims;

/*
 * Claims the range values (zkr_ginf_range_nvals order) on V at the LogUp's
 * point pt: Y and D blocks at pt, each RQ block's slots as one claim at
 * (pt, tau) with value sum_j eq(tau, j) vals[slot j]. ZKR_ERR_INTERNAL when
 * the list is full.
 */
zkr_err zkr_ginf_range_claims(const zkr_ginf_shape *s, const zkr_ext *pt, const zkr_ext *vals,
                              const zkr_ext tau[4], zkr_ginf_claims *out) ZKR_WUR;

/*
 * Seeds the transcript: protocol, parameters, statement_id, then the
 * program's encoding, the model commitment, the model's public parameters,
 * the input bytes and the output section.
 */
void zkr_ginf_transcript(zkr_transcript *t, const zkr_params *p,
                         const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *prog,
                         size_t prog_len, const zkr_pcs_commitment *model,
                         const zkr_ginf_params *mp, const uint8_t *input, size_t input_len,
                         const uint8_t *output, size_t output_len);
/* As zkr_ginf_transcript under evaluation-graph@1's protocol name and version (zk/geval.h). */
void zkr_ginf_transcript_proto(zkr_transcript *t, const char *proto, uint32_t version,
                               const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                               const uint8_t *prog, size_t prog_len,
                               const zkr_pcs_commitment *model, const zkr_ginf_params *mp,
                               const uint8_t *input, size_t input_len, const uint8_t *output,
                               size_t output_len);

/*
 * Routes the claims one relation of node i left (zk/cnn.h poly ids) to V,
 * P or the public input: in V and P at the block's point; claims on the
 * input (node 0) are checked against `input` (its bytes) when it is not
 * NULL (the verifier) and dropped otherwise (the prover). `x` is the node
 * whose tensor the relation's POLY_X names (CONCAT: its k-th POLY_X claim
 * goes to input k, x unused), `b` the one POLY_B names (ADD's second
 * input), rq_acc 1 when POLY_X / POLY_B are the requantized accumulator
 * and broadcast M (they are then not routed). A split node's
 * POLY_W claim is not routed: its caller answers it (zkr_ginf_wsub_claims). ZKR_OK,
 * ZKR_ERR_VERIFY (an input claim fails), ZKR_ERR_INTERNAL (list full),
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_ginf_route(const zkr_ginf_shape *s, const zkr_ml_gprog *g, uint32_t i, uint32_t x,
                       uint32_t b, int rq_acc, const zkr_cnn_claims *cl, const uint8_t *input,
                       zkr_ginf_claims *out) ZKR_WUR;
/*
 * Node i's weight claim W~(pt) on a split block (n_wsub[i] > 0) from its
 * sub-blocks' values vals[k] = W_k~(zkr_ginf_wsub_point(k)):
 * sum_k eq(pt[lo + k_k .. lo + bits), at_k >> k_k) vals[k], an identity
 * of multilinear polynomials (the sub-blocks partition W's support). The
 * verifier refuses a weight claim it does not equal ("ginf-wsub").
 */
zkr_ext zkr_ginf_wsub_sum(const zkr_ginf_shape *s, uint32_t i, const zkr_ext *pt,
                          const zkr_ext *vals);
/* Claims each vals[k] on P's sub-block k at its point. ZKR_ERR_INTERNAL (list full). */
zkr_err zkr_ginf_wsub_claims(const zkr_ginf_shape *s, uint32_t i, const zkr_ext *pt,
                             const zkr_ext *vals, zkr_ginf_claims *out) ZKR_WUR;

/* Appends one claim on a block of V (poly 0) or P (poly 1). */
zkr_err zkr_ginf_add(zkr_ginf_claims *out, const zkr_ginf_shape *s, unsigned poly,
                     const zkr_gblock *b, const zkr_ext *pt, zkr_ext val) ZKR_WUR;
/* The MLE of a public int8 / uint8 tensor in node i's layout at pt (2^lb records of it, one after another). */
zkr_err zkr_ginf_tensor_eval(const zkr_ginf_shape *s, const zkr_ml_gprog *g, uint32_t i,
                             const uint8_t *bytes, int is_signed, const zkr_ext *pt,
                             zkr_ext *out) ZKR_WUR;

/*
 * The openings (version 4): every claim, in list order, is one claim of
 * the PCS (commitment 0 V, 1 P, at its full point). 1 when V (n_v) and P
 * (n_m) fit one mixed-size opening (zkr_prover_open_mixed: the smaller
 * joins the larger's fold), the only case for every network benchmarked;
 * 0: two plain openings, V's claims then P's. Both sides derive it from the
 * layout.
 */
int zkr_ginf_one_opening(const zkr_params *p, const zkr_ginf_shape *s);
/*
 * The PCS claims of `which` (0 V, 1 P, 2 both: poly ids as commitment
 * indices), in list order, into out (gc->n entries); their points alias
 * gc's. Returns how many.
 */
size_t zkr_ginf_pcs_claims(const zkr_ginf_claims *gc, unsigned which, int one_opening,
                           zkr_pcs_claim *out);

#endif
