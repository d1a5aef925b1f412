/*
 * Transparency-log, dataset-record, export and import commands
 * (docs/cli.md). Proof files are small JSON documents (docs/formats.md);
 * every check here runs offline.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "app/bundle.h"
#include "app/dataset.h"
#include "registry_cli.h"
#include "zk_cli.h"
#include "signer/signer.h"

#define PROOF_FILE_MAX ((size_t)1 << 22)

typedef uint8_t digest_t[ZKR_DIGEST_BYTES];

/* ------------------------------------------------------------------ */
/* Proof documents                                                     */
/* ------------------------------------------------------------------ */

static json_t *path_json(const digest_t *path, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < n; i++) {
        char h[65];
        zkr_cli_hex32(path[i], h);
        json_array_append_new(a, json_string(h));
    }
    return a;
}

/* Loads a JSON proof document of `type` with exactly the keys in `keys`. */
static zkr_err load_doc(zkr_cli *cli, const char *file, const char *type,
                        const char *const *keys, json_t **out)
{
    zkr_buf b = {0};
    json_error_t je;
    json_t *j = NULL, *v;
    const char *k;
    zkr_err r;

    *out = NULL;
    if ((r = zkr_file_read(file, PROOF_FILE_MAX, &b, &cli->diag)) != ZKR_OK)
        goto out;
    j = json_loadb((const char *)b.p, b.len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL || !json_is_object(j)) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: not a JSON object (%s)", file,
                     j ? "wrong type" : je.text);
        goto out;
    }
    v = json_object_get(j, "type");
    if (!json_is_string(v) || strcmp(json_string_value(v), type) != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: field 'type' must be \"%s\"", file, type);
        goto out;
    }
    json_object_foreach(j, k, v) {
        int known = 0;
        for (size_t i = 0; keys[i] != NULL; i++)
            known |= strcmp(k, keys[i]) == 0;
        if (!known) {
            r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: unknown field '%s'", file, k);
            goto out;
        }
    }
    *out = j;
    j = NULL;
out:
    json_decref(j);
    zkr_buf_free(&b);
    return r;
}

static zkr_err doc_u64(zkr_cli *cli, const char *file, json_t *j, const char *key, uint64_t *v)
{
    json_t *x = json_object_get(j, key);

    if (!json_is_integer(x) || json_integer_value(x) < 0)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                        "%s: field '%s' must be a non-negative integer", file, key);
    *v = (uint64_t)json_integer_value(x);
    return ZKR_OK;
}

static zkr_err doc_hex32(zkr_cli *cli, const char *file, json_t *j, const char *key,
                         uint8_t out[ZKR_DIGEST_BYTES])
{
    const char *s = json_string_value(json_object_get(j, key));

    if (s == NULL || zkr_hex_decode_exact(s, out, ZKR_DIGEST_BYTES) != ZKR_OK)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                        "%s: field '%s' must be 64 hex digits (32 bytes)", file, key);
    return ZKR_OK;
}

static zkr_err doc_path(zkr_cli *cli, const char *file, json_t *j, size_t max, digest_t *path,
                        size_t *n)
{
    json_t *a = json_object_get(j, "path"), *v;
    size_t i;

    *n = 0;
    if (!json_is_array(a) || json_array_size(a) > max)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                        "%s: field 'path' must be an array of at most %zu hashes", file, max);
    json_array_foreach(a, i, v) {
        const char *s = json_string_value(v);
        if (s == NULL || zkr_hex_decode_exact(s, path[i], ZKR_DIGEST_BYTES) != ZKR_OK)
            return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                            "%s: path[%zu] must be 64 hex digits", file, i);
    }
    *n = json_array_size(a);
    return ZKR_OK;
}

/* The trusted verifier key: --key, --key-file, else the registry's own. */
static zkr_err trusted_key(zkr_cli *cli, const char *key, const char *key_file, zkr_buf *out)
{
    zkr_registry *reg = NULL;
    zkr_err r;

    if (key != NULL) {
        if ((r = zkr_buf_append_str(out, key)) != ZKR_OK)
            return r;
        return zkr_buf_terminate(out);
    }
    if (key_file != NULL) {
        if ((r = zkr_file_read(key_file, 4096, out, &cli->diag)) != ZKR_OK)
            return r;
        while (out->len > 0 && (out->p[out->len - 1] == '\n' || out->p[out->len - 1] == '\r'))
            out->len--;
        if (memchr(out->p, 0, out->len) != NULL)
            return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: not a verifier key", key_file);
        return zkr_buf_terminate(out);
    }
    if ((r = zkr_cli_registry_open_ro(cli, &reg)) == ZKR_OK)
        r = zkr_registry_verifier_key(reg, out);
    zkr_registry_close(reg);
    return r;
}

static zkr_err read_checkpoint(zkr_cli *cli, const char *file, const char *vkey,
                               zkr_checkpoint *cp)
{
    zkr_buf b = {0};
    zkr_diag inner;
    zkr_err r;

    zkr_diag_clear(&inner);
    if ((r = zkr_file_read(file, (size_t)1 << 16, &b, &cli->diag)) == ZKR_OK &&
        (r = zkr_checkpoint_verify(b.p, b.len, vkey, cp, &inner)) != ZKR_OK)
        r = zkr_fail(&cli->diag, r, "%s: %s", file, inner.msg);
    zkr_buf_free(&b);
    return r;
}

/* ------------------------------------------------------------------ */
/* log                                                                 */
/* ------------------------------------------------------------------ */

static const char log_help[] =
    "usage: zkreg log checkpoint [--passphrase-file FILE] [-o FILE]\n"
    "       zkreg log inclusion INDEX [--checkpoint FILE] [-o FILE]\n"
    "       zkreg log consistency OLD_SIZE [--checkpoint FILE] [-o FILE]\n"
    "       zkreg log verify [--checkpoint FILE] [--key VKEY | --key-file FILE]\n"
    "                        [--inclusion PROOF] [--consistency PROOF --old-checkpoint FILE]\n"
    "       zkreg log key\n"
    "       zkreg log evidence [ATTESTATION...] [-o FILE]\n"
    "\n"
    "checkpoint   sign the current tree head with the appliance key (C2SP signed\n"
    "             note), store it and print it\n"
    "inclusion    print an inclusion proof (JSON) for log entry INDEX against the\n"
    "             checkpoint's tree size (default: the latest stored checkpoint)\n"
    "consistency  print a consistency proof from tree size OLD_SIZE to the\n"
    "             checkpoint's size\n"
    "verify       offline checks. With --inclusion / --consistency: the proof\n"
    "             against --checkpoint signed by the trusted key (--key, --key-file,\n"
    "             else this registry's key). With only --checkpoint: its signature\n"
    "             and that it matches this registry's log. With nothing: a full\n"
    "             audit of this registry (every leaf, the tree, every stored\n"
    "             checkpoint, every row backed by its log entry).\n"
    "key          print the appliance's checkpoint verifier key\n"
    "evidence     offline evidence (zkreg-evidence/v2) against the latest stored\n"
    "             checkpoint: the attestations' proof entries with inclusion and\n"
    "             consistency proofs, and every revocation below the checkpoint's\n"
    "             size with its inclusion proof (a complete, signed revocation set)\n" ZKR_CLI_EXIT_HELP;

typedef struct {
    const char *passphrase_file, *out, *checkpoint, *key, *key_file, *inclusion, *consistency,
        *old_checkpoint;
} log_opts;

