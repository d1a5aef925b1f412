/*
 * The application layer (app/) driven directly, without the command line:
 * real SQLite registries in a temporary directory, the shipped ONNX
 * fixture and Fashion-MNIST t10k, the real confined workers (this program
 * serves `__worker` itself, as zkreg does). Each accept has its reject twin:
 * - prove + verify an inference@1 statement; a statement whose public output
 *   is not the model's is refused with no proof written; a tampered proof
 *   and a proof for another statement fail and record nothing;
 * - attest with a registered key; an unregistered key is refused, writes no
 *   attestation and logs the refusal;
 * - one training step registers the child with its lineage; a revoked parent
 *   refuses it and registers nothing;
 * - export and import into a second registry under the first one's
 *   verifier key; a flipped byte or another trusted key imports nothing.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkr_config.h"

#include "app/app.h"
#include "app/attest.h"
#include "app/bundle.h"
#include "app/infer.h"
#include "app/proof.h"
#include "app/train.h"
#include "app/workers.h"
#include "ml/ml.h"
#include "registry/reg_test.h"
#include "signer/signer.h"

#define PASS "app-test-passphrase"
#define FMNIST "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

typedef struct {
    char dir[256];
    char reg[512], pass[512], onnx[512];
    zkr_app app;
    char good[65], wrong[65]; /* inference@1 statements for record 7: true and false output */
} fixture;

static zkr_app app_for(const char *registry_path)
{
    zkr_app a;

    memset(&a, 0, sizeof a);
    a.registry_path = registry_path;
    return a;
}

static void hex32(const uint8_t in[32], char out[65])
{
    zkr_app_hex32(in, out);
}

/* Entries in f's log of event type `type`. */
static size_t events(fixture *f, const char *type)
{
    zkr_registry *reg = NULL;
    uint64_t *idx = NULL;
    size_t n = 0;

    if (zkr_registry_open(f->reg, &reg, NULL) == ZKR_OK &&
        zkr_registry_events_of_type(reg, type, &idx, &n, NULL) != ZKR_OK)
        n = (size_t)-1;
    free(idx);
    zkr_registry_close(reg);
    return n;
}

static uint64_t log_size(const char *path)
{
    zkr_registry *reg = NULL;
    uint64_t n = 0;

    if (zkr_registry_open(path, &reg, NULL) != ZKR_OK || zkr_registry_log_size(reg, &n) != ZKR_OK)
        n = UINT64_MAX;
    zkr_registry_close(reg);
    return n;
}

/* The canonical public output of record i: u32 n | n x int8 logits | u32 argmax. */
static zkr_err model_output(const char *model_path, uint64_t i, zkr_buf *out)
{
    zkr_ml_model *m = NULL;
    zkr_dataset *ds = NULL;
    zkr_ml_trace t;
    const uint8_t *x;
    uint8_t label;
    zkr_err r;

    memset(&t, 0, sizeof t);
    if ((r = zkr_ml_model_read_file(model_path, &m, NULL)) != ZKR_OK ||
        (r = zkr_dataset_open(FMNIST, &ds, NULL)) != ZKR_OK ||
        (r = zkr_ml_record_input(ds, i, zkr_ml_model_graph(m)->input_dim, &x, &label, NULL)) !=
            ZKR_OK ||
        (r = zkr_ml_trace_init(&t, zkr_ml_model_graph(m))) != ZKR_OK ||
        (r = zkr_ml_infer(m, x, zkr_ml_model_graph(m)->input_dim, &t, NULL)) != ZKR_OK)
        goto out;
    uint32_t n = t.dims[t.n_layers - 1];
    if ((r = zkr_enc_u32(out, n)) != ZKR_OK ||
        (r = zkr_buf_append(out, (const uint8_t *)t.y[t.n_layers - 1], n)) != ZKR_OK)
        goto out;
    r = zkr_enc_u32(out, t.argmax);
out:
    zkr_ml_trace_free(&t);
    zkr_dataset_free(ds);
    zkr_ml_model_free(m);
    return r;
}

