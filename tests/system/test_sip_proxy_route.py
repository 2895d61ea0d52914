#!/usr/bin/env python3
"""Calls routed through a Proxy Set to a real Kamailio 5.6 over TLS, and
from that proxy to a registered user (issue 10; device-fw/sip/README.md,
"Routing", rules 2 and 3).

A gateway boots with Proxy Set 1 "CARRIER" (OPTIONS keep-alive every 5 s),
whose one proxy is a Kamailio on the host over TLS (kamailio.lab.test,
mapped to 10.0.2.2 by DNS2IP), and IPGroup 0 of Type Server naming it.
Kamailio answers the keep-alives and record-routes and forwards the other
requests (tests/system/kamailio.py): those arriving over TLS (from the
gateway) to a SIPp user on 127.0.0.1, those arriving over UDP to the
gateway's forwarded TLS port. The gateway's Record-Route names its guest
address, which Kamailio reaches through that port too.
 - Rule 3: a SIPp caller, no registered user, calls a number no one
   registered over UDP: the gateway sends the INVITE over TLS to Kamailio,
   which sends it to the SIPp callee (sipp/route_caller.xml and
   route_callee.xml). INVITE, 180, 200, ACK and BYE complete: both SIPps
   count one successful call, Kamailio logs the INVITE, ACK and BYE from
   the gateway over TLS, the callee sees the Record-Route of both, and
   `vgw sip calls --json` shows the call answered, caller leg UDP, callee
   leg TLS to Kamailio, then ended by BYE.
 - From a proxy: the gateway counts Kamailio's TLS connection (from
   10.0.2.2, slirp's host address, with Kamailio's TLS port in its Via) as the
   proxy, so only rules 1 and 2 apply. An INVITE to the number sent to
   Kamailio comes back 404 from the gateway (rule 3 would have sent it
   back to Kamailio). The SIPp callee registers at the gateway over UDP;
   the SIPp caller sends its INVITE to Kamailio, which forwards it to the
   gateway over TLS, and the gateway to the registered user. The call
   completes; `vgw sip calls` shows the caller leg TLS, the callee leg UDP.
 - Hot swap (IsProxyHotSwap 1, loaded live): a second, silent Kamailio
   that answers keep-alives but never INVITEs becomes ProxyIpIndex 0. The
   call to the number goes to it first; when its INVITE transaction times
   out, the gateway marks it down and sends the INVITE on to the first
   Kamailio, and the call completes there (console log, `vgw sip calls`).
 - No proxy up: both Kamailios stop; once `vgw sip proxies --json` shows
   them down, a call to the number gets 503 and is no call in the table."""
import json
import os
import time

import kamailio
import siptest
import vgwtest
from siptest import kill
from test_sip_call import Caller
from test_sip_proxy_calls import (call_of, free_port, messages,
                                  start_sipp, wait_for)

GW = 'proxyroute'
NAME = 'kamailio.lab.test'
NUMBER = '5551234'
KEEPALIVE_S = 5
# How long the caller holds the answered call before its BYE, for the test
# to read `vgw sip calls` meanwhile.
HOLD_MS = 20000
# A proxy whose TLS connection is refused is down at its next keep-alive;
# generous for a loaded machine running QEMU under TCG.
WAIT_S = 300


def config(tls_ports, hot_swap=0):
    """Proxy Set 1 "CARRIER" with a proxy over TLS at each of TLS_PORTS (by
    name, in ProxyIpIndex order), IsProxyHotSwap HOT_SWAP; IPGroup 0 of
    Type Server names it."""
    ips = ''.join('ProxyIp %d = 1, %d, "%s:%d", 2;\n' % (i, i, NAME, port)
                  for i, port in enumerate(tls_ports))
    return ('[ ProxySet ]\n'
            'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive, '
            'ProxySet_ProxyKeepAliveTime, ProxySet_IsProxyHotSwap;\n'
            'ProxySet 1 = "CARRIER", 1, %d, %d;\n'
            '[ \\ProxySet ]\n'
            '[ ProxyIp ]\n'
            'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, '
            'ProxyIp_IpAddress, ProxyIp_TransportType;\n'
            '%s'
            '[ \\ProxyIp ]\n'
            '[ IPGroup ]\n'
            'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName;\n'
            'IPGroup 0 = 0, "Carrier", "CARRIER";\n'
            '[ \\IPGroup ]\n'
            '[ DNS2IP ]\n'
            'FORMAT DNS2IP_Index = DNS2IP_DomainName, DNS2IP_FirstIpAddress;\n'
            'DNS2IP 0 = "%s", 10.0.2.2;\n'
            '[ \\DNS2IP ]\n' % (KEEPALIVE_S, hot_swap, ips, NAME))


