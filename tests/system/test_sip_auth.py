#!/usr/bin/env python3
"""The registrar authenticates REGISTER with Digest (issue 10): RFC 3261
§22 with MD5, and SHA-256 from RFC 8760.

The gateway boots with RegistrarAuthentication on, realm vgw.test and two
users in SBCUserInfoTable: alice (Username empty: alice) and bob, who
authenticates as bob-auth. A REGISTER without credentials gets 401 with
two WWW-Authenticate fields, SHA-256 first and MD5 second, one nonce,
qop="auth". A Python client computing the SHA-256 answer gets 200; the
same nonce count again is a replay (401); a wrong password 401; bob's MD5
answer 200; bob's credentials for alice's AOR 401. With
RegistrarAuthAlgorithms set to MD5 alone (SIPp 3.6 gives up on a first
challenge that is not MD5), a challenge offers only MD5, and SIPp
registers with its own MD5 Digest ([authentication]): 401 then 200 with
the right password, 401 twice with a wrong one; so does sipsak in usrloc
mode. `vgw sip registrations --json` then holds
exactly the registered users and counts every challenge by reason, the
console log names the peer, the AOR and the reason, and `table-show`
masks the passwords.

The passwords are never kept in clear (docs/parameters.md, "Secret
parameters"): `ini export` holds each as its HA1 for the realm and user
name ($digest-ha1$...), `table-show` and `pending` hold neither; after
loading that export back, and after a save and a reset, the SHA-256
client, SIPp and sipsak still register. With another realm alice is
refused and the console log says "password stored for realm vgw.test,
realm is now other.test: set it again"; `vgw ini check` of an export
warns the same; back in realm vgw.test she registers. carol, added with
`table-set` and a password in clear, registers too. After `vgw down`
the flash image holds the HA1s and no clear password, and neither does
the console log."""
import hashlib
import os
import re
import socket
import subprocess

import siptest
import vgwtest

GW = 'sipauth'
REALM = 'vgw.test'
USERS = {'alice': ('alice', 'alice-pw'), 'bob': ('bob-auth', 'bob-pw')}
CAROL_PW = 'carol-pw'  # set later with table-set
CLEAR = [password for _, password in USERS.values()] + [CAROL_PW]
CONFIG = '''RegistrarAuthentication = 1
RegistrarAuthRealm = '%s'

[ SBCUserInfoTable ]
FORMAT Index = LocalUser, Username, Password
SBCUserInfoTable 0 = alice, , alice-pw
SBCUserInfoTable 1 = bob, bob-auth, bob-pw
[ \\SBCUserInfoTable ]
''' % REALM


def auth_params(value):
    """The parameters of one WWW-Authenticate value: {'realm': ..., ...},
    and 'scheme'."""
    scheme, _, rest = value.partition(' ')
    params = {'scheme': scheme}
    for m in re.finditer(r'\s*([A-Za-z-]+)=("([^"]*)"|[^,\s]*)\s*,?', rest):
        params[m.group(1).lower()] = m.group(3) if m.group(3) is not None else m.group(2)
    return params


class Client:
    """A UDP SIP client registering USER at the gateway's UDP port, with a
    Call-ID (and so Via branches) of its own."""
    made = 0

    def __init__(self, port, user):
        self.port, self.user, self.cseq = port, user, 0
        Client.made += 1
        self.call_id = 'auth-%s-%d-%d' % (user, os.getpid(), Client.made)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(120)
        self.sock.bind(('127.0.0.1', 0))

    def close(self):
        self.sock.close()

    def register(self, authorization=None):
        self.cseq += 1
        uri = 'sip:127.0.0.1:%d' % self.port
        msg = ('REGISTER %s SIP/2.0\r\n'
               'Via: SIP/2.0/UDP 192.0.2.10:5999;branch=z9hG4bK%s%d;rport\r\n'
               'Max-Forwards: 70\r\n'
               'From: <sip:%s@example.test>;tag=a%d\r\n'
               'To: <sip:%s@example.test>\r\n'
               'Call-ID: %s\r\n'
               'CSeq: %d REGISTER\r\n'
               'Contact: <sip:%s@192.0.2.10:5999>\r\n'
               '%s'
               'Expires: 600\r\n'
               'Content-Length: 0\r\n\r\n'
               % (uri, self.call_id, self.cseq, self.user, self.cseq, self.user,
                  self.call_id, self.cseq, self.user,
                  'Authorization: %s\r\n' % authorization if authorization else ''))
        self.sock.sendto(msg.encode(), ('127.0.0.1', self.port))
        return siptest.parse_response(self.sock.recv(65536))

    def answer(self, challenge, username, password, algorithm, nc):
        """The Authorization answering CHALLENGE (auth_params) under
        ALGORITHM ('SHA-256' or 'MD5') with nonce count NC."""
        h = {'SHA-256': hashlib.sha256, 'MD5': hashlib.md5}[algorithm]

        def hexdigest(*parts):
            return h(':'.join(parts).encode()).hexdigest()

        uri, cnonce, nc_text = 'sip:127.0.0.1:%d' % self.port, 'c%08x' % nc, '%08x' % nc
        response = hexdigest(hexdigest(username, challenge['realm'], password),
                             challenge['nonce'], nc_text, cnonce, 'auth',
                             hexdigest('REGISTER', uri))
        return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                'response="%s", algorithm=%s, qop=auth, nc=%s, cnonce="%s"'
                % (username, challenge['realm'], challenge['nonce'], uri, response,
                   algorithm, nc_text, cnonce))


