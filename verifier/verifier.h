/*
 * verifier: the strict proof parser and verification. Small and
 * allocation-bounded (every allocation is sized from the parameter set and
 * the caller's statement, never from a length in the file). It links zk/
 * only, never prover/.
 *
 * Error contract (what a signer gates on):
 *   ZKR_OK                       the proof verifies for this statement;
 *   ZKR_ERR_MALFORMED / ZKR_ERR_TOO_LARGE / ZKR_ERR_UNSUPPORTED
 *                                the bytes are not a well-formed proof;
 *   ZKR_ERR_MISMATCH_STATEMENT   the proof names another statement_id;
 *   ZKR_ERR_MISMATCH_PARAMS      another proof system, parameter set or kind;
 *   ZKR_ERR_MISMATCH_MODEL       another W commitment;
 *   ZKR_ERR_MISMATCH_INPUT       other dimensions or x;
 *   ZKR_ERR_MISMATCH_OUTPUT      another y;
 *   ZKR_ERR_VERIFY               well formed and bound to this statement,
 *                                but the mathematics fails (invalid proof);
 *   ZKR_ERR_NOMEM.
 * Thread-safe (no shared state). Nothing secret.
 */
#ifndef ZKR_VERIFIER_H
#define ZKR_VERIFIER_H

#include "zk/zk.h"

/* What the caller (the signer) takes from the registry, not from the proof. */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint32_t param_set;     /* the schema's pinned parameter set */
    zkr_matmul_public pub;  /* dims, x, y and the registered W commitment */
} zkr_verifier_matmul_statement;

/*
 * Verifies a matmul@1 proof file (proof, len) against the registered
 * statement st. Returns as in the contract above; d names the failing field.
 */
zkr_err zkr_verify_matmul(const uint8_t *proof, size_t len,
                          const zkr_verifier_matmul_statement *st, zkr_diag *d) ZKR_WUR;

/*
 * Parses only the header (magic, version, ids, statement_id, sections),
 * strictly. For callers that must route a proof by kind before verifying.
 */
zkr_err zkr_verify_header(const uint8_t *proof, size_t len, zkr_proof_view *out,
                          zkr_diag *d) ZKR_WUR;

/* ================================================================== */
/* inference@1 (verifier/inference.c; infer engineer)                   */
/* ================================================================== */
/*
 * What the caller takes from the registry for an inference@1 statement
 * (never from the proof): every binding of DESIGN.md section 4.3.
 */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint32_t param_set;                          /* the schema's pinned parameter set */
    uint8_t program_digest[ZKR_DIGEST_BYTES];    /* the program artifact's sha256 */
    uint8_t model_commitment[ZKR_DIGEST_BYTES];  /* the model's commitment column */
    uint8_t dataset_commitment[ZKR_DIGEST_BYTES]; /* the dataset's commitment column */
    uint64_t record_index;                       /* the statement's record parameter */
    const uint8_t *output;                       /* the statement's public output bytes */
    size_t output_len;
} zkr_verifier_inference_statement;

/*
 * Verifies an inference@1 proof file against the registered statement.
 * Returns ZKR_OK, or (checked in this order) ZKR_ERR_MALFORMED /
 * ZKR_ERR_TOO_LARGE / ZKR_ERR_UNSUPPORTED (bytes), ZKR_ERR_MISMATCH_PARAMS
 * (proof system, parameter set, kind), ZKR_ERR_MISMATCH_STATEMENT
 * (statement_id), ZKR_ERR_MISMATCH_PROGRAM (program digest),
 * ZKR_ERR_MISMATCH_MODEL (model commitment), ZKR_ERR_MISMATCH_DATASET
 * (dataset commitment), ZKR_ERR_MISMATCH_INPUT (record index, or the
 * record is not that record of the committed dataset),
 * ZKR_ERR_MISMATCH_OUTPUT (public output), ZKR_ERR_VERIFY (bound to this
 * statement but the mathematics fails), ZKR_ERR_NOMEM. d names the field.
 * Allocation is bounded by the program's shapes (at most 16 layers of
 * 4096 x 4096), never by a length read from the file.
 */
