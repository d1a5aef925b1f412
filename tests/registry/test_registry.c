/*
 * The registry API on real SQLite files: artifacts, schemas, statements
 * (with the canonical encoding rebuilt here byte by byte from
 * docs/formats.md), revocations, append-only triggers, the log's cached
 * tree against common's reference Merkle code, checkpoints, audit, and
 * export/import with every byte flipped and every truncation.
 */
#include <sodium.h>
#include <sqlite3.h>

#include "registry/registry.h"
#include "registry/registry_int.h"
#include "reg_test.h"

typedef uint8_t digest_t[32];

#define ZKR_STR_(x) #x
#define ZKR_STR(x) ZKR_STR_(x)
/* One past the schema this build knows (a registry from a newer zkreg). */
#define ZKR_REGISTRY_SCHEMA_VERSION_NEXT 5
_Static_assert(ZKR_REGISTRY_SCHEMA_VERSION_NEXT == ZKR_REGISTRY_SCHEMA_VERSION + 1,
               "update ZKR_REGISTRY_SCHEMA_VERSION_NEXT with the schema version");

static const char schema_json[] =
    "{\"name\": \"fmnist-infer\", \"version\": 1, \"proof_kind\": \"inference@1\",\n"
    " \"proof_system\": \"zkreg-sumcheck-basefold\", \"parameter_set\": \"goldilocks-128\",\n"
    " \"verifier_version\": \"0.2.0\", \"public_output\": true,\n"
    " \"fields\": [{\"name\": \"record_index\", \"type\": \"u64\"},\n"
    "            {\"name\": \"batch\", \"type\": \"u64-list\"}]}";

/* The same name@version with other content (no public output). */
static const char schema_json_other[] =
    "{\"name\": \"fmnist-infer\", \"version\": 1, \"proof_kind\": \"inference@1\",\n"
    " \"proof_system\": \"zkreg-sumcheck-basefold\", \"parameter_set\": \"goldilocks-128\",\n"
    " \"verifier_version\": \"0.2.0\", \"public_output\": false,\n"
    " \"fields\": [{\"name\": \"record_index\", \"type\": \"u64\"}]}";

/* The same schema with keys and fields in another order and other spacing. */
static const char schema_json_reordered[] =
    "{\"fields\":[{\"type\":\"u64-list\",\"name\":\"batch\"},{\"name\":\"record_index\","
    "\"type\":\"u64\"}],\"public_output\":true,\"verifier_version\":\"0.2.0\",\"version\":1,"
    "\"name\":\"fmnist-infer\",\"parameter_set\":\"goldilocks-128\",\"proof_kind\":\"inference@1\","
    "\"proof_system\":\"zkreg-sumcheck-basefold\"}";

typedef struct {
    char dir[256], db[512];
    zkr_registry *reg;
    zkr_secret pass;
} fixture;

static void fx_open(zkr_tap *t, fixture *f, const char *name)
{
    zkr_diag d;

    zkr_diag_clear(&d);
    rt_path(f->db, f->dir, name);
    rt_pass(&f->pass, "correct horse battery staple");
    zkr_tap_ok(t, zkr_registry_create(f->db, &f->pass, NULL, 1, &d) == ZKR_OK, "create %s (%s)",
               name, d.msg);
    zkr_tap_ok(t, zkr_registry_open(f->db, &f->reg, &d) == ZKR_OK, "open %s (%s)", name, d.msg);
}

static void fx_close(fixture *f)
{
    zkr_registry_close(f->reg);
    f->reg = NULL;
    rt_pass_free(&f->pass);
}

static int exec_sql(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open(db, &h);

    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_close(h);
    return rc;
}

static uint64_t log_size(zkr_registry *reg)
{
    uint64_t n = 0;
    return zkr_registry_log_size(reg, &n) == ZKR_OK ? n : UINT64_MAX;
}

/* ------------------------------------------------------------------ */

static void test_open_errors(zkr_tap *t, fixture *f)
{
    zkr_registry *reg = NULL;
    char p[512];
    uint8_t h1[32], h2[32];
    zkr_diag d;
    zkr_err r;

    rt_path(p, f->dir, "absent.db");
    zkr_diag_clear(&d);
    r = zkr_registry_open(p, &reg, &d);
    zkr_tap_ok(t, r == ZKR_ERR_NOT_FOUND && strstr(d.msg, "absent.db"),
               "missing registry: not found, named: %s", d.msg);
    rt_path(p, f->dir, "garbage.db");
    rt_write(p, "this is not a database at all, just text padding it out to a page....", 70);
    rt_file_hash(p, h1);
    zkr_diag_clear(&d);
    r = zkr_registry_open(p, &reg, &d);
    rt_file_hash(p, h2);
    zkr_tap_ok(t, r == ZKR_ERR_REGISTRY && strstr(d.msg, "garbage.db") && memcmp(h1, h2, 32) == 0,
               "garbage file: registry error, named, unchanged: %s", d.msg);
    zkr_diag_clear(&d);
    r = zkr_registry_create(f->db, &f->pass, NULL, 1, &d);
    zkr_tap_ok(t, r == ZKR_ERR_EXISTS, "create over an existing registry refused: %s", d.msg);
    zkr_diag_clear(&d);
    r = zkr_registry_create(p, &f->pass, "bad origin", 1, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED, "origin with a space refused: %s", d.msg);
}

_Static_assert(ZKR_REGISTRY_SCHEMA_VERSION == 4, "update the index migration test");

