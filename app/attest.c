/*
 * The attest workflow (app/attest.h), verify-before-sign (DESIGN.md
 * sections 4 and 8, docs/signing.md). The proof is verified in the confined
 * "verify" worker with every binding taken from the registry; the binding
 * rules are then checked here again from the registry; only then is
 * anything signed. Every refusal is appended to the registry log
 * ("attest-refusal": who, what, why) and writes no attestation; every
 * attestation is logged too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sodium.h>

#include "app/attest.h"
#include "app/eval.h"
#include "app/geval.h"
#include "zk/geval.h"
#include "app/ginfer.h"
#include "app/ginfer2.h"
#include "zk/infer_batch.h"
#include "zk/eval_fixed.h"
#include "app/workers.h"
#include "verifier/verifier.h"
#include "zkr_config.h"
#include "app/infer2.h"
#include "app/train2.h"
#include "zk/train2.h"
#include "app/model.h"
#include "app/store.h"
#include "zk/zk.h"

/* One proof kind the verifier supports: how its worker request is built. */
typedef struct {
    const char *name;  /* the schema's proof_kind */
    uint32_t kind;     /* the proof header's kind */
    zkr_err (*request)(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                       const zkr_buf *proof, zkr_buf *req);
    const char *worker; /* the confined worker that verifies it */
} attest_kind;

/* inference@1: the "verify" worker's request (app/infer.c, version 1). */
static zkr_err req_inference(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                             const zkr_buf *proof, zkr_buf *req)
{
    const zkr_param *idx = NULL;
    uint64_t record = 0;
    zkr_err r;

    for (size_t i = 0; i < st->n_params; i++)
        if (strcmp(st->params[i].name, "record_index") == 0)
            idx = &st->params[i];
    if (idx == NULL || idx->type != ZKR_PARAM_U64 ||
        zkr_app_parse_u64(app, "record_index", idx->text, &record) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: inference@1 needs a u64 field 'record_index'",
                        st->schema.name, (unsigned long long)st->schema.version);
    if (!st->has_public_output || st->public_output.len == 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT, "statement binds no public output");
    if (!st->model.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL, "model %lld has no commitment",
                        (long long)st->model.id);
    if (!st->dataset.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET, "dataset %lld has no commitment",
                        (long long)st->dataset.id);
    if ((r = zkr_enc_u32(req, 1)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->statement_id, 32)) != ZKR_OK ||
        (r = zkr_enc_u32(req, param_set)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->program.sha256, 32)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->model.commitment, 32)) != ZKR_OK ||
        (r = zkr_buf_append(req, st->dataset.commitment, 32)) != ZKR_OK ||
        (r = zkr_enc_u64(req, record)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, st->public_output.p, st->public_output.len)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(req, proof->p, proof->len);
}

/* inference@2: the "infer2-verify" worker's request (app/infer2.c), bindings from the registry. */
static zkr_err req_inference2(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                              const zkr_buf *proof, zkr_buf *req)
{
    const zkr_param *idx = NULL;
    uint64_t record = 0;
    zkr_err r;

    /*
     * Verify-before-sign must not sign what a cheating model owner can make
     * verify: an out-of-range W', b or M gives one record two accepted
     * outputs (docs/soundness.md, inference@2). The private model's range
     * proof is verified again here, in its own confined worker, from the
     * store; a model registered without one is never signed.
     */
    if (st->model.has_commitment && (r = zkr_app_model_range_check(app, st)) != ZKR_OK)
        return r;
    /*
     * The record's side needs no stored proof: since inference@2 version 3
     * the proof itself shows the private record's entries are bytes (V's
     * range-proven copy, linked to the record commitment; docs/soundness.md,
     * inference@2, "Record bytes"), and the worker refuses versions 1 and 2.
     */
    for (size_t i = 0; i < st->n_params; i++)
        if (strcmp(st->params[i].name, "record_index") == 0)
            idx = &st->params[i];
    if (idx == NULL || idx->type != ZKR_PARAM_U64 ||
        zkr_app_parse_u64(app, "record_index", idx->text, &record) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: inference@2 needs a u64 field 'record_index'",
                        st->schema.name, (unsigned long long)st->schema.version);
    if (!st->has_public_output || !st->model.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement binds no output or no model commitment");
    return zkr_app_infer2_verify_request(st, param_set, record, proof->p, proof->len, req);
}

/*
 * training-step@2: the "train2-verify" worker's request (app/train2.c).
 * Every binding is the registry's: the parent's and the registered
 * child's bytes from the store under their registered sha256, the child
 * not revoked, the version 3 dataset's digest, count and root, the batch
 * indices, lr and shift; the proof's own statement section is only
 * compared with them, in the worker.
 */
static zkr_err req_train2(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                          const zkr_buf *proof, zkr_buf *req)
{
    zkr_registry *reg = NULL;
    zkr_err r;

    if (param_set != ZKR_PARAM_SET_128)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS, "training-step@2: parameter set %u",
                        param_set);
    if ((r = zkr_registry_open_readonly(app->registry_path, &reg, &app->diag)) == ZKR_OK)
        r = zkr_app_train2_verify_request(app, reg, st, NULL, 0, proof->p, proof->len, req);
    zkr_registry_close(reg);
    return r;
}

/* The kinds the sandboxed "verify" worker answers; a new kind adds a row. */
static const attest_kind attest_kinds[] = {
    {"inference@1", ZKR_KIND_INFERENCE1, req_inference, "verify"},
    {"inference@2", ZKR_KIND_INFERENCE2, req_inference2, "infer2-verify"},
    {ZKR_APP_TRAIN2_KIND, ZKR_KIND_TRAIN2, req_train2, "train2-verify"},
    {"evaluation@1", ZKR_KIND_EVALUATION1, zkr_app_eval_verify_request, "eval-verify"},
    {ZKR_EVALF_NAME, ZKR_KIND_EVAL_FIXED, zkr_app_eval_verify_request, "evalf-verify"},
    {ZKR_APP_GINF_KIND, ZKR_KIND_GINFER1, zkr_app_ginf_verify_request, "ginf-verify"},
    {ZKR_APP_GINF2_KIND, ZKR_KIND_GINFER2, zkr_app_ginf2_verify_request, "ginfer2-verify"},
    {ZKR_IBATCH_NAME, ZKR_KIND_INFERENCE_BATCH1, zkr_app_eval_verify_request, "ibatch-verify"},
    {ZKR_APP_GEVAL_KIND, ZKR_KIND_GEVAL1, zkr_app_geval_verify_request, "geval-verify"},
};

static const attest_kind *kind_of(const char *name)
{
    for (size_t i = 0; i < sizeof attest_kinds / sizeof attest_kinds[0]; i++)
        if (strcmp(attest_kinds[i].name, name) == 0)
            return &attest_kinds[i];
    return NULL;
}

/* The schema's parameter set: any known set for inference@2, set 1 for every other kind. */
static zkr_err schema_ids(zkr_app *app, const zkr_schema *s, uint32_t *sys, uint32_t *set)
{
    *sys = ZKR_PROOF_SYSTEM_ID;
    return zkr_app_param_set_for_kind(app, s, set);
}

