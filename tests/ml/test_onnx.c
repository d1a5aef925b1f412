/*
 * ONNX import: every supported operator and its variants against a direct
 * reference computation, opsets 11..17, and the refusals (truncated
 * protobuf, unknown operator, dynamic shapes, NaN/Inf, mismatched dims...).
 * Models are built in C with protobuf-c (tests/ml/onnx_build.h).
 */
#include <math.h>

#include "ml/ml.h"
#include "onnx_build.h"
#include "tests/tap.h"

static float frand(zkr_tap *t)
{
    return (float)((double)(zkr_tap_rand(t) >> 11) / (double)(1ULL << 53) * 2.0 - 1.0);
}

static void fill(zkr_tap *t, float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = frand(t);
}

static zkr_err import_model(const ob_model *b, zkr_ml_fmodel **f, zkr_diag *d)
{
    zkr_buf buf = {0};
    zkr_err r;

    zkr_diag_clear(d);
    if (ob_pack(b, &buf) != 0)
        return ZKR_ERR_INTERNAL;
    r = zkr_ml_onnx_import(buf.p, buf.len, "test.onnx", f, d);
    zkr_buf_free(&buf);
    return r;
}

/* Max |float model output - expected| on input x. */
static double max_err(const zkr_ml_fmodel *f, const uint8_t *x, size_t n, const double *want,
                      size_t m)
{
    double out[64], e = 0;

    if (zkr_ml_fmodel_infer(f, x, n, out, 64, NULL) != ZKR_OK)
        return INFINITY;
    if (zkr_ml_graph_out_dim(zkr_ml_fmodel_graph(f)) != m)
        return INFINITY;
    for (size_t i = 0; i < m; i++)
        e = fmax(e, fabs(out[i] - want[i]));
    return e;
}

/* --- the torch-style MLP: Flatten, Gemm(transB=1), Relu, Gemm(transB=1) --- */

typedef struct {
    float w1[8 * 16], b1[8], w2[3 * 8], b2[3];
} mlp_w;

static void mlp_build(ob_model *b, int64_t opset, const mlp_w *w, int raw)
{
    static const int64_t in[] = {1, 1, 4, 4}, out[] = {1, 3};
    static const int64_t d1[] = {8, 16}, db1[] = {8}, d2[] = {3, 8}, db2[] = {3};
    Onnx__NodeProto *n;

    ob_init(b, opset);
    b->raw = raw;
    ob_value(b, 0, "x", in, 4);
    ob_value(b, 1, "y", out, 2);
    ob_floats(b, "w1", d1, 2, w->w1, 128);
    ob_floats(b, "b1", db1, 1, w->b1, 8);
    ob_floats(b, "w2", d2, 2, w->w2, 24);
    ob_floats(b, "b2", db2, 1, w->b2, 3);
    n = ob_node(b, "Flatten", "x", NULL, NULL, "f");
    ob_attr_i(b, n, "axis", 1);
    n = ob_node(b, "Gemm", "f", "w1", "b1", "h");
    ob_attr_f(b, n, "alpha", 1.0f);
    ob_attr_f(b, n, "beta", 1.0f);
    ob_attr_i(b, n, "transB", 1);
    ob_node(b, "Relu", "h", NULL, NULL, "r");
    n = ob_node(b, "Gemm", "r", "w2", "b2", "y");
    ob_attr_i(b, n, "transB", 1);
}

static void mlp_ref(const mlp_w *w, const uint8_t *x, double *y)
{
    double h[8];

    for (int j = 0; j < 8; j++) {
        h[j] = w->b1[j];
        for (int k = 0; k < 16; k++)
            h[j] += (double)w->w1[j * 16 + k] * (x[k] / 255.0);
        h[j] = h[j] < 0 ? 0 : h[j];
    }
    for (int j = 0; j < 3; j++) {
        y[j] = w->b2[j];
        for (int k = 0; k < 8; k++)
            y[j] += (double)w->w2[j * 8 + k] * h[k];
    }
}

