#!/bin/sh
# zkreg prove / verify / attest for evaluation@1 end to end in a temporary
# registry: the shipped ONNX fixture and Fashion-MNIST t10k, an
# evaluation@1 schema with a record range, statements whose public output
# is the number correct from `zkreg eval`, then prove -> verify ok,
# deterministic bytes, a count off by one refused by the prover, a proof
# for records 0..199 refused for 0..99, tampered and truncated proofs,
# attest signing the verified statement and refusing a laundered proof
# with the reason. TAP. Usage: cli_eval.sh zkreg
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-eval-cli.XXXXXX)
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
be64() { # value -> 8 bytes big-endian
  v=$1; i=7
  while [ $i -ge 0 ]; do printf "\\$(printf %03o $(( (v >> (8 * i)) & 255 )))"; i=$((i - 1)); done
}
# The evaluation public output: u8 mode | u64 count | u64 value (docs/formats.md).
eval_output() { printf "\\$(printf %03o "$1")"; be64 "$2"; be64 "$3"; }
correct_of() { # first count -> the number correct, by native evaluation
  "$ZKREG" --json eval --model 2 --dataset 3 --first "$1" --count "$2" 2>/dev/null |
    sed -n 's/.*"quantized_correct":\([0-9]*\).*/\1/p'
}

(umask 077; echo "cli-eval-test-passphrase" >"$T/pass"; echo "cli-eval-key-pass" >"$T/keypass")
R="--registry-passphrase-file $T/pass"
expect 0 "init" "$ZKREG" init --passphrase-file "$T/pass" --kdf interactive
expect 0 "register-program from ONNX" "$ZKREG" register-program "$FIX"
expect 0 "register-model from ONNX" "$ZKREG" register-model "$FIX" --program 1 --calibrate "$DATA"
expect 0 "register-dataset" "$ZKREG" register-dataset "$DATA"
cat >"$T/schema.json" <<'JSON'
{"name": "fmnist-eval", "version": 1, "proof_kind": "evaluation@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_first", "type": "u64"}, {"name": "record_count", "type": "u64"}]}
JSON
expect 0 "register-schema evaluation@1" "$ZKREG" register-schema "$T/schema.json"
C200=$(correct_of 0 200)
C100=$(correct_of 0 100)
[ -n "$C200" ] && [ -n "$C100" ]; ok $? "native evaluation: $C200 of 200, $C100 of 100 correct"
eval_output 0 200 "$C200" >"$T/o200.bin"
eval_output 0 100 "$C100" >"$T/o100.bin"
eval_output 0 200 $((C200 + 1)) >"$T/o200plus.bin"
eval_output 1 200 $((C200 - 5)) >"$T/o200tau.bin"
[ "$(wc -c <"$T/o200.bin")" -eq 17 ]; ok $? "the evaluation output is 17 bytes"
expect 0 "eval --output-file writes the public output" "$ZKREG" eval --model 2 --dataset 3 \
  --first 0 --count 200 --output-file "$T/o200z.bin"
cmp -s "$T/o200.bin" "$T/o200z.bin"; ok $? "... byte for byte the documented encoding"
expect 0 "eval --output-file --threshold" "$ZKREG" eval --model 2 --dataset 3 --first 0 \
  --count 200 --output-file "$T/o200tz.bin" --threshold $((C200 - 5))
cmp -s "$T/o200tau.bin" "$T/o200tz.bin"; ok $? "... the threshold encoding"
expect 1 "eval --threshold above the number correct is refused" "$ZKREG" eval --model 2 \
  --dataset 3 --first 0 --count 200 --output-file "$T/o200no.bin" --threshold $((C200 + 1))
