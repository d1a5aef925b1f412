/*
 * bundle_pick: a test tool that plays the holder of a validly signed
 * bundle who drops entries or alters what the signature does not cover.
 * It copies the header (verifier key and signed checkpoint) and only the
 * entries whose log type is listed (or, with -v, not listed), each with its
 * original inclusion proof, so every entry it keeps still verifies against
 * the signed checkpoint. In a version 2 bundle the evaluation proofs of
 * kept round-outcome entries are kept.
 *
 *   bundle_pick [-v] IN OUT TYPE...
 *   bundle_pick -V IN OUT TYPE...               as -v, keeping every evaluation
 *                                               proof (even of dropped outcomes)
 *   bundle_pick --eval-list IN                  one line per carried proof:
 *                                               "K OUTCOME_INDEX SID LENGTH"
 *   bundle_pick --eval-flip IN OUT K OFFSET     flips proof K's byte OFFSET
 *   bundle_pick --eval-cut IN OUT K LENGTH      cuts proof K to LENGTH bytes
 *   bundle_pick --eval-swap IN OUT I J          swaps proofs I and J (not
 *                                               their outcomes or statement ids)
 *   bundle_pick --eval-sid IN OUT K HEX         sets proof K's statement id
 *   bundle_pick --eval-outcome IN OUT K INDEX   moves proof K to log entry INDEX
 *   bundle_pick --eval-file IN OUT K FILE       replaces proof K's bytes by FILE's
 *   bundle_pick --eval-v1 IN OUT                the bundle as format version 1
 *                                               (its entries only)
 *
 * Exit 0 on success, 1 on a malformed bundle, 2 on usage or I/O errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "registry/registry.h"

#define MAX_EVALS 4096

typedef struct {
    uint64_t outcome;
    uint8_t sid[32];
    const uint8_t *proof;
    size_t len;
    int keep;
} eval_entry;

static int listed(const char *type, char **types, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(type, types[i]) == 0)
            return 1;
    return 0;
}

/* Whether `index` is among the n kept indices. */
static int kept_index(const uint64_t *kept, uint32_t n, uint64_t index)
{
    for (uint32_t i = 0; i < n; i++)
        if (kept[i] == index)
            return 1;
    return 0;
}

/* Parses the evaluation proofs of a version 2 bundle from d. */
static int parse_evals(zkr_dec *d, eval_entry *ev, uint32_t *m)
{
    const uint8_t *sid;

    if (zkr_dec_u32(d, m) != ZKR_OK || *m > MAX_EVALS)
        return 1;
    for (uint32_t i = 0; i < *m; i++) {
        if (zkr_dec_u64(d, &ev[i].outcome) != ZKR_OK || zkr_dec_raw(d, 32, &sid) != ZKR_OK ||
            zkr_dec_bytes(d, (size_t)1 << 30, &ev[i].proof, &ev[i].len) != ZKR_OK)
            return 1;
        memcpy(ev[i].sid, sid, 32);
        ev[i].keep = 1;
    }
    return zkr_dec_finish(d) != ZKR_OK;
}

static int write_evals(zkr_buf *out, const eval_entry *ev, uint32_t m)
{
    uint32_t k = 0;

    for (uint32_t i = 0; i < m; i++)
        k += (uint32_t)ev[i].keep;
    if (zkr_enc_u32(out, k) != ZKR_OK)
        return 2;
    for (uint32_t i = 0; i < m; i++)
        if (ev[i].keep && (zkr_enc_u64(out, ev[i].outcome) != ZKR_OK ||
                           zkr_buf_append(out, ev[i].sid, 32) != ZKR_OK ||
                           zkr_enc_bytes(out, ev[i].proof, ev[i].len) != ZKR_OK))
            return 2;
    return 0;
}

/*
 * Copies the kept entries of `in` after its header into out (all with
 * types NULL), and returns its evaluation proofs in ev (version 2).
 */
