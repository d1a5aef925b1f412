/*
 * The store beside the registry (app/store.c). The registry keeps digests
 * and commitments; the bytes the prover needs live beside it in
 * "<registry>.d/" (app/infer.h says what goes where).
 */
#ifndef ZKR_APP_STORE_H
#define ZKR_APP_STORE_H

#include <sys/types.h>

#include "app/app.h"

/*
 * The path REGISTRY.d/SUB/HEX(sha)SUFFIX into out (cap bytes).
 * Returns ZKR_OK or ZKR_ERR_TOO_LARGE.
 */
zkr_err zkr_app_store_path(const zkr_app *app, const char *sub,
                           const uint8_t sha[ZKR_DIGEST_BYTES], const char *suffix, char *out,
                           size_t cap) ZKR_WUR;

/*
 * Writes bytes to the store beside the registry: REGISTRY.d/SUB/HEX(sha)SUFFIX
 * (0600). A file already holding exactly these bytes is left untouched,
 * unless a recording is under way that did not write it: then it is
 * rewritten (same bytes, new inode, not recorded), so that another
 * command's undo, which touches only the inode it wrote, leaves the file
 * this one's commit relies on. While app->store_undo is set
 * (zkr_app_store_undo_begin), every directory and file the write creates,
 * and the bytes of a file it replaces, are recorded there first (with the
 * inode written), so that a command that does not commit can leave the
 * store as it found it. Returns ZKR_OK, ZKR_ERR_IO, ZKR_ERR_TOO_LARGE,
 * ZKR_ERR_NOMEM (nothing written).
 */
zkr_err zkr_app_store_write(zkr_app *app, const char *sub, const uint8_t sha[ZKR_DIGEST_BYTES],
                            const char *suffix, const uint8_t *p, size_t len) ZKR_WUR;

/* One store change zkr_app_store_write made: a directory or file created, or a file replaced. */
typedef struct {
    char *path;
    int is_dir;
    int had_old;     /* a file that existed: old holds its bytes */
    zkr_buf old;
    int known;       /* dev and ino: the file this write put there (the undo touches only it) */
    dev_t dev;
    ino_t ino;
} zkr_app_store_change;

/*
 * The store changes of one registration (or batch, or import) that has not
 * committed yet. The files are written before the registry's commit (so
 * nothing that can fail runs after it) and removed (or given back their
 * old bytes) when the transaction does not commit: a refused registration
 * leaves the registry and its store byte-identical (docs/transactions.md).
 */
typedef struct zkr_app_store_undo {
    zkr_app_store_change *c;
    size_t n, cap;
} zkr_app_store_undo;

/*
 * Starts recording app's store writes into u, unless a recording is under
 * way already (a registration inside register-batch: the batch's own
 * recording covers it). Returns 1 when this call started it (the caller
 * ends it with zkr_app_store_undo_end), 0 otherwise (u untouched, the end
 * a no-op).
 */
int zkr_app_store_undo_begin(zkr_app *app, zkr_app_store_undo *u);

/* Stops recording into app (the changes stay in u for zkr_app_store_undo_run or _free). */
void zkr_app_store_undo_detach(zkr_app *app);

/*
 * Undoes u's changes, newest first: a created file is removed, a replaced
 * one rewritten with its old bytes, a created directory removed when
 * empty. A file that is no longer the inode this command wrote (another
 * command rewrote it since, zkr_app_store_write) is left as it is. Then
 * frees u. Best effort: the registry row, not the store file, is what
 * makes an object registered.
 */
void zkr_app_store_undo_run(zkr_app_store_undo *u);

/* Forgets u's changes (the transaction committed). */
void zkr_app_store_undo_free(zkr_app_store_undo *u);

/*
 * Ends what zkr_app_store_undo_begin started (owner 1): detaches, then
 * frees u when the registration committed, runs it otherwise.
 */
void zkr_app_store_undo_end(zkr_app *app, zkr_app_store_undo *u, int owner, int committed);

/*
 * Reads an owner's sealed secrets file (model or dataset secrets, zk seed)
 * of at most max bytes into out. A file group or others may read or write
 * is refused (ZKR_ERR_KEY, naming its mode): the seal is only as strong as
 * the passphrase, and a readable copy invites an offline guess at it.
 */
zkr_err zkr_app_secrets_read(zkr_app *app, const char *path, size_t max, zkr_buf *out) ZKR_WUR;

/* The reveal-budget ledger's name in the registry's store (docs/formats.md). */
#define ZKR_APP_LEDGER_NAME "reveal-budget.ledger"

/*
 * The registry's reveal-budget ledger into out (cap bytes):
 * "<realpath(registry)>.d/reveal-budget.ledger", the store directory
 * created (0700) when missing. Keyed by commitment, it counts every proof
 * made against this registry's statements, whatever the path of the
 * secrets that opened them; a symlinked registry's names share it.
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND (no registry file), ZKR_ERR_IO,
 * ZKR_ERR_TOO_LARGE.
 */
zkr_err zkr_app_ledger_path(zkr_app *app, char *out, size_t cap) ZKR_WUR;

