#!/usr/bin/env python3
"""The hostile client-certificate matrix with real SIP peers as TLS clients
of the gateway (issue 11): Kamailio 5.6 relaying SIPp's OPTIONS over TLS,
and SIPp through stunnel4.

One gateway booted under the 7.x manual (VgwManualVersion 1, so that a
TLSContexts version mask is live; the server role's certificate verdicts
are the same under 6.4, where test_tls_mutual.py checks them with
s_client) with one SIP Interface, lan-main, whose
TLSMutualAuthentication 1 requires a client certificate
(SIPSRequireClientCertificate stays 0: the rule logged is the
interface's). `vgw pki` makes root > inter and a rogue CA, and the
certificates, as test_tls_mutual.py does (its make_pki); the gateway's
device certificate (from inter) goes into Context 0 with the root as its
only trusted root. The gateway's own key log is on, so that the capture
of its LAN port (`vgw capture`) decrypts its TLS 1.3 alerts in tshark.

Kamailio (tls module, a client profile presenting the case's certificate,
TLS 1.2 or later, then TLS 1.2 only) takes an OPTIONS from SIPp over UDP
and relays it with t_relay to sip:127.0.0.1:<the gateway's SIPS
port>;transport=tls:
  good, with the intermediate   SIPp gets the gateway's 200 through it
  no certificate                certificate_required (TLS 1.3),
                                handshake_failure (TLS 1.2)
  unknown CA                    unknown_ca
  expired                       certificate_expired
  not yet valid                 bad_certificate
  self-signed                   unknown_ca
  intermediate missing          unknown_ca
A refused relay gets no answer, so Kamailio's tm answers SIPp 408 when its
final-response timer runs out (seen with Kamailio 5.6: a TLS handshake
that fails after the TCP connect does not end tm's branch, so no 477 or
503); SIPp's scenario then expects that 408. Then SIPp
over TCP into stunnel4 in client mode (good: the 200; no certificate,
expired: stunnel logs the gateway's alert and closes SIPp's connection,
SIPp fails). Last, TLSContexts 0 TLSVersion 8 (TLS 1.3 only, loaded live):
Kamailio limited to TLS 1.2 is refused with protocol_version, and
Kamailio allowed TLS 1.3 gets its 200.

Each case checks the peer's outcome and, on a refusal, the gateway's
alert as the peer logged it (Kamailio's and stunnel's OpenSSL), the
gateway's console line (the peer, the alert, the context, the rule and
the reason), its counter in `status --json` (tls.failure_reasons), that
no SIP message was read from a refused connection, and, at the end, the
gateway's alerts in order in the capture, read by tshark. Over TLS 1.3
Kamailio sends its request right behind its Finished, before the
gateway's verdict: the decrypted capture must show that OPTIONS on each
connection the gateway refused without reading it."""
import os
import re

import kamailio
import sipcapture
import tlspeers
import vgwtest
from siptest import check_sipp, run_sipp
from test_tls_mutual import S_CLIENT_SAYS, boot, make_pki

GW = 'tlspeers'
BOOT_INI = """VgwManualVersion = 1
[ SIPInterface ]
FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort, TLSMutualAuthentication;
SIPInterface 0 = "lan-main", "LAN", 5060, 5060, 5061, 1;
[ \\SIPInterface ]
"""
RULE = 'TLSMutualAuthentication = 1 (interface lan-main, over SIPSRequireClientCertificate = 0)'
VERSION_RULE = 'TLSContexts 0 TLSVersion 8 (manual 7.x): TLS 1.3'
# TLS alert descriptions (RFC 8446 §6.2) and how the gateway's log and
# OpenSSL (stunnel's log) name them.
ALERTS = {'handshake_failure': 40, 'bad_certificate': 42, 'certificate_expired': 45,
          'unknown_ca': 48, 'protocol_version': 70, 'certificate_required': 116}
