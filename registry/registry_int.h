/* registry internals shared by the registry's .c files. */
#ifndef ZKR_REGISTRY_INT_H
#define ZKR_REGISTRY_INT_H

#include <sqlite3.h>

#include "registry/registry.h"
#include "zkr_config.h"

/* A prepared statement kept for the handle's life (zkr_registry_prepare_cached). */
#define ZKR_REGISTRY_STMT_CACHE 24
typedef struct {
    const char *sql; /* a string literal: compared by address, then by content */
    sqlite3_stmt *st;
    int busy;        /* handed out and not yet released */
} zkr_registry_cached;

struct zkr_registry {
    sqlite3 *db;
    zkr_registry_cached cache[ZKR_REGISTRY_STMT_CACHE];
    char *path;
    int outer; /* a caller's zkr_registry_write_begin/read_begin transaction is open */
    int read_only;       /* opened with zkr_registry_open_readonly */
    int immutable;       /* ... and fell back to immutable=1 (read-only medium) */
    unsigned pauses;     /* test pause points passed (zkr_registry_test_pause) */
};

#define ZKR_REGISTRY_APP_ID 0x7a6b7231 /* "zkr1" */
#define ZKR_REGISTRY_BUSY_MS 15000
#define ZKR_LOG_LEAF_TAG "zkreg/log/v1"
#define ZKR_LOG_PAYLOAD_MAX ((size_t)2 << 20)
#define ZKR_SEAL_LABEL "zkreg/appliance-key"

/* Hex for messages; an impossible failure leaves an empty string. */
static inline void zkr_registry_hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
    if (zkr_hex_encode(p, n, out, cap) != ZKR_OK && cap > 0)
        out[0] = '\0';
}

/* db.c */
#if ZKR_TEST_BUILD
/*
 * Test builds only: when $ZKR_TEST_PAUSE_FIFO names a fifo and
 * $ZKR_TEST_PAUSE_AT equals `point` (default "write": just before BEGIN
 * IMMEDIATE), the (1 + $ZKR_TEST_PAUSE_SKIP)-th such point of this handle
 * writes "paused\n" into the fifo, then waits until a writer opens and
 * closes it. Tests land a competing command (revoke, import) exactly there.
 * Points: "write", "export" (inside an export's read snapshot, after its
 * first selection query).
 */
void zkr_registry_test_pause(zkr_registry *reg, const char *point);
#endif
zkr_err zkr_registry_sql_err(zkr_registry *reg, int rc, const char *what, zkr_diag *d);
zkr_err zkr_registry_exec(zkr_registry *reg, const char *sql, zkr_diag *d) ZKR_WUR;
zkr_err zkr_registry_prepare(zkr_registry *reg, const char *sql, sqlite3_stmt **st,
                             zkr_diag *d) ZKR_WUR;
/* BEGIN IMMEDIATE (writers serialise here, waiting on the busy timeout). Inside a caller's
 * transaction (zkr_registry_write_begin) begin, commit and rollback do nothing: the caller's
 * commit or rollback decides for every write made under it. */
zkr_err zkr_registry_begin(zkr_registry *reg, zkr_diag *d) ZKR_WUR;
/*
 * Hot statements (every registration runs them; compiling SQL cost more
 * than executing it, so register-batch reuses them): like
 * zkr_registry_prepare, but the statement stays compiled in the handle
 * until zkr_registry_close. Give it back with zkr_registry_release (never
 * sqlite3_finalize), which resets it and clears its bindings. A statement
 * still handed out (a nested use of the same SQL) or a full cache gets a
 * fresh one, which zkr_registry_release finalizes. `sql` must outlive the
 * handle (a string literal).
 */
zkr_err zkr_registry_prepare_cached(zkr_registry *reg, const char *sql, sqlite3_stmt **st,
                                    zkr_diag *d) ZKR_WUR;
/* Returns a statement of zkr_registry_prepare_cached (or finalizes any other). Accepts NULL. */
void zkr_registry_release(zkr_registry *reg, sqlite3_stmt *st);
/*
 * BEGIN plus a first read: one snapshot for every later read until
 * rollback/commit (exports, audits), without taking the write lock.
 */
zkr_err zkr_registry_begin_read(zkr_registry *reg, zkr_diag *d) ZKR_WUR;
zkr_err zkr_registry_commit(zkr_registry *reg, zkr_diag *d) ZKR_WUR;
void zkr_registry_rollback(zkr_registry *reg);
int64_t zkr_registry_now(void);
zkr_err zkr_registry_meta_get(zkr_registry *reg, const char *key, zkr_buf *out,
                              zkr_diag *d) ZKR_WUR;
/* Binds a blob, checking its length fits SQLite's int. */
zkr_err zkr_registry_bind_blob(sqlite3_stmt *st, int i, const void *p, size_t len) ZKR_WUR;
/*
 * Makes room for item `len` in the malloc'ed array *items of *cap items of
 * `size` bytes, doubling it (first 16). ZKR_OK or ZKR_ERR_NOMEM (*items
 * untouched).
 */
