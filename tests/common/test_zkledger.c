/*
 * The reveal-budget ledger (common/zkledger.c), TAP, with real processes
 * and a real file system: reservations made by separate processes add up
 * and the one past the budget is refused; two ledgers reserve all or
 * nothing; a reserver held (test pause hook) between its read and its
 * write cannot let a concurrent one take the same last opening, and a
 * bounded stress loop of concurrent reservers never overspends; a
 * truncated, extended, flipped or reordered ledger is refused and left as
 * it was (fail closed).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "tap.h"
#include "zkr_config.h"

static char dir[512];

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void touch(const char *name)
{
    char p[600];
    int fd;

    path_of(p, sizeof p, name);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0)
        (void)close(fd);
}

static zkr_zkledger_req req(const char *secrets, const char *what, uint8_t tag, uint32_t budget,
                            uint64_t cap, uint32_t openings, uint64_t reveals)
{
    static char paths[4][620]; /* test-only scratch: requests point at these names */
    static int next;
    zkr_zkledger_req q;
    uint8_t pub[49];
    char *p = paths[next++ & 3];

    /* The layout of the earlier versions: the ledger beside the secrets it counts. */
    path_of(p, 600, secrets);
    strcat(p, ".ledger");
    memset(pub, tag, sizeof pub);
    memset(&q, 0, sizeof q);
    q.ledger = p;
    q.what = what;
    zkr_zkledger_id("record@1", pub, sizeof pub, q.id);
    q.budget = budget;
    q.reveal_cap = cap;
    q.openings = openings;
    q.reveals = reveals;
    return q;
}

/* Runs one reservation in a child process; returns its zkr_err (negated exit) or 99. */
static int reserve_in_child(const zkr_zkledger_req *q, size_t n, const char *pause_fifo)
{
    pid_t pid = fork();
    int st;

    if (pid == 0) {
        zkr_diag d;
        if (pause_fifo != NULL) {
            setenv("ZKREG_TEST_PAUSE_AT", "zk-ledger", 1);
            setenv("ZKREG_TEST_PAUSE_FIFO", pause_fifo, 1);
        } else {
            unsetenv("ZKREG_TEST_PAUSE_AT");
        }
        zkr_diag_clear(&d);
        _exit(-zkr_zkledger_reserve(q, n, &d));
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return 99;
    return -WEXITSTATUS(st);
}

static uint32_t used_of(const zkr_zkledger_req *q)
{
    zkr_zkledger_entry e;
    zkr_diag d;
    int found = 0;

    zkr_diag_clear(&d);
    if (zkr_zkledger_get(q->ledger, q->id, &e, &found, &d) != ZKR_OK || !found)
        return UINT32_MAX;
    return e.used;
}

static void test_processes_in_a_row(zkr_tap *t)
{
    zkr_zkledger_req q = req("s1", "record 0 commitment", 1, 4, 100, 2, 1);
    zkr_zkledger_req other = req("s1", "record 1 commitment", 2, 4, 100, 2, 1);
    zkr_diag d;
    int r;

    touch("s1");
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_OK, "process 1 reserves 2 of 4 openings");
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_OK, "process 2 reserves the last 2");
    ZKR_TAP_EQ(t, used_of(&q), 4u, "the ledger holds 4 used");
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_ERR_EXPIRED,
               "process 3 is refused: budget spent");
    zkr_diag_clear(&d);
    r = zkr_zkledger_reserve(&q, 1, &d);
    zkr_tap_ok(t, r == ZKR_ERR_EXPIRED && strstr(d.msg, "record 0 commitment") &&
                      strstr(d.msg, "4 of 4 openings"),
               "the refusal names the commitment and its counts (%s)", d.msg);
    ZKR_TAP_EQ(t, used_of(&q), 4u, "a refusal spends nothing");
    ZKR_TAP_EQ(t, reserve_in_child(&other, 1, NULL), ZKR_OK,
               "another commitment in the same ledger has its own count");
    /* Reveal cap: separate from openings. */
    q = req("s1", "record 2 commitment", 3, 100, 3, 1, 2);
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_OK, "2 of 3 revealed values");
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_ERR_EXPIRED,
               "2 more revealed values are refused although openings remain");
    /* The stricter cap wins: a request cannot widen a stored budget. */
    q = req("s1", "record 0 commitment", 1, 1000, 1000, 1, 0);
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_ERR_EXPIRED,
               "a request with a larger budget does not reopen a spent commitment");
}

