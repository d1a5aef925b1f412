/*
 * hsm/: RFC 7512 URIs, and real PKCS#11 signing through the helper against
 * a SoftHSM2 token made by softhsm-setup.sh (no mocks). Signatures are
 * checked with independent verifiers: libsecp256k1 directly, libsodium for
 * Ed25519 and OpenSSL for P-256.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "hsm/hsm.h"
#include "signer/signer.h"
#include "tap.h"

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"

static const char *dir, *helper;

static void uri_of(char *out, size_t cap, const char *object, const char *pin, const char *module)
{
    snprintf(out, cap, "pkcs11:token=zkr-test;object=%s?module-path=%s%s%s%s", object,
             module ? module : SOFTHSM, pin ? "&pin-source=" : "", pin ? dir : "",
             pin ? pin : "");
}

static void test_uri(zkr_tap *t)
{
    static const char *const bad[] = {
        "pkcs11:object=k",                            /* no token */
        "pkcs11:token=t",                             /* no key */
        "pkcs11:token=t;object=k;object=j",           /* duplicate */
        "pkcs11:token=t;object=k;slot-id=3",          /* unsupported */
        "pkcs11:token=t;object=k?pin-value=1234",     /* PIN in a URI */
        "pkcs11:token=t;object=k%2",                  /* short escape */
        "pkcs11:token=t;object=k%zz",                 /* bad escape */
        "pkcs11:token=t;object=k%00x",                /* NUL */
        "pkcs11:token=t;object=a b",                  /* raw space */
        "pkcs11:token=t;object=k;",                   /* trailing ; */
        "pkcs11:token=t;object=k?",                   /* empty query */
        "pkcs11:token=t;object=k?module-path=/a&module-path=/b",
        "pkcs11:token=t;object=k?pin-source=relative", /* not a path */
        "pkcs11:token=t;id=",                         /* empty id */
        "pkcs11:token=t;type=cert;object=k",
        "pkcs:token=t;object=k",
    };
    zkr_hsm_uri u;
    zkr_diag d;
    char out[512];
    int all = 1;

    zkr_tap_ok(t,
               zkr_hsm_uri_parse("pkcs11:token=My%20Token;object=k%2F1;id=%01%ff;type=private"
                                 "?module-path=/usr/lib/x.so&pin-source=file:/run/pin",
                                 &u, NULL) == ZKR_OK &&
                   strcmp(u.token, "My Token") == 0 && strcmp(u.object, "k/1") == 0 &&
                   u.id_len == 2 && u.id[0] == 1 && u.id[1] == 0xff &&
                   strcmp(u.module_path, "/usr/lib/x.so") == 0 &&
                   strcmp(u.pin_source, "/run/pin") == 0,
               "URI with every attribute parses and percent-decodes");
    zkr_tap_ok(t, zkr_hsm_uri_parse("pkcs11:token=t;object=k", &u, NULL) == ZKR_OK &&
                      strcmp(u.module_path, ZKR_HSM_DEFAULT_MODULE) == 0,
               "no module-path means OpenSC's module");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zkr_diag_clear(&d);
        if (zkr_hsm_uri_parse(bad[i], &u, &d) == ZKR_OK || d.msg[0] == '\0' ||
            u.token[0] != '\0') {
            zkr_tap_diag("accepted or silent: %s", bad[i]);
            all = 0;
        }
    }
    zkr_tap_ok(t, all, "%zu malformed URIs refused with a message", sizeof bad / sizeof bad[0]);
    zkr_diag_clear(&d);
    (void)!zkr_hsm_uri_parse("pkcs11:token=t;object=k?pin-value=1", &u, &d);
    zkr_tap_ok(t, strstr(d.msg, "pin-source") != NULL, "pin-value refusal points at pin-source");
    zkr_tap_ok(t, zkr_hsm_uri_format("a b;c", "k/1", (const uint8_t *)"\x01\xab", 2, "/m.so", out,
                                     sizeof out) == ZKR_OK &&
                      zkr_hsm_uri_parse(out, &u, NULL) == ZKR_OK &&
                      strcmp(u.token, "a b;c") == 0 && strcmp(u.object, "k/1") == 0 &&
                      u.id_len == 2 && u.id[1] == 0xab,
               "formatted URI round-trips (%s)", out);
}

