/*
 * Confinement steps, each small and in the order the worker applies them:
 * close fds, rlimits, prctl, namespaces, Landlock (seccomp is policy.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox_int.h"

/*
 * Landlock UAPI. linux-libc-dev 6.1 stops at ABI 2, the kernel has 7, so
 * the newer constants are defined here (values from the kernel's UAPI).
 */
#define ZKR_LL_CREATE_RULESET_VERSION (1u << 0)
#define ZKR_LL_CREATE_RULESET_ERRATA (1u << 1)
#define ZKR_LL_RULE_PATH_BENEATH 1
#define ZKR_LL_FS_EXECUTE (1ull << 0)
#define ZKR_LL_FS_WRITE_FILE (1ull << 1)
#define ZKR_LL_FS_READ_FILE (1ull << 2)
#define ZKR_LL_FS_READ_DIR (1ull << 3)
#define ZKR_LL_FS_REMOVE_DIR (1ull << 4)
#define ZKR_LL_FS_REMOVE_FILE (1ull << 5)
#define ZKR_LL_FS_MAKE_CHAR (1ull << 6)
#define ZKR_LL_FS_MAKE_DIR (1ull << 7)
#define ZKR_LL_FS_MAKE_REG (1ull << 8)
#define ZKR_LL_FS_MAKE_SOCK (1ull << 9)
#define ZKR_LL_FS_MAKE_FIFO (1ull << 10)
#define ZKR_LL_FS_MAKE_BLOCK (1ull << 11)
#define ZKR_LL_FS_MAKE_SYM (1ull << 12)
#define ZKR_LL_FS_REFER (1ull << 13)    /* ABI 2 */
#define ZKR_LL_FS_TRUNCATE (1ull << 14) /* ABI 3 */
#define ZKR_LL_FS_IOCTL_DEV (1ull << 15) /* ABI 5 */
#define ZKR_LL_NET_BIND_TCP (1ull << 0)    /* ABI 4 */
#define ZKR_LL_NET_CONNECT_TCP (1ull << 1) /* ABI 4 */
#define ZKR_LL_SCOPE_ABSTRACT_UNIX (1ull << 0) /* ABI 6 */
#define ZKR_LL_SCOPE_SIGNAL (1ull << 1)        /* ABI 6 */

/* struct landlock_ruleset_attr as of ABI 6; the size passed tells the kernel which fields. */
typedef struct {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
} zkr_ll_ruleset_attr;

typedef struct __attribute__((packed)) {
    uint64_t allowed_access;
    int32_t parent_fd;
} zkr_ll_path_beneath;

zkr_err zkr_sandbox_close_fds_except(const int *keep, size_t n_keep, zkr_diag *d)
{
    /* keep is small and sorted by the callers' construction is not assumed */
    unsigned lo = 0;

    for (;;) {
        unsigned next = UINT_MAX;
        for (size_t i = 0; i < n_keep; i++)
            if (keep[i] >= 0 && (unsigned)keep[i] >= lo && (unsigned)keep[i] < next)
                next = (unsigned)keep[i];
        if (next > lo && syscall(SYS_close_range, lo, next - 1, 0) != 0)
            return zkr_fail(d, ZKR_ERR_SANDBOX, "close_range(%u, %u): %s", lo, next - 1,
                            strerror(errno));
        if (next == UINT_MAX)
            break;
        lo = next + 1;
    }
    return ZKR_OK;
}

/* Address space in use now (for the sanitizer adaptation). 0 if unknown. */
static uint64_t zkr_sandbox_vm_size(void)
{
    char buf[128];
    unsigned long long pages = 0;
    ssize_t n;
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof buf - 1);
    (void)close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    if (sscanf(buf, "%llu", &pages) != 1)
        return 0;
    return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

static zkr_err zkr_sandbox_rlimit(int res, const char *name, uint64_t soft, uint64_t hard,
                                  zkr_diag *d)
{
    struct rlimit rl;

    rl.rlim_cur = soft >= (uint64_t)RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)soft;
    rl.rlim_max = hard >= (uint64_t)RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)hard;
    if (setrlimit(res, &rl) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "setrlimit(%s, %llu): %s", name,
                        (unsigned long long)soft, strerror(errno));
    return ZKR_OK;
}

