"""Real TLS peers and captures for the handshake tests: a throw-away PKI
made with the openssl command, `openssl s_server`/`s_client` on 127.0.0.1,
dumpcap on the loopback interface, and tshark's dissection of the result
reduced to the facts `vgw handshakes` reports, for field-by-field
comparison."""
import base64
import json
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time

OPENSSL = 'openssl'


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, capture_output=True, text=True, **kw)


class Pki:
    """A CA with a server and a client certificate, and a second CA (not
    trusted by anyone) with its own server and client certificates."""

    def __init__(self, d):
        self.d = d
        for ca, cn in (('ca', 'Test CA'), ('rogue', 'Rogue CA')):
            sh(OPENSSL, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
               '-nodes', '-keyout', self.p(ca + '.key'), '-out', self.p(ca + '.pem'), '-days', '30',
               '-subj', '/CN=%s/O=vgw tests' % cn)
        self.leaf('server', 'ca', '/CN=gw.example/O=vgw', 'DNS:gw.example,DNS:sips.gw.example,IP:127.0.0.1',
                  rsa=False)
        self.leaf('client', 'ca', '/CN=phone-42/O=vgw phones', 'DNS:phone-42.example', rsa=True)
        self.leaf('rogue-server', 'rogue', '/CN=gw.example/O=rogue', 'DNS:gw.example', rsa=False)
        self.leaf('rogue-client', 'rogue', '/CN=phone-66/O=rogue', 'DNS:phone-66.example', rsa=False)

    def p(self, name):
        return os.path.join(self.d, name)

    def leaf(self, name, ca, subj, san, rsa):
        key = ['-newkey', 'rsa:2048'] if rsa else ['-newkey', 'ec', '-pkeyopt',
                                                   'ec_paramgen_curve:P-384']
        sh(OPENSSL, 'req', *key, '-nodes', '-keyout', self.p(name + '.key'),
           '-out', self.p(name + '.csr'), '-subj', subj)
        with open(self.p(name + '.ext'), 'w') as f:
            f.write('subjectAltName=%s\n' % san)
        sh(OPENSSL, 'x509', '-req', '-in', self.p(name + '.csr'), '-CA', self.p(ca + '.pem'),
           '-CAkey', self.p(ca + '.key'), '-CAcreateserial', '-out', self.p(name + '.pem'),
           '-days', '7', '-extfile', self.p(name + '.ext'))


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Proc:
    """A child with its stdout collected as it arrives (stderr merged)."""

    def __init__(self, args):
        self.args = args
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.out = b''

    def pump(self, timeout):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if r:
            chunk = os.read(self.p.stdout.fileno(), 65536)
            self.out += chunk
            return len(chunk) > 0
        return True

    def wait_for(self, text, timeout=10):
        end = time.monotonic() + timeout
        while text.encode() not in self.out and time.monotonic() < end:
            if not self.pump(0.1) and self.p.poll() is not None:
                break
        return text.encode() in self.out

    def send(self, data):
        try:
            self.p.stdin.write(data.encode())
            self.p.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def close_stdin(self):
        try:
            self.p.stdin.close()
        except (BrokenPipeError, ValueError):
            pass

    def finish(self, timeout=10):
        self.close_stdin()
        end = time.monotonic() + timeout
        while self.p.poll() is None and time.monotonic() < end:
            self.pump(0.1)
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        while self.pump(0) and self.p.stdout and select.select([self.p.stdout], [], [], 0)[0]:
            pass
        return self.p.returncode


def sip_ok(request):
    """A 200 to the SIP REQUEST (text), echoing Via, From, To (tagged),
    Call-ID and CSeq as RFC 3261 says."""
    head = request.split('\r\n\r\n', 1)[0].split('\r\n')
    keep = [h for h in head[1:] if re.match(r'(Via|From|To|Call-ID|CSeq):', h, re.I)]
    keep = [h + ';tag=s' if h.lower().startswith('to:') else h for h in keep]
    return 'SIP/2.0 200 OK\r\n' + '\r\n'.join(keep) + '\r\nContent-Length: 0\r\n\r\n'


def vgw_sip_options(run, gw, uri):
    """`vgw sip options --json URI` on gateway GW: the outcome as a dict
    ({'error': output} when it prints no JSON)."""
    p = run.vgw('sip', 'options', '--name', gw, '--json', uri, timeout=600)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {'error': p.stdout + p.stderr}


