/*
 * The parent side: spawn the worker with three pipes, stream the request,
 * collect a bounded reply, enforce the wall clock, explain the ending.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox_int.h"

#define ZKR_ARGV_NUM 24
#define ZKR_SANDBOX_PIPE_BYTES (1 << 20)

typedef struct {
    const zkr_worker_kind *k;
    const zkr_sandbox_limits *l;
    const char *exe;
    pid_t pid;
    int req_w, rep_r, log_r;
    size_t log_len;
    int killed_by_us; /* 1 = timeout, 2 = protocol violation */
    int status;       /* from waitpid */
} zkr_sandbox_run;

void zkr_sandbox_limits_default(zkr_sandbox_policy p, zkr_sandbox_limits *out)
{
    const uint64_t MiB = 1024 * 1024;

    memset(out, 0, sizeof *out);
    switch (p) {
    case ZKR_SANDBOX_POLICY_VERIFIER:
        *out = (zkr_sandbox_limits){1024 * MiB, 60, 4, 1, 0, 120000, 256 * MiB, 16 * MiB};
        break;
    case ZKR_SANDBOX_POLICY_PROVER:
        *out = (zkr_sandbox_limits){8192 * MiB, 3600, 4, 64, 0, 7200000, 1024 * MiB, 256 * MiB};
        break;
    case ZKR_SANDBOX_POLICY_PROVER_CUDA:
        /* as_bytes is RLIMIT_DATA here; the driver needs descriptors, and fsize
           bounds its memfds (Landlock leaves no file writable) (sandbox.h) */
        *out = (zkr_sandbox_limits){8192 * MiB, 3600, 64, 64, 256 * MiB, 7200000, 1024 * MiB,
                                    256 * MiB};
        break;
    case ZKR_SANDBOX_POLICY_PKCS11:
        *out = (zkr_sandbox_limits){1024 * MiB, 60, 64, 4, 64 * MiB, 0, 0, 0};
        break;
    default:
        break;
    }
}

