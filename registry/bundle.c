/*
 * Export and import bundles for crossing the air gap (docs/formats.md):
 *
 *   "ZKRBNDL1" || str verifier key || bytes checkpoint note || u32 count
 *   || count x (u64 index || bytes leaf || u8 path length || path hashes)
 *
 * Entries are the original log leaves with inclusion proofs against the
 * signed checkpoint, so the importer trusts nothing in the bundle that is
 * not covered by the exporter's signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_int.h"

#define BUNDLE_MAGIC "ZKRBNDL1"
#define BUNDLE_MAX_ENTRIES 1000000u
#define BUNDLE_VKEY_MAX 512

static const char *const exportable[] = {"program",   "model",      "dataset",   "schema",
                                         "statement", "revocation", "proof",
                                         /* training (cli/cmd_train.c, cli/cmd_round.c) */
                                         "lineage",   "round-open", "round-outcome",
                                         "round-close"};
/* Entries of these types are carried verbatim (same type, time and payload). */
static const char *const verbatim[] = {"lineage", "round-open", "round-outcome", "round-close"};

typedef struct {
    uint64_t *v;
    size_t n, cap;
} idx_set;

static zkr_err idx_add(idx_set *s, uint64_t i)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        uint64_t *nv = realloc(s->v, cap * sizeof *nv);
        if (nv == NULL)
            return ZKR_ERR_NOMEM;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = i;
    return ZKR_OK;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void idx_finish(idx_set *s)
{
    size_t w = 0;

    qsort(s->v, s->n, sizeof *s->v, u64_cmp);
    for (size_t i = 0; i < s->n; i++)
        if (w == 0 || s->v[w - 1] != s->v[i])
            s->v[w++] = s->v[i];
    s->n = w;
}

/* Adds the log indices of the rows a query returns (first column). */
static zkr_err add_query(zkr_registry *reg, idx_set *s, const char *sql,
                         const uint8_t *blob, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg, sql, &st, d)) != ZKR_OK)
        return r;
    if (blob != NULL)
        sqlite3_bind_blob(st, 1, blob, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if ((r = idx_add(s, (uint64_t)sqlite3_column_int64(st, 0))) != ZKR_OK)
            break;
    if (r == ZKR_OK && rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "selecting entries to export", d);
    sqlite3_finalize(st);
    return r;
}

static zkr_err select_statement(zkr_registry *reg, const uint8_t sid[ZKR_DIGEST_BYTES],
                                idx_set *s, zkr_diag *d)
{
    const uint8_t *targets[5];
    zkr_statement st;
    char hex[65];
    zkr_err r;

    zkr_registry_hex(sid, 32, hex, sizeof hex);
    if ((r = zkr_registry_statement_get(reg, hex, &st, d)) != ZKR_OK)
        goto out;
    if ((r = idx_add(s, st.log_index)) != ZKR_OK || (r = idx_add(s, st.schema.log_index)) != ZKR_OK ||
        (r = idx_add(s, st.program.log_index)) != ZKR_OK ||
        (r = idx_add(s, st.model.log_index)) != ZKR_OK ||
        (r = idx_add(s, st.dataset.log_index)) != ZKR_OK)
        goto out;
    targets[0] = st.statement_id;
    targets[1] = st.schema.digest;
    targets[2] = st.program.sha256;
    targets[3] = st.model.sha256;
    targets[4] = st.dataset.sha256;
    for (int i = 0; i < 5 && r == ZKR_OK; i++)
        r = add_query(reg, s, "SELECT log_index FROM revocation WHERE target = ?", targets[i], d);
    if (r == ZKR_OK)
        r = add_query(reg, s, "SELECT log_index FROM proof WHERE statement_id = ?", sid, d);
    /* A revoked verifier version binds every statement of its kind: export them all. */
    if (r == ZKR_OK)
        r = add_query(reg, s, "SELECT log_index FROM revocation WHERE kind = 'verifier'", NULL, d);
out:
    zkr_statement_free(&st);
    return r;
}

/*
 * Every revocation leaf below the checkpoint's size, whatever was selected:
 * the checkpoint signs their count and digest, and the importer refuses a
 * bundle whose revocations do not make up exactly that set.
 */
