#!/usr/bin/env bash
# The Debian package: two builds of the committed tree, in directories at
# different paths, give byte-identical .debs; the package holds what it
# should, built hardened and without test hooks. TAP output.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/zkreg-debtest.XXXXXX)
trap 'rm -rf "$work"' EXIT
n=0; failed=0
check() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi; }

"$root/images/build-deb" "$work/one" >/dev/null 2>"$work/one.err"; rc1=$?
"$root/images/build-deb" "$work/two/deeper/path" >/dev/null 2>"$work/two.err"; rc2=$?
check "first build succeeds" '[ $rc1 -eq 0 ] || { cat "$work/one.err"; false; }'
check "second build succeeds" '[ $rc2 -eq 0 ] || { cat "$work/two.err"; false; }'
a=$(ls "$work"/one/zkreg_*_amd64.deb 2>/dev/null); b=$(ls "$work"/two/deeper/path/zkreg_*_amd64.deb 2>/dev/null)
check "two builds are byte-identical ($(sha256sum "$a" 2>/dev/null | cut -c1-16))" \
  '[ -n "$a" ] && [ -n "$b" ] && cmp -s "$a" "$b"'
mkdir -p "$work/x"; dpkg-deb -x "$a" "$work/x" 2>/dev/null
check "installs zkreg and the helper" '[ -x "$work/x/usr/bin/zkreg" ] && [ -x "$work/x/usr/libexec/zkreg-pkcs11-helper" ]'
check "man pages from --help (zkreg.1 and one per command)" \
  '[ -f "$work/x/usr/share/man/man1/zkreg.1.gz" ] && [ -f "$work/x/usr/share/man/man1/zkreg-attest.1.gz" ]'
check "docs installed" '[ -f "$work/x/usr/share/doc/zkreg/threat-model.md.gz" ]'
check "declares runtime dependencies (libsodium, libseccomp, libsqlite3)" \
  'dpkg-deb -f "$a" Depends | grep -q libsodium && dpkg-deb -f "$a" Depends | grep -q libseccomp && dpkg-deb -f "$a" Depends | grep -q libsqlite3'
# (Outputs go to files first: with pipefail, grep -q closing the pipe early
# would fail the producer.)
readelf -h "$work/x/usr/bin/zkreg" >"$work/hdr" 2>&1; readelf -d "$work/x/usr/bin/zkreg" >"$work/dyn" 2>&1
nm -D "$work/x/usr/bin/zkreg" >"$work/syms" 2>&1
check "hardened: PIE, full RELRO (BIND_NOW), stack protector, fortify" \
  'grep -q "DYN" "$work/hdr" && grep -q "BIND_NOW" "$work/dyn" && grep -q " __stack_chk_fail@" "$work/syms" && grep -q "_chk@" "$work/syms"'
"$work/x/usr/bin/zkreg" __sandbox-test x >/dev/null 2>&1; hooks=$?
check "release build has no test hooks (__sandbox-test is a usage error, exit $hooks)" '[ $hooks -eq 2 ]'
check "the helper path compiled in is /usr/libexec" 'grep -q "/usr/libexec" "$work/x/usr/bin/zkreg"'
echo "1..$n"
exit $failed