/* A version-3 registry (before the log indices) opens migrated to version 4, its data intact. */
static void test_migration_v1(zkr_tap *t, fixture *f)
{
    zkr_registry *reg = NULL;
    zkr_secret pass;
    char p[512];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    uint8_t h1[32], h2[32];
    zkr_diag d;
    zkr_err r;
    int n_idx = -1, ver = -1;

    rt_pass(&pass, "x");
    rt_path(p, f->dir, "v1.db");
    if (zkr_registry_create(p, &pass, NULL, 1, NULL) != ZKR_OK ||
        exec_sql(p, "DROP INDEX log_leaf_hash; DROP INDEX log_event_key; "
                    "DROP INDEX artifact_sha256; "
                    "PRAGMA user_version = 3") != SQLITE_OK) {
        zkr_tap_ok(t, 0, "set up a version-3 registry");
        rt_pass_free(&pass);
        return;
    }
    /* A read-only opening never writes, so it cannot migrate: refused, the file unchanged. */
    rt_file_hash(p, h1);
    zkr_diag_clear(&d);
    r = zkr_registry_open_readonly(p, &reg, &d);
    rt_file_hash(p, h2);
    zkr_tap_ok(t, r == ZKR_ERR_REGISTRY_VERSION && reg == NULL && strstr(d.msg, "v1.db") &&
                      strstr(d.msg, "user_version 3") && strstr(d.msg, "writing command") &&
                      memcmp(h1, h2, 32) == 0,
               "a version-3 registry opened read-only: refused, named, unchanged: %s", d.msg);
    zkr_tap_ok(t, zkr_registry_open(p, &reg, NULL) == ZKR_OK, "a version-3 registry opens");
    zkr_registry_close(reg);
    reg = NULL;
    zkr_diag_clear(&d);
    r = zkr_registry_open_readonly(p, &reg, &d);
    zkr_tap_ok(t, r == ZKR_OK, "... and, once migrated, opens read-only: %s", d.msg);
    zkr_registry_close(reg);
    if (sqlite3_open(p, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                               " AND name IN ('log_leaf_hash', 'log_event_key', 'artifact_sha256')),"
                               " (SELECT user_version FROM pragma_user_version)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        n_idx = sqlite3_column_int(st, 0);
        ver = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    zkr_tap_ok(t, n_idx == 3 && ver == ZKR_REGISTRY_SCHEMA_VERSION,
               "... migrated: user_version %d, %d of the three new indices", ver, n_idx);
    rt_pass_free(&pass);
}

static void test_newer_registry(zkr_tap *t, fixture *f)
{
    zkr_registry *reg = NULL;
    char p[512];
    uint8_t h1[32], h2[32];
    zkr_secret pass;
    zkr_diag d;
    zkr_err r;

    rt_pass(&pass, "x");
    rt_path(p, f->dir, "newer.db");
    if (zkr_registry_create(p, &pass, NULL, 1, NULL) != ZKR_OK ||
        exec_sql(p, "PRAGMA user_version = " ZKR_STR(ZKR_REGISTRY_SCHEMA_VERSION_NEXT)) !=
            SQLITE_OK) {
        zkr_tap_ok(t, 0, "set up a newer registry");
        return;
    }
    rt_file_hash(p, h1);
    zkr_diag_clear(&d);
    r = zkr_registry_open(p, &reg, &d);
    rt_file_hash(p, h2);
    zkr_tap_ok(t, r == ZKR_ERR_REGISTRY_VERSION && strstr(d.msg, "newer.db") &&
                      strstr(d.msg, "user_version " ZKR_STR(ZKR_REGISTRY_SCHEMA_VERSION_NEXT)) &&
                      memcmp(h1, h2, 32) == 0,
               "registry from a newer version refused, unchanged: %s", d.msg);
    if (exec_sql(p, "PRAGMA user_version = " ZKR_STR(ZKR_REGISTRY_SCHEMA_VERSION)) == SQLITE_OK) {
        r = zkr_registry_open(p, &reg, &d);
        zkr_tap_ok(t, r == ZKR_OK, "the same file at the current version opens");
        zkr_registry_close(reg);
    }
    rt_pass_free(&pass);
}

static void test_artifacts(zkr_tap *t, fixture *f, zkr_artifact *prog, zkr_artifact *model,
                           zkr_artifact *ds_out)
{
    zkr_artifact a, b;
    zkr_dataset *ds = NULL;
    char big[300], p[512];
    zkr_diag d;
    uint64_t n0;
    zkr_err r;

    zkr_diag_clear(&d);
    r = zkr_registry_program_add(f->reg, "mlp.onnx", (const uint8_t *)"program-bytes", 13, prog, &d);
    zkr_tap_ok(t, r == ZKR_OK && prog->version == 1 && prog->log_index == 0 && !prog->existed,
               "program registered at log index 0");
    n0 = log_size(f->reg);
    r = zkr_registry_program_add(f->reg, "other-name", (const uint8_t *)"program-bytes", 13, &a, &d);
    zkr_tap_ok(t, r == ZKR_OK && a.existed && a.id == prog->id && log_size(f->reg) == n0,
               "identical program again: existing one returned, no log entry");
    r = zkr_registry_program_add(f->reg, "mlp.onnx", (const uint8_t *)"program-v2", 10, &a, &d);
    zkr_tap_ok(t, r == ZKR_OK && a.version == 2, "new content under the same name is version 2");
    zkr_diag_clear(&d);
    r = zkr_registry_program_add(f->reg, "bad\xff" "name", (const uint8_t *)"x", 1, &a, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "name") && log_size(f->reg) == n0 + 1,
               "non-UTF-8 name refused: %s", d.msg);
    memset(big, 'n', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    zkr_diag_clear(&d);
    r = zkr_registry_program_add(f->reg, big, (const uint8_t *)"x", 1, &a, &d);
    zkr_tap_ok(t, r == ZKR_ERR_TOO_LARGE && strstr(d.msg, "name"), "oversize name refused: %s",
               d.msg);
    zkr_diag_clear(&d);
    r = zkr_registry_model_add(f->reg, "w.bin", "999", (const uint8_t *)"weights", 7, NULL, &a, &d);
    zkr_tap_ok(t, r == ZKR_ERR_NOT_FOUND && strstr(d.msg, "999"), "model of a missing program: %s",
               d.msg);
    zkr_diag_clear(&d);
    r = zkr_registry_model_add(f->reg, "w.bin", "0123", (const uint8_t *)"weights", 7, NULL, &a, &d);
    zkr_tap_ok(t, r == ZKR_ERR_USAGE, "leading-zero id refused: %s", d.msg);
    zkr_diag_clear(&d);
    r = zkr_registry_model_add(f->reg, "w.bin",
                               "5f4020927dfd5ec578f48bb987486f40041d6894410b3c596d0579a9e62382",
                               (const uint8_t *)"weights", 7, NULL, &a, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "62 hex"),
               "62-digit digest refused as the wrong length: %s", d.msg);
    {
        char ref[24];
        snprintf(ref, sizeof ref, "%lld", (long long)prog->id);
        r = zkr_registry_model_add(f->reg, "w.bin", ref, (const uint8_t *)"weights", 7, NULL, model,
                                   &d);
        zkr_tap_ok(t, r == ZKR_OK && model->program_id == prog->id &&
                          memcmp(model->program_sha256, prog->sha256, 32) == 0 &&
                          !model->has_commitment,
                   "model registered under its program, commitment column empty");
    }
    {
        char ref[65];
        zkr_hex_encode(prog->sha256, 32, ref, sizeof ref) == ZKR_OK ? (void)0 : abort();
        r = zkr_registry_artifact_get(f->reg, ZKR_KIND_PROGRAM, ref, &b, &d);
        zkr_tap_ok(t, r == ZKR_OK && b.id == prog->id, "program found by its sha256");
        snprintf(ref, sizeof ref, "%lld", (long long)model->id);
        zkr_diag_clear(&d);
        r = zkr_registry_artifact_get(f->reg, ZKR_KIND_PROGRAM, ref, &b, &d);
        zkr_tap_ok(t, r == ZKR_ERR_NOT_FOUND && strstr(d.msg, "model"),
                   "a model id asked for as a program: not found: %s", d.msg);
    }
    {
        uint8_t c[32];
        char ref[24];
        zkr_artifact got;
        memset(c, 0xc5, sizeof c);
        snprintf(ref, sizeof ref, "%lld", (long long)prog->id);
        r = zkr_registry_model_add(f->reg, "committed", ref, (const uint8_t *)"cw", 2, c, &a, &d);
        snprintf(ref, sizeof ref, "%lld", (long long)a.id);
        zkr_tap_ok(t, r == ZKR_OK && zkr_registry_artifact_get(f->reg, ZKR_KIND_MODEL, ref, &got,
                                                              NULL) == ZKR_OK &&
                          got.has_commitment && memcmp(got.commitment, c, 32) == 0,
                   "a model commitment is stored and read back");
    }
    rt_path(p, f->dir, "lines.txt");
    rt_write(p, "r0\nr1\nr2\nr3\nr4\n", 15);
    if (zkr_dataset_open(p, &ds, NULL) == ZKR_OK) {
        r = zkr_registry_dataset_add(f->reg, "lines", ds, p, NULL, ds_out, &d);
        zkr_tap_ok(t, r == ZKR_OK && ds_out->record_count == 5 && ds_out->size == 5 * (4 + 2),
                   "dataset registered: 5 records, canonical size 30");
        /* The documented digest: SHA-256 over u32 BE length || bytes per record. */
        {
            uint8_t canon[30], h[32];
            for (int i = 0; i < 5; i++) {
                zkr_store_be32(canon + 6 * i, 2);
                canon[6 * i + 4] = 'r';
                canon[6 * i + 5] = (uint8_t)('0' + i);
            }
            zkr_sha256(canon, sizeof canon, h);
            zkr_tap_ok(t, memcmp(h, ds_out->sha256, 32) == 0,
                       "dataset sha256 is over the documented canonical bytes");
        }
        {
            digest_t path[ZKR_MERKLE_MAX_DEPTH], leaf, lh;
            size_t plen = 0;
            zkr_artifact da;
            char ref[24];
            snprintf(ref, sizeof ref, "%lld", (long long)ds_out->id);
            r = zkr_registry_dataset_record_proof(f->reg, ref, 3, &da, leaf, path, &plen, &d);
            zkr_merkle_leaf_hash((const uint8_t *)"r3", 2, lh);
            zkr_tap_ok(t, r == ZKR_OK && memcmp(leaf, lh, 32) == 0 &&
                              zkr_merkle_inclusion_verify(leaf, 3, 5, (const digest_t *)path, plen,
                                                          ds_out->records_root) == ZKR_OK,
                       "record 3's proof verifies against the registered root");
            lh[0] ^= 1;
            zkr_tap_ok(t, zkr_merkle_inclusion_verify(lh, 3, 5, (const digest_t *)path, plen,
                                                      ds_out->records_root) == ZKR_ERR_VERIFY,
                       "another record's bytes do not verify");
            zkr_tap_ok(t, zkr_registry_dataset_record_proof(f->reg, ref, 5, &da, leaf, path,
                                                            &plen, NULL) == ZKR_ERR_NOT_FOUND,
                       "record 5 of 5 is past the end");
        }
        zkr_dataset_free(ds);
    }
}

static void test_schemas(zkr_tap *t, fixture *f, zkr_schema *out)
{
    static const struct {
        const char *json, *want, *what;
        zkr_err code;
    } bad[] = {
        {"{\"name\":\"a\",\"version\":1,\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
         "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":true,\"fields\":[],"
         "\"extra\":1}",
         "unknown schema field 'extra'", "unknown schema field", ZKR_ERR_MALFORMED},
        {"{\"name\":\"a\",\"name\":\"b\"}", "duplicate", "duplicate JSON key", ZKR_ERR_MALFORMED},
        {"{\"name\":\"a\",\"version\":1,\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
         "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":true,\"fields\":"
         "[{\"name\":\"x\",\"type\":\"u64\"},{\"name\":\"x\",\"type\":\"i64\"}]}",
         "duplicate field name 'x'", "duplicate field names", ZKR_ERR_MALFORMED},
        {"{\"name\":\"a\",\"version\":1,\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
         "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":true,\"fields\":"
         "[{\"name\":\"x\",\"type\":\"float\"}]}",
         "type 'float' unknown", "unknown field type", ZKR_ERR_UNSUPPORTED},
        {"{\"name\":\"a\",\"version\":0,\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
         "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":true,\"fields\":[]}",
         "'version'", "version 0", ZKR_ERR_MALFORMED},
        {"{\"name\":\"a\",\"version\":\"1\",\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
         "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":true,\"fields\":[]}",
         "'version'", "version as a string", ZKR_ERR_MALFORMED},
        {"{\"name\":\"A B\",\"version\":1,\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
         "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":true,\"fields\":[]}",
         "'name'", "name outside [a-z0-9._-]", ZKR_ERR_MALFORMED},
        {"{\"name\":\"a\",\"version\":1,\"proof_kind\":\"magic@9\",\"proof_system\":\"p\","
         "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":true,\"fields\":[]}",
         "proof_kind 'magic@9'", "unknown proof kind", ZKR_ERR_UNSUPPORTED},
        {"{\"version\":1,\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
         "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":true,\"fields\":[]}",
         "'name' is missing", "missing name", ZKR_ERR_MALFORMED},
        {"{\"name\":\"a\"} trailing", "schema.json", "trailing garbage", ZKR_ERR_MALFORMED},
        {"[1,2]", "JSON object", "not an object", ZKR_ERR_MALFORMED},
        {"{\"name\":\"a\",\"version\":1,\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
         "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":true,\"fields\":"
         "[{\"name\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
         "\"type\":\"u64\"}]}",
         "over 64 bytes", "oversize field name", ZKR_ERR_TOO_LARGE},
    };
    zkr_schema s, s2, got;
    zkr_buf canon = {0}, mine = {0};
    uint8_t h[32];
    uint64_t n0;
    zkr_diag d;
    zkr_err r;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zkr_diag_clear(&d);
        r = zkr_schema_parse("schema.json", (const uint8_t *)bad[i].json, strlen(bad[i].json), &s,
                             &d);
        zkr_tap_ok(t, r == bad[i].code && strstr(d.msg, bad[i].want) && strstr(d.msg, "schema.json"),
                   "schema with %s refused: %s", bad[i].what, d.msg);
    }
    r = zkr_schema_parse("s.json", (const uint8_t *)schema_json, strlen(schema_json), &s, &d);
    zkr_tap_ok(t, r == ZKR_OK && s.n_fields == 2 && strcmp(s.fields[0].name, "batch") == 0,
               "schema parses; fields sorted by name");
    r = zkr_schema_parse("s2.json", (const uint8_t *)schema_json_reordered,
                         strlen(schema_json_reordered), &s2, &d);
    zkr_tap_ok(t, r == ZKR_OK && memcmp(s.digest, s2.digest, 32) == 0,
               "digest is independent of JSON key order, field order and spacing");
    /* The canonical encoding, written out by hand from docs/formats.md. */
    {
        static const char *const strs1[] = {"fmnist-infer"};
        static const char *const strs2[] = {"inference@1", "zkreg-sumcheck-basefold",
                                            "goldilocks-128", "0.2.0"};
        for (size_t i = 0; i < 1; i++)
            (void)!zkr_enc_str(&mine, strs1[i]);
        (void)!zkr_enc_u64(&mine, 1);
        for (size_t i = 0; i < 4; i++)
            (void)!zkr_enc_str(&mine, strs2[i]);
        (void)!zkr_enc_u8(&mine, 1);
        (void)!zkr_enc_u32(&mine, 2);
        (void)!zkr_enc_str(&mine, "batch");
        (void)!zkr_enc_str(&mine, "u64-list");
        (void)!zkr_enc_str(&mine, "record_index");
        (void)!zkr_enc_str(&mine, "u64");
    }
    r = zkr_schema_encode(&s, &canon);
    zkr_sha256_tagged("zkreg/schema/v1", mine.p, mine.len, h);
    zkr_tap_ok(t, r == ZKR_OK && canon.len == mine.len && memcmp(canon.p, mine.p, mine.len) == 0 &&
                      memcmp(h, s.digest, 32) == 0,
               "schema canonical encoding and digest match the documented layout");
    zkr_tap_ok(t, zkr_schema_decode(canon.p, canon.len, &got, NULL) == ZKR_OK &&
                      memcmp(got.digest, s.digest, 32) == 0,
               "canonical schema decodes back to the same digest");
    {
        int all = 1;
        for (size_t n = 0; n < canon.len; n++)
            all &= zkr_schema_decode(canon.p, n, &got, NULL) == ZKR_ERR_MALFORMED;
        zkr_tap_ok(t, all, "canonical schema truncated at each of %zu lengths refused", canon.len);
    }
    r = zkr_registry_schema_add(f->reg, &s, out, &d);
    zkr_tap_ok(t, r == ZKR_OK && !out->existed, "schema registered");
    n0 = log_size(f->reg);
    r = zkr_registry_schema_add(f->reg, &s2, &got, &d);
    zkr_tap_ok(t, r == ZKR_OK && got.existed && log_size(f->reg) == n0,
               "identical schema again: existing returned, nothing written");
    s2.public_output = 0;
    (void)!zkr_buf_terminate(&canon);
    zkr_diag_clear(&d);
    {
        zkr_buf b = {0};
        (void)!zkr_schema_encode(&s2, &b);
        zkr_sha256_tagged("zkreg/schema/v1", b.p, b.len, s2.digest);
        zkr_buf_free(&b);
    }
    r = zkr_registry_schema_add(f->reg, &s2, &got, &d);
    zkr_tap_ok(t, r == ZKR_ERR_CONFLICT && zkr_err_exit_code(r) == 5 &&
                      strstr(d.msg, "fmnist-infer@1") && log_size(f->reg) == n0,
               "same name@version, other content: conflict (exit 5): %s", d.msg);
    zkr_buf_free(&canon);
    zkr_buf_free(&mine);
}

