/*
 * sandbox: confined worker processes for the prover and the verifier, and
 * the confinement of the PKCS#11 helper (docs/threat-model.md, DESIGN.md 6).
 *
 * The model (OpenSSH privilege separation, minijail):
 * - the parent (zkreg) opens every file it needs and reads it into memory;
 * - zkr_sandbox_call() fork+execs zkreg itself ("/proc/self/exe") as
 *   `zkreg __worker KIND LIMITS...`, with fd 0 = request pipe, fd 1 = reply
 *   pipe, fd 2 = log pipe and nothing else;
 * - the worker confines itself BEFORE reading a byte of input, in this
 *   order: close every other fd, rlimits, PR_SET_DUMPABLE 0,
 *   PR_SET_NO_NEW_PRIVS, new user+net+IPC+mount namespaces (where permitted),
 *   Landlock with no file-system access (where supported), then a seccomp
 *   allowlist whose default action is SCMP_ACT_KILL_PROCESS;
 * - it reads one request frame, runs the registered zkr_worker_fn for the
 *   kind, writes one reply frame and exits (docs/ipc.md has the bytes);
 * - the parent treats the worker as hostile: it bounds and parses the reply
 *   strictly, enforces a wall-clock timeout (SIGKILL), and maps any policy
 *   kill to ZKR_ERR_SANDBOX (exit 8) and the timeout to ZKR_ERR_TIMEOUT.
 *
 * Thread safety: every function is safe to call from several threads at
 * once except zkr_sandbox_worker_main() and the zkr_sandbox_confine_*()
 * functions, which change the calling process irreversibly.
 */
#ifndef ZKR_SANDBOX_H
#define ZKR_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "zkr_config.h"

/* The confinement profiles. The verifier's syscall list is the shortest. */
typedef enum {
    ZKR_SANDBOX_POLICY_VERIFIER = 1, /* single thread, pipes, memory, exit */
    ZKR_SANDBOX_POLICY_PROVER = 2,   /* verifier + threads (restricted clone), futex, sleeps */
    ZKR_SANDBOX_POLICY_PKCS11 = 3,   /* PKCS#11 helper: token files, pcscd's unix socket */
    /* the PKCS#11 helper while it loads its module: PKCS11 plus executable mappings and
       the next filter's load (seccomp, PR_SET_NO_NEW_PRIVS); stays under PKCS11 for good */
    ZKR_SANDBOX_POLICY_PKCS11_LOAD = 4,
    /*
     * The prover on a GPU (docs/sandbox.md "prover-cuda"): the prover policy
     * plus the NVIDIA kernel driver's interface (open without O_CREAT, confined
     * by a required Landlock ruleset to /dev/nvidia* and /proc/driver/nvidia;
     * ioctl and read/write on fds >= 3; shared mappings; eventfd, poll, memfd,
     * sched_*). Used only for `prove --backend cuda|auto` with a device found.
     */
    ZKR_SANDBOX_POLICY_PROVER_CUDA = 5,
} zkr_sandbox_policy;

/* Returns "verifier", "prover", "pkcs11-helper", "prover-cuda" or "unknown". */
const char *zkr_sandbox_policy_name(zkr_sandbox_policy p);

/*
 * Resource limits for one worker. Defaults (zkr_sandbox_limits_default):
 *
 *   field         verifier     prover        pkcs11-helper
 *   as_bytes      1 GiB        8 GiB         1 GiB        RLIMIT_AS
 *   cpu_seconds   60           3600          60           RLIMIT_CPU (hard = soft + 1)
 *   nofile        4            4             64           RLIMIT_NOFILE
 *   nproc         1            64            4            RLIMIT_NPROC
 *   fsize_bytes   0            0             64 MiB       RLIMIT_FSIZE
 *   (RLIMIT_CORE is always 0)
 *   timeout_ms    120000       7200000       -            parent's wall clock
 *   max_request   256 MiB      1 GiB         -            request payload bound
 *   max_reply     16 MiB       256 MiB       -            reply payload bound
 *
 * nofile 4 = the three pipes plus the one transient Landlock ruleset fd.
 * nproc counts the worker's own tasks inside its user namespace; root
 * ignores it (seccomp is what forbids process creation).
 * Sanitizer builds (ASan reserves ~20 TiB of shadow and allocator space up
 * front): RLIMIT_AS becomes "address space in use when confinement starts
 * + as_bytes", so as_bytes stays the budget for the worker's own
 * allocations; docs/threat-model.md explains it.
 */