[ ! -e "$T/o200no.bin" ]; ok $? "... and writes no file"
reg_stmt() { # first count output -> statement id
  "$ZKREG" register-statement --schema fmnist-eval@1 --program 1 --model 2 --dataset 3 \
    --param record_first="$1" --param record_count="$2" --public-output "$3" 2>"$T/err" | tail -1
}
S1=$(reg_stmt 0 200 "$T/o200.bin")
S2=$(reg_stmt 0 100 "$T/o100.bin")
S3=$(reg_stmt 0 200 "$T/o200plus.bin")
S4=$(reg_stmt 0 200 "$T/o200tau.bin")
[ ${#S1} -eq 64 ] && [ ${#S2} -eq 64 ] && [ ${#S3} -eq 64 ] && [ ${#S4} -eq 64 ]
ok $? "four evaluation statements registered"

expect 0 "prove records 0..199" "$ZKREG" --json prove --statement "$S1" -o "$T/p1"
grep -q "\"correct\":$C200" "$T/out"; ok $? "... reports $C200 correct and the time per record"
expect 0 "verify it" "$ZKREG" --json verify --statement "$S1" "$T/p1"
grep -q '"kind":"evaluation@1"' "$T/out" && grep -q "\"correct\":$C200" "$T/out"
ok $? "verify names evaluation@1 and the proven count"
expect 0 "prove again" "$ZKREG" prove --statement "$S1" -o "$T/p1b"
cmp -s "$T/p1" "$T/p1b"; ok $? "the proof bytes are identical on a second run"
expect 1 "a count off by one cannot be proven" "$ZKREG" prove --statement "$S3" -o "$T/p3"
grep -q "output\|right" "$T/err"; ok $? "... the refusal names the output"
[ ! -e "$T/p3" ]; ok $? "... and no proof is written"
expect 1 "the proof of 0..199 presented for the off-by-one statement" \
  "$ZKREG" verify --statement "$S3" "$T/p1"
expect 1 "the proof of records 0..199 presented for records 0..99" \
  "$ZKREG" verify --statement "$S2" "$T/p1"
grep -q "statement" "$T/err"; ok $? "... names the statement mismatch"
expect 0 "a threshold statement (correct >= $((C200 - 5))) proves" \
  "$ZKREG" prove --statement "$S4" -o "$T/p4"
expect 0 "... and verifies" "$ZKREG" verify --statement "$S4" "$T/p4"
cp "$T/p1" "$T/bad"; printf 'Z' | dd of="$T/bad" bs=1 seek=60000 conv=notrunc 2>/dev/null
expect 1 "a tampered proof is rejected" "$ZKREG" verify --statement "$S1" "$T/bad"
head -c 5000 "$T/p1" >"$T/trunc"
expect 3 "a truncated proof is malformed" "$ZKREG" verify --statement "$S1" "$T/trunc"
expect 1 "proving from another dataset file than the registered one" "$ZKREG" prove \
  --statement "$S1" -o "$T/px" --dataset-file /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
grep -q "dataset" "$T/err"; ok $? "... names the dataset mismatch"

expect 0 "key generate ed25519" "$ZKREG" key generate --type ed25519 -o "$T/ed.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key register" "$ZKREG" key register "file:$T/ed.key"
expect 0 "attest the verified evaluation" "$ZKREG" attest --statement "$S1" --proof "$T/p1" \
  --key "file:$T/ed.key" -o "$T/s1.att" --passphrase-file "$T/keypass" $R
expect 1 "attest refuses the proof laundered to records 0..99" "$ZKREG" attest --statement "$S2" \
  --proof "$T/p1" --key "file:$T/ed.key" -o "$T/l.att" --passphrase-file "$T/keypass" $R
grep -q "input mismatch" "$T/err"; ok $? "... with reason 'input mismatch'"
expect 1 "attest refuses the proof laundered to the off-by-one count" "$ZKREG" attest \
  --statement "$S3" --proof "$T/p1" --key "file:$T/ed.key" -o "$T/l.att" \
  --passphrase-file "$T/keypass" $R
grep -q "output mismatch" "$T/err"; ok $? "... with reason 'output mismatch'"
[ ! -e "$T/l.att" ]; ok $? "... and no attestation file exists"
sed 's/"version": 1/"version": 2/' "$T/schema.json" >"$T/schema2.json"
expect 0 "register-schema fmnist-eval@2" "$ZKREG" register-schema "$T/schema2.json"
S5=$("$ZKREG" register-statement --schema fmnist-eval@2 --program 1 --model 2 --dataset 3 \
  --param record_first=0 --param record_count=200 --public-output "$T/o200.bin" 2>/dev/null | tail -1)
expect 1 "attest refuses the proof laundered to the same facts under another schema" \
  "$ZKREG" attest --statement "$S5" --proof "$T/p1" --key "file:$T/ed.key" -o "$T/l.att" \
  --passphrase-file "$T/keypass" $R
grep -q "schema mismatch" "$T/err"; ok $? "... with reason 'schema mismatch'"
cat >"$T/ischema.json" <<'JSON'
{"name": "fmnist-infer", "version": 1, "proof_kind": "inference@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_index", "type": "u64"}]}
JSON
expect 0 "register-schema inference@1" "$ZKREG" register-schema "$T/ischema.json"
printf '\000\000\000\012\001\002\003\004\005\006\007\010\011\012\000\000\000\011' >"$T/iout.bin"
expect 0 "infer --output-file writes the inference@1 public output" "$ZKREG" infer --model 2 \
  --dataset 3 --record 0 --output-file "$T/i0.bin"
