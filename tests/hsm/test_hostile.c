/*
 * The PKCS#11 helper against a hostile module (hostile.c, forwarding to
 * SoftHSM2), through the real zkreg binary and the real helper: a module
 * that starts a thread and a process is refused and leaves nothing
 * running; a writable path exposing the registry is refused; the module
 * sees only the allowlisted environment and cannot reach a socket named
 * in it; what it writes to stderr arrives filtered; modules outside the
 * allowed directories and untrusted helpers are refused.
 * Runs under softhsm-setup.sh (token zkr-test, $ZKR_HSM_DIR/pin).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>

#include "tap.h"

static const char *zkreg, *hostile, *hsmdir;
static char tmp[256];

typedef struct {
    int deny_unshare; /* run zkreg (and so its helper) where unshare() fails with EPERM */
    unsigned watchdog_s; /* > 0: SIGALRM ends a zkreg that hangs (only a hang fails on it) */
    int rc;
    char err[8192];
    size_t err_len;
    char line[8192]; /* err on one line, for TAP descriptions */
    char out[8192];  /* stdout */
    size_t out_len;
} run_result;

/* Runs zkreg with argv (NULL-ended) in the current environment; stderr captured. */
static void run(char *const argv[], run_result *res)
{
    char errpath[300], outpath[300];
    int st = 0, fd;
    pid_t pid;
    ssize_t n;

    int deny = res->deny_unshare;
    unsigned watchdog = res->watchdog_s;

    memset(res, 0, sizeof *res);
    res->rc = -1;
    snprintf(errpath, sizeof errpath, "%s/stderr", tmp);
    snprintf(outpath, sizeof outpath, "%s/stdout", tmp);
    pid = fork();
    if (pid == 0) {
        int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int o = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (e < 0 || o < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        if (deny) {
            scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
            if (f == NULL || seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0) ||
                seccomp_load(f) != 0)
                _exit(125);
        }
        if (watchdog > 0)
            alarm(watchdog); /* survives exec */
        execv(zkreg, argv);
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    res->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    fd = open(errpath, O_RDONLY);
    n = fd >= 0 ? read(fd, res->err, sizeof res->err - 1) : -1;
    res->err_len = n > 0 ? (size_t)n : 0;
    res->err[res->err_len] = '\0';
    for (size_t i = 0; i <= res->err_len; i++)
        res->line[i] = res->err[i] == '\n' ? ' ' : res->err[i];
    if (fd >= 0)
        close(fd);
    fd = open(outpath, O_RDONLY);
    n = fd >= 0 ? read(fd, res->out, sizeof res->out - 1) : -1;
    res->out_len = n > 0 ? (size_t)n : 0;
    res->out[res->out_len] = '\0';
    if (fd >= 0)
        close(fd);
}

/* key public of object k1 on the token labelled `token`. */
static void key_public_on(const char *module, const char *token, run_result *res)
{
    /* res->deny_unshare is an input */
    char uri[1024], reg[300];
    char *argv[] = {(char *)"zkreg", (char *)"key", (char *)"public", (char *)"--registry", reg,
                    uri, NULL};

    snprintf(reg, sizeof reg, "%s/reg/zkreg.db", tmp);
    snprintf(uri, sizeof uri, "pkcs11:token=%s;object=k1?module-path=%s&pin-source=%s/pin", token,
             module, hsmdir);
    run(argv, res);
}

static void key_public(const char *module, run_result *res)
{
    key_public_on(module, "zkr-test", res);
}

static int file_has(const char *name, const char *needle)
{
    char path[300], buf[8192];
    int fd;
    ssize_t n;

    snprintf(path, sizeof path, "%s/report/%s", tmp, name);
    fd = open(path, O_RDONLY);
    buf[0] = '\n'; /* so that the first line matches "\nNAME\n" too */
    n = fd >= 0 ? read(fd, buf + 1, sizeof buf - 2) : -1;
    if (fd >= 0)
        close(fd);
    if (n < 0)
        return 0;
    buf[n + 1] = '\0';
    return strstr(buf, needle) != NULL;
}

/* Is `name` one whole line of report file `file`? */
static int file_has_line(const char *file, const char *name)
{
    char needle[160];

    snprintf(needle, sizeof needle, "\n%s\n", name);
    return file_has(file, needle);
}

static void reset_report(void)
{
    char path[300];

    snprintf(path, sizeof path, "%s/report/log", tmp);
    unlink(path);
    snprintf(path, sizeof path, "%s/report/env", tmp);
    unlink(path);
}

/* A helper that cannot make its namespaces must refuse to load any module, and say so. */
static void test_no_namespaces(zkr_tap *t)
{
    run_result r = {0};

    reset_report();
    setenv("ZKR_TESTMOD_HOSTILE", "stderr", 1);
    memset(&r, 0, sizeof r);
    r.deny_unshare = 1;
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "cannot make its PID, network, IPC and mount") != NULL &&
                      strstr(r.err, "HOSTILE") == NULL,
               "where unshare() fails the helper loads no module and says why (exit %d: %s)",
               r.rc, r.line);
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