static zkr_err log_checkpoint(zkr_cli *cli, zkr_registry *reg, const log_opts *o)
{
    zkr_secret pass = {0};
    zkr_buf note = {0};
    zkr_err r;

    if ((r = zkr_cli_passphrase(cli, o->passphrase_file, &pass)) != ZKR_OK ||
        (r = zkr_registry_checkpoint_sign(reg, &pass, &note, &cli->diag)) != ZKR_OK)
        goto out;
    if (o->out != NULL && (r = zkr_cli_write_out(cli, o->out, note.p, note.len)) != ZKR_OK)
        goto out;
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:s#}", "checkpoint", (const char *)note.p,
                                         (int)note.len));
    else if (o->out == NULL)
        r = zkr_cli_write_out(cli, NULL, note.p, note.len);
out:
    zkr_secret_free(&pass);
    zkr_buf_free(&note);
    return r;
}

/* The tree size proofs are made against: the given or latest checkpoint. */
static zkr_err proof_size(zkr_cli *cli, zkr_registry *reg, const log_opts *o, uint64_t *size)
{
    zkr_buf vk = {0}, note = {0};
    zkr_checkpoint cp;
    zkr_err r;

    if (o->checkpoint != NULL) {
        if ((r = zkr_registry_verifier_key(reg, &vk)) == ZKR_OK &&
            (r = read_checkpoint(cli, o->checkpoint, (const char *)vk.p, &cp)) == ZKR_OK)
            *size = cp.size;
    } else if ((r = zkr_registry_checkpoint_latest(reg, &note, &cp, &cli->diag)) == ZKR_OK) {
        *size = cp.size;
    }
    zkr_buf_free(&vk);
    zkr_buf_free(&note);
    return r;
}

static zkr_err emit_doc(zkr_cli *cli, const log_opts *o, json_t *doc)
{
    char *txt;
    zkr_err r;

    if (doc == NULL)
        return ZKR_ERR_NOMEM;
    txt = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (txt == NULL)
        return ZKR_ERR_NOMEM;
    {
        zkr_buf b = {0};
        if ((r = zkr_buf_append_str(&b, txt)) == ZKR_OK && (r = zkr_buf_append_str(&b, "\n")) == ZKR_OK)
            r = zkr_cli_write_out(cli, o->out, b.p, b.len);
        zkr_buf_free(&b);
    }
    free(txt);
    return r;
}

static zkr_err log_inclusion(zkr_cli *cli, zkr_registry *reg, const char *arg, const log_opts *o)
{
    digest_t path[ZKR_MERKLE_MAX_DEPTH];
    uint64_t index, size = 0;
    size_t plen = 0;
    zkr_log_entry e;
    zkr_buf b64 = {0};
    zkr_err r;

    memset(&e, 0, sizeof e);
    if ((r = zkr_cli_parse_u64(cli, "INDEX", arg, &index)) != ZKR_OK ||
        (r = proof_size(cli, reg, o, &size)) != ZKR_OK ||
        (r = zkr_registry_log_entry(reg, index, &e, &cli->diag)) != ZKR_OK ||
        (r = zkr_registry_log_inclusion(reg, index, size, path, &plen, &cli->diag)) != ZKR_OK ||
        (r = zkr_base64_encode(e.leaf.p, e.leaf.len, &b64)) != ZKR_OK ||
        (r = zkr_buf_terminate(&b64)) != ZKR_OK)
        goto out;
    r = emit_doc(cli, o,
                 json_pack("{s:s, s:I, s:I, s:s, s:s, s:o}", "type", "zkreg-log-inclusion/v1",
                           "index", (json_int_t)index, "tree_size", (json_int_t)size,
                           "entry_type", e.type, "leaf", (const char *)b64.p, "path",
                           path_json((const digest_t *)path, plen)));
out:
    zkr_log_entry_free(&e);
    zkr_buf_free(&b64);
    return r;
}

static zkr_err log_consistency(zkr_cli *cli, zkr_registry *reg, const char *arg,
                               const log_opts *o)
{
    digest_t path[ZKR_MERKLE_MAX_DEPTH * 2];
    uint64_t old, size = 0;
    size_t plen = 0;
    zkr_err r;

    if ((r = zkr_cli_parse_u64(cli, "OLD_SIZE", arg, &old)) != ZKR_OK ||
        (r = proof_size(cli, reg, o, &size)) != ZKR_OK ||
        (r = zkr_registry_log_consistency(reg, old, size, path, &plen, &cli->diag)) != ZKR_OK)
        return r;
    return emit_doc(cli, o,
                    json_pack("{s:s, s:I, s:I, s:o}", "type", "zkreg-log-consistency/v1",
                              "old_size", (json_int_t)old, "new_size", (json_int_t)size, "path",
                              path_json((const digest_t *)path, plen)));
}

/* One {"index","leaf","path"} (or a zkreg-log-inclusion/v1 document) of entry i in tree n. */
static zkr_err leaf_proof(zkr_cli *cli, zkr_registry *reg, uint64_t i, uint64_t n, int doc,
                          json_t **out)
{
    digest_t path[ZKR_MERKLE_MAX_DEPTH];
    size_t plen = 0;
    zkr_log_entry e;
    zkr_buf b64 = {0};
    zkr_err r;

    *out = NULL;
    memset(&e, 0, sizeof e);
    if ((r = zkr_registry_log_entry(reg, i, &e, &cli->diag)) != ZKR_OK ||
        (r = zkr_registry_log_inclusion(reg, i, n, path, &plen, &cli->diag)) != ZKR_OK ||
        (r = zkr_base64_encode(e.leaf.p, e.leaf.len, &b64)) != ZKR_OK ||
        (r = zkr_buf_terminate(&b64)) != ZKR_OK)
        goto out;
    if (doc)
        *out = json_pack("{s:s, s:I, s:I, s:s, s:s, s:o}", "type", "zkreg-log-inclusion/v1",
                         "index", (json_int_t)i, "tree_size", (json_int_t)n, "entry_type", e.type,
                         "leaf", (const char *)b64.p, "path",
                         path_json((const digest_t *)path, plen));
    else
        *out = json_pack("{s:I, s:s, s:o}", "index", (json_int_t)i, "leaf", (const char *)b64.p,
                         "path", path_json((const digest_t *)path, plen));
    if (*out == NULL)
        r = ZKR_ERR_NOMEM;
out:
    zkr_log_entry_free(&e);
    zkr_buf_free(&b64);
    return r;
}