zkr_err zkr_verify_inference(const uint8_t *proof, size_t len,
                             const zkr_verifier_inference_statement *st, zkr_diag *d) ZKR_WUR;

/* ================================================================== */
/* evaluation@1 (verifier/evaluation.c)                                 */
/* ================================================================== */
/*
 * What the caller takes from the registry for an evaluation@1 statement
 * (never from the proof). The records are the registered dataset's
 * records first..first+count-1, read by the caller from the dataset file
 * (count x rec_len bytes, contiguous): the verifier hashes them into the
 * dataset root with the proof's range proof, and evaluates the input layer
 * and the labels from them.
 */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint32_t param_set;
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    uint8_t model_commitment[ZKR_DIGEST_BYTES];
    uint8_t dataset_commitment[ZKR_DIGEST_BYTES];
    uint64_t first, count;                       /* the statement's record range */
    const uint8_t *records;
    size_t rec_len;
    const uint8_t *output;                       /* the statement's public output bytes */
    size_t output_len;
} zkr_verifier_evaluation_statement;

/*
 * Verifies an evaluation@1 proof against the registered statement. Returns
 * ZKR_OK, or (checked in this order) ZKR_ERR_MALFORMED / TOO_LARGE /
 * UNSUPPORTED (bytes), ZKR_ERR_MISMATCH_PARAMS (proof system, parameter
 * set, kind), ZKR_ERR_MISMATCH_STATEMENT, ZKR_ERR_MISMATCH_PROGRAM,
 * ZKR_ERR_MISMATCH_MODEL, ZKR_ERR_MISMATCH_DATASET, ZKR_ERR_MISMATCH_INPUT
 * (the record range differs, records of the wrong length, or the given
 * records are not that range of the committed dataset),
 * ZKR_ERR_MISMATCH_OUTPUT (public output), ZKR_ERR_VERIFY (the
 * mathematics, or a proven count below a threshold statement's tau),
 * ZKR_ERR_NOMEM. *correct (may be NULL) gets the proven number correct on
 * ZKR_OK. Allocation is bounded by the program and the range, never by a
 * length read from the file. Pure; thread safe.
 */
zkr_err zkr_verify_evaluation(const uint8_t *proof, size_t len,
                              const zkr_verifier_evaluation_statement *st, uint64_t *correct,
                              zkr_diag *d) ZKR_WUR;
/*
 * Test builds only (ZKR_TEST_BUILD): as zkr_verify_evaluation with the
 * checks named by off skipped (verifier/evaluation_int.h ZKR_EVAL_OFF_*,
 * ZKR_EVAL_AM_OFF_*), for the soundness tests' teeth.
 */
zkr_err zkr_verify_evaluation_off(const uint8_t *proof, size_t len,
                                  const zkr_verifier_evaluation_statement *st, unsigned off,
                                  uint64_t *correct, zkr_diag *d) ZKR_WUR;

/* ================================================================== */
/* training-step@1 (verifier/training.c)                                */
/* ================================================================== */
/*
 * Verifies a training-step@1 proof against st, whose every value the
 * caller took from the registry (program digest, parent and child
 * commitments, dataset commitment, batch indices, lr, shift, steps).
 * Checks in order: bytes (ZKR_ERR_MALFORMED / TOO_LARGE / UNSUPPORTED),
 * proof system, parameter set and kind (MISMATCH_PARAMS), statement_id
 * (MISMATCH_STATEMENT), program (MISMATCH_PROGRAM), parent then child
 * commitment (MISMATCH_MODEL, naming which), dataset (MISMATCH_DATASET),
 * batch indices (distinct) and record inclusion (MISMATCH_INPUT, naming
 * the batch position), lr / shift / steps (MISMATCH_PARAMS), then the
 * mathematics (ZKR_ERR_VERIFY, d naming the failed checks; every relation
 * and its integer argument: docs/soundness.md). A body that is truncated
 * or has trailing bytes is ZKR_ERR_MALFORMED. ZKR_ERR_INTERNAL (no
 * verdict) if the proof's evaluation claims are not the shape's 16 L - 3.
 * Pure; thread safe.
 */
