#!/usr/bin/env python3
"""The gateway's own TLS key log (issue 11).

Off by default: `vgw status` says so, and a capture of an openssl s_client
OPTIONS over TLS 1.3 to the gateway holds the handshake but tshark finds no
SIP in it. `vgw tls keylog on` turns it on with an expiry: status shows it
(text and --json), the console has the start line. A capture then holds
two exchanges, the gateway as TLS server (s_client's OPTIONS and the
gateway's 200) and as TLS client (the gateway's own OPTIONS, `vgw sip
options sips:`, to an openssl s_server that answers 200); `vgw capture
stop` embeds the gateway's secrets by itself, and tshark, given no key
file, shows both OPTIONS and both 200s decrypted, as does `vgw handshakes`.
No secret ever reaches the console. `vgw tls keylog off` wipes the lines.
`--context 1` records nothing (no SIP Interface here serves Context 1),
`--context 0` records.
Last, a short expiry (`--minutes 0.05`, 3 s: fractions are allowed for
tests) ends the key log by itself: the console has the end line, status
says off, and a new capture is not decryptable.

The decrypting part runs under a 10 minute expiry, not 1: on a loaded
machine under TCG its steps may take more than a minute, and a key log
that expired meanwhile would be wiped."""
import json
import os
import re
import subprocess
import time

import tlspeers
import vgwtest
from test_sip_options import request

GW = 'keylog'
HOST = '10.0.2.2'  # the host, as the gateway reaches it (slirp)


def console(run):
    return run.console(GW)


def keylog_state(run):
    st = run.status(GW) or {}
    return st.get('tls_keylog') or {}


def status_text(run):
    p = run.vgw('status', '--name', GW, timeout=60)
    return p.stdout + p.stderr


def capture_start(run, name, gw=GW):
    path = os.path.join(run.state_root, name + '.pcapng')
    p = run.vgw('capture', 'start', '--name', gw, '--port', 'all', '--out', path)
    run.check(p.returncode == 0, 'vgw capture start (%s)' % name, p.stdout + p.stderr)
    return path


def capture_stop(run, name, gw=GW):
    p = run.vgw('capture', 'stop', '--name', gw)
    run.check(p.returncode == 0, 'vgw capture stop (%s)' % name, p.stdout + p.stderr)
    return p.stdout


def s_client_options(run, port, call_id):
    """openssl s_client (TLS 1.3, no key log file) sends OPTIONS to the
    gateway; checks that s_client got the 200."""
    p = tlspeers.Proc([tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port,
                       '-tls1_3', '-nocommands'])
    try:
        p.send(request('OPTIONS', 'TLS', call_id.split('@')[0], call_id, scheme='sips').decode())
        got = p.wait_for('SIP/2.0 200 OK', timeout=300) and p.wait_for('\r\n\r\n', timeout=300)
    finally:
        p.finish(timeout=30)
    run.check(got, 'openssl s_client: the gateway answers OPTIONS %s with 200' % call_id,
              p.out.decode(errors='replace')[-1500:])


def header(text, *names):
    for name in names:
        m = re.search(r'^%s\s*:\s*(.*?)\r?$' % re.escape(name), text, re.I | re.M)
        if m:
            return m.group(1)
    return None


def gateway_options_to_s_server(run, pki):
    """The gateway as TLS client: `vgw sip options sips:` to an openssl
    s_server (no key log file) that answers 200 by hand. Returns the
    Call-ID of the gateway's OPTIONS, None if it never came."""
    port = tlspeers.free_port()
    srv = tlspeers.s_server(pki, port, '-tls1_3')
    probe = None
    call_id = None
    try:
        if not run.check(srv.wait_for('ACCEPT', timeout=60), 'openssl s_server listens',
                         srv.out.decode(errors='replace')):
            return None
        probe = subprocess.Popen([vgwtest.VGW, 'sip', 'options', '--name', GW, '--json',
                                  'sips:%s:%d' % (HOST, port)], env=run.env, text=True,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT)
        got = srv.wait_for('OPTIONS sips:', timeout=600)
        out = srv.out.decode(errors='replace')
        got = got and srv.wait_for('\r\n\r\n', timeout=120)
        out = srv.out.decode(errors='replace')
        req = out[out.find('OPTIONS sips:'):]
        call_id = header(req, 'Call-ID', 'i')
        if not run.check(got and call_id is not None,
                         'openssl s_server receives the gateway\'s OPTIONS', out[-2000:]):
            return None
        srv.send('SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s;tag=sserver\r\n'
                 'Call-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n'
                 % (header(req, 'Via', 'v'), header(req, 'From', 'f'), header(req, 'To', 't'),
                    call_id, header(req, 'CSeq')))
        text, _ = probe.communicate(timeout=600)
        try:
            o = json.loads(text)
        except ValueError:
            o = {'output': text}
        run.check(o.get('status') == 200 and o.get('transport') == 'tls',
                  'vgw sip options sips: to openssl s_server: 200 over TLS', o)
    finally:
        if probe is not None and probe.poll() is None:
            probe.kill()
            probe.wait()
        srv.finish(timeout=30)
    return call_id


