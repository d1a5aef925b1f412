/*
 * hmixed_bench: the mixed-size batched hiding opening (docs/proof-system.md,
 * "3c. Mixed-size batched hiding opening") beside the openings it replaces
 * in inference@2 version 5: one batched opening per size class plus the
 * record's own, at the same query count. Members shaped as inference@2's
 * final openings (sizes n + e of W'_l, V, h, phi, m and the record for
 * 784-128-10 and 784-512-512-10; C's opening is the same in both and left
 * out). Process CPU seconds of proving and verifying (best of 3), bytes.
 * Usage: hmixed_bench [queries]   (default 170, inference@2 v5's q')
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench_util.h"
#include "prover/prover.h"
#include "zk/zk.h"

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
}

#define NM 8

typedef struct {
    const char *name;
    size_t k;
    unsigned n[NM], tot[NM], ext[NM];
} shape;

typedef struct {
    zkr_hpcs_poly *f[NM];
    zkr_hpcs_commitment c[NM];
    zkr_ext z[32], v[NM];
    unsigned total;
} fix;

static zkr_ext value_at(const zkr_hpcs_poly *f, const zkr_ext *pt)
{
    unsigned total = zkr_hpcs_poly_total_vars(f);
    const zkr_gl *bv = zkr_hpcs_poly_base_evals(f);
    const zkr_ext *ev = zkr_hpcs_poly_ext_evals(f);
    size_t len = (size_t)1 << total;
    zkr_ext *eq = malloc(len * sizeof *eq), acc = zkr_ext_from(0);

    if (!eq)
        exit(1);
    zkr_mle_eq_table(pt, total, eq);
    for (size_t i = 0; i < len; i++)
        acc = zkr_ext_add(acc, bv ? zkr_ext_mul_base(eq[i], bv[i]) : zkr_ext_mul(eq[i], ev[i]));
    free(eq);
    return acc;
}

static void make(const zkr_params *p, const shape *s, fix *x)
{
    uint8_t key[32];
    zkr_zkrng g;

    memset(x, 0, sizeof *x);
    memset(key, 0x33, sizeof key);
    zkr_zkrng_from_key(&g, key);
    for (size_t m = 0; m < s->k; m++) {
        size_t len = (size_t)1 << s->n[m];
        zkr_err r;
        if (s->tot[m] > x->total)
            x->total = s->tot[m];
        if (s->ext[m]) {
            zkr_ext *e = malloc(len * sizeof *e);
            for (size_t i = 0; i < len; i++)
                e[i] = zkr_ext_from((zkr_gl)(i * 2654435761u % 1000003u));
            r = zkr_prover_hcommit_ext_sized(p, e, s->n[m], s->tot[m], 1, &g, 1, &x->f[m],
                                             &x->c[m]);
            free(e);
        } else {
            zkr_gl *b = malloc(len * sizeof *b);
            for (size_t i = 0; i < len; i++)
                b[i] = zkr_gl_from_i64((int64_t)(i * 40503u % 255u) - 127);
            r = zkr_prover_hcommit_sized(p, b, s->n[m], s->tot[m], 1, &g, 1, &x->f[m], &x->c[m]);
            free(b);
        }
        if (r != ZKR_OK) {
            fprintf(stderr, "commit %zu: %d\n", m, r);
            exit(1);
        }
    }
    zkr_zkrng_wipe(&g);
    for (unsigned i = 0; i < x->total; i++)
        x->z[i] = zkr_ext_from((zkr_gl)(987654321u + 7919u * i));
    for (size_t m = 0; m < s->k; m++)
        x->v[m] = value_at(x->f[m], x->z + (x->total - s->tot[m]));
}

static void unmake(const shape *s, fix *x)
{
    for (size_t m = 0; m < s->k; m++)
        zkr_hpcs_poly_free(x->f[m]);
}

static void ts(const zkr_params *p, zkr_transcript *t)
{
    uint8_t sid[ZKR_DIGEST_BYTES], pd[ZKR_DIGEST_BYTES];

    memset(sid, 1, sizeof sid);
    zkr_params_digest(p, pd);
    zkr_ts_init(t, "zkreg/hmixed-bench", 1, ZKR_PROOF_SYSTEM_ID, p->id, pd, sid);
}

/* Version 5's openings: one batch per size (descending), the record's a batch of one. */
static int run_classes(const zkr_params *p, const shape *s, fix *x, int verify, zkr_buf *pf)
{
    zkr_transcript tp, tv;
    uint8_t key[32];
    zkr_zkrng g;
    zkr_dec d;
    unsigned done = 0;
    int ok = 1;

    memset(key, 9, sizeof key);
    ts(p, &tp);
    tv = tp;
    zkr_zkrng_from_key(&g, key);
    for (unsigned T = x->total; T > 0 && ok; T--) {
        zkr_hpcs_poly *f[NM];
        zkr_hpcs_commitment c[NM];
        zkr_ext v[NM];
        size_t k = 0;
        for (size_t m = 0; m < s->k; m++)
            if (s->tot[m] == T) {
                f[k] = x->f[m];
                c[k] = x->c[m];
                v[k++] = x->v[m];
            }
        if (k == 0)
            continue;
        if (!verify) {
            ok = zkr_prover_hopen_batch(p, &tp, f, k, x->z + (x->total - T), v, &g, 1, pf) ==
                 ZKR_OK;
            continue;
        }
        zkr_dec_init(&d, pf->p + done, pf->len - done);
        ok = zkr_hpcs_verify_batch(p, &tv, c, k, x->z + (x->total - T), v, &d) == ZKR_OK;
        done += (unsigned)d.pos;
    }
    zkr_zkrng_wipe(&g);
    return ok;
}

