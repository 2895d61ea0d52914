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
INVITE 487), a call by raw sockets whose callee retransmits its 200 (relayed
to the caller before its ACK), whose caller sends a re-INVITE and whose
callee hangs up, an INVITE to an unknown user (404), a sips: INVITE (416 while
EnableSIPS is 0; 480 with Warning 380 to a user registered over UDP once it
is 1), and `vgw sip calls --json` and `vgw status --json` (sip.calls)
during and after the calls.

The SIPp caller pauses after the ACK (-d) while the test reads `vgw sip
calls`; the call must show as answered then."""
import os
import socket
import subprocess
import time

import vgwtest
import siptest
from test_sip_call import Caller, free_udp_port, to_tag
from siptest import answer, finish_sipp, header, kill, next_request, parse_response

GW = 'sipproxy'
SIPP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sipp')
# How long the caller holds the answered call before its BYE, for the test
# to read `vgw sip calls` meanwhile (each read takes a few seconds at most).
HOLD_MS = 45000


def free_port():
    """A port free on 127.0.0.1 for both UDP and TCP now, for SIPp's -p."""
    while True:
        port = free_udp_port()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(('127.0.0.1', port))
            return port
        except OSError:
            pass
        finally:
            s.close()


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


def calls(run):
    return siptest.vgw_json(run, GW, 'sip', 'calls')


def call_of(table, call_id):
    return next((c for c in table.get('calls', []) if c.get('call_id') == call_id), None)


def wait_for(run, what, predicate, fetch, sipp, attempts=120):
    """Fetches until PREDICATE holds of the result (at most ATTEMPTS reads,
    one a second, while the SIPp process SIPP runs); returns the last
    result."""
    got = None
    for _ in range(attempts):
        got = fetch()
        if predicate(got):
            return got
        if sipp.poll() is not None:
            got = {'sipp exited': sipp.returncode, 'last': got}
            break
        time.sleep(1)
    run.check(False, what, got)
    return got


def registered(run, aor_user, transport, sipp):
    return wait_for(run, '%s registers over %s' % (aor_user, transport),
                    lambda b: any(x.get('aor', '').startswith('sip:%s@' % aor_user) and
                                  x.get('transport') == transport for x in b),
                    lambda: siptest.vgw_json(run, GW, 'sip', 'registrations').get('bindings', []),
                    sipp)


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
    bob_port, alice_port = free_port(), free_port()
    bob = start_sipp(run, 'proxy_callee.xml', transport, port, call_id, bob_port,
                     '-key', 'callee', callee)
    alice = None
    try:
        bindings = registered(run, callee, name.lower(), bob)
        alice = start_sipp(run, 'proxy_caller.xml', transport, port, call_id, alice_port,
                           '-key', 'caller', caller, '-key', 'callee', callee,
                           '-d', str(HOLD_MS))
        during = wait_for(run, 'the %s call shows as answered in vgw sip calls' % name,
                          lambda t: (call_of(t, call_id) or {}).get('state') == 'answered',
                          lambda: calls(run), alice)
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
        siptest.finish_call(run, 'the %s call' % name, alice, bob)
    finally:
        kill(bob, alice)

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

    def request(self, method, cseq=None):
        return next_request(self.sock, method, cseq)

    def answer(self, request, src, status, phrase, tag):
        answer(self.sock, request, src, status, phrase, tag)


