/*
 * The per-element bodies of the CUDA backend's kernels, compiled twice: by
 * nvcc into the kernels (cuda/kernels.cu) and by the C compiler into the
 * host build, where tests/cuda runs them on the CPU against the zk/ and
 * prover/ code they must equal bit for bit (same field elements, same
 * hashes). A body is a pure function of its arguments: no allocation, no
 * globals, no library calls, so that a device thread can run it.
 *
 * Everything here re-derives what zk/ computes (Goldilocks and its cubic
 * extension, the NTT butterflies, the salted BLAKE2b-256 Merkle hashing of
 * zk/merkle.c with its ChaCha20 salts, Basefold folds, sumcheck line
 * evaluation, LogUp fraction layers); it deliberately shares no code with
 * zk/ so that the host test compares two independent derivations.
 */
#ifndef ZKR_CUDA_BODY_H
#define ZKR_CUDA_BODY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __CUDACC__
#define ZKR_HD __host__ __device__ __forceinline__
#else
#define ZKR_HD static inline
#endif

/* ---------------- Goldilocks p = 2^64 - 2^32 + 1 ---------------- */
#define ZKR_B_P UINT64_C(0xffffffff00000001)
#define ZKR_B_EPS UINT64_C(0xffffffff)

typedef struct {
    uint64_t c[3]; /* c0 + c1 x + c2 x^2 in F_p[x]/(x^3 - x - 1) */
} zkr_b_ext;

/* Branch-free throughout: the witness (model weights) flows through these. */
ZKR_HD uint64_t zkr_b_mask(int c) { return (uint64_t)0 - (uint64_t)(c != 0); }

ZKR_HD uint64_t zkr_b_canon(uint64_t x) { return x - (ZKR_B_P & zkr_b_mask(x >= ZKR_B_P)); }

ZKR_HD uint64_t zkr_b_add(uint64_t a, uint64_t b)
{
    uint64_t s = a + b;
    s += ZKR_B_EPS & zkr_b_mask(s < a); /* 2^64 == EPS (mod p); cannot wrap again */
    return zkr_b_canon(s);
}

ZKR_HD uint64_t zkr_b_sub(uint64_t a, uint64_t b)
{
    uint64_t d = a - b;
    return d - (ZKR_B_EPS & zkr_b_mask(a < b)); /* d + 2^64 - EPS = a - b + p */
}

/* 64x64 -> 128 multiply as (lo, hi): the device's mul.hi, the host's __int128. */
ZKR_HD void zkr_b_mul_wide(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
#ifdef __CUDA_ARCH__
    *lo = a * b;
    *hi = __umul64hi(a, b);
#else
    unsigned __int128 t = (unsigned __int128)a * b;
    *lo = (uint64_t)t;
    *hi = (uint64_t)(t >> 64);
#endif
}

/* (hi:lo) mod p using 2^64 == EPS and 2^96 == -1. */
ZKR_HD uint64_t zkr_b_reduce(uint64_t lo, uint64_t hi)
{
    uint64_t hh = hi >> 32, hl = hi & ZKR_B_EPS;
    uint64_t t0 = lo - hh;
    t0 -= ZKR_B_EPS & zkr_b_mask(lo < hh);
    uint64_t t1 = hl * ZKR_B_EPS;
    uint64_t t2 = t0 + t1;
    t2 += ZKR_B_EPS & zkr_b_mask(t2 < t1);
    return zkr_b_canon(t2);
}

ZKR_HD uint64_t zkr_b_mul(uint64_t a, uint64_t b)
{
    uint64_t lo, hi;
    zkr_b_mul_wide(a, b, &lo, &hi);
    return zkr_b_reduce(lo, hi);
}

ZKR_HD uint64_t zkr_b_pow(uint64_t a, uint64_t e)
{
    uint64_t r = 1;
    while (e) {
        if (e & 1)
            r = zkr_b_mul(r, a);
        a = zkr_b_mul(a, a);
        e >>= 1;
    }
    return r;
}