def carrier(run):
    """Proxy Set 1's proxies as `vgw sip proxies --json` shows them, by
    ProxyIpIndex."""
    rows = siptest.vgw_json(run, GW, 'sip', 'proxies').get('proxies') or []
    return {r.get('ip_index'): r for r in rows if r.get('set') == 1}


def wait_carrier(run, what, cond):
    """Polls `vgw sip proxies` until COND(carrier rows) holds; checks that
    it did and returns the last rows."""
    deadline = time.monotonic() + WAIT_S
    rows = carrier(run)
    while not cond(rows) and time.monotonic() < deadline:
        time.sleep(2)
        rows = carrier(run)
    run.check(cond(rows), what, json.dumps(rows, indent=1))
    return rows


def requests_since(k, before):
    """Kamailio K's requests logged after the first BEFORE ones:
    [(method, proto)]."""
    return [(r[0], r[2]) for r in k.requests()[before:] if r[0] != 'OPTIONS']


def call(run, name, caller_port, callee_ports, call_id, callee_user, registered):
    """Runs the SIPp callee (CALLEE_PORTS: where it registers as
    CALLEE_USER, its own port) and, once REGISTERED() holds, the SIPp
    caller (calling CALLEE_USER at CALLER_PORT); checks both SIPps and the
    call in `vgw sip calls` while it is answered and after its BYE. Returns
    the call's row while answered."""
    callee = start_sipp(run, 'route_callee.xml', 'u1', callee_ports[0], call_id,
                        callee_ports[1], '-key', 'callee', callee_user)
    caller = None
    during = {}
    try:
        wait_for(run, '%s: %s registers' % (name, callee_user), lambda ok: ok,
                 registered, callee)
        caller = start_sipp(run, 'route_caller.xml', 'u1', caller_port, call_id, free_port(),
                            '-s', callee_user, '-d', str(HOLD_MS))
        table = wait_for(run, '%s: the call shows as answered in vgw sip calls' % name,
                         lambda t: (call_of(t, call_id) or {}).get('state') == 'answered',
                         lambda: siptest.vgw_json(run, GW, 'sip', 'calls'), caller)
        during = call_of(table, call_id) or {}
        siptest.finish_call(run, name, caller, callee)
    finally:
        kill(callee, caller)
    after = call_of(siptest.vgw_json(run, GW, 'sip', 'calls'), call_id) or {}
    run.check(after.get('state') == 'ended' and after.get('end_reason') == 'BYE' and
              after.get('answer') is not None,
              '%s: vgw sip calls after the call: ended by BYE' % name, after)
    return during


def callee_invite(run):
    """The last INVITE the SIPp callee logged: (its head, [each
    Record-Route entry])."""
    log = messages(run, 'route_callee.xml', 'u1')
    head = []
    for line in log[log.rfind('INVITE sip:'):].splitlines():
        if not line.strip():
            break
        head.append(line.strip())
    routes = [r.strip() for l in head if l.lower().startswith('record-route:')
              for r in l.split(':', 1)[1].split(',')]
    return '\n'.join(head), routes


