#!/usr/bin/env python3
"""`vgw up --seed N` end to end: two factory gateways booted with the same
seed generate the same TLS device key in the crypto engine, a third with
another seed a different one, and `vgw status --json` reports the seed each
ran with.  (The TRNG word sequence under -seed is checked by the machine's
qtest, /vgw-crypto/seed-reproducible.)"""
import hashlib

import tlspeers
import vgwtest

# Engine slot of TLS Context 0's device key, generated on first boot.
DEVICE_KEY_SLOT = '0'


def device_key(run, name, seed):
    """Boots gateway NAME from the factory with --seed SEED, checks the
    seed in its status and returns the SHA-256 of its device public key
    (None if it could not be read).  The gateway is stopped again, so
    only one runs at a time."""
    p = run.up(name, '--seed', str(seed))
    if p.returncode != 0:
        return None
    run.check('seed       %d' % seed in p.stdout, 'vgw up --seed %d prints the seed' % seed,
              p.stdout)
    st = run.status(name) or {}
    run.check(st.get('seed') == seed, 'status --json of %s shows seed %d' % (name, seed), st)
    p = run.vgw('keystore', 'pub', '--name', name, '--slot', DEVICE_KEY_SLOT, timeout=120)
    der = tlspeers.pem_to_der(p.stdout) if p.returncode == 0 else b''
    run.check(bool(der), '%s: vgw keystore pub reads the device key' % name,
              p.stdout + p.stderr)
    run.vgw('down', '--name', name, timeout=120)
    return hashlib.sha256(der).hexdigest() if der else None


def test(run):
    first = device_key(run, 'seeda', 7)
    second = device_key(run, 'seedb', 7)
    other = device_key(run, 'seedc', 8)
    run.note('device key SHA-256: seed 7 %s, seed 7 %s, seed 8 %s' % (first, second, other))
    run.check(first is not None and first == second,
              'two factory gateways with --seed 7 generate the same device key')
    run.check(other is not None and first is not None and other != first,
              'a factory gateway with --seed 8 generates a different device key')


if __name__ == '__main__':
    vgwtest.main(test)
