/*
 * The worker table. It is the only list of code that runs inside the
 * sandbox: adding a kind here is the one way to get code confined.
 */
#include "app/workers.h"
#include "app/eval.h"
#include "app/geval.h"
#include "app/ginfer.h"
#include "app/ginfer2.h"
#include "app/infer.h"
#include "app/infer2.h"
#include "app/model.h"
#include "app/train.h"
#include "app/train2.h"

const zkr_worker_kind zkr_app_workers[] = {
    /* Registration points: the verifier and prover issues set fn. Until
     * then zkr_sandbox_call() answers ZKR_ERR_UNSUPPORTED for them. */
    {"verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_verify,
     "verify a proof against a statement", NULL},
    {"prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_prove, "prove a statement", NULL},
    /* The GPU variant: chosen only when the backend resolved to cuda and a
       device was found (app/proof.c); the policy is docs/sandbox.md's prover-cuda. */
    {"prove-cuda", ZKR_SANDBOX_POLICY_PROVER_CUDA, zkr_app_worker_prove_cuda,
     "prove a statement on the GPU", zkr_app_worker_cuda_prepare},
    {"infer2-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_infer2_prove,
     "prove an inference@2 statement (private model, hidden record)", NULL},
    {"infer2-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_infer2_verify,
     "verify an inference@2 proof against a statement", NULL},
    {"mrange-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_mrange_verify,
     "verify a private model's range proof against its commitment", NULL},
    {"train-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_train_verify,
     "verify a training-step@1 proof against a statement", NULL},
    {"train-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_train_prove,
     "prove a training step", NULL},
    {"train2-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_train2_prove,
     "prove a training-step@2 statement (hidden batch of a private shard)", NULL},
    {"train2-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_train2_verify,
     "verify a training-step@2 proof against a statement", NULL},
    {"eval-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_eval_verify,
     "verify an evaluation@1 proof against a statement and its records", NULL},
    {"eval-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_eval_prove,
     "prove an evaluation over a record range", NULL},
    {"evalf-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_evalf_verify,
     "verify an evaluation-fixed@1 proof against a statement and its records", NULL},
    {"evalf-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_evalf_prove,
     "prove an evaluation of a FIXED training model over a record range", NULL},
    {"ginf-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_ginf_verify,
     "verify a graph-inference@1 (CNN) proof against a statement and its record", NULL},
    {"ginf-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_ginf_prove,
     "prove one graph-inference@1 (CNN) inference", NULL},
    {"ginfer2-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_ginf2_verify,
     "verify a graph-inference@2 (zero-knowledge CNN) proof against a statement", NULL},
    {"ginfer2-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_ginf2_prove,
     "prove a graph-inference@2 statement (private graph model, hidden record)", NULL},
    {"geval-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_geval_verify,
     "verify an evaluation-graph@1 (CNN accuracy) proof against a statement and its records", NULL},
    {"geval-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_geval_prove,
     "prove a graph (CNN) model's accuracy over a record range (evaluation-graph@1)", NULL},
    {"ibatch-verify", ZKR_SANDBOX_POLICY_VERIFIER, zkr_app_worker_ibatch_verify,
     "verify an inference-batch@1 proof against a statement and its records", NULL},
    {"ibatch-prove", ZKR_SANDBOX_POLICY_PROVER, zkr_app_worker_ibatch_prove,
     "prove inference over a record range, every record's logits public", NULL},
    {"sha256", ZKR_SANDBOX_POLICY_VERIFIER, zkr_sandbox_worker_sha256,
     "SHA-256 of the request (doctor self-test, benchmark)", NULL},
    {"merkle-root", ZKR_SANDBOX_POLICY_VERIFIER, zkr_sandbox_worker_merkle_root,
     "RFC 6962 Merkle root over length-prefixed records", NULL},
#if ZKR_TEST_BUILD
    ZKR_SANDBOX_TEST_KINDS
#endif
    {NULL, 0, NULL, NULL, NULL},
};
