/*
 * The prover's zero-knowledge randomness: a ChaCha20 keystream under a key
 * from the OS CSPRNG or derived (RFC 6979 style) from a secret seed and the
 * public statement. The key is the only secret state; it is wiped on
 * zkr_zkrng_wipe.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "prover/prover.h"
#include "zkr_config.h"

static const uint8_t zkr_zkrng_nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = "zkr-zk-rng";

void zkr_zkrng_os(zkr_zkrng *g)
{
    memset(g, 0, sizeof *g);
    randombytes_buf(g->key, sizeof g->key);
    g->pos = sizeof g->buf;
}

void zkr_zkrng_from_key(zkr_zkrng *g, const uint8_t key[32])
{
    memset(g, 0, sizeof *g);
    memcpy(g->key, key, sizeof g->key);
    g->pos = sizeof g->buf;
}

zkr_err zkr_zkrng_seeded(zkr_zkrng *g, const uint8_t *seed, size_t seed_len, const char *label,
                         const uint8_t *ctx, size_t ctx_len)
{
    crypto_generichash_blake2b_state h;
    static const uint8_t dom[] = "zkr/zk-rng/v1";
    uint8_t ll[8];
    size_t lablen = strlen(label);

    memset(g, 0, sizeof *g);
    g->pos = sizeof g->buf;
    if (!seed || seed_len < ZKR_ZK_SEED_MIN || seed_len > ZKR_ZK_SEED_MAX)
        return ZKR_ERR_USAGE;
    zkr_store_le64(ll, lablen);
    (void)crypto_generichash_blake2b_init(&h, seed, seed_len, sizeof g->key);
    (void)crypto_generichash_blake2b_update(&h, dom, sizeof dom); /* with its NUL */
    (void)crypto_generichash_blake2b_update(&h, ll, sizeof ll);
    (void)crypto_generichash_blake2b_update(&h, (const uint8_t *)label, lablen);
    (void)crypto_generichash_blake2b_update(&h, ctx, ctx_len);
    (void)crypto_generichash_blake2b_final(&h, g->key, sizeof g->key);
    sodium_memzero(&h, sizeof h);
    return ZKR_OK;
}

void zkr_zkrng_bytes(zkr_zkrng *g, uint8_t *out, size_t n)
{
    if (g->zero == 1) {
        memset(out, 0, n);
        return;
    }
    while (n > 0) {
        size_t take;
        if (g->pos == sizeof g->buf) {
            memset(g->buf, 0, sizeof g->buf);
            (void)crypto_stream_chacha20_ietf_xor_ic(g->buf, g->buf, sizeof g->buf,
                                                     zkr_zkrng_nonce, g->block++, g->key);
            g->pos = 0;
        }
        take = sizeof g->buf - g->pos;
        if (take > n)
            take = n;
        memcpy(out, g->buf + g->pos, take);
        sodium_memzero(g->buf + g->pos, take);
        g->pos += (unsigned)take;
        out += take;
        n -= take;
    }
}

zkr_gl zkr_zkrng_gl(zkr_zkrng *g)
{
    uint8_t b[8];
    uint64_t v;

    if (g->zero)
        return 0; /* test builds' broken generators only */
    do {
        zkr_zkrng_bytes(g, b, sizeof b);
        v = zkr_load_le64(b);
    } while (v >= ZKR_GL_P);
    sodium_memzero(b, sizeof b);
    return v;
}

zkr_ext zkr_zkrng_ext(zkr_zkrng *g)
{
    zkr_ext e;

    /* one statement each: the draws' order is c[0], c[1], c[2] (zkr_zkrng_ext_fill's) */
    e.c[0] = zkr_zkrng_gl(g);
    e.c[1] = zkr_zkrng_gl(g);
    e.c[2] = zkr_zkrng_gl(g);
    return e;
}

/* Keystream blocks per bulk call: libsodium's multi-block path runs on a few KiB at once. */
#define ZKR_ZKRNG_CHUNK_BLOCKS 64u

/*
 * Draws n field elements into out from keystream blocks generated in bulk
 * straight from g's counter (g's buffer empty), then leaves g exactly where
 * n zkr_zkrng_gl calls would: the next byte is the one after the last used.
 * Returns how many were drawn (fewer than n when the chunk ran out).
 */
static size_t zkr_zkrng_gl_chunk(zkr_zkrng *g, zkr_gl *out, size_t n)
{
    uint8_t ks[64 * ZKR_ZKRNG_CHUNK_BLOCKS];
    size_t blocks = n >= 8 * ZKR_ZKRNG_CHUNK_BLOCKS ? ZKR_ZKRNG_CHUNK_BLOCKS : (n + 7) / 8;
    size_t used = 0, got = 0;

    memset(ks, 0, blocks * 64);
    (void)crypto_stream_chacha20_ietf_xor_ic(ks, ks, blocks * 64, zkr_zkrng_nonce, g->block,
                                             g->key);
    for (; used + 8 <= blocks * 64 && got < n; used += 8) {
        uint64_t v = zkr_load_le64(ks + used);
        if (v < ZKR_GL_P)
            out[got++] = v;
    }
    /* the block holding the next unused byte becomes g's buffer (as the byte path leaves it) */
    g->block += (uint32_t)(used / 64);
    if (used % 64 != 0) {
        memcpy(g->buf, ks + used / 64 * 64, 64);
        sodium_memzero(g->buf, used % 64);
        g->pos = (unsigned)(used % 64);
        g->block++;
    }
    sodium_memzero(ks, blocks * 64);
    return got;
}