ZKR_HD zkr_b_ext zkr_b_ext_from(uint64_t a)
{
    zkr_b_ext r = {{a, 0, 0}};
    return r;
}

ZKR_HD zkr_b_ext zkr_b_ext_add(zkr_b_ext a, zkr_b_ext b)
{
    zkr_b_ext r = {{zkr_b_add(a.c[0], b.c[0]), zkr_b_add(a.c[1], b.c[1]), zkr_b_add(a.c[2], b.c[2])}};
    return r;
}

ZKR_HD zkr_b_ext zkr_b_ext_sub(zkr_b_ext a, zkr_b_ext b)
{
    zkr_b_ext r = {{zkr_b_sub(a.c[0], b.c[0]), zkr_b_sub(a.c[1], b.c[1]), zkr_b_sub(a.c[2], b.c[2])}};
    return r;
}

ZKR_HD zkr_b_ext zkr_b_ext_mul_base(zkr_b_ext a, uint64_t b)
{
    zkr_b_ext r = {{zkr_b_mul(a.c[0], b), zkr_b_mul(a.c[1], b), zkr_b_mul(a.c[2], b)}};
    return r;
}

/* Schoolbook product, reduced per coefficient: x^3 = x + 1, x^4 = x^2 + x. */
ZKR_HD zkr_b_ext zkr_b_ext_mul(zkr_b_ext a, zkr_b_ext b)
{
    uint64_t p00 = zkr_b_mul(a.c[0], b.c[0]);
    uint64_t p01 = zkr_b_add(zkr_b_mul(a.c[0], b.c[1]), zkr_b_mul(a.c[1], b.c[0]));
    uint64_t p02 = zkr_b_add(zkr_b_add(zkr_b_mul(a.c[0], b.c[2]), zkr_b_mul(a.c[1], b.c[1])),
                             zkr_b_mul(a.c[2], b.c[0]));
    uint64_t d3 = zkr_b_add(zkr_b_mul(a.c[1], b.c[2]), zkr_b_mul(a.c[2], b.c[1]));
    uint64_t d4 = zkr_b_mul(a.c[2], b.c[2]);
    zkr_b_ext r = {{zkr_b_add(p00, d3), zkr_b_add(zkr_b_add(p01, d3), d4), zkr_b_add(p02, d4)}};
    return r;
}

/* ---------------- NTT (radix 2) ---------------- */
/*
 * Butterfly t of the stage of half-size h = 2^s over a: DIF (natural in,
 * bit-reversed out) when dif, else DIT with the inverse twiddle. tw holds
 * w_N^j for j < N/2 (N = 2^log_max); stage s reads w_2h^j = w_N^(j N/2h).
 */
ZKR_HD void zkr_b_ntt_butterfly(uint64_t *a, const uint64_t *tw, unsigned log_max, unsigned s,
                                size_t t, int dif)
{
    size_t h = (size_t)1 << s, j = t & (h - 1);
    size_t pos = ((t >> s) << (s + 1)) | j;
    unsigned sh = log_max - 1 - s;
    uint64_t u = a[pos], v = a[pos + h];

    if (dif) {
        a[pos] = zkr_b_add(u, v);
        a[pos + h] = zkr_b_mul(zkr_b_sub(u, v), tw[j << sh]);
    } else {
        /* w_2h^-j = -w_2h^(h-j) */
        uint64_t w = j ? zkr_b_sub(0, tw[(h - j) << sh]) : 1; /* j is a public index */
        v = zkr_b_mul(v, w);
        a[pos] = zkr_b_add(u, v);
        a[pos + h] = zkr_b_sub(u, v);
    }
}

/* LDE block input: c_i * step^i (step = shift * w_big^bitrev(block)). */
ZKR_HD uint64_t zkr_b_lde_scale(uint64_t c, uint64_t step, size_t i)
{
    return zkr_b_mul(c, zkr_b_pow(step, (uint64_t)i));
}

