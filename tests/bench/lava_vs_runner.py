#!/usr/bin/env python3
"""One regression scenario run by LAVA's dispatcher (`lava-run`) and by
`vgw test`: the wall time of each and their ratio, in the same run.

    tests/bench/lava_vs_runner.py [--rounds N] [--scenario NAME]

As root (lava-run must be), after scripts/build.sh.  The scenario is a
LAVA interactive test from lava/scenarios/ (default maintenance-login:
commands typed on the maintenance port, replies matched by regex).  The
LAVA side is tests/system/test_lava.py's: a gateway provisioned once with
`vgw up` (not timed: a lab's board is provisioned before its jobs), then
per round render-job.py, lava-run (deploy the kernel, initramfs, flash
and keystore; boot -M vgw to its ready line; run the scenario) and
results-junit.py.  The `vgw test` side runs this same file as its
scenario (--replay): it types the same commands on the clone's
maintenance port (VGW_MAINT_SOCK) and matches the same regexes, so both
sides run the same steps; `vgw test` boots its origin, saves it and
restores a clone for the scenario, all inside the time measured.  Rounds
alternate the two.  Both must pass every step; nothing about speed is
asserted.  The output is TAP."""
import argparse
import datetime
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import yaml

PROMPT_TIMEOUT_S = 60


# -- the scenario replayed on the maintenance port (vgw test's side) ------

def read_to_prompt(sock, prompt):
    """What the port says until PROMPT ends it; raises socket.timeout."""
    data = b''
    while not data.endswith(prompt):
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError('the maintenance port closed after %r' % data[-200:])
        data += chunk
    return data.decode(errors='replace')


def replay(path):
    """Runs the LAVA interactive test at PATH on $VGW_MAINT_SOCK as LAVA
    does: each step's command typed, its successes matched against the
    reply before the next prompt; one TAP line per step.  Steps this
    replay does not know (no command, wait_for_prompt, failures) are a
    Bail out!, not a pass."""
    with open(path) as f:
        tests = yaml.safe_load(f)['interactive']
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(PROMPT_TIMEOUT_S)
    sock.connect(os.environ['VGW_MAINT_SOCK'])
    n = failed = 0
    for test in tests:
        prompt = test['prompts'][0].encode()
        sock.sendall(b'\n')
        read_to_prompt(sock, prompt)
        for step in test['script']:
            if not step.get('command') or set(step) - {'name', 'command', 'successes'}:
                print('Bail out! step %s: only command and successes are replayed' % step['name'])
                return 1
            sock.sendall(step['command'].encode() + b'\n')
            reply = read_to_prompt(sock, prompt)
            n += 1
            missing = [s['message'] for s in step.get('successes', [])
                       if not re.search(s['message'], reply)]
            print('%s %d - 0_%s/%s' % ('not ok' if missing else 'ok', n, test['name'],
                                       step['name']), flush=True)
            if missing:
                failed += 1
                print('#   no match for %r in %r' % (missing, reply))
    print('1..%d' % n)
    return 1 if failed or n == 0 else 0


# -- the benchmark ---------------------------------------------------------

def scenario_steps(path):
    """{suite: [step names in order]} of the LAVA scenario at PATH, the
    suite named as LAVA names it after one boot (test_lava.py's rule)."""
    with open(path) as f:
        return {'0_' + t['name']: [c['name'] for c in t['script']]
                for t in yaml.safe_load(f)['interactive']}


def lava_phases(log):
    """'name S s, ...': how long each top-level action of the lava-run log
    at LOG took, from its start and end lines' timestamps (validate logs
    no end line: it is left out)."""
    starts, out = {}, []
    with open(log, errors='replace') as f:
        for line in f:
            m = re.match(r'\{"dt": "([^"]+)", "lvl": "\w+", "msg": "(start|end): (\d+) (\S+)',
                         line)
            if m is None:
                continue
            t = datetime.datetime.fromisoformat(m.group(1))
            if m.group(2) == 'start':
                starts[m.group(3)] = t
            elif m.group(3) in starts:
                out.append('%s %.2f s' % (m.group(4), (t - starts[m.group(3)]).total_seconds()))
    return ', '.join(out)


