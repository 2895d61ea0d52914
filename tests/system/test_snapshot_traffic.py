#!/usr/bin/env python3
"""`vgw snapshot save` in the middle of traffic, and a clone restored from
it (issue 12, Snapshots).

A booted gateway carries a SIP-over-TLS load (tests/system/tlsload.py:
persistent connections sending OPTIONS after OPTIONS, and threads opening
new connections, each a full handshake the crypto engine signs) and SIPp
sending OPTIONS over UDP; it is saved while both run.

What a user checks on the origin: SIPp got every answer, every OPTIONS on
the persistent connections got its 200 and none was dropped, every new
connection completed; the save paused the gateway (the longest any
persistent connection went without an answer across the save is printed);
the gateway did not reset.

On a clone started from that snapshot: it answers new TLS handshakes
(signed by the engine: the engine's signature count grows, so no command
in flight at save time left it hung) and SIPp's OPTIONS on its own ports;
the engine generates a key in a free slot; reset count, cause and crash
count are the origin's (the watchdog did not fire on the restored timers);
its LAN has the address its DHCP lease gave the origin; each persistent
connection open at save time is logged closed on its console (slirp
resets it once the clone writes to it; one waiting for its peer's next
request is closed when idle, after sip.tls.idle_timeout_s, 300 s: the test
then takes about 6 minutes) and none is left; its console log after the restore has no
flood of timeouts or retransmissions (at most one
line per connection that was open at save time).  Those connections are
gone in the clone: slirp's NAT state is host-side and not migrated, so
nothing on the host reaches them (expected, host-tools/README.md
"Snapshots"); the clone's own view of them is printed."""
import json
import re
import threading
import time

import siptest
import tlsload
import vgwtest
from test_snapshot import answers

PERSISTENT, OPENERS = 4, 2
# SIPp's OPTIONS at 5 per second: at least SIPP_CALLS / 5 s of traffic,
# far longer than the save (under a second), which starts with SIPp.
SIPP_CALLS = 150
KEYSTORE_SLOTS = 16
# Bounds on a stuck load only: progress is what is waited for.
PROGRESS_TIMEOUT = 600
# What a restored timer that fires logs on the console.
# What a restored timer that fires, or a kernel upset by a restore, logs on
# the console.
TIMER_LINE = re.compile(r'time[sd]? ?out|retransmi|expired|idle for|watchdog|stall|'
                        r'soft lockup|hung task|hrtimer|clocksource', re.IGNORECASE)
# How the firmware logs a connection it closes or loses.
CLOSED_LINE = re.compile(r'closed|closing|ended by|gone', re.IGNORECASE)


def counts(st):
    """What must survive a save and a restore unchanged."""
    return {k: st.get(k) for k in ('reset_count', 'reset_cause', 'crash_count')}


def lan_address(st):
    return next((i.get('ipv4') for i in st.get('interfaces') or [] if i.get('name') == 'lan'),
                None)


def engine_signatures(run, gw):
    return run.tls_status(gw).get('engine_signatures') or 0


def progressed_since(load, t):
    """Whether every persistent connection got an answer after T and a new
    connection opened after T was answered."""
    return (all(p.last_answer is not None and p.last_answer > t for p in load.persistent) and
            any(c.status == 200 for c in load.cycles_started_after(t)))


class Sipp:
    """SIPp's OPTIONS over UDP to PORT, in a thread of its own."""

    def __init__(self, run, port):
        self.result = None
        self.thread = threading.Thread(
            target=lambda: setattr(self, 'result', siptest.run_sipp(
                run, 'options.xml', 'u1', port, SIPP_CALLS)), daemon=True)

    def check(self, run, what):
        self.thread.join(timeout=900)
        rc, out, c = self.result or (None, 'SIPp did not end', {})
        run.check(rc == 0 and c.get('SuccessfulCall(C)') == str(SIPP_CALLS) and
                  c.get('FailedCall(C)') == '0',
                  '%s: SIPp exit code 0, its stat file counts %d successful OPTIONS, 0 failed' %
                  (what, SIPP_CALLS), '%s\n%s' % (c, out))


def wait_no_connections(run, gw, seconds):
    """Waits until GW has no TLS connection (progress: SECONDS only
    bounds a connection that never closes); returns its tls status."""
    deadline = time.monotonic() + seconds
    while True:
        tls = run.tls_status(gw)
        if tls.get('connections') == 0 or time.monotonic() > deadline:
            return tls
        time.sleep(2)


def free_slot(run, gw):
    p = run.vgw('keystore', 'list', '--name', gw, '--json', timeout=120)
    try:
        used = {s['slot'] for s in json.loads(p.stdout)['slots']}
    except (ValueError, KeyError, TypeError):
        run.check(False, '%s: vgw keystore list --json' % gw, p.stdout + p.stderr)
        return None
    return min(set(range(KEYSTORE_SLOTS)) - used, default=None)


def check_origin_carried_on(run, load, sipp, before):
    load.stop()
    t = load.totals()
    run.note('origin, persistent TLS load: %s' % t)
    run.check(t['dropped'] == 0, 'origin: no persistent TLS connection dropped across the save',
              [(p.index, p.error) for p in load.failed_persistent()])
    run.check(t['sent'] > 0 and t['ok'] == t['sent'] and t['other'] == 0,
              'origin: every OPTIONS on the persistent connections answered 200', t)
    failed = [(c.status, c.error) for c in load.cycles if c.status != 200]
    run.check(load.cycles and not failed,
              'origin: every new TLS connection (%d) completed its handshake and got 200' %
              len(load.cycles), failed[:10])
    if sipp.thread.ident is not None:
        sipp.check(run, 'origin')
    after = run.status('origin') or {}
    run.check(counts(after) == counts(before), 'origin: no reset, no crash across the save',
              (counts(before), counts(after)))


