/*
 * hsm: the parent's side. It starts zkreg-pkcs11-helper with a socket as
 * its fd 0, sends requests and reads replies. It never loads a module.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "hsm/hsm_int.h"
#include "zkr_config.h"

/*
 * $ZKREG_PKCS11_HELPER names another helper only in test builds: the
 * helper receives the PIN, so in an installed zkreg it is always the
 * root-owned one found beside zkreg or in libexec.
 */
#ifndef ZKR_HSM_HONOUR_HELPER_ENV
#define ZKR_HSM_HONOUR_HELPER_ENV ZKR_TEST_BUILD
#endif

#ifndef ZKR_HSM_LIBEXEC
#define ZKR_HSM_LIBEXEC "/usr/local/libexec"
#endif

struct zkr_hsm {
    pid_t pid;
    int fd;
    zkr_hsm_key_type type;
    uint8_t pub[65];
    size_t pub_len;
    char module[ZKR_HSM_PATH_MAX + 1];
    char registry[ZKR_HSM_PATH_MAX + 1]; /* "" when none: the helper refuses paths exposing it */
};

static int is_exec(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* The helper gets the PIN: it and its directory must be root's (or this user's in test builds). */
static zkr_err helper_trusted(const char *path, zkr_diag *d)
{
    char real[PATH_MAX], *slash;
    const char *why;

    if (realpath(path, real) == NULL)
        return zkr_fail(d, ZKR_ERR_HSM, "zkreg-pkcs11-helper %s: %s", path, strerror(errno));
    if (!zkr_hsm_trusted_file(real, 0, &why))
        return zkr_fail(d, ZKR_ERR_HSM, "zkreg-pkcs11-helper %s is refused: %s %s", path, real,
                        why);
    slash = strrchr(real, '/');
    if (slash != NULL && slash != real)
        *slash = '\0';
    if (!zkr_hsm_trusted_file(real, 1, &why))
        return zkr_fail(d, ZKR_ERR_HSM, "zkreg-pkcs11-helper %s is refused: its directory %s %s",
                        path, real, why);
    return ZKR_OK;
}

/*
 * The helper's environment: an allowlist, never zkreg's own (an inherited
 * SSH_AUTH_SOCK or DBUS_SESSION_BUS_ADDRESS names sockets a module could
 * use). Module configuration, the writable-path list and the locale pass.
 */
static int env_passes(const char *kv)
{
    static const char *const keep[] = {
        "SOFTHSM2_CONF=", "OPENSC_CONF=", "ZKREG_PKCS11_RW_PATHS=", "LANG=", "LANGUAGE=",
        "LC_ALL=", "LC_CTYPE=", "LC_MESSAGES=",
#if defined(__SANITIZE_ADDRESS__)
        "ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS=",
#endif
#if ZKR_TEST_BUILD
        /* test builds: the module-directory allowlist and the test modules' settings */
        "ZKREG_PKCS11_MODULE_DIRS=", "ZKR_TESTMOD_",
#endif
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (strncmp(kv, keep[i], strlen(keep[i])) == 0)
            return 1;
    return 0;
}

#define HELPER_ENV_MAX 32

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer's exit-time scan needs ptrace and prctl, which the helper's filter kills. */
#define HELPER_ASAN_EXTRA ":detect_leaks=0"
#endif

zkr_err zkr_hsm_helper_path(char *out, size_t cap)
{
    static const char name[] = "zkreg-pkcs11-helper";
    const char *env = ZKR_HSM_HONOUR_HELPER_ENV ? getenv("ZKREG_PKCS11_HELPER") : NULL;
    char self[PATH_MAX];
    ssize_t n;
    char *slash;

    if (env != NULL && env[0] != '\0') {
        if (strlen(env) >= cap || !is_exec(env))
            return ZKR_ERR_NOT_FOUND;
        snprintf(out, cap, "%s", env);
        return ZKR_OK;
    }
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        slash = strrchr(self, '/');
        if (slash != NULL) {
            *slash = '\0';
            if ((size_t)snprintf(out, cap, "%s/%s", self, name) < cap && is_exec(out))
                return ZKR_OK;
            if ((size_t)snprintf(out, cap, "%s/../hsm/%s", self, name) < cap && is_exec(out))
                return ZKR_OK;
        }
    }
    if ((size_t)snprintf(out, cap, "%s/%s", ZKR_HSM_LIBEXEC, name) < cap && is_exec(out))
        return ZKR_OK;
    out[0] = '\0';
    return ZKR_ERR_NOT_FOUND;
}

