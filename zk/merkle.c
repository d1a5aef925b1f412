/*
 * Salted Merkle trees over packed field elements, with pruned
 * multi-openings: siblings that the verifier can recompute from other
 * opened leaves are never sent.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "zk/zk_int.h"

static const uint8_t zkr_mt_pers_leaf[16] = "zkr/mt-leaf";
static const uint8_t zkr_mt_pers_node[16] = "zkr/mt-node";
static const uint8_t zkr_mt_nonce[8] = "zkr-salt";

void zkr_mtree_salt(const uint8_t salt_seed[32], uint64_t i, uint8_t salt[ZKR_SALT_BYTES])
{
    uint8_t z[64] = {0}, ks[64];

    (void)crypto_stream_chacha20_xor_ic(ks, z, sizeof z, zkr_mt_nonce, i / 4, salt_seed);
    memcpy(salt, ks + (i % 4) * ZKR_SALT_BYTES, ZKR_SALT_BYTES);
}

void zkr_mtree_leaf_hash(const uint8_t salt[ZKR_SALT_BYTES], const uint64_t *words, size_t n,
                         uint8_t out[ZKR_DIGEST_BYTES])
{
    crypto_generichash_blake2b_state st;
    uint8_t chunk[8 * 32];

    /* Streamed: every word is hashed, whatever n (a leaf of the largest
     * arity the parameters allow included); same bytes as one buffer. */
    (void)crypto_generichash_blake2b_init_salt_personal(&st, NULL, 0, ZKR_DIGEST_BYTES, NULL,
                                                        zkr_mt_pers_leaf);
    (void)crypto_generichash_blake2b_update(&st, salt, ZKR_SALT_BYTES);
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < 32 && i < n; k++, i++)
            zkr_store_le64(chunk + 8 * k, words[i]);
        (void)crypto_generichash_blake2b_update(&st, chunk, 8 * k);
    }
    (void)crypto_generichash_blake2b_final(&st, out, ZKR_DIGEST_BYTES);
    sodium_memzero(&st, sizeof st);
}

/*
 * out[j] = BLAKE2b-256[pers] of the len bytes at base + j stride, j < n:
 * eight at a time where x8 (zkr_b2x8_ok; a short last group repeats its
 * first message in the spare lanes), libsodium for a lone one. The same
 * digests either way (tests/zk compares the two hashers).
 */
static void zkr_mt_hash_many(const uint8_t pers[16], const uint8_t *base, size_t stride,
                             size_t len, size_t n, uint8_t (*out)[ZKR_DIGEST_BYTES], int x8)
{
    size_t j = 0;

    if (x8)
        while (j + 1 < n) {
            const uint8_t *msg[8];
            uint8_t dig[8][ZKR_DIGEST_BYTES];
            size_t c = n - j < 8 ? n - j : 8;
            for (size_t l = 0; l < 8; l++)
                msg[l] = base + (j + (l < c ? l : 0)) * stride;
            zkr_b2x8(x8, pers, msg, len, dig);
            memcpy(out + j, dig, c * ZKR_DIGEST_BYTES);
            j += c;
        }
    for (; j < n; j++)
        (void)crypto_generichash_blake2b_salt_personal(out[j], ZKR_DIGEST_BYTES, base + j * stride,
                                                       len, NULL, 0, NULL, pers);
}

void zkr_mtree_leaf_hashes(const uint8_t *leaves, size_t leaf_bytes, size_t n, int x8,
                           uint8_t (*out)[ZKR_DIGEST_BYTES])
{
    zkr_mt_hash_many(zkr_mt_pers_leaf, leaves, leaf_bytes, leaf_bytes, n, out, x8);
}

/* The little-endian bytes of n words (a plain copy on a little-endian host). */
static void zkr_mt_put_words(uint8_t *out, const uint64_t *w, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, w, 8 * n);
#else
    for (size_t k = 0; k < n; k++)
        zkr_store_le64(out + 8 * k, w[k]);
#endif
}

