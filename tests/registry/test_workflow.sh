#!/usr/bin/env bash
# Workflow commands of the built zkreg, end to end (TAP): register-batch
# (all or nothing, one transaction), progress lines (a terminal only), the
# unknown-command message. Every refusal must leave the registry file
# byte-for-byte unchanged.
# Usage: test_workflow.sh PATH/TO/zkreg
set -u
Z=$(readlink -f "${1:?usage: test_workflow.sh ZKREG}")
FM=/usr/share/datasets/fashion-mnist
SRC=${ZKR_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-wf-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

printf 'pass phrase wf\n' > pass; chmod 600 pass
export ZKREG_PASSPHRASE_FILE=$T/pass
export ZKREG_REGISTRY=$T/r.db

# run EXPECTED_EXIT WORD_IN_STDERR DESCRIPTION -- zkreg args...
run() {
  local want=$1 word=$2 what=$3; shift 4
  local before after rc
  before=$(sha256sum "$ZKREG_REGISTRY" 2>/dev/null | cut -d' ' -f1)
  "$Z" "$@" >out.txt 2>err.txt; rc=$?
  after=$(sha256sum "$ZKREG_REGISTRY" 2>/dev/null | cut -d' ' -f1)
  if [ "$rc" = "$want" ] && grep -qF -- "$word" err.txt && { [ "$want" = 0 ] || [ "$before" = "$after" ]; }; then
    ok 0 "$what (exit $rc)"
  else
    ok 1 "$what: want exit $want naming '$word', got $rc: $(head -c 300 err.txt)"
  fi
}
# log_size: the number of log entries.
log_size() { "$Z" --json list log | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))'; }

# --- an unknown command -------------------------------------------------------
"$Z" frobnicate >out.txt 2>err.txt; rc=$?
printf "zkreg: usage error: unknown command 'frobnicate'\n(see zkreg --help)\n" > want.txt
[ "$rc" = 2 ] && cmp -s err.txt want.txt && [ ! -s out.txt ]
ok $? "unknown command: exit 2 and exactly: $(tr '\n' '|' < err.txt)"
"$Z" --json frobnicate >out.txt 2>/dev/null; rc=$?
[ "$rc" = 2 ] && grep -qF '"message":"unknown command '"'"'frobnicate'"'"'"' out.txt; ok $? "unknown command --json names it"

"$Z" init --kdf interactive >/dev/null 2>&1; ok $? "init"

# --- register-batch -----------------------------------------------------------
echo "program one" > p1.bin
echo "weights one" > w1.bin
printf 'alpha\nbeta\ngamma\n' > d.txt
cat > s.json <<'EOF'
{"name": "wf", "version": 1, "proof_kind": "inference@1", "proof_system": "zkreg-sumcheck-basefold",
 "parameter_set": "goldilocks-128", "verifier_version": "0.2.0", "public_output": false,
 "fields": [{"name": "n", "type": "u64"}, {"name": "idx", "type": "u64-list"}]}
EOF
cat > good.jsonl <<'EOF'
{"type": "program", "file": "p1.bin", "name": "prog"}
{"type": "model", "file": "w1.bin", "program": "@1", "name": "weights"}

{"type": "dataset", "file": "d.txt"}
{"type": "schema", "file": "s.json"}
{"type": "statement", "schema": "wf@1", "program": "@1", "model": "@2", "dataset": "@4", "params": {"n": 7, "idx": [0, 2]}}
{"type": "statement", "schema": "@5", "program": 1, "model": "@2", "dataset": "@4", "params": {"n": "8", "idx": "1"}}
EOF
"$Z" register-batch good.jsonl >out.txt 2>err.txt; ok $? "register-batch of every record type"
[ "$(grep -c '^line ' out.txt)" = 6 ] && grep -q '^line 2: model 2 weights v1 sha256:' out.txt &&
  grep -q '^line 7: statement 2 [0-9a-f]\{64\}$' out.txt; ok $? "one result line per record, named by line"
[ "$(log_size)" = 6 ]; ok $? "six log entries, appended in the batch's transaction"
"$Z" log verify >/dev/null 2>&1; ok $? "log verify passes after register-batch"
"$Z" --json register-batch good.jsonl >out.txt 2>/dev/null; ok $? "the same batch again"
python3 - <<'EOF'; ok $? "--json: count, new 0, existed 6, results with lines"
import json
d = json.load(open("out.txt"))
assert d["ok"] and d["count"] == 6 and d["new"] == 0 and d["existed"] == 6, d
assert [r["line"] for r in d["results"]] == [1, 2, 4, 5, 6, 7]
assert d["results"][1]["kind"] == "model" and d["results"][4]["statement_id"]
EOF
[ "$(log_size)" = 6 ]; ok $? "identical re-registration writes nothing"

