/*
 * cmd_round.c: `zkreg round open|accept|show|audit` and a round worker's
 * `zkreg train --round R --worker I`: the arguments, the workflows of
 * app/round.h and their results printed.
 */
#include <stdlib.h>
#include <string.h>

#include "app/dataset.h"
#include "app/round.h"
#include "registry_cli.h"
#include "train_cli.h"

#define ROUND_MAX_WORKERS ZKR_ROUND_MAX_WORKERS

static const char round_help[] =
    "usage: zkreg round open --model ID --dataset ID --workers N --first-record F\n"
    "                        --records-per-worker R --lr ETA --shift S --schema NAME@VER\n"
    "                        [--eval-dataset ID --eval-schema NAME@VER --min-correct K]\n"
    "       zkreg round accept ROUND [--submission I=MODEL_FILE[,PROOF_FILE[,EVAL_PROOF_FILE]] ...]\n"
    "                        [--no-sandbox]\n"
    "       zkreg round show ROUND\n"
    "       zkreg round audit ROUND [--no-sandbox]\n"
    "\n"
    "open: publishes a round in the log (its id is printed): the parent training\n"
    "model, the dataset, N workers whose shards are records F+I*R .. F+(I+1)*R-1\n"
    "(R <= 64), lr and shift, and the training-step@1 schema of the statements\n"
    "(or a training-step@2 schema over a version 3 dataset: private shards, each\n"
    "worker proving from its own shard file and sealed secrets).\n"
    "Worker I runs `zkreg train --round ROUND --worker I --out-dir DIR` and hands\n"
    "back DIR/worker-I.zkrtm and DIR/worker-I.zkp.\n"
    "--eval-dataset/--eval-schema/--min-correct gate the round: an update is\n"
    "accepted only with an evaluation-fixed@1 proof (DIR/worker-I.eval.zkp, made\n"
    "by the worker) that its child gets at least K of every record of the\n"
    "evaluation dataset right, for the statement the round derives (also on\n"
    "private shards: the child is public; the evaluation dataset must be a\n"
    "version 1 one, with public records).\n"
    "accept: judges each worker's submission: the model file must decode, belong\n"
    "to the parent's program and come with a proof that verifies (in the confined\n"
    "verifier) for the statement the round itself derives for that worker's\n"
    "shard; anything else (no submission, no proof, a proof for another shard,\n"
    "parent, lr or model, a faked update) is rejected with the reason, logged.\n"
    "In a gated round the evaluation proofs of accepted updates are kept beside\n"
    "the registry (REGISTRY.d/round-eval/) for audit.\n"
    "Accepted children are registered; their integer federated average\n"
    "(docs/training.md) is registered as the next model and the round is closed.\n"
    "Exit 0 when at least one update was accepted, 1 when none was, 5 when the\n"
    "round is already closed.\n"
    "show: the round and its outcomes. audit: recomputes the average from the\n"
    "registered children and compares it with the registered result; in a gated\n"
    "round it re-verifies (confined) the evaluation proof accept kept for every\n"
    "accepted child, one line each (exit 1 on any difference, or an evaluation\n"
    "proof missing, no longer verifying, or of a revoked verifier version).\n" ZKR_CLI_EXIT_HELP;

enum { R_MODEL = 0x300, R_DATASET, R_WORKERS, R_FIRST, R_PER, R_LR, R_SHIFT, R_SCHEMA, R_SUB, R_NOSB,
       R_EVDS, R_EVSC, R_MINC };

typedef struct {
    const char *model, *dataset, *schema;
    const char *eval_dataset, *eval_schema;
    uint64_t min_correct;
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
        return zkr_cli_usage(cli, "--submission: expected I=MODEL_FILE[,PROOF_FILE[,EVAL_PROOF_FILE]], "
                             "I < %u",
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
        {"eval-dataset", required_argument, NULL, R_EVDS},
        {"eval-schema", required_argument, NULL, R_EVSC},
        {"min-correct", required_argument, NULL, R_MINC},
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
        case R_EVDS: a->eval_dataset = optarg; break;
        case R_EVSC: a->eval_schema = optarg; break;
        case R_MINC:
            r = zkr_cli_parse_u64(cli, "--min-correct", optarg, &a->min_correct);
            if (r == ZKR_OK && a->min_correct == 0)
                r = zkr_cli_usage(cli, "--min-correct: at least 1");
            break;
        default: return zkr_cli_usage(cli, "bad option (see --help)");
        }
    }
    return r;
}