/* The attested proof entry, and its checkpoint proven consistent with the trusted one. */
static zkr_err evidence_for(zkr_cli *cli, zkr_registry *reg, const char *file,
                            const zkr_checkpoint *cp, json_t *incl, json_t *cons)
{
    digest_t path[ZKR_MERKLE_MAX_DEPTH * 2], root;
    zkr_envelope env;
    zkr_attest_facts f;
    zkr_buf att = {0};
    json_t *doc = NULL;
    size_t plen = 0;
    zkr_err r;

    memset(&env, 0, sizeof env);
    if ((r = zkr_file_read(file, ZKR_DSSE_MAX_BYTES, &att, &cli->diag)) != ZKR_OK ||
        (r = zkr_envelope_parse(att.p, att.len, &env, &cli->diag)) != ZKR_OK ||
        (r = zkr_attest_payload_parse(env.payload.p, env.payload.len, &f, &cli->diag)) != ZKR_OK)
        goto out;
    if (strcmp(f.checkpoint_origin, cp->origin) != 0 || f.checkpoint_size > cp->size) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY, "%s: its checkpoint (%s, size %llu) is not a "
                     "prefix of this log's latest checkpoint", file, f.checkpoint_origin,
                     (unsigned long long)f.checkpoint_size);
        goto out;
    }
    if ((r = leaf_proof(cli, reg, f.log_index, f.checkpoint_size, 1, &doc)) != ZKR_OK ||
        json_array_append_new(incl, doc) != 0)
        goto out;
    if (f.checkpoint_size < cp->size) {
        char hex[65];
        if ((r = zkr_registry_log_root(reg, f.checkpoint_size, root, &cli->diag)) != ZKR_OK ||
            (r = zkr_registry_log_consistency(reg, f.checkpoint_size, cp->size, path, &plen,
                                              &cli->diag)) != ZKR_OK)
            goto out;
        zkr_cli_hex32(root, hex);
        if (json_array_append_new(cons, json_pack("{s:I, s:s, s:o}", "size",
                                                  (json_int_t)f.checkpoint_size, "root", hex,
                                                  "path", path_json((const digest_t *)path, plen))) !=
            0)
            r = ZKR_ERR_NOMEM;
    }
out:
    zkr_envelope_free(&env);
    zkr_buf_free(&att);
    return r;
}

/*
 * `zkreg log evidence ATTESTATION... -o FILE`: offline evidence (v2) for
 * verify-attestation and gate --evidence against the latest stored
 * checkpoint: each attestation's proof entry with its inclusion proof (and
 * its checkpoint's consistency with the latest), and every revocation leaf
 * below the checkpoint's size with its inclusion proof.
 */
static zkr_err log_evidence(zkr_cli *cli, zkr_registry *reg, char **files, int n,
                            const log_opts *o)
{
    json_t *incl = json_array(), *cons = json_array(), *revs = json_array(), *doc = NULL;
    zkr_buf note = {0};
    zkr_checkpoint cp;
    uint64_t *idx = NULL;
    size_t nidx = 0;
    char root[65], dg[65];
    zkr_err r;

    if (incl == NULL || cons == NULL || revs == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_registry_checkpoint_latest(reg, &note, &cp, &cli->diag)) != ZKR_OK)
        goto out;
    if (!cp.has_revocations) {
        r = zkr_fail(&cli->diag, ZKR_ERR_USAGE, "the latest checkpoint does not sign the "
                     "revocation set (made by an older zkreg): run zkreg log checkpoint");
        goto out;
    }
    for (int i = 0; i < n; i++)
        if ((r = evidence_for(cli, reg, files[i], &cp, incl, cons)) != ZKR_OK)
            goto out;
    if ((r = zkr_registry_events_of_type(reg, "revocation", &idx, &nidx, &cli->diag)) != ZKR_OK)
        goto out;
    /* Evidence complete only for a checkpoint older than a revocation this registry holds
     * would carry a revoked key or model to the offline side as clean. */
    for (size_t i = 0; i < nidx; i++)
        if (idx[i] >= cp.size) {
            r = zkr_fail(&cli->diag, ZKR_ERR_USAGE,
                         "revocation log entry %llu is newer than the latest checkpoint (size "
                         "%llu): run zkreg log checkpoint first",
                         (unsigned long long)idx[i], (unsigned long long)cp.size);
            goto out;
        }
    for (size_t i = 0; i < nidx && idx[i] < cp.size; i++) {
        json_t *one = NULL;
        if ((r = leaf_proof(cli, reg, idx[i], cp.size, 0, &one)) != ZKR_OK)
            goto out;
        if (json_array_append_new(revs, one) != 0) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
    }
    zkr_cli_hex32(cp.root, root);
    zkr_cli_hex32(cp.revocation_digest, dg);
    doc = json_pack("{s:s, s:{s:s, s:I, s:s, s:{s:I, s:s}}, s:O, s:O, s:O, s:s#}", "format",
                    "zkreg-evidence/v2", "checkpoint", "origin", cp.origin, "size",
                    (json_int_t)cp.size, "root", root, "revocations", "count",
                    (json_int_t)cp.revocation_count, "digest", dg, "consistency", cons,
                    "inclusion", incl, "revocations", revs, "note", (const char *)note.p,
                    (int)note.len);
    r = emit_doc(cli, o, doc);
out:
    free(idx);
    json_decref(incl);
    json_decref(cons);
    json_decref(revs);
    zkr_buf_free(&note);
    return r;
}

static zkr_err verify_inclusion(zkr_cli *cli, const log_opts *o, const zkr_checkpoint *cp)
{
    static const char *const keys[] = {"type", "index", "tree_size", "entry_type", "leaf", "path",
                                       NULL};
    digest_t path[ZKR_MERKLE_MAX_DEPTH], h;
    uint64_t index = 0, size = 0;
    size_t plen = 0;
    json_t *j = NULL;
    zkr_buf leaf = {0};
    const char *b64;
    char type[ZKR_IDENT_MAX + 1];
    const uint8_t *pl;
    size_t pl_len;
    int64_t t;
    zkr_err r;

    if ((r = load_doc(cli, o->inclusion, "zkreg-log-inclusion/v1", keys, &j)) != ZKR_OK ||
        (r = doc_u64(cli, o->inclusion, j, "index", &index)) != ZKR_OK ||
        (r = doc_u64(cli, o->inclusion, j, "tree_size", &size)) != ZKR_OK ||
        (r = doc_path(cli, o->inclusion, j, ZKR_MERKLE_MAX_DEPTH, path, &plen)) != ZKR_OK)
        goto out;
    b64 = json_string_value(json_object_get(j, "leaf"));
    if (b64 == NULL || zkr_base64_decode(b64, strlen(b64), &leaf) != ZKR_OK ||
        zkr_log_leaf_decode(leaf.p, leaf.len, type, &t, &pl, &pl_len) != ZKR_OK) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: field 'leaf' is not a base64 log leaf",
                     o->inclusion);
        goto out;
    }
    {
        const char *et = json_string_value(json_object_get(j, "entry_type"));
        if (et == NULL || strcmp(et, type) != 0) {
            r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                         "%s: field 'entry_type' does not match the leaf's type '%s'",
                         o->inclusion, type);
            goto out;
        }
    }
    if (size != cp->size) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                     "%s: proof is for tree size %llu but the checkpoint has %llu", o->inclusion,
                     (unsigned long long)size, (unsigned long long)cp->size);
        goto out;
    }
    zkr_merkle_leaf_hash(leaf.p, leaf.len, h);
    r = zkr_merkle_inclusion_verify(h, index, size, (const digest_t *)path, plen, cp->root);
    if (r != ZKR_OK) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                     "%s: log entry %llu is NOT included in the checkpoint (%s)", o->inclusion,
                     (unsigned long long)index, zkr_strerror(r));
        goto out;
    }
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:s, s:I, s:s, s:I}", "verified", "inclusion", "index",
                                         (json_int_t)index, "entry_type", type, "tree_size",
                                         (json_int_t)size));
    else
        printf("ok: log entry %llu (%s) is included in the checkpoint of size %llu\n",
               (unsigned long long)index, type, (unsigned long long)size);
out:
    json_decref(j);
    zkr_buf_free(&leaf);
    return r;
}

