#!/usr/bin/env python3
"""The system suite's wall time through `vgw test --no-gateway`, one test
at a time (the anchor, as scripts/check.sh runs them) and N at a time,
measured in the same run.

    tests/bench/suite_jobs.py [--jobs 1,2,3] [--only NAME,NAME...] [--skip NAME,...]

Needs a built tree (scripts/build.sh).  Runs the system tests the meson
suite runs (tests/meson.build's system_tests list) in its order, once
per job count, and prints each run's wall time, how many tests passed,
and its ratio to --jobs 1.  A run whose tests fail is reported as such:
a faster run that fails more is not a better job count.  `lava` needs
root; run as root or --skip it.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(TOP, 'build')
VGW = os.path.join(BUILD, 'host', 'host-tools', 'vgw')
SYSTEM = os.path.join(TOP, 'tests', 'system')


def system_tests():
    """The names in tests/meson.build's system_tests list, in its order."""
    with open(os.path.join(TOP, 'tests', 'meson.build')) as f:
        text = f.read()
    block = re.search(r'system_tests = \[(.*?)\]', text, re.S)
    if block is None:
        sys.exit('suite_jobs: no system_tests list in tests/meson.build')
    return re.findall(r"'([a-z0-9_]+)'", block.group(1))


def run_suite(tests, jobs, timeout_s):
    """(seconds, passed, failed, failed names) of one `vgw test` run."""
    env = dict(os.environ,
               VGW=VGW,
               VGW_QEMU=os.path.join(BUILD, 'qemu', 'qemu-system-aarch64'),
               VGW_IMAGES=os.path.join(BUILD, 'images'),
               VGW_SIP_ORACLE=os.path.join(BUILD, 'host', 'tests', 'sip-oracle'),
               PYTHONDONTWRITEBYTECODE='1')
    paths = [os.path.join(SYSTEM, 'test_%s.py' % t) for t in tests]
    with tempfile.NamedTemporaryFile(suffix='.xml') as junit:
        t0 = time.monotonic()
        p = subprocess.run([VGW, 'test', '--no-gateway', '--jobs', str(jobs),
                            '--timeout', str(timeout_s), '--junit', junit.name] + paths,
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        seconds = time.monotonic() - t0
    ended = re.findall(r'^(ok|not ok) \d+/\d+ - (\S+)', p.stdout, re.M)
    if len(ended) != len(tests):
        sys.exit('suite_jobs: vgw test ended %d of %d tests (exit %d):\n%s' % (
            len(ended), len(tests), p.returncode, p.stdout[-2000:]))
    failed = [name for verdict, name in ended if verdict == 'not ok']
    return seconds, len(ended) - len(failed), len(failed), failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--jobs', default='1,2,3', help='job counts, comma-separated (first: anchor)')
    ap.add_argument('--only', default='', help='run only these system tests')
    ap.add_argument('--skip', default='', help='leave these system tests out')
    ap.add_argument('--timeout', type=int, default=1140, help='each test\'s time limit (s)')
    args = ap.parse_args()

    tests = system_tests()
    if args.only:
        only = args.only.split(',')
        unknown = sorted(set(only) - set(tests))
        if unknown:
            sys.exit('suite_jobs: not system tests: %s' % ', '.join(unknown))
        tests = [t for t in tests if t in only]
    skip = set(args.skip.split(',')) if args.skip else set()
    tests = [t for t in tests if t not in skip]
    job_counts = [int(j) for j in args.jobs.split(',')]
    print('%d system tests; job counts %s; load %s' % (
        len(tests), job_counts, ' '.join(open('/proc/loadavg').read().split()[:3])), flush=True)

    rows = []
    for jobs in job_counts:
        seconds, passed, failed, names = run_suite(tests, jobs, args.timeout)
        rows.append((jobs, seconds, passed, failed))
        print('--jobs %d: %.0f s, %d passed, %d failed%s' % (
            jobs, seconds, passed, failed, (' (%s)' % ', '.join(names)) if names else ''),
            flush=True)

    anchor = rows[0][1]
    print('| --jobs | wall time | passed | failed | vs --jobs %d |' % rows[0][0])
    print('| --- | --- | --- | --- | --- |')
    for jobs, seconds, passed, failed in rows:
        print('| %d | %.0f s | %d | %d | %.2fx |' % (jobs, seconds, passed, failed, seconds / anchor))
    return 0 if all(r[3] == 0 for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
