/*
 * ONNX import: a ModelProto parsed by the protobuf-c code generated at build
 * time from Debian's onnx.proto, folded into a chain of dense layers.
 *
 * The graph must be a chain: every node consumes the current activation
 * (the value derived from the one graph input) and constants. Gemm and
 * MatMul open a dense layer, Add folds into its bias, Relu closes it,
 * Flatten/Reshape/Identity only change the shape (with a batch of one they
 * keep the element order, so the record's feature vector is unchanged).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/ml_int.h"
#include "ml/onnx_int.h"

#define MAX_RANK ZKR_ONNX_MAX_RANK
#define MAX_NODES 4096u
#define MAX_ELEMS ((int64_t)1 << 24)
#define OPSET_MIN 11
#define OPSET_MAX 17
#define ONNX_FLOAT 1
#define ONNX_INT64 7

typedef struct {
    uint32_t rank;
    int64_t dim[MAX_RANK];
} shape_t;

typedef struct {
    const char *name; /* a tensor name */
    const Onnx__TensorProto *t;
} const_entry;

typedef struct {
    const char *file;
    zkr_diag *d;
    const Onnx__GraphProto *gp;
    const_entry *consts; /* Constant outputs and Identity aliases of constants */
    size_t n_consts;
    const char *act;     /* the current activation's name */
    shape_t act_shape;
    int open;            /* the last layer has no Relu yet and may take an Add */
    uint32_t n_layers;
    zkr_ml_layer_desc desc[ZKR_ML_MAX_LAYERS];
    float *w[ZKR_ML_MAX_LAYERS];
    float *b[ZKR_ML_MAX_LAYERS];
    size_t node;         /* position of the node being folded */
    const char *op;
} imp_t;

static int64_t shape_elems(const shape_t *s)
{
    int64_t n = 1;

    for (uint32_t i = 0; i < s->rank; i++) {
        if (s->dim[i] < 0 || (s->dim[i] != 0 && n > MAX_ELEMS / s->dim[i]))
            return -1;
        n *= s->dim[i];
    }
    return n;
}

static int is_empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* Finds a constant tensor by name: aliases first, then initializers. */
static const Onnx__TensorProto *find_const(const imp_t *im, const char *name)
{
    for (size_t i = 0; i < im->n_consts; i++)
        if (strcmp(im->consts[i].name, name) == 0)
            return im->consts[i].t;
    for (size_t i = 0; i < im->gp->n_initializer; i++)
        if (im->gp->initializer[i]->name && strcmp(im->gp->initializer[i]->name, name) == 0)
            return im->gp->initializer[i];
    return NULL;
}

static zkr_err tensor_shape(const imp_t *im, const Onnx__TensorProto *t, shape_t *s)
{
    if (t->n_dims > MAX_RANK)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: tensor '%s' has rank %zu (at most %u)",
                        im->file, t->name ? t->name : "", t->n_dims, MAX_RANK);
    s->rank = (uint32_t)t->n_dims;
    for (size_t i = 0; i < t->n_dims; i++)
        s->dim[i] = t->dims[i];
    if (shape_elems(s) < 0)
        return zkr_fail(im->d, ZKR_ERR_TOO_LARGE, "%s: tensor '%s' has negative or too large dims",
                        im->file, t->name ? t->name : "");
    return ZKR_OK;
}

/* Loads a float32 tensor (float_data or little-endian raw_data) into a new array. */
static zkr_err load_floats(const imp_t *im, const Onnx__TensorProto *t, shape_t *s, float **out)
{
    const char *nm = t->name ? t->name : "";
    zkr_err r;
    int64_t n;

    *out = NULL;
    if ((r = tensor_shape(im, t, s)) != ZKR_OK)
        return r;
    n = shape_elems(s);
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: tensor '%s' uses external data", im->file,
                        nm);
    if (!t->has_data_type || t->data_type != ONNX_FLOAT)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED,
                        "%s: tensor '%s' has data_type %d, only float32 (1) is supported",
                        im->file, nm, (int)t->data_type);
    if (t->has_raw_data == (t->n_float_data > 0) && n > 0)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED,
                        "%s: tensor '%s' must carry exactly one of raw_data and float_data",
                        im->file, nm);
    if (t->has_raw_data ? t->raw_data.len != (size_t)n * 4 : t->n_float_data != (size_t)n)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED,
                        "%s: tensor '%s' holds %zu values, its dims say %lld", im->file, nm,
                        t->has_raw_data ? t->raw_data.len / 4 : t->n_float_data, (long long)n);
    if ((*out = calloc(n > 0 ? (size_t)n : 1, sizeof(float))) == NULL)
        return ZKR_ERR_NOMEM;
    for (int64_t i = 0; i < n; i++) {
        float v;
        if (t->has_raw_data) {
            const uint8_t *q = t->raw_data.data + 4 * i;
            uint32_t u = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
                         (uint32_t)q[3] << 24;
            memcpy(&v, &u, sizeof v);
        } else {
            v = t->float_data[i];
        }
        if (!isfinite(v)) {
            free(*out);
            *out = NULL;
            return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: tensor '%s' holds %s at index %lld",
                            im->file, nm, isnan(v) ? "NaN" : "Inf", (long long)i);
        }
        (*out)[i] = v;
    }
    return ZKR_OK;
}