static void test_accept(zkr_tap *t)
{
    run_result r = {0};

    setenv("ZKR_TESTMOD_HOSTILE", "", 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 0, "the forwarding module in an allowed directory works (exit %d: %s)",
               r.rc, r.line);
}

/* A constructor's thread and process: refused, and nothing survives the command. */
static void test_thread(zkr_tap *t)
{
    char fifo[300];
    run_result r = {0};
    struct pollfd pf;
    int fd, hup;

    reset_report();
    snprintf(fifo, sizeof fifo, "%s/report/alive.fifo", tmp);
    unlink(fifo);
    if (mkfifo(fifo, 0600) != 0 || (fd = open(fifo, O_RDONLY | O_NONBLOCK)) < 0) {
        zkr_tap_ok(t, 0, "fifo for the liveness check");
        return;
    }
    setenv("ZKR_TESTMOD_HOSTILE", "thread", 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "started 2 threads") != NULL &&
                      strstr(r.err, hostile) != NULL,
               "a module whose constructor starts a thread is refused, by name (exit %d: %s)",
               r.rc, r.line);
    zkr_tap_ok(t, file_has("log", "thread") && file_has("log", "fifo ") &&
                      file_has("log", "errno 0"),
               "the module's constructor did start a thread and open the fifo");
    /* zkreg has exited: every writer of the fifo must be gone */
    pf = (struct pollfd){fd, POLLIN, 0};
    hup = poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP) != 0;
    zkr_tap_ok(t, hup, "no thread the module started is left running (revents 0x%x)",
               pf.revents);
    close(fd);
    /* a fork from a constructor: the loading filter kills the helper on the spot */
    reset_report();
    if ((fd = open(fifo, O_RDONLY | O_NONBLOCK)) < 0) {
        zkr_tap_ok(t, 0, "fifo reopened");
        return;
    }
    setenv("ZKR_TESTMOD_HOSTILE", "fork", 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "signal 31") != NULL && file_has("log", "fifo ") &&
                      !file_has("log", "forked"),
               "a module whose constructor forks is killed before the fork (exit %d: %s)", r.rc,
               r.line);
    pf = (struct pollfd){fd, POLLIN, 0};
    hup = poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP) != 0;
    zkr_tap_ok(t, hup, "and nothing it started is left running (revents 0x%x)", pf.revents);
    close(fd);
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

static int first_byte(const char *path)
{
    unsigned char c = 0;
    int fd = open(path, O_RDONLY);
    int ok = fd >= 0 && read(fd, &c, 1) == 1;

    if (fd >= 0)
        close(fd);
    return ok ? c : -1;
}

