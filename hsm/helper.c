/*
 * hsm: the helper process's side. It is the only code that dlopen()s a
 * PKCS#11 module. It serves one module and one key per process lifetime.
 *
 * PIN handling: the PIN arrives in the OPEN request, is copied into a
 * buffer that is handed to C_Login exactly once and wiped right
 * after, whatever C_Login returned. A failed login is reported and never
 * retried (the parent does not retry either), so a wrong PIN costs the
 * token's retry counter one attempt per command.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>
#include <sodium.h>

#include "hsm/hsm_int.h"
#include "sandbox/sandbox.h"

typedef struct {
    void *dl;
    CK_FUNCTION_LIST_PTR f;
    int initialized;
    CK_SLOT_ID slot;
    CK_SESSION_HANDLE sess;
    int has_sess;
    int logged_in;
    CK_OBJECT_HANDLE priv;
    int has_key;
    zkr_hsm_key_type type;
    uint8_t pub[65];
    size_t pub_len;
    char module[ZKR_HSM_PATH_MAX + 1];
    char token[ZKR_HSM_LABEL_MAX + 1];
    char object[ZKR_HSM_LABEL_MAX + 1];
    uint32_t entered;  /* namespaces zkr_sandbox_pkcs11_enter() made */
    uint32_t conf;     /* ZKR_SANDBOX_C_* applied */
    int landlock_abi;
    int confined;      /* once: a second OPEN, LIST or PROBE is refused */
    int refused;       /* a module was refused: exit without running its destructors */
} zkr_hsm_helper;

static const uint8_t oid_secp256k1[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};
static const uint8_t oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t oid_ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
static const uint8_t str_ed25519[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd',
                                      's', '2', '5', '5', '1', '9'};

/* The one place PKCS#11 return values become zkr_err. */
static zkr_err ck_fail(zkr_diag *d, CK_RV rv, const char *what, const zkr_hsm_helper *h)
{
    if (rv == CKR_PIN_INCORRECT)
        return zkr_fail(d, ZKR_ERR_PASSPHRASE,
                        "wrong PIN for token '%s' (C_Login refused it; not retried)", h->token);
    if (rv == CKR_PIN_LOCKED)
        return zkr_fail(d, ZKR_ERR_HSM, "the user PIN of token '%s' is locked", h->token);
    if (rv == CKR_MECHANISM_INVALID)
        return zkr_fail(d, ZKR_ERR_HSM, "%s: mechanism not supported by token '%s'", what,
                        h->token);
    return zkr_fail(d, ZKR_ERR_HSM, "%s failed on token '%s' of module %s: CK_RV 0x%08lx", what,
                    h->token, h->module, (unsigned long)rv);
}

#define HELPER_MAX_PATHS 16

/* Adds a copy of `p` (absolute paths only) to a path list. */
static void add_path(char paths[][ZKR_HSM_PATH_MAX + 1], size_t *n, const char *p, size_t len)
{
    if (*n >= HELPER_MAX_PATHS || len == 0 || len > ZKR_HSM_PATH_MAX || p[0] != '/')
        return;
    memcpy(paths[*n], p, len);
    paths[*n][len] = '\0';
    (*n)++;
}

/*
 * SoftHSM2's token directory, read from its configuration before
 * confinement ($SOFTHSM2_CONF, else the packaged default). Other modules
 * name extra writable paths in $ZKREG_PKCS11_RW_PATHS (colon-separated).
 */
static void writable_paths(char rw[][ZKR_HSM_PATH_MAX + 1], size_t *nrw,
                           char ro[][ZKR_HSM_PATH_MAX + 1], size_t *nro)
{
    const char *conf = getenv("SOFTHSM2_CONF"), *extra = getenv("ZKREG_PKCS11_RW_PATHS");
    char line[ZKR_HSM_PATH_MAX + 64];
    FILE *f;

    if (conf == NULL || conf[0] == '\0')
        conf = "/etc/softhsm/softhsm2.conf";
    add_path(ro, nro, conf, strlen(conf));
    f = fopen(conf, "re");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *k = line + strspn(line, " \t"), *v, *end;
        if (strncmp(k, "directories.tokendir", 20) != 0)
            continue;
        v = k + 20 + strspn(k + 20, " \t");
        if (*v != '=')
            continue;
        v += 1 + strspn(v + 1, " \t");
        end = v + strcspn(v, " \t\r\n");
        add_path(rw, nrw, v, (size_t)(end - v));
    }
    if (f != NULL)
        fclose(f);
    while (extra != NULL && *extra != '\0') {
        size_t len = strcspn(extra, ":");
        add_path(rw, nrw, extra, len);
        extra += len + (extra[len] == ':');
    }
}

