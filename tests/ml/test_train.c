/*
 * Fixed-point training (docs/training.md), suites quick and vectors:
 *  - the vectors of tests/vectors/training/vectors.txt, computed by an
 *    independent Python reference (gen_vectors.py): every intermediate of
 *    two SGD steps, the child files' SHA-256, seeded initial models, fedavg;
 *  - determinism, strict decoder rejects (magic, version, truncation at
 *    every length, trailing bytes, weights at +-2^20, program digest, int8
 *    program), train-step rejects (argument ranges, labels, each bound that
 *    can be reached, named), fedavg rejects, batch indices, eval on a real
 *    IDX file;
 *  - learning: a seeded separable 16-8-2 task whose loss and accuracy
 *    improve over 100 steps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ml/ml.h"
#include "tests/tap.h"

/* ---------------------------------------------------------------- vector file */

#define VEC_MAX_LINES 256

typedef struct {
    char *text;
    char *name[VEC_MAX_LINES];
    char *rest[VEC_MAX_LINES];
    size_t n;
} vecfile;

static int vec_load(vecfile *v)
{
    const char *dir = getenv("ZKR_VECTORS");
    char path[4096];
    zkr_buf b = {0};
    char *save = NULL, *line;

    memset(v, 0, sizeof *v);
    if (dir == NULL)
        return 0;
    snprintf(path, sizeof path, "%s/training/vectors.txt", dir);
    if (zkr_file_read(path, (size_t)1 << 24, &b, NULL) != ZKR_OK || zkr_buf_terminate(&b) != ZKR_OK) {
        zkr_buf_free(&b);
        return 0;
    }
    v->text = (char *)b.p; /* owned now */
    for (line = strtok_r(v->text, "\n", &save); line != NULL && v->n < VEC_MAX_LINES;
         line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (line[0] == '#' || sp == NULL)
            continue;
        *sp = '\0';
        v->name[v->n] = line;
        v->rest[v->n++] = sp + 1;
    }
    return v->n > 0;
}

static const char *vec_get(const vecfile *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->name[i], name) == 0)
            return v->rest[i];
    return NULL;
}

/* Parses the integers of `name` into a fresh array; returns the count (0 when absent). */
static size_t vec_ints(const vecfile *v, const char *name, int64_t **out)
{
    const char *s = vec_get(v, name);
    size_t n = 0, cap = 16;
    int64_t *a;

    *out = NULL;
    if (s == NULL || (a = malloc(cap * sizeof *a)) == NULL)
        return 0;
    for (;;) {
        char *end;
        long long x;
        errno = 0;
        x = strtoll(s, &end, 10);
        if (end == s || errno != 0)
            break;
        if (n == cap) {
            int64_t *b = realloc(a, 2 * cap * sizeof *a);
            if (b == NULL)
                break;
            a = b;
            cap *= 2;
        }
        a[n++] = x;
        s = end;
    }
    *out = a;
    return n;
}

static int vec_hex(const vecfile *v, const char *name, uint8_t *out, size_t len)
{
    const char *s = vec_get(v, name);
    return s != NULL && strlen(s) == 2 * len && zkr_hex_decode_exact(s, out, len) == ZKR_OK;
}

/* ---------------------------------------------------------------- helpers */

static int eq64(const int64_t *a, const int64_t *b, size_t n)
{
    return (a == NULL && n == 0) || (a != NULL && b != NULL && memcmp(a, b, n * sizeof *a) == 0);
}

/* Encodes program dims with every weight of layer l set to val[l] and bias column bias[l]. */
static zkr_err const_model(const uint32_t *dims, size_t n, const int32_t *val, const int32_t *bias,
                           zkr_buf *out)
{
    int32_t *w[ZKR_ML_MAX_LAYERS] = {0};
    zkr_ml_graph g;
    zkr_err r;

    if ((r = zkr_ml_tprogram_make(dims, n, &g, NULL)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < g.n_layers; l++) {
        size_t cols = (size_t)dims[l] + 1, sz = cols * dims[l + 1];
        if ((w[l] = malloc(sz * sizeof(int32_t))) == NULL) {
            r = ZKR_ERR_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < sz; i++)
            w[l][i] = i % cols == dims[l] ? bias[l] : val[l];
    }
    r = zkr_ml_tmodel_encode(&g, (const int32_t *const *)w, out, NULL);
out:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++)
        free(w[l]);
    return r;
}

static zkr_err decode_buf(const zkr_buf *b, zkr_ml_tmodel **m)
{
    return zkr_ml_tmodel_decode(b->p, b->len, m, NULL);
}

/* ---------------------------------------------------------------- vectors */

/* Checks one trace array against the vector; NULL in the trace must mean absent in the vector. */
static int check_arr(zkr_tap *t, const vecfile *v, const char *pfx, const char *nm, uint32_t l,
                     const int64_t *arr, size_t n)
{
    char key[64];
    int64_t *want;
    size_t wn;
    int ok;

    snprintf(key, sizeof key, "%s.%s%u", pfx, nm, (unsigned)l);
    wn = vec_ints(v, key, &want);
    ok = arr == NULL ? wn == 0 : (wn == n && eq64(arr, want, n));
    if (!ok && arr != NULL && wn == n)
        for (size_t i = 0; i < n; i++)
            if (arr[i] != want[i]) {
                zkr_tap_diag("%s[%zu]: got %lld, want %lld", key, i, (long long)arr[i],
                             (long long)want[i]);
                break;
            }
    free(want);
    return zkr_tap_ok(t, ok, "vector %s: %s (%zu values)", pfx, key, wn);
}