/* One Moebius step (evaluations -> monomial coefficients) for variable bit. */
ZKR_HD void zkr_b_moebius(uint64_t *t, size_t bit, size_t i)
{
    if (i & bit)
        t[i] = zkr_b_sub(t[i], t[i ^ bit]);
}

/* ---------------- ChaCha20 salts and BLAKE2b-256 (RFC 7693) ---------------- */
ZKR_HD uint32_t zkr_b_rotl32(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }
ZKR_HD uint64_t zkr_b_rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

ZKR_HD uint32_t zkr_b_ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

ZKR_HD uint64_t zkr_b_ld64(const uint8_t *p)
{
    return (uint64_t)zkr_b_ld32(p) | (uint64_t)zkr_b_ld32(p + 4) << 32;
}

#define ZKR_B_QR(a, b, c, d)                                                                       \
    do {                                                                                           \
        a += b; d = zkr_b_rotl32(d ^ a, 16);                                                       \
        c += d; b = zkr_b_rotl32(b ^ c, 12);                                                       \
        a += b; d = zkr_b_rotl32(d ^ a, 8);                                                        \
        c += d; b = zkr_b_rotl32(b ^ c, 7);                                                        \
    } while (0)

/*
 * The salt of leaf i as two little-endian words: bytes 16 (i mod 4) .. +16
 * of ChaCha20 (64-bit nonce "zkr-salt", 64-bit block counter i / 4) under
 * seed, as zk/merkle.c draws them from libsodium.
 */
ZKR_HD void zkr_b_leaf_salt(const uint8_t seed[32], uint64_t i, uint64_t salt[2])
{
    uint32_t in[16], x[16];
    uint64_t blk = i / 4;
    unsigned q = (unsigned)(i % 4);

    in[0] = 0x61707865u; in[1] = 0x3320646eu; in[2] = 0x79622d32u; in[3] = 0x6b206574u;
    for (int k = 0; k < 8; k++)
        in[4 + k] = zkr_b_ld32(seed + 4 * k);
    in[12] = (uint32_t)blk;
    in[13] = (uint32_t)(blk >> 32);
    in[14] = 0x2d726b7au; /* "zkr-" */
    in[15] = 0x746c6173u; /* "salt" */
    for (int k = 0; k < 16; k++)
        x[k] = in[k];
    for (int r = 0; r < 10; r++) {
        ZKR_B_QR(x[0], x[4], x[8], x[12]); ZKR_B_QR(x[1], x[5], x[9], x[13]);
        ZKR_B_QR(x[2], x[6], x[10], x[14]); ZKR_B_QR(x[3], x[7], x[11], x[15]);
        ZKR_B_QR(x[0], x[5], x[10], x[15]); ZKR_B_QR(x[1], x[6], x[11], x[12]);
        ZKR_B_QR(x[2], x[7], x[8], x[13]); ZKR_B_QR(x[3], x[4], x[9], x[14]);
    }
    for (int k = 0; k < 2; k++)
        salt[k] = (uint64_t)(x[4 * q + 2 * k] + in[4 * q + 2 * k]) |
                  (uint64_t)(x[4 * q + 2 * k + 1] + in[4 * q + 2 * k + 1]) << 32;
}
#undef ZKR_B_QR

ZKR_HD uint64_t zkr_b_b2_iv(int i)
{
    switch (i) {
    case 0: return UINT64_C(0x6a09e667f3bcc908);
    case 1: return UINT64_C(0xbb67ae8584caa73b);
    case 2: return UINT64_C(0x3c6ef372fe94f82b);
    case 3: return UINT64_C(0xa54ff53a5f1d36f1);
    case 4: return UINT64_C(0x510e527fade682d1);
    case 5: return UINT64_C(0x9b05688c2b3e6c1f);
    case 6: return UINT64_C(0x1f83d9abfb41bd6b);
    default: return UINT64_C(0x5be0cd19137e2179);
    }
}

