/*
 * cmd_zk.c: the data owner's commands. `zkreg dataset commit` (no
 * registry: it runs where the data lives) and `zkreg zk-seed`, with the
 * passphrase options shared by every command that seals or unseals.
 */
#include <string.h>

#include <sodium.h>

#include "zk_cli.h"
#include "app/dataset.h"
#include "app/infer2.h"
#include "app/model.h"
#include "zk/zk.h"
#include "registry_cli.h"
#include "sign_cli.h"

static const char zk_seed_help[] =
    "usage: zkreg zk-seed new -o FILE [--passphrase-file F | --passphrase-fd N]\n"
    "                         [--kdf moderate|interactive]\n"
    "       zkreg zk-seed check FILE [--passphrase-file F | --passphrase-fd N]\n"
    "\n"
    "new    writes 32 random bytes sealed under a passphrase (Argon2id +\n"
    "       XChaCha20-Poly1305, as key files) to FILE, mode 0600, never replacing\n"
    "       a file. `zkreg prove --zk-seed FILE` derives a hiding proof's\n"
    "       randomness from it and the statement, so the same seed and statement\n"
    "       give the same proof bytes. Keep it as secret as a signing key.\n"
    "check  unseals FILE and says whether it is a usable seed (the seed is never\n"
    "       printed).\n"
    "The passphrase comes from --passphrase-fd (first line), --passphrase-file,\n"
    "$ZKREG_PASSPHRASE_FILE or the terminal, never from argv or an environment\n"
    "value. --kdf interactive is weaker: tests only.\n" ZKR_CLI_EXIT_HELP;

void zkr_cli_pass_opts_init(zkr_cli_pass_opts *po)
{
    po->file = NULL;
    po->fd = -1;
    po->fast = 0;
}

int zkr_cli_pass_option(zkr_cli *cli, int c, const char *arg, zkr_cli_pass_opts *po, zkr_err *r)
{
    uint64_t fdv;

    *r = ZKR_OK;
    switch (c) {
    case ZKR_CLI_PASS_OPT_FILE:
        po->file = arg;
        return 1;
    case ZKR_CLI_PASS_OPT_FD:
        if ((*r = zkr_cli_parse_u64(cli, "--passphrase-fd", arg, &fdv)) != ZKR_OK)
            return 1;
        if (fdv == 1 || fdv == 2 || fdv > 1024)
            *r = zkr_cli_usage(cli, "--passphrase-fd must be 0 or 3..1024 (not stdout or stderr)");
        else
            po->fd = (int)fdv;
        return 1;
    case ZKR_CLI_PASS_OPT_KDF:
        if (strcmp(arg, "interactive") != 0 && strcmp(arg, "moderate") != 0)
            *r = zkr_cli_usage(cli, "--kdf must be moderate or interactive");
        po->fast = strcmp(arg, "interactive") == 0;
        return 1;
    default:
        return 0;
    }
}

zkr_err zkr_cli_pass_get(zkr_cli *cli, const zkr_cli_pass_opts *po, zkr_secret *out)
{
    if (po->fd >= 0)
        return zkr_cli_read_pass_fd(cli, po->fd, out);
    return zkr_cli_passphrase(cli, po->file, out);
}

zkr_err zkr_cli_dataset_commit(zkr_cli *cli, const char *data, const char *out,
                               const char *secrets, const zkr_cli_pass_opts *po)
{
    zkr_secret pass = {0};
    zkr_dscommit c;
    char root[65], dig[65];
    zkr_err r;

    if (out == NULL || secrets == NULL)
        return zkr_cli_usage(cli, "dataset commit needs -o COMMITMENT and --secrets SECRETS");
    if ((r = zkr_cli_pass_get(cli, po, &pass)) != ZKR_OK ||
        (r = zkr_app_dataset_commit(cli, data, out, secrets, &pass, po->fast, &c)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(c.root, root);
    zkr_cli_hex32(c.digest, dig);
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:b, s:i, s:s, s:I, s:s, s:s}", "ok", 1,
                                         "commitment_version", (int)c.version, "format",
                                         c.format == ZKR_DATASET_IDX ? "idx" : "lines",
                                         "record_count", (json_int_t)c.count, "records_root", root,
                                         "sha256", dig));
    else
        printf("committed %llu records (version %u, hiding)\nsha256:        %s\nrecords root:  "
               "%s\ncommitment:    %s\nsecrets:       %s (sealed; keep it with the data)\n",
               (unsigned long long)c.count, c.version, dig, root, out, secrets);