# What OpenSSL (Kamailio's and stunnel's logs) says on receiving each.
OPENSSL_SAYS = dict(S_CLIENT_SAYS, protocol_version='alert protocol version')
# Kamailio's tm answers a relay nobody answered with 408 after this (ms):
# long enough for a TCG gateway's handshake on a loaded machine where the
# gateway must answer; where it must refuse, the 408 only ends the wait
# (the refusal itself is judged by the gateway's log line and counter).
FR_TIMER_MS = 20000
FR_TIMER_REFUSED_MS = 4000


class Case:
    """One client certificate: NAME (its files in the PKI), WHAT it is,
    the certificate file a peer presents (None: none), its key, and the
    gateway's verdict: None (accepted) or (reason, alert)."""

    def __init__(self, name, what, cert, key, verdict):
        self.name, self.what, self.cert, self.key, self.verdict = name, what, cert, key, verdict


def hostile_cases(run, pki):
    """The certificates of the matrix (test_tls_mutual's PKI); returns
    {name: Case}."""
    make_pki(run, pki)

    def full(name):
        """NAME's certificate followed by its chain, as Kamailio and
        stunnel load them."""
        path = '%s/%s-full.pem' % (pki, name)
        with open(path, 'w') as out:
            for part in ('.crt', '.chain'):
                with open(pki + '/' + name + part) as f:
                    out.write(f.read())
        return path

    def key(name):
        return '%s/%s.key' % (pki, name)
    cases = [
        Case('good', 'good, with the intermediate', full('alice'), key('alice'), None),
        Case('none', 'no certificate', None, None,
             ('no-peer-certificate', 'certificate_required')),
        Case('rogue', 'unknown CA', pki + '/rogue-client.crt', key('rogue-client'),
             ('untrusted', 'unknown_ca')),
        Case('expired', 'expired', full('expired'), key('expired'),
             ('expired', 'certificate_expired')),
        Case('future', 'not yet valid', full('future'), key('future'),
             ('not-yet-valid', 'bad_certificate')),
        Case('self', 'self-signed', pki + '/self.crt', key('self'),
             ('untrusted', 'unknown_ca')),
        Case('nochain', 'intermediate missing (the leaf alone)', pki + '/alice.crt',
             key('alice'), ('untrusted', 'unknown_ca')),
    ]
    return {c.name: c for c in cases}


class Gateway:
    """What the checks read from the gateway, and a mark of how far they
    have read (each case checks only what happened since its mark)."""

    def __init__(self, run):
        self.run = run
        # The refusals the capture must hold, in order: (label, alert,
        # whether the peer's SIP request is on the wire behind its Finished).
        self.refusals = []
        self.mark()

    def tls(self):
        return (self.run.status(GW) or {}).get('tls') or {}

    def received(self):
        """SIP messages received over TLS so far."""
        st = self.run.status(GW) or {}
        return ((st.get('sip') or {}).get('tls') or {}).get('received')

    def mark(self):
        self.reasons = dict(self.tls().get('failure_reasons') or {})
        self.sip_received = self.received()
        self.console_at = len(self.run.console(GW))

    def check_verdict(self, label, verdict, rule, sip_sent=False):
        """Checks what the gateway made of the peer since mark(): with
        VERDICT (reason, alert) one refusal counted and logged under RULE,
        no SIP read (SIP_SENT: though the peer sent its request behind its
        Finished, which the capture must show); with None, no refusal and
        SIP read. Moves the mark."""
        run = self.run
        after = dict(self.tls().get('failure_reasons') or {})
        counted = {k: n - self.reasons.get(k, 0) for k, n in after.items()
                   if n != self.reasons.get(k, 0)}
        received = self.received()
        lines = re.findall(r'tls: handshake with 10\.0\.2\.2:\d+ failed: [^\n]*',
                           run.console(GW)[self.console_at:])
        if verdict is None:
            run.check(counted == {} and lines == [],
                      '%s: the gateway refused nothing' % label, (counted, lines))
            run.check(received is not None and self.sip_received is not None and
                      received > self.sip_received,
                      '%s: the gateway read SIP over TLS' % label, (self.sip_received, received))
        else:
            reason, alert = verdict
            run.check(counted == {reason: 1},
                      '%s: status --json counts one refusal, reason %s' % (label, reason),
                      (counted, after))
            run.check(received == self.sip_received,
                      '%s: no SIP message was read from the refused connection' % label,
                      (self.sip_received, received))
            want = r'alert sent: %s; TLS Context 0 \([^)]*\); rule: %s; reason: %s\b' % (
                alert.replace('_', ' '), re.escape(rule), reason)
            run.check(len(lines) == 1 and re.search(want, lines[0], re.I) is not None,
                      '%s: the console logs the peer, the alert %s, the context and why, the '
                      'rule and the reason' % (label, alert),
                      '\n'.join(lines) or run.console_tail(GW))
            self.refusals.append((label, ALERTS[alert], sip_sent))
        self.mark()