static void test_step_vector(zkr_tap *t, const vecfile *v, const char *pfx)
{
    char key[64];
    int64_t *dims64 = NULL, *in64 = NULL, *lab64 = NULL, *lr = NULL, *sh = NULL;
    int32_t *w[ZKR_ML_MAX_LAYERS] = {0};
    uint32_t dims[ZKR_ML_MAX_LAYERS + 1];
    uint8_t *input = NULL, labels[ZKR_ML_T_MAX_BATCH], want[32], got[32];
    size_t nd, ni, nb;
    zkr_ml_graph g;
    zkr_buf parent = {0}, child = {0};
    zkr_ml_tmodel *pm = NULL, *cm = NULL;
    zkr_ml_tstep_trace tr = {0};
    zkr_ml_tstep_params sp;
    zkr_diag d;
    int ok;

    zkr_diag_clear(&d);
    snprintf(key, sizeof key, "%s.dims", pfx);
    nd = vec_ints(v, key, &dims64);
    snprintf(key, sizeof key, "%s.input", pfx);
    ni = vec_ints(v, key, &in64);
    snprintf(key, sizeof key, "%s.labels", pfx);
    nb = vec_ints(v, key, &lab64);
    snprintf(key, sizeof key, "%s.lr", pfx);
    ok = vec_ints(v, key, &lr) == 1;
    snprintf(key, sizeof key, "%s.shift", pfx);
    ok = ok && vec_ints(v, key, &sh) == 1 && nd >= 2 && nd <= ZKR_ML_MAX_LAYERS + 1 && nb > 0 &&
         nb <= ZKR_ML_T_MAX_BATCH && ni == nb * (size_t)dims64[0];
    if (!zkr_tap_ok(t, ok, "vector %s: read its shape, batch and parameters", pfx))
        goto out;
    for (size_t i = 0; i < nd; i++)
        dims[i] = (uint32_t)dims64[i];
    for (size_t b = 0; b < nb; b++)
        labels[b] = (uint8_t)lab64[b];
    if ((input = malloc(ni)) == NULL)
        goto out;
    for (size_t i = 0; i < ni; i++)
        input[i] = (uint8_t)in64[i];
    ok = zkr_ml_tprogram_make(dims, nd, &g, &d) == ZKR_OK;
    for (uint32_t l = 0; ok && l < g.n_layers; l++) {
        int64_t *wl;
        size_t n;
        snprintf(key, sizeof key, "%s.W%u", pfx, (unsigned)l);
        n = vec_ints(v, key, &wl);
        ok = n == (size_t)dims[l + 1] * (dims[l] + 1) && (w[l] = malloc(n * sizeof(int32_t))) != NULL;
        for (size_t i = 0; ok && i < n; i++)
            w[l][i] = (int32_t)wl[i];
        free(wl);
    }
    ok = ok && zkr_ml_tmodel_encode(&g, (const int32_t *const *)w, &parent, &d) == ZKR_OK;
    snprintf(key, sizeof key, "%s.parent_sha256", pfx);
    zkr_sha256(parent.p, parent.len, got);
    ok = ok && vec_hex(v, key, want, 32) && memcmp(got, want, 32) == 0;
    if (!zkr_tap_ok(t, ok, "vector %s: the parent file encodes to the reference's SHA-256 (%s)", pfx,
                    d.msg))
        goto out;
    sp = (zkr_ml_tstep_params){(uint32_t)lr[0], (uint32_t)sh[0]};
    ok = decode_buf(&parent, &pm) == ZKR_OK &&
         zkr_ml_train_step(pm, input, ni, labels, (uint32_t)nb, &sp, &child, &tr, &d) == ZKR_OK;
    if (!zkr_tap_ok(t, ok, "vector %s: the step runs (%s)", pfx, d.msg))
        goto out;
    zkr_tap_ok(t, tr.n_layers == g.n_layers && tr.batch == nb && memcmp(tr.input, input, ni) == 0 &&
                      memcmp(tr.labels, labels, nb) == 0,
               "vector %s: the trace records the shape, input and labels", pfx);
    for (uint32_t l = 0; l < g.n_layers; l++) {
        size_t bo = nb * dims[l + 1], wsz = (size_t)dims[l + 1] * (dims[l] + 1);
        check_arr(t, v, pfx, "z", l, tr.z[l], bo);
        check_arr(t, v, pfx, "q", l, tr.q[l], bo);
        check_arr(t, v, pfx, "r", l, tr.r[l], bo);
        check_arr(t, v, pfx, "h", l, tr.h[l], bo);
        check_arr(t, v, pfx, "n", l, tr.n[l], bo);
        check_arr(t, v, pfx, "m", l, tr.m[l], bo);
        check_arr(t, v, pfx, "p", l, tr.p[l], bo);
        check_arr(t, v, pfx, "dq", l, tr.dq[l], bo);
        check_arr(t, v, pfx, "rb", l, tr.rb[l], bo);
        check_arr(t, v, pfx, "delta", l, tr.delta[l], bo);
        check_arr(t, v, pfx, "g", l, tr.g[l], wsz);
        check_arr(t, v, pfx, "u", l, tr.u[l], wsz);
        check_arr(t, v, pfx, "ru", l, tr.ru[l], wsz);
    }
    ok = decode_buf(&child, &cm) == ZKR_OK;
    for (uint32_t l = 0; ok && l < g.n_layers; l++) {
        int64_t *wl;
        size_t n;
        const int32_t *cw = zkr_ml_tmodel_weights(cm, l);
        snprintf(key, sizeof key, "%s.child%u", pfx, (unsigned)l);
        n = vec_ints(v, key, &wl);
        ok = n == (size_t)dims[l + 1] * (dims[l] + 1);
        for (size_t i = 0; ok && i < n; i++)
            ok = cw[i] == wl[i];
        free(wl);
    }
    zkr_tap_ok(t, ok, "vector %s: the child's weights are the reference's", pfx);
    snprintf(key, sizeof key, "%s.child_sha256", pfx);
    zkr_sha256(child.p, child.len, got);
    zkr_tap_ok(t, vec_hex(v, key, want, 32) && memcmp(got, want, 32) == 0,
               "vector %s: the child file's SHA-256 is the reference's", pfx);
    /* The forward pass alone gives the same outputs. */
    ok = 1;
    for (size_t b = 0; ok && b < nb; b++) {
        int64_t o[ZKR_ML_MAX_DIM];
        uint32_t am, od = dims[nd - 1];
        ok = zkr_ml_tmodel_infer(pm, input + b * dims[0], dims[0], o, ZKR_ML_MAX_DIM, &am, &d) ==
                 ZKR_OK &&
             eq64(o, tr.q[g.n_layers - 1] + b * od, od);
    }
    zkr_tap_ok(t, ok, "vector %s: tmodel_infer gives the step's outputs for each record (%s)", pfx,
               d.msg);
out:
    zkr_ml_tstep_trace_free(&tr);
    zkr_ml_tmodel_free(pm);
    zkr_ml_tmodel_free(cm);
    zkr_buf_free(&parent);
    zkr_buf_free(&child);
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++)
        free(w[l]);
    free(input);
    free(dims64);
    free(in64);
    free(lab64);
    free(lr);
    free(sh);
}

