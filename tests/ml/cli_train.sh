#!/bin/sh
# zkreg train-init / train / lineage / verify (training-step@1) / round, end
# to end in a temporary registry on Fashion-MNIST t10k with a small 784-8-10
# training program: native steps registered with their lineage, a proven
# step verified (tampered and truncated proofs rejected, byte-identical on
# re-proving), and a round of 3 workers where one fakes its update and one
# hands back no proof: both are rejected with the reason, the honest one is
# averaged, and `round audit` recomputes the average. Bad input leaves the
# registry file unchanged. TAP. Usage: cli_train.sh zkreg
set -u
ZKREG=$1
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-train-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ZKREG_REGISTRY="$T/reg.db"
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
expect() {
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq "$want" ]; ok $? "$what (exit $got, want $want)"
  [ "$got" -eq "$want" ] || { sed 's/^/# /' "$T/err"; sed 's/^/# /' "$T/out"; }
}
regsum() { sha256sum "$T/reg.db" | cut -d' ' -f1; }
# Bad input must leave the registry byte-for-byte unchanged.
unchanged() {
  before=$(regsum); want=$1; what=$2; shift 2
  expect "$want" "$what" "$@"
  [ "$(regsum)" = "$before" ]; ok $? "... the registry file is unchanged"
}
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$T/out" | head -1; }

(umask 077; echo "cli-train-test-passphrase" >"$T/pass")
export ZKREG_PASSPHRASE_FILE="$T/pass"
expect 0 "init" "$ZKREG" init --kdf interactive
expect 0 "train-init 784-8-10" "$ZKREG" train-init --dims 784,8,10 --seed-text cli-test --out-dir "$T/m"
expect 0 "train-init again gives the same bytes" "$ZKREG" train-init --dims 784,8,10 --seed-text cli-test --out-dir "$T/m2"
cmp -s "$T/m/init.zkrtm" "$T/m2/init.zkrtm"; ok $? "... the initial model is deterministic"
expect 2 "train-init with one width" "$ZKREG" train-init --dims 784 --out-dir "$T/m3"
expect 0 "register-program (training program)" "$ZKREG" register-program "$T/m/program.zkrprog"
head -c 100 "$T/m/init.zkrtm" >"$T/trunc.zkrtm"
unchanged 3 "register-model of a truncated training model" "$ZKREG" register-model "$T/trunc.zkrtm" --program 1
expect 0 "register-model (training model, committed)" "$ZKREG" --json register-model "$T/m/init.zkrtm" --program 1
grep -q '"commitment":"[0-9a-f]\{64\}"' "$T/out"; ok $? "... it has a commitment"
expect 0 "register-dataset" "$ZKREG" register-dataset "$DATA"
cat >"$T/schema.json" <<'JSON'
{"name": "fmnist-train", "version": 1, "proof_kind": "training-step@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": false,
 "fields": [{"name": "child_model", "type": "digest"},
            {"name": "record_indices", "type": "u64-list"},
            {"name": "lr", "type": "u64"}, {"name": "shift", "type": "u64"},
            {"name": "steps", "type": "u64"}]}
JSON
expect 0 "register-schema training-step@1" "$ZKREG" register-schema "$T/schema.json"

# A training batch is distinct records (issue 12): a statement that repeats one is refused.
CHILD_HEX=$(sha256sum "$T/m/init.zkrtm" | cut -d' ' -f1)
unchanged 3 "register-statement repeating a batch record" "$ZKREG" register-statement \
  --schema fmnist-train@1 --program 1 --model 2 --dataset 3 --param child_model="$CHILD_HEX" \
  --param record_indices=4,9,4 --param lr=3 --param shift=16 --param steps=1
grep -q "record 4 is named twice" "$T/err"; ok $? "... the message names the repeated record"

# Native steps with lineage.
unchanged 2 "train with --lr 0" "$ZKREG" train --model 2 --dataset 3 --batch-size 4 --steps 1 --lr 0 --shift 16
unchanged 2 "train with batch 65" "$ZKREG" train --model 2 --dataset 3 --batch-size 65 --steps 1 --lr 3 --shift 16
unchanged 4 "train from an unknown model" "$ZKREG" train --model 99 --dataset 3 --batch-size 4 --steps 1 --lr 3 --shift 16
expect 0 "train 3 steps, batch 4" "$ZKREG" train --model 2 --dataset 3 --batch-size 4 --steps 3 --lr 3 --shift 16 --eval 3
[ "$(grep -c '^step ' "$T/out")" -eq 3 ]; ok $? "... three children registered"
grep -q '^accuracy: ' "$T/out"; ok $? "... and the last one evaluated"
LAST=$(sed -n 's/^step 2: model \([0-9]*\) .*/\1/p' "$T/out")
expect 0 "lineage of the last child" "$ZKREG" --json lineage "$LAST"
grep -q '"depth":3' "$T/out"; ok $? "... goes back three steps to the initial model"

