#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common.h"

zkr_err zkr_file_read(const char *path, size_t max, zkr_buf *out, zkr_diag *d)
{
    struct stat st;
    zkr_err r = ZKR_OK;
    int fd;

    /* O_NONBLOCK: a FIFO planted at the path (a proof, a model or its
       P-root cache in the store) must not block the open forever; it is
       then refused as no regular file. Regular files ignore the flag. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
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

/* Decodes the octal escapes (\040 ...) of a /proc/self/mounts field in place. */
static void unescape_mount_field(char *s)
{
    char *w = s;

    for (char *r = s; *r != '\0'; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

/* The longest mount point of /proc/self/mounts that holds `dir` (bind mounts included). */
static int mount_point_of(const char *dir, char *out, size_t cap)
{
    char line[8192], mp[PATH_MAX];
    size_t best = 0;
    FILE *f = fopen("/proc/self/mounts", "re");

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        size_t n;
        if (sscanf(line, "%*s %4095s", mp) != 1)
            continue;
        unescape_mount_field(mp);
        n = strlen(mp);
        if (n >= best && strncmp(dir, mp, n) == 0 &&
            (dir[n] == '\0' || dir[n] == '/' || (n == 1 && mp[0] == '/'))) {
            best = n;
            snprintf(out, cap, "%s", mp);
        }
    }
    fclose(f);
    return best > 0;
}

void zkr_fs_describe(const char *path, char *out, size_t cap)
{
    char buf[PATH_MAX], dir[PATH_MAX], mp[PATH_MAX];
    struct statvfs vfs;

    if (cap == 0)
        return;
    snprintf(out, cap, "its file system");
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return;
    /* The directory that holds `path` (the file itself may not exist yet). */
    if (realpath(dirname(buf), dir) == NULL)
        return;
    if (!mount_point_of(dir, mp, sizeof mp))
        snprintf(mp, sizeof mp, "%s", dir);
    if (statvfs(dir, &vfs) != 0) {
        snprintf(out, cap, "the file system mounted at %s", mp);
        return;
    }
    snprintf(out, cap, "the file system mounted at %s (%s%llu of %llu bytes free)", mp,
             (vfs.f_flag & ST_RDONLY) ? "read-only, " : "",
             (unsigned long long)vfs.f_bavail * vfs.f_frsize,
             (unsigned long long)vfs.f_blocks * vfs.f_frsize);
}

/* An errno's message, naming the file system when it is full or read-only. */
static zkr_err io_fail(zkr_diag *d, const char *path, const char *what, int err)
{
    char fs[PATH_MAX + 96];

    if (err == ENOSPC || err == EDQUOT || err == EROFS) {
        zkr_fs_describe(path, fs, sizeof fs);
        return zkr_fail(d, ZKR_ERR_IO, "%s: %s%s: %s is %s", path, what, strerror(err), fs,
                        err == EROFS ? "read-only" : "full");
    }
    return zkr_fail(d, ZKR_ERR_IO, "%s: %s%s", path, what, strerror(err));
}

void zkr_file_remove_stale(const char *path, const char *tag)
{
    char dbuf[PATH_MAX], bbuf[PATH_MAX], prefix[PATH_MAX + 8], full[PATH_MAX * 2 + 8];
    const char *dir, *base;
    struct dirent *de;
    DIR *dh;

    if (snprintf(dbuf, sizeof dbuf, "%s", path) >= (int)sizeof dbuf ||
        snprintf(bbuf, sizeof bbuf, "%s", path) >= (int)sizeof bbuf)
        return;
    dir = dirname(dbuf);
    base = basename(bbuf);
    snprintf(prefix, sizeof prefix, "%s%s", base, tag);
    if ((dh = opendir(dir)) == NULL)
        return;
    while ((de = readdir(dh)) != NULL) {
        struct stat a, b;
        int fd;
        if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
            strlen(de->d_name) != strlen(prefix) + 6)
            continue;
        snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
        fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
            continue;
        /* Unlink only the very file we locked (not one created since under that name). */
        if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 && S_ISREG(a.st_mode) &&
            lstat(full, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            (void)unlink(full);
        close(fd);
    }
    closedir(dh);
}

zkr_err zkr_file_temp_create(const char *path, const char *tag, unsigned mode, zkr_buf *tmp,
                             int *fd_out, zkr_diag *d)
{
    struct stat st;
    zkr_err r;

    *fd_out = -1;
    for (int tries = 0; tries < 8; tries++) {
        int fd;
        tmp->len = 0;
        if ((r = zkr_buf_printf(tmp, "%s%sXXXXXX", path, tag)) != ZKR_OK ||
            (r = zkr_buf_terminate(tmp)) != ZKR_OK)
            return r;
        fd = mkostemp((char *)tmp->p, O_CLOEXEC);
        if (fd < 0)
            return io_fail(d, (char *)tmp->p, "", errno);
        /*
         * A cleaner may have locked and unlinked the file between mkostemp
         * and flock; then it has no link left and we start again.
         */
        if (flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0 || st.st_nlink == 0) {
            close(fd);
            continue;
        }
        if (fchmod(fd, (mode_t)mode) != 0) {
            int e = errno;
            (void)unlink((char *)tmp->p);
            close(fd);
            return io_fail(d, (char *)tmp->p, "", e);
        }
        *fd_out = fd;
        return ZKR_OK;
    }
    return zkr_fail(d, ZKR_ERR_IO, "%s: cannot create a temporary file beside it", path);
}

zkr_err zkr_file_write_atomic(const char *path, const uint8_t *p, size_t len, unsigned mode,
                              zkr_diag *d)
{
    zkr_buf tmp = {0}, dir = {0};
    zkr_err r;
    int fd = -1, dfd = -1, linked = 0;

    if ((r = zkr_buf_append_str(&dir, path)) != ZKR_OK || (r = zkr_buf_terminate(&dir)) != ZKR_OK)
        goto out;
    zkr_file_remove_stale(path, ".tmp.");
    if ((r = zkr_file_temp_create(path, ".tmp.", mode, &tmp, &fd, d)) != ZKR_OK)
        goto out;
    linked = 1;
    if (write_all(fd, p, len) != ZKR_OK || fsync(fd) != 0) {
        r = io_fail(d, path, "write failed: ", errno);
        goto out;
    }
    if (rename((char *)tmp.p, path) != 0) {
        r = io_fail(d, path, "", errno);
        goto out;
    }
    linked = 0;
    dfd = open(dirname((char *)dir.p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        (void)fsync(dfd);
    r = ZKR_OK;
out:
    if (linked)
        (void)unlink((char *)tmp.p);
    /* Closing drops the flock, after the rename or the unlink. */
    if (fd >= 0 && close(fd) != 0 && r == ZKR_OK)
        r = io_fail(d, path, "close failed: ", errno);
    if (dfd >= 0)
        close(dfd);
    zkr_buf_free(&tmp);
    zkr_buf_free(&dir);
    return r;
}

zkr_err zkr_file_write_new(const char *path, const uint8_t *p, size_t len, unsigned mode,
                           zkr_diag *d)
{
    zkr_buf tmp = {0}, dir = {0};
    zkr_err r;
    int fd = -1, dfd = -1;

    if ((r = zkr_buf_append_str(&dir, path)) != ZKR_OK || (r = zkr_buf_terminate(&dir)) != ZKR_OK)
        goto out;
    zkr_file_remove_stale(path, ".tmp.");
    if ((r = zkr_file_temp_create(path, ".tmp.", mode, &tmp, &fd, d)) != ZKR_OK)
        goto out;
    if (write_all(fd, p, len) != ZKR_OK || fsync(fd) != 0) {
        r = io_fail(d, path, "write failed: ", errno);
        goto out;
    }
    /* link() never replaces: a file created at `path` meanwhile is kept, and this call fails. */
    if (link((char *)tmp.p, path) != 0 &&
        (errno == EEXIST || !(errno == EPERM || errno == ENOTSUP) ||
         renameat2(AT_FDCWD, (char *)tmp.p, AT_FDCWD, path, RENAME_NOREPLACE) != 0)) {
        r = errno == EEXIST ? zkr_fail(d, ZKR_ERR_EXISTS, "%s exists; it is never overwritten", path)
                            : io_fail(d, path, "", errno);
        goto out;
    }
    dfd = open(dirname((char *)dir.p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        (void)fsync(dfd);
out:
    if (tmp.p != NULL && fd >= 0)
        (void)unlink((char *)tmp.p);
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
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
