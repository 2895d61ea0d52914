#!/usr/bin/env python3
"""Peer host-name verification, the gateway as TLS client (issue 11).

One gateway; Context 0 trusts a `vgw pki` root and VerifyServerCertificate
is 1, so every certificate below has a good chain and only its names are
in question. The gateway sends `vgw sip options` to `openssl s_server` on
127.0.0.1 (10.0.2.2 to the gateway), dialled as sips:10.0.2.2:PORT (the
reference identity is the address) or sips:NAME:PORT;maddr=10.0.2.2 (the
name). Settings change with `vgw ini load --incremental`; the manual
(VgwManualVersion) with `vgw reset --save`.

- 6.4 (factory): PeerHostNameVerificationMode 1 is "Server Only", so a
  server whose certificate names someone else is answered; 2 checks the
  client role; 0 checks nothing (VerifyServerCertificate checks the chain,
  not names).
- 7.x: mode 1 checks the client role. The matrix: SAN DNS, SAN IP, a wrong
  SAN with the right CN (accepted through the CN fallback), everything
  wrong, a wrong critical SAN (no CN fallback), CN only with and without
  TLSRemoteSubjectName, CN only naming the dialled FQDN, a left-most
  wildcard and a partial one, and a certificate holding only the address
  that the dialled FQDN resolves to. TLSContexts 0 StrictHostNameMatch 1
  refuses the CN-only and wildcard certificates and keeps SAN DNS. Mode 0
  and 2 under 7.x.
- Last, a Proxy Set over TLS naming proxy.lab.test (DNS2IP to 10.0.2.2):
  a server with a certificate for proxy.lab.test passes (san-dns), one
  with only 10.0.2.2 is refused and its proxy is down; `vgw tls
  connections --json` shows the good one's hostname_rule (san-dns and its
  sentence).

Every refusal: the OPTIONS fails as tls-handshake-failed/hostname and
s_server never sees it; the console names the peer, the alert (bad
certificate), the context and the rule; `status --json` counts it under
tls client_failure_reasons "hostname"; and a capture (with the gateway's
own key log, so TLS 1.3's encrypted alert is readable) shows the gateway
sending bad_certificate (42) to that server. Every accepted handshake
logs the rule that matched."""
import json
import os
import re
import time

import tlspeers
import vgwtest

GW = 'tlshost'
HOST = '10.0.2.2'  # the host, as the gateway reaches it (slirp)
NAME = 'proxy.lab.test'
BAD_CERTIFICATE = 42
# A keep-alive's handshake comes within one interval; generous under TCG.
WAIT_S = 300

# name: vgw pki issue arguments (all signed by the root Context 0 trusts)
CERTS = {
    'good-dns': ['--san', 'dns:' + NAME],
    'good-ip': ['--san', 'ip:' + HOST],
    'wrong-san': ['--cn', NAME, '--san', 'dns:other.lab.test'],
    'wrong-all': ['--cn', 'other.lab.test', '--san', 'dns:other.lab.test'],
    'wrong-san-critical': ['--cn', NAME, '--san', 'dns:other.lab.test', '--san-critical'],
    'cn-remote': ['--cn', 'sbc.remote.test', '--no-san'],
    'cn-only': ['--cn', NAME, '--no-san'],
    'wild-left': ['--san', 'dns:*.lab.test'],
    'wild-partial': ['--san', 'dns:f*o.lab.test'],
}


class Gateway:
    """What the test knows of its gateway: the servers' ports whose
    handshakes the gateway must have refused."""

    def __init__(self, run, pki):
        self.run = run
        self.pki = pki
        self.refused_ports = []


def s_server(gw, cert, port):
    """An s_server presenting CERT on PORT, for the Proxy Sets."""
    base = os.path.join(gw.pki, cert)
    return tlspeers.Proc(['openssl', 's_server', '-accept', '127.0.0.1:%d' % port,
                          '-cert', base + '.crt', '-key', base + '.key'])


