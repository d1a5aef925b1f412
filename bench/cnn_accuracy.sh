#!/bin/sh
# Quantized vs float on the 10,000 Fashion-MNIST test records for CNNs
# (issue 14): for each ONNX model, `zkreg eval` quantizes it with the first
# 1000 *training* records (calibration never sees the test set) and checks
# argmax agreement >= 98 % and an accuracy loss of at most 1 point; then it
# quantizes the model a second time and checks that the two quantized-model
# files are byte-identical. TAP output.
#
#   bench/cnn_accuracy.sh build/cli/zkreg tests/fixtures/lenet5.onnx
#   bench/cnn_accuracy.sh build/cli/zkreg --train     # trains LeNet-5, CNN-264k, ResNet-8
#
# --train runs ml/train_cnn.py (Debian's /usr/bin/python3 with
# python3-torch) into a temporary directory first; it takes a while on 2
# cores (CNN-264k and ResNet-8 cost 10-20 times LeNet-5's inference).
set -u
ZKREG=$1
shift
SRC=${ZKR_SOURCE_ROOT:-$(dirname "$0")/..}
D=/usr/share/datasets/fashion-mnist
T=$(mktemp -d /tmp/zkr-cnn-acc.XXXXXX)
trap 'rm -rf "$T"' EXIT
LENET5_ONNX_SHA256=d8f5b27e9c72967870c7cbd01f43553fa5686e5125cf0409114c270ec4251489
LENET5_Q100_SHA256=9df388096cc23bbe60e1c4da8d1e1618ac76a550115d1436e163a06c9ce58c4e
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
if [ "${1:-}" = "--train" ]; then
  set --
  for a in lenet5 cnn264k resnet8; do
    /usr/bin/python3 "$SRC/ml/train_cnn.py" --arch $a -o "$T/$a.onnx" | sed 's/^/# /'
    set -- "$@" "$T/$a.onnx"
  done
fi
for m in "$@"; do
  start=$(date +%s)
  "$ZKREG" --json eval --onnx "$m" --calibrate-file "$D/train-images-idx3-ubyte.gz" \
    --dataset-file "$D/t10k-images-idx3-ubyte.gz" --write "$T/q1" >"$T/out" 2>"$T/err"
  ok $? "eval $(basename "$m") on 10,000 records ($(( $(date +%s) - start )) s)"
  # Determinism: the same ONNX file and calibration records give the same bytes.
  "$ZKREG" --json eval --onnx "$m" --calibrate-file "$D/train-images-idx3-ubyte.gz" \
    --dataset-file "$D/t10k-images-idx3-ubyte.gz" --count 1 --write "$T/q2" >/dev/null 2>&1 &&
    cmp -s "$T/q1" "$T/q2"
  ok $? "$(basename "$m"): quantizing twice gives byte-identical model files ($(sha256sum <"$T/q1" | cut -c1-16))"
  sed 's/^/# /' "$T/out" "$T/err"
  f=$(sed -n 's/.*"float_correct":\([0-9]*\).*/\1/p' "$T/out")
  q=$(sed -n 's/.*"quantized_correct":\([0-9]*\).*/\1/p' "$T/out")
  a=$(sed -n 's/.*"agreement":\([0-9.]*\).*/\1/p' "$T/out")
  [ -n "$f" ] && [ -n "$q" ] && [ $((f - q)) -le 100 ]
  ok $? "$(basename "$m"): accuracy loss $f -> $q of 10000 is at most 1 point"
  [ -n "$a" ] && awk -v a="$a" 'BEGIN { exit !(a >= 98.0) }'
  ok $? "$(basename "$m"): argmax agreement $a % >= 98 %"
  # The shipped LeNet-5 pins the quantizer bit for bit (docs/quantization.md 7.5):
  # its model file from the first 100 training records has a known SHA-256.
  if [ "$(sha256sum <"$m" | cut -c1-64)" = "$LENET5_ONNX_SHA256" ]; then
    "$ZKREG" --json eval --onnx "$m" --calibrate-file "$D/train-images-idx3-ubyte.gz" \
      --calibrate-count 100 --dataset-file "$D/t10k-images-idx3-ubyte.gz" --count 1 \
      --write "$T/q100" >/dev/null 2>&1
    h=$(sha256sum <"$T/q100" | cut -c1-64)
    [ "$h" = "$LENET5_Q100_SHA256" ]
    ok $? "$(basename "$m"): the model file from 100 calibration records has the pinned SHA-256 ($h)"
  fi
done
echo "1..$n"
exit $fail
