#!/usr/bin/env python3
"""`vgw snapshot save` and `vgw up --from` end to end (issue 12,
Snapshots): a booted gateway is saved while it runs on; two clones started
from the snapshot at once each answer SIP OPTIONS over UDP and a TLS
handshake on their own ports, with the origin's identity; the origin keeps
answering; a clone's saved configuration reaches neither the other clone,
the origin nor the snapshot, whose files never change."""
import calendar
import hashlib
import json
import os
import socket
import subprocess
import time

import tlsload
import tlspeers
import vgwtest

# A parameter that applies live and is saved to flash (docs/parameters.md).
PARAM, CHANGED = 'GwDebugLevel', '5'
SNAPSHOT_AGE_S = 10


def options_request(call_id):
    return ('OPTIONS sip:gateway@127.0.0.1 SIP/2.0\r\n'
            'Via: SIP/2.0/UDP 192.0.2.10:5999;branch=z9hG4bK%s;rport\r\n'
            'Max-Forwards: 70\r\n'
            'From: <sip:tester@example.test>;tag=snap\r\n'
            'To: <sip:gateway@127.0.0.1>\r\n'
            'Call-ID: %s\r\n'
            'CSeq: 1 OPTIONS\r\n'
            'Content-Length: 0\r\n\r\n' % (call_id, call_id)).encode()


