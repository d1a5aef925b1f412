/*
 * train_curve: the learning curve of bit-exact fixed-point training
 * (docs/training.md) on Fashion-MNIST, native and single-threaded. It
 * trains a 784-H-10 MLP from zkr_ml_tmodel_init (all-zero seed) on the
 * training records in order (batch t = records t*B .. t*B+B-1, as
 * zkr_ml_train_batch_indices with first 0), and every K steps prints the
 * quantized test accuracy on all 10,000 test records, the mean squared
 * output error of the last K batches and the native step time. Not a test;
 * the command and its figures are in docs/training.md:
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel bench/train_curve
 *   ./build-rel/bench/train_curve --lr 3 --shift 16 --batch 64 --steps 1000 --every 50
 *
 * Options: --lr N, --shift S, --batch B, --steps N, --every K, --hidden H,
 * --lr2 N --switch T (lr N from step T on),
 * --test-records N (0: all), --dir DIR (default the Debian dataset).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "ml/ml.h"

#define FMNIST "/usr/share/datasets/fashion-mnist"

typedef struct {
    uint32_t lr, shift, batch, steps, every, hidden;
    uint32_t lr2, switch_at; /* from step switch_at on, lr2 (0: no switch) */
    uint64_t test_records;
    const char *dir;
} opts;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void parse(int argc, char **argv, opts *o)
{
    *o = (opts){3, 16, 64, 1000, 50, 128, 0, 0, 0, FMNIST};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--lr") == 0)
            o->lr = (uint32_t)zkr_bench_arg(k, v, 1, ZKR_ML_T_LR_MAX);
        else if (strcmp(k, "--shift") == 0)
            o->shift = (uint32_t)zkr_bench_arg(k, v, ZKR_ML_T_SHIFT_MIN, ZKR_ML_T_SHIFT_MAX);
        else if (strcmp(k, "--batch") == 0)
            o->batch = (uint32_t)zkr_bench_arg(k, v, 1, ZKR_ML_T_MAX_BATCH);
        else if (strcmp(k, "--steps") == 0)
            o->steps = (uint32_t)zkr_bench_arg(k, v, 1, 1000000);
        else if (strcmp(k, "--every") == 0)
            o->every = (uint32_t)zkr_bench_arg(k, v, 1, 1000000);
        else if (strcmp(k, "--lr2") == 0)
            o->lr2 = (uint32_t)zkr_bench_arg(k, v, 1, ZKR_ML_T_LR_MAX);
        else if (strcmp(k, "--switch") == 0)
            o->switch_at = (uint32_t)zkr_bench_arg(k, v, 1, 1000000);
        else if (strcmp(k, "--hidden") == 0)
            o->hidden = (uint32_t)zkr_bench_arg(k, v, 1, ZKR_ML_MAX_DIM);
        else if (strcmp(k, "--test-records") == 0)
            o->test_records = zkr_bench_arg(k, v, 0, 10000);
        else if (strcmp(k, "--dir") == 0)
            o->dir = v;
        else {
            fprintf(stderr, "train_curve: unknown option %s\n", k);
            exit(2);
        }
    }
}

static int fail(const char *what, zkr_err r, const zkr_diag *d)
{
    fprintf(stderr, "train_curve: %s: %s (%d)\n", what, d->msg, (int)r);
    return 1;
}

static zkr_err load_batch(const zkr_dataset *ds, uint64_t step, uint32_t B, uint8_t *x,
                          uint8_t *lab, zkr_diag *d)
{
    uint64_t idx[ZKR_ML_T_MAX_BATCH];
    zkr_err r;

    if ((r = zkr_ml_train_batch_indices(0, step, B, zkr_dataset_count(ds), idx)) != ZKR_OK)
        return r;
    for (uint32_t b = 0; b < B; b++) {
        const uint8_t *p;
        if ((r = zkr_ml_record_input(ds, idx[b], 784, &p, &lab[b], d)) != ZKR_OK)
            return r;
        memcpy(x + (size_t)b * 784, p, 784);
    }
    return ZKR_OK;
}

static zkr_err report(const zkr_ml_tmodel *m, const zkr_dataset *test, const opts *o, uint32_t step,
                      double loss, double step_ms, zkr_diag *d)
{
    zkr_ml_eval_result res;
    zkr_err r;

    if ((r = zkr_ml_tmodel_eval(m, test, 0, o->test_records, &res, d)) != ZKR_OK)
        return r;
    printf("%6u %8.2f %10.4f %9.2f\n", (unsigned)step, 100.0 * (double)res.quant_correct / (double)res.n,
           loss, step_ms);
    fflush(stdout);
    return ZKR_OK;
}

