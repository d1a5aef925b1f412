/*
 * signer: producing attestations. The caller (the attest glue) has already
 * run the verifier and every binding rule; these functions only turn the
 * recomputed facts into signed bytes, and check each fresh signature with
 * the verifier's own code before it leaves (a faulty token is caught here,
 * not by a relying party).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "signer/signer_int.h"

#define REQUEST_FORMAT "zkreg-eip712-request/v1"

/* Signs `payload` with s into sig (DSSE, plus the EIP-712 companion for secp256k1). */
static zkr_err make_sig(zkr_signer *s, const zkr_buf *payload, const zkr_attest_facts *f,
                        const zkr_eip712_domain *dom, zkr_dsse_sig *sig, zkr_diag *d)
{
    const zkr_pubkey *pk = zkr_signer_pubkey(s);
    zkr_buf pae = {0};
    uint8_t digest[32];
    zkr_err r;

    memset(sig, 0, sizeof *sig);
    if (zkr_signer_is_external(s))
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "external:eip712 keys sign offline: write the request, then import");
    zkr_pubkey_keyid(pk, sig->keyid);
    if ((r = zkr_dsse_pae(ZKR_ATTEST_PAYLOAD_TYPE, strlen(ZKR_ATTEST_PAYLOAD_TYPE), payload->p,
                          payload->len, &pae)) != ZKR_OK ||
        (r = zkr_signer_sign(s, pae.p, pae.len, sig->sig, NULL, d)) != ZKR_OK)
        goto out;
    sig->sig_len = ZKR_SIG_BYTES;
    if (zkr_sig_verify(pk, pae.p, pae.len, sig->sig, sig->sig_len) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_KEY, "the fresh %s signature does not verify: key or token fault",
                     zkr_key_type_name(pk->type));
        goto out;
    }
    if (pk->type == ZKR_KEY_SECP256K1 && dom != NULL) {
        uint8_t addr[20];
        if ((r = zkr_attest_eip712_digest(f, dom, digest, d)) != ZKR_OK ||
            (r = zkr_signer_sign_eth(s, digest, sig->eth_sig, d)) != ZKR_OK ||
            (r = zkr_pubkey_eth_address(pk, sig->eth_address)) != ZKR_OK)
            goto out;
        if (zkr_eth_recover(digest, sig->eth_sig, addr) != ZKR_OK ||
            memcmp(addr, sig->eth_address, 20) != 0) {
            r = zkr_fail(d, ZKR_ERR_KEY, "the fresh EIP-712 signature does not recover the signer");
            goto out;
        }
        sig->domain = *dom;
        sig->has_eip712 = 1;
    }
out:
    zkr_buf_free(&pae);
    return r;
}

zkr_err zkr_attest_sign(zkr_signer *s, const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                        zkr_buf *out, zkr_diag *d)
{
    zkr_envelope e;
    zkr_err r;

    out->len = 0;
    memset(&e, 0, sizeof e);
    snprintf(e.payload_type, sizeof e.payload_type, "%s", ZKR_ATTEST_PAYLOAD_TYPE);
    if ((r = zkr_attest_payload(f, &e.payload, d)) != ZKR_OK ||
        (r = make_sig(s, &e.payload, f, dom, &e.sigs[0], d)) != ZKR_OK)
        goto out;
    e.nsigs = 1;
    r = zkr_envelope_encode(&e, out);
out:
    zkr_envelope_free(&e);
    return r;
}