static void test_all_or_nothing(zkr_tap *t)
{
    zkr_zkledger_req two[2];
    char alias[600], target[620];

    touch("m");
    touch("d");
    two[0] = req("m", "model commitment", 7, 3, 100, 2, 1);
    two[1] = req("d", "record 5 commitment", 8, 1, 100, 1, 1);
    ZKR_TAP_EQ(t, reserve_in_child(two, 2, NULL), ZKR_OK, "model and record reserved together");
    ZKR_TAP_EQ(t, reserve_in_child(two, 2, NULL), ZKR_ERR_EXPIRED,
               "the record's budget is spent: refused");
    ZKR_TAP_EQ(t, used_of(&two[0]), 2u, "the model's openings were not taken by the refusal");
    /* One ledger named through a second directory path (a symlink) is locked once. */
    path_of(alias, sizeof alias, "self");
    zkr_tap_ok(t, symlink(dir, alias) == 0, "a symlink to the ledger's directory");
    snprintf(target, sizeof target, "%s/m.ledger", alias);
    two[1] = two[0];
    two[1].ledger = target;
    two[0].openings = 1;
    two[1].openings = 1;
    ZKR_TAP_EQ(t, reserve_in_child(two, 2, NULL), ZKR_ERR_EXPIRED,
               "two requests through two names add up (2 + 1 + 1 > 3) and do not deadlock");
    two[1].openings = 0;
    ZKR_TAP_EQ(t, reserve_in_child(two, 2, NULL), ZKR_OK, "2 + 1 + 0 fits");
    ZKR_TAP_EQ(t, used_of(&two[0]), 3u, "one ledger saw both requests");
}

/*
 * The ledger is named by the caller, not by the secrets: the counts an
 * earlier version kept beside the secrets (<secrets>.ledger) are imported
 * through `legacy`, so an upgrade re-spends nothing; a damaged or deleted
 * one is refused like the ledger itself.
 */
