/*
 * matmul@1 proof files (verifier/, docs/proof-system.md "Proof byte
 * layout") against one fixed small statement. The W commitment is
 * recomputed per input (tiny), so the harness keeps no state.
 */
#include <string.h>

#include "fuzz.h"
#include "fuzz_proof.h"

/* The statement the corpus proofs were made for (fuzz/corpus/proof/). */
static const int64_t fz_w[6] = {3, -1, 4, 1, -5, 9};
static const int64_t fz_x[3] = {2, -7, 1};
static const int64_t fz_y[2] = {3 * 2 + 1 * 7 + 4, 2 + 35 + 9};

const int64_t *zkr_fuzz_proof_w(void)
{
    return fz_w;
}

void zkr_fuzz_proof_statement(zkr_verifier_matmul_statement *st, zkr_pcs_poly **poly)
{
    zkr_params p;

    memset(st, 0, sizeof *st);
    *poly = NULL;
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_prover_matmul_commit(&p, fz_w, 2, 3, 1, poly, &st->pub.w) != ZKR_OK)
        return;
    memset(st->statement_id, 0x5a, sizeof st->statement_id);
    st->param_set = ZKR_PARAM_SET_128;
    st->pub.m = 2, st->pub.k = 3, st->pub.b = 1;
    st->pub.w_max_abs = 9;
    st->pub.x = fz_x;
    st->pub.y = fz_y;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_verifier_matmul_statement st;
    zkr_pcs_poly *poly;

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    zkr_fuzz_proof_statement(&st, &poly);
    if (poly)
        (void)!zkr_verify_matmul(data, size, &st, NULL);
    zkr_pcs_poly_free(poly);
    return 0;
}
