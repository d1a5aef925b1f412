/* training-step@2 verifier (docs/proof-system.md, "training-step@2"). */
#ifndef ZKR_VERIFIER_TRAINING2_H
#define ZKR_VERIFIER_TRAINING2_H

#include "zk/train2.h"

/*
 * Verifies a training-step@2 proof body against the public inputs pub
 * (the shape, both weight sets, the hiding dataset commitment's n and
 * root, the batch's indices, record commitments and inclusion paths).
 * Checks, in order: the public inputs (MISMATCH_INPUT: an index out of
 * range or repeated, a record commitment not of in_0 + 1 bytes or not
 * included; MISMATCH_MODEL: a weight at or past 2^20 in magnitude), then
 * the mathematics (VERIFY naming the failed check). A truncated body or
 * trailing bytes are MALFORMED. NOMEM.
 */
zkr_err zkr_verify_train2(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                          const zkr_train2_public *pub, const uint8_t *proof, size_t len,
                          zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): what the
 * product sumcheck's checks ran on, for the leakage test's
 * transcript-conditioned distinguisher (docs/proof-system.md, "Leakage
 * test"): its challenges ch, its point r (ch.N coordinates), the ncols
 * revealed column values and the batch's record values.
 */
typedef struct {
    zkr_train2_chal ch;
    zkr_ext r[ZKR_TRAIN2_MAX_SC], vals[ZKR_TRAIN2_MAX_COLS], recv[ZKR_TRAIN_MAX_BATCH];
    unsigned ncols;
} zkr_train2_vpoints;

/* Test builds only: zkr_verify_train2, filling pts (zeroed first) when it returns ZKR_OK. */
zkr_err zkr_verify_train2_points(const zkr_params *p,
                                 const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                 const zkr_train2_public *pub, const uint8_t *proof, size_t len,
                                 zkr_train2_vpoints *pts, zkr_diag *d) ZKR_WUR;
/*
 * Test builds only (the soundness tests' teeth): zkr_verify_train2 with
 * checks switched off: ZKR_T2_OFF_RED the claim reduction's final
 * equation; ZKR_T2_OFF_COEF C's linear sumcheck's; the bits of (off >> 8)
 * go to the mixed opening (zkr_hpcs_verify_mixed_off's ZKR_HM_OFF_*) and,
 * ZKR_HM_OFF_FACTOR and ZKR_HM_OFF_FINAL only, to the batched openings of
 * the records past the mixed opening's cap (zkr_hpcs_verify_batch_off).
 * Never called by zkreg.
 */
#define ZKR_T2_OFF_RED 1u
#define ZKR_T2_OFF_COEF 2u /* C's linear sumcheck's final equation (g, g_A, g_R's blocks) */
zkr_err zkr_verify_train2_off(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              const zkr_train2_public *pub, const uint8_t *proof, size_t len,
                              unsigned off, zkr_diag *d) ZKR_WUR;

#endif
