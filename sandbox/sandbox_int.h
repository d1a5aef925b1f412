/* sandbox internals shared by its .c files; not for other modules. */
#ifndef ZKR_SANDBOX_INT_H
#define ZKR_SANDBOX_INT_H

#include "sandbox/sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define ZKR_SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZKR_SANDBOX_ASAN 1
#endif
#endif
#ifndef ZKR_SANDBOX_ASAN
#define ZKR_SANDBOX_ASAN 0
#endif

/* Frame constants (docs/ipc.md). */
#define ZKR_SANDBOX_REQ_MAGIC 0x5a4b5251u /* "ZKRQ" */
#define ZKR_SANDBOX_REP_MAGIC 0x5a4b5250u /* "ZKRP" */
#define ZKR_SANDBOX_FRAME_VERSION 1u
#define ZKR_SANDBOX_KIND_MAX 32u
#define ZKR_SANDBOX_MSG_MAX 240u
/* magic4 ver1 status4 conf4 abi1 msglen2 [msg] paylen8 [payload] */
#define ZKR_SANDBOX_REP_FIXED 24u

/* Parsed reply. msg is NUL-terminated; payload points into the input. */
typedef struct {
    int32_t status;
    uint32_t confinement;
    uint32_t landlock_abi;
    char msg[ZKR_SANDBOX_MSG_MAX + 1];
    const uint8_t *payload;
    size_t payload_len;
} zkr_sandbox_reply;

int zkr_sandbox_kind_valid(const char *kind);
const zkr_worker_kind *zkr_sandbox_kind_find(const zkr_worker_kind *table, const char *kind);

/* The header alone (the payload is streamed after it without a copy). */
zkr_err zkr_sandbox_req_encode_header(const char *kind, size_t len, zkr_buf *out) ZKR_WUR;
zkr_err zkr_sandbox_rep_encode_header(int32_t status, uint32_t conf, uint32_t abi,
                                      const char *msg, size_t len, zkr_buf *out) ZKR_WUR;
zkr_err zkr_sandbox_req_encode(const char *kind, const uint8_t *p, size_t len, zkr_buf *out) ZKR_WUR;
/* Parses a complete request; kind must equal `kind`. */
zkr_err zkr_sandbox_req_decode(const uint8_t *p, size_t len, const char *kind, uint64_t max,
                               const uint8_t **payload, size_t *payload_len,
                               zkr_diag *d) ZKR_WUR;
/* Bytes of the request header for `kind` before the payload. */
size_t zkr_sandbox_req_header_len(const char *kind);

zkr_err zkr_sandbox_rep_encode(int32_t status, uint32_t conf, uint32_t abi, const char *msg,
                               const uint8_t *p, size_t len, zkr_buf *out) ZKR_WUR;
/* Bytes needed to know the full reply length; 0 if p[0..len) is too short. */
zkr_err zkr_sandbox_rep_total_len(const uint8_t *p, size_t len, uint64_t max_reply,
                                  uint64_t *total, zkr_diag *d) ZKR_WUR;
zkr_err zkr_sandbox_rep_decode(const uint8_t *p, size_t len, uint64_t max_reply,
                               zkr_sandbox_reply *out, zkr_diag *d) ZKR_WUR;
/* Is `status` a code a worker may report? */
int zkr_sandbox_status_allowed(int32_t status);

/* Confinement steps (confine.c). Each returns ZKR_OK or ZKR_ERR_SANDBOX. */
zkr_err zkr_sandbox_close_fds_except(const int *keep, size_t n_keep, zkr_diag *d) ZKR_WUR;
zkr_err zkr_sandbox_set_rlimits(const zkr_sandbox_limits *l, zkr_diag *d) ZKR_WUR;
/* prover-cuda: the same with as_bytes as RLIMIT_DATA (RLIMIT_AS left as inherited). */
zkr_err zkr_sandbox_set_rlimits_gpu(const zkr_sandbox_limits *l, zkr_diag *d) ZKR_WUR;
/*
 * prover-cuda, after its preparation: RLIMIT_AS (soft and hard) = the address
 * space in use now (the driver's reservations included) + as_bytes, so that
 * what the worker maps from then on, shared mappings and memfds included
 * (which RLIMIT_DATA does not count), is bounded as for the CPU prover.
 */
zkr_err zkr_sandbox_set_as_after_prepare(const zkr_sandbox_limits *l, zkr_diag *d) ZKR_WUR;
zkr_err zkr_sandbox_prctl_harden(zkr_diag *d) ZKR_WUR;
/* Best effort: returns the ZKR_SANDBOX_C_*NS bits obtained. */
uint32_t zkr_sandbox_unshare(int want_mnt);
/* Best effort: the ABI used (0 when unavailable or failed). */
int zkr_sandbox_landlock_abi(void);
uint32_t zkr_sandbox_landlock_apply(const char *const *ro, size_t n_ro, const char *const *rw,
                                    size_t n_rw, int *abi_used);
/*
 * prover-cuda's ruleset, required (0 and a message in d when the kernel has
 * no Landlock or the ruleset fails): every file access handled, read/write
 * (and device ioctl, ABI 5+) only on the NVIDIA device nodes under /dev,
 * read-only /proc/driver/nvidia. Returns ZKR_SANDBOX_C_LANDLOCK.
 */
uint32_t zkr_sandbox_landlock_apply_gpu(int *abi_used, zkr_diag *d);

/* Seccomp (policy.c). */
zkr_err zkr_sandbox_seccomp_load(zkr_sandbox_policy p, zkr_diag *d) ZKR_WUR;

#endif
