#!/usr/bin/env bash
# Kill-anywhere coverage of the commands that write outside one SQLite
# transaction (TAP): `train --steps N` (model store files, registrations,
# lineage events), `attest` (proof record, attestation file, log event),
# `export` (a checkpoint signed, the bundle file) and `key generate` (a key
# file), each SIGKILLed at a random moment, several times. After every kill:
# PRAGMA integrity_check is ok and `log verify` passes; then the same
# command runs to completion, after which no temporary file is left
# anywhere, every file in the model store and every remembered dataset path
# belongs to a registered object, and the log still verifies.
# The C test test_crash.c does the same for the registry API.
# Usage: test_kill.sh PATH/TO/zkreg [--seed N]
set -u
Z=$(readlink -f "${1:?usage: test_kill.sh ZKREG}")
SEED=${3:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
echo "# seed $SEED (rerun with --seed $SEED)"
SRC=$(readlink -f "${ZKR_SOURCE_ROOT:-$(dirname "$0")/../..}")
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
ROUNDS=${ZKR_KILL_ROUNDS:-6}
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-kill-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
jget() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -n1; }

printf 'kill registry pass\n' > rp; printf 'kill key pass\n' > kp; chmod 600 rp kp
export ZKREG_PASSPHRASE_FILE=$T/rp ZKREG_REGISTRY=$T/r.db
export ZKREG_ATTEST_TIME=1795000000
unset ZKR_TEST_PAUSE_FIFO ZKR_TEST_PAUSE_AT ZKR_TEST_PAUSE_SKIP || true

# The public output bytes of an `infer --json` result (docs/cli.md).
output_bytes() {
  local logits arg cnt
  logits=$(sed -n 's/.*"logits":\[\([^]]*\)\].*/\1/p' "$1")
  arg=$(sed -n 's/.*"argmax":\([0-9]*\).*/\1/p' "$1")
  cnt=$(echo "$logits" | tr ',' '\n' | wc -l)
  printf '\000\000\000'; printf "\\$(printf %03o "$cnt")"
  for v in $(echo "$logits" | tr ',' ' '); do printf "\\$(printf %03o $(( (v + 256) % 256 )))"; done
  printf '\000\000\000'; printf "\\$(printf %03o "$arg")"
}

# ---- set-up: an inference statement with its proof, a registered key, a training model ----
{
  "$Z" init --kdf interactive &&
  "$Z" register-program "$FIX" &&
  "$Z" --json register-model "$FIX" --program 1 --calibrate "$DATA" > m.json &&
  "$Z" register-dataset "$DATA" &&
  printf '{"name":"fm","version":1,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":true,"fields":[{"name":"record_index","type":"u64"}]}\n' > s.json &&
  "$Z" register-schema s.json &&
  "$Z" --json infer --model-file "r.db.d/models/$(jget sha256 m.json)" --dataset-file "$DATA" --record 7 > i7.json &&
  output_bytes i7.json > o7.bin &&
  "$Z" --json register-statement --schema fm@1 --program 1 --model 2 --dataset 3 --param record_index=7 --public-output o7.bin > st.json &&
  "$Z" prove --statement "$(jget statement_id st.json)" -o pA &&
  "$Z" key generate --type ed25519 -o ed.key --passphrase-file kp --kdf interactive &&
  "$Z" key register "file:$T/ed.key" &&
  "$Z" train-init --dims 784,8,10 --seed-text kill --out-dir tm &&
  "$Z" --json register-program tm/program.zkrprog > tp.json &&
  "$Z" --json register-model tm/init.zkrtm --program "$(jget id tp.json)" > tmod.json
} >setup.log 2>&1
ok $? "set-up: statement, proof, key, training model ($(tail -c 200 setup.log | tr '\n' ' '))"
A=$(jget statement_id st.json)
TM=$(jget id tmod.json)

