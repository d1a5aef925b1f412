/*
 * Integer inference and the quantized-model file:
 * - seeded random models and inputs: every value of the trace (what a prover
 *   commits to) is recomputed here independently, layer by layer from the
 *   trace's own previous outputs, and must agree; the extremes of the
 *   bounds run without overflow (UBSan build);
 * - determinism: same model and input, identical trace and digest;
 * - the model file: round trip, canonical under every bit flip, truncation
 *   at every length, trailing bytes, versions, each bound.
 */
#include "ml/ml.h"
#include "tests/tap.h"

typedef struct {
    zkr_ml_graph g;
    int8_t *w[ZKR_ML_MAX_LAYERS];
    int32_t bias[ZKR_ML_MAX_LAYERS][64];
    uint32_t mult[ZKR_ML_MAX_LAYERS][64];
    zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
} rmodel;

static int64_t rnd(zkr_tap *t, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(zkr_tap_rand(t) % (uint64_t)(hi - lo + 1));
}

/* A random model: 1..4 layers, widths 1..64; parameters often at their extremes. */
static void rmodel_make(zkr_tap *t, rmodel *m, int extreme)
{
    memset(m, 0, sizeof *m);
    m->g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    m->g.input_dim = (uint32_t)rnd(t, 1, 64);
    m->g.n_layers = (uint32_t)rnd(t, 1, 4);
    for (uint32_t l = 0; l < m->g.n_layers; l++) {
        zkr_ml_layer_desc *L = &m->g.layers[l];
        L->op = ZKR_ML_OP_DENSE;
        L->act = (uint8_t)rnd(t, 0, 1);
        L->in_dim = l ? m->g.layers[l - 1].out_dim : m->g.input_dim;
        L->out_dim = (uint32_t)rnd(t, 1, 64);
        m->w[l] = malloc((size_t)L->in_dim * L->out_dim);
        for (size_t i = 0; i < (size_t)L->in_dim * L->out_dim; i++)
            m->w[l][i] = (int8_t)(extreme ? (rnd(t, 0, 1) ? 127 : -127) : rnd(t, -127, 127));
        m->q[l].shift = (uint32_t)(extreme ? (rnd(t, 0, 1) ? 1 : 48) : rnd(t, 8, 30));
        for (uint32_t j = 0; j < L->out_dim; j++) {
            m->bias[l][j] = (int32_t)(extreme ? (rnd(t, 0, 1) ? ZKR_ML_BIAS_MAX : -ZKR_ML_BIAS_MAX)
                                              : rnd(t, -100000, 100000));
            m->mult[l][j] = (uint32_t)(extreme ? ZKR_ML_MULT_LIMIT - 1
                                               : rnd(t, 0, (int64_t)1 << (m->q[l].shift - 7)));
        }
        m->q[l].w = m->w[l];
        m->q[l].bias = m->bias[l];
        m->q[l].mult = m->mult[l];
    }
}

static void rmodel_free(rmodel *m)
{
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++)
        free(m->w[l]);
}

/* floor(v / 2^s) by truncating division and correction: independent of the library's shift. */
static int64_t ref_floor(int64_t v, uint32_t s)
{
    int64_t d = (int64_t)1 << s, q = v / d;
    return (v % d != 0 && v < 0) ? q - 1 : q;
}

/* Checks every trace value against a recomputation from the trace's own inputs. */
static int trace_consistent(const rmodel *m, const uint8_t *x, const zkr_ml_trace *tr)
{
    int64_t best = -1000;
    uint32_t arg = 0;

    if (memcmp(tr->input, x, m->g.input_dim) != 0)
        return 0;
    for (uint32_t l = 0; l < m->g.n_layers; l++) {
        const zkr_ml_layer_desc *L = &m->g.layers[l];
        int64_t lo = L->act == ZKR_ML_ACT_RELU ? 0 : -128;
        for (uint32_t j = 0; j < L->out_dim; j++) {
            int64_t acc = m->bias[l][j], q, y;
            for (uint32_t k = 0; k < L->in_dim; k++)
                acc += (int64_t)m->w[l][(size_t)j * L->in_dim + k] *
                       (l ? (int64_t)tr->y[l - 1][k] : (int64_t)tr->input[k]);
            if (acc != tr->acc[l][j] || acc >= ((int64_t)1 << 31) || acc < -((int64_t)1 << 31))
                return 0;
            q = ref_floor(acc * (int64_t)m->mult[l][j] + ((int64_t)1 << (m->q[l].shift - 1)),
                          m->q[l].shift);
            y = q < lo ? lo : q > 127 ? 127 : q;
            if (q != tr->q[l][j] || y != tr->y[l][j])
                return 0;
        }
    }
    for (uint32_t j = 0; j < tr->dims[m->g.n_layers - 1]; j++)
        if (tr->y[m->g.n_layers - 1][j] > best)
            best = tr->y[m->g.n_layers - 1][j], arg = j;
    return arg == tr->argmax;
}

