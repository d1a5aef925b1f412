/*
 * sandbox/: IPC frames (accept + reject twins), policies, limits, and live
 * confined workers on the real kernel: real seccomp kills, rlimits,
 * namespaces, Landlock. This program is its own worker binary: run with
 * "__worker ..." it serves one request, exactly like `zkreg __worker`.
 */
#include <signal.h>
#include <seccomp.h>
#include <sodium.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "sandbox/sandbox_int.h"
#include "tap.h"

static const zkr_worker_kind table[] = {
    {"verify", ZKR_SANDBOX_POLICY_VERIFIER, NULL, "registration point", NULL},
    {"sha256", ZKR_SANDBOX_POLICY_VERIFIER, zkr_sandbox_worker_sha256, "sha256", NULL},
    {"merkle-root", ZKR_SANDBOX_POLICY_VERIFIER, zkr_sandbox_worker_merkle_root, "merkle", NULL},
    ZKR_SANDBOX_TEST_KINDS
    {NULL, 0, NULL, NULL, NULL},
};

typedef struct {
    zkr_err r;
    zkr_sandbox_result res;
    zkr_buf reply;
    zkr_diag d;
} call_out;

static void call(const char *kind, const void *payload, size_t len, const zkr_sandbox_limits *l,
                 int no_sandbox, call_out *o)
{
    zkr_sandbox_opts opts = {NULL, l, no_sandbox};

    memset(o, 0, sizeof *o);
    o->r = zkr_sandbox_call(table, kind, &opts, payload, len, &o->reply, &o->res, &o->d);
}

static void call_free(call_out *o)
{
    zkr_buf_free(&o->reply);
}

static void test_request_frames(zkr_tap *t)
{
    zkr_buf f = {0};
    const uint8_t *p;
    size_t n, hdr;
    int all_trunc = 1, all_flip = 1;

    zkr_tap_ok(t, zkr_sandbox_req_encode("sha256", (const uint8_t *)"abc", 3, &f) == ZKR_OK,
               "request: encode");
    hdr = zkr_sandbox_req_header_len("sha256");
    zkr_tap_ok(t, f.len == hdr + 3, "request: length is header + payload");
    zkr_tap_ok(t, zkr_sandbox_req_decode(f.p, f.len, "sha256", 16, &p, &n, NULL) == ZKR_OK &&
                      n == 3 && memcmp(p, "abc", 3) == 0,
               "request: decode round-trips");
    for (size_t cut = 0; cut < f.len; cut++)
        all_trunc &= zkr_sandbox_req_decode(f.p, cut, "sha256", 16, &p, &n, NULL) != ZKR_OK;
    zkr_tap_ok(t, all_trunc, "request: every truncation is rejected");
    for (size_t i = 0; i < hdr; i++)
        for (int b = 0; b < 8; b++) {
            f.p[i] ^= (uint8_t)(1u << b);
            all_flip &= zkr_sandbox_req_decode(f.p, f.len, "sha256", 16, &p, &n, NULL) != ZKR_OK;
            f.p[i] ^= (uint8_t)(1u << b);
        }
    zkr_tap_ok(t, all_flip, "request: every header bit flip is rejected");
    zkr_tap_ok(t, zkr_sandbox_req_decode(f.p, f.len, "sha257", 16, &p, &n, NULL) ==
                      ZKR_ERR_MALFORMED,
               "request: another kind is rejected");
    zkr_tap_ok(t, zkr_sandbox_req_decode(f.p, f.len, "sha256", 2, &p, &n, NULL) ==
                      ZKR_ERR_TOO_LARGE,
               "request: payload over the bound is rejected");
    zkr_tap_ok(t, zkr_buf_append(&f, "x", 1) == ZKR_OK &&
                      zkr_sandbox_req_decode(f.p, f.len, "sha256", 16, &p, &n, NULL) ==
                          ZKR_ERR_MALFORMED,
               "request: a trailing byte is rejected");
    zkr_tap_ok(t, !zkr_sandbox_kind_valid("") && !zkr_sandbox_kind_valid("Sha") &&
                      !zkr_sandbox_kind_valid("a/b") &&
                      !zkr_sandbox_kind_valid("abcdefghijklmnopqrstuvwxyz0123456") &&
                      zkr_sandbox_kind_valid("merkle-root"),
               "request: kind names are [a-z0-9-]{1,32}");
    zkr_buf_free(&f);
}