static zkr_err spawn(zkr_hsm *h, const char *helper_path, zkr_diag *d)
{
    extern char **environ;
    char path[PATH_MAX];
    char *envp[HELPER_ENV_MAX + 1];
#ifdef HELPER_ASAN_EXTRA
    char asan[1024];
#endif
    size_t ne = 0;
    int sv[2];
    pid_t pid;
    zkr_err r;

    if (helper_path == NULL) {
        if (zkr_hsm_helper_path(path, sizeof path) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_HSM,
                            "zkreg-pkcs11-helper not found (beside zkreg, in %s, or "
                            "$ZKREG_PKCS11_HELPER)",
                            ZKR_HSM_LIBEXEC);
        helper_path = path;
    }
    if ((r = helper_trusted(helper_path, d)) != ZKR_OK)
        return r;
    for (char **e = environ; e != NULL && *e != NULL && ne < HELPER_ENV_MAX; e++) {
        if (!env_passes(*e))
            continue;
#ifdef HELPER_ASAN_EXTRA
        if (strncmp(*e, "ASAN_OPTIONS=", 13) == 0 &&
            (size_t)snprintf(asan, sizeof asan, "%s" HELPER_ASAN_EXTRA, *e) < sizeof asan) {
            envp[ne++] = asan;
            continue;
        }
#endif
        envp[ne++] = *e;
    }
    envp[ne] = NULL;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return zkr_fail(d, ZKR_ERR_HSM, "cannot make the helper's socket: %s", strerror(errno));
    pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return zkr_fail(d, ZKR_ERR_HSM, "cannot start the PKCS#11 helper: %s", strerror(errno));
    }
    if (pid == 0) {
        /* Child: fd 0 is the socket, fd 1 /dev/null (modules may print), fd 2 kept
           (the helper filters what a module writes there). */
        char *const argv[] = {(char *)"zkreg-pkcs11-helper", NULL};
        int nul = open("/dev/null", O_WRONLY);
        if (dup2(sv[1], 0) < 0 || nul < 0 || dup2(nul, 1) < 0)
            _exit(127);
        (void)close_range(3, ~0U, 0);
        execve(helper_path, argv, envp);
        _exit(127);
    }
    close(sv[1]);
    h->pid = pid;
    h->fd = sv[0];
    return ZKR_OK;
}

/* 1 once the process behind pidfd has ended, waiting at most ms. */
static int ended_within(int pidfd, int ms)
{
    struct pollfd pf = {pidfd, POLLIN, 0};
    int rc;

    while ((rc = poll(&pf, 1, ms)) < 0 && errno == EINTR)
        ;
    return rc != 0;
}

/*
 * Reaps the helper (its relay), giving it grace_ms to end by itself: after
 * CLOSE it runs the module's C_Finalize, atexit handlers and destructors,
 * and a module that never returns from them must not hold zkreg. Then
 * SIGTERM: the relay kills PID 1 of the helper's namespace and exits once
 * the kernel has ended every process there. SIGKILL is the last resort.
 * Returns waitpid's result; *st the status.
 */
static pid_t helper_reap(pid_t pid, int grace_ms, int *st)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    pid_t w;

    *st = 0;
    if (pidfd >= 0) {
        if (!ended_within(pidfd, grace_ms)) {
            (void)kill(pid, SIGTERM);
            if (!ended_within(pidfd, ZKR_HSM_EXIT_GRACE_MS))
                (void)kill(pid, SIGKILL);
        }
        close(pidfd);
    } else if (waitpid(pid, st, WNOHANG) == 0) {
        (void)kill(pid, SIGKILL); /* cannot wait bounded: no grace */
    }
    do
        w = waitpid(pid, st, 0);
    while (w < 0 && errno == EINTR);
    return w;
}