out:
    zkr_secret_free(&pass);
    return r;
}

zkr_err zkr_cli_param_set(zkr_cli *cli, const char *name, uint32_t *set)
{
    *set = ZKR_PARAM_SET_128;
    if (name == NULL || zkr_params_id_of(name, set) == ZKR_OK)
        return ZKR_OK;
    return zkr_cli_usage(cli, "--param-set: '%s' unknown (goldilocks-128, goldilocks-128-r8, "
                              "goldilocks-128-r16 or goldilocks-128-r64)", name);
}

zkr_err zkr_cli_dataset_commit_hpc(zkr_cli *cli, const char *data, const char *out,
                                   const char *secrets, const char *seed_file, const char *budget,
                                   const char *param_set, const zkr_cli_pass_opts *po)
{
    zkr_secret pass = {0}, seed = {0};
    uint64_t n = ZKR_HPCS_DEFAULT_BUDGET;
    uint32_t set;
    zkr_dscommit c;
    char root[65], dig[65];
    zkr_err r;

    if (out == NULL || secrets == NULL)
        return zkr_cli_usage(cli, "dataset commit needs -o COMMITMENT and --secrets SECRETS");
    if ((r = zkr_cli_param_set(cli, param_set, &set)) != ZKR_OK)
        return r;
    if (budget != NULL && (r = zkr_cli_parse_u64(cli, "--budget", budget, &n)) != ZKR_OK)
        return r;
    if (n == 0 || n > ZKR_HPCS_MAX_BUDGET)
        return zkr_cli_usage(cli, "--budget must be 1..4096");
    if ((r = zkr_cli_pass_get(cli, po, &pass)) != ZKR_OK ||
        (seed_file != NULL && (r = zkr_app_zk_seed_load(cli, seed_file, &pass, &seed)) != ZKR_OK) ||
        (r = zkr_app_dataset_commit_hpc(cli, data, out, secrets, &pass, po->fast,
                                        seed_file != NULL ? &seed : NULL, (uint32_t)n, set, &c)) !=
            ZKR_OK)
        goto out;
    zkr_cli_hex32(c.root, root);
    zkr_cli_hex32(c.digest, dig);
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:b, s:i, s:s, s:I, s:s, s:s, s:I}", "ok", 1,
                                         "commitment_version", (int)c.version, "format",
                                         c.format == ZKR_DATASET_IDX ? "idx" : "lines",
                                         "record_count", (json_int_t)c.count, "records_root", root,
                                         "sha256", dig, "budget", (json_int_t)n));
    else
        printf("committed %llu records (version %u, hiding record commitments, %llu proofs "
               "each)\nsha256:        %s\nrecords root:  %s\ncommitment:    %s\nsecrets:       "
               "%s (sealed; `prove` counts the proofs in the registry's reveal-budget ledger)\n",
               (unsigned long long)c.count, c.version, (unsigned long long)n, dig, root, out,
               secrets);
out:
    zkr_secret_free(&seed);
    zkr_secret_free(&pass);
    return r;
}

static zkr_err seed_new(zkr_cli *cli, const char *out, const zkr_cli_pass_opts *po)
{
    zkr_secret pass = {0};
    zkr_err r;

    if (out == NULL)
        return zkr_cli_usage(cli, "zk-seed new needs -o FILE");
    if ((r = zkr_cli_pass_get(cli, po, &pass)) == ZKR_OK &&
        (r = zkr_app_zk_seed_new(cli, out, &pass, po->fast)) == ZKR_OK) {
        if (cli->json)
            r = zkr_cli_print_json(json_pack("{s:b, s:s}", "ok", 1, "file", out));
        else
            printf("sealed a new 32-byte zk seed in %s\n", out);
    }
    zkr_secret_free(&pass);
    return r;
}

