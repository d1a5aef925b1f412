/*
 * training-step@2 prover pieces (docs/proof-system.md, "training-step@2").
 * Built so far: the byte witness V from the native step's trace.
 */
#ifndef ZKR_PROVER_TRAINING2_H
#define ZKR_PROVER_TRAINING2_H

#include "ml/ml.h"
#include "zk/train2.h"

/*
 * Fills the byte witness v (2^s->n_v bytes, zeroed first) of one step from
 * its native trace tr (zkr_ml_train_step on the batch) and the batch's
 * records (s->batch records of in_0 + 1 bytes, the label last, as the
 * dataset stores them). Padding entries stay 0. ZKR_OK;
 * ZKR_ERR_USAGE (tr's shape or a label differs from s and the records);
 * ZKR_ERR_UNSUPPORTED (a value outside its bytes: the native step's
 * bounds were not met, which zkr_ml_train_step refuses).
 */
zkr_err zkr_prover_train2_witness(const zkr_train2_shape *s, const zkr_ml_tstep_trace *tr,
                                  const uint8_t *records, uint8_t *v, zkr_diag *d) ZKR_WUR;

#endif
