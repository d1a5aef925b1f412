/*
 * The hidden worker commands; the table of worker kinds is app/workers.h.
 */
#ifndef ZKR_CLI_WORKERS_H
#define ZKR_CLI_WORKERS_H

#include "cli.h"
#include "app/workers.h"

/* Hidden commands (names start with "__", not listed by --help). */
zkr_err zkr_cmd_worker(zkr_cli *cli, int argc, char **argv);
#if ZKR_TEST_BUILD
zkr_err zkr_cmd_sandbox_test(zkr_cli *cli, int argc, char **argv);
#endif

#endif