static zkr_err verify_consistency(zkr_cli *cli, const log_opts *o, const char *vkey,
                                  const zkr_checkpoint *cp)
{
    static const char *const keys[] = {"type", "old_size", "new_size", "path", NULL};
    digest_t path[ZKR_MERKLE_MAX_DEPTH * 2];
    uint64_t m = 0, n = 0;
    zkr_checkpoint old;
    size_t plen = 0;
    json_t *j = NULL;
    zkr_err r;

    if (o->old_checkpoint == NULL)
        return zkr_cli_usage(cli, "--consistency needs --old-checkpoint FILE");
    if ((r = read_checkpoint(cli, o->old_checkpoint, vkey, &old)) != ZKR_OK ||
        (r = load_doc(cli, o->consistency, "zkreg-log-consistency/v1", keys, &j)) != ZKR_OK ||
        (r = doc_u64(cli, o->consistency, j, "old_size", &m)) != ZKR_OK ||
        (r = doc_u64(cli, o->consistency, j, "new_size", &n)) != ZKR_OK ||
        (r = doc_path(cli, o->consistency, j, ZKR_MERKLE_MAX_DEPTH * 2, path, &plen)) != ZKR_OK)
        goto out;
    if (m != old.size || n != cp->size) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                     "%s: proof is for sizes %llu -> %llu, the checkpoints have %llu -> %llu",
                     o->consistency, (unsigned long long)m, (unsigned long long)n,
                     (unsigned long long)old.size, (unsigned long long)cp->size);
        goto out;
    }
    r = zkr_merkle_consistency_verify(m, n, old.root, cp->root, (const digest_t *)path, plen);
    if (r != ZKR_OK) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                     "%s: the log of size %llu is NOT an extension of size %llu (%s)",
                     o->consistency, (unsigned long long)n, (unsigned long long)m,
                     zkr_strerror(r));
        goto out;
    }
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:s, s:I, s:I}", "verified", "consistency", "old_size",
                                         (json_int_t)m, "new_size", (json_int_t)n));
    else
        printf("ok: the checkpoint of size %llu extends the one of size %llu\n",
               (unsigned long long)n, (unsigned long long)m);
out:
    json_decref(j);
    return r;
}

/* A checkpoint alone: signature, and agreement with this registry's log. */
static zkr_err verify_against_registry(zkr_cli *cli, const zkr_checkpoint *cp)
{
    zkr_registry *reg = NULL;
    digest_t root;
    zkr_err r;

    if ((r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK ||
        (r = zkr_registry_log_root(reg, cp->size, root, &cli->diag)) != ZKR_OK)
        goto out;
    if (memcmp(root, cp->root, 32) != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                     "checkpoint root for size %llu differs from this registry's log (%s)",
                     (unsigned long long)cp->size, cli->registry_path);
        goto out;
    }
    if (cp->has_revocations) {
        uint64_t cnt = 0;
        digest_t dg;
        if ((r = zkr_registry_revocation_set(reg, cp->size, &cnt, dg, &cli->diag)) != ZKR_OK)
            goto out;
        if (cnt != cp->revocation_count || memcmp(dg, cp->revocation_digest, 32) != 0) {
            r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                         "checkpoint's revocation set (%llu) differs from this registry's log "
                         "(%llu revocations below size %llu)",
                         (unsigned long long)cp->revocation_count, (unsigned long long)cnt,
                         (unsigned long long)cp->size);
            goto out;
        }
    }
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:s, s:I, s:I}", "verified", "checkpoint", "tree_size",
                                         (json_int_t)cp->size, "revocations",
                                         cp->has_revocations ? (json_int_t)cp->revocation_count
                                                             : (json_int_t)-1));
    else
        printf("ok: checkpoint of size %llu is signed and matches %s%s\n",
               (unsigned long long)cp->size, cli->registry_path,
               cp->has_revocations ? " (revocation set included)" : "");
out:
    zkr_registry_close(reg);
    return r;
}

static zkr_err log_audit(zkr_cli *cli)
{
    zkr_registry *reg = NULL;
    uint64_t n = 0;
    zkr_err r;

    if ((r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK ||
        (r = zkr_registry_log_audit(reg, &n, &cli->diag)) != ZKR_OK)
        goto out;
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:s, s:I}", "verified", "audit", "tree_size",
                                         (json_int_t)n));
    else
        printf("ok: %s: %llu log entries, tree, checkpoints and rows all consistent\n",
               cli->registry_path, (unsigned long long)n);
out:
    zkr_registry_close(reg);
    return r;
}

static zkr_err log_verify(zkr_cli *cli, const log_opts *o)
{
    zkr_buf vk = {0};
    zkr_checkpoint cp;
    zkr_err r;

    if (o->checkpoint == NULL) {
        if (o->inclusion || o->consistency)
            return zkr_cli_usage(cli, "--inclusion and --consistency need --checkpoint FILE");
        return log_audit(cli);
    }
    if ((r = trusted_key(cli, o->key, o->key_file, &vk)) != ZKR_OK ||
        (r = read_checkpoint(cli, o->checkpoint, (const char *)vk.p, &cp)) != ZKR_OK)
        goto out;
    if (o->inclusion != NULL && (r = verify_inclusion(cli, o, &cp)) != ZKR_OK)
        goto out;
    if (o->consistency != NULL &&
        (r = verify_consistency(cli, o, (const char *)vk.p, &cp)) != ZKR_OK)
        goto out;
    if (o->inclusion == NULL && o->consistency == NULL)
        r = verify_against_registry(cli, &cp);
out:
    zkr_buf_free(&vk);
    return r;
}