static void test_init_vectors(zkr_tap *t, const vecfile *v)
{
    static const uint32_t small[] = {4, 3, 2}, big[] = {784, 128, 10};
    uint8_t seed[32], want[32], got[32];
    zkr_ml_graph g;
    zkr_buf b = {0}, b2 = {0};
    zkr_ml_tmodel *m = NULL;
    int64_t *arr = NULL;
    size_t n;
    int ok;

    ok = vec_hex(v, "init.seed", seed, 32) && zkr_ml_tprogram_make(small, 3, &g, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g, seed, &b, NULL) == ZKR_OK && decode_buf(&b, &m) == ZKR_OK;
    for (uint32_t l = 0; ok && l < 2; l++) {
        char key[32];
        snprintf(key, sizeof key, "init.W%u", (unsigned)l);
        n = vec_ints(v, key, &arr);
        ok = n == (size_t)small[l + 1] * (small[l] + 1);
        for (size_t i = 0; ok && i < n; i++)
            ok = zkr_ml_tmodel_weights(m, l)[i] == arr[i];
        free(arr);
        arr = NULL;
    }
    zkr_tap_ok(t, ok, "init vector: 4-3-2 from seed 00..1f draws the reference's weights");
    zkr_sha256(b.p, b.len, got);
    zkr_tap_ok(t, vec_hex(v, "init.sha256", want, 32) && memcmp(got, want, 32) == 0,
               "init vector: the 4-3-2 initial file's SHA-256 is the reference's");
    zkr_ml_tmodel_free(m);
    m = NULL;

    memset(seed, 0, sizeof seed);
    ok = zkr_ml_tprogram_make(big, 3, &g, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g, seed, &b, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g, seed, &b2, NULL) == ZKR_OK && b.len == b2.len &&
         memcmp(b.p, b2.p, b.len) == 0 && decode_buf(&b, &m) == ZKR_OK;
    zkr_tap_ok(t, ok, "init: 784-128-10 from the zero seed twice gives identical files");
    zkr_sha256(b.p, b.len, got);
    zkr_tap_ok(t, ok && vec_hex(v, "init784.sha256", want, 32) && memcmp(got, want, 32) == 0,
               "init vector: the 784-128-10 zero-seed file's SHA-256 is the reference's");
    n = vec_ints(v, "init784.A", &arr);
    ok = ok && n == 2;
    for (uint32_t l = 0; ok && l < 2; l++) {
        const int32_t *w = zkr_ml_tmodel_weights(m, l);
        int32_t lo = 0, hi = 0;
        for (size_t i = 0; i < (size_t)big[l + 1] * (big[l] + 1); i++) {
            lo = w[i] < lo ? w[i] : lo;
            hi = w[i] > hi ? w[i] : hi;
        }
        /* Over 100,000 draws the extremes come within 1 % of +-A. */
        ok = hi <= arr[l] && lo >= -arr[l] && hi > arr[l] * 99 / 100 && lo < -arr[l] * 99 / 100;
        for (uint32_t j = 0; ok && j < big[l + 1]; j++)
            ok = w[(size_t)j * (big[l] + 1) + big[l]] == 0;
    }
    zkr_tap_ok(t, ok, "init: weights within +-A (A = %lld, %lld), reaching near both ends, biases 0",
               arr ? (long long)arr[0] : 0LL, arr && n == 2 ? (long long)arr[1] : 0LL);
    free(arr);
    zkr_ml_tmodel_free(m);
    zkr_buf_free(&b);
    zkr_buf_free(&b2);
}

static void test_fedavg_vectors(zkr_tap *t, const vecfile *v)
{
    static const uint32_t dims[] = {2, 2};
    zkr_ml_graph g;
    zkr_buf kb[3] = {{0}}, out = {0};
    zkr_ml_tmodel *kids[3] = {0}, *avg = NULL;
    int64_t *arr = NULL;
    int ok = zkr_ml_tprogram_make(dims, 2, &g, NULL) == ZKR_OK;

    for (int i = 0; ok && i < 3; i++) {
        char key[32];
        int32_t w[6];
        const int32_t *wp[1] = {w};
        snprintf(key, sizeof key, "fedavg.c%d", i);
        ok = vec_ints(v, key, &arr) == 6;
        for (int j = 0; ok && j < 6; j++)
            w[j] = (int32_t)arr[j];
        free(arr);
        arr = NULL;
        ok = ok && zkr_ml_tmodel_encode(&g, wp, &kb[i], NULL) == ZKR_OK &&
             decode_buf(&kb[i], &kids[i]) == ZKR_OK;
    }
    for (int k = 2; ok && k <= 3; k++) {
        char key[32];
        int good;
        snprintf(key, sizeof key, "fedavg.avg%d", k);
        good = vec_ints(v, key, &arr) == 6 &&
               zkr_ml_fedavg((const zkr_ml_tmodel *const *)kids, (size_t)k, &out, NULL) == ZKR_OK &&
               zkr_ml_tmodel_decode(out.p, out.len, &avg, NULL) == ZKR_OK;
        for (int j = 0; good && j < 6; j++)
            good = zkr_ml_tmodel_weights(avg, 0)[j] == arr[j];
        zkr_tap_ok(t, good, "fedavg vector: k = %d matches floor((2 sum + k) / 2k) incl. negatives", k);
        free(arr);
        arr = NULL;
        zkr_ml_tmodel_free(avg);
        avg = NULL;
    }
    /* Hand values: (3 + 4) / 2 = 3.5 -> 4, (-3 - 4) / 2 = -3.5 -> -3, (3 + 4 - 6) / 3 = 1/3 -> 0. */
    ok = ok && zkr_ml_fedavg((const zkr_ml_tmodel *const *)kids, 2, &out, NULL) == ZKR_OK &&
         zkr_ml_tmodel_decode(out.p, out.len, &avg, NULL) == ZKR_OK &&
         zkr_ml_tmodel_weights(avg, 0)[0] == 4 && zkr_ml_tmodel_weights(avg, 0)[1] == -3;
    zkr_tap_ok(t, ok, "fedavg: halves round up, also for negative sums (3.5 -> 4, -3.5 -> -3)");
    zkr_ml_tmodel_free(avg);
    avg = NULL;
    ok = zkr_ml_fedavg((const zkr_ml_tmodel *const *)kids, 1, &out, NULL) == ZKR_OK &&
         out.len == kb[0].len && memcmp(out.p, kb[0].p, out.len) == 0;
    zkr_tap_ok(t, ok, "fedavg: k = 1 returns the child's exact file");
    for (int i = 0; i < 3; i++) {
        zkr_ml_tmodel_free(kids[i]);
        zkr_buf_free(&kb[i]);
    }
    zkr_buf_free(&out);
}

