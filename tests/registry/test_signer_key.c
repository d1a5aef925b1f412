/*
 * Signer keys in the registry on real SQLite files: registration by
 * identity (a secp256k1 key and its eth address are one signer), key
 * revocation under any name, the migration of a schema-1 registry whose log
 * already holds signer-key leaves (with the duplicates the old code could
 * write), and the audit of the signer_key table against the log.
 */
#include <sodium.h>
#include <sqlite3.h>

#include "registry/registry.h"
#include "registry/registry_int.h"
#include "reg_test.h"

/* Private key 1: the generator, and its well-known Ethereum address. */
static const char g_hex[] = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
static const char g_addr[] = "7e5f4552091a69125d5dfcb7b8c2659029395bdf";

static int exec_sql(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open(db, &h);

    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_close(h);
    return rc;
}

static void key_of(zkr_signer_key *k, const char *type, const char *hex)
{
    size_t n = 0;

    memset(k, 0, sizeof *k);
    snprintf(k->type, sizeof k->type, "%s", type);
    (void)!zkr_hex_decode(hex, strlen(hex), k->pub, sizeof k->pub, &n);
    k->pub_len = n;
    (void)!zkr_keyid_compute(type, k->pub, n, k->keyid);
    (void)!zkr_signer_identity(type, k->pub, n, k->identity);
}

/* A signer-key leaf written the way the old code did: no row. */
static int legacy_leaf(zkr_registry *reg, const zkr_signer_key *k)
{
    zkr_buf ev = {0};
    uint64_t idx = 0;
    int ok = zkr_signer_key_event(k, &ev) == ZKR_OK && zkr_registry_begin(reg, NULL) == ZKR_OK &&
             zkr_registry_log_append_tx(reg, ZKR_EVENT_SIGNER_KEY, 1700000000, ev.p, ev.len, &idx,
                                        NULL) == ZKR_OK &&
             zkr_registry_commit(reg, NULL) == ZKR_OK;

    zkr_registry_rollback(reg);
    zkr_buf_free(&ev);
    return ok;
}

