#!/bin/sh
# evaluation-graph@1 (a CNN's accuracy over a record range, one proof) through
# the CLI with the small CNN fixture (tests/fixtures/tiny_cnn.onnx: conv, max
# pool, dense) over 6 of the first 64 Fashion-MNIST test records:
# register-statement --public-output-from-model binds the native count (exact and
# threshold),
# prove (confined geval-prove, deterministic), verify (confined geval-verify),
# attest, and gate --evaluation with require_evaluation, the release being a
# graph-inference@1 attestation of the same model. Reject twins: a tampered
# and a truncated proof, the proof under a statement of another record range
# and of another dataset, a statement whose count is off by one (prove writes
# nothing, verify and attest refuse), a gate asking for one more than proven.
# Bad input, registry byte-identical after each: a range over the 1,024-record
# limit (exit 3, the limit named), a program the batch layout refuses
# (LeNet-5 at 512 records, exit 3), an MLP model (exit 1). Export, import and
# verify on a second registry. Adversary review ("adv: ..."): wrapping and empty
# ranges, models of another program, schemas prove cannot read (no public
# output, a string record_first), graph-inference@1 / evaluation@1 proofs and
# attestations laundered both ways, the gate against another range, sub-range,
# dataset, model and a threshold below its min, the P-root cache and the dataset's
# labels changed, a one-record batch at the last leaf, a revoked model. Hardening:
# a refused register-batch / register-program / -model / -dataset leaves the store
# byte-identical; evaluation@1, evaluation-fixed@1 and inference-batch@1 refuse the
# schemas prove cannot read; "correct >= 0" is refused as --threshold 0 and as a
# --public-output file; prove, infer, export, model commit and dataset commit refuse
# an output over a file they read (the remembered dataset, its labels, via links).
# TAP. Usage: cli_geval.sh path/to/zkreg
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
LENET=$SRC/tests/fixtures/lenet5.onnx
MLP=$SRC/tests/fixtures/mlp_784_128_10.onnx
TINY=$SRC/tests/fixtures/tiny_cnn.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-geval-cli.XXXXXX)
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
id_of() { sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/out"; }
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
sum_reg() { # the registry file and every file of its store
  { cat "$T/reg.db" "$T/reg.db-wal" 2>/dev/null
    (cd "$T/reg.db.d" && find . -type f | LC_ALL=C sort -S 1M | xargs sha256sum); } | sha256sum
}
# A 64-record raw IDX pair from record $1 on (the proven ranges stay cheap to re-commit).
small() {
  { printf '\000\000\010\003\000\000\000\100\000\000\000\034\000\000\000\034'
    gzip -dc "$DATA" | tail -c +$((17 + $1 * 784)) | head -c $((64 * 784)); } >"$2-images-idx3-ubyte"
  { printf '\000\000\010\001\000\000\000\100'
    gzip -dc "${DATA%images-idx3-ubyte.gz}labels-idx1-ubyte.gz" | tail -c +$((9 + $1)) | head -c 64; } \
    >"$2-labels-idx1-ubyte"
}

(umask 077; echo "cli-geval-test-passphrase" >"$T/pass"; echo "cli-geval-key-pass" >"$T/keypass")
expect 0 "init" "$ZKREG" init --passphrase-file "$T/pass" --kdf interactive
small 0 "$T/a"
small 64 "$T/b"
expect 0 "register-dataset A (records 0..63)" "$ZKREG" --json register-dataset "$T/a-images-idx3-ubyte"
DA=$(id_of)
DSHA=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/out")
expect 0 "register-dataset B (records 64..127)" "$ZKREG" --json register-dataset "$T/b-images-idx3-ubyte"
DB=$(id_of)
expect 0 "register-program of the small CNN" "$ZKREG" --json register-program "$TINY"
TP=$(id_of)
expect 0 "register-model --calibrate of it" "$ZKREG" --json register-model "$TINY" --program "$TP" \
  --calibrate "$DA"
TM=$(id_of)
cat >"$T/geval.json" <<'JSON'
{"name": "fmnist-cnn-acc", "version": 1, "proof_kind": "evaluation-graph@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_first", "type": "u64"}, {"name": "record_count", "type": "u64"}]}
JSON
expect 0 "register-schema evaluation-graph@1" "$ZKREG" register-schema "$T/geval.json"
stmt() { # dataset first count -> statement id on stdout
  "$ZKREG" register-statement --schema fmnist-cnn-acc@1 --program "$TP" --model "$TM" \
    --dataset "$1" --param record_first="$2" --param record_count="$3" --public-output-from-model
}
expect 0 "statement: records 0..5 of A, the count from the model" stmt "$DA" 0 6
S=$(cat "$T/out")
C=$(sed -n 's/.*correct \([0-9]*\) of 6.*/\1/p' "$T/err")
[ -n "$C" ]; ok $? "... binds 'correct $C of 6'"
expect 0 "statement: records 1..6 of A" stmt "$DA" 1 6
SR=$(cat "$T/out")
expect 0 "statement: records 0..5 of B" stmt "$DB" 0 6
SD=$(cat "$T/out")
# The same range with the count one off (exact mode: u8 0 | u64 6 | u64 value).
OFF=$(( C < 6 ? C + 1 : C - 1 ))
printf '\000\000\000\000\000\000\000\000\006\000\000\000\000\000\000\000'"$(printf '\\%03o' "$OFF")" \
  >"$T/off.bin"
