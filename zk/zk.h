/*
 * zk: the proof-system core shared by the prover and the verifier.
 *
 * Goldilocks field and its cubic extension, NTT, the Fiat-Shamir transcript,
 * salted Merkle trees with pruned multi-openings, multilinear helpers, the
 * sumcheck / LogUp / Basefold *verifiers*, parameter sets, soundness and the
 * proof container format. Prover-only algorithms live in prover/ so that the
 * verifier never links them (docs/DESIGN.md section 2).
 *
 * Conventions: a multilinear table of n variables has 2^n entries and
 * variable t is bit t of the index (variable 0 is the lowest bit and is
 * folded first). Field elements travel as canonical u64 (little-endian in
 * proofs). No function here keeps global mutable state; all are thread-safe
 * on distinct objects. Nothing here is secret: this is the verifier's side;
 * the hiding layer's secrets (masks, blinding, salts) live in prover/ and
 * only matmul@2 and inference@2 are zero-knowledge (docs/proof-system.md).
 */
#ifndef ZKR_ZK_H
#define ZKR_ZK_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ------------------------------------------------------------------ */
/* Goldilocks field p = 2^64 - 2^32 + 1                                 */
/* ------------------------------------------------------------------ */
typedef uint64_t zkr_gl;
#define ZKR_GL_P UINT64_C(0xffffffff00000001)
#define ZKR_GL_EPS UINT64_C(0xffffffff) /* 2^64 mod p */
#define ZKR_GL_BYTES 8
#define ZKR_EXT_BYTES 24

/* Reduces x < 2^64 to [0, p) without a branch. */
static inline zkr_gl zkr_gl_canon(uint64_t x)
{
    uint64_t m = (uint64_t)0 - (uint64_t)(x >= ZKR_GL_P);
    return x - (ZKR_GL_P & m);
}

static inline zkr_gl zkr_gl_add(zkr_gl a, zkr_gl b)
{
    uint64_t s = a + b;
    uint64_t c = (uint64_t)(s < a);
    s += ZKR_GL_EPS & ((uint64_t)0 - c); /* 2^64 == EPS (mod p); cannot wrap again */
    return zkr_gl_canon(s);
}

static inline zkr_gl zkr_gl_sub(zkr_gl a, zkr_gl b)
{
    uint64_t d = a - b;
    uint64_t br = (uint64_t)(a < b);
    return d - (ZKR_GL_EPS & ((uint64_t)0 - br)); /* d + 2^64 - EPS = a - b + p */
}

static inline zkr_gl zkr_gl_neg(zkr_gl a) { return zkr_gl_sub(0, a); }

/* Reduces a 128-bit value (hi:lo) modulo p, branch-free (2^96 == -1). */
static inline zkr_gl zkr_gl_reduce128(uint64_t lo, uint64_t hi)
{
    uint64_t hh = hi >> 32, hl = hi & ZKR_GL_EPS;
    uint64_t t0 = lo - hh;
    t0 -= ZKR_GL_EPS & ((uint64_t)0 - (uint64_t)(lo < hh));
    uint64_t t1 = hl * ZKR_GL_EPS;
    uint64_t t2 = t0 + t1;
    t2 += ZKR_GL_EPS & ((uint64_t)0 - (uint64_t)(t2 < t1));
    return zkr_gl_canon(t2);
}

static inline zkr_gl zkr_gl_mul(zkr_gl a, zkr_gl b)
{
    unsigned __int128 t = (unsigned __int128)a * b;
    return zkr_gl_reduce128((uint64_t)t, (uint64_t)(t >> 64));
}

/* Maps a signed integer to the field (v mod p). */
static inline zkr_gl zkr_gl_from_i64(int64_t v)
{
    uint64_t u = (uint64_t)v;
    uint64_t m = (uint64_t)0 - (uint64_t)(v < 0);
    return u - (ZKR_GL_EPS & m); /* v + 2^64 - EPS = v + p when negative */
}

/* a^e (e public). */
zkr_gl zkr_gl_pow(zkr_gl a, uint64_t e);
/* a^-1, and 0 for 0. Constant time (fixed exponent). */
zkr_gl zkr_gl_inv(zkr_gl a);
/*
 * Inverts a[0..n) in place with Montgomery's trick (3(n-1) mults + 1 inv).
 * Returns ZKR_ERR_USAGE if some a[i] == 0 (then a is unchanged),
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_gl_batch_inv(zkr_gl *a, size_t n) ZKR_WUR;
/* A primitive 2^log_n-th root of unity (log_n <= 32). */
zkr_gl zkr_gl_root_of_unity(unsigned log_n);
#define ZKR_GL_TWO_ADICITY 32
#define ZKR_GL_GENERATOR 7

/* ------------------------------------------------------------------ */
/* Cubic extension F_p[x]/(x^3 - x - 1): challenges live here            */
/* ------------------------------------------------------------------ */
typedef struct {
    zkr_gl c[3]; /* c0 + c1 x + c2 x^2 */
} zkr_ext;

static inline zkr_ext zkr_ext_from(zkr_gl a)
{
    zkr_ext r = {{a, 0, 0}};
    return r;
}
static inline zkr_ext zkr_ext_add(zkr_ext a, zkr_ext b)
{
    zkr_ext r = {{zkr_gl_add(a.c[0], b.c[0]), zkr_gl_add(a.c[1], b.c[1]),
                  zkr_gl_add(a.c[2], b.c[2])}};
    return r;
}
static inline zkr_ext zkr_ext_sub(zkr_ext a, zkr_ext b)
{
    zkr_ext r = {{zkr_gl_sub(a.c[0], b.c[0]), zkr_gl_sub(a.c[1], b.c[1]),
                  zkr_gl_sub(a.c[2], b.c[2])}};
    return r;
}
static inline zkr_ext zkr_ext_mul_base(zkr_ext a, zkr_gl b)
{
    zkr_ext r = {{zkr_gl_mul(a.c[0], b), zkr_gl_mul(a.c[1], b), zkr_gl_mul(a.c[2], b)}};
    return r;
}
static inline int zkr_ext_eq(zkr_ext a, zkr_ext b)
{
    return ((a.c[0] ^ b.c[0]) | (a.c[1] ^ b.c[1]) | (a.c[2] ^ b.c[2])) == 0;
}
/* Reduces lo + mid 2^64 + hi 2^128 (hi small), for sums of a few 128-bit products. */
static inline zkr_gl zkr_acc_reduce(uint64_t lo, uint64_t mid, uint64_t hi)
{
    zkr_gl a = zkr_gl_reduce128(lo, mid);
    /* 2^128 == 2^96 2^32 == -2^32 (mod p): hi 2^32 < p is subtracted, no product
     * (the canonical value a 2^128-by-hi product would give; zkr_ext_mul's hi <= 4). */
    if (hi >> 31)
        return zkr_gl_add(a, zkr_gl_mul(zkr_gl_canon(hi), UINT64_C(0xfffffffe00000001)));
    return zkr_gl_sub(a, hi << 32);
}
static inline zkr_ext zkr_ext_mul(zkr_ext a, zkr_ext b)
{
    typedef unsigned __int128 u128;
    /* Products summed in 192-bit accumulators, one reduction per output. */
    u128 p00 = (u128)a.c[0] * b.c[0];
    u128 p01 = (u128)a.c[0] * b.c[1], p10 = (u128)a.c[1] * b.c[0];
    u128 p02 = (u128)a.c[0] * b.c[2], p11 = (u128)a.c[1] * b.c[1], p20 = (u128)a.c[2] * b.c[0];
    u128 p12 = (u128)a.c[1] * b.c[2], p21 = (u128)a.c[2] * b.c[1];
    u128 p22 = (u128)a.c[2] * b.c[2];
    /* d3 = p12 + p21, d4 = p22; x^3 = x + 1, x^4 = x^2 + x. */
    u128 s, t;
    uint64_t h;
    zkr_ext r;
#define ZKR_ACC_(acc, hv, v) do { t = (v); acc += t; hv += (uint64_t)(acc < t); } while (0)
    s = p00; h = 0; ZKR_ACC_(s, h, p12); ZKR_ACC_(s, h, p21);
    r.c[0] = zkr_acc_reduce((uint64_t)s, (uint64_t)(s >> 64), h);
    s = p01; h = 0; ZKR_ACC_(s, h, p10); ZKR_ACC_(s, h, p12); ZKR_ACC_(s, h, p21); ZKR_ACC_(s, h, p22);
    r.c[1] = zkr_acc_reduce((uint64_t)s, (uint64_t)(s >> 64), h);
    s = p02; h = 0; ZKR_ACC_(s, h, p11); ZKR_ACC_(s, h, p20); ZKR_ACC_(s, h, p22);
    r.c[2] = zkr_acc_reduce((uint64_t)s, (uint64_t)(s >> 64), h);
#undef ZKR_ACC_
    return r;
}
/* a^-1 (0 for 0) via the norm: a^-1 = a^p a^(p^2) / N(a). */
zkr_ext zkr_ext_inv(zkr_ext a);
/* In-place batch inversion; ZKR_ERR_USAGE if an element is 0, ZKR_ERR_NOMEM. */
zkr_err zkr_ext_batch_inv(zkr_ext *a, size_t n) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Sextic extension F_p^3[y]/(y^2 - 7)                                  */
/* ------------------------------------------------------------------ */
/*
 * A challenge field of 2^384 elements for one opening whose list-decoding
 * figure needs more than F_p^3 gives (docs/proof-system.md, "Stop 52"). It
 * contains F_p^3 (b = 0), so points and values drawn in F_p^3 embed as they
 * are. 7 is a non-square in F_p (it generates F_p^*), hence in F_p^3 (odd
 * degree), so y^2 - 7 is irreducible over F_p^3 (tests/zk/test_zk_ext6.c
 * checks Euler's criterion in F_p^3).
 */
#define ZKR_EXT6_BYTES 48
#define ZKR_EXT6_NONRESIDUE 7u
typedef struct {
    zkr_ext a, b; /* a + b y */
} zkr_ext6;

static inline zkr_ext6 zkr_ext6_from_ext(zkr_ext a)
{
    zkr_ext6 r = {a, zkr_ext_from(0)};
    return r;
}
static inline zkr_ext6 zkr_ext6_add(zkr_ext6 x, zkr_ext6 z)
{
    zkr_ext6 r = {zkr_ext_add(x.a, z.a), zkr_ext_add(x.b, z.b)};
    return r;
}
static inline zkr_ext6 zkr_ext6_sub(zkr_ext6 x, zkr_ext6 z)
{
    zkr_ext6 r = {zkr_ext_sub(x.a, z.a), zkr_ext_sub(x.b, z.b)};
    return r;
}
/* x s for s in F_p (six F_p products). */
static inline zkr_ext6 zkr_ext6_mul_base(zkr_ext6 x, zkr_gl s)
{
    zkr_ext6 r = {zkr_ext_mul_base(x.a, s), zkr_ext_mul_base(x.b, s)};
    return r;
}
/* x s for s in F_p^3 (two F_p^3 products). */
static inline zkr_ext6 zkr_ext6_mul_ext(zkr_ext6 x, zkr_ext s)
{
    zkr_ext6 r = {zkr_ext_mul(x.a, s), zkr_ext_mul(x.b, s)};
    return r;
}
static inline zkr_ext6 zkr_ext6_mul(zkr_ext6 x, zkr_ext6 z)
{
    /* Karatsuba: three F_p^3 products, y^2 = 7 */
    zkr_ext aa = zkr_ext_mul(x.a, z.a), bb = zkr_ext_mul(x.b, z.b);
    zkr_ext mid = zkr_ext_mul(zkr_ext_add(x.a, x.b), zkr_ext_add(z.a, z.b));
    zkr_ext6 r = {zkr_ext_add(aa, zkr_ext_mul_base(bb, ZKR_EXT6_NONRESIDUE)),
                  zkr_ext_sub(mid, zkr_ext_add(aa, bb))};
    return r;
}
static inline int zkr_ext6_eq(zkr_ext6 x, zkr_ext6 z)
{
    return zkr_ext_eq(x.a, z.a) & zkr_ext_eq(x.b, z.b);
}
/* x^-1 (0 for 0): conj(x) / N(x), N(x) = a^2 - 7 b^2 in F_p^3, nonzero for x != 0. */
zkr_ext6 zkr_ext6_inv(zkr_ext6 x);

/* ------------------------------------------------------------------ */
/* Fork-join parallelism                                               */
/* ------------------------------------------------------------------ */
#define ZKR_PAR_MAX 64
typedef void (*zkr_par_fn)(void *ctx, size_t lo, size_t hi, unsigned worker);
/*
 * Runs fn over [0, n) split into at most `threads` contiguous chunks (each
 * at least min_chunk long), chunk i on worker i. If a thread cannot be
 * started its chunk runs on the caller. Never fails.
 */
void zkr_par_for(unsigned threads, size_t n, size_t min_chunk, zkr_par_fn fn, void *ctx);

/* ------------------------------------------------------------------ */
/* NTT over the base field                                             */
/* ------------------------------------------------------------------ */
typedef struct zkr_ntt zkr_ntt;
/* Precomputes twiddles for sizes up to 2^log_max (<= 30). ZKR_ERR_USAGE, NOMEM. */
zkr_err zkr_ntt_new(unsigned log_max, zkr_ntt **out) ZKR_WUR;
/* The same, computing the twiddles with `threads` workers. */
zkr_err zkr_ntt_new_mt(unsigned log_max, unsigned threads, zkr_ntt **out) ZKR_WUR;
void zkr_ntt_free(zkr_ntt *n);
/*
 * Every transform below takes canonical words (< p) and writes canonical
 * words; the SIMD paths give the portable path's words only on those.
 * Builds with test hooks refuse other input words with ZKR_ERR_USAGE.
 */
/* Coefficients (natural order) -> evaluations at w^i (natural order). */
zkr_err zkr_ntt_forward(const zkr_ntt *n, zkr_gl *a, unsigned log_n) ZKR_WUR;
/* Evaluations (natural) -> coefficients (natural). */
zkr_err zkr_ntt_inverse(const zkr_ntt *n, zkr_gl *a, unsigned log_n) ZKR_WUR;
/*
 * Coset low-degree extension: given 2^log_n coefficients, writes the
 * 2^(log_n+log_blowup) evaluations at shift * w^bitrev(i) (bit-reversed
 * order, so that the FRI pairs x, -x sit side by side) into out.
 * threads >= 1 workers; the result does not depend on threads. n needs
 * log_max >= log_n only (its size-2^log_n transforms); a table that also
 * covers log_n + log_blowup serves the coset powers, else they are running
 * products (the same values).
 */
zkr_err zkr_ntt_lde(const zkr_ntt *n, const zkr_gl *coeffs, unsigned log_n, unsigned log_blowup,
                    zkr_gl shift, unsigned threads, zkr_gl *out) ZKR_WUR;
