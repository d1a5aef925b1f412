/*
 * Opening, creating and migrating the registry file, and the small SQLite
 * helpers the rest of the module shares.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "registry_int.h"
#include "zkr_config.h"

/* Append-only: every table refuses UPDATE and DELETE in SQL itself. */
#define APPEND_ONLY(t)                                                                          \
    "CREATE TRIGGER " t "_no_update BEFORE UPDATE ON " t                                        \
    " BEGIN SELECT RAISE(ABORT, 'zkreg: table " t " is append-only'); END;"                    \
    "CREATE TRIGGER " t "_no_delete BEFORE DELETE ON " t                                        \
    " BEGIN SELECT RAISE(ABORT, 'zkreg: table " t " is append-only'); END;"

/* migrations[v] takes a registry from user_version v to v + 1. */
static const char *const migrations[] = {
    /* 0 -> 1: the initial layout (docs/formats.md, "Registry tables"). */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE log("
    " idx INTEGER PRIMARY KEY CHECK(idx >= 0),"
    " type TEXT NOT NULL, time INTEGER NOT NULL,"
    " leaf BLOB NOT NULL,"
    " leaf_hash BLOB NOT NULL CHECK(length(leaf_hash) = 32));"
    "CREATE TRIGGER log_contiguous BEFORE INSERT ON log"
    " WHEN NEW.idx IS NOT (SELECT coalesce(max(idx) + 1, 0) FROM log)"
    " BEGIN SELECT RAISE(ABORT, 'zkreg: log indices must be contiguous'); END;"
    "CREATE TABLE log_node("
    " level INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " hash BLOB NOT NULL CHECK(length(hash) = 32),"
    " PRIMARY KEY(level, idx)) WITHOUT ROWID;"
    "CREATE TABLE checkpoint("
    " id INTEGER PRIMARY KEY, size INTEGER NOT NULL,"
    " root BLOB NOT NULL CHECK(length(root) = 32),"
    " note BLOB NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE artifact("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK(kind IN ('program', 'model', 'dataset')),"
    " name TEXT NOT NULL, version INTEGER NOT NULL CHECK(version >= 1),"
    " sha256 BLOB NOT NULL CHECK(length(sha256) = 32),"
    " size INTEGER NOT NULL, created INTEGER NOT NULL,"
    " program_id INTEGER REFERENCES artifact(id),"
    " commitment BLOB CHECK(commitment IS NULL OR length(commitment) = 32),"
    " record_count INTEGER, records_root BLOB, dataset_format TEXT, source TEXT,"
    " log_index INTEGER NOT NULL UNIQUE REFERENCES log(idx),"
    " UNIQUE(kind, name, version),"
    " CHECK((kind = 'model') = (program_id IS NOT NULL)),"
    " CHECK((kind = 'dataset') = (record_count IS NOT NULL AND length(records_root) = 32)));"
    "CREATE UNIQUE INDEX artifact_content ON artifact(kind, sha256, coalesce(program_id, 0));"
    "CREATE TABLE dataset_leaves("
    " artifact_id INTEGER PRIMARY KEY REFERENCES artifact(id), hashes BLOB NOT NULL);"
    "CREATE TABLE schema("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,"
    " digest BLOB NOT NULL UNIQUE CHECK(length(digest) = 32),"
    " canonical BLOB NOT NULL, document TEXT NOT NULL, created INTEGER NOT NULL,"
    " log_index INTEGER NOT NULL UNIQUE REFERENCES log(idx),"
    " UNIQUE(name, version));"
    "CREATE TABLE statement("
    " id INTEGER PRIMARY KEY,"
    " statement_id BLOB NOT NULL UNIQUE CHECK(length(statement_id) = 32),"
    " schema_id INTEGER NOT NULL REFERENCES schema(id),"
    " program_id INTEGER NOT NULL REFERENCES artifact(id),"
    " model_id INTEGER NOT NULL REFERENCES artifact(id),"
    " dataset_id INTEGER NOT NULL REFERENCES artifact(id),"
    " public_output BLOB, canonical BLOB NOT NULL, created INTEGER NOT NULL,"
    " log_index INTEGER NOT NULL UNIQUE REFERENCES log(idx));"
    "CREATE TABLE revocation("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK(kind IN"
    "  ('program', 'model', 'dataset', 'schema', 'statement', 'key')),"
    " target BLOB NOT NULL CHECK(length(target) = 32),"
    " reason TEXT NOT NULL, created INTEGER NOT NULL,"
    " log_index INTEGER NOT NULL UNIQUE REFERENCES log(idx));"
    "CREATE INDEX revocation_target ON revocation(kind, target);"
    "CREATE TABLE proof("
    " id INTEGER PRIMARY KEY,"
    " statement_id BLOB NOT NULL REFERENCES statement(statement_id),"
    " proof_digest BLOB NOT NULL CHECK(length(proof_digest) = 32),"
    " verifier_version TEXT NOT NULL, created INTEGER NOT NULL,"
    " log_index INTEGER NOT NULL UNIQUE REFERENCES log(idx),"
    " UNIQUE(statement_id, proof_digest));"
    APPEND_ONLY("meta") APPEND_ONLY("log") APPEND_ONLY("log_node") APPEND_ONLY("checkpoint")
    APPEND_ONLY("artifact") APPEND_ONLY("dataset_leaves") APPEND_ONLY("schema")
    APPEND_ONLY("statement") APPEND_ONLY("revocation") APPEND_ONLY("proof"),
    /* 1 -> 2: revocations may name a verifier version (kind 'verifier'). SQLite cannot change a
     * CHECK in place: the table is rebuilt with the same rows (DROP removes its triggers before
     * its rows, so the append-only triggers do not fire) and its index and triggers return. */
    "CREATE TABLE revocation_v2("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK(kind IN"
    "  ('program', 'model', 'dataset', 'schema', 'statement', 'key', 'verifier')),"
    " target BLOB NOT NULL CHECK(length(target) = 32),"
    " reason TEXT NOT NULL, created INTEGER NOT NULL,"
    " log_index INTEGER NOT NULL UNIQUE REFERENCES log(idx));"
    "INSERT INTO revocation_v2(id, kind, target, reason, created, log_index)"
    " SELECT id, kind, target, reason, created, log_index FROM revocation ORDER BY id;"
    "DROP TABLE revocation;"
    "ALTER TABLE revocation_v2 RENAME TO revocation;"
    "CREATE INDEX revocation_target ON revocation(kind, target);"
    /* Revocation state is read from the log's revocation leaves (registry/logcheck.c). */
    "CREATE INDEX log_type ON log(type);"
    APPEND_ONLY("revocation"),
    /*
     * 2 -> 3: signer keys in a table, one row per signer identity (a
     * secp256k1 key and its eth address are one). Rows are filled from the
     * log by signer_keys_backfill; leaves before `signer_key_rows_since`
     * may repeat an identity (registered before the table existed).
     */
    "CREATE TABLE signer_key("
    " id INTEGER PRIMARY KEY,"
    " keyid BLOB NOT NULL UNIQUE CHECK(length(keyid) = 32),"
    " identity BLOB NOT NULL UNIQUE CHECK(length(identity) = 32),"
    " type TEXT NOT NULL, public BLOB NOT NULL, created INTEGER NOT NULL,"
    " log_index INTEGER NOT NULL UNIQUE REFERENCES log(idx));"
    "INSERT INTO meta(key, value) VALUES('signer_key_rows_since',"
    " CAST((SELECT count(*) FROM log) AS TEXT));"
    APPEND_ONLY("signer_key"),
    /*
     * 3 -> 4: lookups that import and the round commands make per event.
     * log_leaf_hash: "is this leaf already logged" (import was quadratic
     * without it). log_event_key: a training event by its type and payload
     * bytes 4..35 (a round's digest in its outcomes and close, a round-open's
     * nonce); the expression must stay identical to KEY_SQL in training.c.
     * artifact_sha256: an artifact by its digest alone (a training event's
     * parent, child or dataset).
     */
    "CREATE INDEX log_leaf_hash ON log(leaf_hash);"
    "CREATE INDEX artifact_sha256 ON artifact(sha256);"
    "CREATE INDEX log_event_key ON log(type, substr(leaf, 37 + length(type), 32));",
};

/* C steps run after migrations[v] in the same transaction (NULL: none). */
static zkr_err (*const migration_steps[])(zkr_registry *, zkr_diag *) = {
    NULL,
    NULL,
    zkr_registry_signer_keys_backfill_tx,
    NULL,
};
_Static_assert(sizeof migrations / sizeof migrations[0] == ZKR_REGISTRY_SCHEMA_VERSION,
               "one migration per schema version");
_Static_assert(sizeof migration_steps / sizeof migration_steps[0] == ZKR_REGISTRY_SCHEMA_VERSION,
               "one migration step slot per schema version");

zkr_err zkr_registry_sql_err(zkr_registry *reg, int rc, const char *what, zkr_diag *d)
{
    const char *msg = reg && reg->db ? sqlite3_errmsg(reg->db) : sqlite3_errstr(rc);
    const char *path = reg && reg->path ? reg->path : "registry";
    int sys = reg && reg->db ? sqlite3_system_errno(reg->db) : 0;
    char fs[4200];

    if (rc == SQLITE_NOMEM)
        return ZKR_ERR_NOMEM;
    if ((rc & 0xff) == SQLITE_CONSTRAINT && strstr(msg, "append-only") != NULL)
        return zkr_fail(d, ZKR_ERR_REGISTRY, "%s: %s refused: %s", path, what, msg);
    /* A full or read-only medium is named, so the operator knows what to free or remount. */
    if ((rc & 0xff) == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT) {
        zkr_fs_describe(path, fs, sizeof fs);
        return zkr_fail(d, ZKR_ERR_IO, "%s: %s: %s: %s is full; nothing was written", path,
                        what, msg, fs);
    }
    if ((rc & 0xff) == SQLITE_READONLY || sys == EROFS) {
        zkr_fs_describe(path, fs, sizeof fs);
        return zkr_fail(d, ZKR_ERR_IO, "%s: %s: %s (%s; read-only commands still work)", path,
                        what, msg, fs);
    }
    return zkr_fail(d, ZKR_ERR_REGISTRY, "%s: %s: %s", path, what, msg);
}

zkr_err zkr_registry_exec(zkr_registry *reg, const char *sql, zkr_diag *d)
{
    int rc = sqlite3_exec(reg->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? ZKR_OK : zkr_registry_sql_err(reg, rc, "SQL", d);
}

zkr_err zkr_registry_prepare(zkr_registry *reg, const char *sql, sqlite3_stmt **st, zkr_diag *d)
{
    int rc = sqlite3_prepare_v2(reg->db, sql, -1, st, NULL);

    return rc == SQLITE_OK ? ZKR_OK : zkr_registry_sql_err(reg, rc, "prepare", d);
}

zkr_err zkr_registry_prepare_cached(zkr_registry *reg, const char *sql, sqlite3_stmt **st,
                                    zkr_diag *d)
{
    zkr_registry_cached *free_slot = NULL;
    zkr_err r;

    *st = NULL;
    for (size_t i = 0; i < ZKR_REGISTRY_STMT_CACHE; i++) {
        zkr_registry_cached *c = &reg->cache[i];
        if (c->sql == NULL) {
            if (free_slot == NULL)
                free_slot = c;
            continue;
        }
        if (c->sql != sql && strcmp(c->sql, sql) != 0)
            continue;
        if (c->busy)
            return zkr_registry_prepare(reg, sql, st, d); /* nested: a private one */
        c->busy = 1;
        *st = c->st;
        return ZKR_OK;
    }
    if ((r = zkr_registry_prepare(reg, sql, st, d)) != ZKR_OK || free_slot == NULL)
        return r;
    free_slot->sql = sql;
    free_slot->st = *st;
    free_slot->busy = 1;
    return ZKR_OK;
}

void zkr_registry_release(zkr_registry *reg, sqlite3_stmt *st)
{
    if (st == NULL)
        return;
    for (size_t i = 0; i < ZKR_REGISTRY_STMT_CACHE; i++) {
        if (reg->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            reg->cache[i].busy = 0;
            return;
        }
    }
    sqlite3_finalize(st);
}

#if ZKR_TEST_BUILD
void zkr_registry_test_pause(zkr_registry *reg, const char *point)
{
    const char *fifo = getenv("ZKR_TEST_PAUSE_FIFO");
    const char *at = getenv("ZKR_TEST_PAUSE_AT");
    const char *skip = getenv("ZKR_TEST_PAUSE_SKIP");
    char buf[64];
    int fd;

    if (fifo == NULL || fifo[0] == '\0' || strcmp(at ? at : "write", point) != 0)
        return;
    if (reg->pauses++ != (skip ? (unsigned)strtoul(skip, NULL, 10) : 0u))
        return;
    if ((fd = open(fifo, O_WRONLY | O_CLOEXEC)) >= 0) {
        (void)!write(fd, "paused\n", 7);
        close(fd);
    }
    if ((fd = open(fifo, O_RDONLY | O_CLOEXEC)) >= 0) {
        while (read(fd, buf, sizeof buf) > 0)
            ;
        close(fd);
    }
}
#endif

zkr_err zkr_registry_begin(zkr_registry *reg, zkr_diag *d)
{
    if (reg->read_only)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "%s: opened read-only; cannot write", reg->path);
    if (reg->outer)
        return ZKR_OK;
#if ZKR_TEST_BUILD
    zkr_registry_test_pause(reg, "write");
#endif
    return zkr_registry_exec(reg, "BEGIN IMMEDIATE", d);
}

zkr_err zkr_registry_begin_read(zkr_registry *reg, zkr_diag *d)
{
    zkr_err r;

    if ((r = zkr_registry_exec(reg, "BEGIN", d)) != ZKR_OK)
        return r;
    /* A deferred transaction takes its snapshot at the first read: take it now. */
    if ((r = zkr_registry_exec(reg, "SELECT count(*) FROM meta", d)) != ZKR_OK)
        zkr_registry_rollback(reg);
    return r;
}

zkr_err zkr_registry_commit(zkr_registry *reg, zkr_diag *d)
{
    if (reg->outer)
        return ZKR_OK;
    return zkr_registry_exec(reg, "COMMIT", d);
}

void zkr_registry_rollback(zkr_registry *reg)
{
    if (!reg->outer && !sqlite3_get_autocommit(reg->db))
        (void)sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
}

static zkr_err outer_begin(zkr_registry *reg, const char *sql, zkr_diag *d)
{
    zkr_err r;

    if (reg == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "registry: no registry");
    if (reg->outer || !sqlite3_get_autocommit(reg->db))
        return zkr_fail(d, ZKR_ERR_INTERNAL, "%s: a transaction is already open", reg->path);
    if ((r = zkr_registry_exec(reg, sql, d)) == ZKR_OK)
        reg->outer = 1;
    return r;
}

zkr_err zkr_registry_write_begin(zkr_registry *reg, zkr_diag *d)
{
    return outer_begin(reg, "BEGIN IMMEDIATE", d);
}

zkr_err zkr_registry_read_begin(zkr_registry *reg, zkr_diag *d)
{
    zkr_err r;

    if ((r = outer_begin(reg, "BEGIN", d)) != ZKR_OK)
        return r;
    /* A deferred transaction takes its snapshot at the first read: take it now. */
    if ((r = zkr_registry_exec(reg, "SELECT count(*) FROM log", d)) != ZKR_OK)
        zkr_registry_end(reg);
    return r;
}

zkr_err zkr_registry_write_commit(zkr_registry *reg, zkr_diag *d)
{
    zkr_err r;

    if (reg == NULL || !reg->outer)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "registry: no transaction to commit");
    reg->outer = 0;
    if ((r = zkr_registry_exec(reg, "COMMIT", d)) != ZKR_OK)
        zkr_registry_rollback(reg);
    return r;
}

void zkr_registry_end(zkr_registry *reg)
{
    if (reg == NULL || !reg->outer)
        return;
    reg->outer = 0;
    zkr_registry_rollback(reg);
}

int64_t zkr_registry_now(void)
{
    return (int64_t)time(NULL);
}

zkr_err zkr_registry_bind_blob(sqlite3_stmt *st, int i, const void *p, size_t len)
{
    if (len > INT32_MAX)
        return ZKR_ERR_TOO_LARGE;
    if (p == NULL)
        return sqlite3_bind_null(st, i) == SQLITE_OK ? ZKR_OK : ZKR_ERR_REGISTRY;
    return sqlite3_bind_blob(st, i, len ? p : "", (int)len, SQLITE_TRANSIENT) == SQLITE_OK
               ? ZKR_OK
               : ZKR_ERR_REGISTRY;
}

zkr_err zkr_registry_col_digest(sqlite3_stmt *st, int i, uint8_t out[ZKR_DIGEST_BYTES])
{
    const void *p = sqlite3_column_blob(st, i);

    if (p == NULL || sqlite3_column_bytes(st, i) != ZKR_DIGEST_BYTES)
        return ZKR_ERR_REGISTRY;
    memcpy(out, p, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

zkr_err zkr_registry_meta_get(zkr_registry *reg, const char *key, zkr_buf *out, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg, "SELECT value FROM meta WHERE key = ?", &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        r = zkr_buf_append(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
    else if (rc == SQLITE_DONE)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: registry has no '%s' (not initialised?)",
                     reg->path, key);
    else
        r = zkr_registry_sql_err(reg, rc, "reading meta", d);
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_registry_parse_ref(const char *what, const char *ref, zkr_ref *out, zkr_diag *d)
{
    size_t n = ref ? strlen(ref) : 0;

    memset(out, 0, sizeof *out);
    if (n == 0)
        return zkr_fail(d, ZKR_ERR_USAGE, "%s: empty reference", what);
    if (n == 2 * ZKR_DIGEST_BYTES) {
        if (zkr_hex_decode_exact(ref, out->digest, ZKR_DIGEST_BYTES) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: '%s' is not a 64-digit hex digest", what,
                            ref);
        return ZKR_OK;
    }
    if (n <= 18 && strspn(ref, "0123456789") == n && ref[0] != '0') {
        out->is_id = 1;
        out->id = strtoll(ref, NULL, 10);
        return ZKR_OK;
    }
    if (strspn(ref, "0123456789abcdefABCDEF") == n && n > 18)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: digest '%s' has %zu hex digits, want 64", what, ref, n);
    return zkr_fail(d, ZKR_ERR_USAGE,
                    "%s: '%s' is neither a row id nor a 64-digit hex digest", what, ref);
}

int zkr_registry_ident_ok(const char *s, int allow_at)
{
    size_t n = strlen(s);

    if (n == 0 || n > ZKR_IDENT_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || (allow_at && c == '@')))
            return 0;
    }
    return 1;
}

const char *zkr_registry_path(const zkr_registry *reg)
{
    return reg->path;
}


/* Connection settings; none of them writes to the file. */
static zkr_err configure(zkr_registry *reg, zkr_diag *d)
{
    zkr_err r;

    sqlite3_busy_timeout(reg->db, ZKR_REGISTRY_BUSY_MS);
    sqlite3_extended_result_codes(reg->db, 1);
    if ((r = zkr_registry_exec(reg, "PRAGMA foreign_keys = ON", d)) != ZKR_OK ||
        (r = zkr_registry_exec(reg, "PRAGMA synchronous = FULL", d)) != ZKR_OK ||
        (r = zkr_registry_exec(reg, "PRAGMA trusted_schema = OFF", d)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

static zkr_err pragma_int(zkr_registry *reg, const char *sql, int64_t *v, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc;
    zkr_err r = ZKR_OK;

    *v = 0;
    rc = sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_NOTADB)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: not a SQLite database (not a zkreg registry)",
                     reg->path);
    else
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: cannot read the registry: %s", reg->path,
                     sqlite3_errmsg(reg->db));
    sqlite3_finalize(st);
    return r;
}

static zkr_err migrate(zkr_registry *reg, int64_t from, zkr_diag *d)
{
    char sql[64];
    zkr_err r;

    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        return r;
    /* Another process may have migrated while this one waited for the lock. */
    if ((r = pragma_int(reg, "PRAGMA user_version", &from, d)) != ZKR_OK)
        goto out;
    if (from >= ZKR_REGISTRY_SCHEMA_VERSION) {
        r = zkr_registry_commit(reg, d);
        goto out;
    }
    for (int64_t v = from; v < ZKR_REGISTRY_SCHEMA_VERSION; v++) {
        if ((r = zkr_registry_exec(reg, migrations[v], d)) != ZKR_OK ||
            (migration_steps[v] != NULL && (r = migration_steps[v](reg, d)) != ZKR_OK))
            goto out;
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", ZKR_REGISTRY_SCHEMA_VERSION);
    if ((r = zkr_registry_exec(reg, sql, d)) != ZKR_OK)
        goto out;
    r = zkr_registry_commit(reg, d);
out:
    if (r != ZKR_OK)
        zkr_registry_rollback(reg);
    return r;
}

static zkr_err reg_new(const char *path, zkr_registry **out)
{
    zkr_registry *reg = calloc(1, sizeof *reg);

    *out = NULL;
    if (reg == NULL || (reg->path = strdup(path)) == NULL) {
        free(reg);
        return ZKR_ERR_NOMEM;
    }
    *out = reg;
    return ZKR_OK;
}

/* Whether `<path>-wal` holds frames: committed changes not yet copied into the file. */
static int wal_has_frames(const char *path)
{
    char wal[4096 + 8];
    struct stat sb;

    if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal)
        return 1;
    return stat(wal, &sb) == 0 && sb.st_size > 0;
}

/* "file:" URI of a path with `query`; '%', '?' and '#' escaped. */
static zkr_err uri_of(const char *path, const char *query, zkr_buf *out)
{
    zkr_err r = zkr_buf_append_str(out, "file:");

    for (const char *c = path; *c != '\0' && r == ZKR_OK; c++)
        r = (*c == '%' || *c == '?' || *c == '#') ? zkr_buf_printf(out, "%%%02X", (unsigned char)*c)
                                                  : zkr_buf_append(out, (const uint8_t *)c, 1);
    if (r == ZKR_OK)
        r = zkr_buf_printf(out, "?%s", query);
    if (r == ZKR_OK)
        r = zkr_buf_terminate(out);
    return r;
}

/* Whether an SQLite failure to read says the medium cannot host -shm/-wal (read-only, full). */
static int medium_refused(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_CANTOPEN || rc == SQLITE_READONLY || rc == SQLITE_IOERR ||
           rc == SQLITE_FULL || rc == SQLITE_PERM;
}

/* Opens reg->db and reads application_id and user_version. *sql_rc gets SQLite's code. */
static zkr_err open_header(zkr_registry *reg, const char *name, int flags, int64_t *app,
                           int64_t *ver, int *sql_rc, zkr_diag *d)
{
    zkr_err r;
    int rc;

    *sql_rc = SQLITE_OK;
    rc = sqlite3_open_v2(name, &reg->db, flags | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        *sql_rc = rc;
        return zkr_fail(d, ZKR_ERR_REGISTRY, "registry %s: cannot open: %s", reg->path,
                        reg->db ? sqlite3_errmsg(reg->db) : sqlite3_errstr(rc));
    }
    sqlite3_busy_timeout(reg->db, ZKR_REGISTRY_BUSY_MS);
    sqlite3_extended_result_codes(reg->db, 1);
    if ((r = pragma_int(reg, "PRAGMA application_id", app, d)) != ZKR_OK ||
        (r = pragma_int(reg, "PRAGMA user_version", ver, d)) != ZKR_OK)
        *sql_rc = sqlite3_extended_errcode(reg->db);
    return r;
}

/*
 * Read-only opening: in place when SQLite can share the WAL index, else
 * (a read-only or full medium) with immutable=1, which is exact only when
 * no write-ahead log holds changes the main file lacks.
 */
static zkr_err open_readonly(zkr_registry *reg, int64_t *app, int64_t *ver, zkr_diag *d)
{
    zkr_buf uri = {0};
    zkr_diag first;
    zkr_err r;
    int rc;

    zkr_diag_clear(&first);
    reg->read_only = 1;
    r = open_header(reg, reg->path, SQLITE_OPEN_READONLY, app, ver, &rc, &first);
    if (r == ZKR_OK || !medium_refused(rc)) {
        if (r != ZKR_OK)
            zkr_fail(d, r, "%s", first.msg);
        return r;
    }
    sqlite3_close_v2(reg->db);
    reg->db = NULL;
    if (wal_has_frames(reg->path))
        return zkr_fail(d, ZKR_ERR_REGISTRY,
                        "%s; its write-ahead log %s-wal holds changes the file lacks, so it "
                        "cannot be read from this medium: on a writable copy, write a "
                        "self-contained file with zkreg archive -o FILE",
                        first.msg, reg->path);
    if ((r = uri_of(reg->path, "immutable=1", &uri)) != ZKR_OK)
        goto out;
    reg->immutable = 1;
    r = open_header(reg, (const char *)uri.p, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, app, ver,
                    &rc, d);
out:
    zkr_buf_free(&uri);
    return r;
}

/* What stops writes on the medium holding `path`, for messages. */
static const char *medium_state(const char *path)
{
    struct statvfs vfs;

    if (statvfs(path, &vfs) != 0)
        return "refused the write";
    if (vfs.f_flag & ST_RDONLY)
        return "is read-only";
    if (vfs.f_bavail == 0)
        return "is full";
    return "refused the write";
}

static zkr_err open_impl(const char *path, int read_only, zkr_registry **out, zkr_diag *d)
{
    zkr_registry *reg = NULL;
    struct stat sb;
    int64_t app = 0, ver = 0;
    zkr_err r;
    int rc;

    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return zkr_fail(d, ZKR_ERR_USAGE, "no registry path");
    if (stat(path, &sb) != 0)
        return zkr_fail(d, errno == ENOENT ? ZKR_ERR_NOT_FOUND : ZKR_ERR_REGISTRY,
                        "registry %s: %s%s", path, strerror(errno),
                        errno == ENOENT ? " (create one with zkreg init)" : "");
    if (!S_ISREG(sb.st_mode))
        return zkr_fail(d, ZKR_ERR_REGISTRY, "registry %s: not a regular file", path);
    if ((r = reg_new(path, &reg)) != ZKR_OK)
        return r;
    if (read_only) {
        r = open_readonly(reg, &app, &ver, d);
    } else {
        zkr_diag first;
        zkr_diag_clear(&first);
        r = open_header(reg, path, SQLITE_OPEN_READWRITE, &app, &ver, &rc, &first);
        if (r != ZKR_OK && medium_refused(rc)) {
            char fs[4200];
            zkr_fs_describe(path, fs, sizeof fs);
            r = zkr_fail(d, ZKR_ERR_IO, "registry %s: cannot be opened for writing: %s %s (%s); "
                         "read-only commands still work", path, fs, medium_state(path),
                         first.msg);
        } else if (r != ZKR_OK) {
            r = zkr_fail(d, r, "%s", first.msg);
        }
    }
    if (r != ZKR_OK)
        goto out;
    if (app != ZKR_REGISTRY_APP_ID) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY,
                     "registry %s: SQLite file with application_id %lld is not a zkreg registry",
                     path, (long long)app);
        goto out;
    }
    if (ver > ZKR_REGISTRY_SCHEMA_VERSION) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY_VERSION,
                     "registry %s: user_version %lld is newer than this zkreg knows (%d); "
                     "use a newer zkreg",
                     path, (long long)ver, ZKR_REGISTRY_SCHEMA_VERSION);
        goto out;
    }
    if (read_only && ver < ZKR_REGISTRY_SCHEMA_VERSION) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY_VERSION,
                     "registry %s: user_version %lld is older than this zkreg's (%d) and a "
                     "read-only opening cannot migrate it; run a writing command on it once",
                     path, (long long)ver, ZKR_REGISTRY_SCHEMA_VERSION);
        goto out;
    }
    if ((r = configure(reg, d)) != ZKR_OK)
        goto out;
    if (ver < ZKR_REGISTRY_SCHEMA_VERSION && (r = migrate(reg, ver, d)) != ZKR_OK)
        goto out;
    *out = reg;
    reg = NULL;
