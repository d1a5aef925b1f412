/*
 * ONNX import into graph programs (program version 2, docs/quantization.md
 * 7.6): the ONNX graph is walked in its (topological) node order; every
 * tensor name maps to a value: the graph node that computes it plus its
 * ONNX shape (batch 1). Ops that only relabel (Flatten, Reshape, Identity,
 * a Transpose that keeps the element order) make a new name for the same
 * node; BatchNormalization, a bias Add and Relu fold into the node that
 * produced their input when nothing else reads that input; a zero Pad is
 * held until the Conv or AveragePool that takes it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/onnx_int.h"

#define MAX_ONNX_NODES 4096u
#define ATTR_INT ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
#define ATTR_INTS ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
#define ATTR_FLOAT ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
#define ATTR_STRING ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING
#define ATTR_TENSOR ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR

typedef struct {
    const char *name;
    uint32_t node;                    /* the graph node holding the values */
    uint32_t rank;                    /* ONNX shape, dim[0] = 1 */
    int64_t dim[ZKR_ONNX_MAX_RANK];
    int fresh;                        /* the direct output of the node's op (foldable) */
    uint32_t pad[4];                  /* pending zero Pad: top, left, bottom, right */
    int padded;
    const Onnx__TensorProto *konst;   /* a constant (initializer, Constant, Identity of one) */
} gval;

typedef struct {
    const char *file;
    zkr_diag *d;
    const Onnx__GraphProto *gp;
    size_t node;      /* index of the ONNX node being imported */
    const char *op;   /* its op_type */
    const char *nm;   /* its name ("" when it has none) */
    gval *vals;
    size_t n_vals;
    zkr_ml_gfmodel *f;
} gimp;

/* "" for a field not set yet (the input node is checked before any op). */
static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* "FILE: node N (OP 'NAME'): " then the reason. */
#define FAIL(im, code, fmt, ...)                                                            \
    zkr_fail((im)->d, (code), "%s: node %zu (%s '%s'): " fmt, (im)->file, (im)->node,      \
             or_empty((im)->op), or_empty((im)->nm), __VA_ARGS__)

static int is_empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

static gval *find_val(gimp *im, const char *name)
{
    for (size_t i = im->n_vals; i-- > 0;)
        if (strcmp(im->vals[i].name, name) == 0)
            return &im->vals[i];
    for (size_t i = 0; i < im->gp->n_initializer; i++)
        if (strcmp(im->gp->initializer[i]->name, name) == 0) { /* named: check_initializers */
            /* Initializers become constant values on first use. */
            gval *v = &im->vals[im->n_vals++];
            memset(v, 0, sizeof *v);
            v->name = im->gp->initializer[i]->name;
            v->konst = im->gp->initializer[i];
            return v;
        }
    return NULL;
}

/* How many node inputs and graph outputs read `name`. */
static size_t uses(const gimp *im, const char *name)
{
    size_t n = 0;

    for (size_t i = 0; i < im->gp->n_node; i++)
        for (size_t k = 0; k < im->gp->node[i]->n_input; k++)
            n += im->gp->node[i]->input[k] && strcmp(im->gp->node[i]->input[k], name) == 0;
    for (size_t i = 0; i < im->gp->n_output; i++)
        n += im->gp->output[i]->name && strcmp(im->gp->output[i]->name, name) == 0;
    return n;
}

static zkr_err def_val(gimp *im, const char *name, const gval *src)
{
    gval *v;

    if (is_empty(name))
        return FAIL(im, ZKR_ERR_MALFORMED, "%s", "an output has no name");
    for (size_t i = 0; i < im->n_vals; i++)
        if (strcmp(im->vals[i].name, name) == 0)
            return FAIL(im, ZKR_ERR_MALFORMED, "output '%s' defined twice", name);
    v = &im->vals[im->n_vals++];
    *v = *src;
    v->name = name;
    return ZKR_OK;
}

/* The activation value named by input k (not a constant, not missing). */
static zkr_err act_input(gimp *im, const Onnx__NodeProto *nd, size_t k, gval **out)
{
    if (k >= nd->n_input || is_empty(nd->input[k]))
        return FAIL(im, ZKR_ERR_MALFORMED, "input %zu missing", k);
    if ((*out = find_val(im, nd->input[k])) == NULL)
        return FAIL(im, ZKR_ERR_MALFORMED, "input '%s' is not defined before it", nd->input[k]);
    if ((*out)->konst != NULL)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "input %zu ('%s') is a constant, not a tensor "
                    "computed from the record", k, nd->input[k]);
    return ZKR_OK;
}

/* The constant named by input k, or NULL when the input is absent (optional). */
static zkr_err const_input(gimp *im, const Onnx__NodeProto *nd, size_t k,
                           const Onnx__TensorProto **out)
{
    gval *v;

    *out = NULL;
    if (k >= nd->n_input || is_empty(nd->input[k]))
        return ZKR_OK;
    if ((v = find_val(im, nd->input[k])) == NULL)
        return FAIL(im, ZKR_ERR_MALFORMED, "input '%s' is not defined before it", nd->input[k]);
    if (v->konst == NULL)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "input %zu ('%s') must be a constant", k,
                    nd->input[k]);
    *out = v->konst;
    return ZKR_OK;
}

static zkr_err floats(gimp *im, const Onnx__TensorProto *t, uint32_t *rank, int64_t *dims,
                      float **out, size_t *n)
{
    zkr_err r;

    if ((r = zkr_onnx_load_floats(t, im->file, rank, dims, out, im->d)) != ZKR_OK)
        return r;
    *n = 1;
    for (uint32_t i = 0; i < *rank; i++)
        *n *= (size_t)dims[i];
    return ZKR_OK;
}

/* ---------------------------------------------------------------- */
/* Attributes                                                        */
/* ---------------------------------------------------------------- */

typedef struct {
    const char *name;
    Onnx__AttributeProto__AttributeType type;
    int found;
    int64_t i;
    float f;
    int64_t ints[ZKR_ONNX_MAX_RANK];
    size_t n_ints;
    char s[16];
} gattr;

#define A(n, t) {.name = (n), .type = (t)}

/* Reads the node's attributes into want[]; any other attribute is refused by name. */
static zkr_err attrs(gimp *im, const Onnx__NodeProto *nd, gattr *want, size_t n_want)
{
    for (size_t a = 0; a < nd->n_attribute; a++) {
        const Onnx__AttributeProto *at = nd->attribute[a];
        size_t k;

        for (k = 0; k < n_want; k++)
            if (at->name && strcmp(at->name, want[k].name) == 0)
                break;
        if (k == n_want)
            return FAIL(im, ZKR_ERR_UNSUPPORTED, "unsupported attribute '%s'",
                        at->name ? at->name : "");
        if (want[k].found || !at->has_type || at->type != want[k].type)
            return FAIL(im, ZKR_ERR_MALFORMED, "attribute '%s' repeated or of the wrong type",
                        want[k].name);
        want[k].found = 1;
        want[k].i = at->i;
        want[k].f = at->f;
        if (at->type == ATTR_INTS) {
            if (at->n_ints > ZKR_ONNX_MAX_RANK)
                return FAIL(im, ZKR_ERR_UNSUPPORTED, "attribute '%s' has %zu entries",
                            want[k].name, at->n_ints);
            /* an empty list may come with no array at all: memcpy of NULL is undefined */
            if (at->n_ints)
                memcpy(want[k].ints, at->ints, at->n_ints * sizeof(int64_t));
            want[k].n_ints = at->n_ints;
        }
        if (at->type == ATTR_STRING) {
            size_t len = at->has_s ? at->s.len : 0;
            if (len >= sizeof want[k].s)
                return FAIL(im, ZKR_ERR_UNSUPPORTED, "attribute '%s' value too long", want[k].name);
            if (len && memchr(at->s.data, 0, len))
                return FAIL(im, ZKR_ERR_MALFORMED, "attribute '%s' value holds a NUL byte",
                            want[k].name);
            if (len)
                memcpy(want[k].s, at->s.data, len);
            want[k].s[len] = '\0';
        }
    }
    return ZKR_OK;
}

