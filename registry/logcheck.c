/*
 * Rows checked against the log (docs/threat-model.md, "insider with the
 * registry file"). The signed, append-only log is the registry's truth; the
 * SQLite rows are an index over it that an insider holding the file can
 * edit once the append-only triggers are dropped. Every decision that
 * relies on a row (attest, the registry-backed gate and verify-attestation,
 * every revocation check) re-reads the leaf that registered it here: the
 * leaf must re-hash to its stored hash and carry exactly the row's bytes,
 * and revocation state is taken from the revocation leaves, not the rows.
 */
#include <stdio.h>
#include <string.h>

#include "registry_int.h"


zkr_err zkr_registry_leaf_backs(zkr_registry *reg, const char *row, uint64_t index,
                                const char *type, int64_t created, const zkr_buf *payload,
                                zkr_diag *d)
{
    zkr_log_entry e;
    uint8_t h[ZKR_DIGEST_BYTES];
    zkr_diag quiet = {0};
    zkr_err r;

    if ((r = zkr_registry_log_entry(reg, index, &e, &quiet)) == ZKR_ERR_NOT_FOUND)
        return zkr_fail(d, ZKR_ERR_REGISTRY,
                        "%s: %s names log entry %llu, which does not exist (row and log "
                        "disagree)",
                        reg->path, row, (unsigned long long)index);
    if (r != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_REGISTRY, "%s: %s: %s", reg->path,
                        row, quiet.msg);
    zkr_merkle_leaf_hash(e.leaf.p, e.leaf.len, h);
    if (memcmp(h, e.leaf_hash, ZKR_DIGEST_BYTES) != 0)
        r = zkr_fail(d, ZKR_ERR_REGISTRY,
                     "%s: log entry %llu (registering %s) does not hash to its stored leaf hash",
                     reg->path, (unsigned long long)index, row);
    else if (strcmp(e.type, type) != 0 || e.time != created || e.payload_len != payload->len ||
             memcmp(e.payload, payload->p, payload->len) != 0)
        r = zkr_fail(d, ZKR_ERR_REGISTRY,
                     "%s: %s differs from log entry %llu, the '%s' leaf that registered it",
                     reg->path, row, (unsigned long long)index, e.type);
    else
        r = zkr_registry_leaf_anchored(reg, row, index, h, d);
    zkr_log_entry_free(&e);
    return r;
}

static zkr_err artifact_backed(zkr_registry *reg, const zkr_artifact *a, zkr_diag *d)
{
    zkr_buf b = {0};
    char row[64];
    zkr_err r;

    snprintf(row, sizeof row, "%s row %lld", zkr_kind_name(a->kind), (long long)a->id);
    if ((r = zkr_artifact_encode(a, &b)) == ZKR_OK)
        r = zkr_registry_leaf_backs(reg, row, a->log_index, zkr_kind_name(a->kind), a->created,
                                    &b, d);
    zkr_buf_free(&b);
    return r;
}

zkr_err zkr_registry_statement_check_log(zkr_registry *reg, const zkr_statement *st, zkr_diag *d)
{
    zkr_buf b = {0};
    char row[64];
    zkr_err r;

    snprintf(row, sizeof row, "statement row %lld", (long long)st->id);
    if ((r = zkr_statement_event_payload(st, &b)) != ZKR_OK ||
        (r = zkr_registry_leaf_backs(reg, row, st->log_index, "statement", st->created, &b, d)) !=
            ZKR_OK)
        goto out;
    b.len = 0;
    snprintf(row, sizeof row, "schema row %lld", (long long)st->schema.id);
    if ((r = zkr_schema_encode(&st->schema, &b)) != ZKR_OK ||
        (r = zkr_registry_leaf_backs(reg, row, st->schema.log_index, "schema", st->schema.created,
                                     &b, d)) != ZKR_OK)
        goto out;
    if ((r = artifact_backed(reg, &st->program, d)) != ZKR_OK ||
        (r = artifact_backed(reg, &st->model, d)) != ZKR_OK)
        goto out;
    r = artifact_backed(reg, &st->dataset, d);
out:
    zkr_buf_free(&b);
    return r;
}

