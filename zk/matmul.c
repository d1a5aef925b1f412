/* matmul@1 definitions shared by the prover and the verifier. */
#include <string.h>

#include <sodium.h>

#include "zk/zk.h"

zkr_err zkr_matmul_check_dims(uint32_t m, uint32_t k, uint32_t b)
{
    if (m == 0 || k == 0 || b == 0)
        return ZKR_ERR_USAGE;
    if (m > ZKR_MATMUL_MAX_DIM || k > ZKR_MATMUL_MAX_DIM || b > ZKR_MATMUL_MAX_DIM)
        return ZKR_ERR_TOO_LARGE;
    if (zkr_log2_ceil(m) + zkr_log2_ceil(k) > ZKR_MATMUL_MAX_LOG_W ||
        zkr_log2_ceil(k) + zkr_log2_ceil(b) > ZKR_MATMUL_MAX_LOG_X ||
        zkr_log2_ceil(m) + zkr_log2_ceil(b) > ZKR_MATMUL_MAX_LOG_X)
        return ZKR_ERR_TOO_LARGE;
    return ZKR_OK;
}

zkr_err zkr_matmul_check_values(const int64_t *v, size_t n, size_t *bad)
{
    /* int64 is wider than (-p/2, p/2): outside it two integers share a field
     * image (v and v - p), and the field equation says nothing about which. */
    for (size_t i = 0; i < n; i++)
        if (v[i] > ZKR_MATMUL_MAX_ABS || v[i] < -ZKR_MATMUL_MAX_ABS) {
            if (bad)
                *bad = i;
            return ZKR_ERR_TOO_LARGE;
        }
    return ZKR_OK;
}

zkr_err zkr_matmul_check_integer(const zkr_matmul_public *pub, const char **what)
{
    const char *dummy;

    if (!what)
        what = &dummy;
    *what = "";
    if (zkr_matmul_check_values(pub->x, (size_t)pub->k * pub->b, NULL) != ZKR_OK) {
        *what = "an entry of x is outside +-(p-1)/2";
        return ZKR_ERR_TOO_LARGE;
    }
    if (zkr_matmul_check_values(pub->y, (size_t)pub->m * pub->b, NULL) != ZKR_OK) {
        *what = "an entry of y is outside +-(p-1)/2";
        return ZKR_ERR_TOO_LARGE;
    }
    for (uint32_t c = 0; c < pub->b; c++) {
        /* |y - W x| <= |y| + w_max * sum_j |x_j| must stay below p: exact in 128 bits
         * (sum < 2^16 * 2^63 = 2^79, times w_max < 2^64: < 2^143 would not fit, so
         * the product is compared by division). */
        unsigned __int128 sx = 0, ymax = 0, room;
        for (uint32_t j = 0; j < pub->k; j++) {
            int64_t v = pub->x[(size_t)j * pub->b + c];
            sx += v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        }
        for (uint32_t i = 0; i < pub->m; i++) {
            int64_t v = pub->y[(size_t)i * pub->b + c];
            uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            if (a > ymax)
                ymax = a;
        }
        room = (unsigned __int128)ZKR_GL_P - 1 - ymax; /* ymax <= (p-1)/2 */
        if (pub->w_max_abs != 0 && sx > room / pub->w_max_abs) {
            *what = "the W bound times sum |x| plus |y| reaches p";
            return ZKR_ERR_TOO_LARGE;
        }
    }
    return ZKR_OK;
}

void zkr_matrix_digest(const int64_t *v, size_t n, uint8_t out[ZKR_DIGEST_BYTES])
{
    crypto_generichash_blake2b_state h;
    uint8_t b[8 * 64];
    size_t k = 0;

    (void)crypto_generichash_blake2b_init(&h, NULL, 0, ZKR_DIGEST_BYTES);
    (void)crypto_generichash_blake2b_update(&h, (const uint8_t *)"zkr/matrix/v1", 13);
    for (size_t i = 0; i < n; i++) {
        zkr_store_le64(b + k, zkr_gl_from_i64(v[i]));
        k += 8;
        if (k == sizeof b) {
            (void)crypto_generichash_blake2b_update(&h, b, k);
            k = 0;
        }
    }
    (void)crypto_generichash_blake2b_update(&h, b, k);
    (void)crypto_generichash_blake2b_final(&h, out, ZKR_DIGEST_BYTES);
}

void zkr_matmul_transcript(zkr_transcript *t, const zkr_params *p,
                           const uint8_t statement_id[ZKR_DIGEST_BYTES],
                           const zkr_matmul_public *pub)
{
    uint8_t pd[ZKR_DIGEST_BYTES], dx[ZKR_DIGEST_BYTES], dy[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_MATMUL_PROTOCOL, 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, statement_id);
    zkr_ts_absorb_u64(t, "m", pub->m);
    zkr_ts_absorb_u64(t, "k", pub->k);
    zkr_ts_absorb_u64(t, "b", pub->b);
    zkr_ts_absorb(t, "w-commitment", pub->w.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_u64(t, "w-vars", pub->w.n_vars);
    /* x and y enter through collision-resistant digests of their field images. */
    zkr_matrix_digest(pub->x, (size_t)pub->k * pub->b, dx);
    zkr_matrix_digest(pub->y, (size_t)pub->m * pub->b, dy);
    zkr_ts_absorb(t, "x", dx, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "y", dy, ZKR_DIGEST_BYTES);
}

zkr_soundness zkr_matmul_soundness(const zkr_params *p, uint32_t m, uint32_t k, uint32_t b)
{
    unsigned lm = zkr_log2_ceil(m), lk = zkr_log2_ceil(k), lb = zkr_log2_ceil(b);

    /* The point (rb, ri) counts as lm + lb extra degree-1 "rounds". */
    return zkr_params_soundness_open(p, lm + lk, 1, 1, 2 * lk + lm + lb, 1); /* one W, one claim */
}
