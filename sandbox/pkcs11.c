/*
 * Confinement of the PKCS#11 helper process (used by hsm/). The module is
 * third-party code that handles PINs and keys; it may read its libraries
 * and configuration, read and write its token directory, and talk to
 * pcscd over a unix socket. It must not reach the registry, the network,
 * other processes, or load new code.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox_int.h"

/* Is `path` equal to or below `dir`? Both absolute and canonical. */
static int zkr_pkcs11_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 1 && dir[0] == '/')
        return 1;
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static zkr_err zkr_pkcs11_check_paths(const char *const *paths, size_t n, const char *registry,
                                      zkr_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        char canon[PATH_MAX];
        const char *p = paths[i];
        if (p == NULL || p[0] != '/')
            return zkr_fail(d, ZKR_ERR_USAGE, "PKCS#11 helper path '%s' is not absolute",
                            p ? p : "(null)");
        if (realpath(p, canon) != NULL)
            p = canon;
        if (registry != NULL && zkr_pkcs11_under(registry, p))
            return zkr_fail(d, ZKR_ERR_USAGE,
                            "PKCS#11 helper path '%s' would expose the registry '%s'", paths[i],
                            registry);
    }
    return ZKR_OK;
}

zkr_err zkr_sandbox_confine_pkcs11_helper(const zkr_sandbox_pkcs11_opts *o, uint32_t *confinement,
                                          zkr_diag *d)
{
    char reg[PATH_MAX];
    const char *registry = NULL;
    zkr_sandbox_limits def;
    uint32_t conf = 0;
    int abi = 0;
    zkr_err r;

    *confinement = 0;
    if (o == NULL || (o->n_ro && o->ro_paths == NULL) || (o->n_rw && o->rw_paths == NULL) ||
        (o->n_keep && o->keep_fds == NULL))
        return zkr_fail(d, ZKR_ERR_USAGE, "PKCS#11 helper options are incomplete");
    if (o->registry_path != NULL)
        registry = realpath(o->registry_path, reg) != NULL ? reg : o->registry_path;
    if ((r = zkr_pkcs11_check_paths(o->ro_paths, o->n_ro, registry, d)) != ZKR_OK ||
        (r = zkr_pkcs11_check_paths(o->rw_paths, o->n_rw, registry, d)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < o->n_keep; i++)
        if (o->keep_fds[i] < 0)
            return zkr_fail(d, ZKR_ERR_USAGE, "PKCS#11 helper keep fd %d is invalid",
                            o->keep_fds[i]);
    zkr_sandbox_limits_default(ZKR_SANDBOX_POLICY_PKCS11, &def);
    if (!o->keep_all_fds) {
        if ((r = zkr_sandbox_close_fds_except(o->keep_fds, o->n_keep, d)) != ZKR_OK)
            return r;
        conf |= ZKR_SANDBOX_C_FDS_CLOSED;
    }
    if ((r = zkr_sandbox_set_rlimits(o->limits ? o->limits : &def, d)) != ZKR_OK)
        return r;
    conf |= ZKR_SANDBOX_C_RLIMITS;
    if ((r = zkr_sandbox_prctl_harden(d)) != ZKR_OK)
        return r;
    conf |= ZKR_SANDBOX_C_NODUMP | ZKR_SANDBOX_C_NO_NEW_PRIVS;
    /* no mount namespace: the token and pcscd paths must stay where they are */
    conf |= zkr_sandbox_unshare(0);
    conf |= zkr_sandbox_landlock_apply(o->ro_paths, o->n_ro, o->rw_paths, o->n_rw, &abi);
    if ((r = zkr_sandbox_seccomp_load(ZKR_SANDBOX_POLICY_PKCS11, d)) != ZKR_OK)
        return r;
    conf |= ZKR_SANDBOX_C_SECCOMP;
    *confinement = conf;
    return ZKR_OK;
}
