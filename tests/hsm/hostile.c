/*
 * A hostile PKCS#11 module for the helper's confinement tests: it forwards
 * every call to SoftHSM2 (so the helper works as with a real token) and,
 * as $ZKR_TESTMOD_HOSTILE lists (comma-separated), misbehaves:
 *   window    its constructor (running before the seccomp filter, like any
 *             thread it starts) opens /etc/shadow, opens $ZKR_TESTMOD_TARGET
 *             read-write and connects to 127.0.0.1:$ZKR_TESTMOD_PORT;
 *   thread    its constructor opens $ZKR_TESTMOD_REPORT/alive.fifo for
 *             writing, forks a process and starts a thread that both hold
 *             it and never end (they must die with the helper);
 *   registry  C_Initialize opens $ZKR_TESTMOD_TARGET read-write and
 *             overwrites its first byte;
 *   env       C_Initialize writes the names of its environment variables
 *             to $ZKR_TESTMOD_REPORT/env, then connects to the socket
 *             named by $ZKR_TESTMOD_SOCK and by $SSH_AUTH_SOCK and writes;
 *   stderr    C_Initialize writes escape sequences and control bytes to fd 2.
 * Every attempt is recorded, one line each, in $ZKR_TESTMOD_REPORT/log.
 * Test-only; the forwarding table is its one piece of state.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

extern char **environ;
static CK_FUNCTION_LIST shim;
static CK_C_Initialize real_initialize;

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
    if (!wants("thread") || dir == NULL)
        return;
    snprintf(path, sizeof path, "%s/alive.fifo", dir);
    fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    report("log", "fifo %s errno %d", path, fd < 0 ? errno : 0);
    if (fork() == 0) {
        for (;;)
            pause(); /* holds the fifo open for as long as it lives */
    }
    report("log", "forked");
    if (pthread_create(&t, NULL, lurk, NULL) == 0)
        report("log", "thread");
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
    if (wants("stderr")) {
        static const char evil[] = "\x1b[31mHOSTILE\x07\rMODULE\x1b]0;title\x07\n";
        if (write(2, evil, sizeof evil - 1) < 0)
            report("log", "stderr errno %d", errno);
    }
    return real_initialize(args);
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
    *list = &shim;
    return CKR_OK;
}
