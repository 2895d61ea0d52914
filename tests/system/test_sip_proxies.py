#!/usr/bin/env python3
"""Proxy Sets with keep-alive, failover, homing, parking and DNS2IP
against two real Kamailio 5.6 proxies (issue 10).

A gateway boots (`vgw up --config`) with Proxy Set 1 "ITSP": OPTIONS
keep-alive every 5 s, IsProxyHotSwap, Homing, KeepAliveFailureResp 503;
ProxyIpIndex 0 is "proxy.lab.test:P1" (a DNS2IP row maps the name to
10.0.2.2, the host as slirp shows it), ProxyIpIndex 1 "10.0.2.2:P2". Both
Kamailios answer OPTIONS 200 and log every request.
 - Keep-alives reach the first Kamailio over UDP, to the configured name,
   and keep coming (their count grows); `vgw sip proxies --json` and
   `vgw status --json` show both proxies up, the first active and
   resolved through DNS2IP.
 - The first Kamailio stops: the set fails over to index 1 (failover 1),
   the first shows down (timeout). It starts again: the set homes back.
 - Parking (ProxyRedundancyMode 0, loaded live): the first stops and
   comes back; the set stays on index 1.
 - The second Kamailio answers 503, a KeepAliveFailureResp code: it goes
   down (failure-response, last response 503) and the set fails over to
   the first.
 - Proxy Set 2 over TLS to the first Kamailio's TLS listener, by name:
   its OPTIONS arrive over TLS and the proxy is up; with
   UsePingPongKeepAlive the connection carries CRLF pings that Kamailio
   answers (status sip.tls pings_sent grows, no ping timeout).
The console log names each state change."""
import json
import os
import time

import kamailio
import tlspeers
import vgwtest

GW = 'proxies'
NAME = 'proxy.lab.test'
KEEPALIVE_S = 5
# A proxy that stops answering UDP is down once its keep-alive's
# transaction times out (timer F, 32 s) after at most one interval;
# generous for a loaded machine running QEMU under TCG.
WAIT_S = 300


def config(p1, p2, tls_port, redundancy):
    return ('UsePingPongKeepAlive = 1\n'
            '[ ProxySet ]\n'
            'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive, '
            'ProxySet_ProxyKeepAliveTime, ProxySet_IsProxyHotSwap, '
            'ProxySet_ProxyRedundancyMode, ProxySet_KeepAliveFailureResp;\n'
            'ProxySet 1 = "ITSP", 1, %d, 1, %d, "503";\n'
            'ProxySet 2 = "SECURE", 1, %d, 0, 1, "";\n'
            '[ \\ProxySet ]\n'
            '[ ProxyIp ]\n'
            'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, '
            'ProxyIp_IpAddress, ProxyIp_TransportType;\n'
            'ProxyIp 0 = 1, 0, "%s:%d", 0;\n'
            'ProxyIp 1 = 1, 1, "10.0.2.2:%d", 0;\n'
            'ProxyIp 2 = 2, 0, "%s:%d", 2;\n'
            '[ \\ProxyIp ]\n'
            '[ DNS2IP ]\n'
            'FORMAT DNS2IP_Index = DNS2IP_DomainName, DNS2IP_FirstIpAddress;\n'
            'DNS2IP 0 = "%s", 10.0.2.2;\n'
            '[ \\DNS2IP ]\n'
            % (KEEPALIVE_S, redundancy, KEEPALIVE_S, NAME, p1, p2, NAME, tls_port, NAME))


def proxies(run):
    p = run.vgw('sip', 'proxies', '--name', GW, '--json', timeout=60)
    try:
        return json.loads(p.stdout).get('proxies') or []
    except ValueError:
        run.check(False, 'vgw sip proxies --json prints JSON', p.stdout + p.stderr)
        return []


def proxy(rows, set_index, ip_index):
    for r in rows:
        if r.get('set') == set_index and r.get('ip_index') == ip_index:
            return r
    return {}


def wait_for(run, what, cond, timeout=WAIT_S):
    """Polls `vgw sip proxies` until COND(rows) holds; checks that it did
    and returns the last rows."""
    deadline = time.monotonic() + timeout
    rows = []
    while True:
        rows = proxies(run)
        if cond(rows) or time.monotonic() > deadline:
            break
        time.sleep(2)
    run.check(cond(rows), what, json.dumps(rows, indent=1))
    return rows