typedef struct {
    uint64_t as_bytes;
    uint64_t cpu_seconds;
    uint64_t nofile;
    uint64_t nproc;
    uint64_t fsize_bytes;
    uint64_t timeout_ms;
    uint64_t max_request;
    uint64_t max_reply;
} zkr_sandbox_limits;

/* Fills *out with the documented defaults for policy p (zeroes for an unknown p). */
void zkr_sandbox_limits_default(zkr_sandbox_policy p, zkr_sandbox_limits *out);

/*
 * A worker function: runs inside the confined worker (or in-process with
 * --no-sandbox). Reads the request payload, appends its reply payload to
 * `reply` (empty on entry). Returns ZKR_OK or a failure whose message goes
 * into `d`. Allowed failure codes: the exit-1 class (verification), 
 * ZKR_ERR_MALFORMED, ZKR_ERR_TOO_LARGE, ZKR_ERR_UNSUPPORTED, ZKR_ERR_NOMEM,
 * ZKR_ERR_INTERNAL; anything else is reported as ZKR_ERR_INTERNAL.
 * It must not open files, sockets or processes (the policy kills it).
 */
typedef zkr_err (*zkr_worker_fn)(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                 zkr_diag *d);

/*
 * A worker's preparation (prover-cuda only): runs inside the worker after
 * fds are closed, rlimits set, no_new_privs, namespaces and the capability
 * drop, and before Landlock and seccomp, so that a runtime can load its
 * driver library (executable mappings) and open its device there. It reads
 * no request byte. ZKR_OK, or a failure (e.g. ZKR_ERR_UNSUPPORTED: no
 * device) that the worker replies with before reading the request.
 */
typedef zkr_err (*zkr_worker_prepare_fn)(zkr_diag *d);

/*
 * One entry of the worker table the application layer fills (app/workers.c). A table is
 * an array ended by an entry with kind == NULL. fn == NULL is a
 * registration point whose implementation is not in this build: calling it
 * returns ZKR_ERR_UNSUPPORTED without starting a process.
 */
typedef struct {
    const char *kind; /* [a-z0-9-], 1..32 bytes */
    zkr_sandbox_policy policy;
    zkr_worker_fn fn;
    const char *summary;
    /* NULL, or (ZKR_SANDBOX_POLICY_PROVER_CUDA only) the preparation above;
       a worker of another policy with one refuses to start (ZKR_ERR_SANDBOX) */
    zkr_worker_prepare_fn prepare;
} zkr_worker_kind;

/* The argv[1] that selects worker mode in zkreg (hidden from --help). */
#define ZKR_SANDBOX_WORKER_ARG "__worker"

/* Bits a worker reports in its reply (informational; the worker is untrusted). */
#define ZKR_SANDBOX_C_FDS_CLOSED (1u << 0)
#define ZKR_SANDBOX_C_RLIMITS (1u << 1)
#define ZKR_SANDBOX_C_NODUMP (1u << 2)
#define ZKR_SANDBOX_C_NO_NEW_PRIVS (1u << 3)
#define ZKR_SANDBOX_C_USERNS (1u << 4)
#define ZKR_SANDBOX_C_NETNS (1u << 5)
#define ZKR_SANDBOX_C_IPCNS (1u << 6)
#define ZKR_SANDBOX_C_MNTNS (1u << 7)
#define ZKR_SANDBOX_C_LANDLOCK (1u << 8)
#define ZKR_SANDBOX_C_SECCOMP (1u << 9)
#define ZKR_SANDBOX_C_PIDNS (1u << 10)   /* own PID namespace: ending it ends its descendants */
#define ZKR_SANDBOX_C_CAPS (1u << 11)    /* every capability dropped (effective, bounding, ambient) */
#define ZKR_SANDBOX_C_FS_VIEW (1u << 12) /* pivot_root into a tmpfs showing only allowed paths */
#define ZKR_SANDBOX_C_ALL_BITS 0x1fffu
/* What a sandboxed worker must report, or the parent rejects its reply. */
#define ZKR_SANDBOX_C_REQUIRED                                                                    \
    (ZKR_SANDBOX_C_FDS_CLOSED | ZKR_SANDBOX_C_RLIMITS | ZKR_SANDBOX_C_NODUMP |                    \
     ZKR_SANDBOX_C_NO_NEW_PRIVS | ZKR_SANDBOX_C_SECCOMP)

