#!/bin/sh
# Rounds under attack (issue 20), through the real zkreg binary on a
# 784-8-10 training program and Fashion-MNIST t10k:
# - two accepts of one round held after judging (test-build pause hook):
#   exactly one closes it, the other exits 5, the log has one close; then a
#   bounded stress loop of concurrent accepts without the hook;
# - a failure between the outcomes and the close (an injected SQL trigger)
#   leaves the registry unchanged, and a rerun writes each outcome once;
# - a registry with a second close injected with sqlite3: show and audit fail;
# - two rounds opened with the same parameters are distinct and both close;
#   a repeated round digest (fixed test nonce) is refused;
# - a shard range past 2^64 - 1 is refused;
# - bundles with entries dropped (a round's open, outcomes and close only;
#   lineage only; everything but the statements) are refused, naming the
#   missing reference, with the registry unchanged;
# - a bundle whose lineage, round-open or round-close binds an object
#   revoked in the importing registry is refused (exit 6), unchanged.
# TAP. Usage: cli_round.sh zkreg bundle_pick
set -u
ZKREG=$1
PICK=$2
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-round-cli.XXXXXX)
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
regsum() { sha256sum "${1:-$T/reg.db}" | cut -d' ' -f1; }
unchanged() {
  before=$(regsum); want=$1; what=$2; shift 2
  expect "$want" "$what" "$@"
  [ "$(regsum)" = "$before" ]; ok $? "... the registry file is unchanged"
}
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$T/out" | head -1; }
# round_open FIRST [WORKERS]: opens a round of R=4 records per worker, sets ROUND.
round_open() {
  expect 0 "round open from record $1" "$ZKREG" --json round open --model 2 --dataset 3 \
    --workers "${2:-1}" --first-record "$1" --records-per-worker 4 --lr 3 --shift 16 --schema fmnist-train@1
  ROUND=$(json_field round)
}
# work ROUND W: worker W trains and proves its shard into $T/w-ROUND.
work() {
  mkdir -p "$T/w-$1"
  expect 0 "worker $2 of round $1 trains and proves" "$ZKREG" train --round "$1" --worker "$2" --out-dir "$T/w-$1"
}
sub() { echo "$2=$T/w-$1/worker-$2.zkrtm,$T/w-$1/worker-$2.zkp"; }
closes() { "$ZKREG" list log 2>/dev/null | grep -c 'round-close'; }

(umask 077; echo "cli-round-test-passphrase" >"$T/pass")
export ZKREG_PASSPHRASE_FILE="$T/pass"
expect 0 "init" "$ZKREG" init --kdf interactive
expect 0 "train-init 784-8-10" "$ZKREG" train-init --dims 784,8,10 --seed-text cli-round --out-dir "$T/m"
expect 0 "register-program" "$ZKREG" register-program "$T/m/program.zkrprog"
expect 0 "register-model" "$ZKREG" register-model "$T/m/init.zkrtm" --program 1
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
expect 0 "register-schema" "$ZKREG" register-schema "$T/schema.json"
expect 0 "a native step (a lineage event)" "$ZKREG" train --model 2 --dataset 3 --batch-size 4 --steps 1 --lr 3 --shift 16

# --- Shard ranges must not wrap -------------------------------------------------
unchanged 2 "round open at --first-record 18446744073709551612 (shards would wrap to 0..3)" \
  "$ZKREG" round open --model 2 --dataset 3 --workers 2 --first-record 18446744073709551612 \
  --records-per-worker 4 --lr 3 --shift 16 --schema fmnist-train@1
grep -q '2^64' "$T/err"; ok $? "... the message names the 64-bit bound"
unchanged 4 "round open whose last record is 2^64-1 (past the dataset)" \
  "$ZKREG" round open --model 2 --dataset 3 --workers 1 --first-record 18446744073709551615 \
  --records-per-worker 1 --lr 3 --shift 16 --schema fmnist-train@1

# --- Colliding rounds ----------------------------------------------------------------
round_open 100; R1=$ROUND; D1=$(json_field digest)
round_open 100; R2=$ROUND; D2=$(json_field digest)
[ "$R1" != "$R2" ] && [ -n "$D1" ] && [ "$D1" != "$D2" ]; ok $? "two rounds with identical parameters have distinct ids and digests"
work "$R1" 0
work "$R2" 0
expect 0 "accept the first" "$ZKREG" round accept "$R1" --submission "$(sub "$R1" 0)"
expect 0 "accept the second (it does not inherit the first one's close)" "$ZKREG" round accept "$R2" --submission "$(sub "$R2" 0)"
expect 0 "audit the first" "$ZKREG" round audit "$R1"
expect 0 "audit the second" "$ZKREG" round audit "$R2"
NONCE=$(printf 'ab%.0s' $(seq 32))
expect 0 "open a round with a fixed test nonce" env ZKREG_TEST_ROUND_NONCE="$NONCE" "$ZKREG" round open --model 2 \
  --dataset 3 --workers 1 --first-record 140 --records-per-worker 4 --lr 3 --shift 16 --schema fmnist-train@1
