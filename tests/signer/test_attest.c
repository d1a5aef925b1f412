/*
 * signer/: key files, attestations, verification and the gate, with every
 * accept test next to its reject twins. Each backend's signature is also
 * checked by an independent verifier (libsodium, libsecp256k1).
 */
#include <secp256k1.h>
#include <time.h>

#include "tap.h"
#include "test_util.h"

static char dir[512];
static int64_t now;

static zkr_err open_key_file(const char *name, const char *passfile, zkr_signer **s, zkr_diag *d)
{
    char kp[1024], pp[1024], uri[1100];
    zkr_signer_opts o = {0};

    tu_path(kp, sizeof kp, dir, name);
    tu_path(pp, sizeof pp, dir, passfile);
    o.passphrase_path = pp;
    snprintf(uri, sizeof uri, "file:%s", kp);
    return zkr_signer_open(uri, &o, s, d);
}

static int read_file(const char *name, zkr_buf *b)
{
    char p[1024];
    b->len = 0;
    tu_path(p, sizeof p, dir, name);
    return zkr_file_read(p, 1 << 20, b, NULL) == ZKR_OK;
}

static void test_keyfiles(zkr_tap *t)
{
    zkr_signer *ed = tu_key(dir, "ed.key", ZKR_KEY_ED25519), *k1 = tu_key(dir, "k1.key",
                                                                          ZKR_KEY_SECP256K1);
    zkr_signer *s = NULL;
    zkr_buf file = {0};
    zkr_pubkey pub;
    zkr_diag d;
    uint8_t sig[64], digest[32], ser[33];
    const char msg[] = "message";
    secp256k1_pubkey pk;
    secp256k1_ecdsa_signature es;
    size_t n = 33, bad = 0;
    char p[1024];

    if (!zkr_tap_ok(t, ed != NULL && k1 != NULL, "ed25519 and secp256k1 key files generate and "
                                                 "open"))
        return;
    zkr_tap_ok(t, zkr_signer_sign(ed, (const uint8_t *)msg, 7, sig, NULL, NULL) == ZKR_OK &&
                      crypto_sign_verify_detached(sig, (const uint8_t *)msg, 7,
                                                  zkr_signer_pubkey(ed)->pub) == 0,
               "file Ed25519 signature verifies with libsodium");
    zkr_sha256((const uint8_t *)msg, 7, digest);
    zkr_tap_ok(t, zkr_signer_sign(k1, (const uint8_t *)msg, 7, sig, NULL, NULL) == ZKR_OK &&
                      secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk,
                                                zkr_signer_pubkey(k1)->pub, 33) &&
                      secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, &es,
                                                              sig) &&
                      secp256k1_ecdsa_verify(secp256k1_context_static, &es, digest, &pk),
               "file secp256k1 signature verifies with libsecp256k1 (low-s)");
    (void)!secp256k1_ec_pubkey_serialize(secp256k1_context_static, ser, &n, &pk,
                                         SECP256K1_EC_COMPRESSED);
    zkr_tap_ok(t, memcmp(ser, zkr_signer_pubkey(k1)->pub, 33) == 0, "public key round-trips");
    zkr_signer_free(ed);
    zkr_signer_free(k1);

    tu_path(p, sizeof p, dir, "wrong");
    (void)!tu_write(p, "wrong horse\n", 12, 0600);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, open_key_file("ed.key", "wrong", &s, &d) == ZKR_ERR_PASSPHRASE && s == NULL &&
                      zkr_err_exit_code(ZKR_ERR_PASSPHRASE) == 7,
               "wrong passphrase refused, exit 7 (%s)", d.msg);
    tu_path(p, sizeof p, dir, "open");
    (void)!tu_write(p, TEST_PASS "\n", strlen(TEST_PASS) + 1, 0644);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, open_key_file("ed.key", "open", &s, &d) == ZKR_ERR_KEY,
               "world-readable passphrase file refused (%s)", d.msg);

    if (!read_file("ed.key", &file))
        return;
    /* Truncation at every length. */
    for (size_t len = 0; len < file.len - 1; len++) {
        tu_path(p, sizeof p, dir, "cut.key");
        (void)!tu_write(p, file.p, len, 0600);
        s = NULL;
        if (open_key_file("cut.key", "pass", &s, NULL) == ZKR_OK) {
            bad++;
            zkr_signer_free(s);
        }
    }
    zkr_tap_ok(t, bad == 0, "a key file truncated at each of %zu lengths is refused",
               file.len - 1);
    /* A bit flip in each field of the sealed blob: magic, opslimit, memlimit, salt,
     * nonce, ciphertext, tag (offsets per common.h's layout). */
    bad = 0;
    {
        static const size_t offs[] = {0, 15, 23, 30, 50, 70, 96, 105, 112};
        const char *sealed = strstr((const char *)file.p, "\"sealed\":\"") + 10;
        size_t b64len = strcspn(sealed, "\""), flips = 0;
        zkr_buf blob = {0}, enc = {0}, out = {0};
        if (zkr_base64_decode(sealed, b64len, &blob) == ZKR_OK) {
            for (size_t i = 0; i < sizeof offs / sizeof offs[0] && offs[i] < blob.len; i++) {
                blob.p[offs[i]] ^= 0x04;
                out.len = 0;
                if (zkr_base64_encode(blob.p, blob.len, &enc) == ZKR_OK &&
                    zkr_buf_append(&out, file.p, (size_t)(sealed - (const char *)file.p)) ==
                        ZKR_OK &&
                    zkr_buf_append_str(&out, (const char *)enc.p) == ZKR_OK &&
                    zkr_buf_append_str(&out, sealed + b64len) == ZKR_OK) {
                    tu_path(p, sizeof p, dir, "flip.key");
                    (void)!tu_write(p, out.p, out.len, 0600);
                    s = NULL;
                    flips++;
                    if (open_key_file("flip.key", "pass", &s, NULL) == ZKR_OK) {
                        bad++;
                        zkr_signer_free(s);
                    }
                }
                blob.p[offs[i]] ^= 0x04;
            }
        }
        zkr_tap_ok(t, bad == 0 && flips == 9 && blob.len == 113,
                   "a bit flip in each field of the sealed key (%zu) is refused", flips);
        zkr_buf_free(&blob);
        zkr_buf_free(&enc);
        zkr_buf_free(&out);
    }
    /* The clear public half swapped for another key's. */
    {
        zkr_buf other = {0};
        char *pubpos = strstr((const char *)file.p, "ed25519:");
        if (read_file("k1.key", &other) && pubpos != NULL) {
            zkr_pubkey op;
            char ps[160];
            (void)!zkr_keyfile_generate(ZKR_KEY_ED25519, (const uint8_t *)"x", 1, 1, &other, &op,
                                        NULL);
            (void)!zkr_pubkey_format(&op, ps, sizeof ps);
            memcpy(pubpos, ps, strlen(ps));
            tu_path(p, sizeof p, dir, "swap.key");
            (void)!tu_write(p, file.p, file.len, 0600);
            zkr_diag_clear(&d);
            s = NULL;
            zkr_tap_ok(t, open_key_file("swap.key", "pass", &s, &d) == ZKR_ERR_KEY,
                       "a key file whose public key was swapped is refused (%s)", d.msg);
            zkr_tap_ok(t, zkr_keyfile_public(file.p, file.len, &pub, NULL) == ZKR_OK &&
                              memcmp(pub.pub, op.pub, 32) == 0,
                       "(key public reads the clear half without a passphrase)");
        }
        zkr_buf_free(&other);
    }
    zkr_buf_free(&file);
}

