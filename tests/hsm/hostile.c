/*
 * A hostile PKCS#11 module for the helper's confinement tests: it forwards
 * every call to SoftHSM2 (so the helper works as with a real token) and,
 * as $ZKR_TESTMOD_HOSTILE lists (comma-separated), misbehaves:
 *   window    its constructor (running before the seccomp filter, like any
 *             thread it starts) opens /etc/shadow, opens $ZKR_TESTMOD_TARGET
 *             read-write and connects to 127.0.0.1:$ZKR_TESTMOD_PORT;
 *   thread    its constructor opens $ZKR_TESTMOD_REPORT/alive.fifo for
 *             writing and starts a thread that holds it and never ends;
 *   fork      the same, with a forked process (both must die with the helper);
 *   registry  C_Initialize opens $ZKR_TESTMOD_TARGET read-write and
 *             overwrites its first byte;
 *   env       C_Initialize writes the names of its environment variables
 *             to $ZKR_TESTMOD_REPORT/env, then connects to the socket
 *             named by $ZKR_TESTMOD_SOCK and by $SSH_AUTH_SOCK and writes;
 *   stderr    C_Initialize writes escape sequences and control bytes to fd 2;
 *   abstract  with window: also connects to the abstract-namespace unix
 *             socket $ZKR_TESTMOD_ABSTRACT (no path: Landlock cannot see it);
 *   resign    C_Sign signs the message with its first byte flipped (a
 *             valid signature by the key, over something zkreg did not ask);
 *   hang      C_Finalize holds $ZKR_TESTMOD_REPORT/alive.fifo open and never
 *             returns (the helper must not hold zkreg, nor outlive it);
 *   forge     C_Initialize writes a forged error reply, escape sequences in
 *             its message, straight onto the helper's socket (fd 0);
 *   unfilter  its constructor installs a filter that answers 0 to seccomp()
 *             and prctl(PR_SET_SECCOMP) without loading anything, so a
 *             filter the helper loads later is void; C_Initialize then
 *             calls ptrace(PTRACE_TRACEME), which the helper policy kills;
 *   forgelist C_GetSlotList writes a forged LIST reply whose key type name
 *             holds escape sequences and JSON, straight onto fd 0.
 *   nullabel  C_GetTokenInfo answers the token "zkr-test" with the label
 *             "zkr", a NUL byte, "test" (strcmp would read it as "zkr").
 *   nulpad    C_GetTokenInfo pads the token "zkr-test"'s label with NUL
 *             bytes instead of blanks (some modules do).
 * Every attempt is recorded, one line each, in $ZKR_TESTMOD_REPORT/log.
 * Test-only; the forwarding table is its one piece of state.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/un.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

extern char **environ;
static CK_FUNCTION_LIST shim;
static CK_C_Initialize real_initialize;
static CK_C_Sign real_sign;
static CK_C_Finalize real_finalize;
static CK_C_GetSlotList real_get_slot_list;
static CK_C_GetTokenInfo real_get_token_info;

static void forge_error(void);

static int wants(const char *what)
{
    const char *v = getenv("ZKR_TESTMOD_HOSTILE");
    size_t n = strlen(what);

    while (v != NULL && *v != '\0') {
        size_t len = strcspn(v, ",");
        if (len == n && strncmp(v, what, n) == 0)
            return 1;
        v += len + (v[len] == ',');
    }
    return 0;
}

__attribute__((format(printf, 2, 3))) static void report(const char *file, const char *fmt, ...)
{
    va_list ap;
    const char *dir = getenv("ZKR_TESTMOD_REPORT");
    char path[512];
    FILE *f;

    if (dir == NULL)
        return;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    f = fopen(path, "a");
    if (f == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
}

/* Waits with a call the helper's filter allows, so the helper's refusal, not a seccomp kill, ends it. */
static void *lurk(void *arg)
{
    (void)arg;
    for (;;)
        sleep(3600);
    return NULL;
}

/* An abstract-namespace socket: no file, so only the network namespace can hide it. */
static void try_abstract(const char *name)
{
    struct sockaddr_un a;
    size_t n = name != NULL ? strlen(name) : 0;
    int fd, rc;

    if (n == 0 || n + 1 > sizeof a.sun_path)
        return;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path + 1, name, n);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    rc = fd < 0 ? -1
                : connect(fd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
    report("log", "window abstract errno %d", rc == 0 ? 0 : errno);
    if (rc == 0 && write(fd, "escaped\n", 8) != 8)
        report("log", "abstract write errno %d", errno);
    if (fd >= 0)
        close(fd);
}

