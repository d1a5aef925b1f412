/*
 * Small helpers shared by the benchmark programs: a checked integer
 * argument and removal of a scratch directory without a shell.
 */
#ifndef ZKR_BENCH_UTIL_H
#define ZKR_BENCH_UTIL_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

/*
 * Every bench runs under the heap policy zkreg's main() sets, so that its
 * figures are the product's (common.h, zkr_heap_tune).
 */
__attribute__((constructor)) static void zkr_bench_heap_tune(void)
{
    zkr_heap_tune();
}

/* Parses a decimal argument in [lo, hi]; exits with status 2 naming `what` otherwise. */
static inline unsigned long zkr_bench_arg(const char *what, const char *s, unsigned long lo,
                                          unsigned long hi)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    v = (s != NULL && s[0] >= '0' && s[0] <= '9') ? strtoul(s, &end, 10) : 0;
    if (s == NULL || end == NULL || *end != '\0' || errno != 0 || v < lo || v > hi) {
        fprintf(stderr, "%s: expected an integer in %lu..%lu, got '%s'\n", what, lo, hi,
                s ? s : "");
        exit(2);
    }
    return v;
}

static inline int zkr_bench_rm_entry(const char *path, const struct stat *st, int flag,
                                     struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes a scratch directory tree (depth first, symlinks not followed). */
static inline int zkr_bench_rmtree(const char *dir)
{
    return nftw(dir, zkr_bench_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
