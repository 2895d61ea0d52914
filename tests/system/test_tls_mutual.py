#!/usr/bin/env python3
"""Mutual TLS authentication in both roles, under both manuals (issue 11).

One gateway booted from an ini with two SIP Interfaces: lan-main (TLS
5061, TLSMutualAuthentication -1: the global) and lan-2 (TLS 5071,
TLSMutualAuthentication 0), SIPSRequireClientCertificate 1. `vgw pki`
makes root > inter and a rogue CA; the gateway's device certificate (from
inter) is injected into Context 0 with the root as its trusted root, so
client certificates are verified against the root alone.

Server role, lan-main (the global 1 through -1), `openssl s_client` with
TLS 1.3 and with TLS 1.2, each piping a SIP OPTIONS that s_client writes
right behind its Finished (TLS 1.3: before the gateway's verdict):
  no certificate        certificate_required (1.3), handshake_failure (1.2)
  unknown CA            unknown_ca
  expired               certificate_expired
  not yet valid         bad_certificate
  self-signed           unknown_ca
  intermediate missing  unknown_ca (the leaf alone: indistinguishable from
                        an unknown CA, RFC 5246's unknown_ca)
  the root sent in place of the intermediate
                        bad_certificate (a broken chain)
Each refusal: s_client reports the alert, the gateway's alert is in a
capture of its LAN port (tshark, TLS 1.3 decrypted with s_client's key
log), the console line names the peer, the context and why, the rule
(`SIPSRequireClientCertificate = 1 (global, interface lan-main
TLSMutualAuthentication -1)`), the certificate and the reason, and
`status --json` counts it by reason; no SIP message was received over TLS
and none answered. The good client certificate (from inter, with its
chain), over both versions, gets its OPTIONS answered, and its REGISTER
makes a binding that `vgw sip registrations --json` shows with the
certificate's subject, SANs, issuer and SHA-256 (a UDP binding: null).
sipsak, which cannot present a client certificate (it loads
--tls-client-cert as a trust file only), is refused as a client without
one.
lan-2 (0 while the global is 1) completes a handshake with no client
certificate.

Client role, 6.4: the gateway presents Context 0's certificate and chain
to `openssl s_server -Verify 1 -CAfile root`, which verifies it, and to
Kamailio's tls module requiring a client certificate (ca_list root:
OPTIONS answered; ca_list the rogue CA: refused, the alert logged); with
SIPSRequireClientCertificate 1 and VerifyServerCertificate 0 it accepts an
untrusted (self-signed) proxy. Then 7.x (VgwManualVersion 1, reset): the
same 1 makes server verification mandatory, so that proxy is refused and
a proxy whose certificate chains to the root is accepted.

Then SIPSRequireClientCertificate 0 with lan-2's TLSMutualAuthentication
1 (reset): lan-main (-1, the global 0) needs no certificate, lan-2 (1)
refuses a client without one and accepts the good one. Last,
VerifyServerCertificate 1 (live): the untrusted proxy is refused against
Context 0's roots, the line naming that rule, and the good one accepted."""
import hashlib
import json
import os
import re
import socket
import ssl
import subprocess
import time

import kamailio
import sipcapture
import tlspeers
import vgwtest
from test_sip_options import check_options_ok, recv_response, request

GW = 'tlsmutual'
HOST = '10.0.2.2'  # the host, as the gateway reaches it (slirp)
BOOT_INI = """SIPSRequireClientCertificate = 1
[ SIPInterface ]
FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort, TLSMutualAuthentication;
SIPInterface 0 = "lan-main", "LAN", 5060, 5060, 5061, -1;
SIPInterface 1 = "lan-2", "LAN", 5070, 5070, 5071, 0;
[ \\SIPInterface ]
"""
RULE_GLOBAL = ('SIPSRequireClientCertificate = 1 (global, interface lan-main '
               'TLSMutualAuthentication -1)')
RULE_LAN2 = 'TLSMutualAuthentication = 1 (interface lan-2, over SIPSRequireClientCertificate = 0)'
# TLS alert descriptions (RFC 8446 §6.2).
ALERTS = {'handshake_failure': 40, 'bad_certificate': 42, 'certificate_expired': 45,
          'unknown_ca': 48, 'certificate_required': 116}
