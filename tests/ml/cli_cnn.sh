#!/bin/sh
# Graph (CNN) programs through the CLI with the LeNet-5 fixture: register-
# program keeps a version 2 program, register-model --calibrate quantizes
# and commits, infer runs it natively (registry and file forms agree,
# deterministic bytes), eval reports agreement; graph-inference@1 end to
# end: register-statement --public-output-from-model, prove and verify in
# the confined workers, attest, gate, export/import and verify on the
# importing registry. Reject twins: a model of another program, a tampered
# model, a graph model under an inference@1 schema and an MLP under a
# graph-inference@1 one, a tampered and a truncated proof, the proof for
# another record and under an MLP statement (verify and attest), bad ONNX
# named by node (registry byte-identical). A small CNN with a Concat on
# channels and a depthwise convolution with a channel multiplier (x2) is
# committed at register-model, proven and verified; its tampered and
# truncated proofs and its proof under another statement are refused.
# TAP. Usage: cli_cnn.sh path/to/zkreg
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/lenet5.onnx
MLP=$SRC/tests/fixtures/mlp_784_128_10.onnx
TINY=$SRC/tests/fixtures/tiny_cnn.onnx   # proven here: conv, max pool, dense at a fraction of LeNet's cost
CAT=$SRC/tests/fixtures/tiny_cat_cnn.onnx  # Concat of two conv branches, depthwise x2 (make_tiny_cat_cnn.py)
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
expect 1 "a graph model under an inference@1 schema is a binding mismatch" "$ZKREG" \
  register-statement --schema fmnist-cnn@1 --program 1 --model 2 --dataset 3 \
  --param record_index=7 --public-output "$T/out7.bin"
grep -q "graph (CNN) model.*graph-inference@1" "$T/err"; ok $? "... naming both sides"

# ------------------------------------------------------------ graph-inference@1
cat >"$T/gschema.json" <<'JSON'
{"name": "fmnist-lenet", "version": 1, "proof_kind": "graph-inference@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_index", "type": "u64"}]}
JSON
expect 0 "register-schema graph-inference@1" "$ZKREG" register-schema "$T/gschema.json"
expect 0 "the LeNet graph model has a commitment" "$ZKREG" --json show model 2
grep -q '"commitment":"[0-9a-f]\{64\}"' "$T/out"; ok $? "... 64 hex digits"
# The proven statements use the first 64 test records (raw IDX files), so that every verify,
# which recomputes the dataset's commitment, stays cheap under the sanitizers; the small
# models are calibrated on them too.
SMALL=$T/small-images-idx3-ubyte
{ printf '\000\000\010\003\000\000\000\100\000\000\000\034\000\000\000\034'
  gzip -dc "$DATA" | tail -c +17 | head -c $((64 * 784)); } >"$SMALL"
{ printf '\000\000\010\001\000\000\000\100'
  gzip -dc "${DATA%images-idx3-ubyte.gz}labels-idx1-ubyte.gz" | tail -c +9 | head -c 64; } \
  >"$T/small-labels-idx1-ubyte"
expect 0 "register-dataset of the first 64 records" "$ZKREG" --json register-dataset "$SMALL"
SD=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/out")
expect 0 "register-program of a small CNN" "$ZKREG" --json register-program "$TINY"
TP=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/out")
TPSHA=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/out")
expect 0 "register-model --calibrate of it" "$ZKREG" --json register-model "$TINY" \
  --program "$TP" --calibrate "$SD"
TM=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/out")
TSHA=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/out")
grep -q '"commitment":"[0-9a-f]\{64\}"' "$T/out"; ok $? "... committed by zkreg"
expect 0 "infer record 7 with it" "$ZKREG" infer --model "$TM" --dataset "$SD" --record 7 \
  --output-file "$T/tout7.bin"
expect 0 "statement for record 7, output from the model" "$ZKREG" register-statement \
  --schema fmnist-lenet@1 --program "$TP" --model "$TM" --dataset "$SD" --param record_index=7 \
  --public-output-from-model
S7=$(cat "$T/out")
grep -q "bound public output $(od -An -tx1 "$T/tout7.bin" | tr -d ' \n')" "$T/err"
ok $? "... binds exactly zkreg infer's output bytes"
expect 0 "statement for record 8" "$ZKREG" register-statement --schema fmnist-lenet@1 \
  --program "$TP" --model "$TM" --dataset "$SD" --param record_index=8 --public-output-from-model