typedef struct {
    char rw[HELPER_MAX_PATHS][ZKR_HSM_PATH_MAX + 1], ro_extra[2][ZKR_HSM_PATH_MAX + 1];
    char module_dir[PATH_MAX];
    const char *rwp[HELPER_MAX_PATHS], *rop[16];
    size_t nrw, nro;
} helper_paths;

static void helper_paths_build(helper_paths *p, const char *module)
{
    static const char *const defaults[] = {ZKR_SANDBOX_PKCS11_DEFAULT_RO};
    size_t nro_extra = 0;
    char *slash;

    _Static_assert(sizeof defaults / sizeof defaults[0] + 3 <= 16, "ro path table");
    memset(p, 0, sizeof *p);
    writable_paths(p->rw, &p->nrw, p->ro_extra, &nro_extra);
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        p->rop[p->nro++] = defaults[i];
    for (size_t i = 0; i < nro_extra; i++)
        p->rop[p->nro++] = p->ro_extra[i];
    if (module != NULL && strlen(module) < sizeof p->module_dir) {
        /* the module's own directory (checked against the allowlist) must be visible */
        memcpy(p->module_dir, module, strlen(module) + 1);
        slash = strrchr(p->module_dir, '/');
        if (slash != NULL && slash != p->module_dir) {
            *slash = '\0';
            p->rop[p->nro++] = p->module_dir;
        }
    }
    for (size_t i = 0; i < p->nrw; i++)
        p->rwp[i] = p->rw[i];
}

static zkr_err confine_fail(zkr_diag *d, const char *module, zkr_err r)
{
    char msg[ZKR_DIAG_BYTES];

    (void)snprintf(msg, sizeof msg, "%s", d->msg[0] ? d->msg : zkr_strerror(r));
    return zkr_fail(d, ZKR_ERR_HSM, "the PKCS#11 helper refused%s%s: %s",
                    module ? " module " : "", module ? module : "", msg);
}

/* dlopen() of the checked, canonical path and C_GetFunctionList: the module's code runs here. */
static zkr_err open_module(zkr_hsm_helper *h, const char *canon, const char *module, zkr_diag *d)
{
    CK_C_GetFunctionList gfl;
    CK_RV rv;

    h->dl = dlopen(canon, RTLD_NOW | RTLD_LOCAL);
    if (h->dl == NULL)
        return zkr_fail(d, ZKR_ERR_HSM, "PKCS#11 module %s does not load: %s", module,
                        dlerror());
    *(void **)(&gfl) = dlsym(h->dl, "C_GetFunctionList");
    if (gfl == NULL)
        return zkr_fail(d, ZKR_ERR_HSM, "%s is not a PKCS#11 module (no C_GetFunctionList)",
                        module);
    rv = gfl(&h->f);
    if (rv != CKR_OK || h->f == NULL)
        return zkr_fail(d, ZKR_ERR_HSM, "PKCS#11 module %s: C_GetFunctionList failed (0x%08lx)",
                        module, (unsigned long)rv);
    return ZKR_OK;
}

/*
 * Confines the helper and loads the module in between (sandbox/sandbox.h,
 * steps 2 to 4): the module's constructors run inside the namespaces, the
 * file-system view, Landlock and without capabilities; seccomp (TSYNC)
 * follows once C_GetFunctionList has run, and only if the module left one
 * thread and no process behind. From then on the helper may read only the
 * system library and configuration paths, write only the token directory,
 * and reach no network. `module` NULL: confine only (PROBE).
 */
