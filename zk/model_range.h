/*
 * The private model's range proof (docs/proof-system.md, "Private model
 * range proof"; docs/formats.md, "Model range proof"): a hiding proof that
 * every entry of every layer's W' = [W | b | M] behind a version 2 model
 * commitment (zk/zk.h, "inference@2") is the field image of an integer in
 * its documented range, bound to that commitment's digest and roots:
 *
 *   W'(k, j), j < out_dim, k < in_dim:   -127 .. 127       (int8 weights)
 *   W'(in_dim, j), j < out_dim:          -2^30 .. 2^30     (bias)
 *   W'(in_dim + 1, j), j < out_dim:      0 .. 2^31 - 1     (multiplier M)
 *   every other (padding) entry:          0
 *
 * Per layer: a fresh hiding commitment to D(x, l), the 8 byte limbs of
 * A = v - lo (l < 4) and B = hi - v (l >= 4) of each entry v = W'(x); the
 * hiding range proof (masked LogUp) of every entry of D in 0..255, whose
 * batched sumcheck also carries the zero-check of both decompositions with
 * W' as a hidden term (zkr_zkrange_link): W' is opened once, at a point
 * with a blinding coordinate. The model owner proves at `zkreg model
 * commit`; the appliance verifies at `register-model --commitment` and
 * again before it signs an inference@2 proof (`attest`).
 *
 * Every hiding opening of the proof (D's two, W''s) grinds
 * zkr_mrange_grind_bits more proof-of-work bits than the parameter set's,
 * computed from the parameters and the commitment's shapes so that the
 * union bound over the 3 L openings reaches the set's target (version 3).
 *
 * File (big-endian): "ZKRMRP1\0" | u32 version 3 | u32 param set |
 * commitment digest[32] (zkr_infer2_mc_digest) | u32 n_layers |
 * n_layers x (D root[32] | u32 len | range proof[len]).
 */
#ifndef ZKR_ZK_MODEL_RANGE_H
#define ZKR_ZK_MODEL_RANGE_H

#include "common/common.h"
#include "zk/zk.h"

#define ZKR_MRANGE_PROTOCOL "zkreg/model-range@1"
/*
 * 2: hiding openings with the byte-optimised fold schedule; 3: the openings
 * grind zkr_mrange_grind_bits extra bits (>= the target's provable bits);
 * 4: the factorisation check of the hiding openings' round messages, the
 * openings (and D's blinding) at zkr_mrange_open_params' query count, each
 * opening's figure the better of UD and JBR (zk/ldr.h).
 */
#define ZKR_MRANGE_VERSION 4u
/* The most extra grinding bits a proof may need (a 16-layer model needs 6). */
#define ZKR_MRANGE_MAX_EXTRA_POW 12u
#define ZKR_MRANGE_MAGIC "ZKRMRP1\0"
/* D's limb variables: 8 byte limbs per entry (4 of v - lo, 4 of hi - v). */
#define ZKR_MRANGE_LIMB_VARS 3u
/* Openings of each layer's W' one range proof consumes. */
#define ZKR_MRANGE_W_OPENINGS 1u
/* Hiding openings per layer: the range proof's two and W''s. */
#define ZKR_MRANGE_OPENINGS_PER_LAYER 3u
/* The largest file read (a 16-layer model of 2^25-entry W' is far below). */
#define ZKR_MRANGE_MAX_BYTES (64u << 20)
#define ZKR_MRANGE_W_MAX 127
#define ZKR_MRANGE_B_MAX ((int64_t)1 << 30)
#define ZKR_MRANGE_M_MAX (((int64_t)1 << 31) - 1)

/* The program's layer dimensions (from the registered program, never the prover). */
typedef struct {
    uint32_t n_layers;
    uint32_t in_dim[ZKR_INFER_MAX_LAYERS];
    uint32_t out_dim[ZKR_INFER_MAX_LAYERS];
} zkr_mrange_dims;

/* The range [lo, hi] of W'(k, j) in a layer of in_dim x out_dim (table above). */
void zkr_mrange_bounds(uint32_t in_dim, uint32_t out_dim, uint64_t k, uint64_t j, int64_t *lo,
                       int64_t *hi);