static void test_mlp_opsets(zkr_tap *t)
{
    for (int64_t opset = 11; opset <= 17; opset++)
        for (int raw = 0; raw <= 1; raw++) {
            ob_model b;
            mlp_w w;
            zkr_ml_fmodel *f = NULL;
            zkr_diag d;
            uint8_t x[16];
            double want[3];
            const zkr_ml_graph *g;
            zkr_err r;

            fill(t, (float *)&w, sizeof w / sizeof(float));
            for (int i = 0; i < 16; i++)
                x[i] = (uint8_t)zkr_tap_rand(t);
            mlp_build(&b, opset, &w, raw);
            r = import_model(&b, &f, &d);
            zkr_tap_ok(t, r == ZKR_OK, "opset %d %s: torch-style MLP imports (%s)", (int)opset,
                       raw ? "raw_data" : "float_data", d.msg);
            if (f != NULL) {
                g = zkr_ml_fmodel_graph(f);
                zkr_tap_ok(t, g->n_layers == 2 && g->input_dim == 16 && g->layers[0].out_dim == 8 &&
                                  g->layers[0].act == ZKR_ML_ACT_RELU && g->layers[1].out_dim == 3 &&
                                  g->layers[1].act == ZKR_ML_ACT_NONE,
                           "opset %d: folds to 16-8(relu)-3", (int)opset);
                mlp_ref(&w, x, want);
                zkr_tap_ok(t, max_err(f, x, 16, want, 3) < 1e-4, "opset %d: float output matches",
                           (int)opset);
            }
            zkr_ml_fmodel_free(f);
            ob_free(&b);
        }
}

/* --- Gemm with every transA/transB, activation as A or as B, alpha, beta, C shapes --- */

/* Y[m][n] = alpha * A'[m][k] B'[k][n] + beta * C (broadcast), all row-major. */
static void gemm_ref(const double *A, int ta, const double *B, int tb, int64_t M, int64_t K,
                     int64_t N, double alpha, double beta, const float *C, const int64_t *cdims,
                     size_t crank, double *Y)
{
    for (int64_t m = 0; m < M; m++)
        for (int64_t n = 0; n < N; n++) {
            double s = 0, c = 0;
            for (int64_t k = 0; k < K; k++)
                s += (ta ? A[k * M + m] : A[m * K + k]) * (tb ? B[n * K + k] : B[k * N + n]);
            if (C != NULL) {
                int64_t ci = 0;
                if (crank == 2)
                    ci = (cdims[0] == 1 ? 0 : m) * cdims[1] + (cdims[1] == 1 ? 0 : n);
                else if (crank == 1)
                    ci = cdims[0] == 1 ? 0 : n;
                c = C[ci];
            }
            Y[m * N + n] = alpha * s + beta * c;
        }
}

