#!/usr/bin/env python3
"""TLS Contexts on the connections the gateway opens, per-context policy,
and the client role's refusal reasons (issue 11).

One gateway, booted under the 7.x manual with VerifyServerCertificate 1,
two SIP Interfaces (lan-main: TLSContext "default"; lan-2: "ctx2"), TLS
Contexts 1 "ctx1" and 2 "ctx2", and four Proxy Sets over TLS: P1 names
TLSContextName ctx1, P2 ctx2, P3 none but GWIPv4SIPInterfaceName lan-2,
P4 neither. `vgw pki` makes two roots, A and B: Context 0 gets a device
certificate gw0 from A and trusts A; ctx1 gw1 from A, trusting A; ctx2
gw2 from B, trusting B. Each proxy is an `openssl s_server -Verify 1`
on 127.0.0.1 (10.0.2.2 to the gateway) trusting one root, reached with
`vgw sip options sips:10.0.2.2:PORT` at the address of a Proxy Set (the
set's ProxyIp row is pointed at the port with `ini load --incremental`),
so the connection presents that set's context.

- Selection: P1 -> ctx1 (s_server trusting A verifies CN=gw1), P2 -> ctx2
  (trusting B: CN=gw2), P3 -> lan-2's ctx2 (CN=gw2), P4 -> Context 0
  (CN=gw0). While each connection is open, `vgw tls connections --json`
  shows it with the context and the reason the console's handshake line
  gives: the Proxy Set's TLSContextName, the SIP Interface's TLSContext,
  the default.
- Roots per context: P2 (ctx2 trusts B only) refuses a proxy whose
  certificate is from A: untrusted, unknown_ca.
- Refusals of the client role, judged as client certificates are
  (tls_peer_verify), on P1 (ctx1): an expired proxy certificate
  (expired, certificate_expired), one not yet valid (not-yet-valid,
  bad_certificate), one from an unknown CA (untrusted, unknown_ca), a
  leaf sent without its intermediate (untrusted, unknown_ca), and the
  root sent in place of the intermediate (chain, bad_certificate). Each:
  the OPTIONS fails as tls-handshake-failed with the reason, no SIP
  reaches the proxy, the console line names the peer, the alert, the
  context and why, the rule (VerifyServerCertificate = 1) and the reason,
  and `status --json` counts it under tls client_failure_reasons. They
  run under a capture with the gateway's key log on; tshark shows the
  gateway sending each alert (TLS 1.3 alerts are encrypted).
- Per-context versions: TLSContexts 1 TLSVersion 8 (TLS 1.3 only) makes
  P1 refuse an `s_server -tls1_2` (version: protocol_version, counted,
  the line naming the context's rule) while P2 (ctx2, TLSVersion 4: TLS
  1.2 only) talks TLS 1.2 to it; in the server role, the same ctx2 makes lan-2's listener refuse a TLS 1.3
  s_client with protocol_version while lan-main's (Context 0) accepts it.
- Per-context suites and groups: ctx1's ClientCipherString
  ECDHE-ECDSA-AES256-GCM-SHA384 and KeyExchangeGroups P-384:P-256 are
  what P1 negotiates with a proxy that has every suite and X25519 too;
  ctx2's ServerCipherString ECDHE-ECDSA-CHACHA20-POLY1305 is what lan-2
  gives a client offering every suite.
- A new bundle injected into ctx1 is presented on P1's next connection;
  a context with no certificate (ctx3) named by P1 is replaced by
  Context 0, and the listing says so. An address no Proxy Set names gets
  Context 0 ("default: no Proxy Set names this peer").
"""
import json
import os
import re
import subprocess

import tlspeers
import vgwtest
from test_tls_mutual import delta

GW = 'tlsclictx'
HOST = '10.0.2.2'  # the host, as the gateway reaches it (slirp)
RULE = 'VerifyServerCertificate = 1'
BOOT_INI = """VgwManualVersion = 1
VerifyServerCertificate = 1
[ TLSContexts ]
FORMAT Index = Name, TLSVersion;
TLSContexts 1 = "ctx1", 0;
TLSContexts 2 = "ctx2", 0;
[ \\TLSContexts ]
[ SIPInterface ]
FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort, TLSContext;
SIPInterface 0 = "lan-main", "LAN", 5060, 5060, 5061, "default";
SIPInterface 1 = "lan-2", "LAN", 5070, 5070, 5071, "ctx2";
[ \\SIPInterface ]
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_TLSContextName, ProxySet_GWIPv4SIPInterfaceName;
ProxySet 1 = "P1", "ctx1", "";
ProxySet 2 = "P2", "ctx2", "";
ProxySet 3 = "P3", "", "lan-2";
ProxySet 4 = "P4", "", "";
[ \\ProxySet ]
"""
WHY = {
    1: "TLS Context 1 (Proxy Set P1's TLSContextName ctx1)",
    2: "TLS Context 2 (Proxy Set P2's TLSContextName ctx2)",
    3: "TLS Context 2 (Proxy Set P3 names no TLSContextName: SIP Interface lan-2's "
       "TLSContext ctx2)",
    4: 'TLS Context 0 (default: Proxy Set P4 names no TLSContextName and no SIP Interface)',
}
# TLS alert descriptions (RFC 8446 §6.2) and BoringSSL's words for them.
ALERTS = {'bad_certificate': (42, 'bad certificate'),
          'certificate_expired': (45, 'certificate expired'),
          'unknown_ca': (48, 'unknown CA')}


