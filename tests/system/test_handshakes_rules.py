#!/usr/bin/env python3
"""`vgw handshakes` names the rule the gateway logged (issue 11,
Diagnostics).

One gateway, booted under manual 7.x (VgwManualVersion 1) with mutual
authentication on (SIPSRequireClientCertificate 1 on lan-main's TLS port)
and Context 0 holding a device certificate from `vgw pki` root > inter
with the root trusted; its own key log on, and `vgw capture` of its LAN
port running. `openssl s_client` then fails one handshake per case:
  no certificate, TLS 1.3       no-peer-certificate  certificate_required
  no certificate, TLS 1.2       no-peer-certificate  handshake_failure
  unknown CA, TLS 1.3           untrusted            unknown_ca
  expired, TLS 1.2              expired              certificate_expired
  not yet valid, TLS 1.3        not-yet-valid        bad_certificate
  the root in place of the intermediate, TLS 1.2
                                chain                bad_certificate
  a good TLS 1.2 client that renegotiates ("R")
                                renegotiation        no_renegotiation
the gateway as TLS client (VerifyServerCertificate 1,
PeerHostNameVerificationMode 1, loaded live), `vgw sip options` to an
`openssl s_server` whose certificate (chaining to the root) names only
other.lab.test, dialled by address:
                                hostname             bad_certificate
the gateway as server again, PeerHostNameVerificationMode 2 (loaded
live): a client certificate with a good chain naming other.lab.test,
from 10.0.2.2, the address of the Proxy Set ADDR:
                                hostname             bad_certificate
then, with Context 0's TLSVersion 4 (TLS 1.2 only) loaded live:
  TLS 1.1 only, TLS 1.3 only    version              protocol_version
(The default policy, TLSVersion 0, is TLS 1.0-1.3: a TLS 1.1-only client
completes its handshake there.)
Each case's console line gives the peer's port and the gateway's reason;
`vgw handshakes --json` of the capture (the gateway's secrets embedded at
stop, so its TLS 1.3 handshakes decrypt: the peers keep no key log) must
name the same reason for the handshake with that port, with the alert
(the rule's reason when the gateway sent the alert, its receiver_reason
when the peer did). The text report says it too. With the secrets
discarded (editcap), the cases whose alert was sent in clear still name
their rule, and those whose alert was encrypted name none."""
import json
import os
import re
import subprocess
import time

import sipcapture
import tlspeers
import vgwtest
from test_sip_options import request
from test_tls_mutual import boot, make_pki as mutual_pki, vgw_ok

GW = 'hsrules'
BOOT_INI = """VgwManualVersion = 1
SIPSRequireClientCertificate = 1
[ SIPInterface ]
FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort, TLSMutualAuthentication;
SIPInterface 0 = "lan-main", "LAN", 5060, 5060, 5061, -1;
[ \\SIPInterface ]
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive;
ProxySet 1 = "ADDR", 0;
[ \\ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 0 = 1, 0, "10.0.2.2:5998", 2;
[ \\ProxyIp ]
"""
LEGACY = ['-cipher', 'DEFAULT@SECLEVEL=0']  # Debian's OpenSSL 3 refuses TLS 1.1 without it

