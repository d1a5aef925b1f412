/* The application layer's context helpers (app/app.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "app/app.h"

zkr_err zkr_app_registry_open(zkr_app *app, zkr_registry **reg)
{
    return zkr_registry_open(app->registry_path, reg, &app->diag);
}

zkr_err zkr_app_parse_u64(zkr_app *app, const char *what, const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    *out = 0;
    if (s == NULL || s[0] < '0' || s[0] > '9')
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "%s: expected a non-negative integer, got '%s'", what, s ? s : "");
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0')
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "%s: expected a non-negative integer, got '%s'", what, s);
    *out = (uint64_t)v;
    return ZKR_OK;
}

void zkr_app_hex32(const uint8_t in[ZKR_DIGEST_BYTES], char out[65])
{
    if (zkr_hex_encode(in, ZKR_DIGEST_BYTES, out, 65) != ZKR_OK)
        out[0] = '\0';
}

zkr_err zkr_app_make_dir(zkr_app *app, const char *dir)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return zkr_fail(&app->diag, ZKR_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    return ZKR_OK;
}

zkr_err zkr_app_write_out(zkr_app *app, const char *path, const uint8_t *p, size_t len)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        if (fwrite(p, 1, len, stdout) != len || fflush(stdout) != 0)
            return zkr_fail(&app->diag, ZKR_ERR_IO, "stdout: write failed");
        return ZKR_OK;
    }
    return zkr_file_write_atomic(path, p, len, 0644, &app->diag);
}

zkr_err zkr_app_read_pass_fd(zkr_app *app, int fd, zkr_secret *out)
{
    enum { PASS_MAX = 1024 };
    uint8_t c;
    zkr_err r = ZKR_OK;

    out->len = 0;
    out->p = sodium_malloc(PASS_MAX);
    if (out->p == NULL)
        return ZKR_ERR_NOMEM;
    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = zkr_fail(&app->diag, ZKR_ERR_IO, "--passphrase-fd %d: %s", fd, strerror(errno));
            break;
        }
        if (n == 0 || c == '\n')
            break;
        if (out->len == PASS_MAX) {
            r = zkr_fail(&app->diag, ZKR_ERR_TOO_LARGE, "--passphrase-fd %d: too long", fd);
            break;
        }
        out->p[out->len++] = c;
    }
    if (r == ZKR_OK && out->len > 0 && out->p[out->len - 1] == '\r')
        out->len--;
    if (r == ZKR_OK && out->len == 0)
        r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "--passphrase-fd %d: empty passphrase", fd);
    (void)close(fd);
    if (r != ZKR_OK)
        zkr_secret_free(out);
    return r;
}
