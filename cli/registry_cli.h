/* Helpers shared by the registry commands (cmd_registry.c, cmd_log.c). */
#ifndef ZKR_CLI_REGISTRY_CLI_H
#define ZKR_CLI_REGISTRY_CLI_H

#include <jansson.h>

#include "cli.h"
#include "registry/registry.h"

/* The exit-code table every registry command's --help ends with. */
#define ZKR_CLI_EXIT_HELP                                                                        \
    "\nexit codes: 0 ok, 1 verification failed or binding mismatch, 2 usage, 3 malformed\n"     \
    "input, 4 not found, 5 conflict or already exists, 6 revoked, 7 key error, 9 registry\n"    \
    "or I/O error, 10 internal. Common options: --registry PATH (else $ZKREG_REGISTRY,\n"       \
    "else ./zkreg.db), --json, --help.\n"

/* Opens cli->registry_path. */
zkr_err zkr_cli_registry_open(zkr_cli *cli, zkr_registry **reg) ZKR_WUR;

/*
 * Opens cli->registry_path read-only (zkr_registry_open_readonly), for
 * commands that never write; prints a notice on stderr when it had to
 * fall back to immutable=1 (read-only or full medium).
 */
zkr_err zkr_cli_registry_open_ro(zkr_cli *cli, zkr_registry **reg) ZKR_WUR;

/* Lowercase hex of 32 bytes into out[65]. */
void zkr_cli_hex32(const uint8_t in[ZKR_DIGEST_BYTES], char out[65]);

/* "2026-11-23T20:00:00Z". */
void zkr_cli_time(int64_t t, char out[32]);

/* JSON renderings of registry objects (new references). */
json_t *zkr_cli_artifact_json(const zkr_artifact *a);
json_t *zkr_cli_schema_json(const zkr_schema *s);
json_t *zkr_cli_statement_json(const zkr_statement *s);

/*
 * Prints `obj` (stolen) with "ok": true added, as one line of JSON on
 * stdout. Returns ZKR_ERR_NOMEM when it cannot be rendered.
 */
zkr_err zkr_cli_print_json(json_t *obj) ZKR_WUR;

/* Reads a passphrase (--passphrase-file, else $ZKREG_PASSPHRASE_FILE, else TTY). */
zkr_err zkr_cli_passphrase(zkr_cli *cli, const char *path, zkr_secret *out) ZKR_WUR;

/* Writes `p` to `path` atomically (mode 0644), or to stdout when path is NULL or "-". */
zkr_err zkr_cli_write_out(zkr_cli *cli, const char *path, const uint8_t *p, size_t len) ZKR_WUR;

#endif
