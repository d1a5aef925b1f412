/*
 * Signer key files (signer/keyfile.c, signer.h "Key files"):
 * {"format":"zkreg-key/v1","public":"TYPE:HEX","sealed":"BASE64"} with a
 * ZKRSEAL1 blob inside. Every input goes through the public-key reader;
 * inputs whose sealed header asks for a cheap Argon2id (fuzz_keyfile.h)
 * are also opened with the seeds' passphrase, which unseals, re-derives
 * the public key and compares it with the file's.
 */
#include <string.h>

#include <sodium.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_keyfile.h"
#include "signer/signer_int.h"

/* The KDF cost the file's sealed blob asks for; 0 when it cannot be found. */
static int cheap_kdf(const uint8_t *data, size_t size)
{
    static const char tag[] = "\"sealed\":\"";
    const uint8_t *s, *e;
    zkr_buf blob = {0};
    int cheap = 0;

    /* One plain occurrence only, so this scan and the JSON parser agree on the value. */
    s = memmem(data, size, tag, sizeof tag - 1);
    if (s == NULL || memchr(data, '\\', size) != NULL ||
        memmem(s + 1, size - (size_t)(s + 1 - data), tag, sizeof tag - 1) != NULL)
        return 0;
    s += sizeof tag - 1;
    e = memchr(s, '"', size - (size_t)(s - data));
    if (e == NULL || zkr_base64_decode((const char *)s, (size_t)(e - s), &blob) != ZKR_OK)
        return 0;
    if (blob.len >= 24)
        cheap = zkr_load_be64(blob.p + 8) <= ZKR_FUZZ_KEYFILE_MAX_OPS &&
                zkr_load_be64(blob.p + 16) <= ZKR_FUZZ_KEYFILE_MAX_MEM;
    zkr_buf_free(&blob);
    return cheap;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char pass[] = ZKR_FUZZ_KEYFILE_PASS;
    zkr_pubkey pub;
    uint8_t *secret;

    /* libsodium must be initialised before sodium_malloc (idempotent, cheap after the
     * first call); the AFL++/libFuzzer drivers do not do it as replay_main.c does. */
    if (size > ZKR_KEYFILE_MAX || sodium_init() < 0)
        return 0;
    (void)!zkr_keyfile_public(data, size, &pub, NULL);
    if (!cheap_kdf(data, size))
        return 0;
    secret = sodium_malloc(32);
    if (secret == NULL)
        return 0;
    (void)!zkr_signer_keyfile_open(data, size, (const uint8_t *)pass, sizeof pass - 1, &pub,
                                   secret, NULL);
    sodium_free(secret); /* wipes */
    return 0;
}
