/*
 * The seccomp allowlists. One table is the single source of truth: the
 * worker loads it and `zkreg doctor` prints it. Default action
 * SCMP_ACT_KILL_PROCESS; a foreign architecture (including x32 syscall
 * numbers on x86_64) also kills.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox/sandbox_int.h"

enum {
    V = 1 << 0, /* verifier */
    P = 1 << 1, /* prover */
    H = 1 << 2, /* PKCS#11 helper */
    A = 1 << 3, /* only in sanitizer builds (ASan's runtime needs it) */
    G = 1 << 4, /* prover-cuda on top of P: the NVIDIA driver's interface */
};

typedef enum {
    R_ALLOW,
    R_FD_IN,       /* arg0 == 0: the request pipe */
    R_FD_OUT,      /* arg0 == 1 || arg0 == 2: reply and log pipes */
    R_NOEXEC,      /* arg2 has no PROT_EXEC: no new code */
    R_THREAD,      /* clone with exactly thread flags */
    R_ENOSYS,      /* fail with ENOSYS (clone3: flags live in memory) */
    R_ENOTTY,      /* fail with ENOTTY (ioctl probes from libraries) */
    R_AF_UNIX,     /* socket(AF_UNIX, ...) only */
    R_SELF,        /* tgkill/kill aimed at this process only */
    R_GET_RLIMIT,  /* prlimit64(0, res, NULL, old): read only */
    R_MADVISE,     /* advice from zkr_sandbox_madvise_ok only */
    R_FD_DEV,      /* arg0 >= 3 as the kernel reads it (32 bits): never the pipes */
    R_OPENAT_DEV,  /* openat without O_CREAT, O_TRUNC, O_TMPFILE (Landlock picks the paths) */
    R_OPEN_DEV,    /* open (x86_64's legacy call), same flags rule */
    R_FSTAT_FD,    /* newfstatat(fd, "", .., AT_EMPTY_PATH): fstat by another name */
    R_PID0,        /* arg0 == 0: the calling thread only */
    R_IOCTL_NV,    /* fd >= 3 and an NVIDIA driver request number (zkr_sandbox_add_ioctl_nv) */
    R_FCNTL_DEV,   /* fd >= 3 and descriptor-flag commands only (zkr_sandbox_add_fcntl_dev) */
} zkr_sandbox_rule_kind;

/*
 * madvise advice the code needs: glibc's free() and thread stacks give
 * pages back with MADV_DONTNEED; ASan's runtime also marks its shadow
 * NOHUGEPAGE and DONTDUMP. Anything else (MADV_DONTFORK, WIPEONFORK,
 * MERGEABLE, PAGEOUT, HWPOISON, COLLAPSE, ...) kills.
 */
static const int zkr_sandbox_madvise_ok[] = {MADV_DONTNEED};
static const int zkr_sandbox_madvise_asan[] = {MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP,
                                               MADV_HUGEPAGE};
/* The PKCS#11 helper runs third-party allocators too: access-pattern hints and MADV_FREE. */
static const int zkr_sandbox_madvise_helper[] = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL,
                                                 MADV_WILLNEED, MADV_FREE};

typedef struct {
    const char *name;
    unsigned who;
    zkr_sandbox_rule_kind kind;
} zkr_sandbox_rule;

