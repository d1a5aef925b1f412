/*
 * inference@1 pieces shared by the prover and the verifier: the witness
 * layout, the model/record/dataset commitments, the public-output
 * encoding, transcript seeding and the grouping of PCS openings.
 */
#include <stdlib.h>
#include <string.h>

#include "zk/zk.h"

static unsigned zkr_infer_ceil_div(unsigned a, unsigned b) { return (a + b - 1) / b; }

static void zkr_infer_layer_fill(zkr_infer_layer *L, uint32_t in, uint32_t out, int relu,
                                 uint32_t shift)
{
    unsigned gbits = 63u - shift;

    L->in_dim = in;
    L->out_dim = out;
    L->relu = relu;
    L->shift = shift;
    L->lo = relu ? 0 : -128;
    L->lm = zkr_log2_ceil(out);
    L->lk = zkr_log2_ceil((uint64_t)in + 2);
    L->nr = zkr_infer_ceil_div(shift, 8);
    L->ng = zkr_infer_ceil_div(gbits, 8);
    L->slot_rtc = ZKR_INFER_SLOT_R0 + L->nr;
    L->slot_g0 = L->slot_rtc + 1;
    L->slot_gtc = L->slot_g0 + L->ng;
    L->c_r = (uint64_t)1 << (8 * L->nr - shift);
    L->c_g = (uint64_t)1 << (8 * L->ng - gbits);
}

zkr_err zkr_infer_shape_init(zkr_infer_shape *s, uint32_t input_dim, uint32_t n_layers,
                             const uint32_t *in_dims, const uint32_t *out_dims, const int *relu,
                             const uint32_t *shifts)
{
    uint32_t order[ZKR_INFER_MAX_LAYERS];
    uint64_t off = 0;

    memset(s, 0, sizeof *s);
    if (n_layers < 1 || n_layers > ZKR_INFER_MAX_LAYERS || input_dim < 1 ||
        input_dim > ZKR_INFER_MAX_DIM)
        return ZKR_ERR_MALFORMED;
    for (uint32_t l = 0; l < n_layers; l++) {
        uint32_t want_in = l == 0 ? input_dim : out_dims[l - 1];
        if (in_dims[l] != want_in || out_dims[l] < 1 || out_dims[l] > ZKR_INFER_MAX_DIM ||
            shifts[l] < 1 || shifts[l] > 48)
            return ZKR_ERR_MALFORMED;
        zkr_infer_layer_fill(&s->layer[l], in_dims[l], out_dims[l], relu[l] != 0, shifts[l]);
        if (s->layer[l].slot_gtc >= ZKR_INFER_SLOTS)
            return ZKR_ERR_MALFORMED; /* cannot happen: nr + ng <= 9 */
        order[l] = l;
    }
    s->input_dim = input_dim;
    s->n_layers = n_layers;
    /* Blocks by decreasing size (stable), so each offset is aligned to its size. */
    for (uint32_t i = 1; i < n_layers; i++)
        for (uint32_t j = i; j > 0 && s->layer[order[j]].lm > s->layer[order[j - 1]].lm; j--) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (uint32_t i = 0; i < n_layers; i++) {
        zkr_infer_layer *L = &s->layer[order[i]];
        L->v_off = off;
        off += (uint64_t)1 << (L->lm + ZKR_INFER_SLOTS_LOG);
    }
    s->n_l = zkr_log2_ceil(off);
    if (s->n_l < ZKR_INFER_TABLE_LOG)
        s->n_l = ZKR_INFER_TABLE_LOG;
    s->n_v = s->n_l + 1;
    return ZKR_OK;
}

void zkr_infer_block_point(const zkr_infer_shape *s, uint32_t l, zkr_ext *pt)
{
    const zkr_infer_layer *L = &s->layer[l];
    unsigned b = L->lm + ZKR_INFER_SLOTS_LOG;
    uint64_t blk = L->v_off >> b;

    for (unsigned i = b; i < s->n_l; i++)
        pt[i] = zkr_ext_from((blk >> (i - b)) & 1);
    pt[s->n_l] = zkr_ext_from(0);
}

