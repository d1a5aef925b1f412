/*
 * The data owner's workflows: commit a dataset so that it hides every
 * record (version 2), register only that commitment, open one record with
 * the sealed salts; and the sealed zero-knowledge seed behind --zk-seed.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "app/dataset.h"
#include "app/store.h"
#include "prover/prover.h"

/* The hiding provers key their generator with the seed (prover/zk_rand.c). */
_Static_assert(ZKR_ZK_SEED_BYTES >= ZKR_ZK_SEED_MIN && ZKR_ZK_SEED_BYTES <= ZKR_ZK_SEED_MAX,
               "a zk seed file holds a seed the hiding provers accept");

/* A sealed seed: zkr_seal's 64-byte header, the 32-byte seed and the 16-byte tag. */
#define ZK_SEED_FILE_BYTES (64 + ZKR_ZK_SEED_BYTES + 16)
#define SECRETS_FILE_MAX ((size_t)1 << 32)

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The early, friendly refusal; zkr_file_publish_new is what guarantees "never replaced". */
static zkr_err must_be_absent(zkr_app *app, const char *path, const char *what)
{
    struct stat st;

    if (lstat(path, &st) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_EXISTS, "%s %s exists; it is never overwritten", what,
                        path);
    return ZKR_OK;
}

zkr_err zkr_app_dataset_commit(zkr_app *app, const char *data, const char *commitment_path,
                               const char *secrets_path, const zkr_secret *pass, int fast,
                               zkr_dscommit *c)
{
    uint8_t file[ZKR_DSCOMMIT_FILE_BYTES];
    zkr_dscommit_secrets sec = {0};
    zkr_dataset *ds = NULL;
    zkr_buf sealed = {0};
    int secrets_written = 0;
    zkr_err r;

    memset(c, 0, sizeof *c);
    if (strcmp(commitment_path, secrets_path) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "-o and --secrets name the same file %s",
                        secrets_path);
    /* Each file is published new (never over another), and never over what is read. */
    if ((r = zkr_app_out_guard(app, commitment_path, "a commitment", &data, 1)) != ZKR_OK ||
        (r = zkr_app_out_guard(app, secrets_path, "a secrets file", &data, 1)) != ZKR_OK ||
        (r = must_be_absent(app, commitment_path, "commitment")) != ZKR_OK ||
        (r = must_be_absent(app, secrets_path, "secrets file")) != ZKR_OK ||
        (r = zkr_dataset_open(data, &ds, &app->diag)) != ZKR_OK ||
        (r = zkr_dscommit_build(ds, c, &sec, &app->diag)) != ZKR_OK ||
        (r = zkr_dscommit_encode(c, file)) != ZKR_OK)
        goto out;
    if ((r = zkr_dscommit_secrets_seal(&sec, pass->p, pass->len, fast, &sealed)) != ZKR_OK) {
        r = zkr_fail(&app->diag, r, "sealing the salts failed (%s)", zkr_strerror(r));
        goto out;
    }
    /* Secrets first: a commitment whose salts were lost could never be opened. */
    if ((r = zkr_file_publish_new(secrets_path, sealed.p, sealed.len, 0600, &app->diag)) != ZKR_OK)
        goto out;
    secrets_written = 1;
    r = zkr_file_publish_new(commitment_path, file, sizeof file, 0644, &app->diag);
out:
    if (r != ZKR_OK && secrets_written)
        (void)unlink(secrets_path); /* ours: published by this call a moment ago */
    zkr_buf_free(&sealed);
    zkr_dscommit_secrets_free(&sec);
    zkr_dataset_free(ds);
    if (r != ZKR_OK)
        memset(c, 0, sizeof *c);
    return r;
}

zkr_err zkr_app_dataset_commitment_read(zkr_app *app, const char *path, zkr_dscommit *c)
{
    zkr_buf f = {0};
    zkr_err r;

    memset(c, 0, sizeof *c);
    /* One byte over the exact size reads in full, so trailing bytes are named as such. */
    if ((r = zkr_file_read(path, 4096, &f, &app->diag)) == ZKR_OK)
        r = zkr_dscommit_decode(f.p, f.len, path, c, &app->diag);
    else if (r == ZKR_ERR_TOO_LARGE)
        r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "%s: far over the %d bytes of a commitment",
                     path, ZKR_DSCOMMIT_FILE_BYTES);
    zkr_buf_free(&f);
    return r;
}

