/*
 * graph-inference@2 verifiers (zk/ginfer2.h; docs/proof-system.md,
 * "graph-inference@2"). Each relation verifier reads its proof from d on a
 * transcript that already binds the commitments, in the prover's order;
 * zkr_verify_ginfer2 (at the end) reads a whole kind 11 proof.
 */
#ifndef ZKR_VERIFIER_GINFER2_H
#define ZKR_VERIFIER_GINFER2_H

#include "zk/ginfer2.h"
#include "zk/ginfer2_mc.h"

/*
 * Verifies the zero-knowledge convolution of the hidden X, W, Y (their
 * hiding commitments, base-valued, of the conv's sizes). off: the
 * prover's ZKR_GINF2_OFF_* (test builds; USAGE elsewhere). share: the
 * relations on this transcript (zk/ginfer2.h, "Extra grinding"; 1 alone):
 * every opening is checked at zkr_ginf2_conv_grind_bits extra bits. The caller
 * checks d is consumed. ZKR_OK, ZKR_ERR_VERIFY, ZKR_ERR_MALFORMED,
 * ZKR_ERR_TOO_LARGE, ZKR_ERR_USAGE (commitment sizes), ZKR_ERR_NOMEM.
 */
zkr_err zkr_verify_ginf2_conv(const zkr_params *p, zkr_transcript *t, const zkr_cnn_conv *c,
                              const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *w,
                              const zkr_hpcs_commitment *y, unsigned off, unsigned share,
                              zkr_dec *d) ZKR_WUR;
/*
 * The same for an input as *in describes (zk/ginfer2.h, zkr_ginf2_cin; x
 * of zkr_ginf2_conv_x_vars variables): U's range is u_lo..u_lo + 255 and
 * the link reads X's block `block` plus in_off at real positions.
 */
zkr_err zkr_verify_ginf2_conv_in(const zkr_params *p, zkr_transcript *t, const zkr_cnn_conv *c,
                                 const zkr_ginf2_cin *in, const zkr_hpcs_commitment *x,
                                 const zkr_hpcs_commitment *w, const zkr_hpcs_commitment *y,
                                 unsigned off, unsigned share, zkr_dec *d) ZKR_WUR;

/*
 * The masked linear sumcheck's verifier (zkr_prover_ginf2_lin): that
 * sum_x weights[x] f(x) = value over f's 2^n entries (weights: 2^n
 * entries). ZKR_OK, ZKR_ERR_VERIFY, ZKR_ERR_MALFORMED, ZKR_ERR_USAGE, NOMEM.
 */
zkr_err zkr_verify_ginf2_lin(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *f,
                             const zkr_ext *weights, zkr_ext value, zkr_dec *d) ZKR_WUR;

/*
 * The glue every hiding relation verifier shares (prover/ginfer2.h's
 * zkr_prover_ginf2_pair, in its order). zkr_verify_ginf2_parts: test
 * builds' ZKR_GINF2_OFF_RANGE path, the two parts read from d and absorbed
 * under `label`, their sum checked against claim, then a masked linear
 * sumcheck of a against wa (2^a->n_vars entries) and of b against wb.
 * zkr_verify_ginf2_link: the byte range proof of v (ZKR_GINF2_RQ_TABLE)
 * with the linear claim sum w(v) = claim, w by v_eval, linking x by x_eval
 * (both called with ctx). zkr_verify_ginf2_off: zkr_verify_ginf2_parts
 * of v and x against the tables of v_eval's and x_eval's weights (the
 * callbacks at the hypercube's points), for relations that only have the
 * callbacks. Results as zkr_verify_ginf2_conv.
 */
zkr_err zkr_verify_ginf2_parts(const zkr_params *p, zkr_transcript *t, const char *label,
                               const zkr_hpcs_commitment *a, const zkr_ext *wa,
                               const zkr_hpcs_commitment *b, const zkr_ext *wb, zkr_ext claim,
                               zkr_dec *d) ZKR_WUR;
zkr_err zkr_verify_ginf2_link(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *v,
                              zkr_ext claim,
                              zkr_err (*v_eval)(const void *, const zkr_ext *, zkr_ext *),
                              const zkr_hpcs_commitment *x,
                              zkr_err (*x_eval)(const void *, const zkr_ext *, zkr_ext *),
                              const void *ctx, zkr_dec *d) ZKR_WUR;
/*
 * A relation verifier's input checks on x (nx variables) and v (nv):
 * ZKR_ERR_USAGE unless both are base-valued hiding commitments of those
 * sizes and off holds only ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND (and
 * nothing outside test builds); else ZKR_OK.
 */
zkr_err zkr_verify_ginf2_check2(unsigned off, const zkr_hpcs_commitment *x, unsigned nx,
                                const zkr_hpcs_commitment *v, unsigned nv) ZKR_WUR;
zkr_err zkr_verify_ginf2_off(const zkr_params *p, zkr_transcript *t, const char *label,
                             const zkr_hpcs_commitment *v, zkr_ext claim,
                             zkr_err (*v_eval)(const void *, const zkr_ext *, zkr_ext *),
                             const zkr_hpcs_commitment *x,
                             zkr_err (*x_eval)(const void *, const zkr_ext *, zkr_ext *),
                             const void *ctx, zkr_dec *d) ZKR_WUR;