# What s_client says on receiving each.
S_CLIENT_SAYS = {'handshake_failure': 'alert handshake failure',
                 'bad_certificate': 'alert bad certificate',
                 'certificate_expired': 'alert certificate expired',
                 'unknown_ca': 'alert unknown ca',
                 'certificate_required': 'alert certificate required'}
# The hostile client certificates: (name, what, s_client arguments for a
# PKI directory, reason, alert).
HOSTILE = [
    ('none', 'no certificate', lambda p: [], 'no-peer-certificate', None),
    ('rogue', 'unknown CA', lambda p: ['-cert', p + '/rogue-client.crt',
                                       '-key', p + '/rogue-client.key'],
     'untrusted', 'unknown_ca'),
    ('expired', 'expired', lambda p: ['-cert', p + '/expired.crt', '-key', p + '/expired.key',
                                      '-cert_chain', p + '/expired.chain'],
     'expired', 'certificate_expired'),
    ('future', 'not yet valid', lambda p: ['-cert', p + '/future.crt', '-key', p + '/future.key',
                                           '-cert_chain', p + '/future.chain'],
     'not-yet-valid', 'bad_certificate'),
    ('self', 'self-signed', lambda p: ['-cert', p + '/self.crt', '-key', p + '/self.key'],
     'untrusted', 'unknown_ca'),
    ('nochain', 'intermediate missing (leaf alone)',
     lambda p: ['-cert', p + '/alice.crt', '-key', p + '/alice.key'],
     'untrusted', 'unknown_ca'),
    ('rootchain', 'the root sent in place of the intermediate',
     lambda p: ['-cert', p + '/alice.crt', '-key', p + '/alice.key',
                '-cert_chain', p + '/root.crt'],
     'chain', 'bad_certificate'),
]
VERSIONS = [('-tls1_3', ssl.TLSVersion.TLSv1_3, 'TLSv1.3'),
            ('-tls1_2', ssl.TLSVersion.TLSv1_2, 'TLSv1.2')]


def console(run):
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        return f.read()


def ports(run):
    """(lan-main's TLS port, lan-2's TLS port, lan-main's UDP port) on the
    host."""
    st = run.status(GW) or {}
    fwd = {(f.get('proto'), f.get('guest')): f.get('host') for f in st.get('forwards', [])}
    p = st.get('ports') or {}
    return p.get('sips'), fwd.get(('tcp', 5071)), p.get('sip_udp')


def tls_status(run):
    return (run.status(GW) or {}).get('tls') or {}


def tls_received(run):
    """SIP messages received over TLS so far."""
    return (((run.status(GW) or {}).get('sip') or {}).get('tls') or {}).get('received')


def delta(before, after, key):
    b, a = before.get(key) or {}, after.get(key) or {}
    return {k: n - b.get(k, 0) for k, n in a.items() if n != b.get(k, 0)}


def vgw_ok(run, what, *args):
    p = run.vgw(*args, timeout=300)
    run.check(p.returncode == 0, what, p.stdout + p.stderr)
    return p


