#!/bin/sh
# Signer identities and signer-key registration through the real zkreg
# (issues 20 and 22). One secp256k1 key has two names, secp256k1:HEX and
# eth:ADDRESS; they must count, register and revoke as one signer:
#  - the "doubled envelope" (a second signature entry built from the first
#    entry's eip712 object, no private key) must not pass a 2-of-n gate;
#  - revoking the key id `key public` prints makes the eth form untrusted;
#  - key register refuses the second name of a registered key.
# Then key register against itself and against `revoke key`: a deterministic
# pause between its reads and its write ($ZKREG_TEST_PAUSE_AT, test builds)
# and a bounded stress loop; and concurrent `key generate` to one path.
# TAP. Usage: cli_keys.sh ZKREG
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-keys-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
export ZKREG_REGISTRY="$T/reg.db"
export ZKREG_ATTEST_TIME=1795000000
unset ZKREG_PASSPHRASE_FILE ZKREG_TEST_PAUSE_AT ZKREG_TEST_PAUSE_FIFO
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
expect() {
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq "$want" ]; ok $? "$what (exit $got, want $want)"
  [ "$got" -eq "$want" ] || sed 's/^/# /' "$T/err" "$T/out"
}
sql() { sqlite3 -readonly "$ZKREG_REGISTRY" "$1"; }
count() { sql "select count(*) from log where type='$1'"; }
jget() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2"; }
output_bytes() {
  logits=$(sed -n 's/.*"logits":\[\([^]]*\)\].*/\1/p' "$1")
  arg=$(sed -n 's/.*"argmax":\([0-9]*\).*/\1/p' "$1")
  cnt=$(echo "$logits" | tr ',' '\n' | wc -l)
  printf '\000\000\000'; printf "\\$(printf %03o "$cnt")"
  for v in $(echo "$logits" | tr ',' ' '); do printf "\\$(printf %03o $(( (v + 256) % 256 )))"; done
  printf '\000\000\000'; printf "\\$(printf %03o "$arg")"
}
policy() { # out threshold keys...
  po=$1; th=$2; shift 2; ks=$(printf '"%s",' "$@"); ks=${ks%,}
  printf '{"format":"zkreg-policy/v1","trusted_keys":[%s],"threshold":%s,"schemas":["fmnist@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true}\n' "$ks" "$th" >"$po"
}

# ------------------------------------------------------------ a statement and its proof
(umask 077; echo "keys-registry-pass" >"$T/regpass"; echo "keys-key-pass" >"$T/keypass")
R="--registry-passphrase-file $T/regpass"
expect 0 "init" "$ZKREG" init --passphrase-file "$T/regpass" --kdf interactive
expect 0 "register-program" "$ZKREG" register-program "$FIX"
expect 0 "register-model" "$ZKREG" --json register-model "$FIX" --program 1 --calibrate "$DATA"
MODEL_SHA=$(jget sha256 "$T/out")
expect 0 "register-dataset" "$ZKREG" register-dataset "$DATA"
printf '{"name":"fmnist","version":1,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":true,"fields":[{"name":"record_index","type":"u64"}]}\n' >"$T/schema.json"
expect 0 "register-schema" "$ZKREG" register-schema "$T/schema.json"
"$ZKREG" --json infer --model-file "$T/reg.db.d/models/$MODEL_SHA" --dataset-file "$DATA" \
  --record 7 >"$T/infer7.json" 2>/dev/null
output_bytes "$T/infer7.json" >"$T/out7.bin"
A=$("$ZKREG" --json register-statement --schema fmnist@1 --program 1 --model 2 --dataset 3 \
  --param record_index=7 --public-output "$T/out7.bin" | jget statement_id /dev/stdin)
