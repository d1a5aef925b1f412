/*
 * Hiding dataset commitments (common/dscommit.c, docs/formats.md "Dataset
 * commitments, version 2"): the 85-byte commitment file that
 * `register-dataset --commitment` reads, and the sealed secrets file that
 * `dataset prove-record --secrets` reads. The first byte picks the decoder:
 * 'C' + commitment file, 'S' + secrets file. A secrets file whose sealed key
 * asks for a cheap Argon2id (fuzz_keyfile.h) is fully opened with the
 * seeds' passphrase; others stop at the header checks.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_keyfile.h"

static void commitment(const uint8_t *p, size_t n)
{
    uint8_t again[ZKR_DSCOMMIT_FILE_BYTES];
    zkr_dscommit c;

    if (zkr_dscommit_decode(p, n, "fuzz", &c, NULL) != ZKR_OK)
        return;
    /* Accepted: it must be exactly what it re-encodes to. */
    if (n != ZKR_DSCOMMIT_FILE_BYTES || zkr_dscommit_encode(&c, again) != ZKR_OK ||
        memcmp(again, p, n) != 0)
        __builtin_trap();
}

static void secrets(const uint8_t *p, size_t n)
{
    static const char pass[] = ZKR_FUZZ_KEYFILE_PASS;
    zkr_dscommit_secrets s;
    uint8_t *copy;
    zkr_err r;

    /*
     * The sealed key's Argon2id limits (bytes 64..79) are forced down to
     * libsodium's minimum when higher, so every input reaches the whole
     * parser while the KDF stays cheap; the seeds are sealed that way.
     */
    copy = malloc(n ? n : 1);
    if (copy == NULL)
        return;
    memcpy(copy, p, n);
    if (n >= 80 && (zkr_load_be64(copy + 64) > ZKR_FUZZ_KEYFILE_MAX_OPS ||
                    zkr_load_be64(copy + 72) > ZKR_FUZZ_KEYFILE_MAX_MEM)) {
        zkr_store_be64(copy + 64, 1);
        zkr_store_be64(copy + 72, 8192);
    }
    r = zkr_dscommit_secrets_open(copy, n, (const uint8_t *)pass, sizeof pass - 1, "fuzz", &s,
                                  NULL);
    if (r == ZKR_OK && (s.salts == NULL || s.count == 0 ||
                        (uint64_t)n != 56 + 112 + 24 + s.count * ZKR_DSCOMMIT_SALT_BYTES + 16))
        __builtin_trap();
    if (r != ZKR_OK && s.salts != NULL)
        __builtin_trap();
    zkr_dscommit_secrets_free(&s);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > ZKR_FUZZ_MAX_INPUT || sodium_init() < 0)
        return 0;
    if (data[0] == 'C')
        commitment(data + 1, size - 1);
    else if (data[0] == 'S')
        secrets(data + 1, size - 1);
    return 0;
}
