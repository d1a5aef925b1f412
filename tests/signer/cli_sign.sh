#!/bin/sh
# CLI tests for key, verify-attestation, gate and attest: real files in a
# temp dir, a real SoftHSM2 token (run under softhsm-setup.sh), exit codes
# and --json output checked. Args: ZKREG MKATT. TAP output.
set -u
zkreg=$1
mkatt=$2
t=$(mktemp -d "${TMPDIR:-/tmp}/zkr-cli-sign.XXXXXX")
trap 'rm -rf "$t"' EXIT INT TERM
n=0
fail=0
ok() { # ok DESCRIPTION WANT_RC GOT_RC
  n=$((n + 1))
  if [ "$2" = "$3" ]; then echo "ok $n - $1"; else echo "not ok $n - $1 (exit $3, want $2)"; fail=1; fi
}
has() { # has DESCRIPTION FILE PATTERN
  n=$((n + 1))
  if grep -q -- "$3" "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; sed 's/^/# /' "$2"; fail=1; fi
}
umask 077
printf 'a passphrase\n' >"$t/pass"
printf 'another one\n' >"$t/wrong"

for k in a b c; do
  "$zkreg" key generate --type ed25519 -o "$t/$k.key" --passphrase-file "$t/pass" --kdf interactive >"$t/$k.pub"
  ok "key generate ed25519 $k" 0 $?
done
"$zkreg" --json key generate --type secp256k1 -o "$t/s.key" --passphrase-file "$t/pass" --kdf interactive >"$t/s.json"
ok "key generate secp256k1 --json" 0 $?
has "secp256k1 key has an Ethereum address" "$t/s.json" '"address":"0x'
"$zkreg" key generate --type ed25519 -o "$t/a.key" --passphrase-file "$t/pass" --kdf interactive 2>"$t/err"
ok "existing key file is never overwritten" 5 $?
"$zkreg" key generate --type rsa -o "$t/r.key" --passphrase-file "$t/pass" 2>/dev/null
ok "unknown key type is a usage error" 2 $?
"$zkreg" key generate --type ed25519 -o "$t/n.key" </dev/null 2>"$t/err"
ok "no passphrase source and no TTY: usage error, no prompt" 2 $?
"$zkreg" key public "file:$t/a.key" >"$t/a.pub2"
ok "key public without passphrase" 0 $?
head -1 "$t/a.pub" >"$t/a.k"; head -1 "$t/a.pub2" >"$t/a.k2"
cmp -s "$t/a.k" "$t/a.k2"; ok "key public prints the generated key" 0 $?
"$zkreg" key public "file:$t/a.key" --passphrase-file "$t/wrong" 2>"$t/err"
ok "wrong passphrase: exit 7" 7 $?
has "wrong passphrase message" "$t/err" "wrong passphrase"
"$zkreg" key generate --type secp256k1 -o "$t/fd.key" --passphrase-fd 3 --kdf interactive \
  3<"$t/pass" >/dev/null
ok "key generate with --passphrase-fd" 0 $?
printf 'a passphrase\n' | "$zkreg" key public "file:$t/fd.key" --passphrase-fd 3 3<&0 >/dev/null
ok "key public with the passphrase on a pipe descriptor" 0 $?
"$zkreg" key public "file:$t/fd.key" --passphrase-fd 3 3<"$t/wrong" 2>/dev/null
ok "wrong passphrase on a descriptor: exit 7" 7 $?
printf 'a passphrase\n' | "$zkreg" key public "file:$t/fd.key" --passphrase-fd 0 >/dev/null
ok "--passphrase-fd 0 reads stdin" 0 $?
"$zkreg" key public "file:$t/fd.key" --passphrase-fd 2 2>/dev/null
ok "--passphrase-fd 2 (stderr) refused as usage" 2 $?
head -c 100 "$t/a.key" >"$t/trunc.key"
"$zkreg" key public "file:$t/trunc.key" 2>/dev/null
ok "truncated key file: exit 3" 3 $?

"$mkatt" "$t/a.key" "$t/pass" "$t/a.att" && "$mkatt" "$t/a.key" "$t/pass" "$t/a2.att" &&
  "$mkatt" "$t/b.key" "$t/pass" "$t/b.att" && "$mkatt" "$t/a.key" "$t/pass" "$t/old.att" 7200