void zkr_sandbox_confinement_str(uint32_t bits, char *out, size_t cap)
{
    static const char *const names[] = {"fds-closed", "rlimits", "nodump", "no-new-privs",
                                        "userns", "netns", "ipcns", "mntns", "landlock",
                                        "seccomp", "pidns", "caps-dropped", "fs-view"};
    size_t used = 0;

    if (cap == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int n;
        if ((bits & (1u << i)) == 0)
            continue;
        n = snprintf(out + used, cap - used, "%s%s", used ? "," : "", names[i]);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
}

/* Limits that cannot work are a caller bug, refused before anything starts. */
static zkr_err zkr_sandbox_limits_check(const zkr_sandbox_limits *l, zkr_diag *d)
{
    if (l->as_bytes < ((uint64_t)16 << 20) || l->cpu_seconds == 0 || l->cpu_seconds > 86400 * 30)
        return zkr_fail(d, ZKR_ERR_USAGE, "sandbox limits: memory below 16 MiB or CPU time out "
                        "of 1 s..30 days");
    if (l->nofile < 4 || l->nproc == 0)
        return zkr_fail(d, ZKR_ERR_USAGE, "sandbox limits: nofile must be >= 4, nproc >= 1");
    if (l->timeout_ms == 0 || l->timeout_ms > (uint64_t)86400000 * 30)
        return zkr_fail(d, ZKR_ERR_USAGE, "sandbox limits: timeout out of 1 ms..30 days");
    if (l->max_request > ZKR_BUF_MAX || l->max_reply > ZKR_BUF_MAX)
        return zkr_fail(d, ZKR_ERR_USAGE, "sandbox limits: request or reply bound over %llu",
                        (unsigned long long)ZKR_BUF_MAX);
    return ZKR_OK;
}

static uint64_t zkr_sandbox_now_us(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* In the child between fork and exec: async-signal-safe calls only. */
static void zkr_sandbox_child_fd(int from, int to)
{
    if (from == to)
        (void)fcntl(to, F_SETFD, 0);
    else if (dup2(from, to) != to)
        _exit(127);
}

_Noreturn static void zkr_sandbox_child(const zkr_sandbox_run *run, int fds[3], char **argv,
                                        char **envp)
{
    sigset_t none;
    struct sigaction dfl;

    (void)sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    /* exec keeps ignored signals ignored: SIGXCPU and SIGPIPE must act in the worker */
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)sigaction(sig, &dfl, NULL);
    /* move the three ends clear of 0..2 first so the dup2s cannot clobber each other */
    for (int i = 0; i < 3; i++)
        if (fds[i] <= 2 && (fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
            _exit(127);
    zkr_sandbox_child_fd(fds[0], 0);
    zkr_sandbox_child_fd(fds[1], 1);
    zkr_sandbox_child_fd(fds[2], 2);
    (void)syscall(SYS_close_range, 3u, ~0u, 0u);
    execve(run->exe, argv, envp);
    _exit(127);
}

/*
 * The worker's environment: empty, except the sanitizer options in
 * sanitizer builds (the allocator must return NULL at RLIMIT_AS instead of
 * aborting, and there is no leak pass: it would need ptrace).
 */
static void zkr_sandbox_env(char (*bufs)[1024], char **envp)
{
    const char *a = getenv("ASAN_OPTIONS");
    const char *u = getenv("UBSAN_OPTIONS");
    size_t n = 0;

    if (ZKR_SANDBOX_ASAN) {
        (void)snprintf(bufs[0], sizeof bufs[0],
                       "ASAN_OPTIONS=%s%sallocator_may_return_null=1:detect_leaks=0:symbolize=0",
                       a ? a : "", a && *a ? ":" : "");
        envp[n++] = bufs[0];
    }
    if (u != NULL) {
        (void)snprintf(bufs[1], sizeof bufs[1], "UBSAN_OPTIONS=%s", u);
        envp[n++] = bufs[1];
    }
#if ZKR_TEST_BUILD
    /* test builds: a worker that names the syscall its policy refuses (policy.c) */
    {
        const char *tr = getenv("ZKR_TEST_SECCOMP_TRAP");
        if (tr != NULL && strcmp(tr, "1") == 0)
            envp[n++] = (char *)"ZKR_TEST_SECCOMP_TRAP=1";
    }
#endif
    envp[n] = NULL;
}

static zkr_err zkr_sandbox_spawn(zkr_sandbox_run *run, zkr_diag *d)
{
    char nums[6][24], envbuf[2][1024];
    char *argv[ZKR_ARGV_NUM], *envp[4];
    int req[2] = {-1, -1}, rep[2] = {-1, -1}, lg[2] = {-1, -1}, fds[3];
    const zkr_sandbox_limits *l = run->l;
    uint64_t v[6] = {l->as_bytes, l->cpu_seconds, l->nofile, l->nproc, l->fsize_bytes,
                     l->max_request};
    zkr_err r = ZKR_OK;

    argv[0] = (char *)"zkreg";
    argv[1] = (char *)ZKR_SANDBOX_WORKER_ARG;
    argv[2] = (char *)run->k->kind;
    for (int i = 0; i < 6; i++) {
        (void)snprintf(nums[i], sizeof nums[i], "%llu", (unsigned long long)v[i]);
        argv[3 + i] = nums[i];
    }
    argv[9] = NULL;
    zkr_sandbox_env(envbuf, envp);
    if (pipe2(req, O_CLOEXEC) != 0 || pipe2(rep, O_CLOEXEC) != 0 || pipe2(lg, O_CLOEXEC) != 0) {
        r = zkr_fail(d, ZKR_ERR_INTERNAL, "cannot create worker pipes: %s", strerror(errno));
        goto out;
    }
    fds[0] = req[0];
    fds[1] = rep[1];
    fds[2] = lg[1];
    run->pid = fork();
    if (run->pid < 0) {
        r = zkr_fail(d, ZKR_ERR_INTERNAL, "cannot start worker: fork: %s", strerror(errno));
        goto out;
    }
    if (run->pid == 0)
        zkr_sandbox_child(run, fds, argv, envp);
    run->req_w = req[1];
    run->rep_r = rep[0];
    run->log_r = lg[0];
    req[1] = rep[0] = lg[0] = -1;
    /* bigger pipes: fewer wake-ups per megabyte (best effort, up to pipe-max-size) */
    (void)fcntl(run->req_w, F_SETPIPE_SZ, ZKR_SANDBOX_PIPE_BYTES);
    (void)fcntl(run->rep_r, F_SETPIPE_SZ, ZKR_SANDBOX_PIPE_BYTES);
    (void)fcntl(run->req_w, F_SETFL, O_NONBLOCK);
    (void)fcntl(run->rep_r, F_SETFL, O_NONBLOCK);
    (void)fcntl(run->log_r, F_SETFL, O_NONBLOCK);
out:
    for (int i = 0; i < 2; i++) {
        if (req[i] >= 0)
            (void)close(req[i]);
        if (rep[i] >= 0)
            (void)close(rep[i]);
        if (lg[i] >= 0)
            (void)close(lg[i]);
    }
    return r;
}

static void zkr_sandbox_close(int *fd)
{
    if (*fd >= 0)
        (void)close(*fd);
    *fd = -1;
}

/* Keeps the start of the worker's stderr, printable ASCII and newlines only. */
static void zkr_sandbox_log_keep(zkr_sandbox_run *run, zkr_sandbox_result *res,
                                 const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && run->log_len + 1 < sizeof res->log; i++) {
        uint8_t c = p[i];
        res->log[run->log_len++] = (c == '\n' || (c >= 0x20 && c <= 0x7e)) ? (char)c : '?';
    }
    res->log[run->log_len] = '\0';
}

/* One read from the reply pipe; enforces the frame bound as bytes arrive. */
static zkr_err zkr_sandbox_read_reply(zkr_sandbox_run *run, zkr_buf *in, int *eof, zkr_diag *d)
{
    uint8_t chunk[65536];
    uint64_t total = 0;
    ssize_t n;
    zkr_err r;

    n = read(run->rep_r, chunk, sizeof chunk);
    if (n < 0)
        return (errno == EAGAIN || errno == EINTR) ? ZKR_OK : zkr_fail(d, ZKR_ERR_SANDBOX,
                                                  "reading the worker reply: %s", strerror(errno));
    if (n == 0) {
        *eof = 1;
        return ZKR_OK;
    }
    if ((r = zkr_buf_append(in, chunk, (size_t)n)) != ZKR_OK)
        return zkr_fail(d, r, "worker reply buffer");
    if ((r = zkr_sandbox_rep_total_len(in->p, in->len, run->l->max_reply, &total, d)) != ZKR_OK)
        return r;
    if (total != 0 && in->len > total)
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "worker reply is malformed: bytes after the %llu-byte frame",
                        (unsigned long long)total);
    /* the frame's size is known and bounded: one allocation for the rest */
    if (total != 0 && (r = zkr_buf_reserve(in, (size_t)total - in->len)) != ZKR_OK)
        return zkr_fail(d, r, "worker reply buffer");
    return ZKR_OK;
}

static void zkr_sandbox_read_log(zkr_sandbox_run *run, zkr_sandbox_result *res, int *eof)
{
    uint8_t tmp[4096];
    ssize_t n = read(run->log_r, tmp, sizeof tmp);

    if (n == 0)
        *eof = 1;
    else if (n > 0)
        zkr_sandbox_log_keep(run, res, tmp, (size_t)n);
}

static void zkr_sandbox_kill(zkr_sandbox_run *run, int why)
{
    if (run->killed_by_us == 0)
        run->killed_by_us = why;
    (void)kill(run->pid, SIGKILL);
}

/* Streams the request and collects reply and log until both pipes close. */
static zkr_err zkr_sandbox_pump(zkr_sandbox_run *run, const zkr_buf *hdr, const uint8_t *payload,
                                size_t payload_len, zkr_buf *in, zkr_sandbox_result *res,
                                uint64_t deadline, zkr_diag *d)
{
    size_t sent = 0, total = hdr->len + payload_len;
    int rep_eof = 0, log_eof = 0;
    zkr_err r = ZKR_OK;

    while (!rep_eof || !log_eof) {
        struct pollfd pf[3];
        nfds_t n = 0;
        uint64_t now = zkr_sandbox_now_us();
        int ms, rc;

        if (now >= deadline) {
            zkr_sandbox_kill(run, 1);
            return ZKR_ERR_TIMEOUT;
        }
        ms = (int)((deadline - now + 999) / 1000 > 60000 ? 60000 : (deadline - now + 999) / 1000);
        if (run->req_w >= 0)
            pf[n++] = (struct pollfd){run->req_w, POLLOUT, 0};
        if (!rep_eof)
            pf[n++] = (struct pollfd){run->rep_r, POLLIN, 0};
        if (!log_eof)
            pf[n++] = (struct pollfd){run->log_r, POLLIN, 0};
        rc = poll(pf, n, ms);
        if (rc < 0 && errno != EINTR)
            return zkr_fail(d, ZKR_ERR_INTERNAL, "poll: %s", strerror(errno));
        if (rc <= 0)
            continue;
        for (nfds_t i = 0; i < n; i++) {
            if (pf[i].revents == 0)
                continue;
            if (pf[i].fd == run->req_w) {
                ssize_t w = sent < hdr->len
                                ? write(run->req_w, hdr->p + sent, hdr->len - sent)
                                : write(run->req_w, payload + (sent - hdr->len), total - sent);
                if (w > 0)
                    sent += (size_t)w;
                if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == total)
                    zkr_sandbox_close(&run->req_w); /* EPIPE: the exit status says why */
            } else if (pf[i].fd == run->rep_r) {
                if ((r = zkr_sandbox_read_reply(run, in, &rep_eof, d)) != ZKR_OK) {
                    zkr_sandbox_kill(run, 2);
                    return r;
                }
            } else {
                zkr_sandbox_read_log(run, res, &log_eof);
            }
        }
    }
    return ZKR_OK;
}