/* Loads a 1-D int64 tensor (a Reshape shape). */
static zkr_err load_int64s(const imp_t *im, const Onnx__TensorProto *t, int64_t *v, uint32_t *n)
{
    const char *nm = t->name ? t->name : "";
    size_t cnt;

    if (!t->has_data_type || t->data_type != ONNX_INT64 || t->n_dims != 1)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (%s): shape '%s' must be 1-D int64",
                        im->file, im->node, im->op, nm);
    if (t->dims[0] < 0 || t->dims[0] > (int64_t)MAX_RANK)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (%s): shape '%s' has %lld entries",
                        im->file, im->node, im->op, nm, (long long)t->dims[0]);
    cnt = (size_t)t->dims[0];
    if (t->has_raw_data ? t->raw_data.len != cnt * 8 || t->n_int64_data != 0
                        : t->n_int64_data != cnt)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: tensor '%s' does not hold %zu int64 values",
                        im->file, nm, cnt);
    for (size_t i = 0; i < cnt; i++)
        v[i] = t->has_raw_data ? (int64_t)zkr_load_le64(t->raw_data.data + 8 * i)
                               : t->int64_data[i];
    *n = (uint32_t)cnt;
    return ZKR_OK;
}

/* ---------------------------------------------------------------- */
/* Attributes                                                        */
/* ---------------------------------------------------------------- */

typedef struct {
    const char *name;
    Onnx__AttributeProto__AttributeType type;
    int found;
    float f;
    int64_t i;
} attr_t;

/* Reads the node's attributes into want[]; an unknown or mistyped one is refused. */
static zkr_err read_attrs(const imp_t *im, const Onnx__NodeProto *nd, attr_t *want, size_t n_want)
{
    for (size_t a = 0; a < nd->n_attribute; a++) {
        const Onnx__AttributeProto *at = nd->attribute[a];
        size_t k;

        for (k = 0; k < n_want; k++)
            if (at->name && strcmp(at->name, want[k].name) == 0)
                break;
        if (k == n_want)
            return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (%s): unsupported attribute '%s'",
                            im->file, im->node, im->op, at->name ? at->name : "");
        if (want[k].found || !at->has_type || at->type != want[k].type ||
            (at->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT && !at->has_f) ||
            (at->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT && !at->has_i))
            return zkr_fail(im->d, ZKR_ERR_MALFORMED,
                            "%s: node %zu (%s): attribute '%s' repeated, untyped or of the wrong type",
                            im->file, im->node, im->op, want[k].name);
        want[k].found = 1;
        want[k].f = at->f;
        want[k].i = at->i;
    }
    return ZKR_OK;
}

/* ---------------------------------------------------------------- */
/* Folding nodes                                                     */
/* ---------------------------------------------------------------- */

static zkr_err need_inputs(const imp_t *im, const Onnx__NodeProto *nd, size_t lo, size_t hi)
{
    if (nd->n_input < lo || nd->n_input > hi || nd->n_output != 1 || is_empty(nd->output[0]))
        return zkr_fail(im->d, ZKR_ERR_MALFORMED,
                        "%s: node %zu (%s): %zu inputs and %zu outputs, expected %zu..%zu and 1",
                        im->file, im->node, im->op, nd->n_input, nd->n_output, lo, hi);
    return ZKR_OK;
}

/* Opens a dense layer; w and b become the layer's (ownership moves). */
static zkr_err add_layer(imp_t *im, uint32_t in, uint32_t out, float **w, float **b)
{
    if (im->n_layers == ZKR_ML_MAX_LAYERS)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (%s): more than %u dense layers",
                        im->file, im->node, im->op, ZKR_ML_MAX_LAYERS);
    if (in == 0 || out == 0 || in > ZKR_ML_MAX_DIM || out > ZKR_ML_MAX_DIM)
        return zkr_fail(im->d, ZKR_ERR_TOO_LARGE, "%s: node %zu (%s): %u x %u weights (each dim 1..%u)",
                        im->file, im->node, im->op, (unsigned)out, (unsigned)in, ZKR_ML_MAX_DIM);
    im->desc[im->n_layers] = (zkr_ml_layer_desc){ZKR_ML_OP_DENSE, ZKR_ML_ACT_NONE, in, out};
    im->w[im->n_layers] = *w;
    im->b[im->n_layers] = *b;
    *w = *b = NULL;
    im->n_layers++;
    im->open = 1;
    return ZKR_OK;
}

/* Index into C (shape cs) for output position `pos` of shape os, by unidirectional broadcast. */
static int64_t bcast_index(const shape_t *cs, const shape_t *os, int64_t pos)
{
    int64_t idx = 0, stride = 1;

    for (uint32_t i = 0; i < cs->rank; i++) {
        uint32_t ci = cs->rank - 1 - i, oi = os->rank - 1 - i;
        int64_t coord = 0, rest = pos;
        for (uint32_t k = os->rank; k-- > oi + 1;)
            rest /= os->dim[k];
        coord = rest % os->dim[oi];
        if (cs->dim[ci] != 1)
            idx += coord * stride;
        stride *= cs->dim[ci];
    }
    return idx;
}

static int can_bcast(const shape_t *cs, const shape_t *os)
{
    if (cs->rank > os->rank)
        return 0;
    for (uint32_t i = 0; i < cs->rank; i++) {
        int64_t c = cs->dim[cs->rank - 1 - i], o = os->dim[os->rank - 1 - i];
        if (c != 1 && c != o)
            return 0;
    }
    return 1;
}

