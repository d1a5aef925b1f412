#!/bin/bash
# register-statement --public-output-from-model and the gate's
# require_evaluation through the real zkreg binary, on two 40-record IDX
# datasets cut from Fashion-MNIST t10k and the shipped 784-128-10 ONNX
# fixture: the bound output equals `zkreg eval/infer --output-file` and
# the statement proves and verifies; refusals leave the registry file
# byte-for-byte unchanged. The gate passes a release with a signed
# evaluation attestation of its model over the whole dataset proving >= K
# correct, and refuses another model, another dataset, a partial range, a
# smaller tau, an inference@1 attestation, a revoked key, a tampered
# statement row, a tampered attestation, evidence without the registry.
# TAP. Usage: cli_gate_eval.sh zkreg
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
FM=/usr/share/datasets/fashion-mnist
T=$(mktemp -d /tmp/zkr-gate-eval.XXXXXX)
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
# Refused and the registry file unchanged.
refuse() {
  want=$1; what=$2; shift 2
  before=$(sha256sum <"$T/reg.db")
  expect "$want" "$what" "$@"
  [ "$(sha256sum <"$T/reg.db")" = "$before" ]; ok $? "... the registry file is unchanged"
}
be32() { printf "\\$(printf %03o $(( ($1 >> 24) & 255 )))\\$(printf %03o $(( ($1 >> 16) & 255 )))\\$(printf %03o $(( ($1 >> 8) & 255 )))\\$(printf %03o $(( $1 & 255 )))"; }
cut_idx() { # first count name -> $T/name-{images-idx3,labels-idx1}-ubyte
  { printf '\000\000\010\003'; be32 "$2"; be32 28; be32 28
    zcat "$FM/t10k-images-idx3-ubyte.gz" | tail -c +$((17 + $1 * 784)) | head -c $(($2 * 784)); } \
    >"$T/$3-images-idx3-ubyte"
  { printf '\000\000\010\001'; be32 "$2"
    zcat "$FM/t10k-labels-idx1-ubyte.gz" | tail -c +$((9 + $1)) | head -c "$2"; } \
    >"$T/$3-labels-idx1-ubyte"
}
cut_idx 0 40 small
cut_idx 40 40 other
cut_idx 80 40 third

(umask 077; echo "gate-eval-test-passphrase" >"$T/pass"; echo "gate-eval-key-pass" >"$T/keypass")
R="--registry-passphrase-file $T/pass"
expect 0 "init" "$ZKREG" init --passphrase-file "$T/pass" --kdf interactive
expect 0 "register-program" "$ZKREG" register-program "$FIX"
expect 0 "register-model (calibrated on t10k)" "$ZKREG" register-model "$FIX" --program 1 \
  --calibrate "$FM/t10k-images-idx3-ubyte.gz"
expect 0 "register-dataset small (40 records)" "$ZKREG" register-dataset "$T/small-images-idx3-ubyte"
expect 0 "register-dataset other (40 records)" "$ZKREG" register-dataset "$T/other-images-idx3-ubyte"
expect 0 "register-dataset third (40 records)" "$ZKREG" register-dataset "$T/third-images-idx3-ubyte"
expect 0 "register-model (calibrated on the small set: another model of the program)" \
  "$ZKREG" register-model "$FIX" --program 1 --calibrate 3
