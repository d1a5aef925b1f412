/*
 * Hiding datasets (commitment version 2) and zero-knowledge seeds: the
 * data owner's workflows (app/dataset.c) without the command line.
 *
 * `dataset commit` runs with no registry on the owner's machine; the
 * appliance registers only the public commitment; record openings are
 * made where the data and the sealed secrets are. The byte formats and
 * their primitives are common/'s (zkr_dscommit_*, docs/formats.md).
 */
#ifndef ZKR_APP_DATASET_H
#define ZKR_APP_DATASET_H

#include "app/app.h"

/*
 * Commits dataset file `data` (IDX or lines): writes the public commitment
 * to `commitment_path` (mode 0644) and the salts, sealed under `pass`
 * (`fast`: the weaker KDF, tests only), to `secrets_path` (mode 0600).
 * Neither file is ever replaced: both must be absent (else
 * ZKR_ERR_EXISTS, nothing written); when the commitment cannot be written
 * the secrets just written are removed again. No registry is opened.
 * Returns ZKR_OK (c filled), ZKR_ERR_USAGE (the same path twice),
 * ZKR_ERR_EXISTS, dataset errors (ZKR_ERR_MALFORMED, ...), ZKR_ERR_IO,
 * ZKR_ERR_NOMEM. Secret: pass, and the salts, which never leave memory
 * unsealed and are wiped.
 */
zkr_err zkr_app_dataset_commit(zkr_app *app, const char *data, const char *commitment_path,
                               const char *secrets_path, const zkr_secret *pass, int fast,
                               zkr_dscommit *c) ZKR_WUR;

/*
 * Reads and strictly decodes a commitment file (zkr_dscommit_decode).
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND, ZKR_ERR_IO, ZKR_ERR_MALFORMED,
 * ZKR_ERR_UNSUPPORTED, ZKR_ERR_TOO_LARGE; the diag names the file.
 */
zkr_err zkr_app_dataset_commitment_read(zkr_app *app, const char *path, zkr_dscommit *c) ZKR_WUR;

/*
 * register-dataset --commitment FILE: registers the version 2 dataset
 * FILE commits to, without any record (zkr_registry_dataset_add_commitment).
 * A refused file changes nothing. Returns as zkr_app_dataset_commitment_read
 * and zkr_registry_dataset_add_commitment.
 */
zkr_err zkr_app_register_dataset_commitment(zkr_app *app, zkr_registry *reg, const char *file,
                                            const char *name, zkr_artifact *out) ZKR_WUR;

/*
 * Opens record `index` of dataset file `data` with the secrets file
 * `secrets_path` unsealed under `pass` (zkr_dscommit_open_record): *ds gets
 * the opened dataset (o->record points into it; free with
 * zkr_dataset_free), c the commitment the data and salts give, o the
 * record, salt, leaf and path. Wipe o with sodium_memzero when done.
 * Returns ZKR_OK, ZKR_ERR_PASSPHRASE (wrong passphrase or altered file),
 * ZKR_ERR_MISMATCH_DATASET (secrets of another dataset, or changed data),
 * ZKR_ERR_NOT_FOUND (index), ZKR_ERR_MALFORMED, I/O errors.
 */
zkr_err zkr_app_dataset_open_record(zkr_app *app, const char *data, const char *secrets_path,
                                    const zkr_secret *pass, uint64_t index, zkr_dataset **ds,
                                    zkr_dscommit *c, zkr_dscommit_opening *o) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Zero-knowledge seeds (--zk-seed)                                     */
/* ------------------------------------------------------------------ */

#define ZKR_ZK_SEED_BYTES 32
#define ZKR_ZK_SEED_LABEL "zkreg/zk-seed/v1"

/*
 * zk-seed new: draws 32 random bytes and writes them sealed (zkr_seal,
 * label ZKR_ZK_SEED_LABEL) to `path`, mode 0600, never replacing a file.
 * Returns ZKR_OK, ZKR_ERR_EXISTS, ZKR_ERR_IO, ZKR_ERR_NOMEM. Secret: the
 * seed (wiped) and pass.
 */