static zkr_err need_io(gimp *im, const Onnx__NodeProto *nd, size_t lo, size_t hi)
{
    if (nd->n_input < lo || nd->n_input > hi || nd->n_output != 1 || is_empty(nd->output[0]))
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%zu inputs and %zu outputs, expected %zu..%zu and 1",
                    nd->n_input, nd->n_output, lo, hi);
    return ZKR_OK;
}

/* ---------------------------------------------------------------- */
/* Graph nodes                                                       */
/* ---------------------------------------------------------------- */

/* A value laid out as [1, C, H, W] equal to its node's shape (what spatial ops read). */
static zkr_err need_spatial(gimp *im, const gval *v)
{
    const zkr_ml_gnode *n = &im->f->g.nodes[v->node];

    if (v->rank != 4 || v->dim[0] != 1 || v->dim[1] != n->c ||
        v->dim[2] != (int64_t)n->h + v->pad[0] + v->pad[2] ||
        v->dim[3] != (int64_t)n->w + v->pad[1] + v->pad[3])
        return FAIL(im, ZKR_ERR_UNSUPPORTED,
                    "input '%s' is not an NCHW tensor of batch 1 in the layout its producer "
                    "computes (a Reshape or Transpose that changes the layout)", v->name);
    return ZKR_OK;
}

static zkr_err need_unpadded(gimp *im, const gval *v)
{
    if (v->padded)
        return FAIL(im, ZKR_ERR_UNSUPPORTED,
                    "input '%s' comes from a Pad; only Conv and AveragePool take a zero Pad",
                    v->name);
    return ZKR_OK;
}

/* Appends node n (inputs, op fields and c for CONV/DENSE set) and shapes it. */
static zkr_err add_node(gimp *im, zkr_ml_gnode n, uint32_t *idx)
{
    zkr_ml_gprog *g = &im->f->g;
    zkr_diag inner;
    zkr_err r;

    if (g->n_nodes >= ZKR_ML_G_MAX_NODES)
        return FAIL(im, ZKR_ERR_TOO_LARGE, "more than %u graph nodes", ZKR_ML_G_MAX_NODES);
    g->nodes[g->n_nodes] = n;
    g->n_nodes++;
    zkr_diag_clear(&inner);
    if ((r = zkr_ml_gprog_set_shape(g, g->n_nodes - 1, &inner)) != ZKR_OK) {
        g->n_nodes--;
        return FAIL(im, r == ZKR_ERR_MALFORMED ? ZKR_ERR_UNSUPPORTED : r, "%s", inner.msg);
    }
    *idx = g->n_nodes - 1;
    return ZKR_OK;
}

/* Defines output 0 as node idx, laid out NCHW (or [1, C] when flat). */
static zkr_err def_node_out(gimp *im, const Onnx__NodeProto *nd, uint32_t idx, int flat)
{
    const zkr_ml_gnode *n = &im->f->g.nodes[idx];
    gval v = {0};

    v.node = idx;
    v.fresh = 1;
    v.dim[0] = 1;
    v.dim[1] = n->c;
    v.rank = flat ? 2 : 4;
    v.dim[2] = n->h;
    v.dim[3] = n->w;
    return def_val(im, nd->output[0], &v);
}

static zkr_err alloc_weights(gimp *im, uint32_t idx)
{
    zkr_ml_gfmodel *f = im->f;
    size_t nw = (size_t)f->g.nodes[idx].c * zkr_ml_gprog_fanin(&f->g, idx);

    if ((f->w[idx] = calloc(nw ? nw : 1, sizeof(double))) == NULL ||
        (f->b[idx] = calloc(f->g.nodes[idx].c, sizeof(double))) == NULL)
        return ZKR_ERR_NOMEM;
    return ZKR_OK;
}

/* Adds a per-channel constant (shape [C], [1,C], [C,1,1], [1,C,1,1] or a scalar) to node idx's bias. */
static zkr_err add_bias(gimp *im, uint32_t idx, const Onnx__TensorProto *t, double scale)
{
    uint32_t rank, c = im->f->g.nodes[idx].c;
    int64_t dims[ZKR_ONNX_MAX_RANK];
    float *b = NULL;
    size_t n;
    zkr_err r;

    if ((r = floats(im, t, &rank, dims, &b, &n)) != ZKR_OK)
        return r;
    for (uint32_t k = 0, seen = 0; k < rank; k++)
        if (dims[k] != 1 && (dims[k] != c || seen++ || (rank == 4 && k != 1) ||
                             (rank == 3 && k != 0) || (rank == 2 && k != 1)))
            n = 0;
    if (n != 1 && n != c) {
        free(b);
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "constant '%s' is not a per-channel bias of %u",
                    t->name ? t->name : "", (unsigned)c);
    }
    for (uint32_t o = 0; o < c; o++)
        im->f->b[idx][o] += scale * b[n == 1 ? 0 : o];
    free(b);
    return ZKR_OK;
}

/* Whether v is the only-read direct output of a node with op in ops (act NONE unless relu_ok). */
static int foldable(gimp *im, const gval *v, int conv_dense_only)
{
    const zkr_ml_gnode *n = &im->f->g.nodes[v->node];

    if (!v->fresh || v->padded || v->node == 0 || uses(im, v->name) != 1 ||
        n->act != ZKR_ML_ACT_NONE)
        return 0;
    if (n->op == ZKR_ML_GOP_CONV || n->op == ZKR_ML_GOP_DENSE)
        return 1;
    return !conv_dense_only && n->op == ZKR_ML_GOP_ADD;
}

static zkr_err alias(gimp *im, const Onnx__NodeProto *nd, const gval *src, int fresh)
{
    gval v = *src;

    v.fresh = fresh;
    return def_val(im, nd->output[0], &v);
}

/* ---------------------------------------------------------------- */
/* Operators                                                         */
/* ---------------------------------------------------------------- */

/* kernel_shape, strides, pads and dilations of a 2-D window op (ONNX defaults). */
typedef struct {
    int64_t k[2], s[2], p[4], dil[2];
} win2d;

