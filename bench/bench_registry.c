/*
 * Registry benchmark: registrations per second (each its own durable
 * transaction, synchronous=FULL), then a log grown to N entries (default
 * 100,000) and the time of a checkpoint, a root, inclusion and consistency
 * proofs, and a full audit at that size. Prints a table.
 *
 * The batch form: `zkreg register-batch` (the real binary, one process)
 * registering --batch N records (N/2 programs, each its own file, then N/2
 * statements over them) in one transaction, timed end to end (process
 * start, reading every file, every check, one fsync).
 *
 *   ninja -C build bench/bench_registry && build/bench/bench_registry [--entries N]
 *       [--registrations N] [--batch N] [--dir DIR] [--zkreg PATH]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "registry/registry_int.h"
#include "bench_util.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, zkr_err r, const zkr_diag *d)
{
    fprintf(stderr, "bench_registry: %s: %s: %s\n", what, zkr_strerror(r), d ? d->msg : "");
    exit(1);
}

extern char **environ;

/* Writes the batch file: n/2 program files and their records, then n/2 statements. */
static void write_batch(const char *dir, const char *path, uint64_t n, int64_t model,
                        int64_t dataset)
{
    char file[700];
    FILE *f = fopen(path, "w"), *pf;

    if (f == NULL)
        die("batch file", ZKR_ERR_IO, NULL);
    for (uint64_t i = 0; i < n / 2; i++) {
        snprintf(file, sizeof file, "%s/bp-%" PRIu64, dir, i);
        if ((pf = fopen(file, "w")) == NULL || fprintf(pf, "batch program %" PRIu64 "\n", i) < 0 ||
            fclose(pf) != 0)
            die("program file", ZKR_ERR_IO, NULL);
        fprintf(f, "{\"type\":\"program\",\"file\":\"%s\",\"name\":\"batch-program\"}\n",
                file);
    }
    /* Statements over the schema, model and dataset the single form registered (ids 1..). */
    for (uint64_t i = 0; i < n - n / 2; i++)
        fprintf(f,
                "{\"type\":\"statement\",\"schema\":\"bench@1\",\"program\":1,\"model\":%lld,"
                "\"dataset\":%lld,\"params\":{\"n\":%" PRIu64 "}}\n",
                (long long)model, (long long)dataset, 1000000 + i);
    if (fclose(f) != 0)
        die("batch file", ZKR_ERR_IO, NULL);
}

/* Runs `zkreg --registry DB register-batch FILE` (output to /dev/null); wall seconds, *cpu its CPU. */
static double run_batch(const char *zkreg, const char *db, const char *file, double *cpu)
{
    struct rusage ru;
    char *argv[] = {(char *)zkreg, "--registry", (char *)db, "register-batch", (char *)file, NULL};
    posix_spawn_file_actions_t fa;
    double t0;
    pid_t pid;
    int st;

    if (posix_spawn_file_actions_init(&fa) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) != 0)
        die("spawn", ZKR_ERR_INTERNAL, NULL);
    t0 = now_s();
    if (posix_spawn(&pid, zkreg, &fa, NULL, argv, environ) != 0 || wait4(pid, &st, 0, &ru) != pid ||
        !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_registry: %s register-batch failed\n", zkreg);
        exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
    return now_s() - t0;
}

/* Grows the log to `target` leaves in batches of 5000 per transaction. */
static void fill_log(zkr_registry *reg, uint64_t target)
{
    uint64_t n = 0, idx;
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    if ((r = zkr_registry_log_size(reg, &n)) != ZKR_OK)
        die("log size", r, NULL);
    while (n < target) {
        if ((r = zkr_registry_begin(reg, &d)) != ZKR_OK)
            die("begin", r, &d);
        for (int i = 0; i < 5000 && n < target; i++, n++) {
            uint8_t payload[40];
            zkr_store_be64(payload, n);
            memset(payload + 8, 0xab, 32);
            if ((r = zkr_registry_log_append_tx(reg, "attestation", zkr_registry_now(), payload,
                                                sizeof payload, &idx, &d)) != ZKR_OK)
                die("append", r, &d);
        }
        if ((r = zkr_registry_commit(reg, &d)) != ZKR_OK)
            die("commit", r, &d);
    }
}

