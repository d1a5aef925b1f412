#!/bin/sh
# Makes a throw-away SoftHSM2 token for the hsm tests, then runs "$@" with
# SOFTHSM2_CONF and ZKR_HSM_DIR set. Keys are made through the module itself
# (pkcs11-tool -> C_GenerateKeyPair). Tokens are found by label, never slot.
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/zkr-hsm.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
mkdir "$dir/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
  "$dir" >"$dir/softhsm2.conf"
export SOFTHSM2_CONF="$dir/softhsm2.conf"
export ZKR_HSM_DIR="$dir"
mod=/usr/lib/softhsm/libsofthsm2.so
softhsm2-util --init-token --free --label zkr-test --so-pin 87654321 --pin 123456 >/dev/null
gen() {
  pkcs11-tool --module "$mod" --token-label zkr-test --login --pin 123456 \
    --keypairgen --key-type "$1" --label "$2" --id "$3" >/dev/null
}
gen EC:secp256k1 k1 01
gen EC:prime256v1 p256 02
gen EC:edwards25519 ed 03
gen rsa:1024 rsa 04
umask 077
printf '123456\n' >"$dir/pin"
printf '000000\n' >"$dir/badpin"
"$@"