/*
 * Block t (< 2^log_blowup) of zkr_ntt_lde's output alone: its 2^log_n
 * words out[t 2^log_n ..] written to blk (2^log_n words). A caller that
 * moves each block elsewhere needs a scratch of one block, not four.
 */
zkr_err zkr_ntt_lde_block(const zkr_ntt *n, const zkr_gl *coeffs, unsigned log_n,
                          unsigned log_blowup, zkr_gl shift, unsigned threads, size_t t,
                          zkr_gl *blk) ZKR_WUR;
/*
 * The NTT's butterfly paths: every one gives the same words (a proof's
 * bytes do not depend on the path). ZKR_NTT_AVX512: eight lanes where the
 * CPU and OS have AVX-512F; ZKR_NTT_AVX2: four lanes where they have AVX2;
 * 0: portable. zkr_ntt_new takes the best this CPU runs, none where
 * ZKR_NO_AVX512 was set (both read at zkr_ntt_new; docs/proof-system.md).
 */
#define ZKR_NTT_AVX2 1
#define ZKR_NTT_AVX512 2
/*
 * Chooses the butterflies: on != 0 takes the best SIMD path the context
 * found at zkr_ntt_new (AVX-512, else AVX2), 0 the portable ones. Returns
 * the path now in use (ZKR_NTT_AVX512, ZKR_NTT_AVX2, or 0 when portable),
 * so non-zero means SIMD butterflies run. Not thread safe against a
 * transform running on n. For tests.
 */
int zkr_ntt_set_simd(zkr_ntt *n, int on);
/*
 * Chooses path (ZKR_NTT_AVX512, ZKR_NTT_AVX2 or 0) where the context found
 * the CPU able to run it, else the portable butterflies (any other value
 * also selects them). Returns the path now in use: path itself, or 0 when
 * it is not available. Lets a test on an AVX-512 machine check its AVX2
 * path too. Not thread safe against a transform running on n. For tests.
 */
int zkr_ntt_set_path(zkr_ntt *n, int path);
/* Reverses the low `bits` bits of i. */
uint64_t zkr_bitrev(uint64_t i, unsigned bits);

/* ------------------------------------------------------------------ */
/* Fiat-Shamir transcript (BLAKE2b-256 hash chain)                      */
/* ------------------------------------------------------------------ */
typedef struct {
    uint8_t state[ZKR_DIGEST_BYTES];
} zkr_transcript;

/*
 * Seeds the transcript with the protocol name and version, the proof
 * system and parameter-set ids, the digest of the full parameter set and
 * the statement_id, so that a proof for one statement is noise for another.
 */
void zkr_ts_init(zkr_transcript *t, const char *protocol, uint32_t version, uint32_t proof_system,
                 uint32_t param_set, const uint8_t params_digest[ZKR_DIGEST_BYTES],
                 const uint8_t statement_id[ZKR_DIGEST_BYTES]);
/* Absorbs a labelled byte string (label and length are framed). */
void zkr_ts_absorb(zkr_transcript *t, const char *label, const uint8_t *p, size_t len);
void zkr_ts_absorb_u64(zkr_transcript *t, const char *label, uint64_t v);
void zkr_ts_absorb_gl(zkr_transcript *t, const char *label, const zkr_gl *v, size_t n);
void zkr_ts_absorb_ext(zkr_transcript *t, const char *label, const zkr_ext *v, size_t n);
/* Uniform challenges (rejection sampling, no modular bias). */
zkr_gl zkr_ts_challenge_gl(zkr_transcript *t, const char *label);
zkr_ext zkr_ts_challenge_ext(zkr_transcript *t, const char *label);
void zkr_ts_challenge_exts(zkr_transcript *t, const char *label, zkr_ext *out, size_t n);
/* Uniform index in [0, n) (n >= 1), by rejection on the next power of two. */
uint64_t zkr_ts_challenge_index(zkr_transcript *t, const char *label, uint64_t n);
/* Proof of work: does nonce give `bits` leading zero bits? Absorbs it when yes. */
int zkr_ts_pow_check(zkr_transcript *t, unsigned bits, uint64_t nonce);
/* Whether the pow hash for nonce has `bits` leading zeros (no state change). */
int zkr_ts_pow_ok(const zkr_transcript *t, unsigned bits, uint64_t nonce);
/*
 * The smallest nonce with zkr_ts_pow_ok (public work, no secret; the hash's
 * nonce-free prefix is absorbed once, so the search costs one compression a
 * try).
 */
uint64_t zkr_ts_pow_search(const zkr_transcript *t, unsigned bits);

/* ------------------------------------------------------------------ */
/* Salted Merkle trees over packed field-element leaves                  */
/* ------------------------------------------------------------------ */
#define ZKR_SALT_BYTES 16
/*
 * The widest leaf a tree holds: a stacked group of up to 16 base-valued
 * members at fold arity 4 (inference@2 version 14's W'_0..W'_15 in one
 * tree, zkr_prover_hcommit_stack_pool), which also covers
 * 2^ZKR_PCS_MAX_FOLD_ARITY extension elements of 3 words. zkr_params_check
 * refuses a parameter set whose leaves would be wider than the latter, a
 * stacked group wider than this is refused where it is built and verified,
 * and the leaf hash covers every word it is given.
 */
#define ZKR_PCS_MAX_FOLD_ARITY 6u
#define ZKR_MT_MAX_LEAF_WORDS (4u << ZKR_PCS_MAX_FOLD_ARITY)
/*
 * A tree over n_leaves (a power of two) leaves of `leaf_words` u64 each.
 * leaf hash = BLAKE2b-256[pers "zkr/mt-leaf"](salt || words LE),
 * node hash = BLAKE2b-256[pers "zkr/mt-node"](left || right). Salts are
 * ChaCha20 keystream under salt_seed: deterministic, and hiding once the
 * seed is secret (zero knowledge, later).
 */
typedef struct {
    uint64_t n_leaves;
    unsigned depth;
    size_t leaf_words;
    uint8_t salt_seed[32];
    uint8_t (*nodes)[ZKR_DIGEST_BYTES]; /* heap order: [1] root, [n_leaves + i] leaf i */
} zkr_mtree;

/*
 * Builds the tree. ZKR_ERR_USAGE (n_leaves not a power of two, leaf_words
 * 0 or over ZKR_MT_MAX_LEAF_WORDS), ZKR_ERR_NOMEM.
 */
zkr_err zkr_mtree_build(const uint64_t *words, uint64_t n_leaves, size_t leaf_words,
                        const uint8_t salt_seed[32], unsigned threads, zkr_mtree *out) ZKR_WUR;
void zkr_mtree_free(zkr_mtree *t);
void zkr_mtree_root(const zkr_mtree *t, uint8_t root[ZKR_DIGEST_BYTES]);
/* The 16-byte salt of leaf i under seed. */
void zkr_mtree_salt(const uint8_t salt_seed[32], uint64_t i, uint8_t salt[ZKR_SALT_BYTES]);
/* The hash of one leaf: salt, then all n words (le64), none dropped. */
void zkr_mtree_leaf_hash(const uint8_t salt[ZKR_SALT_BYTES], const uint64_t *words, size_t n,
                         uint8_t out[ZKR_DIGEST_BYTES]);
/* Sorts and deduplicates idx in place; returns the new count. */
size_t zkr_idx_sort_unique(uint64_t *idx, size_t n);
/*
 * Number of sibling digests a pruned multi-opening of the sorted unique
 * leaf set idx needs in a tree of the given depth.
 */
size_t zkr_mtree_multi_count(const uint64_t *idx, size_t n, unsigned depth);
/*
 * Appends the siblings of a pruned multi-opening (sorted unique idx) to out.
 * ZKR_ERR_NOMEM / TOO_LARGE from the buffer.
 */
zkr_err zkr_mtree_open(const zkr_mtree *t, const uint64_t *idx, size_t n, zkr_buf *out) ZKR_WUR;
/*
 * The same, stopping `height` levels above the leaves: the siblings that
 * take idx to its nodes at that level, which the opening does not carry
 * (a nested mask's subtree roots live in another tree's leaves;
 * docs/proof-system.md, "inference@2", version 13). height 0: nothing;
 * height t->depth: zkr_mtree_open. ZKR_ERR_USAGE (height over the depth,
 * idx not sorted unique below n_leaves), or the buffer's errors.
 */
zkr_err zkr_mtree_open_to(const zkr_mtree *t, const uint64_t *idx, size_t n, unsigned height,
                          zkr_buf *out) ZKR_WUR;
/*
 * Verifies a pruned multi-opening: leaf_hash[i] is the hash of leaf idx[i]
 * (sorted unique, < 2^depth), sib holds exactly n_sib digests in opening
 * order. ZKR_OK, ZKR_ERR_VERIFY (root differs or sib count wrong),
 * ZKR_ERR_NOMEM. Allocates O(n).
 */
zkr_err zkr_mtree_verify(const uint8_t root[ZKR_DIGEST_BYTES], unsigned depth, const uint64_t *idx,
                         const uint8_t (*leaf_hash)[ZKR_DIGEST_BYTES], size_t n,
                         const uint8_t *sib, size_t n_sib) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Multilinear polynomials                                             */
/* ------------------------------------------------------------------ */
/* eq(z, x) for all x in {0,1}^n into out[2^n]. */
void zkr_mle_eq_table(const zkr_ext *z, unsigned n, zkr_ext *out);
/* The same with `threads` workers (identical output). */
void zkr_mle_eq_table_mt(const zkr_ext *z, unsigned n, unsigned threads, zkr_ext *out);
/* scale * eq(z, x) for all x into out[2^n] (the same field elements as scaling the table). */
void zkr_mle_eq_table_scaled_mt(const zkr_ext *z, unsigned n, zkr_ext scale, unsigned threads,
                                zkr_ext *out);
/*
 * out[y] = in[2y] + in[2y+1] for y < 2^(n-1) (in has 2^n entries; out must
 * not overlap in): the first variable summed out. For in = eq(z, .) over n
 * variables this is eq(z[1..n), .) exactly, since eq(z_0, 0) + eq(z_0, 1) = 1.
 */
void zkr_mle_sum_first_mt(const zkr_ext *in, unsigned n, unsigned threads, zkr_ext *out);
/* eq(a, b) = prod (a_i b_i + (1 - a_i)(1 - b_i)). */
zkr_ext zkr_mle_eq_eval(const zkr_ext *a, const zkr_ext *b, unsigned n);
/* Fixes variable 0 to r: t[i] = t[2i] + r (t[2i+1] - t[2i]), size halves. */
void zkr_mle_fix_first(zkr_ext *t, unsigned n, zkr_ext r);
/* Evaluates a multilinear given by evaluations (ext / base) at z. Allocates; NOMEM. */
zkr_err zkr_mle_eval_ext(const zkr_ext *t, unsigned n, const zkr_ext *z, zkr_ext *out) ZKR_WUR;
zkr_err zkr_mle_eval_base(const zkr_gl *t, unsigned n, const zkr_ext *z, zkr_ext *out) ZKR_WUR;
/* Evaluates a multilinear given by monomial coefficients at z (no allocation). */
zkr_ext zkr_mle_eval_monomial(const zkr_ext *c, unsigned n, const zkr_ext *z);
/* Evaluations -> monomial coefficients, in place (Moebius transform). */
void zkr_mle_to_monomial_base(zkr_gl *t, unsigned n);
/* As zkr_mle_to_monomial_base on `threads` workers: the same words whatever the count. */
void zkr_mle_to_monomial_base_mt(zkr_gl *t, unsigned n, unsigned threads);
/* log2 of the smallest power of two >= v (v >= 1). */
unsigned zkr_log2_ceil(uint64_t v);

/* ------------------------------------------------------------------ */
/* Sumcheck (verifier side)                                            */
/* ------------------------------------------------------------------ */
/*
 * A round message of degree d is the d values h(0), h(2), ..., h(d);
 * h(1) = claim - h(0) is implied. Evaluates the round polynomial at r.
 */
zkr_ext zkr_sumcheck_round_eval(const zkr_ext *msg, unsigned d, zkr_ext claim, zkr_ext r);
/*
 * Replays n rounds of degree d (msgs holds n*d values, each absorbed under
 * label "sc-round") and draws r[0..n). Writes the reduced claim to *final.
 * Pure: never fails (the caller checks *final against its oracles).
 */
void zkr_sumcheck_verify(zkr_transcript *t, unsigned n, unsigned d, zkr_ext claim,
                         const zkr_ext *msgs, zkr_ext *r, zkr_ext *final);

/* ------------------------------------------------------------------ */
/* Parameter sets and soundness                                        */
/* ------------------------------------------------------------------ */
#define ZKR_PROOF_SYSTEM_ID 1u /* "zkr-sumcheck-basefold-gl3/1" */
#define ZKR_PARAM_SET_128 1u     /* "goldilocks-128": rate 1/4, every kind */
/*
 * Rate 1/8 and 1/16 (docs/soundness.md, "Parameter sets"): fewer queries
 * for the same 128 provable bits, larger codewords. Only inference@2 runs
 * at them (app/store.c refuses them for every other kind).
 */
#define ZKR_PARAM_SET_128_R8 2u  /* "goldilocks-128-r8" */
#define ZKR_PARAM_SET_128_R16 3u /* "goldilocks-128-r16" */
/*
 * Rate 1/64 with the mixed opening over F_p^6 (docs/proof-system.md, "Stop
 * 52"): large models' smaller inference@2 proofs. inference@2 only.
 */
#define ZKR_PARAM_SET_128_R64 4u /* "goldilocks-128-r64" */
/* A prover-side accelerator (prover/accel.h); never part of the parameter set. */
struct zkr_accel;
typedef struct {
    uint32_t id;
    unsigned log_blowup;     /* rate 2^-log_blowup */
    unsigned fold_arity;     /* rounds folded per committed layer (log leaf size) */
    unsigned final_vars;     /* variables left in the clear-text final polynomial */
    unsigned pow_bits;       /* grinding */
    unsigned queries;        /* computed from target_bits */
    unsigned target_bits;
    unsigned max_vars;       /* largest committed polynomial accepted */
    /*
     * 1: the mixed-size hiding opening (component 3c) draws its challenges,
     * mask, round messages, folded layers and final polynomial in F_p^6
     * (zk/ext6.c), its schedule priced at 48-byte values
     * (zkr_hpcs_mixed_layout_of) and its figure at |F| = 2^384
     * (zkr_ldr_open_mixed); 0: F_p^3. Every other opening ignores it: its
     * schedule (zkr_hpcs_layout_of) and figure (zkr_ldr_open) are F_p^3's
     * whatever the flag (adversarial review: the model range proof's
     * figure read it). Digested where set (zkr_params_digest).
     */
    unsigned mixed_ext6;
    /*
     * Prover only: where encoding and Merkle hashing run (NULL: this
     * process's CPU code). Not digested, never read by the verifier; a
     * backend must produce exactly the CPU's bytes (prover/accel.h).
     */
    const struct zkr_accel *accel;
} zkr_params;

