#!/bin/sh
# zkreg prove --backend and zkreg doctor's CUDA report, with the real binary
# in a temporary registry (the inference fixture of tests/infer). Without a
# device: cuda is refused (exit 3, nothing written, registry unchanged),
# auto falls back to the CPU silently with the CPU's exact bytes. With a
# device (a GPU machine): --backend cuda and auto prove in the confined
# prover-cuda worker, and --no-sandbox --backend cuda in this process, all
# with the CPU's exact bytes. TAP.
# Usage: cli_cuda.sh zkreg
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-cuda-cli.XXXXXX)
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
output_bytes() {
  logits=$(sed -n 's/.*"logits":\[\([^]]*\)\].*/\1/p' "$1")
  arg=$(sed -n 's/.*"argmax":\([0-9]*\).*/\1/p' "$1")
  cnt=$(echo "$logits" | tr ',' '\n' | wc -l)
  printf '\000\000\000'; printf "\\$(printf %03o "$cnt")"
  for v in $(echo "$logits" | tr ',' ' '); do printf "\\$(printf %03o $(( (v + 256) % 256 )))"; done
  printf '\000\000\000'; printf "\\$(printf %03o "$arg")"
}
db_sum() { sha256sum "$T/reg.db" | cut -d' ' -f1; }

expect 0 "doctor --json" "$ZKREG" --json doctor
grep -q '"cuda":{"built":' "$T/out"; ok $? "doctor reports the CUDA backend"
DEVICES=$(sed -n 's/.*"cuda":{[^}]*"devices":\([0-9]*\).*/\1/p' "$T/out")
echo "# cuda: $(sed -n 's/.*"cuda":\({[^}]*}\).*/\1/p' "$T/out")"
expect 0 "doctor (text)" "$ZKREG" doctor
grep -q '^cuda: ' "$T/out"; ok $? "doctor prints a cuda line"

(umask 077; echo "cli-cuda-test-passphrase" >"$T/pass")
expect 0 "init" "$ZKREG" init --passphrase-file "$T/pass" --kdf interactive
expect 0 "register-program" "$ZKREG" register-program "$FIX"
expect 0 "register-model" "$ZKREG" --json register-model "$FIX" --program 1 --calibrate "$DATA"
MODEL_SHA=$(sed -n 's/.*"kind":"model".*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/out")
expect 0 "register-dataset" "$ZKREG" register-dataset "$DATA"
cat >"$T/schema.json" <<'JSON'
{"name": "fmnist-infer", "version": 1, "proof_kind": "inference@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_index", "type": "u64"}]}
JSON
expect 0 "register-schema" "$ZKREG" register-schema "$T/schema.json"
"$ZKREG" --json infer --model-file "$T/reg.db.d/models/$MODEL_SHA" --dataset-file "$DATA" \
  --record 7 >"$T/infer7.json" 2>/dev/null
output_bytes "$T/infer7.json" >"$T/out7.bin"
expect 0 "statement for record 7" "$ZKREG" register-statement --schema fmnist-infer@1 --program 1 \
  --model 2 --dataset 3 --param record_index=7 --public-output "$T/out7.bin"

expect 0 "prove --backend cpu" "$ZKREG" prove --statement 1 -o "$T/p-cpu" --backend cpu
expect 2 "prove --backend gpu: usage" "$ZKREG" prove --statement 1 -o "$T/p-bad" --backend gpu
grep -q "expected auto, cpu or cuda" "$T/err"; ok $? "... names the choices"
[ ! -e "$T/p-bad" ]; ok $? "... and writes no proof"
before=$(db_sum)
if [ "${DEVICES:-0}" -eq 0 ]; then
  expect 3 "no device: prove --backend cuda is refused" "$ZKREG" prove --statement 1 \
    -o "$T/p-cuda" --backend cuda
  grep -q "no usable CUDA device" "$T/err"; ok $? "... saying there is no usable device"
  [ ! -e "$T/p-cuda" ]; ok $? "... no proof written"
  [ "$(db_sum)" = "$before" ]; ok $? "... registry unchanged"
  expect 3 "no device: --no-sandbox --backend cuda is refused too" "$ZKREG" prove --statement 1 \
    -o "$T/p-cuda" --backend cuda --no-sandbox
  expect 0 "no device: prove (default auto) falls back to the CPU" "$ZKREG" prove --statement 1 \
    -o "$T/p-auto"
  [ ! -s "$T/err" ]; ok $? "... silently"
  cmp -s "$T/p-auto" "$T/p-cpu"; ok $? "... with the CPU's exact bytes"
else
  expect 0 "device present: --backend cuda proves in the prover-cuda worker" "$ZKREG" prove \
    --statement 1 -o "$T/p-cuda" --backend cuda
  cmp -s "$T/p-cuda" "$T/p-cpu"; ok $? "... the CPU's exact bytes"
  expect 0 "device present: --no-sandbox --backend cuda proves on the GPU" "$ZKREG" prove \
    --statement 1 -o "$T/p-cuda-ns" --backend cuda --no-sandbox
  cmp -s "$T/p-cuda-ns" "$T/p-cpu"; ok $? "... the CPU's exact bytes"
  expect 0 "device present: auto proves on the GPU in the sandbox" "$ZKREG" prove --statement 1 \
    -o "$T/p-auto"
  cmp -s "$T/p-auto" "$T/p-cpu"; ok $? "... the CPU's exact bytes"
fi
expect 0 "the CPU proof verifies" "$ZKREG" verify --statement 1 "$T/p-cpu"
# The prover-cuda worker itself, confined (test builds: __sandbox-test runs any
# kind): it opens the device in its preparation, before Landlock and seccomp.
# The CPU worker refuses a cuda request, and the GPU worker a cpu one.
if "$ZKREG" __sandbox-test sha256 x >/dev/null 2>&1; then
  if [ "${DEVICES:-0}" -eq 0 ]; then
    expect 3 "no device: the confined prover-cuda worker refuses before reading its request" \
      "$ZKREG" __sandbox-test prove-cuda x
    grep -q "no usable CUDA device" "$T/err"; ok $? "... saying there is no usable device"
  fi
  expect 3 "the prove worker refuses a malformed request (exit 3, not a kill)" \
    "$ZKREG" __sandbox-test prove x
fi
echo "1..$n"
exit $fail