static const char infer_schema[] =
    "{\"name\": \"app-infer\", \"version\": 1, \"proof_kind\": \"inference@1\",\n"
    " \"proof_system\": \"zkreg-sumcheck-basefold\", \"parameter_set\": \"goldilocks-128\",\n"
    " \"verifier_version\": \"" ZKR_VERSION "\", \"public_output\": true,\n"
    " \"fields\": [{\"name\": \"record_index\", \"type\": \"u64\"}]}\n";

static const char train_schema[] =
    "{\"name\": \"app-train\", \"version\": 1, \"proof_kind\": \"training-step@1\",\n"
    " \"proof_system\": \"zkreg-sumcheck-basefold\", \"parameter_set\": \"goldilocks-128\",\n"
    " \"verifier_version\": \"" ZKR_VERSION "\", \"public_output\": false,\n"
    " \"fields\": [{\"name\": \"child_model\", \"type\": \"digest\"},\n"
    "            {\"name\": \"record_indices\", \"type\": \"u64-list\"},\n"
    "            {\"name\": \"lr\", \"type\": \"u64\"}, {\"name\": \"shift\", \"type\": \"u64\"},\n"
    "            {\"name\": \"steps\", \"type\": \"u64\"}]}\n";

static zkr_err add_schema(zkr_registry *reg, const char *json)
{
    zkr_schema s, out;
    zkr_err r;

    if ((r = zkr_schema_parse("schema", (const uint8_t *)json, strlen(json), &s, NULL)) != ZKR_OK)
        return r;
    return zkr_registry_schema_add(reg, &s, &out, NULL);
}

/* register-program / register-model / register-dataset as cli/cmd_registry.c does them. */
static zkr_err add_file(fixture *f, zkr_registry *reg, zkr_kind kind, const char *file,
                        const char *program, const char *calibrate, zkr_artifact *a)
{
    zkr_buf data = {0};
    uint8_t comm[32];
    int has = 0;
    zkr_err r;

    if ((r = zkr_file_read(file, (size_t)1 << 28, &data, &f->app.diag)) != ZKR_OK)
        goto out;
    if (kind == ZKR_KIND_PROGRAM) {
        if ((r = zkr_app_infer_program_bytes(&f->app, file, &data, &has)) == ZKR_OK)
            r = zkr_registry_program_add(reg, "app-test", data.p, data.len, a, &f->app.diag);
    } else if ((r = zkr_app_infer_model_bytes(&f->app, reg, file, program, calibrate, &data,
                                              comm, &has)) == ZKR_OK) {
        r = zkr_registry_model_add(reg, "app-test", program, data.p, data.len, has ? comm : NULL,
                                   a, &f->app.diag);
    }
out:
    zkr_buf_free(&data);
    return r;
}

static zkr_err add_dataset(fixture *f, zkr_registry *reg, zkr_artifact *a)
{
    zkr_dataset *ds = NULL;
    uint8_t comm[32], sha[32];
    zkr_err r;

    if ((r = zkr_dataset_open(FMNIST, &ds, &f->app.diag)) == ZKR_OK &&
        (r = zkr_app_infer_dataset_commitment(&f->app, ds, comm)) == ZKR_OK &&
        (r = zkr_registry_dataset_digest(ds, sha, NULL)) == ZKR_OK &&
        (r = zkr_app_infer_dataset_remember(&f->app, sha, FMNIST)) == ZKR_OK)
        r = zkr_registry_dataset_add(reg, "fmnist", ds, FMNIST, comm, a, &f->app.diag);
    zkr_dataset_free(ds);
    return r;
}