static zkr_err seed_check(zkr_cli *cli, const char *file, const zkr_cli_pass_opts *po)
{
    zkr_secret pass = {0}, seed = {0};
    zkr_err r;

    if ((r = zkr_cli_pass_get(cli, po, &pass)) == ZKR_OK &&
        (r = zkr_app_zk_seed_load(cli, file, &pass, &seed)) == ZKR_OK) {
        if (cli->json)
            r = zkr_cli_print_json(json_pack("{s:b, s:s, s:I}", "ok", 1, "file", file, "bytes",
                                             (json_int_t)seed.len));
        else
            printf("ok: %s unseals to a %zu-byte zk seed\n", file, seed.len);
    }
    zkr_secret_free(&seed);
    zkr_secret_free(&pass);
    return r;
}

zkr_err zkr_cmd_zk_seed(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS, ZKR_CLI_PASS_LONGOPTS,
                                         {"output", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    zkr_cli_pass_opts po;
    int c, done;
    zkr_err r;

    zkr_cli_pass_opts_init(&po);
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, zk_seed_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (zkr_cli_pass_option(cli, c, optarg, &po, &r)) {
            if (r != ZKR_OK)
                return r;
            continue;
        }
        if (c == 'o')
            out = optarg;
        else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind + 1 == argc && strcmp(argv[optind], "new") == 0)
        return seed_new(cli, out, &po);
    if (optind + 2 == argc && strcmp(argv[optind], "check") == 0 && out == NULL)
        return seed_check(cli, argv[optind + 1], &po);
    return zkr_cli_usage(cli, "expected `zk-seed new -o FILE` or `zk-seed check FILE`");
}

static const char model_help[] =
    "usage: zkreg model commit MODEL -o COMMITMENT --secrets SECRETS [--range-proof FILE]\n"
    "                          [--zk-seed FILE] [--budget N] [--param-set NAME]\n"
    "                          [--passphrase-file F | --passphrase-fd N]\n"
    "                          [--kdf moderate|interactive]\n"
    "\n"
    "Runs on the MODEL OWNER's machine and opens no registry. Commits the\n"
    "quantized model MODEL (ZKRQMOD, dense int8) with the hiding model commitment\n"
    "(version 2, for inference@2) and writes three files, none ever replacing\n"
    "one: COMMITMENT (public, 0644: `register-model --commitment` on the\n"
    "appliance), the model range proof (public, 0644; default COMMITMENT.range:\n"
    "a zero-knowledge proof that every weight is in -127..127, every bias in\n"
    "-2^30..2^30 and every multiplier in 0..2^31-1; register-model checks it,\n"
    "attest needs it) and SECRETS (0600: the opening, sealed under a passphrase\n"
    "with Argon2id and XChaCha20-Poly1305). A model outside those ranges is\n"
    "refused. Each layer is blinded for N openings (default 64, at most 4096;\n"
    "two per proof, N/2 proofs; the range proof takes one more). With --zk-seed the blinding is\n"
    "derived from the sealed seed (same model, seed and N: the same commitment);\n"
    "without it, from the OS CSPRNG. The passphrase (--passphrase-fd, then\n"
    "--passphrase-file, $ZKREG_PASSPHRASE_FILE or the terminal, never argv)\n"
    "unseals the seed and seals the secrets. `prove` counts the proofs made with\n"
    "SECRETS in the registry's reveal-budget ledger (<registry>.d/reveal-budget.ledger),\n"
    "by commitment: a renamed or copied SECRETS counts on against the same budget.\n"
    "A graph (CNN) model (ZKRQMOD version 2, as register-model --calibrate keeps it)\n"
    "is committed for graph-inference@2 instead: one hiding commitment per weight\n"
    "tensor, blinded for N PROOFS (each opens every tensor twice), and no range\n"
    "proof (every graph-inference@2 proof range-checks the weights itself).\n"
    "--param-set NAME: the codewords' parameter set (default goldilocks-128, a\n"
    "version 2 commitment); goldilocks-128-r8 or goldilocks-128-r16 (rate 1/8 or\n"
    "1/16: fewer queries, smaller inference@2 proofs) or goldilocks-128-r64 (rate\n"
    "1/64, its mixed opening over F_p^6: large models' smallest proofs) write a\n"
    "commitment naming the set, for inference@2 schemas that pin it (dense models\n"
    "only).\n"
    ZKR_CLI_EXIT_HELP;

