/*
 * signer/ against third-party vectors: DSSE PAE and the spec's P-256
 * envelope signature, the EIP-712 Mail example (digest and the exact
 * RFC 6979 signature from a key file holding keccak256("cow")), the 130
 * ethers typed-data cases, and Wycheproof for every verification function.
 */
#include "tap.h"
#include "test_util.h"
#include "signer/signer_int.h"

static json_t *load(const char *rel)
{
    char path[1024];
    const char *dir = getenv("ZKR_VECTORS");
    json_error_t e;
    json_t *j;

    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/vectors", rel);
    j = json_load_file(path, 0, &e);
    if (j == NULL)
        printf("# cannot load %s: %s\n", path, e.text);
    return j;
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL ? s : "";
}

static int hexbuf(const char *s, zkr_buf *out)
{
    out->len = 0;
    if (s[0] == '0' && s[1] == 'x')
        s += 2;
    if (zkr_buf_reserve(out, strlen(s) / 2 + 1) != ZKR_OK)
        return 0;
    return zkr_hex_decode(s, strlen(s), out->p, out->cap, &out->len) == ZKR_OK;
}

static void test_dsse(zkr_tap *t)
{
    json_t *j = load("dsse/dsse_pae_vectors.json"), *c, *ex;
    zkr_buf pae = {0}, want = {0}, body = {0}, sig = {0};
    zkr_pubkey k;
    char pk[200];
    size_t i;
    int all = 1;

    if (!zkr_tap_ok(t, j != NULL, "DSSE vectors load"))
        return;
    json_array_foreach(json_object_get(j, "pae_cases"), i, c) {
        const char *type = str(c, "payloadType");
        if (!hexbuf(str(c, "payload_hex"), &body) || !hexbuf(str(c, "pae_hex"), &want) ||
            zkr_dsse_pae(type, strlen(type), body.p, body.len, &pae) != ZKR_OK ||
            pae.len != want.len || memcmp(pae.p, want.p, pae.len) != 0)
            all = 0;
    }
    zkr_tap_ok(t, all && i == 3, "PAE matches the %zu DSSE vectors byte for byte", i);
    ex = json_object_get(j, "spec_signature_example");
    snprintf(pk, sizeof pk, "p256:04%s%s", str(json_object_get(ex, "key"), "x_hex"),
             str(json_object_get(ex, "key"), "y_hex"));
    body.len = 0;
    if (zkr_tap_ok(t, zkr_pubkey_parse(pk, "spec key", &k, NULL) == ZKR_OK &&
                          zkr_base64_decode(str(ex, "payload_b64"),
                                            strlen(str(ex, "payload_b64")), &body) == ZKR_OK &&
                          zkr_base64_decode(str(ex, "sig_b64"), strlen(str(ex, "sig_b64")),
                                            &sig) == ZKR_OK,
                   "DSSE spec example decodes")) {
        const char *type = str(ex, "payloadType");
        (void)!zkr_dsse_pae(type, strlen(type), body.p, body.len, &pae);
        zkr_tap_ok(t, zkr_sig_verify(&k, pae.p, pae.len, sig.p, sig.len) == ZKR_OK,
                   "the DSSE spec's P-256 signature over PAE verifies");
        pae.p[pae.len - 1] ^= 1;
        zkr_tap_ok(t, zkr_sig_verify(&k, pae.p, pae.len, sig.p, sig.len) == ZKR_ERR_SIGNATURE,
                   "and fails over a PAE with one bit flipped");
    }
    zkr_buf_free(&pae);
    zkr_buf_free(&want);
    zkr_buf_free(&body);
    zkr_buf_free(&sig);
    json_decref(j);
}

/* A key file holding a given secp256k1 secret, sealed as zkreg does. */
static zkr_signer *key_from_secret(const char *dir, const uint8_t secret[32])
{
    uint8_t plain[33];
    zkr_buf sealed = {0}, b64 = {0};
    zkr_pubkey pub;
    char pubs[160], path[1024], pp[1024], uri[1100];
    json_t *j;
    char *text;
    zkr_signer *s = NULL;
    zkr_signer_opts o = {0};

    plain[0] = ZKR_KEY_SECP256K1;
    memcpy(plain + 1, secret, 32);
    if (zkr_seal(plain, 33, (const uint8_t *)TEST_PASS, strlen(TEST_PASS),
                 "zkreg/signing-key/v1", 1, &sealed) != ZKR_OK ||
        zkr_base64_encode(sealed.p, sealed.len, &b64) != ZKR_OK)
        return NULL;
    if (zkr_signer_pub_from_secret(ZKR_KEY_SECP256K1, secret, &pub) != ZKR_OK)
        return NULL;
    if (zkr_pubkey_format(&pub, pubs, sizeof pubs) != ZKR_OK)
        return NULL;
    j = json_pack("{s:s,s:s,s:s}", "format", "zkreg-key/v1", "public", pubs, "sealed",
                  (const char *)b64.p);
    text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    tu_path(path, sizeof path, dir, "cow.key");
    tu_path(pp, sizeof pp, dir, "pass");
    if (text != NULL && tu_write(path, text, strlen(text), 0600)) {
        o.passphrase_path = pp;
        snprintf(uri, sizeof uri, "file:%s", path);
        (void)!zkr_signer_open(uri, &o, &s, NULL);
    }
    free(text);
    json_decref(j);
    zkr_buf_free(&sealed);
    zkr_buf_free(&b64);
    sodium_memzero(plain, sizeof plain);
    return s;
}

