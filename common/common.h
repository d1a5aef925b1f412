/*
 * common: errors, diagnostics, byte buffers, hex/base64, the canonical
 * length-prefixed encoding, hashes (SHA-256, BLAKE2b-256, Keccak-256),
 * RFC 6962 Merkle trees and small file helpers.
 *
 * This module depends on nothing else of ours. Every function is thread
 * safe unless it says otherwise: there is no global mutable state.
 * sodium_init() must have been called once (main() does it) before any
 * hashing function is used.
 */
#ifndef ZKR_COMMON_H
#define ZKR_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ZKR_WUR __attribute__((warn_unused_result))
#define ZKR_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/*
 * The one error enum. ZKR_OK is 0; failures are negative and stable:
 * add codes at the end of their class, never renumber. Each code belongs
 * to one exit-code class (docs/cli.md, DESIGN.md section 7), which
 * zkr_err_exit_code() returns.
 */
typedef enum {
    ZKR_OK = 0,

    /* exit 1: verification failed or a binding mismatch was refused */
    ZKR_ERR_VERIFY = -1,             /* the proof's mathematics failed */
    ZKR_ERR_MISMATCH_STATEMENT = -2, /* proof names another statement_id */
    ZKR_ERR_MISMATCH_PROGRAM = -3,
    ZKR_ERR_MISMATCH_MODEL = -4,
    ZKR_ERR_MISMATCH_DATASET = -5,
    ZKR_ERR_MISMATCH_INPUT = -6,     /* record index / committed input */
    ZKR_ERR_MISMATCH_OUTPUT = -7,
    ZKR_ERR_MISMATCH_SCHEMA = -8,    /* schema name, version or digest */
    ZKR_ERR_MISMATCH_VERIFIER = -9,  /* verifier version not the pinned one */
    ZKR_ERR_MISMATCH_PARAMS = -10,   /* proof system or parameter set */
    ZKR_ERR_POLICY = -11,            /* a gate policy rule failed */
    ZKR_ERR_SIGNATURE = -12,         /* a signature did not verify */

    /* exit 2: usage */
    ZKR_ERR_USAGE = -20,

    /* exit 3: malformed input */
    ZKR_ERR_MALFORMED = -30,
    ZKR_ERR_TOO_LARGE = -31,         /* a length or count over its bound */
    ZKR_ERR_UNSUPPORTED = -32,       /* well formed, but not supported */

    /* exit 4: not found */
    ZKR_ERR_NOT_FOUND = -40,

    /* exit 5: conflict or already exists */
    ZKR_ERR_CONFLICT = -50,
    ZKR_ERR_EXISTS = -51,

    /* exit 6: revoked or expired */
    ZKR_ERR_REVOKED = -60,
    ZKR_ERR_EXPIRED = -61,

    /* exit 7: key or HSM error */
    ZKR_ERR_KEY = -70,
    ZKR_ERR_PASSPHRASE = -71,        /* wrong passphrase or PIN */
    ZKR_ERR_HSM = -72,

    /* exit 8: sandbox violation */
    ZKR_ERR_SANDBOX = -80,
    ZKR_ERR_TIMEOUT = -81,           /* a confined worker ran out of time */

    /* exit 9: registry or I/O error */
    ZKR_ERR_IO = -90,
    ZKR_ERR_REGISTRY = -91,
    ZKR_ERR_REGISTRY_VERSION = -92,  /* registry newer than this binary, or older and opened read-only */

    /* exit 10: internal */
    ZKR_ERR_INTERNAL = -100,
    ZKR_ERR_NOMEM = -101,
} zkr_err;

/* Returns a static, human-readable name for an error code; never NULL. */
const char *zkr_strerror(zkr_err e);

/* Returns the documented process exit code (0..10) for an error code. */
int zkr_err_exit_code(zkr_err e);

/* Returns the short machine-readable class name ("malformed", ...). */
const char *zkr_err_class(zkr_err e);

/*
 * A diagnostic: the sentence that reaches the user, naming the input and
 * the field. Functions that can fail on user input take an optional
 * `zkr_diag *` (NULL means "caller does not want the text"). The first
 * message set wins, so the innermost, most specific cause survives while
 * outer layers add nothing unless the diag is still empty.
 * Never put secrets into a diag.
 */
#define ZKR_DIAG_BYTES 512
typedef struct {
    char msg[ZKR_DIAG_BYTES];
} zkr_diag;

/* Clears a diag. Accepts NULL. */
void zkr_diag_clear(zkr_diag *d);

/*
 * Records a message in `d` if `d` is non-NULL and still empty, and returns
 * `code` so that call sites read `return zkr_fail(d, ZKR_ERR_X, "...")`.
 */
zkr_err zkr_fail(zkr_diag *d, zkr_err code, const char *fmt, ...) ZKR_PRINTF(3, 4);

/* ------------------------------------------------------------------ */
/* Byte buffers                                                        */
/* ------------------------------------------------------------------ */

/* A growable byte buffer. Zero-initialise it ({0}) before first use. */
typedef struct {
    uint8_t *p;
    size_t len;
    size_t cap;
} zkr_buf;

/* Hard cap on any zkr_buf, so a hostile length cannot exhaust memory. */
#define ZKR_BUF_MAX ((size_t)1 << 34)

/*
 * Makes room for `extra` more bytes. Returns ZKR_OK, ZKR_ERR_TOO_LARGE on
 * overflow or beyond ZKR_BUF_MAX, ZKR_ERR_NOMEM.
 */
