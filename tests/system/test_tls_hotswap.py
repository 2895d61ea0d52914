#!/usr/bin/env python3
"""Certificate hot swap under a running load (issue 11, "Injection and
hot swap").

A booted gateway carries a load (tests/system/tlsload.py): 8 persistent
TLS connections, each sending OPTIONS after OPTIONS, and 2 threads opening
new TLS connections one after another (handshake, the certificate served,
one OPTIONS, close). Meanwhile Context 0's certificate is replaced SWAPS
times with `vgw cert inject` and no `--slot`: each time a new `vgw pki`
device certificate with its chain and a new key; swap GENERATE_AT instead
makes its key in the engine with a self-signed certificate
(`--generate`). Before the load, `vgw keystore gen` fills slots 1 to
USER_SLOTS with keys of a user's, so that only two slots are empty: the
gateway's slot policy (device-fw/tls/tls_slot_pick.h) puts the first two
new keys into those, and the later ones into the slot whose key an
earlier swap retired longest ago (slot 0's factory key first), never
into a slot in service or a user's: the commit switches certificate and key together. The load
goes on until new connections have seen the last certificate.

What a user checks: every OPTIONS sent on the persistent connections got
its 200 and none of them was dropped; each kept the certificate it was
opened with and was still answered after the last swap; every new
connection completed its handshake and got its 200; a connection that
started after a swap's `vgw cert inject` returned was served that swap's
certificate (or a later one), one that ended before a swap began the
previous one (so each connection saw a certificate of one of the swaps it
overlapped, never anything else), and after each swap some connection
saw the new one; openssl verifies the last chain against the root; the
gateway did not reset and its console log names each installed
certificate; each swap printed the slot it chose, as the policy says,
and the user's keys are the ones they were. The figures (lost connections and transactions, handshakes
during the run) are printed as TAP comments; the rates are
tests/bench/tls_hotswap.py's."""
import hashlib
import json
import os
import subprocess
import time

import tlsload
import tlspeers
import vgwtest

GW = 'hotswap'
SWAPS = 5
GENERATE_AT = 3  # the others inject vgw pki bundles
USER_SLOTS = 13  # slots 1..13 hold a user's keys, 14 and 15 are empty
# The slot each swap's key goes into, and why: the two empty ones, then
# the retired slot whose key left service longest ago (slot 0's factory
# key first, then swap 1's in 14, then swap 2's in 15).
EXPECTED_SLOTS = [(14, 'an empty slot'), (15, 'an empty slot'),
                  (0, 'the slot of a key a swap retired'),
                  (14, 'the slot of a key a swap retired'),
                  (15, 'the slot of a key a swap retired')]
# Bounds on a stuck load only: progress is what is waited for.
PROGRESS_TIMEOUT = 600


def make_pki(run, pki):
    for args in (('ca', '--out', pki + '/root'),
                 ('ca', '--out', pki + '/inter', '--issuer', pki + '/root')):
        p = run.vgw('pki', *args, timeout=120)
        run.check(p.returncode == 0, 'vgw pki %s' % ' '.join(args[:2]), p.stdout + p.stderr)
    for k in range(1, SWAPS + 1):
        if k == GENERATE_AT:
            continue
        p = run.vgw('pki', 'issue', '--ca', pki + '/inter', '--out', '%s/gw%d' % (pki, k),
                    '--role', 'device', '--cn', 'gw%d' % k, '--san', 'dns:gw%d.lab.test' % k,
                    timeout=120)
        run.check(p.returncode == 0, 'vgw pki issue gw%d' % k, p.stdout + p.stderr)


def cert_fingerprint(path):
    with open(path) as f:
        return hashlib.sha256(tlspeers.pem_to_der(f.read())).hexdigest()


def swap(run, pki, k):
    """Swap K; returns the new certificate's SHA-256, None if it failed."""
    slot, why = EXPECTED_SLOTS[k - 1]
    if k == GENERATE_AT:
        what = '--generate ec-p256 --subject gw%d' % k
        p = run.vgw('cert', 'inject', '--name', GW, '--generate', 'ec-p256', '--subject',
                    'gw%d' % k, timeout=300)
    else:
        extra = ('--ca', pki + '/root.crt') if k == 1 else ()
        what = '--cert gw%d.crt --key gw%d.key' % (k, k)
        p = run.vgw('cert', 'inject', '--name', GW, '--cert', '%s/gw%d.crt' % (pki, k),
                    '--chain', '%s/gw%d.chain' % (pki, k), '--key', '%s/gw%d.key' % (pki, k),
                    *extra, timeout=300)
    if not run.check(p.returncode == 0 and 'CN=gw%d installed' % k in p.stdout and
                     'engine slot %d (chosen: %s)' % (slot, why) in p.stdout and
                     'warning' not in p.stderr,
                     'swap %d under load: vgw cert inject %s, no --slot: the key into slot %d '
                     '(%s)' % (k, what, slot, why), p.stdout + p.stderr):
        return None
    if k != GENERATE_AT:
        return cert_fingerprint('%s/gw%d.crt' % (pki, k))
    show = run.vgw('cert', 'show', '--name', GW, '--json', timeout=120)
    return (json.loads(show.stdout).get('certificate') or {}).get('sha256')


def user_keys(run):
    """{slot: fingerprint} of slots 1..USER_SLOTS."""
    p = run.vgw('keystore', 'list', '--name', GW, '--json', timeout=120)
    try:
        slots = json.loads(p.stdout)['slots']
    except (ValueError, KeyError):
        run.check(False, 'vgw keystore list --json prints the slots', p.stdout + p.stderr)
        return {}
    return {s['slot']: s['fingerprint'] for s in slots if 1 <= s['slot'] <= USER_SLOTS}


