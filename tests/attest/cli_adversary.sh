#!/bin/sh
# Adversarial trust checks through the real zkreg (issue 20): attacks on the
# policy parser (duplicate fields, threshold edges, odd types), signer
# identity (compressed/uncompressed secp256k1, address case, one attestation
# given twice, a signature entry repeated), EIP-712 binding (an eth-only
# signature over an edited payload or an old domain version), and offline
# evidence (another log's origin, a checkpoint with a forged root), and a
# revocation newer than the stored checkpoint (log evidence, export). Each is
# an attack zkreg must refuse; the accept twin is run first.
# Also `attest --import-signature` of an edited wallet request (a time this
# appliance never gave; a statement revoked after the request was written; a
# proof record of another release's verifier, as a bundle import brings it;
# a request retargeted at other facts of the registry: a training-step@1
# record, which attest refuses, a verify-unconfined entry, other entries,
# checkpoints and artifacts, duplicate keys, an r8 schema, revocations).
# TAP. Usage: cli_adversary.sh ZKREG WALLET PEER_PROOF
set -u
ZKREG=$1
WALLET=$2
PEER=$3
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-adv-cli.XXXXXX")
[ -n "${ADV_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
export ZKREG_REGISTRY="$T/reg.db"
export ZKREG_ATTEST_TIME=1795000000
unset ZKREG_PASSPHRASE_FILE ZKREG_TEST_PAUSE_AT ZKREG_TEST_PAUSE_FIFO ZKREG_TEST_ATTEST_PAUSE
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
expect() {
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq "$want" ]; ok $? "$what (exit $got, want $want)"
  [ "$got" -eq "$want" ] || sed 's/^/# /' "$T/err" "$T/out"
}
jget() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2"; }
output_bytes() {
  logits=$(sed -n 's/.*"logits":\[\([^]]*\)\].*/\1/p' "$1")
  arg=$(sed -n 's/.*"argmax":\([0-9]*\).*/\1/p' "$1")
  cnt=$(echo "$logits" | tr ',' '\n' | wc -l)
  printf '\000\000\000'; printf "\\$(printf %03o "$cnt")"
  for v in $(echo "$logits" | tr ',' ' '); do printf "\\$(printf %03o $(( (v + 256) % 256 )))"; done
  printf '\000\000\000'; printf "\\$(printf %03o "$arg")"
}
# raw_policy out keys-json threshold-json [extra fields]
raw_policy() {
  printf '{"format":"zkreg-policy/v1","trusted_keys":%s,"threshold":%s,"schemas":["fmnist@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true%s}\n' \
    "$2" "$3" "${4:-}" >"$1"
}

# ------------------------------------------------------------ setup
(umask 077; echo "adv-registry-pass" >"$T/regpass"; echo "adv-key-pass" >"$T/keypass")
R="--registry-passphrase-file $T/regpass"
expect 0 "init" "$ZKREG" init --passphrase-file "$T/regpass" --kdf interactive
expect 0 "register-program" "$ZKREG" register-program "$FIX"
expect 0 "register-model" "$ZKREG" --json register-model "$FIX" --program 1 --calibrate "$DATA"
MODEL_SHA=$(jget sha256 "$T/out")
expect 0 "register-dataset" "$ZKREG" register-dataset "$DATA"
printf '{"name":"fmnist","version":1,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"%s","public_output":true,"fields":[{"name":"record_index","type":"u64"}]}\n' "$("$ZKREG" --version | sed -n 's/^zkreg \([^ ]*\).*/\1/p')" >"$T/schema.json"
expect 0 "register-schema" "$ZKREG" register-schema "$T/schema.json"
"$ZKREG" --json infer --model-file "$T/reg.db.d/models/$MODEL_SHA" --dataset-file "$DATA" \
  --record 7 >"$T/infer7.json" 2>/dev/null
output_bytes "$T/infer7.json" >"$T/out7.bin"
A=$("$ZKREG" --json register-statement --schema fmnist@1 --program 1 --model 2 --dataset 3 \
  --param record_index=7 --public-output "$T/out7.bin" | jget statement_id /dev/stdin)
