/* bundle.c: export and import of signed bundles (app/bundle.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/bundle.h"
#include "app/round_eval.h"
#include "app/store.h"

#define BUNDLE_FILE_MAX ((size_t)1 << 31)

zkr_err zkr_app_export(zkr_app *app, const zkr_app_export_opts *o, zkr_app_export_result *res)
{
    zkr_registry *reg = NULL;
    zkr_secret pass = {0};
    zkr_buf bundle = {0}, pending = {0};
    zkr_bundle_eval_hooks h;
    const char *const keep[] = {o->pass_file, getenv("ZKREG_PASSPHRASE_FILE")};
    int have_pass = 0;
    zkr_err r;

    memset(res, 0, sizeof *res);
    zkr_app_round_eval_export_hooks(app, &h);
    /* The bundle is renamed over o->out: never over the registry, its store or the passphrase. */
    if ((r = zkr_app_out_guard(app, o->out, "a bundle", keep, sizeof keep / sizeof *keep)) !=
            ZKR_OK ||
        (r = zkr_app_registry_open(app, &reg)) != ZKR_OK)
        goto out;
    if (o->pass_file != NULL || getenv("ZKREG_PASSPHRASE_FILE") != NULL) {
        if ((r = zkr_passphrase_read(o->pass_file, &pass, &app->diag)) != ZKR_OK)
            goto out;
        have_pass = 1;
    }
    /* The bundle is written first; a checkpoint signed for it is stored only then. */
    if ((r = zkr_registry_export_evals(reg, o->statements, o->n_statements,
                                       have_pass ? &pass : NULL, &h, &bundle, &pending,
                                       &app->diag)) != ZKR_OK ||
        (r = zkr_app_write_out(app, o->out, bundle.p, bundle.len)) != ZKR_OK)
        goto out;
    if (pending.len > 0 &&
        (r = zkr_registry_checkpoint_store(reg, pending.p, pending.len, &app->diag)) != ZKR_OK) {
        if (strcmp(o->out, "-") != 0)
            (void)unlink(o->out); /* a failed export leaves neither the bundle nor the checkpoint */
        goto out;
    }
    res->bytes = bundle.len;
    zkr_sha256(bundle.p, bundle.len, res->sha256);
out:
    zkr_secret_free(&pass);
    zkr_buf_free(&bundle);
    zkr_buf_free(&pending);
    zkr_registry_close(reg);
    return r;
}

zkr_err zkr_app_import(zkr_app *app, const char *file, const char *trusted_vkey,
                       zkr_import_summary *sum)
{
    return zkr_app_import_bundle(app, file, trusted_vkey, 0, sum, NULL);
}

zkr_err zkr_app_import_bundle(zkr_app *app, const char *file, const char *trusted_vkey,
                              int no_sandbox, zkr_import_summary *sum,
                              zkr_app_import_evals *evals)
{
    zkr_app_round_eval_import im;
    zkr_bundle_eval_hooks h;
    zkr_registry *reg = NULL;
    zkr_buf data = {0};
    zkr_err r;

    memset(sum, 0, sizeof *sum);
    zkr_app_round_eval_import_init(&im, app, no_sandbox, &h);
    if ((r = zkr_app_registry_open(app, &reg)) != ZKR_OK ||
        (r = zkr_file_read(file, BUNDLE_FILE_MAX, &data, &app->diag)) != ZKR_OK)
        goto out;
    if ((r = zkr_registry_import_evals(reg, data.p, data.len, trusted_vkey, &h, sum,
                                       &app->diag)) != ZKR_OK) {
        char inner[ZKR_DIAG_BYTES];
        zkr_app_round_eval_import_undo(&im); /* the proofs staged before a failed commit */
        snprintf(inner, sizeof inner, "%s", app->diag.msg);
        zkr_diag_clear(&app->diag);
        r = zkr_fail(&app->diag, r, "%s: %s; nothing imported", file, inner);
        goto out;
    }
    if (evals != NULL) {
        evals->stored = im.stored;
        evals->kept = im.kept;
        evals->unverified = im.unverified;
        evals->revoked = im.revoked;
        snprintf(evals->revoked_msg, sizeof evals->revoked_msg, "%s", im.revoked_msg);
    }
out:
    zkr_app_round_eval_import_free(&im);
    zkr_buf_free(&data);
    zkr_registry_close(reg);
    return r;
}