static void test_gemm_variants(zkr_tap *t)
{
    const int64_t K = 5, W = 4; /* activation length K, layer width W */

    for (int act_b = 0; act_b <= 1; act_b++)
        for (int ta = 0; ta <= 1; ta++)
            for (int tb = 0; tb <= 1; tb++)
                for (int cform = 0; cform < 4; cform++) {
                    ob_model b;
                    zkr_ml_fmodel *f = NULL;
                    zkr_diag d;
                    float wv[20], cv[4];
                    double xa[5], wd[20], want[4];
                    uint8_t x[5];
                    int64_t M = act_b ? W : 1, N = act_b ? 1 : W;
                    /* stored shapes of A and B given the transposes */
                    int64_t adims[2], bdims[2], odims[2] = {M, N}, cd[2];
                    size_t crank = 0;
                    float alpha = 0.5f + frand(t) * 0.25f, beta = 1.5f + frand(t) * 0.25f;
                    Onnx__NodeProto *n;
                    zkr_err r;

                    adims[0] = ta ? K : M, adims[1] = ta ? M : K;
                    bdims[0] = tb ? N : K, bdims[1] = tb ? K : N;
                    fill(t, wv, 20);
                    fill(t, cv, 4);
                    for (int i = 0; i < 5; i++) {
                        x[i] = (uint8_t)zkr_tap_rand(t);
                        xa[i] = x[i] / 255.0;
                    }
                    for (int i = 0; i < 20; i++)
                        wd[i] = wv[i];
                    ob_init(&b, 13);
                    ob_value(&b, 0, "x", act_b ? bdims : adims, 2);
                    ob_value(&b, 1, "y", odims, 2);
                    ob_floats(&b, "w", act_b ? adims : bdims, 2, wv, 20);
                    if (cform == 1) /* C of the output's full shape */
                        crank = 2, cd[0] = M, cd[1] = N;
                    else if (cform == 2) /* C as a scalar-like [1] */
                        crank = 1, cd[0] = 1;
                    else if (cform == 3) /* C [1, 1] */
                        crank = 2, cd[0] = 1, cd[1] = 1;
                    if (cform != 0)
                        ob_floats(&b, "c", cd, crank, cv, (size_t)(cform == 1 ? W : 1));
                    n = ob_node(&b, "Gemm", act_b ? "w" : "x", act_b ? "x" : "w",
                                cform ? "c" : NULL, "y");
                    ob_attr_f(&b, n, "alpha", alpha);
                    ob_attr_f(&b, n, "beta", beta);
                    ob_attr_i(&b, n, "transA", ta);
                    ob_attr_i(&b, n, "transB", tb);
                    gemm_ref(act_b ? wd : xa, ta, act_b ? xa : wd, tb, M, K, N, alpha, beta,
                             cform ? cv : NULL, cd, crank, want);
                    r = import_model(&b, &f, &d);
                    zkr_tap_ok(t, r == ZKR_OK && f != NULL && max_err(f, x, 5, want, 4) < 1e-4,
                               "Gemm act=%s transA=%d transB=%d C form %d: matches (%s)",
                               act_b ? "B" : "A", ta, tb, cform, d.msg);
                    zkr_ml_fmodel_free(f);
                    ob_free(&b);
                }
}

/* --- MatMul + Add, 1-D activations, weight-on-the-left, Reshape, Identity, Constant --- */

static void test_matmul_add(zkr_tap *t)
{
    for (int form = 0; form < 3; form++) {
        ob_model b;
        zkr_ml_fmodel *f = NULL;
        zkr_diag d;
        float wv[12], bv[3];
        uint8_t x[4];
        double want[3];
        int64_t in1[] = {4}, in2[] = {1, 4}, inc[] = {4, 1};
        int64_t o1[] = {3}, o2[] = {1, 3}, oc[] = {3, 1};
        int64_t wd_r[] = {4, 3}, wd_l[] = {3, 4}, bd1[] = {3}, bdc[] = {3, 1};
        zkr_err r;

        fill(t, wv, 12);
        fill(t, bv, 3);
        for (int i = 0; i < 4; i++)
            x[i] = (uint8_t)zkr_tap_rand(t);
        ob_init(&b, 17);
        if (form == 0) { /* x[4] @ W[4,3] + b[3] */
            ob_value(&b, 0, "x", in1, 1), ob_value(&b, 1, "y", o1, 1);
            ob_floats(&b, "w", wd_r, 2, wv, 12), ob_floats(&b, "b", bd1, 1, bv, 3);
            ob_node(&b, "MatMul", "x", "w", NULL, "m");
            ob_node(&b, "Add", "m", "b", NULL, "y");
        } else if (form == 1) { /* x[1,4] @ W[4,3] + b[3], bias first operand */
            ob_value(&b, 0, "x", in2, 2), ob_value(&b, 1, "y", o2, 2);
            ob_floats(&b, "w", wd_r, 2, wv, 12), ob_floats(&b, "b", bd1, 1, bv, 3);
            ob_node(&b, "MatMul", "x", "w", NULL, "m");
            ob_node(&b, "Add", "b", "m", NULL, "y");
        } else { /* W[3,4] @ x[4,1] + b[3,1] */
            ob_value(&b, 0, "x", inc, 2), ob_value(&b, 1, "y", oc, 2);
            ob_floats(&b, "w", wd_l, 2, wv, 12), ob_floats(&b, "b", bdc, 2, bv, 3);
            ob_node(&b, "MatMul", "w", "x", NULL, "m");
            ob_node(&b, "Add", "m", "b", NULL, "y");
        }
        for (int j = 0; j < 3; j++) {
            want[j] = bv[j];
            for (int k = 0; k < 4; k++)
                want[j] += (double)(form == 2 ? wv[j * 4 + k] : wv[k * 3 + j]) * (x[k] / 255.0);
        }
        r = import_model(&b, &f, &d);
        zkr_tap_ok(t, r == ZKR_OK && f != NULL && max_err(f, x, 4, want, 3) < 1e-5,
                   "MatMul+Add form %d matches (%s)", form, d.msg);
        zkr_ml_fmodel_free(f);
        ob_free(&b);
    }
}

