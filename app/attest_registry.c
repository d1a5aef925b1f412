/*
 * attest_registry.c: what the attest workflow asks of the registry. Signer key
 * registration ("signer-key" log events), statement comparison (shared by
 * the laundering diagnosis and the verify-attestation/gate callbacks), log
 * inclusion of a proof record in a registry checkpoint, and revocation.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app/attest.h"
#include "zk/zk.h"

/* The key id and signer identity of k as bytes. */
static zkr_err key_names(const zkr_pubkey *k, uint8_t kid[ZKR_DIGEST_BYTES],
                         uint8_t who[ZKR_DIGEST_BYTES])
{
    const char *type = zkr_key_type_name(k->type);

    if (zkr_keyid_compute(type, k->pub, k->pub_len, kid) != ZKR_OK ||
        zkr_signer_identity(type, k->pub, k->pub_len, who) != ZKR_OK)
        return ZKR_ERR_INTERNAL; /* a parsed key always has both */
    return ZKR_OK;
}

zkr_err zkr_app_key_lookup(zkr_registry *reg, const zkr_pubkey *k, uint64_t *log_index,
                           zkr_diag *d)
{
    uint8_t kid[ZKR_DIGEST_BYTES], who[ZKR_DIGEST_BYTES];
    zkr_signer_key row;
    zkr_err r;

    /* By identity: a signer registered under either of its names is registered. */
    if ((r = key_names(k, kid, who)) != ZKR_OK ||
        (r = zkr_registry_signer_key_find(reg, who, &row, d)) != ZKR_OK)
        return r;
    *log_index = row.log_index;
    return ZKR_OK;
}

static zkr_err key_revoked(zkr_registry *reg, const zkr_pubkey *k, zkr_diag *d)
{
    char kid[ZKR_KEYID_HEX + 1];
    uint8_t id[ZKR_DIGEST_BYTES], who[ZKR_DIGEST_BYTES];
    zkr_err r;

    zkr_pubkey_keyid(k, kid);
    if ((r = key_names(k, id, who)) != ZKR_OK)
        return r;
    if ((r = zkr_registry_key_check_revoked(reg, id, who, NULL, d)) == ZKR_ERR_REVOKED) {
        char why[ZKR_DIAG_BYTES];
        snprintf(why, sizeof why, "%s", d->msg);
        return zkr_fail(d, ZKR_ERR_REVOKED, "signing key %s is revoked (%s)", kid, why);
    }
    return r;
}