void zkr_infer_model_commitment(const uint8_t program_digest[ZKR_DIGEST_BYTES],
                                uint32_t n_layers, const uint32_t *shifts,
                                const zkr_pcs_commitment *roots, uint8_t out[ZKR_DIGEST_BYTES])
{
    static const char tag[] = "zkreg/model-commitment/v1";
    zkr_sha256_ctx c;
    uint8_t w[4];

    zkr_sha256_init(&c);
    zkr_sha256_update(&c, (const uint8_t *)tag, sizeof tag);
    zkr_sha256_update(&c, program_digest, ZKR_DIGEST_BYTES);
    zkr_store_be32(w, n_layers);
    zkr_sha256_update(&c, w, 4);
    for (uint32_t l = 0; l < n_layers; l++) {
        zkr_store_be32(w, shifts[l]);
        zkr_sha256_update(&c, w, 4);
        zkr_store_be32(w, roots[l].n_vars);
        zkr_sha256_update(&c, w, 4);
        zkr_sha256_update(&c, roots[l].root, ZKR_DIGEST_BYTES);
    }
    zkr_sha256_final(&c, out);
}

void zkr_infer_record_commitment(const uint8_t *rec, size_t len, uint8_t out[ZKR_DIGEST_BYTES])
{
    zkr_sha256_tagged("zkreg/record-commitment/v1", rec, len, out);
}

void zkr_infer_dataset_commitment(uint64_t n, const uint8_t root[ZKR_DIGEST_BYTES],
                                  uint8_t out[ZKR_DIGEST_BYTES])
{
    uint8_t b[8 + ZKR_DIGEST_BYTES];

    zkr_store_be64(b, n);
    memcpy(b + 8, root, ZKR_DIGEST_BYTES);
    zkr_sha256_tagged("zkreg/dataset-commitment/v1", b, sizeof b, out);
}

zkr_err zkr_infer_dataset_commit(const zkr_dataset *ds, uint64_t index,
                                 uint8_t root[ZKR_DIGEST_BYTES],
                                 uint8_t commitment[ZKR_DIGEST_BYTES],
                                 uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                 size_t *path_len)
{
    uint64_t n = zkr_dataset_count(ds);
    uint8_t(*leaves)[ZKR_DIGEST_BYTES];
    zkr_err r = ZKR_OK;

    if (path_len)
        *path_len = 0;
    if (path && index >= n)
        return ZKR_ERR_NOT_FOUND;
    leaves = malloc((size_t)(n ? n : 1) * ZKR_DIGEST_BYTES);
    if (!leaves)
        return ZKR_ERR_NOMEM;
    for (uint64_t i = 0; i < n && r == ZKR_OK; i++) {
        const uint8_t *p;
        size_t len;
        if ((r = zkr_dataset_record(ds, i, &p, &len)) == ZKR_OK)
            zkr_infer_record_commitment(p, len, leaves[i]);
    }
    if (r == ZKR_OK)
        r = zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, root);
    if (r == ZKR_OK && path)
        r = zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, index, path,
                                       path_len);
    if (r == ZKR_OK)
        zkr_infer_dataset_commitment(n, root, commitment);
    free(leaves);
    return r;
}

static uint32_t zkr_infer_argmax(const int8_t *y, uint32_t n)
{
    uint32_t a = 0;

    for (uint32_t i = 1; i < n; i++)
        if (y[i] > y[a])
            a = i;
    return a;
}

zkr_err zkr_infer_output_encode(const int8_t *y, uint32_t n, zkr_buf *out)
{
    zkr_err r;

    if (n == 0)
        return ZKR_ERR_USAGE;
    if ((r = zkr_enc_u32(out, n)) != ZKR_OK || (r = zkr_buf_append(out, y, n)) != ZKR_OK)
        return r;
    return zkr_enc_u32(out, zkr_infer_argmax(y, n));
}