# (name, s_client arguments for a PKI directory, reason, alert, whether
# the alert is encrypted)
CASES = [
    ('no certificate, TLS 1.3', lambda p: ['-tls1_3'],
     'no-peer-certificate', 'certificate_required', True),
    ('no certificate, TLS 1.2', lambda p: ['-tls1_2'],
     'no-peer-certificate', 'handshake_failure', False),
    ('unknown CA, TLS 1.3', lambda p: ['-tls1_3', '-cert', p + '/rogue-client.crt',
                                       '-key', p + '/rogue-client.key'],
     'untrusted', 'unknown_ca', True),
    ('expired, TLS 1.2', lambda p: ['-tls1_2', '-cert', p + '/expired.crt',
                                    '-key', p + '/expired.key',
                                    '-cert_chain', p + '/expired.chain'],
     'expired', 'certificate_expired', False),
    ('not yet valid, TLS 1.3', lambda p: ['-tls1_3', '-cert', p + '/future.crt',
                                          '-key', p + '/future.key',
                                          '-cert_chain', p + '/future.chain'],
     'not-yet-valid', 'bad_certificate', True),
    ('the root in place of the intermediate, TLS 1.2',
     lambda p: ['-tls1_2', '-cert', p + '/alice.crt', '-key', p + '/alice.key',
                '-cert_chain', p + '/root.crt'],
     'chain', 'bad_certificate', False),
]
RENEGOTIATION = ('a TLS 1.2 client that renegotiates', 'renegotiation', 'no_renegotiation', True)
# Under Context 0's TLSVersion 4 (TLS 1.2 only).
VERSION_CASES = [
    ('TLS 1.1 only, context TLS 1.2 only', lambda p: ['-tls1_1'] + LEGACY,
     'version', 'protocol_version', False),
    ('TLS 1.3 only, context TLS 1.2 only', lambda p: ['-tls1_3'],
     'version', 'protocol_version', False),
]
TLS12_ONLY = """[ TLSContexts ]
FORMAT Index = Name, TLSVersion;
TLSContexts 0 = "default", 4;
[ \\TLSContexts ]
"""
# The gateway as TLS client: a proxy whose certificate names another host,
# dialled by its address (PeerHostNameVerificationMode 1 checks the client
# role under 7.x).
CLIENT_CASE = ('the gateway as client, a proxy certificate naming other.lab.test',
               'hostname', 'bad_certificate', True)
# The gateway as server (PeerHostNameVerificationMode 2 under 7.x): a
# client certificate with a good chain that names other.lab.test, from
# 10.0.2.2, which classifies to the Proxy Set ADDR (10.0.2.2).
SERVER_NAME_CASE = ('a client certificate naming other.lab.test, from the Proxy Set 10.0.2.2',
                    'hostname', 'bad_certificate', True)
# The gateway's line for a failed handshake ("with" a client, "to" a
# server), or for a connection closed for a renegotiation: the gateway's
# role, the peer's port and the reason.
LOGGED = re.compile(r'tls: (?:handshake|connection) (with|to) 10\.0\.2\.2:(\d+) '
                    r'(?:failed|closed)[^\n]*; reason: ([a-z-]+)')


def logged(run):
    """[(the gateway's role, the peer's port, reason)] of every failure
    line on the console so far."""
    return [('server' if d == 'with' else 'client', int(port), reason)
            for d, port, reason in LOGGED.findall(run.console(GW) or '')]


def next_line(run, before):
    """The failure line that follows the BEFORE lines, None if none comes
    within a bound generous for a loaded machine (not a timing claim)."""
    end = time.monotonic() + 120
    while time.monotonic() < end:
        lines = logged(run)
        if len(lines) > before:
            return lines[before]
        time.sleep(0.5)
    return None


def fail_one(run, port, seen, name, peer, reason):
    """Runs PEER (a function returning the peer's output), which must fail
    a handshake the gateway logs with REASON; records the line's (role,
    port, reason) in SEEN[NAME]."""
    before = len(logged(run))
    # The gateway logs at most 10 handshake lines a second: paced.
    time.sleep(0.25)
    out = peer()
    line = next_line(run, before)
    run.check(line is not None and line[2] == reason,
              '%s: the gateway logs reason %s' % (name, reason),
              (line, out[-1500:], run.console_tail(GW)))
    if line is not None:
        seen[name] = line


def gateway_reason(rule, role):
    """The reason the gateway, in ROLE, logs by a report's rule: the
    sender's when it sent the alert, else the receiver's."""
    if not rule:
        return None
    return rule['reason'] if rule['by'] == role else rule['receiver_reason']


def handshake_of(rep, line):
    """The handshake of REP whose peer is the one of LINE (role, port,
    reason): the client's port when the gateway served it, the server's
    when it dialled it; None if there is none."""
    role, port, _ = line
    for h in rep.get('handshakes', []):
        peer = h['client'] if role == 'server' else h['server']
        if peer['address'] == '10.0.2.2' and peer['port'] == port:
            return h
    return None


def make_pki(run, pki):
    """test_tls_mutual's PKI (root > inter, a rogue CA, gw, alice, a rogue,
    an expired and a future client), and a proxy and a client from inter
    naming other.lab.test."""
    mutual_pki(run, pki)
    for name, role in (('proxy-other', 'proxy'), ('client-other', 'client')):
        vgw_ok(run, 'vgw pki issue %s' % name, 'pki', 'issue', '--out', pki + '/' + name,
               '--ca', pki + '/inter', '--role', role, '--cn', 'other.lab.test',
               '--san', 'dns:other.lab.test')


