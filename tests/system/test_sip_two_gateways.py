#!/usr/bin/env python3
"""Two gateways whose WAN ports are linked by a QEMU socket network on
127.0.0.1 (`vgw up --wan-link`), each the other's Proxy Set over TLS,
completing calls (issue 10).

Gateway A boots with `--wan-link listen:0` (a free port, read back from
`vgw status --json` "wan_link"), gateway B with `--wan-link connect:P`.
Each has a static WAN address (A 192.168.77.1/24, B 192.168.77.2/24), a
SIP Interface on WAN with TLS 5061 beside the LAN one, Proxy Set 1 "PEER"
whose one proxy is the other's WAN address over TLS (OPTIONS keep-alive
every 5 s), an IPGroup of Type Server naming it, and its own test
extension number (A 1000, B 2000).
 - Both links show connected in `vgw status`, and each gateway's
   `vgw sip proxies --json` shows the other up over TLS at its WAN
   address.
 - SIPp (sipp/call.xml over UDP) calls 2000 at A's LAN port: A has no
   user 2000 and routes the INVITE to its Proxy Set, B, over TLS (rule
   3); B's test extension answers and echoes the RTP SIPp plays to it.
   SIPp counts one successful call and none failed; A's `vgw sip calls`
   shows the call ended by BYE, caller leg UDP and callee leg TLS to
   192.168.77.2:5061; B's status counts one more test call answered and
   RTP echoed. Then the same the other way: 1000 called at B's LAN port
   is answered by A.
 - A's capture from boot (`vgw up --capture`, its WAN NIC on the link)
   holds the TLS connection between the WAN addresses on 5061: its
   handshake completed (`vgw handshakes --json`) and application data
   both ways (tshark). There is one connection, opened by whichever
   gateway reached the other first and used by both (RFC 5923 reuse).
 - B stops: A's link shows not connected, its proxy goes down, and a call
   to 2000 at A gets 503.
 - B starts again with a plain `vgw up` (the instance kept
   connect:P): the link is connected again (QEMU's listening side accepts
   anew), A's proxy comes back up and a call to 2000 at A completes.
 - A resets (`vgw reset`, QEMU stays): the link stays connected, both
   proxies come back up (B connects anew), and a call to 1000 at B
   completes.
 - `vgw up --wan-link connect:P` with nobody listening on P fails with
   "no gateway listens on 127.0.0.1:P ..." and leaves nothing running."""
import json
import os
import subprocess
import time

import siptest
import vgwtest
from test_sip_call import Caller, free_udp_port
from test_sip_proxy_calls import free_port
from test_sip_proxy_route import WAIT_S

A, B = 'linka', 'linkb'
WAN = {A: '192.168.77.1', B: '192.168.77.2'}
NUMBER = {A: '1000', B: '2000'}
PEER = {A: B, B: A}
KEEPALIVE_S = 5


def config(gw):
    """GW's ini: static WAN address, SIP Interfaces on LAN and WAN (TLS
    5061), Proxy Set "PEER" with the other gateway's WAN address over TLS,
    IPGroup 0 of Type Server naming it, GW's test extension number; the
    test extension's SDP gives 127.0.0.1 (its RTP port is set once `vgw
    up` has forwarded one)."""
    return ('WANIPMode = 0\n'
            'WANIPAddress = %s\n'
            'WANPrefixLength = 24\n'
            'TestCallNumber = %s\n'
            'TestCallMediaAddress = 127.0.0.1\n'
            '[ SIPInterface ]\n'
            'FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort;\n'
            'SIPInterface 0 = "lan", "LAN", 5060, 5060, 5061;\n'
            'SIPInterface 1 = "wan", "WAN", 0, 0, 5061;\n'
            '[ \\SIPInterface ]\n'
            '[ ProxySet ]\n'
            'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive, '
            'ProxySet_ProxyKeepAliveTime;\n'
            'ProxySet 1 = "PEER", 1, %d;\n'
            '[ \\ProxySet ]\n'
            '[ ProxyIp ]\n'
            'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, '
            'ProxyIp_IpAddress, ProxyIp_TransportType;\n'
            'ProxyIp 0 = 1, 0, "%s:5061", 2;\n'
            '[ \\ProxyIp ]\n'
            '[ IPGroup ]\n'
            'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName;\n'
            'IPGroup 0 = 0, "Peer", "PEER";\n'
            '[ \\IPGroup ]\n' % (WAN[gw], NUMBER[gw], KEEPALIVE_S, WAN[PEER[gw]]))