[ "$(wc -c <"$T/off.bin")" -eq 17 ]; ok $? "a 17-byte evaluation output stating $OFF correct"
expect 0 "statement: records 0..5 of A, count off by one" "$ZKREG" register-statement \
  --schema fmnist-cnn-acc@1 --program "$TP" --model "$TM" --dataset "$DA" \
  --param record_first=0 --param record_count=6 --public-output "$T/off.bin"
SO=$(cat "$T/out")
# An output may not replace a file the command reads (exit 2, nothing written): prove
# without --dataset-file reads the dataset file remembered at registration (and its
# labels file); also through a symlink, a hard link and a "." in the path.
sum_in() { cat "$T/a-images-idx3-ubyte" "$T/a-labels-idx1-ubyte" "$T/pass" "$TINY" | sha256sum; }
ln -s "$T/a-images-idx3-ubyte" "$T/a-sym"
ln "$T/a-labels-idx1-ubyte" "$T/a-hard"
before=$(sum_reg); bin=$(sum_in)
for o in "$T/a-images-idx3-ubyte" "$T/a-labels-idx1-ubyte" "$T/./a-images-idx3-ubyte" \
         "$T/a-sym" "$T/a-hard"; do
  expect 2 "adv: prove -o $o (the remembered dataset) is refused" "$ZKREG" prove \
    --statement "$S" -o "$o"
  grep -q "a proof may not replace the input" "$T/err"; ok $? "... naming the input"
done
expect 2 "adv: infer --output-file over the registered dataset's labels is refused" "$ZKREG" \
  infer --model "$TM" --dataset "$DA" --record 0 --output-file "$T/a-labels-idx1-ubyte"
expect 2 "adv: infer --output-file over its --dataset-file is refused" "$ZKREG" infer \
  --model "$TM" --dataset-file "$T/a-images-idx3-ubyte" --record 0 --output-file "$T/a-sym"
expect 2 "adv: export -o over its passphrase file is refused" "$ZKREG" export -o "$T/pass" \
  --passphrase-file "$T/pass"
expect 2 "adv: model commit -o over the model it reads is refused" "$ZKREG" model commit \
  "$TINY" -o "$TINY" --secrets "$T/never.sec" --passphrase-file "$T/pass"
expect 2 "adv: dataset commit -o over the labels it reads is refused" "$ZKREG" dataset commit \
  "$T/a-images-idx3-ubyte" -o "$T/a-hard" --secrets "$T/never.sec" --passphrase-file "$T/pass"
grep -q "a commitment may not replace the input" "$T/err"; ok $? "... naming the input"
[ "$(sum_in)" = "$bin" ] && [ ! -e "$T/never.sec" ]; ok $? "the inputs are unchanged, nothing written"
[ "$(sum_reg)" = "$before" ]; ok $? "the registry and its store are byte-identical afterwards"

# ------------------------------------------------------------ bad statements
expect 0 "register-dataset of the full test set (10,000 records)" "$ZKREG" --json \
  register-dataset "$DATA"
DF=$(id_of)
before=$(sum_reg)
expect 3 "a range of 1,025 records is refused" "$ZKREG" register-statement \
  --schema fmnist-cnn-acc@1 --program "$TP" --model "$TM" --dataset "$DF" \
  --param record_first=0 --param record_count=1025 --public-output "$T/off.bin"
grep -q "at most 1024 records" "$T/err"; ok $? "... naming the 1,024-record limit"
expect 3 "... so is the whole 10,000-record set, with --public-output-from-model" "$ZKREG" \
  register-statement --schema fmnist-cnn-acc@1 --program "$TP" --model "$TM" --dataset "$DF" \
  --param record_first=0 --public-output-from-model
