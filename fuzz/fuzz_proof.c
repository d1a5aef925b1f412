/*
 * matmul@1 proof files (verifier/, docs/proof-system.md "Proof byte
 * layout") against one fixed small statement. W's commitment is written
 * here, not recomputed: the harness then links the verifier alone, which
 * keeps CI's AFL++ build (.ci/fuzz-smoke) to the code it fuzzes.
 */
#include <string.h>

#include "fuzz.h"
#include "fuzz_proof.h"

/* The statement the corpus proofs were made for (fuzz/corpus/proof/). */
static const int64_t fz_w[6] = {3, -1, 4, 1, -5, 9};
static const int64_t fz_x[3] = {2, -7, 1};
static const int64_t fz_y[2] = {3 * 2 + 1 * 7 + 4, 2 + 35 + 9};
/* zkr_prover_matmul_commit(fz_w, 2, 3) at ZKR_PARAM_SET_128: 2^3 evaluations
 * (tests/fuzz/test_proof_statement.c recomputes it). */
static const uint8_t fz_w_root[ZKR_DIGEST_BYTES] = {
    0x29, 0xfe, 0xa8, 0xd8, 0x73, 0x4a, 0x1b, 0x00, 0x2c, 0xcd, 0x21, 0xb0, 0xfb, 0xcc, 0x99, 0xe9,
    0xd2, 0x7c, 0x22, 0xce, 0x16, 0x2d, 0x02, 0x97, 0xf8, 0x52, 0x22, 0x5e, 0x7a, 0x47, 0x58, 0x96};

const int64_t *zkr_fuzz_proof_w(void)
{
    return fz_w;
}

void zkr_fuzz_proof_statement(zkr_verifier_matmul_statement *st)
{
    memset(st, 0, sizeof *st);
    memcpy(st->pub.w.root, fz_w_root, sizeof fz_w_root);
    st->pub.w.n_vars = 3;
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

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    zkr_fuzz_proof_statement(&st);
    (void)!zkr_verify_matmul(data, size, &st, NULL);
    return 0;
}
