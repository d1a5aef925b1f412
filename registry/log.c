/*
 * The transparency log: an RFC 6962 tree over the log leaves.
 *
 * Besides each leaf, the table log_node caches every complete (perfect)
 * subtree hash: node (level, i) covers leaves [i * 2^level, (i+1) * 2^level).
 * Appending leaf n adds node (0, n) and one node per level that leaf
 * completes (two rows per append on average). Any RFC 6962 subtree that a
 * root or proof needs splits into O(log n) perfect nodes, so a root costs
 * O(log n) lookups and a proof O(log^2 n), whatever the size of the log.
 */
#include <stdlib.h>
#include <string.h>

#include "registry_int.h"

typedef uint8_t digest_t[ZKR_DIGEST_BYTES];

zkr_err zkr_log_leaf_encode(const char *type, int64_t time, const uint8_t *payload, size_t len,
                            zkr_buf *out)
{
    zkr_err r;

    if ((r = zkr_enc_str(out, ZKR_LOG_LEAF_TAG)) != ZKR_OK || (r = zkr_enc_str(out, type)) != ZKR_OK ||
        (r = zkr_enc_u64(out, (uint64_t)time)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, payload, len)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

zkr_err zkr_log_leaf_decode(const uint8_t *p, size_t len, char type[ZKR_IDENT_MAX + 1],
                            int64_t *time, const uint8_t **payload, size_t *payload_len)
{
    const uint8_t *tag, *ty;
    size_t tag_len, ty_len;
    uint64_t t;
    zkr_dec dec;
    zkr_err r;

    type[0] = '\0';
    *time = 0;
    *payload = NULL;
    *payload_len = 0;
    zkr_dec_init(&dec, p, len);
    if ((r = zkr_dec_bytes(&dec, 64, &tag, &tag_len)) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    if (tag_len != strlen(ZKR_LOG_LEAF_TAG) || memcmp(tag, ZKR_LOG_LEAF_TAG, tag_len) != 0)
        return ZKR_ERR_MALFORMED;
    if ((r = zkr_dec_bytes(&dec, ZKR_IDENT_MAX, &ty, &ty_len)) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(type, ty, ty_len);
    type[ty_len] = '\0';
    if (strlen(type) != ty_len || !zkr_registry_ident_ok(type, 0))
        return ZKR_ERR_MALFORMED;
    if (zkr_dec_u64(&dec, &t) != ZKR_OK || t > INT64_MAX ||
        zkr_dec_bytes(&dec, ZKR_LOG_PAYLOAD_MAX, payload, payload_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    *time = (int64_t)t;
    return ZKR_OK;
}

void zkr_log_entry_free(zkr_log_entry *e)
{
    if (e == NULL)
        return;
    zkr_buf_free(&e->leaf);
    memset(e, 0, sizeof *e);
}

/* Perfect-node lookups with one prepared statement per operation. */
typedef struct {
    zkr_registry *reg;
    sqlite3_stmt *st;
} nodes_t;

static zkr_err nodes_open(zkr_registry *reg, nodes_t *ns, zkr_diag *d)
{
    ns->reg = reg;
    ns->st = NULL;
    return zkr_registry_prepare_cached(reg, "SELECT hash FROM log_node WHERE level = ? AND idx = ?",
                                       &ns->st, d);
}

static void nodes_close(nodes_t *ns)
{
    zkr_registry_release(ns->reg, ns->st);
    ns->st = NULL;
}

static zkr_err node_get(nodes_t *ns, unsigned level, uint64_t idx, uint8_t out[ZKR_DIGEST_BYTES],
                        zkr_diag *d)
{
    zkr_err r = ZKR_OK;
    int rc;

    sqlite3_reset(ns->st);
    sqlite3_bind_int(ns->st, 1, (int)level);
    sqlite3_bind_int64(ns->st, 2, (sqlite3_int64)idx);
    rc = sqlite3_step(ns->st);
    if (rc == SQLITE_ROW)
        r = zkr_registry_col_digest(ns->st, 0, out);
    else if (rc == SQLITE_DONE)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: log tree node (%u, %llu) is missing",
                     ns->reg->path, level, (unsigned long long)idx);
    else
        r = zkr_registry_sql_err(ns->reg, rc, "reading the log tree", d);
    if (r == ZKR_ERR_REGISTRY && rc == SQLITE_ROW)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: log tree node (%u, %llu) is corrupt",
                     ns->reg->path, level, (unsigned long long)idx);
    sqlite3_reset(ns->st);
    return r;
}

static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

static unsigned log2_exact(uint64_t v)
{
    unsigned l = 0;
    while ((v >> l) != 1)
        l++;
    return l;
}

/* MTH of leaves [lo, lo + size), lo aligned as in the RFC 6962 recursion. */
static zkr_err range_root(nodes_t *ns, uint64_t lo, uint64_t size, uint8_t out[ZKR_DIGEST_BYTES],
                          zkr_diag *d)
{
    digest_t right_spine[ZKR_MERKLE_MAX_DEPTH + 1];
    size_t depth = 0;
    zkr_err r;

    if (size == 0) {
        zkr_sha256(NULL, 0, out);
        return ZKR_OK;
    }
    /* Walk down the right spine: each left part is a perfect node. */
    while ((size & (size - 1)) != 0) {
        uint64_t k = split_point(size);
        if ((r = node_get(ns, log2_exact(k), lo / k, right_spine[depth++], d)) != ZKR_OK)
            return r;
        lo += k;
        size -= k;
    }
    if ((r = node_get(ns, log2_exact(size), lo / size, out, d)) != ZKR_OK)
        return r;
    while (depth > 0) {
        depth--;
        zkr_merkle_node_hash(right_spine[depth], out, out);
    }
    return ZKR_OK;
}

static zkr_err size_tx(zkr_registry *reg, uint64_t *n, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    *n = 0;
    if ((r = zkr_registry_prepare_cached(reg, "SELECT coalesce(max(idx) + 1, 0) FROM log", &st, d)) !=
        ZKR_OK)
        return r;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(st, 0);
    else
        r = zkr_registry_sql_err(reg, rc, "reading the log size", d);
    zkr_registry_release(reg, st);
    return r;
}

zkr_err zkr_registry_log_size(zkr_registry *reg, uint64_t *n)
{
    return size_tx(reg, n, NULL);
}

static zkr_err insert_node(zkr_registry *reg, sqlite3_stmt *st, unsigned level, uint64_t idx,
                           const uint8_t h[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    int rc;

    sqlite3_reset(st);
    sqlite3_bind_int(st, 1, (int)level);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
    sqlite3_bind_blob(st, 3, h, ZKR_DIGEST_BYTES, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ZKR_OK : zkr_registry_sql_err(reg, rc, "appending to the log", d);
}

static zkr_err insert_leaf(zkr_registry *reg, uint64_t idx, const char *type, int64_t time,
                           const zkr_buf *leaf, const uint8_t h[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare_cached(
             reg, "INSERT INTO log(idx, type, time, leaf, leaf_hash) VALUES(?, ?, ?, ?, ?)", &st,
             d)) != ZKR_OK)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, time);
    if ((r = zkr_registry_bind_blob(st, 4, leaf->p, leaf->len)) == ZKR_OK) {
        sqlite3_bind_blob(st, 5, h, ZKR_DIGEST_BYTES, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            r = zkr_registry_sql_err(reg, rc, "appending to the log", d);
    }
    zkr_registry_release(reg, st);
    return r;
}

zkr_err zkr_registry_log_append_tx(zkr_registry *reg, const char *type, int64_t time,
                                   const uint8_t *payload, size_t len, uint64_t *index,
                                   zkr_diag *d)
{
    sqlite3_stmt *ins = NULL;
    zkr_buf leaf = {0};
    digest_t h, left;
    uint64_t n = 0, i;
    unsigned level = 0;
    nodes_t ns = {0};
    zkr_err r;

    *index = 0;
    if (len > ZKR_LOG_PAYLOAD_MAX)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "log event payload of %zu bytes over %zu", len,
                        ZKR_LOG_PAYLOAD_MAX);
    if ((r = size_tx(reg, &n, d)) != ZKR_OK ||
        (r = zkr_log_leaf_encode(type, time, payload, len, &leaf)) != ZKR_OK)
        goto out;
    zkr_merkle_leaf_hash(leaf.p, leaf.len, h);
    if ((r = insert_leaf(reg, n, type, time, &leaf, h, d)) != ZKR_OK ||
        (r = zkr_registry_prepare_cached(reg, "INSERT INTO log_node(level, idx, hash) VALUES(?, ?, ?)",
                                  &ins, d)) != ZKR_OK ||
        (r = nodes_open(reg, &ns, d)) != ZKR_OK ||
        (r = insert_node(reg, ins, 0, n, h, d)) != ZKR_OK)
        goto out;
    /* Each odd index closes a perfect subtree one level up. */
    for (i = n; i & 1; i >>= 1) {
        if ((r = node_get(&ns, level, i - 1, left, d)) != ZKR_OK)
            goto out;
        zkr_merkle_node_hash(left, h, h);
        level++;
        if ((r = insert_node(reg, ins, level, i >> 1, h, d)) != ZKR_OK)
            goto out;
    }
    *index = n;
out:
    nodes_close(&ns);
    zkr_registry_release(reg, ins);
    zkr_buf_free(&leaf);
    return r;
}

int zkr_registry_event_type_ok(const char *type)
{
    /* A round's events are written only by zkr_registry_round_open / _round_close, which check
     * them; signer keys only by the key-register transaction. */
    static const char *const reserved[] = {"program",    "model",         "dataset",
                                           "schema",     "statement",     "revocation",
                                           "proof",      "import",        "round-open",
                                           "round-outcome", "round-close", ZKR_EVENT_SIGNER_KEY};

    if (type == NULL || !zkr_registry_ident_ok(type, 0))
        return 0;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(type, reserved[i]) == 0)
            return 0;
    return 1;
}

zkr_err zkr_registry_events_of_type(zkr_registry *reg, const char *type, uint64_t **idx,
                                    size_t *n, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    uint64_t *v = NULL;
    size_t cap = 0, count = 0;
    zkr_err r;
    int rc;

    *idx = NULL;
    *n = 0;
    if ((r = zkr_registry_prepare(reg, "SELECT idx FROM log WHERE type = ? ORDER BY idx", &st, d)) !=
        ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((r = zkr_registry_grow((void **)&v, &cap, count, sizeof *v)) != ZKR_OK)
            goto out;
        v[count++] = (uint64_t)sqlite3_column_int64(st, 0);
    }
    if (rc != SQLITE_DONE) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "registry: cannot list '%s' events", type);
        goto out;
    }
    *idx = v;
    *n = count;
    v = NULL;
out:
    free(v);
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_registry_log_entry(zkr_registry *reg, uint64_t index, zkr_log_entry *out,
                               zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    memset(out, 0, sizeof *out);
    if (index > INT64_MAX)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "log entry %llu not found",
                        (unsigned long long)index);
    if ((r = zkr_registry_prepare(reg, "SELECT leaf, leaf_hash FROM log WHERE idx = ?", &st, d)) !=
        ZKR_OK)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        r = zkr_fail(d, ZKR_ERR_NOT_FOUND, "log entry %llu not found", (unsigned long long)index);
        goto out;
    }
    if (rc != SQLITE_ROW) {
        r = zkr_registry_sql_err(reg, rc, "reading the log", d);
        goto out;
    }
    out->index = index;
    if ((r = zkr_buf_append(&out->leaf, sqlite3_column_blob(st, 0),
                            (size_t)sqlite3_column_bytes(st, 0))) != ZKR_OK ||
        (r = zkr_registry_col_digest(st, 1, out->leaf_hash)) != ZKR_OK)
        goto out;
    if (zkr_log_leaf_decode(out->leaf.p, out->leaf.len, out->type, &out->time, &out->payload,
                            &out->payload_len) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: log entry %llu does not decode", reg->path,
                     (unsigned long long)index);
out:
    sqlite3_finalize(st);
    if (r != ZKR_OK)
        zkr_log_entry_free(out);
    return r;
}

