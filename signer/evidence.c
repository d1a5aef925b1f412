/*
 * signer: offline evidence for verify-attestation and the gate. Consistency
 * proofs, inclusion proofs and the revocation set are checked when the
 * evidence is loaded, so the only trusted input is the checkpoint the user
 * chose to trust (its origin, size, root and signed revocation-set
 * commitment, as `zkreg log verify` shows them from the signed note).
 *
 * Revocations are never taken from a list the evidence asserts: v2 evidence
 * carries every "revocation" leaf below the trusted size, each with its
 * inclusion proof, and their count and digest (common.h zkr_revset) must be
 * the checkpoint's. v1 evidence has no such set: revocation checks on it
 * fail closed.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signer/signer_int.h"

#define EVIDENCE_FORMAT_V1 "zkreg-evidence/v1"
#define EVIDENCE_FORMAT "zkreg-evidence/v2"
#define EVIDENCE_MAX_ITEMS 4096

typedef struct {
    uint64_t size;
    uint8_t root[32];
} zkr_evidence_cp;

/* A zkreg-log-inclusion/v1 document (docs/formats.md section 6). */
typedef struct {
    uint64_t index, tree_size;
    uint8_t leaf_hash[32];
    uint8_t statement_id[32], proof_digest[32];
    char verifier_version[ZKR_ATTEST_TEXT_MAX + 1];
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][32];
    size_t path_len;
} zkr_evidence_incl;

/* A revocation leaf of the set: its kind and target (docs/formats.md, "revocation"). */
typedef struct {
    char kind[16];
    uint8_t target[32];
} zkr_evidence_rev;

struct zkr_evidence {
    char origin[ZKR_ATTEST_TEXT_MAX + 1];
    zkr_evidence_cp trusted;
    zkr_evidence_cp *older; /* proven consistent with trusted */
    size_t nolder;
    int has_revset;           /* the trusted checkpoint's revocation set was proven complete */
    uint64_t revset_count;    /* the trusted checkpoint's commitment */
    uint8_t revset_digest[32];
    zkr_evidence_rev *revoked; /* every revocation below the trusted size */
    size_t nrevoked;
    zkr_buf note; /* the signed checkpoint note ("note", v2), checked by the caller's key */
    zkr_evidence_incl *incl; /* inclusion proofs of "proof" log entries */
    size_t nincl;
};

static zkr_err load_consistency(zkr_evidence *e, const json_t *arr, zkr_diag *d)
{
    static const char *const f[] = {"size", "root", "path", NULL};
    uint8_t(*path)[32] = NULL;
    size_t i;
    json_t *c;
    zkr_err r = ZKR_OK;

    if (arr == NULL)
        return ZKR_OK;
    if (!json_is_array(arr) || json_array_size(arr) > EVIDENCE_MAX_ITEMS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: 'consistency' must be an array");
    e->older = calloc(json_array_size(arr) + 1, sizeof *e->older);
    path = calloc(2 * ZKR_MERKLE_MAX_DEPTH, sizeof *path);
    if (e->older == NULL || path == NULL) {
        free(path);
        return ZKR_ERR_NOMEM;
    }
    json_array_foreach(arr, i, c) {
        zkr_evidence_cp *o = &e->older[i];
        const json_t *p = json_object_get(c, "path");
        size_t k, n;
        json_t *h;
        if ((r = zkr_signer_json_fields(c, f, "evidence consistency", d)) != ZKR_OK ||
            (r = zkr_signer_json_u64(c, "size", "evidence consistency", &o->size, d)) != ZKR_OK ||
            (r = zkr_signer_json_hex32(c, "root", "evidence consistency", o->root, d)) != ZKR_OK)
            break;
        n = json_array_size(p);
        if (!json_is_array(p) || n > 2 * ZKR_MERKLE_MAX_DEPTH) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: consistency[%zu].path is not an array", i);
            break;
        }
        json_array_foreach(p, k, h) {
            const char *hx = json_string_value(h);
            if (hx == NULL || zkr_hex_decode_exact(hx, path[k], 32) != ZKR_OK) {
                r = zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: consistency[%zu].path[%zu]", i, k);
                break;
            }
        }
        if (r != ZKR_OK)
            break;
        if (o->size == 0 || o->size > e->trusted.size ||
            zkr_merkle_consistency_verify(o->size, e->trusted.size, o->root, e->trusted.root,
                                          (const uint8_t(*)[32])path, n) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_VERIFY,
                         "evidence: checkpoint of size %llu is not consistent with the trusted "
                         "checkpoint of size %llu",
                         (unsigned long long)o->size, (unsigned long long)e->trusted.size);
            break;
        }
        e->nolder++;
    }
    free(path);
    return r;
}

