/*
 * A proof's pool of large scratch buffers (prover/prover.h). Fresh large
 * allocations are mapped fresh by the C library and every page of them is
 * faulted in and zeroed by the kernel on first touch (about a third of a
 * training-step@2 proof's time went there); a buffer handed back to the
 * pool is given out again to the next request of exactly its size, already
 * faulted in. Secret contents are wiped when a buffer is handed back.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"

#define ZKR_HPOOL_SLOTS 32
/* Smaller buffers go to and from malloc: the heap already reuses them. */
#define ZKR_HPOOL_MIN ((size_t)1 << 20)

struct zkr_hpcs_pool {
    void *buf[ZKR_HPOOL_SLOTS];
    size_t len[ZKR_HPOOL_SLOTS];
};

zkr_err zkr_hpcs_pool_new(zkr_hpcs_pool **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? ZKR_OK : ZKR_ERR_NOMEM;
}

void zkr_hpcs_pool_free(zkr_hpcs_pool *pool)
{
    if (!pool)
        return;
    for (unsigned i = 0; i < ZKR_HPOOL_SLOTS; i++)
        free(pool->buf[i]); /* wiped when handed back */
    free(pool);
}

void *zkr_hpcs_pool_get(zkr_hpcs_pool *pool, size_t bytes)
{
    if (pool && bytes >= ZKR_HPOOL_MIN)
        for (unsigned i = 0; i < ZKR_HPOOL_SLOTS; i++)
            if (pool->buf[i] && pool->len[i] == bytes) {
                void *p = pool->buf[i];
                pool->buf[i] = NULL;
                return p;
            }
    return malloc(bytes);
}

void *zkr_hpcs_pool_get_zero(zkr_hpcs_pool *pool, size_t bytes)
{
    void *p;

    if (!pool || bytes < ZKR_HPOOL_MIN)
        return calloc(1, bytes);
    if ((p = zkr_hpcs_pool_get(pool, bytes)) != NULL)
        memset(p, 0, bytes);
    return p;
}

void zkr_hpcs_pool_put(zkr_hpcs_pool *pool, void *p, size_t bytes, int secret)
{
    if (!p)
        return;
    if (secret)
        sodium_memzero(p, bytes);
    if (pool && bytes >= ZKR_HPOOL_MIN)
        for (unsigned i = 0; i < ZKR_HPOOL_SLOTS; i++)
            if (!pool->buf[i]) {
                pool->buf[i] = p;
                pool->len[i] = bytes;
                return;
            }
    free(p);
}