def stored_form(realm, user, password):
    """The gateway's stored form of PASSWORD: the HA1 H(user:realm:password)
    under MD5 and SHA-256, after the realm and user name they bind."""
    a1 = ('%s:%s:%s' % (user, realm, password)).encode()
    return '$digest-ha1$%s$%s$%s$%s' % (realm, user, hashlib.md5(a1).hexdigest(),
                                        hashlib.sha256(a1).hexdigest())


STORED = [stored_form(REALM, user, password) for user, password in USERS.values()]


def check_challenge(run, what, resp):
    """Checks a 401 challenge; returns {algorithm: params}."""
    status, _, h = resp
    offers = [auth_params(v) for v in h.get('www-authenticate', [])]
    run.check(status == 401 and [o.get('algorithm') for o in offers] == ['SHA-256', 'MD5'],
              '%s: 401 with WWW-Authenticate SHA-256 first, then MD5' % what, resp)
    run.check(len(offers) == 2 and all(o['scheme'] == 'Digest' and o.get('realm') == REALM and
                                       o.get('qop') == 'auth' and o.get('nonce') for o in offers)
              and offers[0]['nonce'] == offers[1]['nonce'] and
              re.fullmatch(r'[0-9a-f]{32}', offers[0]['nonce']) is not None,
              '%s: Digest, realm %s, qop="auth", one 128-bit nonce in both' % (what, REALM),
              offers)
    return {o.get('algorithm'): o for o in offers}


def python_clients(run, udp_port):
    alice = Client(udp_port, 'alice')
    bob = Client(udp_port, 'bob')
    try:
        offers = check_challenge(run, 'REGISTER without credentials', alice.register())
        if 'SHA-256' not in offers:
            return
        sha = offers['SHA-256']
        ok = alice.answer(sha, 'alice', 'alice-pw', 'SHA-256', 1)
        status, _, h = alice.register(ok)
        run.check(status == 200 and any('sip:alice@192.0.2.10:5999' in c
                                        for c in h.get('contact', [])),
                  'alice\'s SHA-256 answer (Python): 200 listing her contact', (status, h))
        status, _, h = alice.register(ok)
        run.check(status == 401 and len(h.get('www-authenticate', [])) == 2,
                  'the same answer again (nonce count 1 replayed): 401 with a new challenge',
                  (status, h))
        status, _, _ = alice.register(alice.answer(sha, 'alice', 'alice-pw', 'SHA-256', 2))
        run.check(status == 200, 'the same nonce with nonce count 2: 200', status)
        status, _, _ = alice.register(alice.answer(sha, 'alice', 'wrong', 'SHA-256', 3))
        run.check(status == 401, 'a wrong password under SHA-256: 401', status)

        md5 = check_challenge(run, 'bob, no credentials', bob.register()).get('MD5')
        if md5 is None:
            return
        status, _, _ = bob.register(bob.answer(md5, 'bob-auth', 'bob-pw', 'MD5', 1))
        run.check(status == 200, 'bob\'s MD5 answer as bob-auth (Python): 200', status)
        status, _, _ = alice.register(alice.answer(md5, 'bob-auth', 'bob-pw', 'MD5', 2))
        run.check(status == 401, 'bob\'s good credentials for alice\'s AOR: 401', status)
    finally:
        alice.close()
        bob.close()


