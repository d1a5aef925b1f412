/* common: the process's heap policy (see zkr_heap_tune in common.h). */
#include <malloc.h>

#include "common.h"

/*
 * glibc's defaults hand every block over its dynamic mmap threshold back to
 * the kernel on free and trim the heap top above 128 KiB, so a prover that
 * allocates and frees the same large tables layer after layer takes a fresh
 * page fault for every page of every table. On the 2-core machines this
 * project measures, a fault costs about 9 microseconds, and training-step@2
 * spent more time in them than in arithmetic (docs/bench.md, the training-step@2
 * rows of stops 40 and 41).
 */
enum {
    ZKR_HEAP_MMAP_THRESHOLD = 32 << 20, /* glibc's own upper bound for the dynamic one */
    ZKR_HEAP_TOP_PAD = 64 << 20,        /* grow the heap in large steps */
    ZKR_HEAP_TRIM_THRESHOLD = 1 << 30,  /* and give it back only at exit */
};

void zkr_heap_tune(void)
{
    (void)mallopt(M_MMAP_THRESHOLD, ZKR_HEAP_MMAP_THRESHOLD);
    (void)mallopt(M_TOP_PAD, ZKR_HEAP_TOP_PAD);
    (void)mallopt(M_TRIM_THRESHOLD, ZKR_HEAP_TRIM_THRESHOLD);
}