/*
 * The parameter set `id`; ZKR_ERR_MISMATCH_PARAMS if unknown or if the set
 * fails zkr_params_check.
 */
zkr_err zkr_params_get(uint32_t id, zkr_params *out) ZKR_WUR;
/*
 * The id of the set a schema names ("goldilocks-128", "goldilocks-128-r8",
 * "goldilocks-128-r16"); ZKR_ERR_MISMATCH_PARAMS for any other name or NULL.
 */
zkr_err zkr_params_id_of(const char *name, uint32_t *id) ZKR_WUR;
/* The schema name of set id, NULL if unknown. */
const char *zkr_params_name(uint32_t id);
/*
 * Whether the code can carry p: leaves of 2^fold_arity extension elements
 * (3 words each) no wider than ZKR_MT_MAX_LEAF_WORDS, fold_arity in
 * 1..ZKR_PCS_MAX_FOLD_ARITY, other fields in their supported ranges.
 * ZKR_OK or ZKR_ERR_UNSUPPORTED.
 */
zkr_err zkr_params_check(const zkr_params *p) ZKR_WUR;
/* Digest of every field of the set, absorbed by the transcript. */
void zkr_params_digest(const zkr_params *p, uint8_t out[ZKR_DIGEST_BYTES]);
typedef struct {
    double provable_bits;   /* unique-decoding analysis, all error terms summed */
    double conjectured_bits; /* capacity conjecture for the query phase */
    double query_bits;      /* provable query-phase bits incl. grinding */
} zkr_soundness;
/*
 * Soundness of a Basefold opening of an n_vars polynomial plus
 * `extra_sumcheck_rounds` sumcheck rounds of degree <= `max_degree`,
 * computed from the parameters (docs/proof-system.md gives the formula).
 */
zkr_soundness zkr_params_soundness(const zkr_params *p, unsigned n_vars, unsigned extra_rounds,
                                   unsigned max_degree);
/*
 * The same for an opening of n_comms commitments with n_claims claims (the
 * batching terms grow with both); zkr_params_soundness assumes the largest
 * counts an opening accepts.
 */
zkr_soundness zkr_params_soundness_open(const zkr_params *p, unsigned n_vars, size_t n_comms,
                                        size_t n_claims, unsigned extra_rounds,
                                        unsigned max_degree);
/*
 * Extra proof-of-work grinding that lifts a relation's figure to `target`
 * bits: the smallest g in 0..max_extra (and p->pow_bits + g <= 32) with
 * bits_at(ctx, g) >= target, the cap when none does. bits_at is the
 * relation's soundness figure with every opening grinding g more bits
 * (monotone in g: each bit halves every opening's query-phase term).
 * Prover and verifier both compute it from the parameters and public
 * shapes, so it is never stored in a proof (the model range proof's and
 * graph-inference@2's grinding).
 */
unsigned zkr_params_grind_bits(const zkr_params *p, double target, unsigned max_extra,
                               double (*bits_at)(const void *ctx, unsigned extra),
                               const void *ctx);

/* ------------------------------------------------------------------ */
/* Basefold polynomial commitment (verifier side and shared layout)       */
/* ------------------------------------------------------------------ */
/* A commitment: the Merkle root of the rate-1/4 RS codeword and its size. */
typedef struct {
    uint8_t root[ZKR_DIGEST_BYTES];
    unsigned n_vars;
} zkr_pcs_commitment;

/* An evaluation claim f_k(z) = v on commitment index k. z has n_vars entries. */
typedef struct {
    size_t comm;
    const zkr_ext *point;
    zkr_ext value;
} zkr_pcs_claim;

/* The folding schedule for n_vars: number of committed layers and the folds of each. */
typedef struct {
    unsigned n_vars, folds_total, n_layers;
    unsigned folds[32];     /* folds[l] = log leaf size of layer l */
    unsigned log_len[33];   /* log codeword length of layer l */
    unsigned final_vars;
} zkr_pcs_layout;
void zkr_pcs_layout_of(const zkr_params *p, unsigned n_vars, zkr_pcs_layout *out);
/*
 * The hiding openings' folding schedule for total_vars (docs/proof-system.md,
 * "Hiding layout"): layer 0 exactly as zkr_pcs_layout_of (the committed
 * tree's leaves), then the folded layers' arities and the final polynomial's
 * size that minimise the expected opening bytes at p->queries queries, in
 * integer arithmetic (prover and verifier get the same schedule on every
 * machine). final_vars stays in [min(total_vars, p->final_vars),
 * ZKR_HPCS_MAX_FINAL_VARS], so folds_total never exceeds
 * zkr_pcs_layout_of's and its soundness terms stay upper bounds.
 */
#define ZKR_HPCS_MAX_FINAL_VARS 10u
void zkr_hpcs_layout_of(const zkr_params *p, unsigned total_vars, zkr_pcs_layout *out);
/*
 * The mixed opening's schedule (component 3c): zkr_hpcs_layout_of's, but
 * where p->mixed_ext6 priced at 48-byte values (folds of at most 5, so a
 * folded leaf fits the Merkle word cap). Every other opening ignores the
 * flag: its values are F_p^3's.
 */
void zkr_hpcs_mixed_layout_of(const zkr_params *p, unsigned total_vars, zkr_pcs_layout *out);

/* A parsed opening proof (pointers into the proof bytes; no copies). */
typedef struct zkr_pcs_proof zkr_pcs_proof;
/*
 * Parses an opening proof for `n_comms` commitments of n_vars variables
 * with `n_claims` claims from d (strict: every count is computed here, not
 * read). ZKR_ERR_MALFORMED, ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM.
 */
zkr_err zkr_pcs_proof_parse(const zkr_params *p, unsigned n_vars, size_t n_comms,
                            size_t n_claims, zkr_dec *d, zkr_pcs_proof **out) ZKR_WUR;
void zkr_pcs_proof_free(zkr_pcs_proof *pf);
/*
 * Verifies that every claim holds for the committed polynomials (all of
 * n_vars variables). ZKR_OK, ZKR_ERR_VERIFY, ZKR_ERR_NOMEM, ZKR_ERR_USAGE
 * (counts differ from the parsed proof, claim index out of range),
 * ZKR_ERR_UNSUPPORTED (commitments of different sizes: not yet).
 * The transcript must be in the same state as the prover's at open time.
 */
zkr_err zkr_pcs_verify(const zkr_params *p, zkr_transcript *t, const zkr_pcs_commitment *comms,
                       size_t n_comms, const zkr_pcs_claim *claims, size_t n_claims,
                       const zkr_pcs_proof *pf) ZKR_WUR;

/*
 * The mixed-size opening (zkr_prover_open_mixed): commitment k has
 * n_vars[k] variables (every size passes zkr_pcs_mixed_ok against the
 * largest). Parsing is strict and every count is computed, as above;
 * verifying checks every claim (points of their commitment's size).
 * ZKR_ERR_UNSUPPORTED for a size that cannot join.
 */
zkr_err zkr_pcs_proof_parse_mixed(const zkr_params *p, const unsigned *n_vars, size_t n_comms,
                                  size_t n_claims, zkr_dec *d, zkr_pcs_proof **out) ZKR_WUR;
zkr_err zkr_pcs_verify_mixed(const zkr_params *p, zkr_transcript *t,
                             const zkr_pcs_commitment *comms, size_t n_comms,
                             const zkr_pcs_claim *claims, size_t n_claims,
                             const zkr_pcs_proof *pf) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* LogUp (GKR fractional sums), verifier side                            */
/* ------------------------------------------------------------------ */
/*
 * Claim shape: sum_i 1/(alpha - a_i) == sum_j m_j/(alpha - t_j) over the
 * witness column a (2^na entries) and the table t with multiplicities m
 * (2^nt entries). The verifier reduces it to evaluation claims
 * a~(ra), m~(rt), t~(rt) that the caller checks (by PCS or directly).
 */
typedef struct {
    zkr_ext alpha;
    zkr_ext ra[32], rt[32];
    zkr_ext a_at_ra, m_at_rt, t_at_rt; /* claimed values, prover-supplied */
} zkr_logup_claims;
typedef struct zkr_logup_proof zkr_logup_proof;
zkr_err zkr_logup_proof_parse(unsigned na, unsigned nt, zkr_dec *d, zkr_logup_proof **out) ZKR_WUR;
void zkr_logup_proof_free(zkr_logup_proof *pf);
/* ZKR_OK with *out filled, or ZKR_ERR_VERIFY. */
zkr_err zkr_logup_verify(zkr_transcript *t, unsigned na, unsigned nt, const zkr_logup_proof *pf,
                         zkr_logup_claims *out) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Proof container                                                      */
/* ------------------------------------------------------------------ */
#define ZKR_PROOF_MAGIC "ZKRPROOF"
#define ZKR_PROOF_FORMAT_VERSION 1u
#define ZKR_PROOF_MAX_SECTIONS 16u
#define ZKR_PROOF_MAX_BYTES ((size_t)64 << 20)
typedef struct {
    uint32_t format_version, proof_system, param_set, kind;
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint32_t n_sections;
    uint32_t tag[ZKR_PROOF_MAX_SECTIONS];
    const uint8_t *body[ZKR_PROOF_MAX_SECTIONS];
    size_t len[ZKR_PROOF_MAX_SECTIONS];
} zkr_proof_view;
/* Proof kinds. */
#define ZKR_KIND_MATMUL1 1u
/*
 * Parses the container strictly: magic, version, ids, statement_id,
 * section count <= max, lengths within the input, no trailing bytes.
 * Returns ZKR_ERR_MALFORMED, ZKR_ERR_TOO_LARGE, ZKR_ERR_UNSUPPORTED (other
 * format version). The view points into p.
 */
zkr_err zkr_proof_parse(const uint8_t *p, size_t len, zkr_proof_view *out, zkr_diag *d) ZKR_WUR;
/*
 * The header checks every verifier makes first, from the registered
 * values (never the proof's): proof system and parameter set
 * (ZKR_ERR_MISMATCH_PARAMS), kind (MISMATCH_PARAMS, naming kind_name),
 * statement_id (MISMATCH_STATEMENT, constant-time compare), then exactly
 * n_tags sections with tags[] in order (MALFORMED). ZKR_OK otherwise.
 */
zkr_err zkr_proof_view_bind(const zkr_proof_view *v, uint32_t param_set, uint32_t kind,
                            const char *kind_name, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                            const uint32_t *tags, unsigned n_tags, zkr_diag *d) ZKR_WUR;
/* Writes the header; sections follow with zkr_proof_add_section. */
zkr_err zkr_proof_begin(zkr_buf *b, uint32_t param_set, uint32_t kind,
                        const uint8_t statement_id[ZKR_DIGEST_BYTES], uint32_t n_sections) ZKR_WUR;
zkr_err zkr_proof_add_section(zkr_buf *b, uint32_t tag, const uint8_t *p, size_t len) ZKR_WUR;

/* Canonical element codecs: ZKR_ERR_MALFORMED if truncated or >= p. */
zkr_err zkr_dec_gl(zkr_dec *d, zkr_gl *v) ZKR_WUR;
zkr_err zkr_dec_ext(zkr_dec *d, zkr_ext *v) ZKR_WUR;
zkr_err zkr_dec_exts(zkr_dec *d, zkr_ext *v, size_t n) ZKR_WUR;
zkr_err zkr_enc_gl(zkr_buf *b, zkr_gl v) ZKR_WUR;
zkr_err zkr_enc_ext(zkr_buf *b, zkr_ext v) ZKR_WUR;
zkr_err zkr_enc_exts(zkr_buf *b, const zkr_ext *v, size_t n) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Sextic extension: transcript, codecs, the verifier's evaluations     */
/* ------------------------------------------------------------------ */
/*
 * An F_p^6 element travels and is absorbed as its six canonical words
 * a.c[0..3) then b.c[0..3); a challenge is six uniform words drawn the same
 * way (so uniform in F_p^6).
 */
void zkr_ts_absorb_ext6(zkr_transcript *t, const char *label, const zkr_ext6 *v, size_t n);
zkr_ext6 zkr_ts_challenge_ext6(zkr_transcript *t, const char *label);
/* ZKR_ERR_MALFORMED if truncated or a word >= p (nothing past the error is written). */
zkr_err zkr_dec_ext6s(zkr_dec *d, zkr_ext6 *v, size_t n) ZKR_WUR;
zkr_err zkr_enc_ext6s(zkr_buf *b, const zkr_ext6 *v, size_t n) ZKR_WUR;
/* zkr_sumcheck_round_eval over F_p^6: msg = h(0), h(2), ..., h(d), 1 <= d <= 8 (else 0). */
zkr_ext6 zkr_sumcheck_round_eval6(const zkr_ext6 *msg, unsigned d, zkr_ext6 claim, zkr_ext6 r);
/* eq(a, b) = prod (a_i b_i + (1 - a_i)(1 - b_i)), a in F_p^3 (a point), b in F_p^6. */
zkr_ext6 zkr_mle_eq_eval6(const zkr_ext *a, const zkr_ext6 *b, unsigned n);
/* A multilinear of 2^n monomial coefficients in F_p^6 at z (no allocation). */
zkr_ext6 zkr_mle_eval_monomial6(const zkr_ext6 *c, unsigned n, const zkr_ext *z);

/* ------------------------------------------------------------------ */
/* matmul@1 shared definitions                                         */
/* ------------------------------------------------------------------ */
#define ZKR_MATMUL_PROTOCOL "zkreg/matmul@1"
#define ZKR_MATMUL_MAX_DIM (1u << 16)
#define ZKR_MATMUL_MAX_LOG_W 26u /* log2(M*K) after padding */
#define ZKR_MATMUL_MAX_LOG_X 24u
/* Largest |entry| of x and y: (p - 1) / 2, so that the field image is injective. */
#define ZKR_MATMUL_MAX_ABS ((int64_t)((ZKR_GL_P - 1) / 2))
/* The public part of a matmul@1 statement. x is k x b, y is m x b, row-major. */
typedef struct {
    uint32_t m, k, b;
    const int64_t *x;
    const int64_t *y;
    zkr_pcs_commitment w; /* W's commitment (model identity) */
    /*
     * The registered bound on |W| entries (the registrar checked the
     * matrix it committed). The prover refuses a W above it; the verifier
     * requires w_max_abs * sum_j |x_jc| + |y_ic| < p for every entry, so
     * that the proven field equation is the integer one (docs/soundness.md).
     * Not part of the transcript: it is checked, not proven.
     */
    uint64_t w_max_abs;
} zkr_matmul_public;
/* Checks dimensions against the bounds. ZKR_ERR_TOO_LARGE / ZKR_ERR_USAGE. */
zkr_err zkr_matmul_check_dims(uint32_t m, uint32_t k, uint32_t b) ZKR_WUR;
/* Seeds and binds a matmul@1 transcript (shared by prover and verifier). */
void zkr_matmul_transcript(zkr_transcript *t, const zkr_params *p,
                           const uint8_t statement_id[ZKR_DIGEST_BYTES],
                           const zkr_matmul_public *pub);
