"""What the tests with real SIP peers share: a capture of the gateway's LAN
port around an exchange, read back two independent ways, `vgw handshakes`
(its SIP flows) and tshark, so a peer's own verdict is checked against
what was on the wire."""
import json
import os
import subprocess
import time

import tlspeers


def client_pem(run):
    """The test PKI's client certificate and key in one PEM file (what
    sipsak's --tls-client-cert and baresip's sip_certificate take);
    returns (pki, path)."""
    d = os.path.join(run.state_root, 'pki')
    os.makedirs(d, exist_ok=True)
    pki = tlspeers.Pki(d)
    path = pki.p('client-both.pem')
    with open(path, 'w') as out:
        for name in ('client.pem', 'client.key'):
            with open(pki.p(name)) as f:
                out.write(f.read())
    return pki, path


class Capture:
    """`vgw capture` of gateway GW's LAN port into the run's state
    directory; stop() embeds the key log KEYLOG (if it exists)."""

    def __init__(self, run, gw, name):
        self.run, self.gw = run, gw
        self.path = os.path.join(run.state_root, name + '.pcapng')
        self.keylog = os.path.join(run.state_root, name + '.keys')
        p = run.vgw('capture', 'start', '--name', gw, '--port', 'lan', '--out', self.path)
        self.ok = run.check(p.returncode == 0, 'vgw capture start --port lan (%s)' % name,
                            p.stdout + p.stderr)

    def stop(self):
        args = ['capture', 'stop', '--name', self.gw]
        if os.path.exists(self.keylog):
            args += ['--keylog', self.keylog]
        p = self.run.vgw(*args)
        return self.run.check(p.returncode == 0, 'vgw capture stop %s' % os.path.basename(self.path),
                              p.stdout + p.stderr)

    def report(self):
        """`vgw handshakes --json` of the capture, {} if it fails."""
        p = self.run.vgw('handshakes', '--json', self.path, timeout=300)
        try:
            return json.loads(p.stdout)
        except ValueError:
            self.run.check(False, 'vgw handshakes --json %s prints JSON' % self.path,
                           p.stdout[-2000:] + p.stderr)
            return {}

    def wait_report(self, done, bound=120):
        """report(), read again until done(report) or BOUND seconds passed
        (the relay writes packets a little after the gateway sent them: a
        generous bound on a loaded machine, not a timing claim)."""
        end = time.monotonic() + bound
        while True:
            rep = self.report()
            if done(rep) or time.monotonic() > end:
                return rep
            time.sleep(1)

    def tshark(self, display_filter, *fields):
        """tshark's rows of FIELDS for the packets matching DISPLAY_FILTER
        (it decrypts TLS with the secrets the file embeds)."""
        args = ['tshark', '-r', self.path, '-Y', display_filter, '-T', 'fields',
                '-E', 'occurrence=a', '-E', 'aggregator=,']
        for f in fields:
            args += ['-e', f]
        p = subprocess.run(args, capture_output=True, text=True, timeout=600)
        return [line.split('\t') for line in p.stdout.splitlines() if line.strip()]


def sip_flows(report, transport=None):
    """The SIP flows of a `vgw handshakes --json` report, of TRANSPORT
    ('udp', 'tcp', 'tls') if given."""
    return [f for f in report.get('sip_flows', [])
            if transport is None or f['transport'] == transport]


def lines(flow):
    """[(from, start line, Call-ID)] of a SIP flow, in order."""
    return [(m['from'], m['line'], m['call_id']) for m in flow['messages']]


def tshark_sip_lines(cap, display_filter='sip'):
    """[(request line or status line, Call-ID)] of every SIP message tshark
    dissects in the capture, in capture order."""
    rows = cap.tshark(display_filter, 'sip.Request-Line', 'sip.Status-Line', 'sip.Call-ID')
    out = []
    for r in rows:
        r += [''] * (3 - len(r))
        # One frame may hold several messages: tshark joins each field's
        # occurrences with commas, in order.
        req = [x for x in r[0].split(',') if x] if r[0] else []
        ids = r[2].split(',') if r[2] else []
        status = [x for x in r[1].split(',') if x] if r[1] else []
        for i, line in enumerate(req + status):
            out.append((line, ids[i] if i < len(ids) else None))
    return out
