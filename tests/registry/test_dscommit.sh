#!/usr/bin/env bash
# Hiding dataset commitments (version 2) and zk seeds through the real zkreg
# on real SQLite files (TAP): dataset commit on the owner's side, register-
# dataset --commitment, v2 record openings, the v1/v2 boundary, export/import,
# zk-seed and prove --zk-seed. Every refused command must give its documented
# exit code, name the input, and leave the registry and its store
# byte-for-byte unchanged.
# Usage: test_dscommit.sh PATH/TO/zkreg TEST_HOOKS(true|false)
set -u
Z=$(readlink -f "${1:?usage: test_dscommit.sh ZKREG TEST_HOOKS}")
HOOKS=${2:-false}
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-dsc-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

printf 'owner pass phrase\n' > pass; chmod 600 pass
printf 'not the phrase\n' > wrong; chmod 600 wrong
export ZKREG_PASSPHRASE_FILE=$T/pass
export ZKREG_REGISTRY=$T/r.db
unset ZKREG_TEST_DATASET_SALTS ZKREG_TRUSTED_KEY || true

# The registry file, its WAL and its store: all of it must stay as it was.
# (A read-only open may create an empty -wal: its content is what counts.)
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
state() { { cat r.db r.db-wal 2>/dev/null | sha256sum
            find r.db.d -type f 2>/dev/null | sort -S 1M | xargs -r sha256sum; } | sha256sum | cut -d' ' -f1; }

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

# Flips bit 0 of byte OFFSET of FILE into OUT.
flip() { cp "$1" "$3"; local b; b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf '%03o' $(( b ^ 1 )))" | dd of="$3" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
root_of() { od -An -tx1 -j21 -N32 "$1" | tr -d ' \n'; }