def make_pki(run, pki):
    for args in (('ca', '--out', pki + '/root'),
                 ('ca', '--out', pki + '/inter', '--issuer', pki + '/root'),
                 ('ca', '--out', pki + '/rogue')):
        vgw_ok(run, 'vgw pki %s %s' % args[:3:2], 'pki', *args)
    issue = [
        ('gw', '--ca', pki + '/inter', '--role', 'device', '--san', 'dns:gw.lab.test'),
        ('alice', '--ca', pki + '/inter', '--role', 'client', '--cn', 'alice',
         '--san', 'uri:sip:alice@lab.test', '--san', 'dns:alice.lab.test'),
        ('rogue-client', '--ca', pki + '/rogue', '--role', 'client', '--cn', 'mallory'),
        ('expired', '--ca', pki + '/inter', '--role', 'client', '--cn', 'old',
         '--not-before', '-30d', '--not-after', '-1d'),
        ('future', '--ca', pki + '/inter', '--role', 'client', '--cn', 'early',
         '--not-before', '+1d', '--days', '30'),
        ('self', '--self-signed', '--role', 'client', '--cn', 'self'),
        ('proxy-self', '--self-signed', '--role', 'proxy', '--san', 'ip:' + HOST),
        ('proxy', '--ca', pki + '/inter', '--role', 'proxy', '--san', 'ip:' + HOST),
    ]
    for name, *args in issue:
        vgw_ok(run, 'vgw pki issue %s' % name, 'pki', 'issue', '--out', pki + '/' + name, *args)
    # The good client's certificate and chain in one file, as Python's ssl
    # sends them.
    with open(pki + '/alice-full.pem', 'w') as out:
        for part in ('alice.crt', 'alice.chain'):
            with open(os.path.join(pki, part)) as f:
                out.write(f.read())


def s_client(port, flag, cert_args, keylog, sip):
    """s_client with one version and CERT_ARGS, writing SIP (from stdin)
    as soon as its side of the handshake is done and waiting for the
    gateway to close; its whole output."""
    p = subprocess.run(
        [tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port, flag, '-ign_eof',
         '-keylogfile', keylog] + cert_args,
        input=sip, capture_output=True, timeout=300)
    return (p.stdout + p.stderr).decode(errors='replace')