zkr_err zkr_buf_reserve(zkr_buf *b, size_t extra) ZKR_WUR;

/* Appends `len` bytes. Returns as zkr_buf_reserve. */
zkr_err zkr_buf_append(zkr_buf *b, const void *p, size_t len) ZKR_WUR;

/* Appends a NUL-free C string (without its terminator). */
zkr_err zkr_buf_append_str(zkr_buf *b, const char *s) ZKR_WUR;

/* Appends printf-formatted text (without a terminator). */
zkr_err zkr_buf_printf(zkr_buf *b, const char *fmt, ...) ZKR_PRINTF(2, 3) ZKR_WUR;

/* Appends a NUL terminator that is not counted in len (for C strings). */
zkr_err zkr_buf_terminate(zkr_buf *b) ZKR_WUR;

/* Wipes (sodium_memzero) and frees the storage; leaves b zeroed. Accepts NULL. */
void zkr_buf_free(zkr_buf *b);

/* ------------------------------------------------------------------ */
/* Hex and base64 (strict: no whitespace, exact lengths)               */
/* ------------------------------------------------------------------ */

/* Writes 2*len lowercase hex digits and a NUL into out (cap >= 2*len+1). */
zkr_err zkr_hex_encode(const uint8_t *p, size_t len, char *out, size_t cap) ZKR_WUR;

/*
 * Decodes hex (either case, no prefix, no separators) into out.
 * Returns ZKR_ERR_MALFORMED on a bad digit or odd length, ZKR_ERR_TOO_LARGE
 * when it does not fit in cap.
 */
zkr_err zkr_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t cap,
                       size_t *out_len) ZKR_WUR;

/* Decodes exactly `len` bytes of hex; anything else is ZKR_ERR_MALFORMED. */
zkr_err zkr_hex_decode_exact(const char *hex, uint8_t *out, size_t len) ZKR_WUR;

/* Standard base64 with padding, into a NUL-terminated buffer. */
zkr_err zkr_base64_encode(const uint8_t *p, size_t len, zkr_buf *out) ZKR_WUR;

/* Strict standard base64 with padding. */
zkr_err zkr_base64_decode(const char *s, size_t s_len, zkr_buf *out) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Canonical encoding                                                   */
/* ------------------------------------------------------------------ */
/*
 * The canonical encoding used for digests and log leaves: a sequence of
 * fields, each either a fixed-width big-endian integer or a byte string
 * prefixed with its length as a u32 big-endian. It is never JSON text.
 * docs/formats.md gives it byte by byte.
 */
zkr_err zkr_enc_u8(zkr_buf *b, uint8_t v) ZKR_WUR;
zkr_err zkr_enc_u32(zkr_buf *b, uint32_t v) ZKR_WUR;
zkr_err zkr_enc_u64(zkr_buf *b, uint64_t v) ZKR_WUR;
/* A length-prefixed byte string; ZKR_ERR_TOO_LARGE if len > UINT32_MAX. */
zkr_err zkr_enc_bytes(zkr_buf *b, const uint8_t *p, size_t len) ZKR_WUR;
/* A length-prefixed C string (without its NUL). */
zkr_err zkr_enc_str(zkr_buf *b, const char *s) ZKR_WUR;

/* A strict reader over (p, len): it never reads past the end. */
typedef struct {
    const uint8_t *p;
    size_t len;
    size_t pos;
} zkr_dec;

void zkr_dec_init(zkr_dec *d, const uint8_t *p, size_t len);
/* Each returns ZKR_ERR_MALFORMED when the input ends early. */
zkr_err zkr_dec_u8(zkr_dec *d, uint8_t *v) ZKR_WUR;
zkr_err zkr_dec_u32(zkr_dec *d, uint32_t *v) ZKR_WUR;
zkr_err zkr_dec_u64(zkr_dec *d, uint64_t *v) ZKR_WUR;
/* Reads `n` raw bytes, returning a pointer into the input (no copy). */
zkr_err zkr_dec_raw(zkr_dec *d, size_t n, const uint8_t **out) ZKR_WUR;
/*
 * Reads a length-prefixed byte string whose length must be <= max;
 * ZKR_ERR_TOO_LARGE past max, ZKR_ERR_MALFORMED when truncated.
 */
zkr_err zkr_dec_bytes(zkr_dec *d, size_t max, const uint8_t **out, size_t *out_len) ZKR_WUR;
/* ZKR_OK only when every byte was consumed, else ZKR_ERR_MALFORMED. */
zkr_err zkr_dec_finish(const zkr_dec *d) ZKR_WUR;

/* Big-endian helpers for fixed-width fields. */
void zkr_store_be32(uint8_t out[4], uint32_t v);
void zkr_store_be64(uint8_t out[8], uint64_t v);
uint32_t zkr_load_be32(const uint8_t in[4]);
uint64_t zkr_load_be64(const uint8_t in[8]);
void zkr_store_le64(uint8_t out[8], uint64_t v);
uint64_t zkr_load_le64(const uint8_t in[8]);

/* ------------------------------------------------------------------ */
/* Hashes                                                              */
/* ------------------------------------------------------------------ */

#define ZKR_DIGEST_BYTES 32

void zkr_sha256(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES]);
/* BLAKE2b with a 32-byte output and no key. */
void zkr_blake2b256(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES]);
/* Keccak-256 as Ethereum uses it (original padding 0x01), not SHA3-256. */
void zkr_keccak256(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES]);