static zkr_err sign_facts(zkr_signer *s, const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                          zkr_buf *out)
{
    return zkr_attest_sign(s, f, dom, out, NULL);
}

static void test_payload(zkr_tap *t)
{
    zkr_attest_facts f, g;
    zkr_buf a = {0}, b = {0};
    zkr_diag d;

    tu_facts(&f, 1, now);
    zkr_tap_ok(t, zkr_attest_payload(&f, &a, NULL) == ZKR_OK &&
                      zkr_attest_payload(&f, &b, NULL) == ZKR_OK && a.len == b.len &&
                      memcmp(a.p, b.p, a.len) == 0,
               "the same facts give byte-identical payloads");
    zkr_tap_ok(t, zkr_attest_payload_parse(a.p, a.len, &g, NULL) == ZKR_OK &&
                      memcmp(&f, &g, sizeof f) == 0,
               "payload parses back to the same facts");
    zkr_tap_ok(t, strstr((const char *)a.p, "\"predicateType\":\"https://zkreg.dev/attestation/v1\"") !=
                          NULL &&
                      strstr((const char *)a.p, "\"_type\":\"https://in-toto.io/Statement/v1\"") !=
                          NULL,
               "in-toto Statement v1 with the versioned zkreg predicate type");
    (void)!zkr_buf_terminate(&a);
    {
        /* A non-canonical (spaced) and an extended variant are refused. */
        zkr_buf v = {0};
        (void)!zkr_buf_append(&v, a.p, 1);
        (void)!zkr_buf_append_str(&v, " ");
        (void)!zkr_buf_append(&v, a.p + 1, a.len - 1);
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_attest_payload_parse(v.p, v.len, &g, &d) == ZKR_ERR_MALFORMED,
                   "payload with extra whitespace refused (%s)", d.msg);
        v.len = 0;
        (void)!zkr_buf_append_str(&v, "{\"extra\":1,");
        (void)!zkr_buf_append(&v, a.p + 1, a.len - 1);
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_attest_payload_parse(v.p, v.len, &g, &d) == ZKR_ERR_MALFORMED,
                   "payload with an unknown field refused (%s)", d.msg);
        zkr_buf_free(&v);
    }
    f.accepted = 0;
    zkr_tap_ok(t, zkr_attest_payload(&f, &b, NULL) == ZKR_ERR_VERIFY,
               "facts with accepted=0 are never turned into a payload");
    tu_facts(&f, 1, now);
    f.log_index = f.checkpoint_size;
    zkr_tap_ok(t, zkr_attest_payload(&f, &b, NULL) == ZKR_ERR_MALFORMED,
               "log index outside its checkpoint refused");
    tu_facts(&f, 1, now);
    snprintf(f.schema_name, sizeof f.schema_name, "a@b");
    zkr_tap_ok(t, zkr_attest_payload(&f, &b, NULL) == ZKR_ERR_MALFORMED,
               "schema name containing '@' refused");
    zkr_buf_free(&a);
    zkr_buf_free(&b);
}

static void test_attest(zkr_tap *t, zkr_signer *ed, zkr_signer *k1, const zkr_eip712_domain *dom)
{
    zkr_attest_facts f;
    zkr_attest_result res;
    zkr_buf a = {0}, b = {0}, c = {0};
    zkr_pubkey keys[2] = {*zkr_signer_pubkey(ed), *zkr_signer_pubkey(k1)};
    zkr_diag d;

    tu_facts(&f, 1, now);
    zkr_tap_ok(t, sign_facts(ed, &f, NULL, &a) == ZKR_OK && sign_facts(ed, &f, NULL, &b) == ZKR_OK &&
                      a.len == b.len && memcmp(a.p, b.p, a.len) == 0,
               "signing the same facts twice gives byte-identical attestations");
    zkr_tap_ok(t, zkr_attest_verify(a.p, a.len, keys, 1, NULL, &res, NULL) == ZKR_OK &&
                      res.nvalid == 1 && memcmp(&res.facts, &f, sizeof f) == 0,
               "Ed25519 attestation verifies and yields the signed facts");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_attest_verify(a.p, a.len, keys + 1, 1, NULL, &res, &d) == ZKR_ERR_SIGNATURE,
               "with another trusted key it is refused (%s)", d.msg);
    zkr_tap_ok(t, sign_facts(k1, &f, dom, &c) == ZKR_OK &&
                      strstr((const char *)c.p, "\"eip712\":{") != NULL &&
                      zkr_attest_verify(c.p, c.len, keys + 1, 1, NULL, &res, NULL) == ZKR_OK,
               "secp256k1 attestation with its EIP-712 companion verifies");
    {
        /* Tamper with the payload: re-encode an envelope around other facts. */
        zkr_envelope e;
        zkr_attest_facts g;
        zkr_buf x = {0};
        tu_facts(&g, 2, now);
        if (zkr_envelope_parse(a.p, a.len, &e, NULL) == ZKR_OK &&
            zkr_attest_payload(&g, &e.payload, NULL) == ZKR_OK &&
            zkr_envelope_encode(&e, &x) == ZKR_OK) {
            zkr_diag_clear(&d);
            zkr_tap_ok(t, zkr_attest_verify(x.p, x.len, keys, 2, NULL, &res, &d) ==
                              ZKR_ERR_SIGNATURE,
                       "payload swapped for another statement: refused (%s)", d.msg);
        }
        zkr_envelope_free(&e);
        /* Tamper with the EIP-712 companion only. */
        if (zkr_envelope_parse(c.p, c.len, &e, NULL) == ZKR_OK) {
            e.sigs[0].domain.chain_id++;
            (void)!zkr_envelope_encode(&e, &x);
            zkr_tap_ok(t, zkr_attest_verify(x.p, x.len, keys + 1, 1, NULL, &res, NULL) ==
                              ZKR_ERR_SIGNATURE,
                       "EIP-712 companion for another chainId: refused");
        }
        zkr_envelope_free(&e);
        zkr_buf_free(&x);
    }
    {
        /* Bit flips across the whole envelope: never accepted with different facts. */
        size_t wrong = 0;
        for (size_t i = 0; i < a.len; i += 7) {
            zkr_attest_result r2;
            a.p[i] ^= 0x01;
            if (zkr_attest_verify(a.p, a.len, keys, 1, NULL, &r2, NULL) == ZKR_OK &&
                memcmp(&r2.facts, &f, sizeof f) != 0)
                wrong++;
            a.p[i] ^= 0x01;
        }
        zkr_tap_ok(t, wrong == 0, "no bit flip in the envelope yields other accepted facts");
        for (size_t len = 0; len + 1 < a.len; len += 5)
            wrong += zkr_attest_verify(a.p, len, keys, 1, NULL, &res, NULL) == ZKR_OK;
        zkr_tap_ok(t, wrong == 0, "every truncation of the envelope is refused");
    }
    zkr_tap_ok(t, zkr_attest_cosign(k1, a.p, a.len, dom, &b, NULL) == ZKR_OK &&
                      zkr_attest_verify(b.p, b.len, keys, 2, NULL, &res, NULL) == ZKR_OK &&
                      res.nvalid == 2,
               "cosigned attestation carries two valid signatures");
    zkr_tap_ok(t, zkr_attest_cosign(k1, b.p, b.len, dom, &c, NULL) == ZKR_ERR_EXISTS,
               "the same key cannot cosign twice");
    zkr_buf_free(&a);
    zkr_buf_free(&b);
    zkr_buf_free(&c);
}

