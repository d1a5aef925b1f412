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

#endif