/* Adds beta * C (broadcast to the output shape) into bias b of `out` values. */
static zkr_err fold_bias(imp_t *im, const Onnx__TensorProto *ct, float beta, const shape_t *os,
                         float *b, uint32_t out)
{
    shape_t cs;
    float *c = NULL;
    zkr_err r;

    if ((r = load_floats(im, ct, &cs, &c)) != ZKR_OK)
        return r;
    if (!can_bcast(&cs, os)) {
        free(c);
        return zkr_fail(im->d, ZKR_ERR_MALFORMED,
                        "%s: node %zu (%s): bias '%s' does not broadcast to the output (mismatched dims)",
                        im->file, im->node, im->op, ct->name ? ct->name : "");
    }
    for (uint32_t j = 0; j < out; j++)
        b[j] += beta * c[bcast_index(&cs, os, j)];
    free(c);
    return ZKR_OK;
}

/* The constant operand of a binary node; the activation must be the other one. */
static zkr_err split_operands(const imp_t *im, const Onnx__NodeProto *nd, int *act_pos,
                              const Onnx__TensorProto **k)
{
    int a0 = strcmp(nd->input[0], im->act) == 0, a1 = strcmp(nd->input[1], im->act) == 0;

    if (a0 == a1)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED,
                        "%s: node %zu (%s): exactly one input must be the activation, the other a weight",
                        im->file, im->node, im->op);
    *act_pos = a0 ? 0 : 1;
    *k = find_const(im, nd->input[a0 ? 1 : 0]);
    if (*k == NULL)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (%s): input '%s' is not defined",
                        im->file, im->node, im->op, nd->input[a0 ? 1 : 0]);
    return ZKR_OK;
}

static zkr_err fold_gemm(imp_t *im, const Onnx__NodeProto *nd)
{
    attr_t at[4] = {{"alpha", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, 0, 1.0f, 0},
                    {"beta", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, 0, 1.0f, 0},
                    {"transA", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, 0, 0, 0},
                    {"transB", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, 0, 0, 0}};
    const Onnx__TensorProto *kt, *ct = NULL;
    shape_t ks, as = im->act_shape, os;
    float *kw = NULL, *w = NULL, *b = NULL;
    int act_pos, ta, tb;
    int64_t m, kk, k2, n;
    uint32_t in, out;
    zkr_err r;

    if ((r = need_inputs(im, nd, 2, 3)) != ZKR_OK || (r = read_attrs(im, nd, at, 4)) != ZKR_OK ||
        (r = split_operands(im, nd, &act_pos, &kt)) != ZKR_OK)
        return r;
    ta = (int)at[2].i, tb = (int)at[3].i;
    if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1) || !isfinite(at[0].f) || !isfinite(at[1].f))
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (Gemm): bad alpha/beta/transA/transB",
                        im->file, im->node);
    if (nd->n_input == 3 && !is_empty(nd->input[2]) && (ct = find_const(im, nd->input[2])) == NULL)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (Gemm): C '%s' must be a constant",
                        im->file, im->node, nd->input[2]);
    if ((r = load_floats(im, kt, &ks, &kw)) != ZKR_OK)
        goto out;
    {
        const shape_t *A = act_pos == 0 ? &as : &ks, *B = act_pos == 0 ? &ks : &as;
        if (A->rank != 2 || B->rank != 2) {
            r = zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (Gemm): A and B must be 2-D",
                         im->file, im->node);
            goto out;
        }
        m = ta ? A->dim[1] : A->dim[0], kk = ta ? A->dim[0] : A->dim[1];
        k2 = tb ? B->dim[1] : B->dim[0], n = tb ? B->dim[0] : B->dim[1];
    }
    if (kk != k2) {
        r = zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (Gemm): mismatched dims, A' is %lldx%lld, B' is %lldx%lld",
                     im->file, im->node, (long long)m, (long long)kk, (long long)k2, (long long)n);
        goto out;
    }
    if ((act_pos == 0 ? m : n) != 1) {
        r = zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (Gemm): batch dimension %lld, only 1 is supported",
                     im->file, im->node, (long long)(act_pos == 0 ? m : n));
        goto out;
    }
    in = (uint32_t)(kk > ZKR_ML_MAX_DIM ? 0 : kk);
    out = (uint32_t)((act_pos == 0 ? n : m) > ZKR_ML_MAX_DIM ? 0 : (act_pos == 0 ? n : m));
    if (in == 0 || out == 0) {
        r = zkr_fail(im->d, ZKR_ERR_TOO_LARGE, "%s: node %zu (Gemm): dims over %u", im->file, im->node,
                     ZKR_ML_MAX_DIM);
        goto out;
    }
    if ((w = calloc((size_t)in * out, sizeof *w)) == NULL || (b = calloc(out, sizeof *b)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (uint32_t j = 0; j < out; j++)
        for (uint32_t k = 0; k < in; k++) {
            /* weight operand K: B' = K (act is A) or A' = K (act is B) */
            size_t idx = act_pos == 0 ? (tb ? (size_t)j * in + k : (size_t)k * out + j)
                                      : (ta ? (size_t)k * out + j : (size_t)j * in + k);
            w[(size_t)j * in + k] = at[0].f * kw[idx];
        }
    os.rank = 2, os.dim[0] = act_pos == 0 ? 1 : out, os.dim[1] = act_pos == 0 ? out : 1;
    if (ct != NULL && (r = fold_bias(im, ct, at[1].f, &os, b, out)) != ZKR_OK)
        goto out;
    if ((r = add_layer(im, in, out, &w, &b)) != ZKR_OK)
        goto out;
    im->act_shape = os;
out:
    free(kw);
    free(w);
    free(b);
    return r;
}

static zkr_err fold_matmul(imp_t *im, const Onnx__NodeProto *nd)
{
    const Onnx__TensorProto *kt;
    shape_t ks, as = im->act_shape, os;
    float *kw = NULL, *w = NULL, *b = NULL;
    int act_pos;
    int64_t kk, out64;
    uint32_t in, out;
    zkr_err r;

    if ((r = need_inputs(im, nd, 2, 2)) != ZKR_OK || (r = read_attrs(im, nd, NULL, 0)) != ZKR_OK ||
        (r = split_operands(im, nd, &act_pos, &kt)) != ZKR_OK)
        return r;
    if ((r = load_floats(im, kt, &ks, &kw)) != ZKR_OK)
        goto out;
    if (ks.rank != 2 || as.rank < 1 || as.rank > 2) {
        r = zkr_fail(im->d, ZKR_ERR_UNSUPPORTED,
                     "%s: node %zu (MatMul): only a 1-D or 2-D activation times a 2-D weight is supported",
                     im->file, im->node);
        goto out;
    }
    if (act_pos == 0) { /* x[1,K] @ W[K,N] */
        if (as.rank == 2 && as.dim[0] != 1) {
            r = zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (MatMul): batch dimension %lld, only 1 is supported",
                         im->file, im->node, (long long)as.dim[0]);
            goto out;
        }
        kk = as.dim[as.rank - 1], out64 = ks.dim[1];
        if (kk != ks.dim[0])
            goto mismatch;
    } else { /* W[M,K] @ x[K,1] */
        if (as.rank == 2 && as.dim[1] != 1) {
            r = zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (MatMul): batch dimension %lld, only 1 is supported",
                         im->file, im->node, (long long)as.dim[1]);
            goto out;
        }
        kk = as.dim[0], out64 = ks.dim[0];
        if (kk != ks.dim[1])
            goto mismatch;
    }
    if (kk < 1 || kk > ZKR_ML_MAX_DIM || out64 < 1 || out64 > ZKR_ML_MAX_DIM) {
        r = zkr_fail(im->d, ZKR_ERR_TOO_LARGE, "%s: node %zu (MatMul): dims over %u", im->file,
                     im->node, ZKR_ML_MAX_DIM);
        goto out;
    }
    in = (uint32_t)kk, out = (uint32_t)out64;
    if ((w = calloc((size_t)in * out, sizeof *w)) == NULL || (b = calloc(out, sizeof *b)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (uint32_t j = 0; j < out; j++)
        for (uint32_t k = 0; k < in; k++)
            w[(size_t)j * in + k] = act_pos == 0 ? kw[(size_t)k * out + j] : kw[(size_t)j * in + k];
    if (as.rank == 1)
        os.rank = 1, os.dim[0] = out;
    else
        os.rank = 2, os.dim[0] = act_pos == 0 ? 1 : out, os.dim[1] = act_pos == 0 ? out : 1;
    if ((r = add_layer(im, in, out, &w, &b)) != ZKR_OK)
        goto out;
    im->act_shape = os;
    goto out;
mismatch:
    r = zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (MatMul): mismatched dims between activation and weight '%s'",
                 im->file, im->node, kt->name ? kt->name : "");
out:
    free(kw);
    free(w);
    free(b);
    return r;
}