zkr_err zkr_verify_train_step(const zkr_params *p, const zkr_train_statement *st,
                              const uint8_t *proof, size_t len, zkr_diag *d) ZKR_WUR;


/* ================================================================== */
/* matmul@2: hiding matrix product (verifier/matmul2.c)                 */
/* ================================================================== */
/* What the caller takes from the registry for a matmul@2 statement. */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint32_t param_set;
    zkr_matmul2_public pub; /* dims, x, y, W's hiding commitment and |W| bound */
} zkr_verifier_matmul2_statement;

/*
 * Verifies a matmul@2 proof file against st. Returns as matmul@1's
 * contract: MALFORMED / TOO_LARGE / UNSUPPORTED (bytes), MISMATCH_PARAMS
 * (proof system, parameter set, kind), MISMATCH_STATEMENT, MISMATCH_MODEL
 * (W's hiding commitment, its size or blinding), MISMATCH_INPUT (dims, x),
 * MISMATCH_OUTPUT (y), VERIFY (the mathematics, or a statement whose field
 * equation would not be the integer one), NOMEM. Allocation is bounded by
 * the statement and the parameter set.
 */
zkr_err zkr_verify_matmul2(const uint8_t *proof, size_t len,
                           const zkr_verifier_matmul2_statement *st, zkr_diag *d) ZKR_WUR;
/*
 * Test builds only (ZKR_TEST_BUILD; never called by zkreg): as
 * zkr_verify_matmul2 with every opening read at `queries` (0: the shape's
 * q'), the teeth of the query-count attacks (tests/soundness/test_sound_ldr.c).
 */
zkr_err zkr_verify_matmul2_at_queries(const uint8_t *proof, size_t len,
                                      const zkr_verifier_matmul2_statement *st, unsigned queries,
                                      zkr_diag *d) ZKR_WUR;


/* ================================================================== */
/* inference@2: hiding inference (verifier/inference2.c)                */
/* ================================================================== */
/*
 * What the caller takes from the registry for an inference@2 statement
 * (never from the proof).
 */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint32_t param_set;
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    uint8_t model_commitment[ZKR_DIGEST_BYTES];   /* zkr_infer2_mc_digest of the v2 encoding */
    uint8_t dataset_commitment[ZKR_DIGEST_BYTES]; /* zkr_infer2_dataset_commitment */
    uint64_t record_index;
    int public_output;    /* the schema's public_output */
    const uint8_t *output; /* public: zkr_infer_output_encode bytes; else the 48-byte output
                            * commitment (zkr_infer2_oc_encode) */
    size_t output_len;
} zkr_verifier_inference2_statement;

/*
 * Verifies an inference@2 proof against st. Returns ZKR_OK, or (checked in
 * this order) ZKR_ERR_MALFORMED / TOO_LARGE / UNSUPPORTED (bytes),
 * ZKR_ERR_MISMATCH_PARAMS (proof system, parameter set, kind),
 * ZKR_ERR_MISMATCH_STATEMENT (statement_id), ZKR_ERR_MISMATCH_PROGRAM,
 * ZKR_ERR_MISMATCH_MODEL (the model commitment v2 in the proof does not
 * digest to st's, or does not fit the program), ZKR_ERR_MISMATCH_DATASET,
 * ZKR_ERR_MISMATCH_INPUT (record index, or the record commitment is not
 * that leaf of the committed dataset), ZKR_ERR_MISMATCH_OUTPUT (output mode
 * or bytes), ZKR_ERR_VERIFY (the mathematics), ZKR_ERR_NOMEM. Allocation is
 * bounded by the program's shapes and the parameter set. Pure; thread safe.
 */
zkr_err zkr_verify_inference2(const uint8_t *proof, size_t len,
                              const zkr_verifier_inference2_statement *st,
                              zkr_diag *d) ZKR_WUR;

#endif