void zkr_zkrng_gl_fill(zkr_zkrng *g, zkr_gl *out, size_t n)
{
    size_t i = 0;

    if (g->zero) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    while (i < n) {
        if (g->pos == sizeof g->buf && g->block <= UINT32_MAX - ZKR_ZKRNG_CHUNK_BLOCKS)
            i += zkr_zkrng_gl_chunk(g, out + i, n - i);
        else
            out[i++] = zkr_zkrng_gl(g); /* the buffer's rest, or a draw across a refill */
    }
}

void zkr_zkrng_ext_fill(zkr_zkrng *g, zkr_ext *out, size_t n)
{
    zkr_gl tmp[3 * 256];

    for (size_t i = 0; i < n;) {
        size_t k = n - i < 256 ? n - i : 256;
        zkr_zkrng_gl_fill(g, tmp, 3 * k);
        for (size_t j = 0; j < k; j++, i++)
            for (int c = 0; c < 3; c++)
                out[i].c[c] = tmp[3 * j + (size_t)c];
    }
    sodium_memzero(tmp, sizeof tmp);
}

/*
 * The threaded fill: the keystream of whole blocks generated straight into
 * out by the workers, each its own run of block counters (ChaCha20 is
 * seekable), then checked: with no word at or above p (each is one with
 * probability 2^-32) out holds exactly the words zkr_zkrng_gl_fill draws,
 * and g moves past those blocks; the tail (under a block) and any run with
 * a rejected word take the sequential path from the same state.
 */
typedef struct {
    const zkr_zkrng *g;
    uint8_t *out;
    int bad[ZKR_PAR_MAX];
} zkr_zkrng_par_job;

static void zkr_zkrng_par_chunk(void *ctx, size_t lo, size_t hi, unsigned w)
{
    zkr_zkrng_par_job *j = ctx;
    uint8_t *b = j->out + 64 * lo;
    const uint64_t *v = (const uint64_t *)(const void *)b;

    memset(b, 0, 64 * (hi - lo));
    (void)crypto_stream_chacha20_ietf_xor_ic(b, b, 64 * (hi - lo), zkr_zkrng_nonce,
                                             j->g->block + (uint32_t)lo, j->g->key);
    for (size_t i = 0; i < 8 * (hi - lo); i++)
        j->bad[w] |= v[i] >= ZKR_GL_P;
}

void zkr_zkrng_gl_fill_mt(zkr_zkrng *g, zkr_gl *out, size_t n, unsigned threads)
{
    size_t blocks;
    zkr_zkrng_par_job j = {g, NULL, {0}};
    int bad = 0;

    /*
     * The buffer's rest first, word by word as zkr_zkrng_gl_fill draws it
     * (at most eight words, one more a rejection): a fill that follows a few
     * single draws then starts on a block boundary and still runs threaded,
     * where it used to take the sequential path whole.
     */
    while (threads > 1 && !g->zero && n > 0 && g->pos != sizeof g->buf && g->pos % 8 == 0) {
        *out++ = zkr_zkrng_gl(g);
        n--;
    }
    blocks = n / 8;
    j.out = (uint8_t *)(void *)out;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (threads > 1 && !g->zero && g->pos == sizeof g->buf && blocks >= 1024 &&
        blocks <= UINT32_MAX - (size_t)g->block) {
        zkr_par_for(threads, blocks, 256, zkr_zkrng_par_chunk, &j);
        for (unsigned w = 0; w < ZKR_PAR_MAX; w++)
            bad |= j.bad[w];
        if (!bad) {
            g->block += (uint32_t)blocks;
            zkr_zkrng_gl_fill(g, out + 8 * blocks, n - 8 * blocks);
            return;
        }
    }
#else
    (void)threads, (void)blocks, (void)j, (void)bad;
#endif
    zkr_zkrng_gl_fill(g, out, n);
}

void zkr_zkrng_ext_fill_mt(zkr_zkrng *g, zkr_ext *out, size_t n, unsigned threads)
{
    /* an ext is its three words in order: the same draws as zkr_zkrng_ext_fill's */
    _Static_assert(sizeof(zkr_ext) == 3 * sizeof(zkr_gl), "zkr_ext is three packed words");
    zkr_zkrng_gl_fill_mt(g, (zkr_gl *)(void *)out, 3 * n, threads);
}

void zkr_zkrng_wipe(zkr_zkrng *g)
{
    sodium_memzero(g, sizeof *g);
}

#if ZKR_TEST_BUILD
void zkr_zkrng_zero_for_test(zkr_zkrng *g, int mode)
{
    zkr_zkrng_os(g);
    g->zero = mode == 2 ? 2 : 1;
}
#endif

void zkr_prover_set_label(const char *base, uint32_t set, char *out, size_t cap)
{
    /* The label is length-prefixed in the key's hash: "base" and "base/set N" never collide. */
    if (set == ZKR_PARAM_SET_128)
        (void)snprintf(out, cap, "%s", base);
    else
        (void)snprintf(out, cap, "%s/set %u", base, set);
}
