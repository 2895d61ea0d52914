#!/usr/bin/env python3
"""Mutual TLS from a client: a CA of our own (`vgw pki`), the gateway's
certificate from it with the CA as Context 0's trusted root, and the SIP
Interface requiring client certificates (TLSMutualAuthentication 1, an
incremental ini load: it applies live). A client with a certificate from
the CA, verifying the gateway's against the same CA, gets its OPTIONS
answered 200 and `vgw tls connections` shows it verified; a client with
no certificate is refused: the TLS alert, the console's handshake line,
the `status` counter."""
import os
import socket
import ssl
import sys
import tempfile

# tap.py is beside this file; no __pycache__ left in the checkout.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

PORT = int(os.environ['VGW_SIPS_PORT'])
MUTUAL_INI = """[ SIPInterface ]
FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort, TLSMutualAuthentication;
SIPInterface 0 = "lan-main", "LAN", 5060, 5060, 5061, 1;
[ \\SIPInterface ]
"""


def options(tag):
    return ('OPTIONS sips:gw@127.0.0.1 SIP/2.0\r\n'
            'Via: SIP/2.0/TLS 192.0.2.20:5061;branch=z9hG4bK%s;rport\r\n'
            'Max-Forwards: 70\r\n'
            'From: <sips:scenario@lab.test>;tag=%s\r\n'
            'To: <sips:gw@127.0.0.1>\r\n'
            'Call-ID: %s@scenario\r\n'
            'CSeq: 1 OPTIONS\r\n'
            'Content-Length: 0\r\n\r\n' % (tag, tag, tag)).encode()


def client(ca, cert=None):
    """A TLS connection to the SIPS port, verifying the gateway's
    certificate against CA (its IP SAN 127.0.0.1), presenting CERT
    (pki path without suffix) if given; handshake done on our side."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    if cert:
        ctx.load_cert_chain(cert + '.crt', cert + '.key')
    return ctx.wrap_socket(socket.create_connection(('127.0.0.1', PORT), timeout=120),
                           server_hostname='127.0.0.1')


def exchange(s, tag):
    """Sends an OPTIONS on S; the response head (bytes), or the error."""
    try:
        s.sendall(options(tag))
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data
    except (OSError, ssl.SSLError) as e:
        return e


def failure_reasons():
    return (tap.vgw_json('status').get('tls') or {}).get('failure_reasons') or {}


def main(d):
    ok = (tap.pki('vgw pki ca: the lab CA', 'ca', '--out', d + '/ca', '--cn', 'lab CA') and
          tap.pki('vgw pki issue: the gateway\'s certificate (IP 127.0.0.1)', 'issue',
                  '--ca', d + '/ca', '--out', d + '/gw', '--role', 'device',
                  '--san', 'ip:127.0.0.1') and
          tap.pki('vgw pki issue: a client certificate', 'issue', '--ca', d + '/ca',
                  '--out', d + '/phone', '--role', 'client', '--cn', 'phone-1'))
    if not ok:
        return
    tap.vgw_ok('vgw cert inject: the gateway\'s certificate into Context 0, the CA trusted',
               'cert', 'inject', '--cert', d + '/gw.crt', '--key', d + '/gw.key',
               '--ca', d + '/ca.crt', verbs=2)
    with open(d + '/mutual.ini', 'w') as f:
        f.write(MUTUAL_INI)
    p = tap.vgw_ok('vgw ini load --incremental: TLSMutualAuthentication 1 on the SIP Interface',
                   'ini', 'load', '--incremental', '--json', d + '/mutual.ini', verbs=2)
    tap.check('"live"' in p.stdout, 'it applies live (no reset)', p.stdout)

    # -- a client with a certificate from the CA --------------------------
    try:
        s = client(d + '/ca.crt', d + '/phone')
    except (OSError, ssl.SSLError) as e:
        tap.check(False, 'the TLS handshake with a client certificate completes, the '
                  'gateway\'s certificate verified against the CA', repr(e))
        return
    try:
        resp = exchange(s, 'mutual1')
        tap.check(isinstance(resp, bytes) and resp.startswith(b'SIP/2.0 200 ') and
                  b'mutual1@scenario' in resp,
                  'OPTIONS over mutual TLS: 200 OK', resp)
        conns = tap.vgw_json('tls', 'connections', verbs=2).get('connections') or []
        mine = [c for c in conns if c.get('role') == 'server' and
                (c.get('peer_certificate') or {}).get('subject') == 'CN=phone-1']
        tap.check(len(mine) == 1 and mine[0].get('authenticated') == 'verified' and
                  (mine[0].get('peer_certificate') or {}).get('issuer') == 'CN=lab CA',
                  'vgw tls connections: the connection, its client certificate CN=phone-1 '
                  '(issuer CN=lab CA) verified', conns)
    finally:
        s.close()

    # -- a client with no certificate ----------------------------------------
    before = failure_reasons()
    try:
        s = client(d + '/ca.crt')
        resp = exchange(s, 'nocert1')
        s.close()
    except (OSError, ssl.SSLError) as e:
        resp = e
    tap.check(not isinstance(resp, bytes) and 'CERTIFICATE_REQUIRED' in str(resp).upper(),
              'without a client certificate: refused with the certificate_required alert, '
              'no SIP answer', resp)
    after = failure_reasons()
    tap.check(after.get('no-peer-certificate', 0) == before.get('no-peer-certificate', 0) + 1,
              'vgw status --json counts it (tls failure_reasons no-peer-certificate +1)',
              (before, after))
    lines = [l for l in tap.console().splitlines()
             if 'tls: handshake with ' in l and 'reason: no-peer-certificate' in l]
    tap.check(any('rule: TLSMutualAuthentication = 1 (interface lan-main' in l for l in lines),
              'the console logs the refusal with its rule (TLSMutualAuthentication = 1, '
              'interface lan-main) and reason no-peer-certificate',
              '\n'.join(tap.console().splitlines()[-20:]))


with tempfile.TemporaryDirectory() as tmp:
    main(tmp)
tap.finish()
