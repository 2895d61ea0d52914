#!/usr/bin/env python3
"""Labs (issue 12): `vgw lab up|down|status|link|capture` with a lab file
(host-tools/README.md "Labs").

 - Bad lab files (an unknown key, a link end naming no gateway, a port in
   two links) fail with exit 2 and "vgw: FILE:LINE: ..." and start
   nothing.
 - tests/labs/pair.ini, two gateways whose WAN ports are linked: `vgw lab
   up` boots both (a listens, b connects) and `vgw lab status --json`
   shows them running and the link up and connected. `vgw sip options`
   from a to b's WAN address, and from b to a, is answered 200 across the
   link, and `vgw lab capture` of the link holds the OPTIONS and its 200.
 - `vgw lab link pair.ini wan down`: status shows the link down; an
   OPTIONS from a to b times out, b's status counts no datagram more and
   the capture no frame more. `... wan up`: status shows it up and the
   next OPTIONS is answered.
 - `vgw lab down` leaves no QEMU and no state directory, and a second
   one is fine too.
 - A lab with a Kamailio peer: `vgw lab up` starts it on 127.0.0.1, the
   gateway's OPTIONS to it (10.0.2.2) is answered and logged by it, and
   `vgw lab down` stops it.
 - A lab whose second peer cannot start: `vgw lab up` fails and says why,
   and stops the gateway and the first peer it had started."""
import json
import os
import subprocess

import tlspeers
import vgwtest

HERE = os.path.dirname(os.path.abspath(__file__))
LABS = os.path.join(os.path.dirname(HERE), 'labs')
PAIR = os.path.join(LABS, 'pair.ini')
WAN = {'a': '192.168.77.1', 'b': '192.168.77.2'}


