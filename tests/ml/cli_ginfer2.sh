#!/usr/bin/env bash
# graph-inference@2 (the zero-knowledge CNN proof) through the real zkreg
# (TAP): the small CNN (tests/fixtures/tiny_cnn.onnx) registered as a graph
# program and calibrated, its quantized file committed as a private graph
# model (`zkreg model commit`, sealed opening and budget; `register-model
# --commitment`), the first records committed as a version 3 dataset
# (`dataset commit --hiding-records`, `register-dataset --commitment`), a
# graph-inference@2 statement with the logits public, one proof in the
# confined ginfer2-prove worker (the ledger reserving the model's and the
# record's openings), verify in the ginfer2-verify worker, attest, gate,
# export/import and verify on the importing registry. Every accept has its
# reject twin, each with its documented exit code, nothing written and the
# registry, its store and the ledger byte-identical: a hidden-output
# schema, a dense private model under the graph kind, a tampered and a
# truncated proof, the proof under another record index, another model,
# another dataset, wrong secrets, a wrong passphrase, a spent budget; from
# the adversarial review: the commitment under another graph or a dense
# program, the proof under the same bindings in another schema (verify,
# attest), the record's budget spent through another statement and through
# inference@2, the store's program and commitment bytes swapped, the
# verifier version revoked.
# Usage: cli_ginfer2.sh PATH/TO/zkreg
set -u
Z=$(readlink -f "${1:?usage: cli_ginfer2.sh ZKREG}")
SRC=$(readlink -f "${ZKR_SOURCE_ROOT:-.}")
TINY=$SRC/tests/fixtures/tiny_cnn.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-g2-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

printf 'owner pass phrase\n' > pass; chmod 600 pass
printf 'not the phrase\n' > wrong; chmod 600 wrong
export ZKREG_PASSPHRASE_FILE=$T/pass
export ZKREG_REGISTRY=$T/r.db