static void test_registry(zkr_tap *t)
{
    char reg[400], regdir[300], rw[700], pass[400];
    char *init[] = {(char *)"zkreg",     (char *)"init", (char *)"--registry", reg,
                    (char *)"--passphrase-file", pass, (char *)"--kdf", (char *)"interactive",
                    NULL};
    run_result r = {0};
    FILE *f;

    snprintf(regdir, sizeof regdir, "%s/reg", tmp);
    snprintf(reg, sizeof reg, "%s/zkreg.db", regdir);
    snprintf(pass, sizeof pass, "%s/fake/regpass", tmp);
    f = fopen(pass, "w");
    if (f != NULL) {
        fputs("registry passphrase\n", f);
        fclose(f);
    }
    run(init, &r);
    if (!zkr_tap_ok(t, r.rc == 0 && first_byte(reg) == 'S', "registry created (%s)", r.line))
        return;
    reset_report();
    setenv("ZKR_TESTMOD_HOSTILE", "registry", 1);
    setenv("ZKR_TESTMOD_TARGET", reg, 1);
    snprintf(rw, sizeof rw, "%s/report:%s", tmp, regdir);
    setenv("ZKREG_PKCS11_RW_PATHS", rw, 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "expose the registry") != NULL,
               "a writable path holding the registry is refused (exit %d: %s)", r.rc, r.line);
    zkr_tap_ok(t, first_byte(reg) == 'S' && !file_has("log", "registry"),
               "the module never ran: the registry's first byte is intact");
    /* twin: the same module with only its report directory writable */
    snprintf(rw, sizeof rw, "%s/report", tmp);
    setenv("ZKREG_PKCS11_RW_PATHS", rw, 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 0 && file_has("log", "registry") && !file_has("log", "zkreg.db errno 0") &&
                      first_byte(reg) == 'S',
               "with the registry out of reach the module runs and cannot open it (exit %d)",
               r.rc);
    unsetenv("ZKR_TESTMOD_TARGET");
}

/* Code that runs before the filter (constructors, their threads) is inside every other layer. */
static void test_window(zkr_tap *t)
{
    char reg[400], port[16];
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    run_result r = {0};
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), c, clean = 1;
    int ufd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_un ua;
    char aname[64];

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!zkr_tap_ok(t, lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 &&
                           listen(lfd, 8) == 0 &&
                           getsockname(lfd, (struct sockaddr *)&a, &alen) == 0,
                    "a TCP listener on 127.0.0.1"))
        return;
    /* an abstract-namespace listener: no path, so neither the view nor Landlock hides it */
    snprintf(aname, sizeof aname, "zkr-hostile-%ld", (long)getpid());
    memset(&ua, 0, sizeof ua);
    ua.sun_family = AF_UNIX;
    memcpy(ua.sun_path + 1, aname, strlen(aname));
    if (!zkr_tap_ok(t, ufd >= 0 &&
                           bind(ufd, (struct sockaddr *)&ua,
                                (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                                            strlen(aname))) == 0 &&
                           listen(ufd, 8) == 0,
                    "an abstract unix listener @%s", aname))
        return;
    setenv("ZKR_TESTMOD_ABSTRACT", aname, 1);
    reset_report();
    snprintf(port, sizeof port, "%u", (unsigned)ntohs(a.sin_port));
    snprintf(reg, sizeof reg, "%s/reg/zkreg.db", tmp);
    setenv("ZKR_TESTMOD_PORT", port, 1);
    setenv("ZKR_TESTMOD_TARGET", reg, 1);
    setenv("ZKR_TESTMOD_HOSTILE", "window,abstract", 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "signal 31") != NULL &&
                      file_has("log", "window shadow") && file_has("log", "window abstract"),
               "the module's constructor runs, and dies on its AF_INET socket() (exit %d: %s)",
               r.rc, r.line);
    zkr_tap_ok(t, !file_has("log", "window shadow errno 0") &&
                      !file_has("log", "window registry errno 0") &&
                      !file_has("log", "window tcp errno 0") && first_byte(reg) == 'S',
               "before the filter a constructor still cannot open /etc/shadow or the registry, "
               "or connect over TCP");
    while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
        clean = 0;
        close(c);
    }
    zkr_tap_ok(t, clean && errno == EAGAIN, "the TCP listener got no connection");
    close(lfd);
    zkr_tap_ok(t, file_has("log", "window abstract errno") &&
                      !file_has("log", "window abstract errno 0"),
               "nor connect to an abstract unix socket (the network namespace hides them)");
    clean = 1;
    while ((c = accept4(ufd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
        clean = 0;
        close(c);
    }
    zkr_tap_ok(t, clean && errno == EAGAIN, "the abstract listener got no connection");
    close(ufd);
    unsetenv("ZKR_TESTMOD_ABSTRACT");
    unsetenv("ZKR_TESTMOD_PORT");
    unsetenv("ZKR_TESTMOD_TARGET");
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

static int listen_unix(const char *path)
{
    struct sockaddr_un a;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0)
        return -1;
    return fd;
}

static void test_env_and_stderr(zkr_tap *t)
{
    char sock[100], bus[200], rw[300];
    run_result r = {0};
    int lfd, c, clean = 1;

    if ((size_t)snprintf(sock, sizeof sock, "%s/agent/agent.sock", tmp) >= sizeof sock) {
        zkr_tap_ok(t, 0, "socket path fits");
        return;
    }
    lfd = listen_unix(sock);
    if (!zkr_tap_ok(t, lfd >= 0, "a listener at %s", sock))
        return;
    reset_report();
    snprintf(bus, sizeof bus, "unix:path=%s", sock);
    snprintf(rw, sizeof rw, "%s/report", tmp);
    setenv("ZKREG_PKCS11_RW_PATHS", rw, 1);
    setenv("SSH_AUTH_SOCK", sock, 1);
    setenv("DBUS_SESSION_BUS_ADDRESS", bus, 1);
    setenv("ZKR_TESTMOD_SOCK", sock, 1);
    setenv("ZKR_TESTMOD_HOSTILE", "env,stderr", 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 0, "the module runs (exit %d: %s)", r.rc, r.line);
    zkr_tap_ok(t, file_has_line("env", "SOFTHSM2_CONF") && !file_has_line("env", "SSH_AUTH_SOCK") &&
                      !file_has_line("env", "DBUS_SESSION_BUS_ADDRESS") &&
                      !file_has_line("env", "HOME") && !file_has_line("env", "PATH"),
               "the module sees the allowlisted environment only (SOFTHSM2_CONF yes; "
               "SSH_AUTH_SOCK, DBUS_SESSION_BUS_ADDRESS, HOME, PATH no)");
    zkr_tap_ok(t, file_has("log", "connect ") && !file_has("log", "agent.sock errno 0"),
               "connect() to the named socket fails inside the helper");
    while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
        clean = 0;
        close(c);
    }
    zkr_tap_ok(t, clean && errno == EAGAIN, "the listener named in SSH_AUTH_SOCK got no connection");
    close(lfd);
    zkr_tap_ok(t, strstr(r.err, "HOSTILE") != NULL && memchr(r.err, 0x1b, r.err_len) == NULL &&
                      memchr(r.err, 0x07, r.err_len) == NULL &&
                      memchr(r.err, '\r', r.err_len) == NULL,
               "the module's stderr arrives with control bytes replaced: %s", r.line);
    zkr_tap_ok(t, strstr(r.err, "zkreg-pkcs11-helper: ?[31mHOSTILE??MODULE") != NULL,
               "and prefixed with the helper's name");
    unsetenv("SSH_AUTH_SOCK");
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    unsetenv("ZKR_TESTMOD_SOCK");
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
    char buf[65536];
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ssize_t n;
    int ok = in >= 0 && out >= 0;

    while (ok && (n = read(in, buf, sizeof buf)) > 0)
        ok = write(out, buf, (size_t)n) == n;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return ok && chmod(to, mode) == 0;
}

