/*
 * store.c: the files kept beside the registry and the parameter set a
 * schema pins (app/store.h), shared by the inference and training
 * workflows.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/store.h"
#include "zkr_config.h"
#include "ml/ml.h"
#include "zk/zk.h"

zkr_err zkr_app_store_path(const zkr_app *app, const char *sub,
                           const uint8_t sha[ZKR_DIGEST_BYTES], const char *suffix, char *out,
                           size_t cap)
{
    char hex[65];
    int n;

    sodium_bin2hex(hex, sizeof hex, sha, ZKR_DIGEST_BYTES);
    n = snprintf(out, cap, "%s.d/%s/%s%s", app->registry_path, sub, hex, suffix);
    return n < 0 || (size_t)n >= cap ? ZKR_ERR_TOO_LARGE : ZKR_OK;
}

/* app's recorded change of path, when this command made or replaced it already; else NULL. */
static zkr_app_store_change *undo_owns(const zkr_app *app, const char *path)
{
    zkr_app_store_undo *u = app->store_undo;

    for (size_t i = 0; u != NULL && i < u->n; i++)
        if (!u->c[i].is_dir && strcmp(u->c[i].path, path) == 0)
            return &u->c[i];
    return NULL;
}

/* Records one change in app's recording, if any (0 when none is under way). */
static zkr_err undo_record(zkr_app *app, const char *path, int is_dir, zkr_buf *old)
{
    zkr_app_store_undo *u = app->store_undo;
    zkr_app_store_change *c;

    if (u == NULL)
        return ZKR_OK;
    if (u->n == u->cap) {
        size_t cap = u->cap ? 2 * u->cap : 8;
        zkr_app_store_change *p = realloc(u->c, cap * sizeof *p);
        if (p == NULL)
            goto nomem;
        u->c = p;
        u->cap = cap;
    }
    c = &u->c[u->n];
    memset(c, 0, sizeof *c);
    if ((c->path = strdup(path)) == NULL)
        goto nomem;
    c->is_dir = is_dir;
    if (old != NULL) {
        c->had_old = 1;
        c->old = *old;
        memset(old, 0, sizeof *old);
    }
    u->n++;
    return ZKR_OK;
nomem:
    return ZKR_ERR_NOMEM;
}

/* Creates directory path (0700) unless it exists, recording a creation. */
static zkr_err store_mkdir(zkr_app *app, const char *path)
{
    if (mkdir(path, 0700) == 0) {
        if (undo_record(app, path, 1, NULL) != ZKR_OK) {
            (void)rmdir(path);
            return ZKR_ERR_NOMEM;
        }
        return ZKR_OK;
    }
    if (errno != EEXIST)
        return zkr_fail(&app->diag, ZKR_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    return ZKR_OK;
}

/*
 * Notes the file (device, inode) a write just put at path into change c:
 * the undo touches the path only while it is still that file. Unknown
 * (stat failed): the undo leaves it.
 */
static void undo_mark(zkr_app_store_change *c, const char *path)
{
    struct stat st;

    c->known = 0;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        c->dev = st.st_dev;
        c->ino = st.st_ino;
        c->known = 1;
    }
}

