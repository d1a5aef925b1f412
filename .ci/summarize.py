#!/usr/bin/env python3
"""Counts TAP results (or whole-test results for non-TAP tests) from meson's
testlog.json in each build directory and prints 'N passed, N failed[, N skipped]'.
A test program that crashed, timed out or failed without a TAP failure
counts as one failure, so nothing is hidden by a missing TAP line.
An argument ending in .tap (e.g. build-ci-afl/smoke.tap from .ci/fuzz-smoke)
is read as one TAP test's output; a missing one counts as a failure.
Before that line it names every failed test and its first failing TAP lines
(a CI log's tail is often all a reader gets; meson's own failure summary
is printed before the sanitizer build's whole run)."""
import json, os, re, sys

passed = failed = skipped = 0
missing = 0
report = []
def tap_file(path):
    oks = nots = skips = 0
    with open(path) as f:
        for l in f:
            if re.match(r'^ok\b', l):
                if re.search(r'#\s*skip', l, re.I): skips += 1
                else: oks += 1
            elif re.match(r'^not ok\b', l):
                nots += 1
    if oks + nots + skips == 0:
        nots = 1
    return oks, nots, skips

for d in sys.argv[1:]:
    if d.endswith('.tap'):
        if not os.path.isfile(d):
            missing += 1
            report.append(f"FAILED {d}: missing")
            continue
        o, n, s = tap_file(d)
        passed += o; failed += n; skipped += s
        if n:
            report.append(f"FAILED {d}: {n} failed")
        continue
    path = os.path.join(d, 'meson-logs', 'testlog.json')
    if not os.path.exists(path):
        missing += 1
        report.append(f"FAILED {d}: no {path}")
        continue
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            res = t.get('result')
            out = t.get('stdout') or ''
            oks = nots = skips = 0
            bad = []
            if t.get('protocol') == 'tap' or re.search(r'^1\.\.\d+', out, re.M):
                for l in out.splitlines():
                    if re.match(r'^ok\b', l):
                        if re.search(r'#\s*skip', l, re.I): skips += 1
                        else: oks += 1
                    elif re.match(r'^not ok\b', l):
                        if re.search(r'#\s*(skip|todo)', l, re.I): skips += 1
                        else:
                            nots += 1
                            bad.append(l)
            if oks + nots + skips == 0:
                if res == 'OK': oks = 1
                elif res == 'SKIP': skips = 1
                else: nots = 1
            elif res not in ('OK', 'SKIP') and nots == 0:
                nots = 1
            passed += oks; failed += nots; skipped += skips
            if nots:
                name = t.get('name', '?')
                report.append(f"FAILED {os.path.basename(d)} / {name} ({res}, {nots} failed, seed line: "
                              f"{next((l for l in out.splitlines() if l.startswith('# seed')), 'none')})")
                report.extend('  ' + l[:300] for l in bad[:5])
                if not bad:
                    tail = (out + (t.get('stderr') or '')).strip().splitlines()[-3:]
                    report.extend('  | ' + l[:300] for l in tail)
failed += missing
for r in report:
    print(r)
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