/* ---------------------------------------------------------------- rejects */

static void test_program(zkr_tap *t)
{
    uint32_t dims[18] = {4, 3, 2};
    zkr_ml_graph g;
    zkr_diag d;

    zkr_tap_ok(t, zkr_ml_tprogram_make(dims, 3, &g, NULL) == ZKR_OK && g.arith == ZKR_ML_ARITH_FIXED &&
                      g.layers[0].act == ZKR_ML_ACT_RELU && g.layers[1].act == ZKR_ML_ACT_NONE,
               "tprogram_make: 4-3-2 is FIXED, ReLU then none");
    zkr_tap_ok(t, zkr_ml_tprogram_make(dims, 1, &g, NULL) == ZKR_ERR_MALFORMED,
               "tprogram_make: one width is refused");
    dims[1] = 0;
    zkr_tap_ok(t, zkr_ml_tprogram_make(dims, 3, &g, NULL) == ZKR_ERR_MALFORMED, "width 0 is refused");
    dims[1] = ZKR_ML_MAX_DIM + 1;
    zkr_tap_ok(t, zkr_ml_tprogram_make(dims, 3, &g, NULL) == ZKR_ERR_MALFORMED,
               "width over ZKR_ML_MAX_DIM is refused");
    for (int i = 0; i < 18; i++)
        dims[i] = 2;
    zkr_tap_ok(t, zkr_ml_tprogram_make(dims, 18, &g, NULL) == ZKR_ERR_MALFORMED &&
                      zkr_ml_tprogram_make(dims, 17, &g, NULL) == ZKR_OK,
               "16 layers are accepted, 17 refused");
    dims[0] = 4;
    dims[1] = 3;
    dims[2] = 2;
    if (zkr_ml_tprogram_make(dims, 3, &g, NULL) != ZKR_OK)
        return;
    g.layers[0].act = ZKR_ML_ACT_NONE;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_tprogram_check(&g, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, "layer 0"),
               "tprogram_check: a hidden layer without ReLU is refused (%s)", d.msg);
    g.layers[0].act = ZKR_ML_ACT_RELU;
    g.layers[1].act = ZKR_ML_ACT_RELU;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_tprogram_check(&g, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, "layer 1"),
               "tprogram_check: a last layer with ReLU is refused (%s)", d.msg);
    g.layers[1].act = ZKR_ML_ACT_NONE;
    g.arith = ZKR_ML_ARITH_INT8;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_tprogram_check(&g, &d) == ZKR_ERR_MALFORMED,
               "tprogram_check: an int8 program is refused (%s)", d.msg);
}