/* Keep the verifier's part minimal; every line is a reason to exist. */
static const zkr_sandbox_rule zkr_sandbox_rules[] = {
    {"read", V | P, R_FD_IN},
    {"write", V | P, R_FD_OUT},
    {"exit_group", V | P | H, R_ALLOW},
    {"exit", V | P | H, R_ALLOW},
    {"brk", V | P | H, R_ALLOW},
    {"mmap", V | P | H, R_NOEXEC},
    {"munmap", V | P | H, R_ALLOW},
    {"mremap", V | P | H, R_ALLOW},
    {"madvise", V | P | H, R_MADVISE},
    {"rt_sigreturn", V | P | H, R_ALLOW},
    {"rt_sigprocmask", V | P | H, R_ALLOW}, /* abort(), pthread internals */
    {"clock_gettime", V | P | H, R_ALLOW},  /* vDSO fallback */
    {"getpid", V | P | H, R_ALLOW},
    {"gettid", V | P | H, R_ALLOW},
    {"tgkill", V | P | H, R_SELF}, /* abort() raises SIGABRT on itself */
    /* prover: threads for the proving backend */
    {"mprotect", P | H, R_NOEXEC},
    {"clone", P | H, R_THREAD},
    {"clone3", P | H, R_ENOSYS},
    {"futex", P | H, R_ALLOW},
    {"set_robust_list", P | H, R_ALLOW},
    {"rseq", P | H, R_ALLOW},
    {"sched_yield", P | H | A, R_ALLOW},
    {"sched_getaffinity", P | H, R_ALLOW},
    {"clock_nanosleep", P | H, R_ALLOW},
    {"nanosleep", P | H, R_ALLOW},
    {"getrandom", P | H, R_ALLOW},
    {"rt_sigaction", P | H, R_ALLOW},
    {"sigaltstack", P | H | A, R_ALLOW},
    {"prlimit64", P | H | A, R_GET_RLIMIT},
    /*
     * prover-cuda (docs/sandbox.md): what the CUDA runtime and the NVIDIA
     * driver library use after the device is opened. open() is allowed
     * because the driver opens a fresh /dev/nvidiactl or /dev/nvidiaN
     * descriptor per memory mapping (NV_ESC_RM_MAP_MEMORY then mmap
     * MAP_SHARED on it); the worker's required Landlock ruleset limits the
     * paths to the NVIDIA device nodes and /proc/driver/nvidia.
     */
    {"openat", G, R_OPENAT_DEV},
    {"open", G, R_OPEN_DEV},
    {"close", G, R_ALLOW},
    {"ioctl", G, R_IOCTL_NV}, /* the driver's NV_ESC_* / UVM_* commands only */
    {"read", G, R_FD_DEV},   /* eventfds, the driver's /proc files */
    {"write", G, R_FD_DEV},
    {"fstat", G, R_ALLOW},
    {"newfstatat", G, R_FSTAT_FD},
    {"fcntl", G, R_FCNTL_DEV},
    {"eventfd2", G, R_ALLOW},
    {"poll", G, R_ALLOW},
    {"ppoll", G, R_ALLOW},
    {"pipe2", G, R_ALLOW},
    {"memfd_create", G, R_ALLOW},
    {"ftruncate", G, R_FD_DEV},
    {"sched_setaffinity", G, R_PID0},
    {"sched_getparam", G, R_PID0},
    {"sched_getscheduler", G, R_PID0},
    {"sched_get_priority_min", G, R_ALLOW},
    {"sched_get_priority_max", G, R_ALLOW},
    {"getuid", G, R_ALLOW},
    {"geteuid", G, R_ALLOW},
    /* PKCS#11 helper: token files under Landlock, pcscd's unix socket */
    {"read", H, R_ALLOW},
    {"write", H, R_ALLOW},
    {"readv", H, R_ALLOW},
    {"writev", H, R_ALLOW},
    {"pread64", H, R_ALLOW},
    {"pwrite64", H, R_ALLOW},
    {"openat", H, R_ALLOW},
    {"open", H, R_ALLOW},
    {"close", H, R_ALLOW},
    {"fstat", H, R_ALLOW},
    {"stat", H, R_ALLOW},
    {"lstat", H, R_ALLOW},
    {"newfstatat", H, R_ALLOW},
    {"statx", H, R_ALLOW},
    {"statfs", H, R_ALLOW},
    {"fstatfs", H, R_ALLOW},
    {"lseek", H, R_ALLOW},
    {"fcntl", H, R_ALLOW},
    {"flock", H, R_ALLOW},
    {"fsync", H, R_ALLOW},
    {"fdatasync", H, R_ALLOW},
    {"ftruncate", H, R_ALLOW},
    {"rename", H, R_ALLOW},
    {"renameat", H, R_ALLOW},
    {"renameat2", H, R_ALLOW},
    {"unlink", H, R_ALLOW},
    {"unlinkat", H, R_ALLOW},
    {"mkdir", H, R_ALLOW},
    {"mkdirat", H, R_ALLOW},
    {"rmdir", H, R_ALLOW},
    {"getdents64", H, R_ALLOW},
    {"readlink", H, R_ALLOW},
    {"readlinkat", H, R_ALLOW},
    {"access", H, R_ALLOW},
    {"faccessat", H, R_ALLOW},
    {"faccessat2", H, R_ALLOW},
    {"getcwd", H, R_ALLOW},
    {"umask", H, R_ALLOW},
    {"fchmod", H, R_ALLOW},
    {"dup", H, R_ALLOW},
    {"dup2", H, R_ALLOW},
    {"dup3", H, R_ALLOW},
    {"pipe2", H, R_ALLOW},
    {"ioctl", H, R_ENOTTY},
    {"socket", H, R_AF_UNIX},
    {"connect", H, R_ALLOW},
    {"sendto", H, R_ALLOW},
    {"recvfrom", H, R_ALLOW},
    {"sendmsg", H, R_ALLOW},
    {"recvmsg", H, R_ALLOW},
    {"shutdown", H, R_ALLOW},
    {"getsockopt", H, R_ALLOW},
    {"setsockopt", H, R_ALLOW},
    {"getsockname", H, R_ALLOW},
    {"getpeername", H, R_ALLOW},
    {"poll", H, R_ALLOW},
    {"ppoll", H, R_ALLOW},
    {"select", H, R_ALLOW},
    {"pselect6", H, R_ALLOW},
    {"gettimeofday", H, R_ALLOW},
    {"time", H, R_ALLOW},
    {"getuid", H, R_ALLOW},
    {"geteuid", H, R_ALLOW},
    {"getgid", H, R_ALLOW},
    {"getegid", H, R_ALLOW},
    {"getppid", H, R_ALLOW},
    {"uname", H, R_ALLOW},
    {"sysinfo", H, R_ALLOW},
    {"kill", H, R_SELF},
};

