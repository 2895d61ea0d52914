#!/usr/bin/env python3
"""Calls between registered users through the gateway as a proxy (issue 10).

Two SIPp instances on 127.0.0.1 register as two users through the
gateway's forwarded SIP port and one calls the other (tests/system/sipp/
proxy_caller.xml and proxy_callee.xml), over UDP and then over TCP: REGISTER
200 each; INVITE, 100, 180, 200, ACK and BYE, 200 relayed by the gateway.
SIPp's own checks and counters say the call went through with the headers a
proxy must set: the callee sees the gateway's Record-Route ";lr", its Via on
top and one hop fewer in Max-Forwards, and an ACK and BYE without the
gateway's own Route; the caller sees the Record-Route and no Via of the
gateway. The messages SIPp logged (-trace_msg) are read too: the INVITE's
Request-URI is the callee's registered Contact, and over TCP the INVITE
arrived on the callee's own connection (SIPp only has that one).

Then: a call cancelled while it rings (proxy_cancel.xml; the called user is
the test's own UDP socket, which answers the forwarded CANCEL 200 and the
INVITE 487), an INVITE to an unknown user (404), and `vgw sip calls --json`
and `vgw status --json` (sip.calls) during and after the calls.

The SIPp caller pauses after the ACK (-d) while the test reads `vgw sip
calls`; the call must show as answered then."""
import os
import socket
import subprocess
import time

import vgwtest
import siptest
from test_sip_call import Caller, free_udp_port, to_tag
from siptest import parse_response

GW = 'sipproxy'
SIPP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sipp')
# How long the caller holds the answered call before its BYE, for the test
# to read `vgw sip calls` meanwhile (each read takes a few seconds at most).
HOLD_MS = 45000


def sipp_args(run, scenario, transport, port, call_id, local_port, *extra):
    stat = os.path.join(run.state_root, 'sipp-%s-%s.csv' % (scenario, transport))
    return (['sipp', '-sf', os.path.join(SIPP_DIR, scenario), '-m', '1',
             '-t', transport, '-i', '127.0.0.1', '-p', str(local_port), '-nostdin',
             '-cid_str', call_id, '-mp', str(free_udp_port()),
             '-max_non_invite_retrans', '10', '-max_invite_retrans', '10',
             '-timeout', '600', '-timeout_error', '-trace_stat', '-stf', stat,
             '-trace_msg', '-message_file',
             os.path.join(run.state_root, '%s-%s-messages.log' % (scenario, transport))]
            + list(extra) + ['127.0.0.1:%d' % port]), stat