zkr_err zkr_app_store_write(zkr_app *app, const char *sub, const uint8_t sha[ZKR_DIGEST_BYTES],
                            const char *suffix, const uint8_t *p, size_t len)
{
    char path[4096];
    zkr_buf old = {0};
    zkr_app_store_change *own;
    struct stat st;
    int exists;
    zkr_err r;

    if (snprintf(path, sizeof path, "%s.d", app->registry_path) >= (int)sizeof path)
        return ZKR_ERR_TOO_LARGE;
    if ((r = store_mkdir(app, path)) != ZKR_OK)
        return r;
    if (snprintf(path, sizeof path, "%s.d/%s", app->registry_path, sub) >= (int)sizeof path)
        return ZKR_ERR_TOO_LARGE;
    if ((r = store_mkdir(app, path)) != ZKR_OK ||
        (r = zkr_app_store_path(app, sub, sha, suffix, path, sizeof path)) != ZKR_OK)
        return r;
    exists = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    /* The old bytes: compared (the same bytes: nothing to write) and kept for an undo. */
    if (exists && ((size_t)st.st_size == len || app->store_undo != NULL)) {
        r = zkr_file_read(path, (size_t)st.st_size + 1, &old, NULL);
        if (r == ZKR_OK && old.len == len && (len == 0 || memcmp(old.p, p, len) == 0)) {
            zkr_buf_free(&old);
            /*
             * Not recording, or this command wrote it: nothing to do. Recording: another
             * command may have made this file and be about to undo it; rewriting the same
             * bytes gives the file a new inode, which that command's undo leaves alone
             * (zkr_app_store_undo_run), so a file this one's commit relies on stays.
             */
            if (app->store_undo == NULL || undo_owns(app, path) != NULL)
                return ZKR_OK;
            return zkr_file_write_atomic(path, p, len, 0600, &app->diag);
        }
        if (r != ZKR_OK && app->store_undo != NULL)
            return zkr_fail(&app->diag, ZKR_ERR_IO,
                            "%s: cannot read the stored file it would replace", path);
    }
    /* Something else there (a planted FIFO, a directory): replaced or refused, not restored. */
    if (!exists && lstat(path, &st) == 0) {
        zkr_buf_free(&old);
        return zkr_file_write_atomic(path, p, len, 0600, &app->diag);
    }
    if ((own = undo_owns(app, path)) != NULL) { /* written by this command: its record restores */
        zkr_buf_free(&old);
        if ((r = zkr_file_write_atomic(path, p, len, 0600, &app->diag)) == ZKR_OK)
            undo_mark(own, path);
        return r;
    }
    if ((r = undo_record(app, path, 0, exists ? &old : NULL)) != ZKR_OK) {
        zkr_buf_free(&old);
        return zkr_fail(&app->diag, r, "%s: out of memory recording the store write", path);
    }
    zkr_buf_free(&old);
    if ((r = zkr_file_write_atomic(path, p, len, 0600, &app->diag)) != ZKR_OK) {
        if (app->store_undo != NULL) { /* nothing of this command's there: nothing to undo */
            zkr_app_store_change *c = &app->store_undo->c[--app->store_undo->n];
            free(c->path);
            zkr_buf_free(&c->old);
        }
        return r;
    }
    if (app->store_undo != NULL)
        undo_mark(&app->store_undo->c[app->store_undo->n - 1], path);
    return ZKR_OK;
}

int zkr_app_store_undo_begin(zkr_app *app, zkr_app_store_undo *u)
{
    if (app->store_undo != NULL)
        return 0;
    memset(u, 0, sizeof *u);
    app->store_undo = u;
    return 1;
}

void zkr_app_store_undo_detach(zkr_app *app)
{
    app->store_undo = NULL;
}

void zkr_app_store_undo_run(zkr_app_store_undo *u)
{
    for (size_t i = u->n; i-- > 0;) {
        zkr_app_store_change *c = &u->c[i];
        struct stat st;

        if (c->is_dir) {
            (void)rmdir(c->path); /* only when empty: never what another writer put there */
            continue;
        }
        /* Another command rewrote the file since (its own commit may rely on it): kept. */
        if (!c->known || lstat(c->path, &st) != 0 || st.st_dev != c->dev || st.st_ino != c->ino)
            continue;
        if (c->had_old) {
            if (zkr_file_write_atomic(c->path, c->old.p, c->old.len, 0600, NULL) != ZKR_OK)
                continue; /* the new bytes stay: the registry row decides, prove re-checks */
        }
        else
            (void)unlink(c->path);
    }
    zkr_app_store_undo_free(u);
}

void zkr_app_store_undo_free(zkr_app_store_undo *u)
{
    for (size_t i = 0; i < u->n; i++) {
        free(u->c[i].path);
        zkr_buf_free(&u->c[i].old);
    }
    free(u->c);
    memset(u, 0, sizeof *u);
}

