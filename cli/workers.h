/*
 * The worker kinds zkreg can run in its confined worker process
 * (sandbox/sandbox.h). cmd_proof.c and cmd_sign.c call
 *   zkr_sandbox_call(zkr_cli_workers, "verify", &opts, req, len, &reply, &res, &cli->diag)
 * and fill the "verify" and "prove" entries in workers.c when the
 * verifier and prover land.
 */
#ifndef ZKR_CLI_WORKERS_H
#define ZKR_CLI_WORKERS_H

#include "cli.h"
#include "sandbox/sandbox.h"

/* Ended by an entry with kind == NULL. */
extern const zkr_worker_kind zkr_cli_workers[];

/* Hidden commands (names start with "__", not listed by --help). */
zkr_err zkr_cmd_worker(zkr_cli *cli, int argc, char **argv);
#if ZKR_TEST_BUILD
zkr_err zkr_cmd_sandbox_test(zkr_cli *cli, int argc, char **argv);
#endif

#endif