static zkr_err confine_and_load(zkr_hsm_helper *h, const char *module, const char *registry,
                                zkr_diag *d)
{
    static const int keep[3] = {0, 1, 2};
    char canon[PATH_MAX];
    helper_paths p;
    zkr_sandbox_pkcs11_opts o;
    int task_fd = -1;
    zkr_err r;

    if (h->confined)
        return zkr_fail(d, ZKR_ERR_USAGE, "helper already serves a module");
    h->confined = 1;
    if (module != NULL) {
        snprintf(h->module, sizeof h->module, "%s", module);
        if ((r = zkr_hsm_module_check(module, canon, sizeof canon, d)) != ZKR_OK)
            return r;
    }
    helper_paths_build(&p, module != NULL ? canon : NULL);
    memset(&o, 0, sizeof o);
    o.ro_paths = p.rop;
    o.n_ro = p.nro;
    o.rw_paths = p.rwp;
    o.n_rw = p.nrw;
    o.keep_fds = keep;
    o.n_keep = 3;
    o.registry_path = registry[0] != '\0' ? registry : NULL;
    o.module = module;
    o.entered = h->entered;
    h->landlock_abi = zkr_sandbox_landlock_abi();
    if ((r = zkr_sandbox_pkcs11_prepare(&o, &h->conf, &task_fd, d)) != ZKR_OK) {
        if (task_fd >= 0)
            close(task_fd);
        return confine_fail(d, module, r);
    }
    /* the module's code runs from dlopen() on: under a filter it cannot take back */
    if (module != NULL && (r = zkr_sandbox_pkcs11_load_filter(d)) != ZKR_OK) {
        close(task_fd);
        return confine_fail(d, module, r);
    }
    if (module != NULL && (r = open_module(h, canon, module, d)) != ZKR_OK) {
        /* never called again; whatever it started ends with the helper's namespace */
        h->f = NULL;
        h->refused = 1;
        close(task_fd);
        return r;
    }
    if ((r = zkr_sandbox_pkcs11_seal(&o, task_fd, &h->conf, d)) != ZKR_OK) {
        h->f = NULL;
        h->refused = 1;
        return confine_fail(d, module, r);
    }
    return ZKR_OK;
}

static zkr_err load_module(zkr_hsm_helper *h, const char *path, const char *registry,
                           zkr_diag *d)
{
    CK_RV rv;
    zkr_err r;

    if ((r = confine_and_load(h, path, registry, d)) != ZKR_OK) {
        h->f = NULL; /* never call into a module that was refused */
        return r;
    }
    rv = h->f->C_Initialize(NULL);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
        return zkr_fail(d, ZKR_ERR_HSM, "PKCS#11 module %s: C_Initialize failed (0x%08lx)", path,
                        (unsigned long)rv);
    h->initialized = 1;
    return ZKR_OK;
}

/*
 * A blank-padded 32-byte label as a C string; 0 when the label holds a NUL
 * byte before its end: "prod", NUL, "x" would read as "prod" and answer for
 * that token, so such a token matches no name and is not listed (as
 * objects' labels). Trailing NULs are padding, as trailing blanks are: some
 * modules pad with them, against the standard, and their tokens stay
 * reachable by name.
 */
static int label_str(const CK_UTF8CHAR *l, size_t n, char *out, size_t cap)
{
    while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == 0))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, l, n);
    out[n] = '\0';
    return memchr(l, 0, n) == NULL;
}

static zkr_err slots_with_tokens(zkr_hsm_helper *h, CK_SLOT_ID **slots, CK_ULONG *n, zkr_diag *d)
{
    CK_RV rv;

    *slots = NULL;
    *n = 0;
    rv = h->f->C_GetSlotList(CK_TRUE, NULL, n);
    if (rv != CKR_OK)
        return ck_fail(d, rv, "C_GetSlotList", h);
    if (*n == 0)
        return ZKR_OK;
    if (*n > 4096)
        return zkr_fail(d, ZKR_ERR_HSM, "module %s reports %lu slots", h->module,
                        (unsigned long)*n);
    *slots = calloc(*n, sizeof **slots);
    if (*slots == NULL)
        return ZKR_ERR_NOMEM;
    rv = h->f->C_GetSlotList(CK_TRUE, *slots, n);
    if (rv != CKR_OK)
        return ck_fail(d, rv, "C_GetSlotList", h);
    return ZKR_OK;
}