zkr_err zkr_registry_grow(void **items, size_t *cap, size_t len, size_t size) ZKR_WUR;
/* Fills one list item from the current row of st. */
typedef zkr_err (*zkr_registry_row_fn)(zkr_registry *reg, sqlite3_stmt *st, void *item);
/*
 * Steps st to its end, one item of `size` bytes per row filled by `fill`,
 * into a malloc'ed array: on ZKR_OK *items (NULL when no row; the caller
 * frees it) and *n; on failure nothing is kept. A step error is named
 * with `what` (zkr_registry_sql_err, no diag). Does not finalize st.
 */
zkr_err zkr_registry_rows(zkr_registry *reg, sqlite3_stmt *st, size_t size,
                          zkr_registry_row_fn fill, const char *what, void **items,
                          size_t *n) ZKR_WUR;
/* Copies a 32-byte blob column; ZKR_ERR_REGISTRY if it is not 32 bytes. */
zkr_err zkr_registry_col_digest(sqlite3_stmt *st, int i, uint8_t out[ZKR_DIGEST_BYTES]) ZKR_WUR;
/* Parses a REF as a row id (decimal) or a 32-byte hex digest. */
typedef struct {
    int is_id;
    int64_t id;
    uint8_t digest[ZKR_DIGEST_BYTES];
} zkr_ref;
zkr_err zkr_registry_parse_ref(const char *what, const char *ref, zkr_ref *out,
                               zkr_diag *d) ZKR_WUR;
/* Identifiers: [a-z0-9._-] (and '@' when allow_at), 1..ZKR_IDENT_MAX bytes. */
int zkr_registry_ident_ok(const char *s, int allow_at);

/* log.c: appends a leaf inside the caller's transaction. */
/* Whether `type` may be used for an event of another module (not reserved, an identifier). */
int zkr_registry_event_type_ok(const char *type);
zkr_err zkr_registry_log_append_tx(zkr_registry *reg, const char *type, int64_t time,
                                   const uint8_t *payload, size_t len, uint64_t *index,
                                   zkr_diag *d) ZKR_WUR;
zkr_err zkr_log_leaf_encode(const char *type, int64_t time, const uint8_t *payload, size_t len,
                            zkr_buf *out) ZKR_WUR;

/* artifact.c */
zkr_err zkr_artifact_encode(const zkr_artifact *a, zkr_buf *out) ZKR_WUR;
zkr_err zkr_artifact_decode(const uint8_t *p, size_t len, zkr_artifact *out,
                            zkr_diag *d) ZKR_WUR;
zkr_err zkr_registry_artifact_by_id(zkr_registry *reg, int64_t id, zkr_artifact *out,
                                    zkr_diag *d) ZKR_WUR;
/* Finds an artifact by kind and digest (model: and program digest). ZKR_ERR_NOT_FOUND. */
zkr_err zkr_registry_artifact_find(zkr_registry *reg, zkr_kind kind,
                                   const uint8_t sha256[ZKR_DIGEST_BYTES],
                                   const uint8_t *program_sha256, zkr_artifact *out) ZKR_WUR;
/* Inserts a decoded artifact with its leaf (import, and every *_add). */
zkr_err zkr_registry_artifact_insert_tx(zkr_registry *reg, zkr_artifact *a,
                                        const uint8_t (*leaves)[ZKR_DIGEST_BYTES],
                                        const char *source, zkr_diag *d) ZKR_WUR;

/*
 * Registers a committed model of program `prog` inside the caller's
 * transaction (a round's children and result), or returns the existing row
 * with existed set.
 */
zkr_err zkr_registry_model_insert_tx(zkr_registry *reg, const char *name, const zkr_artifact *prog,
                                     const uint8_t *p, size_t len,
                                     const uint8_t commitment[ZKR_DIGEST_BYTES],
                                     zkr_artifact *out, zkr_diag *d) ZKR_WUR;

/* schema.c */
zkr_err zkr_registry_schema_insert_tx(zkr_registry *reg, zkr_schema *s, zkr_diag *d) ZKR_WUR;
zkr_err zkr_registry_schema_find_digest(zkr_registry *reg,
                                        const uint8_t digest[ZKR_DIGEST_BYTES],
                                        zkr_schema *out) ZKR_WUR;
zkr_err zkr_schema_to_json(const zkr_schema *s, zkr_buf *out) ZKR_WUR;

/* statement.c */
zkr_err zkr_statement_encode(const zkr_statement *s, zkr_buf *out) ZKR_WUR;
/*
 * Decodes a statement event payload (canonical || public output), resolving
 * its references in the registry. ZKR_ERR_NOT_FOUND for a dangling one.
 */
zkr_err zkr_registry_statement_from_event(zkr_registry *reg, const uint8_t *p, size_t len,
                                          zkr_statement *out, zkr_diag *d) ZKR_WUR;
/* ZKR_ERR_REVOKED when the statement or its schema, program, model or dataset is revoked. */
zkr_err zkr_registry_statement_check_revoked(zkr_registry *reg, const zkr_statement *s,
                                             zkr_diag *d) ZKR_WUR;
