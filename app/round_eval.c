/*
 * round_eval.c: a gated round's evaluation proofs across the air gap
 * (app/round_eval.h). Export reads the proofs round accept kept; import
 * binds each carried proof to the statement the round derives for its
 * child, verifies it in the confined evalf-verify worker, and stores it
 * beside the registry before the import commits (removed again if the
 * import fails).
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/eval.h"
#include "app/round.h"
#include "app/round_eval.h"
#include "app/store.h"
#include "zk/eval_fixed.h"

_Static_assert(ZKR_BUNDLE_EVAL_PROOF_MAX == ZKR_PROOF_MAX_BYTES,
               "a bundle carries any proof a kept file may hold");

/* Export: the proof accept kept for ref's child, named by the statement the round derives. */
static zkr_err eval_fetch(void *ctx, zkr_registry *reg, const zkr_bundle_eval_ref *ref,
                          uint8_t sid[ZKR_DIGEST_BYTES], zkr_buf *proof, int *found, zkr_diag *d)
{
    zkr_app *app = ctx;
    zkr_statement st;
    char path[4096];
    zkr_err r;

    (void)d; /* the registry passes &app->diag */
    *found = 0;
    if ((r = zkr_app_round_gate_statement(app, reg, ref->open, ref->round, ref->outcome->child,
                                          ref->child_commitment, &st)) != ZKR_OK)
        goto out;
    memcpy(sid, st.statement_id, ZKR_DIGEST_BYTES);
    if ((r = zkr_app_store_path(app, ZKR_APP_ROUND_EVAL_STORE, sid, ".zkp", path, sizeof path)) !=
        ZKR_OK)
        goto out;
    r = zkr_file_read(path, ZKR_PROOF_MAX_BYTES, proof, &app->diag);
    if (r == ZKR_ERR_NOT_FOUND) { /* accepted by a zkreg that kept none: audit says so here too */
        zkr_diag_clear(&app->diag);
        r = ZKR_OK;
    } else if (r == ZKR_OK) {
        *found = 1;
    }
out:
    zkr_statement_free(&st);
    return r;
}

void zkr_app_round_eval_export_hooks(zkr_app *app, zkr_bundle_eval_hooks *h)
{
    memset(h, 0, sizeof *h);
    h->ctx = app;
    h->fetch = eval_fetch;
}

/* Whether a file exists at path (any error but ENOENT counts as present: never overwritten). */
static int exists(const char *path)
{
    struct stat sb;

    return lstat(path, &sb) == 0 || errno != ENOENT;
}

/* Re-labels the diag as "the evaluation proof for worker W of round-outcome event I: ...". */
static zkr_err refuse(zkr_app *app, const zkr_bundle_eval_ref *ref, zkr_err r, const char *what)
{
    char inner[ZKR_DIAG_BYTES];

    snprintf(inner, sizeof inner, "%s", app->diag.msg);
    zkr_diag_clear(&app->diag);
    return zkr_fail(&app->diag, r, "bundle: the evaluation proof for worker %u of round-outcome "
                    "event %llu %s%s%s", ref->outcome->worker,
                    (unsigned long long)ref->outcome_index, what, inner[0] ? ": " : "", inner);
}

/*
 * The statement binding, which needs no dataset: the bundle's statement id
 * is the one the round derives for this child, and the proof's container
 * parses strictly and is an evaluation-fixed@1 proof of that statement.
 */
static zkr_err eval_bound(zkr_app *app, const zkr_bundle_eval_ref *ref, const zkr_statement *st,
                          const uint8_t sid[ZKR_DIGEST_BYTES], const uint8_t *proof, size_t len)
{
    zkr_proof_view v;
    char want[65], got[65];
    zkr_err r;

    zkr_app_hex32(st->statement_id, want);
    if (sodium_memcmp(sid, st->statement_id, ZKR_DIGEST_BYTES) != 0) {
        zkr_app_hex32(sid, got);
        zkr_diag_clear(&app->diag);
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_STATEMENT, "bundle: the evaluation proof "
                        "for worker %u of round-outcome event %llu names statement %s, not the "
                        "statement %s the round derives for that worker's child",
                        ref->outcome->worker, (unsigned long long)ref->outcome_index, got, want);
    }
    if ((r = zkr_proof_parse(proof, len, &v, &app->diag)) != ZKR_OK)
        return refuse(app, ref, r, "does not parse");
    if (v.kind != ZKR_KIND_EVAL_FIXED) {
        zkr_diag_clear(&app->diag);
        return refuse(app, ref, ZKR_ERR_MISMATCH_PARAMS, "is no evaluation-fixed@1 proof");
    }
    if (sodium_memcmp(v.statement_id, st->statement_id, ZKR_DIGEST_BYTES) != 0) {
        zkr_app_hex32(v.statement_id, got);
        zkr_diag_clear(&app->diag);
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_STATEMENT, "bundle: the evaluation proof "
                        "for worker %u of round-outcome event %llu proves statement %s, not %s, "
                        "the round's statement for that worker's child (another worker's or "
                        "round's proof)", ref->outcome->worker,
                        (unsigned long long)ref->outcome_index, got, want);
    }
    return ZKR_OK;
}

