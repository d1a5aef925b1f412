#!/usr/bin/env bash
# Adversarial registry checks with the real zkreg (TAP), issues 20 and 22:
# - a round's parent whose program is revoked: `round open` refuses it
#   (exit 6, nothing written), as train, round accept and import do; also
#   when the revocation lands while the open is paused before its write
#   transaction (test-build pause hook ZKR_TEST_PAUSE_FIFO);
# - its twins: a revoked parent model, dataset or schema is refused, a
#   clean parent opens;
# - read-only commands leave the registry file byte-identical, and a
#   refused write leaves no file behind in <registry>.d.
# Usage: test_adversary.sh PATH/TO/zkreg   (needs a test build: -Dtest_hooks=true)
set -u
Z=$(readlink -f "${1:?usage: test_adversary.sh ZKREG}")
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-adv-XXXXXX")
BG=""
cleanup() {
  for p in $BG; do kill "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

printf 'pass phrase adversary\n' > pass; chmod 600 pass
export ZKREG_PASSPHRASE_FILE=$T/pass
export ZKREG_REGISTRY=$T/r.db
unset ZKR_TEST_PAUSE_FIFO ZKR_TEST_PAUSE_AT ZKR_TEST_PAUSE_SKIP ZKREG_TRUSTED_KEY || true
mkfifo "$T/fifo"

jfield() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" | head -n1; }
logsize() { "$Z" list log 2>/dev/null | wc -l; }
# The registry's state: its log and every file beside it (names and bytes).
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
state() { { "$Z" list log 2>/dev/null; (cd "$T" && find r.db.d -type f -print0 2>/dev/null | sort -S 1M -z | xargs -0r sha256sum); } | sha256sum; }

pause_run() {
  local at=$1 out=$2; shift 3
  ZKR_TEST_PAUSE_FIFO=$T/fifo ZKR_TEST_PAUSE_AT=$at "$Z" "$@" >"$out.out" 2>"$out.err" &
  PAUSED=$!
  BG="$BG $PAUSED"
  timeout 60 head -n1 "$T/fifo" >/dev/null
}
release() {
  timeout 60 bash -c ': > "$1"' _ "$T/fifo"
  wait "$PAUSED"; RC=$?
}

"$Z" init --kdf interactive >/dev/null 2>&1; ok $? "init"
cat > schema.json <<'JSON'
{"name": "adv-train", "version": 1, "proof_kind": "training-step@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": false,
 "fields": [{"name": "child_model", "type": "digest"},
            {"name": "record_indices", "type": "u64-list"},
            {"name": "lr", "type": "u64"}, {"name": "shift", "type": "u64"},
            {"name": "steps", "type": "u64"}]}
JSON
DS=$("$Z" --json register-dataset "$DATA" | jfield id) && "$Z" register-schema schema.json >/dev/null
ok $? "dataset and training schema"

# fresh_model TAG HIDDEN: a training program (784,HIDDEN,10: widths powers of two, one program per width) and its
# initial model; P and M get their ids.
fresh_model() {
  "$Z" train-init --dims "784,$2,10" --seed-text "adv-$1" --out-dir "$T/m-$1" >/dev/null 2>&1 &&
    P=$("$Z" --json register-program "$T/m-$1/program.zkrprog" | jfield id) &&
    M=$("$Z" --json register-model "$T/m-$1/init.zkrtm" --program "$P" | jfield id)
}
open_round() {
  "$Z" --json round open --model "$M" --dataset "$DS" --workers 1 --first-record 0 \
    --records-per-worker 2 --lr 3 --shift 16 --schema "$SCHEMA" "$@"
}
SCHEMA=adv-train@1

# Accept twin: a clean parent opens.
fresh_model clean 2; ok $? "a training program and model"
open_round >out.txt 2>err.txt; rc=$?
[ "$rc" = 0 ] && grep -q '"round":' out.txt
ok $? "round open from a clean parent: exit 0 (got $rc: $(head -c 200 err.txt | tr "\n" " "))"

# A parent whose program is revoked: refused, nothing written.
fresh_model revprog 4; ok $? "a second program and model"
"$Z" revoke program "$P" --reason "adversary: unsound program" >/dev/null 2>&1; ok $? "revoke its program"
before=$(state)
open_round >out.txt 2>err.txt; rc=$?
[ "$rc" = 6 ] && grep -q "program .* was revoked" err.txt && [ "$(state)" = "$before" ]
ok $? "round open from a model of a revoked program: exit 6 and nothing written (got $rc: $(head -c 200 err.txt | tr "\n" " "))"

# Deterministic race: the revocation of the parent's program lands while the open is paused
# before its write transaction.
fresh_model race 8; ok $? "a third program and model"
before=$(state)
pause_run write op -- --json round open --model "$M" --dataset "$DS" --workers 1 --first-record 0 \
  --records-per-worker 2 --lr 3 --shift 16 --schema "$SCHEMA"
"$Z" revoke program "$P" --reason "adversary: race" >/dev/null 2>&1; rrc=$?
after_revoke=$(state)
release
[ "$rrc" = 0 ] && [ "$RC" = 6 ] && grep -q "revoked" op.err && [ "$(state)" = "$after_revoke" ]
ok $? "round open paused, revoke of the parent's program lands: exit 6 and no round written (got $RC: $(head -c 200 op.err | tr "\n" " "))"

# Refused twins: a revoked parent model, dataset, schema.
fresh_model revmodel 16; ok $? "a fourth program and model"
"$Z" revoke model "$M" --reason "adversary: poisoned" >/dev/null 2>&1
before=$(state)
open_round >out.txt 2>err.txt; rc=$?
[ "$rc" = 6 ] && grep -q "model .* was revoked" err.txt && [ "$(state)" = "$before" ]
ok $? "round open from a revoked model: exit 6 and nothing written (got $rc)"

fresh_model revschema 32; ok $? "a fifth program and model"
"$Z" revoke schema "$SCHEMA" --reason "adversary: unsound schema" >/dev/null 2>&1
before=$(state)
open_round >out.txt 2>err.txt; rc=$?
[ "$rc" = 6 ] && grep -q "schema .* was revoked" err.txt && [ "$(state)" = "$before" ]
ok $? "round open over a revoked schema: exit 6 and nothing written (got $rc)"
sed 's/"version": 1/"version": 2/' schema.json > s2.json && "$Z" register-schema s2.json >/dev/null
SCHEMA=adv-train@2

"$Z" revoke dataset "$DS" --reason "adversary: leaked" >/dev/null 2>&1
before=$(state)
open_round >out.txt 2>err.txt; rc=$?
[ "$rc" = 6 ] && grep -q "dataset .* was revoked" err.txt && [ "$(state)" = "$before" ]
ok $? "round open over a revoked dataset: exit 6 and nothing written (got $rc)"

# The registry the attacks left behind is consistent.
"$Z" log verify >out.txt 2>err.txt; ok $? "log verify after the refused writes: $(head -c 200 err.txt | tr "\n" " ")"

# Read-only commands leave the registry file byte-identical (-wal/-shm aside: checkpointed first).
sqlite3 "$T/r.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1
sum=$(sha256sum < "$T/r.db"); files=$(state)
for cmd in "list log" "list model" "list statement" "show model $M" "log verify" "log key" "round show 1"; do
  # shellcheck disable=SC2086
  "$Z" $cmd >/dev/null 2>&1
done
sqlite3 "$T/r.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1
[ "$(sha256sum < "$T/r.db")" = "$sum" ] && [ "$(state)" = "$files" ]
ok $? "read-only commands (list, show, log verify, log key, round show) write nothing"

echo "1..$n"
[ "$failed" = 0 ]