/* Incremental SHA-256 (wraps libsodium's state; opaque storage). */
typedef struct {
    _Alignas(16) uint8_t opaque[128];
} zkr_sha256_ctx;
void zkr_sha256_init(zkr_sha256_ctx *c);
void zkr_sha256_update(zkr_sha256_ctx *c, const uint8_t *p, size_t len);
void zkr_sha256_final(zkr_sha256_ctx *c, uint8_t out[ZKR_DIGEST_BYTES]);

/* Incremental Keccak-256. */
typedef struct {
    uint64_t st[25];
    size_t pos;
} zkr_keccak_ctx;
void zkr_keccak256_init(zkr_keccak_ctx *c);
void zkr_keccak256_update(zkr_keccak_ctx *c, const uint8_t *p, size_t len);
void zkr_keccak256_final(zkr_keccak_ctx *c, uint8_t out[ZKR_DIGEST_BYTES]);

/*
 * SHA-256 of a domain tag including its NUL terminator, then the data:
 * SHA-256(tag || 0x00 || data). Used for statement_id and other
 * domain-separated digests (DESIGN.md section 3).
 */
void zkr_sha256_tagged(const char *tag, const uint8_t *p, size_t len,
                       uint8_t out[ZKR_DIGEST_BYTES]);

/* ------------------------------------------------------------------ */
/* Revocation-set digest (revset.c)                                    */
/* ------------------------------------------------------------------ */

/*
 * Digest of the "revocation" log leaves below a tree size: SHA-256 of the
 * tag "zkreg/revocation-set/v1" 0x00, then u64be index || leaf hash of
 * each, in ascending index order (docs/formats.md). Checkpoints sign it
 * with the count, so a subset of the revocations is detectable.
 */
typedef struct {
    zkr_sha256_ctx h;
    uint64_t count;
    uint64_t last;
} zkr_revset;

void zkr_revset_init(zkr_revset *s);
/* Adds one leaf; indices must ascend strictly. Returns ZKR_OK, ZKR_ERR_MALFORMED. */
zkr_err zkr_revset_add(zkr_revset *s, uint64_t index,
                       const uint8_t leaf_hash[32]) ZKR_WUR;
void zkr_revset_final(zkr_revset *s, uint8_t digest[32]);

/* ------------------------------------------------------------------ */
/* Key ids and signer identities (keyid.c)                             */
/* ------------------------------------------------------------------ */

#define ZKR_KEY_PUB_MAX 65 /* the largest public key (p256 04||x||y) */

/*
 * A key id: SHA-256("zkreg/keyid/v1" 0x00 || type 0x00 || pub), where type
 * is "ed25519", "secp256k1", "p256" or "eth" and pub the public key bytes
 * (for eth: the 20 address bytes). A key id only finds a key.
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (empty or oversize type or key).
 * Thread-safe; nothing secret.
 */
zkr_err zkr_keyid_compute(const char *type, const uint8_t *pub, size_t len,
                          uint8_t out[32]) ZKR_WUR;

/*
 * A signer's identity: what counts toward a threshold and what a
 * revocation names. For a secp256k1 key it is the key id of its Ethereum
 * address (eth:ADDRESS), so `secp256k1:HEX` and `eth:ADDRESS` of one key
 * are one signer; for every other type it is the key id.
 * Returns ZKR_OK, ZKR_ERR_MALFORMED (a secp256k1 key that is not a point).
 * Thread-safe; nothing secret.
 */
zkr_err zkr_signer_identity(const char *type, const uint8_t *pub, size_t len,
                            uint8_t out[32]) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* RFC 6962 Merkle trees (SHA-256)                                     */
/* ------------------------------------------------------------------ */

/* Proofs deeper than this are refused (a tree of 2^64 leaves has 64). */
#define ZKR_MERKLE_MAX_DEPTH 64

/* SHA-256(0x00 || data). */
void zkr_merkle_leaf_hash(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES]);
/* SHA-256(0x01 || left || right). */
void zkr_merkle_node_hash(const uint8_t left[ZKR_DIGEST_BYTES],
                          const uint8_t right[ZKR_DIGEST_BYTES],
                          uint8_t out[ZKR_DIGEST_BYTES]);

/*
 * The root over n leaf hashes (leaves[i] is the 32-byte leaf hash i).
 * n == 0 gives SHA-256 of the empty string. Returns ZKR_ERR_NOMEM.
 */
zkr_err zkr_merkle_root(const uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t n,
                        uint8_t out[ZKR_DIGEST_BYTES]) ZKR_WUR;

/*
 * Inclusion proof for leaf `index` in the tree of the first `n` leaves:
 * writes up to ZKR_MERKLE_MAX_DEPTH hashes into path, *path_len their count.
 * Returns ZKR_ERR_USAGE when index >= n, ZKR_ERR_NOMEM.
 */
zkr_err zkr_merkle_inclusion_proof(const uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t n,
                                   uint64_t index,
                                   uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                   size_t *path_len) ZKR_WUR;

/*
 * Checks an inclusion proof (RFC 9162 section 2.1.3.2).
 * Returns ZKR_OK, ZKR_ERR_VERIFY when the proof does not lead to root,
 * ZKR_ERR_MALFORMED when index >= n or the path has the wrong length.
 */
zkr_err zkr_merkle_inclusion_verify(const uint8_t leaf_hash[ZKR_DIGEST_BYTES], uint64_t index,
                                    uint64_t n, const uint8_t (*path)[ZKR_DIGEST_BYTES],
                                    size_t path_len, const uint8_t root[ZKR_DIGEST_BYTES]) ZKR_WUR;