/* Offset of the first weight byte in a training-model file of program length plen. */
static size_t weights_off(const zkr_buf *b)
{
    size_t plen = (size_t)b->p[44] << 24 | (size_t)b->p[45] << 16 | (size_t)b->p[46] << 8 | b->p[47];
    return 48 + plen;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void test_decoder(zkr_tap *t)
{
    static const uint32_t dims[] = {3, 2, 2};
    uint8_t seed[32] = {7};
    zkr_ml_graph g, g8;
    zkr_buf b = {0}, c = {0}, prog = {0};
    zkr_ml_tmodel *m = NULL;
    zkr_diag d;
    size_t bad = 0, off;
    int ok;

    ok = zkr_ml_tprogram_make(dims, 3, &g, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g, seed, &b, NULL) == ZKR_OK && decode_buf(&b, &m) == ZKR_OK;
    zkr_tap_ok(t, ok, "decoder: a 3-2-2 initial model decodes");
    if (!ok)
        goto out;
    {
        const uint8_t *p;
        size_t len;
        uint8_t dg[32], want[32];
        zkr_ml_tmodel_bytes(m, &p, &len);
        zkr_ml_tmodel_digest(m, dg);
        zkr_sha256(b.p, b.len, want);
        ok = len == b.len && memcmp(p, b.p, len) == 0 && memcmp(dg, want, 32) == 0;
        zkr_ml_tmodel_program_digest(m, dg);
        ok = ok && zkr_ml_graph_digest(&g, want, NULL) == ZKR_OK && memcmp(dg, want, 32) == 0 &&
             zkr_ml_tmodel_weights(m, 2) == NULL && zkr_ml_tmodel_weights(m, 1) != NULL;
        zkr_tap_ok(t, ok, "decoder: bytes, digest, program digest and weights accessors");
    }
    zkr_ml_tmodel_free(m);
    m = NULL;
    for (size_t len = 0; len < b.len; len++)
        if (zkr_ml_tmodel_decode(b.p, len, &m, NULL) != ZKR_ERR_MALFORMED || m != NULL)
            bad++;
    zkr_tap_ok(t, bad == 0, "decoder: truncation at each of %zu lengths is malformed (%zu wrong)",
               b.len, bad);
    if ((ok = zkr_buf_append(&c, b.p, b.len) == ZKR_OK && zkr_buf_append(&c, "", 1) == ZKR_OK)) {
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_ml_tmodel_decode(c.p, c.len, &m, &d) == ZKR_ERR_MALFORMED,
                   "decoder: a trailing byte is malformed (%s)", d.msg);
    }
    c.len = 0;
    ok = zkr_buf_append(&c, b.p, b.len) == ZKR_OK;
    c.p[0] ^= 1;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, ok && zkr_ml_tmodel_decode(c.p, c.len, &m, &d) == ZKR_ERR_MALFORMED,
               "decoder: bad magic (%s)", d.msg);
    c.p[0] ^= 1;
    c.p[11] = 2;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_tmodel_decode(c.p, c.len, &m, &d) == ZKR_ERR_UNSUPPORTED,
               "decoder: a newer version is unsupported (%s)", d.msg);
    c.p[11] = 0;
    zkr_tap_ok(t, zkr_ml_tmodel_decode(c.p, c.len, &m, NULL) == ZKR_ERR_MALFORMED,
               "decoder: version 0 is malformed");
    c.p[11] = 1;
    c.p[12] ^= 0x80;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_tmodel_decode(c.p, c.len, &m, &d) == ZKR_ERR_MALFORMED &&
                      strstr(d.msg, "program_digest"),
               "decoder: a wrong program digest is malformed (%s)", d.msg);
    c.p[12] ^= 0x80;
    /* Every single-bit flip in the header and program (before the weights) is refused. */
    bad = 0;
    off = weights_off(&c);
    for (size_t i = 0; i < off * 8; i++) {
        c.p[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (zkr_ml_tmodel_decode(c.p, c.len, &m, NULL) == ZKR_OK) {
            bad++;
            zkr_ml_tmodel_free(m);
            m = NULL;
        }
        c.p[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    zkr_tap_ok(t, bad == 0, "decoder: each of %zu header/program bit flips is refused (%zu accepted)",
               off * 8, bad);
    put_be32(c.p + off + 4, (uint32_t)ZKR_ML_T_WEIGHT_BOUND);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_tmodel_decode(c.p, c.len, &m, &d) == ZKR_ERR_MALFORMED &&
                      strstr(d.msg, "layer 0") && strstr(d.msg, "row 0 column 1"),
               "decoder: a weight of 2^20 is malformed, naming layer, row and column (%s)", d.msg);
    put_be32(c.p + off + 4, (uint32_t)-ZKR_ML_T_WEIGHT_BOUND);
    zkr_tap_ok(t, zkr_ml_tmodel_decode(c.p, c.len, &m, NULL) == ZKR_ERR_MALFORMED,
               "decoder: a weight of -2^20 is malformed");
    put_be32(c.p + off + 4, (uint32_t)(ZKR_ML_T_WEIGHT_BOUND - 1));
    put_be32(c.p + off + 8, (uint32_t)-(ZKR_ML_T_WEIGHT_BOUND - 1));
    zkr_tap_ok(t, zkr_ml_tmodel_decode(c.p, c.len, &m, NULL) == ZKR_OK,
               "decoder: weights of +-(2^20 - 1) are accepted");
    zkr_ml_tmodel_free(m);
    m = NULL;
    /* The same file with an int8 program (and its correct digest) is refused. */
    g8 = g;
    g8.arith = ZKR_ML_ARITH_INT8;
    g8.layers[1].act = ZKR_ML_ACT_NONE;
    ok = zkr_ml_graph_encode(&g8, &prog, NULL) == ZKR_OK && prog.len == off - 48;
    if (ok) {
        zkr_sha256(prog.p, prog.len, c.p + 12);
        memcpy(c.p + 48, prog.p, prog.len);
    }
    zkr_diag_clear(&d);
    zkr_tap_ok(t, ok && zkr_ml_tmodel_decode(c.p, c.len, &m, &d) == ZKR_ERR_MALFORMED,
               "decoder: an int8 program is malformed (%s)", d.msg);
    {
        zkr_ml_model *qm = NULL;
        zkr_tap_ok(t, zkr_ml_model_decode(b.p, b.len, &qm, NULL) == ZKR_ERR_MALFORMED && qm == NULL,
                   "the int8 model decoder refuses a training model file");
    }
    /* The encoder refuses out-of-bound weights too. */
    {
        int32_t w0[8] = {0}, w1[6] = {0};
        const int32_t *wp[2] = {w0, w1};
        w1[5] = ZKR_ML_T_WEIGHT_BOUND;
        zkr_diag_clear(&d);
        zkr_tap_ok(t, zkr_ml_tmodel_encode(&g, wp, &c, &d) == ZKR_ERR_MALFORMED && c.len == 0 &&
                          strstr(d.msg, "layer 1") && strstr(d.msg, "row 1 column 2"),
                   "encoder: a weight of 2^20 is refused, naming it (%s)", d.msg);
        zkr_tap_ok(t, zkr_ml_tmodel_encode(&g8, wp, &c, NULL) == ZKR_ERR_MALFORMED,
                   "encoder: an int8 program is refused");
    }
out:
    zkr_ml_tmodel_free(m);
    zkr_buf_free(&b);
    zkr_buf_free(&c);
    zkr_buf_free(&prog);
}

static zkr_err step_once(const zkr_buf *model, const uint8_t *x, size_t xlen, const uint8_t *lab,
                         uint32_t B, uint32_t lr, uint32_t shift, zkr_buf *child, zkr_diag *d)
{
    zkr_ml_tmodel *m = NULL;
    zkr_ml_tstep_params sp = {lr, shift};
    zkr_err r;

    if ((r = decode_buf(model, &m)) != ZKR_OK)
        return r;
    r = zkr_ml_train_step(m, x, xlen, lab, B, &sp, child, NULL, d);
    zkr_ml_tmodel_free(m);
    return r;
}

static void test_step_rejects(zkr_tap *t)
{
    static const uint32_t small[] = {4, 3, 2}, wide[] = {32, 2, 2};
    uint8_t seed[32] = {1}, x[65 * 32], lab[65] = {0};
    zkr_ml_graph g;
    zkr_buf b = {0}, c = {0}, c2 = {0};
    zkr_ml_tmodel *m = NULL;
    zkr_ml_tstep_params sp = {100, 12};
    zkr_ml_tstep_trace tr = {0};
    zkr_diag d;
    int ok;

    memset(x, 255, sizeof x);
    ok = zkr_ml_tprogram_make(small, 3, &g, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g, seed, &b, NULL) == ZKR_OK && decode_buf(&b, &m) == ZKR_OK;
    if (!zkr_tap_ok(t, ok, "rejects: a 4-3-2 model"))
        goto out;
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 0, lab, 0, &sp, &c, NULL, NULL) == ZKR_ERR_USAGE,
               "batch 0 is a usage error");
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 65 * 4, lab, 65, &sp, &c, NULL, NULL) == ZKR_ERR_USAGE,
               "batch 65 is a usage error");
    sp = (zkr_ml_tstep_params){1, 16};
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 64 * 4, lab, 64, &sp, &c, NULL, &d) == ZKR_OK,
               "batch 64 is accepted (%s)", d.msg);
    sp.lr = 0;
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 4, lab, 1, &sp, &c, NULL, NULL) == ZKR_ERR_USAGE && c.len == 0,
               "lr 0 is a usage error and leaves no child");
    sp.lr = 65536;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 4, lab, 1, &sp, &c, NULL, &d) == ZKR_ERR_USAGE &&
                      strstr(d.msg, "lr"),
               "lr 65536 is a usage error (%s)", d.msg);
    sp.lr = 65535;
    sp.shift = 0;
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 4, lab, 1, &sp, &c, NULL, NULL) == ZKR_ERR_USAGE,
               "shift 0 is a usage error");
    sp.shift = 17;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 4, lab, 1, &sp, &c, NULL, &d) == ZKR_ERR_USAGE &&
                      strstr(d.msg, "shift"),
               "shift 17 is a usage error (%s)", d.msg);
    sp = (zkr_ml_tstep_params){100, 12};
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 5, lab, 1, &sp, &c, NULL, NULL) == ZKR_ERR_USAGE,
               "a wrong input length is a usage error");
    lab[1] = 2;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 8, lab, 2, &sp, &c, &tr, &d) == ZKR_ERR_MALFORMED &&
                      strstr(d.msg, "label 2") && strstr(d.msg, "record 1") && tr.z[0] == NULL,
               "a label not below the output width is malformed, the trace stays empty (%s)", d.msg);
    lab[1] = 0;
    /* The largest legal step: lr 65535, shift 1 moves weights far past 2^20. */
    sp = (zkr_ml_tstep_params){65535, 1};
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_train_step(m, x, 4, lab, 1, &sp, &c, NULL, &d) == ZKR_ERR_UNSUPPORTED &&
                      c.len == 0 && strstr(d.msg, "child weight") && strstr(d.msg, "2^20") &&
                      strstr(d.msg, "layer 0"),
               "a step that pushes a weight past 2^20 is unsupported, naming it (%s)", d.msg);
    zkr_ml_tmodel_free(m);
    m = NULL;

    /* 32 inputs of 255 with every weight 2^20 - 1: h = 32 * 255 * 16 > 2^16. */
    {
        const int32_t val[2] = {ZKR_ML_T_WEIGHT_BOUND - 1, 1}, bias[2] = {0, 0};
        ok = const_model(wide, 3, val, bias, &c2) == ZKR_OK;
        zkr_diag_clear(&d);
        zkr_tap_ok(t, ok && step_once(&c2, x, 32, lab, 1, 1, 16, &c, &d) == ZKR_ERR_UNSUPPORTED &&
                          strstr(d.msg, "hidden activation h[record 0][unit 0]") &&
                          strstr(d.msg, "2^16"),
                   "a hidden activation of 2^16 or more is unsupported, naming it (%s)", d.msg);
    }
    /* Weights 2^19 give h = 65280 (legal); second layer 2^20 - 1 gives o > 2^23. */
    {
        const int32_t val[2] = {1 << 19, ZKR_ML_T_WEIGHT_BOUND - 1}, bias[2] = {0, 0};
        ok = const_model(wide, 3, val, bias, &c2) == ZKR_OK;
        zkr_diag_clear(&d);
        zkr_tap_ok(t, ok && step_once(&c2, x, 32, lab, 1, 1, 16, &c, &d) == ZKR_ERR_UNSUPPORTED &&
                          strstr(d.msg, "output o[record 0][unit 0]") && strstr(d.msg, "2^23"),
                   "an output outside [-2^23, 2^23) is unsupported, naming it (%s)", d.msg);
    }
    /* Second layer 2^18: o just below 2^23, but delta * W / 2^16 is about 2^26. */
    {
        const int32_t val[2] = {1 << 19, 1 << 18}, bias[2] = {0, 0};
        ok = const_model(wide, 3, val, bias, &c2) == ZKR_OK;
        zkr_diag_clear(&d);
        zkr_tap_ok(t, ok && step_once(&c2, x, 32, lab, 1, 1, 16, &c, &d) == ZKR_ERR_UNSUPPORTED &&
                          strstr(d.msg, "backward value dq[record 0][unit 0]") && strstr(d.msg, "2^23"),
                   "a backward value outside [-2^23, 2^23) is unsupported, naming it (%s)", d.msg);
    }
    /* A negative pre-activation is fine (ReLU), whatever its size within the weight bound. */
    {
        const int32_t val[2] = {-(ZKR_ML_T_WEIGHT_BOUND - 1), 1000}, bias[2] = {0, 0};
        ok = const_model(wide, 3, val, bias, &c2) == ZKR_OK;
        zkr_diag_clear(&d);
        zkr_tap_ok(t, ok && step_once(&c2, x, 32, lab, 1, 1, 16, &c, &d) == ZKR_OK,
                   "a large negative hidden pre-activation is legal (%s)", d.msg);
    }