static zkr_err window_attrs(gimp *im, const gattr *ks, const gattr *st, const gattr *pd,
                            const gattr *dl, const gattr *ap, win2d *w)
{
    w->s[0] = w->s[1] = w->dil[0] = w->dil[1] = 1;
    memset(w->p, 0, sizeof w->p);
    if (ap && ap->found && strcmp(ap->s, "NOTSET") != 0 && strcmp(ap->s, "VALID") != 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "auto_pad '%s' (only NOTSET or VALID)", ap->s);
    if (ks->found && ks->n_ints != 2)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "kernel_shape of %zu dims (only 2-D)", ks->n_ints);
    if ((st->found && st->n_ints != 2) || (pd->found && pd->n_ints != 4) ||
        (dl && dl->found && dl->n_ints != 2))
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "strides, pads or dilations not 2-D");
    if (ks->found)
        memcpy(w->k, ks->ints, sizeof w->k);
    if (st->found)
        memcpy(w->s, st->ints, sizeof w->s);
    if (pd->found) /* ONNX order: top, left, bottom, right */
        memcpy(w->p, pd->ints, sizeof w->p);
    if (dl && dl->found)
        memcpy(w->dil, dl->ints, sizeof w->dil);
    for (int i = 0; i < 4; i++)
        if (w->p[i] < 0 || w->p[i] > 1024 || (i < 2 && (w->k[i] < 1 || w->k[i] > 1024 ||
                                                       w->s[i] < 1 || w->s[i] > 1024 ||
                                                       w->dil[i] < 1 || w->dil[i] > 1024)))
            return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "kernel, stride, pad or dilation out of range");
    return ZKR_OK;
}

static zkr_err op_conv(gimp *im, const Onnx__NodeProto *nd)
{
    gattr at[6] = {A("auto_pad", ATTR_STRING), A("dilations", ATTR_INTS), A("group", ATTR_INT),
                   A("kernel_shape", ATTR_INTS), A("pads", ATTR_INTS), A("strides", ATTR_INTS)};
    const Onnx__TensorProto *wt, *bt;
    zkr_ml_gnode n = {0};
    int64_t dims[ZKR_ONNX_MAX_RANK];
    uint32_t rank, idx;
    float *w = NULL;
    size_t nw;
    gval *x;
    win2d win;
    zkr_err r;

    if ((r = need_io(im, nd, 2, 3)) != ZKR_OK || (r = attrs(im, nd, at, 6)) != ZKR_OK ||
        (r = act_input(im, nd, 0, &x)) != ZKR_OK || (r = need_spatial(im, x)) != ZKR_OK ||
        (r = const_input(im, nd, 1, &wt)) != ZKR_OK || (r = const_input(im, nd, 2, &bt)) != ZKR_OK)
        return r;
    if (wt == NULL)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "no weight constant");
    if ((r = floats(im, wt, &rank, dims, &w, &nw)) != ZKR_OK)
        return r;
    if (rank != 4) {
        r = FAIL(im, ZKR_ERR_UNSUPPORTED, "weight of rank %u (only 2-D convolutions)", (unsigned)rank);
        goto out;
    }
    at[3].found = at[3].found || (at[3].n_ints = 2, at[3].ints[0] = dims[2], at[3].ints[1] = dims[3], 1);
    if ((r = window_attrs(im, &at[3], &at[5], &at[4], &at[1], &at[0], &win)) != ZKR_OK)
        goto out;
    if (win.k[0] != dims[2] || win.k[1] != dims[3]) {
        r = FAIL(im, ZKR_ERR_MALFORMED, "%s", "kernel_shape does not match the weight");
        goto out;
    }
    n = (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {x->node},
                       .c = (uint32_t)(dims[0] > 0 && dims[0] <= ZKR_ML_G_MAX_C ? dims[0] : 0),
                       .kh = (uint32_t)win.k[0], .kw = (uint32_t)win.k[1],
                       .sh = (uint32_t)win.s[0], .sw = (uint32_t)win.s[1],
                       .pt = (uint32_t)win.p[0] + x->pad[0], .pl = (uint32_t)win.p[1] + x->pad[1],
                       .pb = (uint32_t)win.p[2] + x->pad[2], .pr = (uint32_t)win.p[3] + x->pad[3],
                       .dh = (uint32_t)win.dil[0], .dw = (uint32_t)win.dil[1],
                       .groups = (uint32_t)(at[2].found ? (at[2].i > 0 && at[2].i <= 4096 ? at[2].i : 0) : 1)};
    if (n.groups == 0 || (int64_t)im->f->g.nodes[x->node].c != dims[1] * n.groups) {
        r = FAIL(im, ZKR_ERR_UNSUPPORTED, "group %lld with %lld weight channels does not fit %u "
                 "input channels (groups must be 1 or depthwise)", (long long)at[2].i,
                 (long long)dims[1], (unsigned)im->f->g.nodes[x->node].c);
        goto out;
    }
    if ((r = add_node(im, n, &idx)) != ZKR_OK || (r = alloc_weights(im, idx)) != ZKR_OK)
        goto out;
    for (size_t k = 0; k < nw; k++)
        im->f->w[idx][k] = w[k];
    if (bt != NULL && (r = add_bias(im, idx, bt, 1.0)) != ZKR_OK)
        goto out;
    r = def_node_out(im, nd, idx, 0);
out:
    free(w);
    return r;
}

/* Gemm (A x B^T or A x B, alpha, beta, C) and MatMul: a DENSE node on the flat input. */
static zkr_err op_dense(gimp *im, const Onnx__NodeProto *nd, int gemm)
{
    gattr at[4] = {A("alpha", ATTR_FLOAT), A("beta", ATTR_FLOAT), A("transA", ATTR_INT),
                   A("transB", ATTR_INT)};
    const Onnx__TensorProto *bt, *ct;
    int64_t dims[ZKR_ONNX_MAX_RANK];
    uint32_t rank, idx, nin;
    double alpha, beta;
    float *w = NULL;
    size_t nw;
    int transb;
    gval *x;
    zkr_err r;

    if ((r = need_io(im, nd, 2, gemm ? 3 : 2)) != ZKR_OK ||
        (r = attrs(im, nd, at, gemm ? 4 : 0)) != ZKR_OK || (r = act_input(im, nd, 0, &x)) != ZKR_OK ||
        (r = need_unpadded(im, x)) != ZKR_OK || (r = const_input(im, nd, 1, &bt)) != ZKR_OK ||
        (r = const_input(im, nd, 2, &ct)) != ZKR_OK)
        return r;
    nin = zkr_ml_gprog_elems(&im->f->g, x->node);
    if (x->rank != 2 || x->dim[0] != 1 || x->dim[1] != nin)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "input '%s' is not a [1, N] row (flatten first)",
                    x->name);
    if (at[2].found && at[2].i != 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "transA=1");
    if (bt == NULL)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "no weight constant");
    alpha = at[0].found ? at[0].f : 1.0;
    beta = at[1].found ? at[1].f : 1.0;
    transb = at[3].found && at[3].i != 0;
    if ((r = floats(im, bt, &rank, dims, &w, &nw)) != ZKR_OK)
        return r;
    if (rank != 2 || dims[transb ? 1 : 0] != nin || dims[transb ? 0 : 1] < 1 ||
        dims[transb ? 0 : 1] > ZKR_ML_G_MAX_C) {
        r = FAIL(im, ZKR_ERR_UNSUPPORTED, "weight '%s' is not %u x M (M in 1..%u)",
                 bt->name ? bt->name : "", (unsigned)nin, ZKR_ML_G_MAX_C);
        goto out;
    }
    if ((r = add_node(im, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {x->node},
                                         .c = (uint32_t)dims[transb ? 0 : 1]}, &idx)) != ZKR_OK ||
        (r = alloc_weights(im, idx)) != ZKR_OK)
        goto out;
    for (uint32_t j = 0; j < im->f->g.nodes[idx].c; j++)
        for (uint32_t k = 0; k < nin; k++)
            im->f->w[idx][(size_t)j * nin + k] =
                alpha * w[transb ? (size_t)j * nin + k : (size_t)k * im->f->g.nodes[idx].c + j];
    if (ct != NULL && (r = add_bias(im, idx, ct, beta)) != ZKR_OK)
        goto out;
    r = def_node_out(im, nd, idx, 1);
