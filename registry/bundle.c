/*
 * Export and import bundles for crossing the air gap (docs/formats.md):
 *
 *   "ZKRBNDL2" || str verifier key || bytes checkpoint note || u32 count
 *   || count x (u64 index || bytes leaf || u8 path length || path hashes)
 *   || u32 m || m x (u64 outcome index || statement id[32] || bytes proof)
 *
 * Entries are the original log leaves with inclusion proofs against the
 * signed checkpoint, so the importer trusts nothing in the bundle that is
 * not covered by the exporter's signature. The trailing evaluation proofs
 * (version 2; version 1 ends after the entries) are not signed: each is
 * bound to an accepted round-outcome entry and handed to the importer's
 * hooks, which derive its statement and verify it before it is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "registry_int.h"

#define BUNDLE_MAGIC "ZKRBNDL" /* then the format version digit */
#define BUNDLE_VERSION 2u      /* written; versions 1 and 2 are read */
#define BUNDLE_MAX_ENTRIES 1000000u
#define BUNDLE_VKEY_MAX 512

static const char *const exportable[] = {"program",   "model",      "dataset",   "schema",
                                         "statement", "revocation", "proof",
                                         /* training (cli/cmd_train.c, cli/cmd_round.c) */
                                         "lineage",   "round-open", "round-outcome",
                                         "round-close"};
/*
 * Entries of these types are carried verbatim (same type, time and
 * payload), each decoded strictly and appended only when every object it
 * names is held (docs/formats.md).
 */
static const char *const training[] = {"lineage", "round-open", "round-outcome", "round-close"};

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

    if (s->n == 0)
        return; /* s->v may be NULL, which qsort may not be given even for no elements */
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

/* The entries to export, as log indices below `limit`, sorted and unique. */
static zkr_err export_select(zkr_registry *reg, const uint8_t (*statements)[ZKR_DIGEST_BYTES],
                             size_t n_statements, uint64_t limit, idx_set *sel, zkr_diag *d)
{
    zkr_err r = ZKR_OK;
    size_t w = 0;

    sel->n = 0;
    if (n_statements == 0) {
        for (size_t i = 0; i < sizeof exportable / sizeof exportable[0] && r == ZKR_OK; i++) {
            char sql[96];
            snprintf(sql, sizeof sql, "SELECT idx FROM log WHERE type = '%s'", exportable[i]);
            r = add_query(reg, sel, sql, NULL, d);
#if ZKR_TEST_BUILD
            if (i == 0)
                zkr_registry_test_pause(reg, "export");
#endif
        }
    }
    for (size_t i = 0; i < n_statements && r == ZKR_OK; i++)
        r = select_statement(reg, statements[i], sel, d);
    if (r != ZKR_OK)
        return r;
    idx_finish(sel);
    for (size_t i = 0; i < sel->n; i++)
        if (sel->v[i] < limit)
            sel->v[w++] = sel->v[i];
    sel->n = w;
    if (sel->n > BUNDLE_MAX_ENTRIES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "export: %zu entries, over %u", sel->n,
                        BUNDLE_MAX_ENTRIES);
    return ZKR_OK;
}

static zkr_err export_evals(zkr_registry *reg, const idx_set *sel,
                            const zkr_bundle_eval_hooks *h, zkr_buf *out, zkr_diag *d);

/* Encodes the bundle of `sel` against checkpoint `cp` (inside the caller's snapshot). */
static zkr_err export_write(zkr_registry *reg, const idx_set *sel, const zkr_buf *note,
                            const zkr_checkpoint *cp, const zkr_bundle_eval_hooks *h,
                            zkr_buf *out, zkr_diag *d)
{
    char magic[9];
    zkr_buf vk = {0};
    zkr_err r;

    snprintf(magic, sizeof magic, "%s%u", BUNDLE_MAGIC, BUNDLE_VERSION);
    if ((r = zkr_registry_verifier_key(reg, &vk)) != ZKR_OK ||
        (r = zkr_buf_append_str(out, magic)) != ZKR_OK ||
        (r = zkr_enc_str(out, (const char *)vk.p)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, note->p, note->len)) != ZKR_OK ||
        (r = zkr_enc_u32(out, (uint32_t)sel->n)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < sel->n; i++) {
        uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
        size_t plen = 0;
        zkr_log_entry e;
        if ((r = zkr_registry_log_entry(reg, sel->v[i], &e, d)) != ZKR_OK)
            goto out;
        if ((r = zkr_registry_log_inclusion(reg, sel->v[i], cp->size, path, &plen, d)) == ZKR_OK &&
            (r = zkr_enc_u64(out, sel->v[i])) == ZKR_OK &&
            (r = zkr_enc_bytes(out, e.leaf.p, e.leaf.len)) == ZKR_OK &&
            (r = zkr_enc_u8(out, (uint8_t)plen)) == ZKR_OK)
            r = zkr_buf_append(out, path, plen * ZKR_DIGEST_BYTES);
        zkr_log_entry_free(&e);
        if (r != ZKR_OK)
            goto out;
    }
    if ((r = export_evals(reg, sel, h, out, d)) != ZKR_OK)
        goto out;
    if (out->len > ZKR_BUNDLE_MAX_BYTES)
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "export: the bundle would be %zu bytes, over the "
                     "import limit of %zu; export in parts (--statement)", out->len,
                     ZKR_BUNDLE_MAX_BYTES);
out:
    zkr_buf_free(&vk);
    return r;
}

/*
 * One snapshot: the selection, the checkpoint and every leaf and proof are
 * read in one read transaction (entries at or past `limit` left out), so
 * a bundle never holds an object without what it references. Sets
 * *covered to 0 (writing nothing) when no stored checkpoint covers the
 * selection.
 */
