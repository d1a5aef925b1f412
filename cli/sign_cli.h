/* Helpers of cli/cmd_sign.c shared with the other signing commands. */
#ifndef ZKR_CLI_SIGN_CLI_H
#define ZKR_CLI_SIGN_CLI_H

#include "cli.h"
#include "signer/signer.h"

/*
 * Reads a passphrase from descriptor fd (its first line) into sodium_malloc'ed
 * memory (--passphrase-fd) and closes fd (cli/cmd_sign.c). Returns ZKR_OK,
 * ZKR_ERR_IO, ZKR_ERR_TOO_LARGE, ZKR_ERR_MALFORMED (empty), ZKR_ERR_NOMEM.
 */
zkr_err zkr_cli_read_pass_fd(zkr_cli *cli, int fd, zkr_secret *out) ZKR_WUR;

/*
 * A --trusted-key argument: TYPE:HEX (zkr_pubkey_parse) or file:KEYFILE
 * (the key file's public half). Returns ZKR_OK, ZKR_ERR_MALFORMED, or the
 * file's read error.
 */
zkr_err zkr_cli_trusted_key(zkr_cli *cli, const char *arg, zkr_pubkey *k) ZKR_WUR;

#endif
