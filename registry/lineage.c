/*
 * The lineage index: every native training step's (child, parent) link
 * from the log's `lineage` events, sorted by child, so that a model's
 * ancestry and depth cost O(depth log n) instead of a scan of the log per
 * step. Links follow the events, not the artifact rows: a child that
 * `train --keep-every` did not store still links its parent to its child.
 */
#include <stdlib.h>
#include <string.h>

#include "registry_int.h"

struct zkr_lineage_index {
    zkr_lineage_link *v;
    size_t n, cap;
};

/* By child, then by log index (the newest event of a child last). */
static int link_cmp(const void *a, const void *b)
{
    const zkr_lineage_link *x = a, *y = b;
    int c = memcmp(x->child, y->child, ZKR_DIGEST_BYTES);

    if (c != 0)
        return c;
    return x->log_index < y->log_index ? -1 : x->log_index > y->log_index;
}

static zkr_err push(zkr_lineage_index *ix, const zkr_lineage *l, uint64_t idx)
{
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 64;
        zkr_lineage_link *p = realloc(ix->v, cap * sizeof *p);
        if (p == NULL)
            return ZKR_ERR_NOMEM;
        ix->v = p;
        ix->cap = cap;
    }
    memcpy(ix->v[ix->n].child, l->child, ZKR_DIGEST_BYTES);
    memcpy(ix->v[ix->n].parent, l->parent, ZKR_DIGEST_BYTES);
    ix->v[ix->n].log_index = idx;
    ix->n++;
    return ZKR_OK;
}

static zkr_err load(zkr_registry *reg, zkr_lineage_index *ix, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg, "SELECT idx, leaf FROM log WHERE type = 'lineage' ORDER BY idx",
                                  &st, d)) != ZKR_OK)
        return r;
    while (r == ZKR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
        const uint8_t *leaf = sqlite3_column_blob(st, 1), *pl;
        size_t pl_len;
        char type[ZKR_IDENT_MAX + 1];
        int64_t t;
        zkr_lineage l;

        if (leaf == NULL ||
            zkr_log_leaf_decode(leaf, (size_t)sqlite3_column_bytes(st, 1), type, &t, &pl,
                                &pl_len) != ZKR_OK ||
            strcmp(type, "lineage") != 0 || zkr_lineage_decode(pl, pl_len, &l) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: log entry %llu: malformed lineage", reg->path,
                         (unsigned long long)idx);
            break;
        }
        r = push(ix, &l, idx);
    }
    if (r == ZKR_OK && rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading lineage events", d);
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_registry_lineage_index(zkr_registry *reg, zkr_lineage_index **out, zkr_diag *d)
{
    zkr_lineage_index *ix;
    zkr_err r;

    *out = NULL;
    if ((ix = calloc(1, sizeof *ix)) == NULL)
        return ZKR_ERR_NOMEM;
    if ((r = load(reg, ix, d)) != ZKR_OK) {
        zkr_lineage_index_free(ix);
        return r;
    }
    if (ix->n > 1)
        qsort(ix->v, ix->n, sizeof *ix->v, link_cmp);
    *out = ix;
    return ZKR_OK;
}

const zkr_lineage_link *zkr_lineage_index_parent(const zkr_lineage_index *ix,
                                                 const uint8_t child[ZKR_DIGEST_BYTES])
{
    size_t lo = 0, hi;

    if (ix == NULL)
        return NULL;
    /* The last link whose child sorts <= child: the newest event of that child, if any. */
    hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(ix->v[mid].child, child, ZKR_DIGEST_BYTES) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || memcmp(ix->v[lo - 1].child, child, ZKR_DIGEST_BYTES) != 0)
        return NULL;
    return &ix->v[lo - 1];
}

uint64_t zkr_lineage_index_depth(const zkr_lineage_index *ix,
                                 const uint8_t model[ZKR_DIGEST_BYTES])
{
    const zkr_lineage_link *l;
    const uint8_t *at = model;
    uint64_t depth = 0;

    /* Bounded by the number of links: a (forged) cycle cannot loop forever. */
    while (ix != NULL && depth <= ix->n && (l = zkr_lineage_index_parent(ix, at)) != NULL) {
        depth++;
        at = l->parent;
    }
    return depth;
}

size_t zkr_lineage_index_count(const zkr_lineage_index *ix)
{
    return ix ? ix->n : 0;
}

void zkr_lineage_index_free(zkr_lineage_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->v);
    free(ix);
}
