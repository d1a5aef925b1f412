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

#endif
