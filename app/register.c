/*
 * Registrations, one each (app/register.h): what register-program,
 * register-model, register-dataset, register-schema and register-statement
 * do, and what register-batch does for each of its lines.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/eval.h"
#include "app/geval.h"
#include "app/ginfer.h"
#include "app/ginfer2.h"
#include "app/register.h"
#include "app/infer.h"
#include "app/store.h"
#include "zk/infer_batch.h"
#include "zkr_config.h"

#define ARTIFACT_MAX_BYTES ((size_t)1 << 32)

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int zkr_app_is_dataset_ref(const char *ref)
{
    size_t n = ref ? strlen(ref) : 0;

    if (n == 0)
        return 0;
    if (strspn(ref, "0123456789") == n)
        return 1;
    return n == 2 * ZKR_DIGEST_BYTES && strspn(ref, "0123456789abcdefABCDEF") == n;
}

zkr_err zkr_app_dataset_open_registered(zkr_app *app, zkr_registry *reg, const char *ref,
                                        zkr_artifact *a, zkr_dataset **ds)
{
    char path[4096];
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    *ds = NULL;
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, ref, a, &app->diag)) != ZKR_OK)
        goto out;
    if (zkr_app_dataset_remembered(app, a->sha256, path, sizeof path) != ZKR_OK) {
        r = zkr_fail(&app->diag, ZKR_ERR_NOT_FOUND,
                     "dataset %lld: its file is not known beside this registry", (long long)a->id);
        goto out;
    }
    if ((r = zkr_dataset_open(path, ds, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_dataset_digest(*ds, sha, NULL)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(sha, a->sha256, ZKR_DIGEST_BYTES) != 0)
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                     "%s: contents differ from dataset %lld's registered sha256", path,
                     (long long)a->id);
out:
    if (r != ZKR_OK) {
        zkr_dataset_free(*ds);
        *ds = NULL;
    }
    return r;
}

zkr_err zkr_app_register_program(zkr_app *app, zkr_registry *reg, const char *file,
                                 const char *name, zkr_artifact *out)
{
    zkr_buf data = {0};
    zkr_app_store_undo u;
    int is_program = 0, own = zkr_app_store_undo_begin(app, &u);
    zkr_err r;

    memset(out, 0, sizeof *out);
    /* inference@1 glue (app/infer.c): ONNX -> canonical program. */
    if ((r = zkr_file_read(file, ARTIFACT_MAX_BYTES, &data, &app->diag)) != ZKR_OK ||
        (r = zkr_app_infer_program_bytes(app, file, &data, &is_program)) != ZKR_OK)
        goto out;
    /*
     * A program zkreg understands is kept in the store (before the commit;
     * removed again if the registration does not commit), so register-model
     * can refuse bytes that are no model of it.
     */
    if (is_program) {
        uint8_t sha[ZKR_DIGEST_BYTES];
        zkr_sha256(data.p, data.len, sha);
        if ((r = zkr_app_store_write(app, "programs", sha, "", data.p, data.len)) != ZKR_OK)
            goto out;
    }
    r = zkr_registry_program_add(reg, name ? name : base_name(file), data.p, data.len, out,
                                 &app->diag);
out:
    zkr_app_store_undo_end(app, &u, own, r == ZKR_OK);
    zkr_buf_free(&data);
    return r;
}

zkr_err zkr_app_register_model(zkr_app *app, zkr_registry *reg, const char *file, const char *name,
                          const char *program_ref, const char *calibrate, zkr_artifact *out)
{
    zkr_buf data = {0};
    uint8_t comm[ZKR_DIGEST_BYTES];
    zkr_app_store_undo u;
    int has_comm = 0, own = zkr_app_store_undo_begin(app, &u);
    zkr_err r;

    memset(out, 0, sizeof *out);
    /*
     * inference@1 / training glue: ONNX -> quantized model, decode,
     * commitment, store (the model's bytes and its .gpcs file, removed again
     * if the registration does not commit).
     */
    if ((r = zkr_file_read(file, ARTIFACT_MAX_BYTES, &data, &app->diag)) != ZKR_OK ||
        (r = zkr_app_infer_model_bytes(app, reg, file, program_ref, calibrate, &data, comm,
                                       &has_comm)) != ZKR_OK)
        goto out;
    r = zkr_registry_model_add(reg, name ? name : base_name(file), program_ref, data.p, data.len,
                               has_comm ? comm : NULL, out, &app->diag);
out:
    zkr_app_store_undo_end(app, &u, own, r == ZKR_OK);
    zkr_buf_free(&data);
    return r;
}

