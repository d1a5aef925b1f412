/*
 * signer: the release gate. Rules run in a fixed order and the first that
 * fails decides the exit code; a rule that needs data nobody supplied fails
 * closed rather than passing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signer/signer_int.h"

#define POLICY_FORMAT "zkreg-policy/v1"
#define GATE_CLOCK_SKEW 300 /* seconds an attestation may be dated in the future */

const char *zkr_gate_rule_name(zkr_gate_rule r)
{
    switch (r) {
    case ZKR_GATE_FORMAT:
        return "format";
    case ZKR_GATE_SAME_STATEMENT:
        return "same-statement";
    case ZKR_GATE_THRESHOLD:
        return "threshold";
    case ZKR_GATE_SCHEMA:
        return "schema";
    case ZKR_GATE_MAX_AGE:
        return "max-age";
    case ZKR_GATE_INCLUSION:
        return "log-inclusion";
    case ZKR_GATE_REVOCATION:
        return "revocation";
    case ZKR_GATE_STATEMENT:
        return "statement";
    case ZKR_GATE_EVALUATION:
        return "evaluation";
    default:
        return "none";
    }
}

static zkr_err policy_keys(const json_t *arr, zkr_policy *p, zkr_diag *d)
{
    size_t i;
    json_t *v;
    zkr_err r;

    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > ZKR_POLICY_MAX_KEYS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "policy: 'trusted_keys' must list 1 to %d keys",
                        ZKR_POLICY_MAX_KEYS);
    json_array_foreach(arr, i, v) {
        char what[48], a[ZKR_KEYID_HEX + 1], b[ZKR_KEYID_HEX + 1];
        snprintf(what, sizeof what, "policy trusted_keys[%zu]", i);
        if ((r = zkr_pubkey_parse(json_string_value(v), what, &p->keys[i], d)) != ZKR_OK)
            return r;
        /* One signer, one entry: secp256k1:HEX and eth:ADDRESS of one key are one signer. */
        zkr_pubkey_identity(&p->keys[i], a);
        for (size_t j = 0; j < i; j++) {
            zkr_pubkey_identity(&p->keys[j], b);
            if (strcmp(a, b) == 0)
                return zkr_fail(d, ZKR_ERR_MALFORMED,
                                "policy: trusted_keys[%zu] names the same signer as "
                                "trusted_keys[%zu] (%s; a signer counts once)",
                                i, j,
                                p->keys[i].type == p->keys[j].type
                                    ? "the same key"
                                    : "a secp256k1 key and its Ethereum address");
        }
    }
    p->nkeys = json_array_size(arr);
    return ZKR_OK;
}

static zkr_err policy_schemas(const json_t *arr, zkr_policy *p, zkr_diag *d)
{
    size_t i;
    json_t *v;

    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > ZKR_POLICY_MAX_SCHEMAS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "policy: 'schemas' must list 1 to %d entries",
                        ZKR_POLICY_MAX_SCHEMAS);
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v), *at;
        if (s == NULL || strlen(s) >= sizeof p->schemas[0] || (at = strchr(s, '@')) == NULL ||
            at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "policy: schemas[%zu] is not 'name@version' or 'name@*'", i);
        snprintf(p->schemas[i], sizeof p->schemas[i], "%s", s);
    }
    p->nschemas = json_array_size(arr);
    return ZKR_OK;
}

zkr_err zkr_verifier_ref_parse(const char *ref, char version[ZKR_ATTEST_TEXT_MAX + 1])
{
    const char *at = ref ? strrchr(ref, '@') : NULL, *first = ref ? strchr(ref, '@') : NULL;

    version[0] = '\0';
    if (at == NULL || first == NULL || first == at || first == ref || first + 1 == at ||
        at[1] == '\0' || strlen(at + 1) > ZKR_ATTEST_TEXT_MAX ||
        strlen(ref) > 2 * ZKR_ATTEST_TEXT_MAX + 1)
        return ZKR_ERR_MALFORMED;
    for (const char *c = ref; *c != '\0'; c++)
        if (*c <= ' ' || *c > '~')
            return ZKR_ERR_MALFORMED;
    snprintf(version, ZKR_ATTEST_TEXT_MAX + 1, "%s", at + 1);
    return ZKR_OK;
}