def fill_keystore(run):
    """A user's keys in slots 1..USER_SLOTS; returns their fingerprints."""
    for slot in range(1, USER_SLOTS + 1):
        p = run.vgw('keystore', 'gen', '--name', GW, '--slot', str(slot), '--type', 'ec-p256',
                    timeout=120)
        if not run.check(p.returncode == 0, 'vgw keystore gen --slot %d' % slot,
                         p.stdout + p.stderr):
            return None
    keys = user_keys(run)
    run.check(len(keys) == USER_SLOTS, 'slots 1 to %d hold a user\'s keys' % USER_SLOTS, keys)
    return keys


def check_cycles(run, load, factory, swaps):
    """SWAPS: [(began, returned, fingerprint)], in order."""
    fps = [factory] + [fp for _, _, fp in swaps]
    wrong, failed = [], []
    for c in load.cycles:
        if c.error is not None or c.status != 200:
            failed.append('%s %s' % (c.error, c.status))
            continue
        # Committed for sure when it started .. possibly begun when it ended.
        low = sum(1 for _, returned, _ in swaps if returned < c.start)
        high = sum(1 for began, _, _ in swaps if began < c.end)
        if c.cert not in fps[low:high + 1]:
            wrong.append('a connection from %.1f to %.1f was served %s, not one of %s'
                         % (c.start, c.end, c.cert, fps[low:high + 1]))
    run.check(len(load.cycles) > 0 and not failed,
              'all %d new connections completed their handshake and got their 200'
              % len(load.cycles), '\n'.join(failed[:20]))
    run.check(not wrong, 'each new connection was served the certificate of the swaps '
              'it overlapped (the new one once vgw cert inject returned)',
              '\n'.join(wrong[:20]))
    for k, (_, returned, fp) in enumerate(swaps, 1):
        seen = [c for c in load.cycles if c.start > returned and c.cert == fp]
        run.check(len(seen) > 0, 'after swap %d new connections saw gw%d\'s certificate' % (k, k))


def check_persistent(run, load, factory, last_swap):
    t = load.totals()
    run.note('persistent load: %(connections)d connections, %(sent)d OPTIONS sent, '
             '%(ok)d answered 200, %(other)d otherwise, %(dropped)d connections dropped' % t)
    run.note('new connections: %d opened during the run' % len(load.cycles))
    dropped = ['connection %d: %s' % (p.index, p.error) for p in load.failed_persistent()]
    run.check(not dropped, 'no persistent connection was dropped', '\n'.join(dropped))
    run.check(t['sent'] > 0 and t['ok'] == t['sent'],
              'every OPTIONS sent on them got its 200 (%d of %d)' % (t['ok'], t['sent']))
    run.check(all(p.cert == factory for p in load.persistent),
              'each kept the certificate it was opened with (the factory one)')
    run.check(all(p.last_answer is not None and p.last_answer > last_swap
                  for p in load.persistent),
              'each was still answered after the last swap')


def test(run):
    pki = os.path.join(run.state_root, 'pki')
    make_pki(run, pki)
    if run.up(GW).returncode != 0:
        return
    st = run.status(GW) or {}
    port = (st.get('ports') or {}).get('sips')
    if not run.check(port is not None, 'status names the SIPS port'):
        return
    s = tlsload.connect(port)
    factory = tlsload.fingerprint(s.getpeercert(binary_form=True))
    s.close()
    users = fill_keystore(run)
    if users is None:
        return

    load = tlsload.Load(port)
    load.start()
    swaps = []
    try:
        started = load.wait('load running', lambda: len(load.cycles) >= 4 and all(
            p.ok >= 2 for p in load.persistent), PROGRESS_TIMEOUT)
        if not run.check(started, 'the load runs: every persistent connection answered, '
                         'new connections opening', load.totals()):
            return
        for k in range(1, SWAPS + 1):
            began = time.monotonic()
            fp = swap(run, pki, k)
            returned = time.monotonic()
            if fp is None:
                return
            swaps.append((began, returned, fp))
            load.wait('gw%d seen' % k, lambda: sum(
                1 for c in load.cycles_started_after(returned) if c.cert == fp) >= 2,
                PROGRESS_TIMEOUT)
        last = swaps[-1][1]
        load.wait('answered after the last swap', lambda: all(
            p.last_answer is not None and p.last_answer > last for p in load.persistent),
            PROGRESS_TIMEOUT)
    finally:
        load.stop()
    check_persistent(run, load, factory, swaps[-1][1])
    check_cycles(run, load, factory, swaps)

    p = subprocess.run(
        [tlspeers.OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port,
         '-verify_return_error', '-CAfile', pki + '/root.crt',
         '-verify_hostname', 'gw%d.lab.test' % SWAPS],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    run.check(p.returncode == 0 and 'Verify return code: 0 (ok)' in p.stdout,
              'openssl s_client verifies the last certificate, its chain and name against '
              'the root', p.stdout + p.stderr)
    after = run.status(GW) or {}
    run.check(after.get('reset_count') == st.get('reset_count') and
              after.get('crash_count') == st.get('crash_count'),
              'the gateway did not reset or restart its firmware',
              'before %s/%s after %s/%s' % (st.get('reset_count'), st.get('crash_count'),
                                            after.get('reset_count'), after.get('crash_count')))
    run.check(user_keys(run) == users, 'the user\'s keys in slots 1 to %d are untouched'
              % USER_SLOTS)
    log = run.console(GW)
    run.check(all('tls: context 0: certificate CN=gw%d (sha256 %s) installed' % (k, fp) in log
                  for k, (_, _, fp) in enumerate(swaps, 1)),
              'the console log names each installed certificate', log[-3000:])


if __name__ == '__main__':
    vgwtest.main(test)