[ ${#A} -eq 64 ]; ok $? "statement registered"
expect 0 "prove" "$ZKREG" prove --statement "$A" -o "$T/p"

# ------------------------------------------------------------ one key, two names
expect 0 "key generate secp256k1" "$ZKREG" key generate --type secp256k1 -o "$T/k1.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key generate ed25519" "$ZKREG" key generate --type ed25519 -o "$T/ed.key" \
  --passphrase-file "$T/keypass" --kdf interactive
"$ZKREG" --json key public "file:$T/k1.key" >"$T/k1.json"
K1_PUB=$(jget public "$T/k1.json"); K1_ID=$(jget keyid "$T/k1.json"); K1_ADDR=$(jget address "$T/k1.json")
"$ZKREG" --json key public "eth:$K1_ADDR" >"$T/eth.json"
ETH_ID=$(jget keyid "$T/eth.json")
ED_PUB=$("$ZKREG" key public "file:$T/ed.key" | head -1)
[ -n "$K1_ADDR" ] && [ ${#ETH_ID} -eq 64 ] && [ "$ETH_ID" != "$K1_ID" ]
ok $? "the secp256k1 key and its address have two key ids"
expect 0 "key register the secp256k1 key" "$ZKREG" key register "file:$T/k1.key"
expect 0 "key register the ed25519 key" "$ZKREG" key register "file:$T/ed.key"
expect 5 "key register refuses the eth name of the registered secp256k1 key" \
  "$ZKREG" key register "eth:$K1_ADDR"
grep -q "other name" "$T/err"; ok $? "... saying the signer is registered under its other name"
[ "$(count signer-key)" -eq 2 ]; ok $? "... and writes no signer-key leaf"
expect 0 "key register the secp256k1 key again is idempotent" "$ZKREG" --json key register \
  "file:$T/k1.key"
grep -q '"existed":true' "$T/out"; ok $? "... existed"

printf '{"chainId":11155111,"verifyingContract":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}\n' >"$T/domain.json"
expect 0 "attest with the secp256k1 key (EIP-712 companion)" "$ZKREG" attest --statement "$A" \
  --proof "$T/p" --key "file:$T/k1.key" -o "$T/k1.att" --eip712-domain "$T/domain.json" \
  --passphrase-file "$T/keypass" $R
expect 0 "attest with the ed25519 key" "$ZKREG" attest --statement "$A" --proof "$T/p" \
  --key "file:$T/ed.key" -o "$T/ed.att" --passphrase-file "$T/keypass" $R
# The doubled envelope: a second entry under the eth key id, made of the first entry's eip712.
python3 - "$T/k1.att" "$ETH_ID" "$T/doubled.att" <<'EOF'
import base64, json, sys
env = json.load(open(sys.argv[1]))
first = env["signatures"][0]
e = first["eip712"]
sig = base64.b64encode(bytes.fromhex(e["signature"][2:])).decode()
env["signatures"].append({"eip712": e, "keyid": sys.argv[2], "sig": sig})
open(sys.argv[3], "w").write(json.dumps(env, sort_keys=True, separators=(",", ":")))
EOF
ok $? "doubled envelope built without the private key"
expect 0 "verify-attestation: the eth entry alone verifies (one real signer)" \
  "$ZKREG" verify-attestation "$T/doubled.att" --trusted-key "eth:$K1_ADDR"
policy "$T/both.json" 2 "$K1_PUB" "eth:$K1_ADDR" "$ED_PUB"
expect 3 "a policy listing one signer under both names is refused" \
  "$ZKREG" gate --policy "$T/both.json" "$T/doubled.att"
grep -q "same signer" "$T/err"; ok $? "... naming the same signer"
policy "$T/both1.json" 1 "eth:$K1_ADDR" "$K1_PUB"
expect 3 "... in either order" "$ZKREG" gate --policy "$T/both1.json" "$T/doubled.att"
policy "$T/p2.json" 2 "$K1_PUB" "$ED_PUB"
expect 1 "the doubled envelope does not pass a 2-of-2 gate" \
  "$ZKREG" --json gate --policy "$T/p2.json" "$T/doubled.att"
grep -q '"distinct_keys":1' "$T/out"; ok $? "... it counts one signer"
expect 0 "two real signers pass it" "$ZKREG" gate --policy "$T/p2.json" "$T/doubled.att" \
  "$T/ed.att"
policy "$T/p2eth.json" 2 "eth:$K1_ADDR" "$ED_PUB"
expect 1 "the doubled envelope with the eth name trusted: still one signer" \
  "$ZKREG" gate --policy "$T/p2eth.json" "$T/doubled.att"
policy "$T/eth1.json" 1 "eth:$K1_ADDR"
expect 0 "before the revocation, the eth name passes a 1-of-1 gate" \
  "$ZKREG" gate --policy "$T/eth1.json" "$T/doubled.att"

# ------------------------------------------------------------ revoking one name revokes both
expect 0 "revoke the key id key public prints" "$ZKREG" --json revoke key "$K1_ID" \
  --reason "test: key retired"
WHO=$(jget target "$T/out")
[ "$WHO" = "$ETH_ID" ]; ok $? "... the revocation records the signer identity (the eth key id)"
expect 6 "verify-attestation trusting the eth name sees the revocation" \
  "$ZKREG" verify-attestation "$T/doubled.att" --trusted-key "eth:$K1_ADDR"
expect 6 "the gate trusting the eth name fails on the revocation" \
  "$ZKREG" gate --policy "$T/eth1.json" "$T/doubled.att"
policy "$T/k1only.json" 1 "$K1_PUB"
expect 6 "the gate trusting the secp256k1 name fails on the revocation" \
  "$ZKREG" gate --policy "$T/k1only.json" "$T/k1.att"
expect 6 "key register of the eth name is refused as revoked" "$ZKREG" key register \
  "eth:$K1_ADDR"
expect 6 "attest with the revoked key" "$ZKREG" attest --statement "$A" --proof "$T/p" \
  --key "file:$T/k1.key" -o "$T/k1b.att" --passphrase-file "$T/keypass" $R
expect 4 "revoke key with an unregistered key id is refused (its other name is unknown)" \
  "$ZKREG" revoke key "$(printf '%064d' 7)" --reason "test"
expect 0 "revoke key by TYPE:HEX of an unregistered key" "$ZKREG" revoke key "$ED_PUB" \
  --reason "test: by public key"
expect 0 "the log audits clean" "$ZKREG" log verify
expect 4 "verify-attestation with a named registry that does not exist is refused, not skipped" \
  "$ZKREG" --registry "$T/typo.db" verify-attestation "$T/doubled.att" --trusted-key "eth:$K1_ADDR"

# ------------------------------------------------------------ key register races
# Held between its reads and its write, a registration holds the write lock:
# the second registration and `revoke key` wait, so exactly one leaf is
# written and no registration lands after a revocation of its key. (Commands
# started while the fifo is open for writing close fd 3, or the held one
# would never see its end.)
pause() { # point fifo cmd... : runs cmd in the background and waits until it is at point
  pp=$1; pf=$2; shift 2
  rm -f "$pf" "$pf.reached"; mkfifo "$pf"
  ZKREG_TEST_PAUSE_AT=$pp ZKREG_TEST_PAUSE_FIFO=$pf "$@" >"$pf.out" 2>"$pf.err" &
  PAUSED=$!
  i=0; while [ ! -e "$pf.reached" ] && kill -0 $PAUSED 2>/dev/null && [ $i -lt 600 ]; do
    sleep 0.05; i=$((i + 1)); done
  [ -e "$pf.reached" ]; ok $? "the command is held at '$pp' (test build hook)"
  if [ -e "$pf.reached" ]; then exec 3>"$pf"; else exec 3<>"$pf"; fi
}
settle() { # pid: give a racing command up to 2 s to finish (it must wait for the lock)
  i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
}
addr() { printf '0x%s' "$(head -c 20 /dev/urandom | xxd -p)"; }
leaf_of() { sql "select min(idx) from log where type='$1' and hex(leaf) like '%$2%'"; }

X=$(addr); XH=$(printf '%s' "${X#0x}" | tr a-f A-F)
before=$(count signer-key)
pause key-register "$T/f1" "$ZKREG" key register "eth:$X"
"$ZKREG" key register "eth:$X" >"$T/b.out" 2>"$T/b.err" 3>&- & B=$!
settle $B
exec 3>&-
wait $PAUSED; ra=$?; wait $B; rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ]; ok $? "two concurrent registrations of one key both succeed ($ra, $rb)"
[ "$(count signer-key)" -eq $((before + 1)) ]; ok $? "... and exactly one signer-key leaf is written"
cat "$T/f1.out" "$T/b.out" | grep -q "already registered"; ok $? "... the second says it existed"

Y=$(addr); YH=$(printf '%s' "${Y#0x}" | tr a-f A-F)
pause key-register "$T/f2" "$ZKREG" key register "eth:$Y"
"$ZKREG" revoke key "eth:$Y" --reason "test: race" >"$T/r.out" 2>"$T/r.err" 3>&- & RV=$!
settle $RV
exec 3>&-
wait $PAUSED; ra=$?; wait $RV; rr=$?
[ $ra -eq 0 ] && [ $rr -eq 0 ]; ok $? "registration paused after its reads, revoke waits: both succeed ($ra, $rr)"
kl=$(leaf_of signer-key "$YH"); rl=$(sql "select max(idx) from log where type='revocation'")
[ -n "$kl" ] && [ "$kl" -lt "$rl" ]; ok $? "... the registration (entry $kl) precedes the revocation (entry $rl)"
expect 6 "... and the key cannot be registered again" "$ZKREG" key register "eth:$Y"

Z=$(addr); ZH=$(printf '%s' "${Z#0x}" | tr a-f A-F)
pause revoke "$T/f3" "$ZKREG" revoke key "eth:$Z" --reason "test: race"
"$ZKREG" key register "eth:$Z" >"$T/k.out" 2>"$T/k.err" 3>&- & KR=$!
settle $KR
exec 3>&-
wait $PAUSED; rr=$?; wait $KR; rk=$?
[ $rr -eq 0 ] && [ $rk -eq 6 ]; ok $? "a registration racing a revocation that holds the lock exits 6 ($rr, $rk)"
[ -z "$(leaf_of signer-key "$ZH")" ]; ok $? "... and writes no signer-key leaf"
expect 0 "the log audits clean after the races" "$ZKREG" log verify

# Stress: the same races without pauses, bounded.
bad=0
i=0
while [ $i -lt 15 ]; do
  W=$(addr); WH=$(printf '%s' "${W#0x}" | tr a-f A-F)
  "$ZKREG" key register "eth:$W" >/dev/null 2>&1 & p1=$!
  "$ZKREG" key register "eth:$W" >/dev/null 2>&1 & p2=$!
  "$ZKREG" revoke key "eth:$W" --reason stress >/dev/null 2>&1 & p3=$!
  wait $p1; r1=$?; wait $p2; r2=$?; wait $p3; r3=$?
  kl=$(leaf_of signer-key "$WH"); kn=$(sql "select count(*) from log where type='signer-key' and hex(leaf) like '%$WH%'")
  rl=$(sql "select max(idx) from log where type='revocation'")
  if [ "$r3" -ne 0 ] || [ "$kn" -gt 1 ]; then bad=$((bad + 1)); fi
  for r in $r1 $r2; do
    # exit 0 only with the leaf before the revocation; exit 6 otherwise
    if [ "$r" -eq 0 ]; then { [ -n "$kl" ] && [ "$kl" -lt "$rl" ]; } || bad=$((bad + 1));
    elif [ "$r" -ne 6 ]; then bad=$((bad + 1)); fi
  done
  i=$((i + 1))
done
[ $bad -eq 0 ]; ok $? "stress: 15 x (register, register, revoke): at most one leaf, none after the revocation ($bad bad)"
expect 0 "the log audits clean after the stress" "$ZKREG" log verify

# ------------------------------------------------------------ withheld revocations in a bundle
# Any subset of a signed log verifies entry by entry: a genuine bundle with
# its revocation entries stripped must not import a revoked model as clean.
expect 0 "revoke the model" "$ZKREG" revoke model 2 --reason "test: model withdrawn"
expect 0 "log checkpoint (signs the revocation set)" "$ZKREG" log checkpoint \
  --passphrase-file "$T/regpass" -o "$T/cp.note"
grep -q '^zkreg-revocations [0-9]* ' "$T/cp.note"; ok $? "... the note carries the revocation-set line"
expect 0 "log verify --checkpoint checks the revocation set against the log" "$ZKREG" log verify \
  --checkpoint "$T/cp.note"
# Offline evidence: a revocation set proven complete against the trusted checkpoint.
expect 0 "log evidence for an attestation" "$ZKREG" log evidence "$T/ed.att" -o "$T/ev.json"
policy "$T/edpol.json" 1 "$ED_PUB"
expect 6 "gate --evidence sees the revocations (key and model)" "$ZKREG" gate \
  --policy "$T/edpol.json" --evidence "$T/ev.json" "$T/ed.att"
python3 - "$T/ev.json" "$T/ev-stripped.json" "$T/ev-v1.json" <<'EOF2'
import json, sys
ev = json.load(open(sys.argv[1]))
assert len(ev["revocations"]) >= 2
s = dict(ev); s["revocations"] = ev["revocations"][:1]
json.dump(s, open(sys.argv[2], "w"))
v1 = {"format": "zkreg-evidence/v1", "inclusion": ev["inclusion"], "consistency": ev["consistency"],
      "checkpoint": {k: ev["checkpoint"][k] for k in ("origin", "size", "root")}}
json.dump(v1, open(sys.argv[3], "w"))
EOF2
ok $? "evidence copies: revocations withheld, and the old format without a revoked list"
expect 1 "gate --evidence with revocations withheld is refused" "$ZKREG" gate \
  --policy "$T/edpol.json" --evidence "$T/ev-stripped.json" "$T/ed.att"
grep -q "incomplete" "$T/err"; ok $? "... as an incomplete revocation set"
expect 6 "gate --evidence without a revocation set fails closed" "$ZKREG" gate \
  --policy "$T/edpol.json" --evidence "$T/ev-v1.json" "$T/ed.att"
expect 6 "verify-attestation --evidence without a revocation set fails closed" "$ZKREG" \
  verify-attestation "$T/ed.att" --trusted-key "$ED_PUB" --evidence "$T/ev-v1.json"
# Pinning the appliance key instead of the checkpoint values the file states.
VKEY=$("$ZKREG" log key)
expect 6 "gate --evidence --log-key: the note verifies, the revocations still count" "$ZKREG" \
  gate --policy "$T/edpol.json" --evidence "$T/ev.json" --log-key "$VKEY" "$T/ed.att"
python3 - "$T/ev.json" "$T/ev-forged.json" <<'EOF2'
import base64, hashlib, json, struct, sys
ev = json.load(open(sys.argv[1]))
# Whoever writes the file drops every revocation and restates the commitment to match.
keep = []
h = hashlib.sha256(b"zkreg/revocation-set/v1\0")
for r in keep:
    h.update(struct.pack(">Q", r["index"]) + hashlib.sha256(b"\0" + base64.b64decode(r["leaf"])).digest())
ev["revocations"] = keep
ev["checkpoint"]["revocations"] = {"count": len(keep), "digest": h.hexdigest()}
json.dump(ev, open(sys.argv[2], "w"))
EOF2
ok $? "evidence whose author dropped the revocations and restated the commitment"
expect 0 "without --log-key the restated checkpoint is trusted as given (documented)" "$ZKREG" \
  gate --policy "$T/edpol.json" --evidence "$T/ev-forged.json" "$T/ed.att"
expect 1 "with --log-key it is refused: the signed note commits to another set" "$ZKREG" \
  gate --policy "$T/edpol.json" --evidence "$T/ev-forged.json" --log-key "$VKEY" "$T/ed.att"
grep -q "signed note commits" "$T/err"; ok $? "... saying so"
expect 0 "another appliance" "$ZKREG" --registry "$T/other.db" init --passphrase-file \
  "$T/regpass" --kdf interactive
expect 1 "--log-key of another appliance is refused" "$ZKREG" verify-attestation "$T/ed.att" \
  --trusted-key "$ED_PUB" --evidence "$T/ev.json" --log-key \
  "$("$ZKREG" --registry "$T/other.db" log key)"
expect 2 "--log-key without --evidence is a usage error" "$ZKREG" verify-attestation \
  "$T/ed.att" --trusted-key "$ED_PUB" --log-key "$VKEY"
expect 0 "export the statement" "$ZKREG" export --statement "$A" -o "$T/one.zkb"
python3 - "$T/one.zkb" "$T/stripped.zkb" <<'EOF2'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] in (b"ZKRBNDL1", b"ZKRBNDL2")
p = 8
def take():
    global p
    n = struct.unpack(">I", b[p:p + 4])[0]; v = b[p + 4:p + 4 + n]; p += 4 + n; return v
take(); take()
head = b[:p]; count = struct.unpack(">I", b[p:p + 4])[0]; p += 4
kept = []
for _ in range(count):
    s = p; p += 8; leaf = take(); pl = b[p]; p += 1 + 32 * pl
    q = 0
    def field(x):
        global q
        n = struct.unpack(">I", x[q:q + 4])[0]; v = x[q + 4:q + 4 + n]; q += 4 + n; return v
    field(leaf); typ = field(leaf)
    if typ != b"revocation":
        kept.append(b[s:p])
assert len(kept) < count
open(sys.argv[2], "wb").write(head + struct.pack(">I", len(kept)) + b"".join(kept) + b[p:])  # version 2: the evaluation proofs follow
EOF2
ok $? "a copy of the bundle with its revocation entries stripped"
expect 0 "an empty registry to import into" "$ZKREG" --registry "$T/air.db" init \
  --passphrase-file "$T/regpass" --kdf interactive
expect 1 "importing the stripped bundle is refused" "$ZKREG" --registry "$T/air.db" import \
  "$T/stripped.zkb" --trusted-key "$VKEY"
grep -q "withholds revocations" "$T/err"; ok $? "... as withholding revocations"
[ "$(sqlite3 -readonly "$T/air.db" "select count(*) from artifact")" -eq 0 ]
ok $? "... and nothing was imported"
expect 0 "the genuine bundle imports" "$ZKREG" --registry "$T/air.db" import "$T/one.zkb" \
  --trusted-key "$VKEY"
expect 0 "... with the model's revocation" "$ZKREG" --registry "$T/air.db" --json show model 2
grep -q '"revoked"' "$T/out"; ok $? "... shown as revoked"

# ------------------------------------------------------------ key generate publishes without replacing
bad=0
i=0
while [ $i -lt 8 ]; do
  "$ZKREG" --json key generate --type ed25519 -o "$T/race$i.key" --passphrase-file "$T/keypass" \
    --kdf interactive >"$T/g1.out" 2>/dev/null & g1=$!
  "$ZKREG" --json key generate --type ed25519 -o "$T/race$i.key" --passphrase-file "$T/keypass" \
    --kdf interactive >"$T/g2.out" 2>/dev/null & g2=$!
  wait $g1; e1=$?; wait $g2; e2=$?
  onfile=$("$ZKREG" key public "file:$T/race$i.key" | head -1)
  if [ $e1 -eq 0 ] && [ $e2 -eq 0 ]; then bad=$((bad + 1));
  elif [ $e1 -eq 0 ]; then [ "$(jget public "$T/g1.out")" = "$onfile" ] && [ $e2 -eq 5 ] || bad=$((bad + 1));
  elif [ $e2 -eq 0 ]; then [ "$(jget public "$T/g2.out")" = "$onfile" ] && [ $e1 -eq 5 ] || bad=$((bad + 1));
  else bad=$((bad + 1)); fi
  i=$((i + 1))
done
[ $bad -eq 0 ]; ok $? "8 x two concurrent key generates to one path: one wins, the other exits 5 ($bad bad)"
ls "$T" | grep -q '\.tmp'; [ $? -ne 0 ]; ok $? "... no temporary files are left"
pause key-generate-publish "$T/f4" "$ZKREG" --json key generate --type ed25519 -o "$T/held.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "a key generate to the same path while the first is held before publishing" \
  "$ZKREG" --json key generate --type ed25519 -o "$T/held.key" --passphrase-file "$T/keypass" \
  --kdf interactive 3>&-
SECOND=$(jget public "$T/out")
exec 3>&-
wait $PAUSED; rg=$?
[ $rg -eq 5 ]; ok $? "... the held one then fails with exit 5 instead of replacing it ($rg)"
[ "$("$ZKREG" key public "file:$T/held.key" | head -1)" = "$SECOND" ]; ok $? "... and the published key is kept"
echo "1..$n"
exit $fail