/*
 * Soundness of a whole matmul@1 proof for these dimensions: the Basefold
 * opening of W plus lk degree-2 matmul sumcheck rounds and the
 * Schwartz-Zippel term (lm + lb)/|F| of the random point (rb, ri).
 */
zkr_soundness zkr_matmul_soundness(const zkr_params *p, uint32_t m, uint32_t k, uint32_t b);
/* Digest of a public int64 matrix (for statement checks and reports). */
/*
 * ZKR_OK when every |v[i]| <= ZKR_MATMUL_MAX_ABS; else ZKR_ERR_TOO_LARGE
 * with the first offending index in *bad (may be NULL).
 */
zkr_err zkr_matmul_check_values(const int64_t *v, size_t n, size_t *bad) ZKR_WUR;
/*
 * ZKR_OK when every |x|, |y| entry is within ZKR_MATMUL_MAX_ABS and, for
 * every output entry (i, c), w_max_abs * sum_j |x[j][c]| + |y[i][c]| < p:
 * then y = W x mod p with |W| <= w_max_abs implies y = W x over the
 * integers. Else ZKR_ERR_TOO_LARGE, *what naming the failing part.
 */
zkr_err zkr_matmul_check_integer(const zkr_matmul_public *pub, const char **what) ZKR_WUR;
void zkr_matrix_digest(const int64_t *v, size_t n, uint8_t out[ZKR_DIGEST_BYTES]);

/* Section tags. */
#define ZKR_SEC_STATEMENT 1u
#define ZKR_SEC_SUMCHECK 2u
#define ZKR_SEC_PCS 3u

/* ================================================================== */
/* inference@1 shared definitions (zk/infer.c; infer engineer)          */
/* ================================================================== */
/*
 * The layout of an inference@1 proof that the prover and the verifier
 * both derive from the public program and the per-layer shifts
 * (docs/proof-system.md, "inference@1"). Layer l computes
 *   acc = W x + b,  acc*M + 2^(s-1) = (y + (hi - lo) g) 2^s + r,
 *   y = clamp(q, lo_l, 127), 0 <= r < 2^s, 0 <= g < 2^(63-s),
 * with W' = [W | b | M] committed per layer (one Basefold polynomial of
 * 2^(lm+lk) values, row j at j*2^lk, bias in column in_dim, M in column
 * in_dim+1) and the witness (16 byte-sized slots per output row) in one
 * polynomial V whose first half is range-checked by LogUp against 0..255
 * and whose second half holds the multiplicities.
 */
#define ZKR_INFER_PROTOCOL "zkreg/inference@1"
#define ZKR_INFER_VERSION 1u
#define ZKR_KIND_INFERENCE1 2u
#define ZKR_INFER_MAX_LAYERS 16u
#define ZKR_INFER_MAX_DIM 4096u
#define ZKR_INFER_SLOTS_LOG 4u
#define ZKR_INFER_SLOTS 16u
#define ZKR_INFER_TABLE_LOG 8u /* the byte table 0..255 */
/* Fixed slots; the limbs of r and g follow (positions in zkr_infer_layer). */
#define ZKR_INFER_SLOT_Y 0u  /* y - lo_l */
#define ZKR_INFER_SLOT_YC 1u /* 127 - y */
#define ZKR_INFER_SLOT_HI 2u /* q > 127 */
#define ZKR_INFER_SLOT_LO 3u /* q < lo_l */
#define ZKR_INFER_SLOT_R0 4u
/* Section tags of an inference@1 proof (after ZKR_SEC_STATEMENT). */
#define ZKR_SEC_INF_WITNESS 4u
#define ZKR_SEC_INF_LOGUP 5u
#define ZKR_SEC_INF_LAYERS 6u
/* The largest record an inference statement carries (input + label). */
#define ZKR_INFER_MAX_RECORD (ZKR_INFER_MAX_DIM + 1u)

typedef struct {
    uint32_t in_dim, out_dim, shift;
    int relu;
    int64_t lo;           /* 0 with ReLU, else -128 */
    unsigned lm, lk;      /* log2 of padded rows and of padded in_dim + 2 */
    unsigned nr, ng;      /* byte limbs of r (s bits) and g (63 - s bits) */
    unsigned slot_rtc, slot_g0, slot_gtc;
    uint64_t c_r, c_g;    /* top-limb scale: limb * c < 256 iff limb is in range */
    uint64_t v_off;       /* offset of the layer's 2^(lm+4) block in V */
} zkr_infer_layer;

typedef struct {
    uint32_t input_dim, n_layers;
    zkr_infer_layer layer[ZKR_INFER_MAX_LAYERS];
    unsigned n_l; /* log2 of V's range-checked half */
    unsigned n_v; /* n_l + 1 */
} zkr_infer_shape;

/*
 * The evaluation claims both sides of an inference@1 proof collect and
 * open together at the end: LogUp leaves 2, each layer at most 4 (V slots,
 * M, W', y of the layer below).
 */
#define ZKR_INFER_MAX_PT 64u /* variables of a claim's point */
#define ZKR_INFER_MAX_CLAIMS (2u + 4u * ZKR_INFER_MAX_LAYERS)

typedef struct {
    unsigned poly;
    zkr_ext pt[ZKR_INFER_MAX_PT];
    zkr_ext val;
} zkr_infer_claim;

typedef struct {
    zkr_infer_claim c[ZKR_INFER_MAX_CLAIMS];
    size_t n;
} zkr_infer_claims;

/*
 * A new, zeroed claim on polynomial poly, or NULL when the list is full: a
 * claim that is not recorded is never opened, so callers fail hard (never
 * overwrite, never drop).
 */
zkr_infer_claim *zkr_infer_claim_new(zkr_infer_claims *cs, unsigned poly);

/*
 * Derives the layout from the program's dims/activations and the model's
 * shifts. Returns ZKR_OK, ZKR_ERR_MALFORMED (dims that do not chain, a
 * shift outside 1..48, a dim outside 1..ZKR_INFER_MAX_DIM, too many layers).
 */
zkr_err zkr_infer_shape_init(zkr_infer_shape *s, uint32_t input_dim, uint32_t n_layers,
                             const uint32_t *in_dims, const uint32_t *out_dims, const int *relu,
                             const uint32_t *shifts) ZKR_WUR;

/*
 * The model commitment (the registry's model commitment column):
 * SHA-256("zkreg/model-commitment/v1\0" || program_digest || u32 n_layers ||
 * n_layers x (u32 shift | u32 n_vars | root[32])), big-endian.
 */
void zkr_infer_model_commitment(const uint8_t program_digest[ZKR_DIGEST_BYTES],
                                uint32_t n_layers, const uint32_t *shifts,
                                const zkr_pcs_commitment *roots,
                                uint8_t out[ZKR_DIGEST_BYTES]);

/* Record commitment: SHA-256("zkreg/record-commitment/v1\0" || bytes). */
void zkr_infer_record_commitment(const uint8_t *rec, size_t len, uint8_t out[ZKR_DIGEST_BYTES]);
/* Dataset commitment: SHA-256("zkreg/dataset-commitment/v1\0" || u64 n || root). */
void zkr_infer_dataset_commitment(uint64_t n, const uint8_t root[ZKR_DIGEST_BYTES],
                                  uint8_t out[ZKR_DIGEST_BYTES]);
/*
 * Commits a whole dataset: the RFC 6962 root over the records' commitments
 * (leaf i = record i's commitment) and the dataset commitment. When
 * index < count also writes record index's inclusion path (path may be
 * NULL otherwise). O(dataset bytes). Returns ZKR_OK (an empty dataset has the root of no leaves),
 * ZKR_ERR_NOMEM, ZKR_ERR_NOT_FOUND (index past the end).
 */
zkr_err zkr_infer_dataset_commit(const zkr_dataset *ds, uint64_t index,
                                 uint8_t root[ZKR_DIGEST_BYTES],
                                 uint8_t commitment[ZKR_DIGEST_BYTES],
                                 uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                 size_t *path_len) ZKR_WUR;

/*
 * The public output of an inference statement: u32 n | n x int8 logits |
 * u32 argmax (first maximal index), big-endian. Appends to out.
 */
zkr_err zkr_infer_output_encode(const int8_t *y, uint32_t n, zkr_buf *out) ZKR_WUR;
/*
 * Strictly decodes an output encoding (n <= cap, argmax consistent with the
 * logits). Returns ZKR_OK or ZKR_ERR_MALFORMED.
 */
zkr_err zkr_infer_output_decode(const uint8_t *p, size_t len, int8_t *y, uint32_t cap,
                                uint32_t *n, uint32_t *argmax) ZKR_WUR;

/* Seeds an inference@1 transcript and absorbs the statement section bytes. */
void zkr_infer_transcript(zkr_transcript *t, const zkr_params *p,
                          const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                          size_t stmt_len);

/*
 * Polynomial groups of one opening each, in proof order: ascending n_vars;
 * poly ids 0..n_layers-1 are the layers' W', id n_layers is V (joined to
 * the W' group of its size when there is one). A size class of more than
 * ZKR_INFER_GROUP_MAX polynomials (what one batched opening's prover
 * carries) is split into consecutive openings of at most that many.
 */
#define ZKR_INFER_GROUP_MAX 8u
typedef struct {
    unsigned n_groups;
    unsigned n_vars[ZKR_INFER_MAX_LAYERS + 1];
    unsigned n_polys[ZKR_INFER_MAX_LAYERS + 1];
    unsigned poly[ZKR_INFER_MAX_LAYERS + 1][ZKR_INFER_MAX_LAYERS + 1];
} zkr_infer_groups;
void zkr_infer_groups_of(const zkr_infer_shape *s, zkr_infer_groups *g);
/* Number of evaluation claims on poly id (layers: 2, V: 2 + 2 per layer). */
size_t zkr_infer_claims_on(const zkr_infer_shape *s, unsigned poly);
/*
 * Writes V's variable suffix for layer l's block (the block bits and the
 * half bit 0) after a point of lm + 4 values: the full point has n_v values.
 */
void zkr_infer_block_point(const zkr_infer_shape *s, uint32_t l, zkr_ext *pt);

/*
 * The claim on V that layer l's 16 slot values reduce to, as prover and
 * verifier both derive it: the point rho (lm variables) extended by tau
 * drawn from t ("inf-tau") and moved to the layer's block, the value
 * sum_s eq(tau, s) slots[s]. vc is a claim on V (zkr_infer_claim_new).
 */
void zkr_infer_slot_claim(zkr_transcript *t, const zkr_infer_shape *s, uint32_t l,
                          const zkr_ext *rho, const zkr_ext slots[ZKR_INFER_SLOTS],
                          zkr_infer_claim *vc);


/* ================================================================== */
/* training-step@1 shared definitions (zk/train.c)                      */
/* ================================================================== */
#define ZKR_TRAIN_PROTOCOL "zkreg/training-step@1"
#define ZKR_TRAIN_VERSION 2u /* 2: limbs with scaled copies, no field inverse (issue 12) */
#define ZKR_KIND_TRAIN_STEP 3u
#define ZKR_TRAIN_MAX_LAYERS 8u
#define ZKR_TRAIN_MAX_BATCH 64u
#define ZKR_TRAIN_TABLE_LOG 16u /* range table 0..65535 */
#define ZKR_SEC_TRAIN_BODY 7u
/*
 * Slots of a hidden layer's group (one batch x out block each, in V). Every
 * slot is range-checked in 0..65535; a value with a narrower range keeps a
 * scaled copy (the "s" slots) that is also range-checked and linked to it by
 * a linear check whose two sides stay below p, so the bound holds over the
 * integers (docs/soundness.md, training-step@1). No value is ever recovered
 * by a field inverse.
 */
enum {
    ZKR_TS_R,    /* forward remainder r, 16 bits */
    ZKR_TS_H,    /* h = max(q, 0) */
    ZKR_TS_NLO,  /* n = max(-q, 0), low 16 bits */
    ZKR_TS_NHI,  /* n, high 16 bits */
    ZKR_TS_M,    /* ReLU mask [h > 0] */
    ZKR_TS_HM,   /* h - m (>= 0 proves m = 1 => h >= 1) */
    ZKR_TS_RB,   /* backward remainder rb, 16 bits */
    ZKR_TS_DQLO, /* dq + 2^23, low 16 bits */
    ZKR_TS_DQHI, /* dq + 2^23, high 8 bits */
    ZKR_TS_DQHS, /* the high 8 bits scaled by 2^8 (proves DQHI < 2^8) */
    ZKR_TS_DLLO, /* delta + 2^23, low 16 bits */
    ZKR_TS_DLHI, /* delta + 2^23, high 8 bits */
    ZKR_TS_DLHS, /* the high 8 bits scaled by 2^8 */
    ZKR_TS_HIDDEN_USED
};
#define ZKR_TS_HIDDEN_LOG 4u
/* Slots of the output layer's group. */
enum {
    ZKR_TS_OR,   /* output remainder r, 12 bits */
    ZKR_TS_OR16, /* r scaled by 2^4 (proves r < 2^12) */
    ZKR_TS_OLO,  /* o + 2^23, low 16 bits */
    ZKR_TS_OHI,  /* o + 2^23, high 8 bits */
    ZKR_TS_OHS,  /* the high 8 bits scaled by 2^8 */
    ZKR_TS_OUT_USED
};
#define ZKR_TS_OUT_LOG 3u
/* Blocks of a layer's update (each lm + lk variables, entry (j, k) at j 2^lk + k). */
enum {
    ZKR_TU_RU,  /* update remainder ru, S bits */
    ZKR_TU_RUS, /* ru scaled by 2^(16-S) (proves ru < 2^S) */
    ZKR_TU_WLO, /* W' + 2^20, low 16 bits (the child's weight) */
    ZKR_TU_WHI, /* W' + 2^20, high 5 bits */
    ZKR_TU_WHS, /* the high 5 bits scaled by 2^11 */
    ZKR_TU_N
};
#define ZKR_TRAIN_MAX_PT 48u

/* The training-step@1 statement as the verifier takes it from the registry. */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    uint8_t parent_commitment[ZKR_DIGEST_BYTES];
    uint8_t child_commitment[ZKR_DIGEST_BYTES];
    uint8_t dataset_commitment[ZKR_DIGEST_BYTES];
    const uint64_t *indices;
    uint32_t batch;
    uint32_t lr, shift, steps;
} zkr_train_statement;