def check_clone(run, origin_st, load, at_save):
    st = run.status('clone') or {}
    ports = st.get('ports') or {}
    run.check(counts(st) == counts(origin_st),
              'clone: reset count, cause and crash count are the origin\'s (no watchdog reset)',
              (counts(origin_st), counts(st)))
    run.check(lan_address(st) is not None and lan_address(st) == lan_address(origin_st),
              'clone: the LAN keeps the address of the origin\'s DHCP lease (%s)' %
              lan_address(origin_st), st.get('interfaces'))
    tls = st.get('tls') or {}
    run.note('clone when up --from returned: %d TLS connections in its own view (%d were '
             'open on the host side at save time)' % (tls.get('connections') or 0, at_save))
    signed = tls.get('engine_signatures') or 0
    run.check(tls.get('key_source') == 'engine', 'clone: Context 0 signs with the engine key',
              tls)
    answers(run, 'clone', ports, 'restored under traffic')
    run.check(engine_signatures(run, 'clone') > signed,
              'clone: the engine signed its first handshakes (nothing in flight at save '
              'time left it hung)')
    siptest.check_sipp(run, 'clone', 'options.xml', 'u1', ports.get('sip_udp'), 5)
    slot = free_slot(run, 'clone')
    if run.check(slot is not None, 'clone: a free keystore slot (%s)' % slot):
        p = run.vgw('keystore', 'gen', '--name', 'clone', '--slot', str(slot), '--type',
                    'ec-p256', timeout=300)
        run.check(p.returncode == 0, 'clone: keystore gen --slot %d --type ec-p256' % slot,
                  p.stdout + p.stderr)
    # Connections open at save time have no NAT state in the clone's slirp:
    # the clone closes them when its peer's silence or slirp's reset says
    # so, at the latest when idle (sip.tls.idle_timeout_s).
    idle_s = ((st.get('sip') or {}).get('tls') or {}).get('idle_timeout_s') or 300
    tls = wait_no_connections(run, 'clone', idle_s + 120)
    run.check(tls.get('connections') == 0,
              'clone: none of the connections open at save time is left (slirp did not '
              'migrate their NAT state: expected)', tls)
    closed = [l for l in run.console('clone').splitlines() if CLOSED_LINE.search(l)]
    for line in closed[:20]:
        run.note('clone console: %s' % line)
    # slirp's host forward keeps the host-side source port, so the clone
    # names each connection by the port it had on the origin.
    kept = [p.local_port for p in load.persistent
            if not any(re.search(r':%d\b' % p.local_port, l) for l in closed)]
    run.check(not kept, 'clone: its console logs each persistent connection open at save '
              'time closed (slirp reset it, or it went idle)', 'not logged closed: %s' % kept)
    timer_lines = [l for l in run.console('clone').splitlines() if TIMER_LINE.search(l)]
    for line in timer_lines[:20]:
        run.note('clone console, timer: %s' % line)
    run.check(len(timer_lines) <= at_save,
              'clone: no storm of expired timers on its console after the restore (%d lines '
              'of timeouts or retransmissions, at most one per connection open at save: %d)' %
              (len(timer_lines), at_save), run.console_tail('clone'))
    after = run.status('clone') or {}
    run.check(counts(after) == counts(origin_st), 'clone: still no reset after its traffic',
              (counts(origin_st), counts(after)))


def test(run):
    if run.up('origin').returncode != 0:
        return
    origin_st = run.status('origin') or {}
    ports = origin_st.get('ports') or {}
    load = tlsload.Load(ports['sips'], persistent=PERSISTENT, openers=OPENERS)
    sipp = Sipp(run, ports['sip_udp'])
    load.start()
    try:
        t = time.monotonic()
        run.check(load.wait('load', lambda: progressed_since(load, t), PROGRESS_TIMEOUT),
                  'origin: the TLS load runs (%d persistent connections, %d openers)' %
                  (PERSISTENT, OPENERS), load.failed_persistent())
        sipp.thread.start()
        t0 = time.monotonic()
        p = run.vgw('snapshot', 'save', '--name', 'origin', 'snap', timeout=300)
        t1 = time.monotonic()
        run.check(p.returncode == 0, 'vgw snapshot save snap under traffic', p.stdout + p.stderr)
        run.check(sipp.thread.is_alive(), 'SIPp\'s OPTIONS were still running when the save '
                  'returned')
        run.check(load.wait('load', lambda: progressed_since(load, t1), PROGRESS_TIMEOUT),
                  'origin: the persistent connections and new ones are answered after the save',
                  load.failed_persistent())
        run.note('%s; the longest a persistent connection waited for an answer across the '
                 'save (the pause, bounded above): %.2f s' %
                 (p.stdout.strip(), load.longest_wait(t0, t1)))
        if p.returncode != 0:
            return
        p = run.vgw('up', '--from', 'snap', '--name', 'clone', '--detach', '--sip-port', '0',
                    '--sip-tls-port', '0', timeout=600)
        run.check(p.returncode == 0, 'vgw up --from snap --name clone reaches ready',
                  p.stdout + p.stderr + run.console_tail('clone'))
        if p.returncode == 0:
            check_clone(run, origin_st, load, PERSISTENT + OPENERS)
    finally:
        check_origin_carried_on(run, load, sipp, origin_st)


if __name__ == '__main__':
    vgwtest.main(test)