def tls_status(run):
    return (run.status(GW) or {}).get('tls') or {}


def vgw_ok(run, what, *args):
    p = run.vgw(*args, timeout=300)
    run.check(p.returncode == 0, what, p.stdout + p.stderr)
    return p


def make_pki(run, pki):
    steps = [('ca', '--out', pki + '/rootA', '--cn', 'root A'),
             ('ca', '--out', pki + '/rootB', '--cn', 'root B'),
             ('ca', '--out', pki + '/interA', '--issuer', pki + '/rootA', '--cn', 'inter A'),
             ('ca', '--out', pki + '/rogue', '--cn', 'rogue'),
             ('issue', '--ca', pki + '/rootA', '--out', pki + '/gw0', '--role', 'device'),
             ('issue', '--ca', pki + '/rootA', '--out', pki + '/gw1', '--role', 'device'),
             ('issue', '--ca', pki + '/rootA', '--out', pki + '/gw1b', '--role', 'device'),
             ('issue', '--ca', pki + '/rootB', '--out', pki + '/gw2', '--role', 'device'),
             ('issue', '--ca', pki + '/rootA', '--out', pki + '/proxyA', '--role', 'proxy'),
             ('issue', '--ca', pki + '/rootB', '--out', pki + '/proxyB', '--role', 'proxy'),
             ('issue', '--ca', pki + '/rootA', '--out', pki + '/expired', '--role', 'proxy',
              '--not-before', '-30d', '--not-after', '-1d'),
             ('issue', '--ca', pki + '/rootA', '--out', pki + '/not-yet-valid', '--role',
              'proxy', '--not-before', '+1d', '--days', '30'),
             ('issue', '--ca', pki + '/rogue', '--out', pki + '/unknown-ca', '--role', 'proxy'),
             ('issue', '--ca', pki + '/interA', '--out', pki + '/inter-leaf', '--role', 'proxy')]
    for step in steps:
        p = run.vgw('pki', *step, timeout=120)
        out = step[step.index('--out') + 1]
        if not run.check(p.returncode == 0, 'vgw pki %s %s' % (step[0], os.path.basename(out)),
                         p.stdout + p.stderr):
            return False
    return True


def point(run, set_index, port):
    """ProxyIp row SET_INDEX (of Proxy Set SET_INDEX) at 10.0.2.2:PORT over TLS."""
    run.ini_load(GW, 'Proxy Set P%d at %s:%d over TLS' % (set_index, HOST, port),
                 '[ ProxyIp ]\n'
                 'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, '
                 'ProxyIp_IpAddress, ProxyIp_TransportType;\n'
                 'ProxyIp %d = %d, 0, "%s:%d", 2;\n'
                 '[ \\ProxyIp ]\n' % (set_index, set_index, HOST, port))


def connections(run):
    p = run.vgw('tls', 'connections', '--name', GW, '--json', timeout=120)
    try:
        return json.loads(p.stdout).get('connections', [])
    except ValueError:
        run.check(False, 'vgw tls connections --json prints JSON', p.stdout + p.stderr)
        return []


def dial(run, set_index, server_args, while_open=None):
    """Proxy Set P<SET_INDEX> (None: none) pointed at a new `openssl
    s_server SERVER_ARGS`; the gateway sends it an OPTIONS, which s_server answers
    200. WHILE_OPEN(port), if given, runs while the connection is still
    open. Returns (the OPTIONS outcome, s_server's output, port)."""
    port = tlspeers.free_port()
    if set_index is not None:
        point(run, set_index, port)
    o, out = tlspeers.options_to_s_server(
        run, GW, server_args, port, 'sips:%s:%d' % (HOST, port),
        while_open=(lambda: while_open(port)) if while_open else None)
    return o, out, port


