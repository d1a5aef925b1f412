/*
 * The IPC frames between zkreg and its workers (docs/ipc.md). The parent
 * parses replies from a possibly compromised worker: every length is
 * bounded before use, every byte is accounted for.
 */
#include <string.h>

#include "sandbox/sandbox_int.h"

int zkr_sandbox_kind_valid(const char *kind)
{
    size_t n;

    if (kind == NULL)
        return 0;
    n = strlen(kind);
    if (n == 0 || n > ZKR_SANDBOX_KIND_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = kind[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return 1;
}

const zkr_worker_kind *zkr_sandbox_kind_find(const zkr_worker_kind *table, const char *kind)
{
    if (table == NULL || !zkr_sandbox_kind_valid(kind))
        return NULL;
    for (const zkr_worker_kind *k = table; k->kind != NULL; k++)
        if (strcmp(k->kind, kind) == 0)
            return k;
    return NULL;
}

size_t zkr_sandbox_req_header_len(const char *kind)
{
    return 4 + 1 + 1 + strlen(kind) + 8;
}

zkr_err zkr_sandbox_req_encode_header(const char *kind, size_t len, zkr_buf *out)
{
    zkr_err r;

    if (!zkr_sandbox_kind_valid(kind))
        return ZKR_ERR_USAGE;
    if ((r = zkr_enc_u32(out, ZKR_SANDBOX_REQ_MAGIC)) != ZKR_OK ||
        (r = zkr_enc_u8(out, ZKR_SANDBOX_FRAME_VERSION)) != ZKR_OK ||
        (r = zkr_enc_u8(out, (uint8_t)strlen(kind))) != ZKR_OK ||
        (r = zkr_buf_append(out, kind, strlen(kind))) != ZKR_OK ||
        (r = zkr_enc_u64(out, (uint64_t)len)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

zkr_err zkr_sandbox_req_encode(const char *kind, const uint8_t *p, size_t len, zkr_buf *out)
{
    zkr_err r = zkr_sandbox_req_encode_header(kind, len, out);

    return r != ZKR_OK ? r : zkr_buf_append(out, p, len);
}

zkr_err zkr_sandbox_req_decode(const uint8_t *p, size_t len, const char *kind, uint64_t max,
                               const uint8_t **payload, size_t *payload_len, zkr_diag *d)
{
    zkr_dec dec;
    uint32_t magic;
    uint8_t ver, klen;
    uint64_t plen;
    const uint8_t *k;

    *payload = NULL;
    *payload_len = 0;
    zkr_dec_init(&dec, p, len);
    if (zkr_dec_u32(&dec, &magic) != ZKR_OK || magic != ZKR_SANDBOX_REQ_MAGIC ||
        zkr_dec_u8(&dec, &ver) != ZKR_OK || ver != ZKR_SANDBOX_FRAME_VERSION)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "request frame: bad magic or version");
    if (zkr_dec_u8(&dec, &klen) != ZKR_OK || klen != strlen(kind) ||
        zkr_dec_raw(&dec, klen, &k) != ZKR_OK || memcmp(k, kind, klen) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "request frame: kind is not '%s'", kind);
    if (zkr_dec_u64(&dec, &plen) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "request frame: truncated header");
    if (plen > max)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "request frame: payload %llu bytes over %llu",
                        (unsigned long long)plen, (unsigned long long)max);
    if (zkr_dec_raw(&dec, (size_t)plen, payload) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "request frame: length does not match");
    *payload_len = (size_t)plen;
    return ZKR_OK;
}

int zkr_sandbox_status_allowed(int32_t status)
{
    if (status == ZKR_OK)
        return 1;
    if (status <= ZKR_ERR_VERIFY && status >= ZKR_ERR_SIGNATURE)
        return 1;
    switch (status) {
    case ZKR_ERR_MALFORMED:
    case ZKR_ERR_TOO_LARGE:
    case ZKR_ERR_UNSUPPORTED:
    case ZKR_ERR_NOMEM:
    case ZKR_ERR_SANDBOX:
    case ZKR_ERR_INTERNAL:
        return 1;
    default:
        return 0;
    }
}

static int zkr_sandbox_msg_valid(const uint8_t *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (m[i] < 0x20 || m[i] > 0x7e)
            return 0;
    return 1;
}

zkr_err zkr_sandbox_rep_encode(int32_t status, uint32_t conf, uint32_t abi, const char *msg,
                               const uint8_t *p, size_t len, zkr_buf *out)
{
    zkr_err r = zkr_sandbox_rep_encode_header(status, conf, abi, msg, len, out);

    return r != ZKR_OK ? r : zkr_buf_append(out, p, len);
}

zkr_err zkr_sandbox_rep_encode_header(int32_t status, uint32_t conf, uint32_t abi,
                                      const char *msg, size_t len, zkr_buf *out)
{
    size_t mlen = msg ? strlen(msg) : 0;
    zkr_err r;

    if (mlen > ZKR_SANDBOX_MSG_MAX)
        mlen = ZKR_SANDBOX_MSG_MAX;
    if (abi > 255)
        abi = 255;
    if ((r = zkr_enc_u32(out, ZKR_SANDBOX_REP_MAGIC)) != ZKR_OK ||
        (r = zkr_enc_u8(out, ZKR_SANDBOX_FRAME_VERSION)) != ZKR_OK ||
        (r = zkr_enc_u32(out, (uint32_t)status)) != ZKR_OK ||
        (r = zkr_enc_u32(out, conf)) != ZKR_OK || (r = zkr_enc_u8(out, (uint8_t)abi)) != ZKR_OK ||
        (r = zkr_buf_reserve(out, 2 + mlen)) != ZKR_OK)
        return r;
    out->p[out->len++] = (uint8_t)(mlen >> 8);
    out->p[out->len++] = (uint8_t)mlen;
    if ((r = zkr_buf_append(out, msg, mlen)) != ZKR_OK ||
        (r = zkr_enc_u64(out, (uint64_t)len)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

zkr_err zkr_sandbox_rep_total_len(const uint8_t *p, size_t len, uint64_t max_reply,
                                  uint64_t *total, zkr_diag *d)
{
    size_t mlen;
    uint64_t plen;

    *total = 0;
    if (len < 16)
        return ZKR_OK;
    if (zkr_load_be32(p) != ZKR_SANDBOX_REP_MAGIC || p[4] != ZKR_SANDBOX_FRAME_VERSION)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "worker reply is malformed: bad magic or version");
    mlen = ((size_t)p[14] << 8) | p[15];
    if (mlen > ZKR_SANDBOX_MSG_MAX)
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "worker reply is malformed: message length %zu over %u", mlen,
                        ZKR_SANDBOX_MSG_MAX);
    if (len < 16 + mlen + 8)
        return ZKR_OK;
    plen = zkr_load_be64(p + 16 + mlen);
    if (plen > max_reply)
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "worker reply is oversize: payload of %llu bytes over the %llu limit",
                        (unsigned long long)plen, (unsigned long long)max_reply);
    *total = 16 + mlen + 8 + plen;
    return ZKR_OK;
}

zkr_err zkr_sandbox_rep_decode(const uint8_t *p, size_t len, uint64_t max_reply,
                               zkr_sandbox_reply *out, zkr_diag *d)
{
    uint64_t total = 0;
    size_t mlen;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_sandbox_rep_total_len(p, len, max_reply, &total, d)) != ZKR_OK)
        return r;
    if (total == 0 || len < total)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "worker reply is truncated: %zu bytes received",
                        len);
    if (len > total)
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "worker reply is malformed: %zu bytes after the frame", len - (size_t)total);
    out->status = (int32_t)zkr_load_be32(p + 5);
    out->confinement = zkr_load_be32(p + 9);
    out->landlock_abi = p[13];
    mlen = ((size_t)p[14] << 8) | p[15];
    if (!zkr_sandbox_status_allowed(out->status))
        return zkr_fail(d, ZKR_ERR_SANDBOX, "worker reply is malformed: status %d not allowed",
                        (int)out->status);
    if ((out->confinement & ~ZKR_SANDBOX_C_ALL_BITS) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "worker reply is malformed: unknown confinement bits 0x%x",
                        (unsigned)out->confinement);
    if (!zkr_sandbox_msg_valid(p + 16, mlen))
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "worker reply is malformed: message has non-printable bytes");
    if (out->status == ZKR_OK ? mlen != 0 : total != 16 + mlen + 8)
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "worker reply is malformed: %s",
                        out->status == ZKR_OK ? "message on success" : "payload on failure");
    memcpy(out->msg, p + 16, mlen);
    out->msg[mlen] = '\0';
    out->payload = p + 16 + mlen + 8;
    out->payload_len = (size_t)(total - 16 - mlen - 8);
    return ZKR_OK;
}
