/* Proof container and canonical field-element codecs. */
#include <sodium.h>
#include <string.h>

#include "zk/zk.h"

zkr_err zkr_dec_gl(zkr_dec *d, zkr_gl *v)
{
    const uint8_t *p;
    zkr_err r;

    *v = 0;
    if ((r = zkr_dec_raw(d, 8, &p)) != ZKR_OK)
        return r;
    *v = zkr_load_le64(p);
    if (*v >= ZKR_GL_P) { /* non-canonical encodings would make proofs malleable */
        *v = 0;
        return ZKR_ERR_MALFORMED;
    }
    return ZKR_OK;
}

zkr_err zkr_dec_ext(zkr_dec *d, zkr_ext *v)
{
    zkr_err r = ZKR_OK;

    for (int i = 0; i < 3 && r == ZKR_OK; i++)
        r = zkr_dec_gl(d, &v->c[i]);
    return r;
}

zkr_err zkr_dec_exts(zkr_dec *d, zkr_ext *v, size_t n)
{
    zkr_err r = ZKR_OK;

    for (size_t i = 0; i < n && r == ZKR_OK; i++)
        r = zkr_dec_ext(d, &v[i]);
    return r;
}

zkr_err zkr_enc_gl(zkr_buf *b, zkr_gl v)
{
    uint8_t t[8];

    zkr_store_le64(t, v);
    return zkr_buf_append(b, t, 8);
}

zkr_err zkr_enc_ext(zkr_buf *b, zkr_ext v)
{
    zkr_err r = ZKR_OK;

    for (int i = 0; i < 3 && r == ZKR_OK; i++)
        r = zkr_enc_gl(b, v.c[i]);
    return r;
}

zkr_err zkr_enc_exts(zkr_buf *b, const zkr_ext *v, size_t n)
{
    zkr_err r = ZKR_OK;

    for (size_t i = 0; i < n && r == ZKR_OK; i++)
        r = zkr_enc_ext(b, v[i]);
    return r;
}

zkr_err zkr_dec_ext6s(zkr_dec *d, zkr_ext6 *v, size_t n)
{
    zkr_err r = ZKR_OK;

    for (size_t i = 0; i < n && r == ZKR_OK; i++)
        if ((r = zkr_dec_ext(d, &v[i].a)) == ZKR_OK)
            r = zkr_dec_ext(d, &v[i].b);
    return r;
}

zkr_err zkr_enc_ext6s(zkr_buf *b, const zkr_ext6 *v, size_t n)
{
    zkr_err r = ZKR_OK;

    for (size_t i = 0; i < n && r == ZKR_OK; i++)
        if ((r = zkr_enc_ext(b, v[i].a)) == ZKR_OK)
            r = zkr_enc_ext(b, v[i].b);
    return r;
}

zkr_err zkr_proof_begin(zkr_buf *b, uint32_t param_set, uint32_t kind,
                        const uint8_t statement_id[ZKR_DIGEST_BYTES], uint32_t n_sections)
{
    zkr_err r;

    if ((r = zkr_buf_append(b, ZKR_PROOF_MAGIC, 8)) != ZKR_OK ||
        (r = zkr_enc_u32(b, ZKR_PROOF_FORMAT_VERSION)) != ZKR_OK ||
        (r = zkr_enc_u32(b, ZKR_PROOF_SYSTEM_ID)) != ZKR_OK ||
        (r = zkr_enc_u32(b, param_set)) != ZKR_OK || (r = zkr_enc_u32(b, kind)) != ZKR_OK ||
        (r = zkr_buf_append(b, statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK)
        return r;
    return zkr_enc_u32(b, n_sections);
}

zkr_err zkr_proof_add_section(zkr_buf *b, uint32_t tag, const uint8_t *p, size_t len)
{
    zkr_err r;

    if ((r = zkr_enc_u32(b, tag)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(b, p, len);
}

zkr_err zkr_proof_parse(const uint8_t *p, size_t len, zkr_proof_view *v, zkr_diag *d)
{
    zkr_dec dec;
    const uint8_t *raw;
    zkr_err r;

    memset(v, 0, sizeof *v);
    if (len > ZKR_PROOF_MAX_BYTES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "proof: %zu bytes exceeds the %zu-byte bound", len,
                        ZKR_PROOF_MAX_BYTES);
    zkr_dec_init(&dec, p, len);
    if (zkr_dec_raw(&dec, 8, &raw) != ZKR_OK || memcmp(raw, ZKR_PROOF_MAGIC, 8) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: bad magic (not a zkreg proof)");
    if (zkr_dec_u32(&dec, &v->format_version) != ZKR_OK ||
        zkr_dec_u32(&dec, &v->proof_system) != ZKR_OK ||
        zkr_dec_u32(&dec, &v->param_set) != ZKR_OK || zkr_dec_u32(&dec, &v->kind) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: truncated header");
    memcpy(v->statement_id, raw, ZKR_DIGEST_BYTES);
    if (v->format_version != ZKR_PROOF_FORMAT_VERSION)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: format version %u, expected %u",
                        v->format_version, ZKR_PROOF_FORMAT_VERSION);
    if ((r = zkr_dec_u32(&dec, &v->n_sections)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: truncated section count");
    if (v->n_sections > ZKR_PROOF_MAX_SECTIONS)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "proof: %u sections, at most %u", v->n_sections,
                        ZKR_PROOF_MAX_SECTIONS);
    for (uint32_t i = 0; i < v->n_sections; i++) {
        if (zkr_dec_u32(&dec, &v->tag[i]) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: truncated section %u tag", i);
        r = zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &v->body[i], &v->len[i]);
        if (r != ZKR_OK)
            return zkr_fail(d, r, "proof: section %u length exceeds the input", i);
    }
    if (zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: %zu trailing bytes", len - dec.pos);
    return ZKR_OK;
}

zkr_err zkr_proof_view_bind(const zkr_proof_view *v, uint32_t param_set, uint32_t kind,
                            const char *kind_name, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                            const uint32_t *tags, unsigned n_tags, zkr_diag *d)
{
    if (v->proof_system != ZKR_PROOF_SYSTEM_ID || v->param_set != param_set)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS,
                        "proof: proof system %u / parameter set %u, statement wants %u / %u",
                        v->proof_system, v->param_set, ZKR_PROOF_SYSTEM_ID, param_set);
    if (v->kind != kind)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "proof: kind %u is not %s", v->kind, kind_name);
    if (sodium_memcmp(v->statement_id, statement_id, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_STATEMENT,
                        "proof: statement_id differs from the registered statement");
    if (v->n_sections != n_tags)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: %s wants %u sections, found %u", kind_name,
                        n_tags, v->n_sections);
    for (unsigned i = 0; i < n_tags; i++)
        if (v->tag[i] != tags[i])
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: %s section %u has tag %u, expected %u",
                            kind_name, i, v->tag[i], tags[i]);
    return ZKR_OK;
}
