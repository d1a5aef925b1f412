/*
 * train_bench: training-step@1 on 784-128-10 (the benchmark), one
 * SGD step at batch 16 and 64: native step, commitment of parent and child
 * (register-model's work, once per model), proving, verifying, proof
 * size, peak RSS, prove/native ratio and the provable soundness computed
 * from the parameters. The model is zkr_ml_tmodel_init's zero-seed model;
 * records are pseudo-random bytes and labels with real record commitments
 * and RFC 6962 paths.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/train_bench
 *   ./build-rel/bench/train_bench [threads]       # default 2
 *
 * Times are the best of 3 runs (native: of 20), wall clock; with
 * ZKR_BENCH_CPU=1 process CPU time (all threads summed).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_util.h"
#include "prover/prover.h"
#include "verifier/verifier.h"

#define N_REC 1024u
#define IN 784u

typedef struct {
    int cpu;
    unsigned threads;
    zkr_params p;
    uint8_t (*recs)[IN + 1];
    uint8_t (*leaves)[ZKR_DIGEST_BYTES];
    uint8_t root[ZKR_DIGEST_BYTES];
} bench;

static double now(const bench *b)
{
    struct timespec ts;
    clock_gettime(b->cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static void make_records(bench *b)
{
    uint64_t x = 0x9e3779b97f4a7c15u;

    for (uint32_t i = 0; i < N_REC; i++) {
        for (uint32_t k = 0; k <= IN; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b->recs[i][k] = (uint8_t)x;
        }
        b->recs[i][IN] %= 10;
        zkr_infer_record_commitment(b->recs[i], IN + 1, b->leaves[i]);
    }
    if (zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])b->leaves, N_REC, b->root) != ZKR_OK)
        abort();
}

typedef struct {
    double native, commit, prove, verify, soundness;
    size_t bytes;
} row;

/* -log2 of the sum of the openings' error terms (the other terms are below 2^-160). */
static double soundness(const bench *b, uint32_t batch)
{
    static const uint32_t dims[] = {IN, 128, 10};
    zkr_train_shape s;
    unsigned sizes[8], n = 0;
    double eps = 0;

    if (zkr_train_shape_of(2, dims, batch, b->p.max_vars, &s, NULL) != ZKR_OK)
        return 0;
    sizes[n++] = s.n_v;
    sizes[n++] = ZKR_TRAIN_TABLE_LOG;
    for (uint32_t l = 0; l < 2; l++) {
        unsigned v = s.lm[l] + s.lk[l];
        int seen = 0;
        for (unsigned i = 0; i < n; i++)
            seen |= sizes[i] == v;
        if (!seen)
            sizes[n++] = v;
    }
    for (unsigned i = 0; i < n; i++)
        eps += pow(2.0, -zkr_params_soundness(&b->p, sizes[i], 64, 3).provable_bits);
    return -log2(eps);
}

