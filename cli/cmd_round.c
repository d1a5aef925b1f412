/*
 * cmd_round.c: `zkreg round open|accept|show|audit` and a round worker's
 * `zkreg train --round R --worker I`. A round lives in the log only:
 * "round-open" (its id is that leaf's index), one "round-outcome" per
 * worker (an accepted child is registered in the same transaction), and
 * "round-close" registered together with the averaged model. Payloads are
 * specified in docs/formats.md.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "infer_glue.h"
#include "registry_cli.h"
#include "train_cli.h"
#include "train_glue.h"

#define ROUND_MAX_WORKERS 64u
#define REASON_MAX 400u

typedef struct {
    uint64_t id;
    uint8_t digest[32]; /* SHA-256 of the round-open payload: names the round in any registry */
    uint8_t parent[32], parent_commitment[32], dataset[32], schema[32];
    uint32_t workers, per_worker;
    uint64_t first;
    zkr_ml_tstep_params sp;
} round_info;

static zkr_err open_payload(const round_info *ri, zkr_buf *out)
{
    zkr_err r;

    if ((r = zkr_enc_u32(out, 1)) != ZKR_OK || (r = zkr_buf_append(out, ri->parent, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, ri->parent_commitment, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, ri->dataset, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, ri->schema, 32)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ri->workers)) != ZKR_OK || (r = zkr_enc_u64(out, ri->first)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ri->per_worker)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ri->sp.lr)) != ZKR_OK)
        return r;
    return zkr_enc_u32(out, ri->sp.shift);
}