/* Describes why the helper stopped answering (it is reaped here). */
static zkr_err helper_gone(zkr_hsm *h, zkr_diag *d)
{
    int st = 0;
    pid_t w;

    close(h->fd);
    h->fd = -1;
    /* It may be alive but stuck inside the module: never wait on it unbounded. */
    w = helper_reap(h->pid, ZKR_HSM_EXIT_GRACE_MS, &st);
    h->pid = 0;
    if (w > 0 && WIFSIGNALED(st))
        return zkr_fail(d, ZKR_ERR_HSM, "the PKCS#11 helper died (signal %d) serving module %s",
                        WTERMSIG(st), h->module);
    if (w > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return zkr_fail(d, ZKR_ERR_HSM, "the PKCS#11 helper could not be started");
    return zkr_fail(d, ZKR_ERR_HSM, "the PKCS#11 helper stopped answering (module %s)",
                    h->module);
}

/*
 * Sends req and reads the reply; on success *body points at the op-specific
 * part of `reply` (a decoder positioned after status and message).
 */
static zkr_err transact(zkr_hsm *h, const zkr_buf *req, zkr_buf *reply, zkr_dec *body,
                        zkr_diag *d)
{
    uint32_t st;
    char msg[ZKR_DIAG_BYTES];
    zkr_err r;

    if (h->fd < 0)
        return zkr_fail(d, ZKR_ERR_HSM, "the PKCS#11 helper is not running");
    if (zkr_hsm_frame_write(h->fd, req->p, req->len) != ZKR_OK ||
        zkr_hsm_frame_read(h->fd, ZKR_HSM_IO_TIMEOUT_MS, reply) != ZKR_OK)
        return helper_gone(h, d);
    zkr_dec_init(body, reply->p, reply->len);
    if (zkr_dec_u32(body, &st) != ZKR_OK ||
        zkr_hsm_dec_str(body, msg, sizeof msg - 1) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_HSM, "malformed reply from the PKCS#11 helper");
    r = (zkr_err)(int32_t)st;
    if (r != ZKR_OK) {
        /* Only errors of the token classes may come back from the helper. */
        if (zkr_err_exit_code(r) != 7 && r != ZKR_ERR_NOMEM)
            r = ZKR_ERR_HSM;
        /* the message may come from the module (it shares the helper's socket):
           no control byte of it reaches the terminal */
        for (char *c = msg; *c != '\0'; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                *c = '?';
        return zkr_fail(d, r, "%s", msg[0] != '\0' ? msg : zkr_strerror(r));
    }
    return ZKR_OK;
}

static zkr_err read_pin(const char *path, zkr_secret *pin, zkr_diag *d)
{
    zkr_err r = zkr_passphrase_read(path, pin, d);

    if (r == ZKR_OK && pin->len > ZKR_HSM_PIN_MAX)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "pin-source %s: PIN longer than %d bytes", path,
                     ZKR_HSM_PIN_MAX);
    return r;
}

static zkr_err open_key(zkr_hsm *h, const zkr_hsm_uri *u, zkr_diag *d)
{
    zkr_secret pin = {0};
    zkr_buf req = {0}, reply = {0};
    zkr_dec body;
    const uint8_t *pub;
    size_t pub_len;
    uint8_t kt;
    zkr_err r;

    if (u->pin_source[0] != '\0' && (r = read_pin(u->pin_source, &pin, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u8(&req, ZKR_HSM_OP_OPEN)) != ZKR_OK ||
        (r = zkr_enc_str(&req, u->module_path)) != ZKR_OK ||
        (r = zkr_enc_str(&req, u->token)) != ZKR_OK ||
        (r = zkr_enc_u8(&req, (uint8_t)u->has_object)) != ZKR_OK ||
        (r = zkr_enc_str(&req, u->object)) != ZKR_OK ||
        (r = zkr_enc_u8(&req, (uint8_t)u->has_id)) != ZKR_OK ||
        (r = zkr_enc_bytes(&req, u->id, u->id_len)) != ZKR_OK ||
        (r = zkr_enc_bytes(&req, pin.p, pin.len)) != ZKR_OK ||
        (r = zkr_enc_str(&req, h->registry)) != ZKR_OK)
        goto out;
    zkr_secret_free(&pin);
    if ((r = transact(h, &req, &reply, &body, d)) != ZKR_OK)
        goto out;
    if (zkr_dec_u8(&body, &kt) != ZKR_OK || zkr_dec_bytes(&body, 65, &pub, &pub_len) != ZKR_OK ||
        zkr_dec_finish(&body) != ZKR_OK ||
        (kt == ZKR_HSM_KEY_ED25519 ? pub_len != 32
                                   : (kt != ZKR_HSM_KEY_SECP256K1 && kt != ZKR_HSM_KEY_P256) ||
                                         pub_len != 65)) {
        r = zkr_fail(d, ZKR_ERR_HSM, "malformed OPEN reply from the PKCS#11 helper");
        goto out;
    }
    h->type = (zkr_hsm_key_type)kt;
    memcpy(h->pub, pub, pub_len);
    h->pub_len = pub_len;
out:
    zkr_secret_free(&pin);
    zkr_buf_free(&req); /* wipes the PIN's copy */
    zkr_buf_free(&reply);
    return r;
}

/*
 * The registry path as the helper should compare it: canonical when it
 * exists, else made absolute (a registry about to be created still counts).
 */
static zkr_err registry_abs(const char *in, char *out, size_t cap, zkr_diag *d)
{
    char real[PATH_MAX], cwd[PATH_MAX];
    int n;

    out[0] = '\0';
    if (in == NULL || in[0] == '\0')
        return ZKR_OK;
    if (realpath(in, real) != NULL)
        n = snprintf(out, cap, "%s", real);
    else if (in[0] != '/' && getcwd(cwd, sizeof cwd) != NULL)
        n = snprintf(out, cap, "%s/%s", cwd, in);
    else
        n = snprintf(out, cap, "%s", in);
    if (n < 0 || (size_t)n >= cap)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "registry path %s is too long for the helper", in);
    return ZKR_OK;
}

/* Checks what the helper will check too, so a refusal costs no process. */
static zkr_err precheck(const char *module, const char *registry, zkr_diag *d)
{
    char canon[PATH_MAX];

    if (registry != NULL && strlen(registry) > ZKR_HSM_PATH_MAX)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "registry path too long");
    return zkr_hsm_module_check(module, canon, sizeof canon, d);
}

