/* Fuzz target: RFC 7512 PKCS#11 URIs (zkr_hsm_uri_parse), and format/parse round trips. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "hsm/hsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_hsm_uri u, v;
    char *s, out[8192];

    if (size > 8192)
        return 0;
    s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (zkr_hsm_uri_parse(s, &u, NULL) == ZKR_OK &&
        zkr_hsm_uri_format(u.token, u.has_object ? u.object : NULL, u.id, u.id_len,
                           u.module_path, out, sizeof out) == ZKR_OK) {
        /* What we print must parse back to the same key. */
        if (zkr_hsm_uri_parse(out, &v, NULL) != ZKR_OK || strcmp(u.token, v.token) != 0 ||
            strcmp(u.object, v.object) != 0 || u.id_len != v.id_len ||
            memcmp(u.id, v.id, u.id_len) != 0)
            abort();
    }
    free(s);
    return 0;
}