def udp_options(k):
    """The OPTIONS Kamailio K logged as received over UDP."""
    return [r for r in k.requests('OPTIONS') if r[2] == 'udp']


def itsp(rows, ip_index):
    return proxy(rows, 1, ip_index)


def test(run, k1, k2):
    tmp = run.state_root
    ini = os.path.join(tmp, 'proxies.ini')
    with open(ini, 'w') as f:
        f.write(config(k1.port, k2.port, k1.tls_port, 1))
    for k in (k1, k2):
        if not run.check(k.start(), 'Kamailio %s starts on 127.0.0.1:%d' % (k.name, k.port),
                         k.log_tail()):
            return
    if run.up(GW, '--config', ini).returncode != 0:
        return

    # -- keep-alive, both up, the first active ---------------------------
    rows = wait_for(run, 'both proxies of set ITSP come up',
                    lambda r: itsp(r, 0).get('state') == 'up' and itsp(r, 1).get('state') == 'up')
    first, second = itsp(rows, 0), itsp(rows, 1)
    run.check(first.get('configured') == '%s:%d' % (NAME, k1.port) and
              first.get('address') == '10.0.2.2' and first.get('resolved_by') == 'dns2ip' and
              first.get('port') == k1.port and first.get('transport') == 'udp',
              'index 0: %s resolved through DNS2IP to 10.0.2.2, UDP' % NAME, first)
    run.check(first.get('active') is True and second.get('active') is False and
              first.get('failovers') == 0 and (first.get('last_response') or {}).get('code') == 200,
              'index 0 active, last response 200, no failover yet', rows)
    run.check(second.get('resolved_by') == 'literal' and second.get('set_name') == 'ITSP',
              'index 1: the literal address, in set ITSP', second)
    n1 = len(udp_options(k1))
    deadline = time.monotonic() + WAIT_S
    while len(udp_options(k1)) < n1 + 2 and time.monotonic() < deadline:
        time.sleep(2)
    seen = udp_options(k1)
    run.check(len(seen) >= n1 + 2 and n1 >= 1,
              'the first Kamailio keeps getting OPTIONS keep-alives (%d, then %d)'
              % (n1, len(seen)), k1.log_tail())
    run.check(all(r[3] == 'sip:%s:%d' % (NAME, k1.port) for r in seen),
              'each to sip:%s:%d' % (NAME, k1.port), seen)
    run.check(len(udp_options(k2)) >= 1 and len(udp_options(k2)) == len(k2.requests()),
              'the second Kamailio gets keep-alives too, all OPTIONS over UDP',
              k2.log_tail())
    st = run.status(GW) or {}
    run.check(itsp(st.get('proxies') or [], 0).get('state') == 'up',
              'vgw status --json: proxies holds set 1 index 0 up', st.get('proxies'))
    p = run.vgw('sip', 'proxies', '--name', GW, timeout=60)
    run.check(p.returncode == 0 and
              ('set 1 ITSP #0 %s:%d = 10.0.2.2:%d/udp up, active' % (NAME, k1.port, k1.port))
              in p.stdout, 'vgw sip proxies (text) shows index 0 up and active',
              p.stdout + p.stderr)

    # -- failover and homing ---------------------------------------------
    k1.stop()
    rows = wait_for(run, 'first Kamailio stopped: the set fails over to index 1 (failover 1)',
                    lambda r: itsp(r, 0).get('state') == 'down' and itsp(r, 1).get('active') is True)
    run.check(itsp(rows, 0).get('reason') in ('timeout', 'transport-error') and
              itsp(rows, 1).get('state') == 'up' and itsp(rows, 1).get('failovers') == 1,
              'index 0 down (timeout), index 1 up, failovers 1', rows)
    run.check(k1.start(), 'the first Kamailio starts again', k1.log_tail())
    rows = wait_for(run, 'homing: back to index 0 once it answers',
                    lambda r: itsp(r, 0).get('state') == 'up' and itsp(r, 0).get('active') is True)
    run.check(itsp(rows, 0).get('failovers') == 1, 'homing back is no failover', rows)

    # -- parking -------------------------------------------------------------
    with open(ini, 'w') as f:
        f.write(config(k1.port, k2.port, k1.tls_port, 0))
    p = run.vgw('ini', 'load', '--incremental', '--name', GW, ini, timeout=120)
    run.check(p.returncode == 0, 'ProxyRedundancyMode 0 (parking) loaded live', p.stdout + p.stderr)
    k1.stop()
    wait_for(run, 'parking: the first stops, the set fails over to index 1 (failover 2)',
             lambda r: itsp(r, 1).get('active') is True and itsp(r, 1).get('failovers') == 2)
    n_before = len(udp_options(k1))
    run.check(k1.start(), 'the first Kamailio starts again', k1.log_tail())
    rows = wait_for(run, 'parking: index 0 answers again (up)',
                    lambda r: itsp(r, 0).get('state') == 'up')
    run.check(itsp(rows, 1).get('active') is True and itsp(rows, 0).get('active') is False and
              len(udp_options(k1)) > n_before,
              'parking: the set stays on index 1 although index 0 is up', rows)

    # -- KeepAliveFailureResp --------------------------------------------
    k2.stop()
    run.check(k2.start(code=503), 'the second Kamailio restarts answering 503', k2.log_tail())
    rows = wait_for(run, 'a 503 (KeepAliveFailureResp) marks index 1 down and the set fails over',
                    lambda r: itsp(r, 1).get('state') == 'down' and itsp(r, 0).get('active') is True)
    run.check(itsp(rows, 1).get('reason') == 'failure-response' and
              (itsp(rows, 1).get('last_response') or {}).get('code') == 503 and
              itsp(rows, 0).get('failovers') == 3,
              'index 1: failure-response, last response 503; failovers 3', rows)

    # -- TLS -----------------------------------------------------------------
    rows = wait_for(run, 'set SECURE: the TLS proxy (by name) is up',
                    lambda r: proxy(r, 2, 0).get('state') == 'up')
    run.check(proxy(rows, 2, 0).get('transport') == 'tls' and
              proxy(rows, 2, 0).get('port') == k1.tls_port and
              isinstance(proxy(rows, 2, 0).get('connection'), int),
              'set SECURE index 0 is TLS to the first Kamailio\'s TLS port, on a connection',
              rows)
    tls_seen = [r for r in k1.requests('OPTIONS') if r[2] == 'tls']
    run.check(len(tls_seen) >= 1 and tls_seen[0][3] == 'sips:%s:%d' % (NAME, k1.tls_port),
              'Kamailio logged OPTIONS over TLS to sips:%s:%d' % (NAME, k1.tls_port), tls_seen)

    deadline = time.monotonic() + WAIT_S
    tls = {}
    while time.monotonic() < deadline:
        tls = ((run.status(GW) or {}).get('sip') or {}).get('tls') or {}
        if tls.get('pings_sent', 0) >= 2:
            break
        time.sleep(3)
    run.check(tls.get('pings_sent', 0) >= 2 and tls.get('ping_timeouts') == 0 and
              proxy(proxies(run), 2, 0).get('state') == 'up',
              'UsePingPongKeepAlive: CRLF pings on the TLS connection, each answered', tls)

    run.check((run.status(GW) or {}).get('crash_count') == 0,
              'vgwd ran through all of it without a crash')
    log = run.console_tail(GW, 4000)
    for what, text in (('down', 'ITSP: 10.0.2.2:%d/udp (ProxyIpIndex 0) is down' % k1.port), ('failover', 'failover to 10.0.2.2:%d/udp' % k2.port),
                       ('homing', 'back home to 10.0.2.2:%d/udp' % k1.port),
                       ('failure response', 'is down: failure-response (last response 503)')):
        run.check(text in log, 'the console log names the %s ("%s")' % (what, text), log[-3000:])


def main(run):
    d = run.state_root
    cert, key = kamailio.make_cert(d, NAME)
    k1 = kamailio.Kamailio(d, 'k1', tlspeers.free_port(), tlspeers.free_port(), cert, key)
    k2 = kamailio.Kamailio(d, 'k2', tlspeers.free_port())
    try:
        test(run, k1, k2)
    finally:
        k1.stop()
        k2.stop()


if __name__ == '__main__':
    vgwtest.main(main)
