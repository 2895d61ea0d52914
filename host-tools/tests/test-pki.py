#!/usr/bin/env python3
"""vgw pki: the test PKI's good and hostile certificates, each made by one
command and checked with Debian's openssl (verify, x509 -text, pkey, and a
TLS handshake between s_server and s_client), not with vgw's own code.
No gateway needed.  TAP output."""
import os
import re
import shutil
import stat
import subprocess
import tempfile

from tap import check, finish

VGW = os.environ['VGW_BIN']
OPENSSL = shutil.which('openssl')


def run(argv):
    return subprocess.run(argv, text=True, capture_output=True, stdin=subprocess.DEVNULL,
                          timeout=120)


def vgw(*args):
    return run([VGW, 'pki'] + list(args))


def openssl(*args):
    return run([OPENSSL] + list(args))


def made(p, what):
    """Checks that a vgw pki command succeeded; returns its stdout."""
    check(p.returncode == 0 and p.stderr == '', what + ': vgw pki exits 0', p.stdout + p.stderr)
    return p.stdout


def text(base):
    return openssl('x509', '-in', base + '.crt', '-noout', '-text').stdout


def verify(base, root, *extra, chain=True):
    """openssl verify of base.crt against root.crt, with base.chain as
    untrusted intermediates (openssl refuses an empty -untrusted file, so
    an empty chain is not passed)."""
    argv = ['verify', '-CAfile', root + '.crt'] + list(extra)
    if chain and os.path.getsize(base + '.chain') > 0:
        argv += ['-untrusted', base + '.chain']
    p = openssl(*(argv + [base + '.crt']))
    return p.returncode == 0 and p.stdout.strip() == base + '.crt: OK', p.stdout + p.stderr


def fails_with(result, message):
    ok, out = result
    return not ok and message in out


def certs_in(path):
    with open(path) as f:
        return f.read().count('-----BEGIN CERTIFICATE-----')


def fingerprint(path):
    return openssl('x509', '-in', path, '-noout', '-fingerprint', '-sha256').stdout.strip()


def pubkey_of_cert(base):
    return openssl('x509', '-in', base + '.crt', '-noout', '-pubkey').stdout


def pubkey_of_key(base):
    return openssl('pkey', '-in', base + '.key', '-pubout').stdout


def san_line(t):
    m = re.search(r'X509v3 Subject Alternative Name:[ ]*(critical)?\n\s*(.*)\n', t)
    return (m.group(2).strip(), bool(m.group(1))) if m else (None, False)


def eku_line(t):
    m = re.search(r'X509v3 Extended Key Usage:.*\n\s*(.*)\n', t)
    return m.group(1).strip() if m else None


