#!/usr/bin/env python3
"""A call to the test extension in progress while `vgw snapshot save` runs,
and the clone restored from that snapshot (issue 12, Snapshots).

SIPp calls the test extension (1000) over UDP and plays Debian's
g711a.pcap as RTP PLAYS times in a row (about 7 s each), which the
extension echoes; the gateway is saved once the call is up.  A capture on
the host's loopback (tshark, the RTP port `vgw up` forwards) records the
RTP both ways.

What a user checks on the origin: SIPp's call completed (200, ACK, BYE
answered 200); every RTP packet SIPp sent came back, echoes arrived both
before and after the save (the longest gap between two echoes, the pause
of the save, is printed); the origin's status counts the call ended and
the echoed packets, and its console says the call ended with the BYE; no
reset.  (The test extension's calls are its own, not routed calls, so
`vgw sip calls` does not list them: `vgw status`'s sip.test_extension and
the console are where a user sees them.)

On the clone (`vgw up --from`): the call in progress at save time is
there (one active call).  Its SIP and RTP peer is on the origin's
forwarded ports, which the clone does not have (slirp's forwards are not
migrated), so nothing reaches it; the test extension's documented
behaviour (device-fw/vgwd/test_extension.h) is that a call silent for
VGW_TEST_CALL_IDLE_S (60 s) after it was answered ends without a BYE.
The test waits for that and checks the console line for that call, that
it is the only line about the call (no BYE, no 200 retransmitted), and
that no storm of timeouts or retransmissions follows.  Meanwhile longer
than the firmware's watchdog timeout passes (read from the origin's
console): the clone's reset count and cause stay the origin's.  A new
call to the clone, on its own forwarded ports, succeeds and is echoed."""
import os
import re
import socket
import subprocess
import threading
import time

import siptest
import vgwtest
from test_sip_call import NUMBER, free_udp_port
from test_snapshot_traffic import TIMER_LINE, counts

# g711a.pcap: 236 RTP packets over 7.05 s (tests/system/sipp/call.xml).
PLAYS = 3
PCAP_PLAY_MS = 7100
# What the firmware logs when it arms the watchdog (device-fw/vgwd/main.c).
WATCHDOG_LINE = re.compile(r'watchdog: enabled and locked, (\d+) ms')
# The test extension's idle limit (VGW_TEST_CALL_IDLE_S) and how it logs
# the end of a call (test_extension.c).
IDLE_S = 60
ENDED_LINE = re.compile(r'test-call (\S+): ended: (.*); (\d+) RTP packets echoed')
# Bounds on a stuck gateway or peer only: progress is what is waited for.
WAIT_BOUND = 600