static zkr_err model_commit(zkr_cli *cli, const char *model, const char *out, const char *secrets,
                            const char *range, const char *seed_file, uint32_t budget,
                            uint32_t set, const zkr_cli_pass_opts *po)
{
    zkr_secret pass = {0}, seed = {0};
    zkr_app_model_commit_info info;
    char comm[65], prog[65], rdef[4096];
    zkr_err r;

    if (out == NULL || secrets == NULL)
        return zkr_cli_usage(cli, "model commit needs -o COMMITMENT and --secrets SECRETS");
    if (range == NULL) {
        int n = snprintf(rdef, sizeof rdef, "%s.range", out);
        if (n < 0 || (size_t)n >= sizeof rdef)
            return zkr_cli_usage(cli, "-o path too long");
        range = rdef;
    }
    if ((r = zkr_cli_pass_get(cli, po, &pass)) != ZKR_OK ||
        (seed_file != NULL && (r = zkr_app_zk_seed_load(cli, seed_file, &pass, &seed)) != ZKR_OK) ||
        (r = zkr_app_model_commit(cli, model, out, secrets, range, &pass, po->fast,
                                  seed_file != NULL ? &seed : NULL, budget, set, &info)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(info.commitment, comm);
    zkr_cli_hex32(info.program, prog);
    if (info.range_len == 0) /* a graph model (graph-inference@2): no range proof written */
        range = NULL;
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:b, s:s, s:s, s:i, s:i, s:i, s:s, s:s, s:s, s:I}",
                                         "ok", 1, "commitment", comm, "program", prog, "layers",
                                         (int)info.n_layers, "budget", (int)info.budget,
                                         "proofs", (int)info.proofs, "commitment_file", out,
                                         "secrets", secrets, "range_proof", range ? range : "",
                                         "range_proof_bytes", (json_int_t)info.range_len));
    else if (range == NULL)
        printf("committed a private graph model: %u weight tensors, %u proofs\ncommitment:    "
               "%s\nprogram:       %s\ncommitment file: %s\nrange proof:   none (every "
               "graph-inference@2 proof range-checks the weights)\nsecrets:       %s (sealed; "
               "`prove` counts the proofs in the registry's reveal-budget ledger)\n",
               info.n_layers, info.proofs, comm, prog, out, secrets);
    else
        printf("committed a private model: %u layers, blinded for %u openings a layer (%u "
               "proofs)\ncommitment:    %s\nprogram:       %s\ncommitment file: %s\nrange proof:   "
               "%s (%zu bytes; W in -127..127, b in -2^30..2^30, M in 0..2^31-1)\nsecrets:       "
               "%s (sealed; `prove` counts the proofs in the registry's reveal-budget ledger)\n",
               info.n_layers, info.budget, info.proofs, comm, prog, out, range, info.range_len,
               secrets);
out:
    zkr_secret_free(&seed);
    zkr_secret_free(&pass);
    return r;
}

