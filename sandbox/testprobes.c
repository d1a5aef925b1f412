/*
 * Test-only worker kinds (ZKR_TEST_BUILD): each probe attempts one
 * forbidden operation inside the confined worker. Being killed (SIGSYS,
 * SIGXCPU) or refused (NULL from malloc at RLIMIT_AS) is the designed
 * outcome; if the operation works the probe replies "escaped: ..." with
 * ZKR_OK so that the test, which expects exit 8, fails loudly.
 * The misbehaving kinds write raw, deliberately broken frames.
 */
#include "zkr_config.h"

#if ZKR_TEST_BUILD
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox_int.h"

static int zkr_probe_is(const uint8_t *req, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(req, name, len) == 0;
}

static zkr_err zkr_probe_escaped(zkr_buf *reply, const char *what, long rc)
{
    char msg[160];

    (void)snprintf(msg, sizeof msg, "escaped: %s returned %ld (errno %d)", what, rc, errno);
    return zkr_buf_append_str(reply, msg);
}

static zkr_err zkr_probe_memory(zkr_buf *reply, zkr_diag *d)
{
    const size_t chunk = (size_t)16 << 20;

    for (size_t i = 0; i < 4096; i++) { /* up to 64 GiB */
        uint8_t *p = malloc(chunk);
        if (p == NULL)
            return zkr_fail(d, ZKR_ERR_NOMEM, "memory probe: allocation %zu of 16 MiB refused", i);
        memset(p, (int)i | 1, chunk); /* touch it: really use the memory; kept on purpose */
    }
    return zkr_probe_escaped(reply, "64 GiB of malloc", 0);
}

static zkr_err zkr_probe_cpu(zkr_buf *reply)
{
    volatile uint64_t x = 1;
    struct timespec t0, t;

    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    do { /* 120 s of spinning: RLIMIT_CPU must end it long before */
        for (int i = 0; i < 1000000; i++)
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        (void)clock_gettime(CLOCK_MONOTONIC, &t);
    } while (t.tv_sec - t0.tv_sec < 120);
    return zkr_probe_escaped(reply, "120 s of CPU", (long)x);
}

/*
 * What prover-cuda allows and the CPU prover does not, done the way the
 * driver does: an eventfd polled and read, ioctl on it, a memfd mapped
 * MAP_SHARED, opening a device node (absent here: ENOENT or EACCES from
 * Landlock, never a kill), and a file outside the NVIDIA nodes, which
 * Landlock refuses. Replies "gpu-allowed: ..." with what each returned.
 */
static zkr_err zkr_probe_gpu_allowed(zkr_buf *reply, zkr_diag *d)
{
    char msg[200];
    uint64_t one = 1;
    struct pollfd pfd;
    int efd = eventfd(0, EFD_CLOEXEC), mfd, nv, pw, ok = 1;
    void *m;

    if (efd < 3)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "gpu-allowed: eventfd: %s", strerror(errno));
    ok &= write(efd, &one, sizeof one) == (ssize_t)sizeof one;
    pfd.fd = efd;
    pfd.events = POLLIN;
    ok &= poll(&pfd, 1, 0) == 1 && read(efd, &one, sizeof one) == (ssize_t)sizeof one;
    /* an NVIDIA-shaped request ('F') reaches the eventfd, which does not know it */
    ok &= ioctl(efd, _IOWR('F', 0xd6, int), &(int){0}) == -1 && errno == ENOTTY;
    /* the descriptor flags the runtime sets: close-on-exec, non-blocking, a close-on-exec dup */
    ok &= fcntl(efd, F_GETFD) == FD_CLOEXEC &&
          fcntl(efd, F_SETFL, fcntl(efd, F_GETFL) | O_NONBLOCK) == 0;
    int dfd = fcntl(efd, F_DUPFD_CLOEXEC, 3);
    ok &= dfd >= 3 && close(dfd) == 0;
    mfd = (int)syscall(SYS_memfd_create, "zkr-probe", MFD_CLOEXEC);
    ok &= mfd >= 3 && ftruncate(mfd, 4096) == 0;
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    ok &= m != MAP_FAILED && munmap(m, 4096) == 0;
    nv = open("/dev/nvidiactl", O_RDWR | O_CLOEXEC);
    int nv_errno = errno;
    pw = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    int pw_errno = errno;
    (void)close(efd);
    (void)close(mfd);
    (void)snprintf(msg, sizeof msg, "gpu-allowed: eventfd/poll/ioctl/memfd %s; nvidiactl %d "
                                    "(errno %d); /etc/passwd %d (errno %d)",
                   ok ? "ok" : "FAILED", nv, nv < 0 ? nv_errno : 0, pw, pw < 0 ? pw_errno : 0);
    if (nv >= 0)
        (void)close(nv);
    if (pw >= 0)
        (void)close(pw);
    return zkr_buf_append_str(reply, msg);
}

