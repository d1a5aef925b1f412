#!/bin/sh
# Rounds gated on proven accuracy (issue 15), through the real zkreg
# binary on a 16-8-4 training program and small IDX datasets cut from
# Fashion-MNIST t10k (tens of records):
# - evaluation-fixed@1 by itself: prove and verify a statement over a FIXED
#   training model; a wrong count and a tampered proof are refused;
# - round open --eval-dataset/--eval-schema/--min-correct: bad gates are
#   refused with the registry unchanged; the gate shows in round show;
# - a worker's child that meets K gets an evaluation proof and is accepted;
#   one below K gets none (train exits 1) and is rejected for it; a valid
#   evaluation proof of another child, or of the same child for another
#   round, a tampered proof and a missing one are rejected with the reason
#   logged; round audit and log verify pass; an ungated (version 2) round
#   still opens, closes and audits;
# - round audit re-verifies the evaluation proof accept kept for each
#   accepted update; a kept proof tampered with or deleted fails it (exit
#   1, the worker named, the registry unchanged);
# - a bundle's round-close of a gated round is refused (exit 6) where the
#   evaluation dataset is revoked, as a local round accept is;
# - a gated round-open rewritten in the file as version 2 (no gate) is
#   refused by round accept (exit 9, the leaf no longer hashes to its
#   stored hash), not taken as ungated;
# - once the evaluation-fixed@1 verifier version is revoked, round accept
#   refuses (exit 6, nothing written) and a gated round pinning it does not
#   open.
# TAP. Usage: cli_round_gate.sh zkreg bundle_pick
set -u
ZKREG=$1
PICK=$2
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-round-gate.XXXXXX)
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
unchanged() {
  before=$(regsum); want=$1; what=$2; shift 2
  expect "$want" "$what" "$@"
  [ "$(regsum)" = "$before" ]; ok $? "... the registry file is unchanged"
}
# flip FILE OFFSET: XORs the byte at OFFSET with 0xff (always a change).
flip() {
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf %03o $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$T/out" | head -1; }
be32() { v=$1; for s in 24 16 8 0; do printf "\\$(printf %03o $(( (v >> s) & 255 )))"; done; }
be64() { be32 0; be32 "$1"; }
# mkidx NAME N OFFSET: N records of 16 bytes (4x4) cut from t10k at OFFSET, labels (7i+3) mod 4.
mkidx() {
  { printf '\000\000\010\003'; be32 "$2"; be32 4; be32 4
    zcat "$DATA" | tail -c +$((17 + $3)) | head -c $(($2 * 16)); } >"$T/$1-images-idx3-ubyte"
  { printf '\000\000\010\001'; be32 "$2"
    i=0; while [ $i -lt "$2" ]; do printf "\\$(printf %03o $(( (7 * i + 3) % 4 )))"; i=$((i + 1)); done
  } >"$T/$1-labels-idx1-ubyte"
}

(umask 077; echo "cli-round-gate-passphrase" >"$T/pass")
export ZKREG_PASSPHRASE_FILE="$T/pass"
mkidx train 16 4000
mkidx evalset 24 40000
expect 0 "init" "$ZKREG" init --kdf interactive
expect 0 "train-init 16-8-4" "$ZKREG" train-init --dims 16,8,4 --seed-text gate --out-dir "$T/m"
expect 0 "register-program" "$ZKREG" register-program "$T/m/program.zkrprog"
expect 0 "register-model" "$ZKREG" register-model "$T/m/init.zkrtm" --program 1
expect 0 "register the training dataset (16 records)" "$ZKREG" register-dataset "$T/train-images-idx3-ubyte"
expect 0 "register the evaluation dataset (24 records)" "$ZKREG" register-dataset "$T/evalset-images-idx3-ubyte"
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

# --- evaluation-fixed@1 by itself ---------------------------------------------------
thr_out() { { printf '\001'; be64 24; be64 "$1"; } >"$2"; }
reg_stmt() {
  "$ZKREG" register-statement --schema gate-eval@1 --program 1 --model 2 --dataset 4 \
    --param record_first=0 --param record_count=24 --public-output "$1" 2>"$T/err" | tail -1
}
thr_out 1 "$T/t1.bin"
S0=$(reg_stmt "$T/t1.bin")
expect 0 "prove 'at least 1 of 24 correct' for the FIXED training model" "$ZKREG" --json prove --statement "$S0" -o "$T/e0.zkp"
C=$(sed -n 's/.*"correct":\([0-9]*\).*/\1/p' "$T/out")
[ -n "$C" ] && [ "$C" -ge 1 ]; ok $? "... the model gets $C right"
expect 0 "verify the threshold proof" "$ZKREG" verify --statement "$S0" "$T/e0.zkp"
{ printf '\000'; be64 24; be64 "$C"; } >"$T/o.bin"
{ printf '\000'; be64 24; be64 $((C + 1)); } >"$T/oplus.bin"
S1=$(reg_stmt "$T/o.bin")
S2=$(reg_stmt "$T/oplus.bin")
[ ${#S1} -eq 64 ] && [ ${#S2} -eq 64 ]; ok $? "two exact evaluation-fixed@1 statements registered"
expect 0 "prove the FIXED model's accuracy" "$ZKREG" --json prove --statement "$S1" -o "$T/e1.zkp"
grep -q "\"correct\":$C" "$T/out"; ok $? "... $C correct"
expect 0 "verify it" "$ZKREG" verify --statement "$S1" "$T/e1.zkp"
expect 1 "the threshold proof against the exact statement" "$ZKREG" verify --statement "$S1" "$T/e0.zkp"
expect 1 "the count plus one cannot be proven" "$ZKREG" prove --statement "$S2" -o "$T/e2.zkp"
[ ! -e "$T/e2.zkp" ]; ok $? "... no proof written"
expect 1 "the proof against the count-plus-one statement" "$ZKREG" verify --statement "$S2" "$T/e1.zkp"
cp "$T/e1.zkp" "$T/bad.zkp"
flip "$T/bad.zkp" $(($(wc -c <"$T/bad.zkp") - 200))
expect 1 "a tampered proof" "$ZKREG" verify --statement "$S1" "$T/bad.zkp"

cat >"$T/eval1.json" <<'JSON'
{"name": "gate-eval-int8", "version": 1, "proof_kind": "evaluation@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_first", "type": "u64"}, {"name": "record_count", "type": "u64"}]}
JSON
expect 0 "register-schema evaluation@1" "$ZKREG" register-schema "$T/eval1.json"
S3=$("$ZKREG" register-statement --schema gate-eval-int8@1 --program 1 --model 2 --dataset 4 \
  --param record_first=0 --param record_count=24 --public-output "$T/o.bin" 2>"$T/err" | tail -1)
[ ${#S3} -eq 64 ]; ok $? "the same facts under an evaluation@1 schema"
expect 1 "the kind-9 proof for the evaluation@1 statement" "$ZKREG" verify --statement "$S3" "$T/e1.zkp"
grep -q 'kind 9 is not evaluation@1' "$T/err"; ok $? "... refused: the proof's kind is not the schema's"
(umask 077; echo "gate-key-pass" >"$T/keypass")
expect 0 "key generate" "$ZKREG" key generate --type ed25519 -o "$T/ed.key" --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key register" "$ZKREG" key register "file:$T/ed.key"
expect 0 "attest the verified evaluation-fixed@1 statement" "$ZKREG" attest --statement "$S1" \
  --proof "$T/e1.zkp" --key "file:$T/ed.key" -o "$T/s1.att" --passphrase-file "$T/keypass"
expect 1 "attest refuses the proof for the count-plus-one statement" "$ZKREG" attest --statement "$S2" \
  --proof "$T/e1.zkp" --key "file:$T/ed.key" -o "$T/l.att" --passphrase-file "$T/keypass"
expect 1 "attest refuses it for the evaluation@1 statement" "$ZKREG" attest --statement "$S3" \
  --proof "$T/e1.zkp" --key "file:$T/ed.key" -o "$T/l.att" --passphrase-file "$T/keypass"
[ ! -e "$T/l.att" ]; ok $? "... no attestation written"

# --- Bad gates ------------------------------------------------------------------------
OPEN="round open --model 2 --dataset 3 --workers 2 --first-record 0 --records-per-worker 4 --lr 60 --shift 14 --schema gate-train@1"
unchanged 2 "--eval-dataset without --min-correct" "$ZKREG" $OPEN --eval-dataset 4 --eval-schema gate-eval@1
unchanged 2 "--min-correct above the evaluation dataset's 24 records" "$ZKREG" $OPEN --eval-dataset 4 \
  --eval-schema gate-eval@1 --min-correct 25
unchanged 1 "--eval-schema of another proof kind" "$ZKREG" $OPEN --eval-dataset 4 --eval-schema gate-train@1 --min-correct 1
grep -q 'evaluation-fixed@1' "$T/err"; ok $? "... named"

# --- A gated round, K = 1: two children proven, one laundering refused --------------
gated() { # K -> ROUND
  expect 0 "round open gated on $1 correct" "$ZKREG" --json $OPEN --eval-dataset 4 --eval-schema gate-eval@1 --min-correct "$1"
  ROUND=$(json_field round)
}
gated 1; RA=$ROUND
expect 0 "round show names the gate" "$ZKREG" round show "$RA"
grep -q 'gate: at least 1 correct on evaluation dataset' "$T/out"; ok $? "... the gate line"
mkdir -p "$T/a"
expect 0 "worker 0 trains and proves its step and its child's evaluation" "$ZKREG" --json train --round "$RA" --worker 0 --out-dir "$T/a"
C0=$(json_field eval_correct)
expect 0 "worker 1 likewise" "$ZKREG" --json train --round "$RA" --worker 1 --out-dir "$T/a"
C1=$(json_field eval_correct)
[ -n "$C0" ] && [ -n "$C1" ] && [ -s "$T/a/worker-0.eval.zkp" ]; ok $? "children get $C0 and $C1 of 24 right"
# A close refused after the accept wrote its store files (the kept evaluation proof, the
# accepted child's bytes, the average): a test-build fault in the close transaction, after
# every check. The files are removed again: the store is byte-identical. The first refused
# accept has registered the workers' training-step statements (their own transactions before
# the judging, docs/transactions.md); the second, with them held, leaves the registry file
# byte-identical as well.
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
sum_store() { (cd "$T/reg.db.d" && find . -type f | LC_ALL=C sort -S 1M | xargs sha256sum) | sha256sum; }
sum_reg() { { cat "$T/reg.db" "$T/reg.db-wal" 2>/dev/null; sum_store; } | sha256sum; }
SUBS0="0=$T/a/worker-0.zkrtm,$T/a/worker-0.zkp,$T/a/worker-0.eval.zkp"
store0=$(sum_store)
expect 9 "accept with the close failing after every check (test build)" \
  env ZKR_TEST_ROUND_FAIL_COMMIT=1 "$ZKREG" round accept "$RA" --submission "$SUBS0"
grep -q 'commit failure injected' "$T/err"; ok $? "... the injected failure named"
[ "$(sum_store)" = "$store0" ] && [ -z "$(ls "$T/reg.db.d/round-eval" 2>/dev/null)" ]
ok $? "... its store is byte-identical: no kept evaluation proof, no child, no average"
before=$(sum_reg)
expect 9 "the same accept refused again" \
  env ZKR_TEST_ROUND_FAIL_COMMIT=1 "$ZKREG" round accept "$RA" --submission "$SUBS0"
[ "$(sum_reg)" = "$before" ]; ok $? "... the registry file and its store are byte-identical"
expect 0 "accept: worker 0 with its proofs, worker 1 with worker 0's evaluation proof" "$ZKREG" round accept "$RA" \
  --submission "0=$T/a/worker-0.zkrtm,$T/a/worker-0.zkp,$T/a/worker-0.eval.zkp" \
  --submission "1=$T/a/worker-1.zkrtm,$T/a/worker-1.zkp,$T/a/worker-0.eval.zkp"
grep -q "worker 0: ACCEPTED: .*$C0 of 24 evaluation records correct" "$T/out"; ok $? "... worker 0 accepted, its count logged"
grep -q 'worker 1: REJECTED: evaluation proof rejected' "$T/out"; ok $? "... worker 1 refused: another child's proof"
expect 0 "round show" "$ZKREG" round show "$RA"
grep -q 'worker 1: rejected: evaluation proof rejected' "$T/out"; ok $? "... the reason is in the round-outcome event"
expect 0 "round audit" "$ZKREG" round audit "$RA"
grep -q "^worker 0: ok: evaluation proof re-verified: $C0 of 24 correct" "$T/out" &&
  ! grep -q '^worker 1:' "$T/out"; ok $? "... re-verifies the accepted update's evaluation proof, one line"
# accept keeps the evaluation proof it verified; audit fails if it is tampered with or gone.
KEPT=$(ls "$T/reg.db.d/round-eval/"*.zkp 2>/dev/null)
[ "$(echo "$KEPT" | grep -c .)" -eq 1 ] && cmp -s "$KEPT" "$T/a/worker-0.eval.zkp"
ok $? "accept kept exactly the evaluation proof it accepted"
cp "$KEPT" "$T/kept.zkp"
flip "$KEPT" $(($(wc -c <"$KEPT") / 2))
unchanged 1 "round audit with the kept evaluation proof tampered" "$ZKREG" round audit "$RA"
grep -q '^worker 0: FAILED: evaluation proof no longer verifies' "$T/out" &&
  grep -q 'worker 0: evaluation proof no longer verifies' "$T/err"; ok $? "... the worker and the reason named"
rm -f "$KEPT"
unchanged 1 "round audit with the kept evaluation proof deleted" "$ZKREG" round audit "$RA"
grep -q '^worker 0: FAILED: evaluation proof missing' "$T/out"; ok $? "... named as missing"
cp "$T/kept.zkp" "$KEPT"
expect 0 "round audit with the proof restored" "$ZKREG" round audit "$RA"
# Adversarial review: another child's valid evaluation proof of the same
# round, or a FIFO, in the kept proof's place.
cp "$T/a/worker-1.eval.zkp" "$KEPT"
unchanged 1 "round audit with worker 1's evaluation proof kept in worker 0's place" "$ZKREG" round audit "$RA"
grep -q '^worker 0: FAILED: evaluation proof no longer verifies' "$T/out"; ok $? "... worker 0 named"
rm -f "$KEPT"; mkfifo "$KEPT"
unchanged 1 "round audit with a FIFO in the kept proof's place (refused, no hang)" "$ZKREG" round audit "$RA"
rm -f "$KEPT"; cp "$T/kept.zkp" "$KEPT"

# --- K between the children's counts --------------------------------------------------
if [ "$C0" -ne "$C1" ]; then
  if [ "$C0" -gt "$C1" ]; then HI=0; LO=1; K=$C0; else HI=1; LO=0; K=$C1; fi
  gated "$K"; RB=$ROUND
  mkdir -p "$T/b"
  expect 0 "worker $HI (meets $K) trains and proves" "$ZKREG" train --round "$RB" --worker $HI --out-dir "$T/b"
  expect 1 "worker $LO (below $K) gets no evaluation proof" "$ZKREG" train --round "$RB" --worker $LO --out-dir "$T/b"
  grep -q "below the round's $K correct" "$T/err" && [ ! -e "$T/b/worker-$LO.eval.zkp" ] && [ -s "$T/b/worker-$LO.zkp" ]
  ok $? "... named; its model and training proof are written"
  expect 0 "accept: worker $HI with its proofs, worker $LO with its round-$RA evaluation proof" "$ZKREG" round accept "$RB" \
    --submission "$HI=$T/b/worker-$HI.zkrtm,$T/b/worker-$HI.zkp,$T/b/worker-$HI.eval.zkp" \
    --submission "$LO=$T/b/worker-$LO.zkrtm,$T/b/worker-$LO.zkp,$T/a/worker-$LO.eval.zkp"
  grep -q "worker $HI: ACCEPTED" "$T/out" && grep -q "worker $LO: REJECTED: evaluation proof rejected" "$T/out"
  ok $? "... the child meeting K accepted, the other refused (a valid proof of a lower threshold)"
  expect 0 "round audit" "$ZKREG" round audit "$RB"
else
  ok 1 "the two children get the same count ($C0): no K separates them (change the test's shards)"
fi

# --- Missing and tampered evaluation proofs ------------------------------------------
gated 1; RC=$ROUND
mkdir -p "$T/c"
expect 0 "worker 0 of round $RC" "$ZKREG" train --round "$RC" --worker 0 --out-dir "$T/c"
expect 0 "worker 1 of round $RC" "$ZKREG" train --round "$RC" --worker 1 --out-dir "$T/c"
cp "$T/c/worker-1.eval.zkp" "$T/c/bad.zkp"
flip "$T/c/bad.zkp" $(($(wc -c <"$T/c/bad.zkp") / 2))
cmp -s "$T/c/bad.zkp" "$T/c/worker-1.eval.zkp"; [ $? -eq 1 ]; ok $? "... one byte of worker 1's evaluation proof changed"
expect 1 "accept: worker 0 without an evaluation proof, worker 1 with a tampered one" "$ZKREG" round accept "$RC" \
  --submission "0=$T/c/worker-0.zkrtm,$T/c/worker-0.zkp" \
  --submission "1=$T/c/worker-1.zkrtm,$T/c/worker-1.zkp,$T/c/bad.zkp"
grep -q 'worker 0: REJECTED: no evaluation proof submitted' "$T/out"; ok $? "... missing: refused"
grep -q 'worker 1: REJECTED: evaluation proof rejected' "$T/out"; ok $? "... tampered: refused"
expect 0 "round audit (no update accepted)" "$ZKREG" round audit "$RC"

# --- An ungated round still works (version-2 round-open) -----------------------------
expect 0 "an ungated round opens" "$ZKREG" --json $OPEN
RD=$(json_field round)
mkdir -p "$T/d"
expect 0 "its worker trains" "$ZKREG" train --round "$RD" --worker 0 --out-dir "$T/d"
[ ! -e "$T/d/worker-0.eval.zkp" ]; ok $? "... and makes no evaluation proof"
expect 0 "accept without evaluation proofs" "$ZKREG" round accept "$RD" \
  --submission "0=$T/d/worker-0.zkrtm,$T/d/worker-0.zkp"
expect 0 "round audit" "$ZKREG" round audit "$RD"
expect 0 "log verify" "$ZKREG" log verify

# --- A gated round's close imported where its evaluation dataset is revoked ----------
"$ZKREG" log key >"$T/vkey" 2>/dev/null
expect 0 "export everything" "$ZKREG" export -o "$T/all.zkb"
"$PICK" -v "$T/all.zkb" "$T/noclose.zkb" round-close; ok $? "a bundle of everything but the round-closes"
expect 0 "show the evaluation dataset" "$ZKREG" --json show dataset 4
ESHA=$(json_field sha256)
expect 0 "an offline registry" "$ZKREG" --registry "$T/rv.db" init --kdf interactive
expect 0 "everything but the closes imports" "$ZKREG" --registry "$T/rv.db" import "$T/noclose.zkb" \
  --trusted-key-file "$T/vkey"
expect 0 "revoke the evaluation dataset there" "$ZKREG" --registry "$T/rv.db" revoke dataset "$ESHA" \
  --reason "leaked"
before=$(sha256sum "$T/rv.db" | cut -d' ' -f1)
expect 6 "the gated rounds' closes are refused" "$ZKREG" --registry "$T/rv.db" import "$T/all.zkb" \
  --trusted-key-file "$T/vkey"
grep -q 'round-close event [0-9]* binds the evaluation dataset' "$T/err"; ok $? "... naming the revoked evaluation dataset"
[ "$(sha256sum "$T/rv.db" | cut -d' ' -f1)" = "$before" ]; ok $? "... the offline registry is unchanged"

# --- Evaluation proofs across the air gap (bundle format version 2) ----------------------
# Export carries the evaluation proof accept kept for every accepted update of
# a gated round; import binds each to the statement the round derives for that
# worker's child and verifies it in the confined worker before storing it, so
# round audit passes on the importer. Each altered bundle is refused with the
# importer's registry file and its store unchanged.
gated 1; RF=$ROUND
mkdir -p "$T/f"
expect 0 "round $RF: worker 0 trains and proves" "$ZKREG" train --round "$RF" --worker 0 --out-dir "$T/f"
expect 0 "round $RF: worker 1 trains and proves" "$ZKREG" train --round "$RF" --worker 1 --out-dir "$T/f"
expect 0 "round $RF: both updates accepted with their evaluation proofs" "$ZKREG" round accept "$RF" \
  --submission "0=$T/f/worker-0.zkrtm,$T/f/worker-0.zkp,$T/f/worker-0.eval.zkp" \
  --submission "1=$T/f/worker-1.zkrtm,$T/f/worker-1.zkp,$T/f/worker-1.eval.zkp"
expect 0 "export everything again" "$ZKREG" export -o "$T/ev.zkb"
[ "$(head -c 8 "$T/ev.zkb")" = ZKRBNDL2 ]; ok $? "... a format version 2 bundle"
"$PICK" --eval-list "$T/ev.zkb" >"$T/evlist"; ok $? "... its evaluation proofs listed"
NKEPT=$(ls "$T/reg.db.d/round-eval/"*.zkp | wc -l)
[ "$(wc -l <"$T/evlist")" -eq "$NKEPT" ] && [ "$NKEPT" -ge 3 ]; ok $? "... one per kept proof ($NKEPT)"
bad=0
while read -r k oi sid len; do
  [ "$(wc -c <"$T/reg.db.d/round-eval/$sid.zkp")" -eq "$len" ] || { echo "# proof $k (outcome $oi): $sid"; bad=1; }
done <"$T/evlist"; ok $bad "... each names a kept proof's derived statement id, with that file's length"
# The two proofs of round $RF (its outcomes are its last two carried proofs).
KF0=$(tail -2 "$T/evlist" | head -1 | cut -d' ' -f1); KF1=$(tail -1 "$T/evlist" | cut -d' ' -f1)
SIDF0=$(tail -2 "$T/evlist" | head -1 | cut -d' ' -f3)
LEN0=$(tail -2 "$T/evlist" | head -1 | cut -d' ' -f4)
IMP="$T/imp.db"
istate() { { cat "$IMP" "$IMP-wal" 2>/dev/null | sha256sum
             (cd "$IMP.d" 2>/dev/null && find . | sort -S 1M && find . -type f | sort -S 1M | xargs -r sha256sum); } |
           sha256sum | cut -d' ' -f1; }
# refused WANT WHAT GREP BUNDLE: import refused with WANT, the message, the importer unchanged.
refused() {
  before=$(istate)
  expect "$1" "$2" "$ZKREG" --registry "$IMP" import "$4" --trusted-key-file "$T/vkey"
  grep -q -- "$3" "$T/err"; ok $? "... named: $3"
  [ "$(istate)" = "$before" ]; ok $? "... the importer's registry file and its store are unchanged"
}
expect 0 "an importing registry" "$ZKREG" --registry "$IMP" init --kdf interactive
expect 0 "import without the evaluation dataset's file" "$ZKREG" --registry "$IMP" import "$T/ev.zkb" \
  --trusted-key-file "$T/vkey"
grep -q "$NKEPT evaluation proof(s) not stored" "$T/err" && grep -q "$NKEPT not verifiable here" "$T/out" &&
  [ ! -e "$IMP.d/round-eval" ]; ok $? "... the proofs it cannot verify are not stored (a note says so)"
expect 0 "the evaluation dataset's file registered there (already held: its file remembered)" \
  "$ZKREG" --registry "$IMP" register-dataset "$T/evalset-images-idx3-ubyte"
"$PICK" --eval-flip "$T/ev.zkb" "$T/x-flip.zkb" "$KF0" $((LEN0 / 2)); ok $? "a bundle with one proof byte flipped"
refused 1 "import with a tampered evaluation proof" "does not verify" "$T/x-flip.zkb"
"$PICK" --eval-swap "$T/ev.zkb" "$T/x-swap.zkb" "$KF0" "$KF1"; ok $? "a bundle with round $RF's two proofs swapped"
refused 1 "import with the proofs swapped between workers" "proves statement" "$T/x-swap.zkb"
"$PICK" --eval-sid "$T/ev.zkb" "$T/x-sid.zkb" "$KF0" "$(printf '%064d' 7)"; ok $? "a bundle whose proof names another statement"
refused 1 "import with a proof naming a statement the round does not derive" "names statement 0*7, not the statement $SIDF0" "$T/x-sid.zkb"
"$PICK" --eval-cut "$T/ev.zkb" "$T/x-cut.zkb" "$KF0" $((LEN0 - 100)); ok $? "a bundle with one proof truncated"
refused 3 "import with a truncated evaluation proof" "does not parse" "$T/x-cut.zkb"
head -c $(($(wc -c <"$T/ev.zkb") - 100)) "$T/ev.zkb" >"$T/x-trunc.zkb"
refused 3 "import of a truncated bundle" "evaluation proof [0-9]* is truncated" "$T/x-trunc.zkb"
{ printf 'ZKRBNDL3'; tail -c +9 "$T/ev.zkb"; } >"$T/x-v3.zkb"
refused 3 "import of a bundle of a later format version" "format version 3 refused" "$T/x-v3.zkb"
# A proof moved to an outcome the round rejected (worker 1 of round $RA), and to one of an ungated round.
"$ZKREG" list log >"$T/log" 2>&1
OUTC=$(awk '/round-outcome/ {print $1}' "$T/log")
REJ=""; UNG=""
for i in $OUTC; do
  cut -d' ' -f2 "$T/evlist" | grep -qx "$i" && continue
  [ -z "$REJ" ] && REJ=$i               # the first outcome without a proof: round $RA's worker 1
  [ "$i" -gt "$RD" ] && [ -z "$UNG" ] && UNG=$i
done
[ -n "$REJ" ] && [ -n "$UNG" ]; ok $? "round $RA's rejected outcome ($REJ) and round $RD's ungated one ($UNG)"
"$PICK" --eval-outcome "$T/ev.zkb" "$T/x-rej.zkb" 0 "$REJ"; ok $? "a bundle with a proof for the rejected worker"
refused 1 "import with a proof for a worker the round did not accept" "which the round did not accept" "$T/x-rej.zkb"
"$PICK" --eval-outcome "$T/ev.zkb" "$T/x-ung.zkb" "$KF0" "$UNG"; ok $? "a bundle with a proof for an ungated round's outcome"
refused 1 "import with a proof for an ungated round's worker" "whose round is not gated" "$T/x-ung.zkb"
"$PICK" --eval-outcome "$T/ev.zkb" "$T/x-none.zkb" 0 1; ok $? "a bundle with a proof naming an entry that is no outcome"
refused 3 "import with a proof naming no round-outcome of the bundle" "no round-outcome entry of this bundle" "$T/x-none.zkb"
# A failure after the proofs were written beside the registry, before the commit
# (injected, test builds): the proofs are removed again with the rollback.
expect 0 "a second importing registry" "$ZKREG" --registry "$T/imp2.db" init --kdf interactive
expect 0 "... the evaluation dataset registered there" "$ZKREG" --registry "$T/imp2.db" register-dataset \
  "$T/evalset-images-idx3-ubyte"
IMP0=$IMP; IMP="$T/imp2.db"; before=$(istate)
expect 9 "import failing after its proofs were staged (injected)" \
  env ZKR_TEST_IMPORT_FAIL_COMMIT=1 "$ZKREG" --registry "$IMP" import "$T/ev.zkb" --trusted-key-file "$T/vkey"
[ "$(istate)" = "$before" ] && [ ! -e "$IMP.d/round-eval" ]; ok $? "... no proof left behind, the registry unchanged"
IMP=$IMP0
expect 0 "the genuine bundle imports again: its proofs verified and stored" "$ZKREG" --registry "$IMP" import \
  "$T/ev.zkb" --trusted-key-file "$T/vkey"
grep -q "$NKEPT verified and stored" "$T/out" && grep -q ' 0 added' "$T/out"; ok $? "... all $NKEPT, nothing else added"
for f in "$T/reg.db.d/round-eval/"*.zkp; do
  cmp -s "$f" "$IMP.d/round-eval/$(basename "$f")" || { echo "# $f differs"; false; }
done; ok $? "... byte for byte the exporter's kept proofs, under the same names"
expect 0 "import it once more" "$ZKREG" --registry "$IMP" import "$T/ev.zkb" --trusted-key-file "$T/vkey"
grep -q "0 verified and stored, $NKEPT already kept" "$T/out"; ok $? "... the kept proofs are left as they are"
# round audit there needs the models' bytes beside the registry (a bundle carries rows):
# what register-model of the same files places in the store.
mkdir -p "$IMP.d/models" && cp "$T/reg.db.d/models/"* "$IMP.d/models/"
expect 0 "the importer signs a checkpoint over what it imported" "$ZKREG" --registry "$IMP" log checkpoint
DIGF=$("$ZKREG" round show "$RF" | sed -n 's/^  digest \([0-9a-f]*\),.*/\1/p')
"$ZKREG" --registry "$IMP" list log >"$T/implog" 2>&1
IRF=""; for i in $(awk '/round-open/ {print $1}' "$T/implog"); do
  "$ZKREG" --registry "$IMP" round show "$i" 2>/dev/null | grep -q "digest $DIGF," && IRF=$i
done
[ -n "$IRF" ]; ok $? "round $RF is round $IRF on the importer"
expect 0 "round audit on the importer" "$ZKREG" --registry "$IMP" round audit "$IRF"
grep -q '^worker 0: ok: evaluation proof re-verified' "$T/out" &&
  grep -q '^worker 1: ok: evaluation proof re-verified' "$T/out"; ok $? "... re-verifies both workers' evaluation proofs"
rm -f "$IMP.d/round-eval/$SIDF0.zkp"
expect 1 "round audit on the importer without worker 0's proof" "$ZKREG" --registry "$IMP" round audit "$IRF"
grep -q '^worker 0: FAILED: evaluation proof missing' "$T/out"; ok $? "... fails closed, named"
# A version 1 bundle (as zkreg wrote before) still imports: the same entries, no proofs.
"$PICK" --eval-v1 "$T/ev.zkb" "$T/v1.zkb"; ok $? "the same bundle in format version 1"
expect 0 "a fresh registry imports the version 1 bundle" "$ZKREG" --registry "$T/imp1.db" init --kdf interactive
expect 0 "... import" "$ZKREG" --registry "$T/imp1.db" import "$T/v1.zkb" --trusted-key-file "$T/vkey"
grep -q '0 evaluation proof(s) carried' "$T/out" && [ ! -e "$T/imp1.db.d/round-eval" ]; ok $? "... with no proof stored"

# --- A gated round-open rewritten as version 2 in the file (an insider) --------------
gated 1; RE=$ROUND
mkdir -p "$T/e"
expect 0 "worker 0 of round $RE trains and proves" "$ZKREG" train --round "$RE" --worker 0 --out-dir "$T/e"
sqlite3 "$T/reg.db" ".backup '$T/dg.db'"
cp -r "$T/reg.db.d" "$T/dg.db.d"
# The leaf: str "zkreg/log/v1" (16) | str "round-open" (14) | u64 time | u32 length | payload
# (u32 version first, the gate's 72 bytes last): version 2, the gate cut off.
L=$(sqlite3 "$T/dg.db" "SELECT hex(leaf) FROM log WHERE idx = $RE")
PL=$(( ${#L} / 2 - 42 ))
NL=$(printf '%s%08X00000002%s' "$(echo "$L" | cut -c1-76)" $((PL - 72)) \
  "$(echo "$L" | cut -c93-$(( (42 + PL - 72) * 2 )))")
sqlite3 "$T/dg.db" "DROP TRIGGER log_no_update; UPDATE log SET leaf = X'$NL' WHERE idx = $RE"
expect 9 "round show refuses the edited round-open" "$ZKREG" --registry "$T/dg.db" round show "$RE"
before=$(sha256sum "$T/dg.db" | cut -d' ' -f1)
expect 9 "accept without an evaluation proof in the edited registry" "$ZKREG" --registry "$T/dg.db" \
  round accept "$RE" --submission "0=$T/e/worker-0.zkrtm,$T/e/worker-0.zkp"
grep -q 'round-open) does not hash to its stored leaf hash' "$T/err"; ok $? "... the edited leaf named"
[ "$(sha256sum "$T/dg.db" | cut -d' ' -f1)" = "$before" ]; ok $? "... nothing written"

# --- A revoked verifier version: the round's verdicts are not taken ------------------
expect 0 "revoke verifier evaluation-fixed@1 0.2.0" "$ZKREG" revoke verifier evaluation-fixed@1 0.2.0 \
  --reason "adversary test"
unchanged 6 "accept a valid submission judged by the revoked evaluation verifier" "$ZKREG" round accept "$RE" \
  --submission "0=$T/e/worker-0.zkrtm,$T/e/worker-0.zkp,$T/e/worker-0.eval.zkp"
grep -q 'verifier evaluation-fixed@1@0.2.0 is revoked' "$T/err"; ok $? "... named"
unchanged 6 "a gated round pinning the revoked verifier does not open" "$ZKREG" $OPEN --eval-dataset 4 \
  --eval-schema gate-eval@1 --min-correct 1
echo "1..$n"
exit $fail