/* statement_id rebuilt from the documented canonical layout. */
static void expected_statement_id(const zkr_schema *sc, const zkr_artifact *prog,
                                  const zkr_artifact *model, const zkr_artifact *ds,
                                  uint64_t record_index, const uint8_t po_hash[32], uint8_t out[32])
{
    zkr_buf b = {0};
    uint8_t v[24];

    (void)!zkr_enc_str(&b, sc->name);
    (void)!zkr_enc_u64(&b, sc->version);
    (void)!zkr_enc_bytes(&b, sc->digest, 32);
    (void)!zkr_enc_bytes(&b, prog->sha256, 32);
    (void)!zkr_enc_bytes(&b, model->sha256, 32);
    (void)!zkr_enc_bytes(&b, NULL, 0);
    (void)!zkr_enc_bytes(&b, ds->sha256, 32);
    (void)!zkr_enc_u64(&b, ds->record_count);
    (void)!zkr_enc_bytes(&b, ds->records_root, 32);
    (void)!zkr_enc_bytes(&b, NULL, 0);
    (void)!zkr_enc_u32(&b, 2);
    (void)!zkr_enc_str(&b, "batch");
    (void)!zkr_enc_str(&b, "u64-list");
    zkr_store_be64(v, 1);
    zkr_store_be64(v + 8, 2);
    zkr_store_be64(v + 16, 3);
    (void)!zkr_enc_bytes(&b, v, 24);
    (void)!zkr_enc_str(&b, "record_index");
    (void)!zkr_enc_str(&b, "u64");
    zkr_store_be64(v, record_index);
    (void)!zkr_enc_bytes(&b, v, 8);
    (void)!zkr_enc_bytes(&b, po_hash, 32);
    zkr_sha256_tagged("zkreg/statement/v1", b.p, b.len, out);
    zkr_buf_free(&b);
}

static void test_statements(zkr_tap *t, fixture *f, const zkr_artifact *prog,
                            const zkr_artifact *model, const zkr_artifact *ds,
                            const zkr_schema *sc, zkr_statement *keep)
{
    char pr[24], mr[24], dr[24];
    zkr_kv good[2] = {{"record_index", "3"}, {"batch", "1,2,3"}};
    static const struct {
        zkr_kv kv[3];
        size_t n;
        const char *want, *what;
    } bad[] = {
        {{{"record_index", "3"}}, 1, "batch", "a missing field"},
        {{{"record_index", "3"}, {"batch", "1"}, {"lr", "5"}}, 3, "no field 'lr'", "an unknown field"},
        {{{"record_index", "3"}, {"record_index", "4"}}, 2, "given twice", "a duplicate field"},
        {{{"record_index", "-1"}, {"batch", "1"}}, 2, "record_index", "a negative u64"},
        {{{"record_index", "03"}, {"batch", "1"}}, 2, "record_index", "a leading zero"},
        {{{"record_index", "18446744073709551616"}, {"batch", "1"}}, 2, "record_index",
         "an overflowing u64"},
        {{{"record_index", "3"}, {"batch", "1,,2"}}, 2, "batch", "an empty list entry"},
    };
    zkr_statement s, s2;
    uint8_t want[32], po_hash[32];
    uint64_t n0;
    zkr_diag d;
    zkr_err r;

    snprintf(pr, sizeof pr, "%lld", (long long)prog->id);
    snprintf(mr, sizeof mr, "%lld", (long long)model->id);
    snprintf(dr, sizeof dr, "%lld", (long long)ds->id);
    n0 = log_size(f->reg);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zkr_diag_clear(&d);
        r = zkr_registry_statement_add(f->reg, "fmnist-infer@1", pr, mr, dr, bad[i].kv, bad[i].n,
                                       (const uint8_t *)"out", 3, &s, &d);
        zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, bad[i].want) && log_size(f->reg) == n0,
                   "statement with %s refused: %s", bad[i].what, d.msg);
        zkr_statement_free(&s);
    }
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "fmnist-infer@1", pr, mr, dr, good, 2, NULL, 0, &s, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "--public-output"),
               "missing public output refused: %s", d.msg);
    zkr_statement_free(&s);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "fmnist-infer@2", pr, mr, dr, good, 2,
                                   (const uint8_t *)"out", 3, &s, &d);
    zkr_tap_ok(t, r == ZKR_ERR_NOT_FOUND && strstr(d.msg, "fmnist-infer@2"),
               "unknown schema version: not found: %s", d.msg);
    zkr_statement_free(&s);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "fmnist-infer@1", mr, mr, dr, good, 2,
                                   (const uint8_t *)"out", 3, &s, &d);
    zkr_tap_ok(t, r == ZKR_ERR_NOT_FOUND, "a model given as --program: not found: %s", d.msg);
    zkr_statement_free(&s);
    {
        zkr_artifact p2, m2;
        char p2r[24], m2r[24];
        if (zkr_registry_program_add(f->reg, "p2", (const uint8_t *)"p2", 2, &p2, NULL) == ZKR_OK &&
            (snprintf(p2r, sizeof p2r, "%lld", (long long)p2.id), 1) &&
            zkr_registry_model_add(f->reg, "m2", p2r, (const uint8_t *)"m2", 2, NULL, &m2, NULL) ==
                ZKR_OK) {
            n0 = log_size(f->reg);
            snprintf(m2r, sizeof m2r, "%lld", (long long)m2.id);
            zkr_diag_clear(&d);
            r = zkr_registry_statement_add(f->reg, "fmnist-infer@1", pr, m2r, dr, good, 2,
                                           (const uint8_t *)"out", 3, &s, &d);
            zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_PROGRAM && zkr_err_exit_code(r) == 1 &&
                              log_size(f->reg) == n0,
                       "model of another program refused as a binding mismatch: %s", d.msg);
            zkr_statement_free(&s);
            /* The same weights under p2 too: by digest, each program gets its own row. */
            zkr_artifact again;
            char mh[65];
            zkr_kv one[2] = {{"record_index", "99"}, {"batch", "1"}};
            if (zkr_registry_model_add(f->reg, "w-p2", p2r, (const uint8_t *)"weights", 7, NULL,
                                       &again, NULL) == ZKR_OK &&
                zkr_hex_encode(model->sha256, 32, mh, sizeof mh) == ZKR_OK) {
                r = zkr_registry_statement_add(f->reg, "fmnist-infer@1", pr, mh, dr, one, 2,
                                               (const uint8_t *)"out", 3, &s, &d);
                zkr_tap_ok(t, r == ZKR_OK && again.id != model->id && s.model.id == model->id,
                           "weights under two programs: the model by digest binds this program's");
                zkr_statement_free(&s);
            }
        }
    }
    n0 = log_size(f->reg);
    r = zkr_registry_statement_add(f->reg, "fmnist-infer@1", pr, mr, dr, good, 2,
                                   (const uint8_t *)"out", 3, keep, &d);
    zkr_sha256((const uint8_t *)"out", 3, po_hash);
    expected_statement_id(sc, prog, model, ds, 3, po_hash, want);
    zkr_tap_ok(t, r == ZKR_OK && memcmp(keep->statement_id, want, 32) == 0 &&
                      log_size(f->reg) == n0 + 1,
               "statement_id = SHA-256(tag || documented canonical encoding)");
    r = zkr_registry_statement_add(f->reg, "fmnist-infer@1", pr, mr, dr, good, 2,
                                   (const uint8_t *)"out", 3, &s, &d);
    zkr_tap_ok(t, r == ZKR_OK && s.existed && log_size(f->reg) == n0 + 1,
               "identical statement again: existing, nothing written");
    zkr_statement_free(&s);
    good[0].value = "4";
    r = zkr_registry_statement_add(f->reg, "fmnist-infer@1", pr, mr, dr, good, 2,
                                   (const uint8_t *)"out", 3, &s, &d);
    zkr_tap_ok(t, r == ZKR_OK && memcmp(s.statement_id, keep->statement_id, 32) != 0,
               "a different record index gives a different statement_id");
    zkr_statement_free(&s);
    {
        char hex[65];
        zkr_hex_encode(keep->statement_id, 32, hex, sizeof hex) == ZKR_OK ? (void)0 : abort();
        r = zkr_registry_statement_get(f->reg, hex, &s2, &d);
        zkr_tap_ok(t, r == ZKR_OK && memcmp(s2.schema.digest, sc->digest, 32) == 0 &&
                          strcmp(s2.schema.verifier_version, "0.2.0") == 0 &&
                          memcmp(s2.program.sha256, prog->sha256, 32) == 0 &&
                          memcmp(s2.model.sha256, model->sha256, 32) == 0 &&
                          memcmp(s2.dataset.records_root, ds->records_root, 32) == 0 &&
                          s2.n_params == 2 && strcmp(s2.params[1].text, "3") == 0 &&
                          strcmp(s2.params[0].text, "1,2,3") == 0 && s2.has_public_output &&
                          memcmp(s2.public_output_sha256, po_hash, 32) == 0 &&
                          s2.public_output.len == 3,
                   "lookup returns every bound value");
        zkr_statement_free(&s2);
    }
    {
        uint8_t pd[32];
        uint64_t li = 0, li2 = 0;
        zkr_sha256((const uint8_t *)"proof", 5, pd);
        n0 = log_size(f->reg);
        r = zkr_registry_proof_record(f->reg, keep->statement_id, pd, "0.2.0", &li, &d);
        zkr_tap_ok(t, r == ZKR_OK && li == n0, "verified proof digest recorded at log %llu",
                   (unsigned long long)li);
        r = zkr_registry_proof_record(f->reg, keep->statement_id, pd, "0.2.0", &li2, &d);
        zkr_tap_ok(t, r == ZKR_OK && li2 == li && log_size(f->reg) == n0 + 1,
                   "recording it again changes nothing");
        r = zkr_registry_proof_record(f->reg, pd, pd, "0.2.0", &li2, NULL);
        zkr_tap_ok(t, r == ZKR_ERR_NOT_FOUND, "a proof for an unknown statement is refused");
    }
}

