#!/usr/bin/env python3
"""SIPp calls per second over UDP, signalling only (INVITE, 200, ACK, BYE,
200; no RTP): through a booted gateway to its test extension, next to
Kamailio 5.6 answering the same calls statelessly (sl_send_reply: an
anchor for the client and the host, not a like-for-like server: it keeps
no call state and sends no SDP).

    tests/bench/sip_calls.py [--seconds S] [--max-rate R]

For each target SIPp runs tests/bench/sipp/call_signalling.xml at -r 5,
then doubles the rate until a call fails, SIPp cannot keep the rate (fewer
calls per second done than asked, by more than 10 %), or --max-rate. Each
step places rate x S calls. Printed per step: calls asked per second,
calls done per second (successful calls / SIPp's wall time, start-up
included), successful and failed calls; then the highest rate each
target kept with no failure, and its ratio to Kamailio's.

Needs a built tree (scripts/build.sh). On demand, not in CI.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from sip_tls import Gateway, Kamailio
from siptest import sipp_stat  # tests/system, on the path through sip_tls

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, 'sipp', 'call_signalling.xml')
NUMBER = '1000'  # TestCallNumber's default


def sipp_step(workdir, port, rate, seconds):
    """Places rate x seconds calls at RATE calls/s; returns (asked,
    successful, failed, wall seconds, SIPp exit code)."""
    calls = int(rate * seconds)
    stat = os.path.join(workdir, 'sipp-%d-%d.csv' % (port, rate))
    t0 = time.monotonic()
    p = subprocess.run(['sipp', '-sf', SCENARIO, '-s', NUMBER, '-t', 'u1',
                        '-i', '127.0.0.1', '-r', str(rate), '-m', str(calls),
                        '-l', str(max(rate * 4, 100)), '-nostdin', '-timeout',
                        str(int(seconds) + 60), '-timeout_error', '-trace_stat', '-stf', stat,
                        '127.0.0.1:%d' % port],
                       cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=seconds + 180)
    wall = time.monotonic() - t0
    counters = sipp_stat(stat)
    ok = int(counters.get('SuccessfulCall(C)', 0) or 0)
    failed = int(counters.get('FailedCall(C)', 0) or 0)
    return calls, ok, failed, wall, p.returncode


def climb(name, workdir, port, args):
    """The rate steps for one target; returns (best rate kept, its calls/s)."""
    best = (0, 0.0)
    rate = 5
    while rate <= args.max_rate:
        asked, ok, failed, wall, rc = sipp_step(workdir, port, rate, args.seconds)
        done = ok / wall if wall > 0 else 0
        print('%-8s -r %4d: %7.1f calls/s done, %d of %d successful, %d failed (SIPp exit %d)'
              % (name, rate, done, ok, asked, failed, rc), flush=True)
        if failed or ok < asked or rc != 0:
            break
        best = (rate, done)
        if done < 0.9 * rate * args.seconds / (args.seconds + 1):
            break  # SIPp is not keeping the rate: the target is the limit
        rate *= 2
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=float, default=10, help='length of each rate step')
    ap.add_argument('--max-rate', type=int, default=640)
    ap.add_argument('--kamailio-children', type=int, default=1)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix='vgwcb-', dir='/tmp')
    targets = []
    try:
        kam = Kamailio(work, args.kamailio_children, calls=True)
        targets.append(kam)
        gw = Gateway(work)
        targets.append(gw)
        gw_port = json.loads(gw.vgw('status', '--name', 'sipbench', '--json').stdout)[
            'ports']['sip_udp']
        print('kamailio %s, UDP 127.0.0.1:%d' % (kam.about, kam.udp_port))
        print('gateway  %s, UDP 127.0.0.1:%d, test extension %s' % (gw.about, gw_port, NUMBER))
        best = {'gateway': climb('gateway', work, gw_port, args),
                'kamailio': climb('kamailio', work, kam.udp_port, args)}
        status = json.loads(gw.vgw('status', '--name', 'sipbench', '--json').stdout)
        print('gateway test extension: %s'
              % json.dumps((status.get('sip') or {}).get('test_extension')))
        print()
        k = best['kamailio'][1]
        for name in ('gateway', 'kamailio'):
            rate, done = best[name]
            print('%-8s kept -r %d with no failure%s: %.1f calls/s done (%.2fx kamailio)'
                  % (name, rate, ' (the cap, --max-rate)' if 2 * rate > args.max_rate else '',
                     done, done / k if k else 0))
    finally:
        for t in targets:
            t.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
