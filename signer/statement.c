/*
 * signer: the attestation payload, an in-toto Statement v1 with the zkreg
 * predicate. Written with sorted keys and no whitespace, and read back only
 * if it re-encodes to the very same bytes, so each set of facts has exactly
 * one accepted encoding.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "signer/signer_int.h"

#define INTOTO_TYPE "https://in-toto.io/Statement/v1"

static const char *const subject_names[5] = {"zkreg:statement", "zkreg:proof", "zkreg:program",
                                             "zkreg:model", "zkreg:dataset"};

static zkr_err text_ok(const char *s, const char *field, int no_at, zkr_diag *d)
{
    size_t n = strnlen(s, ZKR_ATTEST_TEXT_MAX + 1);

    if (n == 0 || n > ZKR_ATTEST_TEXT_MAX)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "attestation field '%s' is empty or longer than %d",
                        field, ZKR_ATTEST_TEXT_MAX);
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e || (no_at && s[i] == '@'))
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "attestation field '%s' must be printable ASCII%s", field,
                            no_at ? " without '@'" : "");
    return ZKR_OK;
}

zkr_err zkr_attest_facts_check(const zkr_attest_facts *f, zkr_diag *d)
{
    zkr_err r;

    if ((r = text_ok(f->schema_name, "schema name", 1, d)) != ZKR_OK ||
        (r = text_ok(f->schema_version, "schema version", 1, d)) != ZKR_OK ||
        (r = text_ok(f->verifier_version, "verifier version", 0, d)) != ZKR_OK ||
        (r = text_ok(f->checkpoint_origin, "checkpoint origin", 0, d)) != ZKR_OK)
        return r;
    if (f->accepted != 1)
        return zkr_fail(d, ZKR_ERR_VERIFY, "the verifier did not accept the proof: not signing");
    if (f->checkpoint_size > INT64_MAX || f->log_index >= f->checkpoint_size)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "log index %llu is not inside the checkpoint of size %llu",
                        (unsigned long long)f->log_index, (unsigned long long)f->checkpoint_size);
    if (f->time < 0 || f->time > 253402300799LL) /* 9999-12-31T23:59:59Z */
        return zkr_fail(d, ZKR_ERR_MALFORMED, "attestation time out of range");
    return ZKR_OK;
}

static json_t *digest_obj(const uint8_t h[32])
{
    char hex[65];

    (void)!zkr_hex_encode(h, 32, hex, sizeof hex);
    return json_pack("{s:s}", "sha256", hex);
}

static json_t *build(const zkr_attest_facts *f)
{
    const uint8_t *subj[5] = {f->statement_id, f->proof_sha256, f->program_sha256,
                              f->model_sha256, f->dataset_sha256};
    char root[65], sid[65], when[32];
    struct tm tm;
    time_t t = (time_t)f->time;
    json_t *subjects = json_array(), *pred;

    if (subjects == NULL)
        return NULL;
    for (int i = 0; i < 5; i++)
        if (json_array_append_new(subjects, json_pack("{s:s, s:o}", "name", subject_names[i],
                                                      "digest", digest_obj(subj[i]))) != 0) {
            json_decref(subjects);
            return NULL;
        }
    (void)!zkr_hex_encode(f->checkpoint_root, 32, root, sizeof root);
    (void)!zkr_hex_encode(f->statement_id, 32, sid, sizeof sid);
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20) {
        json_decref(subjects);
        return NULL;
    }
    pred = json_pack("{s:{s:s, s:s, s:I}, s:I, s:s, s:{s:s, s:s, s:o}, s:s, s:s, s:{s:s}}",
                     "checkpoint", "origin", f->checkpoint_origin, "rootHash", root, "treeSize",
                     (json_int_t)f->checkpoint_size, "logIndex", (json_int_t)f->log_index,
                     "result", "accepted", "schema", "name", f->schema_name, "version",
                     f->schema_version, "digest", digest_obj(f->schema_digest), "statementId",
                     sid, "time", when, "verifier", "version", f->verifier_version);
    return json_pack("{s:s, s:o, s:s, s:o}", "_type", INTOTO_TYPE, "subject", subjects,
                     "predicateType", ZKR_ATTEST_PREDICATE_TYPE, "predicate", pred);
}

