#!/usr/bin/env python3
"""Restore benchmark: `vgw up --from SNAPSHOT` against a cold `vgw up`, in
one run (issue 12's target: a restore ready in under 0.5 s, answering SIP
OPTIONS).

    tests/bench/restore.py [--rounds N]

Needs a built tree (scripts/build.sh).  A gateway is booted (its first
boot provisions it), saved as a snapshot and stopped; then each of N
rounds starts, one after the other: a factory first boot (a new state
directory, as boot.py's: the flash is written and the device key made),
a cold boot of the provisioned origin (its own flash and keystore, the
anchor), and a restore from the snapshot, so machine noise hits all
alike.  Each is measured two ways from the moment `vgw up` is started:
until `vgw up --detach` returns (ready), and until the first SIP OPTIONS
over UDP is answered 200 (an OPTIONS is sent every 20 ms from that
moment to the port `vgw up` is told to forward).  Prints each round, the
medians and the ratios of restore to the cold boots; nothing about speed
is asserted.  The output is TAP: a gateway that does not come up or
answer is a failed check."""
import os
import shutil
import statistics
import subprocess
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
    what = ' '.join(['vgw up --name', name] + list(extra))
    ok = run.check(proc.returncode == 0, what + ' reaches ready',
                   done.get('out', '') + run.console_tail(name))
    run.check(answered is not None, '%s answers an OPTIONS over UDP on %d with 200' % (name, port),
              run.console_tail(name))
    return (done['ready'] if ok else None), answered


def stop(run, name, remove):
    """Stops gateway NAME; REMOVE also deletes its state directory (the
    next factory round boots a new one; a clone's name is not reused)."""
    run.vgw('down', '--name', name, timeout=120)
    run.started.discard(name)
    if remove:
        shutil.rmtree(os.path.join(run.state_root, name), ignore_errors=True)


def median_line(what, values):
    """(the median of VALUES, a line saying WHAT it is and each value);
    None values (what did not happen) are left out."""
    got = [v for v in values if v is not None]
    if not got:
        return None, '%s: none' % what
    m = statistics.median(got)
    return m, '%s: median %.3f s (%s)' % (what, m, ', '.join('%.3f' % v for v in got))


# What a round starts, in order: (label, gateway name for round I, `vgw
# up` arguments, whether its state directory goes after it).
KINDS = [
    ('factory', lambda i: 'factory%d' % i, (), True),
    ('cold', lambda i: 'origin', (), False),
    ('restore', lambda i: 'clone%d' % i, ('--from', 'bench'), True),
]
LABELS = {
    'factory': 'factory first boot (a new state directory: flash written, device key made)',
    'cold': 'cold boot of the provisioned gateway the snapshot was saved from',
    'restore': 'restore from the snapshot',
}
MEASURES = {'ready': 'ready (`vgw up --detach` returns)', 'answered': 'the first 200 OK'}


def test(run, rounds):
    run.note(benchgw.machine())
    # The origin's first boot provisions it; its later boots are the
    # cold-boot anchor, from the same flash and keystore its snapshot has.
    if run.up('origin').returncode != 0:
        return
    snapshot = os.path.join(run.state_root, '.snapshots', 'bench')
    p = run.vgw('snapshot', 'save', '--name', 'origin', 'bench', timeout=300)
    if not run.check(p.returncode == 0, 'vgw snapshot save bench', p.stdout + p.stderr):
        return
    stop(run, 'origin', False)
    vmstate_mb = os.path.getsize(os.path.join(snapshot, 'vmstate')) / 2**20

    figures = {(kind, what): [] for kind, _, _, _ in KINDS for what in MEASURES}
    for i in range(rounds):
        for kind, name_of, extra, remove in KINDS:
            name = name_of(i)
            ready, answered = timed_up(run, name, *extra)
            figures[kind, 'ready'].append(ready)
            figures[kind, 'answered'].append(answered)
            stop(run, name, remove)
            run.note('round %d: %-7s to ready %s s, to the first 200 OK %s s'
                     % (i + 1, kind, '%.3f' % ready if ready is not None else '-',
                        '%.3f' % answered if answered is not None else '-'))

    run.note('snapshot vmstate %.1f MiB; %s' % (vmstate_mb, benchgw.machine()))
    medians = {}
    for kind, _, _, _ in KINDS:
        for what, until in MEASURES.items():
            medians[kind, what], line = median_line(
                '%s, `vgw up` start to %s' % (LABELS[kind], until), figures[kind, what])
            run.note(line)
    for what, until in MEASURES.items():
        r = medians['restore', what]
        for anchor in ('cold', 'factory'):
            a = medians[anchor, what]
            if a and r:
                run.note('to %s: restore / %s %.3fx (the %s takes %.1fx the restore)'
                         % (until, anchor, r / a, anchor, a / r))
    for what, until in MEASURES.items():
        r = medians['restore', what]
        if r is not None:
            run.note('target: restore to %s under %.1f s: %s (median %.3f s)'
                     % (until, TARGET_S, 'met' if r < TARGET_S else 'not met', r))


if __name__ == '__main__':
    benchgw.main(test, '--rounds', 3, 'rounds of each kind of start')
