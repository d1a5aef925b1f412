/*
 * fuzz: every harness defines only LLVMFuzzerTestOneInput, so one source
 * builds for libFuzzer, AFL++ (persistent mode through its libFuzzer
 * driver) and the replay main() in replay_main.c that CI runs.
 * Harnesses create and free their own context per input, cap the input
 * size, and are deterministic.
 */
#ifndef ZKR_FUZZ_H
#define ZKR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Inputs larger than this are ignored by every harness. */
#define ZKR_FUZZ_MAX_INPUT ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