def options_to_s_server(run, gw, server_args, port, uri, while_open=None):
    """Gateway GW sends an OPTIONS to URI while `openssl s_server
    -accept 127.0.0.1:PORT -naccept 1 SERVER_ARGS...` answers the first
    OPTIONS it reads with a 200 (through its stdin); WHILE_OPEN(), if
    given, runs once the OPTIONS is over, while the connection is still
    open. Returns (the OPTIONS outcome, s_server's output); ({}, '') with
    a failed check when s_server does not listen."""
    srv = Proc([OPENSSL, 's_server', '-accept', '127.0.0.1:%d' % port, '-naccept', '1',
                *server_args])
    outcome = {}
    try:
        if not srv.wait_for('ACCEPT', timeout=60):
            run.check(False, 's_server %s listens' % ' '.join(server_args),
                      srv.out.decode(errors='replace'))
            return {}, ''
        th = threading.Thread(target=lambda: outcome.update(vgw_sip_options(run, gw, uri)))
        th.start()
        answered = False
        while th.is_alive():
            srv.pump(0.2)
            m = re.search(r'OPTIONS sips?:.*?\r\n\r\n', srv.out.decode(errors='replace'), re.S)
            if m and not answered:
                srv.send(sip_ok(m.group(0)))
                answered = True
        th.join()
        if while_open is not None:
            while_open()
    finally:
        srv.finish()
    return outcome, srv.out.decode(errors='replace')


def alerts_sent(path, ports, peer):
    """The TLS alert descriptions (numbers, as strings) that the end other
    than PEER (an address) sent on each TCP port of PORTS in the capture
    PATH, decoded as TLS: {port: set}. A key log embedded in the capture
    makes TLS 1.3's encrypted alerts readable. Returns (that, tshark's
    stderr)."""
    decode = []
    for port in ports:
        decode += ['-d', 'tcp.port==%d,tls' % port]
    p = subprocess.run(['tshark', '-r', path, '-Y', 'tls.alert_message.desc', '-T', 'fields',
                        '-e', 'ip.src', '-e', 'tcp.dstport', '-e', 'tls.alert_message.desc']
                       + decode, capture_output=True, text=True, timeout=600)
    sent = {}
    for line in p.stdout.splitlines():
        f = line.split('\t')
        if len(f) == 3 and f[0] != peer and f[1].isdigit():
            sent.setdefault(int(f[1]), set()).update(f[2].split(','))
    return sent, p.stderr if p.returncode == 0 else 'tshark failed: ' + p.stderr


def listening(port):
    """Whether something listens on 127.0.0.1:PORT, asked without
    connecting (a connection to stunnel would open one onwards)."""
    p = subprocess.run(['ss', '-Htln', 'sport = :%d' % port], capture_output=True, text=True)
    return p.returncode == 0 and ('127.0.0.1:%d' % port) in p.stdout


