/*
 * inference-batch@1 verification (verifier/inference_batch.c).
 */
#ifndef ZKR_VERIFIER_INFERENCE_BATCH_H
#define ZKR_VERIFIER_INFERENCE_BATCH_H

#include "verifier/verifier.h"
#include "zk/infer_batch.h"

/*
 * Verifies an inference-batch@1 proof against st, whose every value the
 * caller took from the registry (never from the proof): the records are
 * the registered dataset's first..first+count-1 (count x rec_len bytes),
 * output the statement's batch public output bytes. Returns ZKR_OK, or
 * (checked in this order) ZKR_ERR_MALFORMED / TOO_LARGE / UNSUPPORTED
 * (bytes), ZKR_ERR_MISMATCH_PARAMS (proof system, parameter set, kind),
 * ZKR_ERR_MISMATCH_STATEMENT, ZKR_ERR_MISMATCH_PROGRAM,
 * ZKR_ERR_MISMATCH_MODEL, ZKR_ERR_MISMATCH_DATASET, ZKR_ERR_MISMATCH_INPUT
 * (range, record length, membership), ZKR_ERR_MISMATCH_OUTPUT (the
 * proof's output bytes differ from st->output, or st->output is not a
 * batch output for this range and program), ZKR_ERR_VERIFY (the
 * mathematics), ZKR_ERR_NOMEM. Allocation is bounded by the program and
 * the range, never by a length read from the file. Pure; thread safe.
 */
zkr_err zkr_verify_inference_batch(const uint8_t *proof, size_t len,
                                   const zkr_verifier_evaluation_statement *st,
                                   zkr_diag *d) ZKR_WUR;

#endif