zkr_err zkr_hsm_open(const zkr_hsm_uri *uri, const char *helper_path, const char *registry_path,
                     zkr_hsm **out, zkr_diag *d)
{
    zkr_hsm *h;
    zkr_err r;

    *out = NULL;
    if (uri == NULL || !uri->has_token)
        return zkr_fail(d, ZKR_ERR_USAGE, "zkr_hsm_open: no token");
    if ((r = precheck(uri->module_path, registry_path, d)) != ZKR_OK)
        return r;
    h = calloc(1, sizeof *h);
    if (h == NULL)
        return ZKR_ERR_NOMEM;
    h->fd = -1;
    snprintf(h->module, sizeof h->module, "%s", uri->module_path);
    if ((r = registry_abs(registry_path, h->registry, sizeof h->registry, d)) != ZKR_OK ||
        (r = spawn(h, helper_path, d)) != ZKR_OK || (r = open_key(h, uri, d)) != ZKR_OK) {
        zkr_hsm_free(h);
        return r;
    }
    *out = h;
    return ZKR_OK;
}

void zkr_hsm_free(zkr_hsm *h)
{
    zkr_buf req = {0}, reply = {0};
    int st, clean = 0;

    if (h == NULL)
        return;
    if (h->fd >= 0) {
        /* a helper that does not answer CLOSE may be stuck in the module: no grace */
        clean = zkr_enc_u8(&req, ZKR_HSM_OP_CLOSE) == ZKR_OK &&
                zkr_hsm_frame_write(h->fd, req.p, req.len) == ZKR_OK &&
                zkr_hsm_frame_read(h->fd, 10000, &reply) == ZKR_OK;
        close(h->fd);
    }
    if (h->pid > 0)
        (void)helper_reap(h->pid, clean ? ZKR_HSM_EXIT_GRACE_MS : 0, &st);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    sodium_memzero(h, sizeof *h);
    free(h);
}

zkr_hsm_key_type zkr_hsm_key_type_of(const zkr_hsm *h)
{
    return h->type;
}

const uint8_t *zkr_hsm_public_key(const zkr_hsm *h, size_t *len)
{
    *len = h->pub_len;
    return h->pub;
}

zkr_err zkr_hsm_sign(zkr_hsm *h, const uint8_t *data, size_t len, uint8_t sig[64], zkr_diag *d)
{
    zkr_buf req = {0}, reply = {0};
    zkr_dec body;
    const uint8_t *s;
    size_t sl;
    zkr_err r;

    memset(sig, 0, 64);
    if (h->type != ZKR_HSM_KEY_ED25519 && len != 32)
        return zkr_fail(d, ZKR_ERR_USAGE, "ECDSA on a token signs a 32-byte digest");
    if (len > ZKR_HSM_MSG_MAX)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "message of %zu bytes is over the token limit %d",
                        len, ZKR_HSM_MSG_MAX);
    if ((r = zkr_enc_u8(&req, ZKR_HSM_OP_SIGN)) != ZKR_OK ||
        (r = zkr_enc_bytes(&req, data, len)) != ZKR_OK ||
        (r = transact(h, &req, &reply, &body, d)) != ZKR_OK)
        goto out;
    if (zkr_dec_bytes(&body, 64, &s, &sl) != ZKR_OK || sl != 64 || zkr_dec_finish(&body) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_HSM, "malformed SIGN reply from the PKCS#11 helper");
        goto out;
    }
    memcpy(sig, s, 64);
