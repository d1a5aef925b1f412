/*
 * The revocation-set digest: what a checkpoint signs so that a holder of
 * the checkpoint can tell a complete set of revocations from a subset.
 *
 *   digest = SHA-256("zkreg/revocation-set/v1" 0x00 ||
 *                    for each "revocation" leaf below the checkpoint size,
 *                    in ascending index: u64be index || leaf hash)
 *
 * Any subset of a signed log verifies leaf by leaf; this digest and the
 * count, signed with the tree head, are what make a withheld revocation
 * detectable (registry/checkpoint.c signs it, bundles and offline evidence
 * carry the leaves, importers and the gate recompute it).
 */
#include <string.h>

#include "common.h"

#define REVSET_TAG "zkreg/revocation-set/v1"

void zkr_revset_init(zkr_revset *s)
{
    memset(s, 0, sizeof *s);
    zkr_sha256_init(&s->h);
    zkr_sha256_update(&s->h, (const uint8_t *)REVSET_TAG, sizeof REVSET_TAG);
}

zkr_err zkr_revset_add(zkr_revset *s, uint64_t index, const uint8_t leaf_hash[ZKR_DIGEST_BYTES])
{
    uint8_t be[8];

    if (s->count > 0 && index <= s->last)
        return ZKR_ERR_MALFORMED; /* one order, one digest */
    for (int i = 0; i < 8; i++)
        be[i] = (uint8_t)(index >> (56 - 8 * i));
    zkr_sha256_update(&s->h, be, sizeof be);
    zkr_sha256_update(&s->h, leaf_hash, ZKR_DIGEST_BYTES);
    s->last = index;
    s->count++;
    return ZKR_OK;
}

void zkr_revset_final(zkr_revset *s, uint8_t digest[ZKR_DIGEST_BYTES])
{
    zkr_sha256_final(&s->h, digest);
}