[ "$(wc -c <"$T/i0.bin")" -eq 18 ]; ok $? "... 18 bytes for 10 logits"
S7=$("$ZKREG" register-statement --schema fmnist-infer@1 --program 1 --model 2 --dataset 3 \
  --param record_index=0 --public-output "$T/i0.bin" 2>/dev/null | tail -1)
expect 0 "... and the statement it binds proves" "$ZKREG" prove --statement "$S7" -o "$T/pi0"
S6=$("$ZKREG" register-statement --schema fmnist-infer@1 --program 1 --model 2 --dataset 3 \
  --param record_index=0 --public-output "$T/iout.bin" 2>/dev/null | tail -1)
expect 1 "the evaluation proof presented for an inference@1 statement" \
  "$ZKREG" verify --statement "$S6" "$T/p1"
grep -q "kind\|statement" "$T/err"; ok $? "... names the mismatch"
# Adversary pins (docs/soundness.md, "evaluation@1"): the kinds crossed at
# attest, a single-record range at the right edge of a 10,000-leaf tree,
# ranges past the end or wrapping 2^64, an empty range, the verifier pin.
expect 1 "attest refuses the evaluation proof for an inference@1 statement" "$ZKREG" attest \
  --statement "$S7" --proof "$T/p1" --key "file:$T/ed.key" -o "$T/l.att" \
  --passphrase-file "$T/keypass" $R
expect 1 "the inference@1 proof presented for the evaluation statement" \
  "$ZKREG" verify --statement "$S1" "$T/pi0"
expect 1 "attest refuses the inference@1 proof for the evaluation statement" "$ZKREG" attest \
  --statement "$S1" --proof "$T/pi0" --key "file:$T/ed.key" -o "$T/l.att" \
  --passphrase-file "$T/keypass" $R
[ ! -e "$T/l.att" ]; ok $? "... and no attestation file exists"
CL=$(correct_of 9999 1)
eval_output 0 1 "$CL" >"$T/olast.bin"
SL=$(reg_stmt 9999 1 "$T/olast.bin")
expect 0 "the last record alone (9999..9999 of 10000) proves" "$ZKREG" prove --statement "$SL" \
  -o "$T/plast"
expect 0 "... and verifies" "$ZKREG" verify --statement "$SL" "$T/plast"
eval_output 0 1 $((1 - CL)) >"$T/olastno.bin"
SLN=$(reg_stmt 9999 1 "$T/olastno.bin")
expect 1 "... the other count for it is refused by the prover" "$ZKREG" prove --statement "$SLN" \
  -o "$T/pno"
expect 1 "... and its proof presented for the other count" "$ZKREG" verify --statement "$SLN" \
  "$T/plast"
eval_output 0 2 0 >"$T/o2.bin"
SP=$(reg_stmt 9999 2 "$T/o2.bin")
expect 1 "records 9999..10000 (past the end) cannot be proven" "$ZKREG" prove --statement "$SP" \
  -o "$T/pp"
