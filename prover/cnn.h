/*
 * prover/cnn: the provers of the CNN relations (docs/proof-system.md, "CNN
 * relations"), each over plain tables: a relation appends its proof bytes
 * to out and the evaluation claims it leaves (on the tensors, the witness
 * and the LogUp multiplicities) to cl, in the order the verifier
 * (verifier/cnn.h) derives them. The caller binds the tables to the
 * transcript (commits them) before calling, and discharges the claims.
 *
 * Tables are field images of the integer values, each axis zero-padded to
 * a power of two (zk/cnn.h). A witness builder computes the honest
 * witness; a prover proves whatever witness it is given (a wrong one
 * gives a proof the verifier refuses), so that the graph prover and the
 * cheating provers of tests/soundness share one code path.
 */
#ifndef ZKR_PROVER_CNN_H
#define ZKR_PROVER_CNN_H

#include "prover/prover.h"
#include "zk/cnn.h"

/*
 * Checks a proof may switch off (test builds only: ZKR_TEST_BUILD; any bit
 * set elsewhere is ZKR_ERR_USAGE). Prover and verifier must agree: a
 * switched-off check is absent from both, so tests can show that an
 * attack passes without it and fails with it.
 */
#define ZKR_CNN_OFF_RANGE 1u     /* every LogUp range / table check */
#define ZKR_CNN_OFF_SEL_VALID 2u /* max pooling: E = 0 outside the window */
#define ZKR_CNN_OFF_SEL_SUM 4u   /* max pooling: one selected element per window */
#define ZKR_CNN_OFF_SEL_BIT 8u   /* max pooling: E^2 = E */
#define ZKR_CNN_OFF_DW_SEL 64u   /* depthwise with a multiplier: the selector factor (verifier) */
typedef struct {
    unsigned threads;
    unsigned off;  /* ZKR_CNN_OFF_* (test builds), ZKR_CNN_DEFER_RANGE (zk/cnn.h; any build) */
    int cheat;     /* test builds: LogUp goes on over out-of-table values */
} zkr_cnn_popts;

/* The padded table of a c x h x w int8 tensor (2^(lc+lh+lw) values, zeroed first). */
void zkr_cnn_tensor_table(uint32_t c, uint32_t h, uint32_t w, unsigned lc, unsigned lh,
                          unsigned lw, const int8_t *x, zkr_gl *out);
/* The padded weight table of a convolution from w (cout x c x kh x kw, or c x kh x kw). */
void zkr_cnn_conv_w_table(const zkr_cnn_conv *c, const int64_t *w, zkr_gl *out);
/* Native convolution (no bias): y is cout x oh x ow int64. */
void zkr_cnn_conv_native(const zkr_cnn_conv *c, const int8_t *x, const int64_t *w, int64_t *y);

/*
 * Window view reduction: the claim V~(v) = value on the im2col view
 * becomes a claim on the input tensor x (2^(lc+lh+lw)) by a degree-2
 * sumcheck against the selector. ZKR_ERR_NOMEM, ZKR_ERR_INTERNAL (claims full).
 */
zkr_err zkr_prover_cnn_view(zkr_transcript *t, const zkr_cnn_win *g, const zkr_cnn_view_pt *v,
                            const zkr_gl *x, unsigned threads, zkr_buf *out,
                            zkr_cnn_claims *cl) ZKR_WUR;
/*
 * Convolution: the claim y~(rho) (rho on the output tensor) becomes claims
 * on W and on x: the matmul sumcheck over the im2col view, then the view
 * reduction. x: input table, w: zkr_cnn_conv_w_table.
 */
zkr_err zkr_prover_cnn_conv(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_gl *x,
                            const zkr_gl *w, const zkr_ext *rho, unsigned threads, zkr_buf *out,
                            zkr_cnn_claims *cl) ZKR_WUR;
/*
 * As zkr_prover_cnn_conv with options (threads from o). Test builds only
 * (ZKR_ERR_USAGE elsewhere), o->cheat on a depthwise convolution with a
 * channel multiplier: the sumcheck runs with the transposed selector
 * eq(rho_o, m C + c), proving the output whose channel m C + c is the
 * honest channel c mult + m (tests/soundness/test_sound_cnn.c).
 */
