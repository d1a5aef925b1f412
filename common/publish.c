/*
 * Publishing a new file that must never replace another (key files), and
 * the test builds' pause hook.
 *
 * rename() replaces whatever appeared at the path since it was checked;
 * link() and linkat() fail with EEXIST instead, so two writers racing for
 * one path cannot both "succeed" with one of their files lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "zkr_config.h"

void zkr_test_pause(const char *point)
{
#if ZKR_TEST_BUILD
    /*
     * When $ZKREG_TEST_PAUSE_AT names this point: create
     * "$ZKREG_TEST_PAUSE_FIFO.reached", then block reading the fifo
     * $ZKREG_TEST_PAUSE_FIFO until the test has opened it for writing and
     * closed it. Race tests hold a command here (between its reads and its
     * write) while another command runs.
     */
    const char *at = getenv("ZKREG_TEST_PAUSE_AT"), *fifo = getenv("ZKREG_TEST_PAUSE_FIFO");
    char reached[4096], c;
    int fd;

    if (at == NULL || fifo == NULL || strcmp(at, point) != 0 ||
        snprintf(reached, sizeof reached, "%s.reached", fifo) >= (int)sizeof reached)
        return;
    if ((fd = open(reached, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0)
        (void)close(fd);
    do
        fd = open(fifo, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return;
    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n == 0 || (n < 0 && errno != EINTR))
            break;
    }
    (void)close(fd);
#else
    (void)point;
#endif
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

/* Links the unnamed file fd at dfd/base. Returns 0 or -1 with errno (EEXIST: taken). */
static int link_tmpfile(int fd, int dfd, const char *base)
{
    char proc[64];

    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, dfd, base, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != ENOENT)
        return -1;
    /* No /proc: AT_EMPTY_PATH (needs CAP_DAC_READ_SEARCH). */
    return linkat(fd, "", dfd, base, AT_EMPTY_PATH);
}

/* Writes and syncs the content; fchmod so the mode does not depend on the umask. */
static zkr_err fill(int fd, const uint8_t *p, size_t len, unsigned mode)
{
    if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, p, len) != ZKR_OK || fsync(fd) != 0)
        return ZKR_ERR_IO;
    return ZKR_OK;
}

static zkr_err publish(const char *path, int dfd, const char *base, const uint8_t *p,
                       size_t len, unsigned mode, zkr_diag *d)
{
    char tmp[4096];
    zkr_err r = ZKR_OK;
    int fd, linked, e;

    fd = openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    tmp[0] = '\0';
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        /* File systems without O_TMPFILE: a unique name beside it, linked, then removed. */
        if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
            return zkr_fail(d, ZKR_ERR_USAGE, "%s: path too long", path);
        fd = mkostemp(tmp, O_CLOEXEC);
    }
    if (fd < 0)
        return zkr_fail(d, ZKR_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    if (fill(fd, p, len, mode) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        goto out;
    }
    zkr_test_pause("key-generate-publish");
    linked = tmp[0] ? link(tmp, path) : link_tmpfile(fd, dfd, base);
    e = errno;
    if (linked != 0)
        r = zkr_fail(d, e == EEXIST ? ZKR_ERR_EXISTS : ZKR_ERR_IO, "%s: %s", path,
                     e == EEXIST ? "exists; it is never replaced" : strerror(e));
    else if (fsync(dfd) != 0)
        r = zkr_fail(d, ZKR_ERR_IO, "%s: syncing its directory: %s", path, strerror(errno));
out:
    (void)close(fd);
    if (tmp[0])
        (void)unlink(tmp);
    return r;
}

zkr_err zkr_file_publish_new(const char *path, const uint8_t *p, size_t len, unsigned mode,
                             zkr_diag *d)
{
    char dbuf[4096], bbuf[4096];
    const char *dir, *base;
    zkr_err r;
    int dfd;

    if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof dbuf)
        return zkr_fail(d, ZKR_ERR_USAGE, "no path, or a path too long");
    strcpy(dbuf, path);
    strcpy(bbuf, path);
    dir = dirname(dbuf);
    base = basename(bbuf);
    if (base[0] == '\0' || strcmp(base, "/") == 0 || strcmp(base, ".") == 0 ||
        strcmp(base, "..") == 0)
        return zkr_fail(d, ZKR_ERR_USAGE, "%s: not a file name", path);
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return zkr_fail(d, errno == ENOENT ? ZKR_ERR_NOT_FOUND : ZKR_ERR_IO, "%s: %s", dir,
                        strerror(errno));
    r = publish(path, dfd, base, p, len, mode, d);
    (void)close(dfd);
    return r;
}