static int pick(const zkr_buf *in, int invert, char **types, int n_types, zkr_buf *out,
                eval_entry *ev, uint32_t *m)
{
    const uint8_t *vk, *note;
    size_t vk_len, note_len;
    uint32_t count, kept = 0;
    uint64_t *kept_idx;
    size_t count_at;
    int version, rc = 0;
    zkr_dec d;

    *m = 0;
    if (in->len < 8 || memcmp(in->p, "ZKRBNDL", 7) != 0 || (in->p[7] != '1' && in->p[7] != '2'))
        return 1;
    version = in->p[7] - '0';
    zkr_dec_init(&d, in->p + 8, in->len - 8);
    if (zkr_dec_bytes(&d, 1 << 16, &vk, &vk_len) != ZKR_OK ||
        zkr_dec_bytes(&d, 1 << 16, &note, &note_len) != ZKR_OK || zkr_dec_u32(&d, &count) != ZKR_OK)
        return 1;
    if (zkr_buf_append(out, in->p, 8) != ZKR_OK || zkr_enc_bytes(out, vk, vk_len) != ZKR_OK ||
        zkr_enc_bytes(out, note, note_len) != ZKR_OK)
        return 2;
    count_at = out->len;
    if (zkr_enc_u32(out, 0) != ZKR_OK || (kept_idx = calloc(count + 1, 8)) == NULL)
        return 2;
    for (uint32_t i = 0; i < count && rc == 0; i++) {
        size_t start = 8 + d.pos, end;
        const uint8_t *leaf, *path, *payload;
        size_t leaf_len, payload_len;
        uint64_t index;
        uint8_t plen;
        char type[ZKR_IDENT_MAX + 1];
        int64_t time;
        if (zkr_dec_u64(&d, &index) != ZKR_OK ||
            zkr_dec_bytes(&d, (size_t)4 << 20, &leaf, &leaf_len) != ZKR_OK ||
            zkr_dec_u8(&d, &plen) != ZKR_OK || zkr_dec_raw(&d, (size_t)plen * 32, &path) != ZKR_OK ||
            zkr_log_leaf_decode(leaf, leaf_len, type, &time, &payload, &payload_len) != ZKR_OK) {
            rc = 1;
            break;
        }
        end = 8 + d.pos;
        if (types == NULL || listed(type, types, n_types) != invert) {
            if (zkr_buf_append(out, in->p + start, end - start) != ZKR_OK)
                rc = 2;
            kept_idx[kept++] = index;
        }
    }
    if (rc == 0 && version == 1 && zkr_dec_finish(&d) != ZKR_OK)
        rc = 1;
    if (rc == 0 && version == 2 && (rc = parse_evals(&d, ev, m)) == 0)
        for (uint32_t i = 0; i < *m; i++)
            ev[i].keep = kept_index(kept_idx, kept, ev[i].outcome);
    free(kept_idx);
    if (rc == 0)
        zkr_store_be32(out->p + count_at, kept);
    return rc;
}

/* The --eval-* edits: ev[k] altered as the mode says. */
static int eval_edit(const char *mode, eval_entry *ev, uint32_t m, char **arg, uint8_t **owned)
{
    unsigned long k = strtoul(arg[0], NULL, 10), x = strtoul(arg[1], NULL, 10);

    if (k >= m)
        return 2;
    if (strcmp(mode, "--eval-flip") == 0) {
        if (x >= ev[k].len || (*owned = malloc(ev[k].len)) == NULL)
            return 2;
        memcpy(*owned, ev[k].proof, ev[k].len);
        (*owned)[x] ^= 0xff;
        ev[k].proof = *owned;
    } else if (strcmp(mode, "--eval-cut") == 0) {
        if (x > ev[k].len)
            return 2;
        ev[k].len = x;
    } else if (strcmp(mode, "--eval-swap") == 0) {
        const uint8_t *p = ev[k].proof;
        size_t l = ev[k].len;
        if (x >= m)
            return 2;
        ev[k].proof = ev[x].proof;
        ev[k].len = ev[x].len;
        ev[x].proof = p;
        ev[x].len = l;
    } else if (strcmp(mode, "--eval-file") == 0) {
        zkr_buf f = {0};
        if (zkr_file_read(arg[1], (size_t)1 << 30, &f, NULL) != ZKR_OK)
            return 2;
        *owned = f.p; /* freed by the caller */
        ev[k].proof = f.p;
        ev[k].len = f.len;
    } else if (strcmp(mode, "--eval-outcome") == 0) {
        ev[k].outcome = strtoull(arg[1], NULL, 10);
    } else if (strcmp(mode, "--eval-sid") == 0) {
        if (strlen(arg[1]) != 64 || zkr_hex_decode_exact(arg[1], ev[k].sid, 32) != ZKR_OK)
            return 2;
    } else {
        return 2;
    }
    return 0;
}

