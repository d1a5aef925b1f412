/*
 * The worker side: `zkreg __worker KIND AS CPU NOFILE NPROC FSIZE MAXREQ`.
 * Confine first, then read. fd 0 = request, fd 1 = reply, fd 2 = log.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/sandbox_int.h"

/* Exit codes the worker uses before it can speak the protocol. */
#define ZKR_WORKER_EXIT_ARGS 2 /* usage */

static int zkr_worker_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (s == NULL || *s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 1;
}

static void zkr_worker_log(const char *s)
{
    size_t n = strlen(s);

    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void zkr_worker_write_all(const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(1, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Header, then the payload straight from the function's buffer. */
_Noreturn static void zkr_worker_reply_exit(int32_t status, uint32_t conf, uint32_t abi,
                                            const char *msg, const uint8_t *p, size_t n)
{
    zkr_buf hdr = {0};

    if (zkr_sandbox_rep_encode_header(status, conf, abi, msg, n, &hdr) == ZKR_OK) {
        zkr_worker_write_all(hdr.p, hdr.len);
        zkr_worker_write_all(p, n);
    } else {
        zkr_worker_log("zkreg worker: cannot encode the reply\n");
    }
    /* _exit: no atexit handlers (LeakSanitizer's would need ptrace) */
    _exit(0);
}

/* Reads exactly n bytes from fd 0; ZKR_ERR_MALFORMED on early EOF. */
static zkr_err zkr_worker_read_exact(uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = read(0, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return ZKR_ERR_IO;
        if (k == 0)
            return ZKR_ERR_MALFORMED;
        p += k;
        n -= (size_t)k;
    }
    return ZKR_OK;
}

/*
 * Reads the request frame: the header first, so the one allocation is
 * exactly the announced size (bounded by max), then the payload, then EOF.
 */
static zkr_err zkr_worker_read_request(const char *kind, uint64_t max, uint8_t **buf,
                                       size_t *len, zkr_diag *d)
{
    size_t hlen = zkr_sandbox_req_header_len(kind);
    uint8_t hdr[64], extra;
    uint64_t plen;
    zkr_err r;

    *buf = NULL;
    *len = 0;
    if ((r = zkr_worker_read_exact(hdr, hlen)) != ZKR_OK)
        return zkr_fail(d, r, "request frame: truncated header");
    plen = zkr_load_be64(hdr + hlen - 8);
    if (plen > max)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "request frame: payload %llu bytes over %llu",
                        (unsigned long long)plen, (unsigned long long)max);
    *buf = malloc(hlen + (size_t)plen);
    if (*buf == NULL)
        return zkr_fail(d, ZKR_ERR_NOMEM, "request frame: no memory for %llu bytes",
                        (unsigned long long)plen);
    memcpy(*buf, hdr, hlen);
    if ((r = zkr_worker_read_exact(*buf + hlen, (size_t)plen)) != ZKR_OK)
        return zkr_fail(d, r, "request frame: truncated payload");
    if (zkr_worker_read_exact(&extra, 1) != ZKR_ERR_MALFORMED)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "request frame: bytes after the payload");
    *len = hlen + (size_t)plen;
    return ZKR_OK;
}

/*
 * Applies every layer in order; returns the bits applied or fails. A
 * prover-cuda worker runs its preparation (opening the GPU: the driver
 * library's code mappings, the device nodes) between the process-wide
 * layers and the file-system and syscall ones, and its Landlock ruleset is
 * required: its seccomp policy allows open().
 */
static zkr_err zkr_worker_confine(const zkr_worker_kind *k, const zkr_sandbox_limits *l,
                                  uint32_t *conf, int *abi, zkr_diag *d)
{
    static const int keep[] = {0, 1, 2};
    int gpu = k->policy == ZKR_SANDBOX_POLICY_PROVER_CUDA;
    zkr_err r, prep;

    *conf = 0;
    *abi = 0;
    if (k->prepare != NULL && !gpu)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "worker '%s': only the prover-cuda policy runs a "
                                            "preparation before seccomp", k->kind);
    if ((r = zkr_sandbox_close_fds_except(keep, 3, d)) != ZKR_OK)
        return r;
    *conf |= ZKR_SANDBOX_C_FDS_CLOSED;
    r = gpu ? zkr_sandbox_set_rlimits_gpu(l, d) : zkr_sandbox_set_rlimits(l, d);
    if (r != ZKR_OK)
        return r;
    *conf |= ZKR_SANDBOX_C_RLIMITS;
    if ((r = zkr_sandbox_prctl_harden(d)) != ZKR_OK)
        return r;
    *conf |= ZKR_SANDBOX_C_NODUMP | ZKR_SANDBOX_C_NO_NEW_PRIVS;
    *conf |= zkr_sandbox_unshare(1);
    /* root without a user namespace would otherwise keep real capabilities */
    if ((r = zkr_sandbox_drop_caps(d)) != ZKR_OK)
        return r;
    *conf |= ZKR_SANDBOX_C_CAPS;
    /* A failed preparation (no device) is answered once the worker is fully
       confined, so that the parent accepts the reply as the kind's own. */
    prep = k->prepare != NULL ? k->prepare(d) : ZKR_OK;
    if (gpu && (r = zkr_sandbox_set_as_after_prepare(l, d)) != ZKR_OK)
        return r;
    if (gpu) {
        uint32_t ll = zkr_sandbox_landlock_apply_gpu(abi, d);
        if (ll == 0)
            return ZKR_ERR_SANDBOX;
        *conf |= ll;
    } else {
        *conf |= zkr_sandbox_landlock_apply(NULL, 0, NULL, 0, abi);
    }
    if ((r = zkr_sandbox_seccomp_load(k->policy, d)) != ZKR_OK)
        return r;
    *conf |= ZKR_SANDBOX_C_SECCOMP;
    return prep;
}

