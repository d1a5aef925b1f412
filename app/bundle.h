/*
 * Export and import of signed bundles across the air gap (app/bundle.c),
 * over registry/bundle.c: which entries go into a bundle, when a new
 * checkpoint is signed and stored, and the all-or-nothing import
 * (docs/formats.md, docs/appliance.md).
 */
#ifndef ZKR_APP_BUNDLE_H
#define ZKR_APP_BUNDLE_H

#include "app/app.h"

typedef struct {
    const char *out;       /* the bundle file, written atomically; "-" is standard output */
    const char *pass_file; /* registry passphrase for a new checkpoint; NULL: only when
                              $ZKREG_PASSPHRASE_FILE is set (never a prompt) */
    const uint8_t (*statements)[ZKR_DIGEST_BYTES]; /* statement ids; none: the whole log */
    size_t n_statements;
} zkr_app_export_opts;

typedef struct {
    size_t bytes;
    uint8_t sha256[ZKR_DIGEST_BYTES]; /* of the bundle written */
} zkr_app_export_result;

/*
 * Writes a self-contained bundle of the selected statements and everything
 * they bind (or of the whole log): the verifier key, a checkpoint covering
 * the entries (the latest stored one, else a new one signed with the
 * passphrase, stored only after the bundle is written) and the entries with
 * inclusion proofs, and the evaluation proof kept for each accepted update
 * of a gated round in it (app/round_eval.h). The same registry contents
 * (and kept proofs) give the same bytes. On
 * failure neither the bundle nor a new checkpoint is left.
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND (an unknown statement),
 * ZKR_ERR_PASSPHRASE, ZKR_ERR_IO, registry errors.
 */
zkr_err zkr_app_export(zkr_app *app, const zkr_app_export_opts *o,
                       zkr_app_export_result *res) ZKR_WUR;

/*
 * Checks bundle `file` completely (structure, the checkpoint signed by
 * trusted_vkey, or by this registry's own appliance key when NULL, every
 * inclusion proof, event, reference and conflict) and only then records
 * its objects in one transaction with an "import" log entry. On failure
 * nothing is written and the diag says "FILE: why; nothing imported".
 * Returns ZKR_OK (sum filled), the bundle's or the registry's error.
 */
zkr_err zkr_app_import(zkr_app *app, const char *file, const char *trusted_vkey,
                       zkr_import_summary *sum) ZKR_WUR;

/* What became of the evaluation proofs a version 2 bundle carries (app/round_eval.h). */
typedef struct {
    uint64_t stored;     /* verified here, written to REGISTRY.d/round-eval/ */
    uint64_t kept;       /* verified here; the store already held that statement's proof */
    uint64_t unverified; /* bound, but the evaluation dataset's file is unknown here: not stored */
    uint64_t revoked;    /* bound, but their verifier version is revoked here: not stored */
    char revoked_msg[ZKR_DIAG_BYTES]; /* the first such revocation */
} zkr_app_import_evals;

/*
 * zkr_app_import, verifying the carried evaluation proofs in the confined
 * worker (unless no_sandbox) and telling what became of them (evals may
 * be NULL). A carried proof that names or proves another statement than
 * the one its round derives for the worker's child, is truncated or does
 * not verify refuses the whole import (nothing written, no file left).
 */
zkr_err zkr_app_import_bundle(zkr_app *app, const char *file, const char *trusted_vkey,
                              int no_sandbox, zkr_import_summary *sum,
                              zkr_app_import_evals *evals) ZKR_WUR;

#endif
