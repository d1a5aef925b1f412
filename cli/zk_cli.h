/*
 * cli: the data owner's commands (cmd_zk.c): `dataset commit`, `zk-seed`,
 * and the passphrase options they share with `dataset prove-record
 * --secrets` and `prove --zk-seed`.
 */
#ifndef ZKR_ZK_CLI_H
#define ZKR_ZK_CLI_H

#include "cli.h"

/* --passphrase-file F, --passphrase-fd N, --kdf moderate|interactive. */
typedef struct {
    const char *file;
    int fd;   /* -1: none */
    int fast; /* --kdf interactive (tests only) */
} zkr_cli_pass_opts;

#define ZKR_CLI_PASS_OPT_FILE 0x180
#define ZKR_CLI_PASS_OPT_FD 0x181
#define ZKR_CLI_PASS_OPT_KDF 0x182
#define ZKR_CLI_PASS_LONGOPTS                                                                    \
    {"passphrase-file", required_argument, NULL, ZKR_CLI_PASS_OPT_FILE},                         \
        {"passphrase-fd", required_argument, NULL, ZKR_CLI_PASS_OPT_FD},                         \
        {"kdf", required_argument, NULL, ZKR_CLI_PASS_OPT_KDF}

/* Empty options: no file, no descriptor, the strong KDF. */
void zkr_cli_pass_opts_init(zkr_cli_pass_opts *po);

/*
 * Handles one of the options above (getopt code c, its optarg). Returns 1
 * when c was one (*r is then ZKR_OK or the usage error), 0 otherwise.
 */
int zkr_cli_pass_option(zkr_cli *cli, int c, const char *arg, zkr_cli_pass_opts *po, zkr_err *r);

/*
 * The passphrase: --passphrase-fd, else --passphrase-file, else
 * $ZKREG_PASSPHRASE_FILE, else the terminal; never argv or an environment
 * value. Free with zkr_secret_free.
 */
zkr_err zkr_cli_pass_get(zkr_cli *cli, const zkr_cli_pass_opts *po, zkr_secret *out) ZKR_WUR;

/* `zkreg dataset commit PATH -o COMMITMENT --secrets SECRETS`. */
zkr_err zkr_cli_dataset_commit(zkr_cli *cli, const char *data, const char *out,
                               const char *secrets, const zkr_cli_pass_opts *po) ZKR_WUR;

/*
 * `zkreg dataset commit PATH -o C --secrets S --hiding-records [--zk-seed F]
 * [--budget N] [--param-set NAME]` (param_set NULL: goldilocks-128).
 */
zkr_err zkr_cli_dataset_commit_hpc(zkr_cli *cli, const char *data, const char *out,
                                   const char *secrets, const char *seed_file, const char *budget,
                                   const char *param_set, const zkr_cli_pass_opts *po) ZKR_WUR;
/*
 * --param-set NAME: the id of a parameter set zkr_params_id_of knows
 * (NULL: goldilocks-128); a usage error (exit 2) naming the sets otherwise.
 */
zkr_err zkr_cli_param_set(zkr_cli *cli, const char *name, uint32_t *set) ZKR_WUR;

#endif
