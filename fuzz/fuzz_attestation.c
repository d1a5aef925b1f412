/*
 * Fuzz target: an attestation file (DSSE envelope, in-toto payload,
 * EIP-712 companions) through zkr_attest_verify with a fixed trusted key,
 * and a signing request through zkr_attest_import_signature.
 */
#include <string.h>

#include "fuzz/fuzz.h"
#include "signer/signer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {
        "ed25519:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "secp256k1:0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
        "eth:0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826"};
    zkr_pubkey trusted[3];
    zkr_attest_result res;
    zkr_buf out = {0};
    uint8_t addr[20];

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    for (int i = 0; i < 3; i++)
        if (zkr_pubkey_parse(keys[i], "fuzz", &trusted[i], NULL) != ZKR_OK)
            return 0;
    (void)!zkr_attest_verify(data, size, trusted, 3, NULL, &res, NULL);
    memcpy(addr, trusted[2].pub, 20);
    (void)!zkr_attest_import_signature(
        data, size,
        "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f644"
        "3dfa05f40ff007d72911b6f72307f996231605b915621c",
        addr, &out, NULL);
    zkr_buf_free(&out);
    return 0;
}