zkr_err zkr_attest_payload(const zkr_attest_facts *f, zkr_buf *out, zkr_diag *d)
{
    json_t *j;
    zkr_err r;

    out->len = 0;
    if ((r = zkr_attest_facts_check(f, d)) != ZKR_OK)
        return r;
    j = build(f);
    if (j == NULL)
        return ZKR_ERR_NOMEM;
    r = zkr_signer_json_dump(j, out);
    json_decref(j);
    return r;
}

static zkr_err copy_text(const json_t *o, const char *key, const char *what, char *dst,
                         zkr_diag *d)
{
    const char *s;
    zkr_err r = zkr_signer_json_str(o, key, ZKR_ATTEST_TEXT_MAX, what, &s, d);

    if (r == ZKR_OK)
        memcpy(dst, s, strlen(s) + 1);
    return r;
}

static zkr_err parse_time(const char *s, int64_t *out, zkr_diag *d)
{
    struct tm tm;
    char *end;

    memset(&tm, 0, sizeof tm);
    end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0' || strlen(s) != 20)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "attestation: predicate.time '%.32s' is not YYYY-MM-DDTHH:MM:SSZ", s);
    *out = (int64_t)timegm(&tm);
    return ZKR_OK;
}

static zkr_err parse_subjects(const json_t *arr, zkr_attest_facts *f, zkr_diag *d)
{
    uint8_t *dst[5] = {f->statement_id, f->proof_sha256, f->program_sha256, f->model_sha256,
                       f->dataset_sha256};
    static const char *const sf[] = {"name", "digest", NULL}, *const df[] = {"sha256", NULL};
    zkr_err r;

    if (!json_is_array(arr) || json_array_size(arr) != 5)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "attestation: 'subject' must list 5 subjects");
    for (size_t i = 0; i < 5; i++) {
        json_t *s = json_array_get(arr, i);
        const char *name;
        if ((r = zkr_signer_json_fields(s, sf, "attestation subject", d)) != ZKR_OK ||
            (r = zkr_signer_json_str(s, "name", 64, "attestation subject", &name, d)) != ZKR_OK ||
            (r = zkr_signer_json_fields(json_object_get(s, "digest"), df,
                                        "attestation subject digest", d)) != ZKR_OK ||
            (r = zkr_signer_json_hex32(json_object_get(s, "digest"), "sha256",
                                       "attestation subject digest", dst[i], d)) != ZKR_OK)
            return r;
        if (strcmp(name, subject_names[i]) != 0)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "attestation: subject %zu must be '%s'", i,
                            subject_names[i]);
    }
    return ZKR_OK;
}

