/*
 * Tests only: builds small ONNX ModelProtos with the protobuf-c API (the
 * same generated code the importer uses), so the tests need no Python.
 * Everything lives in one ob_model; ob_free releases what it allocated.
 */
#ifndef ZKR_TEST_ONNX_BUILD_H
#define ZKR_TEST_ONNX_BUILD_H

#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "onnx.pb-c.h"

#define OB_MAX 24
#define OB_MAX_ATTR 4
#define OB_MAX_RANK 8

typedef struct {
    Onnx__ModelProto m;
    Onnx__GraphProto g;
    Onnx__OperatorSetIdProto op;
    Onnx__OperatorSetIdProto *opp[1];
    Onnx__NodeProto nd[OB_MAX];
    Onnx__NodeProto *ndp[OB_MAX];
    char *nd_in[OB_MAX][6];
    char *nd_out[OB_MAX][1];
    Onnx__AttributeProto at[OB_MAX][OB_MAX_ATTR];
    Onnx__AttributeProto *atp[OB_MAX][OB_MAX_ATTR];
    Onnx__TensorProto t[OB_MAX];
    Onnx__TensorProto *tp[OB_MAX];
    int64_t tdims[OB_MAX][OB_MAX_RANK];
    Onnx__ValueInfoProto vi[2];
    Onnx__ValueInfoProto *vip[2];
    Onnx__TypeProto ty[2];
    Onnx__TypeProto__Tensor tt[2];
    Onnx__TensorShapeProto sh[2];
    Onnx__TensorShapeProto__Dimension dm[2][OB_MAX_RANK];
    Onnx__TensorShapeProto__Dimension *dmp[2][OB_MAX_RANK];
    void *owned[OB_MAX * 2];
    size_t n_owned;
    int raw; /* write float initializers as raw_data instead of float_data */
} ob_model;

static inline void ob_init(ob_model *b, int64_t opset)
{
    memset(b, 0, sizeof *b);
    onnx__model_proto__init(&b->m);
    onnx__graph_proto__init(&b->g);
    onnx__operator_set_id_proto__init(&b->op);
    b->m.has_ir_version = 1;
    b->m.ir_version = 8;
    b->m.producer_name = (char *)"zkreg-tests";
    b->op.domain = (char *)"";
    b->op.has_version = 1;
    b->op.version = opset;
    b->opp[0] = &b->op;
    b->m.n_opset_import = 1;
    b->m.opset_import = b->opp;
    b->m.graph = &b->g;
    b->g.name = (char *)"g";
    b->g.node = b->ndp;
    b->g.initializer = b->tp;
    b->g.input = b->vip;
    b->g.output = b->vip + 1;
}

/* Declares the graph input (which = 0) or output (which = 1); dims < 0 become dim_param "N". */
static inline void ob_value(ob_model *b, int which, const char *name, const int64_t *dims, size_t n)
{
    onnx__value_info_proto__init(&b->vi[which]);
    onnx__type_proto__init(&b->ty[which]);
    onnx__type_proto__tensor__init(&b->tt[which]);
    onnx__tensor_shape_proto__init(&b->sh[which]);
    b->vi[which].name = (char *)name;
    b->vip[which] = &b->vi[which];
    b->vi[which].type = &b->ty[which];
    b->ty[which].value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    b->ty[which].tensor_type = &b->tt[which];
    b->tt[which].has_elem_type = 1;
    b->tt[which].elem_type = 1;
    b->tt[which].shape = &b->sh[which];
    for (size_t i = 0; i < n; i++) {
        Onnx__TensorShapeProto__Dimension *d = &b->dm[which][i];
        onnx__tensor_shape_proto__dimension__init(d);
        if (dims[i] < 0) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = (char *)"N";
        } else {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[i];
        }
        b->dmp[which][i] = d;
    }
    b->sh[which].n_dim = n;
    b->sh[which].dim = b->dmp[which];
    if (which == 0)
        b->g.n_input = 1;
    else
        b->g.n_output = 1;
}

static inline Onnx__TensorProto *ob_tensor(ob_model *b, const char *name, const int64_t *dims,
                                           size_t n)
{
    Onnx__TensorProto *t = &b->t[b->g.n_initializer];

    onnx__tensor_proto__init(t);
    t->name = (char *)name;
    memcpy(b->tdims[b->g.n_initializer], dims, n * sizeof *dims);
    t->n_dims = n;
    t->dims = b->tdims[b->g.n_initializer];
    t->has_data_type = 1;
    b->tp[b->g.n_initializer] = t;
    b->g.n_initializer++;
    return t;
}

