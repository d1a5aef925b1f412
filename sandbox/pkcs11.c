/*
 * Confinement of the PKCS#11 helper process (used by hsm/). The module is
 * third-party code that handles PINs and keys; it may read its libraries
 * and configuration, read and write its token directory, and talk to
 * pcscd over a unix socket. It must not reach the registry, the network,
 * other processes, or load new code.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox_int.h"

/* Is `path` equal to or below `dir`? Both absolute and canonical. */
static int zkr_pkcs11_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 1 && dir[0] == '/')
        return 1;
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Does allowed path p (canonical) reach the registry or its -wal, -shm or -journal file? */
static int zkr_pkcs11_exposes(const char *p, const char *registry)
{
    static const char *const side[] = {"-wal", "-shm", "-journal"};
    size_t n = strlen(registry);

    if (zkr_pkcs11_under(registry, p))
        return 1;
    for (size_t i = 0; i < sizeof side / sizeof side[0]; i++)
        if (strncmp(p, registry, n) == 0 && strcmp(p + n, side[i]) == 0)
            return 1;
    return 0;
}

static zkr_err zkr_pkcs11_check_paths(const char *const *paths, size_t n, const char *registry,
                                      zkr_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        char canon[PATH_MAX];
        const char *p = paths[i];
        if (p == NULL || p[0] != '/')
            return zkr_fail(d, ZKR_ERR_USAGE, "PKCS#11 helper path '%s' is not absolute",
                            p ? p : "(null)");
        if (realpath(p, canon) != NULL)
            p = canon;
        if (registry != NULL && zkr_pkcs11_exposes(p, registry))
            return zkr_fail(d, ZKR_ERR_USAGE,
                            "PKCS#11 helper path '%s' would expose the registry '%s'", paths[i],
                            registry);
    }
    return ZKR_OK;
}

/* ---- step 1: namespaces, and the relay that stays outside them ---- */

#define ZKR_PKCS11_LOG_MAX (64 * 1024)
#define ZKR_PKCS11_VIEW_MAX 48

static int zkr_pkcs11_write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t n = strlen(text);
    int ok;

    if (fd < 0)
        return -1;
    ok = write(fd, text, n) == (ssize_t)n;
    (void)close(fd);
    return ok ? 0 : -1;
}

static zkr_err zkr_pkcs11_write_maps(uid_t uid, gid_t gid, zkr_diag *d);

/* Maps the caller's own uid and gid into its new user namespace (nothing else). */
static zkr_err zkr_pkcs11_map_self(uid_t uid, gid_t gid, zkr_diag *d)
{
    zkr_err r;

    /* a non-dumpable process's /proc/self files belong to root: an unprivileged helper
       could not write its own maps. Dumpable only for these writes, before any module
       code and before the PIN arrives. */
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PKCS#11 helper: PR_SET_DUMPABLE: %s",
                        strerror(errno));
    r = zkr_pkcs11_write_maps(uid, gid, d);
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 && r == ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_SANDBOX, "PKCS#11 helper: PR_SET_DUMPABLE: %s", strerror(errno));
    return r;
}