/* Reaps the worker, killing it at the deadline if it lingers. */
static zkr_err zkr_sandbox_reap(zkr_sandbox_run *run, uint64_t deadline)
{
    zkr_err r = ZKR_OK;

    for (;;) {
        pid_t w = waitpid(run->pid, &run->status, run->killed_by_us ? 0 : WNOHANG);
        if (w == run->pid)
            return r;
        if (w < 0 && errno != EINTR)
            return ZKR_ERR_INTERNAL;
        if (w == 0) {
            if (zkr_sandbox_now_us() >= deadline) {
                zkr_sandbox_kill(run, 1);
                r = ZKR_ERR_TIMEOUT;
                continue;
            }
            (void)nanosleep(&(struct timespec){0, 200000}, NULL);
        }
    }
}

static const char *zkr_sandbox_signame(int sig)
{
    switch (sig) {
    case SIGSYS: return "SIGSYS";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGPIPE: return "SIGPIPE";
    default: return "signal";
    }
}

/* Why did a worker that sent no valid reply end? */
static zkr_err zkr_sandbox_explain(const zkr_sandbox_run *run, zkr_diag *d)
{
    const char *kind = run->k->kind;
    int st = run->status;

    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        if (sig == SIGSYS)
            return zkr_fail(d, ZKR_ERR_SANDBOX,
                            "worker '%s' was killed by its seccomp policy (SIGSYS): it attempted "
                            "a forbidden system call", kind);
        if (sig == SIGXCPU)
            return zkr_fail(d, ZKR_ERR_SANDBOX,
                            "worker '%s' was killed by SIGXCPU: it exceeded its CPU limit of "
                            "%llu s", kind, (unsigned long long)run->l->cpu_seconds);
        if (sig == SIGKILL)
            return zkr_fail(d, ZKR_ERR_SANDBOX,
                            "worker '%s' was killed by SIGKILL: the hard CPU limit (%llu s) or "
                            "the kernel's OOM killer", kind,
                            (unsigned long long)run->l->cpu_seconds + 1);
        if (sig == SIGXFSZ)
            return zkr_fail(d, ZKR_ERR_SANDBOX, "worker '%s' exceeded its file size limit", kind);
        return zkr_fail(d, ZKR_ERR_SANDBOX, "worker '%s' crashed with %s (%d)", kind,
                        zkr_sandbox_signame(sig), sig);
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "worker '%s' could not be started (exec of %s failed)",
                        kind, run->exe);
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "worker '%s' exited with status %d without a valid reply",
                        kind, WEXITSTATUS(st));
    return ZKR_OK;
}

