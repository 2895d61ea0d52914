#!/usr/bin/env python3
"""`vgw cert inject --generate TYPE` (issue 11): a new key made inside the
crypto engine and a self-signed certificate signed by it there, and the
slot a new key goes into.

On a running gateway: `--generate ec-p256 --subject CN=gen.lab.test
--slot 3` installs CN=gen.lab.test in Context 0 with its key in slot 3;
`vgw cert show` names it (self-signed, slot 3), openssl s_client is served
exactly that certificate (the SHA-256 `cert show` gives), its public key
is the one `vgw keystore pub --slot 3` prints and the handshake's
signature is an ECDSA one (made by the engine); `vgw keystore list` says
slot 3's ec-p256 key was generated in the engine, the maintenance port has
no verb that would export it, and `keystore pub` prints a public key and
nothing private. A connection opened before the swap keeps working.
Without `--slot` the new key goes into a free slot, which the output
names (the lowest empty one, 1), and the slot the context left (3) is
named retired; without `--subject` the common name is the gateway's name.
Mistakes are refused before anything changes (usage errors). `vgw cert
csr` prints a PKCS#10 request for the engine key (subject the gateway's
name, or --subject) whose signature openssl verifies and whose public key
is the slot's; signed by a `vgw pki` CA (`vgw pki issue --csr`) and
injected with `--cert --slot`, it is served and openssl verifies it
against that CA. `vgw cert csr --generate` makes the request for a new
key in a free slot it names; its signed certificate injected with that
`--slot` is served. With every other slot holding a user's key (`vgw
keystore gen`, also over the keys swaps retired), a new key without
`--slot` is refused with `no-free-slot`, naming `--slot` and `vgw
keystore`, and nothing changes; `--slot` naming the slot in service works
with a warning, one naming a user's key without; the slot the context
left is then reused. On the stopped gateway `--generate` works offline,
into the slot the same policy picks, and the certificate is served after
`vgw up`."""
import hashlib
import json
import os
import re
import subprocess

import tlsload
import tlspeers
import vgwtest

GW = 'certgen'


def cert_show(run):
    p = run.vgw('cert', 'show', '--json', '--name', GW, timeout=120)
    try:
        return json.loads(p.stdout)
    except ValueError:
        run.check(False, 'vgw cert show --json prints JSON', p.stdout + p.stderr)
        return {}


def keystore_slot(run, slot):
    p = run.vgw('keystore', 'list', '--json', '--name', GW, timeout=120)
    try:
        return next((s for s in json.loads(p.stdout)['slots'] if s['slot'] == slot), {})
    except (ValueError, KeyError, TypeError):
        run.check(False, 'vgw keystore list --json prints the slots', p.stdout + p.stderr)
        return {}


def served(port):
    """(SHA-256 of the certificate the gateway serves, its SPKI DER, the
    peer signature type, the s_client output)."""
    _, _, sig, pem, out = tlspeers.gateway_handshake(port, '-tls1_3')
    der = tlspeers.pem_to_der(pem)
    return (hashlib.sha256(der).hexdigest() if der else None,
            tlspeers.spki_der_of_cert(pem) if pem else b'', sig, out)


def generate(run, *extra):
    return run.vgw('cert', 'inject', '--name', GW, *extra, timeout=300)


def online(run, port):
    before = tlsload.connect(port)
    try:
        run.check(tlsload.options(before, 'gen') == 200, 'OPTIONS before --generate: 200')
        factory = before.getpeercert(binary_form=True)

        p = generate(run, '--generate', 'ec-p256', '--subject', 'CN=gen.lab.test',
                     '--slot', '3')
        run.check(p.returncode == 0 and
                  'context 0: self-signed CN=gen.lab.test installed, its new ec-p256 key '
                  'generated in engine slot 3' in p.stdout,
                  'vgw cert inject --generate ec-p256 --subject CN=gen.lab.test --slot 3',
                  p.stdout + p.stderr)
        show = cert_show(run)
        cert = show.get('certificate') or {}
        run.check(cert.get('subject') == 'CN=gen.lab.test' and
                  cert.get('issuer') == 'CN=gen.lab.test' and show.get('slot') == 3 and
                  show.get('chain') == [],
                  'vgw cert show: CN=gen.lab.test, self-signed, no chain, key in slot 3', show)

        fp, spki, sig, out = served(port)
        run.check(fp is not None and fp == cert.get('sha256'),
                  'openssl s_client is served the certificate cert show names (SHA-256)',
                  '%s vs %s\n%s' % (fp, cert.get('sha256'), out))
        pub = run.vgw('keystore', 'pub', '--slot', '3', '--name', GW, timeout=120)
        run.check(pub.returncode == 0 and spki and tlspeers.pem_to_der(pub.stdout) == spki,
                  'the served certificate\'s public key is engine slot 3\'s (vgw keystore pub)',
                  pub.stdout + pub.stderr)
        run.check(sig == 'ECDSA',
                  'the handshake is signed with the P-256 key (peer signature type)', out)

        slot = keystore_slot(run, 3)
        run.check(slot.get('type') == 'ec-p256' and slot.get('origin') == 'generated',
                  'vgw keystore list: slot 3 holds an ec-p256 key generated in the engine',
                  slot)
        run.check('PRIVATE' not in pub.stdout and 'PUBLIC KEY' in pub.stdout,
                  'vgw keystore pub prints the public key only', pub.stdout)
        p = run.vgw('maint', '--name', GW, 'keystore-export 3', timeout=120)
        run.check(p.returncode == 1 and 'unknown' in p.stderr and 'PRIVATE' not in p.stdout,
                  'the maintenance port has no verb exporting a key', p.stdout + p.stderr)

        run.check(tlsload.options(before, 'gen') == 200 and
                  before.getpeercert(binary_form=True) == factory,
                  'the connection opened before --generate is still answered 200, with the '
                  'certificate it was opened with')
    finally:
        before.close()


