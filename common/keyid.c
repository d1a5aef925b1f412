/*
 * Key ids and signer identities, shared by the signer (policies, gate,
 * verification) and the registry (the signer_key table, its migration and
 * its audit), so that both derive them from one definition.
 *
 * One secp256k1 key has two names: `secp256k1:HEX` (it signs DSSE and its
 * EIP-712 companion) and `eth:ADDRESS` (a wallet name for the same key).
 * Their key ids differ; the identity does not: it is the key id of the
 * eth form, so that everything that counts or revokes signers sees one.
 */
#include <string.h>

#include <secp256k1.h>

#include "common.h"

#define KEYID_TAG "zkreg/keyid/v1"

zkr_err zkr_keyid_compute(const char *type, const uint8_t *pub, size_t len,
                          uint8_t out[ZKR_DIGEST_BYTES])
{
    zkr_sha256_ctx c;
    size_t tn;

    memset(out, 0, ZKR_DIGEST_BYTES);
    if (type == NULL || pub == NULL || len == 0 || len > ZKR_KEY_PUB_MAX ||
        (tn = strlen(type)) == 0 || tn > 16)
        return ZKR_ERR_MALFORMED;
    /* Same bytes as zkr_sha256_tagged(tag, type || 0x00 || pub). */
    zkr_sha256_init(&c);
    zkr_sha256_update(&c, (const uint8_t *)KEYID_TAG, sizeof KEYID_TAG);
    zkr_sha256_update(&c, (const uint8_t *)type, tn + 1);
    zkr_sha256_update(&c, pub, len);
    zkr_sha256_final(&c, out);
    return ZKR_OK;
}

/* The Ethereum address of a compressed or uncompressed secp256k1 point. */
static zkr_err eth_address(const uint8_t *pub, size_t len, uint8_t addr[20])
{
    secp256k1_pubkey pk;
    uint8_t ser[65], h[ZKR_DIGEST_BYTES];
    size_t n = sizeof ser;

    if ((len != 33 && len != 65) || !secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, pub, len))
        return ZKR_ERR_MALFORMED;
    /* Serializing a parsed key cannot fail. */
    (void)!secp256k1_ec_pubkey_serialize(secp256k1_context_static, ser, &n, &pk,
                                         SECP256K1_EC_UNCOMPRESSED);
    zkr_keccak256(ser + 1, 64, h);
    memcpy(addr, h + 12, 20);
    return ZKR_OK;
}

zkr_err zkr_signer_identity(const char *type, const uint8_t *pub, size_t len,
                            uint8_t out[ZKR_DIGEST_BYTES])
{
    uint8_t addr[20];
    zkr_err r;

    memset(out, 0, ZKR_DIGEST_BYTES);
    if (type == NULL)
        return ZKR_ERR_MALFORMED;
    if (strcmp(type, "secp256k1") != 0)
        return zkr_keyid_compute(type, pub, len, out);
    if (pub == NULL || (r = eth_address(pub, len, addr)) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    return zkr_keyid_compute("eth", addr, sizeof addr, out);
}