def cert_args(pki, name, chain=True):
    args = ['-cert', '%s/%s.crt' % (pki, name), '-key', '%s/%s.key' % (pki, name)]
    chain_file = '%s/%s.chain' % (pki, name)
    if chain and os.path.getsize(chain_file) > 0:
        args += ['-cert_chain', chain_file]
    return args


def handshake_line(run, port):
    m = re.findall(r'tls: handshake to 10\.0\.2\.2:%d: [^\n]*' % port, run.console(GW))
    return m[-1] if m else ''


def failure_line(run, port):
    m = re.findall(r'tls: handshake to 10\.0\.2\.2:%d failed: [^\n]*' % port, run.console(GW))
    return m[-1] if m else ''


def presents(run, pki, set_index, root, device, why=None):
    """P<SET_INDEX>'s connection (SET_INDEX None: one to an address no
    Proxy Set names) presents DEVICE to an s_server trusting ROOT, and is
    listed and logged with WHY (default WHY[SET_INDEX])."""
    why = why or WHY[set_index]
    listed = []

    def look(port):
        listed.extend(c for c in connections(run)
                      if c.get('peer') == '%s:%d' % (HOST, port) and c.get('role') == 'client')

    o, out, port = dial(run, set_index,
                        cert_args(pki, 'proxyA' if root == 'rootA' else 'proxyB')
                        + ['-Verify', '1', '-CAfile', '%s/%s.crt' % (pki, root)], look)
    what = 'P%d' % set_index if set_index else 'no Proxy Set\'s address'
    run.check(o.get('answered') is True and o.get('status') == 200,
              '%s: the proxy (s_server -Verify 1 trusting %s) answers the OPTIONS' % (what, root),
              (o, out[-2000:]))
    run.check(re.search(r'depth=0 CN = %s\s*\nverify return:1' % device, out) is not None,
              '%s: the gateway presented %s, which the proxy verified against %s'
              % (what, device, root), out[-2000:])
    run.check(len(listed) == 1 and listed[0].get('context') == why
              and listed[0].get('state') == 'established',
              '%s: vgw tls connections --json lists the connection with "%s"'
              % (what, why), listed)
    line = handshake_line(run, port)
    run.check(line.endswith('; ' + why) or ('; %s;' % why) in line,
              '%s: the console\'s handshake line names the context and why' % what, line)


def refused(run, pki, set_index, cert, reason, alert, chain=True, why=None):
    """P<SET_INDEX> refuses the proxy presenting CERT with REASON and
    ALERT; returns the proxy's port."""
    before = tls_status(run)
    args = cert_args(pki, cert, chain)
    if cert == 'inter-leaf' and chain is None:
        args += ['-cert_chain', pki + '/rootA.crt']  # the root, not the intermediate
    o, out, port = dial(run, set_index, args)
    what = 'P%d, %s' % (set_index, cert if chain is not False else cert + ' sent alone')
    if chain is None:
        what = 'P%d, %s sent with the root in place of its intermediate' % (set_index, cert)
    run.check(o.get('answered') is False and o.get('failure') == 'tls-handshake-failed'
              and o.get('detail') == reason and 'OPTIONS sips' not in out,
              '%s: refused before any SIP (tls-handshake-failed, %s)' % (what, reason),
              (o, out[-1500:]))
    line = failure_line(run, port)
    want = (r'failed: server certificate .*; alert sent: %s; %s; rule: %s; reason: %s$'
            % (re.escape(ALERTS[alert][1]), re.escape(why or WHY[set_index]), re.escape(RULE),
               re.escape(reason)))
    run.check(re.search(want, line) is not None,
              '%s: the console names the proxy, the %s alert, the context and why, the rule '
              'and the reason' % (what, alert), line or run.console_tail(GW))
    after = tls_status(run)
    run.check(delta(before, after, 'client_failure_reasons') == {reason: 1},
              '%s: status counts one more client failure "%s"' % (what, reason), after)
    return port


def alerts_in_capture(run, path, expected):
    """EXPECTED: {port: alert name}; the gateway sent each alert to its
    proxy, as the capture (its key log embedded) shows."""
    sent, stderr = tlspeers.alerts_sent(path, expected, HOST)
    for port, alert in sorted(expected.items()):
        run.check(str(ALERTS[alert][0]) in sent.get(port, ()),
                  'the capture shows the gateway sending %s (%d) to the proxy on port %d'
                  % (alert, ALERTS[alert][0], port), (sent, stderr[-1500:]))