def peer_proxy(run, gw):
    """GW's proxy of Proxy Set 1 as `vgw sip proxies --json` shows it."""
    rows = siptest.vgw_json(run, gw, 'sip', 'proxies').get('proxies') or []
    return next((r for r in rows if r.get('set') == 1 and r.get('ip_index') == 0), {})


def wait_proxy(run, gw, state, what, cond=lambda row: True):
    """Polls GW's proxy until its state is STATE and COND(row) holds;
    checks that it got there and returns the row."""
    deadline = time.monotonic() + WAIT_S
    row = peer_proxy(run, gw)
    while not (row.get('state') == state and cond(row)) and time.monotonic() < deadline:
        time.sleep(2)
        row = peer_proxy(run, gw)
    run.check(row.get('state') == state and cond(row), what, row)
    return row


def wan_link(run, gw):
    return (run.status(gw) or {}).get('wan_link') or {}


def test_extension(run, gw):
    return ((run.status(gw) or {}).get('sip') or {}).get('test_extension') or {}


def set_media_port(run, gw):
    """Points GW's test extension's SDP at its forwarded RTP ports."""
    rtp = ((run.status(gw) or {}).get('ports') or {}).get('rtp') or [0]
    p = run.vgw('param', 'set', '--name', gw, 'TestCallMediaPort', str(rtp[0]), timeout=60)
    run.check(p.returncode == 0, '%s: TestCallMediaPort set to its forwarded RTP port %d'
              % (gw, rtp[0]), p.stdout + p.stderr)


def call(run, caller, call_id):
    """SIPp calls the other gateway's number at CALLER's LAN port; checks
    SIPp's counters, CALLER's call table and the callee's test extension."""
    callee = PEER[caller]
    what = 'SIPp calls %s at %s' % (NUMBER[callee], caller)
    udp = ((run.status(caller) or {}).get('ports') or {}).get('sip_udp', 0)
    before = test_extension(run, callee)
    rc, out, c = siptest.run_sipp(run, 'call.xml', 'u1', udp, 1, '-s', NUMBER[callee],
                                  '-cid_str', call_id, '-mp', str(free_udp_port()),
                                  '-p', str(free_port()), '-max_invite_retrans', '10')
    run.check(rc == 0 and c.get('SuccessfulCall(C)') == '1' and c.get('FailedCall(C)') == '0',
              '%s: SIPp exit code 0, its stat file counts 1 successful call, 0 failed' % what,
              c or out)
    table = siptest.vgw_json(run, caller, 'sip', 'calls')
    row = next((r for r in table.get('calls', []) if r.get('call_id') == call_id), {})
    run.check(row.get('to', '').startswith('sip:%s@' % NUMBER[callee]) and
              row.get('caller', '').startswith('udp 10.0.2.2:') and
              row.get('callee') == 'tls %s:5061' % WAN[callee] and
              row.get('answer') is not None and row.get('state') == 'ended' and
              row.get('end_reason') == 'BYE',
              '%s: %s\'s vgw sip calls shows it answered, caller leg UDP, callee leg TLS '
              'to %s:5061, ended by BYE' % (what, caller, WAN[callee]), table)
    after = test_extension(run, callee)
    run.check(after.get('calls') == before.get('calls', 0) + 1 and after.get('active') == 0 and
              after.get('echoed_packets', 0) > before.get('echoed_packets', 0),
              '%s: %s\'s test extension answered it and echoed its RTP' % (what, callee),
              {'before': before, 'after': after})