static void zkr_mt_node(const uint8_t *l, const uint8_t *r, uint8_t out[ZKR_DIGEST_BYTES])
{
    uint8_t buf[2 * ZKR_DIGEST_BYTES];

    memcpy(buf, l, ZKR_DIGEST_BYTES);
    memcpy(buf + ZKR_DIGEST_BYTES, r, ZKR_DIGEST_BYTES);
    (void)crypto_generichash_blake2b_salt_personal(out, ZKR_DIGEST_BYTES, buf, sizeof buf, NULL, 0,
                                                   NULL, zkr_mt_pers_node);
}

typedef struct {
    const uint64_t *words;
    zkr_mtree *t;
    uint64_t level_base; /* first heap index of the level being built */
    int x8;              /* zkr_b2x8_ok: eight hashes at a time */
} zkr_mt_job;

/*
 * Leaves whose salts one ChaCha20 call makes: 16 keystream blocks. Salt i
 * is bytes 16 (i % 4).. of block i / 4, so a run of leaves starting at a
 * multiple of 4 finds leaf k's salt at byte 16 (k - start) of the run's
 * keystream. One call a run, not one a block: libsodium's per-call set-up
 * (about 180 ns here) cost more than the keystream itself.
 */
#define ZKR_MT_SALT_RUN 64u

/* Leaves [i, i + 8) with zkr_b2x8 (the same digests as zkr_mtree_leaf_hash); salts: theirs. */
static void zkr_mt_leaves8(const zkr_mt_job *j, size_t i, const uint8_t *salts)
{
    size_t lw = j->t->leaf_words, len = ZKR_SALT_BYTES + 8 * lw;
    uint8_t buf[8 * (ZKR_SALT_BYTES + 8 * ZKR_MT_MAX_LEAF_WORDS)];
    uint8_t dig[8][ZKR_DIGEST_BYTES];
    const uint8_t *msg[8];

    for (unsigned l = 0; l < 8; l++) {
        uint8_t *m = buf + l * len;
        memcpy(m, salts + l * ZKR_SALT_BYTES, ZKR_SALT_BYTES);
        zkr_mt_put_words(m + ZKR_SALT_BYTES, j->words + (i + l) * lw, lw);
        msg[l] = m;
    }
    zkr_b2x8(j->x8, zkr_mt_pers_leaf, msg, len, dig);
    memcpy(j->t->nodes[j->t->n_leaves + i], dig, sizeof dig);
    sodium_memzero(buf, 8 * len); /* the part written: salts and words */
}

static void zkr_mt_leaves(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_mt_job *j = ctx;
    uint8_t z[ZKR_MT_SALT_RUN * ZKR_SALT_BYTES] = {0}, ks[sizeof z];

    (void)w;
    for (size_t i = lo; i < hi;) {
        size_t start = i - i % 4, end = start + ZKR_MT_SALT_RUN < hi ? start + ZKR_MT_SALT_RUN : hi;
        (void)crypto_stream_chacha20_xor_ic(ks, z, (end - start + 3) / 4 * 64, zkr_mt_nonce,
                                            start / 4, j->t->salt_seed);
        if (j->x8)
            for (; i + 8 <= end; i += 8)
                zkr_mt_leaves8(j, i, ks + (i - start) * ZKR_SALT_BYTES);
        for (; i < end; i++)
            zkr_mtree_leaf_hash(ks + (i - start) * ZKR_SALT_BYTES,
                                j->words + i * j->t->leaf_words, j->t->leaf_words,
                                j->t->nodes[j->t->n_leaves + i]);
    }
    sodium_memzero(ks, sizeof ks);
}

static void zkr_mt_level(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_mt_job *j = ctx;

    (void)w;
    /* A node hashes its children's 64 adjacent bytes: eight of them at a time. */
    if (j->x8)
        for (; lo + 8 <= hi; lo += 8) {
            const uint8_t *msg[8];
            uint8_t dig[8][ZKR_DIGEST_BYTES];
            for (unsigned l = 0; l < 8; l++)
                msg[l] = j->t->nodes[2 * (j->level_base + lo + l)];
            zkr_b2x8(j->x8, zkr_mt_pers_node, msg, 2 * ZKR_DIGEST_BYTES, dig);
            memcpy(j->t->nodes[j->level_base + lo], dig, sizeof dig);
        }
    for (size_t i = lo; i < hi; i++) {
        uint64_t k = j->level_base + i;
        zkr_mt_node(j->t->nodes[2 * k], j->t->nodes[2 * k + 1], j->t->nodes[k]);
    }
}

