/*
 * graph-inference@2's model commitment (zk/ginfer2_mc.h; docs/formats.md,
 * "graph-inference@2 model commitment"): encoding, strict decoding, the
 * digest the registry binds, and its fit to a program.
 */
#include <stdlib.h>
#include <string.h>

#include "zk/ginfer2_mc.h"
#include "zk/zk_int.h"

#define G2MC_MAGIC "ZKRGM2\0\0"
#define G2MC_M_MAX 0x7fffffffll
#define G2MC_B_MAX (1ll << 30)

void zkr_ginf2_mc_clear(zkr_ginf2_mc *mc)
{
    for (uint32_t i = 0; i < ZKR_GINF2_NET_MAX_NODES; i++)
        free(mc->m[i]), free(mc->b[i]);
    memset(mc, 0, sizeof *mc);
}

/* A CONV / DENSE entry's bounds (the encoder's; the decoder checks as it reads). */
static int g2mc_w_ok(const zkr_ginf2_mc *mc, uint32_t i)
{
    if (mc->cout[i] < 1 || mc->cout[i] > ZKR_CNN_MAX_DIM || !mc->m[i] || !mc->b[i] ||
        mc->w[i].ext)
        return 0;
    for (uint32_t c = 0; c < mc->cout[i]; c++)
        if (mc->m[i][c] < 0 || mc->m[i][c] > G2MC_M_MAX || mc->b[i][c] < -G2MC_B_MAX ||
            mc->b[i][c] > G2MC_B_MAX)
            return 0;
    return 1;
}

static int g2mc_entry_ok(const zkr_ginf2_mc *mc, uint32_t i)
{
    if (!zkr_ginf2_mc_op_has_entry(mc->op[i]))
        return 0;
    if (mc->op[i] == ZKR_ML_GOP_LOOKUP) { /* no shift: the table's entries are int8 */
        for (unsigned k = 0; k < 256; k++)
            if (mc->t[i][k] < -128 || mc->t[i][k] > 127)
                return 0;
        return 1;
    }
    if (mc->shift[i] < 1 || mc->shift[i] > 48)
        return 0;
    switch (mc->op[i]) {
    case ZKR_ML_GOP_ADD:
        return mc->add_m[i][0] >= 0 && mc->add_m[i][0] <= G2MC_M_MAX && mc->add_m[i][1] >= 0 &&
               mc->add_m[i][1] <= G2MC_M_MAX;
    default: return g2mc_w_ok(mc, i); /* CONV, DENSE */
    }
}

/* A CONV / DENSE payload after the shift: cout, M, b, n, e, root. */
static zkr_err g2mc_enc_w(const zkr_ginf2_mc *mc, uint32_t i, zkr_buf *out)
{
    zkr_err r = zkr_enc_u32(out, mc->cout[i]);

    for (uint32_t c = 0; c < mc->cout[i] && r == ZKR_OK; c++)
        r = zkr_enc_u32(out, (uint32_t)mc->m[i][c]);
    for (uint32_t c = 0; c < mc->cout[i] && r == ZKR_OK; c++)
        r = zkr_enc_u32(out, (uint32_t)(int32_t)mc->b[i][c]);
    if (r == ZKR_OK && (r = zkr_enc_u32(out, mc->w[i].n_vars)) == ZKR_OK &&
        (r = zkr_enc_u32(out, mc->w[i].blind_vars)) == ZKR_OK)
        r = zkr_buf_append(out, mc->w[i].root, ZKR_DIGEST_BYTES);
    return r;
}

/* One entry: node, op, then the op's payload (zkr_ginf2_mc_op_has_entry's switch). */
static zkr_err g2mc_enc_entry(const zkr_ginf2_mc *mc, uint32_t i, zkr_buf *out)
{
    uint8_t tb[256];
    zkr_err r;

    if ((r = zkr_enc_u32(out, i)) != ZKR_OK || (r = zkr_enc_u32(out, mc->op[i])) != ZKR_OK)
        return r;
    if (mc->op[i] == ZKR_ML_GOP_LOOKUP) { /* T[256] as int8 bytes, no shift */
        for (unsigned k = 0; k < 256; k++)
            tb[k] = (uint8_t)(int8_t)mc->t[i][k];
        return zkr_buf_append(out, tb, sizeof tb);
    }
    if ((r = zkr_enc_u32(out, mc->shift[i])) != ZKR_OK)
        return r;
    switch (mc->op[i]) {
    case ZKR_ML_GOP_ADD:
        if ((r = zkr_enc_u32(out, (uint32_t)mc->add_m[i][0])) != ZKR_OK)
            return r;
        return zkr_enc_u32(out, (uint32_t)mc->add_m[i][1]);
    default: return g2mc_enc_w(mc, i, out); /* CONV, DENSE */
    }
}

