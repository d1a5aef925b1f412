/*
 * The on-chain helpers of signer/onchain.c: the RFC 6962 tree with
 * keccak256 (root and audit paths, checked for every index of every size
 * up to 70 with the RFC 9162 section 2.1.3.2 verifier the contract runs),
 * and the shape of the ABI calldata (the contracts suite decodes it with
 * ethers and runs it on an EVM).
 */
#include <string.h>

#include "signer/signer.h"
#include "tap.h"
#include "test_util.h"

static void hash_leaf(const uint8_t content[32], uint8_t out[32])
{
    uint8_t b[33] = {0x00};
    memcpy(b + 1, content, 32);
    zkr_keccak256(b, sizeof b, out);
}

static void hash_node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
    uint8_t b[65] = {0x01};
    memcpy(b + 1, l, 32);
    memcpy(b + 33, r, 32);
    zkr_keccak256(b, sizeof b, out);
}

/* RFC 9162 section 2.1.3.2, as ZkregAttestationRegistry.verifyInclusion. */
static int verify(const uint8_t content[32], uint64_t index, uint64_t size,
                  const uint8_t (*path)[32], size_t plen, const uint8_t root[32])
{
    uint64_t fn = index, sn = size - 1;
    uint8_t r[32];

    if (index >= size)
        return 0;
    hash_leaf(content, r);
    for (size_t i = 0; i < plen; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            hash_node(path[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            hash_node(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(r, root, 32) == 0;
}

static void test_merkle(zkr_tap *t)
{
    uint8_t leaves[70][32], root[32], path[ZKR_MERKLE_MAX_PATH][32], want[32], a[32], b[32];
    size_t plen, bad = 0, checked = 0;

    for (int i = 0; i < 70; i++) {
        uint8_t x = (uint8_t)i;
        zkr_keccak256(&x, 1, leaves[i]);
    }
    hash_leaf(leaves[0], want);
    zkr_tap_ok(t, zkr_eth_merkle_root((const uint8_t (*)[32])leaves, 1, root) == ZKR_OK &&
                      memcmp(root, want, 32) == 0,
               "one leaf: the root is keccak(0x00 || leaf)");
    hash_leaf(leaves[0], a);
    hash_leaf(leaves[1], b);
    hash_node(a, b, want);
    hash_leaf(leaves[2], a);
    hash_node(want, a, want);
    zkr_tap_ok(t, zkr_eth_merkle_root((const uint8_t (*)[32])leaves, 3, root) == ZKR_OK &&
                      memcmp(root, want, 32) == 0,
               "three leaves: H(0x01 || H(0x01 || l0 || l1) || l2), split at 2 (RFC 6962)");
    for (size_t n = 1; n <= 70; n++) {
        if (zkr_eth_merkle_root((const uint8_t (*)[32])leaves, n, root) != ZKR_OK) {
            bad++;
            continue;
        }
        for (size_t i = 0; i < n; i++, checked++) {
            if (zkr_eth_merkle_path((const uint8_t (*)[32])leaves, n, i, path, &plen) != ZKR_OK ||
                !verify(leaves[i], i, n, (const uint8_t (*)[32])path, plen, root)) {
                bad++;
                continue;
            }
            /* Its twins must fail: another index, another leaf, a flipped path hash. */
            if (n > 1 && verify(leaves[i], (i + 1) % n, n, (const uint8_t (*)[32])path, plen, root))
                bad++;
            if (n > 1 && verify(leaves[(i + 1) % n], i, n, (const uint8_t (*)[32])path, plen, root))
                bad++;
            if (plen > 0) {
                path[plen - 1][5] ^= 1;
                bad += verify(leaves[i], i, n, (const uint8_t (*)[32])path, plen, root);
            }
        }
    }
    zkr_tap_ok(t, bad == 0 && checked == 70 * 71 / 2,
               "every index of every size 1..70: its path verifies, wrong index/leaf/path do not "
               "(%zu bad of %zu)",
               bad, checked);
    zkr_tap_ok(t, zkr_eth_merkle_root((const uint8_t (*)[32])leaves, 0, root) == ZKR_ERR_USAGE &&
                      zkr_eth_merkle_path((const uint8_t (*)[32])leaves, 5, 5, path, &plen) ==
                          ZKR_ERR_USAGE &&
                      zkr_eth_merkle_root((const uint8_t (*)[32])leaves, ZKR_BATCH_MAX + 1, root) ==
                          ZKR_ERR_USAGE,
               "no leaves, an index past the end, or more than ZKR_BATCH_MAX leaves: refused");
}

static uint64_t word(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | p[i];
    return v;
}

static void test_calldata(zkr_tap *t)
{
    zkr_attest_facts f;
    zkr_buf cd = {0};
    uint8_t sigs[2][ZKR_ETH_SIG_BYTES], sel[32];
    const char *sig = "submit((bytes32,bytes32,bytes32,bytes32,bytes32,string,bytes32,string,bool,"
                      "uint64,string,uint64,bytes32,uint64),bytes[])";
    int good;

    tu_facts(&f, 1, 1795000000);
    memset(sigs, 0xab, sizeof sigs);
    zkr_keccak256((const uint8_t *)sig, strlen(sig), sel);
    good = zkr_eth_calldata_submit(&f, (const uint8_t (*)[ZKR_ETH_SIG_BYTES])sigs, 2, &cd, NULL) ==
           ZKR_OK;
    if (good) {
        const uint8_t *args = cd.p + 4, *tup = args + word(args);
        const uint8_t *schema = tup + word(tup + 5 * 32), *origin = tup + word(tup + 10 * 32);
        const uint8_t *arr = args + word(args + 32);
        good = memcmp(cd.p, sel, 4) == 0 && word(args) == 64 &&
               memcmp(tup, f.statement_id, 32) == 0 && word(schema) == strlen("mnist-mlp-inference@1") &&
               memcmp(schema + 32, "mnist-mlp-inference@1", word(schema)) == 0 &&
               word(origin) == strlen(f.checkpoint_origin) &&
               memcmp(origin + 32, f.checkpoint_origin, word(origin)) == 0 && word(tup + 8 * 32) == 1 &&
               word(tup + 9 * 32) == f.log_index && word(arr) == 2 &&
               word(arr + 32 + word(arr + 32)) == 65 &&
               (size_t)(arr + 32 + word(arr + 64) + 32 + 96 - cd.p) == cd.len;
    }
    zkr_tap_ok(t, good, "submit calldata: selector, head offsets, strings, bool, uint64, bytes[] lay out as ABI");
    f.accepted = 0;
    zkr_tap_ok(t, zkr_eth_calldata_submit(&f, (const uint8_t (*)[ZKR_ETH_SIG_BYTES])sigs, 1, &cd,
                                          NULL) != ZKR_OK,
               "facts that could not be signed give no calldata");
    zkr_buf_free(&cd);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_merkle(&t);
    test_calldata(&t);
    return zkr_tap_done(&t);
}
