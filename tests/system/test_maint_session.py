#!/usr/bin/env python3
"""Maintenance sessions end when the host side goes away (issue 9, probes 1,
2 and 9): a login and a half-finished upload do not survive a disconnect,
an interrupted client does not spoil the next `vgw` command, replies are
valid UTF-8 JSON whatever the request held. Also the secret
MaintenancePassword (never shown or exported in clear, an export loads
back with the same password) and the refused empty full ini load.

The probes talk to maint.sock with socat, as a person or a script would;
everything else goes through `vgw`. Ending a session on disconnect needs
the board to send a BREAK on UART1 when a host client connects or hangs up.
"""
import base64
import json
import os
import select
import subprocess
import tempfile
import time

import vgwtest

GW = 'msess'
# A bound on waiting for a reply, not a timing assertion: under TCG on a
# loaded machine an answer may take seconds.
REPLY_WAIT_S = 120


def socat_session(sock, requests):
    """Connects with socat, sends |requests| (bytes lines without "\\n")
    one at a time, each after the previous one's reply, then hangs up.
    Returns the replies (bytes lines, without "\\n"), None for a request
    that got none within REPLY_WAIT_S."""
    p = subprocess.Popen(['socat', '-', 'UNIX-CONNECT:' + sock],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    replies = []
    pending = b''
    try:
        for req in requests:
            rid = req.split(b' ', 1)[0]
            p.stdin.write(req + b'\n')
            p.stdin.flush()
            reply = None
            deadline = time.monotonic() + REPLY_WAIT_S
            while reply is None and time.monotonic() < deadline:
                ready, _, _ = select.select([p.stdout], [], [], 1.0)
                if not ready:
                    continue
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                pending += chunk
                while b'\n' in pending:
                    line, pending = pending.split(b'\n', 1)
                    at = line.find(rid + b' ')
                    if at >= 0:
                        reply = line[at:]
            replies.append(reply)
            if reply is None:
                break
    finally:
        p.stdin.close()
        p.wait(timeout=60)
    return replies


def reply_json(reply):
    """The JSON object of a reply line ('@id ok {...}'), or None."""
    if reply is None:
        return None
    try:
        return json.loads(reply.decode('utf-8').split(' ', 2)[2])
    except (UnicodeDecodeError, ValueError, IndexError):
        return None


def fire_and_forget(sock, data, what, run):
    """Sends |data| and hangs up at once (socat -t0)."""
    p = subprocess.run(['socat', '-t0', '-', 'UNIX-CONNECT:' + sock],
                       input=data, capture_output=True, timeout=60)
    run.check(p.returncode == 0, 'socat -t0: %s sent' % what, p.stderr)


def param(run, name):
    return run.param(name, GW)


def test(run):
    tmp = tempfile.mkdtemp(prefix='vgwms-', dir=run.state_root)
    run.up(GW)
    st = run.status(GW) or {}
    sock = ((st.get('sockets') or {}).get('maint'))
    if not run.check(sock is not None and os.path.exists(sock),
                     'vgw status --json names the maintenance socket', st):
        return

    # -- probe 1: a login does not survive a disconnect --------------------
    r = socat_session(sock, [b'@1 login Admin Admin'])
    run.check(r[0] is not None and r[0].startswith(b'@1 ok '),
              'socat: @1 login Admin Admin is accepted', r)
    r = socat_session(sock, [b'@2 param-get MaintenancePassword'])
    run.check(r[0] == b'@2 error {"error":"login required"}',
              'next connection: @2 param-get MaintenancePassword is refused '
              '(login required)', r)

    # -- a half-finished upload does not survive either --------------------
    chunk = base64.b64encode(b'GwDebugLevel = 6\n')
    r = socat_session(sock, [b'@1 login Admin Admin', b'@2 upload-begin',
                             b'@3 upload-chunk ' + chunk])
    run.check(r[-1] is not None and r[-1].startswith(b'@3 ok {"bytes":17}'),
              'socat: an ini upload is begun and left unfinished', r)
    r = socat_session(sock, [b'@1 login Admin Admin',
                             b'@2 ini-load incremental'])
    run.check(r[-1] is not None and r[-1].startswith(
                  b'@2 error {"error":"nothing uploaded'),
              'next connection: ini-load finds nothing uploaded', r)
    run.check(param(run, 'GwDebugLevel').get('value') == '0',
              'GwDebugLevel was not loaded from the abandoned upload')

    # -- probe 2: an interrupted client does not break the next command ----
    for data, what in ((b'@1 status\n', 'a line and an immediate close'),
                       (b'@1 sta', 'half a line'),
                       (b'@1 login Admin Admin\n@2 upload-begin\n@3 upl',
                        'a login, an upload and half a line')):
        fire_and_forget(sock, data, what, run)
        p = run.vgw('param', 'get', '--name', GW, 'GwDebugLevel', timeout=120)
        run.check(p.returncode == 0,
                  'after %s, vgw param get succeeds' % what,
                  'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))

    # -- probe 9: invalid UTF-8 in a request, valid UTF-8 JSON back --------
    r = socat_session(sock, [b'@1 login Admin Admin',
                             b'@2 param-get \xff\xfe'])
    obj = reply_json(r[-1])
    run.check(obj is not None and r[-1].startswith(b'@2 error ') and
              obj.get('error') == '\ufffd\ufffd: unknown parameter',
              '@2 param-get \\xff\\xfe: the error reply is valid UTF-8 JSON', r)

    # -- the secret password ------------------------------------------------
    v = param(run, 'MaintenancePassword')
    run.check(v.get('value') == '*****',
              'vgw param get MaintenancePassword shows *****', v)
    p = run.vgw('param', 'set', '--name', GW, 'MaintenancePassword', 'Tw0 words',
                timeout=120)
    run.check(p.returncode == 0, 'vgw param set MaintenancePassword', p.stderr)
    env = run.env
    run.env = dict(env, VGW_PASSWORD='Tw0 words')
    path = os.path.join(tmp, 'export.ini')
    p = run.vgw('ini', 'export', '--name', GW, path, timeout=120)
    text = open(path).read() if p.returncode == 0 else ''
    line = [ln for ln in text.splitlines() if ln.startswith('MaintenancePassword')]
    run.check(len(line) == 1 and '$pbkdf2-sha256$' in line[0] and 'Tw0' not in text,
              'ini export writes the password as a $pbkdf2-sha256$ hash', line or p.stderr)
    # Back to the factory password, then load the export: the hash in it
    # logs in with the password it was made from.
    p = run.vgw('param', 'set', '--name', GW, 'MaintenancePassword', 'Admin',
                timeout=120)
    run.env = env
    run.check(p.returncode == 0, 'vgw param set MaintenancePassword Admin', p.stderr)
    p = run.vgw('ini', 'load', '--name', GW, path, timeout=300)
    run.check(p.returncode == 0, 'vgw ini load of the export', p.stderr)
    p = run.vgw('maint', '--name', GW, 'status', timeout=120)
    run.check(p.returncode == 1 and 'login failed' in p.stderr,
              'after loading the export the factory password is refused', p.stderr)
    run.env = dict(env, VGW_PASSWORD='Tw0 words')
    p = run.vgw('maint', '--name', GW, 'status', timeout=120)
    run.check(p.returncode == 0,
              'after loading the export the exported password logs in', p.stderr)

    # -- an empty full load is refused -------------------------------------
    ok = run.vgw('param', 'set', '--name', GW, 'GwDebugLevel', '4', timeout=120)
    run.check(ok.returncode == 0, 'vgw param set GwDebugLevel 4', ok.stderr)
    empty = os.path.join(tmp, 'empty.ini')
    with open(empty, 'w') as f:
        f.write('; nothing here\n\n')
    p = run.vgw('ini', 'load', '--name', GW, empty, timeout=300)
    run.check(p.returncode != 0 and 'names no parameter and no table' in p.stderr,
              'a full ini load of a comment-only file is refused', p.stderr)
    run.check(param(run, 'GwDebugLevel').get('value') == '4',
              'the refused empty load changed nothing')


vgwtest.main(test)