static void test_reply_frames(zkr_tap *t)
{
    zkr_buf ok = {0}, bad = {0};
    zkr_sandbox_reply rp;
    int all_trunc = 1, all_flip = 1;
    const uint32_t conf = ZKR_SANDBOX_C_REQUIRED;

    zkr_tap_ok(t, zkr_sandbox_rep_encode(ZKR_OK, conf, 7, NULL, (const uint8_t *)"xyz", 3, &ok) ==
                          ZKR_OK &&
                      zkr_sandbox_rep_encode(ZKR_ERR_VERIFY, conf, 0, "proof rejected", NULL, 0,
                                             &bad) == ZKR_OK,
               "reply: encode success and failure");
    zkr_tap_ok(t, zkr_sandbox_rep_decode(ok.p, ok.len, 16, &rp, NULL) == ZKR_OK &&
                      rp.status == 0 && rp.payload_len == 3 && memcmp(rp.payload, "xyz", 3) == 0 &&
                      rp.landlock_abi == 7 && rp.confinement == conf,
               "reply: success round-trips");
    zkr_tap_ok(t, zkr_sandbox_rep_decode(bad.p, bad.len, 16, &rp, NULL) == ZKR_OK &&
                      rp.status == ZKR_ERR_VERIFY && strcmp(rp.msg, "proof rejected") == 0,
               "reply: failure round-trips with its message");
    for (size_t cut = 0; cut < ok.len; cut++)
        all_trunc &= zkr_sandbox_rep_decode(ok.p, cut, 16, &rp, NULL) == ZKR_ERR_SANDBOX;
    zkr_tap_ok(t, all_trunc, "reply: every truncation is ZKR_ERR_SANDBOX");
    /* magic, version, status, message length and payload length: every flip fails */
    for (size_t i = 0; i < ZKR_SANDBOX_REP_FIXED; i++) {
        if (i >= 9 && i < 14) /* confinement and Landlock ABI fields: informational */
            continue;
        for (int b = 0; b < 8; b++) {
            ok.p[i] ^= (uint8_t)(1u << b);
            all_flip &= zkr_sandbox_rep_decode(ok.p, ok.len, 16, &rp, NULL) != ZKR_OK;
            ok.p[i] ^= (uint8_t)(1u << b);
        }
    }
    zkr_tap_ok(t, all_flip, "reply: every structural bit flip is rejected");
    zkr_tap_ok(t, zkr_sandbox_rep_decode(ok.p, ok.len, 2, &rp, NULL) == ZKR_ERR_SANDBOX,
               "reply: payload over max_reply is rejected");
    zkr_tap_ok(t, zkr_buf_append(&ok, "", 1) == ZKR_OK &&
                      zkr_sandbox_rep_decode(ok.p, ok.len, 16, &rp, NULL) == ZKR_ERR_SANDBOX,
               "reply: a trailing byte is rejected");
    zkr_tap_ok(t, zkr_sandbox_status_allowed(ZKR_OK) &&
                      zkr_sandbox_status_allowed(ZKR_ERR_SIGNATURE) &&
                      zkr_sandbox_status_allowed(ZKR_ERR_MALFORMED) &&
                      !zkr_sandbox_status_allowed(ZKR_ERR_KEY) &&
                      !zkr_sandbox_status_allowed(ZKR_ERR_IO) &&
                      !zkr_sandbox_status_allowed(ZKR_ERR_TIMEOUT) &&
                      !zkr_sandbox_status_allowed(1) && !zkr_sandbox_status_allowed(INT32_MIN),
               "reply: only documented statuses are allowed from a worker");
    zkr_buf_free(&ok);
    zkr_buf_free(&bad);
}

/* Seeded mutations of valid replies: the parser never crashes and never
 * accepts a frame whose re-encoding differs from the input. */