out:
    zkr_registry_close(reg);
    return r;
}

zkr_err zkr_registry_open(const char *path, zkr_registry **out, zkr_diag *d)
{
    return open_impl(path, 0, out, d);
}

zkr_err zkr_registry_open_readonly(const char *path, zkr_registry **out, zkr_diag *d)
{
    return open_impl(path, 1, out, d);
}

int zkr_registry_is_immutable(const zkr_registry *reg)
{
    return reg->immutable;
}

void zkr_registry_close(zkr_registry *reg)
{
    if (reg == NULL)
        return;
    if (reg->db != NULL) {
        zkr_registry_end(reg);
        for (size_t i = 0; i < ZKR_REGISTRY_STMT_CACHE; i++)
            sqlite3_finalize(reg->cache[i].st);
        sqlite3_close_v2(reg->db);
    }
    free(reg->path);
    free(reg);
}

static zkr_err meta_put(zkr_registry *reg, const char *key, const void *p, size_t len,
                        zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg, "INSERT INTO meta(key, value) VALUES(?, ?)", &st, d)) !=
        ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if ((r = zkr_registry_bind_blob(st, 2, p, len)) == ZKR_OK) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            r = zkr_registry_sql_err(reg, rc, "writing meta", d);
    }
    sqlite3_finalize(st);
    return r;
}

