/*
 * signer: public keys, signature verification, low-s normalization and
 * Ethereum addresses. libsecp256k1's 1/0 and libsodium's 0/-1 conventions
 * become zkr_err here and nowhere else.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include "signer/signer_int.h"

_Static_assert(ZKR_SIG_BYTES == crypto_sign_BYTES, "Ed25519 signature size");
_Static_assert(crypto_sign_PUBLICKEYBYTES == 32, "Ed25519 public key size");

/* Curve orders, big-endian. */
static const uint8_t order_secp256k1[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const uint8_t order_p256[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

const char *zkr_key_type_name(zkr_key_type t)
{
    switch (t) {
    case ZKR_KEY_ED25519:
        return "ed25519";
    case ZKR_KEY_SECP256K1:
        return "secp256k1";
    case ZKR_KEY_P256:
        return "p256";
    case ZKR_KEY_ETH:
        return "eth";
    default:
        return "?";
    }
}

/* Big-endian 256-bit compare. */
static int cmp256(const uint8_t a[32], const uint8_t b[32])
{
    return memcmp(a, b, 32);
}

/* out = a - b (a >= b), big-endian. */
static void sub256(const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
    int borrow = 0;

    for (int i = 31; i >= 0; i--) {
        int v = (int)a[i] - (int)b[i] - borrow;
        borrow = v < 0;
        out[i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
}

static int is_zero32(const uint8_t a[32])
{
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++)
        acc |= a[i];
    return acc == 0;
}

zkr_err zkr_ecdsa_normalize(zkr_key_type t, uint8_t sig[ZKR_SIG_BYTES], int *was_high)
{
    const uint8_t *n = t == ZKR_KEY_SECP256K1 ? order_secp256k1 : order_p256;
    uint8_t half[32];
    int carry = 0;

    if (was_high != NULL)
        *was_high = 0;
    if (t != ZKR_KEY_SECP256K1 && t != ZKR_KEY_P256)
        return ZKR_ERR_UNSUPPORTED;
    if (is_zero32(sig) || is_zero32(sig + 32) || cmp256(sig, n) >= 0 || cmp256(sig + 32, n) >= 0)
        return ZKR_ERR_SIGNATURE;
    /* half = floor(n / 2) */
    for (int i = 0; i < 32; i++) {
        half[i] = (uint8_t)((n[i] >> 1) | (carry << 7));
        carry = n[i] & 1;
    }
    if (cmp256(sig + 32, half) > 0) {
        sub256(n, sig + 32, sig + 32);
        if (was_high != NULL)
            *was_high = 1;
    }
    return ZKR_OK;
}

static zkr_err secp_parse_pub(const uint8_t *p, size_t len, secp256k1_pubkey *pk)
{
    if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, pk, p, len))
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

static zkr_err parse_typed(zkr_key_type t, const char *hex, zkr_pubkey *out)
{
    uint8_t buf[65];
    size_t n = 0;
    secp256k1_pubkey pk;

    if (zkr_hex_decode(hex, strlen(hex), buf, sizeof buf, &n) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    switch (t) {
    case ZKR_KEY_ED25519:
        if (n != 32)
            return ZKR_ERR_MALFORMED;
        break;
    case ZKR_KEY_SECP256K1:
        if ((n != 33 && n != 65) || secp_parse_pub(buf, n, &pk) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        n = 33;
        if (!secp256k1_ec_pubkey_serialize(secp256k1_context_static, buf, &n, &pk,
                                           SECP256K1_EC_COMPRESSED))
            return ZKR_ERR_MALFORMED;
        break;
    case ZKR_KEY_P256:
        if (n != 65 || buf[0] != 0x04)
            return ZKR_ERR_MALFORMED;
        if (zkr_signer_p256_check_point(buf) == ZKR_ERR_MALFORMED)
            return ZKR_ERR_MALFORMED;
        break;
    default:
        return ZKR_ERR_MALFORMED;
    }
    out->type = t;
    memcpy(out->pub, buf, n);
    out->pub_len = n;
    return ZKR_OK;
}

zkr_err zkr_pubkey_parse(const char *s, const char *what, zkr_pubkey *out, zkr_diag *d)
{
    static const struct {
        const char *prefix;
        zkr_key_type t;
    } kinds[] = {{"ed25519:", ZKR_KEY_ED25519},
                 {"secp256k1:", ZKR_KEY_SECP256K1},
                 {"p256:", ZKR_KEY_P256},
                 {"eth:", ZKR_KEY_ETH}};

    memset(out, 0, sizeof *out);
    if (s == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: missing public key", what);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t pl = strlen(kinds[i].prefix);
        if (strncmp(s, kinds[i].prefix, pl) != 0)
            continue;
        if (kinds[i].t == ZKR_KEY_ETH) {
            if (zkr_eth_address_parse(s + pl, out->pub) != ZKR_OK)
                break;
            out->type = ZKR_KEY_ETH;
            out->pub_len = ZKR_ETH_ADDR_BYTES;
            return ZKR_OK;
        }
        if (parse_typed(kinds[i].t, s + pl, out) == ZKR_OK)
            return ZKR_OK;
        break;
    }
    memset(out, 0, sizeof *out);
    return zkr_fail(d, ZKR_ERR_MALFORMED,
                    "%s: '%.80s' is not a public key (ed25519:HEX, secp256k1:HEX, p256:HEX or "
                    "eth:0xADDRESS, a valid point)",
                    what, s);
}

zkr_err zkr_pubkey_format(const zkr_pubkey *k, char *out, size_t cap)
{
    const char *name = zkr_key_type_name(k->type);
    size_t nl = strlen(name);

    if (cap < nl + 2 + 2 * k->pub_len + 2 || k->pub_len > ZKR_PUBKEY_MAX)
        return ZKR_ERR_TOO_LARGE;
    if (k->type == ZKR_KEY_ETH) {
        char a[43];
        if (k->pub_len != ZKR_ETH_ADDR_BYTES)
            return ZKR_ERR_USAGE;
        zkr_eth_address_format(k->pub, a);
        snprintf(out, cap, "eth:%s", a);
        return ZKR_OK;
    }
    memcpy(out, name, nl);
    out[nl] = ':';
    return zkr_hex_encode(k->pub, k->pub_len, out + nl + 1, cap - nl - 1);
}

void zkr_pubkey_keyid(const zkr_pubkey *k, char out[ZKR_KEYID_HEX + 1])
{
    uint8_t h[ZKR_DIGEST_BYTES];

    memset(out, 0, ZKR_KEYID_HEX + 1);
    if (zkr_keyid_compute(zkr_key_type_name(k->type), k->pub, k->pub_len, h) != ZKR_OK)
        return; /* out stays empty: no key id matches "" */
    (void)!zkr_hex_encode(h, sizeof h, out, ZKR_KEYID_HEX + 1);
}

void zkr_pubkey_identity(const zkr_pubkey *k, char out[ZKR_KEYID_HEX + 1])
{
    uint8_t h[ZKR_DIGEST_BYTES];

    memset(out, 0, ZKR_KEYID_HEX + 1);
    if (zkr_signer_identity(zkr_key_type_name(k->type), k->pub, k->pub_len, h) != ZKR_OK)
        return; /* a parsed key always has one; empty matches nothing */
    (void)!zkr_hex_encode(h, sizeof h, out, ZKR_KEYID_HEX + 1);
}

static void address_of_pubkey(const secp256k1_pubkey *pk, uint8_t addr[20])
{
    uint8_t ser[65], h[32];
    size_t n = sizeof ser;

    /* Serializing a parsed key cannot fail. */
    (void)!secp256k1_ec_pubkey_serialize(secp256k1_context_static, ser, &n, pk,
                                         SECP256K1_EC_UNCOMPRESSED);
    zkr_keccak256(ser + 1, 64, h);
    memcpy(addr, h + 12, 20);
}

zkr_err zkr_pubkey_eth_address(const zkr_pubkey *k, uint8_t addr[ZKR_ETH_ADDR_BYTES])
{
    secp256k1_pubkey pk;

    memset(addr, 0, ZKR_ETH_ADDR_BYTES);
    if (k->type == ZKR_KEY_ETH && k->pub_len == ZKR_ETH_ADDR_BYTES) {
        memcpy(addr, k->pub, ZKR_ETH_ADDR_BYTES);
        return ZKR_OK;
    }
    if (k->type != ZKR_KEY_SECP256K1)
        return ZKR_ERR_UNSUPPORTED;
    if (secp_parse_pub(k->pub, k->pub_len, &pk) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    address_of_pubkey(&pk, addr);
    return ZKR_OK;
}

void zkr_eth_address_format(const uint8_t addr[ZKR_ETH_ADDR_BYTES], char out[43])
{
    char hex[41];
    uint8_t h[32];

    (void)!zkr_hex_encode(addr, ZKR_ETH_ADDR_BYTES, hex, sizeof hex);
    zkr_keccak256((const uint8_t *)hex, 40, h);
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 40; i++) {
        int nib = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 15;
        out[2 + i] = (char)(nib >= 8 ? toupper((unsigned char)hex[i]) : hex[i]);
    }
    out[42] = '\0';
}

zkr_err zkr_eth_address_parse(const char *s, uint8_t addr[ZKR_ETH_ADDR_BYTES])
{
    int has_lower = 0, has_upper = 0;
    char chk[43];

    memset(addr, 0, ZKR_ETH_ADDR_BYTES);
    if (s == NULL || strlen(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return ZKR_ERR_MALFORMED;
    if (zkr_hex_decode_exact(s + 2, addr, ZKR_ETH_ADDR_BYTES) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    for (int i = 2; i < 42; i++) {
        has_lower |= s[i] >= 'a' && s[i] <= 'f';
        has_upper |= s[i] >= 'A' && s[i] <= 'F';
    }
    /* A mixed-case address carries an EIP-55 checksum: it must hold. */
    if (has_lower && has_upper) {
        zkr_eth_address_format(addr, chk);
        if (strcmp(chk + 2, s + 2) != 0) {
            memset(addr, 0, ZKR_ETH_ADDR_BYTES);
            return ZKR_ERR_MALFORMED;
        }
    }
    return ZKR_OK;
}

static zkr_err secp_verify(const zkr_pubkey *k, const uint8_t digest[32], const uint8_t sig[64])
{
    secp256k1_ecdsa_signature s;
    secp256k1_pubkey pk;

    if (secp_parse_pub(k->pub, k->pub_len, &pk) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    if (!secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, &s, sig))
        return ZKR_ERR_SIGNATURE;
    /* libsecp256k1 refuses high-s signatures here: that is our strict rule. */
    if (!secp256k1_ecdsa_verify(secp256k1_context_static, &s, digest, &pk))
        return ZKR_ERR_SIGNATURE;
    return ZKR_OK;
}

zkr_err zkr_ecdsa_verify_digest(const zkr_pubkey *k, const uint8_t digest[32],
                                const uint8_t sig[ZKR_SIG_BYTES])
{
    if (k->type == ZKR_KEY_SECP256K1)
        return secp_verify(k, digest, sig);
    if (k->type == ZKR_KEY_P256)
        return zkr_signer_p256_verify(k->pub, digest, sig);
    return ZKR_ERR_UNSUPPORTED;
}

zkr_err zkr_sig_verify(const zkr_pubkey *k, const uint8_t *msg, size_t len, const uint8_t *sig,
                       size_t sig_len)
{
    uint8_t digest[32], addr[20];
    zkr_err r;

    switch (k->type) {
    case ZKR_KEY_ED25519:
        if (sig_len != ZKR_SIG_BYTES || k->pub_len != 32)
            return ZKR_ERR_MALFORMED;
        return crypto_sign_verify_detached(sig, msg, len, k->pub) == 0 ? ZKR_OK
                                                                       : ZKR_ERR_SIGNATURE;
    case ZKR_KEY_SECP256K1:
    case ZKR_KEY_P256:
        if (sig_len != ZKR_SIG_BYTES)
            return ZKR_ERR_MALFORMED;
        zkr_sha256(msg, len, digest);
        return zkr_ecdsa_verify_digest(k, digest, sig);
    case ZKR_KEY_ETH:
        if (sig_len != ZKR_ETH_SIG_BYTES || len != 32)
            return ZKR_ERR_MALFORMED;
        if ((r = zkr_eth_recover(msg, sig, addr)) != ZKR_OK)
            return r;
        return sodium_memcmp(addr, k->pub, 20) == 0 ? ZKR_OK : ZKR_ERR_SIGNATURE;
    default:
        return ZKR_ERR_UNSUPPORTED;
    }
}

zkr_err zkr_eth_recover(const uint8_t digest[32], const uint8_t sig[ZKR_ETH_SIG_BYTES],
                        uint8_t addr[ZKR_ETH_ADDR_BYTES])
{
    secp256k1_ecdsa_recoverable_signature rs;
    secp256k1_pubkey pk;
    uint8_t tmp[64];
    int high = 0;

    memset(addr, 0, ZKR_ETH_ADDR_BYTES);
    if (sig[64] != 27 && sig[64] != 28)
        return ZKR_ERR_SIGNATURE;
    memcpy(tmp, sig, 64);
    /* Ethereum (EIP-2) refuses high-s; so do we. */
    if (zkr_ecdsa_normalize(ZKR_KEY_SECP256K1, tmp, &high) != ZKR_OK || high)
        return ZKR_ERR_SIGNATURE;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &rs, sig,
                                                             sig[64] - 27) ||
        !secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &rs, digest))
        return ZKR_ERR_SIGNATURE;
    address_of_pubkey(&pk, addr);
    return ZKR_OK;
}

zkr_err zkr_eth_sig_from_rs(const uint8_t digest[32], const uint8_t rs[ZKR_SIG_BYTES],
                            const zkr_pubkey *k, uint8_t out[ZKR_ETH_SIG_BYTES])
{
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_pubkey want, got;
    uint8_t a[33], b[33];
    size_t an = 33, bn = 33;

    memset(out, 0, ZKR_ETH_SIG_BYTES);
    if (k->type != ZKR_KEY_SECP256K1 || secp_parse_pub(k->pub, k->pub_len, &want) != ZKR_OK)
        return ZKR_ERR_UNSUPPORTED;
    (void)!secp256k1_ec_pubkey_serialize(secp256k1_context_static, a, &an, &want,
                                         SECP256K1_EC_COMPRESSED);
    /* Recovery ids 2 and 3 (r >= n - p) cannot be expressed in v = 27/28. */
    for (int recid = 0; recid < 2; recid++) {
        if (!secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &rsig,
                                                                 rs, recid) ||
            !secp256k1_ecdsa_recover(secp256k1_context_static, &got, &rsig, digest))
            continue;
        bn = 33;
        (void)!secp256k1_ec_pubkey_serialize(secp256k1_context_static, b, &bn, &got,
                                             SECP256K1_EC_COMPRESSED);
        if (memcmp(a, b, 33) == 0) {
            memcpy(out, rs, 64);
            out[64] = (uint8_t)(27 + recid);
            return ZKR_OK;
        }
    }
    return ZKR_ERR_SIGNATURE;
}