static void test_reply_mutations(zkr_tap *t)
{
    int bad = 0, accepted = 0;

    for (int i = 0; i < 20000 && !bad; i++) {
        uint8_t pay[64];
        zkr_buf f = {0}, again = {0};
        zkr_sandbox_reply rp;
        size_t plen = (size_t)(zkr_tap_rand(t) % sizeof pay);
        int32_t st = (zkr_tap_rand(t) & 1) ? ZKR_OK : ZKR_ERR_VERIFY;

        for (size_t k = 0; k < plen; k++)
            pay[k] = (uint8_t)zkr_tap_rand(t);
        if (zkr_sandbox_rep_encode(st, ZKR_SANDBOX_C_REQUIRED, 7, st ? "rejected" : NULL, pay,
                                   st ? 0 : plen, &f) != ZKR_OK) {
            bad = 1;
            break;
        }
        for (int m = (int)(zkr_tap_rand(t) % 4); m >= 0; m--) {
            uint64_t op = zkr_tap_rand(t);
            if (op % 3 == 0 && f.len > 0)
                f.p[(op >> 8) % f.len] ^= (uint8_t)(1u << ((op >> 4) % 8));
            else if (op % 3 == 1 && f.len > 0)
                f.len = (size_t)((op >> 8) % f.len);
            else if (zkr_buf_append(&f, &op, 1 + (op >> 8) % 8) != ZKR_OK)
                bad = 1;
        }
        if (zkr_sandbox_rep_decode(f.p, f.len, 64, &rp, NULL) == ZKR_OK) {
            accepted++;
            bad |= zkr_sandbox_rep_encode(rp.status, rp.confinement, rp.landlock_abi,
                                          rp.msg[0] ? rp.msg : NULL, rp.payload, rp.payload_len,
                                          &again) != ZKR_OK ||
                   again.len != f.len || memcmp(again.p, f.p, f.len) != 0;
        }
        zkr_buf_free(&f);
        zkr_buf_free(&again);
    }
    zkr_tap_ok(t, !bad, "reply: 20000 seeded mutations, %d accepted, each exactly re-encodable",
               accepted);
}

static int has_rule(zkr_sandbox_policy p, const char *name)
{
    zkr_sandbox_rule_info r[200];
    size_t n = 0;

    if (zkr_sandbox_policy_rules(p, r, 200, &n) != ZKR_OK)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(r[i].name, name) == 0)
            return 1;
    return 0;
}

static void test_policies(zkr_tap *t)
{
    static const char *const forbidden[] = {"open",   "openat",  "openat2", "creat",  "socket",
                                            "connect", "execve", "execveat", "ptrace", "fork",
                                            "vfork",  "kill",    "unshare", "setns",  "mount",
                                            "bpf",    "io_uring_setup", "close", "ioctl",
                                            "process_vm_readv"};
    zkr_sandbox_rule_info v[200], p[200];
    size_t nv = 0, np = 0;
    int sub = 1, none = 1;
    zkr_sandbox_limits l;

    zkr_tap_ok(t, zkr_sandbox_policy_rules(ZKR_SANDBOX_POLICY_VERIFIER, v, 200, &nv) == ZKR_OK &&
                      zkr_sandbox_policy_rules(ZKR_SANDBOX_POLICY_PROVER, p, 200, &np) == ZKR_OK,
               "policy: rule lists are available");
    for (size_t i = 0; i < nv; i++)
        sub &= has_rule(ZKR_SANDBOX_POLICY_PROVER, v[i].name) == 1;
    zkr_tap_ok(t, sub && nv < np, "policy: verifier (%zu rules) is a strict subset of prover (%zu)",
               nv, np);
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        none &= has_rule(ZKR_SANDBOX_POLICY_VERIFIER, forbidden[i]) == 0 &&
                has_rule(ZKR_SANDBOX_POLICY_PROVER, forbidden[i]) == 0;
    zkr_tap_ok(t, none, "policy: neither worker allows open/socket/exec/ptrace/fork/kill/...");
    zkr_tap_ok(t, has_rule(ZKR_SANDBOX_POLICY_PROVER, "clone") == 1 &&
                      has_rule(ZKR_SANDBOX_POLICY_VERIFIER, "clone") == 0 &&
                      has_rule(ZKR_SANDBOX_POLICY_VERIFIER, "futex") == 0,
               "policy: threads only for the prover");
    zkr_tap_ok(t, has_rule(ZKR_SANDBOX_POLICY_PKCS11, "openat") == 1 &&
                      has_rule(ZKR_SANDBOX_POLICY_PKCS11, "execve") == 0 &&
                      has_rule(ZKR_SANDBOX_POLICY_PKCS11, "ptrace") == 0,
               "policy: the PKCS#11 helper may open files but not exec or trace");
    zkr_tap_ok(t, zkr_sandbox_policy_rules((zkr_sandbox_policy)9, v, 200, &nv) == ZKR_ERR_USAGE &&
                      zkr_sandbox_policy_rules(ZKR_SANDBOX_POLICY_PROVER, p, 3, &np) ==
                          ZKR_ERR_TOO_LARGE,
               "policy: bad policy and small buffer are refused");
    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_VERIFIER, &l);
    zkr_tap_ok(t, l.as_bytes == (1ull << 30) && l.cpu_seconds == 60 && l.nofile == 4 &&
                      l.nproc == 1 && l.fsize_bytes == 0 && l.timeout_ms == 120000,
               "limits: verifier defaults as documented");
    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_PROVER, &l);
    zkr_tap_ok(t, l.as_bytes == (8ull << 30) && l.cpu_seconds == 3600 && l.nproc == 64,
               "limits: prover defaults as documented");
    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_PROVER_CUDA, &l);
    zkr_tap_ok(t, l.as_bytes == (8ull << 30) && l.cpu_seconds == 3600 && l.nproc == 64 &&
                      l.nofile == 64 && l.fsize_bytes == (256ull << 20),
               "limits: prover-cuda defaults as documented");
}