static int32_t zkr_worker_status(zkr_err r)
{
    return zkr_sandbox_status_allowed((int32_t)r) ? (int32_t)r : (int32_t)ZKR_ERR_INTERNAL;
}

_Noreturn void zkr_sandbox_worker_main(const zkr_worker_kind *table, int argc, char **argv)
{
    const zkr_worker_kind *k;
    zkr_sandbox_limits l;
    zkr_diag d;
    zkr_buf out = {0};
    uint8_t *in = NULL;
    size_t in_len = 0;
    const uint8_t *payload;
    size_t payload_len;
    uint32_t conf;
    int abi;
    zkr_err r;

    memset(&l, 0, sizeof l);
    zkr_diag_clear(&d);
    k = argc == 8 ? zkr_sandbox_kind_find(table, argv[1]) : NULL;
    if (k == NULL || k->fn == NULL || !zkr_worker_parse_u64(argv[2], &l.as_bytes) ||
        !zkr_worker_parse_u64(argv[3], &l.cpu_seconds) ||
        !zkr_worker_parse_u64(argv[4], &l.nofile) || !zkr_worker_parse_u64(argv[5], &l.nproc) ||
        !zkr_worker_parse_u64(argv[6], &l.fsize_bytes) ||
        !zkr_worker_parse_u64(argv[7], &l.max_request)) {
        zkr_worker_log("zkreg: __worker is internal to zkreg and not a command\n");
        _exit(ZKR_WORKER_EXIT_ARGS);
    }
    r = zkr_worker_confine(k, &l, &conf, &abi, &d);
    if (r != ZKR_OK)
        zkr_worker_reply_exit(r == ZKR_ERR_SANDBOX ? ZKR_ERR_SANDBOX : zkr_worker_status(r), conf,
                              (uint32_t)abi, d.msg, NULL, 0);
    /* Only now is input read. */
    r = zkr_worker_read_request(k->kind, l.max_request, &in, &in_len, &d);
    if (r == ZKR_OK)
        r = zkr_sandbox_req_decode(in, in_len, k->kind, l.max_request, &payload, &payload_len,
                                   &d);
    if (r == ZKR_OK)
        r = k->fn(payload, payload_len, &out, &d);
    if (r != ZKR_OK)
        zkr_worker_reply_exit(zkr_worker_status(r), conf, (uint32_t)abi,
                              d.msg[0] ? d.msg : zkr_strerror(r), NULL, 0);
    zkr_worker_reply_exit(ZKR_OK, conf, (uint32_t)abi, NULL, out.p, out.len);
}