def sips_port(run):
    return ((run.status(GW) or {}).get('ports') or {}).get('sips')


def through_kamailio(run, gw, d, case, port, method='TLSv1.2+', rule=RULE, verdict=None,
                     policy=''):
    """SIPp's OPTIONS over UDP to a Kamailio relaying it over TLS to the
    gateway's PORT, presenting CASE's certificate with METHOD; checks the
    outcome and the gateway's verdict (CASE's, unless VERDICT). POLICY
    names the gateway's version policy when it is not the default."""
    verdict = verdict or case.verdict
    if method == 'TLSv1.2' and verdict == ('no-peer-certificate', 'certificate_required'):
        # TLS 1.2 has no certificate_required: BoringSSL's choice.
        verdict = ('no-peer-certificate', 'handshake_failure')
    label = 'Kamailio (%s), %s%s' % (method, case.what, policy)
    cert, key = kamailio.make_cert(d, 'kamailio')
    # One name per run, so that its log holds only its own requests.
    name = re.sub(r'[^A-Za-z0-9.]+', '-',
                  'k %s %s%s' % (case.name, method.replace('+', 'plus'), policy))
    k = kamailio.Kamailio(d, name,
                          tlspeers.free_port(), tlspeers.free_port(), cert, key,
                          forward={'udp': 'sip:127.0.0.1:%d;transport=tls' % port}, answer=(),
                          tls_client=(method, case.cert, case.key),
                          fr_timer=FR_TIMER_MS if verdict is None else FR_TIMER_REFUSED_MS)
    try:
        if not run.check(k.start(), '%s: Kamailio starts' % label, k.log_tail()):
            return
        if verdict is None:
            check_sipp(run, '%s: SIPp\'s OPTIONS answered 200 through Kamailio' % label,
                       'options.xml', 'u1', k.port, 1)
        else:
            check_sipp(run, '%s: SIPp gets Kamailio\'s 408, no answer from the gateway' % label,
                       'options_unanswered.xml', 'u1', k.port, 1)
        # SIPp's retransmissions over UDP are logged too.
        run.check({r[2] for r in k.requests('OPTIONS')} == {'udp'},
                  '%s: Kamailio took the OPTIONS from SIPp' % label, k.log_tail())
    finally:
        k.stop()
    if verdict is not None:
        said = OPENSSL_SAYS[verdict[1]]
        run.check(said in tlspeers.read_log(k.log),
                  '%s: Kamailio logs the gateway\'s alert (%s)' % (label, said), k.log_tail())
    # Over TLS 1.3 Kamailio's handshake is done when it has sent its
    # Finished, and it sends the request right behind it.
    gw.check_verdict(label, verdict, rule,
                     sip_sent=method == 'TLSv1.2+' and verdict[1] != 'protocol_version'
                     if verdict else False)


