#!/usr/bin/env python3
"""baresip registers over TLS and calls the test extension (issue 10).

baresip (baresip-core 1.0) runs from a config directory written here, with
no audio device: its ausine module is the microphone (a 440 Hz tone;
ausine makes 48 kHz stereo only, so the source and player are resampled),
and nothing plays what comes back.  It is driven through its ctrl_tcp
module (netstring JSON commands and events): it registers alice over TLS
to the gateway's forwarded SIPS port with the test PKI's client
certificate configured, dials the test extension (TestCallNumber 1000),
holds the call for a few seconds and hangs up.

What is checked: baresip's events (established, RTP established, closed
on hang-up); the gateway's binding for alice over TLS; the capture of the
LAN port, read by tshark, where the RTP of the call (PCMU, decoded on the
test extension's port, guest port 40000) went to the gateway and came
back as many times as the gateway says it echoed, same SSRC both ways;
`vgw handshakes` shows the TLS connection completed with the gateway;
the test extension ends the call on baresip's BYE (which reaches it
only if the Contact of its 200 is an address baresip can reach); and
`vgw status --json` counts the call, no call left active.  baresip's
TLS library logs no secrets, so the SIP inside TLS is not decrypted here
(test_sip_sipsak.py checks SIP lines inside TLS)."""
import json
import os
import re
import socket
import subprocess
import time

import sipcapture
import tlspeers
import vgwtest
from test_sip_options import wait_for

GW = 'baresip'
NUMBER = '1000'
RTP_GUEST_PORT = 40000   # host-tools/qemu_cmdline.h: the first forwarded RTP port
HOLD_S = 4


def free_udp_range(n):
    """A UDP port P on 127.0.0.1 free now with P+N-1 below 65536."""
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
        if port + n < 65536:
            return port


def write_config(d, cert, sips_port):
    """Writes baresip's config, accounts and contacts into D; returns the
    port of its ctrl_tcp."""
    ctrl_port, rtp_port = tlspeers.free_port(), free_udp_range(10)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'config'), 'w') as f:
        f.write('\n'.join([
            'poll_method epoll',
            # Port 0: baresip 1.0 binds TLS on the SIP port + 1, twice.
            'sip_listen 127.0.0.1:0',
            'sip_certificate %s' % cert,
            'audio_source ausine,440',
            'audio_player ausine,none',
            'audio_alert ausine,none',
            'ausrc_srate 48000', 'auplay_srate 48000',
            'ausrc_channels 2', 'auplay_channels 2',
            'rtp_ports %d-%d' % (rtp_port, rtp_port + 9),
            'module_path /usr/lib/baresip/modules',
            'module g711.so',
            'module ausine.so',
            'module_app account.so',
            'module_app menu.so',
            'module_app ctrl_tcp.so',
            'ctrl_tcp_listen 127.0.0.1:%d' % ctrl_port,
        ]) + '\n')
    with open(os.path.join(d, 'accounts'), 'w') as f:
        f.write('<sip:alice@127.0.0.1;transport=tls>;regint=300;audio_codecs=pcmu;'
                'outbound="sip:127.0.0.1:%d;transport=tls"\n' % sips_port)
    open(os.path.join(d, 'contacts'), 'w').close()
    return ctrl_port


class Ctrl:
    """baresip's ctrl_tcp: netstring JSON both ways."""

    def __init__(self, port):
        self.s = None
        for _ in range(300):
            try:
                self.s = socket.create_connection(('127.0.0.1', port), timeout=120)
                break
            except OSError:
                time.sleep(0.2)
        self.buf = b''
        self.seen = []

    def send(self, command, params=''):
        body = json.dumps({'command': command, 'params': params, 'token': command}).encode()
        self.s.sendall(b'%d:%s,' % (len(body), body))

    def wait(self, kind, bound=120):
        """Events and responses until one whose type (or token) is KIND;
        returns it, or None when baresip closed or BOUND seconds passed."""
        end = time.monotonic() + bound
        while time.monotonic() < end:
            colon = self.buf.find(b':')
            if colon > 0 and len(self.buf) >= colon + 2 + int(self.buf[:colon]):
                n = int(self.buf[:colon])
                msg = json.loads(self.buf[colon + 1:colon + 1 + n])
                self.buf = self.buf[colon + 2 + n:]
                self.seen.append(msg)
                if msg.get('type') == kind or msg.get('token') == kind:
                    return msg
                continue
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                continue
            if not data:
                return None
            self.buf += data
        return None