def client_refusals(run, pki):
    p = run.vgw('tls', 'keylog', 'on', '--name', GW, '--minutes', '120', timeout=60)
    run.check(p.returncode == 0, 'vgw tls keylog on (TLS 1.3 alerts are encrypted)',
              p.stdout + p.stderr)
    path = os.path.join(run.state_root, 'refusals.pcapng')
    p = run.vgw('capture', 'start', '--name', GW, '--port', 'all', '--out', path)
    run.check(p.returncode == 0, 'vgw capture start', p.stdout + p.stderr)
    expected = {}
    expected[refused(run, pki, 1, 'expired', 'expired', 'certificate_expired')] = \
        'certificate_expired'
    expected[refused(run, pki, 1, 'not-yet-valid', 'not-yet-valid', 'bad_certificate')] = \
        'bad_certificate'
    expected[refused(run, pki, 1, 'unknown-ca', 'untrusted', 'unknown_ca')] = 'unknown_ca'
    expected[refused(run, pki, 1, 'inter-leaf', 'untrusted', 'unknown_ca', chain=False)] = \
        'unknown_ca'
    expected[refused(run, pki, 1, 'inter-leaf', 'chain', 'bad_certificate', chain=None)] = \
        'bad_certificate'
    p = run.vgw('capture', 'stop', '--name', GW)
    run.check(p.returncode == 0, 'vgw capture stop', p.stdout + p.stderr)
    alerts_in_capture(run, path, expected)


def policies(run, pki):
    run.ini_load(GW, 'TLSContexts 1 TLSVersion 8 (TLS 1.3 only), 2 TLSVersion 4 (TLS 1.2 '
                 'only)', '[ TLSContexts ]\nFORMAT Index = Name, TLSVersion;\n'
                 'TLSContexts 1 = "ctx1", 8;\nTLSContexts 2 = "ctx2", 4;\n[ \\TLSContexts ]\n')
    before = tls_status(run)
    o, out, port = dial(run, 1, cert_args(pki, 'proxyA') + ['-tls1_2'])
    run.check(o.get('answered') is False and o.get('failure') == 'tls-handshake-failed'
              and o.get('detail') == 'version' and 'OPTIONS sips' not in out,
              'P1 (ctx1, TLS 1.3 only) refuses a TLS 1.2-only proxy (version)', (o, out[-1500:]))
    line = failure_line(run, port)
    run.check(re.search(r'alert (sent|received): protocol version; %s; rule: TLSContexts 1 '
                        r'TLSVersion 8 \(manual 7\.x\): TLS 1\.3; reason: version$'
                        % re.escape(WHY[1]), line) is not None,
              'P1: the console names the protocol_version alert, ctx1 and its version rule',
              line or run.console_tail(GW))
    after = tls_status(run)
    run.check(delta(before, after, 'client_failure_reasons') == {'version': 1},
              'P1: status counts one client failure "version"', after)
    o, out, port = dial(run, 2, cert_args(pki, 'proxyB') + ['-tls1_2'])
    run.check(o.get('answered') is True and ': TLSv1.2, ' in handshake_line(run, port),
              'P2 (ctx2: its own mask, TLS 1.2) talks TLS 1.2 to the same kind of proxy',
              (o, handshake_line(run, port)))

    # The server role: lan-2 serves ctx2 (TLS 1.2 only), lan-main Context 0.
    st = run.status(GW) or {}
    fwd = {(f.get('proto'), f.get('guest')): f.get('host') for f in st.get('forwards', [])}
    main, lan2 = (st.get('ports') or {}).get('sips'), fwd.get(('tcp', 5071))
    if not run.check(None not in (main, lan2), 'status: the TLS ports of lan-main and lan-2',
                     st.get('forwards')):
        return
    before = tls_status(run)
    out13 = subprocess.run(['openssl', 's_client', '-connect', '127.0.0.1:%d' % lan2, '-tls1_3'],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=300)
    text = out13.stdout + out13.stderr
    run.check('alert protocol version' in text,
              'lan-2 (ctx2, TLS 1.2 only) refuses a TLS 1.3 client with protocol_version', text)
    after = tls_status(run)
    run.check(delta(before, after, 'failure_reasons') == {'version': 1},
              'lan-2: status counts one server failure "version"', after)
    ok = tlspeers.gateway_handshake(main, '-tls1_3')
    run.check(ok[0] == 'TLSv1.3', 'lan-main (Context 0, the global TLSVersion 0) accepts '
              'TLS 1.3', ok[4][-1500:])

    # Suites and groups: ctx1 as client, ctx2 as server.
    run.ini_load(GW, 'TLSContexts 1 ClientCipherString ECDHE-ECDSA-AES256-GCM-SHA384, '
                 'KeyExchangeGroups P-384:P-256; 2 ServerCipherString '
                 'ECDHE-ECDSA-CHACHA20-POLY1305; both TLSVersion 4',
                 '[ TLSContexts ]\nFORMAT Index = Name, TLSVersion, ClientCipherString, '
                 'ServerCipherString, KeyExchangeGroups;\n'
                 'TLSContexts 1 = "ctx1", 4, "ECDHE-ECDSA-AES256-GCM-SHA384", "DEFAULT", '
                 '"P-384:P-256";\n'
                 'TLSContexts 2 = "ctx2", 4, "DEFAULT", "ECDHE-ECDSA-CHACHA20-POLY1305", '
                 '"X25519:P-256:P-384:X448";\n[ \\TLSContexts ]\n')
    o, out, port = dial(run, 1, cert_args(pki, 'proxyA') + ['-groups', 'P-384:X25519'])
    line = handshake_line(run, port)
    run.check(o.get('answered') is True and
              ': TLSv1.2, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, P-384, ' in line,
              'P1 (ctx1): the configured client suite and group are negotiated with a proxy '
              'that also has X25519 and every suite', (o, line))
    ok = tlspeers.gateway_handshake(lan2, '-tls1_2')
    run.check(ok[1] == 'ECDHE-ECDSA-CHACHA20-POLY1305',
              'lan-2 (ctx2): a client offering every suite gets the configured server suite '
              'ChaCha20', ok[4][-1500:])
    run.ini_load(GW, 'TLSContexts 1 and 2 back to their defaults',
                 '[ TLSContexts ]\nFORMAT Index = Name, TLSVersion, ClientCipherString, '
                 'ServerCipherString, KeyExchangeGroups;\n'
                 'TLSContexts 1 = "ctx1", 0, "DEFAULT", "DEFAULT", "X25519:P-256:P-384:X448";\n'
                 'TLSContexts 2 = "ctx2", 0, "DEFAULT", "DEFAULT", "X25519:P-256:P-384:X448";\n'
                 '[ \\TLSContexts ]\n')


