#!/bin/sh
# zkreg prove / verify (inference@1) end to end in a temporary registry:
# register program/model/dataset from the shipped ONNX fixture and
# Fashion-MNIST t10k, a schema and statements, then prove -> verify ok,
# tampered / truncated proof -> rejected, wrong statement -> exit 1 with the
# mismatch named, deterministic proof bytes. TAP. Usage: cli_infer.sh zkreg
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-infer-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ZKREG_REGISTRY="$T/reg.db"
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
expect() {
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq "$want" ]; ok $? "$what (exit $got, want $want)"
  [ "$got" -eq "$want" ] || sed 's/^/# /' "$T/err"
}
# The canonical public output (u32 n | n x int8 | u32 argmax) of `zkreg infer --json`.
output_bytes() {
  logits=$(sed -n 's/.*"logits":\[\([^]]*\)\].*/\1/p' "$1")
  arg=$(sed -n 's/.*"argmax":\([0-9]*\).*/\1/p' "$1")
  cnt=$(echo "$logits" | tr ',' '\n' | wc -l)
  printf '\000\000\000'; printf "\\$(printf %03o "$cnt")"
  for v in $(echo "$logits" | tr ',' ' '); do printf "\\$(printf %03o $(( (v + 256) % 256 )))"; done
  printf '\000\000\000'; printf "\\$(printf %03o "$arg")"
}

(umask 077; echo "cli-infer-test-passphrase" >"$T/pass")
expect 0 "init" "$ZKREG" init --passphrase-file "$T/pass" --kdf interactive
expect 0 "register-program from ONNX" "$ZKREG" register-program "$FIX"
expect 2 "register-model from ONNX without --calibrate" "$ZKREG" register-model "$FIX" --program 1
expect 0 "register-model from ONNX with --calibrate" "$ZKREG" --json register-model "$FIX" \
  --program 1 --calibrate "$DATA"
grep -q '"commitment":"[0-9a-f]\{64\}"' "$T/out"; ok $? "the model has its commitment"
MODEL_SHA=$(sed -n 's/.*"kind":"model".*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/out")
expect 0 "register-dataset" "$ZKREG" --json register-dataset "$DATA"
grep -q '"commitment":"[0-9a-f]\{64\}"' "$T/out"; ok $? "the dataset has its commitment"
cat >"$T/schema.json" <<'JSON'
{"name": "fmnist-infer", "version": 1, "proof_kind": "inference@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_index", "type": "u64"}]}
JSON
expect 0 "register-schema" "$ZKREG" register-schema "$T/schema.json"
for i in 7 8; do
  "$ZKREG" --json infer --model-file "$T/reg.db.d/models/$MODEL_SHA" --dataset-file "$DATA" \
    --record $i >"$T/infer$i.json" 2>/dev/null
  output_bytes "$T/infer$i.json" >"$T/out$i.bin"
done
[ "$(wc -c <"$T/out7.bin")" -eq 18 ]; ok $? "public output of record 7 is 18 bytes"
expect 0 "infer by registry IDs" "$ZKREG" --json infer --model 2 --dataset 3 --record 7
cmp -s "$T/out" "$T/infer7.json"; ok $? "... prints exactly what the file form prints"
expect 4 "infer with an unknown model ID" "$ZKREG" infer --model 99 --dataset 3 --record 7
expect 4 "infer with a program ID where a model is expected" "$ZKREG" infer --model 1 --dataset 3 --record 7
expect 2 "infer with both --model and --model-file" "$ZKREG" infer --model 2 \
  --model-file "$T/reg.db.d/models/$MODEL_SHA" --dataset 3 --record 7
cp "$T/reg.db.d/models/$MODEL_SHA" "$T/model.saved"
printf '\001' | dd of="$T/reg.db.d/models/$MODEL_SHA" bs=1 seek=200 conv=notrunc 2>/dev/null
expect 1 "infer refuses stored model bytes that differ from the registered sha256" \
  "$ZKREG" infer --model 2 --dataset 3 --record 7
grep -q "registered sha256" "$T/err"; ok $? "... and says so"
cp "$T/model.saved" "$T/reg.db.d/models/$MODEL_SHA"
expect 0 "eval by registry IDs over 200 records" "$ZKREG" --json eval --model 2 --dataset 3 --count 200
grep -q '"records":200' "$T/out"; ok $? "... counts 200 records"
expect 0 "statement for record 7" "$ZKREG" register-statement --schema fmnist-infer@1 --program 1 \
  --model 2 --dataset 3 --param record_index=7 --public-output "$T/out7.bin"
expect 0 "statement for record 8" "$ZKREG" register-statement --schema fmnist-infer@1 --program 1 \
  --model 2 --dataset 3 --param record_index=8 --public-output "$T/out8.bin"
cp "$T/out7.bin" "$T/wrong.bin"; printf '\001' | dd of="$T/wrong.bin" bs=1 seek=6 conv=notrunc 2>/dev/null
expect 0 "statement claiming a wrong output for record 7" "$ZKREG" register-statement \
  --schema fmnist-infer@1 --program 1 --model 2 --dataset 3 --param record_index=7 \
  --public-output "$T/wrong.bin"

expect 0 "prove statement 1" "$ZKREG" prove --statement 1 -o "$T/p1"
expect 0 "verify statement 1" "$ZKREG" verify --statement 1 "$T/p1"
grep -q "^verified:" "$T/out"; ok $? "verify says verified"
expect 0 "prove statement 1 again" "$ZKREG" prove --statement 1 -o "$T/p1b"
cmp -s "$T/p1" "$T/p1b"; ok $? "the proof bytes are identical on a second run"
cp "$T/p1" "$T/bad"; printf 'Z' | dd of="$T/bad" bs=1 seek=40000 conv=notrunc 2>/dev/null
expect 1 "a tampered proof is rejected" "$ZKREG" verify --statement 1 "$T/bad"
grep -q "verification failed\|does not verify\|fails" "$T/err"; ok $? "... as invalid mathematics"
head -c 5000 "$T/p1" >"$T/trunc"
expect 3 "a truncated proof is malformed" "$ZKREG" verify --statement 1 "$T/trunc"
expect 1 "the proof presented for statement 2 (record 8)" "$ZKREG" verify --statement 2 "$T/p1"
grep -q "statement" "$T/err"; ok $? "... names the statement mismatch"
expect 1 "proving a wrong public output is refused" "$ZKREG" prove --statement 3 -o "$T/p3"
grep -q "output" "$T/err"; ok $? "... names the output mismatch"
[ ! -e "$T/p3" ]; ok $? "... and writes no proof"
expect 1 "the proof presented for statement 3 (same record, wrong output)" \
  "$ZKREG" verify --statement 3 "$T/p1"
expect 0 "prove statement 2" "$ZKREG" prove --statement 2 -o "$T/p2"
expect 0 "verify statement 2" "$ZKREG" verify --statement 2 "$T/p2"
expect 1 "proving from another dataset file than the registered one" "$ZKREG" prove --statement 1 \
  -o "$T/px" --dataset-file /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
grep -q "dataset" "$T/err"; ok $? "... names the dataset mismatch"
expect 4 "verify with an unknown statement" "$ZKREG" verify --statement 99 "$T/p1"
expect 2 "prove without -o" "$ZKREG" prove --statement 1
echo "1..$n"
exit $fail
