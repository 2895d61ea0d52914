#!/usr/bin/env python3
"""Stalled TLS connections do not lock out new clients (issue 9, probe 4).

200 idle TCP connections are opened to the gateway's TLS port and held
open; none of them ever sends a ClientHello. The half-open pool (64) fills,
every further connection drops the oldest half-open one, and a real
`openssl s_client` still completes a handshake while the idle connections
are held. `status` counts the drops and the console log names them.
Before the bound, 128 such connections refused every new client.

The idle connections reach the gateway through slirp at whatever pace the
loaded machine allows, so the test first gives new connections a long
handshake deadline (`debug tls-handshake-timeout 600`): then none of them
expires during the test, and the counts below are exact whatever the pace."""
import json
import re
import socket
import subprocess
import time

import vgwtest

GW = 'tlslim'
IDLE = 200


def tls(run):
    st = run.status(GW) or {}
    return st.get('tls') or {}


def wait_for(run, what, pred, polls=600):
    """Polls the TLS status until PRED holds (each poll is a status round
    trip; the bound only stops a broken gateway from hanging the test)."""
    t = {}
    for _ in range(polls):
        t = tls(run)
        if pred(t):
            return t
        time.sleep(1)
    run.check(False, what, t)
    return None


def test(run):
    if not run.up(GW).returncode == 0:
        return
    st = run.status(GW) or {}
    port = (st.get('ports') or {}).get('sips')
    t0 = st.get('tls') or {}
    run.check(port is not None and t0.get('half_open') == 0 and
              t0.get('half_open_dropped') == 0 and t0.get('handshake_timeout_s') == 10,
              'status reports the TLS port, no half-open connection, none dropped, a 10 s '
              'handshake deadline', t0)
    half_open_max = t0.get('half_open_max')
    run.check(isinstance(half_open_max, int) and 0 < half_open_max < IDLE and
              isinstance(t0.get('established_max'), int),
              'status reports the half-open and established bounds', t0)
    if port is None or not isinstance(half_open_max, int):
        return

    p = run.vgw('maint', '--name', GW, 'debug', 'tls-handshake-timeout', '600', timeout=60)
    try:
        reply = json.loads(p.stdout)
    except ValueError:
        reply = None
    run.check(p.returncode == 0 and reply == {'handshake_timeout_s': 600},
              'vgw maint debug tls-handshake-timeout 600', p.stdout + p.stderr)

    idle = []
    try:
        for _ in range(IDLE):
            idle.append(socket.create_connection(('127.0.0.1', port), timeout=120))
        run.check(len(idle) == IDLE, '%d idle TCP connections to the TLS port are open' % IDLE)
        evicted = IDLE - half_open_max
        t1 = wait_for(run, 'all %d idle connections reached the gateway' % IDLE,
                      lambda t: t.get('half_open_dropped', 0) >= evicted)
        if t1 is None:
            return
        run.check(t1.get('half_open') == half_open_max and
                  t1.get('half_open_dropped') == evicted and
                  (t1.get('failure_reasons') or {}) == {'evicted': evicted},
                  'the half-open pool is full (%d) and the %d older idle connections were '
                  'dropped' % (half_open_max, evicted), t1)

        p = subprocess.run(['openssl', 's_client', '-connect', '127.0.0.1:%d' % port,
                            '-servername', 'gateway.test'],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=300)
        out = p.stdout + p.stderr
        run.check(re.search(r'New, TLSv1\.[23], Cipher is \S+', out) is not None,
                  'openssl s_client completes a handshake while the idle connections are held',
                  out)
        t2 = wait_for(run, 'the gateway saw the s_client connection close',
                      lambda t: t.get('established') == 0)
        if t2 is None:
            return
        run.check(t2.get('handshakes') == 1 and t2.get('half_open_dropped') == evicted + 1 and
                  t2.get('half_open') == half_open_max - 1,
                  'status: 1 handshake, one more drop (to admit s_client), %d idle '
                  'connections still half-open' % (half_open_max - 1), t2)
        still_open = sum(1 for s in idle[-(half_open_max - 1):] if not readable(s))
        run.check(still_open == half_open_max - 1,
                  'the %d newest idle connections are still open' % (half_open_max - 1),
                  '%d of them open' % still_open)
    finally:
        for s in idle:
            s.close()
    with open(run.state_root + '/' + GW + '/console.log', errors='replace') as f:
        log = f.read()
    run.check(re.search(r'tls: handshake with 10\.0\.2\.2:\d+ failed: dropped as the oldest '
                        r'of %d half-open connections to admit 10\.0\.2\.2:\d+; .*reason: evicted'
                        % half_open_max, log) is not None,
              'the console log names the dropped peer and the reason', run.console_tail(GW))


def readable(s):
    """An idle connection the gateway has not closed has nothing to read;
    one it closed reads end of file."""
    s.setblocking(False)
    try:
        return s.recv(1) == b''
    except BlockingIOError:
        return False
    except OSError:
        return True


if __name__ == '__main__':
    vgwtest.main(test)