def s_client(port, args, sip):
    """s_client with ARGS writing SIP behind its Finished and waiting for
    the gateway to close; its whole output (and a note if the gateway
    kept the connection open: a bound, not a timing claim)."""
    cmd = [tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port, '-ign_eof'] + args
    try:
        p = subprocess.run(cmd, input=sip, capture_output=True, timeout=300)
    except subprocess.TimeoutExpired as e:
        return ((e.stdout or b'') + (e.stderr or b'')).decode(errors='replace') + \
            '\n(the connection was still open after 300 s: not refused)'
    return (p.stdout + p.stderr).decode(errors='replace')


def renegotiate(run, port, pki):
    """A good TLS 1.2 client (alice with her chain) completes its handshake,
    then asks s_client to renegotiate. Returns s_client's output."""
    c = tlspeers.Proc([tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port,
                       '-tls1_2', '-cert', pki + '/alice.crt', '-key', pki + '/alice.key',
                       '-cert_chain', pki + '/alice.chain'])
    try:
        done = c.wait_for('Verify return code', timeout=300)
        run.check(done, 'the good TLS 1.2 client completes its handshake',
                  c.out.decode(errors='replace')[-2000:])
        c.send('R\n')
        c.wait_for('RENEGOTIATING', timeout=60)
        # s_client ends when the gateway's alert arrives; stdin stays open
        # until then, as closing it would end the connection first.
        end = time.monotonic() + 120
        while c.p.poll() is None and time.monotonic() < end:
            c.pump(0.5)
    finally:
        c.finish(timeout=30)
    return c.out.decode(errors='replace')


def report(run, path, *args):
    p = run.vgw('handshakes', '--json', *args, path, timeout=300)
    try:
        return json.loads(p.stdout)
    except ValueError:
        run.check(False, 'vgw handshakes --json %s prints JSON' % path, p.stdout[-2000:] + p.stderr)
        return {'handshakes': []}