static zkr_err dec32(zkr_dec *d, uint8_t out[32])
{
    const uint8_t *p;

    if (zkr_dec_raw(d, 32, &p) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(out, p, 32);
    return ZKR_OK;
}

static zkr_err open_decode(const uint8_t *p, size_t len, round_info *ri)
{
    zkr_dec d;
    uint32_t ver;

    zkr_dec_init(&d, p, len);
    if (zkr_dec_u32(&d, &ver) != ZKR_OK || ver != 1 || dec32(&d, ri->parent) != ZKR_OK ||
        dec32(&d, ri->parent_commitment) != ZKR_OK || dec32(&d, ri->dataset) != ZKR_OK ||
        dec32(&d, ri->schema) != ZKR_OK || zkr_dec_u32(&d, &ri->workers) != ZKR_OK ||
        zkr_dec_u64(&d, &ri->first) != ZKR_OK || zkr_dec_u32(&d, &ri->per_worker) != ZKR_OK ||
        zkr_dec_u32(&d, &ri->sp.lr) != ZKR_OK || zkr_dec_u32(&d, &ri->sp.shift) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    return zkr_dec_finish(&d);
}

/* Reads round `id` (the index of its round-open leaf). */
static zkr_err round_load(zkr_cli *cli, zkr_registry *reg, uint64_t id, round_info *ri)
{
    zkr_log_entry e;
    zkr_err r;

    memset(ri, 0, sizeof *ri);
    if ((r = zkr_registry_log_entry(reg, id, &e, &cli->diag)) != ZKR_OK)
        return zkr_fail(&cli->diag, ZKR_ERR_NOT_FOUND, "round %llu not found",
                        (unsigned long long)id);
    if (strcmp(e.type, "round-open") != 0)
        r = zkr_fail(&cli->diag, ZKR_ERR_NOT_FOUND, "log entry %llu is a '%s' event, not a round",
                     (unsigned long long)id, e.type);
    else if (open_decode(e.payload, e.payload_len, ri) != ZKR_OK)
        r = zkr_fail(&cli->diag, ZKR_ERR_REGISTRY, "round %llu: malformed round-open event",
                     (unsigned long long)id);
    else
        zkr_sha256(e.payload, e.payload_len, ri->digest);
    ri->id = id;
    zkr_log_entry_free(&e);
    return r;
}

/* The shard of worker w: records first + w*R .. first + (w+1)*R - 1. */
static void shard_indices(const round_info *ri, uint32_t w, uint64_t *idx)
{
    for (uint32_t i = 0; i < ri->per_worker; i++)
        idx[i] = ri->first + (uint64_t)w * ri->per_worker + i;
}

/* ------------------------------------------------------------------ */
/* round open                                                          */
/* ------------------------------------------------------------------ */

static const char round_help[] =
    "usage: zkreg round open --model ID --dataset ID --workers N --first-record F\n"
    "                        --records-per-worker R --lr ETA --shift S --schema NAME@VER\n"
    "       zkreg round accept ROUND [--submission I=MODEL_FILE[,PROOF_FILE] ...] [--no-sandbox]\n"
    "       zkreg round show ROUND\n"
    "       zkreg round audit ROUND\n"
    "\n"
    "open: publishes a round in the log (its id is printed): the parent training\n"
    "model, the dataset, N workers whose shards are records F+I*R .. F+(I+1)*R-1\n"
    "(R <= 64), lr and shift, and the training-step@1 schema of the statements.\n"
    "Worker I runs `zkreg train --round ROUND --worker I --out-dir DIR` and hands\n"
    "back DIR/worker-I.zkrtm and DIR/worker-I.zkp.\n"
    "accept: judges each worker's submission: the model file must decode, belong\n"
    "to the parent's program and come with a proof that verifies (in the confined\n"
    "verifier) for the statement the round itself derives for that worker's\n"
    "shard; anything else (no submission, no proof, a proof for another shard,\n"
    "parent, lr or model, a faked update) is rejected with the reason, logged.\n"
    "Accepted children are registered; their integer federated average\n"
    "(docs/training.md) is registered as the next model and the round is closed.\n"
    "Exit 0 when at least one update was accepted, 1 when none was, 5 when the\n"
    "round is already closed.\n"
    "show: the round and its outcomes. audit: recomputes the average from the\n"
    "registered children and compares it with the registered result (exit 1 if not equal).\n" ZKR_CLI_EXIT_HELP;

enum { R_MODEL = 0x300, R_DATASET, R_WORKERS, R_FIRST, R_PER, R_LR, R_SHIFT, R_SCHEMA, R_SUB, R_NOSB };

typedef struct {
    const char *model, *dataset, *schema;
    const char *sub[ROUND_MAX_WORKERS];
    uint64_t workers, first, per, lr, shift;
    int no_sandbox;
    uint64_t round;
} round_args;

static zkr_err round_sub(zkr_cli *cli, const char *s, round_args *a)
{
    char *end;
    unsigned long w = strtoul(s, &end, 10);

    if (end == s || *end != '=' || w >= ROUND_MAX_WORKERS)
        return zkr_cli_usage(cli, "--submission: expected I=MODEL_FILE[,PROOF_FILE], I < %u",
                             ROUND_MAX_WORKERS);
    if (a->sub[w] != NULL)
        return zkr_cli_usage(cli, "--submission: worker %lu given twice", w);
    a->sub[w] = end + 1;
    return ZKR_OK;
}

static zkr_err round_parse(zkr_cli *cli, int argc, char **argv, round_args *a, int *done)
{
    static const struct option opts[] = {
        ZKR_CLI_COMMON_LONGOPTS,
        {"model", required_argument, NULL, R_MODEL},
        {"dataset", required_argument, NULL, R_DATASET},
        {"workers", required_argument, NULL, R_WORKERS},
        {"first-record", required_argument, NULL, R_FIRST},
        {"records-per-worker", required_argument, NULL, R_PER},
        {"lr", required_argument, NULL, R_LR},
        {"shift", required_argument, NULL, R_SHIFT},
        {"schema", required_argument, NULL, R_SCHEMA},
        {"submission", required_argument, NULL, R_SUB},
        {"no-sandbox", no_argument, NULL, R_NOSB},
        {NULL, 0, NULL, 0}};
    int c;
    zkr_err r = ZKR_OK;

    memset(a, 0, sizeof *a);
    while (r == ZKR_OK && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, round_help, done)) {
            if (*done)
                return ZKR_OK;
            continue;
        }
        switch (c) {
        case R_MODEL: a->model = optarg; break;
        case R_DATASET: a->dataset = optarg; break;
        case R_SCHEMA: a->schema = optarg; break;
        case R_WORKERS: r = zkr_cli_parse_u64(cli, "--workers", optarg, &a->workers); break;
        case R_FIRST: r = zkr_cli_parse_u64(cli, "--first-record", optarg, &a->first); break;
        case R_PER: r = zkr_cli_parse_u64(cli, "--records-per-worker", optarg, &a->per); break;
        case R_LR: r = zkr_cli_parse_u64(cli, "--lr", optarg, &a->lr); break;
        case R_SHIFT: r = zkr_cli_parse_u64(cli, "--shift", optarg, &a->shift); break;
        case R_SUB: r = round_sub(cli, optarg, a); break;
        case R_NOSB: a->no_sandbox = 1; break;
        default: return zkr_cli_usage(cli, "bad option (see --help)");
        }
    }
    return r;
}