static zkr_err add_statement(zkr_registry *reg, const zkr_artifact *prog, const zkr_artifact *m,
                             const zkr_artifact *ds, const zkr_buf *output, char id[65])
{
    char p[32], mm[32], d[32];
    zkr_kv kv = {"record_index", "7"};
    zkr_statement st;
    zkr_err r;

    memset(&st, 0, sizeof st);
    snprintf(p, sizeof p, "%lld", (long long)prog->id);
    snprintf(mm, sizeof mm, "%lld", (long long)m->id);
    snprintf(d, sizeof d, "%lld", (long long)ds->id);
    r = zkr_registry_statement_add(reg, "app-infer@1", p, mm, d, &kv, 1, output->p, output->len,
                                   &st, NULL);
    if (r == ZKR_OK)
        hex32(st.statement_id, id);
    zkr_statement_free(&st);
    return r;
}

static int setup(zkr_tap *t, fixture *f)
{
    zkr_secret pass;
    zkr_registry *reg = NULL;
    zkr_artifact prog, model, ds;
    zkr_buf out = {0}, wrong = {0};
    char mpath[4096], hex[65];
    zkr_err r;

    rt_tmpdir(f->dir);
    rt_path(f->reg, f->dir, "reg.db");
    rt_path(f->pass, f->dir, "pass");
    rt_write(f->pass, PASS "\n", strlen(PASS) + 1);
    (void)chmod(f->pass, 0600);
    snprintf(f->onnx, sizeof f->onnx, "%s/tests/fixtures/mlp_784_128_10.onnx",
             getenv("ZKR_SOURCE_ROOT") ? getenv("ZKR_SOURCE_ROOT") : ".");
    f->app = app_for(f->reg);
    rt_pass(&pass, PASS);
    r = zkr_registry_create(f->reg, &pass, NULL, 1, NULL);
    rt_pass_free(&pass);
    if (r == ZKR_OK && (r = zkr_app_registry_open(&f->app, &reg)) == ZKR_OK &&
        (r = add_file(f, reg, ZKR_KIND_PROGRAM, f->onnx, NULL, NULL, &prog)) == ZKR_OK &&
        (r = add_file(f, reg, ZKR_KIND_MODEL, f->onnx, "1", FMNIST, &model)) == ZKR_OK &&
        (r = add_dataset(f, reg, &ds)) == ZKR_OK && (r = add_schema(reg, infer_schema)) == ZKR_OK &&
        (r = add_schema(reg, train_schema)) == ZKR_OK) {
        hex32(model.sha256, hex);
        snprintf(mpath, sizeof mpath, "%s.d/models/%s", f->reg, hex);
        if ((r = model_output(mpath, 7, &out)) == ZKR_OK &&
            (r = zkr_buf_append(&wrong, out.p, out.len)) == ZKR_OK) {
            wrong.p[6] ^= 1; /* one logit off */
            if ((r = add_statement(reg, &prog, &model, &ds, &out, f->good)) == ZKR_OK)
                r = add_statement(reg, &prog, &model, &ds, &wrong, f->wrong);
        }
    }
    zkr_registry_close(reg);
    zkr_buf_free(&out);
    zkr_buf_free(&wrong);
    zkr_tap_ok(t, r == ZKR_OK, "setup: registry, ONNX program and model, dataset, schemas and "
                               "statements through app/infer.h (%s)",
               f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);
    return r == ZKR_OK;
}

