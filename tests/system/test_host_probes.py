#!/usr/bin/env python3
"""The bad-input probes of issue 9, host side, against a booted gateway:
clients that leave the maintenance port mid-line or mid-upload, a client
that holds it, vgw commands that queue for it, reads of files that never
end, vgw reset during boot, a keystore whose secret is gone or whose file
is damaged, key-file errors, and full loads of nothing."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

import vgwtest

GW = 'probe'


def ok(run, p, what):
    return run.check(p.returncode == 0, what, 'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))


def failed_with(run, p, needle, what, rc=1):
    first = p.stderr.splitlines()[0] if p.stderr else ''
    return run.check(p.returncode == rc and first.startswith('vgw: ') and needle in first,
                     what, 'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))


def socat_once(sock, data):
    """Writes DATA to the maintenance socket and hangs up at once."""
    subprocess.run(['socat', '-t0', '-', 'UNIX-CONNECT:' + sock], input=data,
                   capture_output=True, timeout=60)


def param_get_works(run, what):
    p = run.vgw('param', 'get', '--name', GW, 'GwDebugLevel', timeout=60)
    return run.check(p.returncode == 0 and p.stdout.startswith('GwDebugLevel = '), what,
                     'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))


def sessions(run, tmp, sock):
    # Probe 2: a line and an immediate close, then a half line: the next
    # vgw command is not disturbed by the reply in flight or the rest.
    socat_once(sock, b'@1 status\n')
    param_get_works(run, 'a command right after a client sent a line and hung up')
    socat_once(sock, b'@1 sta')
    param_get_works(run, 'a command right after a client left half a line')

    # A vgw ini load killed in the middle of its upload.
    big = os.path.join(tmp, 'big.ini')
    with open(big, 'w') as f:
        f.write(('; padding %s\n' % ('x' * 60)) * 6000 + 'GwDebugLevel = 2\n')
    lock = os.path.join(run.state_root, GW, 'maint.lock')
    load = subprocess.Popen([vgwtest.VGW, 'ini', 'load', '--name', GW, '--incremental', big],
                            env=run.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # It holds maint.lock (its pid inside) from just before it connects.
    for _ in range(600):
        try:
            if open(lock).read().strip() == str(load.pid):
                break
        except OSError:
            pass
        if load.poll() is not None:
            break
        time.sleep(0.05)
    load.send_signal(signal.SIGKILL)
    load.wait()
    param_get_works(run, 'a command right after a killed vgw ini load')

    # Probe 3: a client that is not vgw holds the port: refused at once,
    # naming it; the port serves vgw again once it is gone.
    holder = subprocess.Popen(['socat', '-', 'UNIX-CONNECT:' + sock], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    holder.stdin.write(b'@h1 status\n')
    holder.stdin.flush()
    served = holder.stdout.readline()  # QEMU accepted it and the firmware answers
    p = run.vgw('param', 'get', '--name', GW, 'GwDebugLevel', timeout=60)
    failed_with(run, p, 'maintenance port is in use by pid %d (socat' % holder.pid,
                'a foreign holder of maint.sock is refused at once and named (served: %r)' % served)
    holder.stdin.close()
    holder.wait(timeout=60)
    param_get_works(run, 'the port serves vgw again once the holder is gone')

    # vgw users queue among themselves: concurrent commands all succeed.
    small = os.path.join(tmp, 'small.ini')
    with open(small, 'w') as f:
        f.write('; queued\nGwDebugLevel = 3\n')
    procs = [subprocess.Popen([vgwtest.VGW, 'ini', 'load', '--name', GW, '--incremental', small],
                              env=run.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    results = [pr.communicate(timeout=120) + (pr.returncode,) for pr in procs]
    run.check(all(r[2] == 0 for r in results), 'three concurrent vgw ini load all succeed',
              '\n'.join('rc=%d %s%s' % (r[2], r[0], r[1]) for r in results))


def bounded_reads(run, tmp):
    # Probe 6: files that never end, and a directory.
    p = run.vgw('ini', 'check', '/dev/zero', timeout=120)
    failed_with(run, p, '/dev/zero: larger than 1048576 bytes', 'ini check /dev/zero stops at its limit')
    p = run.vgw('keystore', 'import', '--name', GW, '--slot', '3', '--key', '/dev/zero', timeout=120)
    failed_with(run, p, '/dev/zero: larger than 1048576 bytes', 'keystore import --key /dev/zero stops at its limit')
    p = run.vgw('handshakes', '--keylog', '/dev/zero', '/dev/null', timeout=120)
    failed_with(run, p, '/dev/zero: larger than 67108864 bytes', 'handshakes --keylog /dev/zero stops at its limit')
    p = run.vgw('handshakes', tmp, timeout=60)
    failed_with(run, p, '%s: is a directory' % tmp, 'handshakes DIR says it is a directory')

    # Probe 9: a key file's content is not a usage error.
    junk = os.path.join(tmp, 'junk.pem')
    with open(junk, 'w') as f:
        f.write('not a key\n')
    p = run.vgw('keystore', 'import', '--name', GW, '--slot', '3', '--key', junk, timeout=120)
    failed_with(run, p, 'junk.pem: no PEM private key', 'a key file without a key exits 1')


def empty_loads(run, tmp):
    # Probe 9: a full load of nothing would reset everything.
    p = run.vgw('param', 'set', '--name', GW, 'GwDebugLevel', '4', timeout=60)
    ok(run, p, 'param set GwDebugLevel 4')
    empty = os.path.join(tmp, 'empty.ini')
    with open(empty, 'w') as f:
        f.write('; only a comment\n\n')
    p = run.vgw('ini', 'load', '--name', GW, empty, timeout=120)
    failed_with(run, p, 'empty.ini: names no parameter and no table',
                'a full load of a comment-only file is refused')
    p = run.vgw('param', 'get', '--name', GW, 'GwDebugLevel', timeout=60)
    run.check(p.stdout.startswith('GwDebugLevel = 4'), 'the refused load changed nothing', p.stdout + p.stderr)
    p = run.vgw('ini', 'load', '--name', GW, '--allow-empty', empty, timeout=120)
    ok(run, p, 'ini load --allow-empty loads it (the firmware takes ini-load full allow-empty)')
    p = run.vgw('param', 'get', '--name', GW, 'GwDebugLevel', timeout=60)
    run.check(p.stdout.startswith('GwDebugLevel = 0'), 'and everything is back to factory defaults',
              p.stdout + p.stderr)


def qmp(run, command):
    """One QMP command on the gateway's QMP socket (to hold a boot still)."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(run.state_root, GW, 'qmp.sock'))
    f = s.makefile('rw')
    f.readline()
    for cmd in ('qmp_capabilities', command):
        f.write(json.dumps({'execute': cmd}) + '\n')
        f.flush()
        while 'return' not in json.loads(f.readline()):
            pass
    s.close()


