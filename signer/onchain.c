/*
 * signer: what ZkregAttestationRegistry (contracts/) reads. The batch's
 * EIP-712 digest, the RFC 6962 tree over attestation struct hashes (with
 * keccak256, the EVM's native hash), and the ABI encoding of its calls, so
 * a wallet or a pipeline can send them; nothing here talks to a network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signer/signer_int.h"

#define ATTESTATION_TUPLE                                                                      \
    "(bytes32,bytes32,bytes32,bytes32,bytes32,string,bytes32,string,bool,uint64,string,uint64," \
    "bytes32,uint64)"

zkr_err zkr_attest_struct_hash(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                               uint8_t out[32], zkr_diag *d)
{
    json_t *td = NULL;
    zkr_buf enc = {0};
    uint8_t digest[32];
    zkr_err r;

    memset(out, 0, 32);
    if ((r = zkr_signer_eip712_typed(f, dom, &td, d)) == ZKR_OK &&
        (r = zkr_signer_eip712_hash(td, &enc, digest, d)) == ZKR_OK)
        zkr_keccak256(enc.p, enc.len, out); /* hashStruct = keccak(encodeData) */
    json_decref(td);
    zkr_buf_free(&enc);
    return r;
}

zkr_err zkr_eip712_domain_parse(const char *json, size_t len, const char *what,
                                zkr_eip712_domain *out, zkr_diag *d)
{
    static const char *const f[] = {"chainId", "name", "verifyingContract", "version", NULL};
    json_t *j = NULL;
    zkr_err r;

    if ((r = zkr_signer_json_load((const uint8_t *)json, len, 65536, what, &j, d)) == ZKR_OK &&
        (r = zkr_signer_json_fields(j, f, what, d)) == ZKR_OK &&
        (r = zkr_signer_domain_parse(j, what, out, d)) == ZKR_OK &&
        strcmp(out->version, ZKR_EIP712_VERSION) != 0)
        r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "%s: EIP-712 domain version '%.32s' is not '%s'",
                     what, out->version, ZKR_EIP712_VERSION);
    json_decref(j);
    return r;
}

static const char batch_types[] =
    "{\"EIP712Domain\":[{\"name\":\"name\",\"type\":\"string\"},"
    "{\"name\":\"version\",\"type\":\"string\"},{\"name\":\"chainId\",\"type\":\"uint256\"},"
    "{\"name\":\"verifyingContract\",\"type\":\"address\"}],"
    "\"ZkregBatch\":[{\"name\":\"root\",\"type\":\"bytes32\"},"
    "{\"name\":\"count\",\"type\":\"uint64\"},{\"name\":\"time\",\"type\":\"uint64\"}]}";

zkr_err zkr_eth_batch_digest(const zkr_eth_batch *b, const zkr_eip712_domain *dom,
                             uint8_t digest[32], zkr_diag *d)
{
    char root[67] = "0x", count[24], when[24];
    json_t *types = NULL, *domain = NULL, *td = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    memset(digest, 0, 32);
    if (strcmp(dom->version, ZKR_EIP712_VERSION) != 0)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "EIP-712 domain version '%.32s' is not '%s'",
                        dom->version, ZKR_EIP712_VERSION);
    (void)!zkr_hex_encode(b->root, 32, root + 2, sizeof root - 2);
    snprintf(count, sizeof count, "%llu", (unsigned long long)b->count);
    snprintf(when, sizeof when, "%llu", (unsigned long long)b->time);
    types = json_loads(batch_types, 0, NULL);
    domain = json_object();
    if (types == NULL || domain == NULL || zkr_signer_domain_json(dom, domain) != ZKR_OK)
        goto out;
    td = json_pack("{s:O, s:s, s:O, s:{s:s, s:s, s:s}}", "types", types, "primaryType",
                   "ZkregBatch", "domain", domain, "message", "root", root, "count", count,
                   "time", when);
    if (td != NULL)
        r = zkr_signer_eip712_hash(td, NULL, digest, d);
out:
    json_decref(types);
    json_decref(domain);
    json_decref(td);
    return r;
}

/* ------------------------------------------------------------------ */
/* RFC 6962 with keccak256                                             */
/* ------------------------------------------------------------------ */

static void node_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
    uint8_t buf[65];
    buf[0] = 0x01;
    memcpy(buf + 1, l, 32);
    memcpy(buf + 33, r, 32);
    zkr_keccak256(buf, sizeof buf, out);
}

