/* The fixed statement fuzz_proof verifies against (fuzz/gen_corpus.c proves
 * it; tests/fuzz/test_proof_statement.c checks that the prover still commits
 * W to the root written here and that the corpus's valid seed verifies). */
#ifndef ZKR_FUZZ_PROOF_H
#define ZKR_FUZZ_PROOF_H

#include "verifier/verifier.h"

/* Fills st, W's commitment included: the harness needs no prover, so the
 * AFL++ build compiles only what the verifier links. */
void zkr_fuzz_proof_statement(zkr_verifier_matmul_statement *st);
/* The statement's W (2 x 3, row-major). */
const int64_t *zkr_fuzz_proof_w(void);

#endif