out:
    zkr_ml_tstep_trace_free(&tr);
    zkr_ml_tmodel_free(m);
    zkr_buf_free(&b);
    zkr_buf_free(&c);
    zkr_buf_free(&c2);
}

static void test_fedavg_rejects(zkr_tap *t)
{
    static const uint32_t d1[] = {4, 3, 2}, d2[] = {4, 5, 2};
    uint8_t seed[32] = {3};
    zkr_ml_graph g1, g2;
    zkr_buf b1 = {0}, b2 = {0}, out = {0};
    zkr_ml_tmodel *m[2] = {0};
    zkr_diag d;
    int ok;

    ok = zkr_ml_tprogram_make(d1, 3, &g1, NULL) == ZKR_OK &&
         zkr_ml_tprogram_make(d2, 3, &g2, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g1, seed, &b1, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g2, seed, &b2, NULL) == ZKR_OK && decode_buf(&b1, &m[0]) == ZKR_OK &&
         decode_buf(&b2, &m[1]) == ZKR_OK;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, ok && zkr_ml_fedavg((const zkr_ml_tmodel *const *)m, 2, &out, &d) ==
                            ZKR_ERR_MISMATCH_PROGRAM &&
                      out.len == 0 && strstr(d.msg, "child 1"),
               "fedavg: children of different programs are refused, naming the child (%s)", d.msg);
    zkr_tap_ok(t, zkr_ml_fedavg((const zkr_ml_tmodel *const *)m, 0, &out, NULL) == ZKR_ERR_USAGE,
               "fedavg: k = 0 is a usage error");
    zkr_ml_tmodel_free(m[0]);
    zkr_ml_tmodel_free(m[1]);
    zkr_buf_free(&b1);
    zkr_buf_free(&b2);
    zkr_buf_free(&out);
}

