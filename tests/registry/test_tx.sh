#!/usr/bin/env bash
# Registry transactions, end to end with the real zkreg (TAP):
# - a revocation that lands between a command's preparations and its write
#   transaction is seen by that transaction (exit 6, nothing written), made
#   deterministic by the test-build pause hook (ZKR_TEST_PAUSE_FIFO) and
#   checked again by a bounded stress loop without the hook;
# - an export taken while an import commits is one snapshot (it imports
#   cleanly into an empty registry), deterministically and under stress.
# Usage: test_tx.sh PATH/TO/zkreg   (needs a test build: -Dtest_hooks=true)
set -u
Z=$(readlink -f "${1:?usage: test_tx.sh ZKREG}")
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-tx-XXXXXX")
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

printf 'pass phrase tx\n' > pass; chmod 600 pass
export ZKREG_PASSPHRASE_FILE=$T/pass
export ZKREG_REGISTRY=$T/r.db
unset ZKR_TEST_PAUSE_FIFO ZKR_TEST_PAUSE_AT ZKR_TEST_PAUSE_SKIP ZKREG_TRUSTED_KEY || true
mkfifo "$T/fifo"

cat > schema.json <<'EOF'
{"name":"tx","version":1,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":false,"fields":[{"name":"n","type":"u64"}]}
EOF
printf 'record one\nrecord two\n' > data.txt

# Field NAME of the one-line JSON on stdin (numbers and strings).
jfield() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" | head -n1; }

# pause_run AT OUT -- zkreg args: starts zkreg paused at point AT; returns once it is paused.
pause_run() {
  local at=$1 out=$2; shift 3
  ZKR_TEST_PAUSE_FIFO=$T/fifo ZKR_TEST_PAUSE_AT=$at "$Z" "$@" >"$out.out" 2>"$out.err" &
  PAUSED=$!
  BG="$BG $PAUSED"
  timeout 60 head -n1 "$T/fifo" >/dev/null
}
# release: lets the paused zkreg go on; RC gets its exit code.
release() {
  timeout 60 bash -c ': > "$1"' _ "$T/fifo"
  wait "$PAUSED"; RC=$?
}

"$Z" init --kdf interactive >/dev/null 2>&1; ok $? "init"
"$Z" register-schema schema.json >/dev/null && DS=$("$Z" --json register-dataset data.txt | jfield id)
ok $? "schema and dataset"

# Registers program, model of it and returns their ids in P and M.
fresh_pm() {
  echo "program $1" > "p$1"; echo "weights $1" > "w$1"
  P=$("$Z" --json register-program "p$1" | jfield id)
  M=$("$Z" --json register-model "w$1" --program "$P" | jfield id)
}

# ---- deterministic: revoke lands between preparations and the write ----
SCHEMA=tx@1
for what in model program schema dataset; do
  fresh_pm "det-$what"
  before=$("$Z" --json list statement | grep -o '"statement_id"' | wc -l)
  pause_run write st -- register-statement --schema $SCHEMA --program "$P" --model "$M" --dataset "$DS" --param "n=$RANDOM"
  case $what in
    model) ref=$M ;; program) ref=$P ;; schema) ref=$SCHEMA ;; dataset) ref=$DS ;;
  esac
  "$Z" revoke "$what" "$ref" --reason "race test" >/dev/null 2>&1; rrc=$?
  release
  after=$("$Z" --json list statement | grep -o '"statement_id"' | wc -l)
  [ "$rrc" = 0 ] && [ "$RC" = 6 ] && [ "$before" = "$after" ] && grep -q "revoked" st.err
  ok $? "register-statement paused, revoke $what lands: exit 6 and no statement written (got $RC)"
  if [ "$what" = schema ]; then
    sed 's/"version":1/"version":2/' schema.json > s2.json; "$Z" register-schema s2.json >/dev/null; SCHEMA=tx@2
  fi
  if [ "$what" = dataset ]; then
    printf 'another\n' > data2.txt; DS=$("$Z" --json register-dataset data2.txt | jfield id)
  fi