/* The typed data of facts f as domain version 1 had it: no checkpointOrigin. */
static char *v1_typed_data(const zkr_attest_facts *f, const zkr_eip712_domain *dom)
{
    zkr_buf js = {0};
    json_t *td = NULL, *fields;
    char *out = NULL;
    size_t i;

    if (zkr_attest_eip712_json(f, dom, &js, NULL) != ZKR_OK ||
        (td = json_loadb((const char *)js.p, js.len, 0, NULL)) == NULL)
        goto out;
    fields = json_object_get(json_object_get(td, "types"), "ZkregAttestation");
    for (i = 0; i < json_array_size(fields); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(fields, i), "name")),
                   "checkpointOrigin") == 0)
            (void)json_array_remove(fields, i);
    (void)json_object_del(json_object_get(td, "message"), "checkpointOrigin");
    (void)json_object_set_new(json_object_get(td, "domain"), "version", json_string("1"));
    out = json_dumps(td, JSON_SORT_KEYS | JSON_COMPACT);
out:
    json_decref(td);
    zkr_buf_free(&js);
    return out;
}

/*
 * Regression (issue 20): version 1 of the struct left out the checkpoint
 * origin, so an eth-only signature did not cover it. Version 2 binds it, and
 * a signature over the old struct is refused whatever version it claims.
 */
static void test_eip712_v2(zkr_tap *t, zkr_signer *k1, const zkr_eip712_domain *dom)
{
    zkr_attest_facts f, g;
    zkr_eip712_domain old = *dom;
    zkr_attest_result res;
    zkr_envelope e;
    zkr_buf att = {0}, x = {0};
    zkr_pubkey key = *zkr_signer_pubkey(k1);
    uint8_t d1[32], d2[32], sig[65];
    char *td = NULL;
    zkr_diag d;

    tu_facts(&f, 1, now);
    g = f;
    snprintf(g.checkpoint_origin, sizeof g.checkpoint_origin, "evil.example/log");
    zkr_tap_ok(t, zkr_attest_eip712_digest(&f, dom, d1, NULL) == ZKR_OK &&
                      zkr_attest_eip712_digest(&g, dom, d2, NULL) == ZKR_OK &&
                      memcmp(d1, d2, 32) != 0,
               "the EIP-712 digest binds the checkpoint origin");
    snprintf(old.version, sizeof old.version, "1");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_attest_eip712_digest(&f, &old, d1, &d) == ZKR_ERR_UNSUPPORTED,
               "domain version 1 is neither signed nor verified (%s)", d.msg);
    td = v1_typed_data(&f, dom);
    if (!zkr_tap_ok(t, td != NULL && zkr_eip712_hash_json(td, strlen(td), NULL, d1, NULL) == ZKR_OK &&
                           zkr_signer_sign_eth(k1, d1, sig, NULL) == ZKR_OK &&
                           sign_facts(k1, &f, dom, &att) == ZKR_OK &&
                           zkr_envelope_parse(att.p, att.len, &e, NULL) == ZKR_OK,
                    "a companion signed over the version-1 struct is made"))
        goto out;
    memcpy(e.sigs[0].eth_sig, sig, 65);
    for (int v = 1; v <= 2; v++) {
        snprintf(e.sigs[0].domain.version, sizeof e.sigs[0].domain.version, "%d", v);
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_envelope_encode(&e, &x) == ZKR_OK &&
                          zkr_attest_verify(x.p, x.len, &key, 1, NULL, &res, &d) ==
                              ZKR_ERR_SIGNATURE,
                   "a version-1 struct signature labelled domain version %d is refused", v);
    }
    zkr_envelope_free(&e);
out:
    free(td);
    zkr_buf_free(&att);
    zkr_buf_free(&x);
}

/* Simulates a hardware wallet: hashes the request's typedData itself and signs. */
static void test_external(zkr_tap *t, zkr_signer *k1, const zkr_eip712_domain *dom)
{
    zkr_attest_facts f;
    zkr_buf req = {0}, att = {0};
    uint8_t addr[20], digest[32], sig[65], other[20];
    char hex[133] = "0x";
    zkr_pubkey eth = {.type = ZKR_KEY_ETH, .pub_len = 20};
    zkr_attest_result res;
    zkr_diag d;
    json_t *j;
    char *td;

    tu_facts(&f, 1, now);
    (void)!zkr_pubkey_eth_address(zkr_signer_pubkey(k1), addr);
    memcpy(eth.pub, addr, 20);
    {
        zkr_buf js = {0}, js2 = {0};
        uint8_t d1[32], d2[32];
        zkr_tap_ok(t, zkr_attest_eip712_json(&f, dom, &js, NULL) == ZKR_OK &&
                          zkr_attest_eip712_json(&f, dom, &js2, NULL) == ZKR_OK &&
                          js.len == js2.len && memcmp(js.p, js2.p, js.len) == 0 &&
                          zkr_eip712_hash_json((const char *)js.p, js.len, NULL, d1, NULL) ==
                              ZKR_OK &&
                          zkr_attest_eip712_digest(&f, dom, d2, NULL) == ZKR_OK &&
                          memcmp(d1, d2, 32) == 0 &&
                          memmem(js.p, js.len, "\"primaryType\":\"ZkregAttestation\"", 32) != NULL,
                   "--eip712-json typed data is deterministic and hashes to the signed digest");
        zkr_buf_free(&js);
        zkr_buf_free(&js2);
    }
    if (!zkr_tap_ok(t, zkr_attest_eip712_request(&f, dom, addr, &req, NULL) == ZKR_OK,
                    "external:eip712 signing request written"))
        return;
    j = json_loadb((const char *)req.p, req.len, 0, NULL);
    td = json_dumps(json_object_get(j, "typedData"), 0);
    if (td == NULL || zkr_eip712_hash_json(td, strlen(td), NULL, digest, NULL) != ZKR_OK ||
        zkr_signer_sign_eth(k1, digest, sig, NULL) != ZKR_OK)
        zkr_tap_diag("wallet simulation failed");
    (void)!zkr_hex_encode(sig, 65, hex + 2, sizeof hex - 2);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_attest_import_signature(req.p, req.len, hex, addr, &att, &d) == ZKR_OK &&
                      zkr_attest_verify(att.p, att.len, &eth, 1, NULL, &res, NULL) == ZKR_OK,
               "imported wallet signature makes an attestation that verifies under eth:ADDRESS "
               "(%s)",
               d.msg);
    memset(other, 0x11, 20);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_attest_import_signature(req.p, req.len, hex, other, &att, &d) ==
                      ZKR_ERR_SIGNATURE,
               "a signature that does not recover the registered address is refused (%s)", d.msg);
    {
        /* The same signature in high-s form (n - s, v flipped) must be refused. */
        uint8_t hs[65];
        char hh[133] = "0x";
        memcpy(hs, sig, 65);
        static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                                      0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
                                      0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
        int borrow = 0;
        for (int i = 31; i >= 0; i--) {
            int v = n[i] - sig[32 + i] - borrow;
            borrow = v < 0;
            hs[32 + i] = (uint8_t)(v + (borrow ? 256 : 0));
        }
        hs[64] = sig[64] == 27 ? 28 : 27;
        (void)!zkr_hex_encode(hs, 65, hh + 2, sizeof hh - 2);
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_attest_import_signature(req.p, req.len, hh, addr, &att, &d) ==
                          ZKR_ERR_SIGNATURE,
                   "its high-s twin is refused (%s)", d.msg);
        hex[131] = sig[64] == 27 ? '0' : '1'; /* v as 0/1 */
        hex[130] = '0';
        zkr_tap_ok(t, zkr_attest_import_signature(req.p, req.len, hex, addr, &att, NULL) == ZKR_OK,
                   "v given as 0/1 is accepted and normalized");
    }
    {
        /* A request whose typedData was edited no longer matches its payload. */
        json_t *msg = json_object_get(json_object_get(j, "typedData"), "message");
        char *edited;
        json_object_set_new(msg, "schema", json_string("mnist-mlp-inference@2"));
        edited = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
        zkr_diag_clear(&d);
        zkr_tap_ok(t, edited != NULL &&
                          zkr_attest_import_signature((const uint8_t *)edited, strlen(edited), hex,
                                                      addr, &att, &d) != ZKR_OK,
                   "a request with edited typedData is refused (%s)", d.msg);
        free(edited);
    }
    free(td);
    json_decref(j);
    zkr_buf_free(&req);
    zkr_buf_free(&att);
}