static void test_legacy(zkr_tap *t)
{
    zkr_zkledger_req old = req("h", "record 9 commitment", 9, 3, 100, 1, 1);
    zkr_zkledger_req q = old, other;
    char central[600], secrets[600], renamed[600];
    zkr_diag d;
    zkr_err r;

    touch("h");
    path_of(central, sizeof central, "central.ledger");
    path_of(secrets, sizeof secrets, "h");
    path_of(renamed, sizeof renamed, "h-renamed");
    q.ledger = central;
    q.legacy = secrets;
    ZKR_TAP_EQ(t, reserve_in_child(&old, 1, NULL), ZKR_OK,
               "an opening counted beside the secrets (the earlier layout)");
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_OK, "the central ledger imports it: 2 of 3");
    ZKR_TAP_EQ(t, used_of(&q), 2u, "the central entry counts the imported opening");
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_OK, "3 of 3");
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_ERR_EXPIRED,
               "a fourth is refused (the import is counted once, not again)");
    zkr_tap_ok(t, rename(secrets, renamed) == 0, "the secrets renamed");
    q.legacy = renamed;
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_ERR_EXPIRED,
               "through the new name: the central entry is spent");
    /* A spent old ledger is imported even into a fresh central one. */
    zkr_tap_ok(t, rename(renamed, secrets) == 0, "the old name again");
    path_of(central, sizeof central, "central2.ledger");
    q.legacy = secrets;
    old.openings = 1;
    ZKR_TAP_EQ(t, reserve_in_child(&old, 1, NULL), ZKR_OK, "the old ledger itself: 2 of 3");
    q.openings = 2;
    zkr_diag_clear(&d);
    r = zkr_zkledger_reserve(&q, 1, &d);
    zkr_tap_ok(t, r == ZKR_ERR_EXPIRED && strstr(d.msg, "2 of 3 openings"),
               "a fresh central ledger sees the old count (%s)", d.msg);
    zkr_tap_ok(t, access(central, F_OK) != 0, "and the refusal wrote nothing");
    /* An entry for another commitment in the old ledger is not imported. */
    other = req("h", "record 10 commitment", 10, 1, 100, 1, 1);
    other.ledger = central;
    other.legacy = secrets;
    ZKR_TAP_EQ(t, reserve_in_child(&other, 1, NULL), ZKR_OK, "another commitment: its own count");
    /* A damaged, then a deleted old ledger: refused, the central one untouched. */
    {
        char lp[700];
        snprintf(lp, sizeof lp, "%s.ledger", secrets);
        q.openings = 1;
        zkr_tap_ok(t, truncate(lp, 20) == 0, "the old ledger truncated");
        zkr_diag_clear(&d);
        r = zkr_zkledger_reserve(&q, 1, &d);
        zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "damaged") && strstr(d.msg, lp),
                   "a damaged old ledger is refused, naming it (%s)", d.msg);
        zkr_tap_ok(t, unlink(lp) == 0, "the old ledger deleted (its lock stays)");
        zkr_diag_clear(&d);
        r = zkr_zkledger_reserve(&q, 1, &d);
        zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "deleted"),
                   "a deleted old ledger is refused (%s)", d.msg);
        ZKR_TAP_EQ(t, used_of(&other), 1u, "the central ledger is as it was");
    }
}

/* A deleted ledger is refused (its lock says it was written); a crash before the first write is not. */
static void test_deleted(zkr_tap *t)
{
    zkr_zkledger_req q = req("del", "record 4 commitment", 4, 1, 100, 1, 1);
    zkr_zkledger_req q2 = req("del2", "record 4 commitment", 4, 1, 100, 1, 1);
    char lp[700], lock2[700];
    zkr_diag d;
    int r, fd;

    touch("del");
    ZKR_TAP_EQ(t, reserve_in_child(&q, 1, NULL), ZKR_OK, "the only opening of a budget of 1");
    snprintf(lp, sizeof lp, "%s", q.ledger);
    zkr_tap_ok(t, unlink(lp) == 0, "the ledger deleted (its lock stays)");
    zkr_diag_clear(&d);
    r = zkr_zkledger_reserve(&q, 1, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "deleted"),
               "a deleted ledger is refused, not restarted from zero (%s)", d.msg);
    zkr_tap_ok(t, access(lp, F_OK) != 0, "and not rebuilt");
    /* A crash after creating the lock and before the first write leaves an unmarked lock. */
    touch("del2");
    snprintf(lock2, sizeof lock2, "%s.lock", q2.ledger);
    fd = open(lock2, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0)
        (void)close(fd);
    ZKR_TAP_EQ(t, reserve_in_child(&q2, 1, NULL), ZKR_OK,
               "an empty lock without a ledger (never written) is a fresh ledger");
    ZKR_TAP_EQ(t, reserve_in_child(&q2, 1, NULL), ZKR_ERR_EXPIRED, "which then counts");
}

#if ZKR_TEST_BUILD
static int wait_file(const char *p)
{
    struct stat st;

    /* Bounded: 30 s of 10 ms polls; no timing is asserted, it only avoids a hang. */
    for (int i = 0; i < 3000; i++) {
        if (stat(p, &st) == 0)
            return 1;
        usleep(10000);
    }
    return 0;
}
#endif

