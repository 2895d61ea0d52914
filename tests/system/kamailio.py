"""Kamailio 5.6 as a SIP proxy for system tests: one instance on
127.0.0.1 with UDP, TCP and (optionally) TLS listeners on ports of the
test's choosing, a cfg generated into the test's directory, and its log
captured in a file the test reads.

The routing script answers OPTIONS and REGISTER itself with the status the
test asks for (200 by default) and logs one line per request:
  VGWTEST <method> <source address>:<port> <proto> <Request-URI>
so a test counts the keep-alives a gateway sent, in order. A gateway in
QEMU (slirp) reaches the host's 127.0.0.1 as 10.0.2.2.

With FORWARD ({arriving protocol: next-hop URI}) it is a record-routing,
transaction-stateful proxy for the other requests: a new one that arrived
over a protocol FORWARD names goes to that URI, requests in a dialog
follow their Route headers (loose routing), and REROUTE ({host: URI})
sends a loose-routed request whose next hop is HOST to URI instead: the
gateway's Record-Route names its guest address (10.0.2.15), which the
host reaches only through `vgw up`'s forwarded ports.

With IGNORE (methods) it takes such requests and does nothing with them:
a proxy that is up (it answers keep-alives) but lets calls time out.

With TLS_CLIENT it is also a TLS client (of a gateway, say): its own
outgoing TLS connections use that protocol method and present that
certificate (or none), and ANSWER=() with FORWARD {'udp': 'sip:...;
transport=tls'} relays OPTIONS too, so a SIPp OPTIONS over UDP reaches the
gateway through it. A relay whose TLS connection the peer refused gets no
answer: Kamailio's tm answers 408 when FR_TIMER (ms) runs out.

Always stop() what you start (in a finally:): stop() kills the process
group of the Kamailio it started, and nothing else."""
import os
import re
import signal
import subprocess
import time

KAMAILIO = '/usr/sbin/kamailio'
MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules'

# One UDP worker: with two, a 180 and the 200 right behind it from a UDP
# callee were relayed by different processes and could reach the gateway
# (and the caller) in the opposite order, which SIPp callers take as an
# unexpected message (test_sip_proxy_route failed so twice in CI runs).
CFG = r'''#!KAMAILIO
debug=2
log_stderror=yes
memdbg=5
memlog=5
children=1
tcp_children=2
disable_tcp=no
auto_aliases=no
{tls_global}
listen=udp:127.0.0.1:{port}
listen=tcp:127.0.0.1:{port}
{tls_listen}
mpath="{modules}"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
{tls_module}
{proxy_modules}

request_route {{
    xlog("L_NOTICE", "VGWTEST $rm $si:$sp $proto $ru\n");
{answer}{ignore}{proxy_route}
    sl_send_reply("404", "Not here");
}}
'''

TLS_MODULE = '''loadmodule "tls.so"
modparam("tls", "certificate", "{cert}")
modparam("tls", "private_key", "{key}")
modparam("tls", "tls_method", "TLSv1.2+")
modparam("tls", "verify_certificate", {verify})
modparam("tls", "require_certificate", {verify})
{ca_list}'''

# The server and client roles apart (a certificate of its own as server,
# the test's as client), through the module's configuration file.
TLS_PROFILES_MODULE = '''loadmodule "tls.so"
modparam("tls", "config", "{path}")
'''
TLS_PROFILES = '''[server:default]
method = TLSv1.2+
certificate = {cert}
private_key = {key}
verify_certificate = {verify}
require_certificate = {verify}
{ca_list}
[client:default]
method = {client_method}
verify_certificate = no
require_certificate = no
{client_identity}'''

PROXY_MODULES = '''loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "siputils.so"
loadmodule "textops.so"
'''
FR_TIMER = 'modparam("tm", "fr_timer", %d)\n'
ANSWER = '''    if ({condition}) {{
        sl_send_reply("{code}", "{phrase}");
        exit;
    }}
'''

# Requests in a dialog and CANCELs, then new requests by FORWARD.
IN_DIALOG = '''    if (has_totag()) {
        if (loose_route()) {
%s            t_relay();
        } else if (is_method("ACK") && t_check_trans()) {
            t_relay();
        }
        exit;
    }
    if (is_method("CANCEL")) {
        if (t_check_trans()) {
            t_relay();
        }
        exit;
    }
'''
REROUTE = '''            if ($(du{uri.host}) == "%s") {
                $du = "%s";
            }
'''
IGNORE = '''    if ($rm == "%s") {
        exit;
    }
'''
FORWARD = '''    if ($proto == "%s") {
        record_route();
        $du = "%s";
        t_relay();
        exit;
    }
'''

PHRASES = {200: 'OK', 404: 'Not Found', 480: 'Temporarily Unavailable',
           486: 'Busy Here', 503: 'Service Unavailable'}


def make_cert(directory, name):
    """A self-signed certificate for NAME (CN and DNS SAN) in DIRECTORY;
    returns (certificate path, key path)."""
    cert = os.path.join(directory, name + '.pem')
    key = os.path.join(directory, name + '.key')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                    'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
                    '-days', '7', '-subj', '/CN=%s/O=vgw tests' % name,
                    '-addext', 'subjectAltName=DNS:%s' % name],
                   check=True, capture_output=True)
    return cert, key