def sipp(run, udp_port, user, password, expect):
    """SIPp registers USER with PASSWORD (its MD5 Digest); the last answer
    must be EXPECT."""
    scenario = 'register_auth.xml'
    if expect != 200:
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sipp', scenario)
        scenario = os.path.join(run.state_root, 'register_auth_%d.xml' % expect)
        with open(src) as f, open(scenario, 'w') as out:
            text = f.read()
            run.check('<recv response="200"/>' in text, 'register_auth.xml ends on a 200')
            out.write(text.replace('<recv response="200"/>', '<recv response="%d"/>' % expect))
    siptest.check_sipp(run, 'SIPp REGISTER as %s with password %s: 401, then %d' %
                       (user, password, expect),
                       scenario, 'u1', udp_port, 1, '-au', user, '-ap', password,
                       '-key', 'user', user)


def sipsak(run, udp_port, password):
    """sipsak registers alice with PASSWORD (its MD5 Digest) in usrloc
    mode; returns (exit code, output). Its Request-URI names no port (it
    cuts 5-digit ports to 4): the outbound proxy option reaches the
    gateway."""
    p = subprocess.run(['sipsak', '-U', '-i', '-C', 'sip:alice@127.0.0.1:5998',
                        '-s', 'sip:alice@127.0.0.1', '-p', '127.0.0.1:%d' % udp_port,
                        '-u', 'alice', '-a', password, '-x', '600', '-vv'],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=300)
    return p.returncode, 'exit code %d\n%s%s' % (p.returncode, p.stdout, p.stderr)


def set_param(run, name, value):
    p = run.vgw('param', 'set', '--name', GW, name, value, timeout=60)
    run.check(p.returncode == 0, 'vgw param set %s %s' % (name, value), p.stdout + p.stderr)


def registers(run, udp_port, user, password, algorithm, realm, expect, what):
    """USER answers a fresh challenge under ALGORITHM with PASSWORD as if
    the realm were REALM; the answer must get EXPECT."""
    client = Client(udp_port, user)
    try:
        status, _, h = client.register()
        offers = {o.get('algorithm'): o for o in
                  (auth_params(v) for v in h.get('www-authenticate', []))}
        offer = offers.get(algorithm)
        run.check(status == 401 and offer is not None and offer.get('realm') == realm,
                  '%s: a challenge in realm %s offering %s' % (what, realm, algorithm),
                  (status, h))
        if offer is None:
            return
        status, _, _ = client.register(client.answer(offer, user, password, algorithm, 1))
        run.check(status == expect, '%s: %s\'s %s answer gets %d' % (what, user, algorithm,
                                                                     expect), status)
    finally:
        client.close()


def everyone_registers(run, udp_port, when):
    """The SHA-256 client (with SHA-256 offered), then SIPp and sipsak
    (with MD5 alone, as SIPp needs) register alice with her password."""
    set_param(run, 'RegistrarAuthAlgorithms', '0')
    registers(run, udp_port, 'alice', 'alice-pw', 'SHA-256', REALM, 200, when)
    set_param(run, 'RegistrarAuthAlgorithms', '1')
    sipp(run, udp_port, 'alice', 'alice-pw', 200)
    rc, out = sipsak(run, udp_port, 'alice-pw')
    run.check(rc == 0 and 'All usrloc tests completed successful' in out,
              '%s: sipsak -U as alice with her password (MD5): registered' % when, out)


def export(run, name):
    """`vgw ini export` to NAME in the run's directory; (path, text)."""
    path = os.path.join(run.state_root, name)
    p = run.vgw('ini', 'export', '--name', GW, path, timeout=60)
    run.check(p.returncode == 0, 'vgw ini export %s' % name, p.stdout + p.stderr)
    try:
        with open(path) as f:
            return path, f.read()
    except OSError:
        return path, ''


