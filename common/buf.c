#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common.h"

zkr_err zkr_buf_reserve(zkr_buf *b, size_t extra)
{
    size_t need, ncap;
    uint8_t *np;

    if (extra > ZKR_BUF_MAX || b->len > ZKR_BUF_MAX - extra)
        return ZKR_ERR_TOO_LARGE;
    need = b->len + extra;
    if (need <= b->cap)
        return ZKR_OK;
    ncap = b->cap < 64 ? 64 : b->cap;
    while (ncap < need)
        ncap = ncap > ZKR_BUF_MAX / 2 ? ZKR_BUF_MAX : ncap * 2;
    /* A fresh allocation rather than realloc, so the old copy can be wiped. */
    np = malloc(ncap);
    if (np == NULL)
        return ZKR_ERR_NOMEM;
    if (b->p != NULL) {
        memcpy(np, b->p, b->len);
        sodium_memzero(b->p, b->cap);
        free(b->p);
    }
    b->p = np;
    b->cap = ncap;
    return ZKR_OK;
}

zkr_err zkr_buf_append(zkr_buf *b, const void *p, size_t len)
{
    zkr_err r;

    if (len == 0)
        return ZKR_OK;
    if ((r = zkr_buf_reserve(b, len)) != ZKR_OK)
        return r;
    memcpy(b->p + b->len, p, len);
    b->len += len;
    return ZKR_OK;
}

zkr_err zkr_buf_append_str(zkr_buf *b, const char *s)
{
    return zkr_buf_append(b, s, strlen(s));
}

zkr_err zkr_buf_printf(zkr_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    zkr_err r;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ZKR_ERR_INTERNAL;
    if ((r = zkr_buf_reserve(b, (size_t)n + 1)) != ZKR_OK)
        return r;
    va_start(ap, fmt);
    (void)vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return ZKR_OK;
}

zkr_err zkr_buf_terminate(zkr_buf *b)
{
    zkr_err r;

    if ((r = zkr_buf_reserve(b, 1)) != ZKR_OK)
        return r;
    b->p[b->len] = '\0';
    return ZKR_OK;
}

void zkr_buf_free(zkr_buf *b)
{
    if (b == NULL)
        return;
    if (b->p != NULL) {
        sodium_memzero(b->p, b->cap);
        free(b->p);
    }
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}
