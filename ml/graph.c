/* The program: graph invariants and its canonical, strictly decoded encoding. */
#include <string.h>

#include "ml/graph.h"

/* (weight_bits, act_bits) per arithmetic, indexed by ZKR_ML_ARITH_*. */
static const uint8_t arith_bits[2][2] = {{8, 8}, {32, 16}};

zkr_err zkr_ml_graph_check(const zkr_ml_graph *g, zkr_diag *d)
{
    if (g == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: no graph");
    if (g->arith != ZKR_ML_ARITH_INT8 && g->arith != ZKR_ML_ARITH_FIXED)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: unknown arithmetic %u", (unsigned)g->arith);
    if (g->input_encoding != ZKR_ML_INPUT_U8_DIV255)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: unknown input_encoding %u",
                        (unsigned)g->input_encoding);
    if (g->input_dim == 0 || g->input_dim > ZKR_ML_MAX_DIM)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: input_dim %u not in 1..%u",
                        (unsigned)g->input_dim, ZKR_ML_MAX_DIM);
    if (g->n_layers == 0 || g->n_layers > ZKR_ML_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: n_layers %u not in 1..%u",
                        (unsigned)g->n_layers, ZKR_ML_MAX_LAYERS);
    for (uint32_t l = 0; l < g->n_layers; l++) {
        const zkr_ml_layer_desc *L = &g->layers[l];
        uint32_t want_in = l == 0 ? g->input_dim : g->layers[l - 1].out_dim;

        if (L->op != ZKR_ML_OP_DENSE)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: layer %u: unknown op %u",
                            (unsigned)l, (unsigned)L->op);
        if (L->act != ZKR_ML_ACT_NONE && L->act != ZKR_ML_ACT_RELU)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: layer %u: unknown act %u",
                            (unsigned)l, (unsigned)L->act);
        if (L->in_dim != want_in)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "program: layer %u: in_dim %u does not match the previous width %u",
                            (unsigned)l, (unsigned)L->in_dim, (unsigned)want_in);
        if (L->out_dim == 0 || L->out_dim > ZKR_ML_MAX_DIM)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: layer %u: out_dim %u not in 1..%u",
                            (unsigned)l, (unsigned)L->out_dim, ZKR_ML_MAX_DIM);
    }
    return ZKR_OK;
}