def no_clear_passwords(run):
    """The export holds the HA1s and no clear password, `table-show` and
    `pending` neither; returns the export's path."""
    path, ini = export(run, 'users.ini')
    run.check(all(form in ini for form in STORED) and
              not any(password in ini for password in CLEAR),
              'ini export holds alice\'s and bob\'s HA1s for realm %s, not their passwords'
              % REALM, ini)
    shown = ''
    for args in (('maint', '--name', GW, 'table-show', 'SBCUserInfoTable'),
                 ('pending', '--name', GW)):
        p = run.vgw(*args, timeout=60)
        run.check(p.returncode == 0, 'vgw %s' % ' '.join(args), p.stdout + p.stderr)
        shown += p.stdout
    run.check('*****' in shown and not any(password in shown for password in CLEAR) and
              not any(form in shown for form in STORED),
              'table-show and pending show neither the passwords nor their HA1s', shown)
    return path


def realm_change(run, udp_port):
    """In another realm alice's HA1 cannot serve: the registrar refuses her
    and says why, `ini check` warns; back in realm vgw.test she is in."""
    other = 'other.test'
    set_param(run, 'RegistrarAuthRealm', other)
    registers(run, udp_port, 'alice', 'alice-pw', 'MD5', other, 401, 'in realm %s' % other)
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    line = ('challenged: SBCUserInfoTable 0: password stored for realm %s, realm is now %s: '
            'set it again (unusable-password)' % (REALM, other))
    run.check(line in log, 'the console log says: ' + line, run.console_tail(GW))
    path, _ = export(run, 'other-realm.ini')
    p = run.vgw('ini', 'check', path, timeout=60)
    warning = ('SBCUserInfoTable 0: Password: stored for realm %s, realm is now %s: '
               'set it again' % (REALM, other))
    run.check(p.returncode == 0 and warning in p.stdout and 'SBCUserInfoTable 1' in p.stdout,
              'vgw ini check of that export warns: ' + warning, p.stdout + p.stderr)
    set_param(run, 'RegistrarAuthRealm', REALM)
    registers(run, udp_port, 'alice', 'alice-pw', 'MD5', REALM, 200,
              'back in realm %s' % REALM)


def new_user(run, udp_port):
    """carol, added with table-set and her password in clear, registers;
    table-set's answer shows her password masked."""
    p = run.vgw('maint', '--name', GW, 'table-set', 'SBCUserInfoTable', '2',
                'LocalUser=carol', 'Password=' + CAROL_PW, timeout=60)
    run.check(p.returncode == 0 and 'carol' in p.stdout and '*****' in p.stdout and
              CAROL_PW not in p.stdout,
              'vgw maint table-set SBCUserInfoTable 2 LocalUser=carol Password=...: '
              'the row, its password masked', p.stdout + p.stderr)
    registers(run, udp_port, 'carol', CAROL_PW, 'MD5', REALM, 200, 'carol (table-set)')


