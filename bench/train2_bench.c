/*
 * train2_bench: training-step@2 (hiding; private shard) beside
 * training-step@1 on 784-128-10, one SGD step at batch 16: prove, verify,
 * proof size. The model is zkr_ml_tmodel_init's zero-seed model; records
 * are pseudo-random bytes and labels; @1 binds them with record
 * commitments, @2 with hiding record commitments (each blinded for one
 * proof) under an hpc1 dataset root.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/train2_bench
 *   ZKR_BENCH_CPU=1 ./build-rel/bench/train2_bench [threads]    # default 1
 *
 * Times are the best of `reps` runs (argument 2, default 1): process CPU
 * time with ZKR_BENCH_CPU=1, else wall clock; training-step@2's wall clock
 * of that run is printed too.
 *
 * ZKR_BENCH_VERIFY=N (1..1000) profiles verification alone: training-step@1
 * is skipped, training-step@2 proved once and verified N times (best of N).
 *
 * ZKR_BENCH_ONLY2=1 skips training-step@1 (its row prints zeros): a
 * profile (perf record) of training-step@2's prove alone.
 *
 * ZKR_BENCH_SEED=1 proves training-step@2 in the seeded (deterministic)
 * mode, and ZKR_BENCH_DIGEST=1 prints the start of its proof's SHA-256 on
 * stderr: with both, a prover optimization shows that it kept the bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_util.h"
#include "prover/prover.h"
#include "prover/training2.h"
#include "verifier/training2.h"
#include "verifier/verifier.h"

#define N_REC 64u
#define IN 784u
#define B 16u

static int cpu_time;
static int verify_reps; /* ZKR_BENCH_VERIFY: 0, or the verify-only loop count */
static int only2;       /* ZKR_BENCH_ONLY2: training-step@1 skipped */

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
    return clock_s(cpu_time ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC);
}

static long peak_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

typedef struct {
    double prove, verify;
    double prove_wall; /* @2: wall clock of the run whose time is `prove` */
    double prove_main; /* @2: the main thread's own CPU time, best run (see main) */
    size_t bytes;
    double bits;      /* @2: zkr_train2_soundness */
    unsigned queries, openings;
} row;

static uint8_t recs[N_REC][IN + 1];

static void make_records(void)
{
    uint64_t x = 0x9e3779b97f4a7c15u;

    for (uint32_t i = 0; i < N_REC; i++) {
        for (uint32_t k = 0; k <= IN; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            recs[i][k] = (uint8_t)x;
        }
        recs[i][IN] %= 10;
    }
}

static int run1(const zkr_params *p, unsigned threads, int reps, const zkr_ml_tmodel *parent,
                const zkr_ml_tmodel *child, const uint64_t *idx, row *out)
{
    uint8_t leaves[N_REC][ZKR_DIGEST_BYTES], root[32], sid[32] = {1}, comm[2][32];
    uint8_t paths[B][ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_infer_record rec[B];
    zkr_train_model *tp = NULL, *tc = NULL;
    zkr_ml_tstep_params sp = {3, 16};
    zkr_train_statement st;
    zkr_buf proof = {0};
    int ok = 0;

    out->prove = out->verify = 1e9;
    for (uint32_t i = 0; i < N_REC; i++)
        zkr_infer_record_commitment(recs[i], IN + 1, leaves[i]);
    if (zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, N_REC, root) != ZKR_OK)
        return 0;
    for (uint32_t i = 0; i < B; i++) {
        size_t pl = 0;
        if (zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, N_REC, idx[i],
                                       paths[i], &pl) != ZKR_OK)
            return 0;
        rec[i] = (zkr_infer_record){idx[i], N_REC, {0}, recs[idx[i]], IN + 1,
                                    (const uint8_t(*)[ZKR_DIGEST_BYTES])paths[i], pl};
        memcpy(rec[i].root, root, 32);
    }
    if (zkr_prover_train_commit(p, parent, threads, &tp, comm[0], NULL) != ZKR_OK ||
        zkr_prover_train_commit(p, child, threads, &tc, comm[1], NULL) != ZKR_OK)
        goto out;
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        if (zkr_prover_train_step(p, sid, tp, tc, rec, B, &sp, threads, &proof, NULL) != ZKR_OK)
            goto out;
        out->prove = fmin(out->prove, now() - t0);
    }
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, 32);
    zkr_ml_tmodel_program_digest(parent, st.program_digest);
    memcpy(st.parent_commitment, comm[0], 32);
    memcpy(st.child_commitment, comm[1], 32);
    zkr_infer_dataset_commitment(N_REC, root, st.dataset_commitment);
    st.indices = idx;
    st.batch = B;
    st.lr = sp.lr;
    st.shift = sp.shift;
    st.steps = 1;
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        if (zkr_verify_train_step(p, &st, proof.p, proof.len, NULL) != ZKR_OK)
            goto out;
        out->verify = fmin(out->verify, now() - t0);
    }
    out->bytes = proof.len;
    ok = 1;
