/*
 * A tiny fork-join helper: splits [0, n) into `threads` contiguous chunks.
 * Callers combine per-chunk results in chunk order; field arithmetic is
 * exact, so results never depend on the thread count.
 */
#include <pthread.h>

#include "zk/zk.h"

typedef struct {
    zkr_par_fn fn;
    void *ctx;
    size_t lo, hi;
    unsigned idx;
} zkr_par_job;

static void *zkr_par_tramp(void *arg)
{
    zkr_par_job *j = arg;

    j->fn(j->ctx, j->lo, j->hi, j->idx);
    return NULL;
}

void zkr_par_for(unsigned threads, size_t n, size_t min_chunk, zkr_par_fn fn, void *ctx)
{
    zkr_par_job jobs[ZKR_PAR_MAX];
    pthread_t th[ZKR_PAR_MAX];
    int started[ZKR_PAR_MAX] = {0};

    if (threads < 1)
        threads = 1;
    if (threads > ZKR_PAR_MAX)
        threads = ZKR_PAR_MAX;
    if (min_chunk < 1)
        min_chunk = 1;
    while (threads > 1 && n / threads < min_chunk)
        threads--;
    for (unsigned i = 0; i < threads; i++)
        jobs[i] = (zkr_par_job){fn, ctx, n * i / threads, n * (i + 1) / threads, i};
    for (unsigned i = 1; i < threads; i++)
        started[i] = pthread_create(&th[i], NULL, zkr_par_tramp, &jobs[i]) == 0;
    fn(ctx, jobs[0].lo, jobs[0].hi, 0);
    for (unsigned i = 1; i < threads; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            fn(ctx, jobs[i].lo, jobs[i].hi, i); /* no thread: do it here */
    }
}