printf 'alice,42,secret-diagnosis-A\nbob,37,secret-diagnosis-B\ncarol,29,secret-diagnosis-C\n' > d.txt
printf 'dave,51,other-1\nerin,44,other-2\nfrank,33,other-3\n' > d2.txt
# A tiny IDX pair (3 images of 2x2, labels 7 8 9) and its twin with one label changed.
python3 - <<'EOF'
import struct
for name, labels in (("a", b"\x07\x08\x09"), ("b", b"\x07\x08\x01")):
    open(name + "-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, 3, 2, 2) + bytes(range(12)))
    open(name + "-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, 3) + labels)
EOF

# --- dataset commit (no registry) ------------------------------------------
"$Z" --registry "$T/none.db" dataset commit d.txt -o c.bin --secrets s.bin --kdf interactive >out.txt 2>err.txt
ok $? "dataset commit on the owner's machine"
[ ! -e none.db ]; ok $? "dataset commit opens no registry"
[ "$(stat -c %s c.bin)" = 85 ] && [ "$(stat -c %a c.bin)" = 644 ] && [ "$(stat -c %a s.bin)" = 600 ]
ok $? "commitment is 85 bytes (0644), secrets file 0600"
leak=0
# Needles of 6 bytes or more: the two files are 389 random-looking bytes, in
# which a 2-byte needle such as "42" turns up about once in 170 runs.
for w in alice,42 bob,37 carol,29 secret-diagnosis ; do grep -qaF "$w" c.bin s.bin && leak=1; done
[ $leak = 0 ]; ok $? "no record bytes in the commitment or the secrets file"
cmp -s <(head -c 8 c.bin) <(printf 'ZKRDSCOM'); ok $? "commitment starts with its magic"
"$Z" dataset commit d.txt -o c-again.bin --secrets s-again.bin --passphrase-fd 3 --kdf interactive 3<pass >/dev/null 2>&1
ok $? "dataset commit with --passphrase-fd"
[ "$(root_of c.bin)" != "$(root_of c-again.bin)" ]; ok $? "two commits of the same data differ (fresh salts)"
cp c.bin c.keep; cp s.bin s.keep
run 5 "never overwritten" "commit over an existing commitment" -- dataset commit d.txt -o c.bin --secrets new-s.bin --kdf interactive
cmp -s c.bin c.keep && [ ! -e new-s.bin ]; ok $? "the existing commitment is untouched, no secrets left behind"
run 5 "never overwritten" "commit over an existing secrets file" -- dataset commit d.txt -o new-c.bin --secrets s.bin --kdf interactive
cmp -s s.bin s.keep && [ ! -e new-c.bin ]; ok $? "the existing secrets are untouched"
run 2 "same file" "-o and --secrets the same path" -- dataset commit d.txt -o x.bin --secrets x.bin --kdf interactive
run 2 "--secrets" "commit without --secrets" -- dataset commit d.txt -o x.bin
run 4 "nosuch.txt" "commit of a missing dataset" -- dataset commit nosuch.txt -o x.bin --secrets y.bin --kdf interactive
printf 'ok\n\x01bad\n' > bad.txt
run 3 "bad.txt" "commit of a malformed dataset" -- dataset commit bad.txt -o x.bin --secrets y.bin --kdf interactive
[ ! -e x.bin ] && [ ! -e y.bin ]; ok $? "refused commits write nothing"

if [ "$HOOKS" = true ]; then
  ZKREG_TEST_DATASET_SALTS=fixed "$Z" dataset commit d.txt -o f1.bin --secrets fs1.bin --kdf interactive >/dev/null 2>&1
  ZKREG_TEST_DATASET_SALTS=fixed "$Z" dataset commit d.txt -o f2.bin --secrets fs2.bin --kdf interactive >/dev/null 2>&1
  ZKREG_TEST_DATASET_SALTS=other "$Z" dataset commit d.txt -o f3.bin --secrets fs3.bin --kdf interactive >/dev/null 2>&1
  cmp -s f1.bin f2.bin; ok $? "same data and same salts (test hook): byte-identical commitment"
  ! cmp -s fs1.bin fs2.bin; ok $? "the sealed secrets still differ (fresh key and nonce)"
  ! cmp -s f1.bin f3.bin; ok $? "other salts: another commitment"
  ZKREG_TEST_DATASET_SALTS=fixed "$Z" dataset commit a-images-idx3-ubyte -o ia.bin --secrets ias.bin --kdf interactive >/dev/null 2>&1
  ZKREG_TEST_DATASET_SALTS=fixed "$Z" dataset commit b-images-idx3-ubyte -o ib.bin --secrets ibs.bin --kdf interactive >/dev/null 2>&1
  [ -s ia.bin ] && [ -s ib.bin ] && [ "$(root_of ia.bin)" != "$(root_of ib.bin)" ]
  ok $? "IDX: one label changed, same salts: another root (labels are committed)"
fi

# --- register-dataset --commitment -------------------------------------------
"$Z" init --kdf interactive >/dev/null 2>&1; ok $? "init"
"$Z" --json register-dataset --commitment c.bin --name private > reg.json 2>err.txt; ok $? "register-dataset --commitment"
python3 - <<'EOF'
import json, sys
d = json.load(open("reg.json"))
sys.exit(0 if d["commitment_version"] == 2 and d["format"] == "lines@2" and d["record_count"] == 3
         and d["size"] == 85 and d["commitment"] is None else 1)
EOF
ok $? "registered as version 2 (lines@2, 3 records, size 85, no record hashes)"
DS=$(python3 -c 'import json; print(json.load(open("reg.json"))["id"])')
DSHA=$(python3 -c 'import json; print(json.load(open("reg.json"))["sha256"])')
run 0 "already registered" "the same commitment again: idempotent" -- register-dataset --commitment c.bin
s0=$(state); "$Z" register-dataset --commitment c.bin >/dev/null 2>&1; [ "$s0" = "$(state)" ]
ok $? "re-registration writes nothing"
head -c 84 c.bin > cut.bin
run 3 "truncated" "truncated commitment" -- register-dataset --commitment cut.bin
{ cat c.bin; printf 'x'; } > trail.bin
run 3 "trailing" "commitment with a trailing byte" -- register-dataset --commitment trail.bin
flip c.bin 30 root.bin
run 3 "altered" "commitment with a flipped root bit" -- register-dataset --commitment root.bin
flip c.bin 20 count.bin
run 3 "altered" "commitment whose count was changed" -- register-dataset --commitment count.bin
flip c.bin 70 dig.bin
run 3 "altered" "commitment with a flipped digest bit" -- register-dataset --commitment dig.bin
flip c.bin 10 ver.bin
run 3 "version 258" "commitment of another version" -- register-dataset --commitment ver.bin
flip c.bin 0 magic.bin
run 3 "magic" "not a commitment file" -- register-dataset --commitment magic.bin
run 3 "magic" "a secrets file given as the commitment" -- register-dataset --commitment s.bin
run 4 "nosuch.bin" "missing commitment file" -- register-dataset --commitment nosuch.bin
run 2 "one of them" "both PATH and --commitment" -- register-dataset d.txt --commitment c.bin

# --- record openings ---------------------------------------------------------
"$Z" --registry "$T/none.db" dataset prove-record 1 --data d.txt --secrets s.bin -o open.json >/dev/null 2>err.txt
ok $? "prove-record INDEX --data --secrets (no registry)"
[ ! -e none.db ]; ok $? "the opening opens no registry"
grep -q '"type": "zkreg-record-proof/v2"' open.json && grep -q '"salt"' open.json; ok $? "v2 opening carries its salt"
python3 -c 'import json,base64; d=json.load(open("open.json")); assert base64.b64decode(d["record"]) == b"bob,37,secret-diagnosis-B"' \
  && ! grep -q "alice\|YWxpY2" open.json; ok $? "the opening reveals record 1 and no other record"
"$Z" dataset verify-record open.json >out.txt 2>err.txt && grep -q "record 1 is in the hiding dataset" out.txt
ok $? "verify-record against the registered v2 dataset"
root=$(python3 -c 'import json; print(json.load(open("open.json"))["records_root"])')
"$Z" --registry "$T/none.db" dataset verify-record open.json --root "$root" --count 3 >/dev/null 2>&1
ok $? "verify-record offline with --root/--count"
python3 - <<'EOF'
import json
d = json.load(open("open.json"))
def put(name, **kw):
    e = dict(d); e.update(kw); json.dump(e, open(name, "w"))
s = d["salt"]; put("o-salt.json", salt=s[:-1] + ("0" if s[-1] != "0" else "1"))
put("o-idx.json", index=0)
import base64; put("o-rec.json", record=base64.b64encode(b"bob,37,secret-diagnosis-X").decode())
p = list(d["path"]); p[0] = p[0][:-1] + ("0" if p[0][-1] != "0" else "1"); put("o-path.json", path=p)
put("o-extra.json", note="x")
e = dict(d); del e["salt"]; json.dump(e, open("o-nosalt.json", "w"))
EOF
run 1 "NOT in the dataset" "opening with a wrong salt" -- dataset verify-record o-salt.json
run 1 "NOT in the dataset" "opening with a wrong index" -- dataset verify-record o-idx.json
run 1 "NOT in the dataset" "opening with other record bytes" -- dataset verify-record o-rec.json
run 1 "NOT in the dataset" "opening with a flipped path hash" -- dataset verify-record o-path.json
run 3 "unknown field" "opening with an unknown field" -- dataset verify-record o-extra.json
run 3 "salt" "opening without its salt" -- dataset verify-record o-nosalt.json
r2=$(root_of c-again.bin)
run 1 "dataset_sha256" "opening checked against another dataset's root" -- dataset verify-record open.json --root "$r2" --count 3
run 2 "carries its record" "--record with a v2 opening" -- dataset verify-record open.json --record d.txt

run 7 "wrong passphrase" "prove-record with the wrong passphrase" -- dataset prove-record 1 --data d.txt --secrets s.bin --passphrase-file wrong
head -c 200 s.bin > s-cut.bin; chmod 600 s-cut.bin
run 3 "truncated" "prove-record with a truncated secrets file" -- dataset prove-record 1 --data d.txt --secrets s-cut.bin
sz=$(stat -c %s s.bin); flip s.bin $((sz - 40)) s-flip.bin
run 7 "altered" "prove-record with a flipped salt ciphertext byte" -- dataset prove-record 1 --data d.txt --secrets s-flip.bin
flip s.bin 20 s-hdr.bin
run 7 "altered" "prove-record with a flipped digest in the secrets header" -- dataset prove-record 1 --data d.txt --secrets s-hdr.bin
"$Z" dataset commit d2.txt -o c2.bin --secrets s2.bin --kdf interactive >/dev/null 2>&1
run 1 "secrets belong to dataset" "prove-record with the secrets of another dataset" -- dataset prove-record 1 --data d.txt --secrets s2.bin
run 1 "secrets belong to dataset" "prove-record over changed data (same count)" -- dataset prove-record 1 --data d2.txt --secrets s.bin
run 4 "past the end" "prove-record index past the end" -- dataset prove-record 3 --data d.txt --secrets s.bin
run 2 "--data" "prove-record --secrets without --data" -- dataset prove-record 1 --secrets s.bin
[ ! -e o-none.json ]; ok $? "refused openings write no file"

# --- the v1 / v2 boundary ----------------------------------------------------
"$Z" --json register-dataset d.txt --name public > reg1.json 2>/dev/null; ok $? "register the same records as version 1"
DS1=$(python3 -c 'import json; print(json.load(open("reg1.json"))["id"])')
run 3 "version 2 (hiding)" "v1 prove-record on a v2 dataset" -- dataset prove-record "$DS" 0
"$Z" dataset prove-record "$DS1" 0 -o v1.json >/dev/null 2>&1
sed "s/\"dataset_sha256\": \"[0-9a-f]*\"/\"dataset_sha256\": \"$DSHA\"/" v1.json > v1-on-v2.json
run 1 "version 2 commitment; this is a version 1" "v1 record proof against a v2 dataset" -- dataset verify-record v1-on-v2.json
V1SHA=$(python3 -c 'import json; print(json.load(open("reg1.json"))["sha256"])')
sed "s/\"dataset_sha256\": \"[0-9a-f]*\"/\"dataset_sha256\": \"$V1SHA\"/" open.json > v2-on-v1.json
run 1 "version 1 commitment; this is a version 2" "v2 opening against a v1 dataset" -- dataset verify-record v2-on-v1.json

echo "program bytes" > prog.bin; echo "weights" > w.bin
jid() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null || echo 0; }
P=$("$Z" --json register-program prog.bin 2>/dev/null | jid)
M=$("$Z" --json register-model w.bin --program "$P" 2>/dev/null | jid)
cat > schema.json <<'EOF'
{"name": "inf", "version": 1, "proof_kind": "inference@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": false,
 "fields": [{"name": "record_index", "type": "u64"}]}
EOF
"$Z" register-schema schema.json >/dev/null 2>&1; ok $? "register an inference@1 schema"
run 1 "needs a version 1 dataset" "inference@1 statement over a v2 dataset" -- register-statement --schema inf@1 --program "$P" --model "$M" --dataset "$DS" --param record_index=0
sid=$("$Z" register-statement --schema inf@1 --program "$P" --model "$M" --dataset "$DS1" --param record_index=0 2>err.txt)
ok $? "the same statement over the v1 dataset is accepted"

# --- zk seeds ----------------------------------------------------------------
"$Z" zk-seed new -o seed.bin --kdf interactive >/dev/null 2>&1; ok $? "zk-seed new"
[ "$(stat -c %a seed.bin)" = 600 ] && [ "$(stat -c %s seed.bin)" = 112 ]; ok $? "seed file: 0600, 112 bytes (sealed)"
"$Z" zk-seed new -o seed2.bin --kdf interactive >/dev/null 2>&1
! cmp -s seed.bin seed2.bin; ok $? "two seeds differ"
"$Z" zk-seed check seed.bin >out.txt 2>&1 && grep -q "32-byte zk seed" out.txt; ok $? "zk-seed check unseals it"
run 5 "never overwritten" "zk-seed new over an existing file" -- zk-seed new -o seed.bin --kdf interactive
run 7 "wrong passphrase" "zk-seed check with the wrong passphrase" -- zk-seed check seed.bin --passphrase-file wrong
head -c 111 seed.bin > seed-cut.bin; chmod 600 seed-cut.bin
run 3 "not a sealed zk seed" "truncated seed" -- zk-seed check seed-cut.bin
flip seed.bin 100 seed-flip.bin
run 7 "altered" "seed with a flipped byte" -- zk-seed check seed-flip.bin
run 3 "not a sealed zk seed" "a secrets file as a seed" -- zk-seed check s.bin
run 2 "is not hiding; --zk-seed applies to the hiding @2 kinds" "prove --zk-seed for an inference@1 statement" -- prove --statement "$sid" -o p.bin --zk-seed seed.bin
( unset ZKREG_PASSPHRASE_FILE
  run 2 "inference@1 is not hiding" "the @1 refusal comes before any passphrase" -- prove --statement "$sid" -o p.bin --zk-seed seed.bin ) > sub.tap
cat sub.tap; n=$((n + 1)); grep -q '^not ok' sub.tap && failed=$((failed + 1))
[ ! -e p.bin ]; ok $? "no proof written"
run 2 "go with --zk-seed" "passphrase options without --zk-seed" -- prove --statement "$sid" -o p.bin --passphrase-file pass

# --- export / import carry v2 datasets ---------------------------------------
"$Z" export -o b.zkb >/dev/null 2>&1; ok $? "export with a v2 dataset"
"$Z" log key > vkey.txt
"$Z" --registry "$T/other.db" init --kdf interactive >/dev/null 2>&1
"$Z" --registry "$T/other.db" import b.zkb --trusted-key-file vkey.txt >/dev/null 2>err.txt; ok $? "import into another registry"
"$Z" --registry "$T/other.db" --json show dataset "$DSHA" > imp.json 2>/dev/null
python3 -c 'import json,sys; d=json.load(open("imp.json")); sys.exit(0 if d["commitment_version"] == 2 and d["format"] == "lines@2" else 1)'
ok $? "the imported dataset is version 2"
"$Z" --registry "$T/other.db" dataset verify-record open.json >/dev/null 2>&1; ok $? "the opening verifies against the imported dataset"
"$Z" --registry "$T/other.db" log verify >/dev/null 2>&1; ok $? "the importer's log audits clean"

echo "1..$n"
[ "$failed" = 0 ]