/* A float32 initializer with `count` values copied from v. */
static inline Onnx__TensorProto *ob_floats(ob_model *b, const char *name, const int64_t *dims,
                                           size_t n, const float *v, size_t count)
{
    Onnx__TensorProto *t = ob_tensor(b, name, dims, n);
    void *copy = malloc(count * 4 + 1);

    t->data_type = 1;
    b->owned[b->n_owned++] = copy;
    if (b->raw) {
        uint8_t *p = copy;
        for (size_t i = 0; i < count; i++) {
            uint32_t u;
            memcpy(&u, &v[i], 4);
            p[4 * i] = (uint8_t)u, p[4 * i + 1] = (uint8_t)(u >> 8);
            p[4 * i + 2] = (uint8_t)(u >> 16), p[4 * i + 3] = (uint8_t)(u >> 24);
        }
        t->has_raw_data = 1;
        t->raw_data.data = p;
        t->raw_data.len = count * 4;
    } else {
        memcpy(copy, v, count * 4);
        t->n_float_data = count;
        t->float_data = copy;
    }
    return t;
}

static inline Onnx__TensorProto *ob_int64s(ob_model *b, const char *name, const int64_t *v, size_t n)
{
    int64_t dim = (int64_t)n;
    Onnx__TensorProto *t = ob_tensor(b, name, &dim, 1);
    void *copy = malloc(n * 8 + 1);

    memcpy(copy, v, n * 8);
    b->owned[b->n_owned++] = copy;
    t->data_type = 7;
    t->n_int64_data = n;
    t->int64_data = copy;
    return t;
}

/* Appends a node; empty input names ("") are kept as written (absent optional inputs). */
static inline Onnx__NodeProto *ob_node(ob_model *b, const char *op, const char *in0, const char *in1,
                                       const char *in2, const char *out)
{
    size_t i = b->g.n_node;
    Onnx__NodeProto *nd = &b->nd[i];

    onnx__node_proto__init(nd);
    nd->op_type = (char *)op;
    b->nd_in[i][0] = (char *)in0, b->nd_in[i][1] = (char *)in1, b->nd_in[i][2] = (char *)in2;
    nd->n_input = in2 ? 3 : in1 ? 2 : in0 ? 1 : 0;
    nd->input = b->nd_in[i];
    b->nd_out[i][0] = (char *)out;
    nd->n_output = 1;
    nd->output = b->nd_out[i];
    nd->attribute = b->atp[i];
    b->ndp[i] = nd;
    b->g.n_node++;
    return nd;
}

static inline Onnx__AttributeProto *ob_attr(ob_model *b, Onnx__NodeProto *nd, const char *name)
{
    size_t i = (size_t)(nd - b->nd);
    Onnx__AttributeProto *a = &b->at[i][nd->n_attribute];

    onnx__attribute_proto__init(a);
    a->name = (char *)name;
    a->has_type = 1;
    b->atp[i][nd->n_attribute++] = a;
    return a;
}

static inline void ob_attr_i(ob_model *b, Onnx__NodeProto *nd, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = ob_attr(b, nd, name);
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1;
    a->i = v;
}

static inline void ob_attr_f(ob_model *b, Onnx__NodeProto *nd, const char *name, float v)
{
    Onnx__AttributeProto *a = ob_attr(b, nd, name);
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    a->has_f = 1;
    a->f = v;
}

/* A node with n (up to 6) inputs. */
static inline Onnx__NodeProto *ob_node_n(ob_model *b, const char *op, const char *const *in,
                                         size_t n, const char *out)
{
    Onnx__NodeProto *nd = ob_node(b, op, NULL, NULL, NULL, out);
    size_t i = (size_t)(nd - b->nd);

    for (size_t k = 0; k < n && k < 6; k++)
        b->nd_in[i][k] = (char *)in[k];
    nd->n_input = n;
    return nd;
}

/* An INTS attribute; v must outlive the packing (tests pass static arrays). */
static inline void ob_attr_ints(ob_model *b, Onnx__NodeProto *nd, const char *name,
                                const int64_t *v, size_t n)
{
    Onnx__AttributeProto *a = ob_attr(b, nd, name);
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    a->n_ints = n;
    a->ints = (int64_t *)v;
}

static inline void ob_attr_s(ob_model *b, Onnx__NodeProto *nd, const char *name, const char *v)
{
    Onnx__AttributeProto *a = ob_attr(b, nd, name);
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    a->has_s = 1;
    a->s.data = (uint8_t *)v;
    a->s.len = strlen(v);
}

/* Serialises the model into out (replacing its contents). */
static inline int ob_pack(const ob_model *b, zkr_buf *out)
{
    size_t n = onnx__model_proto__get_packed_size(&b->m);

    out->len = 0;
    if (zkr_buf_reserve(out, n + 1) != ZKR_OK)
        return -1;
    out->len = onnx__model_proto__pack(&b->m, out->p);
    return out->len == n ? 0 : -1;
}

static inline void ob_free(ob_model *b)
{
    for (size_t i = 0; i < b->n_owned; i++)
        free(b->owned[i]);
    b->n_owned = 0;
}

#endif
