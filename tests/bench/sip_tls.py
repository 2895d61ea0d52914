#!/usr/bin/env python3
"""SIP over TLS, side by side in one run: OPTIONS per second over 100
persistent TLS connections, and new TLS connections per second (connect,
full handshake, one OPTIONS, close), for

  engine    vgwd's SIP/TLS engine built for the host (vgw-sip-engine-host:
            vgwd's TLS listener, SIP transport and answers, a software
            RSA-2048 key), one thread;
  kamailio  Kamailio 5.6 with its tls module on the same host, answering
            OPTIONS statelessly (sl_send_reply), --kamailio-children TCP
            workers, an RSA-2048 test certificate; with --kamailio-tlsf
            also the same with the TLSF memory manager (kamailio-tlsf),
            which serves OpenSSL's many allocations in a mutual-TLS
            handshake much faster than the default q_malloc;
  gateway   a booted gateway (`vgw up`, TCG), through its forwarded SIPS
            port: the firmware with its device key in the crypto engine.

    tests/bench/sip_tls.py [--seconds S] [--rounds N] [--window W]
                           [--kamailio-children N] [--kamailio-tlsf]
                           [--no-gateway] [--mutual]

With --mutual the engine (--client-ca) and Kamailio (require_certificate)
both require a client certificate chaining to a `vgw pki` root, and the
load generator presents one (EC P-256, with its intermediate) on every
connection: mutual TLS, new connections per second being the figure. The
booted gateway is left out then (tests/bench/tls_mutual.py measures it
with and without mutual authentication).

The client is tests/bench/sip_tls_load (one thread, BoringSSL); it runs
on the same 2-core machine as the servers, so a server that could go
faster than the client shows the client's limit: the figures are ratios
against Kamailio measured in the same run, not absolutes. Rounds go round
the targets so machine noise hits them alike; medians are printed.

Needs a built tree (scripts/build.sh). On demand, not in CI: these
machines are noisy. tests/bench/test_sip_tls_smoke.py (suite bench-smoke)
checks the load generator's counts against the servers' and SIPp's.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'tests', 'system'))
from tlspeers import free_port  # noqa: E402
BUILD = os.path.join(TOP, 'build', 'host')
VGW = os.path.join(BUILD, 'host-tools', 'vgw')
LOAD = os.path.join(BUILD, 'tests', 'bench', 'sip_tls_load')
ENGINE = os.path.join(BUILD, 'tests', 'bench', 'vgw-sip-engine-host')
KAMAILIO_MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules'
GW = 'sipbench'


def cpu_seconds(pgid):
    """CPU time (user + system, s) used so far by the live processes of
    process group PGID (a server and the children it forked)."""
    ticks = 0
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        # After the name: state, ppid, pgrp, ... utime (14th), stime (15th).
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf('SC_CLK_TCK')


def wait_listening(port, proc, what, log, timeout=60):
    """Waits until something listens on 127.0.0.1:PORT (asked with ss, so
    no connection is made)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p = subprocess.run(['ss', '-Htln', 'sport = :%d' % port], capture_output=True, text=True)
        if ('127.0.0.1:%d' % port) in p.stdout:
            return
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError('%s does not listen on 127.0.0.1:%d; its log:\n%s'
                       % (what, port, open(log, errors='replace').read()[-2000:]))