def test(run):
    pki = os.path.join(run.state_root, 'pki')
    os.makedirs(pki)
    make_pki(run, pki)
    if not boot(run, GW, BOOT_INI, pki):
        return
    vgw_ok(run, 'vgw tls keylog on', 'tls', 'keylog', 'on', '--name', GW)
    port = ((run.status(GW) or {}).get('ports') or {}).get('sips')
    if not run.check(port is not None, 'status: the TLS port of lan-main', run.status(GW)):
        return
    cap = sipcapture.Capture(run, GW, 'rules')
    if not cap.ok:
        return

    # case -> (port, reason) the gateway logged
    seen = {}
    for n, (name, args, reason, _, _) in enumerate(CASES):
        fail_one(run, port, seen, name, lambda: s_client(port, args(pki), request(
            'OPTIONS', 'TLS', 'r%d' % n, 'rule-%d@test' % n, scheme='sips')), reason)
    fail_one(run, port, seen, RENEGOTIATION[0], lambda: renegotiate(run, port, pki),
             RENEGOTIATION[1])
    run.ini_load(GW, 'VerifyServerCertificate 1, PeerHostNameVerificationMode 1',
                 'VerifyServerCertificate = 1\nPeerHostNameVerificationMode = 1\n')
    proxy = tlspeers.free_port()
    fail_one(run, port, seen, CLIENT_CASE[0], lambda: json.dumps(tlspeers.options_to_s_server(
        run, GW, ['-cert', pki + '/proxy-other.crt', '-key', pki + '/proxy-other.key',
                  '-cert_chain', pki + '/proxy-other.chain'], proxy,
        'sips:10.0.2.2:%d' % proxy)), CLIENT_CASE[1])
    run.ini_load(GW, 'PeerHostNameVerificationMode 2', 'PeerHostNameVerificationMode = 2\n')
    fail_one(run, port, seen, SERVER_NAME_CASE[0], lambda: s_client(
        port, ['-tls1_3', '-cert', pki + '/client-other.crt', '-key', pki + '/client-other.key',
               '-cert_chain', pki + '/client-other.chain'],
        request('OPTIONS', 'TLS', 'names', 'names@test', scheme='sips')), SERVER_NAME_CASE[1])
    run.ini_load(GW, 'Context 0 TLSVersion 4 (TLS 1.2 only), live', TLS12_ONLY)
    for name, args, reason, _, _ in VERSION_CASES:
        fail_one(run, port, seen, name, lambda: s_client(port, args(pki), b''), reason)
    if not cap.stop():
        return

    cases = ([(n, r, a, e) for n, _, r, a, e in CASES + VERSION_CASES] +
             [RENEGOTIATION, CLIENT_CASE, SERVER_NAME_CASE])
    rep = report(run, cap.path)
    run.check(rep.get('embedded_secret_blocks') == 1,
              'the capture embeds the gateway\'s own secrets', rep.get('embedded_secret_blocks'))
    for name, reason, alert, encrypted in cases:
        if name not in seen:
            continue
        role, peer, logged_reason = seen[name]
        h = handshake_of(rep, seen[name])
        if not run.check(h is not None, '%s: vgw handshakes finds the handshake with port %d'
                         % (name, peer), [h['index'] for h in rep.get('handshakes', [])]):
            continue
        rule = h['outcome'].get('rule') or {}
        run.check(gateway_reason(rule, role) == logged_reason and rule.get('alert') == alert,
                  '%s: vgw handshakes names the reason the gateway logged (%s), alert %s'
                  % (name, logged_reason, alert), json.dumps(h['outcome']))
        if encrypted:
            run.check(h['decryption'] == 'decrypted',
                      '%s: decrypted with the gateway\'s embedded secrets' % name, h['decryption'])
    unknown = seen.get('unknown CA, TLS 1.3')
    h = handshake_of(rep, unknown) if unknown is not None else None
    if h is not None:
        certs = h['client_certificates']
        run.check(certs and certs[0]['subject'] == 'CN=mallory' and
                  'CN=mallory' in h['outcome']['rule']['explanation'],
                  'unknown CA, TLS 1.3: the decrypted client certificate and the rule name '
                  'CN=mallory', json.dumps([certs, h['outcome']]))
        p = run.vgw('handshakes', '--filter', 'port=%d' % unknown[1], cap.path, timeout=300)
        run.check(p.returncode == 0 and re.search(
            r"rule +untrusted \(the server's rule, alert unknown_ca, implied by the alert\): "
            r"the client's certificate CN=mallory \(issuer CN=rogue\)", p.stdout) is not None,
                  'text report: the unknown CA case names the rule, the alert and the '
                  'certificate', p.stdout + p.stderr)

    # --filter rule=REASON selects by the gateway's reason.
    want = sorted(h['index'] for h in (handshake_of(rep, seen[n]) for n, r, _, _ in cases
                                       if r == 'version' and n in seen) if h is not None)
    got = [h['index'] for h in report(run, cap.path, '--filter', 'rule=version')['handshakes']]
    run.check(len(want) == len(VERSION_CASES) and got == want,
              '--filter rule=version lists exactly the version refusals', (want, got))

    # Without the secrets: TLS 1.2 shows its refusals in clear, TLS 1.3's
    # alerts are encrypted and no rule is named.
    plain = os.path.join(run.state_root, 'rules-nosecrets.pcapng')
    subprocess.run(['editcap', '--discard-all-secrets', cap.path, plain], check=True)
    prep = report(run, plain)
    run.check(prep.get('embedded_secret_blocks') == 0, 'editcap discarded the secrets',
              prep.get('embedded_secret_blocks'))
    for name, reason, alert, encrypted in cases:
        h = handshake_of(prep, seen[name]) if name in seen else None
        if h is None:
            run.check(False, '%s (no secrets): the handshake is in the report' % name,
                      seen.get(name))
            continue
        rule = h['outcome'].get('rule')
        if encrypted:
            run.check(rule is None, '%s (no secrets): no rule named, the alert is encrypted'
                      % name, rule)
        else:
            run.check(rule is not None and gateway_reason(rule, seen[name][0]) == seen[name][2],
                      '%s (no secrets): still names %s' % (name, seen[name][2]), rule)


if __name__ == '__main__':
    vgwtest.main(test)
