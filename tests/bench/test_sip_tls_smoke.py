#!/usr/bin/env python3
"""bench-smoke: the SIP/TLS load generator's counts are right.

vgwd's SIP/TLS engine built for the host (vgw-sip-engine-host) serves
three clients in turn: sip_tls_load over persistent connections, then in
its new-connection mode, then SIPp through stunnel4 (as system-sip_tls
drives a gateway). Each client's own count of 200s must be what it sent,
and the engine's counters, read when it stops, must add up to the three:
so the load generator counts what the server saw, as SIPp does. Then
Kamailio 5.6 and the engine (--client-ca), each requiring a client
certificate, answer the load generator when it presents one and refuse it
when it does not (what `sip_tls.py --mutual` measures). No figure about
speed is checked.

Env: SIP_TLS_LOAD and VGW_SIP_ENGINE_HOST (the two programs, set by
meson).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'system'))

import vgwtest  # noqa: E402
from test_sip_options import CALLS as SIPP_OPTIONS  # noqa: E402
from test_sip_tls import sipp_through_stunnel  # noqa: E402

import sip_tls  # noqa: E402

PERSISTENT = 10
WINDOW = 4
REQUESTS = 400
CYCLES = 50
CYCLE_CONNECTIONS = 4


def test(run):
    engine = sip_tls.HostEngine(os.environ['VGW_SIP_ENGINE_HOST'],
                                os.path.join(run.state_root, 'engine.log'))
    counters = None
    try:
        load = sip_tls.LoadGenerator(os.environ['SIP_TLS_LOAD'])
        r = load.run(engine.port, 'options', connections=PERSISTENT, window=WINDOW,
                     requests=REQUESTS)
        run.check(r['sent'] == REQUESTS and r['ok'] == REQUESTS and r['other'] == 0 and
                  r['unanswered'] == 0 and r['unmatched'] == 0,
                  'persistent connections: %d OPTIONS sent, %d answered 200, none other'
                  % (REQUESTS, REQUESTS), r)
        run.check(r['handshakes'] == PERSISTENT and r['conn_lost'] == 0,
                  'persistent connections: %d handshakes, no connection lost' % PERSISTENT, r)
        run.check(r['rate'] > 0 and 0 < r['p50_ms'] <= r['p90_ms'] <= r['p99_ms'] <= r['max_ms'],
                  'persistent connections: a rate and ordered latency percentiles', r)

        c = load.run(engine.port, 'connect', connections=CYCLE_CONNECTIONS, requests=CYCLES)
        run.check(c['sent'] == CYCLES and c['cycles'] == CYCLES and c['ok'] == CYCLES and
                  c['other'] == 0 and c['unanswered'] == 0,
                  'new connections: %d cycles, each one OPTIONS answered 200' % CYCLES, c)
        run.check(CYCLES <= c['handshakes'] <= CYCLES + CYCLE_CONNECTIONS and
                  c['handshake_failed'] == 0 and c['connect_failed'] == 0,
                  'new connections: a full handshake for each cycle, none failed', c)

        sipp_through_stunnel(run, engine.port)
    finally:
        counters = engine.stop()
    tls = (counters or {}).get('tls') or {}
    total = REQUESTS + CYCLES + SIPP_OPTIONS
    run.check(tls.get('received') == total and tls.get('sent') == total and
              tls.get('rejected') == 0,
              'the engine received and answered %d OPTIONS over TLS: %d + %d from '
              'sip_tls_load, %d from SIPp' % (total, REQUESTS, CYCLES, SIPP_OPTIONS),
              json.dumps(counters))


def client_certificate(workdir):
    """A self-signed client certificate and its key (PEM files)."""
    cert, key = os.path.join(workdir, 'client.pem'), os.path.join(workdir, 'client.key')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                    'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
                    '-days', '2', '-subj', '/CN=sip-tls-load'],
                   check=True, capture_output=True)
    return cert, key


def test_client_certificate(run):
    work = tempfile.mkdtemp(prefix='mutual-', dir=run.state_root)
    cert, key = client_certificate(work)
    servers = [('Kamailio', lambda: sip_tls.Kamailio(work, 1, client_ca=cert)),
               ('the engine', lambda: sip_tls.HostEngine(
                   os.environ['VGW_SIP_ENGINE_HOST'], os.path.join(work, 'engine.log'),
                   client_ca=cert))]
    for name, start in servers:
        server = start()
        try:
            load = sip_tls.LoadGenerator(os.environ['SIP_TLS_LOAD'])
            r = load.run(server.port, 'options', connections=4, requests=100, cert=cert,
                         key=key)
            run.check(r['client_cert'] and r['ok'] == 100 and r['unanswered'] == 0 and
                      r['handshakes'] == 4,
                      '%s requiring a client certificate answers 100 OPTIONS from '
                      'sip_tls_load presenting one' % name, r)
            r = load.run(server.port, 'connect', connections=1, requests=3, drain=2)
            run.check(not r['client_cert'] and r['ok'] == 0 and r['unanswered'] == r['sent'] and
                      r['handshake_failed'] + r['conn_lost'] > 0,
                      '%s, without a client certificate: no answer, the connections fail'
                      % name, r)
        finally:
            server.stop()


def test_all(run):
    test(run)
    test_client_certificate(run)


if __name__ == '__main__':
    vgwtest.main(test_all)