static zkr_err check_size(zkr_registry *reg, uint64_t size, zkr_diag *d)
{
    uint64_t n = 0;
    zkr_err r;

    if ((r = size_tx(reg, &n, d)) != ZKR_OK)
        return r;
    if (size > n)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "tree size %llu is past the log's %llu entries",
                        (unsigned long long)size, (unsigned long long)n);
    return ZKR_OK;
}

/*
 * Reads run in one transaction so that a concurrent append cannot show a
 * half-updated tree between the size check and the node lookups.
 */
static zkr_err read_begin(zkr_registry *reg, int *began, zkr_diag *d)
{
    *began = sqlite3_get_autocommit(reg->db);
    return *began ? zkr_registry_exec(reg, "BEGIN", d) : ZKR_OK;
}

static void read_end(zkr_registry *reg, int began)
{
    if (began)
        zkr_registry_rollback(reg);
}

zkr_err zkr_registry_log_root(zkr_registry *reg, uint64_t size, uint8_t root[ZKR_DIGEST_BYTES],
                              zkr_diag *d)
{
    nodes_t ns = {0};
    int began = 0;
    zkr_err r;

    memset(root, 0, ZKR_DIGEST_BYTES);
    if ((r = read_begin(reg, &began, d)) != ZKR_OK)
        return r;
    if ((r = check_size(reg, size, d)) == ZKR_OK && (r = nodes_open(reg, &ns, d)) == ZKR_OK)
        r = range_root(&ns, 0, size, root, d);
    nodes_close(&ns);
    read_end(reg, began);
    return r;
}