out:
    free(w);
    return r;
}

static zkr_err op_pool(gimp *im, const Onnx__NodeProto *nd, int maxp)
{
    gattr at[7] = {A("auto_pad", ATTR_STRING), A("ceil_mode", ATTR_INT),
                   A("kernel_shape", ATTR_INTS), A("pads", ATTR_INTS), A("strides", ATTR_INTS),
                   A("dilations", ATTR_INTS), A("storage_order", ATTR_INT)};
    gattr cip = A("count_include_pad", ATTR_INT);
    uint32_t idx;
    win2d win;
    gval *x;
    zkr_err r;

    if (!maxp) /* AveragePool: count_include_pad instead of dilations and storage_order */
        at[5] = cip;
    if ((r = need_io(im, nd, 1, 1)) != ZKR_OK || (r = attrs(im, nd, at, maxp ? 7 : 6)) != ZKR_OK ||
        (r = act_input(im, nd, 0, &x)) != ZKR_OK || (r = need_spatial(im, x)) != ZKR_OK)
        return r;
    if (!at[2].found)
        return FAIL(im, ZKR_ERR_MALFORMED, "%s", "no kernel_shape");
    if (at[1].found && at[1].i != 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "ceil_mode=1");
    if (maxp && at[6].found && at[6].i != 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "storage_order=1");
    if ((r = window_attrs(im, &at[2], &at[4], &at[3], maxp ? &at[5] : NULL, &at[0], &win)) != ZKR_OK)
        return r;
    if (maxp && (win.dil[0] != 1 || win.dil[1] != 1))
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "dilated max pooling");
    if (maxp && x->padded)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "a zero Pad before MaxPool (it changes the maximum)");
    if (!maxp && (!at[5].found || at[5].i == 0) && (win.p[0] | win.p[1] | win.p[2] | win.p[3]))
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s",
                    "padded AveragePool with count_include_pad=0 (the divisor would vary)");
    if (x->node == 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "pooling the raw input (pool after a Conv)");
    if ((r = add_node(im, (zkr_ml_gnode){.op = maxp ? ZKR_ML_GOP_MAXPOOL : ZKR_ML_GOP_AVGPOOL,
                                         .n_in = 1, .in = {x->node}, .kh = (uint32_t)win.k[0],
                                         .kw = (uint32_t)win.k[1], .sh = (uint32_t)win.s[0],
                                         .sw = (uint32_t)win.s[1],
                                         .pt = (uint32_t)win.p[0] + x->pad[0],
                                         .pl = (uint32_t)win.p[1] + x->pad[1],
                                         .pb = (uint32_t)win.p[2] + x->pad[2],
                                         .pr = (uint32_t)win.p[3] + x->pad[3]}, &idx)) != ZKR_OK)
        return r;
    return def_node_out(im, nd, idx, 0);
}

/* GlobalAveragePool, and ReduceMean over axes {2, 3} (keepdims 0 gives [1, C]). */
static zkr_err op_global(gimp *im, const Onnx__NodeProto *nd, int reduce)
{
    gattr at[2] = {A("axes", ATTR_INTS), A("keepdims", ATTR_INT)};
    const zkr_ml_gnode *in;
    uint32_t idx;
    int flat = 0;
    gval *x;
    zkr_err r;

    if ((r = need_io(im, nd, 1, 1)) != ZKR_OK || (r = attrs(im, nd, at, reduce ? 2 : 0)) != ZKR_OK ||
        (r = act_input(im, nd, 0, &x)) != ZKR_OK || (r = need_unpadded(im, x)) != ZKR_OK ||
        (r = need_spatial(im, x)) != ZKR_OK)
        return r;
    if (reduce) {
        int64_t a0 = at[0].ints[0] < 0 ? at[0].ints[0] + 4 : at[0].ints[0];
        int64_t a1 = at[0].ints[1] < 0 ? at[0].ints[1] + 4 : at[0].ints[1];
        if (!at[0].found || at[0].n_ints != 2 || !((a0 == 2 && a1 == 3) || (a0 == 3 && a1 == 2)))
            return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "ReduceMean over axes other than the spatial (2, 3)");
        flat = at[1].found && at[1].i == 0;
    }
    if (x->node == 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "pooling the raw input (pool after a Conv)");
    in = &im->f->g.nodes[x->node];
    if ((r = add_node(im, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {x->node},
                                         .kh = in->h, .kw = in->w, .sh = 1, .sw = 1}, &idx)) != ZKR_OK)
        return r;
    return def_node_out(im, nd, idx, flat);
}

/* BatchNormalization (inference) folded into the Conv/Gemm before it. */
static zkr_err op_batchnorm(gimp *im, const Onnx__NodeProto *nd)
{
    gattr at[3] = {A("epsilon", ATTR_FLOAT), A("momentum", ATTR_FLOAT), A("training_mode", ATTR_INT)};
    const Onnx__TensorProto *t[4];
    float *p[4] = {0};
    uint32_t c, fi, rank;
    int64_t dims[ZKR_ONNX_MAX_RANK];
    double eps;
    size_t n;
    gval *x;
    zkr_err r;

    if ((r = need_io(im, nd, 5, 5)) != ZKR_OK || (r = attrs(im, nd, at, 3)) != ZKR_OK ||
        (r = act_input(im, nd, 0, &x)) != ZKR_OK)
        return r;
    if (at[2].found && at[2].i != 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "training_mode=1");
    if (!foldable(im, x, 1))
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "input '%s' is not the output of a Conv or Gemm "
                    "read by nothing else (batch norm is folded into that layer)", x->name);
    eps = at[0].found ? at[0].f : 1e-5;
    c = im->f->g.nodes[x->node].c;
    fi = zkr_ml_gprog_fanin(&im->f->g, x->node);
    for (int k = 0; k < 4; k++) {
        if ((r = const_input(im, nd, (size_t)k + 1, &t[k])) != ZKR_OK)
            goto out;
        if (t[k] == NULL || (r = floats(im, t[k], &rank, dims, &p[k], &n)) != ZKR_OK || n != c) {
            r = r != ZKR_OK ? r : FAIL(im, ZKR_ERR_MALFORMED, "parameter %d is not %u values", k + 1, (unsigned)c);
            goto out;
        }
    }
    for (uint32_t o = 0; o < c; o++) { /* k = scale / sqrt(var + eps) */
        double k = p[0][o] / sqrt((double)p[3][o] + eps);
        if (!isfinite(k) || !((double)p[3][o] + eps > 0)) {
            r = FAIL(im, ZKR_ERR_MALFORMED, "channel %u: variance + epsilon is not positive", (unsigned)o);
            goto out;
        }
        for (uint32_t j = 0; j < fi; j++)
            im->f->w[x->node][(size_t)o * fi + j] *= k;
        im->f->b[x->node][o] = (im->f->b[x->node][o] - p[2][o]) * k + p[1][o];
    }
    r = alias(im, nd, x, 1);