grep -q "at most 1024 records" "$T/err"; ok $? "... naming the limit"
[ "$(sum_reg)" = "$before" ]; ok $? "the registry and its store are byte-identical afterwards"
# A refused register-batch leaves the store as it was: the new program's, model's
# (bytes and .gpcs) and dataset's (.path) files removed, a replaced .path given back.
small 128 "$T/c"
cp "$T/a-images-idx3-ubyte" "$T/a-copy-images-idx3-ubyte"
cp "$T/a-labels-idx1-ubyte" "$T/a-copy-labels-idx1-ubyte"
cat >"$T/batch.jsonl" <<JSON
{"type": "program", "file": "$LENET"}
{"type": "model", "file": "$LENET", "program": "@1", "calibrate": "$DA"}
{"type": "dataset", "file": "$T/c-images-idx3-ubyte"}
{"type": "dataset", "file": "$T/a-copy-images-idx3-ubyte"}
{"type": "statement", "schema": "fmnist-cnn-acc@1", "program": "@1", "model": "@2", "dataset": "$DF", "params": {"record_first": 0, "record_count": 1025}, "public_output": "$T/off.bin"}
JSON
before=$(sum_reg)
expect 3 "register-batch: new program, model, dataset, then a 1,025-record range" "$ZKREG" \
  register-batch "$T/batch.jsonl"
grep -q "line 5: .*at most 1024 records" "$T/err"; ok $? "... naming line 5 and the limit"
[ "$(sum_reg)" = "$before" ]; ok $? "the registry and every file of its store are byte-identical"
expect 3 "register-program with a control character in its name" "$ZKREG" register-program \
  "$LENET" --name "$(printf 'bad\001')"
expect 3 "register-dataset with a control character in its name" "$ZKREG" register-dataset \
  "$T/c-images-idx3-ubyte" --name "$(printf 'bad\001')"
expect 3 "register-dataset of a copy (a new .path) with a bad name" "$ZKREG" register-dataset \
  "$T/a-copy-images-idx3-ubyte" --name "$(printf 'bad\001')"
[ "$(sum_reg)" = "$before" ]; ok $? "... the store is byte-identical after each"
expect 0 "register-program LeNet-5" "$ZKREG" --json register-program "$LENET"
LP=$(id_of)
before=$(sum_reg)
expect 3 "register-model LeNet-5 (calibrated on B: new bytes) with a bad name" "$ZKREG" \
  register-model "$LENET" --program "$LP" --calibrate "$DB" --name "$(printf 'bad\001')"
[ "$(sum_reg)" = "$before" ]; ok $? "... leaves no model file or .gpcs in the store"
expect 0 "register-model LeNet-5 --calibrate" "$ZKREG" --json register-model "$LENET" \
  --program "$LP" --calibrate "$DA"
LM=$(id_of)
printf '\000\000\000\000\000\000\000\002\000\000\000\000\000\000\000\000\001' >"$T/o512.bin"
before=$(sum_reg)
expect 3 "LeNet-5 over 512 records: a layout the batch prover refuses" "$ZKREG" \
  register-statement --schema fmnist-cnn-acc@1 --program "$LP" --model "$LM" --dataset "$DF" \
  --param record_first=0 --param record_count=512 --public-output "$T/o512.bin"
grep -q "512 records.*batch bound" "$T/err"; ok $? "... naming the layout's reason"
[ "$(sum_reg)" = "$before" ]; ok $? "the registry and its store are byte-identical afterwards"
sed 's/^/# /' "$T/err"
expect 0 "register-program of the MLP" "$ZKREG" --json register-program "$MLP"
MP=$(id_of)
expect 0 "register-model of the MLP" "$ZKREG" --json register-model "$MLP" --program "$MP" \
  --calibrate "$DA"
MM=$(id_of)
before=$(sum_reg)
expect 1 "an MLP model under an evaluation-graph@1 schema is a binding mismatch" "$ZKREG" \
  register-statement --schema fmnist-cnn-acc@1 --program "$MP" --model "$MM" --dataset "$DA" \
  --param record_first=0 --param record_count=6 --public-output "$T/off.bin"
grep -q "not a graph (CNN) model.*evaluation-graph@1" "$T/err"; ok $? "... naming both sides"
expect 3 "a public output over another count than the range's" "$ZKREG" register-statement \
  --schema fmnist-cnn-acc@1 --program "$TP" --model "$TM" --dataset "$DA" \
  --param record_first=0 --param record_count=5 --public-output "$T/off.bin"
[ "$(sum_reg)" = "$before" ]; ok $? "the registry and its store are byte-identical afterwards"

