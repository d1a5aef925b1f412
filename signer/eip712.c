/*
 * signer: EIP-712 typed-data hashing (eth_signTypedData_v4), generic over
 * the JSON form wallets use, and the attestation's own typed struct built
 * on top of it, so the digest we sign is by construction the digest of the
 * JSON a wallet is shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signer/signer_int.h"

#define EIP712_MAX_DEPTH 16
#define EIP712_MAX_TYPES 64
#define EIP712_MAX_ARRAY 4096

typedef struct {
    const json_t *types;
    zkr_diag *d;
} eip712_ctx;

static zkr_err hash_struct(eip712_ctx *c, const char *type, const json_t *data, int depth,
                           uint8_t out[32], zkr_buf *encoded);

/* The struct's field list, or NULL when `type` is not a struct. */
static const json_t *fields_of(eip712_ctx *c, const char *type)
{
    const json_t *f = json_object_get(c->types, type);
    return json_is_array(f) ? f : NULL;
}

/* Base name of a type without array suffixes ("Person[][2]" -> "Person"). */
static void base_type(const char *t, char *out, size_t cap)
{
    size_t n = strcspn(t, "[");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, t, n);
    out[n] = '\0';
}

static zkr_err field_pair(eip712_ctx *c, const json_t *f, const char **name, const char **type)
{
    *name = json_string_value(json_object_get(f, "name"));
    *type = json_string_value(json_object_get(f, "type"));
    if (*name == NULL || *type == NULL || json_object_size(f) != 2)
        return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: a field is not {name, type}");
    return ZKR_OK;
}

