/*
 * infer2_bench: inference@2 (hiding) beside inference@1 on 784-128-10 and
 * 784-512-512-10: the one-time model commitment, proving, verifying, the
 * proof size and the provable soundness bits, for a public and for a
 * hidden (committed) output. The model is random
 * with realistic quantization parameters (shift 24, ReLU hidden layer);
 * the record is random bytes behind a hiding record commitment in a
 * one-record dataset.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/infer2_bench
 *   ZKR_BENCH_CPU=1 ./build-rel/bench/infer2_bench [threads]     # default 1
 *
 * Times are the best of 3 runs, wall clock, or process CPU time (all
 * threads summed) with ZKR_BENCH_CPU=1.
 *
 * ZKR_BENCH_VERIFY=N (1..1000) profiles verification alone: inference@1 is
 * skipped, the model is committed and each proof made once, and
 * zkr_verify_inference2 runs N times (the best of N is printed).
 *
 * ZKR_BENCH_SEED=1 commits the model, the output and proves in the seeded
 * (deterministic) mode, and ZKR_BENCH_DIGEST=1 prints the start of each
 * inference@2 proof's SHA-256 on stderr: an optimization that keeps the
 * proof bytes keeps those digests. ZKR_BENCH_PROVE=N (1..1000) profiles the
 * prover alone: only 784-128-10's inference@2 with a public output, the
 * model committed once, the proof made N times and verified once.
 *
 * inference@2 runs at each parameter set (goldilocks-128, then -r8 and
 * -r16: rows "r8", "r16"); ZKR_BENCH_SET=1|2|3|4 runs one set only (4:
 * goldilocks-128-r64, rows "r64").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "prover/prover.h"
#include "verifier/verifier.h"
#include "bench_util.h"
#include "zk/infer2_int.h"

/* Wall clock, or process CPU time (all threads) with ZKR_BENCH_CPU=1: on a
 * shared, overloaded machine the CPU time is the stable figure. */
static int use_cpu;
static int verify_reps; /* ZKR_BENCH_VERIFY: 0, or the verify-only loop count */
static int prove_reps;  /* ZKR_BENCH_PROVE: 0, or the prove-only loop count */
static int seeded;      /* ZKR_BENCH_SEED: deterministic commitments and proofs */
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

static void row(const char *name, double commit, double prove, double verify, size_t bytes,
                double bits, int ok)
{
    printf("| %-26s | %8.3f | %8.3f | %9.1f | %9.1f | %8.2f |%s\n", name, commit, prove,
           verify * 1e3, (double)bytes / 1024.0, bits, ok ? "" : " FAILED");
}

/* inference@1: one batched Basefold opening per polynomial size (docs/soundness.md). */
static double infer1_bits(const zkr_params *p, const uint32_t *dims, uint32_t nl,
                          const zkr_ml_model *m)
{
    zkr_infer_shape s;
    zkr_infer_groups g;
    uint32_t sh[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS];
    zkr_soundness one = zkr_params_soundness_open(p, 20, 2, 1, 0, 1);

    for (uint32_t l = 0; l < nl; l++) {
        zkr_ml_qlayer q;
        relu[l] = l + 1 < nl;
        sh[l] = zkr_ml_model_layer(m, l, &q) == ZKR_OK ? q.shift : 24;
    }
    if (zkr_infer_shape_init(&s, dims[0], nl, dims, dims + 1, relu, sh) != ZKR_OK)
        return 0;
    zkr_infer_groups_of(&s, &g);
    return -log2((double)g.n_groups * exp2(-one.query_bits));
}

