/*
 * Import benchmark: the time `zkreg import` takes for a bundle of N
 * training events, for N doubling from 2,048 (default up to 16,384). Each
 * unit of 64 events is a round of 31 workers (its open, 31 outcomes, its
 * close) and 31 native steps (31 child models, each with its lineage), so
 * every lookup import makes per event (leaf already held, the round, its
 * outcomes and close, the parent, child, dataset and schema) is exercised.
 * Import must grow linearly: CPU time per event stays flat as N doubles
 * (wall time also includes the commit's fsync and, on a shared machine,
 * waiting for a core).
 *
 *   ninja -C build-release bench/bench_import && build-release/bench/bench_import
 *       [--max N] [--dir DIR] [--keep 1]
 *
 * --keep 1 leaves the scratch directory with each bundle (bundle-N.zkb) and
 * its verifier key (bundle-N.vkey), to time another zkreg's import on them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "registry/registry_int.h"
#include "bench_util.h"

#define WORKERS 31u
#define EVENTS_PER_UNIT (2u * WORKERS + 2u)

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, zkr_err r, const zkr_diag *d)
{
    fprintf(stderr, "bench_import: %s: %s: %s\n", what, zkr_strerror(r), d ? d->msg : "");
    exit(1);
}

typedef struct {
    zkr_artifact prog, parent, ds;
    zkr_schema schema;
} fixture;

static void setup(zkr_registry *reg, const char *dir, fixture *f)
{
    static const char doc[] =
        "{\"name\":\"bench-train\",\"version\":1,\"proof_kind\":\"training-step@1\","
        "\"proof_system\":\"p\",\"parameter_set\":\"q\",\"verifier_version\":\"1\","
        "\"public_output\":false,\"fields\":[{\"name\":\"child_model\",\"type\":\"digest\"}]}";
    uint8_t comm[32];
    zkr_schema s;
    zkr_dataset *data = NULL;
    char lines[600];
    FILE *fp;
    zkr_diag d;

    zkr_diag_clear(&d);
    memset(comm, 0xc0, sizeof comm);
    snprintf(lines, sizeof lines, "%s/d.txt", dir);
    if ((fp = fopen(lines, "w")) == NULL || fputs("a\nb\nc\nd\n", fp) < 0 || fclose(fp) != 0)
        die("dataset file", ZKR_ERR_IO, NULL);
    if (zkr_registry_program_add(reg, "bench-program", (const uint8_t *)"prog", 4, &f->prog, &d) !=
            ZKR_OK ||
        zkr_registry_model_add(reg, "bench-model", "1", (const uint8_t *)"w0", 2, comm, &f->parent,
                               &d) != ZKR_OK ||
        zkr_dataset_open(lines, &data, &d) != ZKR_OK ||
        zkr_registry_dataset_add(reg, "d", data, lines, NULL, &f->ds, &d) != ZKR_OK ||
        zkr_schema_parse("bench", (const uint8_t *)doc, strlen(doc), &s, &d) != ZKR_OK ||
        zkr_registry_schema_add(reg, &s, &f->schema, &d) != ZKR_OK)
        die("set-up", ZKR_ERR_INTERNAL, &d);
    zkr_dataset_free(data);
}

/* One round of WORKERS rejected outcomes, opened and closed through the registry API. */
static void add_round(zkr_registry *reg, const fixture *f, uint64_t unit)
{
    zkr_round_write ow[WORKERS], cw;
    zkr_buf ev[WORKERS], cev = {0};
    zkr_round_open o;
    zkr_round_close c;
    uint8_t digest[32];
    uint64_t id;
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    memset(&o, 0, sizeof o);
    o.version = 2;
    randombytes_buf(o.nonce, sizeof o.nonce);
    strcpy(o.origin, "bench");
    memcpy(o.parent, f->parent.sha256, 32);
    memcpy(o.parent_commitment, f->parent.commitment, 32);
    memcpy(o.dataset, f->ds.sha256, 32);
    memcpy(o.schema, f->schema.digest, 32);
    o.workers = WORKERS;
    o.per_worker = 1;
    o.first = unit;
    o.lr = 3;
    o.shift = 16;
    if ((r = zkr_registry_round_open(reg, &o, &id, digest, &d)) != ZKR_OK)
        die("round open", r, &d);
    memset(ow, 0, sizeof ow);
    memset(ev, 0, sizeof ev);
    for (uint32_t w = 0; w < WORKERS; w++) {
        zkr_round_outcome oc;
        memset(&oc, 0, sizeof oc);
        memcpy(oc.round, digest, 32);
        oc.worker = w;
        strcpy(oc.reason, "no update submitted");
        if (zkr_round_outcome_encode(&oc, &ev[w]) != ZKR_OK)
            die("outcome", ZKR_ERR_INTERNAL, NULL);
        ow[w].event = ev[w].p;
        ow[w].event_len = ev[w].len;
    }
    memset(&c, 0, sizeof c);
    memcpy(c.round, digest, 32);
    memset(&cw, 0, sizeof cw);
    if (zkr_round_close_encode(&c, &cev) != ZKR_OK)
        die("close", ZKR_ERR_INTERNAL, NULL);
    cw.event = cev.p;
    cw.event_len = cev.len;
    if ((r = zkr_registry_round_close(reg, id, ow, WORKERS, &cw, &d)) != ZKR_OK)
        die("round close", r, &d);
    for (uint32_t w = 0; w < WORKERS; w++)
        zkr_buf_free(&ev[w]);
    zkr_buf_free(&cev);
}

