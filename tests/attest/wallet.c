/*
 * zkr-test-wallet: an independent stand-in for an offline hardware wallet
 * (test-only). It signs the typedData of a zkreg EIP-712 signing request
 * with a fixed secp256k1 test key straight through libsecp256k1 (recoverable
 * ECDSA, low-s, v = 27 + recid), as eth_signTypedData_v4 would.
 *   zkr-test-wallet address          prints the key's Ethereum address
 *   zkr-test-wallet sign REQUEST     prints 0x r||s||v
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include "common/common.h"
#include "signer/signer.h"

static const uint8_t wallet_secret[32] = {
    0x4c, 0x0d, 0x83, 0x3b, 0x37, 0xa1, 0x22, 0x10, 0x9c, 0x55, 0x7e, 0x90, 0x01, 0x02, 0x03, 0x04,
    0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14};

static int address(secp256k1_context *ctx, char out[43])
{
    secp256k1_pubkey pk;
    uint8_t ser[65], h[32];
    size_t n = sizeof ser;

    if (!secp256k1_ec_pubkey_create(ctx, &pk, wallet_secret))
        return 0;
    secp256k1_ec_pubkey_serialize(ctx, ser, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
    zkr_keccak256(ser + 1, 64, h);
    zkr_eth_address_format(h + 12, out);
    return 1;
}

static int sign(secp256k1_context *ctx, const char *path)
{
    zkr_buf f = {0};
    zkr_diag d;
    json_error_t je;
    json_t *j = NULL, *td;
    char *tds = NULL;
    uint8_t digest[32], sig[65];
    secp256k1_ecdsa_recoverable_signature rs;
    int recid, ok = 0;

    zkr_diag_clear(&d);
    if (zkr_file_read(path, 1 << 20, &f, &d) != ZKR_OK ||
        (j = json_loadb((const char *)f.p, f.len, 0, &je)) == NULL ||
        (td = json_object_get(j, "typedData")) == NULL ||
        (tds = json_dumps(td, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
        zkr_eip712_hash_json(tds, strlen(tds), NULL, digest, &d) != ZKR_OK ||
        !secp256k1_ecdsa_sign_recoverable(ctx, &rs, digest, wallet_secret, NULL, NULL))
        goto out;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rs);
    sig[64] = (uint8_t)(27 + recid);
    printf("0x");
    for (int i = 0; i < 65; i++)
        printf("%02x", sig[i]);
    printf("\n");
    ok = 1;
out:
    if (!ok)
        fprintf(stderr, "zkr-test-wallet: cannot sign %s: %s\n", path, d.msg);
    free(tds);
    json_decref(j);
    zkr_buf_free(&f);
    return ok;
}

int main(int argc, char **argv)
{
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    char a[43];
    int ok = 0;

    if (argc == 2 && strcmp(argv[1], "address") == 0 && address(ctx, a)) {
        printf("%s\n", a);
        ok = 1;
    } else if (argc == 3 && strcmp(argv[1], "sign") == 0) {
        ok = sign(ctx, argv[2]);
    } else {
        fputs("usage: zkr-test-wallet address | sign REQUEST\n", stderr);
    }
    secp256k1_context_destroy(ctx);
    return ok ? 0 : 1;
}