done

# Accept twin: paused, nothing lands, the statement is written.
fresh_pm det-accept
pause_run write st -- register-statement --schema $SCHEMA --program "$P" --model "$M" --dataset "$DS" --param n=1
release
[ "$RC" = 0 ]; ok $? "register-statement paused, no revocation: exit 0"

# register-model vs revoke program.
echo "program det-model" > pdm; P=$("$Z" --json register-program pdm | jfield id)
echo "weights det-model" > wdm
before=$("$Z" --json list model | grep -o '"sha256"' | wc -l)
pause_run write rm -- register-model wdm --program "$P"
"$Z" revoke program "$P" --reason "race test" >/dev/null 2>&1; rrc=$?
release
after=$("$Z" --json list model | grep -o '"sha256"' | wc -l)
[ "$rrc" = 0 ] && [ "$RC" = 6 ] && [ "$before" = "$after" ]
ok $? "register-model paused, revoke program lands: exit 6 and no model written (got $RC)"

# import vs revoke program: the bundle's model binds a program revoked here meanwhile.
export ZKREG_REGISTRY=$T/src.db
"$Z" init --kdf interactive >/dev/null 2>&1
echo "program imported" > pimp; echo "weights imported" > wimp
"$Z" register-program pimp >/dev/null && "$Z" register-model wimp --program 1 >/dev/null &&
  "$Z" export -o b-src --passphrase-file pass >/dev/null 2>&1
ok $? "source registry exported"
SRCKEY=$("$Z" log key)
export ZKREG_REGISTRY=$T/r.db
"$Z" register-program pimp >/dev/null
before=$(sha256sum r.db | cut -d' ' -f1)
pause_run write im -- import b-src --trusted-key "$SRCKEY"
"$Z" revoke program "$(sha256sum pimp | cut -d' ' -f1)" --reason "race test" >/dev/null 2>&1; rrc=$?
release
"$Z" --json list model | grep -q "$(sha256sum wimp | cut -d' ' -f1)"; held=$?
[ "$rrc" = 0 ] && [ "$RC" = 6 ] && [ "$held" = 1 ]
ok $? "import paused, revoke program lands: exit 6 and the model is not imported (got $RC)"

# train vs revoke model: the step's child and lineage event bind the parent, checked in the write.
FM=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
"$Z" train-init --dims 784,8,10 --seed-text tx --out-dir tm >/dev/null 2>&1
TP=$("$Z" --json register-program tm/program.zkrprog | jfield id)
TM=$("$Z" --json register-model tm/init.zkrtm --program "$TP" | jfield id)
FD=$("$Z" --json register-dataset "$FM" | jfield id)
before=$("$Z" --json list model | grep -o '"sha256"' | wc -l)
pause_run write tr -- train --model "$TM" --dataset "$FD" --batch-size 4 --steps 1 --lr 3
"$Z" revoke model "$TM" --reason "race test" >/dev/null 2>&1; rrc=$?
release
after=$("$Z" --json list model | grep -o '"sha256"' | wc -l)
[ "$rrc" = 0 ] && [ "$RC" = 6 ] && [ "$before" = "$after" ] && ! "$Z" lineage "$TM" 2>/dev/null | grep -q "from"
ok $? "train paused, revoke of its parent model lands: exit 6, no child and no lineage written (got $RC)"

