#!/bin/sh
# Build provenance (issue 16) through the real zkreg: `provenance sign` of an
# in-toto statement, then `verify-attestation --predicate-type` (and
# `provenance verify`) accept it with the right key, type and artifact, and
# refuse each wrong one: another key, another predicate type, a changed
# artifact, a tampered payload, a malformed statement, a truncated envelope.
# TAP. Usage: cli_provenance.sh ZKREG
set -u
ZKREG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-prov.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset ZKREG_REGISTRY ZKREG_PASSPHRASE_FILE
cd "$T" || exit 1
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
expect() {
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq "$want" ]; ok $? "$what (exit $got, want $want)"
  [ "$got" -eq "$want" ] || sed 's/^/# /' "$T/err" "$T/out"
}
SLSA=https://slsa.dev/provenance/v1
umask 077
echo 'a long build passphrase' >pass
"$ZKREG" key generate --type ed25519 -o build.key --passphrase-file pass --kdf interactive >/dev/null
"$ZKREG" key generate --type ed25519 -o other.key --passphrase-file pass --kdf interactive >/dev/null
PUB=$("$ZKREG" key public file:build.key | head -1)
OTHER=$("$ZKREG" key public file:other.key | head -1)
echo "release bytes" >art.bin
S=$(sha256sum art.bin | cut -c1-64)
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"art.bin","digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":{"buildDefinition":{}}}\n' "$S" "$SLSA" >st.json

expect 0 "provenance sign" "$ZKREG" provenance sign st.json --key file:build.key \
  --passphrase-file pass -o st.dsse
expect 0 "verify-attestation --predicate-type with the key, type and artifact" \
  "$ZKREG" verify-attestation st.dsse --predicate-type "$SLSA" --trusted-key "$PUB" --subject art.bin
expect 0 "provenance verify (the same checks by name)" \
  "$ZKREG" provenance verify st.dsse --trusted-key "$PUB" --subject art.bin
expect 1 "another key is refused" \
  "$ZKREG" verify-attestation st.dsse --predicate-type "$SLSA" --trusted-key "$OTHER"
expect 1 "another predicate type is refused" \
  "$ZKREG" verify-attestation st.dsse --predicate-type https://example.org/other --trusted-key "$PUB"
echo "changed" >>art.bin
expect 1 "a changed artifact is refused" \
  "$ZKREG" verify-attestation st.dsse --predicate-type "$SLSA" --trusted-key "$PUB" --subject art.bin
grep -q "is not a subject" "$T/err"; ok $? "... naming the mismatch"
expect 4 "a missing artifact is not found" \
  "$ZKREG" provenance verify st.dsse --trusted-key "$PUB" --subject missing.bin
# The payload with one subject digit changed, the signature kept.
python3 - st.dsse tampered.dsse <<'PY'
import base64, json, sys
e = json.load(open(sys.argv[1]))
p = base64.b64decode(e["payload"]).decode()
i = p.index('"sha256":"') + 10
p = p[:i] + ("0" if p[i] != "0" else "1") + p[i + 1:]
e["payload"] = base64.b64encode(p.encode()).decode()
json.dump(e, open(sys.argv[2], "w"), sort_keys=True, separators=(",", ":"))
PY
expect 1 "a tampered payload is refused" \
  "$ZKREG" verify-attestation tampered.dsse --predicate-type "$SLSA" --trusted-key "$PUB"
head -c 60 st.dsse >trunc.dsse
expect 3 "a truncated envelope is malformed" \
  "$ZKREG" verify-attestation trunc.dsse --predicate-type "$SLSA" --trusted-key "$PUB"
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"%s","predicate":{}}\n' "$SLSA" >empty.json
expect 3 "a statement without subjects is not signed" \
  "$ZKREG" provenance sign empty.json --key file:build.key --passphrase-file pass -o empty.dsse
[ ! -e empty.dsse ]; ok $? "... and nothing is written"
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"XYZ"}}],"predicateType":"%s","predicate":{}}\n' "$SLSA" >bad.json
expect 3 "a statement with a bad digest is not signed" \
  "$ZKREG" provenance sign bad.json --key file:build.key --passphrase-file pass -o bad.dsse
echo "1..$n"
exit $fail