/*
 * Verifies a model range proof file against the version 2 model commitment
 * bytes mc_enc and the program's dimensions: strict decoding (magic,
 * version, parameter set, the commitment digest equal to mc_enc's, layer
 * count, every length, no trailing bytes), each W''s variables lk + lm for
 * its dimensions, and every layer's range proof, each opening at
 * zkr_mrange_grind_bits extra grinding bits. ZKR_OK; ZKR_ERR_UNSUPPORTED
 * (a version 1 or 2 file, refused by name), ZKR_ERR_MALFORMED
 * (the file), ZKR_ERR_MISMATCH_MODEL (a proof for another commitment),
 * ZKR_ERR_MISMATCH_PROGRAM (dimensions), ZKR_ERR_VERIFY (a check failed;
 * the diag names the layer), ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM.
 */
zkr_err zkr_mrange_verify(const zkr_params *p, const uint8_t *mc_enc, size_t mc_len,
                          const zkr_mrange_dims *dims, const uint8_t *proof, size_t proof_len,
                          zkr_diag *d) ZKR_WUR;

/*
 * The extra proof-of-work bits every hiding opening of mc's range proof
 * grinds: the smallest g in 0..ZKR_MRANGE_MAX_EXTRA_POW (and p->pow_bits +
 * g <= 32) whose figure (zkr_mrange_soundness) reaches p->target_bits, the
 * cap when none does. Prover and verifier both compute it from the
 * parameters and the commitment; it is not in the file.
 */
unsigned zkr_mrange_grind_bits(const zkr_params *p, const zkr_infer2_model_commitment *mc);
/* p with pow_bits raised by zkr_mrange_grind_bits: the openings' parameters. */
void zkr_mrange_open_params(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                            zkr_params *out);

/*
 * Soundness of a model range proof for mc (at its zkr_mrange_grind_bits):
 * every layer's three openings'
 * query phases (union bound) plus the algebraic and commit-phase terms of
 * each layer (zkr_zkrange_alg_error for D, the link's zero-check point z,
 * lambda and W''s opening). *n_openings (may be NULL) gets the openings.
 */
zkr_soundness zkr_mrange_soundness(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                                   unsigned *n_openings);
/* The same figure at `extra` grinding bits (what a version 2 proof, extra 0, had). */
zkr_soundness zkr_mrange_soundness_at(const zkr_params *p, const zkr_infer2_model_commitment *mc,
                                      unsigned extra, unsigned *n_openings);

/*
 * Test builds only (ZKR_TEST_BUILD): zkr_mrange_verify with the openings checked at `extra`
 * grinding bits instead of zkr_mrange_grind_bits (the grinding teeth check).
 */
zkr_err zkr_mrange_verify_at(const zkr_params *p, unsigned extra, const uint8_t *mc_enc,
                             size_t mc_len, const zkr_mrange_dims *dims, const uint8_t *proof,
                             size_t proof_len, zkr_diag *d) ZKR_WUR;

/* Shared by prover and verifier (zk/model_range.c). */
typedef struct {
    unsigned n, lk, lm;  /* W''s variables, k's, j's */
    unsigned nd, N, td;  /* D's variables (n + 3), the sumcheck's, D's committed total */
} zkr_mrange_layer_shape;
zkr_err zkr_mrange_layer_shape_of(const zkr_params *p, uint32_t in_dim, uint32_t out_dim,
                               zkr_mrange_layer_shape *s) ZKR_WUR;
void zkr_mrange_transcript(zkr_transcript *t, const zkr_params *p,
                           const uint8_t mc_digest[ZKR_DIGEST_BYTES], const uint8_t *mc_enc,
                           size_t mc_len);
/* lo~(z) - lambda hi~(z): the linked zero-check's public claim at z (n coordinates). */
zkr_ext zkr_mrange_claim(const zkr_mrange_layer_shape *s, uint32_t in_dim, uint32_t out_dim,
                         const zkr_ext *z, zkr_ext lambda);
/* c(l): 256^l for l < 4, lambda 256^(l-4) for l >= 4 (the zero-check's limb weights). */
zkr_ext zkr_mrange_limb_weight(unsigned l, zkr_ext lambda);

#endif
