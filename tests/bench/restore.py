#!/usr/bin/env python3
"""Restore benchmark: `vgw up --from SNAPSHOT` against a cold `vgw up`, in
one run (issue 12's target: a restore ready in under 0.5 s, answering SIP
OPTIONS).

    tests/bench/restore.py [--rounds N]

Needs a built tree (scripts/build.sh).  A gateway is booted, saved as a
snapshot and stopped; then N rounds alternate a cold boot (a fresh state
directory: a factory first boot, as boot.py's) and a restore from the
snapshot, so machine noise hits both alike.  Each is measured two ways
from the moment `vgw up` is started: until `vgw up --detach` returns
(ready), and until the first SIP OPTIONS over UDP is answered 200 (an
OPTIONS is sent every 20 ms from that moment to the port `vgw up` is
told to forward).  Prints each round, the medians and the ratio of
restore to cold boot; nothing about speed is asserted.  The output is
TAP: a gateway that does not come up or answer is a failed check."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

import benchgw
import tlspeers
import vgwtest

TARGET_S = 0.5


def timed_up(run, name, *extra):
    """Starts `vgw up --name NAME --detach EXTRA` with SIP on a free port;
    returns (seconds to ready, seconds to the first OPTIONS answered 200),
    each from the start, None for what did not happen (with a failed
    check)."""
    port = tlspeers.free_port()
    argv = [vgwtest.VGW, 'up', '--name', name, '--detach', '--sip-port', str(port),
            '--sip-tls-port', '0'] + list(extra)
    run.started.add(name)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, env=run.env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done = {}

    def wait():
        done['out'] = proc.communicate(timeout=600)[0]
        done['ready'] = time.monotonic() - t0

    waiter = threading.Thread(target=wait)
    waiter.start()
    answered = benchgw.first_200_udp(port, t0)
    waiter.join()
    ok = run.check(proc.returncode == 0, 'vgw up --name %s %s reaches ready' % (name, ' '.join(extra)),
                   done.get('out', '') + run.console_tail(name))
    run.check(answered is not None, '%s answers an OPTIONS over UDP on %d with 200' % (name, port),
              run.console_tail(name))
    return (done['ready'] if ok else None), answered


def discard(run, name):
    """Stops gateway NAME and removes its state directory (the next cold
    round is a factory first boot; a clone's name is not reused)."""
    run.vgw('down', '--name', name, timeout=120)
    run.started.discard(name)
    shutil.rmtree(os.path.join(run.state_root, name), ignore_errors=True)


def median_line(what, values):
    got = [v for v in values if v is not None]
    if not got:
        return None, '%s: none' % what
    m = statistics.median(got)
    return m, '%s: median %.3f s (%s)' % (what, m, ', '.join('%.3f' % v for v in got))


def test(run, rounds):
    run.note(benchgw.machine())
    if run.up('origin').returncode != 0:
        return
    snapshot = os.path.join(run.state_root, '.snapshots', 'bench')
    p = run.vgw('snapshot', 'save', '--name', 'origin', 'bench', timeout=300)
    if not run.check(p.returncode == 0, 'vgw snapshot save bench', p.stdout + p.stderr):
        return
    discard(run, 'origin')
    vmstate_mb = os.path.getsize(os.path.join(snapshot, 'vmstate')) / 2**20

    cold, restored = {'ready': [], 'answered': []}, {'ready': [], 'answered': []}
    for i in range(rounds):
        for label, figures, name, extra in (('cold', cold, 'cold%d' % i, ()),
                                            ('restore', restored, 'clone%d' % i,
                                             ('--from', 'bench'))):
            ready, answered = timed_up(run, name, *extra)
            figures['ready'].append(ready)
            figures['answered'].append(answered)
            discard(run, name)
            run.note('round %d: %-7s to ready %s s, to the first 200 OK %s s'
                     % (i + 1, label, '%.3f' % ready if ready is not None else '-',
                        '%.3f' % answered if answered is not None else '-'))

    run.note('snapshot vmstate %.1f MiB; %s' % (vmstate_mb, benchgw.machine()))
    medians = {}
    for label, figures in (('cold boot', cold), ('restore', restored)):
        for what in ('ready', 'answered'):
            medians[label, what], line = median_line(
                '%s, `vgw up` start to %s' % (label, 'ready' if what == 'ready'
                                               else 'the first 200 OK'), figures[what])
            run.note(line)
    for what in ('ready', 'answered'):
        c, r = medians['cold boot', what], medians['restore', what]
        if c and r:
            run.note('restore / cold boot to %s: %.3fx (cold boot %.1fx the restore)'
                     % ('ready' if what == 'ready' else 'the first 200 OK', r / c, c / r))
    r = medians['restore', 'answered']
    if r is not None:
        run.note('target: restore to the first 200 OK under %.1f s: %s (median %.3f s)'
                 % (TARGET_S, 'met' if r < TARGET_S else 'not met', r))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=3)
    args = ap.parse_args()
    vgwtest.main(lambda run: test(run, args.rounds))


if __name__ == '__main__':
    sys.exit(main())