static zkr_err find_token(zkr_hsm_helper *h, const char *label, zkr_diag *d)
{
    CK_SLOT_ID *slots = NULL;
    CK_ULONG n = 0, found = 0;
    zkr_err r;

    snprintf(h->token, sizeof h->token, "%s", label);
    if ((r = slots_with_tokens(h, &slots, &n, d)) != ZKR_OK)
        goto out;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        char l[33];
        if (h->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
            continue;
        if (label_str(ti.label, sizeof ti.label, l, sizeof l) && strcmp(l, label) == 0) {
            h->slot = slots[i];
            found++;
        }
    }
    if (found == 0)
        r = zkr_fail(d, ZKR_ERR_HSM, "no token labelled '%s' in module %s (%lu tokens present)",
                     label, h->module, (unsigned long)n);
    else if (found > 1)
        r = zkr_fail(d, ZKR_ERR_HSM, "%lu tokens are labelled '%s' in module %s: ambiguous",
                     (unsigned long)found, label, h->module);
out:
    free(slots);
    return r;
}

static zkr_err login_once(zkr_hsm_helper *h, uint8_t *pin, size_t pin_len, zkr_diag *d)
{
    CK_RV rv;

    rv = h->f->C_Login(h->sess, CKU_USER, pin, (CK_ULONG)pin_len);
    sodium_memzero(pin, pin_len); /* right after C_Login, success or not */
    if (rv == CKR_USER_ALREADY_LOGGED_IN)
        rv = CKR_OK;
    if (rv != CKR_OK)
        return ck_fail(d, rv, "C_Login", h);
    h->logged_in = 1;
    return ZKR_OK;
}

/* Reads one attribute into buf[cap]; *len its size. */
static CK_RV get_attr(zkr_hsm_helper *h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, void *buf,
                      size_t cap, size_t *len)
{
    CK_ATTRIBUTE a = {t, NULL, 0};
    CK_RV rv;

    *len = 0;
    rv = h->f->C_GetAttributeValue(h->sess, o, &a, 1);
    if (rv != CKR_OK)
        return rv;
    if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > cap)
        return CKR_ATTRIBUTE_VALUE_INVALID;
    a.pValue = buf;
    rv = h->f->C_GetAttributeValue(h->sess, o, &a, 1);
    if (rv == CKR_OK)
        *len = a.ulValueLen;
    return rv;
}

/* Up to `max` objects matching the template. */
static zkr_err find_objects(zkr_hsm_helper *h, CK_ATTRIBUTE *tmpl, CK_ULONG nt,
                            CK_OBJECT_HANDLE *objs, CK_ULONG max, CK_ULONG *n, zkr_diag *d)
{
    CK_RV rv;

    *n = 0;
    rv = h->f->C_FindObjectsInit(h->sess, tmpl, nt);
    if (rv != CKR_OK)
        return ck_fail(d, rv, "C_FindObjectsInit", h);
    rv = h->f->C_FindObjects(h->sess, objs, max, n);
    (void)h->f->C_FindObjectsFinal(h->sess);
    if (rv != CKR_OK)
        return ck_fail(d, rv, "C_FindObjects", h);
    return ZKR_OK;
}

/* Key type of an object from CKA_KEY_TYPE and CKA_EC_PARAMS; 0 if unsupported. */
static zkr_hsm_key_type key_type_of(zkr_hsm_helper *h, CK_OBJECT_HANDLE o)
{
    CK_KEY_TYPE kt = 0;
    uint8_t params[64];
    size_t n;

    if (get_attr(h, o, CKA_KEY_TYPE, &kt, sizeof kt, &n) != CKR_OK || n != sizeof kt)
        return 0;
    if (get_attr(h, o, CKA_EC_PARAMS, params, sizeof params, &n) != CKR_OK)
        return 0;
    if (kt == CKK_EC && n == sizeof oid_secp256k1 && memcmp(params, oid_secp256k1, n) == 0)
        return ZKR_HSM_KEY_SECP256K1;
    if (kt == CKK_EC && n == sizeof oid_p256 && memcmp(params, oid_p256, n) == 0)
        return ZKR_HSM_KEY_P256;
    if (kt == CKK_EC_EDWARDS && ((n == sizeof oid_ed25519 && memcmp(params, oid_ed25519, n) == 0) ||
                                 (n == sizeof str_ed25519 && memcmp(params, str_ed25519, n) == 0)))
        return ZKR_HSM_KEY_ED25519;
    return 0;
}

