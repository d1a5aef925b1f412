/*
 * The graph programs (ml/graph.h) of the graph benches, shared by
 * bench/ginfer_bench (graph-inference@1) and bench/ginfer2_bench
 * (graph-inference@2): DeepProve's CNN-264k, VGG-16 with CIFAR-10 shapes
 * and ResNet-8 (ml/train_cnn.py's cnn264k, vgg16 and resnet8; batch norm
 * folded into each convolution's per-channel M and bias, as zkreg's
 * import does). A shape the program check refuses aborts: the programs
 * are fixed, so that is a bug here.
 */
#ifndef ZKR_BENCH_GNETS_H
#define ZKR_BENCH_GNETS_H

#include <stdlib.h>
#include <string.h>

#include "ml/graph.h"

static inline uint32_t gn_add(zkr_ml_gprog *g, zkr_ml_gnode n)
{
    uint32_t i = g->n_nodes++;

    g->nodes[i] = n;
    if (zkr_ml_gprog_set_shape(g, i, NULL) != ZKR_OK)
        abort();
    return i;
}

static inline void gn_input(zkr_ml_gprog *g, uint32_t c, uint32_t hw)
{
    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = c, .h = hw, .w = hw};
    g->n_nodes = 1;
}

/* A k x k convolution, stride st, pad k / 2 (PyTorch's Conv2d(cin, c, k, st, k // 2)). */
static inline uint32_t gn_conv(zkr_ml_gprog *g, uint32_t x, uint32_t c, uint32_t k, uint32_t st,
                               int relu)
{
    uint32_t p = k / 2;

    return gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV,
                                    .act = relu ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE, .n_in = 1,
                                    .in = {x}, .c = c, .kh = k, .kw = k, .sh = st, .sw = st,
                                    .pt = p, .pl = p, .pb = p, .pr = p, .dh = 1, .dw = 1,
                                    .groups = 1});
}

/* A ReLU convolution, 3x3 pad 1 (PyTorch's Conv2d(cin, c, 3, padding=1)). */
static inline uint32_t gn_conv3(zkr_ml_gprog *g, uint32_t x, uint32_t c)
{
    return gn_conv(g, x, c, 3, 1, 1);
}

static inline uint32_t gn_pool2(zkr_ml_gprog *g, uint32_t x)
{
    return gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {x}, .kh = 2,
                                    .kw = 2, .sh = 2, .sw = 2});
}

static inline uint32_t gn_dense(zkr_ml_gprog *g, uint32_t x, uint32_t c, int relu)
{
    return gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE,
                                    .act = relu ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE, .n_in = 1,
                                    .in = {x}, .c = c});
}

/* DeepProve's CNN shape (ml/train_cnn.py cnn264k): 1x28x28, 261,322 parameters. */
static inline void gn_cnn264k(zkr_ml_gprog *g)
{
    uint32_t x;

    gn_input(g, 1, 28);
    x = gn_pool2(g, gn_conv3(g, 0, 32));
    x = gn_pool2(g, gn_conv3(g, x, 64));
    x = gn_conv3(g, x, 64);
    (void)gn_dense(g, gn_dense(g, gn_dense(g, x, 64, 1), 64, 1), 10, 0);
}

/* VGG-16 with CIFAR-10 shapes (ml/train_cnn.py vgg16). */
static inline void gn_vgg16(zkr_ml_gprog *g)
{
    static const uint32_t cfg[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0,
                                   512, 512, 512, 0, 512, 512, 512, 0};
    uint32_t x = 0;

    gn_input(g, 3, 32);
    for (size_t k = 0; k < sizeof cfg / sizeof *cfg; k++)
        x = cfg[k] ? gn_conv3(g, x, cfg[k]) : gn_pool2(g, x);
    (void)gn_dense(g, gn_dense(g, gn_dense(g, x, 512, 1), 512, 1), 10, 0);
}

/*
 * ml/train_cnn.py's basic residual block on x (cin channels): conv 3x3
 * stride st ReLU -> conv 3x3 -> ADD ReLU with x, or with a 1x1 stride st
 * convolution of x when the shape changes. Returns the ADD.
 */
static inline uint32_t gn_block(zkr_ml_gprog *g, uint32_t x, uint32_t cin, uint32_t c, uint32_t st)
{
    uint32_t y = gn_conv(g, gn_conv(g, x, c, 3, st, 1), c, 3, 1, 0);
    uint32_t s = st != 1 || cin != c ? gn_conv(g, x, c, 1, st, 0) : x;

    return gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .act = ZKR_ML_ACT_RELU, .n_in = 2,
                                    .in = {y, s}});
}

/*
 * ResNet-8 (ml/train_cnn.py resnet8): 1x28x28 -> stem conv 16 3x3 ReLU ->
 * blocks (16, 16, 1), (16, 32, 2), (32, 64, 2) -> global average pool
 * 7x7 -> dense 10; 15 nodes.
 */
static inline void gn_resnet8(zkr_ml_gprog *g)
{
    uint32_t x;

    gn_input(g, 1, 28);
    x = gn_conv3(g, 0, 16);
    x = gn_block(g, gn_block(g, gn_block(g, x, 16, 16, 1), 16, 32, 2), 32, 64, 2);
    x = gn_add(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {x},
                                 .kh = g->nodes[x].h, .kw = g->nodes[x].w, .sh = 1, .sw = 1});
    (void)gn_dense(g, x, 10, 0);
}

#endif