/* libsecp256k1 verification of a 64-byte r||s (must be low-s there). */
static int secp_ok(const uint8_t *pub65, const uint8_t d32[32], const uint8_t sig[64])
{
    secp256k1_ecdsa_signature s;
    secp256k1_pubkey pk;

    return secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, pub65, 65) &&
           secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, &s, sig) &&
           secp256k1_ecdsa_verify(secp256k1_context_static, &s, d32, &pk);
}

/* The first child of process `parent`, or 0. */
static long first_child(long parent)
{
    char path[128];
    FILE *f;
    long pid = 0;

    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", parent, parent);
    f = fopen(path, "r");
    if (f == NULL || fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    if (f != NULL)
        fclose(f);
    return pid;
}

/*
 * The "Seccomp:" mode of the helper serving requests, or -1: our one child
 * is the helper's stderr relay, and its child (PID 1 of the helper's own
 * PID namespace) serves.
 */
static int child_seccomp_mode(void)
{
    char path[128], line[256];
    FILE *f;
    long pid = first_child(first_child((long)getpid()));
    int mode = -1;

    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Seccomp: %d", &mode) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return mode;
}

static void test_secp256k1_raw(zkr_tap *t)
{
    char uri[1024];
    zkr_hsm_uri u;
    zkr_hsm *h = NULL;
    zkr_diag d;
    const uint8_t *pub;
    size_t pub_len;
    int high_seen = 0, tries = 0, all_ok = 1;

    zkr_diag_clear(&d);
    uri_of(uri, sizeof uri, "k1", "/pin", NULL);
    if (!zkr_tap_ok(t, zkr_hsm_uri_parse(uri, &u, &d) == ZKR_OK &&
                           zkr_hsm_open(&u, helper, NULL, &h, &d) == ZKR_OK,
                    "open secp256k1 token key (%s)", d.msg))
        return;
    pub = zkr_hsm_public_key(h, &pub_len);
    zkr_tap_ok(t, child_seccomp_mode() == 2,
               "the helper serving the token runs under a seccomp filter (mode 2)");
    zkr_tap_ok(t, zkr_hsm_key_type_of(h) == ZKR_HSM_KEY_SECP256K1 && pub_len == 65 &&
                      pub[0] == 4,
               "token key is secp256k1 with a 65-byte point");
    /* Sign until the token hands back a high-s signature (about half do). */
    while (!high_seen && tries < 64) {
        uint8_t digest[32], sig[64], norm[64];
        int was_high = 0;
        randombytes_buf(digest, sizeof digest);
        tries++;
        if (zkr_hsm_sign(h, digest, 32, sig, &d) != ZKR_OK) {
            all_ok = 0;
            break;
        }
        memcpy(norm, sig, 64);
        if (zkr_ecdsa_normalize(ZKR_KEY_SECP256K1, norm, &was_high) != ZKR_OK ||
            !secp_ok(pub, digest, norm))
            all_ok = 0;
        if (was_high) {
            high_seen = 1;
            zkr_tap_ok(t, !secp_ok(pub, digest, sig) && memcmp(sig, norm, 32) == 0 &&
                              memcmp(sig + 32, norm + 32, 32) != 0,
                       "raw high-s signature is refused by libsecp256k1, its normalized r||n-s "
                       "verifies (after %d signatures)",
                       tries);
        }
    }
    zkr_tap_ok(t, all_ok, "every token signature verifies with libsecp256k1 once normalized");
    zkr_tap_ok(t, high_seen, "the token produced a high-s signature within %d tries", tries);
    zkr_tap_ok(t, zkr_hsm_sign(h, (const uint8_t *)"short", 5, (uint8_t[64]){0}, NULL) ==
                      ZKR_ERR_USAGE,
               "ECDSA on a token refuses a non-32-byte digest");
    zkr_hsm_free(h);
}

static void test_signer_secp(zkr_tap *t)
{
    char uri[1024];
    zkr_signer_opts o = {.hsm_helper_path = helper};
    zkr_signer *s = NULL;
    zkr_diag d;
    uint8_t sig[64], digest[32], eth[65], addr[20], want[20];
    uint8_t pub65[65];
    size_t n = 65;
    secp256k1_pubkey pk;
    const char msg[] = "DSSEv1 payload over a token";
    int all = 1;

    zkr_diag_clear(&d);
    uri_of(uri, sizeof uri, "k1", "/pin", NULL);
    if (!zkr_tap_ok(t, zkr_signer_open(uri, &o, &s, &d) == ZKR_OK, "signer opens pkcs11 URI (%s)",
                    d.msg))
        return;
    (void)!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, zkr_signer_pubkey(s)->pub,
                                     33);
    (void)!secp256k1_ec_pubkey_serialize(secp256k1_context_static, pub65, &n, &pk,
                                         SECP256K1_EC_UNCOMPRESSED);
    zkr_sha256((const uint8_t *)msg, sizeof msg - 1, digest);
    for (int i = 0; i < 16; i++) {
        if (zkr_signer_sign(s, (const uint8_t *)msg, sizeof msg - 1, sig, NULL, &d) != ZKR_OK ||
            !secp_ok(pub65, digest, sig))
            all = 0;
    }
    zkr_tap_ok(t, all, "16 token signatures through the signer are low-s and verify with "
                       "libsecp256k1");
    randombytes_buf(digest, 32);
    zkr_tap_ok(t, zkr_signer_sign_eth(s, digest, eth, &d) == ZKR_OK &&
                      (eth[64] == 27 || eth[64] == 28) &&
                      zkr_eth_recover(digest, eth, addr) == ZKR_OK &&
                      zkr_pubkey_eth_address(zkr_signer_pubkey(s), want) == ZKR_OK &&
                      memcmp(addr, want, 20) == 0,
               "EIP-712 style signature from the token: v by trial, ecrecover gives the address");
    zkr_signer_free(s);
}