static void expect_kill(zkr_tap *t, const char *kind, const char *probe, int sig);

/* The GPU variant: a strict superset of the CPU prover's, which stays without the driver's calls. */
static void test_policy_gpu(zkr_tap *t)
{
    static const char *const driver[] = {"openat", "ioctl", "close", "eventfd2", "poll",
                                         "memfd_create", "sched_setaffinity"};
    static const char *const never[] = {"socket", "connect", "execve", "execveat", "ptrace",
                                        "fork", "vfork", "kill", "unshare", "setns", "mount",
                                        "bpf", "io_uring_setup", "process_vm_readv", "openat2",
                                        "creat", "seccomp", "prctl", "mknodat", "unlinkat"};
    zkr_sandbox_rule_info p[200], g[200];
    size_t np = 0, ng = 0;
    int sub = 1, cpu_none = 1, gpu_all = 1, none = 1;

    zkr_tap_ok(t, zkr_sandbox_policy_rules(ZKR_SANDBOX_POLICY_PROVER, p, 200, &np) == ZKR_OK &&
                      zkr_sandbox_policy_rules(ZKR_SANDBOX_POLICY_PROVER_CUDA, g, 200, &ng) ==
                          ZKR_OK &&
                      strcmp(zkr_sandbox_policy_name(ZKR_SANDBOX_POLICY_PROVER_CUDA),
                             "prover-cuda") == 0,
               "policy: prover-cuda's rule list is available");
    for (size_t i = 0; i < np; i++)
        sub &= has_rule(ZKR_SANDBOX_POLICY_PROVER_CUDA, p[i].name) == 1;
    zkr_tap_ok(t, sub && np < ng, "policy: prover (%zu rules) is a strict subset of prover-cuda "
                                  "(%zu)", np, ng);
    for (size_t i = 0; i < sizeof driver / sizeof driver[0]; i++) {
        cpu_none &= has_rule(ZKR_SANDBOX_POLICY_PROVER, driver[i]) == 0;
        gpu_all &= has_rule(ZKR_SANDBOX_POLICY_PROVER_CUDA, driver[i]) == 1;
    }
    zkr_tap_ok(t, cpu_none && gpu_all,
               "policy: open/ioctl/eventfd/poll/memfd/sched_* only in prover-cuda");
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        none &= has_rule(ZKR_SANDBOX_POLICY_PROVER_CUDA, never[i]) == 0;
    zkr_tap_ok(t, none, "policy: prover-cuda allows no socket/exec/ptrace/fork/kill/mount/...");
}

/*
 * Whether this kernel has the 32-bit syscall entry (int 0x80) at all, asked
 * of an unconfined child: some kernels (ia32 emulation off, as on some
 * virtual machines) fault the instruction with SIGSEGV before any syscall or
 * seccomp filter sees it. Then the "ia32" probe's attack path does not exist
 * and its worker dies by that SIGSEGV; elsewhere the filter must kill it.
 */