def stop_baresip(ua):
    """Lets baresip finish after 'quit' (it unregisters first), then ends
    it whatever state it is in."""
    for sig in (None, ua.terminate, ua.kill):
        if sig is not None:
            sig()
        try:
            ua.wait(timeout=60)
            return
        except subprocess.TimeoutExpired:
            pass


def registered(run):
    p = run.vgw('sip', 'registrations', '--name', GW, '--json', timeout=120)
    try:
        regs = json.loads(p.stdout)
    except ValueError:
        return []
    return [b for b in regs.get('bindings', []) if b.get('aor') == 'sip:alice@127.0.0.1']


def rtp_counts(cap):
    """{(src, ssrc, payload type): packets} of the RTP on the test
    extension's port, as tshark decodes it."""
    args = ['tshark', '-r', cap.path, '-d', 'udp.port==%d,rtp' % RTP_GUEST_PORT,
            '-Y', 'rtp && udp.port==%d' % RTP_GUEST_PORT, '-T', 'fields',
            '-e', 'ip.src', '-e', 'rtp.ssrc', '-e', 'rtp.p_type']
    p = subprocess.run(args, capture_output=True, text=True, timeout=600)
    counts = {}
    for line in p.stdout.splitlines():
        key = tuple(line.split('\t'))
        counts[key] = counts.get(key, 0) + 1
    return counts


