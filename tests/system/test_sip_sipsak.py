#!/usr/bin/env python3
"""sipsak over TLS against a booted gateway (issue 10): OPTIONS, then a
REGISTER (its usrloc mode), each on its own TLS connection with the test
PKI's client certificate configured.

sipsak 0.9.8.1 writes a port of five digits cut to four in the URIs it
builds (sip:gw@127.0.0.1:44173 becomes ...:4417 in the Request-URI, To
and From), and has reported failures where the peer answered.  So the
gateway's forwarded SIPS port is given with its documented -r
(--remote-port) and the URI carries no port; and sipsak's verdict is
checked against a capture of the LAN port: sipsak logs its TLS secrets
(GnuTLS honours SSLKEYLOGFILE), `vgw capture stop --keylog` embeds them,
and both `vgw handshakes` (its SIP flows) and tshark read the requests
and the 200s inside the TLS connections.  The gateway's counters and
`vgw sip registrations` must agree.

On factory defaults the gateway does not ask for a client certificate
(SIPSRequireClientCertificate = 0, and there is no way yet to give it the
test CA to trust): the capture must show none requested and none sent."""
import json
import os
import re
import subprocess

import sipcapture
import vgwtest

GW = 'sipsak'


def sipsak(run, keylog, cert, port, *args):
    """Runs sipsak over TLS to 127.0.0.1, remote port PORT, with ARGS;
    returns (exit code, output)."""
    env = dict(os.environ, SSLKEYLOGFILE=keylog)
    p = subprocess.run(['sipsak', '-vvv', '--transport=tls', '--tls-client-cert=' + cert,
                        # The gateway's certificate is self-signed.
                        '--tls-ignore-cert-failure', '-r', str(port)] + list(args),
                       env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    # Its -vvv dump holds raw bytes past some messages.
    return p.returncode, (p.stdout + p.stderr).decode(errors='replace')


def test(run):
    if run.up(GW).returncode != 0:
        return
    st = run.status(GW) or {}
    port = (st.get('ports') or {}).get('sips')
    tls0 = ((st.get('sip') or {}).get('tls')) or {}
    if not run.check(port and 'received' in tls0, 'status names the SIPS port and sip.tls', st):
        return
    _, cert = sipcapture.client_pem(run)

    cap = sipcapture.Capture(run, GW, 'sipsak')
    if not cap.ok:
        return
    rc_o, out_o = sipsak(run, cap.keylog, cert, port, '-s', 'sip:gw@127.0.0.1')
    rc_r, out_r = sipsak(run, cap.keylog, cert, port, '-U', '-x', '300',
                         '-s', 'sip:alice@127.0.0.1')
    if not cap.stop():
        return

    # sipsak's own verdicts.
    run.check(rc_o == 0 and 'SIP/2.0 200 OK' in out_o,
              'sipsak OPTIONS over TLS: exit 0, it reports 200 OK', out_o)
    run.check(rc_r == 0 and 'usrloc tests completed successful' in out_r,
              'sipsak REGISTER (usrloc) over TLS: exit 0, it reports success', out_r)
    call_o = re.search(r'^Call-ID: (\S+)', out_o, re.M)
    call_r = re.search(r'^Call-ID: (\S+)', out_r, re.M)
    if not run.check(call_o is not None and call_r is not None,
                     'sipsak prints the Call-IDs it used', out_o + out_r):
        return
    call_o, call_r = call_o.group(1), call_r.group(1)

    # What the wire says, through vgw handshakes.
    rep = cap.wait_report(lambda r: len(sipcapture.sip_flows(r, 'tls')) >= 2)
    hs = rep.get('handshakes', [])
    gw_side = [h for h in hs if h['server']['port'] == 5061]
    run.check(len(gw_side) == 2 and
              all(h['outcome']['result'] == 'completed' and h['decryption'] == 'decrypted'
                  for h in gw_side),
              'the capture holds two TLS handshakes with the gateway (10.0.2.15:5061), both '
              'completed and decrypted with sipsak\'s key log', json_short(hs))
    run.check(all(h['client_auth']['requested'] is False and
                  h['client_auth']['client_sent_certificate'] is False for h in gw_side),
              'factory defaults: the gateway asked for no client certificate and sipsak sent none',
              json_short([h.get('client_auth') for h in gw_side]))
    flows = sipcapture.sip_flows(rep, 'tls')
    want = [
        [('client', 'OPTIONS sip:gw@127.0.0.1 SIP/2.0', call_o),
         ('server', 'SIP/2.0 200 OK', call_o)],
        [('client', 'REGISTER sip:127.0.0.1 SIP/2.0', call_r),
         ('server', 'SIP/2.0 200 OK', call_r)],
    ]
    run.check([sipcapture.lines(f) for f in flows] == want,
              'vgw handshakes: on the first TLS connection OPTIONS and its 200, on the second '
              'REGISTER and its 200, with sipsak\'s Call-IDs',
              json_short(flows))
    run.check([f['handshake'] for f in flows] == [h['index'] for h in gw_side] and
              all(f['server']['port'] == 5061 for f in flows),
              'each SIP flow names its TLS handshake and the gateway\'s port 5061',
              json_short(flows))

    # The same, read independently by tshark.
    seen = sipcapture.tshark_sip_lines(cap)
    run.check(seen == [('OPTIONS sip:gw@127.0.0.1 SIP/2.0', call_o),
                       ('SIP/2.0 200 OK', call_o),
                       ('REGISTER sip:127.0.0.1 SIP/2.0', call_r),
                       ('SIP/2.0 200 OK', call_r)],
              'tshark decrypts the same four SIP messages from the capture', seen)

    # And the gateway's own account.
    st = run.status(GW) or {}
    tls1 = ((st.get('sip') or {}).get('tls')) or {}
    run.check(tls1.get('received') == tls0.get('received', 0) + 2 and
              tls1.get('sent') == tls0.get('sent', 0) + 2 and
              tls1.get('accepted') == tls0.get('accepted', 0) + 2 and not tls1.get('rejected'),
              'status: sip.tls counts two requests in, two responses out, two connections, '
              'nothing rejected', {'before': tls0, 'after': tls1})
    p = run.vgw('sip', 'registrations', '--name', GW, '--json', timeout=120)
    try:
        regs = json.loads(p.stdout)
    except ValueError:
        regs = {}
    b = [x for x in regs.get('bindings', []) if x.get('call_id') == call_r]
    run.check(len(b) == 1 and b[0]['aor'] == 'sip:alice@127.0.0.1' and
              b[0]['transport'] == 'tls' and 0 < b[0]['expires'] <= 300,
              'vgw sip registrations: alice is bound over TLS for at most 300 s, with '
              'sipsak\'s Call-ID', p.stdout + p.stderr)


def json_short(v):
    return json.dumps(v)[:3000]


if __name__ == '__main__':
    vgwtest.main(test)