static void test_batch_indices(zkr_tap *t)
{
    uint64_t idx[64];
    int ok = 1;

    ok = zkr_ml_train_batch_indices(5, 2, 4, 10, idx) == ZKR_OK && idx[0] == 3 && idx[1] == 4 &&
         idx[2] == 5 && idx[3] == 6;
    zkr_tap_ok(t, ok, "batch indices: first 5, step 2, batch 4 of 10 records: 3 4 5 6 (wraps)");
    ok = zkr_ml_train_batch_indices(0, 0, 3, 2, idx) == ZKR_OK && idx[0] == 0 && idx[1] == 1 &&
         idx[2] == 0;
    zkr_tap_ok(t, ok, "batch indices: a batch longer than the dataset wraps within the batch");
    ok = 1;
    for (int i = 0; i < 200 && ok; i++) {
        uint64_t first = UINT64_MAX - (uint64_t)i * 977, step = UINT64_MAX / (uint64_t)(i + 1);
        uint64_t n = (uint64_t)1 + ((uint64_t)i * 0x9e3779b97f4a7c15ULL) % 60000;
        unsigned __int128 base;
        if (i % 3 == 0)
            n = UINT64_MAX - (uint64_t)i;
        base = ((unsigned __int128)first + (unsigned __int128)step * 64) % n;
        ok = zkr_ml_train_batch_indices(first, step, 64, n, idx) == ZKR_OK;
        for (uint32_t j = 0; ok && j < 64; j++)
            ok = idx[j] == (uint64_t)((base + j) % n);
    }
    zkr_tap_ok(t, ok, "batch indices: exact for first and step near 2^64 (128-bit reference)");
    zkr_tap_ok(t, zkr_ml_train_batch_indices(0, 0, 4, 0, idx) == ZKR_ERR_USAGE,
               "batch indices: n = 0 is a usage error");
}

/* ---------------------------------------------------------------- determinism, eval */

static void test_determinism(zkr_tap *t)
{
    static const uint32_t dims[] = {16, 8, 6, 3};
    uint8_t seed[32] = {9}, x[64 * 16], lab[64];
    zkr_ml_graph g;
    zkr_buf cur[2] = {{0}, {0}}, nxt = {0};
    zkr_diag d;
    int ok = 1;

    for (size_t i = 0; i < sizeof x; i++)
        x[i] = (uint8_t)(i * 37 + 11);
    for (size_t i = 0; i < 64; i++)
        lab[i] = (uint8_t)(i % 3);
    zkr_diag_clear(&d);
    for (int run = 0; run < 2 && ok; run++) {
        ok = zkr_ml_tprogram_make(dims, 4, &g, NULL) == ZKR_OK &&
             zkr_ml_tmodel_init(&g, seed, &cur[run], NULL) == ZKR_OK;
        for (int s = 0; s < 5 && ok; s++) {
            ok = step_once(&cur[run], x, sizeof x, lab, 64, 4, 15, &nxt, &d) == ZKR_OK &&
                 nxt.len == cur[run].len && memcmp(nxt.p, cur[run].p, nxt.len) != 0;
            zkr_buf tmp = cur[run];
            cur[run] = nxt;
            nxt = tmp;
        }
    }
    zkr_tap_ok(t, ok && cur[0].len == cur[1].len && memcmp(cur[0].p, cur[1].p, cur[0].len) == 0,
               "determinism: five chained steps of 16-8-6-3 twice give identical children (%s)", d.msg);
    zkr_buf_free(&cur[0]);
    zkr_buf_free(&cur[1]);
    zkr_buf_free(&nxt);
}

static int write_file(const char *path, const uint8_t *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(p, 1, len, f) == len;
    return (f != NULL && fclose(f) == 0) && ok;
}

static void test_eval(zkr_tap *t)
{
    static const uint32_t dims[] = {4, 3, 2};
    char dir[] = "/tmp/zkr_train_XXXXXX", ip[128], lp[128];
    uint8_t img[16 + 50 * 4], labs[8 + 50], seed[32] = {5};
    zkr_ml_graph g;
    zkr_buf b = {0};
    zkr_ml_tmodel *m = NULL;
    zkr_dataset *ds = NULL;
    zkr_ml_eval_result res;
    uint64_t correct = 0;
    zkr_diag d;
    int ok;

    if (!zkr_tap_ok(t, mkdtemp(dir) != NULL, "eval: a temporary directory"))
        return;
    snprintf(ip, sizeof ip, "%s/t-images-idx3-ubyte", dir);
    snprintf(lp, sizeof lp, "%s/t-labels-idx1-ubyte", dir);
    memset(img, 0, 16);
    memset(labs, 0, 8);
    put_be32(img, 0x803);
    put_be32(img + 4, 50);
    put_be32(img + 8, 2);
    put_be32(img + 12, 2);
    put_be32(labs, 0x801);
    put_be32(labs + 4, 50);
    for (int i = 0; i < 50 * 4; i++)
        img[16 + i] = (uint8_t)(i * 53 + 7);
    for (int i = 0; i < 50; i++)
        labs[8 + i] = (uint8_t)(i % 2);
    zkr_diag_clear(&d);
    ok = write_file(ip, img, sizeof img) && write_file(lp, labs, sizeof labs) &&
         zkr_dataset_open(ip, &ds, &d) == ZKR_OK && zkr_ml_tprogram_make(dims, 3, &g, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g, seed, &b, NULL) == ZKR_OK && decode_buf(&b, &m) == ZKR_OK;
    for (int i = 0; ok && i < 50; i++) {
        int64_t o[2];
        uint32_t am;
        ok = zkr_ml_tmodel_infer(m, img + 16 + 4 * i, 4, o, 2, &am, &d) == ZKR_OK;
        correct += am == labs[8 + i];
    }
    ok = ok && zkr_ml_tmodel_eval(m, ds, 0, 0, &res, &d) == ZKR_OK;
    zkr_tap_ok(t, ok && res.n == 50 && res.quant_correct == correct && res.float_correct == 0,
               "eval: 50 IDX records agree with tmodel_infer record by record (%llu correct) (%s)",
               (unsigned long long)correct, d.msg);
    zkr_tap_ok(t, ok && zkr_ml_tmodel_eval(m, ds, 45, 5, &res, NULL) == ZKR_OK && res.n == 5,
               "eval: a sub-range");
    zkr_tap_ok(t, ok && zkr_ml_tmodel_eval(m, ds, 45, 6, &res, NULL) == ZKR_ERR_NOT_FOUND && res.n == 0,
               "eval: a range past the end is not found");
    {
        int64_t o[2];
        uint32_t am;
        zkr_tap_ok(t, ok && zkr_ml_tmodel_infer(m, img + 16, 3, o, 2, &am, NULL) == ZKR_ERR_MALFORMED &&
                          zkr_ml_tmodel_infer(m, img + 16, 4, o, 1, &am, NULL) == ZKR_ERR_USAGE,
                   "infer: a wrong input length is malformed, a short output a usage error");
    }
    zkr_dataset_free(ds);
    zkr_ml_tmodel_free(m);
    zkr_buf_free(&b);
    unlink(ip);
    unlink(lp);
    rmdir(dir);
}