/*
 * Reads (zkr_app_secrets_read) and unseals an owner's sealed secrets file
 * whose payload is payload_bytes under `label` and starts with be32
 * `version`. `what` names the kind in messages ("model secrets"). On
 * ZKR_OK *payload is payload_bytes of sodium_malloc'ed memory (the caller
 * sodium_free's it), else NULL. Returns ZKR_OK; ZKR_ERR_MALFORMED (not a
 * sealed file of that size, or a payload of another size or version);
 * ZKR_ERR_PASSPHRASE (wrong passphrase, altered, or sealed for another
 * label); zkr_app_secrets_read's errors; ZKR_ERR_NOMEM.
 */
zkr_err zkr_app_secrets_unseal(zkr_app *app, const char *path, const zkr_secret *pass,
                               const char *label, const char *what, size_t payload_bytes,
                               uint32_t version, uint8_t **payload) ZKR_WUR;

/*
 * The directory entry a rename to path replaces, into out (cap bytes): its
 * directory resolved (symlinks, "." and ".." gone) plus its last component,
 * so two paths with one entry write one file. A directory that cannot be
 * resolved leaves the path as given (the write then fails).
 */
void zkr_app_out_entry(const char *path, char *out, size_t cap);

/*
 * Refuses (ZKR_ERR_USAGE, exit 2, naming `what`) an output path whose
 * write would replace or add to what the appliance keeps: the registry
 * file (or its -wal, -shm or -journal file, also through a symlinked
 * registry), anything in its store "<registry>.d/", or one of the n_keep
 * files the command reads (NULL entries skipped: the owners' secrets, the
 * model, the dataset and, for an IDX images file, its labels file, a key).
 * An input is hit when out names its directory entry (directory resolved,
 * last component as given: the entry a rename replaces) or, out existing,
 * the same file (st_dev and st_ino, through symlinks and hard links).
 * Called before anything is written. ZKR_OK when out is NULL or "-".
 */
zkr_err zkr_app_out_guard(zkr_app *app, const char *out, const char *what,
                          const char *const *keep, size_t n_keep) ZKR_WUR;

/*
 * Checks that a file can be created beside out (a temporary file made and
 * removed at once), for commands that spend something before they write
 * out: a proof of a hiding commitment reserves its openings in the ledger
 * first, and an output path in a missing or read-only directory would
 * spend them for nothing. ZKR_OK when out is NULL or "-"; ZKR_ERR_IO
 * (naming out, `what` and "nothing reserved"), ZKR_ERR_NOMEM.
 */
zkr_err zkr_app_out_probe(zkr_app *app, const char *out, const char *what) ZKR_WUR;

/*
 * The bytes of artifact a kept in the store's `sub` folder under its
 * registered sha256 (at most max bytes), checked against it: another
 * content is ZKR_ERR_REGISTRY naming the file and a->id; a missing file is
 * the reader's ZKR_ERR_NOT_FOUND (diag: its path). I/O errors.
 */
zkr_err zkr_app_store_read(zkr_app *app, const char *sub, const zkr_artifact *a, size_t max,
                           zkr_buf *out) ZKR_WUR;

/*
 * Reads registered model m's bytes from the store into out and checks
 * them against its sha256: ZKR_ERR_MISMATCH_MODEL naming the file (and
 * model m's row id when name_id is set, as the graph kinds say it), else
 * zkr_file_read's errors (ZKR_ML_MODEL_MAX_BYTES at most). The caller
 * frees out, on failure too.
 */
zkr_err zkr_app_store_model(zkr_app *app, const zkr_artifact *m, int name_id,
                            zkr_buf *out) ZKR_WUR;

/*
 * The dataset file remembered beside the registry for the dataset of
 * digest sha (register-dataset wrote it: REGISTRY.d/datasets/HEX.path),
 * NUL-terminated into out (cap bytes). ZKR_ERR_NOT_FOUND when none is
 * remembered, ZKR_ERR_IO when its record is unreadable, ZKR_ERR_TOO_LARGE
 * (the path does not fit); the diag is untouched.
 */
zkr_err zkr_app_dataset_remembered(zkr_app *app, const uint8_t sha[ZKR_DIGEST_BYTES], char *out,
                                   size_t cap) ZKR_WUR;

/*
 * Maps a schema's proof-system and parameter-set names to the parameter
 * set they pin: "goldilocks-128" (or "1") only. The rate-1/8 and 1/16 sets
 * are refused (ZKR_ERR_MISMATCH_PARAMS, naming them inference@2's), as are
 * unknown names.
 */
zkr_err zkr_app_param_set_of(zkr_app *app, const zkr_schema *s, uint32_t *set) ZKR_WUR;
/* As zkr_app_param_set_of, any set zkr_params_id_of knows: inference@2's paths only. */
zkr_err zkr_app_param_set_any(zkr_app *app, const zkr_schema *s, uint32_t *set) ZKR_WUR;
/*
 * The set a schema pins for its own proof kind: zkr_app_param_set_any for
 * inference@2, zkr_app_param_set_of for every other kind (same errors).
 */
zkr_err zkr_app_param_set_for_kind(zkr_app *app, const zkr_schema *s, uint32_t *set) ZKR_WUR;
/*
 * ZKR_OK when the schema pins this build's verifier (ZKR_VERSION); else
 * ZKR_ERR_MISMATCH_VERIFIER naming both versions. Every verify path asks it:
 * a schema an import brought from an older registry may pin another.
 */
zkr_err zkr_app_verifier_pinned(zkr_app *app, const zkr_schema *s) ZKR_WUR;

#endif
