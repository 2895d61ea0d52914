#!/usr/bin/env python3
"""The malformed SIP corpus (tests/fuzz/corpus/sip) against a booted
gateway, over UDP, TCP and TLS (issue 10).

Each file goes as one datagram (those that fit in one: all but the 70 KB
message and the 10,000 Via headers), and as the whole of one TCP or TLS
connection, which the test then half-closes and reads until the gateway
closes it.  After each file a valid OPTIONS, on a probe of the same
transport, must get its 200: the gateway stays up and keeps serving.

What the gateway must count is computed by the same SIP library built for
the host (tests/system/sip_oracle.c, driven as vgwd drives it): for each
transport, `vgw status --json` must show exactly the oracle's rejections
by reason, and as many messages received as the oracle's plus the probes.
The console log must name the peer and the reason of each kind of
refusal.  Last, the corpus's raw TLS records (a truncated record, a lone
record header, an alert, a ClientHello with no follow-up) go in the clear
to the SIPS port: the gateway counts each as a failed handshake and still
answers OPTIONS over TLS."""
import json
import os
import re
import socket
import ssl
import subprocess
import time

import vgwtest
from siptest import parse_response
from test_sip_options import recv_response, request, sip_status, wait_for
from test_sip_tls import tls_client

GW = 'malformed'
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fuzz', 'corpus', 'sip')
UDP_MAX = 65507
RAW_TLS = ['tls_alert.sip', 'tls_client_hello.sip', 'tls_record_header_only.sip',
           'tls_record_truncated.sip']


def corpus():
    """[(name, bytes)] of the corpus, in name order."""
    out = []
    for name in sorted(os.listdir(CORPUS)):
        with open(os.path.join(CORPUS, name), 'rb') as f:
            out.append((name, f.read()))
    return out


def oracle(kind, names):
    """The host library's counts for NAMES sent as KIND ('udp', 'stream')."""
    p = subprocess.run([os.environ.get('VGW_SIP_ORACLE', 'sip-oracle'), kind] +
                       [os.path.join(CORPUS, n) for n in names],
                       capture_output=True, text=True, timeout=300)
    return json.loads(p.stdout)


def tls_connect(port):
    return tls_client(port, ssl.TLSVersion.TLSv1_3, timeout=300)


class Probe:
    """Valid OPTIONS on one transport; each must get its 200."""

    def __init__(self, transport, port):
        self.transport, self.port, self.n = transport, port, 0
        self.s = None
        if transport == 'udp':
            self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.s.settimeout(30)
        self.connect()

    def connect(self):
        if self.transport == 'tcp':
            self.s = socket.create_connection(('127.0.0.1', self.port), timeout=120)
        elif self.transport == 'tls':
            self.s = tls_connect(self.port)

    def options_ok(self):
        self.n += 1
        call_id = 'probe-%s-%d@test' % (self.transport, self.n)
        msg = request('OPTIONS', self.transport.upper(), 'p%s%d' % (self.transport, self.n),
                      call_id, scheme='sips' if self.transport == 'tls' else 'sip')
        if self.transport == 'udp':
            # Datagrams may be lost: resend (the same transaction) until the
            # 200 comes; answers to other datagrams are skipped.
            for _ in range(60):
                self.s.sendto(msg, ('127.0.0.1', self.port))
                try:
                    while True:
                        data = self.s.recv(65536)
                        status, _, h = parse_response(data)
                        if h.get('call-id') == [call_id]:
                            return status == 200
                except socket.timeout:
                    continue
            return False
        self.s.sendall(msg)
        status, _, h = parse_response(recv_response(self.s))
        return status == 200 and h.get('call-id') == [call_id]

    def close(self):
        self.s.close()


def send_stream(transport, port, data):
    """DATA as the whole of one connection, half-closed; returns once the
    gateway has closed it (it then has read and judged every byte)."""
    s = tls_connect(port) if transport == 'tls' else \
        socket.create_connection(('127.0.0.1', port), timeout=300)
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except (ConnectionError, ssl.SSLError, OSError):
            return
        while True:
            try:
                if not s.recv(65536):
                    return
            except (ConnectionError, ssl.SSLError, OSError):
                return
    finally:
        s.close()


