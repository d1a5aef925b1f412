#!/bin/sh
# Adversarial review of bundle format version 2 (a gated round's evaluation
# proofs carried by export and verified by import), through the real zkreg
# binary on the 16-8-4 training program of cli_round_gate.sh:
# - the proof trailer's framing: two proofs for one outcome, indices out of
#   order, a count over the entries or zero with proofs following, a length
#   over 64 MiB (and 2^32 - 1), trailing bytes, a version 2 bundle labelled
#   version 1 and a version 1 bundle labelled version 2: each exit 3;
# - a training-step proof, or a valid evaluation-fixed@1 proof of another
#   (registered) statement, in an evaluation proof's place: exit 1;
# - whatever is refused leaves the importer's registry and store unchanged;
#   a store that cannot be written (round-eval a file) refuses the import
#   with nothing left;
# - a file already under the statement's name is "already kept" and never
#   replaced, and round audit re-verifies it (a bad one fails audit); a
#   symbolic link or a directory there refuses the import (exit 9); a file
#   written there while the import runs is neither replaced nor removed by
#   the undo of a failed import;
# - proofs naming outcomes the importer holds but the bundle lacks: exit 3;
#   an importer whose evaluation dataset file changed: exit 1;
# - a revoked verifier version: a gated round pinning the revoked
#   evaluation-fixed@1 verifier is not imported (exit 6, as round open
#   refuses it), and a proof of a round already held is not stored, so
#   round audit does not pass on a verdict of the revoked verifier.
# TAP. Usage: cli_round_gate_bundle.sh zkreg bundle_pick
set -u
ZKREG=$1
PICK=$2
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-round-gate-bundle.XXXXXX)
trap 'rm -rf "$T"' EXIT
unset ZKR_TEST_PAUSE_FIFO ZKR_TEST_PAUSE_AT ZKR_TEST_PAUSE_SKIP ZKR_TEST_IMPORT_FAIL_COMMIT || true
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
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$T/out" | head -1; }
be32() { v=$1; for s in 24 16 8 0; do printf "\\$(printf %03o $(( (v >> s) & 255 )))"; done; }
be64() { be32 0; be32 "$1"; }
mkidx() {
  { printf '\000\000\010\003'; be32 "$2"; be32 4; be32 4
    zcat "$DATA" | tail -c +$((17 + $3)) | head -c $(($2 * 16)); } >"$T/$1-images-idx3-ubyte"
  { printf '\000\000\010\001'; be32 "$2"
    i=0; while [ $i -lt "$2" ]; do printf "\\$(printf %03o $(( (7 * i + 3) % 4 )))"; i=$((i + 1)); done
  } >"$T/$1-labels-idx1-ubyte"
}
# patch FILE OFFSET BYTES...: writes the given bytes (printf octal escapes) at OFFSET.
patch() { f=$1; o=$2; shift 2; printf "$@" | dd of="$f" bs=1 seek="$o" conv=notrunc 2>/dev/null; }

(umask 077; echo "cli-round-gate-bundle-passphrase" >"$T/pass")
export ZKREG_PASSPHRASE_FILE="$T/pass"
mkidx train 16 4000
mkidx evalset 24 40000
expect 0 "init" "$ZKREG" init --kdf interactive
expect 0 "train-init 16-8-4" "$ZKREG" train-init --dims 16,8,4 --seed-text gate --out-dir "$T/m"
expect 0 "register-program" "$ZKREG" register-program "$T/m/program.zkrprog"
expect 0 "register-model" "$ZKREG" register-model "$T/m/init.zkrtm" --program 1
expect 0 "register the training dataset" "$ZKREG" register-dataset "$T/train-images-idx3-ubyte"
expect 0 "register the evaluation dataset" "$ZKREG" register-dataset "$T/evalset-images-idx3-ubyte"
cat >"$T/train.json" <<'JSON'
{"name": "gate-train", "version": 1, "proof_kind": "training-step@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": false,
 "fields": [{"name": "child_model", "type": "digest"},
            {"name": "record_indices", "type": "u64-list"},
            {"name": "lr", "type": "u64"}, {"name": "shift", "type": "u64"},
            {"name": "steps", "type": "u64"}]}
JSON
cat >"$T/eval.json" <<'JSON'
{"name": "gate-eval", "version": 1, "proof_kind": "evaluation-fixed@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_first", "type": "u64"}, {"name": "record_count", "type": "u64"}]}
JSON
expect 0 "register-schema training-step@1" "$ZKREG" register-schema "$T/train.json"
expect 0 "register-schema evaluation-fixed@1" "$ZKREG" register-schema "$T/eval.json"
# A registered evaluation-fixed@1 statement over the initial model, and its valid proof.
{ printf '\001'; be64 24; be64 1; } >"$T/t1.bin"
S0=$("$ZKREG" register-statement --schema gate-eval@1 --program 1 --model 2 --dataset 4 \
  --param record_first=0 --param record_count=24 --public-output "$T/t1.bin" 2>"$T/err" | tail -1)