static void test_random_models(zkr_tap *t)
{
    int bad = 0, runs = 0, extremes_bad = 0;

    for (int i = 0; i < 200; i++) {
        rmodel rm;
        zkr_buf file = {0};
        zkr_ml_model *m = NULL, *m2 = NULL;
        zkr_ml_trace tr = {0}, tr2 = {0};
        uint8_t x[64], d1[32], d2[32];
        int extreme = i % 5 == 4, ok;

        rmodel_make(t, &rm, extreme);
        for (uint32_t k = 0; k < rm.g.input_dim; k++)
            x[k] = (uint8_t)(extreme ? 255 : zkr_tap_rand(t));
        ok = zkr_ml_model_encode(&rm.g, rm.q, &file, NULL) == ZKR_OK &&
             zkr_ml_model_decode(file.p, file.len, &m, NULL) == ZKR_OK &&
             zkr_ml_model_decode(file.p, file.len, &m2, NULL) == ZKR_OK &&
             zkr_ml_trace_init(&tr, zkr_ml_model_graph(m)) == ZKR_OK &&
             zkr_ml_trace_init(&tr2, zkr_ml_model_graph(m2)) == ZKR_OK &&
             zkr_ml_infer(m, x, rm.g.input_dim, &tr, NULL) == ZKR_OK &&
             zkr_ml_infer(m2, x, rm.g.input_dim, &tr2, NULL) == ZKR_OK &&
             trace_consistent(&rm, x, &tr);
        if (ok) { /* determinism: a second decode and run give the same digest and trace */
            zkr_ml_model_digest(m, d1);
            zkr_ml_model_digest(m2, d2);
            ok = memcmp(d1, d2, 32) == 0 && tr.argmax == tr2.argmax;
            for (uint32_t l = 0; ok && l < rm.g.n_layers; l++)
                ok = memcmp(tr.acc[l], tr2.acc[l], tr.dims[l] * 4) == 0 &&
                     memcmp(tr.q[l], tr2.q[l], tr.dims[l] * 8) == 0 &&
                     memcmp(tr.y[l], tr2.y[l], tr.dims[l]) == 0;
        }
        bad += !ok;
        extremes_bad += extreme && !ok;
        runs++;
        zkr_ml_trace_free(&tr);
        zkr_ml_trace_free(&tr2);
        zkr_ml_model_free(m);
        zkr_ml_model_free(m2);
        zkr_buf_free(&file);
        rmodel_free(&rm);
    }
    zkr_tap_ok(t, bad == 0, "%d random models: trace equals an independent recomputation, deterministic (%d failed, %d at extremes)",
               runs, bad, extremes_bad);
}