# ------------------------------------------------------------ prove, verify
expect 0 "prove (confined geval-prove worker)" "$ZKREG" --json prove --statement "$S" -o "$T/p"
grep -q "\"correct\":$C" "$T/out"; ok $? "... reports $C correct"
expect 0 "prove again with 2 threads" "$ZKREG" prove --statement "$S" -o "$T/p2" --threads 2
cmp -s "$T/p" "$T/p2"; ok $? "... byte-identical proofs (deterministic)"
expect 1 "prove of the off-by-one statement is refused" "$ZKREG" prove --statement "$SO" \
  -o "$T/px"
[ ! -e "$T/px" ]; ok $? "... and writes no proof"
expect 0 "verify (confined geval-verify worker)" "$ZKREG" --json verify --statement "$S" "$T/p"
grep -q '"kind":"evaluation-graph@1"' "$T/out" && grep -q "\"correct\":$C" "$T/out"
ok $? "... reported as evaluation-graph@1, $C correct"
sz=$(wc -c <"$T/p")
cp "$T/p" "$T/pbad"
printf '\001' | dd of="$T/pbad" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null
cmp -s "$T/p" "$T/pbad"; [ $? -eq 1 ]; ok $? "a byte of the proof changed"
expect 1 "a tampered proof is refused" "$ZKREG" verify --statement "$S" "$T/pbad"
head -c $((sz - 5)) "$T/p" >"$T/ptrunc"
expect 3 "a truncated proof is malformed" "$ZKREG" verify --statement "$S" "$T/ptrunc"
expect 1 "the proof presented for another record range is refused" "$ZKREG" verify \
  --statement "$SR" "$T/p"
expect 1 "the proof presented for another dataset is refused" "$ZKREG" verify \
  --statement "$SD" "$T/p"
expect 1 "the proof presented for the count off by one is refused" "$ZKREG" verify \
  --statement "$SO" "$T/p"

# Threshold mode: "correct >= C" binds no count; a claim above it is refused at registration.
expect 1 "--threshold above the model's count is refused" "$ZKREG" register-statement \
  --schema fmnist-cnn-acc@1 --program "$TP" --model "$TM" --dataset "$DA" \
  --param record_first=0 --param record_count=5 --public-output-from-model --threshold $((C + 1))
expect 0 "a threshold statement 'correct >= $C' over records 0..4" "$ZKREG" register-statement \
  --schema fmnist-cnn-acc@1 --program "$TP" --model "$TM" --dataset "$DA" \
  --param record_first=0 --param record_count=5 --public-output-from-model --threshold "$C"
ST=$(cat "$T/out")
expect 0 "prove the threshold statement" "$ZKREG" prove --statement "$ST" -o "$T/pt"
expect 0 "verify it" "$ZKREG" --json verify --statement "$ST" "$T/pt"
grep -q '"correct"' "$T/out"; [ $? -eq 1 ]; ok $? "... reports no exact count"
expect 1 "the threshold proof presented for the exact statement is refused" "$ZKREG" verify \
  --statement "$S" "$T/pt"

# ------------------------------------------------------------ attest, gate
expect 0 "key generate" "$ZKREG" key generate --type ed25519 -o "$T/ed.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key register" "$ZKREG" key register "file:$T/ed.key"
ED_PUB=$("$ZKREG" key public "file:$T/ed.key" | head -1)
att() { # statement proof out
  "$ZKREG" attest --statement "$1" --proof "$2" --key "file:$T/ed.key" -o "$3" \
    --passphrase-file "$T/keypass" --registry-passphrase-file "$T/pass"
}
expect 1 "attest refuses the proof for another record range" att "$SR" "$T/p" "$T/l.att"
expect 1 "attest refuses the proof for another dataset" att "$SD" "$T/p" "$T/l.att"
expect 1 "attest refuses the proof for the count off by one" att "$SO" "$T/p" "$T/l.att"
expect 1 "attest refuses a tampered proof" att "$S" "$T/pbad" "$T/l.att"
expect 3 "attest refuses a truncated proof" att "$S" "$T/ptrunc" "$T/l.att"
[ ! -e "$T/l.att" ]; ok $? "... and no refused attestation was written"
expect 0 "attest the evaluation (verify before sign)" att "$S" "$T/p" "$T/e.att"
# The release: a graph-inference@1 proof of the same model.
cat >"$T/ginf.json" <<'JSON'
{"name": "fmnist-cnn-inf", "version": 1, "proof_kind": "graph-inference@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_index", "type": "u64"}]}
JSON
expect 0 "register-schema graph-inference@1" "$ZKREG" register-schema "$T/ginf.json"
expect 0 "a graph-inference@1 statement of the same model" "$ZKREG" register-statement \
  --schema fmnist-cnn-inf@1 --program "$TP" --model "$TM" --dataset "$DA" \
  --param record_index=3 --public-output-from-model
