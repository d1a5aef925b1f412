/*
 * Fiat-Shamir transcript: a BLAKE2b-256 hash chain. Every absorb frames its
 * label and length, so no two different sequences of messages collide on
 * the state; challenges are drawn by rejection sampling.
 */
#include <sodium.h>
#include <string.h>

#include "zk/zk_int.h"

typedef crypto_generichash_blake2b_state zkr_b2;

static void zkr_ts_start(zkr_b2 *h, const char *pers)
{
    uint8_t p[crypto_generichash_blake2b_PERSONALBYTES] = {0};

    memcpy(p, pers, strlen(pers) < sizeof p ? strlen(pers) : sizeof p);
    (void)crypto_generichash_blake2b_init_salt_personal(h, NULL, 0, ZKR_DIGEST_BYTES, NULL, p);
}

static void zkr_ts_upd(zkr_b2 *h, const void *p, size_t len)
{
    (void)crypto_generichash_blake2b_update(h, p, len);
}

static void zkr_ts_upd_u64(zkr_b2 *h, uint64_t v)
{
    uint8_t b[8];

    zkr_store_le64(b, v);
    zkr_ts_upd(h, b, 8);
}

static void zkr_ts_frame(zkr_b2 *h, const zkr_transcript *t, const char *label)
{
    zkr_ts_start(h, "zkr/fs-absorb");
    zkr_ts_upd(h, t->state, sizeof t->state);
    zkr_ts_upd_u64(h, strlen(label));
    zkr_ts_upd(h, label, strlen(label));
}

void zkr_ts_absorb(zkr_transcript *t, const char *label, const uint8_t *p, size_t len)
{
    zkr_b2 h;

    zkr_ts_frame(&h, t, label);
    zkr_ts_upd_u64(&h, len);
    if (len)
        zkr_ts_upd(&h, p, len);
    (void)crypto_generichash_blake2b_final(&h, t->state, sizeof t->state);
}

void zkr_ts_absorb_u64(zkr_transcript *t, const char *label, uint64_t v)
{
    uint8_t b[8];

    zkr_store_le64(b, v);
    zkr_ts_absorb(t, label, b, 8);
}

void zkr_ts_absorb_gl(zkr_transcript *t, const char *label, const zkr_gl *v, size_t n)
{
    zkr_b2 h;
    uint8_t buf[512];
    size_t k = 0;

    zkr_ts_frame(&h, t, label);
    zkr_ts_upd_u64(&h, n * ZKR_GL_BYTES);
    for (size_t i = 0; i < n; i++) {
        zkr_store_le64(buf + k, v[i]);
        k += 8;
        if (k == sizeof buf) {
            zkr_ts_upd(&h, buf, k);
            k = 0;
        }
    }
    if (k)
        zkr_ts_upd(&h, buf, k);
    (void)crypto_generichash_blake2b_final(&h, t->state, sizeof t->state);
}

void zkr_ts_absorb_ext(zkr_transcript *t, const char *label, const zkr_ext *v, size_t n)
{
    /* An ext element is three consecutive canonical words c0, c1, c2. */
    zkr_ts_absorb_gl(t, label, (const zkr_gl *)(const void *)v, 3 * n);
}

void zkr_ts_init(zkr_transcript *t, const char *protocol, uint32_t version, uint32_t proof_system,
                 uint32_t param_set, const uint8_t params_digest[ZKR_DIGEST_BYTES],
                 const uint8_t statement_id[ZKR_DIGEST_BYTES])
{
    memset(t->state, 0, sizeof t->state);
    zkr_ts_absorb(t, "protocol", (const uint8_t *)protocol, strlen(protocol));
    zkr_ts_absorb_u64(t, "version", version);
    zkr_ts_absorb_u64(t, "proof-system", proof_system);
    zkr_ts_absorb_u64(t, "param-set", param_set);
    zkr_ts_absorb(t, "params", params_digest, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "statement-id", statement_id, ZKR_DIGEST_BYTES);
}

/* Fills n uniformly random canonical words after absorbing the label. */
static void zkr_ts_squeeze(zkr_transcript *t, const char *label, zkr_gl *out, size_t n)
{
    uint8_t d[ZKR_DIGEST_BYTES];
    uint64_t ctr = 0;
    size_t got = 0;

    zkr_ts_absorb(t, label, NULL, 0);
    while (got < n) {
        zkr_b2 h;
        zkr_ts_start(&h, "zkr/fs-squeeze");
        zkr_ts_upd(&h, t->state, sizeof t->state);
        zkr_ts_upd_u64(&h, ctr++);
        (void)crypto_generichash_blake2b_final(&h, d, sizeof d);
        for (size_t i = 0; i < 4 && got < n; i++) {
            uint64_t v = zkr_load_le64(d + 8 * i);
            if (v < ZKR_GL_P) /* rejection: no bias towards small values */
                out[got++] = v;
        }
    }
    /* Fold the draw count in so the next challenge starts from a new state. */
    zkr_ts_absorb_u64(t, "squeezed", ctr);
}

zkr_gl zkr_ts_challenge_gl(zkr_transcript *t, const char *label)
{
    zkr_gl v;

    zkr_ts_squeeze(t, label, &v, 1);
    return v;
}

zkr_ext zkr_ts_challenge_ext(zkr_transcript *t, const char *label)
{
    zkr_ext e;

    zkr_ts_squeeze(t, label, e.c, 3);
    return e;
}

