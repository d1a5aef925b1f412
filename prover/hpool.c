/*
 * A proof's pool of large scratch buffers (prover/prover.h). Fresh large
 * allocations are mapped fresh by the C library and every page of them is
 * faulted in and zeroed by the kernel on first touch (about a third of a
 * training-step@2 proof's time went there); a buffer handed back to the
 * pool is given out again to the next request of exactly its size, already
 * faulted in. Every buffer is wiped (sodium_memzero) before its memory
 * leaves the pool (zkr_hpcs_pool_free, or a secret one handed back to a
 * full pool), not on each hand-back: a buffer given out again is
 * overwritten (or zeroed, get_zero) by the same proof, so wiping it first
 * was redone work (about 1 % of a training-step@2 proof; the wipes were
 * 3.6 % of it).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "zk/zk.h"

#define ZKR_HPOOL_SLOTS 32
/* Smaller buffers go to and from malloc: the heap already reuses them. */
#define ZKR_HPOOL_MIN ((size_t)1 << 20)

/* Zeroing and wiping go in chunks of at least this many bytes to the threads. */
#define ZKR_HPOOL_CHUNK ((size_t)1 << 20)

struct zkr_hpcs_pool {
    void *buf[ZKR_HPOOL_SLOTS];
    size_t len[ZKR_HPOOL_SLOTS];
    unsigned threads;
};

zkr_err zkr_hpcs_pool_new(zkr_hpcs_pool **out, unsigned threads)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return ZKR_ERR_NOMEM;
    (*out)->threads = threads ? threads : 1;
    return ZKR_OK;
}

typedef struct {
    unsigned char *p;
    int wipe; /* 1: sodium_memzero (secret contents), 0: memset */
} zkr_hpool_clear_job;

static void zkr_hpool_clear_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_hpool_clear_job *j = ctx;

    (void)w;
    if (j->wipe)
        sodium_memzero(j->p + lo, hi - lo);
    else
        memset(j->p + lo, 0, hi - lo);
}

/* Zeroes (or wipes) a large buffer, shared out between the pool's threads. */
static void zkr_hpool_clear(const zkr_hpcs_pool *pool, void *p, size_t bytes, int wipe)
{
    zkr_hpool_clear_job j = {p, wipe};

    zkr_par_for(pool ? pool->threads : 1, bytes, ZKR_HPOOL_CHUNK, zkr_hpool_clear_chunk, &j);
}

void zkr_hpcs_pool_free(zkr_hpcs_pool *pool)
{
    if (!pool)
        return;
    for (unsigned i = 0; i < ZKR_HPOOL_SLOTS; i++) {
        /* every one: a buffer handed back as not secret may still hold an
         * earlier holder's secret words that its last holder left alone */
        if (pool->buf[i])
            zkr_hpool_clear(pool, pool->buf[i], pool->len[i], 1);
        free(pool->buf[i]);
    }
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
        zkr_hpool_clear(pool, p, bytes, 0);
    return p;
}

void zkr_hpcs_pool_put(zkr_hpcs_pool *pool, void *p, size_t bytes, int secret)
{
    if (!p)
        return;
    if (pool && bytes >= ZKR_HPOOL_MIN)
        for (unsigned i = 0; i < ZKR_HPOOL_SLOTS; i++)
            if (!pool->buf[i]) {
                pool->buf[i] = p;
                pool->len[i] = bytes;
                /* wiped when it leaves the pool (zkr_hpcs_pool_free) */
                return;
            }
    if (secret)
        zkr_hpool_clear(pool, p, bytes, 1);
    free(p);
}
