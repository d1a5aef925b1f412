/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): the
 * inference@2 verifier's points, for the leakage test's
 * transcript-conditioned distinguisher (docs/proof-system.md,
 * "inference@2", "Leakage test").
 */
#ifndef ZKR_VERIFIER_INFERENCE2_TEST_H
#define ZKR_VERIFIER_INFERENCE2_TEST_H

#include "verifier/verifier.h"
#include "zk/infer2_int.h"

/* What the batched sumcheck's final check ran on. */
typedef struct {
    zkr_infer2_shape sh;                               /* the statement's shape */
    zkr_ext r[ZKR_INFER_MAX_PT];                       /* its point (sh.N coordinates) */
    zkr_ext vals[ZKR_INFER_MAX_LAYERS][ZKR_I2_NCOL];   /* the revealed values, RV included */
    unsigned v_total;                                  /* V's n + e */
    int public_output;
} zkr_infer2_vpoints;

/* zkr_verify_inference2, filling pts (zeroed first) when it returns ZKR_OK. */
zkr_err zkr_verify_inference2_points(const uint8_t *proof, size_t len,
                                     const zkr_verifier_inference2_statement *st,
                                     zkr_infer2_vpoints *pts, zkr_diag *d) ZKR_WUR;

#endif