expect 0 "a valid evaluation-fixed@1 proof of a registered statement" "$ZKREG" prove --statement "$S0" -o "$T/e0.zkp"

OPEN="round open --model 2 --dataset 3 --workers 2 --first-record 0 --records-per-worker 4 --lr 60 --shift 14 --schema gate-train@1"
expect 0 "a gated round (K = 1)" "$ZKREG" --json $OPEN --eval-dataset 4 --eval-schema gate-eval@1 --min-correct 1
R=$(json_field round)
mkdir -p "$T/f"
expect 0 "worker 0 trains and proves" "$ZKREG" train --round "$R" --worker 0 --out-dir "$T/f"
expect 0 "worker 1 trains and proves" "$ZKREG" train --round "$R" --worker 1 --out-dir "$T/f"
expect 0 "both updates accepted" "$ZKREG" round accept "$R" \
  --submission "0=$T/f/worker-0.zkrtm,$T/f/worker-0.zkp,$T/f/worker-0.eval.zkp" \
  --submission "1=$T/f/worker-1.zkrtm,$T/f/worker-1.zkp,$T/f/worker-1.eval.zkp"
"$ZKREG" log key >"$T/vkey" 2>/dev/null
expect 0 "export everything" "$ZKREG" export -o "$T/ev.zkb"
"$PICK" --eval-list "$T/ev.zkb" >"$T/evlist"; ok $? "its evaluation proofs listed"
[ "$(wc -l <"$T/evlist")" -eq 2 ]; ok $? "... two"
O0=$(sed -n 1p "$T/evlist" | cut -d' ' -f2); O1=$(sed -n 2p "$T/evlist" | cut -d' ' -f2)
S_0=$(sed -n 1p "$T/evlist" | cut -d' ' -f3)
L0=$(sed -n 1p "$T/evlist" | cut -d' ' -f4); L1=$(sed -n 2p "$T/evlist" | cut -d' ' -f4)
SZ=$(wc -c <"$T/ev.zkb")
TR=$((SZ - 4 - 44 - L0 - 44 - L1))   # the trailer: u32 m, then the proofs
P1=$((TR + 4 + 44 + L0))             # proof 1: u64 outcome, sid, u32 length, bytes
[ "$(od -An -tu1 -j "$TR" -N4 "$T/ev.zkb" | tr -s ' ')" = " 0 0 0 2" ]; ok $? "the trailer's count found at $TR"

DIG=$("$ZKREG" round show "$R" | sed -n 's/^  digest \([0-9a-f]*\),.*/\1/p')
# imp_round: the importer's log index of round $R (by its digest).
imp_round() {
  "$ZKREG" --registry "$IMP" list log 2>/dev/null | awk '/round-open/ {print $1}' | while read -r i; do
    "$ZKREG" --registry "$IMP" round show "$i" 2>/dev/null | grep -q "digest $DIG," && echo "$i"
  done
}
IMP="$T/imp.db"
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
istate() { { cat "$IMP" "$IMP-wal" 2>/dev/null | sha256sum
             (cd "$IMP.d" 2>/dev/null && find . | sort -S 1M && find . -type f | sort -S 1M | xargs -r sha256sum); } |
           sha256sum | cut -d' ' -f1; }
refused() {
  before=$(istate)
  expect "$1" "$2" "$ZKREG" --registry "$IMP" import "$4" --trusted-key-file "$T/vkey"
  grep -q -- "$3" "$T/err"; ok $? "... named: $3"
  [ "$(istate)" = "$before" ]; ok $? "... the importer's registry file and its store are unchanged"
}
expect 0 "an importing registry" "$ZKREG" --registry "$IMP" init --kdf interactive
expect 0 "... which knows the evaluation dataset's file" "$ZKREG" --registry "$IMP" register-dataset \
  "$T/evalset-images-idx3-ubyte"