static int ia32_entry_present(void)
{
    pid_t pid = fork();
    int st = 0;

    if (pid == 0) {
        long nr = 20; /* getpid in the i386 table */
        __asm__ volatile("int $0x80" : "+a"(nr) : : "memory");
        _exit(nr == (long)getpid() ? 0 : 1);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 1; /* unknown: expect the filter's kill */
    return !(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

/* Probes under prover-cuda: what it still kills, and what it allows (Landlock picks paths). */
static void test_live_gpu_policy(zkr_tap *t)
{
    static const char *const killed[] = {"write-file", "socket", "unix-socket", "connect",
                                         "execve", "fork", "ptrace", "kill-parent", "prot-exec",
                                         "x32", "ioctl-pipe", "ioctl-tty", "open-creat", "memfd-exec",
                                         "madvise-dontfork", "fd-hi-ioctl", "fd-hi-fcntl",
                                         "fcntl-setown", "fcntl-async", "open-opath", "ia32",
                                         "sched-other", "memfd-mprotect-exec"};
    static const char *const cpu_killed[] = {"nvidia-open", "ioctl-pipe", "gpu-allowed"};
    call_out a;
    int ia32 = ia32_entry_present();

    zkr_tap_diag("this kernel's 32-bit syscall entry: %s", ia32 ? "present" : "absent (SIGSEGV)");
    for (size_t i = 0; i < sizeof killed / sizeof killed[0]; i++)
        expect_kill(t, "test-probe-g", killed[i],
                    strcmp(killed[i], "ia32") == 0 && !ia32 ? SIGSEGV : SIGSYS);
    for (size_t i = 0; i < sizeof cpu_killed / sizeof cpu_killed[0]; i++)
        expect_kill(t, "test-probe-p", cpu_killed[i], SIGSYS);
    call("test-probe-g", "gpu-allowed", 11, NULL, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_OK && a.reply.len > 0 &&
                      strstr((const char *)a.reply.p, "eventfd/poll/ioctl/memfd ok") != NULL &&
                      strstr((const char *)a.reply.p, "/etc/passwd -1 (errno 13)") != NULL &&
                      (a.res.confinement & ZKR_SANDBOX_C_LANDLOCK) != 0,
               "prover-cuda: eventfd, poll, ioctl on fd >= 3, shared memfd mapping work; "
               "Landlock refuses /etc/passwd (%.*s)",
               (int)a.reply.len, a.reply.p ? (const char *)a.reply.p : a.d.msg);
    zkr_tap_ok(t, a.reply.len > 0 && (strstr((const char *)a.reply.p, "nvidiactl -1 (errno 2)") ||
                                      strstr((const char *)a.reply.p, "nvidiactl -1 (errno 13)")),
               "prover-cuda: opening /dev/nvidiactl is not a kill (no device here)");
    call_free(&a);
    call("test-probe-g", "openat", 6, NULL, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_OK && a.reply.len > 0 &&
                      strstr((const char *)a.reply.p, "returned -1 (errno 13)") != NULL,
               "prover-cuda: Landlock refuses opening / (%.*s)", (int)a.reply.len,
               a.reply.p ? (const char *)a.reply.p : a.d.msg);
    call_free(&a);
    call("test-probe-g", "open-nvidia-symlink", 19, NULL, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_OK && a.reply.len > 0 &&
                      strstr((const char *)a.reply.p, "returned -1 (errno 13)") != NULL,
               "prover-cuda: Landlock refuses /proc/self/root/etc/passwd (%.*s)", (int)a.reply.len,
               a.reply.p ? (const char *)a.reply.p : a.d.msg);
    call_free(&a);
    /* RLIMIT_DATA leaves shared memory out: the address-space limit set after the preparation
       bounds it (docs/sandbox.md) */
    static const char *const shared[] = {"shared-anon", "memfd-many"};
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        call("test-probe-g", shared[i], strlen(shared[i]), NULL, 0, &a);
        zkr_tap_ok(t, a.r == ZKR_ERR_SANDBOX && strstr(a.d.msg, "ran out of memory") != NULL &&
                          strstr(a.d.msg, "refused (errno 12)") != NULL && a.reply.len == 0,
                   "prover-cuda: %s beyond the memory limit is refused (%s%.*s)", shared[i],
                   a.d.msg, (int)a.reply.len, a.reply.p ? (const char *)a.reply.p : "");
        call_free(&a);
    }
    call("test-prepare-g", "abc", 3, NULL, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_UNSUPPORTED && strstr(a.d.msg, "test preparation: no device") &&
                      a.res.term_signal == 0,
               "prover-cuda: a failed preparation is the kind's answer, exit 3 (%s)", a.d.msg);
    call_free(&a);
    /* The diagnostic mode a GPU session uses to fit the list: the refused call is named. */
    if (setenv("ZKR_TEST_SECCOMP_TRAP", "1", 1) != 0)
        abort();
    call("test-probe-g", "socket", 6, NULL, 0, &a);
    (void)unsetenv("ZKR_TEST_SECCOMP_TRAP");
    zkr_tap_ok(t, a.r == ZKR_ERR_SANDBOX && a.res.exited && a.res.exit_code == 128 + SIGSYS &&
                      strstr(a.res.log, "seccomp refused syscall 41") != NULL,
               "ZKR_TEST_SECCOMP_TRAP=1: the worker names the refused syscall (%s)", a.res.log);
    call_free(&a);
    call("test-prepare-p", "abc", 3, NULL, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_SANDBOX && strstr(a.d.msg, "only the prover-cuda policy"),
               "prover: a worker with a preparation refuses to start (%s)", a.d.msg);
    call_free(&a);
}

static void test_live_real_kinds(zkr_tap *t)
{
    static const uint8_t recs[] = {0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 2, 'b', 'c'};
    uint8_t want[32], leaves[2][32], root[32];
    call_out a, b, c;

    zkr_sha256((const uint8_t *)"hello", 5, want);
    call("sha256", "hello", 5, NULL, 0, &a);
    call("sha256", "hello", 5, NULL, 0, &b);
    call("sha256", "hello", 5, NULL, 1, &c);
    zkr_tap_ok(t, a.r == ZKR_OK && a.reply.len == 32 && memcmp(a.reply.p, want, 32) == 0,
               "live: sha256 confined gives SHA-256 (%s)", a.d.msg);
    zkr_tap_ok(t, b.r == ZKR_OK && b.reply.len == a.reply.len &&
                      memcmp(a.reply.p, b.reply.p, a.reply.len) == 0,
               "live: deterministic across runs");
    zkr_tap_ok(t, c.r == ZKR_OK && c.reply.len == 32 && memcmp(c.reply.p, want, 32) == 0 &&
                      !c.res.sandboxed,
               "live: --no-sandbox gives the same bytes");
    zkr_tap_ok(t, (a.res.confinement & ZKR_SANDBOX_C_REQUIRED) == ZKR_SANDBOX_C_REQUIRED,
               "live: worker reports fds, rlimits, nodump, no-new-privs, seccomp (0x%x)",
               a.res.confinement);
    zkr_tap_ok(t, (int)a.res.landlock_abi == zkr_sandbox_landlock_abi() &&
                      (a.res.landlock_abi == 0) == !(a.res.confinement & ZKR_SANDBOX_C_LANDLOCK),
               "live: Landlock ABI %u used (kernel offers %d)", a.res.landlock_abi,
               zkr_sandbox_landlock_abi());
    zkr_tap_diag("confinement 0x%x, %llu us", a.res.confinement,
                 (unsigned long long)a.res.wall_us);
    call_free(&a);
    call_free(&b);
    call_free(&c);

    zkr_merkle_leaf_hash((const uint8_t *)"a", 1, leaves[0]);
    zkr_merkle_leaf_hash((const uint8_t *)"bc", 2, leaves[1]);
    if (zkr_merkle_root((const uint8_t (*)[32])leaves, 2, root) != ZKR_OK)
        memset(root, 0, 32);
    call("merkle-root", recs, sizeof recs, NULL, 0, &a);
    call("merkle-root", recs, sizeof recs, NULL, 1, &b);
    zkr_tap_ok(t, a.r == ZKR_OK && a.reply.len == 40 && zkr_load_be64(a.reply.p) == 2 &&
                      memcmp(a.reply.p + 8, root, 32) == 0,
               "live: merkle-root confined matches zkr_merkle_root");
    zkr_tap_ok(t, b.r == ZKR_OK && b.reply.len == 40 && memcmp(a.reply.p, b.reply.p, 40) == 0,
               "live: merkle-root same bytes unconfined");
    call_free(&a);
    call_free(&b);
    call("merkle-root", recs, sizeof recs - 1, NULL, 0, &a);
    call("merkle-root", recs, sizeof recs - 1, NULL, 1, &b);
    zkr_tap_ok(t, a.r == ZKR_ERR_MALFORMED && b.r == ZKR_ERR_MALFORMED &&
                      strcmp(a.d.msg, b.d.msg) == 0 && strstr(a.d.msg, "record 1") != NULL,
               "live: a worker's own error passes through unchanged (%s)", a.d.msg);
    call_free(&a);
    call_free(&b);
}

static void test_live_refusals(zkr_tap *t)
{
    zkr_sandbox_limits l;
    zkr_sandbox_opts bad_exe = {"/nonexistent/zkreg", NULL, 0};
    zkr_sandbox_result res;
    zkr_buf reply = {0};
    zkr_diag d;
    call_out a;

    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_VERIFIER, &l);
    l.timeout_ms = 0;
    call("sha256", "", 0, &l, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_USAGE, "refuse: unusable limits (%s)", a.d.msg);
    l.timeout_ms = 1000;
    l.nofile = 3;
    call("sha256", "", 0, &l, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_USAGE, "refuse: nofile below the three pipes + Landlock fd");
    call("nope", "", 0, NULL, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_USAGE, "refuse: unknown kind");
    call("verify", "", 0, NULL, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_UNSUPPORTED, "refuse: registered kind without code (%s)",
               a.d.msg);
    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_VERIFIER, &l);
    l.max_request = 4;
    call("sha256", "hello", 5, &l, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_TOO_LARGE, "refuse: request over max_request");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_sandbox_call(table, "sha256", &bad_exe, NULL, 0, &reply, &res, &d) ==
                      ZKR_ERR_INTERNAL,
               "refuse: a missing worker binary is an internal error (%s)", d.msg);
    zkr_buf_free(&reply);
}

