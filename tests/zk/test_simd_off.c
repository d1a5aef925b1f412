/*
 * The AVX-512 fast paths (zk/ntt.c, zk/b2x8.c, zk/ext8.c) against the
 * scalar code, whole proofs at a time: each proof kind whose prover runs
 * them proves the same statement twice, once as the CPU allows and once
 * with ZKR_NO_AVX512=1 (docs/proof-system.md, "Turning the AVX-512 paths
 * off"), from the same fixture (the TAP generator is rewound), and the two
 * proofs must be byte-identical and both verify (the second verification
 * also runs the verifier's scalar eq tables). Setup, commitments and
 * proofs all run under the switch, so a model commitment that differed
 * would show as a different proof too. test_zk compares kernel by kernel;
 * this catches a kernel a caller uses on a range or shape that test does
 * not reach. On a CPU with AVX2 but not AVX-512F the first run hashes
 * with the AVX2 BLAKE2b, transforms with the AVX2 NTT and runs the
 * extension kernels four lanes a step (zk/ext4.c); on one with neither
 * both runs are scalar: the test still runs every comparison and says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prover/ginfer.h"
#include "prover/prover.h"
#include "prover/training2.h"
#include "tests/infer/eval_fixture.h"
#include "tests/tap.h"
#include "tests/zk/geval_fixture.h"
#include "tests/zk/infer2_fixture.h"
#include "verifier/ginfer.h"
#include "verifier/training2.h"
#include "verifier/verifier.h"
#include "zk/zk.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

#include "tests/zk/test_train2_fx.h"

#define ENV_OFF "ZKR_NO_AVX512"

static char tmpdir[256];

/* One proof kind: builds its fixture from t's generator, proves, verifies; proof: the bytes. */
typedef int (*kind_fn)(zkr_tap *t, zkr_buf *proof);

/* Which paths the library would take now: bit 0 BLAKE2b x8, 1 ext8, 2 a new NTT context's. */
static unsigned paths_now(void)
{
    zkr_ntt *n = NULL;
    unsigned m = (unsigned)(zkr_b2x8_ok() != 0) | (unsigned)(zkr_ext8_ok() != 0) << 1;

    if (zkr_ntt_new(4, &n) == ZKR_OK && zkr_ntt_set_simd(n, 1))
        m |= 4;
    zkr_ntt_free(n);
    return m;
}

