/*
 * hsm: PKCS#11 keys, reached through a helper process.
 *
 * A PKCS#11 module is third-party code that we load into a process of its
 * own (zkreg-pkcs11-helper, in the style of ssh-pkcs11-helper). The parent
 * talks to it over a pipe with length-prefixed frames (hsm/hsm_int.h gives
 * the protocol). The parent never dlopen()s a module; the helper never sees
 * anything but the PIN (once, wiped right after C_Login) and the digests or
 * messages to sign.
 *
 * Keys are named by RFC 7512 URIs:
 *   pkcs11:token=LABEL;object=LABEL;id=%01%02?module-path=/x.so&pin-source=/f
 * Tokens are selected by label, never by slot number.
 *
 * Every failure of the token (wrong PIN, missing token or object,
 * unsupported key or mechanism, module that does not load) is reported as
 * ZKR_ERR_HSM or ZKR_ERR_PASSPHRASE (exit 7) with a sentence naming the
 * module, token and object. A failed C_Login is never retried.
 *
 * Thread safety: a zkr_hsm handle is used by one thread at a time.
 */
#ifndef ZKR_HSM_H
#define ZKR_HSM_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* OpenSC's module, the default when a URI names no module-path. */
#define ZKR_HSM_DEFAULT_MODULE "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"

#define ZKR_HSM_LABEL_MAX 64 /* CKA_LABEL / token label bytes we accept */
#define ZKR_HSM_ID_MAX 64    /* CKA_ID bytes we accept */
#define ZKR_HSM_PATH_MAX 1024
#define ZKR_HSM_PIN_MAX 128
#define ZKR_HSM_MSG_MAX 8192 /* largest message for CKM_EDDSA */

/* A parsed RFC 7512 URI (only the attributes zkreg uses; others refused). */
typedef struct {
    char token[ZKR_HSM_LABEL_MAX + 1];
    int has_token;
    char object[ZKR_HSM_LABEL_MAX + 1];
    int has_object;
    uint8_t id[ZKR_HSM_ID_MAX];
    size_t id_len;
    int has_id;
    char module_path[ZKR_HSM_PATH_MAX + 1]; /* ZKR_HSM_DEFAULT_MODULE when absent */
    char pin_source[ZKR_HSM_PATH_MAX + 1];  /* a file path; "" when absent */
} zkr_hsm_uri;

/*
 * Parses a pkcs11: URI strictly: known path attributes token, object, id,
 * type (only "private" or "public"), known query attributes module-path and
 * pin-source (a file path, or file: URI), each at most once, percent-encoding
 * decoded (%XX only; a NUL byte is refused), and pin-value refused (a PIN never
 * travels in a URI).
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (naming the attribute), ZKR_ERR_TOO_LARGE.
 * Thread safe. Nothing secret (pin-source is a path).
 */
zkr_err zkr_hsm_uri_parse(const char *uri, zkr_hsm_uri *out, zkr_diag *d) ZKR_WUR;

/*
 * Formats a URI for a key (percent-encoding everything outside the RFC 7512
 * unreserved set) into out. Returns ZKR_OK or ZKR_ERR_TOO_LARGE.
 */
zkr_err zkr_hsm_uri_format(const char *token, const char *object, const uint8_t *id,
                           size_t id_len, const char *module_path, char *out,
                           size_t cap) ZKR_WUR;

/* Key types a token key may have (values are part of the helper protocol). */
typedef enum {
    ZKR_HSM_KEY_SECP256K1 = 1,
    ZKR_HSM_KEY_P256 = 2,
    ZKR_HSM_KEY_ED25519 = 3,
} zkr_hsm_key_type;

typedef struct zkr_hsm zkr_hsm;

/*
 * Starts the helper, loads the module, selects the token by label, logs in
 * once with the PIN read from pin-source (when given; the PIN is wiped in
 * both processes right after C_Login), and finds exactly one private key
 * matching object and/or id, with its public key.
 * `helper_path` names the helper executable (NULL: zkr_hsm_helper_path());
 * it and its directory must be root-owned (or this user's in test builds)
 * and not group- or world-writable. `registry_path` (NULL: none) is sent
 * to the helper, which refuses to start the module if any path it may
 * read or write exposes the registry. The module must pass
 * zkr_hsm_module_check (an allowed module directory).
 * The helper runs with an allowlisted environment (docs/sandbox.md).
 * Returns ZKR_OK; ZKR_ERR_PASSPHRASE (wrong PIN; not retried); ZKR_ERR_HSM
 * (module does not load, token or key missing or ambiguous, unsupported key
 * type or mechanism, helper died); ZKR_ERR_IO (pin-source unreadable);
 * ZKR_ERR_MALFORMED; ZKR_ERR_NOMEM.
 * Secret: the PIN; it lives in sodium_malloc'ed memory until sent.
 */
