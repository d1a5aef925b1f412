/*
 * Checkpoints as C2SP signed notes (c2sp.org/signed-note and
 * c2sp.org/tlog-checkpoint) with an Ed25519 appliance key:
 *
 *   <origin>\n<tree size>\n<base64 root>\n\n— <key name> <base64(key id || sig)>\n
 *
 * key id = SHA-256(key name || "\n" || 0x01 || public key)[0..4).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "registry_int.h"

#define EM_DASH "\xe2\x80\x94"
#define NOTE_MAX ((size_t)1 << 16)
#define ED25519_ALG 0x01
#define REVOCATIONS_LINE "zkreg-revocations"

static void key_id(const char *name, const uint8_t pk[crypto_sign_PUBLICKEYBYTES], uint8_t id[4])
{
    zkr_sha256_ctx c;
    uint8_t h[ZKR_DIGEST_BYTES];
    const uint8_t sep[2] = {'\n', ED25519_ALG};

    zkr_sha256_init(&c);
    zkr_sha256_update(&c, (const uint8_t *)name, strlen(name));
    zkr_sha256_update(&c, sep, 2);
    zkr_sha256_update(&c, pk, crypto_sign_PUBLICKEYBYTES);
    zkr_sha256_final(&c, h);
    memcpy(id, h, 4);
}

static zkr_err load_identity(zkr_registry *reg, zkr_buf *origin,
                             uint8_t pk[crypto_sign_PUBLICKEYBYTES], zkr_diag *d)
{
    zkr_buf b = {0};
    zkr_err r;

    if ((r = zkr_registry_meta_get(reg, "log_origin", origin, d)) != ZKR_OK ||
        (r = zkr_buf_terminate(origin)) != ZKR_OK ||
        (r = zkr_registry_meta_get(reg, "appliance_public_key", &b, d)) != ZKR_OK)
        goto out;
    if (b.len != crypto_sign_PUBLICKEYBYTES || strlen((char *)origin->p) != origin->len) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: appliance identity is corrupt", reg->path);
        goto out;
    }
    memcpy(pk, b.p, b.len);
out:
    zkr_buf_free(&b);
    return r;
}

static zkr_err vkey_format(const char *name, const uint8_t pk[crypto_sign_PUBLICKEYBYTES],
                           zkr_buf *out)
{
    uint8_t id[4], typed[1 + crypto_sign_PUBLICKEYBYTES];
    char hex[9];
    zkr_err r;

    key_id(name, pk, id);
    typed[0] = ED25519_ALG;
    memcpy(typed + 1, pk, crypto_sign_PUBLICKEYBYTES);
    if ((r = zkr_hex_encode(id, 4, hex, sizeof hex)) != ZKR_OK ||
        (r = zkr_buf_printf(out, "%s+%s+", name, hex)) != ZKR_OK ||
        (r = zkr_base64_encode(typed, sizeof typed, out)) != ZKR_OK)
        return r;
    return zkr_buf_terminate(out);
}

zkr_err zkr_registry_verifier_key(zkr_registry *reg, zkr_buf *out)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    zkr_buf origin = {0};
    zkr_err r;

    if ((r = load_identity(reg, &origin, pk, NULL)) == ZKR_OK)
        r = vkey_format((const char *)origin.p, pk, out);
    zkr_buf_free(&origin);
    return r;
}

zkr_err zkr_checkpoint_body(const zkr_checkpoint *cp, zkr_buf *out)
{
    zkr_err r;

    if ((r = zkr_buf_printf(out, "%s\n%llu\n", cp->origin, (unsigned long long)cp->size)) !=
            ZKR_OK ||
        (r = zkr_base64_encode(cp->root, ZKR_DIGEST_BYTES, out)) != ZKR_OK ||
        (r = zkr_buf_append_str(out, "\n")) != ZKR_OK || !cp->has_revocations)
        return r;
    /* A C2SP extension line: the signed commitment to the whole revocation set. */
    if ((r = zkr_buf_printf(out, REVOCATIONS_LINE " %llu ",
                            (unsigned long long)cp->revocation_count)) != ZKR_OK ||
        (r = zkr_base64_encode(cp->revocation_digest, ZKR_DIGEST_BYTES, out)) != ZKR_OK)
        return r;
    return zkr_buf_append_str(out, "\n");
}