static int cpu_avx512(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

/* BLAKE2b x8 and the NTT also run on AVX2 alone (four lanes). */
static int cpu_avx2(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    return __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

/* graph-inference@1: the small LeNet-5-shaped program (12x12 input), random weights. */
static int k_ginf(zkr_tap *t, zkr_buf *proof)
{
    gx_model *md = calloc(1, sizeof *md);
    zkr_params p;
    zkr_ginf_model *gm = NULL;
    zkr_pcs_commitment comm;
    zkr_verifier_ginf_statement st;
    zkr_buf out = {0};
    zkr_diag d = {0};
    uint8_t input[144], sid[ZKR_DIGEST_BYTES];
    int8_t y[64];
    uint32_t n = 0, am;
    int ok = 0;

    if (!md)
        return 0;
    gx_lenet(&md->g, 1);
    gx_model_fill(md, zkr_tap_rand_cb, t);
    memset(sid, 0x3c, sizeof sid);
    for (size_t k = 0; k < sizeof input; k++)
        input[k] = (uint8_t)zkr_tap_rand(t);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_prover_ginf_commit(&p, &md->in, 1, &gm, &comm, &d) != ZKR_OK ||
        zkr_prover_ginf(&p, sid, gm, input, sizeof input, 1, proof, &out, &d) != ZKR_OK ||
        zkr_infer_output_decode(out.p, out.len, y, 64, &n, &am) != ZKR_OK)
        goto out;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = &md->g;
    st.mp = &md->mp;
    st.model = comm;
    st.input = input;
    st.input_len = sizeof input;
    st.output = y;
    st.output_n = n;
    ok = zkr_verify_ginf(proof->p, proof->len, &st, &d) == ZKR_OK;
out:
    if (!ok)
        zkr_tap_diag("graph-inference@1: %s", d.msg);
    zkr_ginf_model_free(gm);
    zkr_buf_free(&out);
    gx_model_free(md);
    free(md);
    return ok;
}

/* evaluation@1 over 6 records of a 40-24-10 model (exact mode). */
static int k_eval(zkr_tap *t, zkr_buf *proof)
{
    static const uint32_t dims[] = {40, 24, 10};
    ev_fixture f;
    zkr_dataset *ds = ev_dataset_make(t, tmpdir, "e", 40, 6, 10);
    int ok;

    memset(&f, 0, sizeof f);
    ev_rmodel_make(t, &f.rm, dims, 2, 0, 0);
    ok = ds && ev_fixture_prove(t, &f, ds, 0, 6, ZKR_EVAL_MODE_EXACT, 0, 1) == ZKR_OK &&
         ev_verify(&f, f.proof.p, f.proof.len, NULL) == ZKR_OK;
    if (ok) {
        *proof = f.proof;
        memset(&f.proof, 0, sizeof f.proof);
    }
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
    return ok;
}

/* inference@1: record 2 of 4 through a 40-24-10 model. */
static int k_infer(zkr_tap *t, zkr_buf *proof)
{
    static const uint32_t dims[] = {40, 24, 10};
    ev_rmodel rm;
    zkr_ml_model *m = NULL;
    zkr_infer_model *im = NULL;
    zkr_dataset *ds = ev_dataset_make(t, tmpdir, "i", 40, 4, 10);
    zkr_verifier_inference_statement st;
    zkr_params p;
    zkr_buf out = {0};
    zkr_diag d = {0};
    uint8_t root[32];
    int ok = 0;

    memset(&st, 0, sizeof st);
    ev_rmodel_make(t, &rm, dims, 2, 0, 0);
    for (int i = 0; i < 32; i++)
        st.statement_id[i] = (uint8_t)zkr_tap_rand(t);
    st.param_set = ZKR_PARAM_SET_128;
    st.record_index = 2;
    if (!ds || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK || !(m = ev_rmodel_decode(&rm)) ||
        zkr_prover_infer_commit(&p, m, 1, &im, st.model_commitment, &d) != ZKR_OK ||
        zkr_infer_dataset_commit(ds, 0, root, st.dataset_commitment, NULL, NULL) != ZKR_OK ||
        zkr_prover_inference(&p, st.statement_id, im, ds, 2, 1, proof, &out, &d) != ZKR_OK)
        goto out;
    zkr_ml_model_program_digest(m, st.program_digest);
    st.output = out.p;
    st.output_len = out.len;
    ok = zkr_verify_inference(proof->p, proof->len, &st, &d) == ZKR_OK;
out:
    if (!ok)
        zkr_tap_diag("inference@1: %s", d.msg);
    zkr_buf_free(&out);
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
    ev_rmodel_free(&rm);
    zkr_dataset_free(ds);
    return ok;
}

/* inference@2, seeded: the 4-8-4-2 case, hidden output (output commitment). */
static int k_infer2(zkr_tap *t, zkr_buf *proof)
{
    static const uint8_t seed[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
    i2case c;
    zkr_diag d = {0};
    int ok;

    (void)t;
    if (!i2case_init(&c, 0, 0, 4, seed))
        return 0;
    i2case_mode(&c, 0);
    ok = i2case_prove(&c, 0, seed, proof) == ZKR_OK &&
         zkr_verify_inference2(proof->p, proof->len, &c.st, &d) == ZKR_OK;
    if (!ok)
        zkr_tap_diag("inference@2: %s", d.msg);
    i2case_free(&c);
    return ok;
}

/* training-step@2, seeded: a 4-4-2 program, batch 2, the full parameter set. */
static int k_train2(zkr_tap *t, zkr_buf *proof)
{
    static const uint32_t dims[] = {4, 4, 2};
    static const uint8_t seed[32] = {5, 6, 7};
    t2fx *f = calloc(1, sizeof *f);
    zkr_diag d = {0};
    int ok;

    if (!f)
        return 0;
    ok = t2fx_setup_p(t, f, dims, 3, 2, 0) &&
         zkr_prover_train2(&f->p, f->sid, &f->pub, &f->sec, seed, sizeof seed, 1, proof, &d) ==
             ZKR_OK &&
         zkr_verify_train2(&f->p, f->sid, &f->pub, proof->p, proof->len, &d) == ZKR_OK;
    if (!ok)
        zkr_tap_diag("training-step@2: %s", d.msg);
    t2fx_free(f);
    free(f);
    return ok;
}

/* matmul@1 (the plain PCS): W 33 x 65, a batch of 3. */
static int k_matmul(zkr_tap *t, zkr_buf *proof)
{
    enum { M = 33, K = 65, B = 3 };
    int64_t *w = malloc(sizeof(int64_t) * M * K), *x = malloc(sizeof(int64_t) * K * B),
            *y = calloc((size_t)M * B, sizeof(int64_t));
    zkr_pcs_poly *poly = NULL;
    zkr_verifier_matmul_statement st;
    zkr_params p;
    zkr_diag d = {0};
    int ok = 0;

    memset(&st, 0, sizeof st);
    if (!w || !x || !y || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < (size_t)M * K; i++)
        w[i] = (int64_t)(zkr_tap_rand(t) % 255) - 127;
    for (size_t i = 0; i < (size_t)K * B; i++)
        x[i] = (int64_t)(zkr_tap_rand(t) % (2u << 20)) - (1 << 20);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < K; j++)
            for (size_t q = 0; q < B; q++)
                y[i * B + q] += w[i * K + j] * x[j * B + q];
    for (int i = 0; i < ZKR_DIGEST_BYTES; i++)
        st.statement_id[i] = (uint8_t)(0x70 + i);
    st.param_set = p.id;
    st.pub.m = M, st.pub.k = K, st.pub.b = B;
    st.pub.w_max_abs = 127;
    st.pub.x = x;
    st.pub.y = y;
    ok = zkr_prover_matmul_commit(&p, w, M, K, 1, &poly, &st.pub.w) == ZKR_OK &&
         zkr_prover_matmul(&p, st.statement_id, &st.pub, w, poly, 1, proof, &d) == ZKR_OK &&
         zkr_verify_matmul(proof->p, proof->len, &st, &d) == ZKR_OK;
    if (!ok)
        zkr_tap_diag("matmul@1: %s", d.msg);
out:
    zkr_pcs_poly_free(poly);
    free(w);
    free(x);
    free(y);
    return ok;
}

/* Proves with the paths as the CPU allows, then forced off; the same fixture both times. */
static void compare(zkr_tap *t, const char *name, kind_fn fn)
{
    const char *first = cpu_avx512() ? "AVX-512 paths"
                        : cpu_avx2() ? "AVX2 BLAKE2b, NTT and extension kernels"
                                     : "no AVX2 or AVX-512F: scalar";
    zkr_buf on = {0}, off = {0};
    uint64_t rng = t->rng;
    int ok_on, ok_off;

    ok_on = fn(t, &on);
    t->rng = rng;
    if (setenv(ENV_OFF, "1", 1) != 0)
        abort();
    ok_off = fn(t, &off);
    if (unsetenv(ENV_OFF) != 0)
        abort();
    zkr_tap_ok(t, ok_on, "%s: proves and verifies, paths as the CPU allows (%s)", name, first);
    zkr_tap_ok(t, ok_off, "%s: proves and verifies with " ENV_OFF "=1 (scalar)", name);
    zkr_tap_ok(t, ok_on && ok_off && on.len == off.len && memcmp(on.p, off.p, on.len) == 0,
               "%s: byte-identical proofs (%zu and %zu bytes)", name, on.len, off.len);
    zkr_buf_free(&on);
    zkr_buf_free(&off);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char cmd[300];
    unsigned with, without;
    int cpu = cpu_avx512(), avx2 = cpu_avx2(), rc;
    unsigned want = (cpu ? 7u : 0u) | (avx2 ? 7u : 0u);

    zkr_tap_init(&t, argc, argv);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zkr-test-simd-XXXXXX");
    if (!mkdtemp(tmpdir) || unsetenv(ENV_OFF) != 0)
        return 1;
    with = paths_now();
    if (setenv(ENV_OFF, "1", 1) != 0)
        abort();
    without = paths_now();
    if (setenv(ENV_OFF, "0", 1) != 0 || paths_now() != with || unsetenv(ENV_OFF) != 0)
        with = ~0u; /* "0" must leave the paths on */
    zkr_tap_diag("%s", cpu    ? "this CPU has AVX-512F: the first proof of each pair takes the "
                                "AVX-512 paths, the second the scalar ones"
                       : avx2 ? "this CPU has AVX2 but no AVX-512F: the first proof of each "
                                "pair hashes with the AVX2 BLAKE2b, transforms with the AVX2 "
                                "NTT and runs the extension kernels four lanes a step "
                                "(zk/ext4.c), the second with libsodium, the portable NTT and "
                                "the scalar loops"
                              : "this CPU has neither: both proofs of each pair run the scalar "
                                "code (the comparisons below still run)");
    zkr_tap_ok(&t, with == want,
               "without " ENV_OFF " (or set to 0) BLAKE2b x8 and the NTT (AVX-512F or AVX2) and "
               "the extension kernels (AVX-512F or AVX2) follow the CPU (AVX-512F %s, AVX2 %s; paths "
               "%#x)",
               cpu ? "present" : "absent", avx2 ? "present" : "absent", with);
    zkr_tap_ok(&t, without == 0, ENV_OFF "=1: every fast path reports scalar (paths %#x)",
               without);
    compare(&t, "graph-inference@1 (small LeNet-5)", k_ginf);
    compare(&t, "evaluation@1 (6 records)", k_eval);
    compare(&t, "inference@1", k_infer);
    compare(&t, "inference@2 (seeded, hidden output)", k_infer2);
    compare(&t, "training-step@2 (seeded)", k_train2);
    compare(&t, "matmul@1 (plain PCS)", k_matmul);
    rc = zkr_tap_done(&t);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