/*
 * Consistency proof between the tree of the first m leaves and of the
 * first n leaves (0 < m <= n). Returns ZKR_ERR_USAGE on bad sizes.
 */
zkr_err zkr_merkle_consistency_proof(const uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t m,
                                     uint64_t n,
                                     uint8_t path[ZKR_MERKLE_MAX_DEPTH * 2][ZKR_DIGEST_BYTES],
                                     size_t *path_len) ZKR_WUR;

/*
 * Checks a consistency proof (RFC 9162 section 2.1.4.2).
 * Returns ZKR_OK, ZKR_ERR_VERIFY, ZKR_ERR_MALFORMED (bad sizes or length).
 */
zkr_err zkr_merkle_consistency_verify(uint64_t m, uint64_t n,
                                      const uint8_t root_m[ZKR_DIGEST_BYTES],
                                      const uint8_t root_n[ZKR_DIGEST_BYTES],
                                      const uint8_t (*path)[ZKR_DIGEST_BYTES],
                                      size_t path_len) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

/*
 * Reads a whole regular file of at most `max` bytes into out.
 * Returns ZKR_ERR_NOT_FOUND (missing), ZKR_ERR_IO (unreadable, not a
 * regular file), ZKR_ERR_TOO_LARGE (over max), ZKR_ERR_NOMEM. The diag
 * names the path.
 */
zkr_err zkr_file_read(const char *path, size_t max, zkr_buf *out, zkr_diag *d) ZKR_WUR;

/*
 * Publishes a new file at `path` that never replaces anything: the content
 * is written and synced in an unnamed file (O_TMPFILE; where the file
 * system lacks it, a unique temporary name), then linked into place with
 * linkat()/link(), which fails if the path exists by then. `mode` is exact
 * (not masked by the umask). Returns ZKR_OK, ZKR_ERR_EXISTS (the path
 * exists: nothing was changed), ZKR_ERR_NOT_FOUND (no such directory),
 * ZKR_ERR_IO, ZKR_ERR_USAGE; the diag names the path. Thread-safe.
 */
zkr_err zkr_file_publish_new(const char *path, const uint8_t *p, size_t len, unsigned mode,
                             zkr_diag *d) ZKR_WUR;

/*
 * Test builds (-Dtest_hooks=true) only, a no-op otherwise: when
 * $ZKREG_TEST_PAUSE_AT equals `point`, creates "$ZKREG_TEST_PAUSE_FIFO.reached"
 * and blocks until the fifo $ZKREG_TEST_PAUSE_FIFO is opened for writing
 * and closed. Race tests hold a command between its reads and its write
 * with it. Points: "key-register", "revoke", "key-generate-publish".
 */
void zkr_test_pause(const char *point);

/*
 * Writes a file atomically: a unique temporary file `<path>.tmp.XXXXXX`
 * (mkostemp, held under an exclusive flock until renamed), fsync, rename,
 * fsync of the directory. `mode` is the new file's mode. Temporary files
 * of `path` left by killed writers (no flock held) are removed first.
 * Returns ZKR_ERR_IO with the path in the diag (naming the file system
 * when it is full or read-only); nothing is left behind on failure.
 */
zkr_err zkr_file_write_atomic(const char *path, const uint8_t *p, size_t len, unsigned mode,
                              zkr_diag *d) ZKR_WUR;

/*
 * As zkr_file_write_atomic, but never replaces an existing file: the
 * complete temporary file is hard-linked to `path`. Returns
 * ZKR_ERR_EXISTS when `path` exists, ZKR_ERR_IO.
 */
zkr_err zkr_file_write_new(const char *path, const uint8_t *p, size_t len, unsigned mode,
                           zkr_diag *d) ZKR_WUR;

/*
 * Creates a unique temporary file `<path><tag>XXXXXX` (mkostemp, mode
 * `mode`) and holds an exclusive flock on it while *fd_out stays open, so
 * zkr_file_remove_stale of other processes leaves it alone. *tmp gets its
 * NUL-terminated name. Returns ZKR_ERR_IO (naming the file system when it
 * is full or read-only), ZKR_ERR_NOMEM.
 */
zkr_err zkr_file_temp_create(const char *path, const char *tag, unsigned mode, zkr_buf *tmp,
                             int *fd_out, zkr_diag *d) ZKR_WUR;

/*
 * Removes the files `<path><tag>XXXXXX` (six characters) whose flock no
 * live process holds: temporary files of writers that were killed. Best
 * effort; never fails.
 */
void zkr_file_remove_stale(const char *path, const char *tag);

/*
 * Describes the file system holding `path` for messages: "the file system
 * mounted at MOUNTPOINT (read-only, FREE of TOTAL bytes free)". Never fails
 * (falls back to "its file system"). Thread safe.
 */
void zkr_fs_describe(const char *path, char *out, size_t cap);

/*
 * Checks that (p, len) is valid UTF-8 with no NUL and no C0 control
 * characters other than tab; returns ZKR_ERR_MALFORMED otherwise.
 */
zkr_err zkr_utf8_check(const uint8_t *p, size_t len) ZKR_WUR;