/*
 * 16 GiB of shared memory, twice the prover's memory limit, mapped and not
 * touched: one MAP_SHARED|MAP_ANONYMOUS mapping, or (memfd) 64 memfds of
 * 256 MiB (RLIMIT_FSIZE) each mapped and closed. RLIMIT_DATA does not count
 * shared mappings; touching them would take the host's memory.
 */
static zkr_err zkr_probe_shared(zkr_buf *reply, int memfd, zkr_diag *d)
{
    const size_t chunk = (size_t)256 << 20;

    if (!memfd) {
        void *m = mmap(NULL, 64 * chunk, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED)
            return zkr_fail(d, ZKR_ERR_NOMEM, "shared probe: 16 GiB mapping refused (errno %d)",
                            errno);
        return zkr_probe_escaped(reply, "a 16 GiB shared anonymous mapping", 0);
    }
    for (size_t i = 0; i < 64; i++) {
        int fd = (int)syscall(SYS_memfd_create, "zkr-probe", MFD_CLOEXEC);
        void *m = MAP_FAILED;
        if (fd >= 0 && ftruncate(fd, (off_t)chunk) == 0)
            m = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (fd >= 0)
            (void)close(fd);
        if (m == MAP_FAILED)
            return zkr_fail(d, ZKR_ERR_NOMEM, "shared probe: memfd mapping %zu of 256 MiB "
                                              "refused (errno %d)", i, errno);
    }
    return zkr_probe_escaped(reply, "64 memfds of 256 MiB mapped", 0);
}

zkr_err zkr_sandbox_test_prepare(zkr_diag *d)
{
    return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "test preparation: no device");
}

