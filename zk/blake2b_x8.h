/*
 * Eight BLAKE2b-256 digests side by side (AVX-512 lanes), for the Merkle
 * trees' leaves and nodes: each equals crypto_generichash_blake2b of its
 * message with a 32-byte output, no key, a zero salt and the 16-byte
 * personalization pers. Call the hashing functions only where
 * zkr_b2b_x8_available() says 1 (else they do nothing).
 */
#ifndef ZKR_ZK_BLAKE2B_X8_H
#define ZKR_ZK_BLAKE2B_X8_H

#include <stddef.h>
#include <stdint.h>

/* 1 when this CPU and OS run AVX-512F code; the answer is fixed for the process. */
int zkr_b2b_x8_available(void);
/*
 * out[i] = H(salt_i || le64 words[i stride .. i stride + n)) for i < 8;
 * salts: eight 16-byte salts back to back (128 bytes); n >= 1.
 */
void zkr_b2b_x8_leaves(const uint8_t pers[16], const uint8_t *salts, const uint64_t *words,
                       size_t stride, size_t n, uint8_t (*out)[32]);
/* out[i] = H(in[64 i .. 64 i + 64)) for i < 8 (512 bytes in). */
void zkr_b2b_x8_64(const uint8_t pers[16], const uint8_t *in, uint8_t (*out)[32]);

#endif
