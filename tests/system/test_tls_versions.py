#!/usr/bin/env python3
"""TLS version policy in both roles, under both manuals (issue 11).

One gateway, its policy changed with `vgw ini load --incremental` and
`vgw reset --save` (the version parameters need a reset):

- factory (VgwManualVersion 0 = 6.4, TLSVersion 0 "SSL 2.0-3.0 and TLS
  1.0"): the console says SSL 2.0/3.0 cannot be offered; with the
  engine's factory RSA key the server offers TLS 1.2-1.3 only (the engine
  signs no MD5-SHA1) and says so; a TLS 1.0 client is refused;
- slot 0 becomes an EC key: TLS 1.0, 1.1, 1.2 and 1.3 clients all
  complete a handshake;
- 6.4, TLSVersion 1 "TLS 1.0 only", with a TLSContexts row 0 mask of 8
  that 6.4 ignores: TLS 1.0 only, as server and as client;
- 7.x, context 0 TLSVersion 4 (TLS 1.2 only): only TLS 1.2 both ways; a
  TLS 1.3-only client and a TLS 1.1-only server are refused;
- 7.x, context 0 TLSVersion 5 (TLS 1.0 and 1.2: TLS 1.1 in the gap is
  refused both ways, though BoringSSL negotiates one range), 8 (TLS 1.3
  only), then 0 (the global TLSVersion 1 again), each loaded without a
  reset: a table change is live, and new connections follow it.

Server role: `openssl s_client` limited to one version. A refusal is a
protocol_version alert from whichever side sees no common version first:
the gateway when the ClientHello offers nothing in its policy (s_client
prints "tlsv1 alert protocol version"), or a TLS 1.1/1.2 client that
offered more than the gateway allows and got a TLS 1.0 ServerHello
(TLS <= 1.2 negotiation: the server answers with the highest version it
has below the client's; s_client says "unsupported protocol" and sends
the alert). A server that picks TLS 1.1 inside the gap of mask 5 is
refused by the gateway after its handshake, before any SIP. Client role:
`vgw sip options sips:10.0.2.2:PORT` to `openssl s_server` limited to one
version, which answers the OPTIONS through its stdin when the handshake
completes. Debian's OpenSSL 3 refuses TLS 1.0/1.1 at its default security
level, so both peers run with -cipher DEFAULT@SECLEVEL=0. Each refusal
must be logged with the peer, the context, the rule (`TLSVersion ...`) and
the alert, and counted under `version` in `status --json`."""
import os
import re
import subprocess

import tlspeers
import vgwtest

GW = 'tlsver'
HOST = '10.0.2.2'  # the host, as the gateway reaches it (slirp)
VERSIONS = {'-tls1': 'TLSv1', '-tls1_1': 'TLSv1.1', '-tls1_2': 'TLSv1.2', '-tls1_3': 'TLSv1.3'}
LEGACY = ['-cipher', 'DEFAULT@SECLEVEL=0']


def console(run):
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        return f.read()


def boot_log(run):
    """The console log since the last boot."""
    log = console(run)
    i = log.rfind('tls: TLS Context 0 versions:')
    return log[i:] if i >= 0 else log


