/* evaluation-fixed@1: the witness layout and transcript shared by prover and verifier. */
#include <string.h>

#include "zk/eval_fixed.h"
#include "zk/zk_int.h"

zkr_err zkr_evalf_shape_of(uint32_t n_layers, const uint32_t *dims, uint64_t count,
                           unsigned max_vars, zkr_evalf_shape *s, zkr_diag *d)
{
    zkr_blk b[ZKR_EVALF_MAX_LAYERS + 2];
    size_t nb = 0;

    memset(s, 0, sizeof *s);
    if (n_layers < 2 || n_layers > ZKR_EVALF_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, ZKR_EVALF_NAME ": %u layers, supported 2..%u",
                        n_layers, ZKR_EVALF_MAX_LAYERS);
    if (count == 0 || count > ((uint64_t)1 << ZKR_EVALF_MAX_LB))
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, ZKR_EVALF_NAME ": %llu records, supported 1..2^%u",
                        (unsigned long long)count, ZKR_EVALF_MAX_LB);
    s->n_layers = n_layers;
    s->count = count;
    s->lb = zkr_log2_ceil(count);
    for (uint32_t l = 0; l < n_layers; l++) {
        int hidden = l + 1 < n_layers;
        s->in[l] = dims[l];
        s->out[l] = dims[l + 1];
        if (dims[l] == 0 || dims[l + 1] == 0 || dims[l] > 4096 || dims[l + 1] > 4096)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, ZKR_EVALF_NAME ": layer %u width", l);
        if (hidden && (dims[l + 1] & (dims[l + 1] - 1)) != 0)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, ZKR_EVALF_NAME ": hidden width %u of layer "
                            "%u is not a power of two", dims[l + 1], l);
        s->lm[l] = zkr_log2_ceil(dims[l + 1]);
        s->lk[l] = zkr_log2_ceil((uint64_t)dims[l] + 1);
        s->grp_log[l] = s->lb + s->lm[l] + (hidden ? ZKR_EF_HIDDEN_LOG : ZKR_EF_OUT_LOG);
        b[nb++] = (zkr_blk){s->grp_log[l], &s->grp_off[l]};
        if (s->lm[l] + s->lk[l] > max_vars)
            return zkr_fail(d, ZKR_ERR_TOO_LARGE, ZKR_EVALF_NAME ": layer %u too large", l);
    }
    s->c = s->lm[n_layers - 1];
    s->am_log = s->lb + s->c + ZKR_EF_AM_LOG;
    s->ka_log = s->lb + ZKR_EF_KA_LOG;
    b[nb++] = (zkr_blk){s->am_log, &s->am_off};
    b[nb++] = (zkr_blk){s->ka_log, &s->ka_off};
    s->n_v = zkr_blocks_place(b, nb);
    if (s->n_v < ZKR_TRAIN_TABLE_LOG)
        s->n_v = ZKR_TRAIN_TABLE_LOG;
    if (s->n_v > max_vars || s->n_v > ZKR_EVALF_MAX_PT)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, ZKR_EVALF_NAME ": witness of 2^%u entries, at "
                        "most 2^%u", s->n_v, max_vars);
    return ZKR_OK;
}

void zkr_evalf_block_point(const zkr_evalf_shape *s, uint64_t off, unsigned blog, zkr_ext *pt)
{
    uint64_t blk_idx = off >> blog;

    for (unsigned i = blog; i < s->n_v; i++)
        pt[i] = zkr_ext_from((blk_idx >> (i - blog)) & 1);
}

unsigned zkr_evalf_poly_vars(const zkr_evalf_shape *s, unsigned id)
{
    uint32_t L = s->n_layers;

    if (id < L)
        return s->lm[id] + s->lk[id];
    return id == L ? s->n_v : ZKR_TRAIN_TABLE_LOG;
}

/*
 * LogUp 2; hidden layer l: its group and W_l, plus h_{l-1} for l > 0; the
 * output: its group, W_{L-1}, h_{L-2}; the argmax zero-check: the argmax
 * group, o's two limbs, the key group; the one-hot and the count: E twice.
 * 2 + 2 (L-1) + (L-2) + 3 + 4 + 2.
 */
size_t zkr_evalf_n_claims(const zkr_evalf_shape *s)
{
    return 3 * (size_t)s->n_layers + 7;
}

void zkr_evalf_transcript(zkr_transcript *t, const zkr_params *p,
                          const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                          size_t stmt_len)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_EVALF_PROTOCOL, ZKR_EVALF_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd,
                statement_id);
    zkr_ts_absorb(t, "ef-statement", stmt, stmt_len);
}
