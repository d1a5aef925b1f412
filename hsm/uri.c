/*
 * hsm: RFC 7512 PKCS#11 URIs, parsed strictly.
 *
 * Only the attributes zkreg acts on are accepted; anything else is refused
 * rather than ignored, so a URI never selects a different key than its
 * writer meant. pin-value is refused outright: a PIN never travels in argv.
 */
#include <stdio.h>
#include <string.h>

#include "hsm/hsm_int.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* RFC 7512 pk11-pchar / pk11-qchar: unreserved plus a few specials. */
static int allowed_char(char c, int query)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    if (strchr("-._~:[]@!$'()*+,=", c) != NULL)
        return 1;
    if (c == '&' && !query)
        return 1;
    if ((c == '/' || c == '?' || c == '|') && query)
        return 1;
    return 0;
}

/* Percent-decodes (v, vlen) into out[cap]; refuses NUL and stray characters. */
static zkr_err pct_decode(const char *name, const char *v, size_t vlen, int query, uint8_t *out,
                          size_t cap, size_t *out_len, zkr_diag *d)
{
    size_t n = 0;

    *out_len = 0;
    for (size_t i = 0; i < vlen; i++) {
        int c;
        if (v[i] == '%') {
            int hi = i + 2 < vlen ? hexval(v[i + 1]) : -1;
            int lo = i + 2 < vlen ? hexval(v[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return zkr_fail(d, ZKR_ERR_MALFORMED,
                                "PKCS#11 URI: attribute '%s' has a bad percent escape", name);
            c = hi * 16 + lo;
            i += 2;
        } else if (allowed_char(v[i], query)) {
            c = (unsigned char)v[i];
        } else {
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "PKCS#11 URI: attribute '%s' has the character '%c', which must be "
                            "percent-encoded",
                            name, v[i]);
        }
        if (n >= cap)
            return zkr_fail(d, ZKR_ERR_TOO_LARGE, "PKCS#11 URI: attribute '%s' is too long",
                            name);
        out[n++] = (uint8_t)c;
    }
    *out_len = n;
    return ZKR_OK;
}

static zkr_err set_text(const char *name, const char *v, size_t vlen, int query, char *dst,
                        size_t max, int *seen, zkr_diag *d)
{
    size_t n;
    zkr_err r;

    if (*seen)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: attribute '%s' appears twice", name);
    if ((r = pct_decode(name, v, vlen, query, (uint8_t *)dst, max, &n, d)) != ZKR_OK)
        return r;
    if (memchr(dst, 0, n) != NULL || n == 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: attribute '%s' is empty or has a NUL",
                        name);
    dst[n] = '\0';
    *seen = 1;
    return ZKR_OK;
}

static zkr_err path_attr(zkr_hsm_uri *u, const char *a, size_t alen, int *seen_type, zkr_diag *d)
{
    const char *eq = memchr(a, '=', alen);
    size_t nlen, vlen;
    char tbuf[16];
    int dummy = 0;
    zkr_err r;

    if (eq == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: path attribute '%.*s' has no '='",
                        (int)(alen > 64 ? 64 : alen), a);
    nlen = (size_t)(eq - a);
    vlen = alen - nlen - 1;
    if (nlen == 5 && memcmp(a, "token", 5) == 0)
        return set_text("token", eq + 1, vlen, 0, u->token, ZKR_HSM_LABEL_MAX, &u->has_token, d);
    if (nlen == 6 && memcmp(a, "object", 6) == 0)
        return set_text("object", eq + 1, vlen, 0, u->object, ZKR_HSM_LABEL_MAX, &u->has_object,
                        d);
    if (nlen == 2 && memcmp(a, "id", 2) == 0) {
        if (u->has_id)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: attribute 'id' appears twice");
        if ((r = pct_decode("id", eq + 1, vlen, 0, u->id, sizeof u->id, &u->id_len, d)) != ZKR_OK)
            return r;
        if (u->id_len == 0)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: attribute 'id' is empty");
        u->has_id = 1;
        return ZKR_OK;
    }
    if (nlen == 4 && memcmp(a, "type", 4) == 0) {
        if (*seen_type)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: attribute 'type' appears twice");
        if ((r = set_text("type", eq + 1, vlen, 0, tbuf, sizeof tbuf - 1, &dummy, d)) != ZKR_OK)
            return r;
        if (strcmp(tbuf, "private") != 0 && strcmp(tbuf, "public") != 0)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "PKCS#11 URI: type='%s' is not a key (use private or public)", tbuf);
        *seen_type = 1;
        return ZKR_OK;
    }
    return zkr_fail(d, ZKR_ERR_MALFORMED,
                    "PKCS#11 URI: path attribute '%.*s' is not supported (token, object, id, type)",
                    (int)(nlen > 64 ? 64 : nlen), a);
}