/* Maps a decoded reply to the caller's result. */
static zkr_err zkr_sandbox_accept(const zkr_worker_kind *k, const zkr_sandbox_limits *l,
                                  const zkr_sandbox_reply *rp, int sandboxed, zkr_buf *reply,
                                  zkr_diag *d)
{
    zkr_err st = (zkr_err)rp->status;

    if (sandboxed && (rp->confinement & ZKR_SANDBOX_C_REQUIRED) != ZKR_SANDBOX_C_REQUIRED &&
        st != ZKR_ERR_SANDBOX)
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "worker '%s' reply claims incomplete confinement (0x%x); rejected", k->kind,
                        (unsigned)rp->confinement);
    if (st == ZKR_OK)
        return zkr_buf_append(reply, rp->payload, rp->payload_len);
    if (st == ZKR_ERR_NOMEM && sandboxed)
        return zkr_fail(d, ZKR_ERR_SANDBOX,
                        "worker '%s' ran out of memory at its limit (RLIMIT_AS %llu MiB): %s",
                        k->kind, (unsigned long long)(l->as_bytes >> 20), rp->msg);
    if (st == ZKR_ERR_SANDBOX)
        return zkr_fail(d, ZKR_ERR_SANDBOX, "worker '%s' could not confine itself: %s", k->kind,
                        rp->msg);
    return zkr_fail(d, st, "%s", rp->msg);
}