static zkr_err fold_add(imp_t *im, const Onnx__NodeProto *nd)
{
    const Onnx__TensorProto *kt;
    int act_pos;
    zkr_err r;

    if ((r = need_inputs(im, nd, 2, 2)) != ZKR_OK || (r = read_attrs(im, nd, NULL, 0)) != ZKR_OK ||
        (r = split_operands(im, nd, &act_pos, &kt)) != ZKR_OK)
        return r;
    if (!im->open)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED,
                        "%s: node %zu (Add): only a bias right after Gemm/MatMul is supported",
                        im->file, im->node);
    return fold_bias(im, kt, 1.0f, &im->act_shape, im->b[im->n_layers - 1],
                     im->desc[im->n_layers - 1].out_dim);
}

static zkr_err fold_relu(imp_t *im, const Onnx__NodeProto *nd)
{
    zkr_err r;

    if ((r = need_inputs(im, nd, 1, 1)) != ZKR_OK || (r = read_attrs(im, nd, NULL, 0)) != ZKR_OK)
        return r;
    /* Before any layer the input (byte / 255) is >= 0 and Relu is the identity. */
    if (im->n_layers > 0)
        im->desc[im->n_layers - 1].act = ZKR_ML_ACT_RELU;
    im->open = 0;
    return ZKR_OK;
}

static zkr_err fold_flatten(imp_t *im, const Onnx__NodeProto *nd)
{
    attr_t at[1] = {{"axis", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, 0, 0, 1}};
    shape_t s = im->act_shape, o;
    int64_t axis, lo = 1, hi = 1;
    zkr_err r;

    if ((r = need_inputs(im, nd, 1, 1)) != ZKR_OK || (r = read_attrs(im, nd, at, 1)) != ZKR_OK)
        return r;
    axis = at[0].i;
    if (axis < -(int64_t)s.rank || axis > (int64_t)s.rank)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (Flatten): axis %lld out of range for rank %u",
                        im->file, im->node, (long long)axis, (unsigned)s.rank);
    if (axis < 0)
        axis += s.rank;
    for (uint32_t i = 0; i < s.rank; i++)
        *((int64_t)i < axis ? &lo : &hi) *= s.dim[i];
    o.rank = 2, o.dim[0] = lo, o.dim[1] = hi;
    im->act_shape = o;
    return ZKR_OK;
}