static zkr_err zkr_pkcs11_write_maps(uid_t uid, gid_t gid, zkr_diag *d)
{
    char line[64];

    if (zkr_pkcs11_write_file("/proc/self/setgroups", "deny") != 0 && errno != ENOENT)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PKCS#11 helper: setgroups deny: %s", strerror(errno));
    (void)snprintf(line, sizeof line, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if (zkr_pkcs11_write_file("/proc/self/uid_map", line) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PKCS#11 helper: uid_map: %s", strerror(errno));
    (void)snprintf(line, sizeof line, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    if (zkr_pkcs11_write_file("/proc/self/gid_map", line) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PKCS#11 helper: gid_map: %s", strerror(errno));
    return ZKR_OK;
}

typedef struct {
    const char *prefix;
    int bol;       /* at the beginning of a line */
    size_t budget; /* bytes still allowed through */
} zkr_pkcs11_log;

static void zkr_pkcs11_log_out(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(2, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* The module's bytes as printable ASCII lines under the prefix, like the workers' logs. */
static void zkr_pkcs11_log_filter(zkr_pkcs11_log *lg, const uint8_t *p, size_t n)
{
    char out[8192];
    size_t k = 0;

    for (size_t i = 0; i < n && lg->budget > 0; i++, lg->budget--) {
        uint8_t c = p[i];
        if (k + strlen(lg->prefix) + 2 >= sizeof out) {
            zkr_pkcs11_log_out(out, k);
            k = 0;
        }
        if (lg->bol) {
            memcpy(out + k, lg->prefix, strlen(lg->prefix));
            k += strlen(lg->prefix);
            lg->bol = 0;
        }
        out[k++] = (c == '\n' || (c >= 0x20 && c <= 0x7e)) ? (char)c : '?';
        lg->bol = c == '\n';
        if (lg->budget == 1) {
            static const char cut[] = "\n[further output of the PKCS#11 module dropped]\n";
            memcpy(out + k, cut, sizeof cut - 1 <= sizeof out - k ? sizeof cut - 1 : 0);
            k += sizeof cut - 1 <= sizeof out - k ? sizeof cut - 1 : 0;
        }
    }
    zkr_pkcs11_log_out(out, k);
}

/*
 * The relay: outside the PID namespace, it copies PID 1's stderr through
 * the filter until PID 1 ends, then ends the same way. SIGTERM makes it
 * kill PID 1 and wait: PID 1's exit is reported only once the kernel has
 * ended every process of its namespace, so when the relay is reaped
 * nothing the module started is left. If it is killed, PID 1 gets SIGKILL
 * (PR_SET_PDEATHSIG) and the kernel ends the namespace, a moment later.
 */
_Noreturn static void zkr_pkcs11_relay(pid_t child, int errfd, const char *prefix)
{
    zkr_pkcs11_log lg = {prefix, 1, ZKR_PKCS11_LOG_MAX};
    int pidfd = (int)syscall(SYS_pidfd_open, child, 0), st = 0, eof = 0, sigfd;
    uint8_t buf[4096];
    sigset_t term;
    ssize_t n;

    (void)signal(SIGPIPE, SIG_IGN);
    (void)sigemptyset(&term);
    (void)sigaddset(&term, SIGTERM);
    (void)sigprocmask(SIG_BLOCK, &term, NULL);
    sigfd = signalfd(-1, &term, SFD_CLOEXEC);
    while (!eof) {
        struct pollfd pf[3] = {{errfd, POLLIN, 0}, {sigfd, POLLIN, 0}, {pidfd, POLLIN, 0}};
        int rc = poll(pf, pidfd >= 0 ? 3 : 2, -1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            break;
        if (sigfd >= 0 && pf[1].revents != 0) {
            (void)kill(child, SIGKILL);
            break; /* waitpid below returns once the namespace is empty */
        }
        if (pf[0].revents != 0) {
            n = read(errfd, buf, sizeof buf);
            if (n > 0)
                zkr_pkcs11_log_filter(&lg, buf, (size_t)n);
            else if (n == 0 || errno != EINTR)
                eof = 1;
        }
        if (pidfd >= 0 && pf[2].revents != 0)
            break; /* PID 1 ended: whatever it started is gone with it */
    }
    (void)fcntl(errfd, F_SETFL, O_NONBLOCK);
    while ((n = read(errfd, buf, sizeof buf)) > 0)
        zkr_pkcs11_log_filter(&lg, buf, (size_t)n);
    if (!lg.bol)
        zkr_pkcs11_log_out("\n", 1);
    while (waitpid(child, &st, __WALL) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(st)) {
        sigset_t all;
        if (WTERMSIG(st) != SIGTERM)
            (void)signal(SIGTERM, SIG_IGN); /* a pending SIGTERM must not replace PID 1's signal */
        (void)signal(WTERMSIG(st), SIG_DFL);
        (void)sigfillset(&all);
        (void)sigprocmask(SIG_UNBLOCK, &all, NULL);
        (void)raise(WTERMSIG(st));
        _exit(128 + WTERMSIG(st));
    }
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}

zkr_err zkr_sandbox_pkcs11_enter(const char *log_prefix, int close_in_relay, uint32_t *bits,
                                 zkr_diag *d)
{
    const int ns = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    int errp[2] = {-1, -1}, life[2] = {-1, -1};
    struct pollfd pf;
    pid_t pid;
    zkr_err r;

    *bits = 0;
    if (unshare(CLONE_NEWUSER | ns) == 0) {
        if ((r = zkr_pkcs11_map_self(uid, gid, d)) != ZKR_OK)
            return r;
        *bits |= ZKR_SANDBOX_C_USERNS;
    } else if (unshare(ns) != 0) {
        /* root without user namespaces can still make the others */
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "the PKCS#11 helper cannot make its PID, network, IPC and mount "
                        "namespaces: %s",
                        strerror(errno));
    }
    *bits |= ZKR_SANDBOX_C_PIDNS | ZKR_SANDBOX_C_NETNS | ZKR_SANDBOX_C_IPCNS | ZKR_SANDBOX_C_MNTNS;
    if (pipe2(errp, O_CLOEXEC) != 0 || pipe2(life, O_CLOEXEC) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PKCS#11 helper: pipe: %s", strerror(errno));
    pid = fork();
    if (pid < 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PKCS#11 helper: fork into its PID namespace: %s",
                        strerror(errno));
    if (pid > 0) {
        (void)close(errp[1]);
        (void)close(life[0]);
        if (close_in_relay >= 0)
            (void)close(close_in_relay);
        zkr_pkcs11_relay(pid, errp[0], log_prefix != NULL ? log_prefix : "");
    }
    (void)close(errp[0]);
    (void)close(life[1]);
    if (dup2(errp[1], 2) != 2)
        _exit(127);
    (void)close(errp[1]);
    /* the relay holds life[1]: if it is already gone the pipe reads as hung up */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        _exit(127);
    pf = (struct pollfd){life[0], POLLIN, 0};
    if (poll(&pf, 1, 0) != 0)
        _exit(127);
    (void)close(life[0]);
    return ZKR_OK;
}

/* ---- step 2: the file-system view ---- */

typedef struct {
    char src[PATH_MAX]; /* canonical, in the old root */
    const char *dst;    /* as configured */
    int rw;
} zkr_pkcs11_mnt;

/* Creates every directory of `path` (under the new root); the last one too when `last`. */
static int zkr_pkcs11_mkdirs(const char *path, int last)
{
    char tmp[PATH_MAX + 16];
    struct stat st;
    size_t n = strlen(path);

    if (n >= sizeof tmp)
        return -1;
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        if (tmp[i] == '\0' && !last)
            break;
        tmp[i] = '\0';
        if (stat(tmp, &st) != 0 && mkdir(tmp, 0755) != 0)
            return -1;
        tmp[i] = i == n ? '\0' : '/';
    }
    return 0;
}

/* Read-only remount of a bind mount, keeping the flags the kernel locks. */
static int zkr_pkcs11_remount_ro(const char *dst)
{
    struct statvfs sv;
    unsigned long fl = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV;

    if (statvfs(dst, &sv) != 0)
        return -1;
    if (sv.f_flag & ST_NOEXEC)
        fl |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        fl |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        fl |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        fl |= MS_RELATIME;
    return mount(NULL, dst, NULL, fl, NULL);
}

static int zkr_pkcs11_bind(const zkr_pkcs11_mnt *m)
{
    char src[PATH_MAX + 16], dst[PATH_MAX + 16];
    struct stat st;
    int fd;

    if (strlen(m->src) >= PATH_MAX || strlen(m->dst) >= PATH_MAX)
        return -1;
    memcpy(src, "/oldroot", 8);
    memcpy(src + 8, m->src, strlen(m->src) + 1);
    memcpy(dst, "/newroot", 8);
    memcpy(dst + 8, m->dst, strlen(m->dst) + 1);
    if (stat(src, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(st.st_mode)) {
        if (zkr_pkcs11_mkdirs(dst, 1) != 0)
            return -1;
    } else {
        if (zkr_pkcs11_mkdirs(dst, 0) != 0)
            return -1;
        fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EROFS && errno != EEXIST)
            return -1;
        if (fd >= 0)
            (void)close(fd);
    }
    if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) != 0)
        return -1;
    return m->rw ? 0 : zkr_pkcs11_remount_ro(dst);
}

static int zkr_pkcs11_mnt_add(zkr_pkcs11_mnt *m, size_t *n, const char *p, int rw)
{
    size_t len = strlen(p);

    if (*n >= ZKR_PKCS11_VIEW_MAX)
        return -1;
    if (strstr(p, "/../") != NULL || strstr(p, "/./") != NULL ||
        (len >= 3 && strcmp(p + len - 3, "/..") == 0))
        return -1;
    if (realpath(p, m[*n].src) == NULL) /* absent, or out of this user's reach: nothing to show */
        return errno == ENOENT || errno == EACCES || errno == ENOTDIR ? 0 : -1;
    m[*n].dst = p;
    m[*n].rw = rw;
    (*n)++;
    return 0;
}

/*
 * pivot_root into a fresh tmpfs that shows only the ro paths (read-only)
 * and rw paths, as bubblewrap does. Named sockets elsewhere (an SSH agent,
 * the session bus) are then not reachable by path; Landlock alone cannot
 * stop a connect() to one.
 */
static zkr_err zkr_pkcs11_view(const zkr_sandbox_pkcs11_opts *o, zkr_diag *d)
{
    zkr_pkcs11_mnt m[ZKR_PKCS11_VIEW_MAX];
    const char *step = "collecting paths";
    size_t n = 0;
    int ok = 1;

    for (size_t i = 0; ok && i < o->n_ro; i++)
        ok = zkr_pkcs11_mnt_add(m, &n, o->ro_paths[i], 0) == 0;
    for (size_t i = 0; ok && i < o->n_rw; i++)
        ok = zkr_pkcs11_mnt_add(m, &n, o->rw_paths[i], 1) == 0;
    /* parents before children, so a child mount is not hidden by its parent's */
    for (size_t i = 1; ok && i < n; i++)
        for (size_t j = i; j > 0 && strlen(m[j - 1].dst) > strlen(m[j].dst); j--) {
            zkr_pkcs11_mnt t = m[j];
            m[j] = m[j - 1];
            m[j - 1] = t;
        }
    if (ok && (step = "making mounts private",
               mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0))
        ok = 0;
    if (ok && (step = "tmpfs root", mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
                                          "mode=0755,size=1m") != 0))
        ok = 0;
    if (ok && (step = "new root", chdir("/tmp") != 0 || mkdir("newroot", 0755) != 0 ||
                                      mkdir("oldroot", 0755) != 0 ||
                                      mount("newroot", "newroot", NULL, MS_BIND | MS_REC, NULL) !=
                                          0 ||
                                      syscall(SYS_pivot_root, "/tmp", "/tmp/oldroot") != 0 ||
                                      chdir("/") != 0))
        ok = 0;
    for (size_t i = 0; ok && i < n; i++)
        if (zkr_pkcs11_bind(&m[i]) != 0) {
            step = m[i].dst;
            ok = 0;
        }
    if (ok && (step = "leaving the old root",
               umount2("/oldroot", MNT_DETACH) != 0 || chdir("/newroot") != 0 ||
                   syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 ||
                   chdir("/") != 0 ||
                   mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                         NULL) != 0))
        ok = 0;
    if (!ok)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PKCS#11 helper file-system view: %s: %s", step,
                        strerror(errno));
    return ZKR_OK;
}

/* ---- steps 2 and 4 ---- */

static zkr_err zkr_pkcs11_check_opts(const zkr_sandbox_pkcs11_opts *o, zkr_diag *d)
{
    char reg[PATH_MAX];
    const char *registry = NULL;
    zkr_err r;

    if (o == NULL || (o->n_ro && o->ro_paths == NULL) || (o->n_rw && o->rw_paths == NULL) ||
        (o->n_keep && o->keep_fds == NULL))
        return zkr_fail(d, ZKR_ERR_USAGE, "PKCS#11 helper options are incomplete");
    if (o->registry_path != NULL && o->registry_path[0] != '\0')
        registry = realpath(o->registry_path, reg) != NULL ? reg : o->registry_path;
    if ((r = zkr_pkcs11_check_paths(o->ro_paths, o->n_ro, registry, d)) != ZKR_OK ||
        (r = zkr_pkcs11_check_paths(o->rw_paths, o->n_rw, registry, d)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < o->n_keep; i++)
        if (o->keep_fds[i] < 0)
            return zkr_fail(d, ZKR_ERR_USAGE, "PKCS#11 helper keep fd %d is invalid",
                            o->keep_fds[i]);
    return ZKR_OK;
}

zkr_err zkr_sandbox_pkcs11_prepare(const zkr_sandbox_pkcs11_opts *o, uint32_t *confinement,
                                   int *task_fd, zkr_diag *d)
{
    zkr_sandbox_limits def;
    uint32_t conf = 0, ns;
    int abi = 0;
    zkr_err r;

    *confinement = 0;
    *task_fd = -1;
    if ((r = zkr_pkcs11_check_opts(o, d)) != ZKR_OK)
        return r;
    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_PKCS11, &def);
    if (!o->keep_all_fds) {
        if ((r = zkr_sandbox_close_fds_except(o->keep_fds, o->n_keep, d)) != ZKR_OK)
            goto out;
        conf |= ZKR_SANDBOX_C_FDS_CLOSED;
    }
    if ((r = zkr_sandbox_set_rlimits(o->limits ? o->limits : &def, d)) != ZKR_OK)
        goto out;
    conf |= ZKR_SANDBOX_C_RLIMITS;
    if ((r = zkr_sandbox_prctl_harden(d)) != ZKR_OK)
        goto out;
    conf |= ZKR_SANDBOX_C_NODUMP | ZKR_SANDBOX_C_NO_NEW_PRIVS;
    /* without step 1 (a module already loaded): no mount namespace, the
       token and pcscd paths must stay where they are */
    ns = o->entered != 0 ? o->entered : zkr_sandbox_unshare(0);
    if ((ns & ZKR_SANDBOX_C_NETNS) == 0) {
        r = zkr_fail(d, ZKR_ERR_SANDBOX, "the PKCS#11 helper could not make a network namespace");
        goto out;
    }
    conf |= ns;
    /* /proc disappears behind the view and Landlock: keep the task list open for seal */
    *task_fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*task_fd < 0) {
        r = zkr_fail(d, ZKR_ERR_SANDBOX, "PKCS#11 helper: /proc/self/task: %s", strerror(errno));
        goto out;
    }
    if ((o->entered & ZKR_SANDBOX_C_MNTNS) != 0) {
        if ((r = zkr_pkcs11_view(o, d)) != ZKR_OK)
            goto out;
        conf |= ZKR_SANDBOX_C_FS_VIEW;
    }
    if ((r = zkr_sandbox_drop_caps(d)) != ZKR_OK)
        goto out;
    conf |= ZKR_SANDBOX_C_CAPS;
    conf |= zkr_sandbox_landlock_apply(o->ro_paths, o->n_ro, o->rw_paths, o->n_rw, &abi);
    if (zkr_sandbox_landlock_abi() > 0 && (conf & ZKR_SANDBOX_C_LANDLOCK) == 0)
        r = zkr_fail(d, ZKR_ERR_SANDBOX,
                     "the kernel offers Landlock but the PKCS#11 helper's ruleset failed");
out:
    *confinement = conf;
    return r;
}

