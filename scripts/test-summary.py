#!/usr/bin/env python3
"""Sums a meson testlog.json over test cases.

A TAP test counts each of its "ok"/"not ok" lines; any other test counts
as one case.  A TAP test that crashed or timed out after some cases adds
one failure for the run itself, so a crash is never hidden behind the
cases that passed before it.  Prints one line per suite, then
"N passed, N failed[, N skipped]" last.  Exits 1 if anything failed.
"""
import json
import re
import sys
from collections import defaultdict

TAP_LINE = re.compile(r'^(not ok|ok)\b(.*)$')


def count_tap(stdout):
    passed = failed = skipped = 0
    for line in stdout.splitlines():
        m = TAP_LINE.match(line)
        if not m:
            continue
        directive = m.group(2)
        if m.group(1) == 'ok':
            if re.search(r'#\s*skip', directive, re.I):
                skipped += 1
            else:
                passed += 1
        else:
            if re.search(r'#\s*todo', directive, re.I):
                skipped += 1
            else:
                failed += 1
    return passed, failed, skipped


def main(path):
    per_suite = defaultdict(lambda: [0, 0, 0])
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            t = json.loads(line)
            # meson names a test "project:suite / name"
            suite = t.get('name', '?').split(' / ')[0].split(':')[-1]
            result = t.get('result', '')
            p = fl = s = 0
            if t.get('protocol') == 'tap' or re.search(r'^(ok|not ok) \d', t.get('stdout') or '', re.M):
                p, fl, s = count_tap(t.get('stdout') or '')
                if result not in ('OK', 'SKIP', 'EXPECTEDFAIL') and fl == 0:
                    fl = 1
                if p + fl + s == 0:
                    if result == 'SKIP':
                        s = 1
                    elif result == 'OK':
                        p = 1
                    else:
                        fl = 1
            elif result in ('OK', 'EXPECTEDFAIL'):
                p = 1
            elif result == 'SKIP':
                s = 1
            else:
                fl = 1
            acc = per_suite[suite]
            acc[0] += p
            acc[1] += fl
            acc[2] += s
    total = [0, 0, 0]
    for suite in sorted(per_suite):
        p, fl, s = per_suite[suite]
        print('suite %-8s %d passed, %d failed, %d skipped' % (suite, p, fl, s))
        total = [a + b for a, b in zip(total, (p, fl, s))]
    line = '%d passed, %d failed' % (total[0], total[1])
    if total[2]:
        line += ', %d skipped' % total[2]
    print(line)
    return 1 if total[1] or not total[0] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
