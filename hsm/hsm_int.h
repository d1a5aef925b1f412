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
 *          bytes id, bytes pin (empty: no login)
 *   SIGN   bytes data
 *   LIST   str module
 *   CLOSE  (nothing)
 * Replies: u32 status (the zkr_err as two's complement), str message, then
 *   OPEN   u8 key type, bytes public key
 *   SIGN   bytes signature
 *   LIST   u32 n, n x (str token, str object, bytes id, u8 key type, str type name)
 * A reply with a non-zero status carries only status and message.
 */
#ifndef ZKR_HSM_INT_H
#define ZKR_HSM_INT_H

#include "hsm/hsm.h"

#define ZKR_HSM_FRAME_MAX (1u << 20)
#define ZKR_HSM_LIST_MAX 1024 /* keys listed per module */
#define ZKR_HSM_IO_TIMEOUT_MS 120000

enum {
    ZKR_HSM_OP_OPEN = 1,
    ZKR_HSM_OP_SIGN = 2,
    ZKR_HSM_OP_LIST = 3,
    ZKR_HSM_OP_CLOSE = 4,
};

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
int zkr_hsm_helper_run(int fd);

/* Key type name ("secp256k1", "p256", "ed25519"). */
const char *zkr_hsm_key_type_name(zkr_hsm_key_type t);

#endif /* ZKR_HSM_INT_H */
