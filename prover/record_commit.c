/*
 * Hiding record commitment, prover side: the record's bytes behind the
 * hiding commitment, every blinding entry and salt from one generator key
 * that the secret opening keeps (zk/zk.h, prover/prover.h).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "zkr_config.h"

/* The commitment of rec under key (deterministic). */
static zkr_err zkr_rc_build(const zkr_params *p, const uint8_t *rec, size_t len, uint32_t budget,
                            const uint8_t key[32], unsigned threads, zkr_hpcs_poly **poly,
                            zkr_record_commitment *rc)
{
    unsigned n = zkr_log2_ceil(len);
    zkr_gl *ev = calloc((size_t)1 << n, sizeof *ev);
    zkr_zkrng rng;
    zkr_err r;

    if (!ev)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < len; i++)
        ev[i] = rec[i];
    zkr_zkrng_from_key(&rng, key);
    rc->len = (uint32_t)len;
    r = zkr_prover_hcommit(p, ev, n, budget, &rng, threads ? threads : 1, poly, &rc->comm);
    zkr_zkrng_wipe(&rng);
    sodium_memzero(ev, ((size_t)1 << n) * sizeof *ev);
    free(ev);
    return r;
}

zkr_err zkr_prover_record_commit(const zkr_params *p, const uint8_t *rec, size_t len,
                                 uint32_t budget, const uint8_t *seed, size_t seed_len,
                                 unsigned threads, uint8_t commitment[ZKR_RECORD_COMMIT_BYTES],
                                 uint8_t opening[ZKR_RECORD_OPENING_BYTES])
{
    zkr_record_commitment rc;
    zkr_hpcs_poly *poly = NULL;
    uint8_t key[32];
    zkr_err r;

    if (!rec || len == 0 || len > ZKR_RECORD_MAX_LEN || budget == 0 ||
        budget > ZKR_HPCS_MAX_BUDGET)
        return ZKR_ERR_USAGE;
    if (seed) {
        /* RFC 6979's idea: the secret seed keys a hash of what is committed. */
        uint8_t ctx[8 + 32];
        char label[48];
        zkr_zkrng g;
        zkr_store_be32(ctx, (uint32_t)len);
        zkr_store_be32(ctx + 4, budget);
        crypto_generichash(ctx + 8, 32, rec, len, NULL, 0);
        /* each set its own mask (as zkr_prover_infer2_commit): set 1 keeps its bytes */
        zkr_prover_set_label("record commit", p->id, label, sizeof label);
        r = zkr_zkrng_seeded(&g, seed, seed_len, label, ctx, sizeof ctx);
        sodium_memzero(ctx, sizeof ctx);
        if (r != ZKR_OK)
            return r;
        zkr_zkrng_bytes(&g, key, sizeof key);
        zkr_zkrng_wipe(&g);
    } else {
        randombytes_buf(key, sizeof key);
    }
    r = zkr_rc_build(p, rec, len, budget, key, threads, &poly, &rc);
    if (r == ZKR_OK) {
        zkr_record_commitment_encode(&rc, commitment);
        zkr_store_be32(opening, 1);
        zkr_store_be32(opening + 4, budget);
        memcpy(opening + 8, key, sizeof key);
    }
    sodium_memzero(key, sizeof key);
    zkr_hpcs_poly_free(poly);
    return r;
}

zkr_err zkr_prover_record_reopen(const zkr_params *p, const uint8_t *rec, size_t len,
                                 const uint8_t commitment[ZKR_RECORD_COMMIT_BYTES],
                                 const uint8_t opening[ZKR_RECORD_OPENING_BYTES],
                                 unsigned threads, zkr_hpcs_poly **poly)
{
    zkr_record_commitment want, got;
    uint32_t budget;
    zkr_err r;

    *poly = NULL;
    if (zkr_record_commitment_decode(p, commitment, ZKR_RECORD_COMMIT_BYTES, &want) != ZKR_OK ||
        zkr_load_be32(opening) != 1)
        return ZKR_ERR_MALFORMED;
    budget = zkr_load_be32(opening + 4);
    if (budget == 0 || budget > ZKR_HPCS_MAX_BUDGET)
        return ZKR_ERR_MALFORMED;
    if (!rec || len != want.len)
        return ZKR_ERR_MISMATCH_INPUT;
    if ((r = zkr_rc_build(p, rec, len, budget, opening + 8, threads, poly, &got)) != ZKR_OK)
        return r;
    if (got.comm.n_vars != want.comm.n_vars || got.comm.blind_vars != want.comm.blind_vars ||
        sodium_memcmp(got.comm.root, want.comm.root, ZKR_DIGEST_BYTES) != 0) {
        zkr_hpcs_poly_free(*poly);
        *poly = NULL;
        return ZKR_ERR_MISMATCH_INPUT;
    }
    return ZKR_OK;
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_record_commit_gl_for_test(const zkr_params *p, const zkr_gl *ev, size_t len,
                                             uint32_t budget, const uint8_t key[32],
                                             unsigned threads, zkr_hpcs_poly **poly,
                                             uint8_t commitment[ZKR_RECORD_COMMIT_BYTES])
{
    unsigned n = zkr_log2_ceil(len);
    zkr_gl *buf;
    zkr_hpcs_poly *f = NULL;
    zkr_record_commitment rc;
    zkr_zkrng rng;
    zkr_err r;

    if (poly)
        *poly = NULL;
    if (!ev || len == 0 || len > ZKR_RECORD_MAX_LEN || budget == 0 ||
        budget > ZKR_HPCS_MAX_BUDGET)
        return ZKR_ERR_USAGE;
    if (!(buf = calloc((size_t)1 << n, sizeof *buf)))
        return ZKR_ERR_NOMEM;
    memcpy(buf, ev, len * sizeof *buf);
    zkr_zkrng_from_key(&rng, key);
    rc.len = (uint32_t)len;
    r = zkr_prover_hcommit(p, buf, n, budget, &rng, threads ? threads : 1, &f, &rc.comm);
    zkr_zkrng_wipe(&rng);
    free(buf);
    if (r == ZKR_OK && commitment)
        zkr_record_commitment_encode(&rc, commitment);
    if (r == ZKR_OK && poly)
        *poly = f;
    else
        zkr_hpcs_poly_free(f);
    return r;
}
#endif