/* Writes "fds,rlimits,...,seccomp" (the set bits) into out (cap bytes, NUL-terminated). */
void zkr_sandbox_confinement_str(uint32_t bits, char *out, size_t cap);

/* How one call went, filled by zkr_sandbox_call() on success and failure. */
typedef struct {
    int sandboxed;         /* 0 with --no-sandbox */
    uint32_t confinement;  /* ZKR_SANDBOX_C_* the worker reported */
    uint32_t landlock_abi; /* the Landlock ABI the worker used, 0 if none */
    uint64_t wall_us;      /* spawn to reap */
    int exited;            /* worker exited normally with exit_code */
    int exit_code;
    int term_signal;       /* the signal that ended it, 0 if none */
    char log[1024];        /* the start of its stderr, non-printables escaped */
} zkr_sandbox_result;

typedef struct {
    const char *exe;                   /* worker binary; NULL = "/proc/self/exe" */
    const zkr_sandbox_limits *limits;  /* NULL = defaults of the kind's policy */
    int no_sandbox;                    /* debug only: run fn in this process, warn */
} zkr_sandbox_opts;

/*
 * Runs `kind` from `table` on the request payload and returns its reply
 * payload in `reply` (a valid zkr_buf, {0} or used before: it is freed on
 * entry; the caller frees it after).
 *
 * Returns ZKR_OK; the worker's own failure (exit-1 class, ZKR_ERR_MALFORMED,
 * ZKR_ERR_TOO_LARGE, ZKR_ERR_UNSUPPORTED, ZKR_ERR_INTERNAL) with its
 * message; ZKR_ERR_SANDBOX when the worker was killed by its policy
 * (SIGSYS), hit a resource limit (CPU, memory, file size), crashed, or
 * sent a malformed, oversize, truncated or over-long reply;
 * ZKR_ERR_TIMEOUT when it outlived limits->timeout_ms (it is killed);
 * ZKR_ERR_UNSUPPORTED for a registered kind without an implementation;
 * ZKR_ERR_USAGE for an unknown kind or unusable limits (memory < 16 MiB,
 * CPU or timeout 0 or over 30 days, nofile < 4, nproc 0, bounds over
 * ZKR_BUF_MAX); ZKR_ERR_TOO_LARGE for a request over
 * max_request; ZKR_ERR_INTERNAL / ZKR_ERR_NOMEM for local failures.
 * With opts->no_sandbox the function runs in this process after printing a
 * warning on stderr; the request and reply still go through the same
 * frame encoder and strict parser, so the bytes are the same.
 * Thread safety: safe; it blocks SIGPIPE for the calling thread only.
 * Secrets: never pass secrets to a worker.
 */
zkr_err zkr_sandbox_call(const zkr_worker_kind *table, const char *kind,
                         const zkr_sandbox_opts *opts, const uint8_t *req, size_t req_len,
                         zkr_buf *reply, zkr_sandbox_result *res, zkr_diag *d) ZKR_WUR;

/*
 * The worker side: zkreg's main calls this for `zkreg __worker ...`
 * (argc/argv starting at "__worker"). Confines the process, serves one
 * request and _exit()s; it never returns. A confinement step that must
 * succeed (fd closing, rlimits, prctl, seccomp) failing makes it reply
 * ZKR_ERR_SANDBOX and exit without running the kind.
 */
_Noreturn void zkr_sandbox_worker_main(const zkr_worker_kind *table, int argc, char **argv);

/* ------------------------------------------------------------------ */
/* Built-in worker kinds (real work, used by doctor's self-test and the  */
/* benchmark; the cli registers them)                                  */
/* ------------------------------------------------------------------ */

