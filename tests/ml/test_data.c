/*
 * The main job's accuracy claim on real data (suite slow): the shipped
 * 784-128-10 fixture, quantized with the first 1000 Fashion-MNIST training
 * records through the common dataset readers, keeps its quantized test
 * accuracy within 1 percentage point of float on all 10,000 test records.
 * Also: quantization and evaluation are deterministic, and line datasets
 * or wrong record sizes are refused.
 */
#include <stdio.h>
#include <unistd.h>

#include "ml/ml.h"
#include "tests/tap.h"

#define FMNIST "/usr/share/datasets/fashion-mnist/"

static void test_accuracy(zkr_tap *t, const zkr_ml_fmodel *f, const zkr_dataset *train,
                          const zkr_dataset *test)
{
    zkr_buf q1 = {0}, q2 = {0};
    zkr_ml_model *m = NULL;
    zkr_ml_eval_result r1, r2;
    zkr_diag d;
    double fa, qa;
    int ok;

    zkr_diag_clear(&d);
    ok = zkr_ml_quantize(f, train, 0, 1000, &q1, &d) == ZKR_OK &&
         zkr_ml_quantize(f, train, 0, 1000, &q2, &d) == ZKR_OK && q1.len == q2.len &&
         memcmp(q1.p, q2.p, q1.len) == 0;
    zkr_tap_ok(t, ok, "quantizing with 1000 training records twice gives identical files (%s)", d.msg);
    ok = ok && zkr_ml_model_decode(q1.p, q1.len, &m, &d) == ZKR_OK &&
         zkr_ml_eval(f, m, test, 0, 0, &r1, &d) == ZKR_OK &&
         zkr_ml_eval(f, m, test, 0, 0, &r2, &d) == ZKR_OK && memcmp(&r1, &r2, sizeof r1) == 0;
    zkr_tap_ok(t, ok && r1.n == 10000, "evaluation over all %llu test records is deterministic (%s)",
               (unsigned long long)r1.n, d.msg);
    if (!ok)
        goto out;
    fa = 100.0 * (double)r1.float_correct / (double)r1.n;
    qa = 100.0 * (double)r1.quant_correct / (double)r1.n;
    zkr_tap_diag("float %.2f %%, quantized %.2f %%, agreement %.2f %%", fa, qa,
                 100.0 * (double)r1.agree / (double)r1.n);
    zkr_tap_ok(t, fa - qa <= 1.0 && qa - fa <= 1.0, "quantized accuracy %.2f %% within 1 point of float %.2f %%",
               qa, fa);
    zkr_tap_ok(t, fa > 80.0, "float accuracy %.2f %% is a trained model's (over 80 %%)", fa);
    zkr_tap_ok(t, zkr_ml_eval(NULL, m, test, 9990, 10, &r2, NULL) == ZKR_OK && r2.n == 10 &&
                      r2.float_correct == 0,
               "a range without a float model evaluates only the quantized one");
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_eval(f, m, test, 9990, 11, &r2, &d) == ZKR_ERR_NOT_FOUND,
               "a range past the end is not found (%s)", d.msg);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_ml_quantize(f, train, 59999, 2, &q2, &d) == ZKR_ERR_NOT_FOUND,
               "calibration past the end is not found (%s)", d.msg);
out:
    zkr_ml_model_free(m);
    zkr_buf_free(&q1);
    zkr_buf_free(&q2);
}

/* A line dataset is refused for models, naming why. */
static void test_lines(zkr_tap *t, const zkr_ml_fmodel *f)
{
    char path[] = "/tmp/zkr-ml-lines-XXXXXX";
    int fd = mkstemp(path);
    zkr_dataset *ds = NULL;
    zkr_buf q = {0};
    zkr_diag d;

    if (fd < 0 || write(fd, "a\nb\n", 4) != 4) {
        zkr_tap_ok(t, 0, "temp file");
        return;
    }
    close(fd);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_dataset_open(path, &ds, NULL) == ZKR_OK &&
                      zkr_ml_quantize(f, ds, 0, 2, &q, &d) == ZKR_ERR_UNSUPPORTED,
               "a line dataset is refused for calibration (%s)", d.msg);
    zkr_dataset_free(ds);
    zkr_buf_free(&q);
    unlink(path);
}

int main(int argc, char **argv)
{
    const char *root = getenv("ZKR_SOURCE_ROOT");
    char path[1024];
    zkr_tap t;
    zkr_ml_fmodel *f = NULL;
    zkr_dataset *train = NULL, *test = NULL;
    zkr_diag d;

    zkr_tap_init(&t, argc, argv);
    zkr_diag_clear(&d);
    snprintf(path, sizeof path, "%s/tests/fixtures/mlp_784_128_10.onnx", root ? root : ".");
    if (zkr_tap_ok(&t, zkr_ml_onnx_import_file(path, &f, &d) == ZKR_OK, "fixture imports (%s)", d.msg) &&
        zkr_tap_ok(&t, zkr_dataset_open(FMNIST "train-images-idx3-ubyte.gz", &train, &d) == ZKR_OK &&
                           zkr_dataset_open(FMNIST "t10k-images-idx3-ubyte.gz", &test, &d) == ZKR_OK,
                   "Fashion-MNIST opens through the common readers (%s)", d.msg)) {
        test_accuracy(&t, f, train, test);
        test_lines(&t, f);
    }
    zkr_dataset_free(train);
    zkr_dataset_free(test);
    zkr_ml_fmodel_free(f);
    return zkr_tap_done(&t);
}