# Temporary files anywhere under the test directory (atomic writes, registry creation).
temps() { find "$T" \( -name '*.tmp.*' -o -name '*.init-*' \) -print; }

# Every store file names a registered object.
no_orphans() {
  local f sha bad=0
  "$Z" --json list model > lm.json 2>/dev/null
  "$Z" --json list dataset > ld.json 2>/dev/null
  for f in r.db.d/models/*; do
    [ -e "$f" ] || continue
    sha=$(basename "$f")
    grep -q "\"sha256\":\"$sha\"" lm.json || { echo "# orphan model store file $f"; bad=1; }
  done
  for f in r.db.d/datasets/*.path; do
    [ -e "$f" ] || continue
    sha=$(basename "$f" .path)
    grep -q "\"sha256\":\"$sha\"" ld.json || { echo "# orphan dataset path $f"; bad=1; }
  done
  return $bad
}

# Seconds (as a decimal) one complete run of the command took.
duration() {
  local s e
  s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
  echo $(( (e - s) / 1000000 ))
}

# kill_rounds NAME PREP -- COMMAND...: ROUNDS times: PREP, start COMMAND, SIGKILL it after a
# random share of its duration, check the registry, run COMMAND to completion, check again.
kill_rounds() {
  local name=$1 prep=$2; shift 3
  local ms bad=0 i pid delay rc left
  eval "$prep"
  ms=$(duration "$@")
  for i in $(seq 1 "$ROUNDS"); do
    eval "$prep"
    delay=$(( RANDOM % (ms + 1) ))
    "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ "$(sqlite3 r.db 'PRAGMA integrity_check' 2>&1)" = ok ] ||
      { bad=1; echo "# $name round $i (kill at ${delay} ms): integrity_check failed"; }
    "$Z" log verify >/dev/null 2>err.txt ||
      { bad=1; echo "# $name round $i (kill at ${delay} ms): log verify: $(head -c 300 err.txt | tr "\n" " ")"; }
    eval "$prep"
    "$@" >/dev/null 2>err.txt; rc=$?
    [ "$rc" = 0 ] || { bad=1; echo "# $name round $i: the next run exits $rc: $(head -c 300 err.txt | tr "\n" " ")"; }
    left=$(temps)
    [ -z "$left" ] || { bad=1; echo "# $name round $i: temporary files left: $(echo $left)"; }
    no_orphans || bad=1
    "$Z" log verify >/dev/null 2>err.txt ||
      { bad=1; echo "# $name round $i: log verify after the next run: $(head -c 300 err.txt | tr "\n" " ")"; }
  done
  ok $bad "$name: $ROUNDS kills at random moments (one run takes ${ms} ms): registry intact, next run ok, no temporary or orphan files"
}

kill_rounds "train --steps 4" ":" -- \
  "$Z" train --model "$TM" --dataset 3 --batch-size 4 --steps 4 --lr 3 --shift 16
kill_rounds "attest" ":" -- \
  "$Z" attest --statement "$A" --proof pA --key "file:$T/ed.key" -o att.json \
    --passphrase-file kp --registry-passphrase-file rp
"$Z" verify-attestation att.json --trusted-key "file:$T/ed.key" >/dev/null 2>err.txt
ok $? "the attestation of the last run verifies against the registry: $(head -c 200 err.txt | tr "\n" " ")"
# Each export finds a new entry past the stored checkpoint, so it also signs one.
kill_rounds "export" 'echo "program $RANDOM$RANDOM" > px; "$Z" register-program px >/dev/null 2>&1' -- \
  "$Z" export -o b.bundle --passphrase-file rp
kill_rounds "key generate" 'if [ -e k.key ]; then "$Z" key public "file:$T/k.key" >/dev/null 2>&1 || { echo "# k.key incomplete"; bad=1; }; rm -f k.key; fi' -- \
  "$Z" key generate --type secp256k1 -o k.key --passphrase-file kp --kdf interactive

echo "1..$n"
[ "$failed" = 0 ]