def dial(gw, cert, host):
    """The gateway sends an OPTIONS to an s_server presenting CERT, dialled
    by HOST (the address, or a name with ;maddr); s_server answers it.
    Returns (outcome, s_server output, port)."""
    port = tlspeers.free_port()
    base = os.path.join(gw.pki, cert)
    uri = ('sips:%s:%d' % (HOST, port) if host == HOST
           else 'sips:%s:%d;maddr=%s' % (host, port, HOST))
    o, out = tlspeers.options_to_s_server(gw.run, GW, ['-cert', base + '.crt', '-key',
                                                       base + '.key'], port, uri)
    return o, out, port


def check_handshake_rule(run, what, lines, rule):
    """LINES, the handshake log lines of one connection, are one that
    names the host-name RULE, or none when RULE is None (names not
    checked)."""
    if rule is None:
        run.check(len(lines) == 1 and 'host name:' not in lines[0],
                  '%s: the handshake is logged without a host-name rule (names not checked)'
                  % what, lines)
    else:
        run.check(len(lines) == 1 and ('; host name: %s: ' % rule) in lines[0],
                  '%s: the handshake log line names the rule %s' % (what, rule), lines)


def accepted(gw, what, cert, host, rule):
    """CERT dialled as HOST is answered; RULE (None: names not checked)
    is in the handshake's log line; no failure counted."""
    run = gw.run
    before = run.tls_status(GW)
    run.console_new(GW)
    o, out, port = dial(gw, cert, host)
    run.check(o.get('answered') is True and o.get('status') == 200,
              '%s: %s dialled as %s answers the OPTIONS' % (what, cert, host), (o, out))
    lines = re.findall(r'tls: handshake to 10\.0\.2\.2:%d: [^\n]*' % port, run.console_new(GW))
    check_handshake_rule(run, what, lines, rule)
    t = run.tls_status(GW)
    run.check(vgwtest.counter_delta(before, t, 'client_failure_reasons') == {},
              '%s: no client failure counted' % what, t)


def refused(gw, what, cert, host, rule):
    """CERT dialled as HOST is refused for its names with RULE: no SIP
    reaches s_server, the console names peer, alert, context and rule, the
    status counts one `hostname` failure."""
    run = gw.run
    before = run.tls_status(GW)
    run.console_new(GW)
    o, out, port = dial(gw, cert, host)
    gw.refused_ports.append(port)
    run.check(o.get('answered') is False and o.get('failure') == 'tls-handshake-failed'
              and o.get('detail') == 'hostname' and 'OPTIONS sips' not in out,
              '%s: %s dialled as %s is refused (tls-handshake-failed, hostname) before any SIP'
              % (what, cert, host), (o, out))
    lines = re.findall(r'tls: handshake to 10\.0\.2\.2:%d failed: [^\n]*' % port,
                       run.console_new(GW))
    want = (r'alert sent: bad certificate; TLS Context 0 [^;]*; rule: %s: [^;]+; '
            r'reason: hostname$' % rule)
    run.check(len(lines) == 1 and re.search(want, lines[0]) is not None,
              '%s: the console names the server, the bad_certificate alert, the context and '
              'the rule %s' % (what, rule), lines)
    t = run.tls_status(GW)
    run.check(vgwtest.counter_delta(before, t, 'client_failure_reasons') == {'hostname': 1},
              '%s: status counts one more hostname failure' % what, t)


def load(run, what, ini):
    run.ini_load(GW, what, ini)


def strict(on):
    return ('[ TLSContexts ]\nFORMAT Index = Name, StrictHostNameMatch;\n'
            'TLSContexts 0 = "default", %d;\n[ \\TLSContexts ]\n' % on)


