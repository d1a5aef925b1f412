/*
 * Sandbox overhead: start-up (spawn, exec, confine, one empty request,
 * reap) against a bare fork+exec of the same binary; the cost of each
 * confinement step; and per-call cost on large requests against running
 * the same function in-process. Prints a table; no assertions.
 *
 *   ninja -C build-plain bench/sandbox_bench cli/zkreg
 *   build-plain/bench/sandbox_bench [--n 200] [--exe build-plain/cli/zkreg]
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "sandbox/sandbox_int.h"
#include "bench_util.h"

static const zkr_worker_kind table[] = {
    {"sha256", ZKR_SANDBOX_POLICY_VERIFIER, zkr_sandbox_worker_sha256, "sha256", NULL},
    {NULL, 0, NULL, NULL, NULL},
};

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
    double sum = 0;

    qsort(v, (size_t)n, sizeof *v, cmp_double);
    for (int i = 0; i < n; i++)
        sum += v[i];
    printf("| %-44s | %9.0f | %9.0f | %9.0f | %9.0f |\n", what, v[n / 2], sum / n,
           v[(n * 95) / 100], v[0]);
}

/* fork + exec of the binary that exits at once: the floor for any worker. */
static double bare_spawn(const char *exe)
{
    char *const argv[] = {(char *)exe, (char *)"__bare", NULL};
    char *const envp[] = {NULL};
    double t0 = now_us();
    int st;
    pid_t pid = fork();

    if (pid == 0) {
        execve(exe, argv, envp);
        _exit(127);
    }
    (void)waitpid(pid, &st, 0);
    return now_us() - t0;
}

/* Times each confinement step in a throw-away child, in the worker's order. */
static void steps(int n)
{
    static const char *const names[] = {"close fds", "rlimits", "prctl (nodump, nnp)",
                                        "unshare user+net+ipc+mnt", "landlock (no fs)",
                                        "seccomp (verifier)"};
    double *v[6];

    for (int s = 0; s < 6; s++)
        v[s] = calloc((size_t)n, sizeof(double));
    for (int i = 0; i < n; i++) {
        int pfd[2];
        double t[6] = {0};
        if (pipe(pfd) != 0)
            return;
        pid_t pid = fork();
        if (pid == 0) {
            int keep[3] = {0, pfd[1], 2}, abi;
            zkr_sandbox_limits l;
            double a = now_us();
            zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_VERIFIER, &l);
            l.nofile = 64;
            if (zkr_sandbox_close_fds_except(keep, 3, NULL) != ZKR_OK)
                _exit(1);
            t[0] = now_us() - a, a = now_us();
            if (zkr_sandbox_set_rlimits(&l, NULL) != ZKR_OK)
                _exit(1);
            t[1] = now_us() - a, a = now_us();
            if (zkr_sandbox_prctl_harden(NULL) != ZKR_OK)
                _exit(1);
            t[2] = now_us() - a, a = now_us();
            (void)zkr_sandbox_unshare(1);
            t[3] = now_us() - a, a = now_us();
            (void)zkr_sandbox_landlock_apply(NULL, 0, NULL, 0, &abi);
            t[4] = now_us() - a, a = now_us();
            /* the verifier policy allows write on fd 1 and 2 only: report through fd 1 */
            if (dup2(pfd[1], 1) != 1 || zkr_sandbox_seccomp_load(ZKR_SANDBOX_POLICY_VERIFIER,
                                                                 NULL) != ZKR_OK)
                _exit(1);
            t[5] = now_us() - a;
            if (write(1, t, sizeof t) != (ssize_t)sizeof t)
                _exit(2);
            _exit(0);
        }
        (void)close(pfd[1]);
        if (read(pfd[0], t, sizeof t) != (ssize_t)sizeof t)
            memset(t, 0, sizeof t);
        (void)close(pfd[0]);
        (void)waitpid(pid, NULL, 0);
        for (int s = 0; s < 6; s++)
            v[s][i] = t[s];
    }
    for (int s = 0; s < 6; s++) {
        char what[64];
        (void)snprintf(what, sizeof what, "step: %s", names[s]);
        report(what, v[s], n);
        free(v[s]);
    }
}