static int64_t count(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    if (sqlite3_open(db, &h) == SQLITE_OK && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static void test_identity(zkr_tap *t)
{
    zkr_signer_key s, e;
    uint8_t eth_kid[32];

    key_of(&s, "secp256k1", g_hex);
    key_of(&e, "eth", g_addr);
    memcpy(eth_kid, e.keyid, 32);
    zkr_tap_ok(t, memcmp(s.identity, e.identity, 32) == 0 && memcmp(s.identity, eth_kid, 32) == 0 &&
                      memcmp(s.keyid, e.keyid, 32) != 0,
               "secp256k1 key 1 and address 0x7e5f...5bdf: two key ids, one identity");
}

static void test_register(zkr_tap *t, const char *dir)
{
    zkr_registry *reg = NULL;
    zkr_signer_key s, e, out, again;
    zkr_revocation rv;
    zkr_secret pass;
    char p[512];
    zkr_diag d;
    uint64_t n = 0;

    rt_pass(&pass, "x");
    rt_path(p, dir, "keys.db");
    key_of(&s, "secp256k1", g_hex);
    key_of(&e, "eth", g_addr);
    if (!zkr_tap_ok(t, zkr_registry_create(p, &pass, NULL, 1, NULL) == ZKR_OK &&
                           zkr_registry_open(p, &reg, NULL) == ZKR_OK,
                    "a fresh registry"))
        goto out;
    zkr_tap_ok(t, zkr_registry_signer_key_register(reg, "secp256k1", s.pub, s.pub_len, &out,
                                                   NULL) == ZKR_OK &&
                      !out.existed && memcmp(out.identity, s.identity, 32) == 0,
               "register the secp256k1 key");
    zkr_tap_ok(t, zkr_registry_signer_key_register(reg, "secp256k1", s.pub, s.pub_len, &again,
                                                   NULL) == ZKR_OK &&
                      again.existed && again.log_index == out.log_index,
               "again: existed, same log index, nothing written");
    zkr_diag_clear(&d);
    (void)!zkr_registry_log_size(reg, &n);
    zkr_tap_ok(t, zkr_registry_signer_key_register(reg, "eth", e.pub, e.pub_len, &again, &d) ==
                          ZKR_ERR_CONFLICT &&
                      strstr(d.msg, "other name") != NULL,
               "its eth address is refused as the same signer (%s)", d.msg);
    zkr_tap_ok(t, zkr_registry_signer_key_find(reg, e.keyid, &again, NULL) == ZKR_OK &&
                      again.log_index == out.log_index,
               "the eth key id finds the registered signer (by identity)");
    zkr_tap_ok(t, zkr_registry_signer_key_register(reg, "rsa", s.pub, s.pub_len, &again, NULL) ==
                      ZKR_ERR_MALFORMED,
               "an unknown key type is malformed");
    zkr_tap_ok(t, zkr_registry_key_check_revoked(reg, e.keyid, e.identity, NULL, NULL) == ZKR_OK,
               "not revoked yet");
    /* A revocation recorded by the secp256k1 key id (as older zkreg did). */
    zkr_tap_ok(t, zkr_registry_revoke(reg, ZKR_KIND_KEY, s.keyid, "test", &rv, NULL) == ZKR_OK,
               "revoke the secp256k1 key id");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_key_check_revoked(reg, e.keyid, e.identity, &rv, &d) ==
                          ZKR_ERR_REVOKED &&
                      memcmp(rv.target, s.keyid, 32) == 0,
               "the eth name is revoked too, through the registered row (%s)", d.msg);
    zkr_tap_ok(t, zkr_registry_signer_key_register(reg, "secp256k1", s.pub, s.pub_len, &again,
                                                   NULL) == ZKR_ERR_REVOKED,
               "registering a revoked key is refused");
    {
        uint64_t audited = 0;
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_registry_log_audit(reg, &audited, &d) == ZKR_OK, "audit passes: %s",
                   d.msg);
    }
out:
    zkr_registry_close(reg);
    rt_pass_free(&pass);
}

/* Turns a schema-4 registry back into the schema-1 layout (no signer_key table, no
 * log(type) index; the revocation table's wider CHECK is rebuilt by the migration). */
static const char to_v1[] =
    "DROP INDEX log_type; DROP INDEX log_leaf_hash; DROP INDEX log_event_key;"
    "DROP INDEX artifact_sha256;"
    "DROP TRIGGER signer_key_no_update; DROP TRIGGER signer_key_no_delete; DROP TABLE signer_key;"
    "DROP TRIGGER meta_no_delete; DELETE FROM meta WHERE key = 'signer_key_rows_since';"
    "CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta"
    " BEGIN SELECT RAISE(ABORT, 'zkreg: table meta is append-only'); END;"
    "PRAGMA user_version = 1;";