static int origin_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > ZKR_ORIGIN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '+')
            return 0;
    return 1;
}

/* Builds the new registry's tables and appliance key in the file `tmp`. */
static zkr_err create_at(const char *tmp, const zkr_secret *pass, const char *origin,
                         int fast_kdf, zkr_diag *d)
{
    zkr_registry *reg = NULL;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], ph[ZKR_DIGEST_BYTES];
    uint8_t *sk = NULL;
    zkr_buf sealed = {0}, org = {0};
    char created[32], hex[17];
    zkr_err r;
    int rc;

    if ((r = reg_new(tmp, &reg)) != ZKR_OK)
        return r;
    rc = sqlite3_open_v2(tmp, &reg->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "registry %s: cannot create: %s", tmp,
                     reg->db ? sqlite3_errmsg(reg->db) : sqlite3_errstr(rc));
        goto out;
    }
    if ((r = configure(reg, d)) != ZKR_OK ||
        (r = zkr_registry_exec(reg, "PRAGMA journal_mode = WAL", d)) != ZKR_OK ||
        (r = zkr_registry_exec(reg, "PRAGMA application_id = 2053861937", d)) != ZKR_OK ||
        (r = migrate(reg, 0, d)) != ZKR_OK)
        goto out;
    sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
    if (sk == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    crypto_sign_keypair(pk, sk);
    if ((r = zkr_seal(sk, crypto_sign_SECRETKEYBYTES, pass->p, pass->len, ZKR_SEAL_LABEL,
                      fast_kdf, &sealed)) != ZKR_OK)
        goto out;
    zkr_sha256(pk, sizeof pk, ph);
    if ((r = zkr_hex_encode(ph, 8, hex, sizeof hex)) != ZKR_OK)
        goto out;
    if (origin != NULL)
        r = zkr_buf_append_str(&org, origin);
    else
        r = zkr_buf_printf(&org, "zkreg/%s", hex);
    if (r != ZKR_OK)
        goto out;
    snprintf(created, sizeof created, "%lld", (long long)zkr_registry_now());
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        goto out;
    if ((r = meta_put(reg, "appliance_public_key", pk, sizeof pk, d)) != ZKR_OK ||
        (r = meta_put(reg, "appliance_key_sealed", sealed.p, sealed.len, d)) != ZKR_OK ||
        (r = meta_put(reg, "log_origin", org.p, org.len, d)) != ZKR_OK ||
        (r = meta_put(reg, "created", created, strlen(created), d)) != ZKR_OK ||
        (r = zkr_registry_commit(reg, d)) != ZKR_OK)
        zkr_registry_rollback(reg);
out:
    if (sk != NULL)
        sodium_free(sk); /* sodium_free wipes */
    zkr_buf_free(&sealed);
    zkr_buf_free(&org);
    zkr_registry_close(reg);
    return r;
}