static void test_reshape_identity(zkr_tap *t)
{
    for (int form = 0; form < 3; form++) {
        ob_model b;
        zkr_ml_fmodel *f = NULL;
        zkr_diag d;
        float wv[16 * 2], bv[2];
        uint8_t x[16];
        double want[2];
        int64_t in[] = {1, 2, 8}, out[] = {1, 2}, wd[] = {2, 16}, bd[] = {2};
        int64_t shp0[] = {1, -1}, shp1[] = {0, -1};
        Onnx__NodeProto *n;
        Onnx__TensorProto shape_t;
        int64_t shape_dims[1] = {2};
        zkr_err r;

        fill(t, wv, 32);
        fill(t, bv, 2);
        for (int i = 0; i < 16; i++)
            x[i] = (uint8_t)zkr_tap_rand(t);
        ob_init(&b, 14);
        ob_value(&b, 0, "x", in, 3), ob_value(&b, 1, "y", out, 2);
        ob_floats(&b, "w0", wd, 2, wv, 32), ob_floats(&b, "b", bd, 1, bv, 2);
        ob_node(&b, "Identity", "x", NULL, NULL, "xi");    /* on the activation */
        ob_node(&b, "Identity", "w0", NULL, NULL, "w");    /* alias of a weight */
        if (form == 2) { /* the shape from a Constant node */
            onnx__tensor_proto__init(&shape_t);
            shape_t.n_dims = 1, shape_t.dims = shape_dims;
            shape_t.has_data_type = 1, shape_t.data_type = 7;
            shape_t.n_int64_data = 2, shape_t.int64_data = shp0;
            n = ob_node(&b, "Constant", NULL, NULL, NULL, "s");
            {
                Onnx__AttributeProto *a = ob_attr(&b, n, "value");
                a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
                a->t = &shape_t;
            }
        } else {
            ob_int64s(&b, "s", form == 0 ? shp0 : shp1, 2);
        }
        ob_node(&b, "Reshape", "xi", "s", NULL, "xr");
        n = ob_node(&b, "Gemm", "xr", "w", "b", "y");
        ob_attr_i(&b, n, "transB", 1);
        for (int j = 0; j < 2; j++) {
            want[j] = bv[j];
            for (int k = 0; k < 16; k++)
                want[j] += (double)wv[j * 16 + k] * (x[k] / 255.0);
        }
        r = import_model(&b, &f, &d);
        zkr_tap_ok(t, r == ZKR_OK && f != NULL && max_err(f, x, 16, want, 2) < 1e-5,
                   "Identity/Reshape form %d matches (%s)", form, d.msg);
        zkr_ml_fmodel_free(f);
        ob_free(&b);
    }
}

/* --- refusals --- */

static int has(const zkr_diag *d, const char *s)
{
    return strstr(d->msg, s) != NULL;
}

/* Imports the torch-style MLP after `mutate` and checks the error and the message. */
static void expect_reject(zkr_tap *t, const char *what, void (*mutate)(ob_model *, mlp_w *),
                          zkr_err want, const char *needle)
{
    ob_model b;
    mlp_w w;
    zkr_ml_fmodel *f = NULL;
    zkr_diag d;
    zkr_err r;

    fill(t, (float *)&w, sizeof w / sizeof(float));
    mlp_build(&b, 13, &w, 0);
    mutate(&b, &w);
    r = import_model(&b, &f, &d);
    zkr_tap_ok(t, r == want && f == NULL && has(&d, needle), "%s: %s (%s)", what, zkr_strerror(r),
               d.msg);
    zkr_ml_fmodel_free(f);
    ob_free(&b);
}