static int params_equal(const zkr_statement *a, const zkr_statement *b)
{
    if (a->n_params != b->n_params)
        return 0;
    for (size_t i = 0; i < a->n_params; i++)
        if (strcmp(a->params[i].name, b->params[i].name) != 0 ||
            a->params[i].value_len != b->params[i].value_len ||
            memcmp(a->params[i].value, b->params[i].value, a->params[i].value_len) != 0)
            return 0;
    return 1;
}

/*
 * The proof names statement `named` instead of st: says which binding the
 * two registered statements differ in, so a laundered proof is refused
 * with the reason (program, model, dataset, schema, record, output).
 */
static zkr_err launder_reason(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                              const uint8_t named[32])
{
    zkr_statement a;
    zkr_diag quiet = {0};
    char hex[65], sid[65], pname[ZKR_NAME_MAX + 16];
    const char *what = "statement_id";
    zkr_err why = ZKR_ERR_MISMATCH_STATEMENT;

    memset(&a, 0, sizeof a);
    zkr_app_hex32(named, hex);
    zkr_app_hex32(st->statement_id, sid);
    if (zkr_registry_statement_get(reg, hex, &a, &quiet) == ZKR_OK) {
        if (memcmp(a.program.sha256, st->program.sha256, 32) != 0)
            why = ZKR_ERR_MISMATCH_PROGRAM, what = "program";
        else if (memcmp(a.model.sha256, st->model.sha256, 32) != 0)
            why = ZKR_ERR_MISMATCH_MODEL, what = "model";
        else if (memcmp(a.dataset.sha256, st->dataset.sha256, 32) != 0)
            why = ZKR_ERR_MISMATCH_DATASET, what = "dataset";
        else if (strcmp(a.schema.verifier_version, st->schema.verifier_version) != 0)
            why = ZKR_ERR_MISMATCH_VERIFIER, what = "pinned verifier version";
        else if (memcmp(a.schema.digest, st->schema.digest, 32) != 0)
            why = ZKR_ERR_MISMATCH_SCHEMA, what = "schema (name, version or digest)";
        else if (!params_equal(&a, st)) {
            why = ZKR_ERR_MISMATCH_INPUT, what = "record/input parameters";
            /* Name the parameter: a training step's child_model or record_indices, ... */
            for (size_t i = 0; i < a.n_params && i < st->n_params; i++)
                if (strcmp(a.params[i].name, st->params[i].name) == 0 &&
                    (a.params[i].value_len != st->params[i].value_len ||
                     memcmp(a.params[i].value, st->params[i].value, a.params[i].value_len) != 0)) {
                    (void)snprintf(pname, sizeof pname, "parameter '%s'", st->params[i].name);
                    what = pname;
                    if (strcmp(st->params[i].name, "child_model") == 0)
                        why = ZKR_ERR_MISMATCH_MODEL;
                    break;
                }
        }
        else if (a.has_public_output != st->has_public_output ||
                 a.public_output.len != st->public_output.len ||
                 memcmp(a.public_output.p, st->public_output.p, a.public_output.len) != 0)
            why = ZKR_ERR_MISMATCH_OUTPUT, what = "public output";
    }
    zkr_statement_free(&a);
    return zkr_fail(&app->diag, why,
                    "the proof was made for statement %.16s..., which differs from statement "
                    "%.16s... in its %s",
                    hex, sid, what);
}

/* Rules 4 and 5 of DESIGN.md section 4 that need no proof: revocations, the verifier pin. */
zkr_err zkr_app_attest_rules(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                                    const zkr_pubkey *key)
{
    zkr_attest_registry cb;
    zkr_attest_facts f;
    uint64_t idx;
    char kid[ZKR_KEYID_HEX + 1];
    zkr_err r;

    memset(&f, 0, sizeof f);
    memcpy(f.statement_id, st->statement_id, 32);
    memcpy(f.program_sha256, st->program.sha256, 32);
    memcpy(f.model_sha256, st->model.sha256, 32);
    memcpy(f.dataset_sha256, st->dataset.sha256, 32);
    memcpy(f.schema_digest, st->schema.digest, 32);
    snprintf(f.verifier_version, sizeof f.verifier_version, "%s", st->schema.verifier_version);
    zkr_app_attest_registry(reg, &cb);
    if ((r = cb.revoked(cb.ctx, &f, key, &app->diag)) != ZKR_OK)
        return r;
    if (key != NULL) {
        zkr_pubkey_keyid(key, kid);
        r = zkr_app_key_lookup(reg, key, &idx, &app->diag);
        if (r == ZKR_ERR_NOT_FOUND)
            return zkr_fail(&app->diag, ZKR_ERR_KEY,
                            "signing key %s is not registered (zkreg key register)", kid);
        if (r != ZKR_OK)
            return r;
    }
    if (strcmp(st->schema.verifier_version, ZKR_VERSION) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_VERIFIER,
                        "schema %s@%llu pins verifier %s; this verifier is %s", st->schema.name,
                        (unsigned long long)st->schema.version, st->schema.verifier_version,
                        ZKR_VERSION);
    return ZKR_OK;
}

/*
 * What attest signs for at all, before any proof is read: a proof kind
 * attest's verifier table runs (training-step@1 has none, though `verify`
 * records its proofs) and a proof system and parameter set it runs for that
 * kind. attest and --import-signature (which has no proof to read) share it.
 */
static zkr_err attest_kind_of(zkr_app *app, const zkr_statement *st, const attest_kind **k,
                              uint32_t *sys, uint32_t *set)
{
    if ((*k = kind_of(st->schema.proof_kind)) == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                        "schema %s@%llu: proof kind '%s' has no verifier here", st->schema.name,
                        (unsigned long long)st->schema.version, st->schema.proof_kind);
    return schema_ids(app, &st->schema, sys, set);
}

/* Rules 1-3: the header here, then the mathematics in the confined worker. */
zkr_err zkr_app_attest_check_proof(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                           const zkr_buf *proof)
{
    const attest_kind *k = NULL;
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result res;
    zkr_proof_view v;
    zkr_buf req = {0}, reply = {0};
    uint32_t sys, set;
    zkr_err r;

    if ((r = attest_kind_of(app, st, &k, &sys, &set)) != ZKR_OK ||
        (r = zkr_verify_header(proof->p, proof->len, &v, &app->diag)) != ZKR_OK)
        return r;
    if (v.proof_system != sys || v.param_set != set || v.kind != k->kind)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS,
                        "proof header: system %u, parameter set %u, kind %u; the schema pins "
                        "%u, %u, %u (%s)",
                        v.proof_system, v.param_set, v.kind, sys, set, k->kind, k->name);
    if (sodium_memcmp(v.statement_id, st->statement_id, 32) != 0)
        return launder_reason(app, reg, st, v.statement_id);
    if ((r = k->request(app, st, set, proof, &req)) == ZKR_OK)
        r = zkr_sandbox_call(zkr_app_workers, k->worker, &so, req.p, req.len, &reply, &res,
                             &app->diag);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