zkr_err zkr_cmd_model(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS, ZKR_CLI_PASS_LONGOPTS,
                                         {"output", required_argument, NULL, 'o'},
                                         {"secrets", required_argument, NULL, 'S'},
                                         {"zk-seed", required_argument, NULL, 'Z'},
                                         {"budget", required_argument, NULL, 'B'},
                                         {"range-proof", required_argument, NULL, 'R'},
                                         {"param-set", required_argument, NULL, 'P'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *secrets = NULL, *seed = NULL, *range = NULL;
    uint64_t budget = ZKR_MODEL_BUDGET_DEFAULT;
    uint32_t set = ZKR_PARAM_SET_128;
    zkr_cli_pass_opts po;
    int c, done;
    zkr_err r;

    zkr_cli_pass_opts_init(&po);
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, model_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (zkr_cli_pass_option(cli, c, optarg, &po, &r)) {
            if (r != ZKR_OK)
                return r;
            continue;
        }
        if (c == 'o')
            out = optarg;
        else if (c == 'S')
            secrets = optarg;
        else if (c == 'Z')
            seed = optarg;
        else if (c == 'R')
            range = optarg;
        else if (c == 'P') {
            if ((r = zkr_cli_param_set(cli, optarg, &set)) != ZKR_OK)
                return r;
        } else if (c == 'B') {
            if ((r = zkr_cli_parse_u64(cli, "--budget", optarg, &budget)) != ZKR_OK)
                return r;
            if (budget == 0 || budget > ZKR_MODEL_BUDGET_MAX)
                return zkr_cli_usage(cli, "--budget must be 1..4096");
        } else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind + 2 == argc && strcmp(argv[optind], "commit") == 0)
        return model_commit(cli, argv[optind + 1], out, secrets, range, seed, (uint32_t)budget,
                            set, &po);
    return zkr_cli_usage(cli, "expected `model commit MODEL -o COMMITMENT --secrets SECRETS`");
}

static const char output_help[] =
    "usage: zkreg output commit --model ID --dataset ID --record I\n"
    "                           --model-file MODEL --model-secrets S\n"
    "                           --dataset-file PATH --dataset-secrets S\n"
    "                           -o COMMITMENT --secrets SECRETS [--zk-seed FILE]\n"
    "                           [--passphrase-file F | --passphrase-fd N]\n"
    "                           [--kdf moderate|interactive]\n"
    "\n"
    "For an inference@2 statement with a HIDDEN output (schema public_output\n"
    "false), run by the party that holds the private model and the record (the\n"
    "files `zkreg prove` takes). Checks the owners' files against the registered\n"
    "private model ID and version 3 dataset ID as a proof does (exit 1 on a\n"
    "mismatch), runs the model natively on record I and commits its logits with\n"
    "a hiding output commitment. Writes COMMITMENT (48 bytes, public, 0644:\n"
    "`register-statement --output-commitment`) and SECRETS (0600: its opening,\n"
    "sealed under the passphrase; `prove --output-secrets`), never replacing a\n"
    "file (exit 5). The output is never printed or written in the clear. With\n"
    "--zk-seed the commitment's randomness is derived from the sealed seed, the\n"
    "model commitment, the record's commitment and the output (the same inputs\n"
    "give the same commitment); without it the OS CSPRNG draws it. The\n"
    "commitment is blinded for 4 openings (4 proofs), counted by `prove` in the\n"
    "registry's reveal-budget ledger (<registry>.d/reveal-budget.ledger), by\n"
    "commitment: a renamed or copied SECRETS counts on against the same 4.\n"
    "Only the registry is read.\n" ZKR_CLI_EXIT_HELP;

