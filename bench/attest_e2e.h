/* signer_bench --e2e: attestations per second through the real zkreg (bench/attest_e2e.c). */
#ifndef ZKR_BENCH_ATTEST_E2E_H
#define ZKR_BENCH_ATTEST_E2E_H

/*
 * Builds a registry in `dir` with n proven inference@1 statements of
 * `fixture` (784-128-10 ONNX) on `data` (Fashion-MNIST IDX), then times n
 * single `zkreg attest` runs and one `zkreg attest --batch` of the same
 * pairs, and prints both rates. Returns 0, or -1 naming the failed step on
 * stderr.
 */
int zkr_bench_attest_e2e(const char *zkreg, const char *fixture, const char *data, unsigned n,
                         const char *dir);

#endif
