/*
 * Registry transactions and media (TAP):
 * - `log verify` refuses a registry where an entry binds an object whose
 *   revocation has a lower log index (forged through the registry's raw
 *   SQL insert paths, which skip every check), and passes its twins;
 * - recording a proof of a revoked statement is refused in its transaction;
 * - a read-only handle reads and never writes; `archive` writes one
 *   self-contained rollback-journal file that audits clean;
 * - atomic file writes use unique flocked temporary names, and remove
 *   the temporary files of killed writers but not those of live ones.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <sys/file.h>

#include "registry/registry_int.h"
#include "reg_test.h"

static const char schema_json[] =
    "{\"name\":\"tx\",\"version\":1,\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
    "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":false,"
    "\"fields\":[{\"name\":\"n\",\"type\":\"u64\"}]}";

typedef struct {
    zkr_artifact prog, model, ds;
    zkr_schema sc;
} objects;

static zkr_registry *open_or_die(const char *db)
{
    zkr_registry *reg = NULL;
    zkr_diag d;

    zkr_diag_clear(&d);
    if (zkr_registry_open(db, &reg, &d) != ZKR_OK) {
        fprintf(stderr, "open %s: %s\n", db, d.msg);
        exit(2);
    }
    return reg;
}

static int audit_ok(zkr_registry *reg, zkr_diag *d)
{
    uint64_t n = 0;

    zkr_diag_clear(d);
    return zkr_registry_log_audit(reg, &n, d) == ZKR_OK;
}

static int audit_refuses_order(zkr_registry *reg, zkr_diag *d)
{
    uint64_t n = 0;

    zkr_diag_clear(d);
    return zkr_registry_log_audit(reg, &n, d) == ZKR_ERR_VERIFY &&
           strstr(d->msg, "revocation") != NULL;
}

/* A registry with a program, a model of it, a dataset and a schema. */
static int make_base(const char *db, objects *o)
{
    zkr_secret pass;
    zkr_registry *reg;
    zkr_dataset *ds = NULL;
    zkr_schema parsed;
    char dpath[600];
    int ok;

    rt_pass(&pass, "tx test pass");
    ok = zkr_registry_create(db, &pass, NULL, 1, NULL) == ZKR_OK;
    rt_pass_free(&pass);
    if (!ok)
        return 0;
    reg = open_or_die(db);
    snprintf(dpath, sizeof dpath, "%s.txt", db);
    rt_write(dpath, "one\ntwo\n", 8);
    ok = zkr_registry_program_add(reg, "p", (const uint8_t *)"prog", 4, &o->prog, NULL) == ZKR_OK &&
         zkr_registry_model_add(reg, "m", "1", (const uint8_t *)"weights", 7, NULL, &o->model,
                                NULL) == ZKR_OK &&
         zkr_dataset_open(dpath, &ds, NULL) == ZKR_OK &&
         zkr_registry_dataset_add(reg, "d", ds, dpath, NULL, &o->ds, NULL) == ZKR_OK &&
         zkr_schema_parse("s", (const uint8_t *)schema_json, sizeof schema_json - 1, &parsed,
                          NULL) == ZKR_OK &&
         zkr_registry_schema_add(reg, &parsed, &o->sc, NULL) == ZKR_OK;
    zkr_dataset_free(ds);
    zkr_registry_close(reg);
    return ok;
}

static int copy_file(const char *from, const char *to)
{
    zkr_buf b = {0};
    int ok = zkr_file_read(from, (size_t)1 << 26, &b, NULL) == ZKR_OK;

    if (ok)
        rt_write(to, b.p, b.len);
    zkr_buf_free(&b);
    return ok;
}

/* A model of a revoked program, inserted with the raw path (no checks). */
static void test_forged_model(zkr_tap *t, const char *dir)
{
    char db[512];
    objects o;
    zkr_registry *reg;
    zkr_revocation rv;
    zkr_artifact a;
    zkr_diag d;

    rt_path(db, dir, "forge-model.db");
    if (!zkr_tap_ok(t, make_base(db, &o), "forged model: base registry"))
        return;
    reg = open_or_die(db);
    zkr_tap_ok(t, zkr_registry_revoke(reg, ZKR_KIND_PROGRAM, o.prog.sha256, "bad", &rv, NULL) ==
                      ZKR_OK && audit_ok(reg, &d),
               "a model registered before its program's revocation audits clean (%s)", d.msg);
    memset(&a, 0, sizeof a);
    a.kind = ZKR_KIND_MODEL;
    strcpy(a.name, "forged");
    a.version = 1;
    zkr_sha256((const uint8_t *)"forged weights", 14, a.sha256);
    a.size = 14;
    a.program_id = o.prog.id;
    memcpy(a.program_sha256, o.prog.sha256, 32);
    a.created = zkr_registry_now();
    zkr_tap_ok(t, zkr_registry_begin(reg, NULL) == ZKR_OK &&
                      zkr_registry_artifact_insert_tx(reg, &a, NULL, NULL, NULL) == ZKR_OK &&
                      zkr_registry_commit(reg, NULL) == ZKR_OK,
               "forge: a model of the revoked program inserted after the revocation");
    zkr_tap_ok(t, audit_refuses_order(reg, &d), "log verify refuses it: %s", d.msg);
    zkr_registry_close(reg);
}