static void test_migration(zkr_tap *t, const char *dir)
{
    zkr_registry *reg = NULL;
    zkr_signer_key s, e, ed, row;
    zkr_secret pass;
    uint64_t audited = 0;
    char p[512];
    zkr_diag d;

    rt_pass(&pass, "x");
    rt_path(p, dir, "v1.db");
    key_of(&s, "secp256k1", g_hex);
    key_of(&e, "eth", g_addr);
    key_of(&ed, "ed25519", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    if (zkr_registry_create(p, &pass, NULL, 1, NULL) != ZKR_OK ||
        zkr_registry_open(p, &reg, NULL) != ZKR_OK) {
        zkr_tap_ok(t, 0, "set up a registry");
        goto out;
    }
    /* The old code's log: the key, its other name, another key, the first key again. */
    zkr_tap_ok(t, legacy_leaf(reg, &s) && legacy_leaf(reg, &e) && legacy_leaf(reg, &ed) &&
                      legacy_leaf(reg, &s),
               "four signer-key leaves as the old code could write them");
    zkr_registry_close(reg);
    reg = NULL;
    if (!zkr_tap_ok(t, exec_sql(p, to_v1) == SQLITE_OK && count(p, "PRAGMA user_version") == 1,
                    "the file is a schema-1 registry"))
        goto out;
    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_registry_open(p, &reg, &d) == ZKR_OK, "it opens and migrates (%s)",
                    d.msg))
        goto out;
    zkr_registry_close(reg);
    reg = NULL;
    zkr_tap_ok(t, count(p, "PRAGMA user_version") == ZKR_REGISTRY_SCHEMA_VERSION &&
                      count(p, "SELECT count(*) FROM signer_key") == 2 &&
                      count(p, "SELECT log_index FROM signer_key WHERE type = 'secp256k1'") == 0 &&
                      count(p, "SELECT log_index FROM signer_key WHERE type = 'ed25519'") == 2,
               "one row per identity, the first leaf of each");
    if (zkr_registry_open(p, &reg, NULL) != ZKR_OK)
        goto out;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_log_audit(reg, &audited, &d) == ZKR_OK && audited == 4,
               "the audit accepts the repeats from before the table (%s)", d.msg);
    zkr_tap_ok(t, zkr_registry_signer_key_register(reg, "eth", e.pub, e.pub_len, &row, NULL) ==
                      ZKR_ERR_CONFLICT,
               "after migration, the other name is refused");
    /* A repeat written now (bypassing the table) is a fault the audit names. */
    zkr_tap_ok(t, legacy_leaf(reg, &ed), "a new duplicate leaf written behind the registry's back");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_log_audit(reg, &audited, &d) == ZKR_ERR_VERIFY &&
                      strstr(d.msg, "already registered") != NULL,
               "the audit refuses it: %s", d.msg);
out:
    zkr_registry_close(reg);
    rt_pass_free(&pass);
}

static void test_audit_tamper(zkr_tap *t, const char *dir)
{
    zkr_registry *reg = NULL;
    zkr_signer_key s, out;
    zkr_secret pass;
    uint64_t audited = 0;
    char p[512];
    zkr_diag d;

    rt_pass(&pass, "x");
    rt_path(p, dir, "tamper.db");
    key_of(&s, "secp256k1", g_hex);
    if (zkr_registry_create(p, &pass, NULL, 1, NULL) != ZKR_OK ||
        zkr_registry_open(p, &reg, NULL) != ZKR_OK ||
        zkr_registry_signer_key_register(reg, "secp256k1", s.pub, s.pub_len, &out, NULL) != ZKR_OK) {
        zkr_tap_ok(t, 0, "set up a registry with a key");
        goto out;
    }
    zkr_registry_close(reg);
    reg = NULL;
    /* An insider swaps the row's key for another (the trigger dropped first). */
    if (!zkr_tap_ok(t, exec_sql(p, "DROP TRIGGER signer_key_no_update;"
                                   "UPDATE signer_key SET type = 'eth', public = x'" "7e5f4552091a69125d5dfcb7b8c2659029395bdf" "';") ==
                           SQLITE_OK,
                    "the row is edited"))
        goto out;
    if (zkr_registry_open(p, &reg, NULL) != ZKR_OK)
        goto out;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_log_audit(reg, &audited, &d) == ZKR_ERR_VERIFY &&
                      strstr(d.msg, "differs from log entry") != NULL,
               "the audit names the row that differs from its leaf: %s", d.msg);
out:
    zkr_registry_close(reg);
    rt_pass_free(&pass);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char dir[256];

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 1;
    rt_tmpdir(dir);
    test_identity(&t);
    test_register(&t, dir);
    test_migration(&t, dir);
    test_audit_tamper(&t, dir);
    rt_cleanup(dir);
    return zkr_tap_done(&t);
}