def make_pki(run, pki):
    p = run.vgw('pki', 'ca', '--out', pki + '/root', timeout=120)
    run.check(p.returncode == 0, 'vgw pki ca: the root', p.stdout + p.stderr)
    p = run.vgw('pki', 'issue', '--ca', pki + '/root', '--out', pki + '/gw', '--role', 'device',
                '--san', 'dns:gw.lab.test', timeout=120)
    run.check(p.returncode == 0, 'vgw pki issue: the gateway\'s certificate', p.stdout + p.stderr)
    for name, extra in sorted(CERTS.items()):
        p = run.vgw('pki', 'issue', '--ca', pki + '/root', '--out', pki + '/' + name,
                    '--role', 'proxy', *extra, timeout=120)
        run.check(p.returncode == 0, 'vgw pki issue %s' % name, p.stdout + p.stderr)


def manual_64(gw):
    run = gw.run
    load(run, 'VerifyServerCertificate 1, PeerHostNameVerificationMode 1 (6.4)',
         'VerifyServerCertificate = 1\nPeerHostNameVerificationMode = 1\n')
    accepted(gw, '6.4 mode 1 (server only)', 'wrong-all', NAME, None)
    load(run, 'PeerHostNameVerificationMode 2 (6.4)', 'PeerHostNameVerificationMode = 2\n')
    refused(gw, '6.4 mode 2', 'wrong-all', NAME, 'no-match')
    accepted(gw, '6.4 mode 2', 'good-dns', NAME, 'san-dns')
    load(run, 'PeerHostNameVerificationMode 0 (6.4)', 'PeerHostNameVerificationMode = 0\n')
    accepted(gw, '6.4 mode 0', 'wrong-all', NAME, None)


def manual_7x(gw):
    run = gw.run
    w = '7.x mode 1'
    accepted(gw, w + ', SAN DNS', 'good-dns', NAME, 'san-dns')
    accepted(gw, w + ', SAN IP', 'good-ip', HOST, 'san-ip')
    accepted(gw, w + ', wrong SAN, CN fallback', 'wrong-san', NAME, 'cn-reference')
    refused(gw, w + ', wrong SAN and CN', 'wrong-all', NAME, 'no-match')
    refused(gw, w + ', wrong SAN critical', 'wrong-san-critical', NAME, 'san-critical')
    refused(gw, w + ', CN only, no TLSRemoteSubjectName', 'cn-remote', NAME, 'no-match')
    load(run, 'TLSRemoteSubjectName sbc.remote.test',
         'TLSRemoteSubjectName = sbc.remote.test\n')
    accepted(gw, w + ', CN only, TLSRemoteSubjectName', 'cn-remote', NAME, 'cn-remote-subject')
    accepted(gw, w + ', CN only, the dialled FQDN', 'cn-only', NAME, 'cn-reference')
    accepted(gw, w + ', wildcard *.lab.test', 'wild-left', NAME, 'san-dns')
    refused(gw, w + ', wildcard f*o.lab.test', 'wild-partial', 'foo.lab.test', 'no-match')
    refused(gw, w + ', FQDN against a certificate of its address only', 'good-ip', NAME,
            'no-match')

    load(run, 'TLSContexts 0 StrictHostNameMatch 1', strict(1))
    w = '7.x mode 1, strict'
    refused(gw, w + ', CN only', 'cn-only', NAME, 'no-match')
    refused(gw, w + ', wildcard *.lab.test', 'wild-left', NAME, 'no-match')
    accepted(gw, w + ', SAN DNS', 'good-dns', NAME, 'san-dns')
    load(run, 'TLSContexts 0 StrictHostNameMatch 0', strict(0))

    load(run, 'PeerHostNameVerificationMode 0 (7.x)', 'PeerHostNameVerificationMode = 0\n')
    accepted(gw, '7.x mode 0', 'wrong-all', NAME, None)
    load(run, 'PeerHostNameVerificationMode 2 (7.x)', 'PeerHostNameVerificationMode = 2\n')
    refused(gw, '7.x mode 2', 'wrong-all', NAME, 'no-match')