static void test_eip712_mail(zkr_tap *t, const char *dir)
{
    json_t *j = load("eip712/eip712_mail_example.json"), *ex;
    zkr_buf enc = {0}, want = {0};
    uint8_t digest[32], wd[32], secret[32], sig[65], wsig[65], addr[20], waddr[20];
    char *td;
    zkr_signer *s;

    if (!zkr_tap_ok(t, j != NULL, "EIP-712 Mail example loads"))
        return;
    ex = json_object_get(j, "expected");
    td = json_dumps(json_object_get(j, "typedData"), 0);
    zkr_tap_ok(t, td != NULL &&
                      zkr_eip712_hash_json(td, strlen(td), &enc, digest, NULL) == ZKR_OK &&
                      hexbuf(str(ex, "encodeData_Mail"), &want) && enc.len == want.len &&
                      memcmp(enc.p, want.p, enc.len) == 0,
               "encodeData(Mail) equals the EIP's");
    zkr_tap_ok(t, zkr_hex_decode_exact(str(ex, "digest") + 2, wd, 32) == ZKR_OK &&
                      memcmp(digest, wd, 32) == 0,
               "digest equals the EIP's 0xbe609aee...");
    (void)!zkr_hex_decode_exact(str(ex, "privateKey") + 2, secret, 32);
    (void)!zkr_hex_decode_exact(str(ex, "signature_rsv_65bytes") + 2, wsig, 65);
    (void)!zkr_eth_address_parse(str(ex, "signer_address"), waddr);
    s = key_from_secret(dir, secret);
    if (zkr_tap_ok(t, s != NULL, "a file key holding keccak256(\"cow\") opens")) {
        zkr_tap_ok(t, zkr_signer_sign_eth(s, digest, sig, NULL) == ZKR_OK &&
                          memcmp(sig, wsig, 65) == 0,
                   "signing the digest gives the EIP's exact r, s and v=28 (RFC 6979)");
        zkr_tap_ok(t, zkr_pubkey_eth_address(zkr_signer_pubkey(s), addr) == ZKR_OK &&
                          memcmp(addr, waddr, 20) == 0,
                   "the key's Ethereum address is the EIP's signer");
    }
    zkr_tap_ok(t, zkr_eth_recover(wd, wsig, addr) == ZKR_OK && memcmp(addr, waddr, 20) == 0,
               "ecrecover of the EIP's signature gives the signer");
    wsig[64] = 27;
    zkr_tap_ok(t, zkr_eth_recover(wd, wsig, addr) != ZKR_OK || memcmp(addr, waddr, 20) != 0,
               "with the wrong v it does not");
    wsig[64] = 29;
    zkr_tap_ok(t, zkr_eth_recover(wd, wsig, addr) == ZKR_ERR_SIGNATURE, "v=29 is refused");
    {
        char a[43];
        zkr_eth_address_format(waddr, a);
        zkr_tap_ok(t, strcmp(a, "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826") == 0,
                   "EIP-55 checksum of the signer (%s)", a);
        a[5] ^= 0x20;
        zkr_tap_ok(t, zkr_eth_address_parse(a, addr) == ZKR_ERR_MALFORMED,
                   "a mixed-case address with a broken checksum is refused");
    }
    zkr_signer_free(s);
    free(td);
    zkr_buf_free(&enc);
    zkr_buf_free(&want);
    json_decref(j);
}