static void test_module_dirs(zkr_tap *t)
{
    char evil[300], ww[300], dirs[1400];
    const char *allowed = getenv("ZKREG_PKCS11_MODULE_DIRS");
    run_result r = {0};

    snprintf(evil, sizeof evil, "%s/evil/libevil.so", tmp);
    if (!zkr_tap_ok(t, copy_file(hostile, evil, 0755), "copied the module to %s", evil))
        return;
    setenv("ZKR_TESTMOD_HOSTILE", "stderr", 1);
    key_public(evil, &r);
    zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "not an allowed module directory") != NULL &&
                      strstr(r.err, "HOSTILE") == NULL,
               "a module outside the allowed directories is refused unloaded (exit %d: %s)",
               r.rc, r.line);
    snprintf(dirs, sizeof dirs, "%s:%s/evil", allowed ? allowed : "", tmp);
    setenv("ZKREG_PKCS11_MODULE_DIRS", dirs, 1);
    key_public(evil, &r);
    zkr_tap_ok(t, r.rc == 0, "the same module loads once its directory is configured (exit %d: %s)",
               r.rc, r.line);
    snprintf(ww, sizeof ww, "%s/evil/libww.so", tmp);
    (void)!copy_file(hostile, ww, 0777);
    key_public(ww, &r);
    zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "world-writable") != NULL,
               "a world-writable module in an allowed directory is refused (exit %d: %s)", r.rc,
               r.line);
    setenv("ZKREG_PKCS11_MODULE_DIRS", allowed ? allowed : "", 1);
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