zkr_err zkr_infer_output_decode(const uint8_t *p, size_t len, int8_t *y, uint32_t cap,
                                uint32_t *n, uint32_t *argmax)
{
    zkr_dec d;
    const uint8_t *raw;

    *n = 0;
    *argmax = 0;
    zkr_dec_init(&d, p, len);
    if (zkr_dec_u32(&d, n) != ZKR_OK || *n == 0 || *n > cap ||
        zkr_dec_raw(&d, *n, &raw) != ZKR_OK || zkr_dec_u32(&d, argmax) != ZKR_OK ||
        zkr_dec_finish(&d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(y, raw, *n);
    if (*argmax != zkr_infer_argmax(y, *n))
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

void zkr_infer_transcript(zkr_transcript *t, const zkr_params *p,
                          const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                          size_t stmt_len)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_INFER_PROTOCOL, ZKR_INFER_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd,
                statement_id);
    zkr_ts_absorb(t, "inf-statement", stmt, stmt_len);
}

void zkr_infer_groups_of(const zkr_infer_shape *s, zkr_infer_groups *g)
{
    unsigned nv[ZKR_INFER_MAX_LAYERS + 1];
    unsigned n = s->n_layers + 1;

    memset(g, 0, sizeof *g);
    for (uint32_t l = 0; l < s->n_layers; l++)
        nv[l] = s->layer[l].lm + s->layer[l].lk;
    nv[s->n_layers] = s->n_v;
    /* Distinct sizes ascending; within a size, polys in id order (V last),
     * split into openings of at most ZKR_INFER_GROUP_MAX polynomials. */
    for (unsigned v = 0; v <= 64; v++)
        for (unsigned id = 0; id < n; id++) {
            unsigned k;
            if (nv[id] != v)
                continue;
            k = g->n_groups;
            if (k == 0 || g->n_vars[k - 1] != v || g->n_polys[k - 1] == ZKR_INFER_GROUP_MAX) {
                g->n_vars[k] = v;
                g->n_groups++;
            } else {
                k--;
            }
            g->poly[k][g->n_polys[k]++] = id;
        }
}

size_t zkr_infer_claims_on(const zkr_infer_shape *s, unsigned poly)
{
    return poly < s->n_layers ? 2 : 2 + 2 * (size_t)s->n_layers - 1;
}

zkr_infer_claim *zkr_infer_claim_new(zkr_infer_claims *cs, unsigned poly)
{
    zkr_infer_claim *c;

    if (cs->n >= ZKR_INFER_MAX_CLAIMS)
        return NULL;
    c = &cs->c[cs->n++];
    memset(c, 0, sizeof *c);
    c->poly = poly;
    return c;
}

void zkr_infer_slot_claim(zkr_transcript *t, const zkr_infer_shape *s, uint32_t l,
                          const zkr_ext *rho, const zkr_ext slots[ZKR_INFER_SLOTS],
                          zkr_infer_claim *vc)
{
    const zkr_infer_layer *L = &s->layer[l];
    zkr_ext eqt[ZKR_INFER_SLOTS], acc = zkr_ext_from(0);

    memcpy(vc->pt, rho, L->lm * sizeof *rho);
    zkr_ts_challenge_exts(t, "inf-tau", vc->pt + L->lm, ZKR_INFER_SLOTS_LOG);
    zkr_mle_eq_table(vc->pt + L->lm, ZKR_INFER_SLOTS_LOG, eqt);
    for (unsigned sl = 0; sl < ZKR_INFER_SLOTS; sl++)
        acc = zkr_ext_add(acc, zkr_ext_mul(eqt[sl], slots[sl]));
    vc->val = acc;
    zkr_infer_block_point(s, l, vc->pt);
}