static void expect_kill(zkr_tap *t, const char *kind, const char *probe, int sig)
{
    call_out a;

    call(kind, probe, strlen(probe), NULL, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_SANDBOX && zkr_err_exit_code(a.r) == 8 &&
                      a.res.term_signal == sig,
               "probe %s/%s: killed by signal %d (got %d, %s)", kind, probe, sig,
               a.res.term_signal, a.r == ZKR_OK ? (const char *)a.reply.p : a.d.msg);
    call_free(&a);
}

static void test_live_probes(zkr_tap *t)
{
    static const char *const probes[] = {"openat", "read-passwd", "write-file", "socket",
                                          "unix-socket", "connect", "execve", "fork", "ptrace",
                                          "kill-parent", "prot-exec", "x32"};
    zkr_sandbox_limits l;
    call_out a;
    struct timespec t0, t1;

    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        expect_kill(t, "test-probe-v", probes[i], SIGSYS);
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        expect_kill(t, "test-probe-p", probes[i], SIGSYS);
    expect_kill(t, "test-threads-v", "x", SIGSYS);
    call("test-threads-p", "x", 1, NULL, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_OK && a.reply.len == 128, "prover policy: 4 threads run (%s)",
               a.d.msg);
    call_free(&a);

    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_VERIFIER, &l);
    l.as_bytes = (uint64_t)256 << 20;
    call("test-probe-v", "memory", 6, &l, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_SANDBOX && strstr(a.d.msg, "RLIMIT_AS") != NULL,
               "probe memory: RLIMIT_AS refuses the allocation (%s)", a.d.msg);
    call_free(&a);

    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_VERIFIER, &l);
    l.cpu_seconds = 1;
    l.timeout_ms = 20000;
    call("test-probe-v", "cpu", 3, &l, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_ERR_SANDBOX && (a.res.term_signal == SIGXCPU ||
                                             a.res.term_signal == SIGKILL),
               "probe cpu: RLIMIT_CPU kills it (signal %d: %s)", a.res.term_signal, a.d.msg);
    call_free(&a);

    /* the worker dies while the parent still writes: no SIGPIPE death here */
    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_VERIFIER, &l);
    l.as_bytes = (uint64_t)48 << 20;
    {
        size_t big = (size_t)96 << 20;
        uint8_t *p = calloc(1, big);
        if (p != NULL) {
            call("sha256", p, big, &l, 0, &a);
            zkr_tap_ok(t, a.r == ZKR_ERR_SANDBOX,
                       "big request over the worker's memory: parent survives, exit 8 (%s)",
                       a.d.msg);
            call_free(&a);
        }
        free(p);
    }

    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_PROVER, &l);
    l.timeout_ms = 300;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    call("test-misbehave", "hang", 4, &l, 0, &a);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    zkr_tap_ok(t, a.r == ZKR_ERR_TIMEOUT && zkr_err_exit_code(a.r) == 8 &&
                      a.res.term_signal == SIGKILL,
               "hang: killed at the wall-clock limit (%s)", a.d.msg);
    zkr_tap_diag("hang returned after %ld ms", (long)((t1.tv_sec - t0.tv_sec) * 1000 +
                                                      (t1.tv_nsec - t0.tv_nsec) / 1000000));
    call_free(&a);
}

