/*
 * cmd_train.c: `zkreg train-init`, `zkreg train` and `zkreg lineage`.
 * Every child model is registered together with its lineage event (one
 * transaction), so the log explains every model a run produced. The round
 * commands live in cmd_round.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/infer.h"
#include "registry_cli.h"
#include "train_cli.h"
#include "app/train.h"

enum {
    OPT_DIMS = 0x200,
    OPT_SEED,
    OPT_SEED_TEXT,
    OPT_OUT_DIR,
    OPT_MODEL,
    OPT_DATASET,
    OPT_BATCH,
    OPT_STEPS,
    OPT_LR,
    OPT_SHIFT,
    OPT_FIRST,
    OPT_PROVE,
    OPT_SCHEMA,
    OPT_NO_SANDBOX,
    OPT_ROUND,
    OPT_WORKER,
    OPT_EVAL,
    OPT_NAME,
    OPT_KEEP_EVERY,
    OPT_DATASET_FILE,
    OPT_DATASET_SECRETS,
    OPT_ZK_SEED,
};

/* ------------------------------------------------------------------ */
/* train-init                                                           */
/* ------------------------------------------------------------------ */

static const char train_init_help[] =
    "usage: zkreg train-init --dims D0,D1,...,DL --out-dir DIR [--seed HEX64 | --seed-text TEXT]\n"
    "\n"
    "Writes DIR/program.zkrprog (the fixed-point training program D0 -> ... -> DL,\n"
    "hidden layers ReLU) and DIR/init.zkrtm (the deterministic initial training\n"
    "model from the 32-byte seed; --seed-text uses SHA-256 of TEXT; default: 32\n"
    "zero bytes). docs/training.md specifies both. Register them with\n"
    "register-program and register-model. Nothing is written to the registry.\n" ZKR_CLI_EXIT_HELP;

static zkr_err parse_dims(zkr_cli *cli, const char *s, uint32_t *dims, size_t *n)
{
    *n = 0;
    while (*s) {
        char *end;
        unsigned long v;
        if (*n == ZKR_ML_MAX_LAYERS + 1)
            return zkr_cli_usage(cli, "--dims: at most %u layers", ZKR_ML_MAX_LAYERS);
        errno = 0;
        v = strtoul(s, &end, 10);
        if (end == s || errno != 0 || v == 0 || v > ZKR_ML_MAX_DIM || (*end != ',' && *end))
            return zkr_cli_usage(cli, "--dims: '%s' is not a list of widths 1..%u", s,
                                 ZKR_ML_MAX_DIM);
        dims[(*n)++] = (uint32_t)v;
        s = *end ? end + 1 : end;
    }
    if (*n < 2)
        return zkr_cli_usage(cli, "--dims needs at least an input and an output width");
    return ZKR_OK;
}

static zkr_err write_in_dir(zkr_cli *cli, const char *dir, const char *name, const zkr_buf *b)
{
    char path[4096];

    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return zkr_fail(&cli->diag, ZKR_ERR_USAGE, "%s: path too long", dir);
    return zkr_file_write_atomic(path, b->p, b->len, 0644, &cli->diag);
}