/* ------------------------------------------------------------------ */
/* Passphrase-sealed secrets (keys encrypted at rest)                  */
/* ------------------------------------------------------------------ */
/*
 * A sealed blob is: magic "ZKRSEAL1" (8) || opslimit u64 BE || memlimit
 * u64 BE || salt (16) || nonce (24) || XChaCha20-Poly1305 ciphertext+tag.
 * The key is Argon2id(passphrase, salt, opslimit, memlimit). `label` is
 * bound as associated data (with the header), so a blob sealed for one
 * purpose ("zkreg/appliance-key") cannot be unsealed as another.
 */
#define ZKR_SEAL_MAGIC "ZKRSEAL1"
#define ZKR_SEAL_MAX_SECRET 4096

/*
 * Seals `secret` under `pass`. Argon2id runs with libsodium's MODERATE
 * limits unless `fast` is non-zero (INTERACTIVE; for tests and benches;
 * in test builds with $ZKREG_TEST_KDF_MIN set, libsodium's minimum).
 * Returns ZKR_OK, ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM, ZKR_ERR_INTERNAL.
 * Secret: secret and pass; neither is copied anywhere but into the KDF.
 */
zkr_err zkr_seal(const uint8_t *secret, size_t secret_len, const uint8_t *pass, size_t pass_len,
                 const char *label, int fast, zkr_buf *out) ZKR_WUR;

/*
 * Opens a sealed blob into out (cap bytes; use sodium_malloc'ed memory).
 * Returns ZKR_ERR_MALFORMED (bad header, truncated, limits out of range),
 * ZKR_ERR_PASSPHRASE (authentication failed: wrong passphrase, tampered
 * blob or wrong label), ZKR_ERR_TOO_LARGE (cap too small), ZKR_ERR_NOMEM.
 * On failure out is wiped.
 */
zkr_err zkr_unseal(const uint8_t *blob, size_t blob_len, const uint8_t *pass, size_t pass_len,
                   const char *label, uint8_t *out, size_t cap, size_t *out_len) ZKR_WUR;

/*
 * Reads a passphrase: from `path` if non-NULL (the first line, without its
 * newline; the file must not be group/world readable), else from the file
 * named by $ZKREG_PASSPHRASE_FILE, else from the TTY with echo off when
 * stdin is a TTY. Never from argv or an environment value. The result is
 * in sodium_malloc'ed memory in *out (free with zkr_passphrase_free).
 * Returns ZKR_ERR_USAGE when no source is available (non-interactive),
 * ZKR_ERR_IO, ZKR_ERR_MALFORMED (empty), ZKR_ERR_NOMEM.
 */
typedef struct {
    uint8_t *p; /* sodium_malloc'ed */
    size_t len;
} zkr_secret;
zkr_err zkr_passphrase_read(const char *path, zkr_secret *out, zkr_diag *d) ZKR_WUR;
/* Wipes and frees. Accepts NULL and an empty secret. */
void zkr_secret_free(zkr_secret *s);

/* ------------------------------------------------------------------ */
/* Datasets (records for register-dataset, calibration and inference)  */
/* ------------------------------------------------------------------ */
/*
 * Two formats: IDX (the gzip or raw idx3 image file; its idx1 label file
 * is found beside it by replacing "images-idx3" with "labels-idx1" in the
 * name) and plain text with one record per line. A record's canonical
 * bytes are, for IDX, the image bytes followed by the label byte, and for
 * lines, the line without its newline. docs/formats.md gives the details.
 */
typedef enum { ZKR_DATASET_IDX = 1, ZKR_DATASET_LINES = 2 } zkr_dataset_format;
typedef struct zkr_dataset zkr_dataset;

#define ZKR_DATASET_MAX_BYTES ((size_t)1 << 31)
#define ZKR_DATASET_MAX_RECORDS ((uint64_t)1 << 26)

/*
 * Opens and fully validates a dataset (magic, dimensions, counts agree,
 * sizes exact, lines valid UTF-8). Returns ZKR_ERR_NOT_FOUND, ZKR_ERR_IO,
 * ZKR_ERR_MALFORMED or ZKR_ERR_TOO_LARGE with the file and field named.
 */
zkr_err zkr_dataset_open(const char *path, zkr_dataset **out, zkr_diag *d) ZKR_WUR;
/*
 * An IDX images file's labels file, which zkr_dataset_open reads too:
 * "images-idx3" in the file's name replaced by "labels-idx1" (NUL-terminated
 * in out). ZKR_ERR_MALFORMED when the name has no "images-idx3" (no labels
 * file: not an IDX pair), ZKR_ERR_NOMEM.
 */
zkr_err zkr_dataset_labels_path(const char *images, zkr_buf *out, zkr_diag *d) ZKR_WUR;
zkr_dataset_format zkr_dataset_format_of(const zkr_dataset *ds);
uint64_t zkr_dataset_count(const zkr_dataset *ds);
/* For IDX: rows and columns of each image (0 for line files). */
void zkr_dataset_shape(const zkr_dataset *ds, uint32_t *rows, uint32_t *cols);
/* Record i's canonical bytes (points into the dataset). ZKR_ERR_NOT_FOUND past the end. */
zkr_err zkr_dataset_record(const zkr_dataset *ds, uint64_t i, const uint8_t **p,
                           size_t *len) ZKR_WUR;
/* Frees. Accepts NULL. */
void zkr_dataset_free(zkr_dataset *ds);

