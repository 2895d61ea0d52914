#!/usr/bin/env python3
"""TLS handshakes per second served by one gateway: with its device key in
the crypto engine, next to the same firmware serving a software key
(`debug tls-key software`), and with `vgw capture` recording the LAN port,
all measured in one run against one booted gateway.

    tests/bench/tls_handshakes.py [--seconds S] [--rounds N]

Needs a built tree (scripts/build.sh).  The client is `openssl s_time -new`
(a full handshake per connection, TLS 1.3 and TLS 1.2) on the host, through
the gateway's forwarded SIPS port.  Rounds alternate between the key
sources so machine noise hits both alike; the medians and their ratio are
printed.  On demand, not in CI: these machines are noisy.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VGW = os.path.join(TOP, 'build', 'host', 'host-tools', 'vgw')
GW = 'tlsbench'


def vgw(env, *args, check=True):
    p = subprocess.run([VGW] + list(args), env=env, capture_output=True, text=True, timeout=600)
    if check and p.returncode != 0:
        raise RuntimeError('vgw %s: %s' % (' '.join(args), p.stderr.strip()))
    return p


def tls_status(env):
    return json.loads(vgw(env, 'status', '--name', GW, '--json').stdout).get('tls') or {}


def use_key(env, source):
    vgw(env, 'maint', '--name', GW, 'debug', 'tls-key', source)
    deadline = time.monotonic() + 120
    while tls_status(env).get('key_source') != source:
        if time.monotonic() > deadline:
            raise RuntimeError('the gateway did not switch to the %s key' % source)
        time.sleep(0.5)


def handshakes_per_s(port, version, seconds):
    out = subprocess.run(['openssl', 's_time', '-connect', '127.0.0.1:%d' % port, '-new',
                          version, '-time', str(seconds)],
                         capture_output=True, text=True, timeout=seconds + 120).stdout
    m = re.search(r'(\d+) connections in (\d+) real seconds', out)
    if not m or int(m.group(2)) == 0:
        raise RuntimeError('openssl s_time printed no figure:\n' + out[-800:])
    return int(m.group(1)) / int(m.group(2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=int, default=10)
    ap.add_argument('--rounds', type=int, default=3)
    args = ap.parse_args()

    state = tempfile.mkdtemp(prefix='vgwtls-', dir='/tmp')
    env = dict(os.environ, VGW_STATE_DIR=state)
    vgw(env, 'up', '--name', GW, '--detach', '--sip-port', '0', '--sip-tls-port', '0')
    try:
        port = json.loads(vgw(env, 'status', '--name', GW, '--json').stdout)['ports']['sips']
        st = tls_status(env)
        print('gateway: %s key %s in slot %s' % (st.get('key_type'), st.get('key_source'),
                                                  st.get('slot')))
        results = {}
        for version in ('-tls1_3', '-tls1_2'):
            for r in range(args.rounds):
                for source in ('engine', 'software'):
                    use_key(env, source)
                    before = tls_status(env).get('engine_signatures', 0)
                    rate = handshakes_per_s(port, version, args.seconds)
                    signed = tls_status(env).get('engine_signatures', 0) - before
                    results.setdefault((version, source), []).append(rate)
                    print('%s round %d %-8s %7.1f handshakes/s  (engine signatures: %d)'
                          % (version, r + 1, source, rate, signed), flush=True)
            use_key(env, 'engine')
            for r in range(args.rounds):
                cap = os.path.join(state, 'bench.pcapng')
                vgw(env, 'capture', 'start', '--name', GW, '--out', cap)
                try:
                    rate = handshakes_per_s(port, version, args.seconds)
                finally:
                    vgw(env, 'capture', 'stop', '--name', GW)
                results.setdefault((version, 'engine+capture'), []).append(rate)
                print('%s round %d engine + vgw capture %7.1f handshakes/s (%d KiB captured)'
                      % (version, r + 1, rate, os.path.getsize(cap) // 1024), flush=True)
                os.unlink(cap)

        print()
        for version in ('-tls1_3', '-tls1_2'):
            eng = statistics.median(results[(version, 'engine')])
            soft = statistics.median(results[(version, 'software')])
            cap = statistics.median(results[(version, 'engine+capture')])
            print('%s medians: engine key %.1f/s, software key %.1f/s (engine = %.2fx software); '
                  'with vgw capture %.1f/s (%.1f %% overhead)'
                  % (version, eng, soft, eng / soft, cap, 100.0 * (eng - cap) / eng))
    finally:
        vgw(env, 'down', '--name', GW, check=False)
    return 0


if __name__ == '__main__':
    sys.exit(main())