zkr_err zkr_ml_graph_encode(const zkr_ml_graph *g, zkr_buf *out, zkr_diag *d)
{
    zkr_err r;

    if ((r = zkr_ml_graph_check(g, d)) != ZKR_OK)
        return r;
    if ((r = zkr_buf_append(out, ZKR_ML_GRAPH_MAGIC, ZKR_ML_GRAPH_MAGIC_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ZKR_ML_GRAPH_VERSION)) != ZKR_OK ||
        (r = zkr_enc_u8(out, g->input_encoding)) != ZKR_OK ||
        (r = zkr_enc_u32(out, g->input_dim)) != ZKR_OK ||
        (r = zkr_enc_u8(out, arith_bits[g->arith][0])) != ZKR_OK ||
        (r = zkr_enc_u8(out, arith_bits[g->arith][1])) != ZKR_OK ||
        (r = zkr_enc_u32(out, g->n_layers)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        const zkr_ml_layer_desc *L = &g->layers[l];

        if ((r = zkr_enc_u8(out, L->op)) != ZKR_OK || (r = zkr_enc_u8(out, L->act)) != ZKR_OK ||
            (r = zkr_enc_u32(out, L->in_dim)) != ZKR_OK ||
            (r = zkr_enc_u32(out, L->out_dim)) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/* Reads the fixed header; the layer count is checked before any layer is read. */
static zkr_err decode_header(zkr_dec *dc, zkr_ml_graph *g, zkr_diag *d)
{
    const uint8_t *magic;
    uint32_t version;
    uint8_t wbits, abits;

    if (zkr_dec_raw(dc, ZKR_ML_GRAPH_MAGIC_BYTES, &magic) != ZKR_OK ||
        memcmp(magic, ZKR_ML_GRAPH_MAGIC, ZKR_ML_GRAPH_MAGIC_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: bad magic (not a zkreg program)");
    if (zkr_dec_u32(dc, &version) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: truncated in version");
    if (version != ZKR_ML_GRAPH_VERSION)
        return zkr_fail(d, version > ZKR_ML_GRAPH_VERSION ? ZKR_ERR_UNSUPPORTED : ZKR_ERR_MALFORMED,
                        "program: version %u, this build reads %u", (unsigned)version,
                        ZKR_ML_GRAPH_VERSION);
    if (zkr_dec_u8(dc, &g->input_encoding) != ZKR_OK || zkr_dec_u32(dc, &g->input_dim) != ZKR_OK ||
        zkr_dec_u8(dc, &wbits) != ZKR_OK || zkr_dec_u8(dc, &abits) != ZKR_OK ||
        zkr_dec_u32(dc, &g->n_layers) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: truncated header");
    if (wbits == arith_bits[ZKR_ML_ARITH_INT8][0] && abits == arith_bits[ZKR_ML_ARITH_INT8][1])
        g->arith = ZKR_ML_ARITH_INT8;
    else if (wbits == arith_bits[ZKR_ML_ARITH_FIXED][0] &&
             abits == arith_bits[ZKR_ML_ARITH_FIXED][1])
        g->arith = ZKR_ML_ARITH_FIXED;
    else
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "program: weight_bits %u / act_bits %u, expected 8/8 or 32/16",
                        (unsigned)wbits, (unsigned)abits);
    if (g->n_layers == 0 || g->n_layers > ZKR_ML_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: n_layers %u not in 1..%u",
                        (unsigned)g->n_layers, ZKR_ML_MAX_LAYERS);
    return ZKR_OK;
}

static zkr_err graph_decode(const uint8_t *p, size_t len, zkr_ml_graph *g, zkr_diag *d)
{
    zkr_dec dc;
    zkr_err r;

    zkr_dec_init(&dc, p, len);
    if ((r = decode_header(&dc, g, d)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        zkr_ml_layer_desc *L = &g->layers[l];

        if (zkr_dec_u8(&dc, &L->op) != ZKR_OK || zkr_dec_u8(&dc, &L->act) != ZKR_OK ||
            zkr_dec_u32(&dc, &L->in_dim) != ZKR_OK || zkr_dec_u32(&dc, &L->out_dim) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: truncated in layer %u", (unsigned)l);
    }
    if (zkr_dec_finish(&dc) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: %zu trailing bytes", len - dc.pos);
    return zkr_ml_graph_check(g, d);
}

zkr_err zkr_ml_graph_decode(const uint8_t *p, size_t len, zkr_ml_graph *g, zkr_diag *d)
{
    zkr_err r;

    if (g == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "program: no output");
    memset(g, 0, sizeof *g);
    if (p == NULL && len != 0)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "program: no input");
    if (zkr_ml_program_version(p, len) == ZKR_ML_GRAPH_VERSION_G)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "program: a graph program (version 2); this path reads only version 1 "
                        "(dense-layer) programs");
    if (len > ZKR_ML_GRAPH_MAX_BYTES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "program: %zu bytes, at most %u", len,
                        ZKR_ML_GRAPH_MAX_BYTES);
    r = graph_decode(p, len, g, d);
    if (r != ZKR_OK)
        memset(g, 0, sizeof *g);
    return r;
}

zkr_err zkr_ml_graph_digest(const zkr_ml_graph *g, uint8_t out[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_buf b = {0};
    zkr_err r;

    memset(out, 0, ZKR_DIGEST_BYTES);
    if ((r = zkr_ml_graph_encode(g, &b, d)) != ZKR_OK)
        goto out;
    zkr_sha256(b.p, b.len, out);
out:
    zkr_buf_free(&b);
    return r;
}

uint32_t zkr_ml_graph_out_dim(const zkr_ml_graph *g)
{
    if (g == NULL || g->n_layers == 0 || g->n_layers > ZKR_ML_MAX_LAYERS)
        return 0;
    return g->layers[g->n_layers - 1].out_dim;
}

/* ================================================================== */
/* Graph programs (version 2)                                          */
/* ================================================================== */

static uint32_t node_elems(const zkr_ml_gnode *n)
{
    return n->c * n->h * n->w; /* each factor bounded before any product is used */
}

static int shape_ok(const zkr_ml_gnode *n)
{
    return n->c >= 1 && n->c <= ZKR_ML_G_MAX_C && n->h >= 1 && n->h <= ZKR_ML_G_MAX_HW &&
           n->w >= 1 && n->w <= ZKR_ML_G_MAX_HW &&
           (uint64_t)n->c * n->h * n->w <= ZKR_ML_G_MAX_ELEMS;
}

/* Output extent of a window op along one axis; 0 when the window does not fit. */
static uint32_t window_out(uint32_t in, uint32_t k, uint32_t s, uint32_t pa, uint32_t pb,
                           uint32_t dil)
{
    uint64_t span = (uint64_t)in + pa + pb, ext = (uint64_t)dil * (k - 1) + 1;

    if (span < ext)
        return 0;
    return (uint32_t)((span - ext) / s + 1);
}

/* Bounds of the window fields shared by CONV and the pools. */
static zkr_err check_window(const zkr_ml_gnode *n, uint32_t i, zkr_diag *d)
{
    int conv = n->op == ZKR_ML_GOP_CONV;

    if (n->kh == 0 || n->kw == 0 ||
        (conv ? (n->kh > ZKR_ML_G_MAX_KERNEL || n->kw > ZKR_ML_G_MAX_KERNEL)
              : ((uint64_t)n->kh * n->kw > ZKR_ML_G_MAX_FANIN)))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: kernel %ux%u out of bounds",
                        (unsigned)i, (unsigned)n->kh, (unsigned)n->kw);
    if (n->sh == 0 || n->sw == 0 || n->sh > ZKR_ML_G_MAX_STRIDE || n->sw > ZKR_ML_G_MAX_STRIDE)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: stride %ux%u not in 1..%u",
                        (unsigned)i, (unsigned)n->sh, (unsigned)n->sw, ZKR_ML_G_MAX_STRIDE);
    if (conv) {
        if (n->pt > ZKR_ML_G_MAX_PAD || n->pl > ZKR_ML_G_MAX_PAD || n->pb > ZKR_ML_G_MAX_PAD ||
            n->pr > ZKR_ML_G_MAX_PAD)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: a pad over %u", (unsigned)i,
                            ZKR_ML_G_MAX_PAD);
        if (n->dh == 0 || n->dw == 0 || n->dh > ZKR_ML_G_MAX_STRIDE ||
            n->dw > ZKR_ML_G_MAX_STRIDE)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: dilation %ux%u not in 1..%u",
                            (unsigned)i, (unsigned)n->dh, (unsigned)n->dw, ZKR_ML_G_MAX_STRIDE);
    } else {
        if (n->pt >= n->kh || n->pb >= n->kh || n->pl >= n->kw || n->pr >= n->kw)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "program: node %u: a pooling pad is not below its kernel size",
                            (unsigned)i);
        if (n->dh != 0 || n->dw != 0 || n->groups != 0)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "program: node %u: dilation/groups must be 0 for pooling", (unsigned)i);
    }
    return ZKR_OK;
}

static int window_fields_zero(const zkr_ml_gnode *n)
{
    return (n->kh | n->kw | n->sh | n->sw | n->pt | n->pl | n->pb | n->pr | n->dh | n->dw |
            n->groups) == 0;
}

/* The input count each op takes; CONCAT: 2..ZKR_ML_G_MAX_IN. */
static int n_in_ok(uint8_t op, uint8_t n_in)
{
    switch (op) {
    case ZKR_ML_GOP_ADD: return n_in == 2;
    case ZKR_ML_GOP_CONCAT: return n_in >= 2 && n_in <= ZKR_ML_G_MAX_IN;
    default: return n_in == 1;
    }
}

/* The shape node i must have, from its inputs; ZKR_ERR_MALFORMED when they do not fit the op. */
static zkr_err expected_shape(const zkr_ml_gprog *g, uint32_t i, uint32_t *c, uint32_t *h,
                              uint32_t *w, zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i], *x = &g->nodes[n->in[0]];

    *c = n->c;
    *h = x->h;
    *w = x->w;
    switch (n->op) {
    case ZKR_ML_GOP_DENSE:
        if (node_elems(x) > ZKR_ML_G_MAX_FANIN)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: dense fan-in %u over %u",
                            (unsigned)i, (unsigned)node_elems(x), ZKR_ML_G_MAX_FANIN);
        *h = *w = 1;
        return ZKR_OK;
    case ZKR_ML_GOP_CONV:
        if (n->groups != 1 && n->groups != x->c)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "program: node %u: groups %u is neither 1 nor the %u input channels",
                            (unsigned)i, (unsigned)n->groups, (unsigned)x->c);
        if (n->c % n->groups != 0)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "program: node %u: %u output channels not a multiple of groups %u",
                            (unsigned)i, (unsigned)n->c, (unsigned)n->groups);
        if ((uint64_t)(x->c / n->groups) * n->kh * n->kw > ZKR_ML_G_MAX_FANIN)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: conv fan-in over %u",
                            (unsigned)i, ZKR_ML_G_MAX_FANIN);
        *h = window_out(x->h, n->kh, n->sh, n->pt, n->pb, n->dh);
        *w = window_out(x->w, n->kw, n->sw, n->pl, n->pr, n->dw);
        return ZKR_OK;
    case ZKR_ML_GOP_MAXPOOL:
    case ZKR_ML_GOP_AVGPOOL:
        *c = x->c;
        *h = window_out(x->h, n->kh, n->sh, n->pt, n->pb, 1);
        *w = window_out(x->w, n->kw, n->sw, n->pl, n->pr, 1);
        return ZKR_OK;
    case ZKR_ML_GOP_LOOKUP:
        *c = x->c;
        return ZKR_OK;
    case ZKR_ML_GOP_ADD: {
        const zkr_ml_gnode *y = &g->nodes[n->in[1]];
        if (x->c != y->c || x->h != y->h || x->w != y->w)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "program: node %u: add of shapes %ux%ux%u and %ux%ux%u", (unsigned)i,
                            (unsigned)x->c, (unsigned)x->h, (unsigned)x->w, (unsigned)y->c,
                            (unsigned)y->h, (unsigned)y->w);
        *c = x->c;
        return ZKR_OK;
    }
    default: { /* CONCAT */
        uint64_t sum = 0;
        for (uint32_t k = 0; k < n->n_in; k++) {
            const zkr_ml_gnode *y = &g->nodes[n->in[k]];
            if (y->h != x->h || y->w != x->w)
                return zkr_fail(d, ZKR_ERR_MALFORMED,
                                "program: node %u: concat input %u is %ux%u, not %ux%u",
                                (unsigned)i, (unsigned)k, (unsigned)y->h, (unsigned)y->w,
                                (unsigned)x->h, (unsigned)x->w);
            sum += y->c;
        }
        *c = sum > ZKR_ML_G_MAX_C ? 0 : (uint32_t)sum;
        return ZKR_OK;
    }
    }
}

