/*
 * The verifier end to end: a registered statement (as the signer hands it
 * to zkr_verify_matmul) and a proof, both taken from the input
 * (fuzz_verifier.h gives the layout). Seeds are valid (statement, proof)
 * pairs from the real prover (fuzz/make-corpus), so mutations of either
 * half reach the binding checks, the sumcheck rounds and the Basefold
 * openings, not only the header parser; fuzz_proof covers one fixed
 * statement.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_verifier.h"
#include "verifier/verifier.h"

static int64_t *load_vec(const uint8_t *p, size_t n)
{
    int64_t *v = malloc(n ? n * sizeof *v : 1);

    for (size_t i = 0; v != NULL && i < n; i++)
        v[i] = (int64_t)zkr_load_le64(p + 8 * i);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_verifier_matmul_statement st;
    int64_t *x = NULL, *y = NULL;
    size_t nx, ny, off;
    zkr_err r;

    if (size > ZKR_FUZZ_MAX_INPUT || size < ZKR_FUZZ_VERIFIER_HEADER)
        return 0;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, data, 32);
    st.param_set = zkr_fuzz_ld32(data + 32);
    st.pub.m = zkr_fuzz_ld32(data + 36);
    st.pub.k = zkr_fuzz_ld32(data + 40);
    st.pub.b = zkr_fuzz_ld32(data + 44);
    memcpy(st.pub.w.root, data + 48, 32);
    st.pub.w.n_vars = zkr_fuzz_ld32(data + 80);
    st.pub.w_max_abs = ZKR_FUZZ_VERIFIER_W_MAX; /* the registrar's int8 bound, as the seeds' W */
    /* The registry only holds statements whose dimensions passed this check. */
    if (zkr_matmul_check_dims(st.pub.m, st.pub.k, st.pub.b) != ZKR_OK ||
        st.pub.m > ZKR_FUZZ_VERIFIER_MAX_DIM || st.pub.k > ZKR_FUZZ_VERIFIER_MAX_DIM ||
        st.pub.b > ZKR_FUZZ_VERIFIER_MAX_DIM)
        return 0;
    nx = (size_t)st.pub.k * st.pub.b;
    ny = (size_t)st.pub.m * st.pub.b;
    off = ZKR_FUZZ_VERIFIER_HEADER + 8 * (nx + ny);
    if (size < off)
        return 0;
    x = load_vec(data + ZKR_FUZZ_VERIFIER_HEADER, nx);
    y = load_vec(data + ZKR_FUZZ_VERIFIER_HEADER + 8 * nx, ny);
    if (x != NULL && y != NULL) {
        st.pub.x = x;
        st.pub.y = y;
        r = zkr_verify_matmul(data + off, size - off, &st, NULL);
        /* The contract's error set, nothing else (a signer gates on these). */
        if (r != ZKR_OK && r != ZKR_ERR_MALFORMED && r != ZKR_ERR_TOO_LARGE &&
            r != ZKR_ERR_UNSUPPORTED && r != ZKR_ERR_MISMATCH_STATEMENT &&
            r != ZKR_ERR_MISMATCH_PARAMS && r != ZKR_ERR_MISMATCH_MODEL &&
            r != ZKR_ERR_MISMATCH_INPUT && r != ZKR_ERR_MISMATCH_OUTPUT &&
            r != ZKR_ERR_VERIFY && r != ZKR_ERR_NOMEM)
            abort();
    }
    free(x);
    free(y);
    return 0;
}