void zkr_app_store_undo_end(zkr_app *app, zkr_app_store_undo *u, int owner, int committed)
{
    if (!owner)
        return;
    zkr_app_store_undo_detach(app);
    if (committed)
        zkr_app_store_undo_free(u);
    else
        zkr_app_store_undo_run(u);
}

zkr_err zkr_app_ledger_path(zkr_app *app, char *out, size_t cap)
{
    char *real = realpath(app->registry_path, NULL);
    char dir[4096];
    int n;

    if (real == NULL)
        return zkr_fail(&app->diag, errno == ENOENT ? ZKR_ERR_NOT_FOUND : ZKR_ERR_IO,
                        "%s: cannot resolve the registry (%s); its reveal-budget ledger is kept "
                        "in its store", app->registry_path, strerror(errno));
    n = snprintf(dir, sizeof dir, "%s.d", real);
    if (n < 0 || (size_t)n >= sizeof dir ||
        (n = snprintf(out, cap, "%s/%s", dir, ZKR_APP_LEDGER_NAME)) < 0 || (size_t)n >= cap) {
        free(real);
        return zkr_fail(&app->diag, ZKR_ERR_TOO_LARGE, "%s: path too long", app->registry_path);
    }
    free(real);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return zkr_fail(&app->diag, ZKR_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    return ZKR_OK;
}

void zkr_app_out_entry(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    char dir[4096], real[4096];
    size_t dlen = slash == NULL ? 1 : (slash == path ? 1 : (size_t)(slash - path));

    if (dlen >= sizeof dir) {
        snprintf(out, cap, "%s", path);
        return;
    }
    memcpy(dir, slash == NULL ? "." : path, dlen);
    dir[dlen] = '\0';
    if (realpath(dir, real) == NULL)
        snprintf(out, cap, "%s", path);
    else
        snprintf(out, cap, "%s/%s", strcmp(real, "/") == 0 ? "" : real,
                 slash == NULL ? path : slash + 1);
}

/* Is entry o the registry entry p, one of its side files, or in its store? */
static int in_registry(const char *o, const char *p)
{
    static const char *const side[] = {"", "-wal", "-shm", "-journal", ".d"};
    size_t n = strlen(p);

    if (n == 0 || strncmp(o, p, n) != 0)
        return 0;
    for (size_t i = 0; i < sizeof side / sizeof *side; i++)
        if (strcmp(o + n, side[i]) == 0)
            return 1;
    return strncmp(o + n, ".d/", 3) == 0;
}

/* Would writing out replace input `in`: the same directory entry, or the same file (dev, inode)? */
static int same_file(const char *o, const struct stat *ost, int oexists, const char *in)
{
    char p[4200];
    struct stat st;

    zkr_app_out_entry(in, p, sizeof p);
    if (strcmp(o, p) == 0)
        return 1;
    /* A symlink or hard link to the input: the rename would replace what it reads. */
    return oexists && stat(in, &st) == 0 && st.st_dev == ost->st_dev && st.st_ino == ost->st_ino;
}

zkr_err zkr_app_out_guard(zkr_app *app, const char *out, const char *what,
                          const char *const *keep, size_t n_keep)
{
    char o[4200], p[4200], real[4096];
    struct stat ost;
    int oexists;

    if (out == NULL || strcmp(out, "-") == 0)
        return ZKR_OK;
    zkr_app_out_entry(out, o, sizeof o);
    if (app->registry_path != NULL && app->registry_path[0] != '\0') {
        zkr_app_out_entry(app->registry_path, p, sizeof p);
        /* A symlinked registry: its target's entry counts as well. */
        if (in_registry(o, p) ||
            (realpath(app->registry_path, real) != NULL && in_registry(o, real)))
            return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                            "%s: %s may not replace or be written beside the registry's files "
                            "(%s, its -wal, -shm, -journal or its store %s.d/)",
                            out, what, app->registry_path, app->registry_path);
    }
    /* The entry's target when it exists (stat follows a symlink: what the rename replaces
     * is the link, but a link to an input names that input). */
    oexists = stat(o, &ost) == 0;
    for (size_t i = 0; i < n_keep; i++) {
        zkr_buf labels = {0};
        int hit;

        if (keep[i] == NULL)
            continue;
        hit = same_file(o, &ost, oexists, keep[i]);
        /* An IDX images file is read with its labels file: that one is an input too. */
        if (!hit && zkr_dataset_labels_path(keep[i], &labels, NULL) == ZKR_OK)
            hit = same_file(o, &ost, oexists, (const char *)labels.p);
        zkr_buf_free(&labels);
        if (hit)
            return zkr_fail(&app->diag, ZKR_ERR_USAGE, "%s: %s may not replace the input %s",
                            out, what, keep[i]);
    }
    return ZKR_OK;
}