zkr_err zkr_prover_cnn_conv_opts(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_gl *x,
                                 const zkr_gl *w, const zkr_ext *rho, const zkr_cnn_popts *o,
                                 zkr_buf *out, zkr_cnn_claims *cl) ZKR_WUR;

/*
 * As zkr_prover_cnn_conv over an input table in the extension field
 * (evaluation-graph@1: a batch's input folded over its record variables).
 */
zkr_err zkr_prover_cnn_conv_ext(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_ext *x,
                                const zkr_gl *w, const zkr_ext *rho, unsigned threads,
                                zkr_buf *out, zkr_cnn_claims *cl) ZKR_WUR;

/* Max pooling witness (ZKR_ERR_MALFORMED for a window of padding only): out (2^(lc+loh+low)), e and d (2^(lkh+lkw+lc+loh+low), slot (i, j) above). */
zkr_err zkr_cnn_maxpool_witness(const zkr_cnn_win *g, const int8_t *x, zkr_gl *out, zkr_gl *e,
                                zkr_gl *d) ZKR_WUR;
/* Proves out = max-pool(x) with the selector e and differences d; mult gets 256 values. */
zkr_err zkr_prover_cnn_maxpool(zkr_transcript *t, const zkr_cnn_win *g, const zkr_gl *x,
                               const zkr_gl *out, const zkr_gl *e, const zkr_gl *d,
                               const zkr_cnn_popts *o, zkr_buf *buf, zkr_gl *mult,
                               zkr_cnn_claims *cl) ZKR_WUR;

/*
 * Average pooling (kh kw <= ZKR_CNN_AP_MAX_K): q (the output, 2^lp) and
 * the remainder witness rw (2^(lp + 2), zk/cnn.h ZKR_CNN_AP_*); mult gets 256 values.
 */
zkr_err zkr_cnn_avgpool_witness(const zkr_cnn_win *g, const int8_t *x, zkr_gl *q,
                                zkr_gl *rw) ZKR_WUR;
zkr_err zkr_prover_cnn_avgpool(zkr_transcript *t, const zkr_cnn_win *g, const zkr_gl *x,
                               const zkr_gl *q, const zkr_gl *rw, const zkr_cnn_popts *o,
                               zkr_buf *buf, zkr_gl *mult, zkr_cnn_claims *cl) ZKR_WUR;

/* Lookup activation y = T[x] over a c x h x w tensor; mult gets 512 values. */
zkr_err zkr_prover_cnn_lookup(zkr_transcript *t, uint32_t c, uint32_t h, uint32_t w,
                              const int8_t tab[256], const zkr_gl *x, const zkr_gl *y,
                              const zkr_cnn_popts *o, zkr_buf *buf, zkr_gl *mult,
                              zkr_cnn_claims *cl) ZKR_WUR;

/*
 * ADD witness over n elements of lp-variable tensors: v gets 2^(lp + 4)
 * values (slot s of element p at (s << lp) | p), y the int8 result (n).
 */
zkr_err zkr_cnn_add_witness(const zkr_cnn_add *a, unsigned lp, size_t n, const int8_t *xa,
                            const int8_t *xb, zkr_gl *v, int8_t *y) ZKR_WUR;
/*
 * The requantization witness (ADD or acc M, a->mul) from u = Ma a + Mb b
 * or acc M per element (2^lp, padding 0): v as above, y (2^lp, may be NULL).
 */
zkr_err zkr_cnn_rq_witness(const zkr_cnn_add *a, unsigned lp, const int64_t *u, zkr_gl *v,
                           int8_t *y) ZKR_WUR;
/* ADD / requantization: xa, xb are a and b (ADD) or acc and the broadcast M (a->mul). */
zkr_err zkr_prover_cnn_add(zkr_transcript *t, const zkr_cnn_add *a, unsigned lp, const zkr_gl *xa,
                           const zkr_gl *xb, const zkr_gl *v, const zkr_cnn_popts *o,
                           zkr_buf *buf, zkr_gl *mult, zkr_cnn_claims *cl) ZKR_WUR;

