#!/usr/bin/env python3
"""SIP Interfaces drive the gateway's listeners (issue 10).

An ini whose ports collide (two interfaces on LAN with TCP 5060, or TLS
on another interface's TCP port) is refused by `vgw ini check` and by
`vgw up --config`, with a message naming both rows and the port, and
nothing is started; a running gateway refuses it in `vgw ini load` and
keeps its listeners. A gateway booted with two interfaces on LAN (the
factory ports 5060/5060/5061 and 5070/5070/5071) and one on WAN (UDP
5060) opens each interface's listeners once its port has its DHCP
address, and lists them in `vgw status --json` (interface, network port,
address, transport, port);
`vgw up` forwards the second interface's ports too ("forwards"), and
each interface answers OPTIONS over UDP, TCP and TLS. Then the second
row is deleted live (a full `vgw ini load` without it): its TCP and TLS
connections are closed by the gateway, a new connection to its ports is
refused, a datagram to its UDP port is never received (the status counts
only the OPTIONS sent to the first interface after it), the console says
so, and the first interface goes on answering on every transport.
Last, a Proxy Set with a TCP proxy on the host (the test's own socket) is
loaded: its OPTIONS keep-alives name lan-main's TCP port in their Via, and
once that port is moved live to 5080, 5080."""
import os
import re
import socket
import ssl
import tempfile

import vgwtest
from test_sip_options import check_options_ok, recv_response, request
from test_sip_tls import closed_by_gateway, tls_client

GW = 'sipifs'
HEAD = ('[ SIPInterface ]\n'
        'FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort;\n')