ok "test attestations made" 0 $?
A=$(head -1 "$t/a.pub"); B=$(head -1 "$t/b.pub"); C=$(head -1 "$t/c.pub")
"$zkreg" verify-attestation "$t/a.att" --trusted-key "$A" >"$t/out"
ok "verify-attestation with the right key" 0 $?
"$zkreg" verify-attestation "$t/a.att" --trusted-key "file:$t/a.key" >/dev/null
ok "verify-attestation with the key file as trusted key" 0 $?
"$zkreg" verify-attestation "$t/a.att" --trusted-key "$B" 2>"$t/err"
ok "verify-attestation with another key: exit 1" 1 $?
sed 's/"payload":"ey/"payload":"ez/' "$t/a.att" >"$t/bad.att"
"$zkreg" verify-attestation "$t/bad.att" --trusted-key "$A" 2>/dev/null
rc=$?; [ $rc = 1 ] || [ $rc = 3 ]; ok "tampered payload refused (exit $rc)" 0 $?
"$zkreg" verify-attestation "$t/a.att" 2>/dev/null
ok "verify-attestation without a trusted key: usage" 2 $?

policy() { # policy FILE THRESHOLD KEYS...
  f=$1; m=$2; shift 2
  keys=$(for k in "$@"; do printf '"%s",' "$k"; done | sed 's/,$//')
  printf '{"format":"zkreg-policy/v1","trusted_keys":[%s],"threshold":%s,"schemas":["mnist-mlp-inference@1"],"max_age_seconds":3600,"require_log_inclusion":false,"check_revocation":false}\n' "$keys" "$m" >"$f"
}
policy "$t/p11" 1 "$A"
policy "$t/p23" 2 "$A" "$B" "$C"
"$zkreg" gate --policy "$t/p11" "$t/a.att" >/dev/null
ok "gate 1-of-1 passes" 0 $?
"$zkreg" --json gate --policy "$t/p23" "$t/a.att" "$t/a2.att" >"$t/g.json" 2>/dev/null
ok "gate 2-of-3 with two attestations by the same key: exit 1" 1 $?
has "--json report names the threshold rule" "$t/g.json" '"rule":"threshold"'
has "--json report counts one distinct key" "$t/g.json" '"distinct_keys":1'
"$zkreg" --json gate --policy "$t/p23" "$t/a.att" "$t/b.att" >"$t/g.json"
ok "gate 2-of-3 with two keys passes" 0 $?
has "--json report says ok" "$t/g.json" '"ok":true'
"$zkreg" gate --policy "$t/p11" "$t/old.att" 2>"$t/err"
ok "gate with an expired attestation: exit 6" 6 $?
has "expiry names the max-age rule" "$t/err" "max-age"
"$zkreg" gate --policy "$t/p11" "$t/b.att" 2>/dev/null
ok "gate with an unknown key: exit 1" 1 $?
"$zkreg" gate --policy "$t/p11" "$t/bad.att" 2>/dev/null
rc=$?; [ $rc = 1 ] || [ $rc = 3 ]; ok "gate with a tampered payload fails (exit $rc)" 0 $?
printf '{"format":"zkreg-policy/v1"}' >"$t/pbad"
"$zkreg" gate --policy "$t/pbad" "$t/a.att" 2>/dev/null
ok "malformed policy: exit 3" 3 $?
"$zkreg" gate --policy "$t/p11" 2>/dev/null
ok "gate without attestations: usage" 2 $?
"$zkreg" --registry "$t/none.db" attest --statement x --proof y --key "file:$t/a.key" \
  -o "$t/x.att" 2>"$t/err"
ok "attest without a registry: not found (nothing signed)" 4 $?
[ ! -e "$t/x.att" ]; ok "attest wrote no file" 0 $?

if [ -n "${ZKR_HSM_DIR:-}" ]; then
  mod=/usr/lib/softhsm/libsofthsm2.so
  "$zkreg" key list --module "$mod" >"$t/list"
  ok "key list on the SoftHSM module" 0 $?
  has "key list prints URIs" "$t/list" "pkcs11:token=zkr-test;object=k1;id=%01?module-path="
  "$zkreg" key public "pkcs11:token=zkr-test;object=k1?module-path=$mod&pin-source=$ZKR_HSM_DIR/pin" >"$t/hp"
  ok "key public of a token key" 0 $?
  has "token key is secp256k1 with an address" "$t/hp" "address 0x"
  "$zkreg" key public "pkcs11:token=zkr-test;object=k1?module-path=$mod&pin-source=$ZKR_HSM_DIR/badpin" 2>"$t/err"
  ok "wrong PIN: exit 7" 7 $?
  "$zkreg" key public "pkcs11:token=nope;object=k1?module-path=$mod" 2>"$t/err"
  ok "missing token: exit 7" 7 $?
  "$zkreg" key public "pkcs11:token=zkr-test;object=k1?pin-value=1234" 2>"$t/err"
  ok "pin-value in a URI refused: exit 3" 3 $?
fi
echo "1..$n"
exit $fail