def proxy_set(gw):
    """A TLS Proxy Set named proxy.lab.test: the certificate must name the
    FQDN, not the address DNS2IP gives."""
    run = gw.run
    good_port, ip_port = tlspeers.free_port(), tlspeers.free_port()
    good = s_server(gw, 'good-dns', good_port)
    ip_only = s_server(gw, 'good-ip', ip_port)
    try:
        if not (good.wait_for('ACCEPT', timeout=60) and ip_only.wait_for('ACCEPT', timeout=60)):
            run.check(False, 'the Proxy Sets\' s_servers listen')
            return
        before = run.tls_status(GW)
        run.console_new(GW)
        load(run, 'Proxy Sets 1 and 2 over TLS to %s' % NAME,
             '[ ProxySet ]\n'
             'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive, '
             'ProxySet_ProxyKeepAliveTime;\n'
             'ProxySet 1 = "GOOD", 1, 5;\n'
             'ProxySet 2 = "IPONLY", 1, 5;\n'
             '[ \\ProxySet ]\n'
             '[ ProxyIp ]\n'
             'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, '
             'ProxyIp_IpAddress, ProxyIp_TransportType;\n'
             'ProxyIp 0 = 1, 0, "%s:%d", 2;\n'
             'ProxyIp 1 = 2, 0, "%s:%d", 2;\n'
             '[ \\ProxyIp ]\n'
             '[ DNS2IP ]\n'
             'FORMAT DNS2IP_Index = DNS2IP_DomainName, DNS2IP_FirstIpAddress;\n'
             'DNS2IP 0 = "%s", %s;\n'
             '[ \\DNS2IP ]\n' % (NAME, good_port, NAME, ip_port, NAME, HOST))
        log, ok_line, bad_line, down = '', None, None, False
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            log += run.console_new(GW)
            ok_line = re.search(r'tls: handshake to 10\.0\.2\.2:%d: [^\n]*' % good_port, log)
            bad_line = re.search(r'tls: handshake to 10\.0\.2\.2:%d failed: [^\n]*' % ip_port,
                                 log)
            down = re.search(r'proxy set 2 IPONLY: 10\.0\.2\.2:%d/tls \(ProxyIpIndex 0\) is '
                             r'down' % ip_port, log) is not None
            if ok_line and bad_line and down:
                break
            time.sleep(3)
        run.check(ok_line is not None and ('; host name: san-dns: SubjectAltName DNS:%s '
                                           'matches the Proxy Set address %s' % (NAME, NAME))
                  in ok_line.group(0),
                  'Proxy Set GOOD (%s): the handshake passes, SAN DNS matching the FQDN' % NAME,
                  ok_line.group(0) if ok_line else run.console_tail(GW, 60))
        run.check(bad_line is not None and re.search(
            r'alert sent: bad certificate; TLS Context 0 [^;]*; rule: no-match: neither a '
            r'SubjectAltName nor the CN matches %s( or TLSRemoteSubjectName \S+)?; '
            r'reason: hostname$' % re.escape(NAME),
            bad_line.group(0)) is not None,
                  'Proxy Set IPONLY (%s): a certificate for 10.0.2.2 alone is refused: the '
                  'FQDN is compared, not the address it resolves to' % NAME,
                  bad_line.group(0) if bad_line else run.console_tail(GW, 60))
        gw.refused_ports.append(ip_port)
        run.check(down, 'Proxy Set IPONLY: its proxy is marked down', run.console_tail(GW, 60))
        conn = client_connection(run, good_port)
        run.check((conn.get('hostname_rule') or {}).get('rule') == 'san-dns' and
                  'matches the Proxy Set address %s' % NAME in conn['hostname_rule'].get(
                      'sentence', '') and conn.get('hostname_not_checked') is None,
                  'vgw tls connections --json: the connection to Proxy Set GOOD shows '
                  'hostname_rule san-dns and its sentence', conn)
        t = run.tls_status(GW)
        refusals = vgwtest.counter_delta(before, t, 'client_failure_reasons')
        run.check(refusals.get('hostname', 0) >= 1,
                  'Proxy Set IPONLY: status counts its refusals as hostname', t)
    finally:
        good.p.kill()
        ip_only.p.kill()
        good.finish()
        ip_only.finish()