/* Collects struct dependencies of `type` (including itself) into deps[]. */
static zkr_err collect_deps(eip712_ctx *c, const char *type, const char **deps, size_t *n,
                            int depth)
{
    const json_t *fs = fields_of(c, type), *f;
    size_t i;
    zkr_err r;

    if (fs == NULL)
        return ZKR_OK;
    for (i = 0; i < *n; i++)
        if (strcmp(deps[i], type) == 0)
            return ZKR_OK;
    if (*n >= EIP712_MAX_TYPES || depth > EIP712_MAX_DEPTH)
        return zkr_fail(c->d, ZKR_ERR_TOO_LARGE, "EIP-712: too many or too deep types");
    deps[(*n)++] = type;
    json_array_foreach(fs, i, f) {
        const char *fname, *ftype;
        char base[128];
        if ((r = field_pair(c, f, &fname, &ftype)) != ZKR_OK)
            return r;
        base_type(ftype, base, sizeof base);
        /* The key string stored in types outlives `base`, so deps[] may keep it. */
        void *it = json_object_iter_at((json_t *)c->types, base);
        if (it != NULL && (r = collect_deps(c, json_object_iter_key(it), deps, n, depth + 1)) !=
                              ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static zkr_err encode_one_type(eip712_ctx *c, const char *type, zkr_buf *out)
{
    const json_t *fs = fields_of(c, type), *f;
    size_t i;
    zkr_err r;

    if ((r = zkr_buf_printf(out, "%s(", type)) != ZKR_OK)
        return r;
    json_array_foreach(fs, i, f) {
        const char *fname, *ftype;
        if ((r = field_pair(c, f, &fname, &ftype)) != ZKR_OK ||
            (r = zkr_buf_printf(out, "%s%s %s", i > 0 ? "," : "", ftype, fname)) != ZKR_OK)
            return r;
    }
    return zkr_buf_append(out, ")", 1);
}

static zkr_err type_hash(eip712_ctx *c, const char *type, uint8_t out[32])
{
    const char *deps[EIP712_MAX_TYPES];
    size_t n = 0;
    zkr_buf s = {0};
    zkr_err r;

    if ((r = collect_deps(c, type, deps, &n, 0)) != ZKR_OK)
        goto out;
    if (n > 1)
        qsort(deps + 1, n - 1, sizeof deps[0], cmp_str);
    for (size_t i = 0; i < n; i++)
        if ((r = encode_one_type(c, deps[i], &s)) != ZKR_OK)
            goto out;
    zkr_keccak256(s.p, s.len, out);
out:
    zkr_buf_free(&s);
    return r;
}

/* Decodes "0x" hex into out (cap bytes); *n its length. */
static zkr_err hex_value(eip712_ctx *c, const json_t *v, const char *field, uint8_t *out,
                         size_t cap, size_t *n)
{
    const char *s = json_string_value(v);

    if (s == NULL || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
        zkr_hex_decode(s + 2, strlen(s + 2), out, cap, n) != ZKR_OK)
        return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not 0x-hex of at most %zu bytes",
                        field, cap);
    return ZKR_OK;
}

/* 256-bit magnitude helpers (big-endian). */
static int mul10_add(uint8_t v[32], int digit)
{
    int carry = digit;
    for (int i = 31; i >= 0; i--) {
        int x = v[i] * 10 + carry;
        v[i] = (uint8_t)(x & 0xff);
        carry = x >> 8;
    }
    return carry == 0;
}

static int bit_length(const uint8_t v[32])
{
    for (int i = 0; i < 32; i++)
        if (v[i] != 0) {
            int b = 8;
            while (!(v[i] & (1 << (b - 1))))
                b--;
            return (31 - i) * 8 + b;
        }
    return 0;
}

static int is_pow2(const uint8_t v[32])
{
    int ones = 0;
    for (int i = 0; i < 32; i++)
        ones += __builtin_popcount(v[i]);
    return ones == 1;
}

static void negate(uint8_t v[32])
{
    int carry = 1;
    for (int i = 31; i >= 0; i--) {
        int x = (uint8_t)~v[i] + carry;
        v[i] = (uint8_t)x;
        carry = x >> 8;
    }
}

/* Reads a JSON integer, or a decimal or 0x string, with its sign. */
static zkr_err int_value(eip712_ctx *c, const json_t *v, const char *field, uint8_t mag[32],
                         int *neg)
{
    char tmp[32];
    const char *s;
    size_t n = 0;

    memset(mag, 0, 32);
    *neg = 0;
    if (json_is_integer(v)) {
        long long x = json_integer_value(v);
        snprintf(tmp, sizeof tmp, "%lld", x);
        s = tmp;
    } else {
        s = json_string_value(v);
    }
    if (s == NULL || s[0] == '\0')
        return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not an integer", field);
    if (s[0] == '-') {
        *neg = 1;
        s++;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        uint8_t raw[32];
        if (zkr_hex_decode(s + 2, strlen(s + 2), raw, sizeof raw, &n) != ZKR_OK)
            return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s': bad hex integer",
                            field);
        memcpy(mag + 32 - n, raw, n);
        return ZKR_OK;
    }
    if (*s == '\0')
        return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not an integer", field);
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9' || !mul10_add(mag, *s - '0'))
            return zkr_fail(c->d, ZKR_ERR_MALFORMED,
                            "EIP-712: field '%s' is not a 256-bit decimal integer", field);
    return ZKR_OK;
}

static zkr_err enc_int(eip712_ctx *c, const char *type, const json_t *v, const char *field,
                       uint8_t out[32])
{
    int is_signed = type[0] == 'i', bits, neg, len;
    const char *num = type + (is_signed ? 3 : 4);
    char *end;
    long nb = strtol(num, &end, 10);

    if (*num == '\0' || *end != '\0' || nb < 8 || nb > 256 || nb % 8 != 0 || num[0] == '0')
        return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: '%s' is not a valid integer type", type);
    bits = (int)nb;
    if (int_value(c, v, field, out, &neg) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    len = bit_length(out);
    if (neg && len == 0)
        neg = 0;
    if ((!is_signed && (neg || len > bits)) ||
        (is_signed && !neg && len > bits - 1) ||
        (is_signed && neg && !(len <= bits - 1 || (len == bits && is_pow2(out)))))
        return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' out of range for %s", field,
                        type);
    if (neg)
        negate(out);
    return ZKR_OK;
}

static zkr_err enc_value(eip712_ctx *c, const char *type, const json_t *v, const char *field,
                         int depth, uint8_t out[32]);

/* T[] or T[n]: keccak of the concatenated encodings. */
static zkr_err enc_array(eip712_ctx *c, const char *type, const json_t *v, const char *field,
                         int depth, uint8_t out[32])
{
    char inner[128];
    const char *lb = strrchr(type, '[');
    size_t il = (size_t)(lb - type), i;
    zkr_buf cat = {0};
    json_t *e;
    zkr_err r = ZKR_OK;

    if (il >= sizeof inner || type[strlen(type) - 1] != ']')
        return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: bad array type '%.64s'", type);
    memcpy(inner, type, il);
    inner[il] = '\0';
    if (!json_is_array(v) || json_array_size(v) > EIP712_MAX_ARRAY)
        return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not an array", field);
    if (lb[1] != ']') {
        char *end;
        unsigned long n = strtoul(lb + 1, &end, 10);
        if (*end != ']' || n != json_array_size(v))
            return zkr_fail(c->d, ZKR_ERR_MALFORMED,
                            "EIP-712: field '%s' must have the length its type '%s' says", field,
                            type);
    }
    json_array_foreach(v, i, e) {
        uint8_t h[32];
        if ((r = enc_value(c, inner, e, field, depth + 1, h)) != ZKR_OK ||
            (r = zkr_buf_append(&cat, h, 32)) != ZKR_OK)
            break;
    }
    if (r == ZKR_OK)
        zkr_keccak256(cat.p, cat.len, out);
    zkr_buf_free(&cat);
    return r;
}

static zkr_err enc_value(eip712_ctx *c, const char *type, const json_t *v, const char *field,
                         int depth, uint8_t out[32])
{
    uint8_t buf[32];
    size_t n = 0;

    memset(out, 0, 32);
    if (depth > EIP712_MAX_DEPTH)
        return zkr_fail(c->d, ZKR_ERR_TOO_LARGE, "EIP-712: nesting deeper than %d",
                        EIP712_MAX_DEPTH);
    if (type[strlen(type) - 1] == ']')
        return enc_array(c, type, v, field, depth, out);
    if (fields_of(c, type) != NULL)
        return hash_struct(c, type, v, depth + 1, out, NULL);
    if (strcmp(type, "string") == 0) {
        if (!json_is_string(v))
            return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not a string", field);
        zkr_keccak256((const uint8_t *)json_string_value(v), json_string_length(v), out);
        return ZKR_OK;
    }
    if (strcmp(type, "bytes") == 0) {
        const char *s = json_string_value(v);
        zkr_buf raw = {0};
        zkr_err r;
        if (s == NULL || s[0] != '0' || s[1] != 'x')
            return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not 0x-hex", field);
        if ((r = zkr_buf_reserve(&raw, strlen(s) / 2 + 1)) != ZKR_OK)
            return r;
        if (zkr_hex_decode(s + 2, strlen(s + 2), raw.p, raw.cap, &raw.len) != ZKR_OK) {
            zkr_buf_free(&raw);
            return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not 0x-hex", field);
        }
        zkr_keccak256(raw.p, raw.len, out);
        zkr_buf_free(&raw);
        return ZKR_OK;
    }
    if (strcmp(type, "bool") == 0) {
        if (!json_is_boolean(v))
            return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not a bool", field);
        out[31] = json_is_true(v) ? 1 : 0;
        return ZKR_OK;
    }
    if (strcmp(type, "address") == 0) {
        if (hex_value(c, v, field, buf, 20, &n) != ZKR_OK || n != 20)
            return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not an address",
                            field);
        memcpy(out + 12, buf, 20);
        return ZKR_OK;
    }
    if (strncmp(type, "bytes", 5) == 0) {
        char *end;
        long want = strtol(type + 5, &end, 10);
        if (*end != '\0' || want < 1 || want > 32 || type[5] == '0')
            return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: unknown type '%.64s'", type);
        if (hex_value(c, v, field, buf, 32, &n) != ZKR_OK || n != (size_t)want)
            return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: field '%s' is not %ld bytes", field,
                            want);
        memcpy(out, buf, n);
        return ZKR_OK;
    }
    if (strncmp(type, "uint", 4) == 0 || strncmp(type, "int", 3) == 0)
        return enc_int(c, type, v, field, out);
    return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: unknown type '%.64s'", type);
}