/* The leaf of a "proof" log entry: its statement, proof digest and verifier version. */
static zkr_err decode_proof_leaf(const uint8_t *leaf, size_t len, zkr_evidence_incl *in)
{
    const uint8_t *tag, *type, *payload, *sid, *pd, *vv;
    size_t tl, tyl, pl, sl, pdl, vl;
    uint64_t when;
    zkr_dec d, p;

    zkr_dec_init(&d, leaf, len);
    if (zkr_dec_bytes(&d, 64, &tag, &tl) != ZKR_OK || tl != 12 ||
        memcmp(tag, "zkreg/log/v1", 12) != 0 || zkr_dec_bytes(&d, 64, &type, &tyl) != ZKR_OK ||
        tyl != 5 || memcmp(type, "proof", 5) != 0 || zkr_dec_u64(&d, &when) != ZKR_OK ||
        zkr_dec_bytes(&d, len, &payload, &pl) != ZKR_OK || zkr_dec_finish(&d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    zkr_dec_init(&p, payload, pl);
    if (zkr_dec_bytes(&p, 32, &sid, &sl) != ZKR_OK || sl != 32 ||
        zkr_dec_bytes(&p, 32, &pd, &pdl) != ZKR_OK || pdl != 32 ||
        zkr_dec_bytes(&p, ZKR_ATTEST_TEXT_MAX, &vv, &vl) != ZKR_OK || memchr(vv, 0, vl) != NULL ||
        zkr_dec_finish(&p) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(in->statement_id, sid, 32);
    memcpy(in->proof_digest, pd, 32);
    memcpy(in->verifier_version, vv, vl);
    in->verifier_version[vl] = '\0';
    zkr_merkle_leaf_hash(leaf, len, in->leaf_hash);
    return ZKR_OK;
}

static zkr_err load_one_inclusion(const json_t *c, size_t i, zkr_evidence_incl *in, zkr_diag *d)
{
    static const char *const f[] = {"type", "index", "tree_size", "entry_type", "leaf", "path",
                                    NULL};
    const char *type, *etype, *b64;
    const json_t *p = json_object_get(c, "path");
    zkr_buf leaf = {0};
    size_t k;
    json_t *h;
    zkr_err r;

    if ((r = zkr_signer_json_fields(c, f, "evidence inclusion", d)) != ZKR_OK ||
        (r = zkr_signer_json_str(c, "type", 64, "evidence inclusion", &type, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(c, "entry_type", 64, "evidence inclusion", &etype, d)) !=
            ZKR_OK ||
        (r = zkr_signer_json_str(c, "leaf", 1 << 16, "evidence inclusion", &b64, d)) != ZKR_OK ||
        (r = zkr_signer_json_u64(c, "index", "evidence inclusion", &in->index, d)) != ZKR_OK ||
        (r = zkr_signer_json_u64(c, "tree_size", "evidence inclusion", &in->tree_size, d)) !=
            ZKR_OK)
        return r;
    if (strcmp(type, "zkreg-log-inclusion/v1") != 0 || strcmp(etype, "proof") != 0 ||
        !json_is_array(p) || json_array_size(p) > ZKR_MERKLE_MAX_DEPTH)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "evidence: inclusion[%zu] is not a zkreg-log-inclusion/v1 proof of a "
                        "'proof' entry",
                        i);
    json_array_foreach(p, k, h) {
        const char *hx = json_string_value(h);
        if (hx == NULL || zkr_hex_decode_exact(hx, in->path[k], 32) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: inclusion[%zu].path[%zu]", i, k);
    }
    in->path_len = json_array_size(p);
    if (zkr_base64_decode(b64, strlen(b64), &leaf) != ZKR_OK ||
        decode_proof_leaf(leaf.p, leaf.len, in) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: inclusion[%zu].leaf is not a proof entry",
                     i);
    zkr_buf_free(&leaf);
    return r;
}

static zkr_err load_inclusion(zkr_evidence *e, const json_t *arr, zkr_diag *d)
{
    size_t i;
    json_t *c;
    zkr_err r;

    if (arr == NULL)
        return ZKR_OK;
    if (!json_is_array(arr) || json_array_size(arr) > EVIDENCE_MAX_ITEMS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: 'inclusion' must be an array");
    e->incl = calloc(json_array_size(arr) + 1, sizeof *e->incl);
    if (e->incl == NULL)
        return ZKR_ERR_NOMEM;
    json_array_foreach(arr, i, c) {
        if ((r = load_one_inclusion(c, i, &e->incl[i], d)) != ZKR_OK)
            return r;
        e->nincl++;
    }
    return ZKR_OK;
}

/* A "revocation" log leaf: str kind | bytes target (32) | str reason. */
static zkr_err decode_revocation_leaf(const uint8_t *leaf, size_t len, zkr_evidence_rev *rv)
{
    const uint8_t *tag, *type, *payload, *kind, *target, *reason;
    size_t tl, tyl, pl, kl, gl, rl;
    uint64_t when;
    zkr_dec d, p;

    zkr_dec_init(&d, leaf, len);
    if (zkr_dec_bytes(&d, 64, &tag, &tl) != ZKR_OK || tl != 12 ||
        memcmp(tag, "zkreg/log/v1", 12) != 0 || zkr_dec_bytes(&d, 64, &type, &tyl) != ZKR_OK ||
        tyl != 10 || memcmp(type, "revocation", 10) != 0 || zkr_dec_u64(&d, &when) != ZKR_OK ||
        zkr_dec_bytes(&d, len, &payload, &pl) != ZKR_OK || zkr_dec_finish(&d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    zkr_dec_init(&p, payload, pl);
    if (zkr_dec_bytes(&p, sizeof rv->kind - 1, &kind, &kl) != ZKR_OK || kl == 0 ||
        memchr(kind, 0, kl) != NULL || zkr_dec_bytes(&p, 32, &target, &gl) != ZKR_OK ||
        gl != 32 || zkr_dec_bytes(&p, 4096, &reason, &rl) != ZKR_OK ||
        zkr_dec_finish(&p) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(rv->kind, kind, kl);
    rv->kind[kl] = '\0';
    memcpy(rv->target, target, 32);
    return ZKR_OK;
}

/* One entry of "revocations": {"index","leaf","path"}, included in the trusted tree. */
static zkr_err load_one_revocation(zkr_evidence *e, const json_t *c, size_t i, zkr_revset *set,
                                   zkr_diag *d)
{
    static const char *const f[] = {"index", "leaf", "path", NULL};
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][32], h[32];
    const json_t *p = json_object_get(c, "path");
    const char *b64;
    zkr_buf leaf = {0};
    uint64_t index;
    size_t k;
    json_t *x;
    zkr_err r;

    if ((r = zkr_signer_json_fields(c, f, "evidence revocations", d)) != ZKR_OK ||
        (r = zkr_signer_json_u64(c, "index", "evidence revocations", &index, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(c, "leaf", 1 << 16, "evidence revocations", &b64, d)) != ZKR_OK)
        return r;
    if (!json_is_array(p) || json_array_size(p) > ZKR_MERKLE_MAX_DEPTH)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: revocations[%zu].path is not an array",
                        i);
    json_array_foreach(p, k, x) {
        const char *hx = json_string_value(x);
        if (hx == NULL || zkr_hex_decode_exact(hx, path[k], 32) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: revocations[%zu].path[%zu]", i, k);
    }
    if (zkr_base64_decode(b64, strlen(b64), &leaf) != ZKR_OK ||
        decode_revocation_leaf(leaf.p, leaf.len, &e->revoked[e->nrevoked]) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: revocations[%zu].leaf is not a revocation "
                     "log entry", i);
        goto out;
    }
    zkr_merkle_leaf_hash(leaf.p, leaf.len, h);
    if (index >= e->trusted.size ||
        zkr_merkle_inclusion_verify(h, index, e->trusted.size, (const uint8_t(*)[32])path,
                                    json_array_size(p), e->trusted.root) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "evidence: revocations[%zu] (log entry %llu) is not "
                     "included in the trusted checkpoint", i, (unsigned long long)index);
        goto out;
    }
    if (zkr_revset_add(set, index, h) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: revocations are not in ascending log order");
        goto out;
    }
    e->nrevoked++;
out:
    zkr_buf_free(&leaf);
    return r;
}

/*
 * The revocation set: every entry included in the trusted tree, and
 * together exactly the set the trusted checkpoint commits to. Missing
 * (no commitment or no list) leaves has_revset 0: revocation checks then
 * fail closed. A set that is present but incomplete makes the file unusable.
 */
static zkr_err load_revocations(zkr_evidence *e, const json_t *arr, zkr_diag *d)
{
    uint8_t dg[32];
    zkr_revset set;
    size_t i;
    json_t *c;
    zkr_err r;
    int committed = e->has_revset;

    /* Until the whole set is proven, there is no revocation set. */
    e->has_revset = 0;
    if (arr == NULL)
        return ZKR_OK;
    if (!committed)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: 'revocations' without the checkpoint's "
                        "'revocations' commitment");
    if (!json_is_array(arr) || json_array_size(arr) > EVIDENCE_MAX_ITEMS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "evidence: 'revocations' must be an array");
    e->revoked = calloc(json_array_size(arr) + 1, sizeof *e->revoked);
    if (e->revoked == NULL)
        return ZKR_ERR_NOMEM;
    zkr_revset_init(&set);
    json_array_foreach(arr, i, c) {
        if ((r = load_one_revocation(e, c, i, &set, d)) != ZKR_OK)
            return r;
    }
    zkr_revset_final(&set, dg);
    if (set.count != e->revset_count || memcmp(dg, e->revset_digest, 32) != 0)
        return zkr_fail(d, ZKR_ERR_VERIFY,
                        "evidence: the revocation set is incomplete or altered: the trusted "
                        "checkpoint commits to %llu revocation(s), the evidence carries %llu",
                        (unsigned long long)e->revset_count, (unsigned long long)set.count);
    e->has_revset = 1;
    return ZKR_OK;
}

/* The checkpoint's optional {"count","digest"} commitment (v2). */
static zkr_err load_commitment(zkr_evidence *e, const json_t *cp, zkr_diag *d)
{
    static const char *const f[] = {"count", "digest", NULL};
    const json_t *c = json_object_get(cp, "revocations");
    zkr_err r;

    if (c == NULL)
        return ZKR_OK;
    if ((r = zkr_signer_json_fields(c, f, "evidence checkpoint revocations", d)) != ZKR_OK ||
        (r = zkr_signer_json_u64(c, "count", "evidence checkpoint revocations", &e->revset_count,
                                 d)) != ZKR_OK ||
        (r = zkr_signer_json_hex32(c, "digest", "evidence checkpoint revocations",
                                   e->revset_digest, d)) != ZKR_OK)
        return r;
    e->has_revset = 1;
    return ZKR_OK;
}

static zkr_err load(zkr_evidence *e, const uint8_t *p, size_t len, zkr_diag *d)
{
    static const char *const f1[] = {"format", "checkpoint", "consistency", "inclusion",
                                     "revoked", NULL};
    static const char *const f2[] = {"format", "checkpoint", "consistency", "inclusion",
                                     "revocations", "note", NULL};
    static const char *const cf1[] = {"origin", "size", "root", NULL};
    static const char *const cf2[] = {"origin", "size", "root", "revocations", NULL};
    const json_t *cp;
    const char *fmt, *origin;
    json_t *j = NULL;
    int v2;
    zkr_err r;

    if ((r = zkr_signer_json_load(p, len, 16 << 20, "evidence", &j, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "format", 64, "evidence", &fmt, d)) != ZKR_OK)
        goto out;
    v2 = strcmp(fmt, EVIDENCE_FORMAT) == 0;
    if (!v2 && strcmp(fmt, EVIDENCE_FORMAT_V1) != 0) {
        r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "evidence: format is not %s", EVIDENCE_FORMAT);
        goto out;
    }
    /* v1's "revoked" lists were asserted by whoever wrote the file: read, never trusted. */
    cp = json_object_get(j, "checkpoint");
    if ((r = zkr_signer_json_fields(j, v2 ? f2 : f1, "evidence", d)) != ZKR_OK ||
        (r = zkr_signer_json_fields(cp, v2 ? cf2 : cf1, "evidence checkpoint", d)) != ZKR_OK ||
        (r = zkr_signer_json_str(cp, "origin", ZKR_ATTEST_TEXT_MAX, "evidence checkpoint",
                                 &origin, d)) != ZKR_OK ||
        (r = zkr_signer_json_u64(cp, "size", "evidence checkpoint", &e->trusted.size, d)) !=
            ZKR_OK ||
        (r = zkr_signer_json_hex32(cp, "root", "evidence checkpoint", e->trusted.root, d)) !=
            ZKR_OK)
        goto out;
    snprintf(e->origin, sizeof e->origin, "%s", origin);
    if ((r = load_consistency(e, json_object_get(j, "consistency"), d)) != ZKR_OK)
        goto out;
    if ((r = load_inclusion(e, json_object_get(j, "inclusion"), d)) != ZKR_OK)
        goto out;
    if (v2 && ((r = load_commitment(e, cp, d)) != ZKR_OK ||
               (r = load_revocations(e, json_object_get(j, "revocations"), d)) != ZKR_OK))
        goto out;
    if (v2 && json_object_get(j, "note") != NULL) {
        const char *note;
        if ((r = zkr_signer_json_str(j, "note", 1 << 16, "evidence", &note, d)) != ZKR_OK ||
            (r = zkr_buf_append_str(&e->note, note)) != ZKR_OK)
            goto out;
    }
    if (!v2)
        e->has_revset = 0;
out:
    json_decref(j);
    return r;
}

zkr_err zkr_evidence_load(const uint8_t *p, size_t len, zkr_evidence **out, zkr_diag *d)
{
    zkr_evidence *e = calloc(1, sizeof *e);
    zkr_err r;

    *out = NULL;
    if (e == NULL)
        return ZKR_ERR_NOMEM;
    if ((r = load(e, p, len, d)) != ZKR_OK) {
        zkr_evidence_free(e);
        return r;
    }
    *out = e;
    return ZKR_OK;
}

void zkr_evidence_free(zkr_evidence *e)
{
    if (e == NULL)
        return;
    zkr_buf_free(&e->note);
    free(e->older);
    free(e->revoked);
    free(e->incl);
    free(e);
}

static zkr_err ev_inclusion(void *ctx, const zkr_attest_facts *f, zkr_diag *d)
{
    const zkr_evidence *e = ctx;
    int ok = 0;

    if (strcmp(f->checkpoint_origin, e->origin) != 0)
        return zkr_fail(d, ZKR_ERR_VERIFY, "attestation's checkpoint is of log '%s', not '%s'",
                        f->checkpoint_origin, e->origin);
    if (f->checkpoint_size == e->trusted.size && memcmp(f->checkpoint_root, e->trusted.root, 32) == 0)
        ok = 1;
    for (size_t i = 0; !ok && i < e->nolder; i++)
        ok = f->checkpoint_size == e->older[i].size &&
             memcmp(f->checkpoint_root, e->older[i].root, 32) == 0;
    if (!ok || f->log_index >= f->checkpoint_size)
        return zkr_fail(d, ZKR_ERR_VERIFY,
                        "attestation's checkpoint (size %llu) is neither the trusted checkpoint "
                        "nor proven consistent with it",
                        (unsigned long long)f->checkpoint_size);
    /* The entry at logIndex must be this proof's verification, inside that checkpoint. */
    for (size_t i = 0; i < e->nincl; i++) {
        const zkr_evidence_incl *in = &e->incl[i];
        if (in->index != f->log_index || in->tree_size != f->checkpoint_size)
            continue;
        if (memcmp(in->statement_id, f->statement_id, 32) != 0 ||
            memcmp(in->proof_digest, f->proof_sha256, 32) != 0 ||
            strcmp(in->verifier_version, f->verifier_version) != 0)
            return zkr_fail(d, ZKR_ERR_VERIFY,
                            "log entry %llu records another statement, proof or verifier "
                            "version than the attestation",
                            (unsigned long long)f->log_index);
        if (zkr_merkle_inclusion_verify(in->leaf_hash, in->index, in->tree_size,
                                        (const uint8_t(*)[32])in->path, in->path_len,
                                        f->checkpoint_root) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_VERIFY,
                            "log entry %llu is not included in the attestation's checkpoint",
                            (unsigned long long)f->log_index);
        return ZKR_OK;
    }
    return zkr_fail(d, ZKR_ERR_VERIFY,
                    "evidence holds no inclusion proof of log entry %llu in the tree of size %llu",
                    (unsigned long long)f->log_index, (unsigned long long)f->checkpoint_size);
}

/* Whether revocation rv names something the facts or the key rely on; what it names in *what. */
static int rev_matches(const zkr_evidence_rev *rv, const zkr_attest_facts *f, const uint8_t kid[32],
                       const uint8_t who[32], const char **what)
{
    static const struct {
        const char *kind;
        size_t off;
    } subj[] = {
        {"statement", offsetof(zkr_attest_facts, statement_id)},
        {"program", offsetof(zkr_attest_facts, program_sha256)},
        {"model", offsetof(zkr_attest_facts, model_sha256)},
        {"dataset", offsetof(zkr_attest_facts, dataset_sha256)},
        {"schema", offsetof(zkr_attest_facts, schema_digest)},
    };
    uint8_t vh[32];

    *what = rv->kind;
    if (strcmp(rv->kind, "key") == 0)
        /* Either name of the signer: a revocation records its identity. */
        return memcmp(rv->target, kid, 32) == 0 || memcmp(rv->target, who, 32) == 0;
    for (size_t i = 0; i < sizeof subj / sizeof subj[0]; i++)
        if (strcmp(rv->kind, subj[i].kind) == 0)
            return memcmp(rv->target, (const uint8_t *)f + subj[i].off, 32) == 0;
    if (strcmp(rv->kind, "verifier") == 0) {
        /*
         * A verifier revocation names SHA-256 tagged "zkreg/verifier/v1" of
         * "KIND@VERSION" (docs/formats.md). The attestation names the version
         * but not the proof kind, so every kind at that version is matched:
         * offline, revoking one kind's verifier refuses all kinds at that
         * version (the registry-backed check uses the statement's own kind).
         */
        static const char *const kinds[] = {"matmul@1", "inference@1", "training-step@1"};
        char name[2 * ZKR_ATTEST_TEXT_MAX + 2];
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            snprintf(name, sizeof name, "%s@%s", kinds[k], f->verifier_version);
            zkr_sha256_tagged("zkreg/verifier/v1", (const uint8_t *)name, strlen(name), vh);
            if (memcmp(rv->target, vh, 32) == 0)
                return 1;
        }
        return 0;
    }
    return -1; /* a kind this gate cannot evaluate */
}

static zkr_err ev_revoked(void *ctx, const zkr_attest_facts *f, const zkr_pubkey *key,
                          zkr_diag *d)
{
    const zkr_evidence *e = ctx;
    char keyid[ZKR_KEYID_HEX + 1], ident[ZKR_KEYID_HEX + 1];
    uint8_t kid[32], who[32];
    const char *what;

    if (!e->has_revset)
        return zkr_fail(d, ZKR_ERR_REVOKED,
                        "the evidence carries no revocation set proven complete against its "
                        "trusted checkpoint (zkreg-evidence/v2 with the checkpoint's revocation "
                        "commitment): revocation cannot be checked, failing closed");
    zkr_pubkey_keyid(key, keyid);
    zkr_pubkey_identity(key, ident);
    if (zkr_hex_decode_exact(keyid, kid, 32) != ZKR_OK ||
        zkr_hex_decode_exact(ident, who, 32) != ZKR_OK)
        return ZKR_ERR_INTERNAL;
    for (size_t i = 0; i < e->nrevoked; i++) {
        int m = rev_matches(&e->revoked[i], f, kid, who, &what);
        if (m < 0)
            return zkr_fail(d, ZKR_ERR_REVOKED, "the evidence holds a revocation of kind '%s' "
                            "that this gate cannot evaluate: failing closed", what);
        if (m > 0 && strcmp(what, "key") == 0)
            return zkr_fail(d, ZKR_ERR_REVOKED, "signing key %.16s... is revoked", keyid);
        if (m > 0)
            return zkr_fail(d, ZKR_ERR_REVOKED, "the attested %s is revoked", what);
    }
    return ZKR_OK;
}

const uint8_t *zkr_evidence_note(const zkr_evidence *e, size_t *len)
{
    *len = e->note.len;
    return e->note.len > 0 ? e->note.p : NULL;
}

zkr_err zkr_evidence_match_checkpoint(const zkr_evidence *e, const char *origin, uint64_t size,
                                      const uint8_t root[32], int has_revocations,
                                      uint64_t revocation_count,
                                      const uint8_t revocation_digest[32], zkr_diag *d)
{
    if (strcmp(origin, e->origin) != 0 || size != e->trusted.size ||
        memcmp(root, e->trusted.root, 32) != 0)
        return zkr_fail(d, ZKR_ERR_VERIFY, "evidence: its checkpoint (origin, size or root) is "
                        "not the one its signed note states");
    if (!has_revocations || !e->has_revset || revocation_count != e->revset_count ||
        memcmp(revocation_digest, e->revset_digest, 32) != 0)
        return zkr_fail(d, ZKR_ERR_VERIFY, "evidence: its revocation set is not the one its "
                        "signed note commits to");
    return ZKR_OK;
}

void zkr_evidence_registry(zkr_evidence *e, zkr_attest_registry *reg)
{
    memset(reg, 0, sizeof *reg);
    reg->ctx = e;
    reg->inclusion = ev_inclusion;
    reg->revoked = ev_revoked;
}