def client_connection(run, port):
    """The gateway's connection to 10.0.2.2:PORT in `vgw tls connections
    --json`, once established ({} if none within WAIT_S: keep-alives
    reopen a closed one)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        p = run.vgw('tls', 'connections', '--name', GW, '--json', timeout=120)
        try:
            conns = json.loads(p.stdout).get('connections') or []
        except (ValueError, AttributeError):
            conns = []
        for c in conns:
            if (c.get('role') == 'client' and c.get('state') == 'established'
                    and c.get('peer') == '%s:%d' % (HOST, port)):
                return c
        time.sleep(3)
    return {}


def alerts_in_capture(gw, path):
    """The gateway sent bad_certificate to each refused server, as a
    capture decrypted with the key log it embeds shows."""
    run = gw.run
    sent, stderr = tlspeers.alerts_sent(path, gw.refused_ports, HOST)
    missing = [port for port in gw.refused_ports if str(BAD_CERTIFICATE) not in sent.get(port, ())]
    run.check(not stderr.startswith('tshark failed') and gw.refused_ports and not missing,
              'the capture shows the gateway sending bad_certificate (42) to each of the %d '
              'refused servers' % len(gw.refused_ports),
              (missing, sent, stderr[-2000:]))


def captured(gw, what, steps):
    """Runs STEPS under a capture of the gateway with its key log on, then
    checks the alerts of the refusals they made."""
    run = gw.run
    gw.refused_ports = []
    p = run.vgw('tls', 'keylog', 'on', '--name', GW, '--minutes', '120', timeout=60)
    run.check(p.returncode == 0, 'vgw tls keylog on (%s: TLS 1.3 alerts are encrypted)' % what,
              p.stdout + p.stderr)
    path = os.path.join(run.state_root, 'hostname-%s.pcapng' % what)
    p = run.vgw('capture', 'start', '--name', GW, '--port', 'all', '--out', path)
    run.check(p.returncode == 0, 'vgw capture start (%s)' % what, p.stdout + p.stderr)
    for step in steps:
        step(gw)
    p = run.vgw('capture', 'stop', '--name', GW)
    run.check(p.returncode == 0, 'vgw capture stop (%s)' % what, p.stdout + p.stderr)
    alerts_in_capture(gw, path)


def trust_root(run, gw, pki):
    """Gateway GW's Context 0 serves PKI's gw certificate and trusts
    PKI's root."""
    p = run.vgw('cert', 'inject', '--name', gw, '--cert', pki + '/gw.crt', '--key',
                pki + '/gw.key', '--ca', pki + '/root.crt', timeout=300)
    run.check(p.returncode == 0, 'vgw cert inject: Context 0 trusts the test root',
              p.stdout + p.stderr)


def test(run):
    pki = os.path.join(run.state_root, 'pki')
    os.makedirs(pki)
    make_pki(run, pki)
    if run.up(GW).returncode != 0:
        return
    trust_root(run, GW, pki)
    gw = Gateway(run, pki)
    captured(gw, '6.4', [manual_64])

    load(run, 'VgwManualVersion 1, PeerHostNameVerificationMode 1',
         'VgwManualVersion = 1\nPeerHostNameVerificationMode = 1\n')
    p = run.vgw('reset', '--name', GW, '--save', timeout=600)
    run.check(p.returncode == 0, 'vgw reset --save: the gateway follows the 7.x manual',
              p.stdout + p.stderr + run.console_tail(GW))
    captured(gw, '7.x', [manual_7x, proxy_set])
    run.check((run.status(GW) or {}).get('crash_count') == 0,
              'vgwd ran through all of it without a crash')


if __name__ == '__main__':
    vgwtest.main(test)