# A bad line in the middle: nothing at all is registered.
echo "program two" > p2.bin
echo "weights two" > w2.bin
mk_bad() {  # mk_bad LINE3 > file: two good new records, LINE3, then a good one
  printf '%s\n' '{"type": "program", "file": "p2.bin"}' \
    '{"type": "model", "file": "w2.bin", "program": "@1"}' "$1" \
    '{"type": "statement", "schema": "wf@1", "program": "@1", "model": "@2", "dataset": 3, "params": {"n": 1, "idx": [0]}}'
}
before=$(log_size)
mk_bad '{"type": "statement", "schema": "wf@1", "program": 1, "model": 2, "dataset": 3, "params": {"n": 9, "idx": [0]}, "colour": "red"}' > bad1.jsonl
run 3 "line 3: field 'colour'" "a bad line in the middle (unknown field): nothing registered" -- register-batch bad1.jsonl
mk_bad '{"type": "statement", "schema": "wf@1", "program": 1, "model": 2, "dataset": 3, "params": {"n": -1, "idx": [0]}}' > bad2.jsonl
run 3 "line 3: --param n" "a bad line in the middle (negative u64): nothing registered" -- register-batch bad2.jsonl
mk_bad '{"type": "model", "file": "w1.bin", "program": 99}' > bad3.jsonl
run 4 "line 3: program 99" "a bad line in the middle (unknown program): nothing registered" -- register-batch bad3.jsonl
mk_bad '{"type": "program", "file": "p1.bin", ' > bad4.jsonl
run 3 "line 3: not JSON" "a line that is not JSON: nothing registered" -- register-batch bad4.jsonl
mk_bad '{"type": "statement", "schema": "wf@1", "program": "@1", "model": "@4", "dataset": 3, "params": {"n": 2, "idx": [0]}}' > bad5.jsonl
run 3 "line 3: field 'model'" "a reference to a later line" -- register-batch bad5.jsonl
mk_bad '{"type": "statement", "schema": "wf@1", "program": "@1", "model": "@1", "dataset": 3, "params": {"n": 2, "idx": [0]}}' > bad6.jsonl
run 3 "line 1 registered a program, not a model" "a reference to a line of another kind" -- register-batch bad6.jsonl
mk_bad '{"type": "widget", "file": "p1.bin"}' > bad7.jsonl
run 3 "line 3: field 'type'" "an unknown record type" -- register-batch bad7.jsonl
mk_bad '{"type": "program"}' > bad8.jsonl
run 3 "line 3: field 'file': missing" "a missing field" -- register-batch bad8.jsonl
mk_bad '{"type": "program", "file": "nosuch.bin"}' > bad9.jsonl
run 4 "line 3: nosuch.bin" "a missing file" -- register-batch bad9.jsonl
"$Z" revoke program 1 --reason "test revocation" >/dev/null; before=$(log_size)
mk_bad '{"type": "model", "file": "w2.bin", "program": 1, "name": "late"}' > bad10.jsonl
run 6 "line 3: program" "a model of a revoked program" -- register-batch bad10.jsonl
[ "$(log_size)" = "$before" ]; ok $? "no log entry after any refused batch"
"$Z" show program "$(sha256sum p2.bin | cut -d' ' -f1)" >/dev/null 2>&1; [ $? = 4 ]; ok $? "the batch's first record was not registered"
run 2 "exactly one FILE" "register-batch without a file" -- register-batch
run 4 "nosuch.jsonl" "register-batch of a missing file" -- register-batch nosuch.jsonl
"$Z" log verify >/dev/null 2>&1; ok $? "log verify passes after the refusals"