long zkr_verifier_revoked_in(const char (*list)[2 * ZKR_ATTEST_TEXT_MAX + 2], size_t n,
                             const char *version)
{
    char v[ZKR_ATTEST_TEXT_MAX + 1];

    for (size_t i = 0; i < n; i++)
        if (zkr_verifier_ref_parse(list[i], v) != ZKR_OK || strcmp(v, version) == 0)
            return (long)i; /* an entry that does not parse refuses too: fail closed */
    return -1;
}

static zkr_err policy_verifiers(const json_t *arr, zkr_policy *p, zkr_diag *d)
{
    char v[ZKR_ATTEST_TEXT_MAX + 1];
    size_t i;
    json_t *e;

    if (arr == NULL)
        return ZKR_OK;
    if (!json_is_array(arr) || json_array_size(arr) > ZKR_POLICY_MAX_REVOKED_VERIFIERS)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "policy: 'revoked_verifiers' must be an array of at most %d entries",
                        ZKR_POLICY_MAX_REVOKED_VERIFIERS);
    json_array_foreach(arr, i, e) {
        const char *s = json_string_value(e);
        if (s == NULL || zkr_verifier_ref_parse(s, v) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "policy: revoked_verifiers[%zu] is not 'KIND@VERSION' (such as "
                            "inference@1@0.1.0)",
                            i);
        snprintf(p->revoked_verifiers[i], sizeof p->revoked_verifiers[i], "%s", s);
    }
    p->nrevoked_verifiers = json_array_size(arr);
    return ZKR_OK;
}

static zkr_err policy_bool(const json_t *j, const char *key, int required, int *out, zkr_diag *d)
{
    const json_t *v = json_object_get(j, key);

    *out = 0;
    if (v == NULL && !required)
        return ZKR_OK;
    if (v == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "policy: '%s' is required (true or false)", key);
    if (!json_is_boolean(v))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "policy: '%s' must be true or false", key);
    *out = json_is_true(v);
    return ZKR_OK;
}

/* require_evaluation: {"dataset":HEX,"min_correct":K[,"record_first":F,"record_count":C]}. */
static zkr_err policy_evaluation(const json_t *o, zkr_policy *p, zkr_diag *d)
{
    static const char *const f[] = {"dataset", "min_correct", "record_first", "record_count",
                                    NULL};
    const char *hex;
    int has_first, has_count;
    zkr_err r;

    if (o == NULL)
        return ZKR_OK;
    if (!json_is_object(o))
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "policy: 'require_evaluation' must be an object {\"dataset\", "
                        "\"min_correct\"[, \"record_first\", \"record_count\"]}");
    if ((r = zkr_signer_json_fields(o, f, "policy require_evaluation", d)) != ZKR_OK ||
        (r = zkr_signer_json_str(o, "dataset", 64, "policy require_evaluation", &hex, d)) !=
            ZKR_OK)
        return r;
    if (zkr_hex_decode_exact(hex, p->eval_dataset, ZKR_DIGEST_BYTES) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "policy: require_evaluation.dataset must be the dataset's sha256 (64 hex "
                        "digits)");
    if ((r = zkr_signer_json_u64(o, "min_correct", "policy require_evaluation",
                                 &p->eval_min_correct, d)) != ZKR_OK)
        return r;
    if (p->eval_min_correct == 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "policy: require_evaluation.min_correct must be at least 1");
    has_first = json_object_get(o, "record_first") != NULL;
    has_count = json_object_get(o, "record_count") != NULL;
    if (has_first != has_count)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "policy: require_evaluation takes record_first and record_count together "
                        "(neither: the whole dataset)");
    if (has_first &&
        ((r = zkr_signer_json_u64(o, "record_first", "policy require_evaluation", &p->eval_first,
                                  d)) != ZKR_OK ||
         (r = zkr_signer_json_u64(o, "record_count", "policy require_evaluation", &p->eval_count,
                                  d)) != ZKR_OK))
        return r;
    if (has_first && (p->eval_count == 0 || p->eval_first > UINT64_MAX - p->eval_count))
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "policy: require_evaluation's range must hold at least one record and "
                        "not wrap");
    if (has_first && p->eval_min_correct > p->eval_count)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "policy: require_evaluation.min_correct %llu is above its %llu records",
                        (unsigned long long)p->eval_min_correct,
                        (unsigned long long)p->eval_count);
    p->eval_has_range = has_first;
    p->require_evaluation = 1;
    return ZKR_OK;
}

