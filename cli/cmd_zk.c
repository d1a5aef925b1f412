/*
 * cmd_zk.c: the data owner's commands. `zkreg dataset commit` (no
 * registry: it runs where the data lives) and `zkreg zk-seed`, with the
 * passphrase options shared by every command that seals or unseals.
 */
#include <string.h>

#include "zk_cli.h"
#include "app/dataset.h"
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