def through_proxy_set(run, k, gw_udp, uas_port):
    """Rule 3: a call to a number no one registered goes through Kamailio."""
    before = len(k.requests())
    c = call(run, 'rule 3', gw_udp, (k.port, uas_port), 'route-out@vgw.test', NUMBER,
             lambda: len(k.requests('REGISTER')) >= 1)
    run.check(c.get('to', '').startswith('sip:%s@' % NUMBER) and
              c.get('caller', '').startswith('udp 10.0.2.2:') and
              c.get('callee') == 'tls 10.0.2.2:%d' % k.tls_port,
              'rule 3: vgw sip calls shows the caller leg over UDP and the callee leg '
              'over TLS to Kamailio (10.0.2.2:%d)' % k.tls_port, c)
    seen = requests_since(k, before)
    run.check([r for r in seen if r[0] != 'REGISTER'] ==
              [('INVITE', 'tls'), ('ACK', 'tls'), ('BYE', 'tls')],
              'rule 3: Kamailio logged the INVITE, ACK and BYE from the gateway over TLS',
              k.log_tail())
    invite, routes = callee_invite(run)
    run.check(invite.startswith('INVITE sip:%s@127.0.0.1:' % NUMBER) and
              any(r.startswith('<sips:10.0.2.15:') for r in routes) and
              any('127.0.0.1:%d;transport=tls' % k.tls_port in r for r in routes),
              'rule 3: the callee got the INVITE with its Request-URI kept and the '
              'Record-Route of the gateway (sips:) and of Kamailio', invite[:3000])


def from_proxy(run, k, gw_udp):
    """A call from the proxy to a user registered at the gateway; first, to
    a number no one registered: rule 3 is not for requests from a proxy, so
    the gateway answers 404 instead of sending it back to Kamailio."""
    before = len(k.requests())
    c = Caller(k.port)
    try:
        status, h = c.invite_refused(NUMBER, 'route-404@vgw.test', 'fp1')
    finally:
        c.close()
    run.check(status == 404 and [r for r in requests_since(k, before) if r[0] == 'INVITE'] ==
              [('INVITE', 'udp')],
              'from the proxy to a number no one registered: 404 from the gateway, '
              'not sent back to Kamailio', (status, h, k.log_tail()))

    def bob_registered():
        bindings = siptest.registrations(run, GW).get('bindings', [])
        return any(b.get('aor', '').startswith('sip:bob@') for b in bindings)

    c = call(run, 'from the proxy', k.port, (gw_udp, free_port()), 'route-in@vgw.test', 'bob',
             bob_registered)
    run.check(c.get('to', '').startswith('sip:bob@') and
              c.get('caller', '').startswith('tls 10.0.2.2:') and
              c.get('callee', '').startswith('udp 10.0.2.2:'),
              'from the proxy: vgw sip calls shows the caller leg over TLS from Kamailio '
              'and the callee leg over UDP to bob', c)
    seen = requests_since(k, before)
    run.check(seen == [('INVITE', 'udp'), ('ACK', 'udp')] * 2 + [('BYE', 'udp')],
              'from the proxy: Kamailio logged the refused INVITE and its ACK, then the '
              'caller\'s INVITE, ACK and BYE', k.log_tail())
    invite, routes = callee_invite(run)
    run.check(invite.startswith('INVITE sip:bob@127.0.0.1:') and
              any(r.startswith('<sip:10.0.2.15:') for r in routes) and
              any('127.0.0.1:%d;' % k.port in r for r in routes),
              'from the proxy: bob got the INVITE at his registered Contact with the '
              'Record-Route of the gateway and of Kamailio', invite[:3000])


def no_proxy_up(run, kamailios, gw_udp):
    for one in kamailios:
        one.stop()
    wait_carrier(run, 'the Kamailios stopped: vgw sip proxies shows them down',
                 lambda rows: rows and all(r.get('state') == 'down' for r in rows.values()))
    c = Caller(gw_udp)
    try:
        status, h = c.invite_refused(NUMBER, 'route-503@vgw.test', 'np1')
    finally:
        c.close()
    run.check(status == 503, 'no proxy of the Proxy Set up: the call gets 503', h)
    run.check(call_of(siptest.vgw_json(run, GW, 'sip', 'calls'), 'route-503@vgw.test') is None,
              'vgw sip calls: the refused INVITE is no call')


