/*
 * zkreg-pkcs11-helper: runs a PKCS#11 module on behalf of zkreg, serving
 * requests on fd 0 (an AF_UNIX socket made by the parent). Not meant to be
 * started by hand. See hsm/hsm_int.h for the protocol.
 */
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <sodium.h>

#include "hsm/hsm_int.h"
#include "sandbox/sandbox.h"

int main(int argc, char **argv)
{
    struct stat st;
    struct rlimit rl = {0, 0};
    uint32_t entered = 0;
    zkr_diag d;
    zkr_err r;

    (void)argv;
    (void)setrlimit(RLIMIT_CORE, &rl);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (argc != 1 || fstat(0, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        fputs("zkreg-pkcs11-helper: started by zkreg only (fd 0 must be its socket)\n", stderr);
        return 2;
    }
    if (sodium_init() < 0)
        return 10;
    /*
     * Before anything else, single-threaded: own PID, network, IPC and
     * mount namespaces. This process stays outside as the relay of the
     * module's stderr; its child, PID 1 there, serves the requests.
     */
    zkr_diag_clear(&d);
    r = zkr_sandbox_pkcs11_enter("zkreg-pkcs11-helper: ", 0, &entered, &d);
    return zkr_hsm_helper_run(0, entered, r == ZKR_OK ? NULL : d.msg);
}