# --- Framing of the proof trailer ------------------------------------------------------
"$PICK" --eval-outcome "$T/ev.zkb" "$T/x-dup.zkb" 1 "$O0"; ok $? "both proofs naming worker 0's outcome"
refused 3 "import of two proofs for one outcome" "not strictly increasing" "$T/x-dup.zkb"
"$PICK" --eval-outcome "$T/ev.zkb" "$T/x-dec.zkb" 0 "$O1"; ok $? "proof 0 naming the later outcome"
refused 3 "import of outcome indices out of order" "not strictly increasing" "$T/x-dec.zkb"
cp "$T/ev.zkb" "$T/x-m.zkb"; patch "$T/x-m.zkb" "$TR" '\377\377\377\377'
refused 3 "import of a proof count over the bundle's entries" "evaluation proof count" "$T/x-m.zkb"
cp "$T/ev.zkb" "$T/x-m0.zkb"; patch "$T/x-m0.zkb" "$TR" '\000\000\000\000'
refused 3 "import of a proof count of 0 with proofs following" "trailing bytes after the last evaluation proof" "$T/x-m0.zkb"
cp "$T/ev.zkb" "$T/x-m1.zkb"; patch "$T/x-m1.zkb" "$TR" '\000\000\000\003'
refused 3 "import of a proof count one over the proofs" "evaluation proof 2 is truncated" "$T/x-m1.zkb"
cp "$T/ev.zkb" "$T/x-big.zkb"; patch "$T/x-big.zkb" $((P1 + 40)) '\004\000\000\001'
refused 3 "import of a proof length of 64 MiB + 1" "evaluation proof 1 is truncated or over its bounds" "$T/x-big.zkb"
cp "$T/ev.zkb" "$T/x-max.zkb"; patch "$T/x-max.zkb" $((P1 + 40)) '\377\377\377\377'
refused 3 "import of a proof length of 2^32 - 1" "evaluation proof 1 is truncated or over its bounds" "$T/x-max.zkb"
cp "$T/ev.zkb" "$T/x-long.zkb"; patch "$T/x-long.zkb" $((P1 + 40)) '\004\000\000\000'
refused 3 "import of a proof length of 64 MiB past the end" "evaluation proof 1 is truncated" "$T/x-long.zkb"
{ cat "$T/ev.zkb"; printf '\000'; } >"$T/x-trail.zkb"
refused 3 "import with a byte after the last proof" "trailing bytes after the last evaluation proof" "$T/x-trail.zkb"
{ printf 'ZKRBNDL1'; tail -c +9 "$T/ev.zkb"; } >"$T/x-as1.zkb"
refused 3 "import of a version 2 bundle labelled version 1" "trailing bytes after the last entry" "$T/x-as1.zkb"
"$PICK" --eval-v1 "$T/ev.zkb" "$T/v1.zkb"; ok $? "the bundle in format version 1"
{ printf 'ZKRBNDL2'; tail -c +9 "$T/v1.zkb"; } >"$T/x-as2.zkb"
refused 3 "import of a version 1 bundle labelled version 2" "evaluation proof count truncated" "$T/x-as2.zkb"
{ printf 'ZKRBNDL0'; tail -c +9 "$T/ev.zkb"; } >"$T/x-v0.zkb"
refused 3 "import of format version 0" "wrong magic" "$T/x-v0.zkb"

# --- Another proof in an evaluation proof's place ----------------------------------------
"$PICK" --eval-file "$T/ev.zkb" "$T/x-kind.zkb" 0 "$T/f/worker-0.zkp"; ok $? "worker 0's training-step proof as its evaluation proof"
refused 1 "import with a training-step proof in an evaluation proof's place" "is no evaluation-fixed@1 proof" "$T/x-kind.zkb"
"$PICK" --eval-file "$T/ev.zkb" "$T/x-other.zkb" 0 "$T/e0.zkp"; ok $? "a valid proof of a registered statement in its place"
refused 1 "import with another statement's valid evaluation proof" "proves statement $S0, not $S_0" "$T/x-other.zkb"
"$PICK" --eval-sid "$T/ev.zkb" "$T/x-other2.zkb" 0 "$S0"; ok $? "... and also naming that statement"
"$PICK" --eval-file "$T/x-other2.zkb" "$T/x-other3.zkb" 0 "$T/e0.zkp"; ok $? "... with that proof"
refused 1 "import naming and proving a registered statement that is not the round's" "names statement $S0" "$T/x-other3.zkb"

# --- Outcomes this bundle does not carry -------------------------------------------------
IMP="$T/held.db"
expect 0 "a registry holding the round (version 1 bundle)" "$ZKREG" --registry "$IMP" init --kdf interactive
expect 0 "... knowing the evaluation dataset's file" "$ZKREG" --registry "$IMP" register-dataset \
  "$T/evalset-images-idx3-ubyte"
