/* signer: DSSE v1 — PAE and the envelope, written canonically, read strictly. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "signer/signer_int.h"

zkr_err zkr_dsse_pae(const char *type, size_t type_len, const uint8_t *body, size_t len,
                     zkr_buf *out)
{
    zkr_err r;

    out->len = 0;
    /* ASCII decimal lengths, no leading zeros, single spaces (DSSE protocol.md). */
    if ((r = zkr_buf_printf(out, "DSSEv1 %zu ", type_len)) != ZKR_OK ||
        (r = zkr_buf_append(out, type, type_len)) != ZKR_OK ||
        (r = zkr_buf_printf(out, " %zu ", len)) != ZKR_OK ||
        (r = zkr_buf_append(out, body, len)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

zkr_err zkr_signer_domain_json(const zkr_eip712_domain *dom, json_t *obj)
{
    char addr[43];

    zkr_eth_address_format(dom->verifying_contract, addr);
    if (dom->chain_id > INT64_MAX ||
        json_object_set_new(obj, "chainId", json_integer((json_int_t)dom->chain_id)) != 0 ||
        json_object_set_new(obj, "name", json_string(dom->name)) != 0 ||
        json_object_set_new(obj, "version", json_string(dom->version)) != 0 ||
        json_object_set_new(obj, "verifyingContract", json_string(addr)) != 0)
        return ZKR_ERR_NOMEM;
    return ZKR_OK;
}

zkr_err zkr_signer_domain_parse(const json_t *obj, const char *what, zkr_eip712_domain *out,
                                zkr_diag *d)
{
    const char *name, *version, *vc;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_signer_json_u64(obj, "chainId", what, &out->chain_id, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(obj, "name", ZKR_ATTEST_TEXT_MAX, what, &name, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(obj, "version", ZKR_ATTEST_TEXT_MAX, what, &version, d)) !=
            ZKR_OK ||
        (r = zkr_signer_json_str(obj, "verifyingContract", 42, what, &vc, d)) != ZKR_OK)
        return r;
    if (zkr_eth_address_parse(vc, out->verifying_contract) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: verifyingContract is not an address", what);
    memcpy(out->name, name, strlen(name) + 1);
    memcpy(out->version, version, strlen(version) + 1);
    return ZKR_OK;
}

static json_t *eip712_obj(const zkr_dsse_sig *s)
{
    char addr[43], sig[2 + 2 * ZKR_ETH_SIG_BYTES + 1];
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    zkr_eth_address_format(s->eth_address, addr);
    sig[0] = '0';
    sig[1] = 'x';
    (void)!zkr_hex_encode(s->eth_sig, ZKR_ETH_SIG_BYTES, sig + 2, sizeof sig - 2);
    if (zkr_signer_domain_json(&s->domain, o) != ZKR_OK ||
        json_object_set_new(o, "address", json_string(addr)) != 0 ||
        json_object_set_new(o, "signature", json_string(sig)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *sig_obj(const zkr_dsse_sig *s)
{
    zkr_buf b64 = {0};
    json_t *o = NULL;

    if (zkr_base64_encode(s->sig, s->sig_len, &b64) != ZKR_OK)
        return NULL;
    o = json_pack("{s:s, s:s}", "keyid", s->keyid, "sig", (const char *)b64.p);
    zkr_buf_free(&b64);
    if (o != NULL && s->has_eip712 && json_object_set_new(o, "eip712", eip712_obj(s)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

zkr_err zkr_envelope_encode(const zkr_envelope *e, zkr_buf *out)
{
    zkr_buf b64 = {0};
    json_t *j = NULL, *sigs = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    out->len = 0;
    if (e->nsigs == 0 || e->nsigs > ZKR_DSSE_MAX_SIGS)
        return ZKR_ERR_USAGE;
    if ((r = zkr_base64_encode(e->payload.p, e->payload.len, &b64)) != ZKR_OK)
        return r;
    r = ZKR_ERR_NOMEM;
    sigs = json_array();
    if (sigs == NULL)
        goto out;
    for (size_t i = 0; i < e->nsigs; i++)
        if (json_array_append_new(sigs, sig_obj(&e->sigs[i])) != 0)
            goto out;
    j = json_pack("{s:s, s:s, s:O}", "payload", (const char *)b64.p, "payloadType",
                  e->payload_type, "signatures", sigs);
    if (j == NULL)
        goto out;
    if ((r = zkr_signer_json_dump(j, out)) == ZKR_OK)
        r = zkr_buf_append(out, "\n", 1);
out:
    json_decref(sigs);
    json_decref(j);
    zkr_buf_free(&b64);
    return r;
}

static zkr_err parse_eip712(const json_t *o, zkr_dsse_sig *s, size_t i, zkr_diag *d)
{
    static const char *const f[] = {"address", "chainId", "name", "signature",
                                    "verifyingContract", "version", NULL};
    const char *addr, *sig;
    char what[64];
    zkr_err r;

    snprintf(what, sizeof what, "envelope signatures[%zu].eip712", i);
    if ((r = zkr_signer_json_fields(o, f, what, d)) != ZKR_OK ||
        (r = zkr_signer_domain_parse(o, what, &s->domain, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(o, "address", 42, what, &addr, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(o, "signature", 132, what, &sig, d)) != ZKR_OK)
        return r;
    if (zkr_eth_address_parse(addr, s->eth_address) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: address is not an Ethereum address", what);
    if (strlen(sig) != 132 || sig[0] != '0' || sig[1] != 'x' ||
        zkr_hex_decode_exact(sig + 2, s->eth_sig, ZKR_ETH_SIG_BYTES) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: signature is not 0x + 130 hex digits", what);
    s->has_eip712 = 1;
    return ZKR_OK;
}

static zkr_err parse_sig(const json_t *o, zkr_dsse_sig *s, size_t i, zkr_diag *d)
{
    static const char *const f[] = {"keyid", "sig", "eip712", NULL};
    const char *keyid, *sig;
    zkr_buf raw = {0};
    char what[64];
    zkr_err r;

    snprintf(what, sizeof what, "envelope signatures[%zu]", i);
    if ((r = zkr_signer_json_fields(o, f, what, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(o, "keyid", ZKR_KEYID_HEX, what, &keyid, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(o, "sig", 256, what, &sig, d)) != ZKR_OK)
        return r;
    if (strlen(keyid) != ZKR_KEYID_HEX)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: keyid is not 64 hex digits", what);
    memcpy(s->keyid, keyid, ZKR_KEYID_HEX + 1);
    if (zkr_base64_decode(sig, strlen(sig), &raw) != ZKR_OK ||
        (raw.len != ZKR_SIG_BYTES && raw.len != ZKR_ETH_SIG_BYTES)) {
        zkr_buf_free(&raw);
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: sig is not base64 of 64 or 65 bytes", what);
    }
    memcpy(s->sig, raw.p, raw.len);
    s->sig_len = raw.len;
    zkr_buf_free(&raw);
    if (json_object_get(o, "eip712") != NULL)
        return parse_eip712(json_object_get(o, "eip712"), s, i, d);
    return ZKR_OK;
}

static zkr_err parse(const uint8_t *p, size_t len, zkr_envelope *e, zkr_diag *d)
{
    static const char *const f[] = {"payload", "payloadType", "signatures", NULL};
    const char *payload, *ptype;
    json_t *j = NULL, *sigs;
    zkr_err r;

    if ((r = zkr_signer_json_load(p, len, ZKR_DSSE_MAX_BYTES, "envelope", &j, d)) != ZKR_OK ||
        (r = zkr_signer_json_fields(j, f, "envelope", d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "payload", ZKR_DSSE_MAX_BYTES, "envelope", &payload, d)) !=
            ZKR_OK ||
        (r = zkr_signer_json_str(j, "payloadType", sizeof e->payload_type - 1, "envelope",
                                 &ptype, d)) != ZKR_OK)
        goto out;
    memcpy(e->payload_type, ptype, strlen(ptype) + 1);
    if (zkr_base64_decode(payload, strlen(payload), &e->payload) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "envelope: payload is not strict base64");
        goto out;
    }
    sigs = json_object_get(j, "signatures");
    if (!json_is_array(sigs) || json_array_size(sigs) == 0 ||
        json_array_size(sigs) > ZKR_DSSE_MAX_SIGS) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "envelope: 'signatures' must hold 1 to %d entries",
                     ZKR_DSSE_MAX_SIGS);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(sigs); i++)
        if ((r = parse_sig(json_array_get(sigs, i), &e->sigs[i], i, d)) != ZKR_OK)
            goto out;
    e->nsigs = json_array_size(sigs);
out:
    json_decref(j);
    return r;
}

zkr_err zkr_envelope_parse(const uint8_t *p, size_t len, zkr_envelope *out, zkr_diag *d)
{
    zkr_err r;

    memset(out, 0, sizeof *out);
    r = parse(p, len, out, d);
    if (r != ZKR_OK)
        zkr_envelope_free(out);
    return r;
}

void zkr_envelope_free(zkr_envelope *e)
{
    if (e == NULL)
        return;
    zkr_buf_free(&e->payload);
    memset(e, 0, sizeof *e);
}