static void test_race(zkr_tap *t)
{
#if ZKR_TEST_BUILD
    zkr_zkledger_req q = req("race", "record 9 commitment", 9, 1, 10, 1, 1);
    char fifo[600], reached[620];
    pid_t a, b;
    int sa = 0, sb = 0, wfd;

    touch("race");
    path_of(fifo, sizeof fifo, "pause.fifo");
    snprintf(reached, sizeof reached, "%s.reached", fifo);
    zkr_tap_ok(t, mkfifo(fifo, 0600) == 0, "pause fifo");
    a = fork();
    if (a == 0) {
        zkr_diag d;
        setenv("ZKREG_TEST_PAUSE_AT", "zk-ledger", 1);
        setenv("ZKREG_TEST_PAUSE_FIFO", fifo, 1);
        _exit(-zkr_zkledger_reserve(&q, 1, &d));
    }
    zkr_tap_ok(t, wait_file(reached), "prover A holds the lock, its read done, paused before its write");
    b = fork();
    if (b == 0) {
        zkr_diag d;
        unsetenv("ZKREG_TEST_PAUSE_AT");
        _exit(-zkr_zkledger_reserve(&q, 1, &d));
    }
    /* B is running or already blocked on the lock; release A whichever. */
    wfd = open(fifo, O_WRONLY);
    if (wfd >= 0)
        (void)close(wfd);
    (void)waitpid(a, &sa, 0);
    (void)waitpid(b, &sb, 0);
    zkr_tap_ok(t, WIFEXITED(sa) && -WEXITSTATUS(sa) == ZKR_OK, "A took the last opening");
    zkr_tap_ok(t, WIFEXITED(sb) && -WEXITSTATUS(sb) == ZKR_ERR_EXPIRED,
               "B, started while A held it, is refused: two provers never share the last opening");
    ZKR_TAP_EQ(t, used_of(&q), 1u, "the ledger says 1 of 1");
#else
    zkr_tap_ok(t, 1, "race hook needs a test build (the stress loop below still runs)");
#endif
}

static void test_stress(zkr_tap *t)
{
    enum { ROUNDS = 4, PROCS = 6, BUDGET = 3 };
    int exact = 1;

    touch("stress");
    for (int round = 0; round < ROUNDS; round++) {
        zkr_zkledger_req q = req("stress", "stress commitment", (uint8_t)(20 + round), BUDGET, 100,
                                 1, 1);
        pid_t pids[PROCS];
        int ok = 0, refused = 0;
        for (int i = 0; i < PROCS; i++) {
            pids[i] = fork();
            if (pids[i] == 0) {
                zkr_diag d;
                unsetenv("ZKREG_TEST_PAUSE_AT");
                _exit(-zkr_zkledger_reserve(&q, 1, &d));
            }
        }
        for (int i = 0; i < PROCS; i++) {
            int st = 0;
            (void)waitpid(pids[i], &st, 0);
            if (WIFEXITED(st) && -WEXITSTATUS(st) == ZKR_OK)
                ok++;
            else if (WIFEXITED(st) && -WEXITSTATUS(st) == ZKR_ERR_EXPIRED)
                refused++;
        }
        if (ok != BUDGET || refused != PROCS - BUDGET || used_of(&q) != BUDGET)
            exact = 0;
    }
    zkr_tap_ok(t, exact, "%d rounds of %d concurrent reservers on a budget of %d: exactly %d each",
               ROUNDS, PROCS, BUDGET, BUDGET);
}

static int read_all(const char *p, uint8_t *buf, size_t cap, size_t *len)
{
    int fd = open(p, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read(fd, buf, cap);
    (void)close(fd);
    if (n < 0)
        return 0;
    *len = (size_t)n;
    return 1;
}

static int write_all(const char *p, const uint8_t *buf, size_t len)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;

    if (fd >= 0)
        (void)close(fd);
    return ok;
}