def handshake(server_base, root, host):
    """s_server serves server_base with its chain; s_client trusts only
    root.crt and checks host.  Returns (verified, output)."""
    server = subprocess.Popen([OPENSSL, 's_server', '-accept', '127.0.0.1:0',
                               '-cert', server_base + '.crt', '-key', server_base + '.key',
                               '-cert_chain', server_base + '.chain', '-naccept', '1'],
                              # s_server stops at the end of its stdin.
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        # s_server says "ACCEPT 127.0.0.1:PORT" once it listens.
        address = None
        for line in server.stdout:
            if line.startswith('ACCEPT '):
                address = line.split()[1]
                break
        if address is None:
            return False, 's_server did not listen'
        client = run([OPENSSL, 's_client', '-connect', address,
                      '-CAfile', root + '.crt', '-verify_return_error',
                      '-verify_hostname', host, '-brief'])
        out = client.stdout + client.stderr
        return client.returncode == 0 and 'Verification: OK' in out, out
    finally:
        server.kill()
        server.wait()


if not check(OPENSSL is not None, 'the openssl command is installed (bootstrap installs it)'):
    finish()

work = tempfile.mkdtemp(prefix='vgwpki-', dir='/tmp')


def d(name):
    return os.path.join(work, 'pki', name)


try:
    root, inter, rogue = d('root'), d('inter'), d('rogue')

    # -- CAs ------------------------------------------------------------------
    out = made(vgw('ca', '--out', root, '--cn', 'vgw test root'), 'root CA')
    t = text(root)
    check('Issuer: CN = vgw test root' in t and 'Subject: CN = vgw test root' in t and
          re.search(r'Basic Constraints: critical\n\s*CA:TRUE', t) and
          re.search(r'Key Usage: critical\n\s*Certificate Sign, CRL Sign', t),
          'root CA: self-issued, CA:TRUE and keyCertSign, both critical', t)
    check(verify(root, root)[0] and os.path.getsize(root + '.chain') == 0,
          'root CA: verifies against itself; its chain file is empty', verify(root, root)[1])
    check(root + '.crt: root CA' in out and 'CA        yes' in out,
          'root CA: vgw prints what it made', out)

    made(vgw('ca', '--out', inter, '--issuer', root, '--cn', 'vgw test intermediate'),
         'intermediate CA')
    t = text(inter)
    check('Issuer: CN = vgw test root' in t and 'CA:TRUE' in t and verify(inter, root)[0],
          'intermediate CA: signed by the root, CA:TRUE, verifies against the root',
          t + verify(inter, root)[1])
    rk = re.search(r'Subject Key Identifier:\s*\n\s*(\S+)', text(root))
    ak = re.search(r'Authority Key Identifier:\s*\n\s*(?:keyid:)?(\S+)', t)
    check(rk and ak and rk.group(1) == ak.group(1),
          'intermediate CA: its authority key identifier is the root\'s subject key identifier', t)

    # -- good, with an intermediate ---------------------------------------------
    good = d('good')
    out = made(vgw('issue', '--ca', inter, '--out', good, '--role', 'device',
                   '--cn', 'gw.lab.test', '--san', 'dns:gw.lab.test', '--san', 'ip:10.0.2.15',
                   '--san', 'uri:sip:gw.lab.test'), 'good device certificate')
    t = text(good)
    check(verify(good, root)[0], 'good: verifies against the root with its chain',
          verify(good, root)[1])
    check(certs_in(good + '.chain') == 1 and
          fingerprint(good + '.chain') == fingerprint(inter + '.crt'),
          'good: its chain file holds the intermediate alone')
    check(fails_with(verify(good, root, chain=False), 'unable to get local issuer certificate'),
          'good: without its chain it does not verify (the chain is needed)')
    check(san_line(t) == ('DNS:gw.lab.test, IP Address:10.0.2.15, URI:sip:gw.lab.test', False),
          'good: DNS, IP and URI SANs in order, not critical', t)
    check(eku_line(t) == 'TLS Web Server Authentication, TLS Web Client Authentication' and
          re.search(r'Basic Constraints: critical\n\s*CA:FALSE', t) and
          re.search(r'Key Usage: critical\n\s*Digital Signature\n', t),
          'good: a device certificate is for server and client, CA:FALSE, digitalSignature', t)
    check(stat.S_IMODE(os.stat(good + '.key').st_mode) == 0o600 and
          open(good + '.key').read().startswith('-----BEGIN PRIVATE KEY-----'),
          'good: the key is PKCS#8 PEM, mode 0600')
    check(pubkey_of_key(good) != '' and pubkey_of_key(good) == pubkey_of_cert(good),
          'good: the key belongs to the certificate')
    check('ASN1 OID: prime256v1' in t and 'ecdsa-with-SHA256' in t,
          'good: a P-256 key by default, signed with ECDSA SHA-256', t)
    check(verify(good, root, '-verify_hostname', 'gw.lab.test', '-purpose', 'sslserver')[0] and
          verify(good, root, '-verify_ip', '10.0.2.15', '-purpose', 'sslclient')[0],
          'good: openssl accepts it for gw.lab.test and 10.0.2.15, as server and as client')
    check('(1 intermediate)' in out and 'SAN       DNS:gw.lab.test, IP:10.0.2.15, '
          'URI:sip:gw.lab.test' in out and 'EKU       serverAuth, clientAuth' in out and
          'issuer    CN=vgw test intermediate' in out,
          'good: vgw prints its SANs, EKU, issuer and chain', out)
    ok, hs = handshake(good, root, 'gw.lab.test')
    check(ok, 'good: s_client trusting only the root verifies s_server serving it with its chain', hs)

    # -- a second intermediate: the chain lists both, nearest first -----------------
    inter2, deep = d('inter2'), d('deep')
    made(vgw('ca', '--out', inter2, '--issuer', inter), 'second intermediate')
    made(vgw('issue', '--ca', inter2, '--out', deep, '--role', 'proxy', '--cn', 'p.lab.test'),
         'leaf under two intermediates')
    chain = open(deep + '.chain').read()
    first = chain[:chain.index('-----END CERTIFICATE-----') + 26]
    tmp = d('first.pem')
    with open(tmp, 'w') as f:
        f.write(first)
    check(certs_in(deep + '.chain') == 2 and fingerprint(tmp) == fingerprint(inter2 + '.crt') and
          verify(deep, root)[0],
          'two intermediates: the chain holds both, the issuer first, and verifies')

    # -- unknown CA -------------------------------------------------------------
    made(vgw('ca', '--out', rogue), 'rogue root')
    unknown = d('unknown')
    made(vgw('issue', '--ca', rogue, '--out', unknown, '--role', 'proxy',
             '--cn', 'proxy.lab.test'), 'unknown CA')
    check(fails_with(verify(unknown, root), 'unable to get local issuer certificate') and
          verify(unknown, rogue)[0],
          'unknown CA: fails against the test root, verifies against its own')

    # -- expired, not yet valid ----------------------------------------------------
    expired = d('expired')
    out = made(vgw('issue', '--ca', inter, '--out', expired, '--role', 'proxy',
                   '--cn', 'proxy.lab.test', '--not-before', '-30d', '--not-after', '-1d'),
               'expired')
    check(fails_with(verify(expired, root), 'certificate has expired') and '(expired)' in out,
          'expired: openssl says "certificate has expired"; vgw marks it', out)
    future = d('future')
    out = made(vgw('issue', '--ca', inter, '--out', future, '--role', 'proxy',
                   '--cn', 'proxy.lab.test', '--not-before', '+1d', '--days', '30'),
               'not yet valid')
    check(fails_with(verify(future, root), 'certificate is not yet valid') and
          '(not yet valid)' in out,
          'not yet valid: openssl says "certificate is not yet valid"; vgw marks it', out)
    window = d('window')
    made(vgw('issue', '--ca', inter, '--out', window, '--role', 'client', '--cn', 'alice',
             '--not-before', '2030-01-01T00:00:00Z', '--not-after', '2051-06-01T12:00:00Z'),
         'ISO 8601 window')
    t = text(window)
    check('Not Before: Jan  1 00:00:00 2030 GMT' in t and 'Not After : Jun  1 12:00:00 2051 GMT' in t,
          'ISO 8601 window: the dates as given, past 2049 too (GeneralizedTime)', t)

    # -- self-signed ----------------------------------------------------------------
    selfsigned = d('self')
    out = made(vgw('issue', '--self-signed', '--out', selfsigned, '--role', 'proxy',
                   '--cn', 'proxy.lab.test'), 'self-signed')
    t = text(selfsigned)
    check(fails_with(verify(selfsigned, root), 'self-signed certificate') and
          'Issuer: CN = proxy.lab.test' in t and 'CA:FALSE' in t and
          os.path.getsize(selfsigned + '.chain') == 0,
          'self-signed: issuer is subject, CA:FALSE, openssl says "self-signed certificate"', t)

    # -- missing intermediate --------------------------------------------------------
    nochain = d('nochain')
    out = made(vgw('issue', '--ca', inter, '--no-chain', '--out', nochain, '--role', 'proxy',
                   '--cn', 'proxy.lab.test'), 'missing intermediate')
    check(os.path.getsize(nochain + '.chain') == 0 and
          fails_with(verify(nochain, root), 'unable to get local issuer certificate') and
          openssl('verify', '-CAfile', root + '.crt', '-untrusted', inter + '.crt',
                  nochain + '.crt').returncode == 0 and 'left out 1 intermediate' in out,
          'missing intermediate: empty chain file, fails; with the intermediate it verifies', out)

    # -- wrong SAN, critical or not; CN only -------------------------------------------
    wrong = d('wrongsan')
    made(vgw('issue', '--ca', inter, '--out', wrong, '--role', 'proxy', '--cn', 'proxy.lab.test',
             '--san', 'dns:other.lab.test'), 'wrong SAN')
    check(san_line(text(wrong)) == ('DNS:other.lab.test', False) and
          fails_with(verify(wrong, root, '-verify_hostname', 'proxy.lab.test'), 'hostname mismatch'),
          'wrong SAN: names another host, not critical; openssl says "hostname mismatch"')
    wrongc = d('wrongsan-critical')
    out = made(vgw('issue', '--ca', inter, '--out', wrongc, '--role', 'proxy',
                   '--cn', 'proxy.lab.test', '--san', 'dns:other.lab.test', '--san-critical'),
               'wrong SAN, critical')
    check(san_line(text(wrongc)) == ('DNS:other.lab.test', True) and '(critical)' in out,
          'wrong SAN marked critical: the extension is critical', text(wrongc))
    cnonly = d('cnonly')
    out = made(vgw('issue', '--ca', inter, '--out', cnonly, '--role', 'proxy',
                   '--cn', 'proxy.lab.test', '--no-san'), 'CN only')
    t = text(cnonly)
    check('Subject Alternative Name' not in t and 'Subject: CN = proxy.lab.test' in t and
          verify(cnonly, root)[0] and 'SAN       none' in out,
          'CN only: no subjectAltName, the CN names the host, the chain verifies', t)
    default = d('default-san')
    made(vgw('issue', '--ca', inter, '--out', default, '--role', 'proxy', '--cn', 'p.lab.test'),
         'default SAN')
    check(san_line(text(default)) == ('DNS:p.lab.test', False),
          'without --san the SAN names the CN', text(default))

    # -- wildcards: openssl's own matcher accepts only the left-most whole label ---------
    for i, (name, allowed) in enumerate([('*.lab.test', True), ('a.*.lab.test', False),
                                          ('*', False), ('f*o.lab.test', None)]):
        wild = d('wild%d' % i)
        made(vgw('issue', '--ca', inter, '--out', wild, '--role', 'proxy',
                 '--san', 'dns:' + name), 'wildcard ' + name)
        ok, detail = verify(wild, root, '-verify_hostname', 'foo.lab.test')
        if allowed is None:
            # RFC 6125 lets a verifier match a partial label; vgw's rule
            # (whole left-most label only) refuses it.  The certificate
            # carries it as given either way.
            check(san_line(text(wild)) == ('DNS:' + name, False),
                  'wildcard %s: carried as given' % name, text(wild))
        else:
            check(san_line(text(wild)) == ('DNS:' + name, False) and ok == allowed,
                  'wildcard %s: carried as given; openssl %s foo.lab.test' %
                  (name, 'matches' if allowed else 'does not match'), detail)

    # -- IP-address SAN ------------------------------------------------------------------
    ip = d('ip')
    made(vgw('issue', '--ca', inter, '--out', ip, '--role', 'proxy', '--cn', '10.0.2.2'),
         'IP SAN')
    check(san_line(text(ip)) == ('IP Address:10.0.2.2', False) and
          verify(ip, root, '-verify_ip', '10.0.2.2')[0] and
          fails_with(verify(ip, root, '-verify_ip', '10.0.2.3'), 'IP address mismatch'),
          'IP SAN: a CN that is an IP literal becomes an IP SAN; openssl matches that address only')
    ip6 = d('ip6')
    made(vgw('issue', '--ca', inter, '--out', ip6, '--role', 'proxy', '--san', 'ip:fd00::1'),
         'IPv6 SAN')
    check(san_line(text(ip6))[0] == 'IP Address:FD00:0:0:0:0:0:0:1', 'IPv6 SAN', text(ip6))

    # -- EKU: role defaults and the mismatch -----------------------------------------------
    client, proxy = d('client'), d('proxy')
    made(vgw('issue', '--ca', inter, '--out', client, '--role', 'client', '--cn', 'alice'),
         'client')
    made(vgw('issue', '--ca', inter, '--out', proxy, '--role', 'proxy', '--cn', 'p.lab.test'),
         'proxy')
    check(eku_line(text(client)) == 'TLS Web Client Authentication' and
          eku_line(text(proxy)) == 'TLS Web Server Authentication',
          'EKU: a client certificate is for clientAuth, a proxy certificate for serverAuth')
    mismatch = d('eku-mismatch')
    out = made(vgw('issue', '--ca', inter, '--out', mismatch, '--role', 'proxy', '--cn',
                   'proxy.lab.test', '--eku', 'client'), 'EKU mismatch')
    check(fails_with(verify(mismatch, root, '-purpose', 'sslserver'),
                     'unsuitable certificate purpose') and
          verify(mismatch, root, '-purpose', 'sslclient')[0] and
          'EKU       clientAuth' in out,
          'EKU mismatch: a proxy certificate for clientAuth only fails as a TLS server', out)
    noeku = d('no-eku')
    made(vgw('issue', '--ca', inter, '--out', noeku, '--role', 'client', '--eku', 'none'),
         'no EKU')
    check('Extended Key Usage' not in text(noeku), '--eku none: no extKeyUsage extension')

    # -- key types -----------------------------------------------------------------------
    for kt, bits in (('rsa-2048', 2048), ('rsa-3072', 3072)):
        rsa = d(kt)
        made(vgw('issue', '--ca', inter, '--out', rsa, '--role', 'device', '--key-type', kt),
             kt)
        t = text(rsa)
        check('Public-Key: (%d bit)' % bits in t and
              re.search(r'Key Usage: critical\n\s*Digital Signature, Key Encipherment', t) and
              pubkey_of_key(rsa) == pubkey_of_cert(rsa) and verify(rsa, root)[0],
              '%s: the key and keyEncipherment for RSA key exchange; verifies' % kt, t)
    rsaca, rsaleaf = d('rsa-root'), d('under-rsa-root')
    made(vgw('ca', '--out', rsaca, '--key-type', 'rsa-2048'), 'RSA root')
    made(vgw('issue', '--ca', rsaca, '--out', rsaleaf, '--role', 'client'), 'leaf under RSA root')
    check('sha256WithRSAEncryption' in text(rsaleaf) and verify(rsaleaf, rsaca)[0],
          'an RSA CA signs with SHA-256 RSA, and its certificates verify')

    # -- a request's key (vgw cert csr: the gateway's engine key) -------------------------
    req_key, req = d('req.key'), d('req.csr')
    p = openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                '-keyout', req_key, '-subj', '/CN=ignored', '-out', req)
    check(p.returncode == 0, 'openssl req makes a P-256 request', p.stdout + p.stderr)
    fromreq = d('fromreq')
    with open(fromreq + '.key', 'w') as f:
        f.write('a key left from an earlier run\n')
    out = made(vgw('issue', '--ca', inter, '--out', fromreq, '--role', 'device', '--cn', 'gw',
                   '--csr', req), 'device certificate for a request')
    t = text(fromreq)
    check(verify(fromreq, root)[0] and 'Subject: CN = gw' in t and
          pubkey_of_cert(fromreq) == openssl('pkey', '-in', req_key, '-pubout').stdout and
          eku_line(t) == 'TLS Web Server Authentication, TLS Web Client Authentication',
          '--csr: the certificate verifies, CN=--cn, the request\'s key, the role\'s EKU', t)
    check(not os.path.exists(fromreq + '.key') and
          'the key of request %s (no %s.key)' % (req, fromreq) in out,
          '--csr writes no NAME.key (and removes a stale one) and says whose key it is', out)
    with open(req) as f:
        pem = f.read()
    body = pem.split('\n')[1:-2]
    # Flip one base64 character near the end: the signature no longer verifies.
    last = body[-1]
    body[-1] = last[:-3] + ('A' if last[-3] != 'A' else 'B') + last[-2:]
    bad_req = d('badsig.csr')
    with open(bad_req, 'w') as f:
        f.write('\n'.join(pem.split('\n')[:1] + body + pem.split('\n')[-2:]))

    # -- what vgw refuses ------------------------------------------------------------------
    def refused(p, status, needle, what):
        lines = p.stderr.splitlines()
        check(p.returncode == status and len(lines) == 1 and lines[0].startswith('vgw: ') and
              needle in lines[0], what, p.stdout + p.stderr)

    bad = d('bad')
    refused(vgw('issue', '--ca', inter, '--self-signed', '--out', bad, '--role', 'proxy'), 2,
            'either --ca DIR/CA or --self-signed', 'usage: --ca and --self-signed together')
    refused(vgw('issue', '--out', bad, '--role', 'proxy'), 2,
            'either --ca DIR/CA or --self-signed', 'usage: neither --ca nor --self-signed')
    refused(vgw('issue', '--ca', inter, '--out', bad, '--role', 'gateway'), 2,
            "invalid value 'gateway' for --role", 'usage: an unknown role')
    refused(vgw('issue', '--ca', inter, '--out', bad, '--role', 'proxy', '--san', 'mail:x@y'), 2,
            "invalid value 'mail:x@y' for --san", 'usage: an unknown SAN kind')
    refused(vgw('issue', '--ca', inter, '--out', bad, '--role', 'proxy', '--san', 'ip:10.0.2'), 2,
            'not an IPv4 or IPv6 address', 'usage: an IP SAN that is no address')
    refused(vgw('issue', '--ca', inter, '--out', bad, '--role', 'proxy', '--no-san',
                '--san', 'dns:x'), 2, '--no-san', 'usage: --no-san with --san')
    refused(vgw('issue', '--ca', inter, '--out', bad, '--role', 'proxy', '--not-before',
                'yesterday'), 2, "invalid value 'yesterday' for --not-before",
            'usage: a time that is none')
    refused(vgw('issue', '--ca', inter, '--out', bad, '--role', 'proxy', '--not-before', '-1d',
                '--not-after', '-2d'), 2, 'the validity window is empty', 'usage: an empty window')
    refused(vgw('issue', '--ca', inter, '--out', bad, '--role', 'proxy', '--days', '3',
                '--not-after', '+1d'), 2, '--days and --not-after', 'usage: --days with --not-after')
    refused(vgw('issue', '--ca', good, '--out', bad, '--role', 'proxy'), 1,
            'good.crt: not a CA certificate', 'a leaf cannot sign')
    refused(vgw('issue', '--ca', d('nothing'), '--out', bad, '--role', 'proxy'), 1,
            'nothing.crt: No such file or directory', 'a CA that does not exist')
    refused(vgw('issue', '--self-signed', '--out', bad, '--role', 'device', '--csr', req), 2,
            '--csr certifies a key held elsewhere', 'usage: --csr with --self-signed')
    refused(vgw('issue', '--ca', inter, '--out', bad, '--role', 'device', '--csr', bad_req), 1,
            "badsig.csr: the request's signature does not verify", 'a request whose signature '
            'is broken')
    refused(vgw('issue', '--ca', inter, '--out', bad, '--role', 'device', '--csr', root + '.crt'),
            1, 'root.crt: no PEM certificate request', 'a --csr file that is no request')
    check(not os.path.exists(bad + '.crt') and not os.path.exists(bad + '.key'),
          'nothing is written when a command is refused')
finally:
    shutil.rmtree(work, ignore_errors=True)

finish()