zkr_err zkr_registry_statement_insert_tx(zkr_registry *reg, zkr_statement *s,
                                         zkr_diag *d) ZKR_WUR;
zkr_err zkr_statement_event_payload(const zkr_statement *s, zkr_buf *out) ZKR_WUR;
/* Decodes a canonical statement encoding without resolving it (fuzzing, tools). */
zkr_err zkr_statement_decode_canonical(const uint8_t *p, size_t len,
                                       zkr_statement *out) ZKR_WUR;

/* revocation.c (below artifact.c, statement.c, event.c and revoke.c) */
zkr_err zkr_revocation_encode(const zkr_revocation *rv, zkr_buf *out) ZKR_WUR;
zkr_err zkr_revocation_decode(const uint8_t *p, size_t len, zkr_revocation *out,
                              zkr_diag *d) ZKR_WUR;
/* A revocation reason: non-empty, at most ZKR_REASON_MAX bytes of UTF-8 text. */
zkr_err zkr_revocation_reason_check(const char *reason, zkr_diag *d) ZKR_WUR;
/* The revocation row of (kind, target), unchecked. ZKR_ERR_NOT_FOUND when none. */
zkr_err zkr_registry_revocation_row(zkr_registry *reg, zkr_kind kind,
                                    const uint8_t target[ZKR_DIGEST_BYTES], zkr_revocation *out,
                                    zkr_diag *d) ZKR_WUR;
/*
 * The revocation of (kind, target) as the log records it (its first
 * revocation leaf, re-hashed), cross-checked with its row: ZKR_OK (found),
 * ZKR_ERR_NOT_FOUND (neither leaf nor row), ZKR_ERR_REGISTRY naming the row
 * and the leaf when they disagree (a deleted or edited row).
 */
zkr_err zkr_registry_revocation_from_log(zkr_registry *reg, zkr_kind kind,
                                         const uint8_t target[ZKR_DIGEST_BYTES],
                                         zkr_revocation *out, zkr_diag *d) ZKR_WUR;
/*
 * Log entry `index` with leaf hash leaf_hash is in the tree the latest
 * signed checkpoint commits to (or past it, or no checkpoint yet); `row`
 * names the row in the error. ZKR_OK or ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_leaf_anchored(zkr_registry *reg, const char *row, uint64_t index,
                                   const uint8_t leaf_hash[ZKR_DIGEST_BYTES],
                                   zkr_diag *d) ZKR_WUR;

/* revoke.c */
zkr_err zkr_registry_revocation_insert_tx(zkr_registry *reg, zkr_revocation *rv,
                                          zkr_diag *d) ZKR_WUR;
/* The "proof" leaf payload: bytes statement_id | bytes proof digest | str verifier version. */
zkr_err zkr_proof_event_encode(const uint8_t sid[ZKR_DIGEST_BYTES],
                               const uint8_t pd[ZKR_DIGEST_BYTES], const char *vv,
                               zkr_buf *out) ZKR_WUR;
zkr_err zkr_proof_event_decode(const uint8_t *p, size_t len, uint8_t sid[ZKR_DIGEST_BYTES],
                               uint8_t pd[ZKR_DIGEST_BYTES], char vv[ZKR_IDENT_MAX + 1],
                               zkr_diag *d) ZKR_WUR;
zkr_err zkr_registry_proof_insert_tx(zkr_registry *reg, const uint8_t sid[ZKR_DIGEST_BYTES],
                                     const uint8_t pd[ZKR_DIGEST_BYTES], const char *vv,
                                     int64_t time, uint64_t *log_index, int *existed,
                                     zkr_diag *d) ZKR_WUR;

/* logcheck.c */
/*
 * Checks that log entry `index` re-hashes to its stored leaf hash and is
 * the `type` leaf of time `created` carrying exactly `payload`; `row` names
 * the row in the error. ZKR_OK or ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_leaf_backs(zkr_registry *reg, const char *row, uint64_t index,
                                const char *type, int64_t created, const zkr_buf *payload,
                                zkr_diag *d) ZKR_WUR;

/* signer_key.c */
zkr_err zkr_signer_key_event(const zkr_signer_key *k, zkr_buf *out) ZKR_WUR;
/* Decodes a signer-key payload; the key id must be its key's. ZKR_ERR_MALFORMED. */
zkr_err zkr_signer_key_event_decode(const uint8_t *p, size_t len, zkr_signer_key *out,
                                    zkr_diag *d) ZKR_WUR;
/* Migration to schema 2: fills signer_key from the log (inside the migration's transaction). */
zkr_err zkr_registry_signer_keys_backfill_tx(zkr_registry *reg, zkr_diag *d) ZKR_WUR;
/* log verify: rows against leaves, and no registration after a revocation of its signer. */
zkr_err zkr_registry_signer_keys_audit(zkr_registry *reg, zkr_diag *d) ZKR_WUR;

/* checkpoint.c */
/* The note body: origin, size, root and (when cp->has_revocations) the revocation line. */
zkr_err zkr_checkpoint_body(const zkr_checkpoint *cp, zkr_buf *out) ZKR_WUR;

#endif
