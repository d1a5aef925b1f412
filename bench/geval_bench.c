/*
 * geval_bench: evaluation-graph@1 (proof kind 12) on LeNet-5 (1x28x28,
 * conv 6@5x5 pad 2, max pool, conv 16@5x5, max pool, dense 120-84-10,
 * ReLU) over a range of N records of an N-record dataset: prove (the
 * model committed once, outside the figure), verify (best of 3, with the
 * record membership and the count), proof size, peak RSS and the
 * amortized prove time per inference, and the provable soundness bits
 * (zkr_geval_soundness). Random int8 weights from a fixed
 * seed (M scaled to the fan-in, shift 20), random records; each N runs in
 * its own child process so that peak RSS is that run's.
 *
 *   meson setup build-rel --buildtype=release -Dtest_hooks=false
 *   ninja -C build-rel bench/geval_bench
 *   ZKR_BENCH_CPU=1 ./build-rel/bench/geval_bench [THREADS] [N ...]
 *
 * Defaults: 1 thread, N = 64 and 256. Times are process CPU time (all
 * threads summed) and wall clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "tests/zk/geval_fixture.h"
#include "verifier/geval.h"

static double clk(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rnd(void *ctx)
{
    uint64_t *s = ctx;

    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int run(unsigned threads, uint64_t n)
{
    static gx_model md;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    zkr_params p;
    zkr_ginf_model *gm = NULL;
    zkr_pcs_commitment comm;
    zkr_geval_binding *b = calloc(1, sizeof *b);
    zkr_verifier_geval_statement st;
    uint8_t sid[ZKR_DIGEST_BYTES], dc[ZKR_DIGEST_BYTES], *ds;
    size_t rl;
    zkr_buf pf = {0};
    zkr_diag d = {0};
    double c0, w0, pc, pw, vbest = 1e9;
    struct rusage ru;
    zkr_ginf_shape *sh;

    gx_lenet(&md.g, 0);
    gx_model_init(&md, rnd, &seed);
    if (!b || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_prover_ginf_commit(&p, &md.in, threads, &gm, &comm, &d) != ZKR_OK) {
        fprintf(stderr, "commit: %s\n", d.msg);
        return 1;
    }
    memset(sid, 0x11, sizeof sid);
    rl = zkr_ml_gprog_elems(&md.g, 0) + 1;
    ds = gx_dataset(&md, rnd, &seed, n);
    gx_binding(&md, ds, n, 0, n, ZKR_EVAL_MODE_EXACT, 0, b, dc);
    c0 = clk(CLOCK_PROCESS_CPUTIME_ID);
    w0 = clk(CLOCK_MONOTONIC);
    if (zkr_prover_geval(&p, sid, gm, b, ds, n * rl, threads, &pf, &d) != ZKR_OK) {
        fprintf(stderr, "prove %llu records: %s\n", (unsigned long long)n, d.msg);
        return 1;
    }
    pc = clk(CLOCK_PROCESS_CPUTIME_ID) - c0;
    pw = clk(CLOCK_MONOTONIC) - w0;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = &md.g;
    st.mp = &md.mp;
    st.model = comm;
    memcpy(st.dataset, dc, sizeof dc);
    st.first = 0;
    st.count = n;
    st.records = ds;
    st.records_len = n * rl;
    st.mode = ZKR_EVAL_MODE_EXACT;
    st.value = b->value;
    for (int k = 0; k < 3; k++) {
        double v0 = clk(CLOCK_PROCESS_CPUTIME_ID);
        if (zkr_verify_geval(pf.p, pf.len, &st, &d) != ZKR_OK) {
            fprintf(stderr, "verify: %s\n", d.msg);
            return 1;
        }
        v0 = clk(CLOCK_PROCESS_CPUTIME_ID) - v0;
        vbest = v0 < vbest ? v0 : vbest;
    }
    getrusage(RUSAGE_SELF, &ru);
    if (!(sh = malloc(sizeof *sh)) ||
        zkr_ginf_shape_init_batch(sh, &md.g, &md.mp, zkr_geval_lb((uint32_t)n), p.max_vars, &d) !=
            ZKR_OK) {
        fprintf(stderr, "layout: %s\n", d.msg);
        return 1;
    }
    printf("LeNet-5 %5llu records, %u thread(s): prove %.2f CPU-s (%.2f s wall), %.1f CPU-ms per "
           "inference; verify %.1f CPU-ms; %.1f KiB; peak RSS %.0f MiB; %.2f provable bits; "
           "%llu correct\n",
           (unsigned long long)n, threads, pc, pw, 1e3 * pc / (double)n, 1e3 * vbest,
           (double)pf.len / 1024.0, (double)ru.ru_maxrss / 1024.0,
           zkr_geval_soundness(&p, sh, &md.g).provable_bits, (unsigned long long)b->correct);
    free(sh);
    fflush(stdout);
    zkr_buf_free(&pf);
    zkr_ginf_model_free(gm);
    gx_model_free(&md);
    free(ds);
    free(b);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned threads = argc > 1 ? (unsigned)zkr_bench_arg("threads", argv[1], 1, 64) : 1;
    uint64_t def[2] = {64, 256};
    int rc = 0;

    for (int k = 0; k < (argc > 2 ? argc - 2 : 2); k++) {
        uint64_t n = argc > 2 ? zkr_bench_arg("records", argv[k + 2], 1, ZKR_GEVAL_MAX_RECORDS)
                              : def[k];
        pid_t pid = fork();
        int status = 0;
        if (pid == 0)
            _exit(run(threads, n));
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            rc = 1;
    }
    return rc;
}
