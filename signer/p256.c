/*
 * signer: ECDSA P-256 verification through OpenSSL's libcrypto (keys on
 * PKCS#11 tokens). Built without libcrypto, P-256 signatures cannot be
 * checked and every call says so (ZKR_ERR_UNSUPPORTED) instead of passing.
 */
#include <string.h>

#include "signer/signer_int.h"

#ifdef ZKR_HAVE_LIBCRYPTO
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

/* OpenSSL's EC_KEY API is deprecated in 3.0 but still the direct route to raw points. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static EC_KEY *load_key(const uint8_t pub[65])
{
    EC_KEY *k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    const uint8_t *p = pub;

    if (k == NULL)
        return NULL;
    if (o2i_ECPublicKey(&k, &p, 65) == NULL || EC_KEY_check_key(k) != 1) {
        EC_KEY_free(k);
        return NULL;
    }
    return k;
}

zkr_err zkr_signer_p256_check_point(const uint8_t pub[65])
{
    EC_KEY *k = load_key(pub);

    if (k == NULL)
        return ZKR_ERR_MALFORMED;
    EC_KEY_free(k);
    return ZKR_OK;
}

zkr_err zkr_signer_p256_verify(const uint8_t pub[65], const uint8_t digest[32],
                               const uint8_t sig[64])
{
    EC_KEY *k = load_key(pub);
    ECDSA_SIG *s = NULL;
    BIGNUM *r = NULL, *sv = NULL;
    zkr_err res = ZKR_ERR_SIGNATURE;

    if (k == NULL)
        return ZKR_ERR_MALFORMED;
    s = ECDSA_SIG_new();
    r = BN_bin2bn(sig, 32, NULL);
    sv = BN_bin2bn(sig + 32, 32, NULL);
    if (s == NULL || r == NULL || sv == NULL || ECDSA_SIG_set0(s, r, sv) != 1) {
        BN_free(r);
        BN_free(sv);
        res = ZKR_ERR_NOMEM;
        goto out;
    }
    if (ECDSA_do_verify(digest, 32, s, k) == 1)
        res = ZKR_OK;
out:
    ECDSA_SIG_free(s);
    EC_KEY_free(k);
    return res;
}
#else
zkr_err zkr_signer_p256_check_point(const uint8_t pub[65])
{
    (void)pub;
    return ZKR_ERR_UNSUPPORTED;
}

zkr_err zkr_signer_p256_verify(const uint8_t pub[65], const uint8_t digest[32],
                               const uint8_t sig[64])
{
    (void)pub;
    (void)digest;
    (void)sig;
    return ZKR_ERR_UNSUPPORTED;
}
#endif
