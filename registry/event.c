/*
 * Events appended by callers (attestations, refusals, lineage, ...): the
 * type checked, and what the event binds checked not revoked in the
 * transaction that appends it. Above log.c and revocation.c.
 */
#include "registry_int.h"

zkr_err zkr_registry_event_append(zkr_registry *reg, const char *type, const uint8_t *payload,
                                  size_t len, uint64_t *log_index, zkr_diag *d)
{
    return zkr_registry_event_append_bound(reg, type, payload, len, NULL, 0, log_index, d);
}

zkr_err zkr_registry_event_append_bound(zkr_registry *reg, const char *type,
                                        const uint8_t *payload, size_t len,
                                        const zkr_binding *bound, size_t n_bound,
                                        uint64_t *log_index, zkr_diag *d)
{
    zkr_err r = ZKR_OK;

    *log_index = 0;
    if (!zkr_registry_event_type_ok(type))
        return zkr_fail(d, ZKR_ERR_USAGE,
                        "log event type '%s' is reserved or not an identifier ([a-z0-9._-])",
                        type ? type : "");
    if (len > ((size_t)1 << 20))
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "log event '%s': payload over 1 MiB", type);
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        return r;
    /* What the event binds is checked in the transaction that appends it. */
    for (size_t i = 0; i < n_bound && r == ZKR_OK; i++)
        r = zkr_registry_check_revoked(reg, bound[i].kind, bound[i].digest, NULL, d);
    if (r != ZKR_OK ||
        (r = zkr_registry_log_append_tx(reg, type, zkr_registry_now(), payload, len, log_index,
                                        d)) != ZKR_OK ||
        (r = zkr_registry_commit(reg, d)) != ZKR_OK)
        zkr_registry_rollback(reg);
    return r;
}