static zkr_err export_snapshot(zkr_registry *reg, const uint8_t (*statements)[ZKR_DIGEST_BYTES],
                               size_t n_statements, const zkr_buf *given,
                               const zkr_bundle_eval_hooks *h, int *covered, zkr_buf *out,
                               zkr_diag *d)
{
    idx_set sel = {0};
    zkr_buf note = {0}, vk = {0};
    zkr_checkpoint cp;
    zkr_diag quiet;
    uint64_t rev_end = 0;
    zkr_err r;

    *covered = 0;
    zkr_diag_clear(&quiet);
    memset(&cp, 0, sizeof cp);
    /* A checkpoint just made (not yet stored) bounds the selection: entries past it wait. */
    if (given != NULL &&
        ((r = zkr_registry_verifier_key(reg, &vk)) != ZKR_OK ||
         (r = zkr_checkpoint_verify(given->p, given->len, (const char *)vk.p, &cp, d)) != ZKR_OK ||
         (r = zkr_buf_append(&note, given->p, given->len)) != ZKR_OK)) {
        zkr_buf_free(&vk);
        zkr_buf_free(&note);
        return r;
    }
    zkr_buf_free(&vk);
    if ((r = zkr_registry_begin_read(reg, d)) != ZKR_OK)
        goto out;
    if ((r = export_select(reg, statements, n_statements, given ? cp.size : UINT64_MAX, &sel,
                           d)) != ZKR_OK)
        goto out;
    r = given ? ZKR_OK : zkr_registry_checkpoint_latest(reg, &note, &cp, &quiet);
    if (r != ZKR_OK && r != ZKR_ERR_NOT_FOUND) {
        r = zkr_fail(d, r, "%s", quiet.msg);
        goto out;
    }
    /*
     * Only a checkpoint that signs the revocation set lets the importer see
     * a withheld one, and a stored checkpoint must also cover every
     * revocation this log holds: one older than a revocation (of a key, say,
     * which no selected entry names) would make a bundle complete for that
     * checkpoint while leaving out a revocation this registry knows.
     */
    if (r == ZKR_OK && !given && (r = revocations_end(reg, &rev_end, d)) != ZKR_OK)
        goto out;
    if (r == ZKR_ERR_NOT_FOUND || cp.size < (sel.n ? sel.v[sel.n - 1] + 1 : 0) ||
        (!given && cp.size < rev_end) || !cp.has_revocations) {
        r = ZKR_OK;
        goto out;
    }
    *covered = 1;
    if ((r = add_revocations(reg, &sel, cp.size, d)) != ZKR_OK)
        goto out;
    if (sel.n > BUNDLE_MAX_ENTRIES) {
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "export: %zu entries, over %u", sel.n,
                     BUNDLE_MAX_ENTRIES);
        goto out;
    }
    r = export_write(reg, &sel, &note, &cp, h, out, d);
out:
    zkr_registry_rollback(reg);
    free(sel.v);
    zkr_buf_free(&note);
    return r;
}

zkr_err zkr_registry_export_staged(zkr_registry *reg,
                                   const uint8_t (*statements)[ZKR_DIGEST_BYTES],
                                   size_t n_statements, const zkr_secret *pass, zkr_buf *out,
                                   zkr_buf *pending, zkr_diag *d)
{
    return zkr_registry_export_evals(reg, statements, n_statements, pass, NULL, out, pending, d);
}

zkr_err zkr_registry_export_evals(zkr_registry *reg,
                                  const uint8_t (*statements)[ZKR_DIGEST_BYTES],
                                  size_t n_statements, const zkr_secret *pass,
                                  const zkr_bundle_eval_hooks *h, zkr_buf *out,
                                  zkr_buf *pending, zkr_diag *d)
{
    int covered = 0;
    zkr_err r;

    if ((r = export_snapshot(reg, statements, n_statements, NULL, h, &covered, out, d)) != ZKR_OK ||
        covered)
        return r;
    if (pass == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE,
                        "no stored checkpoint covers the exported entries and every "
                        "revocation and signs the revocation set: run zkreg log checkpoint "
                        "first, or give --passphrase-file to sign one");
    /*
     * Sign the tree as it is now without storing the note, then export
     * from a new snapshot only what that note covers: entries committed
     * since by other processes wait for the next export.
     */
    pending->len = 0;
    if ((r = zkr_registry_checkpoint_make(reg, pass, pending, d)) != ZKR_OK ||
        (r = export_snapshot(reg, statements, n_statements, pending, h, &covered, out, d)) !=
            ZKR_OK)
        goto out;
    if (!covered)
        r = zkr_fail(d, ZKR_ERR_INTERNAL, "export: the checkpoint just made does not cover it");
out:
    if (r != ZKR_OK)
        pending->len = 0;
    return r;
}

zkr_err zkr_registry_export(zkr_registry *reg, const uint8_t (*statements)[ZKR_DIGEST_BYTES],
                            size_t n_statements, const zkr_secret *pass, zkr_buf *out,
                            zkr_diag *d)
{
    zkr_buf pending = {0};
    zkr_err r;

    if ((r = zkr_registry_export_staged(reg, statements, n_statements, pass, out, &pending, d)) ==
            ZKR_OK &&
        pending.len > 0)
        r = zkr_registry_checkpoint_store(reg, pending.p, pending.len, d);
    zkr_buf_free(&pending);
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

/* A carried evaluation proof (version 2), bound to its outcome entry at parse time. */
typedef struct {
    uint64_t outcome_index;
    const uint8_t *sid;
    const uint8_t *proof;
    size_t proof_len;
    zkr_round_outcome outcome;
} bundle_eval;

typedef struct {
    uint32_t version;
    char vkey[BUNDLE_VKEY_MAX + 1];
    const uint8_t *note;
    size_t note_len;
    uint32_t n;
    bundle_entry *e;
    uint32_t m;
    bundle_eval *ev;
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

/*
 * "ZKRBNDL" and the format version digit: 1 and 2 are read; a later
 * version is refused by name (its layout is unknown here), anything else
 * is no bundle.
 */
static zkr_err parse_magic(const uint8_t *p, size_t len, uint32_t *version, zkr_diag *d)
{
    if (len < 8 || memcmp(p, BUNDLE_MAGIC, 7) != 0 || p[7] < '1' || p[7] > '9')
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: wrong magic (not a zkreg bundle)");
    *version = (uint32_t)(p[7] - '0');
    if (*version > BUNDLE_VERSION)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "bundle: format version %u refused (this zkreg "
                        "reads versions 1 and %u only)", *version, BUNDLE_VERSION);
    return ZKR_OK;
}

/* The bundle's entry at log index `index` (entries are strictly increasing), or NULL. */
static const bundle_entry *entry_at(const bundle *b, uint64_t index)
{
    uint32_t lo = 0, hi = b->n;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b->e[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < b->n && b->e[lo].index == index ? &b->e[lo] : NULL;
}

/*
 * The carried evaluation proofs: strictly increasing outcome indices, each
 * an accepted round-outcome entry of this bundle (a proof for a worker the
 * round did not accept, or for no outcome in the bundle, is refused).
 */
static zkr_err parse_evals(zkr_dec *dec, bundle *b, zkr_diag *d)
{
    if (zkr_dec_u32(dec, &b->m) != ZKR_OK || b->m > b->n)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: evaluation proof count truncated or over "
                        "the bundle's %u entries", b->n);
    if ((b->ev = calloc(b->m ? b->m : 1, sizeof *b->ev)) == NULL)
        return ZKR_ERR_NOMEM;
    for (uint32_t i = 0; i < b->m; i++) {
        bundle_eval *v = &b->ev[i];
        const bundle_entry *e;
        if (zkr_dec_u64(dec, &v->outcome_index) != ZKR_OK ||
            zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &v->sid) != ZKR_OK ||
            zkr_dec_bytes(dec, ZKR_BUNDLE_EVAL_PROOF_MAX, &v->proof, &v->proof_len) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: evaluation proof %u is truncated or "
                            "over its bounds", i);
        if (i > 0 && v->outcome_index <= b->ev[i - 1].outcome_index)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: evaluation proofs' outcome indices "
                            "not strictly increasing");
        if ((e = entry_at(b, v->outcome_index)) == NULL || strcmp(e->type, "round-outcome") != 0)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: evaluation proof %u names log entry "
                            "%llu, which is no round-outcome entry of this bundle", i,
                            (unsigned long long)v->outcome_index);
        if (zkr_round_outcome_decode(e->payload, e->payload_len, &v->outcome) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: round-outcome event %llu is malformed",
                            (unsigned long long)e->index);
        if (!v->outcome.accepted)
            return zkr_fail(d, ZKR_ERR_VERIFY, "bundle: evaluation proof %u is for worker %u of "
                            "round-outcome event %llu, which the round did not accept", i,
                            v->outcome.worker, (unsigned long long)e->index);
    }
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
    /* Import holds every entry in memory and writes in one transaction: bound the total. */
    if (len > ZKR_BUNDLE_MAX_BYTES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "bundle: %zu bytes, over the limit of %zu bytes "
                        "(%zu MiB) per bundle; export in parts (--statement)", len,
                        ZKR_BUNDLE_MAX_BYTES, ZKR_BUNDLE_MAX_BYTES >> 20);
    if ((r = parse_magic(p, len, &b->version, d)) != ZKR_OK)
        return r;
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
    if (b->version >= 2 && (r = parse_evals(&dec, b, d)) != ZKR_OK)
        return r;
    if (zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: trailing bytes after the last %s",
                        b->version >= 2 ? "evaluation proof" : "entry");
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
        /* A revoked object binds nothing after its revocation, imported entries included. */
        if ((r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, prog.sha256, NULL, d)) != ZKR_OK)
            return r;
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
    if (r != ZKR_ERR_NOT_FOUND ||
        (r = zkr_registry_statement_check_revoked(reg, &s, d)) != ZKR_OK)
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

