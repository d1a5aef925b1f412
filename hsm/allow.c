/*
 * hsm: which PKCS#11 modules the helper may load. A module is native code
 * run with the user's PIN; a URI that names /tmp/evil.so must not be
 * enough to run it. Modules come from the distribution's module
 * directories and from directories the administrator lists in a
 * root-owned file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hsm/hsm_int.h"
#include "zkr_config.h"

#ifndef ZKR_HSM_MODULE_DIRS
#define ZKR_HSM_MODULE_DIRS "/usr/lib/softhsm:/usr/lib/pkcs11"
#endif
#ifndef ZKR_HSM_MODULE_DIRS_FILE
#define ZKR_HSM_MODULE_DIRS_FILE "/etc/zkreg/pkcs11-module-dirs"
#endif

int zkr_hsm_trusted_file(const char *path, int dir, const char **why)
{
    struct stat st;

    *why = NULL;
    if (stat(path, &st) != 0)
        *why = "does not exist";
    else if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
        *why = dir ? "is not a directory" : "is not a regular file";
    else if ((st.st_mode & 022) != 0)
        *why = "is group- or world-writable";
    else if (st.st_uid != 0 && !(ZKR_TEST_BUILD && st.st_uid == geteuid()))
        *why = ZKR_TEST_BUILD ? "is owned by neither root nor this user" : "is not owned by root";
    return *why == NULL;
}

/* 1 if the canonical `dir` equals the canonical form of the listed `allowed[len]`. */
static int same_dir(const char *dir, const char *allowed, size_t len)
{
    char a[PATH_MAX], c[PATH_MAX];
    const char *why;

    if (len == 0 || len >= sizeof a || allowed[0] != '/')
        return 0;
    memcpy(a, allowed, len);
    a[len] = '\0';
    return realpath(a, c) != NULL && strcmp(c, dir) == 0 && zkr_hsm_trusted_file(c, 1, &why);
}

static int in_list(const char *dir, const char *list, char sep)
{
    while (list != NULL && *list != '\0') {
        size_t len = strcspn(list, sep == ':' ? ":" : "\n");
        if (same_dir(dir, list, len))
            return 1;
        list += len + (list[len] != '\0');
    }
    return 0;
}

/* The administrator's list: one directory a line, in a root-owned file. */
static int in_file(const char *dir)
{
    char line[PATH_MAX + 2];
    const char *why;
    FILE *f;
    int found = 0;

    if (!zkr_hsm_trusted_file(ZKR_HSM_MODULE_DIRS_FILE, 0, &why))
        return 0;
    f = fopen(ZKR_HSM_MODULE_DIRS_FILE, "re");
    while (f != NULL && !found && fgets(line, sizeof line, f) != NULL) {
        size_t len = strcspn(line, "\r\n");
        found = line[0] != '#' && same_dir(dir, line, len);
    }
    if (f != NULL)
        fclose(f);
    return found;
}

zkr_err zkr_hsm_module_check(const char *path, char *canon, size_t cap, zkr_diag *d)
{
    char real[PATH_MAX], dir[PATH_MAX];
    const char *why;
    char *slash;

    if (cap > 0)
        canon[0] = '\0';
    if (path[0] != '/')
        return zkr_fail(d, ZKR_ERR_HSM, "PKCS#11 module path %s is not absolute", path);
    if (realpath(path, real) == NULL)
        return zkr_fail(d, ZKR_ERR_HSM, "PKCS#11 module %s does not load: %s", path,
                        strerror(errno));
    if (!zkr_hsm_trusted_file(real, 0, &why))
        return zkr_fail(d, ZKR_ERR_HSM, "PKCS#11 module %s is refused: %s %s", path, real, why);
    memcpy(dir, real, strlen(real) + 1);
    slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    if (!in_list(dir, ZKR_HSM_MODULE_DIRS, ':') && !in_file(dir) &&
        !(ZKR_TEST_BUILD && in_list(dir, getenv("ZKREG_PKCS11_MODULE_DIRS"), ':')))
        return zkr_fail(d, ZKR_ERR_HSM,
                        "PKCS#11 module %s is refused: %s is not an allowed module directory "
                        "(%s, or one listed in %s)",
                        path, dir, ZKR_HSM_MODULE_DIRS, ZKR_HSM_MODULE_DIRS_FILE);
    if (strlen(real) >= cap)
        return zkr_fail(d, ZKR_ERR_HSM, "PKCS#11 module path %s is too long", real);
    memcpy(canon, real, strlen(real) + 1);
    return ZKR_OK;
}