/* WORKERS native steps, each a new child model and its lineage, in one transaction. */
static void add_lineage(zkr_registry *reg, const fixture *f, uint64_t unit)
{
    zkr_buf ev = {0};
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    if ((r = zkr_registry_begin(reg, &d)) != ZKR_OK)
        die("begin", r, &d);
    for (uint32_t s = 0; s < WORKERS; s++) {
        uint8_t bytes[16], comm[32];
        zkr_artifact child;
        zkr_lineage l;
        uint64_t li;
        zkr_store_be64(bytes, unit);
        zkr_store_be64(bytes + 8, s);
        memset(comm, 0xc1, sizeof comm);
        if ((r = zkr_registry_model_insert_tx(reg, "bench-model", &f->prog, bytes, sizeof bytes,
                                              comm, &child, &d)) != ZKR_OK)
            die("child model", r, &d);
        memset(&l, 0, sizeof l);
        memcpy(l.child, child.sha256, 32);
        memcpy(l.child_commitment, comm, 32);
        memcpy(l.parent, f->parent.sha256, 32);
        memcpy(l.parent_commitment, f->parent.commitment, 32);
        memcpy(l.dataset, f->ds.sha256, 32);
        l.lr = 3;
        l.shift = 16;
        l.batch = 1;
        ev.len = 0;
        if (zkr_lineage_encode(&l, &ev) != ZKR_OK ||
            (r = zkr_registry_log_append_tx(reg, "lineage", zkr_registry_now(), ev.p, ev.len, &li,
                                            &d)) != ZKR_OK)
            die("lineage", r, &d);
    }
    if ((r = zkr_registry_commit(reg, &d)) != ZKR_OK)
        die("commit", r, &d);
    zkr_buf_free(&ev);
}

/* Builds a registry with `events` training events and exports it all. */
static void make_bundle(const char *dir, uint64_t events, const zkr_secret *pass, zkr_buf *bundle)
{
    zkr_registry *reg = NULL;
    char db[600];
    fixture f;
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    snprintf(db, sizeof db, "%s/src-%" PRIu64 ".db", dir, events);
    if ((r = zkr_registry_create(db, pass, NULL, 1, &d)) != ZKR_OK ||
        (r = zkr_registry_open(db, &reg, &d)) != ZKR_OK)
        die("create", r, &d);
    setup(reg, dir, &f);
    for (uint64_t u = 0; u < events / EVENTS_PER_UNIT; u++) {
        add_round(reg, &f, u);
        add_lineage(reg, &f, u);
    }
    if ((r = zkr_registry_export(reg, NULL, 0, pass, bundle, &d)) != ZKR_OK)
        die("export", r, &d);
    zkr_registry_close(reg);
}