zkr_err zkr_registry_revocation_set(zkr_registry *reg, uint64_t size, uint64_t *count,
                                    uint8_t digest[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_revset set;
    uint64_t n = 0;
    zkr_err r;
    int rc;

    *count = 0;
    if ((r = zkr_registry_log_size(reg, &n)) != ZKR_OK)
        return r;
    if (size > n)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "tree size %llu is past the log (%llu)",
                        (unsigned long long)size, (unsigned long long)n);
    if ((r = zkr_registry_prepare(reg,
                                  "SELECT idx, leaf_hash FROM log WHERE type = 'revocation'"
                                  " AND idx < ? ORDER BY idx",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    zkr_revset_init(&set);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t h[ZKR_DIGEST_BYTES];
        if (zkr_registry_col_digest(st, 1, h) != ZKR_OK ||
            zkr_revset_add(&set, (uint64_t)sqlite3_column_int64(st, 0), h) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: log leaf hash corrupt", reg->path);
            break;
        }
    }
    if (r == ZKR_OK && rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading the log", d);
    sqlite3_finalize(st);
    zkr_revset_final(&set, digest);
    *count = set.count;
    return r;
}

/* Unseals the appliance key into sk (sodium_malloc'ed, 64 bytes) and checks it. */
static zkr_err unseal_key(zkr_registry *reg, const zkr_secret *pass,
                          const uint8_t pk[crypto_sign_PUBLICKEYBYTES], uint8_t *sk, zkr_diag *d)
{
    uint8_t pk2[crypto_sign_PUBLICKEYBYTES];
    zkr_buf sealed = {0};
    size_t sk_len = 0;
    zkr_err r;

    if ((r = zkr_registry_meta_get(reg, "appliance_key_sealed", &sealed, d)) != ZKR_OK)
        goto out;
    r = zkr_unseal(sealed.p, sealed.len, pass->p, pass->len, ZKR_SEAL_LABEL, sk,
                   crypto_sign_SECRETKEYBYTES, &sk_len);
    if (r == ZKR_ERR_PASSPHRASE) {
        r = zkr_fail(d, r, "%s: the passphrase does not open the appliance key", reg->path);
        goto out;
    }
    if (r != ZKR_OK || sk_len != crypto_sign_SECRETKEYBYTES) {
        r = zkr_fail(d, ZKR_ERR_KEY, "%s: the sealed appliance key is unusable", reg->path);
        goto out;
    }
    crypto_sign_ed25519_sk_to_pk(pk2, sk);
    if (sodium_memcmp(pk2, pk, sizeof pk2) != 0)
        r = zkr_fail(d, ZKR_ERR_KEY, "%s: sealed appliance key does not match its public key",
                     reg->path);
out:
    zkr_buf_free(&sealed);
    return r;
}

static zkr_err store_checkpoint(zkr_registry *reg, uint64_t size, const uint8_t root[32],
                                const zkr_buf *note, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg,
                                  "INSERT INTO checkpoint(size, root, note, created)"
                                  " SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS"
                                  " (SELECT 1 FROM checkpoint WHERE size = ?1 AND note = ?3)",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_blob(st, 2, root, 32, SQLITE_STATIC);
    if ((r = zkr_registry_bind_blob(st, 3, note->p, note->len)) == ZKR_OK) {
        sqlite3_bind_int64(st, 4, zkr_registry_now());
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            r = zkr_registry_sql_err(reg, rc, "storing the checkpoint", d);
    }
    sqlite3_finalize(st);
    return r;
}

/*
 * The appliance signs only a tree that extends the last one it signed: the
 * cached tree and leaves could have been rewritten by someone holding the
 * file, and a signature must never launder that. ZKR_OK, or
 * ZKR_ERR_REGISTRY naming both sizes.
 */
static zkr_err extends_latest(zkr_registry *reg, uint64_t size,
                              const uint8_t root[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    uint8_t path[ZKR_MERKLE_MAX_DEPTH * 2][ZKR_DIGEST_BYTES];
    zkr_buf note = {0};
    zkr_checkpoint cp;
    zkr_diag quiet = {0};
    size_t plen = 0;
    zkr_err r;

    r = zkr_registry_checkpoint_latest(reg, &note, &cp, &quiet);
    zkr_buf_free(&note);
    if (r == ZKR_ERR_NOT_FOUND)
        return ZKR_OK;
    if (r != ZKR_OK)
        return zkr_fail(d, r, "%s", quiet.msg);
    if (cp.size == 0)
        return ZKR_OK;
    if (cp.size > size ||
        (cp.size == size && sodium_memcmp(cp.root, root, ZKR_DIGEST_BYTES) != 0) ||
        (cp.size < size &&
         (zkr_registry_log_consistency(reg, cp.size, size, path, &plen, &quiet) != ZKR_OK ||
          zkr_merkle_consistency_verify(cp.size, size, cp.root, root,
                                        (const uint8_t(*)[ZKR_DIGEST_BYTES])path,
                                        plen) != ZKR_OK)))
        return zkr_fail(d, ZKR_ERR_REGISTRY,
                        "%s: the log of size %llu is not consistent with the checkpoint of size "
                        "%llu the appliance signed; refusing to sign (run zkreg log verify)",
                        reg->path, (unsigned long long)size, (unsigned long long)cp.size);
    return ZKR_OK;
}

struct zkr_appliance_key {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t *sk; /* sodium_malloc'ed, crypto_sign_SECRETKEYBYTES */
};

void zkr_appliance_key_free(zkr_appliance_key *k)
{
    if (k == NULL)
        return;
    if (k->sk != NULL)
        sodium_free(k->sk); /* wipes */
    free(k);
}

zkr_err zkr_registry_appliance_key_open(zkr_registry *reg, const zkr_secret *pass,
                                        zkr_appliance_key **out, zkr_diag *d)
{
    zkr_appliance_key *k = calloc(1, sizeof *k);
    zkr_buf origin = {0};
    zkr_err r;

    *out = NULL;
    if (k == NULL || (k->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = load_identity(reg, &origin, k->pk, d)) != ZKR_OK ||
        (r = unseal_key(reg, pass, k->pk, k->sk, d)) != ZKR_OK)
        goto out;
    *out = k;
    k = NULL;
out:
    zkr_appliance_key_free(k);
    zkr_buf_free(&origin);
    return r;
}

/*
 * Signs the tree of the first `size` leaves (read inside the caller's
 * transaction) into the note `text`: the tree must extend the last one the
 * appliance signed, and the note carries the revocation-set commitment.
 * Secret: sk (the caller's).
 */
static zkr_err sign_tree(zkr_registry *reg, const char *origin,
                         const uint8_t pk[crypto_sign_PUBLICKEYBYTES], const uint8_t *sk,
                         uint64_t *size, uint8_t root[ZKR_DIGEST_BYTES], zkr_buf *text,
                         zkr_diag *d)
{
    uint8_t sigblob[4 + crypto_sign_BYTES], id[4];
    zkr_checkpoint cp;
    zkr_err r;

    if ((r = zkr_registry_log_size(reg, size)) != ZKR_OK ||
        (r = zkr_registry_log_root(reg, *size, root, d)) != ZKR_OK ||
        (r = extends_latest(reg, *size, root, d)) != ZKR_OK)
        return r;
    memset(&cp, 0, sizeof cp);
    snprintf(cp.origin, sizeof cp.origin, "%s", origin);
    cp.size = *size;
    memcpy(cp.root, root, ZKR_DIGEST_BYTES);
    cp.has_revocations = 1;
    if ((r = zkr_registry_revocation_set(reg, *size, &cp.revocation_count, cp.revocation_digest,
                                         d)) != ZKR_OK ||
        (r = zkr_checkpoint_body(&cp, text)) != ZKR_OK)
        return r;
    key_id(origin, pk, id);
    memcpy(sigblob, id, 4);
    crypto_sign_detached(sigblob + 4, NULL, text->p, text->len, sk);
    if ((r = zkr_buf_printf(text, "\n" EM_DASH " %s ", origin)) != ZKR_OK ||
        (r = zkr_base64_encode(sigblob, sizeof sigblob, text)) != ZKR_OK ||
        (r = zkr_buf_append_str(text, "\n")) != ZKR_OK)
        return r;
    return ZKR_OK;
}

/*
 * Signs the current tree with an opened appliance key; stores the note in
 * the same write transaction when `store` (else reads one snapshot).
 */
static zkr_err sign_with(zkr_registry *reg, const zkr_appliance_key *k, int store, zkr_buf *note,
                         zkr_diag *d)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], root[ZKR_DIGEST_BYTES];
    zkr_buf origin = {0}, text = {0};
    uint64_t size = 0;
    zkr_err r;

    if ((r = load_identity(reg, &origin, pk, d)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(pk, k->pk, sizeof pk) != 0) {
        r = zkr_fail(d, ZKR_ERR_KEY, "%s: the opened appliance key is not this registry's",
                     reg->path);
        goto out;
    }
    if ((r = store ? zkr_registry_begin(reg, d) : zkr_registry_begin_read(reg, d)) != ZKR_OK ||
        (r = sign_tree(reg, (const char *)origin.p, pk, k->sk, &size, root, &text, d)) !=
            ZKR_OK ||
        (store && ((r = store_checkpoint(reg, size, root, &text, d)) != ZKR_OK ||
                   (r = zkr_registry_commit(reg, d)) != ZKR_OK)))
        goto out;
    r = zkr_buf_append(note, text.p, text.len);
out:
    zkr_registry_rollback(reg);
    zkr_buf_free(&origin);
    zkr_buf_free(&text);
    return r;
}

/* Argon2id (the unseal) runs before any lock is taken. */
static zkr_err checkpoint_sign(zkr_registry *reg, const zkr_secret *pass, int store,
                               zkr_buf *note, zkr_diag *d)
{
    zkr_appliance_key *k = NULL;
    zkr_err r;

    if ((r = zkr_registry_appliance_key_open(reg, pass, &k, d)) == ZKR_OK)
        r = sign_with(reg, k, store, note, d);
    zkr_appliance_key_free(k);
    return r;
}

zkr_err zkr_registry_checkpoint_sign_key(zkr_registry *reg, const zkr_appliance_key *k,
                                         zkr_buf *note, zkr_diag *d)
{
    return sign_with(reg, k, 1, note, d);
}

zkr_err zkr_registry_checkpoint_sign(zkr_registry *reg, const zkr_secret *pass, zkr_buf *note,
                                     zkr_diag *d)
{
    return checkpoint_sign(reg, pass, 1, note, d);
}

zkr_err zkr_registry_checkpoint_make(zkr_registry *reg, const zkr_secret *pass, zkr_buf *note,
                                     zkr_diag *d)
{
    return checkpoint_sign(reg, pass, 0, note, d);
}

zkr_err zkr_registry_checkpoint_store(zkr_registry *reg, const uint8_t *note, size_t len,
                                      zkr_diag *d)
{
    uint8_t root[ZKR_DIGEST_BYTES];
    zkr_checkpoint cp;
    zkr_buf vk = {0}, text = {0};
    uint64_t size = 0;
    zkr_err r;

    if ((r = zkr_registry_verifier_key(reg, &vk)) != ZKR_OK ||
        (r = zkr_checkpoint_verify(note, len, (const char *)vk.p, &cp, d)) != ZKR_OK ||
        (r = zkr_buf_append(&text, note, len)) != ZKR_OK ||
        (r = zkr_registry_begin(reg, d)) != ZKR_OK)
        goto out;
    /* The log only grows: the note's tree must be a prefix of this log. */
    if ((r = zkr_registry_log_size(reg, &size)) != ZKR_OK)
        goto out;
    if (cp.size > size || (r = zkr_registry_log_root(reg, cp.size, root, d)) != ZKR_OK ||
        memcmp(root, cp.root, ZKR_DIGEST_BYTES) != 0) {
        r = r != ZKR_OK ? r
                        : zkr_fail(d, ZKR_ERR_VERIFY, "%s: the checkpoint is not of this log",
                                   reg->path);
        goto out;
    }
    if ((r = store_checkpoint(reg, cp.size, cp.root, &text, d)) != ZKR_OK)
        goto out;
    r = zkr_registry_commit(reg, d);
out:
    zkr_registry_rollback(reg);
    zkr_buf_free(&vk);
    zkr_buf_free(&text);
    return r;
}

zkr_err zkr_registry_checkpoint_latest(zkr_registry *reg, zkr_buf *note, zkr_checkpoint *cp,
                                       zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_buf vk = {0};
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg, "SELECT note FROM checkpoint ORDER BY id DESC LIMIT 1", &st,
                                  d)) != ZKR_OK)
        return r;
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        r = zkr_fail(d, ZKR_ERR_NOT_FOUND,
                     "%s holds no checkpoint yet (make one with zkreg log checkpoint)", reg->path);
        goto out;
    }
    if (rc != SQLITE_ROW) {
        r = zkr_registry_sql_err(reg, rc, "reading checkpoints", d);
        goto out;
    }
    if ((r = zkr_buf_append(note, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0))) !=
            ZKR_OK ||
        (r = zkr_registry_verifier_key(reg, &vk)) != ZKR_OK)
        goto out;
    if ((r = zkr_checkpoint_verify(note->p, note->len, (const char *)vk.p, cp, d)) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: stored checkpoint does not verify", reg->path);
out:
    sqlite3_finalize(st);
    zkr_buf_free(&vk);
    return r;
}