/* The largest accumulator the bounds allow: 4096 inputs of 255 times 127, bias 2^30. */
static void test_max_bounds(zkr_tap *t)
{
    for (int si = 0; si < 2; si++) {
        int64_t sign = si ? 1 : -1;
        zkr_ml_graph g;
        zkr_ml_qlayer q;
        int8_t *w = malloc(ZKR_ML_MAX_DIM);
        int32_t bias = (int32_t)(sign * ZKR_ML_BIAS_MAX);
        uint32_t mult = ZKR_ML_MULT_LIMIT - 1;
        uint8_t *x = malloc(ZKR_ML_MAX_DIM);
        zkr_buf file = {0};
        zkr_ml_model *m = NULL;
        zkr_ml_trace tr = {0};
        int64_t want_acc = sign * (4096LL * 127 * 255 + ZKR_ML_BIAS_MAX);
        int ok;

        memset(&g, 0, sizeof g);
        g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
        g.input_dim = ZKR_ML_MAX_DIM;
        g.n_layers = 1;
        g.layers[0] = (zkr_ml_layer_desc){ZKR_ML_OP_DENSE, ZKR_ML_ACT_NONE, ZKR_ML_MAX_DIM, 1};
        memset(w, sign > 0 ? 127 : (uint8_t)(int8_t)-127, ZKR_ML_MAX_DIM);
        memset(x, 255, ZKR_ML_MAX_DIM);
        q = (zkr_ml_qlayer){w, &bias, &mult, ZKR_ML_SHIFT_MIN};
        ok = zkr_ml_model_encode(&g, &q, &file, NULL) == ZKR_OK &&
             zkr_ml_model_decode(file.p, file.len, &m, NULL) == ZKR_OK &&
             zkr_ml_trace_init(&tr, &g) == ZKR_OK &&
             zkr_ml_infer(m, x, ZKR_ML_MAX_DIM, &tr, NULL) == ZKR_OK && tr.acc[0][0] == want_acc &&
             tr.q[0][0] == ref_floor(want_acc * (int64_t)mult + 1, 1) &&
             tr.y[0][0] == (sign > 0 ? 127 : -128);
        zkr_tap_ok(t, ok, "extreme accumulator %lld, multiplier 2^31-1, shift 1: exact, no overflow",
                   (long long)want_acc);
        zkr_ml_trace_free(&tr);
        zkr_ml_model_free(m);
        zkr_buf_free(&file);
        free(w);
        free(x);
    }
}

/* A small fixed-shape model for the file tests. */
static void small_model(zkr_tap *t, rmodel *rm, zkr_buf *file)
{
    do {
        rmodel_free(rm);
        rmodel_make(t, rm, 0);
    } while (rm->g.n_layers < 2 || rm->g.input_dim > 6 || rm->g.layers[0].out_dim > 6 ||
             rm->g.layers[1].out_dim > 6);
    if (zkr_ml_model_encode(&rm->g, rm->q, file, NULL) != ZKR_OK)
        file->len = 0;
}

