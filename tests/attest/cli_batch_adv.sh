#!/usr/bin/env bash
# Adversary tests for attest --batch, register-batch and register-model
# (TAP), real zkreg binary. attest --batch: two spellings of one output
# file, an output that would replace the registry, its -wal, its store or
# the signing key (single attest too), a revocation committed while the
# batch runs, JSON edge cases (NUL, huge numbers, deep nesting, duplicate
# keys); each attests and writes nothing it must not. register-batch: a
# failure late in the batch leaves no row, log entry or statement; "@N"
# self, forward and wrong-type references; a junk model for a program
# registered in the batch. register-model: changed bytes in
# <registry>.d/programs/ do not make a junk model acceptable.
# Usage: cli_batch_adv.sh ZKREG
set -u
Z=$(readlink -f "${1:?usage: cli_batch_adv.sh ZKREG}")
SRC=${ZKR_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-batch-adv-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
export ZKREG_REGISTRY=$T/reg.db ZKREG_ATTEST_TIME=1795000000
unset ZKREG_PASSPHRASE_FILE ZKREG_TEST_ATTEST_PAUSE ZKR_TEST_PAUSE_FIFO ZKR_TEST_PAUSE_AT ZKR_TEST_PAUSE_SKIP || true
n=0
failed=0
ok() { n=$((n + 1)); local d; d=$(printf "%s" "$2" | tr "\n" " "); if [ "$1" = 0 ]; then echo "ok $n - $d"; else echo "not ok $n - $d"; failed=$((failed + 1)); fi; }
count() { sqlite3 -readonly "$ZKREG_REGISTRY" "select count(*) from log where type='$1'"; }
logn() { sqlite3 -readonly "$ZKREG_REGISTRY" "select count(*) from log"; }
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }
output_bytes() {
  python3 - "$1" "$2" <<'EOF'
import json, struct, sys
d = json.load(open(sys.argv[1]))
lg = d["logits"]
open(sys.argv[2], "wb").write(struct.pack(">I", len(lg)) + bytes((v + 256) % 256 for v in lg) + struct.pack(">I", d["argmax"]))
EOF
}

(umask 077; echo "adv registry pass" > regpass; echo "adv key pass" > keypass)
R="--registry-passphrase-file $T/regpass"
"$Z" init --passphrase-file regpass --kdf interactive >/dev/null 2>&1 &&
  "$Z" register-program "$FIX" >/dev/null 2>&1 &&
  "$Z" --json register-model "$FIX" --program 1 --calibrate "$DATA" > m.json 2>/dev/null &&
  "$Z" register-dataset "$DATA" >/dev/null 2>&1; ok $? "registry: program, model, dataset"
printf '{"name":"fm","version":1,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":true,"fields":[{"name":"record_index","type":"u64"}]}\n' > schema.json
"$Z" register-schema schema.json >/dev/null 2>&1 &&
  "$Z" key generate --type ed25519 -o signer.key --passphrase-file keypass --kdf interactive >/dev/null 2>&1 &&
  "$Z" key register file:signer.key >/dev/null 2>&1; ok $? "schema, key generate and register"
MODEL=$T/reg.db.d/models/$(jget m.json sha256)
for rec in 7 8; do
  "$Z" --json infer --model-file "$MODEL" --dataset-file "$DATA" --record $rec > "infer-$rec.json" 2>/dev/null &&
    output_bytes "infer-$rec.json" "out-$rec.bin" &&
    "$Z" --json register-statement --schema fm@1 --program 1 --model 2 --dataset 3 \
      --param record_index=$rec --public-output "out-$rec.bin" > "st-$rec.json" 2>/dev/null &&
    jget "st-$rec.json" statement_id > "sid-$rec" &&
    "$Z" prove --statement "$(cat sid-$rec)" -o "p$rec.zkp" >/dev/null 2>&1; ok $? "statement and proof of record $rec"
done
S7=$(cat sid-7); S8=$(cat sid-8)
A="--key file:signer.key --passphrase-file keypass $R"

# --- attest --batch: outputs ---------------------------------------------
mkdir al
ln -s "$T/al" alink
att0=$(count attestation)
for second in "al/./x.att" "./al/x.att" "al//x.att" "alink/x.att" "$T/al/x.att"; do
  printf '{"statement": "%s", "proof": "p7.zkp", "out": "al/x.att"}\n{"statement": "%s", "proof": "p8.zkp", "out": "%s"}\n' "$S7" "$S8" "$second" > alias.jsonl
  "$Z" attest --batch alias.jsonl $A >/dev/null 2>err.txt; rc=$?
  [ "$rc" = 2 ] && grep -q "lines 1 and 2 both write" err.txt && [ ! -e al/x.att ] &&
    [ "$(count attestation)" = "$att0" ]; ok $? "two spellings of one output (al/x.att, $second): exit 2, nothing attested (rc $rc)"