/* Threads listed in /proc/self/task (an fd opened before confinement); -1 on error. */
static int zkr_pkcs11_threads(int task_fd)
{
    char buf[4096];
    int count = 0;
    long n;

    if (lseek(task_fd, 0, SEEK_SET) != 0)
        return -1;
    while ((n = syscall(SYS_getdents64, task_fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct dirent64 *e = (struct dirent64 *)(void *)(buf + off);
            if (e->d_name[0] != '.')
                count++;
            off += e->d_reclen;
        }
    }
    return n < 0 ? -1 : count;
}

/* 1 if this process has or had a child (reaping the ones that ended). */
static int zkr_pkcs11_has_children(void)
{
    int st, seen = 0;
    pid_t w;

    while ((w = waitpid(-1, &st, WNOHANG | __WALL)) > 0)
        seen = 1;
    return seen || w == 0;
}

zkr_err zkr_sandbox_pkcs11_load_filter(zkr_diag *d)
{
    return zkr_sandbox_seccomp_load(ZKR_SANDBOX_POLICY_PKCS11_LOAD, d);
}

zkr_err zkr_sandbox_pkcs11_seal(const zkr_sandbox_pkcs11_opts *o, int task_fd,
                                uint32_t *confinement, zkr_diag *d)
{
    const char *mod = o != NULL && o->module != NULL ? o->module : "(none loaded)";
    int threads = task_fd >= 0 ? zkr_pkcs11_threads(task_fd) : -1;
    zkr_err r;

    zkr_diag ignored;

    if (task_fd >= 0)
        (void)close(task_fd);
    if (threads != 1 || zkr_pkcs11_has_children()) {
        /* refused; the filter goes on all the same (TSYNC reaches the module's threads), so
           nothing it started runs unfiltered while the helper reports and exits */
        zkr_diag_clear(&ignored);
        if (zkr_sandbox_seccomp_load(ZKR_SANDBOX_POLICY_PKCS11, &ignored) == ZKR_OK)
            *confinement |= ZKR_SANDBOX_C_SECCOMP;
        if (threads != 1)
            return zkr_fail(d, ZKR_ERR_SANDBOX,
                            "PKCS#11 module %s started %d threads before C_Initialize; refused: "
                            "its own threads would run outside the helper's seccomp filter",
                            mod, threads < 0 ? 0 : threads);
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "PKCS#11 module %s started a process before C_Initialize; refused", mod);
    }
    if ((r = zkr_sandbox_seccomp_load(ZKR_SANDBOX_POLICY_PKCS11, d)) != ZKR_OK)
        return r;
    *confinement |= ZKR_SANDBOX_C_SECCOMP;
    return ZKR_OK;
}

zkr_err zkr_sandbox_confine_pkcs11_helper(const zkr_sandbox_pkcs11_opts *o, uint32_t *confinement,
                                          zkr_diag *d)
{
    int task_fd = -1;
    zkr_err r;

    if ((r = zkr_sandbox_pkcs11_prepare(o, confinement, &task_fd, d)) == ZKR_OK)
        r = zkr_sandbox_pkcs11_seal(o, task_fd, confinement, d);
    else if (task_fd >= 0)
        (void)close(task_fd);
    if (r != ZKR_OK)
        *confinement = r == ZKR_ERR_USAGE ? 0 : *confinement;
    return r;
}