static void per_call(const char *exe, size_t len, int n)
{
    zkr_sandbox_opts opts = {exe, NULL, 0};
    zkr_sandbox_limits l;
    uint8_t *p = malloc(len);
    double *conf = calloc((size_t)n, sizeof(double)), *inproc = calloc((size_t)n, sizeof(double));
    char what[64];

    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_VERIFIER, &l);
    opts.limits = &l;
    if (p == NULL || conf == NULL || inproc == NULL)
        return;
    memset(p, 0xab, len);
    for (int i = 0; i < n; i++) {
        zkr_buf reply = {0};
        zkr_sandbox_result res;
        double t0 = now_us();
        if (zkr_sandbox_call(table, "sha256", &opts, p, len, &reply, &res, NULL) != ZKR_OK)
            fprintf(stderr, "sandbox call failed\n");
        conf[i] = now_us() - t0;
        zkr_buf_free(&reply);
        t0 = now_us();
        if (zkr_sandbox_worker_sha256(p, len, &reply, NULL) != ZKR_OK)
            fprintf(stderr, "in-process call failed\n");
        inproc[i] = now_us() - t0;
        zkr_buf_free(&reply);
    }
    (void)snprintf(what, sizeof what, "sha256 %zu KiB confined (spawn per call)", len >> 10);
    report(what, conf, n);
    (void)snprintf(what, sizeof what, "sha256 %zu KiB in-process", len >> 10);
    report(what, inproc, n);
    free(p);
    free(conf);
    free(inproc);
}

int main(int argc, char **argv)
{
    int n = 200;
    const char *exe = "/proc/self/exe";
    char self[4096];
    double *v;

    if (argc > 1 && strcmp(argv[1], "__bare") == 0)
        _exit(0);
    if (sodium_init() < 0)
        return 1;
    if (argc > 1 && strcmp(argv[1], ZKR_SANDBOX_WORKER_ARG) == 0)
        zkr_sandbox_worker_main(table, argc - 1, argv + 1);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--n") == 0)
            n = (int)zkr_bench_arg("--n", argv[i + 1], 1, 100000);
        else if (strcmp(argv[i], "--exe") == 0)
            exe = argv[i + 1];
    }
    if (n < 10)
        n = 10;
    if (strcmp(exe, "/proc/self/exe") == 0) {
        ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
        if (k <= 0)
            return 1;
        self[k] = '\0';
        exe = self;
    }
    v = calloc((size_t)n, sizeof(double));
    if (v == NULL)
        return 1;
    printf("sandbox_bench: worker binary %s, %d runs each, times in microseconds%s\n", exe, n,
           ZKR_SANDBOX_ASAN ? " (ASan build)" : "");
    printf("| %-44s | %9s | %9s | %9s | %9s |\n", "what", "median", "mean", "p95", "min");
    printf("|%.46s|%.11s|%.11s|%.11s|%.11s|\n", "----------------------------------------------",
           "-----------", "-----------", "-----------", "-----------");
    if (strstr(exe, "zkreg") == NULL) {
        for (int i = 0; i < n; i++)
            v[i] = bare_spawn(exe);
        report("bare fork+exec+exit of the worker binary", v, n);
    }
    for (int i = 0; i < n; i++) {
        zkr_sandbox_opts opts = {exe, NULL, 0};
        zkr_buf reply = {0};
        zkr_sandbox_result res;
        double t0 = now_us();
        if (zkr_sandbox_call(table, "sha256", &opts, NULL, 0, &reply, &res, NULL) != ZKR_OK)
            fprintf(stderr, "sandbox call failed\n");
        v[i] = now_us() - t0;
        zkr_buf_free(&reply);
    }
    report("confined call, empty request (start-up)", v, n);
    steps(n);
    per_call(exe, (size_t)1 << 20, n / 4 < 10 ? 10 : n / 4);
    per_call(exe, (size_t)64 << 20, 10);
    free(v);
    return 0;
}
