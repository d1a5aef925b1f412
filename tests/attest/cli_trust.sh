#!/bin/sh
# Appliance trust regressions (issue 20, issue 12 "Revoking a verifier
# version"), each an attack through the real zkreg binary:
#  1. a revocation that lands between the confined verification and the
#     signature (test-build pause hook on a FIFO) is seen: exit 6, no
#     attestation; plus a bounded stress loop racing attest against revoke;
#  2. an insider holding the registry file drops the append-only triggers
#     and edits a row (public_output, an artifact, a revocation deleted, a
#     proof row rewritten): attest / verify-attestation / gate refuse with
#     exit 9 naming the row and the log entry; log verify names the proof row;
#  3. verify --no-sandbox records no "proof" entry (only "verify-unconfined");
#  4. zkreg revoke verifier KIND VERSION: an attestation that passed the gate
#     is refused (exit 6, the reason named) online, offline (policy
#     revoked_verifiers, evidence) and in a registry that imported the bundle.
# TAP. Usage: cli_trust.sh ZKREG [STRESS_ITERATIONS]
set -u
ZKREG=$1
ITER=${2:-12}
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d /tmp/zkr-trust-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ZKREG_REGISTRY="$T/reg.db"
export ZKREG_ATTEST_TIME=1795000000   # test builds only: a fixed predicate time
unset ZKREG_PASSPHRASE_FILE ZKREG_TEST_ATTEST_PAUSE
VER=0.2.0                             # this verifier (ZKR_VERSION)
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
expect() {
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq "$want" ]; ok $? "$what (exit $got, want $want)"
  [ "$got" -eq "$want" ] || sed 's/^/# /' "$T/err" "$T/out"
}
said() {
  grep -q "$1" "$T/err" "$T/out"; ok $? "... saying '$1'"
  grep -q "$1" "$T/err" "$T/out" || sed 's/^/# /' "$T/err" "$T/out"
}
sql() { sqlite3 "$1" "$2"; }
count() { sqlite3 -readonly "$ZKREG_REGISTRY" "select count(*) from log where type='$1'"; }
jget() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2"; }
output_bytes() {
  logits=$(sed -n 's/.*"logits":\[\([^]]*\)\].*/\1/p' "$1")
  arg=$(sed -n 's/.*"argmax":\([0-9]*\).*/\1/p' "$1")
  cnt=$(echo "$logits" | tr ',' '\n' | wc -l)
  printf '\000\000\000'; printf "\\$(printf %03o "$cnt")"
  for v in $(echo "$logits" | tr ',' ' '); do printf "\\$(printf %03o $(( (v + 256) % 256 )))"; done
  printf '\000\000\000'; printf "\\$(printf %03o "$arg")"
}
stmt() { # record output-file -> statement id
  "$ZKREG" --json register-statement --schema fmnist@1 --program 1 --model 2 --dataset 3 \
    --param record_index="$1" --public-output "$2" | jget statement_id /dev/stdin
}
keygen() { # file
  "$ZKREG" key generate --type ed25519 -o "$1" --passphrase-file "$T/keypass" --kdf interactive \
    >/dev/null 2>&1 && "$ZKREG" --json key register "file:$1" | jget keyid /dev/stdin
}
attest() { # statement proof key out
  "$ZKREG" attest --statement "$1" --proof "$2" --key "file:$3" -o "$4" \
    --passphrase-file "$T/keypass" --registry-passphrase-file "$T/regpass"
}
policy() { # file pub require_inclusion check_revocation [revoked_verifiers json]
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["fmnist@1"],"max_age_seconds":100000000000,"require_log_inclusion":%s,"check_revocation":%s%s}\n' \
    "$2" "$3" "$4" "${5:+,\"revoked_verifiers\":$5}" >"$1"
}
copy_reg() { # name -> a consistent copy of the registry (and its model store)
  rm -rf "$T/$1.db" "$T/$1.db.d"
  sqlite3 "$ZKREG_REGISTRY" ".backup '$T/$1.db'" && cp -r "$T/reg.db.d" "$T/$1.db.d"
}
untrigger() { # db table
  sql "$1" "DROP TRIGGER IF EXISTS $2_no_update; DROP TRIGGER IF EXISTS $2_no_delete;"
}

