#!/usr/bin/env python3
"""Firmware smoke test on the real board, below the `vgw` command.

    device-fw/tests/qemu_smoke.py QEMU IMAGES_DIR

Boots `-M vgw` with the images from images/build-images.sh, waits for the
ready line, then drives the maintenance port (a unix socket) directly:
login (wrong and right password), status, human mode, debug crash (crash
count), a pending parameter and reset save (reset cause firmware; the
saved configuration boots from flash) and debug watchdog-stall (reset
cause watchdog). Prints TAP. Needs nothing but Python and QEMU; the system tests
in tests/system drive the same things through `vgw`.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

count = 0
failed = 0


def check(cond, what, detail=''):
    global count, failed
    count += 1
    if not cond:
        failed += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', count, what), flush=True)
    if not cond and detail:
        for line in str(detail).splitlines()[-20:]:
            print('#   ' + line, flush=True)
    return cond


class Board:
    def __init__(self, qemu, images, work):
        self.console = os.path.join(work, 'console.log')
        self.sock = os.path.join(work, 'm.sock')
        flash = os.path.join(work, 'flash.img')
        shutil.copyfile(os.path.join(images, 'flash.img'), flash)
        argv = [qemu, '-M', 'vgw', '-m', '256',
                '-kernel', os.path.join(images, 'Image'),
                '-initrd', os.path.join(images, 'initramfs.cpio.gz'),
                '-append', 'console=ttyAMA0 quiet',
                '-drive', 'if=mtd,format=raw,file=' + flash,
                '-netdev', 'user,id=lan,net=10.0.2.0/24', '-net', 'nic,netdev=lan',
                '-netdev', 'user,id=wan,net=10.0.3.0/24', '-net', 'nic,netdev=wan',
                '-chardev', 'socket,id=maint,path=%s,server=on,wait=off' % self.sock,
                '-serial', 'file:' + self.console, '-serial', 'chardev:maint',
                '-display', 'none', '-nodefaults']
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.maint = None
        self.buf = b''

    def log(self):
        try:
            with open(self.console, 'rb') as f:
                return f.read().decode(errors='replace')
        except OSError:
            return ''

    def wait_ready(self, nth, timeout=60):
        """Waits for the nth VGW-READY line; returns its JSON object."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = [l for l in self.log().splitlines() if l.startswith('VGW-READY ')]
            if len(lines) >= nth:
                return json.loads(lines[nth - 1][len('VGW-READY '):])
            time.sleep(0.05)
        return None

    def connect(self):
        if self.maint is None:
            self.maint = socket.socket(socket.AF_UNIX)
            self.maint.connect(self.sock)
            self.buf = b''

    def request(self, rid, line, timeout=5):
        """Sends a machine-mode request; returns (ok, json) of its reply."""
        self.connect()
        self.maint.sendall(('@%s %s\n' % (rid, line)).encode())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b'\n' in self.buf:
                raw, self.buf = self.buf.split(b'\n', 1)
                parts = raw.decode(errors='replace').split(' ', 2)
                if len(parts) == 3 and parts[0] == '@' + rid:
                    return parts[1] == 'ok', json.loads(parts[2])
            self.maint.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                data = self.maint.recv(65536)
            except socket.timeout:
                break
            if not data:
                break
            self.buf += data
        return None, None

    def human(self, line, wait=1.0):
        self.connect()
        self.maint.sendall((line + '\n').encode())
        out = b''
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and not out.endswith(b'vgw> '):
            self.maint.settimeout(0.1)
            try:
                out += self.maint.recv(65536)
            except socket.timeout:
                pass
        return out.decode(errors='replace')

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    qemu, images = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix='vgwfw-', dir='/tmp')
    b = Board(qemu, images, work)
    try:
        ready = b.wait_ready(1)
        elapsed = time.monotonic() - b.t0
        if not check(ready is not None, 'ready line (%.2f s after QEMU start)' % elapsed, b.log()):
            return 1
        check(ready['reset_cause'] == 'power-on', 'first boot: reset cause power-on', ready)
        lan = [i for i in ready['interfaces'] if i['name'] == 'lan'][0]
        check(lan['ipv4'] is not None and lan['ipv4'].startswith('10.0.2.'),
              'LAN has a DHCP address (%s)' % lan['ipv4'])

        ok, js = b.request('1', 'status')
        check(ok is False and js.get('error') == 'login required', 'status before login refused', js)
        t = time.monotonic()
        ok, js = b.request('2', 'login Admin wrong')
        check(ok is False and time.monotonic() - t >= 0.9, 'wrong password refused after ~1 s')
        check('login failed for user "Admin"' in b.log() and 'wrong' not in b.log(),
              'failed login logged with the user name only')
        ok, js = b.request('3', 'login Admin Admin')
        check(ok and js == {'user': 'Admin'}, 'login Admin/Admin', js)
        ok, st = b.request('4', 'status')
        fields = ['state', 'firmware', 'uptime_s', 'reset_cause', 'reset_count', 'serial',
                  'hw_rev', 'mac_base', 'crash_count', 'watchdog', 'interfaces', 'listeners']
        check(ok and all(f in st for f in fields), 'status has every field', st)
        check(ok and st['watchdog'] == {'enabled': True, 'timeout_ms': 10000},
              'watchdog enabled, 10 s', st)
        check(ok and {'transport': 'udp', 'port': 5060} in st['listeners'] and
              {'transport': 'tcp', 'port': 5060} in st['listeners'], 'listeners udp/tcp 5060', st)
        text = b.human('status')
        check('Serial:' in text and text.endswith('vgw> '), 'human-mode status', text)

        ok, _ = b.request('5', 'debug crash')
        check(ok, 'debug crash acknowledged')
        ready = b.wait_ready(2, timeout=30)
        check(ready is not None and ready['crash_count'] == 1, 'vgwd restarted, crash_count 1', ready)
        log = b.log()
        check('stopped stale udhcpc' in log and 'lan address none' not in log,
              'the new vgwd replaced the old DHCP client and LAN kept its address',
              log)
        ok, _ = b.request('6', 'login Admin Admin')
        ok, st = b.request('7', 'status')
        check(ok and st['crash_count'] == 1 and st['reset_cause'] == 'power-on',
              'status after the crash: crash_count 1, no board reset', st)

        check('config: factory defaults' in b.log(), 'first boot: factory defaults')
        ok, p = b.request('c1', 'param-set TLSVersion 1')
        check(ok and p['pending'] == '1' and p['applied'] == 'after-reset',
              'param-set of a reset-needed parameter is pending', p)
        ok, st = b.request('c2', 'status')
        check(ok and st['pending'] == 1 and st['config']['unsaved'] is True,
              'status: 1 pending, unsaved', st)

        ok, _ = b.request('8', 'reset save')
        check(ok, 'reset save acknowledged')
        ready = b.wait_ready(3, timeout=60)
        check(ready is not None and ready['reset_cause'] == 'firmware' and ready['crash_count'] == 0,
              'board back after reset: cause firmware, crash_count 0', ready)

        ok, _ = b.request('9', 'login Admin Admin')
        ok, st = b.request('c3', 'status')
        check(ok and st['pending'] == 0 and st['config'] == {
            'source': 'flash', 'generation': 1, 'unsaved': False},
              'saved configuration booted from flash generation 1', st)
        ok, p = b.request('c4', 'param-get TLSVersion')
        check(ok and p['value'] == '1' and p['pending'] is None,
              'the saved reset-needed value is in effect', p)
        ok, _ = b.request('10', 'debug watchdog-stall')
        t = time.monotonic()
        check(ok, 'debug watchdog-stall acknowledged')
        ready = b.wait_ready(4, timeout=60)
        check(ready is not None and ready['reset_cause'] == 'watchdog',
              'board back after the stall: cause watchdog (%.1f s)' % (time.monotonic() - t), ready)
    finally:
        b.stop()
        shutil.rmtree(work, ignore_errors=True)
    print('1..%d' % count)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
