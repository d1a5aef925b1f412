#!/usr/bin/env python3
"""Counts TAP results (or whole-test results for non-TAP tests) from meson's
testlog.json in each build directory and prints 'N passed, N failed[, N skipped]'.
A test program that crashed, timed out or failed without a TAP failure
counts as one failure, so nothing is hidden by a missing TAP line."""
import json, os, re, sys

passed = failed = skipped = 0
missing = 0
for d in sys.argv[1:]:
    path = os.path.join(d, 'meson-logs', 'testlog.json')
    if not os.path.exists(path):
        missing += 1
        continue
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            res = t.get('result')
            out = t.get('stdout') or ''
            oks = nots = skips = 0
            if t.get('protocol') == 'tap' or re.search(r'^1\.\.\d+', out, re.M):
                for l in out.splitlines():
                    if re.match(r'^ok\b', l):
                        if re.search(r'#\s*skip', l, re.I): skips += 1
                        else: oks += 1
                    elif re.match(r'^not ok\b', l):
                        if re.search(r'#\s*(skip|todo)', l, re.I): skips += 1
                        else: nots += 1
            if oks + nots + skips == 0:
                if res == 'OK': oks = 1
                elif res == 'SKIP': skips = 1
                else: nots = 1
            elif res not in ('OK', 'SKIP') and nots == 0:
                nots = 1
            passed += oks; failed += nots; skipped += skips
failed += missing
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
