/*
 * What the quantized model file (model.c) and the training model file
 * (tmodel.c) do alike around their own program check and layer decoder: the
 * bounds, magic, version and embedded program, the layers in order, the
 * end, the bytes and digest kept, and reading from a file.
 */
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"

zkr_err zkr_ml_file_encode_head(const char *magic, size_t magic_bytes, uint32_t version,
                                const zkr_buf *prog, zkr_buf *out)
{
    uint8_t digest[ZKR_DIGEST_BYTES];
    zkr_err r;

    zkr_sha256(prog->p, prog->len, digest);
    if ((r = zkr_buf_append(out, magic, magic_bytes)) != ZKR_OK ||
        (r = zkr_enc_u32(out, version)) != ZKR_OK ||
        (r = zkr_buf_append(out, digest, sizeof digest)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(out, prog->p, prog->len);
}

/* Magic, version and the embedded program (decoded by f->program), its digest checked. */
static zkr_err file_head(const zkr_ml_file_format *f, zkr_dec *dc, zkr_ml_graph *g,
                         uint8_t program_digest[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    const uint8_t *magic, *digest, *prog;
    uint8_t want[ZKR_DIGEST_BYTES];
    size_t prog_len;
    uint32_t version;
    zkr_err r;

    if (zkr_dec_raw(dc, f->magic_bytes, &magic) != ZKR_OK ||
        memcmp(magic, f->magic, f->magic_bytes) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: bad magic (not a zkreg %s)", f->what,
                        f->kind);
    if (zkr_dec_u32(dc, &version) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: truncated in version", f->what);
    if (version != f->version)
        return zkr_fail(d, version > f->version ? ZKR_ERR_UNSUPPORTED : ZKR_ERR_MALFORMED,
                        "%s: version %u, this build reads %u", f->what, (unsigned)version,
                        (unsigned)f->version);
    if (zkr_dec_raw(dc, ZKR_DIGEST_BYTES, &digest) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: truncated in program_digest", f->what);
    r = zkr_dec_bytes(dc, ZKR_ML_GRAPH_MAX_BYTES, &prog, &prog_len);
    if (r != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: program %s", f->what,
                        r == ZKR_ERR_TOO_LARGE ? "longer than its bound" : "truncated");
    if ((r = f->program(prog, prog_len, g, d)) != ZKR_OK)
        return r;
    zkr_sha256(prog, prog_len, want);
    if (memcmp(want, digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: program_digest does not match the embedded program", f->what);
    memcpy(program_digest, digest, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

zkr_err zkr_ml_file_decode(const zkr_ml_file_format *f, const uint8_t *p, size_t len,
                           void **out, zkr_diag *d)
{
    uint8_t *m;
    zkr_ml_graph *g;
    zkr_dec dc;
    zkr_err r;

    if (out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "%s: no output", f->what);
    *out = NULL;
    if (p == NULL && len != 0)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "%s: no input", f->what);
    if (len > ZKR_ML_MODEL_MAX_BYTES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: %zu bytes, at most %zu", f->what, len,
                        ZKR_ML_MODEL_MAX_BYTES);
    if ((m = calloc(1, f->size)) == NULL)
        return ZKR_ERR_NOMEM;
    g = (zkr_ml_graph *)(m + f->graph_at);
    zkr_dec_init(&dc, p, len);
    if ((r = file_head(f, &dc, g, m + f->program_digest_at, d)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < g->n_layers; l++)
        if ((r = f->layer(&dc, m, l, d)) != ZKR_OK)
            goto out;
    if (zkr_dec_finish(&dc) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "%s: %zu trailing bytes", f->what, len - dc.pos);
        goto out;
    }
    if ((r = zkr_buf_append((zkr_buf *)(m + f->bytes_at), p, len)) != ZKR_OK)
        goto out;
    zkr_sha256(p, len, m + f->digest_at);
    *out = m;
    m = NULL;
out:
    if (m != NULL)
        f->free(m);
    return r;
}

zkr_err zkr_ml_file_read(const zkr_ml_file_format *f, const char *path, void **out,
                         zkr_diag *d)
{
    zkr_buf b = {0};
    zkr_diag inner;
    zkr_err r;

    zkr_diag_clear(&inner);
    if (out == NULL || path == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "%s: no path or output", f->what);
    *out = NULL;
    if ((r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, &b, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_ml_file_decode(f, b.p, b.len, out, &inner)) != ZKR_OK)
        (void)zkr_fail(d, r, "%s: %s", path, inner.msg);
out:
    zkr_buf_free(&b);
    return r;
}
