/*
 * cmd_proof.c: `zkreg prove` and `zkreg verify`: the arguments, the
 * workflows of app/proof.h, and their results printed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "app/proof.h"
#include "registry_cli.h"
#include "zk_cli.h"
#include "app/dataset.h"
#include "app/store.h"

static const char prove_help[] =
    "usage: zkreg prove --statement ID -o PROOF [--dataset-file PATH] [--threads N]\n"
    "                   [--backend auto|cpu|cuda] [--no-sandbox]\n"
    "                   [--zk-seed FILE [--passphrase-file F | --passphrase-fd N]]\n"
    "                   [--model-file MODEL --model-secrets S --dataset-secrets S\n"
    "                    [--output-secrets S]]\n"
    "                   [--dataset-file SHARD --dataset-secrets S]   (training-step@2)\n"
    "\n"
    "Proves an inference@1 statement: the registered model (its quantized bytes\n"
    "kept beside the registry at register-model) run on record I of the\n"
    "registered dataset gives the statement's public output. The dataset file is\n"
    "the one given at register-dataset (or --dataset-file) and must still have\n"
    "the registered commitment. The proving runs in a confined worker;\n"
    "--no-sandbox runs it in this process (debugging only, with a warning).\n"
    "--backend (default auto): cuda proves on the GPU, bit-identical to the CPU;\n"
    "auto uses the GPU when one is usable and the CPU otherwise; with no usable\n"
    "device --backend cuda is refused (exit 3). On the GPU the confined worker\n"
    "runs under the prover-cuda policy, which also allows the NVIDIA driver's\n"
    "interface (docs/sandbox.md, docs/cuda.md).\n"
    "Prints the proof's SHA-256 and size; progress goes to stderr on a TTY.\n"
    "An evaluation@1 or evaluation-fixed@1 (a FIXED training model) statement\n"
    "(docs/proof-system.md) is proven over its record range in one proof (CPU\n"
    "only) and prints the number correct as well. An inference-batch@1 statement\n"
    "is proven over its record range in one proof, every record's logits bound\n"
    "to its public output, and prints the amortised time per inference.\n"
    "A graph-inference@1 statement (a CNN: a graph model, docs/proof-system.md)\n"
    "is proven in the confined ginf-prove worker on the CPU (--backend cuda is\n"
    "refused, exit 3). An evaluation-graph@1 statement (a CNN's accuracy over a\n"
    "record range, at most 1024 records) is proven in one proof in the confined\n"
    "geval-prove worker on the CPU and prints the number correct as well.\n"
    "--zk-seed FILE (from `zkreg zk-seed new`) applies to hiding (@2) proof kinds\n"
    "only and is refused for @1 statements (exit 2) before any passphrase is\n"
    "asked.\n"
    "An inference@2 statement (a private model, a version 3 dataset) is proven\n"
    "with the owners' files: --model-file, --model-secrets, --dataset-file and\n"
    "--dataset-secrets together. A hidden output (schema public_output false)\n"
    "also takes --output-secrets S, the file `zkreg output commit` wrote beside\n"
    "the output commitment the statement binds; the proof shows that the\n"
    "committed output is the model's output and never contains it.\n"
    "A training-step@2 statement (public training models, a private shard: a\n"
    "version 3 dataset) is proven with the data owner's --dataset-file and\n"
    "--dataset-secrets: the step is run on the batch, its child must be the\n"
    "statement's, and one opening of each batch record's commitment is reserved\n"
    "in the ledger beside the secrets before the confined train2-prove worker\n"
    "proves; no record is stored or printed.\n" ZKR_CLI_EXIT_HELP;

static const char verify_help[] =
    "usage: zkreg verify --statement ID PROOF [--no-sandbox]\n"
    "\n"
    "Verifies PROOF (inference@1, inference@2, training-step@1, training-step@2,\n"
    "evaluation@1, evaluation-fixed@1, inference-batch@1 or graph-inference@1) against the\n"
    "registered statement ID. A graph-inference@1 proof needs the model's bytes\n"
    "beside the registry and the dataset's file (its record is read there). Every binding is taken\n"
    "from the registry, never from the proof: schema (proof kind, pinned\n"
    "verifier version, parameter set), program digest, model commitment, dataset\n"
    "commitment, record index, public output, and revocations. A mismatch is\n"
    "named (exit 1); an invalid proof fails with exit 1 too. A verified proof is\n"
    "recorded in the registry log ('proof'), after the revocations (statement,\n"
    "artifacts, schema, verifier version) are checked again under the write lock\n"
    "(exit 6). --no-sandbox verifies in this process (debugging only) and is\n"
    "logged as 'verify-unconfined', which no gate or attestation accepts.\n" ZKR_CLI_EXIT_HELP;

typedef struct {
    const char *statement, *out, *dataset_file, *proof, *backend, *zk_seed;
    const char *model_file, *model_secrets, *dataset_secrets; /* inference@2 */
    const char *output_secrets;                               /* its hidden output */
    uint64_t threads;
    int no_sandbox;
    zkr_cli_pass_opts pass; /* for --zk-seed */
} zkr_proof_args;