/* A fifo in the report directory, open for reading: when every writer is gone it reads as hung up. */
static int alive_fifo(void)
{
    char fifo[300];

    snprintf(fifo, sizeof fifo, "%s/report/alive.fifo", tmp);
    unlink(fifo);
    if (mkfifo(fifo, 0600) != 0)
        return -1;
    return open(fifo, O_RDONLY | O_NONBLOCK);
}

static int all_writers_gone(int fd)
{
    struct pollfd pf = {fd, POLLIN, 0};

    return poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP) != 0;
}

/* A module that never returns from C_Finalize: zkreg still ends, and takes the helper with it. */
static void test_hang(zkr_tap *t)
{
    run_result r = {0};
    int fd;

    reset_report();
    if (!zkr_tap_ok(t, (fd = alive_fifo()) >= 0, "fifo for the liveness check"))
        return;
    setenv("ZKR_TESTMOD_HOSTILE", "hang", 1);
    r.watchdog_s = 40;
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 0 && file_has("log", "hanging fifo errno 0"),
               "a module whose C_Finalize never returns does not hold zkreg (exit %d: %s)", r.rc,
               r.line);
    zkr_tap_ok(t, all_writers_gone(fd), "and nothing of the helper is left running");
    close(fd);
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

/* A constructor that voids every later seccomp load still runs under the loading filter. */
static void test_unfilter(zkr_tap *t)
{
    run_result r = {0};

    reset_report();
    setenv("ZKR_TESTMOD_HOSTILE", "unfilter", 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, file_has("log", "unfilter installed 0") &&
                      !file_has("log", "ptrace after seal returned") && r.rc == 7 &&
                      strstr(r.err, "signal 31") != NULL,
               "a module that voids the helper's later filter is still killed on ptrace "
               "(exit %d: %s)",
               r.rc, r.line);
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

/* provenance sign with a token key whose module signs something else. */
static void prov_sign(const char *object, const char *outp, run_result *res)
{
    char uri[1024], stmt[300];
    char *argv[] = {(char *)"zkreg", (char *)"provenance", (char *)"sign", stmt, (char *)"--key",
                    uri, (char *)"-o", (char *)outp, NULL};
    FILE *f;

    snprintf(stmt, sizeof stmt, "%s/fake/statement.json", tmp);
    f = fopen(stmt, "w");
    if (f != NULL) {
        fputs("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"m\","
              "\"digest\":{\"sha256\":\"" "0123456789abcdef0123456789abcdef"
              "0123456789abcdef0123456789abcdef\"}}],\"predicateType\":\"https://x/p\","
              "\"predicate\":{}}\n",
              f);
        fclose(f);
    }
    snprintf(uri, sizeof uri, "pkcs11:token=zkr-test;object=%s?module-path=%s&pin-source=%s/pin",
             object, hostile, hsmdir);
    unlink(outp);
    run(argv, res);
}

static void test_resign(zkr_tap *t)
{
    static const char *const objs[] = {"k1", "p256", "ed"};
    char outp[300];
    run_result r = {0};

    snprintf(outp, sizeof outp, "%s/fake/envelope.json", tmp);
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        reset_report();
        setenv("ZKR_TESTMOD_HOSTILE", "resign", 1);
        prov_sign(objs[i], outp, &r);
        zkr_tap_ok(t, r.rc == 7 && file_has("log", "resigned") &&
                          strstr(r.err, "does not verify over the message") != NULL &&
                          access(outp, F_OK) != 0,
                   "%s: a token signature over another message is refused, no envelope "
                   "written (exit %d: %s)",
                   objs[i], r.rc, r.line);
        setenv("ZKR_TESTMOD_HOSTILE", "", 1);
        prov_sign(objs[i], outp, &r);
        zkr_tap_ok(t, r.rc == 0 && access(outp, F_OK) == 0,
                   "%s: the same key through the honest module signs (exit %d: %s)", objs[i],
                   r.rc, r.line);
    }
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

/* The module shares the helper's socket: what it writes there must not reach the terminal raw. */
static void test_forged_replies(zkr_tap *t)
{
    char reg[300];
    char *list[] = {(char *)"zkreg", (char *)"key", (char *)"list", (char *)"--module",
                    (char *)hostile, (char *)"--registry", reg, (char *)"--json", NULL};
    run_result r = {0};

    snprintf(reg, sizeof reg, "%s/reg/zkreg.db", tmp);
    reset_report();
    setenv("ZKR_TESTMOD_HOSTILE", "forge", 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 7 && file_has("log", "forged") && strstr(r.err, "FORGED") != NULL &&
                      memchr(r.err, 0x1b, r.err_len) == NULL &&
                      memchr(r.err, 0x07, r.err_len) == NULL &&
                      memchr(r.err, '\r', r.err_len) == NULL,
               "a forged error reply reaches stderr with its control bytes replaced (exit %d: %s)",
               r.rc, r.line);
    reset_report();
    setenv("ZKR_TESTMOD_HOSTILE", "forgelist", 1);
    run(list, &r);
    zkr_tap_ok(t, r.rc == 0 && file_has("log", "forged") && strstr(r.out, "\"evil\"") == NULL &&
                      memchr(r.out, 0x1b, r.out_len) == NULL &&
                      strstr(r.out, "\"type\":\"secp256k1\"") != NULL,
               "key list --json names key types itself: a forged type string injects no JSON "
               "and no escape sequence (exit %d: %.*s)",
               r.rc, (int)strcspn(r.out, "\n"), r.out); /* one TAP line */
    list[7] = NULL;
    run(list, &r);
    zkr_tap_ok(t, r.rc == 0 && memchr(r.out, 0x1b, r.out_len) == NULL &&
                      strstr(r.out, "\tsecp256k1\n") != NULL,
               "and key list's text output neither (exit %d)", r.rc);
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

/*
 * A token whose label holds a NUL byte ("zkr", NUL, "test"): read as a C
 * string it would answer to "zkr", a name it does not have, and be listed
 * under it. The helper matches it to no name and lists nothing of it.
 */
static void test_nul_label(zkr_tap *t)
{
    char reg[300];
    char *list[] = {(char *)"zkreg", (char *)"key", (char *)"list", (char *)"--module",
                    (char *)hostile, (char *)"--registry", reg, NULL};
    run_result r = {0};

    snprintf(reg, sizeof reg, "%s/reg/zkreg.db", tmp);
    reset_report();
    setenv("ZKR_TESTMOD_HOSTILE", "", 1);
    key_public_on(hostile, "zkr", &r);
    zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "no token labelled 'zkr'") != NULL,
               "without the NUL label no token answers to 'zkr' (exit %d: %s)", r.rc, r.line);
    setenv("ZKR_TESTMOD_HOSTILE", "nullabel", 1);
    key_public_on(hostile, "zkr", &r);
    zkr_tap_ok(t, r.rc == 7 && file_has("log", "nul label") &&
                      strstr(r.err, "no token labelled 'zkr'") != NULL,
               "a token labelled 'zkr', NUL, 'test' does not answer to 'zkr' (exit %d: %s)", r.rc,
               r.line);
    run(list, &r);
    zkr_tap_ok(t, r.rc == 0 && strstr(r.out, "zkr") == NULL,
               "and key list names none of its keys (exit %d: %.*s)", r.rc,
               (int)strcspn(r.out, "\n"), r.out);
    /* NULs after the label are padding, not a second name: the token stays usable */
    reset_report();
    setenv("ZKR_TESTMOD_HOSTILE", "nulpad", 1);
    key_public(hostile, &r);
    zkr_tap_ok(t, r.rc == 0 && file_has("log", "nul padding"),
               "a label padded with NULs instead of blanks still answers to its name (exit %d: "
               "%s)", r.rc, r.line);
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

/* `..`, a symlinked module and a symlinked directory inside an allowed directory. */
static void test_module_path_tricks(zkr_tap *t)
{
    char out[300], good[300], dotdot[400], link[300], sublink[300], via[400], dirs[1400];
    const char *allowed = getenv("ZKREG_PKCS11_MODULE_DIRS");
    run_result r = {0};

    snprintf(out, sizeof out, "%s/outside/libout.so", tmp);
    snprintf(good, sizeof good, "%s/allowed/libgood.so", tmp);
    if (!zkr_tap_ok(t, copy_file(hostile, out, 0755) && copy_file(hostile, good, 0755),
                    "module copies inside and outside an allowed directory"))
        return;
    snprintf(dotdot, sizeof dotdot, "%s/allowed/../outside/libout.so", tmp);
    snprintf(link, sizeof link, "%s/allowed/link.so", tmp);
    snprintf(sublink, sizeof sublink, "%s/allowed/sub", tmp);
    snprintf(via, sizeof via, "%s/allowed/sub/libout.so", tmp);
    if (symlink(out, link) != 0 || symlink("../outside", sublink) != 0) {
        zkr_tap_ok(t, 0, "symlinks made");
        return;
    }
    snprintf(dirs, sizeof dirs, "%s:%s/allowed", allowed ? allowed : "", tmp);
    setenv("ZKREG_PKCS11_MODULE_DIRS", dirs, 1);
    setenv("ZKR_TESTMOD_HOSTILE", "stderr", 1);
    key_public(good, &r);
    zkr_tap_ok(t, r.rc == 0, "a module in the allowed directory loads (exit %d: %s)", r.rc,
               r.line);
    {
        const char *const tricks[] = {dotdot, link, via};
        const char *const what[] = {"a .. path", "a symlinked module", "a symlinked directory"};
        for (size_t i = 0; i < 3; i++) {
            key_public(tricks[i], &r);
            zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "not an allowed module directory") != NULL &&
                              strstr(r.err, "HOSTILE") == NULL,
                       "%s out of the allowed directory is refused unloaded (exit %d: %s)",
                       what[i], r.rc, r.line);
        }
    }
    setenv("ZKREG_PKCS11_MODULE_DIRS", allowed ? allowed : "", 1);
    unsetenv("ZKR_TESTMOD_HOSTILE");
}

