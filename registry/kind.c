/* The kinds of object the registry records, by name (registry.h). */
#include <string.h>

#include "registry_int.h"

static const char *const kind_names[] = {NULL,     "program",   "model", "dataset",
                                         "schema", "statement", "key", "verifier"};

const char *zkr_kind_name(zkr_kind k)
{
    if ((int)k < 1 || (int)k > ZKR_KIND_VERIFIER)
        return NULL;
    return kind_names[k];
}

zkr_err zkr_kind_parse(const char *s, zkr_kind *out, zkr_diag *d)
{
    *out = 0;
    for (int k = ZKR_KIND_PROGRAM; k <= ZKR_KIND_VERIFIER; k++)
        if (s != NULL && strcmp(s, kind_names[k]) == 0) {
            *out = (zkr_kind)k;
            return ZKR_OK;
        }
    return zkr_fail(d, ZKR_ERR_USAGE,
                    "unknown kind '%s' (program, model, dataset, schema, statement, key, verifier)",
                    s ? s : "");
}
