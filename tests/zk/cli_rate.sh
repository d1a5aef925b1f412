#!/usr/bin/env bash
# inference@2 at the rate-1/16 parameter set goldilocks-128-r16 (issue 13,
# smaller proofs), and at goldilocks-128-r64 (its mixed opening over F_p^6,
# stop 52), through the real zkreg on real SQLite files (TAP): `model
# commit --param-set` writes a version 3 model commitment naming its set,
# `dataset commit --hiding-records --param-set` commits the records at that
# rate, a schema pinning the set proves, verifies and attests; every mix of
# sets is refused with its documented exit code, names the parameter set
# and leaves the registry, its store and the ledger as they were.
# Usage: cli_rate.sh PATH/TO/zkreg
set -u
Z=$(readlink -f "${1:?usage: cli_rate.sh ZKREG}")
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-rate-XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$(readlink -f "$0")")/owner_cli_lib.sh"
cd "$T"

printf 'owner pass phrase\n' > pass; chmod 600 pass
export ZKREG_PASSPHRASE_FILE=$T/pass
export ZKREG_REGISTRY=$T/r.db

tiny_models
R16=goldilocks-128-r16

# --- the owners' commits at the rate-1/16 set --------------------------------
"$Z" zk-seed new -o seed.bin --kdf interactive >/dev/null 2>&1
"$Z" model commit m.bin -o mc16.bin --secrets ms16.bin --param-set $R16 --zk-seed seed.bin --kdf interactive --budget 8 >out.txt 2>err.txt
ok $? "model commit --param-set $R16 ($(head -c 200 err.txt))"
# a multi-layer model: version 4 (every W' one stacked tree, inference@2 version 14)
cmp -s <(head -c 8 mc16.bin) <(printf 'ZKRMC2\0\0') && [ "$(u32at mc16.bin 8)" = 4 ] && [ "$(u32at mc16.bin 12)" = 3 ]
ok $? "a version 4 (stacked) model commitment naming set 3"
"$Z" model commit m.bin -o mc16b.bin --secrets ms16b.bin --param-set $R16 --zk-seed seed.bin --kdf interactive --budget 8 >/dev/null 2>&1
cmp -s mc16.bin mc16b.bin && cmp -s mc16.bin.range mc16b.bin.range
ok $? "the same model, seed, budget and set give byte-identical commitments and range proofs"
"$Z" model commit m.bin -o mc1.bin --secrets ms1.bin --zk-seed seed.bin --kdf interactive --budget 8 >/dev/null 2>&1
[ "$(u32at mc1.bin 8)" = 4 ] && [ "$(u32at mc1.bin 12)" = 1 ] && ! cmp -s <(tail -c 32 mc1.bin) <(tail -c 32 mc16.bin)
ok $? "the default set writes version 4 naming set 1, another root (another rate)"
run 2 "--param-set: 'goldilocks-64' unknown" "model commit with an unknown --param-set" -- model commit m.bin -o x.bin --secrets y.bin --param-set goldilocks-64 --kdf interactive
"$Z" dataset commit d-images-idx3-ubyte -o dc16.bin --secrets ds16.bin --hiding-records --param-set $R16 --budget 4 --zk-seed seed.bin --kdf interactive >out.txt 2>err.txt
ok $? "dataset commit --hiding-records --param-set $R16"
"$Z" dataset commit d-images-idx3-ubyte -o dc1.bin --secrets ds1.bin --hiding-records --budget 4 --zk-seed seed.bin --kdf interactive >/dev/null 2>&1
! cmp -s dc1.bin dc16.bin; ok $? "the records' commitments differ between the sets"
run 2 "--param-set go with" "--param-set without --hiding-records" -- dataset commit d-images-idx3-ubyte -o y.bin --secrets z.bin --param-set $R16
run 2 "unknown" "dataset commit with an unknown --param-set" -- dataset commit d-images-idx3-ubyte -o y.bin --secrets z.bin --hiding-records --param-set r16 --kdf interactive
[ ! -e x.bin ] && [ ! -e y.bin ]; ok $? "no file left by the refusals"