static void test_revocation(zkr_tap *t, fixture *f, const zkr_artifact *model)
{
    zkr_revocation rv, rv2;
    uint64_t n0;
    zkr_diag d;
    zkr_err r;

    zkr_tap_ok(t, zkr_registry_check_revoked(f->reg, ZKR_KIND_MODEL, model->sha256, NULL, NULL) ==
                      ZKR_OK,
               "model not revoked yet");
    zkr_diag_clear(&d);
    r = zkr_registry_revoke(f->reg, ZKR_KIND_MODEL, model->sha256, "", &rv, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "--reason"), "empty reason refused");
    n0 = log_size(f->reg);
    r = zkr_registry_revoke(f->reg, ZKR_KIND_MODEL, model->sha256, "leaked weights", &rv, &d);
    zkr_tap_ok(t, r == ZKR_OK && log_size(f->reg) == n0 + 1, "revocation recorded with a log entry");
    r = zkr_registry_revoke(f->reg, ZKR_KIND_MODEL, model->sha256, "again", &rv2, &d);
    zkr_tap_ok(t, r == ZKR_OK && rv2.existed && strcmp(rv2.reason, "leaked weights") == 0 &&
                      log_size(f->reg) == n0 + 1,
               "revoking again: the first revocation, nothing written");
    zkr_diag_clear(&d);
    r = zkr_registry_check_revoked(f->reg, ZKR_KIND_MODEL, model->sha256, &rv2, &d);
    zkr_tap_ok(t, r == ZKR_ERR_REVOKED && zkr_err_exit_code(r) == 6 && strstr(d.msg, "leaked"),
               "revocation check: revoked (exit 6): %s", d.msg);
}

/*
 * Migration 1 -> 2: a registry laid out as version 1 (the revocation CHECK
 * without 'verifier', no log(type) index) keeps its revocations, and
 * afterwards records and finds a verifier revocation.
 */
static void test_migration_v2(zkr_tap *t, fixture *f, const zkr_artifact *model)
{
    static const char v1[] =
        "DROP INDEX log_type; DROP TABLE revocation;"
        "CREATE TABLE revocation(id INTEGER PRIMARY KEY,"
        " kind TEXT NOT NULL CHECK(kind IN"
        "  ('program', 'model', 'dataset', 'schema', 'statement', 'key')),"
        " target BLOB NOT NULL CHECK(length(target) = 32), reason TEXT NOT NULL,"
        " created INTEGER NOT NULL, log_index INTEGER NOT NULL UNIQUE REFERENCES log(idx));"
        "CREATE INDEX revocation_target ON revocation(kind, target);";
    zkr_registry *reg = NULL;
    zkr_revocation rv;
    uint8_t target[32], other[32];
    uint64_t n = 0;
    char sql[2048];
    zkr_diag d;
    zkr_err r;

    zkr_registry_close(f->reg);
    f->reg = NULL;
    /* Keep the rows: copy them out, rebuild the v1 table, copy them back. */
    snprintf(sql, sizeof sql,
             "BEGIN; CREATE TEMP TABLE keep AS SELECT * FROM revocation; %s"
             " INSERT INTO revocation SELECT * FROM keep;"
             " DROP INDEX log_leaf_hash; DROP INDEX log_event_key; DROP INDEX artifact_sha256;"
             " DROP TRIGGER signer_key_no_update; DROP TRIGGER signer_key_no_delete;"
             " DROP TABLE signer_key; DROP TRIGGER meta_no_delete;"
             " DELETE FROM meta WHERE key = 'signer_key_rows_since';"
             " CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta"
             " BEGIN SELECT RAISE(ABORT, 'zkreg: table meta is append-only'); END;"
             " PRAGMA user_version = 1; COMMIT;",
             v1);
    zkr_tap_ok(t, exec_sql(f->db, sql) == SQLITE_OK, "a version-1 layout with its revocations");
    zkr_diag_clear(&d);
    r = zkr_registry_open(f->db, &reg, &d);
    zkr_tap_ok(t, r == ZKR_OK, "it opens and migrates (%s)", d.msg);
    if (r != ZKR_OK)
        return;
    f->reg = reg;
    zkr_diag_clear(&d);
    r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, model->sha256, NULL, &d);
    zkr_tap_ok(t, r == ZKR_ERR_REVOKED && strstr(d.msg, "leaked"),
               "the model's revocation survived the migration: %s", d.msg);
    zkr_tap_ok(t, zkr_registry_verifier_target("inference@1", "0.1.0", target, NULL) == ZKR_OK &&
                      zkr_registry_verifier_target("inference@1", "0.1.1", other, NULL) == ZKR_OK &&
                      memcmp(target, other, 32) != 0 &&
                      zkr_registry_verifier_target("inference", "0.1.0", other, NULL) ==
                          ZKR_ERR_MALFORMED &&
                      zkr_registry_verifier_target("inference@1", "0.1@0", other, NULL) ==
                          ZKR_ERR_MALFORMED,
               "verifier targets: one per KIND@VERSION, malformed names refused");
    zkr_diag_clear(&d);
    r = zkr_registry_revoke(reg, ZKR_KIND_VERIFIER, target, "unsound sumcheck", &rv, &d);
    zkr_tap_ok(t, r == ZKR_OK, "a verifier revocation is recorded after the migration (%s)", d.msg);
    zkr_diag_clear(&d);
    r = zkr_registry_verifier_revoked(reg, "inference@1", "0.1.0", &d);
    zkr_tap_ok(t, r == ZKR_ERR_REVOKED && strstr(d.msg, "inference@1@0.1.0") &&
                      strstr(d.msg, "unsound sumcheck"),
               "verifier inference@1@0.1.0 revoked: %s", d.msg);
    zkr_tap_ok(t, zkr_registry_verifier_revoked(reg, NULL, "0.1.0", NULL) == ZKR_ERR_REVOKED &&
                      zkr_registry_verifier_revoked(reg, "training-step@1", "0.1.0", NULL) ==
                          ZKR_OK &&
                      zkr_registry_verifier_revoked(reg, "inference@1", "0.2.0", NULL) == ZKR_OK,
               "the kind matters when known; an unknown kind checks every kind (fail closed)");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_log_audit(reg, &n, &d) == ZKR_OK, "the migrated registry audits "
               "clean (%s)", d.msg);
}

/* A caller's write transaction: calls inside join it; only its commit keeps their writes. */
static void test_write_transaction(zkr_tap *t, fixture *f)
{
    uint64_t n0 = log_size(f->reg), idx = 0;
    zkr_diag d;

    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_write_begin(f->reg, &d) == ZKR_OK &&
                      zkr_registry_write_begin(f->reg, NULL) == ZKR_ERR_INTERNAL,
               "write_begin, and a second one refused (%s)", d.msg);
    zkr_tap_ok(t, zkr_registry_event_append(f->reg, "test-event", (const uint8_t *)"x", 1, &idx,
                                            &d) == ZKR_OK &&
                      log_size(f->reg) == n0 + 1,
               "an event appended inside it");
    zkr_registry_end(f->reg);
    zkr_tap_ok(t, log_size(f->reg) == n0, "zkr_registry_end rolls it back");
    zkr_tap_ok(t, zkr_registry_write_begin(f->reg, &d) == ZKR_OK &&
                      zkr_registry_event_append(f->reg, "test-event", (const uint8_t *)"x", 1,
                                                &idx, &d) == ZKR_OK &&
                      zkr_registry_write_commit(f->reg, &d) == ZKR_OK &&
                      log_size(f->reg) == n0 + 1,
               "write_commit keeps it (%s)", d.msg);
    zkr_tap_ok(t, zkr_registry_write_commit(f->reg, NULL) == ZKR_ERR_INTERNAL,
               "no transaction left to commit");
}

static void test_append_only(zkr_tap *t, fixture *f)
{
    static const char *const stmts[] = {
        "UPDATE artifact SET name = 'x'",   "DELETE FROM artifact",
        "UPDATE log SET type = 'x'",        "DELETE FROM log WHERE idx = 0",
        "UPDATE log_node SET hash = hash",  "DELETE FROM statement",
        "UPDATE schema SET version = 9",    "DELETE FROM revocation",
        "UPDATE meta SET value = x'00'",    "DELETE FROM checkpoint",
        "DELETE FROM dataset_leaves",       "UPDATE proof SET verifier_version = 'x'",
        "INSERT INTO log(idx, type, time, leaf, leaf_hash) VALUES(999999, 'x', 0, x'00', "
        "zeroblob(32))",
    };
    uint8_t h1[32], h2[32];
    int all = 1;

    rt_file_hash(f->db, h1);
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        int rc = exec_sql(f->db, stmts[i]);
        all &= rc != SQLITE_OK;
        if (rc == SQLITE_OK)
            zkr_tap_diag("not refused: %s", stmts[i]);
    }
    rt_file_hash(f->db, h2);
    zkr_tap_ok(t, all && memcmp(h1, h2, 32) == 0,
               "SQL triggers refuse every UPDATE, DELETE and out-of-order log insert");
}