static zkr_err round_open(zkr_cli *cli, const round_args *a)
{
    zkr_registry *reg = NULL;
    zkr_artifact parent, ds;
    zkr_schema sc;
    zkr_ml_tmodel *m = NULL;
    zkr_cli_train_data td;
    round_info ri;
    zkr_buf ev = {0};
    uint64_t id;
    zkr_err r;

    memset(&td, 0, sizeof td);
    memset(&ri, 0, sizeof ri);
    if (!a->model || !a->dataset || !a->schema || !a->workers || !a->per || !a->lr || !a->shift)
        return zkr_cli_usage(cli, "round open needs --model --dataset --workers "
                                  "--records-per-worker --lr --shift --schema (and --first-record)");
    if (a->workers > ROUND_MAX_WORKERS || a->per > ZKR_ML_T_MAX_BATCH || a->lr > ZKR_ML_T_LR_MAX ||
        a->shift < ZKR_ML_T_SHIFT_MIN || a->shift > ZKR_ML_T_SHIFT_MAX)
        return zkr_cli_usage(cli, "--workers <= %u, --records-per-worker <= %u, --lr <= %u, "
                                  "--shift %u..%u", ROUND_MAX_WORKERS, ZKR_ML_T_MAX_BATCH,
                             ZKR_ML_T_LR_MAX, ZKR_ML_T_SHIFT_MIN, ZKR_ML_T_SHIFT_MAX);
    if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK ||
        (r = zkr_cli_train_load_model(cli, reg, a->model, &parent, &m)) != ZKR_OK ||
        (r = zkr_cli_train_data_open(cli, reg, a->dataset, &ds, &td)) != ZKR_OK ||
        (r = zkr_registry_schema_get(reg, a->schema, &sc, &cli->diag)) != ZKR_OK)
        goto out;
    if ((r = zkr_cli_train_provable(cli, m, (uint32_t)a->per)) != ZKR_OK)
        goto out;
    if (strcmp(sc.proof_kind, "training-step@1") != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_SCHEMA, "schema %s: proof kind '%s', expected "
                     "training-step@1", a->schema, sc.proof_kind);
        goto out;
    }
    if (a->first + a->workers * a->per > td.n) {
        r = zkr_fail(&cli->diag, ZKR_ERR_NOT_FOUND, "shards end at record %llu, past the "
                     "dataset's %llu records", (unsigned long long)(a->first + a->workers * a->per),
                     (unsigned long long)td.n);
        goto out;
    }
    memcpy(ri.parent, parent.sha256, 32);
    memcpy(ri.parent_commitment, parent.commitment, 32);
    memcpy(ri.dataset, ds.sha256, 32);
    memcpy(ri.schema, sc.digest, 32);
    ri.workers = (uint32_t)a->workers;
    ri.first = a->first;
    ri.per_worker = (uint32_t)a->per;
    ri.sp.lr = (uint32_t)a->lr;
    ri.sp.shift = (uint32_t)a->shift;
    if ((r = open_payload(&ri, &ev)) != ZKR_OK ||
        (r = zkr_registry_event_append(reg, "round-open", ev.p, ev.len, &id, &cli->diag)) != ZKR_OK)
        goto out;
    if (cli->json)
        printf("{\"ok\":true,\"round\":%llu}\n", (unsigned long long)id);
    else
        printf("round %llu opened: model %lld, dataset %lld, %u workers x %u records from %llu\n",
               (unsigned long long)id, (long long)parent.id, (long long)ds.id, ri.workers,
               ri.per_worker, (unsigned long long)ri.first);
out:
    zkr_buf_free(&ev);
    zkr_ml_tmodel_free(m);
    zkr_cli_train_data_free(&td);
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* A worker                                                            */
/* ------------------------------------------------------------------ */

static zkr_err write_out(zkr_cli *cli, const char *dir, const char *name, uint32_t w,
                         const uint8_t *p, size_t len, char *path, size_t cap)
{
    if (snprintf(path, cap, "%s/worker-%u.%s", dir, w, name) >= (int)cap)
        return zkr_fail(&cli->diag, ZKR_ERR_USAGE, "%s: path too long", dir);
    return zkr_file_write_atomic(path, p, len, 0644, &cli->diag);
}

static zkr_err refs_of(const round_info *ri, char parent[65], char ds[65], char schema[65])
{
    zkr_cli_hex32(ri->parent, parent);
    zkr_cli_hex32(ri->dataset, ds);
    zkr_cli_hex32(ri->schema, schema);
    return ZKR_OK;
}