def start_sipp(run, scenario, transport, port, call_id, local_port, *extra):
    args, stat = sipp_args(run, scenario, transport, port, call_id, local_port, *extra)
    p = subprocess.Popen(args, cwd=run.state_root, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    p.stat = stat
    return p


def finish_sipp(run, what, p):
    """Waits for SIPp P; checks exit code 0 and one successful call in its
    stat file."""
    try:
        out, _ = p.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    counters = siptest.stat_counters(p.stat)
    run.check(p.returncode == 0 and counters.get('SuccessfulCall(C)') == '1' and
              counters.get('FailedCall(C)') == '0',
              '%s: SIPp exit code 0, its stat file counts 1 successful call, 0 failed' % what,
              '%s\n%s' % (counters, out))


def kill(p):
    if p.poll() is None:
        p.kill()
        p.communicate()


def calls(run):
    return siptest.vgw_json(run, GW, 'sip', 'calls')


def call_of(table, call_id):
    return next((c for c in table.get('calls', []) if c.get('call_id') == call_id), None)


def wait_for(run, what, predicate, fetch, attempts=120):
    """Fetches until PREDICATE holds of the result (at most ATTEMPTS reads,
    one a second); returns the last result."""
    got = None
    for _ in range(attempts):
        got = fetch()
        if predicate(got):
            return got
        time.sleep(1)
    run.check(False, what, got)
    return got


def registered(run, aor_user, transport):
    return wait_for(run, '%s registers over %s' % (aor_user, transport),
                    lambda b: any(x.get('aor', '').startswith('sip:%s@' % aor_user) and
                                  x.get('transport') == transport for x in b),
                    lambda: siptest.vgw_json(run, GW, 'sip', 'registrations').get('bindings', []))


def messages(run, scenario, transport):
    path = os.path.join(run.state_root, '%s-%s-messages.log' % (scenario, transport))
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def proxied_call(run, name, transport, port):
    callee, caller = 'bob' + name.lower(), 'alice' + name.lower()
    call_id = 'proxy-%s@vgw.test' % name.lower()
    bob_port, alice_port = free_udp_port(), free_udp_port()
    bob = start_sipp(run, 'proxy_callee.xml', transport, port, call_id, bob_port,
                     '-key', 'callee', callee)
    alice = None
    try:
        bindings = registered(run, callee, name.lower())
        alice = start_sipp(run, 'proxy_caller.xml', transport, port, call_id, alice_port,
                           '-key', 'caller', caller, '-key', 'callee', callee,
                           '-d', str(HOLD_MS))
        during = wait_for(run, 'the %s call shows as answered in vgw sip calls' % name,
                          lambda t: (call_of(t, call_id) or {}).get('state') == 'answered',
                          lambda: calls(run))
        c = call_of(during, call_id) or {}
        run.check(c.get('from', '').startswith('sip:%s@' % caller) and
                  c.get('to', '').startswith('sip:%s@' % callee) and
                  c.get('answer') is not None and c.get('end') is None and
                  during.get('in_progress', 0) >= 1,
                  'vgw sip calls during the %s call: %s -> %s, answered, in progress' %
                  (name, caller, callee), during)
        st = ((run.status(GW) or {}).get('sip') or {}).get('calls') or {}
        run.check(st.get('in_progress', 0) >= 1,
                  'vgw status --json: sip.calls counts the %s call in progress' % name, st)
        finish_sipp(run, 'the %s caller' % name, alice)
        finish_sipp(run, 'the %s callee' % name, bob)
    finally:
        kill(bob)
        if alice is not None:
            kill(alice)

    after = calls(run)
    c = call_of(after, call_id) or {}
    run.check(c.get('state') == 'ended' and c.get('end_reason') == 'BYE' and
              c.get('answer') is not None and c.get('end') is not None,
              'vgw sip calls after the %s call: ended by BYE' % name, after)
    log = messages(run, 'proxy_callee.xml', transport)
    contact = 'INVITE sip:%s@127.0.0.1:%d;transport=%s SIP/2.0' % (
        callee, bob_port, 'UDP' if transport == 'u1' else 'TCP')
    run.check(contact in log,
              'the %s INVITE reached the callee with its registered Contact as Request-URI'
              % name, log[-3000:])
    run.check(log.count('Record-Route: <sip:10.0.2.15:') >= 1 and
              'max-forwards: 69' in log.lower(),
              'the callee logged the Record-Route and one hop taken (%s)' % name, log[-3000:])
    return bindings


class Callee:
    """A UDP user on 127.0.0.1 that registers and answers by hand."""

    def __init__(self, port, user):
        self.gw = ('127.0.0.1', port)
        self.user = user
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.settimeout(120)

    def close(self):
        self.sock.close()

    def register(self):
        port = self.sock.getsockname()[1]
        text = ('REGISTER sip:127.0.0.1 SIP/2.0\r\n'
                'Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKreg%s;rport\r\n'
                'Max-Forwards: 70\r\n'
                'From: <sip:%s@127.0.0.1>;tag=r1\r\n'
                'To: <sip:%s@127.0.0.1>\r\n'
                'Call-ID: reg-%s@vgw.test\r\n'
                'CSeq: 1 REGISTER\r\n'
                'Contact: <sip:%s@127.0.0.1:%d>\r\n'
                'Content-Length: 0\r\n\r\n'
                % (port, self.user, self.user, self.user, self.user, self.user, port))
        self.sock.sendto(text.encode(), self.gw)
        return parse_response(self.sock.recv(65536))[0]

    def request(self, method):
        """The next request METHOD that arrives: (its text, from)."""
        while True:
            data, src = self.sock.recvfrom(65536)
            text = data.decode(errors='replace')
            if text.startswith(method + ' '):
                return text, src

    def answer(self, request, src, status, phrase, tag):
        """Answers REQUEST with its Via, From, To (with TAG), Call-ID and
        CSeq copied, as RFC 3261 §8.2.6.2 says."""
        head = request.split('\r\n\r\n', 1)[0].split('\r\n')[1:]
        keep = [l for l in head if l.split(':', 1)[0].strip().lower() in
                ('via', 'v', 'from', 'f', 'call-id', 'i', 'cseq')]
        to = [l for l in head if l.split(':', 1)[0].strip().lower() in ('to', 't')][0]
        if ';tag=' not in to:
            to += ';tag=' + tag
        text = 'SIP/2.0 %d %s\r\n%s\r\n%s\r\nContent-Length: 0\r\n\r\n' % (
            status, phrase, '\r\n'.join(keep), to)
        self.sock.sendto(text.encode(), src)


def cancelled_call(run, port):
    carol = Callee(port, 'carol')
    sipp = None
    call_id = 'proxy-cancel@vgw.test'
    try:
        run.check(carol.register() == 200, 'carol registers over UDP: 200')
        sipp = start_sipp(run, 'proxy_cancel.xml', 'u1', port, call_id, free_udp_port(),
                          '-key', 'callee', 'carol')
        invite, src = carol.request('INVITE')
        run.check('Record-Route: <sip:10.0.2.15:' in invite,
                  'carol gets the INVITE with the gateway\'s Record-Route', invite)
        carol.answer(invite, src, 180, 'Ringing', 'c1')
        cancel, src = carol.request('CANCEL')
        branch = lambda text: text.split('branch=', 1)[1].split(';')[0].split('\r')[0]
        run.check(branch(cancel) == branch(invite),
                  'the gateway\'s CANCEL has its INVITE\'s branch (RFC 3261 §9.1)', cancel)
        carol.answer(cancel, src, 200, 'OK', 'c1')
        carol.answer(invite, src, 487, 'Request Terminated', 'c1')
        ack, _ = carol.request('ACK')
        run.check(branch(ack) == branch(invite),
                  'the gateway ACKs the 487 in its INVITE transaction', ack)
        finish_sipp(run, 'the cancelled call', sipp)
    finally:
        carol.close()
        if sipp is not None:
            kill(sipp)
    c = call_of(calls(run), call_id) or {}
    run.check(c.get('state') == 'ended' and c.get('end_reason') == '487' and
              c.get('answer') is None,
              'vgw sip calls: the cancelled call ended with 487, never answered', c)


def unknown_user(run, port):
    c = Caller(port)
    try:
        c.send('INVITE', 'nobody', 'proxy-404@vgw.test', 1, 'nb1', body=c.offer())
        status, _, h, _ = c.expect('INVITE', 404)
        run.check(status == 404, 'an INVITE to an unregistered user: 404', h)
        c.send('ACK', 'nobody', 'proxy-404@vgw.test', 1, 'nb1', to_tag=to_tag(h))
    finally:
        c.close()
    run.check(call_of(calls(run), 'proxy-404@vgw.test') is None,
              'vgw sip calls: the refused INVITE is no call')


def test(run):
    p = run.up(GW)
    if p.returncode != 0:
        return
    st = run.status(GW) or {}
    ports = st.get('ports') or {}
    run.check((st.get('sip') or {}).get('calls') == {'in_progress': 0, 'total': 0},
              'status: sip.calls starts at zero', st.get('sip'))

    proxied_call(run, 'UDP', 'u1', ports['sip_udp'])
    bindings = proxied_call(run, 'TCP', 't1', ports['sip_tcp'])
    tcp = [b for b in bindings if b.get('aor', '').startswith('sip:bobtcp@')]
    run.check(tcp and tcp[0].get('connection', 0) > 0,
              'vgw sip registrations: the TCP binding records its connection', bindings)
    cancelled_call(run, ports['sip_udp'])
    unknown_user(run, ports['sip_udp'])

    table = calls(run)
    run.check(table.get('in_progress') == 0 and table.get('total') == 3 and
              [c.get('state') for c in table.get('calls', [])] == ['ended'] * 3,
              'vgw sip calls at the end: 3 calls routed, all ended, none in progress', table)
    p = run.vgw('sip', 'calls', '--name', GW)
    run.check(p.returncode == 0 and '0 calls in progress, 3 routed' in p.stdout,
              'vgw sip calls (text) sums them up', p.stdout + p.stderr)
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check('ended: BYE' in log and 'ended: 487' in log and
              'INVITE refused: 404' in log,
              'the console log says how each call ended and why the unknown user was refused',
              run.console_tail(GW))


if __name__ == '__main__':
    vgwtest.main(test)