zkr_err zkr_app_zk_seed_new(zkr_app *app, const char *path, const zkr_secret *pass,
                            int fast) ZKR_WUR;

/*
 * Loads the seed file `path` and unseals it under `pass` into *seed
 * (sodium_malloc'ed, exactly ZKR_ZK_SEED_BYTES; free with
 * zkr_secret_free, which wipes). The hiding provers take it as
 * (seed->p, seed->len) (prover/zk_rand.c).
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND, ZKR_ERR_IO, ZKR_ERR_MALFORMED (not a
 * sealed seed, truncated, trailing bytes, wrong length),
 * ZKR_ERR_PASSPHRASE (wrong passphrase, altered, or sealed for another
 * purpose such as a key), ZKR_ERR_NOMEM. *seed is empty on failure.
 */
zkr_err zkr_app_zk_seed_load(zkr_app *app, const char *path, const zkr_secret *pass,
                             zkr_secret *seed) ZKR_WUR;

/*
 * Whether --zk-seed applies to registered statement `ref`: only to a
 * hiding proof kind (zkr_registry_kind_hiding). Checked before any
 * passphrase is asked. Returns ZKR_OK, ZKR_ERR_USAGE ("proof kind
 * inference@1 is not hiding; --zk-seed applies to @2 kinds"),
 * ZKR_ERR_NOT_FOUND, registry errors.
 */
zkr_err zkr_app_zk_seed_applies(zkr_app *app, const char *ref) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Version 3: hiding record commitments (inference@2)                  */
/* ------------------------------------------------------------------ */

#define ZKR_DSCOMMIT3_SECRETS_LABEL "zkreg/dataset-secrets/v3"
/* Sealed payload: u32 version 3 | u32 budget | u64 count | digest[32] | seed[32]. */
#define ZKR_DSCOMMIT3_SECRETS_BYTES 80u

/*
 * dataset commit --hiding-records: commits every record of `data` with its
 * own hiding polynomial commitment blinded for `budget` proofs (1..4096),
 * the keys derived from a 32-byte dataset seed (seed, when given: the
 * sealed zk seed, so the same data, seed and budget give the same
 * commitment; else fresh from the OS CSPRNG), and writes the version 3
 * commitment (85 bytes, 0644) and the seed, budget and digest sealed under
 * pass (0600), neither ever replacing a file (as zkr_app_dataset_commit).
 * The record commitments' codewords have parameter set `set`'s rate: only
 * proofs at that set can open them (ZKR_ERR_MISMATCH_PARAMS for an unknown
 * set). Returns as zkr_app_dataset_commit. Secret: pass, seed, the records.
 */
zkr_err zkr_app_dataset_commit_hpc(zkr_app *app, const char *data, const char *commitment_path,
                                   const char *secrets_path, const zkr_secret *pass, int fast,
                                   const zkr_secret *seed, uint32_t budget, uint32_t set,
                                   zkr_dscommit *c) ZKR_WUR;

/* A version 3 dataset's secrets, unsealed (free with zkr_app_dscommit3_secrets_free). */
typedef struct {
    uint32_t budget;
    uint64_t count;
    uint8_t digest[ZKR_DIGEST_BYTES];
    uint8_t *seed; /* 32 bytes, sodium_malloc'ed, secret */
} zkr_app_dscommit3_secrets;

/*
 * Unseals a version 3 secrets file. Returns ZKR_OK, ZKR_ERR_NOT_FOUND,
 * ZKR_ERR_MALFORMED (not v3 secrets: size, magic, version),
 * ZKR_ERR_PASSPHRASE (wrong passphrase, altered, another purpose),
 * ZKR_ERR_NOMEM. s is empty on failure.
 */
zkr_err zkr_app_dscommit3_secrets_load(zkr_app *app, const char *path, const zkr_secret *pass,
                                       zkr_app_dscommit3_secrets *s) ZKR_WUR;
void zkr_app_dscommit3_secrets_free(zkr_app_dscommit3_secrets *s);

#endif
