/*
 * graph-inference@2 provers (zk/ginfer2.h; docs/proof-system.md,
 * "graph-inference@2"). The relations each append their proof bytes to out
 * on a transcript that already binds the caller's commitments, and never
 * reveals a hidden value (every value sent is masked or a randomised
 * extension). Randomness comes from the caller's generator (zkr_zkrng), so
 * that a seeded generator gives byte-identical proofs. zkr_prover_ginfer2
 * (at the end) makes a whole kind 11 proof of a network.
 */
#ifndef ZKR_PROVER_GINFER2_H
#define ZKR_PROVER_GINFER2_H

#include "prover/prover.h"
#include "zk/ginfer2.h"
#include "zk/ginfer2_mc.h"

typedef struct {
    unsigned threads;
    unsigned off;    /* ZKR_GINF2_OFF_* (test builds only; USAGE elsewhere) */
    int force_range; /* test builds: W's range proof goes on over off-table entries */
    int64_t u_delta; /* test builds: U's entry 0 committed plus u_delta (U != im2col(X)) */
    unsigned share;  /* relations on this transcript (zk/ginfer2.h, "Extra grinding"); 0: 1 */
    int out_delta;   /* test builds, whole proof: logit 0 published plus out_delta */
} zkr_ginf2_popts;

/*
 * The zero-knowledge convolution (zk/ginfer2.h): X (c x h x w), W and Y
 * hiding commitments of zkr_cnn_in_vars, zkr_cnn_conv_w_vars and
 * zkr_cnn_conv_y_vars variables, base-valued, whose slices u = 0 are the
 * tables prover/cnn.h builds (Y the field image of the integer
 * accumulator). Consumes ZKR_GINF2_X/W/Y_OPENINGS of their budgets.
 * Every opening grinds zkr_ginf2_conv_grind_bits(o->share) extra bits
 * (none with ZKR_GINF2_OFF_GRIND, test builds: the grinding teeth check).
 * A witness with Y != W * im2col(X) gives a proof the verifier refuses.
 * ZKR_ERR_MALFORMED (zkr_ginf2_conv_check), ZKR_ERR_USAGE (sizes differ,
 * a budget spent, an entry of W or U off its range, off outside test
 * builds), ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM.
 */