int main(int argc, char **argv)
{
    uint64_t max = 16384;
    const char *base = "/tmp";
    int keep = 0;
    zkr_secret pass = {(uint8_t *)"bench passphrase", 16};
    char dir[512];
    double prev = 0;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--max") == 0)
            max = zkr_bench_arg("--max", argv[i + 1], 2048, 1u << 22);
        else if (strcmp(argv[i], "--dir") == 0)
            base = argv[i + 1];
        else if (strcmp(argv[i], "--keep") == 0)
            keep = (int)zkr_bench_arg("--keep", argv[i + 1], 0, 1);
    }
    if (sodium_init() < 0)
        return 2;
    snprintf(dir, sizeof dir, "%s/zkr-bench-import-XXXXXX", base);
    if (mkdtemp(dir) == NULL)
        return 2;
    printf("zkreg import of training events (SQLite WAL, synchronous=FULL, %s)\n\n", dir);
    printf("| training events | log leaves | bundle KiB | import s (wall) | CPU s | CPU us / event "
           "| CPU x previous |\n");
    printf("|----------------:|-----------:|-----------:|----------------:|------:|---------------:"
           "|---------------:|\n");
    for (uint64_t n = 2048; n <= max; n *= 2) {
        zkr_buf bundle = {0}, vk = {0};
        zkr_registry *reg = NULL;
        zkr_import_summary sum;
        char db[600];
        uint64_t events = n / EVENTS_PER_UNIT * EVENTS_PER_UNIT;
        double t0, c0, t, c;
        zkr_diag d;
        zkr_err r;

        zkr_diag_clear(&d);
        make_bundle(dir, n, &pass, &bundle);
        snprintf(db, sizeof db, "%s/dst-%" PRIu64 ".db", dir, n);
        if ((r = zkr_registry_create(db, &pass, NULL, 1, &d)) != ZKR_OK ||
            (r = zkr_registry_open(db, &reg, &d)) != ZKR_OK)
            die("create", r, &d);
        /* Trust the exporter's key: the one in the bundle's header, checked against its note. */
        {
            zkr_dec dec;
            const uint8_t *k;
            size_t klen;
            zkr_dec_init(&dec, bundle.p + 8, bundle.len - 8);
            if (zkr_dec_bytes(&dec, 512, &k, &klen) != ZKR_OK || zkr_buf_append(&vk, k, klen) != ZKR_OK ||
                zkr_buf_terminate(&vk) != ZKR_OK)
                die("bundle header", ZKR_ERR_MALFORMED, NULL);
        }
        if (keep) {
            char bp[640], kp[640];
            snprintf(bp, sizeof bp, "%s/bundle-%" PRIu64 ".zkb", dir, n);
            snprintf(kp, sizeof kp, "%s/bundle-%" PRIu64 ".vkey", dir, n);
            if (zkr_file_write_atomic(bp, bundle.p, bundle.len, 0644, &d) != ZKR_OK ||
                zkr_file_write_atomic(kp, vk.p, vk.len, 0644, &d) != ZKR_OK)
                die("keep", ZKR_ERR_IO, &d);
        }
        t0 = now_s();
        c0 = cpu_s();
        if ((r = zkr_registry_import(reg, bundle.p, bundle.len, (const char *)vk.p, &sum, &d)) !=
            ZKR_OK)
            die("import", r, &d);
        c = cpu_s() - c0;
        t = now_s() - t0;
        char ratio[16] = "";
        if (prev > 0)
            snprintf(ratio, sizeof ratio, "%.2f", c / prev);
        printf("| %15" PRIu64 " | %10" PRIu64 " | %10zu | %15.2f | %5.2f | %14.1f | %14s |\n",
               events, sum.entries, bundle.len / 1024, t, c, c * 1e6 / (double)events, ratio);
        fflush(stdout);
        prev = c;
        zkr_registry_close(reg);
        zkr_buf_free(&bundle);
        zkr_buf_free(&vk);
    }
    if (!keep)
        zkr_bench_rmtree(dir);
    else
        printf("\nkept %s\n", dir);
    return 0;
}
