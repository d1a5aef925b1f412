/* Hiding record commitment: the public encoding (zk/zk.h, "hiding record commitment"). */
#include <string.h>

#include "zk/zk.h"

void zkr_record_commitment_encode(const zkr_record_commitment *rc,
                                  uint8_t out[ZKR_RECORD_COMMIT_BYTES])
{
    zkr_store_be32(out, ZKR_RECORD_COMMIT_VERSION);
    zkr_store_be32(out + 4, rc->len);
    zkr_store_be32(out + 8, rc->comm.n_vars);
    zkr_store_be32(out + 12, rc->comm.blind_vars);
    memcpy(out + 16, rc->comm.root, ZKR_DIGEST_BYTES);
}

zkr_err zkr_record_commitment_decode(const zkr_params *p, const uint8_t *in, size_t in_len,
                                     zkr_record_commitment *out)
{
    uint32_t len, n, e;

    memset(out, 0, sizeof *out);
    if (!in || in_len != ZKR_RECORD_COMMIT_BYTES ||
        zkr_load_be32(in) != ZKR_RECORD_COMMIT_VERSION)
        return ZKR_ERR_MALFORMED;
    len = zkr_load_be32(in + 4);
    n = zkr_load_be32(in + 8);
    e = zkr_load_be32(in + 12);
    if (len == 0 || len > ZKR_RECORD_MAX_LEN || n != zkr_log2_ceil(len) || e == 0 ||
        e > ZKR_HPCS_MAX_BLIND_VARS || n + e > p->max_vars)
        return ZKR_ERR_MALFORMED;
    out->len = len;
    out->comm.n_vars = n;
    out->comm.blind_vars = e;
    memcpy(out->comm.root, in + 16, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}