static void m_unknown_op(ob_model *b, mlp_w *w)
{
    (void)w;
    b->nd[2].op_type = (char *)"Sigmoid";
}
static void m_dynamic(ob_model *b, mlp_w *w)
{
    (void)w;
    b->dm[0][0].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    b->dm[0][0].dim_param = (char *)"batch_size";
}
static void m_no_shape(ob_model *b, mlp_w *w)
{
    (void)w;
    b->tt[0].shape = NULL;
}
static void m_nan(ob_model *b, mlp_w *w)
{
    (void)w;
    b->t[0].float_data[77] = NAN;
}
static void m_inf(ob_model *b, mlp_w *w)
{
    (void)w;
    b->t[3].float_data[1] = -INFINITY;
}
static void m_mismatch(ob_model *b, mlp_w *w)
{
    (void)w;
    b->tdims[0][1] = 15; /* w1 is 8x15 against 16 inputs */
    b->t[0].n_float_data = 120;
}
static void m_count(ob_model *b, mlp_w *w)
{
    (void)w;
    b->t[1].n_float_data = 7;
}
static void m_opset10(ob_model *b, mlp_w *w)
{
    (void)w;
    b->op.version = 10;
}
static void m_opset18(ob_model *b, mlp_w *w)
{
    (void)w;
    b->op.version = 18;
}
static void m_batch2(ob_model *b, mlp_w *w)
{
    (void)w;
    b->dm[0][0].dim_value = 2;
}
static void m_add_after_relu(ob_model *b, mlp_w *w)
{
    (void)w;
    b->nd[3].op_type = (char *)"Add";
    b->nd[3].n_attribute = 0;
    b->nd[3].n_input = 2;
    b->nd_in[3][1] = (char *)"b2";
}
static void m_int_weights(ob_model *b, mlp_w *w)
{
    (void)w;
    b->t[2].data_type = 6;
}
static void m_bad_attr(ob_model *b, mlp_w *w)
{
    (void)w;
    ob_attr_i(b, &b->nd[1], "broadcast", 1);
}
static void m_out_dims(ob_model *b, mlp_w *w)
{
    (void)w;
    b->dm[1][1].dim_value = 4;
}
static void m_dangling(ob_model *b, mlp_w *w)
{
    (void)w;
    b->nd_in[3][1] = (char *)"nope";
}
static void m_branch(ob_model *b, mlp_w *w)
{
    (void)w;
    b->nd_in[3][0] = (char *)"h"; /* reads the pre-Relu value: not a chain */
}
static void m_domain(ob_model *b, mlp_w *w)
{
    (void)w;
    b->nd[2].domain = (char *)"com.microsoft";
}
static void m_trans(ob_model *b, mlp_w *w)
{
    (void)w;
    b->at[1][2].i = 2;
}