/*
 * Subtrees [lo, hi) of `parts` equal ones (parts a power of two dividing
 * every level it is used on): each hashes its leaves and builds its own
 * levels up to its root, with no barrier between levels.
 */
typedef struct {
    const zkr_mt_job *job;
    uint64_t parts;
} zkr_mt_sub_job;

static void zkr_mt_subtrees(void *ctx, size_t lo, size_t hi, unsigned w)
{
    const zkr_mt_sub_job *s = ctx;
    uint64_t n = s->job->t->n_leaves, parts = s->parts;

    for (size_t p = lo; p < hi; p++) {
        zkr_mt_job j = *s->job;
        zkr_mt_leaves(&j, n / parts * p, n / parts * (p + 1), w);
        for (uint64_t half = n / 2; half >= parts; half /= 2) {
            j.level_base = half;
            zkr_mt_level(&j, half / parts * p, half / parts * (p + 1), w);
        }
    }
}

zkr_err zkr_mtree_build(const uint64_t *words, uint64_t n_leaves, size_t leaf_words,
                        const uint8_t salt_seed[32], unsigned threads, zkr_mtree *out)
{
    zkr_mt_job j;
    zkr_mt_sub_job sj;

    memset(out, 0, sizeof *out);
    if (n_leaves == 0 || (n_leaves & (n_leaves - 1)) != 0 || leaf_words == 0 ||
        leaf_words > ZKR_MT_MAX_LEAF_WORDS || n_leaves > ((uint64_t)1 << 40))
        return ZKR_ERR_USAGE;
    out->nodes = malloc(2 * n_leaves * sizeof *out->nodes);
    if (!out->nodes)
        return ZKR_ERR_NOMEM;
    out->n_leaves = n_leaves;
    out->depth = zkr_log2_ceil(n_leaves);
    out->leaf_words = leaf_words;
    memcpy(out->salt_seed, salt_seed, 32);
    memset(out->nodes[0], 0, ZKR_DIGEST_BYTES);
    j.words = words;
    j.t = out;
    j.level_base = 0;
    j.x8 = zkr_b2x8_ok();
    sj.job = &j;
    sj.parts = threads;
    if (threads > 1 && threads <= ZKR_PAR_MAX && (threads & (threads - 1)) == 0 &&
        n_leaves / sj.parts >= 2048) {
        /*
         * One subtree a thread (a power of two of them), then the few levels
         * above them here: one fork-join for the tree, not one a level. The
         * same nodes (each hashes its two children).
         */
        zkr_par_for(threads, sj.parts, 1, zkr_mt_subtrees, &sj);
        for (uint64_t half = sj.parts / 2; half >= 1; half /= 2) {
            j.level_base = half;
            zkr_mt_level(&j, 0, half, 0);
        }
        return ZKR_OK;
    }
    zkr_par_for(threads, n_leaves, 256, zkr_mt_leaves, &j);
    for (uint64_t half = n_leaves / 2; half >= 1; half /= 2) {
        j.level_base = half;
        zkr_par_for(threads, half, 1024, zkr_mt_level, &j);
    }
    return ZKR_OK;
}

void zkr_mtree_free(zkr_mtree *t)
{
    if (!t)
        return;
    free(t->nodes);
    sodium_memzero(t->salt_seed, sizeof t->salt_seed);
    memset(t, 0, sizeof *t);
}

void zkr_mtree_root(const zkr_mtree *t, uint8_t root[ZKR_DIGEST_BYTES])
{
    memcpy(root, t->nodes[1], ZKR_DIGEST_BYTES);
}

