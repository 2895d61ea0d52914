#!/usr/bin/env python3
"""Peer host-name verification, the gateway as TLS server (issue 11).

One gateway booted from an ini: SIPSRequireClientCertificate 1 on
lan-main (TLS 5061), lan-2 (TLS 5071, TLSMutualAuthentication 0), and two
TLS Proxy Sets whose addresses the host (10.0.2.2 to the gateway)
resolves from: FQDN (proxy.lab.test, DNS2IP 10.0.2.2) and ADDR
(10.0.2.2). Context 0 trusts a `vgw pki` root, so every client
certificate below has a good chain and only its names are in question:
they are matched against proxy.lab.test and 10.0.2.2, the references of
the Proxy Sets a client from 10.0.2.2 classifies to.

- 6.4 (factory), PeerHostNameVerificationMode 1 ("Server Only"): SAN DNS,
  SAN IP, a wrong SAN with the right CN (CN fallback), CN only and a
  left-most wildcard are accepted; everything wrong, a wrong critical SAN,
  a CN naming someone else and a partial wildcard are refused. Then
  TLSRemoteSubjectName, TLSContexts 0 StrictHostNameMatch 1, mode 0, mode
  2, a listener without mutual authentication, and no Proxy Set
  classifying the client (refused unless its CN is TLSRemoteSubjectName).
- 7.x (VgwManualVersion 1, reset): mode 1 is the client role only, so the
  server checks no names; mode 2 checks them again.

Accepted: the client's OPTIONS over TLS is answered, the handshake's log
line names the rule, no failure is counted, and `vgw tls connections
--json` shows the connection's hostname_rule (rule and sentence), or,
where names are not checked, null and the reason in
hostname_not_checked. Refused: `openssl s_client` (TLS 1.3, and once
TLS 1.2; its OPTIONS written right behind its Finished) gets bad_certificate and no SIP
answer, the gateway reads no SIP message, the console line names the
peer, the Proxy Sets, the alert, the context and the rule, and `status
--json` counts one `hostname` failure. A capture of the 6.4 refusals
(decrypted with s_client's key log) shows the gateway sending
bad_certificate (42) to each."""
import json
import os
import re
import socket
import ssl
import subprocess

import sipcapture
import vgwtest
from test_sip_options import check_options_ok, recv_response, request
from test_tls_hostname import check_handshake_rule, trust_root

GW = 'tlshostsrv'
HOST = '10.0.2.2'  # the host, as the gateway sees it (slirp)
NAME = 'proxy.lab.test'
BAD_CERTIFICATE = 42
PROXY_SETS = """[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive;
ProxySet 1 = "FQDN", 0;
ProxySet 2 = "ADDR", 0;
[ \\ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 0 = 1, 0, "%s:5999", 2;
ProxyIp 1 = 2, 0, "%s:5998", 2;
[ \\ProxyIp ]
[ DNS2IP ]
FORMAT DNS2IP_Index = DNS2IP_DomainName, DNS2IP_FirstIpAddress;
DNS2IP 0 = "proxy.lab.test", 10.0.2.2;
[ \\DNS2IP ]
"""
BOOT_INI = """SIPSRequireClientCertificate = 1
PeerHostNameVerificationMode = 1
[ SIPInterface ]
FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort, TLSMutualAuthentication;
SIPInterface 0 = "lan-main", "LAN", 5060, 5060, 5061, -1;
SIPInterface 1 = "lan-2", "LAN", 5070, 5070, 5071, 0;
[ \\SIPInterface ]
""" + PROXY_SETS % (NAME, HOST)
CLASSIFIED = 'the Proxy Sets 10.0.2.2 classifies to are %s, %s' % (NAME, HOST)
UNCLASSIFIED = 'no Proxy Set classifies 10.0.2.2'

# name: vgw pki issue arguments (client certificates signed by the root)
CERTS = {
    'good-dns': ['--cn', 'alice', '--san', 'dns:' + NAME],
    'good-ip': ['--cn', 'alice', '--san', 'ip:' + HOST],
    'wrong-san': ['--cn', NAME, '--san', 'dns:other.lab.test'],
    'wrong-all': ['--cn', 'other.lab.test', '--san', 'dns:other.lab.test'],
    'wrong-san-critical': ['--cn', NAME, '--san', 'dns:other.lab.test', '--san-critical'],
    'cn-remote': ['--cn', 'sbc.remote.test', '--no-san'],
    'cn-only': ['--cn', NAME, '--no-san'],
    'wild-left': ['--cn', 'wild', '--san', 'dns:*.lab.test'],
    'wild-partial': ['--cn', 'partial', '--san', 'dns:p*y.lab.test'],
}