/* A statement over a model revoked earlier, and a proof of a revoked statement. */
static void test_forged_statement_and_proof(zkr_tap *t, const char *dir)
{
    char a_db[512], b_db[512], sid_hex[65];
    objects o;
    zkr_registry *ra, *rb;
    zkr_statement s, forged;
    zkr_kv kv = {"n", "7"};
    zkr_log_entry e;
    zkr_revocation rv;
    uint8_t pd[32];
    uint64_t li = 0;
    int existed = 0;
    zkr_diag d;

    memset(&s, 0, sizeof s);
    memset(&forged, 0, sizeof forged);
    memset(&e, 0, sizeof e);
    rt_path(a_db, dir, "forge-a.db");
    rt_path(b_db, dir, "forge-b.db");
    if (!zkr_tap_ok(t, make_base(a_db, &o) && copy_file(a_db, b_db), "forged statement: base"))
        return;
    ra = open_or_die(a_db);
    rb = open_or_die(b_db);
    zkr_tap_ok(t, zkr_registry_statement_add(ra, "tx@1", "1", "2", "3", &kv, 1, NULL, 0, &s,
                                             NULL) == ZKR_OK &&
                      zkr_registry_log_entry(ra, s.log_index, &e, NULL) == ZKR_OK,
               "statement registered in the twin registry");
    /* In B the model is revoked first; then A's statement leaf is replayed raw. */
    zkr_tap_ok(t, zkr_registry_revoke(rb, ZKR_KIND_MODEL, o.model.sha256, "bad", &rv, NULL) ==
                      ZKR_OK,
               "model revoked in B");
    zkr_tap_ok(t, zkr_registry_begin(rb, NULL) == ZKR_OK &&
                      zkr_registry_statement_from_event(rb, e.payload, e.payload_len, &forged,
                                                        NULL) == ZKR_OK &&
                      (forged.created = e.time, 1) &&
                      zkr_registry_statement_insert_tx(rb, &forged, NULL) == ZKR_OK &&
                      zkr_registry_commit(rb, NULL) == ZKR_OK,
               "forge: the statement inserted after its model's revocation");
    zkr_tap_ok(t, audit_refuses_order(rb, &d), "log verify refuses a statement after its model's "
               "revocation: %s", d.msg);
    zkr_tap_ok(t, audit_ok(ra, &d), "twin: the statement without revocation audits clean (%s)",
               d.msg);

    /* Proofs: the API refuses a revoked statement; a forged proof row fails the audit. */
    zkr_sha256((const uint8_t *)"proof bytes", 11, pd);
    zkr_tap_ok(t, zkr_registry_proof_record(ra, s.statement_id, pd, "1", &li, NULL) == ZKR_OK &&
                      audit_ok(ra, &d),
               "a proof of a live statement is recorded and audits clean (%s)", d.msg);
    zkr_tap_ok(t, zkr_registry_revoke(ra, ZKR_KIND_STATEMENT, s.statement_id, "bad", &rv, NULL) ==
                      ZKR_OK,
               "statement revoked");
    zkr_sha256((const uint8_t *)"other proof", 11, pd);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_proof_record(ra, s.statement_id, pd, "1", &li, &d) ==
                      ZKR_ERR_REVOKED,
               "recording a proof of a revoked statement is refused: %s", d.msg);
    zkr_tap_ok(t, zkr_registry_begin(ra, NULL) == ZKR_OK &&
                      zkr_registry_proof_insert_tx(ra, s.statement_id, pd, "1",
                                                   zkr_registry_now(), &li, &existed,
                                                   NULL) == ZKR_OK &&
                      zkr_registry_commit(ra, NULL) == ZKR_OK,
               "forge: a proof row after the statement's revocation");
    zkr_registry_hex(s.statement_id, 32, sid_hex, sizeof sid_hex);
    zkr_tap_ok(t, audit_refuses_order(ra, &d), "log verify refuses a proof after its statement's "
               "revocation: %s", d.msg);
    zkr_log_entry_free(&e);
    zkr_statement_free(&s);
    zkr_statement_free(&forged);
    zkr_registry_close(ra);
    zkr_registry_close(rb);
}

/* An event that binds objects is refused, in its transaction, when one of them is revoked. */
static void test_event_bound(zkr_tap *t, const char *dir)
{
    char db[512];
    objects o;
    zkr_registry *reg;
    zkr_binding b[2];
    zkr_revocation rv;
    uint64_t before = 0, after = 0, li = 0;
    zkr_diag d;

    rt_path(db, dir, "event.db");
    if (!zkr_tap_ok(t, make_base(db, &o), "bound events: base registry"))
        return;
    reg = open_or_die(db);
    b[0].kind = ZKR_KIND_MODEL;
    memcpy(b[0].digest, o.model.sha256, 32);
    b[1].kind = ZKR_KIND_KEY;
    memset(b[1].digest, 0x5a, 32);
    zkr_tap_ok(t, zkr_registry_event_append_bound(reg, "test-event", (const uint8_t *)"x", 1, b,
                                                  2, &li, NULL) == ZKR_OK,
               "an event binding live objects is appended");
    zkr_tap_ok(t, zkr_registry_revoke(reg, ZKR_KIND_KEY, b[1].digest, "lost", &rv, NULL) == ZKR_OK &&
                      zkr_registry_log_size(reg, &before) == ZKR_OK,
               "the key is revoked");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_event_append_bound(reg, "test-event", (const uint8_t *)"y", 1, b,
                                                  2, &li, &d) == ZKR_ERR_REVOKED &&
                      zkr_registry_log_size(reg, &after) == ZKR_OK && after == before,
               "an event binding the revoked key is refused and nothing is appended: %s", d.msg);
    zkr_registry_close(reg);
}

