#!/bin/sh
# Quantized vs float on the 10,000 Fashion-MNIST test records for CNNs
# (issue 14): for each ONNX model, `zkreg eval` quantizes it with the first
# 1000 training records and checks argmax agreement >= 98 % and an accuracy
# loss of at most 1 point. TAP output.
#
#   bench/cnn_accuracy.sh build/cli/zkreg tests/fixtures/lenet5.onnx
#   bench/cnn_accuracy.sh build/cli/zkreg --train     # trains LeNet-5, CNN-264k, ResNet-8
#
# --train runs ml/train_cnn.py (Debian's /usr/bin/python3 with python3-torch)
# into a temporary directory first; it takes a while on 2 cores.
set -u
ZKREG=$1
shift
SRC=${ZKR_SOURCE_ROOT:-$(dirname "$0")/..}
D=/usr/share/datasets/fashion-mnist
T=$(mktemp -d /tmp/zkr-cnn-acc.XXXXXX)
trap 'rm -rf "$T"' EXIT
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
    --dataset-file "$D/t10k-images-idx3-ubyte.gz" >"$T/out" 2>"$T/err"
  ok $? "eval $(basename "$m") on 10,000 records ($(( $(date +%s) - start )) s)"
  sed 's/^/# /' "$T/out" "$T/err"
  f=$(sed -n 's/.*"float_correct":\([0-9]*\).*/\1/p' "$T/out")
  q=$(sed -n 's/.*"quantized_correct":\([0-9]*\).*/\1/p' "$T/out")
  a=$(sed -n 's/.*"agreement":\([0-9.]*\).*/\1/p' "$T/out")
  [ -n "$f" ] && [ -n "$q" ] && [ $((f - q)) -le 100 ]
  ok $? "$(basename "$m"): accuracy loss $f -> $q of 10000 is at most 1 point"
  [ -n "$a" ] && awk -v a="$a" 'BEGIN { exit !(a >= 98.0) }'
  ok $? "$(basename "$m"): argmax agreement $a % >= 98 %"
done
echo "1..$n"
exit $fail