static zkr_err hash_struct(eip712_ctx *c, const char *type, const json_t *data, int depth,
                           uint8_t out[32], zkr_buf *encoded)
{
    const json_t *fs = fields_of(c, type), *f;
    zkr_buf enc = {0};
    uint8_t h[32];
    size_t i;
    zkr_err r;

    if (fs == NULL || !json_is_object(data))
        return zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: value of struct '%.64s' is not an object",
                        type);
    if ((r = type_hash(c, type, h)) != ZKR_OK || (r = zkr_buf_append(&enc, h, 32)) != ZKR_OK)
        goto out;
    json_array_foreach(fs, i, f) {
        const char *fname, *ftype;
        const json_t *v;
        if ((r = field_pair(c, f, &fname, &ftype)) != ZKR_OK)
            goto out;
        v = json_object_get(data, fname);
        if (v == NULL) {
            r = zkr_fail(c->d, ZKR_ERR_MALFORMED, "EIP-712: struct '%.64s' lacks field '%.64s'",
                         type, fname);
            goto out;
        }
        if ((r = enc_value(c, ftype, v, fname, depth, h)) != ZKR_OK ||
            (r = zkr_buf_append(&enc, h, 32)) != ZKR_OK)
            goto out;
    }
    zkr_keccak256(enc.p, enc.len, out);
    if (encoded != NULL) {
        encoded->len = 0;
        r = zkr_buf_append(encoded, enc.p, enc.len);
    }