static zkr_err round_open(zkr_cli *cli, const round_args *a)
{
    zkr_app_round_open_opts o = {.model = a->model, .dataset = a->dataset, .schema = a->schema,
                                 .workers = a->workers, .first = a->first, .per = a->per,
                                 .lr = a->lr, .shift = a->shift, .eval_dataset = a->eval_dataset,
                                 .eval_schema = a->eval_schema, .min_correct = a->min_correct};
    zkr_app_round_opened res;
    char hex[65];
    zkr_err r;

    if ((r = zkr_app_round_open(cli, &o, &res)) != ZKR_OK)
        return r;
    zkr_cli_hex32(res.digest, hex);
    if (cli->json)
        printf("{\"ok\":true,\"round\":%llu,\"digest\":\"%s\"}\n", (unsigned long long)res.round,
               hex);
    else
        printf("round %llu opened: model %lld, dataset %lld, %u workers x %u records from %llu\n"
               "round digest %s\n",
               (unsigned long long)res.round, (long long)res.model_id, (long long)res.dataset_id,
               (uint32_t)a->workers, (uint32_t)a->per, (unsigned long long)a->first, hex);
    if (!cli->json && a->eval_dataset)
        printf("gate: at least %llu correct on evaluation dataset %s (schema %s)\n",
               (unsigned long long)a->min_correct, a->eval_dataset, a->eval_schema);
    return ZKR_OK;
}