int main(int argc, char **argv)
{
    uint64_t entries = 100000, regs = 500, batch_n = 20000, size = 0, filled;
    const char *base = "/tmp", *zkreg = ZKR_BENCH_ZKREG;
    char dir[512], db[600], bfile[600];
    double t_batch, cpu_batch;
    int64_t model_id = 0, dataset_id = 0;
    zkr_registry *reg = NULL;
    zkr_secret pass = {(uint8_t *)"bench passphrase", 16};
    zkr_buf note = {0};
    uint8_t root[32], path[ZKR_MERKLE_MAX_DEPTH * 2][32];
    size_t plen;
    double t0, t_reg, t_stmt, t_fill, t_cp, t_root, t_inc, t_cons, t_audit;
    const int proofs = 1000;
    uint64_t rng = 0x243f6a8885a308d3ULL;
    zkr_diag d;
    zkr_err r;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--entries") == 0)
            entries = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--registrations") == 0)
            regs = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--dir") == 0)
            base = argv[i + 1];
        else if (strcmp(argv[i], "--batch") == 0)
            batch_n = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--zkreg") == 0)
            zkreg = argv[i + 1];
    }
    if (sodium_init() < 0 || regs == 0 || batch_n < 2 || entries < 2 * regs + 2 + batch_n)
        return 2;
    snprintf(dir, sizeof dir, "%s/zkr-bench-XXXXXX", base);
    if (mkdtemp(dir) == NULL)
        return 2;
    snprintf(db, sizeof db, "%s/bench.db", dir);
    zkr_diag_clear(&d);
    if ((r = zkr_registry_create(db, &pass, NULL, 1, &d)) != ZKR_OK ||
        (r = zkr_registry_open(db, &reg, &d)) != ZKR_OK)
        die("create", r, &d);

    /* Durable registrations, one transaction (and fsync) each. */
    t0 = now_s();
    for (uint64_t i = 0; i < regs; i++) {
        uint8_t bytes[16];
        zkr_artifact a;
        zkr_store_be64(bytes, i);
        zkr_store_be64(bytes + 8, 0x5eed);
        if ((r = zkr_registry_program_add(reg, "bench-program", bytes, sizeof bytes, &a, &d)) != ZKR_OK)
            die("register-program", r, &d);
    }
    t_reg = now_s() - t0;
    {
        static const char doc[] =
            "{\"name\":\"bench\",\"version\":1,\"proof_kind\":\"inference@1\",\"proof_system\":"
            "\"p\",\"parameter_set\":\"q\",\"verifier_version\":\"1\",\"public_output\":false,"
            "\"fields\":[{\"name\":\"n\",\"type\":\"u64\"}]}";
        zkr_schema s, out;
        zkr_artifact m, ds;
        zkr_dataset *data = NULL;
        char lines[600];
        snprintf(lines, sizeof lines, "%s/d.txt", dir);
        FILE *f = fopen(lines, "w");
        if (f == NULL || fputs("a\nb\n", f) < 0 || fclose(f) != 0)
            return 2;
        if (zkr_schema_parse("bench", (const uint8_t *)doc, strlen(doc), &s, &d) != ZKR_OK ||
            zkr_registry_schema_add(reg, &s, &out, &d) != ZKR_OK ||
            zkr_registry_model_add(reg, "m", "1", (const uint8_t *)"w", 1, NULL, &m, &d) != ZKR_OK ||
            zkr_dataset_open(lines, &data, &d) != ZKR_OK ||
            zkr_registry_dataset_add(reg, "d", data, lines, NULL, &ds, &d) != ZKR_OK)
            die("statement set-up", ZKR_ERR_INTERNAL, &d);
        zkr_dataset_free(data);
        model_id = m.id;
        dataset_id = ds.id;
        char mr[24], dr[24];
        snprintf(mr, sizeof mr, "%lld", (long long)m.id);
        snprintf(dr, sizeof dr, "%lld", (long long)ds.id);
        t0 = now_s();
        for (uint64_t i = 0; i < regs; i++) {
            char num[24];
            zkr_kv kv = {"n", num};
            zkr_statement st;
            snprintf(num, sizeof num, "%" PRIu64, i);
            if ((r = zkr_registry_statement_add(reg, "bench@1", "1", mr, dr, &kv, 1, NULL, 0, &st,
                                                &d)) != ZKR_OK)
                die("register-statement", r, &d);
            zkr_statement_free(&st);
        }
        t_stmt = now_s() - t0;
    }

    /* The batch form, through the real zkreg: the handle is closed so it takes the lock. */
    snprintf(bfile, sizeof bfile, "%s/batch.jsonl", dir);
    write_batch(dir, bfile, batch_n, model_id, dataset_id);
    zkr_registry_close(reg);
    t_batch = run_batch(zkreg, db, bfile, &cpu_batch);
    if ((r = zkr_registry_open(db, &reg, &d)) != ZKR_OK)
        die("reopen", r, &d);

    if ((r = zkr_registry_log_size(reg, &size)) != ZKR_OK)
        die("size", r, NULL);
    filled = entries > size ? entries - size : 0;
    t0 = now_s();
    fill_log(reg, entries);
    t_fill = now_s() - t0;
    if ((r = zkr_registry_log_size(reg, &size)) != ZKR_OK)
        die("size", r, NULL);

    t0 = now_s();
    if ((r = zkr_registry_checkpoint_sign(reg, &pass, &note, &d)) != ZKR_OK)
        die("checkpoint", r, &d);
    t_cp = now_s() - t0;

    t0 = now_s();
    for (int i = 0; i < proofs; i++)
        if ((r = zkr_registry_log_root(reg, size, root, &d)) != ZKR_OK)
            die("root", r, &d);
    t_root = (now_s() - t0) / proofs;

    t0 = now_s();
    for (int i = 0; i < proofs; i++) {
        uint64_t idx;
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        idx = (rng >> 11) % size;
        if ((r = zkr_registry_log_inclusion(reg, idx, size, path, &plen, &d)) != ZKR_OK)
            die("inclusion", r, &d);
    }
    t_inc = (now_s() - t0) / proofs;

    t0 = now_s();
    for (int i = 0; i < proofs; i++) {
        uint64_t m;
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        m = 1 + (rng >> 11) % size;
        if ((r = zkr_registry_log_consistency(reg, m, size, path, &plen, &d)) != ZKR_OK)
            die("consistency", r, &d);
    }
    t_cons = (now_s() - t0) / proofs;

    t0 = now_s();
    if ((r = zkr_registry_log_audit(reg, &size, &d)) != ZKR_OK)
        die("audit", r, &d);
    t_audit = now_s() - t0;

    printf("zkreg registry benchmark (SQLite WAL, synchronous=FULL, %s)\n\n", dir);
    printf("| measurement                                   | value            |\n");
    printf("|-----------------------------------------------|------------------|\n");
    printf("| register-program, durable, one tx each        | %8.0f /s      |\n",
           (double)regs / t_reg);
    printf("| register-statement, durable, one tx each      | %8.0f /s      |\n",
           (double)regs / t_stmt);
    printf("| register-batch, %6" PRIu64 " records, one tx       | %8.0f /s      |\n", batch_n,
           (double)batch_n / t_batch);
    printf("| register-batch, per CPU second (user + sys)   | %8.0f /s      |\n",
           (double)batch_n / cpu_batch);
    printf("| log entries at measurement                    | %10" PRIu64 "       |\n", size);
    printf("| log fill (5000 appends per tx)                | %8.0f /s      |\n",
           (double)filled / t_fill);
    printf("| checkpoint (Argon2id unseal + root + sign)    | %10.2f ms    |\n", t_cp * 1e3);
    printf("| tree root at full size (cached subtrees)      | %10.3f ms    |\n", t_root * 1e3);
    printf("| inclusion proof, random leaf (avg of %d)    | %10.3f ms    |\n", proofs,
           t_inc * 1e3);
    printf("| consistency proof, random size (avg of %d)  | %10.3f ms    |\n", proofs,
           t_cons * 1e3);
    printf("| full audit (re-hash every leaf and node)      | %10.2f ms    |\n", t_audit * 1e3);
    printf("\nArgon2id runs with the INTERACTIVE limits here; a registry made by\n"
           "`zkreg init` (MODERATE: 256 MiB) adds its Argon2id time (about 2.5 s on the\n"
           "2-core CI machine) to every checkpoint.\n");
    zkr_buf_free(&note);
    zkr_registry_close(reg);
    if (zkr_bench_rmtree(dir) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return 0;
}