done
printf '{"statement": "%s", "proof": "p7.zkp", "out": "al/x.att"}\n{"statement": "%s", "proof": "p8.zkp", "out": "al/y.att"}\n' "$S7" "$S8" > twin.jsonl
"$Z" attest --batch twin.jsonl $A >/dev/null 2>&1 && [ -s al/x.att ] && [ -s al/y.att ] &&
  [ "$(count attestation)" = $((att0 + 2)) ]; ok $? "two distinct outputs in one directory: both attested (accept twin)"

regsum() { cat reg.db reg.db-wal 2>/dev/null | sha256sum; }
for victim in reg.db reg.db-wal reg.db-shm reg.db-journal "reg.db.d/models/x.att" signer.key "./alink/../reg.db"; do
  before=$(regsum); kbefore=$(sha256sum < signer.key); att0=$(count attestation)
  printf '{"statement": "%s", "proof": "p7.zkp", "out": "%s"}\n' "$S7" "$victim" > victim.jsonl
  "$Z" attest --batch victim.jsonl $A >/dev/null 2>err.txt; rc=$?
  [ "$rc" = 2 ] && grep -q "may not" err.txt && [ "$(regsum)" = "$before" ] &&
    [ "$(sha256sum < signer.key)" = "$kbefore" ] && [ "$(count attestation)" = "$att0" ]
  ok $? "attest --batch out $victim: exit 2, registry and key intact (rc $rc: $(head -c 120 err.txt))"
  "$Z" attest --statement "$S7" --proof p7.zkp $A -o "$victim" >/dev/null 2>err.txt; rc=$?
  [ "$rc" = 2 ] && [ "$(regsum)" = "$before" ] && [ "$(sha256sum < signer.key)" = "$kbefore" ] &&
    [ "$(count attestation)" = "$att0" ]; ok $? "attest -o $victim: exit 2, registry and key intact (rc $rc)"
done
"$Z" log verify >/dev/null 2>&1; ok $? "log verify after the refused outputs"

# --- attest --batch: a revocation while the batch runs --------------------
mkfifo pause
printf '{"statement": "%s", "proof": "p7.zkp", "out": "r7.att"}\n{"statement": "%s", "proof": "p8.zkp", "out": "r8.att"}\n' "$S7" "$S8" > race.jsonl
att0=$(count attestation); ref0=$(count attest-refusal)
ZKREG_TEST_ATTEST_PAUSE=$T/pause "$Z" attest --batch race.jsonl $A >race.out 2>&1 &
pid=$!
"$Z" revoke statement "$S8" --reason "revoked while the batch runs" >/dev/null 2>&1; rrc=$?
exec 4>pause; exec 4>&-
wait $pid; rc=$?
[ "$rrc" = 0 ] && [ "$rc" = 1 ] && [ -s r7.att ] && [ ! -e r8.att ] && grep -q "^line 2: REFUSED $S8 (exit 6" race.out &&
  [ "$(count attestation)" = $((att0 + 1)) ] && [ "$(count attest-refusal)" = $((ref0 + 1)) ]
ok $? "a statement revoked after the key is opened: its line refused (exit 6), the other attested (rc $rc)"
"$Z" log verify >/dev/null 2>&1; ok $? "log verify after the races"

# --- attest --batch: JSON edge cases --------------------------------------
att0=$(count attestation); ref0=$(count attest-refusal)
edge() { # NAME LINE...
  local name=$1; shift
  printf '%s\n' "$@" > edge.jsonl
  "$Z" attest --batch edge.jsonl $A --out-dir al >/dev/null 2>err.txt; rc=$?
  [ "$rc" = 3 ] && [ "$(count attestation)" = "$att0" ] && [ "$(count attest-refusal)" = "$ref0" ]
  ok $? "$name: exit 3, nothing verified or logged (rc $rc: $(head -c 100 err.txt))"
}
edge "NUL in out" "{\"statement\": 1, \"proof\": \"p7.zkp\", \"out\": \"a\\u0000b\"}"
edge "NUL in proof" "{\"statement\": 1, \"proof\": \"p7.zkp\\u0000x\"}"
edge "huge statement number" "{\"statement\": 99999999999999999999999, \"proof\": \"p7.zkp\"}"
edge "real statement number" "{\"statement\": 1.0, \"proof\": \"p7.zkp\"}"
edge "duplicate key" "{\"statement\": 1, \"proof\": \"p7.zkp\", \"proof\": \"p8.zkp\"}"
edge "deep nesting" "{\"statement\": 1, \"proof\": \"p7.zkp\", \"out\": $(printf '[%.0s' $(seq 3000))$(printf ']%.0s' $(seq 3000))}"
edge "a bad line after a good one" "{\"statement\": \"$S7\", \"proof\": \"p7.zkp\"}" "{\"statement\": 1"

