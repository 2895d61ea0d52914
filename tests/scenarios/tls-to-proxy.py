#!/usr/bin/env python3
"""The gateway's TLS towards a proxy: a TLS proxy on the host (Python's
ssl on 127.0.0.1, which the gateway reaches as 10.0.2.2 through slirp)
requiring a client certificate from the lab CA, configured as a Proxy
Set over TLS with OPTIONS keep-alive, and VerifyServerCertificate 1 (an
incremental ini load, live). The proxy sees a handshake in which the
gateway presents Context 0's certificate (the one injected, by its
SHA-256) and keep-alive OPTIONS, which it answers 200; the gateway
verified the proxy's certificate against the CA, and `vgw sip proxies
--json` shows the proxy up over TLS."""
import hashlib
import os
import re
import socket
import ssl
import sys
import tempfile
import threading
import time

# tap.py is beside this file; no __pycache__ left in the checkout.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

HOST = '10.0.2.2'  # the host, as the gateway reaches it (slirp)
KEEPALIVE_S = 5
# Generous: a loaded 2-core machine runs QEMU under TCG.
WAIT_S = 300
PROXY_INI = """VerifyServerCertificate = 1
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime;
ProxySet 1 = "TLSPROXY", 1, %d;
[ \\ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 0 = 1, 0, "%s:%d", 2;
[ \\ProxyIp ]
"""


class Proxy:
    """A SIP-over-TLS proxy on 127.0.0.1 that requires a client
    certificate chaining to CA, answers every OPTIONS 200 and records
    the client certificates (DER) and the requests (start lines) it
    got."""

    def __init__(self, d, ca):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(d + '/proxy.crt', d + '/proxy.key')
        self.ctx.load_verify_locations(ca)
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.certs, self.requests, self.errors = [], [], []
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(raw,), daemon=True).start()

    def serve(self, raw):
        try:
            with self.ctx.wrap_socket(raw, server_side=True) as s:
                with self.lock:
                    self.certs.append(s.getpeercert(binary_form=True))
                buf = b''
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                    buf = self.answer(s, buf)
        except (OSError, ssl.SSLError) as e:
            with self.lock:
                self.errors.append(repr(e))

    def answer(self, s, buf):
        """Answers the complete requests at the start of BUF; the rest."""
        while True:
            buf = buf.lstrip(b'\r\n')  # CRLF keep-alive pings
            head, sep, rest = buf.partition(b'\r\n\r\n')
            if not sep:
                return buf
            m = re.search(rb'^content-length: *(\d+)', head, re.I | re.M)
            length = int(m.group(1)) if m else 0
            if len(rest) < length:
                return buf
            buf = rest[length:]
            lines = head.decode(errors='replace').split('\r\n')
            with self.lock:
                self.requests.append(lines[0])
            if lines[0].startswith('OPTIONS '):
                keep = [l for l in lines[1:]
                        if re.match(r'(via|from|to|call-id|cseq):', l, re.I)]
                keep = [l + ';tag=proxy' if l.lower().startswith('to:') else l for l in keep]
                s.sendall(('SIP/2.0 200 OK\r\n' + '\r\n'.join(keep) +
                           '\r\nContent-Length: 0\r\n\r\n').encode())

    def options(self):
        with self.lock:
            return [r for r in self.requests if r.startswith('OPTIONS ')]

    def close(self):
        self.sock.close()


def proxy_row():
    rows = tap.vgw_json('sip', 'proxies', verbs=2).get('proxies') or []
    return next((r for r in rows if r.get('set') == 1 and r.get('ip_index') == 0), {})


def main(d):
    ok = (tap.pki('vgw pki ca: the lab CA', 'ca', '--out', d + '/ca', '--cn', 'lab CA') and
          tap.pki('vgw pki issue: the gateway\'s certificate', 'issue', '--ca', d + '/ca',
                  '--out', d + '/gw', '--role', 'device', '--cn', 'gw.lab.test') and
          tap.pki('vgw pki issue: the proxy\'s certificate (IP %s)' % HOST, 'issue',
                  '--ca', d + '/ca', '--out', d + '/proxy', '--role', 'proxy',
                  '--san', 'ip:' + HOST))
    if not ok:
        return
    tap.vgw_ok('vgw cert inject: the gateway\'s certificate into Context 0, the CA trusted',
               'cert', 'inject', '--cert', d + '/gw.crt', '--key', d + '/gw.key',
               '--ca', d + '/ca.crt', verbs=2)
    proxy = Proxy(d, d + '/ca.crt')
    try:
        with open(d + '/proxy.ini', 'w') as f:
            f.write(PROXY_INI % (KEEPALIVE_S, HOST, proxy.port))
        tap.vgw_ok('vgw ini load --incremental: Proxy Set 1 over TLS to %s:%d, keep-alive '
                   '%d s, VerifyServerCertificate 1' % (HOST, proxy.port, KEEPALIVE_S),
                   'ini', 'load', '--incremental', d + '/proxy.ini', verbs=2)
        deadline = time.monotonic() + WAIT_S
        row = {}
        while time.monotonic() < deadline:
            row = proxy_row()
            if len(proxy.options()) >= 2 and row.get('state') == 'up':
                break
            time.sleep(1)
        tap.check(len(proxy.options()) >= 2,
                  'the proxy gets keep-alive OPTIONS over TLS (%d so far)' % len(proxy.options()),
                  (proxy.requests, proxy.errors))
        with open(d + '/gw.crt') as f:
            want = hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()
        seen = [hashlib.sha256(c).hexdigest() for c in proxy.certs if c]
        tap.check(seen != [] and set(seen) == {want},
                  'in the handshake the gateway presents the injected certificate (SHA-256 '
                  '%s...), which the proxy verifies against the CA' % want[:16],
                  (seen, proxy.errors))
        tap.check(row.get('state') == 'up' and row.get('transport') == 'tls' and
                  row.get('address') == HOST and row.get('port') == proxy.port,
                  'vgw sip proxies --json: set 1 index 0, %s:%d over TLS, up'
                  % (HOST, proxy.port), row)
        conns = tap.vgw_json('tls', 'connections', verbs=2).get('connections') or []
        mine = [c for c in conns if c.get('role') == 'client' and
                c.get('peer') == '%s:%d' % (HOST, proxy.port)]
        tap.check(mine != [] and mine[0].get('authenticated') == 'verified' and
                  (mine[0].get('peer_certificate') or {}).get('issuer') == 'CN=lab CA',
                  'vgw tls connections: the gateway verified the proxy\'s certificate '
                  '(issuer CN=lab CA)', conns)
    finally:
        proxy.close()


with tempfile.TemporaryDirectory() as tmp:
    main(tmp)
tap.finish()