zkr_err zkr_attest_cosign(zkr_signer *s, const uint8_t *att, size_t att_len,
                          const zkr_eip712_domain *dom, zkr_buf *out, zkr_diag *d)
{
    zkr_envelope e;
    zkr_attest_facts f;
    char keyid[ZKR_KEYID_HEX + 1], who[ZKR_KEYID_HEX + 1];
    zkr_err r;

    out->len = 0;
    if ((r = zkr_envelope_parse(att, att_len, &e, d)) != ZKR_OK)
        return r;
    if (strcmp(e.payload_type, ZKR_ATTEST_PAYLOAD_TYPE) != 0) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "attestation: payloadType is not %s",
                     ZKR_ATTEST_PAYLOAD_TYPE);
        goto out;
    }
    if ((r = zkr_attest_payload_parse(e.payload.p, e.payload.len, &f, d)) != ZKR_OK)
        goto out;
    zkr_pubkey_keyid(zkr_signer_pubkey(s), keyid);
    zkr_pubkey_identity(zkr_signer_pubkey(s), who);
    for (size_t i = 0; i < e.nsigs; i++) {
        /* An entry with an EIP-712 companion names its signer's address too. */
        zkr_pubkey eth = {.type = ZKR_KEY_ETH, .pub_len = ZKR_ETH_ADDR_BYTES};
        char other[ZKR_KEYID_HEX + 1] = "";
        if (e.sigs[i].has_eip712) {
            memcpy(eth.pub, e.sigs[i].eth_address, ZKR_ETH_ADDR_BYTES);
            zkr_pubkey_identity(&eth, other);
        }
        if (strcmp(e.sigs[i].keyid, keyid) == 0 || strcmp(other, who) == 0) {
            r = zkr_fail(d, ZKR_ERR_EXISTS, "attestation: key %.16s... has signed it already",
                         keyid);
            goto out;
        }
    }
    if (e.nsigs >= ZKR_DSSE_MAX_SIGS) {
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "attestation already has %d signatures",
                     ZKR_DSSE_MAX_SIGS);
        goto out;
    }
    if ((r = make_sig(s, &e.payload, &f, dom, &e.sigs[e.nsigs], d)) != ZKR_OK)
        goto out;
    e.nsigs++;
    r = zkr_envelope_encode(&e, out);
out:
    zkr_envelope_free(&e);
    return r;
}

zkr_err zkr_attest_eip712_request(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                                  const uint8_t address[ZKR_ETH_ADDR_BYTES], zkr_buf *out,
                                  zkr_diag *d)
{
    zkr_buf payload = {0}, b64 = {0};
    json_t *td = NULL, *j = NULL;
    char addr[43];
    zkr_err r;

    out->len = 0;
    if ((r = zkr_attest_payload(f, &payload, d)) != ZKR_OK ||
        (r = zkr_base64_encode(payload.p, payload.len, &b64)) != ZKR_OK ||
        (r = zkr_signer_eip712_typed(f, dom, &td, d)) != ZKR_OK)
        goto out;
    zkr_eth_address_format(address, addr);
    j = json_pack("{s:s, s:s, s:s, s:O}", "address", addr, "format", REQUEST_FORMAT, "payload",
                  (const char *)b64.p, "typedData", td);
    if (j == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_signer_json_dump(j, out)) == ZKR_OK)
        r = zkr_buf_append(out, "\n", 1);
out:
    json_decref(j);
    json_decref(td);
    zkr_buf_free(&b64);
    zkr_buf_free(&payload);
    return r;
}

/* "0x" + 130 hex digits, v in {0, 1, 27, 28} (normalized to 27/28). */
static zkr_err parse_eth_sig(const char *hex, uint8_t sig[65], zkr_diag *d)
{
    if (hex == NULL || strlen(hex) != 132 || hex[0] != '0' || hex[1] != 'x' ||
        zkr_hex_decode_exact(hex + 2, sig, 65) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "signature is not 0x + 130 hex digits (r||s||v)");
    if (sig[64] == 0 || sig[64] == 1)
        sig[64] = (uint8_t)(sig[64] + 27);
    if (sig[64] != 27 && sig[64] != 28)
        return zkr_fail(d, ZKR_ERR_SIGNATURE, "signature's v is %u, not 27 or 28", sig[64]);
    return ZKR_OK;
}