static zkr_err fold_reshape(imp_t *im, const Onnx__NodeProto *nd)
{
    attr_t at[1] = {{"allowzero", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, 0, 0, 0}};
    const Onnx__TensorProto *st;
    shape_t o;
    int64_t v[MAX_RANK], known = 1, total = shape_elems(&im->act_shape);
    uint32_t n = 0, infer = MAX_RANK;
    zkr_err r;

    if ((r = need_inputs(im, nd, 2, 2)) != ZKR_OK || (r = read_attrs(im, nd, at, 1)) != ZKR_OK)
        return r;
    if (strcmp(nd->input[0], im->act) != 0)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (Reshape): data must be the activation",
                        im->file, im->node);
    if ((st = find_const(im, nd->input[1])) == NULL)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (Reshape): shape '%s' must be a constant",
                        im->file, im->node, nd->input[1]);
    if ((r = load_int64s(im, st, v, &n)) != ZKR_OK)
        return r;
    o.rank = n;
    for (uint32_t i = 0; i < n; i++) {
        if (v[i] == -1 && infer == MAX_RANK) {
            infer = i;
            continue;
        }
        if (v[i] == 0 && at[0].i == 0) {
            if (i >= im->act_shape.rank)
                goto bad;
            v[i] = im->act_shape.dim[i];
        }
        if (v[i] < 0 || (v[i] > 0 && known > MAX_ELEMS / v[i]))
            goto bad;
        o.dim[i] = v[i];
        known *= v[i];
    }
    if (infer != MAX_RANK) {
        if (known == 0 || total % known != 0)
            goto bad;
        o.dim[infer] = total / known;
        known = total;
    }
    if (known != total)
        goto bad;
    im->act_shape = o;
    return ZKR_OK;
bad:
    return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (Reshape): shape '%s' does not fit %lld elements (mismatched dims)",
                    im->file, im->node, nd->input[1], (long long)total);
}

/* Records a constant-valued name (Constant output or Identity of a constant). */
static zkr_err add_const(imp_t *im, const char *name, const Onnx__TensorProto *t)
{
    if (find_const(im, name) != NULL)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (%s): output '%s' defined twice",
                        im->file, im->node, im->op, name);
    im->consts[im->n_consts].name = name;
    im->consts[im->n_consts].t = t;
    im->n_consts++;
    return ZKR_OK;
}

static zkr_err fold_constant(imp_t *im, const Onnx__NodeProto *nd)
{
    if (nd->n_input != 0 || nd->n_output != 1 || is_empty(nd->output[0]) || nd->n_attribute != 1 ||
        nd->attribute[0]->name == NULL || strcmp(nd->attribute[0]->name, "value") != 0 ||
        nd->attribute[0]->t == NULL)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu (Constant): only a 'value' tensor is supported",
                        im->file, im->node);
    return add_const(im, nd->output[0], nd->attribute[0]->t);
}

/* Runs one node; `consumes` says whether it reads the activation. */
static zkr_err fold_node(imp_t *im, const Onnx__NodeProto *nd)
{
    const char *op = im->op;
    int consumes = 0;
    zkr_err r;

    if (!is_empty(nd->domain) && strcmp(nd->domain, "ai.onnx") != 0)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu: unsupported operator '%s' (domain '%s')",
                        im->file, im->node, op, nd->domain);
    if (strcmp(op, "Constant") == 0)
        return fold_constant(im, nd);
    for (size_t i = 0; i < nd->n_input; i++) {
        if (nd->input[i] == NULL)
            return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (%s): null input", im->file,
                            im->node, op);
        consumes |= strcmp(nd->input[i], im->act) == 0;
    }
    if (strcmp(op, "Identity") == 0 && !consumes) {
        const Onnx__TensorProto *t;
        if ((r = need_inputs(im, nd, 1, 1)) != ZKR_OK)
            return r;
        if ((t = find_const(im, nd->input[0])) == NULL)
            return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (Identity): input '%s' is not defined",
                            im->file, im->node, nd->input[0]);
        return add_const(im, nd->output[0], t);
    }
    if (strcmp(op, "Gemm") == 0)
        r = fold_gemm(im, nd);
    else if (strcmp(op, "MatMul") == 0)
        r = fold_matmul(im, nd);
    else if (strcmp(op, "Add") == 0)
        r = fold_add(im, nd);
    else if (strcmp(op, "Relu") == 0)
        r = fold_relu(im, nd);
    else if (strcmp(op, "Flatten") == 0)
        r = fold_flatten(im, nd);
    else if (strcmp(op, "Reshape") == 0)
        r = fold_reshape(im, nd);
    else if (strcmp(op, "Identity") == 0)
        r = need_inputs(im, nd, 1, 1);
    else
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: node %zu: unsupported operator '%s'",
                        im->file, im->node, op);
    if (r != ZKR_OK)
        return r;
    if (!consumes)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED,
                        "%s: node %zu (%s): does not consume the activation '%s' (only a chain of layers is supported)",
                        im->file, im->node, op, im->act);
    if (find_const(im, nd->output[0]) != NULL)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (%s): output '%s' redefines a constant",
                        im->file, im->node, op, nd->output[0]);
    im->act = nd->output[0];
    return ZKR_OK;
}

/* ---------------------------------------------------------------- */
/* Model-level checks                                                */
/* ---------------------------------------------------------------- */

static zkr_err check_opset(const imp_t *im, const Onnx__ModelProto *mp)
{
    int found = 0;

    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = mp->opset_import[i];
        if (!is_empty(o->domain) && strcmp(o->domain, "ai.onnx") != 0)
            continue;
        if (!o->has_version || o->version < OPSET_MIN || o->version > OPSET_MAX)
            return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: opset %lld, supported %d..%d", im->file,
                            (long long)o->version, OPSET_MIN, OPSET_MAX);
        found++;
    }
    if (found != 1)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: %d default-domain opset imports, expected 1",
                        im->file, found);
    return ZKR_OK;
}