DSHA=$("$ZKREG" --json show dataset 3 | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p')
[ ${#DSHA} -eq 64 ]; ok $? "the small dataset's sha256"
schema() { # name kind public_output fields
  printf '{"name":"%s","version":1,"proof_kind":"%s","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":%s,"fields":[%s]}\n' \
    "$1" "$2" "$3" "$4" >"$T/$1.json"
  "$ZKREG" register-schema "$T/$1.json" >/dev/null 2>&1
}
RANGE='{"name":"record_first","type":"u64"},{"name":"record_count","type":"u64"}'
schema ev evaluation@1 true "$RANGE"; ok $? "register-schema ev (evaluation@1)"
schema inf inference@1 true '{"name":"record_index","type":"u64"}'; ok $? "register-schema inf (inference@1)"
schema nop inference@1 false '{"name":"record_index","type":"u64"}'; ok $? "register-schema nop (no public output)"
stmt() { # model dataset first count [extra...] -> statement id on stdout
  m=$1 d=$2 f=$3 c=$4; shift 4
  "$ZKREG" register-statement --schema ev@1 --program 1 --model "$m" --dataset "$d" \
    --param record_first="$f" --param record_count="$c" --public-output-from-model "$@"
}

# ---- register-statement --public-output-from-model ----------------------
C=$("$ZKREG" --json eval --model 2 --dataset 3 --output-file "$T/eval.bin" |
  sed -n 's/.*"quantized_correct":\([0-9]*\).*/\1/p')
[ -n "$C" ] && [ "$C" -ge 5 ]; ok $? "native evaluation: $C of 40 correct"
expect 0 "register-statement --public-output-from-model (evaluation@1, all 40 records)" \
  stmt 2 3 0 40
E1=$(tail -1 "$T/out")
grep -q "correct $C of 40 (records 0..39)" "$T/err"; ok $? "... prints the bound claim"
HEX=$(od -An -tx1 "$T/eval.bin" | tr -d ' \n')
grep -q "bound public output $HEX" "$T/err"; ok $? "... and the bound bytes, equal to eval --output-file's"
"$ZKREG" --json show statement "$E1" >"$T/show" 2>&1
grep -q "$(sha256sum "$T/eval.bin" | cut -c1-64)" "$T/show"; ok $? "... the statement binds those bytes"
expect 0 "the statement proves" "$ZKREG" prove --statement "$E1" -o "$T/e1.proof"
grep -q "correct:   $C" "$T/out"; ok $? "... with $C correct"
expect 0 "... and verifies" "$ZKREG" verify --statement "$E1" "$T/e1.proof"
expect 0 "--json prints the bound output in the object" "$ZKREG" --json register-statement \
  --schema ev@1 --program 1 --model 2 --dataset 3 --param record_first=0 \
  --param record_count=40 --public-output-from-model
grep -q "\"public_output_hex\":\"$HEX\"" "$T/out" && grep -q '"existed":true' "$T/out"
ok $? "... (an identical re-registration, existed)"
TAU=$((C - 2))
"$ZKREG" eval --model 2 --dataset 3 --output-file "$T/tau.bin" --threshold "$TAU" >/dev/null
expect 0 "--threshold $TAU binds the threshold form" stmt 2 3 0 40 --threshold "$TAU"
E2=$(tail -1 "$T/out")
grep -q "bound public output $(od -An -tx1 "$T/tau.bin" | tr -d ' \n')" "$T/err" &&
  grep -q "correct >= $TAU of 40" "$T/err"
ok $? "... equal to eval --output-file --threshold's bytes"
expect 0 "... and proves" "$ZKREG" prove --statement "$E2" -o "$T/e2.proof"
refuse 1 "--threshold above the number correct" stmt 2 3 0 40 --threshold $((C + 1))
grep -q "below the threshold" "$T/err"; ok $? "... names the threshold"
refuse 3 "--threshold above the range's records" stmt 2 3 0 40 --threshold 41
refuse 2 "with --public-output FILE too" stmt 2 3 0 40 --public-output "$T/eval.bin"
refuse 2 "--threshold without --public-output-from-model" "$ZKREG" register-statement \
  --schema ev@1 --program 1 --model 2 --dataset 3 --param record_first=0 --param record_count=40 \
  --threshold 3
refuse 3 "a range past the end of the dataset" stmt 2 3 30 20
grep -q "the dataset has 40 records" "$T/err"; ok $? "... names the dataset size"
refuse 3 "an empty range" stmt 2 3 0 0
refuse 3 "a schema without public output" "$ZKREG" register-statement --schema nop@1 --program 1 \
  --model 2 --dataset 3 --param record_index=0 --public-output-from-model
grep -q "binds no public output" "$T/err"; ok $? "... names it"
refuse 2 "--threshold for inference@1" "$ZKREG" register-statement --schema inf@1 --program 1 \
  --model 2 --dataset 3 --param record_index=0 --public-output-from-model --threshold 1
refuse 4 "an unknown model" stmt 99 3 0 40
refuse 2 "--threshold 0 (claims nothing)" stmt 2 3 0 40 --threshold 0
# eval / infer --output-file edges: no file on any refusal.
expect 4 "eval --output-file over an empty range (first = the record count)" "$ZKREG" eval \
  --model 2 --dataset 3 --first 40 --output-file "$T/none.bin"
grep -q "empty range" "$T/err"; ok $? "... names the empty range"
expect 4 "eval --output-file past the end" "$ZKREG" eval --model 2 --dataset 3 --first 30 \
  --count 20 --output-file "$T/none.bin"
expect 2 "eval --threshold 0" "$ZKREG" eval --model 2 --dataset 3 --output-file "$T/none.bin" \
  --threshold 0
expect 2 "eval --threshold without --output-file" "$ZKREG" eval --model 2 --dataset 3 --threshold 1
expect 4 "infer --output-file past the end" "$ZKREG" infer --model 2 --dataset 3 --record 40 \
  --output-file "$T/none.bin"
[ ! -e "$T/none.bin" ]; ok $? "... none of them wrote a file"
"$ZKREG" infer --model 2 --dataset 3 --record 7 --output-file "$T/inf7.bin" >/dev/null
expect 0 "inference@1 from the model (record 7)" "$ZKREG" register-statement --schema inf@1 \
  --program 1 --model 2 --dataset 3 --param record_index=7 --public-output-from-model
I7=$(tail -1 "$T/out")
grep -q "bound public output $(od -An -tx1 "$T/inf7.bin" | tr -d ' \n')" "$T/err"
ok $? "... the bytes infer --output-file writes"
expect 0 "... and proves" "$ZKREG" prove --statement "$I7" -o "$T/i7.proof"

# ---- the gate's require_evaluation --------------------------------------
expect 0 "key generate ed25519" "$ZKREG" key generate --type ed25519 -o "$T/ed.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key generate secp256k1" "$ZKREG" key generate --type secp256k1 -o "$T/k1.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key register ed25519" "$ZKREG" key register "file:$T/ed.key"
expect 0 "key register secp256k1" "$ZKREG" key register "file:$T/k1.key"
ED_PUB=$("$ZKREG" key public "file:$T/ed.key" | head -1)
K1_PUB=$("$ZKREG" key public "file:$T/k1.key" | head -1)
attest() { # statement proof out [key]
  "$ZKREG" attest --statement "$1" --proof "$2" --key "file:$T/${4:-ed}.key" -o "$T/$3" \
    --passphrase-file "$T/keypass" $R >"$T/out" 2>"$T/err"
}
attest "$I7" "$T/i7.proof" rel.att; ok $? "attest the release (inference@1 of model 2)"
attest "$E1" "$T/e1.proof" e1.att; ok $? "attest the evaluation (exact, all records)"
attest "$E2" "$T/e2.proof" e2.att; ok $? "attest the evaluation (correct >= $TAU)"
E3=$(stmt 2 3 0 20 2>/dev/null)
"$ZKREG" prove --statement "$E3" -o "$T/e3.proof" >/dev/null 2>&1 &&
  attest "$E3" "$T/e3.proof" e3.att; ok $? "attest an evaluation of records 0..19 only"
E4=$(stmt 2 4 0 40 2>/dev/null)
"$ZKREG" prove --statement "$E4" -o "$T/e4.proof" >/dev/null 2>&1 &&
  attest "$E4" "$T/e4.proof" e4.att; ok $? "attest an evaluation on another dataset"
E5=$(stmt 6 3 0 40 2>/dev/null)
"$ZKREG" prove --statement "$E5" -o "$T/e5.proof" >/dev/null 2>&1 &&
  attest "$E5" "$T/e5.proof" e5.att; ok $? "attest an evaluation of another model"
attest "$E1" "$T/e1.proof" e1k.att k1; ok $? "attest the evaluation with the secp256k1 key"
policy() { # min_correct [range json] -> $T/policy.json
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s","%s"],"threshold":1,"schemas":["inf@1","ev@*"],"max_age_seconds":100000000,"require_log_inclusion":true,"check_revocation":true,"require_evaluation":{"dataset":"%s","min_correct":%s%s}}\n' \
    "$ED_PUB" "$K1_PUB" "$DSHA" "$1" "${2:-}" >"$T/policy.json"
}
G="$ZKREG gate --policy $T/policy.json"
policy "$C"
expect 0 "gate: release + evaluation proving $C >= $C correct passes" \
  $G --evaluation "$T/e1.att" "$T/rel.att"
grep -q "evaluation: exactly $C of 40 correct (records 0..+40), $C required" "$T/out"
ok $? "... and says what the evaluation proved"
expect 0 "gate --json reports the evaluation" "$ZKREG" --json gate --policy "$T/policy.json" \
  --evaluation "$T/e1.att" "$T/rel.att"
grep -q "\"evaluation\":{\"claim\":\"exact\",\"correct\":$C,\"first\":0,\"records\":40,\"statement\":\"$E1\"}" "$T/out"
ok $? "... claim, count, range and statement"
expect 1 "gate: no evaluation attestation fails" $G "$T/rel.att"
grep -q "rule 'evaluation'" "$T/err"; ok $? "... rule 'evaluation'"
policy $((C + 1))
expect 1 "gate: min_correct above the proven count fails" $G --evaluation "$T/e1.att" "$T/rel.att"
grep -q "requires at least $((C + 1))" "$T/err"; ok $? "... naming both numbers"
policy "$TAU"
expect 0 "gate: 'correct >= $TAU' meets min_correct $TAU" $G --evaluation "$T/e2.att" "$T/rel.att"
policy $((TAU + 1))
expect 1 "gate: 'correct >= $TAU' does not meet min_correct $((TAU + 1))" \
  $G --evaluation "$T/e2.att" "$T/rel.att"
policy 1
expect 1 "gate: an evaluation of records 0..19 is not the whole dataset" \
  $G --evaluation "$T/e3.att" "$T/rel.att"
grep -q "covers records 0..+20" "$T/err"; ok $? "... names the range"
policy 1 ',"record_first":0,"record_count":20'
expect 0 "gate: ... but passes a policy that names that range" \
  $G --evaluation "$T/e3.att" "$T/rel.att"
expect 1 "gate: ... and then refuses the whole-dataset evaluation" \
  $G --evaluation "$T/e1.att" "$T/rel.att"
policy 1
expect 1 "gate: an evaluation on another dataset fails" $G --evaluation "$T/e4.att" "$T/rel.att"
grep -q "dataset" "$T/err"; ok $? "... names the dataset"
expect 1 "gate: an evaluation of another model fails" $G --evaluation "$T/e5.att" "$T/rel.att"
grep -q "model" "$T/err"; ok $? "... names the model"
expect 1 "gate: an inference@1 attestation as the evaluation fails" \
  $G --evaluation "$T/rel.att" "$T/rel.att"
grep -q "inference@1, not evaluation@1" "$T/err"; ok $? "... names the kind"
cp "$T/e1.att" "$T/bad.att"
sed -i 's/"payload":"\(.\)/"payload":"A\1/' "$T/bad.att"
expect 3 "gate: a tampered evaluation attestation fails" $G --evaluation "$T/bad.att" "$T/rel.att"
sed 's/,"require_evaluation":{[^}]*}//' "$T/policy.json" >"$T/plain.json"
expect 2 "gate: --evaluation with a policy without require_evaluation is refused" \
  "$ZKREG" gate --policy "$T/plain.json" --evaluation "$T/e1.att" "$T/rel.att"
expect 0 "log evidence" "$ZKREG" log evidence "$T/rel.att" "$T/e1.att" -o "$T/ev.json"
expect 1 "gate: with --evidence only, require_evaluation fails closed" \
  env ZKREG_REGISTRY="$T/none.db" $G --evidence "$T/ev.json" --evaluation "$T/e1.att" "$T/rel.att"
grep -q "only the registry" "$T/err"; ok $? "... saying why"
for bad in '"min_correct":0' '"min_correct":1,"colour":1' '"min_correct":1,"record_first":0' \
           '"min_correct":50,"record_first":0,"record_count":40' '"min_correct":-1'; do
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["ev@*"],"max_age_seconds":1,"require_log_inclusion":true,"check_revocation":true,"require_evaluation":{"dataset":"%s",%s}}\n' \
    "$ED_PUB" "$DSHA" "$bad" >"$T/badpol.json"
  expect 3 "policy require_evaluation {$bad} is refused" "$ZKREG" gate --policy "$T/badpol.json" \
    --evaluation "$T/e1.att" "$T/rel.att"
done
# An insider edits the statement row in the registry file (append-only
# triggers dropped) to claim a higher count: the row no longer matches the
# log leaf that registered it.
cp "$T/reg.db" "$T/edit.db"
sqlite3 "$T/edit.db" "DROP TRIGGER IF EXISTS statement_no_update; UPDATE statement SET public_output = X'0000000000000000280000000000000028' WHERE hex(statement_id) = upper('$E1')"
ok $? "edit the evaluation statement's public output to 40 of 40 in a copy"
policy 40
expect 9 "gate: the edited statement row is refused" env ZKREG_REGISTRY="$T/edit.db" \
  $G --evaluation "$T/e1.att" "$T/rel.att"
# ---- adversarial attempts (each refusal beside its passing twin) ---------
# Only the dataset row's record_count is edited (to 20): a 0..+20 evaluation
# would then look like the whole dataset, but the row disagrees with its leaf.
policy 1
cp "$T/reg.db" "$T/edit2.db"
sqlite3 "$T/edit2.db" "DROP TRIGGER IF EXISTS artifact_no_update; UPDATE artifact SET record_count = 20 WHERE id = 3"
ok $? "edit the small dataset's record_count to 20 in a copy"
expect 9 "gate: a partial evaluation over an edited dataset row is refused" \
  env ZKREG_REGISTRY="$T/edit2.db" $G --evaluation "$T/e3.att" "$T/rel.att"
attest "$I7" "$T/i7.proof" relk.att k1; ok $? "attest the release with the secp256k1 key too"
sed 's/"threshold":1/"threshold":2/' "$T/policy.json" >"$T/th2.json"
expect 1 "gate threshold 2: one evaluation attestation given twice counts one key" \
  "$ZKREG" gate --policy "$T/th2.json" --evaluation "$T/e1.att" --evaluation "$T/e1.att" \
  "$T/rel.att" "$T/relk.att"
grep -q "rule 'threshold'" "$T/err"; ok $? "... rule 'threshold'"
expect 0 "gate threshold 2: the evaluation by both keys passes" \
  "$ZKREG" gate --policy "$T/th2.json" --evaluation "$T/e1.att" --evaluation "$T/e1k.att" \
  "$T/rel.att" "$T/relk.att"
expect 1 "gate threshold 2: evaluations of two statements (exact, >= tau) are not one claim" \
  "$ZKREG" gate --policy "$T/th2.json" --evaluation "$T/e1.att" --evaluation "$T/e2.att" \
  "$T/rel.att" "$T/relk.att"
grep -q "rule 'same-statement'" "$T/err"; ok $? "... rule 'same-statement'"
sed "s|,\"$K1_PUB\"||" "$T/policy.json" >"$T/edonly.json"
expect 1 "gate: an evaluation signed only by a key the policy does not trust" \
  "$ZKREG" gate --policy "$T/edonly.json" --evaluation "$T/e1k.att" "$T/rel.att"
grep -q "rule 'threshold'" "$T/err"; ok $? "... rule 'threshold'"
expect 0 "gate: ... the same evaluation by the trusted key passes" \
  "$ZKREG" gate --policy "$T/edonly.json" --evaluation "$T/e1.att" "$T/rel.att"
sed 's/,"ev@\*"//' "$T/policy.json" >"$T/noev.json"
expect 1 "gate: an evaluation whose schema the policy does not list" \
  "$ZKREG" gate --policy "$T/noev.json" --evaluation "$T/e1.att" "$T/rel.att"
grep -q "rule 'schema'" "$T/err"; ok $? "... rule 'schema'"
policy 9223372036854775807
expect 1 "gate: min_correct 2^63-1 (no range) is a claim nothing meets" \
  $G --evaluation "$T/e1.att" "$T/rel.att"
for bad in '"min_correct":1,"min_correct":2' '"min_correct":1.0' '"min_correct":18446744073709551616' \
           '"min_correct":1,"record_first":0,"record_count":0' \
           '"min_correct":"1"' '"min_correct":true'; do
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["ev@*","inf@1"],"max_age_seconds":100000000,"require_log_inclusion":true,"check_revocation":true,"require_evaluation":{"dataset":"%s",%s}}\n' \
    "$ED_PUB" "$DSHA" "$bad" >"$T/badpol.json"
  expect 3 "policy require_evaluation {$bad} is refused" "$ZKREG" gate --policy "$T/badpol.json" \
    --evaluation "$T/e1.att" "$T/rel.att"
done
policy 1 ',"record_first":9223372036854775807,"record_count":1'
expect 1 "gate: a range far past the dataset (no wrap) parses and nothing meets it" \
  $G --evaluation "$T/e1.att" "$T/rel.att"
for bad in 'null' '{}' '{"dataset":"'"${DSHA:0:62}"'","min_correct":1}' \
           '{"dataset":"'"${DSHA}"'00","min_correct":1}'; do
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["ev@*","inf@1"],"max_age_seconds":100000000,"require_log_inclusion":true,"check_revocation":true,"require_evaluation":%s}\n' \
    "$ED_PUB" "$bad" >"$T/badpol.json"
  expect 3 "policy require_evaluation $bad is refused" "$ZKREG" gate --policy "$T/badpol.json" \
    --evaluation "$T/e1.att" "$T/rel.att"