static int run_mixed(const zkr_params *p, const shape *s, fix *x, int verify, zkr_buf *pf)
{
    zkr_transcript t;
    uint8_t key[32];
    zkr_zkrng g;
    zkr_dec d;
    int ok;

    memset(key, 9, sizeof key);
    ts(p, &t);
    if (!verify) {
        zkr_zkrng_from_key(&g, key);
        ok = zkr_prover_hopen_mixed(p, &t, x->f, s->k, x->z, x->v, &g, 1, pf) == ZKR_OK;
        zkr_zkrng_wipe(&g);
        return ok;
    }
    zkr_dec_init(&d, pf->p, pf->len);
    return zkr_hpcs_verify_mixed(p, &t, x->c, s->k, x->z, x->v, &d) == ZKR_OK &&
           zkr_dec_finish(&d) == ZKR_OK;
}

static void one(const zkr_params *p, const shape *s, int mixed)
{
    double best_p = 1e30, best_v = 1e30;
    size_t bytes = 0;

    for (int rep = 0; rep < 3; rep++) {
        fix x;
        zkr_buf pf = {0};
        double t0, t1, t2;
        int ok;
        make(p, s, &x);
        t0 = cpu_s();
        ok = mixed ? run_mixed(p, s, &x, 0, &pf) : run_classes(p, s, &x, 0, &pf);
        t1 = cpu_s();
        ok = ok && (mixed ? run_mixed(p, s, &x, 1, &pf) : run_classes(p, s, &x, 1, &pf));
        t2 = cpu_s();
        if (!ok) {
            fprintf(stderr, "%s: %s failed\n", s->name, mixed ? "mixed" : "classes");
            exit(1);
        }
        if (t1 - t0 < best_p)
            best_p = t1 - t0;
        if (t2 - t1 < best_v)
            best_v = t2 - t1;
        bytes = pf.len;
        zkr_buf_free(&pf);
        unmake(s, &x);
    }
    printf("| %s | %s | %.3f | %.1f | %.1f |\n", s->name,
           mixed ? "one mixed opening (v6 design)" : "per size class + record (v5)", best_p,
           best_v * 1e3, (double)bytes / 1024.0);
}

int main(int argc, char **argv)
{
    /* 784-128-10: W'_0 (n 17) and W'_1 (n 12) at 19; V, h, phi (ext), m at 14; the record at 16 */
    static const shape s1 = {"784-128-10", 7,
                             {17, 12, 12, 12, 12, 12, 10},
                             {19, 19, 14, 14, 14, 14, 16},
                             {0, 0, 0, 1, 1, 0, 0}};
    /* 784-512-512-10: W' (n 19, 19, 14) at 20; V, h, phi, m at 16; the record at 16 */
    static const shape s2 = {"784-512-512-10", 8,
                             {19, 19, 14, 14, 14, 14, 14, 10},
                             {20, 20, 20, 16, 16, 16, 16, 16},
                             {0, 0, 0, 0, 1, 1, 0, 0}};
    zkr_params p;

    if (sodium_init() < 0 || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    if (argc > 1)
        p.queries = (unsigned)zkr_bench_arg("queries", argv[1], 1, 1000);
    else
        p.queries = 170;
    printf("queries %u; process CPU, best of 3, one thread\n\n", p.queries);
    printf("| shape | openings | prove s | verify ms | KiB |\n|---|---|---|---|---|\n");
    one(&p, &s1, 0);
    one(&p, &s1, 1);
    one(&p, &s2, 0);
    one(&p, &s2, 1);
    return 0;
}