before=$(regsum)
expect 5 "open the same round again: its digest exists" env ZKREG_TEST_ROUND_NONCE="$NONCE" "$ZKREG" round open --model 2 \
  --dataset 3 --workers 1 --first-record 140 --records-per-worker 4 --lr 3 --shift 16 --schema fmnist-train@1
[ "$(regsum)" = "$before" ] && grep -q 'already open' "$T/err"; ok $? "... refused by name, the registry unchanged"

# --- Two accepts of one round, held after judging --------------------------------
round_open 200 2; R3=$ROUND
work "$R3" 0
work "$R3" 1
mkfifo "$T/fa" "$T/fb"
c0=$(closes)
ZKREG_TEST_ROUND_PAUSE="$T/fa" "$ZKREG" round accept "$R3" --submission "$(sub "$R3" 0)" >"$T/oa" 2>"$T/ea" &
pa=$!
ZKREG_TEST_ROUND_PAUSE="$T/fb" "$ZKREG" round accept "$R3" --submission "$(sub "$R3" 0)" \
  --submission "$(sub "$R3" 1)" >"$T/ob" 2>"$T/eb" &
pb=$!
exec 3>"$T/fa" # returns once A has judged and waits
exec 4>"$T/fb" # ... and B
exec 3>&-
wait $pa; ra=$?
exec 4>&-
wait $pb; rb=$?
[ "$ra" -eq 0 ]; ok $? "the first accept closes the round (exit $ra)"
[ "$rb" -eq 5 ] && grep -q 'already closed' "$T/eb"; ok $? "the second, judged concurrently, exits 5: already closed (exit $rb)"
[ "$(closes)" -eq $((c0 + 1)) ]; ok $? "the log holds one more round-close"
expect 0 "round show" "$ZKREG" round show "$R3"
[ "$(grep -c '^  worker ' "$T/out")" -eq 2 ] && grep -q '^  worker 1: rejected: no update submitted' "$T/out"
ok $? "... one outcome per worker, the first accept's verdicts"
expect 0 "round audit" "$ZKREG" round audit "$R3"
expect 0 "the log verifies" "$ZKREG" log verify

# A bounded stress loop: concurrent accepts without the hook, each round closed exactly once.
i=0
while [ $i -lt 4 ]; do
  round_open $((300 + 4 * i))
  c0=$(closes)
  "$ZKREG" round accept "$ROUND" >/dev/null 2>&1 &
  p1=$!
  "$ZKREG" round accept "$ROUND" >/dev/null 2>&1 &
  p2=$!
  wait $p1; r1=$?
  wait $p2; r2=$?
  # No submission: the closing accept exits 1 (nothing accepted), the other 5.
  { [ "$r1" -eq 1 ] && [ "$r2" -eq 5 ]; } || { [ "$r1" -eq 5 ] && [ "$r2" -eq 1 ]; }
  ok $? "stress $i: one accept closes round $ROUND, the other exits 5 (exits $r1, $r2)"
  [ "$(closes)" -eq $((c0 + 1)) ]; ok $? "stress $i: one close logged"
  i=$((i + 1))
done

# --- A failure between the outcomes and the close --------------------------------
round_open 400 2; R4=$ROUND
work "$R4" 0
sqlite3 "$T/reg.db" "CREATE TRIGGER crash BEFORE INSERT ON log WHEN NEW.type = 'round-close'
  BEGIN SELECT RAISE(ABORT, 'simulated crash before the close'); END;"
unchanged 9 "accept fails when writing the close" "$ZKREG" round accept "$R4" --submission "$(sub "$R4" 0)"
expect 0 "... the round shows no outcome" "$ZKREG" round show "$R4"
! grep -q '^  worker ' "$T/out"; ok $? "... nothing half-written"
sqlite3 "$T/reg.db" "DROP TRIGGER crash;"
expect 0 "the rerun closes the round" "$ZKREG" round accept "$R4" --submission "$(sub "$R4" 0)"
expect 0 "round show" "$ZKREG" round show "$R4"
[ "$(grep -c '^  worker 0' "$T/out")" -eq 1 ] && [ "$(grep -c '^  worker 1' "$T/out")" -eq 1 ]
ok $? "... each worker's outcome once"
expect 0 "round audit" "$ZKREG" round audit "$R4"