def test(run):
    ini = os.path.join(run.state_root, 'auth.ini')
    with open(ini, 'w') as f:
        f.write(CONFIG)
    if run.up(GW, '--config', ini).returncode != 0:
        return
    st = run.status(GW) or {}
    udp_port = (st.get('ports') or {}).get('sip_udp')
    if not udp_port:
        run.check(False, 'status names the forwarded SIP UDP port', st)
        return
    r = siptest.registrations(run, GW)
    run.check(r.get('auth') == {'enabled': True, 'realm': REALM, 'accepted': 0,
                                'challenged': {}},
              'vgw sip registrations: authentication on in realm %s, nothing counted' % REALM,
              r.get('auth'))

    python_clients(run, udp_port)

    # SIPp 3.6 answers only MD5 and stops at a first challenge it cannot
    # answer: the registrar offers MD5 alone from now on (a live change).
    p = run.vgw('param', 'set', '--name', GW, 'RegistrarAuthAlgorithms', '1', timeout=60)
    run.check(p.returncode == 0, 'vgw param set RegistrarAuthAlgorithms 1 (MD5 only)',
              p.stdout + p.stderr)
    probe = Client(udp_port, 'alice')
    try:
        status, _, h = probe.register()
    finally:
        probe.close()
    offers = [auth_params(v) for v in h.get('www-authenticate', [])]
    run.check(status == 401 and [o.get('algorithm') for o in offers] == ['MD5'],
              'with RegistrarAuthAlgorithms 1 a challenge offers MD5 alone', (status, h))
    sipp(run, udp_port, 'carol', 'x', 401)  # not a user at all: challenged twice
    sipp(run, udp_port, 'alice', 'not-alice-pw', 401)
    sipp(run, udp_port, 'alice', 'alice-pw', 200)

    rc, out = sipsak(run, udp_port, 'alice-pw')
    run.check(rc == 0 and 'All usrloc tests completed successful' in out,
              'sipsak -U as alice with her password (MD5): registered', out)
    rc, out = sipsak(run, udp_port, 'not-alice-pw')
    run.check(rc != 0 and 'authorization failed' in out,
              'sipsak -U as alice with a wrong password: 401 after its answer', out)

    r = siptest.registrations(run, GW)
    aors = sorted(b.get('aor') for b in r.get('bindings') or [])
    run.check(aors == ['sip:alice@127.0.0.1', 'sip:alice@example.test',
                       'sip:alice@example.test', 'sip:bob@example.test'],
              'vgw sip registrations: alice (Python, SIPp and sipsak contacts) and bob, '
              'no one else',
              r.get('bindings'))
    auth = r.get('auth') or {}
    challenged = auth.get('challenged') or {}
    # Python: alice none, replay, wrong; bob none, bob-for-alice; the MD5
    # probe none. SIPp: carol none + unknown-user, alice wrong none +
    # wrong, alice none. sipsak: none, then none + wrong.
    run.check(auth.get('accepted') == 5 and challenged ==
              {'no-credentials': 8, 'replayed': 1, 'wrong-response': 3, 'unknown-user': 2},
              'vgw sip registrations: 5 accepted; challenges counted by reason', auth)

    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    run.check(re.search(r'sip/udp: 10\.0\.2\.2:\d+: REGISTER for <?sip:alice@example\.test>? '
                        r'challenged: wrong password \(response does not match\) '
                        r'\(wrong-response\)', log) is not None and
              re.search(r'REGISTER for <?sip:alice@example\.test>? challenged: nonce count '
                        r'not above the last one \(replayed\)', log) is not None,
              'the console log names the peer, the AOR and the reason of each 401',
              run.console_tail(GW))

    p = run.vgw('maint', '--name', GW, 'table-show', 'SBCUserInfoTable', timeout=60)
    run.check(p.returncode == 0 and 'alice' in p.stdout and 'bob-auth' in p.stdout and
              'alice-pw' not in p.stdout and 'bob-pw' not in p.stdout and
              '*****' in p.stdout,
              'table-show SBCUserInfoTable shows the users, the passwords masked',
              p.stdout + p.stderr)

    exported = no_clear_passwords(run)
    p = run.vgw('ini', 'load', '--name', GW, exported, timeout=120)
    run.check(p.returncode == 0 and 'warning' not in p.stdout + p.stderr,
              'vgw ini load of that export: loaded, no warning', p.stdout + p.stderr)
    everyone_registers(run, udp_port, 'after an export/load round trip')
    realm_change(run, udp_port)
    new_user(run, udp_port)

    p = run.vgw('save', '--name', GW, timeout=120)
    run.check(p.returncode == 0, 'vgw save', p.stdout + p.stderr)
    p = run.vgw('reset', '--name', GW, timeout=600)
    run.check(p.returncode == 0, 'vgw reset', p.stdout + p.stderr)
    run.check(not siptest.registrations(run, GW).get('bindings') and
              run.param('RegistrarAuthAlgorithms', GW).get('value') == '1',
              'after the reset the registrar starts empty, on the saved configuration '
              '(RegistrarAuthAlgorithms 1)')
    no_clear_passwords(run)
    everyone_registers(run, udp_port, 'after a reset')

    p = run.vgw('down', '--name', GW, timeout=120)
    run.check(p.returncode == 0, 'vgw down', p.stdout + p.stderr)
    with open(os.path.join(run.state_root, GW, 'flash.img'), 'rb') as f:
        flash = f.read()
    run.check(all(form.encode() in flash
                  for form in STORED + [stored_form(REALM, 'carol', CAROL_PW)]) and
              not any(password.encode() in flash for password in CLEAR),
              'the flash image holds the HA1s of alice, bob and carol and no password')
    with open(os.path.join(run.state_root, GW, 'console.log'), 'rb') as f:
        console = f.read()
    run.check(not any(password.encode() in console for password in CLEAR),
              'the console log holds no password')


if __name__ == '__main__':
    vgwtest.main(test)