def default_subject(run, port):
    """Without --slot the new key goes into a free slot: slot 1, the lowest
    empty one (Context 0 serves from 3, and slot 0's factory key, which it
    left, is retired but an empty slot comes first); slot 3 is retired."""
    p = generate(run, '--generate', 'rsa-2048')
    run.check(p.returncode == 0 and
              'self-signed CN=%s installed, its new rsa-2048 key generated in engine slot 1 '
              '(chosen: an empty slot); the key it left in slot 3 is retired' % GW in p.stdout
              and 'warning' not in p.stderr,
              'vgw cert inject --generate rsa-2048: CN is the gateway\'s name, the key in the '
              'free slot 1 it prints, slot 3 retired', p.stdout + p.stderr)
    show = cert_show(run)
    fp, _, sig, out = served(port)
    run.check((show.get('certificate') or {}).get('subject') == 'CN=%s' % GW and
              show.get('slot') == 1 and
              fp == (show.get('certificate') or {}).get('sha256') and
              sig == 'RSA-PSS',
              'the new RSA certificate (slot 1) is served and the handshake is signed with '
              'RSA-PSS', '%s\n%s' % (show, out))
    run.check(keystore_slot(run, 3).get('type') == 'ec-p256',
              'the retired key stays in slot 3 (nothing is deleted)')