/* CKA_EC_POINT, with or without its DER OCTET STRING wrapper. */
static zkr_err read_point(zkr_hsm_helper *h, CK_OBJECT_HANDLE pub, zkr_diag *d)
{
    uint8_t pt[80];
    size_t n, want = h->type == ZKR_HSM_KEY_ED25519 ? 32 : 65;
    CK_RV rv = get_attr(h, pub, CKA_EC_POINT, pt, sizeof pt, &n);

    if (rv != CKR_OK)
        return ck_fail(d, rv, "reading CKA_EC_POINT", h);
    if (n == want + 2 && pt[0] == 0x04 && pt[1] == want) {
        memcpy(h->pub, pt + 2, want);
    } else if (n == want) {
        memcpy(h->pub, pt, want);
    } else {
        return zkr_fail(d, ZKR_ERR_HSM, "key '%s' on token '%s': CKA_EC_POINT has %zu bytes",
                        h->object, h->token, n);
    }
    if (want == 65 && h->pub[0] != 0x04)
        return zkr_fail(d, ZKR_ERR_HSM, "key '%s' on token '%s': EC point is not uncompressed",
                        h->object, h->token);
    h->pub_len = want;
    return ZKR_OK;
}

static zkr_err check_mechanism(zkr_hsm_helper *h, zkr_diag *d)
{
    CK_MECHANISM_TYPE m = h->type == ZKR_HSM_KEY_ED25519 ? CKM_EDDSA : CKM_ECDSA;
    CK_MECHANISM_INFO mi;
    CK_RV rv = h->f->C_GetMechanismInfo(h->slot, m, &mi);

    if (rv == CKR_OK && (mi.flags & CKF_SIGN) != 0)
        return ZKR_OK;
    return zkr_fail(d, ZKR_ERR_HSM, "token '%s' does not offer %s signing for its %s key",
                    h->token, m == CKM_EDDSA ? "CKM_EDDSA" : "CKM_ECDSA",
                    zkr_hsm_key_type_name(h->type));
}

static zkr_err find_key(zkr_hsm_helper *h, const char *object, const uint8_t *id, size_t id_len,
                        zkr_diag *d)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY, pcls = CKO_PUBLIC_KEY;
    CK_ATTRIBUTE t[3];
    CK_ULONG nt = 0, n = 0;
    CK_OBJECT_HANDLE objs[2], pub;
    zkr_err r;

    snprintf(h->object, sizeof h->object, "%s", object != NULL ? object : "(by id)");
    t[nt++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof cls};
    if (object != NULL)
        t[nt++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)object, strlen(object)};
    if (id_len > 0)
        t[nt++] = (CK_ATTRIBUTE){CKA_ID, (void *)id, id_len};
    if ((r = find_objects(h, t, nt, objs, 2, &n, d)) != ZKR_OK)
        return r;
    if (n == 0)
        return zkr_fail(d, ZKR_ERR_HSM, "no private key '%s' on token '%s'%s", h->object,
                        h->token, h->logged_in ? "" : " (no pin-source given: private keys stay "
                                                      "hidden until login)");
    if (n > 1)
        return zkr_fail(d, ZKR_ERR_HSM, "several private keys match '%s' on token '%s': add id=",
                        h->object, h->token);
    h->priv = objs[0];
    h->type = key_type_of(h, h->priv);
    if (h->type == 0)
        return zkr_fail(d, ZKR_ERR_HSM,
                        "key '%s' on token '%s' is of a type zkreg does not sign with (needs EC "
                        "secp256k1, EC prime256v1 or EC_EDWARDS Ed25519)",
                        h->object, h->token);
    t[0] = (CK_ATTRIBUTE){CKA_CLASS, &pcls, sizeof pcls};
    if ((r = find_objects(h, t, nt, objs, 2, &n, d)) != ZKR_OK)
        return r;
    if (n != 1)
        return zkr_fail(d, ZKR_ERR_HSM, "%s public key for '%s' on token '%s'",
                        n == 0 ? "no" : "more than one", h->object, h->token);
    pub = objs[0];
    if ((r = read_point(h, pub, d)) != ZKR_OK)
        return r;
    if ((r = check_mechanism(h, d)) != ZKR_OK)
        return r;
    h->has_key = 1;
    return ZKR_OK;
}