/* The message schedule sigma[r][k], packed as nibbles (RFC 7693 2.7). */
ZKR_HD unsigned zkr_b_b2_sigma(unsigned r, unsigned k)
{
    uint64_t row;
    switch (r % 10) {
    case 0: row = UINT64_C(0xfedcba9876543210); break;
    case 1: row = UINT64_C(0x357b20c16df984ae); break;
    case 2: row = UINT64_C(0x491763eadf250c8b); break;
    case 3: row = UINT64_C(0x8f04a562ebcd1397); break;
    case 4: row = UINT64_C(0xd386cb1efa427509); break;
    case 5: row = UINT64_C(0x91ef57d438b0a6c2); break;
    case 6: row = UINT64_C(0xb8293670a4def15c); break;
    case 7: row = UINT64_C(0xa2684f05931ce7bd); break;
    case 8: row = UINT64_C(0x5a417d2c803b9ef6); break;
    default: row = UINT64_C(0x0dc3e9bf5167482a); break;
    }
    return (unsigned)(row >> (4 * k)) & 15u;
}

#define ZKR_B_G(a, b, c, d, x, y)                                                                  \
    do {                                                                                           \
        v[a] = v[a] + v[b] + (x); v[d] = zkr_b_rotr64(v[d] ^ v[a], 32);                            \
        v[c] = v[c] + v[d];       v[b] = zkr_b_rotr64(v[b] ^ v[c], 24);                            \
        v[a] = v[a] + v[b] + (y); v[d] = zkr_b_rotr64(v[d] ^ v[a], 16);                            \
        v[c] = v[c] + v[d];       v[b] = zkr_b_rotr64(v[b] ^ v[c], 63);                            \
    } while (0)

/* Compresses one 128-byte block m (16 LE words); t = bytes so far, last = final block. */
ZKR_HD void zkr_b_b2_compress(uint64_t h[8], const uint64_t m[16], uint64_t t, int last)
{
    uint64_t v[16];

    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = zkr_b_b2_iv(i);
    }
    v[12] ^= t;
    if (last)
        v[14] = ~v[14];
    for (unsigned r = 0; r < 12; r++) {
        ZKR_B_G(0, 4, 8, 12, m[zkr_b_b2_sigma(r, 0)], m[zkr_b_b2_sigma(r, 1)]);
        ZKR_B_G(1, 5, 9, 13, m[zkr_b_b2_sigma(r, 2)], m[zkr_b_b2_sigma(r, 3)]);
        ZKR_B_G(2, 6, 10, 14, m[zkr_b_b2_sigma(r, 4)], m[zkr_b_b2_sigma(r, 5)]);
        ZKR_B_G(3, 7, 11, 15, m[zkr_b_b2_sigma(r, 6)], m[zkr_b_b2_sigma(r, 7)]);
        ZKR_B_G(0, 5, 10, 15, m[zkr_b_b2_sigma(r, 8)], m[zkr_b_b2_sigma(r, 9)]);
        ZKR_B_G(1, 6, 11, 12, m[zkr_b_b2_sigma(r, 10)], m[zkr_b_b2_sigma(r, 11)]);
        ZKR_B_G(2, 7, 8, 13, m[zkr_b_b2_sigma(r, 12)], m[zkr_b_b2_sigma(r, 13)]);
        ZKR_B_G(3, 4, 9, 14, m[zkr_b_b2_sigma(r, 14)], m[zkr_b_b2_sigma(r, 15)]);
    }
    for (int i = 0; i < 8; i++)
        h[i] ^= v[i] ^ v[i + 8];
}
#undef ZKR_B_G