typedef struct {
    char name[ZKR_ORIGIN_MAX + 1];
    uint8_t id[4];
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
} vkey_t;

static zkr_err parse_vkey(const char *s, vkey_t *k, zkr_diag *d)
{
    const char *p1 = strchr(s, '+'), *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
    zkr_buf typed = {0};
    uint8_t id[4];
    size_t n;
    zkr_err r = ZKR_OK;

    memset(k, 0, sizeof *k);
    if (p1 == NULL || p2 == NULL || p1 == s || (size_t)(p1 - s) > ZKR_ORIGIN_MAX ||
        p2 - p1 != 9)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "verifier key: expected NAME+KEYID(8 hex)+BASE64(0x01||key)");
    memcpy(k->name, s, (size_t)(p1 - s));
    for (size_t i = 0; k->name[i]; i++)
        if ((unsigned char)k->name[i] <= 0x20)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "verifier key: name has whitespace");
    if (zkr_hex_decode(p1 + 1, 8, k->id, 4, &n) != ZKR_OK || n != 4 ||
        zkr_base64_decode(p2 + 1, strlen(p2 + 1), &typed) != ZKR_OK ||
        typed.len != 1 + crypto_sign_PUBLICKEYBYTES || typed.p[0] != ED25519_ALG) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "verifier key: bad key id or not an Ed25519 key");
        goto out;
    }
    memcpy(k->pk, typed.p + 1, crypto_sign_PUBLICKEYBYTES);
    key_id(k->name, k->pk, id);
    if (memcmp(id, k->id, 4) != 0)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "verifier key: key id does not match name and key");