def through_stunnel(run, gw, case, port):
    """SIPp's OPTIONS over TCP into stunnel4 (client mode, CASE's
    certificate) to the gateway's PORT."""
    label = 'SIPp through stunnel4, %s' % case.what
    identity = 'cert = %s\nkey = %s\n' % (case.cert, case.key) if case.cert else ''
    tunnel, tport, log = tlspeers.stunnel(
        run.state_root, 'c-' + case.name,
        'client = yes\naccept = 127.0.0.1:%d\nconnect = 127.0.0.1:%d\n%s'
        % (tlspeers.free_port(), port, identity))
    try:
        if not run.check(tunnel.poll() is None, '%s: stunnel4 listens' % label,
                         tlspeers.read_log(log)):
            return
        if case.verdict is None:
            check_sipp(run, '%s: OPTIONS answered 200' % label, 'options.xml', 't1', tport, 1)
        else:
            rc, out, c = run_sipp(run, 'options.xml', 't1', tport, 1, '-timeout', '300')
            run.check(rc != 0 and c.get('SuccessfulCall(C)') != '1',
                      '%s: SIPp\'s OPTIONS fails (the connection closed, no answer)' % label,
                      (rc, c, out[-1500:]))
            said = OPENSSL_SAYS[case.verdict[1]]
            run.check(said in tlspeers.read_log(log),
                      '%s: stunnel4 logs the gateway\'s alert (%s)' % (label, said),
                      tlspeers.read_log(log)[-2000:])
    finally:
        tunnel.terminate()
        tunnel.wait(timeout=60)
    gw.check_verdict(label, case.verdict, RULE)


def check_capture(run, gw, cap):
    """The gateway's alert for every refusal, in order, in the capture of
    its LAN port, and the early requests on the wire in those
    connections."""
    if not (cap.ok and cap.stop()):
        return
    rows = cap.tshark('tcp.port == 5061 && (tls.alert_message.desc > 0 || sip.Method)',
                      'tcp.stream', 'tcp.srcport', 'tls.alert_message.desc', 'sip.Method')
    streams = {}
    for row in rows:
        row += [''] * (4 - len(row))
        st = streams.setdefault(int(row[0]), {'alerts': [], 'requests': []})
        if row[1] == '5061':
            st['alerts'] += [int(v) for v in row[2].split(',') if v and v != '0']
        else:
            st['requests'] += [m for m in row[3].split(',') if m]
    refused = [streams[k] for k in sorted(streams) if streams[k]['alerts']]
    sent = [a for st in refused for a in st['alerts']]
    want = [alert for _, alert, _ in gw.refusals]
    run.check(sent == want,
              'the capture has the gateway\'s alert for every refusal, in order (TLS 1.3 '
              'decrypted with the secrets of the gateway\'s key log)', (sent, want))
    if len(refused) != len(gw.refusals):
        return
    for (label, _, sip_sent), st in zip(gw.refusals, refused):
        if sip_sent:
            run.check(st['requests'] == ['OPTIONS'],
                      '%s: the capture shows the OPTIONS the peer sent behind its Finished, '
                      'on the connection the gateway refused without reading it' % label, st)


def test(run):
    pki = os.path.join(run.state_root, 'pki')
    os.makedirs(pki)
    cases = hostile_cases(run, pki)
    if not boot(run, GW, BOOT_INI, pki):
        return
    p = run.vgw('tls', 'keylog', 'on', '--name', GW, '--minutes', '60')
    run.check(p.returncode == 0, 'vgw tls keylog on (the capture decrypts TLS 1.3)',
              p.stdout + p.stderr)
    port = sips_port(run)
    if not run.check(port is not None, 'status --json: the SIPS port', run.status(GW)):
        return
    d = os.path.join(run.state_root, 'kamailio')
    os.makedirs(d)
    gw = Gateway(run)
    cap = sipcapture.Capture(run, GW, 'peers')
    try:
        for method in ('TLSv1.2+', 'TLSv1.2'):
            for case in cases.values():
                through_kamailio(run, gw, d, case, port, method)
        for name in ('good', 'none', 'expired'):
            through_stunnel(run, gw, cases[name], port)
        run.ini_load(GW, 'TLSContexts 0 TLSVersion 8 (TLS 1.3 only), live',
                     '[ TLSContexts ]\nFORMAT Index = Name, TLSVersion;\n'
                     'TLSContexts 0 = "default", 8;\n[ \\TLSContexts ]\n')
        gw.mark()
        only13 = ', context 0 TLS 1.3 only'
        through_kamailio(run, gw, d, cases['good'], port, method='TLSv1.2',
                         rule=VERSION_RULE, verdict=('version', 'protocol_version'),
                         policy=only13)
        through_kamailio(run, gw, d, cases['good'], port, policy=only13)
    finally:
        check_capture(run, gw, cap)


if __name__ == '__main__':
    vgwtest.main(test)