static const char *zkr_sandbox_rule_condition(zkr_sandbox_rule_kind k)
{
    switch (k) {
    case R_ALLOW: return "";
    case R_FD_IN: return "fd == 0 (request pipe)";
    case R_FD_OUT: return "fd == 1 or fd == 2 (reply and log pipes)";
    case R_NOEXEC: return "prot without PROT_EXEC";
    case R_THREAD: return "thread flags only (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|*TID)";
    case R_ENOSYS: return "fails with ENOSYS (glibc falls back to clone)";
    case R_ENOTTY: return "fails with ENOTTY";
    case R_AF_UNIX: return "domain == AF_UNIX";
    case R_SELF: return "pid == own pid";
    case R_GET_RLIMIT: return "pid == 0, new_limit == NULL (read only)";
    case R_FD_DEV: return "3 <= fd < 65536 as 64 bits (not the pipes, even as fd | 1 << 32)";
    case R_FCNTL_DEV:
        return "3 <= fd < 65536, cmd F_DUPFD(_CLOEXEC), F_GETFD, F_SETFD, F_GETFL, F_SETFL without "
               "O_ASYNC, F_ADD_SEALS, F_GET_SEALS";
    case R_OPENAT_DEV:
    case R_OPEN_DEV: return "no O_CREAT, O_TRUNC, O_TMPFILE, O_PATH; paths limited by Landlock";
    case R_FSTAT_FD: return "AT_EMPTY_PATH (glibc's fstat; a non-empty path stats it)";
    case R_PID0: return "pid == 0 (the calling thread)";
    case R_IOCTL_NV:
        return "fd >= 3, request of nvidia.ko (type 'F') or nvidia-uvm (< 0x1000, "
               "0x30000001/2)";
    case R_MADVISE:
        return ZKR_SANDBOX_ASAN ? "advice DONTNEED (pkcs11-helper: also NORMAL, RANDOM, "
                                  "SEQUENTIAL, WILLNEED, FREE; sanitizer build: also NOHUGEPAGE, "
                                  "HUGEPAGE, DONTDUMP, DODUMP)"
                                : "advice DONTNEED (pkcs11-helper: also NORMAL, RANDOM, "
                                  "SEQUENTIAL, WILLNEED, FREE)";
    default: return "?";
    }
}

static unsigned zkr_sandbox_policy_bit(zkr_sandbox_policy p)
{
    switch (p) {
    case ZKR_SANDBOX_POLICY_VERIFIER: return V;
    case ZKR_SANDBOX_POLICY_PROVER: return P;
    case ZKR_SANDBOX_POLICY_PKCS11: return H;
    case ZKR_SANDBOX_POLICY_PKCS11_LOAD: return H;
    case ZKR_SANDBOX_POLICY_PROVER_CUDA: return P | G;
    default: return 0;
    }
}

/* Is rule r part of policy bit `who` in this build? */
static int zkr_sandbox_rule_in(const zkr_sandbox_rule *r, unsigned who)
{
    if ((r->who & who) != 0)
        return 1;
    /* A-only rules join every worker policy in sanitizer builds */
    return ZKR_SANDBOX_ASAN && (r->who & A) != 0 && who != 0;
}