/* Runs the gate over attestations and checks the failing rule. */
static void gate_case(zkr_tap *t, const char *policy, zkr_buf *atts, size_t n,
                      const zkr_attest_registry *reg, zkr_gate_rule want_rule, zkr_err want_err,
                      const char *what)
{
    zkr_policy pol;
    zkr_gate_report rep;
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    if ((r = zkr_policy_parse((const uint8_t *)policy, strlen(policy), &pol, &d)) != ZKR_OK) {
        zkr_tap_ok(t, 0, "%s: policy parses (%s)", what, d.msg);
        return;
    }
    r = zkr_gate(&pol, atts, n, now, reg, &rep);
    zkr_tap_ok(t, r == want_err && rep.failed_rule == want_rule, "gate %s: %s%s (%s)", what,
               want_rule ? "fails rule " : "passes", want_rule ? zkr_gate_rule_name(want_rule) : "",
               rep.message);
}

/* A log leaf (docs/formats.md section 6); "proof" leaves record f's verification. */
static void log_leaf(zkr_buf *b, int is_proof, const zkr_attest_facts *f, uint8_t i)
{
    zkr_buf payload = {0};

    b->len = 0;
    if (is_proof) {
        (void)!zkr_enc_bytes(&payload, f->statement_id, 32);
        (void)!zkr_enc_bytes(&payload, f->proof_sha256, 32);
        (void)!zkr_enc_str(&payload, f->verifier_version);
    } else {
        (void)!zkr_enc_bytes(&payload, &i, 1);
    }
    (void)!zkr_enc_str(b, "zkreg/log/v1");
    (void)!zkr_enc_str(b, is_proof ? "proof" : "program");
    (void)!zkr_enc_u64(b, 1700000000u + i);
    (void)!zkr_enc_bytes(b, payload.p, payload.len);
    zkr_buf_free(&payload);
}

/* Appends a zkreg-log-inclusion/v1 document for leaf idx of the first n leaves. */
static void incl_doc(zkr_buf *out, const zkr_buf *leaf, uint8_t (*hashes)[32], uint64_t n,
                     uint64_t idx, int corrupt)
{
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][32];
    size_t plen = 0;
    zkr_buf b64 = {0};
    char h[65];

    (void)!zkr_merkle_inclusion_proof((const uint8_t(*)[32])hashes, n, idx, path, &plen);
    if (corrupt)
        path[0][0] ^= 1;
    (void)!zkr_base64_encode(leaf->p, leaf->len, &b64);
    (void)!zkr_buf_printf(out,
                          "{\"type\":\"zkreg-log-inclusion/v1\",\"index\":%llu,\"tree_size\":%llu,"
                          "\"entry_type\":\"proof\",\"leaf\":\"%s\",\"path\":[",
                          (unsigned long long)idx, (unsigned long long)n, (const char *)b64.p);
    for (size_t i = 0; i < plen; i++) {
        (void)!zkr_hex_encode(path[i], 32, h, sizeof h);
        (void)!zkr_buf_printf(out, "%s\"%s\"", i ? "," : "", h);
    }
    (void)!zkr_buf_append_str(out, "]}");
    zkr_buf_free(&b64);
}

/*
 * A log of 8 leaves whose entries 2 and 6 record the verification of the
 * proof in tu_facts(1); attestations cite checkpoint 8 (index 6) or the
 * older checkpoint 4 (index 2), proven consistent with the trusted 8.
 */