static void test_file(zkr_tap *t)
{
    rmodel rm;
    zkr_buf f = {0}, e = {0};
    zkr_ml_model *m = NULL;
    zkr_diag d;
    const uint8_t *p;
    size_t len, prog_end;
    uint8_t dg[32], want[32];
    int bad = 0, rej = 0, header_accepted = 0;

    memset(&rm, 0, sizeof rm);
    small_model(t, &rm, &f);
    zkr_tap_ok(t, f.len > 0 && zkr_ml_model_decode(f.p, f.len, &m, NULL) == ZKR_OK, "small model decodes (%zu bytes)", f.len);
    if (m == NULL)
        goto out;
    zkr_ml_model_bytes(m, &p, &len);
    zkr_ml_model_digest(m, dg);
    zkr_sha256(f.p, f.len, want);
    zkr_tap_ok(t, len == f.len && memcmp(p, f.p, len) == 0 && memcmp(dg, want, 32) == 0,
               "round trip: same bytes, digest is their SHA-256");
    zkr_ml_model_free(m);
    m = NULL;
    prog_end = 8 + 4 + 32 + 4 + zkr_load_be32(f.p + 44);
    for (size_t i = 0; i < f.len * 8; i++) {
        zkr_ml_model *x = NULL;
        f.p[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (zkr_ml_model_decode(f.p, f.len, &x, NULL) == ZKR_OK) {
            zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
            for (uint32_t l = 0; l < zkr_ml_model_graph(x)->n_layers; l++)
                if (zkr_ml_model_layer(x, l, &q[l]) != ZKR_OK)
                    bad++;
            if (zkr_ml_model_encode(zkr_ml_model_graph(x), q, &e, NULL) != ZKR_OK || e.len != f.len ||
                memcmp(e.p, f.p, f.len) != 0)
                bad++;
            header_accepted += i / 8 < prog_end;
        } else {
            rej++;
        }
        zkr_ml_model_free(x);
        f.p[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    zkr_tap_ok(t, bad == 0 && header_accepted == 0,
               "%zu bit flips: %d refused (all in magic/version/digest/program), the rest canonical (%d not)",
               f.len * 8, rej, bad);
    bad = 0;
    for (size_t l = 0; l < f.len; l++) {
        zkr_ml_model *x = NULL;
        bad += zkr_ml_model_decode(f.p, l, &x, NULL) != ZKR_ERR_MALFORMED || x != NULL;
        zkr_ml_model_free(x);
    }
    zkr_tap_ok(t, bad == 0, "every truncation (%zu lengths) refused", f.len);
    if (zkr_buf_append(&f, "\0", 1) == ZKR_OK) {
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_ml_model_decode(f.p, f.len, &m, &d) == ZKR_ERR_MALFORMED &&
                          strstr(d.msg, "trailing") != NULL,
                   "a trailing byte is refused (%s)", d.msg);
        f.len--;
    }
    f.p[11] = 2;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_model_decode(f.p, f.len, &m, &d) == ZKR_ERR_UNSUPPORTED, "version 2 unsupported (%s)", d.msg);
    f.p[11] = 1;
    f.p[20] ^= 1;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_model_decode(f.p, f.len, &m, &d) == ZKR_ERR_MALFORMED &&
                      strstr(d.msg, "program_digest") != NULL,
               "a wrong program digest is refused (%s)", d.msg);
    f.p[20] ^= 1;
    /* bounds: first layer's shift byte, first multiplier, first bias, first weight */
    {
        size_t s = prog_end, out0 = rm.g.layers[0].out_dim;
        struct { size_t off; uint8_t v; const char *what; } cases[] = {
            {s, 0, "shift 0"}, {s, 49, "shift 49"}, {s + 1, 0x80, "multiplier 2^31"},
            {s + 1 + 4 * out0, 0x40, "bias 2^30 + more"}, {s + 1 + 4 * out0, 0xbf, "bias below -2^30"},
            {s + 1 + 8 * out0, 0x80, "weight -128"}};
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            uint8_t keep = f.p[cases[c].off];
            zkr_err r;
            f.p[cases[c].off] = cases[c].v;
            if (c == 3)
                f.p[cases[c].off + 3] = 1;
            zkr_diag_clear(&d);
            r = zkr_ml_model_decode(f.p, f.len, &m, &d);
            zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && m == NULL, "%s refused (%s)", cases[c].what, d.msg);
            f.p[cases[c].off] = keep;
            if (c == 3)
                f.p[cases[c].off + 3] = (uint8_t)((uint32_t)rm.bias[0][0]);
        }
        zkr_tap_ok(t, zkr_ml_model_decode(f.p, f.len, &m, NULL) == ZKR_OK, "restored file decodes");
        zkr_ml_model_free(m);
        m = NULL;
    }
out:
    zkr_buf_free(&f);
    zkr_buf_free(&e);
    rmodel_free(&rm);
}

static void test_misuse(zkr_tap *t)
{
    rmodel rm;
    zkr_buf f = {0};
    zkr_ml_model *m = NULL;
    zkr_ml_trace tr = {0};
    zkr_ml_graph other;
    uint8_t x[65] = {0};
    zkr_diag d;

    memset(&rm, 0, sizeof rm);
    small_model(t, &rm, &f);
    if (zkr_ml_model_decode(f.p, f.len, &m, NULL) != ZKR_OK) {
        zkr_tap_ok(t, 0, "decode");
        goto out;
    }
    other = rm.g;
    other.layers[0].out_dim++;
    other.layers[1].in_dim++;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_trace_init(&tr, &other) == ZKR_OK &&
                      zkr_ml_infer(m, x, rm.g.input_dim, &tr, &d) == ZKR_ERR_USAGE,
               "a trace shaped for another program is refused (%s)", d.msg);
    zkr_ml_trace_free(&tr);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_trace_init(&tr, &rm.g) == ZKR_OK &&
                      zkr_ml_infer(m, x, rm.g.input_dim + 1, &tr, &d) == ZKR_ERR_MALFORMED,
               "a wrong input length is refused (%s)", d.msg);
    zkr_ml_trace_free(&tr);
out:
    zkr_ml_model_free(m);
    zkr_buf_free(&f);
    rmodel_free(&rm);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_random_models(&t);
    test_max_bounds(&t);
    test_file(&t);
    test_misuse(&t);
    return zkr_tap_done(&t);
}