zkr_err zkr_app_out_probe(zkr_app *app, const char *out, const char *what)
{
    char why[ZKR_DIAG_BYTES];
    zkr_buf tmp = {0};
    int fd = -1;
    zkr_err r;

    if (out == NULL || strcmp(out, "-") == 0)
        return ZKR_OK;
    r = zkr_file_temp_create(out, ".tmp.", 0600, &tmp, &fd, &app->diag);
    if (r == ZKR_OK) {
        (void)unlink((const char *)tmp.p);
        (void)close(fd); /* drops the flock after the unlink */
    } else if (r != ZKR_ERR_NOMEM) {
        memcpy(why, app->diag.msg, sizeof why);
        why[sizeof why - 1] = '\0';
        zkr_diag_clear(&app->diag);
        r = zkr_fail(&app->diag, r, "%s: %s cannot be written there (%s); nothing reserved", out,
                     what, why);
    }
    zkr_buf_free(&tmp);
    return r;
}

zkr_err zkr_app_store_read(zkr_app *app, const char *sub, const zkr_artifact *a, size_t max,
                           zkr_buf *out)
{
    char path[4096];
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_app_store_path(app, sub, a->sha256, "", path, sizeof path)) != ZKR_OK ||
        (r = zkr_file_read(path, max, out, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(out->p, out->len, sha);
    if (sodium_memcmp(sha, a->sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_REGISTRY,
                        "%s: the stored bytes of %lld differ from its registered sha256", path,
                        (long long)a->id);
    return ZKR_OK;
}

zkr_err zkr_app_store_model(zkr_app *app, const zkr_artifact *m, int name_id, zkr_buf *out)
{
    char path[4096];
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_app_store_path(app, "models", m->sha256, "", path, sizeof path)) != ZKR_OK ||
        (r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, out, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(out->p, out->len, sha);
    if (sodium_memcmp(sha, m->sha256, ZKR_DIGEST_BYTES) == 0)
        return ZKR_OK;
    if (name_id)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "%s: stored model bytes differ from model %lld's registered sha256", path,
                        (long long)m->id);
    return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                    "%s: stored model bytes differ from the registered sha256", path);
}

zkr_err zkr_app_dataset_remembered(zkr_app *app, const uint8_t sha[ZKR_DIGEST_BYTES], char *out,
                                   size_t cap)
{
    char path[4096];
    zkr_buf stored = {0};
    zkr_err r;

    if (cap == 0 || (r = zkr_app_store_path(app, "datasets", sha, ".path", path, sizeof path)) !=
                        ZKR_OK)
        return ZKR_ERR_TOO_LARGE;
    if ((r = zkr_file_read(path, cap - 1, &stored, NULL)) != ZKR_OK)
        return r;
    memcpy(out, stored.p, stored.len);
    out[stored.len] = '\0';
    zkr_buf_free(&stored);
    return ZKR_OK;
}

/* Maps the schema's proof-system and parameter-set names to the ids they pin. */
zkr_err zkr_app_secrets_read(zkr_app *app, const char *path, size_t max, zkr_buf *out)
{
    struct stat st;

    /* A missing or unreadable file is left to zkr_file_read to name. */
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_KEY,
                        "secrets file %s: open to group or others (mode %03o); chmod 600 it",
                        path, (unsigned)(st.st_mode & 0777));
    return zkr_file_read(path, max, out, &app->diag);
}

/* zkr_seal's 64-byte header before the payload and its 16-byte tag after it. */
#define SEAL_OVERHEAD_BYTES (64u + 16u)
/* Past every sealed secrets file: a larger one is refused unread. */
#define SECRETS_FILE_MAX 4096u

