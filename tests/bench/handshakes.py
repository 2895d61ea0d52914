#!/usr/bin/env python3
"""Benchmark of `vgw handshakes` and of capture overhead (on demand, not in CI).

  VGW=build/host/host-tools/vgw [REPEAT=5] python3 tests/bench/handshakes.py [SECONDS]

1. Handshake throughput of `openssl s_time -new` (a full TLS 1.3 handshake
   and a small HTTP exchange per connection) against `openssl s_server
   -www` on 127.0.0.1, for SECONDS (default 20) without capture and then
   for as long as it takes to reach 10,000 handshakes while dumpcap
   captures lo: the overhead of capturing on throughput.
2. `vgw handshakes --json`, `vgw handshakes` (text) and `tshark -r F -Y
   tls.handshake` on that capture, each run REPEAT times (default 5),
   interleaved so a busy machine slows them alike; the medians and their
   ratios are printed (target: >= 10).  The JSON is checked to parse and
   to list every handshake it counts.
3. With a booted gateway (VGW_QEMU/VGW_IMAGES set): TCP connections per
   second to its sips port through the virtual NIC, without and with
   `vgw capture` (the relay's cost on the NIC path).
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'system'))
import tlspeers  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The tree's own build, like the other benches; $VGW overrides.
VGW = os.environ.get('VGW', os.path.join(TOP, 'build', 'host', 'host-tools', 'vgw'))
TARGET = 10000
REPEAT = int(os.environ.get('REPEAT', '5'))


def s_time(port, seconds):
    out = subprocess.run(['openssl', 's_time', '-connect', '127.0.0.1:%d' % port, '-new',
                          '-time', str(seconds)], capture_output=True, text=True).stdout
    m = re.search(r'(\d+) connections in (\d+) real seconds', out)
    return (int(m.group(1)), float(m.group(2))) if m else (0, float(seconds))


def timed(args):
    t0 = time.monotonic()
    p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.monotonic() - t0, p.returncode, p.stderr[-300:]


def compare_runs(capture):
    """Wall times of vgw (JSON and text) and tshark, REPEAT rounds each,
    interleaved; exits are checked on every run."""
    commands = {'json': [VGW, 'handshakes', '--json', capture],
                'text': [VGW, 'handshakes', capture],
                'tshark': ['tshark', '-r', capture, '-Y', 'tls.handshake']}
    times = {name: [] for name in commands}
    for _ in range(REPEAT):
        for name, args in commands.items():
            t, rc, err = timed(args)
            if rc != 0:
                sys.exit('%s exited %d: %s' % (' '.join(args), rc, err))
            times[name].append(t)
    return times


def connect_rate(port, seconds):
    import socket
    n, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(('127.0.0.1', port), 2).close()
        except OSError:
            pass
        n += 1
    return n / seconds


def gateway_overhead(work, seconds):
    env = dict(os.environ, VGW_STATE_DIR=os.path.join(work, 'state'))
    run = lambda *a: subprocess.run([VGW] + list(a), env=env, capture_output=True, text=True)
    p = run('up', '--name', 'bench', '--detach', '--sip-port', '0', '--sip-tls-port', '0')
    if p.returncode != 0:
        print('gateway: could not boot (%s); skipped' % p.stderr.strip())
        return None
    try:
        sips = json.loads(run('status', '--name', 'bench', '--json').stdout)['ports']['sips']
        base = connect_rate(sips, seconds)
        run('capture', 'start', '--name', 'bench', '--out', os.path.join(work, 'gw.pcapng'))
        cap = connect_rate(sips, seconds)
        run('capture', 'stop', '--name', 'bench')
        return base, cap
    finally:
        run('down', '--name', 'bench')


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    work = tempfile.mkdtemp(prefix='vgw-bench-hs-')
    pki = tlspeers.Pki(work)
    port = tlspeers.free_port()
    server = subprocess.Popen(['openssl', 's_server', '-accept', '127.0.0.1:%d' % port, '-www',
                               '-cert', pki.p('server.pem'), '-key', pki.p('server.key')],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tlspeers.wait_listening(port)
    try:
        n0, t0 = s_time(port, seconds)
        base_rate = n0 / t0
        capture = os.path.join(work, 'handshakes.pcapng')
        dump = tlspeers.Dumpcap(capture, [port])
        total, spent = 0, 0.0
        while total < TARGET:
            n, t = s_time(port, max(5, int((TARGET - total) / max(base_rate, 1) * 1.3) + 1))
            total += n
            spent += t
        dump.stop()
    finally:
        server.terminate()
        server.wait()
    cap_rate = total / spent
    size = os.path.getsize(capture)
    print('handshake throughput, no capture:   %.0f/s (%d in %.1f s)' % (base_rate, n0, t0))
    print('handshake throughput, dumpcap on lo: %.0f/s (%d in %.1f s): overhead %.1f%%'
          % (cap_rate, total, spent, 100 * (1 - cap_rate / base_rate)))
    print('capture: %s, %.1f MB' % (capture, size / 1e6))

    out = subprocess.run([VGW, 'handshakes', '--json', capture], capture_output=True, text=True)
    rep = json.loads(out.stdout)
    if len(rep['handshakes']) != rep['handshakes_total']:
        sys.exit('vgw handshakes --json: %d handshakes listed, %d counted'
                 % (len(rep['handshakes']), rep['handshakes_total']))
    print('vgw handshakes: %d handshakes (%d completed; s_time made %d)'
          % (rep['handshakes_total'],
             sum(h['outcome']['result'] == 'completed' for h in rep['handshakes']), total))
    times = compare_runs(capture)
    med = {name: statistics.median(t) for name, t in times.items()}
    for name, label in [('json', 'vgw handshakes --json'), ('text', 'vgw handshakes (text)'),
                        ('tshark', 'tshark -Y tls.handshake')]:
        print('%-24s median %.3f s of %d runs (%s)'
              % (label, med[name], REPEAT, ' '.join('%.3f' % t for t in times[name])))
    print('ratio tshark / vgw handshakes (medians): %.1fx text, %.1fx --json (target >= 10x)'
          % (med['tshark'] / med['text'], med['tshark'] / med['json']))

    if os.environ.get('VGW_QEMU') and os.environ.get('VGW_IMAGES'):
        gw = gateway_overhead(work, 10)
        if gw:
            print('gateway sips port, TCP connections/s through the NIC: %.0f without capture, '
                  '%.0f with vgw capture: overhead %.1f%% (connections refused by the guest: '
                  'no TLS listener yet; noisy)' % (gw[0], gw[1], 100 * (1 - gw[1] / gw[0])))


if __name__ == '__main__':
    main()