/* ------------------------------------------------------------------ */
/* Hiding dataset commitments, version 2 (dscommit.c)                  */
/* ------------------------------------------------------------------ */
/*
 * A version 2 dataset commitment hides every record: leaf i is
 *   SHA-256(0x00 || "zkreg/dataset-record/v2" || 0x00 || u32be len(record_i)
 *           || record_i || salt_i)
 * with a fresh 32-byte random salt per record, and the root is the RFC 6962
 * root over those leaves. Record bytes are the canonical ones of the
 * dataset (for IDX: image bytes then the label byte, so labels are
 * committed too). The commitment file carries the record format, the
 * count, the root and the dataset digest; the salts live only in a sealed
 * secrets file on the data owner's machine. docs/formats.md gives both
 * files byte by byte. Version 1 (public leaves SHA-256(0x00 || record))
 * is registry/'s and unchanged.
 *
 * Nothing here keeps global state; every function is thread safe on
 * distinct objects. What is secret: the salts (and the records they hide).
 */
#define ZKR_DSCOMMIT_VERSION 2
/*
 * Version 3 (hiding record commitments, for inference@2): the same 85-byte
 * file with version 3, whose root is the RFC 6962 root over leaves of each
 * record's 48-byte hiding polynomial commitment (zk/zk.h,
 * zkr_infer2_record_leaf), not over salted hashes: a proof can open those
 * without revealing the record. Its secrets are app/'s (app/dataset.c).
 */
#define ZKR_DSCOMMIT_VERSION_HPC 3
#define ZKR_DSCOMMIT_SALT_BYTES 32
#define ZKR_DSCOMMIT_MAGIC "ZKRDSCOM"
#define ZKR_DSCOMMIT_FILE_BYTES 85
#define ZKR_DSCOMMIT_SECRETS_MAGIC "ZKRDSSEC"
#define ZKR_DSCOMMIT_SECRETS_LABEL "zkreg/dataset-secrets/v2"
#define ZKR_DSCOMMIT_DIGEST_TAG "zkreg/dataset-commitment/v2"
#define ZKR_DSCOMMIT_LEAF_TAG "zkreg/dataset-record/v2"

/* The public half: what `zkreg dataset commit` writes and the registry holds. */
typedef struct {
    uint32_t version;                /* ZKR_DSCOMMIT_VERSION or ZKR_DSCOMMIT_VERSION_HPC */
    zkr_dataset_format format;       /* of the records (public) */
    uint64_t count;                  /* 1..ZKR_DATASET_MAX_RECORDS */
    uint8_t root[ZKR_DIGEST_BYTES];  /* RFC 6962 root over the hiding leaves */
    uint8_t digest[ZKR_DIGEST_BYTES];/* the dataset's registered sha256 */
} zkr_dscommit;

/* The secret half: one salt per record, bound to the dataset digest. */
typedef struct {
    uint8_t digest[ZKR_DIGEST_BYTES]; /* of the dataset these salts commit */
    uint64_t count;
    uint8_t (*salts)[ZKR_DSCOMMIT_SALT_BYTES]; /* malloc'ed; wiped by _free */
} zkr_dscommit_secrets;

/* One record opened: what a verifier (or a hiding prover, as witness) takes. */
typedef struct {
    uint64_t index;
    const uint8_t *record;           /* points into the dataset; not copied */
    size_t record_len;
    uint8_t salt[ZKR_DSCOMMIT_SALT_BYTES]; /* secret until the opening is published */
    uint8_t leaf[ZKR_DIGEST_BYTES];
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    size_t path_len;
} zkr_dscommit_opening;

/* The hiding leaf hash above. Never fails. Secret: record and salt. */
void zkr_dscommit_leaf(const uint8_t *record, size_t len,
                       const uint8_t salt[ZKR_DSCOMMIT_SALT_BYTES], uint8_t out[ZKR_DIGEST_BYTES]);

/*
 * The dataset digest of c (c->version, format, count, root):
 * SHA-256("zkreg/dataset-commitment/v2" || 0x00 || the file's first 53 bytes).
 * Returns ZKR_ERR_USAGE for a version or format it does not know.
 */
zkr_err zkr_dscommit_digest(const zkr_dscommit *c, uint8_t out[ZKR_DIGEST_BYTES]) ZKR_WUR;

/*
 * Commits dataset ds: draws a fresh salt per record (randombytes_buf; in
 * test builds $ZKREG_TEST_DATASET_SALTS fixes them, see dscommit.c), and
 * fills c and s (free s with zkr_dscommit_secrets_free, also on failure).
 * Returns ZKR_OK, ZKR_ERR_TOO_LARGE (count), ZKR_ERR_NOMEM. Secret: s.
 */
zkr_err zkr_dscommit_build(const zkr_dataset *ds, zkr_dscommit *c, zkr_dscommit_secrets *s,
                           zkr_diag *d) ZKR_WUR;

/* Writes the 85-byte commitment file of c. Returns ZKR_ERR_USAGE on a bad c. */
zkr_err zkr_dscommit_encode(const zkr_dscommit *c, uint8_t out[ZKR_DSCOMMIT_FILE_BYTES]) ZKR_WUR;

/*
 * Parses a commitment file strictly: exact length, magic, version 2 or 3, a
 * known format, 1 <= count <= 2^26, and the digest field equal to the
 * recomputed digest (so truncation, trailing bytes and tampering are all
 * refused). `what` names the file in the diag.
 * Returns ZKR_OK, ZKR_ERR_MALFORMED, ZKR_ERR_UNSUPPORTED (another version),
 * ZKR_ERR_TOO_LARGE (count).
 */
zkr_err zkr_dscommit_decode(const uint8_t *p, size_t len, const char *what, zkr_dscommit *c,
                            zkr_diag *d) ZKR_WUR;