/* The largest power of two below n (n >= 2). */
static size_t split_point(size_t n)
{
    size_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

/* MTH over already leaf-hashed entries h[0..n). */
static void mth(const uint8_t (*h)[32], size_t n, uint8_t out[32])
{
    uint8_t l[32], r[32];
    size_t k;

    if (n == 1) {
        memcpy(out, h[0], 32);
        return;
    }
    k = split_point(n);
    mth(h, k, l);
    mth(h + k, n - k, r);
    node_hash(l, r, out);
}

static zkr_err leaf_hashes(const uint8_t (*leaves)[32], size_t n, uint8_t (**out)[32])
{
    uint8_t buf[33];

    *out = NULL;
    if (n == 0 || n > ZKR_BATCH_MAX)
        return ZKR_ERR_USAGE;
    if ((*out = calloc(n, 32)) == NULL)
        return ZKR_ERR_NOMEM;
    buf[0] = 0x00;
    for (size_t i = 0; i < n; i++) {
        memcpy(buf + 1, leaves[i], 32);
        zkr_keccak256(buf, sizeof buf, (*out)[i]);
    }
    return ZKR_OK;
}

zkr_err zkr_eth_merkle_root(const uint8_t (*leaves)[32], size_t n, uint8_t root[32])
{
    uint8_t (*h)[32];
    zkr_err r;

    if ((r = leaf_hashes(leaves, n, &h)) != ZKR_OK)
        return r;
    mth((const uint8_t (*)[32])h, n, root);
    free(h);
    return ZKR_OK;
}

/* PATH(m, D[n]) of RFC 6962 section 2.1.1, leaf first. */
static void audit_path(const uint8_t (*h)[32], size_t n, size_t m, uint8_t (*path)[32],
                       size_t *len)
{
    size_t k;
    uint8_t sib[32];

    if (n <= 1)
        return;
    k = split_point(n);
    if (m < k) {
        audit_path(h, k, m, path, len);
        mth(h + k, n - k, sib);
    } else {
        audit_path(h + k, n - k, m - k, path, len);
        mth(h, k, sib);
    }
    memcpy(path[(*len)++], sib, 32);
}

zkr_err zkr_eth_merkle_path(const uint8_t (*leaves)[32], size_t n, size_t index,
                            uint8_t path[ZKR_MERKLE_MAX_PATH][32], size_t *len)
{
    uint8_t (*h)[32];
    zkr_err r;

    *len = 0;
    if (index >= n)
        return ZKR_ERR_USAGE;
    if ((r = leaf_hashes(leaves, n, &h)) != ZKR_OK)
        return r;
    audit_path((const uint8_t (*)[32])h, n, index, path, len);
    free(h);
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* ABI encoding                                                        */
/* ------------------------------------------------------------------ */

static zkr_err selector(zkr_buf *out, const char *sig)
{
    uint8_t h[32];
    zkr_keccak256((const uint8_t *)sig, strlen(sig), h);
    out->len = 0;
    return zkr_buf_append(out, h, 4);
}

static zkr_err word_b32(zkr_buf *out, const uint8_t v[32])
{
    return zkr_buf_append(out, v, 32);
}

static zkr_err word_u64(zkr_buf *out, uint64_t v)
{
    uint8_t w[32] = {0};
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)(v >> (8 * i));
    return zkr_buf_append(out, w, 32);
}

/* A length word, then the bytes padded with zeros to a multiple of 32. */
static zkr_err tail_bytes(zkr_buf *out, const uint8_t *p, size_t n)
{
    static const uint8_t zero[32] = {0};
    zkr_err r;

    if ((r = word_u64(out, n)) != ZKR_OK || (r = zkr_buf_append(out, p, n)) != ZKR_OK)
        return r;
    return n % 32 ? zkr_buf_append(out, zero, 32 - n % 32) : ZKR_OK;
}

static size_t padded(size_t n)
{
    return 32 + (n + 31) / 32 * 32;
}

/* The ZkregAttestation tuple (dynamic: three strings), offsets relative to its start. */
static zkr_err enc_attestation(const zkr_attest_facts *f, zkr_buf *out, zkr_diag *d)
{
    char schema[2 * ZKR_ATTEST_TEXT_MAX + 2];
    const char *dyn[3];
    size_t off = 14 * 32;
    zkr_err r;

    if ((r = zkr_attest_facts_check(f, d)) != ZKR_OK)
        return r;
    snprintf(schema, sizeof schema, "%s@%s", f->schema_name, f->schema_version);
    dyn[0] = schema;
    dyn[1] = f->verifier_version;
    dyn[2] = f->checkpoint_origin;
    out->len = 0;
    if ((r = word_b32(out, f->statement_id)) != ZKR_OK ||
        (r = word_b32(out, f->proof_sha256)) != ZKR_OK ||
        (r = word_b32(out, f->program_sha256)) != ZKR_OK ||
        (r = word_b32(out, f->model_sha256)) != ZKR_OK ||
        (r = word_b32(out, f->dataset_sha256)) != ZKR_OK || (r = word_u64(out, off)) != ZKR_OK ||
        (r = word_b32(out, f->schema_digest)) != ZKR_OK)
        return r;
    off += padded(strlen(dyn[0]));
    if ((r = word_u64(out, off)) != ZKR_OK || (r = word_u64(out, 1)) != ZKR_OK ||
        (r = word_u64(out, f->log_index)) != ZKR_OK)
        return r;
    off += padded(strlen(dyn[1]));
    if ((r = word_u64(out, off)) != ZKR_OK || (r = word_u64(out, f->checkpoint_size)) != ZKR_OK ||
        (r = word_b32(out, f->checkpoint_root)) != ZKR_OK ||
        (r = word_u64(out, (uint64_t)f->time)) != ZKR_OK)
        return r;
    for (int i = 0; i < 3; i++)
        if ((r = tail_bytes(out, (const uint8_t *)dyn[i], strlen(dyn[i]))) != ZKR_OK)
            return r;
    return ZKR_OK;
}

/* bytes[] of 65-byte signatures. */
static zkr_err enc_sigs(const uint8_t (*sigs)[ZKR_ETH_SIG_BYTES], size_t n, zkr_buf *out)
{
    zkr_err r;

    if (n > ZKR_DSSE_MAX_SIGS)
        return ZKR_ERR_TOO_LARGE;
    if ((r = word_u64(out, n)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n; i++)
        if ((r = word_u64(out, 32 * n + i * padded(ZKR_ETH_SIG_BYTES))) != ZKR_OK)
            return r;
    for (size_t i = 0; i < n; i++)
        if ((r = tail_bytes(out, sigs[i], ZKR_ETH_SIG_BYTES)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

zkr_err zkr_eth_calldata_submit(const zkr_attest_facts *f, const uint8_t (*sigs)[ZKR_ETH_SIG_BYTES],
                                size_t nsigs, zkr_buf *out, zkr_diag *d)
{
    zkr_buf t = {0};
    zkr_err r;

    if ((r = enc_attestation(f, &t, d)) == ZKR_OK &&
        (r = selector(out, "submit(" ATTESTATION_TUPLE ",bytes[])")) == ZKR_OK &&
        (r = word_u64(out, 64)) == ZKR_OK && (r = word_u64(out, 64 + t.len)) == ZKR_OK &&
        (r = zkr_buf_append(out, t.p, t.len)) == ZKR_OK)
        r = enc_sigs(sigs, nsigs, out);
    zkr_buf_free(&t);
    return r;
}

zkr_err zkr_eth_calldata_submit_batch(const zkr_eth_batch *b,
                                      const uint8_t (*sigs)[ZKR_ETH_SIG_BYTES], size_t nsigs,
                                      zkr_buf *out, zkr_diag *d)
{
    zkr_err r;

    (void)d;
    /* ZkregBatch is static: its three words sit in the head. */
    if ((r = selector(out, "submitBatch((bytes32,uint64,uint64),bytes[])")) != ZKR_OK ||
        (r = word_b32(out, b->root)) != ZKR_OK || (r = word_u64(out, b->count)) != ZKR_OK ||
        (r = word_u64(out, b->time)) != ZKR_OK || (r = word_u64(out, 4 * 32)) != ZKR_OK)
        return r;
    return enc_sigs(sigs, nsigs, out);
}

zkr_err zkr_eth_calldata_prove_included(const zkr_attest_facts *f, const uint8_t root[32],
                                        uint64_t index, const uint8_t (*path)[32], size_t plen,
                                        zkr_buf *out, zkr_diag *d)
{
    zkr_buf t = {0};
    zkr_err r;

    if (plen > ZKR_MERKLE_MAX_PATH)
        return ZKR_ERR_TOO_LARGE;
    if ((r = enc_attestation(f, &t, d)) != ZKR_OK ||
        (r = selector(out, "proveIncluded(" ATTESTATION_TUPLE ",bytes32,uint64,bytes32[])")) !=
            ZKR_OK ||
        (r = word_u64(out, 4 * 32)) != ZKR_OK || (r = word_b32(out, root)) != ZKR_OK ||
        (r = word_u64(out, index)) != ZKR_OK || (r = word_u64(out, 4 * 32 + t.len)) != ZKR_OK ||
        (r = zkr_buf_append(out, t.p, t.len)) != ZKR_OK || (r = word_u64(out, plen)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < plen && r == ZKR_OK; i++)
        r = word_b32(out, path[i]);
out:
    zkr_buf_free(&t);
    return r;
}