zkr_err zkr_app_register_dataset_commitment(zkr_app *app, zkr_registry *reg, const char *file,
                                            const char *name, zkr_artifact *out)
{
    zkr_dscommit c;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_app_dataset_commitment_read(app, file, &c)) != ZKR_OK)
        return r;
    return zkr_registry_dataset_add_commitment(reg, name ? name : base_name(file), &c, file, out,
                                               &app->diag);
}

zkr_err zkr_app_dataset_open_record(zkr_app *app, const char *data, const char *secrets_path,
                                    const zkr_secret *pass, uint64_t index, zkr_dataset **ds,
                                    zkr_dscommit *c, zkr_dscommit_opening *o)
{
    zkr_dscommit_secrets sec = {0};
    zkr_buf f = {0};
    zkr_err r;

    *ds = NULL;
    memset(c, 0, sizeof *c);
    memset(o, 0, sizeof *o);
    if ((r = zkr_app_secrets_read(app, secrets_path, SECRETS_FILE_MAX, &f)) != ZKR_OK ||
        (r = zkr_dscommit_secrets_open(f.p, f.len, pass->p, pass->len, secrets_path, &sec,
                                       &app->diag)) != ZKR_OK ||
        (r = zkr_dataset_open(data, ds, &app->diag)) != ZKR_OK)
        goto out;
    r = zkr_dscommit_open_record(*ds, &sec, index, c, o, &app->diag);
out:
    zkr_dscommit_secrets_free(&sec);
    zkr_buf_free(&f); /* sealed: nothing secret in the clear, wiped anyway */
    if (r != ZKR_OK) {
        zkr_dataset_free(*ds);
        *ds = NULL;
    }
    return r;
}

zkr_err zkr_app_zk_seed_new(zkr_app *app, const char *path, const zkr_secret *pass, int fast)
{
    uint8_t *seed = NULL;
    zkr_buf sealed = {0};
    zkr_err r;

    if ((r = must_be_absent(app, path, "seed file")) != ZKR_OK)
        return r;
    seed = sodium_malloc(ZKR_ZK_SEED_BYTES);
    if (seed == NULL)
        return ZKR_ERR_NOMEM;
    randombytes_buf(seed, ZKR_ZK_SEED_BYTES);
    if ((r = zkr_seal(seed, ZKR_ZK_SEED_BYTES, pass->p, pass->len, ZKR_ZK_SEED_LABEL, fast,
                      &sealed)) != ZKR_OK) {
        r = zkr_fail(&app->diag, r, "sealing the seed failed (%s)", zkr_strerror(r));
        goto out;
    }
    r = zkr_file_publish_new(path, sealed.p, sealed.len, 0600, &app->diag);
out:
    sodium_free(seed); /* wipes */
    zkr_buf_free(&sealed);
    return r;
}

zkr_err zkr_app_zk_seed_load(zkr_app *app, const char *path, const zkr_secret *pass,
                             zkr_secret *seed)
{
    zkr_buf f = {0};
    size_t n = 0;
    zkr_err r;

    memset(seed, 0, sizeof *seed);
    if ((r = zkr_app_secrets_read(app, path, 4096, &f)) != ZKR_OK)
        goto out;
    if (f.len != ZK_SEED_FILE_BYTES || memcmp(f.p, ZKR_SEAL_MAGIC, 8) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                     "%s: not a sealed zk seed (%zu bytes; %d expected, magic %s)", path, f.len,
                     ZK_SEED_FILE_BYTES, ZKR_SEAL_MAGIC);
        goto out;
    }
    seed->p = sodium_malloc(ZKR_ZK_SEED_BYTES);
    if (seed->p == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    r = zkr_unseal(f.p, f.len, pass->p, pass->len, ZKR_ZK_SEED_LABEL, seed->p, ZKR_ZK_SEED_BYTES,
                   &n);
    if (r == ZKR_OK && n != ZKR_ZK_SEED_BYTES)
        r = ZKR_ERR_MALFORMED;
    if (r != ZKR_OK) {
        r = zkr_fail(&app->diag, r, r == ZKR_ERR_PASSPHRASE
                                        ? "%s: wrong passphrase, or the file was altered (or is "
                                          "not a zk seed)"
                                        : "%s: the sealed seed is damaged", path);
        goto out;
    }
    seed->len = n;
out:
    zkr_buf_free(&f);
    if (r != ZKR_OK)
        zkr_secret_free(seed);
    return r;
}