out:
    for (int k = 0; k < 4; k++)
        free(p[k]);
    return r;
}

/* Add: a bias folded into the Conv/Gemm before it, or ADD of two tensors. */
static zkr_err op_add(gimp *im, const Onnx__NodeProto *nd)
{
    gval *a, *b;
    uint32_t idx;
    zkr_err r;

    if ((r = need_io(im, nd, 2, 2)) != ZKR_OK || (r = attrs(im, nd, NULL, 0)) != ZKR_OK)
        return r;
    a = find_val(im, nd->input[0]);
    b = find_val(im, nd->input[1]);
    if (a == NULL || b == NULL)
        return FAIL(im, ZKR_ERR_MALFORMED, "%s", "an input is not defined before it");
    if (a->konst != NULL || b->konst != NULL) {
        gval *x = a->konst != NULL ? b : a;
        if (x->konst != NULL)
            return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "an Add of two constants");
        if (!foldable(im, x, 1))
            return FAIL(im, ZKR_ERR_UNSUPPORTED, "input '%s' is not the output of a Conv or "
                        "Gemm read by nothing else (a constant Add is folded into its bias)",
                        x->name);
        if ((r = add_bias(im, x->node, a->konst != NULL ? a->konst : b->konst, 1.0)) != ZKR_OK)
            return r;
        return alias(im, nd, x, 1);
    }
    if ((r = need_unpadded(im, a)) != ZKR_OK || (r = need_unpadded(im, b)) != ZKR_OK)
        return r;
    if (a->rank != b->rank || memcmp(a->dim, b->dim, a->rank * sizeof a->dim[0]) != 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "an Add of tensors of different shapes (no broadcasting)");
    if (a->node == 0 || b->node == 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "an Add reading the raw input");
    if ((r = add_node(im, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .n_in = 2,
                                         .in = {a->node, b->node}}, &idx)) != ZKR_OK)
        return r;
    {
        gval v = *a;
        v.node = idx;
        v.fresh = 1;
        return def_val(im, nd->output[0], &v);
    }
}

static zkr_err op_concat(gimp *im, const Onnx__NodeProto *nd)
{
    gattr at[1] = {A("axis", ATTR_INT)};
    zkr_ml_gnode n = {.op = ZKR_ML_GOP_CONCAT};
    uint32_t idx;
    zkr_err r;

    if (nd->n_input < 2 || nd->n_input > ZKR_ML_G_MAX_IN || nd->n_output != 1)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%zu inputs (2..%u)", nd->n_input, ZKR_ML_G_MAX_IN);
    if ((r = attrs(im, nd, at, 1)) != ZKR_OK)
        return r;
    if (!at[0].found || (at[0].i != 1 && at[0].i != -3))
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "axis %lld (only channels, axis 1)", (long long)at[0].i);
    for (size_t k = 0; k < nd->n_input; k++) {
        gval *x;
        if ((r = act_input(im, nd, k, &x)) != ZKR_OK || (r = need_unpadded(im, x)) != ZKR_OK ||
            (r = need_spatial(im, x)) != ZKR_OK)
            return r;
        if (x->node == 0)
            return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "a Concat reading the raw input");
        n.in[k] = x->node;
    }
    n.n_in = (uint8_t)nd->n_input;
    if ((r = add_node(im, n, &idx)) != ZKR_OK)
        return r;
    return def_node_out(im, nd, idx, 0);
}

/* A scalar float constant input (Clip's min and max); absent leaves *v. */
static zkr_err scalar_input(gimp *im, const Onnx__NodeProto *nd, size_t k, double *v)
{
    const Onnx__TensorProto *t;
    int64_t dims[ZKR_ONNX_MAX_RANK];
    uint32_t rank;
    float *p = NULL;
    size_t n;
    zkr_err r;

    if ((r = const_input(im, nd, k, &t)) != ZKR_OK || t == NULL)
        return r;
    if ((r = floats(im, t, &rank, dims, &p, &n)) != ZKR_OK)
        return r;
    if (n != 1)
        r = FAIL(im, ZKR_ERR_UNSUPPORTED, "input %zu is not a scalar", k);
    else
        *v = p[0];
    free(p);
    return r;
}

/* Relu folds into the clamp of the node before it when it can; otherwise it is a table. */
static zkr_err op_unary(gimp *im, const Onnx__NodeProto *nd, uint8_t fn)
{
    gattr at[2] = {A("alpha", ATTR_FLOAT), A("beta", ATTR_FLOAT)};
    size_t n_at = fn == ZKR_ML_FN_LEAKY ? 1 : fn == ZKR_ML_FN_HSIGMOID ? 2 : 0;
    double alpha = fn == ZKR_ML_FN_LEAKY ? 0.01 : fn == ZKR_ML_FN_HSIGMOID ? 0.2 : -HUGE_VAL;
    double beta = fn == ZKR_ML_FN_HSIGMOID ? 0.5 : HUGE_VAL;
    uint32_t idx;
    gval *x, v;
    zkr_err r;

    if ((r = need_io(im, nd, 1, fn == ZKR_ML_FN_CLIP ? 3 : 1)) != ZKR_OK ||
        (r = attrs(im, nd, at, n_at)) != ZKR_OK || (r = act_input(im, nd, 0, &x)) != ZKR_OK ||
        (r = need_unpadded(im, x)) != ZKR_OK)
        return r;
    if (at[0].found)
        alpha = at[0].f;
    if (at[1].found)
        beta = at[1].f;
    if (fn == ZKR_ML_FN_CLIP) {
        if ((r = scalar_input(im, nd, 1, &alpha)) != ZKR_OK || (r = scalar_input(im, nd, 2, &beta)) != ZKR_OK)
            return r;
        if (alpha == 0 && beta == HUGE_VAL)
            fn = ZKR_ML_FN_RELU; /* Clip(0, +inf) is Relu */
    }
    if (fn == ZKR_ML_FN_RELU && x->node == 0)
        return alias(im, nd, x, 0); /* the input (byte / 255) is >= 0 */
    if (fn == ZKR_ML_FN_RELU && foldable(im, x, 0)) {
        im->f->g.nodes[x->node].act = ZKR_ML_ACT_RELU;
        return alias(im, nd, x, 0);
    }
    if (x->node == 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "an activation of the raw input");
    if ((r = add_node(im, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {x->node}},
                      &idx)) != ZKR_OK)
        return r;
    im->f->fn[idx] = fn;
    im->f->alpha[idx] = alpha;
    im->f->beta[idx] = beta;
    v = *x;
    v.node = idx;
    v.fresh = 1;
    return def_val(im, nd->output[0], &v);
}