static zkr_err do_open(zkr_hsm_helper *h, zkr_dec *in, zkr_diag *d)
{
    char module[ZKR_HSM_PATH_MAX + 1], token[ZKR_HSM_LABEL_MAX + 1];
    char object[ZKR_HSM_LABEL_MAX + 1], registry[ZKR_HSM_PATH_MAX + 1];
    const uint8_t *id = NULL, *pin_in = NULL;
    size_t id_len = 0, pin_len = 0;
    uint8_t has_obj = 0, has_id = 0;
    /*
     * On the stack, not sodium_malloc'ed: the confined helper's seccomp
     * policy has no mlock/munlock. Wiped right after C_Login and on every
     * path out; core dumps are off.
     */
    uint8_t pin_buf[ZKR_HSM_PIN_MAX], *pin = NULL;
    CK_RV rv;
    zkr_err r;

    if (h->dl != NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "helper already serves a module");
    if ((r = zkr_hsm_dec_str(in, module, ZKR_HSM_PATH_MAX)) != ZKR_OK ||
        (r = zkr_hsm_dec_str(in, token, ZKR_HSM_LABEL_MAX)) != ZKR_OK ||
        (r = zkr_dec_u8(in, &has_obj)) != ZKR_OK ||
        (r = zkr_hsm_dec_str(in, object, ZKR_HSM_LABEL_MAX)) != ZKR_OK ||
        (r = zkr_dec_u8(in, &has_id)) != ZKR_OK ||
        (r = zkr_dec_bytes(in, ZKR_HSM_ID_MAX, &id, &id_len)) != ZKR_OK ||
        (r = zkr_dec_bytes(in, ZKR_HSM_PIN_MAX, &pin_in, &pin_len)) != ZKR_OK ||
        (r = zkr_hsm_dec_str(in, registry, ZKR_HSM_PATH_MAX)) != ZKR_OK ||
        (r = zkr_dec_finish(in)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bad OPEN request");
    if (pin_len > 0) {
        pin = pin_buf;
        memcpy(pin, pin_in, pin_len);
        sodium_memzero((void *)pin_in, pin_len); /* the request buffer's copy */
    }
    if ((r = load_module(h, module, registry, d)) != ZKR_OK ||
        (r = find_token(h, token, d)) != ZKR_OK)
        goto out;
    rv = h->f->C_OpenSession(h->slot, CKF_SERIAL_SESSION, NULL, NULL, &h->sess);
    if (rv != CKR_OK) {
        r = ck_fail(d, rv, "C_OpenSession", h);
        goto out;
    }
    h->has_sess = 1;
    if (pin != NULL && (r = login_once(h, pin, pin_len, d)) != ZKR_OK)
        goto out;
    r = find_key(h, has_obj ? object : NULL, id, has_id ? id_len : 0, d);
out:
    sodium_memzero(pin_buf, sizeof pin_buf);
    return r;
}

static zkr_err do_sign(zkr_hsm_helper *h, zkr_dec *in, zkr_buf *reply, zkr_diag *d)
{
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    const uint8_t *data;
    size_t len;
    uint8_t sig[132];
    CK_ULONG sig_len = sizeof sig;
    CK_RV rv;
    zkr_err r;

    if (!h->has_key)
        return zkr_fail(d, ZKR_ERR_USAGE, "SIGN before a key was opened");
    if ((r = zkr_dec_bytes(in, ZKR_HSM_MSG_MAX, &data, &len)) != ZKR_OK ||
        (r = zkr_dec_finish(in)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bad SIGN request");
    if (h->type == ZKR_HSM_KEY_ED25519)
        mech.mechanism = CKM_EDDSA;
    else if (len != 32)
        return zkr_fail(d, ZKR_ERR_USAGE, "ECDSA signing takes a 32-byte digest");
    rv = h->f->C_SignInit(h->sess, &mech, h->priv);
    if (rv != CKR_OK)
        return ck_fail(d, rv, "C_SignInit", h);
    rv = h->f->C_Sign(h->sess, (CK_BYTE_PTR)data, (CK_ULONG)len, sig, &sig_len);
    if (rv != CKR_OK)
        return ck_fail(d, rv, "C_Sign", h);
    if (sig_len != 64)
        return zkr_fail(d, ZKR_ERR_HSM, "token '%s' returned a %lu-byte signature, not 64",
                        h->token, (unsigned long)sig_len);
    return zkr_enc_bytes(reply, sig, 64);
}

/* Appends the keys of one open session to the LIST reply. */
static zkr_err list_session(zkr_hsm_helper *h, const char *token, zkr_buf *entries, uint32_t *count,
                            zkr_diag *d)
{
    CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
    CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof cls};
    CK_OBJECT_HANDLE objs[256];
    CK_ULONG n = 0;
    zkr_err r;

    if ((r = find_objects(h, &t, 1, objs, 256, &n, d)) != ZKR_OK)
        return r;
    for (CK_ULONG i = 0; i < n && *count < ZKR_HSM_LIST_MAX; i++) {
        char label[ZKR_HSM_LABEL_MAX + 1];
        uint8_t id[ZKR_HSM_ID_MAX];
        size_t ln = 0, idn = 0;
        zkr_hsm_key_type kt;

        if (get_attr(h, objs[i], CKA_LABEL, label, ZKR_HSM_LABEL_MAX, &ln) != CKR_OK)
            ln = 0;
        label[ln] = '\0';
        if (memchr(label, 0, ln) != NULL)
            continue;
        if (get_attr(h, objs[i], CKA_ID, id, sizeof id, &idn) != CKR_OK)
            idn = 0;
        kt = key_type_of(h, objs[i]);
        if ((r = zkr_enc_str(entries, token)) != ZKR_OK ||
            (r = zkr_enc_str(entries, label)) != ZKR_OK ||
            (r = zkr_enc_bytes(entries, id, idn)) != ZKR_OK ||
            (r = zkr_enc_u8(entries, (uint8_t)kt)) != ZKR_OK ||
            (r = zkr_enc_str(entries, zkr_hsm_key_type_name(kt))) != ZKR_OK)
            return r;
        (*count)++;
    }
    return ZKR_OK;
}

static zkr_err do_list(zkr_hsm_helper *h, zkr_dec *in, zkr_buf *reply, zkr_diag *d)
{
    char module[ZKR_HSM_PATH_MAX + 1], registry[ZKR_HSM_PATH_MAX + 1];
    CK_SLOT_ID *slots = NULL;
    CK_ULONG n = 0;
    zkr_buf entries = {0};
    uint32_t count = 0;
    zkr_err r;

    if (h->dl != NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "helper already serves a module");
    if ((r = zkr_hsm_dec_str(in, module, ZKR_HSM_PATH_MAX)) != ZKR_OK ||
        (r = zkr_hsm_dec_str(in, registry, ZKR_HSM_PATH_MAX)) != ZKR_OK ||
        (r = zkr_dec_finish(in)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bad LIST request");
    if ((r = load_module(h, module, registry, d)) != ZKR_OK ||
        (r = slots_with_tokens(h, &slots, &n, d)) != ZKR_OK)
        goto out;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        char label[33];
        if (h->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
            !label_str(ti.label, sizeof ti.label, label, sizeof label))
            continue;
        snprintf(h->token, sizeof h->token, "%s", label);
        if (h->f->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &h->sess) != CKR_OK)
            continue;
        r = list_session(h, label, &entries, &count, d);
        (void)h->f->C_CloseSession(h->sess);
        if (r != ZKR_OK)
            goto out;
    }
    if ((r = zkr_enc_u32(reply, count)) == ZKR_OK)
        r = zkr_buf_append(reply, entries.p, entries.len);
out:
    free(slots);
    zkr_buf_free(&entries);
    return r;
}

/* Confines as for a module, loads none, and says what was applied. */
static zkr_err do_probe(zkr_hsm_helper *h, zkr_dec *in, zkr_buf *reply, zkr_diag *d)
{
    char registry[ZKR_HSM_PATH_MAX + 1];
    zkr_err r;

    if ((r = zkr_hsm_dec_str(in, registry, ZKR_HSM_PATH_MAX)) != ZKR_OK ||
        (r = zkr_dec_finish(in)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bad PROBE request");
    if ((r = confine_and_load(h, NULL, registry, d)) != ZKR_OK)
        return r;
    if ((r = zkr_enc_u32(reply, h->conf)) != ZKR_OK)
        return r;
    return zkr_enc_u32(reply, (uint32_t)h->landlock_abi);
}

static void helper_close(zkr_hsm_helper *h)
{
    if (h->f != NULL && h->has_sess) {
        if (h->logged_in)
            (void)h->f->C_Logout(h->sess);
        (void)h->f->C_CloseSession(h->sess);
    }
    if (h->f != NULL && h->initialized)
        (void)h->f->C_Finalize(NULL);
    /* The module stays mapped: some modules register atexit handlers. */
    memset(h, 0, sizeof *h);
    h->confined = 1;
}

/* Handles one request; returns 1 when the loop should end. */
static int serve_one(zkr_hsm_helper *h, int fd, zkr_buf *req, const char *fatal)
{
    zkr_buf body = {0}, reply = {0};
    zkr_diag d;
    zkr_dec in;
    uint8_t op = 0;
    zkr_err r;
    int done = 0;

    zkr_diag_clear(&d);
    zkr_dec_init(&in, req->p, req->len);
    if ((r = zkr_dec_u8(&in, &op)) != ZKR_OK)
        op = 0;
    if (fatal != NULL && op != ZKR_HSM_OP_CLOSE) {
        /* no module runs without its namespaces */
        r = zkr_fail(&d, ZKR_ERR_HSM, "%s", fatal);
        op = 0xff;
    }
    switch (op) {
    case 0xff:
        break;
    case ZKR_HSM_OP_PROBE:
        r = do_probe(h, &in, &body, &d);
        break;
    case ZKR_HSM_OP_OPEN:
        r = do_open(h, &in, &d);
        if (r == ZKR_OK && (r = zkr_enc_u8(&body, (uint8_t)h->type)) == ZKR_OK)
            r = zkr_enc_bytes(&body, h->pub, h->pub_len);
        break;
    case ZKR_HSM_OP_SIGN:
        r = do_sign(h, &in, &body, &d);
        break;
    case ZKR_HSM_OP_LIST:
        r = do_list(h, &in, &body, &d);
        break;
    case ZKR_HSM_OP_CLOSE:
        r = ZKR_OK;
        done = 1;
        break;
    default:
        r = zkr_fail(&d, ZKR_ERR_MALFORMED, "unknown request %u", op);
        done = 1;
    }
    sodium_memzero(req->p, req->len); /* may have held the PIN */
    if (zkr_enc_u32(&reply, (uint32_t)(int32_t)r) != ZKR_OK ||
        zkr_enc_str(&reply, d.msg) != ZKR_OK ||
        (r == ZKR_OK && zkr_buf_append(&reply, body.p, body.len) != ZKR_OK) ||
        zkr_hsm_frame_write(fd, reply.p, reply.len) != ZKR_OK)
        done = 1;
    zkr_buf_free(&body);
    zkr_buf_free(&reply);
    return done;
}

int zkr_hsm_helper_run(int fd, uint32_t entered, const char *fatal)
{
    zkr_hsm_helper h;
    zkr_buf req = {0};
    int status = 0, refused;

    memset(&h, 0, sizeof h);
    h.entered = entered;
    for (;;) {
        if (zkr_hsm_frame_read(fd, -1, &req) != ZKR_OK)
            break; /* parent gone: finish quietly */
        if (serve_one(&h, fd, &req, fatal))
            break;
    }
    refused = h.refused;
    helper_close(&h);
    zkr_buf_free(&req);
    if (refused)
        _exit(status); /* no atexit handler or destructor of the refused module runs */
    return status;
}