static void test_log_tree(zkr_tap *t, fixture *f)
{
    digest_t *leaves = NULL;
    uint64_t n = 0, checks = 0, bad = 0;
    digest_t root, ref, p1[ZKR_MERKLE_MAX_DEPTH * 2], p2[ZKR_MERKLE_MAX_DEPTH * 2];
    size_t l1, l2;
    uint64_t li;
    zkr_diag d;

    zkr_tap_ok(t, zkr_registry_event_append(f->reg, "statement", (const uint8_t *)"x", 1, &li, &d) ==
                      ZKR_ERR_USAGE,
               "a registry event type cannot be appended by others");
    for (int i = 0; i < 150; i++) {
        uint8_t payload[8];
        zkr_store_be64(payload, zkr_tap_rand(t));
        if (zkr_registry_event_append(f->reg, "attestation", payload, sizeof payload, &li, NULL) !=
            ZKR_OK)
            bad++;
    }
    zkr_tap_ok(t, bad == 0, "150 typed events appended");
    n = log_size(f->reg);
    if (!zkr_tap_ok(t, n > 0 && n < 100000, "log size %llu", (unsigned long long)n))
        return;
    leaves = calloc((size_t)n, sizeof *leaves);
    if (leaves == NULL)
        return;
    for (uint64_t i = 0; i < n; i++) {
        zkr_log_entry e;
        if (zkr_registry_log_entry(f->reg, i, &e, NULL) == ZKR_OK) {
            zkr_merkle_leaf_hash(e.leaf.p, e.leaf.len, leaves[i]);
            bad += memcmp(leaves[i], e.leaf_hash, 32) != 0;
        } else {
            bad++;
        }
        zkr_log_entry_free(&e);
    }
    for (uint64_t size = 1; size <= n; size++) {
        if ((zkr_registry_log_root(f->reg, size, root, NULL) != ZKR_OK) ||
            zkr_merkle_root((const digest_t *)leaves, size, ref) != ZKR_OK || memcmp(root, ref, 32))
            bad++;
        for (int k = 0; k < 3; k++) {
            uint64_t i = zkr_tap_rand(t) % size, m = 1 + zkr_tap_rand(t) % size;
            checks++;
            if (zkr_registry_log_inclusion(f->reg, i, size, p1, &l1, NULL) != ZKR_OK ||
                zkr_merkle_inclusion_proof((const digest_t *)leaves, size, i, p2, &l2) != ZKR_OK ||
                l1 != l2 || memcmp(p1, p2, l1 * 32) != 0 ||
                zkr_merkle_inclusion_verify(leaves[i], i, size, (const digest_t *)p1, l1, root) !=
                    ZKR_OK)
                bad++;
            if (zkr_registry_log_consistency(f->reg, m, size, p1, &l1, NULL) != ZKR_OK ||
                zkr_merkle_consistency_proof((const digest_t *)leaves, m, size, p2, &l2) != ZKR_OK ||
                l1 != l2 || memcmp(p1, p2, l1 * 32) != 0)
                bad++;
        }
    }
    zkr_tap_ok(t, bad == 0,
               "cached-tree roots, %llu inclusion and consistency proofs equal the reference code",
               (unsigned long long)checks);
    zkr_tap_ok(t, zkr_registry_log_root(f->reg, n + 1, root, NULL) == ZKR_ERR_NOT_FOUND,
               "a root past the end is refused");
    free(leaves);
}

static void test_checkpoint(zkr_tap *t, fixture *f, zkr_buf *note_out)
{
    zkr_buf note = {0}, vk = {0}, vk2 = {0};
    zkr_checkpoint cp;
    zkr_secret wrong;
    digest_t root;
    int all = 1;
    zkr_diag d;
    zkr_err r;

    rt_pass(&wrong, "wrong passphrase");
    zkr_diag_clear(&d);
    r = zkr_registry_checkpoint_sign(f->reg, &wrong, &note, &d);
    zkr_tap_ok(t, r == ZKR_ERR_PASSPHRASE && zkr_err_exit_code(r) == 7,
               "wrong passphrase refused (exit 7): %s", d.msg);
    rt_pass_free(&wrong);
    r = zkr_registry_checkpoint_sign(f->reg, &f->pass, &note, &d);
    (void)!zkr_registry_verifier_key(f->reg, &vk);
    zkr_tap_ok(t, r == ZKR_OK && zkr_checkpoint_verify(note.p, note.len, (const char *)vk.p, &cp,
                                                      &d) == ZKR_OK &&
                      cp.size == log_size(f->reg),
               "checkpoint signed and verifies: %s", d.msg);
    (void)!zkr_registry_log_root(f->reg, cp.size, root, NULL);
    zkr_tap_ok(t, memcmp(root, cp.root, 32) == 0, "checkpoint root is the log root");
    for (size_t i = 0; i < note.len; i++)
        for (int bit = 0; bit < 8; bit++) {
            zkr_checkpoint c2;
            note.p[i] ^= (uint8_t)(1 << bit);
            all &= zkr_checkpoint_verify(note.p, note.len, (const char *)vk.p, &c2, NULL) != ZKR_OK;
            note.p[i] ^= (uint8_t)(1 << bit);
        }
    zkr_tap_ok(t, all, "every bit flip in the note is refused (no malleable base64)");
    all = 1;
    for (size_t n = 0; n < note.len; n++)
        all &= zkr_checkpoint_verify(note.p, n, (const char *)vk.p, &cp, NULL) != ZKR_OK;
    zkr_tap_ok(t, all, "every truncation of the note is refused");
    {
        fixture g;
        memset(&g, 0, sizeof g);
        memcpy(g.dir, f->dir, sizeof g.dir);
        fx_open(t, &g, "other.db");
        (void)!zkr_registry_verifier_key(g.reg, &vk2);
        zkr_diag_clear(&d);
        r = zkr_checkpoint_verify(note.p, note.len, (const char *)vk2.p, &cp, &d);
        zkr_tap_ok(t, r == ZKR_ERR_SIGNATURE, "another appliance's key does not verify it: %s",
                   d.msg);
        fx_close(&g);
    }
    (void)!zkr_buf_append(note_out, note.p, note.len);
    zkr_buf_free(&note);
    zkr_buf_free(&vk);
    zkr_buf_free(&vk2);
}

static void test_export_import(zkr_tap *t, fixture *f, const zkr_statement *st)
{
    zkr_buf b1 = {0}, b2 = {0}, bad = {0}, vk = {0};
    zkr_import_summary sum;
    fixture g, c;
    uint8_t h1[32], h2[32];
    int flips_refused = 1, trunc_refused = 1;
    zkr_diag d;
    zkr_err r;

    (void)!zkr_registry_verifier_key(f->reg, &vk);
    r = zkr_registry_export(f->reg, NULL, 0, NULL, &b1, &d);
    zkr_tap_ok(t, r == ZKR_OK, "export of everything (%zu bytes)", b1.len);
    (void)!zkr_registry_export(f->reg, NULL, 0, NULL, &b2, &d);
    zkr_tap_ok(t, b1.len == b2.len && memcmp(b1.p, b2.p, b1.len) == 0,
               "two exports are byte-identical");
    memset(&g, 0, sizeof g);
    memcpy(g.dir, f->dir, sizeof g.dir);
    fx_open(t, &g, "import.db");
    zkr_registry_close(g.reg);
    rt_file_hash(g.db, h1);
    if (zkr_registry_open(g.db, &g.reg, NULL) != ZKR_OK)
        return;
    zkr_diag_clear(&d);
    r = zkr_registry_import(g.reg, b1.p, b1.len, NULL, &sum, &d);
    zkr_tap_ok(t, r == ZKR_ERR_SIGNATURE, "import without trusting the exporter's key refused: %s",
               d.msg);
    for (size_t i = 0; i < b1.len; i++) {
        bad.len = 0;
        (void)!zkr_buf_append(&bad, b1.p, b1.len);
        bad.p[i] ^= (uint8_t)(1 << (zkr_tap_rand(t) % 8));
        if (zkr_registry_import(g.reg, bad.p, bad.len, (const char *)vk.p, &sum, NULL) == ZKR_OK) {
            flips_refused = 0;
            zkr_tap_diag("flip at byte %zu accepted", i);
            break;
        }
    }
    zkr_tap_ok(t, flips_refused, "a bit flip at each of %zu bytes refused", b1.len);
    for (size_t n = 0; n < b1.len; n++)
        if (zkr_registry_import(g.reg, b1.p, n, (const char *)vk.p, &sum, NULL) == ZKR_OK) {
            trunc_refused = 0;
            break;
        }
    zkr_tap_ok(t, trunc_refused, "truncation at each length refused");
    zkr_registry_close(g.reg);
    rt_file_hash(g.db, h2);
    zkr_tap_ok(t, memcmp(h1, h2, 32) == 0, "after all refused imports the file is unchanged");
    if (zkr_registry_open(g.db, &g.reg, NULL) != ZKR_OK)
        return;
    r = zkr_registry_import(g.reg, b1.p, b1.len, (const char *)vk.p, &sum, &d);
    zkr_tap_ok(t, r == ZKR_OK && sum.added == sum.entries && sum.entries > 0,
               "import with the trusted key: %llu entries added (%s)",
               (unsigned long long)sum.added, d.msg);
    {
        zkr_statement s2;
        char hex[65];
        uint64_t n = 0;
        zkr_hex_encode(st->statement_id, 32, hex, sizeof hex) == ZKR_OK ? (void)0 : abort();
        r = zkr_registry_statement_get(g.reg, hex, &s2, &d);
        zkr_tap_ok(t, r == ZKR_OK && s2.canonical.len == st->canonical.len &&
                          memcmp(s2.canonical.p, st->canonical.p, st->canonical.len) == 0 &&
                          s2.public_output.len == 3,
                   "imported statement is identical, public output included");
        zkr_statement_free(&s2);
        zkr_tap_ok(t, zkr_registry_log_audit(g.reg, &n, &d) == ZKR_OK,
                   "importer's log audits clean (%s)", d.msg);
    }
    r = zkr_registry_import(g.reg, b1.p, b1.len, (const char *)vk.p, &sum, &d);
    zkr_tap_ok(t, r == ZKR_OK && sum.added == 0, "importing again adds nothing");
    fx_close(&g);

    /* A registry holding fmnist-infer@1 with other content: conflict, unchanged. */
    memset(&c, 0, sizeof c);
    memcpy(c.dir, f->dir, sizeof c.dir);
    fx_open(t, &c, "conflict.db");
    {
        zkr_schema s, out;
        const char *other = schema_json_other;
        if (zkr_schema_parse("o.json", (const uint8_t *)other, strlen(other), &s, &d) == ZKR_OK &&
            zkr_registry_schema_add(c.reg, &s, &out, &d) == ZKR_OK) {
            zkr_registry_close(c.reg);
            rt_file_hash(c.db, h1);
            if (zkr_registry_open(c.db, &c.reg, NULL) == ZKR_OK) {
                zkr_diag_clear(&d);
                r = zkr_registry_import(c.reg, b1.p, b1.len, (const char *)vk.p, &sum, &d);
                zkr_registry_close(c.reg);
                c.reg = NULL;
                rt_file_hash(c.db, h2);
                zkr_tap_ok(t, r == ZKR_ERR_CONFLICT && memcmp(h1, h2, 32) == 0,
                           "bundle schema conflicting with a local one: refused, unchanged: %s",
                           d.msg);
            }
        } else {
            zkr_tap_ok(t, 0, "set up the conflicting schema (%s)", d.msg);
        }
    }
    fx_close(&c);
    zkr_buf_free(&b1);
    zkr_buf_free(&b2);
    zkr_buf_free(&bad);
    zkr_buf_free(&vk);
}

