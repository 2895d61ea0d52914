#!/usr/bin/env python3
"""`vgw capture` on a booted gateway: a capture started after boot
(QMP filter-dump objects), one started with the gateway (`vgw up
--capture`), wall-clock timestamps, the file readable while it grows,
NIC selection, secrets embedded at stop (`--keylog`), TLS with the
gateway's own listener (guest port 5061) captured and decrypted, and the
errors a user meets."""
import json
import os
import socket
import subprocess
import tempfile
import time

import tlspeers
import vgwtest

GW = 'cap'


def tshark_rows(path, *fields, extra=()):
    args = ['tshark', '-r', path, '-T', 'fields'] + list(extra)
    for f in fields:
        args += ['-e', f]
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, [l.split('\t') for l in p.stdout.splitlines() if l], p.stderr


def poke(run, sip_port, sips_port):
    """SIP over UDP and a TCP connection to the sips port; returns the
    wall-clock time just before they were sent."""
    t0 = time.time()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b'OPTIONS sip:gw.example SIP/2.0\r\nCall-ID: capture-test\r\n\r\n',
             ('127.0.0.1', sip_port))
    u.close()
    try:
        c = socket.create_connection(('127.0.0.1', sips_port), 5)
        c.close()
    except OSError:
        pass
    time.sleep(0.5)
    return t0


# pcapng keeps microseconds: a stamp may lose up to one below the true time.
STAMP_RESOLUTION = 1e-6


def stamped_in_window(stamps, sent, read):
    """True if |stamps| is one time, no earlier than |sent| (the packet's
    send) and no later than |read| (when the file was read, after the
    relay had stamped it).  Both bounds are events, not durations: the
    relay stamps a packet no earlier than QEMU saw it and no later than it
    read it (host-tools/capture_relay.c), whatever the machine's load."""
    return len(stamps) == 1 and sent - STAMP_RESOLUTION <= stamps[0] <= read


