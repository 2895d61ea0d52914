#!/usr/bin/env python3
"""TLS Context 0's certificate injected and validated (issue 11).

`vgw pki` makes a root, an intermediate and device certificates. A good
bundle (certificate, chain, key, the root as trusted root) injected into
Context 0 of a running gateway is what `openssl s_client
-verify_return_error -CAfile root` then verifies, chain and SAN; a TLS
connection opened before the swap still gets its OPTIONS answered after
it. Each bad bundle is refused with its reason as the first word of the
error, and `vgw cert show --json` and the engine's key are unchanged after
it: a key that is not the certificate's, an expired certificate, a
certificate whose intermediate is missing (the root alone is trusted),
an EKU of clientAuth only. The good bundle's key went into a free slot
(1), slot 0 serving until the commit. The console log names the installed and the
refused bundles. A bundle injected offline into the stopped gateway is
served after `vgw up`, and still after `vgw reset --save`. Last, the 6.4
way: `vgw up --config F.ini` naming HTTPSCertFileName, HTTPSPkeyFileName
and HTTPSRootFileName (files beside the ini) serves that bundle; an ini
naming an expired certificate is rejected and nothing starts. Then a
second context: a gateway whose second SIP Interface (lan-2, TLS 5071)
names TLSContexts row 1 "ctx1" serves context 0's certificate on both
TLS ports until a bundle is injected into context 1; then lan-2's port
serves it (verified against the root, its SAN) and lan-main's still the
factory one, the console's handshake lines say which context each
connection got and why, and a reset keeps it; a new key in its slot
without a bundle for it makes lan-2 fall back to context 0, logged."""
import json
import os
import re
import ssl
import subprocess

import tlspeers
import vgwtest
from test_sip_options import check_options_ok, recv_response, request
from test_sip_tls import tls_client

GW = 'tlsctx'
GW_INI = 'tlsctxini'
GW_TWO = 'tlsctx2'
TWO_INI = """[ TLSContexts ]
FORMAT Index = Name;
TLSContexts 1 = "ctx1";
[ \\TLSContexts ]
[ SIPInterface ]
FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort, TLSContext;
SIPInterface 0 = "lan-main", "LAN", 5060, 5060, 5061, "default";
SIPInterface 1 = "lan-2", "LAN", 5070, 5070, 5071, "ctx1";
[ \\SIPInterface ]
"""


def sips_port(run):
    st = run.status(GW) or {}
    return (st.get('ports') or {}).get('sips')


def cert_show(run):
    p = run.vgw('cert', 'show', '--json', '--name', GW, timeout=120)
    try:
        return json.loads(p.stdout)
    except ValueError:
        run.check(False, 'vgw cert show --json prints JSON', p.stdout + p.stderr)
        return None


def keys_fingerprints(run):
    p = run.vgw('keystore', 'list', '--json', '--name', GW, timeout=120)
    try:
        return {s['slot']: s['fingerprint'] for s in json.loads(p.stdout)['slots']}
    except (ValueError, KeyError, TypeError):
        run.check(False, 'vgw keystore list --json prints the slots', p.stdout + p.stderr)
        return None