out:
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

static zkr_err parse_list(zkr_dec *body, const char *module, zkr_hsm_list_entry **out, size_t *n,
                          zkr_diag *d)
{
    uint32_t count;
    zkr_hsm_list_entry *e;

    if (zkr_dec_u32(body, &count) != ZKR_OK || count > ZKR_HSM_LIST_MAX)
        return zkr_fail(d, ZKR_ERR_HSM, "malformed LIST reply from the PKCS#11 helper");
    e = calloc(count > 0 ? count : 1, sizeof *e);
    if (e == NULL)
        return ZKR_ERR_NOMEM;
    for (uint32_t i = 0; i < count; i++) {
        char token[ZKR_HSM_LABEL_MAX + 1], object[ZKR_HSM_LABEL_MAX + 1], tname[64];
        const uint8_t *id;
        size_t idn;
        uint8_t kt;
        if (zkr_hsm_dec_str(body, token, ZKR_HSM_LABEL_MAX) != ZKR_OK ||
            zkr_hsm_dec_str(body, object, ZKR_HSM_LABEL_MAX) != ZKR_OK ||
            zkr_dec_bytes(body, ZKR_HSM_ID_MAX, &id, &idn) != ZKR_OK ||
            zkr_dec_u8(body, &kt) != ZKR_OK ||
            zkr_hsm_dec_str(body, tname, sizeof tname - 1) != ZKR_OK ||
            zkr_hsm_uri_format(token, object, id, idn, module, e[i].uri, sizeof e[i].uri) !=
                ZKR_OK) {
            free(e);
            return zkr_fail(d, ZKR_ERR_HSM, "malformed LIST reply from the PKCS#11 helper");
        }
        e[i].type = kt <= ZKR_HSM_KEY_ED25519 ? (zkr_hsm_key_type)kt : 0;
        /* named here, not by the helper: its string may be the module's (raw to stdout) */
        snprintf(e[i].type_name, sizeof e[i].type_name, "%s", zkr_hsm_key_type_name(e[i].type));
    }
    if (zkr_dec_finish(body) != ZKR_OK) {
        free(e);
        return zkr_fail(d, ZKR_ERR_HSM, "malformed LIST reply from the PKCS#11 helper");
    }
    *out = e;
    *n = count;
    return ZKR_OK;
}

zkr_err zkr_hsm_list(const char *module_path, const char *helper_path,
                     const char *registry_path, zkr_hsm_list_entry **out, size_t *n, zkr_diag *d)
{
    zkr_hsm *h;
    zkr_buf req = {0}, reply = {0};
    zkr_dec body;
    zkr_err r;

    *out = NULL;
    *n = 0;
    if (module_path == NULL)
        module_path = ZKR_HSM_DEFAULT_MODULE;
    if (strlen(module_path) > ZKR_HSM_PATH_MAX)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "module path too long");
    if ((r = precheck(module_path, registry_path, d)) != ZKR_OK)
        return r;
    h = calloc(1, sizeof *h);
    if (h == NULL)
        return ZKR_ERR_NOMEM;
    h->fd = -1;
    snprintf(h->module, sizeof h->module, "%s", module_path);
    if ((r = registry_abs(registry_path, h->registry, sizeof h->registry, d)) != ZKR_OK ||
        (r = spawn(h, helper_path, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u8(&req, ZKR_HSM_OP_LIST)) != ZKR_OK ||
        (r = zkr_enc_str(&req, module_path)) != ZKR_OK ||
        (r = zkr_enc_str(&req, h->registry)) != ZKR_OK ||
        (r = transact(h, &req, &reply, &body, d)) != ZKR_OK)
        goto out;
    r = parse_list(&body, module_path, out, n, d);
out:
    zkr_hsm_free(h);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

/* ---- zkreg doctor: a live helper, measured from outside ---- */

/* The first child of `parent` (the helper's relay has one: PID 1 of its namespace). */
static long first_child_of(long parent)
{
    char path[96];
    long pid = 0;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", parent, parent);
    f = fopen(path, "re");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid;
}

static void probe_status(long pid, zkr_hsm_probe_info *o)
{
    char path[96], line[256];
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    f = fopen(path, "re");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        (void)(sscanf(line, "Seccomp: %d", &o->seccomp_mode) == 1 ||
               sscanf(line, "NoNewPrivs: %d", &o->no_new_privs) == 1 ||
               sscanf(line, "CapEff: %llx", &o->cap_eff) == 1 ||
               sscanf(line, "CapBnd: %llx", &o->cap_bnd) == 1 ||
               sscanf(line, "Threads: %d", &o->threads) == 1);
    }
    if (f != NULL)
        fclose(f);
    o->measured = f != NULL;
}

