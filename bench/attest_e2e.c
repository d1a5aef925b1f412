/*
 * signer_bench --e2e: attestations per second end to end through the real
 * zkreg, verification included, for inference@1 proofs of the 784-128-10
 * fixture on Fashion-MNIST. Builds a registry (program, calibrated model,
 * dataset, schema, an Ed25519 file key sealed with Argon2id MODERATE, as a
 * real key is), proves N statements (records 0..N-1), then times
 *   - N single `zkreg attest` runs (each reads the passphrase, unseals the
 *     key, verifies in a fresh confined worker, signs, logs), and
 *   - one `zkreg attest --batch` over the same N pairs, each listed
 *     E2E_REPEAT times (one unsealing, one fresh confined worker per proof).
 * Proving is set-up, not timed.
 */
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attest_e2e.h"
#include "zkr_config.h"

extern char **environ;

#define E2E_REPEAT 4u

static double e2e_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv (NULL-terminated) with stdout to `out` (NULL: /dev/null); 0 on exit status 0. */
static int spawn_run(char *const argv[], const char *out)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = -1;

    if (posix_spawn_file_actions_init(&fa) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null",
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) != 0)
        return -1;
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) != pid)
        st = -1;
    posix_spawn_file_actions_destroy(&fa);
    return (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) ? 0 : -1;
}

/* zkreg --registry DB ARGS... (up to 16), stdout to `out`. */
static int zk(const char *zkreg, const char *db, const char *out, ...)
{
    char *argv[24];
    size_t n = 0;
    va_list ap;
    const char *a;

    argv[n++] = (char *)zkreg;
    argv[n++] = "--registry";
    argv[n++] = (char *)db;
    va_start(ap, out);
    while ((a = va_arg(ap, const char *)) != NULL && n < 22)
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    return spawn_run(argv, out);
}

static int write_text(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    size_t len = strlen(text);

    if (fd < 0)
        return -1;
    if (write(fd, text, len) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    return close(fd);
}

/* A string field of the JSON object in file `path`, copied to out[cap]. */
static int json_field(const char *path, const char *key, char *out, size_t cap)
{
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je), *v;
    int ok = -1;

    if (o != NULL && (v = json_object_get(o, key)) != NULL && json_is_string(v) &&
        strlen(json_string_value(v)) < cap) {
        strcpy(out, json_string_value(v));
        ok = 0;
    }
    json_decref(o);
    return ok;
}

/* The statement's public output (u32 n | n int8 logits | u32 argmax) from `infer --json`. */
static int output_file(const char *infer_json, const char *path)
{
    json_error_t je;
    json_t *o = json_load_file(infer_json, 0, &je), *lg, *am;
    unsigned char b[4 + 64 + 4];
    size_t n, i;
    FILE *f;
    int ok = -1;

    if (o == NULL || !json_is_array(lg = json_object_get(o, "logits")) ||
        !json_is_integer(am = json_object_get(o, "argmax")) || (n = json_array_size(lg)) > 64)
        goto out;
    b[0] = b[1] = b[2] = 0;
    b[3] = (unsigned char)n;
    for (i = 0; i < n; i++)
        b[4 + i] = (unsigned char)(signed char)json_integer_value(json_array_get(lg, i));
    b[4 + n] = b[5 + n] = b[6 + n] = 0;
    b[7 + n] = (unsigned char)json_integer_value(am);
    if ((f = fopen(path, "wb")) != NULL) {
        ok = fwrite(b, 1, 8 + n, f) == 8 + n ? 0 : -1;
        if (fclose(f) != 0)
            ok = -1;
    }
out:
    json_decref(o);
    return ok;
}

