/*
 * The input layout of fuzz_infer2_proof (shared with fuzz/gen_corpus.c).
 * Integers little-endian:
 *   statement_id[32] | param_set u32 | program_digest[32] |
 *   model_commitment[32] | dataset_commitment[32] | record_index u64 |
 *   public_output u32 (0 or 1) | output_len u32 | output | proof file
 * i.e. what zkreg takes from the registry for an inference@2 statement,
 * then the untrusted proof.
 */
#ifndef ZKR_FUZZ_INFER2_PROOF_H
#define ZKR_FUZZ_INFER2_PROOF_H

#define ZKR_FUZZ_INFER2_HEADER (32 + 4 + 32 + 32 + 32 + 8 + 4 + 4)
#define ZKR_FUZZ_INFER2_MAX_OUTPUT 4096u
/* A proof of even the smallest model is a few MB (hiding openings): over fuzz.h's 1 MiB. */
#define ZKR_FUZZ_INFER2_MAX_INPUT ((size_t)1 << 23)

#include <string.h>

#include "fuzz/fuzz.h"
#include "verifier/verifier.h"

/*
 * The statement of an input (st) and where its proof starts (*off): 1, or
 * 0 where the header is short or out of range (the harness skips those).
 */
static inline int zkr_fuzz_infer2_input(const uint8_t *data, size_t size,
                                        zkr_verifier_inference2_statement *st, size_t *off)
{
    uint32_t po, out_len;

    if (size > ZKR_FUZZ_INFER2_MAX_INPUT || size < ZKR_FUZZ_INFER2_HEADER)
        return 0;
    memset(st, 0, sizeof *st);
    memcpy(st->statement_id, data, 32);
    st->param_set = zkr_fuzz_ld32(data + 32);
    memcpy(st->program_digest, data + 36, 32);
    memcpy(st->model_commitment, data + 68, 32);
    memcpy(st->dataset_commitment, data + 100, 32);
    st->record_index = zkr_load_le64(data + 132);
    po = zkr_fuzz_ld32(data + 140);
    out_len = zkr_fuzz_ld32(data + 144);
    if (po > 1 || out_len > ZKR_FUZZ_INFER2_MAX_OUTPUT ||
        size - ZKR_FUZZ_INFER2_HEADER < out_len)
        return 0;
    st->public_output = (int)po;
    st->output = data + ZKR_FUZZ_INFER2_HEADER;
    st->output_len = out_len;
    *off = ZKR_FUZZ_INFER2_HEADER + out_len;
    return 1;
}

#endif