# --- the appliance --------------------------------------------------------------
"$Z" init --kdf interactive >/dev/null 2>&1; ok $? "init the appliance registry"
P=$("$Z" --json register-program prog.bin 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$Z" --json register-model --commitment mc16.bin --program "$P" --name m16 >reg16.json 2>err.txt
ok $? "register-model checks the rate-1/16 range proof at the commitment's set ($(head -c 200 err.txt))"
M16=$(jget reg16.json id)
flip mc16.bin.range 60 mr-flip.bin
run 1 "does not verify" "a rate-1/16 range proof with one flipped byte" -- register-model --commitment mc16.bin --program "$P" --range-proof mr-flip.bin --name other
run 1 "at parameter set goldilocks-128, the model commitment's is $R16" "the set-1 commitment's range proof beside the rate-1/16 commitment" -- register-model --commitment mc16.bin --program "$P" --range-proof mc1.bin.range --name other
# version 3 naming set 1 (set 1's one-tree-a-layer encoding is version 2), or an unknown set
# (version 4 naming set 9)
python3 - <<'PY'
b = open("mc16.bin", "rb").read()
open("mc-v3s1.bin", "wb").write(b[:8] + (3).to_bytes(4, "big") + (1).to_bytes(4, "big") + b[16:])
open("mc-v3s9.bin", "wb").write(b[:12] + (9).to_bytes(4, "big") + b[16:])
PY
run 3 "not a model commitment" "a version 3 commitment naming set 1" -- register-model --commitment mc-v3s1.bin --program "$P" --no-range-proof
run 3 "not a model commitment" "a version 3 commitment naming an unknown set" -- register-model --commitment mc-v3s9.bin --program "$P" --no-range-proof
M1=$("$Z" --json register-model --commitment mc1.bin --program "$P" --name m1 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
D16=$("$Z" --json register-dataset --commitment dc16.bin --name d16 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
D1=$("$Z" --json register-dataset --commitment dc1.bin --name d1 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ -n "$M1" ] && [ -n "$D16" ] && [ -n "$D1" ]; ok $? "the set-1 twins registered beside them"
schema() { cat > "$1.json" <<J
{"name": "$1", "version": 1, "proof_kind": "$2",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "$3",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_index", "type": "u64"}]}
J
  "$Z" register-schema "$1.json" >/dev/null 2>&1; }
# A schema no verifier here runs (an unknown set, or r8/r16 for another kind) is refused at
# register-schema and register-batch: exit 3, the file and the set named, nothing written.
# The schemas an import from an older registry could still bring are placed through the test
# hook $ZKREG_TEST_REGISTER_ANY_SET, to test the refusals at prove, verify and attest below.
schema_any() { ZKREG_TEST_REGISTER_ANY_SET=1 schema "$@"; }
schema priv16 inference@2 $R16 && schema priv1 inference@2 goldilocks-128
ok $? "schemas: inference@2 at $R16 and at goldilocks-128"
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
cp r.db r.db.before; (cd r.db.d 2>/dev/null && find . -type f | sort -S 1M | xargs -r sha256sum) > store.before
schema pub16 inference@1 $R16
run 3 "pub16.json: schema pub16@1: parameter set '$R16' is for proof kind inference@2 only" "register-schema of an inference@1 schema pinning $R16" -- register-schema pub16.json
for k in training-step@2 graph-inference@2 training-step@1 evaluation@1; do
  sed -e "s/\"pub16\"/\"k16\"/" -e "s/\"inference@1\"/\"$k\"/" pub16.json > k16.json
  run 3 "is for proof kind inference@2 only" "register-schema: a $k schema pinning $R16" -- register-schema k16.json
  sed -e "s/$R16/goldilocks-128-r8/" k16.json > k8.json
  run 3 "is for proof kind inference@2 only" "register-schema: a $k schema pinning goldilocks-128-r8" -- register-schema k8.json
done
for ps in 3 goldilocks-128-r016 goldilocks-128-r16. goldilocks-64; do
  sed -e "s/$R16/$ps/" priv16.json | sed -e 's/"priv16"/"oddset"/' > oddset.json
  run 3 "parameter set '$ps' unknown" "register-schema naming parameter set '$ps'" -- register-schema oddset.json
done
sed -e 's/zkreg-sumcheck-basefold/zkreg-stark/' -e 's/"priv16"/"oddsys"/' priv16.json > oddsys.json
run 3 "proof system 'zkreg-stark' is not this verifier's" "register-schema naming another proof system" -- register-schema oddsys.json
printf '{"type": "schema", "file": "pub16.json"}\n' > bad.jsonl
run 3 "is for proof kind inference@2 only" "register-batch with an inference@1 schema pinning $R16" -- register-batch bad.jsonl
cmp -s r.db r.db.before && cmp -s store.before <(cd r.db.d 2>/dev/null && find . -type f | sort -S 1M | xargs -r sha256sum); ok $? "... the registry and its store unchanged"
[ -z "$("$Z" --json list schema 2>/dev/null | grep -E 'pub16|k16|oddset|oddsys')" ]; ok $? "... no such schema listed"
schema_any pub16 inference@1 $R16; ok $? "(test hook) an inference@1 schema pinning $R16, as an older registry's import would bring"
"$Z" infer --model-file m.bin --dataset-file d-images-idx3-ubyte --record 1 --output-file o1.bin >/dev/null 2>&1
S16=$("$Z" register-statement --schema priv16@1 --program "$P" --model "$M16" --dataset "$D16" --param record_index=1 --public-output o1.bin 2>err.txt)
ok $? "an inference@2 statement at $R16 ($(head -c 200 err.txt))"
S1=$("$Z" register-statement --schema priv1@1 --program "$P" --model "$M1" --dataset "$D1" --param record_index=1 --public-output o1.bin 2>/dev/null)
SM=$("$Z" register-statement --schema priv16@1 --program "$P" --model "$M1" --dataset "$D16" --param record_index=1 --public-output o1.bin 2>/dev/null)
SD=$("$Z" register-statement --schema priv16@1 --program "$P" --model "$M16" --dataset "$D1" --param record_index=1 --public-output o1.bin 2>/dev/null)
[ -n "$S1" ] && [ -n "$SM" ] && [ -n "$SD" ]; ok $? "statements mixing the sets register (the proof is where they meet)"

# --- prove, verify, attest ---------------------------------------------------
OWN16=(--model-file m.bin --model-secrets ms16.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds16.bin)
OWN1=(--model-file m.bin --model-secrets ms1.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds1.bin)
"$Z" prove --statement "$S16" -o p16.bin "${OWN16[@]}" --zk-seed seed.bin >out.txt 2>err.txt
ok $? "prove inference@2 at $R16 in the confined worker ($(head -c 200 err.txt))"
"$Z" prove --statement "$S16" -o p16b.bin "${OWN16[@]}" --zk-seed seed.bin >/dev/null 2>&1 && cmp -s p16.bin p16b.bin
ok $? "the same seed and statement give byte-identical rate-1/16 proofs"
[ "$(u32at p16.bin 16)" = 3 ] && [ "$(u32at p16.bin 12)" = 1 ]
ok $? "the proof header names proof system 1, parameter set 3"
"$Z" verify --statement "$S16" p16.bin >out.txt 2>err.txt && grep -q "inference@2" out.txt
ok $? "verify the rate-1/16 proof"
"$Z" prove --statement "$S1" -o p1.bin "${OWN1[@]}" --zk-seed seed.bin >/dev/null 2>&1
ok $? "prove the same inference at goldilocks-128"
[ "$(stat -c %s p16.bin)" -lt "$(stat -c %s p1.bin)" ]
ok $? "the rate-1/16 proof is the smaller ($(stat -c %s p16.bin) < $(stat -c %s p1.bin) bytes)"
flip p16.bin 5000 p16-flip.bin
run 1 "" "verify a rate-1/16 proof with one flipped byte" -- verify --statement "$S16" p16-flip.bin
head -c 30000 p16.bin > p16-cut.bin
"$Z" verify --statement "$S16" p16-cut.bin >out.txt 2>err.txt; rc=$?
[ "$rc" = 1 ] || [ "$rc" = 3 ]; ok $? "verify a truncated rate-1/16 proof (exit $rc)"
run 1 "" "the rate-1/16 proof presented for the goldilocks-128 statement" -- verify --statement "$S1" p16.bin
run 1 "" "the goldilocks-128 proof presented for the rate-1/16 statement" -- verify --statement "$S16" p1.bin
L=r.db.d/reveal-budget.ledger
cp "$L" ledger.before
run 1 "parameter set goldilocks-128, this proof runs at $R16" "prove: a goldilocks-128 model under a $R16 schema" -- prove --statement "$SM" -o pm.bin --model-file m.bin --model-secrets ms1.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds16.bin
run 1 "at parameter set $R16" "prove: a goldilocks-128 dataset under a $R16 schema" -- prove --statement "$SD" -o pd.bin --model-file m.bin --model-secrets ms16.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds1.bin
[ ! -e pm.bin ] && [ ! -e pd.bin ] && cmp -s "$L" ledger.before; ok $? "... no proof written, no budget spent"
"$Z" key generate --type ed25519 -o ed.key --kdf interactive >/dev/null 2>&1 &&
"$Z" key register file:ed.key >/dev/null 2>&1; ok $? "a registered Ed25519 signing key"
ED_PUB=$("$Z" key public file:ed.key | head -1)
natt() { sqlite3 -readonly r.db "select count(*) from log where type='attestation'"; }
"$Z" attest --statement "$S16" --proof p16-flip.bin --key file:ed.key -o bad.att >out.txt 2>err.txt; rc=$?
[ "$rc" = 1 ] && [ ! -e bad.att ] && [ "$(natt)" = 0 ]; ok $? "attest refuses the tampered rate-1/16 proof (exit $rc, nothing signed)"
"$Z" attest --statement "$S1" --proof p16.bin --key file:ed.key -o bad.att >out.txt 2>err.txt; rc=$?
[ "$rc" != 0 ] && [ ! -e bad.att ] && [ "$(natt)" = 0 ]; ok $? "attest refuses the rate-1/16 proof for the goldilocks-128 statement (exit $rc): $(head -c 200 err.txt)"
"$Z" attest --statement "$S16" --proof p16.bin --key file:ed.key -o a.att >out.txt 2>err.txt; rc=$?
[ "$rc" = 0 ] && [ -s a.att ] && [ "$(natt)" = 1 ]; ok $? "attest verifies and signs the rate-1/16 proof (exit $rc): $(head -c 200 err.txt)"
"$Z" verify-attestation a.att --trusted-key "$ED_PUB" >/dev/null 2>&1; ok $? "the attestation verifies"

# --- a hidden output at the rate-1/16 set (output commit takes the model's set) --
cat > privh16.json <<J
{"name": "privh16", "version": 1, "proof_kind": "inference@2",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "$R16",
 "verifier_version": "0.2.0", "public_output": false,
 "fields": [{"name": "record_index", "type": "u64"}]}
J
"$Z" register-schema privh16.json >/dev/null 2>&1; ok $? "a hidden-output inference@2 schema at $R16"
"$Z" output commit --model "$M16" --dataset "$D16" --record 0 "${OWN16[@]}" -o oc16.bin --secrets os16.bin --kdf interactive >out.txt 2>err.txt
ok $? "output commit of the rate-1/16 model's output ($(head -c 200 err.txt))"
SH=$("$Z" register-statement --schema privh16@1 --program "$P" --model "$M16" --dataset "$D16" --param record_index=0 --output-commitment oc16.bin 2>err.txt)
ok $? "a hidden-output statement at $R16"
"$Z" prove --statement "$SH" -o ph16.bin "${OWN16[@]}" --output-secrets os16.bin >out.txt 2>err.txt &&
"$Z" verify --statement "$SH" ph16.bin >/dev/null 2>&1
ok $? "prove and verify the hidden output at $R16 ($(head -c 200 err.txt))"
run 1 "" "the hidden-output proof presented for the public-output statement" -- verify --statement "$S16" ph16.bin

# --- the other kinds stay at goldilocks-128 -----------------------------------
M1P=$("$Z" --json register-model m.bin --program "$P" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
DC=$("$Z" --json register-dataset d-images-idx3-ubyte --name clear 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
SP=$(ZKREG_TEST_REGISTER_ANY_SET=1 "$Z" register-statement --schema pub16@1 --program "$P" --model "$M1P" --dataset "$DC" --param record_index=1 --public-output o1.bin 2>/dev/null)
run 1 "is for proof kind inference@2 only" "prove an inference@1 statement whose schema pins $R16" -- prove --statement "$SP" -o x.bin --dataset-file d-images-idx3-ubyte
[ ! -e x.bin ]; ok $? "... no proof written"
# Adversarial review: the same refusal in verify and attest (a real proof of another statement;
# the schema's set is refused before the proof is read), and output commit mixing the sets.
run 1 "is for proof kind inference@2 only" "verify an inference@1 statement whose schema pins $R16" -- verify --statement "$SP" p1.bin
"$Z" attest --statement "$SP" --proof p1.bin --key file:ed.key -o bad.att >out.txt 2>err.txt; rc=$?
[ "$rc" = 1 ] && grep -qF "is for proof kind inference@2 only" err.txt && [ ! -e bad.att ] && [ "$(natt)" = 1 ]
ok $? "attest refuses the inference@1 statement pinning $R16 (exit $rc, nothing signed)"
run 1 "at parameter set $R16" "output commit: the rate-1/16 model over the goldilocks-128 dataset" -- output commit --model "$M16" --dataset "$D1" --record 0 --model-file m.bin --model-secrets ms16.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds1.bin -o ocx.bin --secrets osx.bin --kdf interactive
run 1 "at parameter set goldilocks-128" "output commit: the goldilocks-128 model over the rate-1/16 dataset" -- output commit --model "$M1" --dataset "$D16" --record 0 --model-file m.bin --model-secrets ms1.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds16.bin -o ocx.bin --secrets osx.bin --kdf interactive
[ ! -e ocx.bin ] && [ ! -e osx.bin ]; ok $? "... no output commitment or secrets written"
# A set named by its id ("3") or another spelling is unknown: refused before the proof is read.
cp "$L" ledger.before
for ps in 3 goldilocks-128-r016 goldilocks-128-r16.; do
  schema_any "odd$ps" inference@2 "$ps" 2>/dev/null
  SO=$(ZKREG_TEST_REGISTER_ANY_SET=1 "$Z" register-statement --schema "odd$ps@1" --program "$P" --model "$M16" --dataset "$D16" --param record_index=1 --public-output o1.bin 2>/dev/null)
  run 1 "parameter set '$ps' unknown" "verify under a schema naming set '$ps'" -- verify --statement "$SO" p16.bin
  run 1 "parameter set '$ps' unknown" "prove under a schema naming set '$ps'" -- prove --statement "$SO" -o po.bin "${OWN16[@]}"
done
[ ! -e po.bin ] && cmp -s "$L" ledger.before; ok $? "... no proof written, no budget spent"

# --- V of the mixed opening's largest size (adversarial review of version 9) ----------
# A 4-256 model committed at budget 2: V's n + e is T_A, so h and phi are full-size members
# and stay in two trees (only joiners stack). Version 9 as first written refused its own proof.
python3 - <<'PY'
import hashlib, struct
L = [(4, 256, 0)]
p = b"ZKRPROG\x01" + struct.pack(">IBIBBI", 1, 1, 4, 8, 8, 1) + struct.pack(">BBII", 1, 0, 4, 256)
m = b"ZKRQMOD\x01" + struct.pack(">I", 1) + hashlib.sha256(p).digest() + struct.pack(">I", len(p)) + p
m += struct.pack(">B", 8) + b"".join(struct.pack(">I", 64) for _ in range(256))
m += b"".join(struct.pack(">i", (7 * j + 1) % 50 - 25) for j in range(256))
m += bytes(((5 * k + 3) % 61 - 30) & 0xff for k in range(256 * 4))
open("prog-wide.bin", "wb").write(p); open("m-wide.bin", "wb").write(m)
PY
"$Z" model commit m-wide.bin -o mcw.bin --secrets msw.bin --budget 2 --kdf interactive >/dev/null 2>err.txt
ok $? "model commit of a 4-256 model at budget 2 ($(head -c 200 err.txt))"
PW=$("$Z" --json register-program prog-wide.bin 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
MW=$("$Z" --json register-model --commitment mcw.bin --program "$PW" --name wide 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$Z" infer --model-file m-wide.bin --dataset-file d-images-idx3-ubyte --record 2 --output-file ow.bin >/dev/null 2>&1
SW=$("$Z" register-statement --schema priv1@1 --program "$PW" --model "$MW" --dataset "$D1" --param record_index=2 --public-output ow.bin 2>err.txt)
[ ${#SW} = 64 ]; ok $? "a statement of the wide model on record 2 ($(head -c 200 err.txt))"
"$Z" prove --statement "$SW" -o pw.bin --model-file m-wide.bin --model-secrets msw.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds1.bin >/dev/null 2>err.txt &&
"$Z" verify --statement "$SW" pw.bin >/dev/null 2>&1
ok $? "prove and verify with V of T_A's size ($(head -c 200 err.txt))"
# section 13 (the range proof's; tag 13) names m's, h's and phi's roots: one pair or two trees
roots_same() { python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read(); o = 56; n = struct.unpack(">I", b[o:o + 4])[0]; o += 4
for _ in range(n):
    tag, ln = struct.unpack(">II", b[o:o + 8]); body = b[o + 8:o + 8 + ln]; o += 8 + ln
    if tag == 13:
        sys.exit(0 if body[32:64] == body[64:96] else 1)
sys.exit(2)
PY
}
roots_same p16.bin; ok $? "the 4-3-2 model's proof at $R16 stacks h and phi (section 13 names one root twice)"
roots_same pw.bin; [ $? = 1 ]; ok $? "the wide model's proof keeps h and phi in two trees (V full-size: they do not join)"
python3 - <<'PY'
b = bytearray(open("pw.bin", "rb").read()); b[len(b) // 2] ^= 0x10; open("pw-bad.bin", "wb").write(b)
PY
run 1 "" "the same proof with one byte flipped" -- verify --statement "$SW" pw-bad.bin

# --- goldilocks-128-r64: the mixed opening over F_p^6 (stop 52) ---------------------
R64=goldilocks-128-r64
"$Z" model commit m.bin -o mc64.bin --secrets ms64.bin --param-set $R64 --zk-seed seed.bin --kdf interactive --budget 8 >/dev/null 2>err.txt
ok $? "model commit --param-set $R64 ($(head -c 200 err.txt))"
[ "$(u32at mc64.bin 8)" = 4 ] && [ "$(u32at mc64.bin 12)" = 4 ]; ok $? "a version 4 model commitment naming set 4"
"$Z" dataset commit d-images-idx3-ubyte -o dc64.bin --secrets ds64.bin --hiding-records --param-set $R64 --budget 4 --zk-seed seed.bin --kdf interactive >/dev/null 2>err.txt
ok $? "dataset commit --hiding-records --param-set $R64 ($(head -c 200 err.txt))"
M64=$("$Z" --json register-model --commitment mc64.bin --program "$P" --name m64 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
D64=$("$Z" --json register-dataset --commitment dc64.bin --name d64 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ -n "$M64" ] && [ -n "$D64" ]; ok $? "register-model checks the rate-1/64 range proof; the dataset registers"
schema priv64 inference@2 $R64; ok $? "an inference@2 schema at $R64"
schema pub64 inference@1 $R64 ; [ $? != 0 ]; ok $? "an inference@1 schema pinning $R64 is refused"
S64=$("$Z" register-statement --schema priv64@1 --program "$P" --model "$M64" --dataset "$D64" --param record_index=1 --public-output o1.bin 2>err.txt)
ok $? "an inference@2 statement at $R64 ($(head -c 200 err.txt))"
OWN64=(--model-file m.bin --model-secrets ms64.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds64.bin)
"$Z" prove --statement "$S64" -o p64.bin "${OWN64[@]}" --zk-seed seed.bin >/dev/null 2>err.txt
ok $? "prove inference@2 at $R64 in the confined worker ($(head -c 200 err.txt))"
"$Z" prove --statement "$S64" -o p64b.bin "${OWN64[@]}" --zk-seed seed.bin >/dev/null 2>&1 && cmp -s p64.bin p64b.bin
ok $? "the same seed and statement give byte-identical rate-1/64 proofs"
[ "$(u32at p64.bin 16)" = 4 ]; ok $? "the proof header names parameter set 4"
"$Z" verify --statement "$S64" p64.bin >/dev/null 2>err.txt; ok $? "verify the rate-1/64 proof ($(head -c 200 err.txt))"
flip p64.bin 5000 p64-flip.bin
run 1 "" "verify a rate-1/64 proof with one flipped byte" -- verify --statement "$S64" p64-flip.bin
flip p64.bin $(( $(stat -c %s p64.bin) - 700 )) p64-flip2.bin
run 1 "" "verify a rate-1/64 proof with a byte near its end flipped" -- verify --statement "$S64" p64-flip2.bin
run 1 "" "the rate-1/64 proof presented for the rate-1/16 statement" -- verify --statement "$S16" p64.bin
run 1 "" "the rate-1/16 proof presented for the rate-1/64 statement" -- verify --statement "$S64" p16.bin
run 1 "the secrets of another dataset" "prove: the rate-1/16 dataset's secrets under the $R64 statement" -- prove --statement "$S64" -o px.bin --model-file m.bin --model-secrets ms64.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds16.bin
[ ! -e px.bin ]; ok $? "... no proof written"
"$Z" attest --statement "$S64" --proof p64-flip.bin --key file:ed.key -o bad64.att >/dev/null 2>&1; rc=$?
[ "$rc" = 1 ] && [ ! -e bad64.att ] && [ "$(natt)" = 1 ]; ok $? "attest refuses the tampered rate-1/64 proof (exit $rc, nothing signed)"
"$Z" attest --statement "$S64" --proof p64.bin --key file:ed.key -o a64.att >/dev/null 2>err.txt; rc=$?
[ "$rc" = 0 ] && [ -s a64.att ] && [ "$(natt)" = 2 ]; ok $? "attest verifies and signs the rate-1/64 proof (exit $rc): $(head -c 200 err.txt)"

echo "1..$n"
[ "$failed" = 0 ]