class Kamailio:
    """One Kamailio on 127.0.0.1:PORT (UDP and TCP) and, with TLS_PORT,
    tls:127.0.0.1:TLS_PORT presenting CERT/KEY, and with CLIENT_CA (a PEM
    file of trusted roots) requiring a client certificate that chains to
    one of them. NAME names its files in DIRECTORY. FORWARD and REROUTE make it a proxy, IGNORE a silent one
    (above). ANSWER: the methods it answers itself. TLS_CLIENT (method, cert,
    key): its TLS client role ('TLSv1.2+', 'TLSv1.2', ...; cert None: it
    presents none; cert may hold the chain after the certificate).
    FR_TIMER: tm's final-response timer in ms (None: tm's default)."""

    def __init__(self, directory, name, port, tls_port=None, cert=None, key=None,
                 forward=None, reroute=None, ignore=(), client_ca=None,
                 answer=('OPTIONS', 'REGISTER'), tls_client=None, fr_timer=None):
        self.directory = directory
        self.answer = answer
        self.tls_client = tls_client
        self.fr_timer = fr_timer
        self.client_ca = client_ca
        self.forward = forward or {}
        self.reroute = reroute or {}
        self.ignore = ignore
        self.name = name
        self.port = port
        self.tls_port = tls_port
        self.cert, self.key = cert, key
        self.cfg = os.path.join(directory, name + '.cfg')
        self.log = os.path.join(directory, name + '.log')
        self.proc = None

    def proxy_route(self):
        """The routing script's proxy part; '' when it forwards nothing."""
        if not self.forward:
            return ''
        reroute = ''.join(REROUTE % hop for hop in sorted(self.reroute.items()))
        return (IN_DIALOG % reroute +
                ''.join(FORWARD % hop for hop in sorted(self.forward.items())))

    def tls_module(self):
        """The cfg's tls part: the module's parameters, or with TLS_CLIENT
        a configuration file of both roles (written here)."""
        verify = 1 if self.client_ca else 0
        ca_list = 'modparam("tls", "ca_list", "%s")\n' % self.client_ca if self.client_ca else ''
        if self.tls_client is None:
            return TLS_MODULE.format(cert=self.cert, key=self.key, verify=verify,
                                     ca_list=ca_list)
        method, cert, key = self.tls_client
        path = os.path.join(self.directory, self.name + '-tls.cfg')
        with open(path, 'w') as f:
            f.write(TLS_PROFILES.format(
                cert=self.cert, key=self.key, verify='yes' if verify else 'no',
                ca_list='ca_list = %s\n' % self.client_ca if self.client_ca else '',
                client_method=method,
                client_identity='certificate = %s\nprivate_key = %s\n' % (cert, key)
                if cert else ''))
        return TLS_PROFILES_MODULE.format(path=path)

    def write_cfg(self, code):
        tls = self.tls_port is not None
        answer = ' || '.join('$rm == "%s"' % m for m in self.answer)
        with open(self.cfg, 'w') as f:
            f.write(CFG.format(
                port=self.port,
                modules=MODULES,
                tls_global='enable_tls=yes' if tls else '',
                tls_listen='listen=tls:127.0.0.1:%d' % self.tls_port if tls else '',
                tls_module=self.tls_module() if tls else '',
                proxy_modules=(PROXY_MODULES + (FR_TIMER % self.fr_timer
                                                if self.fr_timer else ''))
                if self.forward else '',
                answer=ANSWER.format(condition=answer, code=code,
                                     phrase=PHRASES.get(code, 'Test')) if answer else '',
                ignore=''.join(IGNORE % m for m in self.ignore),
                proxy_route=self.proxy_route()))

    def start(self, code=200, timeout=30):
        """Starts Kamailio answering OPTIONS and REGISTER with CODE and
        waits until it listens; returns True, or False (stopped again) when
        it did not come up (the log says why)."""
        self.write_cfg(code)
        run_dir = os.path.join(self.directory, self.name + '.run')
        os.makedirs(run_dir, exist_ok=True)
        logf = open(self.log, 'a')
        logf.write('=== start, answering %d\n' % code)
        logf.flush()
        self.proc = subprocess.Popen(
            [KAMAILIO, '-f', self.cfg, '-DD', '-E', '-w', run_dir, '-Y', run_dir,
             '-m', '64', '-M', '8'],
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        logf.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self.listening():
                return True
            time.sleep(0.2)
        self.stop()
        return False

    def listening(self):
        """Whether the UDP (and TLS) ports are bound."""
        out = subprocess.run(['ss', '-lnup'], capture_output=True, text=True).stdout
        out += subprocess.run(['ss', '-lntp'], capture_output=True, text=True).stdout
        ok = '127.0.0.1:%d ' % self.port in out
        if self.tls_port is not None:
            ok = ok and '127.0.0.1:%d ' % self.tls_port in out
        return ok

    def stop(self):
        """Kills the Kamailio this object started (its process group) and
        waits for it; harmless when none runs."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=15)
        self.proc = None

    def requests(self, method=None):
        """The requests logged so far: [(method, source, proto, ruri)]."""
        try:
            with open(self.log, errors='replace') as f:
                text = f.read()
        except OSError:
            return []
        found = re.findall(r'VGWTEST (\S+) (\S+) (\S+) (\S+)', text)
        return [r for r in found if method is None or r[0] == method]

    def log_tail(self, lines=30):
        try:
            with open(self.log, errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return ''