static void test_rejects(zkr_tap *t)
{
    expect_reject(t, "unknown operator", m_unknown_op, ZKR_ERR_UNSUPPORTED, "'Sigmoid'");
    expect_reject(t, "unknown operator position", m_unknown_op, ZKR_ERR_UNSUPPORTED, "node 2");
    expect_reject(t, "custom domain", m_domain, ZKR_ERR_UNSUPPORTED, "node 2");
    expect_reject(t, "dynamic batch", m_dynamic, ZKR_ERR_UNSUPPORTED, "dynamic ('batch_size')");
    expect_reject(t, "no input shape", m_no_shape, ZKR_ERR_UNSUPPORTED, "no shape");
    expect_reject(t, "NaN weight", m_nan, ZKR_ERR_MALFORMED, "NaN at index 77");
    expect_reject(t, "Inf bias", m_inf, ZKR_ERR_MALFORMED, "Inf at index 1");
    expect_reject(t, "mismatched dims", m_mismatch, ZKR_ERR_MALFORMED, "mismatched dims");
    expect_reject(t, "value count", m_count, ZKR_ERR_MALFORMED, "holds 7 values");
    expect_reject(t, "opset 10", m_opset10, ZKR_ERR_UNSUPPORTED, "opset 10");
    expect_reject(t, "opset 18", m_opset18, ZKR_ERR_UNSUPPORTED, "opset 18");
    expect_reject(t, "batch of 2", m_batch2, ZKR_ERR_UNSUPPORTED, "batch dimension 2");
    expect_reject(t, "Add after Relu", m_add_after_relu, ZKR_ERR_UNSUPPORTED, "node 3 (Add)");
    expect_reject(t, "int32 weights", m_int_weights, ZKR_ERR_UNSUPPORTED, "float32");
    expect_reject(t, "unknown attribute", m_bad_attr, ZKR_ERR_UNSUPPORTED, "'broadcast'");
    expect_reject(t, "output dims", m_out_dims, ZKR_ERR_MALFORMED, "mismatched dims");
    expect_reject(t, "dangling name", m_dangling, ZKR_ERR_MALFORMED, "'nope'");
    expect_reject(t, "branching graph", m_branch, ZKR_ERR_UNSUPPORTED, "node 3 (Gemm)");
    expect_reject(t, "transB = 2", m_trans, ZKR_ERR_MALFORMED, "transB");
}

/* Every proper prefix of a valid model, and garbage, is refused with a message. */
static void test_truncation(zkr_tap *t)
{
    ob_model b;
    mlp_w w;
    zkr_buf buf = {0};
    zkr_ml_fmodel *f = NULL;
    zkr_diag d;
    int bad = 0;
    size_t first_bad = 0;

    fill(t, (float *)&w, sizeof w / sizeof(float));
    mlp_build(&b, 13, &w, 0);
    if (ob_pack(&b, &buf) != 0) {
        zkr_tap_ok(t, 0, "pack");
        return;
    }
    for (size_t len = 0; len < buf.len; len++) {
        zkr_err r;
        zkr_diag_clear(&d);
        r = zkr_ml_onnx_import(buf.p, len, "t.onnx", &f, &d);
        if ((r != ZKR_ERR_MALFORMED && r != ZKR_ERR_UNSUPPORTED) || f != NULL || d.msg[0] == '\0') {
            if (!bad)
                first_bad = len;
            bad++;
        }
        zkr_ml_fmodel_free(f);
        f = NULL;
    }
    zkr_tap_ok(t, bad == 0, "all %zu truncations refused with a message (first failure at %zu)",
               buf.len, first_bad);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_onnx_import(buf.p, buf.len - 1, "t.onnx", &f, &d) == ZKR_ERR_MALFORMED &&
                      has(&d, "truncated"),
               "truncated protobuf says so (%s)", d.msg);
    for (size_t i = 0; i < buf.len; i++)
        buf.p[i] = (uint8_t)(0xff ^ i);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_onnx_import(buf.p, buf.len, "t.onnx", &f, &d) == ZKR_ERR_MALFORMED,
               "garbage refused (%s)", d.msg);
    zkr_buf_free(&buf);
    ob_free(&b);
}

static void test_fixture(zkr_tap *t)
{
    const char *root = getenv("ZKR_SOURCE_ROOT");
    char path[1024];
    zkr_ml_fmodel *f = NULL;
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    snprintf(path, sizeof path, "%s/tests/fixtures/mlp_784_128_10.onnx", root ? root : ".");
    r = zkr_ml_onnx_import_file(path, &f, &d);
    zkr_tap_ok(t, r == ZKR_OK, "fixture %s imports (%s)", path, d.msg);
    if (f != NULL) {
        const zkr_ml_graph *g = zkr_ml_fmodel_graph(f);
        zkr_tap_ok(t, g->input_dim == 784 && g->n_layers == 2 && g->layers[0].out_dim == 128 &&
                          g->layers[0].act == ZKR_ML_ACT_RELU && g->layers[1].out_dim == 10,
                   "fixture folds to 784-128(relu)-10");
    }
    zkr_ml_fmodel_free(f);
}