def dialog_both_ways(run, port):
    """Requests in a call go both ways through the gateway: the caller's
    re-INVITE reaches the callee, the callee's BYE the caller, each in its
    own transaction with the gateway's Via, and the answers come back."""
    call_id = 'proxy-dialog@vgw.test'
    dave = Callee(port, 'dave')
    alice = Caller(port)
    try:
        run.check(dave.register() == 200, 'dave registers over UDP: 200')
        alice.send('INVITE', 'dave', call_id, 1, 'dlg1', body=alice.offer())
        invite, src = dave.request('INVITE')
        dave.answer(invite, src, 200, 'OK', 'dave1')
        status, _, h, _ = alice.expect('INVITE', 200)
        tag = to_tag(h)
        run.check(status == 200 and tag == 'dave1' and
                  h.get('record-route', [''])[0].startswith('<sip:10.0.2.15:'),
                  'raw call alice -> dave: 200 with dave\'s tag and the Record-Route', h)
        # No ACK yet: dave retransmits his 200; the gateway relays it.
        dave.answer(invite, src, 200, 'OK', 'dave1')
        siptest.response_again(run, 'dave\'s retransmitted 200 reaches alice through the '
                               'gateway (its INVITE transaction ended at the first)',
                               alice.sip, alice.expect)
        alice.send('ACK', 'dave', call_id, 1, 'dlg2', to_tag=tag)
        dave.request('ACK')

        alice.send('INVITE', 'dave', call_id, 2, 'dlg3', to_tag=tag, body=alice.offer())
        reinvite, src = dave.request('INVITE', 2)
        run.check(header(reinvite, 'via').startswith('SIP/2.0/UDP 10.0.2.15:'),
                  'the re-INVITE reaches dave through the gateway', reinvite)
        dave.answer(reinvite, src, 200, 'OK', 'dave1')
        status, _, h, _ = alice.expect('INVITE', 200)
        run.check(status == 200 and h.get('cseq') == ['2 INVITE'],
                  'alice gets the 200 to her re-INVITE', h)
        alice.send('ACK', 'dave', call_id, 2, 'dlg4', to_tag=tag)
        dave.request('ACK', 2)

        local = dave.sock.getsockname()[1]
        bye = ('BYE sip:tester@127.0.0.1 SIP/2.0\r\n'
               'Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKdavebye;rport\r\n'
               'Max-Forwards: 70\r\n'
               'From: <sip:dave@127.0.0.1>;tag=dave1\r\n'
               'To: <sip:tester@127.0.0.1>;tag=caller%s\r\n'
               'Call-ID: %s\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n'
               % (local, call_id, call_id))
        dave.sock.sendto(bye.encode(), dave.gw)
        got, src = next_request(alice.sip, 'BYE')
        run.check(header(got, 'from').endswith('tag=dave1') and
                  header(got, 'via').startswith('SIP/2.0/UDP 10.0.2.15:'),
                  'dave\'s BYE reaches alice through the gateway', got)
        answer(alice.sip, got, src, 200, 'OK', 'unused')
        status = parse_response(dave.sock.recv(65536))[0]
        run.check(status == 200, 'dave gets alice\'s 200 to his BYE')
        alice.send('INVITE', 'dave', call_id, 3, 'dlg5', to_tag=tag, body=alice.offer())
        status, _, h, _ = alice.expect('INVITE', 481)
        run.check(status == 481, 'a re-INVITE after the BYE: 481, the call is over', h)
        alice.send('ACK', 'dave', call_id, 3, 'dlg5', to_tag=to_tag(h))
    finally:
        dave.close()
        alice.close()
    c = call_of(calls(run), call_id) or {}
    run.check(c.get('state') == 'ended' and c.get('end_reason') == 'BYE',
              'vgw sip calls: the call dave hung up ended by BYE', c)