zkr_err zkr_policy_parse(const uint8_t *p, size_t len, zkr_policy *out, zkr_diag *d)
{
    static const char *const f[] = {"format", "trusted_keys", "threshold", "schemas",
                                    "max_age_seconds", "require_log_inclusion",
                                    "check_revocation", "revoked_verifiers",
                                    "require_evaluation", NULL};
    const char *fmt;
    uint64_t th = 0;
    json_t *j = NULL;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_signer_json_load(p, len, 1 << 20, "policy", &j, d)) != ZKR_OK ||
        (r = zkr_signer_json_fields(j, f, "policy", d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "format", 64, "policy", &fmt, d)) != ZKR_OK)
        goto out;
    if (strcmp(fmt, POLICY_FORMAT) != 0) {
        r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "policy: format '%.64s' is not %s", fmt,
                     POLICY_FORMAT);
        goto out;
    }
    if ((r = policy_keys(json_object_get(j, "trusted_keys"), out, d)) != ZKR_OK ||
        (r = zkr_signer_json_u64(j, "threshold", "policy", &th, d)) != ZKR_OK)
        goto out;
    if (th == 0 || th > out->nkeys) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "policy: threshold %llu must be 1..%zu (trusted keys)",
                     (unsigned long long)th, out->nkeys);
        goto out;
    }
    out->threshold = (uint32_t)th;
    if ((r = policy_schemas(json_object_get(j, "schemas"), out, d)) != ZKR_OK ||
        (r = policy_bool(j, "require_log_inclusion", 1, &out->require_inclusion, d)) != ZKR_OK ||
        /* Explicit in every policy: an omitted check must not silently mean "off". */
        (r = policy_bool(j, "check_revocation", 1, &out->check_revocation, d)) != ZKR_OK ||
        (r = policy_verifiers(json_object_get(j, "revoked_verifiers"), out, d)) != ZKR_OK ||
        (r = policy_evaluation(json_object_get(j, "require_evaluation"), out, d)) != ZKR_OK)
        goto out;
    if (json_object_get(j, "max_age_seconds") == NULL) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED,
                     "policy: 'max_age_seconds' is required (the oldest attestation it accepts, "
                     "in seconds)");
        goto out;
    }
    if ((r = zkr_signer_json_u64(j, "max_age_seconds", "policy", &out->max_age, d)) != ZKR_OK)
        goto out;
    out->has_max_age = 1;
out:
    json_decref(j);
    if (r != ZKR_OK)
        memset(out, 0, sizeof *out);
    return r;
}

static int schema_allowed(const zkr_policy *p, const zkr_attest_facts *f)
{
    char full[2 * ZKR_ATTEST_TEXT_MAX + 2], any[ZKR_ATTEST_TEXT_MAX + 3];

    snprintf(full, sizeof full, "%s@%s", f->schema_name, f->schema_version);
    snprintf(any, sizeof any, "%s@*", f->schema_name);
    for (size_t i = 0; i < p->nschemas; i++)
        if (strcmp(p->schemas[i], full) == 0 || strcmp(p->schemas[i], any) == 0)
            return 1;
    return 0;
}

static int same_subjects(const zkr_attest_facts *a, const zkr_attest_facts *b)
{
    return memcmp(a->statement_id, b->statement_id, 32) == 0 &&
           memcmp(a->proof_sha256, b->proof_sha256, 32) == 0 &&
           memcmp(a->program_sha256, b->program_sha256, 32) == 0 &&
           memcmp(a->model_sha256, b->model_sha256, 32) == 0 &&
           memcmp(a->dataset_sha256, b->dataset_sha256, 32) == 0;
}