/* What code running before the filter (a constructor, or a thread it starts) can reach. */
static void try_window(void)
{
    const char *target = getenv("ZKR_TESTMOD_TARGET"), *port = getenv("ZKR_TESTMOD_PORT");
    struct sockaddr_in a;
    int fd;

    fd = open("/etc/shadow", O_RDONLY);
    report("log", "window shadow errno %d", fd >= 0 ? 0 : errno);
    if (fd >= 0)
        close(fd);
    fd = target != NULL ? open(target, O_RDWR) : -1;
    report("log", "window registry errno %d", fd >= 0 ? 0 : errno);
    if (fd >= 0)
        close(fd);
    if (wants("abstract"))
        try_abstract(getenv("ZKR_TESTMOD_ABSTRACT"));
    /* last: the helper's filter kills an AF_INET socket() */
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)(port != NULL ? atoi(port) : 9));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    report("log", "window tcp errno %d",
           fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : errno);
    if (fd >= 0)
        close(fd);
}

__attribute__((constructor)) static void hostile_start(void)
{
    const char *dir = getenv("ZKR_TESTMOD_REPORT");
    char path[512];
    pthread_t t;
    int fd;

    if (wants("window"))
        try_window();
    if (wants("unfilter")) {
        /* seccomp() and prctl() answer 0 without doing anything */
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 4),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_SET_MODE_FILTER, 0, 5),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 32),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 4),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 2),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_SECCOMP, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0),
        };
        struct sock_fprog prog = {sizeof f / sizeof f[0], f};
        report("log", "unfilter installed %ld", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
    }
    if ((!wants("thread") && !wants("fork")) || dir == NULL)
        return;
    snprintf(path, sizeof path, "%s/alive.fifo", dir);
    fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    report("log", "fifo %s errno %d", path, fd < 0 ? errno : 0);
    if (wants("thread") && pthread_create(&t, NULL, lurk, NULL) == 0)
        report("log", "thread");
    if (wants("fork")) {
        if (fork() == 0) {
            for (;;)
                pause(); /* holds the fifo open for as long as it lives */
        }
        report("log", "forked");
    }
}

static void poke_socket(const char *path)
{
    struct sockaddr_un a;
    int fd, rc;

    if (path == NULL || strlen(path) >= sizeof a.sun_path)
        return;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path, strlen(path));
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a, sizeof a);
    report("log", "connect %s errno %d", path, rc == 0 ? 0 : errno);
    if (rc == 0 && write(fd, "escaped\n", 8) != 8)
        report("log", "write %s errno %d", path, errno);
    if (fd >= 0)
        close(fd);
}

static CK_RV hostile_initialize(CK_VOID_PTR args)
{
    if (wants("registry")) {
        const char *target = getenv("ZKR_TESTMOD_TARGET");
        int fd = target != NULL ? open(target, O_RDWR) : -1;
        int ok = fd >= 0 && pwrite(fd, "X", 1, 0) == 1;
        report("log", "registry %s errno %d", target ? target : "(unset)", ok ? 0 : errno);
        if (fd >= 0)
            close(fd);
    }
    if (wants("env")) {
        for (char **e = environ; e != NULL && *e != NULL; e++) {
            char name[128];
            size_t n = strcspn(*e, "=");
            snprintf(name, sizeof name, "%.*s", (int)(n < 127 ? n : 127), *e);
            report("env", "%s", name);
        }
        poke_socket(getenv("ZKR_TESTMOD_SOCK"));
        poke_socket(getenv("SSH_AUTH_SOCK"));
    }
    if (wants("forge"))
        forge_error();
    if (wants("unfilter"))
        report("log", "ptrace after seal returned %ld errno %d",
               syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0), errno);
    if (wants("stderr")) {
        static const char evil[] = "\x1b[31mHOSTILE\x07\rMODULE\x1b]0;title\x07\n";
        if (write(2, evil, sizeof evil - 1) < 0)
            report("log", "stderr errno %d", errno);
    }
    return real_initialize(args);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One frame on the helper's socket (fd 0), as if the helper had answered. */
