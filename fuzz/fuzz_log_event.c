/*
 * Log leaves and the event payloads inside them (registry/log.c and the
 * decoders of artifacts, schemas, statements, revocations and proofs).
 * Every payload that decodes must re-encode to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "registry/registry_int.h"

static void check_same(const zkr_buf *b, const uint8_t *p, size_t len)
{
    if (b->len != len || (len > 0 && memcmp(b->p, p, len) != 0))
        abort(); /* a decoder accepted a non-canonical encoding */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char type[ZKR_IDENT_MAX + 1];
    const uint8_t *pl;
    size_t n;
    int64_t t;
    zkr_buf b = {0};

    if (size > ZKR_FUZZ_MAX_INPUT || zkr_log_leaf_decode(data, size, type, &t, &pl, &n) != ZKR_OK)
        return 0;
    if (strcmp(type, "program") == 0 || strcmp(type, "model") == 0 ||
        strcmp(type, "dataset") == 0) {
        zkr_artifact a;
        if (zkr_artifact_decode(pl, n, &a, NULL) == ZKR_OK && zkr_artifact_encode(&a, &b) == ZKR_OK)
            check_same(&b, pl, n);
    } else if (strcmp(type, "revocation") == 0) {
        zkr_revocation rv;
        if (zkr_revocation_decode(pl, n, &rv, NULL) == ZKR_OK &&
            zkr_revocation_encode(&rv, &b) == ZKR_OK)
            check_same(&b, pl, n);
    } else if (strcmp(type, "statement") == 0) {
        zkr_dec dec;
        const uint8_t *canon, *po;
        size_t cl, pol;
        zkr_statement s;
        zkr_dec_init(&dec, pl, n);
        if (zkr_dec_bytes(&dec, n, &canon, &cl) == ZKR_OK &&
            zkr_dec_bytes(&dec, n, &po, &pol) == ZKR_OK &&
            zkr_statement_decode_canonical(canon, cl, &s) == ZKR_OK) {
            (void)!zkr_statement_encode(&s, &b);
            zkr_statement_free(&s);
        }
    } else if (strcmp(type, "proof") == 0) {
        uint8_t sid[32], pd[32];
        char vv[ZKR_IDENT_MAX + 1];
        (void)!zkr_proof_event_decode(pl, n, sid, pd, vv, NULL);
    } else if (strcmp(type, "schema") == 0) {
        zkr_schema s;
        if (zkr_schema_decode(pl, n, &s, NULL) == ZKR_OK && zkr_schema_encode(&s, &b) == ZKR_OK)
            check_same(&b, pl, n);
    }
    zkr_buf_free(&b);
    return 0;
}