/* Appends the refusal (who, what, why) to the log; failures are reported, not fatal. */
void zkr_app_attest_log_refusal(zkr_app *app, zkr_registry *reg, const zkr_pubkey *key,
                        const char *stmt_ref, const zkr_statement *st, const zkr_buf *proof,
                        zkr_err why)
{
    zkr_buf ev = {0};
    zkr_diag d2 = {0};
    char kid[ZKR_KEYID_HEX + 1] = "";
    uint8_t sha[32];
    uint64_t idx;
    int ok;

    if (reg == NULL)
        return;
    if (key != NULL)
        zkr_pubkey_keyid(key, kid);
    zkr_sha256(proof->p, proof->len, sha);
    ok = zkr_enc_u32(&ev, 1) == ZKR_OK && zkr_enc_str(&ev, kid) == ZKR_OK &&
         zkr_enc_str(&ev, stmt_ref) == ZKR_OK &&
         zkr_enc_bytes(&ev, st->statement_id, st->canonical.len ? 32 : 0) == ZKR_OK &&
         zkr_enc_bytes(&ev, sha, proof->len ? 32 : 0) == ZKR_OK &&
         zkr_enc_str(&ev, zkr_err_class(why)) == ZKR_OK &&
         zkr_enc_u32(&ev, (uint32_t)-(int32_t)why) == ZKR_OK &&
         zkr_enc_str(&ev, app->diag.msg) == ZKR_OK;
    if (!ok || zkr_registry_event_append(reg, ZKR_EVENT_REFUSAL, ev.p, ev.len, &idx, &d2) != ZKR_OK)
        fprintf(stderr, "zkreg: could not log the refusal: %s\n", d2.msg);
    zkr_buf_free(&ev);
}


/* The time in the predicate: now, or $ZKREG_ATTEST_TIME in test builds (tests only). */
zkr_err zkr_app_attest_time(zkr_app *app, int64_t *t)
{
    *t = (int64_t)time(NULL);
#if ZKR_TEST_BUILD
    const char *e = getenv("ZKREG_ATTEST_TIME");
    uint64_t v;
    if (e != NULL) {
        if (zkr_app_parse_u64(app, "$ZKREG_ATTEST_TIME", e, &v) != ZKR_OK || v > INT64_MAX)
            return ZKR_ERR_USAGE;
        *t = (int64_t)v;
    }
#else
    (void)app;
#endif
    return ZKR_OK;
}

/*
 * Test builds only: when $ZKREG_TEST_ATTEST_PAUSE names a FIFO, opens it
 * (blocking until a test opens it for writing, which tells the test that
 * the confined verification is over) and reads it to end of file (the test
 * closes it when whatever it wanted to land in between has landed). Lets
 * the race between verification and signing be tested deterministically.
 */
zkr_err zkr_app_attest_test_pause(zkr_app *app)
{
#if ZKR_TEST_BUILD
    const char *path = getenv("ZKREG_TEST_ATTEST_PAUSE");
    char b[64];
    ssize_t n;
    int fd;

    if (path == NULL)
        return ZKR_OK;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return zkr_fail(&app->diag, ZKR_ERR_IO, "$ZKREG_TEST_ATTEST_PAUSE: cannot open %s", path);
    while ((n = read(fd, b, sizeof b)) > 0 || (n < 0 && errno == EINTR))
        ;
    close(fd);
#else
    (void)app;
#endif
    return ZKR_OK;
}

/*
 * Opens the appliance key before the write lock when recording this proof
 * will need a new checkpoint (its verification is not recorded yet, or the
 * latest checkpoint does not cover the record): the passphrase (possibly a
 * terminal prompt) and the Argon2id unseal never run under the lock. Proof
 * records are append-only, so "recorded and covered" stays true.
 */
zkr_err zkr_app_attest_appliance_key(zkr_app *app, zkr_registry *reg, const char *pass_file,
                             const zkr_statement *st, const zkr_buf *proof,
                             zkr_appliance_key **key)
{
    zkr_buf note = {0};
    zkr_checkpoint cp;
    zkr_secret pass = {0};
    zkr_diag quiet = {0};
    uint8_t sha[ZKR_DIGEST_BYTES];
    uint64_t idx = 0;
    zkr_err r;

    *key = NULL;
    zkr_sha256(proof->p, proof->len, sha);
    r = zkr_registry_proof_find(reg, st->statement_id, sha, &idx, &app->diag);
    if (r == ZKR_OK && zkr_registry_checkpoint_latest(reg, &note, &cp, &quiet) == ZKR_OK &&
        cp.size > idx)
        goto out;
    if (r != ZKR_OK && r != ZKR_ERR_NOT_FOUND)
        goto out;
    if ((r = zkr_passphrase_read(pass_file, &pass, &app->diag)) == ZKR_OK)
        r = zkr_registry_appliance_key_open(reg, &pass, key, &app->diag);
out:
    zkr_secret_free(&pass);
    zkr_buf_free(&note);
    return r;
}

/* A checkpoint that includes log_index: the latest stored one, else a new one. */
static zkr_err checkpoint_for(zkr_app *app, zkr_registry *reg, const zkr_appliance_key *key,
                              uint64_t log_index, zkr_checkpoint *cp)
{
    zkr_buf note = {0};
    zkr_diag quiet = {0};
    zkr_err r;

    r = zkr_registry_checkpoint_latest(reg, &note, cp, &quiet);
    if (r == ZKR_OK && cp->size > log_index)
        goto out;
    if (r != ZKR_OK && r != ZKR_ERR_NOT_FOUND) {
        r = zkr_fail(&app->diag, r, "%s", quiet.msg);
        goto out;
    }
    zkr_buf_free(&note);
    if (key == NULL) { /* zkr_app_attest_appliance_key() saw the record covered; append-only keeps it so */
        r = zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "no checkpoint covers log entry %llu",
                     (unsigned long long)log_index);
        goto out;
    }
    if ((r = zkr_registry_checkpoint_sign_key(reg, key, &note, &app->diag)) != ZKR_OK)
        goto out;
    zkr_buf_free(&note);
    r = zkr_registry_checkpoint_latest(reg, &note, cp, &app->diag);
out:
    zkr_buf_free(&note);
    return r;
}

zkr_err zkr_app_attest_fill_facts(zkr_app *app, zkr_registry *reg, const zkr_appliance_key *key,
                          const zkr_statement *st, const zkr_buf *proof, zkr_attest_facts *f)
{
    zkr_checkpoint cp;
    zkr_err r;

    memset(f, 0, sizeof *f);
    memcpy(f->statement_id, st->statement_id, 32);
    zkr_sha256(proof->p, proof->len, f->proof_sha256);
    memcpy(f->program_sha256, st->program.sha256, 32);
    memcpy(f->model_sha256, st->model.sha256, 32);
    memcpy(f->dataset_sha256, st->dataset.sha256, 32);
    snprintf(f->schema_name, sizeof f->schema_name, "%s", st->schema.name);
    snprintf(f->schema_version, sizeof f->schema_version, "%llu",
             (unsigned long long)st->schema.version);
    memcpy(f->schema_digest, st->schema.digest, 32);
    snprintf(f->verifier_version, sizeof f->verifier_version, "%s", ZKR_VERSION);
    f->accepted = 1;
    if ((r = zkr_registry_proof_record(reg, st->statement_id, f->proof_sha256, ZKR_VERSION,
                                       &f->log_index, &app->diag)) != ZKR_OK ||
        (r = checkpoint_for(app, reg, key, f->log_index, &cp)) != ZKR_OK ||
        (r = zkr_app_attest_time(app, &f->time)) != ZKR_OK)
        return r;
    snprintf(f->checkpoint_origin, sizeof f->checkpoint_origin, "%s", cp.origin);
    f->checkpoint_size = cp.size;
    memcpy(f->checkpoint_root, cp.root, 32);
    return zkr_attest_facts_check(f, &app->diag);
}