static int run(bench *b, uint32_t batch, row *out)
{
    static const uint32_t dims[] = {IN, 128, 10};
    uint8_t seed[32] = {0}, sid[32] = {1}, comm[2][32];
    uint8_t paths[64][ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES], inputs[64 * IN], labels[64];
    uint64_t idx[64];
    zkr_infer_record rec[64];
    zkr_ml_graph g;
    zkr_buf pb = {0}, cb = {0}, proof = {0};
    zkr_ml_tmodel *parent = NULL, *child = NULL;
    zkr_train_model *tp = NULL, *tc = NULL;
    zkr_ml_tstep_params sp = {3, 16};
    zkr_train_statement st;
    int ok = 0;

    memset(out, 0, sizeof *out);
    out->native = out->commit = out->prove = out->verify = 1e9;
    if (zkr_ml_tprogram_make(dims, 3, &g, NULL) != ZKR_OK ||
        zkr_ml_tmodel_init(&g, seed, &pb, NULL) != ZKR_OK ||
        zkr_ml_tmodel_decode(pb.p, pb.len, &parent, NULL) != ZKR_OK)
        goto out;
    for (uint32_t i = 0; i < batch; i++) {
        size_t pl = 0;
        idx[i] = 17 + 3 * (uint64_t)i;
        memcpy(inputs + (size_t)i * IN, b->recs[idx[i]], IN);
        labels[i] = b->recs[idx[i]][IN];
        if (zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])b->leaves, N_REC,
                                       idx[i], paths[i], &pl) != ZKR_OK)
            goto out;
        rec[i] = (zkr_infer_record){idx[i], N_REC, {0}, b->recs[idx[i]], IN + 1,
                                    (const uint8_t(*)[ZKR_DIGEST_BYTES])paths[i], pl};
        memcpy(rec[i].root, b->root, 32);
    }
    for (int k = 0; k < 20; k++) {
        double t0 = now(b);
        if (zkr_ml_train_step(parent, inputs, (size_t)batch * IN, labels, batch, &sp, &cb, NULL,
                               NULL) != ZKR_OK)
            goto out;
        out->native = fmin(out->native, now(b) - t0);
    }
    if (zkr_ml_tmodel_decode(cb.p, cb.len, &child, NULL) != ZKR_OK)
        goto out;
    for (int k = 0; k < 3; k++) {
        double t0 = now(b);
        zkr_train_model_free(tp);
        zkr_train_model_free(tc);
        tp = tc = NULL;
        if (zkr_prover_train_commit(&b->p, parent, b->threads, &tp, comm[0], NULL) != ZKR_OK ||
            zkr_prover_train_commit(&b->p, child, b->threads, &tc, comm[1], NULL) != ZKR_OK)
            goto out;
        out->commit = fmin(out->commit, now(b) - t0);
    }
    for (int k = 0; k < 3; k++) {
        double t0 = now(b);
        if (zkr_prover_train_step(&b->p, sid, tp, tc, rec, batch, &sp, b->threads, &proof, NULL) !=
            ZKR_OK)
            goto out;
        out->prove = fmin(out->prove, now(b) - t0);
    }
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, 32);
    zkr_ml_tmodel_program_digest(parent, st.program_digest);
    memcpy(st.parent_commitment, comm[0], 32);
    memcpy(st.child_commitment, comm[1], 32);
    zkr_infer_dataset_commitment(N_REC, b->root, st.dataset_commitment);
    st.indices = idx;
    st.batch = batch;
    st.lr = sp.lr;
    st.shift = sp.shift;
    st.steps = 1;
    for (int k = 0; k < 3; k++) {
        double t0 = now(b);
        if (zkr_verify_train_step(&b->p, &st, proof.p, proof.len, NULL) != ZKR_OK)
            goto out;
        out->verify = fmin(out->verify, now(b) - t0);
    }
    out->bytes = proof.len;
    out->soundness = soundness(b, batch);
    ok = 1;
out:
    zkr_train_model_free(tp);
    zkr_train_model_free(tc);
    zkr_ml_tmodel_free(parent);
    zkr_ml_tmodel_free(child);
    zkr_buf_free(&pb);
    zkr_buf_free(&cb);
    zkr_buf_free(&proof);
    return ok;
}

int main(int argc, char **argv)
{
    static const uint32_t batches[] = {16, 64};
    bench b;
    int rc = 0;

    memset(&b, 0, sizeof b);
    b.threads = argc > 1 ? (unsigned)zkr_bench_arg("threads", argv[1], 1, 64) : 2;
    b.cpu = getenv("ZKR_BENCH_CPU") != NULL;
    b.recs = calloc(N_REC, sizeof *b.recs);
    b.leaves = calloc(N_REC, sizeof *b.leaves);
    if (!b.recs || !b.leaves || zkr_params_get(ZKR_PARAM_SET_128, &b.p) != ZKR_OK)
        return 1;
    make_records(&b);
    printf("training-step@1, 784-128-10, one SGD step, %u thread(s), %s, best of 3\n\n",
           b.threads, b.cpu ? "process CPU time" : "wall clock");
    printf("| batch | native ms | commit parent+child s | prove s | verify ms | proof KiB | "
           "peak MiB | prove/native | provable bits |\n|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof batches / sizeof *batches; i++) {
        row r;
        if (!run(&b, batches[i], &r)) {
            printf("| %u | failed |\n", batches[i]);
            rc = 1;
            continue;
        }
        printf("| %u | %.2f | %.3f | %.3f | %.1f | %.1f | %ld | %.0f | %.2f |\n", batches[i],
               r.native * 1e3, r.commit, r.prove, r.verify * 1e3, (double)r.bytes / 1024.0,
               peak_mib(), r.prove / r.native, r.soundness);
        fflush(stdout);
    }
    free(b.recs);
    free(b.leaves);
    return rc;
}