def write(run, name, text):
    path = os.path.join(run.state_root, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def lab(run, *args, timeout=900):
    return run.vgw('lab', *args, timeout=timeout)


def lab_status(run, path):
    p = lab(run, 'status', '--json', path, timeout=120)
    try:
        return json.loads(p.stdout)
    except ValueError:
        run.check(False, 'vgw lab status --json %s prints JSON' % path, p.stdout + p.stderr)
        return {}


def options(run, gw, uri):
    p = run.vgw('sip', 'options', '--name', gw, '--json', uri, timeout=600)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {'rc': p.returncode, 'out': p.stdout + p.stderr}


def answered(o):
    return o.get('answered') is True and o.get('status') == 200


def udp_received(run, gw):
    return (((run.status(gw) or {}).get('sip') or {}).get('udp') or {}).get('received')


def frames(capture):
    """The frames in the capture (it is valid while it grows)."""
    t = subprocess.run(['tshark', '-r', capture, '-T', 'fields', '-e', 'frame.number'],
                       capture_output=True, text=True, timeout=300)
    return len(t.stdout.split())


def qemus(run):
    """The QEMU processes started for this run's state directory."""
    found = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                cmd = f.read().decode(errors='replace')
        except OSError:
            continue
        if 'qemu-system' in cmd and run.state_root in cmd:
            found.append(pid)
    return found


def bad_files(run):
    cases = [
        ('an unknown key', '[gateway a]\nconfg = a.ini\n',
         ':2: [gateway a]: unknown key \'confg\''),
        ('a link end that names no gateway',
         '[gateway a]\n[gateway b]\n[link l]\na = a.wan\nb = c.wan\n',
         ':5: [link l]: b = c.wan names no gateway of the lab'),
        ('a port in two links',
         '[gateway a]\n[gateway b]\n[gateway c]\n[link l]\na = a.wan\nb = b.wan\n'
         '[link m]\na = c.wan\nb = b.wan\n',
         ':9: [link m]: b.wan is already an end of link \'l\''),
    ]
    for i, (what, text, error) in enumerate(cases):
        path = write(run, 'bad%d.ini' % i, text)
        p = lab(run, 'up', path)
        run.check(p.returncode == 2 and p.stderr.startswith('vgw: ' + path + error),
                  'vgw lab up with %s: exit 2, "vgw: FILE%s..."' % (what, error),
                  'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))
    dirs = [d for d in os.listdir(run.state_root)
            if os.path.isdir(os.path.join(run.state_root, d))]
    run.check(dirs == [] and qemus(run) == [], 'and the bad lab files started nothing', dirs)


def pair(run):
    run.started.update({'pair-a', 'pair-b'})
    p = lab(run, 'up', PAIR)
    if not run.check(p.returncode == 0, 'vgw lab up %s' % PAIR, p.stdout + p.stderr):
        return
    s = lab_status(run, PAIR)
    gws = {g.get('name'): g.get('state') for g in s.get('gateways', [])}
    link = (s.get('links') or [{}])[0]
    run.check(gws == {'a': 'running', 'b': 'running'} and link.get('name') == 'wan' and
              link.get('state') == 'up' and link.get('connected') is True and
              link.get('port', 0) > 0,
              'vgw lab status: gateways a and b running, link wan up and connected', s)

    capture = os.path.join(run.state_root, 'wan.pcapng')
    p = lab(run, 'capture', 'start', PAIR, 'wan', '--out', capture, timeout=120)
    run.check(p.returncode == 0, 'vgw lab capture start pair.ini wan', p.stdout + p.stderr)
    o = options(run, 'pair-a', 'sip:%s:5060' % WAN['b'])
    run.check(answered(o), 'OPTIONS from a to b\'s WAN address across the link: 200', o)
    o = options(run, 'pair-b', 'sip:%s:5060' % WAN['a'])
    run.check(answered(o), 'OPTIONS from b to a\'s WAN address across the link: 200', o)

    p = lab(run, 'link', PAIR, 'wan', 'down', timeout=120)
    run.check(p.returncode == 0, 'vgw lab link pair.ini wan down', p.stdout + p.stderr)
    link = (lab_status(run, PAIR).get('links') or [{}])[0]
    run.check(link.get('state') == 'down', 'vgw lab status shows link wan down', link)
    before_rx, before_frames = udp_received(run, 'pair-b'), frames(capture)
    o = options(run, 'pair-a', 'sip:%s:5060' % WAN['b'])
    run.check(o.get('answered') is False and o.get('failure') == 'timeout',
              'link down: the OPTIONS from a to b times out', o)
    after_rx, after_frames = udp_received(run, 'pair-b'), frames(capture)
    run.check(before_rx is not None and after_rx == before_rx,
              'link down: b\'s status counts no datagram more', (before_rx, after_rx))
    run.check(before_frames > 0 and after_frames == before_frames,
              'link down: the link\'s capture holds no frame more',
              (before_frames, after_frames))

    p = lab(run, 'link', PAIR, 'wan', 'up', timeout=120)
    run.check(p.returncode == 0, 'vgw lab link pair.ini wan up', p.stdout + p.stderr)
    link = (lab_status(run, PAIR).get('links') or [{}])[0]
    run.check(link.get('state') == 'up' and link.get('connected') is True,
              'vgw lab status shows link wan up and connected', link)
    o = options(run, 'pair-a', 'sip:%s:5060' % WAN['b'])
    run.check(answered(o), 'link up again: the OPTIONS from a to b is answered 200', o)

    p = lab(run, 'capture', 'stop', PAIR, 'wan', timeout=120)
    run.check(p.returncode == 0, 'vgw lab capture stop pair.ini wan', p.stdout + p.stderr)
    t = subprocess.run(['tshark', '-r', capture, '-Y', 'sip', '-T', 'fields', '-e', 'ip.src',
                        '-e', 'ip.dst', '-e', 'sip.Method', '-e', 'sip.Status-Code'],
                       capture_output=True, text=True, timeout=300)
    seen = {tuple(l.split('\t')) for l in t.stdout.splitlines()}
    want = {(WAN['a'], WAN['b'], 'OPTIONS', ''), (WAN['b'], WAN['a'], '', '200'),
            (WAN['b'], WAN['a'], 'OPTIONS', ''), (WAN['a'], WAN['b'], '', '200')}
    run.check(want <= seen, 'the link\'s capture holds the OPTIONS each way and their 200s',
              t.stderr + repr(seen))

    down(run, PAIR, ['pair-a', 'pair-b'])


def down(run, path, gateways):
    """`vgw lab down PATH`: nothing of the lab left; a second one is fine."""
    p = lab(run, 'down', path, timeout=300)
    run.check(p.returncode == 0, 'vgw lab down %s' % os.path.basename(path),
              p.stdout + p.stderr)
    left = [g for g in gateways + ['.labs'] if os.path.exists(os.path.join(run.state_root, g))]
    run.check(qemus(run) == [] and left == [],
              'vgw lab down leaves no QEMU and no state directory', (qemus(run), left))
    p = lab(run, 'down', path, timeout=300)
    run.check(p.returncode == 0, 'a second vgw lab down is fine too', p.stdout + p.stderr)


def kamailio_alive(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return b'kamailio' in f.read()
    except OSError:
        return False


def with_peer(run):
    port = tlspeers.free_port()
    path = write(run, 'proxied.ini', '[gateway gw]\n[peer proxy]\nkind = kamailio\n'
                 'config = %s\nport = %d\n' % (os.path.join(LABS, 'proxy.cfg'), port))
    run.started.add('proxied-gw')
    p = lab(run, 'up', path)
    if not run.check(p.returncode == 0, 'vgw lab up: a gateway and a Kamailio peer',
                     p.stdout + p.stderr):
        lab(run, 'down', path, timeout=300)
        return
    peer = (lab_status(run, path).get('peers') or [{}])[0]
    run.check(peer.get('state') == 'running' and peer.get('port') == port,
              'vgw lab status: peer proxy running on port %d' % port, peer)
    o = options(run, 'proxied-gw', 'sip:10.0.2.2:%d' % port)
    run.check(answered(o), 'the gateway\'s OPTIONS to the lab\'s Kamailio is answered 200', o)
    try:
        with open(peer.get('log', ''), errors='replace') as f:
            log = f.read()
    except OSError:
        log = ''
    run.check('LAB OPTIONS ' in log, 'and Kamailio logged it', log[-2000:])
    down(run, path, ['proxied-gw'])
    run.check(isinstance(peer.get('pid'), int) and not kamailio_alive(peer['pid']),
              'vgw lab down stopped Kamailio', peer)


def failed_up(run):
    bad_cfg = write(run, 'broken.cfg', '#!KAMAILIO\nthis is not a configuration\n')
    path = write(run, 'broken.ini', '[gateway gw]\n'
                 '[peer good]\nkind = kamailio\nconfig = %s\nport = %d\n'
                 '[peer bad]\nkind = kamailio\nconfig = %s\nport = %d\n'
                 % (os.path.join(LABS, 'proxy.cfg'), tlspeers.free_port(), bad_cfg,
                    tlspeers.free_port()))
    run.started.add('broken-gw')
    p = lab(run, 'up', path)
    run.check(p.returncode == 1 and
              p.stderr.startswith('vgw: lab \'broken\': peer \'bad\': kamailio exited on '
                                 '127.0.0.1:') and
              'parse error in config file' in p.stderr and
              'failed; stopping what it started' in p.stdout and
              'peer \'good\' stopped' in p.stdout and
              'gateway \'broken-gw\' stopped' in p.stdout,
              'vgw lab up with a peer that cannot start fails, says why, and stops the '
              'gateway and the peer it started', 'rc=%d\n%s%s' % (p.returncode, p.stdout,
                                                                 p.stderr))
    s = lab_status(run, path)
    states = [g.get('state') for g in s.get('gateways', []) + s.get('peers', [])]
    run.check(states == ['stopped'] * 3 and qemus(run) == [],
              'after the failed up nothing of the lab runs', s)
    p = lab(run, 'down', path, timeout=300)
    run.check(p.returncode == 0, 'vgw lab down after a failed up', p.stdout + p.stderr)


def test(run):
    try:
        bad_files(run)
        pair(run)
        with_peer(run)
        failed_up(run)
    finally:
        for path in (PAIR, os.path.join(run.state_root, 'proxied.ini'),
                     os.path.join(run.state_root, 'broken.ini')):
            if os.path.exists(path):
                lab(run, 'down', path, timeout=300)


if __name__ == '__main__':
    vgwtest.main(test)