static zkr_err add_revocations(zkr_registry *reg, idx_set *s, uint64_t size, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg,
                                  "SELECT idx FROM log WHERE type = 'revocation' AND idx < ?",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if ((r = idx_add(s, (uint64_t)sqlite3_column_int64(st, 0))) != ZKR_OK)
            break;
    if (r == ZKR_OK && rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "selecting revocations to export", d);
    sqlite3_finalize(st);
    if (r == ZKR_OK)
        idx_finish(s);
    return r;
}

/* One past the newest revocation leaf in the log (0 when there is none). */
static zkr_err revocations_end(zkr_registry *reg, uint64_t *end, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    *end = 0;
    if ((r = zkr_registry_prepare(reg, "SELECT MAX(idx) FROM log WHERE type = 'revocation'", &st,
                                  d)) != ZKR_OK)
        return r;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *end = (uint64_t)sqlite3_column_int64(st, 0) + 1;
    else if (rc != SQLITE_ROW)
        r = zkr_registry_sql_err(reg, rc, "finding the newest revocation", d);
    sqlite3_finalize(st);
    return r;
}

/*
 * The checkpoint must cover the selected entries and every revocation the
 * log holds: a stored checkpoint older than a revocation (of a key, say,
 * which no selected entry names) would let the bundle be complete for that
 * checkpoint while leaving out a revocation this registry already knows.
 */
static zkr_err pick_checkpoint(zkr_registry *reg, uint64_t need, const zkr_secret *pass,
                               zkr_buf *note, zkr_checkpoint *cp, zkr_diag *d)
{
    zkr_diag quiet;
    uint64_t rev_end;
    zkr_err r;

    if ((r = revocations_end(reg, &rev_end, d)) != ZKR_OK)
        return r;
    if (rev_end > need)
        need = rev_end;
    zkr_diag_clear(&quiet);
    r = zkr_registry_checkpoint_latest(reg, note, cp, &quiet);
    /* Only a checkpoint that signs the revocation set lets the importer see a withheld one. */
    if (r == ZKR_OK && cp->size >= need && cp->has_revocations)
        return ZKR_OK;
    if (r != ZKR_OK && r != ZKR_ERR_NOT_FOUND)
        return zkr_fail(d, r, "%s", quiet.msg);
    note->len = 0;
    if (pass == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE,
                        "no stored checkpoint covers the exported entries and every "
                        "revocation and signs the revocation set: run zkreg log checkpoint "
                        "first, or give "
                        "--passphrase-file to sign one");
    if ((r = zkr_registry_checkpoint_sign(reg, pass, note, d)) != ZKR_OK)
        return r;
    note->len = 0;
    return zkr_registry_checkpoint_latest(reg, note, cp, d);
}

zkr_err zkr_registry_export(zkr_registry *reg, const uint8_t (*statements)[ZKR_DIGEST_BYTES],
                            size_t n_statements, const zkr_secret *pass, zkr_buf *out,
                            zkr_diag *d)
{
    idx_set sel = {0};
    zkr_buf vk = {0}, note = {0};
    zkr_checkpoint cp;
    zkr_err r = ZKR_OK;

    if (n_statements == 0) {
        for (size_t i = 0; i < sizeof exportable / sizeof exportable[0] && r == ZKR_OK; i++) {
            char sql[96];
            snprintf(sql, sizeof sql, "SELECT idx FROM log WHERE type = '%s'", exportable[i]);
            r = add_query(reg, &sel, sql, NULL, d);
        }
    }
    for (size_t i = 0; i < n_statements && r == ZKR_OK; i++)
        r = select_statement(reg, statements[i], &sel, d);
    if (r != ZKR_OK)
        goto out;
    idx_finish(&sel);
    if (sel.n > BUNDLE_MAX_ENTRIES) {
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "export: %zu entries, over %u", sel.n,
                     BUNDLE_MAX_ENTRIES);
        goto out;
    }
    if ((r = pick_checkpoint(reg, sel.n ? sel.v[sel.n - 1] + 1 : 0, pass, &note, &cp, d)) != ZKR_OK ||
        (r = zkr_registry_verifier_key(reg, &vk)) != ZKR_OK ||
        (r = add_revocations(reg, &sel, cp.size, d)) != ZKR_OK)
        goto out;
    if (sel.n > BUNDLE_MAX_ENTRIES) {
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "export: %zu entries, over %u", sel.n,
                     BUNDLE_MAX_ENTRIES);
        goto out;
    }
    if ((r = zkr_buf_append_str(out, BUNDLE_MAGIC)) != ZKR_OK ||
        (r = zkr_enc_str(out, (const char *)vk.p)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, note.p, note.len)) != ZKR_OK ||
        (r = zkr_enc_u32(out, (uint32_t)sel.n)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < sel.n; i++) {
        uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
        size_t plen = 0;
        zkr_log_entry e;
        if ((r = zkr_registry_log_entry(reg, sel.v[i], &e, d)) != ZKR_OK)
            goto out;
        if ((r = zkr_registry_log_inclusion(reg, sel.v[i], cp.size, path, &plen, d)) == ZKR_OK &&
            (r = zkr_enc_u64(out, sel.v[i])) == ZKR_OK &&
            (r = zkr_enc_bytes(out, e.leaf.p, e.leaf.len)) == ZKR_OK &&
            (r = zkr_enc_u8(out, (uint8_t)plen)) == ZKR_OK)
            r = zkr_buf_append(out, path, plen * ZKR_DIGEST_BYTES);
        zkr_log_entry_free(&e);
        if (r != ZKR_OK)
            goto out;
    }
