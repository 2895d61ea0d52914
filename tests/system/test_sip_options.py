#!/usr/bin/env python3
"""The gateway answers SIP OPTIONS over UDP and TCP (issue 10).

SIPp (Debian's sip-tester) sends OPTIONS over UDP and over TCP with
tests/system/sipp/options.xml, which fails a "call" unless the answer is
200 with Allow naming OPTIONS; SIPp's own counters must show every call
successful. Raw sockets then check what a SIP client relies on: the exact
200 (Via stamped with received and rport, a To tag, CSeq, Call-ID, Allow,
Supported), 400 with a Warning for a malformed request and the gateway
still answering after it, 404 for an INVITE to a number nobody answers,
CRLF CRLF answered with CRLF on TCP, a stream without Content-Length
closed, the connection bound (256 open, the next one refused) and the
idle timeout (shortened with `debug sip-idle-timeout`).
`vgw status --json` must count all of it, per transport and per reason,
and the console log must name each refusal with its peer and reason.

The host reaches the gateway through slirp, so the gateway sees every
request from 10.0.2.2 and a port of slirp's choosing: received=10.0.2.2
and an rport are what make the answers come back."""
import json
import os
import re
import socket
import time

import siptest
import vgwtest

GW = 'sipopt'
CALLS = 20
MAX_CONNECTIONS = 256


def sip_status(run, gw=GW):
    st = run.status(gw) or {}
    return st.get('sip') or {}


def wait_for(run, what, pred, polls=600, gw=GW):
    """Polls the SIP status of gateway GW until PRED holds (the bound only
    stops a broken gateway from hanging the test)."""
    s = {}
    for _ in range(polls):
        s = sip_status(run, gw)
        if s and pred(s):
            return s
        time.sleep(1)
    run.check(False, what, s)
    return None


def check_sipp(run, name, transport, port):
    siptest.check_sipp(run, 'SIPp OPTIONS over %s' % name, 'options.xml', transport, port,
                       CALLS)


def request(method, transport, branch, call_id, cseq='7', body='', scheme='sip'):
    """A request from a client that believes it is at 192.0.2.10:5999
    (SCHEME 'sips' for the gateway's URIs over TLS)."""
    return ('%s %s:gateway@127.0.0.1 SIP/2.0\r\n'
            'Via: SIP/2.0/%s 192.0.2.10:5999;branch=z9hG4bK%s;rport\r\n'
            'Max-Forwards: 70\r\n'
            'From: <%s:tester@example.test>;tag=from%s\r\n'
            'To: <%s:gateway@127.0.0.1>\r\n'
            'Call-ID: %s\r\n'
            'CSeq: %s %s\r\n'
            'Content-Length: %d\r\n\r\n%s'
            % (method, scheme, transport, branch, scheme, branch, scheme, call_id, cseq,
               method, len(body), body)).encode()


def recv_response(sock):
    """One response from a TCP stream (header section and Content-Length)."""
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    length = int(re.search(rb'\r\nContent-Length:\s*(\d+)', data, re.I).group(1))
    end = data.index(b'\r\n\r\n') + 4 + length
    while len(data) < end:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def check_options_ok(run, what, data, transport, branch, call_id, scheme='sip'):
    status, _, h = siptest.parse_response(data)
    via = (h.get('via') or [''])[0]
    run.check(status == 200, '%s: 200' % what, data)
    run.check(re.fullmatch(r'SIP/2\.0/%s 192\.0\.2\.10:5999;branch=z9hG4bK%s;'
                           r'rport=\d+;received=10\.0\.2\.2' % (transport, branch), via)
              is not None and len(h.get('via', [])) == 1,
              '%s: the one Via is stamped received=10.0.2.2 and rport=<source port>' % what, data)
    to = (h.get('to') or [''])[0]
    run.check(re.fullmatch(r'<%s:gateway@127\.0\.0\.1>;tag=\w+' % scheme, to) is not None,
              '%s: To gets a tag' % what, data)
    run.check(h.get('from') == ['<%s:tester@example.test>;tag=from%s' % (scheme, branch)] and
              h.get('call-id') == [call_id] and h.get('cseq') == ['7 OPTIONS'],
              '%s: From, Call-ID and CSeq are the request\'s' % what, data)
    allow = [m.strip() for m in (h.get('allow') or [''])[0].split(',')]
    run.check('OPTIONS' in allow and 'INVITE' in allow and 'supported' in h and
              h.get('content-length') == ['0'],
              '%s: Allow lists OPTIONS and INVITE, Supported is present, no body' % what, data)