# --- progress: a terminal only -------------------------------------------------
for i in $(seq 1 300); do echo "prog $i" > "pp$i"; echo "{\"type\": \"program\", \"file\": \"pp$i\"}"; done > many.jsonl
"$Z" --registry "$T/p.db" init --kdf interactive >/dev/null 2>&1
"$Z" --registry "$T/p.db" register-batch many.jsonl >out.txt 2>err.txt; ok $? "register-batch of 300 programs (stderr a file)"
! grep -q $'\r\|\033' err.txt && [ "$(wc -l < err.txt)" = 1 ]; ok $? "stderr a file: no progress bytes"
"$Z" --registry "$T/p2.db" init --kdf interactive >/dev/null 2>&1
"$Z" --registry "$T/p2.db" register-dataset "$FM/t10k-images-idx3-ubyte.gz" >out.txt 2>err.txt
! grep -q $'\r\|\033\|committing' err.txt && [ ! -s err.txt ]; ok $? "register-dataset, stderr a file: nothing on stderr"
script -qec "'$Z' --registry '$T/p3.db' init --kdf interactive" /dev/null >/dev/null 2>&1
script -qec "'$Z' --registry '$T/p3.db' register-dataset '$FM/t10k-images-idx3-ubyte.gz'" /dev/null > tty.txt 2>&1
grep -q 'committing records 10000/10000' tty.txt && grep -q $'\033\[K' tty.txt; ok $? "register-dataset on a terminal: progress with the record count"
script -qec "'$Z' --registry '$T/p3.db' register-batch many.jsonl" /dev/null > tty.txt 2>&1
grep -q 'registering line 300/300' tty.txt; ok $? "register-batch on a terminal: progress per line"
script -qec "'$Z' --json --registry '$T/p3.db' register-batch many.jsonl" /dev/null > tty.txt 2>&1
! grep -q $'\033\|registering line' tty.txt; ok $? "--json on a terminal: no progress"

# --- register-model: a model of a program zkreg understands must decode as one ---
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
M=$T/m.db
(
export ZKREG_REGISTRY=$M
"$Z" init --kdf interactive >/dev/null 2>&1
"$Z" register-program "$FIX" >/dev/null 2>&1; ok $? "register-program (ONNX): program 1"
"$Z" train-init --dims 8,4,2 --out-dir tm >/dev/null 2>&1
"$Z" register-program tm/program.zkrprog >/dev/null 2>&1; ok $? "register-program (training): program 2"
echo "opaque program" > op.bin; "$Z" register-program op.bin >/dev/null 2>&1; ok $? "register-program (opaque): program 3"
# Fixed junk (a seeded generator): its first byte is not protobuf's 0x08, which
# register-model reads as an ONNX file (random junk did so once in 256 runs).
python3 -c 'import random, sys; r = random.Random(7); b = bytearray(r.getrandbits(8) for _ in range(4096)); b[0] = 0x5a; sys.stdout.buffer.write(b)' > junk.bin
run 3 "not a model of program 1" "junk bytes as a model of an ONNX program" -- register-model junk.bin --program 1
{ printf '\010'; tail -c +2 junk.bin; } > pbjunk.bin
run 3 "pbjunk.bin: not a valid ONNX protobuf" "junk that starts as protobuf does (0x08) as a model of an ONNX program" -- register-model pbjunk.bin --program 1
run 3 "not a model of program 2" "junk bytes as a model of a training program" -- register-model junk.bin --program 2
run 1 "not program 1" "a training model of program 2 registered for program 1" -- register-model tm/init.zkrtm --program 1
"$Z" register-model junk.bin --program 3 >/dev/null 2>&1; ok $? "opaque bytes for an opaque program: still accepted"
[ "$("$Z" --json list model | grep -o '"sha256"' | wc -l)" = 1 ]; ok $? "only the opaque model was registered"
# Calibration from a registered dataset (its remembered file, checked against its sha256).
gzip -dc "$FM/t10k-images-idx3-ubyte.gz" > cal-images-idx3-ubyte
gzip -dc "$FM/t10k-labels-idx1-ubyte.gz" > cal-labels-idx1-ubyte
"$Z" --json register-dataset cal-images-idx3-ubyte > d.json 2>/dev/null; ok $? "register-dataset (calibration set)"
D=$(python3 -c 'import json; print(json.load(open("d.json"))["id"])')
"$Z" --json register-model "$FIX" --program 1 --calibrate "$D" > byid.json 2>err.txt; ok $? "register-model --calibrate DATASET_ID"
"$Z" --json register-model "$FIX" --program 1 --calibrate cal-images-idx3-ubyte > byfile.json 2>/dev/null
python3 -c 'import json; a = json.load(open("byid.json")); b = json.load(open("byfile.json")); assert a["sha256"] == b["sha256"] and b.get("existed")'
ok $? "calibration by ID and by the same file give the same model"
run 4 "dataset 999" "--calibrate with an unknown dataset ID" -- register-model "$FIX" --program 1 --calibrate 999 --name other
printf '\377' | dd of=cal-images-idx3-ubyte bs=1 seek=5000 conv=notrunc 2>/dev/null
run 1 "differ from dataset $D" "--calibrate with a dataset whose stored file changed" -- register-model "$FIX" --program 1 --calibrate "$D" --name other
) > sub.tap
cat sub.tap
n=$((n + $(grep -c '^\(not \)\?ok' sub.tap)))
failed=$((failed + $(grep -c '^not ok' sub.tap)))