# A proven step.
mkdir -p "$T/p"
expect 0 "train --prove one step" "$ZKREG" train --model 2 --dataset 3 --batch-size 3 --steps 1 \
  --lr 3 --shift 16 --first-record 40 --prove --schema fmnist-train@1 --out-dir "$T/p"
SID=$(sed -n 's/^  statement \([0-9a-f]*\)$/\1/p' "$T/out")
[ -n "$SID" ] && [ -s "$T/p/step-0.zkp" ]; ok $? "... a statement and a proof"
expect 0 "verify the training proof" "$ZKREG" verify --statement "$SID" "$T/p/step-0.zkp"
cp "$T/p/step-0.zkp" "$T/p0.zkp"
expect 0 "prove the same step again" "$ZKREG" train --model 2 --dataset 3 --batch-size 3 --steps 1 \
  --lr 3 --shift 16 --first-record 40 --prove --schema fmnist-train@1 --out-dir "$T/p"
cmp -s "$T/p/step-0.zkp" "$T/p0.zkp"; ok $? "... byte-identical proof"
size=$(wc -c <"$T/p0.zkp")
head -c $((size / 2)) "$T/p0.zkp" >"$T/trunc.zkp"
unchanged 3 "verify a truncated proof" "$ZKREG" verify --statement "$SID" "$T/trunc.zkp"
cp "$T/p0.zkp" "$T/tamper.zkp"
printf '\377' | dd of="$T/tamper.zkp" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
unchanged 1 "verify a tampered proof" "$ZKREG" verify --statement "$SID" "$T/tamper.zkp"

# A round: 3 workers on records 100..111; worker 1 fakes its update, worker 2 sends no proof.
expect 0 "round open" "$ZKREG" --json round open --model 2 --dataset 3 --workers 3 --first-record 100 \
  --records-per-worker 4 --lr 3 --shift 16 --schema fmnist-train@1
ROUND=$(json_field round)
mkdir -p "$T/w"
for w in 0 1 2; do
  expect 0 "worker $w trains and proves its shard" "$ZKREG" train --round "$ROUND" --worker $w --out-dir "$T/w"
done
unchanged 2 "a worker index past the round" "$ZKREG" train --round "$ROUND" --worker 3 --out-dir "$T/w"
# The cheater changes one weight by one unit (the last byte of its model file) and keeps its proof.
size=$(wc -c <"$T/w/worker-1.zkrtm")
last=$(tail -c 1 "$T/w/worker-1.zkrtm" | od -An -tu1 | tr -d ' ')
printf "\\$(printf %03o $(( (last + 1) % 256 )))" | dd of="$T/w/worker-1.zkrtm" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
unchanged 4 "accept an unknown round" "$ZKREG" round accept 99999 --submission 0="$T/w/worker-0.zkrtm"
unchanged 2 "a submission for a worker past the round" "$ZKREG" round accept "$ROUND" --submission 5="$T/w/worker-0.zkrtm"
expect 0 "round accept" "$ZKREG" round accept "$ROUND" \
  --submission 0="$T/w/worker-0.zkrtm","$T/w/worker-0.zkp" \
  --submission 1="$T/w/worker-1.zkrtm","$T/w/worker-1.zkp" \
  --submission 2="$T/w/worker-2.zkrtm"