static void test_live_misbehaviour(zkr_tap *t)
{
    static const struct {
        const char *what, *needle;
    } cases[] = {
        {"garbage", "bad magic"},
        {"oversize", "oversize"},
        {"truncated", "truncated"},
        {"short", "truncated"},
        {"no-reply", "truncated: 0 bytes"},
        {"exit-3", "status 3"},
        {"bad-status", "status -70 not allowed"},
        {"positive-status", "status 7 not allowed"},
        {"bad-msg", "non-printable"},
        {"bad-conf", "incomplete confinement"},
        {"unknown-conf", "unknown confinement bits"},
        {"payload-on-failure", "payload on failure"},
        {"stream", "bytes after"},
        {"crash", ""},
    };
    zkr_sandbox_limits l;
    call_out a;

    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_PROVER, &l);
    l.timeout_ms = 30000; /* generous: a loaded CI machine; none of these waits for it */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        call("test-misbehave", cases[i].what, strlen(cases[i].what), &l, 0, &a);
        zkr_tap_ok(t, a.r == ZKR_ERR_SANDBOX && strstr(a.d.msg, cases[i].needle) != NULL &&
                          a.reply.len == 0,
                   "misbehave %s: rejected, exit 8 (%s)", cases[i].what, a.d.msg);
        call_free(&a);
    }
    call("test-misbehave", "log-flood", 9, &l, 0, &a);
    zkr_tap_ok(t, a.r == ZKR_OK && a.reply.len == 7 && strlen(a.res.log) == sizeof a.res.log - 1,
               "misbehave log-flood: 8 MiB of stderr neither blocks nor grows the parent");
    call_free(&a);
}

