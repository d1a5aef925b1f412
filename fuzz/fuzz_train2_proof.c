/*
 * The training-step@2 (hiding training step) verifier end to end: the
 * public inputs and a proof body, both from the input
 * (fuzz_train2_proof.h). Seeds are real pairs from the prover
 * (fuzz/gen_corpus.c), so mutations reach the range proof with its linear
 * claim, the product sumcheck and every hiding opening.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_train2_proof.h"
#include "verifier/training2.h"

typedef struct {
    const uint8_t *p;
    size_t len, off;
} rd;

static int take(rd *r, size_t n, const uint8_t **out)
{
    if (r->len - r->off < n)
        return 0;
    *out = r->p + r->off;
    r->off += n;
    return 1;
}

static int u32(rd *r, uint32_t *v)
{
    const uint8_t *b;

    if (!take(r, 4, &b))
        return 0;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 1;
}

static int weights(rd *r, const zkr_train2_shape *s, int32_t **w)
{
    for (uint32_t l = 0; l < s->n_layers; l++) {
        size_t n = (size_t)s->out[l] * (s->in[l] + 1);
        if (!(w[l] = malloc(n * sizeof(int32_t))))
            return 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t v;
            if (!u32(r, &v))
                return 0;
            w[l][i] = (int32_t)v;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd r = {data, size, 0};
    zkr_params p;
    zkr_train2_public pub;
    int32_t *pw[ZKR_TRAIN_MAX_LAYERS] = {0}, *cw[ZKR_TRAIN_MAX_LAYERS] = {0};
    uint64_t idx[ZKR_FUZZ_TRAIN2_MAX_BATCH];
    const uint8_t(*paths[ZKR_FUZZ_TRAIN2_MAX_BATCH])[ZKR_DIGEST_BYTES];
    size_t plen[ZKR_FUZZ_TRAIN2_MAX_BATCH];
    uint8_t rc[ZKR_FUZZ_TRAIN2_MAX_BATCH][ZKR_RECORD_COMMIT_BYTES];
    uint32_t q, pow, L, dims[ZKR_FUZZ_TRAIN2_MAX_LAYERS + 1], batch, lr, shift;
    const uint8_t *sid, *b;
    zkr_err e;

    memset(&pub, 0, sizeof pub);
    if (size > ZKR_FUZZ_TRAIN2_MAX_INPUT || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        !u32(&r, &q) || !u32(&r, &pow) || !take(&r, 32, &sid) || !u32(&r, &L) ||
        L < 2 || L > ZKR_FUZZ_TRAIN2_MAX_LAYERS)
        return 0;
    if (q < 1 || q > p.queries || pow > p.pow_bits)
        return 0;
    p.queries = q;
    p.pow_bits = pow;
    for (uint32_t l = 0; l <= L; l++)
        if (!u32(&r, &dims[l]) || dims[l] > ZKR_FUZZ_TRAIN2_MAX_DIM)
            return 0;
    if (!u32(&r, &batch) || !u32(&r, &lr) || !u32(&r, &shift) || batch > ZKR_FUZZ_TRAIN2_MAX_BATCH ||
        zkr_train2_shape_of(L, dims, batch, lr, shift, p.max_vars, &pub.s, NULL) != ZKR_OK)
        return 0;
    if (!weights(&r, &pub.s, pw) || !weights(&r, &pub.s, cw) || !take(&r, 8, &b))
        goto out;
    pub.n_records = zkr_load_le64(b);
    if (!take(&r, 32, &b))
        goto out;
    memcpy(pub.root, b, 32);
    for (uint32_t i = 0; i < batch; i++) {
        uint32_t pl;
        if (!take(&r, 8, &b))
            goto out;
        idx[i] = zkr_load_le64(b);
        if (!take(&r, ZKR_RECORD_COMMIT_BYTES, &b))
            goto out;
        memcpy(rc[i], b, ZKR_RECORD_COMMIT_BYTES);
        if (!u32(&r, &pl) || pl > ZKR_FUZZ_TRAIN2_MAX_PATH || !take(&r, (size_t)pl * 32, &b))
            goto out;
        paths[i] = (const uint8_t(*)[ZKR_DIGEST_BYTES])b;
        plen[i] = pl;
    }
    for (uint32_t l = 0; l < L; l++) {
        pub.parent[l] = pw[l];
        pub.child[l] = cw[l];
    }
    pub.indices = idx;
    pub.rec_commit = (const uint8_t(*)[ZKR_RECORD_COMMIT_BYTES])rc;
    pub.paths = paths;
    pub.path_len = plen;
    e = zkr_verify_train2(&p, sid, &pub, data + r.off, size - r.off, NULL);
    if (e != ZKR_OK && e != ZKR_ERR_MALFORMED && e != ZKR_ERR_TOO_LARGE &&
        e != ZKR_ERR_UNSUPPORTED && e != ZKR_ERR_MISMATCH_MODEL && e != ZKR_ERR_MISMATCH_INPUT &&
        e != ZKR_ERR_VERIFY && e != ZKR_ERR_NOMEM)
        abort();
out:
    for (uint32_t l = 0; l < ZKR_TRAIN_MAX_LAYERS; l++) {
        free(pw[l]);
        free(cw[l]);
    }
    return 0;
}