out:
    zkr_buf_free(&typed);
    return r;
}

/* Splits off one '\n'-terminated line starting at *pos. */
static int next_line(const uint8_t *p, size_t len, size_t *pos, const uint8_t **line, size_t *n)
{
    const uint8_t *nl;

    if (*pos >= len)
        return 0;
    nl = memchr(p + *pos, '\n', len - *pos);
    if (nl == NULL)
        return 0;
    *line = p + *pos;
    *n = (size_t)(nl - (p + *pos));
    *pos += *n + 1;
    return 1;
}

/* "zkreg-revocations COUNT BASE64(32)", COUNT decimal without leading zeros. */
static zkr_err parse_revocations(const uint8_t *l, size_t n, zkr_checkpoint *cp, zkr_diag *d)
{
    const size_t tl = strlen(REVOCATIONS_LINE " ");
    const uint8_t *sp;
    zkr_buf dg = {0};
    char num[24];
    size_t cn;
    zkr_err r = ZKR_OK;

    if (n <= tl || memcmp(l, REVOCATIONS_LINE " ", tl) != 0 ||
        (sp = memchr(l + tl, ' ', n - tl)) == NULL || (cn = (size_t)(sp - (l + tl))) == 0 ||
        cn > 19 || (l[tl] == '0' && cn > 1))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: unknown or malformed extension line");
    memcpy(num, l + tl, cn);
    num[cn] = '\0';
    if (strspn(num, "0123456789") != cn ||
        zkr_base64_decode((const char *)sp + 1, n - (size_t)(sp + 1 - l), &dg) != ZKR_OK ||
        dg.len != ZKR_DIGEST_BYTES) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: malformed revocation-set line");
        goto out;
    }
    cp->has_revocations = 1;
    cp->revocation_count = strtoull(num, NULL, 10);
    memcpy(cp->revocation_digest, dg.p, ZKR_DIGEST_BYTES);