zkr_err zkr_cli_round_work(zkr_cli *cli, const zkr_cli_train_args *a)
{
    zkr_app_round_work_opts o = {.round = a->round, .worker = a->worker, .out_dir = a->out_dir,
                                 .no_sandbox = a->no_sandbox, .dataset_file = a->dataset_file,
                                 .dataset_secrets = a->dataset_secrets};
    zkr_app_round_work_result *res = calloc(1, sizeof *res);
    zkr_secret seed = {0}, pass = {0};
    char sid[65];
    zkr_err r;

    if (res == NULL)
        return ZKR_ERR_NOMEM;
    if (a->dataset_secrets != NULL) {
        /* The private shard's secrets (and the seed) unseal under the owner's passphrase. */
        if ((r = zkr_cli_pass_get(cli, &a->pass, &pass)) != ZKR_OK ||
            (a->zk_seed != NULL && (r = zkr_app_zk_seed_load(cli, a->zk_seed, &pass, &seed)) !=
                                       ZKR_OK))
            goto out;
        o.pass = &pass;
        o.zk_seed = seed.p;
        o.zk_seed_len = seed.len;
    }
    if ((r = zkr_app_round_work(cli, &o, res)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(res->statement_id, sid);
    if (cli->json) {
        printf("{\"ok\":true,\"model\":\"%s\",\"proof\":\"%s\",\"statement\":\"%s\"",
               res->model_path, res->proof_path, sid);
        if (res->eval_proof_bytes)
            printf(",\"eval_proof\":\"%s\",\"eval_correct\":%llu", res->eval_proof_path,
                   (unsigned long long)res->eval_correct);
        printf("}\n");
    } else {
        printf("worker %u: model %s\n          proof %s (%zu bytes)\n          statement %s\n",
               a->worker, res->model_path, res->proof_path, res->proof_bytes, sid);
        if (res->eval_proof_bytes)
            printf("          evaluation proof %s (%zu bytes): %llu correct\n",
                   res->eval_proof_path, res->eval_proof_bytes,
                   (unsigned long long)res->eval_correct);
    }
out:
    zkr_secret_free(&seed);
    zkr_secret_free(&pass);
    free(res);
    return r;
}

static void print_outcomes(const zkr_cli *cli, const zkr_app_round_accept_result *c)
{
    const zkr_artifact *res = &c->result;
    uint64_t id = c->round;
    size_t k = c->k;

    if (cli->json) {
        printf("{\"ok\":true,\"round\":%llu,\"accepted\":%zu,\"result_model\":%lld,\"workers\":[",
               (unsigned long long)id, k, (long long)res->id);
        for (uint32_t w = 0; w < c->workers; w++) {
            printf("%s{\"worker\":%u,\"accepted\":%s,\"reason\":", w ? "," : "", w,
                   c->accepted[w] ? "true" : "false");
            zkr_cli_json_string(stdout, c->reason[w]);
            printf("}");
        }
        printf("]}\n");
        return;
    }
    for (uint32_t w = 0; w < c->workers; w++)
        printf("worker %u: %s: %s\n", w, c->accepted[w] ? "ACCEPTED" : "REJECTED", c->reason[w]);
    if (k > 0)
        printf("round %llu closed: %zu update(s) averaged into model %lld (%s v%llu)\n",
               (unsigned long long)id, k, (long long)res->id, res->name,
               (unsigned long long)res->version);
    else
        printf("round %llu closed: no update accepted\n", (unsigned long long)id);
}

static zkr_err round_accept(zkr_cli *cli, const round_args *a)
{
    zkr_app_round_accept_opts o;
    zkr_app_round_accept_result *res = calloc(1, sizeof *res);
    zkr_err r;

    if (res == NULL)
        return ZKR_ERR_NOMEM;
    memset(&o, 0, sizeof o);
    o.round = a->round;
    o.no_sandbox = a->no_sandbox;
    memcpy(o.sub, a->sub, sizeof o.sub);
    r = zkr_app_round_accept(cli, &o, res);
    if (res->closed)
        print_outcomes(cli, res);
    free(res);
    return r;
}

static zkr_err round_show(zkr_cli *cli, const round_args *a)
{
    zkr_registry *reg = NULL;
    zkr_app_round_info *ri = calloc(1, sizeof *ri);
    const zkr_round_state *st;
    char hex[65];
    zkr_err r;

    if (ri == NULL)
        return ZKR_ERR_NOMEM;
    st = &ri->st;
    /* round_load refuses a round with two closes, two outcomes of a worker or a twin open. */
    if ((r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK ||
        (r = zkr_app_round_load(cli, reg, a->round, ri)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(st->open.parent, hex);
    printf("round %llu: parent %s, %u workers x %u records from %llu, lr %u, shift %u, %s\n",
           (unsigned long long)st->index, hex, st->open.workers, st->open.per_worker,
           (unsigned long long)st->open.first, st->open.lr, st->open.shift,
           st->closed ? "closed" : "open");
    zkr_cli_hex32(st->digest, hex);
    printf("  digest %s, opened by %s\n", hex,
           st->open.version >= 2 ? st->open.origin : "(a version-1 round: no origin)");
    if (st->open.version == 3) {
        char sc[65];
        zkr_cli_hex32(st->open.eval_dataset, hex);
        zkr_cli_hex32(st->open.eval_schema, sc);
        printf("  gate: at least %llu correct on evaluation dataset %s (schema %s)\n",
               (unsigned long long)st->open.min_correct, hex, sc);
    }
    for (uint32_t w = 0; w < st->open.workers; w++)
        if (st->has_outcome[w])
            printf("  worker %u: %s: %s (log %llu)\n", w,
                   st->outcome[w].accepted ? "accepted" : "rejected", st->outcome[w].reason,
                   (unsigned long long)st->outcome_index[w]);
    if (st->closed) {
        zkr_cli_hex32(st->close.result, hex);
        printf("  closed (log %llu): %u update(s) averaged%s%s\n",
               (unsigned long long)st->close_index, st->close.k, st->close.k ? " into " : "",
               st->close.k ? hex : "");
    }
out:
    free(ri);
    zkr_registry_close(reg);
    return r;
}

/* One line per accepted update's evaluation proof in a gated round (also after a failure). */
static void audit_eval_lines(const zkr_app_round_audit_result *res)
{
    if (!res->gated)
        return;
    for (uint32_t w = 0; w < res->workers; w++)
        if (res->accepted[w] && res->eval[w][0] != '\0')
            printf("worker %u: %s: %s\n", w, res->eval_ok[w] ? "ok" : "FAILED", res->eval[w]);
}

static zkr_err round_audit(zkr_cli *cli, const round_args *a)
{
    zkr_app_round_audit_result *res = calloc(1, sizeof *res);
    zkr_registry *reg = NULL;
    char hex[65];
    zkr_err r;

    if (res == NULL)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK)
        goto out;
    r = zkr_app_round_audit(cli, reg, a->round, a->no_sandbox, res);
    audit_eval_lines(res);
    if (r != ZKR_OK)
        goto out;
    if (res->k == 0) {
        printf("round %llu: closed with no accepted update, one outcome per worker; nothing to "
               "recompute\n", (unsigned long long)a->round);
        goto out;
    }
    zkr_cli_hex32(res->avg_sha, hex);
    printf("round %llu: one close, one outcome per worker; the %u accepted children's "
           "statements and commitments check; their average recomputes to %s, the registered "
           "result, with its commitment%s\n", (unsigned long long)a->round, res->k, hex,
           res->gated ? "; every accepted child's evaluation proof re-verified" : "");
out:
    zkr_registry_close(reg);
    free(res);
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