static zkr_err import(const uint8_t *req, size_t req_len, const char *sig_hex,
                      const uint8_t expected[20], zkr_envelope *e, zkr_diag *d)
{
    static const char *const rf[] = {"address", "format", "payload", "typedData", NULL};
    const char *fmt, *b64, *addr_s;
    zkr_attest_facts f;
    zkr_eip712_domain dom;
    json_t *j = NULL, *mine = NULL;
    uint8_t digest[32], got[20], req_addr[20];
    zkr_dsse_sig *s = &e->sigs[0];
    zkr_pubkey pk;
    zkr_err r;

    if ((r = zkr_signer_json_load(req, req_len, ZKR_DSSE_MAX_BYTES, "signing request", &j, d)) !=
            ZKR_OK ||
        (r = zkr_signer_json_fields(j, rf, "signing request", d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "format", 64, "signing request", &fmt, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "address", 42, "signing request", &addr_s, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "payload", ZKR_DSSE_MAX_BYTES, "signing request", &b64, d)) !=
            ZKR_OK)
        goto out;
    if (strcmp(fmt, REQUEST_FORMAT) != 0 || zkr_eth_address_parse(addr_s, req_addr) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "signing request: not a %s request", REQUEST_FORMAT);
        goto out;
    }
    if (zkr_base64_decode(b64, strlen(b64), &e->payload) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "signing request: payload is not base64");
        goto out;
    }
    if ((r = zkr_attest_payload_parse(e->payload.p, e->payload.len, &f, d)) != ZKR_OK ||
        (r = zkr_signer_domain_parse(json_object_get(json_object_get(j, "typedData"), "domain"),
                                     "signing request typedData.domain", &dom, d)) != ZKR_OK ||
        (r = zkr_signer_eip712_typed(&f, &dom, &mine, d)) != ZKR_OK)
        goto out;
    /* What the wallet was shown must be exactly what the payload says. */
    if (!json_equal(mine, json_object_get(j, "typedData"))) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_STATEMENT,
                     "signing request: typedData does not match its payload");
        goto out;
    }
    if ((r = zkr_signer_eip712_hash(mine, NULL, digest, d)) != ZKR_OK ||
        (r = parse_eth_sig(sig_hex, s->eth_sig, d)) != ZKR_OK)
        goto out;
    if (zkr_eth_recover(digest, s->eth_sig, got) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_SIGNATURE, "signature does not recover (invalid or high-s)");
        goto out;
    }
    if (sodium_memcmp(got, expected, 20) != 0 || sodium_memcmp(got, req_addr, 20) != 0) {
        char g[43], w[43];
        zkr_eth_address_format(got, g);
        zkr_eth_address_format(expected, w);
        r = zkr_fail(d, ZKR_ERR_SIGNATURE,
                     "signature recovers %s, not the registered signer %s (or the request's)", g,
                     w);
        goto out;
    }
    pk.type = ZKR_KEY_ETH;
    memcpy(pk.pub, got, 20);
    pk.pub_len = 20;
    zkr_pubkey_keyid(&pk, s->keyid);
    memcpy(s->sig, s->eth_sig, 65);
    s->sig_len = 65;
    memcpy(s->eth_address, got, 20);
    s->domain = dom;
    s->has_eip712 = 1;
    e->nsigs = 1;
    snprintf(e->payload_type, sizeof e->payload_type, "%s", ZKR_ATTEST_PAYLOAD_TYPE);
out:
    json_decref(mine);
    json_decref(j);
    return r;
}

zkr_err zkr_attest_import_signature(const uint8_t *request, size_t request_len,
                                    const char *sig_hex,
                                    const uint8_t expected[ZKR_ETH_ADDR_BYTES], zkr_buf *out,
                                    zkr_diag *d)
{
    zkr_envelope e;
    zkr_err r;

    out->len = 0;
    memset(&e, 0, sizeof e);
    if ((r = import(request, request_len, sig_hex, expected, &e, d)) == ZKR_OK)
        r = zkr_envelope_encode(&e, out);
    zkr_envelope_free(&e);
    return r;
}
