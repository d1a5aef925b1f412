#!/usr/bin/env bash
# Hidden inference@2 outputs (issue 13) through the real zkreg on real SQLite
# files (TAP): `output commit` by the party holding the private model and the
# record, `register-statement --output-commitment`, `prove --output-secrets`,
# `verify`, the output's reveal budget in the registry's ledger (counted by
# commitment: renamed and copied secrets count on). Every refusal gives its
# documented exit code and leaves the registry, its store and every ledger
# byte-for-byte as they were; no proof contains the output.
# The sanitizer build passes `quick`: the two determinism twins (a second
# seeded commitment and a second seeded proof) and the two proofs through
# renamed and copied output secrets run in the plain build only
# (they cost a proof each; the sanitizers add nothing to a byte comparison,
# and the refusals run the same reservation path); every refusal and the
# first accepted proof run in both.
# Usage: cli_hidden_out.sh PATH/TO/zkreg [full|quick]
set -u
QUICK=0; [ "${2:-full}" = quick ] && QUICK=1
Z=$(readlink -f "${1:?usage: cli_hidden_out.sh ZKREG [full|quick]}")
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-hout-XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
cd "$T"
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

printf 'owner pass phrase\n' > pass; chmod 600 pass
printf 'not the phrase\n' > wrong; chmod 600 wrong
export ZKREG_PASSPHRASE_FILE=$T/pass
export ZKREG_REGISTRY=$T/r.db