/* Shapes and the witness layout of one step (docs/proof-system.md, training-step@1). */
typedef struct {
    uint32_t n_layers, batch, lb; /* lb = log2 of the padded batch */
    uint32_t in[ZKR_TRAIN_MAX_LAYERS], out[ZKR_TRAIN_MAX_LAYERS];
    uint32_t lm[ZKR_TRAIN_MAX_LAYERS], lk[ZKR_TRAIN_MAX_LAYERS]; /* log rows, log cols of W_l */
    uint64_t grp_off[ZKR_TRAIN_MAX_LAYERS]; /* slot group of layer l in V */
    unsigned grp_log[ZKR_TRAIN_MAX_LAYERS]; /* log size of that group */
    uint64_t upd_off[ZKR_TRAIN_MAX_LAYERS][ZKR_TU_N]; /* update blocks (lm + lk each) */
    unsigned n_v;                           /* log2 |V| */
} zkr_train_shape;

/*
 * The shape of the training program dims[0] -> ... -> dims[n_layers] with
 * `batch` records: every hidden width must be a power of two (so that the
 * next layer's bias column lies outside the backward product's columns),
 * n_layers 2..ZKR_TRAIN_MAX_LAYERS, batch 1..64, |V| <= 2^max_vars.
 * ZKR_ERR_UNSUPPORTED naming what otherwise.
 */
zkr_err zkr_train_shape_of(uint32_t n_layers, const uint32_t *dims, uint32_t batch,
                           unsigned max_vars, zkr_train_shape *s, zkr_diag *d) ZKR_WUR;
/*
 * Completes pt, whose first `blog` coordinates address inside the block at
 * V offset `off` (aligned to 2^blog), with the block's position: pt gets
 * n_v coordinates in all.
 */
void zkr_train_block_point(const zkr_train_shape *s, uint64_t off, unsigned blog, zkr_ext *pt);
/*
 * The training-model commitment: SHA-256("zkreg/tmodel-commitment/v1\0" ||
 * program_digest || u32 L || per layer: u32 n_vars | root).
 */
void zkr_train_model_commitment(const uint8_t program_digest[ZKR_DIGEST_BYTES], uint32_t n_layers,
                                const zkr_pcs_commitment *roots, uint8_t out[ZKR_DIGEST_BYTES]);
/* Seeds the transcript and absorbs the statement section. */
void zkr_train_transcript(zkr_transcript *t, const zkr_params *p,
                          const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                          size_t stmt_len);
/* 2^e (e < 64) as a field element. */
zkr_gl zkr_train_pow2(unsigned e);
/*
 * The committed polynomials of a proof, by id: W_l = l, W'_l = L + l,
 * V = 2L, M = 2L + 1 (ZKR_TRAIN_N_POLYS(L) in all). Returns id's variable
 * count; openings group ids of equal count, ascending.
 */
#define ZKR_TRAIN_N_POLYS(L) (2u * (L) + 2u)
unsigned zkr_train_poly_vars(const zkr_train_shape *s, unsigned id);
/*
 * Evaluation claims of one proof of shape s: 16 L - 3 (docs/proof-system.md).
 * Prover and verifier hold at most ZKR_TRAIN_MAX_CLAIMS; zkr_train_shape_of
 * refuses a shape that would need more, and running out is a hard error.
 */
#define ZKR_TRAIN_MAX_CLAIMS 128u
/*
 * Polynomials of equal size are opened together, at most this many per
 * opening (what one batched opening's prover takes), in id order.
 */
#define ZKR_TRAIN_GROUP_MAX 8u
size_t zkr_train_n_claims(const zkr_train_shape *s);


/* ================================================================== */
/* Zero-knowledge (hiding) layer (zk/hiding_pcs.c, zk/matmul2.c)        */
/* ================================================================== */
/*
 * docs/proof-system.md, "Zero-knowledge (hiding) layer". A hiding
 * commitment to an n-variable multilinear f is a Basefold commitment to
 * the (n + e)-variable F with F(x, 0^e) = f(x) and every other entry
 * uniformly random (degree blinding: the codeword's random part covers
 * every layer-0 position the openings reveal). An opening never opens F
 * alone: it proves G(z, 0^e) = v for G = F + rho Z, where Z is a fresh,
 * uniformly random extension-valued (n + e)-variable multilinear committed
 * by the prover before rho is drawn, so every value the folding reveals
 * (round messages, folded layers, final polynomial) is a function of a
 * uniformly random G. Only F's and Z's layer-0 leaves are opened
 * separately.
 */
#define ZKR_HPCS_MAX_BLIND_VARS 20u
/* Committed polynomials one batched hiding opening combines at most. */
#define ZKR_HPCS_MAX_BATCH 8u
/* Openings one hiding commitment is blinded for unless the caller says otherwise. */
#define ZKR_HPCS_DEFAULT_BUDGET 64u
#define ZKR_HPCS_MAX_BUDGET 4096u
typedef struct {
    uint8_t root[ZKR_DIGEST_BYTES];
    unsigned n_vars;     /* variables of the hidden polynomial f */
    unsigned blind_vars; /* e: random variables appended (the commitment has n + e) */
    unsigned ext;        /* 1: f is extension-valued (leaves hold 3 words an entry) */
} zkr_hpcs_commitment;
/*
 * Layer-0 codeword positions one opening of an (n + e)-variable hiding
 * commitment reveals at most: queries x 2^folds[0] (every opened leaf full).
 */
uint64_t zkr_hpcs_positions_per_open(const zkr_params *p, unsigned total_vars);
/*
 * The smallest e >= 1 such that the random part of the commitment, of
 * 2^n (2^e - 1) coefficients, covers `budget` openings (budget x
 * zkr_hpcs_positions_per_open evaluations of the codeword). Returns 0 when
 * none fits (n + e would exceed the parameter set's max_vars, or e would
 * exceed ZKR_HPCS_MAX_BLIND_VARS) or budget is 0 or above ZKR_HPCS_MAX_BUDGET.
 */
unsigned zkr_hpcs_blind_vars(const zkr_params *p, unsigned n_vars, uint32_t budget);

typedef struct zkr_hpcs_proof zkr_hpcs_proof;
/*
 * Parses a hiding opening of an (n + e) = total_vars commitment (strict:
 * every count from the parameters). ZKR_ERR_MALFORMED, TOO_LARGE, NOMEM.
 */
zkr_err zkr_hpcs_proof_parse(const zkr_params *p, unsigned total_vars, zkr_dec *d,
                             zkr_hpcs_proof **out) ZKR_WUR;
/* The same for an extension-valued f (f_ext 1: F's layer-0 leaves hold extension words). */
zkr_err zkr_hpcs_proof_parse_f(const zkr_params *p, unsigned total_vars, unsigned f_ext,
                               zkr_dec *d, zkr_hpcs_proof **out) ZKR_WUR;
/*
 * The same for a base-valued F committed with its opening's mask in one
 * tree (zkr_prover_hcommit_masked; inference@2 version 11): layer 0 is one
 * tree whose leaves hold F's 2^a0 words then Z's 2^a0 extension values.
 * Only zkr_hpcs_verify_masked reads such a proof.
 */
zkr_err zkr_hpcs_proof_parse_masked(const zkr_params *p, unsigned total_vars, zkr_dec *d,
                                    zkr_hpcs_proof **out) ZKR_WUR;
void zkr_hpcs_proof_free(zkr_hpcs_proof *pf);
/*
 * Verifies G(z, 0^e) = value for G = F + rho Z, F committed in *f, Z (an
 * extension-valued multilinear of the same n + e variables) committed
 * under mask_root. The caller must have drawn rho from the transcript
 * after absorbing mask_root (and anything the mask's sum binds), so that
 * F and Z were fixed before rho. z has f->n_vars entries. ZKR_OK,
 * ZKR_ERR_VERIFY, ZKR_ERR_NOMEM, ZKR_ERR_USAGE (sizes differ from pf).
 */
zkr_err zkr_hpcs_verify(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *f,
                        const uint8_t mask_root[ZKR_DIGEST_BYTES], zkr_ext rho, const zkr_ext *z,
                        zkr_ext value, const zkr_hpcs_proof *pf) ZKR_WUR;
/*
 * As zkr_hpcs_verify for a base-valued F whose mask Z shares F's tree (pf
 * from zkr_hpcs_proof_parse_masked): the mask root is f->root, and each
 * opened leaf's Merkle check binds F's and Z's values together. The caller
 * must have absorbed f->root before drawing rho. Same results; USAGE for a
 * proof parsed otherwise (and zkr_hpcs_verify refuses a masked one).
 */
zkr_err zkr_hpcs_verify_masked(const zkr_params *p, zkr_transcript *t,
                               const zkr_hpcs_commitment *f, zkr_ext rho, const zkr_ext *z,
                               zkr_ext value, const zkr_hpcs_proof *pf) ZKR_WUR;
/*
 * As zkr_hpcs_verify at a point zfull of all n + e variables, blinding
 * coordinates included (chosen by the caller's protocol, never by the
 * prover), the whole point absorbed. Same results.
 */
zkr_err zkr_hpcs_verify_at(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *f,
                           const uint8_t mask_root[ZKR_DIGEST_BYTES], zkr_ext rho,
                           const zkr_ext *zfull, zkr_ext value,
                           const zkr_hpcs_proof *pf) ZKR_WUR;
/*
 * Batched hiding opening (docs/proof-system.md, "Batched hiding opening"):
 * k (1..ZKR_HPCS_MAX_BATCH) hiding commitments f[0..k-1], all of the same
 * size n + e (grouped by size; a protocol that needs fewer variables
 * commits a zero-extended table with more blinding variables), proven at
 * one full point zfull (n + e coordinates, fixed by the caller's
 * protocol) to take values[0..k-1]. Reads from d the fresh mask's root, its
 * value b = Z(zfull) and the opening of G = sum beta_i F_i + rho Z, after
 * absorbing the roots, the point, the values, the mask's root and b and
 * only then drawing beta_0..beta_{k-1} and rho. The caller sends and binds
 * the values themselves. ZKR_OK, ZKR_ERR_VERIFY, ZKR_ERR_MALFORMED,
 * ZKR_ERR_TOO_LARGE, ZKR_ERR_USAGE (k, sizes differ), NOMEM.
 */
zkr_err zkr_hpcs_verify_batch(const zkr_params *p, zkr_transcript *t,
                              const zkr_hpcs_commitment *f, size_t k, const zkr_ext *zfull,
                              const zkr_ext *values, zkr_dec *d) ZKR_WUR;
/*
 * zkr_hpcs_verify_batch for one base-valued member (k = 1) of a stacked
 * group of grp_n full-size members (zkr_prover_hcommit_stack_pool; the
 * private model range proof of a version 4 model commitment): f->root is
 * the group's, and the opening's layer-0 leaves hold every member's 2^a0
 * words (member grp_i's read, all of them hashed), so such an opening
 * shows every member's codeword entries at its positions. ZKR_ERR_USAGE
 * (grp_n outside 2..ZKR_HPCS_MAX_STACK, grp_i past it, an
 * extension-valued f, a group leaf over ZKR_MT_MAX_LEAF_WORDS); else as
 * zkr_hpcs_verify_batch.
 */
zkr_err zkr_hpcs_verify_batch_stacked(const zkr_params *p, zkr_transcript *t,
                                      const zkr_hpcs_commitment *f, const zkr_ext *zfull,
                                      zkr_ext value, unsigned grp_n, unsigned grp_i,
                                      zkr_dec *d) ZKR_WUR;
/* The batch's transcript up to its challenges (shared by prover and verifier). */
void zkr_hpcs_batch_absorb(zkr_transcript *t, size_t k, const uint8_t (*roots)[ZKR_DIGEST_BYTES],
                           const zkr_ext *zfull, unsigned total, const zkr_ext *values,
                           const uint8_t mask_root[ZKR_DIGEST_BYTES], zkr_ext b);

/*
 * Mixed-size batched hiding opening (docs/proof-system.md, "3c.
 * Mixed-size batched hiding opening"): k (1..ZKR_HPCS_MAX_MIXED) hiding
 * commitments f[0..k-1] of sizes T_i = n_i + e_i (base- or
 * extension-valued), T = max T_i, one point z of T coordinates; member i
 * is claimed to take values[i] at the LAST T_i coordinates z[T - T_i..)
 * (it does not depend on the first d_i = T - T_i). Reads the fresh
 * T-variable mask's root, b = Z(z) and the opening of G = sum beta_i F_i
 * (the full-size members) + rho Z, to which each smaller member is added
 * as alpha_i F_i at round d_i (alpha_i drawn there); the roots, sizes, z,
 * the values, the mask's root and b are absorbed before beta and rho. Each
 * joining member's layer-0 leaves are opened at its join's query
 * positions and Merkle-checked against its root. The caller sends and
 * binds the values. ZKR_OK, ZKR_ERR_VERIFY, ZKR_ERR_MALFORMED,
 * ZKR_ERR_TOO_LARGE, ZKR_ERR_USAGE (k, or a size the schedule cannot
 * take: zkr_hpcs_mixed_ok), NOMEM.
 */
/* inference@2: W'_0..W'_15, V, the output, the record, h, phi, m (ZKR_INFER_MAX_LAYERS + 6) */
#define ZKR_HPCS_MAX_MIXED 24u
/* Members of one stacked group of full-size members at most (inference@2 version 14: the W'). */
#define ZKR_HPCS_MAX_STACK ZKR_INFER_MAX_LAYERS
zkr_err zkr_hpcs_verify_mixed(const zkr_params *p, zkr_transcript *t,
                              const zkr_hpcs_commitment *f, size_t k, const zkr_ext *z,
                              const zkr_ext *values, zkr_dec *d) ZKR_WUR;
/*
 * The leaf arity (log2 of the values a leaf holds) at which a member of
 * t_i variables in a mixed opening over `total` reads whole leaves: the
 * fold steps left in the layer it joins (folds[layer] - step of
 * zkr_hpcs_mixed_plan_of), folds[0] for a full-size member; 0 when no
 * member of that size can join. A polynomial committed with it
 * (zkr_prover_hcommit_fit_pool) is a "fitted" member: its opened leaves
 * carry no value the verifier does not read.
 */
unsigned zkr_hpcs_mixed_fit_arity(const zkr_params *p, unsigned total, unsigned t_i);
/*
 * zkr_hpcs_verify_mixed where the members with bit i of fit set were
 * committed with fitted leaves (zkr_hpcs_mixed_fit_arity; inference@2
 * version 8's V, h, phi and m), and those with bit i of stack set share
 * member i - 1's tree: a run of set bits after an unset one is one
 * stacked group under one root, each leaf one salt then every member's
 * entries in member order, opened once for all of them (a stacked pair of
 * joiners, zkr_prover_hcommit_ext_pair_fit_pool: inference@2 version 9's h
 * and phi; a group of full-size members, zkr_prover_hcommit_stack_pool:
 * version 14's W'_0..W'_{L-1}). Every member of a group must have its
 * head's size (all full-size, or all joining at one round with one leaf
 * arity) and root (a full-size group base-valued only), the group's leaf
 * at most ZKR_MT_MAX_LEAF_WORDS words.
 * ZKR_ERR_USAGE also when a mask names a member past k, or a group breaks
 * those rules.
 */
