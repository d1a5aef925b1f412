/* Shared helpers for the signer tests: temp dirs, key files, sample facts. */
#ifndef ZKR_TEST_SIGNER_UTIL_H
#define ZKR_TEST_SIGNER_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "common/common.h"
#include "signer/signer.h"

#define TEST_PASS "correct horse battery staple"

static inline void tu_path(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static inline int tu_write(const char *path, const void *p, size_t len, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return 0;
    ok = fwrite(p, 1, len, f) == len;
    ok &= fclose(f) == 0;
    return ok && chmod(path, mode) == 0;
}

/* A temp dir holding the passphrase file "pass" (mode 600). */
static inline int tu_setup(char *dir, size_t cap)
{
    char p[1024];

    snprintf(dir, cap, "%s/zkr-signer.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL)
        return 0;
    tu_path(p, sizeof p, dir, "pass");
    return tu_write(p, TEST_PASS "\n", strlen(TEST_PASS) + 1, 0600);
}

/* Writes a fresh key file `name` and opens it as a signer. */
static inline zkr_signer *tu_key(const char *dir, const char *name, zkr_key_type t)
{
    char kp[1024], pp[1024], uri[1100];
    zkr_buf file = {0};
    zkr_pubkey pub;
    zkr_signer *s = NULL;
    zkr_signer_opts o = {0};

    tu_path(kp, sizeof kp, dir, name);
    tu_path(pp, sizeof pp, dir, "pass");
    if (zkr_keyfile_generate(t, (const uint8_t *)TEST_PASS, strlen(TEST_PASS), 1, &file, &pub,
                             NULL) != ZKR_OK ||
        !tu_write(kp, file.p, file.len, 0600)) {
        zkr_buf_free(&file);
        return NULL;
    }
    zkr_buf_free(&file);
    o.passphrase_path = pp;
    snprintf(uri, sizeof uri, "file:%s", kp);
    if (zkr_signer_open(uri, &o, &s, NULL) != ZKR_OK)
        return NULL;
    return s;
}

/* Facts with recognisable digests; `seed` varies them. */
static inline void tu_facts(zkr_attest_facts *f, uint8_t seed, int64_t when)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < 32; i++) {
        f->statement_id[i] = (uint8_t)(seed + i);
        f->proof_sha256[i] = (uint8_t)(seed * 3 + i);
        f->program_sha256[i] = (uint8_t)(0x10 + i);
        f->model_sha256[i] = (uint8_t)(0x20 + i);
        f->dataset_sha256[i] = (uint8_t)(0x30 + i);
        f->schema_digest[i] = (uint8_t)(0x40 + i);
        f->checkpoint_root[i] = (uint8_t)(0x50 + i);
    }
    snprintf(f->schema_name, sizeof f->schema_name, "mnist-mlp-inference");
    snprintf(f->schema_version, sizeof f->schema_version, "1");
    snprintf(f->verifier_version, sizeof f->verifier_version, "zkreg-verifier/0.2.0");
    snprintf(f->checkpoint_origin, sizeof f->checkpoint_origin, "zkreg.test/log");
    f->accepted = 1;
    f->log_index = 6;
    f->checkpoint_size = 8;
    f->time = when;
}

#endif
