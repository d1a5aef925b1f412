/*
 * docs/quantization.md's test vectors, read from the document itself (so the
 * specification and the code cannot drift apart), the worked model example
 * byte for byte, and quantization of float models: per-channel weights,
 * multiplier and shift choice, determinism, refusals.
 */
#include <inttypes.h>
#include <math.h>

#include "ml/ml.h"
#include "onnx_build.h"
#include "tests/tap.h"

/* Reads the requantization table (section 5.1) from the spec and checks each row. */
static void test_doc_vectors(zkr_tap *t)
{
    const char *root = getenv("ZKR_SOURCE_ROOT");
    char path[1024], line[512];
    FILE *f;
    int in_table = 0, rows = 0, bad = 0;

    snprintf(path, sizeof path, "%s/docs/quantization.md", root ? root : ".");
    if ((f = fopen(path, "r")) == NULL) {
        zkr_tap_ok(t, 0, "open %s", path);
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        long long acc, q;
        unsigned long long mult;
        unsigned shift;
        int y;
        char act[8];

        if (strncmp(line, "| acc | mult | shift | act | q | y |", 36) == 0) {
            in_table = 1;
            continue;
        }
        if (!in_table)
            continue;
        if (line[0] != '|')
            break;
        if (sscanf(line, "| %lld | %llu | %u | %7s | %lld | %d |", &acc, &mult, &shift, act, &q,
                   &y) != 6)
            continue; /* the alignment row */
        {
            int64_t got_q = 0;
            int8_t got = zkr_ml_requant((int32_t)acc, (uint32_t)mult, shift,
                                        strcmp(act, "relu") == 0 ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE,
                                        &got_q);
            if (got != y || got_q != q) {
                bad++;
                zkr_tap_diag("row acc=%lld M=%llu s=%u %s: got q=%" PRId64 " y=%d, want q=%lld y=%d",
                             acc, mult, shift, act, got_q, (int)got, q, y);
            }
        }
        rows++;
    }
    fclose(f);
    zkr_tap_ok(t, rows >= 30 && bad == 0, "docs/quantization.md 5.1: %d requantization vectors, %d wrong",
               rows, bad);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* Section 5.2: the worked example, its trace, program bytes and both digests. */
static void test_doc_model(zkr_tap *t)
{
    static const int8_t w0[] = {1, -2, 3, -127, 0, 127}, w1[] = {2, -1, -3, 127};
    static const int32_t b0[] = {-5, 7}, b1[] = {-40, 1000};
    static const uint32_t m0[] = {200, 3}, m1[] = {60000, 70000};
    static const uint8_t x[] = {10, 200, 255};
    zkr_ml_graph g;
    zkr_ml_qlayer q[2] = {{w0, b0, m0, 10}, {w1, b1, m1, 20}};
    zkr_buf file = {0}, prog = {0};
    zkr_ml_model *m = NULL;
    zkr_ml_trace tr = {0};
    uint8_t dg[32];
    char hx[2 * 135 + 1];
    int ok;

    memset(&g, 0, sizeof g);
    g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g.input_dim = 3;
    g.n_layers = 2;
    g.layers[0] = (zkr_ml_layer_desc){ZKR_ML_OP_DENSE, ZKR_ML_ACT_RELU, 3, 2};
    g.layers[1] = (zkr_ml_layer_desc){ZKR_ML_OP_DENSE, ZKR_ML_ACT_NONE, 2, 2};
    ok = zkr_ml_graph_encode(&g, &prog, NULL) == ZKR_OK && prog.len == 43;
    if (ok) {
        hex(prog.p, prog.len, hx);
        ok = strcmp(hx, "5a4b5250524f47010000000101000000030808000000020101000000030000000201000000000200000002") == 0;
    }
    zkr_tap_ok(t, ok, "5.2: program bytes");
    ok = zkr_ml_graph_digest(&g, dg, NULL) == ZKR_OK;
    hex(dg, 32, hx);
    zkr_tap_ok(t, ok && strcmp(hx, "db1990ce304b357036e04a043baa556226b411ebe9226520827469e9e82f2a65") == 0,
               "5.2: program digest");
    ok = zkr_ml_model_encode(&g, q, &file, NULL) == ZKR_OK && file.len == 135;
    if (ok) {
        hex(file.p, file.len, hx);
        ok = strcmp(hx, "5a4b52514d4f440100000001db1990ce304b357036e04a043baa556226b411ebe9226520827469e9e82f2a650000002b5a4b5250524f470100000001010000000308080000000201010000000300000002010000000002000000020a000000c800000003fffffffb0000000701fe0381007f140000ea6000011170ffffffd8000003e802fffd7f") == 0;
    }
    zkr_tap_ok(t, ok, "5.2: model file bytes");
    ok = ok && zkr_ml_model_decode(file.p, file.len, &m, NULL) == ZKR_OK;
    if (ok)
        zkr_ml_model_digest(m, dg);
    hex(dg, 32, hx);
    zkr_tap_ok(t, ok && strcmp(hx, "d8f8fbb687a5e73f4518c6c42a239871f806a2c4ec302c09b1190a44e437380a") == 0,
               "5.2: model digest");
    ok = ok && zkr_ml_trace_init(&tr, &g) == ZKR_OK && zkr_ml_infer(m, x, 3, &tr, NULL) == ZKR_OK;
    zkr_tap_ok(t, ok && tr.acc[0][0] == 370 && tr.acc[0][1] == 31122 && tr.q[0][0] == 72 &&
                      tr.q[0][1] == 91 && tr.y[0][0] == 72 && tr.y[0][1] == 91 &&
                      tr.acc[1][0] == 13 && tr.acc[1][1] == 12341 && tr.q[1][0] == 1 &&
                      tr.q[1][1] == 824 && tr.y[1][0] == 1 && tr.y[1][1] == 127 && tr.argmax == 1,
               "5.2: trace acc/q/y and argmax");
    zkr_ml_trace_free(&tr);
    zkr_ml_model_free(m);
    zkr_buf_free(&file);
    zkr_buf_free(&prog);
}

/* A float model 12 -> 6 (relu) -> 4 from ONNX, with the given weight scale. */
static zkr_err float_model(zkr_tap *t, float bias_scale, zkr_ml_fmodel **f)
{
    static const int64_t in[] = {1, 12}, out[] = {1, 4}, d1[] = {6, 12}, db1[] = {6},
                         d2[] = {4, 6}, db2[] = {4};
    float w1[72], b1[6], w2[24], b2[4];
    ob_model b;
    zkr_buf buf = {0};
    Onnx__NodeProto *n;
    zkr_err r;

    for (int i = 0; i < 72; i++)
        w1[i] = (float)((int64_t)(zkr_tap_rand(t) % 2001) - 1000) / 1000.0f;
    for (int i = 0; i < 24; i++)
        w2[i] = (float)((int64_t)(zkr_tap_rand(t) % 2001) - 1000) / 1000.0f;
    for (int i = 0; i < 6; i++)
        b1[i] = bias_scale * (float)((int64_t)(zkr_tap_rand(t) % 201) - 100) / 100.0f;
    for (int i = 0; i < 4; i++)
        b2[i] = (float)((int64_t)(zkr_tap_rand(t) % 201) - 100) / 100.0f;
    w1[5] = 0; /* one all-zero channel: row 0 */
    memset(w1, 0, 12 * sizeof(float));
    ob_init(&b, 13);
    ob_value(&b, 0, "x", in, 2);
    ob_value(&b, 1, "y", out, 2);
    ob_floats(&b, "w1", d1, 2, w1, 72);
    ob_floats(&b, "b1", db1, 1, b1, 6);
    ob_floats(&b, "w2", d2, 2, w2, 24);
    ob_floats(&b, "b2", db2, 1, b2, 4);
    n = ob_node(&b, "Gemm", "x", "w1", "b1", "h");
    ob_attr_i(&b, n, "transB", 1);
    ob_node(&b, "Relu", "h", NULL, NULL, "r");
    n = ob_node(&b, "Gemm", "r", "w2", "b2", "y");
    ob_attr_i(&b, n, "transB", 1);
    r = ob_pack(&b, &buf) == 0 ? zkr_ml_onnx_import(buf.p, buf.len, "q.onnx", f, NULL) : ZKR_ERR_INTERNAL;
    zkr_buf_free(&buf);
    ob_free(&b);
    return r;
}

static void test_quantize(zkr_tap *t)
{
    zkr_ml_fmodel *f = NULL;
    zkr_ml_model *m = NULL;
    zkr_buf q1 = {0}, q2 = {0};
    uint8_t inputs[200 * 12];
    zkr_diag d;
    int ok, agree = 0;

    for (size_t i = 0; i < sizeof inputs; i++)
        inputs[i] = (uint8_t)zkr_tap_rand(t);
    if (float_model(t, 1.0f, &f) != ZKR_OK) {
        zkr_tap_ok(t, 0, "float model imports");
        return;
    }
    ok = zkr_ml_quantize_inputs(f, inputs, sizeof inputs, 200, &q1, NULL) == ZKR_OK &&
         zkr_ml_quantize_inputs(f, inputs, sizeof inputs, 200, &q2, NULL) == ZKR_OK &&
         q1.len == q2.len && memcmp(q1.p, q2.p, q1.len) == 0;
    zkr_tap_ok(t, ok, "quantization is deterministic (identical bytes twice)");
    ok = ok && zkr_ml_model_decode(q1.p, q1.len, &m, NULL) == ZKR_OK;
    zkr_tap_ok(t, ok, "quantized model decodes strictly");
    if (!ok)
        goto out;
    for (uint32_t l = 0; l < 2; l++) {
        zkr_ml_qlayer ql;
        const zkr_ml_layer_desc *L = &zkr_ml_model_graph(m)->layers[l];
        int rows_ok = 1;
        uint32_t mmax = 0;

        if (zkr_ml_model_layer(m, l, &ql) != ZKR_OK)
            continue;
        for (uint32_t j = 0; j < L->out_dim; j++) {
            int amax = 0;
            for (uint32_t k = 0; k < L->in_dim; k++)
                amax = abs(ql.w[j * L->in_dim + k]) > amax ? abs(ql.w[j * L->in_dim + k]) : amax;
            rows_ok &= amax == 127 || (l == 0 && j == 0 && amax == 0);
            mmax = ql.mult[j] > mmax ? ql.mult[j] : mmax;
        }
        zkr_tap_ok(t, rows_ok, "layer %u: every channel uses the full int8 range (zero row stays 0)", l);
        zkr_tap_ok(t, mmax < 65536 && (ql.shift == ZKR_ML_SHIFT_MAX || mmax >= 32768),
                   "layer %u: largest multiplier %u in [2^15, 2^16) with shift %u", l, mmax, ql.shift);
    }
    {
        zkr_ml_trace tr = {0};
        double out[4];
        if (zkr_ml_trace_init(&tr, zkr_ml_model_graph(m)) == ZKR_OK) {
            for (int i = 0; i < 200; i++) {
                const uint8_t *x = inputs + 12 * i;
                double best = -1e300;
                uint32_t fa = 0;
                if (zkr_ml_infer(m, x, 12, &tr, NULL) != ZKR_OK ||
                    zkr_ml_fmodel_infer(f, x, 12, out, 4, NULL) != ZKR_OK)
                    break;
                for (uint32_t j = 0; j < 4; j++)
                    if (out[j] > best)
                        best = out[j], fa = j;
                agree += fa == tr.argmax;
            }
        }
        zkr_ml_trace_free(&tr);
        zkr_tap_ok(t, agree >= 150, "quantized argmax agrees with float on %d of 200 calibration inputs", agree);
    }
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_quantize_inputs(f, inputs, 0, 0, &q1, &d) == ZKR_ERR_USAGE && q1.len == 0,
               "no calibration records: usage error (%s)", d.msg);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_quantize_inputs(f, inputs, 11, 1, &q1, &d) == ZKR_ERR_USAGE,
               "wrong calibration length: usage error (%s)", d.msg);
    zkr_ml_fmodel_free(f);
    f = NULL;
    /* A bias of ~1e9 weight steps cannot be an int32 within 2^30. */
    if (float_model(t, 3e9f, &f) == ZKR_OK) {
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_ml_quantize_inputs(f, inputs, sizeof inputs, 200, &q1, &d) == ZKR_ERR_UNSUPPORTED &&
                          strstr(d.msg, "layer 0") != NULL,
                   "a bias too large for int32 is refused (%s)", d.msg);
    }
out:
    zkr_ml_model_free(m);
    zkr_ml_fmodel_free(f);
    zkr_buf_free(&q1);
    zkr_buf_free(&q2);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_doc_vectors(&t);
    test_doc_model(&t);
    test_quantize(&t);
    return zkr_tap_done(&t);
}
