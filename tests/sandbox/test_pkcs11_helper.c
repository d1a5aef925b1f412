/*
 * The PKCS#11 helper confinement with a real module (SoftHSM2): after
 * zkr_sandbox_confine_pkcs11_helper() the module still initialises, logs
 * in, generates a token key (writing its token directory) and signs; the
 * registry file and /etc/passwd are unreadable (Landlock); AF_INET sockets
 * and execve kill the helper (seccomp); a configuration that would expose
 * the registry is refused before anything is confined.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#include "sandbox/sandbox.h"
#include "sandbox/sandbox_int.h"
#include "tap.h"

#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"
#define PIN "87654321"

typedef struct {
    char dir[64], tokens[96], conf[96], registry[96];
} fixture;

typedef struct {
    int confine_rc;
    uint32_t conf;
    unsigned long rv; /* first failing CK_RV, 0 if all went well */
    int step;         /* which PKCS#11 step failed */
    unsigned long sig_len;
    int verify_ok;
    int registry_errno, passwd_errno, token_dir_write_errno;
    int unix_socket_fd_ok;
} helper_result;

static int fixture_make(fixture *f)
{
    char cmd[512];
    FILE *fp;
    int fd;

    (void)snprintf(f->dir, sizeof f->dir, "/tmp/zkr-p11-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return 0;
    (void)snprintf(f->tokens, sizeof f->tokens, "%s/tokens", f->dir);
    (void)snprintf(f->conf, sizeof f->conf, "%s/softhsm2.conf", f->dir);
    (void)snprintf(f->registry, sizeof f->registry, "%s/zkreg.db", f->dir);
    if (mkdir(f->tokens, 0700) != 0 || (fp = fopen(f->conf, "w")) == NULL)
        return 0;
    fprintf(fp, "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n",
            f->tokens);
    fclose(fp);
    fd = open(f->registry, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "SQLite format 3", 15) != 15)
        return 0;
    (void)close(fd);
    (void)setenv("SOFTHSM2_CONF", f->conf, 1);
    (void)snprintf(cmd, sizeof cmd,
                   "softhsm2-util --init-token --free --label zkr-helper --so-pin 12345678 "
                   "--pin %s >/dev/null 2>&1", PIN);
    return system(cmd) == 0;
}

static void fixture_remove(const fixture *f)
{
    char cmd[160];

    (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "# could not remove %s\n", f->dir);
}

static int confine(const fixture *f, int keep_fd, const char *registry, int keep_all,
                   uint32_t *conf)
{
    static const char *const defaults[] = {ZKR_SANDBOX_PKCS11_DEFAULT_RO};
    const char *ro[16];
    const char *rw[1];
    int keep[2] = {2, keep_fd};
    size_t n_ro = 0;
    zkr_sandbox_pkcs11_opts o;
    zkr_diag d;
    zkr_err r;

    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        ro[n_ro++] = defaults[i];
    ro[n_ro++] = f->conf;
    rw[0] = f->tokens;
    memset(&o, 0, sizeof o);
    o.ro_paths = ro;
    o.n_ro = n_ro;
    o.rw_paths = rw;
    o.n_rw = 1;
    o.keep_fds = keep;
    o.n_keep = keep_fd >= 0 ? 2 : 1;
    o.registry_path = registry;
    o.keep_all_fds = keep_all;
    zkr_diag_clear(&d);
    r = zkr_sandbox_confine_pkcs11_helper(&o, conf, &d);
    if (r != ZKR_OK)
        fprintf(stderr, "# confine: %s\n", d.msg);
    return (int)r;
}

#define STEP(n, call)                                                                             \
    do {                                                                                          \
        CK_RV rv_ = (call);                                                                       \
        if (rv_ != CKR_OK) {                                                                      \
            res->rv = rv_;                                                                        \
            res->step = (n);                                                                      \
            return;                                                                               \
        }                                                                                         \
    } while (0)