out:
    zkr_buf_free(&enc);
    return r;
}

/* EIP712Domain from the domain's keys, in the EIP's order, when types lacks it. */
static zkr_err domain_types(const json_t *types, const json_t *domain, json_t **out)
{
    static const char *const names[] = {"name", "version", "chainId", "verifyingContract",
                                        "salt"};
    static const char *const tys[] = {"string", "string", "uint256", "address", "bytes32"};
    json_t *t = json_deep_copy(types), *arr = json_array();

    *out = NULL;
    if (t == NULL || arr == NULL) {
        json_decref(t);
        json_decref(arr);
        return ZKR_ERR_NOMEM;
    }
    for (int i = 0; i < 5; i++)
        if (json_object_get(domain, names[i]) != NULL)
            (void)json_array_append_new(arr, json_pack("{s:s, s:s}", "name", names[i], "type",
                                                       tys[i]));
    (void)json_object_set_new(t, "EIP712Domain", arr);
    *out = t;
    return ZKR_OK;
}

zkr_err zkr_signer_eip712_hash(const json_t *td, zkr_buf *encoded, uint8_t digest[32],
                               zkr_diag *d)
{
    const json_t *types = json_object_get(td, "types"), *domain = json_object_get(td, "domain");
    const char *primary = json_string_value(json_object_get(td, "primaryType"));
    json_t *all = NULL;
    eip712_ctx c;
    uint8_t pre[66];
    zkr_err r;

    memset(digest, 0, 32);
    if (!json_is_object(types) || !json_is_object(domain) || primary == NULL ||
        !json_is_object(json_object_get(td, "message")))
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "EIP-712: typed data needs types, primaryType, domain and message");
    if (json_object_get(types, "EIP712Domain") == NULL) {
        if ((r = domain_types(types, domain, &all)) != ZKR_OK)
            return r;
        types = all;
    }
    c.types = types;
    c.d = d;
    pre[0] = 0x19;
    pre[1] = 0x01;
    if ((r = hash_struct(&c, "EIP712Domain", domain, 0, pre + 2, NULL)) == ZKR_OK &&
        (r = hash_struct(&c, primary, json_object_get(td, "message"), 0, pre + 34, encoded)) ==
            ZKR_OK)
        zkr_keccak256(pre, sizeof pre, digest);
    json_decref(all);
    return r;
}