int zkr_bench_attest_e2e(const char *zkreg, const char *fixture, const char *data, unsigned n,
                         const char *dir)
{
    char db[600], pass[600], key[600], keyuri[620], schema[600], sha[65], model[700], batch[600];
    char out[600], tmp[700], rec[24], po[700], proof[700], att[700], sid[65], pairs[600];
    FILE *rf;
    double t0, t_single, t_batch;
    FILE *bf;

    snprintf(db, sizeof db, "%s/e2e.db", dir);
    snprintf(pass, sizeof pass, "%s/pass", dir);
    snprintf(key, sizeof key, "%s/signer.key", dir);
    snprintf(keyuri, sizeof keyuri, "file:%s", key);
    snprintf(schema, sizeof schema, "%s/schema.json", dir);
    snprintf(out, sizeof out, "%s/out.json", dir);
    snprintf(batch, sizeof batch, "%s/batch.jsonl", dir);
    if (write_text(pass, "e2e bench passphrase\n", 0600) != 0 ||
        write_text(schema,
                   "{\"name\":\"e2e\",\"version\":1,\"proof_kind\":\"inference@1\","
                   "\"proof_system\":\"zkreg-sumcheck-basefold\",\"parameter_set\":"
                   "\"goldilocks-128\",\"verifier_version\":\"" ZKR_VERSION "\","
                   "\"public_output\":true,\"fields\":[{\"name\":\"record_index\",\"type\":"
                   "\"u64\"}]}\n",
                   0644) != 0)
        return -1;
    if (zk(zkreg, db, NULL, "init", "--kdf", "interactive", "--passphrase-file", pass, NULL) ||
        zk(zkreg, db, NULL, "register-program", fixture, NULL) ||
        zk(zkreg, db, out, "--json", "register-model", fixture, "--program", "1", "--calibrate",
           data, NULL) ||
        json_field(out, "sha256", sha, sizeof sha) ||
        zk(zkreg, db, NULL, "register-dataset", data, NULL) ||
        zk(zkreg, db, NULL, "register-schema", schema, NULL) ||
        zk(zkreg, db, NULL, "key", "generate", "--type", "ed25519", "-o", key,
           "--passphrase-file", pass, NULL) ||
        zk(zkreg, db, NULL, "key", "register", keyuri, NULL)) {
        fprintf(stderr, "attest e2e: set-up failed\n");
        return -1;
    }
    snprintf(model, sizeof model, "%s.d/models/%s", db, sha);
    snprintf(pairs, sizeof pairs, "%s/pairs.jsonl", dir);
    if ((bf = fopen(batch, "w")) == NULL)
        return -1;
    if ((rf = fopen(pairs, "w")) == NULL) {
        fclose(bf);
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        snprintf(rec, sizeof rec, "%u", i);
        snprintf(tmp, sizeof tmp, "%s/infer-%u.json", dir, i);
        snprintf(po, sizeof po, "%s/out-%u.bin", dir, i);
        snprintf(proof, sizeof proof, "%s/proof-%u.zkp", dir, i);
        snprintf(att, sizeof att, "record_index=%u", i);
        if (zk(zkreg, db, tmp, "--json", "infer", "--model-file", model, "--dataset-file", data,
               "--record", rec, NULL) ||
            output_file(tmp, po) ||
            zk(zkreg, db, out, "--json", "register-statement", "--schema", "e2e@1", "--program",
               "1", "--model", "2", "--dataset", "3", "--param", att, "--public-output", po,
               NULL) ||
            json_field(out, "statement_id", sid, sizeof sid) ||
            zk(zkreg, db, NULL, "prove", "--statement", sid, "-o", proof, NULL)) {
            fprintf(stderr, "attest e2e: statement %u failed\n", i);
            fclose(bf);
            fclose(rf);
            return -1;
        }
        fprintf(bf, "{\"statement\":\"%s\",\"proof\":\"%s\"}\n", sid, proof);
        fprintf(rf, "{\"statement\":\"%s\",\"proof\":\"%s\"}\n", sid, proof);
    }
    if (fclose(bf) != 0 || fclose(rf) != 0)
        return -1;
    /* The batch attests every pair E2E_REPEAT times, so the one unsealing is spread thin. */
    if ((bf = fopen(batch, "w")) == NULL)
        return -1;
    for (unsigned k = 0; k < E2E_REPEAT; k++) {
        FILE *in = fopen(pairs, "r");
        char line[512];
        while (in != NULL && fgets(line, sizeof line, in) != NULL)
            fputs(line, bf);
        if (in != NULL)
            fclose(in);
    }
    if (fclose(bf) != 0)
        return -1;
    /* Single attests: the first also signs the checkpoint that covers the proof records. */
    t0 = e2e_now();
    bf = fopen(pairs, "r");
    for (unsigned i = 0; bf != NULL && i < n; i++) {
        char line[512];
        if (fgets(line, sizeof line, bf) == NULL || sscanf(line, "{\"statement\":\"%64[0-9a-f]", sid) != 1)
            break;
        snprintf(proof, sizeof proof, "%s/proof-%u.zkp", dir, i);
        snprintf(att, sizeof att, "%s/single-%u.att", dir, i);
        if (zk(zkreg, db, NULL, "attest", "--statement", sid, "--proof", proof, "--key", keyuri,
               "-o", att, "--passphrase-file", pass, "--registry-passphrase-file", pass, NULL)) {
            fprintf(stderr, "attest e2e: single attest %u failed\n", i);
            fclose(bf);
            return -1;
        }
    }
    if (bf != NULL)
        fclose(bf);
    t_single = e2e_now() - t0;
    snprintf(tmp, sizeof tmp, "%s/batch-out", dir);
    if (mkdir(tmp, 0700) != 0)
        return -1;
    t0 = e2e_now();
    if (zk(zkreg, db, NULL, "attest", "--batch", batch, "--key", keyuri, "--out-dir", tmp,
           "--passphrase-file", pass, "--registry-passphrase-file", pass, NULL)) {
        fprintf(stderr, "attest e2e: attest --batch failed\n");
        return -1;
    }
    t_batch = e2e_now() - t0;
    printf("\nend to end through %s, inference@1 784-128-10, %u proofs, verification included:\n",
           zkreg, n);
    printf("%-44s %10s %14s\n", "form", "att/s", "ms/attestation");
    printf("%-44s %10.2f %14.1f\n", "zkreg attest, one run per pair", n / t_single,
           1e3 * t_single / n);
    printf("%-44s %10.2f %14.1f\n", "zkreg attest --batch (one unsealing)",
           n * E2E_REPEAT / t_batch, 1e3 * t_batch / (n * E2E_REPEAT));
    printf("(the batch attests each of the %u pairs %u times: %u attestations)\n", n, E2E_REPEAT,
           n * E2E_REPEAT);
    return 0;
}