# --- register-batch ------------------------------------------------------
cp "$FIX" copy.onnx
printf '{"name":"adv","version":1,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":true,"fields":[{"name":"record_index","type":"u64"}]}\n' > schema2.json
# Fixed junk (seeded): a first byte of 0x08 would be read as an ONNX file
# (exit 3 before the program store is checked; random junk did so once in 256).
python3 -c 'import random, sys; r = random.Random(11); b = bytearray(r.getrandbits(8) for _ in range(4096)); b[0] = 0x5a; sys.stdout.buffer.write(b)' > junk.bin
printf '\x01junk' >> junk.bin
rows() { sqlite3 -readonly "$ZKREG_REGISTRY" "select (select count(*) from log)||'/'||(select count(*) from artifact)||'/'||(select count(*) from schema)||'/'||(select count(*) from statement)"; }
rb() { # NAME WANT_RC LINE...
  local name=$1 want=$2; shift 2
  printf '%s\n' "$@" > rb.jsonl
  before=$(rows)
  "$Z" register-batch rb.jsonl >/dev/null 2>err.txt; rc=$?
  [ "$rc" = "$want" ] && [ "$(rows)" = "$before" ]; ok $? "register-batch $name: exit $want, no row or log entry (rc $rc: $(head -c 120 err.txt))"
}
rb "late failure after new rows" 3 '{"type":"schema","file":"schema2.json"}' \
  '{"type":"program","file":"copy.onnx","name":"copy"}' \
  "{\"type\":\"statement\",\"schema\":\"@1\",\"program\":1,\"model\":2,\"dataset\":3,\"params\":{\"record_index\":9},\"public_output\":\"out-7.bin\"}" \
  '{"type":"dataset","file":"nope.idx"' 
rb "self reference" 3 '{"type":"schema","file":"schema2.json"}' '{"type":"model","file":"copy.onnx","program":"@2"}'
rb "forward reference" 3 '{"type":"model","file":"copy.onnx","program":"@2"}' '{"type":"program","file":"copy.onnx","name":"copy"}'
rb "reference to a line of another type" 3 '{"type":"schema","file":"schema2.json"}' '{"type":"model","file":"copy.onnx","program":"@1"}'
rb "reference to a blank line" 3 '' '{"type":"model","file":"copy.onnx","program":"@1"}'
rb "junk model of a program registered in the batch" 3 '{"type":"program","file":"copy.onnx","name":"copy"}' \
  '{"type":"model","file":"junk.bin","program":"@1","name":"junk"}'
rb "statement binding a revoked statement's twin schema? (unknown schema)" 4 \
  "{\"type\":\"statement\",\"schema\":\"nosuch@1\",\"program\":1,\"model\":2,\"dataset\":3,\"params\":{\"record_index\":9}}"
"$Z" revoke program 1 --reason "adv: revoked program" >/dev/null 2>&1
rb "statement binding a revoked program" 6 '{"type":"schema","file":"schema2.json"}' \
  "{\"type\":\"statement\",\"schema\":\"@1\",\"program\":1,\"model\":2,\"dataset\":3,\"params\":{\"record_index\":9},\"public_output\":\"out-7.bin\"}"
"$Z" log verify >/dev/null 2>&1; ok $? "log verify after the rolled-back batches"
# The statement cache after the rollbacks: a good batch still registers, and the log agrees.
printf '%s\n' '{"type":"schema","file":"schema2.json"}' '{"type":"program","file":"copy.onnx","name":"copy"}' > good.jsonl
before=$(sqlite3 -readonly "$ZKREG_REGISTRY" "select count(*) from schema")
"$Z" register-batch good.jsonl >/dev/null 2>&1 &&
  [ "$(sqlite3 -readonly "$ZKREG_REGISTRY" "select count(*) from schema")" = $((before + 1)) ] &&
  "$Z" log verify >/dev/null 2>&1; ok $? "a good batch after the rolled-back ones registers, log verify passes"

# --- register-model: the program store ------------------------------------
export ZKREG_REGISTRY=$T/reg2.db
"$Z" init --passphrase-file regpass --kdf interactive >/dev/null 2>&1 &&
  "$Z" --json register-program "$FIX" > p2.json 2>/dev/null; ok $? "second registry: a program zkreg understands"
PSTORE=$T/reg2.db.d/programs/$(jget p2.json sha256)
"$Z" register-model junk.bin --program 1 >/dev/null 2>&1; [ $? = 3 ]; ok $? "junk model refused (exit 3)"
cp "$PSTORE" pstore.orig
printf 'not the program' > "$PSTORE"
before=$(logn)
"$Z" register-model junk.bin --program 1 >/dev/null 2>err.txt; rc=$?
[ "$rc" = 9 ] && [ "$(logn)" = "$before" ]; ok $? "changed bytes in the program store: junk model still refused (rc $rc: $(head -c 120 err.txt))"
cp pstore.orig "$PSTORE"
"$Z" register-model "$FIX" --program 1 --calibrate "$DATA" >/dev/null 2>&1; ok $? "store restored: the real model registers (accept twin)"

echo "1..$n"
exit $((failed > 0))