out:
    zkr_buf_free(&dg);
    return r;
}

static zkr_err parse_body(const uint8_t *p, size_t len, size_t *body_len, zkr_checkpoint *cp,
                          zkr_diag *d)
{
    const uint8_t *l;
    size_t n, pos = 0;
    char num[24];
    zkr_buf root = {0};
    zkr_err r = ZKR_OK;

    if (!next_line(p, len, &pos, &l, &n) || n == 0 || n > ZKR_ORIGIN_MAX)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: bad origin line");
    memcpy(cp->origin, l, n);
    cp->origin[n] = '\0';
    if (!next_line(p, len, &pos, &l, &n) || n == 0 || n > 19 || (l[0] == '0' && n > 1))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: bad tree size line");
    memcpy(num, l, n);
    num[n] = '\0';
    if (strspn(num, "0123456789") != n)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: tree size is not a decimal number");
    cp->size = strtoull(num, NULL, 10);
    if (!next_line(p, len, &pos, &l, &n) ||
        zkr_base64_decode((const char *)l, n, &root) != ZKR_OK || root.len != ZKR_DIGEST_BYTES) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: root hash line is not base64 of 32 bytes");
        goto out;
    }
    memcpy(cp->root, root.p, ZKR_DIGEST_BYTES);
    *body_len = pos;
    if (!next_line(p, len, &pos, &l, &n)) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: note ends after the body");
        goto out;
    }
    if (n > 0) {
        /* The one extension line zkreg writes; anything else is refused (one encoding). */
        if ((r = parse_revocations(l, n, cp, d)) != ZKR_OK)
            goto out;
        *body_len = pos;
        if (!next_line(p, len, &pos, &l, &n))
            n = 1;
    }
    if (n != 0)
        r = zkr_fail(d, ZKR_ERR_MALFORMED,
                     "checkpoint: expected a blank line after the body lines");