zkr_err zkr_hpcs_verify_mixed_fit(const zkr_params *p, zkr_transcript *t,
                                  const zkr_hpcs_commitment *f, size_t k, uint32_t fit,
                                  uint32_t stack, const zkr_ext *z, const zkr_ext *values,
                                  zkr_dec *d) ZKR_WUR;
/*
 * zkr_hpcs_verify_mixed_fit with a nested mask (inference@2 version 13,
 * zkr_prover_hcommit_pair_nest_pool): member `nest` (k: none, exactly
 * zkr_hpcs_verify_mixed_fit) carries the mask Z in its tree, each leaf
 * ending in the root of Z's subtree of 2^h leaves below it (h: its leaf
 * arity plus its join step). The opening then sends no mask root (the
 * transcript binds the carrier's root in its place) and Z's leaves with
 * the siblings up to those subtree roots only; the verifier climbs them,
 * appends each root to the carrier's opened leaf it belongs under, and
 * checks the carrier's tree with those leaves. ZKR_ERR_USAGE when nest is
 * past k, or the carrier is not a layer-1 joiner with 2^h fewer leaves
 * than Z's tree, or is a stacked pair's second; ZKR_ERR_VERIFY as
 * zkr_hpcs_verify_mixed_fit, and when a root or leaf does not match.
 */
zkr_err zkr_hpcs_verify_mixed_nest(const zkr_params *p, zkr_transcript *t,
                                   const zkr_hpcs_commitment *f, size_t k, uint32_t fit,
                                   uint32_t stack, size_t nest, const zkr_ext *z,
                                   const zkr_ext *values, zkr_dec *d) ZKR_WUR;
/*
 * ZKR_OK when members of sizes totals[0..k-1] (n + e each) can share one
 * mixed opening: every smaller member joins before the final polynomial
 * of the largest size's hiding layout and its own layer-0 leaves hold the
 * values a query needs at its join round. ZKR_ERR_USAGE otherwise.
 */
zkr_err zkr_hpcs_mixed_ok(const zkr_params *p, const unsigned *totals, size_t k) ZKR_WUR;
/*
 * The values of member i (of sizes totals[0..k-1]) a mixed opening reveals
 * beyond its claimed value: the mask Z is constant on layer-0 cosets (it
 * depends on x_a0.. only, a0 = folds[0]), so each folding round d_i..a0-1
 * message is one more linear functional of the members folded so far,
 * F_i at points with z's blinding coordinates (docs/proof-system.md, 3c's
 * simulator): a0 - d_i when member i joins inside layer 0, else 0 (also 0
 * when the sizes are refused). The prover charges them to F_i's reveal
 * count and refuses a member it would charge at a point on the slice u = 0.
 */
unsigned zkr_hpcs_mixed_round_reveals(const zkr_params *p, const unsigned *totals, size_t k,
                                      size_t i);
/*
 * The mixed opening's error besides its query phase, computed from the
 * parameters: the commit phase of the largest size (folds |D| / |F|) and
 * its 4 T rounds' term, the batching of the full-size members and the
 * mask ((n_full + 1) |D| / |F|), beta and rho (2 / |F|), and per joining
 * member its alpha (the running claim is linear in alpha: 1 / |F|) and the
 * proximity of the joined word (|D_i| / |F|, D_i its codeword's domain),
 * and max d_i / |F| for a join's factor eq(z_<d, r_<d) vanishing.
 * 0 when zkr_hpcs_mixed_ok refuses the sizes.
 */
double zkr_hpcs_mixed_error(const zkr_params *p, const unsigned *totals, size_t k);
/*
 * The mixed opening's figure alone: the better of the unique-decoding one
 * (its query phase at p->queries, with grinding, plus
 * zkr_hpcs_mixed_error) and the list-decoding one with its joins
 * (zkr_hpcs_mixed_fig, zk/ldr.h). Zero bits when the sizes are refused.
 */
zkr_soundness zkr_hpcs_mixed_soundness(const zkr_params *p, const unsigned *totals, size_t k);

/* ---------------- hiding range proof (masked LogUp) ---------------- */
/*
 * docs/proof-system.md, "Hiding range proof". Proves that every entry of a
 * hidden base polynomial a (a hiding commitment, n variables, all 2^n
 * entries padding included) lies in a public table of 256 entries, by
 * LogUp with every helper (multiplicities m, h = 1/(X - a), phi = m/(X - t),
 * the Libra mask's coefficients C) behind a fresh hiding commitment, one
 * batched zero-knowledge sumcheck (Libra mask, randomised extensions for
 * its final values) and hiding openings. Section ZKR_SEC_ZK_RANGE.
 */
#define ZKR_SEC_ZK_RANGE 13u
#define ZKR_ZKRANGE_TABLE_VARS 8u
#define ZKR_ZKRANGE_DEGREE 7u /* per-round degree of the batched sumcheck */
/* hiding openings per range proof: the batch of a, h, phi, m at r; C's */
#define ZKR_ZKRANGE_OPENINGS 2u
/* t_j = off + j for j < count, t_j = off for count <= j < 256 (a repeated entry). */
typedef struct {
    int64_t off;
    uint32_t count; /* 1..256 */
} zkr_zkrange_table;
/* int8 weights: -127..127 (|W| <= 127). */
#define ZKR_ZKRANGE_INT8 ((zkr_zkrange_table){-127, 255})
int64_t zkr_zkrange_value(const zkr_zkrange_table *tab, uint32_t j);
/* Variables of the batched sumcheck: max(n, 8). */
unsigned zkr_zkrange_sc_vars(unsigned n_vars);
/* Variables of the Libra mask's coefficient table C (3 (1 + 7 N) base entries). */
unsigned zkr_zkrange_coef_vars(unsigned n_vars);
/*
 * Lambda(r): the public weights with <C, Lambda> = g(r) for the Libra mask
 * g(x) = a0 + sum_i sum_{j=1..7} c_ij x_i^j (2^coef_vars ext entries out).
 */
void zkr_zkrange_lambda(const zkr_ext *r, unsigned sc_vars, zkr_ext *out);
/*
 * A linear claim proven in the range proof's batched sumcheck:
 * sum_x w(x) a(x) = claim over a's 2^n entries, w public. The prover gives
 * the 2^n weights (index as a's); the verifier the weights' multilinear
 * extension at a point r of n coordinates (eval, with ctx).
 */
typedef struct {
    zkr_ext claim;
    const zkr_ext *weights;
    zkr_err (*eval)(const void *ctx, const zkr_ext *r, zkr_ext *out);
    const void *ctx;
} zkr_zkrange_lin;
/*
 * A hidden term joined to the linear claim (docs/proof-system.md, "Private
 * model range proof"): the claim becomes sum_x w(x) a(x) + sum_y u(y) b(y)
 * = claim over a's 2^n entries and the 2^nb entries of b, another hiding
 * commitment (base-valued, nb <= max(n, 8), e_b >= 1) whose randomised
 * extension on variable 0, B(y) = F_b(y, s(y_0), 0..), joins the batched
 * sumcheck (replicated over the variables above nb) and is opened once, by
 * its own hiding opening at (r_<nb, s(r_0), 0..). The prover gives b_poly
 * and the 2^nb weights; the verifier b's commitment and u's multilinear
 * extension at nb coordinates (eval, with ctx). One opening of b's budget.
 */
struct zkr_hpcs_poly;
typedef struct {
    struct zkr_hpcs_poly *b_poly;      /* prover */
    const zkr_ext *weights;            /* prover: u, 2^nb entries */
    const zkr_hpcs_commitment *b;      /* verifier */
    zkr_err (*eval)(const void *ctx, const zkr_ext *r, zkr_ext *out); /* verifier */
    const void *ctx;
    /*
     * verifier: b is member grp_i of a stacked group of grp_n (> 1; a
     * version 4 model commitment's W'), opened by
     * zkr_hpcs_verify_batch_stacked; 0 (zero-initialised): its own tree
     */
    unsigned grp_n, grp_i;
} zkr_zkrange_link;
/*
 * The batched opening's shape for an a of n variables committed over total
 * = n + e: every helper is committed over `total` variables too (zero-
 * extended to N = max(n, 8), blinded by total - N), and *coupled (E) is
 * the blinding coordinates the randomised extensions spread over:
 * min(total - N, N). ZKR_ERR_TOO_LARGE when total < N + zkr_hpcs_blind_vars(N, 1)
 * (a's commitment too small to carry the helpers' blinding).
 */
zkr_err zkr_zkrange_batch_shape(const zkr_params *p, unsigned n_vars, unsigned total,
                                unsigned *coupled) ZKR_WUR;
/*
 * Verifies a range proof of the hidden a (committed in *a, base-valued)
 * against tab, reading it from d (strict: every count from the
 * parameters), on transcript t (which must already bind a's commitment).
 * ZKR_OK, ZKR_ERR_VERIFY, ZKR_ERR_MALFORMED, ZKR_ERR_TOO_LARGE, NOMEM.
 */
zkr_err zkr_zkrange_verify(const zkr_params *p, zkr_transcript *t, const zkr_hpcs_commitment *a,
                           const zkr_zkrange_table *tab, zkr_dec *d) ZKR_WUR;
/* The same with a linear claim (lin->eval, lin->claim; zkr_prover_zkrange_lin). */
zkr_err zkr_zkrange_verify_lin(const zkr_params *p, zkr_transcript *t,
                               const zkr_hpcs_commitment *a, const zkr_zkrange_table *tab,
                               const zkr_zkrange_lin *lin, zkr_dec *d) ZKR_WUR;
/*
 * The same with a linear claim that carries a hidden term (link->b,
 * link->eval; zkr_prover_zkrange_link): lin is required. ZKR_ERR_USAGE
 * when b does not fit (ext, nb > max(n, 8), no blinding variable).
 */
zkr_err zkr_zkrange_verify_link(const zkr_params *p, zkr_transcript *t,
                                const zkr_hpcs_commitment *a, const zkr_zkrange_table *tab,
                                const zkr_zkrange_lin *lin, const zkr_zkrange_link *link,
                                zkr_dec *d) ZKR_WUR;
/*
 * The same against an explicit table of 256 public values vals[0..255]
 * (the prover's zkr_prover_zkrange_link_vals): the LogUp's table
 * column is t_j = vals[j] and the transcript binds the 256 values instead
 * of (off, count). graph-inference@2's lookup (zk/ginfer2.h) uses it.
 * ZKR_ERR_USAGE when two values are the same field element.
 */
zkr_err zkr_zkrange_verify_link_vals(const zkr_params *p, zkr_transcript *t,
                                     const zkr_hpcs_commitment *a, const int64_t *vals,
                                     const zkr_zkrange_lin *lin, const zkr_zkrange_link *link,
                                     zkr_dec *d) ZKR_WUR;
/*
 * Deferred range proofs (inference@2 version 5, zkr_prover_zkrange_defer):
 * the helpers, committed over a's total = n + e variables with N =
 * max(n, 8) hidden ones, reveal q 2^a codeword positions (one opening)
 * and two values (at the range point and at the caller's reduction point)
 * per proof, and up to 4 round values when the caller's mixed opening
 * folds them from round 0 (zkr_hpcs_mixed_round_reveals): ZKR_ERR_TOO_LARGE
 * unless 2^N (2^(total - N) - 1) covers that, or batch_shape refuses.
 */
zkr_err zkr_zkrange_defer_shape(const zkr_params *p, unsigned n_vars, unsigned total) ZKR_WUR;
/*
 * What a deferred range proof leaves to its caller (zkr_zkrange_verify_defer):
 * the commitments a, h, phi, m (the helpers' as the proof names them), the
 * sumcheck's point r (N), the full point zf (T) and the values a^, h^,
 * phi^, m^ at zf and g(r). The caller must bind vals[0..3] to comm[0..3] at
 * zf and prove g(r) = vals[4] against the coefficients it committed.
 */
typedef struct {
    zkr_hpcs_commitment comm[4];
    zkr_ext r[64], zf[64], vals[5];
    unsigned N, T;
} zkr_zkrange_deferred;
/*
 * Verifies a deferred range proof of a (no linear claim) up to its final
 * check: m's, h's, phi's roots, gamma, the rounds and the values, the
 * batched final equation; fills *out. Same errors as zkr_zkrange_verify.
 */
zkr_err zkr_zkrange_verify_defer(const zkr_params *p, zkr_transcript *t,
                                 const zkr_hpcs_commitment *a, const zkr_zkrange_table *tab,
                                 zkr_zkrange_deferred *out, zkr_dec *d) ZKR_WUR;
/*
 * As zkr_zkrange_verify_defer with lin's public linear claim in the same
 * batched sumcheck (zkr_prover_zkrange_defer_lin; training-step@2 version
 * 5). ZKR_ERR_USAGE without lin or out; else the same errors.
 */
zkr_err zkr_zkrange_verify_defer_lin(const zkr_params *p, zkr_transcript *t,
                                     const zkr_hpcs_commitment *a, const zkr_zkrange_table *tab,
                                     const zkr_zkrange_lin *lin, zkr_zkrange_deferred *out,
                                     zkr_dec *d) ZKR_WUR;
/*
 * Soundness error (log2 would be negative bits) of the range proof's
 * algebra for an n-variable a committed with e blinding variables: LogUp's
 * X, the zero-check points, the batching scalars (lambda, mu, nu), the
 * sumcheck rounds, the linear sumcheck, rho's uses, the batched opening's
 * beta and rho, and the commit-phase terms of its two openings (the batch
 * of five words and C's of two). Their query phases are the caller's.
 */
double zkr_zkrange_alg_error(const zkr_params *p, unsigned n_vars, unsigned a_blind_vars);

/* ---------------- hiding record commitment ---------------- */
/*
 * A hiding commitment to one input record (docs/proof-system.md, "Hiding
 * record commitment"): the record's bytes r_0..r_{len-1} (uint8, as the
 * dataset stores them) are the entries of a multilinear over
 * n = log2_ceil(len) variables (zero-padded), committed with the hiding
 * commitment (e blinding variables for `budget` openings). What a
 * statement binds is the encoding below; inference@2 opens it. Layout,
 * ZKR_RECORD_COMMIT_BYTES bytes: u32 version (1) | u32 len | u32 n |
 * u32 e | root[32], big-endian.
 */