/* "sha256": reply = SHA-256(request payload), 32 bytes. */
zkr_err zkr_sandbox_worker_sha256(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                  zkr_diag *d) ZKR_WUR;

/*
 * "merkle-root": request = u64 BE count, then count records each as
 * u32 BE length + bytes (common's zkr_enc_bytes), nothing after; reply =
 * u64 BE count || 32-byte RFC 6962 root over the records as leaves.
 * At most 2^24 records. ZKR_ERR_MALFORMED on any framing fault.
 */
zkr_err zkr_sandbox_worker_merkle_root(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                       zkr_diag *d) ZKR_WUR;

#if ZKR_TEST_BUILD
/*
 * Test-only kinds (forbidden-operation probes, misbehaving workers). The
 * cli appends ZKR_SANDBOX_TEST_KINDS to its table in test builds; tests
 * use them through `zkreg __sandbox-test KIND`. A probe that succeeds in
 * its forbidden operation replies ZKR_OK "escaped: ..." so the test fails.
 */
zkr_err zkr_sandbox_test_probe(const uint8_t *req, size_t req_len, zkr_buf *reply,
                               zkr_diag *d) ZKR_WUR;
zkr_err zkr_sandbox_test_misbehave(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d) ZKR_WUR;
zkr_err zkr_sandbox_test_threads(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                 zkr_diag *d) ZKR_WUR;
/* A preparation that fails with ZKR_ERR_UNSUPPORTED "test preparation: no device". */
zkr_err zkr_sandbox_test_prepare(zkr_diag *d) ZKR_WUR;
/* The request payload names the probe or misbehaviour ("openat", "hang", ...). */
#define ZKR_SANDBOX_TEST_KINDS                                                                    \
    {"test-probe-v", ZKR_SANDBOX_POLICY_VERIFIER, zkr_sandbox_test_probe,                        \
     "test: forbidden operation under the verifier policy", NULL},                                \
        {"test-probe-p", ZKR_SANDBOX_POLICY_PROVER, zkr_sandbox_test_probe,                      \
         "test: forbidden operation under the prover policy", NULL},                              \
        {"test-probe-g", ZKR_SANDBOX_POLICY_PROVER_CUDA, zkr_sandbox_test_probe,                 \
         "test: forbidden and allowed operations under the prover-cuda policy", NULL},            \
        {"test-misbehave", ZKR_SANDBOX_POLICY_PROVER, zkr_sandbox_test_misbehave,                \
         "test: malformed, oversize, truncated replies and hangs", NULL},                         \
        {"test-threads-v", ZKR_SANDBOX_POLICY_VERIFIER, zkr_sandbox_test_threads,                \
         "test: thread creation under the verifier policy", NULL},                                \
        {"test-threads-p", ZKR_SANDBOX_POLICY_PROVER, zkr_sandbox_test_threads,                  \
         "test: thread creation under the prover policy", NULL},                                  \
        {"test-prepare-p", ZKR_SANDBOX_POLICY_PROVER, zkr_sandbox_worker_sha256,                 \
         "test: a preparation on a policy that may not have one", zkr_sandbox_test_prepare},      \
        {"test-prepare-g", ZKR_SANDBOX_POLICY_PROVER_CUDA, zkr_sandbox_worker_sha256,            \
         "test: a failing preparation under prover-cuda", zkr_sandbox_test_prepare},
#endif

/* ------------------------------------------------------------------ */
/* Introspection for `zkreg doctor`                                     */
/* ------------------------------------------------------------------ */

/* One syscall rule of a policy, as doctor prints it. */
typedef struct {
    const char *name;      /* syscall name */
    const char *condition; /* "" or e.g. "fd == 0", "no PROT_EXEC", "returns ENOSYS" */
} zkr_sandbox_rule_info;

/*
 * Lists the rules of policy p, in order, into out (cap entries); *n gets
 * the count. Sanitizer-only rules are included only in sanitizer builds.
 * Returns ZKR_OK, ZKR_ERR_TOO_LARGE (cap too small), ZKR_ERR_USAGE (bad p).
 */
zkr_err zkr_sandbox_policy_rules(zkr_sandbox_policy p, zkr_sandbox_rule_info *out, size_t cap,
                                 size_t *n) ZKR_WUR;