zkr_err zkr_app_register_dataset(zkr_app *app, zkr_registry *reg, const char *file, const char *name,
                            zkr_progress *pg, zkr_artifact *out)
{
    zkr_dataset *ds = NULL;
    uint8_t comm[ZKR_DIGEST_BYTES], sha[ZKR_DIGEST_BYTES];
    zkr_app_store_undo u;
    int own = zkr_app_store_undo_begin(app, &u);
    zkr_err r;

    memset(out, 0, sizeof *out);
    /*
     * The commitment and the remembered path are inference@1 glue
     * (app/infer.c). The path file is written before the registration
     * commits (nothing that can fail runs after the commit) and given back
     * its old bytes, or removed, if the registration does not commit.
     */
    zkr_progress_phase(pg, "reading the dataset", 0);
    if ((r = zkr_dataset_open(file, &ds, &app->diag)) != ZKR_OK)
        goto out;
    zkr_progress_phase(pg, "committing records", zkr_dataset_count(ds));
    if ((r = zkr_app_infer_dataset_commitment(app, ds, comm)) != ZKR_OK)
        goto out;
    zkr_progress_step(pg, zkr_dataset_count(ds));
    zkr_progress_phase(pg, "hashing records", zkr_dataset_count(ds));
    if ((r = zkr_registry_dataset_digest(ds, sha, NULL)) != ZKR_OK ||
        (r = zkr_app_infer_dataset_remember(app, sha, file)) != ZKR_OK)
        goto out;
    zkr_progress_phase(pg, "registering", 0);
    r = zkr_registry_dataset_add(reg, name ? name : base_name(file), ds, file, comm, out,
                                 &app->diag);
out:
    zkr_app_store_undo_end(app, &u, own, r == ZKR_OK);
    zkr_progress_end(pg);
    zkr_dataset_free(ds);
    return r;
}

/*
 * Test builds: $ZKREG_TEST_REGISTER_ANY_SET lets a test place the schema
 * (and statements under it) that an import from an older registry would
 * bring, to test the refusals at prove, verify, attest and round open.
 */
static int any_set_hook(void)
{
#if ZKR_TEST_BUILD
    return getenv("ZKREG_TEST_REGISTER_ANY_SET") != NULL;
#else
    return 0;
#endif
}

/*
 * A schema whose proof system or parameter set no verifier here runs for its
 * kind, or that pins another verifier version, would be refused by every
 * verify and attest: it is refused at registration instead (exit 3, nothing
 * written), so that a pipeline learns it from the command that made the
 * mistake. The same lookups stay at every later use, for schemas that
 * arrive by import or from older registries.
 */
static zkr_err schema_runnable(zkr_app *app, const char *file, const zkr_schema *s)
{
    char why[sizeof app->diag.msg];
    uint32_t set;
    zkr_err r;

    if (any_set_hook())
        return ZKR_OK;
    if (strcmp(s->verifier_version, ZKR_VERSION) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                        "%s: schema %s@%llu pins verifier version %s, but this zkreg runs verifier "
                        "%s: no proof under it could be verified or attested here",
                        file, s->name, (unsigned long long)s->version, s->verifier_version,
                        ZKR_VERSION);
    r = zkr_app_param_set_for_kind(app, s, &set);
    if (r != ZKR_ERR_MISMATCH_PARAMS)
        return r;
    snprintf(why, sizeof why, "%s", app->diag.msg);
    zkr_diag_clear(&app->diag);
    /* the sets are named only when the set is what is wrong */
    return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED, "%s: %s%s", file, why,
                    strstr(why, "parameter set") == NULL
                        ? ""
                        : " (known sets: goldilocks-128 for every kind; goldilocks-128-r8, "
                          "goldilocks-128-r16 and goldilocks-128-r64 for inference@2)");
}

zkr_err zkr_app_register_schema(zkr_app *app, zkr_registry *reg, const char *file, zkr_schema *out)
{
    zkr_buf doc = {0};
    zkr_schema s;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_file_read(file, (size_t)1 << 20, &doc, &app->diag)) == ZKR_OK &&
        (r = zkr_schema_parse(file, doc.p, doc.len, &s, &app->diag)) == ZKR_OK &&
        (r = schema_runnable(app, file, &s)) == ZKR_OK)
        r = zkr_registry_schema_add(reg, &s, out, &app->diag);
    zkr_buf_free(&doc);
    return r;
}

