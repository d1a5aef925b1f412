/*
 * bundle_pick: a test tool that plays the holder of a validly signed
 * bundle who drops entries. It copies the header (verifier key and signed
 * checkpoint) and only the entries whose log type is listed (or, with -v,
 * not listed), each with its original inclusion proof, so every entry it
 * keeps still verifies against the signed checkpoint.
 *
 *   bundle_pick [-v] IN OUT TYPE...
 *
 * Exit 0 on success, 1 on a malformed bundle, 2 on usage or I/O errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "registry/registry.h"

static int listed(const char *type, char **types, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(type, types[i]) == 0)
            return 1;
    return 0;
}

/* Copies the kept entries of `in` after its header into out. */
static int pick(const zkr_buf *in, int invert, char **types, int n_types, zkr_buf *out)
{
    const uint8_t *vk, *note;
    size_t vk_len, note_len;
    uint32_t count, kept = 0;
    size_t count_at;
    zkr_dec d;

    if (in->len < 8 || memcmp(in->p, "ZKRBNDL1", 8) != 0)
        return 1;
    zkr_dec_init(&d, in->p + 8, in->len - 8);
    if (zkr_dec_bytes(&d, 1 << 16, &vk, &vk_len) != ZKR_OK ||
        zkr_dec_bytes(&d, 1 << 16, &note, &note_len) != ZKR_OK || zkr_dec_u32(&d, &count) != ZKR_OK)
        return 1;
    if (zkr_buf_append(out, in->p, 8) != ZKR_OK || zkr_enc_bytes(out, vk, vk_len) != ZKR_OK ||
        zkr_enc_bytes(out, note, note_len) != ZKR_OK)
        return 2;
    count_at = out->len;
    if (zkr_enc_u32(out, 0) != ZKR_OK)
        return 2;
    for (uint32_t i = 0; i < count; i++) {
        size_t start = 8 + d.pos, end;
        const uint8_t *leaf, *path, *payload;
        size_t leaf_len, payload_len;
        uint64_t index;
        uint8_t plen;
        char type[ZKR_IDENT_MAX + 1];
        int64_t time;
        if (zkr_dec_u64(&d, &index) != ZKR_OK ||
            zkr_dec_bytes(&d, (size_t)4 << 20, &leaf, &leaf_len) != ZKR_OK ||
            zkr_dec_u8(&d, &plen) != ZKR_OK || zkr_dec_raw(&d, (size_t)plen * 32, &path) != ZKR_OK ||
            zkr_log_leaf_decode(leaf, leaf_len, type, &time, &payload, &payload_len) != ZKR_OK)
            return 1;
        end = 8 + d.pos;
        if (listed(type, types, n_types) != invert) {
            if (zkr_buf_append(out, in->p + start, end - start) != ZKR_OK)
                return 2;
            kept++;
        }
    }
    if (zkr_dec_finish(&d) != ZKR_OK)
        return 1;
    zkr_store_be32(out->p + count_at, kept);
    return 0;
}

int main(int argc, char **argv)
{
    zkr_buf in = {0}, out = {0};
    int invert = 0, rc;

    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        invert = 1;
        argv++;
        argc--;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: bundle_pick [-v] IN OUT TYPE...\n");
        return 2;
    }
    if (zkr_file_read(argv[1], (size_t)1 << 30, &in, NULL) != ZKR_OK) {
        fprintf(stderr, "bundle_pick: cannot read %s\n", argv[1]);
        return 2;
    }
    rc = pick(&in, invert, argv + 3, argc - 3, &out);
    if (rc == 0 && zkr_file_write_atomic(argv[2], out.p, out.len, 0644, NULL) != ZKR_OK)
        rc = 2;
    if (rc != 0)
        fprintf(stderr, "bundle_pick: %s\n", rc == 1 ? "malformed bundle" : "cannot write");
    zkr_buf_free(&in);
    zkr_buf_free(&out);
    return rc;
}
