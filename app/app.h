/*
 * app: the application layer. The workflows (prove, verify, attest,
 * train, rounds, export/import) over the modules, called by the `zkreg`
 * command (cli/) and by tests without a command line. Nothing here parses
 * arguments; results come back in structs and the diagnostic, and the
 * caller prints them.
 *
 * Dependencies point one way: cli -> app -> signer, prover, verifier,
 * registry, sandbox, ml, zk, common (docs/DESIGN.md section 2).
 */
#ifndef ZKR_APP_H
#define ZKR_APP_H

#include "common/common.h"
#include "registry/registry.h"

/*
 * The context every workflow takes. registry_path and diag are the app's;
 * json and command belong to the front end (cli/ uses this struct as its
 * own context, zkr_cli) and the workflows never read them.
 */
typedef struct {
    const char *registry_path; /* the registry file; its store is "<registry_path>.d/" */
    int json;                  /* front end: --json given */
    const char *command;       /* front end: the command's name, for messages */
    int json_printed;          /* front end: the command printed its JSON result already,
                                  also on failure (no second, error-only object) */
    zkr_diag diag;             /* why the last call failed */
    struct zkr_app_store_undo *store_undo; /* app/store.h: store writes of the registration
                                              in progress, undone if it does not commit */
} zkr_app;

/* Opens app->registry_path for reading and writing. */
zkr_err zkr_app_registry_open(zkr_app *app, zkr_registry **reg) ZKR_WUR;

/*
 * Parses an unsigned decimal integer (no sign, no spaces, no overflow).
 * Returns ZKR_ERR_USAGE naming `what` otherwise (the diag is set only when
 * it is still empty).
 */
zkr_err zkr_app_parse_u64(zkr_app *app, const char *what, const char *s, uint64_t *out) ZKR_WUR;

/*
 * Writes p to `path` atomically (mode 0644), or to standard output when
 * path is NULL or "-" (a bundle or request piped on). Returns ZKR_OK or
 * ZKR_ERR_IO naming the target.
 */
zkr_err zkr_app_write_out(zkr_app *app, const char *path, const uint8_t *p, size_t len) ZKR_WUR;

/*
 * Reads a passphrase from descriptor fd (its first line, a trailing CR
 * dropped) into sodium_malloc'ed memory (--passphrase-fd) and closes fd.
 * Returns ZKR_OK, ZKR_ERR_IO, ZKR_ERR_TOO_LARGE (over 1024 bytes),
 * ZKR_ERR_MALFORMED (empty), ZKR_ERR_NOMEM.
 */
zkr_err zkr_app_read_pass_fd(zkr_app *app, int fd, zkr_secret *out) ZKR_WUR;

/* Creates directory dir (0755) unless it exists. Returns ZKR_OK or ZKR_ERR_IO naming it. */
zkr_err zkr_app_make_dir(zkr_app *app, const char *dir) ZKR_WUR;

/* Lowercase hex of 32 bytes into out[65] (empty on failure, which cannot happen). */
void zkr_app_hex32(const uint8_t in[ZKR_DIGEST_BYTES], char out[65]);

#endif