zkr_err zkr_registry_log_inclusion(zkr_registry *reg, uint64_t index, uint64_t size,
                                   uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                   size_t *path_len, zkr_diag *d)
{
    digest_t tmp[ZKR_MERKLE_MAX_DEPTH];
    uint64_t lo = 0, m = index;
    size_t depth = 0;
    nodes_t ns = {0};
    int began = 0;
    zkr_err r;

    *path_len = 0;
    if (index >= size)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "log index %llu is not below tree size %llu",
                        (unsigned long long)index, (unsigned long long)size);
    if ((r = read_begin(reg, &began, d)) != ZKR_OK)
        return r;
    if ((r = check_size(reg, size, d)) != ZKR_OK || (r = nodes_open(reg, &ns, d)) != ZKR_OK)
        goto out;
    while (size > 1) {
        uint64_t k = split_point(size);
        if (m < k) {
            r = range_root(&ns, lo + k, size - k, tmp[depth++], d);
            size = k;
        } else {
            r = range_root(&ns, lo, k, tmp[depth++], d);
            lo += k;
            m -= k;
            size -= k;
        }
        if (r != ZKR_OK)
            goto out;
    }
    for (size_t i = 0; i < depth; i++)
        memcpy(path[i], tmp[depth - 1 - i], ZKR_DIGEST_BYTES);
    *path_len = depth;
