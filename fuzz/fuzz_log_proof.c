/*
 * Log and dataset-record proof files exactly as the CLI reads them
 * (cli/cmd_log.c): `zkreg log verify` with --inclusion, with --consistency
 * and --old-checkpoint, and `zkreg dataset verify-record --root --count`,
 * run offline (the registry path does not exist) on files written into a
 * fresh temporary folder. The input is NUL-separated parts:
 *   checkpoint note, verifier key, inclusion doc, old checkpoint,
 *   consistency doc, record proof doc, "ROOT_HEX COUNT"
 * (fuzz/make-corpus writes real ones from a registry). The commands' own
 * output goes to /dev/null.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fuzz.h"

#define FZ_PARTS 7
#define FZ_LOG_MAX_INPUT ((size_t)256 << 10)

typedef struct {
    char dir[64];
    char path[FZ_PARTS][96];
    const uint8_t *p[FZ_PARTS];
    size_t n[FZ_PARTS];
} fz_files;

static void split(const uint8_t *data, size_t size, fz_files *f)
{
    size_t i = 0;

    for (int k = 0; k < FZ_PARTS; k++) {
        const uint8_t *e = i < size ? memchr(data + i, 0, size - i) : NULL;
        size_t end = e ? (size_t)(e - data) : size;
        f->p[k] = data + (i < size ? i : size);
        f->n[k] = i < size ? end - i : 0;
        i = end + 1;
    }
}

static int put(const char *path, const uint8_t *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    int ok;

    if (fp == NULL)
        return 0;
    ok = fwrite(p, 1, n, fp) == n;
    return fclose(fp) == 0 && ok;
}

/* Runs one command with stdout silenced; the result only feeds coverage. */
static void run(zkr_err (*cmd)(zkr_cli *, int, char **), const char *name, const char *reg,
                char **argv, int argc)
{
    zkr_cli cli;
    int saved, null;

    memset(&cli, 0, sizeof cli);
    cli.registry_path = reg;
    cli.command = name;
    optind = 0; /* glibc: a full getopt reset for every command */
    opterr = 0;
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0)
        (void)dup2(null, STDOUT_FILENO);
    (void)!cmd(&cli, argc, argv);
    fflush(stdout);
    if (saved >= 0) {
        (void)dup2(saved, STDOUT_FILENO);
        close(saved);
    }
    if (null >= 0)
        close(null);
}

static void commands(fz_files *f, const char *reg)
{
    char root[80] = "", count[24] = "";
    char *argv[16];

    if (f->n[2] > 0) { /* zkreg log verify --checkpoint CP --key-file K --inclusion F */
        char *a[] = {"log", "--checkpoint", f->path[0], "--key-file", f->path[1],
                     "--inclusion", f->path[2], "verify", NULL};
        memcpy(argv, a, sizeof a);
        run(zkr_cmd_log, "log", reg, argv, 8);
    }
    if (f->n[4] > 0) {
        char *a[] = {"log", "--checkpoint", f->path[0], "--key-file", f->path[1],
                     "--consistency", f->path[4], "--old-checkpoint", f->path[3], "verify", NULL};
        memcpy(argv, a, sizeof a);
        run(zkr_cmd_log, "log", reg, argv, 10);
    }
    if (f->n[5] > 0 && f->n[6] < 100 &&
        sscanf((const char *)f->p[6], "%79s %23s", root, count) == 2) {
        char *a[] = {"dataset", "verify-record", f->path[5], "--root", root, "--count", count,
                     NULL};
        memcpy(argv, a, sizeof a);
        run(zkr_cmd_dataset, "dataset", reg, argv, 7);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    char reg[96], last[100];
    fz_files f;
    int ok = 1;

    if (size > FZ_LOG_MAX_INPUT)
        return 0;
    memset(&f, 0, sizeof f);
    split(data, size, &f);
    snprintf(f.dir, sizeof f.dir, "%s/zkr-fuzz-log-XXXXXX", base);
    if (mkdtemp(f.dir) == NULL)
        return 0;
    for (int k = 0; k < FZ_PARTS - 1; k++) {
        snprintf(f.path[k], sizeof f.path[k], "%s/%d", f.dir, k);
        ok &= put(f.path[k], f.p[k], f.n[k]);
    }
    /* The last part is text for sscanf: NUL-terminated copy. */
    if (f.n[6] < sizeof last) {
        memcpy(last, f.p[6], f.n[6]);
        last[f.n[6]] = '\0';
        f.p[6] = (const uint8_t *)last;
    }
    snprintf(reg, sizeof reg, "%s/absent.db", f.dir);
    if (ok)
        commands(&f, reg);
    for (int k = 0; k < FZ_PARTS - 1; k++)
        (void)unlink(f.path[k]);
    (void)unlink(reg);
    (void)rmdir(f.dir);
    return 0;
}