/* "attestation" payload: u32 1 | str keyid | bytes statement_id | bytes proof | u64 proof log
 * index | bytes SHA-256 of the attestation file. */
zkr_err zkr_app_attest_log(zkr_app *app, zkr_registry *reg, const zkr_pubkey *key,
                               const zkr_attest_facts *f, const zkr_buf *att, uint64_t *idx)
{
    zkr_buf ev = {0};
    char kid[ZKR_KEYID_HEX + 1];
    uint8_t sha[32];
    zkr_err r;

    zkr_pubkey_keyid(key, kid);
    zkr_sha256(att->p, att->len, sha);
    if ((r = zkr_enc_u32(&ev, 1)) == ZKR_OK && (r = zkr_enc_str(&ev, kid)) == ZKR_OK &&
        (r = zkr_enc_bytes(&ev, f->statement_id, 32)) == ZKR_OK &&
        (r = zkr_enc_bytes(&ev, f->proof_sha256, 32)) == ZKR_OK &&
        (r = zkr_enc_u64(&ev, f->log_index)) == ZKR_OK && (r = zkr_enc_bytes(&ev, sha, 32)) == ZKR_OK)
        r = zkr_registry_event_append(reg, ZKR_EVENT_ATTESTATION, ev.p, ev.len, idx, &app->diag);
    zkr_buf_free(&ev);
    return r;
}

/* Re-checks one statement and its signing keys; the caller holds the write lock. */
zkr_err zkr_app_attest_recheck(zkr_app *app, zkr_registry *reg, const char *statement,
                               const uint8_t statement_id[32], const zkr_pubkey *keys,
                               size_t nkeys)
{
    zkr_statement st;
    zkr_err r;

    memset(&st, 0, sizeof st);
    if ((r = zkr_registry_statement_get(reg, statement, &st, &app->diag)) == ZKR_OK &&
        (r = zkr_registry_statement_check_log(reg, &st, &app->diag)) == ZKR_OK) {
        if (memcmp(st.statement_id, statement_id, 32) != 0)
            r = zkr_fail(&app->diag, ZKR_ERR_REGISTRY, "statement %s changed under attest-root",
                         statement);
        for (size_t i = 0; i < nkeys && r == ZKR_OK; i++)
            r = zkr_app_attest_rules(app, reg, &st, &keys[i]);
        if (nkeys == 0 && r == ZKR_OK)
            r = zkr_app_attest_rules(app, reg, &st, NULL);
    }
    zkr_statement_free(&st);
    return r;
}

/*
 * attest's checks for attest-root: the registry rules and the confined
 * verification without the lock (the worker can run for minutes), then,
 * under the write lock, the same re-check as attest (a revocation that
 * landed meanwhile refuses) and the recorded verification and checkpoint.
 * The batch signature comes later; attest-root re-checks every statement
 * again (zkr_app_attest_recheck) in the transaction that logs the batch.
 */
