/* Shared helpers for the registry tests: temp dirs, files, passphrases. */
#ifndef ZKR_TEST_REG_TEST_H
#define ZKR_TEST_REG_TEST_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "tap.h"

/* A fresh temporary directory (removed by rt_cleanup). */
static inline void rt_tmpdir(char out[256])
{
    const char *base = getenv("TMPDIR");

    snprintf(out, 256, "%s/zkr-regtest-XXXXXX", base && base[0] ? base : "/tmp");
    if (mkdtemp(out) == NULL) {
        perror("mkdtemp");
        exit(2);
    }
}

static inline void rt_cleanup(const char *dir)
{
    char cmd[512];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "# could not remove %s\n", dir);
}

static inline void rt_write(const char *path, const void *p, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL || (len > 0 && fwrite(p, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static inline void rt_path(char out[512], const char *dir, const char *name)
{
    snprintf(out, 512, "%s/%s", dir, name);
}

/* SHA-256 of a whole file, or all-zero when it cannot be read. */
static inline void rt_file_hash(const char *path, uint8_t out[32])
{
    zkr_buf b = {0};

    memset(out, 0, 32);
    if (zkr_file_read(path, (size_t)1 << 30, &b, NULL) == ZKR_OK)
        zkr_sha256(b.p, b.len, out);
    zkr_buf_free(&b);
}

/* A passphrase held the way zkr_passphrase_read returns it. */
static inline void rt_pass(zkr_secret *s, const char *text)
{
    s->len = strlen(text);
    s->p = malloc(s->len);
    memcpy(s->p, text, s->len);
}

static inline void rt_pass_free(zkr_secret *s)
{
    free(s->p);
    s->p = NULL;
    s->len = 0;
}

#endif
