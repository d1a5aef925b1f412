/*
 * evaluation-graph@1 (proof kind 12): graph-inference@1's relations over a
 * batch of records (docs/proof-system.md, "evaluation-graph@1"). One V
 * holds every record's tensors and witness (record b of node i at (b <<
 * lp) | p in each block, zk/ginfer.h zkr_ginf_shape.lb); every relation
 * runs once per node over the whole batch (a convolution's sumcheck over
 * the input folded at the batch challenge). The batch is padded to B =
 * 2^lb records with all-zero inputs, computed like any other record.
 *
 * Each record's argmax and the number correct are proven with
 * evaluation@1's relations (prover/evaluation_int.h) over an argmax block
 * A in V; the outputs are not published, only the count (or a threshold
 * under it). Not on the CLI yet.
 */
#ifndef ZKR_ZK_GEVAL_H
#define ZKR_ZK_GEVAL_H

#include "zk/ginfer.h"

#define ZKR_GEVAL_PROTOCOL "zkreg/evaluation-graph@1"
/*
 * 2: graph-inference@1 version 5's P layout (split weight blocks and their
 *    "ginf-wsub" values in the body), and the argmax and count proven in
 *    the body instead of every record's outputs in section 34.
 */
#define ZKR_GEVAL_VERSION 2u
#define ZKR_KIND_GEVAL1 12u
#define ZKR_SEC_GEVAL_OUTPUT 34u /* zkr_geval_output_encode */
#define ZKR_SEC_GEVAL_BODY 35u   /* u32 ZKR_GEVAL_VERSION, V's root, the relations node by node */
#define ZKR_SEC_GEVAL_PCS 36u    /* the opening of V and P (zkr_ginf_one_opening) */
/*
 * The record-count limit: a larger batch is ZKR_ERR_TOO_LARGE ("records:
 * ... over the limit"). The layout may refuse a smaller one for a larger
 * program (V over max_vars: ZKR_ERR_UNSUPPORTED).
 */
#define ZKR_GEVAL_MAX_LB 10u
#define ZKR_GEVAL_MAX_RECORDS (1u << ZKR_GEVAL_MAX_LB)

/* log2 of the padded batch for n records (0 for n <= 1). */
unsigned zkr_geval_lb(uint32_t n);

/*
 * The statement's binding, the head of the output section (all of it
 * seeds the transcript): the dataset (n records, RFC 6962 root R), the
 * record range [first, first + count), evaluation@1's range proof (the
 * boundary hashes, zkr_eval_range_proof), the public output (mode
 * ZKR_EVAL_MODE_EXACT: value = correct; ZKR_EVAL_MODE_THRESHOLD: value =
 * tau <= correct) and the count the proof claims.
 */
typedef struct {
    uint64_t n;
    uint8_t root[ZKR_DIGEST_BYTES];
    uint64_t first, count;
    uint32_t n_bound;
    uint8_t bound[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES];
    uint8_t mode;
    uint64_t value;
    uint64_t correct;
} zkr_geval_binding;

/*
 * The output section, big-endian: u64 n | R | u64 first | u64 count | u32
 * n_bound | n_bound hashes | u8 mode | u64 value | u64 correct | u32 B (the
 * padded batch) | u32 ne (output elements per record). The outputs are
 * not published: their argmax and the count are proven (zkr_prover_geval).
 * out is cleared first. ZKR_ERR_USAGE (n_bound over ZKR_EVAL_MAX_BOUNDARY),
 * ZKR_ERR_NOMEM.
 */
zkr_err zkr_geval_output_encode(const zkr_geval_binding *b, uint32_t bsz, uint32_t ne,
                                zkr_buf *out) ZKR_WUR;
/*
 * Strict decode: 1 <= count <= ZKR_GEVAL_MAX_RECORDS, first + count <= n,
 * mode 0 or 1, value and correct <= count (exact: value = correct), B =
 * 2^zkr_geval_lb(count), ne = want_ne, the exact length. ZKR_OK or
 * ZKR_ERR_MALFORMED.
 */
zkr_err zkr_geval_output_decode(const uint8_t *p, size_t len, uint32_t want_ne,
                                zkr_geval_binding *b) ZKR_WUR;
/* The first maximal index of y[0..n) (native inference's argmax). */
uint32_t zkr_geval_argmax(const int8_t *y, uint32_t n);

/*
 * A batched convolution's claims on its folded input (zk/cnn.h POLY_X, lx
 * variables) become claims on the batch's tensor: rb (lb values) appended.
 * ZKR_ERR_INTERNAL for a claim of another size.
 */
zkr_err zkr_geval_extend_x(zkr_cnn_claims *cl, unsigned lx, const zkr_ext *rb,
                           unsigned lb) ZKR_WUR;

/*
 * evaluation-graph@1's provable soundness for the batch layout s (from
 * zkr_ginf_shape_init_batch over program g) at parameter set p, computed
 * from the parameters: the union bound over every random-challenge error
 * (each node's relations, the range and argmax-block LogUps, the argmax
 * zero-check with its one-hot and broadcast checks, the count sumcheck,
 * each at its degree and variable count with the batch's lb variables;
 * zkr_cnn_relation_error_bits) and the opening of V and P
 * (zkr_params_soundness_open: one mixed opening, or two where
 * zkr_ginf_one_opening says so, each with up to ZKR_GINF_MAX_CLAIMS
 * claims). docs/soundness.md, "evaluation-graph@1", lists the terms.
 */
zkr_soundness zkr_geval_soundness(const zkr_params *p, const zkr_ginf_shape *s,
                                  const zkr_ml_gprog *g);

#endif