def udp_options(port, call_id):
    """The first line of the answer to an OPTIONS over UDP to PORT ('' if
    none came after three tries: UDP may lose a datagram)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(20)
        for attempt in range(3):
            s.sendto(options_request('%s-%d' % (call_id, attempt)), ('127.0.0.1', port))
            try:
                return s.recv(65536).split(b'\r\n', 1)[0].decode(errors='replace')
            except socket.timeout:
                continue
    return ''


def answers(run, gw, ports, what):
    """Checks that GW answers OPTIONS over UDP and a TLS handshake on
    PORTS (sip_udp, sips)."""
    line = udp_options(ports['sip_udp'], '%s-%s' % (gw, what))
    run.check(line == 'SIP/2.0 200 OK', '%s %s: OPTIONS over UDP on %d answered 200' %
              (gw, what, ports['sip_udp']), line)
    proto, cipher, _, cert, out = tlspeers.gateway_handshake(ports['sips'], '-tls1_3')
    run.check(proto == 'TLSv1.3' and cert is not None,
              '%s %s: TLS 1.3 handshake on %d (%s)' % (gw, what, ports['sips'], cipher), out)
    return cert


def snapshot_hashes(run, name):
    d = os.path.join(run.state_root, '.snapshots', name)
    out = {}
    for f in sorted(os.listdir(d)):
        with open(os.path.join(d, f), 'rb') as fh:
            out[f] = hashlib.sha256(fh.read()).hexdigest()
    return out


def param_value(run, gw):
    return run.param(PARAM, gw).get('value')


def gateway_now(run, gw):
    """GW's wall clock, seconds since the epoch: the notBefore (the
    gateway's now) of a certificate it generates (`vgw cert inject
    --generate`); None when that fails."""
    p = run.vgw('cert', 'inject', '--name', gw, '--generate', 'ec-p256', '--subject',
                'CN=clock.test', timeout=300)
    shown = run.vgw('cert', 'show', '--name', gw, '--json', timeout=120)
    try:
        not_before = json.loads(shown.stdout)['certificate']['not_before']
    except (ValueError, KeyError, TypeError):
        run.check(False, '%s: vgw cert show --json after --generate' % gw,
                  p.stdout + p.stderr + shown.stdout + shown.stderr)
        return None
    return calendar.timegm(time.strptime(not_before, '%Y-%m-%dT%H:%M:%SZ'))


def test(run):
    p = run.up('origin')
    if p.returncode != 0:
        return
    cold_s = p.elapsed
    origin = run.status('origin') or {}
    origin_ports = origin.get('ports') or {}
    origin_cert = answers(run, 'origin', origin_ports, 'before the snapshot')
    factory = param_value(run, 'origin')

    # A SIP-over-TLS connection open across the save: the origin's
    # connections carry on (a clone's slirp has none of them).
    held = tlsload.connect(origin_ports['sips'])
    try:
        run.check(tlsload.options(held, 'before') == 200,
                  'origin: OPTIONS over a held TLS connection before the save: 200')
        p = run.vgw('snapshot', 'save', '--name', 'origin', 'snap', timeout=300)
        run.check(p.returncode == 0, 'vgw snapshot save snap', p.stdout + p.stderr)
        run.check(tlsload.options(held, 'after') == 200,
                  'origin: OPTIONS over the same TLS connection after the save: 200')
    finally:
        held.close()
    if p.returncode != 0:
        return
    p = run.vgw('snapshot', 'list')
    run.check(p.stdout.split() == ['snap'], 'vgw snapshot list shows snap', p.stdout + p.stderr)
    before = snapshot_hashes(run, 'snap')
    p = run.vgw('snapshot', 'save', '--name', 'origin', 'snap', timeout=300)
    run.check(p.returncode != 0 and 'exists' in p.stderr,
              'vgw snapshot save refuses a name already saved', p.stdout + p.stderr)
    answers(run, 'origin', origin_ports, 'after the snapshot')

    # The snapshot ages a little before its clones start, so that the
    # clock measurement below sees the age above its 1 s resolution.
    saved_at = time.monotonic()
    time.sleep(SNAPSHOT_AGE_S)

    # Two clones at once.
    t0 = time.monotonic()
    restore_wall = int(time.time())
    procs = {name: subprocess.Popen(
        [vgwtest.VGW, 'up', '--from', 'snap', '--name', name, '--detach',
         '--sip-port', '0', '--sip-tls-port', '0'],
        env=run.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True) for name in ('clone1', 'clone2')}
    run.started.update(procs)
    outputs = {name: proc.communicate(timeout=600)[0] for name, proc in procs.items()}
    both_s = time.monotonic() - t0
    for name, proc in procs.items():
        run.check(proc.returncode == 0, 'vgw up --from snap --name %s reaches ready' % name,
                  outputs[name] + run.console_tail(name))
        run.note('%s: %s' % (name, outputs[name].splitlines()[0] if outputs[name] else ''))
    run.note('cold boot to ready %.2f s (origin); two clones restored to ready at once in '
             '%.2f s' % (cold_s, both_s))

    clones = {name: run.status(name) or {} for name in procs}
    seen_ports = {origin_ports.get('sip_udp'), origin_ports.get('sips')}
    for name, st in clones.items():
        ports = st.get('ports') or {}
        run.check(ports.get('sip_udp') not in seen_ports and ports.get('sips') not in seen_ports,
                  '%s has host ports of its own' % name, (ports, seen_ports))
        seen_ports |= {ports.get('sip_udp'), ports.get('sips')}
        run.check(st.get('serial') == origin.get('serial') and
                  st.get('mac_base') == origin.get('mac_base'),
                  '%s has the origin\'s serial and MAC base' % name, st)
        cert = answers(run, name, ports, 'restored')
        run.check(cert is not None and cert == origin_cert,
                  '%s serves the origin\'s device certificate' % name)
    answers(run, 'origin', origin_ports, 'while the clones run')

    # A clone that needs keys of its own.
    p = run.vgw('up', '--from', 'snap', '--name', 'fresh', '--fresh-identity', '--detach',
                '--sip-port', '0', '--sip-tls-port', '0')
    run.check(p.returncode == 0, 'vgw up --from snap --fresh-identity', p.stdout + p.stderr)
    fresh_cert = answers(run, 'fresh', (run.status('fresh') or {}).get('ports') or {},
                         'with a fresh identity')
    run.check(fresh_cert is not None and tlspeers.spki_der_of_cert(fresh_cert) !=
              tlspeers.spki_der_of_cert(origin_cert),
              'fresh serves a device key other than the origin\'s')
    run.check(answers(run, 'origin', origin_ports, 'after the fresh clone') == origin_cert,
              'the origin still serves its own certificate')
    run.vgw('down', '--name', 'fresh', timeout=120)

    # One clone saves a change to its flash; nobody else sees it.
    p = run.vgw('param', 'set', '--name', 'clone1', PARAM, CHANGED, timeout=120)
    run.check(p.returncode == 0, 'clone1: vgw param set %s %s' % (PARAM, CHANGED),
              p.stdout + p.stderr)
    p = run.vgw('save', '--name', 'clone1', timeout=120)
    run.check(p.returncode == 0, 'clone1: vgw save', p.stdout + p.stderr)
    run.vgw('down', '--name', 'clone1', timeout=120)
    p = run.vgw('up', '--name', 'clone1', '--detach', '--sip-port', '0', '--sip-tls-port', '0')
    run.check(p.returncode == 0, 'clone1 boots cold from its own flash', p.stdout + p.stderr)
    run.check(param_value(run, 'clone1') == CHANGED,
              'clone1 keeps %s %s across a cold boot' % (PARAM, CHANGED))
    run.check(param_value(run, 'clone2') == factory,
              'clone2 still has %s %s' % (PARAM, factory))
    run.check(param_value(run, 'origin') == factory,
              'the origin still has %s %s' % (PARAM, factory))
    after = snapshot_hashes(run, 'snap')
    run.check(before == after, 'the snapshot\'s files are unchanged (SHA-256 of each)',
              (before, after))

    # A restored guest's wall clock resumes where the snapshot stopped it;
    # `up --from` steps it to the host's (the RTC's) before it is ready.
    clone_now = gateway_now(run, 'clone2')
    host_now = time.time()
    run.check(clone_now is not None and clone_now >= restore_wall,
              'clone2 (restored from a snapshot %.0f s old) has the host\'s time, not '
              'the snapshot\'s' % (t0 - saved_at),
              'clone2 %s, clones started at %s' % (clone_now, restore_wall))
    run.note('wall clock behind the host: clone2 %.0f s' % (host_now - (clone_now or 0)))

    p = run.vgw('up', '--from', 'snap', '--name', 'clone2', '--detach')
    run.check(p.returncode != 0 and 'exists' in p.stderr,
              'vgw up --from refuses an existing gateway name', p.stdout + p.stderr)
    p = run.vgw('snapshot', 'delete', 'snap')
    run.check(p.returncode == 0 and run.vgw('snapshot', 'list').stdout.strip() == '',
              'vgw snapshot delete snap', p.stdout + p.stderr)
    answers(run, 'clone2', clones['clone2'].get('ports') or {}, 'after the snapshot is deleted')


if __name__ == '__main__':
    vgwtest.main(test)