const char *zkr_sandbox_policy_name(zkr_sandbox_policy p)
{
    switch (p) {
    case ZKR_SANDBOX_POLICY_VERIFIER: return "verifier";
    case ZKR_SANDBOX_POLICY_PROVER: return "prover";
    case ZKR_SANDBOX_POLICY_PKCS11: return "pkcs11-helper";
    case ZKR_SANDBOX_POLICY_PKCS11_LOAD: return "pkcs11-helper-load";
    case ZKR_SANDBOX_POLICY_PROVER_CUDA: return "prover-cuda";
    default: return "unknown";
    }
}

zkr_err zkr_sandbox_policy_rules(zkr_sandbox_policy p, zkr_sandbox_rule_info *out, size_t cap,
                                 size_t *n)
{
    unsigned who = zkr_sandbox_policy_bit(p);
    size_t k = 0;

    *n = 0;
    if (who == 0)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < sizeof zkr_sandbox_rules / sizeof zkr_sandbox_rules[0]; i++) {
        const zkr_sandbox_rule *r = &zkr_sandbox_rules[i];
        if (!zkr_sandbox_rule_in(r, who))
            continue;
        if (k == cap)
            return ZKR_ERR_TOO_LARGE;
        out[k].name = r->name;
        out[k].condition = zkr_sandbox_rule_condition(r->kind);
        k++;
    }
    *n = k;
    return ZKR_OK;
}

/* glibc's pthread_create flags; SETTLS/PARENT_SETTID/CHILD_CLEARTID/SYSVSEM optional. */
#define ZKR_CLONE_REQUIRED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define ZKR_CLONE_OPTIONAL                                                                        \
    (CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/*
 * open flags prover-cuda refuses: creating, truncating, anonymous files
 * (O_TMPFILE's own bit), and O_PATH, which Landlock does not check (an fd
 * for any path, to fstat).
 */
#define ZKR_OPEN_NO ((scmp_datum_t)(O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY) | O_PATH))

/*
 * A descriptor >= 3 as the kernel reads it: read, write, ioctl, fcntl and
 * ftruncate take an unsigned int fd, so (1 << 32) | 0 is fd 0 to the kernel
 * and >= 3 to a 64-bit comparison. libseccomp takes one comparison per
 * argument in a rule, so fd in [3, ZKR_FD_DEV_END) is the union of aligned
 * blocks, {3}, [4, 8), [8, 16), ..., each one masked comparison that also
 * requires the upper 32 bits clear. The worker's RLIMIT_NOFILE (64, and it
 * cannot raise it) keeps every real descriptor far below the end.
 */
#define ZKR_FD_DEV_END_LOG2 16

/* Adds the rule once per block, arg0 the block, then the n_more comparisons. */
static int zkr_sandbox_add_fd_dev(scmp_filter_ctx ctx, int nr, unsigned n_more,
                                  const struct scmp_arg_cmp *more)
{
    struct scmp_arg_cmp a[4];
    int rc = 0;

    if (n_more > 3)
        return -EINVAL;
    for (unsigned i = 0; i < n_more; i++)
        a[1 + i] = more[i];
    for (unsigned k = 1; rc == 0 && k < ZKR_FD_DEV_END_LOG2; k++) {
        /* k == 1: exactly 3; k >= 2: [2^k, 2^(k+1)) */
        scmp_datum_t mask = k == 1 ? ~(scmp_datum_t)0 : ~(((scmp_datum_t)1 << k) - 1);
        a[0] = SCMP_A0(SCMP_CMP_MASKED_EQ, mask, k == 1 ? 3 : (scmp_datum_t)1 << k);
        rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1 + n_more, a);
    }
    return rc;
}

/*
 * fcntl commands the runtime uses on its descriptors. Refused: F_SETOWN(_EX),
 * F_SETSIG and F_SETFL with O_ASYNC (together they make the kernel signal any
 * process of the same user, SIGKILL included, on I/O of the worker's own
 * pipe), leases, dnotify, locks, pipe sizes.
 */
