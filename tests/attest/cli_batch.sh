#!/usr/bin/env bash
# zkreg attest --batch end to end (TAP): many (statement, proof) pairs with
# one opening of the signing key, each proof verified in a fresh confined
# worker. A batch of good, tampered, laundered (a proof of another
# statement) and revoked entries: only the good ones are attested, every
# refusal is logged as an attest-refusal event and skipped, exit 1; an
# all-good batch exits 0; the passphrase never appears in the process's
# argv or environment; a malformed batch file attests nothing.
# Usage: cli_batch.sh ZKREG
set -u
Z=$(readlink -f "${1:?usage: cli_batch.sh ZKREG}")
SRC=${ZKR_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-attest-batch-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
export ZKREG_REGISTRY=$T/reg.db ZKREG_ATTEST_TIME=1795000000
unset ZKREG_PASSPHRASE_FILE ZKREG_TEST_ATTEST_PAUSE || true
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
count() { sqlite3 -readonly "$ZKREG_REGISTRY" "select count(*) from log where type='$1'"; }
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }
# The statement's public output (u32 n | n x int8 logits | u32 argmax) from `infer --json`.
output_bytes() {
  python3 - "$1" "$2" <<'EOF'
import json, struct, sys
d = json.load(open(sys.argv[1]))
lg = d["logits"]
open(sys.argv[2], "wb").write(struct.pack(">I", len(lg)) + bytes((v + 256) % 256 for v in lg) + struct.pack(">I", d["argmax"]))
EOF
}

(umask 077; echo "batch registry pass" > regpass; echo "batch key pass" > keypass)
R="--registry-passphrase-file $T/regpass"
"$Z" init --passphrase-file regpass --kdf interactive >/dev/null 2>&1 &&
  "$Z" register-program "$FIX" >/dev/null 2>&1 &&
  "$Z" --json register-model "$FIX" --program 1 --calibrate "$DATA" > m.json 2>/dev/null &&
  "$Z" register-dataset "$DATA" >/dev/null 2>&1; ok $? "registry: program, model, dataset"
printf '{"name":"fm","version":1,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":true,"fields":[{"name":"record_index","type":"u64"}]}\n' > schema.json
"$Z" register-schema schema.json >/dev/null 2>&1; ok $? "register-schema"
"$Z" key generate --type ed25519 -o signer.key --passphrase-file keypass --kdf interactive >/dev/null 2>&1 &&
  "$Z" key register file:signer.key >/dev/null 2>&1; ok $? "key generate and register"
MODEL=$T/reg.db.d/models/$(jget m.json sha256)
stmt() { # record -> statement_id in sid-RECORD
  "$Z" --json infer --model-file "$MODEL" --dataset-file "$DATA" --record "$1" > "infer-$1.json" 2>/dev/null &&
    output_bytes "infer-$1.json" "out-$1.bin" &&
    "$Z" --json register-statement --schema fm@1 --program 1 --model 2 --dataset 3 \
      --param record_index="$1" --public-output "out-$1.bin" > "st-$1.json" 2>/dev/null &&
    jget "st-$1.json" statement_id > "sid-$1"
}
for rec in 7 8 9 10; do
  stmt $rec && "$Z" prove --statement "$(cat sid-$rec)" -o "p$rec.zkp" >/dev/null 2>&1; ok $? "statement and proof of record $rec"
done
S7=$(cat sid-7); S8=$(cat sid-8); S9=$(cat sid-9); S10=$(cat sid-10)
cp p8.zkp tampered.zkp
b=$(od -An -tu1 -j2000 -N1 p8.zkp | tr -d ' ')
printf "\\$(printf '%03o' $(( b ^ 0x40 )))" | dd of=tampered.zkp bs=1 seek=2000 conv=notrunc 2>/dev/null
"$Z" revoke statement "$S10" --reason "batch test revocation" >/dev/null 2>&1; ok $? "statement of record 10 revoked"

cat > batch.jsonl <<EOF
{"statement": "$S7", "proof": "p7.zkp"}
{"statement": "$S8", "proof": "tampered.zkp"}
{"statement": "$S9", "proof": "p7.zkp"}
{"statement": "$S10", "proof": "p10.zkp"}
{"statement": "$S9", "proof": "p9.zkp", "out": "nine.att"}
EOF
mkdir out
ref0=$(count attest-refusal); att0=$(count attestation)
"$Z" attest --batch batch.jsonl --key file:signer.key --out-dir out --passphrase-file keypass $R >out.txt 2>err.txt
rc=$?
[ "$rc" = 1 ]; ok $? "a batch with refusals exits 1 (got $rc: $(head -c 200 err.txt))"
[ -s out/attestation-1.json ] && [ -s nine.att ]; ok $? "the good entries are attested (lines 1 and 5)"
[ ! -e out/attestation-2.json ] && [ ! -e out/attestation-3.json ] && [ ! -e out/attestation-4.json ]; ok $? "no attestation for a refused entry"
grep -q '^line 2: REFUSED' out.txt; ok $? "tampered proof refused: $(grep '^line 2' out.txt | head -c 160)"
grep -q "^line 3: REFUSED $S9 (exit 1, " out.txt && grep '^line 3' out.txt | grep -q 'statement'; ok $? "laundered proof (of another statement) refused, exit 1"
grep -q "^line 4: REFUSED $S10 (exit 6, " out.txt; ok $? "revoked statement refused, exit 6"
[ "$(count attest-refusal)" = $((ref0 + 3)) ]; ok $? "three attest-refusal events logged"
[ "$(count attestation)" = $((att0 + 2)) ]; ok $? "two attestation events logged"
grep -q '^attested 2 of 5; refused 3$' out.txt; ok $? "summary line"
"$Z" log key > vkey.txt
"$Z" verify-attestation out/attestation-1.json --trusted-key file:signer.key >/dev/null 2>&1 &&
  "$Z" verify-attestation nine.att --trusted-key file:signer.key >/dev/null 2>&1; ok $? "the batch's attestations verify against the registry"