def cancelled_call(run, port):
    carol = Callee(port, 'carol')
    sipp = None
    call_id = 'proxy-cancel@vgw.test'
    try:
        run.check(carol.register() == 200, 'carol registers over UDP: 200')
        sipp = start_sipp(run, 'proxy_cancel.xml', 'u1', port, call_id, free_port(),
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
        kill(sipp)
    c = call_of(calls(run), call_id) or {}
    run.check(c.get('state') == 'ended' and c.get('end_reason') == '487' and
              c.get('answer') is None,
              'vgw sip calls: the cancelled call ended with 487, never answered', c)


def unknown_user(run, port):
    c = Caller(port)
    try:
        status, h = c.invite_refused('nobody', 'proxy-404@vgw.test', 'nb1')
        run.check(status == 404, 'an INVITE to an unregistered user: 404', h)
    finally:
        c.close()
    run.check(call_of(calls(run), 'proxy-404@vgw.test') is None,
              'vgw sip calls: the refused INVITE is no call')


def sips_invite(run, port, user, call_id):
    """A raw INVITE to sips:USER@127.0.0.1 over UDP; returns (status,
    phrase, headers) of its final answer, ACKed."""
    c = Caller(port)
    try:
        local = c.sip.getsockname()[1]
        head = ('sips:%s@127.0.0.1 SIP/2.0\r\n'
                'Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n'
                'Max-Forwards: 70\r\n'
                'From: <sips:tester@127.0.0.1>;tag=sips1\r\n'
                'To: <sips:%s@127.0.0.1>%%s\r\n'
                'Call-ID: %s\r\n' % (user, local, call_id, user, call_id))
        c.sip.sendto(('INVITE ' + head % '' + 'CSeq: 1 INVITE\r\n'
                      'Contact: <sips:tester@127.0.0.1:%d>\r\n'
                      'Content-Length: 0\r\n\r\n' % local).encode(), c.addr)
        status, phrase, h, _ = c.expect('INVITE', 400)
        tag = to_tag(h)
        c.sip.sendto(('ACK ' + head % (';tag=' + tag if tag else '') +
                      'CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n').encode(), c.addr)
        return status, phrase, h
    finally:
        c.close()


def sips(run, port):
    """sips: is refused with 416 while EnableSIPS is 0; with it on, a sips:
    call to a user registered over UDP cannot stay on TLS: 480 with Warning
    380 (RFC 5630)."""
    status, phrase, h = sips_invite(run, port, 'carol', 'sips-416@vgw.test')
    run.check(status == 416, 'EnableSIPS 0: an INVITE to sips:carol gets 416', (phrase, h))
    p = run.vgw('param', 'set', '--name', GW, 'EnableSIPS', '1', timeout=60)
    run.check(p.returncode == 0, 'vgw param set EnableSIPS 1', p.stdout + p.stderr)
    status, phrase, h = sips_invite(run, port, 'carol', 'sips-480@vgw.test')
    run.check(status == 480 and any(w.startswith('380 ') for w in h.get('warning', [])),
              'EnableSIPS 1: sips:carol (registered over UDP) gets 480 with Warning 380',
              (status, phrase, h))
    run.vgw('param', 'set', '--name', GW, 'EnableSIPS', '0', timeout=60)


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
    tcp = [b for b in bindings if isinstance(b, dict) and
           b.get('aor', '').startswith('sip:bobtcp@')]
    run.check(tcp and tcp[0].get('connection', 0) > 0,
              'vgw sip registrations: the TCP binding records its connection', bindings)
    cancelled_call(run, ports['sip_udp'])
    dialog_both_ways(run, ports['sip_udp'])
    unknown_user(run, ports['sip_udp'])
    sips(run, ports['sip_udp'])

    table = calls(run)
    run.check(table.get('in_progress') == 0 and table.get('total') == 4 and
              [c.get('state') for c in table.get('calls', [])] == ['ended'] * 4,
              'vgw sip calls at the end: 4 calls routed, all ended, none in progress', table)
    p = run.vgw('sip', 'calls', '--name', GW)
    run.check(p.returncode == 0 and '0 calls in progress, 4 routed' in p.stdout,
              'vgw sip calls (text) sums them up', p.stdout + p.stderr)
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check('ended: BYE' in log and 'ended: 487' in log and
              'INVITE refused: 404' in log,
              'the console log says how each call ended and why the unknown user was refused',
              run.console_tail(GW))


if __name__ == '__main__':
    vgwtest.main(test)
