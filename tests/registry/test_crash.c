/*
 * Crash safety and concurrency on a real registry file.
 *
 * Crash: a child process registers programs, models and statements in a
 * loop; the parent SIGKILLs it at a random moment, many times. After each
 * kill: PRAGMA integrity_check is "ok", the log audit passes (which checks
 * that every row is backed by exactly its leaf, every leaf of a registry
 * type by its row, and the cached tree by the leaves), and every statement
 * loads with all its bound values - so each is fully present or absent.
 *
 * Concurrency: several processes register at once; all succeed, and the
 * log holds exactly their entries and audits clean.
 */
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

#include "registry/registry.h"
#include "reg_test.h"

#define CRASH_ROUNDS 30
#define WORKERS 4
#define PER_WORKER 15

static const char schema_doc[] =
    "{\"name\":\"crash\",\"version\":1,\"proof_kind\":\"inference@1\",\"proof_system\":\"p\","
    "\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":false,"
    "\"fields\":[{\"name\":\"n\",\"type\":\"u64\"}]}";

/* One unit of work: program, model of it, statement over both. */
static int register_unit(zkr_registry *reg, uint64_t tag)
{
    uint8_t bytes[16];
    char pr[24], mr[24], num[24];
    zkr_artifact p, m;
    zkr_statement s;
    zkr_kv kv = {"n", num};
    int ok;

    zkr_store_be64(bytes, tag);
    zkr_store_be64(bytes + 8, 0x70726f67);
    if (zkr_registry_program_add(reg, "prog", bytes, sizeof bytes, &p, NULL) != ZKR_OK)
        return 0;
    zkr_store_be64(bytes + 8, 0x6d6f64656c);
    snprintf(pr, sizeof pr, "%lld", (long long)p.id);
    if (zkr_registry_model_add(reg, "model", pr, bytes, sizeof bytes, NULL, &m, NULL) != ZKR_OK)
        return 0;
    snprintf(mr, sizeof mr, "%lld", (long long)m.id);
    snprintf(num, sizeof num, "%llu", (unsigned long long)tag);
    ok = zkr_registry_statement_add(reg, "crash@1", pr, mr, "1", &kv, 1, NULL, 0, &s, NULL) ==
         ZKR_OK;
    zkr_statement_free(&s);
    return ok;
}

static int integrity_ok(const char *db)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int ok = 0;

    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    sqlite3_close(h);
    return ok;
}

/* Every statement loads with its schema, artifacts and parameter. */
static int statements_whole(zkr_registry *reg, size_t *count)
{
    uint8_t(*sids)[32] = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    int ok = 1;

    *count = 0;
    if (zkr_registry_statement_list(reg, &sids, &ids, &n) != ZKR_OK)
        return 0;
    for (size_t i = 0; i < n; i++) {
        zkr_statement s;
        char hex[65];
        if (zkr_hex_encode(sids[i], 32, hex, sizeof hex) != ZKR_OK ||
            zkr_registry_statement_get(reg, hex, &s, NULL) != ZKR_OK || s.n_params != 1 ||
            s.model.program_id != s.program.id)
            ok = 0;
        zkr_statement_free(&s);
    }
    free(sids);
    free(ids);
    *count = n;
    return ok;
}

static int setup(const char *db)
{
    zkr_registry *reg = NULL;
    zkr_secret pass;
    zkr_schema s, out;
    zkr_dataset *ds = NULL;
    zkr_artifact a;
    char lines[512];
    int ok;

    rt_pass(&pass, "pw");
    snprintf(lines, sizeof lines, "%s.lines", db);
    rt_write(lines, "a\nb\nc\n", 6);
    ok = zkr_registry_create(db, &pass, NULL, 1, NULL) == ZKR_OK &&
         zkr_registry_open(db, &reg, NULL) == ZKR_OK && zkr_dataset_open(lines, &ds, NULL) == ZKR_OK &&
         zkr_registry_dataset_add(reg, "d", ds, lines, NULL, &a, NULL) == ZKR_OK && a.id == 1 &&
         zkr_schema_parse("s", (const uint8_t *)schema_doc, strlen(schema_doc), &s, NULL) == ZKR_OK &&
         zkr_registry_schema_add(reg, &s, &out, NULL) == ZKR_OK;
    zkr_dataset_free(ds);
    zkr_registry_close(reg);
    rt_pass_free(&pass);
    return ok;
}

