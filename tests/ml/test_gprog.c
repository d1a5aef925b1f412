/*
 * Graph programs (version 2): round trip, canonical encoding, the v1/v2
 * split (each decoder refuses the other's version), and a reject twin for
 * each structural rule (dead node, forward reference, shapes, bounds).
 */
#include "ml/graph.h"
#include "tests/tap.h"

static uint32_t add_node(zkr_ml_gprog *g, zkr_ml_gnode n)
{
    uint32_t i = g->n_nodes++;

    g->nodes[i] = n;
    if (zkr_ml_gprog_set_shape(g, i, NULL) != ZKR_OK)
        g->nodes[i].c = 0; /* makes the check fail loudly */
    return i;
}

/* A small residual CNN with every op: conv, maxpool, avgpool, add, lookup, concat, dense. */
static void build(zkr_ml_gprog *g)
{
    uint32_t c1, p1, c2, a, l, k, gp;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 8, .w = 8};
    g->n_nodes = 1;
    c1 = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                    .in = {0}, .c = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1,
                                    .pt = 1, .pl = 1, .pb = 1, .pr = 1, .dh = 1, .dw = 1,
                                    .groups = 1});
    p1 = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {c1}, .kh = 2,
                                    .kw = 2, .sh = 2, .sw = 2});
    c2 = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {p1}, .c = 4,
                                    .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 2, .pl = 2,
                                    .pb = 2, .pr = 2, .dh = 2, .dw = 2, .groups = 4});
    a = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .act = ZKR_ML_ACT_RELU, .n_in = 2,
                                   .in = {p1, c2}});
    l = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    k = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {l, p1}});
    gp = add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {k}, .kh = 4,
                                    .kw = 4, .sh = 1, .sw = 1});
    (void)add_node(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {gp}, .c = 10});
}

static void test_roundtrip(zkr_tap *t)
{
    zkr_ml_gprog g, h;
    zkr_ml_graph v1;
    zkr_buf b = {0}, b2 = {0};
    uint8_t d1[32], d2[32];
    zkr_diag d;
    int ok;

    build(&g);
    zkr_diag_clear(&d);
    ok = zkr_ml_gprog_encode(&g, &b, &d) == ZKR_OK;
    zkr_tap_ok(t, ok && b.len == ZKR_ML_G_HEADER_BYTES + 8 * ZKR_ML_G_NODE_BYTES,
               "every op encodes (%zu bytes) %s", b.len, d.msg);
    ok = ok && zkr_ml_gprog_decode(b.p, b.len, &h, NULL) == ZKR_OK &&
         zkr_ml_gprog_encode(&h, &b2, NULL) == ZKR_OK && b2.len == b.len &&
         memcmp(b.p, b2.p, b.len) == 0 && zkr_ml_gprog_digest(&g, d1, NULL) == ZKR_OK &&
         zkr_ml_gprog_digest(&h, d2, NULL) == ZKR_OK && memcmp(d1, d2, 32) == 0;
    zkr_tap_ok(t, ok, "round trip: same bytes and digest");
    zkr_tap_ok(t, h.nodes[2].h == 4 && h.nodes[3].h == 4 && h.nodes[6].c == 8 &&
                      h.nodes[7].h == 1 && h.nodes[8].c == 10 && h.nodes[8].h == 1,
               "shapes computed (conv same, pool /2, dilated conv, concat channels, global pool)");
    zkr_tap_ok(t, zkr_ml_program_version(b.p, b.len) == 2, "version peek says 2");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_graph_decode(b.p, b.len, &v1, &d) == ZKR_ERR_UNSUPPORTED,
               "the version 1 decoder refuses a graph program as newer (%s)", d.msg);
    b.p[11] = 1;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_gprog_decode(b.p, b.len, &h, &d) == ZKR_ERR_MALFORMED &&
                      h.n_nodes == 0,
               "the graph decoder refuses version 1 (%s)", d.msg);
    b.p[11] = 3;
    zkr_tap_ok(t, zkr_ml_gprog_decode(b.p, b.len, &h, NULL) == ZKR_ERR_UNSUPPORTED,
               "version 3 is unsupported");
    b.p[11] = 2;
    zkr_buf_free(&b2);
    zkr_buf_free(&b);
}