static zkr_err statement_kind(zkr_app *app, const char *ref, char *kind, size_t cap)
{
    zkr_registry *reg = NULL;
    zkr_statement s;
    zkr_err r;

    memset(&s, 0, sizeof s);
    if (cap > 0)
        kind[0] = '\0';
    if ((r = zkr_registry_open_readonly(app->registry_path, &reg, &app->diag)) == ZKR_OK &&
        (r = zkr_registry_statement_get(reg, ref, &s, &app->diag)) == ZKR_OK) {
        if (strlen(s.schema.proof_kind) >= cap)
            r = ZKR_ERR_INTERNAL;
        else
            strcpy(kind, s.schema.proof_kind);
    }
    zkr_statement_free(&s);
    zkr_registry_close(reg);
    return r;
}

zkr_err zkr_app_zk_seed_applies(zkr_app *app, const char *ref)
{
    char kind[ZKR_IDENT_MAX + 1];
    zkr_err r;

    if ((r = statement_kind(app, ref, kind, sizeof kind)) != ZKR_OK)
        return r;
    if (!zkr_registry_kind_hiding(kind))
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "proof kind %s is not hiding; --zk-seed applies to the hiding @2 kinds "
                        "(inference@2, training-step@2)", kind);
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Version 3: hiding record commitments (inference@2)                  */
/* ------------------------------------------------------------------ */

#define DSC3_SECRETS_VERSION 3u

static zkr_err seal_dsc3(zkr_app *app, const zkr_dscommit *c, uint32_t budget,
                         const uint8_t seed[32], const zkr_secret *pass, int fast, zkr_buf *out)
{
    uint8_t *payload = sodium_malloc(ZKR_DSCOMMIT3_SECRETS_BYTES);
    zkr_err r;

    if (payload == NULL)
        return ZKR_ERR_NOMEM;
    zkr_store_be32(payload, DSC3_SECRETS_VERSION);
    zkr_store_be32(payload + 4, budget);
    zkr_store_be64(payload + 8, c->count);
    memcpy(payload + 16, c->digest, ZKR_DIGEST_BYTES);
    memcpy(payload + 48, seed, 32);
    r = zkr_seal(payload, ZKR_DSCOMMIT3_SECRETS_BYTES, pass->p, pass->len,
                 ZKR_DSCOMMIT3_SECRETS_LABEL, fast, out);
    if (r != ZKR_OK)
        r = zkr_fail(&app->diag, r, "sealing the dataset seed failed (%s)", zkr_strerror(r));
    sodium_free(payload); /* wipes */
    return r;
}