static zkr_err zkr_sandbox_in_process(const zkr_worker_kind *k, const zkr_sandbox_limits *l,
                                      const zkr_buf *req, zkr_buf *reply, zkr_diag *d)
{
    zkr_buf out = {0}, frame = {0};
    zkr_sandbox_reply rp;
    const uint8_t *payload;
    size_t plen;
    zkr_diag wd;
    zkr_err r;

    zkr_diag_clear(&wd);
    fprintf(stderr, "zkreg: WARNING: --no-sandbox: worker '%s' runs UNCONFINED inside this "
                    "process; for debugging only, never for attestations\n", k->kind);
    r = zkr_sandbox_req_decode(req->p, req->len, k->kind, l->max_request, &payload, &plen, &wd);
    if (r == ZKR_OK)
        r = k->fn(payload, plen, &out, &wd);
    if (!zkr_sandbox_status_allowed((int32_t)r))
        r = ZKR_ERR_INTERNAL;
    if (zkr_sandbox_rep_encode((int32_t)r, 0, 0, r == ZKR_OK ? NULL : (wd.msg[0] ? wd.msg : zkr_strerror(r)),
                               r == ZKR_OK ? out.p : NULL, r == ZKR_OK ? out.len : 0,
                               &frame) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_NOMEM, "encoding the reply");
        goto out;
    }
    r = zkr_sandbox_rep_decode(frame.p, frame.len, l->max_reply, &rp, d);
    if (r == ZKR_OK)
        r = zkr_sandbox_accept(k, l, &rp, 0, reply, d);
out:
    zkr_buf_free(&out);
    zkr_buf_free(&frame);
    return r;
}