TAIL = '[ \\SIPInterface ]\n'
MAIN = 'SIPInterface 0 = "lan-main", "LAN", 5060, 5060, 5061;\n'
EXTRA = 'SIPInterface 1 = "lan-extra", "LAN", 5070, 5070, 5071;\n'
# On WAN, the same port numbers as lan-main do not collide.
WAN = 'SIPInterface 2 = "wan-side", "WAN", 5060, 0, 0;\n'
CONFLICTS = [
    ('SIPInterface 1 = "lan-extra", "LAN", 5070, 5060, 5071;\n',
     'SIPInterface 1: TCPPort: port 5060/tcp on LAN is already used by SIPInterface 0 '
     '(TCPPort)'),
    ('SIPInterface 1 = "lan-extra", "LAN", 5070, 5070, 5060;\n',
     'SIPInterface 1: TLSPort: port 5060/tcp on LAN is already used by SIPInterface 0 '
     '(TCPPort)'),
]


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def refused_configs(run, tmp):
    for n, (row, message) in enumerate(CONFLICTS):
        path = write(tmp, 'conflict%d.ini' % n, HEAD + MAIN + row + TAIL)
        p = run.vgw('ini', 'check', path)
        run.check(p.returncode != 0 and message in p.stderr,
                  'vgw ini check refuses a port conflict: "%s"' % message,
                  'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))
        p = run.vgw('up', '--name', 'conflict', '--detach', '--sip-port', '0',
                    '--sip-tls-port', '0', '--config', path)
        run.check(p.returncode != 0 and message in p.stderr and 'nothing started' in p.stderr,
                  'vgw up --config refuses it before booting', 'rc=%d\n%s' % (p.returncode, p.stderr))
    st = run.vgw('status', '--name', 'conflict', '--json')
    run.check('"running"' not in st.stdout, 'no gateway was started for a refused config',
              st.stdout)


def udp_options(port, branch, timeout=120):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(request('OPTIONS', 'UDP', branch, '%s@test' % branch), ('127.0.0.1', port))
        return s.recvfrom(65536)[0]
    finally:
        s.close()


def tcp_options(s, branch):
    s.sendall(request('OPTIONS', 'TCP', branch, '%s@test' % branch))
    return recv_response(s)


def tls_options(s, branch):
    s.sendall(request('OPTIONS', 'TLS', branch, '%s@test' % branch, scheme='sips'))
    return recv_response(s)


def answers_everywhere(run, name, udp, tcp, tls, tag):
    """OPTIONS over UDP, TCP and TLS to one interface's host ports."""
    check_options_ok(run, '%s: OPTIONS over UDP' % name, udp_options(udp, tag + 'u'),
                     'UDP', tag + 'u', tag + 'u@test')
    s = socket.create_connection(('127.0.0.1', tcp), timeout=120)
    try:
        check_options_ok(run, '%s: OPTIONS over TCP' % name, tcp_options(s, tag + 't'),
                         'TCP', tag + 't', tag + 't@test')
    finally:
        s.close()
    s = tls_client(tls, ssl.TLSVersion.TLSv1_3)
    try:
        check_options_ok(run, '%s: OPTIONS over TLS' % name, tls_options(s, tag + 's'),
                         'TLS', tag + 's', tag + 's@test', scheme='sips')
    finally:
        s.close()


def listeners(st):
    return sorted((l.get('interface'), l.get('network'), l.get('address'), l.get('transport'),
                   l.get('port')) for l in (st or {}).get('listeners', []))


def expected_listeners(rows):
    out = []
    for name, base in rows:
        out += [(name, 'LAN', '10.0.2.15', 'udp', base), (name, 'LAN', '10.0.2.15', 'tcp', base),
                (name, 'LAN', '10.0.2.15', 'tls', base + 1)]
    return sorted(out)


def test(run):
    tmp = tempfile.mkdtemp(prefix='sipifs-')
    refused_configs(run, tmp)

    both = write(tmp, 'both.ini', HEAD + MAIN + EXTRA + WAN + TAIL)
    if run.up(GW, '--config', both).returncode != 0:
        return
    st = run.status(GW) or {}
    ports = st.get('ports', {})
    fwd = {(f.get('proto'), f.get('guest')): f.get('host') for f in st.get('forwards', [])}
    run.check(sorted(fwd) == [('tcp', 5070), ('tcp', 5071), ('udp', 5070)] and all(fwd.values()),
              'vgw up forwards the second interface\'s UDP, TCP and TLS ports', st.get('forwards'))
    wan = [('wan-side', 'WAN', '10.0.3.15', 'udp', 5060)]
    run.check(listeners(st) == sorted(expected_listeners([('lan-main', 5060),
                                                          ('lan-extra', 5070)]) + wan),
              'status lists each interface\'s listeners: name, network port, its address, '
              'transport, port', st.get('listeners'))
    log = run.console_tail(GW, lines=400)
    for port, address, line in (('lan', '10.0.2.15', 'lan-main: listening on udp 10.0.2.15:5060'),
                                 ('wan', '10.0.3.15', 'wan-side: listening on udp 10.0.3.15:5060')):
        got = 'net: %s address %s/' % (port, address)
        run.check(got in log and line in log and log.index(got) < log.index(line),
                  'the listeners on %s open once DHCP gave it %s' % (port.upper(), address), log)
    if len(fwd) != 3:
        return
    # The running gateway refuses a conflicting load and keeps its listeners.
    row, message = CONFLICTS[0]
    p = run.vgw('ini', 'load', '--name', GW, write(tmp, 'live-conflict.ini', HEAD + MAIN + row + TAIL))
    run.check(p.returncode != 0 and message in p.stderr,
              'vgw ini load on the running gateway refuses the conflict too',
              'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))
    run.check(listeners(run.status(GW)) == listeners(st),
              'after the refused load the listeners are unchanged')
    main = (ports.get('sip_udp'), ports.get('sip_tcp'), ports.get('sips'))
    extra = (fwd[('udp', 5070)], fwd[('tcp', 5070)], fwd[('tcp', 5071)])
    answers_everywhere(run, 'lan-main', *main, tag='m1')
    answers_everywhere(run, 'lan-extra', *extra, tag='x1')

    # Connections held on the second interface across its deletion.
    held_tcp = socket.create_connection(('127.0.0.1', extra[1]), timeout=120)
    held_tls = tls_client(extra[2], ssl.TLSVersion.TLSv1_3)
    try:
        check_options_ok(run, 'lan-extra: a held TCP connection is served',
                         tcp_options(held_tcp, 'h1t'), 'TCP', 'h1t', 'h1t@test')
        check_options_ok(run, 'lan-extra: a held TLS connection is served',
                         tls_options(held_tls, 'h1s'), 'TLS', 'h1s', 'h1s@test', scheme='sips')
        st = run.status(GW) or {}
        extra_tcp = [l for l in st.get('listeners', [])
                     if l.get('interface') == 'lan-extra' and l.get('transport') != 'udp']
        run.check(sorted(l.get('connections') for l in extra_tcp) == [1, 1],
                  'status counts one TCP and one TLS connection on lan-extra', extra_tcp)

        only_main = write(tmp, 'main.ini', HEAD + MAIN + WAN + TAIL)
        p = run.vgw('ini', 'load', '--name', GW, only_main)
        run.check(p.returncode == 0, 'vgw ini load without lan-extra is accepted',
                  p.stdout + p.stderr)
        run.check(closed_by_gateway(held_tcp),
                  'the held TCP connection on lan-extra is closed by the gateway')
        run.check(closed_by_gateway(held_tls),
                  'the held TLS connection on lan-extra is closed by the gateway')
    finally:
        held_tcp.close()
        held_tls.close()

    st = run.status(GW) or {}
    run.check(listeners(st) == sorted(expected_listeners([('lan-main', 5060)]) + wan),
              'status lists only lan-main\'s and wan-side\'s listeners', st.get('listeners'))
    fresh = socket.create_connection(('127.0.0.1', extra[1]), timeout=120)
    try:
        run.check(closed_by_gateway(fresh),
                  'a new TCP connection to lan-extra\'s port is refused (slirp closes it)')
    finally:
        fresh.close()
    received = ((st.get('sip') or {}).get('udp') or {}).get('received')
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(request('OPTIONS', 'UDP', 'gone', 'gone@test'), ('127.0.0.1', extra[0]))
    s.close()
    # Sent after the datagram to the deleted port, through the same slirp.
    check_options_ok(run, 'lan-main after the deletion: OPTIONS over UDP',
                     udp_options(main[0], 'm2u'), 'UDP', 'm2u', 'm2u@test')
    st = run.status(GW) or {}
    after = ((st.get('sip') or {}).get('udp') or {}).get('received')
    run.check(received is not None and after == received + 1,
              'the datagram to lan-extra\'s UDP port never reached SIP (one more received, '
              'lan-main\'s)', (received, after))
    answers_everywhere(run, 'lan-main after the deletion', *main, tag='m3')

    log = run.console_tail(GW, lines=400)
    run.check('SIP Interface lan-extra: closing tcp 10.0.2.15:5070' in log and
              'SIP Interface lan-extra: closing tls 10.0.2.15:5071' in log and
              'its SIP Interface listener was closed' in log,
              'the console log says which listeners closed and why', log)

    keepalive_ports_follow(run, tmp)


PROXY_TABLES = ('[ ProxySet ]\n'
                'FORMAT Index = ProxyName, EnableProxyKeepAlive, ProxyKeepAliveTime;\n'
                'ProxySet 1 = "HOSTPROXY", 1, 5;\n'
                '[ \\ProxySet ]\n'
                '[ ProxyIp ]\n'
                'FORMAT Index = ProxySetId, ProxyIpIndex, IpAddress, TransportType;\n'
                'ProxyIp 0 = 1, 0, "10.0.2.2:%d", 1;\n'
                '[ \\ProxyIp ]\n')


class KeepAlives:
    """A TCP proxy on 127.0.0.1 (10.0.2.2 from the gateway) that answers
    each OPTIONS keep-alive 200 and keeps its top Via's sent-by port."""

    def __init__(self):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(('127.0.0.1', 0))
        self.server.listen(4)
        self.server.settimeout(300)
        self.port = self.server.getsockname()[1]
        self.conn = None
        self.buf = b''

    def next_via_port(self):
        """Answers the next keep-alive; returns its Via's TCP sent-by port
        (None: it had none)."""
        while True:
            if self.conn is None:
                self.conn, _ = self.server.accept()
                self.conn.settimeout(300)
            head, sep, rest = self.buf.partition(b'\r\n\r\n')
            if sep:
                length = re.search(rb'\r\n(?:Content-Length|l):\s*(\d+)', head, re.I)
                body_len = int(length.group(1)) if length else 0
                if len(rest) >= body_len:
                    self.buf = rest[body_len:]
                    return self.answer(head.decode(errors='replace'))
            chunk = self.conn.recv(65536)
            if not chunk:  # closed: the gateway connects again
                self.conn.close()
                self.conn, self.buf = None, b''
                continue
            self.buf += chunk

    def answer(self, head):
        lines = head.split('\r\n')
        copied = [l for l in lines[1:] if l.split(':', 1)[0].strip().lower() in
                  ('via', 'v', 'from', 'f', 'to', 't', 'call-id', 'i', 'cseq')]
        self.conn.sendall(('SIP/2.0 200 OK\r\n%s\r\nContent-Length: 0\r\n\r\n' %
                           '\r\n'.join(copied)).encode())
        via = next((l for l in copied if l.lower().startswith(('via:', 'v:'))), '')
        m = re.search(r'SIP/2\.0/TCP [^:;\s]+:(\d+)', via)
        return int(m.group(1)) if m else None

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.server.close()


def keepalive_ports_follow(run, tmp):
    """A Proxy Set's keep-alive names the TCP listener of the interface as
    it is when sent: lan-main's TCP port moved live from 5060 to 5080, the
    keep-alives after it say 5080 (device-fw/vgwd/listeners.h,
    vgw_listeners_port)."""
    proxy = KeepAlives()
    try:
        tables = PROXY_TABLES % proxy.port
        p = run.vgw('ini', 'load', '--name', GW,
                    write(tmp, 'proxy.ini', HEAD + MAIN + WAN + TAIL + tables))
        run.check(p.returncode == 0, 'vgw ini load adds a Proxy Set with a TCP proxy on the host',
                  p.stdout + p.stderr)
        first = proxy.next_via_port()
        run.check(first == 5060, 'its keep-alive\'s Via names lan-main\'s TCP port 5060', first)
        moved = 'SIPInterface 0 = "lan-main", "LAN", 5060, 5080, 5061;\n'
        p = run.vgw('ini', 'load', '--name', GW,
                    write(tmp, 'moved.ini', HEAD + moved + WAN + TAIL + tables))
        run.check(p.returncode == 0, 'vgw ini load moves lan-main\'s TCP listener to 5080',
                  p.stdout + p.stderr)
        # The first keep-alive read may have left before the load.
        after = [proxy.next_via_port(), proxy.next_via_port()]
        run.check(after[1] == 5080,
                  'a keep-alive sent after the live change names TCP port 5080 in its Via',
                  after)
    except OSError as e:
        run.check(False, 'the host proxy got the keep-alives', repr(e))
    finally:
        proxy.close()


if __name__ == '__main__':
    vgwtest.main(test)