/* The module's work after confinement: init, login, token key, sign, verify. */
static void helper_pkcs11(CK_FUNCTION_LIST_PTR p11, int initialized, helper_result *res)
{
    static CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    CK_SLOT_ID slots[16];
    CK_ULONG n = 16, sig_len = 128;
    CK_SESSION_HANDLE s;
    CK_TOKEN_INFO ti;
    CK_OBJECT_HANDLE pub, priv;
    CK_BBOOL yes = CK_TRUE;
    CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0}, ecdsa = {CKM_ECDSA, NULL, 0};
    CK_ATTRIBUTE pub_t[] = {{CKA_EC_PARAMS, p256, sizeof p256}, {CKA_TOKEN, &yes, 1},
                            {CKA_VERIFY, &yes, 1}};
    CK_ATTRIBUTE priv_t[] = {{CKA_TOKEN, &yes, 1}, {CKA_SIGN, &yes, 1},
                             {CKA_PRIVATE, &yes, 1}};
    CK_BYTE hash[32], sig[128];
    CK_SLOT_ID slot = (CK_SLOT_ID)-1;

    memset(hash, 0x5a, sizeof hash);
    if (!initialized)
        STEP(1, p11->C_Initialize(NULL));
    STEP(2, p11->C_GetSlotList(CK_TRUE, slots, &n));
    for (CK_ULONG i = 0; i < n; i++)
        if (p11->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
            memcmp(ti.label, "zkr-helper ", 11) == 0)
            slot = slots[i];
    if (slot == (CK_SLOT_ID)-1) {
        res->step = 3;
        res->rv = CKR_TOKEN_NOT_PRESENT;
        return;
    }
    STEP(4, p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
    STEP(5, p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 8));
    STEP(6, p11->C_GenerateKeyPair(s, &gen, pub_t, 3, priv_t, 3, &pub, &priv));
    STEP(7, p11->C_SignInit(s, &ecdsa, priv));
    STEP(8, p11->C_Sign(s, hash, sizeof hash, sig, &sig_len));
    res->sig_len = sig_len;
    STEP(9, p11->C_VerifyInit(s, &ecdsa, pub));
    res->verify_ok = p11->C_Verify(s, hash, sizeof hash, sig, sig_len) == CKR_OK;
    (void)p11->C_Logout(s);
    (void)p11->C_CloseSession(s);
    (void)p11->C_Finalize(NULL);
}

/* What the helper can still reach, after the module did its work. */
static void helper_reach(const fixture *f, helper_result *res)
{
    char path[160];
    int fd;

    fd = open(f->registry, O_RDONLY);
    res->registry_errno = fd < 0 ? errno : 0;
    fd = open("/etc/passwd", O_RDONLY);
    res->passwd_errno = fd < 0 ? errno : 0;
    (void)snprintf(path, sizeof path, "%s/probe", f->tokens);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    res->token_dir_write_errno = fd < 0 ? errno : 0;
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    res->unix_socket_fd_ok = fd >= 0;
}

/* Waits with a call the helper policy allows: the filter must reach it, not kill it. */
static void *idle_thread(void *arg)
{
    (void)arg;
    for (;;)
        sleep(3600);
    return NULL;
}