out:
    nodes_close(&ns);
    read_end(reg, began);
    return r;
}

zkr_err zkr_registry_log_consistency(zkr_registry *reg, uint64_t m, uint64_t n,
                                     uint8_t path[ZKR_MERKLE_MAX_DEPTH * 2][ZKR_DIGEST_BYTES],
                                     size_t *path_len, zkr_diag *d)
{
    digest_t tmp[ZKR_MERKLE_MAX_DEPTH * 2];
    uint64_t lo = 0, size = n;
    size_t depth = 0;
    int complete = 1;
    nodes_t ns = {0};
    int began = 0;
    zkr_err r;

    *path_len = 0;
    if (m == 0 || m > n)
        return zkr_fail(d, ZKR_ERR_USAGE, "consistency needs 0 < old size <= new size (got %llu, %llu)",
                        (unsigned long long)m, (unsigned long long)n);
    if ((r = read_begin(reg, &began, d)) != ZKR_OK)
        return r;
    if ((r = check_size(reg, n, d)) != ZKR_OK || (r = nodes_open(reg, &ns, d)) != ZKR_OK)
        goto out;
    while (m != size) {
        uint64_t k = split_point(size);
        if (m <= k) {
            r = range_root(&ns, lo + k, size - k, tmp[depth++], d);
            size = k;
        } else {
            r = range_root(&ns, lo, k, tmp[depth++], d);
            lo += k;
            m -= k;
            size -= k;
            complete = 0;
        }
        if (r != ZKR_OK)
            goto out;
    }
    if (!complete && (r = range_root(&ns, lo, size, tmp[depth++], d)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < depth; i++)
        memcpy(path[i], tmp[depth - 1 - i], ZKR_DIGEST_BYTES);
    *path_len = depth;
out:
    nodes_close(&ns);
    read_end(reg, began);
    return r;
}