static int zkr_sandbox_add_fcntl_dev(scmp_filter_ctx ctx, int nr)
{
    static const int cmds[] = {F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD,
                               F_GETFL, F_ADD_SEALS,     F_GET_SEALS};
    struct scmp_arg_cmp setfl[2] = {SCMP_A1(SCMP_CMP_EQ, F_SETFL),
                                    SCMP_A2(SCMP_CMP_MASKED_EQ, O_ASYNC, 0)};
    int rc = zkr_sandbox_add_fd_dev(ctx, nr, 2, setfl);

    for (size_t i = 0; rc == 0 && i < sizeof cmds / sizeof cmds[0]; i++) {
        struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)cmds[i]);
        rc = zkr_sandbox_add_fd_dev(ctx, nr, 1, &c);
    }
    return rc;
}

/*
 * The NVIDIA driver's ioctl requests: nvidia.ko's NV_ESC_* are _IOC-encoded
 * with type 'F' (any number, size and direction); nvidia-uvm's are plain
 * numbers (UVM_IOCTL_BASE(i) == i, below 0x1000) and UVM_INITIALIZE /
 * UVM_DEINITIALIZE (0x30000001/2). tty, socket, block and file ioctls
 * (FIONREAD, TCGETS, FICLONE, ...) kill.
 */
static int zkr_sandbox_add_ioctl_nv(scmp_filter_ctx ctx, int nr)
{
    struct scmp_arg_cmp c[4] = {
        SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00, 0x4600), SCMP_A1(SCMP_CMP_LT, 0x1000),
        SCMP_A1(SCMP_CMP_EQ, 0x30000001), SCMP_A1(SCMP_CMP_EQ, 0x30000002)};
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < 4; i++)
        rc = zkr_sandbox_add_fd_dev(ctx, nr, 1, &c[i]);
    return rc;
}

static int zkr_sandbox_add_madvise(scmp_filter_ctx ctx, int nr, unsigned who)
{
    int rc = 0;

    for (size_t i = 0; who == H && rc == 0 && i < sizeof zkr_sandbox_madvise_helper / sizeof(int);
         i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                              SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)zkr_sandbox_madvise_helper[i]));
    for (size_t i = 0; rc == 0 && i < sizeof zkr_sandbox_madvise_ok / sizeof(int); i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                              SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)zkr_sandbox_madvise_ok[i]));
    for (size_t i = 0; ZKR_SANDBOX_ASAN && rc == 0 &&
                       i < sizeof zkr_sandbox_madvise_asan / sizeof(int);
         i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                              SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)zkr_sandbox_madvise_asan[i]));
    return rc;
}

static int zkr_sandbox_add(scmp_filter_ctx ctx, const zkr_sandbox_rule *r, unsigned who)
{
    int nr = seccomp_syscall_resolve_name(r->name);
    scmp_datum_t self = (scmp_datum_t)getpid();
    int rc;

    if (nr == __NR_SCMP_ERROR)
        return 0; /* not a syscall on this architecture (e.g. "open" elsewhere) */
    switch (r->kind) {
    case R_ALLOW:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    case R_FD_IN:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, 0));
    case R_FD_OUT:
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, 1));
        return rc != 0 ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, 2));
    case R_NOEXEC:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    case R_THREAD:
        return seccomp_rule_add(
            ctx, SCMP_ACT_ALLOW, nr, 1,
            SCMP_A0(SCMP_CMP_MASKED_EQ, ~(scmp_datum_t)ZKR_CLONE_OPTIONAL, ZKR_CLONE_REQUIRED));
    case R_ENOSYS:
        return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
    case R_ENOTTY:
        return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), nr, 0);
    case R_AF_UNIX:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
    case R_SELF:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, self));
    case R_GET_RLIMIT:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, SCMP_A0(SCMP_CMP_EQ, 0),
                                SCMP_A2(SCMP_CMP_EQ, 0));
    case R_MADVISE:
        return zkr_sandbox_add_madvise(ctx, nr, who);
    case R_FD_DEV:
        return zkr_sandbox_add_fd_dev(ctx, nr, 0, NULL);
    case R_FCNTL_DEV:
        return zkr_sandbox_add_fcntl_dev(ctx, nr);
    case R_OPENAT_DEV:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                SCMP_A2(SCMP_CMP_MASKED_EQ, ZKR_OPEN_NO, 0));
    case R_OPEN_DEV:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                SCMP_A1(SCMP_CMP_MASKED_EQ, ZKR_OPEN_NO, 0));
    case R_FSTAT_FD:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
    case R_PID0:
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, 0));
    case R_IOCTL_NV:
        return zkr_sandbox_add_ioctl_nv(ctx, nr);
    default:
        return -EINVAL;
    }
}