out:
    zkr_train_model_free(tp);
    zkr_train_model_free(tc);
    zkr_buf_free(&proof);
    return ok;
}

static int run2(const zkr_params *p, unsigned threads, int reps, const zkr_ml_tmodel *parent,
                const zkr_ml_tmodel *child, const uint64_t *idx, row *out)
{
    static const uint32_t dims[] = {IN, 128, 10};
    static uint8_t allc[N_REC][ZKR_RECORD_COMMIT_BYTES], allo[N_REC][ZKR_RECORD_OPENING_BYTES];
    static uint8_t leaves[N_REC][ZKR_DIGEST_BYTES], paths[B][ZKR_MERKLE_MAX_DEPTH][32];
    static uint8_t rc[B][ZKR_RECORD_COMMIT_BYTES], ro[B][ZKR_RECORD_OPENING_BYTES];
    static uint8_t batch_recs[B * (IN + 1)];
    const uint8_t(*pathp[B])[ZKR_DIGEST_BYTES];
    size_t plen[B];
    uint8_t sid[32] = {2};
    zkr_train2_public pub;
    zkr_train2_secret sec = {parent, batch_recs,
                             (const uint8_t(*)[ZKR_RECORD_OPENING_BYTES])ro};
    zkr_buf proof = {0};
    zkr_diag d = {0};
    static const uint8_t pseed[32] = {0x5e, 0xed, 2};
    const uint8_t *seed = getenv("ZKR_BENCH_SEED") ? pseed : NULL;
    int ok = 0;

    memset(&pub, 0, sizeof pub);
    out->prove = out->verify = out->prove_main = 1e9;
    for (uint32_t i = 0; i < N_REC; i++) {
        uint8_t rs[32] = {(uint8_t)i, 9};
        if (zkr_prover_record_commit(p, recs[i], IN + 1, 1, rs, sizeof rs, threads, allc[i],
                                     allo[i]) != ZKR_OK)
            return 0;
        zkr_infer2_record_leaf(allc[i], leaves[i]);
    }
    if (zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, N_REC, pub.root) != ZKR_OK ||
        zkr_train2_shape_of(2, dims, B, 3, 16, p->max_vars, &pub.s, &d) != ZKR_OK)
        return 0;
    for (uint32_t i = 0; i < B; i++) {
        if (zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, N_REC, idx[i],
                                       paths[i], &plen[i]) != ZKR_OK)
            return 0;
        pathp[i] = (const uint8_t(*)[ZKR_DIGEST_BYTES])paths[i];
        memcpy(rc[i], allc[idx[i]], sizeof rc[i]);
        memcpy(ro[i], allo[idx[i]], sizeof ro[i]);
        memcpy(batch_recs + (size_t)i * (IN + 1), recs[idx[i]], IN + 1);
    }
    for (uint32_t l = 0; l < 2; l++) {
        pub.parent[l] = zkr_ml_tmodel_weights(parent, l);
        pub.child[l] = zkr_ml_tmodel_weights(child, l);
    }
    pub.n_records = N_REC;
    pub.indices = idx;
    pub.rec_commit = (const uint8_t(*)[ZKR_RECORD_COMMIT_BYTES])rc;
    pub.paths = pathp;
    pub.path_len = plen;
    for (int k = 0; k < (verify_reps ? 1 : reps); k++) {
        double t0 = now(), w0 = clock_s(CLOCK_MONOTONIC), m0 = clock_s(CLOCK_THREAD_CPUTIME_ID), t;
        /* each record commitment is blinded for one proof: reopened per proof */
        if (zkr_prover_train2(p, sid, &pub, &sec, seed, seed ? sizeof pseed : 0, threads,
                              &proof, &d) != ZKR_OK) {
            fprintf(stderr, "train2 prove: %s\n", d.msg);
            return 0;
        }
        out->prove_main = fmin(out->prove_main, clock_s(CLOCK_THREAD_CPUTIME_ID) - m0);
        if ((t = now() - t0) < out->prove) {
            out->prove = t;
            out->prove_wall = clock_s(CLOCK_MONOTONIC) - w0;
        }
    }
    for (int k = 0; k < (verify_reps ? verify_reps : reps); k++) {
        double t0 = now();
        if (zkr_verify_train2(p, sid, &pub, proof.p, proof.len, &d) != ZKR_OK) {
            fprintf(stderr, "train2 verify: %s\n", d.msg);
            goto out;
        }
        out->verify = fmin(out->verify, now() - t0);
    }
    out->bytes = proof.len;
    if (getenv("ZKR_BENCH_DIGEST")) {
        uint8_t h[32];
        zkr_sha256(proof.p, proof.len, h);
        /* The first 8 bytes: enough to see that an optimization kept the proof's bytes. */
        fprintf(stderr, "training-step@2 (%s): proof sha256 %02x%02x%02x%02x%02x%02x%02x%02x...\n",
                seed ? "seeded" : "OS randomness", h[0], h[1], h[2], h[3], h[4], h[5], h[6],
                h[7]);
    }
    {
        zkr_record_commitment rcm;
        zkr_params pq;
        if (zkr_record_commitment_decode(p, rc[0], ZKR_RECORD_COMMIT_BYTES, &rcm) != ZKR_OK)
            goto out;
        out->bits = zkr_train2_soundness(p, &pub.s, rcm.comm.n_vars + rcm.comm.blind_vars,
                                         &out->openings)
                        .provable_bits;
        zkr_train2_params(p, &pub.s, rcm.comm.n_vars + rcm.comm.blind_vars, &pq);
        out->queries = pq.queries;
    }
    ok = 1;