static void test_inclusion(zkr_tap *t, const char *pol_in, zkr_signer *a)
{
    zkr_attest_facts f, other;
    zkr_buf leaves[8] = {{0}}, ev_txt = {0}, att8 = {0}, att4 = {0};
    uint8_t hashes[8][32], r4[32], r8[32], cpath[2 * ZKR_MERKLE_MAX_DEPTH][32];
    char root8[65], root4[65], h[65], kid[65], pol[2200];
    size_t cplen = 0;
    zkr_evidence *ev = NULL;
    zkr_attest_registry reg;

    tu_facts(&f, 1, now - 60);
    tu_facts(&other, 5, now - 60);
    for (int i = 0; i < 8; i++) {
        log_leaf(&leaves[i], i == 2 || i == 6 || i == 5, i == 5 ? &other : &f, (uint8_t)i);
        zkr_merkle_leaf_hash(leaves[i].p, leaves[i].len, hashes[i]);
    }
    (void)!zkr_merkle_root((const uint8_t(*)[32])hashes, 8, r8);
    (void)!zkr_merkle_root((const uint8_t(*)[32])hashes, 4, r4);
    (void)!zkr_merkle_consistency_proof((const uint8_t(*)[32])hashes, 4, 8, cpath, &cplen);
    (void)!zkr_hex_encode(r8, 32, root8, sizeof root8);
    (void)!zkr_hex_encode(r4, 32, root4, sizeof root4);
    memcpy(f.checkpoint_root, r8, 32);
    (void)!sign_facts(a, &f, NULL, &att8);
    f.checkpoint_size = 4;
    f.log_index = 2;
    memcpy(f.checkpoint_root, r4, 32);
    (void)!sign_facts(a, &f, NULL, &att4);

    /* Evidence: trusted checkpoint 8, consistency 4 -> 8, inclusion of entries 6 and 2. */
    for (int variant = 0; variant < 5; variant++) {
        ev_txt.len = 0;
        (void)!zkr_buf_printf(&ev_txt,
                              "{\"format\":\"zkreg-evidence/v1\",\"checkpoint\":{\"origin\":"
                              "\"zkreg.test/log\",\"size\":8,\"root\":\"%s\"},"
                              "\"consistency\":[{\"size\":4,\"root\":\"%s\",\"path\":[",
                              root8, root4);
        for (size_t i = 0; i < cplen; i++) {
            (void)!zkr_hex_encode(cpath[i], 32, h, sizeof h);
            (void)!zkr_buf_printf(&ev_txt, "%s\"%s\"", i ? "," : "", h);
        }
        (void)!zkr_buf_append_str(&ev_txt, "]}],\"inclusion\":[");
        if (variant == 2) /* entry 5: the verification of another statement */
            incl_doc(&ev_txt, &leaves[5], hashes, 8, 6, 0);
        else if (variant != 1)
            incl_doc(&ev_txt, &leaves[6], hashes, 8, 6, variant == 3);
        (void)!zkr_buf_append_str(&ev_txt, variant == 1 ? "" : ",");
        incl_doc(&ev_txt, &leaves[2], hashes, 4, 2, 0);
        (void)!zkr_buf_append_str(&ev_txt, "]");
        if (variant == 4) {
            zkr_pubkey_keyid(zkr_signer_pubkey(a), kid);
            (void)!zkr_buf_printf(&ev_txt, ",\"revoked\":{\"keys\":[\"%s\"]}", kid);
        }
        (void)!zkr_buf_append_str(&ev_txt, "}");
        zkr_evidence_free(ev);
        ev = NULL;
        if (!zkr_tap_ok(t, zkr_evidence_load(ev_txt.p, ev_txt.len, &ev, NULL) == ZKR_OK,
                        "evidence variant %d loads", variant))
            continue;
        zkr_evidence_registry(ev, &reg);
        snprintf(pol, sizeof pol, "%s", pol_in);
        switch (variant) {
        case 0:
            gate_case(t, pol, &att8, 1, &reg, 0, ZKR_OK,
                      "entry 6 proven included in the trusted checkpoint");
            gate_case(t, pol, &att4, 1, &reg, 0, ZKR_OK,
                      "entry 2 proven included in an older checkpoint proven consistent");
            break;
        case 1:
            gate_case(t, pol, &att8, 1, &reg, ZKR_GATE_INCLUSION, ZKR_ERR_VERIFY,
                      "no inclusion proof for the attested entry");
            break;
        case 2:
            gate_case(t, pol, &att8, 1, &reg, ZKR_GATE_INCLUSION, ZKR_ERR_VERIFY,
                      "inclusion proof of an entry recording another statement");
            break;
        case 3:
            gate_case(t, pol, &att8, 1, &reg, ZKR_GATE_INCLUSION, ZKR_ERR_VERIFY,
                      "inclusion path with a flipped bit");
            break;
        case 4:
            /* v1 "revoked" lists are asserted, not proven: revocation fails closed on them. */
            snprintf(strstr(pol, "\"check_revocation\":false"), 32, "\"check_revocation\":true}");
            gate_case(t, pol, &att8, 1, &reg, ZKR_GATE_REVOCATION, ZKR_ERR_REVOKED,
                      "v1 evidence with an asserted revoked list: fails closed");
            break;
        }
    }
    zkr_evidence_free(ev);
    ev = NULL;
    /* A consistency proof that does not hold makes the evidence unusable. */
    {
        char *c = strstr((char *)ev_txt.p, "\"consistency\"");
        char *q = c != NULL ? strstr(c, "\"path\":[\"") : NULL;
        if (q != NULL)
            q[9] = q[9] == '0' ? '1' : '0';
        zkr_tap_ok(t, q != NULL && zkr_evidence_load(ev_txt.p, ev_txt.len, &ev, NULL) ==
                                       ZKR_ERR_VERIFY,
                   "evidence with a broken consistency proof is refused");
    }
    {
        zkr_attest_facts g;
        zkr_buf x = {0};
        /* An attestation citing a checkpoint the evidence does not know. */
        tu_facts(&g, 1, now - 60);
        (void)!sign_facts(a, &g, NULL, &x);
        ev_txt.len = 0;
        (void)!zkr_buf_printf(&ev_txt,
                              "{\"format\":\"zkreg-evidence/v1\",\"checkpoint\":{\"origin\":"
                              "\"zkreg.test/log\",\"size\":8,\"root\":\"%s\"}}",
                              root8);
        if (zkr_evidence_load(ev_txt.p, ev_txt.len, &ev, NULL) == ZKR_OK) {
            zkr_evidence_registry(ev, &reg);
            gate_case(t, pol_in, &x, 1, &reg, ZKR_GATE_INCLUSION, ZKR_ERR_VERIFY,
                      "checkpoint unknown to the evidence");
        }
        zkr_buf_free(&x);
    }
    zkr_evidence_free(ev);
    for (int i = 0; i < 8; i++)
        zkr_buf_free(&leaves[i]);
    zkr_buf_free(&ev_txt);
    zkr_buf_free(&att8);
    zkr_buf_free(&att4);
}

static void policy_text(char *out, size_t cap, zkr_signer **keys, size_t nkeys, unsigned m,
                        const char *extra)
{
    size_t pos = (size_t)snprintf(out, cap, "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[");
    for (size_t i = 0; i < nkeys; i++) {
        char ks[160];
        (void)!zkr_pubkey_format(zkr_signer_pubkey(keys[i]), ks, sizeof ks);
        pos += (size_t)snprintf(out + pos, cap - pos, "%s\"%s\"", i ? "," : "", ks);
    }
    snprintf(out + pos, cap - pos,
             "],\"threshold\":%u,\"schemas\":[\"mnist-mlp-inference@1\"],\"max_age_seconds\":3600,"
             "\"require_log_inclusion\":%s,\"check_revocation\":false}",
             m, extra);
}

/* A "revocation" log leaf: str kind | bytes target | str reason. */
static void revocation_leaf(zkr_buf *b, const char *kind, const uint8_t target[32], uint8_t i)
{
    zkr_buf payload = {0};

    b->len = 0;
    (void)!zkr_enc_str(&payload, kind);
    (void)!zkr_enc_bytes(&payload, target, 32);
    (void)!zkr_enc_str(&payload, "test");
    (void)!zkr_enc_str(b, "zkreg/log/v1");
    (void)!zkr_enc_str(b, "revocation");
    (void)!zkr_enc_u64(b, 1700000000u + i);
    (void)!zkr_enc_bytes(b, payload.p, payload.len);
    zkr_buf_free(&payload);
}

/*
 * Evidence v2 over a 4-leaf log (0: the proof, 1 and 2: revocations, 3:
 * other): `listed` says which revocation leaves the evidence carries;
 * `count` is the trusted checkpoint's commitment count (its digest is the
 * set of leaves 1 and 2); `commit` 0 leaves the commitment out.
 */
