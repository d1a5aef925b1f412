/*
 * hsm internals: the helper protocol shared by the parent (client.c) and
 * zkreg-pkcs11-helper (helper.c).
 *
 * Transport: one AF_UNIX stream socket, the helper's fd 0. Each message is
 * a frame: u32 big-endian body length (<= ZKR_HSM_FRAME_MAX), then the body.
 * Bodies use common's canonical encoding (zkr_enc_*), read strictly.
 *
 * Requests (u8 op, then):
 *   OPEN   str module, str token, u8 has_object, str object, u8 has_id,
 *          bytes id, bytes pin (empty: no login), str registry ("" = none)
 *   SIGN   bytes data
 *   LIST   str module, str registry
 *   CLOSE  (nothing)
 *   PROBE  str registry: confine exactly as for a module, load none
 * Replies: u32 status (the zkr_err as two's complement), str message, then
 *   OPEN   u8 key type, bytes public key
 *   SIGN   bytes signature
 *   LIST   u32 n, n x (str token, str object, bytes id, u8 key type, str type name)
 *   PROBE  u32 confinement bits (ZKR_SANDBOX_C_*), u32 Landlock ABI
 * The registry path is refused by the helper's confinement if any path
 * the module may read or write would expose it.
 * A reply with a non-zero status carries only status and message.
 */
#ifndef ZKR_HSM_INT_H
#define ZKR_HSM_INT_H

#include "hsm/hsm.h"

#define ZKR_HSM_FRAME_MAX (1u << 20)
#define ZKR_HSM_LIST_MAX 1024 /* keys listed per module */
#define ZKR_HSM_IO_TIMEOUT_MS 120000
#define ZKR_HSM_EXIT_GRACE_MS 5000 /* after CLOSE's reply, for C_Finalize and exit */

enum {
    ZKR_HSM_OP_OPEN = 1,
    ZKR_HSM_OP_SIGN = 2,
    ZKR_HSM_OP_LIST = 3,
    ZKR_HSM_OP_CLOSE = 4,
    ZKR_HSM_OP_PROBE = 5,
};

/*
 * Is `path` a module the helper may load? It must be absolute, exist, be a
 * regular file that is not group- or world-writable and is owned by root
 * (or, in -Dtest_hooks=true builds, by this user), and lie directly in an
 * allowed directory (ZKR_HSM_MODULE_DIRS, the lines of
 * ZKR_HSM_MODULE_DIRS_FILE, and in test builds $ZKREG_PKCS11_MODULE_DIRS),
 * itself not group- or world-writable. Writes the canonical path into
 * canon[cap]. Returns ZKR_OK or ZKR_ERR_HSM naming the module and why.
 */
zkr_err zkr_hsm_module_check(const char *path, char *canon, size_t cap, zkr_diag *d) ZKR_WUR;

/*
 * Is `path` (a file, or a directory with dir=1) owned by root (or by this
 * user in test builds) and not group- or world-writable? Returns 1 or 0
 * with *why set.
 */
int zkr_hsm_trusted_file(const char *path, int dir, const char **why);

/* Writes one frame. Returns ZKR_OK, ZKR_ERR_HSM (peer gone), ZKR_ERR_TOO_LARGE. */
zkr_err zkr_hsm_frame_write(int fd, const uint8_t *p, size_t len) ZKR_WUR;

/*
 * Reads one frame into out (replacing its contents). `timeout_ms` < 0 waits
 * forever. Returns ZKR_OK, ZKR_ERR_HSM (EOF, timeout, I/O error),
 * ZKR_ERR_TOO_LARGE (length over ZKR_HSM_FRAME_MAX), ZKR_ERR_NOMEM.
 */
zkr_err zkr_hsm_frame_read(int fd, int timeout_ms, zkr_buf *out) ZKR_WUR;

/* Reads a length-prefixed string (no NUL inside) of at most max bytes into s[max+1]. */
zkr_err zkr_hsm_dec_str(zkr_dec *d, char *s, size_t max) ZKR_WUR;

/* The helper's request loop on fd (used by helper_main.c). Returns the exit status. */
int zkr_hsm_helper_run(int fd, uint32_t entered, const char *fatal);

/* Key type name ("secp256k1", "p256", "ed25519"). */
const char *zkr_hsm_key_type_name(zkr_hsm_key_type t);

#endif /* ZKR_HSM_INT_H */