done
# register-statement --public-output-from-model against swapped inputs.
refuse 3 "--public-output-from-model: record_first 2^64-1" stmt 2 3 18446744073709551615 1
refuse 3 "--public-output-from-model: count 2^64-1 from record 1 (no wrap)" \
  stmt 2 3 1 18446744073709551615
expect 0 "--public-output-from-model: the last record alone" stmt 2 3 39 1
cp "$T/small-labels-idx1-ubyte" "$T/labels.bak"
cp "$T/other-labels-idx1-ubyte" "$T/small-labels-idx1-ubyte"
refuse 1 "--public-output-from-model: the dataset's labels file replaced" stmt 2 3 0 40 \
  --threshold 1
grep -q "differ from dataset 3's registered sha256" "$T/err"; ok $? "... names the dataset"
cp "$T/labels.bak" "$T/small-labels-idx1-ubyte"
M2=$("$ZKREG" --json show model 2 | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p')
M6=$("$ZKREG" --json show model 6 | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p')
cp "$T/reg.db.d/models/$M2" "$T/model.bak"
cp "$T/reg.db.d/models/$M6" "$T/reg.db.d/models/$M2"
refuse 1 "--public-output-from-model: model 2's stored bytes swapped for model 6's" \
  stmt 2 3 0 40 --threshold 1
grep -q "stored bytes differ from model 2" "$T/err"; ok $? "... names the model"
cp "$T/model.bak" "$T/reg.db.d/models/$M2"
expect 0 "... restored, the same registration passes" stmt 2 3 0 40 --threshold 1
schema evs evaluation@1 true '{"name":"record_first","type":"string"},{"name":"record_count","type":"u64"}'
ok $? "register-schema evs (evaluation@1, record_first a string)"
refuse 1 "--public-output-from-model: a range field that is not a u64" "$ZKREG" \
  register-statement --schema evs@1 --program 1 --model 2 --dataset 3 \
  --param record_first=30 --param record_count=10 --public-output-from-model
grep -q "field 'record_first' is string" "$T/err"; ok $? "... names the field"
policy 1
expect 0 "revoke the secp256k1 key" "$ZKREG" revoke key "$K1_PUB" --reason "test: key retired"
expect 6 "gate: an evaluation signed by a revoked key fails" \
  $G --evaluation "$T/e1k.att" "$T/rel.att"
expect 0 "gate: ... the same evaluation signed by the unrevoked key passes" \
  $G --evaluation "$T/e1.att" "$T/rel.att"
expect 0 "revoke the third dataset" "$ZKREG" revoke dataset 5 --reason "test: withdrawn"
refuse 6 "--public-output-from-model over a revoked dataset" stmt 2 5 0 40
expect 0 "revoke the exact evaluation statement" "$ZKREG" revoke statement "$E1" \
  --reason "test: withdrawn"
expect 6 "gate: an evaluation of a revoked statement fails" $G --evaluation "$T/e1.att" "$T/rel.att"
expect 0 "gate: ... the '>= $TAU' evaluation of the same model still passes" \
  $G --evaluation "$T/e2.att" "$T/rel.att"
expect 0 "revoke verifier evaluation@1 0.2.0" "$ZKREG" revoke verifier evaluation@1 0.2.0 \
  --reason "test: verifier withdrawn"
expect 6 "gate: an evaluation made by the revoked verifier fails" \
  $G --evaluation "$T/e2.att" "$T/rel.att"
expect 0 "gate: ... the inference@1 release alone still passes (its verifier is not revoked)" \
  "$ZKREG" gate --policy "$T/plain.json" "$T/rel.att"
echo "1..$n"
exit $fail