S8=$(cat "$T/out")
expect 0 "register-program of the MLP" "$ZKREG" --json register-program "$MLP"
MP=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/out")
expect 0 "register-model of the MLP" "$ZKREG" --json register-model "$MLP" --program "$MP" \
  --calibrate "$SD"
MM=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/out")
expect 1 "an MLP model under a graph-inference@1 schema is a binding mismatch" "$ZKREG" \
  register-statement --schema fmnist-lenet@1 --program "$MP" --model "$MM" --dataset 3 \
  --param record_index=7 --public-output-from-model
grep -q "not a graph (CNN) model.*graph-inference@1" "$T/err"; ok $? "... naming both sides"
expect 1 "the LeNet model under the MLP's program" "$ZKREG" register-statement \
  --schema fmnist-lenet@1 --program "$MP" --model 2 --dataset 3 --param record_index=7 \
  --public-output "$T/out7.bin"
expect 0 "an inference@1 statement on the MLP" "$ZKREG" register-statement \
  --schema fmnist-cnn@1 --program "$MP" --model "$MM" --dataset 3 --param record_index=7 \
  --public-output-from-model
SM=$(cat "$T/out")
expect 0 "prove the graph statement (confined ginf-prove worker)" "$ZKREG" prove \
  --statement "$S7" -o "$T/p7"
expect 0 "prove it again, with 2 threads" "$ZKREG" prove --statement "$S7" -o "$T/p7b" \
  --threads 2
cmp -s "$T/p7" "$T/p7b"; ok $? "... byte-identical proofs (deterministic)"
expect 0 "verify it (confined ginf-verify worker)" "$ZKREG" --json verify --statement "$S7" \
  "$T/p7"
grep -q '"kind":"graph-inference@1"' "$T/out"; ok $? "... reported as graph-inference@1"
sz=$(wc -c <"$T/p7")
cp "$T/p7" "$T/pbad"
printf '\001' | dd of="$T/pbad" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null
cmp -s "$T/p7" "$T/pbad"; [ $? -eq 1 ]; ok $? "a byte of the proof changed"
expect 1 "a tampered graph proof is refused" "$ZKREG" verify --statement "$S7" "$T/pbad"
head -c $((sz - 5)) "$T/p7" >"$T/ptrunc"
expect 3 "a truncated graph proof is malformed" "$ZKREG" verify --statement "$S7" "$T/ptrunc"
expect 1 "the proof for record 7 presented for record 8 is refused" "$ZKREG" verify \
  --statement "$S8" "$T/p7"
expect 1 "the graph proof presented under an MLP statement is refused" "$ZKREG" verify \
  --statement "$SM" "$T/p7"

# The store's P-root cache is never trusted: a changed root is refused, a missing one recomputed.
G=$T/reg.db.d/models/$TSHA.gpcs
cp "$G" "$T/gpcs.orig"
printf '\377' | dd of="$G" bs=1 seek=3 conv=notrunc 2>/dev/null
expect 1 "verify with a changed P root beside the registry is refused" "$ZKREG" verify \
  --statement "$S7" "$T/p7"
grep -q "registered model commitment" "$T/err"; ok $? "... naming the model commitment"
rm -f "$G"
expect 0 "verify with the cache removed recomputes P from the model file" "$ZKREG" verify \
  --statement "$S7" "$T/p7"
cmp -s "$T/gpcs.orig" "$G" || [ ! -e "$G" ]; ok $? "... and writes nothing else there"
cp "$T/reg.db.d/models/$TSHA" "$T/model.orig"
printf '\001' | dd of="$T/reg.db.d/models/$TSHA" bs=1 seek=200 conv=notrunc 2>/dev/null
expect 1 "prove refuses a stored model that differs from the registered sha256" "$ZKREG" prove \
  --statement "$S7" -o "$T/px"
[ ! -e "$T/px" ]; ok $? "... and writes no proof"
cp "$T/model.orig" "$T/reg.db.d/models/$TSHA"
cp "$T/gpcs.orig" "$G"

# Adversary (docs/threat-model.md, "graph-inference@1 through the product"). A FIFO planted in
# the store or given as the proof blocked open() forever: no worker, so no deadline. `timeout`
# only bounds the old code's hang; the assertions are on exit codes.
rm -f "$G"; mkfifo "$G"
expect 0 "a FIFO in place of the P-root cache: verify recomputes P, does not hang" \
  timeout 120 "$ZKREG" verify --statement "$S7" "$T/p7"
