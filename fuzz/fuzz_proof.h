/* The fixed statement fuzz_proof verifies against (fuzz/gen_corpus.c proves it). */
#ifndef ZKR_FUZZ_PROOF_H
#define ZKR_FUZZ_PROOF_H

#include "prover/prover.h"
#include "verifier/verifier.h"

/* Fills st (and its W commitment *poly, NULL on failure; free it). */
void zkr_fuzz_proof_statement(zkr_verifier_matmul_statement *st, zkr_pcs_poly **poly);
/* The statement's W (2 x 3, row-major). */
const int64_t *zkr_fuzz_proof_w(void);

#endif