/*
 * The loading filter's additions: a module's code runs from dlopen() on
 * and could neuter any later filter (a filter of its own answering 0 to
 * seccomp(), or a patch to this code), so the helper policy is already in
 * force while it loads, with executable mappings, wait4 (seal's check for
 * children) and the final filter's load allowed on top.
 */
static int zkr_sandbox_add_loading(scmp_filter_ctx ctx)
{
    static const char *const exec_ok[] = {"mmap", "mprotect"};
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < sizeof exec_ok / sizeof exec_ok[0]; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name(exec_ok[i]), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(seccomp), 0);
    if (rc == 0) /* seal's check for children the module started */
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(wait4), 0);
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
                              SCMP_A0(SCMP_CMP_EQ, PR_SET_NO_NEW_PRIVS));
    return rc;
}

#if ZKR_TEST_BUILD
/*
 * Test builds, ZKR_TEST_SECCOMP_TRAP=1 in a worker's environment (passed
 * through by launch.c): the default action traps instead of killing, and
 * this handler names the refused syscall on the log pipe, then exits 159
 * (128 + SIGSYS). For fitting an allowlist on a machine one cannot trace
 * (bench/cuda_check on a lent GPU); never in zkreg's release use.
 */
static void zkr_sandbox_trap_report(int sig, siginfo_t *si, void *uc)
{
    char msg[64] = "zkreg worker: seccomp refused syscall ";
    size_t n = strlen(msg);
    char digits[12];
    int k = 0, nr = si->si_syscall;

    (void)sig, (void)uc;
    do {
        digits[k++] = (char)('0' + nr % 10);
        nr /= 10;
    } while (nr > 0 && k < 11);
    while (k > 0)
        msg[n++] = digits[--k];
    msg[n++] = '\n';
    (void)!write(2, msg, n);
    _exit(128 + SIGSYS);
}

static uint32_t zkr_sandbox_default_action(zkr_sandbox_policy p)
{
    const char *e = getenv("ZKR_TEST_SECCOMP_TRAP");
    struct sigaction sa;

    if (e == NULL || strcmp(e, "1") != 0 || p == ZKR_SANDBOX_POLICY_PKCS11 ||
        p == ZKR_SANDBOX_POLICY_PKCS11_LOAD)
        return SCMP_ACT_KILL_PROCESS;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = zkr_sandbox_trap_report;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGSYS, &sa, NULL) != 0)
        return SCMP_ACT_KILL_PROCESS;
    return SCMP_ACT_TRAP;
}
#else
static uint32_t zkr_sandbox_default_action(zkr_sandbox_policy p)
{
    (void)p;
    return SCMP_ACT_KILL_PROCESS;
}
#endif

zkr_err zkr_sandbox_seccomp_load(zkr_sandbox_policy p, zkr_diag *d)
{
    unsigned who = zkr_sandbox_policy_bit(p);
    scmp_filter_ctx ctx;
    zkr_err r = ZKR_ERR_SANDBOX;
    int rc;

    if (who == 0)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "unknown sandbox policy %d", (int)p);
    ctx = seccomp_init(zkr_sandbox_default_action(p));
    if (ctx == NULL)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "seccomp_init failed");
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
    /* every thread of the process gets the filter, not only the caller (a
       module's constructor may have started threads; seal refuses them too) */
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    for (size_t i = 0; rc == 0 && i < sizeof zkr_sandbox_rules / sizeof zkr_sandbox_rules[0];
         i++) {
        if (!zkr_sandbox_rule_in(&zkr_sandbox_rules[i], who))
            continue;
        rc = zkr_sandbox_add(ctx, &zkr_sandbox_rules[i], who);
        if (rc != 0)
            (void)zkr_fail(d, ZKR_ERR_SANDBOX, "seccomp rule for %s: %s",
                           zkr_sandbox_rules[i].name, strerror(-rc));
    }
    if (rc == 0 && p == ZKR_SANDBOX_POLICY_PKCS11_LOAD)
        rc = zkr_sandbox_add_loading(ctx);
    if (rc == 0) {
        rc = seccomp_load(ctx);
        if (rc != 0)
            (void)zkr_fail(d, ZKR_ERR_SANDBOX, "seccomp_load: %s", strerror(-rc));
    }
    if (rc == 0)
        r = ZKR_OK;
    else
        (void)zkr_fail(d, ZKR_ERR_SANDBOX, "seccomp filter setup failed: %s", strerror(-rc));
    seccomp_release(ctx);
    return r;
}