def wan_capture(run, capture):
    """A's capture from boot, of the link: the TLS connection between the
    WAN addresses on 5061 (one, opened by whichever gateway reached the
    other first and reused both ways, RFC 5923), its handshake completed,
    application data both ways."""
    p = run.vgw('capture', 'stop', '--name', A, timeout=120)
    run.check(p.returncode == 0, 'vgw capture stop on %s' % A, p.stdout + p.stderr)
    p = run.vgw('handshakes', '--json', '--filter', 'port=5061', capture, timeout=300)
    try:
        report = json.loads(p.stdout)
    except ValueError:
        report = {}
    seen = [({h.get('client', {}).get('address'), h.get('server', {}).get('address')},
             h.get('server', {}).get('port'), (h.get('outcome') or {}).get('result'))
            for h in report.get('handshakes', [])]
    link = [h for h in seen if h[0] == set(WAN.values())]
    run.check(link and all(h[1] == 5061 and h[2] == 'completed' for h in link),
              'A\'s WAN capture: the TLS handshakes between %s and %s on 5061 completed '
              '(vgw handshakes)' % (WAN[A], WAN[B]), p.stderr + repr(seen))
    t = subprocess.run(['tshark', '-r', capture, '-Y', 'tls.app_data && tcp.port == 5061',
                        '-T', 'fields', '-e', 'frame.interface_name', '-e', 'ip.src',
                        '-e', 'ip.dst'], capture_output=True, text=True, timeout=300)
    flows = {tuple(l.split('\t')) for l in t.stdout.splitlines()}
    run.check({('wan', WAN[A], WAN[B]), ('wan', WAN[B], WAN[A])} <= flows,
              'A\'s WAN capture: TLS application data both ways between the WAN addresses '
              '(tshark)', t.stderr + repr(flows))


def peer_stopped(run):
    p = run.vgw('down', '--name', B, timeout=120)
    run.check(p.returncode == 0, 'vgw down --name %s' % B, p.stdout + p.stderr)
    # QEMU sees the peer's end of the connection in its own time.
    deadline = time.monotonic() + WAIT_S
    link = wan_link(run, A)
    while link.get('connected') is not False and time.monotonic() < deadline:
        time.sleep(1)
        link = wan_link(run, A)
    run.check(link.get('connected') is False,
              'with %s stopped, %s\'s WAN link shows not connected' % (B, A), link)
    wait_proxy(run, A, 'down', 'with %s stopped, %s\'s proxy goes down' % (B, A))
    c = Caller(((run.status(A) or {}).get('ports') or {}).get('sip_udp', 0))
    try:
        status, h = c.invite_refused(NUMBER[B], 'link-503@vgw.test', 'l503')
    finally:
        c.close()
    run.check(status == 503, 'with %s down, a call to %s at %s gets 503' % (B, NUMBER[B], A),
              (status, h))


def peer_restarted(run, port):
    """B comes back with a plain `vgw up`: the instance kept its link."""
    p = run.vgw('up', '--name', B, '--detach', '--sip-port', '0', '--sip-tls-port', '0')
    run.check(p.returncode == 0 and 'wan link   connect 127.0.0.1:%d' % port in p.stdout,
              '%s starts again without --wan-link and keeps connect:%d' % (B, port),
              p.stdout + p.stderr + run.console_tail(B))
    for gw in (A, B):
        link = wan_link(run, gw)
        run.check(link.get('connected') is True, '%s restarted: %s\'s WAN link is connected '
                  'again' % (B, gw), link)
    wait_proxy(run, A, 'up', '%s restarted: %s\'s proxy comes back up' % (B, A))
    set_media_port(run, B)
    call(run, A, 'link-again@vgw.test')