#define ZKR_RECORD_COMMIT_VERSION 1u
#define ZKR_RECORD_COMMIT_BYTES 48u
#define ZKR_RECORD_MAX_LEN (1u << 20)
typedef struct {
    uint32_t len;             /* record bytes */
    zkr_hpcs_commitment comm; /* n = log2_ceil(len), base-valued */
} zkr_record_commitment;
void zkr_record_commitment_encode(const zkr_record_commitment *rc,
                                  uint8_t out[ZKR_RECORD_COMMIT_BYTES]);
/*
 * Strict decode: exactly ZKR_RECORD_COMMIT_BYTES bytes, version 1,
 * 1 <= len <= ZKR_RECORD_MAX_LEN, n = log2_ceil(len), 1 <= e <=
 * ZKR_HPCS_MAX_BLIND_VARS, n + e <= p->max_vars. ZKR_OK or
 * ZKR_ERR_MALFORMED.
 */
zkr_err zkr_record_commitment_decode(const zkr_params *p, const uint8_t *in, size_t in_len,
                                     zkr_record_commitment *out) ZKR_WUR;

/* ---------------- matmul@2: hiding matrix product ---------------- */
#define ZKR_MATMUL2_PROTOCOL "zkreg/matmul@2"
/*
 * 2: the hiding range proof of |W| <= 127 (section 13) joined the proof.
 * 3: y = W x is a linear claim inside the range proof's batched sumcheck and
 *    the range proof's openings are batched: sections 1 and 13 only.
 */
/* 4: hiding openings with the byte-optimised fold schedule; 5: the factorisation check
 * of the hiding openings' round messages and zkr_matmul2_params' query count */
#define ZKR_MATMUL2_VERSION 5u
/* The |W| bound the range proof establishes (W + 127 in 0..254). */
#define ZKR_MATMUL2_W_MAX 127
/* Openings of W's commitment one matmul@2 proof consumes (version 3: the batch). */
#define ZKR_MATMUL2_OPENINGS 1u
#define ZKR_KIND_MATMUL2 5u
#define ZKR_SEC_ZK_SUMCHECK 11u
#define ZKR_SEC_HPCS 12u
/* The public part of a matmul@2 statement: as matmul@1's, W behind a hiding commitment. */
typedef struct {
    uint32_t m, k, b;
    const int64_t *x; /* k x b, public */
    const int64_t *y; /* m x b, public */
    zkr_hpcs_commitment w;
    uint64_t w_max_abs; /* registered |W| bound, checked like matmul@1's */
} zkr_matmul2_public;
/*
 * ZKR_OK when the dimensions are within matmul@1's bounds and W's hiding
 * commitment has n = lm + lk variables, 1 <= e <= ZKR_HPCS_MAX_BLIND_VARS and
 * n + e <= max_vars; ZKR_ERR_TOO_LARGE / ZKR_ERR_USAGE otherwise.
 */
zkr_err zkr_matmul2_check_shape(const zkr_params *p, const zkr_matmul2_public *pub) ZKR_WUR;
/* Seeds and binds a matmul@2 transcript (prover and verifier). */
void zkr_matmul2_transcript(zkr_transcript *t, const zkr_params *p,
                            const uint8_t statement_id[ZKR_DIGEST_BYTES],
                            const zkr_matmul2_public *pub);
/*
 * Soundness of a matmul@2 proof (version 5) at zkr_matmul2_params' query
 * count: the random point (lm + lb) of the linear claim, the range proof's
 * algebra and commit phases (zkr_zkrange_alg_error) and each of its two
 * hiding openings' figure, the better of UD and JBR (zk/ldr.h; union bound).
 */
zkr_soundness zkr_matmul2_soundness(const zkr_params *p, uint32_t m, uint32_t k, uint32_t b,
                                    unsigned blind_vars);
/*
 * The parameters every opening of a matmul@2 proof of that shape runs at
 * (version 5): p with queries the smallest count >= zkr_ldr_q_start(p)
 * (below 2 p->queries) whose figure reaches p->target_bits.
 */
void zkr_matmul2_params(const zkr_params *p, uint32_t m, uint32_t k, uint32_t b,
                        unsigned blind_vars, zkr_params *out);
/* ================================================================== */
/* evaluation@1 shared definitions (zk/eval.c)                          */
/* ================================================================== */
/*
 * Batched inference of a registered model over a contiguous record range
 * [first, first + count) of a registered dataset, each record's argmax
 * (ties to the lowest index, as native inference) compared with its label,
 * and the number of correct predictions (docs/proof-system.md,
 * "evaluation@1"). Not zero-knowledge: the records are public inputs of
 * the verifier (it reads them from the registered dataset).
 */
#define ZKR_EVAL_PROTOCOL "zkreg/evaluation@1"
/*
 * 2: one mixed-size opening; 3: a batch whose padding would cost more
 * than a quarter is committed as two power-of-two record chunks
 * (zkr_eval_shape_split); 4: narrow requantization in V_l and A in 15-bit
 * limbs, range entries read by the LogUps (zkr_eval_shape_v4). Versions
 * 1..3 keep verifying.
 */
#define ZKR_EVAL_VERSION 4u
#define ZKR_EVAL_LIMB4 15u /* version 4: limb width and the range table's log */
#define ZKR_KIND_EVALUATION1 4u
/* Section tags of an evaluation@1 proof (after ZKR_SEC_STATEMENT). */
#define ZKR_SEC_EVAL_ROOTS 8u  /* witness roots: V_0..V_{L-1}, A, MU (, V_0's second chunk) */
#define ZKR_SEC_EVAL_LOGUP 9u  /* L + 1 LogUp proofs */
#define ZKR_SEC_EVAL_BODY 10u  /* argmax, count and per-layer sumchecks */
/* The largest batch: 2^ZKR_EVAL_MAX_LB records after padding. */
#define ZKR_EVAL_MAX_LB 20u
/*
 * Slots of the argmax block A (16 slots of lm_out + lb variables each, 2 nd + 1
 * used): A then has exactly V_{L-1}'s size and shares its opening.
 */
#define ZKR_EVAL_ASLOTS_LOG 4u
#define ZKR_EVAL_ASLOTS (1u << ZKR_EVAL_ASLOTS_LOG)
#define ZKR_EVAL_ASLOT_E 0u  /* one-hot argmax indicator */
#define ZKR_EVAL_ASLOT_D0 1u /* nd byte limbs of D = KA - K, then nd limbs of KA */
/*
 * The argmax relation's dimensions (evaluation@1, evaluation-graph@1): J =
 * 2^c outputs a record (out_dim of them real), 2^lb records, nd byte limbs
 * of D and KA, keys K(j) = 2^c (y_j - lo) + J - 1 - j. The block A is
 * slot-major: slot s of record b's output j at s 2^(c + lb) + b 2^c + j.
 */
typedef struct {
    unsigned c, lb, nd;
    uint32_t out_dim;
    int64_t lo;
    unsigned slog; /* A's slot variables; 0: ZKR_EVAL_ASLOTS_LOG (format versions 1..3) */
    unsigned limb; /* bits of a limb of D and KA; 0: 8 (format versions 1..3) */
} zkr_eval_am_dims;
/* The slot variables and limb bits of m (their defaults when 0). */
unsigned zkr_eval_am_slog(const zkr_eval_am_dims *m);
unsigned zkr_eval_am_limb(const zkr_eval_am_dims *m);
/* A's one-hot point (1/2, .., 1/2, rho_b, E's slot bits): c + lb + 4 values. */
void zkr_eval_am_onehot_pt(const zkr_eval_am_dims *m, const zkr_ext *rho, zkr_ext *pt);
/* A's broadcast-key point (0, .., 0, rho_b, KA limb k's slot bits): c + lb + 4 values. */
void zkr_eval_am_key_pt(const zkr_eval_am_dims *m, const zkr_ext *rho, unsigned k, zkr_ext *pt);
/* Public output modes. */
#define ZKR_EVAL_MODE_EXACT 0u     /* the output states the number correct */
#define ZKR_EVAL_MODE_THRESHOLD 1u /* the output states "correct >= tau" */
/*
 * Polynomials: W'_l = l, V_l = L + l, A = 2L, MU = 2L + 1; a split batch
 * (format version 3) commits V_0 as its first chunk under id L and its
 * second chunk as id 2L + 2 (zkr_eval_n_polys).
 */
#define ZKR_EVAL_N_POLYS(L) (2u * (L) + 2u)
#define ZKR_EVAL_MAX_POLYS (2u * ZKR_INFER_MAX_LAYERS + 3u)
/* Claims on the whole (virtual) V_0 of a split batch, before the split step. */
#define ZKR_EVAL_POLY_V0 0xffu
#define ZKR_EVAL_MAX_CLAIMS 128u
#define ZKR_EVAL_GROUP_MAX 8u

typedef struct {
    zkr_infer_shape inf; /* per-layer parameters (v_off, n_l, n_v unused) */
    uint64_t count;      /* records in the range */
    unsigned lb;         /* log2 of the padded batch */
    unsigned c;          /* tie-break bits: lm of the last layer */
    unsigned nd;         /* byte limbs of D and KA: ceil((c + 8) / 8) */
    unsigned mu_log;     /* MU: 256 multiplicities per LogUp (8 + log2(L + 1) variables), padded
                          * to the smallest other polynomial at least that large so that it
                          * shares that polynomial's opening */
    unsigned split;      /* format version 3 only: V_0 committed as two chunks, records
                          * [0, 2^(lb-1)) and [2^(lb-1), 2^(lb-1) + 2^lb_b); V_0 is zero
                          * at the records after them (zkr_eval_shape_split) */
    unsigned lb_b;       /* split: log2 of the second chunk's records (lb_b <= lb - 2) */
    /* Format version 4 (zkr_eval_shape_v4); versions 1..3: 0, 16 byte slots, ZKR_INFER_SLOT_Y,
     * A in 16 slots of byte limbs, the byte table. */
    unsigned version;
    unsigned vlog[ZKR_INFER_MAX_LAYERS]; /* V_l's slot variables */
    unsigned ysl[ZKR_INFER_MAX_LAYERS];  /* Y = y - lo's slot in V_l */
    unsigned nsl[ZKR_INFER_MAX_LAYERS];  /* V_l's used slots (v4: Y, r, gh, gl limbs) */
    unsigned ghb[ZKR_INFER_MAX_LAYERS], glb[ZKR_INFER_MAX_LAYERS]; /* v4: declared clamp widths */
    unsigned alog;       /* A's slot variables */
    unsigned anu;        /* A's used slots: 1 + 2 nd */
    unsigned tlog;       /* the range table's log: 8, v4 15 (MU: 2^tlog per LogUp) */
} zkr_eval_shape;

/*
 * The layout of a batch of `count` records (1 <= count <= 2^ZKR_EVAL_MAX_LB)
 * for the program's dims / activations and the model's shifts. ZKR_OK,
 * ZKR_ERR_MALFORMED (as zkr_infer_shape_init), ZKR_ERR_TOO_LARGE (a
 * witness polynomial over max_vars variables, or too many records).
 */
zkr_err zkr_eval_shape_init(zkr_eval_shape *s, uint32_t input_dim, uint32_t n_layers,
                            const uint32_t *in_dims, const uint32_t *out_dims, const int *relu,
                            const uint32_t *shifts, uint64_t count, unsigned max_vars) ZKR_WUR;
/* Variables of polynomial id (zkr_eval_n_polys ids). */
unsigned zkr_eval_poly_vars(const zkr_eval_shape *s, unsigned id);
/*
 * Format version 4 (docs/proof-system.md, "evaluation@1", format version 4):
 * A in 15-bit limbs (slots E, nd limbs of D, nd of KA, padded to 2^alog)
 * and V_l the narrow requantization's slots (zk/cnn.h zkr_cnn_rqn: r, gh,
 * gl in 15-bit limbs, then Y) for the declared clamp widths ghb[l], glb[l]
 * (each <= 63 - shift_l, as zkr_cnn_rqn_init), MU 2^15 per LogUp. Call
 * after zkr_eval_shape_init (and zkr_eval_shape_split, in either order).
 * ZKR_ERR_MALFORMED (a width over 63 - s), ZKR_ERR_TOO_LARGE (max_vars).
 */
zkr_err zkr_eval_shape_v4(zkr_eval_shape *s, const unsigned *ghb, const unsigned *glb,
                          unsigned max_vars) ZKR_WUR;
/*
 * Format version 4's range entries of LogUp i (0..L-1: V_i, L: A, L + 1: a
 * split batch's second V_0 chunk): entry e at every element is sign *
 * scale * slot[src] + cst over the polynomial's slots; 2^elog entries (the
 * ones past n_ent are 0). Returns n_ent; *elog gets the entry variables.
 */
#define ZKR_EVAL_MAX_ENTRIES 32u
typedef struct {
    unsigned src;
    zkr_gl coef; /* sign * scale, in F */
    zkr_gl cst;
} zkr_eval_entry;
unsigned zkr_eval_entries(const zkr_eval_shape *s, unsigned i, zkr_eval_entry *ent,
                          unsigned *elog);
/* The argmax block's dimensions for the shape (its version's A layout). */
zkr_eval_am_dims zkr_eval_am_of(const zkr_eval_shape *s);
/*
 * Format version 3: splits the batch when count = 2^k + rem with
 * 0 < rem <= 2^(k-1) (the padded 2^(k+1) records would be more than a
 * quarter padding): V_0 is then committed as chunks of 2^k and 2^lb_b
 * records, lb_b = ceil(log2 rem), and MU gets one more block. Both sides
 * compute it from the record count. ZKR_ERR_TOO_LARGE as shape_init.
 */
zkr_err zkr_eval_shape_split(zkr_eval_shape *s, unsigned max_vars) ZKR_WUR;
/* Witness polynomials committed: 2L + 2, plus one for a split batch. */
unsigned zkr_eval_n_polys(const zkr_eval_shape *s);
/* Records V_0 covers: 2^lb, or 2^(lb-1) + 2^lb_b for a split batch. */
uint64_t zkr_eval_v0_records(const zkr_eval_shape *s);
/*
 * A split batch's claim on V_0 at pt (lm_0 + lb + 4 values: row, record,
 * slot) as claims on its chunks: V_0~(pt) = ca V_a~(pa) + cb V_b~(pb), with
 * pa = pt less the top record variable, pb = pt less record variables
 * lb_b..lb-1 (an identity of multilinear extensions, V_0 being zero past
 * the chunks).
 */
void zkr_eval_v0_split_point(const zkr_eval_shape *s, const zkr_ext *pt, zkr_ext *pa,
                             zkr_ext *pb, zkr_ext *ca, zkr_ext *cb);
/*
 * sum over rows i of layer 0 with record b(i) < zkr_eval_v0_records of
 * eq(z, i) eq(rho, i): the MLE at rho of layer 0's masked zero-check
 * weight (lm_0 + lb values each).
 */
