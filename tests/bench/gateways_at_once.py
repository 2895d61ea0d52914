#!/usr/bin/env python3
"""How many gateways run at once on this machine, each answering a SIP
OPTIONS over mutual TLS, and what one costs in host memory (issue 12's
target: 16 or more on the 2-core, 24 GiB machine).

    tests/bench/gateways_at_once.py [--max N]

Needs a built tree (scripts/build.sh).  A gateway is booted requiring
client certificates (tests/system/test_tls_mutual.py's boot ini and PKI
from `vgw pki`: Context 0 holds a device certificate from the
intermediate, the root is its trusted root), saved as a snapshot and
stopped.  Clones of it (`vgw up --from`) are then started one after
another, up to N (default 20); after each start EVERY running clone must
answer an OPTIONS over TLS 1.3 presenting alice's client certificate and
chain with 200, each on a new connection (the first clone must also
refuse a client without a certificate: the TLS is mutual).  The count is
the last one at which all answered; the first failure ends the climb.
Per gateway: its QEMU's RSS and PSS (/proc/PID/smaps_rollup) and the
guest RAM size; the machine's MemAvailable before the first clone and
with all of them running; the CPU an idle one uses (its QEMU's user
and system time over 10 s, all left running).  Every gateway is stopped
at the end, pass or fail.  The output is TAP; nothing about speed is asserted."""
import json
import os
import socket
import ssl
import statistics
import time

import benchgw
from test_sip_options import recv_response, request
import test_tls_mutual as mutual


def mutual_options(port, pki, tag):
    """The status line of the answer to an OPTIONS sent over TLS 1.3 to
    127.0.0.1:PORT with alice's certificate, or the error's repr."""
    try:
        s = mutual.good_client(port, ssl.TLSVersion.TLSv1_3, pki)
    except (OSError, ssl.SSLError) as e:
        return repr(e)
    try:
        s.sendall(request('OPTIONS', 'TLS', tag, tag + '@bench', scheme='sips'))
        return recv_response(s).split(b'\r\n', 1)[0].decode(errors='replace')
    except (OSError, ssl.SSLError) as e:
        return repr(e)
    finally:
        s.close()