# --- train: readable names, lineage depth, --keep-every, progress ---------------
TR=$T/t.db
(
export ZKREG_REGISTRY=$TR
"$Z" init --kdf interactive >/dev/null 2>&1
"$Z" train-init --dims 784,8,10 --seed-text wf --out-dir tw >/dev/null 2>&1
"$Z" register-program tw/program.zkrprog >/dev/null 2>&1 &&
  "$Z" register-model tw/init.zkrtm --program 1 >/dev/null 2>&1 &&
  "$Z" register-dataset "$FM/t10k-images-idx3-ubyte.gz" >/dev/null 2>&1; ok $? "training set-up"
run 2 "--keep-every" "--keep-every 0" -- train --model 2 --dataset 3 --batch-size 4 --steps 2 --lr 3 --keep-every 0
run 2 "--keep-every" "--keep-every with --prove" -- train --model 2 --dataset 3 --batch-size 4 --steps 2 --lr 3 --keep-every 2 --prove --schema s@1 --out-dir pd
"$Z" train --model 2 --dataset 3 --batch-size 4 --steps 20 --lr 3 --keep-every 5 >out.txt 2>err.txt; ok $? "train 20 steps, --keep-every 5"
grep -q '^step 0: model 4 (init.zkrtm-step-1 v1) from model 2 (bytes not kept)$' out.txt &&
  grep -q '^step 4: model 8 (init.zkrtm-step-5 v1) from model 7$' out.txt &&
  grep -q '^step 19: model 23 (init.zkrtm-step-20 v1) from model 22$' out.txt; ok $? "children named after the parent and their step"
[ "$(grep -c 'bytes not kept' out.txt)" = 16 ]; ok $? "16 of 20 children without their bytes"
[ "$(ls "$TR.d/models" | wc -l)" = 5 ]; ok $? "the store holds the initial model and children 5, 10, 15, 20 only"
! grep -q $'\033' err.txt && [ ! -s err.txt ]; ok $? "stderr a file: no progress bytes"
"$Z" list model > lm.txt; grep -q ' 23  init.zkrtm-step-20 v1  depth 20  sha256:' lm.txt && grep -q ' 2  init.zkrtm v1  depth 0  ' lm.txt
ok $? "list model shows the lineage depth"
"$Z" --json list model | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [m["lineage_depth"] for m in d["items"]] == list(range(0, 21))'
ok $? "list model --json: lineage_depth"
"$Z" lineage 23 > lin.txt; grep -q '^20 step(s) of lineage$' lin.txt; ok $? "lineage: every step, kept or not"
"$Z" log verify >/dev/null 2>&1; ok $? "log verify passes with children whose bytes were not kept"
"$Z" train --model 23 --dataset 3 --batch-size 4 --steps 2 --lr 3 >out.txt 2>&1 &&
  grep -q '(init.zkrtm-step-21 v1) from model 23 (bytes not kept)$' out.txt &&
  grep -q '(init.zkrtm-step-22 v1) from model 24$' out.txt; ok $? "a run from a child continues its step count; only the last child kept by default"
"$Z" train --model 2 --dataset 3 --batch-size 4 --steps 1 --lr 5 --name run-b >out.txt 2>&1 &&
  grep -q '(run-b-step-1 v1) from model 2$' out.txt; ok $? "--name BASE"
run 4 "did not keep" "training from a child whose bytes were not kept" -- train --model 4 --dataset 3 --batch-size 4 --steps 1 --lr 3
"$Z" export -o all.zkb >/dev/null 2>&1 && "$Z" log key > vk.txt &&
  "$Z" --registry "$T/imp.db" init --kdf interactive >/dev/null 2>&1 &&
  "$Z" --registry "$T/imp.db" import all.zkb --trusted-key-file vk.txt >/dev/null 2>&1 &&
  "$Z" --registry "$T/imp.db" log verify >/dev/null 2>&1; ok $? "export and import of the run, audited clean"
script -qec "'$Z' --registry '$TR' train --model 2 --dataset 3 --batch-size 4 --steps 30 --lr 7 --name tty" /dev/null > tty.txt 2>&1
grep -q 'zkreg train: step 30/30' tty.txt && grep -q $'\033\\[K' tty.txt; ok $? "train on a terminal: progress step n/N"
) > sub.tap
cat sub.tap
n=$((n + $(grep -c '^\(not \)\?ok' sub.tap)))
failed=$((failed + $(grep -c '^not ok' sub.tap)))

echo "1..$n"
exit $((failed > 0))