zkr_err zkr_app_secrets_unseal(zkr_app *app, const char *path, const zkr_secret *pass,
                               const char *label, const char *what, size_t payload_bytes,
                               uint32_t version, uint8_t **payload)
{
    zkr_buf f = {0};
    size_t n = 0;
    zkr_err r;

    *payload = NULL;
    if ((r = zkr_app_secrets_read(app, path, SECRETS_FILE_MAX, &f)) != ZKR_OK)
        goto out;
    if (f.len != payload_bytes + SEAL_OVERHEAD_BYTES || memcmp(f.p, ZKR_SEAL_MAGIC, 8) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                     "%s: not a sealed %s file (%zu bytes; %zu expected, magic %s)", path, what,
                     f.len, payload_bytes + SEAL_OVERHEAD_BYTES, ZKR_SEAL_MAGIC);
        goto out;
    }
    if ((*payload = sodium_malloc(payload_bytes)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    r = zkr_unseal(f.p, f.len, pass->p, pass->len, label, *payload, payload_bytes, &n);
    if (r == ZKR_OK && (n != payload_bytes || zkr_load_be32(*payload) != version))
        r = ZKR_ERR_MALFORMED;
    if (r != ZKR_OK)
        r = zkr_fail(&app->diag, r, r == ZKR_ERR_PASSPHRASE
                                        ? "%s: wrong passphrase, or the file was altered (or is "
                                          "not a sealed %s file)"
                                        : "%s: the sealed %s are damaged", path, what);
out:
    if (r != ZKR_OK) {
        sodium_free(*payload); /* wipes; accepts NULL */
        *payload = NULL;
    }
    zkr_buf_free(&f);
    return r;
}

zkr_err zkr_app_param_set_any(zkr_app *app, const zkr_schema *s, uint32_t *set)
{
    static const char *systems[] = {"zkreg-sumcheck-basefold", "zkr-sumcheck-basefold-gl3/1", "1"};
    int ok = 0;

    for (size_t i = 0; i < sizeof systems / sizeof *systems; i++)
        ok |= strcmp(s->proof_system, systems[i]) == 0;
    if (!ok)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS,
                        "schema %s@%llu: proof system '%s' is not this verifier's", s->name,
                        (unsigned long long)s->version, s->proof_system);
    /* "1" is set 1's older spelling, still accepted in registered schemas. */
    if (strcmp(s->param_set, "1") == 0) {
        *set = ZKR_PARAM_SET_128;
        return ZKR_OK;
    }
    if (zkr_params_id_of(s->param_set, set) == ZKR_OK)
        return ZKR_OK;
    return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS,
                    "schema %s@%llu: parameter set '%s' unknown", s->name,
                    (unsigned long long)s->version, s->param_set);
}

zkr_err zkr_app_param_set_for_kind(zkr_app *app, const zkr_schema *s, uint32_t *set)
{
    return strcmp(s->proof_kind, "inference@2") == 0 ? zkr_app_param_set_any(app, s, set)
                                                      : zkr_app_param_set_of(app, s, set);
}

zkr_err zkr_app_verifier_pinned(zkr_app *app, const zkr_schema *s)
{
    if (strcmp(s->verifier_version, ZKR_VERSION) == 0)
        return ZKR_OK;
    return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_VERIFIER,
                    "schema %s@%llu pins verifier %s, this is %s", s->name,
                    (unsigned long long)s->version, s->verifier_version, ZKR_VERSION);
}

zkr_err zkr_app_param_set_of(zkr_app *app, const zkr_schema *s, uint32_t *set)
{
    zkr_err r = zkr_app_param_set_any(app, s, set);

    if (r == ZKR_OK && *set != ZKR_PARAM_SET_128)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PARAMS,
                        "schema %s@%llu: parameter set '%s' is for proof kind inference@2 only; "
                        "%s runs at goldilocks-128", s->name, (unsigned long long)s->version,
                        s->param_set, s->proof_kind);
    return r;
}
