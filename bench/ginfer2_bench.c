/*
 * ginfer2_bench: the whole zero-knowledge graph-inference@2 proof
 * (docs/proof-system.md, "The whole network") of LeNet-5, the small CNN
 * of zk-ginfer2-net, zk-ginfer2-avg-net's CNN with AVGPOOL and GAP nodes
 * (avg), the residual CNN of zk-ginfer2-add (residual), zk-ginfer2-dw-net's
 * mixed CNN (depthwise conv, ADD, AVGPOOL, two CONCATs; mixed) or the small
 * CNN with a zero-knowledge LOOKUP of zk-ginfer2-net-lut (lut), or
 * issue 14's networks (bench/gnets.h): DeepProve's CNN-264k (cnn264k) and
 * ResNet-8 with residual ADDs and global average pooling, batch norm
 * folded (resnet8), their M scaled to the fan-in (g2b_dag): commit
 * (version 3: the fixture's hiding dataset and the model commitment, for
 * one proof), prove, verify, proof size, computed soundness bits, peak RSS.
 * One thread (the relations' provers are single-threaded but for their
 * commitments).
 *
 *   ZKR_BENCH_CPU=1 ./build-rel/bench/ginfer2_bench [lenet|small|avg|residual|mixed|lut|cnn264k|resnet8]
 *
 * Times are CPU seconds with ZKR_BENCH_CPU=1 (process CPU clock), else wall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench/bench_util.h"
#include "tests/zk/ginfer2_avg_net_fx.h"
#include "tests/zk/ginfer2_net_lut_fx.h"
#include "tests/zk/ginfer2_res_fx.h"

#include "bench/gnets.h"

static double clk(void)
{
    struct timespec ts;
    const char *cpu = getenv("ZKR_BENCH_CPU");

    clock_gettime(cpu && cpu[0] == '1' ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* An integer square root (floor). */
static uint32_t isqrt(uint32_t v)
{
    uint32_t r = 0;

    while ((r + 1) * (r + 1) <= v)
        r++;
    return r;
}

/*
 * g2n_fx_dag's model and dataset for prog, but CONV / DENSE multipliers
 * M_c = 640 / sqrt(fan-in) + c mod 4 (shift 16): random int8 weights on
 * ReLU'd int8 inputs give |acc| ~ 4400 sqrt(fan-in), so the outputs stay
 * mostly inside int8 on every layer, however wide (g2n_fx_dag's 2^16 /
 * (24 fan-in) + 1 + c saturates the wide layers). ADD: Ma = ma, Mb =
 * 21000 + i, shift 15. The layout, then the logits by native inference.
 */
static zkr_err g2b_dag(g2n_fx *f, uint64_t seed, int64_t ma, void (*prog)(zkr_ml_gprog *))
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 5;
    zkr_diag dg;
    zkr_err r;

    memset(f, 0, sizeof *f);
    zkr_diag_clear(&dg);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK)
        return r;
    prog(&f->g);
    if ((r = zkr_ml_gprog_check(&f->g, &dg)) != ZKR_OK) {
        fprintf(stderr, "ginfer2_bench: program refused: %s\n", dg.msg);
        return r;
    }
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        const zkr_ml_gnode *n = &f->g.nodes[i];
        uint32_t fan = zkr_ml_gprog_fanin(&f->g, i);
        if (n->op == ZKR_ML_GOP_ADD) {
            if (!(f->m[i] = malloc(2 * sizeof *f->m[i])))
                return ZKR_ERR_NOMEM;
            f->m[i][0] = ma, f->m[i][1] = 21000 + i;
            f->mp.m[i] = f->m[i], f->mp.shift[i] = 15;
            continue;
        }
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        f->w[i] = malloc((size_t)n->c * fan);
        f->m[i] = malloc(n->c * sizeof *f->m[i]);
        f->b[i] = malloc(n->c * sizeof *f->b[i]);
        if (!f->w[i] || !f->m[i] || !f->b[i])
            return ZKR_ERR_NOMEM;
        for (size_t k = 0; k < (size_t)n->c * fan; k++)
            f->w[i][k] = (int8_t)((int)(g2n_fx_rnd(&s) % 255u) - 127);
        for (uint32_t c = 0; c < n->c; c++) {
            f->m[i][c] = (int64_t)(640u / isqrt(fan) + c % 4u);
            f->b[i][c] = (int64_t)(g2n_fx_rnd(&s) % 4096u) - 2048;
        }
        f->mp.m[i] = f->m[i], f->mp.b[i] = f->b[i], f->mp.shift[i] = 16;
    }
    if ((r = g2n_fx_records(f, &s, seed)) != ZKR_OK)
        return r;
    if ((r = zkr_ginf2_net_init(&f->net, &f->g, &f->mp, &dg)) != ZKR_OK) {
        fprintf(stderr, "ginfer2_bench: graph-inference@2 refused the network: %s\n", dg.msg);
        return r;
    }
    return g2n_fx_residual_native(f);
}

int main(int argc, char **argv)
{
    const char *mode = argc >= 2 ? argv[1] : "lenet";
    int avg = strcmp(mode, "avg") == 0, res = strcmp(mode, "residual") == 0;
    int mix = strcmp(mode, "mixed") == 0, lut = strcmp(mode, "lut") == 0;
    int c264 = strcmp(mode, "cnn264k") == 0, r8 = strcmp(mode, "resnet8") == 0;
    int lenet = !avg && !res && !mix && !lut && !c264 && !r8 && strcmp(mode, "small") != 0;
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
         : c264 ? g2b_dag(&f, 14, 30000, gn_cnn264k)
         : r8   ? g2b_dag(&f, 14, 30000, gn_resnet8)
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
           : c264 ? "cnn264k"
           : r8   ? "resnet8"
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