class Gateway:
    """The test's gateway: its PKI, its lan-main and lan-2 TLS ports on
    the host, the capture of the refusals."""

    def __init__(self, run, pki):
        self.run, self.pki = run, pki
        self.main = self.lan2 = None
        self.calls = 0
        self.capture = None
        self.refusals = 0

    def find_ports(self):
        st = self.run.status(GW) or {}
        fwd = {(f.get('proto'), f.get('guest')): f.get('host') for f in st.get('forwards', [])}
        self.main = (st.get('ports') or {}).get('sips')
        self.lan2 = fwd.get(('tcp', 5071))
        return self.run.check(None not in (self.main, self.lan2),
                              'status: the TLS ports of lan-main and lan-2', st)



def tls_received(run):
    """SIP messages received over TLS so far."""
    return (((run.status(GW) or {}).get('sip') or {}).get('tls') or {}).get('received')


def connections(run):
    p = run.vgw('tls', 'connections', '--name', GW, '--json', timeout=120)
    try:
        return json.loads(p.stdout).get('connections') or []
    except (ValueError, AttributeError):
        run.check(False, 'vgw tls connections --json prints JSON', p.stdout + p.stderr)
        return []


def tls_client(port, pki, cert):
    """A TLS 1.3 connection presenting CERT (with its chain), handshake
    done on our side."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    if cert is not None:
        ctx.load_cert_chain(os.path.join(pki, cert + '-full.pem'),
                            os.path.join(pki, cert + '.key'))
    s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=300))
    return s


def accepted(gw, what, cert, rule, not_checked=None, port=None):
    """CERT (None: no certificate) is accepted on PORT (lan-main's by
    default): its OPTIONS is answered; `vgw tls connections --json` shows
    hostname_rule RULE (None: null, with NOT_CHECKED in
    hostname_not_checked); the handshake's log line names RULE; no failure
    is counted."""
    run = gw.run
    before = run.tls_status(GW)
    run.console_new(GW)
    gw.calls += 1
    call = 'srv-%s-%d' % (cert, gw.calls)
    subject = 'CN=' + CERTS[cert][1] if cert else None
    try:
        s = tls_client(port or gw.main, gw.pki, cert)
    except (OSError, ssl.SSLError) as e:
        run.check(False, '%s: %s completes its handshake' % (what, cert),
                  repr(e) + run.console_tail(GW))
        return
    try:
        s.sendall(request('OPTIONS', 'TLS', call, call + '@test', scheme='sips'))
        data = recv_response(s)
        check_options_ok(run, '%s: %s, OPTIONS over TLS' % (what, cert), data, 'TLS', call,
                         call + '@test', scheme='sips')
        mine = [c for c in connections(run)
                if c.get('role') == 'server' and c.get('state') == 'established'
                and (c.get('peer_certificate') or {}).get('subject') == subject]
        conn = mine[-1] if mine else {}
        if rule is None:
            run.check(mine != [] and conn.get('hostname_rule') is None
                      and not_checked in (conn.get('hostname_not_checked') or ''),
                      '%s: vgw tls connections: hostname_rule null, hostname_not_checked says '
                      'why (%s)' % (what, not_checked), mine)
        else:
            hr = conn.get('hostname_rule') or {}
            run.check(mine != [] and hr.get('rule') == rule and hr.get('sentence')
                      and conn.get('hostname_not_checked') is None,
                      '%s: vgw tls connections: hostname_rule %s with its sentence'
                      % (what, rule), mine)
    finally:
        s.close()
    lines = re.findall(r'tls: handshake with 10\.0\.2\.2:\d+: [^\n]*', run.console_new(GW))
    check_handshake_rule(run, what, lines, rule)
    after = run.tls_status(GW)
    run.check(vgwtest.counter_delta(before, after, 'failure_reasons') == {},
              '%s: no failure counted' % what, after)


def refused(gw, what, cert, rule, whose=CLASSIFIED, version='-tls1_3'):
    """CERT is refused for its names with RULE: s_client (VERSION) gets
    bad_certificate and no SIP answer; the gateway read no SIP; the
    console line names the peer, WHOSE names were asked for, the alert,
    the context and RULE; one `hostname` failure is counted."""
    run = gw.run
    before, received = run.tls_status(GW), tls_received(run)
    run.console_new(GW)
    base = os.path.join(gw.pki, cert)
    keylog = gw.capture.keylog if gw.capture else os.path.join(run.state_root, 'refused.keys')
    p = subprocess.run(
        ['openssl', 's_client', '-connect', '127.0.0.1:%d' % gw.main, version, '-ign_eof',
         '-keylogfile', keylog, '-cert', base + '.crt', '-key', base + '.key'],
        input=request('OPTIONS', 'TLS', 'r' + cert, 'refused-%s@test' % cert, scheme='sips'),
        capture_output=True, timeout=300)
    out = (p.stdout + p.stderr).decode(errors='replace')
    run.check('alert bad certificate' in out and 'SIP/2.0' not in out,
              '%s: %s is refused with bad_certificate, no SIP answer' % (what, cert), out)
    run.check(tls_received(run) == received,
              '%s: no SIP message was read from the refused client' % what,
              (received, tls_received(run)))
    lines = re.findall(r'tls: handshake with 10\.0\.2\.2:\d+ failed: [^\n]*', run.console_new(GW))
    want = (r'failed: client certificate [^;]*: its names are refused: %s[^;]*; '
            r'alert sent: bad certificate; TLS Context 0 \([^;]*\); rule: %s: [^;]+; '
            r'reason: hostname$' % (re.escape(whose), rule))
    run.check(len(lines) == 1 and re.search(want, lines[0]) is not None,
              '%s: the console names the client, %s, the bad_certificate alert, the context '
              'and the rule %s' % (what, whose, rule), lines)
    after = run.tls_status(GW)
    run.check(vgwtest.counter_delta(before, after, 'failure_reasons') == {'hostname': 1},
              '%s: status counts one hostname failure' % what, after)
    gw.refusals += 1


def make_pki(run, pki):
    def ok(what, *args):
        p = run.vgw('pki', *args, timeout=120)
        run.check(p.returncode == 0, 'vgw pki %s' % what, p.stdout + p.stderr)
    ok('ca root', 'ca', '--out', pki + '/root')
    ok('issue gw', 'issue', '--ca', pki + '/root', '--out', pki + '/gw', '--role', 'device',
       '--san', 'dns:gw.lab.test')
    for name, extra in sorted(CERTS.items()):
        ok('issue %s' % name, 'issue', '--ca', pki + '/root', '--out', pki + '/' + name,
           '--role', 'client', *extra)
        with open(os.path.join(pki, name + '-full.pem'), 'w') as out:
            for part in ('.crt', '.chain'):
                with open(os.path.join(pki, name + part)) as f:
                    out.write(f.read())


def strict(on):
    return ('[ TLSContexts ]\nFORMAT Index = Name, StrictHostNameMatch;\n'
            'TLSContexts 0 = "default", %d;\n[ \\TLSContexts ]\n' % on)


def manual_64_matrix(gw):
    w = '6.4 mode 1'
    accepted(gw, w + ', SAN DNS', 'good-dns', 'san-dns')
    accepted(gw, w + ', SAN IP', 'good-ip', 'san-ip')
    accepted(gw, w + ', wrong SAN, CN fallback', 'wrong-san', 'cn-reference')
    accepted(gw, w + ', CN only, the Proxy Set address', 'cn-only', 'cn-reference')
    accepted(gw, w + ', wildcard *.lab.test', 'wild-left', 'san-dns')
    refused(gw, w + ', wrong SAN and CN', 'wrong-all', 'no-match')
    refused(gw, w + ', wrong SAN and CN, TLS 1.2', 'wrong-all', 'no-match', version='-tls1_2')
    refused(gw, w + ', wrong SAN critical', 'wrong-san-critical', 'san-critical')
    refused(gw, w + ', CN only, no TLSRemoteSubjectName', 'cn-remote', 'no-match')
    refused(gw, w + ', wildcard p*y.lab.test', 'wild-partial', 'no-match')
    gw.run.ini_load(GW, 'TLSContexts 0 StrictHostNameMatch 1', strict(1))
    w = '6.4 mode 1, strict'
    refused(gw, w + ', CN only', 'cn-only', 'no-match')
    refused(gw, w + ', wildcard *.lab.test', 'wild-left', 'no-match')
    accepted(gw, w + ', SAN DNS', 'good-dns', 'san-dns')
    gw.run.ini_load(GW, 'TLSContexts 0 StrictHostNameMatch 0', strict(0))


def captured_64(gw):
    """The 6.4 matrix under a capture: the gateway's bad_certificate to
    each refused client is in it."""
    run = gw.run
    gw.capture = sipcapture.Capture(run, GW, 'hostname-server')
    gw.refusals = 0
    manual_64_matrix(gw)
    cap, gw.capture = gw.capture, None
    if cap.ok and cap.stop():
        rows = cap.tshark('tls.alert_message && tcp.srcport == 5061 && '
                          'tls.alert_message.desc != 0', 'tls.alert_message.desc')
        sent = [int(v) for row in rows for v in row[0].split(',') if v]
        run.check(sent == [BAD_CERTIFICATE] * gw.refusals,
                  'the capture shows the gateway sending bad_certificate (42) to each of the %d '
                  'refused clients (TLS 1.3 decrypted with s_client\'s key log)' % gw.refusals,
                  sent)


def manual_64_settings(gw):
    run = gw.run
    run.ini_load(GW, 'TLSRemoteSubjectName sbc.remote.test',
                 'TLSRemoteSubjectName = sbc.remote.test\n')
    accepted(gw, '6.4 mode 1, CN only, TLSRemoteSubjectName', 'cn-remote', 'cn-remote-subject')

    run.ini_load(GW, 'no Proxy Set classifies 10.0.2.2', PROXY_SETS % ('192.0.2.77', '192.0.2.78'))
    refused(gw, '6.4 mode 1, no Proxy Set classifies the client, SAN DNS', 'good-dns',
            'no-match', UNCLASSIFIED)
    accepted(gw, '6.4 mode 1, no Proxy Set classifies the client, CN is TLSRemoteSubjectName',
             'cn-remote', 'cn-remote-subject')
    run.ini_load(GW, 'the Proxy Sets classify 10.0.2.2 again', PROXY_SETS % (NAME, HOST))

    run.ini_load(GW, 'PeerHostNameVerificationMode 0 (6.4)', 'PeerHostNameVerificationMode = 0\n')
    accepted(gw, '6.4 mode 0', 'wrong-all', None,
             'PeerHostNameVerificationMode 0 under manual 6.4 does not cover the server role')
    run.ini_load(GW, 'PeerHostNameVerificationMode 2 (6.4)', 'PeerHostNameVerificationMode = 2\n')
    refused(gw, '6.4 mode 2', 'wrong-all', 'no-match')
    accepted(gw, '6.4 mode 2', 'good-dns', 'san-dns')
    accepted(gw, '6.4 mode 2, lan-2 (no mutual authentication)', None, None,
             'no client certificate is requested', port=gw.lan2)


def manual_7x(gw):
    run = gw.run
    accepted(gw, '7.x mode 1 (client only)', 'wrong-all', None,
             'PeerHostNameVerificationMode 1 under manual 7.x does not cover the server role')
    accepted(gw, '7.x mode 1 (client only)', 'good-dns', None,
             'PeerHostNameVerificationMode 1 under manual 7.x does not cover the server role')
    run.ini_load(GW, 'PeerHostNameVerificationMode 2 (7.x)', 'PeerHostNameVerificationMode = 2\n')
    refused(gw, '7.x mode 2', 'wrong-all', 'no-match')
    accepted(gw, '7.x mode 2', 'good-dns', 'san-dns')


def text_form(gw):
    """`vgw tls connections` (text) prints the rule and its sentence."""
    run = gw.run
    s = tls_client(gw.main, gw.pki, 'good-dns')
    try:
        s.sendall(request('OPTIONS', 'TLS', 'text1', 'text1@test', scheme='sips'))
        recv_response(s)
        p = run.vgw('tls', 'connections', '--name', GW, timeout=120)
        run.check(re.search(r'hostname rule +san-dns: SubjectAltName DNS:proxy\.lab\.test '
                            r'matches the Proxy Set address proxy\.lab\.test', p.stdout)
                  is not None,
                  'vgw tls connections prints the hostname rule and its sentence',
                  p.stdout + p.stderr)
    finally:
        s.close()


def test(run):
    pki = os.path.join(run.state_root, 'pki')
    os.makedirs(pki)
    make_pki(run, pki)
    if run.up_config(GW, BOOT_INI).returncode != 0:
        return
    trust_root(run, GW, pki)
    gw = Gateway(run, pki)
    if not gw.find_ports():
        return
    captured_64(gw)
    manual_64_settings(gw)
    text_form(gw)

    run.ini_load(GW, 'VgwManualVersion 1, PeerHostNameVerificationMode 1',
                 'VgwManualVersion = 1\nPeerHostNameVerificationMode = 1\n')
    p = run.vgw('reset', '--name', GW, '--save', timeout=600)
    run.check(p.returncode == 0, 'vgw reset --save: the gateway follows the 7.x manual',
              p.stdout + p.stderr + run.console_tail(GW))
    if gw.find_ports():
        manual_7x(gw)
    run.check((run.status(GW) or {}).get('crash_count') == 0,
              'vgwd ran through all of it without a crash')


if __name__ == '__main__':
    vgwtest.main(test)