def wait_console(run, needle, after):
    """Waits (bounded by an event count, not a duration) until the console
    log holds NEEDLE after byte AFTER."""
    path = os.path.join(run.state_root, GW, 'console.log')
    for _ in range(6000):
        with open(path, 'rb') as f:
            f.seek(after)
            if needle in f.read():
                return True
        time.sleep(0.1)
    return False


def reset_during_boot(run):
    # Probe 7.  A hard reset whose wait is cut short leaves the gateway
    # booting; once its init has started the boot is held still (QMP stop),
    # so the gateway is booting for as long as the checks need.
    path = os.path.join(run.state_root, GW, 'console.log')
    before = os.path.getsize(path)
    p = run.vgw('reset', '--name', GW, '--hard', '--timeout', '1', timeout=120)
    failed_with(run, p, "gateway '%s' did not become ready within 1 s" % GW, 'reset --hard --timeout 1 gives up')
    started = wait_console(run, b'init: started at ', before)
    qmp(run, 'stop')
    ready_early = b'VGW-READY' in open(path, 'rb').read()[before:]
    run.check(started and not ready_early, 'the new boot started and is held before ready')
    p = run.vgw('reset', '--name', GW, '--timeout', '2', timeout=120)
    failed_with(run, p, "gateway '%s' is still booting: its firmware cannot be asked to reset "
                        "(vgw reset --hard resets the board without it)" % GW,
                'reset --timeout 2 during boot fails within its timeout and suggests --hard')
    r = subprocess.Popen([vgwtest.VGW, 'reset', '--name', GW], env=run.env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    first = r.stdout.readline()
    qmp(run, 'cont')
    out, err = r.communicate(timeout=900)
    run.check(first.startswith("gateway '%s' is still booting; waiting for its firmware" % GW) and
              r.returncode == 0 and 'ready in' in out,
              'reset without --hard waits for the booting firmware, then resets',
              first + out + err + run.console_tail(GW))
    st = run.status(GW) or {}
    run.check(st.get('reset_cause') == 'firmware' and st.get('reset_count') == 2,
              'the firmware reset once, when asked (after the hard reset)', st)


def keystore_recovery(run):
    gwdir = os.path.join(run.state_root, GW)
    secret = os.path.join(gwdir, 'keystore.secret')
    store = os.path.join(gwdir, 'keystore.bin')

    p = run.vgw('keystore', 'reset', '--name', GW, '--yes', timeout=60)
    failed_with(run, p, "gateway '%s' is running" % GW, 'keystore reset is refused on a running gateway')
    ok(run, run.vgw('down', '--name', GW, timeout=120), 'down')
    run.check(os.path.exists(store), 'the gateway left a keystore.bin', os.listdir(gwdir))

    # Probe 8: a deleted secret is reported as missing, never remade.
    os.unlink(secret)
    p = run.vgw('up', '--name', GW, '--detach', '--sip-port', '0', '--sip-tls-port', '0', timeout=900)
    failed_with(run, p, 'the board secret %s is missing' % secret, 'up without the board secret says it is missing')
    run.check(not os.path.exists(secret), 'and does not make a new one behind the keystore\'s back')
    p = run.vgw('keystore', 'list', '--name', GW, timeout=120)
    failed_with(run, p, 'keystore reset --yes', 'keystore list names the recovery')
    p = run.vgw('keystore', 'reset', '--name', GW, timeout=60)
    failed_with(run, p, 'add --yes', 'keystore reset without --yes is a usage error', rc=2)
    p = run.vgw('keystore', 'reset', '--name', GW, '--yes', timeout=60)
    ok(run, p, 'keystore reset --yes')
    run.check(os.path.exists(secret) and not os.path.exists(store), 'a new secret, no keystore', os.listdir(gwdir))
    run.up(GW)
    p = run.vgw('keystore', 'list', '--name', GW, timeout=120)
    run.check(p.returncode == 0 and p.stdout.splitlines()[1:2] and
              p.stdout.splitlines()[1].split()[0] == '0', 'the gateway made itself a new device key in slot 0',
              p.stdout + p.stderr)

    # A damaged keystore: zeroize cannot open it, reset is the way out.
    ok(run, run.vgw('down', '--name', GW, timeout=120), 'down')
    size = os.path.getsize(store)
    with open(store, 'r+b') as f:
        f.write(b'\0' * size)
    p = run.vgw('keystore', 'zeroize', '--name', GW, '--yes', timeout=120)
    run.check(p.returncode == 1, 'zeroize fails on a damaged keystore', p.stdout + p.stderr)
    ok(run, run.vgw('keystore', 'reset', '--name', GW, '--yes', timeout=60), 'keystore reset --yes on a damaged keystore')
    run.up(GW)


def test(run):
    tmp = tempfile.mkdtemp(prefix='vgwprobe-', dir=run.state_root)
    run.up(GW)
    st = run.status(GW) or {}
    sock = st.get('sockets', {}).get('maint', os.path.join(run.state_root, GW, 'maint.sock'))
    sessions(run, tmp, sock)
    bounded_reads(run, tmp)
    empty_loads(run, tmp)
    reset_during_boot(run)
    keystore_recovery(run)


if __name__ == '__main__':
    vgwtest.main(test)
