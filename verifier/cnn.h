/*
 * verifier/cnn: the verifiers of the CNN relations (docs/proof-system.md,
 * "CNN relations"; docs/soundness.md, "CNN relations"). Each reads the
 * bytes its prover (prover/cnn.h) appended, replays the transcript and
 * appends the same evaluation claims to cl; the caller discharges them
 * (by the PCS, or in tests against the tables). ZKR_ERR_MALFORMED for
 * truncated or non-canonical bytes, ZKR_ERR_VERIFY when a check fails (d
 * names it), ZKR_ERR_UNSUPPORTED for a shape the relation does not take,
 * ZKR_ERR_NOMEM, ZKR_ERR_INTERNAL (claim list full). Allocation is bounded
 * by the shapes, never by the bytes.
 */
#ifndef ZKR_VERIFIER_CNN_H
#define ZKR_VERIFIER_CNN_H

#include "zk/cnn.h"

/*
 * The same bits as prover/cnn.h ZKR_CNN_OFF_*: honoured in test builds only
 * (ZKR_ERR_USAGE otherwise), except ZKR_CNN_DEFER_RANGE (zk/cnn.h).
 */
typedef struct {
    unsigned off;
} zkr_cnn_vopts;

zkr_err zkr_verify_cnn_view(zkr_transcript *t, const zkr_cnn_win *g, const zkr_cnn_view_pt *v,
                            zkr_ext claim, zkr_dec *dec, zkr_cnn_claims *cl,
                            zkr_diag *d) ZKR_WUR;
/* The claim y~(rho) = value on the convolution's output. */
zkr_err zkr_verify_cnn_conv(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_ext *rho,
                            zkr_ext value, zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d) ZKR_WUR;
/* As zkr_verify_cnn_conv with options (test builds: ZKR_CNN_OFF_DW_SEL, prover/cnn.h). */
zkr_err zkr_verify_cnn_conv_opts(zkr_transcript *t, const zkr_cnn_conv *c, const zkr_ext *rho,
                                 zkr_ext value, const zkr_cnn_vopts *o, zkr_dec *dec,
                                 zkr_cnn_claims *cl, zkr_diag *d) ZKR_WUR;
zkr_err zkr_verify_cnn_maxpool(zkr_transcript *t, const zkr_cnn_win *g, const zkr_cnn_vopts *o,
                               zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d) ZKR_WUR;
zkr_err zkr_verify_cnn_avgpool(zkr_transcript *t, const zkr_cnn_win *g, const zkr_cnn_vopts *o,
                               zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d) ZKR_WUR;
zkr_err zkr_verify_cnn_lookup(zkr_transcript *t, uint32_t c, uint32_t h, uint32_t w,
                              const int8_t tab[256], const zkr_cnn_vopts *o, zkr_dec *dec,
                              zkr_cnn_claims *cl, zkr_diag *d) ZKR_WUR;
zkr_err zkr_verify_cnn_add(zkr_transcript *t, const zkr_cnn_add *a, unsigned lp,
                           const zkr_cnn_vopts *o, zkr_dec *dec, zkr_cnn_claims *cl,
                           zkr_diag *d) ZKR_WUR;
/* k claims on one n-variable tensor (all with n variables) into *res. */
zkr_err zkr_verify_cnn_combine(zkr_transcript *t, unsigned n, const zkr_cnn_claim *cs, size_t k,
                               zkr_dec *dec, zkr_cnn_claim *res, zkr_diag *d) ZKR_WUR;

/*
 * Narrow requantization (zk/cnn.h zkr_cnn_rqn): the same claims as the
 * prover's zkr_prover_cnn_rqn; the range entries are the caller's to check.
 */
zkr_err zkr_verify_cnn_rqn(zkr_transcript *t, const zkr_cnn_rqn *a, unsigned lp, zkr_dec *dec,
                           zkr_cnn_claims *cl, zkr_diag *d) ZKR_WUR;

/* CONCAT on channels (zk/cnn.h zkr_cnn_cat): the claims zkr_prover_cnn_concat leaves. */
zkr_err zkr_verify_cnn_concat(zkr_transcript *t, const zkr_cnn_cat *a, const zkr_cnn_vopts *o,
                              zkr_dec *dec, zkr_cnn_claims *cl, zkr_diag *d) ZKR_WUR;

#endif
