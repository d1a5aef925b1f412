/* Passphrase input: a file (never group/world readable) or the TTY, never argv or env values. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "common.h"

#define PASSPHRASE_MAX 1024

void zkr_secret_free(zkr_secret *s)
{
    if (s == NULL)
        return;
    sodium_free(s->p); /* wipes; accepts NULL */
    s->p = NULL;
    s->len = 0;
}

/* Reads up to the first newline from fd into s (capacity PASSPHRASE_MAX). */
static zkr_err read_line(int fd, zkr_secret *s, const char *what, zkr_diag *d)
{
    uint8_t c;

    s->len = 0;
    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return zkr_fail(d, ZKR_ERR_IO, "%s: %s", what, strerror(errno));
        if (n == 0 || c == '\n')
            break;
        if (s->len == PASSPHRASE_MAX)
            return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: passphrase longer than %d bytes", what,
                            PASSPHRASE_MAX);
        s->p[s->len++] = c;
    }
    if (s->len > 0 && s->p[s->len - 1] == '\r')
        s->len--;
    if (s->len == 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: empty passphrase", what);
    return ZKR_OK;
}

static zkr_err read_file(const char *path, zkr_secret *s, zkr_diag *d)
{
    struct stat st;
    zkr_err r;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return zkr_fail(d, errno == ENOENT ? ZKR_ERR_NOT_FOUND : ZKR_ERR_IO,
                        "passphrase file %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        r = zkr_fail(d, ZKR_ERR_IO, "passphrase file %s: not a regular file", path);
        goto out;
    }
    if ((st.st_mode & 077) != 0) {
        r = zkr_fail(d, ZKR_ERR_KEY,
                     "passphrase file %s: readable by group or others (mode %03o); chmod 600 it",
                     path, (unsigned)(st.st_mode & 0777));
        goto out;
    }
    r = read_line(fd, s, path, d);
out:
    close(fd);
    return r;
}

static zkr_err read_tty(zkr_secret *s, zkr_diag *d)
{
    struct termios old, quiet;
    zkr_err r;
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return zkr_fail(d, ZKR_ERR_USAGE, "no passphrase source: give --passphrase-file or "
                                          "set ZKREG_PASSPHRASE_FILE");
    if (tcgetattr(fd, &old) != 0) {
        r = zkr_fail(d, ZKR_ERR_IO, "/dev/tty: %s", strerror(errno));
        goto out;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    (void)!write(fd, "passphrase: ", 12);
    (void)tcsetattr(fd, TCSAFLUSH, &quiet);
    r = read_line(fd, s, "terminal", d);
    (void)tcsetattr(fd, TCSAFLUSH, &old);
    (void)!write(fd, "\n", 1);
out:
    close(fd);
    return r;
}

zkr_err zkr_passphrase_read(const char *path, zkr_secret *out, zkr_diag *d)
{
    const char *env = getenv("ZKREG_PASSPHRASE_FILE");
    zkr_err r;

    out->len = 0;
    out->p = sodium_malloc(PASSPHRASE_MAX);
    if (out->p == NULL)
        return ZKR_ERR_NOMEM;
    if (path != NULL)
        r = read_file(path, out, d);
    else if (env != NULL && env[0] != '\0')
        r = read_file(env, out, d);
    else if (isatty(STDIN_FILENO))
        r = read_tty(out, d);
    else
        r = zkr_fail(d, ZKR_ERR_USAGE, "no passphrase source: give --passphrase-file or set "
                                       "ZKREG_PASSPHRASE_FILE (stdin is not a terminal)");
    if (r != ZKR_OK)
        zkr_secret_free(out);
    return r;
}