zkr_err zkr_app_attest_facts(zkr_app *app, zkr_registry *reg, const char *statement,
                             const char *proof_path, const zkr_pubkey *keys, size_t nkeys,
                             const char *reg_pass_file, zkr_attest_facts *f)
{
    zkr_statement st;
    zkr_buf proof = {0};
    zkr_appliance_key *ak = NULL;
    uint8_t sid[32];
    int refusable = 1;
    zkr_err r = ZKR_OK;
    size_t i = 0;

    memset(&st, 0, sizeof st);
    if ((r = zkr_file_read(proof_path, ZKR_PROOF_MAX_BYTES, &proof, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_statement_get(reg, statement, &st, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_statement_check_log(reg, &st, &app->diag)) != ZKR_OK)
        goto out;
    for (i = 0; i < nkeys && r == ZKR_OK; i++)
        r = zkr_app_attest_rules(app, reg, &st, &keys[i]);
    if (r != ZKR_OK || (r = zkr_app_attest_check_proof(app, reg, &st, &proof)) != ZKR_OK)
        goto out;
    refusable = 0;
    if ((r = zkr_app_attest_appliance_key(app, reg, reg_pass_file, &st, &proof, &ak)) != ZKR_OK ||
        (r = zkr_registry_write_begin(reg, &app->diag)) != ZKR_OK)
        goto out;
    memcpy(sid, st.statement_id, sizeof sid);
    refusable = 1;
    if ((r = zkr_app_attest_recheck(app, reg, statement, sid, keys, nkeys)) != ZKR_OK)
        goto out;
    refusable = 0; /* the proof holds: a later failure is an error, not a refusal */
    if ((r = zkr_app_attest_fill_facts(app, reg, ak, &st, &proof, f)) == ZKR_OK)
        r = zkr_registry_write_commit(reg, &app->diag);
out:
    zkr_registry_end(reg); /* rolls back what did not commit; before the refusal log */
    if (r != ZKR_OK && refusable)
        zkr_app_attest_log_refusal(app, reg, nkeys > 0 ? &keys[i > 0 ? i - 1 : 0] : NULL, statement, &st,
                    &proof, r);
    zkr_appliance_key_free(ak);
    zkr_statement_free(&st);
    zkr_buf_free(&proof);
    return r;
}

/* Seconds an imported request may be dated ahead of this clock (as the gate allows). */
#define ATTEST_IMPORT_SKEW 300

static zkr_err open_signer(zkr_app *app, const zkr_app_attest_opts *a, zkr_signer **s)
{
    zkr_signer_opts o = {.passphrase_path = a->pass_file, .eth_address = a->address,
                         .registry_path = app->registry_path};
    zkr_secret pass = {0};
    zkr_err r;

    if (a->pass_fd >= 0) {
        if ((r = zkr_app_read_pass_fd(app, a->pass_fd, &pass)) != ZKR_OK)
            return r;
        o.passphrase = &pass;
    }
    r = zkr_signer_open(a->key, &o, s, &app->diag);
    zkr_secret_free(&pass);
    return r;
}

/* The key's public half: from the key file without the passphrase, else by opening it. */
static zkr_err who(zkr_app *app, const zkr_app_attest_opts *a, zkr_pubkey *pub, zkr_signer **s)
{
    zkr_buf file = {0};
    zkr_err r;

    if (a->key == NULL) /* --eip712-json: nobody signs */
        return ZKR_OK;
    if (strncmp(a->key, "file:", 5) == 0) {
        if ((r = zkr_file_read(a->key + 5, ZKR_KEYFILE_MAX, &file, &app->diag)) == ZKR_OK)
            r = zkr_keyfile_public(file.p, file.len, pub, &app->diag);
        zkr_buf_free(&file);
        return r;
    }
    if ((r = open_signer(app, a, s)) != ZKR_OK)
        return r;
    *pub = *zkr_signer_pubkey(*s);
    return ZKR_OK;
}


/*
 * An attestation must not replace the registry (or its -wal, -shm or
 * -journal file), anything in its store "<registry>.d/", or the key file
 * that signs: the rename would destroy it. Exit 2.
 */
static zkr_err out_guard(zkr_app *app, const char *out, const char *key_uri)
{
    const char *keep = key_uri != NULL && strncmp(key_uri, "file:", 5) == 0 ? key_uri + 5 : NULL;

    return zkr_app_out_guard(app, out, "an attestation", &keep, 1);
}

/*
 * An attestation the log does not show is not handed out: removed when
 * nothing committed, and the caller's file it replaced (if any) put back.
 */
static void made_free(const zkr_app_attest_opts *a, zkr_app_attest_made *m, int committed)
{
    if (m->written && !committed) {
        if (m->has_prev)
            (void)rename(m->prev, a->out);
        else
            (void)remove(a->out);
    } else if (m->has_prev)
        (void)unlink(m->prev);
    m->has_prev = 0;
    if (!committed)
        zkr_buf_free(&m->out);
}

/*
 * Writes bytes to path before the commit. A regular file already there is
 * kept under a hard link beside it first, so that a refusal after the
 * write gives the caller their file back instead of deleting it.
 */
static zkr_err out_write(zkr_app *app, const char *path, const zkr_buf *bytes,
                         zkr_app_attest_made *m)
{
    struct stat sb;
    zkr_err r;

    if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        int n = snprintf(m->prev, sizeof m->prev, "%s.zkreg-prev.%ld", path, (long)getpid());
        if (n < 0 || (size_t)n >= sizeof m->prev)
            return zkr_fail(&app->diag, ZKR_ERR_TOO_LARGE, "%s: path too long", path);
        /* Never unlinked first: a file already under that name is someone's, not ours. */
        if (link(path, m->prev) != 0)
            return zkr_fail(&app->diag, ZKR_ERR_IO,
                            "%s: cannot keep the file it replaces (%s), nothing written", path,
                            strerror(errno));
        m->has_prev = 1;
    }
    if ((r = zkr_file_write_atomic(path, bytes->p, bytes->len, 0644, &app->diag)) != ZKR_OK) {
        if (m->has_prev)
            (void)unlink(m->prev);
        m->has_prev = 0;
        return r;
    }
    m->written = 1;
    return ZKR_OK;
}

/* Writes m->out to a->out (not stdout) before the commit, so a failed write logs nothing. */
static zkr_err write_before_commit(zkr_app *app, const zkr_app_attest_opts *a, zkr_app_attest_made *m)
{
    if (a->out == NULL || strcmp(a->out, "-") == 0)
        return ZKR_OK; /* stdout: reported after the commit */
    return out_write(app, a->out, &m->out, m);
}

/*
 * Inside the write transaction, after every check held: sign (or make the
 * wallet request / typed data), write it, and log the attestation. The
 * signer is already open, so the write lock waits for no passphrase.
 */
static zkr_err attest_sign(zkr_app *app, zkr_registry *reg, const zkr_app_attest_opts *a,
                           const zkr_attest_facts *f, const zkr_pubkey *key, zkr_signer *s,
                           zkr_app_attest_made *m)
{
    zkr_eip712_domain dom;
    uint8_t addr[ZKR_ETH_ADDR_BYTES];
    int has_dom = a->domain != NULL;
    zkr_err r;

    if (has_dom && (r = zkr_eip712_domain_load(a->domain, &dom, &app->diag)) != ZKR_OK)
        return r;
    if (a->eip712_json) {
        if ((r = zkr_attest_eip712_json(f, &dom, &m->out, &app->diag)) != ZKR_OK ||
            (r = zkr_buf_append(&m->out, (const uint8_t *)"\n", 1)) != ZKR_OK)
            return r;
        return write_before_commit(app, a, m);
    }
    if (zkr_signer_pubkey(s)->pub_len != key->pub_len ||
        memcmp(zkr_signer_pubkey(s)->pub, key->pub, key->pub_len) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_KEY, "%s: the opened key is not the key checked",
                        a->key);
    if (zkr_signer_is_external(s)) {
        if (!has_dom)
            return zkr_fail(&app->diag, ZKR_ERR_USAGE, "external:eip712 needs --eip712-domain FILE");
        memcpy(addr, key->pub, sizeof addr);
        m->what = "request";
        if ((r = zkr_attest_eip712_request(f, &dom, addr, &m->out, &app->diag)) != ZKR_OK)
            return r;
        return write_before_commit(app, a, m);
    }
    m->what = "attestation";
    if ((r = zkr_attest_sign(s, f, has_dom ? &dom : NULL, &m->out, &app->diag)) != ZKR_OK ||
        (r = out_write(app, a->out, &m->out, m)) != ZKR_OK)
        return r;
    if ((r = zkr_app_attest_log(app, reg, key, f, &m->out, &m->att_idx)) == ZKR_OK)
        m->logged = 1;
    return r;
}

/*
 * The rules attest itself applies before it signs, for the facts' statement:
 * its schema pins this verifier, its proof kind is one attest verifies (a
 * "proof" record alone does not say so: `verify` records training-step@1
 * proofs, which attest refuses) and its parameter set is one this verifier
 * runs for the kind. A proof record of another verifier version (a bundle
 * import brings one from an appliance on another release) names a
 * verification this appliance would not make today, so it is not attested
 * here.
 */
static zkr_err import_rules(zkr_app *app, zkr_registry *reg, const zkr_attest_facts *f)
{
    const attest_kind *k = NULL;
    zkr_statement st;
    char hex[65];
    uint32_t sys, set;
    zkr_err r;

    memset(&st, 0, sizeof st);
    zkr_app_hex32(f->statement_id, hex);
    if ((r = zkr_registry_statement_get(reg, hex, &st, &app->diag)) == ZKR_OK &&
        (r = zkr_app_attest_rules(app, reg, &st, NULL)) == ZKR_OK)
        r = attest_kind_of(app, &st, &k, &sys, &set);
    zkr_statement_free(&st);
    return r;
}

/*
 * --import-signature checks, inside the write transaction: the request's
 * address is a registered, unrevoked key (ecrecover gave exactly it), the
 * statement and every row behind it agree with the log, nothing is revoked,
 * the facts' proof record is in this log, and the statement's schema is one
 * attest would sign for here (import_rules).
 */
static zkr_err import_checks(zkr_app *app, zkr_registry *reg, const zkr_attest_facts *f,
                             const zkr_pubkey *key)
{
    zkr_attest_registry cb;
    uint64_t kidx;
    int64_t now;
    zkr_err r;

    /* The request file is the holder's to edit and the wallet signs what it is shown: a time
     * this appliance never gave (dated ahead, so it stays "fresh" for max_age later) must not
     * be logged as this appliance's attestation. */
    if ((r = zkr_app_attest_time(app, &now)) != ZKR_OK)
        return r;
    if (f->time > now + ATTEST_IMPORT_SKEW)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "signing request: the attestation is dated %lld s in the future (this "
                        "appliance dates requests when it writes them)",
                        (long long)(f->time - now));
    zkr_app_attest_registry(reg, &cb);
    if ((r = cb.revoked(cb.ctx, f, key, &app->diag)) != ZKR_OK ||
        (r = cb.statement(cb.ctx, f, &app->diag)) != ZKR_OK ||
        (r = cb.inclusion(cb.ctx, f, &app->diag)) != ZKR_OK ||
        (r = import_rules(app, reg, f)) != ZKR_OK)
        return r;
    r = zkr_app_key_lookup(reg, key, &kidx, &app->diag);
    if (r == ZKR_ERR_NOT_FOUND)
        return zkr_fail(&app->diag, ZKR_ERR_KEY,
                        "the request's wallet address is not a registered signer key");
    return r;
}