zkr_err zkr_cmd_log(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"checkpoint", required_argument, NULL, 'c'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"key-file", required_argument, NULL, 'K'},
                                         {"inclusion", required_argument, NULL, 'i'},
                                         {"consistency", required_argument, NULL, 'C'},
                                         {"old-checkpoint", required_argument, NULL, 'O'},
                                         {NULL, 0, NULL, 0}};
    log_opts o;
    zkr_registry *reg = NULL;
    const char *sub;
    int c, done;
    zkr_err r;

    memset(&o, 0, sizeof o);
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, log_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        switch (c) {
        case 'p': o.passphrase_file = optarg; break;
        case 'o': o.out = optarg; break;
        case 'c': o.checkpoint = optarg; break;
        case 'k': o.key = optarg; break;
        case 'K': o.key_file = optarg; break;
        case 'i': o.inclusion = optarg; break;
        case 'C': o.consistency = optarg; break;
        case 'O': o.old_checkpoint = optarg; break;
        default: return zkr_cli_usage(cli, "bad option (see --help)");
        }
    }
    if (optind >= argc)
        return zkr_cli_usage(cli, "expected checkpoint, inclusion, consistency, verify or key");
    sub = argv[optind];
    if (strcmp(sub, "verify") == 0) {
        if (optind + 1 != argc)
            return zkr_cli_usage(cli, "log verify takes options only");
        return log_verify(cli, &o);
    }
    if (strcmp(sub, "evidence") == 0) {
        if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK)
            return r;
        r = log_evidence(cli, reg, argv + optind + 1, argc - optind - 1, &o);
        zkr_registry_close(reg);
        return r;
    }
    if ((strcmp(sub, "inclusion") == 0 || strcmp(sub, "consistency") == 0) ? optind + 2 != argc
                                                                             : optind + 1 != argc)
        return zkr_cli_usage(cli, "wrong number of arguments for log %s", sub);
    if (strcmp(sub, "checkpoint") != 0 && strcmp(sub, "inclusion") != 0 &&
        strcmp(sub, "consistency") != 0 && strcmp(sub, "key") != 0)
        return zkr_cli_usage(cli, "unknown log command '%s'", sub);
    /* Only `log checkpoint` writes (it stores the checkpoint it signs). */
    if ((r = strcmp(sub, "checkpoint") == 0 ? zkr_cli_registry_open(cli, &reg)
                                            : zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK)
        return r;
    if (strcmp(sub, "checkpoint") == 0) {
        r = log_checkpoint(cli, reg, &o);
    } else if (strcmp(sub, "inclusion") == 0) {
        r = log_inclusion(cli, reg, argv[optind + 1], &o);
    } else if (strcmp(sub, "consistency") == 0) {
        r = log_consistency(cli, reg, argv[optind + 1], &o);
    } else {
        zkr_buf vk = {0};
        if ((r = zkr_registry_verifier_key(reg, &vk)) == ZKR_OK) {
            if (cli->json)
                r = zkr_cli_print_json(json_pack("{s:s}", "verifier_key", (const char *)vk.p));
            else
                printf("%s\n", (const char *)vk.p);
        }
        zkr_buf_free(&vk);
    }
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* dataset prove-record / verify-record                                */
/* ------------------------------------------------------------------ */

static const char dataset_cmd_help[] =
    "usage: zkreg dataset commit PATH -o COMMITMENT --secrets SECRETS [passphrase options]\n"
    "       zkreg dataset commit PATH -o COMMITMENT --secrets SECRETS --hiding-records\n"
    "                            [--zk-seed FILE] [--budget N] [--param-set NAME]\n"
    "                            [passphrase options]\n"
    "       zkreg dataset prove-record ID INDEX [--data PATH] [-o FILE]\n"
    "       zkreg dataset prove-record INDEX --data PATH --secrets SECRETS [-o FILE]\n"
    "                                         [passphrase options]\n"
    "       zkreg dataset verify-record PROOF [--record FILE | --data PATH]\n"
    "                                         [--root HEX --count N]\n"
    "passphrase options: --passphrase-file F | --passphrase-fd N (never argv), and for\n"
    "commit --kdf moderate|interactive (interactive: tests only)\n"
    "\n"
    "prove-record   print an RFC 6962 inclusion proof (JSON) that record INDEX\n"
    "               (from 0) belongs to registered dataset ID; with --data the\n"
    "               record's bytes (read from the dataset files, which must be the\n"
    "               registered ones) are included\n"
    "verify-record  check such a proof offline against the root and record count\n"
    "               given with --root/--count, else those of the dataset registered\n"
    "               under the proof's dataset_sha256 (never the proof's own); the\n"
    "               record bytes (in the proof, --record FILE or record INDEX of\n"
    "               --data PATH) must hash to the proven leaf\n"
    "With --secrets (version 2, hiding datasets; no registry needed):\n"
    "prove-record   opens record INDEX of PATH with the sealed SECRETS: the proof\n"
    "               (zkreg-record-proof/v2) REVEALS that record, its label and its\n"
    "               salt (that is what an opening is), and nothing about the others\n"
    "verify-record  a v2 proof is checked against the registered version 2 dataset\n"
    "               of its dataset_sha256 (or --root/--count); its record is in it\n"
    "commit         on the data owner's machine, with no registry: commits every\n"
    "               record of PATH (IDX or lines) under a fresh random salt\n"
    "               (version 2, hiding); writes the public COMMITMENT (85 bytes;\n"
    "               register it with `register-dataset --commitment`) and the salts,\n"
    "               sealed under a passphrase, to SECRETS (mode 0600). Neither file\n"
    "               is ever replaced.\n"     "--hiding-records  commit (version 3, for inference@2): every record gets its own\n"
    "               hiding polynomial commitment blinded for --budget N proofs\n"
    "               (default 64); the keys come from a seed sealed in SECRETS (the\n"
    "               --zk-seed FILE's, so the same data, seed and N give the same\n"
    "               commitment; else fresh). `prove` counts the proofs in the\n"
    "               registry's reveal-budget ledger (<registry>.d/reveal-budget.ledger).\n"
    "--param-set    the parameter set of the record commitments (default\n"
    "               goldilocks-128; goldilocks-128-r8, goldilocks-128-r16 or\n"
    "               goldilocks-128-r64: rate 1/8, 1/16 or 1/64, smaller\n"
    "               inference@2 proofs): only inference@2\n"
    "               schemas pinning the same set can prove over the dataset\n"
ZKR_CLI_EXIT_HELP;

typedef struct {
    const char *data, *out, *record, *root, *count, *secrets;
    const char *zk_seed, *budget, *param_set; /* commit --hiding-records */
    int hpc;
    zkr_cli_pass_opts pass;
} ds_opts;

static zkr_err prove_record(zkr_cli *cli, const char *ref, const char *idx, const ds_opts *o)
{
    digest_t path[ZKR_MERKLE_MAX_DEPTH], leaf, h;
    zkr_registry *reg = NULL;
    zkr_dataset *ds = NULL;
    zkr_artifact a;
    uint64_t index;
    size_t plen = 0;
    json_t *doc = NULL;
    zkr_err r;

    if ((r = zkr_cli_parse_u64(cli, "INDEX", idx, &index)) != ZKR_OK ||
        (r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK ||
        (r = zkr_registry_dataset_record_proof(reg, ref, index, &a, leaf, path, &plen,
                                               &cli->diag)) != ZKR_OK)
        goto out;
    doc = json_pack("{s:s, s:s, s:I, s:s, s:I, s:s}", "type", "zkreg-record-proof/v1",
                    "dataset_sha256", "", "record_count", (json_int_t)a.record_count,
                    "records_root", "", "index", (json_int_t)index, "leaf_hash", "");
    if (doc == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    {
        char hx[65];
        zkr_cli_hex32(a.sha256, hx);
        json_object_set_new(doc, "dataset_sha256", json_string(hx));
        zkr_cli_hex32(a.records_root, hx);
        json_object_set_new(doc, "records_root", json_string(hx));
        zkr_cli_hex32(leaf, hx);
        json_object_set_new(doc, "leaf_hash", json_string(hx));
    }
    if (o->data != NULL) {
        const uint8_t *rec;
        size_t rlen;
        zkr_buf b64 = {0};
        if ((r = zkr_dataset_open(o->data, &ds, &cli->diag)) != ZKR_OK ||
            (r = zkr_dataset_record(ds, index, &rec, &rlen)) != ZKR_OK)
            goto out;
        zkr_merkle_leaf_hash(rec, rlen, h);
        if (memcmp(h, leaf, 32) != 0) {
            r = zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_DATASET,
                         "--data %s: record %llu differs from the registered dataset %s",
                         o->data, (unsigned long long)index, ref);
            goto out;
        }
        if ((r = zkr_base64_encode(rec, rlen, &b64)) == ZKR_OK && (r = zkr_buf_terminate(&b64)) == ZKR_OK)
            json_object_set_new(doc, "record", json_string((const char *)b64.p));
        zkr_buf_free(&b64);
        if (r != ZKR_OK)
            goto out;
    }
    json_object_set_new(doc, "path", path_json((const digest_t *)path, plen));
    r = emit_doc(cli, (const log_opts *)&(log_opts){.out = o->out}, doc);
    doc = NULL;
out:
    json_decref(doc);
    zkr_dataset_free(ds);
    zkr_registry_close(reg);
    return r;
}

/* The trusted root and count: --root/--count, else the registered dataset. */
static zkr_err record_anchor(zkr_cli *cli, const ds_opts *o, const uint8_t ds_sha[32],
                             int want_version, uint8_t root[32], uint64_t *count)
{
    zkr_registry *reg = NULL;
    zkr_artifact a;
    char hx[65];
    zkr_err r;

    if (o->root != NULL || o->count != NULL) {
        if (o->root == NULL || o->count == NULL)
            return zkr_cli_usage(cli, "--root and --count go together");
        if (zkr_hex_decode_exact(o->root, root, 32) != ZKR_OK)
            return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "--root: expected 64 hex digits");
        return zkr_cli_parse_u64(cli, "--count", o->count, count);
    }
    zkr_cli_hex32(ds_sha, hx);
    if ((r = zkr_cli_registry_open_ro(cli, &reg)) == ZKR_OK &&
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, hx, &a, &cli->diag)) == ZKR_OK) {
        memcpy(root, a.records_root, 32);
        *count = a.record_count;
        if (zkr_registry_dataset_version(&a) != want_version)
            r = zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_DATASET,
                         "dataset %s has a version %d commitment; this is a version %d record "
                         "proof", hx, zkr_registry_dataset_version(&a), want_version);
    }
    zkr_registry_close(reg);
    return r;
}