/* A helper that anyone may replace must not receive the PIN. */
static void test_helper_trust(zkr_tap *t)
{
    char fake[300], got[300], script[700];
    run_result r = {0};
    FILE *f;

    snprintf(fake, sizeof fake, "%s/fake/zkreg-pkcs11-helper", tmp);
    snprintf(got, sizeof got, "%s/fake/got-pin", tmp);
    snprintf(script, sizeof script, "#!/bin/sh\nexec cat >%s\n", got);
    f = fopen(fake, "w");
    if (f == NULL || fputs(script, f) < 0 || fclose(f) != 0 || chmod(fake, 0777) != 0) {
        zkr_tap_ok(t, 0, "fake helper written");
        return;
    }
    setenv("ZKREG_PKCS11_HELPER", fake, 1);
    key_public("/usr/lib/softhsm/libsofthsm2.so", &r);
    zkr_tap_ok(t, r.rc == 7 && strstr(r.err, "is refused") != NULL && access(got, F_OK) != 0,
               "a world-writable $ZKREG_PKCS11_HELPER is refused and gets no PIN (exit %d: %s)",
               r.rc, r.line);
    unsetenv("ZKREG_PKCS11_HELPER");
}

static int mkdirs(void)
{
    static const char *const sub[] = {"report", "reg", "agent", "evil", "fake", "allowed",
                                      "outside"};
    char p[300];

    for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmp, sub[i]);
        if (mkdir(p, 0755) != 0)
            return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char cmd[300], rw[300];

    zkr_tap_init(&t, argc, argv);
    zkreg = getenv("ZKR_ZKREG");
    hostile = getenv("ZKR_HOSTILE_SO");
    hsmdir = getenv("ZKR_HSM_DIR");
    snprintf(tmp, sizeof tmp, "%s/hostile-XXXXXX", hsmdir ? hsmdir : "/tmp");
    if (!zkr_tap_ok(&t, zkreg && hostile && hsmdir && mkdtemp(tmp) != NULL && chmod(tmp, 0755) == 0 &&
                            mkdirs(),
                    "fixtures: zkreg, the hostile module, a SoftHSM2 token, %s", tmp))
        return zkr_tap_done(&t);
    snprintf(rw, sizeof rw, "%s/report", tmp);
    setenv("ZKR_TESTMOD_REPORT", rw, 1);
    setenv("ZKREG_PKCS11_RW_PATHS", rw, 1);
    test_accept(&t);
    test_no_namespaces(&t);
    test_thread(&t);
    test_registry(&t);
    test_window(&t);
    test_env_and_stderr(&t);
    test_module_dirs(&t);
    test_module_path_tricks(&t);
    test_hang(&t);
    test_unfilter(&t);
    test_resign(&t);
    test_forged_replies(&t);
    test_nul_label(&t);
    test_helper_trust(&t);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "# could not remove %s\n", tmp);
    return zkr_tap_done(&t);
}
