/*
 * training-step@1 claim capacity: the evaluation claims of a proof are
 * 16 L - 3 (zk/train.c), at most ZKR_TRAIN_MAX_CLAIMS. For every depth the
 * shape accepts (2..ZKR_TRAIN_MAX_LAYERS) the count fits, and the deepest
 * programs prove and verify (prover and verifier both refuse with
 * ZKR_ERR_INTERNAL when they make a claim past the capacity or a count other
 * than 16 L - 3, so an honest proof of the deepest program is the test).
 */
#include <string.h>

#include "harness.h"

static void test_counts(zkr_tap *t)
{
    zkr_params p;
    uint32_t dims[ZKR_TRAIN_MAX_LAYERS + 2];
    zkr_train_shape s;
    int ok = zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK;

    for (uint32_t L = 2; ok && L <= ZKR_TRAIN_MAX_LAYERS; L++) {
        for (uint32_t i = 0; i <= L; i++)
            dims[i] = i == 0 ? 784 : i == L ? 10 : 128;
        ok &= zkr_train_shape_of(L, dims, 64, p.max_vars, &s, NULL) == ZKR_OK &&
              zkr_train_n_claims(&s) == 16 * (size_t)L - 3 &&
              zkr_train_n_claims(&s) <= ZKR_TRAIN_MAX_CLAIMS;
    }
    zkr_tap_ok(t, ok, "claims 16 L - 3 fit the capacity %u for L = 2..%u (784-128-...-10, batch 64)",
               ZKR_TRAIN_MAX_CLAIMS, ZKR_TRAIN_MAX_LAYERS);
    for (uint32_t i = 0; i <= ZKR_TRAIN_MAX_LAYERS + 1; i++)
        dims[i] = 2;
    zkr_tap_ok(t, zkr_train_shape_of(ZKR_TRAIN_MAX_LAYERS + 1, dims, 1, p.max_vars, &s, NULL) ==
                      ZKR_ERR_UNSUPPORTED,
               "a program one layer deeper than supported is refused");
}

static int64_t gmax(const hx_fixture *f)
{
    int64_t m = 0;
    for (uint32_t l = 0; l < f->n_layers; l++)
        for (size_t i = 0; i < (size_t)f->dims[l + 1] * (f->dims[l] + 1); i++)
            m = f->tr.g[l][i] > m ? f->tr.g[l][i] : -f->tr.g[l][i] > m ? -f->tr.g[l][i] : m;
    return m;
}

/* The deepest program (ZKR_TRAIN_MAX_LAYERS layers) proves and verifies. */
static void test_deepest(zkr_tap *t, uint32_t batch)
{
    uint32_t dims[ZKR_TRAIN_MAX_LAYERS + 1];
    uint8_t r[8][HX_MAX_IN + 1];
    uint64_t idx[8];
    hx_fixture f;
    char name[64];

    for (uint32_t i = 0; i <= ZKR_TRAIN_MAX_LAYERS; i++)
        dims[i] = i == 0 ? 5 : i == ZKR_TRAIN_MAX_LAYERS ? 3 : 4;
    for (uint32_t i = 0; i < 8; i++) {
        for (uint32_t k = 0; k < 5; k++)
            r[i][k] = (uint8_t)(37 * i + 11 * k + 200);
        r[i][5] = (uint8_t)(i % 3);
        idx[i] = i;
    }
    if (!zkr_tap_ok(t, hx_setup(&f, dims, ZKR_TRAIN_MAX_LAYERS, NULL, 3,
                                (const uint8_t(*)[HX_MAX_IN + 1])r, 8, idx, batch, 3, 16),
                    "setup %u layers, batch %u", ZKR_TRAIN_MAX_LAYERS, batch))
        return;
    snprintf(name, sizeof name, "deepest program (%u layers, batch %u)", ZKR_TRAIN_MAX_LAYERS,
             batch);
    zkr_tap_diag("defined %d, |g| max %lld", f.defined, (long long)gmax(&f));
    hx_honest(t, &f, name);
    hx_free(&f);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_counts(&t);
    test_deepest(&t, 1);
    test_deepest(&t, 8);
    return zkr_tap_done(&t);
}