static zkr_err parse_predicate(const json_t *p, zkr_attest_facts *f, zkr_diag *d)
{
    static const char *const pf[] = {"checkpoint", "logIndex", "result", "schema",
                                     "statementId", "time", "verifier", NULL};
    static const char *const cf[] = {"origin", "rootHash", "treeSize", NULL};
    static const char *const sf[] = {"name", "version", "digest", NULL};
    static const char *const vf[] = {"version", NULL}, *const df[] = {"sha256", NULL};
    const json_t *cp = json_object_get(p, "checkpoint"), *sc = json_object_get(p, "schema");
    const char *result, *when;
    uint8_t sid[32];
    zkr_err r;

    if ((r = zkr_signer_json_fields(p, pf, "attestation predicate", d)) != ZKR_OK ||
        (r = zkr_signer_json_fields(cp, cf, "predicate.checkpoint", d)) != ZKR_OK ||
        (r = zkr_signer_json_fields(sc, sf, "predicate.schema", d)) != ZKR_OK ||
        (r = zkr_signer_json_fields(json_object_get(sc, "digest"), df, "predicate.schema.digest",
                                    d)) != ZKR_OK ||
        (r = zkr_signer_json_fields(json_object_get(p, "verifier"), vf, "predicate.verifier",
                                    d)) != ZKR_OK ||
        (r = copy_text(cp, "origin", "predicate.checkpoint", f->checkpoint_origin, d)) != ZKR_OK ||
        (r = zkr_signer_json_hex32(cp, "rootHash", "predicate.checkpoint", f->checkpoint_root,
                                   d)) != ZKR_OK ||
        (r = zkr_signer_json_u64(cp, "treeSize", "predicate.checkpoint", &f->checkpoint_size,
                                 d)) != ZKR_OK ||
        (r = zkr_signer_json_u64(p, "logIndex", "predicate", &f->log_index, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(p, "result", 16, "predicate", &result, d)) != ZKR_OK ||
        (r = copy_text(sc, "name", "predicate.schema", f->schema_name, d)) != ZKR_OK ||
        (r = copy_text(sc, "version", "predicate.schema", f->schema_version, d)) != ZKR_OK ||
        (r = zkr_signer_json_hex32(json_object_get(sc, "digest"), "sha256",
                                   "predicate.schema.digest", f->schema_digest, d)) != ZKR_OK ||
        (r = zkr_signer_json_hex32(p, "statementId", "predicate", sid, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(p, "time", 32, "predicate", &when, d)) != ZKR_OK ||
        (r = parse_time(when, &f->time, d)) != ZKR_OK ||
        (r = copy_text(json_object_get(p, "verifier"), "version", "predicate.verifier",
                       f->verifier_version, d)) != ZKR_OK)
        return r;
    if (strcmp(result, "accepted") != 0)
        return zkr_fail(d, ZKR_ERR_VERIFY, "attestation: result is '%.16s', not 'accepted'",
                        result);
    f->accepted = 1;
    if (memcmp(sid, f->statement_id, 32) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "attestation: predicate.statementId differs from the statement subject");
    return ZKR_OK;
}

static zkr_err parse(const uint8_t *p, size_t len, zkr_attest_facts *f, zkr_diag *d)
{
    static const char *const tf[] = {"_type", "subject", "predicateType", "predicate", NULL};
    const char *type, *ptype;
    json_t *j = NULL;
    zkr_buf again = {0};
    zkr_err r;

    if ((r = zkr_signer_json_load(p, len, ZKR_DSSE_MAX_BYTES, "attestation payload", &j, d)) !=
            ZKR_OK ||
        (r = zkr_signer_json_fields(j, tf, "attestation payload", d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "_type", 64, "attestation payload", &type, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "predicateType", 128, "attestation payload", &ptype, d)) !=
            ZKR_OK)
        goto out;
    if (strcmp(type, INTOTO_TYPE) != 0) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "attestation: _type is not %s", INTOTO_TYPE);
        goto out;
    }
    if (strcmp(ptype, ZKR_ATTEST_PREDICATE_TYPE) != 0) {
        r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "attestation: predicateType '%.128s' is not %s",
                     ptype, ZKR_ATTEST_PREDICATE_TYPE);
        goto out;
    }
    if ((r = parse_subjects(json_object_get(j, "subject"), f, d)) != ZKR_OK ||
        (r = parse_predicate(json_object_get(j, "predicate"), f, d)) != ZKR_OK ||
        (r = zkr_attest_payload(f, &again, d)) != ZKR_OK)
        goto out;
    if (again.len != len || memcmp(again.p, p, len) != 0)
        r = zkr_fail(d, ZKR_ERR_MALFORMED,
                     "attestation payload is not in canonical form (sorted keys, compact)");
out:
    zkr_buf_free(&again);
    json_decref(j);
    return r;
}

zkr_err zkr_attest_payload_parse(const uint8_t *p, size_t len, zkr_attest_facts *out,
                                 zkr_diag *d)
{
    zkr_err r;

    memset(out, 0, sizeof *out);
    r = parse(p, len, out, d);
    if (r != ZKR_OK)
        memset(out, 0, sizeof *out);
    return r;
}
