#!/usr/bin/env python3
"""Boot to ready on factory defaults, status, down, and a second boot."""
import socket

import vgwtest


def test(run):
    p = run.up('boot')
    run.check('127.0.0.1:' in p.stdout, 'vgw up prints the 127.0.0.1 endpoints', p.stdout)

    st = run.status('boot')
    if st is None:
        return
    run.note('status: %s' % st)
    run.check(st.get('state') == 'running', 'status says running', st)
    run.check(st.get('reset_cause') == 'power-on', 'first boot reports reset cause power-on', st)
    run.check(st.get('reset_count') == 0, 'first boot reports reset count 0', st)
    run.check(bool(st.get('firmware')), 'status reports a firmware version', st)
    run.check(str(st.get('serial', '')).startswith('VGW'), 'status reports the board serial number', st)
    lan = [i for i in st.get('interfaces', []) if i.get('name') == 'lan']
    run.check(bool(lan) and str(lan[0].get('ipv4') or '').startswith('10.0.2.'),
              'LAN got a DHCP address on the slirp network', st)

    # The SIP TCP port is forwarded from 127.0.0.1 to a listener in the
    # guest.  slirp accepts on the host side first and closes that
    # connection when the guest refuses it, so a connection that stays
    # open proves a listener in the gateway accepted it.
    port = st.get('ports', {}).get('sip_tcp')
    stays_open = False
    if port:
        s = socket.create_connection(('127.0.0.1', port), timeout=10)
        s.settimeout(3)
        try:
            s.recv(1)
        except socket.timeout:
            stays_open = True
        except ConnectionResetError:
            pass
        s.close()
    run.check(stays_open, 'the SIP TCP port on 127.0.0.1 reaches a listener in the gateway', st)

    d = run.vgw('down', '--name', 'boot', timeout=120)
    run.check(d.returncode == 0, 'vgw down succeeds', d.stdout + d.stderr)
    st = run.status('boot')
    run.check(st is not None and st.get('state') == 'stopped', 'status says stopped after down', st)
    d = run.vgw('down', '--name', 'boot', timeout=60)
    run.check(d.returncode == 1 and 'not running' in d.stderr,
              'vgw down of a stopped gateway fails with one clear line', d.stderr)

    run.up('boot')
    st = run.status('boot')
    run.check(st is not None and st.get('reset_cause') == 'power-on',
              'a new start after down is a power-on again', st)


vgwtest.main(test)
