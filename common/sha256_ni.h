/* SHA-256 compression with the x86 SHA extensions (internal to common/). */
#ifndef ZKR_SHA256_NI_H
#define ZKR_SHA256_NI_H

#include <stddef.h>
#include <stdint.h>

/* 1 when this CPU has SHA-NI, SSE4.1 and SSSE3 (zkr_sha256_ni_blocks may run). */
int zkr_sha256_ni_available(void);

/* SHA-256's compression of n_blocks 64-byte blocks at p into the state st
 * (H0..H7 as FIPS 180-4 numbers them). Only when zkr_sha256_ni_available(). */
void zkr_sha256_ni_blocks(uint32_t st[8], const uint8_t *p, size_t n_blocks);

#endif