static zkr_err zkr_proof_parse_args(zkr_cli *cli, int argc, char **argv, int proving,
                                    zkr_proof_args *a, int *done)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"statement", required_argument, NULL, 's'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"dataset-file", required_argument, NULL, 'D'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"no-sandbox", no_argument, NULL, 'n'},
                                         {"backend", required_argument, NULL, 'B'},
                                         {"zk-seed", required_argument, NULL, 'Z'},
                                         {"model-file", required_argument, NULL, 'M'},
                                         {"model-secrets", required_argument, NULL, 'S'},
                                         {"dataset-secrets", required_argument, NULL, 'E'},
                                         {"output-secrets", required_argument, NULL, 'O'},
                                         ZKR_CLI_PASS_LONGOPTS,
                                         {NULL, 0, NULL, 0}};
    int c;
    zkr_err r;

    memset(a, 0, sizeof a[0]);
    zkr_cli_pass_opts_init(&a->pass);
    a->threads = 2;
    a->backend = "auto";
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, proving ? prove_help : verify_help, done)) {
            if (*done)
                return ZKR_OK;
            continue;
        }
        if (proving && c != ZKR_CLI_PASS_OPT_KDF && zkr_cli_pass_option(cli, c, optarg, &a->pass, &r)) {
            if (r != ZKR_OK)
                return r;
            continue;
        }
        if (c == 's')
            a->statement = optarg;
        else if (c == 'Z' && proving)
            a->zk_seed = optarg;
        else if (c == 'M' && proving)
            a->model_file = optarg;
        else if (c == 'S' && proving)
            a->model_secrets = optarg;
        else if (c == 'E' && proving)
            a->dataset_secrets = optarg;
        else if (c == 'O' && proving)
            a->output_secrets = optarg;
        else if (c == 'o' && proving)
            a->out = optarg;
        else if (c == 'D' && proving)
            a->dataset_file = optarg;
        else if (c == 't' && proving) {
            if ((r = zkr_cli_parse_u64(cli, "--threads", optarg, &a->threads)) != ZKR_OK)
                return r;
            if (a->threads < 1 || a->threads > 16)
                return zkr_cli_usage(cli, "--threads must be 1..16");
        } else if (c == 'B' && proving)
            a->backend = optarg;
        else if (c == 'n')
            a->no_sandbox = 1;
        else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (!a->statement)
        return zkr_cli_usage(cli, "--statement ID is required");
    if (proving && (!a->out || optind != argc))
        return zkr_cli_usage(cli, "expected -o PROOF and no other argument");
    if (!proving) {
        if (optind + 1 != argc)
            return zkr_cli_usage(cli, "expected exactly one PROOF argument");
        a->proof = argv[optind];
    }
    return ZKR_OK;
}

/* Progress goes to stderr on a TTY only. */
/* A phase line for a person at a terminal: never with --json (not passed then), never to a file. */
static void progress_tty(const char *msg)
{
    if (isatty(2))
        fprintf(stderr, "zkreg: %s\n", msg);
}

