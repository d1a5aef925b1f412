/*
 * A gated round's evaluation proofs in export bundles (app/round_eval.c):
 * the hooks registry/bundle.c calls to carry the proofs round accept kept
 * (REGISTRY.d/round-eval/) and, on import, to bind, verify and store them
 * (docs/formats.md section 8, "Evaluation proofs").
 */
#ifndef ZKR_APP_ROUND_EVAL_H
#define ZKR_APP_ROUND_EVAL_H

#include "app/app.h"
#include "app/store.h"

/* Export: hooks that fetch each kept proof (none kept: the bundle carries none for it). */
void zkr_app_round_eval_export_hooks(zkr_app *app, zkr_bundle_eval_hooks *h);

typedef struct {
    uint8_t sid[ZKR_DIGEST_BYTES];
    const uint8_t *proof; /* borrowed from the bundle's bytes */
    size_t len;
} zkr_app_round_eval_pending;

/* One import's state: what was verified, what is written before the commit. */
typedef struct {
    zkr_app *app;
    int no_sandbox;
    zkr_app_round_eval_pending *pending;
    size_t n_pending, cap;
    zkr_app_store_undo undo; /* what the stage wrote (app/store.h), undone if the import fails */
    uint64_t stored;      /* verified here and written to the store */
    uint64_t kept;        /* verified here; the store already held its statement's proof */
    uint64_t unverified;  /* bound but not verifiable here (the evaluation dataset's file is
                             unknown to this registry): not stored */
    uint64_t revoked;     /* bound, but the evaluation schema's verifier version is revoked
                             here: neither verified nor stored */
    char revoked_msg[ZKR_DIAG_BYTES]; /* the first such revocation, as the registry names it */
} zkr_app_round_eval_import;

/*
 * Import: sets up im and hooks h for zkr_registry_import_evals. bind
 * derives each carried proof's statement (the round's, for the child as
 * the registry now holds it), refuses a proof naming or proving another
 * statement (ZKR_ERR_MISMATCH_STATEMENT), one whose container does not
 * parse (ZKR_ERR_MALFORMED, _UNSUPPORTED, _TOO_LARGE) or of another kind
 * (ZKR_ERR_MISMATCH_PARAMS), then verifies it in the confined evalf-verify
 * worker (unless no_sandbox) when this registry remembers the evaluation
 * dataset's file (the verifier's errors, ZKR_ERR_VERIFY for a proof that
 * fails); without that file the proof is counted `unverified` and not
 * stored; where the evaluation schema's verifier version is revoked it is
 * counted `revoked`, and neither verified nor stored. stage writes the
 * verified proofs absent from the store, never replacing a file (one
 * written meanwhile counts as kept); on any later failure of the import
 * the caller runs zkr_app_round_eval_import_undo, which removes only the
 * files the stage created.
 * im borrows the bundle's bytes: keep them until zkr_app_round_eval_import_free.
 */
void zkr_app_round_eval_import_init(zkr_app_round_eval_import *im, zkr_app *app, int no_sandbox,
                                    zkr_bundle_eval_hooks *h);

/* Removes the proofs (and directories) the stage wrote: the import did not commit. */
void zkr_app_round_eval_import_undo(zkr_app_round_eval_import *im);

void zkr_app_round_eval_import_free(zkr_app_round_eval_import *im);

#endif