static void test_audit_tamper(zkr_tap *t, fixture *f)
{
    uint64_t n = 0;
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    r = zkr_registry_log_audit(f->reg, &n, &d);
    zkr_tap_ok(t, r == ZKR_OK && n == log_size(f->reg), "audit of the registry passes (%s)", d.msg);
    zkr_registry_close(f->reg);
    f->reg = NULL;
    /* An insider with the file: drop the trigger and rewrite a leaf. */
    if (exec_sql(f->db, "DROP TRIGGER log_no_update;"
                        "UPDATE log SET leaf = x'01' || substr(leaf, 2) WHERE idx = 2") != SQLITE_OK) {
        zkr_tap_ok(t, 0, "tamper set-up");
        return;
    }
    if (zkr_registry_open(f->db, &f->reg, NULL) != ZKR_OK)
        return;
    zkr_diag_clear(&d);
    r = zkr_registry_log_audit(f->reg, &n, &d);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY && strstr(d.msg, "2"), "a rewritten leaf fails the audit: %s",
               d.msg);
}

/* Decodes a with one field changed by edit; returns the decoder's verdict. */
static zkr_err v2_event_edit(const zkr_artifact *a, void (*edit)(zkr_artifact *),
                             zkr_diag *d)
{
    zkr_artifact x = *a, back;
    zkr_buf b = {0};
    zkr_err r;

    edit(&x);
    zkr_diag_clear(d);
    if ((r = zkr_artifact_encode(&x, &b)) == ZKR_OK)
        r = zkr_artifact_decode(b.p, b.len, &back, d);
    zkr_buf_free(&b);
    return r;
}

static void edit_none(zkr_artifact *a) { (void)a; }
static void edit_sha(zkr_artifact *a) { a->sha256[0] ^= 1; }
static void edit_root(zkr_artifact *a) { a->records_root[31] ^= 0x80; }
static void edit_count(zkr_artifact *a) { a->record_count++; }
static void edit_format(zkr_artifact *a) { strcpy(a->dataset_format, "idx@2"); }
static void edit_count0(zkr_artifact *a)
{
    zkr_dscommit c = {.version = ZKR_DSCOMMIT_VERSION, .format = ZKR_DATASET_LINES, .count = 0};
    memcpy(c.root, a->records_root, 32);
    a->record_count = 0;
    if (zkr_dscommit_digest(&c, a->sha256) != ZKR_OK) /* consistent digest: only the count is bad */
        a->sha256[0] ^= 1;
}

/*
 * Issue 13 (adversary): a version 2 dataset event must carry the digest of
 * its own commitment fields, and an imported statement must meet the v1/v2
 * rule a local registration meets. Both arrive from bundles unchecked before.
 */
static void test_v2_events(zkr_tap *t, fixture *f, const zkr_artifact *ds1,
                           const zkr_statement *keep, zkr_artifact *d2_out)
{
    static const struct {
        void (*edit)(zkr_artifact *);
        const char *what;
    } bad[] = {
        {edit_sha, "a digest that is not its fields'"},
        {edit_root, "another root under the same digest"},
        {edit_count, "another record count under the same digest"},
        {edit_format, "another format under the same digest"},
        {edit_count0, "0 records (digest consistent)"},
    };
    zkr_dscommit c = {.version = ZKR_DSCOMMIT_VERSION, .format = ZKR_DATASET_LINES, .count = 3};
    zkr_artifact d2, alias;
    zkr_statement s2, out;
    zkr_buf b = {0}, canon = {0};
    zkr_diag d;
    zkr_err r;

    memset(c.root, 0x5a, sizeof c.root);
    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_dscommit_digest(&c, c.digest) == ZKR_OK &&
                           zkr_registry_dataset_add_commitment(f->reg, "hidden", &c, "c.bin", &d2,
                                                               &d) == ZKR_OK,
                    "register a version 2 dataset (%s)", d.msg))
        return;
    *d2_out = d2;
    r = v2_event_edit(&d2, edit_none, &d);
    zkr_tap_ok(t, r == ZKR_OK, "its artifact event decodes (%s)", d.msg);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = v2_event_edit(&d2, bad[i].edit, &d);
        zkr_tap_ok(t, r == ZKR_ERR_MALFORMED, "v2 event with %s refused: %s", bad[i].what, d.msg);
    }
    /* Aliasing: a v2 event under a v1 dataset's sha256. */
    alias = d2;
    memcpy(alias.sha256, ds1->sha256, 32);
    zkr_diag_clear(&d);
    r = zkr_artifact_encode(&alias, &b) == ZKR_OK ? zkr_artifact_decode(b.p, b.len, &alias, &d)
                                                   : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED, "v2 event under a v1 dataset's sha256 refused: %s",
               d.msg);
    zkr_buf_free(&b);

    /* The statement kept (inference@1 over a v1 dataset) decodes; over d2 it must not. */
    zkr_diag_clear(&d);
    memset(&out, 0, sizeof out);
    r = zkr_statement_event_payload(keep, &b) == ZKR_OK
            ? zkr_registry_statement_from_event(f->reg, b.p, b.len, &out, &d)
            : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_OK, "the inference@1 statement over a v1 dataset imports (%s)", d.msg);
    zkr_statement_free(&out);
    zkr_buf_free(&b);
    s2 = *keep; /* shallow: keep owns the heap parts, s2 is only encoded */
    s2.dataset = d2;
    memset(&s2.canonical, 0, sizeof s2.canonical);
    zkr_diag_clear(&d);
    memset(&out, 0, sizeof out);
    r = zkr_statement_encode(&s2, &canon) == ZKR_OK &&
                (s2.canonical = canon, zkr_statement_event_payload(&s2, &b) == ZKR_OK)
            ? zkr_registry_statement_from_event(f->reg, b.p, b.len, &out, &d)
            : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "version 1"),
               "an inference@1 statement event over a v2 dataset is refused: %s", d.msg);
    zkr_statement_free(&out);
    zkr_buf_free(&b);
    zkr_buf_free(&canon);
}

/*
 * Found in adversarial review (training-step@2 wiring): a statement event
 * naming one record twice in record_indices imported, though a local
 * registration refuses it; proving it reserved that record's reveal budget
 * twice for a proof every verifier refuses. The import now applies the
 * kind's field rules.
 */
static const char schema_train_rep[] =
    "{\"name\": \"rep-train\", \"version\": 1, \"proof_kind\": \"training-step@1\",\n"
    " \"proof_system\": \"zkreg-sumcheck-basefold\", \"parameter_set\": \"goldilocks-128\",\n"
    " \"verifier_version\": \"0.2.0\", \"public_output\": false,\n"
    " \"fields\": [{\"name\": \"record_indices\", \"type\": \"u64-list\"}]}";

static void test_repeat_import(zkr_tap *t, fixture *f, const zkr_artifact *prog,
                               const zkr_artifact *ds)
{
    char pr[24], mr[24], dr[24], sr[96];
    zkr_artifact model_rep, *model = &model_rep;
    zkr_kv kv = {"record_indices", "1,2"};
    zkr_schema sc, got;
    zkr_statement st, s2, out;
    zkr_buf b = {0}, canon = {0};
    uint8_t twice[16];
    zkr_diag d;
    zkr_err r;

    memset(&st, 0, sizeof st);
    snprintf(pr, sizeof pr, "%lld", (long long)prog->id);
    snprintf(dr, sizeof dr, "%lld", (long long)ds->id);
    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_registry_model_add(f->reg, "m-rep", pr, (const uint8_t *)"mrep", 4,
                                              NULL, model, &d) == ZKR_OK,
                    "a public model, not revoked (%s)", d.msg))
        return;
    snprintf(mr, sizeof mr, "%lld", (long long)model->id);
    if (!zkr_tap_ok(t, zkr_schema_parse("rep.json", (const uint8_t *)schema_train_rep,
                                        strlen(schema_train_rep), &sc, &d) == ZKR_OK &&
                           zkr_registry_schema_add(f->reg, &sc, &got, &d) == ZKR_OK,
                    "a training-step@1 schema (%s)", d.msg))
        return;
    snprintf(sr, sizeof sr, "%s@%llu", got.name, (unsigned long long)got.version);
    if (!zkr_tap_ok(t, zkr_registry_statement_add(f->reg, sr, pr, mr, dr, &kv, 1, NULL, 0, &st,
                                                  &d) == ZKR_OK,
                    "a statement on records 1,2 (%s)", d.msg))
        return;
    zkr_diag_clear(&d);
    memset(&out, 0, sizeof out);
    r = zkr_statement_event_payload(&st, &b) == ZKR_OK
            ? zkr_registry_statement_from_event(f->reg, b.p, b.len, &out, &d)
            : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_OK, "its event imports (%s)", d.msg);
    zkr_statement_free(&out);
    zkr_buf_free(&b);
    /* The same statement naming record 1 twice, re-encoded canonically. */
    zkr_store_be64(twice, 1);
    zkr_store_be64(twice + 8, 1);
    s2 = st; /* shallow: st owns the heap parts, s2 is only encoded */
    s2.params[0].value = twice;
    s2.params[0].value_len = sizeof twice;
    memset(&s2.canonical, 0, sizeof s2.canonical);
    zkr_diag_clear(&d);
    memset(&out, 0, sizeof out);
    r = zkr_statement_encode(&s2, &canon) == ZKR_OK &&
                (s2.canonical = canon, zkr_statement_event_payload(&s2, &b) == ZKR_OK)
            ? zkr_registry_statement_from_event(f->reg, b.p, b.len, &out, &d)
            : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "twice"),
               "a statement event naming record 1 twice is refused: %s", d.msg);
    zkr_statement_free(&out);
    zkr_statement_free(&st);
    zkr_buf_free(&b);
    zkr_buf_free(&canon);
}

/*
 * Issue 13 (adversary): a round over a hiding (v2) dataset, logged by a
 * registry that did not check (the registry API, or a modified exporter),
 * must not import: training-step@1 reads records in the clear.
 */
static void test_v2_round_import(zkr_tap *t, fixture *f, const zkr_artifact *prog,
                                 const zkr_artifact *d2, const zkr_schema *sc)
{
    uint8_t mc[32], dig[32];
    char pr[24];
    zkr_artifact m3;
    zkr_round_open o;
    zkr_import_summary sum;
    zkr_buf b = {0}, vk = {0};
    fixture g;
    uint64_t idx = 0;
    zkr_diag d;
    zkr_err r;

    memset(&o, 0, sizeof o);
    memset(mc, 0x33, sizeof mc);
    snprintf(pr, sizeof pr, "%lld", (long long)prog->id);
    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_registry_model_add(f->reg, "m-v2", pr, (const uint8_t *)"mv2", 3, mc,
                                              &m3, &d) == ZKR_OK,
                    "a model with a commitment (%s)", d.msg))
        return;
    o.version = 2;
    memset(o.nonce, 0x44, sizeof o.nonce);
    memcpy(o.parent, m3.sha256, 32);
    memcpy(o.parent_commitment, mc, 32);
    memcpy(o.dataset, d2->sha256, 32);
    memcpy(o.schema, sc->digest, 32);
    o.workers = 1;
    o.per_worker = 1;
    o.lr = 1;
    o.shift = 1;
    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_registry_origin(f->reg, o.origin, &d) == ZKR_OK &&
                           zkr_registry_round_open(f->reg, &o, &idx, dig, &d) == ZKR_OK,
                    "the exporter logs a round-open over the v2 dataset (%s)", d.msg))
        return;
    (void)!zkr_registry_verifier_key(f->reg, &vk);
    zkr_diag_clear(&d);
    r = zkr_registry_export(f->reg, NULL, 0, &f->pass, &b, &d);
    memset(&g, 0, sizeof g);
    memcpy(g.dir, f->dir, sizeof g.dir);
    fx_open(t, &g, "import-v2.db");
    zkr_diag_clear(&d);
    if (r == ZKR_OK)
        r = zkr_registry_import(g.reg, b.p, b.len, (const char *)vk.p, &sum, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "version 2"),
               "import refuses the round-open over a v2 dataset: %s", d.msg);
    fx_close(&g);
    zkr_buf_free(&b);
    zkr_buf_free(&vk);
}