def lava_round(run, board, scenario, steps, i):
    """Round I's LAVA job with SCENARIO, whose STEPS (scenario_steps())
    must all pass; (seconds, passed)."""
    import test_lava
    t0 = time.monotonic()
    job = test_lava.lava_job(run, board, 'bench%d' % i, [scenario])
    elapsed = time.monotonic() - t0
    if job is None:
        return elapsed, False
    rc, root, stderr, log = job
    run.note('lava-run actions: ' + lava_phases(log))
    got = {suite: test_lava.cases(root, suite) for suite in steps}
    passed = rc == 0 and got == {suite: dict.fromkeys(names, 'pass')
                                 for suite, names in steps.items()}
    run.check(passed, 'lava-run: each of the %d steps passed (results-junit.py)'
              % sum(map(len, steps.values())), '%s\n%s%s' % (got, stderr, test_lava.log_tail(log)))
    return elapsed, passed


def runner_round(run, wrapper, steps):
    """One `vgw test` of the replaying scenario WRAPPER, whose STEPS
    must all pass; (seconds, the scenario's own seconds from vgw test's
    line, passed)."""
    junit = os.path.join(run.state_root, 'runner.xml')
    p = run.vgw('test', '--timeout', '600', '--junit', junit, wrapper, timeout=1500)
    m = re.search(r'^ok 1/1 - \S+ \(([\d.]+) s\)', p.stdout, re.M)
    try:
        out = ''.join(e.text or '' for e in ET.parse(junit).getroot().iter('system-out'))
    except (OSError, ET.ParseError):
        out = ''
    want = ['%s/%s' % (suite, name) for suite, names in steps.items() for name in names]
    passed = (p.returncode == 0 and m is not None and
              re.findall(r'^ok \d+ - (\S+)$', out, re.M) == want)
    run.check(passed, 'vgw test: each of the %d steps passed' % len(want),
              p.stdout + p.stderr + out)
    return p.elapsed, float(m.group(1)) if m else None, passed


def test(run, rounds, scenario):
    import benchgw
    import test_lava
    run.note(benchgw.machine())
    if not run.check(os.geteuid() == 0, 'runs as root (lava-run must)'):
        return
    yaml_path = os.path.join(test_lava.SCENARIOS, scenario + '.yaml')
    wrapper = os.path.join(run.state_root, scenario)
    with open(wrapper, 'w') as f:
        f.write('#!/bin/sh\nexec %s %s --replay %s\n'
                % (sys.executable, os.path.abspath(__file__), yaml_path))
    os.chmod(wrapper, 0o755)
    steps = scenario_steps(yaml_path)
    board = test_lava.provision(run, 'lavagw')
    if board is None:
        return
    lava, runner, scenario_s = [], [], []
    for i in range(rounds):
        lava_s, lava_ok = lava_round(run, board, scenario, steps, i)
        test_s, own_s, test_ok = runner_round(run, wrapper, steps)
        run.note('round %d: lava-run job %.1f s, vgw test %.1f s (the scenario itself %s s)'
                 % (i + 1, lava_s, test_s, own_s))
        if lava_ok and test_ok:
            lava.append(lava_s)
            runner.append(test_s)
            scenario_s.append(own_s)
    if lava:
        ml, mr = statistics.median(lava), statistics.median(runner)
        run.note('median of %d: LAVA job (render, lava-run, results-junit) %.1f s, vgw test '
                 '(origin boot, snapshot, clone, scenario) %.1f s (scenario %.1f s); '
                 'LAVA / vgw test %.2fx' % (len(lava), ml, mr, statistics.median(scenario_s),
                                            ml / mr))
    run.note(benchgw.machine())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=1)
    ap.add_argument('--scenario', default='maintenance-login',
                    help='a LAVA scenario of lava/scenarios/ (without .yaml)')
    ap.add_argument('--replay', metavar='YAML',
                    help='be the scenario: replay YAML on $VGW_MAINT_SOCK (vgw test runs this)')
    args = ap.parse_args()
    if args.replay:
        return replay(args.replay)
    import benchgw  # the tree's vgw and tests/system on the path
    benchgw.vgwtest.main(lambda run: test(run, args.rounds, args.scenario))


if __name__ == '__main__':
    sys.exit(main())
