/* signer: strict JSON helpers over jansson (canonical output, strict input). */
#include <string.h>

#include "signer/signer_int.h"

zkr_err zkr_signer_json_dump(const json_t *j, zkr_buf *out)
{
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    zkr_err r;

    out->len = 0;
    if (s == NULL)
        return ZKR_ERR_NOMEM;
    r = zkr_buf_append_str(out, s);
    free(s);
    return r;
}

zkr_err zkr_signer_json_load(const uint8_t *p, size_t len, size_t max, const char *what,
                             json_t **out, zkr_diag *d)
{
    json_error_t e;

    *out = NULL;
    if (len > max)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: %zu bytes, over the limit of %zu", what, len,
                        max);
    if (zkr_utf8_check(p, len) != ZKR_OK) {
        /* Newlines are fine in JSON text; re-check without them. */
        for (size_t i = 0; i < len; i++)
            if (p[i] == 0 || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t'))
                return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: control byte at offset %zu", what, i);
    }
    *out = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES,
                      &e);
    if (*out == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: not valid JSON (line %d column %d: %s)", what,
                        e.line, e.column, e.text);
    return ZKR_OK;
}

zkr_err zkr_signer_json_fields(const json_t *obj, const char *const *allowed, const char *what,
                               zkr_diag *d)
{
    const char *k;
    json_t *v;

    if (!json_is_object(obj))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: expected a JSON object", what);
    json_object_foreach((json_t *)obj, k, v) {
        int ok = 0;
        (void)v;
        for (size_t i = 0; allowed[i] != NULL; i++)
            ok |= strcmp(k, allowed[i]) == 0;
        if (!ok)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: unknown field '%.64s'", what, k);
    }
    return ZKR_OK;
}

zkr_err zkr_signer_json_str(const json_t *obj, const char *key, size_t max, const char *what,
                            const char **out, zkr_diag *d)
{
    json_t *v = json_object_get(obj, key);
    size_t n;

    *out = NULL;
    if (!json_is_string(v))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field '%s' missing or not a string", what,
                        key);
    n = json_string_length(v);
    if (n > max || strlen(json_string_value(v)) != n)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field '%s' too long or has a NUL", what, key);
    *out = json_string_value(v);
    return ZKR_OK;
}

zkr_err zkr_signer_json_u64(const json_t *obj, const char *key, const char *what, uint64_t *out,
                            zkr_diag *d)
{
    json_t *v = json_object_get(obj, key);

    *out = 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: field '%s' missing or not a non-negative integer", what, key);
    *out = (uint64_t)json_integer_value(v);
    return ZKR_OK;
}

zkr_err zkr_signer_json_hex32(const json_t *obj, const char *key, const char *what,
                              uint8_t out[32], zkr_diag *d)
{
    const char *s;
    zkr_err r;

    memset(out, 0, 32);
    if ((r = zkr_signer_json_str(obj, key, 64, what, &s, d)) != ZKR_OK)
        return r;
    for (const char *c = s; *c != '\0'; c++)
        if (*c >= 'A' && *c <= 'F')
            return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field '%s' must be lowercase hex", what,
                            key);
    if (zkr_hex_decode_exact(s, out, 32) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field '%s' is not 64 hex digits", what, key);
    return ZKR_OK;
}
