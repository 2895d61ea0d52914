#!/usr/bin/env python3
"""`vgw test` (issue 12, "Running regression"): the shipped scenarios pass
on clones of one gateway, two at a time, with a JUnit report a CI system
reads; a failing scenario fails the run and its testcase says why; the
seed is in the report; nothing is left running or saved afterwards."""
import json
import os
import re
import xml.etree.ElementTree as ET

import vgwtest

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.normpath(os.path.join(HERE, '..', 'scenarios'))
FAILING = os.path.join(HERE, 'scenario_fails.sh')
HANGING = os.path.join(HERE, 'scenario_hangs.sh')


def shipped():
    # vgw test's rule: executable files (a directory is none).
    return sorted(f for f in os.listdir(SCENARIOS)
                  if not f.startswith('.') and os.path.isfile(os.path.join(SCENARIOS, f)) and
                  os.access(os.path.join(SCENARIOS, f), os.X_OK))


def report(run, path):
    """The JUnit file at PATH: (testsuite element, {name: testcase}), or
    (None, {}) with a failed check."""
    try:
        suite = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        run.check(False, 'the JUnit report %s parses as XML' % os.path.basename(path), e)
        return None, {}
    run.check(suite.tag == 'testsuite', 'the report is one <testsuite>', suite.tag)
    return suite, {tc.get('name'): tc for tc in suite.iter('testcase')}


def seed_property(suite):
    for p in suite.iter('property'):
        if p.get('name') == 'seed':
            return p.get('value')
    return None


def nothing_left(run, what):
    p = run.vgw('list', '--json')
    listed = json.loads(p.stdout) if p.returncode == 0 else None
    # Whatever vgw test left running is stopped when the run ends.
    run.started.update(g.get('name') for g in listed or [])
    run.check(listed is not None and all(g.get('state') != 'running' for g in listed),
              '%s: no gateway left running' % what, p.stdout + p.stderr)
    p = run.vgw('snapshot', 'list')
    run.check(p.returncode == 0 and p.stdout.strip() == '',
              '%s: the snapshot is deleted' % what, p.stdout + p.stderr)
    return listed or []


def test(run):
    names = shipped()
    run.check(len(names) >= 3, 'tests/scenarios ships 3 or more scenarios', names)
    issue = {'tls-mutual.py', 'tls-to-proxy.py', 'cert-rotation.sh', 'sip-call.sh'}
    run.check(issue <= set(names), 'among them the example scenarios: mutual TLS from a client, '
              'TLS towards a proxy, a certificate rotation, a SIP call', names)

    junit = os.path.join(run.state_root, 'pass.xml')
    p = run.vgw('test', '--jobs', '2', '--junit', junit, '--seed', '42', SCENARIOS,
                timeout=1800)
    run.check(p.returncode == 0, 'vgw test --jobs 2 tests/scenarios exits 0',
              p.stdout + p.stderr)
    run.check('%d passed, 0 failed (seed 42)' % len(names) in p.stdout,
              'its summary counts every scenario passed, with the seed', p.stdout)
    suite, cases = report(run, junit)
    if suite is not None:
        run.check(suite.get('tests') == str(len(names)) and suite.get('failures') == '0',
                  'the report counts %d tests, 0 failures' % len(names), suite.attrib)
        run.check(sorted(cases) == names, 'one testcase per scenario, named after it',
                  sorted(cases))
        run.check(all(tc.find('failure') is None for tc in cases.values()),
                  'no testcase carries a failure', ET.tostring(suite, encoding='unicode'))
        run.check(all(re.search(r'^ok \d', tc.findtext('system-out') or '', re.M)
                      for tc in cases.values()),
                  'each testcase holds its scenario\'s TAP lines',
                  ET.tostring(suite, encoding='unicode'))
        run.check(seed_property(suite) == '42', 'the report records --seed 42 as a property',
                  seed_property(suite))
    left = nothing_left(run, 'after the passing run')
    run.check(left == [], 'the clones of passed scenarios leave no state directory', left)

    junit = os.path.join(run.state_root, 'fail.xml')
    p = run.vgw('test', '--jobs', '2', '--junit', junit,
                os.path.join(SCENARIOS, 'maint-status.py'), FAILING, timeout=1800)
    m = re.search(r'^vgw: 1 of 2 scenarios failed \(seed (\d+)\)$', p.stderr, re.M)
    run.check(p.returncode == 1 and m is not None,
              'with a failing scenario vgw test exits 1: "1 of 2 scenarios failed (seed N)"',
              p.stdout + p.stderr)
    suite, cases = report(run, junit)
    text = ''
    if suite is not None:
        run.check(suite.get('tests') == '2' and suite.get('failures') == '1',
                  'the report counts 2 tests, 1 failure', suite.attrib)
        bad = cases.get('scenario_fails.sh')
        failure = bad.find('failure') if bad is not None else None
        text = (failure.text or '') if failure is not None else ''
        run.check('not ok 2 - a check that fails on purpose' in text and
                  'scenario_fails: failing on purpose' in text,
                  'the failing testcase\'s failure holds its failing TAP line and its stderr',
                  ET.tostring(suite, encoding='unicode'))
        good = cases.get('maint-status.py')
        run.check(good is not None and good.find('failure') is None,
                  'the other scenario passes beside it', ET.tostring(suite, encoding='unicode'))
        run.check(m is not None and seed_property(suite) == m.group(1),
                  'without --seed a seed is drawn, printed and recorded in the report',
                  (seed_property(suite), p.stderr))
    kept = re.search(r"gateway '([^']+)' kept in", text)
    left = nothing_left(run, 'after the failing run')
    run.check(kept is not None and [g.get('name') for g in left] == [kept.group(1)],
              'only the failed scenario\'s clone is kept, and its failure names it', left)

    junit = os.path.join(run.state_root, 'hang.xml')
    p = run.vgw('test', '--timeout', '5', '--junit', junit, HANGING, timeout=1800)
    suite, cases = report(run, junit)
    hung = cases.get('scenario_hangs.sh')
    failure = hung.find('failure') if hung is not None else None
    run.check(p.returncode == 1 and failure is not None and
              failure.get('message') == 'timed out after 5 s (killed)',
              'a scenario past --timeout is killed and fails: "timed out after 5 s (killed)"',
              p.stdout + p.stderr + (ET.tostring(suite, encoding='unicode')
                                     if suite is not None else ''))
    nothing_left(run, 'after the timed-out run')

    no_gateway(run)

    p = run.vgw('test', os.path.join(run.state_root, 'no-such-scenario'))
    run.check(p.returncode == 2 and 'no such file or directory' in p.stderr,
              'a path that does not exist is a usage error (exit 2), before any boot',
              p.stdout + p.stderr)


