/*
 * A small TAP producer for the test programs (meson runs them with
 * protocol: 'tap'). State lives in a zkr_tap the test's main() owns.
 * Random tests take --seed N and print the seed they used.
 */
#ifndef ZKR_TEST_TAP_H
#define ZKR_TEST_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

typedef struct {
    int n;
    int failed;
    uint64_t seed;
    uint64_t rng;
} zkr_tap;

static inline void zkr_tap_init(zkr_tap *t, int argc, char **argv)
{
    /* the heap policy zkreg's main() sets, so that tests run the library as the product does */
    zkr_heap_tune();
    memset(t, 0, sizeof *t);
    t->seed = (uint64_t)time(NULL);
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--seed") == 0)
            t->seed = strtoull(argv[i + 1], NULL, 10);
    t->rng = t->seed ^ 0x9e3779b97f4a7c15ULL;
    printf("# seed %" PRIu64 " (rerun with --seed %" PRIu64 ")\n", t->seed, t->seed);
}

/* Whether argv holds flag (e.g. --production: a test's costly part, registered on its own). */
static inline int zkr_tap_flag(int argc, char **argv, const char *flag)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], flag) == 0)
            return 1;
    return 0;
}

/* splitmix64: deterministic from the printed seed. Tests only. */
static inline uint64_t zkr_tap_rand(zkr_tap *t)
{
    uint64_t z = (t->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* zkr_tap_rand for a fixture's rnd(ctx) callback (ctx: the zkr_tap). */
static inline uint64_t zkr_tap_rand_cb(void *t)
{
    return zkr_tap_rand(t);
}

static inline int zkr_tap_ok(zkr_tap *t, int cond, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int zkr_tap_ok(zkr_tap *t, int cond, const char *fmt, ...)
{
    va_list ap;

    t->n++;
    if (!cond)
        t->failed++;
    char desc[1024];

    printf("%s %d - ", cond ? "ok" : "not ok", t->n);
    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    /* A description quoting a process's output may hold newlines; TAP reads each as a line of its own. */
    for (char *c = desc; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    printf("%s\n", desc);
    fflush(stdout);
    return cond;
}

/*
 * A check this machine cannot run (e.g. AVX-512 kernels on a CPU without
 * AVX-512F): a TAP skip, which .ci/summarize.py counts as skipped, never
 * as passed.
 */
static inline void zkr_tap_skip(zkr_tap *t, const char *why)
{
    t->n++;
    printf("ok %d - # SKIP %s\n", t->n, why);
    fflush(stdout);
}

static inline void zkr_tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void zkr_tap_diag(const char *fmt, ...)
{
    va_list ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static inline int zkr_tap_done(zkr_tap *t)
{
    printf("1..%d\n", t->n);
    return t->failed == 0 ? 0 : 1;
}

#define ZKR_TAP_EQ(t, a, b, ...) zkr_tap_ok((t), (a) == (b), __VA_ARGS__)

#if !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>

/*
 * zkreg reuses freed heap memory (zkr_heap_tune): a block the prover reads
 * before writing would carry an earlier witness's bytes. prove(ctx, out)
 * makes the seeded proof again (returns 1 on success) while glibc fills
 * every new block with 0x5a, then 0xa5 (M_PERTURB); both must equal `ref`.
 * The twin shows the fill lands in a fresh block. The sanitizer's
 * allocator ignores M_PERTURB: only the plain build has this check.
 */
static inline void zkr_tap_heap_fills(zkr_tap *t, int (*prove)(void *ctx, zkr_buf *out),
                                      void *ctx, const zkr_buf *ref)
{
    static const int fills[2] = {0x5a, 0xa5};
    int same = 1, landed = 1;

    for (int i = 0; i < 2; i++) {
        zkr_buf q = {0};
        uint8_t *probe;

        (void)mallopt(M_PERTURB, fills[i]);
        probe = malloc((size_t)1 << 20);
        landed &= probe != NULL && probe[4096] == (uint8_t)(fills[i] ^ 0xff);
        free(probe);
        same &= prove(ctx, &q) && q.len == ref->len && memcmp(q.p, ref->p, q.len) == 0;
        zkr_buf_free(&q);
    }
    (void)mallopt(M_PERTURB, 0);
    zkr_tap_ok(t, landed, "M_PERTURB fills fresh blocks with its pattern (the twin)");
    zkr_tap_ok(t, same, "heap filled with 0x5a, then 0xa5: the seeded proof's bytes again "
                        "(no uninitialised heap byte reaches a proof)");
}
#endif

#endif