/* Runs `what` in a fresh confined child; returns its wait status. */
static int run_child(const fixture *f, const char *what, helper_result *res)
{
    int pfd[2], st = 0;
    pid_t pid;

    memset(res, 0, sizeof *res);
    if (pipe(pfd) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        helper_result r;
        CK_C_GetFunctionList gfl;
        CK_FUNCTION_LIST_PTR p11 = NULL;
        void *h = dlopen(SOFTHSM, RTLD_NOW | RTLD_LOCAL);

        memset(&r, 0, sizeof r);
        (void)close(pfd[0]);
        gfl = h ? (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList") : NULL;
        if (gfl == NULL || gfl(&p11) != CKR_OK)
            _exit(40);
        if (strcmp(what, "expose") == 0) {
            /* configuration error: confinement must refuse before changing anything */
            const char *ro[] = {f->dir};
            zkr_sandbox_pkcs11_opts o = {ro, 1, NULL, 0, NULL, 0, 0, f->registry, NULL, NULL, 0};
            zkr_diag d;
            zkr_diag_clear(&d);
            r.confine_rc = zkr_sandbox_confine_pkcs11_helper(&o, &r.conf, &d);
        } else if (strcmp(what, "thread") == 0) {
            /* a module's constructor left a thread behind: refused, and filtered */
            pthread_t th;
            if (pthread_create(&th, NULL, idle_thread, NULL) != 0)
                _exit(44);
            r.confine_rc = confine(f, pfd[1], f->registry, 0, &r.conf);
            r.step = (r.conf & ZKR_SANDBOX_C_SECCOMP) != 0;
        } else if (strcmp(what, "late") == 0) {
            /* hsm/ style: C_Initialize first, confine after, keeping the module's fds */
            if (p11->C_Initialize(NULL) != CKR_OK ||
                (r.confine_rc = confine(f, pfd[1], f->registry, 1, &r.conf)) != ZKR_OK)
                _exit(43);
            helper_pkcs11(p11, 1, &r);
            helper_reach(f, &r);
        } else if ((r.confine_rc = confine(f, pfd[1], f->registry, 0, &r.conf)) != ZKR_OK) {
            _exit(41);
        } else if (strcmp(what, "work") == 0) {
            helper_pkcs11(p11, 0, &r);
            helper_reach(f, &r);
        } else if (strcmp(what, "inet") == 0) {
            (void)socket(AF_INET, SOCK_STREAM, 0);
        } else if (strcmp(what, "exec") == 0) {
            char *const argv[] = {(char *)"/bin/true", NULL};
            (void)execve(argv[0], argv, argv + 1);
        } else if (strcmp(what, "prot-exec") == 0) {
            (void)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        }
        if (write(pfd[1], &r, sizeof r) != (ssize_t)sizeof r)
            _exit(42);
        _exit(0);
    }
    (void)close(pfd[1]);
    if (pid < 0 || read(pfd[0], res, sizeof *res) < 0)
        res->confine_rc = -999;
    (void)close(pfd[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

int main(int argc, char **argv)
{
    zkr_tap t;
    fixture f;
    helper_result res;
    int st;
    char conf[160];

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 99;
    if (!zkr_tap_ok(&t, fixture_make(&f), "SoftHSM2 token initialised in %s", f.dir))
        return zkr_tap_done(&t);

    st = run_child(&f, "work", &res);
    zkr_sandbox_confinement_str(res.conf, conf, sizeof conf);
    zkr_tap_ok(&t, WIFEXITED(st) && WEXITSTATUS(st) == 0 && res.confine_rc == ZKR_OK,
               "helper confined and finished (status 0x%x, confinement %s)", st, conf);
    zkr_tap_ok(&t, (res.conf & ZKR_SANDBOX_C_REQUIRED) == ZKR_SANDBOX_C_REQUIRED,
               "helper: fds, rlimits, nodump, no-new-privs and seccomp applied");
    zkr_tap_ok(&t, res.rv == 0 && res.step == 0,
               "SoftHSM2 works confined: init, login, token key generation, sign (step %d rv "
               "0x%lx)", res.step, res.rv);
    zkr_tap_ok(&t, res.sig_len == 64 && res.verify_ok, "ECDSA P-256 signature verifies");
    if (zkr_sandbox_landlock_abi() > 0) {
        zkr_tap_ok(&t, res.registry_errno == EACCES, "registry file unreadable (errno %d)",
                   res.registry_errno);
        zkr_tap_ok(&t, res.passwd_errno == EACCES, "/etc/passwd unreadable (errno %d)",
                   res.passwd_errno);
    }
    zkr_tap_ok(&t, res.token_dir_write_errno == 0, "token directory stays writable");
    zkr_tap_ok(&t, res.unix_socket_fd_ok, "AF_UNIX sockets (pcscd) stay available");

    st = run_child(&f, "late", &res);
    zkr_tap_ok(&t, WIFEXITED(st) && WEXITSTATUS(st) == 0 && res.rv == 0 && res.verify_ok &&
                   (res.conf & ZKR_SANDBOX_C_SECCOMP) && !(res.conf & ZKR_SANDBOX_C_FDS_CLOSED),
               "confining after C_Initialize (keep_all_fds) also works (step %d rv 0x%lx)",
               res.step, res.rv);
    if (zkr_sandbox_landlock_abi() > 0)
        zkr_tap_ok(&t, res.registry_errno == EACCES, "late: registry still unreadable");

    st = run_child(&f, "thread", &res);
    zkr_tap_ok(&t, WIFEXITED(st) && WEXITSTATUS(st) == 0 && res.confine_rc == ZKR_ERR_SANDBOX &&
                   res.step == 1,
               "a second thread makes confinement refuse, with the filter still loaded on every "
               "thread (TSYNC) (rc %d)", res.confine_rc);

    st = run_child(&f, "inet", &res);
    zkr_tap_ok(&t, WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "AF_INET socket kills the helper");
    st = run_child(&f, "exec", &res);
    zkr_tap_ok(&t, WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "execve kills the helper");
    st = run_child(&f, "prot-exec", &res);
    zkr_tap_ok(&t, WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
               "mapping new executable memory kills the helper");
    st = run_child(&f, "expose", &res);
    zkr_tap_ok(&t, WIFEXITED(st) && res.confine_rc == ZKR_ERR_USAGE && res.conf == 0,
               "a path that exposes the registry is refused before confining");
    fixture_remove(&f);
    return zkr_tap_done(&t);
}
