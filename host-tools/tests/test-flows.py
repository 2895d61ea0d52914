#!/usr/bin/env python3
"""vgw's verbs end to end against fake-qemu.py (no real board needed):
up/status/reset/list/down, two instances, and every boot failure path.
TAP output."""
import json
import os
import shutil
import socket
import subprocess
import tempfile

from tap import check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
VGW = os.environ['VGW_BIN']
state = tempfile.mkdtemp(prefix='vgwfl-', dir='/tmp')
images = os.path.join(state, 'img')
os.mkdir(images)
for f in ('Image', 'initramfs.cpio', 'flash.img'):
    open(os.path.join(images, f), 'w').close()
# Written before anything is spawned, so no child can still hold it open
# for writing when it is executed (ETXTBSY).
noboard = os.path.join(state, 'noboard')
with open(noboard, 'w') as f:
    f.write('#!/bin/sh\necho "qemu-system-aarch64: unsupported machine type" >&2\n'
            'echo "Use -machine help to list supported machines" >&2\nexit 1\n')
os.chmod(noboard, 0o755)
env = dict(os.environ, VGW_STATE_DIR=os.path.join(state, 's'), VGW_IMAGES=images,
           VGW_QEMU=os.path.join(HERE, 'fake-qemu.py'))


def vgw(*args, extra_env=None):
    e = dict(env, **(extra_env or {}))
    return subprocess.run([VGW] + list(args), env=e, text=True, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=60)


def all_ports(st):
    """Every host port of an instance: SIP, SIPS and the RTP range."""
    ports = st['ports']
    return {v for k, v in ports.items() if k != 'rtp'} | set(ports['rtp'])


def status(name):
    p = vgw('status', '--name', name, '--json')
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {'rc': p.returncode, 'stderr': p.stderr}


def one_line(p, needle):
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    return p.returncode == 1 and len(lines) >= 1 and lines[0].startswith('vgw: ') and needle in lines[0]