static zkr_err op_flatten(gimp *im, const Onnx__NodeProto *nd)
{
    gattr at[1] = {A("axis", ATTR_INT)};
    gval *x, v;
    zkr_err r;

    if ((r = need_io(im, nd, 1, 1)) != ZKR_OK || (r = attrs(im, nd, at, 1)) != ZKR_OK ||
        (r = act_input(im, nd, 0, &x)) != ZKR_OK || (r = need_unpadded(im, x)) != ZKR_OK)
        return r;
    if (at[0].found && at[0].i != 1 && at[0].i != 0 && at[0].i != 1 - (int64_t)x->rank)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "axis %lld (a batch of one flattens at axis 1)",
                    (long long)at[0].i);
    v = *x;
    v.rank = 2;
    v.dim[0] = 1;
    v.dim[1] = zkr_ml_gprog_elems(&im->f->g, x->node);
    v.fresh = 0;
    return def_val(im, nd->output[0], &v);
}

static zkr_err op_reshape(gimp *im, const Onnx__NodeProto *nd)
{
    gattr at[1] = {A("allowzero", ATTR_INT)};
    const Onnx__TensorProto *st;
    int64_t s[ZKR_ONNX_MAX_RANK], known = 1, total;
    uint32_t n, infer = ZKR_ONNX_MAX_RANK;
    gval *x, v;
    zkr_err r;

    if ((r = need_io(im, nd, 2, 2)) != ZKR_OK || (r = attrs(im, nd, at, 1)) != ZKR_OK ||
        (r = act_input(im, nd, 0, &x)) != ZKR_OK || (r = need_unpadded(im, x)) != ZKR_OK ||
        (r = const_input(im, nd, 1, &st)) != ZKR_OK)
        return r;
    if (st == NULL)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "the shape must be a constant");
    if ((r = zkr_onnx_load_int64s(st, im->file, im->node, im->op, s, &n, im->d)) != ZKR_OK)
        return r;
    total = zkr_ml_gprog_elems(&im->f->g, x->node);
    v = *x;
    v.rank = n;
    v.fresh = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] == -1 && infer == ZKR_ONNX_MAX_RANK) {
            infer = i;
            continue;
        }
        if (s[i] == 0 && !(at[0].found && at[0].i) && i < x->rank)
            s[i] = x->dim[i];
        if (s[i] < 1 || s[i] > total)
            goto bad;
        v.dim[i] = s[i];
        known *= s[i];
    }
    if (infer != ZKR_ONNX_MAX_RANK) {
        if (total % known != 0)
            goto bad;
        v.dim[infer] = total / known;
        known = total;
    }
    if (known != total || n == 0 || v.dim[0] != 1)
        goto bad;
    return def_val(im, nd->output[0], &v);
bad:
    return FAIL(im, ZKR_ERR_UNSUPPORTED, "shape '%s' does not relabel %lld elements with batch 1",
                nd->input[1], (long long)total);
}

/* Transpose: only when the dims larger than 1 keep their order (the bytes do not move). */
static zkr_err op_transpose(gimp *im, const Onnx__NodeProto *nd)
{
    gattr at[1] = {A("perm", ATTR_INTS)};
    int64_t last = -1;
    gval *x, v;
    zkr_err r;

    if ((r = need_io(im, nd, 1, 1)) != ZKR_OK || (r = attrs(im, nd, at, 1)) != ZKR_OK ||
        (r = act_input(im, nd, 0, &x)) != ZKR_OK || (r = need_unpadded(im, x)) != ZKR_OK)
        return r;
    if (!at[0].found || at[0].n_ints != x->rank)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "no perm of the input's rank");
    v = *x;
    v.fresh = 0;
    for (uint32_t i = 0; i < x->rank; i++) {
        int64_t p = at[0].ints[i];
        if (p < 0 || p >= (int64_t)x->rank)
            return FAIL(im, ZKR_ERR_MALFORMED, "perm entry %lld", (long long)p);
        v.dim[i] = x->dim[p];
        if (x->dim[p] > 1) {
            if (p < last)
                return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s",
                            "a Transpose that moves data (only relabelling ones are supported)");
            last = p;
        }
    }
    return def_val(im, nd->output[0], &v);
}

/* Pad: constant zero on H and W only, held for the next Conv or AveragePool. */
static zkr_err op_pad(gimp *im, const Onnx__NodeProto *nd)
{
    gattr at[1] = {A("mode", ATTR_STRING)};
    const Onnx__TensorProto *pt;
    int64_t p[ZKR_ONNX_MAX_RANK];
    double cval = 0;
    uint32_t n;
    gval *x, v;
    zkr_err r;

    if ((r = need_io(im, nd, 2, 3)) != ZKR_OK || (r = attrs(im, nd, at, 1)) != ZKR_OK ||
        (r = act_input(im, nd, 0, &x)) != ZKR_OK || (r = need_unpadded(im, x)) != ZKR_OK ||
        (r = need_spatial(im, x)) != ZKR_OK || (r = const_input(im, nd, 1, &pt)) != ZKR_OK ||
        (r = scalar_input(im, nd, 2, &cval)) != ZKR_OK)
        return r;
    if (at[0].found && strcmp(at[0].s, "constant") != 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "mode '%s' (only constant zero)", at[0].s);
    if (cval != 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "constant value %g (only zero)", cval);
    if (pt == NULL || (r = zkr_onnx_load_int64s(pt, im->file, im->node, im->op, p, &n, im->d)) != ZKR_OK)
        return r != ZKR_OK ? r : FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "the pads must be a constant");
    /* [n0, c0, h0, w0, n1, c1, h1, w1] */
    if (n != 8 || p[0] || p[1] || p[4] || p[5] || p[2] < 0 || p[3] < 0 || p[6] < 0 || p[7] < 0 ||
        p[2] > 32 || p[3] > 32 || p[6] > 32 || p[7] > 32)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "pads other than 0..32 on H and W");
    v = *x;
    v.fresh = 0;
    v.padded = 1;
    v.pad[0] = (uint32_t)p[2], v.pad[1] = (uint32_t)p[3], v.pad[2] = (uint32_t)p[6], v.pad[3] = (uint32_t)p[7];
    v.dim[2] += p[2] + p[6];
    v.dim[3] += p[3] + p[7];
    return def_val(im, nd->output[0], &v);
}

/*
 * Whether nd is a Constant this importer reads: the standard domain, no
 * input, one named output, and one attribute "value" of type TENSOR. One
 * rule for a Constant met on its own (op_constant) and inside a pattern
 * (op_gelu), so a node refused in one place is not read in the other.
 */