def hot_swap(run, k, silent, ini, gw_udp, uas_port):
    """IsProxyHotSwap: the set's first proxy answers keep-alives but lets
    INVITEs time out; the gateway marks it down and sends the INVITE on to
    the second, through which the call completes."""
    if not run.check(silent.start(), 'a silent Kamailio starts (TLS %d), ignoring INVITEs'
                     % silent.tls_port, silent.log_tail()):
        return
    with open(ini, 'w') as f:
        f.write(config([silent.tls_port, k.tls_port], hot_swap=1))
    p = run.vgw('ini', 'load', '--incremental', '--name', GW, ini, timeout=120)
    run.check(p.returncode == 0, 'hot swap: the silent Kamailio first, IsProxyHotSwap 1, '
              'loaded live', p.stdout + p.stderr)
    wait_carrier(run, 'hot swap: both proxies up, the silent one active',
                 lambda rows: rows.get(0, {}).get('port') == silent.tls_port and
                 rows[0].get('state') == 'up' and rows[0].get('active') is True and
                 rows.get(1, {}).get('state') == 'up')
    registers = len(k.requests('REGISTER'))
    c = call(run, 'hot swap', gw_udp, (k.port, uas_port), 'route-swap@vgw.test', NUMBER,
             lambda: len(k.requests('REGISTER')) > registers)
    run.check(c.get('callee') == 'tls 10.0.2.2:%d' % k.tls_port,
              'hot swap: vgw sip calls shows the callee leg on the second proxy', c)
    run.check([r[2] for r in silent.requests('INVITE')] == ['tls'],
              'hot swap: the silent Kamailio got the INVITE first, over TLS',
              silent.log_tail())
    log = run.console_tail(GW, 400)
    for what, text in (
            ('the first proxy down', 'CARRIER: 10.0.2.2:%d/tls (ProxyIpIndex 0) is down'
             % silent.tls_port),
            ('the hot swap', 'hot swap from 10.0.2.2:%d to 10.0.2.2:%d'
             % (silent.tls_port, k.tls_port))):
        run.check(text in log, 'hot swap: the console log names %s ("%s")' % (what, text),
                  log[-3000:])


def test(run, k, silent, uas_port):
    ini = os.path.join(run.state_root, 'route.ini')
    with open(ini, 'w') as f:
        f.write(config([k.tls_port]))
    if run.up(GW, '--config', ini).returncode != 0:
        return
    ports = (run.status(GW) or {}).get('ports') or {}
    gw_tls = 'sip:127.0.0.1:%d;transport=tls' % ports['sips']
    k.forward = {'tls': 'sip:127.0.0.1:%d' % uas_port, 'udp': gw_tls}
    k.reroute = {'10.0.2.15': gw_tls}
    if not run.check(k.start(), 'Kamailio starts on 127.0.0.1:%d (TLS %d)'
                     % (k.port, k.tls_port), k.log_tail()):
        return
    row = wait_carrier(run, 'Proxy Set CARRIER: Kamailio over TLS comes up',
                       lambda rows: rows.get(0, {}).get('state') == 'up').get(0, {})
    run.check(row.get('transport') == 'tls' and row.get('address') == '10.0.2.2' and
              row.get('port') == k.tls_port,
              'the proxy is Kamailio\'s TLS listener at 10.0.2.2:%d' % k.tls_port, row)

    through_proxy_set(run, k, ports['sip_udp'], uas_port)
    from_proxy(run, k, ports['sip_udp'])
    hot_swap(run, k, silent, ini, ports['sip_udp'], uas_port)
    no_proxy_up(run, (k, silent), ports['sip_udp'])

    table = siptest.vgw_json(run, GW, 'sip', 'calls')
    run.check(table.get('in_progress') == 0 and table.get('total') == 3,
              'vgw sip calls at the end: 3 calls routed, none in progress', table)
    run.check((run.status(GW) or {}).get('crash_count') == 0,
              'vgwd ran through all of it without a crash')


def main(run):
    d = run.state_root
    cert, key = kamailio.make_cert(d, NAME)
    k = kamailio.Kamailio(d, 'kamailio', free_port(), free_port(), cert, key)
    silent = kamailio.Kamailio(d, 'silent', free_port(), free_port(), cert, key,
                               ignore=('INVITE',))
    try:
        test(run, k, silent, free_port())
    finally:
        k.stop()
        silent.stop()


if __name__ == '__main__':
    vgwtest.main(main)
