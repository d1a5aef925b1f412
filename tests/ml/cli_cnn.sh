#!/bin/sh
# Graph (CNN) programs through the CLI with the LeNet-5 fixture: register-
# program keeps a version 2 program, register-model --calibrate quantizes,
# infer runs it natively (registry and file forms agree, deterministic
# bytes), eval reports agreement, and prove refuses a graph program with a
# clear error; reject twins: a model of another program, a tampered model.
# TAP. Usage: cli_cnn.sh path/to/zkreg
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/lenet5.onnx
MLP=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-cnn-cli.XXXXXX)
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

(umask 077; echo "cli-cnn-test-passphrase" >"$T/pass")
expect 0 "init" "$ZKREG" init --passphrase-file "$T/pass" --kdf interactive
expect 0 "register-program from the LeNet-5 ONNX" "$ZKREG" --json register-program "$FIX"
PROG_SHA=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/out")
head -c 12 "$T/reg.db.d/programs/$PROG_SHA" | od -An -tx1 | tr -d ' \n' >"$T/head"
[ "$(cat "$T/head")" = "5a4b5250524f470100000002" ]; ok $? "the stored program is a version 2 graph program"
expect 2 "register-model from ONNX without --calibrate" "$ZKREG" register-model "$FIX" --program 1
expect 0 "register-model --calibrate quantizes it" "$ZKREG" --json register-model "$FIX" \
  --program 1 --calibrate "$DATA"
MODEL_SHA=$(sed -n 's/.*"kind":"model".*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/out")
head -c 12 "$T/reg.db.d/models/$MODEL_SHA" | od -An -tx1 | tr -d ' \n' >"$T/head"
[ "$(cat "$T/head")" = "5a4b52514d4f440100000002" ]; ok $? "the stored model is a version 2 graph model"
expect 1 "register-model of the MLP against the LeNet program is a binding mismatch" \
  "$ZKREG" register-model "$MLP" --program 1 --calibrate "$DATA"
grep -q "program" "$T/err"; ok $? "... naming the program"
expect 0 "register-dataset" "$ZKREG" register-dataset "$DATA"
expect 0 "infer by registry IDs" "$ZKREG" --json infer --model 2 --dataset 3 --record 7 \
  --output-file "$T/out7.bin"
cp "$T/out" "$T/infer7.json"
grep -q '"ok":true,"record":7,"label":[0-9]*,"logits":\[[-0-9,]*\],"argmax":[0-9]' "$T/out"
ok $? "... prints ten logits and the argmax"
[ "$(wc -c <"$T/out7.bin")" -eq 18 ]; ok $? "... and writes the 18-byte public output"
expect 0 "infer by file" "$ZKREG" --json infer --model-file "$T/reg.db.d/models/$MODEL_SHA" \
  --dataset-file "$DATA" --record 7
cmp -s "$T/out" "$T/infer7.json"; ok $? "... prints exactly what the registry form prints"
expect 0 "eval quantizes the ONNX again and writes the model" "$ZKREG" eval --onnx "$FIX" \
  --calibrate-file "$DATA" --dataset-file "$DATA" --count 300 --write-model "$T/q1"
grep -q "agreement" "$T/out"; ok $? "eval prints the agreement"
cmp -s "$T/q1" "$T/reg.db.d/models/$MODEL_SHA"; ok $? "... the same model bytes as register-model (deterministic)"
cp "$T/q1" "$T/bad"; printf '\200' | dd of="$T/bad" bs=1 seek=$(( $(wc -c <"$T/q1") - 3 )) conv=notrunc 2>/dev/null
expect 3 "a model with a -128 weight is refused" "$ZKREG" infer --model-file "$T/bad" \
  --dataset-file "$DATA" --record 7
grep -q "weight" "$T/err"; ok $? "... naming the weight"
cat >"$T/schema.json" <<'JSON'
{"name": "fmnist-cnn", "version": 1, "proof_kind": "inference@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_index", "type": "u64"}]}
JSON
expect 0 "register-schema" "$ZKREG" register-schema "$T/schema.json"
expect 0 "statement for record 7" "$ZKREG" register-statement --schema fmnist-cnn@1 --program 1 \
  --model 2 --dataset 3 --param record_index=7 --public-output "$T/out7.bin"
expect 3 "prove refuses a graph program" "$ZKREG" prove --statement 1 -o "$T/p7" --no-sandbox
grep -q "graph (CNN) model" "$T/err"; ok $? "... with a clear error"
[ ! -e "$T/p7" ]; ok $? "... and writes no proof"
echo "1..$n"
exit $fail