static void bench_infer1(const zkr_params *p, const zkr_ml_model *m, const uint32_t *dims,
                         uint32_t nl, const uint8_t *rec, size_t rec_len, unsigned threads)
{
    zkr_infer_model *im = NULL;
    zkr_infer_record r;
    zkr_verifier_inference_statement st;
    zkr_buf pf = {0}, out = {0};
    uint8_t leaf[ZKR_DIGEST_BYTES];
    zkr_diag d = {0};
    double c = 1e9, pr = 1e9, v = 1e9, t;
    int ok = 1;

    memset(&r, 0, sizeof r);
    memset(&st, 0, sizeof st);
    zkr_infer_record_commitment(rec, rec_len, leaf);
    r.n_records = 1;
    memcpy(r.root, leaf, sizeof leaf); /* the root of one leaf is the leaf */
    r.record = rec;
    r.record_len = rec_len;
    for (int i = 0; i < 3; i++) {
        zkr_infer_model_free(im);
        im = NULL;
        t = now();
        ok &= zkr_prover_infer_commit(p, m, threads, &im, st.model_commitment, &d) == ZKR_OK;
        t = now() - t;
        c = t < c ? t : c;
    }
    memset(st.statement_id, 0x5a, sizeof st.statement_id);
    st.param_set = p->id;
    zkr_ml_model_program_digest(m, st.program_digest);
    zkr_infer_dataset_commitment(1, r.root, st.dataset_commitment);
    for (int i = 0; i < 3; i++) {
        t = now();
        ok &= zkr_prover_inference_record(p, st.statement_id, im, &r, threads, &pf, &out, &d) ==
              ZKR_OK;
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
    row("inference@1", c, pr, v, pf.len, infer1_bits(p, dims, nl, m), ok);
    zkr_infer_model_free(im);
    zkr_buf_free(&pf);
    zkr_buf_free(&out);
}

static unsigned dm_layers(const zkr_ml_model *m)
{
    return zkr_ml_model_graph(m)->n_layers;
}

/* inference@2 with a public (pub 1) or hidden output. */
static void bench_infer2(const zkr_params *p, const zkr_ml_model *m, const uint32_t *dims,
                         const uint8_t *rec, size_t rec_len, int pub, unsigned threads)
{
    zkr_infer2_model *im = NULL;
    zkr_infer2_record r;
    zkr_verifier_inference2_statement st;
    zkr_buf pf = {0}, plain = {0}, mc = {0};
    uint8_t mo[ZKR_INFER2_OPENING_BYTES], oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES];
    uint8_t oco[ZKR_RECORD_OPENING_BYTES], rc[ZKR_RECORD_COMMIT_BYTES];
    uint8_t ro[ZKR_RECORD_OPENING_BYTES], leaf[ZKR_DIGEST_BYTES], seed[32];
    zkr_infer2_model_commitment dm;
    zkr_record_commitment rcd;
    zkr_params pq = *p, pc = *p;
    zkr_soundness snd = {0, 0, 0};
    unsigned n_open = 0, nest = 0;
    zkr_diag d = {0};
    double c = 1e9, pr = 1e9, v = 1e9, t;
    int ok = 1, one = verify_reps || prove_reps;
    const uint8_t *ps = seeded ? seed : NULL;
    size_t psl = seeded ? sizeof seed : 0;

    memset(&r, 0, sizeof r);
    memset(&st, 0, sizeof st);
    memset(seed, 0x42, sizeof seed);
    ok &= zkr_prover_record_commit(p, rec, rec_len, 16, seed, sizeof seed, threads, rc, ro) ==
          ZKR_OK;
    zkr_infer2_record_leaf(rc, leaf);
    r.n_records = 1;
    memcpy(r.root, leaf, sizeof leaf);
    r.record = rec;
    r.record_len = rec_len;
    r.commitment = rc;
    r.opening = ro;
    for (int i = 0; i < (one ? 1 : 3); i++) {
        zkr_infer2_model_free(im);
        im = NULL;
        mc.len = 0;
        t = now();
        ok &= zkr_prover_infer2_commit(p, m, ZKR_HPCS_DEFAULT_BUDGET, ps, psl, threads, &im, &mc,
                                       mo, &d) == ZKR_OK;
        t = now() - t;
        c = t < c ? t : c;
    }
    ok &= zkr_prover_infer2_output(p, im, &r, ps, psl, threads, &plain, oc, oco, &d) == ZKR_OK;
    memset(st.statement_id, 0x5b, sizeof st.statement_id);
    st.param_set = p->id;
    zkr_ml_model_program_digest(m, st.program_digest);
    zkr_infer2_mc_digest(mc.p, mc.len, st.model_commitment);
    zkr_infer2_dataset_commitment(1, r.root, st.dataset_commitment);
    st.public_output = pub;
    st.output = pub ? plain.p : oc;
    st.output_len = pub ? plain.len : sizeof oc;
    for (int i = 0; i < (verify_reps ? 1 : prove_reps ? prove_reps : 3); i++) {
        t = now();
        ok &= zkr_prover_inference2(p, st.statement_id, im, &r, pub, pub ? NULL : oc,
                                    pub ? NULL : oco, ps, psl, threads, &pf, &d) == ZKR_OK;
        t = now() - t;
        pr = t < pr ? t : pr;
    }
    for (int i = 0; i < (verify_reps ? verify_reps : prove_reps ? 1 : 3); i++) {
        t = now();
        ok &= zkr_verify_inference2(pf.p, pf.len, &st, &d) == ZKR_OK;
        t = now() - t;
        v = t < v ? t : v;
    }
    if (!ok)
        fprintf(stderr, "inference@2: %s\n", d.msg);
    if (getenv("ZKR_BENCH_DIGEST")) {
        uint8_t h[32];
        zkr_sha256(pf.p, pf.len, h);
        /* The first 8 bytes: enough to see that an optimization kept the proof's bytes. */
        fprintf(stderr, "inference@2 %u layers, %s output (%s): proof sha256 "
                "%02x%02x%02x%02x%02x%02x%02x%02x...\n", dm_layers(m), pub ? "public" : "hidden",
                seeded ? "seeded" : "OS randomness", h[0], h[1], h[2], h[3], h[4], h[5], h[6],
                h[7]);
    }
    if (zkr_infer2_mc_decode(p, mc.p, mc.len, &dm) == ZKR_OK &&
        zkr_record_commitment_decode(p, rc, sizeof rc, &rcd) == ZKR_OK) {
        /* the figure of this record's proofs (version 6: its size enters the mixed opening) */
        unsigned rt = rcd.comm.n_vars + rcd.comm.blind_vars;
        snd = zkr_infer2_soundness(p, &dm, dims[0], dims + 1, pub, rt, &n_open);
        nest = zkr_infer2_nest_of(p, &dm, dims[0], dims + 1, pub, rt);
        if (zkr_infer2_params(p, &dm, dims[0], dims + 1, pub, rt, &pq) != ZKR_OK)
            pq.queries = 0; /* the prover refused the shape; the table shows q' 0 */
        if (zkr_infer2_c_opening(p, &dm, dims[0], dims + 1, pub, rt, &pc) != ZKR_OK)
            pc.queries = 0;
    }
    {
        /* goldilocks-128 keeps the old row names; the other sets name their rate */
        static const char *const rate[5] = {"", " output", " r8", " r16", " r64"};
        char name[40];
        (void)snprintf(name, sizeof name, "inference@2 %s%s", pub ? "public" : "hidden",
                       p->id <= 4 ? rate[p->id] : "");
        row(name, c, pr, v, pf.len, snd.provable_bits, ok);
    }
    /* version 6: the record joins the mixed opening; version 10: C's at its own rate and count */
    /* version 13: the mixed opening's mask nested under the V-m pair's leaves (h) or not (0) */
    printf("  %u hiding openings: the mixed one %u queries at rate 1/%u (mask nested: h %u), C's "
           "%u at 1/%u; %.1f conjectured bits\n", n_open, pq.queries, 1u << p->log_blowup, nest,
           pc.queries, 1u << pc.log_blowup, snd.conjectured_bits);
    {
        /* where the bytes go: each section's share (issue 13) */
        zkr_proof_view pv;
        if (zkr_proof_parse(pf.p, pf.len, &pv, NULL) == ZKR_OK) {
            printf("  sections (KiB):");
            for (uint32_t i = 0; i < pv.n_sections; i++)
                printf(" %u: %.1f", pv.tag[i], (double)pv.len[i] / 1024.0);
            printf("\n");
        }
    }
    zkr_infer2_model_free(im);
    zkr_buf_free(&pf);
    zkr_buf_free(&plain);
    zkr_buf_free(&mc);
}