static void test_prove_verify(zkr_tap *t, fixture *f)
{
    zkr_app_prove_opts po = {.statement = f->good, .backend = "cpu", .threads = 2};
    zkr_app_prove_result pr;
    zkr_app_verify_opts vo = {.statement = f->good};
    zkr_app_verify_result vr;
    char proof[512], bad[512], other[512];
    zkr_buf b = {0};
    uint64_t before;
    zkr_err r;

    rt_path(proof, f->dir, "good.zkp");
    rt_path(bad, f->dir, "bad.zkp");
    rt_path(other, f->dir, "other.zkp");
    po.out = proof;
    r = zkr_app_prove(&f->app, &po, &pr);
    zkr_tap_ok(t, r == ZKR_OK && pr.bytes > 0, "prove: the true statement is proved (%s)",
               f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);

    po.statement = f->wrong;
    po.out = other;
    r = zkr_app_prove(&f->app, &po, &pr);
    zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_OUTPUT && access(other, F_OK) != 0,
               "prove: a statement whose output is not the model's is refused, no proof written "
               "(%s)", f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);

    vo.proof = proof;
    r = zkr_app_verify(&f->app, &vo, &vr);
    zkr_tap_ok(t, r == ZKR_OK && strcmp(vr.kind, "inference@1") == 0 &&
                      events(f, "proof") == 1,
               "verify: the proof verifies and is recorded (%s)", f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);

    before = log_size(f->reg);
    if (zkr_file_read(proof, (size_t)1 << 26, &b, NULL) == ZKR_OK && b.len > 100) {
        b.p[b.len / 2] ^= 0x40;
        rt_write(bad, b.p, b.len);
    }
    vo.proof = bad;
    r = zkr_app_verify(&f->app, &vo, &vr);
    zkr_tap_ok(t, r != ZKR_OK && log_size(f->reg) == before,
               "verify: a tampered proof fails and records nothing (%s: %s)", zkr_strerror(r),
               f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);

    vo.statement = f->wrong;
    vo.proof = proof;
    r = zkr_app_verify(&f->app, &vo, &vr);
    zkr_tap_ok(t, r != ZKR_OK && log_size(f->reg) == before,
               "verify: the proof against another statement fails and records nothing (%s: %s)",
               zkr_strerror(r), f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);
    zkr_buf_free(&b);
}

/* A fresh ed25519 key file under PASS; its public key in *pub. */
static zkr_err make_key(fixture *f, const char *name, char uri[600], zkr_pubkey *pub)
{
    zkr_buf file = {0};
    char path[512];
    zkr_err r;

    rt_path(path, f->dir, name);
    snprintf(uri, 600, "file:%s", path);
    r = zkr_keyfile_generate(ZKR_KEY_ED25519, (const uint8_t *)PASS, strlen(PASS), 1, &file, pub,
                             NULL);
    if (r == ZKR_OK)
        rt_write(path, file.p, file.len);
    zkr_buf_free(&file);
    return r;
}

static void test_attest(zkr_tap *t, fixture *f)
{
    zkr_app_attest_opts o = {.statement = f->good, .pass_file = f->pass,
                             .reg_pass_file = f->pass, .pass_fd = -1};
    zkr_app_attest_made m;
    zkr_signer_key row;
    zkr_pubkey pub, stranger;
    char uri[600], uri2[600], proof[512], att[512], att2[512];
    size_t refusals = events(f, "attest-refusal");
    zkr_err r;

    rt_path(proof, f->dir, "good.zkp");
    rt_path(att, f->dir, "good.att");
    rt_path(att2, f->dir, "refused.att");
    r = make_key(f, "signer.key", uri, &pub);
    if (r == ZKR_OK)
        r = make_key(f, "stranger.key", uri2, &stranger);
    if (r == ZKR_OK)
        r = zkr_app_key_register(&f->app, &pub, &row);
    zkr_tap_ok(t, r == ZKR_OK && !row.existed, "key register: the signer key is recorded (%s)",
               f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);

    o.proof = proof;
    o.key = uri;
    o.out = att;
    r = zkr_app_attest(&f->app, &o, &m);
    zkr_tap_ok(t, r == ZKR_OK && m.committed && m.logged && m.written && access(att, F_OK) == 0 &&
                      events(f, "attestation") == 1,
               "attest: a registered key signs and the attestation is logged (%s)",
               f->app.diag.msg);
    zkr_app_attest_made_free(&m);
    zkr_diag_clear(&f->app.diag);

    o.key = uri2;
    o.out = att2;
    r = zkr_app_attest(&f->app, &o, &m);
    zkr_tap_ok(t, r == ZKR_ERR_KEY && !m.committed && access(att2, F_OK) != 0 &&
                      events(f, "attest-refusal") == refusals + 1 &&
                      events(f, "attestation") == 1,
               "attest: an unregistered key is refused, nothing written, the refusal logged (%s)",
               f->app.diag.msg);
    zkr_app_attest_made_free(&m);
    zkr_diag_clear(&f->app.diag);
}