/*
 * BLAKE2b-256 with a 16-byte personalization (pers0, pers1 as LE words; no
 * key, zero salt) over the concatenation of head[0..nh) and body[0..nb)
 * as little-endian words: every input here is whole words. Writes the
 * digest as 4 LE words.
 */
ZKR_HD void zkr_b_b2_words(uint64_t pers0, uint64_t pers1, const uint64_t *head, size_t nh,
                           const uint64_t *body, size_t nb, uint64_t out[4])
{
    uint64_t h[8], m[16];
    size_t total = nh + nb, done = 0;

    for (int i = 0; i < 8; i++)
        h[i] = zkr_b_b2_iv(i);
    h[0] ^= UINT64_C(0x01010020); /* digest 32, key 0, fanout 1, depth 1 */
    h[6] ^= pers0;
    h[7] ^= pers1;
    do {
        size_t k = 0;
        for (; k < 16 && done + k < total; k++) {
            size_t w = done + k;
            m[k] = w < nh ? head[w] : body[w - nh];
        }
        for (size_t z = k; z < 16; z++)
            m[z] = 0;
        done += k;
        zkr_b_b2_compress(h, m, (uint64_t)done * 8, done == total);
    } while (done < total);
    for (int i = 0; i < 4; i++)
        out[i] = h[i];
}

/* "zkr/mt-leaf" and "zkr/mt-node", zero-padded to 16 bytes, as LE words. */
#define ZKR_B_PERS_LEAF0 UINT64_C(0x6c2d746d2f726b7a)
#define ZKR_B_PERS_LEAF1 UINT64_C(0x0000000000666165)
#define ZKR_B_PERS_NODE0 UINT64_C(0x6e2d746d2f726b7a)
#define ZKR_B_PERS_NODE1 UINT64_C(0x000000000065646f)

/* Leaf hash of zk/merkle.c: BLAKE2b-256["zkr/mt-leaf"](salt || words LE). */
ZKR_HD void zkr_b_leaf_hash(const uint64_t salt[2], const uint64_t *words, size_t n, uint64_t out[4])
{
    zkr_b_b2_words(ZKR_B_PERS_LEAF0, ZKR_B_PERS_LEAF1, salt, 2, words, n, out);
}

/* Node hash: BLAKE2b-256["zkr/mt-node"](left || right). */
ZKR_HD void zkr_b_node_hash(const uint64_t l[4], const uint64_t r[4], uint64_t out[4])
{
    zkr_b_b2_words(ZKR_B_PERS_NODE0, ZKR_B_PERS_NODE1, l, 4, r, 4, out);
}

/* ---------------- Basefold folding ---------------- */
/* Coefficient fold c_2v + r c_2v+1 from base coefficients. */
ZKR_HD zkr_b_ext zkr_b_fold_coef_base(zkr_b_ext r, uint64_t c0, uint64_t c1)
{
    zkr_b_ext o = zkr_b_ext_mul_base(r, c1);
    o.c[0] = zkr_b_add(o.c[0], c0);
    return o;
}

/* Coefficient fold c_2v + r c_2v+1 in the extension. */
ZKR_HD zkr_b_ext zkr_b_fold_coef(zkr_b_ext r, zkr_b_ext c0, zkr_b_ext c1)
{
    return zkr_b_ext_add(c0, zkr_b_ext_mul(r, c1));
}

/* Evaluation fold (fix a variable to r): e0 + r (e1 - e0). */
ZKR_HD zkr_b_ext zkr_b_fold_eval(zkr_b_ext r, zkr_b_ext e0, zkr_b_ext e1)
{
    return zkr_b_ext_add(e0, zkr_b_ext_mul(r, zkr_b_ext_sub(e1, e0)));
}

ZKR_HD zkr_b_ext zkr_b_fold_eval_base(zkr_b_ext r, uint64_t e0, uint64_t e1)
{
    zkr_b_ext o = zkr_b_ext_mul_base(r, zkr_b_sub(e1, e0));
    o.c[0] = zkr_b_add(o.c[0], e0);
    return o;
}