/* The request's "address": the only signer ecrecover may give. */
static zkr_err request_address(zkr_app *app, const zkr_app_attest_opts *a, const zkr_buf *req,
                               zkr_pubkey *key)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)req->p, req->len, JSON_REJECT_DUPLICATES, &je);
    const char *addr = j ? json_string_value(json_object_get(j, "address")) : NULL;
    zkr_err r;

    memset(key, 0, sizeof *key);
    key->type = ZKR_KEY_ETH;
    key->pub_len = ZKR_ETH_ADDR_BYTES;
    if (!j) /* a duplicate key is refused here: which of two payloads would the wallet show? */
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "%s: not a signing request (line %d: %s)",
                        a->request, je.line, je.text);
    r = addr ? zkr_eth_address_parse(addr, key->pub) : ZKR_ERR_MALFORMED;
    json_decref(j);
    if (r != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "%s: address missing or malformed",
                        a->request);
    return ZKR_OK;
}

/* --import-signature: the wallet's signature over a request this command wrote. */
static zkr_err attest_import(zkr_app *app, zkr_registry *reg, const zkr_app_attest_opts *a,
                             zkr_app_attest_made *mp)
{
    zkr_buf req = {0};
    zkr_envelope env;
    zkr_attest_facts f;
    zkr_pubkey key;
    zkr_app_attest_made m;
    int committed = 0;
    zkr_err r;

    memset(&env, 0, sizeof env);
    memset(&m, 0, sizeof m);
    m.what = "attestation";
    if (a->request == NULL || a->out == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "--import-signature needs --request REQUEST and -o ATTESTATION");
    if ((r = zkr_file_read(a->request, ZKR_DSSE_MAX_BYTES, &req, &app->diag)) != ZKR_OK ||
        (r = request_address(app, a, &req, &key)) != ZKR_OK ||
        (r = zkr_attest_import_signature(req.p, req.len, a->import_sig, key.pub, &m.out,
                                         &app->diag)) != ZKR_OK ||
        (r = zkr_envelope_parse(m.out.p, m.out.len, &env, &app->diag)) != ZKR_OK ||
        (r = zkr_attest_payload_parse(env.payload.p, env.payload.len, &f, &app->diag)) != ZKR_OK)
        goto out;
    /* Checks, file and log entry under one write lock: a revocation either committed before
     * the checks (and is seen) or waits until the attestation is logged. */
    if ((r = zkr_registry_write_begin(reg, &app->diag)) != ZKR_OK ||
        (r = import_checks(app, reg, &f, &key)) != ZKR_OK ||
        (r = out_write(app, a->out, &m.out, &m)) != ZKR_OK)
        goto out;
    if ((r = zkr_app_attest_log(app, reg, &key, &f, &m.out, &m.att_idx)) != ZKR_OK ||
        (r = zkr_registry_write_commit(reg, &app->diag)) != ZKR_OK)
        goto out;
    committed = 1;
    m.logged = 1;
    m.committed = 1;
    m.has_key = 1;
    m.key = key;
    m.proof_idx = f.log_index;
out:
    zkr_registry_end(reg);
    made_free(a, &m, committed);
    *mp = m;
    zkr_envelope_free(&env);
    zkr_buf_free(&req);
    return r;
}

/*
 * The statement, the rows behind it and the registry rules, before the
 * confined verification (to refuse early) and again inside the write
 * transaction (what counts).
 */
static zkr_err load_and_check(zkr_app *app, zkr_registry *reg, const zkr_app_attest_opts *a,
                              zkr_statement *st, const zkr_pubkey *key)
{
    zkr_err r;

    zkr_statement_free(st);
    if ((r = zkr_registry_statement_get(reg, a->statement, st, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_statement_check_log(reg, st, &app->diag)) != ZKR_OK)
        return r;
    return zkr_app_attest_rules(app, reg, st, a->key != NULL ? key : NULL);
}

/*
 * Under the write lock (BEGIN IMMEDIATE): re-check everything the registry
 * decides, so a revocation that committed while the verifier worker ran is
 * seen; record the verification; sign; log the attestation; commit. A
 * revocation that arrives later waits for the commit, and the log orders it
 * after the attestation. The lock is held for the checks, one checkpoint
 * signature and one attestation signature, never for the verification.
 */
static zkr_err attest_locked(zkr_app *app, zkr_registry *reg, const zkr_app_attest_opts *a,
                             zkr_statement *st, const zkr_buf *proof, const zkr_pubkey *key,
                             zkr_signer *s, const zkr_appliance_key *ak, int *refusable,
                             zkr_app_attest_made *m, uint64_t *proof_idx)
{
    zkr_attest_facts f;
    uint8_t sid[ZKR_DIGEST_BYTES];
    zkr_err r;

    memcpy(sid, st->statement_id, sizeof sid);
    if ((r = zkr_registry_write_begin(reg, &app->diag)) != ZKR_OK)
        return r;
    *refusable = a->key != NULL; /* the re-checks refuse as the first checks did */
    if ((r = load_and_check(app, reg, a, st, key)) != ZKR_OK)
        return r;
    if (memcmp(sid, st->statement_id, sizeof sid) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_REGISTRY, "statement %s changed under attest",
                        a->statement);
    *refusable = 0; /* everything held; later failures are errors, not refusals */
    if ((r = zkr_app_attest_fill_facts(app, reg, ak, st, proof, &f)) != ZKR_OK ||
        (r = attest_sign(app, reg, a, &f, key, s, m)) != ZKR_OK)
        return r;
    *proof_idx = f.log_index;
#if ZKR_TEST_BUILD
    /* A failure after the attestation file was written: it must go, the caller's file come back. */
    if (getenv("ZKR_TEST_ATTEST_FAIL_COMMIT") != NULL)
        return zkr_fail(&app->diag, ZKR_ERR_REGISTRY, "attest: commit failure injected (test build)");
#endif
    return zkr_registry_write_commit(reg, &app->diag);
}

zkr_err zkr_app_attest(zkr_app *app, const zkr_app_attest_opts *o, zkr_app_attest_made *made)
{
    const zkr_app_attest_opts a = *o;
    zkr_registry *reg = NULL;
    zkr_signer *s = NULL;
    zkr_appliance_key *ak = NULL;
    zkr_statement st;
    zkr_pubkey key;
    zkr_buf proof = {0};
    zkr_app_attest_made m;
    uint64_t proof_idx = 0;
    int refusable = 0, committed = 0;
    zkr_err r;

    memset(&st, 0, sizeof st);
    memset(&key, 0, sizeof key);
    memset(&m, 0, sizeof m);
    memset(made, 0, sizeof *made);
    if ((r = out_guard(app, a.out, a.import_sig ? NULL : a.key)) != ZKR_OK ||
        (r = zkr_app_registry_open(app, &reg)) != ZKR_OK)
        goto out;
    if (a.import_sig != NULL) {
        r = attest_import(app, reg, &a, made);
        goto out;
    }
    if ((r = who(app, &a, &key, &s)) != ZKR_OK)
        goto out;
    refusable = a.key != NULL; /* from here on a refusal is logged with who signed nothing */
    if ((r = zkr_file_read(a.proof, ZKR_PROOF_MAX_BYTES, &proof, &app->diag)) != ZKR_OK ||
        (r = load_and_check(app, reg, &a, &st, &key)) != ZKR_OK ||
        (r = zkr_app_attest_check_proof(app, reg, &st, &proof)) != ZKR_OK)
        goto out;
    /* Open the signer and the appliance key now (passphrases, token login, Argon2id) so the
     * write lock never waits for them; failing here is an error, not a refusal. */
    refusable = 0;
    if ((a.key != NULL && s == NULL && (r = open_signer(app, &a, &s)) != ZKR_OK) ||
        (r = zkr_app_attest_appliance_key(app, reg, a.reg_pass_file, &st, &proof, &ak)) != ZKR_OK)
        goto out;
    if ((r = zkr_app_attest_test_pause(app)) != ZKR_OK ||
        (r = attest_locked(app, reg, &a, &st, &proof, &key, s, ak, &refusable, &m,
                           &proof_idx)) != ZKR_OK)
        goto out;
    committed = 1;
    m.committed = 1;
    m.proof_idx = proof_idx;
    m.has_key = a.key != NULL;
    m.key = key;
out:
    zkr_registry_end(reg); /* rolls back an attest_locked that failed; before the refusal log */
    if (a.import_sig == NULL) {
        made_free(&a, &m, committed);
        *made = m;
    }
    if (r != ZKR_OK && refusable)
        zkr_app_attest_log_refusal(app, reg, &key, a.statement, &st, &proof, r);
    zkr_appliance_key_free(ak);
    zkr_signer_free(s);
    zkr_statement_free(&st);
    zkr_buf_free(&proof);
    zkr_registry_close(reg);
    return r;
}

void zkr_app_attest_made_free(zkr_app_attest_made *m)
{
    zkr_buf_free(&m->out);
}

/* ------------------------------------------------------------------ */
/* attest --batch                                                       */
/* ------------------------------------------------------------------ */

#define ZKR_ATTEST_BATCH_MAX_BYTES ((size_t)16 << 20)
#define ZKR_ATTEST_BATCH_MAX_LINES 100000u

typedef struct {
    uint64_t line;
    char *statement, *proof, *out;
    char *entry; /* the directory entry out replaces (zkr_app_out_entry): what "one file" means */
} batch_entry;

typedef struct {
    batch_entry *e;
    size_t n, cap;
} batch_list;

static void batch_list_free(batch_list *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->e[i].statement);
        free(b->e[i].proof);
        free(b->e[i].out);
        free(b->e[i].entry);
    }
    free(b->e);
    memset(b, 0, sizeof *b);
}