zkr_err zkr_sandbox_test_probe(const uint8_t *req, size_t len, zkr_buf *reply, zkr_diag *d)
{
    struct sockaddr_in sin;
    char *const argv[] = {(char *)"/bin/true", NULL};
    long rc;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(9);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (zkr_probe_is(req, len, "openat"))
        rc = syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY);
    else if (zkr_probe_is(req, len, "read-passwd"))
        rc = open("/etc/passwd", O_RDONLY); /* glibc: openat */
    else if (zkr_probe_is(req, len, "write-file"))
        rc = syscall(SYS_creat, "/tmp/zkr-sandbox-probe-write", 0600);
    else if (zkr_probe_is(req, len, "socket"))
        rc = socket(AF_INET, SOCK_STREAM, 0);
    else if (zkr_probe_is(req, len, "unix-socket"))
        rc = socket(AF_UNIX, SOCK_STREAM, 0);
    else if (zkr_probe_is(req, len, "connect"))
        rc = connect(0, (const struct sockaddr *)&sin, sizeof sin);
    else if (zkr_probe_is(req, len, "execve"))
        rc = execve(argv[0], argv, argv + 1);
    else if (zkr_probe_is(req, len, "fork")) {
        rc = fork();
        if (rc == 0)
            _exit(0);
    } else if (zkr_probe_is(req, len, "ptrace"))
        rc = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    else if (zkr_probe_is(req, len, "kill-parent"))
        rc = kill(getppid(), SIGCONT);
    else if (zkr_probe_is(req, len, "prot-exec"))
        rc = (long)(intptr_t)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                                  -1, 0);
    else if (zkr_probe_is(req, len, "madvise-dontfork") ||
             zkr_probe_is(req, len, "madvise-dontneed")) {
        /* DONTNEED is what free() uses (allowed); DONTFORK is not in the allowlist */
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        rc = p == MAP_FAILED ? -1
                             : madvise(p, 4096, zkr_probe_is(req, len, "madvise-dontfork")
                                                    ? MADV_DONTFORK
                                                    : MADV_DONTNEED);
    } else if (zkr_probe_is(req, len, "x32"))
        rc = syscall(0x40000000L | SYS_getpid); /* the x32 ABI bit */
    else if (zkr_probe_is(req, len, "ioctl-pipe"))
        rc = ioctl(0, FIONREAD, &(int){0}); /* prover-cuda too: ioctl only on fds >= 3 */
    else if (zkr_probe_is(req, len, "ioctl-tty")) {
        /* a tty request on a descriptor prover-cuda may ioctl: not the driver's, so killed */
        int efd = eventfd(0, EFD_CLOEXEC);
        rc = ioctl(efd, FIONREAD, &(int){0});
    } else if (zkr_probe_is(req, len, "nvidia-open"))
        rc = open("/dev/nvidiactl", O_RDWR | O_CLOEXEC);
    else if (zkr_probe_is(req, len, "open-creat"))
        rc = open("/dev/nvidiactl", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    else if (zkr_probe_is(req, len, "memfd-exec")) {
        int fd = (int)syscall(SYS_memfd_create, "zkr-probe", 0);
        rc = fd < 0 || ftruncate(fd, 4096) != 0
                 ? -1
                 : (long)(intptr_t)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    } else if (zkr_probe_is(req, len, "fd-hi-ioctl"))
        /* fd 0 with bit 32 set: the kernel reads fd as 32 bits, a 64-bit ">= 3" did not */
        rc = syscall(SYS_ioctl, (1L << 32) | 0L, _IOWR('F', 0xd6, int), &(int){0});
    else if (zkr_probe_is(req, len, "fd-hi-fcntl"))
        rc = syscall(SYS_fcntl, (1L << 32) | 1L, F_GETPIPE_SZ, 0L); /* the reply pipe */
    else if (zkr_probe_is(req, len, "fcntl-setown") || zkr_probe_is(req, len, "fcntl-async")) {
        /* SIGIO (or F_SETSIG's signal) to any pid of the same user, through a pipe of its own */
        int pfd[2];
        rc = pipe2(pfd, O_CLOEXEC);
        if (rc == 0)
            rc = zkr_probe_is(req, len, "fcntl-setown") ? fcntl(pfd[0], F_SETOWN, 1)
                                                        : fcntl(pfd[0], F_SETFL, O_ASYNC);
    } else if (zkr_probe_is(req, len, "open-opath"))
        rc = open("/etc/passwd", O_PATH | O_CLOEXEC); /* Landlock does not check O_PATH */
    else if (zkr_probe_is(req, len, "ia32")) {
        long nr = 20; /* getpid in the i386 table, through the 32-bit entry */
        __asm__ volatile("int $0x80" : "+a"(nr) : : "memory");
        rc = nr;
    } else if (zkr_probe_is(req, len, "sched-other")) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(0, &set);
        rc = sched_setaffinity(1, sizeof set, &set); /* another task than the caller */
    } else if (zkr_probe_is(req, len, "memfd-mprotect-exec")) {
        int fd = (int)syscall(SYS_memfd_create, "zkr-probe", MFD_CLOEXEC);
        void *m = fd < 0 || ftruncate(fd, 4096) != 0
                      ? MAP_FAILED
                      : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        rc = m == MAP_FAILED ? -1 : mprotect(m, 4096, PROT_READ | PROT_EXEC);
    } else if (zkr_probe_is(req, len, "open-nvidia-symlink"))
        /* a path through /proc/self/root to a file outside the NVIDIA nodes */
        rc = open("/proc/self/root/etc/passwd", O_RDONLY | O_CLOEXEC);
    else if (zkr_probe_is(req, len, "reopen-stdin"))
        /* the request pipe again, as a descriptor >= 3 (pipes are not paths to Landlock) */
        rc = open("/proc/self/fd/0", O_RDONLY | O_CLOEXEC);
    else if (zkr_probe_is(req, len, "stat-path")) {
        struct stat st;
        rc = syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, AT_EMPTY_PATH);
    } else if (zkr_probe_is(req, len, "shared-anon") || zkr_probe_is(req, len, "memfd-many"))
        return zkr_probe_shared(reply, zkr_probe_is(req, len, "memfd-many"), d);
    else if (zkr_probe_is(req, len, "gpu-allowed"))
        return zkr_probe_gpu_allowed(reply, d);
    else if (zkr_probe_is(req, len, "memory"))
        return zkr_probe_memory(reply, d);
    else if (zkr_probe_is(req, len, "cpu"))
        return zkr_probe_cpu(reply);
    else
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "unknown probe");
    return zkr_probe_escaped(reply, "the forbidden call", rc);
}