# Nothing that can fail after the commit: the dataset's path file cannot be written -> unchanged.
export ZKREG_REGISTRY=$T/pf.db
"$Z" init --kdf interactive >/dev/null 2>&1
mkdir -p pf.db.d && : > pf.db.d/datasets   # a file where the directory should be
before=$(sha256sum pf.db | cut -d' ' -f1)
"$Z" register-dataset data.txt >/dev/null 2>err.txt; rc=$?
"$Z" --json list dataset > l.json 2>/dev/null
[ "$rc" = 9 ] && [ "$(sha256sum pf.db | cut -d' ' -f1)" = "$before" ] && ! grep -q sha256 l.json
ok $? "register-dataset whose path file cannot be written: exit 9 and nothing registered (got $rc: $(head -c 200 err.txt | tr "\n" " "))"
rm -f pf.db.d/datasets
"$Z" register-dataset data.txt >/dev/null 2>&1
"$Z" --json list dataset | grep -q sha256; ok $? "... and once it can, the registration goes through"
# ... nor after an export's checkpoint: the bundle cannot be written -> no checkpoint stored.
echo "program for export" > pfx; "$Z" register-program pfx >/dev/null
before=$(sha256sum pf.db | cut -d' ' -f1)
"$Z" export -o "$T/no/such/dir/b.bundle" --passphrase-file pass >/dev/null 2>err.txt; rc=$?
[ "$rc" = 9 ] && [ "$(sha256sum pf.db | cut -d' ' -f1)" = "$before" ] && ! "$Z" list checkpoint 2>/dev/null | grep -q .
ok $? "export whose bundle cannot be written: exit 9 and no checkpoint stored (got $rc: $(head -c 200 err.txt | tr "\n" " "))"
"$Z" export -o b-ok --passphrase-file pass >/dev/null 2>err.txt && "$Z" list checkpoint | grep -q .
ok $? "... and once it can, the export stores the checkpoint it signed: $(head -c 200 err.txt | tr "\n" " ")"
export ZKREG_REGISTRY=$T/r.db

"$Z" log verify >/dev/null 2>err.txt; ok $? "log verify after the deterministic races: $(head -c 200 err.txt | tr "\n" " ")"

# ---- stress: the same races without the hook, bounded ----
ITER=${ZKR_TX_ITER:-30}
bad=0
for i in $(seq 1 "$ITER"); do
  fresh_pm "st-$i"
  "$Z" --json register-statement --schema $SCHEMA --program "$P" --model "$M" --dataset "$DS" --param "n=$i" >s.out 2>/dev/null &
  a=$!
  "$Z" --json revoke model "$M" --reason stress >v.out 2>/dev/null &
  b=$!
  wait $a; src=$?; wait $b; vrc=$?
  if [ "$src" = 0 ]; then
    sidx=$("$Z" --json show statement "$(jfield statement_id < s.out)" | sed 's/.*"kind":"statement","log_index":\([0-9]*\).*/\1/')
    vidx=$(jfield log_index < v.out)
    [ "$vrc" = 0 ] && [ "$sidx" -gt "$vidx" ] && { bad=$((bad + 1)); echo "# iteration $i: statement at $sidx after revocation at $vidx"; }
  elif [ "$src" != 6 ]; then
    bad=$((bad + 1)); echo "# iteration $i: register-statement exit $src"
  fi
done
[ "$bad" = 0 ]; ok $? "stress: $ITER x register-statement racing revoke model: never a statement after the revocation"

bad=0
for i in $(seq 1 "$ITER"); do
  echo "program sm-$i" > "psm$i"; echo "weights sm-$i" > "wsm$i"
  P=$("$Z" --json register-program "psm$i" | jfield id)
  "$Z" --json register-model "wsm$i" --program "$P" >m.out 2>/dev/null &
  a=$!
  "$Z" --json revoke program "$P" --reason stress >v.out 2>/dev/null &
  b=$!
  wait $a; mrc=$?; wait $b; vrc=$?
  if [ "$mrc" = 0 ]; then
    midx=$(jfield log_index < m.out)
    vidx=$(jfield log_index < v.out)
    [ "$vrc" = 0 ] && [ "$midx" -gt "$vidx" ] && { bad=$((bad + 1)); echo "# iteration $i: model at $midx after revocation at $vidx"; }
  elif [ "$mrc" != 6 ]; then
    bad=$((bad + 1)); echo "# iteration $i: register-model exit $mrc"
  fi
