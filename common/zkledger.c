/*
 * The reveal-budget ledger of hiding commitments: a persisted count of the
 * openings and revealed values spent on each commitment, in a file the
 * caller names (the product's: "<registry>.d/reveal-budget.ledger"), keyed
 * by the commitment (common.h, "The reveal-budget ledger").
 *
 * File: magic "ZKRLEDG1" | be32 version 1 | be32 count | count entries of
 * id[32] | be32 budget | be32 used | be64 reveal_cap | be64 reveals, ids
 * strictly ascending | SHA-256 of every byte before it. Decoded strictly:
 * anything else is a damaged ledger, refused (fail closed).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define LEDGER_HEADER_BYTES 16u

/* One ledger file, locked, in memory. */
typedef struct {
    char *path;      /* the ledger file, its directory resolved; malloc'ed */
    int lock_fd;     /* flock'ed <path>.lock */
    int written;     /* the lock is marked: this ledger has been written (a missing one was deleted) */
    dev_t dev;
    ino_t ino;
    uint8_t *ent;    /* count entries of ZKR_ZKLEDGER_ENTRY_BYTES, ids ascending */
    size_t count;
    int dirty;
} ledger;

void zkr_zkledger_id(const char *kind, const uint8_t *commitment, size_t len,
                     uint8_t id[ZKR_DIGEST_BYTES])
{
    zkr_sha256_ctx h;
    uint8_t le[8];
    size_t kl = strlen(kind);

    zkr_sha256_init(&h);
    zkr_sha256_update(&h, (const uint8_t *)"zkr/zk-ledger/v1", 17); /* with its NUL */
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)((uint64_t)kl >> (8 * i));
    zkr_sha256_update(&h, le, 8);
    zkr_sha256_update(&h, (const uint8_t *)kind, kl);
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)((uint64_t)len >> (8 * i));
    zkr_sha256_update(&h, le, 8);
    zkr_sha256_update(&h, commitment, len);
    zkr_sha256_final(&h, id);
}

static void ledger_free(ledger *l)
{
    if (l->lock_fd >= 0)
        (void)close(l->lock_fd); /* releases the flock */
    free(l->path);
    free(l->ent);
    memset(l, 0, sizeof *l);
    l->lock_fd = -1;
}

/*
 * The canonical name of a ledger file: its directory resolved (symlinks,
 * "." and ".." gone) plus its last component, so one ledger named through
 * two directory paths is locked and counted once.
 */