/*
 * A kernel that refuses namespaces and has no Landlock, simulated for real:
 * a child installs a filter making unshare fail with EPERM and
 * landlock_create_ruleset with ENOSYS (filters survive execve), then calls
 * a worker. It must still run, confined by rlimits and seccomp, and say
 * which layers are missing.
 */
static void test_fallbacks(zkr_tap *t)
{
    int pfd[2], st = 0;
    uint32_t got[3] = {0, 0, 0};
    pid_t pid;

    if (pipe(pfd) != 0)
        return;
    pid = fork();
    if (pid == 0) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        call_out a, g;
        uint32_t out[3];
        if (ctx == NULL ||
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0) != 0 ||
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(landlock_create_ruleset), 0) !=
                0 ||
            seccomp_load(ctx) != 0)
            _exit(3);
        call("sha256", "abc", 3, NULL, 0, &a);
        out[0] = a.r == ZKR_OK && a.reply.len == 32 ? 1u : 0u;
        out[1] = a.res.confinement;
        /* prover-cuda allows open(): without Landlock to limit it, it must not run */
        call("test-probe-g", "gpu-allowed", 11, NULL, 0, &g);
        out[2] = g.r == ZKR_ERR_SANDBOX && strstr(g.d.msg, "needs Landlock") != NULL &&
                         g.reply.len == 0
                     ? 1u
                     : 0u;
        if (write(pfd[1], out, sizeof out) != (ssize_t)sizeof out)
            _exit(4);
        _exit(0);
    }
    (void)close(pfd[1]);
    if (read(pfd[0], got, sizeof got) != (ssize_t)sizeof got)
        got[0] = 0;
    (void)close(pfd[0]);
    (void)waitpid(pid, &st, 0);
    zkr_tap_ok(t, got[0] == 1, "fallback: without namespaces and Landlock the worker still runs");
    zkr_tap_ok(t, (got[1] & ZKR_SANDBOX_C_REQUIRED) == ZKR_SANDBOX_C_REQUIRED &&
                      (got[1] & (ZKR_SANDBOX_C_USERNS | ZKR_SANDBOX_C_NETNS | ZKR_SANDBOX_C_IPCNS |
                                 ZKR_SANDBOX_C_MNTNS | ZKR_SANDBOX_C_LANDLOCK)) == 0,
               "fallback: it reports exactly what is missing (0x%x)", got[1]);
    zkr_tap_ok(t, got[2] == 1,
               "fallback: without Landlock the prover-cuda worker refuses to run (exit 8)");
}

int main(int argc, char **argv)
{
    zkr_tap t;

    if (sodium_init() < 0)
        return 99;
    if (argc > 1 && strcmp(argv[1], ZKR_SANDBOX_WORKER_ARG) == 0)
        zkr_sandbox_worker_main(table, argc - 1, argv + 1);
    zkr_tap_init(&t, argc, argv);
    test_request_frames(&t);
    test_reply_frames(&t);
    test_reply_mutations(&t);
    test_policies(&t);
    test_live_real_kinds(&t);
    test_live_refusals(&t);
    test_live_probes(&t);
    test_live_misbehaviour(&t);
    test_policy_gpu(&t);
    test_live_gpu_policy(&t);
    test_fallbacks(&t);
    return zkr_tap_done(&t);
}
