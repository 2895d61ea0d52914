#!/usr/bin/env python3
"""The gateway is a SIP registrar over UDP and TCP (issue 10).

SIPp runs tests/system/sipp/register.xml once over UDP and once over TCP:
two users register (each 200 must list the contact with its expires),
then the first unregisters (the 200 must list no contact); SIPp's own
counters must show the call successful. `vgw sip registrations --json`
must then hold exactly the two second users, each with its transport,
the source slirp gives (10.0.2.2) and the expiry it asked for; a REGISTER
with Expires: 0 removes one; a REGISTER asking for 30 s gets 423 with
Min-Expires: 60 and binds nothing. `vgw status --json` counts the
bindings, the console log names the refusal with peer and reason."""
import os
import re
import socket

import siptest
import vgwtest

GW = 'sipreg'
EXPIRES = 3600  # what register.xml asks for
MIN_EXPIRES = 60


def register(port, user, call_id, contact, expires):
    """Sends one REGISTER binding CONTACT to USER with Expires: EXPIRES
    over UDP and returns the parsed answer."""
    msg = ('REGISTER sip:127.0.0.1 SIP/2.0\r\n'
           'Via: SIP/2.0/UDP 192.0.2.10:5999;branch=z9hG4bK%s;rport\r\n'
           'Max-Forwards: 70\r\n'
           'From: <sip:%s@example.test>;tag=r%s\r\n'
           'To: <sip:%s@example.test>\r\n'
           'Call-ID: %s\r\n'
           'CSeq: 1 REGISTER\r\n'
           'Contact: <%s>\r\n'
           'Expires: %d\r\n'
           'Content-Length: 0\r\n\r\n'
           % (call_id, user, call_id, user, call_id, contact, expires)).encode()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(120)
    try:
        s.sendto(msg, ('127.0.0.1', port))
        return siptest.parse_response(s.recv(65536))
    finally:
        s.close()


def check_binding(run, b, user, transport, sipp_port):
    what = 'the binding of %s' % user
    run.check(b.get('aor') == 'sip:%s@example.test' % user and
              b.get('contact') == 'sip:%s@127.0.0.1:%d;transport=%s'
              % (user, sipp_port, transport.upper()),
              '%s: its AOR and Contact URI' % what, b)
    run.check(b.get('transport') == transport and b.get('received') == '10.0.2.2' and
              isinstance(b.get('rport'), int) and b['rport'] > 0,
              '%s: came over %s from 10.0.2.2 and a slirp port' % (what, transport), b)
    run.check(isinstance(b.get('expires'), int) and 0 < b['expires'] <= EXPIRES and
              b.get('client_identity') is None,
              '%s: expires within %d s, no client certificate identity' % (what, EXPIRES), b)


def test(run):
    if run.up(GW).returncode != 0:
        return
    st = run.status(GW) or {}
    ports = st.get('ports') or {}
    udp_port, tcp_port = ports.get('sip_udp'), ports.get('sip_tcp')
    run.check((st.get('sip') or {}).get('registrations') == 0,
              'status: sip.registrations is 0 at boot', st.get('sip'))
    if not udp_port or not tcp_port:
        run.check(False, 'status names the forwarded SIP ports', st)
        return

    sipp_ports = {}
    # SIPp is told its port, so the test knows the Contact URI it binds.
    for transport, sipp_transport, port in [('udp', 'u1', udp_port), ('tcp', 't1', tcp_port)]:
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        sipp_ports[transport] = s.getsockname()[1]
        s.close()
        siptest.check_sipp(run, 'SIPp REGISTER over %s' % transport.upper(), 'register.xml',
                           sipp_transport, port, 1, '-p', str(sipp_ports[transport]),
                           '-key', 'first', 'alice-' + transport,
                           '-key', 'second', 'bob-' + transport)

    r = siptest.registrations(run, GW)
    bindings = r.get('bindings') or []
    run.check(r.get('aors') == 2 and len(bindings) == 2 and
              [b.get('aor') for b in bindings] ==
              ['sip:bob-tcp@example.test', 'sip:bob-udp@example.test'],
              'vgw sip registrations: exactly the two second users (the first ones '
              'unregistered)', r)
    if len(bindings) == 2:
        check_binding(run, bindings[0], 'bob-tcp', 'tcp', sipp_ports['tcp'])
        check_binding(run, bindings[1], 'bob-udp', 'udp', sipp_ports['udp'])
    run.check(r.get('registered') == 6 and r.get('refused') == {} and
              r.get('limits', {}).get('min_expires') == MIN_EXPIRES,
              'vgw sip registrations: 6 REGISTERs accepted, none refused, the limits', r)
    run.check((run.status(GW) or {}).get('sip', {}).get('registrations') == 2,
              'status: sip.registrations is 2')

    p = run.vgw('sip', 'registrations', '--name', GW, timeout=60)
    run.check(p.returncode == 0 and 'sip:bob-udp@example.test\n' in p.stdout and
              re.search(r'  <sip:bob-tcp@127\.0\.0\.1:\d+;transport=TCP>  tcp from '
                        r'10\.0\.2\.2:\d+, expires in \d+ s\n', p.stdout) and
              '2 contacts for 2 addresses of record\n' in p.stdout,
              'vgw sip registrations (text) lists each AOR and its contact', p.stdout + p.stderr)

    # Too brief: 423 with Min-Expires, nothing bound.
    status, phrase, h = register(udp_port, 'carol', 'brief-1', 'sip:carol@192.0.2.10:5999', 30)
    run.check(status == 423 and phrase == 'Interval Too Brief' and
              h.get('min-expires') == [str(MIN_EXPIRES)],
              'REGISTER with Expires: 30: 423 Interval Too Brief, Min-Expires: 60',
              (status, phrase, h))

    # Another client with a new Call-ID removes bob-udp's contact with
    # expires=0 (it binds the same URI SIPp did).
    contact_uri = 'sip:bob-udp@127.0.0.1:%d;transport=UDP' % sipp_ports['udp']
    status, _, h = register(udp_port, 'bob-udp', 'unreg-1', contact_uri, 0)
    run.check(status == 200 and 'contact' not in h,
              'REGISTER with Expires: 0 for bob-udp\'s contact: 200 listing no contact',
              (status, h))

    r = siptest.registrations(run, GW)
    run.check([b.get('aor') for b in r.get('bindings') or []] == ['sip:bob-tcp@example.test']
              and r.get('aors') == 1 and r.get('refused') == {'interval-too-brief': 1},
              'vgw sip registrations: only bob-tcp is left; one interval-too-brief refused', r)
    run.check((run.status(GW) or {}).get('sip', {}).get('registrations') == 1,
              'status: sip.registrations is 1')

    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check(re.search(r'sip/udp: 10\.0\.2\.2:\d+: REGISTER for <?sip:carol@example\.test>? '
                        r'refused: Interval Too Brief \(interval-too-brief\)', log) is not None,
              'the console log names the peer, the AOR and the reason of the 423',
              run.console_tail(GW))


if __name__ == '__main__':
    vgwtest.main(test)