/* Whether this registry already records (statement, proof digest); errors count as not held. */
static int proof_held(zkr_registry *reg, const uint8_t sid[32], const uint8_t pd[32])
{
    sqlite3_stmt *st = NULL;
    int held;

    if (zkr_registry_prepare(reg, "SELECT 1 FROM proof WHERE statement_id = ? AND proof_digest = ?",
                             &st, NULL) != ZKR_OK)
        return 0;
    sqlite3_bind_blob(st, 1, sid, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, pd, 32, SQLITE_STATIC);
    held = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return held;
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
    if (r == ZKR_OK && !proof_held(reg, sid, pd))
        r = zkr_registry_statement_check_revoked(reg, &s, d);
    zkr_statement_free(&s);
    if (r != ZKR_OK)
        return r;
    r = zkr_registry_proof_insert_tx(reg, sid, pd, vv, e->time, &li, &existed, d);
    *added = r == ZKR_OK && !existed;
    return r;
}

/* ------------------------------------------------------------------ */
/* Training events: decoded strictly, every reference held             */
/* ------------------------------------------------------------------ */

/*
 * The round-opens this registry holds, by digest, loaded once per import
 * and grown as opens are imported: an open-addressed table (digests are
 * uniform, so their first bytes hash well).
 */
typedef struct {
    uint8_t digest[ZKR_DIGEST_BYTES];
    uint64_t index;
    int used;
} round_slot;

/*
 * One round's state as the registry holds it inside the import's
 * transaction, kept between entries: a round's outcomes and close are
 * consecutive leaves, so each is checked without re-reading the others.
 */
typedef struct {
    int valid;
    uint8_t round[ZKR_DIGEST_BYTES];
    zkr_round_open open;
    zkr_artifact parent;
    int closed;
    uint64_t close_index;
    uint8_t has[ZKR_ROUND_MAX_WORKERS];
    zkr_round_outcome outcome[ZKR_ROUND_MAX_WORKERS];
} round_cache;

typedef struct {
    round_slot *slot;
    size_t cap, n;
    int loaded;
    round_cache *cache; /* allocated on first use */
} round_set;