zkr_err zkr_cmd_train_init(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"dims", required_argument, NULL, OPT_DIMS},
                                         {"seed", required_argument, NULL, OPT_SEED},
                                         {"seed-text", required_argument, NULL, OPT_SEED_TEXT},
                                         {"out-dir", required_argument, NULL, OPT_OUT_DIR},
                                         {NULL, 0, NULL, 0}};
    const char *dims_s = NULL, *out_dir = NULL;
    uint8_t seed[32] = {0};
    uint32_t dims[ZKR_ML_MAX_LAYERS + 1];
    size_t n;
    zkr_ml_graph g;
    zkr_buf prog = {0}, model = {0};
    int c, done = 0;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, train_init_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (c == OPT_DIMS)
            dims_s = optarg;
        else if (c == OPT_OUT_DIR)
            out_dir = optarg;
        else if (c == OPT_SEED_TEXT)
            zkr_sha256((const uint8_t *)optarg, strlen(optarg), seed);
        else if (c == OPT_SEED) {
            if (strlen(optarg) != 64 || zkr_hex_decode_exact(optarg, seed, sizeof seed) != ZKR_OK)
                return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "--seed: expected 64 hex digits");
        } else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (!dims_s || !out_dir || optind != argc)
        return zkr_cli_usage(cli, "--dims and --out-dir are required");
    if ((r = parse_dims(cli, dims_s, dims, &n)) != ZKR_OK ||
        (r = zkr_ml_tprogram_make(dims, n, &g, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_graph_encode(&g, &prog, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_tmodel_init(&g, seed, &model, &cli->diag)) != ZKR_OK ||
        (r = zkr_app_make_dir(cli, out_dir)) != ZKR_OK ||
        (r = write_in_dir(cli, out_dir, "program.zkrprog", &prog)) != ZKR_OK ||
        (r = write_in_dir(cli, out_dir, "init.zkrtm", &model)) != ZKR_OK)
        goto out;
    if (cli->json) {
        printf("{\"ok\":true,\"program\":\"%s/program.zkrprog\",\"model\":\"%s/init.zkrtm\"}\n",
               out_dir, out_dir);
    } else {
        printf("program: %s/program.zkrprog\nmodel:   %s/init.zkrtm\n", out_dir, out_dir);
    }
out:
    sodium_memzero(seed, sizeof seed);
    zkr_buf_free(&prog);
    zkr_buf_free(&model);
    return r;
}

/* ------------------------------------------------------------------ */
/* train                                                                */
/* ------------------------------------------------------------------ */

static const char train_help[] =
    "usage: zkreg train --model ID --dataset ID --batch-size B --steps N --lr ETA [--shift S]\n"
    "                   [--first-record F] [--eval ID] [--prove --schema NAME@VER --out-dir DIR]\n"
    "                   [--name BASE] [--keep-every K] [--no-sandbox]\n"
    "       zkreg train --round ROUND --worker I --out-dir DIR [--prove]\n"
    "                   [--dataset-file SHARD --dataset-secrets S [--zk-seed FILE]\n"
    "                    [--passphrase-file F | --passphrase-fd N]]\n"
    "\n"
    "Runs N fixed-point SGD steps (docs/training.md) from training model ID on\n"
    "registered dataset ID: step t uses records (F + t*B + i) mod n, i < B (B <= 64).\n"
    "Each child is written to the store beside the registry, committed and\n"
    "registered as a model of the same program together with its lineage event\n"
    "(parent and child commitments, dataset, lr, shift, batch indices), in one\n"
    "transaction. --eval DATASET prints the quantized test accuracy of the last\n"
    "model. --prove also registers a training-step@1 statement under schema\n"
    "NAME@VER (fields child_model, record_indices, lr, shift, steps) for each step\n"
    "and proves it in the confined prover, writing DIR/step-T.zkp.\n"
    "--round: a round's worker I trains its shard (one step, batch = the shard)\n"
    "from the round's model and writes DIR/worker-I.zkrtm and DIR/worker-I.zkp\n"
    "(the statement is registered; the child is not: `round accept` decides).\n"
    "A training-step@2 round trains on private shards: the worker gives its own\n"
    "shard file and the sealed secrets of its version 3 commitment (`zkreg\n"
    "dataset commit --hiding-records`); the records never reach the registry.\n"
    "Children are named BASE-step-D (D: the child's lineage depth; BASE: --name,\n"
    "else the parent's name without its -step-N suffix). Without --prove only every\n"
    "K-th child's bytes are kept in the store (--keep-every K; default: only the\n"
    "last child's); every child is still registered with its lineage event, and\n"
    "the others can be recomputed by replaying the logged steps from the nearest\n"
    "kept ancestor (docs/training.md). With --prove every child is kept.\n"
    "Progress (step n/N) goes to stderr on a terminal, never with --json.\n"
    "Real learning rate: ETA / 2^(S-4) per summed gradient (S defaults to 16).\n" ZKR_CLI_EXIT_HELP;

static zkr_err parse_u32_opt(zkr_cli *cli, const char *what, const char *s, uint64_t lo,
                             uint64_t hi, uint32_t *out)
{
    uint64_t v;
    zkr_err r = zkr_cli_parse_u64(cli, what, s, &v);

    if (r != ZKR_OK)
        return r;
    if (v < lo || v > hi)
        return zkr_cli_usage(cli, "%s must be %llu..%llu", what, (unsigned long long)lo,
                             (unsigned long long)hi);
    *out = (uint32_t)v;
    return ZKR_OK;
}

static zkr_err train_parse(zkr_cli *cli, int argc, char **argv, zkr_cli_train_args *a, int *done)
{
    static const struct option opts[] = {
        ZKR_CLI_COMMON_LONGOPTS,
        {"model", required_argument, NULL, OPT_MODEL},
        {"dataset", required_argument, NULL, OPT_DATASET},
        {"batch-size", required_argument, NULL, OPT_BATCH},
        {"steps", required_argument, NULL, OPT_STEPS},
        {"lr", required_argument, NULL, OPT_LR},
        {"shift", required_argument, NULL, OPT_SHIFT},
        {"first-record", required_argument, NULL, OPT_FIRST},
        {"prove", no_argument, NULL, OPT_PROVE},
        {"schema", required_argument, NULL, OPT_SCHEMA},
        {"out-dir", required_argument, NULL, OPT_OUT_DIR},
        {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
        {"round", required_argument, NULL, OPT_ROUND},
        {"worker", required_argument, NULL, OPT_WORKER},
        {"eval", required_argument, NULL, OPT_EVAL},
        {"name", required_argument, NULL, OPT_NAME},
        {"keep-every", required_argument, NULL, OPT_KEEP_EVERY},
        {"dataset-file", required_argument, NULL, OPT_DATASET_FILE},
        {"dataset-secrets", required_argument, NULL, OPT_DATASET_SECRETS},
        {"zk-seed", required_argument, NULL, OPT_ZK_SEED},
        ZKR_CLI_PASS_LONGOPTS,
        {NULL, 0, NULL, 0}};
    int c;
    zkr_err r = ZKR_OK;

    memset(a, 0, sizeof *a);
    zkr_cli_pass_opts_init(&a->pass);
    a->sp.shift = 16; /* default: real rate = ETA / 2^12 */
    while (r == ZKR_OK && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, train_help, done)) {
            if (*done)
                return ZKR_OK;
            continue;
        }
        if (c != ZKR_CLI_PASS_OPT_KDF && zkr_cli_pass_option(cli, c, optarg, &a->pass, &r))
            continue;
        switch (c) {
        case OPT_MODEL: a->model = optarg; break;
        case OPT_DATASET: a->dataset = optarg; break;
        case OPT_SCHEMA: a->schema = optarg; break;
        case OPT_OUT_DIR: a->out_dir = optarg; break;
        case OPT_EVAL: a->eval = optarg; break;
        case OPT_NAME: a->name = optarg; break;
        case OPT_DATASET_FILE: a->dataset_file = optarg; break;
        case OPT_DATASET_SECRETS: a->dataset_secrets = optarg; break;
        case OPT_ZK_SEED: a->zk_seed = optarg; break;
        case OPT_KEEP_EVERY:
            r = parse_u32_opt(cli, "--keep-every", optarg, 1, 1000000, &a->keep_every);
            break;
        case OPT_PROVE: a->prove = 1; break;
        case OPT_NO_SANDBOX: a->no_sandbox = 1; break;
        case OPT_ROUND: r = zkr_cli_parse_u64(cli, "--round", optarg, &a->round); a->has_round = 1; break;
        case OPT_WORKER: r = parse_u32_opt(cli, "--worker", optarg, 0, 1u << 20, &a->worker); a->has_worker = 1; break;
        case OPT_BATCH: r = parse_u32_opt(cli, "--batch-size", optarg, 1, ZKR_ML_T_MAX_BATCH, &a->batch); break;
        case OPT_STEPS: r = parse_u32_opt(cli, "--steps", optarg, 1, 1000000, &a->steps); break;
        case OPT_LR: r = parse_u32_opt(cli, "--lr", optarg, 1, ZKR_ML_T_LR_MAX, &a->sp.lr); break;
        case OPT_SHIFT:
            r = parse_u32_opt(cli, "--shift", optarg, ZKR_ML_T_SHIFT_MIN, ZKR_ML_T_SHIFT_MAX, &a->sp.shift);
            break;
        case OPT_FIRST: r = zkr_cli_parse_u64(cli, "--first-record", optarg, &a->first); break;
        default: return zkr_cli_usage(cli, "bad option (see --help)");
        }
    }
    if (r != ZKR_OK)
        return r;
    if (optind != argc)
        return zkr_cli_usage(cli, "unexpected argument '%s'", argv[optind]);
    if (!a->has_round && (a->dataset_file || a->dataset_secrets || a->zk_seed))
        return zkr_cli_usage(cli, "--dataset-file, --dataset-secrets and --zk-seed go with "
                                  "--round (a training-step@2 round's private shard)");
    if (a->has_round && (a->dataset_file != NULL) != (a->dataset_secrets != NULL))
        return zkr_cli_usage(cli, "--dataset-file and --dataset-secrets go together");
    if (a->has_round) /* --prove is implied: a round only accepts proven updates */
        return a->has_worker && a->out_dir ? ZKR_OK
                                           : zkr_cli_usage(cli, "--round needs --worker and --out-dir");
    if (!a->model || !a->dataset || !a->batch || !a->steps || !a->sp.lr || !a->sp.shift)
        return zkr_cli_usage(cli, "--model, --dataset, --batch-size, --steps and --lr are required");
    if (a->prove && (!a->schema || !a->out_dir))
        return zkr_cli_usage(cli, "--prove needs --schema NAME@VER and --out-dir DIR");
    if (a->prove && a->keep_every)
        return zkr_cli_usage(cli, "--keep-every: with --prove every proven child is kept");
    return ZKR_OK;
}