static int p256_ok(const uint8_t pub[65], const uint8_t d32[32], const uint8_t sig[64])
{
    EC_KEY *k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    const uint8_t *p = pub;
    ECDSA_SIG *s = ECDSA_SIG_new();
    int ok = 0;

    if (k != NULL && s != NULL && o2i_ECPublicKey(&k, &p, 65) != NULL &&
        ECDSA_SIG_set0(s, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)) == 1)
        ok = ECDSA_do_verify(d32, 32, s, k) == 1;
    ECDSA_SIG_free(s);
    EC_KEY_free(k);
    return ok;
}

static void test_signer_p256_ed25519(zkr_tap *t)
{
    char uri[1024];
    zkr_signer_opts o = {.hsm_helper_path = helper};
    zkr_signer *s = NULL;
    zkr_diag d;
    uint8_t sig[64], digest[32];
    const char msg[] = "zkreg attestation PAE";
    int ok;

    zkr_diag_clear(&d);
    uri_of(uri, sizeof uri, "p256", "/pin", NULL);
    if (zkr_tap_ok(t, zkr_signer_open(uri, &o, &s, &d) == ZKR_OK &&
                          zkr_signer_pubkey(s)->type == ZKR_KEY_P256,
                   "P-256 token key opens (%s)", d.msg)) {
        zkr_sha256((const uint8_t *)msg, sizeof msg - 1, digest);
        ok = zkr_signer_sign(s, (const uint8_t *)msg, sizeof msg - 1, sig, NULL, &d) == ZKR_OK;
        zkr_tap_ok(t, ok && p256_ok(zkr_signer_pubkey(s)->pub, digest, sig) &&
                          zkr_sig_verify(zkr_signer_pubkey(s), (const uint8_t *)msg,
                                         sizeof msg - 1, sig, 64) == ZKR_OK,
                   "P-256 token signature verifies with OpenSSL and zkr_sig_verify");
        sig[10] ^= 1;
        zkr_tap_ok(t, !p256_ok(zkr_signer_pubkey(s)->pub, digest, sig) &&
                          zkr_sig_verify(zkr_signer_pubkey(s), (const uint8_t *)msg,
                                         sizeof msg - 1, sig, 64) == ZKR_ERR_SIGNATURE,
                   "P-256 signature with a flipped bit is refused");
        zkr_signer_free(s);
    }
    s = NULL;
    uri_of(uri, sizeof uri, "ed", "/pin", NULL);
    zkr_diag_clear(&d);
    if (zkr_tap_ok(t, zkr_signer_open(uri, &o, &s, &d) == ZKR_OK &&
                          zkr_signer_pubkey(s)->type == ZKR_KEY_ED25519,
                   "Ed25519 token key opens (%s)", d.msg)) {
        ok = zkr_signer_sign(s, (const uint8_t *)msg, sizeof msg - 1, sig, NULL, &d) == ZKR_OK;
        zkr_tap_ok(t, ok && crypto_sign_verify_detached(sig, (const uint8_t *)msg, sizeof msg - 1,
                                                        zkr_signer_pubkey(s)->pub) == 0,
                   "CKM_EDDSA signature verifies with libsodium (%s)", d.msg);
        zkr_signer_free(s);
    }
}

