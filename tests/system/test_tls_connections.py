#!/usr/bin/env python3
"""`vgw tls connections` and re-handshakes (issue 11, "Diagnostics" and
"Re-handshakes").

With the gateway's key log on and a capture running, three TLS
connections stay open: an openssl s_client over TLS 1.3 with a client
certificate from `vgw pki` (the gateway does not ask for one, so none is
sent), an openssl s_client over TLS 1.2, and the gateway's own connection
to an openssl s_server serving a `vgw pki` proxy certificate (`vgw sip
options sips:`). `vgw tls connections --json` lists each with its role,
version, cipher (the one openssl reports), group, TLS Context and why (the
text of the console's handshake line), what it belongs to, and the peer
certificate: none from the s_clients, the s_server's subject, every SAN
and issuer for the gateway's own; "not requested" as authentication and
no host-name rule. The text form shows the same, as does `show tls
connections` typed at the maintenance console (human mode).

Then TLSReHandshakeInterval 1 with a "minute" of 2 s (the test-only
`debug tls-rehandshake-unit 2`): the key-update count of both TLS 1.3
connections grows and `status` counts them, the TLS 1.2 one stays at 0,
and both TLS 1.3 connections still carry SIP (an OPTIONS answered each
way). The TLS 1.2 s_client renegotiates ("R"): the gateway refuses it,
with the console line naming peer, context and rule, and the
`renegotiation` counter. The capture, decrypted by tshark with nothing
but the secrets `vgw capture stop` embeds, holds the gateway's KeyUpdates
(handshake type 24) and the no_renegotiation alert (100). The gateway's
own TLS 1.2 connection to a proxy (a Python TLS 1.2 server that takes
several connections), due for its re-handshake, is replaced
make-before-break: an OPTIONS waiting on it is answered after the new
connection is up, and the next OPTIONS goes on the new one. The same for
the gateway's own TLS 1.2 connection to an s_server that renegotiates
(HelloRequest): refused, logged, counted (client_failure_reasons), the
alert in the capture."""
import json
import os
import re
import select
import socket
import ssl
import subprocess
import threading
import time

import tlspeers
import vgwtest
from test_sip_options import request
from test_tls_keylog import capture_start, capture_stop, decode_as, header

GW = 'conns'
HOST = '10.0.2.2'  # the host, as the gateway reaches it (slirp)
UNIT_S = 2


def pki_make(run, d):
    """A root, an intermediate, a proxy certificate (for s_server) and a
    client certificate, with `vgw pki`. Returns the directory."""
    for args in (('ca', '--out', d + '/root'),
                 ('ca', '--out', d + '/inter', '--issuer', d + '/root'),
                 ('issue', '--ca', d + '/inter', '--out', d + '/proxy', '--role', 'proxy',
                  '--cn', 'proxy.lab.test', '--san', 'dns:proxy.lab.test',
                  '--san', 'ip:10.0.2.2', '--san', 'uri:sip:proxy.lab.test'),
                 ('issue', '--ca', d + '/inter', '--out', d + '/alice', '--role', 'client',
                  '--cn', 'alice')):
        p = run.vgw('pki', *args)
        run.check(p.returncode == 0, 'vgw pki %s' % ' '.join(args), p.stdout + p.stderr)
    return d


def std_cipher(openssl_name):
    """The standard (IANA) name of an OpenSSL cipher name."""
    p = subprocess.run([tlspeers.OPENSSL, 'ciphers', '-stdname', 'ALL'], capture_output=True,
                       text=True)
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) >= 3 and f[2] == openssl_name:
            return f[0]
    return openssl_name  # TLS 1.3 names are the standard ones


def s_client(port, version, *extra):
    """An s_client kept open (its stdin is ours); returns (Proc, the
    cipher openssl reports) once its handshake is done."""
    p = tlspeers.Proc([tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port,
                       version, *extra])
    p.wait_for('Cipher is', timeout=300)
    m = re.search(r'Cipher is (\S+)', p.out.decode(errors='replace'))
    return p, std_cipher(m.group(1)) if m else None


def connections(run):
    p = run.vgw('tls', 'connections', '--name', GW, '--json', timeout=120)
    try:
        return json.loads(p.stdout)
    except ValueError:
        run.check(False, 'vgw tls connections --json prints JSON', p.stdout + p.stderr)
        return {}