# --- A second close injected into a copy of the registry -------------------------
sqlite3 "$T/reg.db" ".backup '$T/dup.db'"
cp -r "$T/reg.db.d" "$T/dup.db.d"
"$ZKREG" list log >"$T/log" 2>&1
CLOSE=$(sed -n 's/^ *\([0-9]*\) .*round-close.*/\1/p' "$T/log" | head -1)
sqlite3 "$T/dup.db" "INSERT INTO log(idx, type, time, leaf, leaf_hash)
  SELECT (SELECT max(idx) + 1 FROM log), type, time, leaf, leaf_hash FROM log WHERE idx = $CLOSE;"
expect 1 "round show on a round with two closes" "$ZKREG" --registry "$T/dup.db" round show "$R1"
grep -q 'closed 2 times' "$T/err"; ok $? "... names the two closes"
expect 1 "round audit on a round with two closes" "$ZKREG" --registry "$T/dup.db" round audit "$R1"
grep -q 'closed 2 times' "$T/err"; ok $? "... names the two closes"
expect 1 "round accept on it" "$ZKREG" --registry "$T/dup.db" round accept "$R1"
expect 0 "the untouched registry still shows the round" "$ZKREG" round show "$R1"
# An insider rewrites the result model's commitment (trigger dropped): audit recomputes it.
sqlite3 "$T/reg.db" ".backup '$T/dup2.db'"
cp -r "$T/reg.db.d" "$T/dup2.db.d"
expect 0 "round show of the round with one accepted update" "$ZKREG" round show "$R4"
RES=$(sed -n 's/.*averaged into \([0-9a-f]\{64\}\)$/\1/p' "$T/out")
sqlite3 "$T/dup2.db" "DROP TRIGGER artifact_no_update;
  UPDATE artifact SET commitment = zeroblob(32) WHERE sha256 = x'$RES';"
expect 1 "round audit with the result's commitment rewritten" "$ZKREG" --registry "$T/dup2.db" round audit "$R4"
grep -q 'commitment does not recompute' "$T/err"; ok $? "... names the commitment"

# --- Bundles with entries dropped ------------------------------------------------------
"$ZKREG" log key >"$T/vkey" 2>/dev/null
expect 0 "export everything" "$ZKREG" export -o "$T/all.zkb"
expect 0 "an offline registry" "$ZKREG" --registry "$T/off.db" init --kdf interactive
"$PICK" "$T/all.zkb" "$T/rounds.zkb" round-open round-outcome round-close; ok $? "a bundle of the rounds' open, outcome and close entries only"
before=$(regsum "$T/off.db")
expect 4 "importing it is refused" "$ZKREG" --registry "$T/off.db" import "$T/rounds.zkb" --trusted-key-file "$T/vkey"
grep -q 'names parent model [0-9a-f]\{64\}, which is neither in the bundle nor in this registry' "$T/err"
ok $? "... naming the missing parent model"
[ "$(regsum "$T/off.db")" = "$before" ]; ok $? "... the offline registry is unchanged"
"$PICK" "$T/all.zkb" "$T/lineage.zkb" lineage; ok $? "a bundle of lineage entries only"
expect 4 "importing it is refused" "$ZKREG" --registry "$T/off.db" import "$T/lineage.zkb" --trusted-key-file "$T/vkey"
grep -q 'lineage event [0-9]* names parent model' "$T/err"; ok $? "... naming the missing parent"
"$PICK" -v "$T/all.zkb" "$T/nostmt.zkb" statement; ok $? "a bundle of everything but the statements"
expect 4 "importing it is refused" "$ZKREG" --registry "$T/off.db" import "$T/nostmt.zkb" --trusted-key-file "$T/vkey"
grep -q 'names statement [0-9a-f]\{64\}, which is neither' "$T/err"; ok $? "... naming the missing statement"
[ "$(regsum "$T/off.db")" = "$before" ]; ok $? "... the offline registry is unchanged"
"$PICK" -v "$T/all.zkb" "$T/noopen.zkb" round-open; ok $? "a bundle of everything but the round-opens"
expect 4 "importing it is refused" "$ZKREG" --registry "$T/off.db" import "$T/noopen.zkb" --trusted-key-file "$T/vkey"
grep -q 'whose round-open is neither in the bundle nor in this registry' "$T/err"; ok $? "... naming the missing round-open"
expect 0 "the whole bundle imports" "$ZKREG" --registry "$T/off.db" import "$T/all.zkb" --trusted-key-file "$T/vkey"
"$ZKREG" --registry "$T/off.db" list log >"$T/offlog" 2>&1
OFF3=$(awk '/round-open/ {print $1}' "$T/offlog" | sed -n 4p)
expect 0 "the raced round shows offline" "$ZKREG" --registry "$T/off.db" round show "$OFF3"
[ "$(grep -c '^  worker ' "$T/out")" -eq 2 ]; ok $? "... with one outcome per worker"
expect 0 "importing it again adds nothing" "$ZKREG" --registry "$T/off.db" import "$T/all.zkb" --trusted-key-file "$T/vkey"
grep -q ' 0 added' "$T/out"; ok $? "... 0 added"