def long_call_scenario(run):
    """tests/system/sipp/call.xml with the pcap played PLAYS times, one
    after the other, before the BYE; returns the new scenario's path."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, 'sipp', 'call.xml')) as f:
        xml = f.read()
    # From the pcap's <nop> to the <pause> that waits for it before the BYE.
    block = re.search(r'<nop>.*?</nop>.*?<pause milliseconds="\d+"/>', xml, re.DOTALL)
    play = re.search(r'<nop>.*?</nop>', block.group(0), re.DOTALL).group(0)
    one = '%s\n  <pause milliseconds="%d"/>\n  ' % (play, PCAP_PLAY_MS)
    xml = xml.replace(block.group(0), one * PLAYS, 1)
    if xml.count('play_pcap_audio') != PLAYS:
        raise RuntimeError('call.xml changed: cannot make the long call from it')
    path = os.path.join(run.state_root, 'long_call.xml')
    with open(path, 'w') as f:
        f.write(xml)
    return path


def test_extension(run, gw):
    return ((run.status(gw) or {}).get('sip') or {}).get('test_extension') or {}


def point_media_at(run, gw, rtp_port):
    """Makes GW's SDP answers name 127.0.0.1:RTP_PORT, the host port `vgw
    up` forwards to its first RTP socket (test_sip_call.py)."""
    for name, value in (('TestCallMediaAddress', '127.0.0.1'),
                        ('TestCallMediaPort', rtp_port)):
        p = run.vgw('param', 'set', '--name', gw, name, str(value), timeout=120)
        run.check(p.returncode == 0, '%s: vgw param set %s %s' % (gw, name, value),
                  p.stdout + p.stderr)


def wait_for(cond, seconds=WAIT_BOUND, every=2):
    """Polls COND until it is true or SECONDS passed; returns its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = cond()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


class RtpCapture:
    """tshark on the host's loopback, UDP to and from PORT, one line per
    packet as it is captured."""

    def __init__(self, run, port):
        self.port = port
        self.marker = None
        self.path = os.path.join(run.state_root, 'rtp.txt')
        self.log = os.path.join(run.state_root, 'tshark.log')
        with open(self.path, 'w') as out, open(self.log, 'w') as err:
            self.proc = subprocess.Popen(
                ['tshark', '-i', 'lo', '-l', '-f', 'udp port %d' % port, '-T', 'fields',
                 '-e', 'frame.time_epoch', '-e', 'udp.srcport', '-e', 'udp.dstport'],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        self.ok = run.check(wait_for(lambda: self.proc.poll() is not None or
                                     'Capturing on' in self._read(self.log), 120, 0.5) and
                            self.proc.poll() is None,
                            'tshark captures RTP on lo, port %d' % port, self._read(self.log))

    @staticmethod
    def _read(path):
        with open(path, errors='replace') as f:
            return f.read()

    def _lines(self):
        return [l.split('\t') for l in self._read(self.path).splitlines() if l.count('\t') == 2]

    def stop(self):
        """Ends the capture once every packet sent so far is in it: a
        marker datagram sent last must have come through (tshark hands
        packets on in batches; stopping it at once can lose the last)."""
        if self.proc.poll() is None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as marker:
                marker.bind(('127.0.0.1', 0))
                mark = str(marker.getsockname()[1])
                marker.sendto(b'marker', ('127.0.0.1', self.port))
                wait_for(lambda: any(f[1] == mark for f in self._lines()), 120, 0.5)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.marker = mark

    def packets(self):
        """[(host time, towards the gateway)] of the UDP packets captured,
        the marker left out; None when the marker did not come through."""
        lines = self._lines()
        if not any(f[1] == self.marker for f in lines):
            return None
        return [(float(t), int(dst) == self.port) for t, src, dst in lines
                if src != self.marker]


def check_rtp(run, capture, t0, t1):
    """The RTP SIPp sent and the echoes, across the save [T0, T1]; returns
    the number of packets sent."""
    pkts = capture.packets()
    if not run.check(pkts is not None, 'the capture holds every packet up to a marker sent '
                     'after the call', capture.path):
        return 0
    sent = [t for t, to_gw in pkts if to_gw]
    echoed = [t for t, to_gw in pkts if not to_gw]
    run.note('RTP on the origin\'s forwarded port: %d sent by SIPp, %d echoed' %
             (len(sent), len(echoed)))
    run.check(sent and len(echoed) == len(sent),
              'origin: every RTP packet SIPp sent came back (%d)' % len(sent),
              (len(sent), len(echoed)))
    run.check(any(t < t0 for t in echoed) and any(t > t1 for t in echoed),
              'origin: RTP was echoed before the save began and after it returned')
    gaps = [(b - a, a) for a, b in zip(echoed, echoed[1:])]
    across = [g for g, at in gaps if at < t1 and at + g > t0]
    if gaps:
        run.note('the longest gap between two echoed RTP packets (the pcap plays one every '
                 '20 ms; the save ran %.2f s): %.3f s in the call, %.3f s across the save' %
                 (t1 - t0, max(gaps)[0], max(across, default=0)))
    return len(sent)


def ended_lines(log, call_id=None):
    return [m for m in ENDED_LINE.finditer(log) if call_id is None or m.group(1) == call_id]


def check_origin(run, origin_st, sipp, capture, t0, t1):
    rc, out, c = sipp.get('result') or (None, 'SIPp did not end', {})
    run.check(rc == 0 and c.get('SuccessfulCall(C)') == '1' and c.get('FailedCall(C)') == '0',
              'origin: SIPp\'s call completed across the save (200, ACK, RTP, BYE answered '
              '200): exit code 0, 1 successful call, 0 failed', c or out)
    capture.stop()
    sent = check_rtp(run, capture, t0, t1) if capture.ok else 0
    x = test_extension(run, 'origin')
    run.check(x.get('calls') == 1 and x.get('active') == 0 and x.get('echoed_packets') == sent,
              'origin: status counts the call, ended, and the %d packets it echoed' % sent, x)
    ended = ended_lines(run.console('origin'))
    run.check(len(ended) == 1 and ended[0].group(2) == 'BYE' and
              int(ended[0].group(3)) == sent,
              'origin: its console says the call ended with the BYE, %d RTP packets echoed' %
              sent, [m.group(0) for m in ended])
    after = run.status('origin') or {}
    run.check(counts(after) == counts(origin_st), 'origin: no reset, no crash across the save',
              (counts(origin_st), counts(after)))
    return ended[0].group(1) if ended else None


def check_clone_call(run, call_id):
    """The call in progress at save time, in the clone: ends when idle."""
    x = test_extension(run, 'clone')
    run.check(x.get('active') == 1 and x.get('calls') == 1,
              'clone: the call in progress at save time is there (1 call, active)', x)
    ended = wait_for(lambda: ended_lines(run.console('clone'), call_id),
                     IDLE_S + WAIT_BOUND, 5)
    run.check(len(ended) == 1 and ended[0].group(2) == 'no RTP or SIP for %d s' % IDLE_S,
              'clone: the call (%s) ends after %d s without RTP or SIP, no BYE (the test '
              'extension\'s idle limit)' % (call_id, IDLE_S),
              [m.group(0) for m in ended] or run.console_tail('clone'))
    log = run.console('clone')
    about = [l for l in log.splitlines() if call_id and call_id in l]
    for line in about:
        run.note('clone console: %s' % line)
    run.check(len(about) == 1, 'clone: one console line about that call, its end (no BYE '
              'sent, no 200 retransmitted)', about)
    timer_lines = [l for l in log.splitlines() if TIMER_LINE.search(l)]
    for line in timer_lines[:20]:
        run.note('clone console, timer: %s' % line)
    run.check(not timer_lines, 'clone: no timeouts or retransmissions on its console after '
              'the restore', timer_lines[:20])
    x = test_extension(run, 'clone')
    run.check(x.get('active') == 0, 'clone: status shows no call active', x)


def check_clone_watchdog(run, origin_st, restored_at):
    m = WATCHDOG_LINE.search(run.console('origin'))
    if not run.check(m is not None, 'origin: its console says the watchdog\'s timeout',
                     run.console_tail('origin')):
        return
    timeout_s = int(m.group(1)) / 1000
    waited = time.monotonic() - restored_at
    run.check(waited > timeout_s, 'clone: up %.0f s since the restore, longer than the '
              'watchdog timeout (%.0f s)' % (waited, timeout_s))
    st = run.status('clone') or {}
    run.check(counts(st) == counts(origin_st),
              'clone: reset count and cause are the origin\'s (the watchdog did not fire)',
              (counts(origin_st), counts(st)))


def check_clone_new_call(run):
    st = run.status('clone') or {}
    rtp = (st.get('ports') or {}).get('rtp') or []
    if not run.check(rtp, 'clone: status lists its own forwarded RTP ports', st.get('ports')):
        return
    point_media_at(run, 'clone', rtp[0])
    before = test_extension(run, 'clone')
    siptest.check_sipp(run, 'clone: a new call', 'call.xml', 'u1',
                       (st.get('ports') or {}).get('sip_udp'), 1, '-s', NUMBER,
                       '-mp', str(free_udp_port()), '-max_invite_retrans', '10')
    after = test_extension(run, 'clone')
    run.check(after.get('calls') == before.get('calls', 0) + 1 and after.get('active') == 0 and
              after.get('echoed_packets', 0) > before.get('echoed_packets', 0),
              'clone: status counts the new call, ended, and its RTP echoed',
              {'before': before, 'after': after})


def test(run):
    if run.up('origin').returncode != 0:
        return
    origin_st = run.status('origin') or {}
    ports = origin_st.get('ports') or {}
    rtp = ports.get('rtp') or []
    if not run.check(rtp, 'origin: status lists its forwarded RTP ports', ports):
        return
    point_media_at(run, 'origin', rtp[0])
    scenario = long_call_scenario(run)
    capture = RtpCapture(run, rtp[0])
    sipp = {}
    thread = threading.Thread(target=lambda: sipp.update(result=siptest.run_sipp(
        run, scenario, 'u1', ports['sip_udp'], 1, '-s', NUMBER, '-mp', str(free_udp_port()),
        '-max_invite_retrans', '10')), daemon=True)
    t0 = t1 = None
    try:
        thread.start()
        up = wait_for(lambda: test_extension(run, 'origin').get('active') == 1 or
                      not thread.is_alive())
        if not run.check(up and thread.is_alive(), 'origin: SIPp\'s call is answered and in '
                         'progress', sipp.get('result')):
            return
        t0 = time.time()
        p = run.vgw('snapshot', 'save', '--name', 'origin', 'snap', timeout=300)
        t1 = time.time()
        run.check(p.returncode == 0, 'vgw snapshot save snap during the call (%s)' %
                  p.stdout.strip(), p.stdout + p.stderr)
        run.check(thread.is_alive(), 'SIPp\'s call was still in progress when the save '
                  'returned')
        thread.join(timeout=900)
    finally:
        thread.join(timeout=900)
        capture.stop()
    call_id = check_origin(run, origin_st, sipp, capture, t0, t1)
    if p.returncode != 0:
        return
    p = run.vgw('up', '--from', 'snap', '--name', 'clone', '--detach', '--sip-port', '0',
                '--sip-tls-port', '0', timeout=600)
    restored_at = time.monotonic()
    if not run.check(p.returncode == 0, 'vgw up --from snap --name clone reaches ready',
                     p.stdout + p.stderr + run.console_tail('clone')):
        return
    check_clone_call(run, call_id)
    check_clone_watchdog(run, origin_st, restored_at)
    check_clone_new_call(run)


if __name__ == '__main__':
    vgwtest.main(test)
