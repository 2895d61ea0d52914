#!/usr/bin/env python3
"""The crypto engine end to end: the gateway's TLS identity lives in the
engine, openssl s_client completes TLS 1.3 and 1.2 handshakes against it,
the key survives resets and power cycles, locked slots refuse imports, keys
provisioned offline are the ones served, and no private key byte shows up
in the keystore file, the flash, the console log or anything vgw printed."""
import base64
import hashlib
import os
import re
import subprocess
import tempfile
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import tlspeers
import vgwtest

GW = 'ks'


class Outputs:
    """Everything vgw printed during the test, to search for key bytes."""

    def __init__(self):
        self.text = []

    def add(self, p):
        self.text.append(p.stdout + p.stderr)
        return p


def sips_port(run):
    st = run.status(GW) or {}
    return (st.get('ports') or {}).get('sips')


def openssl(*args, stdin=None):
    return subprocess.run(['openssl'] + list(args), input=stdin, capture_output=True,
                          text=True, timeout=60)


def keystore_list(run, outputs):
    p = outputs.add(run.vgw('keystore', 'list', '--json', '--name', GW, timeout=120))
    try:
        import json
        return {s['slot']: s for s in json.loads(p.stdout)['slots']}
    except (ValueError, KeyError, TypeError):
        run.check(False, 'vgw keystore list --json prints the slots', p.stdout + p.stderr)
        return {}


def engine_pub(run, outputs, slot):
    p = outputs.add(run.vgw('keystore', 'pub', '--name', GW, '--slot', str(slot), timeout=120))
    return tlspeers.pem_to_der(p.stdout)


def served_identity(run, what):
    """Handshakes with TLS 1.3 and returns the served certificate's SPKI."""
    port = sips_port(run)
    proto, _, _, cert, out = tlspeers.gateway_handshake(port, '-tls1_3')
    run.check(proto == 'TLSv1.3' and cert is not None, 'TLS 1.3 handshake %s' % what, out)
    return tlspeers.spki_der_of_cert(cert) if cert else b''


def secret_forms(blobs):
    """The byte strings that must appear nowhere: each secret raw, in hex
    (both cases) and in base64."""
    forms = []
    for b in blobs:
        forms += [b, b.hex().encode(), b.hex().upper().encode(), base64.b64encode(b)]
    return forms