static void child_loop(const char *db, uint64_t base)
{
    zkr_registry *reg = NULL;

    if (zkr_registry_open(db, &reg, NULL) != ZKR_OK)
        _exit(3);
    for (uint64_t i = 0;; i++)
        if (!register_unit(reg, base + i))
            _exit(4);
}

static void test_crash(zkr_tap *t, const char *dir)
{
    char db[512];
    int rounds_ok = 0;
    size_t last = 0, n = 0;

    rt_path(db, dir, "crash.db");
    if (!zkr_tap_ok(t, setup(db), "crash registry set up"))
        return;
    for (int round = 0; round < CRASH_ROUNDS; round++) {
        /* Random points in the first 100 ms; the last round runs long enough to progress under load. */
        struct timespec ts = {0, round == CRASH_ROUNDS - 1 ? 400000000L
                                                          : (long)(zkr_tap_rand(t) % 100000000)};
        zkr_registry *reg = NULL;
        uint64_t size = 0;
        int status = 0, ok;
        pid_t pid = fork();

        if (pid == 0)
            child_loop(db, (uint64_t)round << 32);
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ok = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && integrity_ok(db) &&
             zkr_registry_open(db, &reg, NULL) == ZKR_OK &&
             zkr_registry_log_audit(reg, &size, NULL) == ZKR_OK && statements_whole(reg, &n) &&
             n >= last;
        last = n;
        zkr_registry_close(reg);
        rounds_ok += ok;
        if (!ok)
            zkr_tap_diag("round %d failed (status %d)", round, status);
    }
    zkr_tap_ok(t, rounds_ok == CRASH_ROUNDS,
               "%d of %d SIGKILLs mid-registration left an intact, auditable registry "
               "(%zu statements survived)",
               rounds_ok, CRASH_ROUNDS, n);
    zkr_tap_ok(t, n > 0, "the children made progress between kills");
}

static void test_concurrency(zkr_tap *t, const char *dir)
{
    char db[512];
    pid_t pids[WORKERS];
    zkr_registry *reg = NULL;
    uint64_t size = 0, before = 0;
    size_t n = 0;
    int all_exit0 = 1;

    rt_path(db, dir, "conc.db");
    if (!zkr_tap_ok(t, setup(db), "concurrency registry set up"))
        return;
    if (zkr_registry_open(db, &reg, NULL) == ZKR_OK)
        (void)!zkr_registry_log_size(reg, &before);
    zkr_registry_close(reg);
    reg = NULL;
    for (int w = 0; w < WORKERS; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            zkr_registry *r = NULL;
            if (zkr_registry_open(db, &r, NULL) != ZKR_OK)
                _exit(3);
            for (int i = 0; i < PER_WORKER; i++)
                if (!register_unit(r, ((uint64_t)(w + 1) << 32) + (uint64_t)i))
                    _exit(4);
            zkr_registry_close(r);
            _exit(0);
        }
    }
    for (int w = 0; w < WORKERS; w++) {
        int status = 0;
        waitpid(pids[w], &status, 0);
        all_exit0 &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    zkr_tap_ok(t, all_exit0, "%d processes x %d registrations at once all succeeded", WORKERS,
               PER_WORKER);
    if (zkr_registry_open(db, &reg, NULL) != ZKR_OK)
        return;
    zkr_tap_ok(t, zkr_registry_log_audit(reg, &size, NULL) == ZKR_OK &&
                      size == before + (uint64_t)WORKERS * PER_WORKER * 3,
               "log holds exactly the %d new entries and audits clean", WORKERS * PER_WORKER * 3);
    {
        int whole = statements_whole(reg, &n);
        zkr_tap_ok(t, whole && n == (size_t)WORKERS * PER_WORKER, "all %zu statements whole", n);
    }
    zkr_tap_ok(t, integrity_ok(db), "integrity_check ok after concurrent writers");
    zkr_registry_close(reg);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char dir[256];

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 2;
    rt_tmpdir(dir);
    test_crash(&t, dir);
    test_concurrency(&t, dir);
    rt_cleanup(dir);
    return zkr_tap_done(&t);
}