[ ${#A} -eq 64 ]; ok $? "statement registered"
expect 0 "prove" "$ZKREG" prove --statement "$A" -o "$T/p"
expect 0 "key generate secp256k1" "$ZKREG" key generate --type secp256k1 -o "$T/k1.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key generate ed25519" "$ZKREG" key generate --type ed25519 -o "$T/ed.key" \
  --passphrase-file "$T/keypass" --kdf interactive
"$ZKREG" --json key public "file:$T/k1.key" >"$T/k1.json"
K1_PUB=$(jget public "$T/k1.json"); K1_ADDR=$(jget address "$T/k1.json")
ED_PUB=$("$ZKREG" key public "file:$T/ed.key" | head -1)
expect 0 "key register secp256k1" "$ZKREG" key register "file:$T/k1.key"
expect 0 "key register ed25519" "$ZKREG" key register "file:$T/ed.key"
printf '{"chainId":11155111,"verifyingContract":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}\n' >"$T/domain.json"
expect 0 "attest (secp256k1, EIP-712 companion)" "$ZKREG" attest --statement "$A" --proof "$T/p" \
  --key "file:$T/k1.key" -o "$T/k1.att" --eip712-domain "$T/domain.json" \
  --passphrase-file "$T/keypass" $R
expect 0 "attest (ed25519)" "$ZKREG" attest --statement "$A" --proof "$T/p" \
  --key "file:$T/ed.key" -o "$T/ed.att" --passphrase-file "$T/keypass" $R

# ------------------------------------------------------------ policies that must not fail open
raw_policy "$T/good.json" "[\"$ED_PUB\"]" 1
expect 0 "accept twin: a well-formed 1-of-1 policy passes" "$ZKREG" gate --policy "$T/good.json" "$T/ed.att"
printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"threshold":0,"schemas":["fmnist@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true}\n' "$ED_PUB" >"$T/dup.json"
expect 3 "a policy with a duplicate field (threshold) is refused" "$ZKREG" gate --policy "$T/dup.json" "$T/ed.att"
printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["fmnist@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true,"check_revocation":false}\n' "$ED_PUB" >"$T/dup2.json"
expect 3 "a policy with check_revocation twice (true, then false) is refused" "$ZKREG" gate --policy "$T/dup2.json" "$T/ed.att"
for th in 0 3 -1 1.0 1.5 '"1"' null true 4294967297 9223372036854775807; do
  raw_policy "$T/th.json" "[\"$ED_PUB\",\"$K1_PUB\"]" "$th"
  expect 3 "threshold $th with 2 keys is refused" "$ZKREG" gate --policy "$T/th.json" "$T/ed.att"
done
for v in '"false"' null 0 1 '[]'; do
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["fmnist@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":%s}\n' "$ED_PUB" "$v" >"$T/cr.json"
  expect 3 "check_revocation $v is refused" "$ZKREG" gate --policy "$T/cr.json" "$T/ed.att"
done
for v in -1 1.5 '"100"' null; do
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["fmnist@1"],"max_age_seconds":%s,"require_log_inclusion":true,"check_revocation":true}\n' "$ED_PUB" "$v" >"$T/ma.json"
  expect 3 "max_age_seconds $v is refused" "$ZKREG" gate --policy "$T/ma.json" "$T/ed.att"
done
raw_policy "$T/rv.json" "[\"$ED_PUB\"]" 1 ',"revoked_verifiers":null'
expect 3 "revoked_verifiers null is refused" "$ZKREG" gate --policy "$T/rv.json" "$T/ed.att"
raw_policy "$T/rv.json" "[\"$ED_PUB\"]" 1 ',"revoked_verifiers":["garbage"]'
expect 3 "revoked_verifiers with an entry that is not KIND@VERSION is refused" "$ZKREG" gate --policy "$T/rv.json" "$T/ed.att"
raw_policy "$T/sc.json" "[\"$ED_PUB\"]" 1
sed 's/"schemas":\["fmnist@1"\]/"schemas":["*@*"]/' "$T/sc.json" >"$T/sc2.json"
expect 1 "schema '*@*' is no wildcard for the name" "$ZKREG" gate --policy "$T/sc2.json" "$T/ed.att"

# ------------------------------------------------------------ one signer, many spellings
UNC=$(python3 - "$K1_PUB" <<'EOF'
import sys
h = sys.argv[1].split(":", 1)[1]
p = 2**256 - 2**32 - 977
x = int(h[2:], 16)
y = pow((x * x * x + 7) % p, (p + 1) // 4, p)
if y % 2 != int(h[:2], 16) % 2:
    y = p - y
print("secp256k1:04%064x%064x" % (x, y))
EOF
)
raw_policy "$T/unc.json" "[\"$UNC\"]" 1
expect 0 "accept twin: the uncompressed form of the key passes a 1-of-1 gate" \
  "$ZKREG" gate --policy "$T/unc.json" "$T/k1.att"
raw_policy "$T/cu.json" "[\"$K1_PUB\",\"$UNC\"]" 2
expect 3 "a policy listing one key compressed and uncompressed is refused" \
  "$ZKREG" gate --policy "$T/cu.json" "$T/k1.att"
LOW=0x$(echo "${K1_ADDR#0x}" | tr 'A-F' 'a-f'); UP=0x$(echo "${K1_ADDR#0x}" | tr 'a-f' 'A-F')
raw_policy "$T/case.json" "[\"eth:$LOW\",\"eth:$UP\"]" 2
expect 3 "a policy listing one address in lower and upper case is refused" \
  "$ZKREG" gate --policy "$T/case.json" "$T/k1.att"
raw_policy "$T/case2.json" "[\"eth:$K1_ADDR\",\"$UNC\"]" 2
expect 3 "a policy listing the address and the uncompressed key is refused" \
  "$ZKREG" gate --policy "$T/case2.json" "$T/k1.att"
BAD=$(python3 -c "import sys; a=sys.argv[1]; i=next(i for i,c in enumerate(a) if i>1 and c.isalpha()); print(a[:i]+a[i].swapcase()+a[i+1:])" "$K1_ADDR")
raw_policy "$T/cs.json" "[\"eth:$BAD\"]" 1
expect 3 "a mixed-case address with a broken EIP-55 checksum is refused" \
  "$ZKREG" gate --policy "$T/cs.json" "$T/k1.att"
ED_UP=ed25519:$(echo "${ED_PUB#ed25519:}" | tr 'a-f' 'A-F')
raw_policy "$T/edup.json" "[\"$ED_PUB\",\"$ED_UP\"]" 2
expect 3 "a policy listing one ed25519 key in lower and upper case hex is refused" \
  "$ZKREG" gate --policy "$T/edup.json" "$T/ed.att"
raw_policy "$T/two.json" "[\"$ED_PUB\",\"$K1_PUB\"]" 2
expect 0 "accept twin: two signers pass a 2-of-2 gate" "$ZKREG" gate --policy "$T/two.json" \
  "$T/ed.att" "$T/k1.att"
expect 1 "one attestation given twice does not pass a 2-of-2 gate" \
  "$ZKREG" gate --policy "$T/two.json" "$T/ed.att" "$T/ed.att"
cp "$T/ed.att" "$T/ed-copy.att"
expect 1 "... nor under two file names" "$ZKREG" gate --policy "$T/two.json" "$T/ed.att" "$T/ed-copy.att"
python3 - "$T/ed.att" "$T/ed2x.att" <<'EOF'
import json, sys
env = json.load(open(sys.argv[1]))
env["signatures"].append(dict(env["signatures"][0]))
open(sys.argv[2], "w").write(json.dumps(env, sort_keys=True, separators=(",", ":")))
EOF
"$ZKREG" --json gate --policy "$T/two.json" "$T/ed2x.att" >"$T/out" 2>"$T/err"; got=$?
[ "$got" -ne 0 ]; ok $? "an envelope repeating one signature entry does not pass a 2-of-2 gate (exit $got)"
raw_policy "$T/three.json" "[\"$ED_PUB\",\"$K1_PUB\",\"eth:0x5FbDB2315678afecb367f032d93F642f64180aa3\"]" 2
python3 - "$T/k1.att" "$T/k1eth.att" <<'EOF'
import base64, json, sys
env = json.load(open(sys.argv[1]))
e = env["signatures"][0]["eip712"]
env["signatures"].append({"eip712": e, "keyid": "0" * 64,
                          "sig": base64.b64encode(bytes.fromhex(e["signature"][2:])).decode()})
open(sys.argv[2], "w").write(json.dumps(env, sort_keys=True, separators=(",", ":")))
EOF
"$ZKREG" gate --policy "$T/three.json" "$T/k1eth.att" >"$T/out" 2>"$T/err"; got=$?
[ "$got" -ne 0 ]; ok $? "an eip712 copy under an unknown key id does not add a signer (exit $got)"
"$ZKREG" eth calldata "$T/k1.att" >"$T/cd1" 2>"$T/err" &&
  "$ZKREG" eth calldata "$T/k1eth.att" >"$T/cd2" 2>>"$T/err" &&
  "$ZKREG" eth calldata "$T/k1.att" "$T/k1.att" >"$T/cd3" 2>>"$T/err" &&
  cmp -s "$T/cd1" "$T/cd2" && cmp -s "$T/cd1" "$T/cd3"
ok $? "eth calldata: the copied eip712 entry and the file given twice carry one signature"

# ------------------------------------------------------------ EIP-712: every relied-on field bound
ETH_ID=$("$ZKREG" --json key public "eth:$K1_ADDR" | jget keyid /dev/stdin)
python3 - "$T/k1.att" "$T" "$ETH_ID" <<'EOF'
import base64, json, sys
src, out, eth_id = sys.argv[1], sys.argv[2], sys.argv[3]
env = json.load(open(src))
e712 = [s for s in env["signatures"] if "eip712" in s][0]["eip712"]
eth = {"eip712": e712, "keyid": eth_id,
       "sig": base64.b64encode(bytes.fromhex(e712["signature"][2:])).decode()}
def write(name, payload=None, sig=None):
    e = dict(env)
    if payload is not None:
        e["payload"] = base64.b64encode(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).decode()
    e["signatures"] = [sig or eth]
    open(f"{out}/{name}.att", "w").write(json.dumps(e, sort_keys=True, separators=(",", ":")))
write("ethonly")
pl = json.loads(base64.b64decode(env["payload"]))
def edit(name, path, f):
    p = json.loads(json.dumps(pl)); o = p["predicate"]
    for k in path[:-1]:
        o = o[k]
    o[path[-1]] = f(o[path[-1]])
    write("edit-" + name, p)
edit("origin", ("checkpoint", "origin"), lambda v: v + "x")
edit("treeSize", ("checkpoint", "treeSize"), lambda v: v + 1)
edit("rootHash", ("checkpoint", "rootHash"), lambda v: "00" * 32)
edit("logIndex", ("logIndex",), lambda v: v + 1 if v > 0 else 1)
edit("time", ("time",), lambda v: v.replace(v[17:19], "%02d" % ((int(v[17:19]) + 1) % 60), 1))
edit("verifier", ("verifier", "version"), lambda v: v + ".1")
edit("schemaVersion", ("schema", "version"), lambda v: str(int(v) + 1) if v.isdigit() else v + "1")
def dom(name, key, val):
    sig = dict(eth); e = json.loads(json.dumps(e712))
    e[key] = val
    sig["eip712"] = e
    write(name, None, sig)
dom("oldver", "version", "1")
dom("chain", "chainId", 1)
dom("contract", "verifyingContract", "0x" + "11" * 20)
EOF
ok $? "eth-only envelopes with edited payload fields built"
expect 0 "accept twin: the eth-only envelope verifies" "$ZKREG" verify-attestation "$T/ethonly.att" \
  --trusted-key "eth:$K1_ADDR"
for f in origin treeSize rootHash logIndex time verifier schemaVersion; do
  "$ZKREG" verify-attestation "$T/edit-$f.att" --trusted-key "eth:$K1_ADDR" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -ne 0 ]; ok $? "an eth-only signature does not cover an edited $f (exit $got)"
done
for f in oldver chain contract; do
  "$ZKREG" verify-attestation "$T/$f.att" --trusted-key "eth:$K1_ADDR" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -ne 0 ]; ok $? "an eth-only signature with its domain edited ($f) is refused (exit $got)"
done

# ------------------------------------------------------------ wallet requests edited by their holder
WADDR=$("$WALLET" address)
expect 0 "key register the wallet address" "$ZKREG" key register "eth:$WADDR"
expect 0 "external:eip712 writes a signing request" "$ZKREG" attest --statement "$A" --proof "$T/p" \
  --key external:eip712 --address "$WADDR" --eip712-domain "$T/domain.json" -o "$T/req.json" $R
python3 - "$T/req.json" "$T" <<'EOF'
import base64, json, sys
r = json.load(open(sys.argv[1])); out = sys.argv[2]
def edit(name, pred_key, msg_key, pval, mval):
    q = json.loads(json.dumps(r))
    pl = json.loads(base64.b64decode(q["payload"]))
    pl["predicate"][pred_key] = pval
    q["payload"] = base64.b64encode(json.dumps(pl, sort_keys=True, separators=(",", ":")).encode()).decode()
    m = q["typedData"]["message"]
    m[msg_key] = mval if isinstance(m[msg_key], int) else str(mval)
    json.dump(q, open(f"{out}/req-{name}.json", "w"))
edit("future", "time", "time", "2099-01-01T00:00:00Z", 4070908800)
EOF
ok $? "a request re-dated to 2099 (payload and typed data agree)"
atts=$(sqlite3 -readonly "$ZKREG_REGISTRY" "select count(*) from log where type='attestation'")
SIG=$("$WALLET" sign "$T/req-future.json")
expect 3 "attest --import-signature refuses a request dated in the future" "$ZKREG" attest \
  --import-signature "$SIG" --request "$T/req-future.json" -o "$T/future.att"
grep -q "in the future" "$T/err"; ok $? "... saying it is dated in the future"
[ ! -e "$T/future.att" ]; ok $? "... no attestation written"
[ "$(sqlite3 -readonly "$ZKREG_REGISTRY" "select count(*) from log where type='attestation'")" -eq "$atts" ]
ok $? "... none logged"
SIG=$("$WALLET" sign "$T/req.json")
expect 0 "accept twin: the request as written imports" "$ZKREG" attest --import-signature "$SIG" \
  --request "$T/req.json" -o "$T/wallet.att"
rm -rf "$T/rv.db" "$T/rv.db.d"; sqlite3 "$ZKREG_REGISTRY" ".backup '$T/rv.db'"; cp -r "$T/reg.db.d" "$T/rv.db.d"
expect 0 "revoke the statement after the request was written (in a copy)" \
  env ZKREG_REGISTRY="$T/rv.db" "$ZKREG" revoke statement "$A" --reason "test: withdrawn"
expect 6 "attest --import-signature of the earlier request is refused as revoked" \
  env ZKREG_REGISTRY="$T/rv.db" "$ZKREG" attest --import-signature "$SIG" --request "$T/req.json" \
  -o "$T/late.att"
[ ! -e "$T/late.att" ]; ok $? "... no attestation written"

# A proof record of another release (what a bundle import brings from a peer appliance): its
# statement's schema pins verifier $OLDV, not this one. attest refuses such a statement, so
# a wallet request its holder wrote for that record must not be logged either.
OLDV=0.1.0-peer
rm -rf "$T/pv.db" "$T/pv.db.d"; sqlite3 "$ZKREG_REGISTRY" ".backup '$T/pv.db'"; cp -r "$T/reg.db.d" "$T/pv.db.d"
sed "s/\"fmnist\"/\"fmnist-peer\"/; s/\"verifier_version\":\"[^\"]*\"/\"verifier_version\":\"$OLDV\"/" \
  "$T/schema.json" >"$T/schema-peer.json"
expect 3 "register-schema refuses a schema pinning a peer's verifier $OLDV" \
  env ZKREG_REGISTRY="$T/pv.db" "$ZKREG" register-schema "$T/schema-peer.json"
expect 0 "(test hook) the schema pinning $OLDV placed in a copy, as a peer's import brings it" \
  env ZKREG_REGISTRY="$T/pv.db" ZKREG_TEST_REGISTER_ANY_SET=1 "$ZKREG" register-schema \
  "$T/schema-peer.json"
PV=$(env ZKREG_REGISTRY="$T/pv.db" "$ZKREG" --json register-statement --schema fmnist-peer@1 \
  --program 1 --model 2 --dataset 3 --param record_index=7 --public-output "$T/out7.bin" |
  jget statement_id /dev/stdin)
[ ${#PV} -eq 64 ]; ok $? "a statement under it"
PSHA=$(sha256sum "$T/p" | cut -c1-64)
PIDX=$("$PEER" "$T/pv.db" "$PV" "$PSHA" "$OLDV"); ok $? "the peer's proof record, verifier $OLDV, at log index $PIDX"
expect 0 "log checkpoint (the copy)" env ZKREG_REGISTRY="$T/pv.db" "$ZKREG" log checkpoint \
  --passphrase-file "$T/regpass" -o "$T/pv.note"
python3 - "$T/req.json" "$T/pv.db" "$T/pv.note" "$PV" "$PSHA" "$PIDX" "$OLDV" "$T/req-peer.json" <<'EOF2'
import base64, json, sqlite3, sys
req, db, note, sid, psha, pidx, oldv, out = sys.argv[1:]
q = json.load(open(req))
lines = open(note).read().split("\n")
size, root = int(lines[1]), base64.b64decode(lines[2]).hex()
dig = sqlite3.connect(db).execute("select hex(digest) from schema where name = 'fmnist-peer'").fetchone()[0].lower()
pl = json.loads(base64.b64decode(q["payload"]))
pr = pl["predicate"]
pr["statementId"] = sid; pr["logIndex"] = int(pidx)
pr["checkpoint"]["treeSize"] = size; pr["checkpoint"]["rootHash"] = root
pr["schema"] = {"digest": {"sha256": dig}, "name": "fmnist-peer", "version": "1"}
pr["verifier"]["version"] = oldv
for s in pl["subject"]:
    if s["name"] == "zkreg:statement": s["digest"]["sha256"] = sid
    if s["name"] == "zkreg:proof": s["digest"]["sha256"] = psha
q["payload"] = base64.b64encode(json.dumps(pl, sort_keys=True, separators=(",", ":")).encode()).decode()
m = q["typedData"]["message"]
m.update(statementId="0x" + sid, proof="0x" + psha, schema="fmnist-peer@1", schemaDigest="0x" + dig,
         verifierVersion=oldv, logIndex=str(pidx), checkpointSize=str(size), checkpointRoot="0x" + root)
json.dump(q, open(out, "w"))
EOF2
ok $? "a wallet request for the peer's record (payload and typed data agree)"
atts=$(sqlite3 -readonly "$T/pv.db" "select count(*) from log where type='attestation'")
SIG=$("$WALLET" sign "$T/req-peer.json")
expect 1 "attest --import-signature refuses a proof record of verifier $OLDV" \
  env ZKREG_REGISTRY="$T/pv.db" "$ZKREG" attest --import-signature "$SIG" \
  --request "$T/req-peer.json" -o "$T/peer.att"
grep -q "pins verifier $OLDV" "$T/err"; ok $? "... naming the pinned verifier"
[ ! -e "$T/peer.att" ]; ok $? "... no attestation written"
[ "$(sqlite3 -readonly "$T/pv.db" "select count(*) from log where type='attestation'")" -eq "$atts" ]
ok $? "... none logged"

# ------------------------------------------------------------ more edited wallet requests
# The holder retargets the request (payload and typed data together, so they agree) at
# other facts of this registry, has the wallet sign it and imports it. Each in a copy of the
# registry (x.db); retarget.py REQ DB NOTE SID PROOF_SHA LOG_INDEX OUT takes the statement's
# program, model, dataset and schema from DB and the checkpoint from NOTE.
cat >"$T/retarget.py" <<'EOF2'
import base64, json, sqlite3, sys
req, db, note, sid, psha, pidx, out = sys.argv[1:8]
q = json.load(open(req))
lines = open(note).read().split("\n")
size, root = int(lines[1]), base64.b64decode(lines[2]).hex()
row = sqlite3.connect(db).execute(
    "select s.name, s.version, lower(hex(s.digest)), json_extract(s.document, '$.verifier_version'),"
    " lower(hex(p.sha256)), lower(hex(m.sha256)), lower(hex(d.sha256)) from statement t"
    " join schema s on s.id = t.schema_id join artifact p on p.id = t.program_id"
    " join artifact m on m.id = t.model_id join artifact d on d.id = t.dataset_id"
    " where lower(hex(t.statement_id)) = ?", (sid,)).fetchone()
name, ver, dig, vv, prog, model, ds = row if row else ("fmnist", 1, "00" * 32, "0.0.0", "00" * 32, "00" * 32, "00" * 32)
pl = json.loads(base64.b64decode(q["payload"]))
pr = pl["predicate"]
pr["statementId"] = sid; pr["logIndex"] = int(pidx)
pr["checkpoint"]["treeSize"] = size; pr["checkpoint"]["rootHash"] = root
pr["schema"] = {"digest": {"sha256": dig}, "name": name, "version": str(ver)}
pr["verifier"]["version"] = vv
subj = {"zkreg:statement": sid, "zkreg:proof": psha, "zkreg:program": prog, "zkreg:model": model,
        "zkreg:dataset": ds}
for s in pl["subject"]:
    s["digest"]["sha256"] = subj[s["name"]]
q["payload"] = base64.b64encode(json.dumps(pl, sort_keys=True, separators=(",", ":")).encode()).decode()
q["typedData"]["message"].update(
    statementId="0x" + sid, proof="0x" + psha, schema="%s@%s" % (name, ver), schemaDigest="0x" + dig,
    verifierVersion=vv, logIndex=str(pidx), checkpointSize=str(size), checkpointRoot="0x" + root,
    program="0x" + prog, model="0x" + model, dataset="0x" + ds)
json.dump(q, open(out, "w"))
EOF2
X="$T/x.db"
rm -rf "$X" "$X.d"; sqlite3 "$ZKREG_REGISTRY" ".backup '$X'"; cp -r "$T/reg.db.d" "$X.d"
xz() { env ZKREG_REGISTRY="$X" "$@"; }
logsum() { sqlite3 -readonly "$X" "select count(*), max(idx), hex(max(leaf_hash)) from log"; }
# imp WANT WHAT REQUEST OUT: the wallet signs the request, the import must exit WANT.
imp() {
  SIG=$("$WALLET" sign "$3")
  expect "$1" "$2" xz "$ZKREG" attest --import-signature "$SIG" --request "$3" -o "$4"
}
# refused WANT WHAT REQUEST: refused, and nothing written or logged.
refused() {
  before=$(logsum); rm -f "$T/x-refused.att"
  imp "$1" "$2" "$3" "$T/x-refused.att"
  [ ! -e "$T/x-refused.att" ] && [ "$(logsum)" = "$before" ]
  ok $? "... no attestation written, the log unchanged"
}
PSHA=$(sha256sum "$T/p" | cut -c1-64)
PIDX7=$(sqlite3 -readonly "$X" "select log_index from proof where lower(hex(statement_id)) = '$A'")

# training-step@1: `verify` records its proofs (confined, this verifier), but attest has no
# verifier for the kind and refuses it. The import took it (found in adversarial review).
xz "$ZKREG" train-init --dims 784,8,10 --seed-text adv-import --out-dir "$T/tm" >/dev/null 2>&1
TPROG=$(xz "$ZKREG" --json register-program "$T/tm/program.zkrprog" | jget id /dev/stdin)
TMOD=$(xz "$ZKREG" --json register-model "$T/tm/init.zkrtm" --program "$TPROG" | jget id /dev/stdin)
printf '{"name":"adv-train","version":1,"proof_kind":"training-step@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"%s","public_output":false,"fields":[{"name":"child_model","type":"digest"},{"name":"record_indices","type":"u64-list"},{"name":"lr","type":"u64"},{"name":"shift","type":"u64"},{"name":"steps","type":"u64"}]}\n' \
  "$("$ZKREG" --version | sed -n 's/^zkreg \([^ ]*\).*/\1/p')" >"$T/tschema.json"
expect 0 "a training-step@1 schema pinning this verifier (in a copy)" xz "$ZKREG" register-schema "$T/tschema.json"
expect 0 "train --prove one training-step@1 step" xz "$ZKREG" train --model "$TMOD" --dataset 3 \
  --batch-size 2 --steps 1 --lr 3 --shift 16 --prove --schema adv-train@1 --out-dir "$T/tp"
TS=$(sed -n 's/^  statement \([0-9a-f]*\)$/\1/p' "$T/out")
expect 3 "attest refuses the training-step@1 statement (no verifier for the kind)" \
  xz "$ZKREG" attest --statement "$TS" --proof "$T/tp/step-0.zkp" --key "file:$T/k1.key" \
  --passphrase-file "$T/keypass" -o "$T/ts-k1.att" $R
grep -q "has no verifier here" "$T/err"; ok $? "... naming the kind"
expect 0 "verify records the training-step@1 proof (confined)" xz "$ZKREG" --json verify \
  --statement "$TS" "$T/tp/step-0.zkp"
TIDX=$(jget log_index "$T/out"); TSHA=$(sha256sum "$T/tp/step-0.zkp" | cut -c1-64)
expect 0 "verify --no-sandbox of the inference@1 proof (a verify-unconfined entry)" \
  xz "$ZKREG" --json verify --no-sandbox --statement "$A" "$T/p"
UIDX=$(jget log_index "$T/out")
expect 0 "log checkpoint (the copy)" xz "$ZKREG" log checkpoint --passphrase-file "$T/regpass" -o "$T/x.note"
rt() { python3 "$T/retarget.py" "$T/req.json" "$X" "$T/x.note" "$@"; }
rt "$A" "$PSHA" "$PIDX7" "$T/rq-a.json"; ok $? "accept twin built: the request retargeted at the new checkpoint"
imp 0 "accept twin: the retargeted request for the verified statement imports" "$T/rq-a.json" "$T/x-a.att"
rt "$TS" "$TSHA" "$TIDX" "$T/rq-ts.json"; ok $? "a request for the training-step@1 proof record"
refused 3 "attest --import-signature refuses the training-step@1 statement, as attest does" "$T/rq-ts.json"
grep -q "has no verifier here" "$T/err"; ok $? "... naming the kind"

# A log entry that is not this statement's confined verification.
rt "$A" "$PSHA" "$UIDX" "$T/rq-u.json"
refused 1 "a verify-unconfined entry is not a verification here" "$T/rq-u.json"
rt "$A" "$PSHA" "$(sqlite3 -readonly "$X" "select log_index from statement where lower(hex(statement_id)) = '$A'")" "$T/rq-st.json"
refused 1 "the statement's own registration entry is not its verification" "$T/rq-st.json"
rt "$A" "$TSHA" "$TIDX" "$T/rq-other.json"
refused 1 "another statement's proof record under this statement" "$T/rq-other.json"
rt "$A" "$PSHA" "$(sqlite3 -readonly "$X" "select max(idx) + 5 from log")" "$T/rq-past.json"
refused 3 "a log index past the checkpoint" "$T/rq-past.json"
rt 2222222222222222222222222222222222222222222222222222222222222222 "$PSHA" "$PIDX7" "$T/rq-unk.json"
refused 4 "a statement this registry does not hold" "$T/rq-unk.json"

# Edits of one fact, payload and typed data together (e-*), or of one side only.
python3 - "$T/rq-a.json" "$T" <<'EOF2'
import base64, json, sys
q = json.load(open(sys.argv[1])); out = sys.argv[2]
def w(name, f):
    r = json.loads(json.dumps(q)); f(r); json.dump(r, open(f"{out}/rq-{name}.json", "w"))
def both(fn):
    def g(r):
        pl = json.loads(base64.b64decode(r["payload"])); fn(pl, r["typedData"]["message"])
        r["payload"] = base64.b64encode(json.dumps(pl, sort_keys=True, separators=(",", ":")).encode()).decode()
    return g
def subj(i, key, v):
    def f(pl, m):
        pl["subject"][i]["digest"]["sha256"] = v; m[key] = "0x" + v
    return f
w("prog", both(subj(2, "program", "11" * 32)))
w("model", both(subj(3, "model", "11" * 32)))
w("data", both(subj(4, "dataset", "11" * 32)))
def origin(pl, m):
    pl["predicate"]["checkpoint"]["origin"] += "x"; m["checkpointOrigin"] += "x"
w("origin", both(origin))
def size(pl, m):
    pl["predicate"]["checkpoint"]["treeSize"] += 100; m["checkpointSize"] = str(int(m["checkpointSize"]) + 100)
w("size", both(size))
def root(pl, m):
    pl["predicate"]["checkpoint"]["rootHash"] = "00" * 32; m["checkpointRoot"] = "0x" + "00" * 32
w("root", both(root))
def td(r): r["typedData"]["message"]["model"] = "0x" + "33" * 32
w("td", td)
def lower(r): r["address"] = r["address"].lower()
w("lower", lower)
txt = json.dumps(q)
other = json.load(open(f"{out}/rq-model.json"))
open(f"{out}/rq-duppl.json", "w").write(txt[:-1] + ', "payload": "%s"}' % other["payload"])
open(f"{out}/rq-duptd.json", "w").write(txt[:-1] + ', "typedData": %s}' % json.dumps(other["typedData"]))
EOF2
ok $? "single-fact edits built"
refused 1 "another program" "$T/rq-prog.json"
refused 1 "another model" "$T/rq-model.json"
refused 1 "another dataset" "$T/rq-data.json"
refused 1 "a checkpoint of another origin" "$T/rq-origin.json"
refused 1 "a checkpoint past this log's size" "$T/rq-size.json"
refused 1 "a checkpoint with another root" "$T/rq-root.json"
refused 1 "typed data whose message differs from the payload (model)" "$T/rq-td.json"
refused 3 "a request with payload twice (the second another model's)" "$T/rq-duppl.json"
refused 3 "a request with typedData twice" "$T/rq-duptd.json"
grep -q "duplicate" "$T/err"; ok $? "... naming the duplicate key"
imp 0 "accept twin: the address in lower case is the same signer" "$T/rq-lower.json" "$T/x-lower.att"

# A schema whose parameter set this verifier does not run for inference@1 (r8 is
# inference@2's), as an import from elsewhere brings it, with a record at this version.
sed "s/\"fmnist\"/\"fmnist-r8\"/; s/\"goldilocks-128\"/\"goldilocks-128-r8\"/" "$T/schema.json" >"$T/schema-r8.json"
expect 0 "register-schema inference@1 at goldilocks-128-r8 (test hook, in the copy)" \
  xz env ZKREG_TEST_REGISTER_ANY_SET=1 "$ZKREG" register-schema "$T/schema-r8.json"
R8=$(xz env ZKREG_TEST_REGISTER_ANY_SET=1 "$ZKREG" --json register-statement --schema fmnist-r8@1 \
  --program 1 --model 2 --dataset 3 --param record_index=7 --public-output "$T/out7.bin" |
  jget statement_id /dev/stdin)
R8IDX=$("$PEER" "$X" "$R8" "$PSHA" "$("$ZKREG" --version | sed -n 's/^zkreg \([^ ]*\).*/\1/p')")
ok $? "a proof record of it at this verifier's version, log index $R8IDX"
expect 0 "log checkpoint (the copy)" xz "$ZKREG" log checkpoint --passphrase-file "$T/regpass" -o "$T/x.note"
rt "$R8" "$PSHA" "$R8IDX" "$T/rq-r8.json"
refused 1 "an inference@1 statement at goldilocks-128-r8" "$T/rq-r8.json"
grep -q "goldilocks-128-r8" "$T/err"; ok $? "... naming the set"

# Revoked after the request was written: the verifier version, the wallet key.
rt "$A" "$PSHA" "$PIDX7" "$T/rq-a2.json"
rm -rf "$T/y.db" "$T/y.db.d"; sqlite3 "$X" ".backup '$T/y.db'"; cp -r "$X.d" "$T/y.db.d"
expect 0 "revoke verifier inference@1 at this version (a copy)" xz "$ZKREG" revoke verifier inference@1 \
  "$("$ZKREG" --version | sed -n 's/^zkreg \([^ ]*\).*/\1/p')" --reason "test: unsound"
refused 6 "a revoked verifier version" "$T/rq-a2.json"
rm -rf "$X" "$X.d"; mv "$T/y.db" "$X"; mv "$T/y.db.d" "$X.d"
expect 0 "revoke the wallet key (eth:, lower case)" xz "$ZKREG" revoke key \
  "eth:$(echo "$WADDR" | tr 'A-F' 'a-f')" --reason "test: wallet lost"
refused 6 "a revoked wallet key" "$T/rq-a2.json"

# ------------------------------------------------------------ offline evidence from elsewhere
expect 0 "log checkpoint" "$ZKREG" log checkpoint --passphrase-file "$T/regpass" -o "$T/cp.note"
expect 0 "log evidence" "$ZKREG" log evidence "$T/ed.att" -o "$T/ev.json"
VKEY=$("$ZKREG" log key)
expect 0 "accept twin: the gate passes offline with the evidence and --log-key" \
  env ZKREG_REGISTRY="$T/none.db" "$ZKREG" gate --policy "$T/good.json" --evidence "$T/ev.json" \
  --log-key "$VKEY" "$T/ed.att"
python3 - "$T/ev.json" "$T" <<'EOF'
import json, sys
ev = json.load(open(sys.argv[1])); out = sys.argv[2]
o = json.loads(json.dumps(ev)); o["checkpoint"]["origin"] = "another-log"
json.dump(o, open(out + "/ev-origin.json", "w"))
o = json.loads(json.dumps(ev)); o["checkpoint"]["root"] = "00" * 32
json.dump(o, open(out + "/ev-root.json", "w"))
o = json.loads(json.dumps(ev)); o["inclusion"] = []
json.dump(o, open(out + "/ev-noincl.json", "w"))
o = json.loads(json.dumps(ev)); o.pop("note", None)
json.dump(o, open(out + "/ev-nonote.json", "w"))
EOF
ok $? "evidence variants built"
for v in origin root noincl; do
  env ZKREG_REGISTRY="$T/none.db" "$ZKREG" gate --policy "$T/good.json" --evidence "$T/ev-$v.json" \
    "$T/ed.att" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -ne 0 ]; ok $? "evidence with $v changed is refused (exit $got)"
done
expect 1 "evidence without its note is refused under --log-key" \
  env ZKREG_REGISTRY="$T/none.db" "$ZKREG" gate --policy "$T/good.json" \
  --evidence "$T/ev-nonote.json" --log-key "$VKEY" "$T/ed.att"

# ------------------------------------------------------------ a revocation newer than the stored checkpoint
# `log checkpoint` above is now older than the key revocation below; export
# and log evidence must not hand out a set complete only for that checkpoint.
expect 0 "revoke the ed25519 key after the latest checkpoint" "$ZKREG" revoke key "$ED_PUB" \
  --reason "test: key retired"
expect 2 "log evidence refuses a checkpoint older than a revocation" "$ZKREG" log evidence \
  "$T/ed.att" -o "$T/ev-stale.json"
grep -q "newer than the latest checkpoint" "$T/err"; ok $? "... saying the revocation is newer"
[ ! -e "$T/ev-stale.json" ]; ok $? "... no evidence written"
expect 2 "export without a passphrase refuses the stale checkpoint" "$ZKREG" export \
  --statement "$A" -o "$T/stale.zkb"
[ ! -e "$T/stale.zkb" ]; ok $? "... no bundle written"
expect 0 "export with --passphrase-file signs a checkpoint over the revocation" "$ZKREG" export \
  --statement "$A" -o "$T/a.zkb" --passphrase-file "$T/regpass"
expect 0 "an air-gapped registry" "$ZKREG" --registry "$T/air.db" init --passphrase-file \
  "$T/regpass" --kdf interactive
expect 0 "it imports the bundle" "$ZKREG" --registry "$T/air.db" import "$T/a.zkb" \
  --trusted-key "$VKEY"
expect 0 "... and signs its own checkpoint" "$ZKREG" --registry "$T/air.db" log checkpoint \
  --passphrase-file "$T/regpass"
sed 's/"require_log_inclusion":true/"require_log_inclusion":false/' "$T/good.json" >"$T/noincl.json"
expect 6 "the importing registry's gate sees the key revocation" "$ZKREG" --registry "$T/air.db" \
  gate --policy "$T/noincl.json" "$T/ed.att"
expect 0 "log checkpoint over the revocation" "$ZKREG" log checkpoint --passphrase-file "$T/regpass"
expect 0 "log evidence now" "$ZKREG" log evidence "$T/ed.att" -o "$T/ev-new.json"
expect 6 "the offline gate sees the key revocation" env ZKREG_REGISTRY="$T/none.db" "$ZKREG" gate \
  --policy "$T/good.json" --evidence "$T/ev-new.json" --log-key "$VKEY" "$T/ed.att"

echo "1..$n"
exit $fail