# The registry, its store and every ledger and proof file here.
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
state() { { cat r.db r.db-wal 2>/dev/null | sha256sum
            find r.db.d -type f 2>/dev/null | sort -S 1M | xargs -r sha256sum
            ls ./*.ledger ./p*.bin 2>/dev/null | sort -S 1M | xargs -r sha256sum; } | sha256sum | cut -d' ' -f1; }
# run EXPECTED_EXIT WORD_IN_STDERR DESCRIPTION -- zkreg args...
run() {
  local want=$1 word=$2 what=$3; shift 4
  local before after rc
  before=$(state)
  "$Z" "$@" >out.txt 2>err.txt; rc=$?
  after=$(state)
  if [ "$rc" = "$want" ] && grep -qF -- "$word" err.txt && { [ "$want" = 0 ] || [ "$before" = "$after" ]; }; then
    ok 0 "$what (exit $rc)"
  else
    ok 1 "$what: want exit $want naming '$word', got $rc: $(head -c 300 err.txt)"
  fi
}
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@" 2>/dev/null; }
jid() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null; }

# A tiny dense int8 program (4 -> 4: one layer keeps each proof short; the
# multi-layer hidden output is proven in zk-infer2 and soundness-infer2), its
# quantized model, another model of it; 2x2 IDX records (4 bytes + label).
python3 - <<'PY'
import hashlib, struct
def prog(layers, din):
    b = b"ZKRPROG\x01" + struct.pack(">IBIBBI", 1, 1, din, 8, 8, len(layers))
    for (i, o, act) in layers:
        b += struct.pack(">BBII", 1, act, i, o)
    return b
def model(p, layers, seed):
    b = b"ZKRQMOD\x01" + struct.pack(">I", 1) + hashlib.sha256(p).digest() + struct.pack(">I", len(p)) + p
    for li, (i, o, act) in enumerate(layers):
        b += struct.pack(">B", 8)
        b += b"".join(struct.pack(">I", 64 + li) for _ in range(o))
        b += b"".join(struct.pack(">i", (7 * j + seed) % 50 - 25) for j in range(o))
        b += bytes(((5 * k + 3 * seed) % 61 - 30) & 0xff for k in range(o * i))
    return b
L = [(4, 4, 0)]
p = prog(L, 4)
open("prog.bin", "wb").write(p)
open("m.bin", "wb").write(model(p, L, 1)); open("m-other.bin", "wb").write(model(p, L, 2))
open("d-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, 3, 2, 2) + bytes([9, 200, 31, 77, 0, 13, 255, 64, 120, 5, 6, 250]))
open("d-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, 3) + b"\x01\x00\x01")
PY

# --- the owners' commitments and the appliance's registry -------------------
"$Z" zk-seed new -o seed.bin --kdf interactive >/dev/null 2>&1 &&
"$Z" model commit m.bin -o mc.bin --secrets ms.bin --kdf interactive --budget 16 >/dev/null 2>&1 &&
"$Z" model commit m.bin -o mc-other.bin --secrets ms-other.bin --kdf interactive --budget 8 >/dev/null 2>&1 &&
"$Z" dataset commit d-images-idx3-ubyte -o dc.bin --secrets ds.bin --hiding-records --budget 8 --zk-seed seed.bin --kdf interactive >/dev/null 2>&1 &&
"$Z" init --kdf interactive >/dev/null 2>&1
ok $? "owners commit the model and the records; the appliance is initialised"
P=$("$Z" --json register-program prog.bin 2>/dev/null | jid)
M=$("$Z" --json register-model --commitment mc.bin --program "$P" --name priv 2>/dev/null | jid)
MO=$("$Z" --json register-model --commitment mc-other.bin --program "$P" --name priv2 2>/dev/null | jid)
M1=$("$Z" --json register-model m.bin --program "$P" 2>/dev/null | jid)
D=$("$Z" --json register-dataset --commitment dc.bin --name recs 2>/dev/null | jid)
cat > sh.json <<'J'
{"name": "privh", "version": 1, "proof_kind": "inference@2",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": false,
 "fields": [{"name": "record_index", "type": "u64"}]}
J
sed -e 's/"privh"/"privp"/' -e 's/"public_output": false/"public_output": true/' sh.json > sp.json
"$Z" register-schema sh.json >/dev/null 2>&1 && "$Z" register-schema sp.json >/dev/null 2>&1 &&
[ -n "$P" ] && [ -n "$M" ] && [ -n "$MO" ] && [ -n "$M1" ] && [ -n "$D" ]
ok $? "a private model, a public twin, a version 3 dataset, a hidden and a public inference@2 schema"

# --- output commit (the prover-side party: model, record and their secrets) ---
OWN=(--model-file m.bin --model-secrets ms.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds.bin)
oc() { local rec=$1 o=$2 s=$3; shift 3; "$Z" output commit --model "$M" --dataset "$D" --record "$rec" "${OWN[@]}" -o "$o" --secrets "$s" --kdf interactive "$@"; }
oc 1 oc1.bin os1.bin --zk-seed seed.bin >out.txt 2>err.txt
ok $? "output commit of record 1's output ($(head -c 200 err.txt))"
[ "$(stat -c %a oc1.bin)" = 644 ] && [ "$(stat -c %a os1.bin)" = 600 ] && [ "$(stat -c %s oc1.bin)" = 48 ] &&
cmp -s <(head -c 8 os1.bin) <(printf 'ZKRSEAL1'); ok $? "a 48-byte commitment (0644) and sealed secrets (0600)"
"$Z" infer --model-file m.bin --dataset-file d-images-idx3-ubyte --record 1 --output-file o1.bin >/dev/null 2>&1
python3 - <<'PY'
import sys
enc = open("o1.bin", "rb").read(); y = enc[4:-4]
sys.exit(1 if len(y) != 4 or any(enc in open(f, "rb").read() or y in open(f, "rb").read() for f in ("oc1.bin", "os1.bin", "out.txt", "err.txt")) else 0)
PY
ok $? "neither the commitment, the secrets nor the command's output show the logits"
if [ "$QUICK" = 0 ]; then
  oc 1 oc1b.bin os1b.bin --zk-seed seed.bin >/dev/null 2>&1 && cmp -s oc1.bin oc1b.bin && ! cmp -s os1.bin os1b.bin
  ok $? "the same seed, model and record give the same commitment (secrets sealed afresh)"
fi
oc 1 oc1r.bin os1r.bin >/dev/null 2>&1 && ! cmp -s oc1.bin oc1r.bin
ok $? "without --zk-seed the OS CSPRNG: another commitment to the same output"
before=$(state); oc 0 oc0.bin os0.bin --zk-seed seed.bin >/dev/null 2>&1; rc=$?
[ "$rc" = 0 ] && [ "$before" = "$(state)" ]; ok $? "output commit of record 0's output (the registry only read)"
run 5 "never overwritten" "output commit over an existing commitment" -- output commit --model "$M" --dataset "$D" --record 1 "${OWN[@]}" -o oc1.bin --secrets new-os.bin --kdf interactive
run 5 "never overwritten" "output commit over existing secrets" -- output commit --model "$M" --dataset "$D" --record 1 "${OWN[@]}" -o new-oc.bin --secrets os1.bin --kdf interactive
run 2 "--secrets" "output commit without --secrets" -- output commit --model "$M" --dataset "$D" --record 1 "${OWN[@]}" -o new-oc.bin
run 1 "public (v1) model" "output commit over a public model" -- output commit --model "$M1" --dataset "$D" --record 1 "${OWN[@]}" -o new-oc.bin --secrets new-os.bin --kdf interactive
run 1 "another model" "output commit with the secrets of another private model" -- output commit --model "$MO" --dataset "$D" --record 1 "${OWN[@]}" -o new-oc.bin --secrets new-os.bin --kdf interactive
run 1 "not the model" "output commit with another model file" -- output commit --model "$M" --dataset "$D" --record 1 --model-file m-other.bin --model-secrets ms.bin --dataset-file d-images-idx3-ubyte --dataset-secrets ds.bin -o new-oc.bin --secrets new-os.bin --kdf interactive
run 1 "past the end" "output commit of a record past the end" -- output commit --model "$M" --dataset "$D" --record 3 "${OWN[@]}" -o new-oc.bin --secrets new-os.bin --kdf interactive
# Adversarial review: output commit wrote its files wherever -o/--secrets
# said, the registry's store or a -journal beside the registry included.
run 2 "beside the registry" "output commit -o into the registry's store" -- output commit --model "$M" --dataset "$D" --record 1 "${OWN[@]}" -o r.db.d/oc.bin --secrets new-os.bin --kdf interactive
run 2 "beside the registry" "output commit --secrets as the registry's -journal" -- output commit --model "$M" --dataset "$D" --record 1 "${OWN[@]}" -o new-oc.bin --secrets ./r.db-journal --kdf interactive
[ ! -e new-os.bin ] && [ ! -e new-oc.bin ] && [ ! -e r.db-journal ] && [ ! -e r.db.d/oc.bin ]; ok $? "... no file left by either"
run 7 "wrong passphrase" "output commit under the wrong passphrase" -- output commit --model "$M" --dataset "$D" --record 1 "${OWN[@]}" -o new-oc.bin --secrets new-os.bin --passphrase-file wrong
[ ! -e new-oc.bin ] && [ ! -e new-os.bin ]; ok $? "no file left by the refusals"

# --- statements ------------------------------------------------------------------
st() { "$Z" register-statement --schema "$1" --program "$P" --model "$M" --dataset "$D" --param record_index="$2" "${@:3}" 2>/dev/null; }
python3 -c 'import sys; b = bytearray(open("oc1.bin","rb").read()); b[40] ^= 1; open("oc1-t.bin","wb").write(b)'
S1=$(st privh@1 1 --output-commitment oc1.bin); S0=$(st privh@1 0 --output-commitment oc0.bin)
SX=$(st privh@1 1 --output-commitment oc0.bin); ST=$(st privh@1 1 --output-commitment oc1-t.bin)
SP=$(st privp@1 1 --public-output o1.bin)
[ -n "$S1" ] && [ -n "$S0" ] && [ -n "$SX" ] && [ -n "$ST" ] && [ -n "$SP" ]
ok $? "statements: record 1's and 0's commitments, record 0's commitment under record 1, a tampered one, a public twin"

# --- prove and verify -----------------------------------------------------------------
"$Z" prove --statement "$S1" -o p1.bin "${OWN[@]}" --output-secrets os1.bin --zk-seed seed.bin >out.txt 2>err.txt
ok $? "prove the hidden-output statement ($(head -c 200 err.txt))"
L=r.db.d/reveal-budget.ledger
[ -e "$L" ] && ! ls ./*.ledger >/dev/null 2>&1; ok $? "the output's opening is counted in the registry's ledger, none beside its secrets"
if [ "$QUICK" = 0 ]; then
  "$Z" prove --statement "$S1" -o p1b.bin "${OWN[@]}" --output-secrets os1.bin --zk-seed seed.bin >/dev/null 2>&1 && cmp -s p1.bin p1b.bin
  ok $? "the same seed and statement give byte-identical proofs"
fi
"$Z" verify --statement "$S1" p1.bin >out.txt 2>err.txt && grep -q "inference@2" out.txt
ok $? "verify the hidden-output proof ($(head -c 200 err.txt))"
python3 - <<'PY'
import sys
enc = open("o1.bin", "rb").read(); y = enc[4:-4]
hid, oc = (open(f, "rb").read() for f in ("p1.bin", "oc1.bin"))
# the proof binds the commitment (found by the same search), never the encoding or the logits
sys.exit(0 if oc in hid and enc not in hid and y not in hid else 1)
PY
ok $? "the proof holds the output commitment, never the output's bytes"
python3 - <<'PY'
b = bytearray(open("p1.bin", "rb").read()); i = b.find(open("oc1.bin", "rb").read())
b[i + 40] ^= 1; open("p1-t.bin", "wb").write(b)
PY
run 1 "statement" "the proof against the statement with a tampered output commitment" -- verify --statement "$ST" p1.bin
run 1 "" "the proof with its output commitment tampered against the statement" -- verify --statement "$S1" p1-t.bin
run 1 "" "the proof against record 0's commitment under record 1" -- verify --statement "$SX" p1.bin
run 1 "" "the proof against record 0's statement" -- verify --statement "$S0" p1.bin
run 1 "" "the hidden proof against the public twin" -- verify --statement "$SP" p1.bin

# --- refusals: nothing reserved, nothing written -----------------------------------
run 2 "--output-secrets" "a hidden output without --output-secrets" -- prove --statement "$S1" -o px.bin "${OWN[@]}"
run 2 "output is public" "--output-secrets for a public output" -- prove --statement "$SP" -o px.bin "${OWN[@]}" --output-secrets os1.bin
run 2 "--output-secrets" "--output-secrets without the owners' files" -- prove --statement "$S1" -o px.bin --output-secrets os1.bin
run 1 "record 0" "wrong output secrets (record 0's for record 1's statement)" -- prove --statement "$S1" -o px.bin "${OWN[@]}" --output-secrets os0.bin
run 1 "another output commitment" "secrets of another commitment to the same output" -- prove --statement "$S1" -o px.bin "${OWN[@]}" --output-secrets os1r.bin
run 1 "another output commitment" "record 0's output commitment under record 1 (record 1's secrets)" -- prove --statement "$SX" -o px.bin "${OWN[@]}" --output-secrets os1.bin
run 1 "record 0" "record 0's output commitment under record 1 (record 0's secrets)" -- prove --statement "$SX" -o px.bin "${OWN[@]}" --output-secrets os0.bin
run 1 "another output commitment" "a tampered output commitment in the registry's statement" -- prove --statement "$ST" -o px.bin "${OWN[@]}" --output-secrets os1.bin
head -c 200 os1.bin > os-cut.bin; chmod 600 os-cut.bin
run 3 "not a sealed output secrets file" "truncated output secrets" -- prove --statement "$S1" -o px.bin "${OWN[@]}" --output-secrets os-cut.bin
{ cat os1.bin; printf 'x'; } > os-trail.bin; chmod 600 os-trail.bin
run 3 "not a sealed output secrets file" "output secrets with a trailing byte" -- prove --statement "$S1" -o px.bin "${OWN[@]}" --output-secrets os-trail.bin
python3 -c 'b = bytearray(open("os1.bin","rb").read()); b[120] ^= 1; open("os-flip.bin","wb").write(b)'; chmod 600 os-flip.bin
run 7 "altered" "output secrets with a flipped ciphertext byte" -- prove --statement "$S1" -o px.bin "${OWN[@]}" --output-secrets os-flip.bin
run 3 "not a sealed output secrets file" "the model secrets as output secrets" -- prove --statement "$S1" -o px.bin "${OWN[@]}" --output-secrets ms.bin
cp -p os1.bin os-open.bin; chmod 640 os-open.bin
run 7 "chmod 600" "output secrets the group may read" -- prove --statement "$S1" -o px.bin "${OWN[@]}" --output-secrets os-open.bin
run 7 "wrong passphrase" "output secrets under the wrong passphrase" -- prove --statement "$S1" -o px.bin "${OWN[@]}" --output-secrets os1.bin --passphrase-file wrong
run 4 "nosuch.bin" "missing output secrets" -- prove --statement "$S1" -o px.bin "${OWN[@]}" --output-secrets nosuch.bin
[ ! -e px.bin ] && ! ls ./*.ledger >/dev/null 2>&1
ok $? "no proof written and no ledger started by a refusal"
"$Z" key generate --type ed25519 -o ed.key --kdf interactive >/dev/null 2>&1 && "$Z" key register file:ed.key >/dev/null 2>&1
# Since inference@2 version 3 the proof range-proves the private record's
# bytes: attest signs a hidden-output proof; a tampered one is refused.
natt() { sqlite3 -readonly "$ZKREG_REGISTRY" "select count(*) from log where type='attestation'"; }
# one bit flipped (an overwrite with a fixed byte leaves a random proof
# unchanged when it held that byte already)
b=$(od -An -tu1 -j100000 -N1 p1.bin | tr -d ' '); cp p1.bin pt.bin
printf "\\$(printf '%03o' $(( b ^ 1 )))" | dd of=pt.bin bs=1 seek=100000 conv=notrunc 2>/dev/null
"$Z" attest --statement "$S1" --proof pt.bin --key file:ed.key -o bad.att >out.txt 2>err.txt; rc=$?
[ "$rc" = 1 ] && [ ! -e bad.att ] && [ "$(natt)" = 0 ]
ok $? "attest refuses a tampered hidden-output inference@2 proof (exit $rc, nothing signed or logged)"
"$Z" attest --statement "$S1" --proof p1.bin --key file:ed.key -o a.att >out.txt 2>err.txt; rc=$?
[ "$rc" = 0 ] && [ -s a.att ] && [ "$(natt)" = 1 ]
ok $? "attest signs the hidden-output inference@2 proof (exit $rc, one attestation logged): $(head -c 300 err.txt)"
"$Z" verify-attestation a.att --trusted-key "$("$Z" key public file:ed.key | head -1)" >out.txt 2>err.txt
ok $? "the attestation verifies against the registered key"

# --- the output's reveal budget: 4 openings, one a proof -------------------------
# The registry's ledger (docs/formats.md): each proof above took one.
ledger() { python3 - "$@" <<'PY'
import hashlib, struct, sys
f = "r.db.d/reveal-budget.ledger"; b = open(f, "rb").read()
kind, oc = b"output@1", open("oc1.bin", "rb").read()
want = hashlib.sha256(b"zkr/zk-ledger/v1\0" + struct.pack("<Q", len(kind)) + kind + struct.pack("<Q", len(oc)) + oc).digest()
assert b[:8] == b"ZKRLEDG1" and hashlib.sha256(b[:-32]).digest() == b[-32:]
count = struct.unpack(">I", b[12:16])[0]
for i in range(count):
    o = 16 + 56 * i
    if b[o:o + 32] == want:
        budget, used, cap, rev = struct.unpack(">IIQQ", b[o + 32:o + 56])
        if len(sys.argv) > 1:   # spend the rest (as two more proofs would), keeping the checksum
            b = b[:o + 36] + struct.pack(">I", budget) + b[o + 40:-32]
            open(f, "wb").write(b + hashlib.sha256(b).digest())
        print(budget, used, cap, rev); sys.exit(0)
sys.exit(1)
PY
}
U=$((2 - QUICK))
[ "$(ledger)" = "4 $U 4 $U" ]; ok $? "the output commitment's ledger entry: budget 4, $U opening(s) used"
# Issue 13 (adversarial review): renaming or copying the output secrets gave
# a fresh ledger and a fifth proof of a 4-opening commitment. The ledger
# counts the commitment: proofs through renamed copies count on, and the
# one past the 4th is refused however the secrets are named.
mv os1.bin os1-renamed.bin
if [ "$QUICK" = 0 ]; then
  "$Z" prove --statement "$S1" -o p3.bin "${OWN[@]}" --output-secrets os1-renamed.bin >out.txt 2>err.txt &&
  "$Z" verify --statement "$S1" p3.bin >/dev/null 2>&1
  ok $? "a proof through the renamed output secrets ($(head -c 200 err.txt))"
  mkdir -p elsewhere; cp -p os1-renamed.bin elsewhere/os1-copy.bin
  "$Z" prove --statement "$S1" -o p4.bin "${OWN[@]}" --output-secrets elsewhere/os1-copy.bin >out.txt 2>err.txt &&
  "$Z" verify --statement "$S1" p4.bin >/dev/null 2>&1
  ok $? "the fourth opening through a copy in another directory ($(head -c 200 err.txt))"
  [ "$(ledger)" = "4 4 4 4" ]; ok $? "the entry: 4 of 4 used through three names"
else
  ledger spend >/dev/null   # the sanitizer build spends the rest without more proofs
fi
run 6 "hidden output's commitment" "a fifth proof through the renamed secrets is refused" -- prove --statement "$S1" -o p5.bin "${OWN[@]}" --output-secrets os1-renamed.bin
cp -p os1-renamed.bin os1-copy.bin
run 6 "hidden output's commitment" "a fifth proof through a copy is refused" -- prove --statement "$S1" -o p5.bin "${OWN[@]}" --output-secrets os1-copy.bin
mkdir -p other; cp -p os1-renamed.bin other/os1.bin
run 6 "hidden output's commitment" "a fifth proof through a copy in another directory is refused" -- prove --statement "$S1" -o p5.bin "${OWN[@]}" --output-secrets other/os1.bin
mv os1-renamed.bin os1.bin
run 6 "hidden output's commitment" "a fifth proof through the original name is refused" -- prove --statement "$S1" -o p5.bin "${OWN[@]}" --output-secrets os1.bin
ln os1.bin os1-link.bin
run 6 "hidden output's commitment" "a fifth proof through a second hard link is refused" -- prove --statement "$S1" -o p5.bin "${OWN[@]}" --output-secrets os1-link.bin
rm -f os1-link.bin
[ ! -e p5.bin ] && ! ls ./*.ledger other/*.ledger >/dev/null 2>&1; ok $? "no proof written past the budget, no second ledger started"
# The ledger itself damaged: refused (exit 3), nothing written, the ledger left as it was.
cp "$L" ledger.keep
head -c 100 ledger.keep > "$L"
run 3 "ledger is damaged (truncated)" "a truncated ledger is refused" -- prove --statement "$S1" -o p5.bin "${OWN[@]}" --output-secrets os1-copy.bin
cmp -s "$L" <(head -c 100 ledger.keep); ok $? "... and left truncated, not rebuilt"
flip() { python3 -c 'import sys; b = bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])] ^= 1; open(sys.argv[3],"wb").write(b)' "$@"; }
flip ledger.keep 40 "$L"
run 3 "checksum mismatch" "a ledger with a flipped count byte is refused" -- prove --statement "$S1" -o p5.bin "${OWN[@]}" --output-secrets os1-copy.bin
[ ! -e p5.bin ]; ok $? "no proof written with a damaged ledger"
cp ledger.keep "$L"

echo "1..$n"
[ "$failed" = 0 ]