def test(run):
    if run.up(GW).returncode != 0:
        return
    st = run.status(GW) or {}
    ports = st.get('ports') or {}
    sips, rtp = ports.get('sips'), ports.get('rtp') or []
    if not run.check(sips and rtp, 'status names the SIPS and RTP ports', ports):
        return
    ext0 = (st.get('sip') or {}).get('test_extension') or {}
    # Behind slirp the SDP answer must name the forwarded RTP port.
    for name, value in (('TestCallMediaAddress', '127.0.0.1'), ('TestCallMediaPort', rtp[0])):
        p = run.vgw('param', 'set', '--name', GW, name, str(value), timeout=120)
        run.check(p.returncode == 0, 'vgw param set %s %s' % (name, value), p.stdout + p.stderr)

    _, cert = sipcapture.client_pem(run)
    conf = os.path.join(run.state_root, 'baresip')
    ctrl_port = write_config(conf, cert, sips)
    cap = sipcapture.Capture(run, GW, 'baresip')
    if not cap.ok:
        return
    log = open(os.path.join(run.state_root, 'baresip.log'), 'w')
    ua = subprocess.Popen(['baresip', '-f', conf], stdin=subprocess.DEVNULL, stdout=log,
                          stderr=subprocess.STDOUT)
    call_id = None
    try:
        call_id = call(run, Ctrl(ctrl_port), sips)
    finally:
        stop_baresip(ua)
        log.close()
    if not cap.stop():
        return

    # The call must end because baresip hung up: its ACK and BYE go to the
    # Contact of the gateway's 200, so this also checks that Contact is
    # one baresip can reach (not the idle timeout ending a call whose BYE
    # was lost).
    ended = None
    end = time.monotonic() + 300
    while call_id is not None and ended is None and time.monotonic() < end:
        with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
            ended = re.search(r'test-call %s: ended: ([^;\n]*)' % re.escape(call_id), f.read())
        if ended is None:
            time.sleep(1)
    run.check(ended is not None and ended.group(1) == 'BYE',
              'console: the test extension ends the call on baresip\'s BYE',
              ended.group(0) if ended else run.console_tail(GW))
    st = wait_for(run, 'the gateway has no call left active',
                  lambda s: s['test_extension']['active'] == 0, gw=GW)
    ext1 = (st or {}).get('test_extension') or {}
    echoed = ext1.get('echoed_packets', 0) - ext0.get('echoed_packets', 0)
    run.check(ext1.get('calls') == ext0.get('calls', 0) + 1 and echoed > 0,
              'status: the test extension counts one call and %d echoed packets' % echoed,
              {'before': ext0, 'after': ext1})

    # The RTP on the wire: every packet the gateway says it echoed came
    # back to baresip, with baresip's own SSRC, PCMU both ways.
    counts = {}
    end = time.monotonic() + 120
    while time.monotonic() < end:
        counts = rtp_counts(cap)
        if sum(n for (src, _, _), n in counts.items() if src == '10.0.2.15') >= echoed:
            break
        time.sleep(1)
    to_gw = {k: n for k, n in counts.items() if k[0] == '10.0.2.2'}
    from_gw = {k: n for k, n in counts.items() if k[0] == '10.0.2.15'}
    run.check(len(to_gw) == 1 and len(from_gw) == 1 and
              list(to_gw)[0][1:] == list(from_gw)[0][1:] and list(to_gw)[0][2] == '0',
              'capture: one RTP stream to the gateway and one back, same SSRC, PCMU (0)', counts)
    sent = sum(to_gw.values())
    back = sum(from_gw.values())
    run.check(back == echoed and sent >= back,
              'capture: %d RTP packets to the gateway, %d back, as many as it counted echoed (%d)'
              % (sent, back, echoed), counts)

    # The signalling went over TLS: records both ways on the SIPS port
    # (baresip logs no TLS secrets, so they stay encrypted), no SIP in the
    # clear.  `vgw handshakes` names the connection's version.
    rep = cap.report()
    hs = [h for h in rep.get('handshakes', []) if h['server']['port'] == 5061]
    run.check(len(hs) == 1 and hs[0]['client']['address'] == '10.0.2.2' and
              hs[0]['chosen']['version']['name'] == 'TLS 1.3',
              'vgw handshakes: baresip\'s one TLS connection to the gateway, TLS 1.3',
              json.dumps(hs)[:3000])
    records = cap.tshark('tcp.port==5061 && tls.app_data', 'ip.src')
    up = sum(1 for r in records if r[0] == '10.0.2.2')
    down = sum(1 for r in records if r[0] == '10.0.2.15')
    # At least REGISTER and INVITE up, 200, 100 and 200 down (the ACK and
    # BYE go where the 200's Contact says: checked above).
    run.check(up >= 2 and down >= 3,
              'capture: TLS application data both ways on port 5061 (%d up, %d down)'
              % (up, down), records)
    clear = cap.tshark('sip')
    run.check(clear == [], 'capture: no SIP in the clear', clear)


def call(run, ctrl, sips_port):
    """Registers, calls, holds, hangs up; returns the call's Call-ID."""
    if not run.check(ctrl.s is not None, 'baresip\'s ctrl_tcp accepts a connection'):
        return None
    b = []
    end = time.monotonic() + 300
    while not b and time.monotonic() < end:
        b = registered(run)
        if not b:
            time.sleep(1)
    run.check(len(b) == 1 and b[0]['transport'] == 'tls' and 0 < b[0]['expires'] <= 300,
              'vgw sip registrations: baresip registered alice over TLS', b)
    # The full URI, port included: the test extension's Contact is where
    # the INVITE was sent (its Request-URI), and baresip sends its ACK and
    # BYE there, not through its outbound proxy.
    ctrl.send('dial', 'sip:%s@127.0.0.1:%d;transport=tls' % (NUMBER, sips_port))
    est = ctrl.wait('CALL_ESTABLISHED')
    run.check(est is not None, 'baresip: the call to %s is established' % NUMBER, ctrl.seen)
    rtp = ctrl.wait('CALL_RTPESTAB') if est else None
    run.check(rtp is not None, 'baresip: RTP comes back (CALL_RTPESTAB)', ctrl.seen)
    time.sleep(HOLD_S)
    ctrl.send('hangup')
    closed = ctrl.wait('CALL_CLOSED')
    run.check(closed is not None, 'baresip: the call closes on hang-up', ctrl.seen)
    ctrl.send('quit')
    return est.get('id') if est else None


if __name__ == '__main__':
    vgwtest.main(test)