static void unlink_db(const char *p)
{
    char aux[4096 + 8];

    (void)unlink(p);
    if (snprintf(aux, sizeof aux, "%s-wal", p) < (int)sizeof aux)
        (void)unlink(aux);
    if (snprintf(aux, sizeof aux, "%s-shm", p) < (int)sizeof aux)
        (void)unlink(aux);
}

zkr_err zkr_registry_create(const char *path, const zkr_secret *pass, const char *origin,
                            int fast_kdf, zkr_diag *d)
{
    struct stat sb;
    char tmp[4096];
    zkr_buf tname = {0};
    zkr_err r;
    int fd = -1;

    if (path == NULL || path[0] == '\0' || pass == NULL || pass->p == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "registry path and passphrase are required");
    if (origin != NULL && !origin_ok(origin))
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "--origin: '%s' must be 1..%d printable ASCII characters without "
                        "spaces or '+'", origin, ZKR_ORIGIN_MAX);
    if (lstat(path, &sb) == 0)
        return zkr_fail(d, ZKR_ERR_EXISTS, "registry %s already exists", path);
    if (strlen(path) + 16 >= sizeof tmp)
        return zkr_fail(d, ZKR_ERR_USAGE, "registry path too long");
    /* A unique name held under flock: a killed init's leftovers are removed, a live one's kept. */
    zkr_file_remove_stale(path, ".init-");
    if ((r = zkr_file_temp_create(path, ".init-", 0600, &tname, &fd, d)) != ZKR_OK) {
        zkr_buf_free(&tname);
        return r;
    }
    snprintf(tmp, sizeof tmp, "%s", (const char *)tname.p);
    /*
     * Built under a temporary name and linked into place, so a crash never
     * leaves a half-made registry at `path`, and an existing one is never
     * replaced (link(), or renameat2 with RENAME_NOREPLACE on file systems
     * without hard links, refuses to overwrite).
     */
    if ((r = create_at(tmp, pass, origin, fast_kdf, d)) != ZKR_OK)
        goto out;
    if (link(tmp, path) != 0 && (errno == EEXIST || !(errno == EPERM || errno == ENOTSUP) ||
                                 renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0)) {
        r = zkr_fail(d, errno == EEXIST ? ZKR_ERR_EXISTS : ZKR_ERR_IO, "registry %s: %s", path,
                     errno == EEXIST ? "already exists" : strerror(errno));
        goto out;
    }
    r = ZKR_OK;
