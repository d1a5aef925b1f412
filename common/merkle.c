/* RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs. */
#include <string.h>

#include <sodium.h>

#include "common.h"

typedef uint8_t digest_t[ZKR_DIGEST_BYTES];

void zkr_merkle_leaf_hash(const uint8_t *p, size_t len, uint8_t out[ZKR_DIGEST_BYTES])
{
    zkr_sha256_ctx c;
    const uint8_t prefix = 0x00;

    zkr_sha256_init(&c);
    zkr_sha256_update(&c, &prefix, 1);
    zkr_sha256_update(&c, p, len);
    zkr_sha256_final(&c, out);
}

void zkr_merkle_node_hash(const uint8_t left[ZKR_DIGEST_BYTES],
                          const uint8_t right[ZKR_DIGEST_BYTES], uint8_t out[ZKR_DIGEST_BYTES])
{
    zkr_sha256_ctx c;
    const uint8_t prefix = 0x01;

    zkr_sha256_init(&c);
    zkr_sha256_update(&c, &prefix, 1);
    zkr_sha256_update(&c, left, ZKR_DIGEST_BYTES);
    zkr_sha256_update(&c, right, ZKR_DIGEST_BYTES);
    zkr_sha256_final(&c, out);
}

/* Largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

/*
 * MTH over leaves[0..n) with an explicit stack of perfect subtrees, so the
 * work is O(n) hashes and O(log n) memory with no recursion.
 */
static void subtree_root(const digest_t *leaves, uint64_t n, uint8_t out[ZKR_DIGEST_BYTES])
{
    digest_t stack[ZKR_MERKLE_MAX_DEPTH + 1];
    uint64_t sizes[ZKR_MERKLE_MAX_DEPTH + 1];
    size_t top = 0;

    if (n == 0) {
        zkr_sha256(NULL, 0, out);
        return;
    }
    for (uint64_t i = 0; i < n; i++) {
        memcpy(stack[top], leaves[i], ZKR_DIGEST_BYTES);
        sizes[top++] = 1;
        while (top >= 2 && sizes[top - 1] == sizes[top - 2]) {
            zkr_merkle_node_hash(stack[top - 2], stack[top - 1], stack[top - 2]);
            sizes[top - 2] *= 2;
            top--;
        }
    }
    /* Fold the right spine: smaller subtrees are the right children. */
    while (top >= 2) {
        zkr_merkle_node_hash(stack[top - 2], stack[top - 1], stack[top - 2]);
        top--;
    }
    memcpy(out, stack[0], ZKR_DIGEST_BYTES);
}

zkr_err zkr_merkle_root(const uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t n,
                        uint8_t out[ZKR_DIGEST_BYTES])
{
    subtree_root(leaves, n, out);
    return ZKR_OK;
}

/* PATH(m, D[n]) of RFC 6962 section 2.1.1, written iteratively top-down. */
zkr_err zkr_merkle_inclusion_proof(const uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t n,
                                   uint64_t index,
                                   uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                   size_t *path_len)
{
    digest_t tmp[ZKR_MERKLE_MAX_DEPTH];
    size_t depth = 0;
    uint64_t lo = 0, size = n, m = index;

    *path_len = 0;
    if (index >= n)
        return ZKR_ERR_USAGE;
    /* Collected root-first; the proof lists siblings leaf-first. */
    while (size > 1) {
        uint64_t k = split_point(size);
        if (m < k) {
            subtree_root(leaves + lo + k, size - k, tmp[depth++]);
            size = k;
        } else {
            subtree_root(leaves + lo, k, tmp[depth++]);
            lo += k;
            m -= k;
            size -= k;
        }
    }
    for (size_t i = 0; i < depth; i++)
        memcpy(path[i], tmp[depth - 1 - i], ZKR_DIGEST_BYTES);
    *path_len = depth;
    return ZKR_OK;
}