/*
 * as_res: RLIMIT_AS for every policy but prover-cuda, whose driver reserves
 * address space the size of the GPU's and the host's memory (unified
 * addressing) and gets RLIMIT_DATA instead (private writable memory).
 */
static zkr_err zkr_sandbox_set_rlimits_as(const zkr_sandbox_limits *l, int as_res,
                                          const char *as_name, zkr_diag *d)
{
    uint64_t as = l->as_bytes;
    zkr_err r;

    if (ZKR_SANDBOX_ASAN) {
        /* ASan's shadow and allocator reservations are address space too */
        uint64_t used = zkr_sandbox_vm_size();
        if (used == 0)
            return zkr_fail(d, ZKR_ERR_SANDBOX, "cannot read /proc/self/statm for %s", as_name);
        as = used > UINT64_MAX - as ? UINT64_MAX : used + as;
    }
    if ((r = zkr_sandbox_rlimit(RLIMIT_CORE, "RLIMIT_CORE", 0, 0, d)) != ZKR_OK ||
        (r = zkr_sandbox_rlimit(as_res, as_name, as, as, d)) != ZKR_OK ||
        (r = zkr_sandbox_rlimit(RLIMIT_CPU, "RLIMIT_CPU", l->cpu_seconds, l->cpu_seconds + 1,
                                d)) != ZKR_OK ||
        (r = zkr_sandbox_rlimit(RLIMIT_NOFILE, "RLIMIT_NOFILE", l->nofile, l->nofile, d)) !=
            ZKR_OK ||
        (r = zkr_sandbox_rlimit(RLIMIT_NPROC, "RLIMIT_NPROC", l->nproc, l->nproc, d)) != ZKR_OK ||
        (r = zkr_sandbox_rlimit(RLIMIT_FSIZE, "RLIMIT_FSIZE", l->fsize_bytes, l->fsize_bytes,
                                d)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

zkr_err zkr_sandbox_set_rlimits(const zkr_sandbox_limits *l, zkr_diag *d)
{
    return zkr_sandbox_set_rlimits_as(l, RLIMIT_AS, "RLIMIT_AS", d);
}

zkr_err zkr_sandbox_set_rlimits_gpu(const zkr_sandbox_limits *l, zkr_diag *d)
{
    return zkr_sandbox_set_rlimits_as(l, RLIMIT_DATA, "RLIMIT_DATA", d);
}

zkr_err zkr_sandbox_set_as_after_prepare(const zkr_sandbox_limits *l, zkr_diag *d)
{
    uint64_t used = zkr_sandbox_vm_size();
    uint64_t as;

    if (used == 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "cannot read /proc/self/statm for RLIMIT_AS");
    as = used > UINT64_MAX - l->as_bytes ? UINT64_MAX : used + l->as_bytes;
    return zkr_sandbox_rlimit(RLIMIT_AS, "RLIMIT_AS", as, as, d);
}

zkr_err zkr_sandbox_prctl_harden(zkr_diag *d)
{
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PR_SET_DUMPABLE: %s", strerror(errno));
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
    return ZKR_OK;
}

uint32_t zkr_sandbox_unshare(int want_mnt)
{
    int extra = CLONE_NEWNET | CLONE_NEWIPC | (want_mnt ? CLONE_NEWNS : 0);
    uint32_t bits = ZKR_SANDBOX_C_NETNS | ZKR_SANDBOX_C_IPCNS | (want_mnt ? ZKR_SANDBOX_C_MNTNS : 0);

    /* The user namespace gives the capabilities to create the others. */
    if (unshare(CLONE_NEWUSER | extra) == 0)
        return ZKR_SANDBOX_C_USERNS | bits;
    /* Privileged without user namespaces (e.g. sysctl off, root): still try. */
    if (unshare(extra) == 0)
        return bits;
    if (unshare(CLONE_NEWUSER) == 0)
        return ZKR_SANDBOX_C_USERNS;
    return 0;
}

int zkr_sandbox_landlock_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, ZKR_LL_CREATE_RULESET_VERSION);

    return abi < 0 ? 0 : (int)abi;
}

static void zkr_sandbox_landlock_attr(int abi, zkr_ll_ruleset_attr *a, size_t *size)
{
    memset(a, 0, sizeof *a);
    a->handled_access_fs = ZKR_LL_FS_EXECUTE | ZKR_LL_FS_WRITE_FILE | ZKR_LL_FS_READ_FILE |
                           ZKR_LL_FS_READ_DIR | ZKR_LL_FS_REMOVE_DIR | ZKR_LL_FS_REMOVE_FILE |
                           ZKR_LL_FS_MAKE_CHAR | ZKR_LL_FS_MAKE_DIR | ZKR_LL_FS_MAKE_REG |
                           ZKR_LL_FS_MAKE_SOCK | ZKR_LL_FS_MAKE_FIFO | ZKR_LL_FS_MAKE_BLOCK |
                           ZKR_LL_FS_MAKE_SYM;
    if (abi >= 2)
        a->handled_access_fs |= ZKR_LL_FS_REFER;
    if (abi >= 3)
        a->handled_access_fs |= ZKR_LL_FS_TRUNCATE;
    if (abi >= 5)
        a->handled_access_fs |= ZKR_LL_FS_IOCTL_DEV;
    *size = sizeof a->handled_access_fs;
    if (abi >= 4) {
        a->handled_access_net = ZKR_LL_NET_BIND_TCP | ZKR_LL_NET_CONNECT_TCP;
        *size = 2 * sizeof(uint64_t);
    }
    if (abi >= 6) {
        a->scoped = ZKR_LL_SCOPE_ABSTRACT_UNIX | ZKR_LL_SCOPE_SIGNAL;
        *size = sizeof *a;
    }
}

static int zkr_sandbox_landlock_rule(int ruleset, const char *path, uint64_t access,
                                     uint64_t handled)
{
    zkr_ll_path_beneath pb;
    struct stat st;
    int fd = open(path, O_PATH | O_CLOEXEC);
    int rc;

    if (fd < 0)
        /* absent optional paths, or ones this user cannot reach anyway, need no rule */
        return errno == ENOENT || errno == EACCES || errno == ENOTDIR ? 0 : -1;
    if (fstat(fd, &st) != 0) {
        (void)close(fd);
        return -1;
    }
    /* directory-only rights cannot be granted on a file */
    if (!S_ISDIR(st.st_mode))
        access &= ZKR_LL_FS_EXECUTE | ZKR_LL_FS_WRITE_FILE | ZKR_LL_FS_READ_FILE |
                  ZKR_LL_FS_TRUNCATE | ZKR_LL_FS_IOCTL_DEV;
    pb.allowed_access = access & handled;
    pb.parent_fd = fd;
    rc = (int)syscall(SYS_landlock_add_rule, ruleset, ZKR_LL_RULE_PATH_BENEATH, &pb, 0);
    (void)close(fd);
    return rc;
}

uint32_t zkr_sandbox_landlock_apply(const char *const *ro, size_t n_ro, const char *const *rw,
                                    size_t n_rw, int *abi_used)
{
    zkr_ll_ruleset_attr attr;
    size_t size;
    int abi = zkr_sandbox_landlock_abi();
    int fd, ok = 1;
    uint64_t rd = ZKR_LL_FS_READ_FILE | ZKR_LL_FS_READ_DIR;
    uint64_t wr;

    *abi_used = 0;
    if (abi <= 0)
        return 0;
    zkr_sandbox_landlock_attr(abi, &attr, &size);
    wr = attr.handled_access_fs & ~(ZKR_LL_FS_EXECUTE | ZKR_LL_FS_MAKE_CHAR |
                                    ZKR_LL_FS_MAKE_BLOCK | ZKR_LL_FS_MAKE_SOCK |
                                    ZKR_LL_FS_MAKE_FIFO | ZKR_LL_FS_IOCTL_DEV);
    fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (fd < 0)
        return 0;
    for (size_t i = 0; ok && i < n_ro; i++)
        ok = zkr_sandbox_landlock_rule(fd, ro[i], rd, attr.handled_access_fs) == 0;
    for (size_t i = 0; ok && i < n_rw; i++)
        ok = zkr_sandbox_landlock_rule(fd, rw[i], wr, attr.handled_access_fs) == 0;
    if (ok)
        ok = syscall(SYS_landlock_restrict_self, fd, 0) == 0;
    (void)close(fd);
    if (!ok)
        return 0;
    *abi_used = abi;
    return ZKR_SANDBOX_C_LANDLOCK;
}

/*
 * The NVIDIA device nodes present now: /dev/nvidiactl, /dev/nvidia-uvm,
 * /dev/nvidia-uvm-tools, /dev/nvidia0.. (and the nvidia-caps directory of
 * MIG), never /dev/nvidia-modeset (the display driver) nor anything else.
 */
static int zkr_sandbox_is_nvidia_node(const char *name)
{
    static const char *const fixed[] = {"nvidiactl", "nvidia-uvm", "nvidia-uvm-tools",
                                        "nvidia-caps"};
    const char *p;

    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(name, fixed[i]) == 0)
            return 1;
    if (strncmp(name, "nvidia", 6) != 0 || name[6] == '\0' || strlen(name) > 9)
        return 0;
    for (p = name + 6; *p != '\0'; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

uint32_t zkr_sandbox_landlock_apply_gpu(int *abi_used, zkr_diag *d)
{
    zkr_ll_ruleset_attr attr;
    size_t size;
    int abi = zkr_sandbox_landlock_abi(), fd = -1, ok = 1;
    uint64_t dev = ZKR_LL_FS_READ_FILE | ZKR_LL_FS_WRITE_FILE | ZKR_LL_FS_IOCTL_DEV;
    uint64_t rd = ZKR_LL_FS_READ_FILE | ZKR_LL_FS_READ_DIR;
    char path[64];
    DIR *dir = NULL;
    struct dirent *e;

    *abi_used = 0;
    if (abi <= 0) {
        (void)zkr_fail(d, ZKR_ERR_SANDBOX,
                       "the prover-cuda policy allows open(), so it needs Landlock (Linux 5.13+) "
                       "to limit it to the NVIDIA device nodes; this kernel has none");
        return 0;
    }
    zkr_sandbox_landlock_attr(abi, &attr, &size);
    fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    dir = opendir("/dev");
    if (fd < 0 || dir == NULL) {
        ok = 0;
        goto out;
    }
    while (ok && (e = readdir(dir)) != NULL) {
        if (!zkr_sandbox_is_nvidia_node(e->d_name))
            continue;
        (void)snprintf(path, sizeof path, "/dev/%s", e->d_name);
        ok = zkr_sandbox_landlock_rule(fd, path, dev | ZKR_LL_FS_READ_DIR, attr.handled_access_fs) == 0;
    }
    if (ok)
        ok = zkr_sandbox_landlock_rule(fd, "/proc/driver/nvidia", rd, attr.handled_access_fs) == 0;
    if (ok)
        ok = syscall(SYS_landlock_restrict_self, fd, 0) == 0;
out:
    if (dir != NULL)
        (void)closedir(dir);
    if (fd >= 0)
        (void)close(fd);
    if (!ok) {
        (void)zkr_fail(d, ZKR_ERR_SANDBOX, "Landlock ruleset for the NVIDIA device nodes: %s",
                       strerror(errno));
        return 0;
    }
    *abi_used = abi;
    return ZKR_SANDBOX_C_LANDLOCK;
}

/*
 * Root without a user namespace keeps real capabilities unless they are
 * dropped; inside a user namespace they are the namespace's, dropped all
 * the same so a confined process holds none at all.
 */
zkr_err zkr_sandbox_drop_caps(zkr_diag *d)
{
    struct {
        uint32_t version;
        int pid;
    } hdr = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
    struct {
        uint32_t effective, permitted, inheritable;
    } data[2];
    /* SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, each locked, and KEEP_CAPS locked off */
    const int secbits = 0x2f;
    int setpcap;

    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &hdr, data) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "capget: %s", strerror(errno));
    /* without CAP_SETPCAP (an unprivileged process outside a user namespace)
       the bounding set and securebits cannot change, and there is nothing to gain:
       no_new_privs already stops an exec from granting anything */
    setpcap = (data[0].effective >> 8) & 1;
    for (int cap = 0; setpcap && cap < 64; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            return zkr_fail(d, ZKR_ERR_SANDBOX, "PR_CAPBSET_DROP(%d): %s", cap, strerror(errno));
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "clearing ambient capabilities: %s", strerror(errno));
    if (setpcap && prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != secbits &&
        prctl(PR_SET_SECUREBITS, (unsigned long)secbits, 0, 0, 0) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "PR_SET_SECUREBITS: %s", strerror(errno));
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &hdr, data) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "capset (drop all): %s", strerror(errno));
    return ZKR_OK;
}