out:
    zkr_buf_free(&proof);
    return ok;
}

int main(int argc, char **argv)
{
    static const uint32_t dims[] = {IN, 128, 10};
    unsigned threads = argc > 1 ? (unsigned)zkr_bench_arg("threads", argv[1], 1, 64) : 1;
    int reps = argc > 2 ? (int)zkr_bench_arg("reps", argv[2], 1, 10) : 1;
    uint8_t seed[32] = {0}, in[B * IN], lab[B];
    uint64_t idx[B];
    zkr_ml_graph g;
    zkr_buf pb = {0}, cb = {0};
    zkr_ml_tmodel *parent = NULL, *child = NULL;
    zkr_ml_tstep_params sp = {3, 16};
    zkr_params p;
    row r1 = {0, 0, 0, 0, 0, 0, 0, 0}, r2 = {0, 0, 0, 0, 0, 0, 0, 0};
    int ok;

    cpu_time = getenv("ZKR_BENCH_CPU") != NULL;
    if (getenv("ZKR_BENCH_VERIFY"))
        verify_reps = (int)zkr_bench_arg("ZKR_BENCH_VERIFY", getenv("ZKR_BENCH_VERIFY"), 1, 1000);
    only2 = getenv("ZKR_BENCH_ONLY2") != NULL;
    make_records();
    for (uint32_t i = 0; i < B; i++) {
        idx[i] = 5 + 3 * (uint64_t)i;
        memcpy(in + (size_t)i * IN, recs[idx[i]], IN);
        lab[i] = recs[idx[i]][IN];
    }
    ok = zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
         zkr_ml_tprogram_make(dims, 3, &g, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g, seed, &pb, NULL) == ZKR_OK &&
         zkr_ml_tmodel_decode(pb.p, pb.len, &parent, NULL) == ZKR_OK &&
         zkr_ml_train_step(parent, in, sizeof in, lab, B, &sp, &cb, NULL, NULL) == ZKR_OK &&
         zkr_ml_tmodel_decode(cb.p, cb.len, &child, NULL) == ZKR_OK;
    ok = ok && (verify_reps || only2 || run1(&p, threads, reps, parent, child, idx, &r1)) &&
         run2(&p, threads, reps, parent, child, idx, &r2);
    if (ok) {
        printf("784-128-10, batch %u, %u thread(s), %s, best of %d\n\n", B, threads,
               cpu_time ? "process CPU s" : "wall s", verify_reps ? verify_reps : reps);
        printf("| kind | prove s | verify ms | proof KiB |\n|---|---|---|---|\n");
        printf("| training-step@1 | %.3f | %.1f | %.1f |\n", r1.prove, r1.verify * 1e3,
               r1.bytes / 1024.0);
        printf("| training-step@2 | %.3f | %.1f | %.1f |\n", r2.prove, r2.verify * 1e3,
               r2.bytes / 1024.0);
        printf("\ntraining-step@2: %.2f provable bits (%u openings at %u queries)\n", r2.bits,
               r2.openings, r2.queries);
        printf("training-step@2 prove wall %.3f s\n", r2.prove_wall);
        /* the serial work plus the main thread's share of the shared-out work:
         * about the wall clock on idle cores, whatever the machine's load */
        printf("training-step@2 prove main-thread CPU %.3f s\n", r2.prove_main);
        printf("peak RSS %ld MiB\n", peak_mib());
    }
    zkr_ml_tmodel_free(parent);
    zkr_ml_tmodel_free(child);
    zkr_buf_free(&pb);
    zkr_buf_free(&cb);
    return ok ? 0 : 1;
}