zkr_err zkr_prover_ginf2_conv(const zkr_params *p, zkr_transcript *t, const zkr_cnn_conv *c,
                              zkr_hpcs_poly *x, zkr_hpcs_poly *w, zkr_hpcs_poly *y,
                              const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;
/*
 * The same for an input as *in describes (zk/ginfer2.h, zkr_ginf2_cin): X
 * of zkr_ginf2_conv_x_vars variables, its block's real values (entry +
 * in_off) in u_lo..u_lo + 255 (else ZKR_ERR_USAGE); grinding
 * zkr_ginf2_conv_grind_bits_in. zkr_prover_ginf2_conv is this with
 * ZKR_GINF2_CIN_PLAIN.
 */
zkr_err zkr_prover_ginf2_conv_in(const zkr_params *p, zkr_transcript *t, const zkr_cnn_conv *c,
                                 const zkr_ginf2_cin *in, zkr_hpcs_poly *x, zkr_hpcs_poly *w,
                                 zkr_hpcs_poly *y, const zkr_ginf2_popts *o, zkr_zkrng *rng,
                                 zkr_buf *out) ZKR_WUR;

/*
 * The masked linear sumcheck (matmul@2's pattern; docs/proof-system.md,
 * "graph-inference@2"): proves sum_x weights[x] f(x) = v over the 2^n
 * entries of the hidden base f (n = its variables) for a v the verifier
 * already holds, by a fresh mask Z, sigma, rho, the sumcheck on
 * (f + rho Z) weights and the hiding opening of f + rho Z. Consumes one
 * opening of f's budget. ZKR_ERR_USAGE (f not base, budget), NOMEM.
 */
zkr_err zkr_prover_ginf2_lin(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *f,
                             const zkr_ext *weights, zkr_zkrng *rng, unsigned threads,
                             zkr_buf *out) ZKR_WUR;

/*
 * The glue every hiding relation prover shares (verifier/ginfer2.h's
 * zkr_verify_ginf2_parts and zkr_verify_ginf2_link read what these write).
 * zkr_prover_ginf2_parts: test builds' ZKR_GINF2_OFF_RANGE path, the parts
 * sum_i wa[i] a[i] and sum_i wb[i] b[i] (a, b base-valued; 2^n_vars
 * weights each) absorbed under `label` and sent, then a masked linear
 * sumcheck of each. zkr_prover_ginf2_link: v's byte range proof
 * (ZKR_GINF2_RQ_TABLE) with the linear claim sum wv v = claim, linking x
 * with weights wx; force: test builds' zkr_zkrange_cheat.force (ignored
 * elsewhere). Both append to out (the caller rewinds it on failure).
 * ZKR_OK, ZKR_ERR_NOMEM, ZKR_ERR_USAGE and the range proof's errors.
 */
zkr_err zkr_prover_ginf2_parts(const zkr_params *p, zkr_transcript *t, const char *label,
                               zkr_hpcs_poly *a, const zkr_ext *wa, zkr_hpcs_poly *b,
                               const zkr_ext *wb, zkr_zkrng *rng, unsigned threads,
                               zkr_buf *out) ZKR_WUR;
zkr_err zkr_prover_ginf2_link(const zkr_params *p, zkr_transcript *t, zkr_hpcs_poly *v,
                              const zkr_ext *wv, zkr_ext claim, zkr_hpcs_poly *x,
                              const zkr_ext *wx, int force, zkr_zkrng *rng, unsigned threads,
                              zkr_buf *out) ZKR_WUR;
/*
 * zkr_prover_ginf2_pair: o->off's ZKR_GINF2_OFF_RANGE picks
 * zkr_prover_ginf2_parts (v then x, under `label`), else
 * zkr_prover_ginf2_link (o->force_range), both at o->threads (0: 1).
 * zkr_prover_ginf2_check2: a relation's input checks on x (nx variables)
 * and v (nv), one opening of each: ZKR_ERR_USAGE unless both are
 * base-valued of those sizes with a budget left, o->off holds only
 * ZKR_GINF2_OFF_RANGE | ZKR_GINF2_OFF_GRIND, and o->off and
 * o->force_range are set in test builds only; else ZKR_OK.
 */
zkr_err zkr_prover_ginf2_pair(const zkr_params *p, zkr_transcript *t, const char *label,
                              zkr_hpcs_poly *v, const zkr_ext *wv, zkr_ext claim,
                              zkr_hpcs_poly *x, const zkr_ext *wx, const zkr_ginf2_popts *o,
                              zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;
zkr_err zkr_prover_ginf2_check2(const zkr_ginf2_popts *o, zkr_hpcs_poly *x, unsigned nx,
                                zkr_hpcs_poly *v, unsigned nv) ZKR_WUR;

/*
 * Zero-knowledge requantization (zk/ginfer2.h): acc (lp variables) and V
 * (zkr_ginf2_rq_v_vars, zkr_ginf2_rq_witness's table, or a cheating one)
 * hiding commitments bound by the caller. One opening of each. A V whose
 * rows fail gives a proof the verifier refuses; an entry of V off the byte
 * table is USAGE (unless o->force_range in test builds). o->off may hold
 * ZKR_GINF2_OFF_RANGE (test builds): the rows are then proven by two
 * masked linear sumchecks with V's and acc's parts sent in the clear.
 * Every opening grinds zkr_ginf2_rq_grind_bits(o->share) extra bits (none
 * with ZKR_GINF2_OFF_GRIND, test builds).
 */
zkr_err zkr_prover_ginf2_requant(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_rq *q,
                                 zkr_hpcs_poly *acc, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                                 zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

/*
 * Zero-knowledge max pooling (zk/ginfer2.h): X (zkr_cnn_in_vars of the
 * window) and V (zkr_ginf2_pool_v_vars, zkr_ginf2_pool_witness's table, or
 * a cheating one) hiding commitments bound by the caller; one opening of
 * each. o as for zkr_prover_ginf2_requant (ZKR_GINF2_OFF_RANGE in test
 * builds; ZKR_GINF2_OFF_GRIND), grinding zkr_ginf2_pool_grind_bits. Same errors.
 */
zkr_err zkr_prover_ginf2_pool(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_pool *q,
                              zkr_hpcs_poly *x, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                              zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

/*
 * Zero-knowledge residual ADD (zk/ginfer2_add.h): X1, X2 (the inputs'
 * commitments, zkr_ginf2_add_x_vars; one poly twice when both inputs are
 * one node) and V (zkr_ginf2_add_v_vars, zkr_ginf2_add_witness's table, or
 * a cheating one) hiding commitments bound by the caller. Two range proofs
 * of V: ZKR_GINF2_ADD_V_OPENINGS of V's budget, one of each input's. o as
 * for zkr_prover_ginf2_requant, and ZKR_GINF2_OFF_LINK (test builds: the L
 * rows and their hidden terms dropped); grinding zkr_ginf2_add_grind_bits.
 * Same errors.
 */
zkr_err zkr_prover_ginf2_add(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_add *a,
                             zkr_hpcs_poly *x1, zkr_hpcs_poly *x2, zkr_hpcs_poly *v,
                             const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

/* ---------------- the whole network (zk/ginfer2.h, "the whole network") ---------------- */
/*
 * The hidden model's commitments: one per CONV / DENSE node i, W_i (int8
 * in -127..127, c x fanin, ONNX layout) in zkr_cnn_conv_w_table's layout,
 * committed over zkr_ginf2_range_blind(n, ZKR_GINF2_W_OPENINGS proofs)
 * blinding variables: its budget serves `proofs` proofs (the blinding
 * budget; a proof past it is refused, ZKR_ERR_USAGE). Other nodes' entries
 * are left NULL. ZKR_ERR_USAGE (a weight of -128), TOO_LARGE, NOMEM.
 */
zkr_err zkr_prover_ginf2_commit_model(const zkr_params *p, const zkr_ginf2_net *net,
                                      const int8_t *const *w, uint32_t proofs, zkr_zkrng *rng,
                                      zkr_hpcs_poly **wp, zkr_hpcs_commitment *wc) ZKR_WUR;

typedef struct {
    const zkr_ml_gprog *g;
    const zkr_ginf2_net *net;                 /* zkr_ginf2_net_init(g, its parameters) */
    const uint8_t *statement_id;             /* ZKR_DIGEST_BYTES */
    /*
     * The record (version 3): rec->record is its c h w input bytes in the
     * flat layout and the label (zkr_ginf2_record_len bytes), with its
     * 48-byte record commitment, its inclusion path under rec->root (a
     * dataset of rec->n_records, zkr_infer2_dataset_commitment) and index;
     * rec->opening is not read here.
     */
    const zkr_infer2_record *rec;
    /* The record commitment's prover state (zkr_prover_record_reopen of rec). */
    zkr_hpcs_poly *x;
    /* The model commitment's encoding (zk/ginfer2_mc.h), carried in section 31. */
    const uint8_t *mc;
    size_t mc_len;
    /*
     * The model's commitments (zkr_prover_ginf2_commit_model's), per CONV /
     * DENSE node: the inference runs on the committed tables themselves.
     * The encoding must name exactly these roots (else USAGE).
     */
    zkr_hpcs_poly *wp[ZKR_GINF2_NET_MAX_NODES];
    const zkr_hpcs_commitment *wc[ZKR_GINF2_NET_MAX_NODES];
    /*
     * Test builds only (USAGE elsewhere; soundness-ginfer2-avg): AVGPOOL node
     * avg_node's (0: every one's) real outputs moved by avg_delta, r by
     * -avg_delta k and rc by +avg_delta k (both rows true in the field, a
     * limb off its byte); the nodes after it run on the moved output.
     */
    int avg_delta;
    uint32_t avg_node;
} zkr_prover_ginf2_in;

/*
 * The whole graph-inference@2 proof (docs/proof-system.md, "The whole
 * network"): runs the program on the record, commits every hidden tensor
 * fresh, proves every relation on one transcript that binds the statement
 * first (the model commitment and the record's dataset binding among it),
 * then the public output. Writes the container (kind 11, version 3,
 * sections 30-32) to proof and the public output (the last node's int8 tensor,
 * C-major, zkr_infer_output_encode) to output. o: threads, share is
 * ignored (net->share). Same seed, same bytes. ZKR_ERR_USAGE (sizes, a
 * budget spent; o->off, force_range, out_delta, in->avg_delta outside test
 * builds),
 * ZKR_ERR_UNSUPPORTED, TOO_LARGE, NOMEM. Test builds: o->off (ZKR_GINF2_OFF_*)
 * reaches every relation and ZKR_GINF2_OFF_OUT drops the output claim.
 */
zkr_err zkr_prover_ginfer2(const zkr_params *p, const zkr_prover_ginf2_in *in,
                           const zkr_ginf2_popts *o, zkr_zkrng *rng, zkr_buf *proof,
                           zkr_buf *output, zkr_diag *d) ZKR_WUR;

/*
 * The zero-knowledge CONCAT (zk/ginfer2.h, zkr_ginf2_cat): x[j] the inputs'
 * hiding commitments (zkr_ginf2_cat_x_vars), v the concatenated tensor's
 * (zkr_ginf2_cat_v_vars, zkr_ginf2_cat_witness's table or a cheating one,
 * blinded by zkr_ginf2_range_blind), all bound by the caller. One range
 * proof of V per input, each with X_j as its link's hidden term: consumes
 * k openings of V's budget and one of each X_j's. Every opening grinds
 * zkr_ginf2_cat_grind_bits(o->share). o->off may hold ZKR_GINF2_OFF_LINK
 * (plain range proofs) and ZKR_GINF2_OFF_GRIND in test builds. A V that is
 * not the concatenation gives a proof the verifier refuses. ZKR_ERR_USAGE
 * (sizes, budgets, off outside test builds, an entry of V not a byte),
 * ZKR_ERR_UNSUPPORTED (the grinding cap cannot reach the target),
 * ZKR_ERR_TOO_LARGE, NOMEM.
 */
zkr_err zkr_prover_ginf2_cat(const zkr_params *p, zkr_transcript *t, const zkr_ginf2_cat *q,
                             zkr_hpcs_poly *const *x, zkr_hpcs_poly *v, const zkr_ginf2_popts *o,
                             zkr_zkrng *rng, zkr_buf *out) ZKR_WUR;

/* ---------------- the model commitment (zk/ginfer2_mc.h) ---------------- */
/*
 * A private graph model committed for graph-inference@2: the program, its
 * layout, the public requantization parameters and one hiding commitment
 * per CONV / DENSE node's weights (zkr_prover_ginf2_commit_model), every
 * blinding entry from one 32-byte key.
 */
typedef struct zkr_ginf2_model zkr_ginf2_model;
/* The secret opening: u32 version 1 | u32 budget (proofs) | key[32] (seal it as a key). */
#define ZKR_GINF2_OPENING_BYTES 40u
/*
 * Commits m (a quantized graph model, ml/ml.h; m must outlive *out) for
 * `budget` proofs (1..ZKR_HPCS_MAX_BUDGET / ZKR_GINF2_W_OPENINGS). seed
 * NULL: the key comes from the OS CSPRNG; else (ZKR_ZK_SEED_MIN..MAX
 * bytes) it is derived from the seed, the budget and the model's digest
 * (same model, seed and budget: the same bytes). Appends the model
 * commitment's encoding (the registry binds zkr_ginf2_mc_digest of it) to
 * commitment and writes the secret opening. ZKR_ERR_USAGE (budget, seed
 * length, a weight of -128), ZKR_ERR_UNSUPPORTED (a program
 * zkr_ginf2_net_init refuses), MALFORMED, TOO_LARGE, NOMEM.
 */
zkr_err zkr_prover_ginfer2_commit(const zkr_params *p, const zkr_ml_gmodel *m, uint32_t budget,
                                  const uint8_t *seed, size_t seed_len, unsigned threads,
                                  zkr_ginf2_model **out, zkr_buf *commitment,
                                  uint8_t opening[ZKR_GINF2_OPENING_BYTES],
                                  zkr_diag *d) ZKR_WUR;
/*
 * Rebuilds the prover state from the model, its commitment's encoding and
 * the secret opening (budget counted from zero in the new object).
 * ZKR_ERR_MISMATCH_MODEL when they do not reproduce exactly `commitment`;
 * ZKR_ERR_MALFORMED (commitment or opening bytes), other errors as commit.
 */
zkr_err zkr_prover_ginfer2_reopen(const zkr_params *p, const zkr_ml_gmodel *m,
                                  const uint8_t *commitment, size_t commitment_len,
                                  const uint8_t opening[ZKR_GINF2_OPENING_BYTES],
                                  unsigned threads, zkr_ginf2_model **out,
                                  zkr_diag *d) ZKR_WUR;
/* Wipes and frees. Accepts NULL. */
void zkr_ginf2_model_free(zkr_ginf2_model *gm);
/* The encoding (points into gm). */
const uint8_t *zkr_ginf2_model_commitment_bytes(const zkr_ginf2_model *gm, size_t *len);
/* Proofs gm can still make (the smallest over its weight commitments' budgets). */
uint32_t zkr_ginf2_model_proofs_left(const zkr_ginf2_model *gm);
/*
 * Fills in's g, net, mc, mc_len, wp, wc from gm (they point into gm); the
 * caller sets statement_id, rec and x.
 */
void zkr_ginf2_model_input(zkr_ginf2_model *gm, zkr_prover_ginf2_in *in);

#endif