static zkr_err query_attr(zkr_hsm_uri *u, const char *a, size_t alen, int *seen_mod,
                          int *seen_pin, zkr_diag *d)
{
    const char *eq = memchr(a, '=', alen);
    size_t nlen, vlen;
    zkr_err r;

    if (eq == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: query attribute '%.*s' has no '='",
                        (int)(alen > 64 ? 64 : alen), a);
    nlen = (size_t)(eq - a);
    vlen = alen - nlen - 1;
    if (nlen == 11 && memcmp(a, "module-path", 11) == 0)
        return set_text("module-path", eq + 1, vlen, 1, u->module_path, ZKR_HSM_PATH_MAX,
                        seen_mod, d);
    if (nlen == 10 && memcmp(a, "pin-source", 10) == 0) {
        if ((r = set_text("pin-source", eq + 1, vlen, 1, u->pin_source, ZKR_HSM_PATH_MAX,
                          seen_pin, d)) != ZKR_OK)
            return r;
        /* RFC 7512 allows a file: URI here; we take the path it names. */
        if (strncmp(u->pin_source, "file:", 5) == 0)
            memmove(u->pin_source, u->pin_source + 5, strlen(u->pin_source + 5) + 1);
        if (u->pin_source[0] != '/' && u->pin_source[0] != '.')
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "PKCS#11 URI: pin-source must be a file path (absolute or ./relative)");
        return ZKR_OK;
    }
    if (nlen == 9 && memcmp(a, "pin-value", 9) == 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "PKCS#11 URI: pin-value is refused: a PIN never travels in a URI or argv; "
                        "use pin-source=FILE");
    return zkr_fail(d, ZKR_ERR_MALFORMED,
                    "PKCS#11 URI: query attribute '%.*s' is not supported (module-path, pin-source)",
                    (int)(nlen > 64 ? 64 : nlen), a);
}

static zkr_err parse(const char *uri, zkr_hsm_uri *u, zkr_diag *d)
{
    const char *p, *q, *end;
    int seen_type = 0, seen_mod = 0, seen_pin = 0;
    zkr_err r;

    if (strncmp(uri, "pkcs11:", 7) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "key URI does not start with 'pkcs11:'");
    if (strlen(uri) > 4 * ZKR_HSM_PATH_MAX)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "PKCS#11 URI is too long");
    p = uri + 7;
    q = strchr(p, '?');
    end = q != NULL ? q : p + strlen(p);
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *aend = semi != NULL ? semi : end;
        if (aend == p)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: empty path attribute");
        if ((r = path_attr(u, p, (size_t)(aend - p), &seen_type, d)) != ZKR_OK)
            return r;
        p = semi != NULL ? semi + 1 : end;
        if (semi != NULL && p == end)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: trailing ';'");
    }
    if (q == NULL)
        return ZKR_OK;
    p = q + 1;
    end = p + strlen(p);
    if (p == end)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: empty query after '?'");
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *aend = amp != NULL ? amp : end;
        if (aend == p || (amp != NULL && amp + 1 == end))
            return zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI: empty query attribute");
        if ((r = query_attr(u, p, (size_t)(aend - p), &seen_mod, &seen_pin, d)) != ZKR_OK)
            return r;
        p = amp != NULL ? amp + 1 : end;
    }
    return ZKR_OK;
}

