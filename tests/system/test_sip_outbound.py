#!/usr/bin/env python3
"""The gateway reaches SIP peers: outgoing OPTIONS (issue 10).

`vgw sip options URI` makes a booted gateway send one OPTIONS and report
what became of it. SIPp as UAS on 127.0.0.1 (the gateway dials 10.0.2.2)
answers over UDP and TCP, and its own counters must count every OPTIONS;
the TCP ones all go on one connection the gateway opened. Over TLS the
gateway dials stunnel4 in server mode in front of a SIPp TCP UAS; stunnel
requires a client certificate and accepts only the gateway's own (pinned),
so the answer proves the gateway presented it. A closed port fails as
connection-refused (not as a timeout after timer F). With
VerifyServerCertificate 1 a TLS server whose certificate no trusted root
vouches for is refused, and the console log names the peer and the reason;
dialled as sips:gw.example;maddr=10.0.2.2, the gateway asks it for
gw.example (SNI).
Keep-alive pings: a scripted TCP peer sees CRLF CRLF and answers CRLF;
when it stops answering, the gateway closes the connection. A peer that
connects to the gateway with ;alias in its Via (RFC 5923) gets the
gateway's OPTIONS to its sent-by port on that connection.
`vgw status --json` must count it all in `sip` and `tls`."""
import json
import os
import re
import socket
import ssl
import subprocess
import threading

import tlspeers
import vgwtest
from siptest import sipp_stat
from test_sip_options import request

GW = 'sipout'
HOST = '10.0.2.2'  # the host, as a gateway reaches it (slirp)
PROBES = 5         # OPTIONS per transport to SIPp
PING_S = 1