def pick(conns, role, version):
    found = [c for c in conns.get('connections', [])
             if c.get('role') == role and c.get('version') == version]
    return found[0] if len(found) == 1 else None


def options_via_s_client(run, proc, call_id):
    """s_client sends OPTIONS to the gateway; whether the 200 came."""
    mark = len(proc.out)
    proc.send(request('OPTIONS', 'TLS', call_id.split('@')[0], call_id, scheme='sips').decode())
    end = time.monotonic() + 300
    while time.monotonic() < end:
        tail = proc.out[mark:].decode(errors='replace')
        if 'SIP/2.0 200 OK' in tail and call_id in tail:
            return True
        if not proc.pump(0.5) and proc.p.poll() is not None:
            break
    return False


def options_to_s_server(run, srv, port):
    """`vgw sip options sips:` to s_server, answered 200 by hand; returns
    the reply of vgw (a dict)."""
    mark = len(srv.out)
    probe = subprocess.Popen([vgwtest.VGW, 'sip', 'options', '--name', GW, '--json',
                              'sips:%s:%d' % (HOST, port)], env=run.env, text=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    try:
        end = time.monotonic() + 600
        req = ''
        while time.monotonic() < end and probe.poll() is None:
            srv.pump(0.5)
            out = srv.out[mark:].decode(errors='replace')
            start = out.find('OPTIONS sips:')
            if start >= 0 and '\r\n\r\n' in out[start:]:
                req = out[start:]
                break
        if req:
            srv.send('SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s;tag=sserver\r\n'
                     'Call-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n'
                     % (header(req, 'Via', 'v'), header(req, 'From', 'f'),
                        header(req, 'To', 't'), header(req, 'Call-ID', 'i'),
                        header(req, 'CSeq')))
        text, _ = probe.communicate(timeout=600)
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait()
    try:
        return json.loads(text)
    except ValueError:
        return {'output': text}


def handshake_context(run, peer):
    """The TLS Context and why, as the console's handshake line with PEER
    gives it."""
    m = re.findall(r'tls: handshake (?:with|to) %s: [^\n]*?; ((?:TLS Context|default)[^\n]*)'
                   % re.escape(peer), run.console(GW))
    return m[-1].strip() if m else None


def tshark_count(path, display_filter):
    p = subprocess.run(['tshark', '-r', path, '-Y', display_filter, '-T', 'fields',
                        '-e', 'frame.number'] + decode_as(path),
                       capture_output=True, text=True, timeout=600)
    return len(p.stdout.split())


def check_listing(run, conns, pki, ciphers):
    """The three connections and their fields in the JSON form."""
    a = pick(conns, 'server', 'TLSv1.3')
    b = pick(conns, 'server', 'TLSv1.2')
    c = pick(conns, 'client', 'TLSv1.3')
    run.check(a and b and c and conns.get('established') == 3
              and conns.get('handshaking') == 0,
              'three established connections: s_client TLS 1.3, s_client TLS 1.2, '
              'the gateway\'s own to s_server', conns)
    for conn, what in ((a, 's_client TLS 1.3'), (b, 's_client TLS 1.2'), (c, 's_server')):
        if not conn:
            continue
        run.check(conn.get('state') == 'established' and conn.get('peer', '').startswith(HOST + ':')
                  and conn.get('group') and conn.get('cipher') == ciphers[what],
                  '%s: peer %s, cipher %s (as openssl says), group %s'
                  % (what, conn.get('peer'), conn.get('cipher'), conn.get('group')), conn)
        ctx = handshake_context(run, conn.get('peer', ''))
        run.check(ctx is not None and conn.get('context') == ctx
                  and ctx.startswith('TLS Context 0 ('),
                  '%s: the TLS Context and why, as the handshake was logged' % what,
                  [conn.get('context'), ctx])
        run.check(conn.get('authenticated') == 'not requested' and 'hostname_rule' in conn
                  and conn['hostname_rule'] is None and conn.get('key_updates') == 0,
                  '%s: authentication not requested, no host-name rule, no KeyUpdate yet'
                  % what, conn)
    for conn, what in ((a, 's_client TLS 1.3'), (b, 's_client TLS 1.2')):
        if conn:
            run.check(conn.get('peer_certificate') is None
                      and (conn.get('belongs_to') or '').startswith('SIP Interface '),
                      '%s: no peer certificate (none asked for), belongs to a SIP Interface'
                      % what, conn)
    if c:
        cert = c.get('peer_certificate') or {}
        sans = [(s.get('type'), s.get('value')) for s in cert.get('san', [])]
        run.check(cert.get('subject') == 'CN=proxy.lab.test' and cert.get('issuer') == 'CN=inter'
                  and sans == [('DNS', 'proxy.lab.test'), ('IP', '10.0.2.2'),
                               ('URI', 'sip:proxy.lab.test')]
                  and c.get('belongs_to') == 'server %s' % HOST,
                  's_server: its certificate\'s subject, every SAN and issuer; belongs to '
                  'server %s' % HOST, c)
    return a, b, c


def check_text(run, conns):
    p = run.vgw('tls', 'connections', '--name', GW, timeout=120)
    text = p.stdout
    want = ['TLS connections: 3 established, 0 handshaking', 'CN=proxy.lab.test',
            'DNS:proxy.lab.test, IP:10.0.2.2, URI:sip:proxy.lab.test', 'CN=inter',
            'not requested', 'not checked']
    for conn in conns.get('connections', []):
        want += ['%s  %s, established' % (conn['peer'], conn['role']), conn['context'],
                 '%s, %s, %s' % (conn['version'], conn['cipher'], conn['group'])]
    missing = [w for w in want if w not in text]
    run.check(p.returncode == 0 and not missing,
              'vgw tls connections (text) shows the same', {'missing': missing, 'text': text})


def maint_human(run, request):
    """The maintenance port's human-mode answer to REQUEST (a person at
    the console): sent between a machine-mode login and a machine-mode
    `help`, whose reply marks its end."""
    sock = ((run.status(GW) or {}).get('sockets') or {}).get('maint')
    p = subprocess.Popen(['socat', '-', 'UNIX-CONNECT:%s' % sock], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = b''
    try:
        p.stdin.write(b'@1 login Admin Admin\n%s\n@2 help\n' % request.encode())
        p.stdin.flush()
        end = time.monotonic() + 300
        while b'\n@2 ' not in out and time.monotonic() < end:
            if select.select([p.stdout], [], [], 1.0)[0]:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
    finally:
        p.kill()
        p.wait()
    text = out.decode(errors='replace')
    start = text.find('\n', text.find('@1 ok')) + 1
    return text[start:text.find('\n@2 ')]


def check_console_text(run, conns):
    """`show tls connections` in human mode, as at the console."""
    text = maint_human(run, 'show tls connections')
    want = ['TLS connections: %d established, 0 handshaking' % len(conns.get('connections', [])),
            'DNS:proxy.lab.test, IP:10.0.2.2, URI:sip:proxy.lab.test']
    for conn in conns.get('connections', []):
        want += ['%s  %s, established, %s' % (conn['peer'], conn['role'], conn['belongs_to']),
                 'negotiated     %s, %s, %s' % (conn['version'], conn['cipher'], conn['group'])]
    missing = [w for w in want if w not in text]
    run.check(not missing, 'show tls connections at the console (human mode) shows the same',
              {'missing': missing, 'text': text})


class Tls12Proxy:
    """A TLS 1.2 SIP server on 127.0.0.1 taking any number of
    connections (openssl s_server takes one at a time), numbered in the
    order their handshakes complete. It answers each request 200 on the
    connection it came on, except the first, which it holds until
    answer_held()."""

    def __init__(self, d):
        with open(os.path.join(d, 'proxy-full.pem'), 'w') as f:
            f.write(open(os.path.join(d, 'proxy.crt')).read()
                    + open(os.path.join(d, 'proxy.chain')).read())
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.minimum_version = self.ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        self.ctx.load_cert_chain(os.path.join(d, 'proxy-full.pem'), os.path.join(d, 'proxy.key'))
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = []     # the TLS sockets, by number
        self.requests = []  # (connection number, Call-ID)
        self.held = None    # (TLS socket, request text)
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closing:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw):
        try:
            conn = self.ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        with self.lock:
            number = len(self.conns)
            self.conns.append(conn)
        data = b''
        while True:
            try:
                chunk = conn.recv(65536)
            except (OSError, ssl.SSLError):
                break
            if not chunk:
                break
            data += chunk
            while b'\r\n\r\n' in data:
                head, data = data.split(b'\r\n\r\n', 1)
                self._request(conn, number, head.decode(errors='replace') + '\r\n')
        conn.close()

    def _request(self, conn, number, req):
        if not req.strip():
            return  # a keep-alive
        with self.lock:
            self.requests.append((number, header(req, 'Call-ID', 'i')))
            if self.held is None and len(self.requests) == 1:
                self.held = (conn, req)
                return
        self._answer(conn, req)

    @staticmethod
    def _answer(conn, req):
        try:
            conn.sendall(('SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s;tag=py\r\n'
                          'Call-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n'
                          % (header(req, 'Via', 'v'), header(req, 'From', 'f'),
                             header(req, 'To', 't'), header(req, 'Call-ID', 'i'),
                             header(req, 'CSeq'))).encode())
        except (OSError, ssl.SSLError):
            pass

    def answer_held(self):
        with self.lock:
            held = self.held
        if held:
            self._answer(*held)

    def wait(self, cond, timeout=300):
        end = time.monotonic() + timeout
        while not cond() and time.monotonic() < end:
            time.sleep(0.2)
        return cond()

    def close(self):
        self.closing = True
        self.sock.close()
        with self.lock:
            for c in self.conns:
                try:
                    c.close()
                except OSError:
                    pass


def sip_options(run, port):
    """`vgw sip options sips:HOST:PORT` started in the background."""
    return subprocess.Popen([vgwtest.VGW, 'sip', 'options', '--name', GW, '--json',
                             'sips:%s:%d' % (HOST, port)], env=run.env, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def options_result(probe):
    text, _ = probe.communicate(timeout=600)
    try:
        return json.loads(text)
    except ValueError:
        return {'output': text}


def check_tls12_replacement(run, d):
    """The gateway's own TLS 1.2 connection, due for its re-handshake,
    is replaced make-before-break: an OPTIONS under way on the old
    connection is answered there after the new one is up, and the next
    OPTIONS goes on a new connection."""
    proxy = Tls12Proxy(d)
    probes = []
    try:
        probes.append(sip_options(run, proxy.port))
        got = proxy.wait(lambda: len(proxy.requests) >= 1 and len(proxy.conns) >= 2)
        run.check(got and proxy.requests[0][0] == 0,
                  'TLS 1.2 to a proxy: a new connection is made while an OPTIONS waits on the '
                  'first', [proxy.requests, len(proxy.conns)])
        proxy.answer_held()
        first = options_result(probes[0])
        run.check(first.get('status') == 200,
                  'the OPTIONS under way on the replaced connection is answered (200)', first)
        probes.append(sip_options(run, proxy.port))
        second = options_result(probes[1])
        on = [n for n, _ in proxy.requests[1:]]
        run.check(second.get('status') == 200 and len(on) == 1 and on[0] >= 1,
                  'the next OPTIONS goes on a new connection (number %s), answered' % on,
                  [first, second, proxy.requests])
        tls = (run.status(GW) or {}).get('tls') or {}
        renewed = [c for c in connections(run).get('connections', [])
                   if c.get('role') == 'client' and c.get('version') == 'TLSv1.2'
                   and c.get('rehandshakes', 0) >= 1]
        run.check(tls.get('rehandshakes', 0) >= 1 and renewed,
                  'status --json tls.rehandshakes and the connection\'s rehandshakes count it',
                  [tls.get('rehandshakes'), renewed])
        run.check('new requests go on the new connection' in run.console(GW),
                  'the console logs the take-over')
    finally:
        for p in probes:
            if p.poll() is None:
                p.kill()
                p.wait()
        proxy.close()


def wait_key_updates(run, want):
    """Polls until both TLS 1.3 connections sent WANT KeyUpdates; returns
    the last listing."""
    end = time.monotonic() + 600
    while True:
        conns = connections(run)
        got = [c.get('key_updates', 0) for c in conns.get('connections', [])
               if c.get('version') == 'TLSv1.3']
        if (len(got) == 2 and min(got) >= want) or time.monotonic() > end:
            return conns
        time.sleep(UNIT_S)


def test(run):
    d = pki_make(run, os.path.join(run.state_root, 'pki'))
    if run.up(GW).returncode != 0:
        return
    sips = ((run.status(GW) or {}).get('ports') or {}).get('sips')
    # The s_clients stay quiet for longer than the 300 s a loaded machine
    # may need between their OPTIONS.
    run.vgw('maint', '--name', GW, 'debug', 'sip-idle-timeout', '3600')
    p = run.vgw('tls', 'keylog', 'on', '--name', GW, '--minutes', '60')
    run.check(p.returncode == 0, 'vgw tls keylog on', p.stdout + p.stderr)
    path = capture_start(run, 'conns', GW)

    port = tlspeers.free_port()
    srv = tlspeers.Proc([tlspeers.OPENSSL, 's_server', '-accept', '127.0.0.1:%d' % port,
                         '-naccept', '1', '-cert', d + '/proxy.crt', '-key', d + '/proxy.key',
                         '-cert_chain', d + '/proxy.chain', '-tls1_3'])
    a = b = srv12 = None
    try:
        a, cipher_a = s_client(sips, '-tls1_3', '-nocommands', '-cert', d + '/alice.crt',
                               '-key', d + '/alice.key')
        b, cipher_b = s_client(sips, '-tls1_2')
        run.check(cipher_a and cipher_b, 'both s_clients are connected',
                  (a.out + b.out).decode(errors='replace')[-3000:])
        run.check(srv.wait_for('ACCEPT', timeout=60), 'openssl s_server listens')
        o = options_to_s_server(run, srv, port)
        run.check(o.get('status') == 200 and o.get('transport') == 'tls',
                  'vgw sip options sips: to s_server: 200 over TLS', o)
        m = re.search(r'CIPHER is (\S+)', srv.out.decode(errors='replace'))
        cipher_c = std_cipher(m.group(1)) if m else None

        conns = connections(run)
        ca, cb, cc = check_listing(run, conns, d, {'s_client TLS 1.3': cipher_a,
                                                   's_client TLS 1.2': cipher_b,
                                                   's_server': cipher_c})
        check_text(run, conns)
        check_console_text(run, conns)

        # A TLS 1.2 server too, for the client role's side of things.
        port12 = tlspeers.free_port()
        srv12 = tlspeers.Proc([tlspeers.OPENSSL, 's_server', '-accept', '127.0.0.1:%d' % port12,
                               '-naccept', '1', '-cert', d + '/proxy.crt', '-key',
                               d + '/proxy.key', '-cert_chain', d + '/proxy.chain', '-tls1_2'])
        run.check(srv12.wait_for('ACCEPT', timeout=60), 'openssl s_server -tls1_2 listens')
        o = options_to_s_server(run, srv12, port12)
        c12 = pick(connections(run), 'client', 'TLSv1.2')
        run.check(o.get('status') == 200 and c12 is not None,
                  'vgw sip options sips: to s_server -tls1_2: 200, listed as TLS 1.2 client',
                  [o, c12])

        # Re-handshakes: a KeyUpdate every "minute" of 2 s on TLS 1.3.
        p = run.vgw('maint', '--name', GW, 'debug', 'tls-rehandshake-unit', str(UNIT_S))
        run.check(p.returncode == 0, 'debug tls-rehandshake-unit %d' % UNIT_S,
                  p.stdout + p.stderr)
        p = run.vgw('param', 'set', '--name', GW, 'TLSReHandshakeInterval', '1', timeout=120)
        run.check(p.returncode == 0, 'vgw param set TLSReHandshakeInterval 1',
                  p.stdout + p.stderr)
        conns = wait_key_updates(run, 2)
        ups = {(c.get('role'), c.get('version')): c.get('key_updates')
               for c in conns.get('connections', [])}
        run.check(ups.get(('server', 'TLSv1.3'), 0) >= 2 and ups.get(('client', 'TLSv1.3'), 0) >= 2
                  and ups.get(('server', 'TLSv1.2')) == 0 and ups.get(('client', 'TLSv1.2')) == 0,
                  'the TLS 1.3 connections\' key-update counts grow; the TLS 1.2 ones stay 0',
                  ups)
        tls = (run.status(GW) or {}).get('tls') or {}
        run.check(tls.get('key_updates', 0) >= 4, 'status --json: tls.key_updates counts them',
                  tls.get('key_updates'))
        run.check('KeyUpdate sent' in run.console(GW), 'the console logs the KeyUpdates')
        run.check(options_via_s_client(run, a, 'after-ku@test'),
                  's_client TLS 1.3 still carries SIP after the KeyUpdates (OPTIONS answered)',
                  a.out.decode(errors='replace')[-2000:])
        o = options_to_s_server(run, srv, port)
        after = pick(connections(run), 'client', 'TLSv1.3')
        run.check(o.get('status') == 200 and after and cc
                  and after.get('peer') == cc.get('peer'),
                  'the gateway\'s connection to s_server still carries SIP (the same one)',
                  [o, after])

        # A renegotiation (HelloRequest) from the TLS 1.2 s_server is refused.
        peer12 = c12.get('peer') if c12 else None
        srv12.send('r\n')
        srv12.finish(timeout=120)
        end = time.monotonic() + 300
        while 'connection to %s closed: the peer tried to renegotiate' % peer12 \
                not in run.console(GW) and time.monotonic() < end:
            time.sleep(1)
        lines = [l for l in run.console(GW).splitlines()
                 if 'connection to %s closed: the peer tried to renegotiate' % peer12 in l]
        run.check(len(lines) == 1 and 'rule: renegotiation is not supported' in lines[0]
                  and 'alert sent: no renegotiation' in lines[0]
                  and 'reason: renegotiation' in lines[0],
                  'the console logs the refused renegotiation of the gateway\'s own connection',
                  lines or run.console_tail(GW))
        tls = (run.status(GW) or {}).get('tls') or {}
        run.check((tls.get('client_failure_reasons') or {}).get('renegotiation') == 1,
                  'status --json: tls.client_failure_reasons.renegotiation is 1', tls)

        check_tls12_replacement(run, d)

        # A renegotiation from the TLS 1.2 s_client is refused.
        peer_b = cb.get('peer') if cb else None
        b.send('R\n')
        b.finish(timeout=120)
        end = time.monotonic() + 300
        while 'connection with %s closed: the peer tried' % peer_b not in run.console(GW) \
                and time.monotonic() < end:
            time.sleep(1)
        lines = [l for l in run.console(GW).splitlines()
                 if 'connection with %s closed: the peer tried to renegotiate' % peer_b in l]
        run.check(len(lines) == 1
                  and (cb or {}).get('context', '?') in lines[0]
                  and 'rule: renegotiation is not supported' in lines[0]
                  and 'no renegotiation' in lines[0] and 'reason: renegotiation' in lines[0],
                  'the console logs the refused renegotiation: peer, alert, context, rule',
                  lines or run.console_tail(GW))
        reasons = ((run.status(GW) or {}).get('tls') or {}).get('failure_reasons') or {}
        run.check(reasons.get('renegotiation') == 1,
                  'status --json: tls.failure_reasons.renegotiation is 1', reasons)
        left = connections(run)
        run.check(pick(left, 'server', 'TLSv1.2') is None and pick(left, 'client', 'TLSv1.2') is None
                  and pick(left, 'server', 'TLSv1.3')
                  and pick(left, 'client', 'TLSv1.3'),
                  'the renegotiating connections are gone, the others stay', left)
    finally:
        for proc in (a, b, srv, srv12):
            if proc is not None:
                proc.finish(timeout=30)
        capture_stop(run, 'conns', GW)

    key_updates = tshark_count(path, 'tls.handshake.type == 24')
    run.check(key_updates >= 4,
              'tshark, with the embedded secrets only, decrypts the KeyUpdates (%d)'
              % key_updates)
    alerts = tshark_count(path, 'tls.alert_message.desc == 100')
    run.check(alerts == 2, 'the capture holds both no_renegotiation alerts (%d)' % alerts)


if __name__ == '__main__':
    vgwtest.main(test)
