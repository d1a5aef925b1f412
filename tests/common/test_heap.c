/*
 * common: the heap policy (zkr_heap_tune). Its own program, without tap.h,
 * because zkr_tap_init applies the policy and this test needs glibc's
 * untouched allocator first: the twin that shows the check has teeth.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

typedef struct {
    int run, failed;
} counts;

static void ok(counts *c, int cond, const char *what)
{
    c->run++;
    c->failed += !cond;
    printf("%s %d - %s\n", cond ? "ok" : "not ok", c->run, what);
}

#if defined(__SANITIZE_ADDRESS__)
/* The sanitizer's allocator replaces glibc's and ignores mallopt: the policy
 * must then be harmless, which is all that can be checked here. */
static void check_policy(counts *c)
{
    uint8_t *p;

    zkr_heap_tune();
    p = malloc((size_t)24 << 20);
    ok(c, p != NULL, "heap policy: harmless under the sanitizer's allocator");
    free(p);
}
#else
/*
 * glibc maps a block over its mmap threshold on its own (hblkhd counts it)
 * and unmaps it on free; after zkr_heap_tune a block under 32 MiB comes
 * from the heap and stays there once freed. The first block, before the
 * policy, is the twin: it must be mapped, or the second check proves nothing.
 */
static void check_policy(counts *c)
{
    const size_t before_len = (size_t)16 << 20, after_len = (size_t)24 << 20;
    struct mallinfo2 m0 = mallinfo2(), m1, m2, m3;
    uint8_t *p = malloc(before_len), *q;

    m1 = mallinfo2();
    ok(c, p != NULL && m1.hblkhd >= m0.hblkhd + before_len,
       "heap policy: by default a 16 MiB block is mapped on its own");
    free(p); /* glibc's dynamic threshold now rises to 16 MiB: 24 MiB stays above it */
    zkr_heap_tune();
    m2 = mallinfo2();
    q = malloc(after_len);
    m3 = mallinfo2();
    ok(c, q != NULL && m3.hblkhd == m2.hblkhd, "heap policy: a 24 MiB block comes from the heap");
    if (q != NULL)
        memset(q, 1, after_len);
    free(q);
    m3 = mallinfo2();
    ok(c, m3.fordblks >= after_len, "heap policy: the freed block stays for reuse");
}
#endif

int main(void)
{
    counts c = {0, 0};

    check_policy(&c);
    printf("1..%d\n", c.run);
    return c.failed != 0;
}
