#!/usr/bin/env python3
"""What README.md claims and no other system test checked, on one real
gateway driven through `vgw`:

- the default ports: booted without --sip-port/--sip-tls-port, SIP is on
  127.0.0.1:5060 (UDP and TCP) and SIPS on 127.0.0.1:5061, where a TLS
  handshake completes (if another process holds them, that is a failure
  naming the port, and the rest runs on free ports);
- `vgw up --capture` records both NICs (each one's DHCP exchange at boot)
  and `vgw capture start --port wan` only the WAN: a packet sent to the
  LAN is not in it, the WAN's DHCP exchange after a reset is;
- `vgw console` on a terminal shows what the gateway's console prints and
  detaches on Ctrl-];
- static LAN/WAN addressing: the addressing parameters set through vgw,
  saved, and after the reset the guest has exactly those addresses (as
  `vgw status` reports them) and the LAN still carries traffic;
- `vgw factory-reset`: the next boot runs factory defaults (DHCP again);
- `vgw keystore gen` on a stopped gateway (offline): after `vgw up` the
  gateway serves a certificate for exactly that key.
"""
import errno
import json
import os
import pty
import select
import socket
import subprocess
import tempfile
import time

import tlspeers
import vgwtest

GW = 'claims'
SIP_PORT, SIPS_PORT = 5060, 5061
# Static addresses on QEMU's user networks (vgw puts the LAN on
# 10.0.2.0/24, the WAN on 10.0.3.0/24).  The LAN keeps 10.0.2.15, the
# address slirp forwards the host ports to, with a prefix DHCP never gives;
# the WAN gets one DHCP would not hand out.
STATIC = {'lan': '10.0.2.15/25', 'wan': '10.0.3.77/24'}
STATIC_PARAMS = [('LANIPAddress', '10.0.2.15'), ('LANPrefixLength', '25'),
                 ('LANDefaultGateway', '10.0.2.2'), ('LANIPMode', '0'),
                 ('WANIPAddress', '10.0.3.77'), ('WANPrefixLength', '24'),
                 ('WANDefaultGateway', '0.0.0.0'), ('WANIPMode', '0')]


def taken_default_ports():
    """The default ports another process holds on 127.0.0.1, as text."""
    taken = []
    for kind, port in ((socket.SOCK_DGRAM, SIP_PORT), (socket.SOCK_STREAM, SIP_PORT),
                       (socket.SOCK_STREAM, SIPS_PORT)):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(('127.0.0.1', port))
        except OSError as e:
            taken.append('%s/%d (%s)' % ('udp' if kind == socket.SOCK_DGRAM else 'tcp', port,
                                         errno.errorcode.get(e.errno, e.errno)))
        finally:
            s.close()
    return taken


def up(run, defaults, *extra):
    """Boots the gateway on the default ports, or on free ones."""
    if defaults:
        p = run.vgw('up', '--name', GW, '--detach', *extra)
        run.check(p.returncode == 0, 'vgw up without port options reaches ready (%.1f s)'
                  % p.elapsed, p.stdout + p.stderr + run.console_tail(GW))
        return p
    return run.up(GW, *extra)


def send_marker(run, marker):
    """Sends a UDP datagram carrying MARKER to the gateway's SIP port, one
    the firmware logs on its console with the marker in it: a REGISTER for
    sip:MARKER@claims.test asking for too brief an interval, which the
    registrar refuses (423) and logs with the address of record."""
    port = ((run.status(GW) or {}).get('ports') or {}).get('sip_udp')
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(('127.0.0.1', 0))
    local = u.getsockname()[1]
    u.sendto(('REGISTER sip:claims.test SIP/2.0\r\n'
              'Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s;rport\r\n'
              'Max-Forwards: 70\r\n'
              'From: <sip:%s@claims.test>;tag=claims\r\n'
              'To: <sip:%s@claims.test>\r\n'
              'Call-ID: %s@claims.test\r\n'
              'CSeq: 1 REGISTER\r\n'
              'Contact: <sip:%s@127.0.0.1:%d>\r\n'
              'Expires: 1\r\n'
              'Content-Length: 0\r\n\r\n'
              % (local, marker, marker, marker, marker, marker, local)).encode(),
             ('127.0.0.1', port))
    u.close()