/* ---------------------------------------------------------------- learning */

/*
 * A separable task: class c's records are noisy copies of a prototype
 * (bytes high on one half for class 0, on the other for class 1).
 */
static void synth(zkr_tap *t, uint8_t *x, uint8_t *lab, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lab[i] = (uint8_t)(zkr_tap_rand(t) & 1);
        for (size_t k = 0; k < 16; k++) {
            int hi = (k < 8) == (lab[i] == 0);
            x[i * 16 + k] = (uint8_t)((hi ? 140 : 20) + zkr_tap_rand(t) % 100);
        }
    }
}

static void test_learning(zkr_tap *t)
{
    static const uint32_t dims[] = {16, 8, 2};
    enum { NTEST = 200, B = 16, STEPS = 100 };
    uint8_t seed[32] = {0}, xb[B * 16], lb[B], xt[NTEST * 16], lt[NTEST];
    zkr_ml_graph g;
    zkr_buf cur = {0}, nxt = {0};
    zkr_ml_tmodel *m = NULL;
    zkr_ml_tstep_params sp = {8, 14};
    zkr_ml_tstep_trace tr = {0};
    double loss_first = 0, loss_last = 0;
    unsigned acc0 = 0, acc1 = 0;
    zkr_diag d;
    int ok;

    for (size_t i = 0; i < sizeof seed; i++)
        seed[i] = (uint8_t)zkr_tap_rand(t);
    synth(t, xt, lt, NTEST);
    zkr_diag_clear(&d);
    ok = zkr_ml_tprogram_make(dims, 3, &g, NULL) == ZKR_OK &&
         zkr_ml_tmodel_init(&g, seed, &cur, NULL) == ZKR_OK;
    for (int pass = 0; pass < 2 && ok; pass++) {
        unsigned *acc = pass == 0 ? &acc0 : &acc1;
        ok = decode_buf(&cur, &m) == ZKR_OK;
        for (int i = 0; ok && i < NTEST; i++) {
            int64_t o[2];
            uint32_t am;
            ok = zkr_ml_tmodel_infer(m, xt + 16 * i, 16, o, 2, &am, &d) == ZKR_OK;
            *acc += am == lt[i];
        }
        for (int s = 0; pass == 0 && ok && s < STEPS; s++) {
            double loss = 0;
            synth(t, xb, lb, B);
            ok = zkr_ml_train_step(m, xb, sizeof xb, lb, B, &sp, &nxt, &tr, &d) == ZKR_OK;
            for (size_t i = 0; ok && i < (size_t)B * 2; i++)
                loss += (double)tr.delta[1][i] * (double)tr.delta[1][i] / (4096.0 * 4096.0);
            if (s < 10)
                loss_first += loss / 10;
            if (s >= STEPS - 10)
                loss_last += loss / 10;
            zkr_ml_tmodel_free(m);
            m = NULL;
            ok = ok && decode_buf(&nxt, &m) == ZKR_OK;
        }
        if (pass == 0) {
            zkr_buf tmp = cur;
            cur = nxt;
            nxt = tmp;
        }
        zkr_ml_tmodel_free(m);
        m = NULL;
    }
    zkr_tap_diag("learning: loss (sum of squared output errors per batch) %.3f -> %.3f, held-out "
                 "accuracy %u/%d -> %u/%d",
                 loss_first, loss_last, acc0, NTEST, acc1, NTEST);
    zkr_tap_ok(t, ok, "learning: 100 steps of 16-8-2 at batch 16 run (%s)", d.msg);
    zkr_tap_ok(t, ok && loss_last < loss_first / 2, "learning: the loss at least halves (%.3f -> %.3f)",
               loss_first, loss_last);
    /*
     * The data are separable, so a random initial model is sometimes right
     * on every held-out record already (seen in CI: 200 -> 200): the test
     * asks for the end state, at least 95 %, which a model below it at the
     * start reaches only by rising; the loss check above is the learning.
     */
    zkr_tap_ok(t, ok && acc1 >= NTEST * 95 / 100,
               "learning: held-out accuracy ends at or above 95 %% (%u -> %u of %d)", acc0, acc1,
               NTEST);
    zkr_ml_tstep_trace_free(&tr);
    zkr_buf_free(&cur);
    zkr_buf_free(&nxt);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    vecfile v;

    zkr_tap_init(&t, argc, argv);
    if (zkr_tap_ok(&t, vec_load(&v), "read $ZKR_VECTORS/training/vectors.txt")) {
        test_step_vector(&t, &v, "a");
        test_step_vector(&t, &v, "b");
        test_init_vectors(&t, &v);
        test_fedavg_vectors(&t, &v);
    }
    free(v.text);
    test_program(&t);
    test_decoder(&t);
    test_step_rejects(&t);
    test_fedavg_rejects(&t);
    test_batch_indices(&t);
    test_determinism(&t);
    test_eval(&t);
    test_learning(&t);
    return zkr_tap_done(&t);
}