void zkr_ts_challenge_exts(zkr_transcript *t, const char *label, zkr_ext *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zkr_ts_challenge_ext(t, label);
}

void zkr_ts_absorb_ext6(zkr_transcript *t, const char *label, const zkr_ext6 *v, size_t n)
{
    _Static_assert(sizeof(zkr_ext6) == 6 * sizeof(zkr_gl), "a + b y is six consecutive words");
    zkr_ts_absorb_gl(t, label, (const zkr_gl *)(const void *)v, 6 * n);
}

zkr_ext6 zkr_ts_challenge_ext6(zkr_transcript *t, const char *label)
{
    zkr_gl w[6];
    zkr_ext6 e;

    zkr_ts_squeeze(t, label, w, 6);
    for (int i = 0; i < 3; i++) {
        e.a.c[i] = w[i];
        e.b.c[i] = w[3 + i];
    }
    return e;
}

uint64_t zkr_ts_challenge_index(zkr_transcript *t, const char *label, uint64_t n)
{
    unsigned bits = zkr_log2_ceil(n);
    uint64_t mask = bits >= 64 ? UINT64_MAX : (((uint64_t)1 << bits) - 1);

    if (n <= 1) {
        zkr_ts_absorb(t, label, NULL, 0);
        return 0;
    }
    for (;;) {
        zkr_gl v = zkr_ts_challenge_gl(t, label);
        /* v is uniform below p; its low `bits` bits are uniform up to 2^-32
         * bias from the rejection bound, removed by rejecting the top slice. */
        if (v >= ZKR_GL_P - (ZKR_GL_P % (mask + 1)))
            continue;
        if ((v & mask) < n)
            return v & mask;
    }
}

static void zkr_ts_pow_hash(const zkr_transcript *t, uint64_t nonce, uint8_t d[ZKR_DIGEST_BYTES])
{
    zkr_b2 h;

    zkr_ts_start(&h, "zkr/fs-pow");
    zkr_ts_upd(&h, t->state, sizeof t->state);
    zkr_ts_upd_u64(&h, nonce);
    (void)crypto_generichash_blake2b_final(&h, d, ZKR_DIGEST_BYTES);
}

int zkr_ts_pow_ok(const zkr_transcript *t, unsigned bits, uint64_t nonce)
{
    uint8_t d[ZKR_DIGEST_BYTES];
    unsigned i = 0;

    zkr_ts_pow_hash(t, nonce, d);
    for (; i + 8 <= bits; i += 8)
        if (d[i / 8] != 0)
            return 0;
    if (bits % 8)
        return (d[bits / 8] >> (8 - bits % 8)) == 0;
    return 1;
}

/*
 * The bits of a pow digest's first little-endian word that zkr_ts_pow_ok
 * needs zero: bytes 0 .. bits/8 - 1 whole, then the top bits % 8 bits of
 * the next byte (bits <= 64).
 */
static uint64_t zkr_ts_pow_mask(unsigned bits)
{
    unsigned k = bits / 8, r = bits % 8;
    uint64_t m;

    if (k >= 8)
        return UINT64_MAX;
    m = ((uint64_t)1 << (8 * k)) - 1;
    /* r = 0 has no partial byte; its shift, 8 k + 8, is 64 at 56 bits (undefined) */
    if (r != 0)
        m |= (((uint64_t)1 << r) - 1) << (8 * k + 8 - r);
    return m;
}

/* zkr_ts_pow_first, x8: zkr_b2x8_ok (asked once by a search: one path for all of it). */
static uint64_t zkr_ts_pow_first_x8(const zkr_transcript *t, unsigned bits, uint64_t lo,
                                    uint64_t hi, int x8)
{
    uint8_t pers[crypto_generichash_blake2b_PERSONALBYTES] = "zkr/fs-pow";

    _Static_assert(sizeof t->state == ZKR_DIGEST_BYTES, "a pow message is state || nonce");
    /* Eight nonces at a time (zk/b2x8.c), the first passing one wins. */
    if (x8 && bits <= 64 && lo < hi && (hi - lo) / 8 > 0) {
        uint64_t groups = (hi - lo) / 8, n;

        n = zkr_b2x8_pow(x8, pers, t->state, lo, groups, zkr_ts_pow_mask(bits));
        if (n != UINT64_MAX)
            return n;
        lo += 8 * groups;
    }
    for (; lo < hi; lo++)
        if (zkr_ts_pow_ok(t, bits, lo))
            return lo;
    return UINT64_MAX;
}

uint64_t zkr_ts_pow_search(const zkr_transcript *t, unsigned bits)
{
    int x8 = zkr_b2x8_ok();

    /* windows of eight BLAKE2b lanes at a time: the smallest passing nonce */
    for (uint64_t lo = 0;; lo += 4096) {
        uint64_t n = zkr_ts_pow_first_x8(t, bits, lo, lo + 4096, x8);
        if (n != UINT64_MAX)
            return n;
    }
}

uint64_t zkr_ts_pow_first(const zkr_transcript *t, unsigned bits, uint64_t lo, uint64_t hi)
{
    return zkr_ts_pow_first_x8(t, bits, lo, hi, zkr_b2x8_ok());
}

int zkr_ts_pow_check(zkr_transcript *t, unsigned bits, uint64_t nonce)
{
    if (!zkr_ts_pow_ok(t, bits, nonce))
        return 0;
    zkr_ts_absorb_u64(t, "pow-nonce", nonce);
    return 1;
}