/* 1: its own namespace, 0: zkreg's, -1: not readable (needs ptrace access). */
static int probe_ns(long pid, const char *ns)
{
    char a[96], b[96], la[64], lb[64];
    ssize_t na, nb;

    snprintf(a, sizeof a, "/proc/%ld/ns/%s", pid, ns);
    snprintf(b, sizeof b, "/proc/self/ns/%s", ns);
    na = readlink(a, la, sizeof la - 1);
    nb = readlink(b, lb, sizeof lb - 1);
    if (na <= 0 || nb <= 0)
        return -1;
    return na != nb || memcmp(la, lb, (size_t)na) != 0;
}

static void probe_environ(long pid, zkr_hsm_probe_info *o)
{
    char path[96], buf[16384];
    size_t used = 0;
    ssize_t n;
    int fd;

    snprintf(path, sizeof path, "/proc/%ld/environ", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n < 0)
        return;
    buf[n] = '\0';
    o->env_count = 0;
    for (char *p = buf; p < buf + n; p += strlen(p) + 1) {
        size_t k = strcspn(p, "=");
        if (*p == '\0')
            continue;
        o->env_count++;
        if (used + k + 2 < sizeof o->env_names) {
            if (used > 0)
                o->env_names[used++] = ',';
            memcpy(o->env_names + used, p, k);
            used += k;
            o->env_names[used] = '\0';
        }
    }
}

static void probe_fds(long pid, zkr_hsm_probe_info *o)
{
    char path[96];
    struct dirent *e;
    DIR *dir;

    snprintf(path, sizeof path, "/proc/%ld/fd", pid);
    dir = opendir(path);
    if (dir == NULL)
        return;
    o->fd_count = 0;
    while ((e = readdir(dir)) != NULL)
        o->fd_count += e->d_name[0] != '.';
    closedir(dir);
}

static void probe_measure(long pid, zkr_hsm_probe_info *o)
{
    static const char *const ns[] = {"user", "pid", "net", "ipc", "mnt"};
    int *slot[] = {&o->ns_user, &o->ns_pid, &o->ns_net, &o->ns_ipc, &o->ns_mnt};

    probe_status(pid, o);
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        *slot[i] = probe_ns(pid, ns[i]);
    probe_environ(pid, o);
    probe_fds(pid, o);
}

zkr_err zkr_hsm_probe(const char *helper_path, const char *registry_path,
                      zkr_hsm_probe_info *out, zkr_diag *d)
{
    zkr_buf req = {0}, reply = {0};
    zkr_dec body;
    zkr_hsm *h;
    uint32_t conf, abi;
    long served;
    zkr_err r;

    memset(out, 0, sizeof *out);
    out->seccomp_mode = out->no_new_privs = out->threads = -1;
    out->ns_user = out->ns_pid = out->ns_net = out->ns_ipc = out->ns_mnt = -1;
    out->env_count = out->fd_count = -1;
    h = calloc(1, sizeof *h);
    if (h == NULL)
        return ZKR_ERR_NOMEM;
    h->fd = -1;
    snprintf(h->module, sizeof h->module, "(none: doctor's probe)");
    if ((r = registry_abs(registry_path, h->registry, sizeof h->registry, d)) != ZKR_OK ||
        (r = spawn(h, helper_path, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u8(&req, ZKR_HSM_OP_PROBE)) != ZKR_OK ||
        (r = zkr_enc_str(&req, h->registry)) != ZKR_OK ||
        (r = transact(h, &req, &reply, &body, d)) != ZKR_OK)
        goto out;
    if (zkr_dec_u32(&body, &conf) != ZKR_OK || zkr_dec_u32(&body, &abi) != ZKR_OK ||
        zkr_dec_finish(&body) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_HSM, "malformed PROBE reply from the PKCS#11 helper");
        goto out;
    }
    out->confinement = conf;
    out->landlock_abi = abi;
    /* the helper now waits, confined, for its next request: read it from outside */
    served = first_child_of((long)h->pid);
    if (served > 0)
        probe_measure(served, out);
out:
    zkr_hsm_free(h);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}
