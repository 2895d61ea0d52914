#!/usr/bin/env python3
"""The gateway answers SIP over TLS on its SIPS port (issue 10).

SIP signalling on a TLS connection starts only once the handshake is
complete: a peer that sends SIP in the clear gets no answer (the handshake
fails as not-tls, and SIP counts nothing), and a peer that writes its
request right behind its Finished (a Python ssl client that sends at once
after do_handshake; openssl s_client with the request piped in, written as
soon as its handshake is done) is answered. openssl s_client over TLS 1.3
and 1.2 sends OPTIONS with sips: URIs and a TLS Via and gets the exact 200;
on one connection a CRLF CRLF ping is answered with CRLF, a bad CSeq gets
400 and the next OPTIONS its 200; a stream without Content-Length is
closed. SIPp (TCP only) sends OPTIONS through stunnel4 in client mode and
its own counters must show every call successful. `vgw status --json`
must count it all exactly in `sip.tls` and `tls`, and the console log name
the refusal with its peer and reason. Last, a silent TLS connection is
closed after the idle timeout (shortened with `debug sip-idle-timeout`)."""
import os
import re
import socket
import ssl

import tlspeers
import vgwtest
from siptest import parse_response
from test_sip_options import (CALLS, check_options_ok, check_sipp, idle_timeout,
                              recv_response, request, wait_for)

GW = 'siptls'
# SIP over TLS is bounded by the TLS listener's established connections
# (VGW_TLS_MAX_ESTABLISHED), not a second number.
MAX_CONNECTIONS = 128