int main(int argc, char **argv)
{
    static const uint32_t shapes[2][5] = {{784, 128, 10}, {784, 512, 512, 10}};
    static const uint32_t n_layers[2] = {2, 3};
    static const char *names[2] = {"784-128-10", "784-512-512-10"};
    unsigned threads = argc > 1 ? (unsigned)zkr_bench_arg("threads", argv[1], 1, 16) : 1;
    zkr_params ps[3];
    uint32_t sets[3] = {ZKR_PARAM_SET_128, ZKR_PARAM_SET_128_R8, ZKR_PARAM_SET_128_R16};
    unsigned n_sets = 3;
    uint8_t rec[785];

    /* as the CLI does (cli/main.c): libsodium picks its SIMD ChaCha20 and BLAKE2b */
    if (sodium_init() < 0)
        return 1;
    use_cpu = getenv("ZKR_BENCH_CPU") != NULL;
    if (getenv("ZKR_BENCH_VERIFY"))
        verify_reps = (int)zkr_bench_arg("ZKR_BENCH_VERIFY", getenv("ZKR_BENCH_VERIFY"), 1, 1000);
    if (getenv("ZKR_BENCH_PROVE"))
        prove_reps = (int)zkr_bench_arg("ZKR_BENCH_PROVE", getenv("ZKR_BENCH_PROVE"), 1, 1000);
    seeded = getenv("ZKR_BENCH_SEED") != NULL;
    if (getenv("ZKR_BENCH_SET")) {
        /* one set only: its id (1: goldilocks-128, 2: -r8, 3: -r16, 4: -r64) */
        sets[0] = (uint32_t)zkr_bench_arg("ZKR_BENCH_SET", getenv("ZKR_BENCH_SET"), 1, 4);
        n_sets = 1;
    }
    for (unsigned s = 0; s < n_sets; s++)
        if (zkr_params_get(sets[s], &ps[s]) != ZKR_OK)
            return 1;
    for (size_t i = 0; i < sizeof rec; i++)
        rec[i] = (uint8_t)(i < 784 ? rnd() : 3);
    for (int k = 0; k < (prove_reps ? 1 : 2); k++) {
        zkr_ml_model *m = make_model(shapes[k], n_layers[k]);
        if (!m)
            return 1;
        printf("\n| %-26s | %8s | %8s | %9s | %9s | %8s |\n", names[k], "commit s", "prove s",
               "verify ms", "proof KiB", "provable");
        printf("|---|---|---|---|---|---|\n");
        if (!verify_reps && !prove_reps)
            bench_infer1(&ps[0], m, shapes[k], n_layers[k], rec, sizeof rec, threads);
        for (unsigned s = 0; s < n_sets; s++) {
            bench_infer2(&ps[s], m, shapes[k], rec, sizeof rec, 1, threads);
            if (!prove_reps)
                bench_infer2(&ps[s], m, shapes[k], rec, sizeof rec, 0, threads);
        }
        zkr_ml_model_free(m);
    }
    printf("peak RSS %ld MiB\n", peak_kib() / 1024);
    return 0;
}