static zkr_err fail_rule(zkr_gate_report *rep, zkr_gate_rule rule, zkr_err e, zkr_diag *d)
{
    rep->failed_rule = rule;
    rep->err = e;
    snprintf(rep->message, sizeof rep->message, "%s",
             d->msg[0] != '\0' ? d->msg : zkr_strerror(e));
    return e;
}

/* Rules 1-3: parse everything, one statement, enough distinct trusted keys. */
static zkr_err gate_signatures(const zkr_policy *pol, const zkr_buf *atts, size_t n,
                               zkr_attest_result *res, zkr_gate_report *rep, zkr_diag *d)
{
    int counted[ZKR_POLICY_MAX_KEYS] = {0};
    size_t bad = 0, unknown = 0;
    zkr_err r;

    for (size_t i = 0; i < n; i++) {
        if ((r = zkr_signer_verify_sigs(atts[i].p, atts[i].len, pol->keys, pol->nkeys, &res[i],
                                        d)) != ZKR_OK) {
            zkr_diag inner = *d;
            zkr_diag_clear(d);
            (void)!zkr_fail(d, r, "attestation %zu: %s", i + 1, inner.msg);
            return fail_rule(rep, ZKR_GATE_FORMAT, r, d);
        }
        if (i == 0)
            rep->facts = res[0].facts;
        if (!same_subjects(&res[0].facts, &res[i].facts)) {
            (void)!zkr_fail(d, ZKR_ERR_POLICY,
                           "attestation %zu attests another statement or proof than attestation 1",
                           i + 1);
            return fail_rule(rep, ZKR_GATE_SAME_STATEMENT, ZKR_ERR_POLICY, d);
        }
        for (size_t k = 0; k < res[i].nsigs; k++) {
            const zkr_sig_outcome *o = &res[i].sigs[k];
            if (!o->trusted)
                unknown++;
            else if (!o->valid)
                bad++;
            else if (!counted[o->signer_ix]) {
                /* By signer identity: one key under two names counts once. */
                counted[o->signer_ix] = 1;
                zkr_pubkey_keyid(&pol->keys[o->signer_ix], rep->keyids[rep->distinct_keys]);
                rep->distinct_keys++;
            }
        }
    }
    if (bad > 0) {
        (void)!zkr_fail(d, ZKR_ERR_SIGNATURE,
                       "%zu signature(s) by trusted keys do not verify (tampered payload or "
                       "forged signature)",
                       bad);
        return fail_rule(rep, ZKR_GATE_THRESHOLD, ZKR_ERR_SIGNATURE, d);
    }
    if (rep->distinct_keys < pol->threshold) {
        (void)!zkr_fail(d, ZKR_ERR_POLICY,
                       "%zu distinct trusted key(s) signed, the policy needs %u (%zu signature(s) "
                       "by keys the policy does not trust)",
                       rep->distinct_keys, pol->threshold, unknown);
        return fail_rule(rep, ZKR_GATE_THRESHOLD, ZKR_ERR_POLICY, d);
    }
    return ZKR_OK;
}

/* Rules 4-5 for one attestation. */
static zkr_err gate_facts(const zkr_policy *pol, const zkr_attest_facts *f, size_t i,
                          int64_t now, zkr_gate_report *rep, zkr_diag *d)
{
    if (!schema_allowed(pol, f)) {
        (void)!zkr_fail(d, ZKR_ERR_MISMATCH_SCHEMA,
                       "attestation %zu: schema %s@%s is not allowed by the policy", i + 1,
                       f->schema_name, f->schema_version);
        return fail_rule(rep, ZKR_GATE_SCHEMA, ZKR_ERR_MISMATCH_SCHEMA, d);
    }
    if (f->time > now + GATE_CLOCK_SKEW) {
        (void)!zkr_fail(d, ZKR_ERR_POLICY, "attestation %zu is dated %lld s in the future", i + 1,
                       (long long)(f->time - now));
        return fail_rule(rep, ZKR_GATE_MAX_AGE, ZKR_ERR_POLICY, d);
    }
    if (pol->has_max_age && now > f->time && (uint64_t)(now - f->time) > pol->max_age) {
        (void)!zkr_fail(d, ZKR_ERR_EXPIRED,
                       "attestation %zu is %lld s old; the policy allows %llu s", i + 1,
                       (long long)(now - f->time), (unsigned long long)pol->max_age);
        return fail_rule(rep, ZKR_GATE_MAX_AGE, ZKR_ERR_EXPIRED, d);
    }
    return ZKR_OK;
}