def good_client(port, version, pki):
    """A TLS connection with alice's certificate and chain, handshake done."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = version
    ctx.load_cert_chain(pki + '/alice-full.pem', pki + '/alice.key')
    s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=300),
                        do_handshake_on_connect=False)
    s.do_handshake()
    return s


def options_answered(run, port, version, pki, what, n):
    try:
        s = good_client(port, version, pki)
    except (OSError, ssl.SSLError) as e:
        run.check(False, '%s: the handshake with the good client certificate completes' % what,
                  repr(e) + run.console_tail(GW))
        return
    try:
        s.sendall(request('OPTIONS', 'TLS', 'good%d' % n, 'good-%d@test' % n, scheme='sips'))
        check_options_ok(run, what, recv_response(s), 'TLS', 'good%d' % n, 'good-%d@test' % n,
                         scheme='sips')
    finally:
        s.close()


def hostile_matrix(run, pki, port):
    """Every hostile client against lan-main with both versions."""
    cap = sipcapture.Capture(run, GW, 'mutual')
    before, received = tls_status(run), tls_received(run)
    expected_alerts, expected_reasons, expected_lines = [], {}, []
    for flag, _, version in VERSIONS:
        for n, (name, what, args, reason, alert) in enumerate(HOSTILE):
            if alert is None:  # no certificate: BoringSSL's choice by version
                alert = 'certificate_required' if version == 'TLSv1.3' else 'handshake_failure'
            sip = request('OPTIONS', 'TLS', 'h%s%d' % (flag[-1], n), 'hostile-%d@test' % n,
                          scheme='sips')
            # The gateway logs at most 10 handshake lines a second (the
            # rest are counted, not logged): the cases are paced below
            # that so that each one's line can be checked.
            time.sleep(0.25)
            out = s_client(port, flag, args(pki), cap.keylog, sip)
            run.check(S_CLIENT_SAYS[alert] in out and 'SIP/2.0' not in out,
                      '%s, %s: refused with %s, no SIP answer' % (version, what, alert), out)
            expected_alerts.append(ALERTS[alert])
            expected_reasons[reason] = expected_reasons.get(reason, 0) + 1
            expected_lines.append((reason, alert.replace('_', ' ')))
    after = tls_status(run)
    run.check(delta(before, after, 'failure_reasons') == expected_reasons,
              'status --json counts each refusal by reason', (expected_reasons, after))
    run.check(tls_received(run) == received,
              'no SIP message was received over TLS from a refused client (the OPTIONS '
              'behind the Finished were never read)', (received, tls_received(run)))
    if cap.ok and cap.stop():
        rows = cap.tshark('tls.alert_message && tcp.srcport == 5061 && '
                          'tls.alert_message.desc != 0', 'tls.alert_message.desc')
        sent = [int(v) for row in rows for v in row[0].split(',') if v]
        run.check(sent == expected_alerts,
                  'the capture has the gateway\'s alerts, in order, for every refusal '
                  '(TLS 1.3 decrypted with s_client\'s key log)', (sent, expected_alerts))
    lines = re.findall(r'tls: handshake with 10\.0\.2\.2:\d+ failed: [^\n]*', console(run))
    for reason, alert in expected_lines:
        want = [l for l in lines
                if re.search(r'alert sent: %s; TLS Context 0 \(' % alert, l, re.I)
                and ('; rule: %s; reason: %s' % (RULE_GLOBAL, reason)) in l]
        run.check(want != [], 'the console logs a %s refusal with the peer, the alert %s, the '
                  'context and why, the rule and the reason' % (reason, alert),
                  '\n'.join(lines[-20:]))
    for l in lines:
        if 'reason: expired' in l:
            run.check(re.search(r'client certificate CN=old \(issuer CN=inter\): expired: '
                                r'certificate CN=old has expired \(notAfter [^)]+\)', l),
                      'the expired refusal names the certificate and its notAfter', l)
            break


def registration(run, pki, port, udp_port):
    """A REGISTER over mutual TLS: its binding shows alice's certificate."""
    s = good_client(port, ssl.TLSVersion.TLSv1_3, pki)
    try:
        s.sendall(('REGISTER sips:127.0.0.1 SIP/2.0\r\n'
                   'Via: SIP/2.0/TLS 192.0.2.10:5999;branch=z9hG4bKreg1;rport\r\n'
                   'Max-Forwards: 70\r\n'
                   'From: <sips:alice@lab.test>;tag=r1\r\n'
                   'To: <sips:alice@lab.test>\r\n'
                   'Call-ID: reg-1@test\r\n'
                   'CSeq: 1 REGISTER\r\n'
                   'Contact: <sips:alice@192.0.2.10:5999>\r\n'
                   'Expires: 600\r\n'
                   'Content-Length: 0\r\n\r\n').encode())
        resp = recv_response(s)
        run.check(resp.startswith(b'SIP/2.0 200'), 'REGISTER over mutual TLS: 200', resp)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.settimeout(120)
        udp.sendto(('REGISTER sip:127.0.0.1 SIP/2.0\r\n'
                    'Via: SIP/2.0/UDP 192.0.2.10:5999;branch=z9hG4bKreg2;rport\r\n'
                    'Max-Forwards: 70\r\nFrom: <sip:bob@lab.test>;tag=r2\r\n'
                    'To: <sip:bob@lab.test>\r\nCall-ID: reg-2@test\r\nCSeq: 1 REGISTER\r\n'
                    'Contact: <sip:bob@192.0.2.10:5999>\r\nExpires: 600\r\n'
                    'Content-Length: 0\r\n\r\n').encode(), ('127.0.0.1', udp_port))
        data = udp.recv(65536)
        udp.close()
        run.check(data.startswith(b'SIP/2.0 200'), 'REGISTER over UDP: 200', data)
        p = run.vgw('sip', 'registrations', '--name', GW, '--json', timeout=120)
        try:
            bindings = {b.get('aor'): b for b in json.loads(p.stdout).get('bindings', [])}
        except (ValueError, AttributeError):
            bindings = {}
        with open(pki + '/alice.crt') as f:
            sha = hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()
        alice = next((b for a, b in bindings.items() if 'alice' in a), {})
        bob = next((b for a, b in bindings.items() if 'bob' in a), {})
        run.check(alice.get('transport') == 'tls' and alice.get('client_identity') == {
            'subject': 'CN=alice', 'san': ['URI:sip:alice@lab.test', 'DNS:alice.lab.test'],
            'issuer': 'CN=inter', 'sha256': sha},
                  'vgw sip registrations --json: the TLS binding has the client certificate\'s '
                  'subject, SANs, issuer and SHA-256', p.stdout + p.stderr)
        run.check('client_identity' in bob and bob['client_identity'] is None,
                  'the UDP binding\'s client_identity is null', bob)
        p = run.vgw('sip', 'registrations', '--name', GW, timeout=120)
        run.check('client certificate CN=alice (SAN URI:sip:alice@lab.test, DNS:alice.lab.test), '
                  'issuer CN=inter, SHA-256 %s' % sha in p.stdout,
                  'vgw sip registrations prints the client certificate under the binding',
                  p.stdout + p.stderr)
    finally:
        s.close()