typedef struct {
    int steps;
    int64_t child;
} step_seen;

static void on_step(void *ctx, uint32_t step, const zkr_artifact *child, const zkr_artifact *parent,
                    int bytes_kept)
{
    step_seen *s = ctx;

    (void)step;
    (void)parent;
    (void)bytes_kept;
    s->steps++;
    s->child = child->id;
}

static void test_train(zkr_tap *t, fixture *f)
{
    static const uint32_t dims[] = {784, 8, 10};
    uint8_t seed[32] = {1};
    zkr_ml_graph g;
    zkr_buf prog = {0}, model = {0};
    zkr_registry *reg = NULL;
    zkr_artifact pa, ma;
    zkr_revocation rv;
    char prog_path[512], model_path[512], pref[32], mref[32];
    step_seen seen = {0, 0};
    zkr_app_train_opts o = {.dataset = "3", .batch = 2, .steps = 1, .sp = {.lr = 8, .shift = 16},
                            .on_step = on_step, .ctx = &seen};
    zkr_app_train_result res;
    size_t lineage;
    zkr_err r;

    rt_path(prog_path, f->dir, "train.zkrprog");
    rt_path(model_path, f->dir, "init.zkrtm");
    if ((r = zkr_ml_tprogram_make(dims, 3, &g, NULL)) == ZKR_OK &&
        (r = zkr_ml_graph_encode(&g, &prog, NULL)) == ZKR_OK &&
        (r = zkr_ml_tmodel_init(&g, seed, &model, NULL)) == ZKR_OK) {
        rt_write(prog_path, prog.p, prog.len);
        rt_write(model_path, model.p, model.len);
    }
    if (r == ZKR_OK && (r = zkr_app_registry_open(&f->app, &reg)) == ZKR_OK &&
        (r = add_file(f, reg, ZKR_KIND_PROGRAM, prog_path, NULL, NULL, &pa)) == ZKR_OK) {
        snprintf(pref, sizeof pref, "%lld", (long long)pa.id);
        r = add_file(f, reg, ZKR_KIND_MODEL, model_path, pref, NULL, &ma);
    }
    zkr_registry_close(reg);
    reg = NULL;
    zkr_tap_ok(t, r == ZKR_OK && ma.has_commitment,
               "train setup: a training program and its committed model (%s)", f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);

    snprintf(mref, sizeof mref, "%lld", (long long)ma.id);
    o.model = mref;
    lineage = events(f, "lineage");
    r = zkr_app_train_run(&f->app, &o, &res);
    zkr_tap_ok(t, r == ZKR_OK && seen.steps == 1 && res.last.id == seen.child &&
                      res.last.id != ma.id && events(f, "lineage") == lineage + 1,
               "train: one step registers the child with its lineage (%s)", f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);

    if ((r = zkr_app_registry_open(&f->app, &reg)) == ZKR_OK)
        r = zkr_registry_revoke(reg, ZKR_KIND_MODEL, ma.sha256, "test: revoked parent", &rv,
                                &f->app.diag);
    zkr_registry_close(reg);
    seen.steps = 0;
    lineage = events(f, "lineage");
    r = r == ZKR_OK ? zkr_app_train_run(&f->app, &o, &res) : r;
    zkr_tap_ok(t, r == ZKR_ERR_REVOKED && seen.steps == 0 && events(f, "lineage") == lineage,
               "train: a revoked parent is refused and nothing is registered (%s)",
               f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);
    zkr_buf_free(&prog);
    zkr_buf_free(&model);
}