def udp_checks(run, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(120)
    addr = ('127.0.0.1', port)
    try:
        s.sendto(request('OPTIONS', 'UDP', 'u1', 'udp-1@test'), addr)
        check_options_ok(run, 'UDP OPTIONS', s.recv(65536), 'UDP', 'u1', 'udp-1@test')

        s.sendto(request('OPTIONS', 'UDP', 'u2', 'udp-2@test', cseq='x7'), addr)
        status, phrase, h = siptest.parse_response(s.recv(65536))
        run.check(status == 400 and phrase == 'Invalid CSeq number' and
                  h.get('warning') == ['399 vgw "Invalid CSeq number"'],
                  'UDP OPTIONS with CSeq x7: 400 with the reason and a Warning', (status, phrase, h))

        # Not SIP at all: nothing can be answered; the next OPTIONS is.
        s.sendto(b'hello gateway\r\n\r\n', addr)
        s.sendto(request('OPTIONS', 'UDP', 'u3', 'udp-3@test'), addr)
        check_options_ok(run, 'UDP OPTIONS after two malformed datagrams', s.recv(65536),
                         'UDP', 'u3', 'udp-3@test')

        s.sendto(request('INVITE', 'UDP', 'u4', 'udp-4@test'), addr)
        status, _, h = siptest.parse_response(s.recv(65536))
        run.check(status == 404 and h.get('cseq') == ['7 INVITE'],
                  'UDP INVITE to sip:gateway: 404 (only the test extension answers calls)',
                  (status, h))
        # ACK the 404 so the server transaction stops resending it.
        s.sendto(request('ACK', 'UDP', 'u4', 'udp-4@test'), addr)
    finally:
        s.close()


def tcp_checks(run, port):
    s = socket.create_connection(('127.0.0.1', port), timeout=120)
    try:
        s.sendall(b'\r\n\r\n')
        run.check(s.recv(16) == b'\r\n', 'TCP: a CRLF CRLF ping is answered with CRLF')

        s.sendall(request('OPTIONS', 'TCP', 't1', 'tcp-1@test'))
        check_options_ok(run, 'TCP OPTIONS', recv_response(s), 'TCP', 't1', 'tcp-1@test')

        s.sendall(request('OPTIONS', 'TCP', 't2', 'tcp-2@test', cseq='x7'))
        status, phrase, _ = siptest.parse_response(recv_response(s))
        run.check(status == 400 and phrase == 'Invalid CSeq number',
                  'TCP OPTIONS with CSeq x7: 400 on the same connection', (status, phrase))

        s.sendall(request('OPTIONS', 'TCP', 't3', 'tcp-3@test'))
        check_options_ok(run, 'TCP OPTIONS after the malformed one, same connection',
                         recv_response(s), 'TCP', 't3', 'tcp-3@test')
    finally:
        s.close()

    # A stream without Content-Length is out of step: closed, no answer.
    s = socket.create_connection(('127.0.0.1', port), timeout=120)
    try:
        s.sendall(request('OPTIONS', 'TCP', 't4', 'tcp-4@test')
                  .replace(b'Content-Length: 0\r\n', b''))
        run.check(s.recv(65536) == b'',
                  'TCP OPTIONS without Content-Length: the gateway closes the connection')
    except ConnectionResetError:
        run.check(True, 'TCP OPTIONS without Content-Length: the gateway closes the connection')
    finally:
        s.close()


def connection_limit(run, port):
    """MAX_CONNECTIONS idle connections are served, the next is refused."""
    held = []
    try:
        for _ in range(MAX_CONNECTIONS):
            held.append(socket.create_connection(('127.0.0.1', port), timeout=120))
        s = wait_for(run, 'the gateway holds %d TCP connections' % MAX_CONNECTIONS,
                     lambda s: s['tcp']['connections'] == MAX_CONNECTIONS)
        if s is None:
            return
        extra = socket.create_connection(('127.0.0.1', port), timeout=120)
        try:
            closed = extra.recv(16) == b''
        except ConnectionResetError:
            closed = True
        extra.close()
        run.check(closed, 'connection %d is closed by the gateway' % (MAX_CONNECTIONS + 1))
        s = sip_status(run)
        run.check(s.get('tcp', {}).get('rejected', {}).get('connection-limit') == 1 and
                  s['tcp']['connections'] == MAX_CONNECTIONS,
                  'status: one connection-limit refusal, %d still open' % MAX_CONNECTIONS, s)
        # One held connection still gets answers.
        held[0].sendall(request('OPTIONS', 'TCP', 't5', 'tcp-5@test'))
        status, _, _ = siptest.parse_response(recv_response(held[0]))
        run.check(status == 200, 'a held connection still gets its OPTIONS answered')
    finally:
        for c in held:
            c.close()


def idle_timeout(run, connect, transport='tcp', gw=GW):
    """A TRANSPORT connection (a socket from CONNECT()) that stays silent
    is closed after the idle timeout, shortened with the test switch (300 s
    at boot)."""
    p = run.vgw('maint', '--name', gw, 'debug', 'sip-idle-timeout', '2', timeout=60)
    run.check(p.returncode == 0 and json.loads(p.stdout or 'null') == {'idle_timeout_s': 2},
              'vgw maint debug sip-idle-timeout 2', p.stdout + p.stderr)
    before = sip_status(run, gw).get(transport, {}).get('closed_idle')
    s = connect()
    try:
        s.sendall(b'\r\n\r\n')
        run.check(s.recv(16) == b'\r\n', '%s: a new connection is served (ping answered)'
                  % transport)
        try:
            closed = s.recv(16) == b''
        except (ConnectionResetError, ssl.SSLError):
            closed = True
        run.check(closed, '%s: the gateway closes it once it stays idle' % transport)
    finally:
        s.close()
    st = wait_for(run, 'the idle connection is gone',
                  lambda s: s[transport]['connections'] == 0, gw=gw)
    run.check(st is not None and st[transport]['closed_idle'] == before + 1 and
              st[transport]['idle_timeout_s'] == 2,
              'status: one more %s connection closed idle, idle_timeout_s 2' % transport, st)


def test(run):
    if run.up(GW).returncode != 0:
        return
    st = run.status(GW) or {}
    ports = st.get('ports') or {}
    udp_port, tcp_port = ports.get('sip_udp'), ports.get('sip_tcp')
    s0 = st.get('sip') or {}
    run.check(s0.get('udp', {}).get('received') == 0 and s0.get('tcp', {}).get('received') == 0 and
              s0.get('tcp', {}).get('connections') == 0 and
              s0.get('tcp', {}).get('connections_max') == MAX_CONNECTIONS and
              s0.get('tcp', {}).get('idle_timeout_s', 0) > 0,
              'status has a sip object: nothing received, no connection, the bounds', s0)
    if not udp_port or not tcp_port:
        run.check(False, 'status names the forwarded SIP ports', st)
        return

    check_sipp(run, 'UDP', 'u1', udp_port)
    s1 = sip_status(run)
    # SIPp retransmits over UDP when an answer is slow: at least CALLS each.
    run.check(s1['udp']['received'] >= CALLS and s1['udp']['sent'] >= CALLS and
              s1['udp']['rejected'] == {},
              'status: UDP counts SIPp\'s %d OPTIONS received and answered' % CALLS, s1)

    check_sipp(run, 'TCP', 't1', tcp_port)
    s2 = wait_for(run, 'SIPp\'s TCP connection is closed',
                  lambda s: s['tcp']['connections'] == 0)
    if s2 is None:
        return
    run.check(s2['tcp']['received'] == CALLS and s2['tcp']['sent'] == CALLS and
              s2['tcp']['accepted'] >= 1 and s2['tcp']['rejected'] == {},
              'status: TCP counts SIPp\'s %d OPTIONS received and answered' % CALLS, s2)

    udp_checks(run, udp_port)
    tcp_checks(run, tcp_port)
    s3 = wait_for(run, 'the raw TCP connections are closed',
                  lambda s: s['tcp']['connections'] == 0)
    if s3 is None:
        return
    u, t = s3['udp'], s3['tcp']
    # UDP: 2 OPTIONS + bad CSeq + junk + INVITE + ACK; 4 answers (plus any
    # 404 the IST resent before the ACK arrived).
    run.check(u['received'] == s2['udp']['received'] + 6 and
              u['sent'] >= s2['udp']['sent'] + 4 and
              u['rejected'] == {'unparseable': 1, 'bad-cseq': 1},
              'status: UDP received +6, sent +4, rejected bad-cseq 1 and unparseable 1',
              {'before': s2['udp'], 'after': u})
    run.check(t['received'] == s2['tcp']['received'] + 3 and t['sent'] == s2['tcp']['sent'] + 3 and
              t['rejected'] == {'bad-cseq': 1, 'content-length-missing': 1} and
              t['pings'] == s2['tcp']['pings'] + 1 and
              t['accepted'] == s2['tcp']['accepted'] + 2,
              'status: TCP received +3, sent +3, rejected bad-cseq 1 and content-length-missing 1, '
              'one ping, two connections', {'before': s2['tcp'], 'after': t})

    # What a person reads: `vgw status` shows the same counters per line.
    p = run.vgw('status', '--name', GW, timeout=60)
    want_udp = 'sip udp      %d in, %d out, 2 refused (' % (u['received'], u['sent'])
    want_tcp = 'sip tcp      %d in, %d out, 2 refused (' % (t['received'], t['sent'])
    run.check(p.returncode == 0 and want_udp in p.stdout and want_tcp in p.stdout and
              'bad-cseq 1' in p.stdout and 'unparseable 1' in p.stdout and
              'content-length-missing 1' in p.stdout,
              'vgw status (text) shows the SIP counters and refusal reasons of each transport',
              p.stdout + p.stderr)

    connection_limit(run, tcp_port)
    if wait_for(run, 'the held connections are closed',
                lambda s: s['tcp']['connections'] == 0) is not None:
        idle_timeout(run, lambda: socket.create_connection(('127.0.0.1', tcp_port), timeout=300))

    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    for pattern, what in [
            (r'sip/udp: 10\.0\.2\.2:\d+: message refused: Invalid CSeq number \(bad-cseq\)',
             'a bad CSeq over UDP'),
            (r'sip/udp: 10\.0\.2\.2:\d+: message refused: .*\(unparseable\)',
             'an unparseable datagram'),
            (r'sip/tcp: 10\.0\.2\.2:\d+: closing: .*\(content-length-missing\)',
             'a stream without Content-Length'),
            (r'sip/tcp: 10\.0\.2\.2:\d+: refused: connection-limit \(%d connections open\)'
             % MAX_CONNECTIONS, 'a connection over the limit'),
            (r'sip/tcp: 10\.0\.2\.2:\d+: closing: idle for 2 s', 'an idle connection')]:
        run.check(re.search(pattern, log) is not None,
                  'the console log names the peer and the reason for %s' % what,
                  run.console_tail(GW))


if __name__ == '__main__':
    vgwtest.main(test)
