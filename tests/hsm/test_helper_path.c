/*
 * hsm/client.c compiled as in a build without test hooks
 * (ZKR_HSM_HONOUR_HELPER_ENV=0): $ZKREG_PKCS11_HELPER must not choose the
 * program that receives the PIN, even when it names a root-owned executable.
 */
#include <stdlib.h>
#include <string.h>

#include "hsm/hsm.h"
#include "tap.h"

int main(int argc, char **argv)
{
    char path[4096];
    zkr_tap t;
    zkr_err r;

    zkr_tap_init(&t, argc, argv);
    setenv("ZKREG_PKCS11_HELPER", "/bin/true", 1);
    r = zkr_hsm_helper_path(path, sizeof path);
    zkr_tap_ok(&t, r != ZKR_OK || strcmp(path, "/bin/true") != 0,
               "a production build ignores $ZKREG_PKCS11_HELPER (chose '%s')",
               r == ZKR_OK ? path : "");
    return zkr_tap_done(&t);
}