static zkr_err output_commit(zkr_cli *cli, const zkr_app_output_commit_opts *oo,
                             const char *seed_file, const zkr_cli_pass_opts *po)
{
    zkr_secret pass = {0}, seed = {0};
    zkr_app_output_commit_opts o = *oo;
    zkr_app_output_commit_info info;
    char oc[2 * ZKR_INFER2_OUTPUT_COMMIT_BYTES + 1];
    zkr_err r;

    if ((r = zkr_cli_pass_get(cli, po, &pass)) != ZKR_OK ||
        (seed_file != NULL && (r = zkr_app_zk_seed_load(cli, seed_file, &pass, &seed)) != ZKR_OK))
        goto out;
    o.pass = &pass;
    o.fast = po->fast;
    o.zk_seed = seed_file != NULL ? seed.p : NULL;
    o.zk_seed_len = seed_file != NULL ? seed.len : 0;
    if ((r = zkr_app_output_commit(cli, &o, &info)) != ZKR_OK)
        goto out;
    sodium_bin2hex(oc, sizeof oc, info.oc, ZKR_INFER2_OUTPUT_COMMIT_BYTES);
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:b, s:s, s:I, s:I, s:I, s:i, s:s, s:s, s:i}", "ok", 1,
                                         "output_commitment", oc, "model", (json_int_t)info.model_id,
                                         "dataset", (json_int_t)info.dataset_id, "record",
                                         (json_int_t)o.record, "out_dim", (int)info.out_dim,
                                         "commitment_file", o.out, "secrets", o.secrets,
                                         "proofs", (int)ZKR_INFER2_OUTPUT_BUDGET));
    else
        printf("committed the hidden output of model %lld on record %llu of dataset %lld (%u "
               "logits, not shown)\noutput commitment: %s\ncommitment file:   %s\nsecrets:       "
               "    %s (sealed; %u proofs, counted in the registry's reveal-budget ledger)\n",
               (long long)info.model_id, (unsigned long long)o.record, (long long)info.dataset_id,
               info.out_dim, oc, o.out, o.secrets, ZKR_INFER2_OUTPUT_BUDGET);
out:
    zkr_secret_free(&seed);
    zkr_secret_free(&pass);
    return r;
}

zkr_err zkr_cmd_output(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS, ZKR_CLI_PASS_LONGOPTS,
                                         {"output", required_argument, NULL, 'o'},
                                         {"secrets", required_argument, NULL, 'S'},
                                         {"zk-seed", required_argument, NULL, 'Z'},
                                         {"model", required_argument, NULL, 'm'},
                                         {"dataset", required_argument, NULL, 'd'},
                                         {"record", required_argument, NULL, 'r'},
                                         {"model-file", required_argument, NULL, 'M'},
                                         {"model-secrets", required_argument, NULL, 'K'},
                                         {"dataset-file", required_argument, NULL, 'D'},
                                         {"dataset-secrets", required_argument, NULL, 'E'},
                                         {NULL, 0, NULL, 0}};
    zkr_app_output_commit_opts o;
    const char *seed = NULL, *record = NULL;
    zkr_cli_pass_opts po;
    int c, done;
    zkr_err r;

    memset(&o, 0, sizeof o);
    zkr_cli_pass_opts_init(&po);
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, output_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (zkr_cli_pass_option(cli, c, optarg, &po, &r)) {
            if (r != ZKR_OK)
                return r;
            continue;
        }
        switch (c) {
        case 'o': o.out = optarg; break;
        case 'S': o.secrets = optarg; break;
        case 'Z': seed = optarg; break;
        case 'm': o.model = optarg; break;
        case 'd': o.dataset = optarg; break;
        case 'r': record = optarg; break;
        case 'M': o.model_file = optarg; break;
        case 'K': o.model_secrets = optarg; break;
        case 'D': o.dataset_file = optarg; break;
        case 'E': o.dataset_secrets = optarg; break;
        default: return zkr_cli_usage(cli, "bad option (see --help)");
        }
    }
    if (!(optind + 1 == argc && strcmp(argv[optind], "commit") == 0))
        return zkr_cli_usage(cli, "expected `output commit --model ID --dataset ID --record I "
                                  "... -o COMMITMENT --secrets SECRETS`");
    if (o.model == NULL || o.dataset == NULL || record == NULL || o.model_file == NULL ||
        o.model_secrets == NULL || o.dataset_file == NULL || o.dataset_secrets == NULL ||
        o.out == NULL || o.secrets == NULL)
        return zkr_cli_usage(cli, "output commit needs --model, --dataset, --record, "
                                  "--model-file, --model-secrets, --dataset-file, "
                                  "--dataset-secrets, -o COMMITMENT and --secrets SECRETS");
    if ((r = zkr_cli_parse_u64(cli, "--record", record, &o.record)) != ZKR_OK)
        return r;
    return output_commit(cli, &o, seed, &po);
}