zkr_err zkr_app_key_target(zkr_registry *reg, const char *ref, uint8_t target[ZKR_DIGEST_BYTES],
                           zkr_diag *d)
{
    zkr_signer_key row;
    zkr_pubkey k;
    uint8_t id[ZKR_DIGEST_BYTES];
    zkr_err r;

    memset(target, 0, ZKR_DIGEST_BYTES);
    if (ref != NULL && strchr(ref, ':') != NULL) {
        /* TYPE:HEX names the key itself: its identity needs no registry. */
        if ((r = zkr_pubkey_parse(ref, "key", &k, d)) != ZKR_OK)
            return r;
        return key_names(&k, id, target);
    }
    if (ref == NULL || zkr_hex_decode_exact(ref, id, sizeof id) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "key: '%s' is neither a 64-digit hex key id nor TYPE:HEX", ref ? ref : "");
    r = zkr_registry_signer_key_find(reg, id, &row, d);
    if (r == ZKR_ERR_NOT_FOUND)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND,
                        "key %s is not registered here, so its other name is unknown: revoke it "
                        "by its public key (TYPE:HEX, as zkreg key public prints it)",
                        ref);
    if (r != ZKR_OK)
        return r;
    memcpy(target, row.identity, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

zkr_err zkr_app_key_register(zkr_app *app, const zkr_pubkey *k, zkr_signer_key *row)
{
    zkr_registry *reg = NULL;
    char kid[ZKR_KEYID_HEX + 1];
    zkr_err r;

    zkr_pubkey_keyid(k, kid);
    if ((r = zkr_app_registry_open(app, &reg)) != ZKR_OK)
        goto out;
    /* Revocation check, lookup and append: one transaction (registry/signer_key.c). */
    r = zkr_registry_signer_key_register(reg, zkr_key_type_name(k->type), k->pub, k->pub_len,
                                         row, &app->diag);
    if (r == ZKR_ERR_REVOKED) {
        char why[ZKR_DIAG_BYTES];
        snprintf(why, sizeof why, "%s", app->diag.msg);
        r = zkr_fail(&app->diag, ZKR_ERR_REVOKED, "signing key %s is revoked (%s)", kid, why);
    }
out:
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* Registry-backed checks for verify-attestation and the gate           */
/* ------------------------------------------------------------------ */

static zkr_err rg_statement(void *ctx, const zkr_attest_facts *f, zkr_diag *d)
{
    zkr_registry *reg = ctx;
    zkr_statement st;
    char hex[65], ver[32];
    zkr_err r;

    memset(&st, 0, sizeof st);
    zkr_app_hex32(f->statement_id, hex);
    if ((r = zkr_registry_statement_get(reg, hex, &st, d)) != ZKR_OK ||
        (r = zkr_registry_statement_check_log(reg, &st, d)) != ZKR_OK)
        goto out;
    snprintf(ver, sizeof ver, "%llu", (unsigned long long)st.schema.version);
    if (memcmp(st.program.sha256, f->program_sha256, 32) != 0)
        r = zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM, "attested program differs from statement's");
    else if (memcmp(st.model.sha256, f->model_sha256, 32) != 0)
        r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "attested model differs from statement's");
    else if (memcmp(st.dataset.sha256, f->dataset_sha256, 32) != 0)
        r = zkr_fail(d, ZKR_ERR_MISMATCH_DATASET, "attested dataset differs from statement's");
    else if (strcmp(st.schema.name, f->schema_name) != 0 || strcmp(ver, f->schema_version) != 0 ||
             memcmp(st.schema.digest, f->schema_digest, 32) != 0)
        r = zkr_fail(d, ZKR_ERR_MISMATCH_SCHEMA, "attested schema %s@%s differs from %s@%s",
                     f->schema_name, f->schema_version, st.schema.name, ver);
    else if (strcmp(st.schema.verifier_version, f->verifier_version) != 0)
        r = zkr_fail(d, ZKR_ERR_MISMATCH_VERIFIER,
                     "attested verifier %s, the schema pins verifier %s", f->verifier_version,
                     st.schema.verifier_version);
out:
    zkr_statement_free(&st);
    return r;
}

/* The "proof" log payload: bytes statement_id | bytes proof digest | str verifier version. */
static zkr_err proof_entry_matches(const zkr_log_entry *e, const zkr_attest_facts *f)
{
    const uint8_t *sid, *pd, *vv;
    size_t sl, pl, vl;
    zkr_dec p;

    zkr_dec_init(&p, e->payload, e->payload_len);
    if (strcmp(e->type, "proof") != 0 || zkr_dec_bytes(&p, 32, &sid, &sl) != ZKR_OK || sl != 32 ||
        zkr_dec_bytes(&p, 32, &pd, &pl) != ZKR_OK || pl != 32 ||
        zkr_dec_bytes(&p, ZKR_ATTEST_TEXT_MAX, &vv, &vl) != ZKR_OK ||
        zkr_dec_finish(&p) != ZKR_OK)
        return ZKR_ERR_VERIFY;
    if (memcmp(sid, f->statement_id, 32) != 0 || memcmp(pd, f->proof_sha256, 32) != 0 ||
        vl != strlen(f->verifier_version) || memcmp(vv, f->verifier_version, vl) != 0)
        return ZKR_ERR_VERIFY;
    return ZKR_OK;
}