class LoadGenerator:
    def __init__(self, path=LOAD):
        self.path = path

    def run(self, port, mode, connections, window=4, seconds=None, requests=None,
            ramp=16, cert=None, key=None, drain=None, tls=None):
        """Runs sip_tls_load; returns its JSON line as a dict (with its
        human summary as 'summary' and its exit code as 'exit')."""
        args = [self.path, '--port', str(port), '--mode', mode,
                '--connections', str(connections), '--window', str(window),
                '--ramp', str(ramp)]
        if cert is not None:
            args += ['--cert', cert, '--key', key]
        if drain is not None:
            args += ['--drain', str(drain)]
        if tls is not None:
            args += ['--tls', tls]
        if requests is not None:
            args += ['--requests', str(requests)]
        if seconds is not None:
            args += ['--seconds', str(seconds)]
        p = subprocess.run(args, capture_output=True, text=True,
                           timeout=(seconds or 60) + 180)
        try:
            result = json.loads(p.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            raise RuntimeError('sip_tls_load exited %d with no result:\n%s'
                               % (p.returncode, p.stderr[-2000:]))
        result['summary'] = p.stderr.strip()
        result['exit'] = p.returncode
        return result


class HostEngine:
    """vgw-sip-engine-host on a free port, its log in LOG."""
    name = 'engine'

    def __init__(self, path=ENGINE, log=None, client_ca=None):
        """CLIENT_CA: a PEM file of roots client certificates must chain
        to (None: no client certificate asked for)."""
        self.log_path = log or tempfile.mktemp(prefix='vgw-engine-', suffix='.log')
        self.log = open(self.log_path, 'w')
        args = [path, '--port', '0'] + (['--client-ca', client_ca] if client_ca else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=self.log, stdin=subprocess.DEVNULL, text=True,
                                     start_new_session=True)
        line = self.proc.stdout.readline()
        if not line.startswith('ready port='):
            self.stop()
            raise RuntimeError('vgw-sip-engine-host did not start: %r\n%s'
                               % (line, open(self.log_path, errors='replace').read()[-2000:]))
        self.port = int(line.split('=', 1)[1])
        self.about = ('vgwd SIP/TLS engine on the host, 1 thread, software RSA-2048 key%s'
                      % (', client certificates required' if client_ca else ''))

    def cpu(self):
        return cpu_seconds(self.proc.pid)

    def stop(self):
        """Stops the engine; returns its counters (a dict) or None."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.log.close()
        try:
            return json.loads(out.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return None


KAMAILIO_CFG = '''#!KAMAILIO
# Generated by tests/bench/sip_tls.py: OPTIONS answered 200 statelessly
# over TLS, nothing else.
debug=0
log_stderror=yes
fork=yes
children=1
tcp_children={children}
enable_tls=yes
disable_tcp=no
auto_aliases=no
listen=tls:127.0.0.1:{port}{udp_listen}
tcp_max_connections=8192
tls_max_connections=8192
tcp_connection_lifetime=300
mpath="{modules}"
loadmodule "sl.so"
loadmodule "tls.so"
modparam("tls", "config", "{tls_cfg}")

request_route {{
    if (method == "OPTIONS") {{
        sl_send_reply("200", "OK");
        exit;
    }}{calls_route}
    sl_send_reply("501", "Not Implemented");
}}
'''

# With calls (sip_calls.py): INVITE and BYE answered 200 statelessly, ACK
# dropped; over UDP.
KAMAILIO_CALLS_ROUTE = '''
    if (method == "INVITE" || method == "BYE") {
        sl_send_reply("200", "OK");
        exit;
    }
    if (method == "ACK") {
        exit;
    }'''

KAMAILIO_TLS_CFG = '''[server:default]
method = TLSv1.2+
certificate = {cert}
private_key = {key}
{client_auth}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
'''


class Kamailio:
    """Kamailio 5.6 with its tls module on a free port; with CALLS also on
    UDP (self.udp_port), answering calls statelessly; with CLIENT_CA (a PEM
    file) it requires a client certificate issued by it. MEMORY names the
    memory manager (kamailio -x: 'tlsf', 'qm', 'fm'; None: its default,
    q_malloc) and then the target ('kamailio-tlsf')."""

    def __init__(self, workdir, children, calls=False, client_ca=None, memory=None):
        self.name = 'kamailio-' + memory if memory else 'kamailio'
        self.dir = os.path.join(workdir, self.name)
        os.makedirs(self.dir)
        cert, key = os.path.join(self.dir, 'cert.pem'), os.path.join(self.dir, 'key.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                        '-keyout', key, '-out', cert, '-days', '2', '-subj',
                        '/CN=kamailio-bench'], check=True, capture_output=True)
        tls_cfg = os.path.join(self.dir, 'tls.cfg')
        with open(tls_cfg, 'w') as f:
            f.write(KAMAILIO_TLS_CFG.format(
                cert=cert, key=key,
                client_auth='verify_certificate = yes\nrequire_certificate = yes\n'
                            'ca_list = %s' % client_ca if client_ca else
                            'verify_certificate = no\nrequire_certificate = no'))
        self.port = free_port()
        self.udp_port = free_port() if calls else None
        cfg = os.path.join(self.dir, 'kamailio.cfg')
        with open(cfg, 'w') as f:
            f.write(KAMAILIO_CFG.format(port=self.port, children=children,
                                        modules=KAMAILIO_MODULES, tls_cfg=tls_cfg,
                                        udp_listen='\nlisten=udp:127.0.0.1:%d' % self.udp_port
                                        if calls else '',
                                        calls_route=KAMAILIO_CALLS_ROUTE if calls else ''))
        self.log_path = os.path.join(self.dir, 'kamailio.log')
        self.log = open(self.log_path, 'w')
        # -DD: stay in the foreground (its children still fork), so that
        # terminating this process group ends them all. -w: a core dump
        # (seen with 2 TCP workers, see RESULTS.md) stays in DIR.
        self.proc = subprocess.Popen(['kamailio', '-f', cfg, '-DD', '-E', '-m', '256',
                                      '-M', '16', '-Y', self.dir, '-w', self.dir,
                                      '-P', os.path.join(self.dir, 'kamailio.pid')] +
                                     (['-x', memory] if memory else []),
                                     stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_listening(self.port, self.proc, 'kamailio', self.log_path)
        except Exception:
            self.stop()
            raise
        self.about = ('Kamailio 5.6 tls module, sl_send_reply, %d worker process(es) per '
                      'transport, memory manager %s%s'
                      % (children, memory or 'default (q_malloc)',
                         ', client certificates required' if client_ca else ''))

    def cpu(self):
        return cpu_seconds(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.log.close()
        return None


class Gateway:
    """A booted gateway, through its forwarded SIPS port."""
    name = 'gateway'

    def __init__(self, workdir):
        self.env = dict(os.environ, VGW_STATE_DIR=os.path.join(workdir, 'gw'))
        os.makedirs(self.env['VGW_STATE_DIR'])
        try:
            self.vgw('up', '--name', GW, '--detach', '--sip-port', '0', '--sip-tls-port', '0')
            st = json.loads(self.vgw('status', '--name', GW, '--json').stdout)
            self.port = st['ports']['sips']
        except Exception:
            self.stop()
            raise
        tls = st.get('tls') or {}
        self.about = 'booted gateway (TCG), %s %s key' % (tls.get('key_type'),
                                                         tls.get('key_source'))

    def vgw(self, *args, check=True):
        p = subprocess.run([VGW] + list(args), env=self.env, capture_output=True, text=True,
                           timeout=600)
        if check and p.returncode != 0:
            raise RuntimeError('vgw %s: %s' % (' '.join(args), p.stderr.strip()))
        return p

    def cpu(self):
        """Not measured: the gateway's CPU is QEMU's, TCG included."""
        return None

    def resets(self):
        """(reset cause, reset count) from `vgw status`: a reset during a
        measure (the watchdog's, when the main loop stalls) shows there."""
        st = json.loads(self.vgw('status', '--name', GW, '--json').stdout)
        return st.get('reset_cause'), st.get('reset_count')

    def stop(self):
        self.vgw('down', '--name', GW, check=False)
        return None


def client_pki(work):
    """`vgw pki`: root > inter and a client certificate (EC P-256) from
    inter; returns (the root's file, the client's certificate followed by
    its chain, its key)."""
    pki = os.path.join(work, 'pki')
    for args in (('ca', '--out', pki + '/root'),
                 ('ca', '--out', pki + '/inter', '--issuer', pki + '/root'),
                 ('issue', '--ca', pki + '/inter', '--out', pki + '/client', '--role', 'client',
                  '--cn', 'sip-tls-load')):
        subprocess.run([VGW, 'pki'] + list(args), check=True, capture_output=True)
    full = pki + '/client-full.pem'
    with open(full, 'w') as out:
        for part in ('client.crt', 'client.chain'):
            with open(os.path.join(pki, part)) as f:
                out.write(f.read())
    return pki + '/root.crt', full, pki + '/client.key'


def fmt(r):
    cpu = r.get('server_cpu_us')
    return ('%8.1f/s  ok %d other %d unanswered %d  p50 %.2f p90 %.2f p99 %.2f ms  %s%s'
            % (r['rate'], r['ok'], r['other'], r['unanswered'], r['p50_ms'], r['p90_ms'],
               r['p99_ms'], r['version'],
               '' if cpu is None else '  server CPU %.0f us per 200' % cpu))


def measure(load, target, port, mode, connections, **kw):
    """load.run() against TARGET, with the CPU time TARGET's processes
    spent on it per OPTIONS answered 200 (per cycle in connect mode) as
    'server_cpu_us' (None when its CPU is not measured)."""
    before = target.cpu()
    r = load.run(port, mode, connections, **kw)
    after = target.cpu()
    r['server_cpu_us'] = (None if before is None
                          else 1e6 * (after - before) / max(1, r['ok']))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=float, default=10)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--connections', type=int, default=100,
                    help='persistent connections (OPTIONS/s)')
    ap.add_argument('--window', type=int, default=4,
                    help='OPTIONS outstanding per persistent connection')
    ap.add_argument('--cycle-connections', type=int, default=8,
                    help='new-connection cycles in flight at once')
    ap.add_argument('--kamailio-children', type=int, default=1)
    ap.add_argument('--no-gateway', action='store_true', help='skip the booted gateway')
    ap.add_argument('--kamailio-tlsf', action='store_true',
                    help='also Kamailio with the TLSF memory manager (-x tlsf), '
                         'next to its default')
    ap.add_argument('--mutual', action='store_true',
                    help='servers require, and the client presents, a client certificate '
                         '(engine and Kamailio only)')
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix='vgwsb-', dir='/tmp')
    load = LoadGenerator()
    targets = []
    roots = cert = key = None
    try:
        if args.mutual:
            roots, cert, key = client_pki(work)
        targets.append(HostEngine(log=os.path.join(work, 'engine.log'), client_ca=roots))
        targets.append(Kamailio(work, args.kamailio_children, client_ca=roots))
        if args.kamailio_tlsf:
            targets.append(Kamailio(work, args.kamailio_children, client_ca=roots,
                                    memory='tlsf'))
        if not args.no_gateway and not args.mutual:
            targets.append(Gateway(work))
        for t in targets:
            print('%-13s %s, 127.0.0.1:%d' % (t.name, t.about, t.port), flush=True)
        print('load: sip_tls_load, %d persistent connections x %d outstanding; new '
              'connections %d at a time; %g s per measure, %d rounds'
              % (args.connections, args.window, args.cycle_connections, args.seconds,
                 args.rounds), flush=True)
        if args.mutual:
            print('mutual TLS: every connection presents an EC P-256 client certificate with '
                  'its intermediate, which the server verifies', flush=True)
        results = {}
        for rnd in range(args.rounds):
            for t in targets:
                for mode in ('options', 'connect'):
                    conns = args.connections if mode == 'options' else args.cycle_connections
                    before = t.resets() if isinstance(t, Gateway) else None
                    r = measure(load, t, t.port, mode, conns, window=args.window,
                                seconds=args.seconds, cert=cert, key=key)
                    results.setdefault((t.name, mode), []).append(r)
                    print('round %d %-13s %-7s %s' % (rnd + 1, t.name, mode, fmt(r)),
                          flush=True)
                    after = t.resets() if isinstance(t, Gateway) else None
                    if before != after:
                        print('         the gateway reset during this measure (cause %s, '
                              'reset count %s -> %s)' % (after[0], before[1], after[1]),
                              flush=True)
                    if r['exit'] != 0:
                        print('         ' + r['summary'].replace('\n', '\n         '))

        print()
        print('medians of %d rounds; ratio = target / kamailio' % args.rounds)
        print('server CPU: user + system time of its processes per 200 (per cycle for new '
              'connections), medians')
        print('| target | OPTIONS/s (%d conns) | ratio | p99 ms | CPU us | new %sTLS conns/s | '
              'ratio | p99 ms | CPU us |' % (args.connections, 'mutual-' if args.mutual else ''))
        print('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')

        def median(values):
            values = [v for v in values if v is not None]
            return statistics.median(values) if values else None
        med = {k: [median(x[f] for x in v) for f in ('rate', 'p99_ms', 'server_cpu_us')]
               for k, v in results.items()}
        for t in targets:
            o, c = med[(t.name, 'options')], med[(t.name, 'connect')]
            ko, kc = med[('kamailio', 'options')], med[('kamailio', 'connect')]
            cpu = ['-' if x is None else '%.0f' % x for x in (o[2], c[2])]
            print('| %s | %.0f | %.2fx | %.1f | %s | %.1f | %.2fx | %.1f | %s |'
                  % (t.name, o[0], o[0] / ko[0] if ko[0] else 0, o[1], cpu[0], c[0],
                     c[0] / kc[0] if kc[0] else 0, c[1], cpu[1]))
        bad = [(k, x) for k, v in results.items() for x in v
               if x['sent'] != x['ok'] + x['other'] + x['unanswered']]
        if bad:
            print('counts that do not add up: %r' % bad)
            return 1
    finally:
        for t in targets:
            counters = t.stop()
            if counters:
                print('%s counters: %s' % (t.name, json.dumps(counters)))
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