def client_hello(port, flag):
    """s_client with one version against the gateway: (protocol
    negotiated or None, whole output)."""
    p = subprocess.run(['openssl', 's_client', '-connect', '127.0.0.1:%d' % port, flag] + LEGACY,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    out = p.stdout + p.stderr
    if re.search(r'^New, TLSv1\.3, ', out, re.M):
        return 'TLSv1.3', out  # s_client leaves before a TLS 1.3 session block
    done = re.search(r'^New, (?!\(NONE\))', out, re.M) is not None
    proto = re.search(r'Protocol\s*:\s*(TLSv1(?:\.\d)?)', out)
    return (proto.group(1) if done and proto else None), out


def check_logged(run, role, rule, refused):
    """The console since boot has a failure line for each of the REFUSED
    handshakes in ROLE naming the peer, the protocol_version alert, the
    context, RULE and the reason `version`."""
    lines = re.findall(r'tls: handshake %s 10\.0\.2\.2:\d+ failed: [^\n]*'
                       % ('with' if role == 'server' else 'to'), boot_log(run))
    want = [l for l in lines if re.search(r'alert (sent|received): protocol version; '
                                          r'TLS Context 0', l)
            and ('rule: ' + rule) in l and l.endswith('reason: version')]
    run.check(len(want) == refused,
              '%s, %s: the console names the peer, alert, context and rule of each of the %d '
              'refusals' % (role, rule, refused), '\n'.join(lines) or run.console_tail(GW))


def tls_status(run):
    return (run.status(GW) or {}).get('tls') or {}


def delta(before, after, key):
    """The counts of AFTER[KEY] that grew since BEFORE[KEY]."""
    b, a = before.get(key) or {}, after.get(key) or {}
    return {k: n - b.get(k, 0) for k, n in a.items() if n != b.get(k, 0)}


def server_role(run, port, accepted, rule):
    """Every version against the gateway as server: ACCEPTED completes,
    the rest are refused with protocol_version and logged with RULE."""
    before = tls_status(run)
    for flag, name in sorted(VERSIONS.items()):
        proto, out = client_hello(port, flag)
        if flag in accepted:
            run.check(proto == name, 'server, %s: s_client %s completes a %s handshake'
                      % (rule, flag, name), out)
        else:
            run.check(proto is None and ('tlsv1 alert protocol version' in out or
                                         'unsupported protocol' in out),
                      'server, %s: s_client %s is refused with a protocol_version alert'
                      % (rule, flag), out)
    refused = len(VERSIONS) - len(accepted)
    check_logged(run, 'server', rule, refused)
    t = tls_status(run)
    run.check(delta(before, t, 'failure_reasons') == ({'version': refused} if refused else {}),
              'server, %s: status counts %d more version failures' % (rule, refused), t)


def dial(run, cert, flag):
    """The gateway sends an OPTIONS to s_server speaking only FLAG;
    returns (sip options outcome, s_server output)."""
    port = tlspeers.free_port()
    return tlspeers.options_to_s_server(
        run, GW, ['-cert', cert + '.crt', '-key', cert + '.key', flag] + LEGACY, port,
        'sips:%s:%d' % (HOST, port))


def client_role(run, cert, accepted, refused, rule):
    """The gateway as client against one-version servers: ACCEPTED
    answer the OPTIONS, REFUSED fail the handshake as `version`, each
    logged with RULE and the alert (sent or received)."""
    before = tls_status(run)
    for flag in accepted:
        o, out = dial(run, cert, flag)
        run.check(o.get('answered') is True and o.get('status') == 200 and
                  'CIPHER is' in out,
                  'client, %s: s_server %s completes the handshake and answers the OPTIONS'
                  % (rule, flag), (o, out))
    for flag in refused:
        o, out = dial(run, cert, flag)
        run.check(o.get('answered') is False and o.get('failure') == 'tls-handshake-failed'
                  and o.get('detail') == 'version' and 'OPTIONS sips' not in out,
                  'client, %s: s_server %s is refused (tls-handshake-failed, version)'
                  % (rule, flag), (o, out))
    check_logged(run, 'client', rule, len(refused))
    t = tls_status(run)
    run.check(delta(before, t, 'client_failure_reasons') ==
              ({'version': len(refused)} if refused else {}) and
              t.get('client_handshakes', 0) - before.get('client_handshakes', 0) ==
              len(accepted),
              'client, %s: status counts %d more handshakes and %d more version failures'
              % (rule, len(accepted), len(refused)), t)


def load(run, what, ini):
    run.ini_load(GW, what, ini)


def reconfigure(run, what, ini):
    load(run, what, ini)
    p = run.vgw('reset', '--name', GW, '--save', timeout=600)
    run.check(p.returncode == 0, 'vgw reset --save applies %s' % what,
              p.stdout + p.stderr + run.console_tail(GW))


def contexts(mask):
    return ('[ TLSContexts ]\nFORMAT Index = Name, TLSVersion;\n'
            'TLSContexts 0 = "default", %d;\n[ \\TLSContexts ]\n' % mask)


def test(run):
    if run.up(GW).returncode != 0:
        return
    port = ((run.status(GW) or {}).get('ports') or {}).get('sips')
    if not run.check(port is not None, 'status reports the SIP TLS port'):
        return
    pki = os.path.join(run.state_root, 'pki')
    os.makedirs(pki)
    p = run.vgw('pki', 'issue', '--self-signed', '--out', pki + '/proxy', '--role', 'proxy',
                '--san', 'ip:' + HOST)
    run.check(p.returncode == 0, 'vgw pki issue: the s_server certificate', p.stdout + p.stderr)
    cert = pki + '/proxy'

    # -- factory: 6.4, TLSVersion 0, the engine's RSA key ----------------
    v = run.param('VgwManualVersion', GW)
    run.check(v.get('value') == '0', 'VgwManualVersion is 0 (6.4) from the factory', v)
    log = boot_log(run)
    run.check('tls: TLS Context 0 versions: TLSVersion 0 (manual 6.4): TLS 1.0-1.3' in log and
              'SSL 2.0/3.0 cannot be offered' in log and
              'as server TLS 1.2 and up only: the crypto engine\'s RSA key' in log,
              'the console says TLSVersion 0 gives TLS 1.0-1.3, that SSL 2.0/3.0 cannot be '
              'offered, and that the RSA engine key serves TLS 1.2 and up', run.console_tail(GW, 60))
    proto, out = client_hello(port, '-tls1')
    run.check(proto is None and 'tlsv1 alert protocol version' in out,
              'factory RSA key: a TLS 1.0 client is refused with protocol_version', out)

    # -- 6.4, TLSVersion 0, an EC key: everything BoringSSL has ------------
    p = run.vgw('keystore', 'gen', '--name', GW, '--slot', '0', '--type', 'ec-p256', timeout=300)
    run.check(p.returncode == 0, 'keystore gen --slot 0 --type ec-p256', p.stdout + p.stderr)
    for flag, name in sorted(VERSIONS.items()):
        proto, out = client_hello(port, flag)
        run.check(proto == name, 'TLSVersion 0, EC key: s_client %s completes a %s handshake'
                  % (flag, name), out)

    # -- 6.4, TLSVersion 1: TLS 1.0 only; the context's mask is not 6.4's --
    rule = 'TLSVersion 1 (manual 6.4): TLS 1.0'
    reconfigure(run, 'TLSVersion 1 under 6.4', 'TLSVersion = 1\n' + contexts(8))
    server_role(run, port, ['-tls1'], rule)
    client_role(run, cert, ['-tls1'], ['-tls1_2', '-tls1_3'], rule)

    # -- 7.x, context 0 TLSVersion 4: TLS 1.2 only ------------------------
    rule = 'TLSContexts 0 TLSVersion 4 (manual 7.x): TLS 1.2'
    reconfigure(run, 'TLSContexts 0 TLSVersion 4 under 7.x',
                'VgwManualVersion = 1\n' + contexts(4))
    server_role(run, port, ['-tls1_2'], rule)
    client_role(run, cert, ['-tls1_2'], ['-tls1_1', '-tls1_3'], rule)

    # -- 7.x, live (a table needs no reset): TLSVersion 5, a gap -----------
    rule = 'TLSContexts 0 TLSVersion 5 (manual 7.x): TLS 1.0, 1.2'
    load(run, 'TLSContexts 0 TLSVersion 5 under 7.x, live', contexts(5))
    server_role(run, port, ['-tls1', '-tls1_2'], rule)
    client_role(run, cert, ['-tls1_2'], ['-tls1_1'], rule)

    # -- 7.x, live: TLSVersion 8, then 0 ----------------------------------
    rule = 'TLSContexts 0 TLSVersion 8 (manual 7.x): TLS 1.3'
    load(run, 'TLSContexts 0 TLSVersion 8 under 7.x, live', contexts(8))
    server_role(run, port, ['-tls1_3'], rule)
    rule = 'TLSContexts 0 TLSVersion 0 -> TLSVersion 1 (manual 7.x): TLS 1.0'
    load(run, 'TLSContexts 0 TLSVersion 0 under 7.x, live', contexts(0))
    server_role(run, port, ['-tls1'], rule)


if __name__ == '__main__':
    vgwtest.main(test)
