/* training-step@1: the witness layout, commitment and transcript shared by prover and verifier. */
#include <string.h>

#include "zk/zk_int.h"

zkr_gl zkr_train_pow2(unsigned e)
{
    return zkr_gl_canon((uint64_t)1 << e);
}

typedef zkr_blk blk;

/* Places blocks by decreasing size so that each is aligned to its size. */
unsigned zkr_blocks_place(zkr_blk *b, size_t n)
{
    uint64_t at = 0;

    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && b[j - 1].log < b[j].log; j--) {
            blk t = b[j];
            b[j] = b[j - 1];
            b[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        *b[i].off = at;
        at += (uint64_t)1 << b[i].log;
    }
    return zkr_log2_ceil(at ? at : 1);
}

zkr_err zkr_train_shape_of(uint32_t n_layers, const uint32_t *dims, uint32_t batch,
                           unsigned max_vars, zkr_train_shape *s, zkr_diag *d)
{
    blk b[(1 + ZKR_TU_N) * ZKR_TRAIN_MAX_LAYERS];
    size_t nb = 0;

    memset(s, 0, sizeof *s);
    if (n_layers < 2 || n_layers > ZKR_TRAIN_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@1: %u layers, supported 2..%u",
                        n_layers, ZKR_TRAIN_MAX_LAYERS);
    if (batch == 0 || batch > ZKR_TRAIN_MAX_BATCH)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@1: batch %u, supported 1..%u",
                        batch, ZKR_TRAIN_MAX_BATCH);
    s->n_layers = n_layers;
    s->batch = batch;
    s->lb = zkr_log2_ceil(batch);
    for (uint32_t l = 0; l < n_layers; l++) {
        s->in[l] = dims[l];
        s->out[l] = dims[l + 1];
        if (dims[l] == 0 || dims[l + 1] == 0 || dims[l] > 4096 || dims[l + 1] > 4096)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@1: layer %u width", l);
        if (l + 1 < n_layers && (dims[l + 1] & (dims[l + 1] - 1)) != 0)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "training-step@1: hidden width %u of layer %u is not a power of two",
                            dims[l + 1], l);
        s->lm[l] = zkr_log2_ceil(dims[l + 1]);
        s->lk[l] = zkr_log2_ceil((uint64_t)dims[l] + 1);
        s->grp_log[l] = s->lb + s->lm[l] + (l + 1 < n_layers ? ZKR_TS_HIDDEN_LOG : ZKR_TS_OUT_LOG);
        b[nb++] = (blk){s->grp_log[l], &s->grp_off[l]};
        for (unsigned u = 0; u < ZKR_TU_N; u++)
            b[nb++] = (blk){s->lm[l] + s->lk[l], &s->upd_off[l][u]};
        if (s->lm[l] + s->lk[l] > max_vars)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@1: layer %u too large", l);
    }
    s->n_v = zkr_blocks_place(b, nb);
    if (s->n_v < ZKR_TRAIN_TABLE_LOG)
        s->n_v = ZKR_TRAIN_TABLE_LOG;
    if (s->n_v > max_vars)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@1: witness of 2^%u entries, at "
                        "most 2^%u", s->n_v, max_vars);
    if (zkr_train_n_claims(s) > ZKR_TRAIN_MAX_CLAIMS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@1: %zu evaluation claims, at most "
                        "%u", zkr_train_n_claims(s), ZKR_TRAIN_MAX_CLAIMS);
    return ZKR_OK;
}

void zkr_train_block_point(const zkr_train_shape *s, uint64_t off, unsigned blog, zkr_ext *pt)
{
    uint64_t blk_idx = off >> blog;

    for (unsigned i = blog; i < s->n_v; i++)
        pt[i] = zkr_ext_from((blk_idx >> (i - blog)) & 1);
}

void zkr_train_model_commitment(const uint8_t program_digest[ZKR_DIGEST_BYTES], uint32_t n_layers,
                                const zkr_pcs_commitment *roots, uint8_t out[ZKR_DIGEST_BYTES])
{
    static const char tag[] = "zkreg/tmodel-commitment/v1";
    zkr_sha256_ctx c;
    uint8_t w[4];

    zkr_sha256_init(&c);
    zkr_sha256_update(&c, (const uint8_t *)tag, sizeof tag);
    zkr_sha256_update(&c, program_digest, ZKR_DIGEST_BYTES);
    zkr_store_be32(w, n_layers);
    zkr_sha256_update(&c, w, 4);
    for (uint32_t l = 0; l < n_layers; l++) {
        zkr_store_be32(w, roots[l].n_vars);
        zkr_sha256_update(&c, w, 4);
        zkr_sha256_update(&c, roots[l].root, ZKR_DIGEST_BYTES);
    }
    zkr_sha256_final(&c, out);
}

void zkr_train_transcript(zkr_transcript *t, const zkr_params *p,
                          const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                          size_t stmt_len)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_TRAIN_PROTOCOL, ZKR_TRAIN_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd,
                statement_id);
    zkr_ts_absorb(t, "tr-statement", stmt, stmt_len);
}

unsigned zkr_train_poly_vars(const zkr_train_shape *s, unsigned id)
{
    uint32_t L = s->n_layers;

    if (id < 2 * L)
        return s->lm[id % L] + s->lk[id % L];
    return id == 2 * L ? s->n_v : ZKR_TRAIN_TABLE_LOG;
}

/*
 * LogUp: 2 (V, M). Update of layer l: W, W', the ZKR_TU_N blocks, delta's two
 * limbs, h_{l-1} for l > 0. Hidden layer l: the group, W and h_{l-1} (l > 0)
 * of the forward product, delta's limbs and W of the backward one. Output:
 * the group, W, h_{L-2}. In all 2 + (9L + L - 1) + (5(L-1) + L - 2) + 3.
 */
size_t zkr_train_n_claims(const zkr_train_shape *s)
{
    size_t L = s->n_layers;

    return L < 2 ? 0 : 16 * L - 3;
}