def refuses_anonymous(port):
    """True when 127.0.0.1:PORT answers a TLS 1.3 client without a
    certificate with the certificate_required alert (after the client's
    Finished, so at its first read) and no SIP; False otherwise, an
    answer to its OPTIONS included."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    try:
        with ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=300)) as s:
            s.sendall(request('OPTIONS', 'TLS', 'anon', 'anon@bench', scheme='sips'))
            recv_response(s)
    except ssl.SSLError as e:
        return e.reason == 'TLSV13_ALERT_CERTIFICATE_REQUIRED'
    except OSError:
        pass
    return False


def memory_row(run, names):
    """{name: (RSS KiB, PSS KiB)} of the QEMUs of gateways NAMES."""
    out = {}
    for name in names:
        m = benchgw.process_memory(benchgw.qemu_pid(run, name) or 0)
        out[name] = (m.get('Rss'), m.get('Pss'))
    return out


IDLE_WINDOW_S = 10


def idle_cpu_share(run, names):
    """Mean CPU use, in % of one CPU, of the QEMUs of gateways NAMES left
    idle for IDLE_WINDOW_S seconds (None when there are none)."""
    pids = [pid for pid in (benchgw.qemu_pid(run, n) for n in names) if pid]
    start = {pid: benchgw.process_cpu_seconds(pid) for pid in pids}
    t0 = time.monotonic()
    time.sleep(IDLE_WINDOW_S)
    end = {pid: benchgw.process_cpu_seconds(pid) for pid in pids}
    used = [end[pid] - start[pid] for pid in pids if None not in (start[pid], end[pid])]
    if not used:
        return None
    return 100 * statistics.mean(used) / (time.monotonic() - t0)


def test(run, most):
    pki = os.path.join(run.state_root, 'pki')
    os.makedirs(pki)
    mutual.make_pki(run, pki)
    if not mutual.boot(run, 'origin', mutual.BOOT_INI, pki):
        return
    port = ((run.status('origin') or {}).get('ports') or {}).get('sips')
    line = mutual_options(port, pki, 'origin')
    if not run.check(line == 'SIP/2.0 200 OK', 'origin: OPTIONS over mutual TLS answered 200',
                     line + run.console_tail('origin')):
        return
    p = run.vgw('snapshot', 'save', '--name', 'origin', 'mutual', timeout=300)
    if not run.check(p.returncode == 0, 'vgw snapshot save mutual', p.stdout + p.stderr):
        return
    run.vgw('down', '--name', 'origin', timeout=120)
    run.started.discard('origin')
    with open(os.path.join(run.state_root, '.snapshots', 'mutual', 'snapshot.json')) as f:
        guest_mb = json.load(f)['memory_mb']

    time.sleep(2)  # the origin's memory back to the machine
    before = benchgw.meminfo()
    run.note('before the first clone: ' + benchgw.machine())
    ports, at_once = {}, 0
    for n in range(1, most + 1):
        name = 'gw%02d' % n
        p = run.vgw('up', '--from', 'mutual', '--name', name, '--detach', '--sip-port', '0',
                    '--sip-tls-port', '0', timeout=600)
        if not run.check(p.returncode == 0, 'clone %d (%s) reaches ready (%.1f s)'
                         % (n, name, p.elapsed), p.stdout + p.stderr + run.console_tail(name)):
            break
        ports[name] = ((run.status(name) or {}).get('ports') or {}).get('sips')
        if n == 1:
            run.check(refuses_anonymous(ports[name]),
                      '%s refuses a TLS client without a certificate' % name,
                      run.console_tail(name))
        t0 = time.monotonic()
        answers = {gw: mutual_options(port, pki, '%s-%d' % (gw, n)) for gw, port in ports.items()}
        wrong = {gw: a for gw, a in answers.items() if a != 'SIP/2.0 200 OK'}
        if not run.check(not wrong, 'with %d running, every one answers an OPTIONS over '
                         'mutual TLS with 200 (%.1f s for all)' % (n, time.monotonic() - t0),
                         '\n'.join('%s: %s%s' % (gw, a, run.console_tail(gw, 10))
                                   for gw, a in wrong.items())):
            break
        at_once = n
        run.note('%d at once: %s' % (n, benchgw.machine()))

    after = benchgw.meminfo()
    idle_cpu = idle_cpu_share(run, sorted(ports))
    mem = memory_row(run, sorted(ports))
    rss = [r for r, _ in mem.values() if r]
    pss = [p for _, p in mem.values() if p]
    for name, (r, p) in sorted(mem.items()):
        run.note('%s: QEMU RSS %s MiB, PSS %s MiB' % (name, r and '%.1f' % (r / 1024),
                                                      p and '%.1f' % (p / 1024)))
    used_mb = (before['MemAvailable'] - after['MemAvailable']) / 1024
    run.note('gateways running at once, all answering OPTIONS over mutual TLS: %d (of --max %d)'
             % (at_once, most))
    if pss:
        per_pss = statistics.mean(pss) / 1024
        run.note('per gateway: guest RAM %d MiB, QEMU RSS %.1f MiB (median), PSS %.1f MiB '
                 '(mean); MemAvailable %.0f -> %.0f MiB: %.1f MiB per running gateway'
                 % (guest_mb, statistics.median(rss) / 1024, per_pss,
                    before['MemAvailable'] / 1024, after['MemAvailable'] / 1024,
                    used_mb / len(ports)))
        # MemAvailable moves with whatever else runs on the machine: the
        # PSS is the gateway's own.
        run.note('by memory alone, MemAvailable before the first clone would hold about %d '
                 'gateways at their PSS, %d at the MemAvailable drop per gateway'
                 % (before['MemAvailable'] / 1024 / per_pss,
                    before['MemAvailable'] / max(used_mb / len(ports), 1) / 1024))
    if idle_cpu is not None:
        run.note('idle, %d running: %.1f %% of one CPU per gateway (QEMU user+system time over '
                 '%d s), %.0f %% of the machine\'s %d CPUs for all'
                 % (len(ports), idle_cpu, IDLE_WINDOW_S, idle_cpu * len(ports) / os.cpu_count(),
                    os.cpu_count()))
    run.note('after: ' + benchgw.machine())


if __name__ == '__main__':
    benchgw.main(test, '--max', 20, 'the most gateways to start')