zkr_err zkr_hsm_uri_parse(const char *uri, zkr_hsm_uri *out, zkr_diag *d)
{
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (uri == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "missing PKCS#11 URI");
    r = parse(uri, out, d);
    if (r == ZKR_OK && !out->has_object && !out->has_id)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "PKCS#11 URI names no key: give object= or id=");
    if (r == ZKR_OK && !out->has_token)
        r = zkr_fail(d, ZKR_ERR_MALFORMED,
                     "PKCS#11 URI names no token: give token= (tokens are chosen by label)");
    if (r != ZKR_OK) {
        memset(out, 0, sizeof *out);
        return r;
    }
    if (out->module_path[0] == '\0')
        memcpy(out->module_path, ZKR_HSM_DEFAULT_MODULE, sizeof ZKR_HSM_DEFAULT_MODULE);
    return ZKR_OK;
}

static zkr_err put_enc(char *out, size_t cap, size_t *pos, const uint8_t *p, size_t len,
                       int query)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < len; i++) {
        char c = (char)p[i];
        int plain = allowed_char(c, query) && c != '&' && c != '=' && c != ';';
        if (query && c == '/')
            plain = 1;
        if (*pos + 4 > cap)
            return ZKR_ERR_TOO_LARGE;
        if (plain) {
            out[(*pos)++] = c;
        } else {
            out[(*pos)++] = '%';
            out[(*pos)++] = hex[p[i] >> 4];
            out[(*pos)++] = hex[p[i] & 15];
        }
    }
    out[*pos] = '\0';
    return ZKR_OK;
}

static zkr_err put_lit(char *out, size_t cap, size_t *pos, const char *s)
{
    size_t n = strlen(s);

    if (*pos + n + 1 > cap)
        return ZKR_ERR_TOO_LARGE;
    memcpy(out + *pos, s, n + 1);
    *pos += n;
    return ZKR_OK;
}

zkr_err zkr_hsm_uri_format(const char *token, const char *object, const uint8_t *id,
                           size_t id_len, const char *module_path, char *out, size_t cap)
{
    size_t pos = 0;
    zkr_err r = ZKR_OK;

    if (cap == 0)
        return ZKR_ERR_TOO_LARGE;
    out[0] = '\0';
    r = put_lit(out, cap, &pos, "pkcs11:token=");
    if (r == ZKR_OK)
        r = put_enc(out, cap, &pos, (const uint8_t *)token, strlen(token), 0);
    if (r == ZKR_OK && object != NULL && object[0] != '\0') {
        r = put_lit(out, cap, &pos, ";object=");
        if (r == ZKR_OK)
            r = put_enc(out, cap, &pos, (const uint8_t *)object, strlen(object), 0);
    }
    if (r == ZKR_OK && id_len > 0) {
        r = put_lit(out, cap, &pos, ";id=");
        /* Every id byte escaped, as p11tool and pkcs11-tool print them. */
        for (size_t i = 0; r == ZKR_OK && i < id_len; i++) {
            char e[4];
            (void)snprintf(e, sizeof e, "%%%02X", id[i]);
            r = put_lit(out, cap, &pos, e);
        }
    }
    if (r == ZKR_OK && module_path != NULL) {
        r = put_lit(out, cap, &pos, "?module-path=");
        if (r == ZKR_OK)
            r = put_enc(out, cap, &pos, (const uint8_t *)module_path, strlen(module_path), 1);
    }
    if (r != ZKR_OK)
        out[0] = '\0';
    return r;
}