zkr_err zkr_eip712_hash_json(const char *json, size_t len, zkr_buf *encoded, uint8_t digest[32],
                             zkr_diag *d)
{
    json_t *td = NULL;
    zkr_err r;

    memset(digest, 0, 32);
    if ((r = zkr_signer_json_load((const uint8_t *)json, len, ZKR_DSSE_MAX_BYTES,
                                  "EIP-712 typed data", &td, d)) != ZKR_OK)
        return r;
    r = zkr_signer_eip712_hash(td, encoded, digest, d);
    json_decref(td);
    return r;
}

static const char attestation_types[] =
    "{\"EIP712Domain\":[{\"name\":\"name\",\"type\":\"string\"},"
    "{\"name\":\"version\",\"type\":\"string\"},{\"name\":\"chainId\",\"type\":\"uint256\"},"
    "{\"name\":\"verifyingContract\",\"type\":\"address\"}],"
    "\"ZkregAttestation\":[{\"name\":\"statementId\",\"type\":\"bytes32\"},"
    "{\"name\":\"proof\",\"type\":\"bytes32\"},{\"name\":\"program\",\"type\":\"bytes32\"},"
    "{\"name\":\"model\",\"type\":\"bytes32\"},{\"name\":\"dataset\",\"type\":\"bytes32\"},"
    "{\"name\":\"schema\",\"type\":\"string\"},{\"name\":\"schemaDigest\",\"type\":\"bytes32\"},"
    "{\"name\":\"verifierVersion\",\"type\":\"string\"},{\"name\":\"accepted\",\"type\":\"bool\"},"
    "{\"name\":\"logIndex\",\"type\":\"uint64\"},{\"name\":\"checkpointOrigin\",\"type\":\"string\"},"
    "{\"name\":\"checkpointSize\",\"type\":\"uint64\"},"
    "{\"name\":\"checkpointRoot\",\"type\":\"bytes32\"},{\"name\":\"time\",\"type\":\"uint64\"}]}";

static json_t *hex32_json(const uint8_t h[32])
{
    char s[67] = "0x";
    (void)!zkr_hex_encode(h, 32, s + 2, sizeof s - 2);
    return json_string(s);
}

static json_t *u64_json(uint64_t v)
{
    char s[24];
    /* Decimal strings: JavaScript numbers lose precision past 2^53. */
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    return json_string(s);
}

/*
 * The domain version names the struct: version 1 signed a ZkregAttestation
 * without checkpointOrigin, so a signature under it must never be taken for
 * one over today's struct (nor today's signed under "1").
 */
static zkr_err domain_version_check(const zkr_eip712_domain *dom, zkr_diag *d)
{
    if (strcmp(dom->version, ZKR_EIP712_VERSION) != 0)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "EIP-712 domain version '%.32s' is not '" ZKR_EIP712_VERSION
                        "' (the ZkregAttestation struct of version " ZKR_EIP712_VERSION
                        " binds checkpointOrigin)",
                        dom->version);
    return ZKR_OK;
}

