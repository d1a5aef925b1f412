#include <stdio.h>
#include <string.h>

#include "common.h"

const char *zkr_strerror(zkr_err e)
{
    switch (e) {
    case ZKR_OK: return "ok";
    case ZKR_ERR_VERIFY: return "verification failed";
    case ZKR_ERR_MISMATCH_STATEMENT: return "statement mismatch";
    case ZKR_ERR_MISMATCH_PROGRAM: return "program mismatch";
    case ZKR_ERR_MISMATCH_MODEL: return "model mismatch";
    case ZKR_ERR_MISMATCH_DATASET: return "dataset mismatch";
    case ZKR_ERR_MISMATCH_INPUT: return "input mismatch";
    case ZKR_ERR_MISMATCH_OUTPUT: return "output mismatch";
    case ZKR_ERR_MISMATCH_SCHEMA: return "schema mismatch";
    case ZKR_ERR_MISMATCH_VERIFIER: return "verifier version mismatch";
    case ZKR_ERR_MISMATCH_PARAMS: return "proof system or parameter set mismatch";
    case ZKR_ERR_POLICY: return "policy not satisfied";
    case ZKR_ERR_SIGNATURE: return "bad signature";
    case ZKR_ERR_USAGE: return "usage error";
    case ZKR_ERR_MALFORMED: return "malformed input";
    case ZKR_ERR_TOO_LARGE: return "input over its size bound";
    case ZKR_ERR_UNSUPPORTED: return "unsupported input";
    case ZKR_ERR_NOT_FOUND: return "not found";
    case ZKR_ERR_CONFLICT: return "conflict";
    case ZKR_ERR_EXISTS: return "already exists";
    case ZKR_ERR_REVOKED: return "revoked";
    case ZKR_ERR_EXPIRED: return "expired";
    case ZKR_ERR_KEY: return "key error";
    case ZKR_ERR_PASSPHRASE: return "wrong passphrase or PIN";
    case ZKR_ERR_HSM: return "HSM error";
    case ZKR_ERR_SANDBOX: return "sandbox violation";
    case ZKR_ERR_TIMEOUT: return "confined worker timed out";
    case ZKR_ERR_IO: return "I/O error";
    case ZKR_ERR_REGISTRY: return "registry error";
    case ZKR_ERR_REGISTRY_VERSION: return "registry version not supported";
    case ZKR_ERR_INTERNAL: return "internal error";
    case ZKR_ERR_NOMEM: return "out of memory";
    default: return "unknown error";
    }
}

int zkr_err_exit_code(zkr_err e)
{
    if (e == ZKR_OK)
        return 0;
    if (e <= -1 && e >= -19)
        return 1;
    if (e <= -20 && e >= -29)
        return 2;
    if (e <= -30 && e >= -39)
        return 3;
    if (e <= -40 && e >= -49)
        return 4;
    if (e <= -50 && e >= -59)
        return 5;
    if (e <= -60 && e >= -69)
        return 6;
    if (e <= -70 && e >= -79)
        return 7;
    if (e <= -80 && e >= -89)
        return 8;
    if (e <= -90 && e >= -99)
        return 9;
    return 10;
}

const char *zkr_err_class(zkr_err e)
{
    static const char *const names[] = {
        "ok", "verification", "usage", "malformed", "not-found", "conflict",
        "revoked", "key", "sandbox", "io", "internal",
    };
    return names[zkr_err_exit_code(e)];
}

void zkr_diag_clear(zkr_diag *d)
{
    if (d != NULL)
        d->msg[0] = '\0';
}

zkr_err zkr_fail(zkr_diag *d, zkr_err code, const char *fmt, ...)
{
    va_list ap;

    if (d == NULL || d->msg[0] != '\0')
        return code;
    va_start(ap, fmt);
    (void)vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return code;
}