static zkr_err ledger_path(const char *ledger_path_in, char **out, zkr_diag *d)
{
    const char *slash = strrchr(ledger_path_in, '/');
    const char *base = slash == NULL ? ledger_path_in : slash + 1;
    char dir[PATH_MAX], *real;
    size_t dlen = slash == NULL || slash == ledger_path_in ? 1 : (size_t)(slash - ledger_path_in);
    size_t n;

    *out = NULL;
    if (dlen >= sizeof dir || base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return zkr_fail(d, ZKR_ERR_USAGE, "%s: not a ledger file name", ledger_path_in);
    memcpy(dir, slash == NULL ? "." : ledger_path_in, dlen);
    dir[dlen] = '\0';
    if ((real = realpath(dir, NULL)) == NULL)
        return zkr_fail(d, errno == ENOENT ? ZKR_ERR_NOT_FOUND : ZKR_ERR_IO,
                        "%s: cannot resolve the reveal-budget ledger's directory (%s)",
                        ledger_path_in, strerror(errno));
    n = strlen(real) + 1 + strlen(base) + 1;
    if ((*out = malloc(n)) == NULL) {
        free(real);
        return ZKR_ERR_NOMEM;
    }
    (void)snprintf(*out, n, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
    free(real);
    return ZKR_OK;
}

/* Opens and exclusively flocks <path>.lock (created 0600 on first use). */
static zkr_err ledger_lock(ledger *l, zkr_diag *d)
{
    char lock[PATH_MAX + 16];
    struct stat st;
    int rc;

    if (snprintf(lock, sizeof lock, "%s.lock", l->path) >= (int)sizeof lock)
        return zkr_fail(d, ZKR_ERR_IO, "%s: path too long for its lock file", l->path);
    l->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (l->lock_fd < 0)
        return zkr_fail(d, ZKR_ERR_IO, "%s: cannot open the ledger lock (%s)", lock,
                        strerror(errno));
    do
        rc = flock(l->lock_fd, LOCK_EX);
    while (rc != 0 && errno == EINTR);
    if (rc != 0 || fstat(l->lock_fd, &st) != 0)
        return zkr_fail(d, ZKR_ERR_IO, "%s: cannot lock the ledger (%s)", lock, strerror(errno));
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    l->written = st.st_size > 0;
    return ZKR_OK;
}

/*
 * Marks the lock once its ledger exists. The lock is never renamed or
 * removed, so a marked lock without a ledger is a deleted ledger.
 */
static zkr_err ledger_mark(ledger *l, zkr_diag *d)
{
    if (l->written)
        return ZKR_OK;
    if (pwrite(l->lock_fd, "1", 1, 0) != 1 || fsync(l->lock_fd) != 0)
        return zkr_fail(d, ZKR_ERR_IO, "%s.lock: cannot mark the ledger as written (%s)", l->path,
                        strerror(errno));
    l->written = 1;
    return ZKR_OK;
}

static zkr_err damaged(zkr_diag *d, const char *path, const char *why)
{
    return zkr_fail(d, ZKR_ERR_MALFORMED,
                    "%s: the reveal-budget ledger is damaged (%s); nothing is proven against "
                    "the commitments it counts until it is restored from a backup (it is never "
                    "rebuilt: a fresh count would re-spend their budget)", path, why);
}

static zkr_err ledger_decode(ledger *l, const uint8_t *p, size_t len, zkr_diag *d)
{
    uint8_t sum[ZKR_DIGEST_BYTES];
    uint32_t count;

    if (len < LEDGER_HEADER_BYTES + ZKR_DIGEST_BYTES)
        return damaged(d, l->path, "truncated");
    if (memcmp(p, ZKR_ZKLEDGER_MAGIC, 8) != 0)
        return damaged(d, l->path, "wrong magic");
    if (zkr_load_be32(p + 8) != ZKR_ZKLEDGER_VERSION)
        return damaged(d, l->path, "unknown version");
    count = zkr_load_be32(p + 12);
    if (count > ZKR_ZKLEDGER_MAX_ENTRIES)
        return damaged(d, l->path, "entry count out of range");
    if (len != LEDGER_HEADER_BYTES + (size_t)count * ZKR_ZKLEDGER_ENTRY_BYTES + ZKR_DIGEST_BYTES)
        return damaged(d, l->path, len < LEDGER_HEADER_BYTES + (size_t)count *
                                                ZKR_ZKLEDGER_ENTRY_BYTES + ZKR_DIGEST_BYTES
                                       ? "truncated"
                                       : "trailing bytes");
    zkr_sha256(p, len - ZKR_DIGEST_BYTES, sum);
    if (memcmp(sum, p + len - ZKR_DIGEST_BYTES, ZKR_DIGEST_BYTES) != 0)
        return damaged(d, l->path, "checksum mismatch: altered");
    for (size_t i = 0; i < count; i++) {
        const uint8_t *e = p + LEDGER_HEADER_BYTES + i * ZKR_ZKLEDGER_ENTRY_BYTES;
        if (i > 0 && memcmp(e - ZKR_ZKLEDGER_ENTRY_BYTES, e, ZKR_DIGEST_BYTES) >= 0)
            return damaged(d, l->path, "entries out of order");
        if (zkr_load_be32(e + 36) > zkr_load_be32(e + 32) ||
            zkr_load_be64(e + 48) > zkr_load_be64(e + 40))
            return damaged(d, l->path, "a count above its cap");
    }
    if (count > 0) {
        l->ent = malloc((size_t)count * ZKR_ZKLEDGER_ENTRY_BYTES);
        if (l->ent == NULL)
            return ZKR_ERR_NOMEM;
        memcpy(l->ent, p + LEDGER_HEADER_BYTES, (size_t)count * ZKR_ZKLEDGER_ENTRY_BYTES);
    }
    l->count = count;
    return ZKR_OK;
}

/*
 * Reads the ledger (held locked). A missing file is an empty ledger only
 * while its lock is unmarked (never written); else it was deleted, and a
 * fresh count would re-spend the budget.
 */
static zkr_err ledger_read(ledger *l, zkr_diag *d)
{
    zkr_buf f = {0};
    zkr_err r;
    struct stat st;

    if (lstat(l->path, &st) != 0 && errno == ENOENT)
        return l->written ? damaged(d, l->path, "missing, although its lock records that it was "
                                                "written: deleted")
                          : ZKR_OK;
    r = zkr_file_read(l->path, LEDGER_HEADER_BYTES +
                                   (size_t)ZKR_ZKLEDGER_MAX_ENTRIES * ZKR_ZKLEDGER_ENTRY_BYTES +
                                   ZKR_DIGEST_BYTES, &f, d);
    if (r == ZKR_ERR_TOO_LARGE)
        r = damaged(d, l->path, "over the largest ledger");
    if (r == ZKR_OK)
        r = ledger_decode(l, f.p, f.len, d);
    zkr_buf_free(&f);
    return r;
}

static zkr_err ledger_write(const ledger *l, zkr_diag *d)
{
    size_t body = (size_t)l->count * ZKR_ZKLEDGER_ENTRY_BYTES;
    size_t len = LEDGER_HEADER_BYTES + body + ZKR_DIGEST_BYTES;
    uint8_t *p = malloc(len);
    zkr_err r;

    if (p == NULL)
        return ZKR_ERR_NOMEM;
    memcpy(p, ZKR_ZKLEDGER_MAGIC, 8);
    zkr_store_be32(p + 8, ZKR_ZKLEDGER_VERSION);
    zkr_store_be32(p + 12, (uint32_t)l->count);
    if (body > 0)
        memcpy(p + LEDGER_HEADER_BYTES, l->ent, body);
    zkr_sha256(p, LEDGER_HEADER_BYTES + body, p + LEDGER_HEADER_BYTES + body);
    r = zkr_file_write_atomic(l->path, p, len, 0600, d);
    free(p);
    return r;
}

/* The entry of id, inserted (zero counts, the request's caps) when absent. */
static zkr_err ledger_entry(ledger *l, const zkr_zkledger_req *q, uint8_t **out, zkr_diag *d)
{
    size_t lo = 0, hi = l->count;
    uint8_t *grown, *e;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(l->ent + mid * ZKR_ZKLEDGER_ENTRY_BYTES, q->id, ZKR_DIGEST_BYTES);
        if (c == 0) {
            *out = l->ent + mid * ZKR_ZKLEDGER_ENTRY_BYTES;
            return ZKR_OK;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (l->count >= ZKR_ZKLEDGER_MAX_ENTRIES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: the ledger is full (%u commitments)", l->path,
                        ZKR_ZKLEDGER_MAX_ENTRIES);
    grown = realloc(l->ent, (l->count + 1) * ZKR_ZKLEDGER_ENTRY_BYTES);
    if (grown == NULL)
        return ZKR_ERR_NOMEM;
    l->ent = grown;
    e = l->ent + lo * ZKR_ZKLEDGER_ENTRY_BYTES;
    memmove(e + ZKR_ZKLEDGER_ENTRY_BYTES, e, (l->count - lo) * ZKR_ZKLEDGER_ENTRY_BYTES);
    memcpy(e, q->id, ZKR_DIGEST_BYTES);
    zkr_store_be32(e + 32, q->budget);
    zkr_store_be32(e + 36, 0);
    zkr_store_be64(e + 40, q->reveal_cap);
    zkr_store_be64(e + 48, 0);
    l->count++;
    *out = e;
    return ZKR_OK;
}

/* Applies one request to its (locked, read) ledger, or refuses it. */
static zkr_err ledger_apply(ledger *l, const zkr_zkledger_req *q, zkr_diag *d)
{
    uint32_t budget, used;
    uint64_t cap, reveals;
    uint8_t *e = NULL;
    zkr_err r;

    if ((r = ledger_entry(l, q, &e, d)) != ZKR_OK)
        return r;
    /* The stricter caps win: a request never widens what an entry allows. */
    budget = zkr_load_be32(e + 32) < q->budget ? zkr_load_be32(e + 32) : q->budget;
    cap = zkr_load_be64(e + 40) < q->reveal_cap ? zkr_load_be64(e + 40) : q->reveal_cap;
    used = zkr_load_be32(e + 36);
    reveals = zkr_load_be64(e + 48);
    if (q->openings > budget - (used < budget ? used : budget) ||
        q->reveals > cap - (reveals < cap ? reveals : cap))
        return zkr_fail(d, ZKR_ERR_EXPIRED,
                        "the reveal budget of the %s is spent (%u of %u openings and %llu of "
                        "%llu revealed values used; this proof needs %u and %llu; ledger %s): "
                        "a further proof would leak what it hides; commit again with fresh "
                        "randomness (a new commitment) to prove more",
                        q->what, used, budget, (unsigned long long)reveals,
                        (unsigned long long)cap, q->openings, (unsigned long long)q->reveals,
                        l->path);
    zkr_store_be32(e + 32, budget);
    zkr_store_be32(e + 36, used + q->openings);
    zkr_store_be64(e + 40, cap);
    zkr_store_be64(e + 48, reveals + q->reveals);
    l->dirty = 1;
    return ZKR_OK;
}

/* Is the file at path there and not empty? */
static int nonempty(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0 && st.st_size > 0;
}

/*
 * Imports request q's counts from the ledger an earlier version kept beside
 * the secrets (<realpath(q->legacy)>.ledger) into its entry of l: the
 * larger used counts and the smaller caps win, so an import is idempotent
 * and never widens a budget. That ledger is only read (written by atomic
 * renames, so read whole or not at all); a missing one whose lock was
 * marked was deleted: refused, as the ledger itself would be.
 */
static zkr_err import_legacy(ledger *l, const zkr_zkledger_req *q, zkr_diag *d)
{
    ledger old;
    char lock[PATH_MAX + 16];
    char *real = NULL;
    uint8_t *e = NULL;
    zkr_err r = ZKR_OK;

    memset(&old, 0, sizeof old);
    old.lock_fd = -1;
    if (q->legacy == NULL)
        return ZKR_OK;
    if ((real = realpath(q->legacy, NULL)) == NULL)
        return zkr_fail(d, errno == ENOENT ? ZKR_ERR_NOT_FOUND : ZKR_ERR_IO,
                        "%s: cannot resolve the secrets file (%s)", q->legacy, strerror(errno));
    if (snprintf(lock, sizeof lock, "%s.ledger.lock", real) >= (int)sizeof lock ||
        (old.path = malloc(strlen(real) + sizeof ".ledger")) == NULL) {
        r = old.path == NULL ? ZKR_ERR_NOMEM : zkr_fail(d, ZKR_ERR_IO, "%s: path too long", real);
        goto out;
    }
    (void)snprintf(old.path, strlen(real) + sizeof ".ledger", "%s.ledger", real);
    old.written = nonempty(lock);
    if ((r = ledger_read(&old, d)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < old.count; i++) {
        const uint8_t *o = old.ent + i * ZKR_ZKLEDGER_ENTRY_BYTES;
        uint32_t budget, used;
        uint64_t cap, reveals;
        if (memcmp(o, q->id, ZKR_DIGEST_BYTES) != 0)
            continue;
        if ((r = ledger_entry(l, q, &e, d)) != ZKR_OK)
            goto out;
        budget = zkr_load_be32(e + 32) < zkr_load_be32(o + 32) ? zkr_load_be32(e + 32)
                                                                 : zkr_load_be32(o + 32);
        used = zkr_load_be32(e + 36) > zkr_load_be32(o + 36) ? zkr_load_be32(e + 36)
                                                               : zkr_load_be32(o + 36);
        cap = zkr_load_be64(e + 40) < zkr_load_be64(o + 40) ? zkr_load_be64(e + 40)
                                                              : zkr_load_be64(o + 40);
        reveals = zkr_load_be64(e + 48) > zkr_load_be64(o + 48) ? zkr_load_be64(e + 48)
                                                                  : zkr_load_be64(o + 48);
        /* A smaller cap than a count: spent is spent (and the entry stays well-formed). */
        zkr_store_be32(e + 32, budget);
        zkr_store_be32(e + 36, used < budget ? used : budget);
        zkr_store_be64(e + 40, cap);
        zkr_store_be64(e + 48, reveals < cap ? reveals : cap);
        l->dirty = 1;
    }
out:
    free(real);
    ledger_free(&old);
    return r;
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(((const ledger *)a)->path, ((const ledger *)b)->path);
}

static zkr_err check_req(const zkr_zkledger_req *q)
{
    if (q->ledger == NULL || q->what == NULL || q->budget == 0 || q->reveal_cap == 0 ||
        (q->openings == 0 && q->reveals == 0))
        return ZKR_ERR_USAGE;
    return ZKR_OK;
}

/*
 * Locks the distinct ledgers of reqs in path order (two reservers never
 * wait on each other crosswise); the same file under two names is locked
 * once (flock locks per open file, so a second lock would self-deadlock).
 * owner[i] gets the index in ls of request i's ledger.
 */
static zkr_err lock_all(const zkr_zkledger_req *reqs, size_t n, ledger *ls, size_t *nl,
                        size_t *owner, zkr_diag *d)
{
    zkr_err r;

    *nl = 0;
    for (size_t i = 0; i < n; i++) {
        char *p;
        size_t j;
        if ((r = ledger_path(reqs[i].ledger, &p, d)) != ZKR_OK)
            return r;
        for (j = 0; j < *nl && strcmp(ls[j].path, p) != 0; j++)
            ;
        if (j < *nl) {
            free(p);
            continue;
        }
        ls[(*nl)++].path = p;
    }
    qsort(ls, *nl, sizeof *ls, path_cmp);
    for (size_t j = 0; j < *nl; j++) {
        if ((r = ledger_lock(&ls[j], d)) != ZKR_OK)
            return r;
        for (size_t k = 0; k < j; k++)
            if (ls[k].dev == ls[j].dev && ls[k].ino == ls[j].ino)
                return zkr_fail(d, ZKR_ERR_USAGE, "%s and %s are one ledger under two names",
                                ls[k].path, ls[j].path);
    }
    for (size_t i = 0; i < n; i++) {
        char *p;
        if ((r = ledger_path(reqs[i].ledger, &p, d)) != ZKR_OK)
            return r;
        for (size_t j = 0; j < *nl; j++)
            if (strcmp(ls[j].path, p) == 0)
                owner[i] = j;
        free(p);
    }
    return ZKR_OK;
}

zkr_err zkr_zkledger_reserve(const zkr_zkledger_req *reqs, size_t n, zkr_diag *d)
{
    ledger ls[ZKR_ZKLEDGER_MAX_REQS];
    size_t owner[ZKR_ZKLEDGER_MAX_REQS], nl = 0;
    zkr_err r = ZKR_OK;

    if (reqs == NULL || n == 0 || n > ZKR_ZKLEDGER_MAX_REQS)
        return zkr_fail(d, ZKR_ERR_USAGE, "zkledger: 1..%u reservations at once",
                        ZKR_ZKLEDGER_MAX_REQS);
    for (size_t i = 0; i < n; i++)
        if (check_req(&reqs[i]) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_USAGE, "zkledger: a reservation without budget or need");
    memset(ls, 0, sizeof ls);
    for (size_t j = 0; j < ZKR_ZKLEDGER_MAX_REQS; j++)
        ls[j].lock_fd = -1;
    if ((r = lock_all(reqs, n, ls, &nl, owner, d)) != ZKR_OK)
        goto out;
    for (size_t j = 0; j < nl; j++)
        if ((r = ledger_read(&ls[j], d)) != ZKR_OK)
            goto out;
    for (size_t i = 0; i < n; i++)
        if ((r = import_legacy(&ls[owner[i]], &reqs[i], d)) != ZKR_OK ||
            (r = ledger_apply(&ls[owner[i]], &reqs[i], d)) != ZKR_OK)
            goto out;
    zkr_test_pause("zk-ledger"); /* test builds: held between the read and the write */
    for (size_t j = 0; j < nl; j++)
        if (ls[j].dirty &&
            ((r = ledger_write(&ls[j], d)) != ZKR_OK || (r = ledger_mark(&ls[j], d)) != ZKR_OK))
            goto out;
out:
    for (size_t j = 0; j < ZKR_ZKLEDGER_MAX_REQS; j++)
        ledger_free(&ls[j]);
    return r;
}

zkr_err zkr_zkledger_get(const char *ledger_file, const uint8_t id[ZKR_DIGEST_BYTES],
                         zkr_zkledger_entry *e, int *found, zkr_diag *d)
{
    ledger l;
    zkr_err r;

    memset(e, 0, sizeof *e);
    *found = 0;
    memset(&l, 0, sizeof l);
    l.lock_fd = -1;
    if ((r = ledger_path(ledger_file, &l.path, d)) != ZKR_OK ||
        (r = ledger_lock(&l, d)) != ZKR_OK || (r = ledger_read(&l, d)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < l.count; i++) {
        const uint8_t *p = l.ent + i * ZKR_ZKLEDGER_ENTRY_BYTES;
        if (memcmp(p, id, ZKR_DIGEST_BYTES) == 0) {
            e->budget = zkr_load_be32(p + 32);
            e->used = zkr_load_be32(p + 36);
            e->reveal_cap = zkr_load_be64(p + 40);
            e->reveals = zkr_load_be64(p + 48);
            *found = 1;
        }
    }
out:
    ledger_free(&l);
    return r;
}