/*
 * Whether this registry remembers dataset ds's file and it is there (the
 * records the verifier reads). A file that changed since is known: the
 * verifier then refuses its commitment.
 */
static zkr_err records_known(zkr_app *app, const zkr_artifact *ds, int *known)
{
    char path[4096];
    zkr_buf stored = {0};
    zkr_err r;

    *known = 0;
    if ((r = zkr_app_store_path(app, "datasets", ds->sha256, ".path", path, sizeof path)) !=
        ZKR_OK)
        return r;
    if (!exists(path))
        return ZKR_OK;
    if ((r = zkr_file_read(path, sizeof path - 1, &stored, &app->diag)) != ZKR_OK)
        return r;
    memcpy(path, stored.p, stored.len);
    path[stored.len] = '\0';
    zkr_buf_free(&stored);
    *known = exists(path);
    return ZKR_OK;
}

/*
 * Whether the store already keeps a proof under path: a regular file there
 * (*kept = 1, never replaced; audit re-verifies it) or nothing (*kept = 0).
 * Anything else (a directory, a link, a FIFO, a store that cannot be
 * looked into) is refused: it is neither a kept proof nor a name the
 * proof can be written under.
 */
static zkr_err kept_at(zkr_app *app, const char *path, int *kept)
{
    struct stat sb;

    *kept = 0;
    if (lstat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode))
            return zkr_fail(&app->diag, ZKR_ERR_IO, "%s is not a regular file", path);
        *kept = 1;
        return ZKR_OK;
    }
    if (errno == ENOENT)
        return ZKR_OK;
    return zkr_fail(&app->diag, ZKR_ERR_IO, "%s: %s", path, strerror(errno));
}

/* A proof bound and verified, waiting for the stage. */
static zkr_err pending_add(zkr_app_round_eval_import *im, const uint8_t sid[ZKR_DIGEST_BYTES],
                           const uint8_t *proof, size_t len)
{
    if (im->n_pending == im->cap) {
        size_t cap = im->cap ? 2 * im->cap : 16;
        zkr_app_round_eval_pending *p = realloc(im->pending, cap * sizeof *p);
        if (p == NULL)
            return ZKR_ERR_NOMEM;
        im->pending = p;
        im->cap = cap;
    }
    memcpy(im->pending[im->n_pending].sid, sid, ZKR_DIGEST_BYTES);
    im->pending[im->n_pending].proof = proof;
    im->pending[im->n_pending].len = len;
    im->n_pending++;
    return ZKR_OK;
}

/*
 * Import: binds (eval_bound), then verifies in the confined worker when
 * this registry knows the evaluation dataset's records; a proof it cannot
 * verify is not stored (counted in `unverified`), never stored as if it
 * were. One already kept under its statement's name is left as it is.
 */
