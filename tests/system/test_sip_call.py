#!/usr/bin/env python3
"""Calls to the gateway's test extension: answered, and RTP echoed (issue 10).

The test extension (TestCallNumber, 1000) answers an INVITE with 100 and
200 with an SDP answer and sends every RTP packet back to its sender.
Behind slirp the host reaches the gateway's RTP ports through the ports
`vgw up` forwards (status `ports.rtp`); the test points the SDP answer at
them with TestCallMediaAddress 127.0.0.1 and TestCallMediaPort.

- SIPp (tests/system/sipp/call.xml) over UDP and over TCP: INVITE with a
  PCMA/PCMU/telephone-event offer, 200 whose answer keeps that order, ACK,
  Debian's g711a.pcap played as RTP, BYE, 200. SIPp's counters must show one
  successful call and none failed, and the gateway must count the call
  and RTP packets it echoed.
- Raw sockets: the exact answer (To tag, Contact, SDP at the forwarded
  port), 20 RTP packets each coming back unchanged and counted exactly,
  BYE 200 ending the call; an INVITE to another number gets 404; with
  TestCallAnswerDelay the call rings (180) and a CANCEL gets 200 and the
  INVITE 487.
- The 200 is retransmitted until the ACK (RFC 3261 §13.3.1.4): the raw
  caller gets it twice before it ACKs; a call never ACKed gets it again
  and again, then a BYE in its dialog (64*T1 = 32 s after the first)."""
import os
import socket

import vgwtest
import siptest
from siptest import parse_response

GW = 'sipcall'
NUMBER = '1000'
RTP_PACKETS = 20