/* SUBPROOF(m, D[lo..lo+size), b) of RFC 6962 section 2.1.2, iteratively. */
zkr_err zkr_merkle_consistency_proof(const uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t m,
                                     uint64_t n,
                                     uint8_t path[ZKR_MERKLE_MAX_DEPTH * 2][ZKR_DIGEST_BYTES],
                                     size_t *path_len)
{
    digest_t tmp[ZKR_MERKLE_MAX_DEPTH * 2];
    size_t depth = 0;
    uint64_t lo = 0, size = n;
    int complete = 1;

    *path_len = 0;
    if (m == 0 || m > n)
        return ZKR_ERR_USAGE;
    while (m != size) {
        uint64_t k = split_point(size);
        if (m <= k) {
            subtree_root(leaves + lo + k, size - k, tmp[depth++]);
            size = k;
        } else {
            subtree_root(leaves + lo, k, tmp[depth++]);
            lo += k;
            m -= k;
            size -= k;
            complete = 0;
        }
    }
    if (!complete)
        subtree_root(leaves + lo, size, tmp[depth++]);
    for (size_t i = 0; i < depth; i++)
        memcpy(path[i], tmp[depth - 1 - i], ZKR_DIGEST_BYTES);
    *path_len = depth;
    return ZKR_OK;
}

zkr_err zkr_merkle_inclusion_verify(const uint8_t leaf_hash[ZKR_DIGEST_BYTES], uint64_t index,
                                    uint64_t n, const uint8_t (*path)[ZKR_DIGEST_BYTES],
                                    size_t path_len, const uint8_t root[ZKR_DIGEST_BYTES])
{
    uint64_t fn = index, sn = n - 1;
    digest_t r;
    size_t i;

    if (index >= n || path_len > ZKR_MERKLE_MAX_DEPTH)
        return ZKR_ERR_MALFORMED;
    memcpy(r, leaf_hash, ZKR_DIGEST_BYTES);
    for (i = 0; i < path_len; i++) {
        if (sn == 0)
            return ZKR_ERR_MALFORMED;
        if ((fn & 1) || fn == sn) {
            zkr_merkle_node_hash(path[i], r, r);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            zkr_merkle_node_hash(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return ZKR_ERR_MALFORMED;
    return sodium_memcmp(r, root, ZKR_DIGEST_BYTES) == 0 ? ZKR_OK : ZKR_ERR_VERIFY;
}

zkr_err zkr_merkle_consistency_verify(uint64_t m, uint64_t n,
                                      const uint8_t root_m[ZKR_DIGEST_BYTES],
                                      const uint8_t root_n[ZKR_DIGEST_BYTES],
                                      const uint8_t (*path)[ZKR_DIGEST_BYTES], size_t path_len)
{
    uint64_t fn, sn;
    digest_t fr, sr;
    size_t i = 0;

    if (m == 0 || m > n || path_len > ZKR_MERKLE_MAX_DEPTH * 2)
        return ZKR_ERR_MALFORMED;
    if (m == n) {
        if (path_len != 0)
            return ZKR_ERR_MALFORMED;
        return sodium_memcmp(root_m, root_n, ZKR_DIGEST_BYTES) == 0 ? ZKR_OK : ZKR_ERR_VERIFY;
    }
    if (path_len == 0)
        return ZKR_ERR_MALFORMED;
    fn = m - 1;
    sn = n - 1;
    /* A power-of-two first tree is its own first node: prepend root_m. */
    if ((m & (m - 1)) == 0) {
        memcpy(fr, root_m, ZKR_DIGEST_BYTES);
    } else {
        memcpy(fr, path[0], ZKR_DIGEST_BYTES);
        i = 1;
    }
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    memcpy(sr, fr, ZKR_DIGEST_BYTES);
    for (; i < path_len; i++) {
        if (sn == 0)
            return ZKR_ERR_MALFORMED;
        if ((fn & 1) || fn == sn) {
            zkr_merkle_node_hash(path[i], fr, fr);
            zkr_merkle_node_hash(path[i], sr, sr);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            zkr_merkle_node_hash(sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return ZKR_ERR_MALFORMED;
    if (sodium_memcmp(fr, root_m, ZKR_DIGEST_BYTES) != 0 ||
        sodium_memcmp(sr, root_n, ZKR_DIGEST_BYTES) != 0)
        return ZKR_ERR_VERIFY;
    return ZKR_OK;
}