static zkr_err zkr_sandbox_confined(zkr_sandbox_run *run, const zkr_buf *hdr,
                                    const uint8_t *payload, size_t payload_len, zkr_buf *reply,
                                    zkr_sandbox_result *res, zkr_diag *d)
{
    zkr_buf in = {0};
    zkr_sandbox_reply rp;
    sigset_t pipe_set, old;
    struct timespec zero = {0, 0};
    uint64_t deadline;
    zkr_err r, rr;
    zkr_diag pd;

    zkr_diag_clear(&pd);
    (void)sigemptyset(&pipe_set);
    (void)sigaddset(&pipe_set, SIGPIPE);
    (void)pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    deadline = zkr_sandbox_now_us() + run->l->timeout_ms * 1000u;
    if ((r = zkr_sandbox_spawn(run, d)) != ZKR_OK)
        goto out;
    r = zkr_sandbox_pump(run, hdr, payload, payload_len, &in, res, deadline, &pd);
    if (r != ZKR_OK && run->killed_by_us == 0)
        zkr_sandbox_kill(run, 3); /* a local failure: do not leave the worker running */
    rr = zkr_sandbox_reap(run, deadline);
    if (r == ZKR_OK)
        r = rr;
    res->exited = WIFEXITED(run->status);
    res->exit_code = res->exited ? WEXITSTATUS(run->status) : 0;
    res->term_signal = WIFSIGNALED(run->status) ? WTERMSIG(run->status) : 0;
    if (run->killed_by_us == 1 || r == ZKR_ERR_TIMEOUT) {
        r = zkr_fail(d, ZKR_ERR_TIMEOUT, "worker '%s' exceeded the wall-clock limit of %llu ms "
                     "and was killed", run->k->kind, (unsigned long long)run->l->timeout_ms);
        goto out;
    }
    if (run->killed_by_us == 2) {
        r = zkr_fail(d, ZKR_ERR_SANDBOX, "worker '%s': %s; it was killed", run->k->kind, pd.msg);
        goto out;
    }
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, "%s", pd.msg);
        goto out;
    }
    if ((r = zkr_sandbox_explain(run, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_sandbox_rep_decode(in.p, in.len, run->l->max_reply, &rp, &pd)) != ZKR_OK) {
        r = zkr_fail(d, r, "worker '%s': %s", run->k->kind, pd.msg);
        goto out;
    }
    res->confinement = rp.confinement;
    res->landlock_abi = rp.landlock_abi;
    r = zkr_sandbox_accept(run->k, run->l, &rp, 1, reply, d);
out:
    zkr_sandbox_close(&run->req_w);
    zkr_sandbox_close(&run->rep_r);
    zkr_sandbox_close(&run->log_r);
    while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
        ;
    (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
    zkr_buf_free(&in);
    return r;
}

zkr_err zkr_sandbox_call(const zkr_worker_kind *table, const char *kind,
                         const zkr_sandbox_opts *opts, const uint8_t *req, size_t req_len,
                         zkr_buf *reply, zkr_sandbox_result *res, zkr_diag *d)
{
    zkr_sandbox_limits def;
    zkr_sandbox_run run;
    zkr_buf frame = {0};
    uint64_t t0 = zkr_sandbox_now_us();
    zkr_err r;

    zkr_buf_free(reply);
    memset(res, 0, sizeof *res);
    memset(&run, 0, sizeof run);
    run.req_w = run.rep_r = run.log_r = -1;
    run.k = zkr_sandbox_kind_find(table, kind);
    if (run.k == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "unknown worker kind '%s'", kind ? kind : "");
    if (run.k->fn == NULL)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "worker kind '%s' has no implementation in this build", kind);
    zkr_sandbox_limits_default(run.k->policy, &def);
    run.l = (opts != NULL && opts->limits != NULL) ? opts->limits : &def;
    run.exe = (opts != NULL && opts->exe != NULL) ? opts->exe : "/proc/self/exe";
    if ((r = zkr_sandbox_limits_check(run.l, d)) != ZKR_OK)
        return r;
    if (req_len > run.l->max_request)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "request for worker '%s' is %zu bytes, over %llu",
                        kind, req_len, (unsigned long long)run.l->max_request);
    res->sandboxed = !(opts != NULL && opts->no_sandbox);
    r = res->sandboxed ? zkr_sandbox_req_encode_header(kind, req_len, &frame)
                       : zkr_sandbox_req_encode(kind, req, req_len, &frame);
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, "encoding the request for worker '%s'", kind);
        goto out;
    }
    if (res->sandboxed)
        r = zkr_sandbox_confined(&run, &frame, req, req_len, reply, res, d);
    else
        r = zkr_sandbox_in_process(run.k, run.l, &frame, reply, d);
out:
    res->wall_us = zkr_sandbox_now_us() - t0;
    if (r != ZKR_OK)
        zkr_buf_free(reply);
    zkr_buf_free(&frame);
    return r;
}
