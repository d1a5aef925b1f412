/*
 * The worker table. It is the only list of code that runs inside the
 * sandbox: adding a kind here is the one way to get code confined.
 */
#include "app/workers.h"
#include "app/infer.h"
#include "app/train.h"

const zkr_worker_kind zkr_app_workers[] = {
    /* Registration points: the verifier and prover issues set fn. Until
     * then zkr_sandbox_call() answers ZKR_ERR_UNSUPPORTED for them. */
    {"verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_verify,
     "verify a proof against a statement"},
    {"prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_prove, "prove a statement"},
    {"train-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_train_verify,
     "verify a training-step@1 proof against a statement"},
    {"train-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_train_prove,
     "prove a training step"},
    {"sha256", ZKR_SANDBOX_POLICY_VERIFIER, zkr_sandbox_worker_sha256,
     "SHA-256 of the request (doctor self-test, benchmark)"},
    {"merkle-root", ZKR_SANDBOX_POLICY_VERIFIER, zkr_sandbox_worker_merkle_root,
     "RFC 6962 Merkle root over length-prefixed records"},
#if ZKR_TEST_BUILD
    ZKR_SANDBOX_TEST_KINDS
#endif
    {NULL, 0, NULL, NULL},
};
