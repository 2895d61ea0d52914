#!/usr/bin/env python3
"""Mutual TLS into a booted gateway: new TLS connections per second
(connect, full handshake, one OPTIONS, close) with a client certificate
the gateway requires and verifies, next to the same without mutual
authentication, TLS 1.3 and 1.2, in one run.

The gateway (`vgw up --config`, TCG, its device key in the crypto engine)
has two SIP Interfaces: lan-main (TLS 5061, TLSMutualAuthentication 1) and
lan-2 (TLS 5071, TLSMutualAuthentication 0), both serving Context 0, into
which a `vgw pki` device certificate is injected with the test root as
its trusted root. The client is tests/bench/sip_tls_load, presenting a
`vgw pki` client certificate (EC P-256, with its intermediate) to
lan-main and none to lan-2. Rounds alternate the two so machine noise
hits them alike; medians are printed, and the ratio mutual / plain.

    tests/bench/tls_mutual.py [--seconds S] [--rounds N] [--cycle-connections N]

Needs a built tree (scripts/build.sh). On demand, not in CI.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile

from sip_tls import VGW, LoadGenerator, fmt

GW = 'mutualbench'
INI = """[ SIPInterface ]
FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort, TLSMutualAuthentication;
SIPInterface 0 = "lan-main", "LAN", 5060, 5060, 5061, 1;
SIPInterface 1 = "lan-2", "LAN", 5070, 5070, 5071, 0;
[ \\SIPInterface ]
"""


def vgw(env, *args):
    p = subprocess.run([VGW] + list(args), env=env, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError('vgw %s: %s' % (' '.join(args), p.stderr.strip()))
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=float, default=10)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--cycle-connections', type=int, default=8,
                    help='new-connection cycles in flight at once')
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix='vgwmb-', dir='/tmp')
    env = dict(os.environ, VGW_STATE_DIR=os.path.join(work, 'gw'))
    pki = os.path.join(work, 'pki')
    load = LoadGenerator()
    try:
        vgw(env, 'pki', 'ca', '--out', pki + '/root')
        vgw(env, 'pki', 'ca', '--out', pki + '/inter', '--issuer', pki + '/root')
        vgw(env, 'pki', 'issue', '--ca', pki + '/inter', '--out', pki + '/gw', '--role', 'device')
        vgw(env, 'pki', 'issue', '--ca', pki + '/inter', '--out', pki + '/alice',
            '--role', 'client', '--cn', 'alice')
        with open(pki + '/alice-full.pem', 'w') as out:
            for part in ('alice.crt', 'alice.chain'):
                with open(os.path.join(pki, part)) as f:
                    out.write(f.read())
        ini = os.path.join(work, 'bench.ini')
        with open(ini, 'w') as f:
            f.write(INI)
        vgw(env, 'up', '--name', GW, '--detach', '--sip-port', '0', '--sip-tls-port', '0',
            '--config', ini)
        vgw(env, 'cert', 'inject', '--name', GW, '--cert', pki + '/gw.crt', '--chain',
            pki + '/gw.chain', '--key', pki + '/gw.key', '--ca', pki + '/root.crt')
        st = json.loads(vgw(env, 'status', '--name', GW, '--json').stdout)
        fwd = {(f.get('proto'), f.get('guest')): f.get('host') for f in st.get('forwards', [])}
        targets = {'mutual': (st['ports']['sips'], pki + '/alice-full.pem', pki + '/alice.key'),
                   'plain': (fwd[('tcp', 5071)], None, None)}
        tls = st.get('tls') or {}
        print('gateway: booted (TCG), %s %s key; client certificate EC P-256 with 1 '
              'intermediate; %d cycles in flight, %g s per measure'
              % (tls.get('key_type'), tls.get('key_source'), args.cycle_connections,
                 args.seconds), flush=True)
        results = {}
        for rnd in range(args.rounds):
            for version in ('1.3', '1.2'):
                for name, (port, cert, key) in targets.items():
                    r = load.run(port, 'connect', args.cycle_connections, seconds=args.seconds,
                                 cert=cert, key=key, tls=version)
                    results.setdefault((version, name), []).append(r)
                    print('round %d TLS %s %-6s %s' % (rnd + 1, version, name, fmt(r)),
                          flush=True)
        st = json.loads(vgw(env, 'status', '--name', GW, '--json').stdout)
        print()
        print('medians of %d rounds; ratio = mutual / plain' % args.rounds)
        print('| TLS | plain conns/s | p99 ms | mutual conns/s | p99 ms | ratio |')
        print('| --- | --- | --- | --- | --- | --- |')
        for version in ('1.3', '1.2'):
            med = {n: (statistics.median(x['rate'] for x in results[(version, n)]),
                       statistics.median(x['p99_ms'] for x in results[(version, n)]))
                   for n in targets}
            print('| %s | %.1f | %.1f | %.1f | %.1f | %.2fx |'
                  % (version, med['plain'][0], med['plain'][1], med['mutual'][0],
                     med['mutual'][1], med['mutual'][0] / med['plain'][0]))
        # The cycles in flight when a measure ends are cut: peer-closed.
        print('gateway TLS failures by reason (peer-closed: at most %d cycles cut at the end '
              'of each of %d measures): %s'
              % (args.cycle_connections, 4 * args.rounds,
                 json.dumps((st.get('tls') or {}).get('failure_reasons'))))
    finally:
        subprocess.run([VGW, 'down', '--name', GW], env=env, capture_output=True, timeout=600)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