def test(run):
    work = tempfile.mkdtemp(prefix='vgw-cap-')
    boot_cap = os.path.join(work, 'boot.pcapng')
    run.up(GW, '--capture', boot_cap)
    st = run.status(GW) or {}
    ports = st.get('ports', {})
    sip, sips = ports.get('sip_udp', 0), ports.get('sips', 0)

    # -- the boot capture ----------------------------------------------------
    rc, rows, err = tshark_rows(boot_cap, 'frame.time_epoch', 'frame.interface_name')
    run.check(rc == 0 and len(rows) > 0,
              'boot capture: readable while it grows, %d packets so far' % len(rows), err)
    run.check({r[1] for r in rows} <= {'lan', 'wan'}, 'boot capture: interfaces named lan/wan',
              {r[1] for r in rows})
    p = run.vgw('capture', 'start', '--name', GW, '--out', os.path.join(work, 'x.pcapng'))
    run.check(p.returncode == 1 and 'already running' in p.stderr,
              'a second capture while one runs is refused', p.stdout + p.stderr)
    t0 = poke(run, sip, sips)
    p = run.vgw('capture', 'stop', '--name', GW)
    run.check(p.returncode == 0, 'vgw capture stop (boot capture)', p.stdout + p.stderr)
    t_read = time.time()
    rc, rows, err = tshark_rows(boot_cap, 'frame.time_epoch', 'udp.dstport', 'sip.Call-ID')
    sipt = [float(r[0]) for r in rows if len(r) > 2 and r[2] == 'capture-test']
    run.check(stamped_in_window(sipt, t0, t_read),
              'boot capture: the SIP packet is stamped with wall-clock time, between its '
              'send and the read of the file', (t0, t_read, sipt))

    # -- a capture started after boot --------------------------------------
    time.sleep(5)
    st = run.status(GW) or {}
    uptime = st.get('guest_uptime_s', 0)
    cap = os.path.join(work, 'later.pcapng')
    p = run.vgw('capture', 'start', '--name', GW, '--port', 'lan', '--out', cap)
    run.check(p.returncode == 0, 'vgw capture start --port lan after boot', p.stdout + p.stderr)
    t0 = poke(run, sip, sips)
    # The file grows as the relay catches up: read it until both packets
    # are in (a generous bound on a loaded machine, not a timing claim).
    end = time.monotonic() + 60
    while True:
        t_read = time.time()
        rc, rows, err = tshark_rows(cap, 'frame.time_epoch', 'frame.interface_name',
                                    'sip.Call-ID', 'tcp.dstport', 'tcp.flags.syn')
        if ((any(len(r) > 2 and r[2] == 'capture-test' for r in rows) and
             any(len(r) > 4 and r[3] == '5061' for r in rows)) or time.monotonic() > end):
            break
        time.sleep(0.5)
    run.check(rc == 0 and len(rows) >= 2, 'the capture reads with tshark while it grows',
              err + repr(rows))
    sipt = [float(r[0]) for r in rows if len(r) > 2 and r[2] == 'capture-test']
    # Uncorrected, QEMU would stamp these a whole guest uptime in the future.
    run.check(uptime >= 5 and stamped_in_window(sipt, t0, t_read),
              'after boot (guest up %ss): the SIP packet is stamped with wall-clock time, '
              'between its send and the read of the file' % uptime, (t0, t_read, sipt))
    syn = [r for r in rows if len(r) > 4 and r[3] == '5061' and r[4] == '1']
    run.check(len(syn) >= 1, 'the connection to the sips port is in the capture (guest port 5061)',
              rows)
    run.check({r[1] for r in rows} == {'lan'}, '--port lan: only the lan interface', rows)

    # TLS with the gateway's own listener, both versions, keys logged.
    keylog = os.path.join(work, 'keys.log')
    for version in ('-tls1_3', '-tls1_2'):
        c = tlspeers.s_client(sips, keylog, version)
        got = c.wait_for('New, TLSv', timeout=60)
        c.finish(5)
        run.check(got, 'openssl s_client %s completes a handshake with the gateway (sips port %d)'
                  % (version, sips), c.out.decode(errors='replace')[-1500:])
    p = run.vgw('capture', 'stop', '--name', GW, '--keylog', keylog)
    run.check(p.returncode == 0 and 'secrets embedded' in p.stdout,
              'vgw capture stop --keylog', p.stdout + p.stderr)
    p = run.vgw('handshakes', '--json', cap)
    rep = json.loads(p.stdout) if p.returncode == 0 else {}
    run.check(rep.get('embedded_secret_blocks') == 1 and rep.get('keylog_entries', 0) >= 5,
              'the stopped capture holds the key log in a Decryption Secrets Block',
              p.stdout[-500:] + p.stderr)
    rc, rows2, err = tshark_rows(cap, 'frame.time_epoch')
    run.check(rc == 0 and len(rows2) >= len(rows), 'tshark still reads every packet after stop',
              err)
    rc, rows, err = tshark_rows(cap, 'tls.handshake.type', 'tls.app_data')
    run.check(any('11' in r[0].split(',') for r in rows),
              'tshark decrypts the gateway TLS 1.3 certificate with no other file', rows)
    hs = rep.get('handshakes', [])
    run.check(len(hs) >= 2 and all(h['decryption'] == 'decrypted' for h in hs
                                   if h['chosen']['version']['value'] == 0x0304),
              'vgw handshakes explains the gateway handshakes from the capture alone',
              json.dumps(hs)[:2000])

    # -- errors --------------------------------------------------------------
    p = run.vgw('capture', 'stop', '--name', GW)
    run.check(p.returncode == 1 and 'no capture' in p.stderr, 'stop without a capture is an error',
              p.stderr)
    p = run.vgw('capture', 'start', '--name', GW, '--port', 'dmz', '--out', cap)
    run.check(p.returncode == 2 and '--port' in p.stderr, 'a bad --port is a usage error', p.stderr)
    p = run.vgw('capture', 'start', '--name', GW, '--out', '/nonexistent-dir/x.pcapng')
    run.check(p.returncode == 1 and 'nonexistent-dir' in p.stderr,
              'an unwritable output file is a clear error', p.stderr)
    p = run.vgw('capture', 'start', '--name', GW, '--out', cap)
    run.check(p.returncode == 0, 'a new capture can start after a failed one', p.stderr)
    run.vgw('down', '--name', GW, timeout=120)
    p = run.vgw('capture', 'stop', '--name', GW)
    run.check(p.returncode == 0, 'stop after the gateway went down closes the file', p.stderr)
    rc, rows, err = tshark_rows(cap, 'frame.number')
    run.check(rc == 0, 'that file is valid', err)
    p = run.vgw('capture', 'start', '--name', GW, '--out', cap)
    run.check(p.returncode == 1 and 'not running' in p.stderr,
              'capturing a stopped gateway is refused', p.stderr)


if __name__ == '__main__':
    vgwtest.main(test)