# The registry, its store, the ledger and every proof and attestation file here.
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
state() { { cat r.db r.db-wal 2>/dev/null | sha256sum
            find r.db.d -type f 2>/dev/null | sort -S 1M | xargs -r sha256sum
            ls ./p*.bin ./*.att 2>/dev/null | sort -S 1M | xargs -r sha256sum; } | sha256sum | cut -d' ' -f1; }
# run EXPECTED_EXIT WORD_IN_STDERR DESCRIPTION -- zkreg args...
# A refusal must leave state() as it was.
run() {
  local want=$1 word=$2 what=$3; shift 4
  local before after rc
  before=$(state)
  "$Z" "$@" >out.txt 2>err.txt; rc=$?
  after=$(state)
  if [ "$rc" = "$want" ] && grep -qF -- "$word" err.txt out.txt && { [ "$want" = 0 ] || [ "$before" = "$after" ]; }; then
    ok 0 "$what (exit $rc)"
  else
    ok 1 "$what: want exit $want naming '$word', got $rc: $(head -c 400 err.txt)"
  fi
}
jid() { sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -1; }

# --- the appliance: program, public calibrated model, plain records ---------
# The first 16 test records (a raw IDX file) and their labels.
{ printf '\000\000\010\003\000\000\000\020\000\000\000\034\000\000\000\034'
  gzip -dc "$DATA" | tail -c +17 | head -c $((16 * 784)); } > small-images-idx3-ubyte
{ printf '\000\000\010\001\000\000\000\020'
  gzip -dc "${DATA%images-idx3-ubyte.gz}labels-idx1-ubyte.gz" | tail -c +9 | head -c 16; } \
  > small-labels-idx1-ubyte
"$Z" init --kdf interactive >/dev/null 2>&1
ok $? "init"
"$Z" --json register-program "$TINY" > prog.json 2>/dev/null
P=$(jid < prog.json)
SD=$("$Z" --json register-dataset small-images-idx3-ubyte 2>/dev/null | jid)
"$Z" --json register-model "$TINY" --program "$P" --calibrate "$SD" > pub.json 2>/dev/null
TM=$(jid < pub.json)
TSHA=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' pub.json)
cp "r.db.d/models/$TSHA" model.bin
"$Z" infer --model "$TM" --dataset "$SD" --record 3 --output-file out3.bin >/dev/null 2>&1 &&
"$Z" infer --model "$TM" --dataset "$SD" --record 4 --output-file out4.bin >/dev/null 2>&1
ok $? "the small CNN registered, calibrated and run natively on records 3 and 4"
[ -n "$P" ] && [ -n "$SD" ] && [ -n "$TM" ] && [ -s model.bin ] && ! cmp -s out3.bin out4.bin
ok $? "... a graph model file and two distinct public outputs"

# --- the owners: private graph model, version 3 records ----------------------
"$Z" zk-seed new -o seed.bin --kdf interactive >/dev/null 2>&1
run 0 "commitment" "model commit of the graph model (sealed opening, budget 4)" -- \
  model commit model.bin -o gmc.bin --secrets gms.bin --kdf interactive --budget 4
[ -s gmc.bin ] && [ -s gms.bin ] && [ ! -e gmc.bin.range ]
ok $? "... a commitment and sealed secrets, no range proof (every proof range-checks the weights)"
run 2 "committed at goldilocks-128 only" "model commit of the graph model at goldilocks-128-r16 (inference@2's set only)" -- \
  model commit model.bin -o gmc16.bin --secrets gms16.bin --kdf interactive --param-set goldilocks-128-r16
[ ! -e gmc16.bin ] && [ ! -e gms16.bin ]; ok $? "... no commitment or secrets written"
run 0 "commitment" "model commit of the same file again, other blinding (another model)" -- \
  model commit model.bin -o gmc2.bin --secrets gms2.bin --kdf interactive --budget 4
run 0 "commitment" "dataset commit --hiding-records (version 3, one proof per record)" -- \
  dataset commit small-images-idx3-ubyte -o dc.bin --secrets ds.bin --hiding-records \
  --budget 1 --zk-seed seed.bin --kdf interactive
run 0 "commitment" "dataset commit of the same records under another seed (another dataset)" -- \
  dataset commit small-images-idx3-ubyte -o dc2.bin --secrets ds2.bin --hiding-records \
  --budget 1 --kdf interactive
M=$("$Z" --json register-model --commitment gmc.bin --program "$P" --name gpriv 2>/dev/null | jid)
M2=$("$Z" --json register-model --commitment gmc2.bin --program "$P" --name gpriv2 2>/dev/null | jid)
D=$("$Z" --json register-dataset --commitment dc.bin --name recs 2>/dev/null | jid)
D2=$("$Z" --json register-dataset --commitment dc2.bin --name recs2 2>/dev/null | jid)
[ -n "$M" ] && [ -n "$M2" ] && [ -n "$D" ] && [ -n "$D2" ]
ok $? "register-model --commitment (twice) and register-dataset --commitment (twice)"
printf 'not a range proof' > gmc.bin.other-range
run 2 "range" "register-model --commitment of a graph model with a range proof named" -- \
  register-model --commitment gmc.bin --program "$P" --name gr --range-proof gmc.bin.other-range
cp gmc.bin gmc-bad.bin; printf 'x' >> gmc-bad.bin
run 3 "gmc-bad.bin" "register-model --commitment with a trailing byte is malformed" -- \
  register-model --commitment gmc-bad.bin --program "$P" --name bad
# Adversarial review: the commitment under another registered program is refused by the fit.
PL=$("$Z" --json register-program "$SRC/tests/fixtures/lenet5.onnx" 2>/dev/null | jid)
PD=$("$Z" --json register-program "$SRC/tests/fixtures/mlp_784_128_10.onnx" 2>/dev/null | jid)
[ -n "$PL" ] && [ -n "$PD" ]; ok $? "two other programs (LeNet-5, a dense MLP) registered"
run 1 "not for this program" "register-model --commitment of the graph commitment under another graph program" -- \
  register-model --commitment gmc.bin --program "$PL" --name gother
run 1 "no graph program" "register-model --commitment of the graph commitment under a dense program" -- \
  register-model --commitment gmc.bin --program "$PD" --name gdense

# --- schema and statements ------------------------------------------------------
cat > g2.json <<'J'
{"name": "cnn-zk", "version": 1, "proof_kind": "graph-inference@2",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_index", "type": "u64"}]}
J
sed -e 's/"cnn-zk"/"cnn-zk-hidden"/' -e 's/"public_output": true/"public_output": false/' \
  g2.json > g2h.json
run 0 "" "register-schema graph-inference@2" -- register-schema g2.json
run 0 "" "register-schema graph-inference@2 with a hidden output" -- register-schema g2h.json
run 3 "public_output false" "a hidden-output graph-inference@2 statement is refused by name" -- \
  register-statement --schema cnn-zk-hidden@1 --program "$P" --model "$M" --dataset "$D" \
  --param record_index=3 --public-output out3.bin
run 1 "private" "the public graph model under graph-inference@2 is a binding mismatch" -- \
  register-statement --schema cnn-zk@1 --program "$P" --model "$TM" --dataset "$D" \
  --param record_index=3 --public-output out3.bin
run 1 "version 3" "a version 1 dataset under graph-inference@2 is a binding mismatch" -- \
  register-statement --schema cnn-zk@1 --program "$P" --model "$M" --dataset "$SD" \
  --param record_index=3 --public-output out3.bin
sed -e 's/"cnn-zk"/"dense-zk"/' -e 's/"graph-inference@2"/"inference@2"/' g2.json > i2.json
run 0 "" "register-schema inference@2" -- register-schema i2.json
run 1 "graph (CNN)" "the private graph model under inference@2 is a binding mismatch" -- \
  register-statement --schema dense-zk@1 --program "$P" --model "$M" --dataset "$D" \
  --param record_index=3 --public-output out3.bin
reg() { "$Z" register-statement --schema cnn-zk@1 --program "$P" --model "$1" --dataset "$2" \
          --param record_index="$3" --public-output "$4" 2>/dev/null; }
S3=$(reg "$M" "$D" 3 out3.bin)
S4=$(reg "$M" "$D" 4 out4.bin)
SM=$(reg "$M2" "$D" 3 out3.bin)
SD2=$(reg "$M" "$D2" 3 out3.bin)
S3W=$(reg "$M" "$D" 3 out4.bin)
# Adversarial review: the same bindings (model, dataset, record, output) under another schema.
sed -e 's/"version": 1/"version": 2/' g2.json > g2v2.json
"$Z" register-schema g2v2.json >/dev/null 2>&1
S3V=$("$Z" register-statement --schema cnn-zk@2 --program "$P" --model "$M" --dataset "$D" \
        --param record_index=3 --public-output out3.bin 2>/dev/null)
[ -n "$S3" ] && [ -n "$S4" ] && [ -n "$SM" ] && [ -n "$SD2" ] && [ -n "$S3W" ] && [ -n "$S3V" ] &&
  [ "$S3V" != "$S3" ]
ok $? "statements: record 3, record 4, another model, another dataset, a wrong output, record 3 under cnn-zk@2"

# --- prove: every refusal before the reservation spends nothing ---------------
# Adversarial review (parameter sets): goldilocks-128-r16 is inference@2's only. A graph schema
# pinning it registers, but prove refused it only in verify, after the model's and the record's
# openings were spent on a proof no verifier accepts.
# register-schema refuses it now (exit 3); the test hook places it as an older registry's import would.
sed -e 's/"cnn-zk"/"cnn-zk-r16"/' -e 's/"goldilocks-128"/"goldilocks-128-r16"/' g2.json > g2r16.json
run 3 "is for proof kind inference@2 only" "register-schema of a graph-inference@2 schema pinning goldilocks-128-r16" -- \
  register-schema g2r16.json
ZKREG_TEST_REGISTER_ANY_SET=1 "$Z" register-schema g2r16.json >/dev/null 2>&1
S3R=$(ZKREG_TEST_REGISTER_ANY_SET=1 "$Z" register-statement --schema cnn-zk-r16@1 --program "$P" --model "$M" --dataset "$D" \
        --param record_index=3 --public-output out3.bin 2>/dev/null)
[ -n "$S3R" ]; ok $? "a graph-inference@2 statement under a schema pinning goldilocks-128-r16"
run 1 "is for proof kind inference@2 only" "prove of the goldilocks-128-r16 graph statement" -- \
  prove --statement "$S3R" -o pw.bin --model-file model.bin --model-secrets gms.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin
run 1 "differs" "prove of a statement whose public output is not the model's" -- \
  prove --statement "$S3W" -o pw.bin --model-file model.bin --model-secrets gms.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin
run 1 "another model" "prove with the other model's secrets" -- \
  prove --statement "$S3" -o pw.bin --model-file model.bin --model-secrets gms2.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin
run 1 "dataset" "prove with the other dataset's secrets" -- \
  prove --statement "$S3" -o pw.bin --model-file model.bin --model-secrets gms.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds2.bin
run 7 "wrong passphrase" "prove under a wrong passphrase" -- \
  prove --statement "$S3" -o pw.bin --model-file model.bin --model-secrets gms.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin --passphrase-file wrong
run 2 "" "prove without the owners' secrets" -- \
  prove --statement "$S3" -o pw.bin --model-file model.bin --dataset-file small-images-idx3-ubyte
run 0 "" "prove record 3 in the confined ginfer2-prove worker" -- \
  prove --statement "$S3" -o p3.bin --model-file model.bin --model-secrets gms.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin
[ -s p3.bin ] && [ -e r.db.d/reveal-budget.ledger ]
ok $? "... the proof written, its openings counted in the registry's ledger"
# The ledger (docs/formats.md): the private graph model's entry (kind gmodel@2, keyed by its
# commitment's bytes) holds budget 4, one used; the record's entry one of 1.
python3 - <<'PY'
import hashlib, struct, sys
b = open("r.db.d/reveal-budget.ledger", "rb").read()
kind, c = b"gmodel@2", open("gmc.bin", "rb").read()
want = hashlib.sha256(b"zkr/zk-ledger/v1\0" + struct.pack("<Q", len(kind)) + kind +
                      struct.pack("<Q", len(c)) + c).digest()
n = struct.unpack(">I", b[12:16])[0]
ent = {b[16 + 56 * i:48 + 56 * i]: struct.unpack(">II", b[48 + 56 * i:56 + 56 * i]) for i in range(n)}
sys.exit(0 if n == 2 and ent.get(want) == (4, 1) and sorted(ent.values()) == [(1, 1), (4, 1)] else 1)
PY
ok $? "... the ledger: the graph model's commitment 1 of 4 proofs, the record's 1 of 1"
run 6 "budget" "a second proof of record 3 (its budget of 1 spent) is refused" -- \
  prove --statement "$S3" -o p3b.bin --model-file model.bin --model-secrets gms.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin
# Adversarial review: the record's budget is its commitment's, not the statement's.
run 6 "budget" "a proof of record 3 under another statement (cnn-zk@2) is refused: the record's budget is spent" -- \
  prove --statement "$S3V" -o p3b.bin --model-file model.bin --model-secrets gms.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin
# ... and shared with inference@2: a private dense model (784-128-10) over the same record 3.
"$Z" --json register-model "$SRC/tests/fixtures/mlp_784_128_10.onnx" --program "$PD" \
  --calibrate "$SD" > dpub.json 2>/dev/null
DTM=$(jid < dpub.json)
cp "r.db.d/models/$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' dpub.json)" dmodel.bin
"$Z" infer --model "$DTM" --dataset "$SD" --record 3 --output-file dout3.bin >/dev/null 2>&1 &&
"$Z" model commit dmodel.bin -o dmc.bin --secrets dms.bin --kdf interactive --budget 4 \
  >/dev/null 2>&1
DM=$("$Z" --json register-model --commitment dmc.bin --program "$PD" --name dpriv \
       --no-range-proof 2>/dev/null | jid)
S3I=$("$Z" register-statement --schema dense-zk@1 --program "$PD" --model "$DM" --dataset "$D" \
        --param record_index=3 --public-output dout3.bin 2>/dev/null)
[ -n "$DM" ] && [ -n "$S3I" ]
ok $? "a private dense model and an inference@2 statement over the same record 3"
run 6 "budget" "an inference@2 proof of record 3 is refused: graph-inference@2 spent the record's budget" -- \
  prove --statement "$S3I" -o p3b.bin --model-file dmodel.bin --model-secrets dms.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin
# Adversarial review: an output path that cannot be written (no such directory) is refused
# before the openings are reserved (it spent record 4's only opening and a proof of the model).
L0=$(sha256sum r.db.d/reveal-budget.ledger | cut -d' ' -f1)
"$Z" prove --statement "$S4" -o "$T/no-such-dir/p4.bin" --model-file model.bin \
  --model-secrets gms.bin --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin \
  >/dev/null 2>err.txt
rc=$?
[ $rc -eq 9 ] && grep -q "nothing reserved" err.txt &&
  [ "$(sha256sum r.db.d/reveal-budget.ledger | cut -d' ' -f1)" = "$L0" ]
ok $? "prove to an output path in a missing directory is refused before reserving (exit $rc)"
# The stored model commitment altered: prove refuses before reserving (ledger unchanged).
GSHA=$(sha256sum gmc.bin | cut -d' ' -f1)
L0=$(sha256sum r.db.d/reveal-budget.ledger | cut -d' ' -f1)
cp "r.db.d/models/$GSHA" gmc-keep.bin && cp gmc2.bin "r.db.d/models/$GSHA"
"$Z" prove --statement "$S4" -o p4.bin --model-file model.bin --model-secrets gms.bin \
  --dataset-file small-images-idx3-ubyte --dataset-secrets ds.bin >/dev/null 2>err.txt
rc=$?; cp gmc-keep.bin "r.db.d/models/$GSHA"
[ $rc -ne 0 ] && [ ! -e p4.bin ] && [ "$(sha256sum r.db.d/reveal-budget.ledger | cut -d' ' -f1)" = "$L0" ]
ok $? "prove with the store's commitment bytes replaced by another model's is refused, nothing reserved (exit $rc)"

# --- verify ----------------------------------------------------------------------
cp p3.bin pbad.bin
sz=$(wc -c < p3.bin)
# one bit flipped: a fixed byte would leave a random proof unchanged one run in 256
b=$(od -An -tu1 -j$((sz - 700)) -N1 p3.bin | tr -d ' ')
printf "\\$(printf '%03o' $(( b ^ 1 )))" | dd of=pbad.bin bs=1 seek=$((sz - 700)) conv=notrunc 2>/dev/null
head -c $((sz - 1)) p3.bin > ptrunc.bin
run 0 "" "verify in the confined ginfer2-verify worker" -- verify --statement "$S3" p3.bin
run 1 "" "a tampered proof is refused" -- verify --statement "$S3" pbad.bin
run 3 "" "a truncated proof is refused" -- verify --statement "$S3" ptrunc.bin
run 1 "" "the proof under another record index is refused" -- verify --statement "$S4" p3.bin
run 1 "" "the proof under another model is refused" -- verify --statement "$SM" p3.bin
run 1 "" "the proof under another dataset is refused" -- verify --statement "$SD2" p3.bin
run 1 "" "the proof under the same bindings in another schema's statement is refused" -- \
  verify --statement "$S3V" p3.bin
# The store's program bytes altered: verify refuses (their sha256 is the registered one).
PSHA=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' prog.json)
if [ -f "r.db.d/programs/$PSHA" ]; then
  cp "r.db.d/programs/$PSHA" prog-keep.bin
  printf 'x' >> "r.db.d/programs/$PSHA"
  "$Z" verify --statement "$S3" p3.bin >/dev/null 2>err.txt; rc=$?
  cp prog-keep.bin "r.db.d/programs/$PSHA"
  [ $rc -ne 0 ] && grep -q "registered sha256" err.txt
  ok $? "verify with the store's program bytes altered is refused (exit $rc)"
else
  ok 1 "the program's bytes at r.db.d/programs/$PSHA"
fi

# --- attest, gate ------------------------------------------------------------------
printf 'key pass phrase\n' > keypass; chmod 600 keypass
"$Z" key generate --type ed25519 -o ed.key --passphrase-file keypass --kdf interactive \
  >/dev/null 2>&1 && "$Z" key register "file:$T/ed.key" >/dev/null 2>&1
ok $? "signing key"
ED_PUB=$("$Z" key public "file:$T/ed.key" | head -1)
# A refused attest logs its refusal ("attest-refusal") and writes no attestation.
"$Z" attest --statement "$S4" --proof p3.bin --key "file:$T/ed.key" -o l.att \
  --passphrase-file keypass --registry-passphrase-file pass >/dev/null 2>err.txt
[ $? -eq 1 ] && grep -q "record_index" err.txt && [ ! -e l.att ]
ok $? "attest refuses the proof under another record index (exit 1), nothing signed"
"$Z" attest --statement "$S3" --proof pbad.bin --key "file:$T/ed.key" -o l.att \
  --passphrase-file keypass --registry-passphrase-file pass >/dev/null 2>err.txt
[ $? -eq 1 ] && [ ! -e l.att ]
ok $? "attest refuses a tampered proof (exit 1), nothing signed"
"$Z" attest --statement "$S3V" --proof p3.bin --key "file:$T/ed.key" -o l.att \
  --passphrase-file keypass --registry-passphrase-file pass >/dev/null 2>err.txt
[ $? -eq 1 ] && grep -q "schema" err.txt && [ ! -e l.att ]
ok $? "attest refuses the proof under the same bindings in another schema (exit 1), nothing signed"
run 0 "" "attest the proof (verified in the worker before signing)" -- \
  attest --statement "$S3" --proof p3.bin --key "file:$T/ed.key" -o g.att \
  --passphrase-file keypass --registry-passphrase-file pass
printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["cnn-zk@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true}\n' "$ED_PUB" > policy.json
sed 's/"cnn-zk@1"/"other@1"/' policy.json > policy-other.json
run 0 "" "gate passes the attestation" -- gate --policy policy.json g.att
run 1 "" "gate refuses it under a policy for another schema" -- gate --policy policy-other.json g.att

# --- export / import -----------------------------------------------------------------
run 0 "" "export the statement" -- export -o b.zkb --statement "$S3" --passphrase-file pass
"$Z" --registry "$T/r2.db" init --kdf interactive >/dev/null 2>&1
VK=$("$Z" --json log key 2>/dev/null | sed -n 's/.*"verifier_key":"\([^"]*\)".*/\1/p')
cp b.zkb b-bad.zkb
bsz=$(wc -c < b.zkb)
# flip a bit (the proof's bytes are random: writing a fixed byte would leave it unchanged 1 time in 256)
byte=$(od -An -tu1 -j$((bsz / 2)) -N1 b.zkb | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 1)))" | dd of=b-bad.zkb bs=1 seek=$((bsz / 2)) conv=notrunc 2>/dev/null
cmp -s b.zkb b-bad.zkb; [ $? -eq 1 ]; ok $? "the altered bundle differs from the exported one"
"$Z" --registry "$T/r2.db" import b-bad.zkb --trusted-key "$VK" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "import of an altered bundle is refused"
"$Z" --registry "$T/r2.db" import b.zkb --trusted-key "$VK" >/dev/null 2>&1
ok $? "import it into a second registry"
"$Z" --registry "$T/r2.db" verify --statement "$S3" p3.bin >/dev/null 2>err.txt
[ $? -eq 4 ] && grep -q "register-program" err.txt
ok $? "verify there before the program's bytes are placed: exit 4, naming register-program"
"$Z" --registry "$T/r2.db" register-program "$TINY" >/dev/null 2>&1
ok $? "register-program of the same file there places its bytes (already registered)"
"$Z" --registry "$T/r2.db" verify --statement "$S3" p3.bin >/dev/null 2>&1
ok $? "the imported statement verifies there"
"$Z" --registry "$T/r2.db" verify --statement "$S3" pbad.bin >/dev/null 2>&1
[ $? -eq 1 ]; ok $? "... and the tampered proof does not"

# --- revocation (last: it ends this registry's use) ------------------------------------
run 0 "" "revoke verifier graph-inference@2 0.2.0" -- \
  revoke verifier graph-inference@2 0.2.0 --reason "adversarial review"
run 6 "revoked" "verify under the revoked verifier version is refused" -- \
  verify --statement "$S3" p3.bin
"$Z" attest --statement "$S3" --proof p3.bin --key "file:$T/ed.key" -o l.att \
  --passphrase-file keypass --registry-passphrase-file pass >/dev/null 2>err.txt
[ $? -eq 6 ] && [ ! -e l.att ]
ok $? "attest under the revoked verifier version is refused (exit 6), nothing signed"

echo "1..$n"
[ "$failed" = 0 ]