static void evidence_v2(zkr_buf *out, zkr_buf leaves[4], uint8_t hashes[4][32], int listed[3],
                        uint64_t count, int commit, int corrupt)
{
    uint8_t root[32], dg[32];
    char rh[65], dh[65];
    zkr_revset set;
    int first = 1;

    (void)!zkr_merkle_root((const uint8_t(*)[32])hashes, 4, root);
    zkr_revset_init(&set);
    (void)!zkr_revset_add(&set, 1, hashes[1]);
    (void)!zkr_revset_add(&set, 2, hashes[2]);
    zkr_revset_final(&set, dg);
    (void)!zkr_hex_encode(root, 32, rh, sizeof rh);
    (void)!zkr_hex_encode(dg, 32, dh, sizeof dh);
    out->len = 0;
    (void)!zkr_buf_printf(out, "{\"format\":\"zkreg-evidence/v2\",\"checkpoint\":{\"origin\":"
                               "\"zkreg.test/log\",\"size\":4,\"root\":\"%s\"",
                          rh);
    if (commit)
        (void)!zkr_buf_printf(out, ",\"revocations\":{\"count\":%llu,\"digest\":\"%s\"}",
                              (unsigned long long)count, dh);
    (void)!zkr_buf_append_str(out, "},\"inclusion\":[");
    incl_doc(out, &leaves[0], hashes, 4, 0, 0);
    (void)!zkr_buf_append_str(out, "]");
    if (listed != NULL) {
        (void)!zkr_buf_append_str(out, ",\"revocations\":[");
        for (uint64_t i = 1; i <= 2; i++) {
            uint8_t path[ZKR_MERKLE_MAX_DEPTH][32];
            size_t plen = 0;
            zkr_buf b64 = {0};
            char h[65];
            if (!listed[i])
                continue;
            (void)!zkr_merkle_inclusion_proof((const uint8_t(*)[32])hashes, 4, i, path, &plen);
            if (corrupt)
                path[0][0] ^= 1;
            (void)!zkr_base64_encode(leaves[i].p, leaves[i].len, &b64);
            (void)!zkr_buf_printf(out, "%s{\"index\":%llu,\"leaf\":\"%s\",\"path\":[",
                                  first ? "" : ",", (unsigned long long)i, (const char *)b64.p);
            for (size_t k = 0; k < plen; k++) {
                (void)!zkr_hex_encode(path[k], 32, h, sizeof h);
                (void)!zkr_buf_printf(out, "%s\"%s\"", k ? "," : "", h);
            }
            (void)!zkr_buf_append_str(out, "]}");
            zkr_buf_free(&b64);
            first = 0;
        }
        (void)!zkr_buf_append_str(out, "]");
    }
    (void)!zkr_buf_append_str(out, "}");
}

/* Loads evidence text and runs the gate with it; ZKR_ERR_* of the load when it fails. */
static zkr_err evidence_gate(zkr_tap *t, const char *pol, zkr_buf *ev_txt, zkr_buf *att,
                             zkr_gate_rule want_rule, zkr_err want_err, const char *what)
{
    zkr_evidence *ev = NULL;
    zkr_attest_registry reg;
    zkr_err r = zkr_evidence_load(ev_txt->p, ev_txt->len, &ev, NULL);

    if (r == ZKR_OK) {
        zkr_evidence_registry(ev, &reg);
        gate_case(t, pol, att, 1, &reg, want_rule, want_err, what);
    }
    zkr_evidence_free(ev);
    return r;
}

/*
 * Offline revocation evidence must be complete against the trusted
 * checkpoint: every revocation leaf below its size, included, matching the
 * signed count and digest. An asserted or partial set fails closed.
 */
static void test_revocation_evidence(zkr_tap *t, zkr_signer *a)
{
    zkr_buf leaves[4] = {{0}}, ev = {0}, att = {0};
    uint8_t hashes[4][32], root[32], other[32], kid[32];
    char pol[2200], ident[ZKR_KEYID_HEX + 1];
    int both[3] = {0, 1, 1}, one[3] = {0, 1, 0};
    zkr_attest_facts f;
    zkr_signer *one_key[1] = {a};

    tu_facts(&f, 1, now - 60);
    memset(other, 0x77, sizeof other);
    zkr_pubkey_identity(zkr_signer_pubkey(a), ident);
    (void)!zkr_hex_decode_exact(ident, kid, 32);
    log_leaf(&leaves[0], 1, &f, 0);
    revocation_leaf(&leaves[1], "model", other, 1);
    log_leaf(&leaves[3], 0, &f, 3);
    policy_text(pol, sizeof pol, one_key, 1, 1, "true");
    snprintf(strstr(pol, "\"check_revocation\":false"), 32, "\"check_revocation\":true}");
    for (int tree = 0; tree < 2; tree++) {
        /* Tree 0: leaf 2 revokes an unrelated dataset; tree 1: it revokes the signer. */
        revocation_leaf(&leaves[2], tree ? "key" : "dataset", tree ? kid : other, 2);
        for (int i = 0; i < 4; i++)
            zkr_merkle_leaf_hash(leaves[i].p, leaves[i].len, hashes[i]);
        (void)!zkr_merkle_root((const uint8_t(*)[32])hashes, 4, root);
        tu_facts(&f, 1, now - 60);
        f.log_index = 0;
        f.checkpoint_size = 4;
        memcpy(f.checkpoint_root, root, 32);
        att.len = 0;
        (void)!sign_facts(a, &f, NULL, &att);
        evidence_v2(&ev, leaves, hashes, both, 2, 1, 0);
        if (tree == 0)
            zkr_tap_ok(t, evidence_gate(t, pol, &ev, &att, 0, ZKR_OK,
                                        "complete revocation set, nothing of ours revoked") ==
                              ZKR_OK,
                       "complete v2 evidence loads");
        else
            zkr_tap_ok(t, evidence_gate(t, pol, &ev, &att, ZKR_GATE_REVOCATION, ZKR_ERR_REVOKED,
                                        "complete set revoking the signer's identity") == ZKR_OK,
                       "complete v2 evidence loads");
    }
    /* Tree 1 (the signer revoked): every way of hiding it. */
    evidence_v2(&ev, leaves, hashes, one, 2, 1, 0);
    zkr_tap_ok(t, evidence_gate(t, pol, &ev, &att, 0, ZKR_OK, "") == ZKR_ERR_VERIFY,
               "evidence withholding the key's revocation is refused (set incomplete)");
    evidence_v2(&ev, leaves, hashes, both, 3, 1, 0);
    zkr_tap_ok(t, evidence_gate(t, pol, &ev, &att, 0, ZKR_OK, "") == ZKR_ERR_VERIFY,
               "evidence whose set does not match the committed count is refused");
    evidence_v2(&ev, leaves, hashes, both, 2, 1, 1);
    zkr_tap_ok(t, evidence_gate(t, pol, &ev, &att, 0, ZKR_OK, "") == ZKR_ERR_VERIFY,
               "a revocation leaf whose inclusion path fails is refused");
    evidence_v2(&ev, leaves, hashes, NULL, 2, 1, 0);
    zkr_tap_ok(t, evidence_gate(t, pol, &ev, &att, ZKR_GATE_REVOCATION, ZKR_ERR_REVOKED,
                                "commitment but no revocation list: fails closed") == ZKR_OK,
               "evidence without its revocation list loads (for inclusion)");
    evidence_v2(&ev, leaves, hashes, NULL, 0, 0, 0);
    zkr_tap_ok(t, evidence_gate(t, pol, &ev, &att, ZKR_GATE_REVOCATION, ZKR_ERR_REVOKED,
                                "no revocation evidence at all: fails closed") == ZKR_OK,
               "evidence without any revocation set loads (for inclusion)");
    for (int i = 0; i < 4; i++)
        zkr_buf_free(&leaves[i]);
    zkr_buf_free(&ev);
    zkr_buf_free(&att);
}