static int eval_main(int argc, char **argv)
{
    static eval_entry ev[MAX_EVALS];
    zkr_buf in = {0}, out = {0};
    uint8_t *owned = NULL;
    uint32_t m = 0;
    int list = strcmp(argv[1], "--eval-list") == 0, v1 = strcmp(argv[1], "--eval-v1") == 0, rc;

    if (argc != (list ? 3 : v1 ? 4 : 6)) {
        fprintf(stderr, "bundle_pick: usage (see the source's comment)\n");
        return 2;
    }
    if (zkr_file_read(argv[2], (size_t)1 << 30, &in, NULL) != ZKR_OK)
        return 2;
    rc = pick(&in, 0, NULL, 0, &out, ev, &m);
    if (rc == 0 && list) {
        for (uint32_t i = 0; i < m; i++) {
            char hex[65];
            if (zkr_hex_encode(ev[i].sid, 32, hex, sizeof hex) != ZKR_OK)
                return 2;
            printf("%u %llu %s %zu\n", i, (unsigned long long)ev[i].outcome, hex, ev[i].len);
        }
    } else if (rc == 0 && v1) {
        out.p[7] = '1';
        if (zkr_file_write_atomic(argv[3], out.p, out.len, 0644, NULL) != ZKR_OK)
            rc = 2;
    } else if (rc == 0 && (rc = eval_edit(argv[1], ev, m, argv + 4, &owned)) == 0 &&
               (rc = write_evals(&out, ev, m)) == 0 &&
               zkr_file_write_atomic(argv[3], out.p, out.len, 0644, NULL) != ZKR_OK) {
        rc = 2;
    }
    if (rc != 0)
        fprintf(stderr, "bundle_pick: %s\n", rc == 1 ? "malformed bundle" : "usage or I/O error");
    free(owned);
    zkr_buf_free(&in);
    zkr_buf_free(&out);
    return rc;
}

int main(int argc, char **argv)
{
    static eval_entry ev[MAX_EVALS];
    zkr_buf in = {0}, out = {0};
    uint32_t m = 0;
    int invert = 0, all_evals = 0, rc;

    if (argc > 2 && strncmp(argv[1], "--eval-", 7) == 0)
        return eval_main(argc, argv);
    if (argc > 1 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "-V") == 0)) {
        invert = 1;
        all_evals = argv[1][1] == 'V';
        argv++;
        argc--;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: bundle_pick [-v] IN OUT TYPE...\n");
        return 2;
    }
    if (zkr_file_read(argv[1], (size_t)1 << 30, &in, NULL) != ZKR_OK) {
        fprintf(stderr, "bundle_pick: cannot read %s\n", argv[1]);
        return 2;
    }
    rc = pick(&in, invert, argv + 3, argc - 3, &out, ev, &m);
    for (uint32_t i = 0; all_evals && i < m; i++)
        ev[i].keep = 1;
    if (rc == 0 && in.p[7] == '2')
        rc = write_evals(&out, ev, m);
    if (rc == 0 && zkr_file_write_atomic(argv[2], out.p, out.len, 0644, NULL) != ZKR_OK)
        rc = 2;
    if (rc != 0)
        fprintf(stderr, "bundle_pick: %s\n", rc == 1 ? "malformed bundle" : "cannot write");
    zkr_buf_free(&in);
    zkr_buf_free(&out);
    return rc;
}