def stunnel(d, name, service):
    """stunnel4 in the foreground with one service [NAME] (SERVICE: its
    lines, an 'accept = 127.0.0.1:PORT' among them), its config and log in
    directory D. Returns (Popen, port, log path) once it listens or has
    died; the caller terminates it."""
    port = int(re.search(r'accept = 127\.0\.0\.1:(\d+)', service).group(1))
    log = os.path.join(d, 'stunnel-%s.log' % name)
    conf = os.path.join(d, 'stunnel-%s.conf' % name)
    with open(conf, 'w') as f:
        f.write('foreground = yes\npid =\noutput = %s\ndebug = info\n[%s]\n%s'
                % (log, name, service))
    p = subprocess.Popen(['stunnel4', conf], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if listening(port) or p.poll() is not None:
            break
        time.sleep(0.2)
    return p, port, log


def read_log(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def s_server(pki, port, *extra):
    return Proc([OPENSSL, 's_server', '-accept', '127.0.0.1:%d' % port, '-naccept', '1',
                 '-cert', pki.p('server.pem'), '-key', pki.p('server.key'), *extra])


def s_client(port, keylog, *extra):
    # -nocommands: a line starting with R (REGISTER) must not renegotiate.
    return Proc([OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port, '-keylogfile', keylog,
                 '-nocommands', *extra])


def gateway_handshake(port, version, *extra):
    """Runs openssl s_client once against 127.0.0.1:PORT with VERSION
    (e.g. '-tls1_3') and no input; returns (protocol, cipher, peer
    signature type, served certificate PEM, whole output), None for what
    the output does not show."""
    p = subprocess.run(
        [OPENSSL, 's_client', '-connect', '127.0.0.1:%d' % port, version,
         '-showcerts', '-servername', 'gateway.test', *extra],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    m = re.search(r'New, (TLSv1\.[23]), Cipher is (\S+)', out)
    sig = re.search(r'Peer signature type: (\S+)', out)
    cert = re.search(r'-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----', out, re.S)
    return (m.group(1) if m else None, m.group(2) if m else None,
            sig.group(1) if sig else None, cert.group(0) + '\n' if cert else None, out)


def pem_to_der(pem):
    """The DER bytes of the first PEM block in PEM, or b''."""
    body = re.search(r'-----BEGIN [A-Z ]+-----(.*?)-----END', pem or '', re.S)
    return base64.b64decode(''.join(body.group(1).split())) if body else b''


def spki_der_of_cert(pem):
    """The SubjectPublicKeyInfo (DER) of the certificate PEM."""
    p = subprocess.run([OPENSSL, 'x509', '-pubkey', '-noout'], input=pem,
                       capture_output=True, text=True, timeout=60)
    return pem_to_der(p.stdout)


def wait_listening(port, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(('127.0.0.1', port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


SIP_REQUEST = ('REGISTER sip:gw.example SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK1\r\n'
               'From: <sip:42@gw.example>;tag=1\r\nTo: <sip:42@gw.example>\r\n'
               'Call-ID: a84b4c76e66710\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n')
SIP_RESPONSE = ('SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK1\r\n'
                'From: <sip:42@gw.example>;tag=1\r\nTo: <sip:42@gw.example>;tag=2\r\n'
                'Call-ID: a84b4c76e66710\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n')


def sip_exchange(server, client):
    """After a handshake: the client sends REGISTER, the server answers 200,
    the client closes.  Returns True if both lines crossed."""
    client.send(SIP_REQUEST)
    got_request = server.wait_for('REGISTER sip:gw.example')
    server.send(SIP_RESPONSE)
    got_response = client.wait_for('SIP/2.0 200 OK')
    # End of input: s_client sends close_notify and exits.
    client.close_stdin()
    return got_request and got_response


class Dumpcap:
    """dumpcap on lo for the given TCP ports, writing pcapng."""

    def __init__(self, path, ports):
        flt = ' or '.join('tcp port %d' % p for p in ports)
        self.path = path
        self.p = subprocess.Popen(['dumpcap', '-q', '-i', 'lo', '-f', flt, '-w', path],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        end = time.monotonic() + 10
        while time.monotonic() < end and self.p.poll() is None:
            if os.path.exists(path) and os.path.getsize(path) > 0:
                break
            time.sleep(0.05)
        time.sleep(0.5)
        if self.p.poll() is not None:
            raise RuntimeError('dumpcap failed: ' + self.p.stderr.read().decode())

    def stop(self):
        time.sleep(0.3)
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(timeout=10)


# -- tshark's view ----------------------------------------------------------

def _pairs(pairs):
    return pairs


def _is_obj(o):
    return isinstance(o, list) and all(isinstance(x, tuple) and len(x) == 2 for x in o)


def _find(o, key):
    """All values of KEY anywhere under O, in document order."""
    out = []
    if _is_obj(o):
        for k, v in o:
            if k == key:
                out.append(v)
            out.extend(_find(v, key))
    elif isinstance(o, list):
        for v in o:
            out.extend(_find(v, key))
    return out


def _first(o, key, default=None):
    v = _find(o, key)
    return v[0] if v else default


def _int(v):
    return int(v, 16) if str(v).startswith('0x') else int(v)


OID_NAMES = {'2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C',
             '2.5.4.7': 'L', '2.5.4.8': 'ST'}
KEY_OIDS = {'1.2.840.10045.2.1': 'EC', '1.2.840.113549.1.1.1': 'RSA', '1.3.101.112': 'Ed25519'}
CURVE_OIDS = {'1.2.840.10045.3.1.7': 'prime256v1', '1.3.132.0.34': 'secp384r1',
              '1.3.132.0.35': 'secp521r1'}


def _name(tree):
    out = []
    for item in _find(tree, 'x509if.RelativeDistinguishedName_item_element'):
        oid = _first(item, 'x509if.oid')
        vals = [v for k in ('x509sat.uTF8String', 'x509sat.printableString', 'x509sat.IA5String')
                for v in _find(item, k)]
        out.append((OID_NAMES.get(oid, oid), vals[0] if vals else None))
    return sorted(out)


def _tshark_cert(tree):
    tbs = _first(tree, 'x509af.signedCertificate_element')
    times = _find(_first(tbs, 'x509af.validity_element'), 'x509af.utcTime') + \
        _find(_first(tbs, 'x509af.validity_element'), 'x509af.generalizedTime')
    spki = _first(tbs, 'x509af.subjectPublicKeyInfo_element')
    alg = _first(_first(spki, 'x509af.algorithm_element'), 'x509af.algorithm.id')
    return {
        'subject': _name(_first(tbs, 'x509af.subject_tree')),
        'issuer': _name(_first(tbs, 'x509af.issuer_tree')),
        'serial': _first(tbs, 'x509af.serialNumber').replace(':', '').lstrip('0') or '0',
        'not_before': times[0].replace(' (UTC)', ''),
        'not_after': times[1].replace(' (UTC)', ''),
        'san_dns': _find(tbs, 'x509ce.dNSName'),
        'san_ip': _find(tbs, 'x509ce.IPAddress.ipv4'),
        'key_type': KEY_OIDS.get(alg, alg),
        'key_curve': CURVE_OIDS.get(_first(spki, 'pkcs1.namedCurve')),
    }


def tshark_view(capture, keylog=None, sip_ports=()):
    """tshark's dissection of CAPTURE reduced to one dict per TCP stream
    with a ClientHello, keyed by the server port.  SIP_PORTS: TLS ports
    whose payload tshark should dissect as SIP."""
    args = ['tshark', '-r', capture, '-T', 'json', '-o', 'tcp.desegment_tcp_streams:TRUE']
    for port in sip_ports:
        args += ['-d', 'tls.port==%d,sip' % port]
    if keylog:
        args += ['-o', 'tls.keylog_file:' + keylog]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    packets = json.loads(out, object_pairs_hook=_pairs)
    streams = {}
    for pkt in packets:
        layers = _first(pkt, 'layers')
        tcp = _first(layers, 'tcp')
        ip = _first(layers, 'ip')
        if tcp is None or ip is None:
            continue
        sid = _first(tcp, 'tcp.stream')
        src = (_first(ip, 'ip.src'), int(_first(tcp, 'tcp.srcport')))
        dst = (_first(ip, 'ip.dst'), int(_first(tcp, 'tcp.dstport')))
        st = streams.setdefault(sid, {'messages': [], 'alerts': [], 'sip_req': [], 'sip_resp': [],
                                      'endpoints': (src, dst)})
        for tls in [v for k, v in layers if k == 'tls']:
            for hs in _find(tls, 'tls.handshake'):
                if _is_obj(hs) and _first(hs, 'tls.handshake.type') is not None:
                    st['messages'].append((src, int(_first(hs, 'tls.handshake.type')), hs))
            for level, desc in zip(_find(tls, 'tls.alert_message.level'),
                                   _find(tls, 'tls.alert_message.desc')):
                st['alerts'].append((src, int(level), int(desc)))
        for sip in [v for k, v in layers if k == 'sip']:
            st['sip_req'] += [(src, x) for x in _find(sip, 'sip.Request-Line')]
            st['sip_resp'] += [(src, x) for x in _find(sip, 'sip.Status-Line')]
    views = {}
    for st in streams.values():
        ch = [m for m in st['messages'] if m[1] == 1]
        if not ch:
            continue
        client = ch[0][0]
        server = st['endpoints'][1] if st['endpoints'][0] == client else st['endpoints'][0]

        def from_(who, t):
            return [m[2] for m in st['messages'] if m[1] == t and m[0] == who]
        chm = ch[-1][2]
        versions = [_int(v) for v in _find(chm, 'tls.handshake.extensions.supported_version')]
        sh_msgs = from_(server, 2)
        v = {
            'client_port': client[1],
            'sni': _first(chm, 'tls.handshake.extensions_server_name'),
            'offered_versions': versions or [_int(_first(chm, 'tls.handshake.version'))],
            'offered_ciphers': [_int(c) for c in _find(chm, 'tls.handshake.ciphersuite')],
            'offered_groups': [_int(g) for g in _find(chm, 'tls.handshake.extensions_supported_group')],
            'key_share_groups': [_int(g) for g in _find(chm, 'tls.handshake.extensions_key_share_group')],
            'sigalgs': [_int(s) for s in _find(chm, 'tls.handshake.sig_hash_alg')],
            'client_hellos': len(ch),
            'server_hello': bool(sh_msgs),
            'cert_requested': bool(from_(server, 13)),
            'client_certs': [_tshark_cert(t) for m in from_(client, 11)
                             for t in _find(m, 'tls.handshake.certificate_tree')],
            'client_sent_cert_msg': bool(from_(client, 11)),
            'server_certs': [_tshark_cert(t) for m in from_(server, 11)
                             for t in _find(m, 'tls.handshake.certificate_tree')],
            'alerts': [('client' if a[0] == client else 'server', a[1], a[2]) for a in st['alerts']],
            'sip_request': next((x for s, x in st['sip_req'] if s == client), None),
            'sip_response': next((x for s, x in st['sip_resp'] if s == server), None),
            'finished': sorted({'client' if m[0] == client else 'server'
                                for m in st['messages'] if m[1] == 20}),
        }
        if sh_msgs:
            shm = sh_msgs[-1]
            sv = _find(shm, 'tls.handshake.extensions.supported_version')
            v['version'] = _int(sv[0]) if sv else _int(_first(shm, 'tls.handshake.version'))
            v['cipher'] = _int(_first(shm, 'tls.handshake.ciphersuite'))
            group = _first(shm, 'tls.handshake.extensions_key_share_group')
            if group is None:
                ske = from_(server, 12)
                group = _first(ske[0], 'tls.handshake.server_named_curve') if ske else None
            v['group'] = _int(group) if group is not None else None
        views[server[1]] = v
    return views


# -- vgw's view, reduced the same way ---------------------------------------

def _vgw_name(text):
    # RFC 2253 from our test certificates (no escaped commas in them).
    return sorted(tuple(part.split('=', 1)) for part in text.split(',')) if text else []


def _vgw_cert(c):
    return {
        'subject': _vgw_name(c['subject']),
        'issuer': _vgw_name(c['issuer']),
        'serial': c['serial'].lstrip('0') or '0',
        'not_before': c['not_before'].replace('T', ' ').replace('.000000Z', ''),
        'not_after': c['not_after'].replace('T', ' ').replace('.000000Z', ''),
        'san_dns': c['san']['dns'],
        'san_ip': c['san']['ip'],
        'key_type': c['key']['type'],
        'key_curve': c['key']['curve'],
    }


def vgw_view(report):
    """`vgw handshakes --json` output reduced like tshark_view()."""
    views = {}
    for h in report['handshakes']:
        o, c = h['offered'], h['chosen']
        v = {
            'client_port': h['client']['port'],
            'sni': h['sni'],
            'offered_versions': [x['value'] for x in o['versions']],
            'offered_ciphers': [x['value'] for x in o['cipher_suites']],
            'offered_groups': [x['value'] for x in o['groups']],
            'key_share_groups': [x['value'] for x in o['key_share_groups']],
            'sigalgs': [x['value'] for x in o['signature_algorithms']],
            'server_hello': c['server_hello_seen'],
            'cert_requested': h['client_auth']['requested'],
            'client_certs': [_vgw_cert(x) for x in h['client_certificates']],
            'server_certs': [_vgw_cert(x) for x in h['server_certificates']],
            'alerts': [(a['from'], 2 if a['level'] == 'fatal' else 1, a['description']['value'])
                       for a in h['alerts']],
            'sip_request': h['sip']['request'],
            'sip_response': h['sip']['response'],
        }
        if c['server_hello_seen']:
            v['version'] = c['version']['value']
            v['cipher'] = c['cipher_suite']['value']
            v['group'] = c['group']['value'] if c['group'] else None
        views[h['server']['port']] = (v, h)
    return views


COMPARED = ['client_port', 'sni', 'offered_versions', 'offered_ciphers', 'offered_groups',
            'key_share_groups', 'sigalgs', 'server_hello', 'client_certs', 'server_certs',
            'alerts', 'sip_request', 'sip_response', 'version', 'cipher', 'group']


def differences(tshark, vgw):
    """The fields of one handshake where vgw's value is not tshark's, one
    line each naming the field and both values."""
    diffs = []
    for field in COMPARED:
        if field not in tshark and field not in vgw:
            continue
        a, b = tshark.get(field), vgw.get(field)
        if a != b:
            diffs.append('%s: tshark %r, vgw %r' % (field, a, b))
    # cert_requested: tshark sees a CertificateRequest only when it can
    # read it; vgw says null when it cannot know.
    if vgw.get('cert_requested') is not None and tshark['cert_requested'] != vgw['cert_requested']:
        diffs.append('cert_requested: tshark %r, vgw %r'
                     % (tshark['cert_requested'], vgw['cert_requested']))
    return diffs


def compare(run, label, tshark, vgw):
    """One check for one handshake: every compared field of vgw's analysis
    equals tshark's; a failure names each field that differs."""
    diffs = differences(tshark, vgw)
    fields = sum(1 for f in COMPARED if f in tshark or f in vgw)
    run.check(not diffs, '%s: the %d compared fields match tshark' % (label, fields),
              '\n'.join(diffs))


# -- rewriting captures ------------------------------------------------------

def read_pcap(path):
    """(header bytes, [(ts_sec, ts_usec, frame)]) of a little-endian
    microsecond pcap (editcap -F pcap writes those)."""
    import struct
    data = open(path, 'rb').read()
    magic, = struct.unpack('<I', data[:4])
    assert magic == 0xa1b2c3d4, 'not a little-endian microsecond pcap'
    out, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        out.append((sec, usec, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return data[:24], out


def write_pcap(path, header, packets):
    import struct
    with open(path, 'wb') as f:
        f.write(header)
        for sec, usec, frame in packets:
            f.write(struct.pack('<IIII', sec, usec, len(frame), len(frame)))
            f.write(frame)


def split_tcp(frame, size):
    """Splits an Ethernet/IPv4/TCP frame's payload into frames of SIZE
    payload bytes (sequence numbers and IP lengths adjusted; checksums are
    not, as neither reader checks them).  Other frames come back alone."""
    import struct
    if len(frame) < 34 or frame[12:14] != b'\x08\x00' or frame[23] != 6:
        return [frame]
    ihl = (frame[14] & 0x0f) * 4
    total = struct.unpack('>H', frame[16:18])[0]
    tcp = 14 + ihl
    thl = (frame[tcp + 12] >> 4) * 4
    payload = frame[tcp + thl:14 + total]
    if len(payload) <= size:
        return [frame]
    seq = struct.unpack('>I', frame[tcp + 4:tcp + 8])[0]
    flags = frame[tcp + 13]
    out = []
    for off in range(0, len(payload), size):
        chunk = payload[off:off + size]
        last = off + size >= len(payload)
        hdr = bytearray(frame[:tcp + thl])
        struct.pack_into('>H', hdr, 16, ihl + thl + len(chunk))
        struct.pack_into('>I', hdr, tcp + 4, (seq + off) & 0xffffffff)
        # FIN only on the last piece.
        hdr[tcp + 13] = flags if last else flags & ~0x01
        out.append(bytes(hdr) + chunk)
    return out


def mangle(packets, seed):
    """Real-world damage TCP must survive: payloads cut in small segments,
    segments reordered within a window, some sent twice (retransmissions,
    one of them overlapping its neighbour)."""
    import random
    rnd = random.Random(seed)
    out = []
    for sec, usec, frame in packets:
        for piece in split_tcp(frame, rnd.choice([5, 17, 100, 700])):
            out.append((sec, usec, piece))
    # Swap neighbours now and then (out of order), duplicate some.
    i = 0
    while i < len(out) - 1:
        r = rnd.random()
        if r < 0.2:
            out[i], out[i + 1] = out[i + 1], out[i]
            i += 2
            continue
        if r < 0.3:
            out.insert(i + 2 if i + 2 < len(out) else i + 1, out[i])
            i += 3
            continue
        i += 1
    return out