zkr_err zkr_app_dataset_commit_hpc(zkr_app *app, const char *data, const char *commitment_path,
                                   const char *secrets_path, const zkr_secret *pass, int fast,
                                   const zkr_secret *seed, uint32_t budget, uint32_t set,
                                   zkr_dscommit *c)
{
    uint8_t file[ZKR_DSCOMMIT_FILE_BYTES], comm[ZKR_DIGEST_BYTES];
    uint8_t rc[ZKR_RECORD_COMMIT_BYTES], ro[ZKR_RECORD_OPENING_BYTES];
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    uint8_t *key = NULL;
    size_t path_len = 0;
    zkr_dataset *ds = NULL;
    zkr_buf sealed = {0};
    zkr_params p;
    int secrets_written = 0;
    zkr_err r;

    memset(c, 0, sizeof *c);
    if (strcmp(commitment_path, secrets_path) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "-o and --secrets name the same file %s",
                        secrets_path);
    if (budget == 0 || budget > ZKR_HPCS_MAX_BUDGET)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "--budget must be 1..%u", ZKR_HPCS_MAX_BUDGET);
    /* Each file is published new (never over another), and never over what is read. */
    if ((r = zkr_app_out_guard(app, commitment_path, "a commitment", &data, 1)) != ZKR_OK ||
        (r = zkr_app_out_guard(app, secrets_path, "a secrets file", &data, 1)) != ZKR_OK ||
        (r = must_be_absent(app, commitment_path, "commitment")) != ZKR_OK ||
        (r = must_be_absent(app, secrets_path, "secrets file")) != ZKR_OK ||
        (r = zkr_dataset_open(data, &ds, &app->diag)) != ZKR_OK)
        goto out;
    if ((r = zkr_params_get(set, &p)) != ZKR_OK) {
        r = zkr_fail(&app->diag, r, "parameter set %u unknown", set);
        goto out;
    }
    key = sodium_malloc(32);
    if (key == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    /* The zk seed is used as it is: it is a secret of the same owner, sealed the same way. */
    if (seed != NULL && seed->len == 32)
        memcpy(key, seed->p, 32);
    else
        randombytes_buf(key, 32);
    c->version = ZKR_DSCOMMIT_VERSION_HPC;
    c->format = zkr_dataset_format_of(ds);
    c->count = zkr_dataset_count(ds);
    /* Only the root is wanted; record 0's opening comes along and is wiped. */
    if ((r = zkr_prover_infer2_dataset_commit(&p, ds, budget, key, 32, 0, 0, c->root, comm,
                                              rc, ro, path, &path_len)) != ZKR_OK) {
        r = zkr_fail(&app->diag, r, "%s: committing the records failed (%s)", data,
                     zkr_strerror(r));
        goto out;
    }
    if ((r = zkr_dscommit_digest(c, c->digest)) != ZKR_OK ||
        (r = zkr_dscommit_encode(c, file)) != ZKR_OK ||
        (r = seal_dsc3(app, c, budget, key, pass, fast, &sealed)) != ZKR_OK)
        goto out;
    if ((r = zkr_file_publish_new(secrets_path, sealed.p, sealed.len, 0600, &app->diag)) != ZKR_OK)
        goto out;
    secrets_written = 1;
    r = zkr_file_publish_new(commitment_path, file, sizeof file, 0644, &app->diag);
out:
    if (r != ZKR_OK && secrets_written)
        (void)unlink(secrets_path); /* ours: published by this call a moment ago */
    sodium_memzero(ro, sizeof ro);
    sodium_free(key); /* wipes */
    zkr_buf_free(&sealed);
    zkr_dataset_free(ds);
    if (r != ZKR_OK)
        memset(c, 0, sizeof *c);
    return r;
}

zkr_err zkr_app_dscommit3_secrets_load(zkr_app *app, const char *path, const zkr_secret *pass,
                                       zkr_app_dscommit3_secrets *s)
{
    uint8_t *payload = NULL;
    zkr_err r;

    memset(s, 0, sizeof *s);
    if ((r = zkr_app_secrets_unseal(app, path, pass, ZKR_DSCOMMIT3_SECRETS_LABEL,
                                    "version 3 dataset secrets", ZKR_DSCOMMIT3_SECRETS_BYTES,
                                    DSC3_SECRETS_VERSION, &payload)) != ZKR_OK)
        goto out;
    if ((s->seed = sodium_malloc(32)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    s->budget = zkr_load_be32(payload + 4);
    s->count = zkr_load_be64(payload + 8);
    memcpy(s->digest, payload + 16, ZKR_DIGEST_BYTES);
    memcpy(s->seed, payload + 48, 32);
out:
    sodium_free(payload); /* wipes; accepts NULL */
    if (r != ZKR_OK)
        zkr_app_dscommit3_secrets_free(s);
    return r;
}

void zkr_app_dscommit3_secrets_free(zkr_app_dscommit3_secrets *s)
{
    sodium_free(s->seed); /* wipes */
    memset(s, 0, sizeof *s);
}