def options(run, uri, *extra):
    """`vgw sip options URI --json`: the outcome as a dict ({} and a failed
    check if it printed none)."""
    p = run.vgw('sip', 'options', '--name', GW, '--json', uri, *extra, timeout=600)
    try:
        return json.loads(p.stdout)
    except ValueError:
        run.check(False, 'vgw sip options %s prints its outcome' % uri,
                  'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr) + run.console_tail(GW))
        return {}


class SippUas:
    """SIPp answering PROBES OPTIONS as UAS on 127.0.0.1 over TRANSPORT
    ('u1', 't1'); its stat file has its own counts."""

    def __init__(self, run, transport, calls):
        self.port = tlspeers.free_port()
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sipp',
                            'options_uas.xml')
        self.stat = os.path.join(run.state_root, 'sipp-uas-%s-%d.csv' % (transport, self.port))
        self.p = subprocess.Popen(['sipp', '-sf', path, '-m', str(calls), '-t', transport,
                                   '-i', '127.0.0.1', '-p', str(self.port), '-nostdin',
                                   '-timeout', '900', '-timeout_error', '-trace_stat',
                                   '-fd', '1', '-stf', self.stat],
                                  cwd=run.state_root, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def finish(self, timeout=120):
        """Waits for SIPp to end (it does after its calls); returns (exit
        code, output, {counter: value})."""
        try:
            out, _ = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, _ = self.p.communicate()
        return self.p.returncode, out, sipp_stat(self.stat)


def check_answered(run, what, o, transport):
    run.check(o.get('state') == 'done' and o.get('answered') is True and o.get('status') == 200
              and o.get('reason') == 'OK' and o.get('transport') == transport
              and isinstance(o.get('rtt_ms'), int),
              '%s: answered 200 OK over %s, with a round-trip time' % (what, transport), o)


def sipp_probes(run, name, sipp_transport, transport):
    """PROBES OPTIONS to SIPp over TRANSPORT; returns the outcomes."""
    uas = SippUas(run, sipp_transport, PROBES)
    outcomes = []
    try:
        uri = 'sip:%s:%d;transport=%s' % (HOST, uas.port, transport)
        for i in range(PROBES):
            o = options(run, uri)
            outcomes.append(o)
            check_answered(run, 'OPTIONS %d to SIPp (%s)' % (i + 1, name), o, transport)
    finally:
        rc, out, c = uas.finish()
    run.check(rc == 0 and c.get('SuccessfulCall(C)') == str(PROBES)
              and c.get('FailedCall(C)') == '0',
              'SIPp (%s) counts %d OPTIONS answered, none failed' % (name, PROBES), c or out)
    return outcomes


def tls_through_stunnel(run, pki, sips_port):
    """stunnel4 as TLS server (requiring a client certificate, and only the
    gateway's) in front of a SIPp TCP UAS."""
    gw_pem = os.path.join(run.state_root, 'gateway.pem')
    with open(gw_pem, 'w') as f:
        f.write(ssl.get_server_certificate(('127.0.0.1', sips_port)))
    uas = SippUas(run, 't1', 1)
    tunnel, port, log = tlspeers.stunnel(
        run.state_root, 'server',
        'accept = 127.0.0.1:%d\nconnect = 127.0.0.1:%d\ncert = %s\nkey = %s\n'
        'requireCert = yes\nverifyPeer = yes\nCAfile = %s\n'
        % (tlspeers.free_port(), uas.port, pki.p('server.pem'), pki.p('server.key'), gw_pem))
    try:
        o = options(run, 'sips:%s:%d' % (HOST, port))
        check_answered(run, 'OPTIONS over TLS to SIPp behind stunnel4', o, 'tls')
    finally:
        rc, out, c = uas.finish()
        tunnel.terminate()
        tunnel.wait(timeout=60)
    run.check(rc == 0 and c.get('SuccessfulCall(C)') == '1',
              'SIPp behind stunnel4 counts the OPTIONS answered', c or out)
    text = tlspeers.read_log(log)
    run.check(re.search(r'[Cc]ertificate accepted.*CN=ACL_', text) is not None,
              'stunnel4 accepted the gateway\'s client certificate (CN=ACL_...)', text)


def closed_port(run):
    port = tlspeers.free_port()
    o = options(run, 'sip:%s:%d;transport=tcp' % (HOST, port))
    run.check(o.get('state') == 'done' and o.get('answered') is False
              and o.get('failure') == 'connection-refused' and o.get('connection') is None,
              'OPTIONS to a closed TCP port: connection-refused (not a timeout)', o)


class RogueTlsServer(threading.Thread):
    """A TLS server on 127.0.0.1 with a certificate of a CA nobody trusts,
    for one handshake; records the SNI names it was asked for."""

    def __init__(self, pki):
        super().__init__(daemon=True)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(pki.p('rogue-server.pem'), pki.p('rogue-server.key'))
        self.ctx.sni_callback = lambda sock, name, ctx: self.names.append(name)
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.listener.settimeout(600)
        self.port = self.listener.getsockname()[1]
        self.names = []

    def run(self):
        try:
            conn, _ = self.listener.accept()
            conn.settimeout(600)
            with self.ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass  # the gateway refuses the certificate: the handshake fails
        finally:
            self.listener.close()


def untrusted_server(run, pki):
    p = run.vgw('param', 'set', '--name', GW, 'VerifyServerCertificate', '1', timeout=120)
    run.check(p.returncode == 0, 'vgw param set VerifyServerCertificate 1', p.stdout + p.stderr)
    server = RogueTlsServer(pki)
    server.start()
    port = server.port
    try:
        # The host name in the URI, the address in ;maddr: the name is
        # what the gateway must ask for (SNI) and find in the certificate.
        o = options(run, 'sips:gw.example:%d;maddr=%s' % (port, HOST))
    finally:
        server.join(timeout=600)
    run.check(server.names == ['gw.example'],
              'the gateway asked the TLS server for gw.example (SNI from the URI\'s host)',
              server.names)
    run.check(o.get('answered') is False and o.get('failure') == 'tls-handshake-failed'
              and o.get('detail') == 'untrusted',
              'VerifyServerCertificate 1: a server certificate no trusted root vouches for '
              'is refused (tls-handshake-failed, untrusted)', o)
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check(re.search(r'tls: handshake to 10\.0\.2\.2:%d failed: .*reason: untrusted'
                        % port, log) is not None,
              'the console log names the TLS server and the reason it was refused',
              run.console_tail(GW))
    p = run.vgw('param', 'set', '--name', GW, 'VerifyServerCertificate', '0', timeout=120)
    run.check(p.returncode == 0, 'vgw param set VerifyServerCertificate 0', p.stdout + p.stderr)


def read_message(conn, buf):
    """(header section, bytes after it) of the next message on CONN,
    BUF holding what was read before; (None, b'') when CONN closes. Our
    peers get messages without body."""
    while b'\r\n\r\n' not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b''
        buf += chunk
    head, _, rest = buf.partition(b'\r\n\r\n')
    return head, rest


def ok_for(head):
    """200 OK to the request whose header section is HEAD."""
    lines = head.decode().split('\r\n')
    keep = [l for l in lines[1:] if l.split(':')[0].strip().lower() in
            ('via', 'from', 'to', 'call-id', 'cseq')]
    keep = [l + ';tag=peer' if l.lower().startswith('to:') else l for l in keep]
    return ('SIP/2.0 200 OK\r\n' + '\r\n'.join(keep) +
            '\r\nContent-Length: 0\r\n\r\n').encode()


class PingPeer(threading.Thread):
    """A TCP SIP peer scripted here: answers one OPTIONS 200, then answers
    PONGS keep-alive pings with CRLF and ignores the rest; records what
    it saw."""

    def __init__(self, pongs):
        super().__init__(daemon=True)
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.listener.settimeout(600)
        self.port = self.listener.getsockname()[1]
        self.pongs = pongs
        self.pings = 0
        self.closed_by_gateway = False
        self.error = None

    def run(self):
        try:
            conn, _ = self.listener.accept()
            conn.settimeout(600)
            head, buf = read_message(conn, b'')
            if head is None:
                return
            conn.sendall(ok_for(head))
            while True:
                while b'\r\n\r\n' in buf:
                    _, _, buf = buf.partition(b'\r\n\r\n')
                    self.pings += 1
                    if self.pings <= self.pongs:
                        conn.sendall(b'\r\n')
                chunk = conn.recv(65536)
                if not chunk:
                    self.closed_by_gateway = True
                    return
                buf += chunk
        except (OSError, UnicodeDecodeError) as e:
            self.error = e
        finally:
            self.listener.close()


def alias_reuse(run, sip_port):
    """RFC 5923: a peer that opened a connection to the gateway and put
    ;alias in its Via gets the gateway's requests to its sent-by port on
    that connection."""
    s = socket.create_connection(('127.0.0.1', sip_port), timeout=600)
    got = []
    peer = None

    def answer(buf):
        head, _ = read_message(s, buf)
        if head is not None:
            got.append(head)
            s.sendall(ok_for(head))

    try:
        s.sendall(request('OPTIONS', 'TCP', 'alias1', 'alias-1@test')
                  .replace(b';rport\r\n', b';rport;alias\r\n'))
        head, buf = read_message(s, b'')
        run.check(head is not None and head.startswith(b'SIP/2.0 200 '),
                  'a peer offering ;alias in its Via gets its OPTIONS answered', head)
        peer = threading.Thread(target=answer, args=(buf,), daemon=True)
        peer.start()
        # request() claims sent-by 192.0.2.10:5999; the gateway sees the
        # connection come from 10.0.2.2.
        o = options(run, 'sip:%s:5999;transport=tcp' % HOST)
    finally:
        try:
            s.shutdown(socket.SHUT_RDWR)  # ends the answering thread if nothing came
        except OSError:
            pass
        if peer is not None:
            peer.join(timeout=600)
        s.close()
    check_answered(run, 'OPTIONS to the alias 10.0.2.2:5999', o, 'tcp')
    run.check((o.get('connection') or {}).get('opened_by') == 'peer'
              and len(got) == 1 and got[0].startswith(b'OPTIONS sip:10.0.2.2:5999'),
              'the gateway\'s OPTIONS to 10.0.2.2:5999 went on the connection the peer '
              'opened (no new connection)', {'outcome': o, 'peer saw': got})


def keepalive(run):
    peer = PingPeer(pongs=2)
    peer.start()
    p = run.vgw('maint', '--name', GW, 'debug', 'sip-ping', 'tcp', HOST, str(peer.port),
                str(PING_S), timeout=60)
    run.check(p.returncode == 0, 'vgw maint debug sip-ping tcp %s PORT %d' % (HOST, PING_S),
              p.stdout + p.stderr)
    o = options(run, 'sip:%s:%d;transport=tcp' % (HOST, peer.port))
    check_answered(run, 'OPTIONS to the scripted keep-alive peer', o, 'tcp')
    peer.join(timeout=600)
    run.check(peer.pings >= 3 and peer.closed_by_gateway and peer.error is None,
              'keep-alive: the peer saw CRLF CRLF pings, answered two, and the gateway '
              'closed the connection when the pongs stopped',
              {'pings': peer.pings, 'closed': peer.closed_by_gateway, 'error': peer.error})
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check(re.search(r'sip/tcp: 10\.0\.2\.2:%d: closing: no pong' % peer.port, log)
              is not None, 'the console log says why the connection was closed',
              run.console_tail(GW))


def test(run):
    if run.up(GW).returncode != 0:
        return
    st = run.status(GW) or {}
    sips_port = (st.get('ports') or {}).get('sips')
    s0 = st.get('sip') or {}
    run.check(s0.get('tcp', {}).get('opened') == 0 and s0.get('tls', {}).get('opened') == 0
              and s0.get('tls', {}).get('connections_max') == 128
              and s0.get('client_transactions') == 0,
              'status: no connection opened yet; sip.tls bounded by the TLS listener (128)', s0)
    pki = tlspeers.Pki(run.state_root)

    sipp_probes(run, 'UDP', 'u1', 'udp')
    tcp = sipp_probes(run, 'TCP', 't1', 'tcp')
    ids = {(o.get('connection') or {}).get('id') for o in tcp}
    run.check(len(ids) == 1 and None not in ids and
              all((o.get('connection') or {}).get('opened_by') == 'gateway' for o in tcp),
              'the %d TCP OPTIONS share one connection the gateway opened' % PROBES,
              [o.get('connection') for o in tcp])
    tls_through_stunnel(run, pki, sips_port)
    closed_port(run)
    untrusted_server(run, pki)
    keepalive(run)
    alias_reuse(run, (st.get('ports') or {}).get('sip_tcp'))

    s = run.status(GW) or {}
    sip = s.get('sip') or {}
    tcp_s = sip.get('tcp') or {}
    tls_s = sip.get('tls') or {}
    # TCP: SIPp, the closed port, the keep-alive peer (the alias peer's
    # connection was accepted). TLS: stunnel, the untrusted server. TCP
    # received: SIPp's answers, the keep-alive peer's, the alias peer's
    # request and answer.
    run.check(tcp_s.get('opened') == 3 and tcp_s.get('connect_failures') == 1
              and tcp_s.get('pings_sent', 0) >= 3 and tcp_s.get('pongs') == 2
              and tcp_s.get('ping_timeouts') == 1,
              'status: sip.tcp opened 3, 1 failed to connect, pings sent, 2 pongs, '
              '1 ping timeout', tcp_s)
    run.check(tls_s.get('opened') == 2 and tls_s.get('connect_failures') == 1,
              'status: sip.tls opened 2, 1 failed (the untrusted server)', tls_s)
    run.check(sip.get('udp', {}).get('sent', 0) >= PROBES
              and sip.get('udp', {}).get('received') == PROBES
              and tcp_s.get('received') == PROBES + 3 and tls_s.get('received') == 1,
              'status: the answers are counted received per transport', sip)
    run.check(sip.get('client_transactions') == 0 and sip.get('peer_failures') == 2,
              'status: no client transaction left; 2 ended at once by a dead peer', sip)
    tls = s.get('tls') or {}
    run.check(tls.get('client_handshakes') == 1 and tls.get('client_failures') == 1
              and (tls.get('client_failure_reasons') or {}).get('untrusted') == 1,
              'status: tls counts 1 client handshake and 1 refused server certificate', tls)


if __name__ == '__main__':
    vgwtest.main(test)