static int is_value_constant(const Onnx__NodeProto *nd)
{
    const Onnx__AttributeProto *a = nd->n_attribute == 1 ? nd->attribute[0] : NULL;

    return nd->op_type && strcmp(nd->op_type, "Constant") == 0 &&
           (is_empty(nd->domain) || strcmp(nd->domain, "ai.onnx") == 0) && nd->n_input == 0 &&
           nd->n_output == 1 && !is_empty(nd->output[0]) && a != NULL && a->name != NULL &&
           strcmp(a->name, "value") == 0 && a->has_type && a->type == ATTR_TENSOR && a->t != NULL;
}

static zkr_err op_constant(gimp *im, const Onnx__NodeProto *nd)
{
    gval v = {0};

    if (!is_value_constant(nd))
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "only a 'value' tensor is supported");
    v.konst = nd->attribute[0]->t;
    return def_val(im, nd->output[0], &v);
}

static zkr_err op_identity(gimp *im, const Onnx__NodeProto *nd)
{
    gval *x;
    zkr_err r;

    if ((r = need_io(im, nd, 1, 1)) != ZKR_OK || (r = attrs(im, nd, NULL, 0)) != ZKR_OK)
        return r;
    if ((x = find_val(im, nd->input[0])) == NULL)
        return FAIL(im, ZKR_ERR_MALFORMED, "input '%s' is not defined before it", nd->input[0]);
    return alias(im, nd, x, 0);
}

/* Softmax: only as the graph's output; the program's output is its input (the logits). */
static zkr_err op_softmax(gimp *im, const Onnx__NodeProto *nd)
{
    gattr at[1] = {A("axis", ATTR_INT)};
    gval *x;
    zkr_err r;

    if ((r = need_io(im, nd, 1, 1)) != ZKR_OK || (r = attrs(im, nd, at, 1)) != ZKR_OK ||
        (r = act_input(im, nd, 0, &x)) != ZKR_OK)
        return r;
    if (im->gp->n_output != 1 || im->gp->output[0]->name == NULL ||
        strcmp(im->gp->output[0]->name, nd->output[0]) != 0 ||
        x->rank != 2 || (at[0].found && at[0].i != 1 && at[0].i != -1))
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s",
                    "Softmax only as the last node, over the classes of a [1, N] output");
    return alias(im, nd, x, 0);
}

/* Whether input k of nd is a scalar float constant equal to v (to float precision). */
static int const_is(gimp *im, const Onnx__NodeProto *nd, size_t k, double v)
{
    double got = NAN;
    zkr_diag scratch;
    zkr_diag *keep = im->d;

    zkr_diag_clear(&scratch);
    im->d = &scratch;
    (void)scalar_input(im, nd, k, &got);
    im->d = keep;
    return fabs(got - v) <= 1e-6 * fabs(v);
}

static int is_op(const Onnx__NodeProto *nd, const char *op, size_t n_in)
{
    return nd->op_type && strcmp(nd->op_type, op) == 0 && nd->n_input == n_in &&
           nd->n_output == 1 && !is_empty(nd->output[0]) && nd->n_attribute == 0;
}

/*
 * Gelu as PyTorch writes it before opset 20: Div(x, sqrt 2), Erf, Add(1),
 * Mul(x, .), Mul(., 0.5), the five consecutive nodes starting at nd, each
 * intermediate read only by the next. Becomes one LOOKUP node; *skip is the
 * number of ONNX nodes consumed after nd. Not the pattern: ZKR_ERR_UNSUPPORTED.
 */
static zkr_err op_gelu(gimp *im, const Onnx__NodeProto *nd, size_t *skip)
{
    const Onnx__NodeProto *n[5] = {nd, NULL, NULL, NULL, NULL};
    size_t k = 1, j = im->node + 1;
    const char *x;
    gval *xv;

    /* The next four nodes that are not Constant (PyTorch puts each Constant just before its use). */
    for (; j < im->gp->n_node && k < 5; j++) {
        const Onnx__NodeProto *c = im->gp->node[j];
        if (is_value_constant(c)) {
            gval v = {0};
            zkr_err r;
            v.konst = c->attribute[0]->t;
            if ((r = def_val(im, c->output[0], &v)) != ZKR_OK)
                return r;
            continue;
        }
        n[k++] = c;
    }
    if (k < 5 || !is_op(nd, "Div", 2) || !is_op(n[1], "Erf", 1) ||
        !is_op(n[2], "Add", 2) || !is_op(n[3], "Mul", 2) || !is_op(n[4], "Mul", 2))
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "unsupported operator");
    x = nd->input[0];
    if (!const_is(im, nd, 1, sqrt(2.0)) || strcmp(n[1]->input[0], nd->output[0]) != 0 ||
        !((strcmp(n[2]->input[0], n[1]->output[0]) == 0 && const_is(im, n[2], 1, 1.0)) ||
          (strcmp(n[2]->input[1], n[1]->output[0]) == 0 && const_is(im, n[2], 0, 1.0))) ||
        !((strcmp(n[3]->input[0], x) == 0 && strcmp(n[3]->input[1], n[2]->output[0]) == 0) ||
          (strcmp(n[3]->input[1], x) == 0 && strcmp(n[3]->input[0], n[2]->output[0]) == 0)) ||
        !((strcmp(n[4]->input[0], n[3]->output[0]) == 0 && const_is(im, n[4], 1, 0.5)) ||
          (strcmp(n[4]->input[1], n[3]->output[0]) == 0 && const_is(im, n[4], 0, 0.5))) ||
        uses(im, nd->output[0]) != 1 || uses(im, n[1]->output[0]) != 1 ||
        uses(im, n[2]->output[0]) != 1 || uses(im, n[3]->output[0]) != 1)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s",
                    "unsupported operator (only as part of Gelu: Div by sqrt 2, Erf, Add 1, "
                    "Mul by the input, Mul by 0.5)");
    if ((xv = find_val(im, x)) == NULL || xv->konst != NULL)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "Gelu of a constant");
    {
        /* Run the LOOKUP as if it were the last Mul: its output is the Gelu's. */
        Onnx__NodeProto last = *n[4];
        char *in0[1] = {(char *)x};
        zkr_err r;
        last.n_input = 1;
        last.input = in0;
        if ((r = op_unary(im, &last, ZKR_ML_FN_GELU)) != ZKR_OK)
            return r;
    }
    *skip = j - 1 - im->node;
    return ZKR_OK;
}

