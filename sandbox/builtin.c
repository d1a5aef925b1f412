/*
 * Built-in worker kinds: real computations over untrusted bytes, used by
 * `zkreg doctor`'s self-test, the benchmark and the tests to exercise the
 * whole confined path end to end.
 */
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox_int.h"

#define ZKR_SANDBOX_MERKLE_MAX_RECORDS ((uint64_t)1 << 24)

zkr_err zkr_sandbox_worker_sha256(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                  zkr_diag *d)
{
    uint8_t digest[ZKR_DIGEST_BYTES];

    (void)d;
    zkr_sha256(req, req_len, digest);
    return zkr_buf_append(reply, digest, sizeof digest);
}

zkr_err zkr_sandbox_worker_merkle_root(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                       zkr_diag *d)
{
    uint8_t (*leaves)[ZKR_DIGEST_BYTES] = NULL;
    uint8_t root[ZKR_DIGEST_BYTES];
    zkr_dec dec;
    uint64_t count;
    zkr_err r;

    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u64(&dec, &count) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "merkle-root request: missing record count");
    /* each record takes at least its 4-byte length, so count is bounded by the input */
    if (count > ZKR_SANDBOX_MERKLE_MAX_RECORDS || count > (req_len - 8) / 4)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE,
                        "merkle-root request: %llu records is more than the input can hold",
                        (unsigned long long)count);
    leaves = malloc((size_t)(count ? count : 1) * sizeof *leaves);
    if (leaves == NULL)
        return zkr_fail(d, ZKR_ERR_NOMEM, "merkle-root: no memory for %llu leaves",
                        (unsigned long long)count);
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *p;
        size_t n;
        if (zkr_dec_bytes(&dec, req_len, &p, &n) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "merkle-root request: record %llu is truncated",
                         (unsigned long long)i);
            goto out;
        }
        zkr_merkle_leaf_hash(p, n, leaves[i]);
    }
    if (zkr_dec_finish(&dec) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "merkle-root request: bytes after the last record");
        goto out;
    }
    if ((r = zkr_merkle_root((const uint8_t (*)[ZKR_DIGEST_BYTES])leaves, count, root)) !=
        ZKR_OK)
        goto out;
    if ((r = zkr_enc_u64(reply, count)) == ZKR_OK)
        r = zkr_buf_append(reply, root, sizeof root);
out:
    free(leaves);
    return r;
}