/* A u64 statement parameter from the command line's kv (absent: *found 0). */
static zkr_err kv_u64(zkr_app *app, const zkr_kv *kv, size_t nkv, const char *name, uint64_t *v,
                      int *found)
{
    *found = 0;
    for (size_t i = 0; i < nkv; i++)
        if (strcmp(kv[i].key, name) == 0) {
            if (zkr_app_parse_u64(app, name, kv[i].value, v) != ZKR_OK)
                return ZKR_ERR_MALFORMED; /* the parser named it */
            *found = 1;
        }
    return ZKR_OK;
}

/*
 * The logits per record of program ref's last layer, when its stored bytes
 * are at hand and decode (*known 0 otherwise: the registry refuses unknown
 * programs, prove and verify a program they cannot read).
 */
static void batch_program_out_dim(zkr_app *app, zkr_registry *reg, const char *program,
                                  uint32_t *od, int *known)
{
    zkr_artifact prog;
    zkr_ml_graph g;
    zkr_buf b = {0};
    char path[4096];
    uint8_t sha[ZKR_DIGEST_BYTES];

    *known = 0;
    if (program == NULL ||
        zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program, &prog, NULL) != ZKR_OK ||
        zkr_app_store_path(app, "programs", prog.sha256, "", path, sizeof path) != ZKR_OK ||
        zkr_file_read(path, ZKR_ML_GRAPH_MAX_BYTES, &b, NULL) != ZKR_OK)
        goto out;
    zkr_sha256(b.p, b.len, sha);
    if (sodium_memcmp(sha, prog.sha256, ZKR_DIGEST_BYTES) == 0 &&
        zkr_ml_graph_decode(b.p, b.len, &g, NULL) == ZKR_OK && g.n_layers >= 1) {
        *od = g.layers[g.n_layers - 1].out_dim;
        *known = 1;
    }
out:
    zkr_buf_free(&b);
}

/*
 * An inference-batch@1 statement's public output must decode strictly as
 * a batch output (docs/formats.md) over the statement's record range;
 * anything else could never be proven, so it is refused before a row is
 * written. Other kinds pass through (the registry checks what it binds).
 */
static zkr_err batch_output_check(zkr_app *app, zkr_registry *reg, const char *schema,
                                  const char *program, const char *dataset, const zkr_kv *kv,
                                  size_t nkv, const char *what, const uint8_t *po, size_t po_len)
{
    zkr_schema sc;
    zkr_artifact ds;
    zkr_diag quiet = {0};
    uint64_t first, count, pfirst = 0, pcount = 0;
    uint32_t od, prog_od = 0;
    const int8_t *y;
    int has_first, has_count, known;
    zkr_err r;

    if (zkr_registry_schema_get(reg, schema, &sc, &quiet) != ZKR_OK ||
        strcmp(sc.proof_kind, ZKR_IBATCH_NAME) != 0 || po == NULL)
        return ZKR_OK; /* unknown schemas are the registry's to refuse */
    if (zkr_ibatch_output_decode(po, po_len, &first, &count, &od, &y) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "%s: not a batch public output (\"ZKIB\", version 1, first, count, "
                        "out_dim, count x out_dim logits, nothing after: docs/formats.md); "
                        "write it with `zkreg infer --first F --count C --output-file`",
                        what);
    if ((r = kv_u64(app, kv, nkv, "record_first", &pfirst, &has_first)) != ZKR_OK ||
        (r = kv_u64(app, kv, nkv, "record_count", &pcount, &has_count)) != ZKR_OK)
        return r;
    if (first != pfirst || (has_count && count != pcount))
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "%s: the batch output covers records %llu..+%llu, the statement's "
                        "record_first/record_count name %llu..+%llu",
                        what, (unsigned long long)first, (unsigned long long)count,
                        (unsigned long long)pfirst,
                        (unsigned long long)(has_count ? pcount : count));
    batch_program_out_dim(app, reg, program, &prog_od, &known);
    if (known && od != prog_od)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "%s: the batch output states %u logits per record, the program's last "
                        "layer has %u",
                        what, od, prog_od);
    /*
     * Prove and verify read the range against the dataset (record_count
     * absent: to its end); a range they would read otherwise is refused
     * here. An unknown dataset is the registry's to refuse.
     */
    if (dataset == NULL ||
        zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, dataset, &ds, &quiet) != ZKR_OK)
        return ZKR_OK;
    if (first >= ds.record_count || count > ds.record_count - first ||
        (!has_count && count != ds.record_count - first))
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "%s: the batch output covers records %llu..+%llu, the statement's "
                        "range is records %llu..+%llu of dataset %lld's %llu records",
                        what, (unsigned long long)first, (unsigned long long)count,
                        (unsigned long long)pfirst,
                        (unsigned long long)(has_count ? pcount
                                             : pfirst < ds.record_count
                                                 ? ds.record_count - pfirst
                                                 : 0),
                        (long long)ds.id, (unsigned long long)ds.record_count);
    return ZKR_OK;
}