# ------------------------------------------------------------ setup
(umask 077; echo "trust-registry-pass" >"$T/regpass"; echo "trust-key-pass" >"$T/keypass")
expect 0 "init" "$ZKREG" init --passphrase-file "$T/regpass" --kdf interactive
expect 0 "register-program" "$ZKREG" register-program "$FIX"
expect 0 "register-model (calibrated)" "$ZKREG" --json register-model "$FIX" --program 1 \
  --calibrate "$DATA"
MODEL_SHA=$(jget sha256 "$T/out")
expect 0 "register-dataset" "$ZKREG" register-dataset "$DATA"
printf '{"name":"fmnist","version":1,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"%s","public_output":true,"fields":[{"name":"record_index","type":"u64"}]}\n' "$VER" >"$T/schema.json"
expect 0 "register-schema (verifier $VER)" "$ZKREG" register-schema "$T/schema.json"
for rec in 7 8 9; do
  "$ZKREG" --json infer --model-file "$T/reg.db.d/models/$MODEL_SHA" --dataset-file "$DATA" \
    --record $rec >"$T/infer$rec.json" 2>/dev/null
  output_bytes "$T/infer$rec.json" >"$T/out$rec.bin"
done
A=$(stmt 7 "$T/out7.bin"); B=$(stmt 8 "$T/out8.bin"); C=$(stmt 9 "$T/out9.bin")
[ ${#A} -eq 64 ] && [ ${#B} -eq 64 ] && [ ${#C} -eq 64 ]; ok $? "statements A, B, C registered"
expect 0 "prove A" "$ZKREG" prove --statement "$A" -o "$T/pA"
expect 0 "prove B" "$ZKREG" prove --statement "$B" -o "$T/pB"
expect 0 "prove C" "$ZKREG" prove --statement "$C" -o "$T/pC"
ED_ID=$(keygen "$T/ed.key")
[ ${#ED_ID} -eq 64 ]; ok $? "signer key generated and registered"
ED_PUB=$("$ZKREG" key public "file:$T/ed.key" | head -1)
expect 0 "attest A" attest "$A" "$T/pA" "$T/ed.key" "$T/a.att"
policy "$T/online.json" "$ED_PUB" true true
expect 0 "the gate passes A's attestation (registry-backed)" \
  "$ZKREG" gate --policy "$T/online.json" "$T/a.att"

# ------------------------------------------------------------ 3. verify --no-sandbox
proofs=$(count proof)
expect 0 "verify --no-sandbox" "$ZKREG" verify --statement "$C" "$T/pC" --no-sandbox
[ "$(count proof)" -eq "$proofs" ]; ok $? "... records no 'proof' log entry"
[ "$(sqlite3 -readonly "$ZKREG_REGISTRY" 'select count(*) from proof')" -eq "$proofs" ]
ok $? "... and no proof row"
[ "$(count verify-unconfined)" -eq 1 ]; ok $? "... but a 'verify-unconfined' entry"
expect 0 "verify (confined) records the proof" "$ZKREG" verify --statement "$C" "$T/pC"
[ "$(count proof)" -eq $((proofs + 1)) ]; ok $? "... as a 'proof' entry"

# ------------------------------------------------------------ 2. insider edits rows
copy_reg ins
untrigger "$T/ins.db" statement
sql "$T/ins.db" "UPDATE statement SET public_output = zeroblob(length(public_output)) WHERE statement_id = x'$A'"
expect 9 "insider: public_output edited, attest refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" attest --statement "$A" --proof "$T/pA" \
  --key "file:$T/ed.key" -o "$T/ins.att" --passphrase-file "$T/keypass" \
  --registry-passphrase-file "$T/regpass"
said "public_output does not hash"
[ ! -e "$T/ins.att" ]; ok $? "... no attestation"
expect 9 "insider: public_output edited, verify-attestation refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" verify-attestation "$T/a.att" --trusted-key "$ED_PUB"
expect 9 "insider: public_output edited, the gate refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" gate --policy "$T/online.json" "$T/a.att"
expect 9 "insider: public_output edited, prove refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" prove --statement "$A" -o "$T/ins.proof"
[ ! -e "$T/ins.proof" ]; ok $? "... no proof"
sql "$T/ins.db" "UPDATE statement SET public_output = NULL WHERE statement_id = x'$A'"
expect 9 "insider: public_output set to NULL, attest refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" attest --statement "$A" --proof "$T/pA" \
  --key "file:$T/ed.key" -o "$T/ins.att" --passphrase-file "$T/keypass" \
  --registry-passphrase-file "$T/regpass"

copy_reg ins
untrigger "$T/ins.db" artifact
sql "$T/ins.db" "UPDATE artifact SET name = 'renamed' WHERE id = 2"
expect 9 "insider: model row edited, attest refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" attest --statement "$A" --proof "$T/pA" \
  --key "file:$T/ed.key" -o "$T/ins.att" --passphrase-file "$T/keypass" \
  --registry-passphrase-file "$T/regpass"
said "model row 2 differs from log entry"
expect 9 "insider: model row edited, the gate refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" gate --policy "$T/online.json" "$T/a.att"

copy_reg ins
expect 0 "revoke the model (in a copy)" env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" revoke model 2 \
  --reason "test: model withdrawn"
untrigger "$T/ins.db" revocation
sql "$T/ins.db" "DELETE FROM revocation"
expect 9 "insider: revocation row deleted, attest refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" attest --statement "$A" --proof "$T/pA" \
  --key "file:$T/ed.key" -o "$T/ins.att" --passphrase-file "$T/keypass" \
  --registry-passphrase-file "$T/regpass"
said "no revocation row records it"
[ ! -e "$T/ins.att" ]; ok $? "... no attestation"
expect 9 "insider: revocation row deleted, the gate refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" gate --policy "$T/online.json" "$T/a.att"
expect 9 "insider: revocation row deleted, verify-attestation refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" verify-attestation "$T/a.att" --trusted-key "$ED_PUB"

# The same edit made in the leaf too, with its stored hash recomputed: the row matches its leaf,
# but the leaf is not the one the signed checkpoint covers.
copy_reg ins
python3 - "$T/ins.db" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("artifact", "log"):
    db.execute(f"DROP TRIGGER {t}_no_update")
name, li = db.execute("SELECT name, log_index FROM artifact WHERE id = 2").fetchone()
new = ("X" + name[1:]) if name[0] != "X" else ("Y" + name[1:])
leaf = db.execute("SELECT leaf FROM log WHERE idx = ?", (li,)).fetchone()[0]
assert leaf.count(name.encode()) == 1
leaf = leaf.replace(name.encode(), new.encode())
db.execute("UPDATE artifact SET name = ? WHERE id = 2", (new,))
db.execute("UPDATE log SET leaf = ?, leaf_hash = ? WHERE idx = ?",
           (leaf, hashlib.sha256(b"\0" + leaf).digest(), li))
db.commit()
PY
expect 9 "insider: model row and its leaf rewritten, attest refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" attest --statement "$A" --proof "$T/pA" \
  --key "file:$T/ed.key" -o "$T/ins.att" --passphrase-file "$T/keypass" \
  --registry-passphrase-file "$T/regpass"
said "not in the tree the latest signed checkpoint"
expect 9 "insider: model row and its leaf rewritten, the gate refuses" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" gate --policy "$T/online.json" "$T/a.att"

# A rewritten cached tree: the appliance refuses to sign a checkpoint over it.
copy_reg ins
sql "$T/ins.db" "DROP TRIGGER log_node_no_update; UPDATE log_node SET hash = zeroblob(32) WHERE level >= 1"
expect 9 "insider: cached tree rewritten, log checkpoint refuses to sign" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" log checkpoint --passphrase-file "$T/regpass"
said "not consistent with the checkpoint"

copy_reg ins
untrigger "$T/ins.db" proof
sql "$T/ins.db" "UPDATE proof SET proof_digest = zeroblob(32) WHERE statement_id = x'$A'"
expect 1 "insider: proof row rewritten, log verify fails" \
  env ZKREG_REGISTRY="$T/ins.db" "$ZKREG" log verify
said "proof row"
expect 0 "the untouched registry still audits clean" "$ZKREG" log verify

# ------------------------------------------------------------ 1. revoke during attest
mkfifo "$T/pause"
race() { # what-to-revoke... ; runs attest of B paused at the hook, revokes, releases
  ZKREG_TEST_ATTEST_PAUSE="$T/pause" "$ZKREG" attest --statement "$B" --proof "$T/pB" \
    --key "file:$T/$KEY.key" -o "$T/race.att" --passphrase-file "$T/keypass" \
    --registry-passphrase-file "$T/regpass" >"$T/race.out" 2>"$T/race.err" &
  apid=$!
  # Opening the FIFO for writing returns once attest has opened it: the worker has verified.
  timeout 120 sh -c 'exec 3>"$1"; shift; "$@" >/dev/null' sh "$T/pause" "$ZKREG" revoke "$@"
  rrc=$?
  wait $apid
  arc=$?
}
KEY=k2; K2_ID=$(keygen "$T/k2.key")
refusals=$(count attest-refusal); atts=$(count attestation)
race key "$K2_ID" --reason "test: key revoked while attest verifies"
[ "$rrc" -eq 0 ]; ok $? "the revocation of the signing key landed during attest"
[ "$arc" -eq 6 ]; ok $? "attest sees it and refuses (exit $arc, want 6)"
grep -q "revoked" "$T/race.err"; ok $? "... saying the key is revoked"
[ ! -e "$T/race.att" ]; ok $? "... no attestation file"
[ "$(count attestation)" -eq "$atts" ] && [ "$(count attest-refusal)" -eq $((refusals + 1)) ]
ok $? "... no attestation event, one refusal event"
KEY=ed
race statement "$B" --reason "test: statement withdrawn while attest verifies"
[ "$rrc" -eq 0 ] && [ "$arc" -eq 6 ]; ok $? "statement revoked during attest: refused (exit $arc)"
[ ! -e "$T/race.att" ]; ok $? "... no attestation file"
[ "$(count attestation)" -eq "$atts" ]; ok $? "... and no attestation event"

# Stress: attest and revoke key race freely, with no pause hook (the revocation is started at
# spread offsets); whatever the interleaving, an attestation is logged only before the key's
# revocation, never after it, and a refused one leaves no file and no attestation event.
bad=0
signed=0
refused=0
i=0
# The spread's step: an eighth of what one verify of the proof takes here (attest verifies,
# then signs), so the revocations fall before, during and after attest in any build.
s0=$(date +%s%N); "$ZKREG" verify --statement "$A" "$T/pA" >/dev/null 2>&1; s1=$(date +%s%N)
step=$(( (s1 - s0) / 8000000 + 10 ))
while [ $i -lt "$ITER" ]; do
  i=$((i + 1))
  kid=$(keygen "$T/s$i.key")
  "$ZKREG" attest --statement "$A" --proof "$T/pA" --key "file:$T/s$i.key" -o "$T/s$i.att" \
    --passphrase-file "$T/keypass" --registry-passphrase-file "$T/regpass" >/dev/null 2>&1 &
  apid=$!
  # Spread the revocation over attest's run (0 to 7 steps) so both orders occur.
  sleep "$(awk -v i=$i -v s=$step 'BEGIN { printf "%.3f", (i % 8) * s / 1000 }')"
  "$ZKREG" revoke key "$kid" --reason "stress $i" >/dev/null 2>&1 || bad=$((bad + 1))
  wait $apid; arc=$?
  kidhex=$(printf '%s' "$kid" | xxd -p | tr -d '\n' | tr a-f A-F)
  ridx=$(sqlite3 -readonly "$ZKREG_REGISTRY" "select idx from log where type='revocation' and instr(hex(leaf), '$(printf '%s' "$kid" | tr a-f A-F)') > 0")
  aidx=$(sqlite3 -readonly "$ZKREG_REGISTRY" "select coalesce(max(idx), -1) from log where type='attestation' and instr(hex(leaf), '$kidhex') > 0")
  case $arc in
    0) signed=$((signed + 1))
       [ -e "$T/s$i.att" ] && [ "$aidx" -ge 0 ] && [ "$aidx" -lt "$ridx" ] || bad=$((bad + 1)) ;;
    6) refused=$((refused + 1))
       [ ! -e "$T/s$i.att" ] && [ "$aidx" -eq -1 ] || bad=$((bad + 1)) ;;
    *) bad=$((bad + 1)) ;;
  esac
done
echo "# stress: $signed signed (and logged) before the revocation, $refused refused after it"
[ "$bad" -eq 0 ]; ok $? "stress: $ITER attest/revoke races, no attestation logged after its key's revocation"
expect 0 "the log audits clean after the races" "$ZKREG" log verify

# ------------------------------------------------------------ 4. revoke verifier
# Offline: no registry at all (no --registry, no $ZKREG_REGISTRY, no ./zkreg.db).
mkdir -p "$T/offline"
offline() { env -u ZKREG_REGISTRY -C "$T/offline" "$ZKREG" "$@"; }
policy "$T/offline.json" "$ED_PUB" false false
expect 0 "offline gate (no registry) passes before the revocation" \
  offline gate --policy "$T/offline.json" "$T/a.att"
expect 0 "a checkpoint over the log before the revocation" "$ZKREG" log checkpoint \
  --passphrase-file "$T/regpass"
expect 0 "evidence (complete revocation set) before the revocation" "$ZKREG" log evidence \
  "$T/a.att" -o "$T/ev0.json"
policy "$T/evpol.json" "$ED_PUB" false true
expect 0 "gate with evidence listing no revoked verifier passes" \
  "$ZKREG" gate --policy "$T/evpol.json" --evidence "$T/ev0.json" "$T/a.att"
expect 2 "revoke verifier needs KIND and VERSION" "$ZKREG" revoke verifier inference@1 \
  --reason "x"
expect 3 "revoke verifier refuses a kind without '@'" "$ZKREG" revoke verifier inference "$VER" \
  --reason "x"
expect 0 "revoke verifier inference@1 $VER" "$ZKREG" --json revoke verifier inference@1 "$VER" \
  --reason "test: soundness bug in the sumcheck"
grep -q '"kind":"verifier"' "$T/out"; ok $? "... recorded as a revocation of kind verifier"
expect 0 "revoking it again changes nothing" "$ZKREG" revoke verifier inference@1 "$VER" \
  --reason "again"
grep -q "already revoked" "$T/out"; ok $? "... and says so"
expect 6 "the gate refuses the attestation after the revocation (online)" \
  "$ZKREG" gate --policy "$T/online.json" "$T/a.att"
said "soundness bug in the sumcheck"
expect 6 "verify-attestation refuses it" "$ZKREG" verify-attestation "$T/a.att" \
  --trusted-key "$ED_PUB"
said "revoked verifier"
expect 6 "attest refuses a statement whose schema pins the revoked verifier" \
  attest "$A" "$T/pA" "$T/ed.key" "$T/late.att"
said "verifier inference@1@$VER is revoked"
[ ! -e "$T/late.att" ]; ok $? "... no attestation"
expect 6 "verify refuses to record a proof under the revoked verifier" \
  "$ZKREG" verify --statement "$A" "$T/pA"
policy "$T/offline-rv.json" "$ED_PUB" false false "[\"inference@1@$VER\"]"
expect 6 "offline gate with revoked_verifiers in the policy refuses" \
  offline gate --policy "$T/offline-rv.json" "$T/a.att"
said "revoked_verifiers: inference@1@$VER"
policy "$T/bad-rv.json" "$ED_PUB" false false '["0.2.0"]'
expect 3 "a policy whose revoked_verifiers entry is not KIND@VERSION is refused" \
  offline gate --policy "$T/bad-rv.json" "$T/a.att"
policy "$T/other-rv.json" "$ED_PUB" false false '["inference@1@0.1.0"]'
expect 0 "a policy revoking another version passes the attestation" \
  offline gate --policy "$T/other-rv.json" "$T/a.att"
expect 0 "a checkpoint that covers the verifier revocation" "$ZKREG" log checkpoint \
  --passphrase-file "$T/regpass"
expect 0 "evidence after the revocation" "$ZKREG" log evidence "$T/a.att" -o "$T/ev1.json"
expect 6 "offline gate with evidence revoking the verifier refuses" \
  "$ZKREG" gate --policy "$T/evpol.json" --evidence "$T/ev1.json" "$T/a.att"
"$ZKREG" log key >"$T/vkey.txt"
expect 0 "export A (carries the verifier revocation)" "$ZKREG" export --statement "$A" \
  -o "$T/a.zkb" --passphrase-file "$T/regpass"
expect 0 "a second registry" "$ZKREG" --registry "$T/two.db" init --passphrase-file "$T/regpass" \
  --kdf interactive
expect 0 "import the bundle" "$ZKREG" --registry "$T/two.db" import "$T/a.zkb" \
  --trusted-key-file "$T/vkey.txt"
[ "$(sqlite3 -readonly "$T/two.db" "select count(*) from revocation where kind='verifier'")" -eq 1 ]
ok $? "... the verifier revocation came along"
policy "$T/revpol.json" "$ED_PUB" false true
expect 6 "the gate against the importing registry refuses" \
  "$ZKREG" --registry "$T/two.db" gate --policy "$T/revpol.json" "$T/a.att"
said "soundness bug in the sumcheck"
expect 0 "both registries audit clean" "$ZKREG" --registry "$T/two.db" log verify
echo "1..$n"
exit $fail