zkr_ext zkr_eval_v0_masked_eq(const zkr_eval_shape *s, const zkr_ext *z, const zkr_ext *rho);
/* The MLE at rho_b (lb values) of [b < zkr_eval_v0_records]: 1 for an unsplit batch. */
zkr_ext zkr_eval_v0_sel(const zkr_eval_shape *s, const zkr_ext *rho_b);

/*
 * Openings: ids grouped by size, ascending, id order, at most
 * ZKR_EVAL_GROUP_MAX per opening.
 */
typedef struct {
    unsigned n_groups;
    unsigned n_vars[ZKR_EVAL_MAX_POLYS];
    unsigned n_polys[ZKR_EVAL_MAX_POLYS];
    unsigned poly[ZKR_EVAL_MAX_POLYS][ZKR_EVAL_GROUP_MAX];
} zkr_eval_groups;
void zkr_eval_groups_of(const zkr_eval_shape *s, zkr_eval_groups *g);

/*
 * The public output: u8 mode | u64 count (records in the range) | u64 value
 * (the number correct, or tau for a threshold statement), big-endian.
 */
#define ZKR_EVAL_OUTPUT_BYTES 17u
zkr_err zkr_eval_output_encode(unsigned mode, uint64_t count, uint64_t value,
                               zkr_buf *out) ZKR_WUR;
/* Strict decode: mode 0/1, value <= count. ZKR_OK or ZKR_ERR_MALFORMED. */
zkr_err zkr_eval_output_decode(const uint8_t *p, size_t len, unsigned *mode, uint64_t *count,
                               uint64_t *value) ZKR_WUR;

/*
 * Range proof for the leaves [first, first + count) of the RFC 6962 tree of
 * n leaves: the roots of the maximal subtrees outside the range, in the
 * left-to-right order of a recursive MTH walk (at most 2 log2 n).
 * ZKR_ERR_USAGE (empty or out-of-bounds range), ZKR_ERR_NOMEM.
 */
#define ZKR_EVAL_MAX_BOUNDARY (2u * ZKR_MERKLE_MAX_DEPTH)
zkr_err zkr_eval_range_proof(const uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t n,
                             uint64_t first, uint64_t count,
                             uint8_t out[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES],
                             size_t *n_out) ZKR_WUR;
/*
 * The root from the range's leaves (count of them) and exactly n_bound
 * boundary hashes. ZKR_OK, ZKR_ERR_VERIFY (a count of boundary hashes other
 * than the walk's), ZKR_ERR_USAGE (bad range).
 */
zkr_err zkr_eval_range_root(const uint8_t (*range_leaves)[ZKR_DIGEST_BYTES], uint64_t n,
                            uint64_t first, uint64_t count,
                            const uint8_t (*bound)[ZKR_DIGEST_BYTES], size_t n_bound,
                            uint8_t root[ZKR_DIGEST_BYTES]) ZKR_WUR;

/* Seeds an evaluation@1 transcript (format version 1) and absorbs the statement section. */
void zkr_eval_transcript(zkr_transcript *t, const zkr_params *p,
                         const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                         size_t stmt_len);
/* The same for a given format version (1 or 2; the version seeds the transcript). */
void zkr_eval_transcript_v(zkr_transcript *t, const zkr_params *p, unsigned version,
                           const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                           size_t stmt_len);

/*
 * Format version 2's openings (docs/proof-system.md, "evaluation@1 format
 * version 2"): every polynomial that can join a mixed-size opening with
 * the largest (zkr_pcs_mixed_ok) is in one (mixed[id] = 1, ids
 * ascending); the others are grouped as zkr_eval_groups_of does, after it.
 * Returns how many polys the mixed opening has.
 */
unsigned zkr_eval_open_plan(const zkr_eval_shape *s, const zkr_params *p,
                            uint8_t mixed[ZKR_EVAL_MAX_POLYS], zkr_eval_groups *g);

/* ================================================================== */
/* inference@2: hiding inference (zk/infer2.c)                          */
/* ================================================================== */
/*
 * docs/proof-system.md, "inference@2". inference@1's relations (matmul,
 * requantisation with clamp flags, byte-limb range checks) proven in zero
 * knowledge: the model's W' = [W | b | M] per layer, the input record, every
 * intermediate value and (optionally) the output stay behind hiding
 * commitments. Public: the program (dimensions, activations), the layer
 * shifts, the blinding sizes, the dataset commitment and record index, and
 * the output when the statement says public_output.
 *
 * Proof: header kind ZKR_KIND_INFERENCE2, then exactly sections
 *   1  STATEMENT       the statement echo (compared with the caller's values)
 *   14 INF2_WITNESS    V's root (the hidden witness), the Libra mask's C root
 *   13 ZK_RANGE        the hiding range proof of every entry of V in 0..255
 *   15 INF2_SUMCHECK   gamma, the batched degree-7 sumcheck, revealed values
 *   28 INF2_OPENINGS   the claim reduction, then (version 6) one mixed hiding opening
 *   29 INF2_COEF       g(r) = <C, Lambda(r)>: masked linear sumcheck, C's opening
 */
#define ZKR_INFER2_PROTOCOL "zkreg/inference@2"
/*
 * 2: the claim reduction and batched openings; 3: record bytes range-proven;
 * 4: hiding openings with the byte-optimised fold schedule; 5: the range
 * proof's claims in the reduction, one C for the three masks (4 openings);
 * 6: the record's claim in the reduction, every polynomial on a suffix of
 * r_A, one mixed-size hiding opening for all of them (2 openings with C's),
 * the verifier's factorisation check of the hiding openings' round
 * messages, the query count from the better of the UD and JBR figures;
 * 7: the mixed opening's mask Z depends on x_a0.. only (one value a
 * layer-0 leaf; docs/proof-system.md, 3c); 8: V, h, phi, m with fitted
 * leaves; 9: h and phi one stacked tree; 10: V and m one stacked tree
 * (m committed with V, the opening's members with m right after V);
 * 11: C and its opening's mask one tree; 12: C's opening folds
 * ZKR_INFER2_C_FOLD_ARITY (3) rounds a layer (zk/infer2_int.h); 13: the
 * mixed opening's mask nested under the V-m pair's leaves
 * (zkr_infer2_nest_h: no mask root, Z's opening three levels deep);
 * 14: for a model commitment of version 4 (ZKR_INFER2_MC_VERSION_STACK),
 * W'_0..W'_{L-1} are one stacked group, opened once a query for every
 * layer (zkr_infer2_w_stack_mask; versions 2 and 3 keep one tree a layer);
 * 15: each opened leaf of the mixed opening's folded layers leaves out the
 * value its first query derives (the verifier puts it back before hashing).
 */
#define ZKR_INFER2_VERSION 15u
#define ZKR_KIND_INFERENCE2 6u
#define ZKR_SEC_INF2_WITNESS 14u
#define ZKR_SEC_INF2_SUMCHECK 15u
#define ZKR_SEC_INF2_OPENINGS 28u
#define ZKR_SEC_INF2_COEF 29u
#define ZKR_INFER2_DEGREE 7u /* per-round degree of the batched sumcheck */
/* Hiding openings of one layer's W' per proof (W'(rk, rj) and M(rj) = W'(in_dim + 1, rj)). */
#define ZKR_INFER2_W_OPENINGS 2u
/* Openings the fresh output commitment is blinded for (the proof uses one). */
#define ZKR_INFER2_OUTPUT_BUDGET 4u

/*
 * The model commitment, version 2 (hiding), the bytes the registry binds
 * (big-endian): "ZKRMC2\0\0" | u32 version 2 | program_digest[32] |
 * u32 n_layers | n_layers x (u32 shift | u32 n | u32 e | root[32]), where
 * layer l's W' has n = lm + lk variables behind a hiding commitment with e
 * blinding variables (zkr_hpcs_commitment, base-valued), committed at
 * parameter set 1. Version 3, for any other set (whose rate the roots'
 * codewords have): u32 version 3 | u32 param_set after the magic, the
 * rest as version 2. Set 1 is always version 2 or 4. Version 4 (stacked,
 * any set; inference@2 version 14): u32 version 4 | u32 param_set |
 * program_digest[32] | u32 n_layers | n_layers x (u32 shift | u32 n | u32
 * e) | root[32]: every layer's W' of one size n + e = T, committed as ONE
 * stacked group (zkr_prover_hcommit_stack_pool: each leaf one salt, then
 * layer 0's 2^a0 codeword entries, layer 1's, ...), 2 <= n_layers and
 * n_layers 2^a0 <= ZKR_MT_MAX_LEAF_WORDS (a0 the T-variable layout's
 * folds[0]; zkr_infer2_mc_stack_fits). Versions 2 and 3 (one tree a
 * layer) still decode, prove and verify as before (inference@2 proofs for
 * them keep one tree a layer); new commitments are version 4 where the
 * layers can stack.
 */
#define ZKR_INFER2_MC_VERSION 2u
#define ZKR_INFER2_MC_VERSION_SET 3u
#define ZKR_INFER2_MC_VERSION_STACK 4u
#define ZKR_INFER2_MC_MAX_BYTES (52u + 44u * ZKR_INFER_MAX_LAYERS)
typedef struct {
    uint32_t param_set; /* the set its codewords were made at (0 encodes as 1) */
    uint32_t stacked;   /* 1: version 4, every w[l].root the group's one root */
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    uint32_t n_layers;
    uint32_t shifts[ZKR_INFER_MAX_LAYERS];
    zkr_hpcs_commitment w[ZKR_INFER_MAX_LAYERS];
} zkr_infer2_model_commitment;
/*
 * Appends the encoding (version 4 when mc->stacked). ZKR_ERR_USAGE
 * (n_layers 0 or too many, unknown set; stacked with layers of different
 * sizes or roots, or a group that zkr_infer2_mc_stack_fits refuses), NOMEM.
 */
zkr_err zkr_infer2_mc_encode(const zkr_infer2_model_commitment *mc, zkr_buf *out) ZKR_WUR;
/*
 * Whether n_layers W' of total = n + e variables each can be one stacked
 * group (version 4): 2..ZKR_HPCS_MAX_STACK layers, total within max_vars,
 * the group's leaf within ZKR_MT_MAX_LEAF_WORDS.
 */
int zkr_infer2_mc_stack_fits(const zkr_params *p, uint32_t n_layers, unsigned total);
/*
 * Strict decode: magic, version (2, 3 with a known set other than 1, or 4
 * with a known set), 1..16 layers, shifts 1..48, 1 <= e <=
 * ZKR_HPCS_MAX_BLIND_VARS, n + e <= p->max_vars, no trailing bytes;
 * version 4 also every layer of one n + e and a group that
 * zkr_infer2_mc_stack_fits takes (so a layer count that disagrees with
 * the leaf width is refused), the one root copied to every w[l].root.
 * Shapes are checked against the program by the verifier. ZKR_OK,
 * MALFORMED, or MISMATCH_PARAMS when the well-formed head names another
 * set than p's.
 */
zkr_err zkr_infer2_mc_decode(const zkr_params *p, const uint8_t *in, size_t len,
                             zkr_infer2_model_commitment *out) ZKR_WUR;
/* The set a model commitment's head names (version 2: 1). ZKR_OK or MALFORMED. */
zkr_err zkr_infer2_mc_param_set(const uint8_t *in, size_t len, uint32_t *set) ZKR_WUR;
/* The registry's model commitment column: SHA-256("zkreg/model-commitment/v2\0" || encoding). */
void zkr_infer2_mc_digest(const uint8_t *enc, size_t len, uint8_t out[ZKR_DIGEST_BYTES]);

/*
 * The hidden output's commitment (public_output false), 48 bytes: u32
 * version 1 | u32 out_dim | u32 n | u32 e | root[32], big-endian; the int8
 * logits y_0..y_{out_dim-1} (field images of the signed values, zero-padded)
 * as an n-variable multilinear, n = max(1, log2_ceil(out_dim)), behind a
 * hiding commitment blinded for ZKR_INFER2_OUTPUT_BUDGET openings.
 */
#define ZKR_INFER2_OUTPUT_COMMIT_BYTES 48u
typedef struct {
    uint32_t out_dim;
    zkr_hpcs_commitment comm;
} zkr_infer2_output_commitment;
void zkr_infer2_oc_encode(const zkr_infer2_output_commitment *oc,
                          uint8_t out[ZKR_INFER2_OUTPUT_COMMIT_BYTES]);
/* Strict decode (version, n from out_dim, e and n + e bounds). ZKR_OK or MALFORMED. */
zkr_err zkr_infer2_oc_decode(const zkr_params *p, const uint8_t *in, size_t len,
                             zkr_infer2_output_commitment *out) ZKR_WUR;

/*
 * The dataset commitment an inference@2 statement binds: an RFC 6962 root
 * over leaf_i = SHA-256(0x00 || "zkreg/dataset-record/hpc1" || 0x00 ||
 * C_i) with C_i record i's 48-byte hiding record commitment
 * (zkr_record_commitment_encode), and the commitment
 * SHA-256("zkreg/dataset-commitment/hpc1\0" || u64 n || root). (The version 2
 * dataset commitment of common/dscommit.c hashes the record bytes with a
 * salt, which no proof here can open without revealing the record.)
 */
void zkr_infer2_record_leaf(const uint8_t c[ZKR_RECORD_COMMIT_BYTES], uint8_t out[ZKR_DIGEST_BYTES]);
void zkr_infer2_dataset_commitment(uint64_t n, const uint8_t root[ZKR_DIGEST_BYTES],
                                   uint8_t out[ZKR_DIGEST_BYTES]);

/*
 * Soundness of an inference@2 proof for a model commitment: every opening's
 * query phase (union bound), the commit-phase and algebraic terms (the
 * batched sumcheck, the zero-check points, the batching scalars, the range
 * proof). Filled from the parameters and the shapes; rec_total is the
 * record commitment's n + e (version 6: the record joins the mixed
 * opening), 0 for the worst over every e a record commitment may carry;
 * *n_openings (may be NULL) gets the number of hiding openings of one
 * proof.
 */
zkr_soundness zkr_infer2_soundness(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                                   uint32_t input_dim, const uint32_t *out_dims,
                                   int public_output, unsigned rec_total, unsigned *n_openings);
/*
 * Version 13: the height at which a proof for this model commitment and
 * record size (rec_total: the record commitment's n + e, non-zero) nests
 * the mixed opening's mask under the V-m pair's leaves, at the query count
 * zkr_infer2_params picks; 0 where the mask keeps its own tree (V not at
 * least 2^folds[0] times smaller than T_A, or not stacked with m) or no
 * count reaches the target.
 */
unsigned zkr_infer2_nest_of(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                            uint32_t input_dim, const uint32_t *out_dims, int public_output,
                            unsigned rec_total);

#endif
