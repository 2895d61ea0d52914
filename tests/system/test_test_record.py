#!/usr/bin/env python3
"""`vgw test --record DIR` (issue 12, reproducible failures): each
scenario runs on a gateway of its own booted under QEMU's record/replay;
a passed scenario's recording is deleted, a failed one's is kept and its
failure names the command that replays it, and that command replays the
recorded run to its end instruction count with the recorded console."""
import json
import os
import re

import vgwtest
from test_replay import replays_to_end
from test_runner import report

HERE = os.path.dirname(os.path.abspath(__file__))
PASSING = os.path.join(HERE, 'scenario_options.py')
FAILING = os.path.join(HERE, 'scenario_options_fails.py')


def test(run):
    recordings = os.path.join(run.state_root, 'recordings')
    p = run.vgw('test', '--record', recordings, '--no-gateway', PASSING, timeout=60)
    run.check(p.returncode == 2 and '--record takes no --no-gateway' in p.stderr
              and not os.path.exists(recordings),
              '--record with --no-gateway is a usage error', p.stdout + p.stderr)

    junit = os.path.join(run.state_root, 'record.xml')
    p = run.vgw('test', '--record', recordings, '--jobs', '2', '--seed', '7', '--junit', junit,
                PASSING, FAILING, timeout=1800)
    run.check(p.returncode == 1, 'vgw test --record with a failing scenario exits 1',
              p.stdout + p.stderr)
    run.check('1 passed, 1 failed (seed 7)' in p.stdout,
              'its summary counts one passed, one failed, with the seed', p.stdout)
    listed = run.vgw('list', '--json')
    gateways = json.loads(listed.stdout) if listed.returncode == 0 else []
    run.started.update(g.get('name') for g in gateways)
    run.check(listed.returncode == 0 and all(g.get('state') != 'running' for g in gateways),
              'no gateway is left running', listed.stdout + listed.stderr)

    run.check(not os.path.exists(os.path.join(recordings, os.path.basename(PASSING))),
              'the passed scenario\'s recording is deleted', os.listdir(recordings)
              if os.path.isdir(recordings) else 'no ' + recordings)
    kept = os.path.join(recordings, os.path.basename(FAILING))
    run.check(os.path.isfile(os.path.join(kept, 'end.icount')),
              'the failed scenario\'s recording is kept, with its end instruction count',
              os.listdir(kept) if os.path.isdir(kept) else 'no ' + kept)

    suite, cases = report(run, junit)
    passed = cases.get(os.path.basename(PASSING))
    run.check(passed is not None and passed.find('failure') is None
              and re.search(r'^ok \d+ - VGW_MAINT_SOCK is empty', passed.findtext('system-out')
                            or '', re.M) is not None,
              'the passed scenario got an empty VGW_MAINT_SOCK and its OPTIONS answered',
              None if passed is None else passed.findtext('system-out'))
    failed = cases.get(os.path.basename(FAILING))
    failure = failed.find('failure') if failed is not None else None
    message = failure.get('message', '') if failure is not None else ''
    command = re.search(r'replay it: (vgw up --replay (\S+) --name (\S+)-replay)$', message)
    if not run.check(command is not None and command.group(2) == kept,
                     'the failure in the report names the command that replays the recording',
                     message):
        return
    run.check(command.group(1) in p.stdout, 'so does the run\'s not ok line', p.stdout)
    # Another run into the same DIR must not name the first run's recording.
    again = run.vgw('test', '--record', recordings, '--seed', '7', FAILING, timeout=600)
    run.check(again.returncode == 1 and 'exists' in again.stdout
              and 'replay it' not in again.stdout,
              'a scenario whose recording directory exists fails and names no replay',
              again.stdout + again.stderr)
    # The recording gateway (the failed scenario's, kept) holds the
    # recorded console; the command's replay must match it.
    recorder = command.group(3)
    replays_to_end(run, kept, recorder + '-replay', recorder)


if __name__ == '__main__':
    vgwtest.main(test)