static zkr_err rg_inclusion(void *ctx, const zkr_attest_facts *f, zkr_diag *d)
{
    zkr_registry *reg = ctx;
    zkr_buf note = {0};
    zkr_checkpoint cp;
    zkr_log_entry e;
    uint8_t root[ZKR_DIGEST_BYTES], path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    size_t plen = 0;
    uint64_t n = 0;
    zkr_err r;

    memset(&e, 0, sizeof e);
    if ((r = zkr_registry_checkpoint_latest(reg, &note, &cp, d)) != ZKR_OK ||
        (r = zkr_registry_log_size(reg, &n)) != ZKR_OK)
        goto out;
    if (strcmp(cp.origin, f->checkpoint_origin) != 0) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "attestation's checkpoint is of log '%s', not '%s'",
                     f->checkpoint_origin, cp.origin);
        goto out;
    }
    if (f->checkpoint_size > n || f->log_index >= f->checkpoint_size) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "attestation's checkpoint (size %llu) is past this log "
                     "(size %llu)", (unsigned long long)f->checkpoint_size, (unsigned long long)n);
        goto out;
    }
    if ((r = zkr_registry_log_root(reg, f->checkpoint_size, root, d)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(root, f->checkpoint_root, 32) != 0) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "attestation's checkpoint root is not this log's root at "
                     "size %llu", (unsigned long long)f->checkpoint_size);
        goto out;
    }
    if ((r = zkr_registry_log_entry(reg, f->log_index, &e, d)) != ZKR_OK ||
        (r = zkr_registry_log_inclusion(reg, f->log_index, f->checkpoint_size, path, &plen, d)) !=
            ZKR_OK)
        goto out;
    if (proof_entry_matches(&e, f) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_VERIFY, "log entry %llu is not the verification of the attested "
                     "statement, proof and verifier version", (unsigned long long)f->log_index);
    else if (zkr_merkle_inclusion_verify(e.leaf_hash, f->log_index, f->checkpoint_size,
                                         (const uint8_t(*)[32])path, plen, root) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_VERIFY, "log entry %llu is not included in the checkpoint",
                     (unsigned long long)f->log_index);
out:
    zkr_log_entry_free(&e);
    zkr_buf_free(&note);
    return r;
}

/*
 * The verifier version the facts name, for the statement's proof kind when
 * this registry holds the statement, else for every kind (fail closed).
 */
static zkr_err verifier_revoked(zkr_registry *reg, const zkr_attest_facts *f, zkr_diag *d)
{
    zkr_statement st;
    zkr_diag quiet = {0};
    char hex[65], why[ZKR_DIAG_BYTES];
    zkr_err r;

    memset(&st, 0, sizeof st);
    zkr_app_hex32(f->statement_id, hex);
    r = zkr_registry_statement_get(reg, hex, &st, &quiet);
    if (r != ZKR_OK && r != ZKR_ERR_NOT_FOUND) {
        r = zkr_fail(d, r, "%s", quiet.msg);
        goto out;
    }
    r = zkr_registry_verifier_revoked(reg, r == ZKR_OK ? st.schema.proof_kind : NULL,
                                      f->verifier_version, d);
    if (r == ZKR_ERR_REVOKED && d != NULL) {
        snprintf(why, sizeof why, "%s", d->msg);
        zkr_diag_clear(d);
        r = zkr_fail(d, r, "the attestation was made by a revoked verifier: %s", why);
    }
out:
    zkr_statement_free(&st);
    return r;
}