/*
 * Adversarial review (gated rounds on private shards): `round open` refuses
 * an evaluation gate on a version 2 or 3 dataset (evaluation-fixed@1
 * proves over public records only), but import took a gated round-open
 * whose evaluation dataset is a hiding one, logged by a registry that did
 * not check (the registry API, or a modified exporter); likewise a gate on
 * a schema of another kind or a K above the evaluation dataset's count.
 * Import now applies round open's rules (exit 3); the twin as `round open`
 * makes it imports.
 */
static const char schema_evalf[] =
    "{\"name\": \"gate-ev\", \"version\": 1, \"proof_kind\": \"evaluation-fixed@1\",\n"
    " \"proof_system\": \"zkreg-sumcheck-basefold\", \"parameter_set\": \"goldilocks-128\",\n"
    " \"verifier_version\": \"0.2.0\", \"public_output\": true,\n"
    " \"fields\": [{\"name\": \"record_first\", \"type\": \"u64\"},\n"
    "            {\"name\": \"record_count\", \"type\": \"u64\"}]}";

/*
 * A source registry with one gated round-open, imported. mode 0: as `round
 * open` makes it; 1: a version 2 evaluation dataset; 2: an evaluation
 * schema of kind training-step@1; 3: K above the evaluation dataset's count.
 */
static zkr_err gate_import(zkr_tap *t, const char *dir, int mode, zkr_diag *d)
{
    zkr_dscommit c = {.version = ZKR_DSCOMMIT_VERSION, .format = ZKR_DATASET_LINES, .count = 3};
    uint8_t mc[32], dig[32];
    char pr[24], path[512], name[32];
    zkr_artifact prog, m, ds, d2;
    zkr_schema sc, ev, got;
    zkr_dataset *dsf = NULL;
    zkr_round_open o;
    zkr_import_summary sum;
    zkr_buf b = {0}, vk = {0};
    fixture s, g;
    uint64_t idx = 0;
    zkr_err r;

    memset(&s, 0, sizeof s);
    memset(&g, 0, sizeof g);
    memset(&o, 0, sizeof o);
    memcpy(s.dir, dir, sizeof s.dir);
    memcpy(g.dir, dir, sizeof g.dir);
    snprintf(name, sizeof name, "gate-src%d.db", mode);
    fx_open(t, &s, name);
    memset(mc, 0x35, sizeof mc);
    memset(c.root, 0x5b, sizeof c.root);
    rt_path(path, dir, "gate-lines.txt");
    rt_write(path, "r0\nr1\nr2\nr3\n", 12);
    zkr_diag_clear(d);
    r = zkr_registry_program_add(s.reg, "g.onnx", (const uint8_t *)"gate-prog", 9, &prog, d);
    snprintf(pr, sizeof pr, "%lld", (long long)prog.id);
    if (r == ZKR_OK)
        r = zkr_registry_model_add(s.reg, "g-m", pr, (const uint8_t *)"gm", 2, mc, &m, d);
    if (r == ZKR_OK && (r = zkr_dataset_open(path, &dsf, d)) == ZKR_OK)
        r = zkr_registry_dataset_add(s.reg, "g-lines", dsf, path, NULL, &ds, d);
    if (r == ZKR_OK && (r = zkr_dscommit_digest(&c, c.digest)) == ZKR_OK)
        r = zkr_registry_dataset_add_commitment(s.reg, "g-hidden", &c, "g.bin", &d2, d);
    if (r == ZKR_OK && (r = zkr_schema_parse("t.json", (const uint8_t *)schema_train_rep,
                                             strlen(schema_train_rep), &sc, d)) == ZKR_OK)
        r = zkr_registry_schema_add(s.reg, &sc, &got, d);
    if (r == ZKR_OK && (r = zkr_schema_parse("e.json", (const uint8_t *)schema_evalf,
                                             strlen(schema_evalf), &ev, d)) == ZKR_OK)
        r = zkr_registry_schema_add(s.reg, &ev, &got, d);
    if (!zkr_tap_ok(t, r == ZKR_OK, "gate source %d: program, model, datasets, schemas (%s)",
                    mode, d->msg))
        goto out;
    o.version = 3;
    memset(o.nonce, 0x46, sizeof o.nonce);
    memcpy(o.parent, m.sha256, 32);
    memcpy(o.parent_commitment, mc, 32);
    memcpy(o.dataset, ds.sha256, 32);
    memcpy(o.schema, sc.digest, 32);
    memcpy(o.eval_dataset, mode == 1 ? d2.sha256 : ds.sha256, 32);
    memcpy(o.eval_schema, mode == 2 ? sc.digest : ev.digest, 32);
    o.min_correct = mode == 3 ? 5 : 1; /* the v1 dataset has 4 records */
    o.workers = 1;
    o.per_worker = 1;
    o.lr = 1;
    o.shift = 1;
    zkr_diag_clear(d);
    if (!zkr_tap_ok(t, zkr_registry_origin(s.reg, o.origin, d) == ZKR_OK &&
                           zkr_registry_round_open(s.reg, &o, &idx, dig, d) == ZKR_OK,
                    "the exporter logs a gated round-open, mode %d (%s)", mode,
                    d->msg)) {
        r = ZKR_ERR_INTERNAL;
        goto out;
    }
    (void)!zkr_registry_verifier_key(s.reg, &vk);
    zkr_diag_clear(d);
    r = zkr_registry_export(s.reg, NULL, 0, &s.pass, &b, d);
    snprintf(name, sizeof name, "gate-dst%d.db", mode);
    fx_open(t, &g, name);
    zkr_diag_clear(d);
    if (r == ZKR_OK)
        r = zkr_registry_import(g.reg, b.p, b.len, (const char *)vk.p, &sum, d);
    fx_close(&g);
out:
    zkr_dataset_free(dsf);
    fx_close(&s);
    zkr_buf_free(&b);
    zkr_buf_free(&vk);
    return r;
}

static void test_gate_v2_import(zkr_tap *t, const fixture *f)
{
    zkr_diag d;
    zkr_err r;

    r = gate_import(t, f->dir, 0, &d);
    zkr_tap_ok(t, r == ZKR_OK, "a gated round-open on a version 1 evaluation dataset imports (%s)",
               d.msg);
    r = gate_import(t, f->dir, 1, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "evaluation dataset") &&
                      strstr(d.msg, "version 1"),
               "import refuses a gated round-open on a version 2 evaluation dataset: %s", d.msg);
    r = gate_import(t, f->dir, 2, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "evaluation-fixed@1"),
               "import refuses a gated round-open on a training-step@1 schema: %s", d.msg);
    r = gate_import(t, f->dir, 3, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "K 5"),
               "import refuses a gated round-open with K 5 over 4 evaluation records: %s", d.msg);
}

/*
 * Private models (issue 13): the registry holds only the hiding model
 * commitment (format "mc@2"); inference@2 statements need a private model
 * and bind a 48-byte output commitment when the output is hidden; @1 kinds
 * refuse private models; imported events meet the same rules.
 */
static const char schema2_hidden[] =
    "{\"name\": \"priv-infer\", \"version\": 1, \"proof_kind\": \"inference@2\",\n"
    " \"proof_system\": \"zkreg-sumcheck-basefold\", \"parameter_set\": \"goldilocks-128\",\n"
    " \"verifier_version\": \"0.2.0\", \"public_output\": false,\n"
    " \"fields\": [{\"name\": \"record_index\", \"type\": \"u64\"}]}";

/* graph-inference@2 with a hidden output: a schema registers, no statement (local or imported). */
static const char schema_g2_hidden[] =
    "{\"name\": \"priv-ginf\", \"version\": 1, \"proof_kind\": \"graph-inference@2\",\n"
    " \"proof_system\": \"zkreg-sumcheck-basefold\", \"parameter_set\": \"goldilocks-128\",\n"
    " \"verifier_version\": \"0.2.0\", \"public_output\": false,\n"
    " \"fields\": [{\"name\": \"record_index\", \"type\": \"u64\"}]}";

/*
 * Adversarial review (graph-inference@2 through the product): a statement
 * event over a graph-inference@2 schema with a hidden output (its output
 * commitment bound, as inference@2's hidden statements bind theirs), logged
 * by a registry that did not check, must not import: the kind proves public
 * logits only, and the app's prover and verifier assume it.
 */
static void test_g2_hidden_import(zkr_tap *t, fixture *f, const zkr_statement *s, const char *pr,
                                  const char *mr, const char *d3r, const zkr_kv *kv,
                                  const uint8_t *oc, size_t oc_len)
{
    zkr_schema sc_in, sc;
    zkr_statement st, s2, out;
    zkr_buf b = {0}, canon = {0};
    uint64_t n0;
    zkr_diag d;
    zkr_err r;

    memset(&st, 0, sizeof st);
    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_schema_parse("g2h.json", (const uint8_t *)schema_g2_hidden,
                                        strlen(schema_g2_hidden), &sc_in, &d) == ZKR_OK &&
                           zkr_registry_schema_add(f->reg, &sc_in, &sc, &d) == ZKR_OK,
                    "a graph-inference@2 schema with a hidden output registers (%s)", d.msg))
        return;
    n0 = log_size(f->reg);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "priv-ginf@1", pr, mr, d3r, kv, 1, oc, oc_len, &st, &d);
    zkr_tap_ok(t, r == ZKR_ERR_UNSUPPORTED && strstr(d.msg, "hidden output") &&
                      log_size(f->reg) == n0,
               "a hidden-output graph-inference@2 statement is refused, nothing logged: %s", d.msg);
    zkr_statement_free(&st);
    /* The inference@2 hidden statement (shallow), its schema swapped and no output bound
     * (what a hidden graph-inference@2 schema binds: zkr_registry_schema_binds_output). */
    s2 = *s;
    s2.schema = sc;
    s2.has_public_output = 0;
    memset(&s2.public_output, 0, sizeof s2.public_output);
    memset(s2.public_output_sha256, 0, sizeof s2.public_output_sha256);
    memset(&s2.canonical, 0, sizeof s2.canonical);
    zkr_diag_clear(&d);
    memset(&out, 0, sizeof out);
    r = zkr_statement_encode(&s2, &canon) == ZKR_OK &&
                (s2.canonical = canon, zkr_statement_event_payload(&s2, &b) == ZKR_OK)
            ? zkr_registry_statement_from_event(f->reg, b.p, b.len, &out, &d)
            : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "field rules"),
               "a hidden-output graph-inference@2 statement event is refused at import: %s",
               d.msg);
    zkr_statement_free(&out);
    zkr_buf_free(&b);
    zkr_buf_free(&canon);
}