static zkr_err eval_bind(void *ctx, zkr_registry *reg, const zkr_bundle_eval_ref *ref,
                         const uint8_t sid[ZKR_DIGEST_BYTES], const uint8_t *proof, size_t len,
                         zkr_diag *d)
{
    zkr_app_round_eval_import *im = ctx;
    zkr_app *app = im->app;
    zkr_statement st;
    char path[4096];
    uint64_t correct = 0;
    int known = 0, kept = 0;
    zkr_err r;

    (void)d; /* the registry passes &app->diag */
    if ((r = zkr_app_round_gate_statement(app, reg, ref->open, ref->round, ref->outcome->child,
                                          ref->child_commitment, &st)) != ZKR_OK) {
        r = refuse(app, ref, r, "has no statement here");
        goto out;
    }
    if ((r = eval_bound(app, ref, &st, sid, proof, len)) != ZKR_OK)
        goto out;
    /*
     * A revoked verifier's verdict is taken nowhere (round open, accept and
     * close refuse it, round audit fails it): such a proof is bound but
     * neither verified nor stored. The round itself may be held from
     * before the revocation, or the bundle may carry the revocation.
     */
    if ((r = zkr_registry_verifier_revoked(reg, st.schema.proof_kind, st.schema.verifier_version,
                                           &app->diag)) != ZKR_OK) {
        if (r != ZKR_ERR_REVOKED)
            goto out;
        if (im->revoked++ == 0)
            snprintf(im->revoked_msg, sizeof im->revoked_msg, "%s", app->diag.msg);
        zkr_diag_clear(&app->diag);
        r = ZKR_OK;
        goto out;
    }
    if ((r = records_known(app, &st.dataset, &known)) != ZKR_OK)
        goto out;
    if (!known) {
        im->unverified++;
        goto out;
    }
    if ((r = zkr_app_eval_verify_derived(app, &st, proof, len, im->no_sandbox, &correct)) !=
        ZKR_OK) {
        /* The evaluation dataset's file here, not the proof, is what failed for these. */
        r = refuse(app, ref, r, r == ZKR_ERR_MISMATCH_DATASET || r == ZKR_ERR_IO ||
                                        r == ZKR_ERR_NOT_FOUND
                                    ? "cannot be verified with this registry's evaluation "
                                      "dataset file"
                                    : "does not verify");
        goto out;
    }
    if ((r = zkr_app_store_path(app, ZKR_APP_ROUND_EVAL_STORE, st.statement_id, ".zkp", path,
                                sizeof path)) != ZKR_OK)
        goto out;
    if ((r = kept_at(app, path, &kept)) != ZKR_OK)
        r = refuse(app, ref, r, "cannot be stored");
    else if (kept)
        im->kept++;
    else
        r = pending_add(im, st.statement_id, proof, len);
out:
    zkr_statement_free(&st);
    return r;
}

/*
 * Import, before the commit: writes every pending proof, recorded
 * (zkr_app_store_undo) so that an import that does not commit removes them
 * and the directories it created; a failed write undoes at once. A file
 * that appeared since eval_bind looked (round accept writes its kept proof
 * before its transaction) is kept as it is, never replaced: audit
 * re-verifies it, and an undo must touch only what this import wrote.
 */
static zkr_err eval_stage(void *ctx, zkr_diag *d)
{
    zkr_app_round_eval_import *im = ctx;
    int own;
    zkr_err r = ZKR_OK;

    (void)d;
    if (im->n_pending == 0)
        return ZKR_OK;
    own = zkr_app_store_undo_begin(im->app, &im->undo);
    for (size_t i = 0; i < im->n_pending && r == ZKR_OK; i++) {
        zkr_app_round_eval_pending *p = &im->pending[i];
        char path[4096];
        int kept = 0;

        if ((r = zkr_app_store_path(im->app, ZKR_APP_ROUND_EVAL_STORE, p->sid, ".zkp", path,
                                    sizeof path)) != ZKR_OK ||
            (r = kept_at(im->app, path, &kept)) != ZKR_OK)
            break;
        if (kept) {
            im->kept++;
            continue;
        }
        if ((r = zkr_app_store_write(im->app, ZKR_APP_ROUND_EVAL_STORE, p->sid, ".zkp", p->proof,
                                     p->len)) == ZKR_OK)
            im->stored++;
    }
    if (own)
        zkr_app_store_undo_detach(im->app); /* kept in im->undo until the import ends */
    if (r != ZKR_OK)
        zkr_app_round_eval_import_undo(im);
    return r;
}

void zkr_app_round_eval_import_init(zkr_app_round_eval_import *im, zkr_app *app, int no_sandbox,
                                    zkr_bundle_eval_hooks *h)
{
    memset(im, 0, sizeof *im);
    im->app = app;
    im->no_sandbox = no_sandbox;
    memset(h, 0, sizeof *h);
    h->ctx = im;
    h->bind = eval_bind;
    h->stage = eval_stage;
}

void zkr_app_round_eval_import_undo(zkr_app_round_eval_import *im)
{
    zkr_app_store_undo_run(&im->undo);
    im->stored = 0;
}

void zkr_app_round_eval_import_free(zkr_app_round_eval_import *im)
{
    zkr_app_store_undo_free(&im->undo); /* committed: the proofs stay */
    free(im->pending);
    im->pending = NULL;
    im->n_pending = im->cap = 0;
}
