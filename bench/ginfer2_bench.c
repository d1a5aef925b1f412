/*
 * ginfer2_bench: the whole zero-knowledge graph-inference@2 proof
 * (docs/proof-system.md, "The whole network") of LeNet-5, the small CNN
 * of zk-ginfer2-net, zk-ginfer2-avg-net's CNN with AVGPOOL and GAP nodes
 * (avg), the residual CNN of zk-ginfer2-add (residual), zk-ginfer2-dw-net's
 * mixed CNN (depthwise conv, ADD, AVGPOOL, two CONCATs; mixed) or the small
 * CNN with a zero-knowledge LOOKUP of zk-ginfer2-net-lut (lut): commit
 * (version 3: the fixture's hiding dataset and the model commitment, for
 * one proof), prove, verify, proof size, computed soundness bits, peak RSS.
 * One thread (the relations' provers are single-threaded but for their
 * commitments).
 *
 *   ZKR_BENCH_CPU=1 ./build-rel/bench/ginfer2_bench [lenet|small|avg|residual|mixed|lut]
 *
 * Times are CPU seconds with ZKR_BENCH_CPU=1 (process CPU clock), else wall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "tests/zk/ginfer2_avg_net_fx.h"
#include "tests/zk/ginfer2_net_lut_fx.h"
#include "tests/zk/ginfer2_res_fx.h"

static double clk(void)
{
    struct timespec ts;
    const char *cpu = getenv("ZKR_BENCH_CPU");

    clock_gettime(cpu && cpu[0] == '1' ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *mode = argc >= 2 ? argv[1] : "lenet";
    int avg = strcmp(mode, "avg") == 0, res = strcmp(mode, "residual") == 0;
    int mix = strcmp(mode, "mixed") == 0, lut = strcmp(mode, "lut") == 0;
    int lenet = !avg && !res && !mix && !lut && strcmp(mode, "small") != 0;
    static g2nl_fx lx;
    g2n_fx f;
    zkr_zkrng g;
    zkr_buf pf = {0}, out = {0};
    zkr_verifier_ginf2_statement st;
    unsigned we[ZKR_GINF2_NET_MAX_NODES] = {0};
    uint8_t seed[32] = {7};
    struct rusage ru;
    double t0, tc, tp, tv;
    zkr_err e;

    if ((avg   ? g2an_fx_init(&f, 1)
         : res ? g2n_fx_residual(&f, 7, 30000)
         : mix ? g2n_fx_dag(&f, 4, 19000, g2n_fx_mix_prog)
         : lut ? g2nl_init(&lx, 3, G2NL_MAIN)
               : g2n_fx_init(&f, lenet, 1)) != ZKR_OK ||
        zkr_zkrng_seeded(&g, seed, sizeof seed, "ginfer2 bench", NULL, 0) != ZKR_OK) {
        fprintf(stderr, "ginfer2_bench: fixture\n");
        return 1;
    }
    if (lut)
        f = lx.f; /* the table stays in lx (f.mp.t points there) */
    t0 = clk();
    e = g2n_fx_commit(&f, 1, &g);
    tc = clk() - t0;
    t0 = clk();
    if (e == ZKR_OK)
        e = g2n_fx_prove(&f, &g, &pf, &out);
    tp = clk() - t0;
    if (e != ZKR_OK) {
        fprintf(stderr, "ginfer2_bench: prove failed (%d)\n", (int)e);
        return 1;
    }
    g2n_fx_statement(&f, &st);
    t0 = clk();
    e = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL);
    tv = clk() - t0;
    for (uint32_t i = 1; i < f.net.n; i++)
        we[i] = f.wc[i].blind_vars;
    getrusage(RUSAGE_SELF, &ru);
    printf("model %s, %u nodes, %u relations: commit %.2f s, prove %.2f s, verify %.1f ms, "
           "proof %.1f KiB, %.2f bits (%.2f without the extra grinding), peak RSS %.1f MiB, "
           "verify %s\n",
           avg   ? "avg"
           : res ? "residual"
           : mix ? "mixed"
           : lut ? "small+lookup"
           : lenet ? "lenet5"
                   : "small",
           f.net.n, f.net.n_rel, tc, tp, tv * 1e3,
           (double)pf.len / 1024.0, zkr_ginf2_net_soundness(&f.p, &f.net, f.xc.blind_vars, we),
           zkr_ginf2_net_soundness_base(&f.p, &f.net, f.xc.blind_vars, we),
           (double)ru.ru_maxrss / 1024.0, e == ZKR_OK ? "ok" : "FAILED");
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf), zkr_buf_free(&out);
    g2n_fx_free(&f);
    return e == ZKR_OK ? 0 : 1;
}