static void test_eip712_ethers(zkr_tap *t)
{
    json_t *j = load("eip712/ethers_typed-data.json"), *c;
    zkr_buf enc = {0}, want = {0};
    size_t i, good = 0, n = 0;

    if (!zkr_tap_ok(t, j != NULL, "ethers typed-data cases load"))
        return;
    json_array_foreach(j, i, c) {
        json_t *td = json_pack("{s:O,s:O,s:O,s:O}", "types", json_object_get(c, "types"),
                               "primaryType", json_object_get(c, "primaryType"), "domain",
                               json_object_get(c, "domain"), "message",
                               json_object_get(c, "data"));
        char *s = json_dumps(td, 0);
        uint8_t digest[32], wd[32];
        zkr_diag d;
        zkr_diag_clear(&d);
        n++;
        if (s != NULL && zkr_eip712_hash_json(s, strlen(s), &enc, digest, &d) == ZKR_OK &&
            hexbuf(str(c, "encoded"), &want) && want.len == enc.len &&
            memcmp(want.p, enc.p, enc.len) == 0 &&
            zkr_hex_decode_exact(str(c, "digest") + 2, wd, 32) == ZKR_OK &&
            memcmp(wd, digest, 32) == 0)
            good++;
        else
            zkr_tap_diag("ethers case %s: %s", str(c, "name"), d.msg);
        free(s);
        json_decref(td);
    }
    zkr_tap_ok(t, good == n && n == 130, "%zu of %zu ethers typed-data cases: encodeData and "
                                         "digest match",
               good, n);
    zkr_buf_free(&enc);
    zkr_buf_free(&want);
    json_decref(j);
}

/*
 * Wycheproof: valid must verify and invalid must not. For secp256k1 we are
 * stricter than the file: a "valid" high-s signature is refused (as Bitcoin
 * and Ethereum do), which the test checks explicitly.
 */
static void wycheproof(zkr_tap *t, const char *file, zkr_key_type kt)
{
    json_t *j = load(file), *g, *c;
    zkr_buf msg = {0}, sig = {0};
    size_t gi, ci, pass = 0, total = 0, high_refused = 0;

    if (!zkr_tap_ok(t, j != NULL, "%s loads", file))
        return;
    json_array_foreach(json_object_get(j, "testGroups"), gi, g) {
        const json_t *pkj = json_object_get(g, "publicKey");
        char pks[200];
        zkr_pubkey k;
        int have;
        snprintf(pks, sizeof pks, "%s:%s", zkr_key_type_name(kt),
                 kt == ZKR_KEY_ED25519 ? str(pkj, "pk") : str(pkj, "uncompressed"));
        have = zkr_pubkey_parse(pks, "wycheproof key", &k, NULL) == ZKR_OK;
        json_array_foreach(json_object_get(g, "tests"), ci, c) {
            const char *res = str(c, "result");
            int valid = strcmp(res, "valid") == 0, ok, high = 0;
            if (strcmp(res, "acceptable") == 0)
                continue;
            total++;
            if (!have || !hexbuf(str(c, "msg"), &msg) || !hexbuf(str(c, "sig"), &sig)) {
                pass += !valid; /* an unparseable key or signature is a rejection */
                continue;
            }
            if (kt == ZKR_KEY_SECP256K1 && valid && sig.len == 64) {
                uint8_t tmp[64];
                memcpy(tmp, sig.p, 64);
                high = zkr_ecdsa_normalize(kt, tmp, &high) == ZKR_OK && high;
            }
            ok = zkr_sig_verify(&k, msg.p, msg.len, sig.p, sig.len) == ZKR_OK;
            if (high) {
                high_refused += !ok;
                pass += !ok;
            } else {
                pass += ok == valid;
            }
        }
    }
    zkr_tap_ok(t, pass == total && total > 100, "%s: %zu of %zu cases as expected%s", file, pass,
               total, kt == ZKR_KEY_SECP256K1 ? " (high-s valid ones refused: strict low-s)" : "");
    if (kt == ZKR_KEY_SECP256K1)
        zkr_tap_ok(t, high_refused > 0, "%zu high-s signatures were refused", high_refused);
    zkr_buf_free(&msg);
    zkr_buf_free(&sig);
    json_decref(j);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char dir[512];

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0 || !tu_setup(dir, sizeof dir))
        return 1;
    test_dsse(&t);
    test_eip712_mail(&t, dir);
    test_eip712_ethers(&t);
    wycheproof(&t, "wycheproof/ed25519_test.json", ZKR_KEY_ED25519);
    wycheproof(&t, "wycheproof/ecdsa_secp256k1_sha256_p1363_test.json", ZKR_KEY_SECP256K1);
    wycheproof(&t, "wycheproof/ecdsa_secp256r1_sha256_p1363_test.json", ZKR_KEY_P256);
    {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        (void)!system(cmd);
    }
    return zkr_tap_done(&t);
}