static size_t varint_len(uint64_t x)
{
    size_t n = 1;
    while (x > 0x7f)
        x >>= 7, n++;
    return n;
}

static void put_varint(zkr_buf *out, uint64_t x)
{
    uint8_t v[10];
    size_t n = 0;

    do {
        v[n++] = (uint8_t)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));
        x >>= 7;
    } while (x != 0);
    if (zkr_buf_append(out, v, n) != ZKR_OK)
        out->len = 0;
}

/*
 * Subgraphs nested 3 x 60000 deep (Attribute.g -> Graph.node -> Node.attribute)
 * in 700 KB: protobuf-c alone recurses until the stack overflows. Each level
 * is a length-delimited field whose payload is the next level, so the file
 * is the headers from the outside in; lengths are computed from the inside out.
 */
static void test_deep_nesting(zkr_tap *t)
{
    enum { CYCLES = 60000, LEVELS = 3 * CYCLES + 2 };
    unsigned *num = malloc(LEVELS * sizeof *num);
    uint64_t *plen = malloc((LEVELS + 1) * sizeof *plen);
    zkr_buf b = {0};
    zkr_ml_fmodel *f = NULL;
    zkr_diag d;
    size_t n = 0;
    zkr_err r;

    if (num == NULL || plen == NULL)
        goto out;
    num[n++] = 1, num[n++] = 6; /* innermost: Attribute.g { Graph.node {} } */
    for (int i = 1; i < CYCLES; i++)
        num[n++] = 5, num[n++] = 1, num[n++] = 6;
    num[n++] = 5, num[n++] = 1, num[n++] = 7; /* ... Node, Graph, Model.graph */
    plen[0] = 0;
    for (size_t i = 0; i < n; i++) /* plen[i]: payload of level i (inner to outer) */
        plen[i + 1] = plen[i] + varint_len((uint64_t)num[i] << 3 | 2) + varint_len(plen[i]);
    for (size_t i = n; i-- > 0;) {
        put_varint(&b, (uint64_t)num[i] << 3 | 2);
        put_varint(&b, plen[i]);
    }
    zkr_diag_clear(&d);
    r = zkr_ml_onnx_import(b.p, b.len, "deep.onnx", &f, &d);
    zkr_tap_ok(t, r == ZKR_ERR_UNSUPPORTED && f == NULL && has(&d, "nested deeper") &&
                      b.len == plen[n],
               "%zu bytes of deeply nested subgraphs refused before parsing (%s)", b.len, d.msg);
out:
    free(num);
    free(plen);
    zkr_buf_free(&b);
}

/* Files written by the onnx Python library itself (the fuzz seeds) import too. */
static void test_onnx_lib_files(zkr_tap *t)
{
    static const char *names[] = {"mlp_16_8_3_opset13.onnx", "mlp_16_8_3_opset11.onnx",
                                  "matmul_add_reshape.onnx"};
    static const uint32_t outs[] = {3, 3, 2};
    const char *root = getenv("ZKR_SOURCE_ROOT");

    for (size_t i = 0; i < 3; i++) {
        char path[1024];
        zkr_ml_fmodel *f = NULL;
        zkr_diag d;
        zkr_err r;

        zkr_diag_clear(&d);
        snprintf(path, sizeof path, "%s/fuzz/corpus/onnx/%s", root ? root : ".", names[i]);
        r = zkr_ml_onnx_import_file(path, &f, &d);
        zkr_tap_ok(t, r == ZKR_OK && zkr_ml_graph_out_dim(zkr_ml_fmodel_graph(f)) == outs[i],
                   "%s (written by python3-onnx) imports (%s)", names[i], d.msg);
        zkr_ml_fmodel_free(f);
    }
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_mlp_opsets(&t);
    test_gemm_variants(&t);
    test_matmul_add(&t);
    test_reshape_identity(&t);
    test_rejects(&t);
    test_truncation(&t);
    test_fixture(&t);
    test_onnx_lib_files(&t);
    test_deep_nesting(&t);
    return zkr_tap_done(&t);
}