int main(int argc, char **argv)
{
    char tp[512], sp_[512];
    uint32_t dims[3] = {784, 128, 10};
    uint8_t seed[32] = {0}, *x = NULL, lab[ZKR_ML_T_MAX_BATCH];
    zkr_dataset *train = NULL, *test = NULL;
    zkr_ml_tmodel *m = NULL;
    zkr_ml_tstep_trace tr = {0};
    zkr_buf cur = {0};
    zkr_ml_graph g;
    zkr_ml_tstep_params sp;
    double loss = 0, t_steps = 0;
    zkr_diag d;
    zkr_err r;
    int rc = 1;

    opts o;
    parse(argc, argv, &o);
    dims[1] = o.hidden;
    sp = (zkr_ml_tstep_params){o.lr, o.shift};
    zkr_diag_clear(&d);
    snprintf(tp, sizeof tp, "%s/train-images-idx3-ubyte.gz", o.dir);
    snprintf(sp_, sizeof sp_, "%s/t10k-images-idx3-ubyte.gz", o.dir);
    if ((x = malloc((size_t)ZKR_ML_T_MAX_BATCH * 784)) == NULL)
        goto out;
    if ((r = zkr_dataset_open(tp, &train, &d)) != ZKR_OK || (r = zkr_dataset_open(sp_, &test, &d)) != ZKR_OK) {
        rc = fail("dataset", r, &d);
        goto out;
    }
    if ((r = zkr_ml_tprogram_make(dims, 3, &g, &d)) != ZKR_OK ||
        (r = zkr_ml_tmodel_init(&g, seed, &cur, &d)) != ZKR_OK ||
        (r = zkr_ml_tmodel_decode(cur.p, cur.len, &m, &d)) != ZKR_OK) {
        rc = fail("init", r, &d);
        goto out;
    }
    printf("# 784-%u-10 from seed 0, lr %u shift %u (real lr %g per summed gradient), batch %u\n",
           (unsigned)o.hidden, (unsigned)o.lr, (unsigned)o.shift,
           (double)o.lr / (double)(1u << o.shift) * 16.0, (unsigned)o.batch);
    printf("#  step  test-acc  mse/record  ms/step\n");
    if ((r = report(m, test, &o, 0, 0, 0, &d)) != ZKR_OK) {
        rc = fail("eval", r, &d);
        goto out;
    }
    for (uint32_t s = 0; s < o.steps; s++) {
        double t0;
        if ((r = load_batch(train, s, o.batch, x, lab, &d)) != ZKR_OK) {
            rc = fail("batch", r, &d);
            goto out;
        }
        if (o.lr2 != 0 && s == o.switch_at)
            sp.lr = o.lr2;
        t0 = now();
        r = zkr_ml_train_step(m, x, (size_t)o.batch * 784, lab, o.batch, &sp, &cur, &tr, &d);
        t_steps += now() - t0;
        if (r != ZKR_OK) {
            fprintf(stderr, "at step %u\n", (unsigned)s);
            rc = fail("step", r, &d);
            goto out;
        }
        for (size_t i = 0; i < (size_t)o.batch * 10; i++)
            loss += (double)tr.delta[1][i] * (double)tr.delta[1][i] / (4096.0 * 4096.0);
        zkr_ml_tmodel_free(m);
        m = NULL;
        if ((r = zkr_ml_tmodel_decode(cur.p, cur.len, &m, &d)) != ZKR_OK) {
            rc = fail("decode", r, &d);
            goto out;
        }
        if ((s + 1) % o.every == 0 || s + 1 == o.steps) {
            uint32_t k = (s + 1) % o.every == 0 ? o.every : (s + 1) % o.every;
            if ((r = report(m, test, &o, s + 1, loss / ((double)k * o.batch), 1e3 * t_steps / k, &d)) !=
                ZKR_OK) {
                rc = fail("eval", r, &d);
                goto out;
            }
            loss = 0;
            t_steps = 0;
        }
    }
    rc = 0;
out:
    zkr_ml_tstep_trace_free(&tr);
    zkr_ml_tmodel_free(m);
    zkr_dataset_free(train);
    zkr_dataset_free(test);
    zkr_buf_free(&cur);
    free(x);
    return rc;
}