/* Restores the max-heap property below node i of idx[0..n) (heapsort). */
static void zkr_u64_sift(uint64_t *idx, size_t i, size_t n)
{
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && idx[c + 1] > idx[c])
            c++;
        if (idx[i] >= idx[c])
            return;
        uint64_t t = idx[i];
        idx[i] = idx[c];
        idx[c] = t;
    }
}

size_t zkr_idx_sort_unique(uint64_t *idx, size_t n)
{
    size_t k = 0;

    if (n == 0)
        return 0;
    /* Heapsort, not qsort: glibc's qsort may call sysinfo(), which the confined
     * verifier's seccomp policy forbids; this needs no memory and no syscall. */
    for (size_t i = n / 2; i-- > 0;)
        zkr_u64_sift(idx, i, n);
    for (size_t e = n - 1; e > 0; e--) {
        uint64_t t = idx[0];
        idx[0] = idx[e];
        idx[e] = t;
        zkr_u64_sift(idx, 0, e);
    }
    for (size_t i = 1; i < n; i++)
        if (idx[i] != idx[k])
            idx[++k] = idx[i];
    return k + 1;
}

/*
 * Walks the levels of a pruned opening. Level by level, a node whose
 * sibling is also known is combined with it; otherwise its sibling is one
 * of the proof's digests. cb (optional) gets each needed sibling index.
 */
static size_t zkr_mt_walk(const uint64_t *idx, size_t n, unsigned depth, uint64_t *cur,
                          const zkr_mtree *t, zkr_buf *out, zkr_err *err)
{
    size_t count = 0, m = n;

    memcpy(cur, idx, n * sizeof *cur);
    for (unsigned lv = 0; lv < depth; lv++) {
        size_t k = 0;
        for (size_t i = 0; i < m;) {
            uint64_t x = cur[i];
            if ((x & 1) == 0 && i + 1 < m && cur[i + 1] == x + 1) {
                i += 2;
            } else {
                if (out && *err == ZKR_OK) {
                    uint64_t heap = (t->n_leaves >> lv) + (x ^ 1);
                    *err = zkr_buf_append(out, t->nodes[heap], ZKR_DIGEST_BYTES);
                }
                count++;
                i++;
            }
            cur[k++] = x >> 1;
        }
        m = k;
    }
    return count;
}

size_t zkr_mtree_multi_count(const uint64_t *idx, size_t n, unsigned depth)
{
    uint64_t *cur = malloc((n ? n : 1) * sizeof *cur);
    zkr_err e = ZKR_OK;
    size_t c;

    if (!cur)
        return SIZE_MAX;
    c = zkr_mt_walk(idx, n, depth, cur, NULL, NULL, &e);
    free(cur);
    return c;
}

zkr_err zkr_mtree_open_to(const zkr_mtree *t, const uint64_t *idx, size_t n, unsigned height,
                          zkr_buf *out)
{
    uint64_t *cur;
    zkr_err e = ZKR_OK;

    if (height > t->depth)
        return ZKR_ERR_USAGE;
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= t->n_leaves || (i && idx[i] <= idx[i - 1]))
            return ZKR_ERR_USAGE;
    cur = malloc((n ? n : 1) * sizeof *cur);
    if (!cur)
        return ZKR_ERR_NOMEM;
    (void)zkr_mt_walk(idx, n, height, cur, t, out, &e);
    free(cur);
    return e;
}

zkr_err zkr_mtree_open(const zkr_mtree *t, const uint64_t *idx, size_t n, zkr_buf *out)
{
    return zkr_mtree_open_to(t, idx, n, t->depth, out);
}

zkr_err zkr_mtree_verify(const uint8_t root[ZKR_DIGEST_BYTES], unsigned depth, const uint64_t *idx,
                         const uint8_t (*leaf_hash)[ZKR_DIGEST_BYTES], size_t n,
                         const uint8_t *sib, size_t n_sib)
{
    /* one path alone hashes one node a level: no lanes to fill, no CPUID */
    return zkr_mtree_verify_x8(root, depth, idx, leaf_hash, n, sib, n_sib,
                               n > 1 ? zkr_b2x8_ok() : 0);
}