SI=$(cat "$T/out")
expect 0 "prove it" "$ZKREG" prove --statement "$SI" -o "$T/pi"
expect 0 "attest it (the release)" att "$SI" "$T/pi" "$T/rel.att"
policy() { # min_correct
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["fmnist-cnn-inf@1","fmnist-cnn-acc@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true,"require_evaluation":{"dataset":"%s","min_correct":%s,"record_first":0,"record_count":6}}\n' \
    "$ED_PUB" "$DSHA" "$1" >"$T/policy.json"
}
if [ "$C" -ge 1 ]; then
  policy "$C"
  expect 0 "gate passes the release with the evaluation-graph@1 attestation ($C >= $C)" \
    "$ZKREG" gate --policy "$T/policy.json" --evaluation "$T/e.att" "$T/rel.att"
else
  ok 1 "the small CNN gets none of records 0..5 right: no gate to pass"
  policy 1
fi
expect 1 "gate: the release's own (graph-inference@1) attestation as the evaluation fails" \
  "$ZKREG" gate --policy "$T/policy.json" --evaluation "$T/rel.att" "$T/rel.att"
policy $((C + 1))
expect 1 "gate: min_correct one above the proven count fails" "$ZKREG" gate \
  --policy "$T/policy.json" --evaluation "$T/e.att" "$T/rel.att"

# ------------------------------------------------------------ export / import
TSHA=$("$ZKREG" --json show model "$TM" | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' | head -1)
TPSHA=$("$ZKREG" --json show program "$TP" | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' | head -1)
expect 0 "export the evaluation statement" "$ZKREG" export -o "$T/b.zkb" --statement "$S" \
  --passphrase-file "$T/pass"
expect 0 "a second registry" "$ZKREG" --registry "$T/r2.db" init --passphrase-file "$T/pass" \
  --kdf interactive
VK=$("$ZKREG" --json log key 2>/dev/null | sed -n 's/.*"verifier_key":"\([^"]*\)".*/\1/p')
expect 0 "import it there" "$ZKREG" --registry "$T/r2.db" import "$T/b.zkb" --trusted-key "$VK"
expect 0 "the graph model's bytes placed beside the second registry" "$ZKREG" \
  --registry "$T/r2.db" register-model "$T/reg.db.d/models/$TSHA" --program "$TPSHA"
expect 0 "the dataset file known there too" "$ZKREG" --registry "$T/r2.db" register-dataset \
  "$T/a-images-idx3-ubyte"
expect 0 "the imported statement verifies on the second registry" "$ZKREG" \
  --registry "$T/r2.db" verify --statement "$S" "$T/p"
expect 1 "... and the tampered proof does not" "$ZKREG" --registry "$T/r2.db" verify \
  --statement "$S" "$T/pbad"

# ------------------------------------------------------------ adversary review
# Each attack below is refused; the two schema refusals were holes (the
# statements registered and only prove refused them).
sh1() { "$ZKREG" register-statement --schema fmnist-cnn-acc@1 --program "$TP" --model "$TM" \
  --dataset "$DA" --param record_first="$1" --param record_count="$2" --public-output "$T/off.bin"; }
before=$(sum_reg)
expect 3 "adv: record_first 2^64-1 with record_count 2 (first + count wraps) is refused" \
  sh1 18446744073709551615 2
expect 3 "adv: records 63..+2 (one past the dataset's end) are refused" sh1 63 2
expect 3 "adv: record_count 0 is refused" sh1 0 0
grep -q "record_count 0" "$T/err"; ok $? "... naming the empty range"
expect 3 "adv: record_count 2^64-1 is refused" sh1 0 18446744073709551615
expect 3 "adv: record_first -1 is refused" sh1 -1 6
expect 1 "adv: a model of another program (the MLP under the CNN's program) is refused" \
  "$ZKREG" register-statement --schema fmnist-cnn-acc@1 --program "$TP" --model "$MM" \
  --dataset "$DA" --param record_first=0 --param record_count=6 --public-output "$T/off.bin"
expect 1 "adv: the CNN model under the MLP's program is refused" "$ZKREG" register-statement \
  --schema fmnist-cnn-acc@1 --program "$MP" --model "$TM" --dataset "$DA" \
  --param record_first=0 --param record_count=6 --public-output "$T/off.bin"
[ "$(sum_reg)" = "$before" ]; ok $? "the registry and its store are byte-identical afterwards"
sed 's/"public_output": true/"public_output": false/; s/"version": 1/"version": 2/' \
  "$T/geval.json" >"$T/nopo.json"
sed 's/"version": 1/"version": 3/; s/{"name": "record_first", "type": "u64"}/{"name": "record_first", "type": "string"}/' \
  "$T/geval.json" >"$T/strf.json"
expect 0 "adv: an evaluation-graph@1 schema without public output registers" "$ZKREG" \
  register-schema "$T/nopo.json"
expect 0 "adv: ... and one whose record_first is a string" "$ZKREG" register-schema "$T/strf.json"
before=$(sum_reg)
expect 1 "adv: a statement under the schema without public output is refused (was registered)" \
  "$ZKREG" register-statement --schema fmnist-cnn-acc@2 --program "$TP" --model "$TM" \
  --dataset "$DA" --param record_first=0 --param record_count=6
grep -q "binds no public output" "$T/err"; ok $? "... naming the missing output"
expect 1 "adv: a statement with a string record_first is refused (was registered)" "$ZKREG" \
  register-statement --schema fmnist-cnn-acc@3 --program "$TP" --model "$TM" --dataset "$DA" \
  --param record_first=0 --param record_count=6 --public-output "$T/off.bin"
grep -q "field 'record_first' is string" "$T/err"; ok $? "... naming the field and its type"
[ "$(sum_reg)" = "$before" ]; ok $? "the registry and its store are byte-identical afterwards"

# Laundering between kinds: graph-inference@1 and evaluation@1 proofs and attestations.
before=$(sum_reg)
expect 1 "adv: the graph-inference@1 proof presented for the evaluation-graph@1 statement" \
  "$ZKREG" verify --statement "$S" "$T/pi"
grep -q "kind 10 is not evaluation-graph@1" "$T/err"; ok $? "... refused by the proof's kind"
expect 1 "adv: the evaluation-graph@1 proof presented for the graph-inference@1 statement" \
  "$ZKREG" verify --statement "$SI" "$T/p"
[ "$(sum_reg)" = "$before" ]; ok $? "refused verifies leave the registry byte-identical"
expect 1 "adv: attest refuses the graph-inference@1 proof for the evaluation statement" \
  att "$S" "$T/pi" "$T/l.att"
expect 1 "adv: attest refuses the evaluation proof for the graph-inference@1 statement" \
  att "$SI" "$T/p" "$T/l.att"
sed 's/evaluation-graph@1/evaluation@1/; s/fmnist-cnn-acc/mlp-acc/' "$T/geval.json" >"$T/e1.json"
expect 0 "adv: an evaluation@1 schema" "$ZKREG" register-schema "$T/e1.json"
expect 0 "adv: an evaluation@1 statement of the MLP over records 0..5 of A" "$ZKREG" \
  register-statement --schema mlp-acc@1 --program "$MP" --model "$MM" --dataset "$DA" \
  --param record_first=0 --param record_count=6 --public-output-from-model
SE=$(cat "$T/out")
expect 1 "adv: the CNN under the evaluation@1 schema is refused" "$ZKREG" register-statement \
  --schema mlp-acc@1 --program "$TP" --model "$TM" --dataset "$DA" --param record_first=0 \
  --param record_count=6 --public-output-from-model
# The other evaluation kinds refuse, at register-statement, schemas prove cannot read.
before=$(sum_reg)
for k in evaluation@1 evaluation-fixed@1 inference-batch@1; do
  n_=$(echo "$k" | sed 's/@/-/')
  sed "s/evaluation-graph@1/$k/; s/fmnist-cnn-acc/np-$n_/" "$T/nopo.json" >"$T/np.json"
  sed "s/evaluation-graph@1/$k/; s/fmnist-cnn-acc/sf-$n_/" "$T/strf.json" >"$T/sf.json"
  "$ZKREG" register-schema "$T/np.json" >/dev/null 2>&1 &&
    "$ZKREG" register-schema "$T/sf.json" >/dev/null 2>&1; ok $? "adv: $k schemas without output, string record_first"
  before=$(sum_reg)
  expect 1 "adv: a $k statement under the schema without public output is refused" "$ZKREG" \
    register-statement --schema "np-$n_@2" --program "$MP" --model "$MM" --dataset "$DA" \
    --param record_first=0 --param record_count=6
  grep -q "binds no public output; $k proves" "$T/err"; ok $? "... naming the missing output"
  expect 1 "adv: a $k statement with a string record_first is refused" "$ZKREG" \
    register-statement --schema "sf-$n_@3" --program "$MP" --model "$MM" --dataset "$DA" \
    --param record_first=0 --param record_count=6 --public-output "$T/off.bin"
  grep -q "field 'record_first' is string; $k reads it as a u64" "$T/err"; ok $? "... naming the field"
  [ "$(sum_reg)" = "$before" ]; ok $? "... the registry and its store are byte-identical"
done
# correct >= 0 claims nothing, whether --threshold 0 or a file stating it (mode 1, count 6, tau 0).
printf '\001\000\000\000\000\000\000\000\006\000\000\000\000\000\000\000\000' >"$T/t0.bin"
before=$(sum_reg)
for sc in mlp-acc@1:"$MP":"$MM" fmnist-cnn-acc@1:"$TP":"$TM"; do
  IFS=: read -r s_ p_ m_ <<EOF_
$sc
EOF_
  expect 2 "adv: $s_: --threshold 0 is refused" "$ZKREG" register-statement --schema "$s_" \
    --program "$p_" --model "$m_" --dataset "$DA" --param record_first=0 --param record_count=6 \
    --public-output-from-model --threshold 0
  grep -q -- "--threshold 0 claims nothing (correct >= 0)" "$T/err"; ok $? "... claims nothing"
  expect 2 "adv: $s_: the same threshold as a --public-output file is refused (was registered)" \
    "$ZKREG" register-statement --schema "$s_" --program "$p_" --model "$m_" --dataset "$DA" \
    --param record_first=0 --param record_count=6 --public-output "$T/t0.bin"
  grep -q "t0.bin: threshold 0 claims nothing (correct >= 0)" "$T/err"; ok $? "... the same words"
done
[ "$(sum_reg)" = "$before" ]; ok $? "the registry and its store are byte-identical afterwards"
expect 0 "adv: prove the evaluation@1 statement" "$ZKREG" prove --statement "$SE" -o "$T/pe"
expect 1 "adv: the evaluation@1 proof presented for the evaluation-graph@1 statement" \
  "$ZKREG" verify --statement "$S" "$T/pe"
expect 1 "adv: the evaluation-graph@1 proof presented for the evaluation@1 statement" \
  "$ZKREG" verify --statement "$SE" "$T/p"
expect 1 "adv: attest refuses the evaluation@1 proof for the evaluation-graph@1 statement" \
  att "$S" "$T/pe" "$T/l.att"
expect 1 "adv: attest refuses the evaluation-graph@1 proof for the evaluation@1 statement" \
  att "$SE" "$T/p" "$T/l.att"
[ ! -e "$T/l.att" ]; ok $? "... and no refused attestation was written"
expect 0 "adv: attest the MLP's evaluation@1 proof" att "$SE" "$T/pe" "$T/ee.att"

# The gate: another model, dataset, range, a threshold below the policy's min, revocations.
pol() { # dataset min_correct range-members revoked_verifiers
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["fmnist-cnn-inf@1","fmnist-cnn-acc@1","mlp-acc@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true,"revoked_verifiers":[%s],"require_evaluation":{"dataset":"%s","min_correct":%s%s}}\n' \
    "$ED_PUB" "$4" "$1" "$2" "$3" >"$T/pol.json"
}
R06=',"record_first":0,"record_count":6'
DBSHA=$("$ZKREG" --json show dataset "$DB" | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' | head -1)
g() { "$ZKREG" gate --policy "$T/pol.json" --evaluation "$@"; }
pol "$DSHA" 1 "" ""
expect 1 "adv gate: records 0..5 do not satisfy a policy over the whole dataset (0..63)" \
  g "$T/e.att" "$T/rel.att"
grep -q "the policy requires 0..+64 (the whole dataset)" "$T/err"; ok $? "... naming both ranges"
pol "$DSHA" 1 ',"record_first":1,"record_count":6' ""
expect 1 "adv gate: records 0..5 do not satisfy a policy over records 1..6" g "$T/e.att" "$T/rel.att"
pol "$DSHA" 1 ',"record_first":0,"record_count":5' ""
expect 1 "adv gate: records 0..5 do not satisfy a policy over the sub-range 0..4" \
  g "$T/e.att" "$T/rel.att"
pol "$DBSHA" 1 "$R06" ""
expect 1 "adv gate: an evaluation on dataset A does not satisfy a policy on dataset B" \
  g "$T/e.att" "$T/rel.att"
pol "$DSHA" 1 "$R06" ""
expect 1 "adv gate: the MLP's evaluation@1 attestation for the CNN release (another model)" \
  g "$T/ee.att" "$T/rel.att"
grep -q "the evaluation is of model" "$T/err"; ok $? "... naming the models"
expect 1 "adv gate: the CNN's evaluation for the MLP's release (another model)" \
  g "$T/e.att" "$T/ee.att"
expect 1 "adv gate: two evaluation attestations of different statements" \
  "$ZKREG" gate --policy "$T/pol.json" --evaluation "$T/e.att" --evaluation "$T/ee.att" "$T/rel.att"
# "correct >= 1" over records 0..5 (mode 1, count 6, value 1; "correct >= 0" is refused at
# registration, above): a threshold below the policy's min_correct 2.
printf '\001\000\000\000\000\000\000\000\006\000\000\000\000\000\000\000\001' >"$T/t1.bin"
expect 0 "adv: a threshold statement 'correct >= 1' over records 0..5" "$ZKREG" register-statement \
  --schema fmnist-cnn-acc@1 --program "$TP" --model "$TM" --dataset "$DA" \
  --param record_first=0 --param record_count=6 --public-output "$T/t1.bin"
ST1=$(cat "$T/out")
expect 0 "adv: prove it" "$ZKREG" prove --statement "$ST1" -o "$T/pt1"
expect 0 "adv: attest it" att "$ST1" "$T/pt1" "$T/t1.att"
pol "$DSHA" 2 "$R06" ""
expect 1 "adv gate: 'at least 1' does not satisfy min_correct 2" g "$T/t1.att" "$T/rel.att"
grep -q "proves at least 1 of 6 correct, the policy requires at least 2" "$T/err"
ok $? "... naming the threshold and the policy's min"
pol "$DSHA" 1 "$R06" '"evaluation-graph@1@0.2.0"'
expect 6 "adv gate: the policy's revoked_verifiers names evaluation-graph@1@0.2.0" \
  g "$T/e.att" "$T/rel.att"

# The store: P's root cache and the dataset's labels changed under the registry.
G=$T/reg.db.d/models/$TSHA.gpcs
cp "$G" "$T/gpcs.orig"
printf '\377' | dd of="$G" bs=1 seek=3 conv=notrunc 2>/dev/null
expect 1 "adv: a changed P root in the cache is refused at verify" "$ZKREG" verify \
  --statement "$S" "$T/p"
grep -q "P's root does not give the registered model commitment" "$T/err"; ok $? "... naming it"
expect 1 "adv: ... and at attest" att "$S" "$T/p" "$T/l.att"
rm -f "$G"
expect 0 "adv: without the cache, verify recomputes P from the model file" "$ZKREG" verify \
  --statement "$S" "$T/p"
cp "$T/gpcs.orig" "$G"
cp "$T/a-labels-idx1-ubyte" "$T/labels.orig"
printf '\011' | dd of="$T/a-labels-idx1-ubyte" bs=1 seek=9 conv=notrunc 2>/dev/null
expect 1 "adv: a record's label changed in the dataset file: verify refuses" "$ZKREG" verify \
  --statement "$S" "$T/p"
expect 1 "adv: ... prove refuses" "$ZKREG" prove --statement "$S" -o "$T/px"
cp "$T/labels.orig" "$T/a-labels-idx1-ubyte"
expect 1 "adv: prove with --dataset-file of another dataset is refused" "$ZKREG" prove \
  --statement "$S" -o "$T/px" --dataset-file "$T/b-images-idx3-ubyte"
[ ! -e "$T/px" ]; ok $? "... and no proof was written"

# A one-record range at the dataset's end (a batch of one, the last leaf).
expect 0 "adv: a statement over record 63 only" stmt "$DA" 63 1
S63=$(cat "$T/out")
expect 0 "adv: prove it" "$ZKREG" prove --statement "$S63" -o "$T/p63"
expect 0 "adv: verify it" "$ZKREG" verify --statement "$S63" "$T/p63"
expect 1 "adv: its proof for records 0..5 is refused" "$ZKREG" verify --statement "$S" "$T/p63"

# Revocations last (they are permanent): the model, then everything binding it refuses.
expect 0 "adv: revoke the CNN model" "$ZKREG" revoke model "$TM" --reason "adversary review"
pol "$DSHA" 1 "$R06" ""
expect 6 "adv gate: the evaluation of a revoked model" g "$T/e.att" "$T/ee.att"
expect 6 "adv: verify refuses the revoked model" "$ZKREG" verify --statement "$S" "$T/p"
expect 6 "adv: prove refuses it" "$ZKREG" prove --statement "$S" -o "$T/px"
expect 6 "adv: attest refuses it" att "$S" "$T/p" "$T/l.att"
expect 6 "adv: register-statement refuses it" stmt "$DA" 0 5
echo "1..$n"
exit $fail