out:
    zkr_buf_free(&root);
    return r;
}

zkr_err zkr_checkpoint_verify(const uint8_t *note, size_t len, const char *vkey,
                              zkr_checkpoint *out, zkr_diag *d)
{
    const size_t dash = strlen(EM_DASH " ");
    size_t body_len = 0, pos, n, sigs = 0;
    const uint8_t *l;
    zkr_checkpoint cp;
    vkey_t k;
    int good = 0;
    zkr_err r;

    memset(out, 0, sizeof *out);
    memset(&cp, 0, sizeof cp);
    if ((r = parse_vkey(vkey, &k, d)) != ZKR_OK)
        return r;
    if (len > NOTE_MAX || memchr(note, 0, len) != NULL || len == 0 || note[len - 1] != '\n')
        return zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: not a signed note (size, NUL or "
                                              "missing final newline)");
    if ((r = parse_body(note, len, &body_len, &cp, d)) != ZKR_OK)
        return r;
    pos = body_len + 1;
    while (next_line(note, len, &pos, &l, &n)) {
        zkr_buf blob = {0};
        const uint8_t *sp;
        sigs++;
        if (n < dash || memcmp(l, EM_DASH " ", dash) != 0 ||
            (sp = memchr(l + dash, ' ', n - dash)) == NULL)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: malformed signature line %zu",
                            sigs);
        if ((size_t)(sp - (l + dash)) == strlen(k.name) &&
            memcmp(l + dash, k.name, strlen(k.name)) == 0 &&
            zkr_base64_decode((const char *)sp + 1, n - (size_t)(sp + 1 - l), &blob) == ZKR_OK &&
            blob.len == 4 + crypto_sign_BYTES && memcmp(blob.p, k.id, 4) == 0 &&
            crypto_sign_verify_detached(blob.p + 4, note, body_len, k.pk) == 0)
            good = 1;
        zkr_buf_free(&blob);
    }
    if (pos != len || sigs == 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "checkpoint: no signature lines");
    if (!good)
        return zkr_fail(d, ZKR_ERR_SIGNATURE,
                        "checkpoint: no valid signature by key '%s' (wrong key, or the note "
                        "was altered)", k.name);
    if (strcmp(cp.origin, k.name) != 0)
        return zkr_fail(d, ZKR_ERR_SIGNATURE, "checkpoint: origin '%s' is not the key's log '%s'",
                        cp.origin, k.name);
    *out = cp;
    return ZKR_OK;
}