/*
 * Seals s under `pass` into a secrets file (appended to out): a random
 * 32-byte data key sealed with zkr_seal (label ZKR_DSCOMMIT_SECRETS_LABEL;
 * `fast` as for zkr_seal), and the salts encrypted under that key with
 * XChaCha20-Poly1305, the header (digest and count included) as associated
 * data. Returns ZKR_OK, ZKR_ERR_USAGE, ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM.
 * Secret: s, pass; the data key is wiped.
 */
zkr_err zkr_dscommit_secrets_seal(const zkr_dscommit_secrets *s, const uint8_t *pass,
                                  size_t pass_len, int fast, zkr_buf *out) ZKR_WUR;

/*
 * Opens a secrets file into s (free with zkr_dscommit_secrets_free, also
 * on failure). Returns ZKR_OK, ZKR_ERR_MALFORMED (bad magic or version,
 * truncated, trailing bytes, lengths that disagree with the count),
 * ZKR_ERR_PASSPHRASE (wrong passphrase, or the file was altered),
 * ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM. `what` names the file in the diag.
 */
zkr_err zkr_dscommit_secrets_open(const uint8_t *file, size_t len, const uint8_t *pass,
                                  size_t pass_len, const char *what, zkr_dscommit_secrets *s,
                                  zkr_diag *d) ZKR_WUR;

/* Wipes (sodium_memzero) and frees the salts; leaves s zeroed. Accepts NULL. */
void zkr_dscommit_secrets_free(zkr_dscommit_secrets *s);

/*
 * Opens record `index` of ds under secrets s: recomputes every leaf and
 * the root, checks that (format, count, root) give s->digest (else
 * ZKR_ERR_MISMATCH_DATASET: the data or the secrets belong to another
 * dataset), and fills c (the commitment) and o (record, salt, leaf, path).
 * o->record points into ds, so ds must outlive o. Wipe o with
 * sodium_memzero when done (it holds the salt).
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND (index past the end),
 * ZKR_ERR_MISMATCH_DATASET, ZKR_ERR_NOMEM.
 * This is the witness API of the hiding proof kinds: record + salt + path.
 */
zkr_err zkr_dscommit_open_record(const zkr_dataset *ds, const zkr_dscommit_secrets *s,
                                 uint64_t index, zkr_dscommit *c, zkr_dscommit_opening *o,
                                 zkr_diag *d) ZKR_WUR;

/*
 * Checks an opening against a trusted root and count: the hiding leaf of
 * (record, salt) at `index` is in the tree. Returns ZKR_OK, ZKR_ERR_VERIFY
 * (not in the tree: wrong record, salt, index or path), ZKR_ERR_MALFORMED
 * (index >= count or a path of the wrong length).
 */
zkr_err zkr_dscommit_verify_record(const uint8_t root[ZKR_DIGEST_BYTES], uint64_t count,
                                   uint64_t index, const uint8_t *record, size_t record_len,
                                   const uint8_t salt[ZKR_DSCOMMIT_SALT_BYTES],
                                   const uint8_t (*path)[ZKR_DIGEST_BYTES],
                                   size_t path_len) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Progress on a terminal (long commands: steps, records, phases)      */
/* ------------------------------------------------------------------ */
/*
 * A progress line for a person watching a terminal: redrawn in place
 * ("\r" and erase-line), at most about ten times a second, and erased by
 * zkr_progress_end. The state lives in the caller's struct (no global
 * state); one struct per command, used from one thread.
 *
 * zkr_progress_init enables the line only when `enabled` is non-zero and
 * `fd` is a terminal: with --json, or with stderr a file or pipe, nothing
 * is ever written. `prefix` (e.g. "zkreg train") is copied (truncated to
 * 47 bytes). Messages carry no secrets: the callers print counts and phase
 * names only. Write errors are ignored (progress is advisory).
 */
typedef struct {
    int fd;          /* -1: disabled */
    int drawn;       /* a line is on the screen */
    char prefix[48];
    char phase[64];
    uint64_t total;  /* 0: no count shown */
    uint64_t done;
    int64_t last_ms; /* monotonic time of the last redraw */
} zkr_progress;

void zkr_progress_init(zkr_progress *p, int fd, int enabled, const char *prefix);
/* Whether the line is enabled (for callers that skip work only progress needs). */
int zkr_progress_on(const zkr_progress *p);
/* Starts a phase ("committing records"), with `total` units (0: none). Always drawn. */
void zkr_progress_phase(zkr_progress *p, const char *phase, uint64_t total);
/* Units done in the current phase; redrawn when due (rate-limited) or at the total. */
void zkr_progress_step(zkr_progress *p, uint64_t done);
/* Erases the line. The struct may be reused with zkr_progress_phase. Accepts a disabled one. */
void zkr_progress_end(zkr_progress *p);