/* ---------------- sumcheck rounds ---------------- */
#define ZKR_B_SC_MAX_DEGREE 8
#define ZKR_B_SC_MAX_FACTORS 4

/*
 * The contribution of pair i to a product term's round polynomial at
 * X = 0, 2, ..., d (out[0] at 0, out[x-1] at x >= 2): each factor table
 * restricted to the line t(X) = t[2i] + X (t[2i+1] - t[2i]), multiplied.
 * The messages are sums of these over i (any order: the sum is exact).
 */
ZKR_HD void zkr_b_sc_term_pair(const zkr_b_ext *const *fac, unsigned n_fac, unsigned d, size_t i,
                               zkr_b_ext *out)
{
    zkr_b_ext v[ZKR_B_SC_MAX_FACTORS], df[ZKR_B_SC_MAX_FACTORS];

    for (unsigned k = 0; k < n_fac; k++) {
        v[k] = fac[k][2 * i];
        df[k] = zkr_b_ext_sub(fac[k][2 * i + 1], v[k]);
    }
    for (unsigned x = 0; x <= d; x++) {
        if (x != 1) {
            zkr_b_ext pr = v[0];
            for (unsigned k = 1; k < n_fac; k++)
                pr = zkr_b_ext_mul(pr, v[k]);
            out[x ? x - 1 : 0] = pr;
        }
        for (unsigned k = 0; k < n_fac; k++)
            v[k] = zkr_b_ext_add(v[k], df[k]);
    }
}

/* Basefold's eq round: (s_i g_2i, s_i g_2i+1), summed into q(0), q(1). */
ZKR_HD void zkr_b_eq_q_pair(const zkr_b_ext *s, const zkr_b_ext *g, size_t i, zkr_b_ext q[2])
{
    q[0] = zkr_b_ext_mul(s[i], g[2 * i]);
    q[1] = zkr_b_ext_mul(s[i], g[2 * i + 1]);
}

/* The same with g in the base field (a single polynomial's first round). */
ZKR_HD void zkr_b_eq_q_pair_base(const zkr_b_ext *s, const uint64_t *g, size_t i, zkr_b_ext q[2])
{
    q[0] = zkr_b_ext_mul_base(s[i], g[2 * i]);
    q[1] = zkr_b_ext_mul_base(s[i], g[2 * i + 1]);
}

/* eq table doubling for variable z: entry i splits into (v (1 - z), v z). */
ZKR_HD void zkr_b_eq_split(zkr_b_ext *out, size_t len, zkr_b_ext z, size_t i)
{
    zkr_b_ext hi = zkr_b_ext_mul(out[i], z);
    out[i + len] = hi;
    out[i] = zkr_b_ext_sub(out[i], hi);
}

/* ---------------- LogUp fraction trees ---------------- */
/* Parent x of a layer of 2h fractions: p = pl qr + pr ql, q = ql qr. */
ZKR_HD void zkr_b_frac_parent(const zkr_b_ext *p, const zkr_b_ext *q, size_t h, size_t x,
                              zkr_b_ext *po, zkr_b_ext *qo)
{
    zkr_b_ext pl = p[x], pr = p[x + h], ql = q[x], qr = q[x + h];
    *po = zkr_b_ext_add(zkr_b_ext_mul(pl, qr), zkr_b_ext_mul(pr, ql));
    *qo = zkr_b_ext_mul(ql, qr);
}

/* Leaf of the tree: numerator (1 without multiplicities) over alpha - value. */
ZKR_HD void zkr_b_frac_leaf(zkr_b_ext alpha, uint64_t num, uint64_t val, zkr_b_ext *p, zkr_b_ext *q)
{
    *p = zkr_b_ext_from(num);
    *q = zkr_b_ext_sub(alpha, zkr_b_ext_from(val));
}

#endif