# --- Training events binding an object revoked in the importing registry -----------
expect 0 "show the parent model" "$ZKREG" --json show model 2
PSHA=$(json_field sha256)
"$PICK" -v "$T/all.zkb" "$T/objs.zkb" lineage round-open round-outcome round-close; ok $? "a bundle of everything but the training events"
"$PICK" -v "$T/all.zkb" "$T/nolin.zkb" lineage; ok $? "a bundle of everything but the lineage"
"$PICK" -v "$T/all.zkb" "$T/noclose.zkb" round-close; ok $? "a bundle of everything but the round-closes"
for o in rv1 rv2 rv3; do
  expect 0 "offline registry $o" "$ZKREG" --registry "$T/$o.db" init --kdf interactive
done
expect 0 "rv1: the objects import" "$ZKREG" --registry "$T/rv1.db" import "$T/objs.zkb" --trusted-key-file "$T/vkey"
expect 0 "rv1: revoke the parent model there" "$ZKREG" --registry "$T/rv1.db" revoke model "$PSHA" --reason "poisoned here"
before=$(regsum "$T/rv1.db")
expect 6 "rv1: the whole bundle is refused" "$ZKREG" --registry "$T/rv1.db" import "$T/all.zkb" --trusted-key-file "$T/vkey"
grep -q 'event [0-9]* binds the parent model: model .* was revoked' "$T/err"; ok $? "... naming the event and the revoked parent"
[ "$(regsum "$T/rv1.db")" = "$before" ]; ok $? "... rv1 is unchanged"
expect 0 "rv2: the objects import" "$ZKREG" --registry "$T/rv2.db" import "$T/objs.zkb" --trusted-key-file "$T/vkey"
expect 0 "rv2: revoke the dataset there" "$ZKREG" --registry "$T/rv2.db" revoke dataset 3 --reason "leaked"
before=$(regsum "$T/rv2.db")
expect 6 "rv2: a bundle whose first training event is a round-open is refused" "$ZKREG" --registry "$T/rv2.db" import "$T/nolin.zkb" --trusted-key-file "$T/vkey"
grep -q 'round-open event [0-9]* binds the dataset' "$T/err"; ok $? "... naming the round-open and the revoked dataset"
[ "$(regsum "$T/rv2.db")" = "$before" ]; ok $? "... rv2 is unchanged"
expect 0 "rv3: everything but the closes imports" "$ZKREG" --registry "$T/rv3.db" import "$T/noclose.zkb" --trusted-key-file "$T/vkey"
expect 0 "rv3: revoke the schema there" "$ZKREG" --registry "$T/rv3.db" revoke schema fmnist-train@1 --reason "unsound"
before=$(regsum "$T/rv3.db")
expect 6 "rv3: the closes are refused" "$ZKREG" --registry "$T/rv3.db" import "$T/all.zkb" --trusted-key-file "$T/vkey"
grep -q 'round-close event [0-9]* binds the schema' "$T/err"; ok $? "... naming the round-close and the revoked schema"
[ "$(regsum "$T/rv3.db")" = "$before" ]; ok $? "... rv3 is unchanged"
expect 0 "rv3: log verify" "$ZKREG" --registry "$T/rv3.db" log verify

# --- A revocation that lands after judging, before the write ----------------------
round_open 500; R5=$ROUND
work "$R5" 0
rm -f "$T/fa"; mkfifo "$T/fa"
ZKREG_TEST_ROUND_PAUSE="$T/fa" "$ZKREG" round accept "$R5" --submission "$(sub "$R5" 0)" >"$T/oa" 2>"$T/ea" &
pa=$!
exec 3>"$T/fa" # the accept has judged the update (proof verified) and waits
expect 0 "revoke the round's parent model meanwhile" "$ZKREG" revoke model 2 --reason "found poisoned"
exec 3>&-
wait $pa; ra=$?
[ "$ra" -eq 6 ] && grep -q 'revoked' "$T/ea"; ok $? "the accept is refused: revoked (exit $ra)"
expect 0 "round show" "$ZKREG" round show "$R5"
! grep -q '^  worker \|closed (log' "$T/out"; ok $? "... no outcome and no close written"
unchanged 6 "opening a round from the revoked model is refused" "$ZKREG" round open --model 2 \
  --dataset 3 --workers 1 --first-record 600 --records-per-worker 4 --lr 3 --shift 16 --schema fmnist-train@1

echo "1..$n"
exit $fail