/* What the running kernel offers, measured (not assumed). */
typedef struct {
    int seccomp_filter;          /* seccomp(2) filter mode usable */
    unsigned libseccomp_api;     /* seccomp_api_get() */
    int act_kill_process, act_kill_thread, act_trap, act_errno, act_user_notif, act_trace,
        act_log, act_allow;      /* SECCOMP_GET_ACTION_AVAIL answers */
    int userns, netns, ipcns, mntns, pidns; /* unshare() works in a child, with userns */
    int landlock_abi;            /* 0 = unavailable */
    int landlock_errata;
    int sanitizer_build;         /* ASan adaptation active */
} zkr_sandbox_caps;

/* The Landlock ABI the running kernel offers (0: none). Thread safe. */
int zkr_sandbox_landlock_abi(void);

/* Probes the kernel (forks short-lived children for the namespace tests). */
zkr_err zkr_sandbox_caps_probe(zkr_sandbox_caps *out) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* The PKCS#11 helper (for hsm/)                                        */
/* ------------------------------------------------------------------ */

/*
 * What the PKCS#11 helper may touch. The helper process (started by hsm/,
 * in the style of ssh-pkcs11-helper) must:
 *   1. call zkr_sandbox_pkcs11_enter() first thing, single-threaded: it
 *      makes new PID, network, IPC and mount namespaces (and a user
 *      namespace where one is needed for them) and forks; the caller
 *      continues as PID 1 of the new PID namespace, so when it ends the
 *      kernel kills everything a module started;
 *   2. call zkr_sandbox_pkcs11_prepare() before dlopen(): it checks the
 *      registry guard, closes other fds, sets rlimits, no_new_privs,
 *      builds the file-system view (a tmpfs root showing only ro_paths
 *      read-only and rw_paths writable), applies Landlock and drops every
 *      capability; the module's constructors then run inside all of that;
 *   3. call zkr_sandbox_pkcs11_load_filter(), then dlopen() the module
 *      (mapping code, which the final filter then forbids) and call
 *      C_GetFunctionList;
 *   4. call zkr_sandbox_pkcs11_seal(): it refuses if the process has more
 *      than one thread or any child (a module started them), naming the
 *      module, then loads the seccomp filter with TSYNC;
 *   5. only then C_Initialize, log in, sign, and talk to its parent over
 *      the fds in keep_fds.
 * zkr_sandbox_confine_pkcs11_helper() is steps 2 and 4 at once, for a
 * module already loaded (set keep_all_fds when it is already initialised
 * and holds token or pcscd descriptors).
 * Seccomp allows file I/O, AF_UNIX sockets (pcscd's /run/pcscd/pcscd.comm),
 * threads, and nothing that creates processes, loads code (PROT_EXEC),
 * traces, or opens AF_INET/AF_INET6/netlink sockets; the network namespace
 * removes TCP/UDP reachability; the file-system view leaves no named
 * socket reachable except those under ro/rw paths (pcscd's directory).
 * registry_path, when given, must not lie under any ro/rw path, else the
 * call refuses (ZKR_ERR_USAGE) before confining anything.
 * ZKR_SANDBOX_PKCS11_DEFAULT_RO lists the library and configuration paths
 * SoftHSM2 and OpenSC read; callers append their token dirs to rw_paths.
 */
typedef struct {
    const char *const *ro_paths; /* may be NULL with n_ro 0 */
    size_t n_ro;
    const char *const *rw_paths;
    size_t n_rw;
    const int *keep_fds; /* fds to keep open (the helper's pipes); others are closed */
    size_t n_keep;
    int keep_all_fds;    /* 1: close nothing (confining after C_Initialize, when the
                            module already holds token or pcscd descriptors) */
    const char *registry_path; /* refused if reachable; NULL to skip the check */
    const zkr_sandbox_limits *limits; /* NULL = pkcs11-helper defaults */
    const char *module;  /* named in refusals ("module X started 2 threads"); may be NULL */
    uint32_t entered;    /* bits zkr_sandbox_pkcs11_enter() gave; 0 when it was not called:
                            prepare then makes user, network and IPC namespaces itself */
} zkr_sandbox_pkcs11_opts;

