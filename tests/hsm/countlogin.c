/*
 * A PKCS#11 shim for the tests: it forwards every call to the module named
 * by $ZKR_TESTMOD_COUNTLOGIN_TARGET (SoftHSM2) and appends one line to
 * $ZKR_TESTMOD_COUNTLOGIN_FILE per C_Login, so a test can prove a wrong PIN was
 * tried exactly once. With $ZKR_TESTMOD_COUNTLOGIN_HIDE_MECHS set it also answers
 * C_GetMechanismInfo for CKM_ECDSA and CKM_EDDSA with CKR_MECHANISM_INVALID,
 * like a token without those mechanisms. Test-only; the static table is
 * its one piece of state.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <p11-kit/pkcs11.h>

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

static CK_FUNCTION_LIST shim;
static CK_C_Login real_login;
static CK_C_GetMechanismInfo real_mech_info;

static CK_RV hiding_mech_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE m, CK_MECHANISM_INFO_PTR info)
{
    if (getenv("ZKR_TESTMOD_COUNTLOGIN_HIDE_MECHS") != NULL && (m == CKM_ECDSA || m == CKM_EDDSA))
        return CKR_MECHANISM_INVALID;
    return real_mech_info(slot, m, info);
}

static CK_RV counting_login(CK_SESSION_HANDLE s, CK_USER_TYPE u, CK_UTF8CHAR_PTR pin,
                            CK_ULONG len)
{
    const char *path = getenv("ZKR_TESTMOD_COUNTLOGIN_FILE");
    FILE *f = path != NULL ? fopen(path, "a") : NULL;

    if (f != NULL) {
        fputs("login\n", f);
        fclose(f);
    }
    return real_login(s, u, pin, len);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    const char *target = getenv("ZKR_TESTMOD_COUNTLOGIN_TARGET");
    CK_C_GetFunctionList gfl;
    CK_FUNCTION_LIST_PTR real;
    void *dl;
    CK_RV rv;

    if (target == NULL || (dl = dlopen(target, RTLD_NOW | RTLD_LOCAL)) == NULL)
        return CKR_GENERAL_ERROR;
    *(void **)(&gfl) = dlsym(dl, "C_GetFunctionList");
    if (gfl == NULL || (rv = gfl(&real)) != CKR_OK)
        return CKR_GENERAL_ERROR;
    shim = *real;
    real_login = real->C_Login;
    shim.C_Login = counting_login;
    real_mech_info = real->C_GetMechanismInfo;
    shim.C_GetMechanismInfo = hiding_mech_info;
    *list = &shim;
    return CKR_OK;
}