/* Names the line in front of a diagnostic that does not. */
static zkr_err line_prefix(zkr_app *app, uint64_t line, zkr_err r)
{
    char msg[sizeof app->diag.msg];

    memcpy(msg, app->diag.msg, sizeof msg);
    msg[sizeof msg - 1] = '\0';
    zkr_diag_clear(&app->diag);
    (void)zkr_fail(&app->diag, r, "line %llu: %s", (unsigned long long)line, msg);
    return r;
}

static zkr_err batch_field(zkr_app *app, json_t *o, uint64_t line, const char *key, int id_ok,
                           char **out)
{
    json_t *v = json_object_get(o, key);
    char num[24];

    *out = NULL;
    if (v == NULL)
        return ZKR_OK;
    if (id_ok && json_is_integer(v) && json_integer_value(v) > 0) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = strdup(num);
    } else if (json_is_string(v) && json_string_length(v) > 0) {
        *out = strdup(json_string_value(v));
    } else {
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "line %llu: field '%s': expected a %s",
                        (unsigned long long)line, key,
                        id_ok ? "statement reference (string or row id)" : "non-empty string");
    }
    return *out != NULL ? ZKR_OK : ZKR_ERR_NOMEM;
}

static zkr_err batch_entry_parse(zkr_app *app, json_t *o, uint64_t line,
                                 const zkr_app_attest_batch_opts *bo, batch_entry *e)
{
    const char *key, *out_dir = bo->out_dir;
    char entry[4200];
    json_t *v;
    zkr_err r;

    e->line = line;
    if (!json_is_object(o))
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "line %llu: not a JSON object",
                        (unsigned long long)line);
    json_object_foreach(o, key, v) {
        (void)v;
        if (strcmp(key, "statement") != 0 && strcmp(key, "proof") != 0 && strcmp(key, "out") != 0)
            return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                            "line %llu: field '%s': not statement, proof or out",
                            (unsigned long long)line, key);
    }
    if ((r = batch_field(app, o, line, "statement", 1, &e->statement)) != ZKR_OK ||
        (r = batch_field(app, o, line, "proof", 0, &e->proof)) != ZKR_OK ||
        (r = batch_field(app, o, line, "out", 0, &e->out)) != ZKR_OK)
        return r;
    if (e->statement == NULL || e->proof == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "line %llu: field '%s': missing",
                        (unsigned long long)line, e->statement == NULL ? "statement" : "proof");
    if (e->out == NULL) {
        size_t cap;
        if (out_dir == NULL)
            return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                            "line %llu: no \"out\" and no --out-dir DIR", (unsigned long long)line);
        cap = strlen(out_dir) + 48;
        if ((e->out = malloc(cap)) == NULL)
            return ZKR_ERR_NOMEM;
        snprintf(e->out, cap, "%s/attestation-%llu.json", out_dir, (unsigned long long)line);
    }
    if ((r = out_guard(app, e->out, bo->key)) != ZKR_OK)
        return line_prefix(app, line, r);
    zkr_app_out_entry(e->out, entry, sizeof entry);
    return (e->entry = strdup(entry)) != NULL ? ZKR_OK : ZKR_ERR_NOMEM;
}

static int out_cmp(const void *a, const void *b)
{
    return strcmp((*(const batch_entry *const *)a)->entry, (*(const batch_entry *const *)b)->entry);
}

/* Two lines that would write one file: the first attestation would be lost. */
static zkr_err batch_unique_outputs(zkr_app *app, const batch_list *b)
{
    const batch_entry **v;
    zkr_err r = ZKR_OK;

    if (b->n < 2)
        return ZKR_OK;
    if ((v = malloc(b->n * sizeof *v)) == NULL)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < b->n; i++)
        v[i] = &b->e[i];
    qsort(v, b->n, sizeof *v, out_cmp);
    for (size_t i = 1; i < b->n && r == ZKR_OK; i++)
        if (strcmp(v[i - 1]->entry, v[i]->entry) == 0)
            r = zkr_fail(&app->diag, ZKR_ERR_USAGE, "lines %llu and %llu both write %s",
                         (unsigned long long)(v[i - 1]->line < v[i]->line ? v[i - 1]->line
                                                                           : v[i]->line),
                         (unsigned long long)(v[i - 1]->line < v[i]->line ? v[i]->line
                                                                           : v[i - 1]->line),
                         v[i]->out);
    free(v);
    return r;
}