static zkr_err import_node(gimp *im, const Onnx__NodeProto *nd, size_t *skip)
{
    static const struct {
        const char *op;
        uint8_t fn;
    } unary[] = {{"Relu", ZKR_ML_FN_RELU},       {"LeakyRelu", ZKR_ML_FN_LEAKY},
                 {"Sigmoid", ZKR_ML_FN_SIGMOID}, {"Tanh", ZKR_ML_FN_TANH},
                 {"HardSigmoid", ZKR_ML_FN_HSIGMOID}, {"HardSwish", ZKR_ML_FN_HSWISH},
                 {"Clip", ZKR_ML_FN_CLIP}};
    const char *op = im->op;

    if (!is_empty(nd->domain) && strcmp(nd->domain, "ai.onnx") != 0)
        return FAIL(im, ZKR_ERR_UNSUPPORTED, "operator domain '%s' is not supported", nd->domain);
    for (size_t i = 0; i < nd->n_input; i++)
        if (nd->input[i] == NULL)
            return FAIL(im, ZKR_ERR_MALFORMED, "%s", "a null input");
    for (size_t i = 0; i < sizeof unary / sizeof unary[0]; i++)
        if (strcmp(op, unary[i].op) == 0)
            return op_unary(im, nd, unary[i].fn);
    if (strcmp(op, "Conv") == 0)
        return op_conv(im, nd);
    if (strcmp(op, "Gemm") == 0 || strcmp(op, "MatMul") == 0)
        return op_dense(im, nd, op[0] == 'G');
    if (strcmp(op, "MaxPool") == 0 || strcmp(op, "AveragePool") == 0)
        return op_pool(im, nd, op[0] == 'M');
    if (strcmp(op, "GlobalAveragePool") == 0 || strcmp(op, "ReduceMean") == 0)
        return op_global(im, nd, op[0] == 'R');
    if (strcmp(op, "BatchNormalization") == 0)
        return op_batchnorm(im, nd);
    if (strcmp(op, "Add") == 0)
        return op_add(im, nd);
    if (strcmp(op, "Concat") == 0)
        return op_concat(im, nd);
    if (strcmp(op, "Flatten") == 0)
        return op_flatten(im, nd);
    if (strcmp(op, "Reshape") == 0)
        return op_reshape(im, nd);
    if (strcmp(op, "Transpose") == 0)
        return op_transpose(im, nd);
    if (strcmp(op, "Pad") == 0)
        return op_pad(im, nd);
    if (strcmp(op, "Constant") == 0)
        return op_constant(im, nd);
    if (strcmp(op, "Identity") == 0)
        return op_identity(im, nd);
    if (strcmp(op, "Softmax") == 0)
        return op_softmax(im, nd);
    if (strcmp(op, "Div") == 0)
        return op_gelu(im, nd, skip);
    return FAIL(im, ZKR_ERR_UNSUPPORTED, "%s", "unsupported operator");
}

/* ---------------------------------------------------------------- */
/* The graph                                                         */
/* ---------------------------------------------------------------- */

/* The one non-initializer graph input becomes node 0 ([1, C, H, W] or [1, N]). */
static zkr_err input_node(gimp *im)
{
    const Onnx__ValueInfoProto *in = NULL;
    gval v = {0};
    zkr_ml_gnode *n0 = &im->f->g.nodes[0];
    zkr_err r;

    for (size_t i = 0; i < im->gp->n_input; i++) {
        const Onnx__ValueInfoProto *x = im->gp->input[i];
        int is_init = 0;
        if (is_empty(x->name))
            return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: graph input %zu has no name", im->file, i);
        for (size_t k = 0; k < im->gp->n_initializer; k++)
            is_init |= strcmp(im->gp->initializer[k]->name, x->name) == 0;
        if (is_init)
            continue;
        if (in != NULL)
            return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: more than one graph input ('%s', '%s')",
                            im->file, in->name, x->name);
        in = x;
    }
    if (in == NULL)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: the graph has no input", im->file);
    if ((r = zkr_onnx_value_shape(in, im->file, &v.rank, v.dim, im->d)) != ZKR_OK)
        return r;
    if (v.dim[0] != 1 || (v.rank != 2 && v.rank != 4))
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED,
                        "%s: input '%s' must be [1, C, H, W] or [1, N] (a batch of one)",
                        im->file, in->name);
    *n0 = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = (uint32_t)v.dim[1],
                         .h = v.rank == 4 ? (uint32_t)v.dim[2] : 1,
                         .w = v.rank == 4 ? (uint32_t)v.dim[3] : 1};
    if (v.dim[1] > ZKR_ML_G_MAX_C || (v.rank == 4 && (v.dim[2] > ZKR_ML_G_MAX_HW ||
                                                      v.dim[3] > ZKR_ML_G_MAX_HW)) ||
        (uint64_t)n0->c * n0->h * n0->w > ZKR_ML_G_MAX_ELEMS)
        return zkr_fail(im->d, ZKR_ERR_TOO_LARGE, "%s: input '%s' is too large", im->file, in->name);
    im->f->g.n_nodes = 1;
    im->f->g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    v.name = in->name;
    return def_val(im, in->name, &v);
}

/* The graph output must be the last node's values. */
static zkr_err output_node(gimp *im)
{
    const zkr_ml_gprog *g = &im->f->g;
    int64_t dims[ZKR_ONNX_MAX_RANK], n = 1;
    uint32_t rank;
    gval *v;
    zkr_err r;

    if (im->gp->n_output != 1 || is_empty(im->gp->output[0]->name))
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: %zu graph outputs, expected 1", im->file,
                        im->gp->n_output);
    if ((v = find_val(im, im->gp->output[0]->name)) == NULL || v->konst != NULL)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: graph output '%s' is not computed",
                        im->file, im->gp->output[0]->name);
    if (v->node + 1 != g->n_nodes || v->node == 0 || v->padded)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED,
                        "%s: graph output '%s' is not the last operation's result", im->file,
                        v->name);
    if ((r = zkr_onnx_value_shape(im->gp->output[0], im->file, &rank, dims, im->d)) != ZKR_OK)
        return r;
    for (uint32_t i = 0; i < rank; i++)
        n *= dims[i];
    if (n != zkr_ml_gprog_elems(g, v->node))
        return zkr_fail(im->d, ZKR_ERR_MALFORMED,
                        "%s: graph output '%s' declares %lld elements, the graph computes %u",
                        im->file, v->name, (long long)n, (unsigned)zkr_ml_gprog_elems(g, v->node));
    return ZKR_OK;
}

zkr_err zkr_onnx_graph_import(const Onnx__GraphProto *gp, const char *file,
                              zkr_ml_gfmodel **out, zkr_diag *d)
{
    gimp im = {.file = file, .d = d, .gp = gp};
    zkr_diag inner;
    zkr_err r;

    *out = NULL;
    if (gp->n_node > MAX_ONNX_NODES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: more than %u nodes", file, MAX_ONNX_NODES);
    if ((im.vals = calloc(gp->n_node + gp->n_initializer + 2, sizeof *im.vals)) == NULL ||
        (im.f = calloc(1, sizeof *im.f)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = input_node(&im)) != ZKR_OK)
        goto out;
    for (im.node = 0; im.node < gp->n_node; im.node++) {
        const Onnx__NodeProto *nd = gp->node[im.node];
        im.op = nd->op_type ? nd->op_type : "";
        im.nm = nd->name ? nd->name : "";
        size_t skip = 0;
        if ((r = import_node(&im, nd, &skip)) != ZKR_OK)
            goto out;
        im.node += skip;
    }
    if ((r = output_node(&im)) != ZKR_OK)
        goto out;
    zkr_diag_clear(&inner);
    if ((r = zkr_ml_gprog_check(&im.f->g, &inner)) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_UNSUPPORTED, "%s: the imported graph is refused: %s", file, inner.msg);
        goto out;
    }
    *out = im.f;
    im.f = NULL;
out:
    zkr_ml_gfmodel_free(im.f);
    free(im.vals);
    return r;
}
