/* Hex, base64 and the canonical length-prefixed encoding. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common.h"

zkr_err zkr_hex_encode(const uint8_t *p, size_t len, char *out, size_t cap)
{
    if (len > (SIZE_MAX - 1) / 2 || cap < len * 2 + 1)
        return ZKR_ERR_TOO_LARGE;
    sodium_bin2hex(out, cap, p, len);
    return ZKR_OK;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

zkr_err zkr_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    size_t i;

    *out_len = 0;
    if (hex_len % 2 != 0)
        return ZKR_ERR_MALFORMED;
    if (hex_len / 2 > cap)
        return ZKR_ERR_TOO_LARGE;
    for (i = 0; i < hex_len / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return ZKR_ERR_MALFORMED;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = hex_len / 2;
    return ZKR_OK;
}

zkr_err zkr_hex_decode_exact(const char *hex, uint8_t *out, size_t len)
{
    size_t got;
    zkr_err r;

    if (strlen(hex) != len * 2)
        return ZKR_ERR_MALFORMED;
    if ((r = zkr_hex_decode(hex, len * 2, out, len, &got)) != ZKR_OK)
        return r;
    return got == len ? ZKR_OK : ZKR_ERR_MALFORMED;
}

zkr_err zkr_base64_encode(const uint8_t *p, size_t len, zkr_buf *out)
{
    size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    zkr_err r;

    if ((r = zkr_buf_reserve(out, n)) != ZKR_OK)
        return r;
    sodium_bin2base64((char *)out->p + out->len, n, p, len, sodium_base64_VARIANT_ORIGINAL);
    out->len += n - 1;
    return ZKR_OK;
}

zkr_err zkr_base64_decode(const char *s, size_t s_len, zkr_buf *out)
{
    size_t cap = s_len / 4 * 3 + 3, bin_len = 0;
    const char *end = NULL;
    zkr_err r;

    if (s_len % 4 != 0)
        return ZKR_ERR_MALFORMED;
    if ((r = zkr_buf_reserve(out, cap)) != ZKR_OK)
        return r;
    if (sodium_base642bin(out->p + out->len, cap, s, s_len, NULL, &bin_len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != s + s_len)
        return ZKR_ERR_MALFORMED;
    /*
     * libsodium ignores the unused low bits of the last character, so
     * several texts decode to the same bytes. Only the canonical text (the
     * one encoding gives back) is accepted, so signed text is not malleable.
     */
    {
        size_t n = sodium_base64_encoded_len(bin_len, sodium_base64_VARIANT_ORIGINAL);
        char *again = malloc(n);
        int same;
        if (again == NULL)
            return ZKR_ERR_NOMEM;
        sodium_bin2base64(again, n, out->p + out->len, bin_len, sodium_base64_VARIANT_ORIGINAL);
        same = n - 1 == s_len && memcmp(again, s, s_len) == 0;
        free(again);
        if (!same)
            return ZKR_ERR_MALFORMED;
    }
    out->len += bin_len;
    return ZKR_OK;
}

void zkr_store_be32(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

void zkr_store_be64(uint8_t out[8], uint64_t v)
{
    zkr_store_be32(out, (uint32_t)(v >> 32));
    zkr_store_be32(out + 4, (uint32_t)v);
}

uint32_t zkr_load_be32(const uint8_t in[4])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

uint64_t zkr_load_be64(const uint8_t in[8])
{
    return (uint64_t)zkr_load_be32(in) << 32 | zkr_load_be32(in + 4);
}

void zkr_store_le64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

uint64_t zkr_load_le64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | in[i];
    return v;
}

zkr_err zkr_enc_u8(zkr_buf *b, uint8_t v)
{
    return zkr_buf_append(b, &v, 1);
}

zkr_err zkr_enc_u32(zkr_buf *b, uint32_t v)
{
    uint8_t t[4];
    zkr_store_be32(t, v);
    return zkr_buf_append(b, t, sizeof t);
}

zkr_err zkr_enc_u64(zkr_buf *b, uint64_t v)
{
    uint8_t t[8];
    zkr_store_be64(t, v);
    return zkr_buf_append(b, t, sizeof t);
}

zkr_err zkr_enc_bytes(zkr_buf *b, const uint8_t *p, size_t len)
{
    zkr_err r;

    if (len > UINT32_MAX)
        return ZKR_ERR_TOO_LARGE;
    if ((r = zkr_enc_u32(b, (uint32_t)len)) != ZKR_OK)
        return r;
    return zkr_buf_append(b, p, len);
}

zkr_err zkr_enc_str(zkr_buf *b, const char *s)
{
    return zkr_enc_bytes(b, (const uint8_t *)s, strlen(s));
}

void zkr_dec_init(zkr_dec *d, const uint8_t *p, size_t len)
{
    d->p = p;
    d->len = len;
    d->pos = 0;
}

zkr_err zkr_dec_raw(zkr_dec *d, size_t n, const uint8_t **out)
{
    *out = NULL;
    if (n > d->len - d->pos)
        return ZKR_ERR_MALFORMED;
    *out = d->p + d->pos;
    d->pos += n;
    return ZKR_OK;
}

zkr_err zkr_dec_u8(zkr_dec *d, uint8_t *v)
{
    const uint8_t *q;
    zkr_err r;

    *v = 0;
    if ((r = zkr_dec_raw(d, 1, &q)) != ZKR_OK)
        return r;
    *v = q[0];
    return ZKR_OK;
}

zkr_err zkr_dec_u32(zkr_dec *d, uint32_t *v)
{
    const uint8_t *q;
    zkr_err r;

    *v = 0;
    if ((r = zkr_dec_raw(d, 4, &q)) != ZKR_OK)
        return r;
    *v = zkr_load_be32(q);
    return ZKR_OK;
}

zkr_err zkr_dec_u64(zkr_dec *d, uint64_t *v)
{
    const uint8_t *q;
    zkr_err r;

    *v = 0;
    if ((r = zkr_dec_raw(d, 8, &q)) != ZKR_OK)
        return r;
    *v = zkr_load_be64(q);
    return ZKR_OK;
}

zkr_err zkr_dec_bytes(zkr_dec *d, size_t max, const uint8_t **out, size_t *out_len)
{
    uint32_t n;
    zkr_err r;

    *out = NULL;
    *out_len = 0;
    if ((r = zkr_dec_u32(d, &n)) != ZKR_OK)
        return r;
    if (n > max)
        return ZKR_ERR_TOO_LARGE;
    if ((r = zkr_dec_raw(d, n, out)) != ZKR_OK)
        return r;
    *out_len = n;
    return ZKR_OK;
}

zkr_err zkr_dec_finish(const zkr_dec *d)
{
    return d->pos == d->len ? ZKR_OK : ZKR_ERR_MALFORMED;
}