/* Reads a value's fixed tensor shape; dynamic or missing dims are refused. */
static zkr_err value_shape(const imp_t *im, const Onnx__ValueInfoProto *v, shape_t *s)
{
    const char *nm = v->name ? v->name : "";
    const Onnx__TypeProto__Tensor *tt;

    if (v->type == NULL || v->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        (tt = v->type->tensor_type) == NULL || !tt->has_elem_type || tt->elem_type != ONNX_FLOAT)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: graph value '%s' is not a float32 tensor",
                        im->file, nm);
    if (tt->shape == NULL)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: graph value '%s' has no shape (dynamic shapes are not supported)",
                        im->file, nm);
    if (tt->shape->n_dim > MAX_RANK || tt->shape->n_dim == 0)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: graph value '%s' has rank %zu (1..%u)",
                        im->file, nm, tt->shape->n_dim, MAX_RANK);
    s->rank = (uint32_t)tt->shape->n_dim;
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *dm = tt->shape->dim[i];
        if (dm->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: graph value '%s' dim %zu is dynamic ('%s'); fixed shapes only",
                            im->file, nm, i,
                            dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM && dm->dim_param
                                ? dm->dim_param : "unknown");
        if (dm->dim_value < 1)
            return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: graph value '%s' dim %zu is %lld", im->file,
                            nm, i, (long long)dm->dim_value);
        s->dim[i] = dm->dim_value;
    }
    if (shape_elems(s) < 0)
        return zkr_fail(im->d, ZKR_ERR_TOO_LARGE, "%s: graph value '%s' is too large", im->file, nm);
    return ZKR_OK;
}

/* Finds the one graph input that is not an initializer and sets the activation. */
static zkr_err find_input(imp_t *im)
{
    const Onnx__ValueInfoProto *in = NULL;
    int64_t n;
    zkr_err r;

    for (size_t i = 0; i < im->gp->n_input; i++) {
        const Onnx__ValueInfoProto *v = im->gp->input[i];
        if (is_empty(v->name))
            return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: graph input %zu has no name", im->file, i);
        if (find_const(im, v->name) != NULL)
            continue;
        if (in != NULL)
            return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: more than one graph input ('%s', '%s')",
                            im->file, in->name, v->name);
        in = v;
    }
    if (in == NULL)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: the graph has no input", im->file);
    if ((r = value_shape(im, in, &im->act_shape)) != ZKR_OK)
        return r;
    /* A batch over one is refused where a Gemm or MatMul would see more than one row. */
    n = shape_elems(&im->act_shape);
    if (n < 1 || n > ZKR_ML_MAX_DIM)
        return zkr_fail(im->d, ZKR_ERR_TOO_LARGE, "%s: input '%s' has %lld elements (1..%u)", im->file,
                        in->name, (long long)n, ZKR_ML_MAX_DIM);
    im->act = in->name;
    return ZKR_OK;
}

static zkr_err check_output(imp_t *im)
{
    shape_t s;
    zkr_err r;

    if (im->n_layers == 0)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: the graph has no Gemm or MatMul layer", im->file);
    if (im->gp->n_output != 1 || is_empty(im->gp->output[0]->name))
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: %zu graph outputs, expected 1", im->file,
                        im->gp->n_output);
    if (strcmp(im->gp->output[0]->name, im->act) != 0)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: graph output '%s' is not the final activation '%s'",
                        im->file, im->gp->output[0]->name, im->act);
    if ((r = value_shape(im, im->gp->output[0], &s)) != ZKR_OK)
        return r;
    if (shape_elems(&s) != shape_elems(&im->act_shape) ||
        shape_elems(&s) != im->desc[im->n_layers - 1].out_dim)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: graph output '%s' declares %lld elements, the graph computes %u (mismatched dims)",
                        im->file, im->gp->output[0]->name, (long long)shape_elems(&s),
                        (unsigned)im->desc[im->n_layers - 1].out_dim);
    return ZKR_OK;
}

static zkr_err check_initializers(const imp_t *im)
{
    const Onnx__GraphProto *gp = im->gp;

    if (gp->n_initializer > MAX_NODES || gp->n_node > MAX_NODES)
        return zkr_fail(im->d, ZKR_ERR_TOO_LARGE, "%s: more than %u nodes or initializers", im->file,
                        MAX_NODES);
    if (gp->n_sparse_initializer > 0)
        return zkr_fail(im->d, ZKR_ERR_UNSUPPORTED, "%s: sparse initializers are not supported", im->file);
    for (size_t i = 0; i < gp->n_initializer; i++) {
        if (is_empty(gp->initializer[i]->name))
            return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: initializer %zu has no name", im->file, i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(gp->initializer[i]->name, gp->initializer[j]->name) == 0)
                return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: initializer '%s' defined twice", im->file,
                                gp->initializer[i]->name);
    }
    return ZKR_OK;
}

static zkr_err build_fmodel(imp_t *im, zkr_ml_fmodel **out)
{
    zkr_ml_graph g;
    zkr_err r;

    memset(&g, 0, sizeof g);
    g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g.input_dim = im->desc[0].in_dim;
    g.n_layers = im->n_layers;
    memcpy(g.layers, im->desc, sizeof im->desc);
    if ((r = zkr_ml_graph_check(&g, im->d)) != ZKR_OK)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: the folded graph is inconsistent", im->file);
    if ((*out = calloc(1, sizeof **out)) == NULL)
        return ZKR_ERR_NOMEM;
    (*out)->g = g;
    for (uint32_t l = 0; l < im->n_layers; l++) {
        (*out)->w[l] = im->w[l], (*out)->b[l] = im->b[l];
        im->w[l] = im->b[l] = NULL;
    }
    return ZKR_OK;
}

