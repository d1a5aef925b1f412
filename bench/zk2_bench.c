/*
 * zk2_bench: matmul@2 (hiding) beside matmul@1 on the same shapes: commit,
 * prove, verify (process CPU seconds, best of 3) and proof size.
 * Usage: zk2_bench [threads [shapes]]   (docs/proof-system.md, "matmul@2", "Cost";
 * shapes 1..3: 16x16, then 256x256, then 1024x1024; default all three)
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench/bench_util.h"
#include "prover/prover.h"
#include "verifier/verifier.h"

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
}

typedef struct {
    double commit, prove, verify;
    size_t size;
    unsigned e;
} row;

static void one(const zkr_params *p, uint32_t m, uint32_t k, uint32_t b, unsigned threads)
{
    int64_t *w = malloc((size_t)m * k * 8), *x = malloc((size_t)k * b * 8);
    int64_t *y = calloc((size_t)m * b, 8);
    uint8_t sid[ZKR_DIGEST_BYTES];
    row r1 = {1e30, 1e30, 1e30, 0, 0}, r2 = {1e30, 1e30, 1e30, 0, 0};
    uint64_t s = 88172645463325252ULL;

    memset(sid, 3, sizeof sid);
    for (size_t i = 0; i < (size_t)m * k; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        w[i] = (int64_t)(s % 255) - 127;
    }
    for (size_t i = 0; i < (size_t)k * b; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        x[i] = (int64_t)(s % 255) - 127;
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            for (size_t c = 0; c < b; c++)
                y[i * b + c] += w[i * k + j] * x[j * b + c];
    for (int rep = 0; rep < 3; rep++) {
        zkr_pcs_poly *poly = NULL;
        zkr_hpcs_poly *hp = NULL;
        zkr_verifier_matmul_statement st1;
        zkr_verifier_matmul2_statement st2;
        zkr_buf pf = {0};
        double c0;
        int ok = 1;

        memset(&st1, 0, sizeof st1);
        memset(&st2, 0, sizeof st2);
        memcpy(st1.statement_id, sid, sizeof sid);
        memcpy(st2.statement_id, sid, sizeof sid);
        st1.param_set = st2.param_set = p->id;
        st1.pub.m = st2.pub.m = m, st1.pub.k = st2.pub.k = k, st1.pub.b = st2.pub.b = b;
        st1.pub.x = st2.pub.x = x, st1.pub.y = st2.pub.y = y;
        st1.pub.w_max_abs = st2.pub.w_max_abs = 127;
        c0 = cpu_s();
        ok &= zkr_prover_matmul_commit(p, w, m, k, threads, &poly, &st1.pub.w) == ZKR_OK;
        r1.commit = fmin(r1.commit, cpu_s() - c0);
        c0 = cpu_s();
        ok &= zkr_prover_matmul(p, sid, &st1.pub, w, poly, threads, &pf, NULL) == ZKR_OK;
        r1.prove = fmin(r1.prove, cpu_s() - c0);
        r1.size = pf.len;
        c0 = cpu_s();
        ok &= zkr_verify_matmul(pf.p, pf.len, &st1, NULL) == ZKR_OK;
        r1.verify = fmin(r1.verify, cpu_s() - c0);
        pf.len = 0;
        c0 = cpu_s();
        ok &= zkr_prover_matmul2_commit(p, w, m, k, ZKR_HPCS_DEFAULT_BUDGET, NULL, 0, threads, &hp,
                                        &st2.pub.w) == ZKR_OK;
        r2.commit = fmin(r2.commit, cpu_s() - c0);
        r2.e = st2.pub.w.blind_vars;
        c0 = cpu_s();
        ok &= zkr_prover_matmul2(p, sid, &st2.pub, w, hp, NULL, 0, threads, &pf, NULL) == ZKR_OK;
        r2.prove = fmin(r2.prove, cpu_s() - c0);
        r2.size = pf.len;
        c0 = cpu_s();
        ok &= zkr_verify_matmul2(pf.p, pf.len, &st2, NULL) == ZKR_OK;
        r2.verify = fmin(r2.verify, cpu_s() - c0);
        zkr_buf_free(&pf);
        zkr_pcs_poly_free(poly);
        zkr_hpcs_poly_free(hp);
        if (!ok) {
            printf("| %ux%u b=%u | FAILED |\n", m, k, b);
            goto out;
        }
    }
    printf("| %ux%u b=%u | matmul@1 | %.3f | %.3f | %.4f | %.1f KiB |\n", m, k, b, r1.commit,
           r1.prove, r1.verify, r1.size / 1024.0);
    printf("| %ux%u b=%u | matmul@2 (e=%u) | %.3f | %.3f | %.4f | %.1f KiB |\n", m, k, b, r2.e,
           r2.commit, r2.prove, r2.verify, r2.size / 1024.0);
out:
    free(w);
    free(x);
    free(y);
}

int main(int argc, char **argv)
{
    zkr_params p;
    unsigned long parsed = 1, shapes = 3;
    char *end = NULL;

    if (argc > 1) {
        parsed = strtoul(argv[1], &end, 10);
        if (end == argv[1] || *end != '\0' || parsed < 1 || parsed > 16) {
            fprintf(stderr, "usage: zk2_bench [THREADS 1..16 [SHAPES 1..3]]\n");
            return 2;
        }
    }
    if (argc > 2) {
        shapes = strtoul(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0' || shapes < 1 || shapes > 3) {
            fprintf(stderr, "usage: zk2_bench [THREADS 1..16 [SHAPES 1..3]]\n");
            return 2;
        }
    }
    unsigned threads = (unsigned)parsed;
    if (sodium_init() < 0 || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    printf("CPU seconds, best of 3, %u thread(s); matmul@2 blinded for %u openings\n", threads,
           ZKR_HPCS_DEFAULT_BUDGET);
    printf("| shape | kind | commit | prove | verify | proof |\n|---|---|---|---|---|---|\n");
    one(&p, 16, 16, 4, threads);
    if (shapes > 1)
        one(&p, 256, 256, 16, threads);
    if (shapes > 2)
        one(&p, 1024, 1024, 16, threads);
    return 0;
}