def free_udp_port():
    """A UDP port free on 127.0.0.1 now, for SIPp's media."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_extension(run):
    return ((run.status(GW) or {}).get('sip') or {}).get('test_extension') or {}


def set_param(run, name, value):
    p = run.vgw('param', 'set', '--name', GW, name, str(value), timeout=60)
    run.check(p.returncode == 0, 'vgw param set %s %s' % (name, value), p.stdout + p.stderr)


def sipp(run, name, transport, port, media_port):
    """One call through SIPp; returns (exit code, output, {counter: value})."""
    return siptest.run_sipp(run, 'call.xml', transport, port, 1, '-s', NUMBER,
                            '-mp', str(media_port), '-max_invite_retrans', '10')


def check_sipp_call(run, name, transport, port, media_port):
    before = test_extension(run)
    rc, out, c = sipp(run, name, transport, port, media_port)
    run.check(rc == 0 and c.get('SuccessfulCall(C)') == '1' and c.get('FailedCall(C)') == '0',
              'SIPp call over %s: exit code 0, its stat file counts 1 successful call, 0 failed'
              % name, c or out)
    after = test_extension(run)
    run.check(after.get('calls') == before.get('calls', 0) + 1 and after.get('active') == 0 and
              after.get('echoed_packets', 0) > before.get('echoed_packets', 0),
              'status: the %s call is counted, ended, and its RTP echoed' % name,
              {'before': before, 'after': after})


class Caller:
    """A UDP SIP client on 127.0.0.1 with its own RTP socket."""

    def __init__(self, port):
        self.addr = ('127.0.0.1', port)
        self.sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sip.bind(('127.0.0.1', 0))
        self.sip.settimeout(120)
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind(('127.0.0.1', 0))
        self.rtp.settimeout(120)

    def close(self):
        self.sip.close()
        self.rtp.close()

    def send(self, method, user, call_id, cseq, branch, to_tag=None, body=''):
        local = self.sip.getsockname()
        text = ('%s sip:%s@127.0.0.1 SIP/2.0\r\n'
                'Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n'
                'Max-Forwards: 70\r\n'
                'From: <sip:tester@127.0.0.1>;tag=caller%s\r\n'
                'To: <sip:%s@127.0.0.1>%s\r\n'
                'Call-ID: %s\r\n'
                'CSeq: %d %s\r\n'
                'Contact: <sip:tester@127.0.0.1:%d>\r\n'
                '%s'
                'Content-Length: %d\r\n\r\n%s'
                % (method, user, local[1], branch, call_id, user,
                   ';tag=' + to_tag if to_tag else '', call_id, cseq, method,
                   local[1], 'Content-Type: application/sdp\r\n' if body else '',
                   len(body.encode()), body))
        self.sip.sendto(text.encode(), self.addr)

    def offer(self):
        return ('v=0\r\no=tester 1 1 IN IP4 127.0.0.1\r\ns=-\r\n'
                'c=IN IP4 127.0.0.1\r\nt=0 0\r\n'
                'm=audio %d RTP/AVP 0 8\r\n' % self.rtp.getsockname()[1])

    def invite_refused(self, user, call_id, branch):
        """An INVITE with an offer to USER, its final answer ACKed:
        (status, headers)."""
        self.send('INVITE', user, call_id, 1, branch, body=self.offer())
        status, _, h, _ = self.expect('INVITE', 400)
        self.send('ACK', user, call_id, 1, branch, to_tag=to_tag(h))
        return status, h

    def expect(self, method, status):
        """The next response to METHOD with STATUS (earlier provisional
        responses and retransmissions skipped): (phrase, headers, body)."""
        while True:
            data = self.sip.recv(65536)
            got, phrase, h = parse_response(data)
            if h.get('cseq', [''])[0].endswith(' ' + method) and (got == status or got >= 200):
                body = data.split(b'\r\n\r\n', 1)[1].decode(errors='replace')
                return got, phrase, h, body


def to_tag(headers):
    to = headers.get('to', [''])[0]
    return to.split(';tag=', 1)[1].split(';')[0] if ';tag=' in to else None


def raw_call(run, port, rtp_ports):
    c = Caller(port)
    try:
        c.send('INVITE', NUMBER, 'raw-call@test', 1, 'rc1', body=c.offer())
        status, _, h, _ = c.expect('INVITE', 100)
        run.check(status == 100, 'raw INVITE to %s: 100 Trying first' % NUMBER, h)
        status, _, h, sdp = c.expect('INVITE', 200)
        tag = to_tag(h)
        run.check(status == 200 and tag and h.get('contact') and
                  h.get('content-type') == ['application/sdp'],
                  'raw INVITE: 200 with a To tag, a Contact and an SDP body', h)
        want = 'm=audio %d RTP/AVP 0 8' % rtp_ports[0]
        run.check('c=IN IP4 127.0.0.1' in sdp and want in sdp and 'a=sendrecv' in sdp,
                  'the SDP answer: c=127.0.0.1, %s (the first forwarded port)' % want, sdp)
        siptest.response_again(run, 'raw INVITE, no ACK yet: the test extension sends its 200 '
                               'again', c.sip, c.expect)
        c.send('ACK', NUMBER, 'raw-call@test', 1, 'rc2', to_tag=tag)

        before = test_extension(run).get('echoed_packets')
        sent = [bytes([0x80, 0x00, 0, i, 0, 0, 0, 160 * i % 256, 1, 2, 3, 4]) + bytes([i]) * 160
                for i in range(RTP_PACKETS)]
        echoed = []
        for packet in sent:
            c.rtp.sendto(packet, ('127.0.0.1', rtp_ports[0]))
            echoed.append(c.rtp.recv(2048))
        run.check(echoed == sent, '%d RTP packets come back unchanged' % RTP_PACKETS)
        after = test_extension(run)
        run.check(after.get('echoed_packets') == before + RTP_PACKETS and after.get('active') == 1,
                  'status: exactly %d more packets echoed, one call active' % RTP_PACKETS,
                  {'before': before, 'after': after})

        c.send('BYE', NUMBER, 'raw-call@test', 2, 'rc3', to_tag=tag)
        status, _, h, _ = c.expect('BYE', 200)
        run.check(status == 200, 'BYE: 200', h)
        run.check(test_extension(run).get('active') == 0, 'status: no call active after the BYE')
        # A BYE for the call that is over: no such call any more.
        c.send('BYE', NUMBER, 'raw-call@test', 3, 'rc4', to_tag=tag)
        status, _, h, _ = c.expect('BYE', 481)
        run.check(status == 481, 'BYE again: 481 (the call is over)', h)

        status, h = c.invite_refused('2000', 'raw-404@test', 'rn1')
        run.check(status == 404, 'raw INVITE to 2000: 404 Not Found', h)
    finally:
        c.close()


def cancel(run, port):
    set_param(run, 'TestCallAnswerDelay', 60)
    c = Caller(port)
    try:
        c.send('INVITE', NUMBER, 'raw-cancel@test', 1, 'cc1', body=c.offer())
        status, _, h, _ = c.expect('INVITE', 180)
        run.check(status == 180, 'with TestCallAnswerDelay 60 the INVITE rings: 180', h)
        c.send('CANCEL', NUMBER, 'raw-cancel@test', 1, 'cc1')
        status, _, h, _ = c.expect('CANCEL', 200)
        run.check(status == 200, 'CANCEL: 200', h)
        status, _, h, _ = c.expect('INVITE', 487)
        run.check(status == 487, 'the cancelled INVITE: 487 Request Terminated', h)
        c.send('ACK', NUMBER, 'raw-cancel@test', 1, 'cc1', to_tag=to_tag(h))
    finally:
        c.close()
    run.check(test_extension(run).get('active') == 0, 'status: the cancelled call is not active')
    set_param(run, 'TestCallAnswerDelay', 0)


def no_ack(run, port):
    """A 200 never ACKed: the test extension sends it again and again, then,
    64*T1 (32 s) after the first, ends the call with a BYE in its dialog."""
    c = Caller(port)
    try:
        c.send('INVITE', NUMBER, 'raw-noack@test', 1, 'na1', body=c.offer())
        status, _, h, _ = c.expect('INVITE', 200)
        tag = to_tag(h)
        siptest.response_again(run, 'no ACK: the 200 comes again', c.sip, c.expect)
        bye, src = siptest.next_request(c.sip, 'BYE')
        run.check(siptest.header(bye, 'call-id') == 'raw-noack@test' and
                  siptest.header(bye, 'from').endswith('tag=' + tag) and
                  siptest.header(bye, 'to').endswith('tag=callerraw-noack@test') and
                  bye.startswith('BYE sip:tester@127.0.0.1:%d ' % c.sip.getsockname()[1]),
                  'no ACK: the test extension ends the call with a BYE to the caller\'s '
                  'Contact, in its dialog', bye)
        siptest.answer(c.sip, bye, src, 200, 'OK', 'unused')
    except socket.timeout:
        run.check(False, 'no ACK: a BYE from the test extension', 'none in 120 s')
    finally:
        c.close()
    run.check(test_extension(run).get('active') == 0, 'status: the unacknowledged call ended')


def test(run):
    p = run.up(GW)
    if p.returncode != 0:
        return
    st = run.status(GW) or {}
    ports = st.get('ports') or {}
    rtp = ports.get('rtp') or []
    run.check(len(rtp) == 4 and rtp == list(range(rtp[0], rtp[0] + 4)),
              'status: ports.rtp lists 4 consecutive forwarded ports', ports)
    run.check(test_extension(run) == {'calls': 0, 'active': 0, 'echoed_packets': 0},
              'status: sip.test_extension starts at zero', st.get('sip'))
    if len(rtp) != 4:
        return
    set_param(run, 'TestCallMediaAddress', '127.0.0.1')
    set_param(run, 'TestCallMediaPort', rtp[0])

    check_sipp_call(run, 'UDP', 'u1', ports['sip_udp'], free_udp_port())
    check_sipp_call(run, 'TCP', 't1', ports['sip_tcp'], free_udp_port())
    raw_call(run, ports['sip_udp'], rtp)
    cancel(run, ports['sip_udp'])
    no_ack(run, ports['sip_udp'])

    p = run.vgw('status', '--name', GW)
    run.check(p.returncode == 0 and 'test call    4 answered, 0 active' in p.stdout,
              'vgw status (text) shows the test extension\'s counters', p.stdout + p.stderr)
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check('test-call raw-call@test: ended: BYE; %d RTP packets echoed' % RTP_PACKETS in log and
              'test-call raw-cancel@test: ended: CANCEL' in log and
              'test-call raw-noack@test: ended: no ACK' in log,
              'the console log says how each call ended and what it echoed',
              run.console_tail(GW))


if __name__ == '__main__':
    vgwtest.main(test)