static zkr_err import(imp_t *im, const Onnx__ModelProto *mp, zkr_ml_fmodel **out)
{
    int64_t in_elems;
    zkr_err r;

    if ((r = check_opset(im, mp)) != ZKR_OK)
        return r;
    if (mp->graph == NULL)
        return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: no graph", im->file);
    im->gp = mp->graph;
    if ((r = check_initializers(im)) != ZKR_OK || (r = find_input(im)) != ZKR_OK)
        return r;
    in_elems = shape_elems(&im->act_shape);
    if ((im->consts = calloc(im->gp->n_node + 1, sizeof *im->consts)) == NULL)
        return ZKR_ERR_NOMEM;
    for (im->node = 0; im->node < im->gp->n_node; im->node++) {
        const Onnx__NodeProto *nd = im->gp->node[im->node];
        im->op = nd->op_type ? nd->op_type : "";
        if ((r = fold_node(im, nd)) != ZKR_OK)
            return r;
        if (im->n_layers == 1 && im->desc[0].in_dim != in_elems)
            return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (%s): first layer takes %u inputs, the graph input has %lld",
                            im->file, im->node, im->op, (unsigned)im->desc[0].in_dim, (long long)in_elems);
        if (im->n_layers > 1 && im->desc[im->n_layers - 1].in_dim != im->desc[im->n_layers - 2].out_dim)
            return zkr_fail(im->d, ZKR_ERR_MALFORMED, "%s: node %zu (%s): mismatched dims, takes %u inputs after a layer of %u",
                            im->file, im->node, im->op, (unsigned)im->desc[im->n_layers - 1].in_dim,
                            (unsigned)im->desc[im->n_layers - 2].out_dim);
    }
    if ((r = check_output(im)) != ZKR_OK)
        return r;
    return build_fmodel(im, out);
}

/* ---------------------------------------------------------------- */
/* Nesting guard                                                     */
/* ---------------------------------------------------------------- */

/*
 * protobuf-c parses nested messages recursively with no depth limit, so a
 * small file of deeply nested subgraphs would exhaust the stack. Before
 * unpacking, this walks the wire format guided by the generated descriptors
 * (no allocation, nothing interpreted) and refuses nesting deeper than
 * MAX_NESTING. Framing it cannot walk (truncated, over-long varints,
 * groups) is refused as malformed without calling protobuf-c at all.
 */
#define MAX_NESTING 32

typedef enum { WIRE_OK, WIRE_DEEP, WIRE_BAD } wire_result;

static int read_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*pos >= len)
            return 0;
        *v |= (uint64_t)(p[*pos] & 0x7f) << shift;
        if ((p[(*pos)++] & 0x80) == 0)
            return 1;
    }
    return 0;
}

static wire_result wire_walk(const ProtobufCMessageDescriptor *desc, const uint8_t *p, size_t len,
                             unsigned depth)
{
    size_t pos = 0;

    if (depth > MAX_NESTING)
        return WIRE_DEEP;
    while (pos < len) {
        uint64_t key, n;
        const ProtobufCFieldDescriptor *fd;
        wire_result r;

        if (!read_varint(p, len, &pos, &key))
            return WIRE_BAD;
        switch (key & 7) {
        case 0:
            if (!read_varint(p, len, &pos, &n))
                return WIRE_BAD;
            break;
        case 1:
        case 5:
            n = (key & 7) == 1 ? 8 : 4;
            if (len - pos < n)
                return WIRE_BAD;
            pos += n;
            break;
        case 2:
            if (!read_varint(p, len, &pos, &n) || n > len - pos)
                return WIRE_BAD;
            fd = key >> 3 <= UINT32_MAX
                     ? protobuf_c_message_descriptor_get_field(desc, (unsigned)(key >> 3))
                     : NULL;
            if (fd != NULL && fd->type == PROTOBUF_C_TYPE_MESSAGE &&
                (r = wire_walk(fd->descriptor, p + pos, (size_t)n, depth + 1)) != WIRE_OK)
                return r;
            pos += (size_t)n;
            break;
        default:
            return WIRE_BAD;
        }
    }
    return WIRE_OK;
}

/* Size check, nesting guard and protobuf unpacking; *mp is NULL on failure. */
static zkr_err unpack_model(const uint8_t *p, size_t len, const char *file, Onnx__ModelProto **mp,
                            zkr_diag *d)
{
    *mp = NULL;
    if (len > ZKR_ML_ONNX_MAX_BYTES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: %zu bytes, at most %zu", file, len,
                        ZKR_ML_ONNX_MAX_BYTES);
    switch (wire_walk(&onnx__model_proto__descriptor, p, len, 0)) {
    case WIRE_DEEP:
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "%s: messages nested deeper than %d levels", file,
                        MAX_NESTING);
    case WIRE_BAD: /* refused here too, so protobuf-c never sees framing it might recurse into */
        break;
    default:
        *mp = onnx__model_proto__unpack(NULL, len, p);
    }
    if (*mp == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: not a valid ONNX protobuf (truncated or corrupt)",
                        file);
    return ZKR_OK;
}

zkr_err zkr_ml_onnx_import(const uint8_t *p, size_t len, const char *name, zkr_ml_fmodel **out,
                           zkr_diag *d)
{
    Onnx__ModelProto *mp = NULL;
    imp_t im;
    zkr_err r;

    if (out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "onnx import: no output");
    *out = NULL;
    if (p == NULL && len != 0)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "onnx import: no input");
    memset(&im, 0, sizeof im);
    im.file = name ? name : "model.onnx";
    im.d = d;
    if ((r = unpack_model(p, len, im.file, &mp, d)) != ZKR_OK)
        goto out;
    r = import(&im, mp, out);
out:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(im.w[l]);
        free(im.b[l]);
    }
    free(im.consts);
    if (mp != NULL)
        onnx__model_proto__free_unpacked(mp, NULL);
    return r;
}

/* ---------------------------------------------------------------- */
/* Shared with the graph importer (ml/onnx_int.h)                    */
/* ---------------------------------------------------------------- */

zkr_err zkr_onnx_load_floats(const Onnx__TensorProto *t, const char *file, uint32_t *rank,
                             int64_t dims[ZKR_ONNX_MAX_RANK], float **out, zkr_diag *d)
{
    imp_t im = {.file = file, .d = d};
    shape_t s;
    zkr_err r;

    if ((r = load_floats(&im, t, &s, out)) != ZKR_OK)
        return r;
    *rank = s.rank;
    memcpy(dims, s.dim, sizeof s.dim);
    return ZKR_OK;
}

zkr_err zkr_onnx_load_int64s(const Onnx__TensorProto *t, const char *file, size_t node,
                             const char *op, int64_t v[ZKR_ONNX_MAX_RANK], uint32_t *n,
                             zkr_diag *d)
{
    imp_t im = {.file = file, .d = d, .node = node, .op = op};

    return load_int64s(&im, t, v, n);
}

zkr_err zkr_onnx_value_shape(const Onnx__ValueInfoProto *v, const char *file, uint32_t *rank,
                             int64_t dims[ZKR_ONNX_MAX_RANK], zkr_diag *d)
{
    imp_t im = {.file = file, .d = d};
    shape_t s;
    zkr_err r;

    if ((r = value_shape(&im, v, &s)) != ZKR_OK)
        return r;
    *rank = s.rank;
    memcpy(dims, s.dim, sizeof s.dim);
    return ZKR_OK;
}

zkr_err zkr_ml_onnx_gimport(const uint8_t *p, size_t len, const char *name,
                            zkr_ml_gfmodel **out, zkr_diag *d)
{
    Onnx__ModelProto *mp = NULL;
    const char *file = name ? name : "model.onnx";
    imp_t im = {.file = file, .d = d};
    zkr_err r;

    if (out == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "onnx import: no output");
    *out = NULL;
    if (p == NULL && len != 0)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "onnx import: no input");
    if ((r = unpack_model(p, len, file, &mp, d)) != ZKR_OK)
        goto out;
    if ((r = check_opset(&im, mp)) != ZKR_OK)
        goto out;
    if (mp->graph == NULL) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "%s: no graph", file);
        goto out;
    }
    im.gp = mp->graph;
    if ((r = check_initializers(&im)) != ZKR_OK)
        goto out;
    r = zkr_onnx_graph_import(mp->graph, file, out, d);
out:
    if (mp != NULL)
        onnx__model_proto__free_unpacked(mp, NULL);
    return r;
}

/* Operators only graph programs support: their presence selects the graph importer's reason. */
static int has_graph_op(const uint8_t *p, size_t len)
{
    static const char *ops[] = {"Conv", "MaxPool", "AveragePool", "GlobalAveragePool",
                                "ReduceMean", "BatchNormalization", "Concat", "Pad",
                                "Transpose", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid",
                                "HardSwish", "Clip", "Softmax", "Erf"};
    Onnx__ModelProto *mp = NULL;
    int found = 0;

    if (unpack_model(p, len, "", &mp, NULL) != ZKR_OK || mp->graph == NULL)
        goto out;
    for (size_t i = 0; i < mp->graph->n_node && !found; i++)
        for (size_t k = 0; k < sizeof ops / sizeof ops[0] && !found; k++)
            found = mp->graph->node[i]->op_type && strcmp(mp->graph->node[i]->op_type, ops[k]) == 0;
out:
    if (mp != NULL)
        onnx__model_proto__free_unpacked(mp, NULL);
    return found;
}

zkr_err zkr_ml_onnx_import_any(const uint8_t *p, size_t len, const char *name,
                               zkr_ml_fmodel **f, zkr_ml_gfmodel **gf, zkr_diag *d)
{
    zkr_diag v1, g;
    zkr_err r1, r2;

    if (f == NULL || gf == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "onnx import: no output");
    *f = NULL;
    *gf = NULL;
    zkr_diag_clear(&v1);
    zkr_diag_clear(&g);
    if ((r1 = zkr_ml_onnx_import(p, len, name, f, &v1)) == ZKR_OK)
        return ZKR_OK;
    if (r1 != ZKR_ERR_UNSUPPORTED) /* malformed, too large, no memory: the same for both */
        return zkr_fail(d, r1, "%s", v1.msg);
    if ((r2 = zkr_ml_onnx_gimport(p, len, name, gf, &g)) == ZKR_OK)
        return ZKR_OK;
    if (has_graph_op(p, len))
        return zkr_fail(d, r2, "%s", g.msg);
    return zkr_fail(d, r1, "%s", v1.msg);
}

zkr_err zkr_ml_onnx_import_file(const char *path, zkr_ml_fmodel **out, zkr_diag *d)
{
    zkr_buf b = {0};
    zkr_err r;

    if (out == NULL || path == NULL)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "onnx import: no path or output");
    *out = NULL;
    if ((r = zkr_file_read(path, ZKR_ML_ONNX_MAX_BYTES, &b, d)) != ZKR_OK)
        goto out;
    r = zkr_ml_onnx_import(b.p, b.len, path, out, d);
out:
    zkr_buf_free(&b);
    return r;
}