/* Rules 6-8: what only the registry or the evidence knows. */
static zkr_err gate_registry(const zkr_policy *pol, const zkr_attest_result *res, size_t n,
                             const zkr_attest_registry *reg, zkr_gate_report *rep, zkr_diag *d)
{
    zkr_err r;

    for (size_t i = 0; i < n && pol->require_inclusion; i++) {
        if (reg == NULL || reg->inclusion == NULL) {
            (void)!zkr_fail(d, ZKR_ERR_VERIFY,
                           "the policy requires log inclusion, but no registry or evidence "
                           "(--evidence) was given to prove it");
            return fail_rule(rep, ZKR_GATE_INCLUSION, ZKR_ERR_VERIFY, d);
        }
        if ((r = reg->inclusion(reg->ctx, &res[i].facts, d)) != ZKR_OK)
            return fail_rule(rep, ZKR_GATE_INCLUSION, r, d);
    }
    for (size_t i = 0; i < n; i++) {
        long k = zkr_verifier_revoked_in((const char(*)[2 * ZKR_ATTEST_TEXT_MAX + 2])
                                             pol->revoked_verifiers,
                                         pol->nrevoked_verifiers, res[i].facts.verifier_version);
        if (k >= 0) {
            (void)!zkr_fail(d, ZKR_ERR_REVOKED,
                           "attestation %zu was made by verifier %s, which the policy revokes "
                           "(revoked_verifiers: %s)",
                           i + 1, res[i].facts.verifier_version, pol->revoked_verifiers[k]);
            return fail_rule(rep, ZKR_GATE_REVOCATION, ZKR_ERR_REVOKED, d);
        }
    }
    for (size_t i = 0; i < n && pol->check_revocation; i++) {
        if (reg == NULL || reg->revoked == NULL) {
            (void)!zkr_fail(d, ZKR_ERR_REVOKED,
                           "the policy requires a revocation check, but no registry or evidence "
                           "was given");
            return fail_rule(rep, ZKR_GATE_REVOCATION, ZKR_ERR_REVOKED, d);
        }
        for (size_t k = 0; k < res[i].nsigs; k++)
            if (res[i].sigs[k].valid &&
                (r = reg->revoked(reg->ctx, &res[i].facts, &pol->keys[res[i].sigs[k].trusted_ix],
                                  d)) != ZKR_OK)
                return fail_rule(rep, ZKR_GATE_REVOCATION, r, d);
    }
    if (reg != NULL && reg->statement != NULL && n > 0 &&
        (r = reg->statement(reg->ctx, &res[0].facts, d)) != ZKR_OK)
        return fail_rule(rep, ZKR_GATE_STATEMENT, r, d);
    return ZKR_OK;
}