/* The record bytes to check, from the proof, --record or --data. */
static zkr_err record_bytes(zkr_cli *cli, const ds_opts *o, json_t *doc, const char *file,
                            uint64_t index, zkr_buf *rec, int *have)
{
    const char *b64 = json_string_value(json_object_get(doc, "record"));
    zkr_dataset *ds = NULL;
    zkr_err r = ZKR_OK;

    *have = 0;
    if (o->record != NULL) {
        r = zkr_file_read(o->record, (size_t)1 << 24, rec, &cli->diag);
    } else if (o->data != NULL) {
        const uint8_t *p;
        size_t n;
        if ((r = zkr_dataset_open(o->data, &ds, &cli->diag)) == ZKR_OK &&
            (r = zkr_dataset_record(ds, index, &p, &n)) == ZKR_OK)
            r = zkr_buf_append(rec, p, n);
        else if (r == ZKR_ERR_NOT_FOUND)
            r = zkr_fail(&cli->diag, r, "--data %s: no record %llu", o->data,
                         (unsigned long long)index);
    } else if (b64 != NULL) {
        if (zkr_base64_decode(b64, strlen(b64), rec) != ZKR_OK)
            r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: field 'record' is not base64", file);
    } else {
        return ZKR_OK;
    }
    zkr_dataset_free(ds);
    *have = r == ZKR_OK;
    return r;
}

static zkr_err verify_record(zkr_cli *cli, const char *file, const ds_opts *o)
{
    static const char *const keys[] = {"type",  "dataset_sha256", "record_count", "records_root",
                                       "index", "leaf_hash",      "record",       "path",
                                       NULL};
    digest_t path[ZKR_MERKLE_MAX_DEPTH], leaf, h, ds_sha, root;
    uint64_t index = 0, count = 0, pcount = 0;
    zkr_buf rec = {0};
    size_t plen = 0;
    json_t *doc = NULL;
    int have = 0;
    zkr_err r;

    if ((r = load_doc(cli, file, "zkreg-record-proof/v1", keys, &doc)) != ZKR_OK ||
        (r = doc_u64(cli, file, doc, "index", &index)) != ZKR_OK ||
        (r = doc_u64(cli, file, doc, "record_count", &pcount)) != ZKR_OK ||
        (r = doc_hex32(cli, file, doc, "dataset_sha256", ds_sha)) != ZKR_OK ||
        (r = doc_hex32(cli, file, doc, "records_root", h)) != ZKR_OK ||
        (r = doc_hex32(cli, file, doc, "leaf_hash", leaf)) != ZKR_OK ||
        (r = doc_path(cli, file, doc, ZKR_MERKLE_MAX_DEPTH, path, &plen)) != ZKR_OK ||
        (r = record_anchor(cli, o, ds_sha, 1, root, &count)) != ZKR_OK ||
        (r = record_bytes(cli, o, doc, file, index, &rec, &have)) != ZKR_OK)
        goto out;
    if (have) {
        digest_t rh;
        zkr_merkle_leaf_hash(rec.p, rec.len, rh);
        if (memcmp(rh, leaf, 32) != 0) {
            r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                         "%s: the record bytes do not hash to the proven leaf", file);
            goto out;
        }
    }
    r = zkr_merkle_inclusion_verify(leaf, index, count, (const digest_t *)path, plen, root);
    if (r != ZKR_OK) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                     "%s: record %llu is NOT in the dataset with root/count given (%s)", file,
                     (unsigned long long)index, zkr_strerror(r));
        goto out;
    }
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:s, s:I, s:b}", "verified", "record", "index",
                                         (json_int_t)index, "record_checked", have));
    else
        printf("ok: record %llu is in the dataset (%llu records)%s\n", (unsigned long long)index,
               (unsigned long long)count, have ? ", record bytes match" : ", leaf hash only");
out:
    json_decref(doc);
    zkr_buf_free(&rec);
    return r;
}

/* prove-record INDEX --data PATH --secrets S: a version 2 opening, no registry. */
static zkr_err prove_record_v2(zkr_cli *cli, const char *idx, const ds_opts *o)
{
    zkr_secret pass = {0};
    zkr_dataset *ds = NULL;
    zkr_dscommit c;
    zkr_dscommit_opening op;
    zkr_buf b64 = {0};
    json_t *doc = NULL;
    char hx[65], salt[65];
    uint64_t index;
    zkr_err r;

    memset(&op, 0, sizeof op);
    if (o->data == NULL)
        return zkr_cli_usage(cli, "prove-record --secrets needs --data PATH (the committed data)");
    if ((r = zkr_cli_parse_u64(cli, "INDEX", idx, &index)) != ZKR_OK ||
        (r = zkr_cli_pass_get(cli, &o->pass, &pass)) != ZKR_OK ||
        (r = zkr_app_dataset_open_record(cli, o->data, o->secrets, &pass, index, &ds, &c, &op)) !=
            ZKR_OK ||
        (r = zkr_base64_encode(op.record, op.record_len, &b64)) != ZKR_OK ||
        (r = zkr_buf_terminate(&b64)) != ZKR_OK)
        goto out;
    doc = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:s}", "type", "zkreg-record-proof/v2",
                    "dataset_sha256", "", "format", c.format == ZKR_DATASET_IDX ? "idx" : "lines",
                    "record_count", (json_int_t)c.count, "records_root", "", "index",
                    (json_int_t)index, "record", (const char *)b64.p, "salt", "");
    if (doc == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    zkr_cli_hex32(c.digest, hx);
    json_object_set_new(doc, "dataset_sha256", json_string(hx));
    zkr_cli_hex32(c.root, hx);
    json_object_set_new(doc, "records_root", json_string(hx));
    /* The salt is published on purpose: it opens this record, and only this one. */
    zkr_cli_hex32(op.salt, salt);
    json_object_set_new(doc, "salt", json_string(salt));
    sodium_memzero(salt, sizeof salt);
    json_object_set_new(doc, "path", path_json((const digest_t *)op.path, op.path_len));
    r = emit_doc(cli, (const log_opts *)&(log_opts){.out = o->out}, doc);
    doc = NULL;
out:
    json_decref(doc);
    zkr_buf_free(&b64);
    sodium_memzero(&op, sizeof op);
    zkr_dataset_free(ds);
    zkr_secret_free(&pass);
    return r;
}