/* The whole file is parsed and checked before anything is verified or signed. */
static zkr_err batch_parse(zkr_app *app, const zkr_app_attest_batch_opts *o, batch_list *b)
{
    zkr_buf doc = {0};
    const char *p, *end;
    uint64_t line = 0;
    zkr_err r;

    if ((r = zkr_file_read(o->batch, ZKR_ATTEST_BATCH_MAX_BYTES, &doc, &app->diag)) != ZKR_OK)
        return r;
    p = (const char *)doc.p;
    end = p + doc.len;
    while (p < end && r == ZKR_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_error_t je;
        json_t *obj;

        line++;
        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (len > 0 && b->n == ZKR_ATTEST_BATCH_MAX_LINES)
            r = zkr_fail(&app->diag, ZKR_ERR_TOO_LARGE, "%s: more than %u entries", o->batch,
                         ZKR_ATTEST_BATCH_MAX_LINES);
        if (len > 0 && r == ZKR_OK) {
            if (b->n == b->cap) {
                size_t cap = b->cap ? 2 * b->cap : 16;
                batch_entry *e = realloc(b->e, cap * sizeof *e);
                if (e == NULL) {
                    r = ZKR_ERR_NOMEM;
                    break;
                }
                b->e = e;
                b->cap = cap;
            }
            memset(&b->e[b->n], 0, sizeof b->e[b->n]);
            b->n++;
            if ((obj = json_loadb(p, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
                r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "%s line %llu: not JSON: %s",
                             o->batch, (unsigned long long)line, je.text);
            else
                r = batch_entry_parse(app, obj, line, o, &b->e[b->n - 1]);
            json_decref(obj);
        }
        p = nl ? nl + 1 : end;
    }
    zkr_buf_free(&doc);
    if (r == ZKR_OK && b->n == 0)
        r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "%s: no entries", o->batch);
    return r == ZKR_OK ? batch_unique_outputs(app, b) : r;
}

/*
 * One line: the checks and the confined verification of `zkreg attest`
 * (refusable: logged and skipped), then the locked re-check, sign, log and
 * commit with the signer opened once for the batch.
 */
static zkr_err batch_one(zkr_app *app, zkr_registry *reg, const zkr_app_attest_batch_opts *o,
                         const batch_entry *e, const zkr_pubkey *key, zkr_signer *s,
                         zkr_appliance_key **ak, zkr_app_attest_line *res, int *refusable)
{
    zkr_app_attest_opts a = {.statement = e->statement, .proof = e->proof, .key = o->key,
                             .out = e->out, .reg_pass_file = o->reg_pass_file,
                             .domain = o->domain, .pass_fd = -1};
    zkr_statement st;
    zkr_buf proof = {0};
    zkr_app_attest_made m;
    uint64_t proof_idx = 0;
    int committed = 0;
    zkr_err r;

    memset(&st, 0, sizeof st);
    memset(&m, 0, sizeof m);
    *refusable = 1;
    if ((r = zkr_file_read(a.proof, ZKR_PROOF_MAX_BYTES, &proof, &app->diag)) != ZKR_OK ||
        (r = load_and_check(app, reg, &a, &st, key)) != ZKR_OK ||
        (r = zkr_app_attest_check_proof(app, reg, &st, &proof)) != ZKR_OK)
        goto out;
    *refusable = 0;
    /* The appliance key is opened (registry passphrase read) once, when a line first needs it. */
    if (*ak == NULL &&
        (r = zkr_app_attest_appliance_key(app, reg, o->reg_pass_file, &st, &proof, ak)) != ZKR_OK)
        goto out;
    if ((r = attest_locked(app, reg, &a, &st, &proof, key, s, *ak, refusable, &m,
                           &proof_idx)) != ZKR_OK)
        goto out;
    committed = 1;
    res->attested = 1;
    res->proof_idx = proof_idx;
    res->att_idx = m.att_idx;
out:
    zkr_registry_end(reg); /* a failed attest_locked rolls back before the refusal is logged */
    made_free(&a, &m, committed);
    if (committed)
        zkr_app_attest_made_free(&m);
    if (r != ZKR_OK && *refusable)
        zkr_app_attest_log_refusal(app, reg, key, a.statement, &st, &proof, r);
    zkr_statement_free(&st);
    zkr_buf_free(&proof);
    return r;
}

zkr_err zkr_app_attest_batch(zkr_app *app, const zkr_app_attest_batch_opts *o,
                             zkr_app_attest_batch_result *res)
{
    zkr_app_attest_opts a0 = {.key = o->key, .pass_file = o->pass_file, .pass_fd = o->pass_fd};
    batch_list b = {NULL, 0, 0};
    zkr_registry *reg = NULL;
    zkr_signer *s = NULL;
    zkr_appliance_key *ak = NULL;
    zkr_pubkey key;
    zkr_err r;

    memset(res, 0, sizeof *res);
    memset(&key, 0, sizeof key);
    if (o->key == NULL || strncmp(o->key, "external:", 9) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "attest --batch needs --key URI of a key that signs here (file: or "
                        "pkcs11:)");
    if ((r = batch_parse(app, o, &b)) != ZKR_OK)
        goto out;
    res->lines = b.n;
    /* One opening of the signing key for the whole batch: one passphrase, one unsealing. */
    if ((r = zkr_app_registry_open(app, &reg)) != ZKR_OK || (r = who(app, &a0, &key, &s)) != ZKR_OK ||
        (s == NULL && (r = open_signer(app, &a0, &s)) != ZKR_OK) ||
        (r = zkr_app_attest_test_pause(app)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < b.n; i++) {
        zkr_app_attest_line l;
        int refusable = 0;

        memset(&l, 0, sizeof l);
        l.line = b.e[i].line;
        l.statement = b.e[i].statement;
        l.out = b.e[i].out;
        zkr_diag_clear(&app->diag); /* each line's reason is its own */
        r = batch_one(app, reg, o, &b.e[i], &key, s, &ak, &l, &refusable);
        if (r != ZKR_OK && !refusable)
            goto out; /* not this line's refusal: a key, registry or I/O error stops the batch */
        if (r != ZKR_OK) {
            l.why = r;
            snprintf(l.message, sizeof l.message, "%s",
                     app->diag.msg[0] ? app->diag.msg : zkr_strerror(r));
            res->refused++;
        } else {
            res->attested++;
        }
        if (o->on_line != NULL)
            o->on_line(o->ctx, &l, i + 1, b.n);
    }
    zkr_diag_clear(&app->diag);
    r = res->refused == 0 ? ZKR_OK
                          : zkr_fail(&app->diag, ZKR_ERR_VERIFY,
                                     "%zu of %zu entries refused (each logged as an "
                                     "attest-refusal event); %zu attested",
                                     res->refused, res->lines, res->attested);
out:
    zkr_appliance_key_free(ak);
    zkr_signer_free(s);
    zkr_registry_close(reg);
    batch_list_free(&b);
    return r;
}