def sipsak_peer(run, pki, port):
    """sipsak (0.9.8.1, GnuTLS) over TLS to lan-main. It reads
    --tls-client-cert only as a trust file
    (gnutls_certificate_set_x509_trust_file: it has no call that loads a
    key), so it cannot present a client certificate: the gateway refuses
    it as a client without one, and SIP never starts."""
    from test_sip_sipsak import sipsak
    with open(pki + '/alice-sipsak.pem', 'w') as out:
        for part in ('alice.crt', 'alice.chain', 'alice.key'):
            with open(os.path.join(pki, part)) as f:
                out.write(f.read())
    before = tls_status(run)
    rc, out = sipsak(run, os.path.join(run.state_root, 'sipsak.keys'),
                     pki + '/alice-sipsak.pem', port, '-s', 'sip:gw@127.0.0.1')
    run.check(rc != 0 and 'SIP/2.0 200 OK' not in out,
              'sipsak, which cannot present a client certificate: no answer', out)
    run.check(delta(before, tls_status(run), 'failure_reasons') == {'no-peer-certificate': 1},
              'sipsak is refused as a client without a certificate (no-peer-certificate)',
              tls_status(run))


def no_certificate_completes(run, port, what):
    """A client with no certificate completes its handshake on PORT."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=300))
        s.sendall(request('OPTIONS', 'TLS', 'nocert', 'nocert@test', scheme='sips'))
        check_options_ok(run, what, recv_response(s), 'TLS', 'nocert', 'nocert@test',
                         scheme='sips')
        s.close()
    except (OSError, ssl.SSLError) as e:
        run.check(False, what, repr(e))


def dial(run, cert, *extra):
    """The gateway sends an OPTIONS to s_server with CERT (EXTRA: its
    options); returns (sip options outcome, s_server output)."""
    port = tlspeers.free_port()
    return tlspeers.options_to_s_server(
        run, GW, ['-cert', cert + '.crt', '-key', cert + '.key', *extra], port,
        'sips:%s:%d' % (HOST, port))


def kamailio_requires_certificate(run, pki):
    """Kamailio's tls module requiring a client certificate: trusting the
    root, it accepts the gateway's (Context 0's, with its chain) and
    answers the OPTIONS; trusting only the rogue CA, it refuses it with an
    alert the gateway logs."""
    d = os.path.join(run.state_root, 'kamailio')
    os.makedirs(d, exist_ok=True)
    for name, ca in (('trusting', 'root'), ('rogue', 'rogue')):
        k = kamailio.Kamailio(d, name, tlspeers.free_port(), tlspeers.free_port(),
                              pki + '/proxy-self.crt', pki + '/proxy-self.key',
                              client_ca='%s/%s.crt' % (pki, ca))
        try:
            if not run.check(k.start(), 'Kamailio (tls, require_certificate, ca_list %s.crt) '
                             'starts' % ca, k.log_tail()):
                continue
            p = run.vgw('sip', 'options', '--name', GW, '--json',
                        'sips:%s:%d' % (HOST, k.tls_port), timeout=600)
            try:
                o = json.loads(p.stdout)
            except ValueError:
                o = {'error': p.stdout + p.stderr}
            options = [r for r in k.requests('OPTIONS') if r[2] == 'tls']
            if ca == 'root':
                run.check(o.get('answered') is True and o.get('status') == 200 and
                          len(options) == 1,
                          'Kamailio requiring a certificate that chains to the root accepts '
                          'the gateway\'s and answers its OPTIONS over TLS',
                          (o, k.log_tail()))
            else:
                # TLS 1.3: the gateway's side of the handshake is complete
                # when Kamailio judges its certificate; the verdict is an
                # alert on the established connection.
                run.check(o.get('answered') is False and
                          o.get('failure') == 'connection-closed' and options == [] and
                          'certificate verify failed' in k.log_tail(),
                          'Kamailio trusting only the rogue CA refuses the gateway\'s '
                          'certificate; no OPTIONS reaches it', (o, k.log_tail()))
                run.check(re.search(r'tls: connection to 10\.0\.2\.2:%d ended by the peer: '
                                    r'[^;]*; alert received: unknown CA; TLS Context 0'
                                    % k.tls_port, console(run)) is not None,
                          'the gateway logs the alert that ended the connection',
                          run.console_tail(GW))
        finally:
            k.stop()


def reconfigure(run, what, ini):
    path = os.path.join(run.state_root, 'mutual.ini')
    with open(path, 'w') as f:
        f.write(ini)
    vgw_ok(run, 'ini load --incremental: %s' % what, 'ini', 'load', '--name', GW,
           '--incremental', path)
    p = run.vgw('reset', '--name', GW, '--save', timeout=600)
    run.check(p.returncode == 0, 'vgw reset --save applies %s' % what,
              p.stdout + p.stderr + run.console_tail(GW))


def boot(run, gw, boot_ini, pki):
    """Gateway GW up from BOOT_INI (text) with Context 0 holding gw's
    certificate and chain from PKI (make_pki's), the root trusted; False
    if it did not come up."""
    ini = os.path.join(run.state_root, 'boot.ini')
    with open(ini, 'w') as f:
        f.write(boot_ini)
    if run.up(gw, '--config', ini).returncode != 0:
        return False
    vgw_ok(run, 'vgw cert inject: gw with its chain, the root trusted', 'cert', 'inject',
           '--name', gw, '--cert', pki + '/gw.crt', '--chain', pki + '/gw.chain',
           '--key', pki + '/gw.key', '--ca', pki + '/root.crt')
    return True


def test(run):
    pki = os.path.join(run.state_root, 'pki')
    os.makedirs(pki)
    make_pki(run, pki)
    if not boot(run, GW, BOOT_INI, pki):
        return
    main, lan2, udp = ports(run)
    if not run.check(None not in (main, lan2, udp),
                     'status: the TLS ports of lan-main and lan-2, the UDP port',
                     (main, lan2, udp)):
        return

    # -- server role, global 1: lan-main (-1) requires, lan-2 (0) not ------
    hostile_matrix(run, pki, main)
    for n, (_, version, name) in enumerate(VERSIONS):
        options_answered(run, main, version, pki,
                         'lan-main, %s, the good client certificate: OPTIONS' % name, n)
    registration(run, pki, main, udp)
    sipsak_peer(run, pki, main)
    no_certificate_completes(run, lan2, 'lan-2 (TLSMutualAuthentication 0 over the global 1): '
                             'no client certificate, OPTIONS answered')

    # -- client role, 6.4 --------------------------------------------------
    o, out = dial(run, pki + '/proxy-self', '-Verify', '1', '-CAfile', pki + '/root.crt')
    run.check(o.get('answered') is True and o.get('status') == 200,
              '6.4, SIPSRequireClientCertificate 1, VerifyServerCertificate 0: an untrusted '
              'proxy is accepted and answers the OPTIONS', (o, out))
    run.check(re.search(r'depth=0 CN = gw\s*\nverify return:1', out) is not None and
              re.search(r'depth=1 CN = inter\s*\nverify return:1', out) is not None,
              'the gateway presents Context 0\'s certificate and chain, which s_server -Verify 1 '
              '-CAfile root verifies', out)

    kamailio_requires_certificate(run, pki)

    # -- client role, 7.x: the global 1 makes verification mandatory -------
    reconfigure(run, 'VgwManualVersion 1 (7.x)', 'VgwManualVersion = 1\n')
    before = tls_status(run)
    o, out = dial(run, pki + '/proxy-self')
    run.check(o.get('answered') is False and o.get('failure') == 'tls-handshake-failed'
              and 'OPTIONS sips' not in out,
              '7.x, SIPSRequireClientCertificate 1: the untrusted proxy is refused', (o, out))
    run.check(delta(before, tls_status(run), 'client_failure_reasons') == {'untrusted': 1},
              '7.x: the refusal is counted (client, untrusted)', tls_status(run))
    run.check(re.search(r'tls: handshake to 10\.0\.2\.2:\d+ failed: [^\n]*alert sent: unknown CA; '
                        r'TLS Context 0 \([^)]*\); rule: SIPSRequireClientCertificate = 1 '
                        r'\(manual 7\.x: also the client role; VerifyServerCertificate = 0\); '
                        r'reason: untrusted', console(run)),
              '7.x: the refusal is logged with the peer, the alert, the context and the rule',
              run.console_tail(GW))
    o, out = dial(run, pki + '/proxy', '-cert_chain', pki + '/proxy.chain')
    run.check(o.get('answered') is True and o.get('status') == 200,
              '7.x: a proxy whose certificate chains to the root is accepted', (o, out))

    # -- the interface override: global 0, lan-2 1 ---------------------------
    reconfigure(run, 'SIPSRequireClientCertificate 0, lan-2 TLSMutualAuthentication 1',
                'SIPSRequireClientCertificate = 0\n' + BOOT_INI.split('\n', 1)[1]
                .replace('5071, 0;', '5071, 1;'))
    main, lan2, udp = ports(run)
    no_certificate_completes(run, main, 'lan-main (TLSMutualAuthentication -1, the global 0): '
                             'no client certificate, OPTIONS answered')
    before = tls_status(run)
    out = s_client(lan2, '-tls1_3', [], os.path.join(run.state_root, 'lan2.keys'),
                   request('OPTIONS', 'TLS', 'l2', 'lan2@test', scheme='sips'))
    run.check(S_CLIENT_SAYS['certificate_required'] in out and 'SIP/2.0' not in out,
              'lan-2 (TLSMutualAuthentication 1 over the global 0): no certificate is refused '
              'with certificate_required', out)
    run.check(delta(before, tls_status(run), 'failure_reasons') == {'no-peer-certificate': 1},
              'lan-2\'s refusal is counted as no-peer-certificate', tls_status(run))
    run.check(re.search(r'tls: handshake with 10\.0\.2\.2:\d+ failed: no client certificate '
                        r'\(TLS 1\.3\); alert sent: [^;]+; TLS Context 0 \([^)]*\); rule: %s; '
                        r'reason: no-peer-certificate' % re.escape(RULE_LAN2), console(run)),
              'lan-2\'s refusal is logged with its rule', run.console_tail(GW))
    options_answered(run, lan2, ssl.TLSVersion.TLSv1_3, pki,
                     'lan-2, the good client certificate: OPTIONS', 9)

    # -- client role, VerifyServerCertificate 1 alone (live, no reset) -------
    path = os.path.join(run.state_root, 'verify.ini')
    with open(path, 'w') as f:
        f.write('VerifyServerCertificate = 1\n')
    vgw_ok(run, 'ini load --incremental: VerifyServerCertificate 1 (live)', 'ini', 'load',
           '--name', GW, '--incremental', path)
    o, out = dial(run, pki + '/proxy-self')
    run.check(o.get('answered') is False and o.get('failure') == 'tls-handshake-failed' and
              re.search(r'tls: handshake to 10\.0\.2\.2:\d+ failed: [^\n]*alert sent: unknown CA; '
                        r'TLS Context 0 \([^)]*\); rule: VerifyServerCertificate = 1; '
                        r'reason: untrusted', console(run)) is not None,
              'VerifyServerCertificate 1 (SIPSRequireClientCertificate 0): the untrusted proxy is '
              'refused against Context 0\'s roots, logged with the rule', (o, out))
    o, out = dial(run, pki + '/proxy', '-cert_chain', pki + '/proxy.chain')
    run.check(o.get('answered') is True and o.get('status') == 200,
              'VerifyServerCertificate 1: the proxy whose certificate chains to the root is '
              'accepted', (o, out))


if __name__ == '__main__':
    vgwtest.main(test)