def console_log(run):
    try:
        with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def wait_console(run, text, seconds=120):
    """Waits until TEXT is in this boot's console log (a generous bound)."""
    end = time.monotonic() + seconds
    while text not in console_log(run) and time.monotonic() < end:
        time.sleep(0.5)
    return text in console_log(run)


def frames(path, display_filter):
    """(tshark exit status, interface names of the frames matching the
    filter, stderr)."""
    p = subprocess.run(['tshark', '-r', path, '-Y', display_filter, '-T', 'fields',
                        '-e', 'frame.interface_name'], capture_output=True, text=True)
    return p.returncode, p.stdout.split(), p.stderr


def interfaces(run):
    st = run.status(GW) or {}
    return {i.get('name'): i.get('ipv4') for i in st.get('interfaces') or []}, st


DHCP = 'udp.port == 67'


def check_default_ports(run):
    st = run.status(GW) or {}
    want = {'sip_udp': SIP_PORT, 'sip_tcp': SIP_PORT, 'sips': SIPS_PORT}
    got = {k: (st.get('ports') or {}).get(k) for k in want}
    run.check(got == want, 'status reports the default ports %s' % want, st)
    proto, _, _, _, out = tlspeers.gateway_handshake(SIPS_PORT, '-tls1_3')
    run.check(proto == 'TLSv1.3',
              'a TLS 1.3 handshake on 127.0.0.1:%d completes with the gateway' % SIPS_PORT, out)


def check_boot_capture(run, path):
    p = run.vgw('capture', 'stop', '--name', GW)
    run.check(p.returncode == 0, 'vgw capture stop (capture from vgw up)', p.stdout + p.stderr)
    rc, names, err = frames(path, DHCP)
    run.check(rc == 0 and 'lan' in names and 'wan' in names,
              'vgw up --capture records both NICs: DHCP on lan and on wan (%d lan, %d wan)'
              % (names.count('lan'), names.count('wan')), err + ' '.join(names))


def check_wan_capture(run, work):
    path = os.path.join(work, 'wan.pcapng')
    p = run.vgw('capture', 'start', '--name', GW, '--port', 'wan', '--out', path)
    run.check(p.returncode == 0, 'vgw capture start --port wan', p.stdout + p.stderr)
    marker = 'lan-only-%d' % os.getpid()
    send_marker(run, marker)
    run.check(wait_console(run, marker), 'the LAN packet reached the firmware', run.console_tail(GW))
    # A reset makes the guest ask for its WAN address again.
    p = run.vgw('reset', '--name', GW, timeout=600)
    run.check(p.returncode == 0, 'vgw reset during the WAN capture', p.stdout + p.stderr)
    p = run.vgw('capture', 'stop', '--name', GW)
    run.check(p.returncode == 0, 'vgw capture stop (--port wan)', p.stdout + p.stderr)
    rc, names, err = frames(path, 'frame')
    run.check(rc == 0 and names and set(names) == {'wan'},
              '--port wan: every frame is on wan (%d frames)' % len(names), err + str(set(names)))
    rc, dhcp, err = frames(path, DHCP)
    run.check(rc == 0 and len(dhcp) > 0, '--port wan: the WAN DHCP exchange after the reset is in it',
              err)
    rc, lan, err = frames(path, 'frame contains "%s"' % marker)
    run.check(rc == 0 and not lan, '--port wan: the packet sent to the LAN is not in it', err)


