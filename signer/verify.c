/*
 * signer: verifying attestations. Each signature is checked against the
 * trusted key its key id names; the key id only finds a key, and a signer
 * is counted once however many signatures it left, under whichever of its
 * names (a secp256k1 key and its eth address are one signer: an eth entry
 * can be built from a secp256k1 entry's EIP-712 companion without the key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "signer/signer_int.h"

/* Checks one signature entry with its trusted key k over pae / the facts. */
static zkr_err check_entry(const zkr_dsse_sig *s, const zkr_pubkey *k, const zkr_buf *pae,
                           const zkr_attest_facts *f)
{
    uint8_t digest[32], addr[20], rec[20];

    if (k->type == ZKR_KEY_ETH) {
        /* Wallet signatures: "sig" is the EIP-712 signature itself. */
        if (!s->has_eip712 || s->sig_len != ZKR_ETH_SIG_BYTES ||
            memcmp(s->sig, s->eth_sig, ZKR_ETH_SIG_BYTES) != 0 ||
            memcmp(s->eth_address, k->pub, 20) != 0)
            return ZKR_ERR_SIGNATURE;
        if (zkr_attest_eip712_digest(f, &s->domain, digest, NULL) != ZKR_OK)
            return ZKR_ERR_SIGNATURE;
        return zkr_sig_verify(k, digest, 32, s->sig, s->sig_len);
    }
    if (zkr_sig_verify(k, pae->p, pae->len, s->sig, s->sig_len) != ZKR_OK)
        return ZKR_ERR_SIGNATURE;
    if (!s->has_eip712)
        return ZKR_OK;
    /* A companion that is present must hold too. */
    if (zkr_pubkey_eth_address(k, addr) != ZKR_OK || memcmp(addr, s->eth_address, 20) != 0 ||
        zkr_attest_eip712_digest(f, &s->domain, digest, NULL) != ZKR_OK)
        return ZKR_ERR_SIGNATURE;
    if (zkr_eth_recover(digest, s->eth_sig, rec) != ZKR_OK || memcmp(rec, addr, 20) != 0)
        return ZKR_ERR_SIGNATURE;
    return ZKR_OK;
}

/*
 * Parses and checks signatures; fills res. Returns ZKR_OK when parsing
 * worked (res says what verified), else the parse error.
 */
zkr_err zkr_signer_verify_sigs(const uint8_t *att, size_t len, const zkr_pubkey *trusted,
                           size_t ntrusted, zkr_attest_result *res, zkr_diag *d)
{
    char (*ids)[ZKR_KEYID_HEX + 1] = NULL, (*who)[ZKR_KEYID_HEX + 1] = NULL;
    int counted[ZKR_POLICY_MAX_KEYS] = {0}, signer_ix[ZKR_POLICY_MAX_KEYS] = {0};
    zkr_envelope e;
    zkr_buf pae = {0};
    zkr_err r;

    memset(res, 0, sizeof *res);
    if (ntrusted > ZKR_POLICY_MAX_KEYS)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "more than %d trusted keys", ZKR_POLICY_MAX_KEYS);
    if ((r = zkr_envelope_parse(att, len, &e, d)) != ZKR_OK)
        return r;
    if (strcmp(e.payload_type, ZKR_ATTEST_PAYLOAD_TYPE) != 0) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "attestation: payloadType '%.64s' is not %s",
                     e.payload_type, ZKR_ATTEST_PAYLOAD_TYPE);
        goto out;
    }
    if ((r = zkr_attest_payload_parse(e.payload.p, e.payload.len, &res->facts, d)) != ZKR_OK ||
        (r = zkr_dsse_pae(e.payload_type, strlen(e.payload_type), e.payload.p, e.payload.len,
                          &pae)) != ZKR_OK)
        goto out;
    ids = calloc(ntrusted > 0 ? ntrusted : 1, sizeof *ids);
    who = calloc(ntrusted > 0 ? ntrusted : 1, sizeof *who);
    if (ids == NULL || who == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (size_t k = 0; k < ntrusted; k++) {
        zkr_pubkey_keyid(&trusted[k], ids[k]);
        zkr_pubkey_identity(&trusted[k], who[k]);
        signer_ix[k] = (int)k;
        for (size_t j = 0; j < k; j++)
            if (who[k][0] != '\0' && strcmp(who[j], who[k]) == 0) {
                signer_ix[k] = (int)j;
                break;
            }
    }
    res->nsigs = e.nsigs;
    for (size_t i = 0; i < e.nsigs; i++) {
        zkr_sig_outcome *o = &res->sigs[i];
        memcpy(o->keyid, e.sigs[i].keyid, sizeof o->keyid);
        o->trusted_ix = -1;
        o->signer_ix = -1;
        for (size_t k = 0; k < ntrusted && o->trusted_ix < 0; k++)
            if (strcmp(ids[k], e.sigs[i].keyid) == 0)
                o->trusted_ix = (int)k;
        if (o->trusted_ix < 0)
            continue;
        o->trusted = 1;
        o->signer_ix = signer_ix[o->trusted_ix];
        o->valid = check_entry(&e.sigs[i], &trusted[o->trusted_ix], &pae, &res->facts) == ZKR_OK;
        if (o->valid && !counted[o->signer_ix]) {
            counted[o->signer_ix] = 1;
            res->nvalid++;
        }
    }
out:
    free(ids);
    free(who);
    zkr_buf_free(&pae);
    zkr_envelope_free(&e);
    return r;
}

/* The first trusted signature that failed, or NULL. */
static const zkr_sig_outcome *first_bad(const zkr_attest_result *res)
{
    for (size_t i = 0; i < res->nsigs; i++)
        if (res->sigs[i].trusted && !res->sigs[i].valid)
            return &res->sigs[i];
    return NULL;
}

zkr_err zkr_attest_verify(const uint8_t *att, size_t len, const zkr_pubkey *trusted,
                          size_t ntrusted, const zkr_attest_registry *reg,
                          zkr_attest_result *res, zkr_diag *d)
{
    const zkr_sig_outcome *bad;
    zkr_err r;

    if ((r = zkr_signer_verify_sigs(att, len, trusted, ntrusted, res, d)) != ZKR_OK)
        return r;
    if ((bad = first_bad(res)) != NULL)
        return zkr_fail(d, ZKR_ERR_SIGNATURE,
                        "the signature by trusted key %.16s... does not verify (tampered payload "
                        "or wrong signature)",
                        bad->keyid);
    if (res->nvalid == 0)
        return zkr_fail(d, ZKR_ERR_SIGNATURE,
                        "no signature by a trusted key (%zu signature(s), none from the %zu "
                        "trusted key(s))",
                        res->nsigs, ntrusted);
    if (reg == NULL)
        return ZKR_OK;
    if (reg->statement != NULL && (r = reg->statement(reg->ctx, &res->facts, d)) != ZKR_OK)
        return r;
    if (reg->inclusion != NULL && (r = reg->inclusion(reg->ctx, &res->facts, d)) != ZKR_OK)
        return r;
    for (size_t i = 0; reg->revoked != NULL && i < res->nsigs; i++)
        if (res->sigs[i].valid &&
            (r = reg->revoked(reg->ctx, &res->facts, &trusted[res->sigs[i].trusted_ix], d)) !=
                ZKR_OK)
            return r;
    return ZKR_OK;
}