static zkr_err verify_record_v2(zkr_cli *cli, const char *file, const ds_opts *o)
{
    static const char *const keys[] = {"type", "dataset_sha256", "format", "record_count",
                                       "records_root", "index", "record", "salt", "path", NULL};
    digest_t path[ZKR_MERKLE_MAX_DEPTH], ds_sha, proot, root, salt;
    uint64_t index = 0, count = 0, pcount = 0;
    const char *b64, *fmt;
    zkr_buf rec = {0};
    zkr_dscommit c;
    size_t plen = 0;
    json_t *doc = NULL;
    zkr_err r;

    memset(&c, 0, sizeof c);
    if (o->record != NULL || o->data != NULL)
        return zkr_cli_usage(cli, "a version 2 record proof carries its record: no --record/--data");
    if ((r = load_doc(cli, file, "zkreg-record-proof/v2", keys, &doc)) != ZKR_OK ||
        (r = doc_u64(cli, file, doc, "index", &index)) != ZKR_OK ||
        (r = doc_u64(cli, file, doc, "record_count", &pcount)) != ZKR_OK ||
        (r = doc_hex32(cli, file, doc, "dataset_sha256", ds_sha)) != ZKR_OK ||
        (r = doc_hex32(cli, file, doc, "records_root", proot)) != ZKR_OK ||
        (r = doc_hex32(cli, file, doc, "salt", salt)) != ZKR_OK ||
        (r = doc_path(cli, file, doc, ZKR_MERKLE_MAX_DEPTH, path, &plen)) != ZKR_OK)
        goto out;
    b64 = json_string_value(json_object_get(doc, "record"));
    fmt = json_string_value(json_object_get(doc, "format"));
    if (b64 == NULL || zkr_base64_decode(b64, strlen(b64), &rec) != ZKR_OK) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: field 'record' must be base64", file);
        goto out;
    }
    if (fmt == NULL || (strcmp(fmt, "idx") != 0 && strcmp(fmt, "lines") != 0)) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: field 'format' must be idx or lines", file);
        goto out;
    }
    if ((r = record_anchor(cli, o, ds_sha, 2, root, &count)) != ZKR_OK)
        goto out;
    /* A trusted root given by hand must still be the dataset the proof names. */
    c.version = ZKR_DSCOMMIT_VERSION;
    c.format = strcmp(fmt, "idx") == 0 ? ZKR_DATASET_IDX : ZKR_DATASET_LINES;
    c.count = count;
    memcpy(c.root, root, 32);
    if ((r = zkr_dscommit_digest(&c, c.digest)) != ZKR_OK)
        goto out;
    if (memcmp(c.digest, ds_sha, 32) != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_DATASET,
                     "%s: dataset_sha256 is not the dataset of the trusted root and count", file);
        goto out;
    }
    r = zkr_dscommit_verify_record(root, count, index, rec.p, rec.len, salt,
                                   (const digest_t *)path, plen);
    if (r != ZKR_OK) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                     "%s: record %llu with its salt is NOT in the dataset with root/count given (%s)",
                     file, (unsigned long long)index, zkr_strerror(r));
        goto out;
    }
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:s, s:I, s:b, s:i}", "verified", "record", "index",
                                         (json_int_t)index, "record_checked", 1,
                                         "commitment_version", 2));
    else
        printf("ok: record %llu is in the hiding dataset (%llu records), record bytes and salt "
               "match\n", (unsigned long long)index, (unsigned long long)count);
out:
    json_decref(doc);
    zkr_buf_free(&rec);
    return r;
}

/* The "type" of a proof document, to pick its verifier (strict loading follows). */
static int doc_is_v2(const char *file)
{
    zkr_buf b = {0};
    json_t *j = NULL;
    int v2 = 0;

    if (zkr_file_read(file, PROOF_FILE_MAX, &b, NULL) == ZKR_OK &&
        (j = json_loadb((const char *)b.p, b.len, 0, NULL)) != NULL) {
        const char *t = json_string_value(json_object_get(j, "type"));
        v2 = t != NULL && strcmp(t, "zkreg-record-proof/v2") == 0;
    }
    json_decref(j);
    zkr_buf_free(&b);
    return v2;
}

zkr_err zkr_cmd_dataset(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"data", required_argument, NULL, 'd'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"record", required_argument, NULL, 'r'},
                                         {"root", required_argument, NULL, 'R'},
                                         {"count", required_argument, NULL, 'n'},
                                         {"secrets", required_argument, NULL, 'S'},
                                         {"hiding-records", no_argument, NULL, 'H'},
                                         {"zk-seed", required_argument, NULL, 'Z'},
                                         {"budget", required_argument, NULL, 'B'},
                                         {"param-set", required_argument, NULL, 'P'},
                                         ZKR_CLI_PASS_LONGOPTS,
                                         {NULL, 0, NULL, 0}};
    ds_opts o;
    int c, done;
    zkr_err r;

    memset(&o, 0, sizeof o);
    zkr_cli_pass_opts_init(&o.pass);
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, dataset_cmd_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (zkr_cli_pass_option(cli, c, optarg, &o.pass, &r)) {
            if (r != ZKR_OK)
                return r;
            continue;
        }
        switch (c) {
        case 'S': o.secrets = optarg; break;
        case 'd': o.data = optarg; break;
        case 'o': o.out = optarg; break;
        case 'r': o.record = optarg; break;
        case 'R': o.root = optarg; break;
        case 'n': o.count = optarg; break;
        case 'H': o.hpc = 1; break;
        case 'Z': o.zk_seed = optarg; break;
        case 'B': o.budget = optarg; break;
        case 'P': o.param_set = optarg; break;
        default: return zkr_cli_usage(cli, "bad option (see --help)");
        }
    }
    if ((o.zk_seed != NULL || o.budget != NULL || o.param_set != NULL) && !o.hpc)
        return zkr_cli_usage(cli, "--zk-seed, --budget and --param-set go with `dataset commit "
                                  "--hiding-records`");
    if (optind + 2 == argc && strcmp(argv[optind], "commit") == 0 && o.hpc)
        return zkr_cli_dataset_commit_hpc(cli, argv[optind + 1], o.out, o.secrets, o.zk_seed,
                                          o.budget, o.param_set, &o.pass);
    if (o.hpc)
        return zkr_cli_usage(cli, "--hiding-records goes with `dataset commit`");
    if (optind + 2 == argc && strcmp(argv[optind], "commit") == 0)
        return zkr_cli_dataset_commit(cli, argv[optind + 1], o.out, o.secrets, &o.pass);
    if (optind + 2 == argc && strcmp(argv[optind], "prove-record") == 0 && o.secrets != NULL)
        return prove_record_v2(cli, argv[optind + 1], &o);
    if (optind + 3 == argc && strcmp(argv[optind], "prove-record") == 0 && o.secrets == NULL)
        return prove_record(cli, argv[optind + 1], argv[optind + 2], &o);
    if (optind + 2 == argc && strcmp(argv[optind], "verify-record") == 0)
        return doc_is_v2(argv[optind + 1]) ? verify_record_v2(cli, argv[optind + 1], &o)
                                            : verify_record(cli, argv[optind + 1], &o);
    return zkr_cli_usage(cli, "expected commit PATH, prove-record ID INDEX, prove-record INDEX "
                              "--secrets FILE, or verify-record PROOF");
}

