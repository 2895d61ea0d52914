#!/usr/bin/env python3
"""Certificate hot swap under load, the figures for issue 11's closing
note: how many connections and SIP transactions a swap loses (the target
is 0), and the new-TLS-connection rate before, during and after swaps,
all in one run against one booted gateway.

    tests/bench/tls_hotswap.py [--seconds S] [--rounds N] [--cycle-connections N]
                               [--persistent N]

Throughout a round a persistent load runs (tests/system/tlsload.py:
--persistent TLS connections each sending OPTIONS after OPTIONS). The
rate is that of tests/bench/sip_tls_load --mode connect (new connection,
full handshake, one OPTIONS, close; --cycle-connections at a time) over
three measures of S seconds: before, during (a thread swaps Context 0's
certificate over and over with `vgw cert inject`, a new `vgw pki` device
certificate and key each time, no --slot: the gateway puts the key into
a slot the context is not using, device-fw/tls/tls_slot_pick.h), and
after. The ratios are against the before rate of the same
round; the medians of the rounds are printed. Lost: persistent
connections dropped and connect cycles whose connect, handshake or
connection failed; transactions: OPTIONS that got no 200.

Needs a built tree (scripts/build.sh). On demand, not in CI: these
machines are noisy. test_tls_hotswap.py checks the same without figures.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'tests', 'system'))
sys.path.insert(0, os.path.join(TOP, 'tests', 'bench'))
from sip_tls import GW, Gateway, LoadGenerator  # noqa: E402
import tlsload  # noqa: E402

CERTS = 4        # device certificates the swaps go round


class Swapper:
    """Swaps Context 0's certificate again and again until stopped."""

    def __init__(self, gw, pki, first):
        """FIRST: how many swaps earlier rounds made (the certificates go
        round from there)."""
        self.gw, self.pki, self.first = gw, pki, first
        self.done, self.failed, self.errors = 0, 0, []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop_event.is_set():
            k = self.first + self.done + self.failed
            name = '%s/gw%d' % (self.pki, k % CERTS)
            try:
                p = self.gw.vgw('cert', 'inject', '--name', GW, '--cert', name + '.crt',
                                '--chain', name + '.chain', '--key', name + '.key',
                                check=False)
                error = p.stderr.strip() if p.returncode != 0 else None
            except (OSError, subprocess.SubprocessError) as e:
                error = str(e)
            if error is None:
                self.done += 1
            else:
                self.failed += 1
                self.errors.append(error)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        self.thread.join()


def make_pki(gw, pki):
    gw.vgw('pki', 'ca', '--out', pki + '/root')
    gw.vgw('pki', 'ca', '--out', pki + '/inter', '--issuer', pki + '/root')
    for k in range(CERTS):
        gw.vgw('pki', 'issue', '--ca', pki + '/inter', '--out', '%s/gw%d' % (pki, k),
               '--role', 'device', '--cn', 'gw%d' % k)
    # The first swap brings the root; the later ones keep it.
    gw.vgw('cert', 'inject', '--name', GW, '--cert', pki + '/gw0.crt',
           '--chain', pki + '/gw0.chain', '--key', pki + '/gw0.key', '--ca', pki + '/root.crt')


def lost_cycles(r):
    return r['connect_failed'] + r['handshake_failed'] + r['conn_lost']


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=float, default=20)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--cycle-connections', type=int, default=4)
    ap.add_argument('--persistent', type=int, default=8)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix='vgwhs-', dir='/tmp')
    gw = None
    rows, lost = [], {'connections': 0, 'transactions': 0, 'swaps': 0, 'swap_failed': 0}
    try:
        gw = Gateway(work)
        pki = os.path.join(work, 'pki')
        make_pki(gw, pki)
        resets_before = gw.resets()
        print('gateway: %s, 127.0.0.1:%d' % (gw.about, gw.port), flush=True)
        print('load: %d persistent TLS connections (OPTIONS one after another); the rate: '
              'sip_tls_load connect, %d at a time, %g s per measure, %d rounds'
              % (args.persistent, args.cycle_connections, args.seconds, args.rounds),
              flush=True)
        gen = LoadGenerator()
        for rnd in range(args.rounds):
            persistent = tlsload.Load(gw.port, persistent=args.persistent, openers=0)
            persistent.start()
            rates = {}
            for phase in ('before', 'during', 'after'):
                swapper = (Swapper(gw, pki, lost['swaps'] + lost['swap_failed'])
                           if phase == 'during' else None)
                if swapper:
                    swapper.start()
                r = gen.run(gw.port, 'connect', args.cycle_connections, seconds=args.seconds,
                            tls='1.3')
                if swapper:
                    swapper.stop()
                    lost['swaps'] += swapper.done
                    lost['swap_failed'] += swapper.failed
                    for e in swapper.errors[:3]:
                        print('  swap failed: ' + e)
                rates[phase] = r['rate']
                lost['connections'] += lost_cycles(r)
                lost['transactions'] += r['other'] + r['unanswered']
                print('round %d %-6s %7.2f new TLS connections/s  (cycles %d, lost %d, '
                      'OPTIONS without 200 %d)%s'
                      % (rnd + 1, phase, r['rate'], r['cycles'], lost_cycles(r),
                         r['other'] + r['unanswered'],
                         ', %d swaps' % swapper.done if swapper else ''), flush=True)
            persistent.stop()
            t = persistent.totals()
            lost['connections'] += t['dropped']
            lost['transactions'] += t['sent'] - t['ok']
            print('round %d persistent: %d OPTIONS, %d answered 200, %d connections dropped'
                  % (rnd + 1, t['sent'], t['ok'], t['dropped']), flush=True)
            rows.append(rates)
        resets_after = gw.resets()

        med = {p: statistics.median(r[p] for r in rows) for p in ('before', 'during', 'after')}
        print()
        print('medians of %d rounds; ratio = rate / the before rate of the same round'
              % args.rounds)
        print('| phase | new TLS conns/s | ratio |')
        print('| --- | --- | --- |')
        for p in ('before', 'during', 'after'):
            ratio = statistics.median(r[p] / r['before'] if r['before'] else 0 for r in rows)
            print('| %s | %.2f | %.2fx |' % (p, med[p], ratio))
        print('swaps: %d done, %d failed; lost: %d connections, %d transactions'
              % (lost['swaps'], lost['swap_failed'], lost['connections'],
                 lost['transactions']))
        if resets_before != resets_after:
            print('the gateway reset during the run: %r -> %r' % (resets_before, resets_after))
            return 1
    finally:
        if gw is not None:
            gw.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0 if lost['connections'] == 0 and lost['transactions'] == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
