/*
 * graph-inference@2 version 3 (docs/proof-system.md, "graph-inference@2",
 * "Model commitment" and "The record"; docs/formats.md, "graph-inference@2
 * model commitment"): the model commitment of a private graph model, the
 * bytes a registry binds, and the record's binding to a registered hiding
 * dataset (inference@2's hpc1 dataset commitment, the same 48-byte record
 * commitment in the flat layout).
 */
#ifndef ZKR_ZK_GINFER2_MC_H
#define ZKR_ZK_GINFER2_MC_H

#include "zk/ginfer2.h"

/*
 * The model commitment (big-endian), version 2 of the magic:
 *   "ZKRGM2\0\0" | u32 version 2 | program_digest[32] | u32 n_nodes |
 *   u32 n_weighted | n_weighted x (
 *     u32 node | u32 shift | u32 cout | cout x u32 M | cout x i32 b |
 *     u32 n | u32 e | root[32] )
 * one entry per CONV / DENSE node of the program, nodes strictly
 * increasing: its requantization's shift, per-channel multipliers M
 * (0..2^31-1) and biases b (|b| <= 2^30), all PUBLIC in this kind, and
 * the hiding commitment of its weights W (n = zkr_cnn_conv_w_vars
 * variables, e blinding variables). n_nodes counts node 0 (the record).
 */
#define ZKR_GINFER2_MC_VERSION 2u
#define ZKR_GINFER2_MC_MAX_BYTES (1u << 20)
typedef struct {
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    uint32_t n_nodes;                            /* the program's, node 0 included */
    uint8_t has_w[ZKR_GINF2_NET_MAX_NODES];      /* 1: an entry (CONV / DENSE) */
    uint32_t shift[ZKR_GINF2_NET_MAX_NODES];
    uint32_t cout[ZKR_GINF2_NET_MAX_NODES];
    int64_t *m[ZKR_GINF2_NET_MAX_NODES];         /* cout entries; owned (zkr_ginf2_mc_clear) */
    int64_t *b[ZKR_GINF2_NET_MAX_NODES];         /* cout entries; owned */
    zkr_hpcs_commitment w[ZKR_GINF2_NET_MAX_NODES];
} zkr_ginf2_mc;

/* Frees the owned arrays and zeroes mc. Accepts a zeroed mc. */
void zkr_ginf2_mc_clear(zkr_ginf2_mc *mc);
/*
 * Appends the encoding. ZKR_ERR_USAGE (no entry, a node out of range, a
 * value out of the bounds above, an entry without arrays), NOMEM.
 */
zkr_err zkr_ginf2_mc_encode(const zkr_ginf2_mc *mc, zkr_buf *out) ZKR_WUR;
/*
 * Strict decode: magic, version 2, 2 <= n_nodes <= ZKR_GINF2_NET_MAX_NODES,
 * 1 <= n_weighted, nodes strictly increasing in 1..n_nodes-1, shifts
 * 1..48, 1 <= cout <= ZKR_CNN_MAX_DIM, M and b in bounds, 1 <= e <=
 * ZKR_HPCS_MAX_BLIND_VARS, n + e <= p->max_vars, no two entries naming
 * the same root, no trailing bytes, at most ZKR_GINFER2_MC_MAX_BYTES.
 * Shapes against the program: zkr_ginf2_mc_fit. ZKR_OK, MALFORMED, NOMEM
 * (out is zeroed on failure; zkr_ginf2_mc_clear it after success).
 */
zkr_err zkr_ginf2_mc_decode(const zkr_params *p, const uint8_t *in, size_t len,
                            zkr_ginf2_mc *out) ZKR_WUR;
/*
 * The registry's model commitment column:
 * SHA-256("zkreg/graph-model-commitment/v2\0" || encoding).
 */
void zkr_ginf2_mc_digest(const uint8_t *enc, size_t len, uint8_t out[ZKR_DIGEST_BYTES]);
/*
 * Whether mc is a commitment for program g (zkr_ml_gprog_check passed):
 * the program digest, the node count, an entry exactly for each CONV /
 * DENSE node, cout the node's channels, n its weight commitment's
 * variables (zkr_cnn_conv_w_vars of zkr_ginf2_net_init's conv), no root
 * named twice. Fills mp with pointers into mc (mc must outlive mp).
 * ZKR_OK or ZKR_ERR_MISMATCH_MODEL (naming the node in d).
 */
zkr_err zkr_ginf2_mc_fit(const zkr_ml_gprog *g, const zkr_ginf2_mc *mc, zkr_ginf2_pub *mp,
                         zkr_diag *d) ZKR_WUR;

/*
 * The record: graph-inference@2 version 3 opens the record commitment of
 * a registered hiding dataset (zkr_infer2_dataset_commitment, zk/zk.h),
 * the same 48 bytes inference@2 opens: len = c h w + 1 (the input bytes
 * in the flat layout, index c H W + y W + x, then the label), n =
 * log2_ceil(len) variables. The first conv reads it through the flat link
 * (zkr_ginf2_cin.flat). Section 31 carries, after the version word and the
 * model commitment's encoding (u32 length | bytes): u64 n_records |
 * root[32] | u64 index | record commitment[48] | u32 path_len |
 * path_len x digest[32], then the fresh roots.
 */
static inline uint32_t zkr_ginf2_record_len(const zkr_ml_gprog *g)
{
    return g->nodes[0].c * g->nodes[0].h * g->nodes[0].w + 1u;
}

#endif
