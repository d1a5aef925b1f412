/*
 * infer2_bench: inference@2 (hiding) beside inference@1 on 784-128-10:
 * the one-time model commitment, proving, verifying and the proof size,
 * for a public and for a hidden (committed) output. The model is random
 * with realistic quantization parameters (shift 24, ReLU hidden layer);
 * the record is random bytes behind a hiding record commitment in a
 * one-record dataset.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/infer2_bench
 *   ZKR_BENCH_CPU=1 ./build-rel/bench/infer2_bench [threads]     # default 1
 *
 * Times are the best of 3 runs, wall clock, or process CPU time (all
 * threads summed) with ZKR_BENCH_CPU=1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "prover/prover.h"
#include "verifier/verifier.h"
#include "bench_util.h"

/* Wall clock, or process CPU time (all threads) with ZKR_BENCH_CPU=1: on a
 * shared, overloaded machine the CPU time is the stable figure. */
static int use_cpu;
static double now(void)
{
    struct timespec ts;
    clock_gettime(use_cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static uint64_t rng = 0x1234567;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static zkr_ml_model *make_model(const uint32_t *dims, uint32_t nl)
{
    zkr_ml_graph g;
    zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
    int8_t *w[ZKR_ML_MAX_LAYERS] = {0};
    int32_t *b[ZKR_ML_MAX_LAYERS] = {0};
    uint32_t *m[ZKR_ML_MAX_LAYERS] = {0};
    zkr_buf enc = {0};
    zkr_ml_model *out = NULL;
    zkr_diag d = {0};

    memset(&g, 0, sizeof g);
    g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g.input_dim = dims[0];
    g.n_layers = nl;
    for (uint32_t l = 0; l < nl; l++) {
        g.layers[l].op = ZKR_ML_OP_DENSE;
        g.layers[l].act = l + 1 < nl ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE;
        g.layers[l].in_dim = dims[l];
        g.layers[l].out_dim = dims[l + 1];
        w[l] = malloc((size_t)dims[l] * dims[l + 1]);
        b[l] = malloc(dims[l + 1] * sizeof(int32_t));
        m[l] = malloc(dims[l + 1] * sizeof(uint32_t));
        for (size_t i = 0; i < (size_t)dims[l] * dims[l + 1]; i++)
            w[l][i] = (int8_t)((int)(rnd() % 255) - 127);
        for (uint32_t j = 0; j < dims[l + 1]; j++) {
            b[l][j] = (int32_t)(rnd() % 20001) - 10000;
            m[l][j] = 1000 + (uint32_t)(rnd() % 60000);
        }
        q[l].w = w[l];
        q[l].bias = b[l];
        q[l].mult = m[l];
        q[l].shift = 24;
    }
    if (zkr_ml_model_encode(&g, q, &enc, &d) != ZKR_OK ||
        zkr_ml_model_decode(enc.p, enc.len, &out, &d) != ZKR_OK)
        fprintf(stderr, "model: %s\n", d.msg);
    for (uint32_t l = 0; l < nl; l++) {
        free(w[l]);
        free(b[l]);
        free(m[l]);
    }
    zkr_buf_free(&enc);
    return out;
}

static void row(const char *name, double commit, double prove, double verify, size_t bytes, int ok)
{
    printf("| %-26s | %8.3f | %8.3f | %9.1f | %9.1f |%s\n", name, commit, prove, verify * 1e3,
           (double)bytes / 1024.0, ok ? "" : " FAILED");
}

int main(int argc, char **argv)
{
    static const uint32_t dims[3] = {784, 128, 10};
    unsigned threads = argc > 1 ? (unsigned)zkr_bench_arg("threads", argv[1], 1, 16) : 1;
    zkr_params p;
    zkr_ml_model *m;
    uint8_t rec[785], rc[ZKR_RECORD_COMMIT_BYTES], ro[ZKR_RECORD_OPENING_BYTES];
    uint8_t leaf[ZKR_DIGEST_BYTES], seed[32];
    zkr_diag d = {0};
    double t;

    use_cpu = getenv("ZKR_BENCH_CPU") != NULL;
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK || !(m = make_model(dims, 2)))
        return 1;
    for (size_t i = 0; i < sizeof rec; i++)
        rec[i] = (uint8_t)(i < 784 ? rnd() : 3);
    memset(seed, 0x42, sizeof seed);
    printf("| %-26s | %8s | %8s | %9s | %9s |\n", "784-128-10", "commit s", "prove s",
           "verify ms", "proof KiB");
    printf("|---|---|---|---|---|\n");
    /* inference@1 */
    {
        zkr_infer_model *im = NULL;
        zkr_infer_record r;
        zkr_verifier_inference_statement st;
        zkr_buf pf = {0}, out = {0};
        double c = 1e9, pr = 1e9, v = 1e9;
        int ok = 1;
        memset(&r, 0, sizeof r);
        memset(&st, 0, sizeof st);
        zkr_infer_record_commitment(rec, sizeof rec, leaf);
        r.n_records = 1;
        memcpy(r.root, leaf, sizeof leaf); /* the root of one leaf is the leaf */
        r.record = rec;
        r.record_len = sizeof rec;
        for (int i = 0; i < 3; i++) {
            zkr_infer_model_free(im);
            im = NULL;
            t = now();
            ok &= zkr_prover_infer_commit(&p, m, threads, &im, st.model_commitment, &d) == ZKR_OK;
            t = now() - t;
            c = t < c ? t : c;
        }
        memset(st.statement_id, 0x5a, sizeof st.statement_id);
        st.param_set = p.id;
        zkr_ml_model_program_digest(m, st.program_digest);
        zkr_infer_dataset_commitment(1, r.root, st.dataset_commitment);
        for (int i = 0; i < 3; i++) {
            t = now();
            ok &= zkr_prover_inference_record(&p, st.statement_id, im, &r, threads, &pf, &out,
                                              &d) == ZKR_OK;
            t = now() - t;
            pr = t < pr ? t : pr;
        }
        st.output = out.p;
        st.output_len = out.len;
        for (int i = 0; i < 3; i++) {
            t = now();
            ok &= zkr_verify_inference(pf.p, pf.len, &st, &d) == ZKR_OK;
            t = now() - t;
            v = t < v ? t : v;
        }
        row("inference@1", c, pr, v, pf.len, ok);
        zkr_infer_model_free(im);
        zkr_buf_free(&pf);
        zkr_buf_free(&out);
    }
    /* inference@2, public then hidden output */
    for (int pub = 1; pub >= 0; pub--) {
        zkr_infer2_model *im = NULL;
        zkr_infer2_record r;
        zkr_verifier_inference2_statement st;
        zkr_buf pf = {0}, plain = {0}, mc = {0};
        uint8_t mo[ZKR_INFER2_OPENING_BYTES], oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES];
        uint8_t oco[ZKR_RECORD_OPENING_BYTES];
        double c = 1e9, pr = 1e9, v = 1e9;
        int ok = 1;
        memset(&r, 0, sizeof r);
        memset(&st, 0, sizeof st);
        ok &= zkr_prover_record_commit(&p, rec, sizeof rec, 16, seed, sizeof seed, threads, rc,
                                       ro) == ZKR_OK;
        zkr_infer2_record_leaf(rc, leaf);
        r.n_records = 1;
        memcpy(r.root, leaf, sizeof leaf);
        r.record = rec;
        r.record_len = sizeof rec;
        r.commitment = rc;
        r.opening = ro;
        for (int i = 0; i < 3; i++) {
            zkr_infer2_model_free(im);
            im = NULL;
            mc.len = 0;
            t = now();
            ok &= zkr_prover_infer2_commit(&p, m, ZKR_HPCS_DEFAULT_BUDGET, NULL, 0, threads, &im,
                                           &mc, mo, &d) == ZKR_OK;
            t = now() - t;
            c = t < c ? t : c;
        }
        ok &= zkr_prover_infer2_output(&p, im, &r, NULL, 0, threads, &plain, oc, oco, &d) == ZKR_OK;
        memset(st.statement_id, 0x5b, sizeof st.statement_id);
        st.param_set = p.id;
        zkr_ml_model_program_digest(m, st.program_digest);
        zkr_infer2_mc_digest(mc.p, mc.len, st.model_commitment);
        zkr_infer2_dataset_commitment(1, r.root, st.dataset_commitment);
        st.public_output = pub;
        st.output = pub ? plain.p : oc;
        st.output_len = pub ? plain.len : sizeof oc;
        for (int i = 0; i < 3; i++) {
            t = now();
            ok &= zkr_prover_inference2(&p, st.statement_id, im, &r, pub, pub ? NULL : oc,
                                        pub ? NULL : oco, NULL, 0, threads, &pf, &d) == ZKR_OK;
            t = now() - t;
            pr = t < pr ? t : pr;
        }
        for (int i = 0; i < 3; i++) {
            t = now();
            ok &= zkr_verify_inference2(pf.p, pf.len, &st, &d) == ZKR_OK;
            t = now() - t;
            v = t < v ? t : v;
        }
        if (!ok)
            fprintf(stderr, "inference@2: %s\n", d.msg);
        row(pub ? "inference@2 public output" : "inference@2 hidden output", c, pr, v, pf.len, ok);
        {
            zkr_infer2_model_commitment dm;
            unsigned n_open = 0;
            if (zkr_infer2_mc_decode(&p, mc.p, mc.len, &dm) == ZKR_OK) {
                zkr_soundness s = zkr_infer2_soundness(&p, &dm, dims[0], dims + 1, pub, &n_open);
                printf("  soundness %.2f provable bits (%.1f conjectured), %u hiding openings\n",
                       s.provable_bits, s.conjectured_bits, n_open);
            }
        }
        zkr_infer2_model_free(im);
        zkr_buf_free(&pf);
        zkr_buf_free(&plain);
        zkr_buf_free(&mc);
    }
    printf("peak RSS %ld MiB\n", peak_kib() / 1024);
    zkr_ml_model_free(m);
    return 0;
}