/*
 * The multiplicities each relation's LogUp will count (the same values the
 * prover writes to mult), for a caller that commits them before proving.
 * ZKR_ERR_USAGE when the witness has a value outside the table.
 */
zkr_err zkr_cnn_maxpool_mult(const zkr_cnn_win *g, const zkr_gl *d, zkr_gl *mult) ZKR_WUR;
zkr_err zkr_cnn_avgpool_mult(const zkr_cnn_win *g, const zkr_gl *q, const zkr_gl *rw,
                             zkr_gl *mult) ZKR_WUR;
zkr_err zkr_cnn_lookup_mult(uint32_t c, uint32_t h, uint32_t w, const int8_t tab[256],
                            const zkr_gl *x, const zkr_gl *y, zkr_gl *mult) ZKR_WUR;
zkr_err zkr_cnn_add_mult(unsigned lp, const zkr_gl *v, zkr_gl *mult) ZKR_WUR;

/*
 * A tensor consumed twice (or more): k claims on x (n variables) become one
 * at a random point: sum_x x(x) sum_i alpha_i eq(p_i, x), alpha_0 = 1.
 */
zkr_err zkr_prover_cnn_combine(zkr_transcript *t, const zkr_gl *x, unsigned n,
                               const zkr_cnn_claim *cs, size_t k, unsigned threads, zkr_buf *buf,
                               zkr_cnn_claim *res) ZKR_WUR;

/*
 * Narrow requantization (zk/cnn.h zkr_cnn_rqn): the witness slots (v,
 * 2^(lp + lsl), zeroed here) and the outputs y (2^lp) from u. ZKR_ERR_USAGE
 * when an element's gh or gl is over the parameters' widths.
 */
zkr_err zkr_cnn_rqn_witness(const zkr_cnn_rqn *a, unsigned lp, const int64_t *u, zkr_gl *v,
                            int8_t *y) ZKR_WUR;
/*
 * One element of zkr_cnn_rqn_witness (shared with evaluation@1 format
 * version 4): y from u; g (may be NULL) gets gh, gl; when v is set, the
 * limbs of element p of a 2^lp block (plen = 2^lp) at slot k's (k plen) | p.
 * ZKR_ERR_USAGE (y and g still set, v untouched) when gh or gl is over a's
 * widths.
 */
zkr_err zkr_cnn_rqn_elem(const zkr_cnn_rqn *a, int64_t u, zkr_gl *v, size_t plen, size_t p,
                         int8_t *y, uint64_t g[2]) ZKR_WUR;
/*
 * Proves the equations of zkr_cnn_rqn at a random point: xa, xb are acc
 * and the broadcast M (a->mul) or a and b; y the output tensor; v the
 * slots. Leaves claims on V (the slots), X (xa), B (xb) and Y, all at the
 * sumcheck's point (V's with the slot challenge appended). The range
 * entries are the caller's.
 */
zkr_err zkr_prover_cnn_rqn(zkr_transcript *t, const zkr_cnn_rqn *a, unsigned lp, const zkr_gl *xa,
                           const zkr_gl *xb, const zkr_gl *y, const zkr_gl *v, unsigned threads,
                           zkr_buf *buf, zkr_cnn_claims *cl) ZKR_WUR;

/*
 * CONCAT on channels (zk/cnn.h zkr_cnn_cat): x[j] input j's table
 * (2^(lhw + lc[j] + lb)), y the output's (2^(lhw + lco + lb)). Draws z
 * ("cnn-cat-z") on the output, sends Y~(z) and each input's share v_j
 * ("cnn-cat-yv"), then per input a degree-2 sumcheck of S_j(c') X_j~(z_hw,
 * c', z_b) over c' and X_j's value at its end ("cnn-cat-x"). Claims: Y at
 * z (ZKR_CNN_POLY_Y), then one ZKR_CNN_POLY_X claim per input, in input
 * order, at (z_hw, s_j, z_b).
 */
zkr_err zkr_prover_cnn_concat(zkr_transcript *t, const zkr_cnn_cat *a, const zkr_gl *const *x,
                              const zkr_gl *y, unsigned threads, zkr_buf *buf,
                              zkr_cnn_claims *cl) ZKR_WUR;

#endif