static void test_private_model(zkr_tap *t, fixture *f, const zkr_artifact *prog,
                               const zkr_artifact *pub_model, const zkr_artifact *ds1,
                               const zkr_artifact *d2, const zkr_statement *keep)
{
    zkr_dscommit c3 = {.version = ZKR_DSCOMMIT_VERSION_HPC, .format = ZKR_DATASET_IDX, .count = 4};
    zkr_artifact d3;
    char d3r[24];
    static const uint8_t enc[] = "ZKRMC2\0\0 a model commitment v2 (opaque to the registry)";
    uint8_t mc[32], oc[ZKR_OUTPUT_COMMIT_BYTES];
    char pr[24], mr[24], pmr[24], d1r[24], d2r[24];
    zkr_kv kv[1] = {{"record_index", "1"}};
    zkr_artifact pm, back;
    zkr_schema sc2, sc_in;
    zkr_statement s, out, s2;
    zkr_buf b = {0}, canon = {0};
    uint64_t n0;
    zkr_diag d;
    zkr_err r;

    memset(mc, 0x6d, sizeof mc);
    memset(oc, 0x0c, sizeof oc);
    memset(&s, 0, sizeof s);
    snprintf(pr, sizeof pr, "%lld", (long long)prog->id);
    snprintf(pmr, sizeof pmr, "%lld", (long long)pub_model->id);
    snprintf(d1r, sizeof d1r, "%lld", (long long)ds1->id);
    snprintf(d2r, sizeof d2r, "%lld", (long long)d2->id);
    memset(c3.root, 0x3c, sizeof c3.root);
    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_dscommit_digest(&c3, c3.digest) == ZKR_OK &&
                           zkr_registry_dataset_add_commitment(f->reg, "records3", &c3, "c3.bin",
                                                               &d3, &d) == ZKR_OK &&
                           zkr_registry_dataset_version(&d3) == 3 &&
                           strcmp(d3.dataset_format, "idx@3") == 0,
                    "register a version 3 dataset (hiding record commitments) (%s)", d.msg))
        return;
    snprintf(d3r, sizeof d3r, "%lld", (long long)d3.id);
    zkr_diag_clear(&d);
    r = zkr_artifact_encode(&d3, &b) == ZKR_OK ? zkr_artifact_decode(b.p, b.len, &back, &d)
                                                : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_OK && zkr_registry_dataset_version(&back) == 3,
               "its event decodes as version 3 (%s)", d.msg);
    zkr_buf_free(&b);
    back = d3;
    strcpy(back.dataset_format, "idx@2"); /* a v3 root and digest relabelled v2 */
    r = zkr_artifact_encode(&back, &b) == ZKR_OK ? zkr_artifact_decode(b.p, b.len, &back, &d)
                                                  : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED, "a v3 dataset event relabelled version 2 is refused");
    zkr_buf_free(&b);
    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_registry_model_add_private(f->reg, "private", pr, enc, sizeof enc, mc,
                                                      &pm, &d) == ZKR_OK &&
                           zkr_registry_model_private(&pm),
                    "register a private model (%s)", d.msg))
        return;
    snprintf(mr, sizeof mr, "%lld", (long long)pm.id);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_artifact_get(f->reg, ZKR_KIND_MODEL, mr, &back, &d) == ZKR_OK &&
                      zkr_registry_model_private(&back) && back.has_commitment &&
                      memcmp(back.commitment, mc, 32) == 0 && back.size == sizeof enc,
               "it reads back private, with its commitment digest (%s)", d.msg);
    zkr_tap_ok(t, !zkr_registry_model_private(pub_model), "a model with weights is not private");
    /* Its event round-trips; a model event with another format, or none of a commitment, not. */
    zkr_diag_clear(&d);
    r = zkr_artifact_encode(&pm, &b) == ZKR_OK ? zkr_artifact_decode(b.p, b.len, &back, &d)
                                                : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_OK && zkr_registry_model_private(&back),
               "the private model's event decodes as private (%s)", d.msg);
    zkr_buf_free(&b);
    back = pm;
    strcpy(back.dataset_format, "mc@9");
    r = zkr_artifact_encode(&back, &b) == ZKR_OK ? zkr_artifact_decode(b.p, b.len, &back, &d)
                                                  : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED, "a model event of format mc@9 is refused");
    zkr_buf_free(&b);
    back = pm;
    back.has_commitment = 0;
    r = zkr_artifact_encode(&back, &b) == ZKR_OK ? zkr_artifact_decode(b.p, b.len, &back, &d)
                                                  : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED, "a private model event without its commitment is refused");
    zkr_buf_free(&b);

    zkr_diag_clear(&d);
    if (!zkr_tap_ok(t, zkr_schema_parse("s2.json", (const uint8_t *)schema2_hidden,
                                        strlen(schema2_hidden), &sc_in, &d) == ZKR_OK &&
                           zkr_registry_schema_add(f->reg, &sc_in, &sc2, &d) == ZKR_OK,
                    "an inference@2 schema with a hidden output (%s)", d.msg))
        return;
    zkr_tap_ok(t, zkr_registry_schema_output_hidden(&sc2) && zkr_registry_schema_binds_output(&sc2),
               "its statements bind an output commitment");
    n0 = log_size(f->reg);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "priv-infer@1", pr, pmr, d3r, kv, 1, oc, sizeof oc, &s, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_MODEL && strstr(d.msg, "needs a private model") &&
                      log_size(f->reg) == n0,
               "inference@2 over a public model refused, nothing logged: %s", d.msg);
    zkr_statement_free(&s);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "priv-infer@1", pr, mr, d1r, kv, 1, oc, sizeof oc, &s, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_DATASET && strstr(d.msg, "version 1") &&
                      log_size(f->reg) == n0,
               "inference@2 over a v1 dataset refused: %s", d.msg);
    zkr_statement_free(&s);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "priv-infer@1", pr, mr, d2r, kv, 1, oc, sizeof oc, &s, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_DATASET && strstr(d.msg, "version 2 commitment") &&
                      strstr(d.msg, "needs a version 3") && log_size(f->reg) == n0,
               "inference@2 over a v2 (salted) dataset refused: %s", d.msg);
    zkr_statement_free(&s);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "priv-infer@1", pr, mr, d3r, kv, 1, NULL, 0, &s, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "--output-commitment") &&
                      log_size(f->reg) == n0,
               "a hidden-output statement without its output commitment refused: %s", d.msg);
    zkr_statement_free(&s);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "priv-infer@1", pr, mr, d3r, kv, 1, oc, sizeof oc - 1,
                                   &s, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "exactly 48") && log_size(f->reg) == n0,
               "a 47-byte output commitment refused: %s", d.msg);
    zkr_statement_free(&s);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "fmnist-infer@1", pr, mr, d1r,
                                   (zkr_kv[]){{"record_index", "1"}, {"batch", "1"}}, 2,
                                   (const uint8_t *)"out", 3, &s, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_MODEL && strstr(d.msg, "needs a public model") &&
                      log_size(f->reg) == n0,
               "inference@1 over a private model refused: %s", d.msg);
    zkr_statement_free(&s);
    zkr_diag_clear(&d);
    r = zkr_registry_statement_add(f->reg, "priv-infer@1", pr, mr, d3r, kv, 1, oc, sizeof oc, &s, &d);
    if (!zkr_tap_ok(t, r == ZKR_OK && s.has_public_output && s.public_output.len == sizeof oc,
                    "inference@2 over the private model and a v3 dataset binds the output "
                    "commitment (%s)", d.msg)) {
        zkr_statement_free(&s);
        return;
    }
    /* Import: the @2 statement event decodes; an @1 event over the private model does not. */
    zkr_diag_clear(&d);
    memset(&out, 0, sizeof out);
    r = zkr_statement_event_payload(&s, &b) == ZKR_OK
            ? zkr_registry_statement_from_event(f->reg, b.p, b.len, &out, &d)
            : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_OK, "the inference@2 statement event imports (%s)", d.msg);
    zkr_statement_free(&out);
    zkr_buf_free(&b);
    s2 = *keep; /* shallow: keep owns the heap parts, s2 is only encoded */
    s2.model = pm;
    memset(&s2.canonical, 0, sizeof s2.canonical);
    zkr_diag_clear(&d);
    memset(&out, 0, sizeof out);
    r = zkr_statement_encode(&s2, &canon) == ZKR_OK &&
                (s2.canonical = canon, zkr_statement_event_payload(&s2, &b) == ZKR_OK)
            ? zkr_registry_statement_from_event(f->reg, b.p, b.len, &out, &d)
            : ZKR_ERR_INTERNAL;
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "private model"),
               "an inference@1 statement event over a private model is refused: %s", d.msg);
    zkr_statement_free(&out);
    zkr_buf_free(&b);
    zkr_buf_free(&canon);
    test_g2_hidden_import(t, f, &s, pr, mr, d3r, kv, oc, sizeof oc);
    zkr_statement_free(&s);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    fixture f;
    zkr_artifact prog, model, ds;
    zkr_schema sc;
    zkr_statement st;
    zkr_buf note = {0};

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 2;
    memset(&f, 0, sizeof f);
    memset(&st, 0, sizeof st);
    rt_tmpdir(f.dir);
    fx_open(&t, &f, "main.db");
    test_open_errors(&t, &f);
    test_newer_registry(&t, &f);
    test_migration_v1(&t, &f);
    test_artifacts(&t, &f, &prog, &model, &ds);
    test_schemas(&t, &f, &sc);
    test_statements(&t, &f, &prog, &model, &ds, &sc, &st);
    test_checkpoint(&t, &f, &note);
    test_export_import(&t, &f, &st);
    test_revocation(&t, &f, &model);
    test_migration_v2(&t, &f, &model);
    test_write_transaction(&t, &f);
    test_append_only(&t, &f);
    test_log_tree(&t, &f);
    {
        zkr_artifact d2;
        memset(&d2, 0, sizeof d2);
        test_v2_events(&t, &f, &ds, &st, &d2);
        if (d2.id != 0)
            test_v2_round_import(&t, &f, &prog, &d2, &sc);
        test_gate_v2_import(&t, &f);
        if (d2.id != 0)
            test_private_model(&t, &f, &prog, &model, &ds, &d2, &st);
    }
    test_repeat_import(&t, &f, &prog, &ds);
    test_audit_tamper(&t, &f);
    zkr_statement_free(&st);
    zkr_buf_free(&note);
    fx_close(&f);
    rt_cleanup(f.dir);
    return zkr_tap_done(&t);
}