try:
    p = vgw('up', '--detach', '--sip-port', '0', '--sip-tls-port', '0')
    check(p.returncode == 0 and 'ready in' in p.stdout and '127.0.0.1:' in p.stdout,
          'up --detach reaches ready and prints endpoints', p.stdout + p.stderr)
    st = status('default')
    check(st.get('state') == 'running' and st.get('run_state') == 'running' and
          st.get('reset_cause') == 'power-on' and st.get('firmware') == '0.1.0' and
          st.get('serial', '').startswith('VGW') and st['ports']['sip_udp'] == st['ports']['sip_tcp'],
          'status --json merges host, QMP and firmware fields', st)
    p = vgw('up', '--detach', '--sip-port', '0', '--sip-tls-port', '0')
    check(one_line(p, "gateway 'default' is already running"), 'a second up of a running name fails', p.stderr)
    p = vgw('reset')
    check(p.returncode == 0 and 'ready in' in p.stdout, 'reset through the firmware waits for ready', p.stderr)
    check(status('default').get('reset_cause') == 'firmware', 'firmware reset reported', '')
    p = vgw('reset', '--hard')
    check(p.returncode == 0 and 'ready in' in p.stdout, 'reset --hard waits for ready', p.stderr)
    st = status('default')
    check(st.get('reset_cause') == 'host' and st.get('reset_count') == 2, 'hard reset reported', st)

    p = vgw('up', '--name', 'b', '--detach', '--sip-port', '0', '--sip-tls-port', '0')
    check(p.returncode == 0, 'a second instance starts', p.stderr)
    b = status('b')
    a = status('default')
    check(b.get('serial') != a.get('serial') and
          all_ports(a).isdisjoint(all_ports(b)) and len(a['ports']['rtp']) == 4,
          'instances have their own serial and ports', (a, b))
    p = vgw('list', '--json')
    listed = {g['name']: g['state'] for g in json.loads(p.stdout)}
    check(listed == {'b': 'running', 'default': 'running'}, 'list --json shows both', p.stdout)
    p = vgw('maint', '--name', 'b', 'status')
    check(p.returncode == 0 and json.loads(p.stdout).get('state') == 'running', 'maint status', p.stderr)
    p = vgw('maint', '--name', 'b', 'frob')
    check(one_line(p, 'frob: unknown command'), 'maint error reply is one line', p.stderr)

    # sip registrations: the text says what --json does, the Digest
    # authentication counts too.
    p = vgw('sip', 'registrations', '--name', 'b')
    check(p.returncode == 0 and p.stdout.splitlines() == [
        'sip:alice@example.test',
        '  <sip:alice@10.0.2.2:5070;transport=tcp>  tcp from 10.0.2.2:40001, expires in 300 s',
        '1 contact for 1 address of record',
        'refused: interval-too-brief 1',
        'Digest authentication in realm lab.test: 5 accepted',
        'challenged: no-credentials 8, wrong-response 3'],
        'sip registrations: bindings, refusals and Digest authentication counts as text', p.stdout + p.stderr)

    # ini load: one session of upload-begin, upload-chunk (<= 3000 base64
    # characters each) and ini-load FILE's base name.
    data = bytes(range(256)) * 40 + b'\nTLSVersion = 1\n'
    ini = os.path.join(env['VGW_STATE_DIR'], 'up load.ini')
    with open(ini, 'wb') as f:
        f.write(data)
    p = vgw('ini', 'load', '--name', 'b', '--incremental', ini)
    got = open(os.path.join(env['VGW_STATE_DIR'], 'uploaded.ini'), 'rb').read()
    check(p.returncode == 0 and got == data, 'ini load uploads the file byte for byte in chunks', p.stderr)
    check('warning: up load.ini:2: Foo: unknown parameter, skipped' in p.stdout and
          '1 value pending until reset' in p.stdout, 'ini load prints warnings and pending', p.stdout)
    with open(ini, 'wb') as f:
        f.write(b'BAD = 1\n')
    p = vgw('ini', 'load', '--name', 'b', ini)
    check(one_line(p, 'up load.ini:1: BAD: value out of range') and
          p.stderr == 'vgw: up load.ini:1: BAD: value out of range\n', 'a rejected ini load is the firmware\'s line', p.stderr)

    # A full load of a file that names nothing would reset everything:
    # refused before anything is sent, unless --allow-empty.
    args_file = os.path.join(env['VGW_STATE_DIR'], 'ini-load.args')
    os.unlink(args_file)
    with open(ini, 'wb') as f:
        f.write(b'; nothing but a comment\n\n')
    p = vgw('ini', 'load', '--name', 'b', ini)
    check(one_line(p, 'up load.ini: names no parameter and no table') and
          '--allow-empty' in p.stderr and not os.path.exists(args_file),
          'a full ini load of a comment-only file is refused without sending it', p.stderr)
    p = vgw('ini', 'load', '--name', 'b', '--allow-empty', ini)
    check(p.returncode == 0 and open(args_file).read() == 'full allow-empty up load.ini',
          'ini load --allow-empty sends ini-load full allow-empty', p.stderr)
    p = vgw('ini', 'load', '--name', 'b', '--incremental', ini)
    check(p.returncode == 0 and open(args_file).read() == 'incremental up load.ini',
          'an incremental load of nothing changes nothing and is sent as it is', p.stderr)

    # Someone else holds the maintenance port (QEMU serves one client):
    # refused at once, naming the holder; free again once it hangs up.
    holder = socket.socket(socket.AF_UNIX)
    holder.connect(status('b')['sockets']['maint'])
    holder.sendall(b'@h1 status\n')
    holder.recv(100)  # served: QEMU's side has accepted us
    p = vgw('maint', '--name', 'b', '--timeout', '30', 'status')
    check(one_line(p, 'maintenance port is in use by pid %d (' % os.getpid()) and
          'test-flows.py' in p.stderr, 'a foreign holder of maint.sock is named at once', p.stderr)
    holder.close()
    p = vgw('maint', '--name', 'b', 'status')
    check(p.returncode == 0, 'the port serves vgw again once the holder hung up', p.stderr)

    p = subprocess.run([VGW, 'console', '--name', 'b'], env=env, input='hi\n', text=True,
                       capture_output=True, timeout=30)
    check(p.returncode == 0 and 'echo:hi' in p.stdout, 'console in pipe mode', p.stdout + p.stderr)

    for name in ('default', 'b'):
        p = vgw('down', '--name', name)
        check(p.returncode == 0, 'down %s' % name, p.stderr)
    st = status('b')
    check(st.get('state') == 'stopped' and st.get('pid') is None, 'status after down says stopped', st)
    sdir = os.path.join(env['VGW_STATE_DIR'], 'b')
    check(sorted(os.listdir(sdir)) == ['console.log', 'flash.img', 'instance.json', 'keystore.secret', 'lock', 'maint.lock', 'qemu.log'],
          'down keeps flash, board secret and logs, removes sockets and pid', os.listdir(sdir))
    p = vgw('down', '--name', 'b')
    check(one_line(p, "gateway 'b' is not running"), 'down of a stopped gateway', p.stderr)
    p = vgw('status', '--name', 'nosuch')
    check(one_line(p, "no gateway named 'nosuch'") and p.stdout == '',
          'status of an unknown name exits 1', p.stderr)
    p = vgw('status', '--name', 'nosuch', '--json')
    check(one_line(p, "no gateway named 'nosuch'") and
          json.loads(p.stdout) == {'name': 'nosuch', 'state': 'unknown'},
          'status --json of an unknown name exits 1 and still prints JSON', p.stdout + p.stderr)

    for proto in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, proto)
        s.bind(('127.0.0.1', 0))
        if proto == socket.SOCK_STREAM:
            s.listen(1)
        port = s.getsockname()[1]
        p = vgw('up', '--name', 'busy', '--detach', '--sip-port', str(port), '--sip-tls-port', '0')
        kind = 'tcp' if proto == socket.SOCK_STREAM else 'udp'
        check(one_line(p, 'port %d/%s on 127.0.0.1 is in use' % (port, kind)) and
              len(p.stderr.splitlines()) == 1, 'up on a %s port in use fails in one line' % kind, p.stderr)
        s.close()

    p = vgw('up', '--name', 'pan', '--detach', '--sip-port', '0', '--sip-tls-port', '0',
            extra_env={'FAKEQ_PANIC': '1'})
    check(one_line(p, 'kernel panic') and 'Kernel panic - not syncing' in p.stderr,
          'a kernel panic fails with the console tail', p.stderr)
    p = vgw('up', '--name', 'hang', '--detach', '--sip-port', '0', '--sip-tls-port', '0',
            '--timeout', '2', extra_env={'FAKEQ_HANG': '1'})
    check(one_line(p, 'did not become ready within 2 s'), 'a boot timeout fails', p.stderr)
    check(status('hang').get('state') == 'stopped', 'nothing left running after a failed up', '')
    p = vgw('up', '--name', 'nb', '--detach', '--sip-port', '0', '--sip-tls-port', '0', '--qemu', noboard)
    check(one_line(p, 'has no vgw machine'), 'a QEMU without the board is named',
          'rc=%d\n%s' % (p.returncode, p.stderr))
    p = vgw('up', '--name', 'nq', '--qemu', os.path.join(state, 'missing'))
    check(one_line(p, 'QEMU not found at'), 'a missing QEMU is named', p.stderr)

    # A gateway whose firmware booted an older configuration says so in up
    # and status; one whose firmware does not report it says nothing.
    src = {'generation': 3, 'skipped': [{'generation': 4, 'reason': 'crc-mismatch'}]}
    note = 'configuration: generation 3 (newer generation 4 skipped: crc-mismatch)'
    gate = os.path.join(state, 'gate')
    p = vgw('up', '--name', 'rb', '--detach', '--sip-port', '0', '--sip-tls-port', '0',
            extra_env={'FAKEQ_CONFIG_SOURCE': json.dumps(src), 'FAKEQ_GATE': gate})
    check(p.returncode == 0 and note in p.stdout, 'up says the configuration was rolled back', p.stdout + p.stderr)
    p = vgw('status', '--name', 'rb')
    check(p.returncode == 0 and note in p.stdout, 'status says the configuration was rolled back', p.stdout)
    p = vgw('status', '--name', 'default')
    check(p.returncode == 0 and 'configuration:' not in p.stdout,
          'no config_source from the firmware: nothing said', p.stdout)

    # vgw reset while the gateway boots (the fake holds its reboot until
    # the gate file exists): within --timeout, and only once it is ready.
    p = vgw('reset', '--name', 'rb', '--hard', '--timeout', '1')
    check(one_line(p, "gateway 'rb' did not become ready within 1 s"), 'a held reboot times out', p.stderr)
    p = vgw('reset', '--name', 'rb', '--timeout', '1')
    check(one_line(p, "gateway 'rb' is still booting: its firmware cannot be asked to reset "
                      "(vgw reset --hard resets the board without it)"),
          'reset of a booting gateway fails within its timeout, suggesting --hard', p.stderr)
    r = subprocess.Popen([VGW, 'reset', '--name', 'rb', '--timeout', '60'], env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    first = r.stdout.readline()
    open(gate, 'w').close()
    out, err = r.communicate(timeout=60)
    check(first.startswith("gateway 'rb' is still booting; waiting for its firmware") and
          r.returncode == 0 and 'ready in' in out, 'reset waits for a booting firmware, then resets',
          first + out + err)
    st = status('rb')
    check(st.get('reset_cause') == 'firmware' and st.get('reset_count') == 2,
          'only the waiting reset reached the firmware', st)
finally:
    for name in ('default', 'b', 'busy', 'pan', 'hang', 'rb'):
        vgw('down', '--name', name)
    shutil.rmtree(state, ignore_errors=True)
finish()