def test(run):
    pki = os.path.join(run.state_root, 'pki')
    os.makedirs(pki)
    if not make_pki(run, pki):
        return
    ini = os.path.join(run.state_root, 'boot.ini')
    with open(ini, 'w') as f:
        f.write(BOOT_INI)
    if run.up(GW, '--config', ini).returncode != 0:
        return
    for context, name, root in ((0, 'gw0', 'rootA'), (1, 'gw1', 'rootA'), (2, 'gw2', 'rootB')):
        vgw_ok(run, 'vgw cert inject --context %d: %s, trusting %s' % (context, name, root),
               'cert', 'inject', '--name', GW, '--context', str(context),
               '--cert', '%s/%s.crt' % (pki, name), '--key', '%s/%s.key' % (pki, name),
               '--ca', '%s/%s.crt' % (pki, root))

    presents(run, pki, 1, 'rootA', 'gw1')
    presents(run, pki, 2, 'rootB', 'gw2')
    presents(run, pki, 3, 'rootB', 'gw2')
    presents(run, pki, 4, 'rootA', 'gw0')
    presents(run, pki, None, 'rootA', 'gw0',
             'TLS Context 0 (default: no Proxy Set names this peer)')
    refused(run, pki, 2, 'proxyA', 'untrusted', 'unknown_ca')

    client_refusals(run, pki)
    policies(run, pki)

    vgw_ok(run, 'vgw cert inject --context 1: gw1b (a running gateway)', 'cert', 'inject',
           '--name', GW, '--context', '1', '--cert', pki + '/gw1b.crt', '--key',
           pki + '/gw1b.key', '--ca', pki + '/rootA.crt')
    presents(run, pki, 1, 'rootA', 'gw1b')

    run.ini_load(GW, 'TLSContexts 3 "ctx3" (no certificate), named by P1',
                 '[ TLSContexts ]\nFORMAT Index = Name;\nTLSContexts 3 = "ctx3";\n'
                 '[ \\TLSContexts ]\n[ ProxySet ]\nFORMAT ProxySet_Index = '
                 'ProxySet_ProxyName, ProxySet_TLSContextName;\n'
                 'ProxySet 1 = "P1", "ctx3";\n[ \\ProxySet ]\n')
    presents(run, pki, 1, 'rootA', 'gw0',
             "TLS Context 0 (Proxy Set P1's TLSContextName ctx3, but context 3 has no "
             "usable certificate)")
    run.check((run.status(GW) or {}).get('crash_count') == 0,
              'vgwd ran through all of it without a crash')


if __name__ == '__main__':
    vgwtest.main(test)