/* What the step printer needs: the command (for --json) and the progress line. */
typedef struct {
    const zkr_cli *cli;
    zkr_progress pg;
    int stdout_tty; /* step lines and the progress line share the terminal */
} train_out;

/*
 * Each step's child as it is registered (text output; --json prints the
 * summary only), and the progress line on stderr. When stdout is the same
 * terminal, the progress line is erased before a step line is printed and
 * redrawn after it.
 */
static void print_step(void *ctx, uint32_t step, const zkr_artifact *child,
                       const zkr_artifact *parent, int bytes_kept)
{
    train_out *o = ctx;

    if (!o->cli->json) {
        if (o->stdout_tty)
            zkr_progress_end(&o->pg);
        printf("step %u: model %lld (%s v%llu) from model %lld%s\n", step, (long long)child->id,
               child->name, (unsigned long long)child->version, (long long)parent->id,
               bytes_kept ? "" : " (bytes not kept)");
        fflush(stdout);
    }
    zkr_progress_step(&o->pg, (uint64_t)step + 1);
}

static void print_proof(void *ctx, const uint8_t statement_id[32], const char *path,
                        size_t bytes)
{
    train_out *o = ctx;
    char sid[65];

    zkr_cli_hex32(statement_id, sid);
    if (!o->cli->json) {
        if (o->stdout_tty)
            zkr_progress_end(&o->pg);
        printf("  statement %s\n  proof     %s (%zu bytes)\n", sid, path, bytes);
        fflush(stdout);
    }
}

