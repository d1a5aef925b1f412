#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

zkr_err zkr_file_read(const char *path, size_t max, zkr_buf *out, zkr_diag *d)
{
    struct stat st;
    zkr_err r = ZKR_OK;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return zkr_fail(d, errno == ENOENT ? ZKR_ERR_NOT_FOUND : ZKR_ERR_IO, "%s: %s", path,
                        strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        r = zkr_fail(d, ZKR_ERR_IO, "%s: not a regular file", path);
        goto out;
    }
    if ((uint64_t)st.st_size > max) {
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: %lld bytes, over the limit of %zu", path,
                     (long long)st.st_size, max);
        goto out;
    }
    if ((r = zkr_buf_reserve(out, (size_t)st.st_size + 1)) != ZKR_OK)
        goto out;
    for (;;) {
        ssize_t n;
        if (out->len > max) {
            r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: over the limit of %zu bytes", path, max);
            goto out;
        }
        if ((r = zkr_buf_reserve(out, 4096)) != ZKR_OK)
            goto out;
        n = read(fd, out->p + out->len, out->cap - out->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = zkr_fail(d, ZKR_ERR_IO, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
    }
    if (out->len > max)
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: over the limit of %zu bytes", path, max);
out:
    close(fd);
    return r;
}

static zkr_err write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ZKR_ERR_IO;
        p += n;
        len -= (size_t)n;
    }
    return ZKR_OK;
}

zkr_err zkr_file_write_atomic(const char *path, const uint8_t *p, size_t len, unsigned mode,
                              zkr_diag *d)
{
    zkr_buf tmp = {0}, dir = {0};
    zkr_err r;
    int fd = -1, dfd = -1;

    if ((r = zkr_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid())) != ZKR_OK ||
        (r = zkr_buf_terminate(&tmp)) != ZKR_OK ||
        (r = zkr_buf_append_str(&dir, path)) != ZKR_OK || (r = zkr_buf_terminate(&dir)) != ZKR_OK)
        goto out;
    fd = open((char *)tmp.p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        r = zkr_fail(d, ZKR_ERR_IO, "%s: %s", (char *)tmp.p, strerror(errno));
        goto out;
    }
    if (write_all(fd, p, len) != ZKR_OK || fsync(fd) != 0) {
        r = zkr_fail(d, ZKR_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        r = zkr_fail(d, ZKR_ERR_IO, "%s: close failed: %s", path, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename((char *)tmp.p, path) != 0) {
        r = zkr_fail(d, ZKR_ERR_IO, "%s: %s", path, strerror(errno));
        goto out;
    }
    dfd = open(dirname((char *)dir.p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        (void)fsync(dfd);
    r = ZKR_OK;
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (r != ZKR_OK && tmp.p != NULL)
        (void)unlink((char *)tmp.p);
    zkr_buf_free(&tmp);
    zkr_buf_free(&dir);
    return r;
}

zkr_err zkr_utf8_check(const uint8_t *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint8_t c = p[i];
        size_t n;
        uint32_t cp;

        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return ZKR_ERR_MALFORMED;
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return ZKR_ERR_MALFORMED;
        }
        if (n > len - i - 1)
            return ZKR_ERR_MALFORMED;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return ZKR_ERR_MALFORMED;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return ZKR_ERR_MALFORMED;
        i += n + 1;
    }
    return ZKR_OK;
}