/* Every bit flip is refused or canonical; every truncation and a trailing byte refused. */
static void test_flips(zkr_tap *t)
{
    zkr_ml_gprog g, h;
    zkr_buf b = {0}, e = {0};
    int bad = 0;

    build(&g);
    if (zkr_ml_gprog_encode(&g, &b, NULL) != ZKR_OK) {
        zkr_tap_ok(t, 0, "encode");
        return;
    }
    for (size_t i = 0; i < b.len * 8; i++) {
        b.p[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (zkr_ml_gprog_decode(b.p, b.len, &h, NULL) == ZKR_OK) {
            e.len = 0;
            bad += zkr_ml_gprog_encode(&h, &e, NULL) != ZKR_OK || e.len != b.len ||
                   memcmp(e.p, b.p, b.len) != 0;
        }
        b.p[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    zkr_tap_ok(t, bad == 0, "%zu bit flips: refused or canonical (%d not)", b.len * 8, bad);
    bad = 0;
    for (size_t len = 0; len < b.len; len++)
        bad += zkr_ml_gprog_decode(b.p, len, &h, NULL) != ZKR_ERR_MALFORMED;
    zkr_tap_ok(t, bad == 0, "every truncation refused");
    if (zkr_buf_append(&b, "\0", 1) == ZKR_OK)
        zkr_tap_ok(t, zkr_ml_gprog_decode(b.p, b.len, &h, NULL) == ZKR_ERR_MALFORMED,
                   "a trailing byte refused");
    zkr_buf_free(&b);
    zkr_buf_free(&e);
}

static void test_rejects(zkr_tap *t)
{
    static const char *what[] = {
        "dead node",           "forward input",          "wrong output shape",
        "maxpool on uint8",    "pool pad = kernel",      "groups 2 of 4",
        "relu on a pool",      "add of two shapes",      "concat of 5",
        "conv kernel 33",      "dense fan-in 2^14 + 1",  "unused window field",
        "unknown op 8",        "input node with inputs", "stride 0",
    };
    for (int c = 0; c < (int)(sizeof what / sizeof what[0]); c++) {
        zkr_ml_gprog g;
        zkr_buf b = {0};
        zkr_diag d;

        build(&g);
        switch (c) {
        case 0: g.nodes[6].in[0] = 4; break; /* the lookup (node 5) is read by nobody */
        case 1: g.nodes[3].in[0] = 5; break;
        case 2: g.nodes[2].h = 3; break;
        case 3: g.nodes[2].in[0] = 0; break;
        case 4: g.nodes[2].pt = 2; break;
        case 5: g.nodes[3].groups = 2; break;
        case 6: g.nodes[2].act = ZKR_ML_ACT_RELU; break;
        case 7: g.nodes[4].in[1] = 1; break;
        case 8: g.nodes[6].n_in = 5; break;
        case 9: g.nodes[1].kh = 33; break;
        case 10:
            g.nodes[0].h = 129; g.nodes[0].w = 128; g.n_nodes = 2; g.nodes[1] = (zkr_ml_gnode){
                .op = ZKR_ML_GOP_DENSE, .n_in = 1, .c = 2, .h = 1, .w = 1};
            break;
        case 11: g.nodes[5].kh = 1; break;
        case 12: g.nodes[5].op = 8; break;
        case 13: g.nodes[0].n_in = 1; break;
        case 14: g.nodes[2].sh = 0; break;
        }
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_ml_gprog_encode(&g, &b, &d) == ZKR_ERR_MALFORMED && b.len == 0 &&
                          d.msg[0] != '\0',
                   "refused: %s (%s)", what[c], d.msg);
        zkr_buf_free(&b);
    }
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_roundtrip(&t);
    test_flips(&t);
    test_rejects(&t);
    return zkr_tap_done(&t);
}