def verify_served(run, port, pki, name, what):
    """openssl s_client verifies what the gateway serves against pki's
    root, for host NAME."""
    v = subprocess.run(
        [tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port,
         '-verify_return_error', '-CAfile', pki + '/root.crt', '-verify_hostname', name],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    run.check(v.returncode == 0 and 'Verify return code: 0 (ok)' in v.stdout, what, v.stdout)


def csr(run, port):
    """A request for the context's engine key, then for the one of slot 3
    (retired by the swap above), signed by a `vgw pki` CA with openssl,
    installed with --slot 3: the context goes back to that key."""
    pki = os.path.join(run.state_root, 'pki')
    p = run.vgw('pki', 'ca', '--out', pki + '/root', timeout=120)
    run.check(p.returncode == 0, 'vgw pki ca --out pki/root', p.stdout + p.stderr)
    p = run.vgw('cert', 'csr', '--name', GW, timeout=120)
    run.check(p.returncode == 0 and p.stdout.startswith('-----BEGIN CERTIFICATE REQUEST-----'),
              'vgw cert csr prints a PEM certificate request', p.stdout + p.stderr)
    req = subprocess.run([tlspeers.OPENSSL, 'req', '-noout', '-subject'], input=p.stdout,
                         capture_output=True, text=True, timeout=60)
    run.check(req.stdout.strip() == 'subject=CN = %s' % GW and
              'certificate request for the key in engine slot 1' in p.stderr,
              'its subject is the gateway\'s name by default, its key the context\'s (slot 1, '
              'named on stderr)', req.stdout + req.stderr + p.stderr)

    path = pki + '/gw.csr'
    p = run.vgw('cert', 'csr', '--name', GW, '--slot', '3', '--subject', 'csr.lab.test',
                '--out', path, timeout=120)
    run.check(p.returncode == 0 and os.path.exists(path),
              'vgw cert csr --slot 3 --subject csr.lab.test --out F', p.stdout + p.stderr)
    req = subprocess.run([tlspeers.OPENSSL, 'req', '-in', path, '-verify', '-noout',
                          '-subject', '-pubkey'], capture_output=True, text=True, timeout=60)
    pub = run.vgw('keystore', 'pub', '--slot', '3', '--name', GW, timeout=120)
    run.check(req.returncode == 0 and 'subject=CN = csr.lab.test' in req.stdout and
              tlspeers.pem_to_der(req.stdout[req.stdout.find('-----BEGIN'):]) ==
              tlspeers.pem_to_der(pub.stdout) != b'',
              'openssl req -verify: the request\'s signature verifies, CN=csr.lab.test, '
              'the public key is engine slot 3\'s', req.stdout + req.stderr + pub.stdout)

    p = run.vgw('pki', 'issue', '--ca', pki + '/root', '--csr', path, '--out', pki + '/gw',
                '--role', 'device', '--cn', 'csr.lab.test', timeout=120)
    run.check(p.returncode == 0 and not os.path.exists(pki + '/gw.key'),
              'vgw pki issue --csr signs it with the CA (no key file: the key is the engine\'s)',
              p.stdout + p.stderr)
    p = run.vgw('cert', 'inject', '--name', GW, '--cert', pki + '/gw.crt', '--slot', '3',
                '--ca', pki + '/root.crt', timeout=300)
    run.check(p.returncode == 0 and 'CN=csr.lab.test installed' in p.stdout,
              'vgw cert inject --cert (the signed request) --slot 3', p.stdout + p.stderr)
    verify_served(run, port, pki, 'csr.lab.test',
                  'openssl s_client verifies the CA-signed certificate and its name')
    p = run.vgw('cert', 'csr', '--name', GW, '--slot', '9', timeout=120)
    run.check(p.returncode == 1 and 'slot 9 holds no key' in p.stderr,
              'vgw cert csr for an empty slot is refused', p.stdout + p.stderr)


def csr_generate(run, port):
    """`vgw cert csr --generate`: a new key in a free slot (2: the lowest
    empty one), named with the request; signed and injected with --cert
    --slot 2, Context 0 serves it and slot 3's key is retired again."""
    pki = os.path.join(run.state_root, 'pki')
    path = pki + '/new.csr'
    p = run.vgw('cert', 'csr', '--name', GW, '--generate', 'ec-p256', '--subject',
                'new.lab.test', '--out', path, timeout=120)
    run.check(p.returncode == 0 and
              'certificate request for a new ec-p256 key generated in engine slot 2 '
              '(chosen: an empty slot)' in p.stdout and
              'vgw cert inject --cert F --slot 2' in p.stdout,
              'vgw cert csr --generate ec-p256: a new key in the free slot 2, which it prints',
              p.stdout + p.stderr)
    show = cert_show(run)
    run.check(show.get('slot') == 3 and keystore_slot(run, 2).get('origin') == 'generated',
              '... generated in the engine; Context 0 still serves from slot 3', show)
    p = run.vgw('pki', 'issue', '--ca', pki + '/root', '--csr', path, '--out', pki + '/new',
                '--role', 'device', '--cn', 'new.lab.test', timeout=120)
    run.check(p.returncode == 0, 'vgw pki issue --csr new.csr', p.stdout + p.stderr)
    p = run.vgw('cert', 'inject', '--name', GW, '--cert', pki + '/new.crt', '--slot', '2',
                timeout=300)
    run.check(p.returncode == 0 and 'CN=new.lab.test installed' in p.stdout and
              'key in engine slot 2' in p.stdout and 'slot 3 is retired' in p.stdout,
              'vgw cert inject --cert new.crt --slot 2: installed, slot 3 retired',
              p.stdout + p.stderr)
    verify_served(run, port, pki, 'new.lab.test',
                  'openssl s_client verifies the certificate of the new key and its name')


def keystore_list(run):
    p = run.vgw('keystore', 'list', '--json', '--name', GW, timeout=120)
    try:
        return json.loads(p.stdout)['slots']
    except (ValueError, KeyError):
        run.check(False, 'vgw keystore list --json prints the slots', p.stdout + p.stderr)
        return []


def no_free_slot(run):
    """Slots 0, 1 and 3 hold keys swaps retired, the others are empty but
    2 (the context's). A key a user generates into a retired slot makes it
    the user's: with every slot a user's or the context's, a new key has
    nowhere to go and nothing changes."""
    taken = {s['slot'] for s in keystore_list(run)}
    run.check(taken == {0, 1, 2, 3}, 'slots 0 to 3 hold keys, the others are empty', taken)
    for slot in range(16):
        if slot == 2:
            continue
        p = run.vgw('keystore', 'gen', '--name', GW, '--slot', str(slot), '--type', 'ec-p256',
                    timeout=120)
        if not run.check(p.returncode == 0, 'vgw keystore gen --slot %d (a user\'s key)' % slot,
                         p.stdout + p.stderr):
            return
    show, keys = cert_show(run), keystore_list(run)
    for args in (('cert', 'inject', '--generate', 'ec-p256'),
                 ('cert', 'csr', '--generate', 'ec-p256')):
        p = run.vgw(*args, '--name', GW, timeout=300)
        run.check(p.returncode == 1 and 'no-free-slot' in p.stderr and '--slot' in p.stderr and
                  'vgw keystore' in p.stderr and p.stdout == '',
                  'vgw %s with no free slot: refused, naming --slot and vgw keystore'
                  % ' '.join(args), p.stdout + p.stderr)
    run.check(cert_show(run) == show and keystore_list(run) == keys,
              '... and nothing changed: cert show and every key as before')
    # What is left: name the slot. The one in service works, with a warning.
    p = generate(run, '--generate', 'ec-p256', '--subject', 'inplace.lab.test', '--slot', '2')
    run.check(p.returncode == 0 and 'CN=inplace.lab.test installed' in p.stdout and
              'warning: a TLS Context serves from engine slot 2' in p.stderr,
              'vgw cert inject --generate --slot 2 (the slot in service): done, with a warning '
              'that handshakes under way may fail', p.stdout + p.stderr)
    p = generate(run, '--generate', 'ec-p256', '--subject', 'slot5.lab.test', '--slot', '5')
    run.check(p.returncode == 0 and 'CN=slot5.lab.test installed' in p.stdout and
              'warning' not in p.stderr,
              'vgw cert inject --generate --slot 5 (a user\'s key no context serves): no warning',
              p.stdout + p.stderr)
    p = generate(run, '--generate', 'ec-p256')
    run.check(p.returncode == 0 and 'engine slot 2 (chosen: the slot of a key a swap retired)'
              in p.stdout,
              'then a new key without --slot reuses slot 2, which that swap retired',
              p.stdout + p.stderr)


def refused(run):
    before = cert_show(run)
    cases = [
        (('--generate', 'ec-p256', '--cert', '/dev/null'), 'either --cert or --generate'),
        (('--generate', 'ec-p256', '--key', '/dev/null'), 'no --key'),
        (('--subject', 'CN=x'), 'either --cert or --generate'),
        (('--generate', 'ec-p256', '--subject', 'CN=' + 'x' * 65), '--subject'),
        (('--generate', 'dsa-1024',), 'expected ec-p256, rsa-2048 or rsa-3072'),
    ]
    for args, words in cases:
        p = generate(run, *args)
        run.check(p.returncode == 2 and words in p.stderr,
                  'vgw cert inject %s: usage error naming the mistake' % ' '.join(args)[:60],
                  p.stdout + p.stderr)
    run.check(cert_show(run) == before, 'after the refused commands cert show is unchanged')
    p = generate(run, '--context', '7', '--generate', 'ec-p256', '--slot', '9')
    run.check(p.returncode == 1 and 'no TLS context 7' in p.stderr,
              'a context the TLSContexts table lacks is refused', p.stdout + p.stderr)
    run.check(keystore_slot(run, 9) == {},
              '... before any key is generated (slot 9 is still empty)')


def offline(run):
    p = run.vgw('down', '--name', GW, timeout=120)
    run.check(p.returncode == 0, 'vgw down', p.stdout + p.stderr)
    # Slot 5, which the last swap of no_free_slot retired, is the only
    # one the policy may take.
    p = generate(run, '--generate', 'ec-p256', '--subject', 'offline.lab.test')
    run.check(p.returncode == 0 and 'self-signed CN=offline.lab.test installed' in p.stdout and
              'engine slot 5 (chosen: the slot of a key a swap retired)' in p.stdout and
              'offline' in p.stdout,
              'vgw cert inject --generate on the stopped gateway (offline), no --slot: the '
              'retired slot 5', p.stdout + p.stderr)
    if run.up(GW).returncode != 0:
        return
    port = ((run.status(GW) or {}).get('ports') or {}).get('sips')
    show = cert_show(run)
    fp, _, _, out = served(port)
    run.check((show.get('certificate') or {}).get('subject') == 'CN=offline.lab.test' and
              show.get('slot') == 5 and fp == (show.get('certificate') or {}).get('sha256'),
              'after vgw up the offline-generated certificate (slot 5) is served',
              '%s\n%s' % (show, out))


def test(run):
    if run.up(GW).returncode != 0:
        return
    port = ((run.status(GW) or {}).get('ports') or {}).get('sips')
    if not run.check(port is not None, 'status names the SIPS port'):
        return
    online(run, port)
    default_subject(run, port)
    csr(run, port)
    csr_generate(run, port)
    refused(run)
    log = run.console(GW)
    run.check(re.search(r'tls: context 0: certificate CN=gen\.lab\.test \(sha256 [0-9a-f]{64}\) '
                        r'installed with 0 intermediates, the key in engine slot 3', log)
              is not None,
              'the console log names the generated certificate and its slot', log[-3000:])
    no_free_slot(run)
    offline(run)


if __name__ == '__main__':
    vgwtest.main(test)
