/*
 * signer_bench: attestations signed (and verified) per second, per backend.
 *
 *   ninja -C build-plain bench/signer_bench
 *   tests/hsm/softhsm-setup.sh build-plain/bench/signer_bench [SECONDS]
 *
 * Run under softhsm-setup.sh to include the PKCS#11 backends (SoftHSM2
 * through zkreg-pkcs11-helper, found in the binary's ../hsm/; in builds with
 * test hooks ZKREG_PKCS11_HELPER may name another, root-owned one). Each row signs full attestations
 * (payload build + DSSE + EIP-712 companion where the key has one) for
 * SECONDS (default 2) and then verifies them.
 *
 *   build/bench/signer_bench --e2e [N]
 *
 * instead measures attestations per second end to end through the real
 * zkreg (verification in the confined worker included) for N (default 8)
 * inference@1 proofs of 784-128-10: single `attest` runs against one
 * `attest --batch` (bench/attest_e2e.c).
 */
#include <time.h>

#include "signer/test_util.h"
#include "attest_e2e.h"
#include "bench_util.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void row(const char *name, zkr_signer *s, const zkr_eip712_domain *dom, double secs)
{
    zkr_attest_facts f;
    zkr_buf att = {0};
    zkr_attest_result res;
    double t0, t1, t2;
    long n = 0, v = 0;

    if (s == NULL) {
        printf("%-34s %12s %12s\n", name, "n/a", "n/a");
        return;
    }
    tu_facts(&f, 1, (int64_t)time(NULL));
    t0 = now_s();
    do {
        f.log_index = (uint64_t)(n % 8); /* a fresh payload each time */
        if (zkr_attest_sign(s, &f, dom, &att, NULL) != ZKR_OK) {
            printf("%-34s signing failed\n", name);
            return;
        }
        n++;
    } while ((t1 = now_s()) - t0 < secs);
    do {
        if (zkr_attest_verify(att.p, att.len, zkr_signer_pubkey(s), 1, NULL, &res, NULL) !=
            ZKR_OK) {
            printf("%-34s verification failed\n", name);
            return;
        }
        v++;
    } while ((t2 = now_s()) - t1 < secs);
    printf("%-34s %12.1f %12.1f\n", name, (double)n / (t1 - t0), (double)v / (t2 - t1));
    zkr_buf_free(&att);
}

static zkr_signer *token_key(const char *object)
{
    const char *dir = getenv("ZKR_HSM_DIR");
    char uri[1024];
    zkr_signer *s = NULL;
    zkr_diag d;

    if (dir == NULL)
        return NULL;
    zkr_diag_clear(&d);
    snprintf(uri, sizeof uri,
             "pkcs11:token=zkr-test;object=%s?module-path=/usr/lib/softhsm/libsofthsm2.so"
             "&pin-source=%s/pin",
             object, dir);
    if (zkr_signer_open(uri, NULL, &s, &d) != ZKR_OK)
        fprintf(stderr, "token key %s: %s\n", object, d.msg);
    return s;
}

static int e2e_main(int argc, char **argv)
{
    char dir[] = "/tmp/zkr-attest-e2e-XXXXXX";
    unsigned n = argc > 2 ? (unsigned)zkr_bench_arg("N", argv[2], 1, 1000) : 8;
    int rc;

    if (mkdtemp(dir) == NULL)
        return 1;
    rc = zkr_bench_attest_e2e(ZKR_BENCH_ZKREG, ZKR_BENCH_FIXTURE,
                              "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", n,
                              dir);
    if (getenv("ZKR_BENCH_KEEP") != NULL) /* keep the registry and batch file for a closer look */
        fprintf(stderr, "kept %s\n", dir);
    else if (zkr_bench_rmtree(dir) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    char dir[512];
    double secs;

    if (argc > 1 && strcmp(argv[1], "--e2e") == 0)
        return e2e_main(argc, argv);
    secs = argc > 1 ? atof(argv[1]) : 2.0;
    zkr_eip712_domain dom = {.name = "zkreg", .version = "1", .chain_id = 1};
    zkr_signer *s[7];

    if (sodium_init() < 0 || !tu_setup(dir, sizeof dir) || secs <= 0)
        return 1;
    s[0] = tu_key(dir, "ed.key", ZKR_KEY_ED25519);
    s[1] = tu_key(dir, "k1.key", ZKR_KEY_SECP256K1);
    s[2] = s[1];
    s[3] = token_key("ed");
    s[4] = token_key("k1");
    s[5] = s[4];
    s[6] = token_key("p256");
    printf("%-34s %12s %12s\n", "backend", "signed/s", "verified/s");
    row("file ed25519 (libsodium)", s[0], NULL, secs);
    row("file secp256k1 (DSSE only)", s[1], NULL, secs);
    row("file secp256k1 (DSSE + EIP-712)", s[2], &dom, secs);
    row("pkcs11 ed25519 (SoftHSM2)", s[3], NULL, secs);
    row("pkcs11 secp256k1 (DSSE only)", s[4], NULL, secs);
    row("pkcs11 secp256k1 (DSSE + EIP-712)", s[5], &dom, secs);
    row("pkcs11 p256 (SoftHSM2)", s[6], NULL, secs);
    for (int i = 0; i < 7; i++)
        if (i != 2 && i != 5)
            zkr_signer_free(s[i]);
    return zkr_bench_rmtree(dir) == 0 ? 0 : 1;
}