out:
    unlink_db(tmp);
    if (fd >= 0)
        close(fd);
    zkr_buf_free(&tname);
    return r;
}

/* Removes a database file and its journals. */
static void unlink_db_all(const char *p)
{
    char aux[4096 + 16];

    unlink_db(p);
    if (snprintf(aux, sizeof aux, "%s-journal", p) < (int)sizeof aux)
        (void)unlink(aux);
}

/* Rewrites the copy `tmp` in rollback-journal mode and checks it. */
static zkr_err archive_finish(const char *tmp, zkr_diag *d)
{
    zkr_registry *c = NULL;
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = reg_new(tmp, &c)) != ZKR_OK)
        return r;
    rc = sqlite3_open_v2(tmp, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        r = zkr_fail(d, ZKR_ERR_IO, "%s: cannot open the copy: %s", tmp, sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_extended_result_codes(c->db, 1);
    /* DELETE mode: the file alone is the registry, readable where no -shm can be made. */
    if ((r = zkr_registry_exec(c, "PRAGMA journal_mode = DELETE", d)) != ZKR_OK ||
        (r = zkr_registry_prepare(c, "PRAGMA integrity_check", &st, d)) != ZKR_OK)
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_text(st, 0) == NULL ||
        strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: the copy fails PRAGMA integrity_check", tmp);
out:
    sqlite3_finalize(st);
    zkr_registry_close(c);
    return r;
}

zkr_err zkr_registry_archive(zkr_registry *reg, const char *out_path, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    char tmp[4096], dir[4096];
    zkr_buf tname = {0};
    struct stat sb;
    zkr_err r;
    int fd = -1, lockfd = -1, rc;

    if (out_path == NULL || out_path[0] == '\0')
        return zkr_fail(d, ZKR_ERR_USAGE, "archive: no output path");
    if (lstat(out_path, &sb) == 0)
        return zkr_fail(d, ZKR_ERR_EXISTS, "%s already exists (archive never replaces a file)",
                        out_path);
    if (strlen(out_path) + 16 >= sizeof tmp)
        return zkr_fail(d, ZKR_ERR_USAGE, "archive: output path too long");
    /* A unique empty file, which VACUUM INTO accepts as its target; held under flock. */
    zkr_file_remove_stale(out_path, ".tmp.");
    if ((r = zkr_file_temp_create(out_path, ".tmp.", 0644, &tname, &lockfd, d)) != ZKR_OK) {
        zkr_buf_free(&tname);
        return r;
    }
    snprintf(tmp, sizeof tmp, "%s", (const char *)tname.p);
    /* One read transaction: the copy is one consistent snapshot, WAL contents included. */
    if ((r = zkr_registry_prepare(reg, "VACUUM INTO ?", &st, d)) != ZKR_OK)
        goto out;
    sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        zkr_fs_describe(out_path, dir, sizeof dir);
        r = zkr_fail(d, ZKR_ERR_IO, "%s: copying the registry failed: %s (%s)", out_path,
                     sqlite3_errmsg(reg->db), dir);
        goto out;
    }
    if ((r = archive_finish(tmp, d)) != ZKR_OK)
        goto out;
    if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) != 0) {
        r = zkr_fail(d, ZKR_ERR_IO, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (link(tmp, out_path) != 0 &&
        (errno == EEXIST || !(errno == EPERM || errno == ENOTSUP) ||
         renameat2(AT_FDCWD, tmp, AT_FDCWD, out_path, RENAME_NOREPLACE) != 0)) {
        r = zkr_fail(d, errno == EEXIST ? ZKR_ERR_EXISTS : ZKR_ERR_IO, "%s: %s", out_path,
                     errno == EEXIST ? "already exists" : strerror(errno));
        goto out;
    }
    snprintf(dir, sizeof dir, "%s", out_path);
    close(fd);
    if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
        (void)fsync(fd);
out:
    if (fd >= 0)
        close(fd);
    sqlite3_finalize(st);
    unlink_db_all(tmp);
    if (lockfd >= 0)
        close(lockfd);
    zkr_buf_free(&tname);
    return r;
}

zkr_err zkr_registry_grow(void **items, size_t *cap, size_t len, size_t size)
{
    size_t want;
    void *nv;

    if (len < *cap)
        return ZKR_OK;
    want = *cap ? *cap * 2 : 16;
    if (want > SIZE_MAX / size || (nv = realloc(*items, want * size)) == NULL)
        return ZKR_ERR_NOMEM;
    *items = nv;
    *cap = want;
    return ZKR_OK;
}

zkr_err zkr_registry_rows(zkr_registry *reg, sqlite3_stmt *st, size_t size,
                          zkr_registry_row_fn fill, const char *what, void **items, size_t *n)
{
    void *v = NULL;
    size_t cap = 0, len = 0;
    zkr_err r = ZKR_OK;
    int rc;

    *items = NULL;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((r = zkr_registry_grow(&v, &cap, len, size)) != ZKR_OK ||
            (r = fill(reg, st, (uint8_t *)v + len * size)) != ZKR_OK)
            goto out;
        len++;
    }
    if (rc != SQLITE_DONE) {
        r = zkr_registry_sql_err(reg, rc, what, NULL);
        goto out;
    }
    *items = v;
    *n = len;
    v = NULL;
out:
    free(v);
    return r;
}