static int count_logins(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, c;

    if (f == NULL)
        return 0;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* Opens `uri` and expects err with exit code 7 and a message containing `needle`. */
static void expect_fail(zkr_tap *t, const char *uri, zkr_err want, const char *needle,
                        const char *what)
{
    zkr_signer_opts o = {.hsm_helper_path = helper};
    zkr_signer *s = NULL;
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    r = zkr_signer_open(uri, &o, &s, &d);
    zkr_tap_ok(t, r == want && zkr_err_exit_code(r) == 7 && s == NULL &&
                      strstr(d.msg, needle) != NULL,
               "%s: exit 7 with a clear message (%s)", what, d.msg);
    zkr_signer_free(s);
}

static void test_failures(zkr_tap *t)
{
    char uri[1024], count[600], junk[600];
    const char *shim = getenv("ZKR_COUNTLOGIN_SO");
    FILE *f;

    snprintf(count, sizeof count, "%s/logins", dir);
    /* the helper's environment is an allowlist: test modules read ZKR_TESTMOD_* */
    setenv("ZKR_TESTMOD_COUNTLOGIN_FILE", count, 1);
    setenv("ZKR_TESTMOD_COUNTLOGIN_TARGET", SOFTHSM, 1);
    /* The confined helper may write only the token dir unless told more. */
    setenv("ZKREG_PKCS11_RW_PATHS", dir, 1);
    uri_of(uri, sizeof uri, "k1", "/badpin", shim);
    expect_fail(t, uri, ZKR_ERR_PASSPHRASE, "wrong PIN", "wrong PIN");
    zkr_tap_ok(t, count_logins(count) == 1, "the wrong PIN was tried exactly once (%d C_Login)",
               count_logins(count));
    setenv("ZKR_TESTMOD_COUNTLOGIN_HIDE_MECHS", "1", 1);
    uri_of(uri, sizeof uri, "k1", "/pin", shim);
    expect_fail(t, uri, ZKR_ERR_HSM, "does not offer CKM_ECDSA", "token without CKM_ECDSA");
    uri_of(uri, sizeof uri, "ed", "/pin", shim);
    expect_fail(t, uri, ZKR_ERR_HSM, "does not offer CKM_EDDSA", "token without CKM_EDDSA");
    unsetenv("ZKR_TESTMOD_COUNTLOGIN_HIDE_MECHS");
    expect_fail(t, "pkcs11:token=zkr-test;object=nope?module-path=" SOFTHSM, ZKR_ERR_HSM,
                "no private key", "missing object (no login)");
    uri_of(uri, sizeof uri, "nope", "/pin", NULL);
    expect_fail(t, uri, ZKR_ERR_HSM, "no private key 'nope'", "missing object");
    snprintf(uri, sizeof uri, "pkcs11:token=absent;object=k1?module-path=%s&pin-source=%s/pin",
             SOFTHSM, dir);
    expect_fail(t, uri, ZKR_ERR_HSM, "no token labelled 'absent'", "missing token");
    uri_of(uri, sizeof uri, "rsa", "/pin", NULL);
    expect_fail(t, uri, ZKR_ERR_HSM, "does not sign with", "unsupported key type (RSA)");
    snprintf(junk, sizeof junk, "%s/junk.so", dir);
    {
        /* junk.so's directory is a test-build module directory, so the loader judges it */
        char dirs[1400];
        snprintf(dirs, sizeof dirs, "%s:%s", getenv("ZKREG_PKCS11_MODULE_DIRS"), dir);
        setenv("ZKREG_PKCS11_MODULE_DIRS", dirs, 1);
    }
    f = fopen(junk, "w");
    if (f != NULL) {
        fputs("not an ELF file\n", f);
        fclose(f);
    }
    uri_of(uri, sizeof uri, "k1", "/pin", junk);
    expect_fail(t, uri, ZKR_ERR_HSM, "does not load", "module that is not a shared object");
    uri_of(uri, sizeof uri, "k1", "/pin", "/nonexistent/module.so");
    expect_fail(t, uri, ZKR_ERR_HSM, "does not load", "module path that does not exist");
    uri_of(uri, sizeof uri, "k1", "/pin", "/lib/x86_64-linux-gnu/libz.so.1");
    expect_fail(t, uri, ZKR_ERR_HSM, "not a PKCS#11 module", "library without C_GetFunctionList");
    {
        zkr_hsm_uri u;
        zkr_hsm *h = NULL;
        zkr_diag d;
        zkr_diag_clear(&d);
        uri_of(uri, sizeof uri, "k1", "/pin", NULL);
        zkr_tap_ok(t, zkr_hsm_uri_parse(uri, &u, NULL) == ZKR_OK &&
                          zkr_hsm_open(&u, "/nonexistent/helper", NULL, &h, &d) == ZKR_ERR_HSM &&
                          h == NULL,
                   "a helper that cannot start is an HSM error (%s)", d.msg);
    }
}

static void test_list(zkr_tap *t)
{
    zkr_hsm_list_entry *e = NULL;
    size_t n = 0, found = 0;
    zkr_diag d;

    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_hsm_list(SOFTHSM, helper, NULL, &e, &n, &d) == ZKR_OK,
                    "key list works (%s)", d.msg))
        return;
    for (size_t i = 0; i < n; i++) {
        zkr_hsm_uri u;
        if (zkr_hsm_uri_parse(e[i].uri, &u, NULL) == ZKR_OK && strcmp(u.token, "zkr-test") == 0 &&
            ((strcmp(u.object, "k1") == 0 && e[i].type == ZKR_HSM_KEY_SECP256K1) ||
             (strcmp(u.object, "p256") == 0 && e[i].type == ZKR_HSM_KEY_P256) ||
             (strcmp(u.object, "ed") == 0 && e[i].type == ZKR_HSM_KEY_ED25519) ||
             (strcmp(u.object, "rsa") == 0 && e[i].type == 0)))
            found++;
    }
    zkr_tap_ok(t, n == 4 && found == 4, "list shows the 4 public keys as parseable URIs (%zu)",
               n);
    free(e);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 1;
    dir = getenv("ZKR_HSM_DIR");
    helper = getenv("ZKR_HSM_HELPER");
    test_uri(&t);
    if (!zkr_tap_ok(&t, dir != NULL && helper != NULL && access(helper, X_OK) == 0,
                    "SoftHSM token and helper are set up"))
        return zkr_tap_done(&t);
    test_secp256k1_raw(&t);
    test_signer_secp(&t);
    test_signer_p256_ed25519(&t);
    test_failures(&t);
    test_list(&t);
    return zkr_tap_done(&t);
}