def verify(run, pki, port, host, what):
    """openssl s_client verifying the gateway against the root only, and
    the name HOST against its SAN; returns the served subject."""
    p = subprocess.run(
        [tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port,
         '-verify_return_error', '-CAfile', pki + '/root.crt', '-verify_hostname', host],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    ok = p.returncode == 0 and 'Verify return code: 0 (ok)' in out
    depth = re.findall(r'^depth=(\d) CN = (\S+)', out, re.M)
    run.check(ok and depth == [('2', 'root'), ('1', 'inter'), ('0', host.split('.')[0])],
              '%s: openssl s_client -verify_return_error -CAfile root verifies the chain '
              'root > inter > %s and the name %s' % (what, host.split('.')[0], host), out)


def pki_issue(run, pki, name, *extra):
    p = run.vgw('pki', 'issue', '--ca', pki + '/inter', '--out', pki + '/' + name,
                '--role', 'device', *extra, timeout=120)
    run.check(p.returncode == 0, 'vgw pki issue %s' % name, p.stdout + p.stderr)


def make_pki(run, pki):
    for args in (('ca', '--out', pki + '/root'),
                 ('ca', '--out', pki + '/inter', '--issuer', pki + '/root')):
        p = run.vgw('pki', *args, timeout=120)
        run.check(p.returncode == 0, 'vgw pki %s' % ' '.join(args[:2]), p.stdout + p.stderr)
    pki_issue(run, pki, 'gw', '--san', 'dns:gw.lab.test')
    pki_issue(run, pki, 'other')
    pki_issue(run, pki, 'old', '--not-before', '-30d', '--not-after', '-1d')
    pki_issue(run, pki, 'cli', '--eku', 'client')
    pki_issue(run, pki, 'gw2', '--san', 'dns:gw2.lab.test')


def inject(run, pki, name, *extra):
    return run.vgw('cert', 'inject', '--name', GW, '--cert', '%s/%s.crt' % (pki, name), *extra,
                   timeout=300)


def bad_bundles(run, pki):
    """Each refused with its reason; nothing changes."""
    before = cert_show(run)
    key_before = keys_fingerprints(run)
    cases = [
        ('key-mismatch', 'a key that is not the certificate\'s (the context\'s slot holds '
         'gw\'s)',
         'other', ('--chain', pki + '/other.chain')),
        ('expired', 'an expired certificate',
         'old', ('--chain', pki + '/old.chain', '--key', pki + '/old.key')),
        ('untrusted', 'the intermediate missing, only the root trusted',
         'gw', ('--key', pki + '/gw.key')),
        ('no-server-auth', 'an EKU of clientAuth only',
         'cli', ('--chain', pki + '/cli.chain', '--key', pki + '/cli.key')),
    ]
    for reason, what, name, extra in cases:
        p = inject(run, pki, name, *extra)
        err = p.stderr.strip()
        run.check(p.returncode == 1 and re.fullmatch(r'vgw: cert-\w+: %s: .+' % reason, err),
                  'bad bundle (%s) refused with reason %s' % (what, reason), p.stdout + err)
        run.check(cert_show(run) == before and keys_fingerprints(run) == key_before,
                  'after the refused %s bundle: vgw cert show and the engine\'s keys are '
                  'unchanged' % reason)


def good_bundle(run, pki, port):
    # A connection made before the swap, with the factory certificate.
    s = tls_client(port, ssl.TLSVersion.TLSv1_3)
    try:
        s.sendall(request('OPTIONS', 'TLS', 'pre1', 'pre-1@test', scheme='sips'))
        check_options_ok(run, 'OPTIONS before the swap', recv_response(s), 'TLS', 'pre1',
                         'pre-1@test', scheme='sips')
        factory = s.getpeercert(binary_form=True)

        p = inject(run, pki, 'gw', '--chain', pki + '/gw.chain', '--key', pki + '/gw.key',
                   '--ca', pki + '/root.crt')
        run.check(p.returncode == 0 and 'CN=gw installed with 1 intermediate' in p.stdout,
                  'vgw cert inject of the good bundle into context 0', p.stdout + p.stderr)
        show = cert_show(run) or {}
        run.check((show.get('certificate') or {}).get('subject') == 'CN=gw' and
                  [c.get('subject') for c in show.get('chain', [])] == ['CN=inter'] and
                  [c.get('subject') for c in show.get('roots', [])] == ['CN=root'] and
                  show.get('slot') == 1,
                  'vgw cert show: CN=gw, chain CN=inter, trusted root CN=root, its key in slot '
                  '1 (the free slot vgw chose: slot 0 served until the commit)', show)
        verify(run, pki, port, 'gw.lab.test', 'after the inject')

        s.sendall(request('OPTIONS', 'TLS', 'pre2', 'pre-2@test', scheme='sips'))
        check_options_ok(run, 'OPTIONS after the swap on the connection opened before it',
                         recv_response(s), 'TLS', 'pre2', 'pre-2@test', scheme='sips')
        run.check(s.getpeercert(binary_form=True) == factory,
                  'that connection still has the certificate it was opened with')
    finally:
        s.close()


def offline(run, pki):
    p = run.vgw('down', '--name', GW, timeout=120)
    run.check(p.returncode == 0, 'vgw down', p.stdout + p.stderr)
    p = inject(run, pki, 'gw2', '--chain', pki + '/gw2.chain', '--key', pki + '/gw2.key')
    run.check(p.returncode == 0 and 'offline' in p.stdout,
              'vgw cert inject on the stopped gateway (offline)', p.stdout + p.stderr)
    show = cert_show(run) or {}
    run.check((show.get('certificate') or {}).get('subject') == 'CN=gw2' and
              [c.get('subject') for c in show.get('roots', [])] == ['CN=root'],
              'vgw cert show offline: CN=gw2, the trusted root kept', show)
    if run.up(GW).returncode != 0:
        return
    port = sips_port(run)
    verify(run, pki, port, 'gw2.lab.test', 'offline inject, then vgw up')
    p = run.vgw('reset', '--save', '--name', GW, timeout=600)
    run.check(p.returncode == 0, 'vgw reset --save', p.stdout + p.stderr)
    verify(run, pki, sips_port(run), 'gw2.lab.test', 'after vgw reset --save')


def config_files(run, pki):
    """Context 0's files named in the ini, beside it."""
    d = os.path.join(run.state_root, 'ini')
    os.makedirs(d)
    for name in ('gw2', 'old'):
        with open(os.path.join(d, name + '.pem'), 'w') as out:
            for part in ('.crt', '.chain'):
                with open(os.path.join(pki, name + part)) as f:
                    out.write(f.read())
        with open(os.path.join(pki, name + '.key')) as f, \
                open(os.path.join(d, name + '.key'), 'w') as out:
            out.write(f.read())
    with open(os.path.join(pki, 'root.crt')) as f, open(os.path.join(d, 'root.pem'), 'w') as out:
        out.write(f.read())
    for name in ('gw2', 'old'):
        with open(os.path.join(d, name + '.ini'), 'w') as f:
            f.write('HTTPSCertFileName = %s.pem\nHTTPSPkeyFileName = %s.key\n'
                    'HTTPSRootFileName = root.pem\n' % (name, name))

    p = run.vgw('up', '--name', GW_INI, '--detach', '--sip-port', '0', '--sip-tls-port', '0',
                '--config', os.path.join(d, 'old.ini'))
    run.check(p.returncode == 1 and re.search(
        r'^vgw: \S+/old\.pem: expired: certificate CN=old has expired \(notAfter [^)]+\) '
        r'\(--config rejected; nothing started\)$', p.stderr.strip()) is not None and
        not os.path.exists(os.path.join(run.state_root, GW_INI)),
        'vgw up --config naming an expired HTTPSCertFileName: rejected, nothing started',
        p.stdout + p.stderr)

    p = run.up(GW_INI, '--config', os.path.join(d, 'gw2.ini'))
    if p.returncode != 0:
        return
    run.check('context 0: CN=gw2 installed' in p.stdout,
              'vgw up --config installs the files HTTPSCertFileName, HTTPSPkeyFileName and '
              'HTTPSRootFileName name', p.stdout)
    st = run.status(GW_INI) or {}
    verify(run, pki, (st.get('ports') or {}).get('sips'), 'gw2.lab.test',
           'vgw up --config with HTTPS*FileName')


def served_subject(port):
    p = subprocess.run([tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    m = re.search(r'^subject=CN = (\S+)', p.stdout, re.M)
    return m.group(1) if m else p.stdout + p.stderr


def two_ports(run):
    """(lan-main's TLS port, lan-2's TLS port) on the host."""
    st = run.status(GW_TWO) or {}
    fwd = {(f.get('proto'), f.get('guest')): f.get('host') for f in st.get('forwards', [])}
    return (st.get('ports') or {}).get('sips'), fwd.get(('tcp', 5071))


def second_context(run, pki):
    ini = os.path.join(run.state_root, 'two.ini')
    with open(ini, 'w') as f:
        f.write(TWO_INI)
    pki_issue(run, pki, 'ctx1', '--san', 'dns:ctx1.lab.test')
    if run.up(GW_TWO, '--config', ini).returncode != 0:
        return
    main, lan2 = two_ports(run)
    if not run.check(main is not None and lan2 is not None,
                     'status: lan-main\'s TLS port and the forward of lan-2\'s TLS port 5071',
                     (main, lan2)):
        return
    factory = served_subject(main)
    run.check(factory.startswith('ACL_') and served_subject(lan2) == factory,
              'before context 1 has a certificate both TLS ports serve context 0\'s (%s)'
              % factory[:40])
    p = run.vgw('cert', 'show', '--json', '--name', GW_TWO, '--context', '1', timeout=120)
    try:
        shown = json.loads(p.stdout)
    except ValueError:
        shown = {}
    run.check(shown.get('name') == 'ctx1' and shown.get('certificate') is None and
              shown.get('slot') == 1,
              'vgw cert show --context 1: ctx1, no certificate yet, slot 1', p.stdout + p.stderr)
    p = run.vgw('cert', 'inject', '--name', GW_TWO, '--context', '1',
                '--cert', pki + '/ctx1.crt', '--chain', pki + '/ctx1.chain',
                '--key', pki + '/ctx1.key', '--ca', pki + '/root.crt', timeout=300)
    run.check(p.returncode == 0 and 'context 1: CN=ctx1 installed' in p.stdout,
              'vgw cert inject --context 1 (key into slot 1)', p.stdout + p.stderr)
    verify(run, pki, lan2, 'ctx1.lab.test', 'lan-2 (TLSContext ctx1)')
    run.check(served_subject(main) == factory,
              'lan-main (TLSContext default) still serves context 0\'s certificate')
    with open(os.path.join(run.state_root, GW_TWO, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check(re.search(r"tls: handshake with 10\.0\.2\.2:\d+: TLSv1\.3, .*engine key "
                        r"\(slot 1\); TLS Context 1 \(SIP Interface lan-2's TLSContext ctx1\)",
                        log) is not None and
              re.search(r"tls: handshake with 10\.0\.2\.2:\d+: .*engine key \(slot 0\); "
                        r"TLS Context 0 \(SIP Interface lan-main's TLSContext default\)",
                        log) is not None,
              'the console log says for each connection which context it got and why',
              log[-3000:])
    p = run.vgw('reset', '--name', GW_TWO, timeout=600)
    run.check(p.returncode == 0, 'vgw reset', p.stdout + p.stderr)
    main, lan2 = two_ports(run)
    verify(run, pki, lan2, 'ctx1.lab.test', 'after the reset, lan-2')

    # A new key in slot 1 without a bundle for it: ctx1's certificate no
    # longer fits, so lan-2 falls back to context 0's, and says so.
    p = run.vgw('keystore', 'gen', '--name', GW_TWO, '--slot', '1', '--type', 'ec-p256',
                timeout=300)
    run.check(p.returncode == 0, 'vgw keystore gen --slot 1 (context 1\'s key replaced)',
              p.stdout + p.stderr)
    run.check(served_subject(lan2) == served_subject(main),
              'with its key replaced, context 1 is not served: lan-2 serves context 0\'s '
              'certificate')
    with open(os.path.join(run.state_root, GW_TWO, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check(re.search(r"TLS Context 0 \(SIP Interface lan-2's TLSContext ctx1, but context 1 "
                        r"has no usable certificate\)", log) is not None and
              'tls: context 1 cannot be served' in log,
              'the console log says why lan-2 fell back to context 0', log[-3000:])


def test(run):
    pki = os.path.join(run.state_root, 'pki')
    make_pki(run, pki)
    if run.up(GW).returncode != 0:
        return
    port = sips_port(run)
    if not run.check(port is not None, 'status names the SIPS port'):
        return
    good_bundle(run, pki, port)
    bad_bundles(run, pki)
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check(re.search(r'tls: context 0: certificate CN=gw \(sha256 [0-9a-f]{64}\) installed',
                        log) is not None and
              all(re.search(r'tls: context 0: certificate bundle refused: %s: ' % r, log)
                  for r in ('key-mismatch', 'expired', 'untrusted', 'no-server-auth')),
              'the console log names the installed bundle and each refusal with its reason',
              log[-3000:])
    offline(run, pki)
    p = run.vgw('down', '--name', GW, timeout=120)
    run.check(p.returncode == 0, 'vgw down', p.stdout + p.stderr)
    config_files(run, pki)
    p = run.vgw('down', '--name', GW_INI, timeout=120)
    run.check(p.returncode == 0, 'vgw down', p.stdout + p.stderr)
    second_context(run, pki)


if __name__ == '__main__':
    vgwtest.main(test)
