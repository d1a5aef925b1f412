/*
 * store.c: the files kept beside the registry and the parameter set a
 * schema pins (app/store.h), shared by the inference and training
 * workflows.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "app/store.h"
#include "zk/zk.h"

zkr_err zkr_app_store_path(const zkr_app *app, const char *sub,
                           const uint8_t sha[ZKR_DIGEST_BYTES], const char *suffix, char *out,
                           size_t cap)
{
    char hex[65];
    int n;

    sodium_bin2hex(hex, sizeof hex, sha, ZKR_DIGEST_BYTES);
    n = snprintf(out, cap, "%s.d/%s/%s%s", app->registry_path, sub, hex, suffix);
    return n < 0 || (size_t)n >= cap ? ZKR_ERR_TOO_LARGE : ZKR_OK;
}

zkr_err zkr_app_store_write(zkr_app *app, const char *sub, const uint8_t sha[ZKR_DIGEST_BYTES],
                            const char *suffix, const uint8_t *p, size_t len)
{
    char path[4096];
    zkr_err r;

    if (snprintf(path, sizeof path, "%s.d", app->registry_path) >= (int)sizeof path)
        return ZKR_ERR_TOO_LARGE;
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return zkr_fail(&app->diag, ZKR_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    if (snprintf(path, sizeof path, "%s.d/%s", app->registry_path, sub) >= (int)sizeof path)
        return ZKR_ERR_TOO_LARGE;
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return zkr_fail(&app->diag, ZKR_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    if ((r = zkr_app_store_path(app, sub, sha, suffix, path, sizeof path)) != ZKR_OK)
        return r;
    return zkr_file_write_atomic(path, p, len, 0600, &app->diag);
}

/* Maps the schema's proof-system and parameter-set names to the ids they pin. */
zkr_err zkr_app_secrets_read(zkr_app *app, const char *path, size_t max, zkr_buf *out)
{
    struct stat st;

    /* A missing or unreadable file is left to zkr_file_read to name. */
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_KEY,
                        "secrets file %s: open to group or others (mode %03o); chmod 600 it",
                        path, (unsigned)(st.st_mode & 0777));
    return zkr_file_read(path, max, out, &app->diag);
}

zkr_err zkr_app_param_set_of(zkr_app *app, const zkr_schema *s, uint32_t *set)
{
    static const char *systems[] = {"zkreg-sumcheck-basefold", "zkr-sumcheck-basefold-gl3/1", "1"};
    static const char *sets[] = {"goldilocks-128", "1"};
    int ok = 0;

    for (size_t i = 0; i < sizeof systems / sizeof *systems; i++)
        ok |= strcmp(s->proof_system, systems[i]) == 0;
    if (!ok)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS,
                        "schema %s@%llu: proof system '%s' is not this verifier's", s->name,
                        (unsigned long long)s->version, s->proof_system);
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        if (strcmp(s->param_set, sets[i]) == 0) {
            *set = ZKR_PARAM_SET_128;
            return ZKR_OK;
        }
    return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS,
                    "schema %s@%llu: parameter set '%s' unknown", s->name,
                    (unsigned long long)s->version, s->param_set);
}
