/*
 * The program encoding: round trip, canonical (every accepted byte string
 * re-encodes to itself), and reject twins: bit flips, truncation at every
 * length, trailing bytes, versions, and each bound.
 */
#include "ml/graph.h"
#include "tests/tap.h"

static void random_graph(zkr_tap *t, zkr_ml_graph *g)
{
    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->input_dim = 1 + (uint32_t)(zkr_tap_rand(t) % 1000);
    g->n_layers = 1 + (uint32_t)(zkr_tap_rand(t) % ZKR_ML_MAX_LAYERS);
    for (uint32_t l = 0; l < g->n_layers; l++) {
        g->layers[l].op = ZKR_ML_OP_DENSE;
        g->layers[l].act = (uint8_t)(zkr_tap_rand(t) % 2);
        g->layers[l].in_dim = l ? g->layers[l - 1].out_dim : g->input_dim;
        g->layers[l].out_dim = 1 + (uint32_t)(zkr_tap_rand(t) % ZKR_ML_MAX_DIM);
    }
}

static int same(const zkr_ml_graph *a, const zkr_ml_graph *b)
{
    zkr_buf x = {0}, y = {0};
    int ok = zkr_ml_graph_encode(a, &x, NULL) == ZKR_OK && zkr_ml_graph_encode(b, &y, NULL) == ZKR_OK &&
             x.len == y.len && memcmp(x.p, y.p, x.len) == 0;

    zkr_buf_free(&x);
    zkr_buf_free(&y);
    return ok;
}

static void test_roundtrip(zkr_tap *t)
{
    for (int i = 0; i < 50; i++) {
        zkr_ml_graph g, h;
        zkr_buf b = {0}, b2 = {0};
        uint8_t d1[32], d2[32];
        int ok;

        random_graph(t, &g);
        ok = zkr_ml_graph_encode(&g, &b, NULL) == ZKR_OK &&
             zkr_ml_graph_decode(b.p, b.len, &h, NULL) == ZKR_OK && same(&g, &h) &&
             zkr_ml_graph_encode(&h, &b2, NULL) == ZKR_OK && b2.len == b.len &&
             memcmp(b.p, b2.p, b.len) == 0 && zkr_ml_graph_digest(&g, d1, NULL) == ZKR_OK &&
             zkr_ml_graph_digest(&h, d2, NULL) == ZKR_OK && memcmp(d1, d2, 32) == 0;
        if (i < 3 || !ok)
            zkr_tap_ok(t, ok, "random graph %d (%u layers): round trip, same bytes and digest", i,
                       (unsigned)g.n_layers);
        zkr_buf_free(&b);
        zkr_buf_free(&b2);
    }
}

/* Every single-bit flip is refused, or decodes to a graph whose encoding is exactly the flipped bytes. */
static void test_flips_truncation(zkr_tap *t)
{
    zkr_ml_graph g, h;
    zkr_buf b = {0}, e = {0};
    zkr_diag d;
    int bad = 0, rejected = 0;

    /* Needs three real layers to cut down to: draw until there are. */
    do
        random_graph(t, &g);
    while (g.n_layers < 3);
    g.n_layers = 3;
    if (zkr_ml_graph_encode(&g, &b, NULL) != ZKR_OK) {
        zkr_tap_ok(t, 0, "encode");
        return;
    }
    for (size_t i = 0; i < b.len * 8; i++) {
        zkr_err r;
        b.p[i / 8] ^= (uint8_t)(1u << (i % 8));
        r = zkr_ml_graph_decode(b.p, b.len, &h, NULL);
        if (r == ZKR_OK) {
            e.len = 0;
            if (zkr_ml_graph_encode(&h, &e, NULL) != ZKR_OK || e.len != b.len ||
                memcmp(e.p, b.p, b.len) != 0)
                bad++;
        } else {
            rejected++;
        }
        b.p[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    zkr_tap_ok(t, bad == 0, "%zu bit flips: %d refused, the rest canonical (%d not)", b.len * 8,
               rejected, bad);
    bad = 0;
    for (size_t len = 0; len < b.len; len++)
        bad += zkr_ml_graph_decode(b.p, len, &h, NULL) != ZKR_ERR_MALFORMED;
    zkr_tap_ok(t, bad == 0, "every truncation (%zu lengths) refused", b.len);
    if (zkr_buf_append(&b, "\0", 1) == ZKR_OK) {
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_ml_graph_decode(b.p, b.len, &h, &d) == ZKR_ERR_MALFORMED &&
                          strstr(d.msg, "trailing") != NULL && h.n_layers == 0,
                   "a trailing byte is refused and the output cleared (%s)", d.msg);
        b.len--;
    }
    b.p[11] = 2; /* version 2 */
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_graph_decode(b.p, b.len, &h, &d) == ZKR_ERR_UNSUPPORTED,
               "a newer version is unsupported (%s)", d.msg);
    b.p[11] = 0;
    zkr_tap_ok(t, zkr_ml_graph_decode(b.p, b.len, &h, NULL) == ZKR_ERR_MALFORMED, "version 0 refused");
    zkr_buf_free(&b);
    zkr_buf_free(&e);
}

static void test_bounds(zkr_tap *t)
{
    static const char *what[] = {"no layers", "17 layers", "input_dim 0", "input_dim 4097",
                                 "out_dim 0", "out_dim 4097", "dims do not chain", "act 2", "op 2",
                                 "input_encoding 0"};
    for (int c = 0; c < 10; c++) {
        zkr_ml_graph g;
        zkr_buf b = {0};
        zkr_diag d;

        memset(&g, 0, sizeof g);
        g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
        g.input_dim = 4;
        g.n_layers = 2;
        g.layers[0] = (zkr_ml_layer_desc){ZKR_ML_OP_DENSE, ZKR_ML_ACT_RELU, 4, 3};
        g.layers[1] = (zkr_ml_layer_desc){ZKR_ML_OP_DENSE, ZKR_ML_ACT_NONE, 3, 2};
        switch (c) {
        case 0: g.n_layers = 0; break;
        case 1: g.n_layers = 17; break;
        case 2: g.input_dim = 0; g.layers[0].in_dim = 0; break;
        case 3: g.input_dim = 4097; g.layers[0].in_dim = 4097; break;
        case 4: g.layers[1].out_dim = 0; break;
        case 5: g.layers[1].out_dim = 4097; break;
        case 6: g.layers[1].in_dim = 4; break;
        case 7: g.layers[0].act = 2; break;
        case 8: g.layers[1].op = 2; break;
        case 9: g.input_encoding = 0; break;
        }
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_ml_graph_encode(&g, &b, &d) == ZKR_ERR_MALFORMED && b.len == 0 &&
                          d.msg[0] != '\0',
                   "%s: refused (%s)", what[c], d.msg);
        zkr_buf_free(&b);
    }
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_roundtrip(&t);
    test_flips_truncation(&t);
    test_bounds(&t);
    return zkr_tap_done(&t);
}