done
[ "$bad" = 0 ]; ok $? "stress: $ITER x register-model racing revoke program: never a model after the revocation"
"$Z" log verify >/dev/null 2>err.txt; ok $? "log verify after the stress loops: $(head -c 200 err.txt | tr "\n" " ")"

# ---- exports are one snapshot ----
"$Z" log checkpoint >/dev/null 2>&1
KEY=$("$Z" log key)
( export ZKREG_REGISTRY=$T/empty.db; "$Z" init --kdf interactive >/dev/null 2>&1 )
ok $? "an empty registry to import into"
# A source of bundles, each adding a program, a model of it and a statement over both.
export ZKREG_REGISTRY=$T/src2.db
sed 's/"name":"tx"/"name":"ex"/' schema.json > ex.json; printf 'export data\n' > exdata.txt
"$Z" init --kdf interactive >/dev/null 2>&1 && "$Z" register-schema ex.json >/dev/null &&
  "$Z" register-dataset exdata.txt >/dev/null
SRC2KEY=$("$Z" log key)
NB=${ZKR_TX_BUNDLES:-12}
for i in $(seq 1 "$NB"); do
  echo "program exp-$i" > "pe$i"; echo "weights exp-$i" > "we$i"
  P=$("$Z" --json register-program "pe$i" | jfield id)
  M=$("$Z" --json register-model "we$i" --program "$P" | jfield id)
  S=$("$Z" register-statement --schema ex@1 --program "$P" --model "$M" --dataset 1 --param "n=$i")
  "$Z" export -o "bx$i" --statement "$S" --passphrase-file pass >/dev/null 2>&1 || echo "# export bx$i failed"
done
export ZKREG_REGISTRY=$T/r.db

# Deterministic: the export pauses inside its snapshot after selecting programs; an import commits.
pause_run export ex -- export -o snap.bundle --passphrase-file pass
"$Z" import bx1 --trusted-key "$SRC2KEY" >/dev/null 2>im.err; irc=$?
release
cp empty.db e0.db
"$Z" --registry e0.db import snap.bundle --trusted-key "$KEY" >/dev/null 2>err.txt; erc=$?
[ "$irc" = 0 ] && [ "$RC" = 0 ] && [ "$erc" = 0 ]
ok $? "export paused mid-selection while an import commits: the bundle imports into an empty registry (import $irc, export $RC, re-import $erc: $(head -c 200 err.txt | tr "\n" " "))"

# Stress: exports while imports commit, every bundle imports into an empty registry.
( for i in $(seq 2 "$NB"); do "$Z" import "bx$i" --trusted-key "$SRC2KEY" >/dev/null 2>&1 || echo "# import bx$i failed"; done ) &
W=$!; BG="$BG $W"
bad=0; k=0
while kill -0 "$W" 2>/dev/null || [ "$k" -lt 3 ]; do
  k=$((k + 1))
  if ! "$Z" export -o "ex$k" --passphrase-file pass >/dev/null 2>err.txt; then
    bad=$((bad + 1)); echo "# export $k failed: $(head -c 200 err.txt | tr "\n" " ")"; continue
  fi
  cp empty.db "e$k.db"
  "$Z" --registry "e$k.db" import "ex$k" --trusted-key "$KEY" >/dev/null 2>err.txt ||
    { bad=$((bad + 1)); echo "# bundle $k does not import: $(head -c 200 err.txt | tr "\n" " ")"; }
  rm -f "e$k.db" "e$k.db-wal" "e$k.db-shm" "ex$k"
done
wait "$W"
[ "$bad" = 0 ] && [ "$k" -ge 3 ]; ok $? "stress: $k exports during $((NB - 1)) imports all import cleanly into an empty registry"
"$Z" log verify >/dev/null 2>err.txt; ok $? "log verify at the end: $(head -c 200 err.txt | tr "\n" " ")"

echo "1..$n"
[ "$failed" = 0 ]