/* Op code, act, input count and indices of node i (i >= 1), and its op-specific fields. */
static zkr_err check_node_fields(const zkr_ml_gprog *g, uint32_t i, zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    int windowed = n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_MAXPOOL ||
                   n->op == ZKR_ML_GOP_AVGPOOL;
    int reads_u8 = n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_DENSE;
    int may_relu = reads_u8 || n->op == ZKR_ML_GOP_ADD;

    if (n->op < ZKR_ML_GOP_DENSE || n->op > ZKR_ML_GOP_CONCAT)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: unknown op %u", (unsigned)i,
                        (unsigned)n->op);
    if (n->act != ZKR_ML_ACT_NONE && !(may_relu && n->act == ZKR_ML_ACT_RELU))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: act %u not allowed on op %u",
                        (unsigned)i, (unsigned)n->act, (unsigned)n->op);
    if (!n_in_ok(n->op, n->n_in))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: %u inputs for op %u",
                        (unsigned)i, (unsigned)n->n_in, (unsigned)n->op);
    for (uint32_t k = 0; k < ZKR_ML_G_MAX_IN; k++) {
        if (k >= n->n_in) {
            if (n->in[k] != 0)
                return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: unused input %u not 0",
                                (unsigned)i, (unsigned)k);
            continue;
        }
        if (n->in[k] >= i)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "program: node %u: input %u names node %u (not an earlier node)",
                            (unsigned)i, (unsigned)k, (unsigned)n->in[k]);
        if (n->in[k] == 0 && !reads_u8)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "program: node %u: op %u cannot read the uint8 input node",
                            (unsigned)i, (unsigned)n->op);
    }
    if (windowed)
        return check_window(n, i, d);
    if (!window_fields_zero(n))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: window fields must be 0 for op %u",
                        (unsigned)i, (unsigned)n->op);
    return ZKR_OK;
}