/*
 * Climbs a pruned opening `height` levels from the sorted unique leaves
 * idx (< 2^depth): level by level, first each parent's 64-byte input (two
 * known children, or one and the next proof digest), then the level's
 * hashes together. Every one of the n_sib digests must be used. On
 * ZKR_OK, node_idx / node hold the *n_nodes sorted unique nodes reached
 * (each node_idx[j] < 2^(depth - height)); both arrays need room for n.
 */
zkr_err zkr_mtree_climb_x8(unsigned depth, unsigned height, const uint64_t *idx,
                           const uint8_t (*leaf_hash)[ZKR_DIGEST_BYTES], size_t n,
                           const uint8_t *sib, size_t n_sib, int x8, uint64_t *node_idx,
                           uint8_t (*node)[ZKR_DIGEST_BYTES], size_t *n_nodes)
{
    uint8_t (*pair)[2 * ZKR_DIGEST_BYTES] = NULL;
    size_t m = n, used = 0;
    zkr_err r = ZKR_ERR_VERIFY;

    if (n == 0 || depth > 62 || height > depth)
        return ZKR_ERR_VERIFY;
    for (size_t i = 0; i < n; i++)
        if ((idx[i] >> depth) != 0 || (i && idx[i] <= idx[i - 1]))
            return ZKR_ERR_VERIFY;
    if (!(pair = malloc(n * sizeof *pair)))
        return ZKR_ERR_NOMEM;
    memcpy(node_idx, idx, n * sizeof *node_idx);
    memcpy(node, leaf_hash, n * sizeof *node);
    for (unsigned lv = 0; lv < height; lv++) {
        size_t k = 0;
        for (size_t i = 0; i < m; k++) {
            uint64_t x = node_idx[i];
            if ((x & 1) == 0 && i + 1 < m && node_idx[i + 1] == x + 1) {
                memcpy(pair[k], node[i], ZKR_DIGEST_BYTES);
                memcpy(pair[k] + ZKR_DIGEST_BYTES, node[i + 1], ZKR_DIGEST_BYTES);
                i += 2;
            } else {
                if (used >= n_sib)
                    goto out;
                const uint8_t *s = sib + used * ZKR_DIGEST_BYTES;
                used++;
                memcpy(pair[k] + ((x & 1) ? ZKR_DIGEST_BYTES : 0), node[i], ZKR_DIGEST_BYTES);
                memcpy(pair[k] + ((x & 1) ? 0 : ZKR_DIGEST_BYTES), s, ZKR_DIGEST_BYTES);
                i++;
            }
            node_idx[k] = x >> 1;
        }
        zkr_mt_hash_many(zkr_mt_pers_node, pair[0], sizeof pair[0], sizeof pair[0], k, node, x8);
        m = k;
    }
    if (used != n_sib)
        goto out;
    *n_nodes = m;
    r = ZKR_OK;
out:
    free(pair);
    return r;
}

zkr_err zkr_mtree_verify_x8(const uint8_t root[ZKR_DIGEST_BYTES], unsigned depth,
                            const uint64_t *idx, const uint8_t (*leaf_hash)[ZKR_DIGEST_BYTES],
                            size_t n, const uint8_t *sib, size_t n_sib, int x8)
{
    uint64_t *ci = NULL;
    uint8_t (*ch)[ZKR_DIGEST_BYTES] = NULL;
    size_t m = 0;
    zkr_err r;

    if (n == 0)
        return ZKR_ERR_VERIFY;
    ci = malloc(n * sizeof *ci);
    ch = malloc(n * sizeof *ch);
    if (!ci || !ch) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_mtree_climb_x8(depth, depth, idx, leaf_hash, n, sib, n_sib, x8, ci, ch, &m)) !=
        ZKR_OK)
        goto out;
    r = m == 1 && sodium_memcmp(ch[0], root, ZKR_DIGEST_BYTES) == 0 ? ZKR_OK : ZKR_ERR_VERIFY;
out:
    free(ci);
    free(ch);
    return r;
}
