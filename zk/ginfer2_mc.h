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
 *   u32 n_entries | n_entries x ( u32 node | u32 op | payload(op) )
 * one entry per node that carries public parameters or a weight
 * commitment, nodes strictly increasing, op the node's ZKR_ML_GOP_* code;
 * the payload by op (zkr_ginf2_mc_op_has_entry is the one switch naming
 * the ops with an entry; a new op adds its case there, in the encoder,
 * the decoder and zkr_ginf2_mc_fit):
 *   CONV, DENSE: u32 shift | u32 cout | cout x u32 M | cout x i32 b |
 *                u32 n | u32 e | root[32]
 *     its requantization's shift, per-channel multipliers M (0..2^31-1)
 *     and biases b (|b| <= 2^30), all PUBLIC in this kind, and the hiding
 *     commitment of its weights W (n = zkr_cnn_conv_w_vars variables, e
 *     blinding variables);
 *   ADD:         u32 shift | u32 Ma | u32 Mb
 *     its public shift (1..48) and multipliers (0..2^31-1);
 *   LOOKUP:      T[256] (int8 bytes, T[x + 128], no shift)
 *     its PUBLIC table.
 * A depthwise CONV (groups = C_in) has the CONV entry (n: its depthwise
 * weight layout's variables). MAXPOOL, AVGPOOL and CONCAT have no
 * parameters (no entry). n_nodes counts node 0 (the record). The format
 * changed (ADD, then LOOKUP entries) before graph-inference@2 version 3
 * was released: the magic's version stays 2.
 */
#define ZKR_GINFER2_MC_VERSION 2u
#define ZKR_GINFER2_MC_MAX_BYTES (1u << 20)
typedef struct {
    uint8_t program_digest[ZKR_DIGEST_BYTES];
    uint32_t n_nodes;                            /* the program's, node 0 included */
    uint8_t op[ZKR_GINF2_NET_MAX_NODES];         /* an entry's ZKR_ML_GOP_*; 0: no entry */
    uint32_t shift[ZKR_GINF2_NET_MAX_NODES];     /* CONV / DENSE / ADD */
    uint32_t cout[ZKR_GINF2_NET_MAX_NODES];      /* CONV / DENSE */
    int64_t *m[ZKR_GINF2_NET_MAX_NODES];         /* cout entries; owned (zkr_ginf2_mc_clear) */
    int64_t *b[ZKR_GINF2_NET_MAX_NODES];         /* cout entries; owned */
    zkr_hpcs_commitment w[ZKR_GINF2_NET_MAX_NODES];
    int64_t add_m[ZKR_GINF2_NET_MAX_NODES][2];   /* ADD: {Ma, Mb} */
    int64_t t[ZKR_GINF2_NET_MAX_NODES][256];     /* LOOKUP: T[x + 128], -128..127 */
} zkr_ginf2_mc;

/*
 * The per-op entry switch: whether a node of this op carries an entry
 * (CONV, DENSE, ADD, LOOKUP). Encoder, decoder and fit follow it.
 */
static inline int zkr_ginf2_mc_op_has_entry(uint8_t op)
{
    switch (op) {
    case ZKR_ML_GOP_CONV:
    case ZKR_ML_GOP_DENSE:
    case ZKR_ML_GOP_ADD:
    case ZKR_ML_GOP_LOOKUP: return 1;
    default: return 0; /* MAXPOOL, AVGPOOL, CONCAT: no parameters */
    }
}

/* Whether node i's entry is a weight commitment (CONV / DENSE). */
static inline int zkr_ginf2_mc_has_w(const zkr_ginf2_mc *mc, uint32_t i)
{
    return mc->op[i] == ZKR_ML_GOP_CONV || mc->op[i] == ZKR_ML_GOP_DENSE;
}

/* Frees the owned arrays and zeroes mc. Accepts a zeroed mc. */
void zkr_ginf2_mc_clear(zkr_ginf2_mc *mc);
/*
 * Appends the encoding of the entries mc->op names. ZKR_ERR_USAGE (no
 * weight entry, an op without an entry, a node out of range, a value out
 * of the bounds above, an entry without arrays), NOMEM.
 */
zkr_err zkr_ginf2_mc_encode(const zkr_ginf2_mc *mc, zkr_buf *out) ZKR_WUR;
/*
 * Strict decode: magic, version 2, 2 <= n_nodes <= ZKR_GINF2_NET_MAX_NODES,
 * 1 <= n_entries < n_nodes, at least one CONV / DENSE entry, nodes
 * strictly increasing in 1..n_nodes-1, an op with an entry, shifts 1..48
 * (not LOOKUP's: it has none; its 256 table bytes are any int8),
 * 1 <= cout <= ZKR_CNN_MAX_DIM, M (ADD: Ma, Mb) and b in bounds, 1 <= e <=
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
 * the program digest, the node count, an entry exactly for each node
 * whose op has one (zkr_ginf2_mc_op_has_entry), of that node's op, cout
 * the node's channels, n its weight commitment's variables
 * (zkr_cnn_conv_w_vars of zkr_ginf2_net_init's conv), no root named
 * twice. Fills mp with pointers into mc (mc must outlive mp): CONV /
 * DENSE m, b, shift; ADD m = {Ma, Mb}, shift; LOOKUP t (the table).
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