static zkr_err check_gnode(const zkr_ml_gprog *g, uint32_t i, zkr_diag *d)
{
    const zkr_ml_gnode *n = &g->nodes[i];
    uint32_t c, h, w;
    zkr_err r;

    if ((r = check_node_fields(g, i, d)) != ZKR_OK ||
        (r = expected_shape(g, i, &c, &h, &w, d)) != ZKR_OK)
        return r;
    if (n->c != c || n->h != h || n->w != w)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "program: node %u: shape %ux%ux%u, the op computes %ux%ux%u", (unsigned)i,
                        (unsigned)n->c, (unsigned)n->h, (unsigned)n->w, (unsigned)c, (unsigned)h,
                        (unsigned)w);
    if (!shape_ok(n))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: shape %ux%ux%u out of bounds",
                        (unsigned)i, (unsigned)n->c, (unsigned)n->h, (unsigned)n->w);
    return ZKR_OK;
}

zkr_err zkr_ml_gprog_check(const zkr_ml_gprog *g, zkr_diag *d)
{
    uint8_t used[ZKR_ML_G_MAX_NODES] = {0};
    const zkr_ml_gnode *in;
    zkr_err r;

    if (g == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: no graph");
    if (g->input_encoding != ZKR_ML_INPUT_U8_DIV255)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: unknown input_encoding %u",
                        (unsigned)g->input_encoding);
    if (g->n_nodes < 2 || g->n_nodes > ZKR_ML_G_MAX_NODES)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: n_nodes %u not in 2..%u",
                        (unsigned)g->n_nodes, ZKR_ML_G_MAX_NODES);
    in = &g->nodes[0];
    if (in->op != ZKR_ML_GOP_INPUT || in->act != 0 || in->n_in != 0 || !window_fields_zero(in) ||
        (in->in[0] | in->in[1] | in->in[2] | in->in[3]) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node 0 is not a plain input node");
    if (!shape_ok(in))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: input shape %ux%ux%u out of bounds",
                        (unsigned)in->c, (unsigned)in->h, (unsigned)in->w);
    for (uint32_t i = 1; i < g->n_nodes; i++) {
        if ((r = check_gnode(g, i, d)) != ZKR_OK)
            return r;
        for (uint32_t k = 0; k < g->nodes[i].n_in; k++)
            used[g->nodes[i].in[k]] = 1;
    }
    for (uint32_t i = 0; i + 1 < g->n_nodes; i++)
        if (!used[i])
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u is read by no later node",
                            (unsigned)i);
    return ZKR_OK;
}