out:
    free(sel.v);
    zkr_buf_free(&vk);
    zkr_buf_free(&note);
    return r;
}

/* ------------------------------------------------------------------ */
/* Import                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    uint64_t index;
    const uint8_t *leaf;
    size_t leaf_len;
    char type[ZKR_IDENT_MAX + 1];
    int64_t time;
    const uint8_t *payload;
    size_t payload_len;
} bundle_entry;

typedef struct {
    char vkey[BUNDLE_VKEY_MAX + 1];
    const uint8_t *note;
    size_t note_len;
    uint32_t n;
    bundle_entry *e;
} bundle;

static zkr_err parse_entry(zkr_dec *dec, bundle_entry *e, uint64_t prev, int first,
                           uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES], size_t *plen,
                           zkr_diag *d)
{
    const uint8_t *raw;
    uint8_t pl;

    if (zkr_dec_u64(dec, &e->index) != ZKR_OK ||
        zkr_dec_bytes(dec, ZKR_LOG_PAYLOAD_MAX + 256, &e->leaf, &e->leaf_len) != ZKR_OK ||
        zkr_dec_u8(dec, &pl) != ZKR_OK || pl > ZKR_MERKLE_MAX_DEPTH ||
        zkr_dec_raw(dec, (size_t)pl * ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: entry is truncated or over its bounds");
    if (!first && e->index <= prev)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: entry indices not strictly increasing");
    memcpy(path, raw, (size_t)pl * ZKR_DIGEST_BYTES);
    *plen = pl;
    return ZKR_OK;
}

/* Decodes an entry's leaf, once its inclusion in the signed tree is proven. */
static zkr_err decode_entry(bundle_entry *e, zkr_diag *d)
{
    if (zkr_log_leaf_decode(e->leaf, e->leaf_len, e->type, &e->time, &e->payload,
                            &e->payload_len) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: log entry %llu does not decode",
                        (unsigned long long)e->index);
    for (size_t i = 0; i < sizeof exportable / sizeof exportable[0]; i++)
        if (strcmp(e->type, exportable[i]) == 0)
            return ZKR_OK;
    return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "bundle: log entry %llu has type '%s', not importable",
                    (unsigned long long)e->index, e->type);
}

/*
 * The bundle's revocation leaves must be exactly the set the checkpoint
 * signs (count and digest): any subset of a signed log verifies entry by
 * entry, so this is what detects a revocation stripped from a bundle.
 */