static size_t slot_of(const round_set *s, const uint8_t digest[ZKR_DIGEST_BYTES])
{
    size_t i = (size_t)zkr_load_be64(digest) & (s->cap - 1);

    while (s->slot[i].used && memcmp(s->slot[i].digest, digest, ZKR_DIGEST_BYTES) != 0)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static zkr_err rounds_add(round_set *s, const uint8_t digest[ZKR_DIGEST_BYTES], uint64_t index)
{
    size_t i;

    if (2 * (s->n + 1) > s->cap) {
        round_set g = {NULL, s->cap ? 2 * s->cap : 64, 0, s->loaded, s->cache};
        if ((g.slot = calloc(g.cap, sizeof *g.slot)) == NULL)
            return ZKR_ERR_NOMEM;
        for (size_t j = 0; j < s->cap; j++)
            if (s->slot[j].used)
                g.slot[slot_of(&g, s->slot[j].digest)] = s->slot[j];
        g.n = s->n;
        free(s->slot);
        *s = g;
    }
    i = slot_of(s, digest);
    if (!s->slot[i].used) {
        memcpy(s->slot[i].digest, digest, ZKR_DIGEST_BYTES);
        s->slot[i].index = index;
        s->slot[i].used = 1;
        s->n++;
    }
    return ZKR_OK;
}

static const round_slot *rounds_find(const round_set *s, const uint8_t digest[ZKR_DIGEST_BYTES])
{
    size_t i;

    if (s->cap == 0)
        return NULL;
    i = slot_of(s, digest);
    return s->slot[i].used ? &s->slot[i] : NULL;
}

static zkr_err rounds_load(zkr_registry *reg, round_set *s, zkr_diag *d)
{
    uint64_t *idx = NULL;
    size_t n = 0;
    zkr_err r;

    if (s->loaded)
        return ZKR_OK;
    if ((r = zkr_registry_events_of_type(reg, "round-open", &idx, &n, d)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n && r == ZKR_OK; i++) {
        zkr_log_entry e;
        uint8_t h[ZKR_DIGEST_BYTES];
        if ((r = zkr_registry_log_entry(reg, idx[i], &e, d)) != ZKR_OK)
            break;
        zkr_sha256(e.payload, e.payload_len, h);
        /* A twin already held (version 1) stays findable by its first leaf. */
        r = rounds_add(s, h, idx[i]);
        zkr_log_entry_free(&e);
    }
    free(idx);
    s->loaded = r == ZKR_OK;
    return r;
}

static zkr_err leaf_held(zkr_registry *reg, const bundle_entry *e, int *held, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    uint8_t h[ZKR_DIGEST_BYTES];
    zkr_err r;
    int rc;

    *held = 0;
    zkr_merkle_leaf_hash(e->leaf, e->leaf_len, h);
    if ((r = zkr_registry_prepare(reg, "SELECT 1 FROM log WHERE leaf_hash = ?", &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_blob(st, 1, h, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return zkr_fail(d, ZKR_ERR_REGISTRY, "bundle: cannot look up entry %llu",
                        (unsigned long long)e->index);
    *held = rc == SQLITE_ROW;
    return ZKR_OK;
}

/* An artifact a training event names: held here (imported earlier in this bundle, or before). */
static zkr_err need_artifact(zkr_registry *reg, const bundle_entry *e, zkr_kind kind,
                             const char *role, const uint8_t sha[ZKR_DIGEST_BYTES],
                             const uint8_t *commitment, zkr_artifact *out, zkr_diag *d)
{
    char hex[65];
    zkr_diag quiet;
    zkr_err r;

    zkr_registry_hex(sha, 32, hex, sizeof hex);
    zkr_diag_clear(&quiet);
    r = zkr_registry_artifact_get(reg, kind, hex, out, &quiet);
    if (r == ZKR_ERR_NOT_FOUND)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND,
                        "bundle: %s event %llu names %s %s %s, which is neither in the bundle "
                        "nor in this registry", e->type, (unsigned long long)e->index, role,
                        zkr_kind_name(kind), hex);
    if (r != ZKR_OK)
        return zkr_fail(d, r, "%s", quiet.msg);
    if (commitment != NULL &&
        (!out->has_commitment || memcmp(out->commitment, commitment, ZKR_DIGEST_BYTES) != 0))
        return zkr_fail(d, ZKR_ERR_VERIFY,
                        "bundle: %s event %llu names %s %s %s with another commitment than "
                        "its registration", e->type, (unsigned long long)e->index, role,
                        zkr_kind_name(kind), hex);
    return ZKR_OK;
}

/*
 * Rounds and lineage are training-step@1, which reads its records in the
 * clear: over a hiding (version 2) dataset no step could ever be proven,
 * so such an event is refused as register-statement refuses the mix.
 */
static zkr_err need_v1_dataset(const bundle_entry *e, const zkr_artifact *ds, zkr_diag *d)
{
    char hex[65];

    if (zkr_registry_dataset_version(ds) == 1)
        return ZKR_OK;
    zkr_registry_hex(ds->sha256, 32, hex, sizeof hex);
    return zkr_fail(d, ZKR_ERR_MALFORMED,
                    "bundle: %s event %llu trains on dataset %s, a version %d (hiding) dataset; "
                    "training-step@1 needs a version 1 dataset",
                    e->type, (unsigned long long)e->index, hex, zkr_registry_dataset_version(ds));
}

/*
 * A round's dataset is the one its schema's kind reads: version 1 for
 * training-step@1, version 3 (hiding record commitments, a private
 * shard) for training-step@2; any other mix could never be proven, so
 * the round-open is refused as `round open` refuses it.
 */
static zkr_err need_round_dataset(zkr_registry *reg, const bundle_entry *e, const zkr_artifact *ds,
                                  const uint8_t schema[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_schema sc;
    char hex[65];
    int want;

    if (zkr_registry_schema_find_digest(reg, schema, &sc) != ZKR_OK)
        return need_v1_dataset(e, ds, d); /* need_schema names the missing schema */
    want = zkr_registry_kind_dataset_version(sc.proof_kind);
    if (zkr_registry_dataset_version(ds) == want)
        return ZKR_OK;
    zkr_registry_hex(ds->sha256, 32, hex, sizeof hex);
    return zkr_fail(d, ZKR_ERR_MALFORMED,
                    "bundle: %s event %llu trains on dataset %s, a version %d dataset; %s needs "
                    "a version %d dataset", e->type, (unsigned long long)e->index, hex,
                    zkr_registry_dataset_version(ds), sc.proof_kind, want);
}

/*
 * A gated round's evaluation gate as `round open` makes it: an
 * evaluation-fixed@1 schema, a dataset of public records (version 1:
 * evaluation-fixed@1 proves over every record the appliance holds) and
 * 1 <= K <= its record count; import refuses any other (exit 3).
 */
static zkr_err need_gate(zkr_registry *reg, const bundle_entry *e, const zkr_round_open *o,
                         const zkr_artifact *ds, zkr_diag *d)
{
    zkr_schema sc;
    char hex[65];
    zkr_err r;

    zkr_registry_hex(ds->sha256, 32, hex, sizeof hex);
    if (zkr_registry_dataset_version(ds) != 1)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "bundle: %s event %llu gates on evaluation dataset %s, a version %d "
                        "(hiding) dataset; the evaluation gate needs a version 1 dataset (public "
                        "records)", e->type, (unsigned long long)e->index, hex,
                        zkr_registry_dataset_version(ds));
    if (o->min_correct == 0 || o->min_correct > ds->record_count)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "bundle: %s event %llu: the gate's K %llu is not in 1..%llu, the "
                        "evaluation dataset's record count", e->type, (unsigned long long)e->index,
                        (unsigned long long)o->min_correct, (unsigned long long)ds->record_count);
    if ((r = zkr_registry_schema_find_digest(reg, o->eval_schema, &sc)) != ZKR_OK)
        return zkr_fail(d, r, "bundle: %s event %llu: its evaluation schema is not held", e->type,
                        (unsigned long long)e->index);
    if (strcmp(sc.proof_kind, "evaluation-fixed@1") != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "bundle: %s event %llu gates on a schema of kind '%s'; the evaluation "
                        "gate needs evaluation-fixed@1", e->type, (unsigned long long)e->index,
                        sc.proof_kind);
    return ZKR_OK;
}

static zkr_err need_schema(zkr_registry *reg, const bundle_entry *e,
                           const uint8_t digest[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_schema sc;
    char hex[65];
    zkr_err r;

    zkr_registry_hex(digest, 32, hex, sizeof hex);
    r = zkr_registry_schema_find_digest(reg, digest, &sc);
    if (r == ZKR_ERR_NOT_FOUND)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "bundle: %s event %llu names schema %s, which is "
                        "neither in the bundle nor in this registry", e->type,
                        (unsigned long long)e->index, hex);
    return r;
}

/* The child model of `parent`'s program. */
static zkr_err need_child(zkr_registry *reg, const bundle_entry *e, const zkr_artifact *parent,
                          const uint8_t sha[ZKR_DIGEST_BYTES], const uint8_t *commitment,
                          zkr_diag *d)
{
    zkr_artifact child;
    zkr_err r;

    if ((r = need_artifact(reg, e, ZKR_KIND_MODEL, "child", sha, commitment, &child, d)) != ZKR_OK)
        return r;
    if (child.program_id != parent->program_id)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM, "bundle: %s event %llu: its child model "
                        "belongs to another program than its parent", e->type,
                        (unsigned long long)e->index);
    return ZKR_OK;
}

/*
 * A revoked object binds nothing after its revocation, imported training
 * events included: the same objects the local writers check (train's
 * lineage, round open and close) are checked here, in the import's
 * transaction.
 */
static zkr_err not_revoked(zkr_registry *reg, const bundle_entry *e, zkr_kind kind,
                           const char *role, const uint8_t digest[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_diag quiet;
    zkr_err r;

    zkr_diag_clear(&quiet);
    if ((r = zkr_registry_check_revoked(reg, kind, digest, NULL, &quiet)) == ZKR_OK)
        return ZKR_OK;
    return zkr_fail(d, r, "bundle: %s event %llu binds %s %s: %s", e->type,
                    (unsigned long long)e->index, role, zkr_kind_name(kind), quiet.msg);
}

/* The program of model `m`, not revoked. */
static zkr_err program_not_revoked(zkr_registry *reg, const bundle_entry *e,
                                   const zkr_artifact *m, zkr_diag *d)
{
    zkr_artifact prog;
    zkr_err r;

    if ((r = zkr_registry_artifact_by_id(reg, m->program_id, &prog, d)) != ZKR_OK)
        return r;
    return not_revoked(reg, e, ZKR_KIND_PROGRAM, "the parent's", prog.sha256, d);
}

/*
 * The verifier version schema `digest` pins, not revoked: round open and
 * close refuse a round whose training-step or evaluation verdicts come
 * from a revoked verifier (a schema not held was refused by need_schema).
 */
static zkr_err verifier_not_revoked(zkr_registry *reg, const bundle_entry *e, const char *role,
                                    const uint8_t digest[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_schema sc;
    zkr_diag quiet;
    zkr_err r;

    zkr_diag_clear(&quiet);
    if ((r = zkr_registry_schema_find_digest(reg, digest, &sc)) == ZKR_ERR_NOT_FOUND)
        return ZKR_OK;
    if (r != ZKR_OK)
        return zkr_fail(d, r, "bundle: %s event %llu: reading %s schema", e->type,
                        (unsigned long long)e->index, role);
    if ((r = zkr_registry_verifier_revoked(reg, sc.proof_kind, sc.verifier_version, &quiet)) ==
        ZKR_OK)
        return ZKR_OK;
    return zkr_fail(d, r, "bundle: %s event %llu: %s schema's %s", e->type,
                    (unsigned long long)e->index, role, quiet.msg);
}

/*
 * A round's parent (and its program), dataset and schema, and a gated
 * round's evaluation dataset and schema, not revoked, nor the verifier
 * versions the schemas pin: the round-open's and the round-close's check,
 * as zkr_registry_round_open and _round_close.
 */
static zkr_err round_open_not_revoked(zkr_registry *reg, const bundle_entry *e,
                                      const zkr_round_open *o, const zkr_artifact *parent,
                                      zkr_diag *d)
{
    zkr_err r;

    if ((r = program_not_revoked(reg, e, parent, d)) != ZKR_OK ||
        (r = not_revoked(reg, e, ZKR_KIND_MODEL, "the parent", o->parent, d)) != ZKR_OK ||
        (r = not_revoked(reg, e, ZKR_KIND_DATASET, "the", o->dataset, d)) != ZKR_OK)
        return r;
    if (o->version == 3 &&
        ((r = not_revoked(reg, e, ZKR_KIND_DATASET, "the evaluation", o->eval_dataset, d)) !=
             ZKR_OK ||
         (r = not_revoked(reg, e, ZKR_KIND_SCHEMA, "the evaluation", o->eval_schema, d)) !=
             ZKR_OK ||
         (r = verifier_not_revoked(reg, e, "the evaluation", o->eval_schema, d)) != ZKR_OK))
        return r;
    if ((r = not_revoked(reg, e, ZKR_KIND_SCHEMA, "the", o->schema, d)) != ZKR_OK)
        return r;
    return verifier_not_revoked(reg, e, "the training", o->schema, d);
}

static zkr_err append_event(zkr_registry *reg, const bundle_entry *e, int *added, uint64_t *li,
                            zkr_diag *d)
{
    zkr_err r = zkr_registry_log_append_tx(reg, e->type, e->time, e->payload, e->payload_len, li,
                                           d);

    *added = r == ZKR_OK;
    return r;
}

static zkr_err malformed(const bundle_entry *e, zkr_diag *d)
{
    return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: log entry %llu is a malformed '%s' event",
                    (unsigned long long)e->index, e->type);
}

static zkr_err import_lineage(zkr_registry *reg, const bundle_entry *e, int *added, zkr_diag *d)
{
    zkr_lineage l;
    zkr_artifact parent, ds;
    uint64_t li;
    int held;
    zkr_err r;

    if (zkr_lineage_decode(e->payload, e->payload_len, &l) != ZKR_OK)
        return malformed(e, d);
    if ((r = leaf_held(reg, e, &held, d)) != ZKR_OK || held)
        return r;
    if ((r = need_artifact(reg, e, ZKR_KIND_MODEL, "parent", l.parent, l.parent_commitment,
                           &parent, d)) != ZKR_OK ||
        (r = need_child(reg, e, &parent, l.child, l.child_commitment, d)) != ZKR_OK ||
        (r = need_artifact(reg, e, ZKR_KIND_DATASET, "the", l.dataset, NULL, &ds, d)) != ZKR_OK ||
        (r = need_v1_dataset(e, &ds, d)) != ZKR_OK ||
        (r = program_not_revoked(reg, e, &parent, d)) != ZKR_OK ||
        (r = not_revoked(reg, e, ZKR_KIND_MODEL, "the parent", l.parent, d)) != ZKR_OK ||
        (r = not_revoked(reg, e, ZKR_KIND_DATASET, "the", l.dataset, d)) != ZKR_OK)
        return r;
    return append_event(reg, e, added, &li, d);
}

static zkr_err import_round_open(zkr_registry *reg, const bundle_entry *e, round_set *rs,
                                 int *added, zkr_diag *d)
{
    zkr_round_open o;
    zkr_artifact parent, ds;
    const round_slot *twin;
    uint8_t digest[ZKR_DIGEST_BYTES];
    char hex[65];
    uint64_t li;
    int held;
    zkr_err r;

    if (zkr_round_open_decode(e->payload, e->payload_len, &o) != ZKR_OK)
        return malformed(e, d);
    if ((r = leaf_held(reg, e, &held, d)) != ZKR_OK || held ||
        (r = rounds_load(reg, rs, d)) != ZKR_OK)
        return r;
    zkr_sha256(e->payload, e->payload_len, digest);
    if ((twin = rounds_find(rs, digest)) != NULL) {
        zkr_registry_hex(digest, 32, hex, sizeof hex);
        return zkr_fail(d, ZKR_ERR_CONFLICT, "bundle: log entry %llu opens round %s, which this "
                        "registry already holds at log %llu", (unsigned long long)e->index, hex,
                        (unsigned long long)twin->index);
    }
    if ((r = need_artifact(reg, e, ZKR_KIND_MODEL, "parent", o.parent, o.parent_commitment,
                           &parent, d)) != ZKR_OK ||
        (r = need_artifact(reg, e, ZKR_KIND_DATASET, "the", o.dataset, NULL, &ds, d)) != ZKR_OK ||
        (r = need_schema(reg, e, o.schema, d)) != ZKR_OK ||
        (r = need_round_dataset(reg, e, &ds, o.schema, d)) != ZKR_OK ||
        (r = round_open_not_revoked(reg, e, &o, &parent, d)) != ZKR_OK)
        return r;
    if (o.version == 3 && /* the evaluation gate: its dataset and schema held (revocations above) */
        ((r = need_artifact(reg, e, ZKR_KIND_DATASET, "the evaluation", o.eval_dataset, NULL, &ds,
                            d)) != ZKR_OK ||
         (r = need_schema(reg, e, o.eval_schema, d)) != ZKR_OK ||
         (r = need_gate(reg, e, &o, &ds, d)) != ZKR_OK))
        return r;
    if ((r = append_event(reg, e, added, &li, d)) != ZKR_OK)
        return r;
    return rounds_add(rs, digest, li);
}

/* Reads the held round-open that `round` names, and its parent model. */
static zkr_err load_round_open(zkr_registry *reg, const bundle_entry *e, round_set *rs,
                               const uint8_t round[ZKR_DIGEST_BYTES], round_cache *c, zkr_diag *d)
{
    const round_slot *slot;
    zkr_log_entry le;
    char hex[65];
    zkr_err r;

    zkr_registry_hex(round, 32, hex, sizeof hex);
    if ((r = rounds_load(reg, rs, d)) != ZKR_OK)
        return r;
    if ((slot = rounds_find(rs, round)) == NULL)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "bundle: %s event %llu names round %s, whose "
                        "round-open is neither in the bundle nor in this registry", e->type,
                        (unsigned long long)e->index, hex);
    if ((r = zkr_registry_log_entry(reg, slot->index, &le, d)) != ZKR_OK)
        return r;
    if (zkr_round_open_decode(le.payload, le.payload_len, &c->open) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "log entry %llu: malformed round-open",
                     (unsigned long long)slot->index);
    zkr_log_entry_free(&le);
    if (r != ZKR_OK)
        return r;
    return need_artifact(reg, e, ZKR_KIND_MODEL, "the round's parent", c->open.parent,
                         c->open.parent_commitment, &c->parent, d);
}

/* The held outcomes and close of the round in c; a twin outcome for one worker is refused. */
static zkr_err load_round_events(zkr_registry *reg, round_cache *c, zkr_diag *d)
{
    uint64_t *idx = NULL;
    size_t n = 0;
    zkr_err r;

    if ((r = zkr_registry_events_by_key(reg, "round-close", c->round, &idx, &n, d)) != ZKR_OK)
        return r;
    c->closed = n > 0;
    c->close_index = n > 0 ? idx[0] : 0;
    free(idx);
    idx = NULL;
    if ((r = zkr_registry_events_by_key(reg, "round-outcome", c->round, &idx, &n, d)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n && r == ZKR_OK; i++) {
        zkr_round_outcome oc;
        zkr_log_entry le;
        if ((r = zkr_registry_log_entry(reg, idx[i], &le, d)) != ZKR_OK)
            break;
        if (zkr_round_outcome_decode(le.payload, le.payload_len, &oc) != ZKR_OK)
            r = zkr_fail(d, ZKR_ERR_REGISTRY, "log entry %llu: malformed round-outcome",
                         (unsigned long long)idx[i]);
        else if (c->has[oc.worker])
            r = zkr_fail(d, ZKR_ERR_VERIFY, "log entry %llu: worker %u of its round has two "
                         "outcomes here", (unsigned long long)idx[i], oc.worker);
        else {
            c->has[oc.worker] = 1;
            c->outcome[oc.worker] = oc;
        }
        zkr_log_entry_free(&le);
    }
    free(idx);
    return r;
}

/* The state of round `round` (held or imported so far), from the cache when it is the last one. */
static zkr_err round_state(zkr_registry *reg, const bundle_entry *e, round_set *rs,
                           const uint8_t round[ZKR_DIGEST_BYTES], round_cache **out, zkr_diag *d)
{
    round_cache *c;
    zkr_err r;

    *out = NULL;
    if (rs->cache == NULL && (rs->cache = calloc(1, sizeof *rs->cache)) == NULL)
        return ZKR_ERR_NOMEM;
    c = rs->cache;
    if (!c->valid || memcmp(c->round, round, ZKR_DIGEST_BYTES) != 0) {
        memset(c, 0, sizeof *c);
        memcpy(c->round, round, ZKR_DIGEST_BYTES);
        if ((r = load_round_open(reg, e, rs, round, c, d)) != ZKR_OK ||
            (r = load_round_events(reg, c, d)) != ZKR_OK)
            return r;
        c->valid = 1;
    }
    if (c->closed)
        return zkr_fail(d, ZKR_ERR_CONFLICT, "bundle: %s event %llu: its round was already "
                        "closed (log %llu)", e->type, (unsigned long long)e->index,
                        (unsigned long long)c->close_index);
    *out = c;
    return ZKR_OK;
}

/* A statement an outcome names; an accepted one must be the round's statement for that child. */
static zkr_err need_statement(zkr_registry *reg, const bundle_entry *e, const zkr_round_open *o,
                              const zkr_round_outcome *oc, zkr_diag *d)
{
    zkr_statement st;
    char hex[65];
    zkr_diag quiet;
    int bound = 0;
    zkr_err r;

    zkr_registry_hex(oc->statement, 32, hex, sizeof hex);
    zkr_diag_clear(&quiet);
    r = zkr_registry_statement_get(reg, hex, &st, &quiet);
    if (r == ZKR_ERR_NOT_FOUND) {
        r = zkr_fail(d, ZKR_ERR_NOT_FOUND, "bundle: %s event %llu names statement %s, which is "
                     "neither in the bundle nor in this registry", e->type,
                     (unsigned long long)e->index, hex);
        goto out;
    }
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, "%s", quiet.msg);
        goto out;
    }
    for (size_t i = 0; i < st.n_params; i++)
        if (strcmp(st.params[i].name, "child_model") == 0 && st.params[i].value_len == 32 &&
            memcmp(st.params[i].value, oc->child, 32) == 0)
            bound = 1;
    if (oc->accepted && (!bound || memcmp(st.schema.digest, o->schema, 32) != 0 ||
                         memcmp(st.model.sha256, o->parent, 32) != 0 ||
                         memcmp(st.dataset.sha256, o->dataset, 32) != 0))
        r = zkr_fail(d, ZKR_ERR_VERIFY, "bundle: %s event %llu: statement %s is not the round's "
                     "statement for worker %u's child", e->type, (unsigned long long)e->index,
                     hex, oc->worker);
out:
    zkr_statement_free(&st);
    return r;
}

static zkr_err import_round_outcome(zkr_registry *reg, const bundle_entry *e, round_set *rs,
                                    int *added, zkr_diag *d)
{
    zkr_round_outcome oc;
    round_cache *c;
    uint64_t li;
    int dup;
    zkr_err r;

    if (zkr_round_outcome_decode(e->payload, e->payload_len, &oc) != ZKR_OK)
        return malformed(e, d);
    if ((r = leaf_held(reg, e, &dup, d)) != ZKR_OK || dup)
        return r;
    if ((r = round_state(reg, e, rs, oc.round, &c, d)) != ZKR_OK)
        return r;
    if (oc.worker >= c->open.workers)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "bundle: %s event %llu: worker %u is outside its "
                        "round's %u workers", e->type, (unsigned long long)e->index, oc.worker,
                        c->open.workers);
    if (c->has[oc.worker])
        return zkr_fail(d, ZKR_ERR_CONFLICT, "bundle: %s event %llu: worker %u of its round "
                        "already has an outcome", e->type, (unsigned long long)e->index,
                        oc.worker);
    if (oc.accepted && (r = need_child(reg, e, &c->parent, oc.child, NULL, d)) != ZKR_OK)
        return r;
    if (!sodium_is_zero(oc.statement, 32) &&
        (r = need_statement(reg, e, &c->open, &oc, d)) != ZKR_OK)
        return r;
    /* As zkr_registry_round_close: an accepted child and its statement, not revoked. */
    if (oc.accepted &&
        ((r = not_revoked(reg, e, ZKR_KIND_STATEMENT, "its", oc.statement, d)) != ZKR_OK ||
         (r = not_revoked(reg, e, ZKR_KIND_MODEL, "the child", oc.child, d)) != ZKR_OK))
        return r;
    if ((r = append_event(reg, e, added, &li, d)) != ZKR_OK)
        return r;
    c->has[oc.worker] = 1;
    c->outcome[oc.worker] = oc;
    return ZKR_OK;
}

static zkr_err import_round_close(zkr_registry *reg, const bundle_entry *e, round_set *rs,
                                  int *added, zkr_diag *d)
{
    zkr_round_close rc;
    round_cache *c;
    uint64_t li;
    uint32_t k = 0;
    int dup;
    zkr_err r;

    if (zkr_round_close_decode(e->payload, e->payload_len, &rc) != ZKR_OK)
        return malformed(e, d);
    if ((r = leaf_held(reg, e, &dup, d)) != ZKR_OK || dup)
        return r;
    if ((r = round_state(reg, e, rs, rc.round, &c, d)) != ZKR_OK)
        return r;
    /* Every worker's outcome precedes the close, whose children are exactly the accepted ones. */
    for (uint32_t w = 0; w < c->open.workers; w++) {
        if (!c->has[w])
            return zkr_fail(d, ZKR_ERR_NOT_FOUND, "bundle: %s event %llu: worker %u's outcome "
                            "is neither in the bundle nor in this registry", e->type,
                            (unsigned long long)e->index, w);
        if (c->outcome[w].accepted &&
            (k >= rc.k || memcmp(rc.children[k++], c->outcome[w].child, 32) != 0))
            return zkr_fail(d, ZKR_ERR_VERIFY, "bundle: %s event %llu does not list worker %u's "
                            "accepted child", e->type, (unsigned long long)e->index, w);
    }
    if (k != rc.k)
        return zkr_fail(d, ZKR_ERR_VERIFY, "bundle: %s event %llu averages %u children, its "
                        "round's outcomes accept %u", e->type, (unsigned long long)e->index,
                        rc.k, k);
    if (rc.k > 0 && (r = need_child(reg, e, &c->parent, rc.result, rc.result_commitment, d)) !=
                        ZKR_OK)
        return r;
    if ((r = round_open_not_revoked(reg, e, &c->open, &c->parent, d)) != ZKR_OK)
        return r;
    if ((r = append_event(reg, e, added, &li, d)) != ZKR_OK)
        return r;
    c->closed = 1;
    c->close_index = li;
    return ZKR_OK;
}

static zkr_err import_entry_training(zkr_registry *reg, const bundle_entry *e, round_set *rs,
                                     int *added, zkr_diag *d)
{
    if (strcmp(e->type, "lineage") == 0)
        return import_lineage(reg, e, added, d);
    if (strcmp(e->type, "round-open") == 0)
        return import_round_open(reg, e, rs, added, d);
    if (strcmp(e->type, "round-outcome") == 0)
        return import_round_outcome(reg, e, rs, added, d);
    return import_round_close(reg, e, rs, added, d);
}

static zkr_err import_entry(zkr_registry *reg, const bundle_entry *e, round_set *rs, int *added,
                            zkr_diag *d)
{
    *added = 0;
    for (size_t i = 0; i < sizeof training / sizeof training[0]; i++)
        if (strcmp(e->type, training[i]) == 0)
            return import_entry_training(reg, e, rs, added, d);
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

/* ------------------------------------------------------------------ */
/* Evaluation proofs of gated rounds (format version 2)                 */
/* ------------------------------------------------------------------ */

/* The held round-open of outcome oc's round, and oc's child's registered commitment. */
static zkr_err eval_ref_load(zkr_registry *reg, round_set *rs, const zkr_round_outcome *oc,
                             zkr_round_open *open, uint8_t comm[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    const round_slot *slot;
    zkr_log_entry le;
    zkr_artifact child;
    char hex[65];
    zkr_err r;

    zkr_registry_hex(oc->round, 32, hex, sizeof hex);
    if ((r = rounds_load(reg, rs, d)) != ZKR_OK)
        return r;
    if ((slot = rounds_find(rs, oc->round)) == NULL)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "round %s: its round-open is not held", hex);
    if ((r = zkr_registry_log_entry(reg, slot->index, &le, d)) != ZKR_OK)
        return r;
    if (zkr_round_open_decode(le.payload, le.payload_len, open) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "log entry %llu: malformed round-open",
                     (unsigned long long)slot->index);
    zkr_log_entry_free(&le);
    if (r != ZKR_OK)
        return r;
    zkr_registry_hex(oc->child, 32, hex, sizeof hex);
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, hex, &child, d)) != ZKR_OK)
        return r;
    if (!child.has_commitment)
        return zkr_fail(d, ZKR_ERR_VERIFY, "model %s (a round's child) has no commitment", hex);
    memcpy(comm, child.commitment, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

/* Appends the proof h fetches for selected entry `index` when it is a gated round's accepted outcome. */
static zkr_err export_eval_one(zkr_registry *reg, round_set *rs, uint64_t index,
                               const zkr_bundle_eval_hooks *h, zkr_buf *body, uint32_t *m,
                               zkr_diag *d)
{
    zkr_bundle_eval_ref ref;
    zkr_round_outcome oc;
    zkr_round_open open;
    zkr_log_entry e;
    zkr_buf proof = {0};
    uint8_t comm[ZKR_DIGEST_BYTES], sid[ZKR_DIGEST_BYTES];
    int is, found = 0;
    zkr_err r;

    if ((r = zkr_registry_log_entry(reg, index, &e, d)) != ZKR_OK)
        return r;
    is = strcmp(e.type, "round-outcome") == 0 &&
         zkr_round_outcome_decode(e.payload, e.payload_len, &oc) == ZKR_OK && oc.accepted;
    zkr_log_entry_free(&e);
    if (!is)
        return ZKR_OK;
    if ((r = eval_ref_load(reg, rs, &oc, &open, comm, d)) != ZKR_OK || open.version != 3)
        return r;
    ref = (zkr_bundle_eval_ref){&open, oc.round, &oc, comm, index};
    if ((r = h->fetch(h->ctx, reg, &ref, sid, &proof, &found, d)) != ZKR_OK || !found)
        goto out;
    if (proof.len > ZKR_BUNDLE_EVAL_PROOF_MAX) {
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "export: round-outcome %llu's evaluation proof is "
                     "%zu bytes, over %zu", (unsigned long long)index, proof.len,
                     ZKR_BUNDLE_EVAL_PROOF_MAX);
        goto out;
    }
    if ((r = zkr_enc_u64(body, index)) != ZKR_OK ||
        (r = zkr_buf_append(body, sid, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(body, proof.p, proof.len)) != ZKR_OK)
        goto out;
    (*m)++;
out:
    zkr_buf_free(&proof);
    return r;
}

/*
 * Version 2's trailer: the evaluation proof kept for every accepted
 * outcome of a gated round among the selected entries, in log order (none
 * without hooks, or where the exporter keeps none).
 */
static zkr_err export_evals(zkr_registry *reg, const idx_set *sel,
                            const zkr_bundle_eval_hooks *h, zkr_buf *out, zkr_diag *d)
{
    round_set rs = {NULL, 0, 0, 0, NULL};
    idx_set oc = {0};
    zkr_buf body = {0};
    uint32_t m = 0;
    zkr_err r = ZKR_OK;

    /* Only the selected round-outcome entries are read again (an indexed query finds them). */
    if (h != NULL && h->fetch != NULL && sel->n > 0 &&
        (r = add_query(reg, &oc, "SELECT idx FROM log WHERE type = 'round-outcome'", NULL, d)) ==
            ZKR_OK)
        idx_finish(&oc);
    for (size_t i = 0; i < oc.n && r == ZKR_OK; i++)
        if (bsearch(&oc.v[i], sel->v, sel->n, sizeof *sel->v, u64_cmp) != NULL)
            r = export_eval_one(reg, &rs, oc.v[i], h, &body, &m, d);
    if (r == ZKR_OK && (r = zkr_enc_u32(out, m)) == ZKR_OK)
        r = zkr_buf_append(out, body.p, body.len);
    free(oc.v);
    free(rs.slot);
    free(rs.cache);
    zkr_buf_free(&body);
    return r;
}

/*
 * Hands each carried proof, with its round and child as this registry now
 * holds them (inside the import's transaction, after every entry), to
 * h->bind, then h->stage. A bundle carrying proofs and no hooks is refused.
 */
static zkr_err import_evals(zkr_registry *reg, const bundle *b, round_set *rs,
                            const zkr_bundle_eval_hooks *h, zkr_diag *d)
{
    zkr_err r;

    if (b->m == 0)
        return ZKR_OK;
    if (h == NULL || h->bind == NULL)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "bundle: carries %u evaluation proof(s), which "
                        "this importer cannot verify", b->m);
    for (uint32_t i = 0; i < b->m; i++) {
        const bundle_eval *v = &b->ev[i];
        zkr_bundle_eval_ref ref;
        zkr_round_open open;
        uint8_t comm[ZKR_DIGEST_BYTES];
        if ((r = eval_ref_load(reg, rs, &v->outcome, &open, comm, d)) != ZKR_OK)
            return r;
        if (open.version != 3)
            return zkr_fail(d, ZKR_ERR_VERIFY, "bundle: evaluation proof %u is for round-outcome "
                            "event %llu, whose round is not gated", i,
                            (unsigned long long)v->outcome_index);
        ref = (zkr_bundle_eval_ref){&open, v->outcome.round, &v->outcome, comm, v->outcome_index};
        if ((r = h->bind(h->ctx, reg, &ref, v->sid, v->proof, v->proof_len, d)) != ZKR_OK)
            return r;
    }
#if ZKR_TEST_BUILD
    /* A file written under a proof's name meanwhile (round-gate-bundle-cli). */
    zkr_registry_test_pause(reg, "eval-stage");
#endif
    return h->stage != NULL ? h->stage(h->ctx, d) : ZKR_OK;
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
    return zkr_registry_import_evals(reg, data, len, trusted_vkey, NULL, out, d);
}