def private_parts(key):
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return [key.private_numbers().private_value.to_bytes(32, 'big')]
    n = key.private_numbers()
    size = (key.key_size + 15) // 16
    return [n.p.to_bytes(size, 'big'), n.q.to_bytes(size, 'big'),
            n.d.to_bytes(key.key_size // 8, 'big')]


def write_key(path, key):
    with open(path, 'wb') as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def spki_of_key(key):
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def test(run):
    outputs = Outputs()
    tmp = tempfile.mkdtemp(prefix='vgwks-', dir=run.state_root)
    sdir = os.path.join(run.state_root, GW)
    outputs.add(run.up(GW))
    st = run.status(GW) or {}
    serial = st.get('serial')
    port = sips_port(run)
    run.check(isinstance(port, int) and port > 0, 'status reports the forwarded SIPS port', st)

    # -- The factory identity: generated in the engine on first boot -----
    slots = keystore_list(run, outputs)
    s0 = slots.get(0, {})
    run.check(s0.get('origin') == 'generated' and s0.get('type') == 'rsa-2048' and
              not s0.get('locked'),
              'slot 0 holds the device key the engine generated on first boot (rsa-2048)', slots)
    pub0 = engine_pub(run, outputs, 0)
    run.check(hashlib.sha256(pub0).hexdigest() == s0.get('fingerprint'),
              'keystore list fingerprint is the SHA-256 of the exported public key',
              (s0, hashlib.sha256(pub0).hexdigest()))

    for version, label in (('-tls1_3', 'TLSv1.3'), ('-tls1_2', 'TLSv1.2')):
        proto, cipher, sig, cert, out = tlspeers.gateway_handshake(port, version)
        run.check(proto == label, 'openssl s_client %s completes a %s handshake (%s)'
                  % (version, label, cipher), out)
        run.check(sig is not None and ('rsa' in sig.lower()),
                  '%s: the server signed the handshake with its RSA key (%s)' % (label, sig), out)
        # An unparsed certificate fails here; the checks below then fail too.
        run.check(cert is not None, '%s: s_client shows the served certificate' % label, out)
        cert = cert or ''
        # The handshake's signature was checked by openssl against the
        # certificate's key; that key must be the engine's.
        run.check(cert and tlspeers.spki_der_of_cert(cert) == pub0,
                  '%s: the served certificate carries the engine-held public key' % label)
        cert_path = os.path.join(tmp, 'served.pem')
        with open(cert_path, 'w') as f:
            f.write(cert)
        subj = openssl('x509', '-in', cert_path, '-noout', '-subject', '-nameopt', 'RFC2253')
        run.check(subj.stdout.strip() == 'subject=CN=ACL_%s' % serial,
                  '%s: the certificate is CN=ACL_<serial> (%s)' % (label, subj.stdout.strip()),
                  subj.stdout + subj.stderr)
        # Self-signed through the engine: its signature verifies under the
        # engine's public key.
        v = openssl('verify', '-CAfile', cert_path, cert_path)
        run.check(v.returncode == 0, '%s: the self-signed certificate\'s signature verifies' % label,
                  v.stdout + v.stderr)

    # -- A refused handshake is logged with peer, context, reason, alert --
    p = subprocess.run(['openssl', 's_client', '-connect', '127.0.0.1:%d' % port, '-tls1_1',
                        '-cipher', 'DEFAULT@SECLEVEL=0'],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    run.check(p.returncode != 0, 'a TLS 1.1 client is refused', p.stdout + p.stderr)
    log = ''
    for _ in range(20):
        log = open(os.path.join(sdir, 'console.log'), errors='replace').read()
        if 'UNSUPPORTED_PROTOCOL' in log:
            break
        time.sleep(0.5)
    run.check(re.search(r'tls: handshake with 10\.0\.2\.2:\d+ failed: UNSUPPORTED_PROTOCOL; '
                        r'alert sent: protocol version; TLS Context 0 \(default', log) is not None,
              'the console log names the peer, the reason, the alert sent and the TLS Context',
              run.console_tail(GW))

    # -- The key survives a hard reset and a power cycle -----------------
    p = outputs.add(run.vgw('reset', '--hard', '--name', GW))
    run.check(p.returncode == 0, 'vgw reset --hard', p.stdout + p.stderr)
    run.check(served_identity(run, 'after reset --hard') == pub0,
              'after vgw reset --hard the gateway serves the same engine key')
    p = outputs.add(run.vgw('down', '--name', GW))
    run.check(p.returncode == 0, 'vgw down', p.stderr)
    outputs.add(run.up(GW))
    run.check(served_identity(run, 'after down/up') == pub0,
              'after vgw down/up the gateway serves the same engine key')
    run.check(keystore_list(run, outputs).get(0, {}).get('fingerprint') == s0.get('fingerprint'),
              'slot 0 fingerprint unchanged after down/up')

    # -- Locking ----------------------------------------------------------
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_path = os.path.join(tmp, 'ec.pem')
    write_key(ec_path, ec_key)
    p = outputs.add(run.vgw('keystore', 'gen', '--name', GW, '--slot', '3', '--type', 'ec-p256',
                            timeout=120))
    run.check(p.returncode == 0, 'keystore gen --slot 3 --type ec-p256', p.stdout + p.stderr)
    p = outputs.add(run.vgw('keystore', 'lock', '--name', GW, '--slot', '3', timeout=120))
    run.check(p.returncode == 0, 'keystore lock --slot 3', p.stdout + p.stderr)
    before = keystore_list(run, outputs).get(3, {})
    run.check(before.get('locked') is True and before.get('type') == 'ec-p256',
              'keystore list shows slot 3 locked', before)
    p = outputs.add(run.vgw('keystore', 'import', '--name', GW, '--slot', '3', '--key', ec_path,
                            timeout=120))
    run.check(p.returncode == 1 and 'locked' in p.stderr and p.stderr.count('\n') == 1,
              'importing into a locked slot is refused with one line naming the lock',
              'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))
    run.check(keystore_list(run, outputs).get(3, {}).get('fingerprint') == before.get('fingerprint'),
              'the locked slot still holds its key')

    # -- Online import into slot 0: served at once -----------------------
    p = outputs.add(run.vgw('keystore', 'import', '--name', GW, '--slot', '0', '--key', ec_path,
                            timeout=120))
    run.check(p.returncode == 0, 'keystore import --slot 0 of a P-256 key on the running gateway',
              p.stdout + p.stderr)
    run.check(served_identity(run, 'after an online import') == spki_of_key(ec_key),
              'the imported P-256 key is served right away, without a reset')

    # -- Offline provisioning of a stopped gateway -----------------------
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_path = os.path.join(tmp, 'rsa.pem')
    write_key(rsa_path, rsa_key)
    p = outputs.add(run.vgw('down', '--name', GW))
    p = outputs.add(run.vgw('keystore', 'import', '--name', GW, '--slot', '0', '--key', rsa_path,
                            timeout=120))
    run.check(p.returncode == 0 and 'offline' in p.stdout,
              'keystore import on the stopped gateway provisions it offline', p.stdout + p.stderr)
    offline = keystore_list(run, outputs).get(0, {})
    run.check(offline.get('origin') == 'imported' and offline.get('type') == 'rsa-2048' and
              offline.get('fingerprint') == hashlib.sha256(spki_of_key(rsa_key)).hexdigest(),
              'offline keystore list shows the provisioned key in slot 0', offline)
    outputs.add(run.up(GW))
    run.check(served_identity(run, 'after offline provisioning') == spki_of_key(rsa_key),
              'the offline-provisioned key is the one the gateway serves')

    # -- Generated keys are wrapped at rest ------------------------------
    ks_bytes = open(os.path.join(sdir, 'keystore.bin'), 'rb').read()
    gen_pub = engine_pub(run, outputs, 3)

    # -- Zeroize: the keystore's factory reset frees the locked slot -----
    p = outputs.add(run.vgw('keystore', 'zeroize', '--name', GW, timeout=120))
    run.check(p.returncode == 2 and '--yes' in p.stderr,
              'keystore zeroize without --yes erases nothing and says how', p.stderr)
    p = outputs.add(run.vgw('keystore', 'zeroize', '--yes', '--name', GW, timeout=120))
    run.check(p.returncode == 0, 'keystore zeroize --yes on the running gateway', p.stdout + p.stderr)
    after = keystore_list(run, outputs)
    new0 = after.get(0, {})
    run.check(3 not in after and new0.get('origin') == 'generated' and
              new0.get('fingerprint') != hashlib.sha256(spki_of_key(rsa_key)).hexdigest(),
              'after zeroize the locked slot is empty and slot 0 holds a new generated device key',
              after)
    served = served_identity(run, 'after zeroize')
    run.check(hashlib.sha256(served).hexdigest() == new0.get('fingerprint'),
              'after zeroize the gateway serves its new device key')
    run.check(len(gen_pub) > 0 and gen_pub[-65:] not in ks_bytes,
              'the keystore file does not even hold the generated key\'s public point in clear')

    # -- No private byte anywhere ----------------------------------------
    p = outputs.add(run.vgw('down', '--name', GW))
    places = {
        'keystore.bin': ks_bytes,
        'flash.img': open(os.path.join(sdir, 'flash.img'), 'rb').read(),
        'console logs': b''.join(open(os.path.join(sdir, f), 'rb').read()
                                 for f in ('console.log', 'console.log.1')
                                 if os.path.exists(os.path.join(sdir, f))),
        'vgw output (maintenance-port replies)': '\n'.join(outputs.text).encode(),
    }
    forms = secret_forms(private_parts(ec_key) + private_parts(rsa_key))
    for where, data in places.items():
        found = [f[:16] for f in forms if f in data]
        run.check(len(data) > 0 and not found,
                  'no imported private key byte string in %s (%d bytes searched)' % (where, len(data)),
                  found)


vgwtest.main(test)