static zkr_err rg_revoked(void *ctx, const zkr_attest_facts *f, const zkr_pubkey *key,
                          zkr_diag *d)
{
    zkr_registry *reg = ctx;
    static const zkr_kind kinds[5] = {ZKR_KIND_STATEMENT, ZKR_KIND_PROGRAM, ZKR_KIND_MODEL,
                                      ZKR_KIND_DATASET, ZKR_KIND_SCHEMA};
    const uint8_t *ids[5] = {f->statement_id, f->program_sha256, f->model_sha256,
                             f->dataset_sha256, f->schema_digest};
    zkr_err r;

    if (key != NULL && (r = key_revoked(reg, key, d)) != ZKR_OK)
        return r;
    for (int i = 0; i < 5; i++)
        if ((r = zkr_registry_check_revoked(reg, kinds[i], ids[i], NULL, d)) != ZKR_OK) {
            char why[ZKR_DIAG_BYTES];
            if (r != ZKR_ERR_REVOKED)
                return r;
            snprintf(why, sizeof why, "%s", d->msg);
            return zkr_fail(d, r, "the attested %s is revoked: %s", zkr_kind_name(kinds[i]), why);
        }
    return verifier_revoked(reg, f, d);
}

/*
 * A u64 parameter of st by name (canonical value: 8 bytes big-endian): 1
 * found, 0 absent, -1 present with another type. The last refuses: the
 * prover refuses such a range field, so the gate must not read it as absent.
 */
static int rg_u64_param(const zkr_statement *st, const char *name, uint64_t *v)
{
    for (size_t i = 0; i < st->n_params; i++)
        if (strcmp(st->params[i].name, name) == 0) {
            if (st->params[i].type != ZKR_PARAM_U64 || st->params[i].value_len != 8)
                return -1;
            *v = zkr_load_be64(st->params[i].value);
            return 1;
        }
    return 0;
}

/*
 * The gate's evaluation claim, from the registered statement after rg_statement
 * matched it to the facts (its rows checked against their log leaves).
 */
static zkr_err rg_evaluation(void *ctx, const zkr_attest_facts *f, zkr_eval_claim *c, zkr_diag *d)
{
    zkr_registry *reg = ctx;
    zkr_statement st;
    uint64_t n;
    int has_count = 0;
    zkr_err r;

    memset(c, 0, sizeof *c);
    memset(&st, 0, sizeof st);
    if ((r = rg_statement(ctx, f, d)) != ZKR_OK)
        return r;
    {
        char hex[65];
        zkr_app_hex32(f->statement_id, hex);
        if ((r = zkr_registry_statement_get(reg, hex, &st, d)) != ZKR_OK)
            goto out;
    }
    snprintf(c->proof_kind, sizeof c->proof_kind, "%s", st.schema.proof_kind);
    /* evaluation-graph@1 binds the same range parameters and public output (a CNN's accuracy). */
    if (strcmp(st.schema.proof_kind, "evaluation@1") != 0 &&
        strcmp(st.schema.proof_kind, "evaluation-graph@1") != 0)
        goto out; /* is_evaluation 0: the gate names the kind */
    n = st.dataset.record_count;
    if (rg_u64_param(&st, "record_first", &c->first) < 0 ||
        (has_count = rg_u64_param(&st, "record_count", &c->count)) < 0) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_SCHEMA,
                     "the evaluation statement's record_first/record_count is not a u64");
        goto out;
    }
    if (!has_count)
        c->count = c->first < n ? n - c->first : 0;
    c->dataset_records = n;
    if (!st.has_public_output ||
        zkr_eval_output_decode(st.public_output.p, st.public_output.len, &c->mode, &c->out_count,
                               &c->value) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                     "the evaluation statement's public output is not an evaluation output");
        goto out;
    }
    c->is_evaluation = 1;
out:
    zkr_statement_free(&st);
    return r;
}

void zkr_app_attest_registry(zkr_registry *reg, zkr_attest_registry *out)
{
    memset(out, 0, sizeof *out);
    out->ctx = reg;
    out->statement = rg_statement;
    out->inclusion = rg_inclusion;
    out->revoked = rg_revoked;
    out->evaluation = rg_evaluation;
}