zkr_err zkr_registry_import_evals(zkr_registry *reg, const uint8_t *data, size_t len,
                                  const char *trusted_vkey, const zkr_bundle_eval_hooks *hooks,
                                  zkr_import_summary *out, zkr_diag *d)
{
    zkr_buf own = {0};
    round_set rs = {NULL, 0, 0, 0, NULL};
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
    out->evals = b.m;
    out->version = b.version;
    /* References and conflicts are checked against the registry as it grows, in one transaction. */
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        goto out;
    for (uint32_t i = 0; i < b.n; i++) {
        int added = 0;
        if ((r = import_entry(reg, &b.e[i], &rs, &added, d)) != ZKR_OK)
            goto out;
        out->added += (uint64_t)added;
        out->present += (uint64_t)!added;
    }
    /* The proofs bind to the rounds and children as now held; the store's files are staged last. */
    if ((r = import_evals(reg, &b, &rs, hooks, d)) != ZKR_OK)
        goto out;
#if ZKR_TEST_BUILD
    /* A failure after the proofs were staged: the caller must remove them (round-gate-cli). */
    if (b.m > 0 && getenv("ZKR_TEST_IMPORT_FAIL_COMMIT") != NULL) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "bundle: commit failure injected (test build)");
        goto out;
    }
#endif
    if (out->added > 0 && ((r = import_event(reg, &out->checkpoint, b.n, out->added, d)) != ZKR_OK ||
                           (r = zkr_registry_commit(reg, d)) != ZKR_OK))
        goto out;
out:
    zkr_registry_rollback(reg);
    free(rs.slot);
    free(rs.cache);
    free(b.e);
    free(b.ev);
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
    if (r == ZKR_OK) {
        out->entries = b.n;
        out->evals = b.m;
        out->version = b.version;
    }
    free(b.e);
    free(b.ev);
    return r;
}