#define ZKR_SANDBOX_PKCS11_DEFAULT_RO                                                              \
    "/usr/lib", "/lib", "/etc/ssl", "/etc/softhsm", "/etc/softhsm2.conf", "/etc/opensc",            \
        "/etc/opensc.conf", "/usr/share/p11-kit", "/etc/pkcs11", "/run/pcscd", "/etc/ld.so.cache"

/*
 * Step 1: new namespaces and a fork. In the parent (outside the new PID
 * namespace) it never returns: that process relays the child's stderr to
 * its own fd 2 (control characters replaced by '?', each line prefixed
 * with `log_prefix`, at most 64 KiB in all), and exits as the child did
 * (re-raising its signal). The child, PID 1 of the namespace, returns
 * ZKR_OK with *bits (USERNS where one was made, PIDNS, NETNS, IPCNS,
 * MNTNS); it dies with SIGKILL if the relay dies. `close_in_relay` is
 * closed in the relay (the helper's socket, so that only PID 1 holds it).
 * Returns ZKR_ERR_SANDBOX when a namespace or the fork fails (fatal: the
 * helper must not run a module without them).
 * Thread safety: call while single-threaded, before any module code.
 */
zkr_err zkr_sandbox_pkcs11_enter(const char *log_prefix, int close_in_relay, uint32_t *bits,
                                 zkr_diag *d) ZKR_WUR;

/*
 * Step 2. *confinement gets the bits applied so far; *task_fd an open
 * descriptor of /proc/self/task for step 4 (it is kept past Landlock and
 * the file-system view, which hide /proc). Returns ZKR_OK; ZKR_ERR_USAGE
 * (registry_path reachable, a path not absolute, a keep fd invalid);
 * ZKR_ERR_SANDBOX (rlimits, prctl, namespaces, the file-system view,
 * Landlock when the kernel offers it, or dropping capabilities failed:
 * each is fatal).
 */
zkr_err zkr_sandbox_pkcs11_prepare(const zkr_sandbox_pkcs11_opts *o, uint32_t *confinement,
                                   int *task_fd, zkr_diag *d) ZKR_WUR;

/*
 * Between steps 2 and 3: loads the pkcs11-helper-load seccomp policy (the
 * helper policy plus executable mappings and the next filter's load). A
 * module's constructors and IFUNC resolvers run from dlopen() on and could
 * neuter a filter loaded later; this one they cannot take back.
 * Returns ZKR_OK or ZKR_ERR_SANDBOX.
 */
zkr_err zkr_sandbox_pkcs11_load_filter(zkr_diag *d) ZKR_WUR;

/*
 * Step 4: counts the threads in task_fd (closing it) and the children of
 * this process; refuses (ZKR_ERR_SANDBOX, naming o->module) unless there
 * is one thread and no child; loads the pkcs11-helper seccomp policy with
 * TSYNC either way (a refused module's threads are filtered too until the
 * caller exits: it must then _exit, never call the module again). Adds
 * ZKR_SANDBOX_C_SECCOMP to *confinement when the filter is on.
 */
zkr_err zkr_sandbox_pkcs11_seal(const zkr_sandbox_pkcs11_opts *o, int task_fd,
                                uint32_t *confinement, zkr_diag *d) ZKR_WUR;

/*
 * Steps 2 and 4 at once (a module already loaded). Irreversible.
 * Returns ZKR_OK (*confinement gets the ZKR_SANDBOX_C_* bits applied);
 * otherwise as prepare and seal.
 * Thread safety: call before creating threads (more than one refuses).
 */
zkr_err zkr_sandbox_confine_pkcs11_helper(const zkr_sandbox_pkcs11_opts *o,
                                          uint32_t *confinement, zkr_diag *d) ZKR_WUR;

/*
 * Drops every capability: bounding set, ambient set, securebits locked
 * (no root fix-up on a later exec), then effective, permitted and
 * inheritable cleared. Workers and the helper call it after their
 * namespaces are made. Returns ZKR_OK or ZKR_ERR_SANDBOX.
 */
zkr_err zkr_sandbox_drop_caps(zkr_diag *d) ZKR_WUR;

#endif /* ZKR_SANDBOX_H */