! grep -q $'\033' err.txt; ok $? "stderr a file: no progress bytes"

# All good, --json, the passphrase from a descriptor: exit 0 and one JSON object.
printf '{"statement": "%s", "proof": "p7.zkp"}\n{"statement": "%s", "proof": "p9.zkp"}\n' "$S7" "$S9" > good.jsonl
mkdir out2
"$Z" --json attest --batch good.jsonl --key file:signer.key --out-dir out2 --passphrase-fd 3 $R 3<keypass >out.json 2>err.txt
rc=$?
[ "$rc" = 0 ] && [ "$(wc -l < out.json)" = 1 ] &&
  python3 -c 'import json; d = json.load(open("out.json")); assert d["ok"] and d["attested"] == 2 and d["refused"] == 0 and [r["line"] for r in d["results"]] == [1, 2]'
ok $? "all-good batch: exit 0, one JSON object (got $rc)"
"$Z" --json attest --batch batch.jsonl --key file:signer.key --out-dir out2 --passphrase-file keypass $R >out.json 2>/dev/null
rc=$?
[ "$rc" = 1 ] && [ "$(wc -l < out.json)" = 1 ] &&
  python3 -c 'import json; d = json.load(open("out.json")); assert not d["ok"] and d["exit_code"] == 1 and d["refused"] == 3 and [r["attested"] for r in d["results"]] == [True, False, False, False, True] and d["results"][3]["exit_code"] == 6'
ok $? "--json with refusals: exit 1, one object with every line's outcome"

# The passphrase is in no argv or environment: looked at while the key is unsealed (test hook).
mkfifo pause
ZKREG_TEST_ATTEST_PAUSE=$T/pause "$Z" attest --batch good.jsonl --key file:signer.key --out-dir out2 \
  --passphrase-fd 3 $R 3<keypass >/dev/null 2>&1 &
pid=$!
exec 4>pause   # returns once zkreg, key unsealed, waits in the hook
leak=0
for f in /proc/$pid/cmdline /proc/$pid/environ; do
  tr '\0' '\n' < "$f" | grep -qF "batch key pass" && leak=1
done
tr '\0' '\n' < /proc/$pid/cmdline | grep -q -- '--batch'; seen=$?
exec 4>&-
wait $pid; rc=$?
[ "$leak" = 0 ] && [ "$seen" = 0 ] && [ "$rc" = 0 ]; ok $? "the key's passphrase is in neither argv nor environment (rc $rc)"

# A malformed batch file: nothing verified, signed or logged.
att0=$(count attestation); ref0=$(count attest-refusal)
printf '{"statement": "%s", "proof": "p7.zkp"}\n{"statement": "%s", "colour": "red"}\n' "$S7" "$S9" > bad.jsonl
"$Z" attest --batch bad.jsonl --key file:signer.key --out-dir out2 --passphrase-file keypass $R >/dev/null 2>err.txt
rc=$?
[ "$rc" = 3 ] && grep -q "line 2: field 'colour'" err.txt && [ "$(count attestation)" = "$att0" ] &&
  [ "$(count attest-refusal)" = "$ref0" ]; ok $? "malformed batch file: exit 3 naming line and field, nothing logged"
printf '{"statement": "%s", "proof": "p7.zkp", "out": "x.att"}\n{"statement": "%s", "proof": "p9.zkp", "out": "x.att"}\n' "$S7" "$S9" > dup.jsonl
"$Z" attest --batch dup.jsonl --key file:signer.key --passphrase-file keypass $R >/dev/null 2>err.txt
[ $? = 2 ] && grep -q "lines 1 and 2 both write x.att" err.txt && [ ! -e x.att ]; ok $? "two lines writing one file: exit 2, nothing written"
"$Z" attest --batch good.jsonl --statement "$S7" --key file:signer.key >/dev/null 2>&1
[ $? = 2 ]; ok $? "--batch with --statement: usage"
"$Z" log verify >/dev/null 2>&1; ok $? "log verify passes after the batches"

echo "1..$n"
exit $((failed > 0))