zkr_err zkr_cmd_train(zkr_cli *cli, int argc, char **argv)
{
    zkr_cli_train_args a;
    zkr_app_train_opts o;
    zkr_app_train_result res;
    train_out out;
    const zkr_ml_eval_result *ev = &res.eval;
    int done = 0;
    zkr_err r;

    if ((r = train_parse(cli, argc, argv, &a, &done)) != ZKR_OK || done)
        return r;
    if (a.has_round)
        return zkr_cli_round_work(cli, &a);
    out.cli = cli;
    out.stdout_tty = isatty(STDOUT_FILENO);
    zkr_cli_progress_init(cli, &out.pg);
    zkr_progress_phase(&out.pg, "step", a.steps);
    o = (zkr_app_train_opts){.model = a.model, .dataset = a.dataset, .schema = a.schema,
                             .out_dir = a.out_dir, .eval = a.eval, .batch = a.batch,
                             .steps = a.steps, .first = a.first, .sp = a.sp, .prove = a.prove,
                             .no_sandbox = a.no_sandbox, .name = a.name,
                             .keep_every = a.keep_every, .on_step = print_step,
                             .on_proof = print_proof, .ctx = &out};
    r = zkr_app_train_run(cli, &o, &res);
    zkr_progress_end(&out.pg);
    if (r != ZKR_OK)
        return r;
    if (res.evaluated && !cli->json)
        printf("accuracy: %.2f %% (%llu / %llu records of dataset %lld, quantized native)\n",
               ev->n ? 100.0 * (double)ev->quant_correct / (double)ev->n : 0.0,
               (unsigned long long)ev->quant_correct, (unsigned long long)ev->n,
               (long long)res.eval_dataset_id);
    if (res.evaluated && cli->json)
        printf("{\"ok\":true,\"model\":%lld,\"correct\":%llu,\"records\":%llu}\n",
               (long long)res.last.id, (unsigned long long)ev->quant_correct,
               (unsigned long long)ev->n);
    if (cli->json && !a.eval)
        printf("{\"ok\":true,\"model\":%lld,\"steps\":%u}\n", (long long)res.last.id, a.steps);
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* lineage                                                              */
/* ------------------------------------------------------------------ */

static const char lineage_help[] =
    "usage: zkreg lineage MODEL\n"
    "\n"
    "Prints MODEL's ancestry from its lineage events in the log, newest first:\n"
    "each step's parent, dataset, lr, shift and batch record indices, back to a\n"
    "model with no lineage (a round's result: see `zkreg round show`).\n" ZKR_CLI_EXIT_HELP;

/* The newest lineage event whose child is sha (the index finds it; the event is re-read). */
static zkr_err find_parent(zkr_cli *cli, zkr_registry *reg, const zkr_lineage_index *ix,
                           const uint8_t sha[32], zkr_cli_lineage *out, int *found)
{
    const zkr_lineage_link *link = zkr_lineage_index_parent(ix, sha);
    zkr_log_entry e;
    zkr_err r;

    *found = 0;
    if (link == NULL)
        return ZKR_OK;
    if ((r = zkr_registry_log_entry(reg, link->log_index, &e, &cli->diag)) != ZKR_OK)
        return r;
    r = zkr_lineage_decode(e.payload, e.payload_len, &out->l);
    zkr_log_entry_free(&e);
    if (r != ZKR_OK || memcmp(out->l.child, sha, 32) != 0)
        return zkr_fail(&cli->diag, ZKR_ERR_REGISTRY, "log entry %llu: malformed lineage",
                        (unsigned long long)link->log_index);
    out->log_index = link->log_index;
    *found = 1;
    return ZKR_OK;
}

zkr_err zkr_cmd_lineage(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    zkr_registry *reg = NULL;
    zkr_artifact m;
    zkr_cli_lineage l;
    zkr_lineage_index *ix = NULL;
    size_t n = 0, depth = 0;
    uint8_t sha[32];
    char hex[65];
    int c, done = 0, found = 1;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, lineage_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind + 1 != argc)
        return zkr_cli_usage(cli, "expected exactly one MODEL argument");
    if ((r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, argv[optind], &m, &cli->diag)) !=
            ZKR_OK ||
        (r = zkr_registry_lineage_index(reg, &ix, &cli->diag)) != ZKR_OK)
        goto out;
    memcpy(sha, m.sha256, 32);
    if (cli->json)
        printf("{\"ok\":true,\"model\":%lld,\"ancestry\":[", (long long)m.id);
    n = zkr_lineage_index_count(ix);
    while (found && depth <= n) {
        if ((r = find_parent(cli, reg, ix, sha, &l, &found)) != ZKR_OK)
            goto out;
        zkr_cli_hex32(sha, hex);
        if (!found)
            break;
        if (cli->json) {
            char ph[65];
            zkr_cli_hex32(l.l.parent, ph);
            printf("%s{\"child\":\"%s\",\"parent\":\"%s\",\"lr\":%u,\"shift\":%u,\"batch\":%u,"
                   "\"round\":0,\"log_index\":%llu}",
                   depth ? "," : "", hex, ph, l.l.lr, l.l.shift, l.l.batch,
                   (unsigned long long)l.log_index);
        } else {
            char ph[65];
            zkr_cli_hex32(l.l.parent, ph);
            printf("%.16s... <- %.16s... lr %u shift %u batch %u records %llu..", hex, ph, l.l.lr,
                   l.l.shift, l.l.batch, (unsigned long long)l.l.indices[0]);
            printf("%llu (log %llu)\n", (unsigned long long)l.l.indices[l.l.batch - 1],
                   (unsigned long long)l.log_index);
        }
        memcpy(sha, l.l.parent, 32);
        depth++;
    }
    if (cli->json)
        printf("],\"depth\":%zu}\n", depth);
    else
        printf("%zu step(s) of lineage\n", depth);
out:
    zkr_lineage_index_free(ix);
    zkr_registry_close(reg);
    return r;
}