def tshark_sip(path):
    """[(request or status line, Call-ID)] of the SIP tshark finds in PATH,
    with nothing but the file (and s_server's port named as SIP over TLS,
    decode_as)."""
    args = ['tshark', '-r', path, '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=f',
            '-e', 'sip.Request-Line', '-e', 'sip.Status-Line', '-e', 'sip.Call-ID']
    rows = subprocess.run(args + decode_as(path), capture_output=True, text=True,
                          timeout=600).stdout
    out = []
    for line in rows.splitlines():
        f = (line.split('\t') + ['', '', ''])[:3]
        if f[0] or f[1]:
            out.append((f[0] or f[1], f[2]))
    return out


def decode_as(path):
    """Options that make tshark take the TCP port the gateway dialled in
    PATH (s_server's) as SIP over TLS, as 5061 is by default: what a
    Wireshark user sets for a SIPS server on another port."""
    p = subprocess.run(['tshark', '-r', path, '-Y', 'tcp.flags.syn == 1 and tcp.flags.ack == 0',
                        '-T', 'fields', '-e', 'tcp.dstport'],
                       capture_output=True, text=True, timeout=600)
    ports = sorted({int(x) for x in p.stdout.split() if x.isdigit()} - {5061})
    return ['-d', 'tls.port==%d,sip' % ports[0]] if ports else []


def client_hellos(path):
    p = subprocess.run(['tshark', '-r', path, '-Y', 'tls.handshake.type == 1', '-T', 'fields',
                        '-e', 'frame.number'] + decode_as(path),
                       capture_output=True, text=True, timeout=600)
    return len(p.stdout.split())


def has(lines, start, call_id):
    return any(l.startswith(start) and c == call_id for l, c in lines)


