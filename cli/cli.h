/*
 * cli: the `zkreg` command. Argument parsing, output and exit codes only;
 * the workflows live in app/ (app/app.h) and the modules below it.
 *
 * Conventions every command follows (docs/cli.md):
 * - `--registry PATH` (else $ZKREG_REGISTRY, else ./zkreg.db), `--json`
 *   and `--help` are accepted by every command;
 * - a command returns a zkr_err; zkr_cli_finish() prints the diagnostic
 *   (text on stderr, or a JSON object on stdout with --json) and maps it
 *   to the documented exit code;
 * - nothing prompts when stdin is not a TTY;
 * - secrets never travel in argv.
 */
#ifndef ZKR_CLI_H
#define ZKR_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "app/app.h"
#include "common/common.h"

/*
 * The command's context is the application layer's (app/app.h), so that a
 * command hands it to the workflows as it is: registry_path resolved from
 * --registry, $ZKREG_REGISTRY, ./zkreg.db; json set by --json; command the
 * command's name, for messages; diag the message for the user on failure.
 */
typedef zkr_app zkr_cli;

/* A command: its name, one-line summary and entry point (which answers --help itself). */
typedef struct {
    const char *name;
    const char *summary;
    zkr_err (*run)(zkr_cli *cli, int argc, char **argv);
} zkr_cli_command;

/* Long options every command accepts; put this first in its option table. */
#define ZKR_CLI_COMMON_LONGOPTS                                                                  \
    {"registry", required_argument, NULL, 0x100}, {"json", no_argument, NULL, 0x101},             \
        {"help", no_argument, NULL, 'h'}

/*
 * Handles a common option returned by getopt_long. Returns 1 when `c` was
 * one (and *done is set to 1 if --help was printed and the command should
 * return ZKR_OK), 0 when it is the command's own option.
 */
int zkr_cli_common_option(zkr_cli *cli, int c, const char *help, int *done);

/*
 * Reports an unknown option or a wrong argument count: sets the diag and
 * returns ZKR_ERR_USAGE.
 */
zkr_err zkr_cli_usage(zkr_cli *cli, const char *fmt, ...) ZKR_PRINTF(2, 3);

/*
 * Parses an unsigned decimal integer argument (no sign, no spaces, no
 * overflow). Returns ZKR_ERR_USAGE naming `what` otherwise.
 */
zkr_err zkr_cli_parse_u64(zkr_cli *cli, const char *what, const char *s, uint64_t *out) ZKR_WUR;

/* Prints the error for `r` as text or JSON and returns the exit code. */
int zkr_cli_finish(zkr_cli *cli, zkr_err r);

/*
 * Sets up a progress line on stderr for this command ("zkreg COMMAND:
 * phase n/N"): enabled only when stderr is a terminal and --json was not
 * given (common/common.h zkr_progress).
 */
void zkr_cli_progress_init(const zkr_cli *cli, zkr_progress *p);

/* Prints `s` as a JSON string literal (with quotes) to f. */
void zkr_cli_json_string(FILE *f, const char *s);

/* The command table, terminated by an entry with name == NULL. */
extern const zkr_cli_command zkr_cli_commands[];

/* Entry points, grouped by the file that implements them. */
/* cmd_registry.c */
zkr_err zkr_cmd_init(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_register_program(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_register_model(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_register_dataset(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_register_schema(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_register_statement(zkr_cli *cli, int argc, char **argv);
/* cmd_batch.c */
zkr_err zkr_cmd_register_batch(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_show(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_list(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_revoke(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_archive(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_dataset(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_log(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_export(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_import(zkr_cli *cli, int argc, char **argv);
/* cmd_proof.c */
zkr_err zkr_cmd_prove(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_verify(zkr_cli *cli, int argc, char **argv);
/* cmd_sign.c */
zkr_err zkr_cmd_key(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_attest(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_verify_attestation(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_gate(zkr_cli *cli, int argc, char **argv);
/* cmd_eth.c */
zkr_err zkr_cmd_attest_root(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_eth(zkr_cli *cli, int argc, char **argv);
/* cmd_doctor.c */
zkr_err zkr_cmd_doctor(zkr_cli *cli, int argc, char **argv);
/* cmd_ml.c */
zkr_err zkr_cmd_infer(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_eval(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_train(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_round(zkr_cli *cli, int argc, char **argv);
/* cmd_zk.c */
zkr_err zkr_cmd_zk_seed(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_model(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_output(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_train_init(zkr_cli *cli, int argc, char **argv);
zkr_err zkr_cmd_lineage(zkr_cli *cli, int argc, char **argv);
/* provenance sign|verify: DSSE over in-toto statements (build provenance). */
zkr_err zkr_cmd_provenance(zkr_cli *cli, int argc, char **argv);
/* verify-attestation, routing --predicate-type other than zkreg's to provenance. */
zkr_err zkr_cmd_verify_attestation_any(zkr_cli *cli, int argc, char **argv);

#endif /* ZKR_CLI_H */