rm -f "$G"; cp "$T/gpcs.orig" "$G"
rm -f "$T/reg.db.d/models/$TSHA"; mkfifo "$T/reg.db.d/models/$TSHA"
expect 9 "a FIFO in place of the stored model: verify refuses it (I/O), does not hang" \
  timeout 120 "$ZKREG" verify --statement "$S7" "$T/p7"
grep -q "not a regular file" "$T/err"; ok $? "... naming it"
rm -f "$T/reg.db.d/models/$TSHA"; cp "$T/model.orig" "$T/reg.db.d/models/$TSHA"
mkfifo "$T/pfifo"
expect 9 "a FIFO as the proof file is refused, not waited on" \
  timeout 120 "$ZKREG" verify --statement "$S7" "$T/pfifo"
# Held: another graph model's P root (LeNet's) in the cache; a dataset file changed after
# registration (a corner pixel, 0 in these images, of another record).
cp "$T/reg.db.d/models/$MODEL_SHA.gpcs" "$G"
expect 1 "verify with another model's P root in the cache is refused" "$ZKREG" verify \
  --statement "$S7" "$T/p7"
cp "$T/gpcs.orig" "$G"
cp "$SMALL" "$T/small.orig"
printf '\377' | dd of="$SMALL" bs=1 seek=$((16 + 784 * 12)) conv=notrunc 2>/dev/null
cmp -s "$SMALL" "$T/small.orig"; [ $? -eq 1 ]; ok $? "a pixel of record 12 changed"
expect 1 "verify after the dataset file changed is refused" "$ZKREG" verify --statement "$S7" \
  "$T/p7"
grep -q "registered commitment" "$T/err"; ok $? "... naming the dataset commitment"
cp "$T/small.orig" "$SMALL"