def tls_client(port, version, timeout=120):
    """A TLS connection to the gateway (its certificate is self-signed:
    not verified here) with the handshake done."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = version
    ctx.maximum_version = version
    s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=timeout),
                        do_handshake_on_connect=False)
    s.do_handshake()
    return s


def closed_by_gateway(s):
    try:
        return s.recv(65536) == b''
    except (ConnectionResetError, ssl.SSLError):
        return True


def cleartext_sip(run, port):
    """SIP sent in the clear to the SIPS port never reaches SIP."""
    s = socket.create_connection(('127.0.0.1', port), timeout=120)
    try:
        s.sendall(request('OPTIONS', 'TLS', 'c1', 'clear-1@test', scheme='sips'))
        data = s.recv(65536)
    except ConnectionResetError:
        data = b''
    finally:
        s.close()
    run.check(b'SIP/2.0' not in data,
              'OPTIONS in the clear on the SIPS port gets no SIP answer', data)


def s_client_options(run, port, version, name, branch):
    """openssl s_client with OPTIONS piped in: it writes it as soon as its
    handshake is done."""
    p = tlspeers.Proc([tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port,
                       version, '-nocommands'])
    call_id = '%s@test' % branch
    try:
        p.send(request('OPTIONS', 'TLS', branch, call_id, scheme='sips').decode())
        # s_client's own lines end in LF: CRLF CRLF ends the answer's head.
        got = p.wait_for('\r\n\r\n', timeout=300)
    finally:
        p.finish(timeout=30)
    out = p.out.decode(errors='replace')
    m = re.search(r'New, (TLSv1\.[23]), Cipher is', out)
    run.check(m is not None and m.group(1) == name,
              'openssl s_client %s: the handshake is %s' % (version, name), out)
    run.check(got, 'openssl s_client %s: an answer arrives on the connection' % version, out)
    at = p.out.find(b'SIP/2.0 ')
    check_options_ok(run, 'OPTIONS over %s (openssl s_client)' % name,
                     p.out[at:] if at >= 0 else b'', 'TLS', branch, call_id, scheme='sips')


def python_checks(run, port):
    """Requests right behind the Finished, a ping, a bad request on the same
    connection, then a stream out of step on another."""
    s = tls_client(port, ssl.TLSVersion.TLSv1_3)
    try:
        # Written at once after the handshake: it travels right behind
        # the client's Finished.
        s.sendall(request('OPTIONS', 'TLS', 's1', 'tls-1@test', scheme='sips'))
        check_options_ok(run, 'OPTIONS sent right behind the Finished (TLS 1.3)',
                         recv_response(s), 'TLS', 's1', 'tls-1@test', scheme='sips')

        s.sendall(b'\r\n\r\n')
        run.check(s.recv(16) == b'\r\n', 'TLS: a CRLF CRLF ping is answered with CRLF')

        s.sendall(request('OPTIONS', 'TLS', 's2', 'tls-2@test', cseq='x7', scheme='sips'))
        status, phrase, h = parse_response(recv_response(s))
        run.check(status == 400 and phrase == 'Invalid CSeq number' and
                  h.get('warning') == ['399 vgw "Invalid CSeq number"'],
                  'TLS OPTIONS with CSeq x7: 400 with a Warning on the same connection',
                  (status, phrase, h))

        s.sendall(request('OPTIONS', 'TLS', 's3', 'tls-3@test', scheme='sips'))
        check_options_ok(run, 'TLS OPTIONS after the malformed one, same connection',
                         recv_response(s), 'TLS', 's3', 'tls-3@test', scheme='sips')
    finally:
        s.close()

    # A stream without Content-Length is out of step: closed, no answer.
    s = tls_client(port, ssl.TLSVersion.TLSv1_2)
    try:
        s.sendall(request('OPTIONS', 'TLS', 's4', 'tls-4@test', scheme='sips')
                  .replace(b'Content-Length: 0\r\n', b''))
        run.check(closed_by_gateway(s),
                  'TLS OPTIONS without Content-Length: the gateway closes the connection')
    finally:
        s.close()


def sipp_through_stunnel(run, sips_port):
    """SIPp speaks TCP to stunnel4, which carries it over TLS to the
    gateway."""
    tunnel, port, log = tlspeers.stunnel(
        run.state_root, 'sips', 'client = yes\naccept = 127.0.0.1:%d\nconnect = 127.0.0.1:%d\n'
        % (tlspeers.free_port(), sips_port))
    try:
        if not run.check(tlspeers.listening(port), 'stunnel4 listens on 127.0.0.1:%d' % port,
                         tlspeers.read_log(log)):
            return
        check_sipp(run, 'TLS (SIPp through stunnel4)', 't1', port)
    finally:
        tunnel.terminate()
        tunnel.wait(timeout=60)


def test(run):
    if run.up(GW).returncode != 0:
        return
    st = run.status(GW) or {}
    sips_port = (st.get('ports') or {}).get('sips')
    t0 = (st.get('sip') or {}).get('tls') or {}
    tls0 = st.get('tls') or {}
    run.check(t0.get('received') == 0 and t0.get('connections') == 0 and
              t0.get('accepted') == 0 and t0.get('connections_max') == MAX_CONNECTIONS and
              t0.get('idle_timeout_s', 0) > 0,
              'status has sip.tls: nothing received, no connection, the bounds', t0)
    if not sips_port or 'handshakes' not in tls0:
        run.check(False, 'status names the SIPS port and the TLS listener', st)
        return

    cleartext_sip(run, sips_port)
    s_client_options(run, sips_port, '-tls1_3', 'TLSv1.3', 'o13')
    s_client_options(run, sips_port, '-tls1_2', 'TLSv1.2', 'o12')
    python_checks(run, sips_port)
    sipp_through_stunnel(run, sips_port)

    s = wait_for(run, 'every SIP TLS connection is closed',
                 lambda s: s['tls']['connections'] == 0, gw=GW)
    if s is None:
        return
    t = s['tls']
    # 2 s_client OPTIONS, 3 on the Python connection, CALLS from SIPp; the
    # stream without Content-Length is refused, not received.
    want = 2 + 3 + CALLS
    run.check(t['received'] == want and t['sent'] == want and
              t['rejected'] == {'bad-cseq': 1, 'content-length-missing': 1} and
              t['pings'] == 1 and t['accepted'] == 5 and t['closed_idle'] == 0,
              'status: sip.tls received %d, sent %d, rejected bad-cseq 1 and '
              'content-length-missing 1, one ping, five connections' % (want, want), t)
    run.check(s['udp']['received'] == 0 and s['tcp']['received'] == 0,
              'status: nothing of it counted on UDP or TCP', s)
    tls1 = run.status(GW).get('tls') or {}
    reasons0 = tls0.get('failure_reasons') or {}
    reasons1 = tls1.get('failure_reasons') or {}
    run.check(tls1.get('handshakes') == tls0['handshakes'] + 5 and
              tls1.get('failures') == tls0['failures'] + 1 and
              reasons1.get('not-tls') == reasons0.get('not-tls', 0) + 1 and
              tls1.get('established') == 0,
              'status: tls counts five handshakes and the cleartext peer as not-tls',
              {'before': tls0, 'after': tls1})

    p = run.vgw('status', '--name', GW, timeout=60)
    want_line = 'sip tls      %d in, %d out, 2 refused (' % (want, want)
    run.check(p.returncode == 0 and want_line in p.stdout,
              'vgw status (text) shows the SIP TLS counters', p.stdout + p.stderr)

    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check(re.search(r'sip/tls: 10\.0\.2\.2:\d+: closing: .*\(content-length-missing\)', log)
              is not None,
              'the console log names the peer and the reason for a TLS stream out of step',
              run.console_tail(GW))

    idle_timeout(run, lambda: tls_client(sips_port, ssl.TLSVersion.TLSv1_3, timeout=300),
                 transport='tls', gw=GW)


if __name__ == '__main__':
    vgwtest.main(test)