grep -q '^worker 0: ACCEPTED' "$T/out"; ok $? "... the honest worker is accepted"
grep -q '^worker 1: REJECTED: proof rejected' "$T/out"; ok $? "... the faked update is rejected with the verifier's reason"
grep -q '^worker 2: REJECTED: unproven update' "$T/out"; ok $? "... the update without a proof is rejected"
grep -q 'closed: 1 update(s) averaged into model' "$T/out"; ok $? "... and the round closed with one update"
[ ! -e "$T/reg.db.d/models/$(sha256sum "$T/w/worker-1.zkrtm" | cut -d' ' -f1)" ]
ok $? "... the rejected update's bytes are not kept in the store"
unchanged 5 "accept a closed round again" "$ZKREG" round accept "$ROUND" --submission 0="$T/w/worker-0.zkrtm","$T/w/worker-0.zkp"
expect 0 "round audit recomputes the average" "$ZKREG" round audit "$ROUND"
expect 0 "round show" "$ZKREG" round show "$ROUND"
[ "$(grep -c 'rejected' "$T/out")" -eq 2 ]; ok $? "... lists the two rejections from the log"
expect 0 "the log still verifies" "$ZKREG" log verify
# The round travels in an export bundle (signed checkpoint, inclusion proofs) to an offline registry.
"$ZKREG" log key >"$T/vkey" 2>/dev/null
expect 0 "export everything" "$ZKREG" export -o "$T/all.zkb"
expect 0 "offline registry" "$ZKREG" --registry "$T/off.db" init --kdf interactive
expect 0 "import the bundle offline" "$ZKREG" --registry "$T/off.db" import "$T/all.zkb" --trusted-key-file "$T/vkey"
"$ZKREG" --registry "$T/off.db" list log >"$T/offlog" 2>&1
[ "$(grep -c 'round-outcome' "$T/offlog")" -eq 3 ] && grep -q 'round-close' "$T/offlog" && grep -q 'lineage' "$T/offlog"
ok $? "... it holds the round's outcomes, its close and the lineage events"
OFFROUND=$(sed -n 's/^ *\([0-9]*\) .*round-open.*/\1/p' "$T/offlog" | head -1)
expect 0 "round show on the offline registry" "$ZKREG" --registry "$T/off.db" round show "$OFFROUND"
[ "$(grep -c 'rejected' "$T/out")" -eq 2 ]; ok $? "... names the same two rejections"
expect 0 "importing the bundle again adds nothing" "$ZKREG" --registry "$T/off.db" import "$T/all.zkb" --trusted-key-file "$T/vkey"
"$ZKREG" --registry "$T/off.db" list log >"$T/offlog2" 2>&1
cmp -s "$T/offlog" "$T/offlog2"; ok $? "... the offline log is unchanged"

# A step the registry refuses after the child's bytes went to the store (the parent revoked:
# the transaction that registers the child checks it) leaves the registry file and every file
# of its store byte-identical: the undo removes the bytes (docs/transactions.md).
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
sum_reg() {
  { cat "$T/reg.db" "$T/reg.db-wal" 2>/dev/null
    (cd "$T/reg.db.d" && find . -type f | LC_ALL=C sort -S 1M | xargs sha256sum); } | sha256sum
}
expect 0 "revoke the last child of the native run" "$ZKREG" revoke model "$LAST" --reason "late refusal test"
before=$(sum_reg)
expect 6 "train one step from the revoked model" "$ZKREG" train --model "$LAST" --dataset 3 \
  --batch-size 4 --steps 1 --lr 3 --shift 16 --first-record 300
grep -q 'revoked' "$T/err"; ok $? "... refused: revoked"
[ "$(sum_reg)" = "$before" ]; ok $? "... the registry and its store are byte-identical (the child's bytes removed)"

# Two runs of one step write the same child bytes. X writes them first and stops before its
# transaction (test-build pause); Y writes them again (rewritten: a new file) and registers
# the child; the dataset is revoked and X is refused. X's undo must leave the file Y's
# registered child relies on (it removes only the file it wrote itself).
ls "$T/reg.db.d/models" >"$T/models0"
mkfifo "$T/fifo"
ZKR_TEST_PAUSE_FIFO="$T/fifo" "$ZKREG" train --model 2 --dataset 3 --batch-size 4 --steps 1 \
  --lr 3 --shift 16 --first-record 500 >"$T/ox" 2>"$T/ex" &
px=$!
timeout 60 head -n1 "$T/fifo" >/dev/null
expect 0 "the same step by a second run, meanwhile" "$ZKREG" train --model 2 --dataset 3 \
  --batch-size 4 --steps 1 --lr 3 --shift 16 --first-record 500
expect 0 "then the dataset is revoked" "$ZKREG" revoke dataset 3 --reason "late refusal test"
timeout 60 sh -c ': >"$1"' _ "$T/fifo"
wait $px; rx=$?
[ "$rx" -eq 6 ] && grep -q 'revoked' "$T/ex"; ok $? "the first run is refused: revoked (exit $rx)"
ls "$T/reg.db.d/models" >"$T/models1"
new=$(comm -13 "$T/models0" "$T/models1")
[ "$(echo "$new" | grep -c .)" -eq 1 ] &&
  [ "$(sha256sum "$T/reg.db.d/models/$new" | cut -d' ' -f1)" = "$new" ]
ok $? "... the registered child's bytes stay in the store"

echo "1..$n"
exit $fail