def rejected_delta(before, after):
    out = {}
    for k, v in (after or {}).items():
        d = v - (before or {}).get(k, 0)
        if d:
            out[k] = d
    return out


def run_transport(run, transport, port, files, log_path):
    s0 = sip_status(run, GW) or {}
    t0 = s0.get(transport) or {}
    probe = Probe(transport, port)
    failed = []
    try:
        for name, data in files:
            if transport == 'udp':
                probe.s.sendto(data, ('127.0.0.1', port))
            else:
                send_stream(transport, port, data)
            if not probe.options_ok():
                failed.append(name)
                if transport != 'udp':
                    probe.close()
                    probe.connect()
    finally:
        probe.close()
    run.check(not failed, '%s: after each of %d corpus files a valid OPTIONS gets its 200'
              % (transport, len(files)), failed)

    want = oracle('udp' if transport == 'udp' else 'stream', [n for n, _ in files])
    want_received = t0.get('received', 0) + want['received'] + probe.n
    s = wait_for(run, '%s: the counters settle' % transport,
                 lambda s: s[transport]['received'] >= want_received and
                 rejected_delta(t0.get('rejected'), s[transport]['rejected']) == want['rejected'],
                 polls=120, gw=GW)
    t1 = (s or sip_status(run, GW) or {}).get(transport) or {}
    got = rejected_delta(t0.get('rejected'), t1.get('rejected'))
    run.check(got == want['rejected'],
              '%s: status counts the rejections the host library computes, %d in all by %d '
              'reasons' % (transport, sum(want['rejected'].values()), len(want['rejected'])),
              {'want': want['rejected'], 'got': got})
    run.check(t1.get('received') == want_received,
              '%s: status counts %d received (%d of the corpus, %d probes)'
              % (transport, want_received - t0.get('received', 0), want['received'], probe.n),
              t1)

    with open(log_path, errors='replace') as f:
        log = f.read()
    missing = [r for r in want['rejected']
               if not re.search(r'sip/%s: 10\.0\.2\.2:\d+: [^\n]*\(%s\)' % (transport, re.escape(r)),
                                log)]
    run.check(not missing, '%s: the console log names the peer and the reason of every kind of '
              'refusal' % transport, missing)


def raw_tls(run, sips_port):
    """The corpus's TLS records sent raw to the SIPS port."""
    tls0 = (run.status(GW) or {}).get('tls') or {}
    for name in RAW_TLS:
        with open(os.path.join(CORPUS, name), 'rb') as f:
            send_stream('tcp', sips_port, f.read())
    probe = Probe('tls', sips_port)
    try:
        run.check(probe.options_ok(), 'raw TLS records on the SIPS port: the next OPTIONS over TLS '
                  'gets its 200')
    finally:
        probe.close()
    tls1 = (run.status(GW) or {}).get('tls') or {}
    run.check(tls1.get('failures') == tls0.get('failures', 0) + len(RAW_TLS) and
              tls1.get('handshakes') == tls0.get('handshakes', 0) + 1,
              'status: the %d raw TLS records are %d failed handshakes, the probe\'s one completed'
              % (len(RAW_TLS), len(RAW_TLS)), {'before': tls0, 'after': tls1})


def test(run):
    if run.up(GW).returncode != 0:
        return
    ports = (run.status(GW) or {}).get('ports') or {}
    files = corpus()
    run.check(len(files) >= 79, 'the corpus holds %d files' % len(files))
    log_path = os.path.join(run.state_root, GW, 'console.log')
    run_transport(run, 'udp', ports['sip_udp'], [f for f in files if len(f[1]) <= UDP_MAX],
                  log_path)
    run_transport(run, 'tcp', ports['sip_tcp'], files, log_path)
    run_transport(run, 'tls', ports['sips'], files, log_path)
    raw_tls(run, ports['sips'])
    st = run.status(GW) or {}
    run.check(st.get('state') == 'running' and st.get('reset_count', 0) == 0 and
              st.get('crash_count', 0) == 0,
              'the gateway ran through it all: never reset, no crash',
              {k: st.get(k) for k in ('state', 'reset_count', 'crash_count')})


if __name__ == '__main__':
    vgwtest.main(test)