/* ------------------------------------------------------------------ */
/* export / import                                                     */
/* ------------------------------------------------------------------ */

static const char export_help[] =
    "usage: zkreg export -o FILE [--statement ID ...] [--passphrase-file FILE]\n"
    "\n"
    "Writes a self-contained bundle: the appliance's verifier key, a signed\n"
    "checkpoint, and the log entries (with inclusion proofs) of the selected\n"
    "statements and everything they bind (schema, program, model, dataset,\n"
    "their revocations and recorded proofs); without --statement, every\n"
    "registration, revocation and proof record. The latest stored checkpoint is\n"
    "used when it covers the entries, else a new one is signed (needs the\n"
    "passphrase). The same registry contents always give the same bytes.\n"
    "A gated round's accepted updates carry the evaluation proofs round accept\n"
    "kept (REGISTRY.d/round-eval/), so round audit passes on the importer.\n" ZKR_CLI_EXIT_HELP;

static const char import_help[] =
    "usage: zkreg import FILE [--trusted-key VKEY | --trusted-key-file FILE] [--no-sandbox]\n"
    "\n"
    "Checks a bundle completely - structure, the checkpoint's signature by the\n"
    "trusted key (default: this registry's own appliance key), every inclusion\n"
    "proof, every event, every reference and conflict - and only then records\n"
    "its objects, in one transaction, with an 'import' log entry. On any\n"
    "failure nothing is written. Objects already held are skipped.\n"
    "A gated round's evaluation proofs the bundle carries must be for the\n"
    "statement the round derives for each accepted child; each is verified in\n"
    "the confined evalf-verify worker and kept for round audit. Without the\n"
    "evaluation dataset's file (register-dataset it here first) a proof cannot\n"
    "be verified and is not stored (a note says so; import again later); nor\n"
    "is one whose verifier version is revoked here.\n" ZKR_CLI_EXIT_HELP;

zkr_err zkr_cmd_export(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"output", required_argument, NULL, 'o'},
                                         {"statement", required_argument, NULL, 's'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *pf = NULL;
    digest_t *sids = NULL;
    size_t ns = 0;
    zkr_app_export_opts o;
    zkr_app_export_result res;
    int c, done;
    zkr_err r = ZKR_OK;

    if ((sids = calloc((size_t)argc + 1, sizeof *sids)) == NULL)
        return ZKR_ERR_NOMEM;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, export_help, &done)) {
            if (done)
                goto out;
            continue;
        }
        if (c == 'o') {
            out = optarg;
        } else if (c == 'p') {
            pf = optarg;
        } else if (c == 's') {
            if (strlen(optarg) != 64 || zkr_hex_decode_exact(optarg, sids[ns], 32) != ZKR_OK) {
                r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                             "--statement %s: expected a 64-digit hex statement_id", optarg);
                goto out;
            }
            ns++;
        } else {
            r = zkr_cli_usage(cli, "bad option (see --help)");
            goto out;
        }
    }
    if (optind != argc || out == NULL) {
        r = zkr_cli_usage(cli, "export needs -o FILE and takes no arguments");
        goto out;
    }
    o = (zkr_app_export_opts){.out = out, .pass_file = pf, .statements = (const digest_t *)sids,
                              .n_statements = ns};
    if ((r = zkr_app_export(cli, &o, &res)) != ZKR_OK)
        goto out;
    if (cli->json) {
        char hx[65];
        zkr_cli_hex32(res.sha256, hx);
        r = zkr_cli_print_json(json_pack("{s:s, s:I, s:s}", "bundle", out, "bytes",
                                         (json_int_t)res.bytes, "sha256", hx));
    } else if (strcmp(out, "-") != 0) {
        printf("wrote %s (%zu bytes)\n", out, res.bytes);
    }
out:
    free(sids);
    return r;
}

zkr_err zkr_cmd_import(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"trusted-key", required_argument, NULL, 'k'},
                                         {"trusted-key-file", required_argument, NULL, 'K'},
                                         {"no-sandbox", no_argument, NULL, 'S'},
                                         {NULL, 0, NULL, 0}};
    const char *key = NULL, *key_file = NULL;
    zkr_import_summary sum;
    zkr_app_import_evals ev;
    zkr_buf vk = {0};
    int c, done, no_sandbox = 0;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, import_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (c == 'k')
            key = optarg;
        else if (c == 'K')
            key_file = optarg;
        else if (c == 'S')
            no_sandbox = 1;
        else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind + 1 != argc)
        return zkr_cli_usage(cli, "expected exactly one bundle FILE");
    memset(&ev, 0, sizeof ev);
    if ((key || key_file) && (r = trusted_key(cli, key, key_file, &vk)) != ZKR_OK)
        goto out;
    if ((r = zkr_app_import_bundle(cli, argv[optind], vk.p ? (const char *)vk.p : NULL,
                                   no_sandbox, &sum, &ev)) != ZKR_OK)
        goto out;
    if (ev.unverified > 0)
        fprintf(stderr, "zkreg: note: %llu evaluation proof(s) not stored: this registry does not "
                "know the evaluation dataset's file, so it cannot verify them (register-dataset "
                "the file here and import the bundle again; until then round audit reports "
                "them missing)\n", (unsigned long long)ev.unverified);
    if (ev.revoked > 0)
        fprintf(stderr, "zkreg: note: %llu evaluation proof(s) neither verified nor stored: %s "
                "(no verdict of a revoked verifier is taken; round audit reports them)\n",
                (unsigned long long)ev.revoked, ev.revoked_msg);
    if (cli->json)
        r = zkr_cli_print_json(json_pack(
            "{s:I, s:I, s:I, s:s, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}}", "entries",
            (json_int_t)sum.entries, "added", (json_int_t)sum.added, "present",
            (json_int_t)sum.present, "origin", sum.checkpoint.origin, "tree_size",
            (json_int_t)sum.checkpoint.size, "bundle_version", (json_int_t)sum.version,
            "evaluation_proofs", "carried", (json_int_t)sum.evals, "stored",
            (json_int_t)ev.stored, "already_kept", (json_int_t)ev.kept, "unverified",
            (json_int_t)ev.unverified, "revoked", (json_int_t)ev.revoked));
    else
        printf("imported %s: %llu entries checked, %llu added, %llu already present, "
               "%llu evaluation proof(s) carried (%llu verified and stored, %llu already kept, "
               "%llu not verifiable here, %llu of a revoked verifier) (checkpoint %s size "
               "%llu)\n",
               argv[optind], (unsigned long long)sum.entries, (unsigned long long)sum.added,
               (unsigned long long)sum.present, (unsigned long long)sum.evals,
               (unsigned long long)ev.stored, (unsigned long long)ev.kept,
               (unsigned long long)ev.unverified, (unsigned long long)ev.revoked,
               sum.checkpoint.origin,
               (unsigned long long)sum.checkpoint.size);
out:
    zkr_buf_free(&vk);
    return r;
}