def no_gateway(run):
    """--no-gateway --tap, as the project's own system tests run: no
    gateway is booted, the scenarios' checks come out as one TAP stream,
    and failures no check shows get a check of their own."""
    own = os.path.join(run.state_root, 'own_gateway.sh')
    with open(own, 'w') as f:
        f.write('#!/bin/sh\n'
                '[ -z "$VGW_NAME$VGW_SIP_PORT" ] && echo "ok 1 - no clone in the environment" ||'
                ' echo "not ok 1 - a clone: $VGW_NAME $VGW_SIP_PORT"\n'
                '[ "$VGW_SEED" = 7 ] && echo "ok 2 - VGW_SEED is --seed" ||'
                ' echo "not ok 2 - VGW_SEED=$VGW_SEED"\n'
                '"$VGW" list >/dev/null && echo "ok 3 - VGW runs"\n'
                'echo 1..3\n')
    os.chmod(own, 0o755)
    junit = os.path.join(run.state_root, 'own.xml')
    p = run.vgw('test', '--no-gateway', '--tap', '--seed', '7', '--timeout', '5', '--jobs', '2',
                '--junit', junit, own, FAILING, HANGING, timeout=600)
    checks = re.findall(r'^(ok|not ok) (\d+)(.*)$', p.stdout, re.M)
    plan = re.findall(r'^1\.\.(\d+)$', p.stdout, re.M)
    run.check(p.returncode == 1 and 'booting' not in p.stdout,
              'vgw test --no-gateway boots nothing, and fails when a scenario fails (exit 1)',
              p.stdout + p.stderr)
    run.check([int(n) for _, n, _ in checks] == list(range(1, len(checks) + 1)) and
              plan == [str(len(checks))],
              'the TAP stream numbers every check once, in order, with one plan that counts them',
              p.stdout)
    mine = [(r, d) for r, _, d in checks]
    run.check(mine.count(('ok', ' - no clone in the environment')) == 1 and
              mine.count(('ok', ' - VGW_SEED is --seed')) == 1 and
              mine.count(('ok', ' - VGW runs')) == 1,
              'a scenario sees VGW and --seed, and no clone', p.stdout)
    run.check(('not ok', ' - a check that fails on purpose') in mine and
              '# scenario_fails: failing on purpose' in p.stdout,
              'a failing check is relayed as it is, its stderr as comments', p.stdout)
    run.check(('not ok', ' - scenario_hangs.sh: timed out after 5 s (killed)') in mine,
              'a scenario killed at --timeout gets a failed check of its own', p.stdout)
    # own_gateway.sh 3, scenario_fails.sh 2, scenario_hangs.sh 1 and its kill.
    run.check(len(checks) == 7 and '# 1 passed, 2 failed (seed 7)' in p.stdout,
              'each check once (3 + 2 + 1 + 1), the scenarios counted in a comment', p.stdout)
    suite, cases = report(run, junit)
    run.check(suite is not None and suite.get('tests') == '3' and suite.get('failures') == '2' and
              seed_property(suite) == '7',
              'the JUnit report counts the 3 scenarios and records the seed',
              ET.tostring(suite, encoding='unicode') if suite is not None else '')
    nothing_left(run, 'after the --no-gateway run')


if __name__ == '__main__':
    vgwtest.main(test)