zkr_err zkr_signer_eip712_typed(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                                json_t **out, zkr_diag *d)
{
    char schema[2 * ZKR_ATTEST_TEXT_MAX + 2];
    json_t *types, *domain, *msg;
    zkr_err r;

    *out = NULL;
    if ((r = zkr_attest_facts_check(f, d)) != ZKR_OK || (r = domain_version_check(dom, d)) != ZKR_OK)
        return r;
    snprintf(schema, sizeof schema, "%s@%s", f->schema_name, f->schema_version);
    types = json_loads(attestation_types, 0, NULL);
    domain = json_object();
    msg = json_pack("{s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:s, s:b, s:o, s:s, s:o, s:o, s:o}",
                    "statementId", hex32_json(f->statement_id), "proof",
                    hex32_json(f->proof_sha256), "program", hex32_json(f->program_sha256), "model",
                    hex32_json(f->model_sha256), "dataset", hex32_json(f->dataset_sha256),
                    "schema", schema, "schemaDigest", hex32_json(f->schema_digest),
                    "verifierVersion", f->verifier_version, "accepted", 1, "logIndex",
                    u64_json(f->log_index), "checkpointOrigin", f->checkpoint_origin,
                    "checkpointSize", u64_json(f->checkpoint_size),
                    "checkpointRoot", hex32_json(f->checkpoint_root), "time",
                    u64_json((uint64_t)f->time));
    if (types == NULL || domain == NULL || msg == NULL ||
        zkr_signer_domain_json(dom, domain) != ZKR_OK) {
        json_decref(types);
        json_decref(domain);
        json_decref(msg);
        return ZKR_ERR_NOMEM;
    }
    *out = json_pack("{s:o, s:s, s:o, s:o}", "types", types, "primaryType", "ZkregAttestation",
                     "domain", domain, "message", msg);
    return *out != NULL ? ZKR_OK : ZKR_ERR_NOMEM;
}

zkr_err zkr_attest_eip712_json(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                               zkr_buf *out, zkr_diag *d)
{
    json_t *td;
    zkr_err r;

    out->len = 0;
    if ((r = zkr_signer_eip712_typed(f, dom, &td, d)) != ZKR_OK)
        return r;
    if ((r = zkr_signer_json_dump(td, out)) == ZKR_OK)
        r = zkr_buf_append(out, "\n", 1);
    json_decref(td);
    return r;
}

zkr_err zkr_attest_eip712_digest(const zkr_attest_facts *f, const zkr_eip712_domain *dom,
                                 uint8_t digest[32], zkr_diag *d)
{
    json_t *td;
    zkr_err r;

    memset(digest, 0, 32);
    if ((r = zkr_signer_eip712_typed(f, dom, &td, d)) != ZKR_OK)
        return r;
    r = zkr_signer_eip712_hash(td, NULL, digest, d);
    json_decref(td);
    return r;
}

zkr_err zkr_eip712_domain_load(const char *path, zkr_eip712_domain *out, zkr_diag *d)
{
    static const char *const f[] = {"chainId", "verifyingContract", "name", "version", NULL};
    zkr_buf file = {0};
    json_t *j = NULL;
    const char *vc, *s;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_file_read(path, 65536, &file, d)) != ZKR_OK ||
        (r = zkr_signer_json_load(file.p, file.len, 65536, path, &j, d)) != ZKR_OK ||
        (r = zkr_signer_json_fields(j, f, path, d)) != ZKR_OK ||
        (r = zkr_signer_json_u64(j, "chainId", path, &out->chain_id, d)) != ZKR_OK ||
        (r = zkr_signer_json_str(j, "verifyingContract", 42, path, &vc, d)) != ZKR_OK)
        goto out;
    if (zkr_eth_address_parse(vc, out->verifying_contract) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "%s: verifyingContract is not an address", path);
        goto out;
    }
    snprintf(out->name, sizeof out->name, "zkreg");
    snprintf(out->version, sizeof out->version, "%s", ZKR_EIP712_VERSION);
    if (json_object_get(j, "name") != NULL) {
        if ((r = zkr_signer_json_str(j, "name", ZKR_ATTEST_TEXT_MAX, path, &s, d)) != ZKR_OK)
            goto out;
        snprintf(out->name, sizeof out->name, "%s", s);
    }
    if (json_object_get(j, "version") != NULL) {
        if ((r = zkr_signer_json_str(j, "version", ZKR_ATTEST_TEXT_MAX, path, &s, d)) != ZKR_OK)
            goto out;
        snprintf(out->version, sizeof out->version, "%s", s);
    }
    r = domain_version_check(out, d);
out:
    json_decref(j);
    zkr_buf_free(&file);
    if (r != ZKR_OK)
        memset(out, 0, sizeof *out);
    return r;
}
