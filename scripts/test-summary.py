#!/usr/bin/env python3
"""Sums a meson testlog.json: per suite, the test programs and the checks.

A test program is one meson test (one executable or script run).  A check
is one "ok"/"not ok" line of a TAP program; a program that is not TAP
counts as one check.  So "12 programs, 340 checks" says how much was run
and how finely it was reported, and a check is not a behaviour: one
system test may check one power cut per line or a hundred in one line.

A TAP program that crashed or timed out after some checks adds one
failed check for the run itself, so a crash is never hidden behind the
checks that passed before it; a TAP program that printed no check
counts as one.  Prints one line per suite, a total line, then
"N passed, N failed[, N skipped]" over the checks, last and alone on its
line.  Exits 1 if any check failed or no test ran.
"""
import json
import re
import sys
from collections import defaultdict

TAP_LINE = re.compile(r'^(not ok|ok)\b(.*)$')
PASSED, FAILED, SKIPPED = range(3)


def count_tap(stdout):
    """[passed, failed, skipped] over the TAP lines of |stdout|."""
    counts = [0, 0, 0]
    for line in stdout.splitlines():
        m = TAP_LINE.match(line)
        if not m:
            continue
        directive = m.group(2)
        if m.group(1) == 'ok':
            counts[SKIPPED if re.search(r'#\s*skip', directive, re.I) else PASSED] += 1
        else:
            counts[SKIPPED if re.search(r'#\s*todo', directive, re.I) else FAILED] += 1
    return counts


def verdict(result):
    """What meson's result for a whole program counts as."""
    if result in ('OK', 'EXPECTEDFAIL'):
        return PASSED
    if result == 'SKIP':
        return SKIPPED
    return FAILED


def checks_of(test):
    """[passed, failed, skipped] checks of one testlog entry."""
    result = test.get('result', '')
    stdout = test.get('stdout') or ''
    counts = [0, 0, 0]
    if test.get('protocol') == 'tap' or re.search(r'^(ok|not ok) \d', stdout, re.M):
        counts = count_tap(stdout)
        if verdict(result) == FAILED and counts[FAILED] == 0:
            counts[FAILED] = 1
        if sum(counts) == 0:
            counts[verdict(result)] = 1
    else:
        counts[verdict(result)] = 1
    return counts


def plural(n, word):
    return '%d %s%s' % (n, word, '' if n == 1 else 's')


def main(path):
    programs = defaultdict(lambda: [0, 0, 0])
    checks = defaultdict(lambda: [0, 0, 0])
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                test = json.loads(line)
            except ValueError as e:
                # A damaged log is a failed run, said in one line.
                print('test-summary: %s: unreadable entry (%s)' % (path, e))
                test = {'name': 'vgw:log / unreadable', 'result': 'ERROR'}
            # meson names a test "project:suite / name"
            suite = test.get('name', '?').split(' / ')[0].split(':')[-1]
            programs[suite][verdict(test.get('result', ''))] += 1
            checks[suite] = [a + b for a, b in zip(checks[suite], checks_of(test))]

    def describe(prog, chk):
        return '%s (%d passed, %d failed, %d skipped), %s (%d passed, %d failed, %d skipped)' % (
            plural(sum(prog), 'program'), *prog, plural(sum(chk), 'check'), *chk)

    total_prog, total_chk = [0, 0, 0], [0, 0, 0]
    for suite in sorted(programs):
        print('suite %-8s %s' % (suite, describe(programs[suite], checks[suite])))
        total_prog = [a + b for a, b in zip(total_prog, programs[suite])]
        total_chk = [a + b for a, b in zip(total_chk, checks[suite])]
    print('total          %s; the line below counts checks' % describe(total_prog, total_chk))
    line = '%d passed, %d failed' % (total_chk[PASSED], total_chk[FAILED])
    if total_chk[SKIPPED]:
        line += ', %d skipped' % total_chk[SKIPPED]
    print(line)
    return 1 if total_chk[FAILED] or total_prog[FAILED] or not total_chk[PASSED] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