static void forge_frame(const uint8_t *body, size_t n)
{
    uint8_t hdr[4];

    put_be32(hdr, (uint32_t)n);
    if (write(0, hdr, 4) != 4 || write(0, body, n) != (ssize_t)n)
        report("log", "forge errno %d", errno);
    else
        report("log", "forged");
}

/* Appends a u32-length-prefixed string. */
static size_t put_str(uint8_t *p, const char *s)
{
    size_t n = strlen(s);

    put_be32(p, (uint32_t)n);
    memcpy(p + 4, s, n);
    return 4 + n;
}

static void forge_error(void)
{
    uint8_t body[256];
    size_t n = 0;

    put_be32(body, (uint32_t)-72); /* ZKR_ERR_HSM */
    n = 4 + put_str(body + 4, "\x1b]0;pwned\x07\x1b[2J\rFORGED\x1b[0m");
    forge_frame(body, n);
}

static void forge_list(void)
{
    uint8_t body[512], *p = body;

    put_be32(p, 0); /* ZKR_OK */
    p += 4;
    p += put_str(p, "");
    put_be32(p, 1); /* one key */
    p += 4;
    p += put_str(p, "zkr-test");
    p += put_str(p, "k1");
    p += put_str(p, "");            /* no id */
    *p++ = 1;                       /* secp256k1 */
    /* within the 15 bytes the parent accepts: an extra JSON member and a screen clear */
    p += put_str(p, "\x1b[2J\",\"evil\":\"");
    forge_frame(body, (size_t)(p - body));
}

static CK_RV hostile_sign(CK_SESSION_HANDLE s, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                          CK_ULONG_PTR sig_len)
{
    CK_BYTE other[1024];

    if (!wants("resign") || len == 0 || len > sizeof other)
        return real_sign(s, data, len, sig, sig_len);
    memcpy(other, data, len);
    other[0] ^= 1;
    report("log", "resigned");
    return real_sign(s, other, len, sig, sig_len);
}

static CK_RV hostile_finalize(CK_VOID_PTR args)
{
    if (wants("hang")) {
        const char *dir = getenv("ZKR_TESTMOD_REPORT");
        char path[512];
        int fd;

        /* held open for as long as this process lives: the test sees when it is gone */
        snprintf(path, sizeof path, "%s/alive.fifo", dir != NULL ? dir : ".");
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        report("log", "hanging fifo errno %d", fd < 0 ? errno : 0);
        for (;;)
            sleep(3600);
    }
    return real_finalize(args);
}

static CK_RV hostile_get_slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR n)
{
    if (wants("forgelist") && list == NULL)
        forge_list();
    return real_get_slot_list(present, list, n);
}

static CK_RV hostile_get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
    CK_RV rv = real_get_token_info(slot, info);

    if (rv == CKR_OK && wants("nullabel") && memcmp(info->label, "zkr-test", 8) == 0) {
        info->label[3] = 0;
        report("log", "nul label");
    }
    if (rv == CKR_OK && wants("nulpad") && memcmp(info->label, "zkr-test", 8) == 0) {
        memset(info->label + 8, 0, sizeof info->label - 8);
        report("log", "nul padding");
    }
    return rv;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    CK_C_GetFunctionList gfl;
    CK_FUNCTION_LIST_PTR real;
    void *dl = dlopen(SOFTHSM, RTLD_NOW | RTLD_LOCAL);

    if (dl == NULL)
        return CKR_GENERAL_ERROR;
    *(void **)(&gfl) = dlsym(dl, "C_GetFunctionList");
    if (gfl == NULL || gfl(&real) != CKR_OK)
        return CKR_GENERAL_ERROR;
    shim = *real;
    real_initialize = real->C_Initialize;
    shim.C_Initialize = hostile_initialize;
    real_sign = real->C_Sign;
    shim.C_Sign = hostile_sign;
    real_finalize = real->C_Finalize;
    shim.C_Finalize = hostile_finalize;
    real_get_slot_list = real->C_GetSlotList;
    shim.C_GetSlotList = hostile_get_slot_list;
    real_get_token_info = real->C_GetTokenInfo;
    shim.C_GetTokenInfo = hostile_get_token_info;
    *list = &shim;
    return CKR_OK;
}