/* Header bytes 18 and 19: 1 for rollback journal, 2 for WAL. */
static int header_mode(const char *db)
{
    uint8_t h[20];
    FILE *f = fopen(db, "rb");
    int m = -1;

    if (f != NULL && fread(h, 1, sizeof h, f) == sizeof h && h[18] == h[19])
        m = h[18];
    if (f != NULL)
        fclose(f);
    return m;
}

static void test_readonly_and_archive(zkr_tap *t, const char *dir)
{
    char db[512], arch[512];
    uint8_t before[32], after[32];
    objects o;
    zkr_registry *ro = NULL, *ar = NULL;
    zkr_artifact *list = NULL, p;
    size_t n = 0;
    zkr_diag d;

    rt_path(db, dir, "ro.db");
    rt_path(arch, dir, "ro-archive.db");
    if (!zkr_tap_ok(t, make_base(db, &o), "read-only: base registry"))
        return;
    rt_file_hash(db, before);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_open_readonly(db, &ro, &d) == ZKR_OK && !zkr_registry_is_immutable(ro),
               "open read-only in place (%s)", d.msg);
    if (ro == NULL)
        return;
    zkr_tap_ok(t, zkr_registry_artifact_list(ro, 0, &list, &n) == ZKR_OK && n == 3,
               "a read-only handle lists (%zu artifacts)", n);
    free(list);
    zkr_tap_ok(t, zkr_registry_program_add(ro, "x", (const uint8_t *)"x", 1, &p, NULL) != ZKR_OK,
               "a read-only handle refuses to write");
    zkr_tap_ok(t, audit_ok(ro, &d), "log audit on a read-only handle (%s)", d.msg);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_archive(ro, arch, &d) == ZKR_OK, "archive (%s)", d.msg);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_archive(ro, arch, &d) == ZKR_ERR_EXISTS,
               "archive never replaces a file: %s", d.msg);
    zkr_registry_close(ro);
    rt_file_hash(db, after);
    zkr_tap_ok(t, memcmp(before, after, 32) == 0, "the registry file is unchanged");
    zkr_tap_ok(t, header_mode(db) == 2 && header_mode(arch) == 1,
               "the registry is in WAL mode, its archive in rollback-journal mode (%d, %d)",
               header_mode(db), header_mode(arch));
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_open_readonly(arch, &ar, &d) == ZKR_OK && audit_ok(ar, &d),
               "the archive opens read-only and audits clean (%s)", d.msg);
    zkr_registry_close(ar);
}

/* Atomic writes: unique temporary names, stale ones (no flock held) removed, live ones kept. */
static void test_temp_files(zkr_tap *t, const char *dir)
{
    char target[512], stale[600], live[600];
    struct stat sb;
    zkr_buf b = {0};
    int fd;

    rt_path(target, dir, "out.bin");
    snprintf(stale, sizeof stale, "%s.tmp.%ld", target, 123456L % 1000000);
    snprintf(live, sizeof live, "%s.tmp.LIVE01", target);
    rt_write(stale, "stale", 5);
    fd = open(live, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    zkr_tap_ok(t, fd >= 0 && flock(fd, LOCK_EX) == 0, "a live writer's temporary file, locked");
    zkr_tap_ok(t, zkr_file_write_atomic(target, (const uint8_t *)"new", 3, 0644, NULL) == ZKR_OK &&
                      zkr_file_read(target, 16, &b, NULL) == ZKR_OK && b.len == 3,
               "atomic write beside a killed writer's temporary file");
    zkr_tap_ok(t, stat(stale, &sb) != 0, "the killed writer's temporary file is removed");
    zkr_tap_ok(t, stat(live, &sb) == 0, "the live writer's temporary file is kept");
    zkr_tap_ok(t, zkr_file_write_atomic(target, (const uint8_t *)"again", 5, 0644, NULL) == ZKR_OK,
               "a second write succeeds (no fixed temporary name to collide on)");
    if (fd >= 0)
        close(fd);
    zkr_buf_free(&b);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char dir[256];

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 2;
    rt_tmpdir(dir);
    test_forged_model(&t, dir);
    test_forged_statement_and_proof(&t, dir);
    test_event_bound(&t, dir);
    test_readonly_and_archive(&t, dir);
    test_temp_files(&t, dir);
    rt_cleanup(dir);
    return zkr_tap_done(&t);
}
