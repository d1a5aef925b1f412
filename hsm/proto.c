/* hsm: framing for the helper protocol (both sides). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hsm/hsm_int.h"

static zkr_err write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        /* MSG_NOSIGNAL: a dead peer is an error, not a SIGPIPE. */
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ZKR_ERR_HSM;
        p += n;
        len -= (size_t)n;
    }
    return ZKR_OK;
}

static zkr_err read_all(int fd, int timeout_ms, uint8_t *p, size_t len)
{
    while (len > 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, timeout_ms);
        ssize_t n;

        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return ZKR_ERR_HSM;
        n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ZKR_ERR_HSM;
        p += n;
        len -= (size_t)n;
    }
    return ZKR_OK;
}

zkr_err zkr_hsm_frame_write(int fd, const uint8_t *p, size_t len)
{
    uint8_t hdr[4];
    zkr_err r;

    if (len > ZKR_HSM_FRAME_MAX)
        return ZKR_ERR_TOO_LARGE;
    zkr_store_be32(hdr, (uint32_t)len);
    if ((r = write_all(fd, hdr, sizeof hdr)) != ZKR_OK)
        return r;
    return write_all(fd, p, len);
}

zkr_err zkr_hsm_frame_read(int fd, int timeout_ms, zkr_buf *out)
{
    uint8_t hdr[4];
    uint32_t len;
    zkr_err r;

    out->len = 0;
    if ((r = read_all(fd, timeout_ms, hdr, sizeof hdr)) != ZKR_OK)
        return r;
    len = zkr_load_be32(hdr);
    if (len > ZKR_HSM_FRAME_MAX)
        return ZKR_ERR_TOO_LARGE;
    if ((r = zkr_buf_reserve(out, len)) != ZKR_OK)
        return r;
    if ((r = read_all(fd, timeout_ms, out->p, len)) != ZKR_OK)
        return r;
    out->len = len;
    return ZKR_OK;
}

zkr_err zkr_hsm_dec_str(zkr_dec *d, char *s, size_t max)
{
    const uint8_t *p;
    size_t n;
    zkr_err r;

    s[0] = '\0';
    if ((r = zkr_dec_bytes(d, max, &p, &n)) != ZKR_OK)
        return r;
    if (memchr(p, 0, n) != NULL)
        return ZKR_ERR_MALFORMED;
    memcpy(s, p, n);
    s[n] = '\0';
    return ZKR_OK;
}

const char *zkr_hsm_key_type_name(zkr_hsm_key_type t)
{
    switch (t) {
    case ZKR_HSM_KEY_SECP256K1:
        return "secp256k1";
    case ZKR_HSM_KEY_P256:
        return "p256";
    case ZKR_HSM_KEY_ED25519:
        return "ed25519";
    default:
        return "unsupported";
    }
}