expect 0 "... import" "$ZKREG" --registry "$IMP" import "$T/v1.zkb" --trusted-key-file "$T/vkey"
"$PICK" -V "$T/ev.zkb" "$T/x-orphan.zkb" round-outcome round-close; ok $? "a bundle without the outcomes, with their proofs"
refused 3 "import of proofs naming outcomes the importer holds but the bundle lacks" \
  "no round-outcome entry of this bundle" "$T/x-orphan.zkb"
IMP="$T/imp.db"

# --- The importer's evaluation dataset file changed since it was registered ---------------
IMP="$T/chg.db"
mkdir -p "$T/copy" && cp "$T"/evalset-* "$T/copy/"
expect 0 "a registry that registered a copy of the evaluation dataset's file" "$ZKREG" --registry "$IMP" \
  init --kdf interactive
expect 0 "... register-dataset" "$ZKREG" --registry "$IMP" register-dataset "$T/copy/evalset-images-idx3-ubyte"
b=$(od -An -tu1 -j 100 -N1 "$T/copy/evalset-images-idx3-ubyte" | tr -d ' ')
patch "$T/copy/evalset-images-idx3-ubyte" 100 "\\$(printf %03o $((b ^ 1)))"
cmp -s "$T/copy/evalset-images-idx3-ubyte" "$T/evalset-images-idx3-ubyte"; [ $? -eq 1 ]; ok $? "... then one pixel of the copy changed"
refused 1 "import verifying against the changed file" "cannot be verified with this registry's evaluation dataset file" "$T/ev.zkb"
IMP="$T/imp.db"

# --- The store beside the importer ------------------------------------------------------
mkdir -p "$IMP.d" && : >"$IMP.d/round-eval"
refused 9 "import where round-eval cannot be created (a file in its place)" "round-eval" "$T/ev.zkb"
rm -f "$IMP.d/round-eval"
mkdir -p "$IMP.d/round-eval"
ln -s "$T/f/worker-0.eval.zkp" "$IMP.d/round-eval/$S_0.zkp"
refused 9 "import with a symbolic link under worker 0's statement's name" "is not a regular file" "$T/ev.zkb"
rm -f "$IMP.d/round-eval/$S_0.zkp"; mkdir "$IMP.d/round-eval/$S_0.zkp"
refused 9 "import with a directory under worker 0's statement's name" "is not a regular file" "$T/ev.zkb"
rmdir "$IMP.d/round-eval/$S_0.zkp"
printf 'not a proof' >"$IMP.d/round-eval/$S_0.zkp"
expect 0 "import with a file already under worker 0's statement's name" "$ZKREG" --registry "$IMP" \
  import "$T/ev.zkb" --trusted-key-file "$T/vkey"
grep -q '1 verified and stored, 1 already kept' "$T/out"; ok $? "... counted as already kept"
[ "$(cat "$IMP.d/round-eval/$S_0.zkp")" = "not a proof" ]; ok $? "... and left as it was (never replaced)"
mkdir -p "$IMP.d/models" && cp "$T/reg.db.d/models/"* "$IMP.d/models/"
expect 1 "round audit on the importer re-verifies it, and fails" "$ZKREG" --registry "$IMP" round audit "$(imp_round)"
grep -q '^worker 0: FAILED: evaluation proof no longer verifies' "$T/out"; ok $? "... worker 0 named"
rm -f "$IMP.d/round-eval/$S_0.zkp"
expect 0 "the same bundle imported again" "$ZKREG" --registry "$IMP" import "$T/ev.zkb" --trusted-key-file "$T/vkey"
grep -q '1 verified and stored, 1 already kept' "$T/out"; ok $? "... stores the missing proof"
expect 0 "round audit on the importer" "$ZKREG" --registry "$IMP" round audit "$(imp_round)"

# --- A file written under a statement's name while the import runs -------------------------
# round accept writes its kept proof before its transaction, so one may appear
# between import's check of the name and its stage (paused here, test builds);
# the import then fails (injected) and removes what it wrote: never the other's.
IMP="$T/race.db"
expect 0 "a racing importer" "$ZKREG" --registry "$IMP" init --kdf interactive
expect 0 "... knowing the evaluation dataset's file" "$ZKREG" --registry "$IMP" register-dataset \
  "$T/evalset-images-idx3-ubyte"
mkdir -p "$IMP.d/round-eval"
mkfifo "$T/pause"
ZKR_TEST_PAUSE_FIFO="$T/pause" ZKR_TEST_PAUSE_AT=eval-stage ZKR_TEST_IMPORT_FAIL_COMMIT=1 \
  "$ZKREG" --registry "$IMP" import "$T/ev.zkb" --trusted-key-file "$T/vkey" >"$T/race.out" 2>"$T/race.err" &