/*
 * Verifies the zero-knowledge requantization of the hidden acc into the
 * hidden V (their hiding commitments: lp and zkr_ginf2_rq_v_vars
 * variables, base-valued). off: the prover's (ZKR_GINF2_OFF_RANGE,
 * ZKR_GINF2_OFF_GRIND, test builds); share as for zkr_verify_ginf2_conv
 * (openings at zkr_ginf2_rq_grind_bits). Same results as
 * zkr_verify_ginf2_conv.
 */
zkr_err zkr_verify_ginf2_requant(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_rq *q,
                                 const zkr_hpcs_commitment *acc, const zkr_hpcs_commitment *v,
                                 unsigned off, unsigned share, zkr_dec *d) ZKR_WUR;

/*
 * Verifies the zero-knowledge max pooling of the hidden X into the hidden
 * V; off and share as for zkr_verify_ginf2_requant (openings at
 * zkr_ginf2_pool_grind_bits).
 */
zkr_err zkr_verify_ginf2_pool(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_pool *q,
                              const zkr_hpcs_commitment *x, const zkr_hpcs_commitment *v,
                              unsigned off, unsigned share, zkr_dec *d) ZKR_WUR;

/*
 * Verifies the zero-knowledge residual ADD of the hidden X1, X2 into the
 * hidden V (zk/ginfer2_add.h); off (ZKR_GINF2_OFF_RANGE, _GRIND, _LINK,
 * test builds) and share as for zkr_verify_ginf2_requant (openings at
 * zkr_ginf2_add_grind_bits). Same results.
 */
zkr_err zkr_verify_ginf2_add(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_add *a,
                             const zkr_hpcs_commitment *x1, const zkr_hpcs_commitment *x2,
                             const zkr_hpcs_commitment *v, unsigned off, unsigned share,
                             zkr_dec *d) ZKR_WUR;

/* ---------------- the whole network (zk/ginfer2.h, "the whole network") ---------------- */
typedef struct {
    uint32_t param_set;
    const uint8_t *statement_id;                 /* ZKR_DIGEST_BYTES */
    const zkr_ml_gprog *g;
    /* The registered model commitment: zkr_ginf2_mc_digest of its encoding (32 bytes). */
    const uint8_t *model_commitment;
    /* The registered dataset's commitment (zkr_infer2_dataset_commitment, 32 bytes). */
    const uint8_t *dataset_commitment;
    uint64_t record_index;
    const int8_t *output;                        /* expected logits (NULL: any, read back) */
    uint32_t output_len;
    unsigned off;                                /* test builds: the prover's ZKR_GINF2_OFF_* */
    /*
     * Test builds only (USAGE elsewhere): these parameters instead of
     * param_set's, which the container still binds (the reduced set of
     * the tests: no grinding, few queries, rate 1/2; docs/proof-system.md).
     */
    const zkr_params *params;
} zkr_verifier_ginf2_statement;

/*
 * Verifies a whole graph-inference@2 proof (kind 11, version 3) against
 * the statement: first, before any proof byte is read, the program (the
 * chain rules of zkr_ginf2_net_init: UNSUPPORTED, MALFORMED); then the
 * container (sections 30, 31, 32 in order; parameters, kind, statement
 * id), the version word (another version: UNSUPPORTED, "graph-inference@2
 * version N proof refused (this verifier reads version M only)"), the
 * model commitment section 31 carries (its digest not the statement's, a
 * commitment not for this program, one root named for two nodes:
 * MISMATCH_MODEL), the record's binding (a dataset commitment not the
 * statement's: MISMATCH_DATASET; another index, a record commitment not of
 * c h w + 1 bytes, an inclusion path that fails: MISMATCH_INPUT), the
 * output (the statement's when given: MISMATCH_OUTPUT), then every
 * relation and the output claim, with nothing left over. On ZKR_OK the
 * proven logits are written to y (cap entries; *n their count) when y is
 * not NULL. ZKR_ERR_VERIFY, MALFORMED, UNSUPPORTED, MISMATCH_PARAMS /
 * _STATEMENT / _MODEL / _DATASET / _INPUT / _OUTPUT, USAGE, NOMEM.
 */
zkr_err zkr_verify_ginfer2(const uint8_t *proof, size_t len,
                           const zkr_verifier_ginf2_statement *st, int8_t *y, uint32_t cap,
                           uint32_t *n, zkr_diag *d) ZKR_WUR;

/*
 * Verifies the zero-knowledge CONCAT of the hidden inputs x[j] into the
 * hidden V (the prover's order; off as the prover's, test builds only;
 * share as zkr_ginf2_cat_grind_bits). ZKR_ERR_VERIFY, MALFORMED, USAGE,
 * UNSUPPORTED (the grinding cap cannot reach the target), TOO_LARGE, NOMEM.
 */
zkr_err zkr_verify_ginf2_cat(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_cat *q,
                             const zkr_hpcs_commitment *const *x, const zkr_hpcs_commitment *v,
                             unsigned off, unsigned share, zkr_dec *d) ZKR_WUR;

#endif
