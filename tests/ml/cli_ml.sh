#!/bin/sh
# zkreg infer / eval (offline form) against real files: exit codes,
# messages, determinism. TAP output. Usage: cli_ml.sh path/to/zkreg
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
D=/usr/share/datasets/fashion-mnist
TEST=$D/t10k-images-idx3-ubyte.gz
# Calibration reads the (smaller) test file here: this test is about the CLI, not accuracy.
TRAIN=$D/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-ml-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
# expect CODE DESCRIPTION CMD...: runs CMD, checks its exit code
expect() {
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq "$want" ]; ok $? "$what (exit $got, want $want)"
}

expect 0 "eval quantizes the fixture and writes the model" \
  "$ZKREG" eval --onnx "$FIX" --calibrate-file "$TRAIN" --calibrate-count 200 \
  --dataset-file "$TEST" --count 300 --write-model "$T/q1"
grep -q "quantized accuracy" "$T/out"; ok $? "eval prints quantized accuracy"
grep -q "agreement" "$T/out"; ok $? "eval prints agreement"
"$ZKREG" eval --onnx "$FIX" --calibrate-file "$TRAIN" --calibrate-count 200 \
  --dataset-file "$TEST" --count 300 --write-model "$T/q2" >/dev/null 2>&1
cmp -s "$T/q1" "$T/q2"; ok $? "the written model is byte-identical on a second run"
expect 0 "infer runs record 7" "$ZKREG" infer --model-file "$T/q1" --dataset-file "$TEST" --record 7
grep -q "^argmax [0-9]" "$T/out"; ok $? "infer prints the argmax"
cp "$T/out" "$T/out1"
"$ZKREG" infer --model-file "$T/q1" --dataset-file "$TEST" --record 7 >"$T/out2" 2>/dev/null
cmp -s "$T/out1" "$T/out2"; ok $? "infer output is identical on a second run"
expect 0 "infer --json" "$ZKREG" --json infer --model-file "$T/q1" --dataset-file "$TEST" --record 7
grep -q '"ok":true,"record":7,"label":[0-9]*,"logits":\[' "$T/out"; ok $? "infer --json prints logits"
expect 0 "eval of a model file against the float model" \
  "$ZKREG" eval --onnx "$FIX" --model-file "$T/q1" --dataset-file "$TEST" --first 100 --count 50
grep -q "records            50" "$T/out"; ok $? "eval honours --first/--count"
expect 0 "--help" "$ZKREG" infer --help
expect 2 "infer without --record is a usage error" "$ZKREG" infer --model-file "$T/q1" --dataset-file "$TEST"
expect 2 "infer with a bad record number" "$ZKREG" infer --model-file "$T/q1" --dataset-file "$TEST" --record 7x
expect 4 "infer past the last record" "$ZKREG" infer --model-file "$T/q1" --dataset-file "$TEST" --record 10000
grep -q "record 10000 not found" "$T/err"; ok $? "the message names the record"
expect 4 "a missing model file" "$ZKREG" infer --model-file "$T/nope" --dataset-file "$TEST" --record 0
cp "$T/q1" "$T/bad"; printf 'X' | dd of="$T/bad" bs=1 seek=20 conv=notrunc 2>/dev/null
expect 3 "a tampered model file" "$ZKREG" infer --model-file "$T/bad" --dataset-file "$TEST" --record 0
grep -q "program_digest" "$T/err"; ok $? "the message names the field"
head -c 1000 "$FIX" >"$T/trunc.onnx"
expect 3 "a truncated ONNX file" "$ZKREG" eval --onnx "$T/trunc.onnx" --calibrate-file "$TRAIN" --dataset-file "$TEST"
grep -q "trunc.onnx" "$T/err"; ok $? "the message names the file"
expect 3 "eval on a line dataset is refused" "$ZKREG" eval --onnx "$FIX" --calibrate-file "$TRAIN" \
  --calibrate-count 10 --dataset-file "$SRC/tests/ml/cli_ml.sh" --write-model "$T/q3"
[ ! -e "$T/q3" ]; ok $? "a failed eval writes no model file"
expect 1 "a float model and a quantized model of different programs" "$ZKREG" eval --onnx "$FIX" \
  --model-file "$SRC/fuzz/corpus/qmodel/doc_example.qmodel" --dataset-file "$TEST"
grep -q "program" "$T/err"; ok $? "the mismatch is named"
expect 3 "a model taking 3 inputs on 784-byte records" "$ZKREG" infer \
  --model-file "$SRC/fuzz/corpus/qmodel/doc_example.qmodel" --dataset-file "$TEST" --record 0
grep -q "784 image bytes, the model takes 3" "$T/err"; ok $? "the sizes are named"
expect 4 "registry IDs with no registry at that path: not found" "$ZKREG" --registry "$T/absent.db" infer --model 1 --dataset 1 --record 0
grep -q "absent.db" "$T/err"; ok $? "... naming the registry"
[ ! -e "$T/absent.db" ]; ok $? "... and creates no registry there"
expect 2 "eval without a model" "$ZKREG" eval --dataset-file "$TEST"
echo "1..$n"
exit $fail