zkr_err zkr_cli_round_work(zkr_cli *cli, const zkr_cli_train_args *a)
{
    zkr_registry *reg = NULL;
    round_info ri;
    zkr_artifact parent_a, ds_a;
    zkr_ml_tmodel *parent = NULL, *child = NULL;
    zkr_cli_train_data td;
    zkr_cli_train_params tp;
    zkr_statement st;
    zkr_buf inputs = {0}, child_bytes = {0}, proof = {0};
    uint64_t idx[ZKR_ML_T_MAX_BATCH];
    uint8_t labels[ZKR_ML_T_MAX_BATCH], sha[32];
    char pref[65], dref[65], sref[65], mpath[4096], ppath[4096], sid[65];
    zkr_err r;

    memset(&td, 0, sizeof td);
    memset(&st, 0, sizeof st);
    if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK ||
        (r = round_load(cli, reg, a->round, &ri)) != ZKR_OK)
        goto out;
    if (a->worker >= ri.workers) {
        r = zkr_fail(&cli->diag, ZKR_ERR_USAGE, "--worker %u: round %llu has workers 0..%u",
                     a->worker, (unsigned long long)ri.id, ri.workers - 1);
        goto out;
    }
    (void)refs_of(&ri, pref, dref, sref);
    shard_indices(&ri, a->worker, idx);
    if ((r = zkr_cli_train_load_model(cli, reg, pref, &parent_a, &parent)) != ZKR_OK ||
        (r = zkr_cli_train_data_open(cli, reg, dref, &ds_a, &td)) != ZKR_OK ||
        (r = zkr_cli_train_batch(cli, &td, zkr_ml_tmodel_graph(parent)->input_dim, idx,
                                 ri.per_worker, &inputs, labels)) != ZKR_OK ||
        (r = zkr_ml_train_step(parent, inputs.p, inputs.len, labels, ri.per_worker, &ri.sp,
                               &child_bytes, NULL, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_tmodel_decode(child_bytes.p, child_bytes.len, &child, &cli->diag)) != ZKR_OK)
        goto out;
    zkr_ml_tmodel_digest(child, sha);
    if ((r = zkr_cli_train_statement(cli, reg, sref, &parent_a, &ds_a, sha, &ri.sp, idx,
                                     ri.per_worker, &st)) != ZKR_OK ||
        (r = zkr_cli_train_params_of(cli, &st, &tp)) != ZKR_OK ||
        (r = zkr_cli_train_prove(cli, &st, parent, child, &td, &tp, a->no_sandbox, &proof)) !=
            ZKR_OK ||
        (r = write_out(cli, a->out_dir, "zkrtm", a->worker, child_bytes.p, child_bytes.len, mpath,
                       sizeof mpath)) != ZKR_OK ||
        (r = write_out(cli, a->out_dir, "zkp", a->worker, proof.p, proof.len, ppath,
                       sizeof ppath)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(st.statement_id, sid);
    if (cli->json)
        printf("{\"ok\":true,\"model\":\"%s\",\"proof\":\"%s\",\"statement\":\"%s\"}\n", mpath,
               ppath, sid);
    else
        printf("worker %u: model %s\n          proof %s (%zu bytes)\n          statement %s\n",
               a->worker, mpath, ppath, proof.len, sid);
out:
    zkr_statement_free(&st);
    zkr_buf_free(&inputs);
    zkr_buf_free(&child_bytes);
    zkr_buf_free(&proof);
    zkr_ml_tmodel_free(parent);
    zkr_ml_tmodel_free(child);
    zkr_cli_train_data_free(&td);
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* round accept                                                        */
/* ------------------------------------------------------------------ */

typedef struct {
    zkr_registry *reg;
    round_info ri;
    zkr_artifact parent_a, ds_a;
    char pref[65], dref[65], sref[65];
    zkr_ml_tmodel *children[ROUND_MAX_WORKERS];
    uint8_t child_sha[ROUND_MAX_WORKERS][32];
    uint8_t child_comm[ROUND_MAX_WORKERS][32];
    uint8_t sid[ROUND_MAX_WORKERS][32];
    uint8_t proof_sha[ROUND_MAX_WORKERS][32];
    char reason[ROUND_MAX_WORKERS][REASON_MAX];
    int accepted[ROUND_MAX_WORKERS];
} accept_ctx;

/* Splits "MODEL[,PROOF]" into the two paths. */
static void split_sub(const char *s, char *model, size_t cap, const char **proof)
{
    const char *comma = strchr(s, ',');
    size_t n = comma ? (size_t)(comma - s) : strlen(s);

    if (n >= cap)
        n = cap - 1;
    memcpy(model, s, n);
    model[n] = '\0';
    *proof = comma ? comma + 1 : NULL;
}

/* Judges worker w; on rejection fills the reason and returns ZKR_OK (not an error). */
static zkr_err judge(zkr_cli *cli, accept_ctx *c, uint32_t w, const char *sub, int no_sandbox)
{
    char model_path[4096];
    const char *proof_path;
    zkr_buf mb = {0}, pb = {0};
    zkr_statement st;
    uint64_t idx[ZKR_ML_T_MAX_BATCH];
    uint8_t pd[32];
    zkr_diag saved = cli->diag;
    zkr_err r = ZKR_OK, v;

    memset(&st, 0, sizeof st);
    memset(&cli->diag, 0, sizeof cli->diag);
    if (sub == NULL) {
        snprintf(c->reason[w], REASON_MAX, "no update submitted");
        goto out;
    }
    split_sub(sub, model_path, sizeof model_path, &proof_path);
    if ((v = zkr_file_read(model_path, ZKR_ML_MODEL_MAX_BYTES, &mb, &cli->diag)) != ZKR_OK ||
        (v = zkr_ml_tmodel_decode(mb.p, mb.len, &c->children[w], &cli->diag)) != ZKR_OK) {
        snprintf(c->reason[w], REASON_MAX, "model file unusable: %s", cli->diag.msg);
        goto out;
    }
    zkr_ml_tmodel_program_digest(c->children[w], pd);
    zkr_ml_tmodel_digest(c->children[w], c->child_sha[w]);
    if (memcmp(pd, c->parent_a.program_sha256, 32) != 0) {
        snprintf(c->reason[w], REASON_MAX, "model of another program");
        goto out;
    }
    if (proof_path == NULL) {
        snprintf(c->reason[w], REASON_MAX, "unproven update: no proof submitted");
        goto out;
    }
    if ((v = zkr_file_read(proof_path, ZKR_PROOF_MAX_BYTES, &pb, &cli->diag)) != ZKR_OK) {
        snprintf(c->reason[w], REASON_MAX, "proof unreadable: %s", cli->diag.msg);
        goto out;
    }
    zkr_sha256(pb.p, pb.len, c->proof_sha[w]);
    shard_indices(&c->ri, w, idx);
    if ((r = zkr_cli_train_commit_store(cli, c->children[w], c->child_comm[w])) != ZKR_OK ||
        (r = zkr_cli_train_statement(cli, c->reg, c->sref, &c->parent_a, &c->ds_a,
                                     c->child_sha[w], &c->ri.sp, idx, c->ri.per_worker, &st)) !=
            ZKR_OK)
        goto out;
    memcpy(c->sid[w], st.statement_id, 32);
    v = zkr_cli_train_verify(cli, c->reg, &st, c->child_comm[w], pb.p, pb.len, no_sandbox);
    if (v != ZKR_OK) {
        snprintf(c->reason[w], REASON_MAX, "proof rejected (%s): %s", zkr_strerror(v),
                 cli->diag.msg);
        goto out;
    }
    c->accepted[w] = 1;
    snprintf(c->reason[w], REASON_MAX, "proof verified for shard %llu..%llu",
             (unsigned long long)idx[0], (unsigned long long)idx[c->ri.per_worker - 1]);
out:
    if (!c->accepted[w]) {
        zkr_ml_tmodel_free(c->children[w]);
        c->children[w] = NULL;
    }
    if (r == ZKR_OK)
        cli->diag = saved;
    zkr_statement_free(&st);
    zkr_buf_free(&mb);
    zkr_buf_free(&pb);
    return r;
}

static zkr_err outcome_payload(const accept_ctx *c, uint32_t w, zkr_buf *out)
{
    zkr_err r;

    out->len = 0;
    if ((r = zkr_enc_u32(out, 1)) != ZKR_OK || (r = zkr_buf_append(out, c->ri.digest, 32)) != ZKR_OK ||
        (r = zkr_enc_u32(out, w)) != ZKR_OK || (r = zkr_enc_u8(out, (uint8_t)c->accepted[w])) != ZKR_OK ||
        (r = zkr_buf_append(out, c->child_sha[w], 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, c->sid[w], 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, c->proof_sha[w], 32)) != ZKR_OK)
        return r;
    return zkr_enc_str(out, c->reason[w]);
}

static zkr_err record_outcome(zkr_cli *cli, accept_ctx *c, uint32_t w, zkr_buf *ev)
{
    char prog[32];
    zkr_artifact a;
    const uint8_t *p;
    size_t len;
    uint64_t li;
    zkr_err r;

    if ((r = outcome_payload(c, w, ev)) != ZKR_OK)
        return r;
    if (!c->accepted[w])
        return zkr_registry_event_append(c->reg, "round-outcome", ev->p, ev->len, &li, &cli->diag);
    snprintf(prog, sizeof prog, "%lld", (long long)c->parent_a.program_id);
    zkr_ml_tmodel_bytes(c->children[w], &p, &len);
    return zkr_registry_model_add_event(c->reg, c->parent_a.name, prog, p, len, c->child_comm[w],
                                        "round-outcome", ev->p, ev->len, &a, &li, &cli->diag);
}

static zkr_err close_payload(const accept_ctx *c, const uint8_t sha[32], const uint8_t comm[32],
                             zkr_buf *out)
{
    uint32_t k = 0;
    zkr_err r;

    out->len = 0;
    for (uint32_t w = 0; w < c->ri.workers; w++)
        k += (uint32_t)c->accepted[w];
    if ((r = zkr_enc_u32(out, 1)) != ZKR_OK || (r = zkr_buf_append(out, c->ri.digest, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, sha, 32)) != ZKR_OK || (r = zkr_buf_append(out, comm, 32)) != ZKR_OK ||
        (r = zkr_enc_u32(out, k)) != ZKR_OK)
        return r;
    for (uint32_t w = 0; w < c->ri.workers; w++)
        if (c->accepted[w] && (r = zkr_buf_append(out, c->child_sha[w], 32)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

/* Averages the accepted children and registers the result with the round-close event. */
static zkr_err round_close(zkr_cli *cli, accept_ctx *c, zkr_buf *ev, zkr_artifact *res, size_t *k)
{
    const zkr_ml_tmodel *acc[ROUND_MAX_WORKERS];
    zkr_ml_tmodel *avg = NULL;
    zkr_buf b = {0};
    uint8_t sha[32] = {0}, comm[32] = {0};
    char prog[32];
    uint64_t li;
    zkr_err r;

    *k = 0;
    memset(res, 0, sizeof *res);
    for (uint32_t w = 0; w < c->ri.workers; w++)
        if (c->accepted[w])
            acc[(*k)++] = c->children[w];
    if (*k == 0) {
        if ((r = close_payload(c, sha, comm, ev)) == ZKR_OK)
            r = zkr_registry_event_append(c->reg, "round-close", ev->p, ev->len, &li, &cli->diag);
        goto out;
    }
    if ((r = zkr_ml_fedavg(acc, *k, &b, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_tmodel_decode(b.p, b.len, &avg, &cli->diag)) != ZKR_OK ||
        (r = zkr_cli_train_commit_store(cli, avg, comm)) != ZKR_OK)
        goto out;
    zkr_ml_tmodel_digest(avg, sha);
    snprintf(prog, sizeof prog, "%lld", (long long)c->parent_a.program_id);
    if ((r = close_payload(c, sha, comm, ev)) != ZKR_OK ||
        (r = zkr_registry_model_add_event(c->reg, c->parent_a.name, prog, b.p, b.len, comm,
                                          "round-close", ev->p, ev->len, res, &li, &cli->diag)) !=
            ZKR_OK)
        goto out;
out:
    zkr_ml_tmodel_free(avg);
    zkr_buf_free(&b);
    return r;
}

static zkr_err round_closed(zkr_cli *cli, zkr_registry *reg, const uint8_t digest[32], int *closed,
                            uint64_t *at)
{
    uint64_t *idx = NULL;
    size_t n = 0;
    zkr_log_entry e;
    zkr_err r;

    *closed = 0;
    if ((r = zkr_registry_events_of_type(reg, "round-close", &idx, &n, &cli->diag)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n && !*closed; i++) {
        if ((r = zkr_registry_log_entry(reg, idx[i], &e, &cli->diag)) != ZKR_OK)
            break;
        if (e.payload_len >= 36 && memcmp(e.payload + 4, digest, 32) == 0) {
            *closed = 1;
            *at = idx[i];
        }
        zkr_log_entry_free(&e);
    }
    free(idx);
    return r;
}

static void print_outcomes(const zkr_cli *cli, const accept_ctx *c, const zkr_artifact *res,
                           size_t k)
{
    if (cli->json) {
        printf("{\"ok\":true,\"round\":%llu,\"accepted\":%zu,\"result_model\":%lld,\"workers\":[",
               (unsigned long long)c->ri.id, k, (long long)res->id);
        for (uint32_t w = 0; w < c->ri.workers; w++) {
            printf("%s{\"worker\":%u,\"accepted\":%s,\"reason\":", w ? "," : "", w,
                   c->accepted[w] ? "true" : "false");
            zkr_cli_json_string(stdout, c->reason[w]);
            printf("}");
        }
        printf("]}\n");
        return;
    }
    for (uint32_t w = 0; w < c->ri.workers; w++)
        printf("worker %u: %s: %s\n", w, c->accepted[w] ? "ACCEPTED" : "REJECTED", c->reason[w]);
    if (k > 0)
        printf("round %llu closed: %zu update(s) averaged into model %lld (%s v%llu)\n",
               (unsigned long long)c->ri.id, k, (long long)res->id, res->name,
               (unsigned long long)res->version);
    else
        printf("round %llu closed: no update accepted\n", (unsigned long long)c->ri.id);
}

static zkr_err round_accept(zkr_cli *cli, const round_args *a)
{
    accept_ctx *c = calloc(1, sizeof *c);
    zkr_ml_tmodel *parent = NULL;
    zkr_cli_train_data td;
    zkr_artifact res;
    zkr_buf ev = {0};
    uint64_t at = 0;
    size_t k = 0;
    int closed;
    zkr_err r;

    memset(&td, 0, sizeof td);
    if (c == NULL)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_cli_registry_open(cli, &c->reg)) != ZKR_OK ||
        (r = round_load(cli, c->reg, a->round, &c->ri)) != ZKR_OK ||
        (r = round_closed(cli, c->reg, c->ri.digest, &closed, &at)) != ZKR_OK)
        goto out;
    if (closed) {
        r = zkr_fail(&cli->diag, ZKR_ERR_CONFLICT, "round %llu was already closed (log %llu)",
                     (unsigned long long)a->round, (unsigned long long)at);
        goto out;
    }
    for (uint32_t w = c->ri.workers; w < ROUND_MAX_WORKERS; w++)
        if (a->sub[w]) {
            r = zkr_cli_usage(cli, "--submission %u: round %llu has workers 0..%u", w,
                              (unsigned long long)a->round, c->ri.workers - 1);
            goto out;
        }
    (void)refs_of(&c->ri, c->pref, c->dref, c->sref);
    if ((r = zkr_cli_train_load_model(cli, c->reg, c->pref, &c->parent_a, &parent)) != ZKR_OK ||
        (r = zkr_cli_train_data_open(cli, c->reg, c->dref, &c->ds_a, &td)) != ZKR_OK)
        goto out;
    for (uint32_t w = 0; w < c->ri.workers; w++)
        if ((r = judge(cli, c, w, a->sub[w], a->no_sandbox)) != ZKR_OK)
            goto out;
    for (uint32_t w = 0; w < c->ri.workers; w++)
        if ((r = record_outcome(cli, c, w, &ev)) != ZKR_OK)
            goto out;
    if ((r = round_close(cli, c, &ev, &res, &k)) != ZKR_OK)
        goto out;
    print_outcomes(cli, c, &res, k);
    if (k == 0)
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY, "round %llu: no update was accepted",
                     (unsigned long long)a->round);
out:
    for (uint32_t w = 0; w < ROUND_MAX_WORKERS; w++)
        zkr_ml_tmodel_free(c->children[w]);
    zkr_ml_tmodel_free(parent);
    zkr_cli_train_data_free(&td);
    zkr_registry_close(c->reg);
    zkr_buf_free(&ev);
    free(c);
    return r;
}

/* ------------------------------------------------------------------ */
/* round show / audit                                                  */
/* ------------------------------------------------------------------ */

typedef struct {
    uint8_t round[32];
    uint32_t worker;
    uint8_t accepted;
    uint8_t child[32];
    char reason[REASON_MAX];
} outcome;

static zkr_err outcome_decode(const uint8_t *p, size_t len, outcome *o)
{
    zkr_dec d;
    uint32_t ver;
    uint8_t skip[32];
    const uint8_t *s;
    size_t n;

    memset(o, 0, sizeof *o);
    zkr_dec_init(&d, p, len);
    if (zkr_dec_u32(&d, &ver) != ZKR_OK || ver != 1 || dec32(&d, o->round) != ZKR_OK ||
        zkr_dec_u32(&d, &o->worker) != ZKR_OK || zkr_dec_u8(&d, &o->accepted) != ZKR_OK ||
        dec32(&d, o->child) != ZKR_OK || dec32(&d, skip) != ZKR_OK || dec32(&d, skip) != ZKR_OK ||
        zkr_dec_bytes(&d, REASON_MAX - 1, &s, &n) != ZKR_OK || zkr_dec_finish(&d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(o->reason, s, n);
    return ZKR_OK;
}

static zkr_err round_show(zkr_cli *cli, const round_args *a)
{
    zkr_registry *reg = NULL;
    round_info ri;
    uint64_t *idx = NULL, at = 0;
    size_t n = 0;
    zkr_log_entry e;
    outcome o;
    char hex[65];
    int closed = 0;
    zkr_err r;

    if ((r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK ||
        (r = round_load(cli, reg, a->round, &ri)) != ZKR_OK ||
        (r = round_closed(cli, reg, ri.digest, &closed, &at)) != ZKR_OK ||
        (r = zkr_registry_events_of_type(reg, "round-outcome", &idx, &n, &cli->diag)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(ri.parent, hex);
    printf("round %llu: parent %s, %u workers x %u records from %llu, lr %u, shift %u, %s\n",
           (unsigned long long)ri.id, hex, ri.workers, ri.per_worker, (unsigned long long)ri.first,
           ri.sp.lr, ri.sp.shift, closed ? "closed" : "open");
    for (size_t i = 0; i < n; i++) {
        if ((r = zkr_registry_log_entry(reg, idx[i], &e, &cli->diag)) != ZKR_OK)
            goto out;
        r = outcome_decode(e.payload, e.payload_len, &o);
        zkr_log_entry_free(&e);
        if (r != ZKR_OK) {
            r = zkr_fail(&cli->diag, ZKR_ERR_REGISTRY, "log %llu: malformed round-outcome",
                         (unsigned long long)idx[i]);
            goto out;
        }
        if (memcmp(o.round, ri.digest, 32) == 0)
            printf("  worker %u: %s: %s (log %llu)\n", o.worker,
                   o.accepted ? "accepted" : "rejected", o.reason, (unsigned long long)idx[i]);
    }
out:
    free(idx);
    zkr_registry_close(reg);
    return r;
}

static zkr_err audit_close(zkr_cli *cli, zkr_registry *reg, uint64_t at, uint8_t result[32],
                           zkr_ml_tmodel **kids, uint32_t *k)
{
    zkr_log_entry e;
    zkr_dec d;
    uint32_t ver;
    uint8_t id[32], comm[32], sha[32];
    char hex[65];
    zkr_artifact a;
    zkr_err r;

    *k = 0;
    if ((r = zkr_registry_log_entry(reg, at, &e, &cli->diag)) != ZKR_OK)
        return r;
    zkr_dec_init(&d, e.payload, e.payload_len);
    if (zkr_dec_u32(&d, &ver) != ZKR_OK || ver != 1 || dec32(&d, id) != ZKR_OK ||
        dec32(&d, result) != ZKR_OK || dec32(&d, comm) != ZKR_OK ||
        zkr_dec_u32(&d, k) != ZKR_OK || *k > ROUND_MAX_WORKERS) {
        r = zkr_fail(&cli->diag, ZKR_ERR_REGISTRY, "log %llu: malformed round-close",
                     (unsigned long long)at);
        goto out;
    }
    for (uint32_t i = 0; i < *k; i++) {
        if (dec32(&d, sha) != ZKR_OK) {
            r = zkr_fail(&cli->diag, ZKR_ERR_REGISTRY, "log %llu: malformed round-close",
                         (unsigned long long)at);
            goto out;
        }
        zkr_cli_hex32(sha, hex);
        if ((r = zkr_cli_train_load_model(cli, reg, hex, &a, &kids[i])) != ZKR_OK)
            goto out;
    }
out:
    zkr_log_entry_free(&e);
    return r;
}

static zkr_err round_audit(zkr_cli *cli, const round_args *a)
{
    zkr_registry *reg = NULL;
    zkr_ml_tmodel *kids[ROUND_MAX_WORKERS] = {0};
    round_info ri;
    zkr_buf b = {0};
    uint8_t result[32], sha[32];
    uint64_t at = 0;
    uint32_t k = 0;
    char hex[65];
    int closed;
    zkr_err r;

    if ((r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK ||
        (r = round_load(cli, reg, a->round, &ri)) != ZKR_OK ||
        (r = round_closed(cli, reg, ri.digest, &closed, &at)) != ZKR_OK)
        goto out;
    if (!closed) {
        r = zkr_fail(&cli->diag, ZKR_ERR_NOT_FOUND, "round %llu is not closed",
                     (unsigned long long)a->round);
        goto out;
    }
    if ((r = audit_close(cli, reg, at, result, kids, &k)) != ZKR_OK)
        goto out;
    if (k == 0) {
        printf("round %llu: closed with no accepted update; nothing to recompute\n",
               (unsigned long long)a->round);
        goto out;
    }
    if ((r = zkr_ml_fedavg((const zkr_ml_tmodel *const *)kids, k, &b, &cli->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(b.p, b.len, sha);
    zkr_cli_hex32(sha, hex);
    if (sodium_memcmp(sha, result, 32) != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY, "round %llu: the average of its %u children is "
                     "%s, not the registered result", (unsigned long long)a->round, k, hex);
        goto out;
    }
    printf("round %llu: the average of its %u accepted children recomputes to %s, the "
           "registered result\n", (unsigned long long)a->round, k, hex);
out:
    for (uint32_t i = 0; i < ROUND_MAX_WORKERS; i++)
        zkr_ml_tmodel_free(kids[i]);
    zkr_buf_free(&b);
    zkr_registry_close(reg);
    return r;
}

zkr_err zkr_cmd_round(zkr_cli *cli, int argc, char **argv)
{
    round_args a;
    const char *sub;
    int done = 0;
    zkr_err r;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc >= 2) {
            fputs(round_help, stdout);
            return ZKR_OK;
        }
        return zkr_cli_usage(cli, "round: expected open, accept, show or audit");
    }
    sub = argv[1];
    if ((r = round_parse(cli, argc - 1, argv + 1, &a, &done)) != ZKR_OK || done)
        return r;
    if (strcmp(sub, "open") == 0)
        return optind == argc - 1 ? round_open(cli, &a) : zkr_cli_usage(cli, "round open: unexpected argument");
    if (strcmp(sub, "accept") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "audit") != 0)
        return zkr_cli_usage(cli, "round: unknown subcommand '%s'", sub);
    if (optind + 1 != argc - 1)
        return zkr_cli_usage(cli, "round %s: expected exactly one ROUND argument", sub);
    if ((r = zkr_cli_parse_u64(cli, "ROUND", argv[optind + 1], &a.round)) != ZKR_OK)
        return r;
    if (strcmp(sub, "accept") == 0)
        return round_accept(cli, &a);
    return strcmp(sub, "show") == 0 ? round_show(cli, &a) : round_audit(cli, &a);
}