static zkr_err check_revocation_set(const bundle *b, const zkr_checkpoint *cp, zkr_diag *d)
{
    uint8_t dg[ZKR_DIGEST_BYTES];
    zkr_revset set;

    if (!cp->has_revocations)
        return zkr_fail(d, ZKR_ERR_VERIFY,
                        "bundle: its checkpoint does not sign a revocation set (made by an older "
                        "zkreg), so withheld revocations cannot be detected: export it again");
    zkr_revset_init(&set);
    for (uint32_t i = 0; i < b->n; i++) {
        uint8_t h[ZKR_DIGEST_BYTES];
        if (strcmp(b->e[i].type, "revocation") != 0)
            continue;
        zkr_merkle_leaf_hash(b->e[i].leaf, b->e[i].leaf_len, h);
        if (zkr_revset_add(&set, b->e[i].index, h) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: revocation entries out of order");
    }
    zkr_revset_final(&set, dg);
    if (set.count != cp->revocation_count || memcmp(dg, cp->revocation_digest, sizeof dg) != 0)
        return zkr_fail(d, ZKR_ERR_VERIFY,
                        "bundle: withholds revocations: its checkpoint signs %llu revocation(s) "
                        "below size %llu, the bundle carries %llu%s",
                        (unsigned long long)cp->revocation_count, (unsigned long long)cp->size,
                        (unsigned long long)set.count,
                        set.count == cp->revocation_count ? " of another set" : "");
    return ZKR_OK;
}

/* Structure, signature and every inclusion proof; nothing is written. */
static zkr_err parse_and_verify(const uint8_t *p, size_t len, const char *trusted, bundle *b,
                                zkr_checkpoint *cp, zkr_diag *d)
{
    const uint8_t *s;
    size_t n;
    zkr_dec dec;
    zkr_err r;

    memset(b, 0, sizeof *b);
    if (len < 8 || memcmp(p, BUNDLE_MAGIC, 8) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: wrong magic (not a zkreg bundle v1)");
    zkr_dec_init(&dec, p + 8, len - 8);
    if (zkr_dec_bytes(&dec, BUNDLE_VKEY_MAX, &s, &n) != ZKR_OK ||
        zkr_dec_bytes(&dec, (size_t)1 << 16, &b->note, &b->note_len) != ZKR_OK ||
        zkr_dec_u32(&dec, &b->n) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: header truncated or over its bounds");
    memcpy(b->vkey, s, n);
    b->vkey[n] = '\0';
    if (strlen(b->vkey) != n || strcmp(b->vkey, trusted) != 0)
        return zkr_fail(d, ZKR_ERR_SIGNATURE,
                        "bundle: signed by key '%s', which is not the trusted key '%s'",
                        strlen(b->vkey) == n ? b->vkey : "?", trusted);
    if ((r = zkr_checkpoint_verify(b->note, b->note_len, trusted, cp, d)) != ZKR_OK)
        return r;
    if (b->n > BUNDLE_MAX_ENTRIES || b->n > len / 13)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "bundle: %u entries is over the bound", b->n);
    if ((b->e = calloc(b->n ? b->n : 1, sizeof *b->e)) == NULL)
        return ZKR_ERR_NOMEM;
    for (uint32_t i = 0; i < b->n; i++) {
        uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES], h[ZKR_DIGEST_BYTES];
        size_t plen = 0;
        if ((r = parse_entry(&dec, &b->e[i], i ? b->e[i - 1].index : 0, i == 0, path, &plen, d)) !=
            ZKR_OK)
            return r;
        if (b->e[i].index >= cp->size)
            return zkr_fail(d, ZKR_ERR_VERIFY, "bundle: entry %llu is past the checkpoint size %llu",
                            (unsigned long long)b->e[i].index, (unsigned long long)cp->size);
        zkr_merkle_leaf_hash(b->e[i].leaf, b->e[i].leaf_len, h);
        if (zkr_merkle_inclusion_verify(h, b->e[i].index, cp->size,
                                        (const uint8_t(*)[ZKR_DIGEST_BYTES])path, plen,
                                        cp->root) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_VERIFY,
                            "bundle: log entry %llu is not included in the signed checkpoint",
                            (unsigned long long)b->e[i].index);
        if ((r = decode_entry(&b->e[i], d)) != ZKR_OK)
            return r;
    }
    if (zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: trailing bytes after the last entry");
    return check_revocation_set(b, cp, d);
}

static zkr_err import_artifact(zkr_registry *reg, const bundle_entry *e, int *added, zkr_diag *d)
{
    zkr_artifact a, cur, prog;
    zkr_err r;

    if ((r = zkr_artifact_decode(e->payload, e->payload_len, &a, d)) != ZKR_OK)
        return r;
    if (strcmp(zkr_kind_name(a.kind), e->type) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: entry %llu type differs from its payload",
                        (unsigned long long)e->index);
    r = zkr_registry_artifact_find(reg, a.kind, a.sha256,
                                   a.kind == ZKR_KIND_MODEL ? a.program_sha256 : NULL, &cur);
    if (r != ZKR_ERR_NOT_FOUND)
        return r;
    if (a.kind == ZKR_KIND_MODEL) {
        if (zkr_registry_artifact_find(reg, ZKR_KIND_PROGRAM, a.program_sha256, NULL, &prog) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_NOT_FOUND,
                            "bundle: model '%s' names a program that is neither in the bundle "
                            "nor in this registry", a.name);
        a.program_id = prog.id;
    }
    a.created = e->time;
    r = zkr_registry_artifact_insert_tx(reg, &a, NULL, NULL, d);
    if (r == ZKR_ERR_REGISTRY && sqlite3_extended_errcode(reg->db) == SQLITE_CONSTRAINT_UNIQUE)
        return zkr_fail(d, ZKR_ERR_CONFLICT,
                        "bundle: %s '%s' version %llu is another artifact in this registry",
                        e->type, a.name, (unsigned long long)a.version);
    *added = r == ZKR_OK;
    return r;
}

static zkr_err import_schema(zkr_registry *reg, const bundle_entry *e, int *added, zkr_diag *d)
{
    zkr_schema s, cur;
    char ref[ZKR_IDENT_MAX + 24];
    zkr_diag quiet;
    zkr_err r;

    if ((r = zkr_schema_decode(e->payload, e->payload_len, &s, d)) != ZKR_OK)
        return r;
    snprintf(ref, sizeof ref, "%s@%llu", s.name, (unsigned long long)s.version);
    zkr_diag_clear(&quiet);
    r = zkr_registry_schema_get(reg, ref, &cur, &quiet);
    if (r == ZKR_OK)
        return memcmp(cur.digest, s.digest, 32) == 0
                   ? ZKR_OK
                   : zkr_fail(d, ZKR_ERR_CONFLICT,
                              "bundle: schema %s differs from this registry's %s", ref, ref);
    if (r != ZKR_ERR_NOT_FOUND)
        return r;
    s.created = e->time;
    r = zkr_registry_schema_insert_tx(reg, &s, d);
    *added = r == ZKR_OK;
    return r;
}

static zkr_err import_statement(zkr_registry *reg, const bundle_entry *e, int *added,
                                zkr_diag *d)
{
    zkr_statement s;
    char hex[65];
    zkr_diag quiet;
    zkr_statement cur;
    zkr_err r;

    if ((r = zkr_registry_statement_from_event(reg, e->payload, e->payload_len, &s, d)) != ZKR_OK)
        goto out;
    zkr_registry_hex(s.statement_id, 32, hex, sizeof hex);
    zkr_diag_clear(&quiet);
    r = zkr_registry_statement_get(reg, hex, &cur, &quiet);
    zkr_statement_free(&cur);
    if (r != ZKR_ERR_NOT_FOUND)
        goto out;
    s.created = e->time;
    r = zkr_registry_statement_insert_tx(reg, &s, d);
    *added = r == ZKR_OK;
out:
    zkr_statement_free(&s);
    return r;
}

static zkr_err import_revocation(zkr_registry *reg, const bundle_entry *e, int *added,
                                 zkr_diag *d)
{
    zkr_revocation rv;
    zkr_err r;

    if ((r = zkr_revocation_decode(e->payload, e->payload_len, &rv, d)) != ZKR_OK)
        return r;
    r = zkr_registry_check_revoked(reg, rv.kind, rv.target, NULL, NULL);
    if (r == ZKR_ERR_REVOKED)
        return ZKR_OK;
    if (r != ZKR_OK)
        return r;
    rv.created = e->time;
    r = zkr_registry_revocation_insert_tx(reg, &rv, d);
    *added = r == ZKR_OK;
    return r;
}

static zkr_err import_proof(zkr_registry *reg, const bundle_entry *e, int *added, zkr_diag *d)
{
    uint8_t sid[32], pd[32];
    char vv[ZKR_IDENT_MAX + 1], hex[65];
    zkr_statement s;
    uint64_t li = 0;
    int existed = 0;
    zkr_err r;

    if ((r = zkr_proof_event_decode(e->payload, e->payload_len, sid, pd, vv, d)) != ZKR_OK)
        return r;
    zkr_registry_hex(sid, 32, hex, sizeof hex);
    r = zkr_registry_statement_get(reg, hex, &s, d);
    zkr_statement_free(&s);
    if (r != ZKR_OK)
        return r;
    r = zkr_registry_proof_insert_tx(reg, sid, pd, vv, e->time, &li, &existed, d);
    *added = r == ZKR_OK && !existed;
    return r;
}

/* A training event: appended with its original time, unless the same leaf is already logged. */
static zkr_err import_verbatim(zkr_registry *reg, const bundle_entry *e, int *added, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    uint8_t h[ZKR_DIGEST_BYTES];
    uint64_t li;
    zkr_err r;
    int rc;

    zkr_merkle_leaf_hash(e->leaf, e->leaf_len, h);
    if ((r = zkr_registry_prepare(reg, "SELECT 1 FROM log WHERE leaf_hash = ?", &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_blob(st, 1, h, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return ZKR_OK;
    if (rc != SQLITE_DONE)
        return zkr_fail(d, ZKR_ERR_REGISTRY, "bundle: cannot look up entry %llu",
                        (unsigned long long)e->index);
    r = zkr_registry_log_append_tx(reg, e->type, e->time, e->payload, e->payload_len, &li, d);
    *added = r == ZKR_OK;
    return r;
}

static zkr_err import_entry(zkr_registry *reg, const bundle_entry *e, int *added, zkr_diag *d)
{
    *added = 0;
    for (size_t i = 0; i < sizeof verbatim / sizeof verbatim[0]; i++)
        if (strcmp(e->type, verbatim[i]) == 0)
            return import_verbatim(reg, e, added, d);
    if (strcmp(e->type, "schema") == 0)
        return import_schema(reg, e, added, d);
    if (strcmp(e->type, "statement") == 0)
        return import_statement(reg, e, added, d);
    if (strcmp(e->type, "revocation") == 0)
        return import_revocation(reg, e, added, d);
    if (strcmp(e->type, "proof") == 0)
        return import_proof(reg, e, added, d);
    return import_artifact(reg, e, added, d);
}

static zkr_err import_event(zkr_registry *reg, const zkr_checkpoint *cp, uint32_t n,
                            uint64_t added, zkr_diag *d)
{
    zkr_buf p = {0};
    uint64_t li;
    zkr_err r;

    if ((r = zkr_enc_str(&p, cp->origin)) == ZKR_OK && (r = zkr_enc_u64(&p, cp->size)) == ZKR_OK &&
        (r = zkr_enc_bytes(&p, cp->root, 32)) == ZKR_OK && (r = zkr_enc_u32(&p, n)) == ZKR_OK &&
        (r = zkr_enc_u64(&p, added)) == ZKR_OK)
        r = zkr_registry_log_append_tx(reg, "import", zkr_registry_now(), p.p, p.len, &li, d);
    zkr_buf_free(&p);
    return r;
}

zkr_err zkr_registry_import(zkr_registry *reg, const uint8_t *data, size_t len,
                            const char *trusted_vkey, zkr_import_summary *out, zkr_diag *d)
{
    zkr_buf own = {0};
    bundle b;
    zkr_err r;

    memset(out, 0, sizeof *out);
    memset(&b, 0, sizeof b);
    if (trusted_vkey == NULL) {
        if ((r = zkr_registry_verifier_key(reg, &own)) != ZKR_OK)
            goto out;
        trusted_vkey = (const char *)own.p;
    }
    if ((r = parse_and_verify(data, len, trusted_vkey, &b, &out->checkpoint, d)) != ZKR_OK)
        goto out;
    out->entries = b.n;
    /* References and conflicts are checked against the registry as it grows, in one transaction. */
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        goto out;
    for (uint32_t i = 0; i < b.n; i++) {
        int added = 0;
        if ((r = import_entry(reg, &b.e[i], &added, d)) != ZKR_OK)
            goto out;
        out->added += (uint64_t)added;
        out->present += (uint64_t)!added;
    }
    if (out->added > 0 && ((r = import_event(reg, &out->checkpoint, b.n, out->added, d)) != ZKR_OK ||
                           (r = zkr_registry_commit(reg, d)) != ZKR_OK))
        goto out;
out:
    zkr_registry_rollback(reg);
    free(b.e);
    zkr_buf_free(&own);
    if (r != ZKR_OK) {
        zkr_checkpoint keep = out->checkpoint;
        memset(out, 0, sizeof *out);
        out->checkpoint = keep;
    }
    return r;
}

zkr_err zkr_bundle_check(const uint8_t *data, size_t len, const char *trusted_vkey,
                         zkr_import_summary *out, zkr_diag *d)
{
    bundle b;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (trusted_vkey == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "bundle: no trusted key");
    r = parse_and_verify(data, len, trusted_vkey, &b, &out->checkpoint, d);
    if (r == ZKR_OK)
        out->entries = b.n;
    free(b.e);
    return r;
}