zkr_err zkr_hsm_open(const zkr_hsm_uri *uri, const char *helper_path, const char *registry_path,
                     zkr_hsm **out, zkr_diag *d) ZKR_WUR;

/* Stops the helper (C_Logout, C_Finalize there) and frees. Accepts NULL. */
void zkr_hsm_free(zkr_hsm *h);

/*
 * The key's type and public key: 65 bytes 04||x||y for the ECDSA curves,
 * 32 bytes for Ed25519.
 */
zkr_hsm_key_type zkr_hsm_key_type_of(const zkr_hsm *h);
const uint8_t *zkr_hsm_public_key(const zkr_hsm *h, size_t *len);

/*
 * Signs with the token, returning what it gave back (64 bytes):
 * - ECDSA keys: `data` is a 32-byte digest hashed on the host; CKM_ECDSA;
 *   r||s exactly as the token returned it (it may be high-s: the caller
 *   normalizes);
 * - Ed25519 keys: `data` is the message (<= ZKR_HSM_MSG_MAX); CKM_EDDSA.
 * Returns ZKR_OK, ZKR_ERR_HSM (token error, wrong signature size),
 * ZKR_ERR_USAGE (wrong data length for the key), ZKR_ERR_TOO_LARGE.
 */
zkr_err zkr_hsm_sign(zkr_hsm *h, const uint8_t *data, size_t len, uint8_t sig[64],
                     zkr_diag *d) ZKR_WUR;

/* One key found by zkr_hsm_list. */
typedef struct {
    char uri[4 * ZKR_HSM_PATH_MAX];
    zkr_hsm_key_type type; /* 0 when the key's type is not one zkreg signs with */
    char type_name[16];
} zkr_hsm_list_entry;

/*
 * Lists the public-key objects of every token the module shows (and the
 * private keys too when `pin_source` names a PIN file and the token's label
 * is `token`), as URIs with token, object, id and module-path.
 * `*out` is malloc'ed (free()); `*n` entries. Returns as zkr_hsm_open.
 */
zkr_err zkr_hsm_list(const char *module_path, const char *helper_path,
                     const char *registry_path, zkr_hsm_list_entry **out, size_t *n,
                     zkr_diag *d) ZKR_WUR;

/* The confinement of a live helper, as zkreg doctor reports it. */
typedef struct {
    uint32_t confinement;  /* ZKR_SANDBOX_C_* the helper reports having applied */
    uint32_t landlock_abi; /* the ABI it used */
    int measured;          /* 1: the fields below were read from /proc of the live helper */
    int seccomp_mode;      /* "Seccomp:" of /proc/PID/status (2 = filter) */
    int no_new_privs;      /* "NoNewPrivs:" */
    unsigned long long cap_eff, cap_bnd; /* "CapEff:", "CapBnd:" */
    int threads;           /* "Threads:" */
    int ns_user, ns_pid, ns_net, ns_ipc, ns_mnt; /* 1 its own, 0 shared with zkreg, -1 unknown */
    int env_count;         /* variables in /proc/PID/environ, -1 unknown */
    char env_names[512];   /* their names, comma-separated */
    int fd_count;          /* entries of /proc/PID/fd, -1 unknown */
} zkr_hsm_probe_info;

/*
 * Starts a helper, has it confine itself exactly as for a module (PROBE,
 * no module loaded), then reads its state from /proc while it waits, and
 * stops it. Returns ZKR_OK (out filled; fields zkreg may not read, e.g.
 * without privilege, are -1), ZKR_ERR_HSM (helper missing, refused, or
 * it could not confine itself: the message says why), ZKR_ERR_NOMEM.
 */
zkr_err zkr_hsm_probe(const char *helper_path, const char *registry_path,
                      zkr_hsm_probe_info *out, zkr_diag *d) ZKR_WUR;

/*
 * The helper executable to run: $ZKREG_PKCS11_HELPER when set (test builds
 * only; ignored in others), else
 * zkreg-pkcs11-helper beside the running executable, else in ../hsm/ from it
 * (the build tree), else the installed libexec path. Writes into out.
 * Returns ZKR_OK or ZKR_ERR_NOT_FOUND.
 */
zkr_err zkr_hsm_helper_path(char *out, size_t cap) ZKR_WUR;

#endif /* ZKR_HSM_H */