static void test_gate(zkr_tap *t, zkr_signer *a, zkr_signer *b, zkr_signer *c, zkr_signer *u)
{
    zkr_signer *three[3] = {a, b, c};
    zkr_attest_facts f;
    zkr_buf att[4] = {{0}};
    char pol[2048];

    tu_facts(&f, 1, now - 60);
    (void)!sign_facts(a, &f, NULL, &att[0]);
    (void)!sign_facts(a, &f, NULL, &att[1]); /* same key again */
    (void)!sign_facts(b, &f, NULL, &att[2]);
    policy_text(pol, sizeof pol, three, 1, 1, "false");
    gate_case(t, pol, att, 1, NULL, 0, ZKR_OK, "1-of-1");
    policy_text(pol, sizeof pol, three, 3, 2, "false");
    gate_case(t, pol, att, 2, NULL, ZKR_GATE_THRESHOLD, ZKR_ERR_POLICY,
              "2-of-3 with two attestations by one key (counted once)");
    {
        zkr_buf dup = {0};
        /* One envelope carrying the same key's signature twice. */
        zkr_envelope e;
        if (zkr_envelope_parse(att[0].p, att[0].len, &e, NULL) == ZKR_OK) {
            e.sigs[1] = e.sigs[0];
            e.nsigs = 2;
            (void)!zkr_envelope_encode(&e, &dup);
        }
        zkr_envelope_free(&e);
        gate_case(t, pol, &dup, 1, NULL, ZKR_GATE_THRESHOLD, ZKR_ERR_POLICY,
                  "2-of-3 with one envelope holding a key's signature twice");
        zkr_buf_free(&dup);
    }
    gate_case(t, pol, att + 1, 2, NULL, 0, ZKR_OK, "2-of-3 with two distinct keys");
    (void)!sign_facts(u, &f, NULL, &att[3]);
    policy_text(pol, sizeof pol, three, 3, 1, "false");
    gate_case(t, pol, att + 3, 1, NULL, ZKR_GATE_THRESHOLD, ZKR_ERR_POLICY,
              "signed only by an unknown key");
    {
        zkr_envelope e;
        zkr_attest_facts g;
        zkr_buf x = {0};
        tu_facts(&g, 1, now - 60);
        g.log_index = 7; /* any change to the signed facts */
        if (zkr_envelope_parse(att[0].p, att[0].len, &e, NULL) == ZKR_OK &&
            zkr_attest_payload(&g, &e.payload, NULL) == ZKR_OK)
            (void)!zkr_envelope_encode(&e, &x);
        zkr_envelope_free(&e);
        gate_case(t, pol, &x, 1, NULL, ZKR_GATE_THRESHOLD, ZKR_ERR_SIGNATURE, "tampered payload");
        zkr_buf_free(&x);
    }
    {
        zkr_buf old = {0}, other = {0}, junk = {0};
        zkr_attest_facts g;
        tu_facts(&g, 1, now - 7200);
        (void)!sign_facts(a, &g, NULL, &old);
        gate_case(t, pol, &old, 1, NULL, ZKR_GATE_MAX_AGE, ZKR_ERR_EXPIRED, "expired (2 h old)");
        tu_facts(&g, 1, now - 60);
        snprintf(g.schema_version, sizeof g.schema_version, "0");
        (void)!sign_facts(a, &g, NULL, &other);
        gate_case(t, pol, &other, 1, NULL, ZKR_GATE_SCHEMA, ZKR_ERR_MISMATCH_SCHEMA,
                  "old schema version");
        tu_facts(&g, 9, now - 60);
        (void)!sign_facts(b, &g, NULL, &other);
        zkr_buf_free(&att[3]);
        att[3] = other;
        gate_case(t, pol, att + 2, 2, NULL, ZKR_GATE_SAME_STATEMENT, ZKR_ERR_POLICY,
                  "attestations of two different statements");
        memset(&att[3], 0, sizeof att[3]);
        (void)!zkr_buf_append_str(&junk, "{\"payload\":\"\"}");
        gate_case(t, pol, &junk, 1, NULL, ZKR_GATE_FORMAT, ZKR_ERR_MALFORMED, "malformed file");
        zkr_buf_free(&old);
        zkr_buf_free(&other);
        zkr_buf_free(&junk);
    }
    /* Log inclusion: required, fails closed without evidence, holds with it. */
    policy_text(pol, sizeof pol, three, 3, 1, "true");
    gate_case(t, pol, att, 1, NULL, ZKR_GATE_INCLUSION, ZKR_ERR_VERIFY,
              "inclusion required, no evidence");
    test_inclusion(t, pol, a);
    test_revocation_evidence(t, a);
    for (int i = 0; i < 4; i++)
        zkr_buf_free(&att[i]);
}

static void test_policy_parse(zkr_tap *t, zkr_signer *a)
{
    static const char *const bad[] = {
        "{}",
        "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"%s\"],\"threshold\":2,"
        "\"schemas\":[\"x@1\"],\"require_log_inclusion\":false}",
        "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"%s\",\"%s\"],\"threshold\":1,"
        "\"schemas\":[\"x@1\"],\"require_log_inclusion\":false}",
        "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"%s\"],\"threshold\":1,"
        "\"schemas\":[\"x\"],\"require_log_inclusion\":false}",
        "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"%s\"],\"threshold\":1,"
        "\"schemas\":[\"x@1\"],\"require_log_inclusion\":false,\"typo\":1}",
        "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"%s\"],\"threshold\":1,"
        "\"schemas\":[\"x@1\"]}",
        /* Otherwise complete, but check_revocation or max_age_seconds left implicit. */
        "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"%s\"],\"threshold\":1,"
        "\"schemas\":[\"x@1\"],\"require_log_inclusion\":false,\"max_age_seconds\":60}",
        "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"%s\"],\"threshold\":1,"
        "\"schemas\":[\"x@1\"],\"require_log_inclusion\":false,\"check_revocation\":false}",
        /* One secp256k1 key under both of its names (key 1, its address). */
        "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"secp256k1:0279be667ef9dcbbac55a06295ce"
        "870b07029bfcdb2dce28d959f2815b16f81798\",\"eth:0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf\"],"
        "\"threshold\":1,\"schemas\":[\"x@1\"],\"require_log_inclusion\":false,"
        "\"check_revocation\":false,\"max_age_seconds\":60}",
    };
    char ks[160], txt[1024];
    zkr_policy p;
    int all = 1;

    (void)!zkr_pubkey_format(zkr_signer_pubkey(a), ks, sizeof ks);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(txt, sizeof txt, bad[i], ks, ks);
#pragma GCC diagnostic pop
        if (zkr_policy_parse((const uint8_t *)txt, strlen(txt), &p, NULL) == ZKR_OK) {
            zkr_tap_diag("accepted: %s", txt);
            all = 0;
        }
    }
    zkr_tap_ok(t, all, "bad policies refused (threshold > keys, repeated key, bad schema, "
                       "unknown field, missing rule, implicit check_revocation or max age, one "
                       "signer under two names)");
    snprintf(txt, sizeof txt,
             "{\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"%s\"],\"threshold\":1,"
             "\"schemas\":[\"x@1\"],\"require_log_inclusion\":false,\"check_revocation\":false,"
             "\"max_age_seconds\":60}",
             ks);
    zkr_tap_ok(t, zkr_policy_parse((const uint8_t *)txt, strlen(txt), &p, NULL) == ZKR_OK,
               "... and their complete twin parses");
}