/* ------------------------------------------------------------------ */
/* The reveal-budget ledger of hiding commitments (zkledger.c)         */
/* ------------------------------------------------------------------ */
/*
 * A hiding commitment is blinded for a fixed budget of openings and of
 * revealed values; past it, proofs leak what it hides. The prover object
 * counts only its own openings, so the count that holds across prover
 * objects and processes lives here: a ledger file named by the caller (the
 * product keeps one per registry, "<registry>.d/reveal-budget.ledger").
 * Format: docs/formats.md, "Reveal-budget ledger". One entry per
 * commitment, keyed by zkr_zkledger_id of its public bytes, never by the
 * path of the secrets that open it: a renamed, copied or hard-linked
 * secrets file finds the same entry, and recommitting the same data with
 * the same seed (same bytes) does too.
 *
 * A reservation is taken BEFORE the proof it pays for is released: a crash
 * after it loses budget, never overspends it. The update runs under an
 * exclusive flock on `<ledger>.lock` (a separate, never renamed file, so
 * every waiter locks the same inode), and the new ledger is written to a
 * temporary file, fsynced and renamed into place. A damaged ledger
 * (truncated, trailing bytes, flipped byte, entries out of order) is
 * refused, never rebuilt: fail closed. A missing ledger is an empty one
 * only while its lock is unmarked (first use); a deleted one is refused.
 * Deleting the ledger with its lock, or a copy of the secrets on another
 * machine (or under another registry), starts a second count: the ledger
 * cannot see copies it does not hold.
 */
#define ZKR_ZKLEDGER_MAGIC "ZKRLEDG1"
#define ZKR_ZKLEDGER_VERSION 1u
#define ZKR_ZKLEDGER_ENTRY_BYTES 56u        /* id[32] budget used cap reveals */
#define ZKR_ZKLEDGER_MAX_ENTRIES 1048576u   /* 56 MiB: far past any real use */
#define ZKR_ZKLEDGER_MAX_REQS 64u /* a training-step@2 batch: one per record */

/* One commitment's share of one proof. */
typedef struct {
    const char *ledger;       /* the ledger file (created on first use; its directory must exist) */
    const char *legacy;       /* NULL, or secrets whose <realpath>.ledger (where ledgers were
                                 kept before) is imported into the entry: read, never written */
    const char *what;         /* for messages: "model commitment", "record 3" */
    uint8_t id[ZKR_DIGEST_BYTES]; /* zkr_zkledger_id of the public commitment */
    uint32_t budget;          /* openings the commitment is blinded for (>= 1) */
    uint64_t reveal_cap;      /* revealed values it allows (>= 1) */
    uint32_t openings;        /* openings this proof takes */
    uint64_t reveals;         /* revealed values this proof takes */
} zkr_zkledger_req;

/* A commitment's counts as the ledger holds them. */
typedef struct {
    uint32_t budget, used;
    uint64_t reveal_cap, reveals;
} zkr_zkledger_entry;

/*
 * The ledger key of a commitment: SHA-256 tagged "zkr/zk-ledger/v1" over
 * le-length-prefixed `kind` (the commitment's format, e.g. "record@1",
 * "model@2") and its public bytes, which carry the root and the
 * parameters (sizes, blinding variables).
 */
void zkr_zkledger_id(const char *kind, const uint8_t *commitment, size_t len,
                     uint8_t id[ZKR_DIGEST_BYTES]);

/*
 * Reserves every request of reqs[0..n) (n <= ZKR_ZKLEDGER_MAX_REQS) or
 * none: the ledgers involved are locked (in a fixed order, each once even
 * when named twice), read, each request's legacy ledger imported (see
 * zkr_zkledger_req), checked, then all rewritten. A commitment's caps are
 * the smaller of those stored and those requested. Run it before the
 * proof is released.
 * Returns ZKR_OK; ZKR_ERR_EXPIRED (a budget or reveal cap would be
 * exceeded: nothing reserved; the diag names the commitment and its
 * counts); ZKR_ERR_MALFORMED (a damaged or deleted ledger, the legacy one
 * included: nothing reserved); ZKR_ERR_NOT_FOUND (a ledger's directory or
 * a legacy secrets file missing); ZKR_ERR_IO (lock, read or write failed;
 * when a later ledger's write fails the earlier ones stay reserved: budget
 * lost, never overspent); ZKR_ERR_USAGE; ZKR_ERR_NOMEM.
 */
zkr_err zkr_zkledger_reserve(const zkr_zkledger_req *reqs, size_t n, zkr_diag *d) ZKR_WUR;

/*
 * Reads the counts of commitment `id` in ledger_file (under the lock, for
 * a consistent view). *found = 0 and *e zeroed when it has no entry (or no
 * ledger exists). Returns ZKR_OK, ZKR_ERR_MALFORMED, ZKR_ERR_NOT_FOUND,
 * ZKR_ERR_IO, ZKR_ERR_NOMEM.
 */
zkr_err zkr_zkledger_get(const char *ledger_file, const uint8_t id[ZKR_DIGEST_BYTES],
                         zkr_zkledger_entry *e, int *found, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Heap policy                                                         */
/* ------------------------------------------------------------------ */

/*
 * Sets glibc's allocator to keep freed memory for reuse (an mmap threshold
 * of 32 MiB, a 64 MiB top pad, a 1 GiB trim threshold) instead of
 * returning large blocks to the kernel and faulting them in again. Call it
 * once, first thing in main(), before any thread starts. Best effort: a
 * setting the allocator refuses (a sanitizer's allocator ignores them)
 * leaves its default, which is only slower. Under RLIMIT_AS (a sandboxed
 * worker) the heap grows 64 MiB past each request, so the last 64 MiB
 * below the limit serve only blocks of 32 MiB and more.
 *
 * Keys are unaffected: they live in sodium_malloc'ed memory (its own
 * mappings). Freed witness memory (private weights, records) stays mapped
 * in this process until it exits, as glibc already keeps every block under
 * its threshold; zkreg turns core dumps off and makes itself undumpable.
 */
void zkr_heap_tune(void);

#endif /* ZKR_COMMON_H */