def own_reset(run):
    """A resets (the firmware reboots, QEMU stays): the link stays
    connected, A's proxy comes back up, and so does B's, whose TLS
    connection to A the reboot broke: a call to 1000 at B completes."""
    old = peer_proxy(run, B).get('connection')
    p = run.vgw('reset', '--name', A, timeout=600)
    run.check(p.returncode == 0, 'vgw reset --name %s' % A, p.stdout + p.stderr)
    link = wan_link(run, A)
    run.check(link.get('mode') == 'listen' and link.get('connected') is True,
              'after vgw reset, %s\'s WAN link is still there and connected' % A, link)
    wait_proxy(run, A, 'up', 'after %s\'s reset, its proxy is up again' % A)
    # B finds its connection to A gone at its next keep-alive, and
    # connects anew.
    wait_proxy(run, B, 'up', 'after %s\'s reset, %s\'s proxy is up again on a new '
               'connection (it was %s)' % (A, B, old),
               lambda row: row.get('connection') not in (None, old))
    set_media_port(run, A)
    call(run, B, 'link-after-reset@vgw.test')


def nobody_listening(run):
    """`vgw up --wan-link connect:P` with nobody on P: a clear error, and
    no gateway left running."""
    port = free_port()
    p = run.vgw('up', '--name', 'linkc', '--detach', '--sip-port', '0', '--sip-tls-port', '0',
                '--wan-link', 'connect:%d' % port)
    run.check(p.returncode == 1 and p.stderr.startswith(
        'vgw: no gateway listens on 127.0.0.1:%d for --wan-link connect:%d' % (port, port)),
        'vgw up --wan-link connect:P with nobody listening fails and says so',
        p.stdout + p.stderr)
    run.check((run.status('linkc') or {}).get('state') == 'stopped',
              'and leaves no gateway running')


def test(run):
    capture = os.path.join(run.state_root, 'a-wan.pcapng')
    ini = {}
    for gw in (A, B):
        ini[gw] = os.path.join(run.state_root, gw + '.ini')
        with open(ini[gw], 'w') as f:
            f.write(config(gw))
    if run.up(A, '--config', ini[A], '--wan-link', 'listen:0', '--capture', capture
              ).returncode != 0:
        return
    link = wan_link(run, A)
    port = link.get('port') or 0
    run.check(link.get('mode') == 'listen' and link.get('address') == '127.0.0.1' and
              port > 0 and link.get('connected') is False,
              '%s listens for its WAN link on a free port of 127.0.0.1, nobody connected yet'
              % A, link)
    if run.up(B, '--config', ini[B], '--wan-link', 'connect:%d' % port).returncode != 0:
        return
    for gw in (A, B):
        link = wan_link(run, gw)
        run.check(link.get('port') == port and link.get('connected') is True,
                  '%s\'s WAN link on 127.0.0.1:%d is connected' % (gw, port), link)
    for gw in (A, B):
        row = wait_proxy(run, gw, 'up', '%s\'s Proxy Set PEER: %s comes up' % (gw, PEER[gw]))
        run.check(row.get('transport') == 'tls' and row.get('address') == WAN[PEER[gw]] and
                  row.get('port') == 5061 and (row.get('last_response') or {}).get('code') == 200,
                  '%s\'s proxy is %s over TLS at %s:5061, answering OPTIONS with 200'
                  % (gw, PEER[gw], WAN[PEER[gw]]), row)
        set_media_port(run, gw)

    call(run, A, 'link-a-to-b@vgw.test')
    call(run, B, 'link-b-to-a@vgw.test')
    wan_capture(run, capture)
    peer_stopped(run)
    peer_restarted(run, port)
    own_reset(run)
    nobody_listening(run)
    for gw in (A, B):
        run.check((run.status(gw) or {}).get('crash_count') == 0,
                  '%s: vgwd ran through all of it without a crash' % gw)


if __name__ == '__main__':
    vgwtest.main(test)