def check_console(run):
    """`vgw console` on a pseudo-terminal: raw mode, output, Ctrl-]."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([vgwtest.VGW, 'console', '--name', GW], env=run.env,
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    seen = b''

    def read_until(text, seconds=120):
        nonlocal seen
        end = time.monotonic() + seconds
        while text.encode() not in seen and time.monotonic() < end:
            r, _, _ = select.select([master], [], [], 0.5)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the other side closed
                    break
                if not chunk:
                    break
                seen += chunk
        return text.encode() in seen

    run.check(read_until('Ctrl-] to detach'), 'vgw console attaches on a terminal',
              seen.decode(errors='replace'))
    marker = 'console-%d' % os.getpid()
    send_marker(run, marker)
    run.check(read_until(marker), 'vgw console shows the line the gateway logs on its console',
              seen.decode(errors='replace')[-2000:])
    os.write(master, b'\x1d')
    try:
        rc = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    run.check(rc == 0, 'Ctrl-] detaches, exit 0 (exit %s)' % rc, seen.decode(errors='replace')[-500:])
    os.close(master)


def check_static_addressing(run):
    failed = []
    for name, value in STATIC_PARAMS:
        p = run.vgw('param', 'set', '--name', GW, name, value, timeout=60)
        if p.returncode != 0:
            failed.append('%s = %s: %s' % (name, value, p.stderr.strip()))
    run.check(not failed, 'vgw param set of the static LAN/WAN addressing', '\n'.join(failed))
    p = run.vgw('reset', '--name', GW, '--save', timeout=600)
    run.check(p.returncode == 0, 'vgw reset --save with static addressing reaches ready',
              p.stdout + p.stderr + run.console_tail(GW))
    got, st = interfaces(run)
    run.check(got == STATIC, 'after the reset the guest has the static addresses %s' % STATIC, st)
    run.check((st.get('config') or {}).get('source') == 'flash',
              'the addressing came from the flash', st.get('config'))
    marker = 'static-%d' % os.getpid()
    send_marker(run, marker)
    run.check(wait_console(run, marker), 'the LAN with its static address carries traffic',
              run.console_tail(GW))


def check_factory_reset(run):
    p = run.vgw('factory-reset', '--name', GW, timeout=60)
    run.check(p.returncode == 0, 'vgw factory-reset', p.stdout + p.stderr)
    p = run.vgw('reset', '--name', GW, timeout=600)
    run.check(p.returncode == 0, 'vgw reset after factory-reset reaches ready',
              p.stdout + p.stderr + run.console_tail(GW))
    st = run.status(GW) or {}
    run.check((st.get('config') or {}).get('source') == 'factory',
              'the next boot runs factory defaults', st.get('config'))
    p = run.vgw('param', 'get', '--json', '--name', GW, 'LANIPMode', timeout=60)
    try:
        mode = json.loads(p.stdout).get('value')
    except ValueError:
        mode = None
    run.check(mode == '1', 'LANIPMode is back to 1 (DHCP)', p.stdout + p.stderr)
    got, st = interfaces(run)
    run.check(got.get('wan') not in (None, STATIC['wan']) and got.get('lan') != STATIC['lan'],
              'the guest has DHCP addresses again (%s)' % got, st)


def check_offline_keygen(run, defaults):
    p = run.vgw('down', '--name', GW, timeout=120)
    run.check(p.returncode == 0, 'vgw down', p.stdout + p.stderr)
    p = run.vgw('keystore', 'gen', '--name', GW, '--slot', '0', '--type', 'ec-p256', timeout=300)
    run.check(p.returncode == 0 and 'offline' in p.stdout,
              'vgw keystore gen on the stopped gateway works offline', p.stdout + p.stderr)
    p = run.vgw('keystore', 'pub', '--name', GW, '--slot', '0', timeout=300)
    offline_pub = tlspeers.pem_to_der(p.stdout)
    run.check(p.returncode == 0 and offline_pub, 'vgw keystore pub offline prints the new key',
              p.stdout + p.stderr)
    up(run, defaults)
    port = SIPS_PORT if defaults else ((run.status(GW) or {}).get('ports') or {}).get('sips')
    proto, _, sig, cert, out = tlspeers.gateway_handshake(port, '-tls1_3')
    served = tlspeers.spki_der_of_cert(cert) if cert else b''
    run.check(proto == 'TLSv1.3' and served == offline_pub,
              'after vgw up the gateway serves a certificate for the key made offline (%s)' % sig,
              out[-2000:])


def test(run):
    work = tempfile.mkdtemp(prefix='vgw-claims-', dir=run.state_root)
    taken = taken_default_ports()
    defaults = not taken
    run.check(defaults, 'the default ports are free on 127.0.0.1 for this test',
              'held by another process: %s; the other claims run on free ports' % ', '.join(taken))
    boot_cap = os.path.join(work, 'boot.pcapng')
    if up(run, defaults, '--capture', boot_cap).returncode != 0:
        return
    if defaults:
        check_default_ports(run)
    check_boot_capture(run, boot_cap)
    check_wan_capture(run, work)
    check_console(run)
    check_static_addressing(run)
    check_factory_reset(run)
    check_offline_keygen(run, defaults)


if __name__ == '__main__':
    vgwtest.main(test)