/*
 * A statement under a schema that no verifier here runs (one an import
 * from an older registry brought: register-schema refuses it) could never
 * be proven: refused as prove would refuse it (MISMATCH_PARAMS, exit 1),
 * before anything is written. An unknown schema is left to the registry,
 * which names it.
 */
static zkr_err statement_schema_runnable(zkr_app *app, zkr_registry *reg, const char *schema)
{
    zkr_diag quiet = {0};
    zkr_schema sc;
    uint32_t set;

    if (any_set_hook() || zkr_registry_schema_get(reg, schema, &sc, &quiet) != ZKR_OK)
        return ZKR_OK;
    return zkr_app_param_set_for_kind(app, &sc, &set);
}

zkr_err zkr_app_register_statement(zkr_app *app, zkr_registry *reg, const char *schema,
                              const char *program, const char *model, const char *dataset,
                              const zkr_kv *kv, size_t nkv, const char *public_output_file,
                              zkr_statement *out)
{
    zkr_buf po = {0};
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = statement_schema_runnable(app, reg, schema)) != ZKR_OK ||
        (r = zkr_app_ginf_statement_check(app, reg, schema, model)) != ZKR_OK ||
        (r = zkr_app_ginf2_statement_check(app, reg, schema, model)) != ZKR_OK)
        return r;
    if (public_output_file != NULL &&
        (r = zkr_file_read(public_output_file, ZKR_PUBLIC_OUTPUT_MAX, &po, &app->diag)) != ZKR_OK)
        return r;
    if ((r = zkr_app_eval_statement_check(app, reg, schema,
                                          public_output_file
                                              ? (po.p ? po.p : (const uint8_t *)"")
                                              : NULL,
                                          po.len, public_output_file)) != ZKR_OK)
        goto out;
    if (public_output_file != NULL &&
        (r = batch_output_check(app, reg, schema, program, dataset, kv, nkv, public_output_file,
                                po.p ? po.p : (const uint8_t *)"", po.len)) != ZKR_OK)
        goto out;
    if ((r = zkr_app_geval_statement_check(app, reg, schema, model, dataset, kv, nkv,
                                           public_output_file
                                               ? (po.p ? po.p : (const uint8_t *)"")
                                               : NULL,
                                           po.len)) != ZKR_OK)
        goto out;
    r = zkr_registry_statement_add(reg, schema, program, model, dataset, kv, nkv,
                                   public_output_file ? (po.p ? po.p : (const uint8_t *)"") : NULL,
                                   po.len, out, &app->diag);
out:
    zkr_buf_free(&po);
    return r;
}

zkr_err zkr_app_register_statement_bytes(zkr_app *app, zkr_registry *reg, const char *schema,
                                         const char *program, const char *model,
                                         const char *dataset, const zkr_kv *kv, size_t nkv,
                                         const uint8_t *po, size_t po_len, zkr_statement *out)
{
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = statement_schema_runnable(app, reg, schema)) != ZKR_OK ||
        (r = zkr_app_ginf_statement_check(app, reg, schema, model)) != ZKR_OK ||
        (r = zkr_app_ginf2_statement_check(app, reg, schema, model)) != ZKR_OK ||
        (r = zkr_app_eval_statement_check(app, reg, schema, po, po_len, "the public output")) !=
            ZKR_OK ||
        (r = batch_output_check(app, reg, schema, program, dataset, kv, nkv, "the public output",
                                po, po_len)) != ZKR_OK ||
        (r = zkr_app_geval_statement_check(app, reg, schema, model, dataset, kv, nkv, po,
                                           po_len)) != ZKR_OK)
        return r;
    return zkr_registry_statement_add(reg, schema, program, model, dataset, kv, nkv, po, po_len,
                                      out, &app->diag);
}

