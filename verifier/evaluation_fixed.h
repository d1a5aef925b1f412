/* evaluation-fixed@1 verifier (verifier/evaluation_fixed.c). */
#ifndef ZKR_VERIFIER_EVALUATION_FIXED_H
#define ZKR_VERIFIER_EVALUATION_FIXED_H

#include "verifier/verifier.h"
#include "zk/eval_fixed.h"

/*
 * Verifies an evaluation-fixed@1 proof against the registered statement
 * st (the same fields as evaluation@1's: program digest, the training
 * model's commitment, dataset commitment, range, the range's records read
 * by the caller from the dataset file, public output). Returns ZKR_OK, or
 * (checked in this order) ZKR_ERR_MALFORMED / TOO_LARGE / UNSUPPORTED
 * (bytes; a program that is not a training program this circuit takes),
 * ZKR_ERR_MISMATCH_PARAMS (proof system, parameter set, kind: an
 * evaluation@1 proof is refused here and this kind there),
 * ZKR_ERR_MISMATCH_STATEMENT, ZKR_ERR_MISMATCH_PROGRAM,
 * ZKR_ERR_MISMATCH_MODEL, ZKR_ERR_MISMATCH_DATASET, ZKR_ERR_MISMATCH_INPUT
 * (range, record length, records not that range of the dataset),
 * ZKR_ERR_MISMATCH_OUTPUT, ZKR_ERR_VERIFY (the mathematics, naming the
 * failed checks, or a proven count below a threshold statement's tau),
 * ZKR_ERR_INTERNAL (no verdict: claim capacity), ZKR_ERR_NOMEM. *correct
 * (may be NULL) gets the proven number correct on ZKR_OK. Pure; thread safe.
 */
zkr_err zkr_verify_evaluation_fixed(const uint8_t *proof, size_t len,
                                    const zkr_verifier_evaluation_statement *st,
                                    uint64_t *correct, zkr_diag *d) ZKR_WUR;

#endif