zkr_err zkr_ginf2_mc_encode(const zkr_ginf2_mc *mc, zkr_buf *out)
{
    uint32_t ne = 0, nw = 0;
    zkr_err r;

    if (mc->n_nodes < 2 || mc->n_nodes > ZKR_GINF2_NET_MAX_NODES || mc->op[0])
        return ZKR_ERR_USAGE;
    for (uint32_t i = mc->n_nodes; i < ZKR_GINF2_NET_MAX_NODES; i++)
        if (mc->op[i])
            return ZKR_ERR_USAGE;
    for (uint32_t i = 1; i < mc->n_nodes; i++) {
        if (mc->op[i] && !g2mc_entry_ok(mc, i))
            return ZKR_ERR_USAGE;
        ne += mc->op[i] != 0;
        nw += zkr_ginf2_mc_has_w(mc, i);
    }
    if (nw == 0)
        return ZKR_ERR_USAGE;
    if ((r = zkr_buf_append(out, G2MC_MAGIC, 8)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ZKR_GINFER2_MC_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(out, mc->program_digest, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(out, mc->n_nodes)) != ZKR_OK || (r = zkr_enc_u32(out, ne)) != ZKR_OK)
        return r;
    for (uint32_t i = 1; i < mc->n_nodes && r == ZKR_OK; i++)
        if (mc->op[i])
            r = g2mc_enc_entry(mc, i, out);
    return r;
}

/* A CONV / DENSE payload after the shift: cout, M, b, n, e, root. */
static zkr_err g2mc_dec_w(const zkr_params *p, zkr_dec *d, uint32_t i, zkr_ginf2_mc *mc)
{
    const uint8_t *raw;
    uint32_t v;
    zkr_hpcs_commitment *w = &mc->w[i];

    if (zkr_dec_u32(d, &mc->cout[i]) != ZKR_OK || mc->cout[i] < 1 ||
        mc->cout[i] > ZKR_CNN_MAX_DIM)
        return ZKR_ERR_MALFORMED;
    mc->m[i] = malloc(mc->cout[i] * sizeof *mc->m[i]);
    mc->b[i] = malloc(mc->cout[i] * sizeof *mc->b[i]);
    if (!mc->m[i] || !mc->b[i])
        return ZKR_ERR_NOMEM;
    for (uint32_t c = 0; c < mc->cout[i]; c++) {
        if (zkr_dec_u32(d, &v) != ZKR_OK || v > G2MC_M_MAX)
            return ZKR_ERR_MALFORMED;
        mc->m[i][c] = v;
    }
    for (uint32_t c = 0; c < mc->cout[i]; c++) {
        if (zkr_dec_u32(d, &v) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        mc->b[i][c] = (int32_t)v;
        if (mc->b[i][c] < -G2MC_B_MAX || mc->b[i][c] > G2MC_B_MAX)
            return ZKR_ERR_MALFORMED;
    }
    if (zkr_dec_u32(d, &w->n_vars) != ZKR_OK || zkr_dec_u32(d, &w->blind_vars) != ZKR_OK ||
        zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK || w->blind_vars < 1 ||
        w->blind_vars > ZKR_HPCS_MAX_BLIND_VARS || w->n_vars > p->max_vars ||
        w->n_vars + w->blind_vars > p->max_vars)
        return ZKR_ERR_MALFORMED;
    memcpy(w->root, raw, ZKR_DIGEST_BYTES);
    /* one weight commitment named for two nodes: refused (no node shares another's W) */
    for (uint32_t j = 1; j < i; j++)
        if (zkr_ginf2_mc_has_w(mc, j) && memcmp(mc->w[j].root, w->root, ZKR_DIGEST_BYTES) == 0)
            return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

/* One entry after its node index: op, shift, the op's payload. */
static zkr_err g2mc_dec_entry(const zkr_params *p, zkr_dec *d, uint32_t i, zkr_ginf2_mc *mc)
{
    uint32_t op, v[2];
    const uint8_t *tb;

    if (zkr_dec_u32(d, &op) != ZKR_OK || op > 0xffu || !zkr_ginf2_mc_op_has_entry((uint8_t)op))
        return ZKR_ERR_MALFORMED;
    mc->op[i] = (uint8_t)op;
    if (op == ZKR_ML_GOP_LOOKUP) { /* T[256], int8 bytes (every byte an int8), no shift */
        if (zkr_dec_raw(d, 256, &tb) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        for (unsigned k = 0; k < 256; k++)
            mc->t[i][k] = (int8_t)tb[k];
        return ZKR_OK;
    }
    if (zkr_dec_u32(d, &mc->shift[i]) != ZKR_OK || mc->shift[i] < 1 || mc->shift[i] > 48)
        return ZKR_ERR_MALFORMED;
    switch (op) {
    case ZKR_ML_GOP_ADD:
        if (zkr_dec_u32(d, &v[0]) != ZKR_OK || zkr_dec_u32(d, &v[1]) != ZKR_OK ||
            v[0] > G2MC_M_MAX || v[1] > G2MC_M_MAX)
            return ZKR_ERR_MALFORMED;
        mc->add_m[i][0] = v[0], mc->add_m[i][1] = v[1];
        return ZKR_OK;
    default: return g2mc_dec_w(p, d, i, mc); /* CONV, DENSE */
    }
}

static zkr_err g2mc_decode(const zkr_params *p, const uint8_t *in, size_t len, zkr_ginf2_mc *out)
{
    zkr_dec d;
    const uint8_t *raw;
    uint32_t v, ne, nw = 0, prev = 0, node;
    zkr_err r;

    zkr_dec_init(&d, in, len);
    if (!in || len > ZKR_GINFER2_MC_MAX_BYTES || zkr_dec_raw(&d, 8, &raw) != ZKR_OK ||
        memcmp(raw, G2MC_MAGIC, 8) != 0 || zkr_dec_u32(&d, &v) != ZKR_OK ||
        v != ZKR_GINFER2_MC_VERSION || zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(out->program_digest, raw, ZKR_DIGEST_BYTES);
    if (zkr_dec_u32(&d, &out->n_nodes) != ZKR_OK || out->n_nodes < 2 ||
        out->n_nodes > ZKR_GINF2_NET_MAX_NODES || zkr_dec_u32(&d, &ne) != ZKR_OK || ne < 1 ||
        ne >= out->n_nodes)
        return ZKR_ERR_MALFORMED;
    for (uint32_t k = 0; k < ne; k++) {
        if (zkr_dec_u32(&d, &node) != ZKR_OK || node <= prev || node >= out->n_nodes)
            return ZKR_ERR_MALFORMED;
        if ((r = g2mc_dec_entry(p, &d, node, out)) != ZKR_OK)
            return r;
        nw += zkr_ginf2_mc_has_w(out, node);
        prev = node;
    }
    if (nw == 0) /* every program ends in a CONV / DENSE node */
        return ZKR_ERR_MALFORMED;
    return zkr_dec_finish(&d) == ZKR_OK ? ZKR_OK : ZKR_ERR_MALFORMED;
}

zkr_err zkr_ginf2_mc_decode(const zkr_params *p, const uint8_t *in, size_t len,
                            zkr_ginf2_mc *out)
{
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = g2mc_decode(p, in, len, out)) != ZKR_OK)
        zkr_ginf2_mc_clear(out);
    return r;
}

void zkr_ginf2_mc_digest(const uint8_t *enc, size_t len, uint8_t out[ZKR_DIGEST_BYTES])
{
    zkr_sha256_tagged("zkreg/graph-model-commitment/v2", enc, len, out);
}

zkr_err zkr_ginf2_mc_fit(const zkr_ml_gprog *g, const zkr_ginf2_mc *mc, zkr_ginf2_pub *mp,
                         zkr_diag *d)
{
    uint8_t pd[ZKR_DIGEST_BYTES];
    zkr_ginf2_net net;

    memset(mp, 0, sizeof *mp);
    if (zkr_ml_gprog_digest(g, pd, NULL) != ZKR_OK ||
        memcmp(pd, mc->program_digest, ZKR_DIGEST_BYTES) != 0 || mc->n_nodes != g->n_nodes)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "model commitment: not one for this program (digest or node count)");
    for (uint32_t i = 1; i < g->n_nodes; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        uint8_t want = zkr_ginf2_mc_op_has_entry(n->op) ? n->op : 0;
        if (mc->op[i] != want)
            return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                            "model commitment: node %u's entry does not fit the program", i);
        switch (want) {
        case 0: break; /* no parameters */
        case ZKR_ML_GOP_ADD:
            mp->m[i] = mc->add_m[i], mp->shift[i] = mc->shift[i];
            break;
        case ZKR_ML_GOP_LOOKUP: mp->t[i] = mc->t[i]; break;
        default: /* CONV, DENSE */
            if (mc->cout[i] != n->c)
                return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                                "model commitment: node %u's entry does not fit the program", i);
            for (uint32_t j = 1; j < i; j++)
                if (zkr_ginf2_mc_has_w(mc, j) &&
                    memcmp(mc->w[j].root, mc->w[i].root, ZKR_DIGEST_BYTES) == 0)
                    return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                                    "model commitment: one root named for nodes %u and %u", j, i);
            mp->m[i] = mc->m[i], mp->b[i] = mc->b[i], mp->shift[i] = mc->shift[i];
        }
    }
    if (zkr_ginf2_net_init(&net, g, mp, d) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "model commitment: its parameters do not fit the program");
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if (zkr_ginf2_mc_has_w(mc, i) && mc->w[i].n_vars != zkr_cnn_conv_w_vars(&net.conv[i]))
            return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                            "model commitment: node %u's weights over 2^%u, the program's 2^%u",
                            i, mc->w[i].n_vars, zkr_cnn_conv_w_vars(&net.conv[i]));
    return ZKR_OK;
}