_Noreturn static void zkr_probe_raw(int32_t status, uint32_t conf, const char *msg,
                                    const uint8_t *p, size_t n, size_t cut, uint64_t fake_len)
{
    zkr_buf out = {0};
    size_t off = 0;

    if (zkr_sandbox_rep_encode(status, conf, 0, msg, p, n, &out) != ZKR_OK)
        _exit(3);
    if (fake_len != 0) /* overwrite the payload length field */
        zkr_store_be64(out.p + 16 + (msg ? strlen(msg) : 0), fake_len);
    if (cut != 0 && cut < out.len)
        out.len = cut;
    while (off < out.len) {
        ssize_t w = write(1, out.p + off, out.len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    _exit(0);
}

static void zkr_probe_write(int fd, const void *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return;
        p = (const uint8_t *)p + w;
        n -= (size_t)w;
    }
}

zkr_err zkr_sandbox_test_misbehave(const uint8_t *req, size_t len, zkr_buf *reply, zkr_diag *d)
{
    static const uint8_t pay[100] = {1};
    static uint8_t junk[65536];
    const uint32_t ok = ZKR_SANDBOX_C_REQUIRED;

    if (zkr_probe_is(req, len, "garbage")) {
        zkr_probe_write(1, "this is not a reply frame at all", 32);
        _exit(0);
    }
    if (zkr_probe_is(req, len, "oversize"))
        zkr_probe_raw(ZKR_OK, ok, NULL, pay, sizeof pay, 0, (uint64_t)1 << 40);
    if (zkr_probe_is(req, len, "truncated"))
        zkr_probe_raw(ZKR_OK, ok, NULL, pay, sizeof pay, 60, 0);
    if (zkr_probe_is(req, len, "short"))
        zkr_probe_raw(ZKR_OK, ok, NULL, pay, sizeof pay, 5, 0);
    if (zkr_probe_is(req, len, "no-reply"))
        _exit(0);
    if (zkr_probe_is(req, len, "exit-3"))
        _exit(3);
    if (zkr_probe_is(req, len, "bad-status"))
        zkr_probe_raw(ZKR_ERR_KEY, ok, "claims a key error", NULL, 0, 0, 0);
    if (zkr_probe_is(req, len, "positive-status"))
        zkr_probe_raw(7, ok, "positive", NULL, 0, 0, 0);
    if (zkr_probe_is(req, len, "bad-msg"))
        zkr_probe_raw(ZKR_ERR_MALFORMED, ok, "terminal \x1b]0;pwned\x07", NULL, 0, 0, 0);
    if (zkr_probe_is(req, len, "bad-conf"))
        zkr_probe_raw(ZKR_OK, 0, NULL, pay, sizeof pay, 0, 0);
    if (zkr_probe_is(req, len, "unknown-conf"))
        zkr_probe_raw(ZKR_OK, ok | 0x80000u, NULL, pay, sizeof pay, 0, 0);
    if (zkr_probe_is(req, len, "payload-on-failure")) {
        zkr_buf out = {0};
        if (zkr_sandbox_rep_encode(ZKR_ERR_VERIFY, ok, 0, "no", pay, sizeof pay, &out) == ZKR_OK)
            zkr_probe_write(1, out.p, out.len);
        _exit(0);
    }
    if (zkr_probe_is(req, len, "stream")) { /* a valid frame, then endless bytes */
        zkr_buf out = {0};
        if (zkr_sandbox_rep_encode(ZKR_OK, ok, 0, NULL, pay, sizeof pay, &out) == ZKR_OK)
            zkr_probe_write(1, out.p, out.len);
        for (;;)
            zkr_probe_write(1, junk, sizeof junk);
    }
    if (zkr_probe_is(req, len, "hang"))
        for (;;)
            (void)nanosleep(&(struct timespec){1, 0}, NULL);
    if (zkr_probe_is(req, len, "log-flood")) {
        memset(junk, 'A', sizeof junk);
        for (int i = 0; i < 128; i++) /* 8 MiB of stderr */
            zkr_probe_write(2, junk, sizeof junk);
        return zkr_buf_append_str(reply, "flooded");
    }
    if (zkr_probe_is(req, len, "crash")) {
        volatile int *np = NULL;
        return zkr_fail(d, ZKR_ERR_INTERNAL, "not reached %d", *np);
    }
    return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "unknown misbehaviour");
}

static void *zkr_probe_thread(void *arg)
{
    uint8_t *digest = arg;

    zkr_sha256(digest, ZKR_DIGEST_BYTES, digest);
    return NULL;
}

zkr_err zkr_sandbox_test_threads(const uint8_t *req, size_t len, zkr_buf *reply, zkr_diag *d)
{
    uint8_t digests[4][ZKR_DIGEST_BYTES];
    pthread_t th[4];
    int started = 0;
    zkr_err r = ZKR_OK;

    for (int i = 0; i < 4; i++) {
        zkr_sha256(req, len, digests[i]);
        digests[i][0] ^= (uint8_t)i;
    }
    for (; started < 4; started++)
        if (pthread_create(&th[started], NULL, zkr_probe_thread, digests[started]) != 0) {
            r = zkr_fail(d, ZKR_ERR_INTERNAL, "pthread_create failed");
            break;
        }
    for (int i = 0; i < started; i++)
        (void)pthread_join(th[i], NULL);
    for (int i = 0; r == ZKR_OK && i < 4; i++)
        r = zkr_buf_append(reply, digests[i], ZKR_DIGEST_BYTES);
    return r;
}
#else
typedef int zkr_sandbox_testprobes_empty; /* ISO C: a translation unit is not empty */
#endif