def test(run):
    os.makedirs(os.path.join(run.state_root, 'pki'))
    pki = tlspeers.Pki(os.path.join(run.state_root, 'pki'))
    if run.up(GW).returncode != 0:
        return
    st = run.status(GW) or {}
    sips = (st.get('ports') or {}).get('sips')
    k = st.get('tls_keylog') or {}
    run.check(k.get('on') is False and k.get('lines') == 0 and k.get('last_end') == 'none',
              'status --json: the key log is off at boot', k)
    run.check('tls keylog   off' in status_text(run), 'vgw status says the key log is off')

    # Off: the capture holds the handshake, but no SIP can be read in it.
    path = capture_start(run, 'off')
    s_client_options(run, sips, 'off-1@test')
    out = capture_stop(run, 'off')
    run.check('secrets embedded' not in out, 'capture stop embeds nothing with the key log off',
              out)
    run.check(client_hellos(path) >= 1, 'the capture holds the TLS handshake')
    sip = tshark_sip(path)
    run.check(sip == [], 'tshark finds no SIP in it (the key log was off)', sip)

    # On: both roles decrypt with nothing but the capture.
    p = run.vgw('tls', 'keylog', 'on', '--name', GW, '--minutes', '10')
    run.check(p.returncode == 0 and 'TLS KEY LOG ON' in p.stdout, 'vgw tls keylog on --minutes 10',
              p.stdout + p.stderr)
    k = keylog_state(run)
    run.check(k.get('on') is True and k.get('context') is None
              and 0 < k.get('expires_in_s', 0) <= 600,
              'status --json: the key log is on, every context, expiring within 10 minutes', k)
    text = status_text(run)
    run.check('TLS KEYLOG   ON: TLS SECRETS ARE RECORDED' in text,
              'vgw status shows the key log loudly', text)
    run.check('tls keylog: ON for every TLS context, expires in 600 s' in console(run),
              'the console has the start line', console(run)[-2000:])

    path = capture_start(run, 'on')
    s_client_options(run, sips, 'on-1@test')
    gw_call_id = gateway_options_to_s_server(run, pki)
    secrets = run.vgw('tls', 'keylog', 'read', '--name', GW).stdout.splitlines()
    run.check(any(l.startswith('CLIENT_TRAFFIC_SECRET_0 ') for l in secrets),
              'vgw tls keylog read prints NSS key log lines', secrets)
    out = capture_stop(run, 'on')
    run.check('secrets embedded' in out and "gateway's own key log" in out,
              'capture stop embeds the gateway\'s own secrets by itself', out)
    sip = tshark_sip(path)
    run.check(has(sip, 'OPTIONS sips:gateway@127.0.0.1', 'on-1@test')
              and has(sip, 'SIP/2.0 200 OK', 'on-1@test'),
              'tshark (no key file) decrypts s_client\'s OPTIONS and the gateway\'s 200', sip)
    run.check(gw_call_id is not None
              and has(sip, 'OPTIONS sips:%s' % HOST, gw_call_id)
              and has(sip, 'SIP/2.0 200 OK', gw_call_id),
              'tshark (no key file) decrypts the gateway\'s own OPTIONS and s_server\'s 200',
              sip)
    p = run.vgw('handshakes', '--json', path, timeout=300)
    try:
        flows = json.loads(p.stdout).get('sip_flows', [])
    except ValueError:
        flows = []
    msgs = [(m.get('line', ''), m.get('call_id')) for f in flows for m in f.get('messages', [])]
    run.check(has(msgs, 'OPTIONS sips:gateway@127.0.0.1', 'on-1@test')
              and has(msgs, 'SIP/2.0 200', 'on-1@test')
              and has(msgs, 'OPTIONS sips:%s' % HOST, gw_call_id)
              and has(msgs, 'SIP/2.0 200', gw_call_id),
              'vgw handshakes decrypts both flows', p.stdout[-3000:] + p.stderr)
    log = console(run)
    leaked = [l for l in secrets if l.split()[-1] in log]
    run.check(secrets and not leaked, 'no secret is on the console', leaked)

    p = run.vgw('tls', 'keylog', 'off', '--name', GW, '--json')
    try:
        wiped = json.loads(p.stdout).get('wiped', 0)
    except ValueError:
        wiped = 0
    run.check(wiped == len(secrets) and wiped > 0,
              'vgw tls keylog off wipes every line held (%d)' % len(secrets), p.stdout + p.stderr)
    k = keylog_state(run)
    run.check(k.get('on') is False and k.get('lines') == 0 and k.get('last_end') == 'requested',
              'status: off, nothing held, ended on request', k)
    run.check(run.vgw('tls', 'keylog', 'read', '--name', GW).stdout == '',
              'vgw tls keylog read prints nothing once off')

    # --context: the one SIP Interface serves Context 0, so Context 1's
    # key log takes nothing, Context 0's does.
    for ctx, taken in (('1', False), ('0', True)):
        p = run.vgw('tls', 'keylog', 'on', '--name', GW, '--context', ctx, '--json')
        s_client_options(run, sips, 'ctx%s@test' % ctx)
        k = keylog_state(run)
        run.check(p.returncode == 0 and k.get('on') is True and k.get('context') == int(ctx)
                  and (k.get('lines', 0) > 0) == taken,
                  'key log for context %s: %s' % (ctx, 'records the connection' if taken
                                                   else 'records nothing'), k)

    # A short expiry ends it by itself (and replaces the one running).
    p = run.vgw('tls', 'keylog', 'on', '--name', GW, '--minutes', '0.05')
    run.check(p.returncode == 0, 'vgw tls keylog on --minutes 0.05 (3 s)', p.stdout + p.stderr)
    end = time.monotonic() + 300
    while 'tls keylog: OFF (expired)' not in console(run) and time.monotonic() < end:
        time.sleep(1)
    run.check('tls keylog: OFF (expired)' in console(run), 'the console has the end line',
              console(run)[-2000:])
    k = keylog_state(run)
    run.check(k.get('on') is False and k.get('last_end') == 'expired',
              'status: off after the expiry, ended by it', k)
    path = capture_start(run, 'expired')
    s_client_options(run, sips, 'expired-1@test')
    out = capture_stop(run, 'expired')
    run.check('secrets embedded' not in out, 'capture stop embeds nothing after the expiry', out)
    run.check(client_hellos(path) >= 1, 'the capture after the expiry holds the handshake')
    sip = tshark_sip(path)
    run.check(sip == [], 'tshark finds no SIP in the capture after the expiry', sip)


if __name__ == '__main__':
    vgwtest.main(test)