static void test_export_import(zkr_tap *t, fixture *f)
{
    char bundle[512], bad[512], reg2[512];
    zkr_app_export_opts eo = {.pass_file = f->pass};
    zkr_app_export_result er;
    zkr_app imp;
    zkr_import_summary sum;
    zkr_registry *reg = NULL;
    zkr_buf vk = {0}, own = {0}, b = {0};
    zkr_secret pass;
    uint8_t sha[32], before[32], after[32];
    zkr_err r;

    rt_path(bundle, f->dir, "all.bundle");
    rt_path(bad, f->dir, "bad.bundle");
    rt_path(reg2, f->dir, "reg2.db");
    eo.out = bundle;
    r = zkr_app_export(&f->app, &eo, &er);
    rt_file_hash(bundle, sha);
    zkr_tap_ok(t, r == ZKR_OK && er.bytes > 0 && memcmp(sha, er.sha256, 32) == 0,
               "export: the whole log is written and its digest reported (%s)", f->app.diag.msg);
    zkr_diag_clear(&f->app.diag);

    rt_pass(&pass, "another passphrase");
    r = zkr_registry_create(reg2, &pass, "zkreg/app-test-2", 1, NULL);
    rt_pass_free(&pass);
    imp = app_for(reg2);
    if (r == ZKR_OK && (r = zkr_registry_open(f->reg, &reg, NULL)) == ZKR_OK &&
        (r = zkr_registry_verifier_key(reg, &vk)) == ZKR_OK)
        r = zkr_buf_terminate(&vk);
    zkr_registry_close(reg);
    reg = NULL;
    if (r == ZKR_OK && (r = zkr_registry_open(reg2, &reg, NULL)) == ZKR_OK &&
        (r = zkr_registry_verifier_key(reg, &own)) == ZKR_OK)
        r = zkr_buf_terminate(&own);
    zkr_registry_close(reg);

    if (zkr_file_read(bundle, (size_t)1 << 28, &b, NULL) == ZKR_OK && b.len > 64) {
        b.p[b.len / 2] ^= 0x01;
        rt_write(bad, b.p, b.len);
    }
    rt_file_hash(reg2, before);
    r = zkr_app_import(&imp, bad, (const char *)vk.p, &sum);
    rt_file_hash(reg2, after);
    zkr_tap_ok(t, r != ZKR_OK && strstr(imp.diag.msg, "nothing imported") != NULL &&
                      memcmp(before, after, 32) == 0,
               "import: a bundle with a flipped byte imports nothing (%s)", imp.diag.msg);
    zkr_diag_clear(&imp.diag);

    r = zkr_app_import(&imp, bundle, (const char *)own.p, &sum);
    rt_file_hash(reg2, after);
    zkr_tap_ok(t, r != ZKR_OK && memcmp(before, after, 32) == 0,
               "import: a bundle not signed by the trusted key imports nothing (%s)",
               imp.diag.msg);
    zkr_diag_clear(&imp.diag);

    r = zkr_app_import(&imp, bundle, (const char *)vk.p, &sum);
    zkr_tap_ok(t, r == ZKR_OK && sum.added > 0 && sum.added == sum.entries,
               "import: the bundle under the exporter's key is imported (%llu entries) (%s)",
               (unsigned long long)sum.added, imp.diag.msg);
    zkr_diag_clear(&imp.diag);
    zkr_buf_free(&vk);
    zkr_buf_free(&own);
    zkr_buf_free(&b);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    fixture f;

    if (sodium_init() < 0)
        return 99;
    if (argc > 1 && strcmp(argv[1], ZKR_SANDBOX_WORKER_ARG) == 0)
        zkr_sandbox_worker_main(zkr_app_workers, argc - 1, argv + 1);
    zkr_tap_init(&t, argc, argv);
    memset(&f, 0, sizeof f);
    if (setup(&t, &f)) {
        test_prove_verify(&t, &f);
        test_attest(&t, &f);
        test_train(&t, &f);
        test_export_import(&t, &f);
    }
    rt_cleanup(f.dir);
    return zkr_tap_done(&t);
}
