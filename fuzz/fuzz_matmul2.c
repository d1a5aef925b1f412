/*
 * The matmul@2 (hiding) verifier end to end: a registered statement and a
 * proof, both from the input (fuzz_matmul2.h). Seeds are real (statement,
 * proof) pairs (fuzz/gen_corpus.c), so mutations reach the masked
 * sumcheck and the hiding opening's parser and checks, not only the
 * header.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_matmul2.h"
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
    zkr_verifier_matmul2_statement st;
    int64_t *x = NULL, *y = NULL;
    size_t nx, ny, off;
    zkr_err r;

    if (size > ZKR_FUZZ_MAX_INPUT || size < ZKR_FUZZ_MATMUL2_HEADER)
        return 0;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, data, 32);
    st.param_set = zkr_fuzz_ld32(data + 32);
    st.pub.m = zkr_fuzz_ld32(data + 36);
    st.pub.k = zkr_fuzz_ld32(data + 40);
    st.pub.b = zkr_fuzz_ld32(data + 44);
    memcpy(st.pub.w.root, data + 48, 32);
    st.pub.w.n_vars = zkr_fuzz_ld32(data + 80);
    st.pub.w.blind_vars = zkr_fuzz_ld32(data + 84);
    st.pub.w_max_abs = ZKR_FUZZ_MATMUL2_W_MAX;
    if (zkr_matmul_check_dims(st.pub.m, st.pub.k, st.pub.b) != ZKR_OK ||
        st.pub.m > ZKR_FUZZ_MATMUL2_MAX_DIM || st.pub.k > ZKR_FUZZ_MATMUL2_MAX_DIM ||
        st.pub.b > ZKR_FUZZ_MATMUL2_MAX_DIM || st.pub.w.blind_vars > ZKR_HPCS_MAX_BLIND_VARS)
        return 0;
    nx = (size_t)st.pub.k * st.pub.b;
    ny = (size_t)st.pub.m * st.pub.b;
    off = ZKR_FUZZ_MATMUL2_HEADER + 8 * (nx + ny);
    if (size < off)
        return 0;
    x = load_vec(data + ZKR_FUZZ_MATMUL2_HEADER, nx);
    y = load_vec(data + ZKR_FUZZ_MATMUL2_HEADER + 8 * nx, ny);
    if (x != NULL && y != NULL) {
        st.pub.x = x;
        st.pub.y = y;
        r = zkr_verify_matmul2(data + off, size - off, &st, NULL);
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
