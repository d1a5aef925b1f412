/*
 * fuzz_ginfer2_rel's input reader and verifier call (fuzz_ginfer2_rel.h),
 * apart from the harness so that fuzz/gen_corpus.c replays each seed it
 * writes through the same code and checks the honest proof verifies.
 */
#include <string.h>

#include "common/common.h"
#include "fuzz.h"
#include "fuzz_ginfer2_rel.h"
#include "verifier/ginfer2.h"
#include "verifier/ginfer2_avg.h"

enum { REL_CONV = 0, REL_RQ = 1, REL_POOL = 2, REL_AVG = 3 };

/* The transcript of tests/zk/ginfer2_fx.h: the roots under the relation's labels. */
static void bind(const zkr_params *p, const uint8_t *sid, const char *const *labels,
                 const zkr_hpcs_commitment *c, unsigned n, zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
    for (unsigned i = 0; i < n; i++)
        zkr_ts_absorb(t, labels[i], c[i].root, ZKR_DIGEST_BYTES);
}

/* The window of conv, maxpool and avgpool (s: the shape words), within the harness's caps. */
static int window(const uint32_t *s, zkr_cnn_win *g)
{
    for (unsigned i = 0; i < 3; i++)
        if (s[i] > ZKR_FUZZ_GINF2_MAX_DIM)
            return 0;
    if (s[3] > ZKR_FUZZ_GINF2_MAX_KERNEL || s[4] > ZKR_FUZZ_GINF2_MAX_KERNEL)
        return 0;
    for (unsigned i = 5; i < 13; i++)
        if (s[i] > 4)
            return 0;
    return zkr_cnn_win_init(g, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s + 9) ==
           ZKR_OK;
}

static zkr_err run(unsigned rel, const zkr_params *p, unsigned share, const uint8_t *sid,
                   const uint32_t *s, const zkr_hpcs_commitment *c, zkr_dec *d, int *skip)
{
    static const char *const conv_l[] = {"g2-x-root", "g2-w-root", "g2-y-root"};
    static const char *const rq_l[] = {"g2-acc-root", "g2-v-root"};
    static const char *const pool_l[] = {"g2-x-root", "g2-v-root"};
    zkr_transcript t;
    zkr_cnn_win g;
    zkr_cnn_conv cv;
    zkr_ginf2_rq q;
    zkr_ginf2_pool pl;
    zkr_ginf2_avg av;

    *skip = 1;
    if (rel == REL_CONV) {
        if (!window(s, &g) || s[13] > ZKR_FUZZ_GINF2_MAX_DIM ||
            zkr_cnn_conv_init(&cv, &g, s[13], 0) != ZKR_OK)
            return ZKR_OK;
        *skip = 0;
        bind(p, sid, conv_l, c, 3, &t);
        return zkr_verify_ginf2_conv(p, &t, &cv, &c[0], &c[1], &c[2], 0, share, d);
    }
    if (rel == REL_RQ) {
        if (s[0] > ZKR_FUZZ_GINF2_MAX_DIM || s[1] > ZKR_FUZZ_GINF2_MAX_DIM ||
            s[2] > ZKR_FUZZ_GINF2_MAX_DIM ||
            zkr_ginf2_rq_init(&q, s[0], s[1], s[2], s[3], s[4], s[5] != 0, s[6]) != ZKR_OK)
            return ZKR_OK;
        *skip = 0;
        bind(p, sid, rq_l, c, 2, &t);
        return zkr_verify_ginf2_requant(p, &t, &q, &c[0], &c[1], 0, share, d);
    }
    if (rel == REL_POOL) {
        if (!window(s, &g) || zkr_ginf2_pool_init(&pl, &g) != ZKR_OK)
            return ZKR_OK;
        *skip = 0;
        bind(p, sid, pool_l, c, 2, &t);
        return zkr_verify_ginf2_pool(p, &t, &pl, &c[0], &c[1], 0, share, d);
    }
    if (rel == REL_AVG) { /* a plain int8 X, as tests/zk/ginfer2_avg_fx.h */
        if (!window(s, &g) || zkr_ginf2_avg_init(&av, &g, 0, 0, 0) != ZKR_OK)
            return ZKR_OK;
        *skip = 0;
        bind(p, sid, pool_l, c, 2, &t);
        return zkr_verify_ginf2_avg(p, &t, &av, &c[0], &c[1], 0, share, d);
    }
    return ZKR_OK;
}

zkr_err zkr_fuzz_ginfer2_rel_verify(const uint8_t *data, size_t size, int *skip)
{
    zkr_params p;
    zkr_hpcs_commitment c[3];
    uint32_t s[ZKR_FUZZ_GINF2_SHAPE_WORDS], q, pow;
    const uint8_t *at = data + 42;
    zkr_dec d;
    zkr_err r;

    *skip = 1;
    if (size > ZKR_FUZZ_GINF2_MAX_INPUT || size < ZKR_FUZZ_GINF2_HEADER ||
        zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK || data[1] > ZKR_FUZZ_GINF2_MAX_SHARE)
        return ZKR_OK;
    q = zkr_fuzz_ld32(data + 2);
    pow = zkr_fuzz_ld32(data + 6);
    if (q < 1 || q > p.queries || pow > p.pow_bits)
        return ZKR_OK;
    p.queries = q;
    p.pow_bits = pow;
    for (unsigned i = 0; i < ZKR_FUZZ_GINF2_SHAPE_WORDS; i++, at += 4)
        s[i] = zkr_fuzz_ld32(at);
    memset(c, 0, sizeof c);
    for (unsigned i = 0; i < 3; i++, at += 40) {
        memcpy(c[i].root, at, 32);
        c[i].n_vars = zkr_fuzz_ld32(at + 32);
        c[i].blind_vars = zkr_fuzz_ld32(at + 36);
        if (c[i].n_vars > ZKR_CNN_MAX_VARS || c[i].blind_vars > ZKR_HPCS_MAX_BLIND_VARS)
            return ZKR_OK;
    }
    zkr_dec_init(&d, at, size - ZKR_FUZZ_GINF2_HEADER);
    r = run(data[0], &p, data[1], data + 10, s, c, &d, skip);
    return !*skip && r == ZKR_OK ? zkr_dec_finish(&d) : r;
}
