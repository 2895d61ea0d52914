#!/usr/bin/env python3
"""Syslog reaches a listener on the host: the gateway's SyslogServerIP is
slirp's host address on LAN, 10.0.2.2, which slirp forwards (UDP too) to
the host's 127.0.0.1 on the same port.  A UDP listener on 127.0.0.1 gets
the gateway's log lines, live and after a reset from the saved
configuration."""
import re
import socket
import time

import vgwtest

GW = 'syslog'
# A bound on an event (a datagram arriving), not a measured duration.
WAIT_S = 120


def receive_until(sock, needle):
    """Returns the first datagram containing NEEDLE, or None; every datagram
    seen is kept in the returned list's order for the failure detail."""
    seen = []
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            data, _ = sock.recvfrom(65535)
        except socket.timeout:
            break
        text = data.decode('utf-8', errors='replace')
        seen.append(text)
        if needle in text:
            return text, seen
    return None, seen


def test(run):
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(('127.0.0.1', 0))
    port = listener.getsockname()[1]
    run.up(GW)
    for name, value in (('SyslogServerIP', '10.0.2.2'), ('SyslogServerPort', str(port)),
                        ('SyslogFacility', '17'), ('EnableSyslog', '1')):
        p = run.vgw('param', 'set', '--name', GW, name, value, timeout=60)
        run.check(p.returncode == 0 and 'applied live' in p.stdout,
                  'param set %s %s applies live' % (name, value), p.stdout + p.stderr)

    line, seen = receive_until(listener, 'syslog: sending to 10.0.2.2:%d' % port)
    run.check(line is not None, 'the gateway\'s first syslog line reaches 127.0.0.1:%d' % port,
              '\n'.join(seen) + run.console_tail(GW))
    # local1 (17) * 8 + notice (5): the facility set above, the message's severity.
    run.check(line is not None and re.match(r'<141>vgwd: ', line) is not None,
              'the line carries facility local1 and the vgwd tag', line)

    p = run.vgw('param', 'set', '--name', GW, 'GwDebugLevel', '1', timeout=60)
    line, seen = receive_until(listener, 'config: GwDebugLevel set (live)')
    run.check(p.returncode == 0 and line is not None,
              'a later change is logged to the listener', '\n'.join(seen) + p.stderr)

    # From the flash at boot: save, reset, and the new boot's lines arrive.
    # Its "syslog: sending to" line is logged before LAN has an address and
    # is lost on the way (a firmware matter); the ready line comes after.
    p = run.vgw('reset', '--name', GW, '--save', timeout=600)
    run.check(p.returncode == 0, 'reset --save', p.stdout + p.stderr)
    line, seen = receive_until(listener, 'vgwd: ready after ')
    run.check(line is not None, 'after the reset the saved syslog setting sends the new boot\'s lines',
              '\n'.join(seen) + run.console_tail(GW))
    listener.close()


if __name__ == '__main__':
    vgwtest.main(test)