RP=$!
line=$(timeout 60 head -n1 "$T/pause")
[ "$line" = paused ]; ok $? "the import pauses before writing its proofs"
printf 'written meanwhile' >"$IMP.d/round-eval/$S_0.zkp"
timeout 60 sh -c ': >"$1"' _ "$T/pause"
wait $RP; ok $([ $? -eq 9 ]; echo $?) "... then fails (injected)"
[ "$(cat "$IMP.d/round-eval/$S_0.zkp" 2>/dev/null)" = "written meanwhile" ] &&
  [ "$(ls "$IMP.d/round-eval" | wc -l)" -eq 1 ]; ok $? "... leaving the file written meanwhile as it was, and nothing else"
rm -f "$T/pause"

# --- A revoked evaluation verifier version on the importer ---------------------------------
IMP="$T/rv.db"
expect 0 "a registry that revoked verifier evaluation-fixed@1 0.2.0" "$ZKREG" --registry "$IMP" init --kdf interactive
expect 0 "... revoke" "$ZKREG" --registry "$IMP" revoke verifier evaluation-fixed@1 0.2.0 --reason "broken"
expect 0 "... register the evaluation dataset's file" "$ZKREG" --registry "$IMP" register-dataset \
  "$T/evalset-images-idx3-ubyte"
refused 6 "import of a gated round pinning the revoked verifier (round open refuses it)" \
  "evaluation-fixed@1@0.2.0 is revoked" "$T/ev.zkb"
IMP="$T/rv2.db"
expect 0 "a registry that holds the round (version 1 bundle) before revoking" "$ZKREG" --registry "$IMP" \
  init --kdf interactive
expect 0 "... register the evaluation dataset's file" "$ZKREG" --registry "$IMP" register-dataset \
  "$T/evalset-images-idx3-ubyte"
expect 0 "... import the version 1 bundle" "$ZKREG" --registry "$IMP" import "$T/v1.zkb" --trusted-key-file "$T/vkey"
expect 0 "... revoke verifier evaluation-fixed@1 0.2.0" "$ZKREG" --registry "$IMP" revoke verifier \
  evaluation-fixed@1 0.2.0 --reason "broken"
expect 0 "import of the version 2 bundle" "$ZKREG" --registry "$IMP" --json import "$T/ev.zkb" \
  --trusted-key-file "$T/vkey"
grep -q '"stored":0' "$T/out" && grep -q '"revoked":2' "$T/out" && [ ! -e "$IMP.d/round-eval" ]
ok $? "... stores no verdict of the revoked verifier (counted as revoked)"
grep -q 'verifier evaluation-fixed@1@0.2.0 is revoked' "$T/err"; ok $? "... a note names the revocation"
mkdir -p "$IMP.d/models" && cp "$T/reg.db.d/models/"* "$IMP.d/models/"
expect 1 "round audit there does not pass" "$ZKREG" --registry "$IMP" round audit "$(imp_round)"
grep -q '^worker 0: FAILED: evaluation proof not re-verified: verifier evaluation-fixed@1@0.2.0 is revoked' "$T/out"; ok $? "... the revoked verifier named"
# The exporter revokes the verifier after the round was accepted: its own audit
# stops passing, and its full export (the round, then the revocation) imports
# into a fresh registry without storing the proofs.
expect 0 "the exporter revokes verifier evaluation-fixed@1 0.2.0" "$ZKREG" revoke verifier \
  evaluation-fixed@1 0.2.0 --reason "broken"
expect 1 "round audit on the exporter no longer passes" "$ZKREG" round audit "$R"
grep -q '^worker 0: FAILED: evaluation proof not re-verified: verifier evaluation-fixed@1@0.2.0 is revoked' \
  "$T/out"; ok $? "... the revoked verifier named"
expect 0 "export everything, the revocation included" "$ZKREG" export -o "$T/ev2.zkb"
IMP="$T/rv3.db"
expect 0 "a fresh importer" "$ZKREG" --registry "$IMP" init --kdf interactive
expect 0 "... knowing the evaluation dataset's file" "$ZKREG" --registry "$IMP" register-dataset \
  "$T/evalset-images-idx3-ubyte"
expect 0 "imports the round before the revocation" "$ZKREG" --registry "$IMP" --json import "$T/ev2.zkb" \
  --trusted-key-file "$T/vkey"
grep -q '"carried":2' "$T/out" && grep -q '"stored":0' "$T/out" && grep -q '"revoked":2' "$T/out" &&
  [ ! -e "$IMP.d/round-eval" ]; ok $? "... and stores neither proof"
echo "1..$n"
exit $fail