zkr_err zkr_cmd_prove(zkr_cli *cli, int argc, char **argv)
{
    zkr_secret seed = {0}, pass = {0};
    zkr_proof_args a;
    zkr_app_prove_opts o;
    zkr_app_prove_result res;
    char hex[65];
    int done = 0;
    zkr_err r;

    if ((r = zkr_proof_parse_args(cli, argc, argv, 1, &a, &done)) != ZKR_OK || done)
        return r;
    if (a.zk_seed == NULL && a.dataset_secrets == NULL &&
        (a.pass.file != NULL || a.pass.fd >= 0))
        return zkr_cli_usage(cli, "--passphrase-file/--passphrase-fd go with --zk-seed or "
                                  "--dataset-secrets");
    if ((a.model_file != NULL || a.model_secrets != NULL) &&
        (a.model_file == NULL || a.model_secrets == NULL || a.dataset_secrets == NULL ||
         a.dataset_file == NULL))
        return zkr_cli_usage(cli, "an inference@2 proof takes --model-file, --model-secrets, "
                                  "--dataset-file and --dataset-secrets together");
    if (a.dataset_secrets != NULL && a.dataset_file == NULL)
        return zkr_cli_usage(cli, "--dataset-secrets goes with --dataset-file (the records it "
                                  "seals the commitment of)");
    if (a.output_secrets != NULL && a.model_secrets == NULL)
        return zkr_cli_usage(cli, "--output-secrets (a hidden inference@2 output) goes with "
                                  "--model-file, --model-secrets, --dataset-file and "
                                  "--dataset-secrets");
    o = (zkr_app_prove_opts){.statement = a.statement, .out = a.out,
                             .dataset_file = a.dataset_file, .backend = a.backend,
                             .threads = (uint32_t)a.threads, .no_sandbox = a.no_sandbox,
                             .progress = cli->json ? NULL : progress_tty,
                             .model_file = a.model_file, .model_secrets = a.model_secrets,
                             .dataset_secrets = a.dataset_secrets,
                             .output_secrets = a.output_secrets};
    /* The seed file is read by path here, not by the app: a proof never replaces it. */
    if ((r = zkr_app_out_guard(cli, a.out, "a proof", &a.zk_seed, 1)) != ZKR_OK)
        return r;
    if (a.zk_seed != NULL || a.dataset_secrets != NULL) {
        /* The kind first: an @1 statement is refused before a passphrase is asked. */
        if ((r = zkr_app_zk_seed_applies(cli, a.statement)) == ZKR_OK &&
            (r = zkr_cli_pass_get(cli, &a.pass, &pass)) == ZKR_OK && a.zk_seed != NULL &&
            (r = zkr_app_zk_seed_load(cli, a.zk_seed, &pass, &seed)) == ZKR_OK) {
            o.zk_seed = seed.p;
            o.zk_seed_len = seed.len;
        }
        if (r != ZKR_OK)
            goto out;
        o.pass = &pass;
    }
    if ((r = zkr_app_prove(cli, &o, &res)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(res.sha256, hex);
    if (cli->json) {
        printf("{\"ok\":true,\"proof\":");
        zkr_cli_json_string(stdout, a.out);
        printf(",\"sha256\":\"%s\",\"bytes\":%zu,\"seconds\":%.3f", hex, res.bytes,
               res.seconds);
        if (res.evaluation)
            printf(",\"records\":%llu,\"correct\":%llu,\"seconds_per_record\":%.6f",
                   (unsigned long long)res.records, (unsigned long long)res.correct,
                   res.seconds / (double)res.records);
        if (res.batch)
            printf(",\"records\":%llu,\"seconds_per_inference\":%.6f",
                   (unsigned long long)res.records, res.seconds / (double)res.records);
        printf("}\n");
    } else {
        printf("proof:     %s\nsha256:    %s\nbytes:     %zu\nseconds:   %.3f\n", a.out, hex,
               res.bytes, res.seconds);
        if (res.evaluation)
            printf("records:   %llu\ncorrect:   %llu\nper record: %.6f s\n",
                   (unsigned long long)res.records, (unsigned long long)res.correct,
                   res.seconds / (double)res.records);
        if (res.batch)
            printf("records:   %llu\nper inference: %.6f s (amortised)\n",
                   (unsigned long long)res.records, res.seconds / (double)res.records);
    }
out:
    zkr_secret_free(&seed);
    zkr_secret_free(&pass);
    return r;
}

zkr_err zkr_cmd_verify(zkr_cli *cli, int argc, char **argv)
{
    zkr_proof_args a;
    zkr_app_verify_opts o;
    zkr_app_verify_result res;
    char hex[65], sid[65];
    int done = 0;
    zkr_err r;

    if ((r = zkr_proof_parse_args(cli, argc, argv, 0, &a, &done)) != ZKR_OK || done)
        return r;
    o = (zkr_app_verify_opts){.statement = a.statement, .proof = a.proof,
                              .no_sandbox = a.no_sandbox, .progress = cli->json ? NULL : progress_tty};
    if ((r = zkr_app_verify(cli, &o, &res)) != ZKR_OK)
        return r;
    zkr_cli_hex32(res.proof_sha256, hex);
    zkr_cli_hex32(res.statement_id, sid);
    if (cli->json) {
        printf("{\"ok\":true,\"verified\":true,\"statement\":\"%s\",\"proof_sha256\":\"%s\","
               "\"kind\":\"%s\",", sid, hex, res.kind);
        if (res.has_correct)
            printf("\"correct\":%llu,", (unsigned long long)res.correct);
        printf("\"log_index\":%llu,\"seconds\":%.3f}\n", (unsigned long long)res.log_index,
               res.seconds);
    } else {
        printf("verified:  statement %s (%s)\nproof:     %s\n", sid, res.kind, hex);
        if (res.has_correct)
            printf("correct:   %llu\n", (unsigned long long)res.correct);
        printf("log index: %llu\nseconds:   %.3f\n", (unsigned long long)res.log_index,
               res.seconds);
    }
    return ZKR_OK;
}