/*
 * One secp256k1 key, two names: the "doubled envelope" (an eth entry built
 * from the secp256k1 entry's EIP-712 companion, no private key) counts once
 * even when a policy struct trusts both names, and either name finds the
 * signer's identity.
 */
static void test_identity(zkr_tap *t, zkr_signer *ed, zkr_signer *k1,
                          const zkr_eip712_domain *dom)
{
    const zkr_pubkey *kp = zkr_signer_pubkey(k1);
    zkr_pubkey eth = {.type = ZKR_KEY_ETH, .pub_len = ZKR_ETH_ADDR_BYTES};
    char a[ZKR_KEYID_HEX + 1], b[ZKR_KEYID_HEX + 1], ka[ZKR_KEYID_HEX + 1], kb[ZKR_KEYID_HEX + 1];
    zkr_attest_facts f;
    zkr_buf att = {0}, dbl = {0}, eda = {0};
    zkr_envelope e;
    zkr_policy pol;
    zkr_gate_report rep;
    zkr_attest_result res;

    (void)!zkr_pubkey_eth_address(kp, eth.pub);
    zkr_pubkey_identity(kp, a);
    zkr_pubkey_identity(&eth, b);
    zkr_pubkey_keyid(kp, ka);
    zkr_pubkey_keyid(&eth, kb);
    zkr_tap_ok(t, strcmp(a, b) == 0 && strcmp(ka, kb) != 0 && strcmp(a, kb) == 0,
               "secp256k1:HEX and eth:ADDRESS: two key ids, one identity (the eth key id)");
    zkr_pubkey_identity(zkr_signer_pubkey(ed), a);
    zkr_pubkey_keyid(zkr_signer_pubkey(ed), ka);
    zkr_tap_ok(t, strcmp(a, ka) == 0, "an ed25519 key's identity is its key id");

    tu_facts(&f, 1, now - 60);
    memset(&e, 0, sizeof e);
    if (sign_facts(k1, &f, dom, &att) == ZKR_OK &&
        zkr_envelope_parse(att.p, att.len, &e, NULL) == ZKR_OK && e.sigs[0].has_eip712) {
        e.sigs[1] = e.sigs[0];
        memcpy(e.sigs[1].keyid, kb, sizeof e.sigs[1].keyid);
        memcpy(e.sigs[1].sig, e.sigs[0].eth_sig, ZKR_ETH_SIG_BYTES);
        e.sigs[1].sig_len = ZKR_ETH_SIG_BYTES;
        e.nsigs = 2;
        (void)!zkr_envelope_encode(&e, &dbl);
    }
    zkr_envelope_free(&e);
    memset(&pol, 0, sizeof pol);
    pol.keys[0] = *kp;
    pol.keys[1] = eth;
    pol.keys[2] = *zkr_signer_pubkey(ed);
    pol.nkeys = 3;
    pol.threshold = 2;
    snprintf(pol.schemas[0], sizeof pol.schemas[0], "mnist-mlp-inference@1");
    pol.nschemas = 1;
    zkr_tap_ok(t, zkr_gate(&pol, &dbl, 1, now, NULL, &rep) == ZKR_ERR_POLICY &&
                      rep.failed_rule == ZKR_GATE_THRESHOLD && rep.distinct_keys == 1,
               "the doubled envelope counts one signer even if a policy trusts both names (%s)",
               rep.message);
    (void)!sign_facts(ed, &f, NULL, &eda);
    {
        zkr_buf two[2] = {dbl, eda};
        zkr_tap_ok(t, zkr_gate(&pol, two, 2, now, NULL, &rep) == ZKR_OK && rep.distinct_keys == 2,
                   "... and with a second real signer it passes 2-of-3");
    }
    zkr_tap_ok(t, zkr_attest_verify(dbl.p, dbl.len, pol.keys, 2, NULL, &res, NULL) == ZKR_OK &&
                      res.nvalid == 1 && res.nsigs == 2 && res.sigs[0].valid && res.sigs[1].valid,
               "verify-attestation: both entries verify, one signer counted");
    {
        zkr_buf co = {0};
        zkr_tap_ok(t, zkr_attest_cosign(k1, dbl.p, dbl.len, dom, &co, NULL) == ZKR_ERR_EXISTS,
                   "cosign refuses a signer that signed under either name");
        zkr_buf_free(&co);
    }
    zkr_buf_free(&att);
    zkr_buf_free(&dbl);
    zkr_buf_free(&eda);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_signer *ed, *k1, *b, *c, *u;
    zkr_eip712_domain dom = {.name = "zkreg", .version = ZKR_EIP712_VERSION, .chain_id = 11155111};

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0 || !tu_setup(dir, sizeof dir))
        return 1;
    now = (int64_t)time(NULL);
    memset(dom.verifying_contract, 0xcc, 20);
    test_keyfiles(&t);
    test_payload(&t);
    ed = tu_key(dir, "a.key", ZKR_KEY_ED25519);
    k1 = tu_key(dir, "b.key", ZKR_KEY_SECP256K1);
    b = tu_key(dir, "c.key", ZKR_KEY_ED25519);
    c = tu_key(dir, "d.key", ZKR_KEY_SECP256K1);
    u = tu_key(dir, "u.key", ZKR_KEY_ED25519);
    if (zkr_tap_ok(&t, ed && k1 && b && c && u, "five test keys")) {
        test_attest(&t, ed, k1, &dom);
        test_external(&t, k1, &dom);
        test_eip712_v2(&t, k1, &dom);
        test_gate(&t, ed, k1, b, u);
        test_policy_parse(&t, ed);
        test_identity(&t, ed, k1, &dom);
    }
    zkr_signer_free(ed);
    zkr_signer_free(k1);
    zkr_signer_free(b);
    zkr_signer_free(c);
    zkr_signer_free(u);
    {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        (void)!system(cmd);
    }
    return zkr_tap_done(&t);
}