/* Rules 1-8 over one set of attestations (the release's, or the evaluation's). */
static zkr_err gate_set(const zkr_policy *pol, const zkr_buf *atts, size_t n, int64_t now,
                        const zkr_attest_registry *reg, zkr_gate_report *rep)
{
    zkr_attest_result *res = NULL;
    zkr_diag d;
    zkr_err r;

    memset(rep, 0, sizeof *rep);
    zkr_diag_clear(&d);
    rep->nattestations = n;
    rep->threshold = pol->threshold;
    if (n == 0) {
        (void)!zkr_fail(&d, ZKR_ERR_USAGE, "no attestation given");
        return fail_rule(rep, ZKR_GATE_FORMAT, ZKR_ERR_USAGE, &d);
    }
    res = calloc(n, sizeof *res);
    if (res == NULL)
        return ZKR_ERR_NOMEM;
    if ((r = gate_signatures(pol, atts, n, res, rep, &d)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((r = gate_facts(pol, &res[i].facts, i, now, rep, &d)) != ZKR_OK)
            goto out;
    r = gate_registry(pol, res, n, reg, rep, &d);
out:
    free(res);
    return r;
}

/* Whether the evaluation claim c, attested by ef, meets the policy for the release's model. */
static zkr_err eval_claim_ok(const zkr_policy *pol, const zkr_attest_facts *release,
                             const zkr_attest_facts *ef, const zkr_eval_claim *c, zkr_diag *d)
{
    char want[65], got[65];
    uint64_t first = pol->eval_has_range ? pol->eval_first : 0;
    uint64_t count = pol->eval_has_range ? pol->eval_count : c->dataset_records;

    if (!c->is_evaluation)
        return zkr_fail(d, ZKR_ERR_POLICY,
                        "the evaluation attestation's statement is %s, not evaluation@1 or "
                        "evaluation-graph@1",
                        c->proof_kind);
    if (memcmp(ef->model_sha256, release->model_sha256, 32) != 0) {
        (void)!zkr_hex_encode(ef->model_sha256, 32, got, sizeof got);
        (void)!zkr_hex_encode(release->model_sha256, 32, want, sizeof want);
        return zkr_fail(d, ZKR_ERR_POLICY,
                        "the evaluation is of model %.16s.., the release attests model %.16s..",
                        got, want);
    }
    if (memcmp(ef->dataset_sha256, pol->eval_dataset, 32) != 0) {
        (void)!zkr_hex_encode(ef->dataset_sha256, 32, got, sizeof got);
        (void)!zkr_hex_encode(pol->eval_dataset, 32, want, sizeof want);
        return zkr_fail(d, ZKR_ERR_POLICY,
                        "the evaluation is on dataset %.16s.., the policy requires dataset "
                        "%.16s..",
                        got, want);
    }
    if (c->first != first || c->count != count || c->out_count != count)
        return zkr_fail(d, ZKR_ERR_POLICY,
                        "the evaluation covers records %llu..+%llu, the policy requires "
                        "%llu..+%llu%s",
                        (unsigned long long)c->first, (unsigned long long)c->count,
                        (unsigned long long)first, (unsigned long long)count,
                        pol->eval_has_range ? "" : " (the whole dataset)");
    /* Exact: value is the count; threshold: value is tau, and correct >= tau is what was proven. */
    if (c->value < pol->eval_min_correct)
        return zkr_fail(d, ZKR_ERR_POLICY,
                        "the evaluation proves %s %llu of %llu correct, the policy requires at "
                        "least %llu",
                        c->mode == 0 ? "exactly" : "at least", (unsigned long long)c->value,
                        (unsigned long long)c->out_count,
                        (unsigned long long)pol->eval_min_correct);
    return ZKR_OK;
}

/* The evaluation rule: the evaluation attestations pass rules 1-8, then their claim suffices. */
static zkr_err gate_evaluation(const zkr_policy *pol, const zkr_buf *evals, size_t ne, int64_t now,
                               const zkr_attest_registry *reg, zkr_gate_report *rep)
{
    zkr_gate_report *sub = calloc(1, sizeof *sub);
    zkr_eval_claim c;
    zkr_diag d;
    zkr_err r;

    if (sub == NULL)
        return ZKR_ERR_NOMEM;
    zkr_diag_clear(&d);
    memset(&c, 0, sizeof c);
    if (ne == 0) {
        (void)!zkr_fail(&d, ZKR_ERR_POLICY,
                        "the policy requires an evaluation attestation (require_evaluation); "
                        "none was given (--evaluation FILE)");
        r = fail_rule(rep, ZKR_GATE_EVALUATION, ZKR_ERR_POLICY, &d);
        goto out;
    }
    if ((r = gate_set(pol, evals, ne, now, reg, sub)) != ZKR_OK) {
        /* The failing rule and its exit code stay those of the sub-gate. */
        (void)!zkr_fail(&d, r, "evaluation attestations: %s", sub->message);
        r = fail_rule(rep, sub->failed_rule, r, &d);
        goto out;
    }
    if (reg == NULL || reg->evaluation == NULL) {
        (void)!zkr_fail(&d, ZKR_ERR_VERIFY,
                        "the policy requires an evaluation claim, which only the registry can "
                        "read (the attestation names its statement by id); no registry was given");
        r = fail_rule(rep, ZKR_GATE_EVALUATION, ZKR_ERR_VERIFY, &d);
        goto out;
    }
    if ((r = reg->evaluation(reg->ctx, &sub->facts, &c, &d)) != ZKR_OK ||
        (r = eval_claim_ok(pol, &rep->facts, &sub->facts, &c, &d)) != ZKR_OK) {
        r = fail_rule(rep, ZKR_GATE_EVALUATION, r, &d);
        goto out;
    }
    rep->evaluated = 1;
    rep->eval = c;
    memcpy(rep->eval_statement, sub->facts.statement_id, ZKR_DIGEST_BYTES);
out:
    free(sub);
    return r;
}

zkr_err zkr_gate_eval(const zkr_policy *pol, const zkr_buf *atts, size_t n, const zkr_buf *evals,
                      size_t ne, int64_t now, const zkr_attest_registry *reg,
                      zkr_gate_report *rep)
{
    zkr_diag d;
    zkr_err r;

    if (ne > 0 && !pol->require_evaluation) {
        memset(rep, 0, sizeof *rep);
        zkr_diag_clear(&d);
        (void)!zkr_fail(&d, ZKR_ERR_USAGE,
                        "evaluation attestations were given, but the policy has no "
                        "require_evaluation; they would be ignored");
        return fail_rule(rep, ZKR_GATE_EVALUATION, ZKR_ERR_USAGE, &d);
    }
    if ((r = gate_set(pol, atts, n, now, reg, rep)) != ZKR_OK || !pol->require_evaluation)
        return r;
    return gate_evaluation(pol, evals, ne, now, reg, rep);
}

zkr_err zkr_gate(const zkr_policy *pol, const zkr_buf *atts, size_t n, int64_t now,
                 const zkr_attest_registry *reg, zkr_gate_report *rep)
{
    return zkr_gate_eval(pol, atts, n, NULL, 0, now, reg, rep);
}

zkr_err zkr_gate_report_json(const zkr_gate_report *rep, zkr_buf *out)
{
    char sid[65], schema[2 * ZKR_ATTEST_TEXT_MAX + 2] = "";
    json_t *keys = json_array(), *j;
    zkr_err r;

    out->len = 0;
    if (keys == NULL)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < rep->distinct_keys; i++)
        (void)json_array_append_new(keys, json_string(rep->keyids[i]));
    (void)!zkr_hex_encode(rep->facts.statement_id, 32, sid, sizeof sid);
    if (rep->facts.schema_name[0] != '\0')
        snprintf(schema, sizeof schema, "%s@%s", rep->facts.schema_name,
                 rep->facts.schema_version);
    j = json_pack("{s:b, s:s?, s:i, s:s, s:I, s:I, s:I, s:o, s:s, s:s}", "ok",
                  rep->failed_rule == 0, "rule",
                  rep->failed_rule ? zkr_gate_rule_name(rep->failed_rule) : NULL, "exit_code",
                  zkr_err_exit_code(rep->err), "message", rep->message, "attestations",
                  (json_int_t)rep->nattestations, "threshold", (json_int_t)rep->threshold,
                  "distinct_keys", (json_int_t)rep->distinct_keys, "keys", keys, "statement", sid,
                  "schema", schema);
    if (j == NULL)
        return ZKR_ERR_NOMEM;
    if (rep->evaluated) {
        char esid[65];
        (void)!zkr_hex_encode(rep->eval_statement, 32, esid, sizeof esid);
        (void)json_object_set_new(
            j, "evaluation",
            json_pack("{s:s, s:s, s:I, s:I, s:I}", "statement", esid, "claim",
                      rep->eval.mode == 0 ? "exact" : "at-least", "correct",
                      (json_int_t)rep->eval.value, "first", (json_int_t)rep->eval.first,
                      "records", (json_int_t)rep->eval.count));
    }
    if ((r = zkr_signer_json_dump(j, out)) == ZKR_OK)
        r = zkr_buf_append(out, "\n", 1);
    json_decref(j);
    return r;
}