# ------------------------------------------------------------ attest, gate
(umask 077; echo "cli-cnn-key-pass" >"$T/keypass")
expect 0 "key generate" "$ZKREG" key generate --type ed25519 -o "$T/ed.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key register" "$ZKREG" key register "file:$T/ed.key"
ED_PUB=$("$ZKREG" key public "file:$T/ed.key" | head -1)
att() { # statement proof out
  "$ZKREG" attest --statement "$1" --proof "$2" --key "file:$T/ed.key" -o "$3" \
    --passphrase-file "$T/keypass" --registry-passphrase-file "$T/pass"
}
expect 1 "attest refuses the record-7 proof for record 8 (laundered)" att "$S8" "$T/p7" "$T/l.att"
grep -q "input mismatch" "$T/err"; ok $? "... naming the record"
expect 1 "attest refuses the graph proof under the MLP statement" att "$SM" "$T/p7" "$T/l.att"
expect 1 "attest refuses a tampered graph proof" att "$S7" "$T/pbad" "$T/l.att"
[ ! -e "$T/l.att" ]; ok $? "... and no refused attestation was written"
expect 0 "attest the graph proof (verify before sign)" att "$S7" "$T/p7" "$T/g.att"
printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["fmnist-lenet@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true}\n' "$ED_PUB" >"$T/policy.json"
expect 0 "gate passes the graph attestation" "$ZKREG" gate --policy "$T/policy.json" "$T/g.att"

# ------------------------------------------------------------ export / import
expect 0 "export the graph statement" "$ZKREG" export -o "$T/b.zkb" --statement "$S7" \
  --passphrase-file "$T/pass"
expect 0 "a second registry" "$ZKREG" --registry "$T/r2.db" init --passphrase-file "$T/pass" \
  --kdf interactive
VK=$("$ZKREG" --json log key 2>/dev/null | sed -n 's/.*"verifier_key":"\([^"]*\)".*/\1/p')
# Held (adversary): the bundle's graph statement rebound to record 8 (the u64 after the last
# "record_index" in the bundle, the statement's parameter) is refused; nothing imported.
off=$(grep -obUa record_index "$T/b.zkb" | tail -1 | cut -d: -f1)
cp "$T/b.zkb" "$T/b8.zkb"
printf '\010' | dd of="$T/b8.zkb" bs=1 seek=$((off + 30)) conv=notrunc 2>/dev/null
cmp -s "$T/b.zkb" "$T/b8.zkb"; [ $? -eq 1 ]; ok $? "a bundle with the statement's record index changed"
expect 1 "import of the rebound graph statement is refused" "$ZKREG" --registry "$T/r2.db" \
  import "$T/b8.zkb" --trusted-key "$VK"
expect 0 "import it there" "$ZKREG" --registry "$T/r2.db" import "$T/b.zkb" --trusted-key "$VK"
expect 0 "the graph model's bytes placed beside the second registry (already registered)" \
  "$ZKREG" --registry "$T/r2.db" register-model "$T/reg.db.d/models/$TSHA" --program "$TPSHA"
grep -q "already" "$T/out" "$T/err"; ok $? "... identical: nothing new registered"
expect 0 "the dataset file known there too" "$ZKREG" --registry "$T/r2.db" register-dataset "$SMALL"
expect 0 "the imported statement verifies on the second registry" "$ZKREG" --registry "$T/r2.db" \
  verify --statement "$S7" "$T/p7"
expect 1 "... and the tampered proof does not" "$ZKREG" --registry "$T/r2.db" verify \
  --statement "$S7" "$T/pbad"

# ------------------------------------------------------------ CONCAT on channels
expect 0 "register-program of a small CNN with a Concat and a depthwise x2 conv" "$ZKREG" --json register-program "$CAT"
CP=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/out")
expect 0 "register-model --calibrate of it" "$ZKREG" --json register-model "$CAT" \
  --program "$CP" --calibrate "$SD"
CM=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/out")
grep -q '"commitment":"[0-9a-f]\{64\}"' "$T/out"; ok $? "... committed by zkreg (CONCAT and the multiplier are proven)"
expect 0 "infer record 9 with it" "$ZKREG" infer --model "$CM" --dataset "$SD" --record 9 \
  --output-file "$T/cout9.bin"
expect 0 "statement for record 9, output from the model" "$ZKREG" register-statement \
  --schema fmnist-lenet@1 --program "$CP" --model "$CM" --dataset "$SD" --param record_index=9 \
  --public-output-from-model
SC=$(cat "$T/out")
grep -q "bound public output $(od -An -tx1 "$T/cout9.bin" | tr -d ' \n')" "$T/err"
ok $? "... binds exactly zkreg infer's output bytes"
expect 0 "prove the Concat statement" "$ZKREG" prove --statement "$SC" -o "$T/pc"
expect 0 "verify it" "$ZKREG" verify --statement "$SC" "$T/pc"
sz=$(wc -c <"$T/pc")
cp "$T/pc" "$T/pcbad"
printf '\001' | dd of="$T/pcbad" bs=1 seek=$((sz / 3)) conv=notrunc 2>/dev/null
cmp -s "$T/pc" "$T/pcbad"; [ $? -eq 1 ]; ok $? "a byte of the Concat proof changed"
expect 1 "a tampered Concat proof is refused" "$ZKREG" verify --statement "$SC" "$T/pcbad"
head -c $((sz - 5)) "$T/pc" >"$T/pctrunc"
expect 3 "a truncated Concat proof is malformed" "$ZKREG" verify --statement "$SC" "$T/pctrunc"
expect 1 "the Concat proof under the small CNN's statement is refused" "$ZKREG" verify \
  --statement "$S7" "$T/pc"

# ------------------------------------------------------------ bad ONNX
sum_reg() { cat "$T/reg.db" "$T/reg.db-wal" 2>/dev/null | sha256sum; }
before=$(sum_reg)
perl -0777 -pe 's/\x22\x07MaxPool/\x22\x07MaxPoom/' "$FIX" >"$T/bad.onnx"
expect 3 "register-program of an ONNX with an unknown operator" "$ZKREG" register-program \
  "$T/bad.onnx"
grep -q "node 2 (MaxPoom '/2/MaxPool'): unsupported operator" "$T/err"
ok $? "... naming the node's index, op, name and the reason"
expect 3 "register-model --calibrate of it" "$ZKREG" register-model "$T/bad.onnx" --program 1 \
  --calibrate "$DATA"
grep -q "node 2 (MaxPoom '/2/MaxPool')" "$T/err"; ok $? "... naming the node"
[ "$(sum_reg)" = "$before" ]; ok $? "the registry is byte-identical afterwards"
echo "1..$n"
exit $fail