grep -q "10000 records" "$T/err"; ok $? "... the refusal names the dataset size"
SW=$(reg_stmt 18446744073709551615 2 "$T/o2.bin")
[ ${#SW} -eq 64 ]; ok $? "a statement for records 2^64-1..+2 registers (the range is checked at prove/verify)"
expect 1 "records 2^64-1..+2 (first + count wraps) cannot be proven" "$ZKREG" prove \
  --statement "$SW" -o "$T/pp"
grep -q "dataset has 10000 records" "$T/err"; ok $? "... the refusal names the dataset size"
eval_output 0 0 0 >"$T/o0.bin"
SZ=$(reg_stmt 0 0 "$T/o0.bin")
[ ${#SZ} -eq 64 ]; ok $? "a statement for an empty range registers"
expect 1 "an empty range (record_count 0) cannot be proven" "$ZKREG" prove --statement "$SZ" \
  -o "$T/pp"
grep -q "empty range" "$T/err"; ok $? "... the refusal names the empty range"
[ ! -e "$T/pp" ]; ok $? "... and no proof is written"
sed 's/"version": 1/"version": 3/; s/"verifier_version": "0.2.0"/"verifier_version": "0.1.0"/' \
  "$T/schema.json" >"$T/schema3.json"
expect 3 "register-schema refuses fmnist-eval@3 pinning verifier 0.1.0" "$ZKREG" register-schema \
  "$T/schema3.json"
grep -q "pins verifier version 0.1.0" "$T/err"; ok $? "... naming the pinned version"
# Placed as an import from an older registry would bring it (test hook), to test the later refusals.
expect 0 "(test hook) fmnist-eval@3 pinning verifier 0.1.0 placed" \
  env ZKREG_TEST_REGISTER_ANY_SET=1 "$ZKREG" register-schema "$T/schema3.json"
SV=$("$ZKREG" register-statement --schema fmnist-eval@3 --program 1 --model 2 --dataset 3 \
  --param record_first=9999 --param record_count=1 --public-output "$T/olast.bin" 2>/dev/null |
  tail -1)
expect 0 "a statement pinning verifier 0.1.0 proves (the pin binds the verifier)" "$ZKREG" prove \
  --statement "$SV" -o "$T/pv"
expect 1 "... this verifier refuses to verify it" "$ZKREG" verify --statement "$SV" "$T/pv"
grep -q "0.1.0" "$T/err"; ok $? "... naming the pinned version"
expect 1 "... and to attest it" "$ZKREG" attest --statement "$SV" --proof "$T/pv" \
  --key "file:$T/ed.key" -o "$T/l.att" --passphrase-file "$T/keypass" $R
[ ! -e "$T/l.att" ]; ok $? "... and no attestation file exists"
# The dataset file the verifier reads changes after registration (the
# store's .path names a copy that is replaced by another dataset): verify
# and attest refuse; the records the worker uses are rebound to the
# registered root by the verifier itself, so no later swap can pass.
mkdir "$T/ds" && cp /usr/share/datasets/fashion-mnist/t10k-*-idx*-ubyte.gz "$T/ds/"
expect 0 "re-registering the dataset from a copy" "$ZKREG" register-dataset \
  "$T/ds/t10k-images-idx3-ubyte.gz"
expect 0 "... the last-record proof verifies against the copy" "$ZKREG" verify --statement "$SL" \
  "$T/plast"
cp /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz "$T/ds/t10k-images-idx3-ubyte.gz"
cp /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz "$T/ds/t10k-labels-idx1-ubyte.gz"
expect 1 "the copy replaced by another dataset: verify refuses" "$ZKREG" verify --statement "$SL" \
  "$T/plast"
grep -q "dataset" "$T/err"; ok $? "... naming the dataset"
expect 1 "... and attest refuses" "$ZKREG" attest --statement "$SL" --proof "$T/plast" \
  --key "file:$T/ed.key" -o "$T/l.att" --passphrase-file "$T/keypass" $R
[ ! -e "$T/l.att" ]; ok $? "... and no attestation file exists"
echo "1..$n"
exit $fail