static zkr_err encode_gnode(const zkr_ml_gnode *n, zkr_buf *out)
{
    const uint32_t f[] = {n->in[0], n->in[1], n->in[2], n->in[3], n->c,  n->h,  n->w,
                          n->kh,    n->kw,    n->sh,    n->sw,    n->pt, n->pl, n->pb,
                          n->pr,    n->dh,    n->dw,    n->groups};
    zkr_err r;

    if ((r = zkr_enc_u8(out, n->op)) != ZKR_OK || (r = zkr_enc_u8(out, n->act)) != ZKR_OK ||
        (r = zkr_enc_u8(out, n->n_in)) != ZKR_OK)
        return r;
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
        if ((r = zkr_enc_u32(out, f[k])) != ZKR_OK)
            return r;
    return ZKR_OK;
}

zkr_err zkr_ml_gprog_encode(const zkr_ml_gprog *g, zkr_buf *out, zkr_diag *d)
{
    const zkr_ml_gnode *in;
    zkr_err r;

    if ((r = zkr_ml_gprog_check(g, d)) != ZKR_OK)
        return r;
    in = &g->nodes[0];
    if ((r = zkr_buf_append(out, ZKR_ML_GRAPH_MAGIC, ZKR_ML_GRAPH_MAGIC_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(out, ZKR_ML_GRAPH_VERSION_G)) != ZKR_OK ||
        (r = zkr_enc_u8(out, g->input_encoding)) != ZKR_OK ||
        (r = zkr_enc_u32(out, in->c)) != ZKR_OK || (r = zkr_enc_u32(out, in->h)) != ZKR_OK ||
        (r = zkr_enc_u32(out, in->w)) != ZKR_OK || (r = zkr_enc_u8(out, 8)) != ZKR_OK ||
        (r = zkr_enc_u8(out, 8)) != ZKR_OK || (r = zkr_enc_u32(out, g->n_nodes)) != ZKR_OK)
        return r;
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if ((r = encode_gnode(&g->nodes[i], out)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

static zkr_err decode_gnode(zkr_dec *dc, zkr_ml_gnode *n)
{
    uint32_t *f[] = {&n->in[0], &n->in[1], &n->in[2], &n->in[3], &n->c,  &n->h,  &n->w,
                     &n->kh,    &n->kw,    &n->sh,    &n->sw,    &n->pt, &n->pl, &n->pb,
                     &n->pr,    &n->dh,    &n->dw,    &n->groups};

    if (zkr_dec_u8(dc, &n->op) != ZKR_OK || zkr_dec_u8(dc, &n->act) != ZKR_OK ||
        zkr_dec_u8(dc, &n->n_in) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
        if (zkr_dec_u32(dc, f[k]) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

static zkr_err gprog_decode(const uint8_t *p, size_t len, zkr_ml_gprog *g, zkr_diag *d)
{
    const uint8_t *magic;
    uint32_t version;
    uint8_t wbits, abits;
    zkr_ml_gnode *in = &g->nodes[0];
    zkr_dec dc;

    zkr_dec_init(&dc, p, len);
    if (zkr_dec_raw(&dc, ZKR_ML_GRAPH_MAGIC_BYTES, &magic) != ZKR_OK ||
        memcmp(magic, ZKR_ML_GRAPH_MAGIC, ZKR_ML_GRAPH_MAGIC_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: bad magic (not a zkreg program)");
    if (zkr_dec_u32(&dc, &version) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: truncated in version");
    if (version != ZKR_ML_GRAPH_VERSION_G)
        return zkr_fail(d, version > ZKR_ML_GRAPH_VERSION_G ? ZKR_ERR_UNSUPPORTED : ZKR_ERR_MALFORMED,
                        "program: version %u is not a graph program (version %u)",
                        (unsigned)version, ZKR_ML_GRAPH_VERSION_G);
    if (zkr_dec_u8(&dc, &g->input_encoding) != ZKR_OK || zkr_dec_u32(&dc, &in->c) != ZKR_OK ||
        zkr_dec_u32(&dc, &in->h) != ZKR_OK || zkr_dec_u32(&dc, &in->w) != ZKR_OK ||
        zkr_dec_u8(&dc, &wbits) != ZKR_OK || zkr_dec_u8(&dc, &abits) != ZKR_OK ||
        zkr_dec_u32(&dc, &g->n_nodes) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: truncated header");
    if (wbits != 8 || abits != 8)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: weight_bits %u / act_bits %u, expected 8/8",
                        (unsigned)wbits, (unsigned)abits);
    if (g->n_nodes < 2 || g->n_nodes > ZKR_ML_G_MAX_NODES)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: n_nodes %u not in 2..%u",
                        (unsigned)g->n_nodes, ZKR_ML_G_MAX_NODES);
    for (uint32_t i = 1; i < g->n_nodes; i++)
        if (decode_gnode(&dc, &g->nodes[i]) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "program: truncated in node %u", (unsigned)i);
    if (zkr_dec_finish(&dc) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: %zu trailing bytes", len - dc.pos);
    return zkr_ml_gprog_check(g, d);
}

zkr_err zkr_ml_gprog_decode(const uint8_t *p, size_t len, zkr_ml_gprog *g, zkr_diag *d)
{
    zkr_err r;

    if (g == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "program: no output");
    memset(g, 0, sizeof *g);
    if (p == NULL && len != 0)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "program: no input");
    if (len > ZKR_ML_GPROG_MAX_BYTES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "program: %zu bytes, at most %u", len,
                        (unsigned)ZKR_ML_GPROG_MAX_BYTES);
    r = gprog_decode(p, len, g, d);
    if (r != ZKR_OK)
        memset(g, 0, sizeof *g);
    return r;
}

zkr_err zkr_ml_gprog_digest(const zkr_ml_gprog *g, uint8_t out[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_buf b = {0};
    zkr_err r;

    memset(out, 0, ZKR_DIGEST_BYTES);
    if ((r = zkr_ml_gprog_encode(g, &b, d)) != ZKR_OK)
        goto out;
    zkr_sha256(b.p, b.len, out);
out:
    zkr_buf_free(&b);
    return r;
}

uint32_t zkr_ml_program_version(const uint8_t *p, size_t len)
{
    uint32_t v;

    if (p == NULL || len < ZKR_ML_GRAPH_MAGIC_BYTES + 4 ||
        memcmp(p, ZKR_ML_GRAPH_MAGIC, ZKR_ML_GRAPH_MAGIC_BYTES) != 0)
        return 0;
    p += ZKR_ML_GRAPH_MAGIC_BYTES;
    v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return v == ZKR_ML_GRAPH_VERSION || v == ZKR_ML_GRAPH_VERSION_G ? v : 0;
}

uint32_t zkr_ml_gprog_elems(const zkr_ml_gprog *g, uint32_t i)
{
    if (g == NULL || i >= g->n_nodes || i >= ZKR_ML_G_MAX_NODES)
        return 0;
    return node_elems(&g->nodes[i]);
}

uint32_t zkr_ml_gprog_fanin(const zkr_ml_gprog *g, uint32_t i)
{
    const zkr_ml_gnode *n, *x;

    if (g == NULL || i == 0 || i >= g->n_nodes || i >= ZKR_ML_G_MAX_NODES)
        return 0;
    n = &g->nodes[i];
    x = &g->nodes[n->in[0]];
    if (n->op == ZKR_ML_GOP_DENSE)
        return node_elems(x);
    if (n->op == ZKR_ML_GOP_CONV && n->groups != 0)
        return x->c / n->groups * n->kh * n->kw;
    return 0;
}

zkr_err zkr_ml_gprog_set_shape(zkr_ml_gprog *g, uint32_t i, zkr_diag *d)
{
    zkr_ml_gnode *n;
    uint32_t c, h, w;
    zkr_err r;

    if (g == NULL || i == 0 || i >= g->n_nodes || g->n_nodes > ZKR_ML_G_MAX_NODES)
        return zkr_fail(d, ZKR_ERR_USAGE, "program: no node %u to shape", (unsigned)i);
    n = &g->nodes[i];
    if ((r = check_node_fields(g, i, d)) != ZKR_OK ||
        (r = expected_shape(g, i, &c, &h, &w, d)) != ZKR_OK)
        return r;
    n->c = c;
    n->h = h;
    n->w = w;
    if (!shape_ok(n))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "program: node %u: shape %ux%ux%u out of bounds",
                        (unsigned)i, (unsigned)c, (unsigned)h, (unsigned)w);
    return ZKR_OK;
}