static void expect_damaged(zkr_tap *t, const zkr_zkledger_req *q, const char *lp,
                           const uint8_t *bytes, size_t len, const char *why, const char *what)
{
    uint8_t after[4096];
    size_t alen = 0;
    zkr_diag d;
    zkr_err r;

    if (!write_all(lp, bytes, len)) {
        zkr_tap_ok(t, 0, "write the damaged ledger");
        return;
    }
    zkr_diag_clear(&d);
    r = zkr_zkledger_reserve(q, 1, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "damaged") && strstr(d.msg, why) &&
                      read_all(lp, after, sizeof after, &alen) && alen == len &&
                      memcmp(after, bytes, len) == 0,
               "%s: refused, left as it was (%s)", what, d.msg);
}

static void test_damaged(zkr_tap *t)
{
    zkr_zkledger_req q = req("dmg", "record 3 commitment", 30, 8, 100, 1, 1);
    zkr_zkledger_req q2 = req("dmg", "record 4 commitment", 31, 8, 100, 1, 1);
    uint8_t good[4096], bad[4096];
    size_t len = 0, flips_ok = 1;
    char lp[700], sp[600];
    zkr_diag d;

    touch("dmg");
    path_of(sp, sizeof sp, "dmg");
    snprintf(lp, sizeof lp, "%s.ledger", sp);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_zkledger_reserve(&q, 1, &d) == ZKR_OK &&
                      zkr_zkledger_reserve(&q2, 1, &d) == ZKR_OK,
               "two entries written (%s)", d.msg);
    if (!read_all(lp, good, sizeof good, &len))
        len = 0;
    zkr_tap_ok(t, len == 16 + 2 * 56 + 32, "ledger is header, 2 entries, checksum (%zu bytes)",
               len);
    expect_damaged(t, &q, lp, good, len - 1, "truncated", "one byte short");
    expect_damaged(t, &q, lp, good, 20, "truncated", "cut inside an entry");
    expect_damaged(t, &q, lp, good, 0, "truncated", "emptied");
    memcpy(bad, good, len);
    bad[len] = 0;
    expect_damaged(t, &q, lp, bad, len + 1, "trailing", "one byte more");
    memcpy(bad, good, len);
    bad[0] ^= 1;
    expect_damaged(t, &q, lp, bad, len, "magic", "wrong magic");
    /* A flip of every byte past the magic (bit i mod 8) is refused: the checksum covers each. */
    for (size_t i = 8; i < len && flips_ok; i++) {
        memcpy(bad, good, len);
        bad[i] ^= (uint8_t)(1u << (i % 8));
        if (!write_all(lp, bad, len))
            flips_ok = 0;
        zkr_diag_clear(&d);
        if (zkr_zkledger_reserve(&q, 1, &d) != ZKR_ERR_MALFORMED)
            flips_ok = 0;
    }
    zkr_tap_ok(t, flips_ok, "a bit flip in any byte of the ledger is refused as damaged");
    /* A used count rolled back with a recomputed checksum is accepted: the ledger is not
       authenticated (docs/threat-model.md); entries out of order are not. */
    memcpy(bad, good, len);
    memcpy(bad + 16, good + 16 + 56, 56);
    memcpy(bad + 16 + 56, good + 16, 56);
    zkr_sha256(bad, len - 32, bad + len - 32);
    expect_damaged(t, &q, lp, bad, len, "out of order", "entries swapped, checksum recomputed");
    zkr_tap_ok(t, write_all(lp, good, len), "restore the ledger");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_zkledger_reserve(&q, 1, &d) == ZKR_OK && used_of(&q) == 2,
               "the restored ledger counts on (%s)", d.msg);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

    zkr_tap_init(&t, argc, argv);
    signal(SIGPIPE, SIG_IGN);
    snprintf(dir, sizeof dir, "%s/zkr-ledger-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL)
        return 1;
    test_processes_in_a_row(&t);
    test_all_or_nothing(&t);
    test_legacy(&t);
    test_deleted(&t);
    test_race(&t);
    test_stress(&t);
    test_damaged(&t);
    {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            zkr_tap_diag("could not remove %s", dir);
    }
    return zkr_tap_done(&t);
}
